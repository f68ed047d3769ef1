"""Remittances: import 835 files and 999 / 277CA acknowledgments, review payments and
unmatched claims, export an 837P."""

import streamlit as st

from metdash import acks, entry, privacy, ui
from metdash.store import backup
from metdash.x12.assign835 import assign_claim_payment, unassigned_claim_payments
from metdash.x12.post835 import import_835, recent_remittances, unmatched_claim_payments
from metdash.x12.post_ack import import_acks
from metdash.x12.reconcile import RULE, deposit_reconciliation
from metdash.x12.write837 import write_837p

MAX_MB = 20
db = ui.page_start("Remittances", permission="billing")
user = ui.current_user()
to_send = st.session_state.pop("_pick-x12_claims", None) is not None  # from a work list


def claim_file() -> None:
    """The 837P section: first on the page when a work list's row ("Create the 837P") opened
    it (it was last, below the remittances, and the page opened far from it)."""
    st.subheader("837P claim file", help="Claims to send to the clearinghouse. The exported "
                 "claims become submitted. Claim files are never masked, so none is created in "
                 "presentation mode.")
    present = ui.present_mode()
    if present:
        st.info(privacy.CLAIM_FILE_REFUSED, icon=":material/visibility_off:")
    # Ready claims are offered (and chosen); a sent claim is added through a search, so the
    # list never holds every claim ever sent.
    # (find_claims is newest first; the file lists them oldest first, as claims_for_export does)
    ready = ui.cached(entry.find_claims)(db, "", ("ready",), 100_000).claim_id.tolist()[::-1]
    resend = st.text_input("Add a sent claim to resend: find by claim id, client id or last name",
                           key="x12_find", placeholder="e.g. C0001234, MX000123 or Rowan")
    sent = (ui.cached(entry.find_claims)(db, resend, ("submitted", "denied", "appealed"))
            .claim_id.tolist() if resend.strip() else [])
    LIST_READY_AT_MOST = 200  # Streamlit checks each chosen value against every option: O(n²)
    if len(ready) <= LIST_READY_AT_MOST:
        offered = list(dict.fromkeys(ready + st.session_state.get("x12_claims", []) + sent))
        chosen = st.multiselect("Claims", offered, default=ready, key="x12_claims",
                                help="Ready claims are chosen; search above to add a sent claim "
                                     "(the newest 200 matches) and resend it.")
    else:
        # Thousands of ready claims: one box for all of them instead of a chip each (a
        # multiselect of 1,800 chosen claims took ~50 ms of every rerun at 5M lines).
        every = st.checkbox(f"Every ready claim ({len(ready):,})", value=True, key="x12_all_ready",
                            help="Untick to choose among the ready claims.")
        picked = ready if every else st.multiselect("Ready claims", ready, key="x12_ready")
        offered = list(dict.fromkeys(st.session_state.get("x12_resend", []) + sent))
        extra = st.multiselect("Sent claims to resend", offered, key="x12_resend",
                               help="Search above to add a sent claim (the newest 200 matches).")
        chosen = list(dict.fromkeys(picked + extra))
        st.caption(f"{len(chosen):,} claim(s) chosen.")
    if chosen:  # the claims going without the prior authorization their payer requires
        unauthorized = ui.cached(entry.export_authorization_notes)(db, tuple(chosen))
        if unauthorized:
            st.warning("\n".join(f"- {ui.literal(w)}" for w in unauthorized[:20]) + (
                f"\n- and {len(unauthorized) - 20:,} more" if len(unauthorized) > 20 else ""))
    if st.button("Create 837P", disabled=not chosen or present, icon=":material/description:"):
        with ui.action("Nothing was exported."):
            privacy.refuse_claim_file(ui.present_mode())  # on the server, not only a grey button
            built: list[bytes] = []
            # The download's bytes are built inside the export's transaction: the claims become
            # submitted only once the file exists.
            write_837p(db, chosen, user=user,
                       deliver=lambda text: built.append(text.encode("ascii", "replace")))
            st.session_state["x12_837p"] = built[0]
            ui.after_write()
    if (data_837p := st.session_state.get("x12_837p")) and not present:
        # Served when clicked, to this signed-in session only (metdash.ui.gate).
        st.download_button("Download 837P", lambda: data_837p,
                           file_name="claims.837", mime="text/plain", icon=":material/download:")


if to_send:
    claim_file()

def uploaded(files) -> tuple[str, ...]:
    """The files in the uploader, by the uploader's own ids. "Whose is this 835?" is asked of
    the files that were imported; it went on showing after other files were chosen, and its
    "Remember and import again" would have imported those under the first file's answer."""
    return tuple(f.file_id for f in files)


st.subheader("Import 835 files", help="ERA files from your clearinghouse. Each file is imported "
             "whole or not at all; a payment already imported is skipped, and a file reusing "
             "the trace number of another payment is refused.")
files = st.file_uploader("835 remittance files", type=["835", "edi", "txt", "x12", "era"],
                         accept_multiple_files=True, key="era_files")
