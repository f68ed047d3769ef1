"""Payments: post a paper EOB (per claim or per line), patient payments, appeals."""

import pandas as pd
import streamlit as st

from metdash import entry, ui
from metdash.errors import ValidationError

db = ui.page_start("Payments & appeals", permission="billing")
user = ui.current_user()

# Tracked (a rerun on a switch): a work list's row opens its tab (ui.open_with).
tab_eob, tab_patient, tab_appeal = st.tabs(["Post an EOB", "Patient payment", "Appeals"],
                                           key="payments_tab", on_change="rerun")

with tab_eob:
    claim_id = ui.claim_picker(db, "Claim on the EOB", key="e_claim",
                               statuses=["submitted", "denied", "partially_paid", "appealed",
                                         "paid", "closed"])
    per_line = st.toggle("Post per line", key="e_per_line")
    lines = ui.cached(entry.claim_lines_frame)(db, claim_id) if claim_id else pd.DataFrame()
    # A secondary's (tertiary's) EOB posts to the same claim, as that payer's adjudication.
    payers = dict(ui.cached(entry.eob_payers)(db, claim_id)) if claim_id else {}
    paid_by = (st.selectbox("Paid by", list(payers), format_func=payers.get, key="e_payer")
               if len(payers) > 1 else None)
    with ui.entry_form("eob") as form:
        c1, c2, c3 = st.columns(3)
        paid_on = c1.date_input("Payment date", format="YYYY-MM-DD", value=ui.today(), key="e_date")
        trace = c2.text_input("Check / EFT number", key="e_trace",
                              help="As printed on the EOB. A check that pays several claims: "
                                   "post each claim with its number (it stays after a "
                                   "posting); they add up to one payment of the check's total.")
        method = c3.selectbox("Method", ["CHK", "ACH", "NON"], key="e_method")
        kept = st.session_state.get("eob_kept")
        if kept and kept[1] == (paid_on, trace, method):
            st.info(f"Kept from the posting on claim {ui.literal(kept[0])}: the payment date, "
                    "check number and method (one check pays many claims). Change them for "
                    "another check.", icon=":material/history:")
        st.caption("Adjustments as GROUP-CARC AMOUNT, separated by ';' - e.g. "
                   "CO-45 32.00; PR-2 10.00. Charge - adjustments must equal paid.")
        if per_line and not lines.empty:
            grid = lines[["line_no", "cpt", "units", "charge"]].copy()
            grid["on_eob"] = True
            grid["paid"] = 0.0
            grid["adjustments"] = ""
            edited = st.data_editor(grid, key=ui.renewed_key("e_lines"), hide_index=True,
                                    disabled=["line_no", "cpt", "units", "charge"],
                                    column_config=ui.line_columns())
            paid = None
            adj_text = st.text_input("Claim-level adjustments (if any)", key="e_claim_adj")
        else:
            if not lines.empty:
                ui.table(lines)
            edited = None
            paid = c1.text_input("Paid", key="e_paid")
            adj_text = c2.text_input("Adjustments", key="e_adj")
        pr = c3.text_input("Patient responsibility (empty = sum of PR)", key="e_pr")
        # A paper EOB's claim number is what a corrected claim must name (REF*F8): without
        # it, a denial posted by hand could never be corrected or voided (a new-user trial).
        pcn = c3.text_input("Payer claim number (on the EOB)", key="e_pcn",
                            help="The payer's own number for this claim (ICN / DCN / claim "
                                 "control number). A replacement or void of the claim must "
                                 "name it.")
        if st.form_submit_button("Post payment", type="primary"):
            adjs, problems = entry.parse_adjustments(adj_text)
            line_posts = []
            if edited is not None:
                on_eob = edited.on_eob.fillna(False).astype(bool)
                if not on_eob.any():
                    problems.append("No line is ticked 'On this EOB': tick the lines the EOB "
                                    "lists.")
                for _, r in edited[on_eob].iterrows():
                    la, lp = entry.parse_adjustments(r["adjustments"])
                    problems += [f"Line {r['line_no']}: {p}" for p in lp]
                    line_posts.append(entry.LinePostingIn(int(r["line_no"]), str(r["paid"]), la))
            eob = entry.EobIn(claim_id=claim_id, payment_date=paid_on, paid=paid,
                              adjustments=adjs, lines=line_posts, patient_responsibility=pr or None,
                              trace_number=trace, method=method, payer_id=paid_by,
                              payer_claim_number=pcn.strip() or None)
            with ui.action():
                if problems:
                    with db.connect() as con:
                        raise ValidationError(problems + entry.validate_eob(con, eob))
                rid = entry.post_eob(db, eob, user)
                ui.after_write()
                back = "; ".join(r.words() for r in entry.returned_by(db, rid, claim_id))
                held = entry.check_so_far(db, rid)
                part = entry.answered_in_part(db, rid, claim_id)
                # The rest starts afresh; the check's number, date and method stay for its
                # next claim (one paper check, many claims), and the form says so; what the
                # check holds so far is said.
                st.session_state["eob_kept"] = (claim_id, (paid_on, trace, method))
                ui.renew("e_lines")
                ui.saved_then_fresh(f"Payment posted on claim {ui.literal(claim_id)}"
                                    + (f" ({back}: the payer paid it)" if back else "")
                                    + (f"; {ui.literal(held)}." if held else "."),
                                    fresh=form, keep=["e_date", "e_trace", "e_method"],
                                    warnings=[ui.literal(part)] if part else ())

