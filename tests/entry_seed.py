"""A small practice built through the entry functions themselves (shared by entry tests)."""

from __future__ import annotations

import datetime as dt

from metdash import entry as e
from metdash.store import Database

AS_OF = dt.date(2025, 6, 30)
USER = "tester"


def seed(path) -> Database:
    db = Database(path)
    e.save_practice(db, e.PracticeIn(name="Move Well MedEx", billing_npi="1234567893",
                                     tax_id="12-3456789"), USER)
    e.save_provider(db, e.ProviderIn(npi="1245319599", last_name="Trainer", first_name="Tess",
                                     credential="CMES"), USER)                 # provider 1
    e.save_payer(db, e.PayerIn(name="Medicare Part B", payer_type="medicare",
                               clearinghouse_payer_id="00882", timely_filing_days=365,
                               appeal_window_days=120, units_rule="cms",
                               usual_lag_days=14), USER)                       # payer 1
    e.save_payer(db, e.PayerIn(name="Acme Health", payer_type="commercial",
                               timely_filing_days=90, appeal_window_days=60,
                               units_rule="per_code", usual_lag_days=30), USER)  # payer 2
    for cpt, fee in (("97110", "40.00"), ("97112", "42.00"), ("97140", "38.00"),
                     ("97530", "45.00"), ("97161", "120.00"), ("97164", "90.00"),
                     ("97150", "25.00")):
        e.save_fee(db, cpt, fee, USER)
    e.save_client(db, e.ClientIn(client_id="C001", last_name="Doe", first_name="Jane",
                                 dob="1950-02-03", sex="F"), USER,
                  coverages=[e.CoverageIn(client_id="C001", payer_id=1, member_id="1EG4TE5MK72",
                                          effective_date="2020-01-01")], as_of=AS_OF)
    e.save_client(db, e.ClientIn(client_id="C002", last_name="Roe", first_name="Rick",
                                 dob="1980-07-08", sex="M"), USER,
                  coverages=[e.CoverageIn(client_id="C002", payer_id=2, member_id="ACM123",
                                          effective_date="2025-01-01",
                                          end_date="2025-12-31")], as_of=AS_OF)
    e.save_referrer(db, e.ReferrerIn(npi="1679576722", name="Smith, Anna",
                                     kind="physician"), USER)                 # referrer 1
    e.save_referral(db, e.ReferralIn(client_id="C001", referrer_id=1,
                                     received_date="2025-05-01",
                                     diagnosis_codes=["M54.50", "E11.9"],
                                     authorized_visits=12, expiry_date="2025-12-31"),
                    USER, as_of=AS_OF)                                        # referral 1
    e.save_referral(db, e.ReferralIn(client_id="C002", referrer_id=1,
                                     received_date="2025-06-01", diagnosis_codes=["m1711"],
                                     authorized_visits=2, expiry_date="2025-07-31"),
                    USER, as_of=AS_OF)                                        # referral 2
    db.release()  # the file alone complete: tests copy it
    return db
