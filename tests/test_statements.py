"""Patient statements against numbers worked out by hand, on tests/ledger_practice.py as of
2025-05-31 (its docstring table says what happened to each claim).

A statement lists every service the client still owes on, or with a money event in the 90
days before the statement date (here every claim: all were sent in April), with charge,
insurance paid (net of reversals and recoupments), adjustments (contractual, the other
payer's share, the practice's insurance write-offs), what is still with insurance, the
client's share (cost share and balances moved to them), what they paid (payments naming no
claim applied to the oldest service first) and the balance. Its total is the client's
patient A/R on the Balances page. None of the expected numbers comes from running metdash.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from metdash import figures, statements
from metdash.cli import main
from metdash.errors import ReportError
from metdash.figures import Filters
from metdash.store import Database
from tests import ledger_practice

D = dt.date
AS_OF = D(2025, 5, 31)


def money(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    db = ledger_practice.build(Database(tmp_path_factory.mktemp("stmt") / "s.duckdb"))
    with db.transaction() as con:  # an address and a phone for the bill
        con.execute("UPDATE practice SET phone = '(217) 555-0100'")
        con.execute("UPDATE clients SET address_line1 = '12 Elm Street', city = 'Springfield', "
                    "state = 'IL', zip = '62704' WHERE client_id = 'R'")
    return db


def rows(stmt: statements.Statement) -> dict[str, list]:
    """claim -> [charge, insurance paid, adjustments, with insurance, your share, you paid,
    balance]."""
    return {s.claim_id: [s.charge, s.insurance_paid, s.adjustments,
                         s.with_insurance, s.your_share, s.payments_applied, s.balance]
            for s in stmt.services}


def m(*values: str) -> list[Decimal]:
    return [money(v) for v in values]


def test_remys_statement(db):
    s = statements.statement(db, "R", AS_OF)
    # L5: charge 100, Acme paid 0, CO-45 25 (adjustment), PR-1 75 (his deductible); his 50
    # paid 05-02 naming no claim goes to his oldest service, L5: 75 - 50 = 25.
    # L8: charge 100, paid 0, PR-96 100 is a denial (no adjustment), moved to him 05-05: 100.
    # L11: Medicare paid 60, CO-45 20, and crossed the PR-2 20 over to the Gap Plan: it is
    # still with insurance, not his (listed: Medicare's remittance of 04-29 is recent).
    assert rows(s) == {
        "L5": m("100", "0", "25", "0", "75", "50", "25"),
        "L8": m("100", "0", "0", "0", "100", "0", "100"),
        "L11": m("100", "60", "20", "20", "0", "0", "0")}
    assert [x.claim_id for x in s.services] == ["L5", "L8", "L11"]  # by service date
    assert s.total_due == s.amount_due == money("125.00")
    assert s.credit == money("0")
    # Served 04-08 and 04-11: 50 and 53 days before 05-31.
    assert s.aging == {"0-30": 0, "31-60": money("125.00"), "61-90": 0, "91-120": 0, "120+": 0}
    assert (s.statement_date, s.due_date) == (AS_OF, D(2025, 6, 30))
    assert (s.client_id, s.client_name) == ("R", "Remy Reed")
    assert s.client_address == ("12 Elm Street", "Springfield, IL 62704")
    assert s.practice_name == "Ledger Test Practice"
    assert s.practice_address == ("1 Main St", "Springfield, IL 62701")
    assert s.practice_phone == "(217) 555-0100"
    # Procedures in our own words (metdash.coding), never the AMA's.
    assert s.services[0].procedures == (
        ("97110", "Therapeutic exercise: strength, endurance, range of motion, flexibility"),)


def test_pats_statement(db):
    s = statements.statement(db, "P", AS_OF)
    # L2: Acme paid 56, CO-45 30, PR-2 14; Pat paid 10 on it: 4.
    # L7: the Gap Plan (billed itself) paid 20, OA-23 70 (Medicare's share: COB, an
    # adjustment), PR-2 10: 10.
    # L1 (CO-50, appeal pending) and L10 (CO-16 + MA130) are still with insurance; L12 paid
    # 100, 40 taken back by a PLB: paid 60, 40 with insurance again. None is hers.
    assert rows(s) == {
        "L1": m("100", "0", "0", "100", "0", "0", "0"),
        "L2": m("100", "56", "30", "0", "14", "10", "4"),
        "L7": m("100", "20", "70", "0", "10", "0", "10"),
        "L10": m("100", "0", "0", "100", "0", "0", "0"),
        "L12": m("100", "60", "0", "40", "0", "0", "0")}
    assert s.total_due == money("14.00")
    assert s.services[1].procedures[0][0] == "97110"


def test_every_row_adds_up(db):
    for cid in ("P", "Q", "R"):
        for sv in statements.statement(db, cid, AS_OF).services:
            assert sv.charge == (sv.insurance_paid + sv.adjustments
                                 + sv.with_insurance + sv.your_share), (cid, sv.claim_id)
            assert sv.your_share - sv.payments_applied == sv.balance, (cid, sv.claim_id)


def test_quinn_has_a_credit_and_no_bill(db):
    s = statements.statement(db, "Q", AS_OF)
    # Quinn paid 30 naming no claim and owes on no service; 10 refunded: a credit of 20.
    # L9: CO-29 100, written off by the practice (timely filing): an adjustment, not his.
    # L13: paid 75, CO-45 20, CO-97 5 still with Acme (a denial, open).
    # L4: Medicare's payment reversed 05-15: all 100 with insurance again.
    assert rows(s) == {
        "L3": m("100", "70", "30", "0", "0", "0", "0"),
        "L4": m("100", "0", "0", "100", "0", "0", "0"),
        "L9": m("100", "0", "100", "0", "0", "0", "0"),
        "L13": m("100", "75", "20", "5", "0", "0", "0")}
    assert (s.credit, s.total_due, s.amount_due) == (money("20.00"), money("-20.00"), 0)
    assert [x.claim_id for x in s.services[-1:]] == ["L13"]
    assert s.services[-1].procedures[1][0] == "97140"


def test_a_write_off_of_the_clients_share_is_an_adjustment(tmp_path):
    """Found by a new-user trial (stop 32): on a $30 coinsurance the client paid $28 and the
    practice wrote off $2 (small balance, on the claim); the statement said "You paid /
    credited $30.00". By hand, Pat's L2 after writing off her last $4 of it on 05-20:
    charge 100 = Acme paid 56 + adjustments 30 (CO-45) + 4 (our write-off) + her share
    14 - 4 = 10; she paid 10; balance 0. Her total due is L7's 10 alone."""
    from metdash.entry.balances import WriteOffIn, write_off

    db = ledger_practice.build(Database(tmp_path / "wo.duckdb"))
    write_off(db, WriteOffIn("patient", "4.00", "small_balance", D(2025, 5, 20), claim_id="L2",
                             client_id="P"), "bea", as_of=AS_OF)
    s = statements.statement(db, "P", AS_OF)
    assert rows(s)["L2"] == m("100", "56", "34", "0", "10", "10", "0")
    assert rows(s)["L7"] == m("100", "20", "70", "0", "10", "0", "10")
    assert s.total_due == money("10.00")


