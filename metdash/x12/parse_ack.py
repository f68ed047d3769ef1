"""Acknowledgments from the clearinghouse and the payer: 999 and 277CA, read and checked.

:func:`parse_ack` reads one file (several interchanges and transactions allowed) and returns
an :class:`AckFile` holding one :class:`Ack999` or :class:`Ack277` per ST..SE, or raises
:class:`~metdash.errors.X12FileError` listing every problem (nothing is imported then).

* **999** (005010X231A1, implementation acknowledgment; a **997** is read the same way,
  AK3 / AK4 / AK5 for IK3 / IK4 / IK5): AK1 names the functional group we
  sent (GS06 of our 837P), each AK2 one transaction set (its ST02) with IK3 segment errors
  (IK4 element errors inside them, CTX*CLM01 naming the claim at fault) and IK5 its verdict:
  A accepted, E accepted with errors, R / M / W / X rejected. AK9 answers the group and
  counts its sets: AK902 included ≥ AK903 received ≥ AK904 accepted.
* **277CA** (005010X214, claim acknowledgment): information source (2000A, the payer or
  clearinghouse), receiver (2000B, batch totals QTY*90 / QTY*AA), billing provider (2000C),
  then per claim (2000D / 2200D) TRN*2 = the CLM01 we sent (our claim id), STC with the
  claim status category (A1 / A2 accepted, A3 / A4 / A6 / A7 / A8 rejected, ...), the
  status code and the entity, REF*1K the payer's claim number, DTP*472 the service dates.

Checked: the envelopes (:func:`metdash.x12.reader.read_document`: SE / GE / IEA counts and
control numbers, truncation), ST01 and the guide's version, the segments each level needs,
codes, dates and amounts, and the counts an acknowledgment states about itself (AK9; the
277CA's receiver totals when the file lists every claim). pyx12 validates the hand-written
test files against the guides' maps (tests/x12/test_acks.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from metdash.errors import X12Error, X12FileError
from metdash.x12 import ack_codes as codes
from metdash.x12.parse835 import content_fingerprint
from metdash.x12.reader import Segment, Transaction, read_document


@dataclass
class SetAck:
    """A 999's answer about one transaction set we sent (an AK2 loop), or about the whole
    group when the 999 names no set (``set_number`` '')."""

    group_number: str  # AK102: our GS06
    set_number: str  # AK202: our ST02
    status: str  # IK501 (or AK901 for a whole group)
    codes: list[str] = field(default_factory=list)  # as sent: 'IK3*NM1*23*2010BA*8'
    errors: list[str] = field(default_factory=list)  # the same, in words
    claim_ids: list[str] = field(default_factory=list)  # CTX*CLM01 values
    segment_number: int = 0

    @property
    def outcome(self) -> str:
        if self.status in codes.ACCEPTED_SET:
            return "accepted"
        return "rejected" if self.status in codes.REJECTED_SET else "other"

    @property
    def reason(self) -> str:
        what = (f"837 transaction set {self.set_number} of group {self.group_number}"
                if self.set_number else f"837P group {self.group_number}")
        text = f"The clearinghouse {codes.set_status_words(self.status)} {what}"
        return text + (": " + "; ".join(self.errors) if self.errors else "") + "."


@dataclass
class Ack999:
    name: str
    control_number: str  # ST02
    sender: str  # GS02
    ack_date: dt.date | None  # GS04
    group_number: str  # AK102
    group_status: str  # AK901
    functional_id: str = ""  # AK101: HC for an 837 group
    sets: list[SetAck] = field(default_factory=list)
    content_sha256: str = ""
    segment_number: int = 0
    kind: str = "999"  # or "997"


@dataclass
class ClaimStatus:
    """A 277CA's status of one claim (2200D)."""

    patient_control_number: str  # TRN02: the CLM01 we sent
    statuses: list[tuple[str, str, str]]  # (category, status code, entity) per STC composite
    action: str  # STC03: WQ accepted, U rejected
    status_date: dt.date | None  # STC02
    charge: Decimal | None = None  # STC04
    payer_claim_number: str = ""  # REF*1K
    clearinghouse_trace: str = ""  # REF*D9
    service_from: dt.date | None = None
    service_to: dt.date | None = None
    patient: str = ""
    member_id: str = ""
    segment_number: int = 0
    # 2200B TRN02 of the receiver loop it is in: the BHT03 of the 837P it answers when the
    # payer echoes it (ours: the 837P's GS06, nine digits), else the sender's own batch id.
    batch_trace: str = ""

    @property
    def outcome(self) -> str:
        """rejected when any status rejects the claim; accepted when its first accepts."""
        kinds = [codes.claim_outcome(c) for c, _, _ in self.statuses]
        if "rejected" in kinds:
            return "rejected"
        return kinds[0] if kinds else "other"

    @property
    def codes(self) -> str:
        return ", ".join(":".join(p for p in s if p) for s in self.statuses)

    @property
    def reason(self) -> str:
        words = "; ".join(codes.claim_status_words(*s) for s in self.statuses)
        return f"{words[:1].upper()}{words[1:]}."


