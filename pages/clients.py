"""Clients and their coverages; referrers (the NPI is looked up in the store first)."""

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from metdash import entry, privacy, statements, ui
from metdash.coding import npi_problem

db = ui.page_start("Clients & referrers", permission="front_desk")
user = ui.current_user()
payers = ui.cached(entry.choices)(db, "payers")

tab_client, tab_change, tab_cov, tab_ref = st.tabs(["New client", "Change a client",
                                                    "Add coverage", "Referrers"])

# Every field starts afresh after a save (ui.entry_form), not on a refusal: Streamlit's
# clear_on_submit empties the form whether the save was refused or not.
with tab_client, ui.entry_form("client") as form:
    c1, c2, c3 = st.columns(3)
    client_id = c1.text_input("Client id (chart number)", key="client_id")
    last = c2.text_input("Last name", key="last_name")
    first = c3.text_input("First name", key="first_name")
    # A wide range: the widget drops a date outside its own range (a future birth date was
    # then reported "missing"); the form's check says what is wrong with it instead.
    dob = c1.date_input("Date of birth", format="YYYY-MM-DD",
                        value=None, min_value=dt.date(1800, 1, 1),
                        max_value=dt.date(2199, 12, 31), key="dob")
    sex = c2.selectbox("Sex", ["", "F", "M", "U"], key="sex")
    phone = c3.text_input("Phone", key="phone")
    address = c1.text_input("Address", key="address")
    city = c2.text_input("City", key="city")
    state, zip_ = c3.columns(2)
    state = state.text_input("State", key="state")
    zip_ = zip_.text_input("ZIP", key="zip")
    st.markdown("**Primary coverage** (leave the member id empty to add it later)")
    k1, k2, k3 = st.columns(3)
    payer_label = k1.selectbox("Payer", [""] + list(payers.label), key="cov_payer")
    member = k2.text_input("Member id", key="cov_member")
    effective = k3.date_input("Effective from", format="YYYY-MM-DD",
                              value=None, key="cov_effective")
    update = st.checkbox("Update the client on file with this chart number (replaces every "
                         "detail above, empty fields included)", key="client_update")
    if st.form_submit_button("Save client", type="primary"):
        covs = []
        if member.strip() or payer_label:
            pid = (int(payers.loc[payers.label == payer_label, "payer_id"].iloc[0])
                   if payer_label else None)
            covs.append(entry.CoverageIn(client_id=client_id, payer_id=pid, member_id=member,
                                         effective_date=effective))
        with ui.action():
            entry.save_client(db, entry.ClientIn(client_id, last, first, dob, sex or None,
                                                 address, city, state, zip_, phone), user, covs,
                              new=not update)
            ui.after_write()
            ui.saved_then_fresh(f"Client {ui.literal(client_id.strip())} saved.", fresh=form)

with tab_change:
    # A client's details as on file, to put right (an address the 837P needs, a phone): the
    # New client form with "Update" replaced every detail, so each had to be typed again.
    if ui.present_mode():
        st.caption("Hidden in presentation mode: it shows the client's details.")
    elif picked := ui.client_picker(db, "Client to change", key="ch_client"):
        was = ui.cached(entry.client_on_file)(db, picked)
        with st.form(f"client_change_{picked}"):
            h1, h2, h3 = st.columns(3)
            h1.text_input("Client id (chart number)", value=picked, disabled=True)
            last = h2.text_input("Last name", value=was.last_name or "",
                                 key=f"ch_last_{picked}")
            first = h3.text_input("First name", value=was.first_name or "",
                                  key=f"ch_first_{picked}")
            dob = h1.date_input("Date of birth", format="YYYY-MM-DD", value=was.dob,
                                min_value=dt.date(1800, 1, 1), max_value=dt.date(2199, 12, 31),
                                key=f"ch_dob_{picked}")
            sexes = ["", "F", "M", "U"]
            sex = h2.selectbox("Sex", sexes, index=sexes.index(was.sex or ""),
                               key=f"ch_sex_{picked}")
            phone = h3.text_input("Phone", value=was.phone or "", key=f"ch_phone_{picked}")
            address = h1.text_input("Address", value=was.address_line1 or "",
                                    key=f"ch_address_{picked}")
            city = h2.text_input("City", value=was.city or "", key=f"ch_city_{picked}")
            st_col, zip_col = h3.columns(2)
            state = st_col.text_input("State", value=was.state or "", key=f"ch_state_{picked}")
            zip_ = zip_col.text_input("ZIP", value=was.zip or "", key=f"ch_zip_{picked}")
            if st.form_submit_button("Save the changes", type="primary"):
                with ui.action():
                    entry.save_client(db, entry.ClientIn(picked, last, first, dob, sex or None,
                                                         address, city, state, zip_, phone),
                                      user)
                    ui.after_write()
                    ui.saved_then_fresh(f"Client {ui.literal(picked)} saved. Claims already "
                                        "sent keep what they carried.")

