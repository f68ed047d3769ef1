"""Denial risk: which claims not yet sent the payer is likely to deny, and why; and how far the
model held up on this practice's own history (a time split)."""

import streamlit as st

from metdash import demo_denials, refresh, risk, ui
from metdash.metrics import format_value

db = ui.page_start("Denial risk", permission="billing")
as_of = ui.today()
model = refresh.risk_model(db, as_of)   # after new remittances: the last model, meanwhile
st.caption("Draft and ready claims: first those past their payer's timely-filing deadline (a "
           "payer's rule, not learned), then the riskiest (click a heading to sort). Learned "
           "from this practice's first adjudications of the last 12 months; refreshed when a "
           "remittance arrives. Fix what the reason names before sending.")
if model.key is None:   # none learned for this store yet: in the background (metdash.refresh)
    ui.pending(model, "Each claim's risk, learned for the first time from this practice's "
                      "claims the payers answered in the last 12 months,")
    waiting = ui.cached(risk.claims_waiting)(db)
    if not waiting.empty:
        st.markdown(f"**The {len(waiting):,} claim(s) to be scored**, oldest service first:")
        ui.table(waiting, key="risk_waiting")
else:
    # Kept as is (read-only here): the same object on a rerun, so its table and CSV are not
    # made again (a copy each rerun cost ~10 ms of CSV at 1M lines).
    frame = ui.cached_shared(risk.claims_at_risk)(db, as_of, kept=model.key)
    ui.refreshing(model, "The scores and reasons below")
    if frame.empty:
        # This page has no filters: say what is missing, not "widen the date range".
        st.info(ui.cached(risk.why_unscored)(db, as_of, kept=model.key),
                icon=":material/report:")
        waiting = ui.cached(risk.claims_waiting)(db)
        if not waiting.empty:   # what is at hand, if not scored (a new-user trial)
            st.markdown(f"**The {len(waiting):,} claim(s) not yet scored**, oldest service "
                        "first:")
            ui.table(waiting, key="risk_unscored")
    else:
        # The reason is what a biller acts on: 440 px of it beside the claim, its payer and the
        # two rates, all in view at 1280 px (160 cut it to "Summit Health Plan denie…"); the
        # grid still cuts the longest, so the riskiest ones are below in full.
        ui.table(frame, key="risk_claims", download="denial_risk", room={"risk_reason": 440})
        said = frame[frame.risk_reason.astype(str) != ""].head(5)
        if not said.empty:
            st.markdown("**Why the riskiest are risky**\n\n" + "\n".join(
                f"- {ui.literal(r.claim_id)} ({ui.literal(r.payer)}, "
                f"{format_value('denial_risk', r.denial_risk)}): "
                f"{ui.literal(r.risk_reason)}" for r in said.itertuples()))
if ui.is_demo(db):
    st.caption(f"The demo practice's denials: {demo_denials.CAUSES}")

if model.key is not None:
    with st.expander("How far to trust it: trained before a date, tested on the claims after "
                     "it", expanded=False):
        # A model learned for the first time scores the claims before its time split is done.
        split_pending = model.current and refresh.busy(model)
        ev = None if split_pending else ui.cached(risk.backtest)(db, as_of, kept=model.key)
        if split_pending:
            ui.pending(model, "The time split")
        elif ev is None:
            st.info("Not enough history yet: the test needs 200 lines adjudicated in the 12 "
                    "months before the split date and 20 adjudicated lines served after it.")
        else:
            # The model beside its baseline, three tiles a row (five cut their values and
            # labels at 1280 px: "0.76…", "AUC of the p…").
            for row in ((("risk_auc", ev.auc), ("risk_auc_baseline", ev.baseline_auc),
                         ("risk_test_denial_rate", ev.test_denial_rate)),
                        (("risk_precision_10", ev.precision_10),
                         ("risk_precision_10_baseline", ev.baseline_precision_10))):
                for col, (name, value) in zip(st.columns(3), row, strict=False):
                    ui.metric_tile(col, name, value)
            st.caption(f"Split date {ev.split_date}: trained on {ev.train_lines:,} lines first "
                       f"adjudicated in the 12 months before it ({ev.train_seconds:.1f} s), "
                       f"tested on {ev.test_lines:,} adjudicated lines of claims served since. "
                       "Baseline: each line scored by its payer's denial rate. Calibration by "
                       "decile:")
            ui.table(ev.calibration, key="risk_calibration")