@dataclass
class Ack277:
    name: str
    control_number: str  # ST02
    sender: str  # 2100A: the payer or clearinghouse answering
    ack_date: dt.date | None  # BHT04
    claims: list[ClaimStatus] = field(default_factory=list)
    batch_statuses: list[str] = field(default_factory=list)  # 2200B / 2200C, in words
    accepted_total: int | None = None  # 2200B QTY*90
    rejected_total: int | None = None  # 2200B QTY*AA
    content_sha256: str = ""
    segment_number: int = 0
    kind: str = "277CA"


@dataclass
class AckFile:
    name: str
    acks: list[Ack999 | Ack277]


def _date(raw: str) -> dt.date | None:
    if len(raw) == 8 and raw.isdigit():
        try:
            return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        except ValueError:
            return None
    return None


class _Ctx:
    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[X12Error] = []

    def err(self, seg: Segment, msg: str) -> None:
        self.problems.append(X12Error(self.name, seg.number, seg.id, msg))

    def date(self, seg: Segment, n: int, what: str, required: bool = False) -> dt.date | None:
        raw = seg.get(n).strip()
        if not raw:
            if required:
                self.err(seg, f"{what} ({seg.id}{n:02d}) is missing.")
            return None
        value = _date(raw)
        if value is None:
            self.err(seg, f"{what} {raw!r} is not a date (CCYYMMDD).")
        return value

    def count(self, seg: Segment, n: int, what: str) -> int | None:
        raw = seg.get(n).strip()
        if not raw.isdigit():
            self.err(seg, f"{what} ({seg.id}{n:02d}) {raw!r} is not a whole number.")
            return None
        return int(raw)


def _version_ok(ctx: _Ctx, tx: Transaction, want: str, what: str) -> bool:
    st = tx.st
    version = st.get(3) or (tx.gs.get(8) if tx.gs is not None else "")
    if not version.startswith(want):
        ctx.err(st, f"this {what} is version {version or '(none)'}, not {want}: ask the "
                    f"clearinghouse for the 5010 {what} ({want}).")
        return False
    return True


# -- 999 ------------------------------------------------------------------------------
def _ik3(seg: Segment) -> tuple[str, str]:  # also a 997's AK3
    where = f"segment {seg.get(1)} at position {seg.get(2)}"
    if seg.get(3):
        where += f" (loop {seg.get(3)})"
    return "*".join(seg.elements), (
        f"{where}: {codes.segment_error_words(seg.get(4))}" if seg.get(4) else where)


def _ik4(seg: Segment, segment_id: str) -> tuple[str, str]:  # also a 997's AK4
    pos = seg.components(1)
    element = f"{segment_id}{int(pos[0]):02d}" if pos and pos[0].isdigit() else seg.get(1)
    if len(pos) > 1 and pos[1]:
        element += f"-{pos[1]}"
    text = f"element {element}: {codes.element_error_words(seg.get(3))}"
    if seg.get(4):
        text += f" (sent {seg.get(4)!r})"
    return "*".join(seg.elements), text


# A 997 (the older functional acknowledgment, still sent by some clearinghouses) says the
# same with AK3 / AK4 / AK5 in place of IK3 / IK4 / IK5; it is read as a 999.
_997 = {"AK3": "IK3", "AK4": "IK4", "AK5": "IK5"}


