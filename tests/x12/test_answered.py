"""An 835 that answers a claim in part, or a claim never sent (issue 18's new-user trial: a
claim answered for $104 of $152 was marked paid and sat on no work list; a ready claim was
paid with no word).

The practice is tests/x12/conftest.py's: C000101 (Sam Sample, Acme Health, $300.00 = line 1
97110 x2 $150 + line 2 97140 $100 on 2025-02-03, line 3 97530 $50 on 2025-02-05) and C000102
(Eve Example, Medicare Part B, $120.00), both ready.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from metdash.store import Database, facts
from metdash.x12.post835 import import_835
from metdash.x12.write837 import write_837p

from .helpers import Claim, Line, build_835

SENT = dt.datetime(2025, 3, 3, 9, 30)


def lines_1_and_2() -> list[Line]:
    return [Line("97110", "150", "120", units="2", cas=[("CO", "45", "30")]),
            Line("97140", "100", "80", cas=[("CO", "45", "20")])]


def sent_and_answered_in_part(db: Database, name: str = "first.835") -> None:
    """C000101 sent on 03-03 and answered on 03-10 for lines 1 and 2 only ($250 of $300)."""
    write_837p(db, ["C000101"], user="biller", now=SENT)
    import_835(db, [(name, build_835(
        [Claim("C000101", "1", "250", "200", lines=lines_1_and_2())]).encode())], "biller")


def answer_line_3(db: Database, paid: str, cas: list, trace: str, date: str):
    """A later 835 answering line 3 alone (97530, $50)."""
    return import_835(db, [(f"{trace}.835", build_835(
        [Claim("C000101", "1", "50", paid, lines=[Line("97530", "50", paid, date="20250205",
                                                        cas=cas)])],
        trace=trace, date=date).encode())], "biller")


def line_3_left(name: str) -> str:
    """The import's note for C000101 answered for $250 of its $300, line 3 left out."""
    return (f"{name}: claim C000101: the payer answered for $250.00 of the $300.00 billed; "
            "line 3 (97530, Feb 05, 2025) is not on it. Insurance still owes the $50.00 not "
            "answered: a payer that splits a claim answers the rest on a later 835; if none "
            "comes, ask the payer about it.")


def last_note(db: Database, claim_id: str = "C000101") -> str:
    return db.scalar("SELECT note FROM claim_status_history WHERE claim_id = ? "
                     "ORDER BY seq DESC LIMIT 1", [claim_id])


def state(db: Database, claim_id: str = "C000101") -> tuple:
    return tuple(db.query("SELECT c.status, f.insurance_balance, f.paid FROM claims c "
                          "JOIN claim_facts f USING (claim_id) WHERE claim_id = ?",
                          [claim_id]).iloc[0])


def test_a_claim_answered_in_part_is_partially_paid_and_the_import_says_which_lines(seeded):
    # Sent on 03-03; the payer answers for lines 1 and 2 only: CLP03 $250 of $300 billed,
    # paid 120 + 80 = 200, CO-45 30 + 20 = 50. Insurance A/R (DOMAIN.md): 300 − 200 − 50 = 50,
    # the 97530 line nobody answered. Not "paid": partially paid.
    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    s = import_835(seeded, [("split.835", build_835(
        [Claim("C000101", "1", "250", "200", lines=lines_1_and_2())]).encode())], "biller")
    assert s.ok and s.matched == 1
    assert state(seeded) == ("partially_paid", Decimal("50.00"), Decimal("200.00"))
    assert s.notes == [line_3_left("split.835")]
    assert last_note(seeded) == ("paid 200; the payer answered for $250.00 of the $300.00 "
                                 "billed — 835 trace TRACE1")
    # Not paid in full on its first adjudication: not a first-pass resolution (DOMAIN.md;
    # a helper working the fixture from DOMAIN.md alone said the same).
    assert seeded.scalar("SELECT resolved FROM claim_facts WHERE claim_id = 'C000101'") is False
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_claim_answered_in_part_without_lines_is_said_so(seeded):
    # A claim-level answer (no SVC) for $250 of $300: which lines it left out cannot be told.
    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    s = import_835(seeded, [("claim_level.835", build_835(
        [Claim("C000101", "1", "250", "200", cas=[("CO", "45", "50")])]).encode())], "biller")
    assert s.ok
    assert state(seeded)[:2] == ("partially_paid", Decimal("50.00"))
    assert s.notes == [
        "claim_level.835: claim C000101: the payer answered for $250.00 of the $300.00 billed; "
        "it names no line. Insurance still owes the $50.00 not answered: a payer that splits a "
        "claim answers the rest on a later 835; if none comes, ask the payer about it."]


