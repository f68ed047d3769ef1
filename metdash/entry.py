"""Entering the work: validation and atomic writes for everything a front desk or biller enters.

Each ``validate_*`` / ``check_*`` function takes plain values (the dataclasses below) and an
open connection, and RETURNS every problem it finds, as :class:`Problem` strings in the
biller's words (the field, what is wrong, how to fix it). Each ``save_*`` / ``post_*`` /
``move_*`` function validates first inside its own write transaction, raises
:class:`ValidationError` with every problem when there is one, and otherwise writes
everything (with audit rows) in that ONE transaction.

Exceptions::

    ValidationError   the input breaks a rule; .problems lists them all (.warnings too)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from metdash.coding import (
    billable_units,
    cpt_problems,
    diagnoses_problems,
    known_codes,
    modifier_problems,
    needs_kx,
    normalize_cpt,
    normalize_icd10,
    npi_problem,
    parse_modifiers,
    pointer_problems,
    required_modifiers,
)
from metdash.errors import MoneyTooLarge, ValidationError
from metdash.store import Database, audit, facts, insert_row, next_id

__all__ = [
    "AdjustmentIn", "AppealIn", "ClaimCheck", "ClaimIn", "ClaimLineIn", "ClientIn",
    "CoverageIn", "EobIn", "LinePostingIn", "PatientPaymentIn", "PayerIn", "PracticeIn",
    "Problem", "ProviderIn", "ReferralIn", "ReferrerIn", "SessionIn", "ValidationError",
    "build_claim_from_sessions", "check_claim", "claim_status_after_posting", "file_appeal",
    "find_referrer", "move_claim_status", "new_claim_id", "payer_claim_number", "post_eob",
    "record_appeal_outcome", "record_patient_payment", "save_client", "save_coverage",
    "save_cpt_code", "save_fee",
    "save_payer", "save_practice", "save_provider", "save_referral", "save_referrer",
    "save_session", "save_claim", "session_units", "validate_appeal", "validate_claim",
    "validate_client", "validate_coverage", "validate_eob", "validate_patient_payment",
    "validate_payer", "validate_practice", "validate_provider", "validate_referral",
    "validate_referrer", "validate_session", "STATUSES", "TRANSITIONS",
]

CENT = Decimal("0.01")
STATUSES = ("draft", "ready", "submitted", "paid", "partially_paid", "denied", "appealed",
            "closed", "voided")
# Allowed claim status moves (nothing is deleted; a claim is voided instead).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("ready", "voided"),
    "ready": ("draft", "submitted", "voided"),
    "submitted": ("paid", "partially_paid", "denied", "voided"),
    "paid": ("closed", "partially_paid", "denied"),
    "partially_paid": ("paid", "denied", "appealed", "closed"),
    "denied": ("appealed", "ready", "submitted", "paid", "partially_paid", "closed"),
    "appealed": ("paid", "partially_paid", "denied", "closed"),
    "closed": (),
    "voided": (),
}
PAYER_TYPES = ("medicare", "medicare_advantage", "medicaid", "commercial", "workers_comp",
               "auto", "other")
REFERRER_KINDS = ("physician", "physical_therapist", "specialist", "other")
SESSION_KINDS = ("initial_assessment", "treatment", "progress", "discharge")
GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")
CONTRACTUAL_CARCS = ("45", "253")   # CO-45, CO-253: contractual, not denials (DOMAIN.md)
TIMELY_WARN_DAYS = 30
MAX_LINES = 50                      # 837P: at most 50 service lines per claim


class Problem(str):
    """One problem in the biller's words; ``field`` and ``line`` (0-based) say where."""

    field: str
    line: int | None

    def __new__(cls, message: str, field: str = "", line: int | None = None) -> Problem:
        obj = super().__new__(cls, message)
        obj.field = field
        obj.line = line
        return obj


# -- small helpers ---------------------------------------------------------------------------

def _today() -> dt.date:
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
    if isinstance(value, float):
        if value != value:
            return None
        value = repr(value)
    text = str(value).strip().replace("$", "").replace(",", "").replace(" ", "")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(str(value)) from None
    if not amount.is_finite():
        raise ValueError(str(value))
    if abs(amount) > MAX_MONEY:
        # The store holds DECIMAL(12,2); a claim's total must fit too.
        raise MoneyTooLarge(str(value))
    return amount.quantize(CENT)


def _date_field(problems: list[Problem], value: Any, label: str, fld: str, *,
                required: bool = True, line: int | None = None) -> dt.date | None:
    try:
        day = as_date(value)
    except ValueError:
        problems.append(Problem(f"{label} {str(value)!r} is not a date: write it as "
                                "YYYY-MM-DD, e.g. 2025-03-04.", fld, line))
        return None
    if day is None and required:
        problems.append(Problem(f"{label} is missing: enter it as YYYY-MM-DD.", fld, line))
    return day


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(con: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows as dicts, on the connection itself (a cursor would not see the open transaction)."""
    res = con.execute(sql, list(params))
    names = [d[0] for d in res.description]
    return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


def _one(con: Any, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    rows = _rows(con, sql, params)
    return rows[0] if rows else None


def _fmt_money(value: Decimal) -> str:
    return f"${value:,.2f}"


# -- clients and coverages ---------------------------------------------------------------------

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
    as_of = as_of or _today()
    p: list[Problem] = []
    cid = (client.client_id or "").strip()
    if not cid:
        p.append(Problem("Client id (chart number) is missing: enter the practice's chart "
                         "number for this client.", "client_id"))
    elif len(cid) > 30:
        p.append(Problem(f"Client id {cid!r} is longer than 30 characters: shorten it.",
                         "client_id"))
    if _blank(client.last_name):
        p.append(Problem("Last name is missing: enter the client's last name as on the "
                         "insurance card.", "last_name"))
    if _blank(client.first_name):
        p.append(Problem("First name is missing: enter the client's first name as on the "
                         "insurance card.", "first_name"))
    dob = _date_field(p, client.dob, "Date of birth", "dob")
    if dob is not None:
        if dob > as_of:
            p.append(Problem(f"Date of birth {dob} is in the future: check the year.", "dob"))
        elif dob.year < 1900:
            p.append(Problem(f"Date of birth {dob} is before 1900: check the year.", "dob"))
    if client.sex not in (None, "", "F", "M", "U"):
        p.append(Problem(f"Sex {client.sex!r} is not one of F, M or U: pick one.", "sex"))
    if not _blank(client.state) and not re.fullmatch(r"[A-Za-z]{2}", client.state.strip()):
        p.append(Problem(f"State {client.state!r} is not a 2-letter code: use e.g. OH.",
                         "state"))
    if not _blank(client.zip) and not re.fullmatch(r"\d{5}(-?\d{4})?", client.zip.strip()):
        p.append(Problem(f"ZIP {client.zip!r} is not 5 or 9 digits: use e.g. 43215.", "zip"))
    return p


def save_client(db: Database, client: ClientIn, user: str,
                coverages: Sequence[CoverageIn] = (), as_of: dt.date | None = None) -> str:
    """Create or update a client (and add its coverages) in one transaction; its id."""
    with db.transaction() as con:
        problems = validate_client(con, client, as_of)
        for cov in coverages:
            problems += validate_coverage(con, replace(cov, client_id=client.client_id),
                                          client_known=True)
        if problems:
            raise ValidationError(problems)
        _write_client(con, client, user)
        for cov in coverages:
            _write_coverage(con, replace(cov, client_id=client.client_id.strip()), user)
    return client.client_id.strip()


def _write_client(con: Any, client: ClientIn, user: str) -> None:
    values = asdict(client)
    values["client_id"] = client.client_id.strip()
    values["dob"] = as_date(client.dob)
    for key in ("last_name", "first_name"):
        values[key] = values[key].strip()
    for key in ("sex", "address_line1", "city", "state", "zip", "phone"):
        values[key] = None if _blank(values[key]) else str(values[key]).strip()
    if values["state"]:
        values["state"] = values["state"].upper()
    before = _one(con, "SELECT * EXCLUDE (created_at) FROM clients WHERE client_id = ?",
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


def validate_coverage(con: Any, cov: CoverageIn, client_known: bool = False) -> list[Problem]:
    """Every problem with a coverage (``client_known``: the client is saved with it)."""
    p: list[Problem] = []
    if not client_known and not _one(con, "SELECT 1 FROM clients WHERE client_id = ?",
                                     [cov.client_id]):
        p.append(Problem(f"Client {cov.client_id!r} is not on file: save the client first.",
                         "client_id"))
    if cov.payer_id is None or not _one(con, "SELECT 1 FROM payers WHERE payer_id = ?",
                                        [cov.payer_id]):
        p.append(Problem("Payer is not on file: choose a payer, or add it under Settings.",
                         "payer_id"))
    if _blank(cov.member_id):
        p.append(Problem("Member id is missing: copy it from the insurance card.", "member_id"))
    start = _date_field(p, cov.effective_date, "Coverage effective date", "effective_date")
    end = _date_field(p, cov.end_date, "Coverage end date", "end_date", required=False)
    if start and end and end < start:
        p.append(Problem(f"Coverage end date {end} is before its effective date {start}: "
                         "swap or correct them.", "end_date"))
    if cov.relationship not in ("self", "spouse", "child", "other"):
        p.append(Problem(f"Relationship {cov.relationship!r} must be self, spouse, child or "
                         "other.", "relationship"))
    if cov.priority not in ("primary", "secondary", "tertiary"):
        p.append(Problem(f"Priority {cov.priority!r} must be primary, secondary or "
                         "tertiary.", "priority"))
    if cov.relationship != "self" and (_blank(cov.subscriber_last_name)
                                       or _blank(cov.subscriber_first_name)):
        p.append(Problem("Subscriber name is missing: when the client is not the "
                         "subscriber, enter the subscriber's last and first name.",
                         "subscriber_last_name"))
    return p


def save_coverage(db: Database, cov: CoverageIn, user: str) -> int:
    """Add a coverage to a client; its new coverage_id."""
    with db.transaction() as con:
        problems = validate_coverage(con, cov)
        if problems:
            raise ValidationError(problems)
        return _write_coverage(con, cov, user)


def _write_coverage(con: Any, cov: CoverageIn, user: str) -> int:
    cov_id = next_id(con, "coverages", "coverage_id")
    values = asdict(cov)
    values.update(coverage_id=cov_id, effective_date=as_date(cov.effective_date),
                  end_date=as_date(cov.end_date), subscriber_dob=as_date(cov.subscriber_dob),
                  member_id=str(cov.member_id).strip())
    insert_row(con, "coverages", values)
    audit(con, user, "create", "coverages", cov_id, None, values)
    return cov_id


# -- referrers, practice, providers, payers, fees, codes --------------------------------------

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
    return _one(con, "SELECT * FROM referrers WHERE npi = ?", [str(npi).strip()])


def validate_referrer(con: Any, ref: ReferrerIn, referrer_id: int | None = None) -> list[Problem]:
    """Every problem with a referrer; ``referrer_id`` when updating one."""
    p: list[Problem] = []
    msg = npi_problem(ref.npi, "Referring NPI")
    if msg:
        p.append(Problem(msg, "npi"))
    else:
        other = find_referrer(con, ref.npi)
        if other and other["referrer_id"] != referrer_id:
            p.append(Problem(f"Referring NPI {ref.npi.strip()} is already on file as "
                             f"{other['name']}: pick that referrer instead of adding it again.",
                             "npi"))
    if _blank(ref.name):
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
        return _write_referrer(con, ref, user, referrer_id)


def _write_referrer(con: Any, ref: ReferrerIn, user: str, referrer_id: int | None = None) -> int:
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in asdict(ref).items()}
    if referrer_id is None:
        referrer_id = next_id(con, "referrers", "referrer_id")
        con.execute("INSERT INTO referrers (referrer_id, npi, name, kind, specialty, "
                    "organization) VALUES (?, ?, ?, ?, ?, ?)",
                    [referrer_id, values["npi"], values["name"], values["kind"],
                     values["specialty"] or None, values["organization"] or None])
        audit(con, user, "create", "referrers", referrer_id, None, values)
    else:
        before = _one(con, "SELECT * FROM referrers WHERE referrer_id = ?", [referrer_id])
        con.execute("UPDATE referrers SET npi = ?, name = ?, kind = ?, specialty = ?, "
                    "organization = ? WHERE referrer_id = ?",
                    [values["npi"], values["name"], values["kind"], values["specialty"] or None,
                     values["organization"] or None, referrer_id])
        audit(con, user, "update", "referrers", referrer_id, before, values)
    return referrer_id


@dataclass
class PracticeIn:
    """The billing practice (one row)."""

    name: str
    billing_npi: str
    tax_id: str
    taxonomy: str | None = None
    address_line1: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    phone: str | None = None
    kx_threshold: Any = Decimal("2410.00")


def validate_practice(con: Any, pr: PracticeIn) -> list[Problem]:
    """Every problem with the practice's details."""
    p: list[Problem] = []
    if _blank(pr.name):
        p.append(Problem("Practice name is missing: enter it as the payers know it.", "name"))
    msg = npi_problem(pr.billing_npi, "Billing NPI")
    if msg:
        p.append(Problem(msg, "billing_npi"))
    if not re.fullmatch(r"\d{2}-?\d{7}", (pr.tax_id or "").strip()):
        p.append(Problem(f"Tax id {pr.tax_id!r} is not an EIN: write 9 digits as "
                         "NN-NNNNNNN.", "tax_id"))
    if not _blank(pr.taxonomy) and not re.fullmatch(r"[0-9A-Z]{9}X", pr.taxonomy.strip()):
        p.append(Problem(f"Taxonomy {pr.taxonomy!r} is not a NUCC code: 10 characters "
                         "ending in X, e.g. 225100000X.", "taxonomy"))
    try:
        kx = as_money(pr.kx_threshold)
        if kx is None or kx < 0:
            raise ValueError
    except ValueError:
        p.append(Problem(f"KX threshold {pr.kx_threshold!r} must be an amount of 0 or more "
                         "(Medicare's 2025 threshold is 2410.00).", "kx_threshold"))
    return p


def save_practice(db: Database, pr: PracticeIn, user: str) -> None:
    """Create or update the practice (practice_id 1)."""
    with db.transaction() as con:
        problems = validate_practice(con, pr)
        if problems:
            raise ValidationError(problems)
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in asdict(pr).items()}
        tax = re.sub(r"\D", "", values["tax_id"])
        values["tax_id"] = f"{tax[:2]}-{tax[2:]}"
        values["kx_threshold"] = as_money(pr.kx_threshold)
        before = _one(con, "SELECT * FROM practice ORDER BY practice_id LIMIT 1", [])
        cols = list(values)
        if before is None:
            con.execute(f"INSERT INTO practice (practice_id, {', '.join(cols)}) VALUES "
                        f"(1, {', '.join('?' for _ in cols)})", [values[c] for c in cols])
            audit(con, user, "create", "practice", 1, None, values)
        else:
            con.execute(f"UPDATE practice SET {', '.join(f'{c} = ?' for c in cols)} "
                        "WHERE practice_id = ?", [values[c] for c in cols] +
                        [before["practice_id"]])
            audit(con, user, "update", "practice", before["practice_id"], before, values)


