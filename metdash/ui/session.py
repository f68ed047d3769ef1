"""Who is at this browser: sign-in, the idle timeout, roles (:mod:`metdash.auth`), and what
they may see (columns that identify a person hidden or masked, presentation mode).

The session lives in Streamlit's per-browser session state; the user is re-read from the
store on every page run, so a disabled account or a changed role takes effect at the next
click. A sign-in is bound to the browser it was made in (the hash of the HttpOnly cookie
:mod:`metdash.ui.gate` gives every browser, which Streamlit hands over as ``st.user``): a
run from any other client signs the session out, and the gate lets only open sessions
upload and their browsers download.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from metdash import auth
from metdash.errors import AuthError, StoreError
from metdash.privacy import mask_if, present_by_default
from metdash.store import Database
from metdash.ui import gate, later, warmup
from metdash.ui.cache import database, is_demo_cached
from metdash.ui.text import literal

_AUTH_KEY = "_auth_user"      # {"username", "display_name", "role", "client"} of this session
_SEEN_KEY = "_auth_seen"      # time.time() of the session's last page run
_ENDED_KEY = "_auth_ended"    # why the last session ended (shown above the sign-in form)


def session_minutes() -> float:
    """Idle minutes before a session ends: ``$METDASH_SESSION_MINUTES`` (default 30)."""

    try:
        return max(1.0, float(os.environ.get("METDASH_SESSION_MINUTES", "") or 30))
    except ValueError:
        return 30.0


def this_client() -> str | None:
    """The browser this run comes from: the hash of its HttpOnly cookie, set by
    :class:`metdash.ui.gate.ClientGate`. None when the app is not served through the gate
    (AppTest, or ``streamlit run app.py``)."""
    value = st.user.get(gate.USER_KEY)
    return str(value) if value else None


def served_without_gate() -> bool:
    """True when a browser reached the app without serve.py's gate in front of it: then a
    session id alone could open its sign-in, so nobody may sign in."""
    headers = st.context.headers
    return bool(headers) and headers.get(gate.GATE_HEADER) != "1"


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def session_user(db: Database) -> auth.User | None:
    """The signed-in user of this browser session, re-read from the store (a disabled user
    or a changed role takes effect at the next click); None after the idle timeout, or when
    this run comes from another browser than the one that signed in."""
    state = st.session_state
    saved = state.get(_AUTH_KEY)
    if saved is None:
        return None
    username = _saved_username(saved)
    now = time.time()
    seen = state.get(_SEEN_KEY, now)
    if username is None or not isinstance(seen, int | float) or isinstance(seen, bool):
        # Not what sign_in() writes (a crafted or damaged session state): believe none of it.
        sign_out("Your session is not valid: sign in again.")
        return None
    if saved.get("client") != this_client():
        sign_out("This sign-in belongs to another browser: sign in here.")
        return None
    if idle_over(now):
        sign_out(_IDLE_ENDED.format(minutes=session_minutes()))
        return None
    user = auth.get_user(db, username)
    if user is None:
        sign_out("Your account is disabled or no longer exists: ask the practice owner.")
        return None
    sign_in(user)  # the role and name as the store has them now (allowed() reads them)
    state[_SEEN_KEY] = now
    return user


_IDLE_ENDED = "Your session ended after {minutes:.0f} minutes without activity: sign in again."


def idle_over(now: float | None = None) -> bool:
    """True when this browser session's last page run is more than
    :func:`session_minutes` ago (False when nobody is signed in)."""
    state = st.session_state
    if not state.get(_AUTH_KEY):
        return False
    now = time.time() if now is None else now
    return now - state.get(_SEEN_KEY, now) > session_minutes() * 60


def watch_every() -> float:
    """Seconds between two idle checks of a signed-in page: a 30th of the timeout, at most
    a minute (30 s with the default 30 minutes)."""
    return min(60.0, session_minutes() * 60 / 30)


def _idle_watch() -> None:
    """Run by the browser every :func:`watch_every` seconds as a fragment (it is not a
    click, so it does not count as activity): once the idle time is over, sign out and
    rerun the whole app, so the sign-in form replaces the page's names and figures without
    waiting for the next click."""
    if idle_over():
        sign_out(_IDLE_ENDED.format(minutes=session_minutes()))
        st.rerun(scope="app")


def _saved_username(saved: Any) -> str | None:
    """The user name of a sign-in as :func:`sign_in` saves it; None for anything else."""
    if not isinstance(saved, dict):
        return None
    name = saved.get("username")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        return None
    if not all(isinstance(saved.get(k), str) for k in ("role", "display_name")):
        return None
    return name


def sign_in(user: auth.User) -> None:
    """Make ``user`` this browser session's signed-in user, active from now, bound to the
    browser it signed in from (:func:`this_client`)."""
    client = this_client()
    st.session_state[_AUTH_KEY] = {"username": user.username, "role": user.role,
                                   "display_name": user.display_name, "client": client}
    st.session_state[_SEEN_KEY] = time.time()
    session_id = _session_id()
    if session_id:
        gate.open_session(session_id, client)


def sign_out(reason: str = "") -> None:
    """End this browser session's sign-in and forget everything it held (an 837P made,
    a PDF drawn, a search typed); ``reason`` is shown above the next sign-in form. The
    gate stops its uploads and its browser's downloads."""
    session_id = _session_id()
    if session_id:
        gate.close_session(session_id)
    st.session_state.clear()
    if reason:
        st.session_state[_ENDED_KEY] = reason


