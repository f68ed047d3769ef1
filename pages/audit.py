"""The audit log: who changed what, when, before and after (owner only)."""

import streamlit as st

from metdash import ui
from metdash.auditlog import audit_choices, audit_entries, readable
from metdash.privacy import mask_audit

db = ui.page_start("Audit log", permission="owner")
choices = audit_choices(db)
st.caption("Every create, change, status move, void, import and sign-in, with the values "
           "before and after. Newest first. In presentation mode the names, birth dates, "
           "member ids and contact details in those values are masked, here and in the "
           "downloads.")
left, mid, right = st.columns(3)
users = left.multiselect("User", choices["users"], placeholder="All users", key="w_audit_users")
tables = mid.multiselect("Table", choices["tables"], placeholder="All tables",
                         key="w_audit_tables")
actions = right.multiselect("Action", choices["actions"], placeholder="All actions",
                            key="w_audit_actions")
today = ui.today()
span = st.date_input("Changed between", value=(choices["first"] or today, today),
                     format="YYYY-MM-DD", key="w_audit_dates")
date_from, date_to = (span if isinstance(span, tuple | list) and len(span) == 2
                      else (None, None))
log = audit_entries(db, users=users, tables=tables, actions=actions, date_from=date_from,
                    date_to=date_to)
if ui.present_mode():
    log = mask_audit(log)
if log.empty:
    st.info("No audit entries match these filters.", icon=":material/filter_alt_off:")
else:
    st.write(f"{len(log):,} entries")
    # On screen as words ("status: draft · note: …", "—" for none); the download keeps the
    # JSON as recorded.
    shown = log.assign(before=log.before.map(readable), after=log.after.map(readable))
    st.dataframe(shown, hide_index=True, key="audit_table", column_config={
        "audit_id": st.column_config.NumberColumn("#", format="%d"),
        "changed_at": st.column_config.DatetimeColumn("Changed at",
                                                      format="YYYY-MM-DD HH:mm:ss"),
        "user_name": "User", "action": "Action", "table_name": "Table",
        "record_key": "Record", "before": "Before", "after": "After"})
    ui.downloads(log, "audit_log")
