"""What the browser can load while a person types their password.

Streamlit's front end loads the code of most elements only when a page first draws one: the
metric tiles, the sidebar's date, period and payer pickers, the tables (~1.3 MB with their
helpers) and, above all, plotly (a 4.7 MB script to fetch, compile and run). A new browser
session met all of them at once, right after "Sign in", on the first page it opened: most
of the wait for a dashboard's first figure (benchmarks/ttfc.py, benchmarks/NOTES.md).

:func:`front_end` asks the browser to load those modules, one after another, while the
sign-in form waits for a name and a password: when the page then draws its first tile or
chart, its code is already there. The script is a constant of this module (the installed
Streamlit's own file names, read from its static folder); nothing in it comes from the
store, the session or the request, and it shows nothing.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import importlib
import json
import logging
import re
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

# The front end's modules a page needs for what it shows first, in the order they are
# loaded: tiles, the sidebar's pickers and its sign-out button, tables and their download
# buttons, segmented controls, number boxes, file uploaders, text areas and sliders, the
# component that says a page is painted (metdash.ui.later), the markdown's HTML plug-in
# (rehype-raw: every page starts with a style element written as markdown with HTML, and the
# plug-in, with the two modules it imports, was fetched after "Sign in" on every page: about
# 40 ms of the wait for the first figure, benchmarks/NOTES.md "Twenty-seventh pass"), then
# plotly. Each of them was fetched after "Sign in" while the page waited, until named here
# (benchmarks/NOTES.md, "Sixteenth pass"). Plotly comes last: running its 4.7 MB holds the
# browser's main thread for a second or more on a busy machine, and it must not delay the
# others. Loaded with no
# pause at all before the click (a script typing the password at once), its run fell on the
# moment the page's tiles were to be painted; with a person's typing time it is done before
# the click (benchmarks/NOTES.md).
MODULES = ("Metric", "Selectbox", "DateInput", "Multiselect", "Checkbox", "Button",
           "DataFrame", "DownloadButton", "ButtonGroup", "NumberInput", "FileUploader",
           "TextArea", "Slider", "BidiComponent", "rehype-raw", "PlotlyChart")

AFTER = 'input[autocomplete="current-password"]'  # the sign-in form's password box

_STATIC = Path(st.__file__).parent / "static" / "static" / "js"
_FILE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z-]*)\.[A-Za-z0-9_-]+\.(?P<kind>js|css)$")


@functools.cache
def module_files(static: Path = _STATIC) -> tuple[str, ...]:
    """The file names (``PlotlyChart.D9Z0_fxz.js``) of :data:`MODULES` in the installed
    Streamlit, in that order; a module this Streamlit does not have is left out."""
    return _files(static, "js")


@functools.cache
def style_files(static: Path = _STATIC.parent / "css") -> tuple[str, ...]:
    """The style sheets (``DataFrame.DUkanX9_.css``) of :data:`MODULES`: the page loads one
    before it draws the first element that needs it, and an ``import()`` does not."""
    return _files(static, "css")


def _files(folder: Path, kind: str) -> tuple[str, ...]:
    found: dict[str, str] = {}
    try:
        for path in folder.iterdir():
            m = _FILE.match(path.name)
            if m and m["kind"] == kind and m["name"] in MODULES:
                found[m["name"]] = path.name
    except OSError:
        return ()
    return tuple(found[name] for name in MODULES if name in found)


def script(files: tuple[str, ...], styles: tuple[str, ...] = ()) -> str:
    """The browser script importing ``files`` one by one, from the folder Streamlit's own
    entry module came from (so each resolves to the very module the page later imports),
    after linking the style sheets ``styles`` from its ``css`` neighbour (at the address
    the page's own loader would use, which then finds them there and waits for nothing)."""
    return (
        "<script>(() => {"
        "const entry = document.querySelector('script[type=module][src*=\"static/js/\"]');"
        "if (!entry || window.__metdashWarm) return; window.__metdashWarm = true;"
        f"const files = {json.dumps(list(files))};"
        "const base = new URL('.', entry.src);"
        f"const styles = {json.dumps(list(styles))};"
        "const link = (name) => { const l = document.createElement('link');"
        " l.rel = 'stylesheet'; l.href = new URL('../css/' + name, base).href;"
        " document.head.appendChild(l); };"
        "const next = (i) => { if (i === 0) styles.forEach(link);"
        " if (i >= files.length) return;"
        " import(new URL(files[i], base).href).catch(() => {}).finally(() => "
        "  setTimeout(() => next(i + 1), 0)); };"
        # Started once the password box is on screen and the browser is idle: the form
        # itself comes first (its own modules load on demand too).
        "const idle = window.requestIdleCallback || ((f) => setTimeout(f, 300));"
        f"const ready = (n) => document.querySelector({json.dumps(AFTER)})"
        " ? idle(() => next(0), {timeout: 1000}) : n > 0 && setTimeout(() => ready(n - 1), 100);"
        "ready(100);"
        "})();</script>"
    )


def front_end() -> None:
    """Have the browser load the modules of :data:`MODULES` now, in the background (once
    per browser tab)."""
    files = module_files()
    if files:
        st.html(script(files, style_files()), unsafe_allow_javascript=True, width="content")


# -- the elements' code, run once ---------------------------------------------------------
ELEMENTS_KEY = "metdash_warm"  # the hidden container's key (its class: st-key-metdash_warm)


def elements() -> None:
    """Draw one element of each kind the pages draw in their first frame, hidden and
    disabled, so that the front end has run each kind's code once before "Sign in".

    Streamlit's front end draws each kind of element through a lazily loaded component.
    Loading its module ahead (:func:`front_end`) is not all: a browser tab's first draw of
    a kind costs more than the next (React's lazy component settles its module's promise
    and draws again; the component's code runs for the first time). After "Sign in" that
    fell on every kind the sign-in form had not drawn (tiles, tables, pickers, date and
    number boxes) on the way to the page's first figure: drawn here first, Sessions came
    ~90 ms sooner, Overview ~35 (benchmarks/NOTES.md, "Twenty-eighth pass"). Drawn once the
    sign-in form is painted (:func:`metdash.ui.later.once_painted`), while a password is
    typed. Nothing is shown (the container is ``display: none``: no screen reader or Tab key
    meets it either), nothing is read from the store, and the download button has no file
    (nothing is asked of the server before its click).
    """
    st.html(f"<style>.st-key-{ELEMENTS_KEY}{{display:none!important}}</style>")
    day = dt.date(2000, 1, 3)
    with st.container(key=ELEMENTS_KEY):
        # Labels shown (in the hidden box): a widget's label and its help icon are drawn
        # by components of their own.
        hidden = {"disabled": True, "help": "A box."}
        st.metric("Tile", "$1", "+$1", border=True, help="A tile.")
        st.subheader("Heading", help="A heading with help.")
        st.dataframe(pd.DataFrame({"a": [1.5], "b": ["x"]}), hide_index=True)
        st.table(pd.DataFrame({"a": [1]}))
        st.selectbox("Pick", ["a", "b"], **hidden)
        st.multiselect("Pick some", ["a", "b"], **hidden)
        st.date_input("Day", value=day, format="YYYY-MM-DD", **hidden)
        st.date_input("Days", value=(day, day), format="YYYY-MM-DD", **hidden)
        st.number_input("Number", **hidden)
        st.text_area("Text", **hidden)
        st.checkbox("Check", **hidden)
        st.toggle("Switch", **hidden)
        st.radio("Choose", ["a", "b"], **hidden)
        st.segmented_control("Segment", ["a", "b"], **hidden)
        st.slider("Slide", 0, 2, **hidden)
        st.button("Button", disabled=True)
        st.download_button("Download", lambda: b"", disabled=True)
        st.tabs(["Tab"])
        st.expander("More")
        st.info("Note")


# -- the server process -----------------------------------------------------------------
def page_imports(pages: Path) -> list[str]:
    """The modules the page files in ``pages`` import (``metdash.charts`` for ``from
    metdash import charts``), each once, in the order first met."""
    names: dict[str, None] = {}
    for path in sorted(pages.glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names.update({a.name: None for a in node.names})
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
                names.update({f"{node.module}.{a.name}": None for a in node.names})
    return list(names)


def _warm(pages: Path) -> None:
    for name in page_imports(pages):
        try:
            importlib.import_module(name)
        except ImportError:  # a name imported from a module, not a module
            pass
    import plotly.graph_objects as go

    go.Figure(layout={"template": "plotly"})  # plotly builds its default template once


def server(pages: Path) -> threading.Thread:
    """Start, beside the server's start, what the first page run of a new process would
    otherwise do while its visitor waits: import every module the pages use (plotly's
    figures, the X12 readers, the workshop) and build plotly's default template. The
    first visit after a restart then runs the page alone. Returns the (daemon) thread."""

    def run() -> None:
        try:
            _warm(pages)
        except Exception:  # never worse than not warming: the page imports it itself
            logging.getLogger("metdash").exception("Warming up the server failed")

    thread = threading.Thread(target=run, name="metdash-warmup", daemon=True)
    thread.start()
    return thread


def no_pages_folder_routing() -> None:
    """Tell Streamlit, before its first run, that app.py routes with ``st.navigation``.

    Until the main script has called ``st.navigation`` once in the process, Streamlit treats
    an app beside a ``pages/`` folder as an old-style multipage app: a server's first request
    ran the page file alone, then :func:`metdash.ui.frame.page_start` ran it again through
    app.py (``_route_through_app``). ``st.navigation`` sets this same flag at its first call.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the flag routes by app.py
        return
    PagesManager.uses_pages_directory = False


def no_direct_run_check() -> None:
    """Tell Streamlit, before its first run, that this process is its server.

    The first element a process draws asks whether Streamlit runs outside ``streamlit run``
    (to print a warning once): ``inspect.stack()`` over the script thread's frames, each
    frame's module looked up among every loaded module. With the ~1,900 modules the pages
    import, that took 133 ms of the first visit after a restart, on the sign-in form's
    title (benchmarks/NOTES.md, "Twenty-fifth pass"). serve.py is always run by
    ``streamlit run``, so that warning never applies here.
    """
    try:
        from streamlit import delta_generator
    except ImportError:  # pragma: no cover
        return
    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True
