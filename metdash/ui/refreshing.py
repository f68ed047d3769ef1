"""What a page says while a result learned from the whole history is brought up to date in
the background (:mod:`metdash.refresh`), and how it shows the new one when it is ready."""

from __future__ import annotations

import streamlit as st

from metdash import refresh
from metdash.ui.text import literal


def refreshing(choice: refresh.Choice, what: str) -> None:
    """Nothing when ``choice`` is current. Else say that ``what`` (e.g. "The scores below")
    comes from before the newest data while the new one is built, and rerun the page once
    that build is done (checked every second, in a fragment: the page itself is not redrawn
    meanwhile)."""
    if choice.current:
        return
    why = refresh.failure(choice)
    if why is not None:
        st.warning(f"{what} came from the data on file before the newest changes: bringing "
                   f"it up to date failed ({literal(why)}); the server's log has the details. "
                   "It is tried again when more data arrives.", icon=":material/warning:")
        return
    st.info(f"{what} came from the data on file before the newest changes; they are being "
            "brought up to date now, in the background. This page shows the new ones when "
            "they are ready (a few seconds on a large practice).", icon=":material/autorenew:")
    _check_back(choice)


def pending(choice: refresh.Choice, what: str) -> None:
    """Say that ``what`` (e.g. "This forecast's backtest") is being worked out in the
    background, and rerun the page once it is done (as :func:`refreshing`); or that it
    failed, and why."""
    why = refresh.failure(choice)
    if why is not None:
        st.warning(f"{what} could not be worked out ({literal(why)}); the server's log has "
                   "the details. It is tried again when more data arrives.",
                   icon=":material/warning:")
        return
    st.info(f"{what} is being worked out now, in the background: it is shown here when it "
            "is ready (a few seconds on a large practice).", icon=":material/hourglass_top:")
    _check_back(choice)


@st.fragment(run_every=1.0)
def _check_back(choice: refresh.Choice) -> None:
    if not refresh.busy(choice):
        st.rerun()
