"""The clearinghouse settings an 837P's envelope and header carry, and each payer's billing
settings (its clearinghouse payer id, the modifier it wants on telehealth lines).

Where each setting goes (005010X222A1)::

    ISA05 / ISA06   interchange sender qualifier and id     isa_sender_qualifier / _id
    ISA07 / ISA08   interchange receiver qualifier and id   isa_receiver_qualifier / _id
    ISA15           T test / P production                   usage_indicator
    GS02 / GS03     application sender / receiver code      submitter_id / receiver_id
    1000A NM1*41    submitter name and id (NM103 / NM109)   submitter_name / submitter_id
    1000A PER*IC    submitter contact name and phone        contact_name / contact_phone
    1000B NM1*40    receiver name and id (NM103 / NM109)    receiver_name / receiver_id
    2010BB NM1*PR   the payer id (NM109, qualifier PI)      payers.clearinghouse_payer_id

The values are the ones the clearinghouse gives the practice at enrolment (its companion
guide). Lengths are the elements' own: ISA06 / ISA08 at most 15 (padded), GS02 / GS03 2-15
(so the submitter and receiver ids are held to 2-15 though NM109 takes 80), names NM103 60,
PER02 60. Ids hold letters, digits, '-' and '.' only: never a character that separates the
parts of an X12 file. The qualifiers come from the ISA05 / ISA07 code list; an id under
qualifier 30 (a federal tax id) or 01 (DUNS) is 9 digits, under 14 (DUNS + suffix) 13.

:func:`export_problems` is what an export is refused for: one line per required setting
missing (naming it and where to set it) or on file but no longer valid.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from metdash.coding.pos import telehealth_modifier_problem
from metdash.entry.problems import Problem, fetch_one, text_field
from metdash.errors import ValidationError
from metdash.store import Database, audit

__all__ = [
    "FIELDS", "ISA_QUALIFIERS", "REQUIRED", "WHERE", "ClearinghouseIn", "clearinghouse_problems",
    "current_settings", "export_problems", "payer_billing", "read_clearinghouse",
    "save_clearinghouse", "save_payer_billing", "settings_complete", "validate_clearinghouse",
]

WHERE = "Settings → Clearinghouse"
# ISA05 / ISA07 interchange id qualifiers (the 5010 code list) in words.
ISA_QUALIFIERS: dict[str, str] = {
    "01": "DUNS number",
    "14": "DUNS number with suffix",
    "20": "Health Industry Number (HIN)",
    "27": "Carrier id (CMS)",
    "28": "Fiscal intermediary id (CMS)",
    "29": "Medicare provider / supplier id (CMS)",
    "30": "US federal tax id",
    "33": "NAIC company code",
    "ZZ": "mutually defined (the clearinghouse's own id)",
}
# Ids a qualifier fixes the form of: (pattern, words).
_QUALIFIED_IDS = {"30": (r"\d{9}", "9 digits (the tax id without its dash)"),
                  "01": (r"\d{9}", "9 digits (the DUNS number)"),
                  "14": (r"\d{13}", "13 digits (the DUNS number and its 4-digit suffix)")}
_ID = re.compile(r"[A-Za-z0-9.\-]+")
_SEPARATORS = re.compile(r"[*~:^|>]")

# field -> (label, where it goes)
FIELDS: dict[str, tuple[str, str]] = {
    "submitter_id": ("Submitter id", "1000A NM109, GS02"),
    "submitter_name": ("Submitter name", "1000A NM103"),
    "contact_name": ("Contact name", "1000A PER02"),
    "contact_phone": ("Contact phone", "1000A PER04"),
    "receiver_id": ("Receiver id", "1000B NM109, GS03"),
    "receiver_name": ("Receiver name", "1000B NM103"),
    "isa_sender_qualifier": ("Interchange sender qualifier", "ISA05"),
    "isa_sender_id": ("Interchange sender id", "ISA06"),
    "isa_receiver_qualifier": ("Interchange receiver qualifier", "ISA07"),
    "isa_receiver_id": ("Interchange receiver id", "ISA08"),
    "usage_indicator": ("Test / production indicator", "ISA15"),
}
# Every setting but the contact's name (PER02: the submitter's name stands in).
REQUIRED = tuple(f for f in FIELDS if f != "contact_name")


@dataclass
class ClearinghouseIn:
    """The clearinghouse settings (one row); see the module's table for where each goes."""

    submitter_id: str | None = None
    submitter_name: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    receiver_id: str | None = None
    receiver_name: str | None = None
    isa_sender_qualifier: str | None = None
    isa_sender_id: str | None = None
    isa_receiver_qualifier: str | None = None
    isa_receiver_id: str | None = None
    usage_indicator: str | None = None


