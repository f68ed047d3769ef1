"""How a page shows things: tables in billing formats, KPI tiles, charts, downloads, and
validation problems. Everything shown goes through :func:`metdash.ui.session.visible`, so a
role without 'phi' never sees a client's name and presentation mode masks it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from metdash import auth, exports
from metdash.errors import masked_text
from metdash.metrics import CATALOGUE, format_value, tile_money, tile_money_is_compact
from metdash.privacy import column_kind
from metdash.store import Database
from metdash.ui import later
from metdash.ui.cache import cached_figure
from metdash.ui.session import allowed, present_mode, visible
from metdash.ui.text import literal, words


def keyed_by(name: str, options: Any) -> str:
    """A widget key for ``name`` that changes with its ``options`` (their order included).

    The browser keeps a widget's value under its key, whatever the options became: a picker
    whose chosen items were billed kept them chosen after the page dropped them from its
    options (the next click failed in Streamlit). A new key is a new widget, with its
    default."""
    digest = hashlib.sha256(repr(list(options)).encode()).hexdigest()[:10]
    return f"{name}_{digest}"


def show_problems(problems: Sequence[Any], heading: str = "Nothing was saved.") -> None:
    """Show every validation problem at once, in the biller's words (each shown as the
    text it is: a problem repeats what was typed, see :func:`metdash.ui.text.literal`). In
    presentation mode a problem that names a client shows its masked text
    (:func:`metdash.errors.masked_text`)."""
    shown = [masked_text(p) for p in problems] if present_mode() else problems
    lines = "\n".join(f"- {literal(p)}" for p in shown)
    st.error(f"**{heading}** Please fix:\n{lines}")


def empty_note(what: str = "this view") -> None:
    """The friendly note for a range with nothing in it."""
    st.info(f"Nothing to show for {what} with these filters. Widen the date range or clear "
            "a filter in the sidebar.", icon=":material/filter_alt_off:")


_DOWNLOADS: dict[tuple[Any, ...], tuple[weakref.ref, Any]] = {}


def _kept_for(frame: pd.DataFrame, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """``build()``, kept in :data:`_DOWNLOADS` under ``key`` (which starts with ``id(frame)``)
    while ``frame`` lives. The entry does not keep ``frame`` alive: a page's frame built anew
    on each rerun is dropped with it, and with its entries."""
    with _PREPARED_LOCK:
        hit = _DOWNLOADS.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    value = build()
    with _PREPARED_LOCK:
        for gone in [k for k, (ref, _) in _DOWNLOADS.items() if ref() is None]:
            del _DOWNLOADS[gone]
        if len(_DOWNLOADS) >= 128:
            _DOWNLOADS.pop(next(iter(_DOWNLOADS)))
        _DOWNLOADS[key] = (weakref.ref(frame), value)
    return value


def half_away_floats(values: Any, places: int) -> np.ndarray:
    """Floats rounded to ``places`` decimals, a half away from zero, on the value as written
    (0.1445 is 0.145, not the 0.144 of the float 0.14449999...), as the house's labels round
    (:func:`metdash.chart_labels.half_away`); NaN stays NaN."""
    scale = 10.0 ** places
    scaled = np.round(np.asarray(values, dtype=float) * scale, 6)
    return np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / scale


def _for_download(frame: pd.DataFrame, labels: dict[str, str], present: bool,
                  phi: bool, digits: dict[str, int] | None = None) -> pd.DataFrame:
    """``frame`` as its downloads hold it (:func:`visible`, its float columns named in
    ``digits`` rounded to so many decimals, headed by ``labels``), kept while ``frame``
    lives, like :func:`_prepared`'s display copy (a rerun of the work lists copied and
    renamed each list's every row, ~15-25 ms at 1M lines)."""
    def build() -> pd.DataFrame:
        out = visible(frame)
        rounded = {col: half_away_floats(out[col], n) for col, n in (digits or {}).items()
                   if col in out.columns and pd.api.types.is_float_dtype(out[col])}
        if rounded:
            out = out.assign(**rounded)
        return out.rename(columns=labels) if labels else out

    key = (id(frame), tuple(sorted(labels.items())), present, phi)
    if digits:
        key += (tuple(sorted(digits.items())),)
    return _kept_for(frame, key, build)


