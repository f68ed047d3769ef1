"""Referrals: who sent a client, for which diagnoses, for how many visits, until when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from metdash.coding import diagnoses_problems, normalize_icd10
from metdash.entry.problems import (
    Problem,
    as_date,
    blank,
    date_field,
    fetch_one,
    text_field,
    text_fields,
    today,
)
from metdash.errors import ValidationError
from metdash.store import Database, audit, audit_many, insert_rows, next_id

__all__ = ["ReferralIn", "record_prior_authorization", "save_referral", "validate_referral",
           "write_referral", "write_referrals"]


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
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, ref, {"prior_auth_number": "Prior authorization number", "notes": "Notes"})
    if not fetch_one(con, "SELECT 1 FROM clients WHERE client_id = ?", [ref.client_id]):
        p.append(Problem(f"Client {ref.client_id!r} is not on file: add the client first.",
                         "client_id"))
    if ref.referrer_id is None or not fetch_one(
            con, "SELECT 1 FROM referrers WHERE referrer_id = ?", [ref.referrer_id]):
        p.append(Problem("Referrer is not on file: look the NPI up, or add the referrer "
                         "first.", "referrer_id"))
    received = date_field(p, ref.received_date, "Received date", "received_date")
    if received and received > as_of:
        p.append(Problem(f"Received date {received} is in the future: enter the day the "
                         "referral arrived.", "received_date"))
    p += [Problem(m, "diagnosis_codes") for m in diagnoses_problems(list(ref.diagnosis_codes))]
    if ref.authorized_visits is not None and (not isinstance(ref.authorized_visits, int)
                                              or ref.authorized_visits < 1):
        p.append(Problem(f"Authorized visits {ref.authorized_visits!r} must be a whole number "
                         "of 1 or more (leave it empty when not limited).", "authorized_visits"))
    expiry = date_field(p, ref.expiry_date, "Expiry date", "expiry_date", required=False)
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
        return write_referral(con, ref, user)


def write_referral(con: Any, ref: ReferralIn, user: str) -> int:
    """Add an already validated referral inside the caller's transaction (with an audit
    row); its new referral_id."""
    return write_referrals(con, [ref], user)[0]


def write_referrals(con: Any, refs: Sequence[ReferralIn], user: str) -> list[int]:
    """Add already validated referrals inside the caller's transaction (one bulk insert, an
    audit row each); their new referral_ids, in order."""
    if not refs:
        return []
    first = next_id(con, "referrals", "referral_id")
    rows = [{"referral_id": first + i, "client_id": ref.client_id,
             "referrer_id": ref.referrer_id, "received_date": as_date(ref.received_date),
             "diagnosis_codes": [normalize_icd10(c) for c in ref.diagnosis_codes],
             "authorized_visits": ref.authorized_visits,
             "expiry_date": as_date(ref.expiry_date),
             "prior_auth_number": ref.prior_auth_number or None, "notes": ref.notes or None}
            for i, ref in enumerate(refs)]
    cols = list(rows[0])
    insert_rows(con, "referrals", cols, [tuple(r[c] for c in cols) for r in rows])
    audit_many(con, user, [("create", "referrals", r["referral_id"], None, r) for r in rows])
    return [r["referral_id"] for r in rows]


def record_prior_authorization(db: Database, referral_id: int, number: str, user: str) -> None:
    """Record (or correct) the payer's prior-authorization number on a referral on file,
    audited: the claims naming it carry it from then on (the 837P's REF*G1 is read from the
    referral when the file is written), and a payer that requires one stops denying them
    CO-197 (:mod:`metdash.entry.authorization`).

    Raises ValidationError when the referral is not on file or the number is blank or too
    long."""
    with db.transaction() as con:
        ref = fetch_one(con, "SELECT referral_id, prior_auth_number FROM referrals "
                             "WHERE referral_id = ?", [referral_id])
        p: list[Problem] = []
        if ref is None:
            p.append(Problem(f"Referral {referral_id} is not on file: choose one of the "
                             "client's referrals.", "referral_id"))
        if blank(number):
            p.append(Problem("Prior authorization number is empty: copy it from the payer's "
                             "approval.", "prior_auth_number"))
        elif text_field(p, number, "Prior authorization number", "prior_auth_number"):
            number = number.strip()
        if p:
            raise ValidationError(p)
        con.execute("UPDATE referrals SET prior_auth_number = ? WHERE referral_id = ?",
                    [number, referral_id])
        audit(con, user, "update", "referrals", referral_id,
              {"prior_auth_number": ref["prior_auth_number"]}, {"prior_auth_number": number})
