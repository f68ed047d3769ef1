"""Clients (patients), their coverages, and the referrers who send them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd

from metdash.coding import mbi_problem, normalize_mbi, npi_problem, state_problem
from metdash.entry.problems import (
    Problem,
    as_date,
    blank,
    date_field,
    fetch_one,
    fetch_rows,
    text_field,
    text_fields,
    today,
)
from metdash.errors import ValidationError
from metdash.privacy import mask_text
from metdash.store import Database, audit, audit_many, facts, insert_rows, next_id

__all__ = [
    "REFERRER_KINDS", "ClientIn", "CoverageIn", "ReferrerIn", "find_referrer", "save_client",
    "save_coverage", "save_referrer", "validate_client", "validate_coverage",
    "validate_referrer", "write_client", "write_coverage", "write_coverages",
    "write_new_clients", "write_referrer",
]

REFERRER_KINDS = ("physician", "physical_therapist", "specialist", "other")


@dataclass
class ClientIn:
    """A client (patient): the practice's chart number and demographics."""

    client_id: str
    last_name: str
    first_name: str
    dob: Any
    sex: str | None = None
    address_line1: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    phone: str | None = None


@dataclass
class CoverageIn:
    """A client's insurance with one payer."""

    client_id: str
    payer_id: int
    member_id: str
    effective_date: Any
    end_date: Any = None
    group_number: str | None = None
    relationship: str = "self"
    priority: str = "primary"
    subscriber_last_name: str | None = None
    subscriber_first_name: str | None = None
    subscriber_dob: Any = None


