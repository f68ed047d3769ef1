"""Claims spreadsheet import (CSV or XLSX, one row per service line) and its template.

Every row is checked with the same rules as the claim form (:func:`metdash.entry.check_claim`).
If any row is bad, nothing is imported and every problem comes back as
``row N, column: message`` (N as a person sees it: the header is row 1). Warnings (a
Medicare line without GP, a line that needs KX or 59, a charge off the fee schedule, ...)
come back the same way beside them and never refuse the file: a file with only warnings
imports. Unknown payers,
referrers, clients and rendering providers are created; known ones are matched. A file
imported twice adds nothing the second time: its sha256 is recorded in ``imports``, and a
claim whose id is already on file with the same content is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from metdash import entry as e
from metdash.coding import (
    normalize_cpt,
    normalize_icd10,
    npi_problem,
    parse_modifiers,
)
from metdash.errors import MoneyTooLarge
from metdash.store import Database, audit, next_id, to_json

__all__ = ["COLUMNS", "ImportResult", "import_claims", "read_rows", "template"]

COLUMNS = (
    "claim_id", "client_id", "client_last_name", "client_first_name", "client_dob",
    "client_sex", "payer_name", "payer_type", "member_id", "referrer_npi", "referrer_name",
    "referrer_kind", "referral_date", "service_date", "cpt", "modifiers", "units", "charge",
    "diagnosis_codes", "rendering_npi", "submitted_date",
)
REQUIRED = ("claim_id", "client_id", "client_last_name", "client_first_name", "client_dob",
            "payer_name", "member_id", "service_date", "cpt", "units", "charge",
            "diagnosis_codes", "rendering_npi")
KIND = "claims-spreadsheet"

# Problem.field from the claim rules -> the spreadsheet column it came from.
_FIELD_COLUMN = {
    "claim_id": "claim_id", "client_id": "client_id", "payer_id": "payer_name",
    "coverage_id": "member_id", "referral_id": "referral_date", "referrer_id": "referrer_npi",
    "rendering_provider_id": "rendering_npi", "diagnosis_codes": "diagnosis_codes",
    "service_date": "service_date", "cpt": "cpt", "units": "units", "charge": "charge",
    "modifiers": "modifiers", "dx_pointers": "diagnosis_codes",
    "submitted_date": "submitted_date", "timely_filing_reason": "service_date",
    "lines": "cpt",
}

_EXAMPLE = {
    "claim_id": "MD250304-001", "client_id": "C1001", "client_last_name": "Sample",
    "client_first_name": "Sam", "client_dob": "1956-04-12", "client_sex": "F",
    "payer_name": "Medicare Part B", "payer_type": "medicare", "member_id": "1EG4TE5MK73",
    "referrer_npi": "1234567893", "referrer_name": "Example, Erin",
    "referrer_kind": "physician", "referral_date": "2025-02-20", "service_date": "2025-03-04",
    "cpt": "97110", "modifiers": "GP", "units": "2", "charge": "80.00",
    "diagnosis_codes": "M54.50;E11.9", "rendering_npi": "1245319599", "submitted_date": "",
}


@dataclass
class ImportResult:
    """What an import did: ``problems`` (nothing imported when any), warnings, counts."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    claims_added: int = 0
    lines_added: int = 0
    claims_skipped: int = 0
    created: dict[str, int] = field(default_factory=dict)
    already_imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for the biller."""
        warned = (f" {len(self.warnings)} warning(s) (they do not stop an import): check "
                  "them." if self.warnings else "")
        if self.problems:
            return f"Nothing was imported: {len(self.problems)} problem(s).{warned}"
        if self.already_imported:
            return "This file was already imported: nothing was added."
        made = ", ".join(f"{n} {k}" for k, n in self.created.items() if n)
        text = (f"Imported {self.claims_added} claim(s) with {self.lines_added} line(s); "
                f"{self.claims_skipped} already on file skipped.")
        return text + (f" Created {made}." if made else "") + warned

    def messages(self) -> list[str]:
        """Every problem and warning (marked 'warning: '), in row order: what the command
        line prints."""
        marked = [*self.problems, *(f"warning: {w}" for w in self.warnings)]
        return sorted(marked, key=lambda m: _row_of(m.removeprefix("warning: ")))


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


def _header_name(text: Any) -> str:
    name = str(text or "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", name)


def read_rows(data: bytes, file_name: str = "") -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """``(header names, [(row number, {column: value})])`` from CSV or XLSX bytes.

    Row numbers are as a person sees them (header = 1); blank rows are dropped but
    counted. Raises ValueError with a biller's message when the file cannot be read.
    """
    is_xlsx = data[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm"))
    raw: list[tuple[int, list[Any]]] = []
    if is_xlsx:
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds
            raise ValueError(f"{file_name or 'The file'} is not a readable Excel workbook "
                             f"({exc.__class__.__name__}): save it again as .xlsx or .csv.") from exc
        ws = wb.worksheets[0]
        for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
            raw.append((n, [_cell_text(v) for v in row]))
        wb.close()
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") and "\t" not in sample else ","
        if sample.count("\t") > sample.count(","):
            delimiter = "\t"
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            raw.append((reader.line_num, [_cell_text(v) for v in row]))
    # The header is the first non-blank row.
    while raw and all(v == "" for v in raw[0][1]):
        raw.pop(0)
    if not raw:
        raise ValueError(f"{file_name or 'The file'} is empty: the first row must name the "
                         f"columns ({', '.join(COLUMNS)}).")
    header_row, header_cells = raw[0]
    header = [_header_name(h) for h in header_cells]
    rows = []
    for n, cells in raw[1:]:
        if all(v == "" for v in cells):
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)
                  if name}
        rows.append((n, values))
    return header, rows


# -- parsing one row --------------------------------------------------------------------------

@dataclass
class _Row:
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


_TYPE_ALIASES = {"medicare_part_b": "medicare", "ma": "medicare_advantage",
                 "medicare_advantage_plan": "medicare_advantage", "workers_compensation":
                 "workers_comp", "workers'_comp": "workers_comp", "private": "commercial"}
_KIND_ALIASES = {"pt": "physical_therapist", "therapist": "physical_therapist",
                 "doctor": "physician", "md": "physician", "do": "physician"}
_SEX_ALIASES = {"F": "F", "FEMALE": "F", "M": "M", "MALE": "M", "U": "U", "UNKNOWN": "U"}


def _date(problems: list[str], row: _Row, column: str, required: bool) -> dt.date | None:
    value = row.values.get(column, "")
    if isinstance(value, dt.date):
        return value
    if value == "":
        if required:
            problems.append(f"row {row.n}, {column}: missing: enter the date as YYYY-MM-DD.")
        return None
    try:
        return e.as_date(value)
    except ValueError:
        hint = ""
        if re.fullmatch(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}", value):
            hint = " (day and month are ambiguous, so it is not guessed)"
        problems.append(f"row {row.n}, {column}: {value!r} is not a date{hint}: write it as "
                        "YYYY-MM-DD, e.g. 2025-03-04.")
        return None


def _norm_choice(value: str, aliases: dict[str, str]) -> str:
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return aliases.get(key, key)


def _parse_row(row: _Row, problems: list[str]) -> None:
    v = row.values
    for column in REQUIRED:
        if column in ("client_dob", "service_date"):
            continue  # dates report their own "missing"
        if v.get(column, "") == "":
            problems.append(f"row {row.n}, {column}: missing: fill it in.")
    row.dob = _date(problems, row, "client_dob", True)
    row.service_date = _date(problems, row, "service_date", True)
    row.referral_date = _date(problems, row, "referral_date", False)
    row.submitted_date = _date(problems, row, "submitted_date", False)
    if v.get("client_sex", "") != "" and str(v["client_sex"]).upper() not in _SEX_ALIASES:
        problems.append(f"row {row.n}, client_sex: {v['client_sex']!r} must be F, M or U.")
    row.cpt = normalize_cpt(v.get("cpt", ""))
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
            problems.append(f"row {row.n}, charge: {charge!r} is not an amount: write it like "
                            "45.00.")
    row.modifiers = parse_modifiers(v.get("modifiers", ""))
    row.dx = [normalize_icd10(c) for c in re.split(r"[;,]", str(v.get("diagnosis_codes", "")))
              if c.strip()]
    for column, label in (("referrer_npi", "Referring NPI"), ("rendering_npi", "Rendering NPI")):
        if v.get(column, "") != "":
            msg = npi_problem(v[column], label)
            if msg:
                problems.append(f"row {row.n}, {column}: {msg}")
    if v.get("payer_type", "") != "":
        ptype = _norm_choice(v["payer_type"], _TYPE_ALIASES)
        if ptype not in e.PAYER_TYPES:
            problems.append(f"row {row.n}, payer_type: {v['payer_type']!r} must be one of "
                            f"{', '.join(e.PAYER_TYPES)}.")
    if v.get("referrer_kind", "") != "":
        kind = _norm_choice(v["referrer_kind"], _KIND_ALIASES)
        if kind not in e.REFERRER_KINDS:
            problems.append(f"row {row.n}, referrer_kind: {v['referrer_kind']!r} must be one "
                            f"of {', '.join(e.REFERRER_KINDS)}.")
    if v.get("referral_date", "") != "" and v.get("referrer_npi", "") == "":
        problems.append(f"row {row.n}, referrer_npi: a referral date is given but no referring "
                        "NPI: add the referrer's NPI or clear the date.")


# -- importing ---------------------------------------------------------------------------------

def _same(rows: Sequence[_Row], column: str, problems: list[str], what: str,
          key: str) -> None:
    """Every row of a claim (or client) must agree on ``column``."""
    first = rows[0]
    def norm(x: Any) -> str:
        return str(x).strip().lower()

    for r in rows[1:]:
        if norm(r.values.get(column, "")) != norm(first.values.get(column, "")):
            problems.append(f"row {r.n}, {column}: {r.values.get(column, '')!r} differs from row "
                            f"{first.n} ({first.values.get(column, '')!r}) for the same {what} "
                            f"{key}: make them the same.")


def import_claims(db: Database, data: bytes, file_name: str, user: str,
                  as_of: dt.date | None = None, *,
                  before_write: Callable[[], object] | None = None) -> ImportResult:
    """Import a claims spreadsheet (bytes of CSV or XLSX); never raises for bad content.

    Returns an :class:`ImportResult`: ``problems`` lists every bad row as
    ``row N, column: message`` and then nothing was written.

    ``before_write`` (the backup an import takes, :func:`metdash.store.backup.before_import`)
    is called just before the import's transaction, and only when the file got that far: a
    file that cannot be read, lacks columns or rows, was imported before, or has a row that
    breaks a rule found while reading it, takes no backup.
    """
    as_of = as_of or dt.date.today()
    result = ImportResult()
    sha = hashlib.sha256(data).hexdigest()
    try:
        header, raw_rows = read_rows(data, file_name)
    except ValueError as exc:
        result.problems.append(str(exc))
        return result
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.problems.append(
            f"row 1: the file lacks the column(s) {', '.join(missing)}: the first row must name "
            f"every column of the template ({', '.join(COLUMNS)}); download the template to "
            "compare.")
        return result
    if not raw_rows:
        result.problems.append("The file has a header but no rows: nothing to import.")
        return result
    with db.connect() as con:
        if con.execute("SELECT 1 FROM imports WHERE kind = ? AND file_sha256 = ?",
                       [KIND, sha]).fetchone():
            result.already_imported = True
            return result

    problems: list[str] = []
    rows = [_Row(n, values) for n, values in raw_rows]
    for r in rows:
        _parse_row(r, problems)
    by_claim: dict[str, list[_Row]] = {}
    for r in rows:
        cid = str(r.values.get("claim_id", "")).strip()
        if cid:
            by_claim.setdefault(cid, []).append(r)
    for cid, rs in by_claim.items():
        for column in ("client_id", "payer_name", "member_id", "referrer_npi", "referral_date",
                       "rendering_npi", "submitted_date"):
            _same(rs, column, problems, "claim", cid)
    by_client: dict[str, list[_Row]] = {}
    for r in rows:
        by_client.setdefault(str(r.values.get("client_id", "")).strip(), []).append(r)
    for client_id, rs in by_client.items():
        if client_id:
            for column in ("client_last_name", "client_first_name", "client_dob"):
                _same(rs, column, problems, "client", client_id)
    # Rows with problems of their own are left out of the rule checks below (their claims
    # would only repeat them); every other claim is still checked, so one pass lists all.
    bad_rows = {int(m.group(1)) for m in (re.match(r"row (\d+),", p) for p in problems) if m}
    result.problems = problems
    if not problems and before_write is not None:
        before_write()  # the file may be written: the copy to go back to comes first

    class _Rollback(Exception):
        pass

    try:
        with db.transaction() as con:
            _import(con, by_claim, result, user, as_of, file_name, sha, bad_rows)
            if result.problems:
                raise _Rollback
    except _Rollback:
        result.claims_added = result.lines_added = result.claims_skipped = 0
        result.created = {}
    return result


def _import(con: Any, by_claim: dict[str, list[_Row]], result: ImportResult, user: str,
            as_of: dt.date, file_name: str, sha: str, bad_rows: set[int]) -> None:
    problems = result.problems
    created = {"clients": 0, "payers": 0, "referrers": 0, "providers": 0, "coverages": 0,
               "referrals": 0}
    payer_ids: dict[str, int] = {}
    referrer_ids: dict[str, int] = {}
    provider_ids: dict[str, int] = {}
    clients_done: set[str] = set()

    def payer_for(r: _Row) -> int:
        name = str(r.values["payer_name"]).strip()
        key = name.lower()
        if key not in payer_ids:
            row = con.execute("SELECT payer_id FROM payers WHERE lower(name) = ?",
                              [key]).fetchone()
            if row:
                payer_ids[key] = row[0]
            else:
                ptype = _norm_choice(r.values.get("payer_type", "") or "other", _TYPE_ALIASES)
                payer = e.PayerIn(name=name, payer_type=ptype,
                                  units_rule="cms" if ptype in ("medicare", "medicaid",
                                                                 "medicare_advantage")
                                  else "per_code")
                bad = e.validate_payer(con, payer)
                if bad:
                    problems.extend(f"row {r.n}, payer_name: {m}" for m in bad)
                    payer_ids[key] = -1
                else:
                    payer_ids[key] = e.write_payer(con, payer, user)
                    created["payers"] += 1
                    result.warnings.append(
                        f"row {r.n}, payer_name: new payer {name!r} added as {ptype} with the "
                        f"{payer.units_rule} units rule and {payer.timely_filing_days} days to "
                        "file: check its rules under Settings.")
        return payer_ids[key]

    def referrer_for(r: _Row) -> int | None:
        npi = str(r.values.get("referrer_npi", "")).strip()
        if not npi:
            return None
        if npi not in referrer_ids:
            found = e.find_referrer(con, npi)
            if found:
                referrer_ids[npi] = found["referrer_id"]
            else:
                name = str(r.values.get("referrer_name", "")).strip()
                kind = _norm_choice(r.values.get("referrer_kind", "") or "physician",
                                    _KIND_ALIASES)
                if not name:
                    problems.append(f"row {r.n}, referrer_name: referrer NPI {npi} is not on "
                                    "file: give the referrer's name so it can be added.")
                    referrer_ids[npi] = -1
                else:
                    referrer_ids[npi] = e.write_referrer(
                        con, e.ReferrerIn(npi=npi, name=name, kind=kind), user)
                    created["referrers"] += 1
        return referrer_ids[npi]

    def provider_for(r: _Row) -> int:
        npi = str(r.values["rendering_npi"]).strip()
        if npi not in provider_ids:
            row = con.execute("SELECT provider_id FROM providers WHERE npi = ?", [npi]).fetchone()
            if row:
                provider_ids[npi] = row[0]
            else:
                # The spreadsheet names no provider: a placeholder name to fix in Settings.
                provider_ids[npi] = e.write_provider(
                    con, e.ProviderIn(npi=npi, last_name="Imported provider", first_name=npi),
                    user)
                created["providers"] += 1
        return provider_ids[npi]

    def client_for(r: _Row) -> None:
        cid = str(r.values["client_id"]).strip()
        if cid in clients_done:
            return
        clients_done.add(cid)
        found = con.execute("SELECT last_name, dob FROM clients WHERE client_id = ?",
                            [cid]).fetchone()
        if found:
            if found[1] != r.dob:
                problems.append(f"row {r.n}, client_dob: client {cid} is on file with date of "
                                f"birth {found[1]}, not {r.dob}: check the chart number.")
            return
        sex = _SEX_ALIASES.get(str(r.values.get("client_sex", "")).upper()) or None
        client = e.ClientIn(client_id=cid, last_name=str(r.values["client_last_name"]),
                            first_name=str(r.values["client_first_name"]), dob=r.dob, sex=sex)
        bad = e.validate_client(con, client, as_of)
        if bad:
            column = {"dob": "client_dob", "sex": "client_sex", "last_name": "client_last_name",
                      "first_name": "client_first_name"}
            problems.extend(f"row {r.n}, {column.get(m.field, 'client_id')}: {m}" for m in bad)
            return
        e.write_client(con, client, user)
        created["clients"] += 1

    def coverage_for(r: _Row, rs: Sequence[_Row], payer_id: int) -> int | None:
        cid = str(r.values["client_id"]).strip()
        member = str(r.values["member_id"]).strip()
        row = con.execute("SELECT coverage_id FROM coverages WHERE client_id = ? AND payer_id = ? "
                          "AND member_id = ? ORDER BY coverage_id LIMIT 1",
                          [cid, payer_id, member]).fetchone()
        if row:
            return row[0]
        any_cov = con.execute("SELECT 1 FROM coverages WHERE client_id = ? AND payer_id = ?",
                              [cid, payer_id]).fetchone()
        if any_cov:
            return None  # the rules check the coverage on file
        # The coverage starts at the client's first service with this payer in the file.
        start = min(x.service_date for group in by_claim.values() for x in group
                    if x.service_date is not None
                    and str(x.values["client_id"]).strip() == cid
                    and str(x.values["payer_name"]).strip().lower()
                    == str(r.values["payer_name"]).strip().lower())
        cov_id = e.write_coverage(con, e.CoverageIn(client_id=cid, payer_id=payer_id,
                                                    member_id=member, effective_date=start), user)
        created["coverages"] += 1
        return cov_id

    def referral_for(r: _Row, referrer_id: int | None, dx: list[str]) -> int | None:
        if referrer_id is None or referrer_id < 0 or r.referral_date is None:
            return None
        cid = str(r.values["client_id"]).strip()
        row = con.execute("SELECT referral_id FROM referrals WHERE client_id = ? AND "
                          "referrer_id = ? AND received_date = ?",
                          [cid, referrer_id, r.referral_date]).fetchone()
        if row:
            return row[0]
        if r.referral_date > as_of:
            problems.append(f"row {r.n}, referral_date: {r.referral_date} is in the future: "
                            "check the year.")
            return None
        rid = e.write_referral(con, e.ReferralIn(client_id=cid, referrer_id=referrer_id,
                                                 received_date=r.referral_date,
                                                 diagnosis_codes=dx), user)
        created["referrals"] += 1
        return rid

    for cid, rs in by_claim.items():
        if any(r.n in bad_rows for r in rs):
            continue
        first = rs[0]
        client_for(first)
        payer_id = payer_for(first)
        referrer_id = referrer_for(first)
        provider_id = provider_for(first)
        dx: list[str] = []
        for r in rs:
            for code in r.dx:
                if code not in dx:
                    dx.append(code)
        lines = [e.ClaimLineIn(service_date=r.service_date, cpt=r.cpt, units=r.units,
                               charge=r.charge, modifiers=r.modifiers,
                               dx_pointers=[dx.index(c) + 1 for c in dict.fromkeys(r.dx)])
                 for r in rs]
        existing = con.execute("SELECT client_id, payer_id FROM claims WHERE claim_id = ?",
                               [cid]).fetchone()
        if existing:
            if _same_claim(con, cid, first, payer_id, lines):
                result.claims_skipped += 1
                continue
            problems.append(f"row {first.n}, claim_id: claim {cid} is already on file with "
                            "different content: give this claim a new id, or correct the "
                            "claim on file by hand.")
            continue
        if payer_id < 0 or (referrer_id is not None and referrer_id < 0) or any(
                p.startswith(f"row {r.n},") for r in rs for p in problems):
            continue
        coverage_id = coverage_for(first, rs, payer_id)
        referral_id = referral_for(first, referrer_id, dx)
        claim = e.ClaimIn(claim_id=cid, client_id=str(first.values["client_id"]).strip(),
                          payer_id=payer_id, diagnosis_codes=dx, lines=lines,
                          rendering_provider_id=provider_id, referrer_id=referrer_id,
                          referral_id=referral_id, coverage_id=coverage_id,
                          submitted_date=first.submitted_date, source="import")
        chk = e.check_claim(con, claim, as_of)
        for p in chk.errors:
            n = rs[p.line].n if p.line is not None and p.line < len(rs) else first.n
            problems.append(f"row {n}, {_FIELD_COLUMN.get(p.field, 'claim_id')}: {_bare(p)}")
        for w in chk.warnings:
            n = rs[w.line].n if w.line is not None and w.line < len(rs) else first.n
            result.warnings.append(f"row {n}, {_FIELD_COLUMN.get(w.field, 'claim_id')}: {_bare(w)}")
        if chk.errors:
            continue
        e.write_claim(con, claim, user, "submitted" if first.submitted_date else "ready", as_of)
        result.claims_added += 1
        result.lines_added += len(lines)

    result.created = created
    # By row number, so the biller reads the file top to bottom (a row's own order kept).
    result.warnings.sort(key=_row_of)
    if problems:
        problems.sort(key=_row_of)
        return
    import_id = next_id(con, "imports", "import_id")
    summary = {"claims_added": result.claims_added, "lines_added": result.lines_added,
               "claims_skipped": result.claims_skipped, "created": created,
               "warnings": len(result.warnings)}
    con.execute("INSERT INTO imports (import_id, kind, file_name, file_sha256, user_name, summary)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [import_id, KIND, Path(file_name).name or "upload", sha, user, to_json(summary)])
    audit(con, user, "import", "imports", import_id, None,
          {"file_name": file_name, "sha256": sha, **summary})


def _row_of(message: str) -> int:
    """The row number a 'row N, column: ...' message names (0 for a file-wide one)."""
    m = re.match(r"row (\d+)", message)
    return int(m.group(1)) if m else 0


def _bare(message: str) -> str:
    """A claim-form message without its 'Line k: ' prefix (the row number says where)."""
    return re.sub(r"^Line \d+: ", "", str(message))


def _same_claim(con: Any, claim_id: str, first: _Row, payer_id: int,
                lines: Sequence[e.ClaimLineIn]) -> bool:
    """True when the claim on file has the same client, payer and lines as the rows."""
    head = con.execute("SELECT client_id, payer_id FROM claims WHERE claim_id = ?",
                       [claim_id]).fetchone()
    if head is None or head[0] != str(first.values["client_id"]).strip() or head[1] != payer_id:
        return False
    on_file = e.fetch_rows(con, "SELECT service_date, cpt, units, charge, modifiers FROM "
                           "claim_lines WHERE claim_id = ? ORDER BY line_no", [claim_id])
    ours = [{"service_date": ln.service_date, "cpt": ln.cpt, "units": ln.units,
             "charge": ln.charge, "modifiers": list(ln.modifiers)} for ln in lines]
    theirs = [{**r, "modifiers": list(r["modifiers"])} for r in on_file]
    return ours == theirs


def template(kind: str = "csv") -> bytes:
    """A template file (the header and one made-up example row) as CSV or XLSX bytes."""
    if kind == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerow([_EXAMPLE[c] for c in COLUMNS])
        return buf.getvalue().encode("utf-8")
    if kind == "xlsx":
        import xlsxwriter

        out = io.BytesIO()
        wb = xlsxwriter.Workbook(out, {"in_memory": True})
        ws = wb.add_worksheet("claims")
        text = wb.add_format({"num_format": "@"})
        for i, c in enumerate(COLUMNS):
            ws.write_string(0, i, c)
            ws.write_string(1, i, _EXAMPLE[c], text)
            ws.set_column(i, i, max(12, len(c) + 2), text)
        wb.close()
        return out.getvalue()
    raise ValueError("kind must be 'csv' or 'xlsx'")
