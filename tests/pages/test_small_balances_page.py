"""The small-balance batch writes off exactly what its preview showed (found by a new-user
trial: a new amount typed and the button clicked at once wrote off $72.00 after a preview of
$2.00 -- a client's real balance written off as "small")."""

from __future__ import annotations

from decimal import Decimal

from streamlit.testing.v1 import AppTest

from metdash.store import Database
from tests import ledger_practice


def test_a_new_amount_and_a_click_at_once_write_nothing(tmp_path, monkeypatch):
    db = ledger_practice.build(Database(tmp_path / "p.duckdb"))
    with db.transaction() as con:  # the demo opens without signing in: the page lets us in
        con.execute("UPDATE practice SET is_demo = TRUE")
    monkeypatch.setenv("METDASH_DB", str(db.path))
    at = AppTest.from_file("../../pages/balances.py", default_timeout=30)
    at.session_state["balances_tab"] = "Small balances"
    at.run()
    at.radio(key="b_side").set_value("patient")
    at.number_input(key="b_under").set_value(15.0).run()
    # Patient balances under $15: Pat's 14 (Remy owes 125)
    assert any("1 balances, $14.00 in all" in m.value for m in at.markdown)
    # 200 typed, and the button (still "these 1 balances") clicked in the same run
    at.number_input(key="b_under").set_value(200.0)
    at.button(key="b_go").click().run()
    assert not at.exception
    assert "nothing was written off" in at.error[0].value
    assert db.scalar("SELECT count(*) FROM write_offs WHERE reason = 'small_balance'") == 0
    # The preview the user now sees (2 balances, $139.00), clicked: written
    assert any("2 balances, $139.00 in all" in m.value for m in at.markdown)
    at.button(key="b_go").click().run()
    assert not at.error, [e.value for e in at.error]
    assert db.scalar("SELECT sum(amount) FROM write_offs WHERE reason = 'small_balance'"
                     ) == Decimal("139.00")
