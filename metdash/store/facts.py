"""The derived tables the figures read, kept up to date by every write.

A/R, first adjudication, days to payment, revenue, denials and the referrer figures are
results of the whole payment history (every claim payment, line payment and CAS row, the
practice's write-offs, transfers, patient payments and refunds). Computing them on every
page view grows with the history; keeping them per claim makes a page read narrow rows
instead. Six tables (migrations 0003-0011), each defined by a query in ``metdash/sql/`` (the
figures' own definitions):

- ``ledger``: every money event of each claim, with its effect on insurance and patient A/R
  (the charge, payments, each adjustment by its class, reversals and re-adjudications,
  write-offs, transfers to the client, patient payments and refunds);
- ``claim_facts``: one row per claim: its filter columns, its balances (the ledger's sums),
  first adjudication and revenue sums;
- ``line_facts``, ``first_line_facts``, ``denial_facts``: each billed line's latest
  adjudication, the lines of each first adjudication, every denial adjustment;
- ``visit_facts``: each claim's visits (client, service date, referrer).

How they stay right:

- :meth:`metdash.store.db.Database.transaction` calls :func:`sync` just before it commits, so the
  facts change in the same transaction as the data they come from (a rolled-back write leaves
  both as they were).
- :func:`sync` recomputes the claims that changed, each table only as far as the change
  reaches it: claims added (or changed in place and named with :func:`touch`) in every
  table; claims with a new claim payment (payments are only ever added, with growing ids) in
  the ledger, claim_facts and line_facts (first_line_facts too when the payment is now their
  first adjudication), with the new payments' rows added to denial_facts; claims whose
  status alone moved (``touch(..., status_only=True)``) in the ledger and claim_facts only,
  as the other tables keep just whether a claim is voided. Code that changes a claim row in
  place, or writes a row the ledger reads (a write-off, a transfer, a patient payment or
  refund naming a claim), must name the claim with :func:`touch`.
- The demo builds the tables whole with :func:`rebuild`, and so does a migration that adds
  or changes one, for a store made before it.
- :func:`check` compares the tables with a full recomputation; the test suite runs it after
  every write transaction (``METDASH_VERIFY_FACTS=1``), so a write path that forgets
  :func:`touch` fails its own test, and ``metdash facts check`` runs it on a practice's store.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterable
from importlib import resources

import duckdb

from metdash.errors import FactsMismatch

COLUMNS = [
    "claim_id", "client_id", "payer_id", "referrer_id", "rendering_provider_id", "status",
    "total_charge", "first_service_date", "submitted_date", "voided_date",
    "insurance_balance", "patient_balance", "denied_open", "first_ledger_date",
    "last_ledger_date", "paid", "allowed", "patient_responsibility", "contractual",
    "first_claim_payment_id", "first_adjudication_date", "adjudicated", "denied",
    "claim_level_denied", "resolved", "first_paid_date", "answered", "first_split_ids",
]
_CLAIM = ["claim_id", "payer_id", "referrer_id", "rendering_provider_id", "voided",
          "first_service_date"]
LEDGER_COLUMNS = [
    "claim_id", "client_id", "payer_id", "referrer_id", "rendering_provider_id", "voided",
    "first_service_date", "entry_date", "seq", "kind", "reversal", "destination", "source",
    "source_id", "remittance_id", "group_code", "carc", "amount", "insurance", "patient",
]
LINE_COLUMNS = _CLAIM + ["line_no", "service_date", "cpt", "units", "charge", "paid", "allowed",
                         "denied", "own_paid"]
FIRST_LINE_COLUMNS = _CLAIM + ["first_adjudication_date", "cpt", "charge", "denied",
                                "denied_charge"]
DENIAL_COLUMNS = _CLAIM + ["claim_payment_id", "line_payment_id", "group_code", "carc",
                           "amount", "payment_date", "cpt", "n_lines"]
VISIT_COLUMNS = ["claim_id", "client_id", "visit_date", "referrer_id", "voided"]
# (table, its columns, the file in metdash/sql/ that defines it), in the order they are
# computed: claim_facts reads the ledger, first_line_facts reads claim_facts.
TABLES = [("ledger", LEDGER_COLUMNS, "ledger"),
          ("claim_facts", COLUMNS, "claim_facts"),
          ("line_facts", LINE_COLUMNS, "line_facts"),
          ("first_line_facts", FIRST_LINE_COLUMNS, "first_line_facts"),
          ("denial_facts", DENIAL_COLUMNS, "denial_facts"),
          ("visit_facts", VISIT_COLUMNS, "visit_facts")]

# Claims named by touch(), per open write transaction (keyed by its connection object):
# changed in place (every table recomputed), or only their status moved.
_touched: dict[int, set[str]] = {}
_moved: dict[int, set[str]] = {}
_lock = threading.Lock()


# The source tables a facts query reads, written {name} in its SQL: the tables themselves
# for a full build, or this transaction's temporary copies of the rows of the claims being
# recomputed (each scanned once, instead of once per facts table).
SOURCES = ["claims", "claim_payments", "line_payments", "adjustments", "claim_lines",
           "claim_status_history", "remittances", "ledger", "claim_facts"]


# CTEs shared between those queries, written {name} where they go (their own SQL file).
INCLUDES = ["standing_clps", "replaced_clps", "clp_order"]  # an include before those it holds


def _read(name: str) -> str:
    return resources.files("metdash.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


@functools.cache
def _sql(name: str = "claim_facts", subset: bool = False) -> str:
    text = _read(name)
    for part in INCLUDES:
        if part != name:  # an include's own comment names it
            text = text.replace("{" + part + "}", _read(part).strip())
    for source in SOURCES:
        text = text.replace("{" + source + "}", f"_fx_{source}" if subset else source)
    return text


def sql_text(name: str) -> str:
    """The query ``metdash/sql/<name>.sql`` over the store's tables, its includes expanded
    (:data:`INCLUDES`): for a query outside the facts that shares their CTEs."""
    return _sql(name)


_CLAIM_SOURCE = ("claim_id, client_id, payer_id, referrer_id, rendering_provider_id, status, "
                 "total_charge, first_service_date, submitted_date")
_LINE_SOURCE = "claim_id, line_no, service_date, cpt, units, charge"


def _copy_sources(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Temporary tables _fx_<source> holding the source rows of these claims.

    The id ranges are stated besides the id lists: rows are stored roughly in id order, so
    DuckDB skips the row groups outside the range (the claims of one 835 are close together)
    instead of scanning every claim id of the practice's history."""
    lo, hi = ids[0], ids[-1]
    # Only the columns the facts read (the diagnosis and modifier lists cost the most to copy).
    con.execute(f"CREATE OR REPLACE TEMP TABLE _fx_claims AS SELECT {_CLAIM_SOURCE} "
                "FROM claims WHERE claim_id BETWEEN ? AND ? "
                "AND claim_id IN (SELECT unnest(?::VARCHAR[]))", [lo, hi, ids])
    con.execute("CREATE OR REPLACE TEMP TABLE _fx_claim_payments AS SELECT * FROM "
                "claim_payments WHERE claim_id BETWEEN ? AND ? "
                "AND claim_id IN (SELECT claim_id FROM _fx_claims)", [lo, hi])
    first, last = con.execute("SELECT min(claim_payment_id), max(claim_payment_id) "
                              "FROM _fx_claim_payments").fetchall()[0]
    for table in ("line_payments", "adjustments"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fx_{table} AS SELECT * FROM {table} "
                    "WHERE claim_payment_id BETWEEN ? AND ? AND claim_payment_id IN "
                    "(SELECT claim_payment_id FROM _fx_claim_payments)", [first, last])
    # The remittances of those payments (and of the PLB lines naming those claims): every
    # facts query joins them, and the whole table was read five times per write.
    con.execute("CREATE OR REPLACE TEMP TABLE _fx_remittances AS SELECT remittance_id, "
                "payer_id, payer_key, payment_date FROM remittances WHERE remittance_id IN "
                "(SELECT remittance_id FROM _fx_claim_payments UNION SELECT remittance_id "
                "FROM provider_adjustments WHERE claim_id IN (SELECT claim_id FROM _fx_claims))")
    # The history is read only for the dates claims were voided.
    for table, cols, only in (("claim_lines", _LINE_SOURCE, ""),
                              ("claim_status_history", "*", "status = 'voided' AND ")):
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fx_{table} AS SELECT {cols} FROM {table} "
                    f"WHERE {only}claim_id BETWEEN ? AND ? "
                    "AND claim_id IN (SELECT claim_id FROM _fx_claims)", [lo, hi])


