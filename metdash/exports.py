"""Every CSV and Excel file metdash writes goes through here, so no cell runs as a formula.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return, which some programs skip before one) as a formula: a client named
``=HYPERLINK("http://…","Open")`` in a download would become a live link that can send the
sheet's data away (OWASP "CSV injection"). So, in every file written here:

- a *text* cell starting with one of those characters gets a leading ``'``: the spreadsheet
  shows the text and runs nothing (OWASP's advice);
- numbers stay numbers: money stored as a number (``-12.50``) is not text and is left alone;
- an Excel cell holding text is written as text, never turned into a formula, link or
  number by the writer;
- column names are neutralised like any other text (payer names become columns).

Nothing else in metdash calls ``to_csv``, ``to_excel``, ``csv.writer`` or ``xlsxwriter``
(``tests/security/test_hostile_content.py`` checks).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "frame_csv", "frame_xlsx", "neutralise", "neutralise_frame",
           "rows_csv", "rows_xlsx"]

# What makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# xlsxwriter would otherwise turn text that looks like a formula, a URL or a number into one.
_XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                 "strings_to_numbers": False}


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text starting with = + - @ tab or CR;
    anything else (numbers, dates, None) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name :func:`neutralise`\\ d;
    numeric, boolean and date columns are kept as they are."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                or pd.api.types.is_datetime64_any_dtype(series)):
            continue
        out[column] = series.astype(object).map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def frame_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (a header row, no index, CRLF line ends as RFC 4180 has them),
    every text cell neutralised."""
    # With CRLF, a cell holding a carriage return is quoted: with "\n" alone pandas would
    # write it bare, and "Smith\r=1+1" would start a new row with a formula.
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n")


def frame_xlsx(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """``frame`` as the bytes of an .xlsx workbook with one sheet (a header row, no index),
    text written as text and neutralised."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter",
                        engine_kwargs={"options": _XLSX_OPTIONS}) as xl:
        neutralise_frame(frame).to_excel(xl, index=False, sheet_name=sheet[:31] or "data")
    return buf.getvalue()


def rows_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]], *,
             lineterminator: str = "\r\n") -> str:
    """``header`` and ``rows`` as CSV text, every text cell neutralised (a cell holding a
    line break is quoted when ``lineterminator`` has that character: keep the default CRLF
    for anything that holds user text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def rows_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "data", *,
              text_columns: bool = False) -> bytes:
    """``header`` and ``rows`` as the bytes of an .xlsx workbook: text as neutralised text,
    numbers as numbers; with ``text_columns`` every column is formatted as text (so what a
    person types into it later stays text too)."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **_XLSX_OPTIONS})
    ws = wb.add_worksheet(sheet[:31] or "data")
    text = wb.add_format({"num_format": "@"}) if text_columns else None
    for i, name in enumerate(header):
        ws.write_string(0, i, neutralise(str(name)))
        if text is not None:
            ws.set_column(i, i, max(12, len(str(name)) + 2), text)
    for r, row in enumerate(rows, start=1):
        for i, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(r, i, neutralise(value), text)
            else:
                ws.write(r, i, value, text)
    wb.close()
    return out.getvalue()
