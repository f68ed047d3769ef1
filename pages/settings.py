"""Settings: the practice, providers, payers, fee schedule, the practice's own CPT codes,
Medicare's KX thresholds by year, adjustment classes, and who may sign in (unlock a user)."""

import streamlit as st

from metdash import acks, adjustment_classes, auth, entry, ui
from metdash.entry import clearinghouse as ch

db = ui.page_start("Settings", permission="owner")
user = ui.current_user()
choices = ui.cached(entry.choices)
practice = choices(db, "practice")
payers = choices(db, "payers")
cur = practice.iloc[0].to_dict() if not practice.empty else {}


def _v(key: str, default: str = "") -> str:
    value = cur.get(key)
    return default if value is None or value != value else str(value)


RULES = ui.UNITS_RULES


def _edit_payer(payers_now):
    """A payer's rules changed (its name stays: remittances are matched to it)."""
    st.subheader("Change a payer's rules",
                 help="The timely-filing limit, appeal window, usual days to payment, units "
                      "rule and what the payer requires, from its contract or provider manual: "
                      "they apply to the claims checked and listed from now on. Audited.")
    names = dict(zip(payers_now.payer_id, payers_now.label, strict=True))
    pick = st.selectbox("Payer", list(names), format_func=names.get, index=None,
                        placeholder="Pick a payer", key="pe_payer")
    if pick is None:
        return
    row = payers_now[payers_now.payer_id == pick].iloc[0]
    with st.form(f"payer_edit_{pick}"):
        c1, c2, c3 = st.columns(3)
        e_type = c1.selectbox("Type", list(entry.PAYER_TYPES), key=f"pe_type_{pick}",
                              index=list(entry.PAYER_TYPES).index(row.payer_type),
                              format_func=ui.words)
        e_id = c2.text_input("Clearinghouse payer id", row.clearinghouse_payer_id or "",
                             key=f"pe_id_{pick}")
        e_tf = c3.number_input("Timely filing (days)", 1, 3650, int(row.timely_filing_days),
                               key=f"pe_tf_{pick}")
        e_aw = c1.number_input("Appeal window (days)", 1, 3650, int(row.appeal_window_days),
                               key=f"pe_aw_{pick}")
        e_lag = c2.number_input("Usual days to payment", 1, 365, int(row.usual_lag_days),
                                key=f"pe_lag_{pick}")
        e_rule = c3.selectbox("Units rule", list(RULES), index=list(RULES).index(row.units_rule),
                              format_func=RULES.get, key=f"pe_rule_{pick}")
        e_ref = c1.checkbox("Requires a referral", bool(row.requires_referral),
                            key=f"pe_ref_{pick}")
        e_auth = c2.checkbox("Requires prior authorization", bool(row.requires_prior_auth),
                             key=f"pe_auth_{pick}")
        if st.form_submit_button("Save payer", type="primary"):
            with ui.action():
                entry.save_payer(db, entry.PayerIn(row.label, e_type, e_id or None, int(e_tf),
                                                   int(e_aw), e_rule, e_ref, e_auth, int(e_lag)),
                                 user, payer_id=int(pick))
                ui.after_write()
                # Again with the store as it now is: the payers table above showed the old rules.
                ui.saved_then_fresh(f"{ui.literal(row.label)} saved.")


def _text(value) -> str:
    return value if isinstance(value, str) else ""  # a missing credential reads as NaN


def _edit_provider(providers_now):
    """A provider's name, credential and taxonomy changed (its NPI stays: claims were made
    under it; another NPI is another provider)."""
    st.subheader("Change a provider",
                 help="The name, credential and taxonomy that go on every 837P (loop 2310B): "
                      "name here a provider the claims import added as 'Imported provider'. "
                      "The NPI is not changed: for another NPI, add a provider. Audited.")
    names = dict(zip(providers_now.provider_id, providers_now.label, strict=True))
    pick = st.selectbox("Provider", list(names), format_func=names.get, index=None,
                        placeholder="Pick a provider", key="pve_provider")
    if pick is None:
        return
    row = providers_now[providers_now.provider_id == pick].iloc[0]
    with st.form(f"provider_edit_{pick}"):
        c1, c2, c3 = st.columns(3)
        c1.text_input("NPI", row.npi, key=f"pve_npi_{pick}", disabled=True)
        e_last = c2.text_input("Last name", row.last_name, key=f"pve_last_{pick}")
        e_first = c3.text_input("First name", row.first_name, key=f"pve_first_{pick}")
        e_cred = c1.text_input("Credential", _text(row.credential), key=f"pve_cred_{pick}")
        e_tax = c2.text_input("Taxonomy", _text(row.taxonomy), key=f"pve_taxonomy_{pick}")
        if st.form_submit_button("Save provider", type="primary"):
            with ui.action():
                entry.save_provider(db, entry.ProviderIn(row.npi, e_last, e_first,
                                                         e_cred or None, e_tax or None,
                                                         bool(row.active)),
                                    user, provider_id=int(pick))
                ui.after_write()
                # Again with the store as it now is: the table and picker show the new name.
                ui.saved_then_fresh(f"Provider {ui.literal(e_last.strip())}, "
                                    f"{ui.literal(e_first.strip())} ({row.npi}) saved.")


