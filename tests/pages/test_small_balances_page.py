"""The small-balance batch writes off exactly what its preview showed (found by a new-user
trial: a new amount typed and the button clicked at once wrote off $72.00 after a preview of
$2.00 -- a client's real balance written off as "small"), at most $50 a balance (a second
trial set "Under" to 5,000 and was offered the whole patient A/R, $30,294.85, as "small
balances"), and the preview is read again after a batch (it still offered the balances just
written off)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from metdash import entry
from metdash.errors import ValidationError
from metdash.store import Database
from tests import ledger_practice


@pytest.fixture
def db(tmp_path, monkeypatch):
    db = ledger_practice.build(Database(tmp_path / "p.duckdb"))
    with db.transaction() as con:  # the demo opens without signing in: the page lets us in
        con.execute("UPDATE practice SET is_demo = TRUE")
    monkeypatch.setenv("METDASH_DB", str(db.path))
    return db


def test_a_new_amount_and_a_click_at_once_write_nothing(db):
    # Insurance balances of the ledger practice: L13 5.00, L11 20.00, L12 40.00, and 100s.
    at = AppTest.from_file("../../pages/balances.py", default_timeout=30)
    at.session_state["balances_tab"] = "Small balances"
    at.run()
    at.radio(key="b_side").set_value("insurance")
    at.number_input(key="b_under").set_value(10.0).run()
    assert any("1 balances, $5.00 in all" in m.value for m in at.markdown)
    # 30 typed, and the button (still "these 1 balances") clicked in the same run
    at.number_input(key="b_under").set_value(30.0)
    at.button(key="b_go").click().run()
    assert not at.exception
    assert "nothing was written off" in at.error[0].value
    assert db.scalar("SELECT count(*) FROM write_offs WHERE reason = 'small_balance'") == 0
    # The preview the user now sees (2 balances, $25.00), clicked: written
    assert any("2 balances, $25.00 in all" in m.value for m in at.markdown)
    at.button(key="b_go").click().run()
    assert not at.error, [e.value for e in at.error]
    assert db.scalar("SELECT sum(amount) FROM write_offs WHERE reason = 'small_balance'"
                     ) == Decimal("25.00")
    # Said, and the preview read again: nothing under $30 is left to offer.
    assert any("2 balances, $25.00, written off" in s.value for s in at.success)
    assert not [m for m in at.markdown if "would be written off" in m.value]
    assert at.number_input(key="b_under").max == 50.0


def test_a_small_balance_is_at_most_fifty_dollars(db):
    with pytest.raises(ValidationError) as refused:
        entry.write_off_small_balances(db, "patient", "200", "olive")
    assert refused.value.problems == [
        "Under $200.00 is more than a small balance ($50.00 at most): write off a larger "
        "balance on its own, with its reason (Balances & write-offs → Write off)."]
    assert db.scalar("SELECT count(*) FROM write_offs WHERE reason = 'small_balance'") == 0