def require_sign_in(db: Database, demo: bool, permission: str,
                    while_typing: Callable[[], object] | None = None) -> None:
    """Serve the page only to a signed-in user whose role has ``permission``; the synthetic
    demo alone is open without signing in. Stops the page otherwise (the sign-in form, or
    a message saying why). ``while_typing``: called once the sign-in form is drawn."""
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
    session_id = _session_id()
    if user is None and demo:
        if session_id:  # the open synthetic demo may upload (within the gate's limits)
            gate.open_session(session_id, this_client())
        return
    if user is None:
        if session_id:
            gate.close_session(session_id)
        _sign_in_form(db)
        if while_typing is not None:
            while_typing()
        st.stop()
    if session_id:  # every run: the gate forgets a session while it is disconnected
        gate.open_session(session_id, this_client())
    side = st.sidebar
    with side:
        st.fragment(_idle_watch, run_every=watch_every())()
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
    if served_without_gate():
        st.error("metdash was started without its browser check, so signing in is off: "
                 "stop it and start it with `make run` (or `streamlit run serve.py`).",
                 icon=":material/lock:")
        return
    if st.context.headers and this_client() is None:
        st.error("This browser did not send metdash's sign-in cookie: allow cookies for "
                 "this site and reload the page.", icon=":material/lock:")
        return
    with st.form("w_sign_in"):
        st.text_input("Username", key="w_sign_in_user", autocomplete="username")
        st.text_input("Password", type="password", key="w_sign_in_password",
                      autocomplete="current-password")
        st.form_submit_button("Sign in", type="primary", on_click=_attempt_sign_in,
                              args=(db,))
    warmup.front_end()  # the browser loads the pages' code while a password is typed
    later.once_painted(warmup.elements, "warm_elements")  # each element kind's code, hidden
    outcome = st.session_state.pop(_ATTEMPT_KEY, None)
    if outcome:
        st.error(literal(outcome), icon=":material/lock:")


_ATTEMPT_KEY = "_sign_in_attempt"


def _attempt_sign_in(db: Database) -> None:
    """The sign-in button: check the name and password, then empty the password box only
    (a wrong password keeps the username typed). A right one signs the session in; a refusal's
    message is read by the form's next run."""
    state = st.session_state
    username = state.get("w_sign_in_user", "")
    password = state.get("w_sign_in_password", "")
    state["w_sign_in_password"] = ""
    try:
        user = auth.authenticate(db, username, password, client=sign_in_client())
    except (AuthError, StoreError) as exc:
        state[_ATTEMPT_KEY] = str(exc)
        return
    # Signed in here, before the run this click starts: that run draws the page at once (it
    # drew the form again, then ran the whole page a second time).
    sign_in(user)


def sign_in_client() -> str:
    """Who is signing in, for the sign-in limits (:mod:`metdash.throttle`): the browser's IP
    address, else (on localhost, where Streamlit gives none) this browser session. The
    session id is hashed: it is kept in memory and written to the audit log."""
    ip = st.context.ip_address
    if isinstance(ip, str) and ip:  # (a test harness may give a stand-in object)
        return ip
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx else ""
    return "session " + hashlib.sha256(session_id.encode()).hexdigest()[:12]


def current_user() -> str:
    """The user name to record with a write: the signed-in user, or "demo" in the open
    synthetic demo."""
    saved = st.session_state.get(_AUTH_KEY)
    return (_saved_username(saved) or "demo") if saved else "demo"


def allowed(permission: str) -> bool:
    """True when this session may do ``permission`` (anyone in the open demo)."""
    saved = st.session_state.get(_AUTH_KEY)
    if saved is None:
        return is_demo_cached(database())
    return _saved_username(saved) is not None and auth.can(saved["role"], permission)


def require(permission: str) -> None:
    """Stop here (with a clear message) unless this session may do ``permission``; call it
    on the server side before an action, e.g. just before a write."""
    if allowed(permission):
        return
    saved = st.session_state.get(_AUTH_KEY)
    if _saved_username(saved) is None:
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


PRESENT_PARAM = "present"


# Presentation mode per browser (the gate's cookie hash: gone when the browser closes), so a
# new tab opened from the sidebar (no ?present=1 in its link) stays masked. This process only.
_PRESENT_BROWSERS: dict[str, bool] = {}
_PRESENT_LOCK = threading.Lock()
PRESENT_BROWSERS_KEPT = 2000


def _remember_present(on: bool) -> None:
    """This browser's presentation mode, for its other tabs and its next ones."""
    client = this_client()
    if client is None:
        return
    with _PRESENT_LOCK:
        _PRESENT_BROWSERS.pop(client, None)
        _PRESENT_BROWSERS[client] = on
        while len(_PRESENT_BROWSERS) > PRESENT_BROWSERS_KEPT:
            del _PRESENT_BROWSERS[next(iter(_PRESENT_BROWSERS))]


