"""A hand-built practice of a dozen claims whose figures are worked out on paper.

The period is 2025-01-01 .. 2025-03-31, as of 2025-03-31. Every number the figure tests
expect is derived in the comments of tests/test_figures.py from the rows below; change a row
here and the arithmetic there must be redone by hand.

Payers: 1 Medicare (cms units), 2 Acme Health (commercial).
Referrers: 1 Dr. Ada Okafor (physician), 2 Ben Ruiz PT (physical_therapist).
Clients: A (RF1 from R1), B (RF0 2024 and RF2 2025 from R1), C (RF3 from R2), D (RF4 from
R2, never seen).

claim  client payer service     submitted  charge  what happened
C1     A      MCR   2025-01-05  01-06      100     01-20 paid 64, CO-45 20, PR-2 16
C2     A      MCR   2025-01-12  01-13      200     01-27 line 1 paid 64 (CO-45 20, PR-2 16);
                                                     line 2 (97140) paid 0, CO-97 100 (denied)
C3     B      ACM   2025-01-15  01-16      100     02-15 denied CO-50 100 (claim level, CLP02 4);
                                                     appeal 02-20 overturned; 03-10 reversal
                                                     of the denial and a new payment of 90, CO-45 10
C4     B      ACM   2025-02-03  02-04      100     03-06 paid 60, CO-45 10, PR-3 30; patient
                                                     pays 30 on 03-15
C5     C      ACM   2025-02-05  02-06      100     no remittance (A/R 31-60)
C6     C      ACM   2025-02-12  02-13      100     03-06 paid 0, PR-1 90, CO-45 10 (deductible:
                                                     not a denial)
C7     A      MCR   2025-03-03  03-04      100     03-18 paid 64, CO-45 20, PR-2 16; 03-25
                                                     reversed and repaid 72, CO-45 10, PR-2 18
C8     A      MCR   2025-03-20  03-21      100     no remittance (A/R 0-30)
C9     B      ACM   2024-11-15  2024-11-16 100     no remittance (A/R 120+), outside the period
C10    C      ACM   2025-03-28  -          100     draft
C11    A      MCR   2025-03-10  03-11      100     voided
C12    B      ACM   2025-01-25  01-27      100     no remittance (A/R 61-90)
C13    B      ACM   2024-12-15  2024-12-16 100     no remittance (A/R 91-120), outside the period
X999   -      MCR   -           -          -       an unmatched claim paid 50 in remittance M1
PLB    -      ACM   interest 2.00 paid with remittance A2 (PLB amount -2.00)
"""

from __future__ import annotations

from metdash.store import Database

NPI_R1 = "1234567893"
NPI_R2 = "1111111112"
NPI_PROVIDER = "1987654328"
NPI_PRACTICE = "1456789019"

