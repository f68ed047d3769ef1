"""Reset demo: the seed and size come from the audit log; a real practice is never touched."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from metdash import workshop
from metdash.demo import generate
from metdash.errors import NotTheDemo
from metdash.store import Database, audit
from tests import small_practice


def test_settings_follow_the_last_generation(tmp_path):
    db = Database(tmp_path / "demo.duckdb")
    generate(db, seed=3, claim_lines=400, as_of=dt.date(2026, 6, 30))
    assert workshop.demo_settings(db) == {"seed": 3, "claim_lines": 400}
    summary = workshop.reset_demo(db, dt.date(2026, 7, 15), user="tester")
    assert (summary.seed, summary.as_of) == (3, dt.date(2026, 7, 15))
    assert db.scalar("SELECT max(received_date) FROM referrals") <= dt.date(2026, 7, 15)
    assert workshop.demo_settings(db) == {"seed": 3, "claim_lines": 400}


@pytest.mark.parametrize("after, expected", [
    (None, {"seed": 7, "claim_lines": None}),
    # Older rows held only the summary: the default size stays the default size...
    ({"seed": 9, "claim_lines": 49665, "providers": 6}, {"seed": 9, "claim_lines": None}),
    # ...and a small demo keeps about its line count.
    ({"seed": 11, "claim_lines": 6045, "providers": 1}, {"seed": 11, "claim_lines": 6045}),
    ({"seed": 4, "claim_lines": None, "summary": {"claim_lines": 50100}},
     {"seed": 4, "claim_lines": None}),
])
def test_settings_from_old_and_new_audit_rows(tmp_path, after, expected):
    db = Database(tmp_path / "x.duckdb")
    with db.transaction() as con:
        if after is not None:
            audit(con, "t", "demo generated", "practice", 1, None, after)
    assert workshop.demo_settings(db) == expected
    assert json.dumps(expected)  # plain values


def test_a_real_practice_is_never_reset(tmp_path):
    db = small_practice.build(Database(tmp_path / "small.duckdb"))
    with pytest.raises(NotTheDemo):
        workshop.reset_demo(db, dt.date(2026, 1, 1), user="tester")
    assert db.scalar("SELECT count(*) FROM claims") == 13
