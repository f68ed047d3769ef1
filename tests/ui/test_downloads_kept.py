"""A table's download copy (visible columns, headed as on screen) is built once per frame
object and presentation mode, and is not kept once the frame is gone."""

import gc

import pandas as pd

from metdash.ui import widgets


def test_download_copy_built_once_per_frame():
    frame = pd.DataFrame({"claim_id": ["K1", "K2"], "total_charge": [1, 2]})
    labels = {"claim_id": "Claim", "total_charge": "Charge"}
    first = widgets._for_download(frame, labels, False, True)
    assert list(first.columns) == ["Claim", "Charge"]
    assert widgets._for_download(frame, labels, False, True) is first
    # another mode or heading: built for it
    assert widgets._for_download(frame, labels, True, True) is not first
    assert widgets._for_download(frame, {}, False, True) is not first


def test_download_copy_keeps_the_precision_shown():
    """Found at stop 32: the denial-risk CSV held 0.965123456789 where the page showed 96.51%."""
    frame = pd.DataFrame({"claim_id": ["K1"], "denial_risk": [0.965123456789],
                          "expected": [1234.5678], "days": [12.345], "lines": [3.0],
                          "charge": [pd.NA]})
    out = widgets._for_download(frame, {"denial_risk": "Denial risk"}, False, True,
                                {"denial_risk": 4, "expected": 2, "days": 1, "claim_id": 2})
    assert out.iloc[0].tolist()[:5] == ["K1", 0.9651, 1234.57, 12.3, 3.0]
    assert frame.denial_risk[0] == 0.965123456789   # the frame shown is not changed
    assert "0.9651" in widgets.exports.frame_csv(out)


def _risk_table():
    import pandas as pd

    from metdash import ui

    ui.table(pd.DataFrame({"claim_id": ["K1"], "denial_risk": [0.965123456789],
                           "total_charge": [120.456]}),
             key="risky", download="risky", formats={"total_charge": "money"})


def test_a_tables_csv_has_the_precision_on_screen(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from metdash import exports

    written = []
    real = exports.frame_csv
    monkeypatch.setattr(exports, "frame_csv", lambda f: written.append(real(f)) or written[-1])
    at = AppTest.from_function(_risk_table, default_timeout=30).run()
    assert not at.exception
    assert written == ["Claim,Denial risk,Charge\r\nK1,0.965,120.46\r\n"]   # 96.5% on screen


def test_download_copy_dropped_with_its_frame():
    frame = pd.DataFrame({"claim_id": ["K1"]})
    widgets._for_download(frame, {"claim_id": "Claim"}, False, True)
    key = (id(frame), (("claim_id", "Claim"),), False, True)
    assert key in widgets._DOWNLOADS
    del frame
    gc.collect()
    widgets._for_download(pd.DataFrame({"x": [1]}), {}, False, True)  # an insert sweeps
    assert key not in widgets._DOWNLOADS


def _two_tables():
    import pandas as pd

    from metdash import ui

    ui.table(pd.DataFrame({"claim_id": ["K1", "K2"]}), key="short", download="short")
    ui.table(pd.DataFrame({"claim_id": [f"K{n}" for n in range(5_001)]}), key="long",
             download="long")


def test_a_short_tables_csv_is_made_with_the_page():
    """Found by a new-user trial (stop 32): a CSV made on click is named anew on every rerun,
    and 3 of 37 clicks just after opening an expander (a rerun) got no file and no message.
    A short table's CSV is made with the page, so its name stays while its content does;
    a long table's (and every Excel file) is still made on click."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_two_tables, default_timeout=30).run()
    assert not at.exception
    # A file made with the page has its URL already; one made on click has none yet.
    deferred = {f"{b.proto.label} {b.proto.id.split('-')[-3]}": not b.proto.url
                for b in at.get("download_button")}
    assert deferred == {"Download CSV short": False, "Download Excel short": True,
                        "Download CSV long": True, "Download Excel long": True}, deferred
