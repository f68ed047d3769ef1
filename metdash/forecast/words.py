"""What the Cash forecast page and ``metdash forecast`` say in words about the numbers: over
which weeks the backtest's figures were read, and when the band is too narrow to trust."""

from __future__ import annotations

from typing import Any

from metdash.forecast.cash import DEFAULT, Settings, patient_from_curves
from metdash.forecast.history import History
from metdash.forecast.patient import balances

NARROW_BAND = 0.70   # a p10-p90 band should hold ~80% of weeks; under this it is too narrow


def plural(n: int, one: str, many: str | None = None) -> str:
    """"1 Monday", "12 Mondays"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def judged_weeks(summary: dict[str, Any]) -> str:
    """Over which weeks the backtest's figures read, e.g. "12 Mondays, 68 forecast weeks in
    all, 21 with money arriving: the errors and the band's share read those 21"."""
    n, judged = summary.get("weeks") or 0, summary.get("weeks_with_money") or 0
    mondays = summary.get("mondays") or 0
    head = f"{plural(mondays, 'Monday')}, {plural(n, 'forecast week')} in all"
    if not judged:
        return f"{head}, none with money arriving: no week to judge"
    return (f"{head}, {judged} with money arriving: the errors and the share inside the band "
            f"read {'that week' if judged == 1 else f'those {judged}'} (a week with nothing "
            "has no percentage error)")


def band_too_narrow(summary: dict[str, Any]) -> str | None:
    """A warning when the backtest's band held far fewer weeks than a p10-p90 band should
    (under 70% where 80% is expected), else None."""
    share = summary.get("inside_band")
    if share is None or share >= NARROW_BAND:
        return None
    judged = summary.get("weeks_with_money") or 0
    return (f"The band is too narrow to trust: only {share:.0%} of the {judged} weeks with "
            "money arriving fell between its low (p10) and high (p90), where about 80% "
            "should. A week may well bring less than the low or more than the high.")


def _money(value: float) -> str:
    return f"${value:,.2f}"


def patient_note(h: History, d: int, expected: float, s: Settings = DEFAULT) -> str:
    """What the forecast's patient payments (part 5) rest on as of day ``d``, in words, when
    they are not the curves by month of service: how much history there is and what those
    need, and the open balances they come from instead, or why they are left out of the
    total (``expected``: part 5's total over the coming weeks). "" with the curves."""
    if patient_from_curves(h, d, s):
        return ""
    c = h.claims
    served = c["service"][(c["voided"] > d) & (c["service"] <= d)]
    first = (f"the first service on file is {d - int(served.min())} days back" if len(served)
             else "there is no service on file")
    young = ("Patient payments: the forecast by month of service needs a year of history "
             "(services 120 to 485 days back, in the calendar months of the last 8 weeks' "
             f"services, with their patient payments); {first}.")
    b = balances(h, d, s.history_days)
    owing = float(b.owed[b.open_].sum())
    count = int(b.open_.sum())
    open_text = (f"clients owe {_money(owing)} on {plural(count, 'claim')} with no payment "
                 "yet" if count else "no client owes a balance with no payment on it yet")
    if expected > 0.005:
        return (f"{young} So they come from the open patient balances instead: {open_text}, "
                f"paid as clients have paid theirs: {b.paid_count} of "
                f"{plural(b.taught, 'balance')} billed to clients in the last "
                f"{s.history_days} days paid ({_money(b.paid_sum)} of {_money(b.owed_sum)} "
                f"owed), at most {plural(b.longest, 'day')} after being billed; a balance "
                "waiting longer is not expected to pay. Partly paid balances and money "
                "naming no claim are left out.")
    if not count:
        why = open_text
    elif not b.paid_count:
        why = (f"{open_text}, but no client has paid a balance billed to them yet (0 of "
               f"{b.taught} in the last {s.history_days} days): nothing to learn how much and "
               "how soon clients pay")
    else:
        why = (f"{open_text}, all of it waiting longer than any balance clients have paid "
               f"({b.paid_count} of {b.taught} paid, at most "
               f"{plural(b.longest, 'day')} after being billed)")
    return f"{young} Patient payments are left out of the expected total: {why}."
