"""Values written on a chart (bar labels, a bin's words), pure: number -> text.

Python's round() and format(".0f") round a half to the even neighbour: a median of -2.5 days
was labelled "-2" on its bar while the table beside it said -2.5. Labels round a half away
from zero (as the tables' formats do), on the value as written (its repr): 0.145 is 14.5 %,
not the 14.4999... the float holds.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def half_away(value: float | Decimal, places: int = 0) -> Decimal:
    """``value`` rounded to ``places`` decimals, a half away from zero (never -0); a Decimal
    (an amount from the store) as it is, not through a float."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    rounded = exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return rounded + 0  # -0.0 + 0 is 0.0


def _missing(value: Any) -> bool:
    return value is None or value != value


def days_label(value: float) -> str:
    """A number of days as a chart label: one decimal, as the tables show days ("%.1f"):
    -2.5 reads "-2.5", 20 reads "20.0". A missing value: ""."""
    return "" if _missing(value) else f"{half_away(value, 1):.1f}"


def percent_label(value: float) -> str:
    """A rate (0.125) as a whole percent for a chart label: "13%". A missing value: ""."""
    return "" if _missing(value) else f"{half_away(value, 2) * 100:.0f}%"


def dollars_label(value: float) -> str:
    """Dollars as a whole-dollar chart label: 12.50 reads "$13", 1234 "$1,234", -12.50
    "-$13". An amount under a dollar, not zero, reads in cents: 0.26 is "$0.26" (a new
    practice's cost of waiting read "$0" beside its bar, and "$0.26" in the line under it).
    A missing value: ""."""
    if _missing(value):
        return ""
    if 0 < abs(value) < 0.995:
        cents = half_away(value, 2)
        return f"{'-' if cents < 0 else ''}${abs(cents):.2f}"
    dollars = half_away(value)
    return f"{'-' if dollars < 0 else ''}${abs(dollars):,.0f}"


def signed_dollars(value: float) -> str:
    """A change in whole dollars, its sign always written: "+$1,234", "-$13", "+$0"."""
    return ("+" if not _missing(value) and value >= 0 else "") + dollars_label(value)


MINUS = "\u2212"  # a true minus sign, as plotly writes negative ticks


def days_bin_label(start: int, width: int = 7) -> str:
    """A histogram bin of whole days ``start`` .. ``start + width - 1`` in words: "0 to 6
    days", "7 to 13 days"; a negative one with a true minus and what it means: "−7 to −1
    days (paid before sent)" (it read "−7–−1 days", a row of dashes)."""
    def number(n: int) -> str:
        return f"{MINUS}{-n}" if n < 0 else str(n)

    end = start + width - 1
    days = f"{number(start)} day{'' if abs(start) == 1 else 's'}" if end == start else \
        f"{number(start)} to {number(end)} days"
    return f"{days} (paid before sent)" if end < 0 else days


def at_a_word(text: str, most: int) -> str:
    """``text`` if it has at most ``most`` characters, else cut after its last whole word
    that fits, marked "…" (a chart's axis label; the whole text goes in its hover)."""
    if len(text) <= most:
        return text
    head = text[:most - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,;:(-") + "…"


def short_names(names: Any, most: int) -> list[str]:
    """Each of ``names`` :func:`at_a_word`; the names whole when two would read alike (an
    axis of categories would draw them as one)."""
    names = [str(n) for n in names]
    cut = [at_a_word(n, most) for n in names]
    return cut if len(set(cut)) == len(set(names)) else names