tab_pr, tab_prov, tab_pay, tab_fee, tab_cpt, tab_kx, tab_cls, tab_users, tab_ch = st.tabs(
    ["Practice", "Providers", "Payers", "Fee schedule", "CPT codes", "KX thresholds",
     "Adjustment classes", "Users", "Clearinghouse"], key="settings_tab", on_change="rerun")
# Only the open tab runs (a tab switch reruns the page): a rerun draws one tab's forms and
# tables, not seven.

if tab_pr.open:
    with tab_pr, st.form("practice"):
        c1, c2, c3 = st.columns(3)
        name = c1.text_input("Practice name", _v("name"), key="pr_name")
        npi = c2.text_input("Billing NPI", _v("billing_npi"), key="pr_npi")
        tax = c3.text_input("Tax id (EIN)", _v("tax_id"), key="pr_tax")
        taxonomy = c1.text_input("Taxonomy", _v("taxonomy"), key="pr_taxonomy")
        address = c2.text_input("Address", _v("address_line1"), key="pr_address")
        city = c3.text_input("City", _v("city"), key="pr_city")
        state = c1.text_input("State", _v("state"), key="pr_state")
        zip_ = c2.text_input("ZIP", _v("zip"), key="pr_zip")
        phone = c3.text_input("Phone", _v("phone"), key="pr_phone")
        if st.form_submit_button("Save practice", type="primary"):
            with ui.action():
                entry.save_practice(db, entry.PracticeIn(name, npi, tax, taxonomy or None, address,
                                                         city, state, zip_, phone), user)
                ui.after_write()
                st.success("Practice saved.")
        for notice in entry.practice_notices(zip_):
            st.warning(notice)

if tab_pr.open:
    with tab_pr, st.form("ack_wait"):
        wait = st.number_input("Days to wait for the payer's acknowledgment (277CA)", 1,
                               acks.MAX_WAIT_DAYS, ui.cached(acks.ack_wait_days)(db),
                               key="pr_ack_wait", help="A submitted claim with no 277CA after "
                               "this many days is listed on the work list 'Claims with no "
                               "acknowledgment'.")
        if st.form_submit_button("Save waiting time"):
            with ui.action():
                acks.save_ack_wait_days(db, int(wait), user)
                ui.after_write()
                st.success(f"Claims are listed after {int(wait)} day(s) with no 277CA.")

if tab_prov.open:
    with tab_prov:
        with ui.entry_form("provider") as form:
            c1, c2, c3 = st.columns(3)
            p_npi = c1.text_input("NPI", key="pv_npi")
            p_last = c2.text_input("Last name", key="pv_last")
            p_first = c3.text_input("First name", key="pv_first")
            p_cred = c1.text_input("Credential", key="pv_cred")
            p_tax = c2.text_input("Taxonomy", key="pv_taxonomy")
            if st.form_submit_button("Add provider", type="primary"):
                with ui.action():
                    entry.save_provider(db, entry.ProviderIn(p_npi, p_last, p_first, p_cred or None,
                                                             p_tax or None), user)
                    ui.after_write()
                    ui.saved_then_fresh("Provider added.", fresh=form)
        providers_now = choices(db, "providers")
        ui.table(providers_now.drop(columns=["label"]))
        _edit_provider(providers_now)

