"""Referrals: who sent the client, for which diagnoses, for how many visits, until when."""

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
with st.form("referral"):
    c1, c2 = st.columns(2)
    ref = c2.selectbox("Referrer", [""] + list(referrers.label), key="referrer")
    received = c1.date_input("Received", value=None, key="received")
    expiry = c2.date_input("Expires (empty when open)", value=None, key="expiry")
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
            st.success(f"Referral {new_id} saved: " +
                       "; ".join(f"{c} {describe(c)}" for c in codes))

st.subheader("Referrals")
find = st.text_input("Find referrals by client id, referrer name or NPI, diagnosis code or "
                     "received date (YYYY-MM-DD)", key="find_referral")
found = ui.cached(entry.find_referrals)(db, find)
ui.table(found.drop(columns=["label"]), key="referral_list")
if len(found) >= entry.FIND_LIMIT:
    st.caption(f"Showing the newest {entry.FIND_LIMIT} referrals; type above to search.")