def validate_client(con: Any, client: ClientIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a client's details (an existing chart number means an update)."""
    as_of = as_of or today()
    p: list[Problem] = []
    # Length and characters first: a field refused here is not checked (or echoed) again.
    refused = text_fields(p, client, {
        "client_id": "Client id", "last_name": "Last name", "first_name": "First name",
        "address_line1": "Address", "city": "City", "state": "State", "zip": "ZIP",
        "phone": "Phone"})
    cid = (client.client_id or "").strip()
    if not cid:
        p.append(Problem("Client id (chart number) is missing: enter the practice's chart "
                         "number for this client.", "client_id"))
    if blank(client.last_name):
        p.append(Problem("Last name is missing: enter the client's last name as on the "
                         "insurance card.", "last_name"))
    if blank(client.first_name):
        p.append(Problem("First name is missing: enter the client's first name as on the "
                         "insurance card.", "first_name"))
    dob = date_field(p, client.dob, "Date of birth", "dob")
    if dob is not None:
        if dob > as_of:
            p.append(Problem(f"Date of birth {dob} is in the future: check the year.", "dob"))
        elif dob.year < 1900:
            p.append(Problem(f"Date of birth {dob} is before 1900: check the year.", "dob"))
    if client.sex not in (None, "", "F", "M", "U"):
        p.append(Problem(f"Sex {client.sex!r} is not one of F, M or U: pick one.", "sex"))
    if "state" not in refused and not blank(client.state) and state_problem(client.state):
        p.append(Problem(state_problem(client.state), "state"))
    if "zip" not in refused and not blank(client.zip) and not re.fullmatch(r"\d{5}(-?\d{4})?", client.zip.strip()):
        p.append(Problem(f"ZIP {client.zip!r} is not 5 or 9 digits: use e.g. 43215.", "zip"))
    return p


def new_client_problems(con: Any, client: ClientIn) -> list[Problem]:
    """What stops ``client`` being added as a new client: its chart number already on file
    (saving would overwrite that person's details), or the same person (name and date of
    birth) on file under another chart number."""
    cid = (client.client_id or "").strip()
    on_file = fetch_one(con, "SELECT last_name, first_name, dob FROM clients WHERE client_id = ?",
                        [cid]) if cid else None
    if on_file is not None:
        def taken(name: str, dob: str) -> str:
            return (f"Client id {cid} is already on file ({name}, born {dob}): choose another "
                    "chart number for a new client, or tick 'Update the client on file' to "
                    "change this client's details.")

        name = f"{on_file['last_name']}, {on_file['first_name']}"
        return [Problem(taken(name, str(on_file["dob"])), "client_id",
                        masked=taken(mask_text(name), mask_text(on_file["dob"], "dob")))]
    dob = as_date(client.dob) if client.dob not in (None, "") else None
    if dob is None or blank(client.last_name) or blank(client.first_name):
        return []
    same = fetch_one(con, """
        SELECT client_id FROM clients
        WHERE lower(trim(last_name)) = lower(trim(?)) AND lower(trim(first_name)) = lower(trim(?))
          AND dob = ? ORDER BY client_id LIMIT 1""",
                     [client.last_name, client.first_name, dob])
    if same is not None:
        def same_person(name: str, born: str) -> str:
            return (f"{name}, born {born}, is already on file as client {same['client_id']}: use "
                    "that chart number (one person, one chart).")

        name = f"{client.last_name.strip()}, {client.first_name.strip()}"
        return [Problem(same_person(name, str(dob)), "client_id",
                        masked=same_person(mask_text(name), mask_text(dob, "dob")))]
    return []


def save_client(db: Database, client: ClientIn, user: str,
                coverages: Sequence[CoverageIn] = (), as_of: dt.date | None = None,
                new: bool = False) -> str:
    """Create or update a client (and add its coverages) in one transaction; its id.
    ``new``: only create (the New client form): a chart number on file, or the same person
    under another one, is refused (:func:`new_client_problems`) instead of overwritten."""
    with db.transaction() as con:
        problems = validate_client(con, client, as_of)
        if new and not problems:
            problems = new_client_problems(con, client)
        for cov in coverages:
            problems += validate_coverage(con, replace(cov, client_id=client.client_id),
                                          client_known=True)
        if problems:
            raise ValidationError(problems)
        write_client(con, client, user)
        for cov in coverages:
            write_coverage(con, replace(cov, client_id=client.client_id.strip()), user)
    return client.client_id.strip()


def client_on_file(db: Database, client_id: str) -> ClientIn | None:
    """The client on file with this chart number, as the form to change it starts from
    (None when there is none)."""
    row = db.query("SELECT client_id, last_name, first_name, dob, sex, address_line1, city, "
                   "state, zip, phone FROM clients WHERE client_id = ?", [client_id.strip()])
    if row.empty:
        return None
    values = {k: (None if pd.isna(v) else v) for k, v in row.iloc[0].items()}
    return ClientIn(**values)


def _client_values(client: ClientIn) -> dict[str, Any]:
    """A client as its row of clients: trimmed, blanks as NULL, the state upper-case."""
    values = asdict(client)
    values["client_id"] = client.client_id.strip()
    values["dob"] = as_date(client.dob)
    for key in ("last_name", "first_name"):
        values[key] = values[key].strip()
    for key in ("sex", "address_line1", "city", "state", "zip", "phone"):
        values[key] = None if blank(values[key]) else str(values[key]).strip()
    if values["state"]:
        values["state"] = values["state"].upper()
    return values


def write_client(con: Any, client: ClientIn, user: str) -> None:
    """Create or update an already validated client inside the caller's transaction (with
    an audit row)."""
    values = _client_values(client)
    before = fetch_one(con, "SELECT * EXCLUDE (created_at) FROM clients WHERE client_id = ?",
                       [values["client_id"]])
    cols = list(values)
    if before is None:
        con.execute(f"INSERT INTO clients ({', '.join(cols)}) VALUES "
                    f"({', '.join('?' for _ in cols)})", [values[c] for c in cols])
        audit(con, user, "create", "clients", values["client_id"], None, values)
    else:
        sets = ", ".join(f"{c} = ?" for c in cols if c != "client_id")
        con.execute(f"UPDATE clients SET {sets} WHERE client_id = ?",
                    [values[c] for c in cols if c != "client_id"] + [values["client_id"]])
        audit(con, user, "update", "clients", values["client_id"], before, values)


def write_new_clients(con: Any, clients: Sequence[ClientIn], user: str) -> None:
    """Add already validated clients that are not on file, inside the caller's transaction:
    one bulk insert and one audit row each (an import adds many at once)."""
    if not clients:
        return
    rows = [_client_values(c) for c in clients]
    cols = list(rows[0])
    insert_rows(con, "clients", cols, [tuple(r[c] for c in cols) for r in rows])
    audit_many(con, user, [("create", "clients", r["client_id"], None, r) for r in rows])


def validate_coverage(con: Any, cov: CoverageIn, client_known: bool = False) -> list[Problem]:
    """Every problem with a coverage (``client_known``: the client is saved with it)."""
    p: list[Problem] = []
    if not client_known and not fetch_one(con, "SELECT 1 FROM clients WHERE client_id = ?",
                                          [cov.client_id]):
        p.append(Problem(f"Client {cov.client_id!r} is not on file: save the client first.",
                         "client_id"))
    payer = None if cov.payer_id is None else fetch_one(
        con, "SELECT payer_type FROM payers WHERE payer_id = ?", [cov.payer_id])
    if payer is None:
        p.append(Problem("Payer is not on file: choose a payer, or add it under Settings.",
                         "payer_id"))
    if blank(cov.member_id):
        p.append(Problem("Member id is missing: copy it from the insurance card.", "member_id"))
    elif payer and payer["payer_type"] == "medicare" and mbi_problem(cov.member_id):
        p.append(Problem(mbi_problem(cov.member_id), "member_id"))
    text_fields(p, cov, {"member_id": "Member id", "group_number": "Group number"})
    text_field(p, cov.subscriber_last_name, "Subscriber last name", "subscriber_last_name",
               kind="last_name")
    text_field(p, cov.subscriber_first_name, "Subscriber first name", "subscriber_first_name",
               kind="first_name")
    start = date_field(p, cov.effective_date, "Coverage effective date", "effective_date")
    end = date_field(p, cov.end_date, "Coverage end date", "end_date", required=False)
    if start and end and end < start:
        p.append(Problem(f"Coverage end date {end} is before its effective date {start}: "
                         "swap or correct them.", "end_date"))
    if cov.relationship not in ("self", "spouse", "child", "other"):
        p.append(Problem(f"Relationship {cov.relationship!r} must be self, spouse, child or "
                         "other.", "relationship"))
    if cov.priority not in ("primary", "secondary", "tertiary"):
        p.append(Problem(f"Priority {cov.priority!r} must be primary, secondary or "
                         "tertiary.", "priority"))
    if start and not p:
        p += _same_on_file(con, cov, payer["payer_type"], start, end)
    if start and not p:
        p += _order_problems(con, cov, start, end)
    if cov.relationship != "self" and (blank(cov.subscriber_last_name)
                                       or blank(cov.subscriber_first_name)):
        p.append(Problem("Subscriber name is missing: when the client is not the "
                         "subscriber, enter the subscriber's last and first name.",
                         "subscriber_last_name"))
    return p


def member_id_as_kept(member_id: Any, payer_type: str | None) -> str:
    """A member id as the store keeps it: a Medicare one (an MBI) as claims carry it,
    without the card's dashes; any other trimmed."""
    return normalize_mbi(member_id) if payer_type == "medicare" else str(member_id).strip()


def _same_on_file(con: Any, cov: CoverageIn, payer_type: str, start: dt.date,
                  end: dt.date | None) -> list[Problem]:
    """The same coverage again (payer, member id and priority, on overlapping dates): a form
    sent twice (found by a new-user trial: two identical open coverages, one then corrected
    and the other not)."""
    member = member_id_as_kept(cov.member_id, payer_type)
    row = fetch_one(con, """
        SELECT effective_date FROM coverages
        WHERE client_id = ? AND payer_id = ? AND member_id = ? AND priority = ?
          AND effective_date <= coalesce(?::DATE, DATE '9999-12-31')
          AND coalesce(end_date, DATE '9999-12-31') >= ?::DATE""",
                    [cov.client_id.strip(), cov.payer_id, member, cov.priority, end, start])
    if row is None:
        return []
    return [Problem(f"This coverage is on file already: member id {member}, {cov.priority}, "
                    f"from {row['effective_date']}. Nothing was added; to change it, end it "
                    "or correct its member id under the client's coverages.", "member_id")]


def _order_problems(con: Any, cov: CoverageIn, start: dt.date, end: dt.date | None
                    ) -> list[Problem]:
    """A coverage's payer must not be the client's payer at another rank, nor (for a secondary
    or tertiary) another payer at its rank, on overlapping dates: cost share goes to the
    next payer in line on the date of service, so the line must be clear. Two primaries are
    allowed and said (coverage_changes.overlapping_primaries): a change of insurance whose
    first weeks were billed to the old plan (denied CO-27) needs the new coverage on file
    before those claims can move to it and the old coverage can end."""
    rows = fetch_rows(con, """
        SELECT v.priority, v.payer_id, p.name, v.effective_date FROM coverages v
        JOIN payers p USING (payer_id)
        WHERE v.client_id = ? AND v.effective_date <= coalesce(?::DATE, DATE '9999-12-31')
          AND coalesce(v.end_date, DATE '9999-12-31') >= ?::DATE
        ORDER BY v.coverage_id""", [cov.client_id.strip(), end, start])
    for r in rows:
        priority, payer_id, name, since = (r["priority"], r["payer_id"], r["name"],
                                           r["effective_date"])
        if payer_id == cov.payer_id and priority != cov.priority:
            return [Problem(f"{name} is already this client's {priority} coverage from "
                            f"{since}: a payer cannot also be its {cov.priority} payer on the "
                            "same dates; choose the other payer, or end the first coverage.",
                            "payer_id")]
        if priority == cov.priority != "primary" and payer_id != cov.payer_id:
            return [Problem(f"The client already has a {priority} coverage with {name} from "
                            f"{since}: end it (its last day, under \"End a coverage\") "
                            f"before adding another {cov.priority} coverage for the same "
                            "dates.", "priority")]
    return []


def save_coverage(db: Database, cov: CoverageIn, user: str) -> int:
    """Add a coverage to a client; its new coverage_id."""
    with db.transaction() as con:
        problems = validate_coverage(con, cov)
        if problems:
            raise ValidationError(problems)
        return write_coverage(con, cov, user)


def write_coverage(con: Any, cov: CoverageIn, user: str) -> int:
    """Add an already validated coverage inside the caller's transaction (with an audit
    row); its new coverage_id."""
    return write_coverages(con, [cov], user)[0]


def write_coverages(con: Any, covs: Sequence[CoverageIn], user: str) -> list[int]:
    """Add already validated coverages inside the caller's transaction (one bulk insert, an
    audit row each); their new coverage_ids, in order."""
    if not covs:
        return []
    first = next_id(con, "coverages", "coverage_id")
    # each member id as kept (member_id_as_kept: by its payer's type)
    types = dict(con.execute("SELECT payer_id, payer_type FROM payers").fetchall())
    rows = []
    for i, cov in enumerate(covs):
        values = asdict(cov)
        values.update(coverage_id=first + i, effective_date=as_date(cov.effective_date),
                      end_date=as_date(cov.end_date),
                      subscriber_dob=as_date(cov.subscriber_dob),
                      member_id=member_id_as_kept(cov.member_id, types.get(cov.payer_id)))
        rows.append(values)
    cols = list(rows[0])
    insert_rows(con, "coverages", cols, [tuple(r[c] for c in cols) for r in rows])
    audit_many(con, user, [("create", "coverages", r["coverage_id"], None, r) for r in rows])
    # Which payer a claim's cost share goes to follows the coverages in force on its date of
    # service (metdash/sql/ledger.sql): the client's claims in the new coverages' dates are
    # recomputed.
    touched = con.execute("""
        SELECT DISTINCT c.claim_id FROM claims c
        JOIN (SELECT unnest(?::VARCHAR[]) AS client_id, unnest(?::DATE[]) AS since,
                     unnest(?::DATE[]) AS until) n ON n.client_id = c.client_id
        WHERE c.first_service_date >= n.since
          AND (n.until IS NULL OR c.first_service_date <= n.until)""",
        [[r["client_id"] for r in rows], [r["effective_date"] for r in rows],
         [r["end_date"] for r in rows]]).fetchall()
    facts.touch(con, [t[0] for t in touched], status_only=True)
    return [r["coverage_id"] for r in rows]


# -- referrers -----------------------------------------------------------------------------

@dataclass
class ReferrerIn:
    """A referring physician, physical therapist or specialist."""

    npi: str
    name: str
    kind: str = "physician"
    specialty: str | None = None
    organization: str | None = None


def find_referrer(con: Any, npi: str) -> dict[str, Any] | None:
    """The referrer on file with this NPI (the store is looked up before anything else)."""
    return fetch_one(con, "SELECT * FROM referrers WHERE npi = ?", [str(npi).strip()])


def validate_referrer(con: Any, ref: ReferrerIn, referrer_id: int | None = None) -> list[Problem]:
    """Every problem with a referrer; ``referrer_id`` when updating one."""
    p: list[Problem] = []
    text_field(p, ref.name, "Referrer name", "name", kind="person_name")
    text_field(p, ref.specialty, "Specialty", "specialty")
    text_field(p, ref.organization, "Organization", "organization", kind="org_name")
    msg = npi_problem(ref.npi, "Referring NPI")
    if msg:
        p.append(Problem(msg, "npi"))
    else:
        other = find_referrer(con, ref.npi)
        if other and other["referrer_id"] != referrer_id:
            p.append(Problem(f"Referring NPI {ref.npi.strip()} is already on file as "
                             f"{other['name']}: pick that referrer instead of adding it again.",
                             "npi"))
    if blank(ref.name):
        p.append(Problem("Referrer name is missing: enter 'Last, First' or the "
                         "organization's name.", "name"))
    if ref.kind not in REFERRER_KINDS:
        p.append(Problem(f"Referrer kind {ref.kind!r} must be one of "
                         f"{', '.join(REFERRER_KINDS)}.", "kind"))
    return p


def save_referrer(db: Database, ref: ReferrerIn, user: str, referrer_id: int | None = None) -> int:
    """Create (or, with ``referrer_id``, update) a referrer; its id."""
    with db.transaction() as con:
        problems = validate_referrer(con, ref, referrer_id)
        if problems:
            raise ValidationError(problems)
        return write_referrer(con, ref, user, referrer_id)


def write_referrer(con: Any, ref: ReferrerIn, user: str, referrer_id: int | None = None) -> int:
    """Create (or, with ``referrer_id``, update) an already validated referrer inside the
    caller's transaction (with an audit row); its id."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in asdict(ref).items()}
    if referrer_id is None:
        referrer_id = next_id(con, "referrers", "referrer_id")
        con.execute("INSERT INTO referrers (referrer_id, npi, name, kind, specialty, "
                    "organization) VALUES (?, ?, ?, ?, ?, ?)",
                    [referrer_id, values["npi"], values["name"], values["kind"],
                     values["specialty"] or None, values["organization"] or None])
        audit(con, user, "create", "referrers", referrer_id, None, values)
    else:
        before = fetch_one(con, "SELECT * FROM referrers WHERE referrer_id = ?", [referrer_id])
        con.execute("UPDATE referrers SET npi = ?, name = ?, kind = ?, specialty = ?, "
                    "organization = ? WHERE referrer_id = ?",
                    [values["npi"], values["name"], values["kind"], values["specialty"] or None,
                     values["organization"] or None, referrer_id])
        audit(con, user, "update", "referrers", referrer_id, before, values)
    return referrer_id
