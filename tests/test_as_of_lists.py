"""Lists under an as-of date show each claim as it stood that day (issue 17, item 2).

The practice is tests/ledger_practice.py. Its claim L3 is given the life its table tells
(the fixture only keeps L4's status moves): submitted 04-06, denied CO-50 on the 04-20
remittance, appealed 04-22, the appeal overturned and a new CLP paying 70 on 05-10. So on
04-30 a biller's books show L3 appealed, 100 owed and nothing paid; today it is paid.

Insurance A/R on 04-30, from the table (charge 100 each): L1 100 (CO-50, appeal pending),
L3 100 (CO-50, the 70 comes 05-10), L8 100 (PR-96, moved to Remy only on 05-05), L9 100
(CO-29, written off only on 05-20), L10 100 (CO-16), L13 5 (CO-97 5 of line 2; the rest was
paid 45 + 30 with CO-45 15 + 5 on 04-29), L11 20 (Medicare's PR-2 20 crossed over to the
Gap Plan on 04-29: still owed by a payer). L2, L5, L7 and L12 were settled on their first
remittance and L4 was paid in full on 04-21 (its reversal is on 05-15). Every one is 0-30 days
old on 04-30 (L1, served 04-01, is 29 days old).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash import figures
from metdash.figures import Filters
from metdash.store import Database
from tests import ledger_practice

D = dt.date
APRIL = Filters(date_from=D(2025, 4, 1), date_to=D(2025, 4, 30), as_of=D(2025, 4, 30))


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    db = ledger_practice.build(Database(tmp_path_factory.mktemp("asof") / "l.duckdb"))
    with db.transaction() as con:
        con.execute("""
            INSERT INTO claim_status_history (claim_id, seq, status, status_date, changed_by,
                                              note) VALUES
              ('L3', 1, 'submitted', DATE '2025-04-06', 'test', 'created'),
              ('L3', 2, 'denied', DATE '2025-04-20', 'test', '835'),
              ('L3', 3, 'appealed', DATE '2025-04-22', 'bea', 'appeal filed'),
              ('L3', 4, 'paid', DATE '2025-05-10', 'test', '835')""")
        con.execute("UPDATE appeals SET outcome_date = DATE '2025-05-10' WHERE claim_id = 'L3'")
    return db


def test_open_ar_as_of_an_earlier_day_shows_that_days_status_and_payments(db):
    rows = figures.oldest_open_claims(db, APRIL, bucket="0-30").set_index("claim_id")
    assert sorted(rows.index) == ["L1", "L10", "L11", "L13", "L3", "L8", "L9"]
    # L3 on 04-30: appealed, all 100 still owed (today: paid 70, the rest CO-45).
    assert rows.loc["L3", "status"] == "appealed"
    assert rows.loc["L3", "balance"] == Decimal("100.00")
    # L13 had its 45 + 30 by 04-29, and 15 + 5 CO-45: the CO-97 5 is owed.
    assert rows.loc["L13", "balance"] == Decimal("5.00")
    assert rows.loc["L13", "denied"] == Decimal("5.00")
    assert figures.oldest_open_claims(db, APRIL, bucket="31-60").empty
    oldest = figures.oldest_open_claims(db, APRIL).set_index("claim_id")
    assert oldest.loc["L3", "status"] == "appealed"
    assert oldest.loc["L3", "balance"] == Decimal("100.00")
    assert list(oldest.index[:2]) == ["L1", "L3"]  # oldest service first: 04-01, 04-05


def test_open_denials_as_of_an_earlier_day_show_the_appeal_then_pending(db):
    work = figures.open_denials(db, APRIL).set_index("claim_id")
    # L3's appeal (filed 04-22) was decided on 05-10: on 04-30 it was pending.
    assert work.loc["L3", "next_step"] == "appeal pending"
    assert work.loc["L3", "status"] == "appealed"
    assert work.loc["L1", "next_step"] == "appeal pending"


def test_today_the_same_lists_show_the_current_state(db):
    today = Filters(date_from=D(2025, 4, 1), date_to=D(2025, 4, 30), as_of=dt.date.today())
    # L3 is settled (70 paid + CO-45 30): not owed any more, so not listed.
    assert "L3" not in set(figures.oldest_open_claims(db, today, bucket="120+").claim_id)
    assert "L3" not in set(figures.open_denials(db, today).claim_id)
