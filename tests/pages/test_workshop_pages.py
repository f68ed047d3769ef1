"""AppTest: the weekly referral review shows metdash.weekly's numbers (the export's source),
the scenario page works out and validates, Reset demo rebuilds the demo, and presentation
mode keeps client names, birth dates and member ids off every page and download."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metdash import report, weekly
from metdash.store import Database
from tests.test_weekly import WEEK, build

PAGES = Path(__file__).resolve().parents[2] / "pages"


def run_page(name: str, monkeypatch, db_path: Path, present: bool = False,
             **query: str) -> AppTest:
    monkeypatch.setenv("METDASH_DB", str(db_path))
    monkeypatch.setenv("METDASH_PRESENT", "1" if present else "0")
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def weekly_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("weekly_page") / "weekly.duckdb"
    build(Database(path))
    return path


def test_weekly_page_shows_the_reviews_numbers(monkeypatch, weekly_db):
    at = run_page("weekly_review", monkeypatch, weekly_db, week="2025-03-26")
    review = weekly.weekly_review(Database(weekly_db), WEEK)
    # The tiles are the export's tiles (report.summary_tiles), value for value.
    assert [(m.label, m.value) for m in at.metric] == [
        (label, value) for _, label, value in report.summary_tiles(review)]
    assert all(m.help for m in at.metric)
    # The week is snapped to its Monday and kept in the URL.
    assert at.query_params["week"] in ("2025-03-24", ["2025-03-24"])
    tables = [t.value for t in at.dataframe]
    names = [list(t["name"]) for t in tables if "name" in t.columns]
    assert ["Able, Amy", "Dunn, Di"] in names                  # movers up
    assert ["Cole, Cy"] in names                               # movers down
    assert ["Baker, Bo"] in names      # lapsed (tests/test_weekly.py)
    assert len(at.get("plotly_chart")) == 3


@pytest.mark.parametrize("present", [False, True])
def test_weekly_charts_are_stacked_on_a_projector(monkeypatch, weekly_db, present):
    """Side by side in presentation mode, the projector's type cut the first chart's title
    ("Referrals per week, by kind of referre"; a new-user trial): one above the other, as
    every page's chart pairs are (ui.chart_row)."""
    at = run_page("weekly_review", monkeypatch, weekly_db, present=present, week="2025-03-26")
    pair = {"weeks", "movers"}
    assert pair <= {c.key for c in at.get("plotly_chart")}
    in_columns = {c.key for col in at.columns for c in col.get("plotly_chart")} & pair
    assert in_columns == (set() if present else pair)


def test_weekly_page_on_the_demo_opens_on_the_last_full_week(monkeypatch, demo_db_path):
    at = run_page("weekly_review", monkeypatch, demo_db_path)
    # The demo runs to 2026-06-30: the last full week is Jun 22-28.
    assert at.query_params["week"] in ("2026-06-22", ["2026-06-22"])
    assert not at.error
    for chart in at.get("plotly_chart"):
        assert '"data"' in chart.proto.spec


def test_scenario_page_works_out_the_default_case(monkeypatch, demo_db_path):
    at = run_page("scenario", monkeypatch, demo_db_path)
    values = {m.label: m.value for m in at.metric}
    assert set(values) == {"Break-even insured visits a week", "Net per insured visit",
                           "Revenue, with insurance", "Cash collected, with insurance",
                           "Staying self-pay"}
    # 110 × 30 × 52/12 × 12 = 171,600.
    assert values["Staying self-pay"] == "$171,600"
    assert len(at.get("plotly_chart")) == 2
    # Reset demo is offered on the demo practice.
    assert any(b.label == "Reset demo" for b in at.button)
    # The month table's visits are visits, not dollars (a new-user tour saw "$65.00"); the
    # payers' types read as words, not code names ("medicare_advantage").
    import json

    table = next(d for d in at.dataframe if "insured_visits" in d.value.columns)
    config = json.loads(table.proto.columns)
    assert config["insured_visits"].get("type_config", {}).get("format") != "dollar"
    assert config["insured_revenue"]["type_config"]["format"] == "dollar"
    assert config["insured_revenue"]["type_config"]["step"] == 1   # a projection: no cents
    # Headed in words, "self-pay" as everywhere else (it read "Selfpay revenue"). The cash so
    # far (the cumulative chart) is left to the downloads: ten columns ran past 1280 px.
    assert [config[c]["label"] for c in table.value.columns] == [
        "Month", "Staying self-pay", "Insured visits", "Insured revenue", "Revenue", "Cash",
        "Revenue vs self-pay", "Cash vs self-pay"]
    assert len(table.value) == 12
    assert [b.label for b in at.get("download_button")][:2] == ["Download CSV",
                                                               "Download Excel"]
    editor = next(d for d in at.dataframe if "payer_type" in d.value.columns)
    types = set(editor.value.payer_type)
    assert types and not any("_" in t or t != t.capitalize() for t in types), types


