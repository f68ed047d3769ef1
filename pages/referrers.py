"""Referrers: who sends clients, how many become clients, and what each source is worth."""

import streamlit as st

from metdash import charts, figures, ui

db = ui.page_start("Referrers", permission="view")
f = ui.sidebar_filters(db)
# Kept as is (the same object on a rerun: the tables built from it are not prepared again).
refs_of = ui.cached_shared(figures.referrer_volume)
ui.prefetch(db, ui.first_reads("Referrers", f))
refs = refs_of(db, f)
if refs.empty:
    ui.empty_note("referrals")
    st.stop()
kinds = ui.derived(refs, figures.referrer_kinds_of)
st.subheader("By kind of referrer")
ui.table(kinds, key="kinds", download="referrer_kinds",
         formats={"referrers": "count", "billed": "referrer_billed", "paid": "referrer_paid"})
left, right = ui.chart_row()  # stacked in presentation mode
with left:
    ui.plot(charts.referrers_bar, figures.referrer_volume, db, f, key="top")
with right:
    ui.plot(charts.referrals_weekly_bar, figures.referrals_weekly, db, f, key="weekly")
    st.caption("A pale week is one the date range cuts: only its days in the range count "
               "(hover it for which).")
st.subheader("Every referrer", help="Pick a referrer to see the claims of the clients they sent.")
cols = ["name", "kind", "specialty", "organization", "npi", "referrals", "converted",
        "conversion_rate", "days_to_first_session", "sessions", "billed", "paid",
        "last_referral"]
picked = ui.table(ui.columns(refs, cols), key="refs", select=True, download="referrers",
                  formats={"billed": "referrer_billed", "paid": "referrer_paid"})
row = ui.selected_row(picked, refs)
if row is not None:
    st.markdown(f"**Claims naming {ui.literal(row['name'])}**")
    claims = ui.cached(figures.claims_list)(db, f.replace(referrer_ids=(int(row.referrer_id),)))
    ui.table(claims, key="ref_claims", formats={"total_charge": "money", "paid": "money"},
             download="referrer_claims")