@dataclass
class ProviderIn:
    """A rendering provider (trainer, therapist) of the practice."""

    npi: str
    last_name: str
    first_name: str
    credential: str | None = None
    taxonomy: str | None = None
    active: bool = True


def validate_provider(con: Any, prov: ProviderIn, provider_id: int | None = None) -> list[Problem]:
    """Every problem with a provider; ``provider_id`` when updating one."""
    p: list[Problem] = []
    msg = npi_problem(prov.npi, "Rendering NPI")
    if msg:
        p.append(Problem(msg, "npi"))
    else:
        other = _one(con, "SELECT provider_id, last_name FROM providers WHERE npi = ?",
                     [prov.npi.strip()])
        if other and other["provider_id"] != provider_id:
            p.append(Problem(f"Rendering NPI {prov.npi.strip()} is already on file for "
                             f"{other['last_name']}: edit that provider instead.", "npi"))
    if _blank(prov.last_name):
        p.append(Problem("Provider last name is missing: enter it.", "last_name"))
    if _blank(prov.first_name):
        p.append(Problem("Provider first name is missing: enter it.", "first_name"))
    return p


def save_provider(db: Database, prov: ProviderIn, user: str,
                  provider_id: int | None = None) -> int:
    """Create (or update) a provider; its id."""
    with db.transaction() as con:
        problems = validate_provider(con, prov, provider_id)
        if problems:
            raise ValidationError(problems)
        return _write_provider(con, prov, user, provider_id)


def _write_provider(con: Any, prov: ProviderIn, user: str, provider_id: int | None = None) -> int:
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in asdict(prov).items()}
    cols = list(values)
    if provider_id is None:
        provider_id = next_id(con, "providers", "provider_id")
        con.execute(f"INSERT INTO providers (provider_id, {', '.join(cols)}) VALUES "
                    f"(?, {', '.join('?' for _ in cols)})",
                    [provider_id] + [values[c] or None if c != "active" else values[c]
                                     for c in cols])
        audit(con, user, "create", "providers", provider_id, None, values)
    else:
        before = _one(con, "SELECT * FROM providers WHERE provider_id = ?", [provider_id])
        con.execute(f"UPDATE providers SET {', '.join(f'{c} = ?' for c in cols)} "
                    "WHERE provider_id = ?", [values[c] for c in cols] + [provider_id])
        audit(con, user, "update", "providers", provider_id, before, values)
    return provider_id


@dataclass
class PayerIn:
    """An insurance payer and its rules."""

    name: str
    payer_type: str
    clearinghouse_payer_id: str | None = None
    timely_filing_days: int = 365
    appeal_window_days: int = 120
    units_rule: str = "cms"
    requires_referral: bool = False
    requires_prior_auth: bool = False
    usual_lag_days: int = 30


def validate_payer(con: Any, payer: PayerIn, payer_id: int | None = None) -> list[Problem]:
    """Every problem with a payer; ``payer_id`` when updating one."""
    p: list[Problem] = []
    if _blank(payer.name):
        p.append(Problem("Payer name is missing: enter it as on the insurance card.", "name"))
    else:
        other = _one(con, "SELECT payer_id FROM payers WHERE lower(name) = lower(?)",
                     [payer.name.strip()])
        if other and other["payer_id"] != payer_id:
            p.append(Problem(f"Payer {payer.name.strip()!r} is already on file: pick it "
                             "instead of adding it again.", "name"))
    if payer.payer_type not in PAYER_TYPES:
        p.append(Problem(f"Payer type {payer.payer_type!r} must be one of "
                         f"{', '.join(PAYER_TYPES)}.", "payer_type"))
    if not _blank(payer.clearinghouse_payer_id) and not re.fullmatch(
            r"[0-9A-Za-z]{2,10}", payer.clearinghouse_payer_id.strip()):
        p.append(Problem(f"Clearinghouse payer id {payer.clearinghouse_payer_id!r} should be "
                         "letters and digits only (usually 5), as the clearinghouse lists it.",
                         "clearinghouse_payer_id"))
    for fld, label, low, high in (("timely_filing_days", "Timely filing days", 1, 3650),
                                  ("appeal_window_days", "Appeal window days", 1, 3650),
                                  ("usual_lag_days", "Usual days to payment", 1, 365)):
        value = getattr(payer, fld)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            p.append(Problem(f"{label} {value!r} must be a whole number from {low} to {high}.",
                             fld))
    if payer.units_rule not in ("cms", "per_code"):
        p.append(Problem(f"Units rule {payer.units_rule!r} must be 'cms' (8-minute rule) or "
                         "'per_code'.", "units_rule"))
    return p


def save_payer(db: Database, payer: PayerIn, user: str, payer_id: int | None = None) -> int:
    """Create (or update) a payer; its id."""
    with db.transaction() as con:
        problems = validate_payer(con, payer, payer_id)
        if problems:
            raise ValidationError(problems)
        return _write_payer(con, payer, user, payer_id)


def _write_payer(con: Any, payer: PayerIn, user: str, payer_id: int | None = None) -> int:
    values = asdict(payer)
    values["name"] = payer.name.strip()
    values["clearinghouse_payer_id"] = (None if _blank(payer.clearinghouse_payer_id)
                                        else payer.clearinghouse_payer_id.strip())
    cols = list(values)
    if payer_id is None:
        payer_id = next_id(con, "payers", "payer_id")
        con.execute(f"INSERT INTO payers (payer_id, {', '.join(cols)}) VALUES "
                    f"(?, {', '.join('?' for _ in cols)})", [payer_id] + [values[c] for c in cols])
        audit(con, user, "create", "payers", payer_id, None, values)
    else:
        before = _one(con, "SELECT * FROM payers WHERE payer_id = ?", [payer_id])
        con.execute(f"UPDATE payers SET {', '.join(f'{c} = ?' for c in cols)} "
                    "WHERE payer_id = ?", [values[c] for c in cols] + [payer_id])
        audit(con, user, "update", "payers", payer_id, before, values)
    return payer_id


def save_fee(db: Database, cpt: str, charge: Any, user: str,
             payer_id: int | None = None) -> None:
    """Set the practice's charge for a code (or, with ``payer_id``, that payer's allowed)."""
    with db.transaction() as con:
        p: list[Problem] = []
        code = normalize_cpt(cpt)
        p += [Problem(m, "cpt") for m in cpt_problems(code, known_codes(con))]
        try:
            amount = as_money(charge)
            if amount is None or amount < 0:
                raise ValueError
        except ValueError:
            amount = None
            p.append(Problem(f"Charge {charge!r} must be an amount of 0 or more, e.g. 45.00.",
                             "charge"))
        if payer_id is not None and not _one(con, "SELECT 1 FROM payers WHERE payer_id = ?",
                                             [payer_id]):
            p.append(Problem("Payer is not on file: choose one from the list.", "payer_id"))
        if p:
            raise ValidationError(p)
        if payer_id is None:
            before = _one(con, "SELECT * FROM fee_schedule WHERE cpt = ?", [code])
            con.execute("INSERT OR REPLACE INTO fee_schedule (cpt, charge) VALUES (?, ?)",
                        [code, amount])
            audit(con, user, "update" if before else "create", "fee_schedule", code, before,
                  {"cpt": code, "charge": amount})
        else:
            before = _one(con, "SELECT * FROM payer_fee_schedule WHERE payer_id = ? AND cpt = ?",
                          [payer_id, code])
            con.execute("INSERT OR REPLACE INTO payer_fee_schedule (payer_id, cpt, "
                        "allowed_amount) VALUES (?, ?, ?)", [payer_id, code, amount])
            audit(con, user, "update" if before else "create", "payer_fee_schedule",
                  f"{payer_id}:{code}", before,
                  {"payer_id": payer_id, "cpt": code, "allowed_amount": amount})


