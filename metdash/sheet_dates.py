"""The dates of a claims spreadsheet as other systems write them: YYYY-MM-DD, numbers in
the order the file itself shows (03/15/2026 month first, unless a day above 12 first says
otherwise: :func:`date_order`; two-digit years, 03/15/26, given their century first:
:func:`two_digit_years`), and the forms that leave no doubt (15-Mar-2026, March 15,
2026, 2026/03/15, 20260315). :mod:`metdash.sheets` reads each row's dates through
:func:`date_cell`."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from metdash import entry as e

__all__ = ["DATE_COLUMNS", "MDY", "DateOrder", "date_cell", "date_order", "excel_day_numbers",
           "two_digit_years"]

# A file repeats its values (a year of one client's visits: the same birth date on every
# row): each distinct value is read once.
_as_date = functools.lru_cache(maxsize=4096)(e.as_date)

DATE_COLUMNS = ("client_dob", "service_date", "referral_date", "submitted_date")
# 03/15/2026 (and "3/15/2026 0:00", "3/15/2026 12:00:00 AM" or "10/06/2026 9:30 AM": a CSV
# saved from Excel or Access writes a time after a date, the visit's or midnight)
_SLASHED = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})" + r"(?:\s+" +
                      r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AP]M)?)?",
                      re.IGNORECASE)
# A date with the time of the visit after it (2026-10-05T09:30:00-05:00, 2026-10-05 09:30):
# the date is the day of service, whatever the time.
_ISO_WITH_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                            r"(?:\s*[AP]M)?(?:Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)
# Dates other systems write that say which number is which: 2026/03/15, 20260315 (as X12),
# 15-Mar-2026, 15 March 2026, Mar 15, 2026, March 15 2026.
_WORDED = ("%d-%b-%Y", "%d %b %Y", "%d-%B-%Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y",
           "%b %d %Y", "%B %d %Y")


@dataclass(frozen=True)
class DateOrder:
    """How a file writes its dates as numbers (03/15/2026): ``order`` 'mdy' (the US order,
    and what a file with no day above 12 is read as: ``assumed``), 'dmy', or 'mixed' (both
    a day above 12 first and one second: each such date is refused, never guessed).
    ``example``: (row, column, value) of the first date that told, or of the first read
    by the assumption."""

    order: str
    assumed: bool = False
    example: tuple[int, str, str] | None = None


def date_order(rows: Sequence[Any]) -> DateOrder:
    """The order of a file's numeric dates, read from the file itself: a first number above
    12 is a day (day/month/year), a second one above 12 is a day (month/day/year). A file
    from a US practice-management system (month/day/year) was refused row by row as
    "ambiguous" (a new-user trial), though 03/15/1950 can only be March 15, and the
    refusals hid every other problem of the file."""
    first: tuple[int, str, str] | None = None
    mdy = dmy = None
    for row in rows:
        for column in DATE_COLUMNS:
            value = row.values.get(column, "")
            m = _SLASHED.fullmatch(value.strip()) if isinstance(value, str) else None
            if not m:
                continue
            a, b = int(m.group(1)), int(m.group(3))
            where = (row.n, column, value.strip())
            first = first or where
            if a > 12 >= b:
                dmy = dmy or where
            elif b > 12 >= a:
                mdy = mdy or where
    if mdy and dmy:
        return DateOrder("mixed", example=dmy)
    if dmy:
        return DateOrder("dmy", example=dmy)
    return DateOrder("mdy", assumed=mdy is None and first is not None, example=mdy or first)


def _numeric_date(value: str, order: DateOrder) -> dt.date | str:
    """``value`` (03/15/2026) read in the file's ``order``; else why not, in words."""
    m = _SLASHED.fullmatch(value.strip())
    assert m is not None
    a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
    if len(year) == 2:  # (two_digit_years read them before; a date read alone)
        return "has a two-digit year"
    if order.order == "mixed":
        n, column, example = order.example or (0, "", "")
        return (f"cannot be read: this file writes some dates day first (row {n}, {column} "
                f"{example!r}) and others month first")
    month, day = (a, b) if order.order == "mdy" else (b, a)
    try:
        return dt.date(int(year), month, day)
    except ValueError:
        words = "month/day/year" if order.order == "mdy" else "day/month/year"
        return f"is not a date read as {words}, as this file writes its dates"


