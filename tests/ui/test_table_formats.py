"""Grids show money as money and words as headings, on screen and in downloads (issue 17,
item 9: work lists, claim drafts and the fee schedule showed "162", `allowed_amount` and row
numbers)."""

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
from streamlit.testing.v1 import AppTest

from metdash.ui.widgets import _format_of, _longest_allowed, _text_width, table_labels


def test_a_column_is_formatted_by_what_it_holds():
    assert _format_of(pd.Series([Decimal("162.00"), None, Decimal("-3.50")])) == "money"
    assert _format_of(pd.Series([dt.date(2026, 11, 9), None])) == "date"
    assert _format_of(pd.Series(pd.to_datetime(["2026-11-09"]))) == "date"
    assert _format_of(pd.Series([3, 4])) is None          # counts stay counts
    assert _format_of(pd.Series(["C1", "C2"])) is None
    assert _format_of(pd.Series([None, None])) is None


def test_a_text_column_is_as_wide_as_its_words_up_to_medium():
    # Codes and short words: the grid's own sizing.
    assert _text_width(pd.Series(["C0000916", "MX000069"]), "Claim") is None
    assert _text_width(pd.Series([Decimal("1.00")]), "Paid") is None
    # A status of 14 letters gets room for 14 (it took "medium", 200 px, and pushed the
    # insurance balance off a 1280 px screen), and less than a payer's long name.
    status = _text_width(pd.Series(["Submitted", "Partially paid"]), "Status")
    payer = _text_width(pd.Series(["Medicare Part B (demo jurisdiction)"]), "Payer")
    assert status is not None and 100 <= status < 150 and payer == 200
    # A table of nine columns or more gives a name at most 160 (Revenue by payer ran past
    # 1280 px)
    assert _text_width(pd.Series(["Medicare Part B (demo jurisdiction)"]), "Payer", 160) == 160
    assert _longest_allowed(9) == 160 and _longest_allowed(8) == 200
    # A table of four columns or fewer has room for a denial reason's words (cut at 200 px:
    # "More visits than the payer thinks the diagnosis support")
    reason = pd.Series(["More visits than the payer thinks the diagnosis supports"])
    assert _longest_allowed(4) == 360
    assert _text_width(reason, "Description", _longest_allowed(4)) == 360   # 56 letters: 380
    assert _text_width(reason, "Description", _longest_allowed(5)) == 200
    # A long heading over values of 12 letters is not cut
    assert _text_width(pd.Series(["Lakeside HMO"]), "Referring provider's practice") > \
        _text_width(pd.Series(["Lakeside HMO"]), "Payer")


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


def _projection_script():
    from decimal import Decimal

    import pandas as pd

    from metdash import ui

    revenue = [Decimal("25071.28"), Decimal("5973.76"), Decimal("-1176.24"), Decimal("0.50"),
               Decimal("-0.50"), None] + [Decimal("14300.00")] * 6
    ui.table(pd.DataFrame({"month": range(1, 13), "revenue": revenue}),
             key="m", formats={"revenue": "dollars"}, height="all")


def test_a_projection_is_shown_in_whole_dollars_every_row_at_once(monkeypatch):
    # The workshop's twelve months: dollars without cents (a step of 1), and all twelve rows
    # (a header and 12 rows of 35 px), not ten and a scroll.
    import streamlit as st

    from metdash.ui.widgets import table_height

    heights = []
    drawn = st.dataframe

    def dataframe(*args, **kwargs):
        heights.append(kwargs.get("height"))
        return drawn(*args, **kwargs)

    monkeypatch.setattr(st, "dataframe", dataframe)
    at = AppTest.from_function(_projection_script).run()
    assert not at.exception
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["revenue"]["type_config"]["format"] == "dollar"
    assert config["revenue"]["type_config"]["step"] == 1
    # rounded to the dollar, half up (the grid itself cuts to its step: 5,973.76 -> 5,973)
    shown = at.dataframe[0].value.revenue.tolist()
    assert shown[:5] == [25071, 5974, -1176, 1, -1] and pd.isna(shown[5])
    assert heights == [35 * 13 + 3] and table_height(12, "all") == 35 * 13 + 3
    assert table_height(12) == 35 * 11 + 3   # "auto": ten rows, then a scroll


