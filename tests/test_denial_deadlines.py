"""Which deadline an open denial is worked by, on a practice worked out by hand.

DOMAIN.md: CO-16 with remark MA130 and CO-29 are corrected and resubmitted, never appealed,
so the limit for them is the payer's timely-filing window (first service date +
timely_filing_days), not the appeal window (first denying remittance + appeal_window_days).
Every date below is counted by hand from the rows, not by running metdash.

Payers: 1 Acme Health (filing 90 days, appeal 60), 2 Medicare (filing 365, appeal 120).
As of 2025-05-01 (every claim status 'denied', one line of 97110 at 100.00):

claim payer service     denied (CARC)          appeal deadline       filing deadline
A1    Acme  2025-03-01  2025-03-20 CO-16+MA130  05-19                 05-30 (29 days left)
A2    Acme  2025-03-15  2025-03-25 CO-50        05-24 (23 days left)  06-13
A3    Acme  2024-12-20  2025-02-01 CO-29        04-02                 03-20 (42 days ago)
M1    MCR   2024-11-01  2024-12-01 CO-16+MA130  2025-03-31 (passed)   2025-11-01 (184 left)
M2    MCR   2025-01-10  2025-03-05 CO-29        07-03                 2026-01-10 (254 left)
M3    MCR   2024-11-20  2024-12-15 CO-50        2025-04-14 (17 ago)   2025-11-20

Appeal deadlines: A1 03-20 + 60 = 05-19; A2 03-25 + 60 = 05-24; A3 02-01 + 60 = 04-02;
M1 2024-12-01 + 120 = 2025-03-31; M2 03-05 + 120 = 07-03; M3 2024-12-15 + 120 = 2025-04-14.
Filing deadlines: A1 03-01 + 90 = 05-30; A2 03-15 + 90 = 06-13; A3 2024-12-20 + 90 =
2025-03-20; M1 2024-11-01 + 365 = 2025-11-01; M2 2025-01-10 + 365 = 2026-01-10.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metdash import figures, worklists
from metdash.figures import Filters
from metdash.store import Database

D = dt.date
AS_OF = D(2025, 5, 1)
PERIOD = Filters(date_from=D(2024, 10, 1), date_to=AS_OF, as_of=AS_OF)

SQL = """
INSERT INTO practice (practice_id, name, billing_npi, tax_id, taxonomy, address_line1, city,
                      state, zip, is_demo)
VALUES (1, 'Deadline Test Practice', '1456789019', '12-3456789', '225100000X', '1 Main St',
        'Springfield', 'IL', '62701', FALSE);
INSERT INTO providers VALUES (1, '1987654328', 'Trainer', 'Tess', 'MEP', '225100000X', TRUE);
INSERT INTO payers (payer_id, name, payer_type, clearinghouse_payer_id, timely_filing_days,
                    appeal_window_days)
VALUES (1, 'Acme Health', 'commercial', 'ACME1', 90, 60),
       (2, 'Medicare', 'medicare', '00431', 365, 120);
INSERT INTO referrers VALUES (1, '1234567893', 'Okafor, Ada', 'physician', NULL, NULL);
INSERT INTO clients (client_id, last_name, first_name, dob, sex) VALUES
  ('P', 'Pine', 'Pat', DATE '1950-01-01', 'F');
