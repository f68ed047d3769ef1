"""Start metdash: `streamlit run serve.py` (what `make run` does).

app.py is the app; this launcher puts metdash.ui.gate's ClientGate in front of Streamlit's
server (st.App), so that a sign-in is tied to its browser by an HttpOnly cookie and uploads
and downloads are served only to signed-in sessions (see SECURITY.md).
"""

import streamlit as st
from starlette.middleware import Middleware

from metdash.ui.gate import ClientGate

app = st.App("app.py", middleware=[Middleware(ClientGate)])
