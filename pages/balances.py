"""Balances: what clients owe (and credits to refund), write-offs with a reason, moving an
insurance balance to the client, a refund to a payer that overpaid, and a batch write-off of
small balances after a preview."""

from functools import partial

import streamlit as st

from metdash import entry, figures, statements, ui, worklists

db = ui.page_start("Balances & write-offs", permission="billing")
user = ui.current_user()
f = ui.sidebar_filters(db)


def undo_section(claim: str, *, form: str, prefix: str) -> None:
    """Undo a move to the client or an insurance write-off of ``claim`` (on both tabs that
    make them): what is left of it is owed by the payer again. A payer's payment of a moved
    or written-off amount brings it back by itself when it is posted."""
    undoable = entry.undoable(db, claim) if claim else None
    if undoable is None or undoable.empty:
        return
    st.subheader("Undo a move or a write-off",
                 help="What is left of it comes back to the insurance side, dated the day "
                      "chosen: the payer owes it again (a denial is open again, a closed claim "
                      "reopens), and a move no longer bills the client. What the client "
                      "already paid on it becomes a credit to refund. Audited.")
    labels = {(r.kind, int(r.source_id)): r.label for r in undoable.itertuples()}
    with ui.entry_form(form) as fields:
        which = st.selectbox("Which", list(labels), format_func=labels.get,
                             key=f"{prefix}_which")
        c1, c2 = st.columns(2)
        on = c1.date_input("Undone on", format="YYYY-MM-DD", value=ui.today(), key=f"{prefix}_date")
        why = c2.text_input("Why", key=f"{prefix}_reason", placeholder="e.g. moved by mistake")
        if st.form_submit_button("Undo"):
            with ui.action():
                ui.require("billing")
                back = entry.undo_move(db, entry.UndoIn(claim, which[0], which[1], on, why),
                                       user)
                ui.after_write()
                credit = (f" What the client paid on it, ${back.client_credit:,.2f}, is now "
                          "a credit to refund (What clients owe)." if back.client_credit
                          else "")
                ui.saved_then_fresh(f"Undone on claim {ui.literal(claim)}: {back.words()}; "
                                    f"the payer owes it again.{credit}", fresh=fields)


def undo_refund_form(kind: str, refunds, *, key: str) -> None:
    """Undo one of ``refunds`` (rows of :func:`entry.client_refunds` or
    :func:`entry.refunds_sent`; those already undone are not offered): a check never sent,
    one recorded by mistake, or one that came back uncashed."""
    options = entry.undo_choices(refunds)
    if not options:
        return
    with ui.entry_form(key) as fields:
        which = st.selectbox("Refund", list(options), format_func=options.get,
                             key=f"{key}_which")
        c1, c2 = st.columns(2)
        on = c1.date_input("Undone on", format="YYYY-MM-DD", value=ui.today(),
                           key=f"{key}_date",
                           help="The refund's own date for one recorded by mistake (as if it "
                                "never was); the day it came back for a returned check.")
        why = c2.text_input("Why", key=f"{key}_reason",
                            placeholder="e.g. check never sent, returned uncashed")
        if st.form_submit_button("Undo the refund"):
            with ui.action():
                ui.require("billing")
                entry.undo_refund(db, entry.RefundUndoIn(kind, which, on, why), user)
                ui.after_write()
                ui.saved_then_fresh(f"Refund undone: {ui.literal(options[which])}.",
                                    fresh=fields)


# Thousands of rows: kept as one object (not copied on every rerun), so the table drawn
# from it is prepared once per store state.
balances_of = ui.cached_shared(figures.patient_balances)
# Only the open tab runs (a tab switch reruns the page; its data is cached): the balances
# list, or the write-off figures, not both.
tab_patients, tab_write_off, tab_move, tab_payer, tab_batch, tab_report = st.tabs(
    ["What clients owe", "Write off", "Move to the client", "Refund a payer", "Small balances",
     "Write-offs"], key="balances_tab", on_change="rerun")
if tab_report.open:
    ui.prefetch(db, [(figures.write_offs_by_reason, (f,)), (figures.write_offs_monthly, (f,))])

