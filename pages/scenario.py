"""What insurance could do for my practice: a 12-month scenario for a self-pay practice."""

import time
from decimal import Decimal

import pandas as pd
import streamlit as st

from metdash import auth, scenario, scenario_charts, ui, workshop
from metdash.chart_labels import dollars_label, signed_dollars

db = ui.page_start("What insurance could do for my practice")
st.caption("For a practice that is self-pay today: what taking insurance would do to monthly "
           "revenue and cash over 12 months. Every assumption is below and can be changed.")

defaults = ui.cached(scenario.store_defaults)(db)
# Days to payment: the payers' own expected lag, weighted by their share of visits.
lag = (round(sum(float(x) * float(d) for x, d in zip(defaults.share, defaults.usual_lag_days,
                                                     strict=True)))
       if not defaults.empty else 30)
st.subheader("Your practice today, and with insurance")
# No range on the boxes themselves: a box that refuses a number keeps the last one it took
# and only says so on hover, so the figures below stayed those of a number no longer on
# screen (a new-user trial). Every number is checked by scenario.problems, said under them.
L = scenario.LABELS
c1, c2, c3, c4 = st.columns(4)
rate = c1.number_input(L["selfpay_rate"], value=110.0, step=5.0,
                       help="What a self-pay client pays for one visit today.")
now = c2.number_input(L["selfpay_weekly_visits"], value=30.0, step=1.0)
kept = c3.number_input(L["selfpay_kept_weekly_visits"], value=15.0, step=1.0,
                       help="Some self-pay clients will use their insurance instead.")
insured = c4.number_input(L["insured_weekly_visits"], value=45.0, step=1.0,
                          help="All insured visits once in network: clients who switch plus "
                               "new referrals from in-network physicians.")
c1, c2, c3, c4 = st.columns(4)
denial = c1.number_input(L["denial_rate"], value=8.0, step=1.0)
days = c2.number_input(L["days_to_payment"], value=float(lag),
                       step=5.0, help="Days from the service date to the insurer's payment. "
                                      "Starts from the payers' expected days in Settings, "
                                      "weighted by share; the Days to payment page shows "
                                      "your actual figures.")
ramp = c3.number_input(L["ramp_months"], value=3, step=1,
                       help="Insured visits grow evenly to the full number over these months "
                            "(0 to 12).")
billing = c4.number_input(L["billing_cost_rate"], value=4.0, step=0.5,
                          help="Clearinghouse, billing service or the hours your staff spend "
                               "on claims.")
said = st.container()  # what cannot be used, under the boxes it is about

st.subheader("Payers and what they allow a visit",
             help="Allowed per visit: the payer's fee schedule for a typical visit (2 units "
                  "97110 + 1 unit 97530), including the client's copay or coinsurance. Share: "
                  "the part of insured visits each payer would bring.")
if defaults.empty:
    defaults = pd.DataFrame({"payer": ["Medicare", "Commercial plan"],
                             "payer_type": ["medicare", "commercial"],
                             "allowed_per_visit": [85.0, 115.0], "share": [0.3, 0.7],
                             "usual_lag_days": [14, 30]})
    st.caption("No payer fee schedule in this store: typical amounts typed in; change them.")
else:
    st.caption("From this store's payer fee schedules; the shares are each payer's share of "
               "the visits billed in the last year.")
edited = st.data_editor(
    defaults.drop(columns=["usual_lag_days"]).assign(
        allowed_per_visit=defaults.allowed_per_visit.astype(float),
        share=defaults.share.astype(float),
        payer_type=defaults.payer_type.map(ui.words, na_action="ignore")),
    num_rows="dynamic", hide_index=True, key="payers",
    column_config={"payer": st.column_config.TextColumn("Payer", required=True),
                   "payer_type": st.column_config.TextColumn("Type"),
                   "allowed_per_visit": st.column_config.NumberColumn(
                       "Allowed per visit", format="$%.2f", min_value=0.0),
                   "share": st.column_config.NumberColumn(
                       "Share of insured visits", format="%.3f", min_value=0.0)})
payers = tuple(scenario.PayerAssumption(str(r.payer), Decimal(str(r.allowed_per_visit)),
                                        Decimal(str(r.share)))
               for r in edited.dropna(subset=["payer", "allowed_per_visit", "share"])
               .itertuples())
model = scenario.Scenario(
    selfpay_rate=Decimal(str(rate)), selfpay_weekly_visits=Decimal(str(now)),
    insured_weekly_visits=Decimal(str(insured)), selfpay_kept_weekly_visits=Decimal(str(kept)),
    payers=payers, denial_rate=Decimal(str(denial)) / 100, days_to_payment=Decimal(str(days)),
    ramp_months=int(ramp), billing_cost_rate=Decimal(str(billing)) / 100)
