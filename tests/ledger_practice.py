"""A hand-built practice for the ledger: one claim per case of issue 15's "Why" list.

Period 2025-04-01 .. 2025-05-31, as of 2025-05-31. Every claim is charged 100.00 (one line of
97110, or two where said) and submitted the day after its service. Every expected number is
worked out in the comments of tests/test_ledger.py from the rows below, reading DOMAIN.md as a
practice's biller reads their books -- not by running metdash.

Payers: 1 Acme Health (commercial), 2 Medicare, 3 Gap Plan (a Medigap plan: the secondary).
Clients: P (Pat Pine), Q (Quinn Quill), R (Remy Reed).

claim client payer service what happened (remittance dates; CLP02 1 unless said)
L1    P      Acme  04-01   04-20 paid 0, CO-50 100 (not medically necessary); appeal filed
                           04-25, pending
L2    P      Acme  04-03   04-20 paid 56, CO-45 30, PR-2 14; Pat pays 10 on this claim 05-01
L3    Q      Acme  04-05   04-20 paid 0, CO-50 100; appeal 04-22; 05-10 a NEW CLP (no
                           reversal) pays 70, CO-45 30
L4    Q      MCR   04-07   04-21 paid 80, CO-45 20; closed 04-25; 05-15 CLP02 22 reverses it
                           (paid -80, CO-45 -20); nothing after
L5    R      Acme  04-08   04-22 paid 0, CO-45 25, PR-1 75 (all to the deductible)
L7    P      Gap   04-10   billed to the Medigap plan itself; 04-28 CLP02 2: paid 20, OA-23 70
                           (what Medicare paid), PR-2 10
L8    R      Acme  04-11   04-22 paid 0, PR-96 100 (not covered); 05-05 the practice moves the
                           100 to Remy (he signed a waiver)
L9    Q      Acme  04-12   04-22 paid 0, CO-29 100 (timely filing); 05-20 written off
                           (timely filing)
L10   P      Acme  04-14   04-22 paid 0, CO-16 100 with remark MA130 (unprocessable)
L11   R      MCR   04-15   04-29 CLP02 19 (crossed over to the Gap Plan): paid 60, CO-45 20,
                           PR-2 20
L12   P      Acme  04-16   04-20 paid 100, no adjustment; 05-12 a PLB WO 40 names its payer
                           claim number (the payer takes 40 back)
L13   Q      Acme  04-17   two lines: 97110 60 and 97140 40; 04-29 line 1 paid 45, CO-45 15;
                           line 2 paid 30, CO-45 5, CO-97 5 (reduced, partly bundled)
Client money: Remy pays 50 on 05-02 naming no claim; Quinn pays 30 on 05-03 naming no claim;
the practice refunds Quinn 10 on 05-25.
"""

from __future__ import annotations

from metdash.store import Database

