"""ui.entry_form: after a save every field of the form is back to its default (the default
the page gave it, read from Streamlit as it draws the field); a refused save keeps what was
typed. Every kind of field the entry forms use is here, so a Streamlit upgrade that changes
how the defaults are found fails this test, not a form in silence."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

DAY = dt.date(2026, 9, 15)


def _form_script():
    import datetime as dt

    import pandas as pd
    import streamlit as st

    from metdash import ui
    from metdash.errors import ValidationError
    from metdash.ui.frame import _reset_widgets

    _reset_widgets()  # what page_start does first (the success message too)
    if done := st.session_state.pop("_ui_done", None):
        st.success(done)
    with ui.entry_form("all_kinds") as form:
        name = st.text_input("Name", key="f_text")
        st.text_area("Notes", key="f_area")
        st.number_input("Days", 1, 3650, None, key="f_blank_number")
        st.number_input("Lag", 1, 365, 30, key="f_number")
        st.selectbox("Type", ["medicare", "commercial", "other"], index=1, key="f_select",
                     format_func=str.upper)
        st.checkbox("Requires a referral", key="f_check")
        st.checkbox("Timed", value=True, key="f_check_on")
        st.toggle("Per line", key="f_toggle")
        st.date_input("Expires", value=None, key="f_date_blank")
        st.date_input("Paid on", value=dt.date(2026, 9, 15), key="f_date")
        st.radio("Side", ["insurance", "patient"], key="f_radio")
        st.multiselect("Codes", ["97110", "97530"], key="f_multi")
        st.data_editor(pd.DataFrame({"cpt": ["", ""]}), key=ui.renewed_key("f_grid"))
        if st.form_submit_button("Save"):
            with ui.action():
                if name == "bad":
                    raise ValidationError(["Name: 'bad' is refused: type another."])
                ui.renew("f_grid")
                ui.saved_then_fresh("Saved.", fresh=form, keep=["f_date"])


TYPED = {"f_text": "Acme", "f_area": "a note", "f_blank_number": 180, "f_number": 45,
         "f_select": "other", "f_check": True, "f_check_on": False, "f_toggle": True,
         "f_date_blank": dt.date(2026, 9, 1), "f_date": dt.date(2026, 9, 10),
         "f_radio": "patient", "f_multi": ["97530"]}
DEFAULTS = {"f_text": "", "f_area": "", "f_blank_number": None, "f_number": 30,
            "f_select": "commercial", "f_check": False, "f_check_on": True,
            "f_toggle": False, "f_date_blank": None, "f_radio": "insurance", "f_multi": []}


def _widgets(at: AppTest) -> list:
    return [*at.text_input, *at.text_area, *at.number_input, *at.selectbox, *at.checkbox,
            *at.toggle, *at.date_input, *at.radio, *at.multiselect]


def _values(at: AppTest) -> dict:
    return {w.key: w.value for w in _widgets(at)}


def _save(at: AppTest) -> None:
    at.button[0].click()   # the form's only button
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_saved_form_starts_afresh_and_a_refused_one_keeps_what_was_typed():
    at = AppTest.from_function(_form_script, default_timeout=30)
    at.run()
    assert _values(at) == {**DEFAULTS, "f_date": DAY}
    # Refused: every typed value stays, to be corrected.
    for key, value in {**TYPED, "f_text": "bad"}.items():
        next(w for w in _widgets(at) if w.key == key).set_value(value)
    _save(at)
    assert [e.value for e in at.error][0].startswith("**Nothing was saved.**")
    assert _values(at) == {**TYPED, "f_text": "bad"}
    # Corrected and saved: every field is back to its default, but the one kept.
    next(w for w in _widgets(at) if w.key == "f_text").set_value("Acme")
    _save(at)
    assert [s.value for s in at.success] == ["Saved."]
    assert _values(at) == {**DEFAULTS, "f_date": dt.date(2026, 9, 10)}
    # The grid is a new one (a grid's edits cannot be set back: its key changed).
    assert "f_grid~1" in at.session_state


def test_the_defaults_are_sent_to_the_browser_not_only_set_on_the_server():
    """A field only forgotten on the server went on showing what was typed in the browser
    (the Sessions form, a new-user tour): a value set before the field is drawn is sent
    with it (set_value in its proto)."""
    at = AppTest.from_function(_form_script, default_timeout=30)
    at.run()
    for key, value in TYPED.items():
        next(w for w in _widgets(at) if w.key == key).set_value(value)
    _save(at)
    protos = {w.key: w.proto for w in _widgets(at)}
    assert all(protos[k].set_value for k in DEFAULTS), [
        k for k in DEFAULTS if not protos[k].set_value]
