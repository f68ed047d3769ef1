"""The payer scorecard PDF (``metdash report payer``): one page carrying the payer's name and
the figures tests/test_scorecard.py works out by hand, no client details in any mode, and a
command that says what it is doing and refuses an unknown payer by naming the known ones."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from click.testing import CliRunner

from metdash import payer_report
from metdash.cli import main
from metdash.figures.scorecard import payer_scorecard
from metdash.store import Database
from tests import small_practice
from tests.test_scorecard import PERIOD, RATE

CLIENT_NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Ann", "Bob"]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    db = small_practice.build(Database(tmp_path_factory.mktemp("payer") / "payer.duckdb"))
    with db.transaction() as con:  # as in tests/test_scorecard.py: two underpaid lines
        con.execute("UPDATE payer_fee_schedule SET allowed_amount = 85 "
                    "WHERE payer_id = 1 AND cpt = '97110'")
    return db


@pytest.fixture(scope="module")
def card(db):
    return payer_scorecard(db, PERIOD, "Medicare", RATE)


def pdf_text(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "card.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def test_key_figures_are_the_hand_worked_ones(card):
    tiles = {label: value for _, label, value in payer_report.key_figures(card)}
    # tests/test_scorecard.py: paid 200 of 350, allowed 250 and paid 200 over the 3 visits
    # Medicare answered,
    # 14 days median and p90, 1 of 3 claims denied, 2 of 3 resolved on the first pass.
    assert tiles == {"Paid": "$200", "Share of revenue": "57.1%",
                     "Allowed / visit": "$83.33", "Paid / visit": "$66.67",
                     "Days to pay, median": "14 d", "Days to pay, p90": "14 d",
                     "Denial rate": "33.3%",
                     "First-pass": "66.7%", "Clean-claim rate": "no 277CA"}
    # Denied and not overturned 100 + underpaid 10 + 11,556 dollar-days × 10 % ÷ 365 = 3.17
    # -> 113.17.
    assert payer_report.cost_line(card) == (
        "What Medicare costs you: $113.17 = denied and not overturned $100.00 (of $100.00 "
        "denied) + underpaid $10.00 (2 lines below the fee schedule) + cost of waiting $3.17 "
        "(11,556 dollar-days × 10 % a year ÷ 365).")
    # Against the other payer (Acme alone): its days 41.5 / 50.7, denial rate 33.3 %.
    rows = {r[0]: r[1:] for r in payer_report.comparison_rows(card)}
    assert rows["Median days"] == ["14 d", "42 d"]
    assert rows["Paid per visit"] == ["$66.67", "$50.00"]   # Acme: 150 over 3 answered


def test_one_line_below_the_fee_schedule_is_one_line(card):
    # try55: "(1 lines below the fee schedule)".
    one = dataclasses.replace(card, figures={**card.figures, "underpaid_lines": 1})
    assert "(1 line below the fee schedule)" in payer_report.cost_line(one)


def test_halves_round_away_from_zero_as_on_screen(card):
    # A half is rounded up, as every table and chart label on screen rounds it (a format's
    # ".0f" gave the even neighbour: $1,234.50 read "$1,234", a 2.5-day median "2 d").
    halves = dataclasses.replace(card, figures={**card.figures, "paid": Decimal("1234.50"),
                                                "median_days": 2.5, "p90_days": 10.5})
    tiles = {label: value for _, label, value in payer_report.key_figures(halves)}
    assert (tiles["Paid"], tiles["Days to pay, median"], tiles["Days to pay, p90"]) == (
        "$1,235", "3 d", "11 d")


def test_pdf_is_one_page_with_the_payer_and_its_figures(card, tmp_path):
    data = payer_report.payer_pdf(card, practice="Small Test Practice", charts=False)
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    text = flat(pdf_text(data, tmp_path))
    assert "Payer scorecard — Medicare" in text
    assert "Small Test Practice" in text
    # Paid, and apart the part paid as a secondary (none here): a payer's paid beside its
    # allowed read "pays more than it allows" (a new-user trial, the demo's Medicaid).
    assert "of it as secondary $0" in text
    for value in ("$200", "57.1%", "$83.33", "$66.67", "14 d 14 d", "33.3%", "66.7%",
                  "no 277CA"):
        assert value in text, value
    assert ("What Medicare costs you: $113.17 = denied and not overturned $100.00 (of "
            "$100.00 denied) + underpaid $10.00") in text
    # By code: 97110 allowed 83.33 a unit against a fee of 85 and Acme's 90.
    assert re.search(r"97110 3 \$83\.33 \$85\.00 \$90\.00 \$66\.67 \$50\.00", text), text
    # The denial reason in words.
    assert "CO-97" in text and "bundled" in text
    assert "Charts left out: as asked" in text


def test_pdf_with_charts_renders_or_says_why_not(card, tmp_path):
    said: list[str] = []
    data = payer_report.payer_pdf(card, is_demo=True, progress=said.append)
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    text = pdf_text(data, tmp_path)
    assert b"/Subtype /Image" in data or "Charts left out" in text
    assert said[0].startswith("Drawing the charts") and said[-1] == "Writing the PDF…"


@pytest.mark.parametrize("present", [False, True])
def test_no_client_detail_reaches_the_pdf(card, tmp_path, present):
    text = pdf_text(payer_report.payer_pdf(card, present=present, charts=False), tmp_path)
    assert not [n for n in CLIENT_NAMES if re.search(rf"\b{n}\b", text)]
    assert ("presentation mode" in text) is present


def test_cli_writes_the_pdf_and_says_what_it_is_doing(db, tmp_path, monkeypatch):
    from metdash.cli import report as report_cli

    said: list[str] = []
    monkeypatch.setattr(report_cli, "progress", said.append)
    out = tmp_path / "medicare.pdf"
    result = CliRunner().invoke(main, [
        "report", "payer", "--db", str(db.path), "--payer", "medicare", "--from",
        "2025-01-01", "--to", "2025-03-31", "--as-of", "2025-03-31", "--rate", "10%",
        "--no-charts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "costs you $113.17" in result.output
    assert said[0] == "Reading Medicare's claims, remittances and fee schedule (Jan 01, 2025 " \
                      "– Mar 31, 2025)…"
    assert said[-1] == "Writing the PDF…"
    assert "Payer scorecard — Medicare" in flat(pdf_text(out.read_bytes(), tmp_path))


def test_cli_without_dates_reads_the_pages_period(db, tmp_path, monkeypatch):
    # A new-user trial: the page's PDF read Dec 02 2025 – Dec 07 2026 (the pages' period: 12
    # months back from the last service date when the data ends earlier), the command's
    # Dec 08 2025 (365 days before today). This practice's last service is 2025-03-28.
    import datetime as dt

    from metdash.cli import report as report_cli

    said: list[str] = []
    monkeypatch.setattr(report_cli, "progress", said.append)
    last = dt.date(2025, 3, 28)
    assert db.scalar("SELECT max(first_service_date) FROM claims") == last
    result = CliRunner().invoke(main, ["report", "payer", "--db", str(db.path), "--payer",
                                       "medicare", "--no-charts", "--out",
                                       str(tmp_path / "m.pdf")])
    assert result.exit_code == 0, result.output
    start = last - dt.timedelta(days=364)   # 2024-03-29
    assert said[0].endswith(f"({start:%b %d, %Y} – {dt.date.today():%b %d, %Y})…")
    # --from alone after today: says what --to was taken to be.
    result = CliRunner().invoke(main, ["report", "payer", "--db", str(db.path), "--payer",
                                       "medicare", "--from", "2099-01-01", "--out",
                                       str(tmp_path / "n.pdf")])
    assert result.exit_code == 2
    assert f"--from 2099-01-01 is after --to {dt.date.today()} (--to not given: today, or " \
           "--as-of)." in result.output


def test_cli_refuses_a_missing_folder_and_says_it_replaced_a_file(db, tmp_path):
    # A new-user trial: --out in a mistyped folder made the folder without a word, and a
    # file there was overwritten silently (export-837 refuses the first; a card made again
    # each month may replace last month's, and now says so). Owner-only, as every file.
    import stat

    run = ["report", "payer", "--db", str(db.path), "--payer", "medicare", "--no-charts",
           "--out"]
    missing = tmp_path / "nofolder" / "x.pdf"
    result = CliRunner().invoke(main, [*run, str(missing)])
    assert result.exit_code == 1 and not missing.parent.exists()
    assert f"there is no folder {missing.parent}" in result.output
    out = tmp_path / "m.pdf"
    out.write_bytes(b"last month")
    result = CliRunner().invoke(main, [*run, str(out)])
    assert result.exit_code == 0 and result.output.startswith(f"{out} (replaced): Medicare:")
    assert out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_cli_refuses_an_unknown_payer_naming_the_known_ones(db, tmp_path):
    out = tmp_path / "x.pdf"
    result = CliRunner().invoke(main, ["report", "payer", "--db", str(db.path), "--payer",
                                       "Blue Nowhere", "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: No payer is called 'Blue Nowhere'. Known payers: Acme Health, Medicare."]
    assert not out.exists()


@pytest.mark.parametrize(("args", "says"), [
    (["--out", "card.csv"], "must end in .pdf"),
    (["--rate", "lots", "--out", "c.pdf"], "write it as 0.08, 8 or 8%"),
])
def test_cli_refuses_bad_options_in_one_line(db, tmp_path, args, says):
    result = CliRunner().invoke(main, ["report", "payer", "--db", str(db.path), "--payer",
                                       "Medicare", *[a if not a.endswith(("pdf", "csv"))
                                                     else str(tmp_path / a) for a in args]])
    assert result.exit_code != 0
    assert says in result.output and "Traceback" not in result.output


def test_a_period_without_claims_gives_a_page_that_says_so(db, tmp_path):
    from metdash.figures import Filters

    empty = payer_scorecard(db, Filters(date_from=PERIOD.date_from.replace(year=2030),
                                        date_to=PERIOD.date_to.replace(year=2030)),
                            "Medicare", RATE)
    text = flat(pdf_text(payer_report.payer_pdf(empty), tmp_path))
    assert "Medicare had no claims with service dates in this period." in text
    assert "Charts left out: no claims in the period" in text


def test_file_name_is_plain(card):
    assert payer_report.pdf_file_name(card) == "scorecard_Medicare_2025-03-31.pdf"
    other = dataclasses.replace(card, payer="Medicare Part B (demo)")
    assert payer_report.pdf_file_name(other) == "scorecard_Medicare_Part_B_demo_2025-03-31.pdf"
    assert card.rate == Decimal("0.10")


def test_cli_refuses_an_as_of_before_money_posted_on_the_period_s_claims(db, tmp_path):
    # try55 section 10: --as-of 2026-10-15 priced the waiting and the open balance on Oct 15,
    # while Paid, Denied and Underpaid read a remittance of Oct 21: paid + owed + contractual
    # + patient came to more than was billed. Those figures read every remittance on file
    # (the latest adjudication of each line), so a card as of an earlier day cannot be made
    # honestly; the command says so instead of mixing the two days.
    # By hand, on the Q1 claims (tests/small_practice.py), after 2025-03-01: C3 repaid on
    # appeal 03-10, C4 paid 03-06 and its client 03-15, C6 03-06, C7 billed 03-04, paid 03-18,
    # reversed and repaid 03-25, C8 billed 03-21: 5 claims, the latest on 2025-03-25.
    out = tmp_path / "m.pdf"
    q1 = ["report", "payer", "--db", str(db.path), "--payer", "medicare", "--from",
          "2025-01-01", "--no-charts", "--out", str(out)]
    result = CliRunner().invoke(main, [*q1, "--to", "2025-03-31", "--as-of", "2025-03-01"])
    assert result.exit_code == 2 and not out.exists()
    said = flat(result.output)
    assert ("Money was posted after 2025-03-01 on 5 of the claims of Jan 01, 2025 – Mar 31, "
            "2025, the latest on 2025-03-25") in said, said
    assert "Give --as-of 2025-03-25 or later, or leave out --as-of (today)." in said
    # --to alone is not refused: the balances are taken today, as the other figures read
    # every remittance on file (with --to's day, a past period's card was refused whenever a
    # claim of it was paid after its last service date: the usual case).
    result = CliRunner().invoke(main, [*q1, "--to", "2025-03-01"])
    assert result.exit_code == 0, result.output
    waited = float(re.search(r"waiting \$([\d,.]+)\)", result.output).group(1).replace(",", ""))
    # C2's denied 100 still open: it waits on to today, past 03-25's $2.84
    assert waited > 2.84
    # On the day of the last posting it is honest again: every figure reads the same money.
    # Waiting, by hand: the paid dollar-days 2,856 (as tests/test_scorecard.py) + what stays
    # open on 03-25: C2's denied 100 × 71 days since 01-13 + C8's 100 × 4 days since 03-21
    # = 10,356 dollar-days × 10 % ÷ 365 = $2.84; with denied 100 and underpaid 10: $112.84.
    result = CliRunner().invoke(main, [*q1, "--to", "2025-03-31", "--as-of", "2025-03-25",
                                       "--rate", "10%"])
    assert result.exit_code == 0, result.output
    assert "costs you $112.84" in result.output and "waiting $2.84" in result.output


@pytest.mark.parametrize("command", [
    ["report", "payer", "--payer", "medicare", "--no-charts", "--out", "{out}"],
    ["figures"],
    ["forecast"],
])
def test_an_as_of_after_today_is_refused_naming_today(db, tmp_path, command):
    # try55 section 10: --as-of 2027-10-15 priced waiting up to a day that had not come, and
    # `forecast --as-of 2030-01-01` printed weeks of $0 without a word.
    import datetime as dt

    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    out = tmp_path / "m.pdf"
    args = [a.replace("{out}", str(out)) for a in command]
    result = CliRunner().invoke(main, [*args, "--db", str(db.path), "--as-of",
                                       tomorrow.isoformat()])
    assert result.exit_code == 2 and not out.exists()
    assert (f"{tomorrow} is after today ({today}): nothing is known yet about a day that has "
            "not come. Leave --as-of out for today, or give a past day.") in \
        flat(result.output), result.output