def save_cpt_code(db: Database, cpt: str, description: str, timed: bool, user: str,
                  is_evaluation: bool = False, active: bool = True) -> str:
    """Add (or change) a code on the practice's own list, described in the practice's words."""
    code = normalize_cpt(cpt)
    p: list[Problem] = []
    if not re.fullmatch(r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}", code):
        p.append(Problem(f"Code {code!r} is not a CPT or HCPCS code: 5 characters such as "
                         "97113 or G0283.", "cpt"))
    if _blank(description):
        p.append(Problem("Description is missing: describe the service in your own words "
                         "(never copy the AMA text).", "description"))
    if p:
        raise ValidationError(p)
    with db.transaction() as con:
        before = _one(con, "SELECT * FROM cpt_codes WHERE cpt = ?", [code])
        values = {"cpt": code, "description": description.strip(), "timed": bool(timed),
                  "is_evaluation": bool(is_evaluation), "active": bool(active)}
        con.execute("INSERT OR REPLACE INTO cpt_codes (cpt, description, timed, is_evaluation,"
                    " active) VALUES (?, ?, ?, ?, ?)", list(values.values()))
        audit(con, user, "update" if before else "create", "cpt_codes", code, before, values)
    return code


# -- referrals and sessions ------------------------------------------------------------------------

@dataclass
class ReferralIn:
    """A referral: who sent the client, for what diagnoses, for how many visits."""

    client_id: str
    referrer_id: int | None
    received_date: Any
    diagnosis_codes: Sequence[str]
    authorized_visits: int | None = None
    expiry_date: Any = None
    prior_auth_number: str | None = None
    notes: str | None = None


