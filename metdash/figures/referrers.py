"""Per-referrer volume: referrals, conversion, sessions, billed and paid per referrer."""

from __future__ import annotations

import pandas as pd

from metdash.figures.core import (
    Filters,
    query,
    ratio,
    run,
)
from metdash.store import Database


def referrer_volume(db: Database, f: Filters) -> pd.DataFrame:
    """Per referrer active in the period: referrer_id, npi, name, kind, specialty,
    organization, referrals, converted, conversion_rate, days_to_first_session (median),
    sessions, billed, paid (Decimal dollars), last_referral (date)."""
    df = query(db, "referrer_volume", f)
    df.insert(df.columns.get_loc("converted") + 1, "conversion_rate",
              [ratio(c, r) for c, r in zip(df.converted, df.referrals, strict=True)])
    return df


def referrer_kinds(db: Database, f: Filters) -> pd.DataFrame:
    """The referrer figures summed per kind: kind, referrers, referrals, converted,
    conversion_rate, sessions, billed, paid."""
    return referrer_kinds_of(referrer_volume(db, f))


def referrer_kinds_of(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`referrer_kinds` from a :func:`referrer_volume` result already at hand."""
    if df.empty:
        return pd.DataFrame(columns=["kind", "referrers", "referrals", "converted",
                                     "conversion_rate", "sessions", "billed", "paid"])
    g = df.groupby("kind", as_index=False).agg(
        referrers=("npi", "count"), referrals=("referrals", "sum"),
        converted=("converted", "sum"), sessions=("sessions", "sum"),
        billed=("billed", "sum"), paid=("paid", "sum"))
    g.insert(4, "conversion_rate",
             [ratio(c, r) for c, r in zip(g.converted, g.referrals, strict=True)])
    return g.sort_values("referrals", ascending=False, ignore_index=True)


def referrals_weekly(db: Database, f: Filters) -> pd.DataFrame:
    """Referrals per ISO week (Monday) and referrer kind: week, kind, referrals; first_day
    and last_day, the days of that week in the period (a week the period cuts is not
    whole)."""
    text = """
        SELECT date_trunc('week', r.received_date)::DATE AS week, rr.kind,
               count(*) AS referrals,
               greatest(date_trunc('week', r.received_date)::DATE, $date_from::DATE)
                   AS first_day,
               least(date_trunc('week', r.received_date)::DATE + 6, $date_to::DATE) AS last_day
        FROM referrals r JOIN referrers rr USING (referrer_id)
        WHERE r.received_date BETWEEN $date_from AND $date_to
          AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], r.referrer_id))
        GROUP BY ALL ORDER BY week, kind"""
    with db.connect() as con:
        return run(con, text, f)
