"""The 837P as data: what one claim file carries, before it is rendered to X12 text.

:func:`metdash.x12.write837.load_batch` fills these from the store,
:func:`metdash.x12.validate.claim_problems` checks them and
:func:`metdash.x12.write837.render_837p` writes them; this module imports neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


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
    frequency_code: str = "1"
    place_of_service: str = "11"
    prior_auth_number: str = ""
    referrer: Person | None = None
    rendering: Person | None = None


@dataclass
class Batch837:
    billing: BillingProvider
    claims: list[Claim837]
    submitter_id: str = ""  # defaults to the billing NPI
    receiver_name: str = "CLEARINGHOUSE"
    receiver_id: str = "CLEARINGHOUSE"
    usage: str = "P"  # ISA15: P production, T test


@dataclass(frozen=True)
class ControlNumbers:
    interchange: int  # ISA13
    group: int  # GS06
    transaction: int  # ST02
