"""The only metdash module that imports streamlit: the store handle, caching, page frame,
shared filters, and the way errors and tables are shown.

Every page starts with ``db = ui.page_start("Title", permission="...")`` and, after any
write, calls ``ui.after_write()`` so cached figures are recomputed.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from metdash.errors import AuthError, StoreError
from metdash.store import Database, default_db_path, store_stamp

# Permissions a page or an action may need; roles map onto them (see metdash.auth).
VIEW = "view"


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    return Database(path)


def database() -> Database:
    """This process's handle on the configured store (the file itself is opened per use)."""
    return _database(str(default_db_path()))


_REGISTRY: dict[str, Callable[..., Any]] = {}


@st.cache_data(show_spinner=False, ttl=600, max_entries=1024)
def _cached_call(fn_key: str, db_path: str, stamp: tuple[float, ...], *args: Any,
                 **kwargs: Any) -> Any:
    return _REGISTRY[fn_key](_database(db_path), *args, **kwargs)


def file_stamp(path: Any) -> tuple[int, ...]:
    """When the store last changed on disk (:func:`metdash.db.store_stamp`).

    Part of every cache key, so a write from another process (a scheduled
    ``metdash import-835``) shows on the next rerun instead of after the cache's ttl.
    """
    return store_stamp(path)


def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``st.cache_data`` for a figure function whose first argument is the Database.

    The database is passed by path (hashable) and the function by its qualified name, so
    every wrapped function has its own entries; results live 10 minutes at most and are
    cleared after every write from this app (:func:`after_write`).
    """
    key = f"{fn.__module__}.{fn.__qualname__}"
    _REGISTRY[key] = fn

    def call(db: Database, *args: Any, **kwargs: Any) -> Any:
        return _cached_call(key, str(db.path), file_stamp(db.path), *args, **kwargs)

    call.__name__ = getattr(fn, "__name__", "cached")
    call.__doc__ = fn.__doc__
    return call


_SHARED_KEYS: set[str] = set()  # functions wrapped by cached_shared (ui.plot reads those too)


@st.cache_resource(show_spinner=False, ttl=600, max_entries=64)
def _shared_call(fn_key: str, db_path: str, stamp: tuple[float, ...], *args: Any,
                 **kwargs: Any) -> Any:
    return _REGISTRY[fn_key](_database(db_path), *args, **kwargs)


def cached_shared(fn: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`cached` for a large read-only result: kept as is (``st.cache_resource``), never
    pickled on the way in or out, so a rerun does not pay for copying it (thousands of rows
    with Decimal money cost tens of ms per copy). Every caller gets the same object: never
    change it in place."""
    key = f"{fn.__module__}.{fn.__qualname__}"
    _REGISTRY[key] = fn
    _SHARED_KEYS.add(key)

    def call(db: Database, *args: Any, **kwargs: Any) -> Any:
        return _shared_call(key, str(db.path), file_stamp(db.path), *args, **kwargs)

    call.__name__ = getattr(fn, "__name__", "cached_shared")
    call.__doc__ = fn.__doc__
    return call


_DERIVED: dict[tuple[int, str], tuple[Any, Any]] = {}
_DERIVED_LOCK = threading.Lock()  # sessions run in threads


def derived(source: Any, fn: Callable[[Any], Any]) -> Any:
    """``fn(source)``, built once per ``source`` object and reused on reruns.

    For what a page builds from a :func:`cached_shared` result (display tables): that result
    is the same object on every rerun until the store changes, so its derived tables are too.
    The entry holds ``source`` itself, so its id cannot be reused while the entry lives."""
    key = (id(source), f"{fn.__module__}.{fn.__qualname__}")
    with _DERIVED_LOCK:
        hit = _DERIVED.get(key)
    if hit is not None and hit[0] is source:
        return hit[1]
    value = fn(source)  # outside the lock: two sessions may both build it, once each
    with _DERIVED_LOCK:
        if len(_DERIVED) >= 64:
            _DERIVED.pop(next(iter(_DERIVED)))
        _DERIVED[key] = (source, value)
    return value


def after_write() -> None:
    """Forget every cached result: the store changed."""
    st.cache_data.clear()
    _shared_call.clear()
    _figure.clear()
    with _DERIVED_LOCK:
        _DERIVED.clear()


def is_demo(db: Database) -> bool:
    """True when the store holds the synthetic demo practice."""
    try:
        return bool(db.scalar("SELECT bool_or(is_demo) FROM practice"))
    except StoreError:
        return False


