"""835 (005010X221A1) remittances: segments to dataclasses with Decimal amounts, checked.

:func:`parse_835` returns a :class:`Remittance835` (one :class:`Payment` per ST..SE) or
raises :class:`~metdash.x12.X12FileError` listing every problem it found:
envelope counts and control numbers, amounts and dates that are not numbers or dates,
unknown CAS group codes and CLP02 statuses, and the balancing rules of the guide:

* per claim: CLP03 charge − Σ CAS (claim and line level) = CLP04 paid;
* per service line that carries CAS: SVC02 charge − Σ line CAS = SVC03 paid;
* per payment: Σ CLP04 − Σ PLB amounts = BPR02 (negated when BPR03 is D, a debit).

Amounts the store cannot keep exactly are refused too: money is ``DECIMAL(12,2)``, so an
amount must be under 10,000,000,000 and in dollars and cents (units may have decimals).

Each payment carries :attr:`Payment.content_sha256`, the fingerprint of its content (see
:func:`content_fingerprint`), which tells a payment imported again from one that merely
reuses its trace number.

Segment numbers in messages are positions in the file (see :mod:`metdash.x12.reader`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from metdash.errors import X12Error, X12FileError
from metdash.text import MAX_LENGTH, shown, text_problem
from metdash.x12.reader import Document, Segment, read_document

CAS_GROUPS = {"CO", "PR", "OA", "PI", "CR"}
# CLP02 claim status codes of 005010X221A1 (25 = predetermination pricing only).
CLP_STATUSES = {"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"}
ZERO = Decimal("0")
CENT = Decimal("0.01")
# The store keeps money as DECIMAL(12,2): ten digits before the point.
TOO_LARGE = Decimal("1E10")


@dataclass
class Adjustment:
    group_code: str
    carc: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass
class LinePayment:
    qualifier: str  # SVC01-1, HC for CPT/HCPCS
    cpt: str
    modifiers: list[str]
    charge: Decimal
    paid: Decimal
    units: Decimal | None
    service_date: dt.date | None = None
    service_to: dt.date | None = None
    allowed: Decimal | None = None  # AMT*B6
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # LQ*HE
    line_control_number: str = ""  # REF*6R: the line item control number our 837P sent
    segment_number: int = 0

    @property
    def is_denied(self) -> bool:
        """Paid 0 with a non-PR adjustment (DOMAIN.md's denial)."""
        return self.paid == 0 and any(a.group_code != "PR" and a.amount != 0
                                      for a in self.adjustments)


@dataclass
class ClaimPayment:
    clp01: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    filing_indicator: str = ""
    payer_claim_number: str = ""
    patient_last_name: str = ""
    patient_first_name: str = ""
    patient_member_id: str = ""
    service_from: dt.date | None = None
    service_to: dt.date | None = None
    received_date: dt.date | None = None
    allowed: Decimal | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # MOA / MIA remark codes
    lines: list[LinePayment] = field(default_factory=list)
    segment_number: int = 0

    def all_adjustments(self) -> list[Adjustment]:
        return self.adjustments + [a for ln in self.lines for a in ln.adjustments]

    @property
    def has_line_denial(self) -> bool:
        return any(ln.is_denied for ln in self.lines)

    @property
    def has_non_pr_adjustment(self) -> bool:
        return any(a.group_code != "PR" and a.amount != 0 for a in self.all_adjustments())


@dataclass
class ProviderAdjustment:
    seq: int
    provider_id: str
    fiscal_period_date: dt.date | None
    reason_code: str
    reference: str
    amount: Decimal  # as sent: positive reduces the payment


@dataclass
class Payment:
    """One 835 transaction: a payment (BPR/TRN) and the claims it pays."""

    handling_code: str  # BPR01
    amount: Decimal  # BPR02
    credit_debit: str  # BPR03 C/D
    method: str  # BPR04
    payment_date: dt.date | None  # BPR16
    trace_number: str  # TRN02
    originator: str  # TRN03
    payer_name: str = ""
    payer_id: str = ""  # N1*PR id (N104) if sent
    payer_ref: str = ""  # REF*2U after N1*PR: the payer's identification number, if sent
    payee_name: str = ""
    payee_id: str = ""  # N1*PE N104
    payee_id_qualifier: str = ""  # N103: XX an NPI, FI a tax id, XV a CMS plan id
    payee_tax_id: str = ""  # REF*TJ of the payee loop (1000B)
    payee_segment_number: int = 0  # the N1*PE's (0: the 835 names no payee)
    production_date: dt.date | None = None  # DTM*405
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    st_control: str = ""
    segment_number: int = 0  # the ST's
    trace_segment_number: int = 0  # the TRN's
    content_sha256: str = ""  # content_fingerprint() of its segments

    @property
    def payer_key(self) -> str:
        """TRN03 (originating company id) or, if absent, the payer's name."""
        return self.originator or self.payer_name

    @property
    def deposit(self) -> Decimal:
        """The money that moves to the practice: BPR02, negative for a debit (BPR03 D)."""
        return -self.amount if self.credit_debit == "D" else self.amount


@dataclass
class Remittance835:
    name: str
    payments: list[Payment]


@functools.lru_cache(maxsize=4096)
def _date(raw: str) -> dt.date | None:
    """CCYYMMDD as a date (None when it is not one); cached: files repeat their dates."""
    if len(raw) == 8 and raw.isdigit():
        try:
            return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        except ValueError:
            return None
    return None


# Amounts already read, by the element's text: a file repeats its fees, copays and
# adjustments, and a Decimal is immutable (building one and checking it cost ~1 µs, 140,000
# times in a 10,000-claim file). Only finite numbers are kept, so problems are still found.
_AMOUNTS: dict[str, Decimal] = {}


# What a biller can do about text in a remittance that no 835 may hold.
_NOT_835_TEXT = "no valid 835 holds that: ask the clearinghouse for a corrected file."


# Codes already found fine: they repeat on every line (45, 97110, GP, N130), so most checks
# are one lookup. Only codes are kept (ids and names differ claim by claim); bounded.
_CODES = frozenset({"carc", "procedure", "modifier", "remark"})
_GOOD_CODES: set[tuple[str, str]] = set()


def text_835_problem(raw: str, what: str, field: str) -> str | None:
    """:func:`metdash.text.text_problem` for text in an 835 (None when it is fine)."""
    if (field, raw) in _GOOD_CODES:
        return None
    msg = text_problem(raw, what, field, fix=_NOT_835_TEXT)
    if msg is None and field in _CODES and len(_GOOD_CODES) < 4096:
        _GOOD_CODES.add((field, raw))
    return msg


class _Ctx:
    """Collects problems while parsing one file."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[X12Error] = []

    def err(self, seg: Segment, msg: str) -> None:
        self.problems.append(X12Error(self.name, seg.number, seg.id, msg))

    def amount(self, seg: Segment, n: int, what: str, required: bool = True,
               money: bool = True) -> Decimal | None:
        """Element n as a Decimal; a problem when it is not a number, is too large for the
        store, or (``money``) has fractions of a cent. Only values that pass every check are
        kept in the shared cache."""
        el = seg.elements
        if n < len(el):
            known = _AMOUNTS.get(el[n])
            if known is not None:
                return known
            sent = el[n]
            raw = sent.strip()
        else:
            sent = raw = ""
        if raw == "":
            if required:
                self.err(seg, f"{what} ({seg.id}{n:02d}) is missing.")
                return ZERO
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.err(seg, f"{what} {raw!r} is not a number.")
            return ZERO
        if not value.is_finite():
            self.err(seg, f"{what} {raw!r} is not a number.")
            return ZERO
        if abs(value) >= TOO_LARGE:
            self.err(seg, f"{what} {raw!r} is too large: amounts must be under "
                          "10,000,000,000.")
            return ZERO
        if value != value.quantize(CENT):
            if money:
                self.err(seg, f"{what} {raw!r} has more than two decimal places: amounts are "
                              "in dollars and cents.")
                return ZERO
            return value
        if len(_AMOUNTS) < 65536:
            _AMOUNTS[sent] = value
        return value

    def text(self, seg: Segment, n: int, what: str, field: str, component: int | None = None
             ) -> str:
        """Element n (or its ``component``), stripped; a problem, and '', when it is longer
        than ``MAX_LENGTH[field]`` (the guide's maximum) or holds a control character."""
        if component is None:
            el = seg.elements
            raw = el[n] if n < len(el) else ""
            # The common case at once: short enough, and printable (every character
            # text_problem refuses is unprintable; tests/test_text.py keeps that so).
            if len(raw) <= MAX_LENGTH[field] and raw.isprintable():
                return raw.strip()
        else:
            parts = seg.components(n)
            raw = parts[component] if component < len(parts) else ""
        msg = text_835_problem(raw, what, field)
        if msg:
            self.err(seg, msg)
            return ""
        return raw.strip()

    def date(self, seg: Segment, n: int, what: str) -> dt.date | None:
        el = seg.elements
        raw = el[n].strip() if n < len(el) else ""
        if not raw:
            return None
        value = _date(raw)
        if value is None:
            self.err(seg, f"{what} {raw!r} is not a date (CCYYMMDD).")
        return value


def _cas(ctx: _Ctx, seg: Segment, negate: bool) -> list[Adjustment]:
    group = seg.get(1)
    if group not in CAS_GROUPS:
        ctx.err(seg, f"adjustment group code {shown(group)} is not one of CO, PR, OA, PI, CR.")
    out = []
    # Up to six reason / amount / quantity triples (CAS02-04 ... CAS17-19), read as far as
    # the segment goes.
    el = seg.elements
    n = len(el)
    for base in range(2, min(n, 20), 3):
        carc = el[base].strip()
        if not carc:
            if base + 1 < n and el[base + 1].strip():
                ctx.err(seg, f"adjustment amount in CAS{base + 1:02d} has no reason code.")
            continue
        bad = text_835_problem(carc, f"the reason code (CAS{base:02d})", "carc")
        if bad:
            ctx.err(seg, bad)
            continue
        amt = ctx.amount(seg, base + 1, f"adjustment amount for reason {carc}")
        qty = (ctx.amount(seg, base + 2, f"adjustment quantity for reason {carc}",
                          required=False, money=False) if base + 2 < n and el[base + 2] else None)
        assert amt is not None
        # Amounts are stored as sent (a reversal already carries negative amounts).
        out.append(Adjustment(group, carc, amt, qty))
    if not out:
        ctx.err(seg, "the adjustment has no reason code.")
    return out


def _parse_transaction(ctx: _Ctx, segments: list[Segment]) -> Payment | None:
    st = segments[0]
    if st.get(1) != "835":
        ack = (": it is an acknowledgment, import it with import-ack (Remittances, 'Import "
               "acknowledgments')" if st.get(1) in ("999", "997", "277") else "")
        ctx.err(st, f"this is an X12 {st.get(1) or '(unknown)'} transaction, not an 835 "
                    f"remittance{ack}.")
        return None
    payment: Payment | None = None
    claim: ClaimPayment | None = None
    line: LinePayment | None = None
    n1_qualifier = ""
    seen_bpr = seen_trn = False
    for seg in segments[1:]:
        sid = seg.elements[0]
        if sid == "BPR":
            seen_bpr = True
            amt = ctx.amount(seg, 2, "payment amount")
            payment = Payment(seg.get(1), amt or ZERO, seg.get(3), seg.get(4),
                              ctx.date(seg, 16, "payment date"), "", "",
                              st_control=st.get(2), segment_number=st.number)
            if seg.get(3) not in ("C", "D"):
                ctx.err(seg, f"credit/debit flag {seg.get(3)!r} must be C or D.")
            continue
        if payment is None:
            ctx.err(seg, "the 835 must start with a BPR payment segment after ST.")
            return None
        if sid == "TRN":
            seen_trn = True
            payment.trace_number = ctx.text(seg, 2, "the check or EFT trace number (TRN02)",
                                             "trace_number")
            payment.originator = ctx.text(seg, 3, "the originator (TRN03)", "originator")
            payment.trace_segment_number = seg.number
            if not seg.get(2).strip():
                ctx.err(seg, "the check or EFT trace number (TRN02) is missing.")
        elif sid == "DTM" and claim is None:
            if seg.get(1) == "405":
                payment.production_date = ctx.date(seg, 2, "production date")
        elif sid == "N1" and claim is None:
            n1_qualifier = seg.get(1)
            if n1_qualifier == "PR":
                payment.payer_name = ctx.text(seg, 2, "the payer's name (N102)", "org_name")
                payment.payer_id = ctx.text(seg, 4, "the payer's id (N104)", "member_id")
            elif n1_qualifier == "PE":
                payment.payee_name = ctx.text(seg, 2, "the payee's name (N102)", "org_name")
                payment.payee_id_qualifier = seg.get(3).strip()
                payment.payee_id = ctx.text(seg, 4, "the payee's id (N104)", "member_id")
                payment.payee_segment_number = seg.number
        elif sid == "LX" and claim is None:
            n1_qualifier = ""  # the header number loop: the payee loop is over
        elif sid == "REF" and claim is None and n1_qualifier == "PE":
            if seg.get(1) == "TJ":
                payment.payee_tax_id = seg.get(2).strip()
        elif sid == "REF" and claim is None and n1_qualifier == "PR" and seg.get(1) == "2U":
            payment.payer_ref = ctx.text(seg, 2, "the payer's id (REF*2U)", "member_id")
        elif sid == "CLP":
            line = None
            status = seg.get(2).strip()
            if status not in CLP_STATUSES:
                ctx.err(seg, f"claim status {status!r} (CLP02) is not a known 835 claim "
                             "status (1, 2, 3, 4, 19, 20, 21, 22, 23, 25).")
            clp01 = ctx.text(seg, 1, "the claim id (CLP01)", "claim_id")
            if not seg.get(1).strip():
                ctx.err(seg, "the claim id (CLP01) is missing.")
            claim = ClaimPayment(
                clp01, status,
                ctx.amount(seg, 3, "charge amount") or ZERO,
                ctx.amount(seg, 4, "paid amount") or ZERO,
                ctx.amount(seg, 5, "patient responsibility", required=False) or ZERO,
                filing_indicator=seg.get(6),
                payer_claim_number=ctx.text(seg, 7, "the payer's claim number (CLP07)",
                                            "payer_claim_number"),
                segment_number=seg.number)
            payment.claims.append(claim)
        elif sid == "PLB":
            claim = line = None
            for i in range(6):
                base = 3 + 2 * i
                comp = seg.components(base)
                if not comp:
                    continue
                amt = ctx.amount(seg, base + 1, f"provider adjustment amount (PLB{base + 1:02d})")
                payment.provider_adjustments.append(ProviderAdjustment(
                    len(payment.provider_adjustments) + 1, seg.get(1),
                    ctx.date(seg, 2, "fiscal period date"), comp[0],
                    ctx.text(seg, base, f"the reference (PLB{base:02d}-2)", "plb_reference",
                             component=1), amt or ZERO))
        elif claim is None:
            continue  # header loops (N3, N4, REF, PER, LX, TS3, TS2, RDM ...)
        elif sid == "SVC":
            comp = seg.components(1)
            if not comp or len(comp) < 2:
                ctx.err(seg, f"procedure {shown(seg.get(1))} should be qualifier:code "
                             "(e.g. HC:97110).")
                comp = (comp + ["", ""])[:2]
            units = ctx.amount(seg, 5, "units", required=False, money=False)
            for k in range(1, min(len(comp), 6)):
                bad = text_835_problem(comp[k], f"the {'procedure code' if k == 1 else 'modifier'}"
                                       f" (SVC01-{k + 1})", "procedure" if k == 1 else "modifier")
                if bad:
                    ctx.err(seg, bad)
                    comp[k] = ""
            line = LinePayment(comp[0], comp[1], [m for m in comp[2:6] if m],
                               ctx.amount(seg, 2, "line charge") or ZERO,
                               ctx.amount(seg, 3, "line paid amount") or ZERO,
                               units if units is not None else Decimal(1),
                               segment_number=seg.number)
            claim.lines.append(line)
        elif sid == "CAS":
            adjs = _cas(ctx, seg, claim.status_code == "22")
            (line.adjustments if line else claim.adjustments).extend(adjs)
        elif sid == "DTM":
            q = seg.get(1)
            if line is not None:
                if q in ("472", "150"):
                    line.service_date = ctx.date(seg, 2, "service date")
                elif q == "151":
                    line.service_to = ctx.date(seg, 2, "service end date")
            elif q == "232":
                claim.service_from = ctx.date(seg, 2, "claim service start date")
            elif q == "233":
                claim.service_to = ctx.date(seg, 2, "claim service end date")
            elif q == "050":
                claim.received_date = ctx.date(seg, 2, "claim received date")
        elif sid == "AMT":
            q = seg.get(1)
            if line is not None and q == "B6":
                line.allowed = ctx.amount(seg, 2, "allowed amount")
            elif line is None and q in ("AU", "B6") and claim.allowed is None:
                claim.allowed = ctx.amount(seg, 2, "claim allowed amount")
        elif sid == "REF" and line is not None:
            if seg.get(1) == "6R":
                line.line_control_number = ctx.text(
                    seg, 2, "the line item control number (REF02)", "line_control_number")
        elif sid == "LQ" and line is not None:
            remark = ctx.text(seg, 2, "the remark code (LQ02)", "remark")
            if seg.get(1) == "HE" and remark:
                line.remarks.append(remark)
        elif sid == "MOA" and line is None:
            claim.remarks.extend(r for i in range(3, 8)
                                 if (r := ctx.text(seg, i, f"the remark code (MOA{i:02d})",
                                                   "remark")))
        elif sid == "MIA" and line is None:
            claim.remarks.extend(r for i in (5, 20, 21, 22, 23)
                                 if (r := ctx.text(seg, i, f"the remark code (MIA{i:02d})",
                                                   "remark")))
        elif sid == "NM1" and line is None and seg.get(1) == "QC":
            claim.patient_last_name = ctx.text(seg, 3, "the patient's last name (NM103)",
                                               "last_name")
            claim.patient_first_name = ctx.text(seg, 4, "the patient's first name (NM104)",
                                                "first_name")
            claim.patient_member_id = ctx.text(seg, 9, "the patient's member id (NM109)",
                                               "member_id")
    if not seen_bpr:
        ctx.err(st, "the 835 has no BPR payment segment.")
        return None
    if not seen_trn and payment is not None:
        ctx.err(st, "the 835 has no TRN trace number segment.")
    if payment is not None and not payment.payer_name:
        ctx.err(st, "the 835 names no payer (N1*PR).")
    if payment is not None and payment.payment_date is None:
        ctx.err(st, "the payment date (BPR16) is missing.")
    return payment


def _balance(ctx: _Ctx, payment: Payment, segments: list[Segment]) -> None:
    """Check the sums; ``segments`` is the file's, segment n at index n - 1."""
    for claim in payment.claims:
        seg = segments[claim.segment_number - 1]
        total_adj = sum((a.amount for a in claim.all_adjustments()), ZERO)
        if claim.charge - total_adj != claim.paid:
            ctx.err(seg, f"claim {claim.clp01} does not balance: charge {claim.charge} − "
                         f"adjustments {total_adj} = {claim.charge - total_adj}, but paid is "
                         f"{claim.paid}.")
        for ln in claim.lines:
            if not ln.adjustments:
                continue
            line_adj = sum((a.amount for a in ln.adjustments), ZERO)
            if ln.charge - line_adj != ln.paid:
                ctx.err(segments[ln.segment_number - 1],
                        f"service line {ln.cpt} of claim {claim.clp01} does not balance: "
                        f"charge {ln.charge} − adjustments {line_adj} = {ln.charge - line_adj}, "
                        f"but paid is {ln.paid}.")
    paid = sum((c.paid for c in payment.claims), ZERO)
    plb = sum((p.amount for p in payment.provider_adjustments), ZERO)
    expected = payment.amount if payment.credit_debit != "D" else -payment.amount
    if paid - plb != expected:
        bpr = next((s for s in segments[payment.segment_number:] if s.id == "BPR"), None)
        where = bpr or segments[payment.segment_number - 1]
        ctx.err(where, f"the payment does not balance: claims paid {paid} − provider "
                       f"adjustments {plb} = {paid - plb}, but the payment amount (BPR02) is "
                       f"{payment.amount}.")


# Normalising a transaction's text: spaces around an element, and empty trailing elements
# (each pass runs only when the text has any: conforming files rarely do).
_PADDING = re.compile("[ \t]+(?=[\x1d\x1e])|(?<=[\x1d\x1e])[ \t]+")
_EMPTY_TAIL = re.compile("\x1d+(?=\x1e|$)")


def content_fingerprint(segments: list[Segment]) -> str:
    """sha256 (hex) of a transaction's content: its segments between ST and SE, normalised.

    The envelope is left out (ISA / GS / ST / SE control numbers, separators, line breaks):
    the same payment re-sent in a new envelope has the same fingerprint. Each element is
    trimmed, trailing empty elements dropped, and the file's element, component and
    repetition separators replaced by fixed control characters. (Each segment is joined
    once, the rest are passes over the whole text: a 10,000-claim payment takes ~50 ms.)
    """
    body = segments[1:-1] if segments and segments[-1].id == "SE" else segments[1:]
    if not body:
        return hashlib.sha256(b"").hexdigest()
    seps = body[0].separators  # one transaction lies in one interchange: one set
    table = {ord(seps.component): "\x1f"}
    if seps.repetition:
        table[ord(seps.repetition)] = "\x1c"
    text = "\x1e".join(map("\x1d".join, [seg.elements for seg in body])).translate(table)
    if "\t" in text or " \x1d" in text or "\x1d " in text or " \x1e" in text \
            or "\x1e " in text or text[:1] == " " or text[-1:] == " ":
        text = _PADDING.sub("", text).strip(" \t")
    if "\x1d\x1e" in text or text[-1:] == "\x1d":
        text = _EMPTY_TAIL.sub("", text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_835_document(doc: Document) -> Remittance835:
    """Payments of an already tokenized document (raises X12FileError)."""
    ctx = _Ctx(doc.name)
    payments = []
    if not doc.transactions:
        ctx.problems.append(X12Error(doc.name, None, None, "the file holds no transaction."))
    for tx in doc.transactions:
        before = len(ctx.problems)
        payment = _parse_transaction(ctx, tx.segments)
        if payment is not None:
            if len(ctx.problems) == before:  # balance only what could be read
                _balance(ctx, payment, doc.segments)
                payment.content_sha256 = content_fingerprint(tx.segments)
            payments.append(payment)
    if ctx.problems:
        raise X12FileError(doc.name, ctx.problems)
    return Remittance835(doc.name, payments)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    A 10,000-claim file makes ~500,000 objects; the collector's repeated full passes over
    them doubled the parse time. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def header_payees(data: bytes | str, name: str) -> list[Payment]:
    """Each 835 transaction's payee (N1*PE: N103 / N104, REF*TJ), read from the header loops
    alone, for a file whose parse failed: whose file it is can still be told. Only the
    payee fields are set; [] when the file cannot be tokenized."""
    try:
        doc = read_document(data, name)
    except X12FileError:
        return []
    payments = []
    for tx in doc.transactions:
        if tx.kind != "835":
            continue
        p = Payment("", ZERO, "", "", None, "", "", segment_number=tx.st.number)
        loop = ""
        for seg in tx.segments[1:]:
            sid = seg.elements[0]
            if sid in ("LX", "CLP"):
                break  # the payee loop (1000B) is over
            if sid == "N1":
                loop = seg.get(1)
                if loop == "PE":
                    p.payee_name = seg.get(2).strip()
                    p.payee_id_qualifier = seg.get(3).strip()
                    p.payee_id = seg.get(4).strip()
                    p.payee_segment_number = seg.number
            elif sid == "REF" and loop == "PE" and seg.get(1) == "TJ":
                p.payee_tax_id = seg.get(2).strip()
        payments.append(p)
    return payments


def parse_835(data: bytes | str, name: str) -> Remittance835:
    """Parse and check one 835 file; raises X12FileError listing every problem."""
    with gc_paused():
        return parse_835_document(read_document(data, name))