# Decimals a download keeps of a float column shown in these formats: cents (whole dollars
# for "dollars"); a rate as a fraction to a tenth of a percent (0.965 shown as 96.5%);
# days to a tenth.
_DIGITS = {"dollar": 2, "dollars": 0, "percent": 3, "%.1f": 1}


def _shown_format(column_config: dict[str, Any]) -> str | None:
    """The format a table column is shown in (its ``_DIGITS`` key): "dollars" for whole
    dollars (the dollar format with a step of 1)."""
    shown = column_config.get("type_config") or {}
    if shown.get("format") == "dollar" and shown.get("step") == 1:
        return "dollars"
    return shown.get("format")


EAGER_CSV_ROWS = 5_000  # ~25 ms of CSV at most, once per table


def _csv_now(frame: pd.DataFrame) -> bytes:
    """``frame``'s CSV (a download copy kept by :func:`_for_download`), made once while it
    lives."""
    return _kept_for(frame, (id(frame), "csv"),
                     lambda: exports.frame_csv(frame).encode("utf-8"))


def downloads(frame: pd.DataFrame, name: str, key: str | None = None,
              labels: dict[str, str] | None = None, digits: dict[str, int] | None = None
              ) -> None:
    """CSV and Excel downloads of a table, side by side (masked in presentation mode), its
    columns headed by ``labels`` and its float columns rounded to ``digits`` decimals (a
    table's downloads use the headings and the precision on screen)."""
    frame = _for_download(frame, labels or {}, present_mode(), allowed(auth.PHI), digits)
    key = key or name

    # Through metdash.exports: no cell of a download runs as a formula. The Excel file is
    # written when its button is clicked, not on every rerun of the page; so is the CSV of a
    # long table. A short table's CSV is made with the page (once per table, kept like its
    # display copy): a file made on click is named anew on every rerun, and a click that
    # still held the last run's name got no file and no message (a new-user trial saw 3 of
    # 37 CSV clicks just after opening an expander fail so); a file made with the page keeps
    # its name while its content is the same.
    def as_csv() -> bytes:
        return exports.frame_csv(frame).encode("utf-8")

    def as_xlsx() -> bytes:
        return exports.frame_xlsx(frame, sheet=name)

    csv_data: Any = _csv_now(frame) if len(frame) <= EAGER_CSV_ROWS else as_csv
    left, right = st.columns(2)
    left.download_button(
        "Download CSV", csv_data,
        file_name=f"{name}.csv", mime="text/csv", key=f"{key}-csv",
        icon=":material/download:",
    )
    right.download_button(
        "Download Excel", as_xlsx, file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx", icon=":material/table:",
    )


# -- tables ------------------------------------------------------------------------------
_COLUMN_FORMATS = {"money": "dollar", "count": "localized"}
# Column names whose plain capitalisation would read wrong.
_LABELS = {"carc": "CARC", "cpt": "CPT", "npi": "NPI", "claim_id": "Claim", "client_id": "Client",
           "dx_pointers": "Diagnosis pointers", "allowed_amount": "Allowed",
           "dob": "Birth date", "member_id": "Member id", "session_id": "Session",
           "line_no": "Line", "referrer_id": "Referrer #", "payer_id": "Payer #",
           "group": "Group", "rarc": "RARC", "code": "Code", "age_days": "Age (days)",
           "days_left": "Days left", "total_charge": "Charge", "payer_type": "Payer type",
           "how": "What the payer did", "taken_back_date": "Taken back on",
           "unanswered": "Not answered", "usual_lag_days": "Usual lag (days)"}


MISSING = "–"  # what a table shows for a missing value


_PREPARED: dict[tuple[Any, ...], tuple[pd.DataFrame, dict[str, Any], Any]] = {}
_PREPARED_LOCK = threading.Lock()  # sessions run in threads