RELATIONSHIPS = ["self", "spouse", "child", "other"]


def subscriber_fix(which: int) -> None:
    """The coverage's group number and subscriber put right, as on the card (a claim the
    payer could not match to its subscriber). Not in presentation mode: it shows the
    subscriber's name."""
    st.markdown("**Group number and subscriber, as on the card**")
    if ui.present_mode():
        st.caption("Hidden in presentation mode: it shows the subscriber's name.")
        return
    now = ui.cached(entry.coverage_subscriber)(db, which)
    s1, s2 = st.columns(2)
    group = s1.text_input("Group number (empty: none)", value=now["group_number"] or "",
                          key=f"cv_fix_group_{which}")
    rel = s2.selectbox("Client is the subscriber's", RELATIONSHIPS,
                       index=RELATIONSHIPS.index(now["relationship"]),
                       key=f"cv_fix_rel_{which}")
    last = s1.text_input("Subscriber last name", value=now["subscriber_last_name"] or "",
                         key=f"cv_fix_sub_last_{which}", disabled=rel == "self")
    first = s2.text_input("Subscriber first name", value=now["subscriber_first_name"] or "",
                          key=f"cv_fix_sub_first_{which}", disabled=rel == "self")
    if st.button("Correct the group and subscriber", key=f"cv_fix_sub_go_{which}"):
        with ui.action():
            changed = entry.correct_subscriber(
                db, which, user, group_number=group, relationship=rel,
                subscriber_last_name=last, subscriber_first_name=first)
            ui.after_write()
            st.session_state["cv_said"] = (f"Changed: {', '.join(changed)}. Claims "
                                           "already sent keep what they carried; correct "
                                           "them with a replacement (Claims → Correct / "
                                           "void).")
            st.rerun()


with tab_cov:
    cid = ui.client_picker(db, "Client", key="cv_client")
    if said := st.session_state.pop("cv_said", None):  # a change, with the list as it is now
        st.success(said)
    on_file = ui.cached(entry.client_coverages)(db, cid) if cid else None
    if on_file is not None and not on_file.empty:
        # A change of insurance: end the old coverage, then add the new one below.
        st.markdown("**The client's coverages**")
        ui.table(on_file.drop(columns=["coverage_id"]), key="cv_on_file",
                 formats={"effective_date": "date", "end_date": "date", "claims": "count"},
                 labels={"end_date": "Ends on", "effective_date": "Effective from"})
        if two := ui.cached(entry.overlapping_primaries)(db, cid):
            st.warning(two, icon=":material/warning:")
        # In presentation mode a member id keeps its last two characters (privacy.mask_text).
        shown = (partial(privacy.mask_text, kind="member_id") if ui.present_mode()
                 else str)
        names = {r.coverage_id: f"{r.payer} {shown(r.member_id)} ({r.priority}, from "
                 f"{r.effective_date:%Y-%m-%d}"
                 + (f" to {r.end_date:%Y-%m-%d}" if pd.notna(r.end_date) else "")
                 + f"; coverage {r.coverage_id})" for r in on_file.itertuples()}
        with st.expander("End a coverage, or correct it"):
            which = st.selectbox("Coverage", list(names), format_func=names.get,
                                 key="cv_change")
            e1, e2 = st.columns(2)
            last_day = e1.date_input("Its last day", format="YYYY-MM-DD", value=None,
                                     key="cv_last_day")
            if e1.button("End the coverage", key="cv_end_go", disabled=last_day is None):
                with ui.action():
                    entry.end_coverage(db, int(which), last_day, user)
                    ui.after_write()
                    st.session_state["cv_said"] = f"Coverage ended on {last_day:%Y-%m-%d}."
                    st.rerun()
            fixed = e2.text_input("Member id as on the card", key="cv_fix_member")
            if e2.button("Correct the member id", key="cv_fix_go", disabled=not fixed.strip()):
                with ui.action():
                    kept = entry.correct_member_id(db, int(which), fixed, user)
                    ui.after_write()
                    st.session_state["cv_said"] = f"Member id is now {ui.literal(shown(kept))}."
                    st.rerun()
            subscriber_fix(int(which))
