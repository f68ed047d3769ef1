"""Cash forecast: expected collections in the coming weeks, and how far to trust them."""

import streamlit as st

from metdash import forecast, forecast_charts, refresh, ui

db = ui.page_start("Cash forecast", permission="view")
weeks = st.slider("Weeks ahead", forecast.MIN_WEEKS, forecast.MAX_WEEKS, forecast.DEFAULT_WEEKS,
                  key="fc_weeks")
as_of = ui.today()
choice = refresh.outlook(db, as_of, weeks)  # after new data: the last outlook, meanwhile
if choice.key is None and choice.job is not None:
    # Nothing kept: worked out in the background, the coming weeks first (refresh).
    outlook = refresh.outlook_first(choice, as_of, weeks)
    if outlook is None:
        ui.pending(choice, f"The forecast of the next {weeks} weeks (each open claim placed by "
                           "its payer's own history)")
        st.stop()
else:
    # kept under choice.key, else (a build that could not be kept) built here
    outlook = ui.cached_shared(forecast.cash_outlook)(db, as_of, weeks, kept=choice.key)
ui.refreshing(choice, "The forecast and its backtest below")
fc, summary = outlook.forecast, outlook.summary
if fc.expected.sum() <= 0:
    # (A new practice with a draft claim read "no claim ... on file".)
    st.info("Nothing to forecast yet: nothing on file is expected to bring money in these "
            "weeks. The forecast learns when and how much payers pay from the claims they "
            "have answered, and the practice's own patient payments.",
            icon=":material/filter_alt_off:")
    st.stop()
st.caption(f"From everything posted up to {as_of:%b %d, %Y}; weeks of 7 days from the day "
           "after. Collections: payer + patient payments, as the Payments figure counts them. "
           "When a claim pays: its payer's days to adjudication by weekday of submission (at "
           "least 20 adjudicated claims), else its payer's, else the practice's; how much: its "
           "payer and code (at least 40), else its payer (20), else the practice. Hover a "
           "heading for its definition.")
if outlook.patient_note:
    st.info(outlook.patient_note, icon=":material/info:")
ui.chart(ui.derived(fc, forecast_charts.forecast_band_bar), key="fc_chart")
parts = {p: f"forecast_{p}" for p in forecast.PARTS}
shown = fc.drop(columns=["week"])
if not outlook.checked:
    # the band adds the error of the forecasts made before (the backtest): not known yet
    shown = shown.drop(columns=["p10", "p90"])
    st.caption("The band (low p10, high p90) comes with the check below: it adds how far the "
               "same forecast missed on the Mondays before.")
# Short headings, the catalogue's names and definitions in each tooltip: with theirs the
# last two parts were past the right edge at 1280 px.
ui.table(shown, key="fc_table", download="cash_forecast",
         formats={"expected": "forecast_expected", "p10": "forecast_p10",
                  "p90": "forecast_p90", "week_start": "date", "week_end": "date", **parts},
         labels={"week_start": "From", "week_end": "To", "expected": "Expected",
                 "p10": "Low (p10)", "p90": "High (p90)", "open_claims": "Open claims",
                 "denied_or_partial": "Denied / part paid", "not_submitted": "Not sent yet",
                 "new_services": "Not yet rendered", "patient": "Patients"})

st.header("How far to trust it", help=ui.metric_help("forecast_mape"))
if not outlook.checked:
    ui.pending(choice, "This forecast's backtest (the same forecast made on each of the last 12 "
                       "Mondays, against what actually arrived)")
    st.stop()
if not summary["weeks"] or summary["beats_naive"] is None:
    st.info("Nothing to measure the forecast against yet: no money was posted in the weeks "
            f"of the last 12 Mondays up to {as_of:%b %d, %Y} "
            f"({forecast.judged_weeks(summary)}).")
    st.stop()
cols = st.columns(4)
ui.metric_tile(cols[0], "forecast_mape", summary["forecast_mape"])
ui.metric_tile(cols[1], "forecast_naive_mape", summary["naive_mape"])
ui.metric_tile(cols[2], "forecast_inside_band", summary["inside_band"])
ui.metric_tile(cols[3], "forecast_band_error", summary.get("band_error"))
st.caption(f"Forecasts made on each of the last {forecast.judged_weeks(summary)}.")
verdict = "(the last 8 weeks' average), over the weeks with money arriving."
if summary["beats_naive"]:
    st.success(f"This forecast beat the naive one {verdict}", icon=":material/check_circle:")
else:
    st.warning(f"This forecast did NOT beat the naive one {verdict} Trust the naive average "
               "more than this forecast.", icon=":material/warning:")
narrow = forecast.band_too_narrow(summary)
if narrow:
    st.warning(narrow, icon=":material/warning:")
rows = outlook.backtest
ui.chart(ui.derived(rows[rows.week == 1], forecast_charts.backtest_line), key="bt_chart")
ui.table(rows, key="bt_table", download="forecast_backtest",
         formats={"made_on": "date", "week_start": "date", "forecast": "forecast_expected",
                  "p10": "forecast_p10", "p90": "forecast_p90", "naive": "forecast_naive",
                  "actual": "forecast_actual", "week": "count"},
         labels={"forecast": "Forecast", "made_on": "Forecast made on"})
