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


def _naming_script():
    from metdash import ui
    from metdash.entry.problems import Problem
    from metdash.errors import Naming, ValidationError, X12Error, X12FileError

    with ui.action():
        raise ValidationError([Problem("Client id CL1 is already on file (Alpha, Ann, born "
                                       "1970-01-02).", "client_id",
                                       masked="Client id CL1 is already on file (A•••, A•••, "
                                              "born ••••-••-••).")])
    with ui.action("Nothing was imported."):
        raise X12FileError("a.835", [X12Error("a.835", 9, "CLP", Naming(
            "claim C1 is Alpha, Ann's", "claim C1 is A•••, A•••'s"))])


@pytest.mark.parametrize("present", [True, False])
def test_a_refusal_naming_a_client_is_masked_in_presentation_mode(present):
    """Found at stop 31: a refused 835 (its patient another client's) or a chart number
    already on file named the client, birth date and member id on the projector."""
    at = AppTest.from_function(_naming_script, default_timeout=30)
    at.session_state["_present"] = present
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error)
    if present:
        assert "Alpha" not in shown and "Ann" not in shown and "1970" not in shown
        assert "A•••, A•••, born ••••-••-••" in shown and "claim C1 is A•••, A•••'s" in shown
    else:
        assert "Alpha, Ann, born 1970-01-02" in shown and "claim C1 is Alpha, Ann's" in shown
