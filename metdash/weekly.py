"""The weekly referral-network review: one week (Monday–Sunday) of referrals, per referrer.

:func:`weekly_review` computes every figure of the page ``pages/weekly_review.py`` and of
the one-page export (:mod:`metdash.report`, ``metdash report weekly``), so the page and the
export cannot disagree. Definitions (also in the catalogue, :mod:`metdash.metrics`):

- *The week*: Monday to Sunday. By default the last full week before today (the week
  that ended on the most recent Sunday strictly before today).
- *4-week / 12-week average*: referrals received in the 4 (12) full weeks just before the
  reviewed week (Monday 28 (84) days before its Monday to the Sunday before it) ÷ 4 (12).
- *Change*: referrals this week − the 4-week average. Top movers: the largest rises and
  falls by that change.
- *New referrer*: first referral ever received in the reviewed week.
- *Lapsed referrer* (DOMAIN.md), evaluated at the week's end (Sunday): at least 3
  referrals in the 12 months before (the 365 days ending that Sunday), and the days since the
  last referral exceed the larger of twice the median gap between its consecutive distinct
  referral dates and 28 days (one who referred this week is never lapsed). *Lapsed on* is the
  first day that held; *newly lapsed* when that day falls in the reviewed week.
- *Last 12 months*: the 365 days ending on the week's Sunday. Referrals, conversion, days
  to first session, sessions, billed and paid there are exactly the Referrers page's figures
  (:func:`metdash.figures.referrer_volume`) for that date range: conversion = a first visit
  (session or billed line) on or after the referral date within 30 days; billed and paid =
  charges and payer + patient payments (whenever posted) on the claims naming the referrer
  with a first service date in the 12 months.
- *Payer mix*: each payer's share of those billed charges, per referrer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pandas as pd

from metdash import exports, figures
from metdash.errors import ValidationError
from metdash.figures import Filters, money, ratio, run, sql
from metdash.store import Database

CENTS = Decimal("0.01")
KINDS = ["physician", "physical_therapist", "specialist", "other"]
TOP_MOVERS = 5


# The weeks a review can be asked for: its 12 months and 13 weeks of history must be
# dates too (a week in year 1 made the page's date arithmetic overflow: issue 19).
FIRST_WEEK = dt.date(1900, 1, 1)
LAST_WEEK = dt.date(2199, 12, 31)


def week_asked(text: str | None) -> tuple[dt.date | None, str | None]:
    """The day a ``?week=YYYY-MM-DD`` link names, and what is wrong with it: ``(day, None)``,
    ``(None, None)`` when the link names none, ``(None, message)`` when it is not a date or
    not a week a review can show (the page then opens on its usual week)."""
    text = (text or "").strip()
    if not text:
        return None, None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None, (f"Week {text[:40]!r} in the link is not a date (YYYY-MM-DD): showing "
                      "the last full week instead.")
    if not FIRST_WEEK <= day <= LAST_WEEK:
        return None, (f"Week {day.isoformat()} is out of range: pick a week from "
                      f"{FIRST_WEEK.year} to {LAST_WEEK.year}. Showing the last full week "
                      "instead.")
    return day, None


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of the week holding ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def default_week(today: dt.date) -> dt.date:
    """The Monday of the last full week before ``today`` (its Sunday is before today)."""
    return week_bounds(today)[0] - dt.timedelta(days=7)


def review_week(db: Database, today: dt.date) -> dt.date:
    """The Monday of the week the page opens on: the last full week before today, or before
    the day after the store's last activity (referral, session, payment) when the data stops
    earlier (a demo built as of a past date, an imported practice)."""
    last = _date(db.scalar(
        "SELECT greatest((SELECT max(received_date) FROM referrals),"
        " (SELECT max(session_date) FROM sessions),"
        " (SELECT max(payment_date) FROM remittances))"))
    if last is not None and last + dt.timedelta(days=1) < today:
        today = last + dt.timedelta(days=1)
    return default_week(today)


LAPSE_MIN_REFERRALS = 3    # in the 12 months before (DOMAIN.md)
LAPSE_MIN_DAYS = 28        # the bar is never lower than four weeks


def lapse_day(referrals_12m: int, median_gap: Any, last: dt.date | None) -> dt.date | None:
    """The first day a referrer counts as lapsed (DOMAIN.md): at least 3 referrals in the 12
    months before, and none for longer than the larger of twice their usual (median) gap and
    28 days -- so one who referred this week is never lapsed. None when the rule cannot apply
    (fewer referrals, no gap yet)."""
    if referrals_12m < LAPSE_MIN_REFERRALS or last is None or median_gap is None \
            or pd.isna(median_gap):
        return None
    bar = max(2 * float(median_gap), LAPSE_MIN_DAYS)
    return last + dt.timedelta(days=int(bar) + 1)


@dataclasses.dataclass(frozen=True)
class WeeklyReview:
    """Everything the weekly page and its export show (column lists in :func:`weekly_review`)."""

    week_start: dt.date
    week_end: dt.date
    summary: dict[str, Any]
    referrers: pd.DataFrame
    movers_up: pd.DataFrame
    movers_down: pd.DataFrame
    new_referrers: pd.DataFrame
    lapsed_referrers: pd.DataFrame
    kinds: pd.DataFrame
    payer_mix: pd.DataFrame
    weekly: pd.DataFrame

    @property
    def label(self) -> str:
        """'Week of Mon Mar 24 – Sun Mar 30, 2025'."""
        return (f"Week of Mon {self.week_start:%b %d} – Sun {self.week_end:%b %d, %Y}")

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables by section name, in the order the page and the export show them."""
        return {"referrers": self.referrers, "movers_up": self.movers_up,
                "movers_down": self.movers_down, "new_referrers": self.new_referrers,
                "lapsed_referrers": self.lapsed_referrers, "kinds": self.kinds,
                "payer_mix": self.payer_mix}


