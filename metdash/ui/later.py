"""Charts after the figures: when a page is opened, its tiles and tables are painted first
and its charts follow a moment later.

A browser draws a plotly chart in ~100 ms of main-thread work (more on a busy machine), in
the same frame as everything else the page sent: Days to payment, with four charts, showed
nothing at all, not even its first table, until all four were drawn (benchmarks/NOTES.md,
"Sixteenth pass"). So when a page is *opened* (its first run in this browser tab since
another page was shown, the sign-in included), each chart's place is held by an empty box
of the chart's height. A small component in the box tells the server once the browser has
painted, and the chart's fragment then runs again and draws the chart in its box. A rerun
of the same page (a filter changed) draws its charts in place, as before: the old chart
stays until the new one replaces it.

Without a browser (AppTest: no request headers) charts are drawn at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

_OPENING = "_later_opening"  # this run opens the page: its number; else None
_COUNT = "_later_count"  # page openings in this session
_SHOWN = "_later_page"  # the page shown last
_DRAWN = "_later_drawn"  # {chart key: the opening it was drawn for}
_TABLES = "_later_tables"  # tables met in this full run of the page

BOX_KEY = "metdash_later"  # the boxes' key prefix: a browser test waits for none to be left

# The box reads as a chart to come: a pale block of the chart's size.
_PAINTED_HTML = '<div class="chart-to-come"></div>'
_PAINTED_CSS = ".chart-to-come { border-radius: 0.5rem; background: rgba(128, 128, 128, 0.08); }"

# Once the browser has painted what it holds (two animation frames: the frame with the box,
# then the next), say so to the server. The front end sends the triggers set in one task as
# one message, for one fragment only (the other charts were never drawn), so each box's
# trigger waits for the one before it to be sent (a timer after it, as the front end's own).
# A box still there a while later says so again, each in a task of its own, until its chart
# replaces it: under load a signal could still be lost (a chart of Payer scorecards stayed a
# pale box until the next rerun), and nothing else would ever draw that chart.
_PAINTED_JS = """
export default function (component) {
  const { setTriggerValue, parentElement, data } = component;
  const block = parentElement.querySelector(".chart-to-come");
  if (block && data && data.height) block.style.height = `${data.height}px`;
  const say = () => { try { setTriggerValue("painted", true); } catch (e) { /* unmounted */ } };
  // A box gone before its turn (another page opened) neither stops nor breaks the chain.
  const after = window.__metdashPainted || Promise.resolve();
  window.__metdashPainted = after.then(() => new Promise((done) => {
    requestAnimationFrame(() => requestAnimationFrame(() => { say(); setTimeout(done, 0); }));
  }));
  const turn = window.__metdashBoxes = (window.__metdashBoxes || 0) + 1;
  const again = (tries) => setTimeout(() => {
    if (!parentElement.isConnected || !parentElement.querySelector(".chart-to-come")) return;
    say();
    if (tries > 1) again(tries - 1);
  }, AGAIN_MS + 97 * (turn % 16));
  again(8);
}
"""
AGAIN_MS = 2500  # a box still there this long after it was drawn says it is painted again
_PAINTED_JS = _PAINTED_JS.replace("AGAIN_MS", str(AGAIN_MS))
_painted: Callable[..., Any] | None = None


def _component() -> Callable[..., Any]:
    global _painted
    if _painted is None:  # registered once per process, on first use
        _painted = st.components.v2.component("metdash_painted", html=_PAINTED_HTML,
                                              css=_PAINTED_CSS, js=_PAINTED_JS)
    return _painted


def in_browser() -> bool:
    """True when a browser asked for this run (AppTest sends no headers)."""
    return bool(st.context.headers)


def note_page(page: str) -> None:
    """Called once in each full run of a signed-in page: record whether this run opens
    ``page`` (its first run since another page was shown)."""
    state = st.session_state
    opens = state.get(_SHOWN) != page and in_browser()
    state[_SHOWN] = page
    if opens:
        state[_COUNT] = state.get(_COUNT, 0) + 1
    state[_OPENING] = state[_COUNT] if opens else None
    state[_TABLES] = 0


def table_waits(key: str, picked: bool = False) -> str | None:
    """The key to hold a table about to be drawn by (its :func:`draw` key), or None to draw
    it at once: a page just opened draws its first table with its tiles, and the rest once
    the browser has painted them (all together, seven tables held Weekly referral review's
    tiles back ~150 ms of the browser's work: benchmarks/NOTES.md, "Twenty-second pass").
    A table whose row is ``picked`` (it drives what the page shows next) is drawn at once,
    and so is any table drawn in a fragment's own run."""
    state = st.session_state
    seen = state.get(_TABLES, 0)
    state[_TABLES] = seen + 1
    ctx = get_script_run_ctx()
    if picked or not seen or state.get(_OPENING) is None or (
            ctx is not None and ctx.fragment_ids_this_run):
        return None
    return f"table_{seen}_{key}"


def draw(show: Callable[[], None], key: str, height: int,
         held: Callable[[], None] | None = None) -> None:
    """``show()`` draws a chart: at once, or, when this run opens the page, once the browser
    has painted the rest (in a box ``height`` pixels tall until then). ``held``: what the
    box's fragment draws then instead of ``show`` (also on the fragment's own reruns, as
    when a widget drawn in it changes); by default ``show``.

    A page's lower section with widgets of its own is drawn so too (``ui.after_paint``): it
    runs in a fragment then, so a change to one of its widgets runs the section again, not
    the page, and ``show`` must draw all that its widgets drive. Payer scorecards' card of
    one payer (a picker, twelve tiles, a PDF button, two charts and three tables) drawn with
    the comparison table held it back ~130 ms of the browser's work (benchmarks/NOTES.md,
    "Twenty-third pass")."""
    opening = st.session_state.get(_OPENING)
    if opening is None:
        show()
    else:
        _after_paint(held or show, key, height, opening)


def once_painted(show: Callable[[], None], key: str) -> None:
    """``show()`` drawn once the browser has painted what this run drew before it, in
    any run (not only a page's opening), with no box in its place meanwhile; once drawn in
    this session, at once on later runs. Without a browser (AppTest) nothing is painted,
    so nothing is drawn. The sign-in form draws the elements' code so
    (:func:`metdash.ui.warmup.elements`)."""
    if in_browser():
        _after_paint(show, key, 0, 0)


@st.fragment
def _after_paint(show: Callable[[], None], key: str, height: int, opening: int) -> None:
    drawn = st.session_state.setdefault(_DRAWN, {})
    if drawn.get(key) == opening:
        show()
        return
    # No height: a box that takes no room (the component's block is left without a size).
    with st.container(height=height or "content", border=False,
                      key=f"{BOX_KEY}_{key}_{opening}"):
        _component()(key=f"_painted_{key}_{opening}",
                     data={"height": max(height - 16, 0)},
                     on_painted_change=lambda: drawn.__setitem__(key, opening))