SQL = """
INSERT INTO practice (practice_id, name, billing_npi, tax_id, taxonomy, address_line1, city,
                      state, zip, is_demo)
VALUES (1, 'Small Test Practice', '{practice}', '12-3456789', '225100000X', '1 Main St',
        'Springfield', 'IL', '62701', FALSE);
INSERT INTO providers VALUES (1, '{provider}', 'Trainer', 'Tess', 'MEP', '225100000X', TRUE);
INSERT INTO payers (payer_id, name, payer_type, clearinghouse_payer_id, timely_filing_days,
                    appeal_window_days, units_rule, requires_referral, requires_prior_auth,
                    usual_lag_days) VALUES
  (1, 'Medicare', 'medicare', '00431', 365, 120, 'cms', FALSE, FALSE, 14),
  (2, 'Acme Health', 'commercial', 'ACME1', 90, 60, 'per_code', TRUE, FALSE, 30);
INSERT INTO cpt_codes VALUES
  ('97110', 'Therapeutic exercise', TRUE, FALSE, TRUE),
  ('97140', 'Manual therapy', TRUE, FALSE, TRUE);
INSERT INTO fee_schedule VALUES ('97110', 100), ('97140', 100);
INSERT INTO payer_fee_schedule VALUES (1, '97110', 80), (1, '97140', 80),
                                      (2, '97110', 90), (2, '97140', 90);
INSERT INTO referrers VALUES
  (1, '{r1}', 'Okafor, Ada', 'physician', 'Orthopedics', 'Springfield Ortho'),
  (2, '{r2}', 'Ruiz, Ben', 'physical_therapist', 'Physical therapy', 'Ruiz PT');
INSERT INTO clients (client_id, last_name, first_name, dob, sex) VALUES
  ('A', 'Alpha', 'Ann', DATE '1950-01-01', 'F'),
  ('B', 'Bravo', 'Bob', DATE '1960-02-02', 'M'),
  ('C', 'Charlie', 'Cy', DATE '1970-03-03', 'M'),
  ('D', 'Delta', 'Di', DATE '1980-04-04', 'F');
INSERT INTO coverages (coverage_id, client_id, payer_id, member_id, effective_date) VALUES
  (1, 'A', 1, '1EG4TE5MK72', DATE '2020-01-01'),
  (2, 'B', 2, 'ACM0002', DATE '2020-01-01'),
  (3, 'C', 2, 'ACM0003', DATE '2020-01-01'),
  (4, 'D', 2, 'ACM0004', DATE '2020-01-01');
INSERT INTO referrals (referral_id, client_id, referrer_id, received_date, diagnosis_codes,
                       authorized_visits, expiry_date) VALUES
  (10, 'B', 1, DATE '2024-11-01', ['M54.50'], 12, DATE '2025-05-01'),
  (1,  'A', 1, DATE '2025-01-02', ['M17.11'], 12, DATE '2025-07-01'),
  (2,  'B', 1, DATE '2025-01-10', ['M54.50'], 12, DATE '2025-07-01'),
  (3,  'C', 2, DATE '2025-02-01', ['M25.561'], 12, DATE '2025-08-01'),
  (4,  'D', 2, DATE '2025-03-01', ['R26.89'], 12, DATE '2025-09-01');
INSERT INTO sessions (session_id, client_id, provider_id, referral_id, session_date, kind) VALUES
  (1, 'A', 1, 1, DATE '2025-01-05', 'initial_assessment'),
  (2, 'A', 1, 1, DATE '2025-01-12', 'treatment'),
  (3, 'A', 1, 1, DATE '2025-03-03', 'treatment'),
  (4, 'A', 1, 1, DATE '2025-03-10', 'treatment'),
  (5, 'A', 1, 1, DATE '2025-03-20', 'treatment'),
  (6, 'B', 1, 10, DATE '2024-11-15', 'initial_assessment'),
  (7, 'B', 1, 10, DATE '2024-12-15', 'treatment'),
  (8, 'B', 1, 2, DATE '2025-01-15', 'treatment'),
  (9, 'B', 1, 2, DATE '2025-01-25', 'treatment'),
  (10, 'B', 1, 2, DATE '2025-02-03', 'treatment'),
  (11, 'C', 1, 3, DATE '2025-02-05', 'initial_assessment'),
  (12, 'C', 1, 3, DATE '2025-02-12', 'treatment'),
  (13, 'C', 1, 3, DATE '2025-03-28', 'treatment');
INSERT INTO session_minutes
  SELECT session_id, '97110', 15 FROM sessions;
INSERT INTO session_minutes VALUES (2, '97140', 15);
INSERT INTO claims (claim_id, client_id, payer_id, coverage_id, referral_id, referrer_id,
                    rendering_provider_id, status, diagnosis_codes, total_charge,
                    first_service_date, submitted_date, last_submitted_date, source) VALUES
  ('C1', 'A', 1, 1, 1, 1, 1, 'paid', ['M17.11'], 100, DATE '2025-01-05', DATE '2025-01-06', DATE '2025-01-06', 'demo'),
  ('C2', 'A', 1, 1, 1, 1, 1, 'partially_paid', ['M17.11'], 200, DATE '2025-01-12', DATE '2025-01-13', DATE '2025-01-13', 'demo'),
  ('C3', 'B', 2, 2, 2, 1, 1, 'paid', ['M54.50'], 100, DATE '2025-01-15', DATE '2025-01-16', DATE '2025-01-16', 'demo'),
  ('C4', 'B', 2, 2, 2, 1, 1, 'paid', ['M54.50'], 100, DATE '2025-02-03', DATE '2025-02-04', DATE '2025-02-04', 'demo'),
  ('C5', 'C', 2, 3, 3, 2, 1, 'submitted', ['M25.561'], 100, DATE '2025-02-05', DATE '2025-02-06', DATE '2025-02-06', 'demo'),
  ('C6', 'C', 2, 3, 3, 2, 1, 'paid', ['M25.561'], 100, DATE '2025-02-12', DATE '2025-02-13', DATE '2025-02-13', 'demo'),
  ('C7', 'A', 1, 1, 1, 1, 1, 'paid', ['M17.11'], 100, DATE '2025-03-03', DATE '2025-03-04', DATE '2025-03-04', 'demo'),
  ('C8', 'A', 1, 1, 1, 1, 1, 'submitted', ['M17.11'], 100, DATE '2025-03-20', DATE '2025-03-21', DATE '2025-03-21', 'demo'),
  ('C9', 'B', 2, 2, 10, 1, 1, 'submitted', ['M54.50'], 100, DATE '2024-11-15', DATE '2024-11-16', DATE '2024-11-16', 'demo'),
  ('C10', 'C', 2, 3, 3, 2, 1, 'draft', ['M25.561'], 100, DATE '2025-03-28', NULL, NULL, 'demo'),
  ('C11', 'A', 1, 1, 1, 1, 1, 'voided', ['M17.11'], 100, DATE '2025-03-10', DATE '2025-03-11', DATE '2025-03-11', 'demo'),
  ('C12', 'B', 2, 2, 2, 1, 1, 'submitted', ['M54.50'], 100, DATE '2025-01-25', DATE '2025-01-27', DATE '2025-01-27', 'demo'),
  ('C13', 'B', 2, 2, 10, 1, 1, 'submitted', ['M54.50'], 100, DATE '2024-12-15', DATE '2024-12-16', DATE '2024-12-16', 'demo');
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                         dx_pointers, session_id) VALUES
  ('C1', 1, DATE '2025-01-05', '97110', ['GP'], 1, 100, [1], 1),
  ('C2', 1, DATE '2025-01-12', '97110', ['GP'], 1, 100, [1], 2),
  ('C2', 2, DATE '2025-01-12', '97140', ['GP'], 1, 100, [1], 2),
  ('C3', 1, DATE '2025-01-15', '97110', [], 1, 100, [1], 8),
  ('C4', 1, DATE '2025-02-03', '97110', [], 1, 100, [1], 10),
  ('C5', 1, DATE '2025-02-05', '97110', [], 1, 100, [1], 11),
  ('C6', 1, DATE '2025-02-12', '97110', [], 1, 100, [1], 12),
  ('C7', 1, DATE '2025-03-03', '97110', ['GP'], 1, 100, [1], 3),
  ('C8', 1, DATE '2025-03-20', '97110', ['GP'], 1, 100, [1], 5),
  ('C9', 1, DATE '2024-11-15', '97110', [], 1, 100, [1], 6),
  ('C10', 1, DATE '2025-03-28', '97110', [], 1, 100, [1], 13),
  ('C11', 1, DATE '2025-03-10', '97110', ['GP'], 1, 100, [1], 4),
  ('C12', 1, DATE '2025-01-25', '97110', [], 1, 100, [1], 9),
  ('C13', 1, DATE '2024-12-15', '97110', [], 1, 100, [1], 7);
INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date, method,
                         trace_number, amount, source) VALUES
  (1, 1, 'Medicare', '00431', DATE '2025-01-20', 'ACH', 'M1', 114, 'demo'),
  (2, 1, 'Medicare', '00431', DATE '2025-01-27', 'ACH', 'M2', 64, 'demo'),
  (3, 2, 'Acme Health', 'ACME1', DATE '2025-02-15', 'NON', 'A1', 0, 'demo'),
  (4, 2, 'Acme Health', 'ACME1', DATE '2025-03-06', 'ACH', 'A2', 62, 'demo'),
  (5, 2, 'Acme Health', 'ACME1', DATE '2025-03-10', 'ACH', 'A3', 90, 'demo'),
  (6, 1, 'Medicare', '00431', DATE '2025-03-18', 'ACH', 'M3', 64, 'demo'),
  (7, 1, 'Medicare', '00431', DATE '2025-03-25', 'ACH', 'M4', 8, 'demo');
INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01, status_code,
                            charge, paid, patient_responsibility) VALUES
  (1, 1, 1, 'C1', 'C1', '1', 100, 64, 16),
  (2, 1, 2, NULL, 'X999', '1', 80, 50, 0),
  (3, 2, 1, 'C2', 'C2', '1', 200, 64, 16),
  (4, 3, 1, 'C3', 'C3', '4', 100, 0, 0),
  (5, 4, 1, 'C4', 'C4', '1', 100, 60, 30),
  (6, 4, 2, 'C6', 'C6', '1', 100, 0, 90),
  (7, 5, 1, 'C3', 'C3', '22', -100, 0, 0),
  (8, 5, 2, 'C3', 'C3', '1', 100, 90, 0),
  (9, 6, 1, 'C7', 'C7', '1', 100, 64, 16),
  (10, 7, 1, 'C7', 'C7', '22', -100, -64, -16),
  (11, 7, 2, 'C7', 'C7', '1', 100, 72, 18);
INSERT INTO line_payments (line_payment_id, claim_payment_id, line_no, cpt, charge, paid,
                           units, service_date) VALUES
  (1, 1, 1, '97110', 100, 64, 1, DATE '2025-01-05'),
  (2, 3, 1, '97110', 100, 64, 1, DATE '2025-01-12'),
  (3, 3, 2, '97140', 100, 0, 1, DATE '2025-01-12'),
  (4, 5, 1, '97110', 100, 60, 1, DATE '2025-02-03'),
  (5, 6, 1, '97110', 100, 0, 1, DATE '2025-02-12'),
  (6, 9, 1, '97110', 100, 64, 1, DATE '2025-03-03'),
  (7, 10, 1, '97110', -100, -64, 1, DATE '2025-03-03'),
  (8, 11, 1, '97110', 100, 72, 1, DATE '2025-03-03'),
  (9, 8, 1, '97110', 100, 90, 1, DATE '2025-01-15');
INSERT INTO adjustments (adjustment_id, claim_payment_id, line_payment_id, group_code, carc,
                         amount) VALUES
  (1, 1, 1, 'CO', '45', 20), (2, 1, 1, 'PR', '2', 16),
  (3, 2, NULL, 'CO', '45', 30),
  (4, 3, 2, 'CO', '45', 20), (5, 3, 2, 'PR', '2', 16), (6, 3, 3, 'CO', '97', 100),
  (7, 4, NULL, 'CO', '50', 100),
  (8, 5, 4, 'CO', '45', 10), (9, 5, 4, 'PR', '3', 30),
  (10, 6, 5, 'PR', '1', 90), (11, 6, 5, 'CO', '45', 10),
  (12, 7, NULL, 'CO', '50', -100),
  (13, 8, 9, 'CO', '45', 10),
  (14, 9, 6, 'CO', '45', 20), (15, 9, 6, 'PR', '2', 16),
  (16, 10, 7, 'CO', '45', -20), (17, 10, 7, 'PR', '2', -16),
  (18, 11, 8, 'CO', '45', 10), (19, 11, 8, 'PR', '2', 18);
INSERT INTO remark_codes VALUES (3, 3, 'M15'), (4, NULL, 'N115');
INSERT INTO provider_adjustments (remittance_id, seq, fiscal_period_date, reason_code, reference,
                                  amount) VALUES (4, 1, DATE '2025-12-31', 'L6', 'INT', -2);
INSERT INTO appeals (appeal_id, claim_id, filed_date, reason, outcome, outcome_date) VALUES
  (1, 'C3', DATE '2025-02-20', 'Plan of care and referral attached', 'overturned',
   DATE '2025-03-08');
INSERT INTO patient_payments VALUES (1, 'B', 'C4', DATE '2025-03-15', 30, 'card', 'copay');
"""


def build(db: Database) -> Database:
    """Load the small practice into ``db`` (an empty, migrated store) and return it."""
    sql = SQL.format(practice=NPI_PRACTICE, provider=NPI_PROVIDER, r1=NPI_R1, r2=NPI_R2)
    with db.transaction() as con:
        con.execute(sql)
    return db