INSERT INTO claims (claim_id, client_id, payer_id, referrer_id, rendering_provider_id, status,
                    diagnosis_codes, total_charge, first_service_date, submitted_date,
                    last_submitted_date, source) VALUES
  ('A1', 'P', 1, 1, 1, 'denied', ['M17.11'], 100,
    DATE '2025-03-01', DATE '2025-03-02', DATE '2025-03-02', 'test'),
  ('A2', 'P', 1, 1, 1, 'denied', ['M17.11'], 100,
    DATE '2025-03-15', DATE '2025-03-16', DATE '2025-03-16', 'test'),
  ('A3', 'P', 1, 1, 1, 'denied', ['M17.11'], 100,
    DATE '2024-12-20', DATE '2025-01-25', DATE '2025-01-25', 'test'),
  ('M1', 'P', 2, 1, 1, 'denied', ['M17.11'], 100,
    DATE '2024-11-01', DATE '2024-11-02', DATE '2024-11-02', 'test'),
  ('M2', 'P', 2, 1, 1, 'denied', ['M17.11'], 100,
    DATE '2025-01-10', DATE '2025-01-11', DATE '2025-01-11', 'test'),
  ('M3', 'P', 2, 1, 1, 'denied', ['M17.11'], 100,
    DATE '2024-11-20', DATE '2024-11-21', DATE '2024-11-21', 'test');
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                         dx_pointers) VALUES
  ('A1', 1, DATE '2025-03-01', '97110', [], 1, 100, [1]),
  ('A2', 1, DATE '2025-03-15', '97110', [], 1, 100, [1]),
  ('A3', 1, DATE '2024-12-20', '97110', [], 1, 100, [1]),
  ('M1', 1, DATE '2024-11-01', '97110', ['GP'], 1, 100, [1]),
  ('M2', 1, DATE '2025-01-10', '97110', ['GP'], 1, 100, [1]),
  ('M3', 1, DATE '2024-11-20', '97110', ['GP'], 1, 100, [1]);
INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date, method,
                         trace_number, amount, source) VALUES
  (1, 1, 'Acme Health', 'ACME1', DATE '2025-03-20', 'NON', 'A-0320', 0, 'test'),
  (2, 1, 'Acme Health', 'ACME1', DATE '2025-03-25', 'NON', 'A-0325', 0, 'test'),
  (3, 1, 'Acme Health', 'ACME1', DATE '2025-02-01', 'NON', 'A-0201', 0, 'test'),
  (4, 2, 'Medicare', '00431', DATE '2024-12-01', 'NON', 'M-1201', 0, 'test'),
  (5, 2, 'Medicare', '00431', DATE '2025-03-05', 'NON', 'M-0305', 0, 'test'),
  (6, 2, 'Medicare', '00431', DATE '2024-12-15', 'NON', 'M-1215', 0, 'test');
INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01, status_code,
                            charge, paid, patient_responsibility, payer_claim_number) VALUES
  (1, 1, 1, 'A1', 'A1', '1', 100, 0, 0, 'ICN-A1'),
  (2, 2, 1, 'A2', 'A2', '1', 100, 0, 0, 'ICN-A2'),
  (3, 3, 1, 'A3', 'A3', '1', 100, 0, 0, 'ICN-A3'),
  (4, 4, 1, 'M1', 'M1', '1', 100, 0, 0, 'MCN-M1'),
  (5, 5, 1, 'M2', 'M2', '1', 100, 0, 0, 'MCN-M2'),
  (6, 6, 1, 'M3', 'M3', '1', 100, 0, 0, 'MCN-M3');
INSERT INTO adjustments (adjustment_id, claim_payment_id, line_payment_id, group_code, carc,
                         amount) VALUES
  (1, 1, NULL, 'CO', '16', 100),
  (2, 2, NULL, 'CO', '50', 100),
  (3, 3, NULL, 'CO', '29', 100),
  (4, 4, NULL, 'CO', '16', 100),
  (5, 5, NULL, 'CO', '29', 100),
  (6, 6, NULL, 'CO', '50', 100);
INSERT INTO remark_codes VALUES (1, NULL, 'MA130'), (4, NULL, 'MA130');
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    db = Database(tmp_path_factory.mktemp("deadlines") / "d.duckdb")
    with db.transaction() as con:
        con.execute(SQL)
    return db


