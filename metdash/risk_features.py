"""What the denial-risk model knows about a claim line before it is sent (issue 18).

Every feature is a category a biller can read, computed from the claim alone and what came
before it (never from a later claim or remittance):

- ``payer``, ``cpt``, ``provider`` (the rendering provider's name);
- ``modifiers``: the line's modifiers, sorted and joined with ":" ("" = none);
- ``units``: "1", "2", "3", "4+";
- ``dx``: the category of the line's first pointed diagnosis (its first three characters:
  M17.11 -> "M17");
- ``auth``: the referral and authorization state (:data:`AUTH_WORDS`), in this order of
  precedence: no prior authorization where the payer requires one; no referral where the payer
  requires one; the service after the referral's expiry date; a visit past the authorized
  visits; else in order;
- ``visits``: the claim's visit number for the client with this payer in the calendar year,
  banded "1-12", "13-20", "21+" (visit limits);
- ``days``: how late the claim reached the payer (timely filing), banded "0-30", "31-60",
  "61-90", "91+": days from the service to the day it was sent; for a claim answered with
  no sent date on file, to the payer's received date on its first remittance (DTM*050),
  else to that first adjudication -- the payer had it by then -- and never past it (a claim
  sent again after its answer first reached the payer before); for a claim not yet sent, to
  ``as_of`` (how late it would be if sent today). So the lines a model learns from read the
  same whatever the day: only the claims not yet sent count to ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from metdash.figures.core import sql
from metdash.store import Database

FEATURES = ("payer", "cpt", "modifiers", "units", "dx", "auth", "visits", "days", "provider")

AUTH_WORDS = {
    "no_auth": "without a prior authorization",
    "no_referral": "without a referral",
    "expired": "after the referral expired",
    "over_visits": "past the authorized visits",
    "ok": "with the referral and authorization in order",
    "not_required": "where no referral or authorization is required",
}
UNITS_BANDS = ((1, "1"), (2, "2"), (3, "3"), (4, "4+"))
VISIT_BANDS = ((1, "1-12"), (13, "13-20"), (21, "21+"))
DAYS_BANDS = ((0, "0-30"), (31, "31-60"), (61, "61-90"), (91, "91+"))


def band(values: np.ndarray | pd.Series, bands: tuple[tuple[int, str], ...]) -> pd.Categorical:
    """Each value's band: the label of the last band whose lower bound it reaches (a value
    below the first bound takes the first band). ``band([0, 5, 13], VISIT_BANDS)`` ->
    ["1-12", "1-12", "13-20"]."""
    v = np.asarray(values, dtype=float)
    lows = np.array([lo for lo, _ in bands], dtype=float)
    idx = np.searchsorted(lows, np.nan_to_num(v, nan=lows[0]), side="right") - 1
    return pd.Categorical.from_codes(np.maximum(idx, 0), [label for _, label in bands])


def auth_state(lines: pd.DataFrame) -> pd.Categorical:
    """The ``auth`` feature per line of :func:`read_lines`'s frame (see the module doc)."""
    need_auth = lines["requires_prior_auth"].fillna(False).to_numpy(bool)
    need_ref = lines["requires_referral"].fillna(False).to_numpy(bool)
    has_ref = lines["referral_id"].notna().to_numpy()
    has_auth = lines["has_prior_auth"].fillna(False).to_numpy(bool)
    expiry = pd.to_datetime(lines["expiry_date"])
    served = pd.to_datetime(lines["service_date"])
    expired = (has_ref & expiry.notna() & (served > expiry)).to_numpy(bool)
    allowed = pd.to_numeric(lines["authorized_visits"], errors="coerce").to_numpy(float)
    visit = pd.to_numeric(lines["referral_visit"], errors="coerce").to_numpy(float)
    over = has_ref & ~np.isnan(allowed) & (np.nan_to_num(visit) > np.nan_to_num(allowed))
    in_order = np.where(need_auth | need_ref | has_ref, "ok", "not_required")
    state = np.select([need_auth & ~has_auth, need_ref & ~has_ref, expired, over],
                      ["no_auth", "no_referral", "expired", "over_visits"], in_order)
    return pd.Categorical(state, categories=list(AUTH_WORDS))


