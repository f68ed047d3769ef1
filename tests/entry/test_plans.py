"""Plans of care: 90 calendar days from the first treatment, the physician's signature,
recertification (DOMAIN.md, "Deadlines"); and migration 0013 on an older store."""

import datetime as dt

import duckdb
import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from metdash.store import Database, migrate
from tests.entry.helpers import count
from tests.entry_seed import AS_OF, USER


def plan(**kw):
    base = dict(client_id="C001", referrer_id=1, start_date="2025-01-01")
    base.update(kw)
    return e.PlanOfCareIn(**base)


def test_at_most_90_calendar_days_from_the_first_treatment(db):
    # The first treatment is day 1: from 2025-01-01, day 90 is 2025-03-31 (January 31 +
    # February 28 + March 31 = 90 days). Through 03-31 is the longest; 04-01 is day 91.
    assert e.certified_through_at_most(dt.date(2025, 1, 1)) == dt.date(2025, 3, 31)
    with db.connect() as con:
        assert e.validate_plan_of_care(con, plan(certified_through="2025-03-31"), AS_OF) == []
        p = e.validate_plan_of_care(con, plan(certified_through="2025-04-01"), AS_OF)
    assert p == ["Certified through 2025-04-01 is 91 days from the first treatment "
                 "2025-01-01: a plan of care is certified for at most 90 calendar days "
                 "(through 2025-03-31): shorten it, then recertify."]
    # No date given: the longest, 90 days.
    pid = e.save_plan_of_care(db, plan(), USER, as_of=AS_OF)
    assert db.scalar("SELECT certified_through FROM plans_of_care WHERE plan_id = ?",
                     [pid]) == dt.date(2025, 3, 31)
    assert db.scalar("SELECT signed_date FROM plans_of_care") is None
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'plans_of_care'") == 1


def test_every_problem_at_once(db):
    e.save_referrer(db, e.ReferrerIn(npi="1234567893", name="Lakeview PT",
                                     kind="physical_therapist"), USER)          # referrer 2
    bad = plan(client_id="C001", referrer_id=2, start_date="2025-07-04",
               certified_through="2025-07-01", signed_date="2025-07-02", referral_id=2)
    with db.connect() as con:
        p = e.validate_plan_of_care(con, bad, AS_OF)
    assert {x.field for x in p} == {"referrer_id", "start_date", "certified_through",
                                    "signed_date", "referral_id"}
    assert "Lakeview PT is a physical therapist" in p[0]
    with pytest.raises(ValidationError):
        e.save_plan_of_care(db, bad, USER, as_of=AS_OF)
    assert count(db, "plans_of_care") == 0


def test_signature_recorded_later(db):
    pid = e.save_plan_of_care(db, plan(), USER, as_of=AS_OF)
    with pytest.raises(ValidationError) as exc:
        e.record_plan_signature(db, pid, "2024-12-31", USER, as_of=AS_OF)
    assert exc.value.problems == ["Signed on 2024-12-31 is before the plan was written "
                                  "(2025-01-01): check the date."]
    e.record_plan_signature(db, pid, "2025-01-20", USER, as_of=AS_OF)
    assert db.scalar("SELECT signed_date FROM plans_of_care") == dt.date(2025, 1, 20)
    with pytest.raises(ValidationError) as exc:
        e.record_plan_signature(db, pid, "2025-01-21", USER, as_of=AS_OF)
    assert "already signed (2025-01-20)" in exc.value.problems[0]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'sign'") == 1


def test_recertification_continues_one_plan_once(db):
    first = e.save_plan_of_care(db, plan(signed_date="2025-01-10"), USER, as_of=AS_OF)
    # The recertification starts the day after 03-31; it may be recorded (and signed)
    # ahead, while the first plan still runs.
    second = e.save_plan_of_care(db, plan(start_date="2025-04-01", recertifies_plan_id=first,
                                          signed_date="2025-03-25"), USER,
                                 as_of=dt.date(2025, 3, 26))
    assert db.scalar("SELECT certified_through FROM plans_of_care WHERE plan_id = ?",
                     [second]) == dt.date(2025, 6, 29)
    with db.connect() as con:
        p = e.validate_plan_of_care(con, plan(start_date="2025-01-01",
                                              recertifies_plan_id=first), AS_OF)
    assert [x.field for x in p] == ["recertifies_plan_id", "start_date"]
    assert f"already recertified by plan {second}" in p[0]
    frame = e.client_plans_of_care(db, "C001")
    assert list(frame.plan_id) == [second, first]
    assert frame.iloc[1].recertified_by_plan_id == second
    assert frame.iloc[0].label == (f"Plan {second}: 2025-04-01 to 2025-06-29, signed "
                                   "2025-03-25")


def test_migration_0013_on_a_store_from_before(tmp_path):
    # A store at version 10 with a practice that had its own KX number: 0013 adds the
    # tables, the KX amounts by year, and drops the practice's column; the practice stays.
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR "
                "NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    for version, name, sql in migrate.migrations():
        if version <= 10:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                        [version, name])
    con.execute("INSERT INTO practice (practice_id, name, billing_npi, tax_id, kx_threshold) "
                "VALUES (1, 'Old Practice', '1234567893', '12-3456789', 2410)")
    con.close()
    db = Database(path)
    assert db.scalar("SELECT name FROM practice") == "Old Practice"
    assert "kx_threshold" not in set(db.query("DESCRIBE practice").column_name)
    assert db.scalar("SELECT threshold FROM kx_thresholds WHERE year = 2026") == 2480
    assert db.scalar("SELECT count(*) FROM plans_of_care") == 0
    assert db.scalar("SELECT count(*) FROM claim_sessions") == 0
