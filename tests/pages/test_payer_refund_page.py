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


def test_a_refund_to_the_payer_is_undone_from_the_list_of_refunds_sent(tmp_path, monkeypatch):
    """Acme sends the check back: the refund is undone, the claim is overpaid again."""
    import datetime as dt

    from metdash import entry

    db, _ = _page(tmp_path, monkeypatch)
    rid = entry.refund_payer(db, entry.PayerRefundIn("L14", 1, "56.00", dt.date(2025, 6, 2),
                                                     "check", "1042"), "bea",
                             as_of=dt.date(2025, 6, 30))
    at = _rerun(db, monkeypatch)
    assert at.selectbox(key="upr_which").options == [
        "claim L14 - Acme Health - $56.00 on Jun 02, 2025, check 1042"]
    at.date_input(key="upr_date").set_value(dt.date(2025, 6, 5))
    at.button(key="FormSubmitter:upr-Undo the refund").click().run()
    assert "Reason is missing" in " ".join(e.value for e in at.error)
    at.text_input(key="upr_reason").set_value("check returned uncashed")
    at.button(key="FormSubmitter:upr-Undo the refund").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = 'L14'") \
        == Decimal("-56.00")
    assert db.scalar("SELECT reverses FROM payer_refunds WHERE amount < 0") == rid
    sent = next(d.value for d in at.dataframe if "reference" in d.value.columns)
    assert sent[["amount", "undone_on", "undo_reason"]].values.tolist() == [
        [Decimal("56.00"), dt.date(2025, 6, 5), "check returned uncashed"]]
    assert "L14 - Reed, Remy - overpaid $56.00" in at.selectbox(key="pr_claim").options
    assert not [s for s in at.selectbox if s.key == "upr_which"]  # nothing left to undo


def _rerun(db, monkeypatch) -> AppTest:
    monkeypatch.setenv("METDASH_DB", str(db.path))
    at = AppTest.from_file("../../pages/balances.py", default_timeout=30)
    at.session_state["balances_tab"] = "Refund a payer"
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_refund_to_a_client_is_undone_from_the_clients_refunds(tmp_path, monkeypatch):
    """Quinn's refund of 10 (05-25) was never sent: undone, his credit is 30 again."""
    import datetime as dt

    db, _ = _page(tmp_path, monkeypatch)
    at = AppTest.from_file("../../pages/balances.py", default_timeout=30)
    at.session_state["balances_tab"] = "What clients owe"
    at.run()
    assert not at.exception, at.exception
    # Closed, its picker is not drawn (nor the clients read for it).
    assert not [t for t in at.text_input if t.key == "ur_client-find"]
    at.session_state["ur_open"] = True  # what a click on its header sends
    at.run()
    at.text_input(key="ur_client-find").set_value("Quill").run()
    [quinn] = [o for o in at.selectbox(key="ur_client").options if "Quill" in str(o)]
    at.selectbox(key="ur_client").set_value(quinn).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="ur_which").options == ["$10.00 on May 25, 2025, check"]
    at.date_input(key="ur_date").set_value(dt.date(2025, 5, 25))
    at.text_input(key="ur_reason").set_value("recorded for the wrong client")
    at.button(key="FormSubmitter:ur-Undo the refund").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert db.scalar("SELECT sum(amount) FROM patient_refunds WHERE client_id = 'Q'") \
        == Decimal("0.00")
    given = next(d.value for d in at.dataframe if "undone_on" in d.value.columns)
    assert given[["undone_on", "undo_reason"]].values.tolist() == [
        [dt.date(2025, 5, 25), "recorded for the wrong client"]]


def test_presentation_mode_shows_no_refund_notes_or_reasons(tmp_path, monkeypatch):
    """Notes and the reasons for an undo are free text (they may name someone)."""
    import datetime as dt

    from metdash import entry

    db, _ = _page(tmp_path, monkeypatch)
    rid = entry.refund_payer(db, entry.PayerRefundIn("L14", 1, "56.00", dt.date(2025, 6, 2),
                                                     "check", "1042", "per Ms Reed's call"),
                             "bea", as_of=dt.date(2025, 6, 30))
    entry.undo_refund(db, entry.RefundUndoIn("payer", rid, dt.date(2025, 6, 5),
                                             "Remy Reed asked"), "bea",
                      as_of=dt.date(2025, 6, 30))
    monkeypatch.setenv("METDASH_DB", str(db.path))
    at = AppTest.from_file("../../pages/balances.py", default_timeout=30)
    at.session_state["balances_tab"] = "Refund a payer"
    at.session_state["_present"] = True
    at.run()
    assert not at.exception, at.exception
    sent = next(d.value for d in at.dataframe if "reference" in d.value.columns)
    assert "note" not in sent.columns and "undo_reason" not in sent.columns
    assert "Reed" not in sent.to_csv()
