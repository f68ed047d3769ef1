"""AppTest: Work lists draws only the lists that are open (each expander tracks its state).

Fifteen tables of up to 1,000 rows each, with their downloads, were drawn on every visit
(most of the page's cold time at 1M claim lines), and the ready list learned the denial-risk
model on the first view after new remittances even when nobody looked at it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from metdash import refresh, risk, worklists
from metdash.store import Database, derived

PAGE = Path(__file__).resolve().parents[2] / "pages" / "worklists.py"


def _run(monkeypatch, db_path: Path, **state) -> AppTest:
    monkeypatch.setenv("METDASH_DB", str(db_path))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _nonempty(db_path: Path) -> list[str]:
    from metdash import ui

    lists = worklists.all_lists(Database(db_path), ui.today())
    return [key for key, frame in lists.items() if len(frame)]


def test_a_first_visit_draws_the_first_list_with_rows_only(monkeypatch, demo_db_path):
    nonempty = _nonempty(demo_db_path)
    assert len(nonempty) >= 3  # the demo has work in several lists
    at = _run(monkeypatch, demo_db_path)
    # Every list is there, with its count, in the sidebar and as a (closed) expander ...
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert all(wl.title in sidebar for wl in worklists.WORKLISTS.values())
    assert len(at.expander) == len(worklists.WORKLISTS)
    # ... and one table is drawn: the first list with rows, with its two downloads.
    assert len(at.dataframe) == 1
    assert len([b for b in at.get("download_button")]) == 2
    first = worklists.WORKLISTS[nonempty[0]].title
    assert [e.label for e in at.expander if e.proto.expanded] == [
        e.label for e in at.expander if e.label.startswith(first)]


def test_the_sidebar_counts_read_as_the_lists_headers_do(monkeypatch, demo_db_path):
    """The sidebar said "Claims unpaid past the usual lag: 1323" beside the list's header
    "(1,323)" (the 100k demo): a long list here, 1,200 rows of the first."""
    import pandas as pd

    real = worklists.all_lists

    def long_first(db, as_of, *args, **kwargs):
        frames = dict(real(db, as_of, *args, **kwargs))
        key = next(k for k, frame in frames.items() if len(frame))
        frames[key] = pd.concat([frames[key]] * (1200 // len(frames[key]) + 1)).head(1200)
        return frames

    monkeypatch.setattr(worklists, "all_lists", long_first)
    at = _run(monkeypatch, demo_db_path)
    sidebar = [m.value for m in at.sidebar.markdown if ": **" in m.value]
    assert sidebar[0].endswith(": **1,200**"), sidebar[0]
    assert at.expander[0].label.endswith("(1,200)")


def test_opening_a_list_draws_it(monkeypatch, demo_db_path):
    later = _nonempty(demo_db_path)[1]
    at = _run(monkeypatch, demo_db_path)
    at.session_state[f"wl_open_{later}"] = True  # what a click on its header sends
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 2
    columns = set(at.dataframe[1].value.columns)
    assert set(worklists.all_lists(Database(demo_db_path), __import__("metdash.ui").ui.today())
               [later].columns) >= columns - {"denial_risk", "risk_reason"}


def test_the_way_back_opens_the_lists_open_when_a_row_led_away(monkeypatch, demo_db_path):
    """ui.open_with from a row keeps the lists open then (``_wl_back``); coming back they are
    open again, the first list with rows not forced open."""
    nonempty = _nonempty(demo_db_path)
    at = _run(monkeypatch, demo_db_path, _wl_back={nonempty[2]})
    assert len(at.dataframe) == 1
    title = worklists.WORKLISTS[nonempty[2]].title
    assert [e.label for e in at.expander if e.proto.expanded][0].startswith(title)


def test_a_closed_ready_list_learns_no_model(monkeypatch, demo_db_path, tmp_path):
    """The first view after new remittances, nothing kept: the ready list closed learns
    nothing (it learned the model before, ~1.8 s at 1M lines); opened, it shows its claims at
    once and scores them once the model is learned in the background."""
    import shutil

    path = tmp_path / "d.duckdb"
    shutil.copy(demo_db_path, path)
    assert "ready_to_submit" in _nonempty(path)
    derived.clear(path)
    risk.forget_models()
    learned: list[object] = []
    real = risk.train_part
    monkeypatch.setattr(risk, "train_part", lambda *a, **k: learned.append(a) or real(*a, **k))
    at = _run(monkeypatch, path, _wl_back=set())  # every list closed
    assert not learned
    assert len(at.dataframe) == 0
    at.session_state["wl_open_ready_to_submit"] = True
    at.run()   # the list at once; its risks learned in the background meanwhile
    assert not at.exception
    assert any("Each claim's denial risk is being worked out now" in i.value for i in at.info)
    assert "denial_risk" not in at.dataframe[0].value.columns
    assert len(at.dataframe[0].value) == len(worklists.claims_ready_to_submit(
        Database(path), __import__("metdash.ui").ui.today()))
    refresh.settle(120)
    at.run()
    assert not at.exception
    assert learned
    assert {"denial_risk", "risk_reason"} <= set(at.dataframe[0].value.columns)