def _date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


REFERRER_COLUMNS = [
    "referrer_id", "name", "kind", "npi", "this_week", "avg_4w", "avg_12w", "change_vs_4w",
    "change_vs_12w", "first_referral", "last_referral", "is_new", "median_gap_days",
    "days_since_last", "is_lapsed", "lapsed_on", "newly_lapsed", "referrals_12m",
    "converted_12m", "conversion_rate_12m", "days_to_first_session_12m", "sessions_12m",
    "billed_12m", "paid_12m",
]


def weekly_review(db: Database, week: dt.date | None = None, *,
                  today: dt.date | None = None) -> WeeklyReview:
    """The review of the week holding ``week`` (any day of it; default: the last full week
    before ``today``, itself defaulting to the real date). A week outside
    :data:`FIRST_WEEK` .. :data:`LAST_WEEK` raises :class:`~metdash.errors.ValidationError`.

    ``referrers`` (one row per referrer with a referral in the 12 months or the 12 weeks
    before, or new, or lapsed): referrer_id, name, kind, npi, this_week (count), avg_4w,
    avg_12w (referrals a week, floats), change_vs_4w, change_vs_12w, first_referral,
    last_referral (dates), is_new, median_gap_days (float days), days_since_last (at the
    week's end), is_lapsed, lapsed_on (date), newly_lapsed, referrals_12m, converted_12m,
    conversion_rate_12m (0..1 or None), days_to_first_session_12m (median, days),
    sessions_12m, billed_12m, paid_12m (Decimal dollars). Sorted by this_week, then
    referrals_12m, both descending.

    ``movers_up`` / ``movers_down``: the top 5 rows by change_vs_4w above / below 0.
    ``new_referrers`` and ``lapsed_referrers`` (most recently lapsed first): rows of the same
    frame. ``kinds``: per referrer kind: kind, referrers, this_week, avg_4w, avg_12w,
    new_referrers, lapsed_referrers, referrals_12m, converted_12m, conversion_rate_12m,
    sessions_12m, billed_12m, paid_12m. ``payer_mix``: referrer_id, name, payer, claims,
    billed (Decimal), share (of the referrer's billed, 0..1). ``weekly``: week (Monday), kind,
    referrals, for the 13 weeks ending with the reviewed one. ``summary``: the totals (keys
    as the catalogue's week_* / *_12m names).
    """
    if week is not None and not FIRST_WEEK <= week <= LAST_WEEK:
        raise ValidationError([f"Week {week.isoformat()} is out of range: pick a week from "
                               f"{FIRST_WEEK.year} to {LAST_WEEK.year}."])
    start, end = week_bounds(week) if week else week_bounds(default_week(today or dt.date.today()))
    year = Filters(date_from=end - dt.timedelta(days=364), date_to=end)
    def own_reads() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        with db.connect() as con:
            counts = run(con, sql("referrer_weeks"), week_start=start, week_end=end)
            firsts = run(con, sql("referral_first_visits"), year)
            mix = run(con, f"""
                SELECT s.referrer_id, p.name AS payer, count(*) AS claims,
                       sum(s.total_charge)::DECIMAL(14,2) AS billed
                FROM ({sql('scope_claims')}) s JOIN payers p USING (payer_id)
                WHERE s.referrer_id IS NOT NULL
                GROUP BY ALL ORDER BY s.referrer_id, billed DESC, payer""", year)
        return counts, firsts, mix

    # The reads are independent: two at a time, each on its own cursor of the store's
    # shared handle (they leave a core idle between steps; ~30 ms sooner at 1M lines).
    with ThreadPoolExecutor(2, thread_name_prefix="weekly") as pool:
        own = pool.submit(own_reads)
        volume = figures.referrer_volume(db, year).set_index("referrer_id")
        weekly = figures.referrals_weekly(db, Filters(date_from=start - dt.timedelta(days=84),
                                                      date_to=end))
        counts, firsts, mix = own.result()

    df = counts.copy()
    df["avg_4w"] = df.prior_4w / 4.0
    df["avg_12w"] = df.prior_12w / 12.0
    df["change_vs_4w"] = df.this_week - df.avg_4w
    df["change_vs_12w"] = df.this_week - df.avg_12w
    df["first_referral"] = [_date(v) for v in df.first_referral]
    df["last_referral"] = [_date(v) for v in df.last_referral]
    df["is_new"] = [f is not None and start <= f <= end for f in df.first_referral]
    df["days_since_last"] = pd.array(
        [None if d is None else (end - d).days for d in df.last_referral], dtype="Int64")
    def vol(col: str, ids: pd.Series, default: Any) -> list[Any]:
        # One dict per column (a DataFrame lookup per referrer and column cost ~25 ms).
        by_id = volume[col].to_dict() if col in volume else {}
        return [by_id.get(i, default) for i in ids]

    df["referrals_12m"] = [int(v) for v in vol("referrals", df.referrer_id, 0)]
    lapsed, lapsed_on = [], []
    for n, gap, last in zip(df.referrals_12m, df.median_gap_days, df.last_referral,
                            strict=True):
        on = lapse_day(n, gap, last)
        lapsed.append(on is not None and on <= end)
        lapsed_on.append(on if on is not None and on <= end else None)
    df["is_lapsed"] = lapsed
    df["lapsed_on"] = lapsed_on
    df["newly_lapsed"] = [o is not None and start <= o <= end for o in lapsed_on]
    df["converted_12m"] = [int(v) for v in vol("converted", df.referrer_id, 0)]
    df["conversion_rate_12m"] = [ratio(c, r) for c, r in
                                 zip(df.converted_12m, df.referrals_12m, strict=True)]
    df["days_to_first_session_12m"] = [
        None if v is None or pd.isna(v) else float(v)
        for v in vol("days_to_first_session", df.referrer_id, None)]
    df["sessions_12m"] = [int(v) for v in vol("sessions", df.referrer_id, 0)]
    df["billed_12m"] = [money(v) for v in vol("billed", df.referrer_id, 0)]
    df["paid_12m"] = [money(v) for v in vol("paid", df.referrer_id, 0)]
    keep = ((df.this_week > 0) | (df.prior_12w > 0) | (df.referrals_12m > 0) | df.is_new
            | df.is_lapsed | (df.sessions_12m > 0))
    df = df[keep].sort_values(["this_week", "referrals_12m", "name"],
                              ascending=[False, False, True], ignore_index=True)
    df = df[REFERRER_COLUMNS]

    up = df[df.change_vs_4w > 0].sort_values(["change_vs_4w", "name"],
                                             ascending=[False, True]).head(TOP_MOVERS)
    down = df[df.change_vs_4w < 0].sort_values(["change_vs_4w", "name"]).head(TOP_MOVERS)
    new = df[df.is_new].sort_values(["first_referral", "name"], ignore_index=True)
    gone = df[df.is_lapsed].sort_values(["lapsed_on", "name"], ascending=[False, True],
                                        ignore_index=True)

    names = dict(zip(counts.referrer_id, counts.name, strict=True))
    mix.insert(1, "name", [names.get(i) for i in mix.referrer_id])
    if not mix.empty:
        # Summed in a dict: a groupby transform with a Python function cost ~20 ms at 1M.
        totals: dict[Any, Decimal] = {}
        for i, b in zip(mix.referrer_id, mix.billed, strict=True):
            totals[i] = totals.get(i, Decimal(0)) + b
        mix["share"] = [ratio(b, totals[i]) for i, b in zip(mix.referrer_id, mix.billed,
                                                             strict=True)]
    else:
        mix["share"] = pd.Series(dtype=float)

    kinds = _kinds(df)
    summary = _summary(df, firsts, start, end)
    return WeeklyReview(start, end, summary, df, up.reset_index(drop=True),
                        down.reset_index(drop=True), new, gone, kinds, mix, weekly)