_is_demo_cached = cached(is_demo)


def _route_through_app() -> None:
    """Run app.py's navigation even when a deep link is the server's first request.

    Streamlit treats an app with a ``pages/`` folder as a v1 multipage app until the main
    script has called ``st.navigation`` once in the process; a bookmarked link such as
    ``/denials?payer=1`` opened right after a restart would run the page file on its own
    (no wide layout, no sections, no sign-in frame from app.py). Clear that flag and rerun:
    the rerun goes through app.py, which resolves the same page from the URL.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without the flag
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


def page_start(title: str, *, permission: str = VIEW, icon: str | None = None) -> Database:
    """Frame a page: the demo banner, the title; stops the page on a store error."""
    _freeze_startup_heap()
    _route_through_app()
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
    _gate(db, demo, permission)  # sign-in and the role's permission; stops when refused
    present_toggle()
    st.title(title)
    return db


# -- sign-in and roles (metdash.auth) -------------------------------------------------------
_AUTH_KEY = "_auth_user"      # {"username", "display_name", "role"} of this browser session
_SEEN_KEY = "_auth_seen"      # time.time() of the session's last page run
_ENDED_KEY = "_auth_ended"    # why the last session ended (shown above the sign-in form)


def session_minutes() -> float:
    """Idle minutes before a session ends: ``$METDASH_SESSION_MINUTES`` (default 30)."""

    try:
        return max(1.0, float(os.environ.get("METDASH_SESSION_MINUTES", "") or 30))
    except ValueError:
        return 30.0


def _session_user(db: Database):  # -> metdash.auth.User | None
    """The signed-in user of this browser session, re-read from the store (a disabled user
    or a changed role takes effect at the next click); None after the idle timeout."""
    import time

    from metdash import auth

    state = st.session_state
    saved = state.get(_AUTH_KEY)
    if not saved:
        return None
    now = time.time()
    if now - state.get(_SEEN_KEY, now) > session_minutes() * 60:
        _end_session(f"Your session ended after {session_minutes():.0f} minutes without "
                     "activity: sign in again.")
        return None
    user = auth.get_user(db, saved["username"])
    if user is None:
        _end_session("Your account was disabled: ask the practice owner.")
        return None
    state[_SEEN_KEY] = now
    return user


def _end_session(reason: str = "") -> None:
    for key in (_AUTH_KEY, _SEEN_KEY):
        st.session_state.pop(key, None)
    if reason:
        st.session_state[_ENDED_KEY] = reason


def _gate(db: Database, demo: bool, permission: str) -> None:
    """Serve the page only to a signed-in user whose role has ``permission``; the synthetic
    demo alone is open without signing in. Stops the page otherwise."""
    from metdash import auth

    try:
        user = _session_user(db)
        if user is None and not demo and auth.user_count(db) == 0:
            st.title("metdash: no users yet")
            st.warning(
                "This practice database has no users, so it cannot be opened. On the "
                "computer that holds it, create the owner's account, then reload this page:"
                "\n\n`metdash user add --role owner --name \"Your Name\" USERNAME`",
                icon=":material/lock:")
            st.stop()
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    if user is None and demo:
        return
    if user is None:
        _sign_in_form(db)
        st.stop()
    side = st.sidebar
    side.caption(f"Signed in as **{user.display_name}** ({auth.ROLE_LABELS[user.role]})")
    side.button("Sign out", key="w_sign_out", on_click=_end_session,
                icon=":material/logout:")
    if not user.can(permission):
        _refuse(user, permission)


def _refuse(user: Any, permission: str) -> None:
    from metdash import auth

    st.error(f"Your role ({auth.ROLE_LABELS[user.role]}) may not open this page or do this "
             f"(it needs the '{permission}' permission). Ask the practice owner if you "
             "need it.", icon=":material/block:")
    st.stop()


def _sign_in_form(db: Database) -> None:
    import time

    from metdash import auth

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
        st.error(str(exc), icon=":material/lock:")
        return
    except StoreError as exc:
        st.error(str(exc))
        return
    st.session_state[_AUTH_KEY] = {"username": user.username, "role": user.role,
                                   "display_name": user.display_name}
    st.session_state[_SEEN_KEY] = time.time()
    st.rerun()


def current_user() -> str:
    """The user name to record with a write: the signed-in user, or "demo" in the open
    synthetic demo."""
    saved = st.session_state.get(_AUTH_KEY)
    return saved["username"] if saved else "demo"


def allowed(permission: str) -> bool:
    """True when this session may do ``permission`` (anyone in the open demo)."""
    from metdash import auth

    saved = st.session_state.get(_AUTH_KEY)
    if saved is None:
        return _is_demo_cached(database())
    return auth.can(saved["role"], permission)


def require(permission: str) -> None:
    """Stop here (with a clear message) unless this session may do ``permission``; call it
    on the server side before an action, e.g. just before a write."""
    from metdash import auth

    if allowed(permission):
        return
    saved = st.session_state.get(_AUTH_KEY)
    if saved is None:
        st.error("Sign in first.", icon=":material/lock:")
        st.stop()
    _refuse(auth.User(saved["username"], saved["display_name"], saved["role"]), permission)


def _hide_phi(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns that identify a person, for a role without 'phi'."""
    from metdash import auth

    return frame if allowed(auth.PHI) else auth.without_phi(frame)


