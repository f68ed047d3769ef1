"""The practice itself and its settings: providers, payers, fees and the codes it bills."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from metdash.coding import cpt_problems, known_codes, normalize_cpt, npi_problem, state_problem
from metdash.entry.problems import (
    Problem,
    as_money,
    blank,
    fetch_one,
    text_field,
    text_fields,
)
from metdash.errors import ValidationError
from metdash.store import Database, audit, next_id

__all__ = [
    "IMPORTED_PROVIDER", "PAYER_TYPES", "PayerIn", "PracticeIn", "ProviderIn",
    "imported_provider", "is_placeholder_provider", "save_cpt_code", "save_fee",
    "save_payer", "save_practice", "save_provider", "validate_payer", "validate_practice",
    "validate_provider", "write_payer", "write_provider",
]

PAYER_TYPES = ("medicare", "medicare_advantage", "medicaid", "commercial", "workers_comp",
               "auto", "other")


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


def validate_practice(con: Any, pr: PracticeIn) -> list[Problem]:
    """Every problem with the practice's details."""
    p: list[Problem] = []
    refused = text_fields(p, pr, {"address_line1": "Address", "city": "City", "state": "State",
                                  "zip": "ZIP", "phone": "Phone", "taxonomy": "Taxonomy"})
    text_field(p, pr.name, "Practice name", "name", kind="org_name")
    if blank(pr.name):
        p.append(Problem("Practice name is missing: enter it as the payers know it.", "name"))
    msg = npi_problem(pr.billing_npi, "Billing NPI")
    if msg:
        p.append(Problem(msg, "billing_npi"))
    if not re.fullmatch(r"\d{2}-?\d{7}", (pr.tax_id or "").strip()):
        p.append(Problem(f"Tax id {pr.tax_id!r} is not an EIN: write 9 digits as "
                         "NN-NNNNNNN.", "tax_id"))
    if "taxonomy" not in refused and not blank(pr.taxonomy) and not re.fullmatch(r"[0-9A-Z]{9}X", pr.taxonomy.strip()):
        p.append(Problem(f"Taxonomy {pr.taxonomy!r} is not a NUCC code: 10 characters "
                         "ending in X, e.g. 225100000X.", "taxonomy"))
    # The billing provider's address and phone go on every 837P (loop 2010AA, and the
    # submitter's contact): found by a new-user trial, "6270" and "555" were saved.
    if "state" not in refused and not blank(pr.state) and state_problem(pr.state):
        p.append(Problem(state_problem(pr.state), "state"))
    if "zip" not in refused and not blank(pr.zip) and \
            not re.fullmatch(r"\d{5}(-?\d{4})?", pr.zip.strip()):
        p.append(Problem(f"ZIP {pr.zip!r} is not a ZIP code: 5 digits, or better the 9 of "
                         "ZIP+4 (e.g. 62701-1234), which the 837P's billing provider needs.",
                         "zip"))
    if "phone" not in refused and not blank(pr.phone) and \
            len(re.sub(r"\D", "", pr.phone).removeprefix("1")) != 10:
        p.append(Problem(f"Phone {pr.phone!r} is not a 10-digit phone number: write it with "
                         "its area code, e.g. 217-555-0100.", "phone"))
    return p


def practice_notices(zip_code: str | None) -> list[str]:
    """What the practice's details lack for billing, though they may be saved: a 5-digit
    ZIP (the 837P's billing provider, loop 2010AA N403, needs all 9 digits of ZIP+4;
    clearinghouses reject a claim without them, and the export refuses,
    :func:`metdash.x12.validate.claim_problems`)."""
    digits = re.sub(r"\D", "", zip_code or "")
    if len(digits) == 5:
        return [f"ZIP {zip_code.strip()} has 5 digits: the 837P's billing provider (loop "
                "2010AA) needs the full ZIP+4: clearinghouses reject claims without it, and "
                "metdash exports no 837P until it is entered. Enter it as "
                f"{digits}-NNNN (the USPS ZIP code lookup gives the 4 digits)."]
    return []


def save_practice(db: Database, pr: PracticeIn, user: str) -> None:
    """Create or update the practice (practice_id 1)."""
    with db.transaction() as con:
        problems = validate_practice(con, pr)
        if problems:
            raise ValidationError(problems)
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in asdict(pr).items()}
        if values.get("state"):
            values["state"] = values["state"].upper()
        tax = re.sub(r"\D", "", values["tax_id"])
        values["tax_id"] = f"{tax[:2]}-{tax[2:]}"
        before = fetch_one(con, "SELECT * FROM practice ORDER BY practice_id LIMIT 1", [])
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


