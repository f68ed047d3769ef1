"""Learnable causes of denial in the demo practice (issue 18: denial risk before sending).

The demo used to deny claims at random (a per-payer rate, a reason drawn from a mix). A real
practice's denials mostly have causes a biller can see before sending, and the denial-risk
model (:mod:`metdash.risk`) should find them. Four causes, alongside the random noise that
stays (at 70% of each payer's old rate):

- **missing prior authorization**: 8% of the referrals of payers that require one carry no
  prior-authorization number; their claims are denied CO-197 two times in three;
- **missing modifier**: a line without GP is denied CO-4 (kept from before: the claims
  denied CARC 4 are the ones whose lines lack GP);
- **diagnosis–procedure mismatch**: 97112 (neuromuscular re-education) billed for a knee
  osteoarthritis diagnosis (M17.*) is denied CO-11 on that line half the time;
- **visit limit**: Summit Health Plan covers 12 visits a client a calendar year; from the
  13th visit its claims are denied CO-119 (benefit maximum) 70% of the time.

Every draw comes from its own random stream (stages 40-42), so the rest of the practice
is the same as before for the same seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

CAUSES = ("besides random denials, four causes a biller can see before sending: claims of "
          "referrals with no prior authorization for payers that require one (CO-197), lines "
          "without the GP modifier (CO-4), 97112 billed for knee osteoarthritis, M17 "
          "(CO-11), and Summit Health Plan visits past 12 in a calendar year (CO-119).")
NOISE_SHARE = 0.7          # the random denials kept, as a share of each payer's rate
NO_AUTH_SHARE = 0.08       # referrals of auth-requiring payers with no auth number
NO_AUTH_DENIED = 0.65
MISMATCH_CPT = "97112"
MISMATCH_DX = ("M17.",)    # knee osteoarthritis: no neuromuscular re-education
MISMATCH_DENIED = 0.5
VISIT_LIMITS = {"Summit Health Plan": 12}   # covered visits a client a calendar year
VISIT_LIMIT_DENIED = 0.7


def referrals_without_auth(plan: Any, needs_auth: np.ndarray) -> np.ndarray:
    """Per referral: True when the front desk never obtained the prior authorization the
    payer requires (the referral's ``prior_auth_number`` stays empty)."""
    rng = plan.rng(40)
    return needs_auth & (rng.random(len(needs_auth)) < NO_AUTH_SHARE)


def _visit_number(client: np.ndarray, year: np.ndarray, date: np.ndarray) -> np.ndarray:
    """1, 2, 3 ... per client and calendar year, in date order."""
    n = len(client)
    order = np.lexsort((np.arange(n), date, year, client))
    key = (client * 10000 + year)[order]
    start = np.r_[True, key[1:] != key[:-1]] if n else np.zeros(0, bool)
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0)) if n else start
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n) - first + 1
    return out


def whole_claim_denials(b: Any, u: np.ndarray, deny_p: np.ndarray,
                        payers: list[dict[str, Any]]) -> np.ndarray:
    """Per claim of the demo builder ``b`` (its ``payers`` table): denied as a whole at first
    adjudication. The random noise (``u < NOISE_SHARE * deny_p``) plus the
    missing-authorization and visit-limit causes; the causes' reasons are kept in
    ``b.c_cause_carc`` (else "")."""
    p = b.p
    names = [x["name"] for x in payers]
    rng = p.rng(41)
    nc = len(u)
    needs_auth = np.array([x["auth"] for x in payers])[p.payer]
    no_auth = referrals_without_auth(p, needs_auth)[b.c_ref]
    year = b.c_date.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    visit = _visit_number(p.client[b.c_ref], year, b.c_date)
    limit = np.full(nc, 10**6)
    for name, visits in VISIT_LIMITS.items():
        limit[b.c_payer == names.index(name)] = visits
    r = rng.random(nc)
    cause = np.full(nc, "", dtype=object)
    cause[(visit > limit) & (r < VISIT_LIMIT_DENIED)] = "119"
    cause[no_auth & (r < NO_AUTH_DENIED)] = "197"
    b.c_cause_carc = np.where(b.c_adjudicated, cause, "").astype(object)
    return b.c_adjudicated & ((u < NOISE_SHARE * deny_p) | (b.c_cause_carc != ""))


def apply_causes(b: Any, li_sess: np.ndarray, li_col: np.ndarray, codes: np.ndarray,
                 dx_labels: list[str]) -> None:
    """After the demo builder ``b`` drew its reasons: the claims denied for a cause carry
    the cause's reason, and 97112 lines billed for a knee osteoarthritis diagnosis are
    denied CO-11 (a line denial) half the time when nothing else denied their claim.
    ``li_sess``/``li_col``: each line's claim and code column (of ``codes``); diagnoses are
    indices into ``dx_labels``."""
    p = b.p
    rng = p.rng(42)
    caused = b.c_cause_carc != ""
    b.c_carc[caused] = b.c_cause_carc[caused]
    b.c_clp4[caused] = False
    on_caused = caused[li_sess]
    b.l_carc[on_caused] = b.c_carc[li_sess][on_caused]   # every line of the claim: its reason
    primary = np.array(dx_labels, dtype=object)[p.dx[b.c_ref, 0]]
    mismatch_dx = np.array([str(d).startswith(MISMATCH_DX) for d in primary])
    line = (np.asarray(codes)[li_col] == MISMATCH_CPT) & mismatch_dx[li_sess]
    line &= (b.c_adjudicated & ~b.c_whole & ~b.c_linedeny & (b.c_nlines >= 2))[li_sess]
    line &= rng.random(len(li_sess)) < MISMATCH_DENIED
    hit = np.nonzero(line)[0]
    b.l_denied_first[hit] = True
    b.l_carc[hit] = "11"
    b.c_linedeny[li_sess[hit]] = True
    b.c_line_carc[li_sess[hit]] = "11"
