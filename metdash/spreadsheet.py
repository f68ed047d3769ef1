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

import contextlib
import datetime as dt
import gc
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from metdash import entry as e
from metdash import sheet_headers, sheet_refusals
from metdash import sheet_subscriber as subscriber
from metdash.coding import cpt_problems, known_codes, mbi_problem
from metdash.sheet_dates import two_digit_years
from metdash.sheet_names import (
    look_alikes,
    payer_type_of_name,
    provider_named,
    provider_on_file,
    referrer_named,
    same_person,
)
from metdash.sheet_on_file import claims_on_file, difference
from metdash.sheet_result import MAX_PROBLEMS, ImportResult, row_of
from metdash.sheets import (
    COLUMNS,
    EXAMPLE,
    KIND_ALIASES,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    READ_COLUMNS,
    REQUIRED,
    SEX_ALIASES,
    TYPE_ALIASES,
    Row,
    date_order,
    norm_choice,
    parse_row,
    read_rows,
    read_sheet,
    template,
    too_large,
)
from metdash.store import Database, audit, next_id, to_json
from metdash.store.backup import settle_import

__all__ = ["COLUMNS", "MAX_PROBLEMS", "MAX_ROWS", "MAX_UNCOMPRESSED_BYTES", "ImportResult",
           "column_names", "import_claims", "read_rows", "template", "too_large"]


KIND = "claims-spreadsheet"

# Problem.field from the claim rules -> the spreadsheet column it came from.
_FIELD_COLUMN = {
    "claim_id": "claim_id", "client_id": "client_id", "payer_id": "payer_name",
    "coverage_id": "member_id", "referral_id": "referral_date", "referrer_id": "referrer_npi",
    "rendering_provider_id": "rendering_npi", "diagnosis_codes": "diagnosis_codes",
    "service_date": "service_date", "cpt": "cpt", "units": "units", "charge": "charge",
    "modifiers": "modifiers", "dx_pointers": "diagnosis_codes",
    "submitted_date": "submitted_date", "timely_filing_reason": "timely_filing_reason",
    "lines": "cpt",
}

# -- importing ---------------------------------------------------------------------------------

def _same(rows: Sequence[Row], column: str, problems: list[str], what: str,
          key: str) -> None:
    """Every row of a claim (or client) must agree on ``column``."""
    first = rows[0]
    def norm(x: Any) -> str:
        return str(x).strip().lower()

    for r in rows[1:]:
        if column in r.refused or column in first.refused:
            continue  # already reported as it is
        if norm(r.values.get(column, "")) != norm(first.values.get(column, "")):
            problems.append(f"row {r.n}, {column}: {r.values.get(column, '')!r} differs from row "
                            f"{first.n} ({first.values.get(column, '')!r}) for the same {what} "
                            f"{key}: make them the same.")


def _dx_row(rs: Sequence[Any], p: Any) -> int:
    """The file row a claim-level problem belongs to: for a diagnosis, the first of the
    claim's rows that lists the code the message names (the claim's diagnoses are gathered
    from all its rows); else the claim's first row."""
    code = re.search(r"\b[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?\b", str(p))
    if p.field == "diagnosis_codes" and code:  # the first code named is the one refused
        for r in rs:
            if code.group() in r.dx:
                return r.n
    return rs[0].n


def column_names() -> list[dict[str, str]]:
    """Each template column, whether a file must have it, and the other systems' names the
    import reads as it (for the page: :func:`metdash.sheet_headers.accepted_names`)."""
    return sheet_headers.accepted_names(READ_COLUMNS, REQUIRED)


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
    with _collector_paused():
        result = _import_file(db, data, file_name, user, as_of, before_write)
    result.in_the_files_words()
    return result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one import: a file of 10,000 rows makes
    hundreds of thousands of small objects, none in a cycle, and the collector re-scanned
    them all again and again (10,000 rows: 4.7-5.5 s paused, 6-9.7 s not, on a busy 2-core
    machine). Reference counting still
    frees everything; the collector runs as before afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# Each date column's attribute on a parsed Row.
