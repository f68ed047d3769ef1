"""Work lists: what to do next, each list with its count in the sidebar."""

import streamlit as st

from metdash import risk, ui, worklists

db = ui.page_start("Work lists", permission="work")
as_of = ui.today()
# Ready claims are shown with their denial risk when it was asked for or the model is at
# hand (kept, or quick to learn). With the model kept they are scored beside the lists'
# queries, not after them; learning it (a first view after new data) still waits for the
# lists (its memory comes on top of theirs otherwise).
kept = risk.is_learned(db, as_of)
score = kept or bool(st.session_state.get("wl_score")) or risk.scored_at_once(db, as_of)
ahead = [(worklists.all_lists, (as_of,))]
if kept and worklists.any_ready_to_submit(db):
    ahead.append((risk.ready_with_risk, (as_of,)))
ui.prefetch(db, ahead, shared=True)
# One read for every list, kept as is (read-only here: never changed in place).
frames = ui.cached_shared(worklists.all_lists)(db, as_of)
SHOWN = worklists.ROWS_SHOWN  # rows drawn per list; the downloads hold every row

st.sidebar.markdown("**Work lists**")
for key, wl in worklists.WORKLISTS.items():
    st.sidebar.markdown(f"{wl.title}: **{len(frames[key])}**")

for key, wl in worklists.WORKLISTS.items():
    frame = frames[key]
    ask = False  # a very large practice scores its ready claims when asked (risk.py)
    if key == "ready_to_submit" and not frame.empty:  # with each claim's denial risk
        if score:
            frame = ui.cached_shared(risk.ready_with_risk)(db, as_of)
        else:
            ask = True
    with st.expander(f"{wl.title} ({len(frame)})", expanded=bool(len(frame))):
        st.caption(wl.description)
        if ask and st.button("Score these claims for denial risk", key="wl_score_go",
                             icon=":material/report:",
                             help="Learns from this practice's adjudicated claims of the last "
                                  "12 months: a few seconds on a practice this large."):
            st.session_state["wl_score"] = True
            st.rerun()
        if frame.empty:
            st.success("Nothing here.")
        else:
            action = worklists.ROW_ACTIONS[key]
            shown = ui.derived(frame, worklists.rows_shown)  # the same object on a rerun
            picked = ui.table(shown, key=f"wl_{key}", select=action.column is not None)
            row = ui.selected_row(picked, shown)
            if action.column is None:
                if st.button(action.label, key=f"go_{key}", icon=":material/arrow_forward:"):
                    ui.open_with(action.page)
            elif row is None:
                st.caption(f"Pick a row to {action.label[0].lower() + action.label[1:]}.")
            else:
                value = str(row[action.column])
                if st.button(f"{action.label}: {ui.literal(value)}", key=f"go_{key}",
                             type="primary", icon=":material/arrow_forward:"):
                    ui.open_with(action.page, tab=action.tab, tabs_key=action.tabs_key,
                                 **{action.pick: value})
            if len(frame) > SHOWN:
                st.caption(f"Showing the first {SHOWN:,} of {len(frame):,}; the downloads "
                           "below hold them all.")
            ui.downloads(frame, key, labels=ui.table_labels(frame))
