"""Revenue by payer: billed, allowed, paid, patient responsibility; mix; expected vs paid."""

import streamlit as st

from metdash import charts, figures, ui

db = ui.page_start("Revenue by payer", permission="view")
f = ui.sidebar_filters(db)
# The tables' frames kept as they are (the same objects on a rerun, so their display copies
# are kept too); wrapped before the prefetch, so it fills the cache they are read from.
rev_of = ui.cached_shared(figures.revenue_by_payer)
exp_of = ui.cached_shared(figures.expected_vs_paid)
under_of = ui.cached_shared(figures.underpaid_lines)
ui.prefetch(db, ui.first_reads("Revenue by payer", f))
rev = rev_of(db, f)
if rev.empty:
    ui.empty_note("revenue")
    st.stop()
st.caption(f"Claims with service dates {f.date_from:%b %d, %Y} – {f.date_to:%b %d, %Y}. Paid: "
           "what payers paid on these claims, whenever it was posted (Overview's Payments "
           "counts money by the date it was posted), under the payer that paid it: a "
           "secondary's payment is under the secondary (Paid as secondary), so its paid can "
           "exceed its own allowed.")
ui.plot(charts.revenue_by_payer_bar, figures.revenue_by_payer, db, f, key="rev")
st.subheader("Per payer", help="Pick a row to see the claims behind it.")
cols = ["payer", "claims", "billed", "allowed", "paid", "paid_as_secondary",
        "patient_responsibility", "visits", "paid_per_visit"]
# Short headings (the catalogue's names in each tooltip): with theirs the table ran past a
# 1280 px screen, its last column cut to "Paic…".
picked = ui.table(ui.columns(rev, cols), key="rev_table", select=True, download="revenue_by_payer",
                  formats={"visits": "count"},
                  labels={"paid_as_secondary": "As secondary",
                          "patient_responsibility": "Patient resp.",
                          "paid_per_visit": "Per visit"})
row = ui.selected_row(picked, rev)
if row is not None and not row.claims:
    st.info(f"{row.payer} was billed no claim as the first payer in this range: its payments "
            "here are on claims billed to another payer, which it paid as the secondary.")
elif row is not None:
    st.markdown(f"**Claims for {ui.literal(row.payer)}**")
    claims = ui.cached(figures.claims_list)(db, f, payer=row.payer)
    ui.table(claims, key="rev_claims", formats={"total_charge": "money", "paid": "money"},
             download=f"claims_{row.payer}")
left, right = ui.chart_row()  # stacked in presentation mode
with left:
    ui.plot(charts.payer_mix_bar, figures.payer_mix_monthly, db, f, key="mix")
with right:
    ui.plot(charts.paid_per_visit_bar, figures.revenue_by_payer, db, f, key="ppv")
st.subheader("Expected (fee schedule) vs paid",
             help="Expected: the payer's allowed amount from your fee schedule × units, on "
                  "paid lines. A line allowed below that is listed as underpaid.")
st.caption("Line by line, from each line's latest adjudication by the payer it was billed "
           "to (a secondary's payment on it is the secondary's), denied lines left out: so its "
           "Allowed and Paid are not the Per payer table's (whole claims, every payment).")
exp = exp_of(db, f)
ui.table(exp, key="exp", download="expected_vs_paid",
         formats={"expected": "money", "allowed": "money", "paid": "money",
                  "underpaid_lines": "count"})
under = under_of(db, f)
if under.empty and not exp.empty and not exp.expected.any():   # nothing to compare with
    st.info("No fee schedule amount on file for these payers' codes, so no line can be "
            "found underpaid: enter what each payer allows under Settings → Fee schedule.")
elif under.empty:
    st.success("No line was allowed below the fee schedule in this range.")
else:
    st.markdown(f"**Underpaid lines** ({len(under):,}{'+' if len(under) >= 500 else ''}), "
                "largest shortfall first")
    ui.table(under, key="under", download="underpaid_lines",
             formats={"charge": "money", "expected": "money", "allowed": "money",
                      "paid": "money", "shortfall": "money", "service_date": "date"})
