"""Payer scorecards: every payer side by side, then one payer's card and its PDF."""

import streamlit as st

from metdash import figures, payer_report, report, scorecard_charts, ui
from metdash.figures import scorecard

db = ui.page_start("Payer scorecards", permission="view")
# Balances and the waiting today: the cards' paid, allowed, denied and underpaid read every
# remittance on file, so a past period's claims are shown as they stand now (with the
# period's last day, a claim paid after it read as paid and still owed at once).
f = ui.sidebar_filters(db).replace(as_of=ui.today())
# No min / max on the input: one typed outside them showed a red outline only, the old rate
# kept without a word (a new-user trial); the page says the range and the rate it uses.
percent = st.number_input(
    "Yearly rate for money waited for (%, 0 to 100)", step=0.5,
    value=float(scorecard.money_rate()) * 100, key="money_rate",
    help=ui.metric_help("waiting_cost"))
rate, wrong_rate = scorecard.rate_from_percent(
    percent, st.session_state.get("money_rate_in_use", scorecard.money_rate()))
if wrong_rate:
    st.error(wrong_rate)
st.session_state["money_rate_in_use"] = rate
# Kept as one object each (not copied on every rerun: the details are three frames).
scorecards_of = ui.cached_shared(scorecard.payer_scorecards)
details_of = ui.cached_shared(scorecard.payer_details)
ui.prefetch(db, [(scorecard.payer_scorecards, (f, rate)), (scorecard.payer_details, (f,))])
cards = scorecards_of(db, f, rate)
if cards.empty:
    ui.empty_note("payer scorecards")
    st.stop()
st.caption(f"Claims with service dates {f.date_from:%b %d, %Y} – {f.date_to:%b %d, %Y}, "
           f"balances as of {f.as_of:%b %d, %Y}. Every payer is shown (the sidebar's payer "
           "filter picks the card below). The clean-claim rate counts claims first submitted in "
           "those dates, from the 999 / 277CA acknowledgments imported on Remittances.")
# Side by side on a laptop; one under the other in presentation mode's large type.
slots = ui.chart_row()
with slots[0]:
    ui.plot(scorecard_charts.payer_cost_bar, scorecard.payer_scorecards, db, f, rate, key="cost")
with slots[1]:
    ui.plot(scorecard_charts.payer_rates_bar, scorecard.payer_scorecards, db, f, rate,
            key="rates")
cols = ["payer", "claims", "paid", "revenue_share", "allowed_per_visit", "paid_per_visit",
        "median_days", "p90_days", "denial_rate", "first_pass_resolution_rate",
        "clean_claim_rate", "denied_amount", "denied_standing", "underpaid_lines",
        "underpaid_amount", "waiting_cost", "payer_cost"]
# Short headings, the catalogue's names in each tooltip (as on the card's tiles): with theirs
# a denial rate was the last column in view at 1280 px, and cut.
ui.table(cards[cols], key="cards", download="payer_scorecards",
         labels={"revenue_share": "Share", "allowed_per_visit": "Allowed / visit",
                 "paid_per_visit": "Paid / visit", "p90_days": "90th pct. days",
                 "first_pass_resolution_rate": "First-pass", "clean_claim_rate": "Clean claims",
                 "denied_standing": "Not overturned", "payer_cost": "Costs you"})

def one_payers_card() -> None:
    """The card of the payer picked, its PDF, charts and tables."""
    st.header("One payer's card")
    names = cards.payer.tolist()
    wanted = [n for n in cards[cards.payer_id.isin(f.payer_ids or ())].payer]
    # The sidebar's payer picks the card when it changes (the picker kept its own choice: a
    # payer picked in the sidebar showed only after leaving the page; a new-user trial).
    first = wanted[0] if wanted else None
    if (st.session_state.get("card_payer") not in names
            or first != st.session_state.get("_card_wanted")) and (first or names):
        st.session_state["card_payer"] = first or names[0]
    st.session_state["_card_wanted"] = first
    payer = st.selectbox("Payer", names, key="card_payer")
    pid = int(cards.payer_id[names.index(payer)])
    # The same card object on a rerun (its inputs are): its tables are not prepared again.
    under = ui.cached_shared(figures.underpaid_lines)(db, f.replace(payer_ids=(pid,)))
    card = ui.derived((cards, details_of(db, f), under), scorecard.card_from, pid, payer, f,
                      rate)
    tiles = payer_report.key_figures(card, secondary=True)   # the part paid as secondary too
    # Four a row: five cut "Days to pay, median" and "no 277CA" at 1280 px (presentation mode's
    # tiles have larger type: three).
    per_row = 3 if ui.present_mode() else 4
    for row in (tiles[i:i + per_row] for i in range(0, len(tiles), per_row)):
        for col, (name, label, value) in zip(st.columns(per_row), row, strict=False):
            if name == "clean_claim_rate":  # its tip also says what "no 277CA" means
                col.metric(label, value, border=True, help=scorecard.CLEAN_CLAIM_NOTE)
            else:
                col.metric(label, value, border=True, help=ui.metric_help(name))
    st.markdown(f"**{ui.literal(payer_report.cost_line(card))}**",
                help=ui.metric_help("payer_cost"))
    practice, demo = ui.cached(report.practice_heading)(db)
    st.download_button(
        "Download this scorecard (PDF, one page)",
        lambda: payer_report.payer_pdf(card, practice=practice, is_demo=demo,
                                       present=ui.present_mode()),
        file_name=payer_report.pdf_file_name(card), mime="application/pdf", key="card_pdf",
        icon=":material/picture_as_pdf:", help="Drawing its two charts takes a few seconds.")
    slots = ui.chart_row()
    with slots[0]:
        ui.plot(scorecard_charts.card_allowed_per_unit_bar, scorecard.payer_details, db, f,
                key="per_unit", chart_kwargs={"payer_id": pid, "payer": payer})
    with slots[1]:
        ui.plot(scorecard_charts.card_days_quarterly_line, scorecard.payer_details, db, f,
                key="quarters", chart_kwargs={"payer_id": pid})
    st.subheader("Allowed and paid per unit by code")
    ui.table(card.by_code.drop(columns=["payer_id", "payer", "allowed", "paid"]), key="codes",
             download=f"by_code_{payer}")
    st.subheader("Denial reasons")
    ui.table(card.denial_reasons, key="reasons", formats={"amount": "denied_amount"})
    st.subheader("Underpaid lines", help=ui.metric_help("underpaid_lines"))
    if card.underpaid.empty and not card.by_code.expected_per_unit.notna().any():
        st.info(f"No fee schedule amount on file for {ui.literal(payer)}'s codes, so no "
                "line can be found underpaid: enter what it allows under Settings → Fee "
                "schedule.")
    elif card.underpaid.empty:
        st.success("No line was allowed below the fee schedule in this range.")
    else:
        ui.table(card.underpaid, key="under", download=f"underpaid_{payer}",
                 formats={"charge": "money", "expected": "money", "allowed": "money",
                          "paid": "money", "shortfall": "money", "service_date": "date"})


# Drawn after the comparison above is painted, when the page is just opened.
ui.after_paint(one_payers_card, "payer_card", 900)