def _prepared(frame: pd.DataFrame, formats: dict[str, str], labels: dict[str, str],
              present: bool, phi: bool, room: dict[str, int] | None = None
              ) -> tuple[dict[str, Any], Any]:
    """What :func:`table` draws for ``frame``: the column config, and the data handed to
    ``st.dataframe`` (its visible copy in display units, as an Arrow table: :func:`_as_arrow`). Kept per frame object (a page's :func:`~metdash.ui.cache.cached_shared`
    results are the same object on every rerun until the store changes: a rerun of a page of
    many tables skips the Decimal conversions); the entry holds the frame, so its id cannot
    be reused while the entry lives. Never change a frame in place after showing it. The key
    holds what :func:`visible` depends on (presentation mode, and whether this session may
    see the columns that identify a person): sessions share the entries."""
    room = room or {}
    key = (id(frame), tuple(sorted(formats.items())), tuple(sorted(labels.items())), present,
           phi, tuple(sorted(room.items())))
    with _PREPARED_LOCK:
        hit = _PREPARED.get(key)
    if hit is not None and hit[0] is frame:
        return hit[1], hit[2]
    shown = visible(frame).copy()
    config: dict[str, Any] = {}
    for col in ("kind", "status", "payer_type", "outcome"):
        if col in shown.columns and (shown[col].dtype == object
                                     or pd.api.types.is_string_dtype(shown[col])):
            shown[col] = shown[col].map(lambda v: words(v) if isinstance(v, str) else v)
    for col, said in VALUE_WORDS.items():   # codes whose words are not the code's own
        if col in shown.columns:
            shown[col] = shown[col].map(lambda v, said=said: said.get(v, v))
    for col in shown.columns:
        spec = formats.get(col, col)
        metric = CATALOGUE.get(spec)
        fmt = metric.format if metric else spec
        if col not in formats and not metric:
            fmt = _format_of(shown[col]) or fmt
        if present and column_kind(col):
            fmt = "text"  # masked: no longer a date or a number
        label = column_label(col, formats, labels)
        help_text = metric.definition if metric else None
        if fmt in ("money", "dollars", "percent", "days", "count") \
                and not pd.api.types.is_numeric_dtype(shown[col]):
            shown[col] = pd.to_numeric(shown[col].map(_as_float), errors="coerce")
        if fmt == "dollars":   # a projection's money: whole dollars (a step of 1: no cents)
            # rounded here, half a dollar up: the grid cuts a value to its step ($5,973.76
            # would read $5,973)
            values = shown[col].astype(float)   # numeric already (above)
            shown[col] = np.sign(values) * np.floor(np.abs(values) + 0.5)
            config[col] = st.column_config.NumberColumn(label, help=help_text, format="dollar",
                                                        step=1)
        elif fmt == "percent":
            # A rate to a tenth of a percent, as tiles and reports write it (format_value):
            # the grid's own percent showed hundredths ("94.74%" for a model's denial risk, a
            # false precision; a new-user trial). Rounded here, a half away from zero: the
            # grid rounds the float (0.1445 is 0.14449999...: "14.4%").
            shown[col] = half_away_floats(shown[col].astype(float), 3)
            config[col] = st.column_config.NumberColumn(label, help=help_text, format="percent",
                                                        step=0.001)
        elif fmt in _COLUMN_FORMATS:
            if fmt == "money" and pd.api.types.is_float_dtype(shown[col]):
                # to the cent, as shown: the grid's hidden copy for screen readers read the
                # float itself ("67.33333333333333"; a new-user trial)
                shown[col] = half_away_floats(shown[col], 2)
            config[col] = st.column_config.NumberColumn(label, help=help_text,
                                                        format=_COLUMN_FORMATS[fmt])
        elif fmt == "days":
            if pd.api.types.is_float_dtype(shown[col]):
                shown[col] = half_away_floats(shown[col], 1)   # as shown (above)
            config[col] = st.column_config.NumberColumn(label, help=help_text, format="%.1f")
        elif fmt == "date":
            config[col] = st.column_config.DateColumn(label, help=help_text, format="YYYY-MM-DD")
        else:
            # a table of many columns gives a long name less room (Revenue by payer's nine
            # ran past 1280 px with its payer's 200), one of a few columns more (a denial
            # reason's words were cut at 200 px beside three short columns)
            config[col] = st.column_config.Column(label, help=help_text, width=_text_width(
                shown[col], label, most=room.get(col, _longest_allowed(len(shown.columns)))))
    data = _as_arrow(shown)
    with _PREPARED_LOCK:
        if len(_PREPARED) >= 64:
            _PREPARED.pop(next(iter(_PREPARED)))
        _PREPARED[key] = (frame, config, data)
    return config, data


def _longest_allowed(columns: int) -> int:
    """The most pixels :func:`_text_width` gives a column of text in a table of ``columns``
    columns: 160 from nine up, 360 up to four, 200 between."""
    return 160 if columns >= 9 else 360 if columns <= 4 else 200


