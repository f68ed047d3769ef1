"""Work lists: what to do next, each list with its count in the sidebar.

Only an open list is drawn (its expander tracks its state: opening one reruns the page). The
first list with rows is open on a first visit; after a row's action, the lists open when it
was clicked are open again on the way back."""

import streamlit as st

from metdash import refresh, risk, ui, worklists

db = ui.page_start("Work lists", permission="work")
as_of = ui.today()
# One read for every list, kept as is (read-only here: never changed in place).
ui.prefetch(db, [(worklists.all_lists, (as_of,))], shared=True)
frames = ui.cached_shared(worklists.all_lists)(db, as_of)
SHOWN = worklists.ROWS_SHOWN  # rows drawn per list; the downloads hold every row

back = st.session_state.get("_wl_back")  # lists open when a row's action was clicked
first = next((key for key, frame in frames.items() if len(frame)), None)
default_open = set(back) if back is not None else {first}


def is_open(key: str) -> bool:
    """Whether ``key``'s list is open in this run (before its expander is drawn)."""
    return bool(st.session_state.get(f"wl_open_{key}", key in default_open))


# Ready claims are shown with their denial risk when it was asked for or the model is at
# hand (kept, or quick to learn). With the model kept they are scored beside the lists'
# queries, not after them; learning it (a first view after new data) waits until the list
# is opened, and runs in the background (metdash.refresh): the list is shown meanwhile.
ready_open = is_open("ready_to_submit") and not frames["ready_to_submit"].empty
# After new remittances the last model scores them while the new one is learned (refresh).
model = refresh.risk_model(db, as_of, learn=False) if ready_open else refresh.Choice(None)
kept = model.key is not None and risk.learned_under(db, model.key)
wanted = kept or (ready_open and model.job is None and bool(
    st.session_state.get("wl_score") or risk.scored_at_once(db, as_of)))
if wanted and not kept:
    model = refresh.risk_model(db, as_of)   # learned in the background: the list meanwhile
if kept:
    ui.prefetch(db, [(risk.ready_with_risk, (as_of, model.key))], shared=True)

st.sidebar.markdown("**Work lists**")
for key, wl in worklists.WORKLISTS.items():
    st.sidebar.markdown(f"{wl.title}: **{len(frames[key]):,}**")
st.caption("Open a list to work it; each count is also in the sidebar.")

for key, wl in worklists.WORKLISTS.items():
    frame = frames[key]
    box = st.expander(f"{wl.title} ({len(frame):,})", expanded=key in default_open,
                      key=f"wl_open_{key}", on_change="rerun")
    if not box.open:
        continue
    with box:
        ask = False  # a very large practice scores its ready claims when asked (risk.py)
        if key == "ready_to_submit" and not frame.empty:  # with each claim's denial risk
            if model.key is None and model.job is not None:   # learned for the first time
                ui.pending(model, "Each claim's denial risk")
            elif wanted:
                frame = ui.cached_shared(risk.ready_with_risk)(db, as_of, model.key)
                ui.refreshing(model, "The denial risks in this list")
            else:
                ask = True
        st.caption(wl.description)
        if ask and st.button("Score these claims for denial risk", key="wl_score_go",
                             icon=":material/report:",
                             help="Learns from this practice's adjudicated claims of the last "
                                  "12 months: a few seconds on a practice this large."):
            st.session_state["wl_score"] = True
            st.rerun()
        if frame.empty:
            st.success("Nothing here.")
            continue
        action = worklists.ROW_ACTIONS[key]
        shown = ui.derived(frame, worklists.rows_shown)  # the same object on a rerun
        picked = ui.table(shown, key=f"wl_{key}", select=action.column is not None)
        row = ui.selected_row(picked, shown)
        opened = {k for k in worklists.WORKLISTS if is_open(k)}
        if action.column is None:
            if st.button(action.label, key=f"go_{key}", icon=":material/arrow_forward:"):
                st.session_state["_wl_back"] = opened
                ui.open_with(action.page)
        elif row is None:
            st.caption(f"Pick a row to {action.label[0].lower() + action.label[1:]}.")
        else:
            value = str(row[action.column])
            if st.button(f"{action.label}: {ui.literal(value)}", key=f"go_{key}",
                         type="primary", icon=":material/arrow_forward:"):
                st.session_state["_wl_back"] = opened
                ui.open_with(action.page, tab=action.tab, tabs_key=action.tabs_key,
                             **{action.pick: value})
        if len(frame) > SHOWN:
            st.caption(f"Showing the first {SHOWN:,} of {len(frame):,}; the downloads "
                       "below hold them all.")
        ui.downloads(frame, key, labels=ui.table_labels(frame))