if tab_patients.open:
    with tab_patients:
        st.caption(f"As of {f.as_of:%b %d, %Y}. A payment that names no claim is applied to the "
                   "client's oldest open service first; money left over is a credit to refund.")
        owed = balances_of(db, f)
        wanted = st.session_state.pop("_pick-owed", None)  # a work list's row: that client
        if wanted is not None:
            st.session_state["owed_only"] = wanted
        only = st.session_state.get("owed_only")
        if only and st.toggle(f"Only client {ui.literal(only)}", value=True, key="owed_only_on"):
            owed = owed[owed.client_id.astype(str) == only]
        if owed.empty:
            st.success("No client owes anything, and nobody has a credit.")
        else:
            picked = ui.table(owed, key="owed", select=True, download="patient_balances",
                              formats={"balance": "patient_balance", "services": "count",
                                       "oldest_service": "date"})
            row = ui.selected_row(picked, owed)
            if row is None and only and len(owed) == 1:  # the client a work list's row chose
                row = owed.iloc[0]
            if row is not None:
                st.subheader(f"Ledger of client {ui.literal(row.client_id)}",
                             help="Every amount the client owes or paid, in date order.")
                # The PDF is drawn when the button is clicked, outside this run: what it needs
                # (the client, the date, presentation mode) is fixed now.
                st.download_button(
                    "Statement (PDF)", partial(statements.client_statement_pdf, db, row.client_id,
                                               f.as_of, present=ui.present_mode()),
                    file_name=statements.file_name(row.client_id, f.as_of),
                    mime="application/pdf", key="statement_pdf", on_click="ignore",
                    icon=":material/description:",
                    help=f"What the client owes as of {f.as_of:%b %d, %Y} (for every payer, "
                         "whatever the filters), what insurance paid, and how to pay (masked in "
                         "presentation mode).")
                ui.table(ui.cached(figures.client_ledger)(db, row.client_id), key="client_ledger",
                         formats={"amount": "money", "patient": "money", "balance": "money",
                                  "entry_date": "date"})
                if row.balance < 0:
                    with ui.entry_form("refund") as form:
                        st.write(f"Refund the credit of ${-row.balance:,.2f}")
                        c1, c2, c3 = st.columns(3)
                        # Keyed by the client and the credit: one key kept the first
                        # client's credit as the amount for the next client picked.
                        amount = c1.text_input("Amount", value=f"{-row.balance:.2f}",
                                               key=f"r_amount_{row.client_id}_{-row.balance:.2f}")
                        on = c2.date_input("Refunded on", format="YYYY-MM-DD",
                                           value=ui.today(), key="r_date")
                        method = c3.selectbox("Method", entry.REFUND_METHODS, key="r_method")
                        ref = st.text_input("Check number / reference", key="r_ref")
                        if st.form_submit_button("Record refund", type="primary"):
                            with ui.action():
                                ui.require("billing")
                                entry.refund_credit(db, entry.RefundIn(row.client_id, amount, on,
                                                                       method, ref), user)
                                ui.after_write()
                                ui.saved_then_fresh("Refund recorded.", fresh=form)
        # A client whose refund settled the credit owes nothing, so is not in the list above:
        # the client is picked here. Drawn only while open (its picker reads the clients).
        undo_box = st.expander("Undo a refund to a client", key="ur_open", on_change="rerun")
        if undo_box.open:
            with undo_box:
                st.caption("A refund recorded by mistake, or a check never sent or returned: the "
                           "credit is the client's again, dated the day chosen. Audited.")
                who = ui.client_picker(db, key="ur_client")
                if who:
                    given = ui.cached(entry.client_refunds)(db, who)
                    if given.empty:
                        st.info(f"Client {ui.literal(who)} was never refunded anything.")
                    else:
                        # Why it was undone is free text (it may name someone): not on a projector.
                        shown = given.drop(columns=["refund_id"] + (
                            ["undo_reason"] if ui.present_mode() else []))
                        ui.table(shown, key="ur_refunds",
                                 formats={"amount": "money", "refund_date": "date",
                                          "undone_on": "date"},
                                 labels={"refund_date": "Refunded on", "claim_id": "Claim",
                                         "undone_on": "Undone on", "undo_reason": "Why undone"})
                        undo_refund_form("client", given, key="ur")