# -- presentation (workshop) mode ---------------------------------------------------------
def present_mode() -> bool:
    """True when presentation mode is on: client names, birth dates and member ids are
    masked (metdash.privacy) and charts and tiles are drawn large. Starts from
    ``METDASH_PRESENT=1``; the sidebar toggle changes it for this browser session."""
    from metdash.privacy import present_by_default

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


def show_problems(problems: Sequence[Any], heading: str = "Nothing was saved.") -> None:
    """Show every validation problem at once, in the biller's words."""
    lines = "\n".join(f"- {p}" for p in problems)
    st.error(f"**{heading}** Please fix:\n{lines}")


def downloads(frame: pd.DataFrame, name: str, key: str | None = None) -> None:
    """CSV and Excel downloads of a table, side by side (masked in presentation mode)."""
    from metdash.privacy import mask_if

    frame = mask_if(_hide_phi(frame), present_mode())
    key = key or name

    # Files are written when a button is clicked, not on every rerun of the page.
    def as_csv() -> bytes:
        return frame.to_csv(index=False).encode("utf-8")

    def as_xlsx() -> bytes:
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="xlsxwriter") as xl:
            frame.to_excel(xl, index=False, sheet_name=name[:31] or "data")
        return buf.getvalue()

    left, right = st.columns(2)
    left.download_button(
        "Download CSV", as_csv,
        file_name=f"{name}.csv", mime="text/csv", key=f"{key}-csv",
        icon=":material/download:",
    )
    right.download_button(
        "Download Excel", as_xlsx, file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx", icon=":material/table:",
    )


def today() -> dt.date:
    """Today's date (one place, so tests and demos can pin it)."""
    return dt.date.today()


# -- tables ------------------------------------------------------------------------------
_COLUMN_FORMATS = {"money": "dollar", "percent": "percent", "count": "localized"}
# Column names whose plain capitalisation would read wrong.
_LABELS = {"carc": "CARC", "cpt": "CPT", "npi": "NPI", "claim_id": "Claim", "client_id": "Client",
           "group": "Group", "rarc": "RARC", "code": "Code", "age_days": "Age (days)",
           "days_left": "Days left", "total_charge": "Charge", "payer_type": "Payer type"}


MISSING = "–"  # what a table shows for a missing value


