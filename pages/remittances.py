"""Remittances: import 835 files, review payments and unmatched claims, export an 837P."""

import os

import streamlit as st

from metdash import backup, ui
from metdash.x12.post835 import import_835, recent_remittances, unmatched_claim_payments
from metdash.x12.write837 import X12ExportError, claims_for_export, write_837p

MAX_MB = 20
db = ui.page_start("Remittances", permission="billing")
user = getattr(ui, "current_user", lambda: os.environ.get("USER") or "app")()

st.subheader("Import 835 files", help="ERA files from your clearinghouse. Each file is imported "
             "whole or not at all; a payment already imported is skipped.")
files = st.file_uploader("835 remittance files", type=["835", "edi", "txt", "x12", "era"],
                         accept_multiple_files=True, key="era_files")
if files and st.button("Import", type="primary", icon=":material/upload:"):
    big = [f.name for f in files if f.size > MAX_MB * 1024 * 1024]
    if big:
        ui.show_problems([f"{n} is larger than {MAX_MB} MB: split it or import it with "
                          "`metdash import-835`." for n in big], heading="Nothing was imported.")
    else:
        backup.auto_backup(db, "before-import")  # a copy to go back to, as the CLI does
        s = import_835(db, [(f.name, f.getvalue()) for f in files], user)
        ui.after_write()
        st.success(f"{s.files} file(s): {s.payments} payment(s) imported ({s.claims} claims, "
                   f"{s.matched} matched, {s.unmatched} unmatched, ${s.paid:,.2f}); "
                   f"{s.already_imported} already imported.")
        if s.errors:
            ui.show_problems(s.errors, heading="Some files were refused.")

st.subheader("Recent remittances")
recent = recent_remittances(db)
if recent.empty:
    st.info("No remittance yet: import an 835 file above.")
else:
    ui.table(recent.drop(columns=["remittance_id"]), key="recent", download="remittances",
             formats={"amount": "money", "provider_adjustments": "money", "claims": "count",
                      "payment_date": "date"},
             labels={"provider_adjustments": "PLB", "trace_number": "Trace"})

st.subheader("Unmatched claim payments", help="Claims in 835 files whose claim id is not one of "
             "ours (or that the payer says are not its own): find the claim and correct it.")
unmatched = unmatched_claim_payments(db)
if unmatched.empty:
    st.success("Every claim payment matched a claim.")
else:
    ui.table(unmatched, key="unmatched", download="unmatched_claim_payments",
             formats={"charge": "money", "paid": "money", "patient_responsibility": "money",
                      "payment_date": "date"}, labels={"clp01": "Claim id sent"})

st.subheader("837P claim file", help="Claims to send to the clearinghouse. The exported claims "
             "become submitted.")
candidates = claims_for_export(db)
ready = candidates[candidates.status == "ready"].claim_id.tolist()
chosen = st.multiselect("Claims", candidates.claim_id.tolist(), default=ready,
                        help="Ready claims are chosen; add a sent claim to resend it.")
if st.button("Create 837P", disabled=not chosen, icon=":material/description:"):
    try:
        st.session_state["x12_837p"] = write_837p(db, chosen, user=user)
        ui.after_write()
    except X12ExportError as exc:
        ui.show_problems(exc.problems, heading="Nothing was exported.")
if st.session_state.get("x12_837p"):
    st.download_button("Download 837P", st.session_state["x12_837p"].encode("ascii", "replace"),
                       file_name="claims.837", mime="text/plain", icon=":material/download:")
