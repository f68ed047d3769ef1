"""A practice of ten claims whose forecast is worked out on paper (tests/forecast/).

As of 2025-06-30 (data posted up to that day). Every claim: client A, one line of 97110,
service in April (over 56 days back, so no run-rate of new services), no patient money, no
session on file (nothing unbilled).

claim payer      charge submitted adjudicated (days after submission) what it paid
H1-H4 1 Quick    100    04-02     04-16 (14)                          60, CO-45 40
H5-H6 2 Slow     100    04-02     04-09 (7)                           80, CO-45 20
H7    2 Slow     100    04-02     04-23 (21)                          80, CO-45 20
H8    2 Slow     100    04-02     04-23 (21)                          0, CO-50 100 (denied);
                                                                      written off 05-01
O1    1 Quick    200    06-20     -- open, 10 days waited
O2    2 Slow     100    06-20     -- open, 10 days waited
"""

from __future__ import annotations

from metdash.store import Database

AS_OF = "2025-06-30"

SQL = """
INSERT INTO practice (practice_id, name, billing_npi, tax_id, taxonomy, address_line1, city,
                      state, zip, is_demo)
VALUES (1, 'Forecast Test Practice', '1456789019', '12-3456789', '225100000X', '1 Main St',
        'Springfield', 'IL', '62701', FALSE);
INSERT INTO providers VALUES (1, '1987654328', 'Trainer', 'Tess', 'MEP', '225100000X', TRUE);
INSERT INTO payers (payer_id, name, payer_type, clearinghouse_payer_id)
VALUES (1, 'Quick Pay', 'commercial', 'QUIK1'), (2, 'Slow Pay', 'commercial', 'SLOW1');
INSERT INTO clients (client_id, last_name, first_name, dob, sex) VALUES
  ('A', 'Alpha', 'Ann', DATE '1950-01-01', 'F');
INSERT INTO claims (claim_id, client_id, payer_id, rendering_provider_id, status,
                    diagnosis_codes, total_charge, first_service_date, submitted_date,
                    last_submitted_date, source)
SELECT id, 'A', payer, 1, status, ['M17.11'], charge, svc::DATE, sub::DATE, sub::DATE, 'test'
FROM (VALUES
  ('H1', 1, 'paid', 100, '2025-04-01', '2025-04-02'),
  ('H2', 1, 'paid', 100, '2025-04-01', '2025-04-02'),
  ('H3', 1, 'paid', 100, '2025-04-01', '2025-04-02'),
  ('H4', 1, 'paid', 100, '2025-04-01', '2025-04-02'),
  ('H5', 2, 'paid', 100, '2025-04-01', '2025-04-02'),
  ('H6', 2, 'paid', 100, '2025-04-01', '2025-04-02'),
  ('H7', 2, 'paid', 100, '2025-04-01', '2025-04-02'),
  ('H8', 2, 'closed', 100, '2025-04-01', '2025-04-02'),
  ('O1', 1, 'submitted', 200, '2025-04-10', '2025-06-20'),
  ('O2', 2, 'submitted', 100, '2025-04-10', '2025-06-20')) t(id, payer, status, charge, svc, sub);
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                         dx_pointers)
SELECT claim_id, 1, first_service_date, '97110', [], 1, total_charge, [1] FROM claims;
INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date, method,
                         trace_number, amount, source) VALUES
  (1, 1, 'Quick Pay', 'QUIK1', DATE '2025-04-16', 'ACH', 'Q1', 240, 'test'),
  (2, 2, 'Slow Pay', 'SLOW1', DATE '2025-04-09', 'ACH', 'S1', 160, 'test'),
  (3, 2, 'Slow Pay', 'SLOW1', DATE '2025-04-23', 'ACH', 'S2', 80, 'test');
INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01, status_code,
                            charge, paid, patient_responsibility) VALUES
  (1, 1, 1, 'H1', 'H1', '1', 100, 60, 0), (2, 1, 2, 'H2', 'H2', '1', 100, 60, 0),
  (3, 1, 3, 'H3', 'H3', '1', 100, 60, 0), (4, 1, 4, 'H4', 'H4', '1', 100, 60, 0),
  (5, 2, 1, 'H5', 'H5', '1', 100, 80, 0), (6, 2, 2, 'H6', 'H6', '1', 100, 80, 0),
  (7, 3, 1, 'H7', 'H7', '1', 100, 80, 0), (8, 3, 2, 'H8', 'H8', '1', 100, 0, 0);
INSERT INTO adjustments (adjustment_id, claim_payment_id, line_payment_id, group_code, carc,
                         amount) VALUES
  (1, 1, NULL, 'CO', '45', 40), (2, 2, NULL, 'CO', '45', 40), (3, 3, NULL, 'CO', '45', 40),
  (4, 4, NULL, 'CO', '45', 40), (5, 5, NULL, 'CO', '45', 20), (6, 6, NULL, 'CO', '45', 20),
  (7, 7, NULL, 'CO', '45', 20), (8, 8, NULL, 'CO', '50', 100);
INSERT INTO write_offs (write_off_id, client_id, claim_id, side, amount, reason, note,
                        write_off_date, user_name) VALUES
  (1, 'A', 'H8', 'insurance', 100, 'appeal_lost', 'not medically necessary', DATE '2025-05-01',
   'test');
"""


def build(db: Database) -> Database:
    """Load the practice into ``db`` (an empty, migrated store) and return it."""
    with db.transaction() as con:
        con.execute(SQL)
    return db