SQL = """
INSERT INTO practice (practice_id, name, billing_npi, tax_id, taxonomy, address_line1, city,
                      state, zip, is_demo)
VALUES (1, 'Ledger Test Practice', '1456789019', '12-3456789', '225100000X', '1 Main St',
        'Springfield', 'IL', '62701', FALSE);
INSERT INTO providers VALUES (1, '1987654328', 'Trainer', 'Tess', 'MEP', '225100000X', TRUE);
INSERT INTO payers (payer_id, name, payer_type, clearinghouse_payer_id, appeal_window_days)
VALUES (1, 'Acme Health', 'commercial', 'ACME1', 60),
       (2, 'Medicare', 'medicare', '00431', 120),
       (3, 'Gap Plan', 'commercial', 'GAP01', 90);
INSERT INTO referrers VALUES (1, '1234567893', 'Okafor, Ada', 'physician', NULL, NULL);
INSERT INTO clients (client_id, last_name, first_name, dob, sex) VALUES
  ('P', 'Pine', 'Pat', DATE '1950-01-01', 'F'),
  ('Q', 'Quill', 'Quinn', DATE '1955-02-02', 'M'),
  ('R', 'Reed', 'Remy', DATE '1948-03-03', 'M');
INSERT INTO claims (claim_id, client_id, payer_id, referrer_id, rendering_provider_id, status,
                    diagnosis_codes, total_charge, first_service_date, submitted_date,
                    last_submitted_date, source) VALUES
  ('L1',  'P', 1, 1, 1, 'appealed',       ['M17.11'], 100, DATE '2025-04-01', DATE '2025-04-02', DATE '2025-04-02', 'test'),
  ('L2',  'P', 1, 1, 1, 'paid',           ['M17.11'], 100, DATE '2025-04-03', DATE '2025-04-04', DATE '2025-04-04', 'test'),
  ('L3',  'Q', 1, 1, 1, 'paid',           ['M17.11'], 100, DATE '2025-04-05', DATE '2025-04-06', DATE '2025-04-06', 'test'),
  ('L4',  'Q', 2, 1, 1, 'submitted',      ['M17.11'], 100, DATE '2025-04-07', DATE '2025-04-08', DATE '2025-04-08', 'test'),
  ('L5',  'R', 1, 1, 1, 'paid',           ['M17.11'], 100, DATE '2025-04-08', DATE '2025-04-09', DATE '2025-04-09', 'test'),
  ('L7',  'P', 3, 1, 1, 'paid',           ['M17.11'], 100, DATE '2025-04-10', DATE '2025-04-11', DATE '2025-04-11', 'test'),
  ('L8',  'R', 1, 1, 1, 'denied',         ['M17.11'], 100, DATE '2025-04-11', DATE '2025-04-12', DATE '2025-04-12', 'test'),
  ('L9',  'Q', 1, 1, 1, 'denied',         ['M17.11'], 100, DATE '2025-04-12', DATE '2025-04-13', DATE '2025-04-13', 'test'),
  ('L10', 'P', 1, 1, 1, 'denied',         ['M17.11'], 100, DATE '2025-04-14', DATE '2025-04-15', DATE '2025-04-15', 'test'),
  ('L11', 'R', 2, 1, 1, 'paid',           ['M17.11'], 100, DATE '2025-04-15', DATE '2025-04-16', DATE '2025-04-16', 'test'),
  ('L12', 'P', 1, 1, 1, 'paid',           ['M17.11'], 100, DATE '2025-04-16', DATE '2025-04-17', DATE '2025-04-17', 'test'),
  ('L13', 'Q', 1, 1, 1, 'partially_paid', ['M17.11'], 100, DATE '2025-04-17', DATE '2025-04-18', DATE '2025-04-18', 'test');
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                         dx_pointers) VALUES
  ('L1', 1, DATE '2025-04-01', '97110', [], 1, 100, [1]),
  ('L2', 1, DATE '2025-04-03', '97110', [], 1, 100, [1]),
  ('L3', 1, DATE '2025-04-05', '97110', [], 1, 100, [1]),
  ('L4', 1, DATE '2025-04-07', '97110', ['GP'], 1, 100, [1]),
  ('L5', 1, DATE '2025-04-08', '97110', [], 1, 100, [1]),
  ('L7', 1, DATE '2025-04-10', '97110', [], 1, 100, [1]),
  ('L8', 1, DATE '2025-04-11', '97110', [], 1, 100, [1]),
  ('L9', 1, DATE '2025-04-12', '97110', [], 1, 100, [1]),
  ('L10', 1, DATE '2025-04-14', '97110', [], 1, 100, [1]),
  ('L11', 1, DATE '2025-04-15', '97110', ['GP'], 1, 100, [1]),
  ('L12', 1, DATE '2025-04-16', '97110', [], 1, 100, [1]),
  ('L13', 1, DATE '2025-04-17', '97110', [], 1, 60, [1]),
  ('L13', 2, DATE '2025-04-17', '97140', [], 1, 40, [1]);
INSERT INTO claim_status_history (claim_id, seq, status, status_date, changed_by, note) VALUES
  ('L4', 1, 'paid', DATE '2025-04-21', 'test', '835'),
  ('L4', 2, 'closed', DATE '2025-04-25', 'bea', 'paid in full'),
  ('L4', 3, 'submitted', DATE '2025-05-15', 'test', 'payment reversed (CLP02 22)');
INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date, method,
                         trace_number, amount, source) VALUES
  (1, 1, 'Acme Health', 'ACME1', DATE '2025-04-20', 'ACH', 'A-0420', 156, 'test'),
  (2, 2, 'Medicare', '00431', DATE '2025-04-21', 'ACH', 'M-0421', 80, 'test'),
  (3, 1, 'Acme Health', 'ACME1', DATE '2025-04-22', 'NON', 'A-0422', 0, 'test'),
  (4, 3, 'Gap Plan', 'GAP01', DATE '2025-04-28', 'ACH', 'G-0428', 20, 'test'),
  (5, 2, 'Medicare', '00431', DATE '2025-04-29', 'ACH', 'M-0429', 60, 'test'),
  (6, 1, 'Acme Health', 'ACME1', DATE '2025-04-29', 'ACH', 'A-0429', 75, 'test'),
  (7, 1, 'Acme Health', 'ACME1', DATE '2025-05-10', 'ACH', 'A-0510', 70, 'test'),
  (8, 1, 'Acme Health', 'ACME1', DATE '2025-05-12', 'ACH', 'A-0512', -40, 'test'),
  (9, 2, 'Medicare', '00431', DATE '2025-05-15', 'ACH', 'M-0515', -80, 'test');
INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01, status_code,
                            charge, paid, patient_responsibility, payer_claim_number) VALUES
  (1, 1, 1, 'L1', 'L1', '1', 100, 0, 0, 'ICN-L1'),
  (2, 1, 2, 'L2', 'L2', '1', 100, 56, 14, 'ICN-L2'),
  (3, 1, 3, 'L3', 'L3', '1', 100, 0, 0, 'ICN-L3'),
  (4, 1, 4, 'L12', 'L12', '1', 100, 100, 0, 'ICN-L12'),
  (5, 2, 1, 'L4', 'L4', '1', 100, 80, 0, 'MCN-L4'),
  (6, 3, 1, 'L5', 'L5', '1', 100, 0, 75, 'ICN-L5'),
  (7, 3, 2, 'L8', 'L8', '1', 100, 0, 100, 'ICN-L8'),
  (8, 3, 3, 'L9', 'L9', '1', 100, 0, 0, 'ICN-L9'),
  (9, 3, 4, 'L10', 'L10', '1', 100, 0, 0, 'ICN-L10'),
  (10, 4, 1, 'L7', 'L7', '2', 100, 20, 10, 'GAP-L7'),
  (11, 5, 1, 'L11', 'L11', '19', 100, 60, 20, 'MCN-L11'),
  (12, 6, 1, 'L13', 'L13', '1', 100, 75, 0, 'ICN-L13'),
  (13, 7, 1, 'L3', 'L3', '1', 100, 70, 0, 'ICN-L3B'),
  (14, 9, 1, 'L4', 'L4', '22', -100, -80, 0, 'MCN-L4');
INSERT INTO line_payments (line_payment_id, claim_payment_id, line_no, cpt, charge, paid,
                           units, service_date) VALUES
  (1, 12, 1, '97110', 60, 45, 1, DATE '2025-04-17'),
  (2, 12, 2, '97140', 40, 30, 1, DATE '2025-04-17');
INSERT INTO adjustments (adjustment_id, claim_payment_id, line_payment_id, group_code, carc,
                         amount) VALUES
  (1, 1, NULL, 'CO', '50', 100),
  (2, 2, NULL, 'CO', '45', 30), (3, 2, NULL, 'PR', '2', 14),
  (4, 3, NULL, 'CO', '50', 100),
  (5, 5, NULL, 'CO', '45', 20),
  (6, 6, NULL, 'CO', '45', 25), (7, 6, NULL, 'PR', '1', 75),
  (8, 7, NULL, 'PR', '96', 100),
  (9, 8, NULL, 'CO', '29', 100),
  (10, 9, NULL, 'CO', '16', 100),
  (11, 10, NULL, 'OA', '23', 70), (12, 10, NULL, 'PR', '2', 10),
  (13, 11, NULL, 'CO', '45', 20), (14, 11, NULL, 'PR', '2', 20),
  (15, 12, 1, 'CO', '45', 15),
  (16, 12, 2, 'CO', '45', 5), (17, 12, 2, 'CO', '97', 5),
  (18, 13, NULL, 'CO', '45', 30),
  (19, 14, NULL, 'CO', '45', -20);
INSERT INTO remark_codes VALUES (9, NULL, 'MA130');
INSERT INTO provider_adjustments (remittance_id, seq, fiscal_period_date, reason_code,
                                  reference, amount, claim_id)
VALUES (8, 1, DATE '2025-12-31', 'WO', 'ICN-L12', 40, 'L12');
INSERT INTO appeals (appeal_id, claim_id, filed_date, reason, outcome) VALUES
  (1, 'L1', DATE '2025-04-25', 'Plan of care attached', 'pending'),
  (2, 'L3', DATE '2025-04-22', 'Referral attached', 'overturned');
INSERT INTO patient_payments (patient_payment_id, client_id, claim_id, payment_date, amount,
                              method) VALUES
  (1, 'P', 'L2', DATE '2025-05-01', 10, 'card'),
  (2, 'R', NULL, DATE '2025-05-02', 50, 'check'),
  (3, 'Q', NULL, DATE '2025-05-03', 30, 'cash');
INSERT INTO balance_transfers (transfer_id, claim_id, client_id, amount, transfer_date, reason,
                               user_name)
VALUES (1, 'L8', 'R', 100, DATE '2025-05-05', 'PR-96: waiver signed', 'bea');
INSERT INTO write_offs (write_off_id, client_id, claim_id, side, amount, reason, note,
                        write_off_date, user_name)
VALUES (1, 'Q', 'L9', 'insurance', 100, 'timely_filing', 'sent late', DATE '2025-05-20', 'bea');
INSERT INTO patient_refunds (refund_id, client_id, refund_date, amount, method, user_name)
VALUES (1, 'Q', DATE '2025-05-25', 10, 'check', 'bea');
"""