def _text_width(column: pd.Series, label: str = "", most: int = 200) -> int | None:
    """Pixels for a column of names or words longer than a short code, 6.5 a character of
    its longest value or its heading (the grid's 14 px font; 7 a character pushed Sessions not
    yet billed's last column off a 1280 px screen), at most Streamlit's "medium" 200 (a
    payer's name was cut to "Blue Su" in the Settings → Payers grid, sized by its heading
    "Name"; "medium" for a status of 14 letters pushed Claims' insurance balance off), or
    ``most``. None
    (the grid's own sizing) for codes, numbers and short words."""
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return None
    longest = max((len(v) for v in column.head(200) if isinstance(v, str)), default=0)
    if longest < 12:
        return None
    return min(round(6.5 * max(longest, len(label) + 2)) + 16, most)


def _as_arrow(shown: pd.DataFrame) -> Any:
    """``shown`` as the Arrow table ``st.dataframe`` would make of it, made once per prepared
    frame instead of on every rerun (Streamlit converts a DataFrame anew each time, through a
    thread pool per call: ~2-5 ms a table, 30-60 ms a rerun of Work lists' fifteen). Without
    the index (tables hide it); the frame itself when Arrow refuses a column, for Streamlit's
    own fixes of mixed-type columns."""
    try:
        return pa.Table.from_pandas(shown, preserve_index=False, nthreads=1)
    except (pa.ArrowException, TypeError, ValueError):
        return shown


def table(frame: pd.DataFrame, *, formats: dict[str, str] | None = None,
          labels: dict[str, str] | None = None, key: str | None = None,
          select: bool = False, height: int | str = "auto", download: str | None = None,
          room: dict[str, int] | None = None) -> Any:
    """Show a table with billing formats (``formats``: column -> catalogue metric name or a
    format: money, dollars (whole), percent, days, count, date) and catalogue tooltips;
    ``height``: pixels, "auto" (up to ten rows, then a scroll) or "all" (every row). With
    ``select``, one row can be picked; the selection state is returned. ``download`` adds
    CSV/Excel buttons. ``room``: column -> the most pixels its text may take, for the one
    column a table is read for (Denial risk's reason), beyond :func:`_longest_allowed`.
    """
    formats = formats or {}
    labels = labels or {}
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
    if height == "all":   # every row at once, no scroll (a short table read whole: 12 months)
        height = table_height(len(frame), "all")
    config, data = _prepared(frame, formats, labels, present_mode(), allowed(auth.PHI), room)
    kwargs: dict[str, Any] = {}
    if select:
        kwargs = {"on_select": "rerun", "selection_mode": "single-row"}

    def show() -> Any:
        # A missing value (no rate without referrals, no date yet) reads as a dash, not "None".
        state = st.dataframe(data, hide_index=True, column_config=config, key=key,
                             height=height, placeholder=MISSING, **kwargs)
        if download:  # headed as on screen, numbers to the precision shown
            shown_as = {col: _shown_format(c) for col, c in config.items()}
            downloads(frame, download, key=f"{key or download}-dl",
                      labels={col: c["label"] for col, c in config.items() if c.get("label")},
                      digits={col: _DIGITS[f] for col, f in shown_as.items() if f in _DIGITS})
        return state

    # On a page just opened, a table after its first waits for the rest to be painted, as a
    # chart does (a picked row drives the page: those are drawn at once).
    held = later.table_waits(key or download or "", select)
    if held is None:
        return show()
    later.draw(show, held, table_height(len(data), height, download is not None))
    return None


def table_height(rows: int, height: int | str = "auto", downloads: bool = False) -> int:
    """The pixels a table takes (its place held until it is drawn): a header and up to ten
    rows of 35 px ("auto"; every row: "all"), and the row of download buttons."""
    shown = max(rows, 1) if height == "all" else min(max(rows, 1), 10)
    grid = height if isinstance(height, int) else 35 * (shown + 1) + 3
    return grid + (56 if downloads else 0)


def column_label(col: str, formats: dict[str, str] | None = None,
                 labels: dict[str, str] | None = None) -> str:
    """The heading of a table column, on screen and in its downloads: ``labels``' own, the
    house's (``CPT``, ``Claim``), the catalogue's, else the name in words."""
    metric = CATALOGUE.get((formats or {}).get(col, col))
    return (labels or {}).get(col) or _LABELS.get(col) or (
        metric.label if metric else str(col).replace("_", " ").capitalize())