def test_a_denial_answered_in_part_stays_denied(seeded):
    # Lines 1 and 2 denied CO-197 ($250 of $300): a denial is worked as one; the note still
    # says line 3 was not answered.
    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    denied = [Line("97110", "150", "0", units="2", cas=[("CO", "197", "150")]),
              Line("97140", "100", "0", cas=[("CO", "197", "100")])]
    s = import_835(seeded, [("den.835", build_835(
        [Claim("C000101", "1", "250", "0", lines=denied)]).encode())], "biller")
    assert s.ok and state(seeded)[0] == "denied"
    assert len(s.notes) == 1 and "line 3 (97530, Feb 05, 2025) is not on it" in s.notes[0]


def test_a_claim_answered_whole_is_paid_with_no_note(seeded):
    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    whole = lines_1_and_2() + [Line("97530", "50", "40", date="20250205",
                                    cas=[("CO", "45", "10")])]
    s = import_835(seeded, [("whole.835", build_835(
        [Claim("C000101", "1", "300", "240", lines=whole)]).encode())], "biller")
    assert s.ok and s.notes == []
    assert state(seeded) == ("paid", Decimal("0.00"), Decimal("240.00"))
    assert seeded.scalar("SELECT resolved FROM claim_facts WHERE claim_id = 'C000101'") is True


def test_a_claim_never_sent_is_posted_with_a_note(seeded):
    # C000102 is ready, never sent from metdash; Medicare pays it all the same (sent through
    # its portal, say): the money is posted, and the biller is told why its days to payment
    # will not count it.
    s = import_835(seeded, [("mcr.835", build_835(
        [Claim("C000102", "1", "120", "96", cas=[("CO", "45", "24")])],
        payer="MEDICARE PART B").encode())], "biller")
    assert s.ok and s.matched == 1
    assert state(seeded, "C000102") == ("paid", Decimal("0.00"), Decimal("96.00"))
    assert s.notes == [
        "mcr.835: claim C000102 is answered by the payer (Mar 10, 2025) but was never sent "
        "from metdash: posted all the same, it has no date sent, so it is left out of days to "
        "payment and the clean-claim rate. A claim sent another way (the payer's portal) is "
        "moved to submitted, with the day it went, before its 835 is imported (Claims → "
        "Status)."]


