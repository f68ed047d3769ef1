"""Import 999 and 277CA acknowledgments: one transaction per file, all of it or nothing.

:func:`import_acks` parses each file (:mod:`metdash.x12.parse_ack`; a file with any problem
is refused whole, as an 835 is (:mod:`metdash.x12.refusal`): its problems in the order they
occur in the file, ``problems`` without "Nothing was imported." for a page that says it
once, ``errors`` ending each refused file with it for the command line and ``--json``), then
writes each new acknowledgment with what it says of each claim:

* a **999** names the 837P it answers by its group control number (AK102 = our GS06) and
  each transaction set by its ST02 (AK202); the claims of that set are read from
  ``x12_submissions`` (written by every export, :func:`record_submission`), so a 999
  rejecting a set marks exactly the claims sent in it. A 999 that names a group we never
  sent is kept, with no claim (counted as ``unmatched``).
* a **277CA** names each claim by the CLM01 we sent (TRN*2 of 2200D): our claim id. A claim
  id that is not ours is kept with ``claim_id`` NULL (``unmatched``).

An acknowledgment already imported (same content fingerprint: the segments between ST and
SE, whatever the envelope) changes nothing and is counted as ``already_imported``. Claims'
statuses are not changed: a rejected claim stays ``submitted`` (the payer never received
it) and shows on the "rejected — fix and resend" work list (:mod:`metdash.acks`).

**Secondary claims.** A secondary (or tertiary) 837P sends the same claim id to the next
payer (:mod:`metdash.x12.secondary`); its ``x12_submissions`` rows carry the sending's
``secondary_claims`` id, and so does every ``claim_acks`` row about it. A 999 names its set,
so it is that sending's without doubt. A 277CA names only the claim id; of the claim's
sendings made on or before the 277CA's date it is the one whose member id (2100D NM109) the
277CA repeats, then whose 837P's BHT03 (our GS06) its receiver trace (2200B TRN02) echoes,
then the latest -- a claim sent to its secondary has been adjudicated by its primary, so a
277CA coming after the secondary claim went out, with nothing else to tell, answers that.
A claim only ever sent to its own payer by the 277CA's date gets the primary's row, as before.
What a biller then sees:

* accepted: recorded (claim_acks, the claim's acknowledgments); nothing else changes.
* rejected (the 999 rejects its set, or the 277CA rejects the claim): the sending is marked
  rejected with the acknowledgment's date, reason and codes (``secondary_claims``, audited),
  so the claim is back on "Bill the secondary" (metdash/sql/secondary_to_bill.sql) with that
  reason, to be fixed and sent again. The claim's own status, history and money follow its
  primary payer and are not touched, and it is not on "rejected — fix and resend" (which
  reads the primary's acknowledgments only). The first rejection of a sending stands: a later
  acknowledgment of the same sending does not undo it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from metdash.errors import X12FileError
from metdash.store import Database, audit, audit_many, insert_rows, next_id
from metdash.store.backup import settle_import
from metdash.x12.parse_ack import Ack277, Ack999, AckFile, ClaimStatus, parse_ack
from metdash.x12.refusal import closing, file_problems

Source = str | os.PathLike[str] | tuple[str, bytes]


@dataclass
class AckFileResult:
    """What happened to one file."""

    file: str
    outcome: str  # imported, already_imported, refused
    acknowledgments: int = 0  # new 999 / 277CA transactions
    already_imported: int = 0
    kinds: list[str] = field(default_factory=list)
    accepted: int = 0  # claims (new rows) accepted
    rejected: int = 0  # claims rejected
    other: int = 0  # claims with another status (pending, forwarded elsewhere ...)
    unmatched: int = 0  # claims or 999 sets that are not ours
    secondary_rejected: int = 0  # of the rejected: secondary claims back on "Bill the secondary"
    # Why the file was refused, in the order the problems occur in the file.
    problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """The problems, the last ending "Nothing was imported." (once per file)."""
        return closing(self.problems)


@dataclass
class AckSummary:
    """Totals over every file of one import (the ``--json`` keys)."""

    files: int = 0
    acknowledgments: int = 0
    already_imported: int = 0
    accepted: int = 0
    rejected: int = 0
    other: int = 0
    unmatched: int = 0
    secondary_rejected: int = 0
    # Each refused file's problems, its last ending "Nothing was imported." (per file: for
    # the command line and the JSON, where files are told apart by their lines).
    errors: list[str] = field(default_factory=list)
    # The same problems without it, for a page that says it once, above them all.
    problems: list[str] = field(default_factory=list)
    results: list[AckFileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def refused(self) -> int:
        return sum(r.outcome == "refused" for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "acknowledgments": self.acknowledgments,
                "already_imported": self.already_imported, "accepted": self.accepted,
                "rejected": self.rejected, "other": self.other, "unmatched": self.unmatched,
                "secondary_rejected": self.secondary_rejected, "errors": list(self.errors)}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def headline(self) -> tuple[str, str]:
        """(kind, sentence) for a page, as an 835 import's: 'success' when an acknowledgment
        was imported, 'info' when every one was already there, '' when nothing was imported
        (the refusals say it; a green box above a refused file said "1 file(s): 0
        acknowledgment(s) imported")."""
        again = (f", {self.secondary_rejected:,} of them secondary claims back on 'Bill the "
                 "secondary'" if self.secondary_rejected else "")
        text = (f"{self.files:,} file(s): {self.acknowledgments:,} acknowledgment(s) imported "
                f"({self.accepted:,} claim(s) accepted, {self.rejected:,} rejected{again}, "
                f"{self.unmatched:,} not ours); {self.already_imported:,} already imported.")
        if self.acknowledgments:
            return "success", text
        if self.already_imported:
            return "info", (f"Already imported: {self.already_imported:,} acknowledgment(s) of "
                            "these files are on file, and nothing changed.")
        return "", text


def record_submission(con: duckdb.DuckDBPyConnection, interchange: int, group: int,
                      set_number: int, claim_ids: Sequence[str], at: dt.datetime,
                      secondary_claim_ids: Sequence[int] | None = None) -> None:
    """Remember which claims went out in an 837P (inside the export's transaction).

    ``secondary_claim_ids``: for a secondary (or tertiary) 837P, the ``secondary_claims`` row
    of each claim, in the same order -- what tells its acknowledgments from those of the
    claim sent to its own payer (same claim id). None for a claim's own payer.
    """
    sendings = (list(secondary_claim_ids) if secondary_claim_ids is not None
                else [None] * len(claim_ids))
    insert_rows(con, "x12_submissions",
                ["interchange", "group_number", "set_number", "claim_id", "submitted_at",
                 "secondary_claim_id"],
                [(interchange, group, set_number, cid, at, sid)
                 for cid, sid in zip(claim_ids, sendings, strict=True)])


def _read_source(src: Source) -> tuple[str, bytes]:
    if isinstance(src, tuple):
        return str(src[0]), bytes(src[1])
    path = Path(src)
    return path.name, path.read_bytes()


def import_acks(db: Database, sources: Iterable[Source], user: str, *,
                before_write: Callable[[], object] | None = None,
                now: dt.datetime | None = None) -> AckSummary:
    """Import 999 / 277CA files (paths, or ``(name, bytes)`` pairs); one transaction each.

    Never raises for a bad file (its messages are in ``errors``, nothing of it written).
    ``before_write`` (the backup) is called once, just before the first file that writes.
    """
    pending = [before_write] if before_write is not None else []
    taken: list[object] = []  # what before_write returned (the backup's path), once called
    summary = AckSummary()
    for src in sources:
        summary.files += 1
        try:
            name, data = _read_source(src)
        except OSError as exc:
            res = AckFileResult(str(src), "refused", problems=[
                f"{src}: cannot read the file ({exc.strerror})."])
        else:
            res = _import_one(db, name, data, user, pending, taken, now)
        summary.results.append(res)
        summary.errors.extend(res.errors)
        summary.problems.extend(res.problems)
        for key in ("acknowledgments", "already_imported", "accepted", "rejected", "other",
                    "unmatched", "secondary_rejected"):
            setattr(summary, key, getattr(summary, key) + getattr(res, key))
    if taken:  # a copy taken before a file that was then refused while posting is dropped
        settle_import(db, taken[0], any(r.outcome == "imported" for r in summary.results))
    return summary


def _import_one(db: Database, name: str, data: bytes, user: str,
                pending: list[Callable[[], object]], taken: list[object],
                now: dt.datetime | None) -> AckFileResult:
    try:
        parsed = parse_ack(data, name)
    except X12FileError as exc:
        # In the order they occur in the file: a parser checks some things after the loop
        # they close (a claim with no STC, an AK2 with no IK5, the 277CA's totals at its ST).
        return AckFileResult(name, "refused", problems=file_problems(name, exc.problems))
    shas = [a.content_sha256 for a in parsed.acks]
    with db.connect() as con:
        known = {r[0] for r in con.execute(
            "SELECT content_sha256 FROM acknowledgments WHERE content_sha256 IN "
            "(SELECT unnest(?::VARCHAR[]))", [shas]).fetchall()}
    if pending and any(s not in known for s in shas):
        taken.append(pending.pop()())
    with db.transaction() as con:
        return _post(con, parsed, hashlib.sha256(data).hexdigest(), user, now)


def _claims_of_set(con: duckdb.DuckDBPyConnection, group: str, set_number: str
                   ) -> list[tuple[str, int | None]]:
    """``(claim_id, secondary_claim_id)`` of each claim sent in that group (and set)."""
    if not group.isdigit() or (set_number and not set_number.isdigit()) \
            or len(group) > 18 or len(set_number) > 18:  # not a control number we wrote
        return []
    sql = ("SELECT DISTINCT claim_id, secondary_claim_id FROM x12_submissions "
           "WHERE group_number = ?")
    params: list[Any] = [int(group)]
    if set_number:
        sql += " AND set_number = ?"
        params.append(int(set_number))
    return sorted(((r[0], r[1]) for r in con.execute(sql, params).fetchall()),
                  key=lambda r: (r[0], r[1] or 0))


@dataclass(frozen=True)
class _Sending:
    """One 837P that carried a claim: to its own payer (``secondary_claim_id`` None) or to
    the next payer in line."""

    secondary_claim_id: int | None
    group_number: int
    submitted_at: dt.datetime
    member_id: str


def _sendings(con: duckdb.DuckDBPyConnection, claim_ids: list[str]
              ) -> dict[str, list[_Sending]]:
    """Every recorded sending of each claim, with the member id its 2010BA carried."""
    out: dict[str, list[_Sending]] = {}
    for cid, sid, group, at, member in con.execute("""
            SELECT s.claim_id, s.secondary_claim_id, s.group_number, s.submitted_at,
                   coalesce(CASE WHEN s.secondary_claim_id IS NULL THEN own.member_id
                                 ELSE nxt.member_id END, '')
            FROM x12_submissions s JOIN claims c USING (claim_id)
            LEFT JOIN coverages own ON own.coverage_id = c.coverage_id
            LEFT JOIN secondary_claims sc ON sc.secondary_claim_id = s.secondary_claim_id
            LEFT JOIN coverages nxt ON nxt.coverage_id = sc.coverage_id
            WHERE s.claim_id IN (SELECT unnest(?::VARCHAR[]))""", [claim_ids]).fetchall():
        out.setdefault(cid, []).append(_Sending(sid, group, at, member))
    return out


def _sending_answered(claim: ClaimStatus, sendings: list[_Sending], on: dt.date
                      ) -> int | None:
    """The ``secondary_claims`` id of the sending a 277CA's claim answers (None: the claim
    sent to its own payer). The module's docstring gives the rule."""
    found = [s for s in sendings if s.submitted_at.date() <= on]
    if not any(s.secondary_claim_id is not None for s in found):
        return None  # only ever sent to its own payer by then: the primary's, as before
    by_member = [s for s in found if claim.member_id and s.member_id == claim.member_id]
    found = by_member or found
    trace = claim.batch_trace
    by_trace = [s for s in found
                if trace.isdigit() and len(trace) <= 18 and s.group_number == int(trace)]
    found = by_trace or found
    return max(found, key=lambda s: (s.submitted_at, s.group_number)).secondary_claim_id


def _mark_rejected(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]], user: str,
                   when: dt.datetime) -> int:
    """Mark each secondary sending these new claim_acks rows reject (the first rejection of a
    sending stands); returns how many were marked."""
    marked = 0
    for ack_id, _, cid, _, _, outcome, codes, reason, status_date, _, _, sid in rows:
        if sid is None or outcome != "rejected":
            continue
        before = con.execute("SELECT rejected_date FROM secondary_claims "
                             "WHERE secondary_claim_id = ?", [sid]).fetchall()
        if not before or before[0][0] is not None:
            continue
        con.execute("UPDATE secondary_claims SET rejected_date = ?, rejection_reason = ?, "
                    "rejection_codes = ?, rejected_by_ack_id = ? WHERE secondary_claim_id = ?",
                    [status_date, reason, codes, ack_id, sid])
        audit_many(con, user, [("status", "secondary_claims", sid, {"rejected_date": None}, {
            "claim_id": cid, "rejected_date": status_date, "rejection_reason": reason,
            "rejection_codes": codes, "ack_id": ack_id})], when)
        marked += 1
    return marked


