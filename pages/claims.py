"""Claims: bill sessions (build, review, save), enter a claim by hand, move statuses, and
import a claims spreadsheet."""

import re

import pandas as pd
import streamlit as st

from metdash import acks, entry, figures, refresh, risk, spreadsheet, ui
from metdash.entry import corrections
from metdash.store import backup
from metdash.ui.corrections import claim_changes

db = ui.page_start("Claims", permission="billing")
user = ui.current_user()
payers = ui.cached(entry.choices)(db, "payers")
providers = ui.cached(entry.choices)(db, "providers")
referrers = ui.cached(entry.choices)(db, "referrers")


def _lines_from(frame: pd.DataFrame) -> list[entry.ClaimLineIn]:
    lines = []
    for _, r in frame.iterrows():
        if all(pd.isna(r[c]) or str(r[c]).strip() == "" for c in ("service_date", "cpt")):
            continue
        pointers = [int(p) if p.isdigit() else p
                    for p in re.split(r"[,;\s]+", str(r["dx_pointers"] or "")) if p]
        units = r["units"]
        lines.append(entry.ClaimLineIn(
            service_date=None if pd.isna(r["service_date"]) else r["service_date"],
            cpt=str(r["cpt"] or ""), units=None if pd.isna(units) else int(units),
            charge=None if pd.isna(r["charge"]) else str(r["charge"]),
            modifiers=str(r["modifiers"] or ""), dx_pointers=pointers,
            session_id=None if "session_id" not in r or pd.isna(r["session_id"])
            else int(r["session_id"]),
            place_of_service=str(r.get("place_of_service") or "11").strip()))
    return lines


def _frame_from(claim: entry.ClaimIn) -> pd.DataFrame:
    return pd.DataFrame([{"service_date": ln.service_date, "cpt": ln.cpt,
                          "modifiers": ":".join(ln.modifiers), "units": ln.units,
                          "charge": float(ln.charge),
                          "dx_pointers": ",".join(str(p) for p in ln.dx_pointers),
                          "session_id": ln.session_id,
                          "place_of_service": ln.place_of_service} for ln in claim.lines])


tab_bill, tab_hand, tab_status, tab_import = st.tabs(
    ["Bill sessions", "Enter by hand", "Status", "Import spreadsheet"], key="claims_tab",
    on_change="rerun")  # tracked: a work list's row opens the Status tab (ui.open_with)

with tab_bill:
    unbilled = ui.cached(entry.unbilled_sessions)(db)
    # Clients by name, as every client picker: 'Doe, Jane (C001)'; 'Client C001' when
    # presenting (ui.choices masks them).
    named = ui.choices(db, "clients")
    if unbilled.empty:
        st.success("Every session is billed.")
    else:
        offered = named[named.client_id.isin(unbilled.client_id)]
        client_label = dict(zip(offered.client_id, offered.label, strict=True))
        clients = sorted(unbilled.client_id.unique(), key=lambda c: client_label.get(c, c))
        ui.preselect("bill_client", {c: c for c in clients})  # from a work list's row
        who = st.selectbox("Client", clients, key="bill_client",
                           format_func=lambda c: client_label.get(c, c))
        mine = unbilled[unbilled.client_id == who]
        described = dict(zip(mine.session_id, mine.label, strict=True))
        # Keyed by the sessions offered: once some are billed, a new picker with the rest (the
        # browser kept the old one's choice, billed sessions included, under the same key).
        picked = st.multiselect(
            "Sessions to bill", list(described), default=list(described),
            format_func=lambda sid: described.get(sid, f"session {sid}"),
            key=ui.keyed_by("bill_sessions", described))
        if st.button("Build claim", key="build"):
            st.session_state.pop("draft", None)  # a refused build leaves no draft behind
            with ui.action("Cannot build the claim."):
                # Sessions adding no unit to a day already billed are recorded on its claim.
                billing = entry.bill_sessions(db, picked, user)
                st.session_state["draft"] = billing.draft
                if billing.recorded:  # the page again, without them in the pickers
                    ui.after_write()
                    ui.saved_then_fresh("\n\n".join(ui.literal(r) for r in billing.recorded))
    draft = st.session_state.get("draft")
    if draft is not None:
        dx = ui.literal(", ".join(draft.diagnosis_codes)) or "(none: add a referral)"
        who = named.label[named.client_id == draft.client_id]
        who = who.iloc[0] if len(who) else f"client {draft.client_id}"
        st.markdown(f"**Review claim {ui.literal(draft.claim_id)}** for {ui.literal(who)}: "
                    f"diagnoses {dx}")
        edited = st.data_editor(_frame_from(draft), key="draft_lines", hide_index=True,
                                disabled=["session_id"], num_rows="fixed",
                                column_config=ui.line_columns())
        reason = st.text_input("Timely-filing reason (only when past the deadline)",
                               key="draft_reason")
        claim = entry.ClaimIn(**{**draft.__dict__, "lines": _lines_from(edited),
                                 "timely_filing_reason": reason})
        with db.connect() as con:
            check = entry.check_claim(con, claim)
        for w in check.warnings:
            st.warning(ui.literal(w))
        if check.errors:
            ui.show_problems(check.errors, heading="This claim cannot be saved yet.")
        # Issue 18: each line's denial risk before it is sent. A store nothing was learned for
        # learns in the background (seconds at 1M lines); the review does not wait for it.
        model = refresh.risk_model(db, ui.today())
        if model.key is None:
            ui.pending(model, "Each line's denial risk, learned for the first time from this "
                              "practice's history,")
        else:
            at_risk = risk.risk_of_claim(db, ui.today(), claim, kept=model.key)
            if not at_risk.empty:
                st.caption("Denial risk of each line, from this practice's history:")
                ui.table(at_risk, key="draft_risk")
        if st.button("Save claim", type="primary", key="save_draft", disabled=bool(check.errors)):
            with ui.action():
                entry.save_claim(db, claim, user)
                ui.after_write()
                # The billed sessions, the draft grid and its buttons go: the page runs again.
                ui.saved_then_fresh(f"Claim {ui.literal(claim.claim_id)} saved as a draft.", "draft",
                                    "draft_lines", "draft_reason")

