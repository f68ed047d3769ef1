"""The weekly export: the PDF and the CSV carry the numbers of metdash.weekly (the page's
source), the PDF is one readable page, and the command line writes both."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pandas as pd
import pytest
from click.testing import CliRunner

from metdash import report, weekly
from metdash.cli import main
from metdash.store import Database
from tests.test_weekly import WEEK, build


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    return build(Database(tmp_path_factory.mktemp("report") / "weekly.duckdb"))


@pytest.fixture(scope="module")
def review(db) -> weekly.WeeklyReview:
    return weekly.weekly_review(db, WEEK)


def pdf_text(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_summary_tiles_are_the_reviews_numbers(review):
    tiles = {label: value for _, label, value in report.summary_tiles(review)}
    # tests/test_weekly.py works these out by hand.
    assert tiles == {"Referrals this week": "3", "4-week average": "1.0",
                     "12-week average": "0.8", "New referrers": "1",
                     "Lapsed (0 new)": "1", "Conversion (12 mo)": "54%",
                     "Days to 1st session": "2.0", "Paid (12 mo)": "$290"}


def test_halves_round_away_from_zero_as_on_screen(review):
    # As the page's tiles and tables round (a format's ".0f" gave the even neighbour:
    # $290.50 read "$290", a 12.5 % conversion "12%", an average of 0.25 "0.2").
    halves = dataclasses.replace(review, summary={
        **review.summary, "paid_12m": Decimal("290.50"), "conversion_rate_12m": 0.125,
        "avg_4w": 0.25, "days_to_first_session_12m": 2.25})
    tiles = {label: value for _, label, value in report.summary_tiles(halves)}
    assert (tiles["Paid (12 mo)"], tiles["Conversion (12 mo)"], tiles["4-week average"],
            tiles["Days to 1st session"]) == ("$291", "13%", "0.3", "2.3")


def test_tables_only_pdf_says_why_and_shows_every_tile(review, tmp_path):
    data = report.weekly_pdf(review, practice="Weekly Test Practice", charts=False)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "Charts left out" in text
    assert "Week of Mon Mar 24 – Sun Mar 30, 2025" in text
    for _, label, value in report.summary_tiles(review):
        assert label in text and value in text
    # Movers, new and lapsed referrers, per kind, top paid.
    for name in ("Able, Amy", "Dunn, Di", "Cole, Cy", "Baker, Bo"):
        assert name in text
    assert "+1.75" in text and "-0.75" in text


def test_pdf_with_charts_is_one_page_and_renders(review, tmp_path):
    data = report.weekly_pdf(review, practice="Weekly Test Practice", is_demo=True)
    assert len(re.findall(rb"/Type\s*/Page(?![a-z])", data)) == 1  # one page
    if shutil.which("pdftoppm"):
        path = tmp_path / "weekly.pdf"
        path.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path),
                        str(tmp_path / "page")], check=True)
        pngs = list(tmp_path.glob("page*.png"))
        assert len(pngs) == 1 and pngs[0].stat().st_size > 10_000
    text = pdf_text(data, tmp_path)
    # Either the charts are in (a browser was found) or the page says they were left out.
    has_images = b"/Subtype /Image" in data
    assert has_images or "Charts left out" in text


def test_csv_has_the_same_numbers(review):
    frame = pd.read_csv(io.StringIO(report.weekly_csv(review)), dtype=str)
    summary = frame[frame.section == "summary"].set_index("figure").value
    assert summary["week_referrals"] == "3"
    assert summary["paid_12m"] == "290.00"
    assert summary["conversion_rate_12m"] == str(round(7 / 13, 4))
    movers = frame[frame.section == "movers_up"]
    assert list(movers.name) == ["Able, Amy", "Dunn, Di"]
    lapsed = frame[frame.section == "lapsed_referrers"]
    assert list(lapsed.lapsed_on) == ["2025-03-18"]  # Baker (tests/test_weekly.py)


def test_cli_writes_csv_and_pdf(db, review, tmp_path):
    runner = CliRunner()
    out = tmp_path / "week.csv"
    result = runner.invoke(main, ["report", "weekly", "--db", str(db.path), "--week",
                                  "2025-03-26", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 referrals" in result.output
    assert out.read_bytes().decode("utf-8") == report.weekly_csv(review)
    pdf = tmp_path / "week.pdf"
    result = runner.invoke(main, ["report", "weekly", "--db", str(db.path), "--week",
                                  "2025-03-24", "--out", str(pdf), "--no-charts"])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cli_explains_a_wrong_file_name(db, tmp_path):
    result = CliRunner().invoke(main, ["report", "weekly", "--db", str(db.path),
                                       "--out", str(tmp_path / "week.txt")])
    assert result.exit_code != 0
    assert "must end in .pdf or .csv" in result.output
    assert "Traceback" not in result.output


def test_cli_help():
    result = CliRunner().invoke(main, ["report", "weekly", "--help"])
    assert result.exit_code == 0 and "--week" in result.output


def test_no_browser_gives_a_tables_only_pdf_that_says_so(review, tmp_path, monkeypatch):
    # kaleido answers None through chart_png when it cannot find Chromium.
    monkeypatch.setattr(report, "chart_png", lambda *a, **k: None)
    text = pdf_text(report.weekly_pdf(review), tmp_path)
    assert "Charts left out: no browser was found" in text
    assert "Top movers up" in text