if files and st.button("Import", type="primary", icon=":material/upload:"):
    big = [f.name for f in files if f.size > MAX_MB * 1024 * 1024]
    if big:
        ui.show_problems([f"{n} is larger than {MAX_MB} MB: split it or import it with "
                          "`metdash import-835`." for n in big], heading="Nothing was imported.")
    else:
        with ui.action("Nothing was imported."), st.spinner(
                f"Posting {len(files)} file(s), each whole or not at all…"):
            # A copy to go back to, as the CLI takes: just before the first file that writes.
            s = import_835(db, [(f.name, f.getvalue()) for f in files], user,
                           before_write=lambda: backup.before_import(db))
            ui.after_write()
            kind, headline = s.headline()
            if kind:
                (st.success if kind == "success" else st.info)(headline)
            for note in s.notes:
                st.info(note, icon=":material/info:")
            if s.problems:  # each file's in file order; "Nothing was imported." said once
                ui.show_problems(s.problems, heading="Some files were refused: nothing of "
                                 "them was imported." if s.payments else
                                 "Nothing was imported.")
            st.session_state["era_unknown"] = (uploaded(files), s.unknown_payers)


def whose_835(unknown: list[tuple[str, tuple[str, ...], int | None]]) -> None:
    """A refused 835 from a payer on file under none of its names or ids: the biller says
    whose it is, once; its name (and ids) are kept for that payer and the files imported
    again (metdash.entry.payer_names)."""
    payers = ui.cached(entry.choices)(db, "payers")
    names = dict(zip(payers.payer_id, payers.label, strict=True))
    for k, (name, ids, billed) in enumerate(unknown):
        with st.container(border=True):
            st.markdown(f"**Whose is this 835?** It names its payer {ui.literal(name)}"
                        + (f" ({ui.literal(', '.join(ids))})" if ids else "")
                        + ", a name no payer on file has.")
            # the payer its claims are billed to, when they are all one payer's
            payer = st.selectbox("It is", list(names), format_func=names.get,
                                 index=list(names).index(billed) if billed in names else None,
                                 placeholder="Choose the payer", key=f"era_who_{k}")
            keep = st.multiselect("Remember for its next 835s", [name, *ids], default=[name],
                                  key=f"era_keep_{k}", help="The N1*PR name, and its ids "
                                  "(REF*2U, N104, TRN03) if they are this payer's alone.")
            if st.button("Remember and import again", key=f"era_remember_{k}",
                         disabled=payer is None or not keep, type="primary"):
                with ui.action("Nothing was kept or imported."):
                    ui.require("billing")
                    entry.add_remittance_names(db, int(payer), keep, user)
                    s = import_835(db, [(f.name, f.getvalue()) for f in files], user,
                                   before_write=lambda: backup.before_import(db))
                    ui.after_write()
                    st.session_state["era_unknown"] = (uploaded(files), s.unknown_payers)
                    kind, headline = s.headline()
                    if kind:
                        (st.success if kind == "success" else st.info)(headline)
                    if s.problems:
                        ui.show_problems(s.problems, heading="Nothing was imported.")


asked_for, unknown = st.session_state.get("era_unknown", ((), []))
if files and unknown and asked_for == uploaded(files):
    whose_835(unknown)
kept_names = ui.cached_shared(entry.remittance_names)(db)
if not kept_names.empty:
    with st.expander(f"Payers' other names on their 835s ({len(kept_names)})"):
        ui.table(ui.columns(kept_names, [c for c in kept_names.columns if c != "name_id"]),
                 key="era_names",
                 labels={"remittance_name": "Name or id on its 835s", "user_name": "Kept by",
                         "created_at": "Kept on"})
        forget = dict(zip(kept_names.name_id, kept_names.payer + ": "
                          + kept_names.remittance_name, strict=True))
        gone = st.selectbox("Forget one (its 835s are refused again until kept)", list(forget),
                            format_func=forget.get, index=None, key="era_forget")
        if st.button("Forget it", key="era_forget_go", disabled=gone is None):
            with ui.action():
                ui.require("billing")
                entry.remove_remittance_name(db, int(gone), user)
                ui.after_write()
                st.rerun()

st.subheader("Import acknowledgments (999, 277CA)", help="The clearinghouse's 999 says whether "
             "it accepted each 837P file; the payer's 277CA whether it accepted each claim. "
             "Rejected claims go to the work list 'Claims rejected — fix and resend' (a "
             "rejected secondary claim back to 'Bill the secondary'). Each file "
             "is imported whole or not at all; an acknowledgment already imported is skipped.")
ack_files = st.file_uploader("999 / 277CA files", type=["999", "277", "edi", "txt", "x12"],
                             accept_multiple_files=True, key="ack_files")
