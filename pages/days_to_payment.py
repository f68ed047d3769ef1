"""Days to payment: how fast each payer pays, and what is still owed and how old it is."""

import streamlit as st

from metdash import charts, figures, ui

db = ui.page_start("Days to payment", permission="view")
f = ui.sidebar_filters(db)
# The tables' frames kept as they are (the same object on a rerun, so their display copies
# are kept too); wrapped before the prefetch, so it fills the cache they are read from.
dtp_of = ui.cached_shared(figures.days_to_payment)
oldest_of = ui.cached_shared(figures.oldest_open_claims)
DTP_HEADINGS = {"p90_days": "90th pct. days", "median_days_from_service": "Median from service",
                "p90_days_from_service": "90th pct. from service"}
ui.prefetch(db, ui.first_reads("Days to payment", f))
dtp = dtp_of(db, f)
if dtp.empty:
    ui.empty_note("payments")
else:
    ui.plot(charts.days_to_payment_bar, figures.days_to_payment, db, f, key="dtp")
    # Shorter headings than the catalogue's (their tooltips keep the definitions): the six
    # columns fit the page at 1280 px.
    ui.table(dtp, key="dtp_table", download="days_to_payment", labels=DTP_HEADINGS)
    left, right = ui.chart_row()  # stacked in presentation mode
    with left:
        ui.plot(charts.days_to_payment_histogram, figures.days_to_payment_histogram, db, f,
                key="hist")
    with right:
        ui.plot(charts.days_to_payment_trend, figures.days_to_payment_monthly, db, f,
                key="dtp_trend")


def open_ar() -> None:
    """The open A/R section: its header, caption, ten tiles, chart and claim list."""
    st.header(f"Open A/R as of {f.as_of:%b %d, %Y}")
    st.caption(f"Every claim owed on {f.as_of:%b %d, %Y} counts, whatever its service date (A/R is "
               "a balance on a day, not a sum over the range); the lists show each claim's status "
               "and payments as they stood that day. By age since the service date. "
               "Insurance: what payers owe (a denied amount stays "
               "until it is paid on appeal, moved to the client or written off). Patient: what "
               "clients owe, their unapplied payments taken from their oldest services first.")
    agings = ui.cached(figures.ar_agings)(db, f)
    for kind in figures.AR_KINDS:
        aging = agings[kind]
        st.subheader(f"{kind.capitalize()} A/R: {ui.tile_money(sum(aging.balance))}",
                     help=ui.metric_help(f"{kind}_ar_total"))
        for col, row in zip(st.columns(5), aging.itertuples(), strict=True):
            claims = f"{row.claims:,} claim{'' if row.claims == 1 else 's'}"
            col.metric(f"{row.bucket} days", ui.tile_money(row.balance), claims,
                       delta_color="off", delta_arrow="off", border=True,
                       help=ui.metric_help(f"{kind}_ar_total"))
    st.subheader("Insurance A/R by payer")
    by_payer = ui.cached(figures.ar_aging_by_payer)(db, f)
    if by_payer.empty:
        st.success("Nothing is owed: no open claim has a balance.")
    else:
        ui.plot(charts.ar_aging_bar, figures.ar_aging_by_payer, db, f, key="aging")
        bucket = st.segmented_control("Show the claims in", ["Oldest"] + figures.BUCKETS,
                                      default="Oldest", key="bucket")
        if bucket in (None, "Oldest"):
            claims = oldest_of(db, f)
        else:
            claims = oldest_of(db, f, limit=500, bucket=bucket)
        ui.table(claims, key="old", download="open_claims",
                 formats={"balance": "balance", "denied": "denied_open",
                          "age_days": "count", "first_service_date": "date",
                          "submitted_date": "date"})


# Drawn after the days to payment above are painted, when the page is just opened: in the
# first frame its ten tiles and their help held the first table back ~90 ms of the browser's
# work (benchmarks/NOTES.md, "Twenty-eighth pass").
ui.after_paint(open_ar, "open_ar", 1100)