def _parse_999(ctx: _Ctx, tx: Transaction) -> Ack999 | None:
    is_997 = tx.kind == "997"
    if not is_997 and not _version_ok(ctx, tx, "005010X231", "999"):
        return None
    segs = tx.segments[1:-1] if tx.segments[-1].id == "SE" else tx.segments[1:]
    gs = tx.gs
    ack = Ack999(ctx.name, tx.st.get(2), gs.get(2) if gs else "",
                 _date(gs.get(4)) if gs else None, "", "", segment_number=tx.st.number,
                 kind=tx.kind)
    current: SetAck | None = None
    current_seg: Segment = tx.st
    segment_id = ""
    ak9: Segment | None = None
    for seg in segs:
        sid = _997.get(seg.id, seg.id) if is_997 else seg.id
        if sid == "AK1":
            if ack.group_number:
                ctx.err(seg, "a second AK1: a 999 answers one functional group.")
            ack.group_number = seg.get(2).strip()
            ack.functional_id = seg.get(1).strip()
            if not ack.group_number:
                ctx.err(seg, "the group control number (AK102) is missing: the 999 cannot "
                             "say which 837P file it answers.")
            continue
        if not ack.group_number and sid != "AK1":
            ctx.err(seg, f"{sid} before AK1: the 999 must name the group it answers first.")
            return None
        if sid == "AK2":
            if current is not None:
                ctx.err(current_seg, "this AK2 has no IK5 verdict: the file is damaged.")
            current = SetAck(ack.group_number, seg.get(2).strip(), "",
                             segment_number=seg.number)
            current_seg = seg
            if not current.set_number:
                ctx.err(seg, "the transaction set control number (AK202) is missing.")
        elif sid in ("IK3", "IK4", "CTX", "IK5") and current is None:
            ctx.err(seg, f"{sid} outside an AK2 loop: the file is damaged.")
        elif sid == "IK3":
            segment_id = seg.get(1)
            if not segment_id or not seg.get(2).isdigit():
                ctx.err(seg, "IK3 must name the segment (IK301) and its position (IK302).")
            code, words = _ik3(seg)
            current.codes.append(code)
            current.errors.append(words)
        elif sid == "IK4":
            code, words = _ik4(seg, segment_id)
            current.codes.append(code)
            current.errors.append(words)
        elif sid == "CTX":
            parts = seg.components(1)
            if parts and parts[0] == "CLM01" and len(parts) > 1 and parts[1]:
                current.claim_ids.append(parts[1].strip())
        elif sid == "IK5":
            status = seg.get(1)
            if status not in codes.SET_STATUS:
                ctx.err(seg, f"IK501 {status!r} is not a 999 verdict (A, E, R, M, W or X).")
            current.status = status
            for n in range(2, 7):
                if seg.get(n):
                    current.codes.append(f"{seg.id}-{n:02d}*{seg.get(n)}")
                    current.errors.append(codes.set_error_words(seg.get(n)))
            ack.sets.append(current)
            current = None
        elif sid == "AK9":
            if current is not None:
                ctx.err(current_seg, "this AK2 has no IK5 verdict: the file is damaged.")
                current = None
            ak9 = seg
        else:
            ctx.err(seg, f"{seg.id} is not a segment of a {tx.kind}.")
    if current is not None:
        ctx.err(current_seg, "this AK2 has no IK5 verdict: the file is truncated.")
    if not ack.group_number:
        ctx.err(tx.st, "the 999 has no AK1: it does not say which 837P file it answers.")
        return None
    if ak9 is None:
        ctx.err(tx.st, "the 999 has no AK9 (the group's verdict): the file is truncated.")
        return None
    ack.group_status = ak9.get(1)
    if ack.group_status not in codes.SET_STATUS:
        ctx.err(ak9, f"AK901 {ack.group_status!r} is not a 999 verdict (A, E, P, R, M, W, X).")
    included = ctx.count(ak9, 2, "the number of transaction sets included")
    received = ctx.count(ak9, 3, "the number of transaction sets received")
    accepted = ctx.count(ak9, 4, "the number of transaction sets accepted")
    if None not in (included, received, accepted):
        if not included >= received >= accepted:
            ctx.err(ak9, f"AK9 counts {included} included, {received} received, {accepted} "
                         "accepted: received cannot exceed included, nor accepted received.")
        elif ack.sets and len(ack.sets) == received:
            ok = sum(s.status in codes.ACCEPTED_SET for s in ack.sets)
            if ok != accepted:
                ctx.err(ak9, f"AK904 says {accepted} transaction set(s) accepted but the "
                             f"IK5 verdicts accept {ok}: the file is damaged.")
        if ack.group_status in codes.ACCEPTED_SET and any(
                s.status in codes.REJECTED_SET for s in ack.sets):
            ctx.err(ak9, f"AK901 {ack.group_status!r} accepts the group but an IK5 rejects a "
                         "set: the file contradicts itself.")
    group_errors = [codes.group_error_words(ak9.get(n)) for n in range(5, 10) if ak9.get(n)]
    if not ack.sets:  # the group answered as a whole
        whole = SetAck(ack.group_number, "", ack.group_status, segment_number=ak9.number)
        whole.codes = [f"AK9*{'*'.join(ak9.elements[1:])}"]
        whole.errors = group_errors
        ack.sets.append(whole)
    elif group_errors:
        for s in ack.sets:
            s.errors.extend(group_errors)
    return ack