if ack_files and st.button("Import acknowledgments", icon=":material/upload:"):
    big = [f.name for f in ack_files if f.size > MAX_MB * 1024 * 1024]
    if big:
        ui.show_problems([f"{n} is larger than {MAX_MB} MB: import it with "
                          "`metdash import-ack`." for n in big], heading="Nothing was imported.")
    else:
        with ui.action("Nothing was imported."):
            a = import_acks(db, [(f.name, f.getvalue()) for f in ack_files], user,
                            before_write=lambda: backup.before_import(db))
            ui.after_write()
            kind, headline = a.headline()
            if kind:
                (st.success if kind == "success" else st.info)(headline)
            if a.problems:  # each file's in file order; "Nothing was imported." said once
                ui.show_problems(a.problems, heading="Some files were refused: nothing of "
                                 "them was imported." if a.acknowledgments else
                                 "Nothing was imported.")
recent_acks = ui.cached_shared(acks.recent_acknowledgments)(db)
if not recent_acks.empty:
    with st.expander(f"Recent acknowledgments ({len(recent_acks)})"):
        ui.table(recent_acks, key="recent_acks", download="acknowledgments",
                 formats={"ack_date": "date"}, labels={"not_ours": "Not our claims"})

st.subheader("Recent remittances")
# Shared, not copied (a rerun re-reads nothing and each table is prepared once per result)
recent = ui.cached_shared(recent_remittances)(db)
if recent.empty:
    st.info("No remittance yet: import an 835 file above.")
else:
    ui.table(ui.columns(recent, [c for c in recent.columns if c != "remittance_id"]),
             key="recent", download="remittances",
             formats={"amount": "money", "provider_adjustments": "money", "claims": "count",
                      "payment_date": "date"},
             labels={"provider_adjustments": "PLB", "trace_number": "Trace"})


def deposits_and_unmatched() -> None:
    """The deposit reconciliation of the recent remittances, the unmatched claim payments
    (and posting one to its claim), and the 837P section when it comes last."""
    if not recent.empty:
        st.subheader("Deposit reconciliation", help=RULE)
        money = {c: "money" for c in ("deposit", "claim_payments", "interest", "recoupments",
                                      "other_plb", "difference")}
        deposits = ui.cached_shared(deposit_reconciliation)(db, recent.remittance_id.tolist())
        ui.table(ui.columns(deposits, [c for c in deposits.columns if c != "remittance_id"]),
                 key="deposits",
                 download="deposit_reconciliation", formats={**money, "payment_date": "date"},
                 labels={"other_plb": "Other PLB"})
    unmatched_payments()
    if not to_send:
        claim_file()


def unmatched_payments() -> None:
    st.subheader("Unmatched claim payments", help="Claims in 835 files whose claim id is not "
                 "one of ours (or that the payer says are not its own): find the claim and "
                 "correct it.")
    unmatched = ui.cached_shared(unmatched_claim_payments)(db)
    if unmatched.empty and recent.empty:
        st.info("No claim payment yet: they come with the 835 files imported above.")
        return
    if unmatched.empty:
        st.success("Every claim payment matched a claim.")
        return
    ui.table(unmatched, key="unmatched", download="unmatched_claim_payments",
             formats={"charge": "money", "paid": "money", "patient_responsibility": "money",
                      "payment_date": "date"}, labels={"clp01": "Claim id sent"})
    # A claim id the payer mistyped: the biller who finds the claim posts the payment there
    # (the same checks as an 835: payer, charge, never below zero).
    postable = ui.cached(unassigned_claim_payments)(db, ui.present_mode())
    if postable.empty:
        return
    with st.expander("Post an unmatched payment to its claim"):
        labels = dict(zip(postable.claim_payment_id, postable.label, strict=True))
        cpid = st.selectbox("Payment", list(labels), format_func=labels.get,
                            key="assign_payment")
        named = postable.set_index("claim_payment_id").lines_name.get(cpid)
        if isinstance(named, str):  # its SVCs echo our line ids: the claim is known
            st.caption(f"Its service lines name claim {ui.literal(named)} (REF*6R, the line "
                       "ids our 837P sent): the payer mistyped only the claim id.")
        claim = ui.claim_picker(db, "The claim it pays", key="assign_claim")
        go = st.button("Post the payment to this claim", key="assign_go", disabled=not claim)
        go_named = isinstance(named, str) and st.button(
            f"Post it to claim {named}", key="assign_named", type="primary")
        if go or go_named:
            with ui.action():
                ui.require("billing")
                done = assign_claim_payment(db, int(cpid), claim if go else named, user)
                ui.after_write()
                back = "; ".join(r.words() for r in done.returned)
                st.success(f"Posted to claim {ui.literal(done.claim_id)}, now "
                           f"{done.status.replace('_', ' ')}"
                           + (f" ({back}: the payer paid it)." if back else "."))


# Drawn after the recent remittances are painted, when the page is just opened: their
# tables and widgets held the first table back (benchmarks/NOTES.md, "Twenty-fourth pass").
# Every write in it (posting an unmatched payment, the 837P export) changes only what it
# draws itself.
ui.after_paint(deposits_and_unmatched, "remittance_tables", 300 if recent.empty else 700)
