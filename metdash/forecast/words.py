"""What the Cash forecast page and ``metdash forecast`` say in words about the numbers: over
which weeks the backtest's figures were read, and when the band is too narrow to trust."""

from __future__ import annotations

from typing import Any

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