def validate_referral(con: Any, ref: ReferralIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a referral."""
    as_of = as_of or _today()
    p: list[Problem] = []
    if not _one(con, "SELECT 1 FROM clients WHERE client_id = ?", [ref.client_id]):
        p.append(Problem(f"Client {ref.client_id!r} is not on file: add the client first.",
                         "client_id"))
    if ref.referrer_id is None or not _one(con, "SELECT 1 FROM referrers WHERE referrer_id = ?",
                                           [ref.referrer_id]):
        p.append(Problem("Referrer is not on file: look the NPI up, or add the referrer "
                         "first.", "referrer_id"))
    received = _date_field(p, ref.received_date, "Received date", "received_date")
    if received and received > as_of:
        p.append(Problem(f"Received date {received} is in the future: enter the day the "
                         "referral arrived.", "received_date"))
    p += [Problem(m, "diagnosis_codes") for m in diagnoses_problems(list(ref.diagnosis_codes))]
    if ref.authorized_visits is not None and (not isinstance(ref.authorized_visits, int)
                                              or ref.authorized_visits < 1):
        p.append(Problem(f"Authorized visits {ref.authorized_visits!r} must be a whole number "
                         "of 1 or more (leave it empty when not limited).", "authorized_visits"))
    expiry = _date_field(p, ref.expiry_date, "Expiry date", "expiry_date", required=False)
    if expiry and received and expiry < received:
        p.append(Problem(f"Expiry date {expiry} is before the received date {received}: "
                         "check both dates.", "expiry_date"))
    return p


def save_referral(db: Database, ref: ReferralIn, user: str,
                  as_of: dt.date | None = None) -> int:
    """Record a referral; its id."""
    with db.transaction() as con:
        problems = validate_referral(con, ref, as_of)
        if problems:
            raise ValidationError(problems)
        return _write_referral(con, ref, user)


def _write_referral(con: Any, ref: ReferralIn, user: str) -> int:
    rid = next_id(con, "referrals", "referral_id")
    values = {"referral_id": rid, "client_id": ref.client_id, "referrer_id": ref.referrer_id,
              "received_date": as_date(ref.received_date),
              "diagnosis_codes": [normalize_icd10(c) for c in ref.diagnosis_codes],
              "authorized_visits": ref.authorized_visits,
              "expiry_date": as_date(ref.expiry_date),
              "prior_auth_number": ref.prior_auth_number or None, "notes": ref.notes or None}
    insert_row(con, "referrals", values)
    audit(con, user, "create", "referrals", rid, None, values)
    return rid


@dataclass
class SessionIn:
    """One session: client, provider, date, kind, minutes per CPT code."""

    client_id: str
    provider_id: int | None
    session_date: Any
    kind: str
    minutes: dict[str, int]
    referral_id: int | None = None
    notes: str | None = None


def validate_session(con: Any, s: SessionIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a session."""
    as_of = as_of or _today()
    p: list[Problem] = []
    if not _one(con, "SELECT 1 FROM clients WHERE client_id = ?", [s.client_id]):
        p.append(Problem(f"Client {s.client_id!r} is not on file: add the client first.",
                         "client_id"))
    prov = None if s.provider_id is None else _one(
        con, "SELECT active FROM providers WHERE provider_id = ?", [s.provider_id])
    if prov is None:
        p.append(Problem("Provider is not on file: choose who saw the client.", "provider_id"))
    elif not prov["active"]:
        p.append(Problem("Provider is inactive: choose an active provider, or reactivate "
                         "them under Settings.", "provider_id"))
    day = _date_field(p, s.session_date, "Session date", "session_date")
    if day and day > as_of:
        p.append(Problem(f"Session date {day} is in the future: record a session after it "
                         "happens.", "session_date"))
    if s.kind not in SESSION_KINDS:
        p.append(Problem(f"Session kind {s.kind!r} must be one of {', '.join(SESSION_KINDS)}.",
                         "kind"))
    known = known_codes(con)
    total = 0
    for code, mins in s.minutes.items():
        for m in cpt_problems(code, known):
            p.append(Problem(m, "minutes"))
        if not isinstance(mins, int) or isinstance(mins, bool) or not 0 <= mins <= 480:
            p.append(Problem(f"Minutes for {code} ({mins!r}) must be a whole number from 0 "
                             "to 480.", "minutes"))
        else:
            total += mins
    if total == 0:
        p.append(Problem("Minutes: no minutes entered: enter the minutes spent on each "
                         "procedure code.", "minutes"))
    if s.referral_id is not None:
        ref = _one(con, "SELECT client_id, received_date FROM referrals WHERE referral_id = ?",
                   [s.referral_id])
        if ref is None or ref["client_id"] != s.client_id:
            p.append(Problem("Referral is not one of this client's: choose the client's "
                             "referral.", "referral_id"))
        elif day and day < ref["received_date"]:
            p.append(Problem(f"Session date {day} is before the referral was received "
                             f"({ref['received_date']}): check the date or the referral.",
                             "session_date"))
    return p


def save_session(db: Database, s: SessionIn, user: str, as_of: dt.date | None = None) -> int:
    """Record a session and its minutes; its id."""
    with db.transaction() as con:
        problems = validate_session(con, s, as_of)
        if problems:
            raise ValidationError(problems)
        sid = next_id(con, "sessions", "session_id")
        values = {"session_id": sid, "client_id": s.client_id, "provider_id": s.provider_id,
                  "referral_id": s.referral_id, "session_date": as_date(s.session_date),
                  "kind": s.kind, "notes": s.notes or None}
        insert_row(con, "sessions", values)
        for code, mins in s.minutes.items():
            if mins > 0:
                con.execute("INSERT INTO session_minutes (session_id, cpt, minutes) "
                            "VALUES (?, ?, ?)", [sid, normalize_cpt(code), mins])
        audit(con, user, "create", "sessions", sid, None,
              {**values, "minutes": {k: v for k, v in s.minutes.items() if v > 0}})
        return sid


def session_units(con: Any, client_id: str, minutes: dict[str, int],
                  on: dt.date | None = None) -> tuple[dict[str, int], str, str | None]:
    """Units as they will be billed for the client's primary payer on ``on``.

    Returns ``(units per code, rule, payer name or None)``; the CMS rule when the client
    has no coverage on file.
    """
    cov = _active_coverage(con, client_id, on or _today())
    rule = cov["units_rule"] if cov else "cms"
    known = known_codes(con)
    untimed = {c for c, info in known.items() if not info.timed}
    clean = {normalize_cpt(c): int(m) for c, m in minutes.items() if m is not None}
    return billable_units(clean, rule, untimed=untimed), rule, (cov["payer_name"] if cov else None)


def _active_coverage(con: Any, client_id: str, on: dt.date,
                     payer_id: int | None = None) -> dict[str, Any] | None:
    sql = ("SELECT c.*, p.name AS payer_name, p.units_rule, p.payer_type FROM coverages c "
           "JOIN payers p USING (payer_id) WHERE c.client_id = ? AND c.effective_date <= ? "
           "AND (c.end_date IS NULL OR c.end_date >= ?)")
    params: list[Any] = [client_id, on, on]
    if payer_id is not None:
        sql += " AND c.payer_id = ?"
        params.append(payer_id)
    sql += (" ORDER BY CASE c.priority WHEN 'primary' THEN 1 WHEN 'secondary' THEN 2 ELSE 3 END,"
            " c.coverage_id DESC LIMIT 1")
    return _one(con, sql, params)


# -- claims ----------------------------------------------------------------------------------------

@dataclass
class ClaimLineIn:
    """One service line."""

    service_date: Any
    cpt: str
    units: int
    charge: Any
    modifiers: Sequence[str] = ()
    dx_pointers: Sequence[int] = (1,)
    session_id: int | None = None


@dataclass
class ClaimIn:
    """A claim as the biller reviews it (built from sessions, or by hand)."""

    claim_id: str
    client_id: str
    payer_id: int | None
    diagnosis_codes: Sequence[str]
    lines: list[ClaimLineIn]
    rendering_provider_id: int | None = None
    referrer_id: int | None = None
    referral_id: int | None = None
    coverage_id: int | None = None
    timely_filing_reason: str | None = None
    submitted_date: Any = None
    source: str = "form"


@dataclass
class ClaimCheck:
    """The outcome of checking a claim: errors block saving, warnings do not."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _claim_amount_for_kx(con: Any, payer_id: int, lines: Iterable[tuple[str, int, Decimal]]
                         ) -> Decimal:
    """Expected allowed amount of lines (payer's allowed x units, else the charge)."""
    allowed = {r[0]: Decimal(r[1]) for r in con.execute(
        "SELECT cpt, allowed_amount FROM payer_fee_schedule WHERE payer_id = ?",
        [payer_id]).fetchall()}
    total = Decimal("0")
    for cpt, units, charge in lines:
        total += allowed[cpt] * units if cpt in allowed else Decimal(charge)
    return total


def medicare_allowed_ytd(con: Any, client_id: str, year: int,
                         exclude_claim: str | None = None) -> Decimal:
    """The client's expected Medicare allowed amount for therapy in ``year`` (for KX).

    Σ over lines of the client's non-voided Medicare claims with service dates in that year
    of the payer's allowed amount x units (the line charge when the payer has no fee).
    """
    row = _one(con, """
        SELECT coalesce(sum(coalesce(pf.allowed_amount * l.units, l.charge)), 0) AS total
        FROM claim_lines l JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
        LEFT JOIN payer_fee_schedule pf ON pf.payer_id = c.payer_id AND pf.cpt = l.cpt
        WHERE c.client_id = ? AND p.payer_type = 'medicare' AND c.status <> 'voided'
          AND year(l.service_date) = ? AND c.claim_id <> ?
          AND l.cpt LIKE '97%'""", [client_id, year, exclude_claim or ""])
    return Decimal(row["total"]) if row else Decimal("0")


def check_claim(con: Any, claim: ClaimIn, as_of: dt.date | None = None, *,
                existing: bool = False) -> ClaimCheck:
    """Every error and warning for a claim (``existing``: it is already saved, e.g. re-check).

    Errors: unknown client/payer/provider/referrer, coverage not active, diagnoses not
    billable or too many, pointers, codes, units, negative charges, future dates, dates
    before the referral or after its expiry, visits used up, timely filing passed without a
    reason, the same client + date + code on another non-voided claim.
    Warnings: a charge off the fee schedule, a modifier the payer expects is missing, the
    timely-filing deadline within 30 days.
    """
    as_of = as_of or _today()
    chk = ClaimCheck()
    err, warn = chk.errors, chk.warnings
    cid = (claim.claim_id or "").strip()
    if not cid:
        err.append(Problem("Claim id is missing: enter the claim number (it goes out as "
                           "CLM01).", "claim_id"))
    elif len(cid) > 38 or not re.fullmatch(r"[0-9A-Za-z\-_.]+", cid):
        err.append(Problem(f"Claim id {cid!r} must be at most 38 letters, digits, '-', '_' or "
                           "'.' (no spaces).", "claim_id"))
    elif not existing and _one(con, "SELECT 1 FROM claims WHERE claim_id = ?", [cid]):
        err.append(Problem(f"Claim id {cid} is already used: give this claim a new number.",
                           "claim_id"))
    if not _one(con, "SELECT 1 FROM clients WHERE client_id = ?", [claim.client_id]):
        err.append(Problem(f"Client {claim.client_id!r} is not on file: add the client first.",
                           "client_id"))
    payer = None if claim.payer_id is None else _one(
        con, "SELECT * FROM payers WHERE payer_id = ?", [claim.payer_id])
    if payer is None:
        err.append(Problem("Payer is not on file: choose the client's payer.", "payer_id"))
    if claim.rendering_provider_id is not None and not _one(
            con, "SELECT 1 FROM providers WHERE provider_id = ?", [claim.rendering_provider_id]):
        err.append(Problem("Rendering provider is not on file: choose who saw the client, or "
                           "add them under Settings.", "rendering_provider_id"))
    if claim.referrer_id is not None and not _one(
            con, "SELECT 1 FROM referrers WHERE referrer_id = ?", [claim.referrer_id]):
        err.append(Problem("Referring provider is not on file: look the NPI up or add the "
                           "referrer.", "referrer_id"))
    if payer and payer["requires_referral"] and claim.referral_id is None \
            and claim.referrer_id is None:
        err.append(Problem(f"{payer['name']} requires a referral: choose the client's "
                           "referral (or the referring provider).", "referral_id"))

    dx = [normalize_icd10(c) for c in claim.diagnosis_codes]
    err += [Problem(m, "diagnosis_codes") for m in diagnoses_problems(dx)]

    if not claim.lines:
        err.append(Problem("Service lines: none given: add at least one line.", "lines"))
    if len(claim.lines) > MAX_LINES:
        err.append(Problem(f"Service lines: {len(claim.lines)} lines, a claim holds at most "
                           f"{MAX_LINES}: split it into two claims.", "lines"))
    known = known_codes(con)
    fees = {r[0]: {"charge": r[1]} for r in
            con.execute("SELECT cpt, charge FROM fee_schedule").fetchall()}
    # What this client already has on other non-voided claims: (date, code) -> claim id.
    billed: dict[tuple[dt.date, str], str] = {}
    for day_, code_, other in con.execute(
            "SELECT l.service_date, l.cpt, min(c.claim_id) FROM claim_lines l JOIN claims c "
            "USING (claim_id) WHERE c.client_id = ? AND c.status <> 'voided' AND "
            "c.claim_id <> ? GROUP BY ALL", [claim.client_id, cid]).fetchall():
        billed[(day_, code_)] = other
    dates: list[dt.date] = []
    seen_pairs: dict[tuple[dt.date, str], int] = {}
    line_info: list[tuple[dt.date | None, str, int, Decimal | None]] = []
    for i, line in enumerate(claim.lines):
        label = f"Line {i + 1}"
        day = _date_field(err, line.service_date, f"{label}: service date", "service_date",
                          line=i)
        if day and day > as_of:
            err.append(Problem(f"{label}: service date {day} is in the future: bill a "
                               "service after it happens.", "service_date", i))
        code = normalize_cpt(line.cpt)
        err += [Problem(m, "cpt", i) for m in cpt_problems(code, known, f"{label}: procedure code")]
        units = line.units
        if isinstance(units, float) and units.is_integer():
            units = int(units)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            err.append(Problem(f"{label}: units {line.units!r} must be a whole number of 1 or "
                               "more.", "units", i))
            units = 0
        elif code in known and not known[code].timed and units > 1:
            err.append(Problem(f"{label}: {code} is billed once per session, not {units} "
                               "units: set units to 1.", "units", i))
        try:
            charge = as_money(line.charge)
            if charge is None:
                err.append(Problem(f"{label}: charge is missing: enter the amount, e.g. "
                                   "45.00.", "charge", i))
            elif charge < 0:
                err.append(Problem(f"{label}: charge {charge} is negative: enter 0 or more.",
                                   "charge", i))
                charge = None
        except ValueError:
            err.append(Problem(f"{label}: charge {line.charge!r} is not an amount: write it "
                               "like 45.00.", "charge", i))
            charge = None
        mods = parse_modifiers(line.modifiers)
        err += [Problem(m, "modifiers", i) for m in modifier_problems(mods, label)]
        err += [Problem(m, "dx_pointers", i) for m in
                pointer_problems(list(line.dx_pointers), len(dx), label)]
        if day and code:
            if (day, code) in seen_pairs:
                err.append(Problem(f"{label}: {code} on {day} is already line "
                                   f"{seen_pairs[(day, code)] + 1} of this claim: put all the "
                                   "units on one line.", "cpt", i))
            else:
                seen_pairs[(day, code)] = i
                dup = billed.get((day, code))
                if dup:
                    err.append(Problem(f"{label}: {code} on {day} for this client is already "
                                       f"billed on claim {dup}: remove the line, or "
                                       "void that claim first.", "cpt", i))
        if day:
            dates.append(day)
        line_info.append((day, code, units, charge))
        # A charge off the fee schedule is a warning, not an error.
        if charge is not None and units and code:
            fee = fees.get(code)
            if fee is None:
                warn.append(Problem(f"{label}: {code} has no fee on the fee schedule: check "
                                    "the charge, or add the fee under Settings.", "charge", i))
            elif Decimal(fee["charge"]) * units != charge:
                expected = Decimal(fee["charge"]) * units
                warn.append(Problem(f"{label}: charge {_fmt_money(charge)} differs from the fee "
                                    f"schedule ({units} x {_fmt_money(Decimal(fee['charge']))} = "
                                    f"{_fmt_money(expected)}): check it.", "charge", i))

    # Coverage active on each date of service.
    if payer and dates:
        for day in sorted(set(dates)):
            cov = _active_coverage(con, claim.client_id, day, claim.payer_id)
            if claim.coverage_id is not None:
                cov = _one(con, "SELECT * FROM coverages WHERE coverage_id = ? AND client_id = ? "
                           "AND payer_id = ? AND effective_date <= ? AND (end_date IS NULL OR "
                           "end_date >= ?)", [claim.coverage_id, claim.client_id,
                                              claim.payer_id, day, day])
            if cov is None:
                err.append(Problem(f"Coverage: the client has no {payer['name']} coverage "
                                   f"active on {day}: check the dates of the coverage or the "
                                   "payer.", "coverage_id"))

    # Referral: not before it, not after its expiry, visits left.
    if claim.referral_id is not None:
        ref = _one(con, "SELECT * FROM referrals WHERE referral_id = ?", [claim.referral_id])
        if ref is None or ref["client_id"] != claim.client_id:
            err.append(Problem("Referral is not one of this client's: choose the client's "
                               "referral.", "referral_id"))
        elif dates:
            for i, (day, *_rest) in enumerate(line_info):
                if day and day < ref["received_date"]:
                    err.append(Problem(f"Line {i + 1}: service date {day} is before the "
                                       f"referral was received ({ref['received_date']}): check "
                                       "the date.", "service_date", i))
                if day and ref["expiry_date"] and day > ref["expiry_date"]:
                    err.append(Problem(f"Line {i + 1}: service date {day} is after the referral "
                                       f"expired ({ref['expiry_date']}): get a new referral.",
                                       "service_date", i))
            if ref["authorized_visits"]:
                used = _one(con, "SELECT count(DISTINCT l.service_date) AS n FROM claim_lines l "
                            "JOIN claims c USING (claim_id) WHERE c.referral_id = ? AND "
                            "c.status <> 'voided' AND c.claim_id <> ? AND l.service_date NOT IN "
                            "(SELECT unnest(?::DATE[]))",
                            [claim.referral_id, cid, sorted(set(dates))])["n"]
                if used + len(set(dates)) > ref["authorized_visits"]:
                    left = max(ref["authorized_visits"] - used, 0)
                    err.append(Problem(f"Referral: {ref['authorized_visits']} visits authorized, "
                                       f"{used} already billed, {left} left, and this claim has "
                                       f"{len(set(dates))}: ask for more visits.", "referral_id"))

    # Timely filing: payer's days from the earliest date of service.
    if payer and dates:
        first = min(dates)
        deadline = first + dt.timedelta(days=int(payer["timely_filing_days"]))
        try:
            sent = as_date(claim.submitted_date)
        except ValueError:
            sent = None
            err.append(Problem(f"Submitted date {claim.submitted_date!r} is not a date: write "
                               "it as YYYY-MM-DD.", "submitted_date"))
        if sent is not None:
            if sent > as_of:
                err.append(Problem(f"Submitted date {sent} is in the future: enter the day the "
                                   "claim was sent.", "submitted_date"))
            if sent < first:
                err.append(Problem(f"Submitted date {sent} is before the first service date "
                                   f"{first}: check it.", "submitted_date"))
            elif sent > deadline:
                warn.append(Problem(f"Submitted date {sent} was after the timely-filing "
                                    f"deadline {deadline}: expect a CO-29 denial.",
                                    "submitted_date"))
        elif as_of > deadline:
            if _blank(claim.timely_filing_reason):
                err.append(Problem(f"Timely filing: the deadline for {payer['name']} was "
                                   f"{deadline} ({payer['timely_filing_days']} days from {first})"
                                   ": record the reason it is late (e.g. proof of earlier "
                                   "submission) or do not bill it.", "timely_filing_reason"))
            else:
                warn.append(Problem(f"Timely filing: past the deadline {deadline}; the reason "
                                    "recorded goes with the claim.", "timely_filing_reason"))
        elif (deadline - as_of).days <= TIMELY_WARN_DAYS:
            warn.append(Problem(f"Timely filing: the deadline for {payer['name']} is {deadline}"
                                f" ({(deadline - as_of).days} days left): submit it soon.",
                                "timely_filing_reason"))

    # Modifiers the payer will expect (missing ones deny as CARC 4): warnings.
    if payer and all(d is not None for d, *_r in line_info) and line_info:
        kx = False
        if payer["payer_type"] == "medicare":
            threshold = _one(con, "SELECT kx_threshold FROM practice ORDER BY practice_id "
                             "LIMIT 1", [])
            if threshold:
                years = {d.year for d, *_r in line_info}
                for year in years:
                    amount = _claim_amount_for_kx(con, payer["payer_id"], [
                        (c, u, ch or Decimal(0)) for d, c, u, ch in line_info if d.year == year])
                    ytd = medicare_allowed_ytd(con, claim.client_id, year, cid)
                    kx = kx or needs_kx("medicare", ytd, amount,
                                        Decimal(threshold["kx_threshold"]))
        wanted = required_modifiers([(d, c) for d, c, *_r in line_info], payer["payer_type"],
                                    kx=kx)
        for i, (line, need) in enumerate(zip(claim.lines, wanted, strict=True)):
            have = parse_modifiers(line.modifiers)
            if "XU" in have and "59" in need:
                need = [m for m in need if m != "59"]
            missing = [m for m in need if m not in have]
            if missing:
                warn.append(Problem(f"Line {i + 1}: {payer['name']} expects modifier "
                                    f"{', '.join(missing)} on {normalize_cpt(line.cpt)}: add "
                                    "it, or the line may be denied (CARC 4).", "modifiers", i))
    return chk


def validate_claim(con: Any, claim: ClaimIn, as_of: dt.date | None = None) -> list[Problem]:
    """The errors that stop a claim from being saved (see :func:`check_claim`)."""
    return check_claim(con, claim, as_of).errors


def new_claim_id(con: Any, on: dt.date | None = None) -> str:
    """A fresh claim number 'MD' + YYMMDD + '-' + a 3-digit sequence for the day."""
    on = on or _today()
    prefix = f"MD{on:%y%m%d}-"
    n = 1
    rows = _rows(con, "SELECT claim_id FROM claims WHERE claim_id LIKE ?", [prefix + "%"])
    used = {r["claim_id"] for r in rows}
    while f"{prefix}{n:03d}" in used:
        n += 1
    return f"{prefix}{n:03d}"


def save_claim(db: Database, claim: ClaimIn, user: str, as_of: dt.date | None = None,
               status: str = "draft") -> list[Problem]:
    """Save a new claim (and its lines, a status-history row, audit rows); its warnings.

    Raises ValidationError (with the warnings too) when the claim has any error.
    """
    with db.transaction() as con:
        chk = check_claim(con, claim, as_of)
        if chk.errors:
            raise ValidationError(chk.errors, chk.warnings)
        write_claim(con, claim, user, status, as_of)
    return chk.warnings


def write_claim(con: Any, claim: ClaimIn, user: str, status: str = "draft",
                as_of: dt.date | None = None) -> None:
    """Write an already checked claim inside the caller's transaction (with audit rows)."""
    as_of = as_of or _today()
    cid = claim.claim_id.strip()
    dx = [normalize_icd10(c) for c in claim.diagnosis_codes]
    lines = []
    for i, line in enumerate(claim.lines, start=1):
        lines.append({"claim_id": cid, "line_no": i, "service_date": as_date(line.service_date),
                      "cpt": normalize_cpt(line.cpt),
                      "modifiers": parse_modifiers(line.modifiers), "units": int(line.units),
                      "charge": as_money(line.charge),
                      "dx_pointers": [int(x) for x in line.dx_pointers],
                      "session_id": line.session_id})
    submitted = as_date(claim.submitted_date)
    total = sum((ln["charge"] for ln in lines), Decimal("0.00"))
    first = min(ln["service_date"] for ln in lines)
    values = {"claim_id": cid, "client_id": claim.client_id, "payer_id": claim.payer_id,
              "coverage_id": claim.coverage_id, "referral_id": claim.referral_id,
              "referrer_id": claim.referrer_id,
              "rendering_provider_id": claim.rendering_provider_id, "status": status,
              "diagnosis_codes": dx, "total_charge": total, "first_service_date": first,
              "submitted_date": submitted, "last_submitted_date": submitted,
              "timely_filing_reason": None if _blank(claim.timely_filing_reason)
              else claim.timely_filing_reason.strip(),
              "source": claim.source}
    if values["coverage_id"] is None:
        cov = _active_coverage(con, claim.client_id, first, claim.payer_id)
        values["coverage_id"] = cov["coverage_id"] if cov else None
    insert_row(con, "claims", values)
    for ln in lines:
        lcols = list(ln)
        con.execute(f"INSERT INTO claim_lines ({', '.join(lcols)}) VALUES "
                    f"({', '.join('?' for _ in lcols)})", [ln[c] for c in lcols])
    audit(con, user, "create", "claims", cid, None, {**values, "lines": lines})
    day = submitted if (status == "submitted" and submitted) else as_of
    con.execute("INSERT INTO claim_status_history (claim_id, seq, status, status_date, "
                "changed_by, note) VALUES (?, 1, ?, ?, ?, ?)",
                [cid, status, day, user,
                     f"created ({claim.source})"])


def build_claim_from_sessions(con: Any, session_ids: Sequence[int],
                              as_of: dt.date | None = None,
                              claim_id: str | None = None) -> ClaimIn:
    """A draft claim for unbilled sessions of one client, for the biller to review.

    Lines: one per session and billable code, units from the minutes under the payer's
    rule, charges from the fee schedule (units x fee), diagnoses and pointers from the
    referral (pointers 1..min(4, n)), modifiers where due (GP, 59, KX).
    Raises ValidationError when the sessions cannot make one claim.
    """
    as_of = as_of or _today()
    if not session_ids:
        raise ValidationError([Problem("Sessions: none chosen: tick the sessions to bill.",
                                       "sessions")])
    ids = [int(s) for s in session_ids]
    sessions = _rows(con, "SELECT * FROM sessions WHERE session_id IN "
                         "(SELECT unnest(?::INTEGER[])) ORDER BY session_date, session_id", [ids])
    p: list[Problem] = []
    if len(sessions) != len(set(ids)):
        p.append(Problem("Sessions: some were not found: refresh the list.", "sessions"))
    clients = {s["client_id"] for s in sessions}
    if len(clients) > 1:
        p.append(Problem("Sessions: they belong to different clients: bill one client's "
                         "sessions at a time.", "sessions"))
    providers = {s["provider_id"] for s in sessions}
    if len(providers) > 1:
        p.append(Problem("Sessions: they were given by different providers: bill each "
                         "provider's sessions on their own claim.", "sessions"))
    billed = _rows(con, "SELECT DISTINCT l.session_id FROM claim_lines l JOIN claims c "
                       "USING (claim_id) WHERE c.status <> 'voided' AND l.session_id IN "
                       "(SELECT unnest(?::INTEGER[]))", [ids])
    if billed:
        p.append(Problem("Sessions: " + ", ".join(str(b["session_id"]) for b in billed) +
                         " already billed: untick them.", "sessions"))
    if p or not sessions:
        raise ValidationError(p or [Problem("Sessions: none found.", "sessions")])
    client_id = sessions[0]["client_id"]
    first_day = sessions[0]["session_date"]
    cov = _active_coverage(con, client_id, first_day)
    if cov is None:
        raise ValidationError([Problem(f"Coverage: client {client_id} has no coverage active on "
                                       f"{first_day}: add it on the Clients page.",
                                       "coverage_id")])
    referral_id = next((s["referral_id"] for s in sessions if s["referral_id"]), None)
    ref = None
    if referral_id is not None:
        ref = _one(con, "SELECT * FROM referrals WHERE referral_id = ?", [referral_id])
    else:
        ref = _one(con, "SELECT * FROM referrals WHERE client_id = ? AND received_date <= ? "
                   "ORDER BY received_date DESC, referral_id DESC LIMIT 1", [client_id, first_day])
    dx = list(ref["diagnosis_codes"]) if ref else []
    pointers = list(range(1, min(4, len(dx)) + 1)) or [1]
    known = known_codes(con)
    untimed = {c for c, info in known.items() if not info.timed}
    fees = {r["cpt"]: Decimal(r["charge"]) for r in _rows(con, "SELECT * FROM fee_schedule")}
    lines: list[ClaimLineIn] = []
    for s in sessions:
        mins = {r["cpt"]: int(r["minutes"]) for r in _rows(
            con, "SELECT cpt, minutes FROM session_minutes WHERE session_id = ? ORDER BY cpt",
            [s["session_id"]])}
        units = billable_units(mins, cov["units_rule"], untimed=untimed)
        for code, n in units.items():
            if n > 0:
                lines.append(ClaimLineIn(service_date=s["session_date"], cpt=code, units=n,
                                         charge=(fees.get(code, Decimal("0")) * n).quantize(CENT),
                                         dx_pointers=pointers, session_id=s["session_id"]))
    if not lines:
        raise ValidationError([Problem("Sessions: no billable units (under 8 timed minutes): "
                                       "nothing to bill.", "sessions")])
    kx = False
    if cov["payer_type"] == "medicare":
        threshold = _one(con, "SELECT kx_threshold FROM practice ORDER BY practice_id LIMIT 1", [])
        if threshold:
            amount = _claim_amount_for_kx(con, cov["payer_id"],
                                          [(ln.cpt, ln.units, ln.charge) for ln in lines])
            ytd = medicare_allowed_ytd(con, client_id, first_day.year)
            kx = needs_kx("medicare", ytd, amount, Decimal(threshold["kx_threshold"]))
    mods = required_modifiers([(ln.service_date, ln.cpt) for ln in lines], cov["payer_type"],
                              kx=kx)
    for ln, m in zip(lines, mods, strict=True):
        ln.modifiers = m
    return ClaimIn(claim_id=claim_id or new_claim_id(con, as_of), client_id=client_id,
                   payer_id=cov["payer_id"], coverage_id=cov["coverage_id"],
                   diagnosis_codes=dx, lines=lines,
                   rendering_provider_id=sessions[0]["provider_id"],
                   referral_id=ref["referral_id"] if ref else None,
                   referrer_id=ref["referrer_id"] if ref else None)


# -- status moves --------------------------------------------------------------------------------

def _add_status(con: Any, claim_id: str, status: str, on: dt.date, user: str,
                note: str | None, before: dict[str, Any]) -> None:
    seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM claim_status_history "
                      "WHERE claim_id = ?", [claim_id]).fetchone()[0]
    con.execute("INSERT INTO claim_status_history (claim_id, seq, status, status_date, "
                "changed_by, note) VALUES (?, ?, ?, ?, ?, ?)",
                [claim_id, seq, status, on, user, note or None])
    sets = ["status = ?"]
    params: list[Any] = [status]
    if status == "submitted":
        sets += ["submitted_date = coalesce(submitted_date, ?)", "last_submitted_date = ?"]
        params += [on, on]
    con.execute(f"UPDATE claims SET {', '.join(sets)} WHERE claim_id = ?", params + [claim_id])
    facts.touch(con, [claim_id], status_only=True)
    audit(con, user, "status", "claims", claim_id, {"status": before["status"]},
          {"status": status, "status_date": on, "note": note})


def move_claim_status(db: Database, claim_id: str, status: str, user: str,
                      on: dt.date | None = None, note: str | None = None,
                      as_of: dt.date | None = None) -> None:
    """Move a claim to ``status`` (see TRANSITIONS), recording the date, user and note.

    A claim moved to 'ready' or 'submitted' is re-checked first (errors block it).
    """
    as_of = as_of or _today()
    on = on or as_of
    with db.transaction() as con:
        row = _one(con, "SELECT * FROM claims WHERE claim_id = ?", [claim_id])
        if row is None:
            raise ValidationError([Problem(f"Claim {claim_id} is not on file.", "claim_id")])
        p: list[Problem] = []
        if status not in STATUSES:
            p.append(Problem(f"Status {status!r} is not a claim status.", "status"))
        elif status not in TRANSITIONS[row["status"]]:
            allowed = ", ".join(TRANSITIONS[row["status"]]) or "nothing (it is final)"
            p.append(Problem(f"Claim {claim_id} is {row['status']}: it can move to {allowed}, "
                             f"not {status}.", "status"))
        if on > as_of:
            p.append(Problem(f"Status date {on} is in the future: use today or earlier.",
                             "status_date"))
        if status == "voided" and _blank(note):
            p.append(Problem("Note: say why the claim is voided (nothing is deleted).", "note"))
        if status in ("ready", "submitted") and not p and row["status"] in ("draft", "ready",
                                                                            "denied"):
            lines = _rows(con, "SELECT * FROM claim_lines WHERE claim_id = ? ORDER BY "
                              "line_no", [claim_id])
            claim = ClaimIn(claim_id=claim_id, client_id=row["client_id"],
                            payer_id=row["payer_id"], diagnosis_codes=row["diagnosis_codes"],
                            lines=[ClaimLineIn(ln["service_date"], ln["cpt"], ln["units"],
                                               ln["charge"], ln["modifiers"], ln["dx_pointers"],
                                               ln["session_id"]) for ln in lines],
                            rendering_provider_id=row["rendering_provider_id"],
                            referrer_id=row["referrer_id"], referral_id=row["referral_id"],
                            coverage_id=row["coverage_id"],
                            timely_filing_reason=row["timely_filing_reason"],
                            submitted_date=row["submitted_date"])
            p += check_claim(con, claim, as_of, existing=True).errors
        if p:
            raise ValidationError(p)
        _add_status(con, claim_id, status, on, user, note, row)


# -- payments ----------------------------------------------------------------------------------

@dataclass
class AdjustmentIn:
    """One CAS triple: group code (CO, PR, OA, PI), CARC, amount."""

    group_code: str
    carc: str
    amount: Any


@dataclass
class LinePostingIn:
    """What the EOB says about one of our claim lines."""

    line_no: int
    paid: Any
    adjustments: list[AdjustmentIn] = field(default_factory=list)
    allowed: Any = None


@dataclass
class EobIn:
    """A paper EOB posted by hand, for one claim (per claim, or per line with ``lines``)."""

    claim_id: str
    payment_date: Any
    paid: Any = None                      # per-claim posting; the sum of lines otherwise
    adjustments: list[AdjustmentIn] = field(default_factory=list)   # claim level
    lines: list[LinePostingIn] = field(default_factory=list)
    patient_responsibility: Any = None    # default: the sum of the PR adjustments
    trace_number: str | None = None       # check / EFT number; one is made up when blank
    method: str = "CHK"
    allowed: Any = None
    payer_claim_number: str | None = None


def _money_field(p: list[Problem], value: Any, label: str, fld: str, *,
                 required: bool = True, allow_negative: bool = True) -> Decimal | None:
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


def _adjustments(p: list[Problem], adjs: Sequence[AdjustmentIn], where: str
                 ) -> list[tuple[str, str, Decimal]]:
    out = []
    for k, a in enumerate(adjs, start=1):
        group = (a.group_code or "").strip().upper()
        carc = (str(a.carc) if a.carc is not None else "").strip().upper()
        if group not in GROUP_CODES:
            p.append(Problem(f"{where}, adjustment {k}: group {a.group_code!r} must be CO, PR, "
                             "OA or PI (as printed on the EOB).", "adjustments"))
        if not re.fullmatch(r"[A-Z]?\d{1,3}|[A-Z]\d{1,2}", carc):
            p.append(Problem(f"{where}, adjustment {k}: reason code {a.carc!r} is not a CARC: "
                             "copy it from the EOB, e.g. 45.", "adjustments"))
        amount = _money_field(p, a.amount, f"{where}, adjustment {k}: amount", "adjustments")
        if amount is not None:
            out.append((group, carc, amount))
    return out


def validate_eob(con: Any, eob: EobIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a hand-posted EOB, including the balancing rule."""
    return _check_eob(con, eob, as_of)[0]


def _check_eob(con: Any, eob: EobIn, as_of: dt.date | None):
    as_of = as_of or _today()
    p: list[Problem] = []
    claim = _one(con, "SELECT c.*, p.name AS payer_name FROM claims c JOIN payers p "
                 "USING (payer_id) WHERE claim_id = ?", [eob.claim_id])
    if claim is None:
        p.append(Problem(f"Claim {eob.claim_id!r} is not on file: check the claim number on "
                         "the EOB.", "claim_id"))
        return p, None
    if claim["status"] in ("draft", "ready", "voided", "closed"):
        p.append(Problem(f"Claim {eob.claim_id} is {claim['status']}: only a submitted claim "
                         "can be paid; mark it submitted first.", "claim_id"))
    day = _date_field(p, eob.payment_date, "Payment date", "payment_date")
    if day and day > as_of:
        p.append(Problem(f"Payment date {day} is in the future: use the date on the EOB.",
                         "payment_date"))
    if eob.method not in ("CHK", "ACH", "NON", "BOP", "FWT"):
        p.append(Problem(f"Method {eob.method!r} must be CHK, ACH or NON.", "method"))
    claim_adj = _adjustments(p, eob.adjustments, "Claim")
    lines_db = {r["line_no"]: r for r in _rows(
        con, "SELECT * FROM claim_lines WHERE claim_id = ? ORDER BY line_no", [eob.claim_id])}
    posted_lines = []
    for lp in eob.lines:
        where = f"Line {lp.line_no}"
        if lp.line_no not in lines_db:
            p.append(Problem(f"{where}: the claim has no such line: use 1 to {len(lines_db)}.",
                             "lines"))
            continue
        paid = _money_field(p, lp.paid, f"{where}: paid", "lines")
        adj = _adjustments(p, lp.adjustments, where)
        allowed = _money_field(p, lp.allowed, f"{where}: allowed", "lines", required=False)
        charge = Decimal(lines_db[lp.line_no]["charge"])
        if paid is not None and charge - sum(a[2] for a in adj) != paid:
            p.append(Problem(f"{where}: charge {_fmt_money(charge)} minus adjustments "
                             f"{_fmt_money(sum((a[2] for a in adj), Decimal(0)))} is not the paid "
                             f"{_fmt_money(paid)}: the line must balance (charge - adjustments "
                             "= paid).", "lines"))
        posted_lines.append((lp, paid, adj, allowed, lines_db[lp.line_no]))
    if len({lp.line_no for lp in eob.lines}) != len(eob.lines):
        p.append(Problem("Lines: a line is posted twice: post each line once.", "lines"))
    if eob.lines:
        paid = sum((x[1] for x in posted_lines if x[1] is not None), Decimal("0.00"))
        if not _blank(eob.paid) and eob.paid is not None:
            given = _money_field(p, eob.paid, "Paid", "paid")
            if given is not None and given != paid:
                p.append(Problem(f"Paid {_fmt_money(given)} is not the sum of the lines' paid "
                                 f"amounts ({_fmt_money(paid)}): correct one of them.", "paid"))
    else:
        paid = _money_field(p, eob.paid, "Paid", "paid")
    charge = Decimal(claim["total_charge"])
    all_adj = claim_adj + [a for x in posted_lines for a in x[2]]
    total_adj = sum((a[2] for a in all_adj), Decimal("0.00"))
    if paid is not None and charge - total_adj != paid:
        p.append(Problem(f"Balance: charge {_fmt_money(charge)} minus adjustments "
                         f"{_fmt_money(total_adj)} = {_fmt_money(charge - total_adj)}, but paid "
                         f"is {_fmt_money(paid)}: add the missing adjustment (e.g. CO-45) or "
                         "correct the amounts.", "adjustments"))
    pr_sum = sum((a[2] for a in all_adj if a[0] == "PR"), Decimal("0.00"))
    pr = _money_field(p, eob.patient_responsibility, "Patient responsibility",
                      "patient_responsibility", required=False)
    if pr is None:
        pr = pr_sum
    elif pr != pr_sum:
        p.append(Problem(f"Patient responsibility {_fmt_money(pr)} differs from the PR "
                         f"adjustments ({_fmt_money(pr_sum)}): enter deductible, coinsurance "
                         "and copay as PR-1, PR-2, PR-3 adjustments.", "patient_responsibility"))
    allowed = _money_field(p, eob.allowed, "Allowed", "allowed", required=False)
    trace = (eob.trace_number or "").strip()
    if trace and _one(con, "SELECT 1 FROM remittances WHERE payer_key = ? AND trace_number = ?",
                      [claim["payer_name"], trace]):
        p.append(Problem(f"Check/EFT number {trace} from {claim['payer_name']} is already "
                         "posted: post its other claims on that payment with a suffix (e.g. "
                         f"{trace}-2), or check it was not entered twice.", "trace_number"))
    return p, {"claim": claim, "day": day, "paid": paid, "claim_adj": claim_adj,
               "lines": posted_lines, "pr": pr, "allowed": allowed, "trace": trace,
               "all_adj": all_adj}


def claim_status_after_posting(paid: Decimal, adjustments: Sequence[tuple[str, str, Decimal]],
                               line_results: Sequence[tuple[Decimal, Sequence[tuple[str, str, Decimal]]]] = ()
                               ) -> tuple[str, str]:
    """``(claim status, CLP02 status code)`` after a posting (DOMAIN.md denial rule).

    denied: nothing paid and a non-PR adjustment; partially_paid: something paid but a line
    denied (paid 0 with a non-PR adjustment) or a non-contractual, non-PR adjustment at claim
    level; paid: otherwise (CO-45 / CO-253 and PR-1/2/3 are not denials).
    """
    def denial(adjs: Sequence[tuple[str, str, Decimal]]) -> bool:
        return any(g != "PR" and a != 0 for g, _c, a in adjs)

    every = list(adjustments) + [a for _p, adjs in line_results for a in adjs]
    if paid == 0 and denial(every):
        return "denied", "4"
    line_denied = any(lp == 0 and denial(adjs) for lp, adjs in line_results)
    odd = any(g != "PR" and not (g == "CO" and c in CONTRACTUAL_CARCS) and a > 0
              for g, c, a in adjustments)
    if line_denied or odd:
        return "partially_paid", "1"
    return "paid", "1"


def payer_claim_number(con: Any, claim_id: str) -> str | None:
    """The payer's claim number (ICN, CLP07) of the claim's latest remittance that sent one."""
    row = con.execute("SELECT payer_claim_number FROM claim_payments WHERE claim_id = ? "
                      "AND payer_claim_number IS NOT NULL ORDER BY claim_payment_id DESC "
                      "LIMIT 1", [claim_id]).fetchall()
    return row[0][0] if row else None


def post_eob(db: Database, eob: EobIn, user: str, as_of: dt.date | None = None) -> int:
    """Post a paper EOB: the same rows an 835 makes (source='manual'); the remittance id.

    Writes remittances, claim_payments, line_payments, adjustments, moves the claim to
    paid / partially_paid / denied, with audit rows, in one transaction.
    """
    with db.transaction() as con:
        p, ctx = _check_eob(con, eob, as_of)
        if p:
            raise ValidationError(p)
        claim = ctx["claim"]
        rid = next_id(con, "remittances", "remittance_id")
        trace = ctx["trace"] or f"EOB-{claim['claim_id']}-{rid}"
        con.execute("INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, "
                    "payment_date, method, trace_number, amount, source) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, 'manual')",
                    [rid, claim["payer_id"], claim["payer_name"], claim["payer_name"],
                     ctx["day"], eob.method, trace, ctx["paid"]])
        status, code = claim_status_after_posting(
            ctx["paid"], ctx["claim_adj"], [(x[1], x[2]) for x in ctx["lines"]])
        cpid = next_id(con, "claim_payments", "claim_payment_id")
        con.execute("INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, "
                    "clp01, status_code, charge, paid, patient_responsibility, allowed, "
                    "payer_claim_number, service_from, service_to) VALUES "
                    "(?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [cpid, rid, claim["claim_id"], claim["claim_id"], code,
                     claim["total_charge"], ctx["paid"], ctx["pr"], ctx["allowed"],
                     eob.payer_claim_number or payer_claim_number(con, claim["claim_id"]),
                     claim["first_service_date"],
                     con.execute("SELECT max(service_date) FROM claim_lines WHERE claim_id = ?",
                                 [claim["claim_id"]]).fetchone()[0]])
        adj_id = next_id(con, "adjustments", "adjustment_id")
        for g, c, a in ctx["claim_adj"]:
            con.execute("INSERT INTO adjustments (adjustment_id, claim_payment_id, "
                        "line_payment_id, group_code, carc, amount) VALUES (?, ?, NULL, ?, ?, ?)",
                        [adj_id, cpid, g, c, a])
            adj_id += 1
        lp_id = next_id(con, "line_payments", "line_payment_id")
        for lp, paid, adjs, allowed, ln in ctx["lines"]:
            con.execute("INSERT INTO line_payments (line_payment_id, claim_payment_id, line_no, "
                        "cpt, modifiers, charge, paid, allowed, units, service_date) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [lp_id, cpid, lp.line_no, ln["cpt"], ln["modifiers"], ln["charge"],
                         paid, allowed, ln["units"], ln["service_date"]])
            for g, c, a in adjs:
                con.execute("INSERT INTO adjustments (adjustment_id, claim_payment_id, "
                            "line_payment_id, group_code, carc, amount) VALUES (?, ?, ?, ?, ?, ?)",
                            [adj_id, cpid, lp_id, g, c, a])
                adj_id += 1
            lp_id += 1
        audit(con, user, "create", "remittances", rid, None,
              {"claim_id": claim["claim_id"], "payment_date": ctx["day"], "paid": ctx["paid"],
               "trace_number": trace, "adjustments": ctx["all_adj"], "source": "manual"})
        if status != claim["status"]:
            _add_status(con, claim["claim_id"], status, ctx["day"], user,
                        f"EOB {trace} posted by hand", claim)
        return rid


@dataclass
class PatientPaymentIn:
    """Money the client paid the practice (copay, coinsurance, deductible, self-pay)."""

    client_id: str
    payment_date: Any
    amount: Any
    method: str = "card"
    claim_id: str | None = None
    reference: str | None = None


def validate_patient_payment(con: Any, pp: PatientPaymentIn,
                             as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a patient payment."""
    as_of = as_of or _today()
    p: list[Problem] = []
    if not _one(con, "SELECT 1 FROM clients WHERE client_id = ?", [pp.client_id]):
        p.append(Problem(f"Client {pp.client_id!r} is not on file: choose the client.",
                         "client_id"))
    day = _date_field(p, pp.payment_date, "Payment date", "payment_date")
    if day and day > as_of:
        p.append(Problem(f"Payment date {day} is in the future: use the day it was paid.",
                         "payment_date"))
    amount = _money_field(p, pp.amount, "Amount", "amount")
    if amount is not None and amount <= 0:
        p.append(Problem(f"Amount {amount} must be more than 0: record refunds separately.",
                         "amount"))
    if pp.method not in ("cash", "check", "card", "hsa"):
        p.append(Problem(f"Method {pp.method!r} must be cash, check, card or hsa.", "method"))
    if not _blank(pp.claim_id):
        row = _one(con, "SELECT client_id FROM claims WHERE claim_id = ?", [pp.claim_id])
        if row is None or row["client_id"] != pp.client_id:
            p.append(Problem(f"Claim {pp.claim_id} is not one of this client's claims: choose "
                             "one of theirs or leave it empty.", "claim_id"))
    return p


def record_patient_payment(db: Database, pp: PatientPaymentIn, user: str,
                           as_of: dt.date | None = None) -> int:
    """Record a patient payment; its id."""
    with db.transaction() as con:
        problems = validate_patient_payment(con, pp, as_of)
        if problems:
            raise ValidationError(problems)
        pid = next_id(con, "patient_payments", "patient_payment_id")
        values = {"patient_payment_id": pid, "client_id": pp.client_id,
                  "claim_id": pp.claim_id or None, "payment_date": as_date(pp.payment_date),
                  "amount": as_money(pp.amount), "method": pp.method,
                  "reference": pp.reference or None}
        insert_row(con, "patient_payments", values)
        audit(con, user, "create", "patient_payments", pid, None, values)
        return pid


# -- appeals -------------------------------------------------------------------------------------

@dataclass
class AppealIn:
    """An appeal of a denied claim."""

    claim_id: str
    filed_date: Any
    reason: str
    level: int = 1
    notes: str | None = None


def _denial_date(con: Any, claim_id: str) -> dt.date | None:
    row = _one(con, "SELECT max(r.payment_date) AS d FROM claim_payments cp JOIN remittances r "
               "USING (remittance_id) WHERE cp.claim_id = ?", [claim_id])
    return row["d"] if row else None


def validate_appeal(con: Any, ap: AppealIn, as_of: dt.date | None = None
                    ) -> tuple[list[Problem], list[Problem]]:
    """``(errors, warnings)`` for an appeal; a late appeal (past the window) is a warning."""
    as_of = as_of or _today()
    p: list[Problem] = []
    w: list[Problem] = []
    claim = _one(con, "SELECT c.status, p.appeal_window_days, p.name FROM claims c JOIN payers p "
                 "USING (payer_id) WHERE claim_id = ?", [ap.claim_id])
    if claim is None:
        p.append(Problem(f"Claim {ap.claim_id!r} is not on file: choose a denied claim.",
                         "claim_id"))
    elif claim["status"] not in ("denied", "partially_paid", "appealed"):
        p.append(Problem(f"Claim {ap.claim_id} is {claim['status']}: only a denied (or partly "
                         "denied) claim can be appealed.", "claim_id"))
    day = _date_field(p, ap.filed_date, "Filed date", "filed_date")
    if day and day > as_of:
        p.append(Problem(f"Filed date {day} is in the future: enter the day it was sent.",
                         "filed_date"))
    if _blank(ap.reason):
        p.append(Problem("Reason is missing: say why the denial is wrong (e.g. 'GP modifier "
                         "added, corrected claim').", "reason"))
    if not isinstance(ap.level, int) or not 1 <= ap.level <= 5:
        p.append(Problem(f"Level {ap.level!r} must be 1 to 5.", "level"))
    if claim and day:
        denied_on = _denial_date(con, ap.claim_id)
        if denied_on and day < denied_on:
            p.append(Problem(f"Filed date {day} is before the denial ({denied_on}): check the "
                             "date.", "filed_date"))
        elif denied_on and (day - denied_on).days > claim["appeal_window_days"]:
            w.append(Problem(f"Filed {(day - denied_on).days} days after the denial; "
                             f"{claim['name']} allows {claim['appeal_window_days']}: attach the "
                             "reason it is late.", "filed_date"))
    return p, w


def file_appeal(db: Database, ap: AppealIn, user: str, as_of: dt.date | None = None) -> int:
    """Record an appeal and move the claim to 'appealed'; the appeal id."""
    with db.transaction() as con:
        errors, _w = validate_appeal(con, ap, as_of)
        if errors:
            raise ValidationError(errors)
        aid = next_id(con, "appeals", "appeal_id")
        values = {"appeal_id": aid, "claim_id": ap.claim_id,
                  "filed_date": as_date(ap.filed_date), "level": ap.level,
                  "reason": ap.reason.strip(), "notes": ap.notes or None}
        insert_row(con, "appeals", values)
        audit(con, user, "create", "appeals", aid, None, values)
        claim = _one(con, "SELECT * FROM claims WHERE claim_id = ?", [ap.claim_id])
        if claim["status"] != "appealed":
            _add_status(con, ap.claim_id, "appealed", values["filed_date"], user,
                        f"appeal {aid} level {ap.level}", claim)
        return aid


def record_appeal_outcome(db: Database, appeal_id: int, outcome: str, outcome_date: Any,
                          user: str, notes: str | None = None,
                          as_of: dt.date | None = None) -> None:
    """Record an appeal's outcome (overturned, partially_overturned, upheld, withdrawn)."""
    as_of = as_of or _today()
    with db.transaction() as con:
        p: list[Problem] = []
        row = _one(con, "SELECT * FROM appeals WHERE appeal_id = ?", [appeal_id])
        if row is None:
            p.append(Problem(f"Appeal {appeal_id} is not on file.", "appeal_id"))
        if outcome not in ("pending", "overturned", "partially_overturned", "upheld", "withdrawn"):
            p.append(Problem(f"Outcome {outcome!r} must be overturned, partially_overturned, "
                             "upheld or withdrawn.", "outcome"))
        day = _date_field(p, outcome_date, "Outcome date", "outcome_date",
                          required=outcome != "pending")
        if day and day > as_of:
            p.append(Problem(f"Outcome date {day} is in the future.", "outcome_date"))
        if row and day and day < row["filed_date"]:
            p.append(Problem(f"Outcome date {day} is before the appeal was filed "
                             f"({row['filed_date']}).", "outcome_date"))
        if p:
            raise ValidationError(p)
        con.execute("UPDATE appeals SET outcome = ?, outcome_date = ?, notes = coalesce(?, notes)"
                    " WHERE appeal_id = ?", [outcome, day, notes or None, appeal_id])
        audit(con, user, "update", "appeals", appeal_id, row,
              {"outcome": outcome, "outcome_date": day, "notes": notes})


# -- reads for the entry forms ------------------------------------------------------------------

_CHOICES = {
    "clients": "SELECT client_id, last_name || ', ' || first_name || ' (' || client_id || ')' "
               "AS label FROM clients ORDER BY last_name, first_name, client_id",
    "payers": "SELECT payer_id, name AS label, payer_type, units_rule, timely_filing_days, "
              "appeal_window_days, usual_lag_days, clearinghouse_payer_id, requires_referral, "
              "requires_prior_auth FROM payers ORDER BY name",
    "providers": "SELECT provider_id, last_name || ', ' || first_name || ' (' || npi || ')' AS "
                 "label, npi, last_name, first_name, credential, taxonomy, active "
                 "FROM providers ORDER BY last_name, first_name",
    "referrers": "SELECT referrer_id, name || ' (' || npi || ')' AS label, npi, name, kind, "
                 "specialty, organization FROM referrers ORDER BY name",
    "referrals": "SELECT r.referral_id, r.client_id, f.name || ', received ' || "
                 "r.received_date || ' (' || array_to_string(r.diagnosis_codes, ', ') || ')' "
                 "AS label, r.received_date, r.diagnosis_codes, r.authorized_visits, "
                 "r.expiry_date FROM referrals r JOIN referrers f USING (referrer_id) "
                 "ORDER BY r.received_date DESC, r.referral_id DESC",
    "claims": "SELECT c.claim_id, c.claim_id || ' - ' || cl.last_name || ', ' || cl.first_name "
              "|| ' - ' || c.status || ' - $' || c.total_charge AS label, c.client_id, "
              "c.status, c.total_charge, c.first_service_date, c.submitted_date, "
              "p.name AS payer FROM claims c JOIN clients cl USING (client_id) "
              "JOIN payers p USING (payer_id) ORDER BY c.created_at DESC, c.claim_id DESC",
    "appeals": "SELECT appeal_id, claim_id, filed_date, level, reason, outcome, outcome_date "
               "FROM appeals ORDER BY filed_date DESC, appeal_id DESC",
    "fees": "SELECT cpt, charge FROM fee_schedule ORDER BY cpt",
    "payer_fees": "SELECT p.name AS payer, f.cpt, f.allowed_amount FROM payer_fee_schedule f "
                  "JOIN payers p USING (payer_id) ORDER BY p.name, f.cpt",
    "practice": "SELECT * FROM practice ORDER BY practice_id LIMIT 1",
}


def find_claims(db: Database, text: str = "", statuses: Sequence[str] | None = None,
                limit: int = 200) -> Any:
    """Claims a biller is looking for, newest first: ``text`` matches the start of the claim
    id, the client id or the client's last name (case-insensitive; empty: the newest).
    Columns: claim_id, label, client_id, status, total_charge, first_service_date, payer.
    At most ``limit`` rows, so a practice with half a million claims stays quick: the newest
    matching claims are picked from ``claims`` alone (names matched through the small
    client table), and only they are joined to names and payers."""
    needle = (text or "").strip().lower()
    wanted = list(statuses) if statuses else None
    # Without a search (the list every page opens with): the newest dates alone first (a
    # cheap top-N on one date column), then only the claims from the oldest of those dates
    # on are sorted with their ids (~35 -> ~20 ms at 1M lines). A search is selective
    # enough to sort as it is.
    newest = ("WHERE first_service_date >= (SELECT min(d) FROM (SELECT first_service_date "
              "AS d FROM matching ORDER BY d DESC LIMIT ?))" if not needle else "")
    return db.query(
        "WITH named AS (SELECT client_id FROM clients "
        "               WHERE ? <> '' AND starts_with(lower(last_name), ?)), "
        "matching AS NOT MATERIALIZED ("
        "  SELECT claim_id, client_id, payer_id, status, total_charge, first_service_date "
        "  FROM claims c "
        "  WHERE (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], c.status)) "
        "    AND (? = '' OR starts_with(lower(c.claim_id), ?) "
        "         OR starts_with(lower(c.client_id), ?) "
        "         OR c.client_id IN (SELECT client_id FROM named))), "
        "picked AS ("
        f"  SELECT * FROM matching {newest} "
        "  ORDER BY first_service_date DESC, claim_id DESC LIMIT ?) "
        "SELECT c.claim_id, c.claim_id || ' - ' || cl.last_name || ', ' || cl.first_name "
        "|| ' - ' || c.status || ' - $' || c.total_charge AS label, c.client_id, c.status, "
        "c.total_charge, c.first_service_date, p.name AS payer "
        "FROM picked c JOIN clients cl USING (client_id) JOIN payers p USING (payer_id) "
        "ORDER BY c.first_service_date DESC, c.claim_id DESC",
        [needle, needle, wanted, wanted, needle, needle, needle,
         *([int(limit)] if newest else []), int(limit)])


def client_list(db: Database, text: str = "", limit: int = 500) -> Any:
    """Clients whose chart number or last name starts with ``text`` (all when empty), by
    name, at most ``limit``: client_id, last_name, first_name, dob, sex, phone."""
    needle = (text or "").strip().lower()
    return db.query(
        "SELECT client_id, last_name, first_name, dob, sex, phone FROM clients "
        "WHERE ? = '' OR starts_with(lower(client_id), ?) OR starts_with(lower(last_name), ?) "
        "ORDER BY last_name, first_name, client_id LIMIT ?",
        [needle, needle, needle, int(limit)])


FIND_LIMIT = 200  # rows a search-backed pick list offers at most


def find_clients(db: Database, text: str = "", limit: int = FIND_LIMIT) -> Any:
    """Clients for a pick list, by name: ``text`` matches the start of the chart number, the
    last name, 'Last, First' or the date of birth (YYYY-MM-DD), case-insensitive; empty:
    the first by name. Columns: client_id, label ('Last, First (id)'). At most ``limit``."""
    needle = (text or "").strip().lower()
    return db.query(
        "SELECT client_id, last_name || ', ' || first_name || ' (' || client_id || ')' AS label "
        "FROM clients WHERE ? = '' OR starts_with(lower(client_id), ?) "
        "OR starts_with(lower(last_name || ', ' || first_name), ?) "
        "OR starts_with(CAST(dob AS VARCHAR), ?) "
        "ORDER BY last_name, first_name, client_id LIMIT ?",
        [needle, needle, needle, needle, int(limit)])


def find_referrals(db: Database, text: str = "", limit: int = FIND_LIMIT) -> Any:
    """Referrals, newest first (the columns of ``choices(db, "referrals")``): ``text``
    matches the start of the client id, the referrer's name or NPI, a diagnosis code or
    the received date (YYYY-MM-DD), case-insensitive; empty: the newest. At most ``limit``;
    the newest are picked before the referrer's name is joined."""
    needle = (text or "").strip().lower()
    return db.query(
        "WITH picked AS (SELECT r.* FROM referrals r WHERE ? = '' "
        "  OR starts_with(lower(r.client_id), ?) "
        "  OR starts_with(CAST(r.received_date AS VARCHAR), ?) "
        "  OR contains(lower(',' || array_to_string(r.diagnosis_codes, ',')), ',' || ?) "
        "  OR r.referrer_id IN (SELECT referrer_id FROM referrers "
        "                       WHERE starts_with(lower(name), ?) OR starts_with(npi, ?)) "
        "  ORDER BY r.received_date DESC, r.referral_id DESC LIMIT ?) "
        "SELECT r.referral_id, r.client_id, f.name || ', received ' || r.received_date || "
        "' (' || array_to_string(r.diagnosis_codes, ', ') || ')' AS label, r.received_date, "
        "r.diagnosis_codes, r.authorized_visits, r.expiry_date "
        "FROM picked r JOIN referrers f USING (referrer_id) "
        "ORDER BY r.received_date DESC, r.referral_id DESC",
        [needle, needle, needle, needle, needle, needle, int(limit)])


def find_appeals(db: Database, text: str = "", limit: int = FIND_LIMIT) -> Any:
    """Appeals, pending ones first, then newest first (the columns of
    ``choices(db, "appeals")``): ``text`` matches the start of the claim id or the filed
    date (YYYY-MM-DD), case-insensitive; empty: all. At most ``limit``."""
    needle = (text or "").strip().lower()
    return db.query(
        "SELECT appeal_id, claim_id, filed_date, level, reason, outcome, outcome_date "
        "FROM appeals WHERE ? = '' OR starts_with(lower(claim_id), ?) "
        "OR starts_with(CAST(filed_date AS VARCHAR), ?) "
        "ORDER BY outcome <> 'pending', filed_date DESC, appeal_id DESC LIMIT ?",
        [needle, needle, needle, int(limit)])


def pending_appeals(db: Database) -> Any:
    """Appeals waiting for an outcome, newest first: appeal_id, claim_id, filed_date."""
    return db.query("SELECT appeal_id, claim_id, filed_date FROM appeals "
                    "WHERE outcome = 'pending' ORDER BY filed_date DESC, appeal_id DESC")


def code_list(db: Database) -> Any:
    """:func:`metdash.coding.known_codes` read through ``db`` (for a cached page read)."""
    with db.connect() as con:
        return known_codes(con)


def suggested_claim_id(db: Database) -> str:
    """:func:`new_claim_id` read through ``db`` (for a cached page read)."""
    with db.connect() as con:
        return new_claim_id(con)


def client_referrals(db: Database, client_id: str) -> Any:
    """One client's referrals, newest first (the columns of ``choices(db, "referrals")``)."""
    base = _CHOICES["referrals"].replace("ORDER BY", "WHERE r.client_id = ? ORDER BY")
    return db.query(base, [client_id or ""])


# CTEs ending in ``unbilled_ids(session_id)``: the sessions on no line of a non-voided claim.
# Voided claims are few, so the history is never joined to ``claims``: sessions on no line at
# all (an anti-join on the integer session id), plus the few whose every line is on a voided
# claim. (NOT IN over lines joined to claims took ~90 ms at 1M lines; this ~30 ms.)
UNBILLED_IDS = """
    voided AS (SELECT claim_id FROM claims WHERE status = 'voided'),
    on_voided AS (
        SELECT l.session_id, bool_and(l.claim_id IN (SELECT claim_id FROM voided)) AS only_voided
        FROM claim_lines l
        WHERE l.session_id IN (SELECT v.session_id FROM claim_lines v SEMI JOIN voided
                               USING (claim_id))
        GROUP BY l.session_id),
    unbilled_ids AS (
        SELECT s.session_id FROM sessions s ANTI JOIN claim_lines l USING (session_id)
        UNION ALL
        SELECT session_id FROM on_voided WHERE only_voided)"""


def unbilled_sessions(db: Database) -> Any:
    """Sessions on no line of a non-voided claim, by client and date: session_id,
    client_id, session_date, kind, minutes ('97110 24 min, ...'). The few unbilled
    sessions are found first (an anti-join); only they are joined to their minutes."""
    return db.query(f"""
        WITH {UNBILLED_IDS},
        unbilled AS (SELECT s.* FROM sessions s SEMI JOIN unbilled_ids USING (session_id))
        SELECT s.session_id, s.client_id, s.session_date, s.kind,
               string_agg(m.cpt || ' ' || m.minutes || ' min', ', ' ORDER BY m.cpt) AS minutes
        FROM unbilled s LEFT JOIN session_minutes m USING (session_id)
        GROUP BY ALL ORDER BY s.client_id, s.session_date, s.session_id""")


def recent_sessions(db: Database, limit: int = 200) -> Any:
    """The newest sessions with their minutes per code: session_id, session_date, client_id,
    kind, provider, minutes ('97110 24 min, 97530 14 min'). The newest are picked before
    anything is joined, so the cost does not grow with the practice's history."""
    return db.query("""
        WITH recent AS (
            SELECT * FROM sessions ORDER BY session_date DESC, session_id DESC LIMIT ?)
        SELECT s.session_id, s.session_date, s.client_id, s.kind, p.last_name AS provider,
               string_agg(m.cpt || ' ' || m.minutes || ' min', ', ' ORDER BY m.cpt) AS minutes
        FROM recent s LEFT JOIN providers p USING (provider_id)
        LEFT JOIN session_minutes m USING (session_id)
        GROUP BY ALL ORDER BY s.session_date DESC, s.session_id DESC""", [int(limit)])


def choices(db: Database, what: str) -> Any:
    """A small table the forms pick from: clients, payers, providers, referrers, referrals,
    claims, appeals, fees, payer_fees or practice (id column first, then ``label``)."""
    return db.query(_CHOICES[what])


def claim_lines_frame(db: Database, claim_id: str) -> Any:
    """A claim's lines (line_no, service_date, cpt, modifiers, units, charge, dx_pointers)."""
    return db.query("SELECT line_no, service_date, cpt, array_to_string(modifiers, ':') AS "
                    "modifiers, units, charge, array_to_string(dx_pointers, ',') AS dx_pointers "
                    "FROM claim_lines WHERE claim_id = ? ORDER BY line_no", [claim_id])


def parse_adjustments(text: str) -> tuple[list[AdjustmentIn], list[Problem]]:
    """Adjustments typed as 'CO-45 32.00; PR-2 10.00' (or 'CO-45:32.00, PR-2:10')."""
    out: list[AdjustmentIn] = []
    problems: list[Problem] = []
    for part in re.split(r"[;,\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z]{2})\s*-?\s*([A-Za-z]?\d{1,3})\s*[: ]\s*\$?\s*(-?[\d.,]+)", part)
        if not m:
            problems.append(Problem(f"Adjustment {part!r} is not 'GROUP-CARC AMOUNT': write it "
                                    "like CO-45 32.00.", "adjustments"))
            continue
        out.append(AdjustmentIn(m.group(1).upper(), m.group(2).upper(),
                                m.group(3).replace(",", "")))
    return out, problems