def test_a_split_claim_answered_on_two_835s_owes_nothing(seeded):
    # Worked by hand as a biller reads the two EOBs (and by two helpers from DOMAIN.md alone):
    # lines 1-2 answered first (paid 200, CO-45 50), line 3 on a later 835 (paid 40, CO-45
    # 10). Every line is settled: paid 240, contractual 60, insurance A/R 300 − 240 − 60 = 0.
    # The second CLP answers none of the first's lines, so it replaces nothing (DOMAIN.md's
    # replacement is of an appeal or a reprocessing); the ledger used to drop the first's
    # CO-45 and say it owed 50.
    sent_and_answered_in_part(seeded)
    s = answer_line_3(seeded, "40", [("CO", "45", "10")], "TRACE2", "20250324")
    assert s.ok and s.notes == []   # the second answer is not read as "in part"
    got = tuple(seeded.query("SELECT f.insurance_balance, f.paid, f.contractual, f.allowed, "
                             "c.status FROM claim_facts f JOIN claims c USING (claim_id) "
                             "WHERE claim_id = 'C000101'").iloc[0])
    # allowed: both answers stand, 200 + 40 (no cost share); it read the second's 40 alone
    assert got == (Decimal("0.00"), Decimal("240.00"), Decimal("60.00"), Decimal("240.00"),
                   "paid")
    assert last_note(seeded) == ("paid 240.00 in all, with the payer's earlier answer of other "
                                 "lines — 835 trace TRACE2")
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_an_appeal_of_a_split_claims_line_replaces_that_answer_only(seeded):
    # Lines 1-2 answered on 03-10 (paid 200, CO-45 50); line 3 denied on 03-24 (CO-197 50,
    # owed); on appeal, line 3 paid on 04-21 (paid 40, CO-45 10). The appeal's answer replaces
    # the denial of line 3 (its line), not the answer of lines 1-2: paid 240, contractual 60,
    # no denial left, insurance A/R 300 − 240 − 60 = 0.
    # The claim's status reads Acme's whole answer: after the denial of line 3, paid 200 and
    # 50 denied, partially paid (not "denied": two lines were paid; a helper working DOMAIN.md
    # alone: "partially denied ... not denied, because money was paid"); after the appeal,
    # paid.
    sent_and_answered_in_part(seeded)
    assert answer_line_3(seeded, "0", [("CO", "197", "50")], "TRACE2", "20250324").ok
    assert state(seeded)[:2] == ("partially_paid", Decimal("50.00"))  # the denied line owed
    assert answer_line_3(seeded, "40", [("CO", "45", "10")], "TRACE3", "20250421").ok
    got = tuple(seeded.query("SELECT insurance_balance, paid, contractual, denied_open "
                             "FROM claim_facts WHERE claim_id = 'C000101'").iloc[0])
    assert got == (Decimal("0.00"), Decimal("240.00"), Decimal("60.00"), Decimal("0.00"))
    assert state(seeded)[0] == "paid"
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_split_claims_part_reversed_then_corrected_is_read_with_the_other_part(seeded):
    # Lines 1-2 answered on 03-10 (paid 200, CO-45 50), line 3 on 03-24 (paid 40, CO-45 10):
    # paid. On 04-10 Acme reverses the line 3 answer (CLP02 22: -40, CO-45 -10): line 3's
    # $50 is owed again and lines 1-2 still stand: the claim is back in A/R (DOMAIN.md: a
    # reversal reopens it), submitted as after any reversal (a helper working DOMAIN.md alone
    # called it "reopened, partially paid"), insurance owes 50. On 04-20 the corrected
    # line 3 comes alone (paid 45, CO-45 5): with lines 1-2 it answers the whole $300, paid
    # 245, contractual 55, insurance A/R 300 - 245 - 55 = 0: paid, no note of lines left out.
    # (It read "partially paid" and named lines 1-2 as not answered: the answer after a
    # reversal was read alone.)
    sent_and_answered_in_part(seeded)
    assert answer_line_3(seeded, "40", [("CO", "45", "10")], "TRACE2", "20250324").ok
    s = import_835(seeded, [("rev.835", build_835(
        [Claim("C000101", "22", "-50", "-40", lines=[
            Line("97530", "-50", "-40", date="20250205", cas=[("CO", "45", "-10")])])],
        trace="TRACE3", date="20250410", amount="-40").encode())], "biller")
    assert s.ok, s.errors
    assert state(seeded) == ("submitted", Decimal("50.00"), Decimal("200.00"))
    # ... on the list of payments taken back, for line 3's $50 (not "unpaid past the lag")
    from metdash.worklists import claims_unpaid_past_lag, payments_taken_back

    got = payments_taken_back(seeded, dt.date(2025, 4, 15))
    assert got[["claim_id", "taken_back", "insurance_owes"]].values.tolist() == [
        ["C000101", Decimal("40.00"), Decimal("50.00")]]
    assert claims_unpaid_past_lag(seeded, dt.date(2025, 4, 15)).empty
    s = answer_line_3(seeded, "45", [("CO", "45", "5")], "TRACE4", "20250420")
    assert s.ok and s.notes == []
    assert state(seeded) == ("paid", Decimal("0.00"), Decimal("245.00"))
    assert last_note(seeded) == ("paid 245.00 in all, with the payer's earlier answer of other "
                                 "lines — 835 trace TRACE4")
    # Every line answered: not followed up as unpaid (a helper working DOMAIN.md alone: "$0
    # owed, not on the list" on 05-15), nor as taken back.
    assert claims_unpaid_past_lag(seeded, dt.date(2025, 5, 15)).empty
    assert payments_taken_back(seeded, dt.date(2025, 5, 15)).empty
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_claim_answered_in_part_is_followed_up_past_the_payers_lag(seeded):
    # Sent 2025-03-03; Acme's usual lag is 30 days (the payers table's default). The 835 of
    # 03-10 answers $250 of the $300: the $50 of line 3 is still owed by Acme, and nothing
    # on it is denied, so only this list brings it back. On 04-02 (30 days out) it is not
    # past the lag; on 04-10 it is 38 days out, $50 not answered. C000102, never answered,
    # is not listed: it was never sent.
    from metdash.worklists import claims_unpaid_past_lag

    sent_and_answered_in_part(seeded, "split.835")
    assert claims_unpaid_past_lag(seeded, dt.date(2025, 4, 2)).empty
    got = claims_unpaid_past_lag(seeded, dt.date(2025, 4, 10))
    assert got[["claim_id", "days_out", "usual_lag_days", "total_charge", "unanswered"]
               ].values.tolist() == [["C000101", 38, 30, Decimal("300.00"), Decimal("50.00")]]
    # The rest answered on a later 835 (03-24): the claim is answered whole, off the list
    # (both answers stand: it owes nothing, test above).
    answer_line_3(seeded, "40", [("CO", "45", "10")], "TRACE2", "20250324")
    assert claims_unpaid_past_lag(seeded, dt.date(2025, 4, 10)).empty