def table(frame: pd.DataFrame, *, formats: dict[str, str] | None = None,
          labels: dict[str, str] | None = None, key: str | None = None,
          select: bool = False, height: int | str = "auto", download: str | None = None
          ) -> Any:
    """Show a table with billing formats (``formats``: column -> catalogue metric name or a
    format: money, percent, days, count, date) and catalogue tooltips. With ``select``, one
    row can be picked; the selection state is returned. ``download`` adds CSV/Excel buttons.
    """
    from metdash.metrics import CATALOGUE
    from metdash.privacy import column_kind, mask_if

    formats = formats or {}
    labels = labels or {}
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
    present = present_mode()
    shown = mask_if(_hide_phi(frame), present).copy()
    config: dict[str, Any] = {}
    for col in ("kind", "status", "payer_type", "outcome"):
        if col in shown.columns and (shown[col].dtype == object
                                     or pd.api.types.is_string_dtype(shown[col])):
            shown[col] = shown[col].map(
                lambda v: v.replace("_", " ").capitalize() if isinstance(v, str) else v)
    for col in shown.columns:
        spec = formats.get(col, col)
        metric = CATALOGUE.get(spec)
        fmt = metric.format if metric else spec
        if present and column_kind(col):
            fmt = "text"  # masked: no longer a date or a number
        label = labels.get(col) or _LABELS.get(col) or (
            metric.label if metric else col.replace("_", " ").capitalize())
        help_text = metric.definition if metric else None
        if fmt in ("money", "percent", "days", "count") and not pd.api.types.is_numeric_dtype(
                shown[col]):
            shown[col] = pd.to_numeric(shown[col].map(_as_float), errors="coerce")
        if fmt in _COLUMN_FORMATS:
            config[col] = st.column_config.NumberColumn(label, help=help_text,
                                                        format=_COLUMN_FORMATS[fmt])
        elif fmt == "days":
            config[col] = st.column_config.NumberColumn(label, help=help_text, format="%.1f")
        elif fmt == "date":
            config[col] = st.column_config.DateColumn(label, help=help_text, format="YYYY-MM-DD")
        else:
            config[col] = st.column_config.Column(label, help=help_text)
    kwargs: dict[str, Any] = {}
    if select:
        kwargs = {"on_select": "rerun", "selection_mode": "single-row"}
    # A missing value (no rate without referrals, no date yet) reads as a dash, not "None".
    state = st.dataframe(shown, hide_index=True, column_config=config, key=key,
                         height=height, placeholder=MISSING, **kwargs)
    if download:
        downloads(frame, download, key=f"{key or download}-dl")
    return state


def _as_float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def selected_row(state: Any, frame: pd.DataFrame) -> pd.Series | None:
    """The row a user picked in :func:`table` (None when none)."""
    try:
        rows = state.selection.rows
    except AttributeError:
        return None
    return frame.iloc[rows[0]] if rows else None


def empty_note(what: str = "this view") -> None:
    """The friendly note for a range with nothing in it."""
    st.info(f"Nothing to show for {what} with these filters. Widen the date range or clear "
            "a filter in the sidebar.", icon=":material/filter_alt_off:")


def metric_tile(column: Any, name: str, value: Any, previous: Any = None) -> None:
    """One KPI tile: the catalogue's label, formatted value, tooltip, and the change against
    the previous period (green when it moves the good way)."""
    from metdash.metrics import CATALOGUE, format_value

    m = CATALOGUE[name]
    delta = None
    if previous is not None and value is not None:
        diff = float(value) - float(previous)
        if m.format == "percent":
            delta = f"{diff * 100:+.1f} pts"
        elif m.format == "money":
            delta = f"{'+' if diff >= 0 else '-'}${abs(diff):,.0f}"
        else:
            delta = f"{diff:+.1f}"
    color = "off" if m.higher_is_better is None else ("normal" if m.higher_is_better
                                                      else "inverse")
    shown = format_value(name, value)
    if m.format == "money" and value is not None:
        shown = f"${float(value):,.0f}"  # whole dollars: a tile has no room for cents
    column.metric(m.short_label, shown, delta=delta, delta_color=color,
                  help=m.definition + ("\n\nChange: against the previous period of the same "
                                       "length." if delta else ""), border=True)


_PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def chart(fig: Any, key: str | None = None) -> None:
    """A plotly figure, full width, with the mode bar kept out of the way (large, high
    contrast type in presentation mode)."""
    if present_mode():
        fig = present_figure(fig)
    st.plotly_chart(fig, key=key, config=_PLOTLY_CONFIG)


_CHARTS: dict[str, Callable[..., Any]] = {}


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(chart_key: str, data_key: str, db_path: str, stamp: tuple[float, ...],
            args: tuple[Any, ...], kwargs: tuple[Any, ...], chart_kwargs: tuple[Any, ...],
            present: bool) -> Any:
    read = _shared_call if data_key in _SHARED_KEYS else _cached_call
    data = read(data_key, db_path, stamp, *args, **dict(kwargs))
    fig = _CHARTS[chart_key](data, **dict(chart_kwargs))
    return present_figure(fig) if present else fig


