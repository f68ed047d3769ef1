"""Migration 0029 (claim_payments.reverses_id) on a store made before it: every reversal on
file names the CLP it undid -- the one just before it of its payer (payment date, remittance,
CLP position) -- and the books read exactly as before.

The small practice (tests/small_practice.py) has two reversals: C3 denied (CLP02 4, payment 4)
on 02-15, reversed and paid on 03-10 (payment 7 names 4); C7 paid 64 on 03-18 (payment 9),
reversed and paid 72 on 03-25 (payment 10 names 9). Added here: C4, paid on 03-06 (payment
5), reversed on 03-20 (payment 12 names 5) and "reversed" again on 03-22 (payment 13: a 22
after a 22 names nothing and posts its own amounts, as before). The ledger is compared with
the same rows where no reversal names anything (the rule before 0029: a reversal undoes the
CLP before it).
"""

from __future__ import annotations

from metdash.store import Database, facts
from tests import small_practice
from tests.store.old_store import store_at

MORE = """
INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date, method,
                         trace_number, amount, source) VALUES
  (8, 2, 'Acme Health', 'ACME1', DATE '2025-03-20', 'ACH', 'A4', -60, 'demo'),
  (9, 2, 'Acme Health', 'ACME1', DATE '2025-03-22', 'ACH', 'A5', -60, 'demo');
INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01, status_code,
                            charge, paid, patient_responsibility) VALUES
  (12, 8, 1, 'C4', 'C4', '22', -100, -60, -30),
  (13, 9, 1, 'C4', 'C4', '22', -100, -60, -30);
"""

LEDGER = ("SELECT claim_id, seq, entry_date, kind, reversal, source_id, amount, insurance, "
          "patient FROM ledger ORDER BY claim_id, seq, kind, source_id, amount")


def _practice(con) -> None:
    con.execute(small_practice.SQL.format(practice=small_practice.NPI_PRACTICE,
                                          provider=small_practice.NPI_PROVIDER,
                                          r1=small_practice.NPI_R1, r2=small_practice.NPI_R2))
    con.execute(MORE)


def test_each_reversal_on_file_names_the_clp_before_it_and_the_books_read_as_before(tmp_path):
    con = store_at(tmp_path / "old.duckdb", 28)
    _practice(con)
    con.close()
    db = Database(tmp_path / "old.duckdb")
    with db.connect() as con:
        assert con.execute("SELECT claim_payment_id, reverses_id FROM claim_payments "
                           "WHERE status_code = '22' OR reverses_id IS NOT NULL "
                           "ORDER BY 1").fetchall() == [(7, 4), (10, 9), (12, 5), (13, None)]
        facts.rebuild(con)
        migrated = con.execute(LEDGER).fetchall()
        assert facts.check(con) == []
    # The same rows, no reversal naming anything: each undoes the CLP before it (as before)
    fresh = Database(tmp_path / "fresh.duckdb")
    with fresh.transaction() as con:
        _practice(con)
        assert con.execute("SELECT count(*) FROM claim_payments WHERE reverses_id IS NOT NULL"
                           ).fetchall() == [(0,)]
        facts.rebuild(con)
        assert con.execute(LEDGER).fetchall() == migrated
    # C7 as a biller reads it: paid 64 on 03-18; on 03-25 the 64 is taken back and 72 paid
    c7 = [(r[2].isoformat(), r[3], r[6]) for r in migrated
          if r[0] == "C7" and r[3] == "payer_payment"]
    assert c7 == [("2025-03-18", "payer_payment", 64), ("2025-03-25", "payer_payment", -64),
                  ("2025-03-25", "payer_payment", 72)]
