"""metdash: page config and navigation only. Every screen lives in pages/."""

from pathlib import Path

import streamlit as st

from metdash import ui

HERE = Path(__file__).parent

# An emoji, which the browser draws itself: a ":material/..." page icon is fetched from
# fonts.gstatic.com by every page view (a third party told who opens metdash; none offline).
st.set_page_config(page_title="metdash", page_icon="🩺", layout="wide")

# (file in pages/, title, icon); sections in the order a practice works through them.
SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    "Dashboards": [
        ("overview.py", "Overview", ":material/dashboard:"),
        ("revenue.py", "Revenue by payer", ":material/payments:"),
        ("days_to_payment.py", "Days to payment", ":material/schedule:"),
        ("denials.py", "Denials", ":material/block:"),
        ("payers.py", "Payer scorecards", ":material/scoreboard:"),
        ("referrers.py", "Referrers", ":material/group:"),
        ("weekly_review.py", "Weekly referral review", ":material/event_repeat:"),
        ("forecast.py", "Cash forecast", ":material/trending_up:"),
    ],
    "Work": [
        ("worklists.py", "Work lists", ":material/checklist:"),
        ("clients.py", "Clients & referrers", ":material/person:"),
        ("referrals.py", "Referrals", ":material/forward_to_inbox:"),
        ("sessions.py", "Sessions", ":material/fitness_center:"),
        ("claims.py", "Claims", ":material/receipt_long:"),
        ("denial_risk.py", "Denial risk", ":material/report:"),
        ("payments.py", "Payments & appeals", ":material/account_balance:"),
        ("balances.py", "Balances & write-offs", ":material/balance:"),
        ("remittances.py", "Remittances (835/837P)", ":material/sync_alt:"),
        ("secondary_claims.py", "Secondary claims", ":material/call_split:"),
    ],
    "Workshop": [
        ("scenario.py", "What insurance could do", ":material/lightbulb:"),
    ],
    "Settings": [
        ("settings.py", "Settings", ":material/settings:"),
        ("audit.py", "Audit log", ":material/policy:"),
    ],
}

nav = {
    section: [
        st.Page(str(HERE / "pages" / file), title=title, icon=icon, default=(file == "overview.py"))
        for file, title, icon in entries
    ]
    for section, entries in SECTIONS.items()
}
with ui.last_resort():  # an error no page handled: one line here, the traceback in the log
    st.navigation(nav, expanded=True).run()
