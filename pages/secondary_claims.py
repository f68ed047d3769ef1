"""Bill the secondary: claims whose payer left cost share the client's next coverage owes, and
the 837P that carries the earlier payer's adjudication to it."""

import streamlit as st

from metdash import privacy, ui
from metdash.x12.secondary import secondary_claims_to_bill, write_secondary_837p

db = ui.page_start("Secondary claims", permission="billing")
user = ui.current_user()
st.caption("A claim is listed when its payer's remittance (835 or EOB) left deductible, "
           "coinsurance or copay and the client has a secondary (or tertiary) coverage in force "
           "on the date of service: that amount stays in insurance A/R, owed by the next payer. "
           "A Medicare crossover (CLP02 19) is sent on by Medicare: wait for the secondary's 835. "
           "A claim its payer answered only in part (a split claim) waits for the rest: the "
           "secondary claim carries an answer for every line. "
           "A secondary claim the clearinghouse (999) or the payer (277CA) rejected is listed "
           "again with the reason: fix it, then send it again.")
present = ui.present_mode()
if (data := st.session_state.get("sec_837p")) and not present:
    # Made by the button below, shown at once (the page runs again after writing: before,
    # the claims were marked sent with no word and no file until the next run).
    if sent := st.session_state.pop("sec_837p_sent", None):
        st.success(f"Secondary 837P created for {sent}, now marked sent. Download the file "
                   "now and upload it to the clearinghouse.")
    st.download_button("Download the secondary 837P", lambda: data, file_name="secondary.837",
                       mime="text/plain", icon=":material/download:", type="primary")
frame = ui.cached(secondary_claims_to_bill)(db, ui.today())
if frame.empty:
    st.success("No claim waits for a secondary claim.")
    st.stop()
MONEY = ("total_charge", "prior_paid", "contractual", "cost_share", "cob")
# What the next payer is asked for and by whom first (a laptop shows about eight columns
# before scrolling); the claim's whole insurance balance beside it (a unit the last payer
# denied stays in it, but is not the next payer's).
SHOWN = ["claim_id", "client_name", "next_payer", "next_payer_share", "owed", "payer",
         "prior_paid", "contractual", "cost_share", "cob", "total_charge", "adjudicated_date",
         "days_since", "first_service_date", "payer_sequence", "client_id"]
if frame.last_rejection.notna().any():  # why the last one was rejected, next to the claim
    SHOWN.insert(SHOWN.index("owed") + 1, "last_rejection")
ui.table(frame[SHOWN],
         key="sec_list", download="secondary_claims_to_bill",
         formats={**dict.fromkeys(MONEY, "money"), "first_service_date": "date",
                  "adjudicated_date": "date", "days_since": "days",
                  "next_payer_share": "next_payer_share", "owed": "claim_insurance_balance"})
EVERY = "every listed claim"
ids = frame.claim_id.tolist()
ui.preselect("sec_claim", {i: i for i in ids})
picked = st.selectbox("Claim to send", [EVERY, *ids], key="sec_claim")
if present:
    st.info(privacy.CLAIM_FILE_REFUSED, icon=":material/visibility_off:")
if st.button("Create the secondary 837P", disabled=present, type="primary",
             icon=":material/description:"):
    with ui.action("Nothing was exported."):
        privacy.refuse_claim_file(ui.present_mode())
        built: list[bytes] = []
        write_secondary_837p(db, ids if picked == EVERY else [picked], user=user,
                             deliver=lambda text: built.append(text.encode("ascii", "replace")))
        st.session_state["sec_837p"] = built[0]
        chosen = ids if picked == EVERY else [picked]
        st.session_state["sec_837p_sent"] = (f"{len(chosen)} claims" if len(chosen) > 1
                                             else f"claim {chosen[0]}")
        ui.after_write()
    if "sec_837p_sent" in st.session_state:  # written: show the file and the list as they are
        st.rerun()