def _label(fld: str) -> str:
    label, where = FIELDS[fld]
    return f"Clearinghouse {label[0].lower()}{label[1:]} ({where})"


def _clean(value: Any) -> str:
    return "" if value is None else str(value).strip()


def validate_clearinghouse(ch: ClearinghouseIn) -> list[Problem]:
    """Every problem with the settings: a required one missing, a value too long, with a
    character an X12 file cannot carry, or not on its code list. Each message names the
    field and where it is set."""
    p: list[Problem] = []
    fix = f"correct it under {WHERE}."
    for fld in FIELDS:
        value = _clean(getattr(ch, fld))
        label = _label(fld)
        if value == "":
            if fld in REQUIRED:
                p.append(Problem(f"{label} is missing: enter it under {WHERE}.", fld))
            continue
        if fld in ("submitter_name", "receiver_name", "contact_name"):
            if text_field(p, value, label, fld, kind="org_name") and _SEPARATORS.search(value):
                p.append(Problem(f"{label} {value!r} holds one of * ~ : ^ | > (they separate "
                                 f"the parts of an X12 file): {fix}", fld))
        elif fld == "contact_phone":
            digits = re.sub(r"\D", "", value)
            if len(value) > 25 or len(digits) != 10 or re.search(r"[^\d\s().+\-]", value):
                p.append(Problem(f"{label} {value[:25]!r} is not a phone number: 10 digits "
                                 f"with the area code, e.g. 217-555-0100; {fix}", fld))
        elif fld in ("isa_sender_qualifier", "isa_receiver_qualifier"):
            if value.upper() not in ISA_QUALIFIERS:
                p.append(Problem(f"{label} {value[:15]!r} is not an interchange id "
                                 f"qualifier: use one of {', '.join(ISA_QUALIFIERS)} (ZZ "
                                 f"when the clearinghouse gave its own id); {fix}", fld))
        elif fld == "usage_indicator":
            if value.upper() not in ("T", "P"):
                p.append(Problem(f"{label} {value[:15]!r} must be T (test files) or P "
                                 f"(production); {fix}", fld))
        else:  # the ids
            short, most = (2, 15) if fld in ("submitter_id", "receiver_id") else (1, 15)
            if not short <= len(value) <= most:
                p.append(Problem(f"{label} {value[:20]!r} is {len(value)} characters long; it "
                                 f"takes {short} to {most}: {fix}", fld))
            elif not _ID.fullmatch(value):
                p.append(Problem(f"{label} {value!r} may hold letters, digits, '-' and '.' "
                                 f"only, as the clearinghouse wrote it: {fix}", fld))
            elif fld.startswith("isa_"):
                qual = _clean(getattr(ch, fld.replace("_id", "_qualifier"))).upper()
                form = _QUALIFIED_IDS.get(qual)
                if form and not re.fullmatch(form[0], value):
                    p.append(Problem(f"{label} {value!r} does not fit qualifier {qual} "
                                     f"({ISA_QUALIFIERS[qual]}): it takes {form[1]}; {fix}",
                                     fld))
    return p


def _normalized(ch: ClearinghouseIn) -> dict[str, Any]:
    values = {k: (_clean(v) or None) for k, v in asdict(ch).items()}
    for fld in ("isa_sender_qualifier", "isa_receiver_qualifier", "usage_indicator"):
        if values[fld]:
            values[fld] = values[fld].upper()
    if values["contact_phone"]:
        values["contact_phone"] = re.sub(r"\D", "", values["contact_phone"])
    return values


