"""The only metdash module that imports streamlit: the store handle, caching, page frame,
shared filters, and the way errors and tables are shown.

Every page starts with ``db = ui.page_start("Title", permission="...")`` and, after any
write, calls ``ui.after_write()`` so cached figures are recomputed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from metdash.db import Database, StoreError, default_db_path

# Permissions a page or an action may need; roles map onto them (see metdash.auth).
VIEW = "view"


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    return Database(path)


def database() -> Database:
    """This process's handle on the configured store (the file itself is opened per use)."""
    return _database(str(default_db_path()))


def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``st.cache_data`` for a figure function whose first argument is the Database.

    The database is passed by path (hashable); results live 10 minutes at most and are
    cleared after every write from this app.
    """

    @st.cache_data(show_spinner=False, ttl=600, max_entries=512)
    def _run(db_path: str, *args: Any, **kwargs: Any) -> Any:
        return fn(_database(db_path), *args, **kwargs)

    def call(db: Database, *args: Any, **kwargs: Any) -> Any:
        return _run(str(db.path), *args, **kwargs)

    call.__name__ = getattr(fn, "__name__", "cached")
    call.__doc__ = fn.__doc__
    return call


def after_write() -> None:
    """Forget every cached result: the store changed."""
    st.cache_data.clear()


def is_demo(db: Database) -> bool:
    """True when the store holds the synthetic demo practice."""
    try:
        return bool(db.scalar("SELECT bool_or(is_demo) FROM practice"))
    except StoreError:
        return False


_is_demo_cached = cached(is_demo)


def page_start(title: str, *, permission: str = VIEW, icon: str | None = None) -> Database:
    """Frame a page: the demo banner, the title; stops the page on a store error."""
    db = database()
    try:
        demo = _is_demo_cached(db)
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    if demo:
        st.info(
            "**Synthetic demo practice.** Every client, provider, referrer and claim here is "
            "made up; no real patient is shown.",
            icon=":material/science:",
        )
    st.title(title)
    return db


def show_problems(problems: Sequence[Any], heading: str = "Nothing was saved.") -> None:
    """Show every validation problem at once, in the biller's words."""
    lines = "\n".join(f"- {p}" for p in problems)
    st.error(f"**{heading}** Please fix:\n{lines}")


def downloads(frame: pd.DataFrame, name: str, key: str | None = None) -> None:
    """CSV and Excel downloads of a table, side by side."""
    key = key or name
    left, right = st.columns(2)
    left.download_button(
        "Download CSV", frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv", mime="text/csv", key=f"{key}-csv",
        icon=":material/download:",
    )
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xl:
        frame.to_excel(xl, index=False, sheet_name=name[:31] or "data")
    right.download_button(
        "Download Excel", buf.getvalue(), file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx", icon=":material/table:",
    )


def today() -> dt.date:
    """Today's date (one place, so tests and demos can pin it)."""
    return dt.date.today()
