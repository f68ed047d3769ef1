"""Start metdash: `streamlit run serve.py` (what `make run` does).

app.py is the app; this launcher puts metdash.ui.gate's ClientGate in front of Streamlit's
server (st.App), so that a sign-in is tied to its browser by an HttpOnly cookie and uploads
and downloads are served only to signed-in sessions (see SECURITY.md).

It also spares the first visitor after a start what a page's first run in a new process
would do (benchmarks/NOTES.md, time to first content): the modules the pages use are
imported beside the server's start (metdash.ui.warmup.server), and the first request runs
app.py's navigation at once instead of the page file alone and then again through app.py.
"""

from pathlib import Path

import streamlit as st

# Streamlit checks the page icon (an emoji: app.py) against its table of emoji on a process's
# first run, and the table's module compiles one regex of every emoji (~0.1 s): loaded here,
# before the server listens, not in the first visitor's sign-in form (first visit after a
# restart: benchmarks/NOTES.md, "Twenty-seventh pass").
import streamlit.emojis  # noqa: F401
from starlette.middleware import Middleware

from metdash.coding.icd10 import code_set
from metdash.store import db as store_db
from metdash.ui import warmup
from metdash.ui.gate import ClientGate

# The ICD-10-CM code set (~2 s to parse) before the server listens, not beside the first
# visit: parsed in the warm-up thread it held the interpreter while the first visitor's page
# ran (first visit after a restart 1.9x -> 3.1x the reference). Commands load it on first use.
code_set()
# The store's handle (DuckDB's cache with it) kept between a visitor's clicks, not closed
# 2 s after each page: given back at once when another process (an import) waits for it.
store_db.hold_idle_handles(store_db.APP_IDLE_SECONDS)
warmup.no_pages_folder_routing()
warmup.no_direct_run_check()
warmup.server(Path(__file__).resolve().parent / "pages")
app = st.App("app.py", middleware=[Middleware(ClientGate)])
