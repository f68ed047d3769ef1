"""AppTest: the Cash forecast page on the demo practice -- the weeks, the band, the backtest
against the naive forecast, a tooltip on every number, and the plain verdict."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metdash import refresh, ui
from metdash.metrics import CATALOGUE

PAGE = Path(__file__).resolve().parents[2] / "pages" / "forecast.py"


def run(monkeypatch, db_path: Path, today: str) -> AppTest:
    monkeypatch.setenv("METDASH_DB", str(db_path))
    monkeypatch.setattr(ui, "today", lambda: dt.date.fromisoformat(today))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if _backtest_pending(at):   # nothing kept for this store yet: drawn once it is
        refresh.settle(120)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def _backtest_pending(at: AppTest) -> bool:
    return any("is being worked out now" in i.value for i in at.info)


def test_nothing_kept_the_coming_weeks_are_drawn_first_then_the_backtest(monkeypatch,
                                                                          demo_db_path,
                                                                          tmp_path):
    """Nothing kept (a new or restored store): the page waits for nothing. It says the
    forecast is being worked out, draws the coming weeks once they are, then their backtest
    once that is kept (it checks back every second)."""
    import shutil
    import threading

    from metdash.forecast import outlook as fc

    shutil.copy(demo_db_path, tmp_path / "fresh.duckdb")   # no outlook kept beside it
    monkeypatch.setenv("METDASH_DB", str(tmp_path / "fresh.duckdb"))
    monkeypatch.setattr(ui, "today", lambda: dt.date(2026, 6, 30))
    first, rest = threading.Event(), threading.Event()
    real_first, real_finish = fc.forecast_first, fc.finish_outlook
    monkeypatch.setattr(fc, "forecast_first",
                        lambda *a, **k: (first.wait(60), real_first(*a, **k))[1])
    monkeypatch.setattr(fc, "finish_outlook",
                        lambda *a, **k: (rest.wait(60), real_finish(*a, **k))[1])
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    assert not at.exception and not at.error
    assert [i.value for i in at.info][-1:] == [
        "The forecast of the next 8 weeks (each open claim placed by its payer's own history) "
        "is being worked out now, in the background: it is shown here when it is ready (a few "
        "seconds on a large practice)."]
    assert not at.dataframe and not at.get("plotly_chart")
    first.set()
    choice = refresh.outlook(__import__("metdash.store").store.Database(
        tmp_path / "fresh.duckdb"), dt.date(2026, 6, 30), 8)
    for _ in range(1200):
        if refresh.outlook_first(choice, dt.date(2026, 6, 30), 8) is not None:
            break
        threading.Event().wait(0.05)
    at.run()
    assert not at.exception and not at.error
    assert len(at.dataframe[0].value) == 8 and len(at.get("plotly_chart")) == 1
    assert _backtest_pending(at) and not at.metric   # the backtest: not yet
    # nor the band, which adds the error of the forecasts made before (no empty columns)
    assert "p10" not in at.dataframe[0].value.columns
    assert any(c.value.startswith("The band (low p10, high p90) comes with the check below")
               for c in at.caption)
    rest.set()
    refresh.settle(120)
    at.run()
    assert not _backtest_pending(at)
    assert {m.label for m in at.metric} == {"Forecast MAPE", "Naive MAPE", "Inside the band",
                                            "Error in the band"}
    assert "p10" in at.dataframe[0].value.columns
    assert len(at.dataframe) == 2 and len(at.get("plotly_chart")) == 2


def test_forecast_page_on_the_demo(monkeypatch, demo_db_path):
    at = run(monkeypatch, demo_db_path, "2026-06-30")
    assert not at.error, [e.value for e in at.error]
    charts = at.get("plotly_chart")
    assert len(charts) == 2 and all('"data"' in c.proto.spec for c in charts)
    tiles = {m.label: m for m in at.metric}
    assert set(tiles) == {"Forecast MAPE", "Naive MAPE", "Inside the band", "Error in the band"}
    for name in ("forecast_mape", "forecast_naive_mape", "forecast_inside_band",
                 "forecast_band_error"):
        tile = tiles[CATALOGUE[name].short_label]
        assert tile.help.startswith(CATALOGUE[name].definition)
        assert tile.value.endswith("%")
    # the verdict says plainly whether the forecast beat the naive one
    verdicts = [s.value for s in at.success] + [w.value for w in at.warning]
    assert any("beat the naive one" in v for v in verdicts), verdicts
    # both trust figures read the same weeks, and the caption says which
    from metdash.forecast import cash_outlook
    from metdash.store import Database

    summary = cash_outlook(Database(demo_db_path), dt.date(2026, 6, 30), 8).summary
    assert any(c.value.startswith("Forecasts made on each of the last 12 Mondays, ")
               and f"{summary['weeks_with_money']} with money arriving" in c.value
               for c in at.caption), [c.value for c in at.caption]
    narrow = [w.value for w in at.warning if "too narrow to trust" in w.value]
    assert len(narrow) == (summary["inside_band"] < 0.7)
    # the weeks table: 8 coming weeks by default, every number headed from the catalogue
    weeks = at.dataframe[0].value
    assert len(weeks) == 8
    # Short headings, so every part is in view at 1280 px (the last two were past the right
    # edge); each keeps the catalogue's definition in its tooltip.
    config = json.loads(at.dataframe[0].proto.columns)
    assert [config[c]["label"] for c in weeks.columns] == [
        "From", "To", "Expected", "Low (p10)", "High (p90)", "Open claims",
        "Denied / part paid", "Not sent yet", "Not yet rendered", "Patients"]
    for col in ("expected", "not_submitted", "new_services", "patient"):
        name = "forecast_" + col
        assert config[col]["help"].startswith(CATALOGUE[name].definition[:60]), col
    assert (weeks.p10 <= weeks.expected).all() and (weeks.expected <= weeks.p90).all()
    assert any("payer and code (at least 40)" in c.value for c in at.caption)


def test_the_weeks_slider_changes_the_horizon(monkeypatch, demo_db_path):
    at = run(monkeypatch, demo_db_path, "2026-06-30")
    at.slider(key="fc_weeks").set_value(4).run()
    assert not at.exception
    if _backtest_pending(at):   # a view nothing was kept for: worked out in the background
        refresh.settle(120)
        at.run()
    assert len(at.dataframe[0].value) == 4


def test_an_empty_store_says_there_is_nothing_to_forecast(monkeypatch, tmp_path):
    from metdash.store import Database

    path = tmp_path / "empty.duckdb"
    with Database(path).connect():
        pass
    at = run(monkeypatch, path, "2026-06-30")
    assert any("Nothing to forecast" in i.value for i in at.info)


def test_a_store_whose_money_stopped_long_ago_says_there_is_nothing_to_measure(monkeypatch,
                                                                             demo_db_path):
    # The demo's history ends 2026-06-30; a year later no money was posted in the backtest's
    # weeks: no MAPE, no verdict either way, a plain note instead.
    at = run(monkeypatch, demo_db_path, "2027-06-30")
    assert not at.error
    assert any("Nothing to measure the forecast against" in i.value for i in at.info)
    assert not at.metric and not at.success and not at.warning


def test_a_young_practice_is_told_why_patient_payments_are_left_out(monkeypatch, tmp_path):
    # tests/forecast/practice.py: ten claims served in April, no patient money at all, as of
    # 06-30: too young for the curves by month of service, and no balance with a client.
    from metdash.store import Database
    from tests.forecast import practice

    path = tmp_path / "young.duckdb"
    practice.build(Database(path)).release()
    at = run(monkeypatch, path, practice.AS_OF)
    assert not at.error
    notes = [i.value for i in at.info if i.value.startswith("Patient payments:")]
    assert len(notes) == 1 and "needs a year of history" in notes[0]
    assert notes[0].endswith("Patient payments are left out of the expected total: no client "
                             "owes a balance with no payment on it yet.")