if tab_write_off.open:
    with tab_write_off:
        side = st.radio("Whose balance", ["insurance", "patient"], horizontal=True, key="w_side",
                        format_func=lambda s: "A claim's insurance balance" if s == "insurance"
                        else "A client's balance")
        claim = ui.claim_picker(db, "Claim" if side == "insurance" else "Claim (optional)",
                                key="w_claim") or None
        client = None if side == "insurance" else (
            ui.client_picker(db, "Client (when no claim is chosen)", key="w_client") or None)
        reasons = entry.INSURANCE_REASONS if side == "insurance" else entry.PATIENT_REASONS
        with ui.entry_form("write_off") as form:
            c1, c2, c3 = st.columns(3)
            amount = c1.text_input("Amount", key="w_amount")
            reason = c2.selectbox("Reason", reasons, key="w_reason",
                                  format_func=lambda r: figures.WRITE_OFF_REASONS[r])
            on = c3.date_input("Written off on", format="YYYY-MM-DD",
                               value=ui.today(), key="w_date")
            note = st.text_input("Note (who approved, what was tried)", key="w_note")
            if st.form_submit_button("Write off", type="primary"):
                with ui.action():
                    ui.require("billing")
                    entry.write_off(db, entry.WriteOffIn(side, amount, reason, on, claim, client,
                                                         note), user)
                    ui.after_write()
                    ui.saved_then_fresh("Written off.", fresh=form)
        if side == "insurance":
            undo_section(claim, form="undo_write_off", prefix="wu")

if tab_move.open:
    with tab_move:
        st.caption("For a denial the client is liable for (PR-96, PR-204 with a signed waiver) or "
                   "a secondary that will not pay: the amount leaves insurance A/R and the client "
                   "owes it.")
        move_claim = ui.claim_picker(db, "Claim", key="m_claim",
                                     statuses=["denied", "partially_paid", "appealed", "submitted",
                                               "paid", "closed"])
        with ui.entry_form("move") as form:
            c1, c2 = st.columns(2)
            amount = c1.text_input("Amount", key="m_amount")
            on = c2.date_input("Moved on", format="YYYY-MM-DD", value=ui.today(), key="m_date")
            reason = st.text_input("Why the client owes it", key="m_reason")
            if st.form_submit_button("Move to the client", type="primary"):
                with ui.action():
                    ui.require("billing")
                    entry.move_to_client(db, entry.TransferIn(move_claim, amount, on, reason), user)
                    ui.after_write()
                    ui.saved_then_fresh(f"Moved to the client of claim "
                                        f"{ui.literal(move_claim)}.", fresh=form)
        undo_section(move_claim, form="undo_move", prefix="u")

if tab_payer.open:
    with tab_payer:
        st.caption("A payer that paid a claim twice (a second payment, no reversal) is owed the "
                   "difference back. It usually takes it from a later payment (a recoupment on "
                   "its 835, posted with it); when it asks for a check instead, record what you "
                   "sent here. The claim then owes nothing either way, and payments on the "
                   "refund's date are less by it.")
        over = ui.cached(worklists.payers_overpaid)(db, ui.today())  # the work list's rows
        if over.empty:
            st.success("No payer has paid more than it owes on a claim.")
        else:
            who = (("client " + over.client_id.astype(str)) if ui.present_mode()
                   else over.client_name)
            claims = {f"{c} - {w} - overpaid ${o:,.2f}": (c, o)
                      for c, w, o in zip(over.claim_id, who, over.overpaid, strict=True)}
            ui.preselect("pr_claim", {label: c for label, (c, _) in claims.items()})
            picked = st.selectbox(f"Overpaid claim ({len(claims):,})", [""] + list(claims),
                                  key="pr_claim")
            if picked:
                cid, overpaid = claims[picked]
                paid = ui.cached(entry.payers_paid)(db, cid)
                names = dict(zip(paid.payer_id, paid.payer, strict=True))
                st.write("\n".join(
                    f"- {ui.literal(r.payer)}: \\${r.paid:,.2f} paid on this claim (net), the "
                    f"last payment on {r.last_paid:%b %d, %Y}" for r in paid.itertuples()))
                with ui.entry_form("payer_refund") as form:
                    c1, c2, c3 = st.columns(3)
                    payer = c1.selectbox("Payer", list(names), format_func=names.get,
                                         key=f"pr_payer_{cid}")
                    amount = c2.text_input("Amount", value=f"{overpaid:.2f}",
                                           key=f"pr_amount_{cid}")
                    on = c3.date_input("Sent on", format="YYYY-MM-DD", value=ui.today(),
                                       key="pr_date")
                    c1, c2, c3 = st.columns(3)
                    method = c1.selectbox("Method", entry.PAYER_REFUND_METHODS, key="pr_method",
                                          format_func={"check": "Check", "eft": "EFT"}.get)
                    ref = c2.text_input("Check or EFT number", key="pr_ref")
                    note = c3.text_input("Note (e.g. the payer's letter)", key="pr_note")
                    if st.form_submit_button("Record the refund", type="primary"):
                        with ui.action():
                            ui.require("billing")
                            entry.refund_payer(db, entry.PayerRefundIn(
                                cid, payer, amount, on, method, ref, note), user)
                            ui.after_write()
                            ui.saved_then_fresh(
                                f"Refund of ${entry.as_money(amount):,.2f} to "
                                f"{ui.literal(names[payer])} on claim {ui.literal(cid)} "
                                "recorded.", "pr_claim", fresh=form)

        sent = ui.cached(entry.refunds_sent)(db)
        if not sent.empty:
            st.subheader("Refunds sent to payers")
            # A note is free text (it may name the client): not on a projector.
            shown = sent.drop(columns="refund_id")
            ui.table(shown.drop(columns=["note", "undo_reason"]) if ui.present_mode() else shown,
                     key="payer_refunds_sent", download="payer_refunds",
                     formats={"amount": "money", "refund_date": "date", "undone_on": "date"},
                     labels={"refund_date": "Sent on", "reference": "Check or EFT number",
                             "user_name": "Recorded by", "undone_on": "Undone on",
                             "undo_reason": "Why undone"})
            st.subheader("Undo a refund to a payer",
                         help="A refund recorded by mistake, or a check the payer sent back: "
                              "the payer's money on the claim is what it was before, so the "
                              "claim is overpaid again (Payers overpaid), dated the day chosen. "
                              "Audited.")
            undo_refund_form("payer", sent, key="upr")