def table_labels(frame: pd.DataFrame, formats: dict[str, str] | None = None,
                 labels: dict[str, str] | None = None) -> dict[str, str]:
    """Every column's :func:`column_label` (a download's headings)."""
    return {col: column_label(col, formats, labels) for col in frame.columns}


# A stored code shown in words that are not its own (the forms' choices say the same).
UNITS_RULES = {"cms": "CMS 8-minute rule", "per_code": "Per code"}
VALUE_WORDS = {"units_rule": UNITS_RULES}


def _format_of(column: pd.Series) -> str | None:
    """A column's format judged by what it holds, for a table given none: money for
    Decimals (the store keeps every amount as DECIMAL: a grid showed "162" for $162.00),
    a date for dates."""
    values = column.dropna()
    if values.empty:
        return None
    first = values.iloc[0]
    if isinstance(first, Decimal) and all(isinstance(v, Decimal) for v in values.head(50)):
        return "money"
    if pd.api.types.is_datetime64_any_dtype(column) or (
            isinstance(first, dt.date) and not isinstance(first, dt.datetime)):
        return "date"
    return None


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


# -- tiles and charts ------------------------------------------------------------------------
def metric_tile(column: Any, name: str, value: Any, previous: Any = None) -> None:
    """One KPI tile: the catalogue's label, formatted value, tooltip, and the change against
    the previous period (green when it moves the good way)."""
    m = CATALOGUE[name]
    delta = None
    if previous is not None and value is not None:
        diff = float(value) - float(previous)
        if m.format == "percent":
            delta = f"{diff * 100:+.1f} pts"
        elif m.format == "money":
            # written as the value is: "$792.0K" with "+$39.1K", not "+$39,128"
            delta = ("+" if diff >= 0 else "") + tile_money(
                diff, compact=tile_money_is_compact(value))
        else:
            delta = f"{diff:+.1f}"
    color = "off" if m.higher_is_better is None else ("normal" if m.higher_is_better
                                                      else "inverse")
    if delta is not None and float(value) == float(previous):
        color = "off"  # no change is neither a gain nor a loss (it showed "+$0" in green)
    shown = format_value(name, value)
    exact = ""
    if m.format == "money" and value is not None:
        shown = tile_money(value)  # a tile at 1280 px has no room for cents or millions
        exact = f"\n\nExactly {format_value('money', value)}."
    column.metric(m.short_label, shown, delta=delta, delta_color=color,
                  help=m.definition + exact + ("\n\nChange: against the previous period of "
                                               "the same length." if delta else ""),
                  border=True)


def chart_row(n: int = 2) -> list[Any]:
    """Where ``n`` charts go side by side: columns, or in presentation mode one above the
    other (a half-width chart in projector type cut its labels to "$65.9" and "Dollars per
    vi" and overlapped its months: a new-user trial at 1280×720)."""
    return [st.container() for _ in range(n)] if present_mode() else st.columns(n)


_PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def chart(fig: Any, key: str | None = None) -> None:
    """A plotly figure, full width, with the mode bar kept out of the way (large, high
    contrast type in presentation mode)."""
    if present_mode():
        fig = present_figure(fig)
    _show(fig, key)


