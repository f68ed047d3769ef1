"""Sessions: minutes per procedure code, with the units as the client's payer will be billed.

The minutes sit outside a form so the billable units update as they are typed.
"""

import pandas as pd
import streamlit as st

from metdash import entry, ui
from metdash.coding import pos, untimed_codes

db = ui.page_start("Sessions", permission="front_desk")
user = ui.current_user()
providers = ui.cached(entry.choices)(db, "providers")
codes = ui.cached(entry.code_list)(db)

# The fields of one session, the client's own: they start afresh when another client is
# picked (minutes typed for one client were saved for the next one picked: a new-user
# trial); minutes typed before any client is picked stay.
OWN = ["kind", "referral", "notes", *(f"min_{c}" for c in codes)]
# Kept after a save for the next session (a day's sessions share them), and said so.
KEPT = ["provider", "date", "place"]

c1, c2, c3 = st.columns(3)
client_id = ui.client_picker(db, "Client", key="client", container=c1)
if st.session_state.get("sessions_client") not in ("", None, client_id):
    ui.set_afresh(ui.defaults_of(OWN))  # from one client to another (not from none)
st.session_state["sessions_client"] = client_id
with ui.entry_fields() as fields:
    prov = c2.selectbox("Provider", [""] + list(providers.label), key="provider")
    day = c3.date_input("Date", format="YYYY-MM-DD", value=ui.today(), key="date")
    kind = c1.selectbox("Kind", list(entry.SESSION_KINDS), index=1, key="kind",
                        format_func=ui.words)
    refs = ui.cached(entry.client_referrals)(db, client_id)
    ref = c2.selectbox("Referral", ["(none)"] + list(refs.label), key="referral",
                       help="Each referral by the date it was received, its referrer and "
                            "its diagnoses.")
    notes = c3.text_input("Notes", key="notes")
    places = [*pos.POS_CHOICES, *(c for c in pos.POS_CODES if c not in pos.POS_CHOICES)]
    place = c1.selectbox("Place of service", places, format_func=pos.pos_label, key="place",
                         help="Where the session happened: it goes on the claim line. "
                              "Telehealth lines get the modifier the payer wants (Settings → "
                              "Clearinghouse).")
    kept = st.session_state.get("sessions_kept")
    if kept and kept[1] == (client_id, prov, day, place):
        st.info(f"Kept from session {kept[0]}: the client, provider, date and place. Change "
                "them if this session differs.", icon=":material/history:")

    st.markdown("**Minutes per procedure code**")
    minutes: dict[str, int] = {}
    cols = st.columns(4)
    for i, (code, info) in enumerate(sorted(codes.items())):
        # No maximum on the box: it dropped 600 without a word, and the save then said "no
        # minutes entered" (a new-user trial); the save refuses it by name instead.
        minutes[code] = int(cols[i % 4].number_input(
            f"{code} {'(timed)' if info.timed else '(untimed: 1 unit)'}", min_value=0,
            step=1, key=f"min_{code}",
            help=ui.literal(info.description) + ("" if info.timed else (
                ": billed per visit, not by time. Enter the minutes it took (they are kept "
                "with the session); any minutes bill 1 unit, and they do not count toward "
                "the day's timed minutes."))))
entered = {k: v for k, v in minutes.items() if v > 0}
too_many = entered and entry.minutes_problems(entered)
for problem in too_many or ():
    st.warning(ui.literal(problem))
if entered and not too_many:
    with db.connect() as con:
        day_units = entry.session_units(con, client_id, entered, day)
    rule_name = "CMS 8-minute rule" if day_units.rule == "cms" else "per-code rule"
    others = (f" with the client's {day_units.other_sessions} other session(s) that day"
              if day_units.other_sessions else "")
    payer = ui.literal(day_units.payer or "a CMS-rule payer (no coverage on file)")
    st.caption(f"Units for {day}{others} (the rule counts the client's whole day), as billed "
               f"to {payer} under the {rule_name}:")
    units = day_units.units
    untimed = untimed_codes(codes)
    ui.table(pd.DataFrame({"cpt": list(units), "minutes": [day_units.minutes[c] for c in units],
                           "units": list(units.values()),
                           "billable": [("yes (untimed: 1 unit a visit)" if c in untimed
                                         else "yes") if u else "not billable"
                                        for c, u in units.items()]}),
             key="units_table")

pid = int(providers.loc[providers.label == prov, "provider_id"].iloc[0]) if prov else None
rid = int(refs.loc[refs.label == ref, "referral_id"].iloc[0]) if ref != "(none)" else None
new = entry.SessionIn(client_id, pid, day, kind, entered, rid, notes, place)


def save() -> None:
    with ui.action():
        sid = entry.save_session(db, new, user)
        ui.after_write()
        # The session's own fields start afresh (a second click saved the same session
        # again, and the units preview still showed the saved one: a new-user trial); the
        # client, provider, date and place stay for the next session, and the page says so.
        st.session_state["sessions_kept"] = (sid, (client_id, prov, day, place))
        ui.saved_then_fresh(f"Session {sid} saved.", "duplicate_of", fresh=fields, keep=KEPT)


if st.button("Save session", type="primary", key="save"):
    with db.connect() as con:
        question = entry.duplicate_session_warning(con, new)
    if question:  # asked, not refused: two identical sessions in one day can be real
        st.session_state["duplicate_of"] = (new, question)
    else:
        save()
# The question stands while the form is as it was asked about; any change asks afresh.
asked = st.session_state.get("duplicate_of")
if asked and asked[0] == new:
    st.warning(ui.literal(asked[1]), icon=":material/content_copy:")
    if st.button("Save it anyway", key="save_duplicate"):
        save()
elif asked:
    del st.session_state["duplicate_of"]

st.subheader("Recent sessions")
ui.table(ui.cached(entry.recent_sessions)(db), key="recent_sessions")
st.caption("The 200 newest sessions.")