# The name the claims import gives a rendering provider its file names by NPI alone (its
# first name the NPI): a placeholder to be named under Settings → Providers, never a name to
# send (the 837P export refuses it, metdash.x12.validate.claim_problems).
IMPORTED_PROVIDER = "Imported provider"


def imported_provider(npi: str) -> ProviderIn:
    """The provider the claims import adds for a rendering NPI its file gives no name for:
    named :data:`IMPORTED_PROVIDER`, its first name the NPI."""
    return ProviderIn(npi=npi, last_name=IMPORTED_PROVIDER, first_name=npi)


def is_placeholder_provider(last_name: str | None, first_name: str | None,
                            npi: str | None) -> bool:
    """True when a provider still has the claims import's placeholder name
    (:func:`imported_provider`): last name :data:`IMPORTED_PROVIDER`, or first name the NPI."""
    last, first, npi = ((v or "").strip() for v in (last_name, first_name, npi))
    return last.casefold() == IMPORTED_PROVIDER.casefold() or bool(npi) and first == npi


def validate_provider(con: Any, prov: ProviderIn, provider_id: int | None = None) -> list[Problem]:
    """Every problem with a provider; ``provider_id`` when updating one (its NPI stays: an
    NPI is the provider's own, and its claims were made under it)."""
    p: list[Problem] = []
    text_fields(p, prov, {"last_name": "Last name", "first_name": "First name",
                          "credential": "Credential", "taxonomy": "Taxonomy"})
    on_file = (None if provider_id is None else
               fetch_one(con, "SELECT npi FROM providers WHERE provider_id = ?", [provider_id]))
    msg = npi_problem(prov.npi, "Rendering NPI")
    if on_file and (prov.npi or "").strip() != on_file["npi"]:
        p.append(Problem(f"Rendering NPI cannot be changed (this provider's is "
                         f"{on_file['npi']}): an NPI is the provider's own, and claims were "
                         "made under it. For another NPI, add a provider.", "npi"))
    elif msg:
        p.append(Problem(msg, "npi"))
    else:
        other = fetch_one(con, "SELECT provider_id, last_name FROM providers WHERE npi = ?",
                          [prov.npi.strip()])
        if other and other["provider_id"] != provider_id:
            p.append(Problem(f"Rendering NPI {prov.npi.strip()} is already on file for "
                             f"{other['last_name']}: change that provider instead (Settings → "
                             "Providers → Change a provider).", "npi"))
    if blank(prov.last_name):
        p.append(Problem("Provider last name is missing: enter it.", "last_name"))
    elif prov.last_name.strip().casefold() == IMPORTED_PROVIDER.casefold():
        p.append(Problem(f"Provider last name {IMPORTED_PROVIDER!r} is the placeholder the "
                         "claims import gives a provider its file does not name: enter the "
                         "provider's own last name.", "last_name"))
    if blank(prov.first_name):
        p.append(Problem("Provider first name is missing: enter it.", "first_name"))
    elif prov.first_name.strip().isdigit():
        p.append(Problem(f"Provider first name {prov.first_name.strip()!r} is a number (the "
                         "claims import puts the NPI there): enter the provider's own first "
                         "name.", "first_name"))
    return p


def save_provider(db: Database, prov: ProviderIn, user: str,
                  provider_id: int | None = None) -> int:
    """Create (or, with ``provider_id``, update) a provider, audited, in one transaction; its
    id. Raises :class:`ValidationError` with every problem (:func:`validate_provider`)."""
    with db.transaction() as con:
        problems = validate_provider(con, prov, provider_id)
        if problems:
            raise ValidationError(problems)
        return write_provider(con, prov, user, provider_id)


def write_provider(con: Any, prov: ProviderIn, user: str, provider_id: int | None = None) -> int:
    """Create (or, with ``provider_id``, update) an already validated provider inside the
    caller's transaction (with an audit row); its id."""
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
        before = fetch_one(con, "SELECT * FROM providers WHERE provider_id = ?", [provider_id])
        con.execute(f"UPDATE providers SET {', '.join(f'{c} = ?' for c in cols)} "
                    "WHERE provider_id = ?", [values[c] for c in cols] + [provider_id])
        audit(con, user, "update", "providers", provider_id, before, values)
    return provider_id