def plot(chart_fn: Callable[..., Any], data_fn: Callable[..., Any], db: Database, *args: Any,
         key: str, chart_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Draw ``chart_fn(data_fn(db, *args, **kwargs), **chart_kwargs)``, building the figure
    once per store state, arguments and presentation mode
    (:func:`metdash.ui.cache.cached_figure`)."""
    fig = cached_figure(chart_fn, data_fn, db, args, kwargs, chart_kwargs or {},
                        dress=present_figure if present_mode() else None)
    _show(fig, key)


def _show(fig: Any, key: str | None) -> None:
    """``fig`` drawn now or, when the page is being opened, once the rest is painted
    (:mod:`metdash.ui.later`)."""
    later.draw(lambda: st.plotly_chart(fig, key=key, config=_PLOTLY_CONFIG),
               key or f"chart_{id(fig)}", int(fig.layout.height or 450))


def present_figure(fig: Any) -> Any:
    """A copy of ``fig`` that reads from the back of a room: bigger type, thicker lines,
    black text on white, taller.

    Built in one go from the figure's dicts (as :func:`metdash.charts.style`): plotly's
    ``update_layout`` / ``update_xaxes`` / ``update_traces`` took ~15 ms a chart."""
    from metdash.charts import merge_layout

    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)  # the default: validated again if handed back (~10 ms)
    height = layout.get("height") or 450
    # What a chart added to its height for its legend's rows in a half-width column
    # (charts.payer_mix_bar): here the chart is full width and its legend takes fewer rows,
    # so only the rest is scaled (scaled whole, twelve payers ran past a 720 px screen).
    meta = layout.get("meta")
    height -= meta.get("legend_px", 0) if isinstance(meta, dict) else 0
    merge_layout(layout, {"font": {"size": 20, "color": "#000000"},
                          "title": {"font": {"size": 24}}, "hoverlabel": {"font": {"size": 20}},
                          "legend": {"font": {"size": 18}, "y": -0.4},
                          "height": int(max(height * 1.3, 520)), "paper_bgcolor": "#FFFFFF",
                          "plot_bgcolor": "#FFFFFF"})
    axis = {"tickfont": {"size": 18, "color": "#000000"},
            "title": {"font": {"size": 20, "color": "#000000"}},
            "gridcolor": "#BBBBBB", "linecolor": "#000000"}
    # Every x and y axis of the figure (a cartesian figure always has the first two).
    names = {"xaxis", "yaxis"} | {k for k in layout if re.fullmatch(r"[xy]axis\d+", k)}
    for name in sorted(names):
        layout[name] = merge_layout(layout.get(name) or {}, axis)
    data = [trace.to_plotly_json() for trace in fig.data]
    for trace in data:
        if trace.get("type") == "scatter":
            trace["line"] = {**(trace.get("line") or {}), "width": 4}
    return type(fig)(data=data, layout=layout)


_WHERE = {"settings.py": "Settings", "clients.py": "Clients & referrers",
          "sessions.py": "Sessions", "claims.py": "Claims"}


def setup_checklist(steps: Sequence[Any], expanded: bool) -> None:
    """A new practice's setup steps (:func:`metdash.entry.setup_steps`): each done or not,
    what the store has, and where in the sidebar to do it."""
    done = sum(step.done for step in steps)
    with st.expander(f"Setting up this practice: {done} of {len(steps)} steps done",
                     expanded=expanded, icon=":material/checklist:"):
        for number, step in enumerate(steps, 1):
            page, _, tab = step.page.partition("#")
            where = _WHERE.get(page, page) + (f" → {tab}" if tab else "")
            mark = ":green[:material/check_circle:]" if step.done else \
                ":material/radio_button_unchecked:"
            st.markdown(f"{mark} **{number}. {step.title}**: {step.detail}."
                        + ("" if step.done else f" Where: *{where}* in the sidebar."))


def line_columns() -> dict[str, Any]:
    """Headings and formats of a claim's service lines in an editable grid (a claim draft, a
    claim entered by hand, an EOB posted per line): words, not column names, and dollars."""
    cc = st.column_config
    return {
        "line_no": cc.NumberColumn("Line", format="%d"),
        "service_date": cc.DateColumn("Service date", format="YYYY-MM-DD"),
        "cpt": cc.TextColumn("CPT"),
        "modifiers": cc.TextColumn("Modifiers", help="Up to four, separated by ':' (GP:KX)."),
        "units": cc.NumberColumn("Units", format="%d", min_value=0),
        "charge": cc.NumberColumn("Charge", format="dollar", min_value=0),
        "dx_pointers": cc.TextColumn("Diagnosis pointers",
                                     help="Which of the claim's diagnoses this line treats: "
                                          "1 to 4, in the order listed (e.g. 1,2)."),
        "session_id": cc.NumberColumn("Session", format="%d"),
        "place_of_service": cc.TextColumn("Place of service",
                                          help="11 office, 12 client's home, 02 telehealth "
                                               "(not at home), 10 telehealth at home."),
        "on_eob": cc.CheckboxColumn("On this EOB",
                                    help="Untick a line the EOB does not list (a payer that "
                                         "splits a claim answers it on another EOB): it stays "
                                         "owed by the payer."),
        "paid": cc.NumberColumn("Paid", format="dollar"),
        "adjustments": cc.TextColumn("Adjustments", help="GROUP-CARC AMOUNT, separated by ';' "
                                                         "(CO-45 12.00; PR-2 8.00)."),
    }