def _post(con: duckdb.DuckDBPyConnection, parsed: AckFile, file_sha: str, user: str,
          now: dt.datetime | None) -> AckFileResult:
    res = AckFileResult(parsed.name, "imported")
    when = now or dt.datetime.now().replace(microsecond=0)
    seen = {r[0] for r in con.execute(
        "SELECT content_sha256 FROM acknowledgments WHERE content_sha256 IN "
        "(SELECT unnest(?::VARCHAR[]))", [[a.content_sha256 for a in parsed.acks]]).fetchall()}
    ack_id = next_id(con, "acknowledgments", "ack_id")
    ours: set[str] | None = None  # the 277CAs' claim ids that are ours, and their sendings
    sent: dict[str, list[_Sending]] = {}
    new_ids = []
    for ack in parsed.acks:
        if ack.content_sha256 in seen:
            res.already_imported += 1
            continue
        seen.add(ack.content_sha256)
        res.kinds.append(ack.kind)
        status_date = ack.ack_date or when.date()
        con.execute(
            "INSERT INTO acknowledgments (ack_id, kind, content_sha256, control_number, "
            "sender, ack_date, source, source_file, imported_at, imported_by) "
            "VALUES (?, ?, ?, ?, ?, ?, 'file', ?, ?, ?)",
            [ack_id, ack.kind, ack.content_sha256, ack.control_number, ack.sender,
             ack.ack_date, parsed.name, when, user])
        rows: list[tuple[Any, ...]] = []
        if isinstance(ack, Ack999):
            sets = []
            for n, s in enumerate(ack.sets, start=1):
                claims = (_claims_of_set(con, s.group_number, s.set_number)
                          if ack.functional_id in ("HC", "") else [])
                sets.append((ack_id, n, s.group_number, s.set_number or None, s.status,
                             s.outcome, "; ".join(s.codes), s.reason, len(claims)))
                if not claims:
                    res.unmatched += 1
                for cid, sid in claims:
                    named = " (the 999 names this claim)" if cid in s.claim_ids else ""
                    rows.append((ack_id, len(rows) + 1, cid, cid, ack.kind, s.outcome,
                                 "; ".join(s.codes), s.reason[:-1] + named + ".",
                                 status_date, None, s.segment_number, sid))
            insert_rows(con, "ack_sets", ["ack_id", "seq", "group_number", "set_number",
                                          "status", "outcome", "codes", "reason", "claims"],
                        sets)
        else:
            assert isinstance(ack, Ack277)
            if ours is None:
                named = [c.patient_control_number for a in parsed.acks
                         if isinstance(a, Ack277) for c in a.claims]
                ours = {r[0] for r in con.execute(
                    "SELECT claim_id FROM claims WHERE claim_id IN (SELECT unnest(?::VARCHAR[]))",
                    [named]).fetchall()}
                sent = _sendings(con, sorted(ours))
            for c in ack.claims:
                cid = c.patient_control_number if c.patient_control_number in ours else None
                if cid is None:
                    res.unmatched += 1
                on = c.status_date or status_date
                sid = _sending_answered(c, sent.get(cid, []), on) if cid is not None else None
                rows.append((ack_id, len(rows) + 1, cid, c.patient_control_number, "277CA",
                             c.outcome, c.codes, c.reason, on,
                             c.payer_claim_number or None, c.segment_number, sid))
        insert_rows(con, "claim_acks", [
            "ack_id", "seq", "claim_id", "patient_control_number", "kind", "outcome", "codes",
            "reason", "status_date", "payer_claim_number", "segment_number",
            "secondary_claim_id"], rows)
        for r in rows:
            if r[2] is None:
                continue
            res.accepted += r[5] == "accepted"
            res.rejected += r[5] == "rejected"
            res.other += r[5] == "other"
        res.secondary_rejected += _mark_rejected(con, rows, user, when)
        new_ids.append(ack_id)
        ack_id += 1
    res.acknowledgments = len(new_ids)
    if not new_ids:
        res.outcome = "already_imported"
        return res
    summary = {"acknowledgments": res.acknowledgments, "kinds": res.kinds,
               "already_imported": res.already_imported, "accepted": res.accepted,
               "rejected": res.rejected, "other": res.other, "unmatched": res.unmatched,
               "secondary_rejected": res.secondary_rejected}
    import_id = next_id(con, "imports", "import_id")
    con.execute("INSERT INTO imports (import_id, kind, file_name, file_sha256, imported_at, "
                "user_name, summary) VALUES (?, 'ack', ?, ?, ?, ?, ?)",
                [import_id, parsed.name, file_sha, when, user, json.dumps(summary)])
    audit(con, user, "import", "acknowledgments", import_id, None,
          {"file": parsed.name, "ack_ids": new_ids, **summary})
    return res
