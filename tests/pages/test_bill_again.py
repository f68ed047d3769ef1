"""Claims -> Bill sessions with two sessions, one billed: the other stays offered, the billed
one goes, and building again works (a new-user tour: the page crashed)."""

from __future__ import annotations

import datetime as dt

from metdash import entry as e
from tests.entry_seed import USER
from tests.pages.test_entry_pages import TODAY, click, db, page, seeded  # noqa: F401


def test_billing_one_of_two_sessions_then_building_again(db):  # noqa: F811
    e.save_session(db, e.SessionIn("C001", 1, TODAY - dt.timedelta(days=2), "treatment",
                                   {"97110": 30}, None), USER)
    at = page("claims.py")
    picker = _picker(at)
    assert len(picker.value) == 2
    first = picker.value[0]
    picker.set_value([first]).run()
    click(at, "Build claim")
    save = [b for b in at.button if b.key == "save_draft"][0]
    save.click()
    at.run()
    assert not at.exception
    assert any("saved as a draft" in s.value for s in at.success)
    left = _picker(at)
    assert first not in left.options and len(left.options) == 1
    click(at, "Build claim")
    assert not at.exception, [x.value for x in at.exception]


def _picker(at):
    return next(m for m in at.multiselect if m.label == "Sessions to bill")
