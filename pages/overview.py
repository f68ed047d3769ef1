"""Overview: the figures a practice owner checks every week, and the monthly trend."""

import streamlit as st

from metdash import charts, entry, figures, ui
from metdash.metrics import KPI_NAMES

db = ui.page_start("Overview", permission="view")
f = ui.sidebar_filters(db)
steps = ui.cached(entry.setup_steps)(db)
if not all(step.done for step in steps):
    first_claim = steps[-1].done
    ui.setup_checklist(steps, expanded=not first_claim)
    if not first_claim:  # nothing to count yet: the checklist is the page
        st.stop()
# The clean-claim table's query is among the page's longest: read only when its expander is
# open (it tracks its state: opening it reruns the page), then beside the others.
clean_open = bool(st.session_state.get("ov_clean_open", False))
ui.prefetch(db, ui.first_reads("Overview", f)
            + ([(figures.clean_claims_by_payer, (f,))] if clean_open else []))
now, before = ui.cached(figures.kpis_compared)(db, f)
# Before a practice's first records there is nothing to compare with: no change is shown.
earlier = None if figures.nothing_before(before) else before
changes = (f"Changes compare with the {f.days} days before." if earlier is not None else
           f"No change is shown: nothing was billed, paid or owed in the {f.days} days "
           "before.")
st.caption(f"Charges: claims with service dates {f.date_from:%b %d, %Y} – "
           f"{f.date_to:%b %d, %Y}. Payments: money posted in those dates, whatever the "
           f"service date (Revenue by payer shows what was paid on the range's claims). "
           f"Balances as of {f.as_of:%b %d, %Y}. {changes}")
for start in range(0, len(KPI_NAMES), 4):
    for col, name in zip(st.columns(4), KPI_NAMES[start:start + 4], strict=False):
        ui.metric_tile(col, name, now[name], None if earlier is None else earlier[name])
clean_box = st.expander("Clean claim rate: claims the clearinghouse (999) and payer (277CA) "
                        "accepted on the first submission, by payer", key="ov_clean_open",
                        on_change="rerun")
if clean_box.open:
    with clean_box:
        clean = ui.cached(figures.clean_claims_by_payer)(db, f)
        totals = figures.clean_claim_totals(clean)
        # Three tiles a row: five in a row cut their labels at 1280 px ("Accepted firs…").
        for names in (["clean_claim_rate", "claims_clean", "claims_rejected"],
                      ["claims_unacknowledged", "claims_awaiting_ack"]):
            for col, name in zip(st.columns(3), names, strict=False):
                ui.metric_tile(col, name, totals[name])
        # the rate first: it is what the table is for
        order = ["payer", "clean_claim_rate", "submitted", "clean", "rejected",
                 "unacknowledged", "awaiting"]
        ui.table(clean[order], key="clean_claims", formats={
            "submitted": "claims_submitted", "clean": "claims_clean",
            "rejected": "claims_rejected", "unacknowledged": "claims_unacknowledged",
            "awaiting": "claims_awaiting_ack", "clean_claim_rate": "clean_claim_rate"})
trend = ui.cached(figures.monthly_trend)(db, f)
if trend.empty or (trend.charges.sum() == 0 and trend.payments.sum() == 0):
    ui.empty_note("this period")
else:
    ui.plot(charts.charges_payments_trend, figures.monthly_trend, db, f, key="trend")
