"""The work lists whose queries were rewritten to run faster give the same rows as before.

Each old query is kept in tests/reference_sql/ as it was (metdash at 82da4c1) and run side by
side with the list on the demo practice, on as-of days spread over its history: the same
frame, row for row and column for column (the unbilled sessions also through each way the new
query can take: a bit per session id, sessions saved after the id span was read, and the
anti-join it falls back to)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from metdash import acks
from metdash import worklists as w
from metdash.store import Database
from metdash.x12.secondary import secondary_claims_to_bill

REFERENCE = Path(__file__).parent / "reference_sql"
DAYS = [dt.date(2026, 6, 30), dt.date(2026, 3, 15), dt.date(2025, 11, 2), dt.date(2025, 6, 30)]


def _old(db: Database, name: str, as_of: dt.date) -> pd.DataFrame:
    sql = (REFERENCE / f"{name}.sql").read_text(encoding="utf-8")
    if "$as_of" in sql:
        return db.query(sql, {"as_of": as_of})
    return db.query(sql, [as_of] * sql.count("?::DATE"))


@pytest.fixture(scope="module")
def db(demo_db_path):
    return Database(demo_db_path)


# (reference file, the list as it is now)
SINGLE = [
    ("secondary_to_bill", secondary_claims_to_bill),
    ("sessions_not_billed", w.sessions_not_billed),
    ("claims_ready_to_submit", w.claims_ready_to_submit),
    ("plan_of_care_to_recertify", w.plan_of_care_to_recertify),
    ("rejected_claims", acks.rejected_claims),
]


# Columns a list gained since its reference query, and what each must equal.
ADDED = {"secondary_to_bill": {"next_payer_share": lambda f: f.cost_share + f.cob}}


@pytest.mark.parametrize("name, fn", SINGLE, ids=[n for n, _ in SINGLE])
def test_same_rows_as_the_old_query(db, name, fn):
    sizes = []
    for day in DAYS:
        old, new = _old(db, name, day), fn(db, day)
        added = ADDED.get(name, {})
        for column, worked in added.items():
            assert new[column].tolist() == worked(new).tolist()
        pdt.assert_frame_equal(old, new.drop(columns=list(added)))
        sizes.append(len(new))
    assert sum(sizes) > 0  # two empty answers would prove nothing


def test_denial_lists_same_rows_as_the_old_query(db):
    filing = dict(db.query("""
        SELECT c.claim_id, (c.first_service_date + p.timely_filing_days)::DATE
        FROM claims c JOIN payers p USING (payer_id)""").values.tolist())
    for day in DAYS:
        work = _old(db, "denial_lists", day)
        appeal = work[work.to_appeal].sort_values(["appeal_deadline", "claim_id"])
        appeal = appeal[["claim_id", "client_id", "client_name", "payer", "status",
                         "denied_date", "appeal_deadline", "days_left", "denied_amount",
                         "reasons"]].reset_index(drop=True)
        # Nearest deadline first, those past it last: the payer's filing deadline (first
        # service date + timely_filing_days) for a denial to correct and resubmit, else the
        # (passed) appeal deadline.
        correct = work[work.to_correct]
        deadline = [filing[claim] if first else appeal for claim, first, appeal in
                    zip(correct.claim_id, correct.correct_first, correct.appeal_deadline,
                        strict=True)]
        correct = correct.assign(deadline=deadline,
                                 days_left=[(d - day).days for d in deadline])
        correct = correct.assign(passed=correct.days_left < 0).sort_values(
            ["passed", "deadline", "claim_id"])
        # The next step as the new rule words it (worked from the old query's reasons and
        # the payer's type: only PR reasons, and not Medicaid, may be billed to the client).
        types = dict(db.query("SELECT name, payer_type FROM payers").values.tolist())
        correct = correct.assign(next_step=[
            w.next_step_after_window(first, all(r.startswith("PR-")
                                                for r in reasons.split(", "))
                                     and types[payer] != "medicaid", passed)
            for first, reasons, payer, passed in zip(correct.correct_first, correct.reasons,
                                                     correct.payer, correct.passed,
                                                     strict=True)])
        correct = correct[["claim_id", "client_id", "client_name", "payer", "status",
                           "denied_date", "deadline", "days_left", "denied_amount", "reasons",
                           "next_step"]].reset_index(drop=True)
        pdt.assert_frame_equal(appeal, w.denials_to_appeal(db, day))
        pdt.assert_frame_equal(correct, w.denials_to_correct(db, day))
        if day == DAYS[0]:
            assert len(appeal) and len(correct)


def test_unbilled_sessions_every_way(db, monkeypatch):
    lo, hi = w.session_id_span(db)
    for day in DAYS:
        want = _old(db, "sessions_not_billed", day)
        # sessions saved after the span was read (above it): the anti-join branch
        monkeypatch.setattr(w, "session_id_span", lambda db: (lo, (lo + hi) // 2))
        pdt.assert_frame_equal(want, w.sessions_not_billed(db, day))
        # ids spread too wide for a bit each: UNBILLED_IDS
        monkeypatch.setattr(w, "session_id_span", lambda db: None)
        pdt.assert_frame_equal(want, w.sessions_not_billed(db, day))
        monkeypatch.undo()


def test_unbilled_sessions_with_no_sessions(tmp_path, demo_db_path):
    import shutil

    shutil.copy(demo_db_path, tmp_path / "d.duckdb")
    db = Database(tmp_path / "d.duckdb")
    with db.transaction() as con:
        con.execute("DELETE FROM session_minutes")
        con.execute("UPDATE claim_lines SET session_id = NULL")
        con.execute("DELETE FROM claim_sessions")
        con.execute("DELETE FROM sessions")
    assert w.session_id_span(db) is None
    assert w.sessions_not_billed(db, DAYS[0]).empty


def test_unbilled_sessions_with_no_claim_lines(tmp_path, demo_db_path):
    """No line names a session (none billed yet, or lines typed by hand): every session is
    unbilled, as the old query said."""
    import shutil

    shutil.copy(demo_db_path, tmp_path / "d.duckdb")
    db = Database(tmp_path / "d.duckdb")
    with db.transaction() as con:
        con.execute("UPDATE claim_lines SET session_id = NULL")
        con.execute("DELETE FROM claim_sessions")
    assert w.session_id_span(db) is not None
    want = _old(db, "sessions_not_billed", DAYS[0])
    assert len(want) > 0
    pdt.assert_frame_equal(want, w.sessions_not_billed(db, DAYS[0]))
