"""AppTest: the payer scorecards page compares every payer, shows one payer's card with the
numbers tests/test_scorecard.py works out by hand, offers its PDF, and shows no client in
presentation mode."""

from __future__ import annotations

import json
import re

import pytest

from metdash.store import Database
from tests.pages.test_dashboard_pages import run_page

Q1 = {"from": "2025-01-01", "to": "2025-03-31"}
DEMO_SPAN = {"from": "2025-07-01", "to": "2026-06-30"}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Balances and the waiting are taken today (the page): the small practice is looked at
    on 2025-03-31, the end of Q1 (tests/test_scorecard.py's hand numbers), the demo on its
    own day."""
    import datetime as dt

    from metdash import ui

    monkeypatch.setattr(ui, "today", lambda: dt.date(2025, 3, 31))
    return monkeypatch


def _demo_day(monkeypatch) -> None:
    import datetime as dt

    from metdash import ui

    monkeypatch.setattr(ui, "today", lambda: dt.date(2026, 6, 30))


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader]
    return "\n".join(parts)


def test_side_by_side_and_one_payers_card(monkeypatch, small_db_path):
    at = run_page("payers", monkeypatch, small_db_path, **Q1)
    assert not at.error, [e.value for e in at.error]
    side = at.dataframe[0].value
    assert side.payer.tolist() == ["Medicare", "Acme Health"]  # most paid first
    # Short headings (the denial rate was cut at 1280 px), each with the catalogue's
    # definition in its tooltip.
    config = json.loads(at.dataframe[0].proto.columns)
    assert [config[c]["label"] for c in side.columns[:10]] == [
        "Payer", "Claims", "Paid", "Share", "Allowed / visit", "Paid / visit", "Median days",
        "90th pct. days", "Denial rate", "First-pass"]
    assert all(config[c].get("help") for c in side.columns if c != "payer")
    assert len(at.get("plotly_chart")) == 4
    # Medicare's card first (tests/test_scorecard.py; the practice's own fee of 80 for
    # 97110, so nothing is underpaid here).
    t = tiles(at)
    assert (t["Paid"], t["Share of revenue"], t["Allowed / visit"], t["Paid / visit"]) == (
        "$200", "57.1%", "$83.33", "$66.67")   # over the 3 visits Medicare answered
    # Beside Paid, the part of it paid as a secondary on other payers' claims (none here),
    # with its definition: Paid counts it, Allowed does not (a new-user trial read the
    # demo's Medicaid as paying more than it allowed).
    from metdash.metrics import CATALOGUE
    assert [m.label for m in at.metric][:2] == ["Paid", "Of it as secondary"]
    secondary = next(m for m in at.metric if m.label == "Of it as secondary")
    assert (secondary.value, secondary.help) == ("$0", CATALOGUE["paid_as_secondary"].definition)
    assert (t["Days to pay, median"], t["Days to pay, p90"], t["Denial rate"],
            t["First-pass"]) == ("14 d", "14 d", "33.3%", "66.7%")
    clean = next(m for m in at.metric if m.label == "Clean-claim rate")
    assert clean.value == "no 277CA" and "no claim of this payer has an outcome" in clean.help
    assert all(m.help for m in at.metric)
    # At 10 % a year: denied 100 + underpaid 0 + 11,556 dollar-days × 0.10 ÷ 365 = 3.17.
    at.number_input(key="money_rate").set_value(10.0).run()
    assert "What Medicare costs you: \\$103.17" in texts(at)
    # The other payer's card: Acme paid 150 of 350.
    at.selectbox(key="card_payer").set_value("Acme Health").run()
    assert not at.exception
    assert (tiles(at)["Paid"], tiles(at)["Share of revenue"]) == ("$150", "42.9%")
    assert "What Acme Health costs you" in texts(at)
    buttons = [e for e in at.get("download_button")
               if "scorecard" in str(getattr(e, "proto", ""))]
    assert buttons, "no PDF download button"


def test_the_sidebar_payer_filter_picks_the_card_not_the_comparison(monkeypatch,
                                                                    small_db_path):
    at = run_page("payers", monkeypatch, small_db_path, payer="2", **Q1)
    assert at.selectbox(key="card_payer").value == "Acme Health"
    assert len(at.dataframe[0].value) == 2
    # Picked in the sidebar on the page: the card follows (it stayed on the first payer).
    at.multiselect(key="w_payers").set_value([1]).run()
    assert not at.exception
    assert at.selectbox(key="card_payer").value == "Medicare"
    # A payer picked on the card itself stays until the sidebar changes again.
    at.selectbox(key="card_payer").set_value("Acme Health").run()
    at.run()
    assert at.selectbox(key="card_payer").value == "Acme Health"


def test_an_empty_range_says_so(monkeypatch, small_db_path):
    at = run_page("payers", monkeypatch, small_db_path, **{"from": "2030-01-01",
                                                           "to": "2030-01-31"})
    assert any("Nothing to show" in i.value for i in at.info)


def test_demo_practice_in_presentation_mode_shows_no_client(monkeypatch, demo_db_path):
    monkeypatch.setenv("METDASH_PRESENT", "1")
    _demo_day(monkeypatch)
    at = run_page("payers", monkeypatch, demo_db_path, **DEMO_SPAN)
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == 4
    clients = Database(demo_db_path).query("SELECT last_name, first_name FROM clients")
    names = {n for col in ("last_name", "first_name") for n in clients[col] if len(n) > 3}
    assert len(names) > 20
    shown = texts(at)
    for frame in (d.value for d in at.dataframe):
        shown += "\n" + frame.to_csv(index=False)
    # Whole words: the client "Pine" is not the payer "Pinecrest Benefits".
    leaked = sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", shown))
    assert not leaked, leaked[:5]


@pytest.mark.parametrize("payer_index", [1])
def test_every_card_of_the_demo_renders(monkeypatch, demo_db_path, payer_index):
    _demo_day(monkeypatch)
    at = run_page("payers", monkeypatch, demo_db_path, **DEMO_SPAN)
    options = at.selectbox(key="card_payer").options
    at.selectbox(key="card_payer").set_value(options[payer_index]).run()
    assert not at.exception and not at.error
    assert at.metric and all(m.value for m in at.metric)


def test_a_rate_outside_0_to_100_is_said_and_the_rate_in_use_named(monkeypatch, small_db_path):
    # try55 section 15: 150 typed in the rate gave a red outline only, and the old rate stayed
    # in use with no word of the range.
    at = run_page("payers", monkeypatch, small_db_path, **Q1)
    at.number_input(key="money_rate").set_value(10.0).run()
    at.number_input(key="money_rate").set_value(150.0).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The yearly rate is a percentage from 0 to 100: 150 % is not one. The cost of waiting "
        "below still uses 10 %."]
    # Still 10 %: denied 100 + 11,556 dollar-days × 0.10 ÷ 365 = 3.17 (as above).
    assert "What Medicare costs you: \\$103.17" in texts(at)
    at.number_input(key="money_rate").set_value(-1.0).run()
    assert "-1 % is not one" in at.error[0].value
    # Back in range: no error, the new rate priced (8 %: 11,556 × 0.08 ÷ 365 = 2.53).
    at.number_input(key="money_rate").set_value(8.0).run()
    assert not at.error and "What Medicare costs you: \\$102.53" in texts(at)
