"""Matching an 835's service lines (SVC) to our claim lines (DOMAIN.md, "Matching lines"):
the line item control number (REF*6R) our 837P sent first, then CPT + service date + units,
then CPT + date; the SVCs a payer split one billed line into are that one line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from metdash.store import facts
from metdash.x12.model837 import line_control_number
from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835


def _lines(db, claim_id: str) -> list[tuple]:
    with db.connect() as con:
        return con.execute(
            "SELECT lp.cpt, lp.units, lp.paid, lp.line_no, lp.line_control_number "
            "FROM line_payments lp JOIN claim_payments cp USING (claim_payment_id) "
            "WHERE cp.claim_id = ? ORDER BY lp.line_payment_id", [claim_id]).fetchall()


def _facts(db, claim_id: str) -> tuple:
    with db.connect() as con:
        return con.execute("SELECT insurance_balance, patient_balance, status FROM claim_facts "
                           "WHERE claim_id = ?", [claim_id]).fetchall()[0]


def test_line_control_number():
    assert line_control_number("C000101", 2) == "C000101-2"
    assert line_control_number("c*01:x", 12) == "C 01 X-12"  # X12-safe, as CLM01 is written
    assert len(line_control_number("C" * 60, 50)) == 50


def test_a_split_line_posts_to_its_one_billed_line(seeded):
    """C000101 (charge 300): line 1 97110 x2 150, line 2 97140 100, line 3 97530 50.
    The payer splits line 1 into 1 unit paid and 1 unit denied (CO-151, frequency):

      SVC 97110 x1  75: paid 60, CO-45 15         REF*6R C000101-1
      SVC 97110 x1  75: paid  0, CO-151 75        REF*6R C000101-1
      SVC 97140 x1 100: paid 70, CO-45 20, PR-3 10 REF*6R C000101-2
      SVC 97530 x1  50: paid 40, CO-45 10         REF*6R C000101-3

    CLP: charge 300, paid 170 (300 − CO-45 45 − CO-151 75 − PR-3 10), patient resp. 10.
    By hand: insurance A/R = 300 − 170 paid − 45 contractual − 10 moved to the client = 75
    (the denied unit stays owed until appealed, moved or written off); patient A/R = 10; the
    claim is partially paid; line 1 is one line (paid 60, denied)."""
    lines = [Line("97110", "75", "60", mods=["GP"], cas=[("CO", "45", "15")],
                  control="C000101-1"),
             Line("97110", "75", "0", mods=["GP"], cas=[("CO", "151", "75")],
                  control="C000101-1"),
             Line("97140", "100", "70", mods=["GP", "59"],
                  cas=[("CO", "45", "20"), ("PR", "3", "10")], control="C000101-2"),
             Line("97530", "50", "40", date="20250205", cas=[("CO", "45", "10")],
                  control="C000101-3")]
    text = build_835([Claim("C000101", "1", "300", "170", pr="10", lines=lines)], trace="S1")
    s = import_835(seeded, [("split.835", text.encode())], "biller")
    assert s.ok and s.matched == 1
    assert _lines(seeded, "C000101") == [
        ("97110", 1, Decimal("60.00"), 1, "C000101-1"),
        ("97110", 1, Decimal("0.00"), 1, "C000101-1"),
        ("97140", 1, Decimal("70.00"), 2, "C000101-2"),
        ("97530", 1, Decimal("40.00"), 3, "C000101-3")]
    assert _facts(seeded, "C000101") == (Decimal("75.00"), Decimal("10.00"), "partially_paid")
    line_facts = seeded.query("SELECT line_no, units, charge, paid, denied FROM line_facts "
                              "WHERE claim_id = 'C000101' ORDER BY line_no")
    assert line_facts.values.tolist() == [[1, 2, Decimal("150.00"), Decimal("60.00"), True],
                                          [2, 1, Decimal("100.00"), Decimal("70.00"), False],
                                          [3, 1, Decimal("50.00"), Decimal("40.00"), False]]
    with seeded.connect() as con:
        assert facts.check(con) == []
    # Denial rates at first adjudication: 1 of 3 lines; in dollars only the denied unit's
    # charge, 75 of 300 = 25 % (it counted line 1's whole 150, 50 %, before: the paid unit
    # is not denied).
    from metdash.figures import Filters, denial_summary
    d = denial_summary(seeded, Filters(date(2025, 1, 1), date(2025, 12, 31)))
    assert (d["charges_adjudicated"], d["charges_denied"]) == (300.0, 75.0)
    assert d["denial_rate_dollars"] == 0.25 and round(d["denial_rate_lines"], 4) == 0.3333


def test_a_split_line_without_control_numbers(seeded):
    """A payer that does not echo REF*6R: 97110 x1 matches no line by units (ours is x2), so
    both SVCs fall back to CPT + date: the first takes line 1, the second is its split."""
    lines = [Line("97110", "75", "75"), Line("97110", "75", "75"),
             Line("97140", "100", "100"), Line("97530", "50", "50", date="20250205")]
    text = build_835([Claim("C000101", "1", "300", "300", lines=lines)], trace="S2")
    import_835(seeded, [("split.835", text.encode())], "biller")
    assert [r[3] for r in _lines(seeded, "C000101")] == [1, 1, 2, 3]
    assert _facts(seeded, "C000101") == (Decimal("0.00"), Decimal("0.00"), "paid")


def test_the_control_number_wins_over_a_recoded_procedure(seeded):
    """The payer adjudicated line 2 (billed 97140) as 97112: only REF*6R finds it."""
    lines = [Line("97110", "150", "150", control="C000101-1"),
             Line("97112", "100", "100", control="C000101-2"),
             Line("97530", "50", "50", date="20250205", control="C000101-3")]
    text = build_835([Claim("C000101", "1", "300", "300", lines=lines)], trace="R1")
    import_835(seeded, [("recoded.835", text.encode())], "biller")
    assert [(r[0], r[3]) for r in _lines(seeded, "C000101")] == [
        ("97110", 1), ("97112", 2), ("97530", 3)]


def test_a_control_number_of_another_claim_is_not_used(seeded):
    """C000102's control number sent on C000101's SVC names none of C000101's lines: CPT +
    date decide (the inteligenz sample echoes values like REF*6R*444444 that are not ours)."""
    lines = [Line("97530", "50", "50", date="20250205", control="C000102-1"),
             Line("97110", "150", "150", control="444444"),
             Line("97140", "100", "100")]
    text = build_835([Claim("C000101", "1", "300", "300", lines=lines)], trace="O1")
    import_835(seeded, [("other.835", text.encode())], "biller")
    assert [(r[0], r[3], r[4]) for r in _lines(seeded, "C000101")] == [
        ("97530", 3, "C000102-1"), ("97110", 1, "444444"), ("97140", 2, None)]


def test_units_decide_between_two_lines_of_one_procedure_and_day(seeded):
    """Two 97110 lines on one day (x1 75 and x2 150): without REF*6R the units tell them apart,
    whatever order the payer sends them in."""
    with seeded.transaction() as con:
        con.execute("INSERT INTO claims (claim_id, client_id, payer_id, coverage_id, status, "
                    "diagnosis_codes, total_charge, first_service_date) VALUES ('C000104', "
                    "'K001', 1, 1, 'ready', ['M54.50'], 225, DATE '2025-02-12')")
        con.execute("INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, "
                    "units, charge, dx_pointers) VALUES "
                    "('C000104', 1, DATE '2025-02-12', '97110', ['GP'], 1, 75, [1]), "
                    "('C000104', 2, DATE '2025-02-12', '97110', ['GP', '59'], 2, 150, [1])")
    lines = [Line("97110", "150", "150", date="20250212", units="2"),
             Line("97110", "75", "75", date="20250212", units="1")]
    text = build_835([Claim("C000104", "1", "225", "225", lines=lines)], trace="U1")
    import_835(seeded, [("units.835", text.encode())], "biller")
    assert [(r[1], r[3]) for r in _lines(seeded, "C000104")] == [(2, 2), (1, 1)]