def plot(chart_fn: Callable[..., Any], data_fn: Callable[..., Any], db: Database, *args: Any,
         key: str, chart_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Draw ``chart_fn(data_fn(db, *args, **kwargs), **chart_kwargs)``, building the figure
    once per store state, arguments and presentation mode.

    A plotly figure costs 20-150 ms to build (mostly plotly's property validation), so the
    built figure is kept (``st.cache_resource``: the same object, never copied; the newest
    256) and reused on reruns; a write to the store changes its stamp and so the key."""
    chart_key = f"{chart_fn.__module__}.{chart_fn.__qualname__}"
    data_key = f"{data_fn.__module__}.{data_fn.__qualname__}"
    _CHARTS[chart_key] = chart_fn
    _REGISTRY[data_key] = data_fn
    fig = _figure(chart_key, data_key, str(db.path), file_stamp(db.path), args,
                  tuple(sorted(kwargs.items())), tuple(sorted((chart_kwargs or {}).items())),
                  present_mode())
    st.plotly_chart(fig, key=key, config=_PLOTLY_CONFIG)


def present_figure(fig: Any) -> Any:
    """A copy of ``fig`` that reads from the back of a room: bigger type, thicker lines,
    black text on white, taller."""
    fig = type(fig)(fig)
    height = fig.layout.height or 450
    fig.update_layout(font={"size": 20, "color": "#000000"}, title_font_size=24,
                      hoverlabel_font_size=20, legend_font_size=18, legend_y=-0.4,
                      height=int(max(height * 1.3, 520)), paper_bgcolor="#FFFFFF",
                      plot_bgcolor="#FFFFFF")
    fig.update_xaxes(tickfont_size=18, title_font_size=20, gridcolor="#BBBBBB",
                     linecolor="#000000", tickfont_color="#000000",
                     title_font_color="#000000")
    fig.update_yaxes(tickfont_size=18, title_font_size=20, gridcolor="#BBBBBB",
                     linecolor="#000000", tickfont_color="#000000",
                     title_font_color="#000000")
    fig.update_traces(selector={"type": "scatter"}, line_width=4)
    return fig


# -- the shared sidebar filters ------------------------------------------------------------
_QP = {"from": "f_from", "to": "f_to", "payer": "f_payers", "referrer": "f_referrers",
       "provider": "f_providers"}


def _ids(text: str | None) -> list[int]:
    out = []
    for part in (text or "").split(","):
        part = part.strip()
        if part.isdigit():
            out.append(int(part))
    return out


def _parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def default_range(span: pd.DataFrame, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months up to today, or up to the last service date when the data ends
    earlier (an imported practice whose claims stop in the past)."""
    max_date = span.max_date.iloc[0] if not span.empty else None
    end = today
    if max_date is not None and not pd.isna(max_date) and pd.Timestamp(max_date).date() < today:
        end = pd.Timestamp(max_date).date()
    return end - dt.timedelta(days=364), end


def sidebar_filters(db: Database):  # -> metdash.figures.Filters
    """Date range (service date), payers, referrers, providers in the sidebar. The choice
    persists across pages (session state) and is written to the URL's query parameters, so
    a copied link reproduces the view."""
    from metdash import figures

    options = _filter_options(db)
    state = st.session_state
    if "_filters" not in state:
        qp = st.query_params
        start, end = default_range(options["span"], today())
        state["_filters"] = {
            "from": _parse_date(qp.get("from")) or start,
            "to": _parse_date(qp.get("to")) or end,
            "payer": [i for i in _ids(qp.get("payer")) if i in set(options["payers"].payer_id)],
            "referrer": [i for i in _ids(qp.get("referrer"))
                         if i in set(options["referrers"].referrer_id)],
            "provider": [i for i in _ids(qp.get("provider"))
                         if i in set(options["providers"].provider_id)],
        }
    saved = state["_filters"]

    def names(frame: pd.DataFrame, id_col: str) -> dict[int, str]:
        return dict(zip(frame[id_col], frame["name"], strict=True))

    payer_names = names(options["payers"], "payer_id")
    referrer_names = names(options["referrers"], "referrer_id")
    provider_names = names(options["providers"], "provider_id")
    sb = st.sidebar
    sb.header("Filters")
    picked = sb.date_input("Service dates", value=(saved["from"], saved["to"]),
                           format="YYYY-MM-DD", key="w_dates",
                           help="Claims whose first service date falls in this range. Balances "
                                "(A/R) are taken as of the last day.")
    if isinstance(picked, tuple | list) and len(picked) == 2:
        saved["from"], saved["to"] = picked
    payers = sb.multiselect("Payers", list(payer_names), default=saved["payer"],
                            format_func=payer_names.get, key="w_payers",
                            placeholder="All payers")
    referrers = sb.multiselect("Referrers", list(referrer_names), default=saved["referrer"],
                               format_func=referrer_names.get, key="w_referrers",
                               placeholder="All referrers")
    providers = sb.multiselect("Providers", list(provider_names), default=saved["provider"],
                               format_func=provider_names.get, key="w_providers",
                               placeholder="All providers")
    saved.update(payer=payers, referrer=referrers, provider=providers)
    qp = {"from": saved["from"].isoformat(), "to": saved["to"].isoformat()}
    for name in ("payer", "referrer", "provider"):
        if saved[name]:
            qp[name] = ",".join(str(i) for i in saved[name])
    if dict(st.query_params) != qp:
        st.query_params.from_dict(qp)
    return figures.Filters(
        date_from=saved["from"], date_to=saved["to"],
        payer_ids=tuple(payers) or None, referrer_ids=tuple(referrers) or None,
        provider_ids=tuple(providers) or None)


def _filter_options_raw(db: Database) -> dict[str, pd.DataFrame]:
    from metdash import figures

    return figures.filter_options(db)


_filter_options = cached(_filter_options_raw)


def metric_help(name: str) -> str:
    """The catalogue's definition of a figure (a tooltip)."""
    from metdash.metrics import CATALOGUE

    return CATALOGUE[name].definition


def choices(db: Database, what: str) -> pd.DataFrame:
    """:func:`metdash.entry.choices` for a form's pick list; in presentation mode the labels
    of clients and claims show chart numbers instead of client names."""
    from metdash import entry

    frame = cached(entry.choices)(db, what)
    if present_mode() and what == "clients":
        frame = frame.assign(label="Client " + frame.client_id.astype(str))
    elif present_mode() and what == "claims":
        frame = frame.assign(label=frame.claim_id.astype(str) + " - client "
                             + frame.client_id.astype(str) + " - " + frame.status.astype(str)
                             + " - $" + frame.total_charge.astype(str))
    return frame


def claim_picker(db: Database, label: str, *, statuses: Sequence[str] | None = None,
                 key: str, container: Any = None) -> str:
    """Pick one claim: a search box (claim id, client id or last name) and the newest
    matching claims (200 at most), so the list stays small in a practice of any size.
    Returns the chosen claim id ("" for none). In presentation mode labels show chart
    numbers, not names."""
    from metdash import entry

    box = container or st
    text = box.text_input(f"{label}: find by claim id, client id or last name",
                          key=f"{key}-find", placeholder="e.g. C0001234, MX000123 or Rowan")
    found = cached(entry.find_claims)(db, text, tuple(statuses) if statuses else None)
    if present_mode() and not found.empty:
        found = found.assign(label=found.claim_id.astype(str) + " - client "
                             + found.client_id.astype(str) + " - " + found.status.astype(str)
                             + " - $" + found.total_charge.astype(str))
    labels = dict(zip(found.label, found.claim_id, strict=True))
    picked = box.selectbox(label, [""] + list(labels), key=key,
                           help="The newest 200 matching claims; type above to narrow.")
    return labels.get(picked, "") if picked else ""


def client_picker(db: Database, label: str = "Client", *, key: str, container: Any = None
                  ) -> str:
    """Pick one client: a search box (chart number, last name, 'Last, First' or date of
    birth) and the matching clients by name (200 at most), so the list stays small in a
    practice of any size. Put it outside a form (typing must rerun the page). Returns the
    chosen client id ("" for none). In presentation mode labels show chart numbers only."""
    from metdash import entry

    box = container or st
    text = box.text_input(f"{label}: find by chart number, last name or birth date",
                          key=f"{key}-find", placeholder="e.g. MX000123, Rowan or 1961-04-02")
    found = cached(entry.find_clients)(db, text)
    if present_mode() and not found.empty:
        found = found.assign(label="Client " + found.client_id.astype(str))
    labels = dict(zip(found.label, found.client_id, strict=True))
    cut = len(found) >= entry.FIND_LIMIT
    picked = box.selectbox(
        label, [""] + list(labels), key=key,
        help=(f"Showing the first {entry.FIND_LIMIT} matching clients by name; type above "
              "to search." if cut else "Type above to search."))
    if cut:
        box.caption(f"Showing the first {entry.FIND_LIMIT} clients by name; type to search.")
    elif text.strip() and found.empty:
        box.caption(f"No client matches '{text.strip()}'.")
    return labels.get(picked, "") if picked else ""
