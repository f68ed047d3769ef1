"""Post 835 remittances to the store: one transaction per file, all of it or nothing.

:func:`import_835` parses every file first (see :mod:`metdash.x12.parse835`); a file with
any problem is refused whole: its problems, in the order they occur in the file, the last
ending "Nothing was imported." (:attr:`FileResult.errors`; ``problems`` without it). A good
file is written in one transaction with bulk (Arrow) inserts: remittances, claim_payments,
line_payments, adjustments, remark_codes, provider_adjustments, the claims' status moves
with their history and audit rows, and an ``imports`` row holding the file's sha256.

Which payments are new is :mod:`metdash.x12.identity`'s: a payment already in the store
(same payer key, TRN02 trace number and content) changes nothing and is counted as
``already_imported``; a trace number already imported with other content refuses the file,
naming the earlier file. Each new remittance keeps its content fingerprint
(``content_sha256``) and its deposit (BPR02, negative for a debit).

A file posts only when it is ours and its money adds up (:mod:`metdash.x12.trust835`): its
payee is the practice, each claim of ours is paid by its own payer (or, as secondary, by
another payer of the client), once per file (or reversed, then corrected), never negative
outside a reversal, and no claim ends below zero; otherwise the file is refused whole,
each reason naming the claim and the segment.

CLP01 is matched to ``claims.claim_id``; claims that are not ours are kept with ``claim_id``
NULL for the work list. Service lines are matched to our claim lines by REF*6R, then CPT +
date + units, then CPT + date, and a WO / FB recoupment (PLB) is linked to the claim it
names (:mod:`metdash.x12.match835`); the claims so named are recomputed by the ledger, which
reduces their payment.

Files may arrive in any date order (``import-835 era/*.835`` where the names do not sort by
date): a claim's status moves only for an adjudication dated on or after its newest move to
an adjudication's outcome (an older one is history: the ledger and the first-pass figures
still read it), and a recoupment that named no claim of ours when it came is linked once a
later import brings the payment it names
(:func:`metdash.x12.match835.link_late_recoupments`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from metdash import adjustment_classes
from metdash.adjustment_classes import claim_status_after
from metdash.entry import returns
from metdash.entry.payer_names import remittance_key
from metdash.errors import X12Error, X12FileError
from metdash.store import (
    Database,
    JSONText,
    audit_many,
    facts,
    fetch_df,
    insert_frame,
    insert_rows,
    registered,
    to_json,
)
from metdash.store.backup import settle_import
from metdash.x12 import trust835
from metdash.x12.answered import (
    PartAnswer,
    StandingAnswers,
    answered_again,
    answered_before_sent,
    part_answered,
    part_answered_notes,
)
from metdash.x12.identity import sort_payments
from metdash.x12.match835 import (
    RECOUPMENTS,
    Recoupment,
    claim_lines,
    link_late_recoupments,
    match_lines,
    recouped_claims,
    reopen_recouped,
)
from metdash.x12.parse835 import Payment, Remittance835, gc_paused, header_payees, parse_835
from metdash.x12.refusal import closing, file_problems

ZERO = Decimal("0")
INT_MAX = 2**31 - 1  # line_payments.units is an INTEGER

Source = str | os.PathLike[str] | tuple[str, bytes]


@dataclass
class FileResult:
    """What happened to one file."""

    file: str
    outcome: str  # imported, already_imported, refused
    payments: int = 0
    already_imported: int = 0
    claims: int = 0
    matched: int = 0
    unmatched: int = 0
    paid: Decimal = ZERO
    # Why the file was refused, in the order the problems occur in the file.
    problems: list[str] = field(default_factory=list)
    remittance_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the biller should know (posted)
    # (N1*PR name, ids, the payer its claims are billed to when one) of a payer on file under
    # none of them: the page asks whose it is
    unknown_payers: list[tuple[str, tuple[str, ...], int | None]] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """The problems, the last ending "Nothing was imported." (once: the file is
        imported whole or not at all)."""
        return closing(self.problems)


@dataclass
class ImportSummary:
    """Totals over every file of one import (the ``--json`` keys of the issue)."""

    files: int = 0
    payments: int = 0  # payments newly imported
    claims: int = 0  # claim payments (CLP) newly imported
    matched: int = 0  # ... whose CLP01 is one of our claims
    unmatched: int = 0  # ... whose CLP01 is not (or CLP02 = 23, not the payer's claim)
    paid: Decimal = ZERO  # Σ BPR02 of the newly imported payments: the money received
    already_imported: int = 0  # payments that were already in the store
    # Each refused file's problems, its last ending "Nothing was imported." (per file: for
    # the command line and the JSON, where files are told apart by their lines).
    errors: list[str] = field(default_factory=list)
    # The same problems without it, for a page that says it once, above them all.
    problems: list[str] = field(default_factory=list)
    results: list[FileResult] = field(default_factory=list)
    # What the biller should know about files that were imported (not refusals): e.g. a
    # recoupment that names no claim of ours. Not in the JSON summary (its keys are fixed).
    notes: list[str] = field(default_factory=list)
    unknown_payers: list[tuple[str, tuple[str, ...], int | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file was imported or already there."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """The JSON summary: exactly the keys of the issue; ``paid`` as a number."""
        return {
            "files": self.files, "payments": self.payments, "claims": self.claims,
            "matched": self.matched, "unmatched": self.unmatched,
            "paid": float(self.paid),  # 2-decimal money prints exactly as a JSON number
            "already_imported": self.already_imported, "errors": list(self.errors),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def headline(self) -> tuple[str, str]:
        """(kind, sentence) for a page: 'success' when a payment was imported, 'info' when
        every payment was already there, '' when nothing was imported (the refusals say it;
        a green box above a refused file said "1 file(s): 0 payment(s) imported")."""
        text = (f"{self.files:,} file(s): {self.payments:,} payment(s) imported "
                f"({self.claims:,} claims, {self.matched:,} matched, {self.unmatched:,} "
                f"unmatched, ${self.paid:,.2f}); {self.already_imported:,} already imported.")
        if self.payments:
            return "success", text
        if self.already_imported:
            return "info", (f"Already imported: {self.already_imported:,} payment(s) of these "
                            "files are on file, and nothing changed.")
        return "", text


# -- reading sources ------------------------------------------------------------------
def _read_source(src: Source) -> tuple[str, bytes]:
    if isinstance(src, tuple):
        name, data = src
        return str(name), bytes(data)
    path = Path(src)
    return path.name, path.read_bytes()


def import_835(db: Database, sources: Iterable[Source], user: str, *,
               before_write: Callable[[], object] | None = None) -> ImportSummary:
    """Import 835 files (paths, or ``(name, bytes)`` pairs); one transaction per file.

    Returns the :class:`ImportSummary`; never raises for a bad file (its messages are in
    ``errors`` and nothing of it is written). Store errors (busy file) do propagate.

    ``before_write`` (the backup an import takes, :func:`metdash.store.backup.before_import`)
    is called once, just before the first file that has new payments and no conflict is
    written: an import whose files are all refused or already there calls it never. If it
    raises, the import stops there, with nothing written.
    """
    pending = [before_write] if before_write is not None else []
    taken: list[object] = []  # what before_write returned (the backup's path), once called
    summary = ImportSummary()
    for src in sources:
        summary.files += 1
        try:
            name, data = _read_source(src)
        except OSError as exc:
            name = str(src)
            res = FileResult(name, "refused",
                             problems=[f"{name}: cannot read the file ({exc.strerror})."])
        else:
            res = _import_one(db, name, data, user, pending, taken)
        summary.results.append(res)
        summary.errors.extend(res.errors)
        summary.problems.extend(res.problems)
        summary.notes.extend(res.notes)
        summary.unknown_payers.extend(u for u in res.unknown_payers
                                      if u not in summary.unknown_payers)
        summary.payments += res.payments
        summary.already_imported += res.already_imported
        summary.claims += res.claims
        summary.matched += res.matched
        summary.unmatched += res.unmatched
        summary.paid += res.paid
    if taken:  # a copy taken before a file that was then refused while posting is dropped
        settle_import(db, taken[0], any(r.outcome == "imported" for r in summary.results))
    return summary


def _import_one(db: Database, name: str, data: bytes, user: str,
                pending: list[Callable[[], object]], taken: list[object]) -> FileResult:
    # The collector stays paused from the parse until the parsed file is freed after the
    # commit. A 10,000-claim file makes half a million objects; a collection while they
    # live walks them all: set off by the facts refresh it cost 0.3 s, and by re-enabling
    # the collector with the file still alive, 0.2 s. Nothing in them is cyclic, so
    # reference counting frees them.
    with gc_paused():
        try:
            remit = parse_835(data, name)
            sha = hashlib.sha256(data).hexdigest()
            if pending:  # the first file that will write: is this one? (a read, no write yet)
                with db.connect() as con:
                    payments = sort_payments(con, remit)
                if payments.new and not payments.conflicts:
                    taken.append(pending.pop()())
            with db.transaction() as con:  # a refusal while posting rolls it all back
                res = _post(con, remit, sha, user)
        except X12FileError as exc:
            # In the order they occur in the file (a payment's BPR before its claims). A
            # file that is not the practice's says so near the top, as its payee (N1*PE) is
            # in the payment's header: a sample from another provider listed fifty "does
            # not balance" lines before it, and the list stops at fifty.
            return FileResult(name, "refused", problems=file_problems(
                name, [*_payee_problems(db, data, name), *exc.problems]),
                unknown_payers=exc.unknown_payers)
        del remit
        return res


def _payee_problems(db: Database, data: bytes, name: str) -> list[X12Error]:
    """The payee problems (:func:`metdash.x12.trust835.payee_problems`) of a file whose
    parse failed, read from its header loops alone ([] when it cannot be read that far, or
    names the practice)."""
    payments = header_payees(data, name)
    if not payments:
        return []
    with db.connect() as con:
        practice = trust835.practice_ids(con)
    if practice is None:
        return []  # the file is refused for its own problems; posting says the rest
    return list(trust835.payee_problems(name, payments, practice))


# -- writing --------------------------------------------------------------------------
def _match_payer(payers: pd.DataFrame, kept: dict[str, int], p: Payment) -> int | None:
    """Our payer of a payment: by its clearinghouse payer id, its name, then the other names
    and ids kept for its 835s (``kept``: metdash.entry.payer_names)."""
    ids = {x for x in (p.originator, p.payer_id, p.payer_ref) if x}
    for row in payers.itertuples(index=False):
        if row.clearinghouse_payer_id and row.clearinghouse_payer_id in ids:
            return int(row.payer_id)
    wanted = p.payer_name.strip().lower()
    for row in payers.itertuples(index=False):
        if row.name.strip().lower() == wanted:
            return int(row.payer_id)
    return next((kept[k] for k in map(remittance_key, (p.payer_name, *sorted(ids)))
                 if k in kept), None)


def _post(con: duckdb.DuckDBPyConnection, remit: Remittance835, sha: str, user: str
          ) -> FileResult:
    res = FileResult(remit.name, "already_imported")
    payments = sort_payments(con, remit)
    if payments.conflicts:
        return FileResult(remit.name, "refused", problems=list(payments.conflicts))
    res.already_imported = payments.already
    new = payments.new
    if not new:
        return res
    res.outcome = "imported"

    payers = fetch_df(con, "SELECT payer_id, name, clearinghouse_payer_id FROM payers")
    kept = dict(con.execute("SELECT remittance_name, payer_id FROM payer_remittance_names")
                .fetchall())
    payer_of = {id(p): _match_payer(payers, kept, p) for p in new}
    clp01s = sorted({c.clp01 for p in new for c in p.claims})
    # Is the file ours, from the claims' payers, paying each claim once and never negative
    # outside a reversal? (issue 19; metdash.x12.trust835)
    on_file = trust835.our_claims(con, clp01s)  # with their status, balance, history
    on_file = trust835.with_member_ids(con, on_file, new)  # for the patient check
    problems = trust835.payee_problems(remit.name, new, trust835.practice_ids(con))
    reversals = trust835.Reversals(con, new, on_file, payer_of)  # what each 22 takes back
    problems += trust835.claim_problems(remit.name, new, on_file, payer_of, reversals)
    if problems:
        raise X12FileError(remit.name, problems, trust835.unknown_payers(new, payer_of, on_file))
    our_lines = claim_lines(con, sorted(on_file))
    seqs = {cid: c.history_seq for cid, c in on_file.items() if c.history_seq}

    rem_id = next_id(con, "remittances", "remittance_id")
    cp_id = next_id(con, "claim_payments", "claim_payment_id")
    lp_id = next_id(con, "line_payments", "line_payment_id")
    adj_id = next_id(con, "adjustments", "adjustment_id")
    import_id = next_id(con, "imports", "import_id")
    now = dt.datetime.now()

    rems: list[dict[str, Any]] = []
    cps: list[tuple] = []
    lps: list[tuple] = []
    adjs: list[tuple] = []
    remarks: list[tuple] = []
    plbs: list[tuple] = []
    recoupments: list[Recoupment] = []
    history: list[tuple] = []
    audits: list[tuple] = []
    unknown: list[str] = []  # the claim ids sent (CLP01) that are none of ours
    # Each claim's (last) paying remittance in this file: id, payment date, payer name.
    paid_by: dict[str, tuple[int | None, dt.date | None, str]] = {}
    parts: dict[str, PartAnswer] = {}  # claims its current adjudication answers in part
    status_now = {cid: c.status for cid, c in on_file.items()}
    status_before = dict(status_now)
    # The date of each claim's newest move to an adjudication's outcome (dated by its
    # payment date): an older adjudication imported late (files imported out of date order)
    # is history, not the claim's current state.
    newest = {cid: c.last_status_date for cid, c in on_file.items() if c.last_status_date}

    classes = adjustment_classes.load(con)
    standing = StandingAnswers(con, answered_again(new, on_file))
    json_of: dict[tuple[tuple[str, Any], ...], JSONText] = {}

    def encoded(**fields: Any) -> JSONText:
        """The audit JSON of ``fields``, encoded once per distinct value (they repeat)."""
        key = tuple(fields.items())
        text = json_of.get(key)
        if text is None:
            text = json_of[key] = JSONText.of(fields)
        return text

    for p in new:
        payer_id = payer_of[id(p)]
        rems.append({
            "remittance_id": rem_id, "payer_id": payer_id,
            "payer_name": p.payer_name, "payer_key": p.payer_key,
            "payment_date": p.payment_date, "method": p.method or "NON",
            "trace_number": p.trace_number, "amount": str(p.deposit), "source": "835",
            "source_file": remit.name, "content_sha256": p.content_sha256,
        })
        audits.append(("import", "remittances", rem_id, None, {
            "payer": p.payer_name, "payer_key": p.payer_key, "trace_number": p.trace_number,
            "amount": p.deposit, "claims": len(p.claims), "file": remit.name}))
        for plb in p.provider_adjustments:
            plbs.append((rem_id, plb.seq, plb.fiscal_period_date, plb.reason_code,
                         plb.reference or None, plb.amount))
            if plb.reason_code in RECOUPMENTS and plb.reference:
                recoupments.append(Recoupment(rem_id, plb.seq, payer_id, p.payer_key,
                                              plb.reference, p.payment_date))
        for seq, c in enumerate(p.claims, start=1):
            claim_id = c.clp01 if c.clp01 in on_file else None
            if claim_id is None or c.status_code == "23":
                res.unmatched += 1
                if claim_id is None and c.status_code != "23":
                    unknown.append(c.clp01)
            else:
                res.matched += 1
            res.claims += 1
            target = reversals.taken_back(claim_id, p, c)  # the CLP a 22 takes back
            cps.append((cp_id, rem_id, seq, claim_id, c.clp01, c.status_code, c.charge,
                        c.paid, c.patient_responsibility, _allowed(c),
                        c.payer_claim_number or None, c.service_from,
                        c.service_to or c.service_from, c.received_date,
                        c.patient_last_name or None, c.patient_first_name or None,
                        c.patient_member_id or None, target))
            for a in c.adjustments:
                adjs.append((adj_id, cp_id, None, a.group_code, a.carc, a.amount,
                             a.quantity))
                adj_id += 1
            for code in c.remarks:
                remarks.append((cp_id, None, code))
            line_nos = (match_lines(claim_id, c.lines, our_lines.get(claim_id, ()),
                                    c.service_from) if claim_id else [None] * len(c.lines))
            for ln, line_no in zip(c.lines, line_nos, strict=True):
                date = ln.service_date or c.service_from
                units = None
                if (ln.units is not None and ln.units == ln.units.to_integral_value()
                        and abs(ln.units) <= INT_MAX):
                    units = int(ln.units)
                lps.append((lp_id, cp_id, line_no, ln.cpt, ln.modifiers, ln.charge,
                            ln.paid, ln.allowed, units, date,
                            ln.line_control_number or None))
                for a in ln.adjustments:
                    adjs.append((adj_id, cp_id, lp_id, a.group_code, a.carc, a.amount,
                                 a.quantity))
                    adj_id += 1
                for code in ln.remarks:
                    remarks.append((cp_id, lp_id, code))
                lp_id += 1
            if claim_id is not None and c.status_code not in ("22", "23"):
                paid_by[claim_id] = (rem_id, p.payment_date, p.payer_name)
            current = (claim_id is not None and not (
                p.payment_date is not None and claim_id in newest
                and p.payment_date < newest[claim_id]))
            if current:
                if p.payment_date is not None:
                    newest[claim_id] = p.payment_date
                # The payer's whole answer (with an earlier one of other lines: a split); the
                # first since it was sent, or a split's, short of the charge: the rest owed.
                whole = standing.post_clp(claim_id, payer_id, p.payer_key, c, line_nos, target)
                new_status, note = claim_status_after(
                    classes, payer_id if payer_id is not None else on_file[claim_id].payer_id,
                    c.status_code, whole.paid, list(whole.adjustments))
                if whole.clps > 1:
                    note += " in all, with the payer's earlier answer of other lines"
                billed = on_file[claim_id].charge
                parts.pop(claim_id, None)   # this adjudication is the claim's current one
                if whole.in_part(status_now[claim_id], billed):
                    new_status, note = part_answered(new_status, note, whole.charge, billed)
                    parts[claim_id] = PartAnswer(whole.charge, billed, whole.lines or frozenset())
                if new_status is not None and new_status != status_now[claim_id]:
                    seqs[claim_id] = seqs.get(claim_id, 0) + 1
                    history.append((claim_id, seqs[claim_id], new_status, p.payment_date, now,
                                    user, f"{note} — 835 trace {p.trace_number}"))
                    audits.append(("status", "claims", claim_id,
                                   encoded(status=status_now[claim_id]),
                                   encoded(status=new_status, note=note,
                                           trace_number=p.trace_number)))
                    status_now[claim_id] = new_status
            cp_id += 1
        res.payments += 1
        res.paid += p.deposit
        res.remittance_ids.append(rem_id)
        rem_id += 1

    insert_frame(con, "remittances", pd.DataFrame(rems))
    insert_rows(con, "claim_payments", [
        "claim_payment_id", "remittance_id", "seq", "claim_id", "clp01", "status_code",
        "charge", "paid", "patient_responsibility", "allowed", "payer_claim_number",
        "service_from", "service_to", "received_date", "patient_last_name",
        "patient_first_name", "patient_member_id", "reverses_id"], cps)
    insert_rows(con, "line_payments", [
        "line_payment_id", "claim_payment_id", "line_no", "cpt", "modifiers", "charge", "paid",
        "allowed", "units", "service_date", "line_control_number"], lps)
    insert_rows(con, "adjustments", [
        "adjustment_id", "claim_payment_id", "line_payment_id", "group_code", "carc", "amount",
        "quantity"], adjs)
    insert_rows(con, "remark_codes", ["claim_payment_id", "line_payment_id", "code"], remarks)
    # A recoupment names a claim by a payer claim number of this or an earlier remittance:
    # resolved once this file's claim payments are written.
    named = recouped_claims(con, recoupments)
    plb_amount = {(row[0], row[1]): row[5] for row in plbs}
    for rem, seq, _, reason, reference, amount in plbs:
        if reason in RECOUPMENTS and (rem, seq) not in named:
            res.notes.append(
                f"{remit.name}: the recoupment PLB {reason} {reference or '(no reference)'} "
                f"of ${amount:,.2f} names no claim of ours (a payer claim number or claim id on "
                "file, paid on or before it): it is on the deposit (Remittances, deposit "
                "reconciliation) but reduces no claim's payment yet. It is linked when the "
                "payment it names is imported; otherwise ask the payer which claim it recovers.")
    # A recoupment of an earlier file kept unlinked because the payment it names was not on
    # file yet (files imported out of date order) is linked once that payment arrives (read
    # before this file's own are written: those were just resolved).
    late = link_late_recoupments(con)
    insert_rows(con, "provider_adjustments", [
        "remittance_id", "seq", "fiscal_period_date", "reason_code", "reference", "amount",
        "claim_id"], [(*row, named.get((row[0], row[1]))) for row in plbs])
    late_claims = {claim_id for claim_id, _ in late.values()}
    for claim_id, amount in late.values():
        res.notes.append(f"{remit.name}: an earlier recoupment of ${amount:,.2f} named this "
                         f"file's payment of claim {claim_id}: it now reduces that payment.")
    facts.touch(con, set(named.values()) | late_claims)  # the ledger reduces their payment
    insert_rows(con, "claim_status_history", [
        "claim_id", "seq", "status", "status_date", "changed_at", "changed_by", "note"], history)
    # The claims whose status moved (the payer claim number stays on the claim payment).
    changed = [(cid, st) for cid, st in status_now.items() if st != status_before[cid]]
    if changed:
        updates = pa.table({"claim_id": [c for c, _ in changed],
                            "status": [st for _, st in changed]})
        with registered(con, "_x12_claim_updates", updates):
            con.execute("UPDATE claims SET status = u.status FROM _x12_claim_updates u"
                        " WHERE claims.claim_id = u.claim_id")
        facts.touch(con, [cid for cid, _ in changed], status_only=True)
    # No claim below zero (metdash.x12.trust835): claim_facts still holds the balances from
    # before this file until the facts are brought up to date here.
    posted = ({c.clp01 for p in new for c in p.claims if c.clp01 in on_file}
              | set(named.values()) | late_claims)
    first_clp: dict[str, int] = {}
    for p in new:
        for c in p.claims:
            first_clp.setdefault(c.clp01, c.segment_number)
    # Read with the claims above (claim_facts is only synced below); a claim that only a
    # recoupment names is read here.
    extra = posted - on_file.keys()
    before = {cid: c.insurance_balance for cid, c in on_file.items()
              if cid in posted and c.insurance_balance is not None}
    before.update(trust835.insurance_balances(con, extra))
    charges = {cid: c.charge for cid, c in on_file.items()
               if cid in posted and c.charge is not None}
    charges.update(trust835.claim_charges(con, extra))
    facts.sync(con)
    after = _balances_after(con, posted, late)
    # A payment of what the practice had moved to the client or written off (paid on appeal)
    # brings that back to the insurance side, as far as the claim went below zero
    # (metdash.entry.returns); what is still below zero after that is refused below.
    short = returns.shortfall(before, {c: v for c, v in after.items() if c in paid_by})
    returned = returns.return_for_payments(con, short, paid_by, user)
    if returned:
        facts.sync(con)
        after = _balances_after(con, posted, late)
        for r in returned:
            res.notes.append(f"{remit.name}: claim {r.claim_id}: {r.words()} (the payer paid "
                             "it).")
    recouped: dict[str, Decimal] = {}
    for key, claim_id in named.items():
        recouped[claim_id] = recouped.get(claim_id, ZERO) + plb_amount[key]
    clp_charges = {c.clp01: c.charge for p in new for c in p.claims
                   if c.clp01 in on_file and c.status_code not in ("22", "23")}
    problems = trust835.overdrawn_problems(remit.name, before, after, first_clp, charges,
                                           recouped, clp_charges)
    problems += trust835.overrecouped_problems(remit.name, con, recouped)
    if problems:
        raise X12FileError(remit.name, problems)
    res.notes += answered_before_sent(con, remit.name, paid_by)
    res.notes += part_answered_notes(remit.name, parts, our_lines)
    moved = {cid for cid, _ in changed} | set(named.values()) | late_claims
    for claim_id in reopen_recouped(con, moved, user):
        res.notes.append(f"{remit.name}: claim {claim_id} was paid; the payer took part of it "
                         "back (PLB recoupment), and it is partially paid again.")
    summary = {"payments": res.payments, "already_imported": res.already_imported,
               "claims": res.claims, "matched": res.matched, "unmatched": res.unmatched,
               "paid": str(res.paid), "remittance_ids": res.remittance_ids}
    con.execute(
        "INSERT INTO imports (import_id, kind, file_name, file_sha256, user_name, summary)"
        " VALUES (?, '835', ?, ?, ?, ?)", [import_id, remit.name, sha, user, to_json(summary)])
    audits.append(("import", "imports", import_id, None,
                   {"file": remit.name, "sha256": sha, **summary}))
    audit_many(con, user, audits, now)
    if unknown:  # said where the file is imported, not only further down the page
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10:,} more"
                                          if len(unknown) > 10 else "")
        res.notes.append(f"{remit.name}: {len(unknown):,} claim payment(s) name a claim id that "
                         f"is none of yours ({shown}): their money is on the deposit but on no "
                         "claim. Find the claim each pays and post it under Remittances → "
                         "Unmatched claim payments.")
    return res


def _balances_after(con: duckdb.DuckDBPyConnection, posted: Iterable[str],
                    late: Mapping[Any, tuple[str, Decimal]]) -> dict[str, Decimal]:
    """The insurance balances of the claims a file posted to, once written and synced. A
    recoupment linked late took back money an earlier file paid: it is not this file's doing,
    and does not refuse it (the claim owes it back on the insurance side)."""
    after = trust835.insurance_balances(con, posted)
    for claim_id, amount in late.values():
        if claim_id in after:
            after[claim_id] -= amount
    return after


def next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    """Next free id; fetches the whole result (``db.next_id``'s fetchone leaves the result
    open, which then blocks ``register``/``insert_frame`` on the same connection)."""
    rows = con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchall()
    return int(rows[0][0])


# -- reads for the remittances page ---------------------------------------------------
def recent_remittances(db: Database, limit: int = 50) -> pd.DataFrame:
    """The latest payments, newest first.

    Columns: remittance_id, payment_date, payer_name, trace_number, method, amount (the
    payment, BPR02), claims, matched, unmatched (CLP counts), provider_adjustments (Σ PLB,
    positive reduces the payment), source_file, imported_at.
    """
    # The latest remittances first, then only their claim payments counted (the counts
    # for every remittance of the history, then a LIMIT, read all of claim_payments).
    return db.query("""
        WITH r AS (
            SELECT remittance_id, payment_date, payer_name, trace_number, method, amount,
                   source_file, imported_at
            FROM remittances
            ORDER BY payment_date DESC, remittance_id DESC LIMIT ?),
        cp AS (
            SELECT remittance_id, count(*) AS claims,
                   count(*) FILTER (WHERE claim_id IS NOT NULL AND status_code <> '23')
                       AS matched,
                   count(*) FILTER (WHERE claim_id IS NULL OR status_code = '23') AS unmatched
            FROM claim_payments
            WHERE remittance_id IN (SELECT remittance_id FROM r)
            GROUP BY remittance_id),
        pa AS (
            SELECT remittance_id, sum(amount) AS amount
            FROM provider_adjustments
            WHERE remittance_id IN (SELECT remittance_id FROM r)
            GROUP BY remittance_id)
        SELECT r.remittance_id, r.payment_date, r.payer_name, r.trace_number, r.method,
               r.amount, coalesce(cp.claims, 0) AS claims, coalesce(cp.matched, 0) AS matched,
               coalesce(cp.unmatched, 0) AS unmatched,
               coalesce(pa.amount, 0) AS provider_adjustments, r.source_file, r.imported_at
        FROM r LEFT JOIN cp USING (remittance_id) LEFT JOIN pa USING (remittance_id)
        ORDER BY r.payment_date DESC, r.remittance_id DESC""", [int(limit)])


def unmatched_claim_payments(db: Database) -> pd.DataFrame:
    """Claim payments that match no claim of ours (or that the payer says are not its own).

    Columns: payment_date, payer_name, trace_number, clp01 (the claim id the payer sent),
    status_code (CLP02), charge, paid, patient_responsibility, payer_claim_number.
    """
    # The few ids first, each condition on its own narrow column, then their wide rows: one
    # scan filtering on either column read every column of every claim payment (~60 -> ~15
    # ms at 1M lines).
    return db.query("""
        WITH odd AS (
            SELECT claim_payment_id FROM claim_payments WHERE claim_id IS NULL
            UNION
            SELECT claim_payment_id FROM claim_payments WHERE status_code = '23')
        SELECT r.payment_date, r.payer_name, r.trace_number, cp.clp01, cp.status_code,
               cp.charge, cp.paid, cp.patient_responsibility, cp.payer_claim_number
        FROM claim_payments cp SEMI JOIN odd USING (claim_payment_id)
        JOIN remittances r USING (remittance_id)
        ORDER BY r.payment_date DESC, cp.claim_payment_id""")


def _allowed(c: Any) -> Decimal | None:
    """The claim's allowed amount: its own AMT (AU / B6), else the sum of its lines' AMT*B6
    when every line has one (Medicare sends them on the lines only); None when the file does
    not say (claim_facts then works it out from the payment and the adjustments)."""
    if c.allowed is not None or not c.lines or any(ln.allowed is None for ln in c.lines):
        return c.allowed
    return sum((ln.allowed for ln in c.lines), Decimal(0))
