"""Reading a claims spreadsheet (CSV or XLSX) as far as an import may: the template's
columns only (under their own names or another system's, :mod:`metdash.sheet_headers`; an
export's title rows above the header and its totals row are said and left out), within
row, size and zip limits, so that one file cannot take the server down
(issue 19); each row parsed into its claim's fields (dates, codes, money) with the problems
found; and the template itself. :mod:`metdash.spreadsheet` checks and imports what this
reads."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from metdash import entry as e
from metdash import exports, sheet_dates, sheet_subscriber
from metdash import sheet_headers as headers
from metdash.coding import normalize_cpt, normalize_icd10, npi_problem, parse_modifiers
from metdash.coding.pos import DEFAULT_POS, normalize_pos, pos_problem
from metdash.errors import MoneyTooLarge
from metdash.sheet_cells import cpt_code, dx_codes
from metdash.sheet_dates import MDY, DateOrder, date_cell, date_order, excel_day_numbers
from metdash.text import formula_problem, text_problem

__all__ = ["COLUMNS", "KIND_ALIASES", "MAX_COLUMNS", "MAX_ROWS", "MAX_UNCOMPRESSED_BYTES",
           "MAX_ZIP_PARTS", "OPTIONAL_COLUMNS", "READ_COLUMNS", "REQUIRED", "SEX_ALIASES",
           "TEMPLATE_COLUMNS",
           "TYPE_ALIASES", "DateOrder", "Row", "date_order", "norm_choice", "parse_row",
           "Sheet", "read_rows", "read_sheet", "template", "too_large"]

# What one import reads at most (issue 19: a 5 KB sheet declaring A1:XFD1048576, or a zip
# that unzips to gigabytes, took the server past 3 GB). A busy practice's year is ~10,000
# rows; the upload itself is at most 20 MB (.streamlit/config.toml). An import holds about
# 7 MB and 0.5 s a thousand rows here (10,000: 83 MB; 40,000: 284 MB and 17 s, on a busy
# 2-core machine), so 50,000 rows keep one import near 350 MB and half a minute.
MB = 1024 * 1024
MAX_ROWS = 50_000                    # rows below the header
MAX_UNCOMPRESSED_BYTES = 200 * MB    # a CSV, or the parts of an XLSX once unzipped
MAX_ZIP_PARTS = 1_000                # an XLSX of one sheet has about a dozen
MAX_COLUMNS = 128                    # cells read of each row (the template has 22; a
                                     # practice-management export, 60-70)

COLUMNS = (
    "claim_id", "client_id", "client_last_name", "client_first_name", "client_dob",
    "client_sex", "payer_name", "payer_type", "member_id", "referrer_npi", "referrer_name",
    "referrer_kind", "referral_date", "service_date", "cpt", "modifiers", "units", "charge",
    "diagnosis_codes", "rendering_npi", "submitted_date",
)
# Columns a file may leave out (older files and templates lack them): an absent or blank
# place_of_service is 11, the office.
OPTIONAL_COLUMNS = ("place_of_service",)
TEMPLATE_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
# Read when a file has them (an export's status, diagnosis pointers, the rendering
# provider's name), never asked for: not in the template.
EXTRA_COLUMNS = ("claim_status", "dx_pointers", "rendering_name", "timely_filing_reason",
                 *sheet_subscriber.COLUMNS)
READ_COLUMNS = TEMPLATE_COLUMNS + EXTRA_COLUMNS

# -- reading ----------------------------------------------------------------------------------

def _cell_text(value: Any) -> Any:
    """A cell as text, except real dates (kept as dates). None/blank -> ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).replace("\u00a0", " ").strip()


def too_large(n_bytes: int, file_name: str = "") -> str | None:
    """The biller's message when a file of ``n_bytes`` is over the size an import reads
    (:data:`MAX_UNCOMPRESSED_BYTES`), else None (the command line asks before reading it)."""
    if n_bytes <= MAX_UNCOMPRESSED_BYTES:
        return None
    return (f"{file_name or 'The file'} is larger than {MAX_UNCOMPRESSED_BYTES // MB} MB "
            f"({n_bytes / MB:,.0f} MB): an import reads at most {MAX_ROWS:,} rows; split "
            "the file into smaller ones.")