def default_filing_days(payer_type: str) -> int:
    """A payer's timely-filing limit when none is entered (DOMAIN.md, Deadlines): Medicare's
    12 months from the date of service; for any other payer 90 days, the shortest typical
    limit of commercial payers (90-180), so that a claim is listed at risk early rather than
    after its real limit has passed. The payer's own belongs on it (Settings → Payers)."""
    return 365 if payer_type == "medicare" else 90


def default_appeal_days(payer_type: str) -> int:
    """A payer's appeal window when none is entered (DOMAIN.md, Deadlines): Medicare's
    redetermination, 120 days from the initial determination; for any other payer 60 days,
    the shortest typical window (60-180), so that a denial shows its deadline early rather
    than after the real one has passed. The payer's own belongs on it (Settings → Payers)."""
    return 120 if payer_type == "medicare" else 60


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
    text_fields(p, payer, {"clearinghouse_payer_id": "Clearinghouse payer id"})
    if blank(payer.name):
        p.append(Problem("Payer name is missing: enter it as on the insurance card.", "name"))
    elif text_field(p, payer.name, "Payer name", "name", kind="org_name"):
        other = fetch_one(con, "SELECT payer_id FROM payers WHERE lower(name) = lower(?)",
                          [payer.name.strip()])
        if other and other["payer_id"] != payer_id:
            p.append(Problem(f"Payer {payer.name.strip()!r} is already on file: pick it "
                             "instead of adding it again.", "name"))
    if payer.payer_type not in PAYER_TYPES:
        p.append(Problem(f"Payer type {payer.payer_type!r} must be one of "
                         f"{', '.join(PAYER_TYPES)}.", "payer_type"))
    if not blank(payer.clearinghouse_payer_id) and not re.fullmatch(
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
        return write_payer(con, payer, user, payer_id)


def write_payer(con: Any, payer: PayerIn, user: str, payer_id: int | None = None) -> int:
    """Create (or, with ``payer_id``, update) an already validated payer inside the
    caller's transaction (with an audit row); its id."""
    values = asdict(payer)
    values["name"] = payer.name.strip()
    values["clearinghouse_payer_id"] = (None if blank(payer.clearinghouse_payer_id)
                                        else payer.clearinghouse_payer_id.strip())
    cols = list(values)
    if payer_id is None:
        payer_id = next_id(con, "payers", "payer_id")
        con.execute(f"INSERT INTO payers (payer_id, {', '.join(cols)}) VALUES "
                    f"(?, {', '.join('?' for _ in cols)})", [payer_id] + [values[c] for c in cols])
        audit(con, user, "create", "payers", payer_id, None, values)
    else:
        before = fetch_one(con, "SELECT * FROM payers WHERE payer_id = ?", [payer_id])
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
        if payer_id is not None and not fetch_one(con, "SELECT 1 FROM payers WHERE payer_id = ?",
                                                  [payer_id]):
            p.append(Problem("Payer is not on file: choose one from the list.", "payer_id"))
        if p:
            raise ValidationError(p)
        if payer_id is None:
            before = fetch_one(con, "SELECT * FROM fee_schedule WHERE cpt = ?", [code])
            con.execute("INSERT OR REPLACE INTO fee_schedule (cpt, charge) VALUES (?, ?)",
                        [code, amount])
            audit(con, user, "update" if before else "create", "fee_schedule", code, before,
                  {"cpt": code, "charge": amount})
        else:
            before = fetch_one(con, "SELECT * FROM payer_fee_schedule WHERE payer_id = ? AND "
                               "cpt = ?", [payer_id, code])
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
    text_field(p, description, "Description", "description")
    if blank(description):
        p.append(Problem("Description is missing: describe the service in your own words "
                         "(never copy the AMA text).", "description"))
    if p:
        raise ValidationError(p)
    with db.transaction() as con:
        before = fetch_one(con, "SELECT * FROM cpt_codes WHERE cpt = ?", [code])
        values = {"cpt": code, "description": description.strip(), "timed": bool(timed),
                  "is_evaluation": bool(is_evaluation), "active": bool(active)}
        con.execute("INSERT OR REPLACE INTO cpt_codes (cpt, description, timed, is_evaluation,"
                    " active) VALUES (?, ?, ?, ?, ?)", list(values.values()))
        audit(con, user, "update" if before else "create", "cpt_codes", code, before, values)
    return code
