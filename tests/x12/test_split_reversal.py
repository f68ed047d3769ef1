"""A payer reverses the first part of a claim it split (CLP02 22 of an answer that is not its
latest on file), the other part standing (DOMAIN.md, "One claim, several remittances": a
reversal reverses an earlier payment exactly; a split's answers both stand).

Found as a limitation: a reversal was read as undoing the payer's last CLP on file, so Acme's
reversal of its 03-10 answer, after its 03-24 answer of the other line, was refused ("a
reversal takes back exactly what was paid") and the biller could not import the ERA.

The practice is tests/x12/conftest.py's: C000101 (Sam Sample, Acme Health, $300.00 = line 1
97110 x2 $150 + line 2 97140 $100 on 2025-02-03, line 3 97530 $50 on 2025-02-05), sent
2025-03-03. Worked by hand as a biller reads Acme's three EOBs:

- 03-10 (A, ACM-78): lines 1-2, charge 250, paid 120 + 80 = 200, CO-45 30 + 20 = 50.
- 03-24 (B, ACM-79): line 3, charge 50, paid 40, CO-45 10. Every line settled: paid 240,
  contractual 60, insurance owes 300 - 240 - 60 = 0.
- 04-10: Acme reverses A (CLP02 22, ACM-78: charge -250, paid -200, CO-45 -30 and -20) and
  sends its corrected answer A' (ACM-78: lines 1-2, charge 250, paid 105 + 75 = 180, CO-45
  45 + 25 = 70). Payments 200 + 40 - 200 + 180 = 220; contractual 50 + 10 - 50 + 70 = 80;
  insurance owes 300 - 220 - 80 = 0: paid. B stands throughout. On 04-10 itself the payer's
  money moves by -200 + 180 = -20 and the write-off by -50 + 70 = +20.
- Without A' on 04-10 (the reversal alone): B's 40 + 10 stand, so insurance owes
  300 - 40 - 10 = 250 (lines 1-2, back in A/R), the claim is back to submitted and on
  "Payments taken back" for the 200; when A' comes alone on 05-01, paid as above.

The first adjudication is 03-10's (lines 1-2) with 03-24's (line 3, answered first there):
the reversal and the correction change none of it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from metdash import figures
from metdash import worklists as w
from metdash.figures.core import Filters
from metdash.store import Database, facts
from metdash.x12.post835 import import_835
from metdash.x12.write837 import write_837p

from .helpers import Claim, Line, build_835
from .test_answered import SENT, last_note

D = Decimal
YEAR = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31))

A = Claim("C000101", "1", "250", "200", payer_claim_number="ACM-78", lines=[
    Line("97110", "150", "120", units="2", cas=[("CO", "45", "30")]),
    Line("97140", "100", "80", cas=[("CO", "45", "20")])])
B = Claim("C000101", "1", "50", "40", payer_claim_number="ACM-79", lines=[
    Line("97530", "50", "40", date="20250205", cas=[("CO", "45", "10")])])
R = Claim("C000101", "22", "-250", "-200", payer_claim_number="ACM-78", lines=[
    Line("97110", "-150", "-120", units="2", cas=[("CO", "45", "-30")]),
    Line("97140", "-100", "-80", cas=[("CO", "45", "-20")])])
A2 = Claim("C000101", "1", "250", "180", payer_claim_number="ACM-78", lines=[
    Line("97110", "150", "105", units="2", cas=[("CO", "45", "45")]),
    Line("97140", "100", "75", cas=[("CO", "45", "25")])])

FIRST = build_835([A], trace="A-0310", date="20250310")
SECOND = build_835([B], trace="A-0324", date="20250324")
REVERSED_AND_CORRECTED = build_835([R, A2], trace="A-0410", date="20250410")
REVERSED = build_835([R], trace="A-0410", date="20250410", amount="-200")
CORRECTED = build_835([A2], trace="A-0501", date="20250501")

FIRST_PASS = ("first_claim_payment_id", "first_adjudication_date", "adjudicated", "denied",
              "claim_level_denied", "resolved", "first_split_ids")


def _post(db: Database, *files: str) -> None:
    for i, text in enumerate(files):
        s = import_835(db, [(f"f{i}.835", text.encode())], "biller")
        assert s.ok, s.errors


def _split(db: Database) -> None:
    """C000101 sent 03-03, answered in two parts (03-10 A, 03-24 B)."""
    write_837p(db, ["C000101"], user="biller", now=SENT)
    _post(db, FIRST, SECOND)


def _books(db: Database) -> tuple:
    """C000101's status, insurance balance, payer payments, contractual (claim_facts)."""
    return tuple(db.query("SELECT c.status, f.insurance_balance, f.paid, f.contractual "
                          "FROM claims c JOIN claim_facts f USING (claim_id) "
                          "WHERE claim_id = 'C000101'").iloc[0])


