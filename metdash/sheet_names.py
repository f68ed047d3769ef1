"""Names in a claims spreadsheet the import makes records of: a new payer's type when the
file gives none (read from its name), a new rendering provider's name, and a new client who
is a client on file under another id (:func:`look_alikes`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from metdash import entry as e

__all__ = ["LookAlike", "look_alikes", "payer_type_of_name", "provider_named",
           "provider_on_file", "referrer_named", "same_person"]

# Credentials written after a provider's name ("Lindqvist, Mara PT").
CREDENTIALS = {"PT", "DPT", "MPT", "PTA", "OT", "OTR", "OTR/L", "COTA", "MD", "DO", "NP",
               "PA", "PA-C", "ATC", "LAT", "CSCS", "CEP", "ACSM-CEP", "CES", "MS", "RN", "DC",
               "RCEP", "CSCS*D", "CMES", "MEP"}


def payer_type_of_name(name: str) -> str:
    """A payer's type from its name: "Medicare Part B" medicare, "Humana Medicare
    Advantage" medicare_advantage, "State Medicaid" medicaid, "Workers' Comp" workers_comp;
    "other" when the name does not say (the biller sets it under Settings)."""
    words = re.sub(r"[^a-z]+", " ", name.casefold())
    if "medicare" in words:
        return "medicare_advantage" if re.search(r"\b(advantage|ma|mapd|hmo|ppo)\b", words) \
            else "medicare"
    if "medicaid" in words or "medi cal" in words:
        return "medicaid"
    if re.search(r"\bwork(er)?s?\b.*\bcomp", words):
        return "workers_comp"
    if re.search(r"\b(blue cross|blue shield|bcbs|aetna|cigna|united ?health\w*|uhc|anthem|"
                 r"kaiser|oscar|ambetter|highmark|premera|regence|wellmark|"
                 r"harvard pilgrim|tufts|emblem|molina|centene|wellcare)\b", words):
        return "commercial"  # (their Medicare and Medicaid plans are caught above)
    return "other"


# A referrer's credential, and the kind of referrer it says.
_REFERRER_KINDS = {"MD": "physician", "DO": "physician", "PT": "physical_therapist",
                   "DPT": "physical_therapist", "MPT": "physical_therapist"}


def referrer_named(text: str) -> tuple[str, str | None]:
    """A referrer's name without its credentials ("Dover, Hal MD" -> "Dover, Hal"; "Hal
    Dover, MD" -> "Hal Dover"), and the kind of referrer they say (physician for MD / DO,
    physical_therapist for PT / DPT / MPT; None when they say none)."""
    words = text.replace(",", " , ").split()
    taken: list[str] = []
    while words and (words[-1] == "," or words[-1].upper().replace(".", "") in CREDENTIALS) \
            and len([w for w in words if w != ","]) > 2:
        taken.append(words.pop().upper().replace(".", ""))
    while words and words[-1] == ",":
        words.pop()
    name = " ".join(words).replace(" , ", ", ")
    kind = next((_REFERRER_KINDS[t] for t in taken if t in _REFERRER_KINDS), None)
    return (name, kind) if taken else (text.strip(), None)


def provider_on_file(con: Any, text: str) -> tuple[int | None, str]:
    """The provider on file a file names "Last, First [credential]" without an NPI:
    (provider_id, "") when exactly one has that name, else (None, what to do)."""
    named = provider_named(text, "")
    if named is None:
        return None, (f"{text.strip()!r} names no provider as 'Last, First' and the row has no "
                      "rendering NPI: write the name 'Last, First', or add a Rendering NPI "
                      "column.")
    ids = [r[0] for r in con.execute(
        "SELECT provider_id FROM providers WHERE lower(last_name) = lower(?) "
        "AND lower(first_name) = lower(?)", [named.last_name, named.first_name]).fetchall()]
    if len(ids) == 1:
        return ids[0], ""
    who = f"{named.last_name}, {named.first_name}"
    return None, (f"no provider on file is named {who}: add the provider under Settings, or "
                  "a Rendering NPI column." if not ids else
                  f"{len(ids)} providers on file are named {who}: add a Rendering NPI column "
                  "to say which.")


def provider_named(text: str, npi: str) -> e.ProviderIn | None:
    """The provider a file names "Last, First [credential]" ("Lindqvist, Mara PT"); None
    when it does not (no comma: which word is the surname is not guessed)."""
    if "," not in text:
        return None
    last, first = (part.strip() for part in text.split(",", 1))
    after = first.replace(",", " ").split()
    if after and all(w.upper().rstrip(".") in CREDENTIALS for w in after) \
            and len(last.split()) > 1:
        # "Dana Kim, PT": first and last name before the comma, credentials after it
        *given, surname = last.split()
        return e.ProviderIn(npi=npi, last_name=surname, first_name=" ".join(given),
                            credential=" ".join(w.upper().rstrip(".") for w in after))
    words = first.split()
    credential = None
    if len(words) > 1 and words[-1].upper().rstrip(".") in CREDENTIALS:
        credential = words.pop().upper().rstrip(".")
    if not last or not words:
        return None
    return e.ProviderIn(npi=npi, last_name=last, first_name=" ".join(words),
                        credential=credential)


@dataclass(frozen=True)
class LookAlike:
    """A client on file under another id with a new client's name and birth date, and the
    (date of service, code) pairs its non-voided claims bill."""

    client_id: str
    name: str
    billed: frozenset[tuple[dt.date, str]]
    why: str = "name and birth date"   # what the two share


def _member_key(member_id: Any) -> str:
    """A member id compared as the same whatever its case, dashes and spaces."""
    return re.sub(r"[^A-Z0-9]", "", str(member_id or "").upper())


def look_alikes(con: Any, new: dict[str, tuple[str, str, dt.date | None]],
                members: dict[str, str] | None = None) -> dict[str, LookAlike]:
    """For each new client id of a file (id -> last name, first name, birth date), the
    client on file with the same name and birth date under another id (the same person
    exported by two systems, each with its own account numbers); else, with ``members``
    (id -> the file's member id), one with the same member id, birth date and first name
    (the same person under a last name spelled otherwise, or changed: a new-user trial made
    six clients of one; twins on one subscriber's id share the rest, not the first name).
    Read in three queries at most."""
    wanted = {(last.strip().casefold(), first.strip().casefold(), dob): cid
              for cid, (last, first, dob) in new.items() if dob is not None}
    if not wanted:
        return {}
    found: dict[str, tuple[str, str, str]] = {}
    for client_id, last, first, dob in con.execute(
            "SELECT client_id, last_name, first_name, dob FROM clients "
            "WHERE lower(last_name) IN (SELECT unnest(?::VARCHAR[]))",
            [sorted({k[0] for k in wanted})]).fetchall():
        new_id = wanted.get((last.strip().casefold(), first.strip().casefold(), dob))
        if new_id is not None and new_id != client_id and new_id not in found:
            found[new_id] = (client_id, f"{last}, {first}, born {dob}", "name and birth date")
    by_member = {(_member_key(m), new[cid][2]): cid for cid, m in (members or {}).items()
                 if cid not in found and _member_key(m) and new.get(cid, ("", "", None))[2]}
    if by_member:
        for client_id, last, first, dob, member in con.execute(
                "SELECT c.client_id, c.last_name, c.first_name, c.dob, v.member_id "
                "FROM clients c JOIN coverages v USING (client_id) "
                "WHERE regexp_replace(upper(v.member_id), '[^A-Z0-9]', '', 'g') IN "
                "(SELECT unnest(?::VARCHAR[]))",
                [sorted({k[0] for k in by_member})]).fetchall():
            new_id = by_member.get((_member_key(member), dob))
            if (new_id is not None and new_id != client_id and new_id not in found
                    and first.strip().casefold() == new[new_id][1].strip().casefold()):
                found[new_id] = (client_id, f"{last}, {first}, born {dob}, member id {member}",
                                 "member id and birth date")
    billed: dict[str, set[tuple[dt.date, str]]] = {}
    if found:
        for client_id, day, cpt in con.execute(
                "SELECT c.client_id, l.service_date, l.cpt FROM claims c "
                "JOIN claim_lines l USING (claim_id) WHERE c.status <> 'voided' "
                "AND c.client_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted({v[0] for v in found.values()})]).fetchall():
            billed.setdefault(client_id, set()).add((day, cpt))
    return {new_id: LookAlike(other, label, frozenset(billed.get(other, ())), why)
            for new_id, (other, label, why) in found.items()}


def same_person(twin: LookAlike | None, cid: str, rs: Sequence[Any], problems: list[str],
                result: Any) -> None:
    """A new client who is a client on file under another id: a line that client's claims
    already bill is refused (billed twice), and the likeness said once."""
    if twin is None:
        return
    again = [r for r in rs if (r.service_date, r.cpt) in twin.billed]
    for r in again:
        problems.append(f"row {r.n}, client_id: {r.cpt} on {r.service_date} is already billed "
                        f"for client {twin.client_id} ({twin.name}), the same {twin.why} as "
                        f"{cid}: leave the line out, or give it {twin.client_id} if it is "
                        "another visit.")
    said = f"new client {cid} has the {twin.why} of client {twin.client_id}"
    if not again and not any(said in w for w in result.warnings):
        result.warnings.append(f"row {rs[0].n}, client_id: {said} on file ({twin.name}): if "
                               f"they are one person, use {twin.client_id} in the file.")