with tab_hand:
    suggested = ui.cached(entry.suggested_claim_id)(db)
    hand_client = ui.client_picker(db, "Client", key="h_client")
    with ui.entry_form("hand_claim") as form:
        c1, c2, c3 = st.columns(3)
        claim_id = c1.text_input("Claim id", value=suggested, key="h_claim_id")
        payer = c2.selectbox("Payer", [""] + list(payers.label), key="h_payer")
        prov = c1.selectbox("Rendering provider", [""] + list(providers.label), key="h_provider")
        ref = c2.selectbox("Referring provider", [""] + list(referrers.label), key="h_referrer")
        referral = c3.number_input("Referral # (0 = none)", min_value=0, step=1, key="h_referral")
        dx_text = st.text_input("Diagnoses, in pointer order (separated by ;)", key="h_dx")
        blank = pd.DataFrame({"service_date": pd.Series([None] * 3, dtype="object"),
                              "cpt": [""] * 3, "modifiers": [""] * 3,
                              "units": pd.Series([None] * 3, dtype="Int64"),
                              "charge": pd.Series([None] * 3, dtype="float"),
                              "dx_pointers": ["1"] * 3, "place_of_service": ["11"] * 3})
        lines = st.data_editor(blank, num_rows="dynamic", key=ui.renewed_key("h_lines"),
                               hide_index=True,
                               column_config=ui.line_columns())
        reason = st.text_input("Timely-filing reason (only when past the deadline)",
                               key="h_reason")
        if st.form_submit_button("Save claim", type="primary"):
            claim = entry.ClaimIn(
                claim_id=claim_id,
                client_id=hand_client,
                payer_id=int(payers.loc[payers.label == payer, "payer_id"].iloc[0]) if payer else None,
                diagnosis_codes=[c for c in re.split(r"[;,\s]+", dx_text) if c],
                lines=_lines_from(lines),
                rendering_provider_id=(int(providers.loc[providers.label == prov,
                                                          "provider_id"].iloc[0]) if prov else None),
                referrer_id=(int(referrers.loc[referrers.label == ref, "referrer_id"].iloc[0])
                             if ref else None),
                referral_id=int(referral) or None, timely_filing_reason=reason)
            with ui.action():
                warnings = entry.save_claim(db, claim, user)
                ui.after_write()
                # Every field starts afresh, the lines too; the next claim id is suggested.
                ui.renew("h_lines")
                ui.saved_then_fresh(f"Claim {ui.literal(claim_id)} saved as a draft.",
                                    fresh=form, warnings=[ui.literal(w) for w in warnings],
                                    reset={"h_claim_id": entry.suggested_claim_id(db)})