def _zip_problem(data: bytes, name: str) -> str | None:
    """Why an XLSX (a zip) is not opened: what its parts declare they unzip to, before
    anything is unzipped (a few KB can declare gigabytes: a zip bomb). The declared sizes
    bind: Python's zipfile stops a part at its declared size (and fails its checksum)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return (f"{name} is not a readable Excel workbook ({exc.__class__.__name__}): save "
                "it again as .xlsx or .csv.")
    if len(infos) > MAX_ZIP_PARTS:
        return (f"{name} holds {len(infos):,} parts, not a workbook an import reads: save "
                "the claims sheet on its own as .xlsx or .csv.")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        big = max(infos, key=lambda i: i.file_size)
        return (f"{name} unzips to {total / MB:,.0f} MB ({big.filename}: "
                f"{big.file_size / MB:,.0f} MB); an import reads at most "
                f"{MAX_UNCOMPRESSED_BYTES // MB} MB and {MAX_ROWS:,} rows: split the file, "
                "or save only the claims sheet as .xlsx or .csv.")
    return _markup_problem(data, infos, name)


# XML that Excel never writes in a sheet or its strings, and that costs a parser dearly: a
# comment is parsed in time that grows with the square of its length (a 151 KB upload
# holding a 150 MB comment kept a core busy for over ten minutes), and a DOCTYPE or an
# ENTITY is how XML bombs begin.
_HOSTILE_MARKUP = (b"<!--", b"<!DOCTYPE", b"<!ENTITY")


def _markup_problem(data: bytes, infos: Sequence[zipfile.ZipInfo], name: str) -> str | None:
    """Why a workbook's sheets or shared strings are not parsed: they hold markup Excel does
    not write (:data:`_HOSTILE_MARKUP`). Read in 1 MB pieces, each part once."""
    parts = [i for i in infos if i.filename.startswith("xl/worksheets/")
             or i.filename == "xl/sharedStrings.xml"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in parts:
            tail = b""
            with zf.open(info) as part:
                while chunk := part.read(1 << 20):
                    seen = tail + chunk
                    if any(m in seen for m in _HOSTILE_MARKUP):
                        return (f"{name}: {info.filename} holds XML that Excel does not write "
                                "(a comment or a DOCTYPE): open the file in Excel and save it "
                                "again as .xlsx, or save it as .csv.")
                    tail = seen[-16:]
    return None


def _too_many_rows(name: str) -> ValueError:
    return ValueError(f"{name} has more than {MAX_ROWS:,} rows: an import reads at most "
                      f"{MAX_ROWS:,} at a time: split the file into smaller ones (and delete "
                      "any empty rows below the data).")


def _xlsx_rows(data: bytes, name: str, said: list[str] | None = None
               ) -> Iterator[tuple[int, Sequence[Any]]]:
    """(row number, cells) of the workbook's claims sheet, at most :data:`MAX_COLUMNS` cells
    a row and :data:`MAX_ROWS` rows below the header (the sheet's declared size is not
    trusted). The claims sheet is the first whose header names the template's columns
    (:func:`_claims_sheet`); which one is said in ``said`` when it is not the first."""
    import openpyxl

    problem = _zip_problem(data, name)
    if problem:
        raise ValueError(problem)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise ValueError(f"{name} is not a readable Excel workbook "
                         f"({exc.__class__.__name__}): save it again as .xlsx or .csv.") from exc
    try:
        try:
            ws, others = _claims_sheet(wb)
            if said is not None:
                if ws is not wb.worksheets[0]:
                    said.append(f"Read the sheet {ws.title!r}: the first sheet, "
                                f"{wb.worksheets[0].title!r}, names no claim columns.")
                if others:
                    said.append(f"Read the sheet {ws.title!r} only: the sheet(s) "
                                f"{', '.join(repr(o) for o in others)} hold claim columns "
                                "too: import each as a file of its own (or put all the lines "
                                "on one sheet).")
                if (ws.max_column or 0) > MAX_COLUMNS:
                    said.append(_too_wide(ws.max_column))
            # Bounded, not the sheet's <dimension> (A1:XFD1048576 fits in 5 KB): openpyxl
            # pads every row to max_col and fills the rows missing before max_row.
            rows = ws.iter_rows(min_row=1, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS,
                                values_only=True)
            yield from enumerate(rows, start=1)
        except Exception as exc:  # a damaged sheet: openpyxl raises many kinds
            raise ValueError(f"{name} is not a readable Excel workbook "
                             f"({exc.__class__.__name__}): save it again as .xlsx or .csv."
                             ) from exc
    finally:
        wb.close()


MAX_SHEETS_LOOKED_AT = 10


def _claims_sheet(wb: Any) -> tuple[Any, list[str]]:
    """The first of the workbook's first :data:`MAX_SHEETS_LOOKED_AT` sheets whose first
    rows hold a header naming the template's columns (an export's summary sheet may come
    first), and the titles of the others that hold one too (a month a sheet); the first
    sheet when none does (its message then says what it lacks)."""
    sheets = wb.worksheets
    with_claims = [ws for ws in sheets[:MAX_SHEETS_LOOKED_AT]
                   if len(sheets) > 1 and _has_claims_header(ws)]
    if not with_claims:
        return sheets[0], []
    return with_claims[0], [ws.title for ws in with_claims[1:]]


def _has_claims_header(ws: Any) -> bool:
    looked = 0
    for n, cells in enumerate(ws.iter_rows(min_row=1, max_row=TITLE_ROWS + 20,
                                           max_col=MAX_COLUMNS, values_only=True), start=1):
        plan = _header_plan(cells, n)
        if plan is None:
            continue
        if plan.recognised() >= HEADER_AT_LEAST:
            return True
        looked += 1
        if looked > TITLE_ROWS:
            return False
    return False


def _too_wide(columns: int) -> str:
    return (f"The file has {columns} columns; only the first {MAX_COLUMNS} are read: move "
            "the claim's columns among them (or delete the columns not needed).")


def _csv_rows(data: bytes, name: str, said: list[str] | None = None
              ) -> Iterator[tuple[int, Sequence[Any]]]:
    """(line number, cells) of a CSV (comma, semicolon or tab separated)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") and "\t" not in sample else ","
    if sample.count("\t") > sample.count(","):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    wide = False
    n = 0  # rows as a spreadsheet shows them: a cell's line break starts no row
    try:
        for n, row in enumerate(reader, start=1):
            if len(row) > MAX_COLUMNS and any(c.strip() for c in row[MAX_COLUMNS:]) \
                    and not wide and said is not None:
                wide = True
                said.append(_too_wide(len(row)))
            yield n, row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise ValueError(f"{name}, row {n + 1}: the file cannot be read as CSV "
                         f"({exc}): no column holds that much text; check for a stray quote, or save "
                         "it again as .csv."
                         ) from exc


