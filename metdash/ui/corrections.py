"""The Claims page's "Edit" (a draft or ready claim) and "Correct / void" (a claim the payer
has) forms, and the claim's edit history: widgets only, the rules are
:mod:`metdash.entry.corrections`."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from metdash import entry
from metdash.entry import corrections
from metdash.store import Database
from metdash.ui.cache import after_write, cached
from metdash.ui.frame import action, saved_then_fresh
from metdash.ui.text import literal
from metdash.ui.widgets import line_columns, table

KINDS = {"replacement": "Replacement claim (frequency 7): send the corrected claim",
         "void": "Void (frequency 8): withdraw the claim"}


def _frame(claim: entry.ClaimIn) -> pd.DataFrame:
    return pd.DataFrame({
        "service_date": pd.Series([ln.service_date for ln in claim.lines], dtype="object"),
        "cpt": [ln.cpt for ln in claim.lines],
        "modifiers": [":".join(ln.modifiers) for ln in claim.lines],
        "units": pd.Series([ln.units for ln in claim.lines], dtype="Int64"),
        "charge": pd.Series([float(ln.charge) for ln in claim.lines], dtype="float"),
        "dx_pointers": [",".join(str(p) for p in ln.dx_pointers) for ln in claim.lines],
        "session_id": pd.Series([ln.session_id for ln in claim.lines], dtype="Int64"),
        "place_of_service": [ln.place_of_service for ln in claim.lines]})


def _lines(frame: pd.DataFrame) -> list[entry.ClaimLineIn]:
    out = []
    for _, r in frame.iterrows():
        if all(pd.isna(r[c]) or str(r[c]).strip() == "" for c in ("service_date", "cpt")):
            continue  # an empty row the grid added
        pointers = [int(p) if p.isdigit() else p
                    for p in re.split(r"[,;\s]+", "" if pd.isna(r["dx_pointers"])
                                      else str(r["dx_pointers"])) if p]
        out.append(entry.ClaimLineIn(
            service_date=None if pd.isna(r["service_date"]) else r["service_date"],
            cpt="" if pd.isna(r["cpt"]) else str(r["cpt"]),
            units=None if pd.isna(r["units"]) else int(r["units"]),
            charge=None if pd.isna(r["charge"]) else str(r["charge"]),
            modifiers="" if pd.isna(r["modifiers"]) else str(r["modifiers"]),
            dx_pointers=pointers,
            session_id=None if pd.isna(r["session_id"]) else int(r["session_id"]),
            place_of_service="" if pd.isna(r["place_of_service"])
            else str(r["place_of_service"])))
    return out


def _pick(box: Any, label: str, frame: pd.DataFrame, column: str, current: Any, key: str,
          disabled: bool = False) -> int | None:
    labels = [""] + list(frame.label)
    now = frame.loc[frame[column] == current, "label"]
    index = labels.index(now.iloc[0]) if current is not None and len(now) else 0
    picked = box.selectbox(label, labels, index=index, key=key, disabled=disabled)
    return int(frame.loc[frame.label == picked, column].iloc[0]) if picked else None


def _claim_form(db: Database, claim: entry.ClaimIn, key: str, *, payer_fixed: bool
                ) -> entry.ClaimIn:
    """The claim's fields and lines as the biller changed them."""
    payers = cached(entry.choices)(db, "payers")
    providers = cached(entry.choices)(db, "providers")
    referrers = cached(entry.choices)(db, "referrers")
    c1, c2 = st.columns(2)
    payer = _pick(c1, "Payer", payers, "payer_id", claim.payer_id, f"{key}_payer",
                  disabled=payer_fixed)
    prov = _pick(c2, "Rendering provider", providers, "provider_id",
                 claim.rendering_provider_id, f"{key}_provider")
    ref = _pick(c1, "Referring provider", referrers, "referrer_id", claim.referrer_id,
                f"{key}_referrer")
    referral = c2.number_input("Referral # (0 = none)", min_value=0, step=1,
                               value=int(claim.referral_id or 0), key=f"{key}_referral")
    dx = st.text_input("Diagnoses, in pointer order (separated by ;)",
                       value="; ".join(claim.diagnosis_codes), key=f"{key}_dx")
    frame = st.data_editor(_frame(claim), num_rows="dynamic", key=f"{key}_lines",
                           hide_index=True, disabled=["session_id"],
                           column_config=line_columns())
    reason = st.text_input("Timely-filing reason (only when past the deadline)",
                           value=claim.timely_filing_reason or "", key=f"{key}_tf")
    return entry.ClaimIn(**{
        **claim.__dict__, "payer_id": claim.payer_id if payer_fixed else payer,
        "rendering_provider_id": prov, "referrer_id": ref, "referral_id": int(referral) or None,
        "diagnosis_codes": [c for c in re.split(r"[;,\s]+", dx) if c],
        "lines": _lines(frame), "timely_filing_reason": reason})