with tab_status:
    cid = ui.claim_picker(db, "Claim", key="s_claim")
    if cid:
        ledger = ui.cached(figures.claim_ledger)(db, cid)
        with st.expander(f"Ledger of claim {ui.literal(cid)}: every money event, with what the "
                         "payer and the client owe after it", expanded=not ledger.empty):
            if ledger.empty:
                st.write("Nothing posted yet: a claim owes nothing until it is sent.")
            else:
                ui.table(figures.claim_ledger_shown(ledger), key="claim_ledger",
                         formats={"amount": "money", "insurance": "money", "patient": "money",
                                  "insurance_balance": "balance",
                                  "patient_balance": "patient_balance",
                                  "entry_date": "date"},
                         labels={"reason": "Reason"})
        claim_changes(db, cid, user)  # Edit, or Correct / void, and the claim's changes
        answers = ui.cached(acks.claim_acknowledgments)(db, cid)
        if not answers.empty:  # what the clearinghouse (999) and the payer (277CA) said
            with st.expander(f"Acknowledgments of claim {ui.literal(cid)} (999, 277CA)",
                             expanded=bool((answers.outcome == "rejected").any())):
                ui.table(answers, key="claim_acks", formats={"status_date": "date"})
    with ui.entry_form("status") as form:
        c1, c2 = st.columns(2)
        new = c1.selectbox("Move to", list(entry.STATUSES), key="s_status",
                           format_func=ui.words)
        on = c2.date_input("On", format="YYYY-MM-DD", value=ui.today(), key="s_date")
        note = st.text_input("Note (required to void, or to make ready a claim without the "
                             "prior authorization its payer requires)", key="s_note")
        if st.form_submit_button("Move", type="primary"):
            with ui.action():
                entry.move_claim_status(db, cid, new, user, on=on, note=note)
                ui.after_write()
                warn = corrections.resend_warning(db, cid) if new == "ready" else None
                ui.saved_then_fresh(f"Claim {ui.literal(cid)} is now {new}.", fresh=form,
                                    warnings=[ui.literal(warn)] if warn else ())
    st.caption("Ready claims go to the clearinghouse as an 837P file from **Remittances** "
               "(in the Work menu) or with `metdash export-837`.")

with tab_import:
    if not ui.allowed("imports"):
        st.info("Importing spreadsheets needs the 'imports' permission.")
    else:
        t1, t2 = st.columns(2)
        t1.download_button("Template (CSV)", lambda: spreadsheet.template("csv"),
                           "claims_template.csv",
                           "text/csv", key="tpl_csv")
        t2.download_button("Template (Excel)", lambda: spreadsheet.template("xlsx"),
                           "claims_template.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key="tpl_xlsx")
        upload = st.file_uploader("Claims spreadsheet (.csv or .xlsx, one row per service line)",
                                  type=["csv", "xlsx"], key="upload",
                                  help="The template's columns, or another system's names for "
                                       "them ('Date of Service', 'CPT Code', 'Mod 1', 'Dx 1', "
                                       "...): the import says what it read as what.")
        with st.expander("Columns, and the names other systems give them"):
            st.caption("Case, spaces and punctuation do not matter ('Date of Service', "
                       "'DATE_OF_SERVICE'); a name ending in '#' is read as its number or "
                       "id ('Visit #' as 'visit number'). Columns not listed are left alone.")
            # A static table: the names wrap (a grid cut them off at its column's width).
            st.table(pd.DataFrame(spreadsheet.column_names()).rename(columns={
                "column": "Column", "required": "Required", "also_read_as": "Also read as"})
                .set_index("Column"))
        if upload is not None and st.button("Import", type="primary", key="import"):
            with ui.action("Nothing was imported."), st.spinner(
                    "Checking every row, then importing (all or nothing)…"):
                # A copy to go back to, as the CLI takes: only when the file gets as far as
                # being written.
                result = spreadsheet.import_claims(
                    db, upload.getvalue(), upload.name, user,
                    before_write=lambda: backup.before_import(db))
                if result.notes:  # the file's own names for the template's columns
                    st.info("\n\n".join(ui.literal(n) for n in result.notes),
                            icon=":material/info:")
                if result.problems:
                    ui.show_problems(result.problems, heading="Nothing was imported.")
                else:
                    ui.after_write()
                    st.success(ui.literal(result.summary()))
                # Warnings never stop an import; beside the problems they save a second pass.
                if result.warnings:
                    st.warning(f"{len(result.warnings):,} warning(s), row by row (they do not "
                               "stop an import):\n" +
                               "\n".join(f"- {ui.literal(w)}" for w in result.warnings))

st.subheader("Newest claims")
# The same arguments as the status tab's empty search, so both share one cached read.
newest = ui.cached_shared(entry.find_claims)(db, "", None)
ui.table(ui.columns(newest, [c for c in newest.columns if c != "label"]), key="newest_claims")
st.caption("The 200 newest claims. Find any claim with the search on the Status tab; the "
           "dashboards and `metdash figures` cover all of them.")
