"""Referrals: who sent the client, for which diagnoses, for how many visits, until when; and
the client's plans of care (the certifying physician, the 90 days, the signature)."""

import re

import streamlit as st

from metdash import entry, ui
from metdash.coding import describe

db = ui.page_start("Referrals", permission="front_desk")
user = ui.current_user()
referrers = ui.cached(entry.choices)(db, "referrers")
if referrers.empty or ui.cached(entry.find_clients)(db, "").empty:
    st.info("Add a client and a referrer on the Clients page first.")

cid = ui.client_picker(db, "Client", key="client")
# Every field starts afresh after a save (an expiry typed during a refused attempt stayed
# through three later referrals, stored with it: a new-user trial); the client stays.
with ui.entry_form("referral") as form:
    c1, c2 = st.columns(2)
    ref = c2.selectbox("Referrer", [""] + list(referrers.label), key="referrer")
    received = c1.date_input("Received", format="YYYY-MM-DD", value=None, key="received")
    expiry = c2.date_input("Expires (empty when open)", format="YYYY-MM-DD",
                           value=None, key="expiry")
    dx_text = c1.text_input("Diagnoses (ICD-10-CM, separated by ; or ,)", key="dx",
                            placeholder="M54.50; E11.9")
    visits = c2.number_input("Authorized visits (0 = not limited)", min_value=0, step=1,
                             key="visits")
    auth = c1.text_input("Prior authorization number", key="auth")
    notes = c2.text_input("Notes", key="notes")
    if st.form_submit_button("Save referral", type="primary"):
        rid = int(referrers.loc[referrers.label == ref, "referrer_id"].iloc[0]) if ref else None
        codes = [c for c in re.split(r"[;,\s]+", dx_text) if c]
        with ui.action():
            new_id = entry.save_referral(db, entry.ReferralIn(cid, rid, received, codes,
                                                              int(visits) or None, expiry,
                                                              auth, notes), user)
            ui.after_write()
            ui.saved_then_fresh(f"Referral {new_id} saved: " +
                                "; ".join(ui.literal(f"{c} {describe(c)}") for c in codes),
                                fresh=form)

st.subheader("Referrals")
find = st.text_input("Find referrals by client id, referrer name or NPI, diagnosis code or "
                     "received date (YYYY-MM-DD)", key="find_referral")
found = ui.cached(entry.find_referrals)(db, find)
ui.table(found.drop(columns=["label"]), key="referral_list")
if len(found) >= entry.FIND_LIMIT:
    st.caption(f"Showing the newest {entry.FIND_LIMIT} referrals; type above to search.")

refs = ui.cached(entry.client_referrals)(db, cid)
if not refs.empty:
    # A payer that requires prior authorization denies a claim without it (CO-197); the
    # number, once here, goes on the 837P of every claim naming the referral (REF*G1).
    with st.form("prior_auth"):
        c1, c2 = st.columns(2)
        numbers = dict(zip(refs.referral_id, refs.prior_auth_number, strict=True))
        labels = dict(zip(refs.referral_id, refs.label, strict=True))
        which = c1.selectbox(
            "Referral", list(refs.referral_id), key="pa_referral",
            format_func=lambda r: f"Referral {r}: {labels[r]}, " + (
                f"authorization {numbers[r]}" if isinstance(numbers[r], str) and numbers[r]
                else "no authorization number"))
        number = c2.text_input("Prior authorization number", key="pa_number")
        if st.form_submit_button("Record a prior authorization"):
            with ui.action():
                entry.record_prior_authorization(db, int(which), number, user)
                ui.after_write()
                st.success(f"Authorization {ui.literal(number.strip())} recorded on referral "
                           f"{int(which)}: the claims naming it carry it from now on.")

st.subheader("Plans of care")
st.caption("Certified by the physician for at most 90 calendar days from the first treatment "
           "(the evaluation day is day 1), signed within 30 days of the evaluation, then "
           "recertified with a new signature. A re-evaluation is not a recertification.")
plans = ui.cached(entry.client_plans_of_care)(db, cid)


def picked(frame, label: str, column: str) -> int | None:
    """The id of the row whose label was picked (None for none)."""
    rows = frame.loc[frame.label == label, column] if label else []
    return int(rows.iloc[0]) if len(rows) else None


with ui.entry_form("plan_of_care") as form:
    c1, c2 = st.columns(2)
    doctor = c1.selectbox("Certifying physician", [""] + list(referrers.label), key="poc_doctor")
    poc_ref = c2.selectbox("Referral", ["(none)"] + list(refs.label), key="poc_referral")
    start = c1.date_input("Start (the first treatment)", format="YYYY-MM-DD",
                          value=None, key="poc_start")
    through = c2.date_input("Certified through (empty = the full 90 days)", format="YYYY-MM-DD",
                            value=None, key="poc_through")
    signed = c1.date_input("Signed by the physician on (empty = not yet)", format="YYYY-MM-DD",
                           value=None, key="poc_signed")
    recert = c2.selectbox("Recertifies", ["(a first plan)"] + list(plans.label),
                          key="poc_recert")
    poc_notes = c1.text_input("Notes", key="poc_notes")
    if st.form_submit_button("Save plan of care", type="primary"):
        with ui.action():
            pid = entry.save_plan_of_care(db, entry.PlanOfCareIn(
                cid, picked(referrers, doctor, "referrer_id"), start, through, signed,
                picked(refs, poc_ref, "referral_id"), picked(plans, recert, "plan_id"),
                poc_notes), user)
            ui.after_write()
            ui.saved_then_fresh(f"Plan of care {pid} saved.", fresh=form)
unsigned = plans[plans.signed_date.isna()] if not plans.empty else plans
if not unsigned.empty:
    with ui.entry_form("plan_signature") as form:
        c1, c2 = st.columns(2)
        to_sign = c1.selectbox("Unsigned plan", list(unsigned.label), key="sig_plan")
        sig_date = c2.date_input("Signed on", format="YYYY-MM-DD", value=None, key="sig_date")
        if st.form_submit_button("Record the signature"):
            with ui.action():
                entry.record_plan_signature(db, picked(unsigned, to_sign, "plan_id"),
                                            sig_date, user)
                ui.after_write()
                ui.saved_then_fresh("Signature recorded.", fresh=form)
if cid:
    ui.table(plans.drop(columns=["label"]), key="plan_list")
