"""A secondary's 835 that repeats the primary's contractual write-off, worked by hand.

The practice and the primaries' 835s are tests/x12/test_secondary.py's:

- C000201 (Sam, $200, billed to Acme): Acme paid 120, CO-45 40, PR-2 40 (line 1: 72, 24, 24;
  line 2: 48, 16, 16). The 40 of coinsurance waits for the Gap Plan (Sam's secondary):
  insurance A/R 40.
- C000102 (Eve, $120, Medicare, a crossover): paid 76.80, CO-45 24, PR-2 19.20. Insurance A/R
  19.20, owed by the Gap Plan.

The 5010 guide has a secondary report what the primary settled as OA-23 alone
(tests/x12/test_secondary.py). Many secondaries (Medicaid, Medigap plans) instead repeat the
primary's CO-45 and give only the primary's payment as OA-23. Both forms say the same: the
write-off was taken once, by the primary. A biller posting the secondary takes no second
write-off. Only what the secondary writes off beyond the primary's is a new contractual
adjustment, for example a Medicaid secondary that allows less than the primary's cost share.

Worked on paper (insurance A/R after the Gap Plan's 835; contractual = the claim's
contractual adjustments, each write-off once):

1. C000102, CO-45 24 + OA-23 76.80 + paid 19.20 = 120. The Gap Plan's CO-45 24 and OA-23 76.80
   together are 100.80 = what Medicare settled (76.80 paid + 24 written off): no new write-off.
   Insurance 19.20 - 19.20 = 0; patient 0; contractual 24; paid 76.80 + 19.20 = 96.
2. C000201, line by line: line 1 CO-45 24 + OA-23 72 + PR-2 4.80 + paid 19.20 = 120; line 2
   CO-45 16 + OA-23 48 + PR-2 3.20 + paid 12.80 = 80. Together CO-45 40 + OA-23 120 = 160 =
   Acme's 120 paid + 40 written off: no new write-off. Insurance 40 - 32 paid - 8 (the Gap
   Plan's coinsurance, Sam's) = 0; patient 8; contractual 40; paid 152.
3. C000102, a secondary that allows less: paid 10, CO-45 33.20, OA-23 76.80 (10 + 33.20 + 76.80
   = 120). CO-45 + OA-23 = 110 against 100.80 settled by Medicare: 9.20 is the Gap Plan's own
   write-off of Eve's coinsurance. Insurance 19.20 - 10 - 9.20 = 0; patient 0; contractual
   24 + 9.20 = 33.20.
4. The same answer in the guide's form: paid 10, OA-23 100.80, CO-45 9.20. The same books as 3.
5. Case 1 on a paper EOB typed by hand: the same books as 1.
6. The Gap Plan's 835 of 2 imported before Acme's (files arrive in any order): once both are
   on file, the same books as 2. Before Acme's, the Gap Plan's CO-45 40 is the only write-off
   on file: insurance 200 - 32 - 40 - 8 = 120 (Acme's share, still owed), patient 8.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash import figures
from metdash.figures import Filters
from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835
from .test_secondary import _acme_835, _medicare_835, _setup

D = dt.date
M = Decimal


@pytest.fixture
def primary_paid(seeded):
    """The practice after Acme's and Medicare's 835s (the module docstring's starting books)."""
    _setup(seeded)
    s = import_835(seeded, [("acme.835", _acme_835()), ("mcr.835", _medicare_835())], "biller")
    assert s.ok, s.errors
    return seeded


def _gap(claims: list[Claim], trace: str = "GAP-0324") -> list[tuple[str, bytes]]:
    return [("gap.835", build_835(claims, trace=trace, payer="GAP PLAN",
                                  originator="1777777777", date="20250324").encode())]


def _facts(db, claim_id):
    return db.query("SELECT insurance_balance, patient_balance, contractual, paid "
                    "FROM claim_facts WHERE claim_id = ?", [claim_id]).iloc[0].tolist()


def _eve(paid: str, cas: list[tuple[str, str, str]]) -> Claim:
    return Claim("C000102", "2", "120", paid, payer_claim_number="GAP-10", cas=cas)


def _sam_lines() -> Claim:
    return Claim("C000201", "2", "200", "32", pr="8", payer_claim_number="GAP-9",
                 lines=[Line("97110", "120", "19.20", date="20250220", mods=["GP"], units="2",
                             cas=[("CO", "45", "24"), ("OA", "23", "72"), ("PR", "2", "4.80")],
                             control="C000201-1"),
                        Line("97140", "80", "12.80", date="20250220", mods=["GP"],
                             cas=[("CO", "45", "16"), ("OA", "23", "48"), ("PR", "2", "3.20")],
                             control="C000201-2")])


def test_a_repeated_write_off_is_taken_once(primary_paid):
    s = import_835(primary_paid, _gap([_eve("19.20", [("CO", "45", "24"),
                                                      ("OA", "23", "76.80")])]), "biller")
    assert s.ok, s.errors
    assert _facts(primary_paid, "C000102") == [M("0.00"), M("0.00"), M("24.00"), M("96.00")]


def test_a_repeated_write_off_line_by_line_is_taken_once(primary_paid):
    s = import_835(primary_paid, _gap([_sam_lines()]), "biller")
    assert s.ok, s.errors
    assert _facts(primary_paid, "C000201") == [M("0.00"), M("8.00"), M("40.00"), M("152.00")]
    # The contractual adjustments figure counts Acme's 40 and Medicare's 24 (C000102 is
    # Medicare's only), not the Gap Plan's repeat of Acme's.
    f = Filters(date_from=D(2025, 2, 1), date_to=D(2025, 3, 31), as_of=D(2025, 3, 31))
    assert figures.kpis(primary_paid, f)["contractual_adjustments"] == M("64.00")


def test_a_secondarys_own_write_off_beyond_the_primarys_is_taken(primary_paid):
    s = import_835(primary_paid, _gap([_eve("10", [("CO", "45", "33.20"),
                                                   ("OA", "23", "76.80")])]), "biller")
    assert s.ok, s.errors
    assert _facts(primary_paid, "C000102") == [M("0.00"), M("0.00"), M("33.20"), M("86.80")]


def test_the_guides_form_posts_the_same(primary_paid):
    s = import_835(primary_paid, _gap([_eve("10", [("OA", "23", "100.80"),
                                                   ("CO", "45", "9.20")])]), "biller")
    assert s.ok, s.errors
    assert _facts(primary_paid, "C000102") == [M("0.00"), M("0.00"), M("33.20"), M("86.80")]


def test_the_secondarys_835_before_the_primarys(seeded):
    _setup(seeded)
    s = import_835(seeded, _gap([_sam_lines()]), "biller")
    assert s.ok, s.errors
    assert _facts(seeded, "C000201") == [M("120.00"), M("8.00"), M("40.00"), M("32.00")]
    s = import_835(seeded, [("acme.835", _acme_835())], "biller")
    assert s.ok, s.errors
    assert _facts(seeded, "C000201") == [M("0.00"), M("8.00"), M("40.00"), M("152.00")]


def test_a_paper_eob_that_repeats_the_write_off(primary_paid):
    from metdash.entry import AdjustmentIn, EobIn, post_eob

    eob = EobIn("C000102", D(2025, 3, 24), paid="19.20", payer_id=3,
                adjustments=[AdjustmentIn("CO", "45", "24"), AdjustmentIn("OA", "23", "76.80")])
    post_eob(primary_paid, eob, "biller", as_of=D(2025, 3, 31))
    assert _facts(primary_paid, "C000102") == [M("0.00"), M("0.00"), M("24.00"), M("96.00")]
