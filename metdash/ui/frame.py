"""The frame around every page and every action on it.

:func:`page_start` opens a page (the process's one-time start-up work, the demo banner, the
sign-in gate, the title); :func:`action` wraps what a button does, so that anything metdash
refuses (:class:`metdash.errors.MetdashError`) reaches the user as a message, never as a
traceback.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from metdash import auth, hosts, refresh
from metdash.errors import (
    MetdashError,
    ScenarioError,
    StoreError,
    ValidationError,
    X12ExportError,
    X12FileError,
)
from metdash.forecast.outlook import DEFAULT_WEEKS
from metdash.store import Database
from metdash.ui import ahead, later
from metdash.ui.cache import database, is_demo_cached
from metdash.ui.filters import asked_filters, today
from metdash.ui.forms import Fields
from metdash.ui.session import present_toggle, require_sign_in
from metdash.ui.text import literal
from metdash.ui.widgets import show_problems

try:
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # pragma: no cover - a future Streamlit without the flag
    PagesManager = None

# Errors that carry a list of problems: each is shown on its own line.
_LISTS_PROBLEMS = (ValidationError, X12FileError, X12ExportError, ScenarioError)


def _route_through_app() -> None:
    """Run app.py's navigation even when a deep link is the server's first request.

    Streamlit treats an app with a ``pages/`` folder as a v1 multipage app until the main
    script has called ``st.navigation`` once in the process; a bookmarked link such as
    ``/denials?payer=1`` opened right after a restart would run the page file on its own
    (no wide layout, no sections, no sign-in frame from app.py). Clear that flag and rerun:
    the rerun goes through app.py, which resolves the same page from the URL.
    """
    if PagesManager is None:  # pragma: no cover - see the import above
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_heap_frozen = False


def _freeze_startup_heap() -> None:
    """Once per process, at the first page run: move every object alive then (the modules
    of Streamlit, pandas, plotly, DuckDB and the pages) out of the collector's reach.

    A full collection walked them all: 240-330 ms, landing on a random rerun every few
    page runs (it doubled a warm rerun's time in the benchmark). They live as long as the
    process; the objects of each page run are still collected as before.
    """
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()


def _refuse_other_hosts() -> None:
    """Stop the page, showing nothing of the practice, when the browser asked for it by a
    name that is not allowed (:mod:`metdash.hosts`: a DNS rebinding page)."""
    host = st.context.headers.get("host")
    if not isinstance(host, str):  # no Host header (not a browser): see hosts.host_allowed
        host = None
    if not hosts.host_allowed(host, hosts.allowed_hosts(st.get_option("server.port"))):
        st.error(hosts.refusal(host or ""), icon=":material/block:")
        st.stop()


def page_start(title: str, *, permission: str = auth.VIEW, icon: str | None = None
               ) -> Database:
    """Frame a page: the Host check, the demo banner, the sign-in gate, the title; stops
    the page on a store error."""
    _freeze_startup_heap()
    _refuse_other_hosts()
    _route_through_app()
    db = database()
    try:
        demo = is_demo_cached(db)
    except StoreError as exc:
        st.error(literal(exc))
        st.stop()
    if demo:
        st.info(
            "**Synthetic demo practice.** Every client, provider, referrer and claim here is "
            "made up; no real patient is shown.",
            icon=":material/science:",
        )
    if later.in_browser():  # a store never learned: its results start while a password is typed
        refresh.prepare(db, today(), DEFAULT_WEEKS)
    # The page's first figures are worked out while a password is typed (metdash.ui.ahead).
    require_sign_in(db, demo, permission,  # stops the page when refused
                    while_typing=lambda: later.in_browser() and ahead.start(
                        db, title, asked_filters(db)))
    later.note_page(title)
    present_toggle()
    st.title(title)
    if _came_from_worklist(title):
        back_to_worklists()
    _reset_widgets()
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(done, icon=":material/check_circle:")
        st.toast(done, icon=":material/check_circle:")
    for warning in st.session_state.pop(_DONE_WARNINGS, ()):
        st.warning(warning)
    return db


_DONE = "_ui_done"
_DONE_WARNINGS = "_ui_done_warnings"


_RESET = "_ui_reset"


def saved_then_fresh(message: str, *clear: str, reset: Mapping[str, Any] | None = None,
                     warnings: Sequence[str] = (), fresh: Fields | None = None,
                     keep: Sequence[str] = ()) -> None:
    """After a save: forget the form state named in ``clear`` (widget keys, a draft) and run
    the page again, so that it shows the store as it now is (a claim just saved is no longer
    offered for billing, a claim just paid has its new status) under ``message``.

    ``fresh``: the form's fields (:func:`metdash.ui.forms.entry_form`), every one set back
    to its default on that run but those named in ``keep`` (a form that keeps one says so
    on screen); a field the page may not set (a grid) is forgotten. ``reset``: widgets set
    to these values on that run, before they are drawn (over ``fresh``'s defaults). A widget
    only forgotten starts from its default on the server, but the browser went on showing
    what was typed: the Sessions form showed the saved minutes, with the units preview gone
    (a new-user tour). A value set before the widget is drawn is sent to the browser too.

    ``warnings``: shown under ``message`` on that run (markdown, already made literal): the
    save's warnings, which a warning drawn before the run again would lose."""
    afresh = dict(fresh.defaults(keep)) if fresh is not None else {}
    afresh.update(reset or {})
    for key in [*clear, *(fresh.forget(keep) if fresh is not None else ())]:
        st.session_state.pop(key, None)
    if afresh:
        st.session_state[_RESET] = afresh
    st.session_state[_DONE] = message
    st.session_state[_DONE_WARNINGS] = list(warnings)
    st.rerun()


def _reset_widgets() -> None:
    """What :func:`saved_then_fresh` asked to set afresh, set (before any widget is drawn)."""
    for key, value in st.session_state.pop(_RESET, {}).items():
        st.session_state[key] = value


@contextmanager
def last_resort() -> Iterator[None]:
    """The app's outermost frame (app.py): an error nothing nearer handled is logged with its
    traceback on the server and shown as one line, never as a traceback in the browser (a
    :class:`~metdash.errors.StoreError` as its own message, which says what to do).
    ``st.stop()`` and ``st.rerun()`` pass through (they are not ``Exception``)."""
    try:
        yield
    except StoreError as exc:  # the store refused (busy, damaged, out of memory): it says why
        logging.getLogger("metdash").exception("A page failed")
        st.error(literal(exc))
    except Exception:
        logging.getLogger("metdash").exception("A page failed")
        st.error("Something went wrong on this page; nothing more was done. Reload the page; "
                 "if it happens again, tell whoever runs metdash (the details are in its log).")


@contextmanager
def action(heading: str = "Nothing was saved.") -> Iterator[None]:
    """Run what a button does; when metdash refuses it, say so and stop that action.

    Any :class:`~metdash.errors.MetdashError` raised inside the block ends the block: an
    error that lists problems (a form's :class:`~metdash.errors.ValidationError`, an X12
    file's) shows them all under ``heading`` as :func:`show_problems` does, then a
    ValidationError's warnings; any other (the store busy, a backup that failed, a report)
    shows its message after ``heading``. The rest of the page runs as usual. ``st.stop()``
    and ``st.rerun()`` pass through::

        with ui.action("Nothing was imported."):
            import_835(db, files, user, before_write=lambda: backup.before_import(db))
    """
    try:
        yield
    except _LISTS_PROBLEMS as exc:
        show_problems(exc.problems, heading=heading)
        if isinstance(exc, ValidationError):
            for warning in exc.warnings:  # allowed, but worth a second look while fixing
                st.warning(literal(warning))
    except MetdashError as exc:
        st.error(f"**{heading}** {literal(exc)}")


_BACK = "_ui_back_to_worklists"


def _came_from_worklist(title: str) -> bool:
    """Whether this page was opened from a work list's row and not left since: the way back
    stays on every rerun of that page (a form's button, a picker), and goes once another page
    is opened."""
    state = st.session_state
    if state.pop("_from_worklist", False):
        state[_BACK] = title
    if state.get(_BACK) == title:
        return True
    state.pop(_BACK, None)
    return False


def back_to_worklists() -> None:
    """The way back to the work lists from the page a work list's row opened."""
    try:
        st.page_link("pages/worklists.py", label="Back to the work lists",
                     icon=":material/arrow_back:")
    except StreamlitAPIException:  # a page run on its own (no navigation): no link to give
        pass
