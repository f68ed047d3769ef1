"""Grids show money as money and words as headings, on screen and in downloads (issue 17,
item 9: work lists, claim drafts and the fee schedule showed "162", `allowed_amount` and row
numbers)."""

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
from streamlit.testing.v1 import AppTest

from metdash.ui.widgets import _format_of, table_labels


def test_a_column_is_formatted_by_what_it_holds():
    assert _format_of(pd.Series([Decimal("162.00"), None, Decimal("-3.50")])) == "money"
    assert _format_of(pd.Series([dt.date(2026, 11, 9), None])) == "date"
    assert _format_of(pd.Series(pd.to_datetime(["2026-11-09"]))) == "date"
    assert _format_of(pd.Series([3, 4])) is None          # counts stay counts
    assert _format_of(pd.Series(["C1", "C2"])) is None
    assert _format_of(pd.Series([None, None])) is None


def test_headings_are_words_on_screen_and_in_downloads():
    frame = pd.DataFrame(columns=["claim_id", "service_date", "dx_pointers", "allowed_amount",
                                  "total_charge", "cpt", "paid"])
    assert table_labels(frame) == {
        "claim_id": "Claim", "service_date": "Service date",
        "dx_pointers": "Diagnosis pointers", "allowed_amount": "Allowed",
        "total_charge": "Charge", "cpt": "CPT", "paid": "Paid"}


def _worklist_script():
    from decimal import Decimal

    import pandas as pd

    from metdash import ui

    ui.table(pd.DataFrame({"claim_id": ["C1"], "balance_due": [Decimal("162.00")]}),
             key="t", download="list")


def test_a_decimal_column_is_shown_in_dollars_under_a_worded_heading():
    at = AppTest.from_function(_worklist_script).run()
    assert not at.exception
    proto = at.dataframe[0].proto
    config = json.loads(proto.columns)
    assert config["balance_due"]["type_config"]["format"] == "dollar"
    assert config["balance_due"]["label"] == "Balance due"
    assert config["claim_id"]["label"] == "Claim"


def _payers_script():
    import pandas as pd

    from metdash import ui

    ui.table(pd.DataFrame({"name": ["Acme", "Medicare"], "payer_type": ["commercial", "medicare"],
                           "units_rule": ["per_code", "cms"]}), key="p")


def test_a_payers_units_rule_reads_as_the_forms_say_it():
    # Settings' payer table showed "per_code" and "cms" beside forms offering "Per code" and
    # "CMS 8-minute rule".
    at = AppTest.from_function(_payers_script).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown.units_rule.tolist() == ["Per code", "CMS 8-minute rule"]
    assert shown.payer_type.tolist() == ["Commercial", "Medicare"]