# -- 277CA ----------------------------------------------------------------------------
def _stc(ctx: _Ctx, seg: Segment) -> list[tuple[str, str, str]]:
    out = []
    for n in (1, 10, 11):
        parts = seg.components(n)
        if not parts or not parts[0]:
            if n == 1:
                ctx.err(seg, "the claim status category (STC01-1) is missing.")
            continue
        category = parts[0].strip()
        if not (len(category) == 2 or category.startswith("DR")):
            ctx.err(seg, f"claim status category {category!r} is not a category code "
                         "(A1, A2, A3, A7, ...).")
        out.append((category, parts[1].strip() if len(parts) > 1 else "",
                    parts[2].strip() if len(parts) > 2 else ""))
    return out


def _amount(ctx: _Ctx, seg: Segment, n: int, what: str) -> Decimal | None:
    raw = seg.get(n).strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        ctx.err(seg, f"{what} {raw!r} is not a number.")
        return None
    return value


def _parse_277(ctx: _Ctx, tx: Transaction) -> Ack277 | None:
    if not _version_ok(ctx, tx, "005010X214", "277CA"):
        return None
    segs = tx.segments[1:-1] if tx.segments[-1].id == "SE" else tx.segments[1:]
    ack = Ack277(ctx.name, tx.st.get(2), "", None, segment_number=tx.st.number)
    level = ""
    claim: ClaimStatus | None = None
    in_line = False
    name: tuple[str, str] = ("", "")
    batch_trace = ""
    if not segs or segs[0].id != "BHT":
        ctx.err(segs[0] if segs else tx.st, "a 277CA starts with BHT after ST.")
    for seg in segs:
        sid = seg.id
        if sid == "BHT":
            ack.ack_date = ctx.date(seg, 4, "the acknowledgment date", required=True)
        elif sid == "HL":
            level = seg.get(3)
            if level in ("20", "21"):
                batch_trace = ""  # a new source or receiver: its own trace, if any
            if level not in ("20", "21", "19", "PT"):
                ctx.err(seg, f"HL level code {level!r} is not one of a 277CA (20, 21, 19, PT).")
            claim, in_line, name = None, False, ("", "")
        elif sid == "NM1":
            if level == "20":
                ack.sender = seg.get(3).strip()
            elif level == "PT":
                name = (" ".join(p for p in (seg.get(4).strip(), seg.get(3).strip()) if p),
                        seg.get(9).strip())
        elif sid == "TRN":
            if level == "21" and seg.get(1) == "2":
                batch_trace = seg.get(2).strip()
            elif level == "PT":
                if seg.get(1) != "2" or not seg.get(2).strip():
                    ctx.err(seg, "a claim's trace (TRN*2) must carry the patient control "
                                 "number we sent (CLM01).")
                claim = ClaimStatus(seg.get(2).strip(), [], "", None, patient=name[0],
                                    member_id=name[1], segment_number=seg.number,
                                    batch_trace=batch_trace)
                ack.claims.append(claim)
                in_line = False
        elif sid == "STC":
            statuses = _stc(ctx, seg)
            if seg.get(3) and seg.get(3) not in ("WQ", "U"):
                ctx.err(seg, f"action code (STC03) {seg.get(3)!r} is not WQ or U.")
            if level == "PT" and claim is not None and not in_line:
                if claim.statuses:
                    claim.statuses.extend(statuses)
                else:
                    claim.statuses = statuses
                    claim.action = seg.get(3)
                    claim.status_date = ctx.date(seg, 2, "the status date", required=True)
                    claim.charge = _amount(ctx, seg, 4, "the claim's charge (STC04)")
            elif level == "PT" and claim is None:
                ctx.err(seg, "a claim's status (STC) before its trace (TRN*2).")
            elif level in ("21", "19"):
                ack.batch_statuses.extend(codes.claim_status_words(*s) for s in statuses)
        elif sid == "QTY" and level == "21":
            value = ctx.count(seg, 2, "the quantity")
            if seg.get(1) == "90":
                ack.accepted_total = value
            elif seg.get(1) == "AA":
                ack.rejected_total = value
        elif sid == "REF" and claim is not None and not in_line:
            if seg.get(1) == "1K":
                claim.payer_claim_number = seg.get(2).strip()
            elif seg.get(1) == "D9":
                claim.clearinghouse_trace = seg.get(2).strip()
        elif sid == "DTP" and claim is not None and not in_line and seg.get(1) == "472":
            raw = seg.get(3)
            first, _, last = raw.partition("-")
            claim.service_from = _date(first)
            claim.service_to = _date(last) if last else claim.service_from
            if claim.service_from is None or (last and claim.service_to is None):
                ctx.err(seg, f"the service date {raw!r} is not a date or a date range.")
        elif sid == "SVC":
            in_line = True
    for c in ack.claims:
        if not c.statuses:
            ctx.problems.append(X12Error(ctx.name, c.segment_number, "TRN",
                                         f"claim {c.patient_control_number} has no status "
                                         "(STC): the file is truncated or damaged."))
    if not ack.claims:
        ctx.err(tx.st, "the 277CA acknowledges no claim (no TRN*2 at a patient level).")
        return None
    totals = (ack.accepted_total or 0) + (ack.rejected_total or 0)
    if ack.rejected_total is not None and totals == len(ack.claims):
        rejected = sum(c.outcome == "rejected" for c in ack.claims)
        if rejected != ack.rejected_total:
            ctx.problems.append(X12Error(
                ctx.name, tx.st.number, "ST",
                f"the receiver's totals say {ack.rejected_total} claim(s) rejected but the "
                f"claims' statuses reject {rejected}: the file is damaged."))
    return ack