if tab_batch.open:
    with tab_batch:
        c1, c2 = st.columns(2)
        batch_side = c1.radio("Balances", ["patient", "insurance"], horizontal=True, key="b_side",
                              format_func=lambda s: "What clients owe" if s == "patient"
                              else "What payers owe, claim by claim")
        under = c2.number_input("Under ($)", min_value=0.01,
                                max_value=float(entry.SMALL_BALANCE_AT_MOST), value=5.00,
                                step=1.00, key="b_under",
                                help="A small balance is at most $50: write off a larger one "
                                     "on its own, with its reason (the Write off tab).")
        preview = ui.cached(entry.small_balances)(db, batch_side, f"{under:.2f}")
        if preview.empty:
            st.info(f"No {batch_side} balance is under ${under:,.2f}.")
        else:
            total = preview.amount.sum()
            st.write(f"**{len(preview):,} balances, ${total:,.2f} in all**, would be written off "
                     "(reason: small balance).")
            ui.table(preview, key="b_preview", formats={"amount": "money",
                                                        "first_service_date": "date"})
            # What the user saw when clicking: the previous run's preview. A new amount typed
            # and the button clicked at once arrive in one run: the preview then is not the one
            # the click agreed to (it wrote off $72.00 after a preview of $2.00).
            seen = st.session_state.get("_b_seen")
            now = (batch_side, f"{under:.2f}", len(preview), str(total))
            clicked = st.button(f"Write off these {len(preview):,} balances", type="primary",
                                key="b_go")
            st.session_state["_b_seen"] = now
            if clicked and seen != now:
                st.error("The amount or the balances changed since the preview you clicked on: "
                         "nothing was written off. Check the preview above, then click again.")
            elif clicked:
                with ui.action():
                    ui.require("billing")
                    batch, n, written = entry.write_off_small_balances(
                        db, batch_side, f"{under:.2f}", user, ui.today(), expected=len(preview),
                        expected_total=total)
                    ui.after_write()
                    # Read again: the preview still offered the balances just written off.
                    ui.saved_then_fresh(f"Batch {batch}: {n:,} balances, ${written:,.2f}, "
                                        "written off.")

if tab_report.open:
    with tab_report:
        by_reason = ui.cached(figures.write_offs_by_reason)(db, f)
        if by_reason.empty:
            ui.empty_note("write-offs")
        else:
            st.caption(f"Write-offs dated {f.date_from:%b %d, %Y} – {f.date_to:%b %d, %Y}, and "
                       "those that came back in that time (Recovered: the payer paid after "
                       "all; Undone: undone by hand).")
            # Reasons in words in both tables (the monthly one showed "bad_debt"); the count
            # headed apart from the amount ("Write offs" beside "Write-offs").
            ui.table(by_reason.assign(reason=by_reason.reason.map(figures.WRITE_OFF_REASONS)),
                     key="wo_reasons", download="write_offs",
                     formats={"amount": "write_offs", "write_offs": "count",
                              "recovered": "write_offs_recovered",
                              "undone": "write_offs_undone"},
                     labels={"write_offs": "Number written off"})
            monthly = ui.cached(figures.write_offs_monthly)(db, f)
            ui.table(monthly.assign(reason=monthly.reason.map(figures.WRITE_OFF_REASONS)),
                     key="wo_monthly", formats={"amount": "money", "month": "date"})
