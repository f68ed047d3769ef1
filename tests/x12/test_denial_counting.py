"""Denials counted as a biller counts them (helper-67's new-user trial, issue 18):

- a payer that denies a line again (a reprocessing with no reversal, an appeal upheld) has
  not made a new denial: the reasons, their months and the payer's denied dollars count it
  once, at the remittance that first denied it;
- a claim a payer split over two 835s is adjudicated for the first time line by line: the
  lines the later CLP answers first are in the first-adjudication figures (the line denial
  rates), and a denial among them is a denial at first adjudication.

The practice is tests/x12/conftest.py's: C000101 (Acme Health, $300.00 = line 1 97110 x2
$150 + line 2 97140 $100 on 2025-02-03, line 3 97530 $50 on 2025-02-05), sent 2025-03-03.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from metdash import figures
from metdash.figures.core import Filters
from metdash.store import facts
from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835
from .test_answered import answer_line_3, lines_1_and_2, sent_and_answered_in_part

YEAR = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
DENIED_3 = [Line("97530", "50", "0", date="20250205", cas=[("CO", "197", "50")])]


def reasons(db):
    return figures.denial_reasons(db, YEAR)[["group", "carc", "claims", "lines", "amount"]] \
        .values.tolist()


def test_a_line_denied_again_for_the_same_reason_is_one_denial(seeded):
    # 03-10: lines 1-2 paid 200 (CO-45 50), line 3 denied CO-197 $50 (no authorization).
    # 04-10: Acme reprocesses line 3 (no reversal) and denies it again, CO-197 $50.
    # By hand: one denial of $50 for CO-197 on one claim and one line, in March; the new
    # user's store said $100 (every adjudication's CAS added up).
    from metdash.x12.write837 import write_837p

    write_837p(seeded, ["C000101"], user="biller", now=dt.datetime(2025, 3, 3, 9, 30))
    assert import_835(seeded, [("first.835", build_835([Claim(
        "C000101", "1", "300", "200", lines=lines_1_and_2() + DENIED_3)]).encode())],
        "biller").ok
    assert answer_line_3(seeded, "0", [("CO", "197", "50")], "TRACE2", "20250410").ok
    assert reasons(seeded) == [["CO", "197", 1, 1, Decimal("50.00")]]
    monthly = figures.denial_reasons_monthly(seeded, YEAR)
    assert monthly[["month", "reason", "amount"]].values.tolist() == [
        [dt.date(2025, 3, 1), "CO-197", 50.0]]
    by_payer = figures.denial_reasons_by_payer(seeded, YEAR)
    assert by_payer[["payer", "reason", "amount"]].values.tolist() == [
        ["Acme Health", "CO-197", 50.0]]
    # Denied again on 05-12 for another reason, CO-16 $50 (information missing): still the
    # one $50 denial of March, CO-197 (helper-69, from DOMAIN.md alone: "never both rows
    # adding to $100: only $50 was ever denied"); CO-16 is line 3's current state, on the
    # denial work list.
    assert answer_line_3(seeded, "0", [("CO", "16", "50")], "TRACE3", "20250512").ok
    assert reasons(seeded) == [["CO", "197", 1, 1, Decimal("50.00")]]
    from metdash.worklists import denials_to_appeal

    listed = denials_to_appeal(seeded, dt.date(2025, 5, 20))
    assert listed.claim_id.tolist() == ["C000101"] and "CO-16" in listed.reasons.iloc[0]
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_split_claims_later_part_is_adjudicated_first_line_by_line(seeded):
    # 03-10: lines 1-2 paid 200 (CO-45 50): 2 lines adjudicated, none denied, $250.
    # 03-24: line 3, answered for the first time, denied CO-197 $50.
    # By hand: 3 lines adjudicated at first, 1 denied: 33.3 %; $50 of $300 denied: 16.7 %.
    # The claim was denied at its first adjudication (a line of it was): 1 of 1 claims.
    # (It read 2 lines, 0 denied, and the claim not denied, while the reasons and the
    # denial work list named the CO-197.)
    sent_and_answered_in_part(seeded)
    assert answer_line_3(seeded, "0", [("CO", "197", "50")], "TRACE2", "20250324").ok
    got = figures.denial_summary(seeded, YEAR)
    assert (got["lines_adjudicated"], got["lines_denied"]) == (3, 1)
    assert (got["charges_adjudicated"], got["charges_denied"]) == (300.0, 50.0)
    assert (got["claims_adjudicated"], got["claims_denied"]) == (1, 1)
    assert reasons(seeded) == [["CO", "197", 1, 1, Decimal("50.00")]]
    # An appeal of line 3 paid on 04-21 is not a first adjudication: the figures stay.
    assert answer_line_3(seeded, "40", [("CO", "45", "10")], "TRACE3", "20250421").ok
    again = figures.denial_summary(seeded, YEAR)
    assert (again["lines_adjudicated"], again["lines_denied"], again["claims_denied"]) == \
        (3, 1, 1)
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_split_claim_paid_in_parts_has_every_line_adjudicated_and_none_denied(seeded):
    # 03-10 lines 1-2 paid; 03-24 line 3 paid 40 (CO-45 10): 3 lines, $300 adjudicated,
    # nothing denied.
    sent_and_answered_in_part(seeded)
    assert answer_line_3(seeded, "40", [("CO", "45", "10")], "TRACE2", "20250324").ok
    got = figures.denial_summary(seeded, YEAR)
    assert (got["lines_adjudicated"], got["lines_denied"], got["charges_adjudicated"]) == \
        (3, 0, 300.0)
    assert got["claims_denied"] == 0