def date_cell(problems: list[str], row: Any, column: str, required: bool,
          order: DateOrder = DateOrder("mdy")) -> dt.date | None:
    value = row.values.get(column, "")
    if isinstance(value, dt.date):
        return value
    if value == "":
        if required and column not in row.refused:
            problems.append(f"row {row.n}, {column}: missing: enter the date, written as "
                            "the file's other dates are (or as YYYY-MM-DD).")
        return None
    try:
        return _as_date(value)
    except ValueError:
        if (other := _other_date(value.strip())) is not None:
            return other
        text = value.strip()
        why = "is not a date"
        if _SLASHED.fullmatch(text):
            read = _numeric_date(value, order)
            if isinstance(read, dt.date):
                return read
            why = read
        elif re.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}", text):
            problems.append(f"row {row.n}, {column}: {value!r} is no day of the calendar: "
                            "check its month and day.")
            return None
        elif re.fullmatch(r"[1-6]\d{4}(\.0+)?", text):
            problems.append(f"row {row.n}, {column}: {value!r} is a date as Excel counts them "
                            "(days since 1900), saved as a number: format the column as a date "
                            "in Excel before saving, or write it as YYYY-MM-DD.")
            return None
        problems.append(f"row {row.n}, {column}: {value!r} {why}: write it as YYYY-MM-DD, "
                        "e.g. 2025-03-04.")
        return None


@functools.lru_cache(maxsize=4096)
def _other_date(value: str) -> dt.date | None:
    """A date as another system writes it with no doubt about which number is the day
    (:data:`_WORDED`, year first with slashes, eight digits as X12 does, or YYYY-MM-DD with
    a time after it); else None."""
    if m := _ISO_WITH_TIME.fullmatch(value):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(m[1])
        return None
    if m := re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", value):
        with contextlib.suppress(ValueError):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        return None
    if re.fullmatch(r"(19|20)\d{6}", value):
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(value, "%Y%m%d").date()
        return None
    if re.search(r"[A-Za-z]{3}", value):
        for form in _WORDED:
            with contextlib.suppress(ValueError):
                return dt.datetime.strptime(value, form).date()
    return None


MDY = DateOrder("mdy")  # the US order: what a file whose dates do not tell is read as


_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (after its 1900 leap-year slip)


def born_problem(row: Any, as_of: dt.date | None) -> str | None:
    """What is wrong with a row's birth date against the import's date ``as_of`` and the
    row's date of service: a birth after today is a mistyped year (said as such, not as a
    visit before the birth); else a visit before the birth."""
    if row.dob and as_of is not None and row.dob > as_of:
        return f"row {row.n}, client_dob: {row.dob} is after today ({as_of}): check the year."
    if row.dob and row.service_date and row.service_date < row.dob:
        return (f"row {row.n}, service_date: {row.service_date} is before the client was born "
                f"({row.dob}): check both dates.")
    return None


def excel_day_numbers(rows: list[tuple[int, dict[str, Any]]]) -> str | None:
    """A workbook's date cells left as Excel's day numbers (a column formatted General:
    46300) read as the dates Excel means; said once. Five digits only (1927 to 2173): a
    year alone (1958) is no day number."""
    first = None
    for n, values in rows:
        for column in DATE_COLUMNS:
            raw = values.get(column)
            if isinstance(raw, str) and re.fullmatch(r"[1-9]\d{4}", raw):
                values[column] = _EXCEL_EPOCH + dt.timedelta(days=int(raw))
                first = first or (n, column, raw, values[column])
    if first is None:
        return None
    n, column, raw, day = first
    return (f"Dates kept as Excel's day numbers were read as the dates Excel means (row {n}, "
            f"{column}: {raw} is {day:%Y-%m-%d}): format those columns as dates to see them "
            "in Excel.")


def two_digit_years(rows: Sequence[Any], as_of: dt.date) -> str | None:
    """Dates written with a two-digit year (06/02/25, as many systems export them: every row
    of such a file was refused) given their century in place, and said once: a date of
    service, referral or submission is this century's (a practice bills no visit of 1925);
    a birth date is the latest such year not after ``as_of``, the import's date ('48' is
    1948, '20' is 2020). A date still after the import is refused by the claim's own
    rules. The order of day and month is left to :func:`date_order`."""
    first: dict[bool, tuple[int, str, str, str]] = {}
    for row in rows:
        for column in DATE_COLUMNS:
            value = row.values.get(column)
            m = _SLASHED.fullmatch(value.strip()) if isinstance(value, str) else None
            if m is None or len(m.group(4)) != 2:
                continue
            year = 2000 + int(m.group(4))
            if column == "client_dob" and year > as_of.year:
                year -= 100
            text = value.strip()
            row.values[column] = text[:m.start(4)] + str(year) + text[m.end(4):]
            first.setdefault(column == "client_dob", (row.n, column, text, row.values[column]))
    if not first:
        return None
    (n, column, text, read), *more = (first[k] for k in (True, False) if k in first)
    also = "".join(f", and row {n2} {c2} {t2!r} as {r2}" for n2, c2, t2, r2 in more)
    return (f"row {n}, {column}: years written with two digits were read as this century's, "
            f"and a birth date's as the latest such year not after the import's date "
            f"({as_of:%Y-%m-%d}): {text!r} as {read}{also}. If a date is of another century, "
            "write its year in four digits.")
