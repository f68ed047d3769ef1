"""What a page asks for: the shared sidebar filters (kept in session state and the URL),
the default date range, and the pick lists for clients and claims that stay small in a
practice of any size (masked in presentation mode)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from metdash import entry, figures
from metdash.metrics import CATALOGUE
from metdash.store import Database
from metdash.ui import later
from metdash.ui.cache import cached, cached_shared
from metdash.ui.session import present_mode, present_query
from metdash.ui.text import literal


def today() -> dt.date:
    """Today's date (one place, so tests and demos can pin it)."""
    return dt.date.today()


def default_range(span: pd.DataFrame, today: dt.date) -> tuple[dt.date, dt.date]:
    """The range a page opens with (:func:`metdash.figures.default_period`, which
    ``metdash figures`` uses too)."""
    max_date = span.max_date.iloc[0] if not span.empty else None
    last = None
    if max_date is not None and not pd.isna(max_date):
        last = pd.Timestamp(max_date).date()
    return figures.default_period(last, today)


PRESETS = ("This month", "Last month", "This quarter", "Last quarter", "Year to date",
           "Last 12 months", "Last year")


def preset_range(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates of a named period ending today (or, for a past period, its last day)."""
    month = today.replace(day=1)
    quarter = month.replace(month=(today.month - 1) // 3 * 3 + 1)
    if name == "This month":
        return month, today
    if name == "Last month":
        end = month - dt.timedelta(days=1)
        return end.replace(day=1), end
    if name == "This quarter":
        return quarter, today
    if name == "Last quarter":
        end = quarter - dt.timedelta(days=1)
        return end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1), end
    if name == "Year to date":
        return today.replace(month=1, day=1), today
    if name == "Last 12 months":
        return today - dt.timedelta(days=364), today
    if name == "Last year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    raise ValueError(f"unknown period {name!r}")


def _apply_preset() -> None:
    """The period picked beside the dates becomes the dates (then the picker is cleared, so a
    hand-edited range never shows a period name it no longer is)."""
    name = st.session_state.get("w_preset")
    if name:
        start, end = preset_range(name, today())
        # The date picker starts again from the filters (its value, not set here: a widget
        # given both a value and a session-state entry makes Streamlit log a warning).
        st.session_state.pop("w_dates", None)
        st.session_state["_filters"].update({"from": start, "to": end})
        st.session_state["w_preset"] = None


# -- the shared sidebar filters ------------------------------------------------------------
def _ids(text: str | None) -> list[int]:
    out = []
    for part in (text or "").split(","):
        part = part.strip()
        if part.isdigit():
            out.append(int(part))
    return out


# Dates a link may ask for: a year of ordinary history either side of any practice's
# (0001-01-01 in a link made the previous period's arithmetic overflow).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _parse_date(text: str | None) -> dt.date | None:
    """A date from the URL; None (the default range) when it is not one, or out of range."""
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is None or EARLIEST <= day <= LATEST else None


_filter_options = cached(figures.filter_options)


def sidebar_filters(db: Database) -> figures.Filters:
    """Date range (service date), payers, referrers, providers in the sidebar. The choice
    persists across pages (session state) and is written to the URL's query parameters, so
    a copied link reproduces the view.

    On a page just opened in a browser the pickers are drawn once the page's figures are
    painted (:mod:`metdash.ui.later`): drawn with them, they held the first table or tile
    back ~90 ms of the browser's work (benchmarks/NOTES.md, "Twenty-second pass"). The
    figures read the choice kept in session state meanwhile, which the pickers then show."""
    options = _filter_options(db)
    state = st.session_state
    if "_filters" not in state:
        state["_filters"] = _asked(options)
    saved = state["_filters"]
    st.sidebar.header("Filters")
    used = dict(saved)  # what this run's figures read
    with st.sidebar:
        later.draw(lambda: _filter_widgets(options, saved), "sidebar_filters", FILTERS_HEIGHT,
                   held=lambda: _filter_widgets_then_rerun(options, saved, used))
    qp = {"from": saved["from"].isoformat(), "to": saved["to"].isoformat(), **present_query()}
    for name in ("payer", "referrer", "provider"):
        if saved[name]:
            qp[name] = ",".join(str(i) for i in saved[name])
    if dict(st.query_params) != qp:
        st.query_params.from_dict(qp)
    return _as_filters(saved)


def _asked(options: dict[str, Any]) -> dict[str, Any]:
    """A session's first choice: the URL's query parameters, else the default range."""
    qp = st.query_params
    start, end = default_range(options["span"], today())
    return {
        "from": _parse_date(qp.get("from")) or start,
        "to": _parse_date(qp.get("to")) or end,
        "payer": [i for i in _ids(qp.get("payer")) if i in set(options["payers"].payer_id)],
        "referrer": [i for i in _ids(qp.get("referrer"))
                     if i in set(options["referrers"].referrer_id)],
        "provider": [i for i in _ids(qp.get("provider"))
                     if i in set(options["providers"].provider_id)],
    }


def _as_filters(saved: dict[str, Any]) -> figures.Filters:
    return figures.Filters(
        date_from=saved["from"], date_to=saved["to"],
        payer_ids=tuple(saved["payer"]) or None, referrer_ids=tuple(saved["referrer"]) or None,
        provider_ids=tuple(saved["provider"]) or None)


def asked_filters(db: Database) -> figures.Filters:
    """The filters this session's pages read, as :func:`sidebar_filters` gives them, with no
    widget drawn: the choice kept in the session, else the one the URL asks for."""
    saved = st.session_state.get("_filters")
    return _as_filters(saved if saved is not None else _asked(_filter_options(db)))


def metric_help(name: str) -> str:
    """The catalogue's definition of a figure (a tooltip)."""
    return CATALOGUE[name].definition


# -- pick lists ------------------------------------------------------------------------------
def choices(db: Database, what: str) -> pd.DataFrame:
    """:func:`metdash.entry.choices` for a form's pick list; in presentation mode the labels
    of clients and claims show chart numbers instead of client names."""
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
    box = container or st
    text = box.text_input(f"{label}: find by claim id, client id or last name",
                          key=f"{key}-find", placeholder="e.g. C0001234, MX000123 or Rowan")
    # Kept as is (never changed here): Claims' "Newest claims" table reads the same object.
    found = cached_shared(entry.find_claims)(db, text, tuple(statuses) if statuses else None)
    if present_mode() and not found.empty:
        # The same label with the chart number instead of the name (the money part follows
        # the last " - " of the label).
        found = found.assign(label=found.claim_id.astype(str) + " - client "
                             + found.client_id.astype(str) + " - " + found.status.astype(str)
                             + " - " + found.label.str.rsplit(" - ", n=1).str[-1])
    labels = dict(zip(found.label, found.claim_id, strict=True))
    preselect(key, labels)
    typed = text.strip().upper()
    if typed and st.session_state.get(key) not in labels:
        # An exact claim id typed is that claim, chosen (a new-user trial typed C0013937,
        # then "Post payment" said no claim was chosen: the list's one match was not).
        exact = [lab for lab, claim in labels.items() if str(claim).upper() == typed]
        if exact:
            st.session_state[key] = exact[0]
    picked = box.selectbox(label, [""] + list(labels), key=key,
                           help="The newest 200 matching claims; type above to narrow.")
    return labels.get(picked, "") if picked else ""


def open_with(page: str, *, tab: str | None = None, tabs_key: str | None = None,
              **picks: str) -> None:
    """Go to ``page`` (a file in pages/) with a record already chosen, as a work list's row
    does: ``picks`` maps a picker's key (:func:`claim_picker`, :func:`client_picker`, or a
    plain selectbox of ids) to the id it should show; ``tab`` opens that tab (its
    ``st.tabs`` key is ``tabs_key``). The page offers the way back."""
    state = st.session_state
    for key, value in picks.items():
        state[f"{key}-find"] = value      # a picker's search box
        state[f"_pick-{key}"] = value     # and its choice, once the search has found it
    if tab and tabs_key:
        state[tabs_key] = tab
    state["_from_worklist"] = True
    st.switch_page(f"pages/{page}")


def preselect(key: str, labels: dict[str, Any]) -> None:
    """Choose the record :func:`open_with` asked the picker ``key`` for (``labels``: its
    options -> ids), when its options hold it."""
    wanted = st.session_state.pop(f"_pick-{key}", None)
    if wanted is None:
        return
    for label, value in labels.items():
        if str(value) == str(wanted):
            st.session_state[key] = label
            return


def client_picker(db: Database, label: str = "Client", *, key: str, container: Any = None
                  ) -> str:
    """Pick one client: a search box (chart number, last name, 'Last, First' or date of
    birth) and the matching clients by name (200 at most), so the list stays small in a
    practice of any size. Put it outside a form (typing must rerun the page). Returns the
    chosen client id ("" for none). In presentation mode labels show chart numbers only."""
    box = container or st
    text = box.text_input(f"{label}: find by chart number, last name or birth date",
                          key=f"{key}-find", placeholder="e.g. MX000123, Rowan or 1961-04-02")
    found = cached(entry.find_clients)(db, text)
    if present_mode() and not found.empty:
        found = found.assign(label="Client " + found.client_id.astype(str))
    labels = dict(zip(found.label, found.client_id, strict=True))
    preselect(key, labels)
    cut = len(found) >= entry.FIND_LIMIT
    picked = box.selectbox(
        label, [""] + list(labels), key=key,
        help=(f"Showing the first {entry.FIND_LIMIT} matching clients by name; type above "
              "to search." if cut else "Type above to search."))
    if cut:
        box.caption(f"Showing the first {entry.FIND_LIMIT} clients by name; type to search.")
    elif text.strip() and found.empty:
        box.caption(f"No client matches '{literal(text.strip())}'.")
    return labels.get(picked, "") if picked else ""


# The pickers' height in the sidebar (a page just opened holds their place with a box).
FILTERS_HEIGHT = 400


def _filter_widgets(options: dict[str, Any], saved: dict[str, Any]) -> None:
    """The period, dates, payers, referrers and providers pickers (in the sidebar: called
    inside ``with st.sidebar``); ``saved`` takes their values."""

    def names(frame: pd.DataFrame, id_col: str) -> dict[int, str]:
        return dict(zip(frame[id_col], frame["name"], strict=True))

    payer_names = names(options["payers"], "payer_id")
    referrer_names = names(options["referrers"], "referrer_id")
    provider_names = names(options["providers"], "provider_id")
    st.selectbox("Period", PRESETS, index=None, key="w_preset", on_change=_apply_preset,
                 placeholder="This month, last quarter, year to date…",
                 help="Sets the service dates below to a period ending today (last month, "
                      "last quarter and last year: to their last day).")
    picked = st.date_input("Service dates", value=(saved["from"], saved["to"]),
                           format="YYYY-MM-DD", key="w_dates",
                           help="Claims whose first service date falls in this range. Balances "
                                "(A/R) are taken as of the last day.")
    if isinstance(picked, tuple | list) and len(picked) == 2:
        saved["from"], saved["to"] = picked
    payers = st.multiselect("Payers", list(payer_names), default=saved["payer"],
                            format_func=payer_names.get, key="w_payers",
                            placeholder="All payers")
    referrers = st.multiselect("Referrers", list(referrer_names), default=saved["referrer"],
                               format_func=referrer_names.get, key="w_referrers",
                               placeholder="All referrers")
    providers = st.multiselect("Providers", list(provider_names), default=saved["provider"],
                               format_func=provider_names.get, key="w_providers",
                               placeholder="All providers")
    saved.update(payer=payers, referrer=referrers, provider=providers)


def _filter_widgets_then_rerun(options: dict[str, Any], saved: dict[str, Any],
                               used: dict[str, Any]) -> None:
    """The pickers drawn after the page they filter, in their own fragment
    (:func:`metdash.ui.later.draw`): a choice changed there (the fragment alone runs again)
    runs the whole page again, for its figures to follow it."""
    _filter_widgets(options, saved)
    if saved != used:
        st.rerun()