found = scenario.problems(model)
if found:
    with said:
        ui.show_problems(found, heading="The scenario cannot be worked out yet.")
    st.stop()


@st.cache_resource(show_spinner=False, max_entries=64)
def _charts(model: scenario.Scenario):
    """The two charts of one scenario, built once (plotly takes ~40 ms to build them)."""
    months = scenario.project(model)
    return (scenario_charts.scenario_months_chart(months),
            scenario_charts.scenario_cumulative_chart(months))


def outlook() -> None:
    """The next 12 months: five tiles, the verdict, two charts, the month table, how the
    model works, and the workshop's reset."""
    head = scenario.summary(model)
    months = scenario.project(model)
    st.subheader("Over the next 12 months")
    t = st.columns(3) + st.columns(3)[:2]
    be = head["break_even_weekly_visits"]
    t[0].metric("Break-even insured visits a week", "—" if be is None else f"{be}",
                help="Insured visits a week at which a full month with insurance earns what "
                     "staying self-pay earns: (self-pay visits now − kept) × self-pay rate ÷ "
                     "net per insured visit.", border=True)
    t[1].metric("Net per insured visit", f"${head['net_per_visit']:,.2f}",
                help="Blended allowed per visit × (1 − denial rate) × (1 − billing cost).",
                border=True)
    t[2].metric("Revenue, with insurance", dollars_label(head['revenue_total']),
                delta=(signed_dollars(head['revenue_total'] - head['selfpay_total'])
                       + " vs self-pay"),
                help="Earned in 12 months: kept self-pay visits + insured visits at the net rate.",
                border=True)
    t[3].metric("Cash collected, with insurance", dollars_label(head['cash_total']),
                delta=(signed_dollars(head['cash_total'] - head['selfpay_total'])
                       + " vs self-pay"),
                help="Collected in 12 months: insurers pay the days to payment after the visit.",
                border=True)
    t[4].metric("Staying self-pay", dollars_label(head['selfpay_total']),
                help="Self-pay rate × visits now × 52/12 weeks a month, 12 months.", border=True)
    st.info(scenario.verdict(model, head), icon=":material/lightbulb:")
    left, right = st.columns(2)
    months_chart, cumulative_chart = _charts(model)
    with left:
        ui.chart(months_chart, key="months")
    with right:
        ui.chart(cumulative_chart, key="cumulative")
    # A projection, in whole dollars as its tiles are (cents would be false precision), all
    # twelve months at once. The cash so far is the chart above on the right; its two columns
    # are in the downloads, so the table fits the page at 1280 px.
    formats = {**{c: "dollars" for c in months.columns if c != "month"},
               "insured_visits": "number"}   # visits: not taken for money
    ui.table(months.drop(columns=list(scenario.SO_FAR)), key="month_table", formats=formats,
             labels=scenario.MONTH_LABELS, height="all")
    st.caption("The cash collected so far, month by month, is the chart above on the right; "
               "the downloads hold it with every other column, to the cent.")
    ui.downloads(months, "insurance_scenario", key="month_table-dl",
                 labels=ui.table_labels(months, formats, scenario.MONTH_LABELS))
    with st.expander("How the model works (every assumption)"):
        st.markdown(scenario.__doc__.split("The model, stated once (the page shows the same text):")
                    [-1])

    if ui.cached(ui.is_demo)(db):
        st.divider()
        st.subheader("Workshop: reset the demo practice")
        settings = ui.cached(workshop.demo_settings)(db)
        st.caption(f"Rebuilds the synthetic demo from its seed ({settings['seed']}) as of today, "
                   "undoing everything entered during the workshop.")
        if st.button("Reset demo", icon=":material/restart_alt:", key="reset_demo"):
            ui.require(auth.OWNER)  # it replaces every table: the open demo, or an owner
            with ui.action("The demo was not reset."):
                t0 = time.perf_counter()
                with st.spinner("Rebuilding the demo practice…"):
                    summary = workshop.reset_demo(db, ui.today(), user=ui.current_user())
                ui.after_write()
                st.session_state["_reset_took"] = (time.perf_counter() - t0, summary.line())
        if "_reset_took" in st.session_state:
            took, line = st.session_state["_reset_took"]
            st.success(f"Demo reset in {took:.1f} s. {line}", icon=":material/check_circle:")


# Drawn after the boxes and the payers above are painted, when the page is just opened: in
# the first frame its tiles and wide month table held the payers' editor back ~60 ms of the
# browser's work (benchmarks/NOTES.md, "Twenty-eighth pass").
ui.after_paint(outlook, "outlook", 1200)