def test_scenario_page_lists_every_problem(monkeypatch, demo_db_path):
    at = run_page("scenario", monkeypatch, demo_db_path)
    at.number_input[0].set_value(0.0)        # self-pay rate
    at.number_input[2].set_value(99.0)       # kept more than now
    at.run()
    assert at.error, "no problem shown"
    text = at.error[0].value
    assert "Self-pay rate" in text and "Self-pay visits a week that stay self-pay" in text
    assert not at.metric


def test_scenario_page_never_shows_the_figures_of_a_number_no_longer_in_its_box(
        monkeypatch, demo_db_path):
    """Found by a new-user trial (stop 46): a denial rate of 150 was refused by the box
    itself, on hover only, and the page went on showing the figures for 8 %; a self-pay rate
    of 1e12 was taken as it was. Now the number typed is the one checked, and said."""
    at = run_page("scenario", monkeypatch, demo_db_path)
    assert at.metric
    denial = [n for n in at.number_input if n.label.startswith("Denial rate")][0]
    denial.set_value(150.0).run()
    assert not at.exception
    assert "Denial rate: enter a share from 0 to just under 100%." in at.error[0].value
    assert not at.metric
    denial.set_value(8.0).run()
    rate = [n for n in at.number_input if n.label.startswith("Self-pay rate")][0]
    rate.set_value(1e12).run()
    assert "is not a visit's rate; enter at most" in at.error[0].value
    assert not at.metric