def test_a_table_of_many_columns_gives_a_long_name_less_room_and_of_few_more():
    from metdash.ui.widgets import _prepared

    long = "Medicare Part B (demo jurisdiction)"
    few = pd.DataFrame({"payer": [long], "claims": [3], "paid": [Decimal("1.00")]})
    some = few.assign(n0=[0], n1=[1])
    many = few.assign(**{f"n{i}": [i] for i in range(6)})
    # three columns: the whole name (35 letters, 6.5 px each, and 16)
    assert _prepared(few, {}, {}, False, True)[0]["payer"]["width"] == 244
    assert _prepared(some, {}, {}, False, True)[0]["payer"]["width"] == 200
    assert len(many.columns) == 9
    assert _prepared(many, {}, {}, False, True)[0]["payer"]["width"] == 160


def _risk_script():
    import pandas as pd

    from metdash import ui

    ui.table(pd.DataFrame({"claim_id": ["C1", "C2", "C3", "C4"],
                           "denial_risk": [0.9474, 0.1445, 0.5, None],
                           "payer_denial_rate": [0.0571, 0.19507, 0.0, 1.0]}),
             key="risk", download="risk")


def test_a_rate_reads_to_a_tenth_of_a_percent_as_on_the_tiles(monkeypatch):
    # Denial risk read "94.74%" (a model's estimate to a hundredth of a percent: false
    # precision; a new-user trial) while the tiles and reports write a rate as "94.7%"
    # (metrics.format_value). Grids show one decimal (a step of 0.001 on a percent column),
    # the value rounded a half away from zero first (0.1445 is 14.5%: the grid's own
    # rounding reads the float 0.14449999...), and the CSV keeps what is shown.
    from metdash import exports

    written = []
    real = exports.frame_csv
    monkeypatch.setattr(exports, "frame_csv", lambda f: written.append(real(f)) or written[-1])
    at = AppTest.from_function(_risk_script, default_timeout=30).run()
    assert not at.exception
    config = json.loads(at.dataframe[0].proto.columns)
    for col in ("denial_risk", "payer_denial_rate"):
        assert config[col]["type_config"] == {"type": "number", "format": "percent", "step": 0.001}
    shown = at.dataframe[0].value
    assert shown.denial_risk.tolist()[:3] == [0.947, 0.145, 0.5]
    assert pd.isna(shown.denial_risk.tolist()[3])
    assert shown.payer_denial_rate.tolist() == [0.057, 0.195, 0.0, 1.0]
    assert written[0].splitlines()[1:3] == ["C1,0.947,0.057", "C2,0.145,0.195"]


def test_money_and_days_reach_the_grid_as_shown():
    # The grid's hidden copy for screen readers read the value given to it: Revenue by
    # payer's "Per visit" as 67.33333333333333 (a new-user trial). Money goes to the grid to
    # the cent, days to a tenth, as they are shown ($67.33, 12.3); a Decimal stays exact.
    from metdash.ui.widgets import _prepared

    frame = pd.DataFrame({"per_visit": [202 / 3, 10.005, None],
                          "median_days": [12.25, 7.0, None],
                          "paid": [Decimal("1.10"), Decimal("2.00"), None]})
    _, data = _prepared(frame, {"per_visit": "money", "median_days": "days",
                                "paid": "money"}, {}, False, True)
    shown = data.to_pandas()
    assert shown.per_visit.tolist()[:2] == [67.33, 10.01]
    assert shown.median_days.tolist()[:2] == [12.3, 7.0]
    assert shown.paid.tolist()[:2] == [1.10, 2.00]
