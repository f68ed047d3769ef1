"""Sessions on no claim are priced in the forecast as the app bills them: the payer's units
rule over the client's whole day, less the units already on claims for that day (DOMAIN.md,
"Units from minutes"; metdash.entry.claims.build_claim_from_sessions).

Fees: 97110 $50 a unit, 97530 $60. Payer 1 (Quick Pay) bills by the CMS 8-minute rule, payer
2 (Slow Pay) by the per-code rule. Client M is covered by payer 1, client P by payer 2.

day    client  sessions (minutes)                       worked by hand                  charge
06-25  M       101: 97110 10, 97530 10                  CMS: 20 min = 1 unit; 0 full     $50
                                                        units each, the left-over unit to
                                                        the tie's first code, 97110
06-25  P       102: 97110 10, 97530 10                  per code: 10 min = 1 unit each  $110
06-26  M       103: 97110 10; 104: 97110 10             the day's 20 min = 1 unit        $50
06-27  M       105: 97110 10 (billed: claim HB, 1 unit) the day's 20 min = 1 unit, already   $0
               106: 97530 10                            billed (97110, the tie's first
                                                        code): nothing more to bill
06-25  D       107: 97110 10, 97530 10                  two primary coverages on the day  $110
                                                        (3: Quick Pay from 2020, 4: Slow
                                                        Pay from 2025); billing takes the
                                                        last one entered, 4: per code
Per code, session by session (the forecast before): 110 + 110 + 50 + 50 + 60 = $380; as billed:
50 + 110 + 50 + 0 = $210 (a day with nothing to bill is no claim: it is left out); with D's
day, $320 (the forecast took D's first coverage, Quick Pay's CMS rule: $50).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash.entry.claims import build_claim_from_sessions
from metdash.errors import ValidationError
from metdash.forecast import load_history
from metdash.forecast.history import day
from metdash.store import Database
from tests.forecast import practice

SESSIONS = """
UPDATE payers SET units_rule = 'cms' WHERE payer_id = 1;
UPDATE payers SET units_rule = 'per_code' WHERE payer_id = 2;
INSERT INTO fee_schedule VALUES ('97110', 50), ('97530', 60);
INSERT INTO clients (client_id, last_name, first_name, dob, sex) VALUES
  ('M', 'Mike', 'Mo', DATE '1950-01-01', 'M'), ('P', 'Papa', 'Pat', DATE '1960-01-01', 'F'),
  ('D', 'Delta', 'Dee', DATE '1955-01-01', 'F');
INSERT INTO coverages (coverage_id, client_id, payer_id, member_id, effective_date) VALUES
  (1, 'M', 1, 'Q1', DATE '2020-01-01'), (2, 'P', 2, 'S1', DATE '2020-01-01'),
  (3, 'D', 1, 'Q3', DATE '2020-01-01'), (4, 'D', 2, 'S4', DATE '2025-01-01');
INSERT INTO sessions (session_id, client_id, provider_id, session_date, kind) VALUES
  (101, 'M', 1, DATE '2025-06-25', 'treatment'), (102, 'P', 1, DATE '2025-06-25', 'treatment'),
  (103, 'M', 1, DATE '2025-06-26', 'treatment'), (104, 'M', 1, DATE '2025-06-26', 'treatment'),
  (105, 'M', 1, DATE '2025-06-27', 'treatment'), (106, 'M', 1, DATE '2025-06-27', 'treatment'),
  (107, 'D', 1, DATE '2025-06-25', 'treatment');
INSERT INTO session_minutes VALUES
  (101, '97110', 10), (101, '97530', 10), (102, '97110', 10), (102, '97530', 10),
  (103, '97110', 10), (104, '97110', 10), (105, '97110', 10), (106, '97530', 10),
  (107, '97110', 10), (107, '97530', 10);
INSERT INTO claims (claim_id, client_id, payer_id, rendering_provider_id, status,
                    diagnosis_codes, total_charge, first_service_date, source)
VALUES ('HB', 'M', 1, 1, 'draft', ['M17.11'], 50, DATE '2025-06-27', 'test');
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                         dx_pointers, session_id)
VALUES ('HB', 1, DATE '2025-06-27', '97110', [], 1, 50, [1], 105);
"""

# (client, day) -> (payer, charge) worked by hand in the module's docstring
BY_HAND = {("M", "2025-06-25"): (1, 50.0), ("P", "2025-06-25"): (2, 110.0),
           ("M", "2025-06-26"): (1, 50.0), ("D", "2025-06-25"): (2, 110.0)}
DAY_SESSIONS = {("M", "2025-06-25"): [101], ("P", "2025-06-25"): [102],
                ("M", "2025-06-26"): [103, 104], ("D", "2025-06-25"): [107]}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = Database(tmp_path_factory.mktemp("unbilled") / "unbilled.duckdb")
    practice.build(db)
    with db.transaction() as con:
        con.execute(SESSIONS)
    db.release()
    return db


def test_unbilled_days_are_priced_by_the_payers_units_rule(store):
    u = load_history(store).unbilled
    got = sorted(zip(u["service"].tolist(), u["payer_id"].tolist(), u["charge"].tolist(),
                     strict=True))
    want = sorted((day(dt.date.fromisoformat(d)), payer, charge)
                  for (_, d), (payer, charge) in BY_HAND.items())
    assert got == want
    assert sum(u["charge"]) == 320   # not 490, as per code session by session


def test_the_forecast_charges_what_billing_the_sessions_would(store):
    # The same days billed through Bill sessions' own builder: the same charges.
    with store.connect() as con:
        for key, ids in DAY_SESSIONS.items():
            claim = build_claim_from_sessions(con, ids, as_of=dt.date(2025, 6, 30))
            assert claim.payer_id == BY_HAND[key][0], key
            total = sum((line.charge for line in claim.lines), Decimal("0"))
            assert float(total) == BY_HAND[key][1], key
        # 06-27: the day's one unit is on claim HB already; Bill sessions has nothing to add
        with pytest.raises(ValidationError, match="no billable units"):
            build_claim_from_sessions(con, [106], as_of=dt.date(2025, 6, 30))
