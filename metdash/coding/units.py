"""Billable units from minutes: the CMS 8-minute rule and the per-code rule (DOMAIN.md).

Both rules count one client's minutes of one date of service together, across the sessions
of that day (:func:`day_minutes`): a 10-minute morning and a 10-minute afternoon 97110 are
20 minutes = 1 unit, not 2. When part of a day is already billed, :func:`remaining_units`
says what the rest of the day may still bill.

Ties (the CMS rule, when two codes have the same remaining minutes for a left-over unit)
are broken deterministically: the code with more total minutes first, then the code
that comes first in the order the minutes were given (the session's order).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from metdash.coding.cpt import UNTIMED_CODES

__all__ = ["RULES", "billable_units", "cms_total_units", "day_minutes", "day_units",
           "remaining_units"]

RULES = ("cms", "per_code")


def cms_total_units(total_minutes: int) -> int:
    """Total units for the timed minutes of a session under the CMS 8-minute rule.

    0–7 min: 0; 8–22: 1; 23–37: 2; 38–52: 3; 53–67: 4; +1 per further 15 minutes.
    """
    if total_minutes < 8:
        return 0
    return (total_minutes + 7) // 15


def billable_units(minutes: Mapping[str, int], rule: str = "cms", *,
                   untimed: Collection[str] = UNTIMED_CODES) -> dict[str, int]:
    """Units per CPT code for one session's ``minutes`` (code -> minutes) under ``rule``.

    ``"cms"``: the 8-minute rule over the total timed minutes; each code one unit per
    full 15 minutes; left-over units to the codes with the most remaining minutes.
    ``"per_code"``: each timed code on its own, minutes // 15, +1 when the rest is >= 8.
    Untimed codes (``untimed``; by default 97150 and 97161-97164) bill 1 unit when their
    minutes are > 0 and do not count toward the timed total. Every code given is in the
    result, with 0 when it is not billable.

    Raises ValueError for an unknown rule or negative (or non-integer) minutes.
    """
    if rule not in RULES:
        raise ValueError(f"Unknown units rule {rule!r}: use 'cms' or 'per_code'.")
    clean: dict[str, int] = {}
    for code, value in minutes.items():
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                as_int = int(value)
            except (TypeError, ValueError):
                raise ValueError(f"Minutes for {code} must be a whole number, not {value!r}.") from None
            if as_int != value:
                raise ValueError(f"Minutes for {code} must be a whole number, not {value!r}.")
            value = as_int
        if value < 0:
            raise ValueError(f"Minutes for {code} cannot be negative ({value}).")
        clean[code] = value

    result: dict[str, int] = {}
    timed: dict[str, int] = {}
    for code, mins in clean.items():
        if code in untimed:
            result[code] = 1 if mins > 0 else 0
        else:
            timed[code] = mins
            result[code] = 0

    if rule == "per_code":
        for code, mins in timed.items():
            result[code] = mins // 15 + (1 if mins % 15 >= 8 else 0)
        return result

    total_units = cms_total_units(sum(timed.values()))
    full = {code: mins // 15 for code, mins in timed.items()}
    left_over = total_units - sum(full.values())
    order = list(timed)
    ranked = sorted(
        (code for code in timed if timed[code] % 15 > 0),
        key=lambda c: (-(timed[c] % 15), -timed[c], order.index(c)),
    )
    for code in ranked[:max(left_over, 0)]:
        full[code] += 1
    result.update(full)
    return result


def day_minutes(sessions: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """One client's minutes per code on one date of service: every session's minutes added.

    The 8-minute rule counts all of the client's timed minutes of the day together, and the
    per-code rule rounds each code's minutes of the day, not of each session (DOMAIN.md,
    "Units from minutes"). Codes keep the order they are first met (the tie-break order of
    :func:`billable_units`).
    """
    total: dict[str, int] = {}
    for minutes in sessions:
        for code, mins in minutes.items():
            total[code] = total.get(code, 0) + mins
    return total


def day_units(sessions: Iterable[Mapping[str, int]], rule: str = "cms", *,
              untimed: Collection[str] = UNTIMED_CODES) -> dict[str, int]:
    """Units per code for one client's day: :func:`billable_units` of :func:`day_minutes`."""
    return billable_units(day_minutes(sessions), rule, untimed=untimed)


def remaining_units(minutes: Mapping[str, int], billed: Mapping[str, int], rule: str = "cms",
                    *, untimed: Collection[str] = UNTIMED_CODES) -> dict[str, int]:
    """Units per code a day's ``minutes`` may still bill when ``billed`` (code -> units, on
    other claims for the same client and date) is already billed.

    Each code: its units for the day less those already billed, never below 0. Under
    ``"cms"`` the timed codes together also never bill more than the day's total units less
    the timed units already billed (another claim may have taken a unit with a different
    code); when the codes' remainders add up to more, the codes with more minutes that day
    come first (then the order given). Every code of ``minutes`` is in the result.
    """
    due = billable_units(minutes, rule, untimed=untimed)
    left = {code: max(units - billed.get(code, 0), 0) for code, units in due.items()}
    if rule == "cms":
        room = max(sum(u for c, u in due.items() if c not in untimed)
                   - sum(u for c, u in billed.items() if c not in untimed), 0)
        order = list(minutes)
        for code in sorted((c for c in left if c not in untimed),
                           key=lambda c: (-minutes[c], order.index(c))):
            left[code] = min(left[code], room)
            room -= left[code]
    return left