if tab_pay.open:
    with tab_pay:
        with ui.entry_form("payer") as form:
            c1, c2, c3 = st.columns(3)
            y_name = c1.text_input("Payer name", key="py_name")
            y_type = c2.selectbox("Type", list(entry.PAYER_TYPES), key="py_type",
                                  format_func=ui.words)
            y_id = c3.text_input("Clearinghouse payer id", key="py_id")
            y_tf = c1.number_input(
                "Timely filing (days)", 1, 3650, None, key="py_tf",
                placeholder="Blank: 365 Medicare, else 90",
                help="How many days from the date of service the payer accepts a claim (its "
                     "provider manual or contract). Left blank: 365 for Medicare (12 months), "
                     "90 for any other payer, the shortest typical for commercial payers "
                     "(90-180), so the filing-risk list warns early.")
            y_aw = c2.number_input(
                "Appeal window (days)", 1, 3650, None, key="py_aw",
                placeholder="Blank: 120 Medicare, else 60",
                help="How many days after the payer's first denial it accepts an appeal (its "
                     "provider manual or contract). Left blank: 120 for Medicare "
                     "(redetermination), 60 for any other payer, the shortest typical (60-180), "
                     "so the appeal deadline shows early.")
            y_lag = c3.number_input("Usual days to payment", 1, 365, 30, key="py_lag")
            y_rule = c1.selectbox("Units rule", list(RULES), key="py_rule", format_func=RULES.get,
                                  help="CMS 8-minute rule: over the client's timed minutes of "
                                       "the day together; per code: each code's minutes of "
                                       "the day on their own.")
            y_ref = c2.checkbox("Requires a referral", key="py_ref")
            y_auth = c3.checkbox("Requires prior authorization", key="py_auth")
            if st.form_submit_button("Add payer", type="primary"):
                filing = int(y_tf) if y_tf is not None else entry.default_filing_days(y_type)
                window = int(y_aw) if y_aw is not None else entry.default_appeal_days(y_type)
                defaults = [f"{what} {days} days" for what, days, typed in (
                    ("timely filing", filing, y_tf), ("appeal window", window, y_aw))
                    if typed is None]
                with ui.action():
                    entry.save_payer(db, entry.PayerIn(y_name, y_type, y_id or None, filing,
                                                       window, y_rule, y_ref, y_auth, int(y_lag)),
                                     user)
                    ui.after_write()
                    # Every field starts afresh for the next payer: the name stayed in the
                    # form, then the type and the referral / prior authorization ticks (the
                    # next payer was saved requiring both: a new-user trial).
                    ui.saved_then_fresh(
                        "Payer added." + (
                            f" {' and '.join(defaults).capitalize()}: the defaults for a "
                            f"{ui.words(y_type).lower()} payer; change them below if its "
                            "contract or manual says otherwise." if defaults else ""),
                        fresh=form)
        # Read again after the form: the list read at the top predates a payer just added,
        # and its label column is the payer's name.
        payers_now = choices(db, "payers")
        ui.table(payers_now.rename(columns={"label": "name"}))
        _edit_payer(payers_now)

if tab_fee.open:
    with tab_fee:
        known = ui.cached(entry.code_list)(db)
        codes = sorted(known)
        with ui.entry_form("fee") as form:
            c1, c2, c3 = st.columns(3)
            f_cpt = c1.selectbox("Code", codes, key="fe_cpt")
            f_amount = c2.text_input("Charge per unit (or payer's allowed)", key="fe_amount")
            f_payer = c3.selectbox("For payer (empty = the practice's charge)",
                                   [""] + list(payers.label), key="fe_payer")
            if st.form_submit_button("Save fee", type="primary"):
                pid = (int(payers.loc[payers.label == f_payer, "payer_id"].iloc[0])
                       if f_payer else None)
                with ui.action():
                    entry.save_fee(db, f_cpt, f_amount, user, payer_id=pid)
                    ui.after_write()
                    ui.saved_then_fresh(f"Fee for {ui.literal(f_cpt)} saved.", fresh=form)
        left, right = st.columns(2)
        with left:
            st.markdown("**Your charges**")
            ui.table(choices(db, "fees"), key="fees", labels={"charge": "Charge per unit"})
        with right:
            st.markdown("**What each payer allows**")
            ui.table(choices(db, "payer_fees"), key="payer_fees")