# L14 (Remy, Acme, served 04-18, charge 100), added by the tests that need it: 04-25 paid 56,
# CO-45 30, PR-2 14; 05-09 a new CLP pays the same again (no reversal: it replaces the
# adjudication, DOMAIN.md, while the money is received twice). Its insurance side:
# 100 - 112 - 30 - 14 = -56, Acme's to get back; Remy owes his 14.
DUPLICATE_PAYMENT = """
INSERT INTO claims (claim_id, client_id, payer_id, referrer_id, rendering_provider_id, status,
                    diagnosis_codes, total_charge, first_service_date, submitted_date,
                    last_submitted_date, source)
VALUES ('L14', 'R', 1, 1, 1, 'paid', ['M17.11'], 100, DATE '2025-04-18', DATE '2025-04-19',
        DATE '2025-04-19', 'test');
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                         dx_pointers)
VALUES ('L14', 1, DATE '2025-04-18', '97110', [], 1, 100, [1]);
INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date, method,
                         trace_number, amount, source)
VALUES (10, 1, 'Acme Health', 'ACME1', DATE '2025-04-25', 'ACH', 'A-0425', 56, 'test'),
       (11, 1, 'Acme Health', 'ACME1', DATE '2025-05-09', 'ACH', 'A-0509', 56, 'test');
INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01, status_code,
                            charge, paid, patient_responsibility, payer_claim_number)
VALUES (15, 10, 1, 'L14', 'L14', '1', 100, 56, 14, 'ICN-L14'),
       (16, 11, 1, 'L14', 'L14', '1', 100, 56, 14, 'ICN-L14B');
INSERT INTO adjustments (adjustment_id, claim_payment_id, line_payment_id, group_code, carc,
                         amount)
VALUES (100, 15, NULL, 'CO', '45', 30), (101, 15, NULL, 'PR', '2', 14),
       (102, 16, NULL, 'CO', '45', 30), (103, 16, NULL, 'PR', '2', 14);
"""


# 06-06: Acme takes L14's duplicate 56 back from a later payment: a PLB WO naming the second
# claim number (the 835 import then touches the claim's facts: facts.touch(con, ["L14"])).
DUPLICATE_TAKEN_BACK = """
INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date, method,
                         trace_number, amount, source)
VALUES (12, 1, 'Acme Health', 'ACME1', DATE '2025-06-06', 'ACH', 'A-0606', -56, 'test');
INSERT INTO provider_adjustments (remittance_id, seq, fiscal_period_date, reason_code,
                                  reference, amount, claim_id)
VALUES (12, 1, DATE '2025-12-31', 'WO', 'ICN-L14B', 56, 'L14');
"""


def build(db: Database) -> Database:
    """Load the ledger practice into ``db`` (an empty, migrated store) and return it."""
    with db.transaction() as con:
        con.execute(SQL)
    return db