def _first_pass(db: Database) -> tuple:
    row = db.query(f"SELECT {', '.join(FIRST_PASS)} FROM claim_facts "  # noqa: S608
                   "WHERE claim_id = 'C000101'").iloc[0]
    return tuple(list(v) if k == "first_split_ids" else v for k, v in row.items())


def _by_day(db: Database) -> list[tuple]:
    """The ledger's payer payments and contractual write-offs of C000101, per day."""
    return db.query("""
        SELECT entry_date, sum(amount) FILTER (WHERE kind = 'payer_payment') AS paid,
               sum(amount) FILTER (WHERE kind = 'contractual') AS contractual
        FROM ledger WHERE claim_id = 'C000101' AND kind <> 'charge'
        GROUP BY entry_date ORDER BY entry_date""").values.tolist()


def _insurance_ar(db: Database, day: str) -> list[tuple]:
    """The open claims (insurance A/R) as of ``day``: claim, balance, bucket."""
    f = YEAR.replace(as_of=dt.date.fromisoformat(day))
    return [(r.claim_id, r.balance, r.bucket)
            for r in figures.oldest_open_claims(db, f).itertuples()]


def test_the_first_part_of_a_split_claim_reversed_and_corrected_is_paid(seeded):
    _split(seeded)
    assert _books(seeded) == ("paid", D("0.00"), D("240.00"), D("60.00"))
    first_pass = _first_pass(seeded)
    lines = figures.denial_summary(seeded, YEAR)
    s = import_835(seeded, [("a0410.835", REVERSED_AND_CORRECTED.encode())], "biller")
    assert s.ok, s.errors   # it was refused: the reversal was compared with B, Acme's last
    assert s.notes == []    # A' with B answers the whole $300: nothing said "in part"
    # 220 paid, 80 contractual, insurance owes 0: paid, read with B
    assert _books(seeded) == ("paid", D("0.00"), D("220.00"), D("80.00"))
    assert last_note(seeded) == ("paid 220.00 in all, with the payer's earlier answer of other "
                                 "lines — 835 trace A-0410")
    # A's payment and write-off undone on 04-10, the reversal's date, and A' posted that day
    assert _by_day(seeded) == [[dt.date(2025, 3, 10), D("200.00"), D("50.00")],
                               [dt.date(2025, 3, 24), D("40.00"), D("10.00")],
                               [dt.date(2025, 4, 10), D("-20.00"), D("20.00")]]
    # B stands: Acme's current adjudication is A' + B
    assert seeded.query("SELECT allowed, answered FROM claim_facts "
                        "WHERE claim_id = 'C000101'").values.tolist() == [[D("220.00"),
                                                                          D("300.00")]]
    # the first adjudication is still 03-10's with 03-24's line 3
    assert _first_pass(seeded) == first_pass
    assert figures.denial_summary(seeded, YEAR) == lines
    assert (lines["lines_adjudicated"], lines["lines_denied"]) == (3, 0)
    # nothing owed, on no work list, in no A/R as of 04-10 or later
    assert _insurance_ar(seeded, "2025-03-31") == []
    assert _insurance_ar(seeded, "2025-04-30") == []
    assert w.payments_taken_back(seeded, dt.date(2025, 4, 30)).empty
    assert w.claims_unpaid_past_lag(seeded, dt.date(2025, 5, 30)).empty
    with seeded.connect() as con:
        assert facts.check(con) == []
    # the reversal names A, the answer it reverses
    assert seeded.query("""
        SELECT r.status_code, t.payer_claim_number, t.paid, rm.payment_date
        FROM claim_payments r JOIN claim_payments t ON t.claim_payment_id = r.reverses_id
        JOIN remittances rm ON rm.remittance_id = t.remittance_id""").values.tolist() == [
        ["22", "ACM-78", D("200.00"), dt.date(2025, 3, 10)]]


def test_importing_the_reversal_again_changes_nothing(seeded):
    _split(seeded)
    _post(seeded, REVERSED_AND_CORRECTED)
    books, ledger = _books(seeded), _by_day(seeded)
    s = import_835(seeded, [("again.835", REVERSED_AND_CORRECTED.encode())], "biller")
    assert s.ok and s.results[0].outcome == "already_imported"
    assert (_books(seeded), _by_day(seeded)) == (books, ledger)
    assert seeded.scalar("SELECT count(*) FROM claim_payments") == 4


