"""Build small 835 files in code (a stand-in payer for the round-trip tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from metdash.x12.reader import read_document


@dataclass
class Line:
    cpt: str
    charge: str
    paid: str
    date: str = "20250203"
    mods: list[str] = field(default_factory=list)
    units: str = "1"
    cas: list[tuple[str, str, str]] = field(default_factory=list)  # (group, carc, amount)
    allowed: str | None = None
    remarks: list[str] = field(default_factory=list)
    control: str | None = None  # REF*6R: the line item control number our 837P sent


@dataclass
class Claim:
    clp01: str
    status: str
    charge: str
    paid: str
    pr: str = "0"
    cas: list[tuple[str, str, str]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    payer_claim_number: str = "PCN1"
    # NM1*QC (last name, first name, member id); default: the seeded practice's client of the
    # claim (tests/x12/conftest.py), as a payer echoes the 837P's patient
    patient: tuple[str, str, str] | None = None


# The seeded practice's clients by claim (tests/x12/conftest.py): K001 Sam Sample (Acme
# ACM000111) on C000101 and C000103, K002 Eve Example (Medicare 3AC4DE5FG67) on C000102.
PATIENTS = {"C000102": ("EXAMPLE", "EVE", "3AC4DE5FG67")}
DEFAULT_PATIENT = ("SAMPLE", "SAM", "ACM000111")


def build_835(claims: list[Claim], *, trace: str = "TRACE1", amount: str | None = None,
              plb: list[tuple[str, ...]] | None = None, payer: str = "ACME HEALTH",
              originator: str = "1999999999", date: str = "20250310", sep: str = "*",
              term: str = "~", comp: str = ":", newline: str = "\n",
              control: str = "42", st: str = "0001",
              payee: tuple[str, ...] = ("XX", "1234567893")) -> str:
    """An 835 paying ``claims``; BPR02 = Σ paid − Σ PLB unless ``amount`` is given.

    ``plb``: ``(reason, amount)`` or ``(reason, amount, reference)`` (PLB03-1, PLB04,
    PLB03-2; the reference defaults to REF<n>). ``payee``: N1*PE's N103 and N104 (the
    practice's NPI by default), then any REF of the payee loop as (qualifier, id) pairs
    flattened, e.g. ``("XX", npi, "TJ", "123456789")``. ``control`` (ISA13 / GS06) and ``st`` (ST02):
    the envelope's numbers, not the payment's content.
    """
    plb = plb or []
    total = sum((Decimal(c.paid) for c in claims), Decimal(0)) - sum(
        (Decimal(a[1]) for a in plb), Decimal(0))
    amount = amount if amount is not None else str(total)
    body: list[list[str]] = [
        ["ST", "835", st],
        ["BPR", "I", amount, "C", "ACH", "CCP", "01", "999999999", "DA", "123456", originator,
         "", "01", "888888888", "DA", "654321", date],
        ["TRN", "1", trace, originator],
        ["DTM", "405", date],
        ["N1", "PR", payer],
        ["N3", "1 PAYER WAY"], ["N4", "CHICAGO", "IL", "60601"],
        ["PER", "BL", "EDI HELP", "TE", "8005550100"],
        ["N1", "PE", "MOVING WELL EXERCISE LLC", *payee[:2]],
        *(["REF", *payee[i:i + 2]] for i in range(2, len(payee), 2)),
        ["LX", "1"],
    ]
    for c in claims:
        body.append(["CLP", c.clp01, c.status, c.charge, c.paid, c.pr, "12", c.payer_claim_number])
        for g, r, a in c.cas:
            body.append(["CAS", g, r, a])
        last, first, member = c.patient or PATIENTS.get(c.clp01, DEFAULT_PATIENT)
        body.append(["NM1", "QC", "1", last, first, "", "", "", "MI", member])
        body.append(["DTM", "232", c.lines[0].date if c.lines else date])
        for ln in c.lines:
            body.append(["SVC", comp.join(["HC", ln.cpt, *ln.mods]), ln.charge, ln.paid, "",
                         ln.units])
            body.append(["DTM", "472", ln.date])
            for g, r, a in ln.cas:
                body.append(["CAS", g, r, a])
            if ln.control is not None:
                body.append(["REF", "6R", ln.control])
            if ln.allowed is not None:
                body.append(["AMT", "B6", ln.allowed])
            for rm in ln.remarks:
                body.append(["LQ", "HE", rm])
    for i, (reason, amt, *ref) in enumerate(plb):
        body.append(["PLB", "1234567893", "20251231",
                     f"{reason}{comp}{ref[0] if ref else f'REF{i}'}", amt])
    body.append(["SE", str(len(body) + 1), st])
    segs = [
        ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'ACMEPAYER':<15}", "ZZ",
         f"{'1234567893':<15}", "250310", "1200", "^", "00501", f"{int(control):09d}", "0", "P",
         comp],
        ["GS", "HP", "ACMEPAYER", "1234567893", "20250310", "1200", control, "X",
         "005010X221A1"],
        *body,
        ["GE", "1", control],
        ["IEA", "1", f"{int(control):09d}"],
    ]
    text = "".join(sep.join(s) + term + newline for s in segs)
    read_document(text, "self-check")  # the helper itself must write good envelopes
    return text


def pay_837(text: str, *, trace: str = "RT1", deny: set[str] | None = None,
            allowed_ratio: Decimal = Decimal("0.8"), copay: Decimal = Decimal("10")) -> str:
    """The payers' answer to an 837P: each line allowed at 80 % (CO-45 the rest), the first
    line of each claim carries a copay (PR-3); lines whose CPT is in ``deny`` are denied
    CO-97 (bundled). Each SVC echoes its line's REF*6R. Each payer (2010BB NM1*PR) pays its
    own claims, one payment each (traces ``trace``, ``trace``-2, ...), in one file."""
    deny = deny or set()
    doc = read_document(text, "837")
    claims: list[Claim] = []
    payer_of: dict[int, str] = {}
    payer = ""
    cur: Claim | None = None
    pending: Line | None = None
    for seg in doc.segments:
        if seg.id == "NM1" and seg.get(1) == "PR":
            payer = seg.get(3)
        elif seg.id == "CLM":
            cur = Claim(seg.get(1), "1", seg.get(2), "0", payer_claim_number="P" + seg.get(1))
            claims.append(cur)
            payer_of[id(cur)] = payer
        elif seg.id == "SV1" and cur is not None:
            comp = seg.components(1)
            pending = Line(comp[1], seg.get(2), "0", mods=comp[2:], units=seg.get(4))
            cur.lines.append(pending)
        elif seg.id == "DTP" and seg.get(1) == "472" and pending is not None:
            pending.date = seg.get(3)
        elif seg.id == "REF" and seg.get(1) == "6R" and pending is not None:
            pending.control = seg.get(2)  # a payer echoes the line item control number
    for c in claims:
        paid_total = Decimal(0)
        pr_total = Decimal(0)
        for i, ln in enumerate(c.lines):
            charge = Decimal(ln.charge)
            if ln.cpt in deny:
                ln.cas = [("CO", "97", str(charge))]
                continue
            allowed = (charge * allowed_ratio).quantize(Decimal("0.01"))
            pr = copay if i == 0 else Decimal(0)
            paid = allowed - pr
            ln.cas = [("CO", "45", str(charge - allowed))] + ([("PR", "3", str(pr))] if pr else [])
            ln.paid = str(paid)
            ln.allowed = str(allowed)
            paid_total += paid
            pr_total += pr
        c.paid = str(paid_total)
        c.pr = str(pr_total)
        if paid_total == 0:
            c.status = "4"
    payers = list(dict.fromkeys(payer_of[id(c)] for c in claims))
    texts = [build_835([c for c in claims if payer_of[id(c)] == name],
                       trace=trace if n == 1 else f"{trace}-{n}", payer=name.upper())
             for n, name in enumerate(payers, start=1)]
    return texts[0] if len(texts) == 1 else one_file(*texts)


def one_file(*texts: str) -> str:
    """The payments (ST..SE) of several :func:`build_835` files in one file: one ISA, one GS,
    the transactions numbered 0001, 0002, ... in order."""
    body: list[str] = []
    for n, text in enumerate(texts, start=1):
        segs = [s.strip() for s in text.split("~") if s.strip()]
        tx = segs[2:-2]  # ST .. SE
        st, se = tx[0].split("*"), tx[-1].split("*")
        st[2] = se[2] = f"{n:04d}"
        body += ["*".join(st), *tx[1:-1], "*".join(se)]
    first = [s.strip() for s in texts[0].split("~") if s.strip()]
    gs = first[1].split("*")
    segs = [first[0], first[1], *body, f"GE*{len(texts)}*{gs[6]}", first[-1]]
    text = "".join(s + "~\n" for s in segs)
    read_document(text, "self-check")
    return text


def _envelope(functional_id: str, version: str, control: int, date: str,
              body: list[list[str]]) -> str:
    """``body`` (ST .. SE, SE01 and ST02 filled in here) in one ISA / GS from the
    clearinghouse to the practice (the same envelope as the files in fixtures/acks/)."""
    body[-1][1:] = [str(len(body)), body[0][2]]
    segs = [["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'CLEARINGHOUSE':<15}", "ZZ",
             f"{'1234567893':<15}", date[2:], "0800", "^", "00501", f"{control:09d}", "0",
             "P", ":"],
            ["GS", functional_id, "CLEARINGHOUSE", "1234567893", date, "0800", str(control),
             "X", version],
            *body, ["GE", "1", str(control)], ["IEA", "1", f"{control:09d}"]]
    text = "".join("*".join(s) + "~\n" for s in segs)
    read_document(text, "self-check")
    return text


def build_999(group: int, set_number: int, *, accepted: bool, claim_id: str = "",
              date: str = "20250313", control: int = 701) -> str:
    """A 999 answering transaction set ``set_number`` of our 837P group ``group``: accepted,
    or rejected for an invalid character in the subscriber's member id (NM109), naming
    ``claim_id`` (CTX*CLM01) when given."""
    body = [["ST", "999", "0001", "005010X231A1"], ["AK1", "HC", str(group), "005010X222A1"],
            ["AK2", "837", f"{set_number:04d}", "005010X222A1"]]
    if accepted:
        body += [["IK5", "A"], ["AK9", "A", "1", "1", "1"]]
    else:
        body += [["IK3", "NM1", "17", "2010", "8"],
                 *([["CTX", f"CLM01:{claim_id}"]] if claim_id else []),
                 ["IK4", "9", "67", "6", "GAP55500!"], ["IK5", "R", "5"],
                 ["AK9", "R", "1", "1", "0"]]
    return _envelope("FA", "005010X231A1", control, date, [*body, ["SE"]])


@dataclass
class Status277:
    """One claim (2200D) of a :func:`build_277ca`: STC01 ``A2:20:PR`` accepts, ``A7:164:IL``
    rejects (the subscriber's member number)."""

    claim_id: str
    member_id: str
    category: str = "A2:20:PR"
    charge: str = "200"
    service_date: str = "20250220"
    last_name: str = "SAMPLE"
    first_name: str = "SAM"


def build_277ca(claims: list[Status277], *, batch_trace: str, date: str = "20250313",
                source: tuple[str, str, str] = ("PR", "GAP PLAN", "GAP01"),
                control: int = 801) -> str:
    """A 277CA from ``source`` (2100A entity code, name, id) answering ``claims``; its
    receiver trace (2200B TRN02) is ``batch_trace`` -- the BHT03 of the 837P it answers,
    when the payer echoes it."""
    rejected = [c for c in claims if not c.category.startswith(("A1", "A2"))]
    total = sum((Decimal(c.charge) for c in claims), Decimal(0))
    qualifier = "PI" if source[0] == "PR" else "46"
    body = [["ST", "277", "0001", "005010X214"],
            ["BHT", "0085", "08", "277CA0001", date, "1000", "TH"],
            ["HL", "1", "", "20", "1"], ["NM1", source[0], "2", source[1], "", "", "", "",
                                         qualifier, source[2]],
            ["TRN", "1", "0001"], ["DTP", "050", "D8", date], ["DTP", "009", "D8", date],
            ["HL", "2", "1", "21", "1"],
            ["NM1", "41", "2", "MOVING WELL EXERCISE LLC", "", "", "", "", "46", "1234567893"],
            ["TRN", "2", batch_trace], ["STC", "A1:19:PR", date, "WQ", str(total)],
            ["QTY", "90", str(len(claims) - len(rejected))], ["QTY", "AA", str(len(rejected))],
            ["HL", "3", "2", "19", "1"],
            ["NM1", "85", "2", "MOVING WELL EXERCISE LLC", "", "", "", "", "XX", "1234567893"],
            ["TRN", "1", "0"], ["STC", "A1:19:85", "", "WQ", str(total)]]
    for n, c in enumerate(claims, start=4):
        ok = c.category.startswith(("A1", "A2"))
        body += [["HL", str(n), "3", "PT"],
                 ["NM1", "QC", "1", c.last_name, c.first_name, "", "", "", "MI", c.member_id],
                 ["TRN", "2", c.claim_id],
                 ["STC", c.category, date, "WQ" if ok else "U", c.charge],
                 *([["REF", "1K", f"PCN{c.claim_id}"]] if ok else []),
                 ["DTP", "472", "D8", c.service_date]]
    return _envelope("HN", "005010X214", control, date, [*body, ["SE"]])