def test_totals_equal_the_balances_page(db):
    page = figures.patient_balances(db, Filters(AS_OF, AS_OF, AS_OF)).set_index("client_id")
    for cid in ("P", "Q", "R"):
        assert statements.statement(db, cid, AS_OF).total_due == page.loc[cid, "balance"]
    # And on an earlier date: on 05-04 L8 was not yet Remy's (moved 05-05): 75 - 50 = 25.
    early = D(2025, 5, 4)
    assert statements.statement(db, "R", early).total_due == money("25.00")
    page = figures.patient_balances(db, Filters(early, early, early)).set_index("client_id")
    assert page.loc["R", "balance"] == money("25.00")


def test_a_service_long_paid_drops_off(db):
    # On 2025-09-30 nothing has happened for over 90 days (last event 05-25): only what is
    # still owed stays. Remy still owes L5 25 and L8 100; L11 drops off.
    s = statements.statement(db, "R", D(2025, 9, 30))
    assert [x.claim_id for x in s.services] == ["L5", "L8"]
    # Served in April: 170 and 172 days old, over 120.
    assert s.aging["120+"] == money("125.00")


def test_an_unknown_client_is_refused(db):
    with pytest.raises(ReportError, match="Client ZZ is not on file"):
        statements.statement(db, "ZZ", AS_OF)