_DATE_ATTRS = {"client_dob": "dob", "service_date": "service_date",
               "referral_date": "referral_date", "submitted_date": "submitted_date"}


def _import_file(db: Database, data: bytes, file_name: str, user: str,
                 as_of: dt.date | None,
                 before_write: Callable[[], object] | None = None) -> ImportResult:
    as_of = as_of or dt.date.today()
    result = ImportResult()
    sha = hashlib.sha256(data).hexdigest()
    x12 = sheet_refusals.x12_refusal(data, file_name or "The file")
    if x12:
        result.problems.append(x12)
        return result
    try:
        sheet = read_sheet(data, file_name)
    except ValueError as exc:
        result.problems.append(str(exc))
        return result
    header, raw_rows = sheet.header, sheet.rows
    if sheet.plan.problems:  # said at the header's own row
        result.problems.extend(sheet.plan.problems)
        return result
    # A rendering provider named without an NPI is looked up on file by name.
    missing = [c for c in REQUIRED if c not in header
               and not (c == "rendering_npi" and "rendering_name" in header)]
    if missing:
        unread = ", ".join(repr(h) for h in sheet.plan.unread)
        result.problems.append(
            f"row {sheet.header_row} (the header): the file has no column for "
            f"{', '.join(missing)}: the header must name each, by the template's name or one "
            "that other systems use: "
            + "; ".join(sheet_headers.missing_column(c) for c in missing)
            + (f"; the file's columns not read: {unread}" if unread else "")
            + ". Download the template to compare.")
        return result
    if not raw_rows:
        result.problems.append("The file has a header but no rows: nothing to import.")
        return result
    with db.connect() as con:
        if con.execute("SELECT 1 FROM imports WHERE kind = ? AND file_sha256 = ?",
                       [KIND, sha]).fetchone():
            result.already_imported = True
            return result
    result.shown = sheet.plan.shown
    result.notes = ([f"Columns read under the file's own names: "
                     f"{' · '.join(sheet.plan.read_as)}."] if sheet.plan.read_as else [])
    result.notes += sheet.skipped
    if sheet.plan.unread:
        result.notes.append("Columns not read (metdash keeps nothing of them): "
                            + ", ".join(repr(h) for h in sheet.plan.unread) + ".")

    problems: list[str] = []
    rows = [Row(n, values) for n, values in raw_rows]
    example = [r for r in rows if all(str(r.values.get(c, "")).strip() == EXAMPLE[c]
                                      for c in ("claim_id", "client_id", "client_last_name"))]
    problems += [f"row {r.n}, claim_id: this is the template's made-up example (claim "
                 f"{EXAMPLE['claim_id']}, {EXAMPLE['client_first_name']} "
                 f"{EXAMPLE['client_last_name']}): replace it with your own claims, a line a "
                 "row." for r in example]   # a new user's first try: not a claim
    rows = [r for r in rows if r not in example]
    first_of: dict[tuple[Any, ...], int] = {}
    for r in rows:  # a line exported twice (two systems' files pasted together)
        same = first_of.setdefault(tuple(r.values.items()), r.n)
        if same != r.n:
            problems.append(f"row {r.n}, claim_id: the row repeats row {same} exactly: delete "
                            "one (two visits of a code on one day go on one line, with all "
                            "their units).")
            r.refused.add("claim_id")
    if said := two_digit_years(rows, as_of):
        result.warnings.append(said)
    order = date_order(rows)
    for r in rows:
        parse_row(r, problems, order, as_of)
    # (modifiers written with the codes, "97110-GP", are no blank modifiers column)
    result.warnings.extend(sheet_headers.absent_columns(
        [*header, *(["modifiers"] if any(r.modifiers for r in rows) else [])], COLUMNS,
        REQUIRED))
    if order.assumed and order.example:
        n, column, value = order.example
        read = getattr(next(r for r in rows if r.n == n), _DATE_ATTRS[column])
        if read is not None:
            result.warnings.append(
                f"row {n}, {column}: {value!r} was read as {read:%B %d, %Y}, month first "
                "(the US order), and so was every date written with slashes: no date in the "
                "file has a day above 12 to tell. If the file writes the day first, write its "
                "dates as YYYY-MM-DD.")
    by_claim: dict[str, list[Row]] = {}
    for r in rows:
        cid = str(r.values.get("claim_id", "")).strip()
        if cid:
            by_claim.setdefault(cid, []).append(r)
    for cid, rs in by_claim.items():
        for column in ("client_id", "payer_name", "member_id", "referrer_npi", "referral_date",
                       "rendering_npi", "submitted_date", *subscriber.COLUMNS):
            _same(rs, column, problems, "claim", cid)
    by_client: dict[str, list[Row]] = {}
    for r in rows:
        by_client.setdefault(str(r.values.get("client_id", "")).strip(), []).append(r)
    with db.connect() as con:   # a client on file: each row's birth date against it (_import)
        on_file = {c for (c,) in con.execute("SELECT client_id FROM clients WHERE client_id IN "
                                             "(SELECT unnest(?::VARCHAR[]))", [list(by_client)]
                                             ).fetchall()}
    for client_id, rs in by_client.items():
        for column in ("client_last_name", "client_first_name", "client_dob")[
                :2 if client_id in on_file else 3] if client_id else ():
            _same(rs, column, problems, "client", client_id)
    # Rows with problems of their own are left out of the rule checks below (their claims
    # would only repeat them); every other claim is still checked, so one pass lists all.
    bad_rows = {int(m.group(1)) for m in (re.match(r"row (\d+),", p) for p in problems) if m}
    result.problems = problems
    if len(problems) > MAX_PROBLEMS:
        # More than a biller fixes in one pass: the claim rules would only add to them.
        result.cap_problems()
        return result
    taken = None
    if not problems and before_write is not None:
        taken = before_write()  # the file may be written: the copy to go back to comes first

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
        result.cap_problems()
    # A copy taken before a file that was then refused while writing equals the store: dropped.
    settle_import(db, taken, not result.problems)
    return result