if tab_cpt.open:
    with tab_cpt:
        with ui.entry_form("cpt") as form:
            c1, c2 = st.columns([1, 3])
            k_cpt = c1.text_input("Code", key="cp_cpt")
            k_desc = c2.text_input("Description (in your own words, never the AMA text)",
                                   key="cp_desc")
            k_timed = c1.checkbox("Timed (15-minute units)", value=True, key="cp_timed")
            k_eval = c2.checkbox("An evaluation", key="cp_eval")
            if st.form_submit_button("Add code", type="primary"):
                with ui.action():
                    entry.save_cpt_code(db, k_cpt, k_desc, k_timed, user, k_eval)
                    ui.after_write()
                    ui.saved_then_fresh(f"Code {ui.literal(k_cpt.strip().upper())} added.",
                                        fresh=form)
        known = ui.cached(entry.code_list)(db)
        ui.table([{"cpt": c.cpt, "description": c.description, "timed": c.timed,
                   "evaluation": c.is_evaluation} for c in known.values()])

if tab_kx.open:
    with tab_kx:
        st.caption("Medicare's therapy threshold by calendar year (PT and speech-language pathology "
                   "together), counted per client per year on Medicare-allowed amounts: past it, "
                   "therapy lines need the KX modifier. Past the review amount a claim may be "
                   "picked for targeted medical review (a warning). The year of the date of "
                   "service picks the row.")
        ui.table(choices(db, "kx_thresholds"), key="kx_thresholds",
                 formats={"threshold": "money", "review_threshold": "money"})

if tab_cls.open:
    with tab_cls:
        st.caption("What each adjustment (group + reason code) does to the money, used by 835 "
                   "posting, hand-posted EOBs, claim status, the work lists and every figure. A code "
                   "with no row is a denial (it stays owed until resolved). A payer's own row wins "
                   "over 'every payer'. Saving recomputes every claim's balance.")
        classes = ui.cached(adjustment_classes.table)(db)
        ui.table(classes.drop(columns=["payer_id"]).assign(
            **{"class": classes["class"].map(adjustment_classes.CLASS_LABELS)}), key="classes")
        payer_names = {0: "every payer", **dict(zip(payers.payer_id, payers.label, strict=True))}
        with ui.entry_form("adjustment_class") as form:
            c1, c2, c3, c4 = st.columns(4)
            k_payer = c1.selectbox("Payer", list(payer_names), format_func=payer_names.get,
                                   key="k_payer")
            k_group = c2.selectbox("Group", adjustment_classes.GROUP_CODES, key="k_group")
            k_carc = c3.text_input("Reason code (CARC)", key="k_carc", placeholder="e.g. 59")
            k_class = c4.selectbox("Class", adjustment_classes.CLASSES, key="k_class",
                                   format_func=adjustment_classes.CLASS_LABELS.get)
            k_note = st.text_input("Note (why)", key="k_note",
                                   placeholder="e.g. this payer uses CO-59 for its multiple-"
                                               "procedure reduction")
            save, remove = st.columns(2)
            if save.form_submit_button("Save class", type="primary"):
                with ui.action():
                    with st.spinner("Recomputing every claim's balance..."):
                        n = adjustment_classes.save(db, int(k_payer), k_group, k_carc, k_class,
                                                    user, k_note)
                    ui.after_write()
                    ui.saved_then_fresh(f"{k_group}-{ui.literal(k_carc.strip().upper())} is "
                                        f"now {k_class.replace('_', ' ')}; {n:,} claims "
                                        "recomputed.", fresh=form)
            if remove.form_submit_button("Remove this row"):
                with ui.action():
                    with st.spinner("Recomputing every claim's balance..."):
                        adjustment_classes.remove(db, int(k_payer), k_group, k_carc, user)
                    ui.after_write()
                    ui.saved_then_fresh("Row removed.", fresh=form)

if tab_users.open:
    with tab_users:
        st.caption(f"Who may sign in. After {auth.LOCK_AFTER} failed sign-ins in a row from one "
                   "computer, that username is paused there for 30 seconds, doubling up to "
                   "15 minutes; other computers are not affected, and the account itself is "
                   "never locked. Unlock lifts every pause of a user at once. Add, disable and "
                   "change users with `metdash user ...` on the computer that holds the data.")
        status = auth.sign_in_status(db)  # not cached: pauses change by the second
        with st.form("unlock"):
            who = st.selectbox("User", status.username.tolist(), key="us_unlock_user")
            if st.form_submit_button("Unlock", icon=":material/lock_open:"):
                with ui.action("Nothing was changed."):
                    ui.require(auth.OWNER)  # on the server, whatever the browser sent
                    cleared = auth.unlock_user(db, who, by=user)
                    ui.after_write()
                    status = auth.sign_in_status(db)
                    st.success(f"{who} may sign in again at once ({cleared} paused "
                               f"computer{'s' if cleared != 1 else ''} cleared).")
        ui.table(status, key="users", labels={"failed_sign_ins": "Failed sign-ins in a row",
                                              "paused_minutes": "Paused (minutes left)"})

