"""USPS state codes, as the 837P's N4 segments carry them (loops 2010AA, 2010BA, 2010CA):
the 50 states, the District of Columbia, the territories and the military post codes."""

from __future__ import annotations

STATE_CODES = frozenset("""
AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI AA AE AP
""".split())


def state_problem(value: str, label: str = "State") -> str | None:
    """Why ``value`` is not a USPS state code (case does not matter), or None."""
    code = (value or "").strip().upper()
    if code in STATE_CODES:
        return None
    return f"{label} {value!r} is not a US state code: use its two-letter USPS code, e.g. IL."
