"""Promise: a practice database is never served without signing in; only the synthetic
demo is open; sessions end after idle minutes; a sign-out button shows who is signed in."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from metdash.store import Database

from .conftest import PAGES, PASSWORDS


def page(name: str) -> AppTest:
    return AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="w_sign_in_user").input(username)
    at.text_input(key="w_sign_in_password").input(password)
    at.button[0].click()
    return at.run()


def shows_figures(at: AppTest) -> bool:
    return bool(at.metric or at.get("plotly_chart") or at.dataframe)


def test_practice_store_shows_only_the_sign_in_form(practice):
    at = page("overview").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert at.text_input(key="w_sign_in_password").proto.type == 1  # PASSWORD
    assert not shows_figures(at)
    assert not at.sidebar.button  # no sign-out: nobody is signed in


def test_wrong_password_refused_right_one_shows_the_page(practice):
    at = sign_in(page("overview").run(), "olive", "not the password")
    assert [e.value for e in at.error] == ["Wrong username or password."]
    assert not shows_figures(at)
    # Issue 17, item 8: a wrong password empties the password box only.
    assert at.text_input(key="w_sign_in_user").value == "olive"
    assert at.text_input(key="w_sign_in_password").value == ""
    at = sign_in(at, "olive", PASSWORDS["olive"])
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Overview"]
    assert at.metric and at.get("plotly_chart")
    assert any("Olive" in c.value and "Owner" in c.value for c in at.sidebar.caption)
    # Signing out brings the form back.
    at.sidebar.button(key="w_sign_out").click()
    at = at.run()
    assert [t.value for t in at.title] == ["Sign in"] and not shows_figures(at)


def test_store_without_users_tells_the_owner_how_to_add_one(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    Database(path).scalar("SELECT 1")  # migrated, no practice, no users
    monkeypatch.setenv("METDASH_DB", str(path))
    at = page("overview").run()
    assert not at.exception
    assert "metdash user add --role owner" in at.warning[0].value
    assert not shows_figures(at) and not at.text_input


def test_synthetic_demo_is_open_without_signing_in(demo_db_path, monkeypatch):
    monkeypatch.setenv("METDASH_DB", str(demo_db_path))
    at = page("overview").run()
    assert not at.exception
    assert any("Synthetic demo practice" in i.value for i in at.info)
    assert at.metric and not any(t.value == "Sign in" for t in at.title)


def test_idle_session_ends(practice, monkeypatch):
    monkeypatch.setenv("METDASH_SESSION_MINUTES", "5")
    at = sign_in(page("overview").run(), "bill", PASSWORDS["bill"])
    assert at.metric
    at.session_state["_auth_seen"] = time.time() - 4 * 60   # 4 idle minutes: still in
    at = at.run()
    assert at.metric
    at.session_state["_auth_seen"] = time.time() - 6 * 60   # 6 idle minutes: out
    at = at.run()
    assert [t.value for t in at.title] == ["Sign in"] and not shows_figures(at)
    assert "5 minutes without activity" in at.info[0].value


def test_disabled_user_is_signed_out_at_the_next_click(practice):
    from metdash import auth

    at = sign_in(page("overview").run(), "vic", PASSWORDS["vic"])
    assert at.metric
    auth.disable_user(practice, "vic", by="olive")
    at = at.run()
    assert [t.value for t in at.title] == ["Sign in"] and not shows_figures(at)


def test_a_forged_session_for_an_unknown_user_gets_nothing(practice):
    at = page("overview")
    at.session_state["_auth_user"] = {"username": "eve", "role": "owner",
                                      "display_name": "Eve"}
    at.session_state["_auth_seen"] = time.time()
    at = at.run()
    assert [t.value for t in at.title] == ["Sign in"] and not shows_figures(at)


def run_timers(at: AppTest) -> AppTest:
    """What the browser does every st.fragment(run_every=...) interval: rerun the page's
    timed fragments only (no click, no widget change)."""
    import streamlit.testing.v1.local_script_runner as runner
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    ids = list(at._fragment_storage._fragments)
    assert ids, "the signed-in page registers no timed fragment"
    original = runner.RerunData

    def timed(**kwargs):
        return RerunData(**kwargs, fragment_id_queue=ids, is_auto_rerun=True)

    runner.RerunData = timed
    try:
        return at.run()
    finally:
        runner.RerunData = original


def test_an_idle_page_hides_its_data_without_a_click(practice, monkeypatch):
    monkeypatch.setenv("METDASH_SESSION_MINUTES", "5")
    at = sign_in(page("overview").run(), "bill", PASSWORDS["bill"])
    assert at.metric
    seen = at.session_state["_auth_seen"]
    clock = [seen + 4 * 60]                # 4 idle minutes: the timer changes nothing
    monkeypatch.setattr(time, "time", lambda: clock[0])
    at = run_timers(at)
    assert not at.exception and not [t for t in at.title if t.value == "Sign in"]
    assert at.session_state["_auth_user"]["username"] == "bill"
    assert at.session_state["_auth_seen"] == seen  # a timer is not activity
    clock[0] = seen + 5 * 60 + 1           # past the timeout: the timer alone signs out
    at = run_timers(at)
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"] and not shows_figures(at)
    assert "5 minutes without activity" in at.info[0].value


def test_a_sign_in_from_another_browser_is_signed_out(practice):
    # st.user carries the hash of the browser's HttpOnly cookie (metdash.ui.gate).
    at = page("overview")
    at.user = {"metdash_client": "a" * 64}
    at = sign_in(at.run(), "olive", PASSWORDS["olive"])
    assert at.metric
    at.session_state["x12_837p"] = "ISA*00*..."
    at.user = {"metdash_client": "b" * 64}   # the same session id, another browser
    at = at.run()
    assert [t.value for t in at.title] == ["Sign in"] and not shows_figures(at)
    assert "another browser" in at.info[0].value
    assert "x12_837p" not in at.session_state


def test_sign_out_forgets_what_the_session_held(practice):
    at = sign_in(page("overview").run(), "bill", PASSWORDS["bill"])
    at.session_state["x12_837p"] = "ISA*00*..."   # an 837P made on Remittances
    at.sidebar.button(key="w_sign_out").click()
    at = at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert "x12_837p" not in at.session_state


def test_no_file_uploader_before_sign_in(practice):
    for name in ("claims", "remittances"):
        at = page(name).run()
        assert not at.exception and not at.get("file_uploader"), name
        assert [t.value for t in at.title] == ["Sign in"]
