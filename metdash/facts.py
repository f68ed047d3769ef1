"""``claim_facts``: one row per claim with what the figures need, kept up to date by writes.

A/R, first adjudication, days to payment and revenue per payer are per-claim results of the
whole payment history (every claim payment, line payment and CAS row). Computing them on
every page view grows with the history; keeping them per claim makes a page read one narrow
row per claim. The definitions live in ``metdash/sql/claim_facts.sql`` (the figures' own).

How the table stays right:

- :meth:`metdash.db.Database.transaction` calls :func:`sync` just before it commits, so the
  facts change in the same transaction as the data they come from (a rolled-back write leaves
  both as they were).
- :func:`sync` recomputes the claims that changed: claim payments are only ever added, with
  growing ids, so every claim with a payment newer than the last one seen is recomputed;
  claims missing from the table are added (and rows of claims no longer there dropped);
  code that changes a claim row in place (a status move, a submission) names the claim with
  :func:`touch`.
- The demo builds the table whole with :func:`rebuild`; migration 0003 does the same for a
  store made before it.
- :func:`check` compares the table with a full recomputation; the test suite runs it after
  every write transaction (``METDASH_VERIFY_FACTS=1``), and ``metdash facts check`` runs it
  on a practice's store.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterable
from importlib import resources

import duckdb

COLUMNS = [
    "claim_id", "client_id", "payer_id", "referrer_id", "rendering_provider_id", "status",
    "total_charge", "first_service_date", "submitted_date", "ended_date", "posted_paid",
    "posted_adjusted", "first_posted_date", "last_posted_date", "allowed", "paid",
    "patient_responsibility", "first_claim_payment_id", "first_adjudication_date",
    "adjudicated", "denied", "claim_level_denied", "resolved", "first_paid_date",
]

# Claims named by touch(), per open write transaction (keyed by its connection object).
_touched: dict[int, set[str]] = {}
_lock = threading.Lock()


class FactsMismatch(AssertionError):
    """claim_facts differs from a full recomputation (a write path that forgot touch())."""


@functools.cache
def _sql() -> str:
    return resources.files("metdash.sql").joinpath("claim_facts.sql").read_text(
        encoding="utf-8")


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'claim_facts'"
                       " AND database_name = current_database()").fetchall()
    return bool(rows[0][0])


def touch(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> None:
    """Mark claims changed in place in this write transaction (recomputed before commit)."""
    ids = {str(c) for c in claim_ids if c is not None}
    if ids:
        with _lock:
            _touched.setdefault(id(con), set()).update(ids)


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what :func:`touch` recorded for this connection (its transaction ended)."""
    with _lock:
        _touched.pop(id(con), None)


def refresh(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> int:
    """Recompute the rows of these claims (inside the caller's transaction)."""
    ids = sorted({str(c) for c in claim_ids})
    if not ids:
        return 0
    con.execute("DELETE FROM claim_facts WHERE claim_id IN (SELECT unnest(?::VARCHAR[]))",
                [ids])
    cols = ", ".join(COLUMNS)
    con.execute(f"INSERT INTO claim_facts ({cols}) SELECT {cols} FROM ({_sql()})",
                {"ids": ids})
    return len(ids)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every row (inside the caller's transaction)."""
    cols = ", ".join(COLUMNS)
    con.execute("DELETE FROM claim_facts")
    con.execute(f"INSERT INTO claim_facts ({cols}) SELECT {cols} FROM ({_sql()})",
                {"ids": None})
    con.execute("UPDATE claim_facts_state SET last_claim_payment_id = "
                "(SELECT coalesce(max(claim_payment_id), 0) FROM claim_payments)")
    forget(con)


def sync(con: duckdb.DuckDBPyConnection) -> int:
    """Bring claim_facts up to date with this transaction's writes; the claims recomputed."""
    with _lock:
        dirty = _touched.pop(id(con), set())
    if not _has_table(con):
        return 0  # a store not yet migrated to 0003 (the migration builds it)
    last = con.execute("SELECT last_claim_payment_id FROM claim_facts_state").fetchall()[0][0]
    newest = con.execute("SELECT coalesce(max(claim_payment_id), 0) FROM claim_payments"
                         ).fetchall()[0][0]
    if newest < last:  # payments were deleted (a demo reset without rebuild): start over
        rebuild(con)
        return -1
    if newest > last:
        dirty.update(r[0] for r in con.execute(
            "SELECT DISTINCT claim_id FROM claim_payments WHERE claim_payment_id > ? "
            "AND claim_id IS NOT NULL", [last]).fetchall())
        con.execute("UPDATE claim_facts_state SET last_claim_payment_id = ?", [newest])
    # Claims added or removed: counting is nearly free; the anti-join runs only on a change.
    n_claims, n_facts = con.execute(
        "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM claim_facts)"
    ).fetchall()[0]
    if n_claims != n_facts:
        con.execute("DELETE FROM claim_facts WHERE claim_id NOT IN "
                    "(SELECT claim_id FROM claims)")
        dirty.update(r[0] for r in con.execute(
            "SELECT claim_id FROM claims ANTI JOIN claim_facts USING (claim_id)").fetchall())
    return refresh(con, dirty)


def check(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Claims whose row differs from a full recomputation (missing, extra or changed)."""
    cols = ", ".join(COLUMNS)
    rows = con.execute(f"""
        WITH want AS (SELECT {cols} FROM ({_sql()})),
             have AS (SELECT {cols} FROM claim_facts)
        SELECT claim_id FROM (SELECT * FROM want EXCEPT ALL SELECT * FROM have)
        UNION
        SELECT claim_id FROM (SELECT * FROM have EXCEPT ALL SELECT * FROM want)
        ORDER BY 1""", {"ids": None}).fetchall()
    return [r[0] for r in rows]


def verify_if_asked(con: duckdb.DuckDBPyConnection) -> None:
    """Raise :class:`FactsMismatch` when ``METDASH_VERIFY_FACTS`` is set and the table is
    wrong (the test suite sets it, so a write path that forgets :func:`touch` fails)."""
    if os.environ.get("METDASH_VERIFY_FACTS") and _has_table(con):
        bad = check(con)
        if bad:
            raise FactsMismatch(f"claim_facts differs from its definition for {len(bad)} "
                                f"claim(s), e.g. {bad[:5]}")


__all__ = ["COLUMNS", "FactsMismatch", "check", "forget", "rebuild", "refresh", "sync",
           "touch", "verify_if_asked"]