# -- the PDF ------------------------------------------------------------------------------
def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF was written but "
                    "its text is not checked")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_pdf_opens_and_shows_the_total(db, tmp_path):
    path = statements.write_statement_pdf(statements.statement(db, "R", AS_OF),
                                          tmp_path / "r.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    text = pdf_text(path)
    assert "Remy Reed" in text and "12 Elm Street" in text
    assert "$125.00" in text and "Jun 30, 2025" in text
    assert "97110 Therapeutic exercise" in text
    # A4 too, the same content.
    a4 = statements.write_statement_pdf(statements.statement(db, "R", AS_OF),
                                        tmp_path / "r4.pdf", paper="a4")
    assert "$125.00" in pdf_text(a4)


def test_a_long_claim_number_is_printed_whole(db, tmp_path):
    """Found by a new-user trial (stop 32): claims MD261204-001 … -004 all printed as
    'MD26120…'. A claim number is printed whole, in a smaller font when it must be."""
    import dataclasses

    s = statements.statement(db, "R", AS_OF)
    ids = ["MD261204-001", "MD261204-002", "PRACTICE-2025-000123"]
    long = dataclasses.replace(s, services=tuple(
        dataclasses.replace(sv, claim_id=cid) for sv, cid in zip(s.services, ids, strict=True)))
    text = pdf_text(statements.write_statement_pdf(long, tmp_path / "long.pdf"))
    assert all(cid in text for cid in ids), text


def test_a_procedure_is_named_whole(db, tmp_path):
    """Found by a new-user trial (stop 46): "97161 PT evaluation, low com…", "97112
    neuromuscular re-educa…". Each procedure is printed whole, smaller when it must be."""
    import dataclasses

    from metdash.coding.cpt import CPT_CODES

    s = statements.statement(db, "R", AS_OF)
    # every code the practice bills, as a statement names it (the words before any colon)
    named = tuple((c.cpt, c.description.split(":")[0]) for c in CPT_CODES.values())
    many = dataclasses.replace(s, services=(dataclasses.replace(s.services[0],
                                                                procedures=named),))
    text = " ".join(pdf_text(statements.write_statement_pdf(many, tmp_path / "p.pdf")).split())
    assert all(f"{code} {words}" in text for code, words in named), text


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_statement_file_is_readable_by_its_owner_only(db, tmp_path):
    old = os.umask(0o022)
    try:
        path = statements.write_statement_pdf(statements.statement(db, "R", AS_OF),
                                              tmp_path / "r.pdf")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it names the client and the debt
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]  # no temporary file left


def test_a_name_beyond_windows_1252_is_drawn_in_dejavu(db, tmp_path):
    import dataclasses

    s = dataclasses.replace(statements.statement(db, "R", AS_OF), client_name="Łucja Wąs")
    text = pdf_text(statements.write_statement_pdf(s, tmp_path / "u.pdf"))
    assert "Łucja Wąs" in text and "$125.00" in text


def test_presentation_mode_masks_the_client(db, tmp_path):
    path = statements.write_statement_pdf(statements.statement(db, "R", AS_OF),
                                          tmp_path / "r.pdf", present=True)
    text = pdf_text(path)
    assert "Remy" not in text and "Reed" not in text and "Elm" not in text
    assert "R••• R•••" in text
    assert "$125.00" in text  # the money and the account number stay


def test_many_services_take_more_pages(db, tmp_path):
    import dataclasses

    s = statements.statement(db, "R", AS_OF)
    long = dataclasses.replace(s, services=s.services * 30)
    path = statements.write_statement_pdf(long, tmp_path / "long.pdf")
    text = pdf_text(path)
    assert text.count("\f") >= 2 and "Continued on the next page." in text
    assert "Statement, page 2" in text


def test_statements_for_all(db, tmp_path):
    summary = statements.statements_for_all(db, AS_OF, tmp_path / "out")
    assert [(w.client_id, w.total_due, w.path.name) for w in summary.written] == [
        ("P", money("14.00"), "statement_P_2025-05-31.pdf"),
        ("R", money("125.00"), "statement_R_2025-05-31.pdf")]
    assert summary.credits == (("Q", money("20.00")),)
    assert summary.total_due == money("139.00")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "statement_P_2025-05-31.pdf", "statement_R_2025-05-31.pdf"]
    assert summary.closing_lines()[1] == (
        "1 client has a credit and no bill (to refund): Q ($20.00).")


def test_a_file_is_no_folder(db, tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ReportError, match="is a file"):
        statements.statements_for_all(db, AS_OF, tmp_path / "f")


# -- the command line -------------------------------------------------------------------------
def cli(db: Database, *args: str):
    db.release()  # the command opens the file itself
    return CliRunner().invoke(main, ["statements", "--db", str(db.path), *args],
                              prog_name="metdash")


