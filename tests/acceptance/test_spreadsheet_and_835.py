"""A practice arrives with a claims spreadsheet and two 835 files it was paid with; the
figures on screen must be the ones worked out by hand below (not by metdash)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from metdash import entry, figures
from metdash.cli import main
from metdash.figures import Filters
from metdash.store import Database

CLAIMS_CSV = """\
claim_id,client_id,client_last_name,client_first_name,client_dob,client_sex,payer_name,payer_type,member_id,referrer_npi,referrer_name,referrer_kind,referral_date,service_date,cpt,modifiers,units,charge,diagnosis_codes,rendering_npi,submitted_date
A1,K1,Kite,Kim,1950-05-05,F,Medicare,medicare,1EG4TE5MK73,1234567893,"Example, Erin",physician,2025-03-25,2025-04-01,97110,GP,2,100.00,M17.11,1987654328,2025-04-03
A1,K1,Kite,Kim,1950-05-05,F,Medicare,medicare,1EG4TE5MK73,1234567893,"Example, Erin",physician,2025-03-25,2025-04-01,97112,GP,1,50.00,M17.11,1987654328,2025-04-03
A2,K1,Kite,Kim,1950-05-05,F,Medicare,medicare,1EG4TE5MK73,1234567893,"Example, Erin",physician,2025-03-25,2025-04-08,97110,GP,2,100.00,M17.11,1987654328,2025-04-10
A3,K1,Kite,Kim,1950-05-05,F,Medicare,medicare,1EG4TE5MK73,1234567893,"Example, Erin",physician,2025-03-25,2025-04-15,97110,GP,1,50.00,M17.11,1987654328,2025-04-16
B1,K2,Lark,Lee,1972-07-07,M,Bluebird Health,commercial,BB123,1111111112,"Nguyen, Pat",physical_therapist,2025-04-01,2025-04-02,97530,,1,60.00,M54.50,1987654328,2025-04-04
B2,K2,Lark,Lee,1972-07-07,M,Bluebird Health,commercial,BB123,1111111112,"Nguyen, Pat",physical_therapist,2025-04-01,2025-04-09,97530,,1,60.00,M54.50,1987654328,2025-04-10
"""


def era(payer: str, payer_id: str, trace: str, date: str, amount: str, body: list[str]) -> str:
    seg = [
        f"ISA*00*          *00*          *ZZ*{payer_id:<15}*ZZ*1456789019     *{date[2:]}*1200*^*00501*000000001*0*P*:",
        f"GS*HP*{payer_id}*1456789019*{date}*1200*1*X*005010X221A1",
        "ST*835*0001",
        f"BPR*I*{amount}*C*ACH*CCP*01*999999999*DA*123456*1999999999**01*888888888*DA*654321*{date}",
        f"TRN*1*{trace}*1{payer_id}",
        f"N1*PR*{payer}",
        "N1*PE*SMALL TEST PRACTICE*XX*1456789019",
        "LX*1",
        *body,
    ]
    n = len(seg) - 2 + 1  # ST..SE inclusive
    seg += [f"SE*{n}*0001", "GE*1*1", "IEA*1*000000001"]
    return "~\n".join(seg) + "~\n"


MEDICARE_835 = era("MEDICARE", "00431", "MCR0424", "20250424", "96", [
    "CLP*A1*1*150*96*24**MB*PCN-A1",
    "SVC*HC:97110:GP*100*64**2", "DTM*472*20250401", "CAS*CO*45*20", "CAS*PR*2*16",
    "SVC*HC:97112:GP*50*32**1", "DTM*472*20250401", "CAS*CO*45*10", "CAS*PR*2*8",
    "CLP*A2*4*100*0*0**MB*PCN-A2", "CAS*CO*50*100",
])
BLUEBIRD_835 = era("BLUEBIRD HEALTH", "BLUE1", "BB0502", "20250502", "40", [
    "CLP*B1*1*60*40*15**12*PCN-B1",
    "SVC*HC:97530*60*40**1", "DTM*472*20250402", "CAS*CO*45*5", "CAS*PR*3*15",
])

PERIOD = Filters(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 5, 31))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("accept")
    path = folder / "practice.duckdb"
    (folder / "claims.csv").write_text(CLAIMS_CSV)
    (folder / "mcr.835").write_text(MEDICARE_835)
    (folder / "bb.835").write_text(BLUEBIRD_835)
    runner = CliRunner()
    result = runner.invoke(main, ["import-claims", "--db", str(path),
                                  str(folder / "claims.csv")])
    assert result.exit_code == 0, result.output
    again = runner.invoke(main, ["import-claims", "--db", str(path), str(folder / "claims.csv")])
    assert again.exit_code == 0, again.output
    # The practice the remittances pay (their N1*PE): an 835 posts only to its payee.
    entry.save_practice(Database(path), entry.PracticeIn(
        "Small Test Practice", "1456789019", "12-3456789"), "setup")
    result = runner.invoke(main, ["import-835", "--db", str(path), "--json",
                                  str(folder / "mcr.835"), str(folder / "bb.835")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{"):])
    assert (summary["payments"], summary["claims"], summary["matched"]) == (2, 3, 3)
    return Database(path)


def test_import_twice_adds_nothing(db):
    assert db.scalar("SELECT count(*) FROM claims") == 5
    assert db.scalar("SELECT count(*) FROM claim_lines") == 6


def test_kpis_by_hand(db):
    k = figures.kpis(db, PERIOD)
    # A1 150 + A2 100 + A3 50 + B1 60 + B2 60 = 420.
    assert k["gross_charges"] == Decimal("420.00")
    # Medicare 04-24: 96; Bluebird 05-02: 40.
    assert k["payments"] == Decimal("136.00")
    # CO-45: 20 + 10 + 5 = 35 (CO-50 is a denial).
    assert k["contractual_adjustments"] == Decimal("35.00")
    assert k["gross_collection_rate"] == pytest.approx(136 / 420)
    assert k["net_collection_rate"] == pytest.approx(136 / 385)
    # Adjudicated: A1, A2, B1. Denied: A2. Resolved on first pass: A1, B1.
    assert k["denial_rate"] == pytest.approx(1 / 3)
    assert k["first_pass_resolution_rate"] == pytest.approx(2 / 3)
    # Insurance A/R at 05-31: A3 50 and B2 60 (never paid), and A2's 100: denied (CO-50),
    # still owed until appealed, moved to the client or written off. A1 150 - 96 - 30 (CO-45)
    # - 24 (PR-2, moved to Kim) = 0; B1 60 - 40 - 5 - 15 (PR-3, moved to Lee) = 0.
    assert k["insurance_ar_total"] == Decimal("210.00")
    # Patient A/R: Kim owes 16 + 8 coinsurance, Lee a 15 copay; nothing paid yet.
    assert k["patient_ar_total"] == Decimal("39.00")
    assert k["ar_total"] == Decimal("249.00")
    # 90 days to 05-31 (03-03..05-31) hold all 420 of charges: 249 / (420 / 90).
    assert k["days_in_ar"] == pytest.approx(249 / (420 / 90))
    # A1: 04-24 - 04-03 = 21; B1: 05-02 - 04-04 = 28; median 24.5.
    assert k["median_days_to_payment"] == pytest.approx(24.5)


def test_revenue_by_payer_by_hand(db):
    rows = figures.revenue_by_payer(db, PERIOD).set_index("payer")
    assert rows.loc["Medicare", "claims"] == 3
    assert rows.loc["Medicare", "billed"] == Decimal("300.00")
    assert rows.loc["Medicare", "allowed"] == Decimal("120.00")  # 96 + 24; A2 denied
    assert rows.loc["Medicare", "paid"] == Decimal("96.00")
    assert rows.loc["Medicare", "patient_responsibility"] == Decimal("24.00")
    assert rows.loc["Bluebird Health", "claims"] == 2
    assert rows.loc["Bluebird Health", "allowed"] == Decimal("55.00")
    assert rows.loc["Bluebird Health", "paid"] == Decimal("40.00")


def test_aging_and_denials_by_hand(db):
    aging = figures.ar_aging(db, PERIOD).set_index("bucket")
    # A3 served 04-15: 46 days old on 05-31; B2 served 04-09: 52 days; A2 (denied, still
    # owed) served 04-08: 53 days.
    assert aging.loc["31-60", "claims"] == 3
    assert aging.loc["31-60", "balance"] == Decimal("210.00")
    assert aging.balance.sum() == Decimal("210.00")
    patient = figures.ar_aging(db, PERIOD, "patient").set_index("bucket")
    # Kim's A1 (04-01, 60 days) 24; Lee's B1 (04-02, 59 days) 15.
    assert patient.loc["31-60", "balance"] == Decimal("39.00")
    assert patient.balance.sum() == Decimal("39.00")
    reasons = figures.denial_reasons(db, PERIOD)
    assert [(r.group, r.carc, r.claims, r.amount) for r in reasons.itertuples()] == [
        ("CO", "50", 1, Decimal("100.00"))]


def test_referrers_by_hand(db):
    rows = figures.referrer_volume(db, PERIOD).set_index("npi")
    erin, pat = rows.loc["1234567893"], rows.loc["1111111112"]
    # Erin's referral 03-25 -> first visit 04-01 (7 days); Pat's 04-01 -> 04-02.
    assert (erin["referrals"], erin["converted"]) == (1, 1)
    assert (pat["referrals"], pat["converted"]) == (1, 1)
    # Visits from billed lines: K1 04-01, 04-08, 04-15; K2 04-02, 04-09.
    assert (erin["sessions"], pat["sessions"]) == (3, 2)
    assert (erin["billed"], pat["billed"]) == (Decimal("300.00"), Decimal("120.00"))
    assert (erin["paid"], pat["paid"]) == (Decimal("96.00"), Decimal("40.00"))


def test_claim_statuses_follow_the_remittances(db):
    status = dict(db.query("SELECT claim_id, status FROM claims").values)
    assert status == {"A1": "paid", "A2": "denied", "A3": "submitted", "B1": "paid",
                      "B2": "submitted"}