def parse_ack(data: bytes | str, name: str) -> AckFile:
    """Every acknowledgment (999 or 277CA transaction) of one file; raises X12FileError
    listing every problem."""
    doc = read_document(data, name)
    ctx = _Ctx(name)
    acks: list[Ack999 | Ack277] = []
    if not doc.transactions:
        ctx.problems.append(X12Error(name, None, None, "the file holds no transaction."))
    for tx in doc.transactions:
        kind = tx.kind
        before = len(ctx.problems)
        ack: Ack999 | Ack277 | None
        if kind in ("999", "997"):
            ack = _parse_999(ctx, tx)
        elif kind == "277":
            ack = _parse_277(ctx, tx)
        elif kind == "835":
            ctx.err(tx.st, "this is an 835 remittance, not an acknowledgment: import it with "
                           "import-835 (Remittances, 'Import 835 files').")
            continue
        else:
            ctx.err(tx.st, f"this is an X12 {kind or '(unknown)'} transaction, not a 999 or "
                           "277CA acknowledgment.")
            continue
        if ack is not None and len(ctx.problems) == before:
            ack.content_sha256 = content_fingerprint(tx.segments)
            acks.append(ack)
    if ctx.problems:
        raise X12FileError(name, ctx.problems)
    return AckFile(name, acks)
