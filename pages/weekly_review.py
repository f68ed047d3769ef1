"""Weekly referral review: one week of referrals per referrer, for the practice's meeting."""

import streamlit as st

from metdash import report, ui, weekly, weekly_charts
from metdash.metrics import CATALOGUE
from metdash.weekly_charts import KIND_LABELS

AVERAGES = {"avg_4w": 2, "avg_12w": 2, "change_vs_4w": 2, "change_vs_12w": 2}

db = ui.page_start("Weekly referral review", permission="view")
present = ui.present_mode()
default = ui.cached(weekly.review_week)(db, ui.today())
asked, problem = weekly.week_asked(st.query_params.get("week"))
if problem:
    st.warning(problem)
start = asked or default
picked = st.date_input("Week (pick any day of it)", value=start, format="YYYY-MM-DD",
                       key="w_week", min_value=weekly.FIRST_WEEK, max_value=weekly.LAST_WEEK,
                       help="Weeks run Monday to Sunday. The page opens on the last full "
                            "week.")
start = weekly.week_bounds(picked or default)[0]
st.query_params["week"] = start.isoformat()
# Shared, never copied (ui.plot's charts read the same entry); never changed in place.
review = ui.cached_shared(weekly.weekly_review)(db, start)

MOVER_COLS = ["name", "kind", "this_week", "avg_4w", "avg_12w", "change_vs_4w", "last_referral"]
TWELVE = ["referrals_12m", "converted_12m", "conversion_rate_12m", "sessions_12m",
          "billed_12m", "paid_12m"]


def shown(frame):
    """Averages to 2 places and kinds in words, for the screen only."""
    out = frame.round(AVERAGES)  # a copy: the review itself feeds the downloads unchanged
    if "kind" in out.columns:
        out["kind"] = [KIND_LABELS.get(k, k) for k in out.kind]
    return out


def screen_tables(review):
    """Every table as this page shows it, built once per review (ui.derived)."""
    return {
        "up": shown(review.movers_up[MOVER_COLS]),
        "down": shown(review.movers_down[MOVER_COLS]),
        "new": shown(review.new_referrers[["name", "kind", "npi", "first_referral",
                                           "this_week"]]),
        "lapsed": shown(review.lapsed_referrers[[
            "name", "kind", "last_referral", "median_gap_days", "days_since_last",
            "lapsed_on", *TWELVE]]),
        "kinds": shown(review.kinds),
        "all": shown(review.referrers[["name", "kind", "this_week", "avg_4w", "avg_12w",
                                       "change_vs_4w", "days_to_first_session_12m", *TWELVE,
                                       "last_referral"]]),
        "mix": None if review.payer_mix.empty else weekly.payer_share_table(review),
    }


tables = ui.derived(review, screen_tables)


st.caption(f"{review.label}. Averages cover the 4 and 12 full weeks before it; lapsed "
           "referrers are judged at the week's end; 12-month figures cover the 365 days "
           "ending that Sunday.")

for col, (name, label, value) in zip(st.columns(4) + st.columns(4),
                                     report.summary_tiles(review), strict=True):
    col.metric(label, value, help=CATALOGUE[name].definition, border=True)


def charts_and_tables() -> None:
    """Everything under the tiles: charts, tables, the meeting's CSV and PDF."""
    # One above the other in presentation mode: side by side, the projector's type cut the
    # first chart's title ("... by kind of referre"; a new-user trial).
    left, right = ui.chart_row(2)
    with left:
        ui.plot(weekly_charts.weekly_referrals_bar, weekly.weekly_review, db, start,
                key="weeks")
    with right:
        ui.plot(weekly_charts.movers_bar, weekly.weekly_review, db, start, key="movers")

    left, right = st.columns(2)
    with left:
        st.subheader("Top movers up", help=CATALOGUE["change_vs_4w"].definition)
        if review.movers_up.empty:  # as the sections below say it: not an "empty" grid
            st.caption("No referrer sent more than their 4-week average this week.")
        else:
            ui.table(tables["up"], key="up")
    with right:
        st.subheader("Top movers down", help=CATALOGUE["change_vs_4w"].definition)
        if review.movers_down.empty:
            st.caption("No referrer sent fewer than their 4-week average this week.")
        else:
            ui.table(tables["down"], key="down")

    st.subheader("New referrers", help=CATALOGUE["new_referrers"].definition)
    if review.new_referrers.empty:
        st.caption("No referrer sent a first referral this week.")
    else:
        ui.table(tables["new"], key="new")
    st.subheader("Lapsed referrers", help=CATALOGUE["lapsed_referrers"].definition)
    if review.lapsed_referrers.empty:
        st.caption("No referrer has gone quiet.")
    else:
        ui.table(tables["lapsed"], key="lapsed")

    st.subheader("Per kind of referrer")
    ui.plot(weekly_charts.kinds_bar, weekly.weekly_review, db, start, key="kinds_chart")
    ui.table(tables["kinds"], key="kinds")

    st.subheader("Every referrer: this week, conversion and what their clients brought in")
    ui.table(tables["all"], key="all", download=f"weekly_referrers_{start.isoformat()}")

    st.subheader("Payer mix per referrer", help=CATALOGUE["payer_share"].definition)
    if tables["mix"] is None:
        st.caption("No claims name a referrer in these 12 months.")
    else:
        payers = list(tables["mix"].columns[1:])
        ui.table(tables["mix"], key="mix", formats={p: "percent" for p in payers},
                 labels={p: p for p in payers})

    st.subheader("For the meeting")
    c1, c2 = st.columns(2)
    c1.download_button("Download CSV (every number above)",  # written when clicked
                       lambda: report.weekly_csv(review, present=present).encode("utf-8"),
                       file_name=f"weekly_review_{start.isoformat()}.csv", mime="text/csv",
                       icon=":material/download:", key="csv")
    if c2.button("Prepare the one-page PDF", icon=":material/picture_as_pdf:", key="make_pdf"):
        with ui.action("No PDF was made."), st.spinner("Drawing the charts…"):
            name, demo = report.practice_heading(db)
            st.session_state["_weekly_pdf"] = (start, present, report.weekly_pdf(
                review, practice=name, is_demo=demo, present=present))
    made = st.session_state.get("_weekly_pdf")
    if made and made[0] == start and made[1] == present:
        pdf = made[2]  # served when clicked, to this signed-in session only (metdash.ui.gate)
        c2.download_button("Download the PDF", lambda: pdf,
                           file_name=f"weekly_review_{start}.pdf", mime="application/pdf",
                           icon=":material/download:", key="pdf")


# Drawn after the tiles are painted, when the page is just opened: all together, the two
# charts' boxes, seven tables and their headings held the tiles back ~150 ms of the
# browser's work (benchmarks/NOTES.md, "Twenty-fifth pass").
ui.after_paint(charts_and_tables, "weekly_rest", 900)