@dataclass
class Sheet:
    """A file as an import reads it: ``header``, the template columns found (in the file's
    order); ``rows``, (row number, {column: cell}); ``plan``, how its header was read (the
    other systems' names it used: :mod:`metdash.sheet_headers`)."""

    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    plan: headers.Plan
    skipped: list[str] = field(default_factory=list)  # rows not read, and why (said)
    header_row: int = 1


def read_sheet(data: bytes, file_name: str = "") -> Sheet:
    """The :class:`Sheet` of CSV or XLSX bytes.

    Row numbers are as a person sees them (header = 1); blank rows are dropped but
    counted. Only the template's columns are kept (under their own names or another
    system's: :func:`metdash.sheet_headers.plan`), of at most :data:`MAX_COLUMNS`. Raises
    ValueError with a biller's message when the file cannot be read, or is larger than an
    import reads (:data:`MAX_UNCOMPRESSED_BYTES`, :data:`MAX_ROWS`).
    """
    name = file_name or "The file"
    is_xlsx = data[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm"))
    problem = too_large(len(data), file_name)
    if problem:
        raise ValueError(problem)
    skipped: list[str] = []
    source = _xlsx_rows(data, name, skipped) if is_xlsx else _csv_rows(data, name, skipped)
    plan: headers.Plan | None = None
    header_row = 1
    above: list[tuple[int, Sequence[Any]]] = []   # non-blank rows before the header
    rows: list[tuple[int, dict[str, Any]]] = []
    with contextlib.closing(source):
        for count, (n, cells) in enumerate(source, start=1):
            if count > MAX_ROWS + 1:
                raise _too_many_rows(name)
            if plan is not None:
                _add_row(rows, skipped, plan, n, cells)
                continue
            candidate = _header_plan(cells, n)
            if candidate is None:
                continue  # blank
            if candidate.recognised() >= HEADER_AT_LEAST:
                plan, header_row = candidate, n
                if above:
                    skipped.append(f"Row(s) {', '.join(str(a) for a, _ in above)} above the "
                                   f"header (row {n}) were not read: a title, not claims.")
            elif len(above) < TITLE_ROWS:
                above.append((n, cells))  # a title or a date range above the header?
            else:
                above.append((n, cells))
                plan, header_row = _first_row_as_header(above, rows, skipped), above[0][0]
    if plan is None and above:
        plan, header_row = _first_row_as_header(above, rows, skipped), above[0][0]
    if plan is None:
        raise ValueError(f"{name} is empty: the first row must name the "
                         f"columns ({', '.join(COLUMNS)}).")
    if is_xlsx and (said := excel_day_numbers(rows)):
        skipped.append(said)
    found = sorted(plan.columns, key=lambda c: plan.columns[c][0])
    if plan.whole_name is not None:
        found += headers.NAME_PARTS
    return Sheet(found, rows, plan, skipped, header_row)


def _header_plan(cells: Sequence[Any], n: int) -> headers.Plan | None:
    """How ``cells`` (row ``n``) read as a header (None: a blank row)."""
    texts = [str(_cell_text(h)).replace("\ufeff", "") for h in cells]
    return headers.plan(texts, READ_COLUMNS, n) if any(headers.key(t) for t in texts) else None


def _first_row_as_header(above: list[tuple[int, Sequence[Any]]],
                         rows: list[tuple[int, dict[str, Any]]], skipped: list[str]
                         ) -> headers.Plan:
    """No row near the top reads as a header: the first is one (and the import says which
    columns it lacks), the others rows."""
    plan = _header_plan(above[0][1], above[0][0])
    assert plan is not None  # above holds rows that are not blank
    for n, cells in above[1:]:
        _add_row(rows, skipped, plan, n, cells)
    return plan


# A code with its modifiers in one cell ("97110-GP", "97110:GP:59", "97140 59").
_CPT_WITH_MODIFIERS = re.compile(r"[A-Z0-9]{5}(?:\s*[\s:-]\s*[A-Z0-9]{2}){1,4}")

# A header is the first row naming at least this many of the template's columns, among the
# first TITLE_ROWS + 1 rows that are not blank (an export's title and date range above it).
HEADER_AT_LEAST = 3
TITLE_ROWS = 5
_TOTAL = re.compile(r"^((grand|sub)\s*)?totals?\b.*$", re.IGNORECASE)
# A report's page furniture: "Page 1 of 2", "Printed 11/30/2026 8:15 AM by jdoe".
_FURNITURE = re.compile(r"^(page\s+\d+(\s+of\s+\d+)?|printed\b.*|run\s+date\b.*|"
                        r"report\s+(date|run)\b.*)$", re.IGNORECASE)


def _add_row(rows: list[tuple[int, dict[str, Any]]], skipped: list[str], plan: headers.Plan,
             n: int, cells: Sequence[Any]) -> None:
    """Row ``n``'s values, unless it is blank, or an export's totals row (a cell "Total",
    no date of service and no code; "Total" may stand in either column)."""
    singles, joined = plan.places()
    width = len(cells)
    values = {c: (_cell_text(cells[i]) if i < width else "") for c, i in singles}
    for c, places in joined:
        values[c] = _cells(cells, places, plan.joiner(c))
    if plan.whole_name is not None:
        values.update(_name_parts(_cells(cells, [plan.whole_name], "")))
    if all(v == "" for v in values.values()):
        return
    if all(v == "" or _TOTAL.match(str(v)) for v in (values.get("service_date", ""),
                                                    values.get("cpt", ""))):
        texts = [str(c).strip() for c in cells if c is not None and str(c).strip()]
        if any(_TOTAL.match(t) for t in texts):
            skipped.append(f"Row {n} was not read: a totals row, not a claim line.")
            return
        if len(texts) <= 2 or any(_FURNITURE.match(t) for t in texts):
            skipped.append(f"Row {n} was not read: no date of service or code, not a claim "
                           f"line ({', '.join(repr(t) for t in texts[:2])}).")
            return
    elif plan.repeats_header(values):
        skipped.append(f"Row {n} was not read: it repeats the header.")
        return
    rows.append((n, values))


def _cells(cells: Sequence[Any], places: list[int], joiner: str) -> Any:
    if len(places) == 1:
        i = places[0]
        return _cell_text(cells[i]) if i < len(cells) else ""
    parts = [str(_cell_text(cells[i])) for i in places if i < len(cells)]
    return joiner.join(t for t in parts if t)


def read_rows(data: bytes, file_name: str = "") -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """``(template columns found, [(row number, {column: value})])``: :func:`read_sheet`."""
    sheet = read_sheet(data, file_name)
    return sheet.header, sheet.rows


UNSPLIT = "_name_without_comma"  # a row's whole name that has no comma to split it at


def _name_parts(name: Any) -> dict[str, Any]:
    """client_last_name and client_first_name of a "Last, First" cell (``UNSPLIT`` when it
    has no comma: which word is the last name is not guessed)."""
    text = str(name).strip()
    if "," in text:
        last, first = text.split(",", 1)
        return {"client_last_name": last.strip(), "client_first_name": first.strip()}
    return {"client_last_name": text, "client_first_name": "",
            **({UNSPLIT: text} if text else {})}


REQUIRED = ("claim_id", "client_id", "client_last_name", "client_first_name", "client_dob",
            "payer_name", "member_id", "service_date", "cpt", "units", "charge",
            "diagnosis_codes", "rendering_npi")

# -- parsing one row --------------------------------------------------------------------------

# A file repeats its values (a year of one client's visits: the same NPIs, birth date and
# diagnoses on every row): each distinct value is read once. Pure functions only.
_npi_problem = functools.lru_cache(maxsize=4096)(npi_problem)
_normalize_icd10 = functools.lru_cache(maxsize=4096)(normalize_icd10)

@dataclass
class Row:
    n: int
    values: dict[str, Any]
    service_date: dt.date | None = None
    dob: dt.date | None = None
    referral_date: dt.date | None = None
    submitted_date: dt.date | None = None
    units: int | None = None
    charge: Decimal | None = None
    dx: list[str] = field(default_factory=list)
    modifiers: list[str] = field(default_factory=list)
    cpt: str = ""
    refused: set[str] = field(default_factory=set)  # columns already reported as refused
    place_of_service: str = DEFAULT_POS
    pointers: list[int] = field(default_factory=list)  # into ``dx``, from 1; [] = all
    subscriber: dict[str, Any] = field(default_factory=dict)  # metdash.sheet_subscriber
    held: bool = False  # its status says not to send it yet: imported as a draft


TYPE_ALIASES = {"medicare_part_b": "medicare", "ma": "medicare_advantage",
                 "medicare_advantage_plan": "medicare_advantage", "workers_compensation":
                 "workers_comp", "workers'_comp": "workers_comp", "private": "commercial",
                 "medicare_b": "medicare", "mcr": "medicare", "mcd": "medicaid",
                 "wc": "workers_comp", "work_comp": "workers_comp", "bcbs": "commercial",
                 "blue_cross": "commercial", "hmo": "commercial", "ppo": "commercial",
                 "epo": "commercial", "group_health": "commercial", "pip": "auto",
                 "auto_insurance": "auto", "tricare": "other", "va": "other",
                 "champva": "other", "champus": "other"}
# A payer named so is no payer: a visit the client pays for is no claim.
SELF_PAY = {"self_pay", "selfpay", "self", "cash", "private_pay", "patient", "none",
            "no_insurance", "uninsured", "patient_pay", "client_pay"}
KIND_ALIASES = {"pt": "physical_therapist", "therapist": "physical_therapist",
                 "doctor": "physician", "md": "physician", "do": "physician"}
SEX_ALIASES = {"F": "F", "FEMALE": "F", "WOMAN": "F", "M": "M", "MALE": "M", "MAN": "M",
               "U": "U", "UNKNOWN": "U"}


# An export's claim status that says the claim went out already.
SENT_STATUSES = {"billed", "submitted", "sent", "paid", "partially_paid", "partial_paid",
                 "partial_payment", "denied", "closed", "processed", "adjudicated",
                 "accepted", "at_payer", "pending_payer", "in_process", "appealed", "posted",
                 "settled", "complete", "completed", "done"}
# ... that the claim is not to be sent (yet): imported as a draft; that it is void: refused.
HELD_STATUSES = {"hold", "on_hold", "held", "draft", "not_ready", "incomplete",
                 "pending_review", "needs_review", "review", "unbilled_hold", "do_not_bill"}
VOID_STATUSES = {"void", "voided", "deleted", "cancelled", "canceled", "removed"}


def _pointers_and_status(row: Row, problems: list[str]) -> None:
    """The row's diagnosis pointers (1, "1,2", "12", "AB": into its own diagnosis codes),
    and what its status says: sent (while the row says not when), void, or on hold."""
    v = row.values
    raw = str(v.get("dx_pointers", "")).strip()
    if raw and row.dx:
        found: list[int] = []
        for token in re.split(r"[\s,;:/]+", raw.upper()):
            if re.fullmatch(r"[A-L]+", token):
                found += [ord(ch) - ord("A") + 1 for ch in token]
            elif token.isdigit():
                whole = int(token)
                found += [whole] if len(token) == 1 or whole <= len(row.dx) else [
                    int(ch) for ch in token]
            elif token:
                found.append(0)
        if any(not 1 <= k <= len(row.dx) for k in found):
            problems.append(f"row {row.n}, dx_pointers: {raw!r} points at no diagnosis of the "
                            f"row: it has {len(row.dx)} ({', '.join(row.dx)}): write 1 to "
                            f"{len(row.dx)}, as '1,2'.")
        else:
            row.pointers = list(dict.fromkeys(found))
    status = headers.key(str(v["claim_status"])) if v.get("claim_status") else ""
    if (status in SENT_STATUSES and row.submitted_date is None
            and "submitted_date" not in row.refused):
        problems.append(f"row {row.n}, claim_status: {v['claim_status']!r} says the claim was "
                        "sent, but the row has no submitted_date: add the date it was sent, "
                        "or it would go out again in the next 837P file.")
    elif status in VOID_STATUSES:
        problems.append(f"row {row.n}, claim_status: {v['claim_status']!r} says the claim is "
                        "void in the system it came from: leave its row out of the file.")
    row.held = status in HELD_STATUSES and row.submitted_date is None


def norm_choice(value: str, aliases: dict[str, str]) -> str:
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return aliases.get(key, key)


# The metdash.text.MAX_LENGTH entry of each free-text column (the coded ones: "spreadsheet_cell").
_COLUMN_TEXT = {"claim_id": "claim_id", "client_id": "client_id",
                "client_last_name": "last_name", "client_first_name": "first_name",
                "payer_name": "org_name", "member_id": "member_id",
                "referrer_name": "person_name", "rendering_name": "person_name",
                "subscriber_name": "person_name", "subscriber_last_name": "last_name",
                "subscriber_first_name": "first_name",
                "timely_filing_reason": "note"}


def _cell_problem(column: str, value: Any) -> str | None:
    """What is wrong with one cell's text before any rule reads it (a formula, a control
    character, too long); None when nothing is, or for a real date from Excel."""
    if not isinstance(value, str):
        return None
    return formula_problem(value) or text_problem(value, "the cell",
                                                  _COLUMN_TEXT.get(column, "spreadsheet_cell"))


def parse_row(row: Row, problems: list[str], order: DateOrder = MDY,
              as_of: dt.date | None = None) -> None:
    v = row.values
    for column in READ_COLUMNS:
        if column not in v:
            continue  # not in the file
        msg = _cell_problem(column, v[column])
        if msg:
            problems.append(f"row {row.n}, {column}: {msg}")
            row.refused.add(column)
            v[column] = ""  # said once, here: the checks below pass over it
    if v.get(UNSPLIT):
        problems.append(f"row {row.n}, client_last_name: {v[UNSPLIT]!r} has no comma: write "
                        "the name 'Last, First' (as 'Lane, Lois'), or give the last and first "
                        "names columns of their own (client_last_name, client_first_name).")
        row.refused.update(headers.NAME_PARTS)
    if headers.key(str(v.get("payer_name", ""))) in SELF_PAY:
        problems.append(f"row {row.n}, payer_name: {v['payer_name']!r}: a visit the client pays "
                        "for is no claim to a payer: leave its row out of the file (the "
                        "client's payment goes under Payments & appeals).")
        row.refused.update(("payer_name", "member_id"))
    for column in REQUIRED:
        if column in ("client_dob", "service_date") or (
                column == "rendering_npi" and v.get("rendering_name")):
            continue  # dates report their own "missing"; a provider by name is looked up
        if v.get(column, "") == "" and column not in row.refused:
            problems.append(f"row {row.n}, {column}: missing: fill it in.")
    row.dob = date_cell(problems, row, "client_dob", True, order)
    row.service_date = date_cell(problems, row, "service_date", True, order)
    row.referral_date = date_cell(problems, row, "referral_date", False, order)
    row.submitted_date = date_cell(problems, row, "submitted_date", False, order)
    sheet_subscriber.parse(row, problems, order)
    if said := sheet_dates.born_problem(row, as_of):
        problems.append(said)
    if v.get("client_sex", "") != "" and str(v["client_sex"]).upper() not in SEX_ALIASES:
        problems.append(f"row {row.n}, client_sex: {v['client_sex']!r} must be F, M or U.")
    row.cpt = cpt_code(normalize_cpt(v.get("cpt", "")))  # "97110 - Therapeutic exercise"
    units = str(v.get("units", "")).strip()
    if units:
        try:
            as_float = float(units)
            if not as_float.is_integer() or as_float < 1:
                raise ValueError
            row.units = int(as_float)
        except ValueError:
            problems.append(f"row {row.n}, units: {units!r} must be a whole number of 1 or more.")
    charge = v.get("charge", "")
    if charge != "":
        try:
            row.charge = e.as_money(charge)
            if row.charge is not None and row.charge < 0:
                problems.append(f"row {row.n}, charge: {charge!r} is negative: enter 0 or more.")
        except MoneyTooLarge:
            problems.append(f"row {row.n}, charge: {charge!r} is far too large for one line: "
                            "check the amount (at most 99,999,999.99).")
        except ValueError:
            cents = re.fullmatch(r"\$?\s*-?\d+\.\d{3,}", str(charge).strip())
            problems.append(f"row {row.n}, charge: {charge!r} " + (
                "has more than two decimals: an amount has cents at most (a thousand and "
                "forty-five is 1045.00 or 1,045.00)." if cents else
                "is not an amount: write it like 45.00."))
    row.modifiers = parse_modifiers(v.get("modifiers", ""))
    if _CPT_WITH_MODIFIERS.fullmatch(row.cpt):  # "97110-GP", "97140 59": as many exports write
        code, *mods = re.split(r"[\s:-]+", row.cpt)
        row.cpt = code
        # the code's own first (as written beside it), then the modifier column's
        row.modifiers = list(dict.fromkeys([*mods, *row.modifiers]))
    if str(v.get("place_of_service", "")).strip():
        msg = pos_problem(v["place_of_service"])
        if msg:
            problems.append(f"row {row.n}, place_of_service: {msg}")
        else:
            row.place_of_service = normalize_pos(v["place_of_service"])
    # ICD-10-CM codes hold no space: "M5450 E119" is two codes, as "M54.50;E11.9" is.
    row.dx = [_normalize_icd10(c) for c in dx_codes(str(v.get("diagnosis_codes", "")))]
    _pointers_and_status(row, problems)
    for column, label in (("referrer_npi", "Referring NPI"), ("rendering_npi", "Rendering NPI")):
        if v.get(column, "") != "":
            msg = _npi_problem(v[column], label)
            if msg:
                problems.append(f"row {row.n}, {column}: {msg}")
    if v.get("payer_type", "") != "":
        ptype = norm_choice(v["payer_type"], TYPE_ALIASES)
        if ptype not in e.PAYER_TYPES:
            problems.append(f"row {row.n}, payer_type: {v['payer_type']!r} must be one of "
                            f"{', '.join(e.PAYER_TYPES)}.")
    if v.get("referrer_kind", "") != "":
        kind = norm_choice(v["referrer_kind"], KIND_ALIASES)
        if kind not in e.REFERRER_KINDS:
            problems.append(f"row {row.n}, referrer_kind: {v['referrer_kind']!r} must be one "
                            f"of {', '.join(e.REFERRER_KINDS)}.")
    if v.get("referral_date", "") != "" and v.get("referrer_npi", "") == "":
        problems.append(f"row {row.n}, referrer_npi: a referral date is given but no referring "
                        "NPI: add the referrer's NPI or clear the date.")


# -- the template ------------------------------------------------------------------------------

EXAMPLE = {  # the template's made-up row (an import refuses it: metdash.spreadsheet)
    "claim_id": "MD250304-001", "client_id": "C1001", "client_last_name": "Sample",
    "client_first_name": "Sam", "client_dob": "1956-04-12", "client_sex": "F",
    "payer_name": "Medicare Part B", "payer_type": "medicare", "member_id": "1EG4TE5MK73",
    "referrer_npi": "1234567893", "referrer_name": "Example, Erin",
    "referrer_kind": "physician", "referral_date": "2025-02-20", "service_date": "2025-03-04",
    "cpt": "97110", "modifiers": "GP", "units": "2", "charge": "80.00",
    "diagnosis_codes": "M54.50;E11.9", "rendering_npi": "1245319599", "submitted_date": "",
    "place_of_service": "11",
}


def template(kind: str = "csv") -> bytes:
    """A template file (the header and one made-up example row) as CSV or XLSX bytes."""
    example = [[EXAMPLE[c] for c in TEMPLATE_COLUMNS]]
    if kind == "csv":
        return exports.rows_csv(TEMPLATE_COLUMNS, example, lineterminator="\n").encode("utf-8")
    if kind == "xlsx":
        return exports.rows_xlsx(TEMPLATE_COLUMNS, example, "claims", text_columns=True)
    raise ValueError("kind must be 'csv' or 'xlsx'")
