"""The frame around every page and every action on it.

:func:`page_start` opens a page (the process's one-time start-up work, the demo banner, the
sign-in gate, the title); :func:`action` wraps what a button does, so that anything metdash
refuses (:class:`metdash.errors.MetdashError`) reaches the user as a message, never as a
traceback.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from metdash import auth
from metdash.errors import (
    MetdashError,
    ScenarioError,
    StoreError,
    ValidationError,
    X12ExportError,
    X12FileError,
)
from metdash.store import Database
from metdash.ui.cache import database, is_demo_cached
from metdash.ui.session import present_toggle, require_sign_in
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


def page_start(title: str, *, permission: str = auth.VIEW, icon: str | None = None
               ) -> Database:
    """Frame a page: the demo banner, the title; stops the page on a store error."""
    _freeze_startup_heap()
    _route_through_app()
    db = database()
    try:
        demo = is_demo_cached(db)
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    if demo:
        st.info(
            "**Synthetic demo practice.** Every client, provider, referrer and claim here is "
            "made up; no real patient is shown.",
            icon=":material/science:",
        )
    require_sign_in(db, demo, permission)  # stops the page when refused
    present_toggle()
    st.title(title)
    return db


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
                st.warning(warning)
    except MetdashError as exc:
        st.error(f"**{heading}** {exc}")
