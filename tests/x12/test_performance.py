"""Issue 8's target: 835 import ≥ 5,000 claims/s on a generated 835 of 10,000 claims.

The assertion is looser (CI machines are shared); the measured rate is printed (-s).
"""

from __future__ import annotations

import time

import pytest

from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835

N_CLAIMS = 10_000


def big_835(n: int) -> bytes:
    claims = [Claim(f"C{i:06d}", "1", "200", "150", pr="10", payer_claim_number=f"P{i}",
                    lines=[Line("97110", "120", "90", cas=[("CO", "45", "20"), ("PR", "3", "10")],
                                allowed="100", mods=["GP"], units="2"),
                           Line("97530", "80", "60", cas=[("CO", "45", "20")], allowed="60")])
              for i in range(n)]
    return build_835(claims, trace="BIG1").encode()


@pytest.mark.slow
def test_import_10000_claims(db):
    data = big_835(N_CLAIMS)
    with db.transaction() as con:  # half the claims are ours, so statuses move too
        # The practice the file pays (N1*PE) and its payer (N1*PR): a file posts only then.
        con.execute("INSERT INTO practice (practice_id, name, billing_npi, tax_id) VALUES "
                    "(1, 'Moving Well Exercise LLC', '1234567893', '12-3456789')")
        con.execute("INSERT INTO payers (payer_id, name, payer_type) VALUES "
                    "(1, 'Acme Health', 'commercial')")
        con.execute(
            "INSERT INTO claims (claim_id, client_id, payer_id, status, diagnosis_codes,"
            " total_charge, first_service_date, submitted_date)"
            " SELECT printf('C%06d', i), 'K1', 1, 'submitted', ['M54.50'], 200,"
            " DATE '2025-02-03', DATE '2025-02-04' FROM range(0, ?, 2) t(i)", [N_CLAIMS])
    start = time.perf_counter()
    s = import_835(db, [("big.835", data)], "perf")
    elapsed = time.perf_counter() - start
    rate = N_CLAIMS / elapsed
    print(f"\n835 import: {N_CLAIMS} claims ({len(data) / 1e6:.1f} MB) in {elapsed:.2f} s "
          f"= {rate:,.0f} claims/s")
    assert s.ok and s.claims == N_CLAIMS and s.matched == N_CLAIMS // 2
    assert db.scalar("SELECT count(*) FROM claims WHERE status = 'paid'") == N_CLAIMS // 2
    # Target 5,000/s on an idle machine (see the printed figure); the guard only catches a
    # fall back to row-by-row writes (~50 claims/s), since CI shares its 2 cores.
    assert rate > 500
