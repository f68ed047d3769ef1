"""Who is at this browser: sign-in, the idle timeout, roles (:mod:`metdash.auth`), and what
they may see (columns that identify a person hidden or masked, presentation mode).

The session lives in Streamlit's per-browser session state; the user is re-read from the
store on every page run, so a disabled account or a changed role takes effect at the next
click.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pandas as pd
import streamlit as st

from metdash import auth
from metdash.errors import AuthError, StoreError
from metdash.privacy import mask_if, present_by_default
from metdash.store import Database
from metdash.ui.cache import database, is_demo_cached
from metdash.ui.text import literal

_AUTH_KEY = "_auth_user"      # {"username", "display_name", "role"} of this browser session
_SEEN_KEY = "_auth_seen"      # time.time() of the session's last page run
_ENDED_KEY = "_auth_ended"    # why the last session ended (shown above the sign-in form)


def session_minutes() -> float:
    """Idle minutes before a session ends: ``$METDASH_SESSION_MINUTES`` (default 30)."""

    try:
        return max(1.0, float(os.environ.get("METDASH_SESSION_MINUTES", "") or 30))
    except ValueError:
        return 30.0


def session_user(db: Database) -> auth.User | None:
    """The signed-in user of this browser session, re-read from the store (a disabled user
    or a changed role takes effect at the next click); None after the idle timeout."""
    state = st.session_state
    saved = state.get(_AUTH_KEY)
    if not saved:
        return None
    now = time.time()
    if now - state.get(_SEEN_KEY, now) > session_minutes() * 60:
        sign_out(f"Your session ended after {session_minutes():.0f} minutes without "
                 "activity: sign in again.")
        return None
    user = auth.get_user(db, saved["username"])
    if user is None:
        sign_out("Your account was disabled: ask the practice owner.")
        return None
    state[_SEEN_KEY] = now
    return user


def sign_in(user: auth.User) -> None:
    """Make ``user`` this browser session's signed-in user, active from now."""
    st.session_state[_AUTH_KEY] = {"username": user.username, "role": user.role,
                                   "display_name": user.display_name}
    st.session_state[_SEEN_KEY] = time.time()


def sign_out(reason: str = "") -> None:
    """End this browser session's sign-in; ``reason`` is shown above the next sign-in form."""
    for key in (_AUTH_KEY, _SEEN_KEY):
        st.session_state.pop(key, None)
    if reason:
        st.session_state[_ENDED_KEY] = reason


def require_sign_in(db: Database, demo: bool, permission: str) -> None:
    """Serve the page only to a signed-in user whose role has ``permission``; the synthetic
    demo alone is open without signing in. Stops the page otherwise (the sign-in form, or
    a message saying why)."""
    try:
        user = session_user(db)
        if user is None and not demo and auth.user_count(db) == 0:
            st.title("metdash: no users yet")
            st.warning(
                "This practice database has no users, so it cannot be opened. On the "
                "computer that holds it, create the owner's account, then reload this page:"
                "\n\n`metdash user add --role owner --name \"Your Name\" USERNAME`",
                icon=":material/lock:")
            st.stop()
    except StoreError as exc:
        st.error(literal(exc))
        st.stop()
    if user is None and demo:
        return
    if user is None:
        _sign_in_form(db)
        st.stop()
    side = st.sidebar
    side.caption(f"Signed in as **{literal(user.display_name)}** ({auth.ROLE_LABELS[user.role]})")
    side.button("Sign out", key="w_sign_out", on_click=sign_out,
                icon=":material/logout:")
    if not user.can(permission):
        _refuse(user, permission)


def _refuse(user: Any, permission: str) -> None:
    st.error(f"Your role ({auth.ROLE_LABELS[user.role]}) may not open this page or do this "
             f"(it needs the '{permission}' permission). Ask the practice owner if you "
             "need it.", icon=":material/block:")
    st.stop()


def _sign_in_form(db: Database) -> None:
    st.title("Sign in")
    ended = st.session_state.pop(_ENDED_KEY, None)
    if ended:
        st.info(ended, icon=":material/timer_off:")
    with st.form("w_sign_in", clear_on_submit=True):
        username = st.text_input("Username", key="w_sign_in_user", autocomplete="username")
        password = st.text_input("Password", type="password", key="w_sign_in_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    try:
        user = auth.authenticate(db, username, password)
    except AuthError as exc:
        st.error(literal(exc), icon=":material/lock:")
        return
    except StoreError as exc:
        st.error(literal(exc))
        return
    sign_in(user)
    st.rerun()


def current_user() -> str:
    """The user name to record with a write: the signed-in user, or "demo" in the open
    synthetic demo."""
    saved = st.session_state.get(_AUTH_KEY)
    return saved["username"] if saved else "demo"


def allowed(permission: str) -> bool:
    """True when this session may do ``permission`` (anyone in the open demo)."""
    saved = st.session_state.get(_AUTH_KEY)
    if saved is None:
        return is_demo_cached(database())
    return auth.can(saved["role"], permission)


def require(permission: str) -> None:
    """Stop here (with a clear message) unless this session may do ``permission``; call it
    on the server side before an action, e.g. just before a write."""
    if allowed(permission):
        return
    saved = st.session_state.get(_AUTH_KEY)
    if saved is None:
        st.error("Sign in first.", icon=":material/lock:")
        st.stop()
    _refuse(auth.User(saved["username"], saved["display_name"], saved["role"]), permission)


# -- what this session may see ----------------------------------------------------------------
def hide_phi(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns that identify a person, for a role without 'phi'."""
    return frame if allowed(auth.PHI) else auth.without_phi(frame)


def visible(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as this session may see it: :func:`hide_phi`, then masked in presentation
    mode (:func:`metdash.privacy.mask_if`)."""
    return mask_if(hide_phi(frame), present_mode())


def present_mode() -> bool:
    """True when presentation mode is on: client names, birth dates and member ids are
    masked (metdash.privacy) and charts and tiles are drawn large. Starts from
    ``METDASH_PRESENT=1``; the sidebar toggle changes it for this browser session."""
    if "_present" not in st.session_state:
        st.session_state["_present"] = present_by_default()
    return bool(st.session_state["_present"])


def present_toggle() -> None:
    """The sidebar switch for presentation mode (and, when on, larger metric tiles)."""
    on = present_mode()

    def _changed() -> None:
        st.session_state["_present"] = bool(st.session_state.get("w_present"))

    st.sidebar.toggle("Presentation mode", value=on, key="w_present", on_change=_changed,
                      help="For a projector: masks client names, birth dates and member ids "
                           "everywhere (tables, downloads, reports) and draws large figures.")
    if on:
        st.markdown(
            "<style>[data-testid='stMetricValue']{font-size:2.6rem;font-weight:700}"
            "[data-testid='stMetricLabel'] p{font-size:1.25rem}"
            "[data-testid='stMetricDelta']{font-size:1.2rem}</style>",
            unsafe_allow_html=True)