def test_reset_demo_rebuilds_the_demo_and_says_how_long(monkeypatch, demo_db_path, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    db = Database(path)
    db.scalar("SELECT 1")
    with db.transaction() as con:            # a workshop participant's change
        con.execute("DELETE FROM referrals WHERE referral_id = 1")
    at = run_page("scenario", monkeypatch, path)
    next(b for b in at.button if b.label == "Reset demo").click().run()
    assert not at.exception
    assert any("Demo reset in" in s.value for s in at.success)
    assert db.scalar("SELECT count(*) FROM referrals WHERE referral_id = 1") == 1
    # Same seed, same size (about 6,000 lines), as of today.
    after = db.query("SELECT after FROM audit_log WHERE action = 'demo generated' "
                     "ORDER BY audit_id DESC LIMIT 1").after[0]
    assert '"seed": 11' in after


def test_reset_is_not_offered_on_a_real_practice(monkeypatch, weekly_db):
    at = run_page("scenario", monkeypatch, weekly_db)
    assert not any(b.label == "Reset demo" for b in at.button)


# -- presentation mode ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def client_secrets(demo_db_path) -> dict[str, set[str]]:
    """The demo's client names (those no referrer or provider shares), birth dates and
    member ids."""
    db = Database(demo_db_path)
    cl = db.query("SELECT c.last_name, c.first_name, c.dob, c.phone, c.address_line1, "
                  "v.member_id FROM clients c LEFT JOIN coverages v USING (client_id)")
    others = set(db.query("SELECT name FROM referrers UNION SELECT last_name || ', ' || "
                          "first_name FROM providers").name)
    names = {f"{a}, {b}" for a, b in zip(cl.last_name, cl.first_name, strict=True)} - others
    return {"names": names, "dobs": {d.isoformat() for d in cl.dob},
            "members": set(cl.member_id.dropna()),
            "contacts": set(cl.phone.dropna()) | set(cl.address_line1.dropna())}


def shown_text(at: AppTest) -> str:
    parts = []
    for df in at.dataframe:
        v = df.value
        parts += [str(x) for x in v.astype(str).to_numpy().ravel()]
    for el in list(at.selectbox) + list(at.multiselect):
        parts += [str(o) for o in el.options]
    for el in list(at.markdown) + list(at.caption) + list(at.info) + list(at.text):
        parts.append(str(el.value))
    return "\n".join(parts)


@pytest.mark.parametrize("page", sorted(p.stem for p in PAGES.glob("*.py")))
def test_presentation_mode_masks_clients_on_every_page(page, monkeypatch, demo_db_path,
                                                       client_secrets):
    at = run_page(page, monkeypatch, demo_db_path, present=True,
                  **{"from": "2025-07-01", "to": "2026-06-30"})
    text = shown_text(at)
    leaks = ([n for n in client_secrets["names"] if n in text][:3]
             + [d for d in client_secrets["dobs"] if d in text][:3]
             + [m for m in client_secrets["members"] if m in text][:3]
             + [c for c in client_secrets["contacts"] if c in text][:3])
    assert not leaks, leaks


def test_presentation_toggle_is_in_the_sidebar_and_follows_the_environment(monkeypatch,
                                                                           demo_db_path):
    on = run_page("overview", monkeypatch, demo_db_path, present=True)
    assert on.toggle(key="w_present").value is True
    off = run_page("overview", monkeypatch, demo_db_path, present=False)
    assert off.toggle(key="w_present").value is False
    off.toggle(key="w_present").set_value(True).run()
    assert off.session_state["_present"] is True


def test_presentation_mode_is_kept_in_the_url_and_turning_it_off_asks(monkeypatch,
                                                                      demo_db_path,
                                                                      client_secrets):
    """Issue 17, item 4: a reload lost presentation mode and put real names on the projector."""
    at = run_page("overview", monkeypatch, demo_db_path, present=True)
    assert at.query_params["present"] == "1"  # what a reload or a copied link carries
    # A reload: a new session, the environment not set, the URL as it was.
    monkeypatch.setenv("METDASH_DB", str(demo_db_path))
    monkeypatch.setenv("METDASH_PRESENT", "0")
    again = AppTest.from_file(str(PAGES / "balances.py"), default_timeout=90)
    again.query_params["present"] = "1"
    again.run()
    assert not again.exception
    assert again.toggle(key="w_present").value is True
    text = shown_text(again)
    assert not [n for n in client_secrets["names"] if n in text][:3]
    assert again.query_params["present"] == "1"  # the filters' rewrite of the URL keeps it
    # Turning it off asks first: until confirmed it stays on.
    again.toggle(key="w_present").set_value(False).run()
    assert again.session_state["_present"] is True
    assert again.toggle(key="w_present").value is True
    keep = [b for b in again.button if b.key == "w_present_off"]
    assert keep, "the confirmation offers to show real names"
    keep[0].click().run()
    assert again.session_state["_present"] is False
    assert "present" not in again.query_params


def _download_script():
    import pandas as pd
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    from metdash import auth, ui
    from metdash.ui import session

    # A signed-in owner (allowed to see client details) in presentation mode.
    session.sign_in(auth.User("tester", "Tester", "owner"))
    got = st.session_state.setdefault("got", [])
    original = DeltaGenerator.download_button

    def record(self, label, data, *args, **kwargs):
        data_now = data() if callable(data) else data  # files are built on click
        got.append(data_now if isinstance(data_now, bytes) else str(data_now).encode())
        return original(self, label, data, *args, **kwargs)

    DeltaGenerator.download_button = record
    try:
        frame = pd.DataFrame({"client_id": ["CL1"], "client_name": ["Alpha, Ann"],
                              "dob": ["1950-01-01"], "member_id": ["1EG4TE5MK72"]})
        ui.table(frame, key="t", download="clients")
    finally:
        DeltaGenerator.download_button = original


def test_downloads_are_masked_in_presentation_mode(monkeypatch):
    monkeypatch.setenv("METDASH_PRESENT", "1")
    at = AppTest.from_function(_download_script, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    csv_bytes, xlsx_bytes = at.session_state["got"][:2]
    assert b"Alpha" not in csv_bytes and b"1950-01-01" not in csv_bytes
    assert b"1EG4TE5MK72" not in csv_bytes and b"A\xe2\x80\xa2\xe2\x80\xa2" in csv_bytes
    import io

    xl = pd.read_excel(io.BytesIO(xlsx_bytes))
    assert "Alpha, Ann" not in xl.to_csv() and "1EG4TE5MK72" not in xl.to_csv()
    table = at.dataframe[0].value
    assert list(table.client_name) == ["A•••, A•••"]


def test_weekly_page_prepares_the_pdf(monkeypatch, weekly_db):
    at = run_page("weekly_review", monkeypatch, weekly_db, week="2025-03-24")
    assert not any(b.label == "Download the PDF" for b in at.get("download_button"))
    next(b for b in at.button if b.label == "Prepare the one-page PDF").click().run()
    assert not at.exception, [e.value for e in at.exception]
    made = at.session_state["_weekly_pdf"]
    assert made[0].isoformat() == "2025-03-24" and made[2].startswith(b"%PDF")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the PDF" in labels


def test_the_weekly_export_shows_no_client_in_presentation_mode(demo_db_path, client_secrets,
                                                                 tmp_path):
    import subprocess

    review = weekly.weekly_review(Database(demo_db_path), today=pd.Timestamp("2026-06-30")
                                  .date())
    text = report.weekly_csv(review, present=True)
    pdf = tmp_path / "w.pdf"
    pdf.write_bytes(report.weekly_pdf(review, present=True, charts=False))
    if shutil.which("pdftotext"):
        text += subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout
        assert "client details masked" in text
    leaks = ([n for n in client_secrets["names"] if n in text][:3]
             + [d for d in client_secrets["dobs"] if d in text][:3]
             + [m for m in client_secrets["members"] if m in text][:3]
             + [c for c in client_secrets["contacts"] if c in text][:3])
    assert not leaks, leaks


def test_weekly_page_rounds_for_the_screen_only(monkeypatch, weekly_db):
    at = run_page("weekly_review", monkeypatch, weekly_db, week="2025-03-24")
    kinds = next(t.value for t in at.dataframe if "referrers" in t.value.columns)
    # Physicians' 12-week average 2/12 = 0.1667 shows as 0.17, in words.
    assert kinds.set_index("kind").loc["Physician", "avg_12w"] == pytest.approx(0.17)
    # The CSV behind the download keeps the review's own values.
    review = weekly.weekly_review(Database(weekly_db), WEEK)
    assert "physician" in report.weekly_csv(review)