def _import(con: Any, by_claim: dict[str, list[Row]], result: ImportResult, user: str,
            as_of: dt.date, file_name: str, sha: str, bad_rows: set[int]) -> None:
    problems = result.problems
    created = {"clients": 0, "payers": 0, "referrers": 0, "providers": 0, "coverages": 0,
               "referrals": 0}
    payer_ids: dict[str, int] = {}
    referrer_ids: dict[str, int] = {}
    provider_ids: dict[Any, int] = {}  # by NPI, or ("name", the file's name)
    clients_done: set[str] = set()
    coverage_ids: dict[tuple[str, int, str], int | None] = {}
    # What the file adds, written in bulk once the file has been gone through: clients,
    # coverages (by client, payer, member id) and referrals (by client, referrer, date).
    new_clients: list[e.ClientIn] = []
    new_coverages: dict[tuple[str, int, str], e.CoverageIn] = {}
    new_referrals: dict[tuple[str, int, dt.date], e.ReferralIn] = {}

    def client_of(r: Row) -> str:
        return str(r.values["client_id"]).strip()

    # Everything the rules and the matching below ask of the store, read in a few queries
    # up front (a query per question per claim made 10,000 rows take minutes: issue 19).
    client_ids = sorted({client_of(r) for rs in by_claim.values() for r in rs})
    reads = e.BatchReads(con, client_ids, by_claim)
    on_file_clients = {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT client_id, last_name, dob FROM clients WHERE client_id IN "
        "(SELECT unnest(?::VARCHAR[]))", [client_ids]).fetchall()}
    on_file_claims = claims_on_file(con, [cid for cid in by_claim if reads.claim_on_file(cid)])
    new_rows = [r for rs in by_claim.values() for r in rs if client_of(r) not in on_file_clients]
    twins = look_alikes(con, {client_of(r): (str(r.values.get("client_last_name", "")),
                                             str(r.values.get("client_first_name", "")), r.dob)
                              for r in new_rows},
                        {client_of(r): str(r.values.get("member_id", "")) for r in new_rows})
    # A new coverage starts at the client's first service with its payer in the file.
    first_service: dict[tuple[str, str], dt.date] = {}
    for rs in by_claim.values():
        for x in rs:
            if x.service_date is not None:
                key = (client_of(x), str(x.values["payer_name"]).strip().lower())
                if key not in first_service or x.service_date < first_service[key]:
                    first_service[key] = x.service_date
    accepted: list[tuple[e.ClaimIn, str]] = []

    def payer_for(r: Row) -> int:
        name = str(r.values["payer_name"]).strip()
        key = name.lower()
        if key not in payer_ids:
            found = reads.payer_named(key)
            if found:
                payer_ids[key] = found["payer_id"]
            elif near := sheet_refusals.near_payer(name, reads.payer_names()):
                problems.append(f"row {r.n}, payer_name: {name!r} is not a payer on file, but "
                                f"{near!r} is: correct the name in the file. If it is another "
                                "payer, add it under Settings → Payers first.")
                payer_ids[key] = -1
            else:
                given = str(r.values.get("payer_type", "")).strip()
                ptype = (norm_choice(given, TYPE_ALIASES) if given
                         else payer_type_of_name(name))
                # The deadlines Settings → Add payer gives a payer of this type (90 / 60
                # days unless Medicare), so the filing-risk list warns early.
                payer = e.PayerIn(name=name, payer_type=ptype,
                                  timely_filing_days=e.default_filing_days(ptype),
                                  appeal_window_days=e.default_appeal_days(ptype),
                                  units_rule="cms" if ptype in ("medicare", "medicaid",
                                                                 "medicare_advantage")
                                  else "per_code")
                bad = e.validate_payer(con, payer)
                if bad:
                    problems.extend(f"row {r.n}, payer_name: {m}" for m in bad)
                    payer_ids[key] = -1
                else:
                    payer_ids[key] = e.write_payer(con, payer, user)
                    reads.add_payer(payer_ids[key])
                    created["payers"] += 1
                    result.warnings.append(
                        f"row {r.n}, payer_name: new payer {name!r} added as {ptype}"
                        f"{'' if given else ' (from its name: the file gives no payer_type)'}"
                        f" with the {payer.units_rule} units rule, "
                        f"{payer.timely_filing_days} days to file and "
                        f"{payer.appeal_window_days} days to appeal: check its rules under "
                        "Settings → Payers.")
        return payer_ids[key]

    def referrer_for(r: Row) -> int | None:
        npi = str(r.values.get("referrer_npi", "")).strip()
        if not npi:
            return None
        if npi not in referrer_ids:
            found = e.find_referrer(con, npi)
            if found:
                referrer_ids[npi] = found["referrer_id"]
            else:
                name, said = referrer_named(str(r.values.get("referrer_name", "")))
                kind = norm_choice(r.values.get("referrer_kind", "") or said or "physician",
                                   KIND_ALIASES)
                if not name:
                    problems.append(f"row {r.n}, referrer_name: referrer NPI {npi} is not on "
                                    "file: give the referrer's name so it can be added.")
                    referrer_ids[npi] = -1
                else:
                    referrer_ids[npi] = e.write_referrer(
                        con, e.ReferrerIn(npi=npi, name=name, kind=kind), user)
                    reads.add_referrer(referrer_ids[npi])
                    created["referrers"] += 1
        return referrer_ids[npi]

    def provider_for(r: Row) -> int:
        npi = str(r.values.get("rendering_npi", "")).strip()
        if not npi:  # the file names the provider only: one on file by that name
            name = str(r.values.get("rendering_name", ""))
            if ("name", name) not in provider_ids:
                found, why = provider_on_file(con, name)
                if why:
                    problems.append(f"row {r.n}, rendering_name: {why}")
                provider_ids[("name", name)] = -1 if found is None else found
            return provider_ids[("name", name)]
        if npi not in provider_ids:
            # fetchall: a half-read result would block the bulk inserts on this connection.
            row = con.execute("SELECT provider_id FROM providers WHERE npi = ?", [npi]).fetchall()
            if row:
                provider_ids[npi] = row[0][0]
            else:
                named = provider_named(str(r.values.get("rendering_name", "")), npi)
                # Named "Last, First" in the file, or a placeholder name to fix in Settings
                # (no 837P goes out under it: metdash.x12.validate).
                provider_ids[npi] = e.write_provider(con, named or e.imported_provider(npi),
                                                     user)
                result.warnings.append(
                    f"row {r.n}, rendering_npi: new provider NPI {npi} added as "
                    + (f"{named.last_name}, {named.first_name}"
                       + (f" ({named.credential})" if named.credential else "")
                       + ": check the name under Settings → Providers." if named else
                       f"{e.IMPORTED_PROVIDER!r} (the file gives no rendering_name): enter "
                       "the provider's name under Settings → Providers → Change a provider "
                       "before sending its claims."))
                reads.add_provider(provider_ids[npi])
                created["providers"] += 1
        return provider_ids[npi]

    def client_for(rs: Sequence[Row]) -> None:
        r, cid = rs[0], client_of(rs[0])
        found = on_file_clients.get(cid)
        if found:   # each row against the file (a right row was blamed on a wrong one)
            problems.extend(f"row {x.n}, client_dob: client {cid} is on file with date of birth "
                            f"{found[1]}, not {x.dob}: check the chart number."
                            for x in rs if x.dob != found[1])
            return
        if cid in clients_done:
            return
        clients_done.add(cid)
        sex = SEX_ALIASES.get(str(r.values.get("client_sex", "")).upper()) or None
        client = e.ClientIn(client_id=cid, last_name=str(r.values["client_last_name"]),
                            first_name=str(r.values["client_first_name"]), dob=r.dob, sex=sex)
        bad = e.validate_client(con, client, as_of)
        if bad:
            column = {"dob": "client_dob", "sex": "client_sex", "last_name": "client_last_name",
                      "first_name": "client_first_name"}
            problems.extend(f"row {r.n}, {column.get(m.field, 'client_id')}: {m}" for m in bad)
            return
        new_clients.append(client)

    def coverage_for(r: Row, payer_id: int) -> int | tuple[str, int, str] | None:
        """The coverage's id; None for the rules to find; a key of ``new_coverages``."""
        cid = client_of(r)
        member = str(r.values["member_id"]).strip()
        ptype = (reads.payer(payer_id) or {}).get("payer_type")
        medicare = ptype == "medicare"
        member = e.member_id_as_kept(member, ptype)  # as claims carry it (as the one on file)
        key = (cid, payer_id, member)
        covs = [c for c in reads.coverages_of(cid) if c["payer_id"] == payer_id]
        held = (asdict(new_coverages[key]) if key in new_coverages else
                min((c for c in covs if c["member_id"] == member), default=None,
                    key=lambda c: c["coverage_id"]))
        other = held and subscriber.differs(r, held)
        if other:  # an earlier row of the file, or the coverage on file, says otherwise
            problems.append(f"row {r.n}, relationship: client {cid}'s coverage {member} says "
                            f"{other}: make the rows agree (or change the coverage on the "
                            "Clients page).")
        if key in coverage_ids or key in new_coverages:
            return key if key in new_coverages else coverage_ids[key]
        if held:
            coverage_ids[key] = held["coverage_id"]
        elif covs or any(k[:2] == key[:2] for k in new_coverages):
            coverage_ids[key] = None  # the rules check the coverage on file
        else:
            if medicare and mbi_problem(member):  # a new Medicare coverage's id is an MBI
                problems.append(f"row {r.n}, member_id: {mbi_problem(member)}")
            start = first_service[(cid, str(r.values["payer_name"]).strip().lower())]
            new_coverages[key] = e.CoverageIn(client_id=cid, payer_id=payer_id,
                                              member_id=member, effective_date=start,
                                              **r.subscriber)
            other = [c for c in reads.coverages_of(cid) if c["priority"] == "primary"
                     and (c["end_date"] is None or c["end_date"] >= start)]
            if other:  # a change of insurance, or a second plan: the file does not say
                result.warnings.append(
                    f"row {r.n}, payer_name: client {cid} now has two primary coverages "
                    f"from {start} ({other[0]['payer_name']} on file, and "
                    f"{str(r.values['payer_name']).strip()} from this file): end the old one, "
                    "on the Clients page (Add coverage: the client's coverages).")
            return key
        return coverage_ids[key]

    def referral_for(r: Row, referrer_id: int | None, dx: list[str]
                     ) -> int | tuple[str, int, dt.date] | None:
        """The referral's id; None when there is none; a key of ``new_referrals``."""
        if referrer_id is None or referrer_id < 0 or r.referral_date is None:
            return None
        cid = client_of(r)
        key = (cid, referrer_id, r.referral_date)
        if key in new_referrals:
            return key
        same = [x["referral_id"] for x in reads.referrals_of(cid)
                if x["referrer_id"] == referrer_id and x["received_date"] == r.referral_date]
        if same:
            return min(same)
        if r.referral_date > as_of:
            problems.append(f"row {r.n}, referral_date: {r.referral_date} is in the future: "
                            "check the year.")
            return None
        new_referrals[key] = e.ReferralIn(client_id=cid, referrer_id=referrer_id,
                                          received_date=r.referral_date, diagnosis_codes=dx)
        return key

    # First pass: match or plan what each claim needs (nothing checked yet).
    codes = known_codes(con)
    planned: list[tuple[Any, ...]] = []
    for cid, rs in by_claim.items():
        if any(r.n in bad_rows for r in rs):  # its codes need no date: checked all the same
            problems += [f"row {r.n}, cpt: {m}" for r in rs if r.cpt and not any(
                p.startswith(f"row {r.n}, cpt") for p in problems) for m in cpt_problems(
                    r.cpt, codes)]
            continue
        first = rs[0]
        client_for(rs)
        same_person(twins.get(client_of(first)), client_of(first), rs, problems, result)
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
                               dx_pointers=[dx.index(c) + 1 for c in dict.fromkeys(
                                   [r.dx[k - 1] for k in r.pointers] if r.pointers else r.dx)],
                               place_of_service=r.place_of_service)
                 for r in rs]
        if cid in on_file_claims:
            differs = difference(on_file_claims[cid], rs, payer_id, lines)
            if not differs:  # the same claim: skipped
                result.claims_skipped += 1
                continue
            problems += [f"row {n}, {column}: claim {cid} is already on file with different "
                         f"content ({what}): give this claim a new id, or correct the claim "
                         "on file by hand." for n, column, what in differs]
            continue
        if payer_id < 0 or provider_id < 0 or (referrer_id is not None and referrer_id < 0) or any(
                p.startswith(f"row {r.n},") for r in rs for p in problems):
            continue
        planned.append((cid, rs, payer_id, referrer_id, provider_id, dx, lines,
                        coverage_for(first, payer_id), referral_for(first, referrer_id, dx)))

    # What the file adds, in one bulk insert each (the rules see it through ``reads``).
    e.write_new_clients(con, new_clients, user)
    for client in new_clients:
        reads.add_client(client.client_id.strip())
    new_ids: dict[Any, int] = {}
    for key, cov_id in zip(new_coverages, e.write_coverages(con, list(new_coverages.values()),
                                                            user), strict=True):
        reads.add_coverage({**asdict(new_coverages[key]), "coverage_id": cov_id})
        new_ids[key] = cov_id
    for key, ref_id in zip(new_referrals, e.write_referrals(con, list(new_referrals.values()),
                                                            user), strict=True):
        reads.add_referral({**asdict(new_referrals[key]), "referral_id": ref_id})
        new_ids[key] = ref_id
    created.update(clients=len(new_clients), coverages=len(new_coverages),
                   referrals=len(new_referrals))

    # Second pass: every claim against the rules, in file order (each sees those before it).
    for cid, rs, payer_id, referrer_id, provider_id, dx, lines, cov, ref in planned:
        first = rs[0]
        coverage_id = new_ids[cov] if isinstance(cov, tuple) else cov
        referral_id = new_ids[ref] if isinstance(ref, tuple) else ref
        claim = e.ClaimIn(claim_id=cid, client_id=client_of(first),
                          payer_id=payer_id, diagnosis_codes=dx, lines=lines,
                          rendering_provider_id=provider_id, referrer_id=referrer_id,
                          referral_id=referral_id, coverage_id=coverage_id,
                          submitted_date=first.submitted_date, source="import",
                          timely_filing_reason=str(first.values.get("timely_filing_reason", ""))
                          .strip() or None)
        chk = e.check_claim(con, claim, as_of, reads=reads)
        for p in chk.errors:
            n = rs[p.line].n if p.line is not None and p.line < len(rs) else _dx_row(rs, p)
            said = _bare(p)
            if "diagnosis pointers, at most" in said and "dx_pointers" not in first.values:
                said += (" Or add a 'Dx Pointer' column naming the row's diagnoses each line "
                         "is for, as '1,2' (without one, a line points at all of them).")
            problems.append(f"row {n}, {_FIELD_COLUMN.get(p.field, 'claim_id')}: {said}")
        for w in chk.warnings:
            n = rs[w.line].n if w.line is not None and w.line < len(rs) else _dx_row(rs, w)
            result.warnings.append(f"row {n}, {_FIELD_COLUMN.get(w.field, 'claim_id')}: {_bare(w)}")
        if chk.errors:
            continue
        # The next claims are checked as if this one were on file; all are written at the end.
        reads.add_claim(cid, claim.client_id, payer_id, referral_id,
                        [(ln.service_date, ln.cpt, ln.units, ln.charge) for ln in lines])
        # Not sent yet and without the prior authorization its payer requires: a draft, as
        # Ready refuses it without a note saying why (metdash.entry.authorization); the
        # check's warning above says what is missing.
        unauthorized = not first.submitted_date and not first.held and e.claim_authorization(
            reads, claim.client_id, payer_id, referral_id) is not None
        accepted.append((claim, "submitted" if first.submitted_date else
                         "draft" if first.held or unauthorized else "ready"))
        if first.held:
            result.warnings.append(f"row {first.n}, claim_status: {first.values['claim_status']!r}"
                                   ": imported as a draft, left out of the next 837P file; "
                                   "mark it ready on the Claims page when it is.")
        elif unauthorized:
            result.warnings.append(f"row {first.n}, claim_id: claim {cid} is imported as a "
                                   "draft, left out of the next 837P file, for want of the "
                                   "prior authorization its payer requires: record the number "
                                   "on the referral, then mark it ready on the Claims page (or "
                                   "with a note saying why it goes without one).")
        result.claims_added += 1
        result.lines_added += len(lines)

    result.created = created
    # By row number, so the biller reads the file top to bottom (a row's own order kept).
    result.warnings.sort(key=row_of)
    if problems:
        problems.sort(key=row_of)
        return
    e.write_claims(con, accepted, user, as_of)
    # A practice that records its sessions here and bills elsewhere: each claim billing a
    # day's units takes in that day's sessions not yet billed (as one typed in by hand).
    rows_of = {cid: rs for cid, rs, *_ in planned}
    for cid, short, said in e.take_in_sessions_of_claims(con, [c for c, _ in accepted], user):
        rs = rows_of[cid]
        n = next((r.n for r in rs if r.service_date == short.day), rs[0].n)
        result.warnings.append(f"row {n}, claim_id: {said}")
    result.warnings.sort(key=row_of)
    import_id = next_id(con, "imports", "import_id")
    summary = {"claims_added": result.claims_added, "lines_added": result.lines_added,
               "claims_skipped": result.claims_skipped, "created": created,
               "warnings": len(result.warnings)}
    con.execute("INSERT INTO imports (import_id, kind, file_name, file_sha256, user_name, summary)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [import_id, KIND, Path(file_name).name or "upload", sha, user, to_json(summary)])
    audit(con, user, "import", "imports", import_id, None,
          {"file_name": file_name, "sha256": sha, **summary})


def _bare(message: str) -> str:
    """A claim-form message without its 'Line k: ' prefix (the row number says where)."""
    return re.sub(r"^Line \d+: ", "", str(message))
