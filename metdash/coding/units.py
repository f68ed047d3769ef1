"""Billable units from minutes: the CMS 8-minute rule and the per-code rule (DOMAIN.md).

Ties (the CMS rule, when two codes have the same remaining minutes for a left-over unit)
are broken deterministically: the code with more total minutes first, then the code
that comes first in the order the minutes were given (the session's order).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from metdash.coding.cpt import UNTIMED_CODES

__all__ = ["RULES", "billable_units", "cms_total_units"]

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