def test_denials_page_works_a_resubmission_by_its_filing_deadline(db):
    # Nearest deadline first, those past it last: A2 (appeal, 05-24), A1 (filing 05-30: its
    # appeal deadline 05-19 would put it first), M1 (filing 2025-11-01: its appeal window
    # closed 03-31, yet it can still be resubmitted), M2 (filing 2026-01-10), then the passed
    # ones by deadline: A3 (filing 03-20: past the filing window), M3 (appeal 04-14). By
    # appeal deadline it was
    # A1, A2, M2, then M1, A3, M3.
    work = figures.open_denials(db, PERIOD)
    assert work[["claim_id", "next_step", "deadline", "days_left"]].values.tolist() == [
        ["A2", "appeal", D(2025, 5, 24), 23],
        ["A1", "correct and resubmit", D(2025, 5, 30), 29],
        ["M1", "correct and resubmit", D(2025, 11, 1), 184],
        ["M2", "correct and resubmit", D(2026, 1, 10), 254],
        ["A3", "past the filing window", D(2025, 3, 20), -42],
        ["M3", "past the appeal window", D(2025, 4, 14), -17]]
    # A long list is cut after the nearest deadlines.
    assert figures.open_denials(db, PERIOD, limit=2).claim_id.tolist() == ["A2", "A1"]


def test_work_list_to_correct_by_filing_deadline(db):
    # To correct: the four CO-16+MA130 / CO-29 denials by filing deadline (A1, M1, M2; A3's
    # has passed), then M3, past its appeal window (04-14). It was oldest denial first: M1
    # (2024-12-01), M3 (12-15), A3 (02-01), M2 (03-05), A1 (03-20).
    correct = worklists.denials_to_correct(db, AS_OF)
    assert correct[["claim_id", "deadline", "days_left"]].values.tolist() == [
        ["A1", D(2025, 5, 30), 29],
        ["M1", D(2025, 11, 1), 184],
        ["M2", D(2026, 1, 10), 254],
        ["A3", D(2025, 3, 20), -42],
        ["M3", D(2025, 4, 14), -17]]
    assert correct.next_step.tolist()[:3] == ["correct and resubmit (or write off)"] * 3
    # A3's filing window closed on 03-20: a resubmission is refused again (CO-29) unless
    # the practice can prove it filed in time.
    assert correct.next_step.iloc[3] == ("past the filing window: resubmit only with proof "
                                         "of timely filing, else write off (timely filing)")
    assert correct.next_step.iloc[4].startswith("past the appeal window: write off")
    # The appealable one stays on its appeal deadline.
    appeal = worklists.denials_to_appeal(db, AS_OF)
    assert appeal[["claim_id", "appeal_deadline", "days_left"]].values.tolist() == [
        ["A2", D(2025, 5, 24), 23]]


def test_an_appeal_filed_on_a_denial_to_correct_keeps_its_filing_deadline(tmp_path):
    # M1 (CO-16 + MA130) was appealed on 2025-04-01, still pending: it is still corrected and
    # resubmitted, by its filing deadline 2025-11-01 (184 days left), on the Denials page as
    # on the work list. The page gave it its appeal deadline, 2025-03-31 (31 days ago), and
    # listed it with the passed ones.
    db = Database(tmp_path / "appealed.duckdb")
    with db.transaction() as con:
        con.execute(SQL)
        con.execute("INSERT INTO appeals (appeal_id, claim_id, filed_date, reason) "
                    "VALUES (1, 'M1', DATE '2025-04-01', 'medical necessity')")
    work = figures.open_denials(db, PERIOD)
    assert work[["claim_id", "next_step", "deadline", "days_left"]].values.tolist()[:3] == [
        ["A2", "appeal", D(2025, 5, 24), 23],
        ["A1", "correct and resubmit", D(2025, 5, 30), 29],
        ["M1", "appeal pending", D(2025, 11, 1), 184]]
    correct = worklists.denials_to_correct(db, AS_OF)
    assert correct.loc[correct.claim_id == "M1", ["deadline", "days_left"]].values.tolist() == [
        [D(2025, 11, 1), 184]]
