"""The demo's acknowledgments (metdash.demo_acks): 999s and 277CAs for what it sent, a few
rejections on the work lists, a clean claim rate below 100 %, consistent with the claims."""

from __future__ import annotations

import datetime as dt

import pytest

from metdash import acks, demo
from metdash.figures import Filters, clean_claim_rate
from metdash.store import Database

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    db = Database(tmp_path_factory.mktemp("demo_acks") / "demo.duckdb")
    demo.generate(db, claim_lines=4000, as_of=AS_OF)
    return db


def test_every_file_sent_has_a_999_and_a_277ca_unless_rejected_or_sent_today(small):
    files = small.query("""
        SELECT s.group_number, min(s.submitted_at)::DATE AS day,
               bool_or(k.kind = '999') AS has_999, bool_or(k.kind = '277CA') AS has_277
        FROM x12_submissions s
        LEFT JOIN claim_acks a ON a.claim_id = s.claim_id
             AND a.status_date BETWEEN s.submitted_at::DATE AND s.submitted_at::DATE + 1
        LEFT JOIN acknowledgments k USING (ack_id)
        GROUP BY 1""")
    assert files.has_999.all()
    assert files.group_number.min() > 900_000_000  # never a number the practice's exports use
    rejected = small.query("SELECT group_number FROM ack_sets WHERE outcome = 'rejected'")
    assert len(rejected) == 1
    grp = int(rejected.group_number[0])
    # The rejected file's claims were resent the next day, and are not on the list.
    claims = small.query("SELECT claim_id, submitted_at FROM x12_submissions "
                         "WHERE group_number = ?", [grp])
    later = small.query("SELECT claim_id, min(submitted_at) AS resent FROM x12_submissions "
                        "WHERE claim_id IN (SELECT unnest(?::VARCHAR[])) AND group_number <> ? "
                        "GROUP BY 1", [claims.claim_id.tolist(), grp])
    assert sorted(later.claim_id) == sorted(claims.claim_id)
    assert (later.resent - claims.submitted_at.max()).dt.days.eq(1).all()
    listed = acks.rejected_claims(small, AS_OF)
    assert not set(claims.claim_id) & set(listed.claim_id)


def test_rejected_claims_and_claims_waiting_have_rows_with_reasons(small):
    listed = acks.rejected_claims(small, AS_OF)
    assert len(listed) == 3 and set(listed.rejected_by) == {"payer (277CA)"}
    assert set(small.query("SELECT status FROM claims WHERE claim_id IN "
                           "(SELECT unnest(?::VARCHAR[]))", [listed.claim_id.tolist()]).status
               ) == {"submitted"}
    assert any("member number" in r for r in listed.reason)
    waiting = acks.claims_awaiting_ack(small, AS_OF)
    assert len(waiting) >= 3 and (waiting.days_waiting > 3).all()


def test_clean_claim_rate_on_the_demo(small):
    got = clean_claim_rate(small, Filters(AS_OF - dt.timedelta(days=364), AS_OF))
    assert 0.9 < got["clean_claim_rate"] < 1
    # Three claims whose 277CA never came (older than the 3-day wait): submitted, not clean.
    assert got["claims_rejected"] >= 3 and got["claims_unacknowledged"] >= 3
    # Every resent claim's payments came from its resend: Medicare from its 14th day.
    early = small.scalar("""
        SELECT count(*) FROM claim_payments cp JOIN remittances r USING (remittance_id)
        JOIN claims c USING (claim_id)
        WHERE r.payment_date < c.last_submitted_date AND c.status = 'paid'
          AND c.claim_id IN (SELECT claim_id FROM claim_acks WHERE outcome = 'rejected')""")
    assert early == 0


def test_sendings_and_acknowledgments_are_stored_in_the_order_they_arrived(small):
    # As a practice's store accrues them (each import appends): a read of recent claims'
    # acknowledgments then skips the blocks of older ones (the work lists at 1M lines).
    for table, arrived in (("x12_submissions", "s.submitted_at"), ("claim_acks", "k.imported_at")):
        out_of_order = small.scalar(f"""
            WITH rows AS (
                SELECT s.rowid AS r, {arrived} AS t FROM {table} s
                {"JOIN acknowledgments k USING (ack_id)" if table == "claim_acks" else ""})
            SELECT count(*) FROM (SELECT t, lag(t) OVER (ORDER BY r) AS before FROM rows)
            WHERE t < before""")
        assert out_of_order == 0, table
