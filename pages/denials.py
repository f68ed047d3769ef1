"""Denials: how often, why, by payer and code, what was appealed, and what to work next."""

import streamlit as st

from metdash import charts, figures, ui
from metdash.carc import carc_next_step

db = ui.page_start("Denials", permission="view")
f = ui.sidebar_filters(db)
# The tables' frames kept as they are (the same objects on a rerun, so their display copies
# are kept too); wrapped before the prefetch, so it fills the cache they are read from.
work_of = ui.cached_shared(figures.open_denials)
ended_of = ui.cached_shared(figures.denial_outcomes)
reasons_of = ui.cached_shared(figures.denial_reasons)
by_age_of = ui.cached_shared(figures.open_denials_by_reason)
# The open denied amount by reason and age is read when its expander is opened.
by_age_open = bool(st.session_state.get("den_by_age_open", False))
ui.prefetch(db, ui.first_reads("Denials", f)
            + ([(figures.open_denials_by_reason, (f,))] if by_age_open else []))
summary = ui.cached(figures.denial_summary)(db, f)
if summary["claims_adjudicated"] == 0:
    ui.empty_note("adjudicated claims")
    st.stop()
c1, c2, c3, c4 = st.columns(4)
ui.metric_tile(c1, "denial_rate", summary["denial_rate"])
ui.metric_tile(c2, "denial_rate_lines", summary["denial_rate_lines"])
ui.metric_tile(c3, "denial_rate_dollars", summary["denial_rate_dollars"])
c4.metric("Claims denied", f"{summary['claims_denied']:,}",  # whole on a projector tile
          delta=f"of {summary['claims_adjudicated']:,} adjudicated", delta_color="off",
          delta_arrow="off", border=True,
          help="Claims with a denial at first adjudication, of those adjudicated.")

st.subheader(f"Open denials as of {f.as_of:%b %d, %Y}",
             help="A denied amount stays owed until it is paid on appeal, corrected and "
                  "resubmitted, moved to the client or written off. The nearest deadline "
                  "first, those past it last. The deadline is the payer's appeal deadline "
                  "(from the first denying remittance), except for CO-16 with MA130 and "
                  "CO-29: those are corrected and resubmitted, not appealed, so theirs is the "
                  "payer's timely-filing deadline (first service date + its filing days); "
                  "past it, a resubmission is refused again unless the practice can prove "
                  "it filed in time.")
work = work_of(db, f)
if work.empty:
    st.success("No open denial in this range.")
else:
    # What to do and by when first: at 1400 px the last columns need a scroll.
    first = ["claim_id", "payer", "next_step", "denied_amount", "days_left", "deadline",
             "reasons"]
    work = ui.columns(work, first + [c for c in work.columns if c not in first])
    ui.table(work, key="work", download="open_denials",
             formats={"denied_amount": "denied_open", "first_service_date": "date",
                      "denied_on": "date", "deadline": "date", "days_left": "count",
                      "age_days": "count"})
    box = st.expander("Open denied amount by reason and age", key="den_by_age_open",
                      on_change="rerun")
    if box.open:
        with box:
            ui.table(by_age_of(db, f), key="open_by_reason", download="open_denials_by_reason",
                     formats={"open_amount": "denied_open", "claims": "count"},
                     labels={"bucket": "Days since denied"})
ended = ended_of(db, f)
if not ended.empty:
    n = len(ended)   # the newest figures.denial_outcomes gives (500), or every one
    box = st.expander(f"How the latest {n:,} denials ended" if n >= 500 else
                      f"How {n:,} denial{'' if n == 1 else 's'} ended", key="den_ended_open",
                      on_change="rerun")
    if box.open:  # drawn when opened
        with box:
            ui.table(ended, key="ended", download="denial_outcomes",
                     formats={"amount": "money", "denied_on": "date", "resolved_on": "date"})

reasons = reasons_of(db, f)
st.subheader("Reasons", help="Pick a reason to see its claims and what to do about it.")
if reasons.empty:
    st.success("No denial reasons in this range.")
else:
    ui.plot(charts.denial_reasons_bar, figures.denial_reasons, db, f, key="reasons_chart")
    # The reason's words are what the table is read for: room for them beside five short
    # columns (cut at 260 px: "Payer says the service was not medically nec").
    picked = ui.table(reasons, key="reasons", select=True, download="denial_reasons",
                      formats={"amount": "denied_amount", "lines": "count"},
                      room={"description": 360})
    row = ui.selected_row(picked, reasons)
    if row is not None:
        code = f"{row.group}-{row.carc}"
        st.info(f"**{ui.literal(code)}: {ui.literal(row.description)}.** Next step: "
                f"{carc_next_step(row.carc)}")
        ui.table(ui.cached(figures.claims_list)(db, f, reason=code), key="reason_claims",
                 formats={"total_charge": "money", "paid": "money"}, download=f"claims_{code}")
# Only the open tab runs (a tab switch reruns the page; its data is cached).
by_payer, by_cpt, by_month, remarks, appeals_tab = st.tabs(
    ["By payer", "By CPT code", "By month", "Remark codes", "Appeals"], key="denials_tab",
    on_change="rerun")
if by_payer.open:
    with by_payer:
        ui.plot(charts.denial_rate_bar, figures.denial_rate_by, db, f, "payer",
                chart_kwargs={"by": "payer"}, key="by_payer")
if by_cpt.open:
    with by_cpt:
        ui.plot(charts.denial_rate_bar, figures.denial_rate_by, db, f, "cpt",
                chart_kwargs={"by": "CPT code"}, key="by_cpt")
if by_month.open:
    with by_month:
        ui.plot(charts.denial_trend_line, figures.denial_rate_by, db, f, "month", key="by_month")
if remarks.open:
    with remarks:
        rarc = ui.cached(figures.remark_codes)(db, f)
        if rarc.empty:
            st.write("No remark codes in this range.")
        else:
            ui.table(rarc, key="rarc", download="remark_codes",
                     formats={"claims": "count", "lines": "count"})
if appeals_tab.open:
    with appeals_tab:
        appeals = ui.cached(figures.appeals_summary)(db, f)
        if appeals.empty:
            st.write("No appeals on claims in this range.")
        else:
            ui.table(appeals, key="appeals", download="appeals", formats={"recovered": "money"})