def _browser_present() -> bool:
    client = this_client()
    if client is None:
        return False
    with _PRESENT_LOCK:
        return _PRESENT_BROWSERS.get(client, False)


def present_mode() -> bool:
    """True when presentation mode is on: client names, birth dates and member ids are
    masked (metdash.privacy) and charts and tiles are drawn large. Starts on with
    ``METDASH_PRESENT=1``, ``?present=1`` in the URL (a reload or a copied link keeps it), or
    when this browser turned it on in another tab (a tab opened from the sidebar has no
    ``?present=1``); the sidebar toggle changes it for the whole browser, and turning it off
    asks first."""
    if "_present" not in st.session_state:
        from_url = st.query_params.get(PRESENT_PARAM) == "1"
        st.session_state["_present"] = (present_by_default() or from_url
                                        or _browser_present())
        if from_url:
            _remember_present(True)
    return bool(st.session_state["_present"])


def present_query() -> dict[str, str]:
    """The URL's share of presentation mode (``{"present": "1"}`` when on), for a page that
    rewrites the query parameters."""
    return {PRESENT_PARAM: "1"} if present_mode() else {}


def _turn_off() -> None:
    _remember_present(False)
    st.session_state["_present"] = False
    st.session_state["w_present"] = False
    st.query_params.pop(PRESENT_PARAM, None)


@st.dialog("Show real names?")
def _confirm_off() -> None:
    st.write("Turning presentation mode off shows client names, birth dates and member ids "
             "on this screen. If it is on a projector, check who can see it first.")
    left, right = st.columns(2)
    if left.button("Show real names", key="w_present_off", on_click=_turn_off):
        st.rerun()
    if right.button("Keep them hidden", key="w_present_keep", type="primary"):
        st.rerun()


def present_toggle() -> None:
    """The sidebar switch for presentation mode (and, when on, larger metric tiles). On, it
    is kept in the URL (``?present=1``); turning it off asks for a confirmation."""
    on = present_mode()

    def _changed() -> None:
        if st.session_state.get("w_present"):
            st.session_state["_present"] = True
            _remember_present(True)
        else:  # stays on until confirmed
            st.session_state["w_present"] = True
            st.session_state["_confirm_present_off"] = True

    st.sidebar.toggle("Presentation mode", value=on, key="w_present", on_change=_changed,
                      help="For a projector: masks client names, birth dates and member ids "
                           "everywhere (tables, downloads, reports) and draws large figures. "
                           "Kept in the page address and for this browser, so a reload or "
                           "a new tab keeps it on.")
    if on and st.query_params.get(PRESENT_PARAM) != "1":
        st.query_params[PRESENT_PARAM] = "1"
    if st.session_state.pop("_confirm_present_off", False):
        _confirm_off()
    # Both styles below start with the main column's side margins: 2.5rem, not wide mode's
    # 5rem. At 1280 px the content is 900 px, not 820, and the widest tables (Days to
    # payment's open claims, Remittances, Payer scorecards) show more of their columns (a
    # new-user trial, stop 54). Literal strings only (tests/security: no data reaches HTML).
    if on:
        # Large where a tile has room, smaller where five share a row: sized by the tile's
        # own width (a container query), so "$95,123" stays whole at 1280×720 (it showed
        # "$95,…" at a fixed 2.6rem, five tiles a row: a second new-user trial).
        st.markdown(
            "<style>[data-testid='stMainBlockContainer']{padding-left:2.5rem;"
            "padding-right:2.5rem}[data-testid='stMetric']{container-type:inline-size}"
            "[data-testid='stMetricValue']{font-size:clamp(1.3rem,15cqi,2.6rem);"
            "font-weight:700}"
            "[data-testid='stMetricLabel'] p{font-size:clamp(0.95rem,8.5cqi,1.25rem)}"
            "[data-testid='stMetricLabel'] .stMarkdownEllipsis,"
            "[data-testid='stMetricLabel'] p{white-space:normal!important;"
            "overflow:visible!important;text-overflow:clip!important}"
            "[data-testid='stMetricDelta']{font-size:clamp(0.95rem,8cqi,1.2rem)}</style>",
            unsafe_allow_html=True)
    else:
        # Streamlit's own 2.25rem, smaller only where a tile is too narrow for it: five tiles
        # a row at 1280 px cut a 0-30 days bucket of "$148.8K" to "$148.…" by a fraction of
        # a pixel (a 100k-line practice). 22 % of a bordered tile's width (its padding inside
        # it) holds seven characters.
        st.markdown("<style>[data-testid='stMainBlockContainer']{padding-left:2.5rem;"
                    "padding-right:2.5rem}[data-testid='stMetric']{container-type:inline-size}"
                    "[data-testid='stMetricValue']{font-size:min(2.25rem,22cqi)}</style>",
                    unsafe_allow_html=True)
