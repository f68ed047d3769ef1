"""Work lists: what to do next, each list with its count in the sidebar."""

import streamlit as st

from metdash import ui, worklists

db = ui.page_start("Work lists", permission="work")
as_of = ui.today()
frames = {key: ui.cached(wl.fn)(db, as_of) for key, wl in worklists.WORKLISTS.items()}

st.sidebar.markdown("**Work lists**")
for key, wl in worklists.WORKLISTS.items():
    st.sidebar.markdown(f"{wl.title}: **{len(frames[key])}**")

for key, wl in worklists.WORKLISTS.items():
    frame = frames[key]
    with st.expander(f"{wl.title} ({len(frame)})", expanded=bool(len(frame))):
        st.caption(wl.description)
        if frame.empty:
            st.success("Nothing here.")
        else:
            ui.table(frame, key=f"wl_{key}")
            ui.downloads(frame, key)