with tab_patient:
    claim = ui.claim_picker(db, "Toward claim (optional)", key="p_claim") or None
    cid = ui.client_picker(db, "Client", key="p_client")
    with ui.entry_form("patient_payment") as form:
        c1, c2 = st.columns(2)
        amount = c2.text_input("Amount", key="p_amount")
        on = c1.date_input("Paid on", format="YYYY-MM-DD", value=ui.today(), key="p_date")
        method = c2.selectbox("Method", ["card", "cash", "check", "hsa"], key="p_method")
        ref = c2.text_input("Reference", key="p_ref")
        if st.form_submit_button("Record payment", type="primary"):
            with ui.action():
                entry.record_patient_payment(db, entry.PatientPaymentIn(cid, on, amount, method,
                                                                        claim, ref), user)
                ui.after_write()
                ui.saved_then_fresh("Patient payment recorded.", fresh=form)

with tab_appeal:
    appeal_claim = ui.claim_picker(db, "Denied claim", key="a_claim",
                                   statuses=["denied", "partially_paid", "appealed"])
    with ui.entry_form("appeal") as form:
        c1, c2 = st.columns(2)
        filed = c1.date_input("Filed on", format="YYYY-MM-DD", value=ui.today(), key="a_date")
        level = c2.number_input("Level", min_value=1, max_value=5, step=1, key="a_level")
        reason = st.text_area("Reason", key="a_reason")
        if st.form_submit_button("File appeal", type="primary"):
            ap = entry.AppealIn(appeal_claim, filed, reason, int(level))
            with ui.action():
                entry.file_appeal(db, ap, user)
                ui.after_write()
                ui.saved_then_fresh(f"Appeal filed; claim {ui.literal(appeal_claim)} is now "
                                    "appealed.", fresh=form)
    pending = ui.cached(entry.pending_appeals)(db)
    if not pending.empty:
        on_claim = dict(zip(pending.appeal_id, pending.claim_id, strict=True))
        # The claim picked above first, chosen; else nothing chosen (the newest appeal of
        # another claim was chosen for you).
        mine = [a for a, c in on_claim.items() if c == appeal_claim]
        with ui.entry_form("outcome") as form:
            aid = st.selectbox("Pending appeal", mine + [a for a in on_claim if a not in mine],
                               index=0 if mine else None,
                               placeholder="Choose the appeal whose outcome came back",
                               format_func=lambda a: f"#{a} on claim {on_claim[a]}",
                               key=f"o_appeal-{appeal_claim}")
            c1, c2 = st.columns(2)
            outcome = c1.selectbox("Outcome", ["overturned", "partially_overturned", "upheld",
                                               "withdrawn"], key="o_outcome",
                                   format_func=ui.words)
            out_on = c2.date_input("Decided on", format="YYYY-MM-DD",
                                   value=ui.today(), key="o_date")
            notes = st.text_input("Notes", key="o_notes")
            if st.form_submit_button("Record outcome"):
                if aid is None:
                    st.error("Choose the pending appeal whose outcome came back (or pick its "
                             "claim above).")
                else:
                    with ui.action():
                        entry.record_appeal_outcome(db, int(aid), outcome, out_on, user, notes)
                        ui.after_write()
                        ui.saved_then_fresh(f"Outcome recorded for appeal #{aid} on claim "
                                            f"{ui.literal(on_claim[aid])}.", fresh=form)
    find = st.text_input("Find appeals by claim id or filed date (YYYY-MM-DD)",
                         key="find_appeal")
    appeals = ui.cached(entry.find_appeals)(db, find)
    ui.table(appeals, key="appeal_list")
    if len(appeals) >= entry.FIND_LIMIT:
        st.caption(f"Showing {entry.FIND_LIMIT} appeals, pending ones first, then the newest; "
                   "type above to search.")