def test_a_claim_split_over_three_answers_is_followed_up_for_the_line_never_answered(seeded):
    # Acme answers line 1 on 03-10 (CLP03 150: paid 120, CO-45 30) and line 2 on 03-24
    # (CLP03 100: paid 80, CO-45 20); line 3 ($50) never comes. Both answers stand: paid 200,
    # contractual 50, insurance A/R 300 − 200 − 50 = 50, owed by Acme for the line it never
    # answered. On 04-10 (38 days out, Acme's lag 30) it is listed for that $50, not for the
    # $200 the latest answer left out (a helper working DOMAIN.md alone: "Acme owes $50, line
    # 3, never answered; not a denial").
    from metdash.worklists import claims_unpaid_past_lag

    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    line_1, line_2 = lines_1_and_2()
    assert import_835(seeded, [("one.835", build_835(
        [Claim("C000101", "1", "150", "120", lines=[line_1])]).encode())], "biller").ok
    s = import_835(seeded, [("two.835", build_835(
        [Claim("C000101", "1", "100", "80", lines=[line_2])], trace="TRACE2",
        date="20250324").encode())], "biller")
    # Still partially paid (it read "paid": the second answer alone answers no less than it
    # says), and the import says line 3 is still not answered.
    assert state(seeded) == ("partially_paid", Decimal("50.00"), Decimal("200.00"))
    assert s.notes == [line_3_left("two.835")]
    got = claims_unpaid_past_lag(seeded, dt.date(2025, 4, 10))
    assert got[["claim_id", "days_out", "unanswered"]].values.tolist() == [
        ["C000101", 38, Decimal("50.00")]]


def test_a_claim_denied_on_the_lines_answered_is_followed_up_for_the_rest(seeded):
    # Lines 1-2 denied CO-197 ($250 of $300), line 3 not answered: the $250 is on the denial
    # lists, and the $50 the payer never answered is followed up here (a helper working
    # DOMAIN.md alone: "each for its own amount, never $300 on the lag list").
    from metdash.worklists import claims_unpaid_past_lag, denials_to_appeal

    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    denied = [Line("97110", "150", "0", units="2", cas=[("CO", "197", "150")]),
              Line("97140", "100", "0", cas=[("CO", "197", "100")])]
    import_835(seeded, [("den.835", build_835(
        [Claim("C000101", "1", "250", "0", lines=denied)]).encode())], "biller")
    got = claims_unpaid_past_lag(seeded, dt.date(2025, 4, 10))
    assert got[["claim_id", "days_out", "unanswered"]].values.tolist() == [
        ["C000101", 38, Decimal("50.00")]]
    assert list(denials_to_appeal(seeded, dt.date(2025, 4, 10)).claim_id) == ["C000101"]


def test_a_claim_answered_whole_is_not_followed_up_as_unpaid(seeded):
    from metdash.worklists import claims_unpaid_past_lag

    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    whole = lines_1_and_2() + [Line("97530", "50", "40", date="20250205",
                                    cas=[("CO", "45", "10")])]
    import_835(seeded, [("whole.835", build_835(
        [Claim("C000101", "1", "300", "240", lines=whole)]).encode())], "biller")
    assert claims_unpaid_past_lag(seeded, dt.date(2025, 4, 10)).empty


def test_a_claim_answered_in_part_then_written_off_is_not_followed_up(seeded):
    # The biller gives up on line 3's $50 (a practice write-off): insurance owes nothing.
    from metdash import entry
    from metdash.worklists import claims_unpaid_past_lag

    sent_and_answered_in_part(seeded, "split.835")
    entry.write_off(seeded, entry.WriteOffIn("insurance", "50.00", "small_balance",
                                             "2025-04-05", "C000101"), "biller",
                    as_of=dt.date(2025, 4, 10))
    assert claims_unpaid_past_lag(seeded, dt.date(2025, 4, 10)).empty