def reached_payer(lines: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """The day each line's claim reached the payer, as the ``days`` feature counts it (see
    the module doc): sent, else received (DTM*050) or first adjudicated, never after its
    first adjudication; ``as_of`` for a claim not answered and not sent. Rows without the
    columns first_adjudication_date, received_date (a claim being built) are not answered."""
    def dates(col: str) -> pd.Series:
        if col not in lines:
            return pd.Series(pd.NaT, index=lines.index, dtype="datetime64[us]")
        return pd.to_datetime(lines[col]).astype("datetime64[us]")

    answered = dates("first_adjudication_date")
    received = dates("received_date").where(answered.notna())
    sent = dates("submitted_date").fillna(received).fillna(answered)
    sent = sent.where(answered.isna() | (sent <= answered), answered)
    return sent.fillna(pd.Timestamp(as_of))


def features(lines: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The model's features (:data:`FEATURES`, all text) of :func:`read_lines`'s rows, in
    their order. Only claims not answered and not yet sent count their days to ``as_of``."""
    sent = reached_payer(lines, as_of)
    served = pd.to_datetime(lines["first_service_date"]).astype("datetime64[us]")
    days = (sent - served).dt.days.to_numpy()

    def text(col: pd.Series) -> pd.Series:
        return col.fillna("").astype(str).reset_index(drop=True)

    return pd.DataFrame({
        "payer": text(lines["payer"]),
        "cpt": text(lines["cpt"]),
        "modifiers": text(lines["modifiers"]),
        "units": band(lines["units"], UNITS_BANDS),
        "dx": text(lines["diagnosis"]).str[:3],
        "auth": auth_state(lines),
        "visits": band(lines["year_visit"], VISIT_BANDS),
        "days": band(days, DAYS_BANDS),
        "provider": text(lines["provider"]),
    })


def read_lines(db: Database, since: dt.date | None = None, *,
               pending_only: bool = False) -> pd.DataFrame:
    """Every line of every claim not voided (served on or after ``since`` when given, and
    every claim not yet sent; with ``pending_only`` the claims not yet sent -- draft, ready --
    alone), with what :func:`features` reads and, for the claims adjudicated,
    ``first_adjudication_date`` and ``denied`` (at the first adjudication). Columns: claim_id,
    client_id, status, payer_id, payer, line_no, cpt, modifiers (sorted, ":"-joined), units,
    service_date, diagnosis, first_service_date, submitted_date, provider_id, provider,
    requires_prior_auth, requires_referral, referral_id, has_prior_auth, authorized_visits,
    expiry_date, referral_visit, year_visit, first_adjudication_date, denied (None when not
    adjudicated), received_date (the payer's received date, DTM*050, on the first
    adjudication of a claim answered with no sent date on file; else None)."""
    return db.query(sql("risk_lines"), {"since": since, "pending_only": pending_only})


Window = tuple[dt.date | None, dt.date]


def history_counts(db: Database, *, model: Window | None = None,
                   split: Window | None = None, test_from: dt.date | None = None,
                   test_to: dt.date | None = None) -> pd.DataFrame:
    """The adjudicated lines counted by their :func:`features`, in one read of the store
    (``metdash/sql/risk_counts.sql``), in up to three parts: ``model`` and ``split`` the lines
    first adjudicated in a window (first day, or None: since the start; last day), what a
    model learns from; ``test_from`` the lines of the claims first served on or after that
    day and first adjudicated on or before ``test_to`` (None: whenever), what a time split
    tests on. Every line counted is adjudicated, so no feature reads the day it is counted
    on (:func:`reached_payer`): the same history gives the same counts on any day.

    Columns: part ("model", "split", "test"), the :data:`FEATURES` (text), half (0 or 1: the
    part's claims in claim_id order, alternately; 0 in "test"), lines, denied. One row per
    part and combination of values, in no order."""
    (model_from, model_to), (split_from, split_to) = model or (None, None), split or (None, None)
    # The text as categories (fetch_df): at 5M lines, 632,000 rows of ten columns of a few
    # dozen values each, 210 MB less at the learning's peak.
    return db.query(sql("risk_counts"), {
        "model_from": model_from, "model_to": model_to, "split_from": split_from,
        "split_to": split_to, "test_from": test_from, "test_to": test_to}, categories=True)


def remittance_state(db: Database) -> tuple[int, int]:
    """What the model learns from has changed when this changes: (claim payments on file,
    the highest claim payment id). Payments are only ever added, with growing ids."""
    row = db.query("SELECT count(*) AS n, coalesce(max(claim_payment_id), 0) AS top "
                   "FROM claim_payments").iloc[0]
    return int(row["n"]), int(row["top"])


def draft_lines(db: Database, *, claim_id: str, client_id: str, payer_id: int | None,
                referral_id: int | None, rendering_provider_id: int | None,
                diagnosis_codes: list[str], lines: list[dict[str, Any]]) -> pd.DataFrame:
    """A claim being built (not saved) as :func:`read_lines` would read it once saved: one
    row per line (``lines``: dicts with service_date, cpt, modifiers, units, dx_pointers).
    Its visit numbers count the client's earlier claims not voided. Empty without a payer or
    lines."""
    if payer_id is None or not lines:
        return pd.DataFrame()
    first = min(pd.Timestamp(ln["service_date"]).date() for ln in lines)
    ctx = db.query("""
        SELECT p.name AS payer, p.requires_prior_auth, p.requires_referral,
               coalesce(r.prior_auth_number, '') <> '' AS has_prior_auth,
               r.authorized_visits, r.expiry_date,
               (SELECT count(*) FROM claims c WHERE c.client_id = $client AND c.payer_id = p.payer_id
                  AND c.status <> 'voided' AND year(c.first_service_date) = year($first::DATE)
                  AND c.first_service_date <= $first::DATE AND c.claim_id <> $claim) + 1
                   AS year_visit,
               (SELECT count(*) FROM claims c WHERE c.referral_id = $referral
                  AND c.status <> 'voided' AND c.first_service_date <= $first::DATE
                  AND c.claim_id <> $claim) + 1 AS referral_visit,
               (SELECT pr.last_name || ', ' || pr.first_name FROM providers pr
                WHERE pr.provider_id = $provider) AS provider
        FROM payers p LEFT JOIN referrals r ON r.referral_id = $referral
        WHERE p.payer_id = $payer""", {"client": client_id, "payer": payer_id,
                                       "referral": referral_id, "first": first,
                                       "claim": claim_id, "provider": rendering_provider_id})
    if ctx.empty:
        return pd.DataFrame()
    c = ctx.iloc[0].to_dict()
    rows = []
    for no, ln in enumerate(lines, start=1):
        ptrs = list(ln.get("dx_pointers") or [1])
        ptr = ptrs[0] if ptrs and isinstance(ptrs[0], int) else 1
        dx = diagnosis_codes[ptr - 1] if 0 < ptr <= len(diagnosis_codes) else ""
        rows.append({**c, "claim_id": claim_id, "client_id": client_id, "status": "draft",
                     "payer_id": payer_id, "line_no": no, "cpt": ln["cpt"],
                     "modifiers": ":".join(sorted(ln.get("modifiers") or [])),
                     "units": ln["units"],
                     "service_date": ln["service_date"], "diagnosis": dx,
                     "first_service_date": first, "submitted_date": None,
                     "provider_id": rendering_provider_id,
                     "provider": c["provider"] or "(no provider)", "referral_id": referral_id,
                     "referral_visit": c["referral_visit"] if referral_id else None})
    return pd.DataFrame(rows)


def reason_text(cols: tuple[str, ...], values: dict[str, str], denied: float, lines: float,
                months: int | None) -> str:
    """One reason in a biller's words: who denied what share of which lines, and the counts.

    ``reason_text(("payer", "cpt", "auth"), {"payer": "Lakeside Choice HMO", "cpt": "97530",
    "auth": "no_auth"}, 37, 97, 12)`` -> "Lakeside Choice HMO denied 38% of 97530 lines
    without a prior authorization in the last 12 months (37 of 97)"."""
    what = f"{values['cpt']} lines" if "cpt" in cols else "lines"
    quals = []
    if "modifiers" in cols:
        m = values["modifiers"]
        quals.append(f"billed with modifiers {m}" if m else "billed without a modifier")
    if "dx" in cols:
        quals.append(f"for a diagnosis in {values['dx']}")
    if "units" in cols:
        quals.append(f"of {values['units']} unit{'' if values['units'] == '1' else 's'}")
    if "auth" in cols:
        quals.append(AUTH_WORDS[values["auth"]])
    if "visits" in cols:
        quals.append(f"for visits {values['visits']} of the client's year with the payer")
    if "days" in cols:
        quals.append(f"sent {values['days']} days after the service")
    if "provider" in cols:
        quals.append(f"by {values['provider']}")
    share = f"{100 * denied / lines:.0f}%" if lines else "0%"
    body = " ".join([what, *quals])
    when = f" in the last {months} months" if months else ""
    counts = f" ({denied:.0f} of {lines:.0f})"
    if "payer" in cols:
        return f"{values['payer']} denied {share} of {body}{when}{counts}"
    return f"{share} of {body} were denied{when}{counts}"
