"""The cash forecast: expected collections (payer payments + patient payments, as the
Payments figure counts them) in each of the coming weeks, with a p10-p90 band, built claim
by claim from the practice's own history as of a day.

Five parts, each an expected amount and a variance per week (weeks of 7 days starting the
day after the as-of day):

1. *Open claims not adjudicated yet* (insurance A/R): each claim's chance of its first
   adjudication on each coming day, given the days it has already waited since submission
   (the lag curve of its payer and weekday of submission -- payers pay on fixed weekdays --
   when that has ``min_payer`` adjudicated claims, else its payer's, else the practice's;
   metdash.forecast.model), times the chance the adjudication pays (q) and the share of the
   charge it pays (s) -- from the payer and code when that pair has at least ``min_code``
   adjudicated claims, else from the payer when it has ``min_payer``, else from the whole
   practice -- and the payer's season (what its first adjudications paid per dollar for
   services of that half-month -- the 1st to the 15th, the 16th to the end -- ÷ all of the
   year, where the half-month has ``min_half_season`` claims, else of that calendar month:
   deductibles bite in the first weeks of January, not all month).
2. *Adjudicated claims still owed* (denied or partly paid): the same, on the clock since the
   first adjudication, the event being the payer's next payment (an appeal, a reprocessing),
   by payer (``min_payer``) else the practice; the amount is the balance owed.
3. *Services not submitted yet* (draft and ready claims, and sessions on no claim, charged
   at the fee schedule): submitted on a day drawn from the practice's own lag from service
   to submission (given the days already waited), then as part 1.
4. *Services not rendered yet*: each payer's charges a day over the last 8 weeks, every
   coming day, through the same submission lag and the payer's curve (as that many claims
   of the payer's average charge).
5. *Patient money*: the practice's patient collections per dollar charged, by days since
   the service, one curve per calendar month of service (deductibles: January's services
   bring more patient money than October's) from that month's services 120 to 485 days
   back; applied to the charges of the last 120 days and of the coming days, and levelled
   so that it gives the last 8 weeks' patient money (money naming no claim included).
   A practice too young for these curves (they give nothing for the last 8 weeks' services):
   the open patient balances at the practice's observed collection rate and delay
   (metdash.forecast.patient).

Parts 1-4 are the claim-level Bernoulli / amount model (a claim pays in week k with
probability q·p_k an amount of mean A·s, varying as the paid shares of the curve's claims
varied); part 5 a compound Poisson sum (variance: expected × the mean square ÷
the mean of the practice's patient payments). The band is analytic: p10 / p90 = expected ∓
1.2816 × the square root of the summed variances (claims independent) plus the model's own
error × expected² (how far the same forecast, made on the Mondays before, missed beyond
that variance: metdash.forecast.backtest), p10 at least 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metdash.forecast.history import History, date_of, day
from metdash.forecast.model import (
    MAX_LAG,
    LagCurve,
    band,
    bernoulli_week,
    delayed_probs,
    fit_curve,
    fit_curves,
    sorted_unique,
    unique_inverse,
    waiting_probs,
    weekly,
)
from metdash.forecast.patient import open_balances_part

PARTS = ("open_claims", "denied_or_partial", "not_submitted", "new_services", "patient")


@dataclass(frozen=True)
class Settings:
    """How much history a curve needs, and the windows the forecast looks back over."""

    min_code: int = 40       # adjudicated claims for a payer + code curve of its own
    min_payer: int = 20      # adjudicated claims (part 2: claims with a next payment) a payer
    history_days: int = 540  # claims submitted in these days before the as-of day teach
    run_rate_days: int = 56  # part 4: the charges of the last 8 weeks
    patient_window: int = 120  # part 5: days after a service its patient money is followed
    min_season: int = 20     # adjudicated claims of a calendar month for a seasonal factor
    min_half_season: int = 100  # .. of a half-month for a factor of its own (else its month's)
    season_days: int = 730   # services in these days before the as-of day set the season


DEFAULT = Settings()


class _Curves:
    """A lag curve per group value with at least ``minimum`` events (all fitted in one pass)."""

    def __init__(self, groups: np.ndarray, durations: np.ndarray, observed: np.ndarray,
                 paid: np.ndarray | None, owed: np.ndarray | None, minimum: int,
                 lags: bool = True) -> None:
        groups = np.asarray(groups, dtype=np.int64)
        values, inverse = unique_inverse(groups)
        counts = np.bincount(inverse, weights=observed, minlength=len(values))
        keep = (counts >= minimum)[inverse]
        self.fitted = fit_curves(groups[keep], durations[keep], observed[keep],
                                 None if paid is None else paid[keep],
                                 None if owed is None else owed[keep], lags) if keep.any() else {}

    def get(self, value: int) -> LagCurve | None:
        return self.fitted.get(int(value))


def _season(period: np.ndarray, paid: np.ndarray, charge: np.ndarray, minimum: int,
            fallback: np.ndarray | None = None, size: int = 12
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per period of the year (``size`` of them: 12 months, 24 half-months): (Σ paid ÷ Σ
    charge of its claims) ÷ (the same over the whole year), where the period has ``minimum``
    claims; else ``fallback``'s (else 1). Returns the factors and which periods had their
    own."""
    out = np.ones(size) if fallback is None else fallback.copy()
    total = charge.sum()
    if total <= 0 or paid.sum() <= 0:
        return out, np.zeros(size, dtype=bool)
    level = paid.sum() / total
    n = np.bincount(period, minlength=size)
    p = np.bincount(period, weights=paid, minlength=size)
    ch = np.bincount(period, weights=charge, minlength=size)
    ok = (n >= minimum) & (ch > 0)
    out[ok] = p[ok] / ch[ok] / level
    return out, ok


