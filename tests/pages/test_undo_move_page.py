"""Balances → "Move to the client": a move (or an insurance write-off) can be undone (found by
a new-user trial: a move could not be undone, and the payer's later payment on appeal could
not be posted). The ledger practice: L8 (Remy Reed, $100 denied) was moved to the client on
2025-05-05 ("PR-96: waiver signed"); L9 (Quinn Quill) was written off for timely filing."""

from __future__ import annotations

from decimal import Decimal

from streamlit.testing.v1 import AppTest

from metdash.store import Database
from tests import ledger_practice


def _page(tmp_path, monkeypatch, tab: str = "Move to the client"):
    db = ledger_practice.build(Database(tmp_path / "p.duckdb"))
    with db.transaction() as con:  # the demo opens without signing in: the page lets us in
        con.execute("UPDATE practice SET is_demo = TRUE")
    monkeypatch.setenv("METDASH_DB", str(db.path))
    at = AppTest.from_file("../../pages/balances.py", default_timeout=30)
    at.session_state["balances_tab"] = tab
    at.run()
    return db, at


def _pick(at, key: str, claim_id: str) -> None:
    """Choose ``claim_id`` in the claim picker ``key``, as a biller does: find it, pick it."""
    at.text_input(key=f"{key}-find").set_value(claim_id).run()
    [label] = [o for o in at.selectbox(key=key).options if o.startswith(claim_id)]
    at.selectbox(key=key).set_value(label).run()


def test_a_move_is_undone_from_the_claim(tmp_path, monkeypatch):
    db, at = _page(tmp_path, monkeypatch)
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = 'L8'") \
        == Decimal("0.00")
    _pick(at, "m_claim", "L8")
    which = at.selectbox(key="u_which")
    assert which.options[0].startswith(
        "Move to the client of $100.00 on May 05, 2025 by bea (PR-96: waiver signed)")
    # No reason: refused, nothing written
    at.button(key="FormSubmitter:undo_move-Undo").click().run()
    assert "Reason is missing" in " ".join(e.value for e in at.error)
    assert db.scalar("SELECT count(*) FROM balance_returns") == 0
    at.text_input(key="u_reason").set_value("client not liable after all")
    at.button(key="FormSubmitter:undo_move-Undo").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "$100.00 moved back from the client" in at.success[0].value
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = 'L8'") \
        == Decimal("100.00")
    # Nothing left to undo on L8: the section is gone
    at.run()
    assert not [s for s in at.selectbox if s.key == "u_which"]


def test_an_insurance_write_off_is_undone_on_the_write_off_tab(tmp_path, monkeypatch):
    """L9 ($100, Quinn Quill) was written off for timely filing on 2025-05-20: undone, the
    payer owes the 100 again (the denial is open again)."""
    db, at = _page(tmp_path, monkeypatch, tab="Write off")
    _pick(at, "w_claim", "L9")
    assert at.selectbox(key="wu_which").options[0].startswith(
        "Write-off of $100.00 on May 20, 2025 by bea (timely filing)")
    at.text_input(key="wu_reason").set_value("proof of timely filing accepted")
    at.button(key="FormSubmitter:undo_write_off-Undo").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "$100.00 of the write-off undone" in at.success[0].value
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = 'L9'") \
        == Decimal("100.00")
    # Found by a new-user trial: the Write-offs tab counted it as "Recovered" (money that
    # never came); it is "Undone".
    import datetime as dt

    from metdash import figures
    today = dt.date.today()
    rows = figures.write_offs_by_reason(db, figures.Filters(today, today))
    assert rows[["reason", "write_offs", "amount", "recovered", "undone"]].values.tolist() == [
        ["timely_filing", 0, Decimal("0.00"), Decimal("0.00"), Decimal("100.00")]]