if tab_ch.open:
    with tab_ch:
        st.caption("What your clearinghouse gave you at enrolment (its companion guide): every "
                   "837P file carries these ids. An export is refused while one is missing.")
        now = ui.cached(ch.current_settings)(db) or ch.ClearinghouseIn()
        quals = ["", *ch.ISA_QUALIFIERS]

        def _q(value: str | None) -> int:
            return quals.index(value) if value in quals else 0

        with st.form("clearinghouse"):
            c1, c2 = st.columns(2)
            sub_id = c1.text_input("Submitter id (1000A, GS02)", now.submitter_id or "",
                                   key="ch_sub_id")
            sub_name = c2.text_input("Submitter name", now.submitter_name or "",
                                     key="ch_sub_name")
            con_name = c1.text_input("Contact name (blank: the submitter's)",
                                     now.contact_name or "", key="ch_con_name")
            con_phone = c2.text_input("Contact phone", now.contact_phone or "", key="ch_phone")
            rec_id = c1.text_input("Receiver id (1000B, GS03)", now.receiver_id or "",
                                   key="ch_rec_id")
            rec_name = c2.text_input("Receiver name", now.receiver_name or "",
                                     key="ch_rec_name")
            s_qual = c1.selectbox("Interchange sender qualifier (ISA05)", quals,
                                  _q(now.isa_sender_qualifier), key="ch_s_qual",
                                  format_func=lambda q: f"{q} {ch.ISA_QUALIFIERS.get(q, '')}")
            s_id = c2.text_input("Interchange sender id (ISA06)", now.isa_sender_id or "",
                                 key="ch_s_id")
            r_qual = c1.selectbox("Interchange receiver qualifier (ISA07)", quals,
                                  _q(now.isa_receiver_qualifier), key="ch_r_qual",
                                  format_func=lambda q: f"{q} {ch.ISA_QUALIFIERS.get(q, '')}")
            r_id = c2.text_input("Interchange receiver id (ISA08)", now.isa_receiver_id or "",
                                 key="ch_r_id")
            usage = c1.radio("Files are (ISA15)", ["T", "P"], horizontal=True, key="ch_usage",
                             index=1 if now.usage_indicator == "P" else 0,
                             format_func={"T": "T test", "P": "P production"}.get)
            if st.form_submit_button("Save clearinghouse settings", type="primary"):
                with ui.action():
                    ch.save_clearinghouse(db, ch.ClearinghouseIn(
                        sub_id, sub_name, con_name, con_phone, rec_id, rec_name, s_qual, s_id,
                        r_qual, r_id, usage), user)
                    ui.after_write()
                    st.success("Clearinghouse settings saved.")
        st.markdown("**Each payer's id and telehealth modifier**")
        billing = ui.cached(ch.payer_billing)(db)
        names = dict(zip(billing.payer_id, billing.name, strict=True))
        if not names:
            st.info("No payer yet: add your payers on the Payers tab first.")
        else:
            # The payer is picked outside the form, so its fields show what is on file for
            # it (inside, they stayed empty whatever the payer had: a new-user trial).
            b_payer = st.columns(3)[0].selectbox("Payer", list(names), format_func=names.get,
                                                 key="pb_payer")
            on_file = billing.set_index("payer_id").loc[b_payer]
            with st.form("payer_billing"):
                c1, c2 = st.columns(2)
                b_id = c1.text_input("Clearinghouse payer id (2010BB)",
                                     on_file.clearinghouse_payer_id, key=f"pb_id_{b_payer}")
                b_mod = c2.selectbox("Telehealth modifier (POS 02 / 10 lines)", ["", "95"],
                                     index=1 if on_file.telehealth_modifier == "95" else 0,
                                     key=f"pb_mod_{b_payer}", format_func=lambda m: m or "none")
                if st.form_submit_button("Save payer's ids", type="primary"):
                    with ui.action():
                        ch.save_payer_billing(db, int(b_payer), b_id, b_mod, user)
                        ui.after_write()
                        st.success(f"{ui.literal(names[b_payer])} saved.")
            ui.table(ui.cached(ch.payer_billing)(db).drop(columns=["payer_id"]),
                     key="payer_billing")
