"""Balances → "Refund a payer": the check the practice mails a payer that paid a claim twice
(found by a new-user trial, stop 46: an overpaid claim left "Payers overpaid" only when the
payer took the money back itself). The ledger practice with its duplicate payment: L14 (Remy
Reed), Acme paid 56 twice, so Acme is owed 56 back (tests/entry/test_payer_refunds.py)."""

from __future__ import annotations

from decimal import Decimal

from streamlit.testing.v1 import AppTest

from metdash import worklists
from metdash.store import Database
from tests import ledger_practice

SUBMIT = "FormSubmitter:payer_refund-Record the refund"


def _page(tmp_path, monkeypatch, **state):
    db = ledger_practice.build(Database(tmp_path / "p.duckdb"))
    with db.transaction() as con:
        con.execute(ledger_practice.DUPLICATE_PAYMENT)
        con.execute("UPDATE practice SET is_demo = TRUE")  # opens without signing in
    monkeypatch.setenv("METDASH_DB", str(db.path))
    at = AppTest.from_file("../../pages/balances.py", default_timeout=30)
    at.session_state["balances_tab"] = "Refund a payer"
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return db, at


def test_the_work_lists_row_opens_the_claim_and_the_refund_is_recorded(tmp_path, monkeypatch):
    action = worklists.ROW_ACTIONS["payers_overpaid"]
    assert (action.page, action.tab, action.pick, action.column) == (
        "balances.py", "Refund a payer", "pr_claim", "claim_id")
    # What ui.open_with leaves behind for the row L14.
    db, at = _page(tmp_path, monkeypatch, **{"_pick-pr_claim": "L14"})
    assert at.selectbox(key="pr_claim").value == "L14 - Reed, Remy - overpaid $56.00"
    assert ("Acme Health: \\$112.00 paid on this claim (net), the last payment on May 09, "
            "2025") in " ".join(m.value for m in at.markdown)
    assert at.text_input(key="pr_amount_L14").value == "56.00"
    # No check number: refused, with what to do, and nothing written.
    at.button(key=SUBMIT).click().run()
    assert "Check or EFT number is missing" in " ".join(e.value for e in at.error)
    assert db.scalar("SELECT count(*) FROM payer_refunds") == 0
    at.text_input(key="pr_ref").set_value("1042")
    at.button(key=SUBMIT).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Refund of $56.00 to Acme Health on claim L14 recorded." in at.success[0].value
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = 'L14'") \
        == Decimal("0.00")
    assert "No payer has paid more than it owes on a claim." in at.success[-1].value
    sent = next(d.value for d in at.dataframe if "reference" in d.value.columns)
    assert sent[["claim_id", "payer", "amount", "method", "reference"]].values.tolist() == [
        ["L14", "Acme Health", Decimal("56.00"), "check", "1042"]]


def test_a_refund_larger_than_the_overpayment_is_refused(tmp_path, monkeypatch):
    db, at = _page(tmp_path, monkeypatch)
    [label] = [o for o in at.selectbox(key="pr_claim").options if o]
    at.selectbox(key="pr_claim").set_value(label).run()
    at.text_input(key="pr_amount_L14").set_value("112.00")
    at.text_input(key="pr_ref").set_value("1042")
    at.button(key=SUBMIT).click().run()
    assert ("Amount $112.00 is more than Acme Health overpaid on claim L14 ($56.00): refund "
            "at most that.") in " ".join(e.value for e in at.error).replace("\\$", "$")
    assert db.scalar("SELECT count(*) FROM payer_refunds") == 0


def test_presentation_mode_names_no_client(tmp_path, monkeypatch):
    _db, at = _page(tmp_path, monkeypatch, _present=True)
    options = at.selectbox(key="pr_claim").options
    assert "L14 - client R - overpaid $56.00" in options
    assert not any("Reed" in o for o in options)