def test_the_first_part_reversed_alone_is_owed_again_and_taken_back(seeded):
    _split(seeded)
    _post(seeded, REVERSED)
    # B's 40 and 10 stand: insurance owes 300 - 40 - 10 = 250 (lines 1-2), back to submitted
    assert _books(seeded) == ("submitted", D("250.00"), D("40.00"), D("10.00"))
    assert _by_day(seeded)[-1] == [dt.date(2025, 4, 10), D("-200.00"), D("-50.00")]
    # back in A/R from 04-10 (service 02-03: 66 days old on 04-10, 61-90), not before
    assert _insurance_ar(seeded, "2025-04-09") == []
    assert _insurance_ar(seeded, "2025-04-15") == [("C000101", D("250.00"), "61-90")]
    agings = figures.ar_agings(seeded, YEAR.replace(as_of=dt.date(2025, 4, 15)))
    assert agings["insurance"].set_index("bucket").loc["61-90"].tolist() == [1, D("250.00")]
    # on "Payments taken back": 200 taken back on 04-10, 250 owed
    got = w.payments_taken_back(seeded, dt.date(2025, 4, 15))
    assert [(r.claim_id, r.how, r.taken_back_date, r.taken_back, r.insurance_owes)
            for r in got.itertuples()] == [
        ("C000101", "reversed (CLP02 22), not processed again", dt.date(2025, 4, 10),
         D("200.00"), D("250.00"))]
    assert w.claims_unpaid_past_lag(seeded, dt.date(2025, 4, 15)).empty
    with seeded.connect() as con:
        assert facts.check(con) == []
    # A' on 05-01, alone: read with B, paid; off the list
    s = import_835(seeded, [("a0501.835", CORRECTED.encode())], "biller")
    assert s.ok and s.notes == [], (s.errors, s.notes)
    assert _books(seeded) == ("paid", D("0.00"), D("220.00"), D("80.00"))
    assert w.payments_taken_back(seeded, dt.date(2025, 5, 15)).empty
    assert _insurance_ar(seeded, "2025-05-15") == []
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_reversal_matching_no_answer_on_file_is_refused(seeded):
    # Acme "reverses" 190 of A's 200: no answer of C000101 on file was paid 190 (A 200, B 40)
    _split(seeded)
    wrong = Claim("C000101", "22", "-250", "-190", payer_claim_number="ACM-78",
                  cas=[("CO", "45", "-60")])
    s = import_835(seeded, [("bad.835", build_835([wrong], trace="A-0410", date="20250410",
                                                  amount="-190").encode())], "biller")
    assert not s.ok
    assert ("claim C000101 is reversed (CLP02 22) for charge -250.00, paid -190.00, but the "
            "payments it could reverse (ACME HEALTH, 2025-03-10: charge 250.00, paid 200.00; "
            "2025-03-24: charge 50.00, paid 40.00) are not that") in s.errors[0]
    assert _books(seeded) == ("paid", D("0.00"), D("240.00"), D("60.00"))   # nothing posted
    # A reversed once cannot be reversed again: B is what is left to reverse
    _post(seeded, REVERSED_AND_CORRECTED)
    s = import_835(seeded, [("twice.835", build_835([R], trace="A-0420", date="20250420",
                                                    amount="-200").encode())], "biller")
    assert not s.ok and "charge 250.00, paid 180.00" in s.errors[0]


def test_two_parts_of_the_same_amounts_the_reversal_takes_back_the_one_it_names(seeded):
    """Acme answers line 1 (97110 $150: paid 120, CO-45 30, ACM-81) on 03-10 and lines 2-3
    (97140 $100 + 97530 $50 = $150: paid 80 + 40 = 120, CO-45 20 + 10, ACM-82) on 03-24.
    On 04-10 it reverses ACM-81 (-150, -120: the amounts of either answer) and pays line 1
    again at 100 (CO-45 50). The reversal names ACM-81, so line 1's answer is the one taken
    back and lines 2-3's stands: insurance owes 300 - (100 + 120) - (50 + 30) = 0, paid.
    (Had it taken back ACM-82, Acme's latest, lines 2-3 would owe their 150 again.)"""
    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    line_1 = [Line("97110", "150", "120", units="2", cas=[("CO", "45", "30")])]
    one = Claim("C000101", "1", "150", "120", payer_claim_number="ACM-81", lines=line_1)
    rest = Claim("C000101", "1", "150", "120", payer_claim_number="ACM-82", lines=[
        Line("97140", "100", "80", cas=[("CO", "45", "20")]),
        Line("97530", "50", "40", date="20250205", cas=[("CO", "45", "10")])])
    back = Claim("C000101", "22", "-150", "-120", payer_claim_number="ACM-81", lines=[
        Line("97110", "-150", "-120", units="2", cas=[("CO", "45", "-30")])])
    again = Claim("C000101", "1", "150", "100", payer_claim_number="ACM-81", lines=[
        Line("97110", "150", "100", units="2", cas=[("CO", "45", "50")])])
    _post(seeded, build_835([one], trace="B-0310", date="20250310"),
          build_835([rest], trace="B-0324", date="20250324"),
          build_835([back, again], trace="B-0410", date="20250410"))
    assert _books(seeded) == ("paid", D("0.00"), D("220.00"), D("80.00"))
    assert seeded.scalar("""
        SELECT t.payer_claim_number FROM claim_payments r
        JOIN claim_payments t ON t.claim_payment_id = r.reverses_id""") == "ACM-81"
    with seeded.connect() as con:
        assert facts.check(con) == []