def save_clearinghouse(db: Database, ch: ClearinghouseIn, user: str) -> None:
    """Save the settings (refused with every problem when any; an audit row)."""
    problems = validate_clearinghouse(ch)
    if problems:
        raise ValidationError(problems)
    values = _normalized(ch)
    with db.transaction() as con:
        before = fetch_one(con, "SELECT * FROM clearinghouse_settings WHERE settings_id = 1", [])
        cols = list(values)
        con.execute(f"INSERT OR REPLACE INTO clearinghouse_settings (settings_id, "
                    f"{', '.join(cols)}) VALUES (1, {', '.join('?' for _ in cols)})",
                    [values[c] for c in cols])
        audit(con, user, "update" if before else "create", "clearinghouse_settings", 1,
              before, values)


def read_clearinghouse(con: Any) -> ClearinghouseIn | None:
    """The settings on file (None when none were ever saved), on an open connection."""
    row = fetch_one(con, "SELECT * FROM clearinghouse_settings WHERE settings_id = 1", [])
    if row is None:
        return None
    return ClearinghouseIn(**{f.name: row[f.name] for f in fields(ClearinghouseIn)})


def clearinghouse_problems(con: Any) -> list[Problem]:
    """:func:`validate_clearinghouse` of the settings on file (every required one missing
    when none were saved)."""
    return validate_clearinghouse(read_clearinghouse(con) or ClearinghouseIn())


def export_problems(con: Any) -> list[str]:
    """Why no 837P can be written with the settings on file: [] when they are complete."""
    return [str(p) for p in clearinghouse_problems(con)]


def settings_complete(con: Any) -> bool:
    """True when every required setting is on file and valid (the setup checklist)."""
    return not clearinghouse_problems(con)


def save_payer_billing(db: Database, payer_id: int, clearinghouse_payer_id: str | None,
                       telehealth_modifier: str | None, user: str) -> None:
    """Set a payer's clearinghouse payer id (2010BB NM109) and telehealth modifier ('95',
    or none), refused with every problem when any; an audit row."""
    p: list[Problem] = []
    pid = _clean(clearinghouse_payer_id)
    if pid == "":
        p.append(Problem("Clearinghouse payer id is missing: enter the payer's id from the "
                         "clearinghouse's payer list (usually 5 letters and digits).",
                         "clearinghouse_payer_id"))
    elif text_field(p, pid, "Clearinghouse payer id", "clearinghouse_payer_id") and \
            not re.fullmatch(r"[0-9A-Za-z]{2,10}", pid):
        p.append(Problem(f"Clearinghouse payer id {pid!r} should be letters and digits only "
                         "(usually 5), as the clearinghouse lists it.",
                         "clearinghouse_payer_id"))
    msg = telehealth_modifier_problem(telehealth_modifier)
    if msg:
        p.append(Problem(msg, "telehealth_modifier"))
    mod = _clean(telehealth_modifier).upper() or None
    with db.transaction() as con:
        before = fetch_one(con, "SELECT payer_id, name, clearinghouse_payer_id, "
                           "telehealth_modifier FROM payers WHERE payer_id = ?", [payer_id])
        if before is None:
            p.append(Problem("Payer is not on file: choose one from the list.", "payer_id"))
        if p:
            raise ValidationError(p)
        con.execute("UPDATE payers SET clearinghouse_payer_id = ?, telehealth_modifier = ? "
                    "WHERE payer_id = ?", [pid, mod, payer_id])
        audit(con, user, "update", "payers", payer_id,
              {k: before[k] for k in ("clearinghouse_payer_id", "telehealth_modifier")},
              {"clearinghouse_payer_id": pid, "telehealth_modifier": mod})



def current_settings(db: Database) -> ClearinghouseIn | None:
    """The settings on file (None when none were ever saved): what the form shows."""
    with db.connect() as con:
        return read_clearinghouse(con)


def payer_billing(db: Database) -> Any:
    """Each payer's billing settings: payer_id, name, clearinghouse_payer_id (2010BB NM109),
    telehealth_modifier ('95' or empty: none), by name."""
    return db.query("SELECT payer_id, name, coalesce(clearinghouse_payer_id, '') AS "
                    "clearinghouse_payer_id, coalesce(telehealth_modifier, '') AS "
                    "telehealth_modifier FROM payers ORDER BY name")