def test_the_command_writes_p_and_r(db, tmp_path):
    out = tmp_path / "new" / "folder"
    result = cli(db, "--as-of", "2025-05-31", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [f"{out / 'statement_P_2025-05-31.pdf'}: account P, 5 services, "
                         "$14.00 due",
                         f"{out / 'statement_R_2025-05-31.pdf'}: account R, 3 services, "
                         "$125.00 due"]
    assert lines[2] == "2 statements as of 2025-05-31, $139.00 due in all."
    assert "Q ($20.00)" in lines[3]
    assert sorted(p.name for p in out.iterdir()) == ["statement_P_2025-05-31.pdf",
                                                     "statement_R_2025-05-31.pdf"]
    assert "Remy Reed" in pdf_text(out / "statement_R_2025-05-31.pdf")


def test_the_command_masks_and_picks_one_client(db, tmp_path):
    result = cli(db, "--as-of", "2025-05-31", "--out", str(tmp_path), "--client", "R",
                 "--present")
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["statement_R_2025-05-31.pdf"]
    assert "Reed" not in pdf_text(tmp_path / "statement_R_2025-05-31.pdf")


@pytest.mark.parametrize("args, says", [
    (("--client", "ZZ"), "Error: Client ZZ is not on file: check the chart number."),
    (("--out-is-a-file",), "is a file: name a folder for the statements"),
])
def test_the_command_fails_in_one_line(db, tmp_path, args, says):
    target = tmp_path / "out"
    if args == ("--out-is-a-file",):
        target.write_text("not a folder")
        args = ()
    result = cli(db, "--as-of", "2025-05-31", "--out", str(target), *args)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr


# -- the pages ------------------------------------------------------------------------------
@pytest.fixture
def page_store(db, tmp_path, monkeypatch):
    """A copy of the practice, marked as the open demo (the pages let us in unsigned)."""
    import streamlit as st

    db.release()
    path = tmp_path / "page.duckdb"
    shutil.copy(db.path, path)
    copy = Database(path)
    with copy.transaction() as con:
        con.execute("UPDATE practice SET is_demo = TRUE")
    copy.release()
    monkeypatch.setenv("METDASH_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def page(name: str, **state):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(f"../pages/{name}", default_timeout=60)
    at.query_params.update({"from": "2025-04-01", "to": "2025-05-31"})
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def picked(row: int) -> dict:
    return {"selection": {"rows": [row], "columns": []}}


def test_the_balances_page_offers_the_picked_clients_statement(page_store):
    at = page("balances.py")
    assert not at.get("download_button") or all(
        b.key != "statement_pdf" for b in at.get("download_button"))
    # Largest balance first: Remy (125), Pat (14), Quinn's credit last.
    at = page("balances.py", owed=picked(0))
    buttons = [b for b in at.get("download_button") if b.key == "statement_pdf"]
    assert [b.label for b in buttons] == ["Statement (PDF)"]
    assert "May 31, 2025" in buttons[0].help


def test_the_clients_page_offers_the_chosen_clients_statement(page_store):
    # By name: Pine, Quill, Reed.
    at = page("clients.py", client_list=picked(2))
    buttons = [b for b in at.get("download_button") if b.key == "statement_pdf"]
    assert [b.label for b in buttons] == ["Statement (PDF) for client R"]


def test_the_balances_page_runs_its_open_tab_only(page_store, monkeypatch):
    """Balances' tabs track their state (a switch reruns the page): a first visit reads the
    clients' balances, not the write-off figures of its last tab; that tab, opened, shows
    them."""
    read = []
    for name in ("write_offs_by_reason", "write_offs_monthly", "patient_balances"):
        real = getattr(figures, name)
        monkeypatch.setattr(figures, name,
                            lambda *a, _real=real, _name=name, **k: read.append(_name)
                            or _real(*a, **k))
    page("balances.py")
    assert "patient_balances" in read
    assert not {"write_offs_by_reason", "write_offs_monthly"} & set(read)
    page("balances.py", balances_tab="Write-offs")
    assert "write_offs_by_reason" in read


def test_a_future_statement_date_is_refused(db, tmp_path):
    """Found by a new-user trial: --as-of in the future printed today's balances under that
    date."""
    import datetime as dt
    day = dt.date.today() + dt.timedelta(days=3)
    result = cli(db, "--as-of", day.isoformat(), "--out", str(tmp_path / "s"))
    assert result.exit_code == 2
    assert f"{day} is in the future" in result.output
    assert not (tmp_path / "s").exists()


def test_a_payer_paying_twice_is_not_the_clients_business(tmp_path):
    """Found by a new-user trial (stop 46): a claim the payer paid twice (a second CLP, no
    reversal) printed "Insurance paid $303.70" on a $232.00 charge and "With insurance
    -$151.85" on the client's statement. The second payment is money the practice owes the
    payer back; the client's statement shows what the payer paid on the service.
    L14 (ledger_practice.DUPLICATE_PAYMENT): insurance side 100 - 112 - 30 - 14 = -56,
    Acme's to get back. Remy: his share 14, nothing paid on it (his 50 went to L5, the
    oldest): owes 14."""
    db = ledger_practice.build(Database(tmp_path / "s.duckdb"))
    with db.transaction() as con:
        con.execute(ledger_practice.DUPLICATE_PAYMENT)
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = 'L14'") \
        == money("-56.00")
    s = statements.statement(db, "R", AS_OF)
    assert rows(s)["L14"] == m("100", "56", "30", "0", "14", "0", "14")
    assert s.total_due == money("139.00")  # 125 before (test_remys_statement) + 14