def _kinds(df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for kind in KINDS:
        d = df[df.kind == kind]
        if d.empty:
            continue
        rows.append({
            "kind": kind, "referrers": len(d), "this_week": int(d.this_week.sum()),
            "avg_4w": float(d.avg_4w.sum()), "avg_12w": float(d.avg_12w.sum()),
            "new_referrers": int(d.is_new.sum()), "lapsed_referrers": int(d.is_lapsed.sum()),
            "referrals_12m": int(d.referrals_12m.sum()),
            "converted_12m": int(d.converted_12m.sum()),
            "conversion_rate_12m": ratio(d.converted_12m.sum(), d.referrals_12m.sum()),
            "sessions_12m": int(d.sessions_12m.sum()),
            "billed_12m": sum(d.billed_12m, Decimal("0.00")),
            "paid_12m": sum(d.paid_12m, Decimal("0.00")),
        })
    cols = ["kind", "referrers", "this_week", "avg_4w", "avg_12w", "new_referrers",
            "lapsed_referrers", "referrals_12m", "converted_12m", "conversion_rate_12m",
            "sessions_12m", "billed_12m", "paid_12m"]
    return pd.DataFrame(rows, columns=cols)


def _summary(df: pd.DataFrame, firsts: pd.DataFrame, start: dt.date,
             end: dt.date) -> dict[str, Any]:
    days = firsts.days_to_first_session.dropna()
    return {
        "week_start": start, "week_end": end,
        "week_referrals": int(df.this_week.sum()),
        "avg_4w": float(df.avg_4w.sum()), "avg_12w": float(df.avg_12w.sum()),
        "week_referrers": int((df.this_week > 0).sum()),
        "new_referrers": int(df.is_new.sum()),
        "lapsed_referrers": int(df.is_lapsed.sum()),
        "newly_lapsed": int(df.newly_lapsed.sum()),
        "referrals_12m": len(firsts),
        "converted_12m": int(firsts.converted.sum()) if len(firsts) else 0,
        "conversion_rate_12m": ratio(firsts.converted.sum() if len(firsts) else 0,
                                      len(firsts)),
        # A median over every converted referral, not a median of the referrers' medians.
        "days_to_first_session_12m": float(days.median()) if len(days) else None,
        "sessions_12m": int(df.sessions_12m.sum()),
        "billed_12m": sum(df.billed_12m, Decimal("0.00")),
        "paid_12m": sum(df.paid_12m, Decimal("0.00")),
    }


def payer_share_table(review: WeeklyReview) -> pd.DataFrame:
    """Payer mix as one row per referrer (by id: two referrers may share a name), largest
    12-month billed first: ``name`` then one share column (0..1) per payer."""
    mix = review.payer_mix
    shares = mix.pivot_table(index="referrer_id", columns="payer", values="share",
                             aggfunc="sum", fill_value=0.0)
    billed = dict(zip(review.referrers.referrer_id, review.referrers.billed_12m, strict=True))
    names = dict(zip(mix.referrer_id, mix.name, strict=True))
    shares = shares.loc[sorted(shares.index, key=lambda i: -float(billed.get(i, 0)))]
    shares.insert(0, "name", [names[i] for i in shares.index])
    return shares.reset_index(drop=True)


SUMMARY_NAMES = ["week_referrals", "avg_4w", "avg_12w", "week_referrers", "new_referrers",
                 "lapsed_referrers", "newly_lapsed", "referrals_12m", "converted_12m",
                 "conversion_rate_12m", "days_to_first_session_12m", "sessions_12m",
                 "billed_12m", "paid_12m"]


def review_csv(review: WeeklyReview) -> str:
    """The review as one CSV: a ``section`` column (summary, referrers, movers_up, …) and
    the union of the sections' columns; money with 2 decimals, rates 0..1, dates ISO."""
    parts = [pd.DataFrame({"section": "summary", "figure": SUMMARY_NAMES,
                           "value": [review.summary[k] for k in SUMMARY_NAMES]})]
    for name, frame in review.frames().items():
        f = frame.copy()
        f.insert(0, "section", name)
        parts.append(f)
    out = pd.concat([p.astype(object) for p in parts], ignore_index=True)
    header = pd.DataFrame({"section": ["week"], "figure": ["week_start"],
                           "value": [review.week_start.isoformat()]})
    out = pd.concat([header.astype(object), out], ignore_index=True)
    out = out.map(lambda v: round(v, 4) if isinstance(v, float) else v)
    return exports.frame_csv(out)  # no name in it runs as a formula