def _drop_sources(con: duckdb.DuckDBPyConnection) -> None:
    for source in SOURCES:
        con.execute(f"DROP TABLE IF EXISTS _fx_{source}")


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[str], str]]:
    """The facts tables this store has (a store part-way through its migrations has fewer)."""
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND table_name IN (SELECT unnest(?::VARCHAR[]))", [[t[0] for t in TABLES]]
    ).fetchall()}
    return [t for t in TABLES if t[0] in have]


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return any(name == "claim_facts" for name, _, _ in _tables(con))


def touch(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str], *,
          status_only: bool = False) -> None:
    """Mark claims changed in place in this write transaction (recomputed before commit).

    ``status_only``: the write changed nothing of the claim row but its status and
    submission dates (with a status-history row), or added money the ledger reads (a
    write-off, a transfer, a patient payment or refund naming the claim): only the ledger and
    claim_facts hold those, so only they are recomputed, unless the claim was voided or
    un-voided (every table keeps that).
    """
    ids = {str(c) for c in claim_ids if c is not None}
    if ids:
        with _lock:
            (_moved if status_only else _touched).setdefault(id(con), set()).update(ids)


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what :func:`touch` recorded for this connection (its transaction ended)."""
    with _lock:
        _touched.pop(id(con), None)
        _moved.pop(id(con), None)


def refresh(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> int:
    """Recompute every row of these claims (inside the caller's transaction)."""
    return _refresh(con, {str(c) for c in claim_ids}, set(), set(), 0)


def _refresh(con: duckdb.DuckDBPyConnection, full: set[str], paid: set[str], moved: set[str],
             since: int) -> int:
    """Recompute what changed, table by table (inside the caller's transaction).

    - ``full``: claims added or changed in place: every row of theirs, in every table.
    - ``paid``: claims with new claim payments (ids above ``since``): their claim_facts and
      line_facts rows (totals, latest adjudication); first_line_facts only when their first
      adjudication changed; the new payments' denial_facts rows are added
      (rows of earlier payments do not change: each depends on its own payment, its claim's
      lines and the claim's filter columns, which a payment does not touch).
    - ``moved``: only the status moved: claim_facts.
    A claim voided or un-voided by the write (paid or moved) is promoted to ``full``: every
    table keeps the flag.
    """
    paid, moved = paid - full, moved - full - paid
    every = sorted(full | paid | moved)
    if not every:
        return 0
    _copy_sources(con, every)
    try:
        tables = {t[0]: t for t in _tables(con)}
        changed_first: set[str] = set()
        if "ledger" in tables:
            # A claim's ledger depends on its whole history (a later remittance replaces or
            # reverses earlier rows): recomputed whole for every claim the write touched.
            cols = ", ".join(LEDGER_COLUMNS)
            con.execute(f"CREATE OR REPLACE TEMP TABLE _fx_ledger AS SELECT {cols} FROM "
                        f"({_sql('ledger', subset=True)})", {"ids": None})
            con.execute("DELETE FROM ledger WHERE claim_id BETWEEN ? AND ? AND claim_id IN "
                        "(SELECT claim_id FROM _fx_claims)", [every[0], every[-1]])
            con.execute(f"INSERT INTO ledger ({cols}) SELECT {cols} FROM _fx_ledger")
        if "claim_facts" in tables:
            cols = ", ".join(COLUMNS)
            con.execute(f"CREATE OR REPLACE TEMP TABLE _fx_claim_facts AS SELECT {cols} FROM "
                        f"({_sql('claim_facts', subset=True)})", {"ids": None})
            old = {r[0]: r[1:] for r in con.execute(
                "DELETE FROM claim_facts WHERE claim_id BETWEEN ? AND ? AND claim_id IN "
                "(SELECT claim_id FROM _fx_claims) RETURNING claim_id, status, "
                "first_claim_payment_id, first_split_ids", [every[0], every[-1]]).fetchall()}
            con.execute(f"INSERT INTO claim_facts ({cols}) SELECT {cols} FROM _fx_claim_facts")
            for claim_id, status, *first_id in con.execute(
                    "SELECT claim_id, status, first_claim_payment_id, first_split_ids "
                    "FROM _fx_claim_facts").fetchall():
                if claim_id in full or claim_id not in old:
                    full.add(claim_id)
                    continue
                old_status, *old_first = old[claim_id]
                if (old_status == "voided") != (status == "voided"):
                    full.add(claim_id)
                elif old_first != first_id:
                    changed_first.add(claim_id)
        paid -= full
        lines = sorted(full | paid)
        first = sorted(full | (changed_first & paid))
        for table, columns, name in tables.values():
            if table in ("ledger", "claim_facts"):
                continue
            cols = ", ".join(columns)
            append = table == "denial_facts"
            redo = sorted(full) if append or table == "visit_facts" else (
                first if table == "first_line_facts" else lines)
            if redo:
                con.execute(f"DELETE FROM {table} WHERE claim_id BETWEEN ? AND ? "
                            "AND claim_id IN (SELECT unnest(?::VARCHAR[]))",
                            [redo[0], redo[-1], redo])
            query = _sql(name, subset=True)
            if append and paid:
                # Every row of the claims redone, and the new payments' rows of the others.
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM ({query}) "
                            "WHERE claim_payment_id > $since "
                            "OR claim_id IN (SELECT unnest($redo::VARCHAR[]))",
                            {"ids": None, "redo": redo, "since": since})
            elif redo:
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM ({query})",
                            {"ids": redo})
    finally:
        _drop_sources(con)
    return len(every)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every row (inside the caller's transaction)."""
    for table, columns, name in _tables(con):
        cols = ", ".join(columns)
        con.execute(f"DELETE FROM {table}")
        # In claim order: the zone maps then let reads and refreshes skip row groups.
        order = "claim_id, seq" if table == "ledger" else "claim_id"
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM ({_sql(name)}) "
                    f"ORDER BY {order}", {"ids": None})
    con.execute("UPDATE claim_facts_state SET last_claim_payment_id = "
                "(SELECT coalesce(max(claim_payment_id), 0) FROM claim_payments)")
    forget(con)