def _seasons(month: np.ndarray, half: np.ndarray, paid: np.ndarray, charge: np.ndarray,
             s: Settings, practice: tuple[np.ndarray, np.ndarray] | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """(the month factors, the half-month factors) of one payer's claims, or of the
    practice's (``practice`` None). A half-month's factor is its own (``min_half_season``
    claims), else its month's (``min_season``), else -- a payer -- the practice's half-month,
    else 1."""
    fallback_m = None if practice is None else practice[0]
    months, own_m = _season(month, paid, charge, s.min_season, fallback_m)
    by_month = np.repeat(months, 2)
    if practice is not None:   # a month of the payer's own, else the practice's half-month
        by_month = np.where(np.repeat(own_m, 2), by_month, practice[1])
    halves, _ = _season(half, paid, charge, s.min_half_season, by_month, 24)
    return months, halves


class _Chosen:
    """Each item's curve, as a short list of distinct curves (by identity) and each item's
    index into it: the same choice as a list with one curve per item, without building one."""

    def __init__(self, n: int, default: LagCurve) -> None:
        self.curves = [default]
        self.which = np.zeros(n, dtype=np.int64)
        self._slots = {id(default): 0}

    def set(self, items: np.ndarray, curve: LagCurve) -> None:
        slot = self._slots.setdefault(id(curve), len(self.curves))
        if slot == len(self.curves):
            self.curves.append(curve)
        self.which[items] = slot

    def groups(self) -> list[tuple[LagCurve, np.ndarray]]:
        """(curve, its items) in the order the curves first appear among the items (the
        order the sums are added in, as when grouped from a list)."""
        return [(self.curves[k], self.which == k) for k in pd.unique(self.which)]

    def amounts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(s, q, spread) of each item's curve."""
        return (np.array([cv.share for cv in self.curves])[self.which],
                np.array([cv.pays for cv in self.curves])[self.which],
                np.array([cv.spread for cv in self.curves])[self.which])


class _Model:
    """The curves as of one day: adjudication (part 1), next payment (part 2), the
    submission lag (parts 3 and 4)."""

    def __init__(self, h: History, d: int, s: Settings) -> None:
        c = h.claims
        self.d, self.s = d, s
        live = c["voided"] > d
        taught = live & (c["submitted"] <= d) & (c["submitted"] > d - s.history_days)
        adjudicated = c["first_adj"] <= d
        dur = np.where(adjudicated, c["first_adj"] - c["submitted"], d - c["submitted"])
        obs = adjudicated
        pk = h.pair
        t = np.flatnonzero(taught)  # each column below taken once, not once per curve
        dur_t, obs_t, paid_t, charge_t = dur[t], obs[t], c["first_paid"][t], c["charge"][t]
        payer_t, submitted_t = c["payer_id"][t], c["submitted"][t]
        self.adj_practice = fit_curve(dur_t, obs_t, paid_t, charge_t)
        self.adj_payer = _Curves(payer_t, dur_t, obs_t, paid_t, charge_t, s.min_payer)
        self.adj_code = _Curves(pk[t], dur_t, obs_t, paid_t, charge_t,
                                s.min_code, lags=False)  # amounts only
        # timing by payer and weekday of submission: payers pay on fixed weekdays, so a
        # claim's weekday tells which of the pooled lags it can still have
        self.adj_weekday = _Curves(payer_t * 10 + weekday_of(submitted_t),
                                   dur_t, obs_t, None, None, s.min_payer)  # timing only
        self.pair = pk
        # part 2: after a first adjudication that left something owed
        owed = h.balance_after_first
        t2 = live & adjudicated & (owed > 0.005) & (c["first_adj"] > d - s.history_days)
        nxt = h.next_paid_day <= d
        bal = h.balances(d)
        self.balance = bal
        closed = ~nxt & (bal <= 0.005)  # settled without another payment: never pays
        dur2 = np.where(nxt, h.next_paid_day - c["first_adj"],
                        np.where(closed, MAX_LAG, d - c["first_adj"]))
        t2 = np.flatnonzero(t2)
        dur2_t, nxt_t, next_paid_t, owed_t = dur2[t2], nxt[t2], h.next_paid[t2], owed[t2]
        self.next_practice = fit_curve(dur2_t, nxt_t, next_paid_t, owed_t)
        self.next_payer = _Curves(c["payer_id"][t2], dur2_t, nxt_t, next_paid_t, owed_t,
                                  s.min_payer)
        # submission lag (days from service to submission), claims submitted in the window
        lags = np.clip(submitted_t - c["service"][t], 0, MAX_LAG)
        self.sub_lag = np.bincount(lags, minlength=MAX_LAG + 1)[:MAX_LAG + 1].astype(float)
        if self.sub_lag.sum() > 0:
            self.sub_lag /= self.sub_lag.sum()
        else:
            self.sub_lag[0] = 1.0
        # the season: what first adjudications pay per dollar charged by half-month of
        # service, against the whole year (deductibles: early January's claims pay less),
        # by payer where it has the claims, else by the practice (_seasons)
        ts = live & adjudicated & (c["service"] > d - s.season_days)
        month, half = month_of(c["service"][ts]), half_month_of(c["service"][ts])
        paid, charge, payer = c["first_paid"][ts], c["charge"][ts], c["payer_id"][ts]
        practice = _seasons(month, half, paid, charge, s)
        self.season: dict[int, np.ndarray] = {-1: practice[1]}
        for p in sorted_unique(payer):
            one = payer == p
            self.season[int(p)] = _seasons(month[one], half[one], paid[one], charge[one], s,
                                           practice)[1]

    def timing_curve(self, payer: int) -> LagCurve:
        """When a claim not submitted yet will be adjudicated once it is: its payer's curve
        (any weekday), else the practice's."""
        curve = self.adj_payer.get(payer)
        return self.adj_practice if curve is None else curve

    def timing_many(self, payers: np.ndarray, submitted: np.ndarray, ages: np.ndarray
                    ) -> _Chosen:
        """When each submitted claim will be adjudicated: the curve of its payer and weekday
        of submission, its payer's, the practice's -- the first with enough history that
        still has claims waiting at its age (``ages``: days since submission)."""
        keys = payers.astype(np.int64) * 10 + weekday_of(submitted)
        out = _Chosen(len(keys), self.adj_practice)
        for key in sorted_unique(keys):
            left = np.flatnonzero(keys == key)
            for curve in (self.adj_weekday.get(int(key)), self.adj_payer.get(int(key) // 10)):
                if curve is None or not len(left):
                    continue
                a = ages[left]
                ok = (a <= MAX_LAG) & (curve.survival[np.minimum(a, MAX_LAG)] > 1e-12)
                if ok.any():
                    out.set(left[ok], curve)
                left = left[~ok]
        return out

    def timing_by_payer(self, payers: np.ndarray) -> _Chosen:
        """:meth:`timing_curve` of many items at once."""
        out = _Chosen(len(payers), self.adj_practice)
        for p in sorted_unique(payers):
            out.set(np.flatnonzero(payers == p), self.timing_curve(int(p)))
        return out

    def amount_many(self, payers: np.ndarray, pairs: np.ndarray) -> _Chosen:
        """:meth:`amount_curve` of many claims at once."""
        out = _Chosen(len(payers), self.adj_practice)
        if not len(payers):
            return out
        p64, k64 = np.asarray(payers, dtype=np.int64), np.asarray(pairs, dtype=np.int64)
        if p64.min() >= 0 and k64.min() >= 0 and p64.max() < 1 << 22 and k64.max() < 1 << 40:
            # (payer, pair) as one key in the same order: hashed, not sorted
            keys, inverse = unique_inverse(p64 << 40 | k64)
            combos = [(int(v) >> 40, int(v) & ((1 << 40) - 1)) for v in keys]
        else:
            both = np.stack([p64, k64])
            values, inverse = np.unique(both, axis=1, return_inverse=True)
            inverse = inverse.reshape(-1)
            combos = values.T.tolist()
        for j, (p, k) in enumerate(combos):
            out.set(np.flatnonzero(inverse == j), self.amount_curve(p, k))
        return out

    def next_many(self, payers: np.ndarray, ages: np.ndarray) -> _Chosen:
        """:meth:`next_curve` of many claims at once."""
        out = _Chosen(len(payers), self.next_practice)
        for p in sorted_unique(payers):
            curve = self.next_payer.get(int(p))
            if curve is None:
                continue
            idx = np.flatnonzero(payers == p)
            a = ages[idx]
            ok = (a <= MAX_LAG) & (curve.survival[np.minimum(a, MAX_LAG)] > 1e-12)
            if ok.any():
                out.set(idx[ok], curve)
        return out

    def season_many(self, payers: np.ndarray, services: np.ndarray) -> np.ndarray:
        """The seasonal factor of services on days ``services`` billed to ``payers``."""
        months = half_month_of(services)
        out = self.season[-1][months]
        for p in sorted_unique(payers):
            if int(p) in self.season:
                one = payers == p
                out[one] = self.season[int(p)][months[one]]
        return out

    def amount_curve(self, payer: int, pair: int) -> LagCurve:
        """What a claim's adjudication pays (q, s, spread): its payer and code, its payer,
        the practice -- the first with enough history."""
        for curve in (self.adj_code.get(pair), self.adj_payer.get(payer)):
            if curve is not None:
                return curve
        return self.adj_practice

    def next_curve(self, payer: int, age: int = 0) -> LagCurve:
        for curve in (self.next_payer.get(payer), self.next_practice):
            if curve is not None and age <= MAX_LAG and curve.survival[age] > 1e-12:
                return curve
        return self.next_practice

    def submission_probs(self, ages: np.ndarray, days: int) -> np.ndarray:
        """P(submitted on coming day j), j = 1 .. days, for services ``ages`` days old and not
        submitted yet; one older than any lag seen is submitted within the coming week."""
        out = np.zeros((len(ages), days))
        tail = np.concatenate([np.cumsum(self.sub_lag[::-1])[::-1], [0.0]])
        for i, g in enumerate(np.asarray(ages, dtype=np.int64)):
            rest = tail[g + 1] if g + 1 <= MAX_LAG else 0.0
            if rest > 1e-12:
                idx = np.arange(g + 1, g + days + 1)
                out[i] = np.where(idx <= MAX_LAG, self.sub_lag[np.minimum(idx, MAX_LAG)], 0) / rest
            else:
                out[i, : min(7, days)] = 1.0 / min(7, days)
        return out


def _waiting(amounts: np.ndarray, pays: np.ndarray, spreads: np.ndarray, ages: np.ndarray,
             curves: _Chosen, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Parts 1 and 2: items paying ``amounts`` (mean, if they pay) with probability ``pays``
    when their event comes, waiting ``ages`` days on their timing ``curves``."""
    expected, variance = np.zeros(weeks), np.zeros(weeks)
    for curve, sel in curves.groups():
        probs = weekly(waiting_probs(curve, ages[sel], 7 * weeks), weeks) * pays[sel, None]
        e, v = bernoulli_week(amounts[sel], probs, spreads[sel])
        expected += e
        variance += v
    return expected, variance


def forecast_parts(h: History, as_of: int, weeks: int, s: Settings = DEFAULT
                   ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each part's (expected, variance) per week for a forecast as of day ``as_of``."""
    m = _Model(h, as_of, s)
    c, d, days = h.claims, as_of, 7 * weeks
    live = c["voided"] > d
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    # 1 and 2: open insurance A/R, claim by claim
    open_ = live & (c["submitted"] <= d) & (m.balance > 0.005)
    first = np.flatnonzero(open_ & (c["first_adj"] > d))
    ages1 = (d - c["submitted"][first]).astype(np.int64)
    payers1 = c["payer_id"][first]
    timing1 = m.timing_many(payers1, c["submitted"][first], ages1)
    share1, pays1, spread1 = m.amount_many(payers1, m.pair[first]).amounts()
    season1 = m.season_many(payers1, c["service"][first])
    out["open_claims"] = _waiting(m.balance[first] * share1 * season1, pays1, spread1, ages1,
                                  timing1, weeks)
    later = np.flatnonzero(open_ & (c["first_adj"] <= d))
    ages2 = (d - c["first_adj"][later]).astype(np.int64)
    curves2 = m.next_many(c["payer_id"][later], ages2)
    share2, pays2, spread2 = curves2.amounts()
    out["denied_or_partial"] = _waiting(m.balance[later] * share2, pays2, spread2, ages2,
                                        curves2, weeks)

    # 3: rendered, not submitted as of d (a claim submitted later, or a session on no claim)
    pending = live & (c["service"] <= d) & (c["submitted"] > d)
    u = h.unbilled
    u_pending = (u["service"] <= d) & (u["payer_id"] >= 0)
    payers = np.concatenate([c["payer_id"][pending], u["payer_id"][u_pending]])
    pairs = np.concatenate([m.pair[pending], np.full(int(u_pending.sum()), -1)])
    services = np.concatenate([c["service"][pending], u["service"][u_pending]])
    charges = np.concatenate([c["charge"][pending], u["charge"][u_pending]])
    charges = charges * m.season_many(payers, services)
    ages = np.concatenate([d - c["service"][pending], d - u["service"][u_pending]])
    exp3, var3 = np.zeros(weeks), np.zeros(weeks)
    if len(ages):
        sub = m.submission_probs(ages, days)
        share3, pays3, spread3 = m.amount_many(payers, pairs).amounts()
        for curve, sel in m.timing_by_payer(payers).groups():
            probs = weekly(delayed_probs(curve, sub[sel]), weeks) * pays3[sel, None]
            e, v = bernoulli_week(charges[sel] * share3[sel], probs, spread3[sel])
            exp3 += e
            var3 += v
    out["not_submitted"] = (exp3, var3)

    # 4: services not rendered yet, at each payer's last 8 weeks' charges a day
    recent_c = live & (c["service"] > d - s.run_rate_days) & (c["service"] <= d)
    recent_u = (u["service"] > d - s.run_rate_days) & (u["service"] <= d)
    exp4, var4 = np.zeros(weeks), np.zeros(weeks)
    starts = np.zeros((days, days))  # row u-1: submission day probabilities of day u's work
    for k in range(days):
        starts[k, k:] = m.sub_lag[: days - k]
    for payer in sorted_unique(np.concatenate([c["payer_id"][recent_c],
                                           u["payer_id"][recent_u & (u["payer_id"] >= 0)]])):
        sel_c, sel_u = recent_c & (c["payer_id"] == payer), recent_u & (u["payer_id"] == payer)
        n = (sel_c.sum() + sel_u.sum()) / s.run_rate_days           # claims a day
        total = (c["charge"][sel_c].sum() + u["charge"][sel_u].sum()) / s.run_rate_days
        if n <= 0:
            continue
        curve, amount = m.timing_curve(int(payer)), m.amount_curve(int(payer), -1)
        probs = weekly(delayed_probs(curve, starts), weeks) * amount.pays
        season = m.season_many(np.full(days, payer), d + np.arange(1, days + 1))
        e, v = bernoulli_week(total / n * amount.share * season, probs, amount.spread)
        exp4 += n * e
        var4 += n * v
    out["new_services"] = (exp4, var4)

    exp5, var5, curves = _patient(h, m, d, weeks, s, recent_c)
    if not curves:   # too young for the curves by month of service: the open balances
        exp5, var5 = open_balances_part(h, d, weeks, s.history_days)
    out["patient"] = (exp5, var5)
    return out


def weekday_of(days: np.ndarray) -> np.ndarray:
    """The weekday (0 = Monday) of day numbers (day 0, 1970-01-01, was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def half_month_of(days: np.ndarray) -> np.ndarray:
    """The half-month of day numbers: 0 = January 1-15, 1 = January 16-31, .., 23 =
    December 16-31 (looked up per day of their span, as :func:`month_of`)."""
    d = np.asarray(days, dtype=np.int64)
    if d.size == 0:
        return d
    lo = int(d.min())
    if int(d.max()) - lo > 100_000:
        span, idx = d.astype("datetime64[D]"), slice(None)
    else:
        span = np.arange(lo, int(d.max()) + 1, dtype=np.int64).astype("datetime64[D]")
        idx = d - lo
    first = span.astype("datetime64[M]")
    half = (first.astype(np.int64) % 12) * 2 + ((span - first).astype(np.int64) >= 15)
    return half[idx]


def month_of(days: np.ndarray) -> np.ndarray:
    """The calendar month (0 = January) of day numbers (converted once per day of their
    span, then looked up: converting every item to a month took ~30 ms a forecast)."""
    d = np.asarray(days, dtype=np.int64)
    if d.size == 0 or int(d.max()) - int(d.min()) > 100_000:
        return d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    lo = int(d.min())
    span = np.arange(lo, int(d.max()) + 1, dtype=np.int64).astype("datetime64[D]")
    return (span.astype("datetime64[M]").astype(np.int64) % 12)[d - lo]


def _patient(h: History, m: _Model | None, d: int, weeks: int, s: Settings,
             recent_c: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Part 5: patient money per dollar charged, by days since the service; and whether the
    curves could say anything: False when they give nothing for the last R days' services
    (no month of them has services 120 to 485 days back with patient money), so there is
    nothing to level on."""
    c, p, u, w, days = h.claims, h.patient, h.unbilled, s.patient_window, 7 * weeks
    live = c["voided"] > d
    # one curve per calendar month of service (deductibles make January's services bring
    # more patient money than October's): that month's services of the last year whose
    # `w` days have passed
    cohort = live & (c["service"] <= d - w) & (c["service"] > d - w - 365)
    charged = np.bincount(month_of(c["service"][cohort]), weights=c["charge"][cohort],
                          minlength=12)
    cohort_cash = (p["service"] <= d - w) & (p["service"] > d - w - 365) & (p["day"] <= d)
    lag = np.clip(p["day"][cohort_cash] - p["service"][cohort_cash], 0, w)
    months = month_of(p["service"][cohort_cash])
    per_dollar = np.zeros((12, w + 1))
    np.add.at(per_dollar, (months, lag), p["amount"][cohort_cash])
    per_dollar = np.divide(per_dollar, charged[:, None], out=np.zeros_like(per_dollar),
                           where=charged[:, None] > 0)
    # the charges by day, services from w + R - 1 days back (R: the run-rate window) to the
    # last coming day; the coming days at the last R days' rate
    back = w + s.run_rate_days - 1
    by_day = np.zeros(back + 1 + days)
    recent = live & (c["service"] > d - back - 1) & (c["service"] <= d)
    np.add.at(by_day, (back - (d - c["service"][recent])).astype(np.int64), c["charge"][recent])
    ub = (u["service"] > d - back - 1) & (u["service"] <= d)
    np.add.at(by_day, (back - (d - u["service"][ub])).astype(np.int64), u["charge"][ub])
    recent_u = (u["service"] > d - s.run_rate_days) & (u["service"] <= d)
    by_day[back + 1:] = (c["charge"][recent_c].sum()
                         + u["charge"][recent_u].sum()) / s.run_rate_days
    # index n: day n - back after the as-of day
    service_month = month_of(np.arange(d - back, d + days + 1))
    cash = sum(np.convolve(np.where(service_month == k, by_day, 0.0), per_dollar[k])
               for k in range(12))
    # level: the curve's shape, scaled to the patient money of the last R days (all of it,
    # money naming no claim too: a season's deductibles move it)
    fitted = cash[back - s.run_rate_days + 1: back + 1].sum()
    actual = p["amount"][(p["day"] > d - s.run_rate_days) & (p["day"] <= d)].sum()
    scale = actual / fitted if fitted > 0 else 0.0
    expected = scale * cash[back + 1: back + 1 + days]
    year = (p["day"] <= d) & (p["day"] > d - 365)
    positive = p["positive"][year].sum()
    size = p["squares"][year].sum() / positive if positive > 0 else 0.0
    exp_w = weekly(expected, weeks)
    return exp_w, exp_w * size, bool(fitted > 0)


def patient_from_curves(h: History, d: int, s: Settings = DEFAULT) -> bool:
    """Whether part 5 as of day ``d`` is the curves by month of service (True) or, too young
    a practice for them, the open patient balances (False)."""
    c = h.claims
    recent_c = (c["voided"] > d) & (c["service"] > d - s.run_rate_days) & (c["service"] <= d)
    return _patient(h, None, d, 1, s, recent_c)[2]


def forecast_moments(h: History, d: int, weeks: int, s: Settings = DEFAULT
                     ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """The forecast as of day ``d``: each part's (expected, variance) per week, and their
    sums (the expected collections and the claims' own variance, per week)."""
    parts = forecast_parts(h, d, weeks, s)
    return (parts, sum(e for e, _ in parts.values()), sum(v for _, v in parts.values()))


def cash_forecast_from(h: History, as_of: dt.date, weeks: int, s: Settings = DEFAULT,
                       error: float | None = 0.0) -> pd.DataFrame:
    """The forecast as of ``as_of`` from a loaded history: one row per coming week --
    week (1 ..), week_start, week_end, expected, p10, p90 (float dollars), and each part's
    expected amount (columns named as PARTS). ``error``: the model's own error the band adds
    (:func:`metdash.forecast.model.model_error`, from the backtest); None: the band is not
    known yet (p10 and p90 NaN)."""
    d = day(as_of)
    parts, expected, variance = forecast_moments(h, d, weeks, s)
    if error is None:
        low = high = np.full(weeks, np.nan)
    else:
        low, high = band(expected, variance, error)
    frame = pd.DataFrame({
        "week": np.arange(1, weeks + 1),
        "week_start": [date_of(d + 1 + 7 * k) for k in range(weeks)],
        "week_end": [date_of(d + 7 * (k + 1)) for k in range(weeks)],
        "expected": expected, "p10": low, "p90": high,
    })
    for name, (e, _) in parts.items():
        frame[name] = e
    return frame
