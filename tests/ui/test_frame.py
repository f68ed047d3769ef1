"""ui.action: whatever metdash refuses inside it reaches the user as a message, never as a
traceback, and the rest of the page still runs."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

BUSY = "Another program held the practice's file for 5 s: try again in a moment."


def _busy_script(message: str):
    import streamlit as st

    from metdash import ui
    from metdash.errors import StoreBusy

    with ui.action("Nothing was imported."):
        raise StoreBusy(message)
    st.write("after the action")


def test_a_busy_store_inside_an_action_becomes_an_error_message():
    at = AppTest.from_function(_busy_script, args=(BUSY,), default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [f"**Nothing was imported.** {BUSY}"]
    assert [m.value for m in at.markdown] == ["after the action"]


def _refused_form_script():
    from metdash import ui
    from metdash.errors import ValidationError

    with ui.action():
        raise ValidationError(["Client id: required: type the chart number.",
                               "Last name: required."],
                              ["Service date is 400 days ago: check it."])


def test_a_refused_form_shows_every_problem_then_its_warnings():
    at = AppTest.from_function(_refused_form_script, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "**Nothing was saved.** Please fix:\n- Client id: required: type the chart number.\n"
        "- Last name: required."]
    assert [w.value for w in at.warning] == ["Service date is 400 days ago: check it."]


def _bug_script():
    from metdash import ui

    with ui.action():
        raise KeyError("a bug, not a refusal")


def test_an_error_that_is_not_metdash_s_is_not_hidden():
    at = AppTest.from_function(_bug_script, default_timeout=30)
    at.run()
    assert [e.value for e in at.exception] and not at.error


def _listing_script(name: str):
    from metdash import ui
    from metdash.errors import ScenarioError, X12ExportError

    error = {"X12ExportError": X12ExportError, "ScenarioError": ScenarioError}[name]
    with ui.action("Nothing was exported."):
        raise error(["Claim C1: no payer.", "Claim C2: no lines."])


@pytest.mark.parametrize("name", ["X12ExportError", "ScenarioError"])
def test_errors_that_list_problems_show_them_one_a_line(name):
    at = AppTest.from_function(_listing_script, args=(name,), default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "**Nothing was exported.** Please fix:\n- Claim C1: no payer.\n- Claim C2: no lines."]