with tab_cov, ui.entry_form("coverage") as cov_form:
    c1, c2 = st.columns(2)
    payer_label = c2.selectbox("Payer", [""] + list(payers.label), key="cv_payer")
    member = c1.text_input("Member id", key="cv_member")
    group = c2.text_input("Group number", key="cv_group")
    effective = c1.date_input("Effective from", format="YYYY-MM-DD", value=None, key="cv_effective")
    end = c2.date_input("Ends on (empty when open)", format="YYYY-MM-DD", value=None, key="cv_end")
    priority = c1.selectbox("Priority", ["primary", "secondary", "tertiary"], key="cv_priority")
    relationship = c2.selectbox("Client is the subscriber's", ["self", "spouse", "child", "other"],
                                key="cv_relationship")
    sub_last = c1.text_input("Subscriber last name (when not self)", key="cv_sub_last")
    sub_first = c2.text_input("Subscriber first name", key="cv_sub_first")
    if st.form_submit_button("Add coverage", type="primary"):
        pid = int(payers.loc[payers.label == payer_label, "payer_id"].iloc[0]) if payer_label else None
        with ui.action():
            entry.save_coverage(db, entry.CoverageIn(cid, pid, member, effective, end, group,
                                                     relationship, priority, sub_last, sub_first),
                                user)
            ui.after_write()
            # The form starts afresh (its payer, member id and dates went on to the next
            # coverage added); the client stays.
            ui.saved_then_fresh("Coverage added.", fresh=cov_form)

def _npi_to_form() -> None:
    """The NPI looked up fills the form's NPI box (a box with a key keeps its own state, so
    passing it a new value does not)."""
    st.session_state["ref_npi"] = st.session_state.get("ref_lookup", "").strip()


with tab_ref:
    npi = st.text_input("Look up a referrer by NPI", key="ref_lookup", max_chars=10,
                        on_change=_npi_to_form)
    if npi.strip():
        with db.connect() as con:
            found = entry.find_referrer(con, npi)
        if found:
            st.success(f"On file: {ui.literal(found['name'])} ({ui.literal(found['kind'])}), "
                       f"referrer #{found['referrer_id']}.")
        else:
            problem = npi_problem(npi, "NPI")
            st.warning(ui.literal(problem or f"NPI {npi.strip()} is not on file yet: add it "
                                              "below."))
    with ui.entry_form("referrer") as form:
        c1, c2 = st.columns(2)
        r_npi = c1.text_input("NPI", key="ref_npi")
        r_name = c2.text_input("Name ('Last, First' or organization)", key="ref_name")
        r_kind = c1.selectbox("Kind", list(entry.REFERRER_KINDS), key="ref_kind")
        r_spec = c2.text_input("Specialty", key="ref_specialty")
        r_org = c1.text_input("Organization", key="ref_org")
        if st.form_submit_button("Add referrer", type="primary"):
            with ui.action():
                entry.save_referrer(db, entry.ReferrerIn(r_npi, r_name, r_kind, r_spec, r_org), user)
                ui.after_write()
                # The lookup and the form start afresh: "not on file yet" stayed beside
                # "added" (a new-user trial).
                ui.saved_then_fresh(f"Referrer {ui.literal(r_name.strip())} added.",
                                    fresh=form, reset={"ref_lookup": ""})
    ui.table(ui.cached(entry.choices)(db, "referrers").drop(columns=["label"]))

st.subheader("Clients")
find = st.text_input("Find a client by chart number or last name", key="find_client")
listed = ui.cached(entry.client_list)(db, find)
chosen = ui.selected_row(ui.table(listed, key="client_list", select=True), listed)
st.caption("Up to 500 clients by name; type above to narrow. Pick a client for their "
           "statement.")
if chosen is not None:
    on = ui.today()
    # Drawn when clicked, outside this run: the client, the date and presentation mode are
    # fixed now.
    st.download_button(
        f"Statement (PDF) for client {ui.literal(chosen.client_id)}",
        partial(statements.client_statement_pdf, db, chosen.client_id, on,
                present=ui.present_mode()),
        file_name=statements.file_name(chosen.client_id, on), mime="application/pdf",
        key="statement_pdf", on_click="ignore", icon=":material/description:",
        help=f"What the client owes as of today ({on:%b %d, %Y}), what insurance paid, and "
             "how to pay (masked in presentation mode).")
