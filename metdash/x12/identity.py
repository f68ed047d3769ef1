"""Which payments of an 835 are new (DOMAIN.md, "Importing the same file twice").

A payment is the same when its payer (``payer_key``: TRN03, else the payer's name), its TRN02
trace number and its content (:attr:`~metdash.x12.parse835.Payment.content_sha256`) are the
same. :func:`sort_payments` splits a parsed file into

* payments to post;
* payments already in the store, or repeated in the file: nothing changes, each is counted
  as ``already_imported``;
* conflicts: the trace number of a payment already in the store (or earlier in the same
  file) with other content. The whole file is then refused, each conflict with a message
  naming the earlier file and when it came in, so the biller decides: nothing is lost and
  nothing is posted twice.

A remittance imported before fingerprints were kept (migration 0011) has none (NULL). It
counts as the same payment when its amount (BPR02), payment date and number of claims are
the ones on file: an old file imported again stays harmless, and a payment that merely
reuses its trace number is still refused. A payment posted by hand has no fingerprint either
and compares the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb
import pandas as pd

from metdash.errors import X12Error
from metdash.store import registered
from metdash.x12.parse835 import Payment, Remittance835

ASK = "ask the payer which one is right; a different payment needs its own trace number."


@dataclass
class Sorted:
    """A file's payments, sorted: ``new`` to post, how many were ``already`` imported, and
    the ``conflicts`` that refuse the file (one message each)."""

    new: list[Payment] = field(default_factory=list)
    already: int = 0
    conflicts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _OnFile:
    payer_key: str
    trace_number: str
    content_sha256: str | None
    amount: Decimal
    payment_date: dt.date
    claims: int  # counted only where compared or shown (see _on_file), else 0
    source: str
    source_file: str | None
    imported_at: dt.datetime


def _on_file(con: duckdb.DuckDBPyConnection, payments: list[Payment]
             ) -> dict[tuple[str, str], _OnFile]:
    """The remittances already stored under the payments' (payer key, trace number) pairs.
    Their claims are counted only where it matters (no fingerprint to compare, or another
    fingerprint: the message shows the count); counting for every import would cost a pass
    over claim_payments that almost no import needs."""
    shas: dict[tuple[str, str], set[str]] = {}
    for p in payments:
        shas.setdefault((p.payer_key, p.trace_number), set()).add(p.content_sha256)
    if not shas:
        return {}
    keys = pd.DataFrame(list(shas), columns=["payer_key", "trace_number"])
    with registered(con, "_x12_keys", keys):
        rows = con.execute("""
            SELECT r.remittance_id, r.payer_key, r.trace_number, r.content_sha256, r.amount,
                   r.payment_date, r.source, r.source_file, r.imported_at
            FROM remittances r JOIN _x12_keys k USING (payer_key, trace_number)""").fetchall()
    count = [r[0] for r in rows if r[3] is None or r[3] not in shas[(r[1], r[2])]]
    claims = dict(con.execute(
        "SELECT remittance_id, count(*) FROM claim_payments "
        "WHERE remittance_id IN (SELECT unnest(?::INTEGER[])) GROUP BY 1", [count]).fetchall()
    ) if count else {}
    return {(r[1], r[2]): _OnFile(r[1], r[2], r[3], r[4], r[5], claims.get(r[0], 0), *r[6:])
            for r in rows}


def _same(p: Payment, old: _OnFile) -> bool:
    if old.content_sha256 is not None:
        return old.content_sha256 == p.content_sha256
    # No fingerprint (imported before 0011, or posted by hand): what was kept of it.
    return (old.amount == p.deposit and old.payment_date == p.payment_date
            and old.claims == len(p.claims))


def _money(value: Decimal) -> str:
    return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"


def sort_payments(con: duckdb.DuckDBPyConnection, remit: Remittance835) -> Sorted:
    """Split the file's payments into new, already imported and conflicting ones (read on
    the open connection, inside the import's transaction)."""
    out = Sorted()
    on_file = _on_file(con, remit.payments)
    in_file: dict[tuple[str, str], Payment] = {}
    for p in remit.payments:
        key = (p.payer_key, p.trace_number)
        where = f"trace number {p.trace_number} from {p.payer_name or p.payer_key}"
        now = f"{_money(p.deposit)} for {len(p.claims)}"
        first = in_file.get(key)
        old = on_file.get(key)
        if first is not None:
            if first.content_sha256 == p.content_sha256:
                out.already += 1
            else:
                out.conflicts.append(str(X12Error(
                    remit.name, p.trace_segment_number, "TRN",
                    f"{where} is in this file twice with other content (at segment "
                    f"{first.trace_segment_number} {_money(first.deposit)} for "
                    f"{len(first.claims)} claim(s), here {now}): {ASK}")))
        elif old is not None:
            if _same(p, old):
                out.already += 1
            else:
                came = (f"imported from {old.source_file}" if old.source_file
                        else "posted by hand" if old.source == "manual"
                        else f"entered ({old.source})")
                out.conflicts.append(str(X12Error(
                    remit.name, p.trace_segment_number, "TRN",
                    f"{where} was already {came} on {old.imported_at:%Y-%m-%d at %H:%M}, "
                    f"with other content (then {_money(old.amount)} for {old.claims} "
                    f"claim(s), now {now}): compare the two files and {ASK}")))
            in_file[key] = p
        else:
            in_file[key] = p
            out.new.append(p)
    return out
