"""What every entry form shares: :class:`Problem`, reading dates and money, and small reads.

A ``*_field`` helper reads one value and appends a :class:`Problem` in the biller's words
when it is wrong, so a validator collects every problem in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from metdash.errors import MoneyTooLarge
from metdash.text import text_problem

__all__ = [
    "CENT", "MAX_MONEY", "Problem", "as_date", "as_money", "blank", "date_field", "fetch_one",
    "fetch_rows", "fmt_money", "money_field", "text_field", "text_fields", "today",
]

CENT = Decimal("0.01")


class Problem(str):
    """One problem in the biller's words; ``field`` and ``line`` (0-based) say where;
    ``masked``: the same words with the client's name, birth date or member id masked, when
    it names a client (what presentation mode shows, :func:`metdash.errors.masked_text`)."""

    field: str
    line: int | None
    masked: str | None

    def __new__(cls, message: str, field: str = "", line: int | None = None,
                masked: str | None = None) -> Problem:
        obj = super().__new__(cls, message)
        obj.field = field
        obj.line = line
        obj.masked = masked if masked is not None else getattr(message, "masked", None)
        return obj


# -- small helpers ---------------------------------------------------------------------------

def today() -> dt.date:
    """Today's date (the default ``as_of`` of every rule that looks at dates)."""
    return dt.date.today()


def as_date(value: Any) -> dt.date | None:
    """A date from a date, datetime or ISO 'YYYY-MM-DD' text; None when blank.

    Raises ValueError for anything else (callers turn it into a Problem).
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    text = str(value).strip()
    if not text:
        return None
    # A date exported with a midnight time ('2025-03-04 00:00:00') is still that date.
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?", text)
    if not m:
        raise ValueError(text)
    return dt.date.fromisoformat(m.group(1))


MAX_MONEY = Decimal("99999999.99")


def as_money(value: Any) -> Decimal | None:
    """Money from a number or text ('$1,200.00' -> 1200.00); None when blank.

    Raises ValueError when it is not an amount.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    typed = not isinstance(value, float | int | Decimal)
    if isinstance(value, float):
        if value != value:
            return None
        value = repr(value)
    # "$1,200.00", "USD 90.00", "90.00 USD" (an export's currency beside the amount)
    text = re.sub(r"^USD|USD$", "", str(value).strip().upper()).replace("$", "")
    text = text.replace(" ", "").replace("\u00a0", "")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    text = _decimal_point(text) if typed else text
    if typed and not re.fullmatch(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", text):
        # Only what a biller writes: Decimal also reads "1e6" (a trial saved a $1,000,000
        # patient payment), "1_000", "Infinity" and other scripts' digits.
        raise ValueError(str(value))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(str(value)) from None
    if not amount.is_finite():
        raise ValueError(str(value))
    if abs(amount) > MAX_MONEY:
        # The store holds DECIMAL(12,2); a claim's total must fit too.
        raise MoneyTooLarge(str(value))
    if typed and amount != amount.quantize(CENT):
        # "1.045" is a thousand and forty-five written the European way, or a typo: never
        # $1.05 without a word.
        raise ValueError(str(value))
    return amount.quantize(CENT)


def _decimal_point(text: str) -> str:
    """An amount's text with a decimal point and no grouping: "1,200.50" and "1.200,50" are
    1200.50, "80,00" is 80.00 (a decimal comma: one or two digits after it), "1,200" is
    1200. Anything else is left for Decimal to refuse."""
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):        # 1.200,50
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")                  # 1,200.50
    if "," in text:
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):  # 1,200 and 1,200,000
            return text.replace(",", "")
        if re.fullmatch(r"-?\d+,\d{1,2}", text):      # 80,00 and 80,5
            return text.replace(",", ".")
    return text


def date_field(problems: list[Problem], value: Any, label: str, fld: str, *,
               required: bool = True, line: int | None = None) -> dt.date | None:
    """``value`` read with :func:`as_date`; a Problem on ``problems`` when it is not a date
    (or is missing and ``required``), and then None."""
    try:
        day = as_date(value)
    except ValueError:
        problems.append(Problem(f"{label} {str(value)!r} is not a date: write it as "
                                "YYYY-MM-DD, e.g. 2025-03-04.", fld, line))
        return None
    if day is None and required:
        problems.append(Problem(f"{label} is missing: enter it as YYYY-MM-DD.", fld, line))
    return day


def blank(value: Any) -> bool:
    """True for None, an empty string or one of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def fetch_rows(con: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows as dicts, on the connection itself (a cursor would not see the open transaction)."""
    res = con.execute(sql, list(params))
    names = [d[0] for d in res.description]
    return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


def fetch_one(con: Any, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    """The first row of :func:`fetch_rows` as a dict; None when there is none."""
    rows = fetch_rows(con, sql, params)
    return rows[0] if rows else None


def fmt_money(value: Decimal) -> str:
    """Money as a biller reads it: ``$1,234.50``, ``-$80.00``."""
    return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"


def money_field(p: list[Problem], value: Any, label: str, fld: str, *,
                required: bool = True, allow_negative: bool = True) -> Decimal | None:
    """``value`` read with :func:`as_money`; a Problem on ``p`` when it is not an amount (or
    is missing and ``required``, or negative when not ``allow_negative``), and then None
    (a negative amount is still returned)."""
    try:
        amount = as_money(value)
    except ValueError:
        p.append(Problem(f"{label} {value!r} is not an amount: write it like 45.00.", fld))
        return None
    if amount is None:
        if required:
            p.append(Problem(f"{label} is missing: enter the amount (0.00 when none).", fld))
        return None
    if not allow_negative and amount < 0:
        p.append(Problem(f"{label} {amount} is negative: enter 0 or more.", fld))
    return amount


def text_field(p: list[Problem], value: Any, label: str, fld: str, *, kind: str | None = None,
               line: int | None = None) -> bool:
    """True when text ``value`` fits its field; else a Problem on ``p`` (too long for
    ``MAX_LENGTH[kind or fld]`` in :mod:`metdash.text`, or a control character) and False.
    Callers check the text's format only when this is True, so a 5 MB value is never
    repeated in a message."""
    msg = text_problem(value, label, kind or fld)
    if msg:
        p.append(Problem(msg, fld, line))
    return msg is None


def text_fields(p: list[Problem], record: Any, labels: dict[str, str]) -> set[str]:
    """:func:`text_field` for each attribute of ``record`` named in ``labels`` (field ->
    label; the field's name is its ``MAX_LENGTH`` entry); the fields refused."""
    return {fld for fld, label in labels.items()
            if not text_field(p, getattr(record, fld), label, fld)}
