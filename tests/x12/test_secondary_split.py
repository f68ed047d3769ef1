"""A secondary claim after the primary split its answer over two 835s (stop 51's "found and
left": the secondary was billed from the primary's latest CLP only).

The practice is tests/x12/test_secondary.py's: C000201 (Sam, served 2025-02-20, $200 = line 1
97110 x2 $120 + line 2 97140 $80), primary Acme Health, secondary Gap Plan; sent 02-21.

Worked by hand, as a biller reads the two EOBs:

  Acme, 2025-03-10 (claim ACM-77), line 1 only: CLP03 120, paid 72, CO-45 24, PR-2 24.
    Insurance A/R 200 − 72 − 24 = 104: the 24 coinsurance owed by the Gap Plan, the 80 of
    line 2 still owed by Acme (never answered). Nothing to bill the Gap Plan yet: its claim
    carries Acme's answer for every line, and Acme has answered $120 of $200.
  Acme, 2025-03-24 (claim ACM-78), line 2 only: CLP03 80, paid 48, CO-45 16, PR-2 16.
    Both answers stand (one answers line 1, the other line 2). Acme in all: paid 72 + 48 = 120,
    contractual 24 + 16 = 40, coinsurance 24 + 16 = 40. Insurance A/R 200 − 120 − 40 = 40,
    owed by the Gap Plan; Sam owes nothing yet.
  The Gap Plan is billed for the 40: its 837P carries Acme as one payer (2320 AMT*D 120,
  AMT*EAF 40, 2330B with the last answer's claim number, ACM-78; no 2330B date, as each line
  has its own in 2430), and each line with the answer that settled it: line 1 paid 72 (CO-45 24, PR-2 24) on 03-10, line 2 paid 48
  (CO-45 16, PR-2 16) on 03-24. The guide's balancing: 120 = 72 + 24 + 24, 80 = 48 + 16 + 16,
  200 = 120 + 0 claim-level + 80 of line adjustments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash.errors import X12ExportError
from metdash.x12.post835 import import_835
from metdash.x12.secondary import secondary_claims_to_bill, write_secondary_837p
from metdash.x12.validate import pyx12_validate

from .helpers import Claim, Line, build_835
from .test_secondary import _balances, _segments, _setup

M = Decimal
LINE_1 = Line("97110", "120", "72", date="20250220", mods=["GP"], units="2",
              cas=[("CO", "45", "24"), ("PR", "2", "24")], control="C000201-1")
LINE_2 = Line("97140", "80", "48", date="20250220", mods=["GP"],
              cas=[("CO", "45", "16"), ("PR", "2", "16")], control="C000201-2")


def _acme(line: Line, charge: str, paid: str, pr: str, number: str, trace: str,
          date: str) -> list[tuple[str, bytes]]:
    return [(f"{trace}.835", build_835(
        [Claim("C000201", "1", charge, paid, pr=pr, payer_claim_number=number, lines=[line])],
        trace=trace, date=date).encode())]


@pytest.fixture
def first_part(seeded):
    _setup(seeded)
    assert import_835(seeded, _acme(LINE_1, "120", "72", "24", "ACM-77", "ACME-0310",
                                    "20250310"), "biller").ok
    return seeded


@pytest.fixture
def both_parts(first_part):
    assert import_835(first_part, _acme(LINE_2, "80", "48", "16", "ACM-78", "ACME-0324",
                                        "20250324"), "biller").ok
    return first_part


def test_a_claim_answered_in_part_is_not_billed_to_the_secondary_yet(first_part):
    assert _balances(first_part, "C000201") == (M("104.00"), M("0.00"))
    assert secondary_claims_to_bill(first_part, dt.date(2025, 3, 11)).empty
    with pytest.raises(X12ExportError) as err:
        write_secondary_837p(first_part, ["C000201"], user="biller",
                             now=dt.datetime(2025, 3, 11, 9, 0))
    assert ("Claim C000201: Acme Health has answered $120.00 of the $200.00 billed; the "
            "secondary claim carries its answer for every line: wait for the rest (Work "
            "lists → Claims unpaid past the usual lag follows it up).") in err.value.problems


def test_both_answers_of_a_split_claim_are_billed_to_the_secondary(both_parts):
    assert _balances(both_parts, "C000201") == (M("40.00"), M("0.00"))
    frame = secondary_claims_to_bill(both_parts, dt.date(2025, 3, 25))
    assert frame.claim_id.tolist() == ["C000201"]
    row = frame.iloc[0]
    assert (row.payer, row.next_payer, row.payer_sequence) == ("Acme Health", "Gap Plan", "S")
    assert (row.prior_paid, row.contractual, row.cost_share, row.cob, row.next_payer_share,
            row.owed) == (M("120.00"), M("40.00"), M("40.00"), M("0.00"), M("40.00"),
                          M("40.00"))
    assert (row.adjudicated_date, row.days_since) == (dt.date(2025, 3, 24), 1)


def test_the_secondary_837p_carries_each_lines_own_answer(both_parts):
    text = write_secondary_837p(both_parts, ["C000201"], user="biller",
                                now=dt.datetime(2025, 3, 26, 9, 0))
    assert pyx12_validate(text) == []
    segs = _segments(text)
    at = segs.index("SBR*P*18*GRP9******CI")
    assert segs[at:at + 8] == [
        "SBR*P*18*GRP9******CI", "AMT*D*120", "AMT*EAF*40", "OI***Y***Y",
        "NM1*IL*1*SAMPLE*SAM****MI*ACM000111", "NM1*PR*2*ACME HEALTH*****PI*ACME1",
        "REF*F8*ACM-78", "LX*1"]
    svd = [i for i, s in enumerate(segs) if s.startswith("SVD*")]
    assert [segs[i:i + 4] for i in svd] == [
        ["SVD*ACME1*72*HC:97110:GP**2", "CAS*CO*45*24", "CAS*PR*2*24", "DTP*573*D8*20250310"],
        ["SVD*ACME1*48*HC:97140:GP**1", "CAS*CO*45*16", "CAS*PR*2*16", "DTP*573*D8*20250324"]]
    assert secondary_claims_to_bill(both_parts, dt.date(2025, 3, 26)).empty
