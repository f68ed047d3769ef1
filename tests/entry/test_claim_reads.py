"""The claim rules' questions answered for a batch (read up front, kept in memory) are the
answers the store gives one query at a time: on the demo practice, before and after the
batch adds a claim."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from metdash import entry as e
from metdash.store import Database


class _Rollback(Exception):
    pass


@pytest.fixture
def demo(demo_db_path, tmp_path):
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, target)
    return Database(target)


def busiest_clients(con, n):
    return [r[0] for r in con.execute(
        "SELECT client_id FROM claims GROUP BY ALL ORDER BY count(*) DESC, client_id "
        "LIMIT ?", [n]).fetchall()]


def same_answers(batch, store, con, clients):
    """Every question of the rules, for ``clients``, answered alike."""
    payers = [r[0] for r in con.execute("SELECT payer_id FROM payers").fetchall()]
    assert batch.known_codes() == store.known_codes() and batch.fees() == store.fees()
    for year in range(2019, 2028):
        assert batch.kx_threshold(year) == store.kx_threshold(year)
    for p in payers:
        assert batch.payer(p) == store.payer(p)
        assert batch.payer_allowed(p) == store.payer_allowed(p)
    asked = 0
    for client in clients:
        assert batch.client_on_file(client) and store.client_on_file(client)
        claims = [r[0] for r in con.execute(
            "SELECT claim_id FROM claims WHERE client_id = ? ORDER BY claim_id",
            [client]).fetchall()]
        days = sorted({r[0] for r in con.execute(
            "SELECT service_date FROM claim_lines JOIN claims USING (claim_id) WHERE "
            "client_id = ? UNION SELECT session_date FROM sessions WHERE client_id = ?",
            [client, client]).fetchall()})
        days = days[:12] + [dt.date(2026, 6, 29)]
        for claim in ["", *claims[:3]]:
            assert batch.billed_pairs(client, claim) == store.billed_pairs(client, claim)
            for (day, code), holder in sorted(store.billed_pairs(client, claim).items())[:6]:
                got = batch.holding_claim(holder, day, code)
                want = store.holding_claim(holder, day, code)
                # A claim the batch added is not on file for the batch (written with it).
                assert got == want if got.on_file else got.bills_else == want.bills_else
            assert batch.billed_units(client, days, claim) == \
                store.billed_units(client, days, claim)
            for year in {d.year for d in days}:
                assert batch.medicare_allowed_ytd(client, year, claim) == \
                    store.medicare_allowed_ytd(client, year, claim)
        assert batch.day_sessions(client, days) == store.day_sessions(client, days)
        coverages = [r[0] for r in con.execute(
            "SELECT coverage_id FROM coverages WHERE client_id = ?", [client]).fetchall()]
        for day in days[::3]:
            for p in payers:
                for cov in [None, *coverages]:
                    got = batch.coverage_on(client, day, p, cov)
                    want = store.coverage_on(client, day, p, cov)
                    assert (got is None) == (want is None)
                    if got is not None:
                        assert got["coverage_id"] == want["coverage_id"]
                        asked += 1
        for (rid,) in con.execute("SELECT referral_id FROM referrals WHERE client_id = ?",
                                  [client]).fetchall():
            assert batch.referral(rid) == store.referral(rid)
            for claim in ["", *claims[:2]]:
                assert batch.visits_used(rid, claim, days[:4]) == \
                    store.visits_used(rid, claim, days[:4])
    assert asked  # coverages were found, not only missed alike
    assert not batch.claim_on_file("nope") and not store.claim_on_file("nope")


def test_batch_answers_as_the_store_does(demo):
    with demo.connect() as con:
        clients = busiest_clients(con, 12)
        claim_ids = [r[0] for r in con.execute("SELECT claim_id FROM claims LIMIT 50").fetchall()]
        batch = e.BatchReads(con, clients, [*claim_ids, "NEW-1"])
        same_answers(batch, e.StoreReads(con), con, clients)
        assert all(batch.claim_on_file(c) for c in claim_ids)
        assert not batch.claim_on_file("NEW-1")


def test_a_claim_the_batch_adds_is_seen_as_if_on_file(demo):
    with pytest.raises(_Rollback), demo.transaction() as con:
        # A Medicare client with sessions and claims: the batch's KX sums, billed dates and
        # codes, referral visits and units of the day all move with the new claim.
        client, payer, referral, day = con.execute("""
            SELECT c.client_id, c.payer_id, c.referral_id, s.session_date
            FROM claims c JOIN payers p USING (payer_id) JOIN sessions s USING (client_id)
            WHERE p.payer_type = 'medicare' AND c.referral_id IS NOT NULL
            ORDER BY c.claim_id, s.session_date LIMIT 1""").fetchall()[0]
        batch = e.BatchReads(con, [client], ["NEW-1"])
        lines = [e.ClaimLineIn(day, "97110", 3, Decimal("120.00"), ["GP"], [1]),
                 e.ClaimLineIn(dt.date(2026, 6, 29), "97530", 1, Decimal("45.00"), ["GP"], [1])]
        claim = e.ClaimIn("NEW-1", client, payer, ["M54.50"], lines, referral_id=referral)
        e.write_claims(con, [(claim, "ready")], "tester")
        batch.add_claim("NEW-1", client, payer, referral,
                        [(ln.service_date, ln.cpt, ln.units, ln.charge) for ln in lines])
        store = e.StoreReads(con)
        assert batch.claim_on_file("NEW-1") and store.claim_on_file("NEW-1")
        assert batch.billed_pairs(client, "")[(day, "97110")] == \
            store.billed_pairs(client, "")[(day, "97110")]
        same_answers(batch, store, con, [client])
        raise _Rollback