def _done(message: str, key: str, warnings: list[entry.Problem]) -> None:
    """The change saved: the page again, with ``message`` and the change's ``warnings`` (a
    session of the claim's day left unbilled, a charge off the fee schedule)."""
    after_write()
    saved_then_fresh(message, *[k for k in list(st.session_state) if str(k).startswith(key)],
                     warnings=[literal(w) for w in warnings])


def _what_changes(db: Database, claim_id: str, claim: entry.ClaimIn, key: str) -> bool:
    """Under a replacement's form: what it changes against the claim the payer has; when
    nothing, why it would be refused, and the box that sends it unchanged (its value)."""
    with db.connect() as con:
        changes = corrections.replacement_changes(con, claim_id, claim)
    if changes is None:  # a line not finished yet: queueing it says what is wrong
        return False
    if changes:
        st.markdown("**What the payer gets that it does not have:**\n"
                    + "\n".join(f"- {literal(c)}" for c in changes))
        return False
    st.warning("**Nothing changed yet.** As it stands this replacement is the claim the payer "
               "already has, and a replacement that changes nothing is denied as a duplicate "
               "(CARC 18). Correct what the payer denied above, or the record it names (a "
               "member id on Clients); if the payer's decision was wrong, appeal it instead "
               "(Payments → Appeals).", icon=":material/content_copy:")
    return st.checkbox(corrections.UNCHANGED, key=f"{key}_same")


def claim_changes(db: Database, claim_id: str, user: str) -> None:
    """Under a claim picked on the Claims page: "Edit" for a draft or ready claim the payer
    does not have, "Correct / void" for a submitted or denied one (a replacement, frequency
    7, or a void, frequency 8, with REF*F8), why neither is possible otherwise, and every
    change made to the claim so far."""
    with db.connect() as con:
        state = corrections.claim_state(con, claim_id)
        claim = corrections.claim_on_file(con, claim_id)
    key = f"cx_{claim_id}"
    cid = literal(claim_id)
    if state["edit"] is None:
        with st.expander(f"Edit claim {cid}", expanded=False):
            if state["frequency_code"] == "7":
                st.caption(f"A replacement of the payer's claim "
                           f"{literal(state['original_payer_claim_number'])}, not sent yet.")
            changed = _claim_form(db, claim, key, payer_fixed=state["sent"])
            note = st.text_input("Note (what was changed, and why)", key=f"{key}_note")
            if st.button("Save changes", type="primary", key=f"{key}_save"):
                with action():
                    warnings = corrections.edit_claim(db, claim_id, changed, user, note=note)
                    _done(f"Claim {cid} changed; its history below keeps what it was.", key,
                          warnings)
    elif state["correct"] is None or state["void"] is None:
        with st.expander(f"Correct / void claim {cid}", expanded=state["status"] == "denied"):
            st.caption(f"The payer has this claim as its number "
                       f"{literal(state['payer_claim_number'])}: a correction goes out as a "
                       "new 837P naming it (REF*F8); the claim keeps its number and history.")
            allowed = [k for k, refusal in (("replacement", state["correct"]),
                                            ("void", state["void"])) if refusal is None]
            kind = st.radio("Correction", allowed, format_func=KINDS.get, key=f"{key}_kind")
            for refusal in (state["correct"], state["void"]):
                if refusal:  # e.g. a claim the payer paid is replaced, not voided
                    st.caption(literal(refusal))
            changed = (_claim_form(db, claim, key, payer_fixed=True)
                       if kind == "replacement" else None)
            same_ok = changed is not None and _what_changes(db, claim_id, changed, key)
            why = st.text_input("Reason (required: it goes in the claim's history)",
                                key=f"{key}_why")
            label = "Queue the replacement" if kind == "replacement" else "Queue the void"
            if st.button(label, type="primary", key=f"{key}_go"):
                with action():
                    warnings = []
                    if changed is not None:
                        warnings = corrections.replace_claim(db, claim_id, changed, user,
                                                             reason=why, unchanged_ok=same_ok)
                    else:
                        corrections.void_claim(db, claim_id, user, reason=why)
                    _done(f"Claim {cid}: the {kind} is ready to send with the next 837P "
                          "(Remittances, or `metdash export-837`).", key, warnings)
    else:
        st.caption(literal(state["correct"] or state["edit"]))
    history = cached(corrections.edit_history)(db, claim_id)
    if not history.empty:
        with st.expander(f"Changes made to claim {cid} ({len(history)})"):
            table(history, key=f"{key}_history", formats={"edit_date": "date"})
