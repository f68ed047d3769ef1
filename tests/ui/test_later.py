"""metdash.ui.later: a page just opened in a browser holds its charts' places until the
browser has painted the rest; a rerun of the same page, or a run without a browser, draws
them at once. (The browser side: tests/e2e/test_pages_in_browser.py.)"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from metdash.ui import later


def _page_script():
    import plotly.graph_objects as go
    import streamlit as st

    from metdash.ui import later

    later.note_page(st.session_state.get("page", "Overview"))
    later.draw(lambda: st.plotly_chart(go.Figure(go.Bar(x=[1], y=[2])), key="trend"),
               "trend", 380)
    st.metric("Gross charges", "$1")


@pytest.fixture()
def browser_run(monkeypatch):
    monkeypatch.setattr(later, "in_browser", lambda: True)


def _charts(at):
    return len(at.get("plotly_chart"))


def test_without_a_browser_the_chart_is_drawn_at_once():
    at = AppTest.from_function(_page_script).run()
    assert not at.exception
    assert _charts(at) == 1 and len(at.metric) == 1


def test_a_page_opened_holds_its_chart_and_a_rerun_draws_it_in_place(browser_run):
    at = AppTest.from_function(_page_script).run()
    assert not at.exception
    assert _charts(at) == 0 and len(at.metric) == 1  # the tile now, the chart after paint
    assert at.session_state[later._OPENING] == 1
    at.run()  # the same page again (a filter changed): drawn in place
    assert _charts(at) == 1 and at.session_state[later._OPENING] is None
    at.session_state["page"] = "Denials"  # another page opened: held again
    at.run()
    assert _charts(at) == 0 and at.session_state[later._OPENING] == 2


def test_the_chart_is_drawn_for_the_opening_the_browser_painted(browser_run):
    at = AppTest.from_function(_page_script).run()
    assert _charts(at) == 0 and at.session_state[later._OPENING] == 1
    # What the box's trigger records (its callback) before its fragment runs again: the
    # browser painted opening 2. (AppTest cannot run the browser's side of it.)
    at.session_state[later._DRAWN] = {"trend": 2}
    at.session_state["page"] = "Denials"
    at.run()
    assert at.session_state[later._OPENING] == 2 and _charts(at) == 1
    at.session_state["page"] = "Overview"  # opening 3: held again
    at.run()
    assert _charts(at) == 0


def _tables_script():
    import streamlit as st

    from metdash.ui import later

    later.note_page(st.session_state.get("page", "Overview"))
    for name, picked in (("first", False), ("second", False), ("picked", True),
                         ("third", False)):
        held = later.table_waits(name, picked)
        if held is None:
            st.dataframe({"a": [1]}, key=name)
        else:
            later.draw(lambda n=name: st.dataframe({"a": [1]}, key=n), held, 108)


def _tables(at):
    return len(at.dataframe)


def test_a_page_opened_draws_its_first_table_at_once_and_holds_the_rest(browser_run):
    at = AppTest.from_function(_tables_script).run()
    assert not at.exception
    # the first, and the one whose picked row drives the page; the other two after paint
    assert _tables(at) == 2
    at.run()  # the same page again: every table in place
    assert _tables(at) == 4


def test_without_a_browser_every_table_is_drawn_at_once():
    at = AppTest.from_function(_tables_script).run()
    assert not at.exception and _tables(at) == 4
