"""Small builders the entry tests share: a row count, a saved session, a hand-made claim,
a submitted claim."""

import datetime as dt

from metdash import entry as e
from tests.entry_seed import AS_OF, USER


def count(db, table):
    return db.scalar(f"SELECT count(*) FROM {table}")


def session(db, client="C001", day="2025-06-02", minutes=None, kind="treatment", referral=1):
    return e.save_session(db, e.SessionIn(client_id=client, provider_id=1, session_date=day,
                                          kind=kind, minutes=minutes or {"97110": 33, "97140": 7},
                                          referral_id=referral), USER, as_of=AS_OF)


def hand_claim(**kw):
    base = dict(claim_id="H1", client_id="C002", payer_id=2, diagnosis_codes=["M17.11"],
                rendering_provider_id=1, referral_id=2, referrer_id=1,
                lines=[e.ClaimLineIn("2025-06-10", "97110", 2, "80.00", [], [1])])
    base.update(kw)
    return e.ClaimIn(**base)


def submitted_claim(db, claim=None):
    claim = claim or hand_claim(lines=[
        e.ClaimLineIn("2025-06-10", "97110", 2, "80.00", [], [1]),
        e.ClaimLineIn("2025-06-10", "97112", 1, "42.00", [], [1])])
    e.save_claim(db, claim, USER, as_of=AS_OF)
    e.move_claim_status(db, claim.claim_id, "ready", USER, as_of=AS_OF)
    e.move_claim_status(db, claim.claim_id, "submitted", USER, on=dt.date(2025, 6, 12),
                        as_of=AS_OF)
    return claim.claim_id
