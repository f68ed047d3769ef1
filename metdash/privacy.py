"""Presentation (workshop) mode: mask what identifies a client before it reaches a screen,
a download or a report.

One rule, applied by column, so every table that goes through :func:`mask_frame`
(``ui.table``, ``ui.downloads``, the weekly report) is masked the same way. Each column that
identifies a client is declared in :data:`COLUMN_KINDS` with what it holds (a name, a birth
date, a member id, a contact detail); a column not declared there is shown as it is. (The
rule once guessed from name patterns, and "insured_visits" in the insurance scenario was
masked as a name while a phone number was not.)

- names: ``last_name``, ``first_name``, ``client_name``, ``client`` and ``patient`` (a
  name, where ``client_id`` is a chart number), the subscriber's names;
- birth dates: ``dob``, ``client_dob``, ``subscriber_dob``…;
- member ids: ``member_id``, ``subscriber_id``, ``policy_number``;
- contact details: addresses, city, ZIP, phone numbers, e-mail, SSN.

The audit log's before and after values are JSON: :func:`mask_audit` masks them key by key
with the same rule, and also masks contact details there (phones, addresses, e-mail), which
an audit row holds next to the name.

Claim files (837P) are never masked: the payer needs the real names, birth dates and member
ids, so :func:`refuse_claim_file` refuses to create one in presentation mode.

Client chart numbers (``client_id``) are the practice's own codes and stay visible, so a
presenter can still point at "client CL00042". Pure functions: no streamlit, no store.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pandas as pd

from metdash.errors import PresentationModeError

MASK = "•••"
ENV = "METDASH_PRESENT"

_NAMES = ("last_name", "first_name", "middle_name", "full_name", "client_name",
          "patient_name", "client", "patient", "subscriber", "subscriber_name",
          "subscriber_last_name", "subscriber_first_name", "insured_name",
          "insured_last_name", "insured_first_name", "guarantor_name")
_DOBS = ("dob", "birth_date", "date_of_birth", "client_dob", "patient_dob", "subscriber_dob",
         "insured_dob")
_MEMBER_IDS = ("member_id", "member_number", "subscriber_id", "insured_id", "policy_number")
_CONTACTS = ("address", "address_line1", "address_line2", "street", "city", "zip",
             "zip_code", "postal_code", "phone", "phone_number", "mobile", "fax", "email",
             "ssn", "subscriber_address", "subscriber_phone")

#: Every column (or audit key) that identifies a client, declared with what it holds.
COLUMN_KINDS: dict[str, str] = {
    **dict.fromkeys(_NAMES, "name"), **dict.fromkeys(_DOBS, "dob"),
    **dict.fromkeys(_MEMBER_IDS, "member_id"), **dict.fromkeys(_CONTACTS, "contact"),
}


def present_by_default(env: dict[str, str] | None = None) -> bool:
    """True when ``METDASH_PRESENT`` is set to 1/true/yes/on."""
    value = (env if env is not None else os.environ).get(ENV, "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def _key(column: Any) -> str:
    return str(column).strip().lower().replace(" ", "_")


def column_kind(column: str) -> str | None:
    """What a column holds, as :data:`COLUMN_KINDS` declares it: 'name', 'dob',
    'member_id', 'contact' or None (not identifying)."""
    return COLUMN_KINDS.get(_key(column))


def sensitive_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of ``frame`` that :func:`mask_frame` masks."""
    return [c for c in frame.columns if column_kind(c) is not None]


def mask_text(value: Any, kind: str = "name") -> Any:
    """One value masked: a name keeps its first letter per word ('Alpha, Ann' -> 'A•••,
    A•••'), a birth date becomes '••••-••-••', a member id keeps its last 2 characters.
    None / NaN stay as they are (an empty cell says nothing)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return value
    if kind == "dob":
        return "••••-••-••"
    if kind == "contact":
        return MASK
    text = str(value)
    if kind == "member_id":
        return MASK + text[-2:] if len(text) > 4 else MASK
    words = re.split(r"(\W+)", text)
    return "".join(w[0] + MASK if w and w[0].isalnum() else w for w in words)


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every client-identifying column masked (see module doc);
    the frame itself is not changed. Masked columns become text."""
    cols = sensitive_columns(frame)
    if not cols:
        return frame
    out = frame.copy()
    for col in cols:
        kind = column_kind(col) or "name"
        out[col] = [mask_text(v, kind) for v in out[col].tolist()]
        out[col] = out[col].astype(object)
    return out


def mask_if(frame: pd.DataFrame, present: bool) -> pd.DataFrame:
    """:func:`mask_frame` when ``present`` is true, else ``frame`` unchanged."""
    return mask_frame(frame) if present else frame


def is_contact(column: str) -> bool:
    """True for a column (or key) that holds contact details: an address, a phone number,
    an e-mail address or an SSN."""
    return column_kind(column) == "contact"


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(key, v) for v in value]
    kind = column_kind(key)
    if kind is not None and value not in (None, ""):
        return mask_text(value, kind)
    return value


def mask_json(text: Any) -> Any:
    """An audit value (JSON text) with every name, birth date, member id and contact detail
    masked, key by key and in nested objects and lists; None stays None, text that is not a
    JSON object or list is masked whole (it could be anything)."""
    if text is None or (isinstance(text, float) and text != text):
        return text
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return MASK
    if not isinstance(value, dict | list):
        return MASK
    return json.dumps(_mask_value("", value), ensure_ascii=False, default=str)


def mask_audit(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of an audit log frame (:func:`metdash.auditlog.audit_entries`) whose ``before``
    and ``after`` values are masked with :func:`mask_json`; the frame itself unchanged."""
    out = frame.copy()
    for col in ("before", "after"):
        if col in out.columns:
            out[col] = pd.Series([mask_json(v) for v in out[col].tolist()], index=out.index,
                                 dtype=object)
    return out


CLAIM_FILE_REFUSED = ("Claim files (837P) are never masked: the payer needs each client's real "
                      "name, birth date and member id. Leave presentation mode (the switch in "
                      "the sidebar) to create one.")


def refuse_claim_file(present: bool) -> None:
    """Raise :class:`~metdash.errors.PresentationModeError` when ``present`` (presentation
    mode is on): a claim file would put every client's details on the screen and in a file."""
    if present:
        raise PresentationModeError(CLAIM_FILE_REFUSED)
