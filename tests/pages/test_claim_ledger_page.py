"""Claims → Status: a claim's ledger reads money first (found by a new-user trial at
1280 px: the amounts were cut off to the right of the source and code columns).

The small practice's C1 (tests/small_practice.py): charge 100 sent 01-06; Medicare paid 64,
CO-45 20, PR-2 16 (to Ann, who has no secondary) on 01-20. Read by hand: the rows say
charge 100, payer payment 64, contractual CO-45 20, cost share PR-2 16; after them the payer
owes 0 and Ann 16."""

import shutil

from streamlit.testing.v1 import AppTest

from tests.pages.test_dashboard_pages import PAGES


def test_a_claims_ledger_reads_money_first(monkeypatch, small_db_path, tmp_path):
    path = tmp_path / "small.duckdb"
    shutil.copy(small_db_path, path)
    monkeypatch.setenv("METDASH_DB", str(path))
    at = AppTest.from_file(str(PAGES / "claims.py"), default_timeout=60)
    at.run()
    at.text_input(key="s_claim-find").set_value("C1").run()
    [c1] = [o for o in at.selectbox(key="s_claim").options if o.startswith("C1 ")]
    at.selectbox(key="s_claim").set_value(c1).run()
    assert not at.exception, [e.value for e in at.exception]
    [ledger] = [d.value for d in at.dataframe if "reason" in d.value.columns]
    assert list(ledger.columns) == ["entry_date", "kind", "reason", "amount", "insurance",
                                    "patient", "insurance_balance", "patient_balance",
                                    "destination", "reversal"]
    rows = [(k, r if isinstance(r, str) else None, float(a))
            for k, r, a in zip(ledger.kind, ledger.reason, ledger.amount, strict=True)]
    assert rows[0] == ("Charge", None, 100.0)
    assert set(rows[1:]) == {("Payer payment", None, 64.0), ("Contractual", "CO-45", 20.0),
                             ("Cost share", "PR-2", 16.0)}
    assert (float(ledger.insurance_balance.iloc[-1]), float(ledger.patient_balance.iloc[-1])) \
        == (0.0, 16.0)