def sync(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the facts up to date with this transaction's writes; the claims recomputed."""
    with _lock:
        full = _touched.pop(id(con), set())
        moved = _moved.pop(id(con), set())
    if not _has_table(con):
        return 0  # a store not yet migrated to 0003 (the migration builds it)
    last = con.execute("SELECT last_claim_payment_id FROM claim_facts_state").fetchall()[0][0]
    newest = con.execute("SELECT coalesce(max(claim_payment_id), 0) FROM claim_payments"
                         ).fetchall()[0][0]
    if newest < last:  # payments were deleted (a demo reset without rebuild): start over
        rebuild(con)
        return -1
    paid: set[str] = set()
    if newest > last:
        paid = {r[0] for r in con.execute(
            "SELECT DISTINCT claim_id FROM claim_payments WHERE claim_payment_id > ? "
            "AND claim_id IS NOT NULL", [last]).fetchall()}
        con.execute("UPDATE claim_facts_state SET last_claim_payment_id = ?", [newest])
    # Claims added or removed: counting is nearly free; the anti-join runs only on a change.
    n_claims, n_facts = con.execute(
        "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM claim_facts)"
    ).fetchall()[0]
    if n_claims != n_facts:
        for table, _, _ in _tables(con):
            con.execute(f"DELETE FROM {table} WHERE claim_id NOT IN "
                        "(SELECT claim_id FROM claims)")
        full.update(r[0] for r in con.execute(
            "SELECT claim_id FROM claims ANTI JOIN claim_facts USING (claim_id)").fetchall())
    return _refresh(con, full, paid, moved, last)


def check(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Claims whose rows differ from a full recomputation (missing, extra or changed)."""
    bad: set[str] = set()
    for table, columns, name in _tables(con):
        cols = ", ".join(columns)
        rows = con.execute(f"""
            WITH want AS (SELECT {cols} FROM ({_sql(name)})),
                 have AS (SELECT {cols} FROM {table})
            SELECT claim_id FROM (SELECT * FROM want EXCEPT ALL SELECT * FROM have)
            UNION
            SELECT claim_id FROM (SELECT * FROM have EXCEPT ALL SELECT * FROM want)""",
            {"ids": None}).fetchall()
        bad.update(r[0] for r in rows)
    return sorted(bad)


def verify_if_asked(con: duckdb.DuckDBPyConnection) -> None:
    """Raise :class:`FactsMismatch` when ``METDASH_VERIFY_FACTS`` is set and the table is
    wrong (the test suite sets it, so a write path that forgets :func:`touch` fails)."""
    if os.environ.get("METDASH_VERIFY_FACTS") and _has_table(con):
        bad = check(con)
        if bad:
            raise FactsMismatch(f"the facts tables differ from their definitions for "
                                f"{len(bad)} claim(s), e.g. {bad[:5]}")


__all__ = ["COLUMNS", "FactsMismatch", "check", "forget", "rebuild", "refresh", "sql_text", "sync",
           "touch", "verify_if_asked", "LEDGER_COLUMNS", "TABLES", "LINE_COLUMNS",
           "FIRST_LINE_COLUMNS", "DENIAL_COLUMNS", "VISIT_COLUMNS"]

