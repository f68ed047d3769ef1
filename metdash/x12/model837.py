"""The 837P as data: what one claim file carries, before it is rendered to X12 text.

:func:`metdash.x12.write837.load_batch` fills these from the store,
:func:`metdash.x12.validate.claim_problems` checks them and
:func:`metdash.x12.write837.render_837p` writes them; this module imports neither.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

_UNSAFE = re.compile(r"[*~:^>|\r\n]")
_SPACES = re.compile(r"\s+")
# REF02 of the 2400 loop's REF*6R holds at most 50 characters.
LINE_CONTROL_MAX = 50


def x12_text(value: object) -> str:
    """Upper-case text without X12 separators (they would break the file)."""
    text = "" if value is None else str(value)
    return _SPACES.sub(" ", _UNSAFE.sub(" ", text)).strip().upper()


def x12_id(value: object) -> str:
    """An id as given (case kept: a clearinghouse's ids may be case-sensitive), without
    X12 separators or spaces."""
    return _SPACES.sub("", _UNSAFE.sub("", "" if value is None else str(value)))


def line_control_number(claim_id: str, line_no: int) -> str:
    """The line item control number of one claim line (REF*6R in the 837P's 2400 loop,
    echoed under SVC in the 835): ``<claim id>-<line number>`` as CLM01 writes the claim id,
    at most 50 characters (the claim id is shortened, never the line number). Unique within
    a claim, which is where the 835's lines are matched."""
    return line_control_numbers(claim_id, [line_no])[0]


def line_control_numbers(claim_id: str, line_nos: Iterable[int]) -> list[str]:
    """:func:`line_control_number` of several lines of one claim (the claim id cleaned once:
    an 835 import matches every line of ten thousand claims)."""
    base = x12_text(claim_id)
    out = []
    for no in line_nos:
        suffix = f"-{no}"
        out.append(base[:LINE_CONTROL_MAX - len(suffix)] + suffix)
    return out


@dataclass
class Address:
    line1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""


@dataclass
class Person:
    last_name: str
    first_name: str = ""
    npi: str = ""
    taxonomy: str = ""


@dataclass
class BillingProvider:
    name: str
    npi: str
    tax_id: str
    address: Address
    taxonomy: str = ""
    phone: str = ""


@dataclass
class Line837:
    cpt: str
    modifiers: list[str]
    charge: Decimal
    units: int
    dx_pointers: list[int]
    service_date: dt.date
    control_number: str = ""  # REF*6R; line_control_number() of the claim line when empty
    place_of_service: str = ""  # SV105 when it differs from the claim's (CLM05-1); "" = same


@dataclass
class Claim837:
    claim_id: str
    total_charge: Decimal
    diagnosis_codes: list[str]
    lines: list[Line837]
    payer_name: str
    payer_code: str  # clearinghouse payer id
    filing_indicator: str  # SBR09
    member_id: str
    patient_last_name: str
    patient_first_name: str
    patient_dob: dt.date | None
    patient_sex: str
    patient_address: Address
    relationship: str = "self"
    priority: str = "primary"
    group_number: str = ""
    subscriber_last_name: str = ""
    subscriber_first_name: str = ""
    subscriber_dob: dt.date | None = None
    frequency_code: str = "1"  # CLM05-3: 1 original, 7 replacement, 8 void
    payer_claim_number: str = ""  # REF*F8 of a replacement or void: the payer's number (CLP07)
    place_of_service: str = "11"
    prior_auth_number: str = ""
    referrer: Person | None = None
    rendering: Person | None = None
    client_id: str = ""  # the practice's chart number: named in refusals, never sent


@dataclass
class Batch837:
    billing: BillingProvider
    claims: list[Claim837]
    submitter_id: str = ""  # GS02, 1000A NM109; defaults to the billing NPI
    receiver_name: str = "CLEARINGHOUSE"
    receiver_id: str = "CLEARINGHOUSE"  # GS03, 1000B NM109
    usage: str = "P"  # ISA15: P production, T test
    # The clearinghouse settings (metdash.entry.clearinghouse); each empty one falls back
    # to what was written before they existed (the billing provider's name and phone, ZZ).
    submitter_name: str = ""  # 1000A NM103
    contact_name: str = ""  # 1000A PER02
    contact_phone: str = ""  # 1000A PER04
    isa_sender_qualifier: str = "ZZ"  # ISA05
    isa_sender_id: str = ""  # ISA06; the submitter id when empty
    isa_receiver_qualifier: str = "ZZ"  # ISA07
    isa_receiver_id: str = ""  # ISA08; the receiver id when empty


@dataclass(frozen=True)
class ControlNumbers:
    interchange: int  # ISA13
    group: int  # GS06
    transaction: int  # ST02
