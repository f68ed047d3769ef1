import contextlib
import datetime as dt
import io
import shutil
from decimal import Decimal

import openpyxl
import pytest

from metdash.sheets import TEMPLATE_COLUMNS
from metdash.spreadsheet import COLUMNS, import_claims, read_rows, template
from metdash.store import Database
from tests.entry_seed import AS_OF, USER

HEADER = ",".join(COLUMNS)


@pytest.fixture
def db(seeded_db):
    return seeded_db


def row(**kw):
    base = dict(claim_id="S1", client_id="C100", client_last_name="Lane", client_first_name="Lois",
                client_dob="1948-01-02", client_sex="F", payer_name="Medicare Part B",
                payer_type="medicare", member_id="1AA0AA0AA00", referrer_npi="1679576722",
                referrer_name="Smith, Anna", referrer_kind="physician",
                referral_date="2025-05-20", service_date="2025-06-02", cpt="97110",
                modifiers="GP", units="2", charge="80.00", diagnosis_codes="M54.50;E11.9",
                rendering_npi="1245319599", submitted_date="2025-06-05")
    base.update(kw)
    return ",".join(f'"{base[c]}"' if "," in str(base[c]) else str(base[c]) for c in COLUMNS)


def csv_bytes(*rows, bom=False):
    text = "\n".join([HEADER, *rows]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def test_good_file_creates_and_matches_then_idempotent(db):
    data = csv_bytes(
        row(),
        row(cpt="97112 ", charge="$42.00", units="1", diagnosis_codes="e119"),
        row(claim_id="S2", client_id="C200", client_last_name="Nash", client_first_name="Ned",
            client_dob="1990-03-04", payer_name="Blue Fern Health", payer_type="Commercial",
            member_id="BF1", referrer_npi="1234567893", referrer_name="Clinic, North",
            referrer_kind="specialist", referral_date="", modifiers="", submitted_date="",
            service_date="2025-06-20", charge="1,200.00", units="2"),
        "",
    )
    res = import_claims(db, data, "claims.csv", USER, as_of=AS_OF)
    assert res.problems == []
    assert (res.claims_added, res.lines_added) == (2, 3)
    assert res.created == {"clients": 2, "payers": 1, "referrers": 1, "providers": 0,
                           "coverages": 2, "referrals": 1}
    s1 = db.query("SELECT * FROM claims WHERE claim_id = 'S1'").iloc[0]
    assert s1.status == "submitted" and str(s1.submitted_date) == "2025-06-05"
    assert list(s1.diagnosis_codes) == ["M54.50", "E11.9"] and s1.total_charge == Decimal("122.00")
    lines = db.query("SELECT cpt, dx_pointers FROM claim_lines WHERE claim_id = 'S1' ORDER BY line_no")
    assert list(lines.cpt) == ["97110", "97112"]
    assert [list(p) for p in lines.dx_pointers] == [[1, 2], [2]]
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'S2'") == "ready"
    assert db.scalar("SELECT source FROM claims WHERE claim_id = 'S2'") == "import"
    assert db.scalar("SELECT count(*) FROM imports") == 1
    before = db.scalar("SELECT count(*) FROM audit_log")
    again = import_claims(db, data, "claims.csv", USER, as_of=AS_OF)
    assert again.ok and again.already_imported and again.claims_added == 0
    # The same claims in a different file (other bytes): skipped, not duplicated.
    third = import_claims(db, data + b"\n\n", "copy.csv", USER, as_of=AS_OF)
    assert third.problems == [] and third.claims_skipped == 2 and third.claims_added == 0
    assert db.scalar("SELECT count(*) FROM claims") == 2
    assert db.scalar("SELECT count(*) FROM audit_log") == before + 1


def test_messy_file_lists_every_problem_and_imports_nothing(db):
    data = csv_bytes(
        row(),                                                      # row 2: fine
        "",                                                         # row 3: blank
        row(claim_id="S2", service_date="03/04/26"),                # row 4: 2026
        row(claim_id="S3", diagnosis_codes="M545", service_date="2025-06-03"),   # row 5
        row(claim_id="S4", rendering_npi="1234567890", service_date="2025-06-04"),  # row 6
        row(claim_id="S5", units="two", charge="abc", service_date="2025-06-05"),   # row 7
        row(claim_id="S6", cpt="99999", service_date="2025-06-06"),              # row 8
        row(claim_id="S7", service_date="2025-06-02"),              # row 9: duplicate of S1
        bom=True,
    )
    res = import_claims(db, data, "messy.csv", USER, as_of=AS_OF)
    got = "\n".join(res.problems)
    assert "row 4, service_date: service date 2026-03-04 is in the future: bill a service " \
           "after it happens." in got
    assert "row 6, rendering_npi: Rendering NPI 1234567890 fails its check digit" in got
    assert "row 7, units:" in got and "row 7, charge:" in got
    assert res.problems[0].startswith("row 4")
    # One pass: rows without format problems still get the claim rules.
    assert ("row 5, diagnosis_codes: Diagnosis M54.5 is a category, not a billable code: "
            "choose M54.50, M54.51 or M54.59.") in got
    assert "row 8, cpt: procedure code 99999 is not on the practice's code list" in got
    # Nothing imported, not even the good row or the new client.
    assert db.scalar("SELECT count(*) FROM claims") == 0
    assert db.scalar("SELECT count(*) FROM clients") == 2
    # Second pass (format fixed): the rule problems show up, row by row.
    data = csv_bytes(
        row(),
        row(claim_id="S3", diagnosis_codes="M545", service_date="2025-06-03"),
        row(claim_id="S6", cpt="99999", service_date="2025-06-06"),
        row(claim_id="S7", service_date="2025-06-02"),
        row(claim_id="S8", service_date="2025-07-15"),
    )
    res = import_claims(db, data, "messy2.csv", USER, as_of=AS_OF)
    got = "\n".join(res.problems)
    assert ("row 3, diagnosis_codes: Diagnosis M54.5 is a category, not a billable code: "
            "choose M54.50, M54.51 or M54.59.") in got
    assert "row 4, cpt: procedure code 99999 is not on the practice's code list" in got
    assert "row 5, cpt: 97110 on 2025-06-02 for this client is already billed on claim S1" in got
    assert "row 6, service_date:" in got and "future" in got
    assert db.scalar("SELECT count(*) FROM claims") == 0
    assert db.scalar("SELECT count(*) FROM imports") == 0


def test_dates_written_with_slashes_are_read_in_the_files_own_order(db):
    """Found by a new-user trial (stop 32): a US system's export (03/15/1950, 06/02/2025) was
    refused row by row as "ambiguous", and those refusals hid the file's real problems. By
    hand: 03/15/1950 can only be March 15 (no month 15), so the file is month/day/year and
    06/02/2025 is June 2; a file whose every date could be either is read month first, the
    US order, and says so in a warning; a file with both kinds is refused at those dates."""
    def person(cid, last, **kw):
        return row(client_id=cid, client_last_name=last, submitted_date="", **kw)

    us = csv_bytes(person("U100", "Ulm", client_dob="03/15/1950", service_date="06/02/2025"),
                   person("U100", "Ulm", client_dob="03/15/1950", service_date="06/02/2025",
                          cpt="97140", units="1", charge="38.00"))
    res = import_claims(db, us, "us.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.warnings == [], (res.problems, res.warnings)
    assert db.scalar("SELECT first_service_date FROM claims WHERE claim_id = 'S1'") == \
        dt.date(2025, 6, 2)
    assert db.scalar("SELECT dob FROM clients WHERE client_id = 'U100'") == dt.date(1950, 3, 15)

    # Day first (15/03/1950): 20/06/2025 is June 20.
    res = import_claims(db, csv_bytes(person("E100", "Eck", claim_id="D1",
                                             client_dob="15/03/1950", service_date="20/06/2025")),
                        "eu.csv", USER, as_of=AS_OF)
    assert res.problems == [], res.problems
    assert db.scalar("SELECT first_service_date FROM claims WHERE claim_id = 'D1'") == \
        dt.date(2025, 6, 20)

    # Every date could be either way: read month first, and said.
    res = import_claims(db, csv_bytes(person("A100", "Abe", claim_id="A1",
                                             client_dob="03/05/1950", service_date="06/04/2025")),
                        "either.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.warnings == [
        "row 2, client_dob: '03/05/1950' was read as March 05, 1950, month first (the US "
        "order), and so was every date written with slashes: no date in the file has a day "
        "above 12 to tell. If the file writes the day first, write its dates as YYYY-MM-DD."]
    assert db.scalar("SELECT first_service_date FROM claims WHERE claim_id = 'A1'") == \
        dt.date(2025, 6, 4)

    # Both kinds in one file: those dates are refused, never guessed.
    res = import_claims(db, csv_bytes(person("M100", "Moe", claim_id="M1",
                                             client_dob="15/03/1950", service_date="06/20/2025")),
                        "mixed.csv", USER, as_of=AS_OF)
    assert [p for p in res.problems if "service_date" in p] == [
        "row 2, service_date: '06/20/2025' cannot be read: this file writes some dates day "
        "first (row 2, client_dob '15/03/1950') and others month first: write it as "
        "YYYY-MM-DD, e.g. 2025-03-04."]
    assert db.scalar("SELECT count(*) FROM claims WHERE claim_id = 'M1'") == 0


def test_two_digit_years_are_the_latest_year_not_after_the_import(db):
    """A system that writes 06/02/25 (MM/DD/YY): every row was refused for its "two-digit
    year". By hand, imported on 2025-06-30: a service or referral date is this century's
    ('25' is 2025, '20' is 2020); a birth date the latest year not after 2025 ('48' is 1948,
    not 2048; '02/03/26' is 1926, so the client is 99). Said once, as a warning, with the
    first birth date and the first other date; a service date still after the import
    ('03/04/26', 2026) is refused as a future date (the messy file above)."""
    def person(cid, last, **kw):
        return row(client_id=cid, client_last_name=last, submitted_date="", **kw)

    res = import_claims(db, csv_bytes(
        person("Y100", "Yost", client_dob="01/02/48", service_date="06/02/25"),
        person("Y200", "Yuen", claim_id="S2", client_dob="02/03/26", service_date="6/3/25",
               referral_date="05/30/20")), "yy.csv", USER, as_of=AS_OF)
    assert res.problems == [], res.problems
    assert res.warnings == [
        "row 2, client_dob: years written with two digits were read as this century's, and a "
        "birth date's as the latest such year not after the import's date (2025-06-30): "
        "'01/02/48' as 01/02/1948, and row 2 service_date '06/02/25' as 06/02/2025. If a "
        "date is of another century, write its year in four digits."]
    assert db.query("SELECT client_id, dob FROM clients WHERE client_id LIKE 'Y%' "
                    "ORDER BY 1").values.tolist() == [["Y100", dt.date(1948, 1, 2)],
                                                     ["Y200", dt.date(1926, 2, 3)]]
    assert db.query("SELECT claim_id, first_service_date FROM claims ORDER BY 1"
                    ).values.tolist() == [["S1", dt.date(2025, 6, 2)], ["S2", dt.date(2025, 6, 3)]]


def test_a_missing_date_is_asked_for_as_the_file_writes_dates(db):
    """A file writing 06/02/2025 was told to enter a missing date "as YYYY-MM-DD" (a
    new-user trial): the file's own way is read too, and the message says so."""
    res = import_claims(db, csv_bytes(row(client_dob="01/02/1948", service_date="")),
                        "gap.csv", USER, as_of=AS_OF)
    assert "row 2, service_date: missing: enter the date, written as the file's other dates " \
           "are (or as YYYY-MM-DD)." in res.problems


def test_a_row_with_a_bad_date_still_has_its_code_checked(db):
    """A row with 11/31 and the CPT 9711O (a letter O) was refused for the date alone; the
    code's problem came only once the date was fixed (helper-67): both, in one pass."""
    res = import_claims(db, csv_bytes(row(service_date="2025-06-31", cpt="9711O")), "two.csv",
                        USER, as_of=AS_OF)
    assert [p.split(":")[0] for p in res.problems] == ["row 2, service_date", "row 2, cpt"]
    assert res.problems[1] == ("row 2, cpt: Procedure code 9711O is not on the practice's code "
                               "list: add it under Settings, CPT codes, or correct it.")
    assert res.claims_added == 0


def test_a_diagnosis_problem_names_the_row_that_has_the_code(db):
    """A claim's diagnoses come from all its rows; a bad code on its second row was reported
    on its first (found by a new-user trial: M54.5 on spreadsheet row 3, reported as row 2)."""
    data = csv_bytes(row(), row(cpt="97112", units="1", charge="42.00",
                                diagnosis_codes="M54.50;M545"))
    res = import_claims(db, data, "dx.csv", USER, as_of=AS_OF)
    assert [x for x in res.problems if "M54.5 " in x] == [
        "row 3, diagnosis_codes: Diagnosis M54.5 is a category, not a billable code: choose "
        "M54.50, M54.51 or M54.59."]


def test_the_backup_before_an_import_only_when_it_gets_as_far_as_writing(db):
    calls: list[str] = []
    # Refused while the file is read or checked: no backup.
    for name, data in [("short.csv", b"claim_id,client_id,cpt\nX,Y,97110\n"),
                       ("bad.csv", csv_bytes(row(service_date="03/34/2025")))]:
        res = import_claims(db, data, name, USER, as_of=AS_OF,
                            before_write=lambda: calls.append("backup"))
        assert res.problems and calls == [], name
    good = csv_bytes(row())
    res = import_claims(db, good, "good.csv", USER, as_of=AS_OF,
                        before_write=lambda: calls.append("backup"))
    assert res.problems == [] and res.claims_added == 1 and calls == ["backup"]
    again = import_claims(db, good, "good.csv", USER, as_of=AS_OF,
                          before_write=lambda: calls.append("backup"))
    assert again.already_imported and calls == ["backup"]  # already there: none


def test_missing_columns_one_message(db):
    data = b"claim_id,client_id,cpt\nX,Y,97110\n"
    res = import_claims(db, data, "short.csv", USER, as_of=AS_OF)
    assert len(res.problems) == 1
    assert res.problems[0].startswith("row 1 (the header): the file has no column for client_last_name, "
                                      "client_first_name, client_dob, payer_name, member_id, "
                                      "service_date, units, charge, diagnosis_codes, "
                                      "rendering_npi: the header must name each")


def test_inconsistent_rows_of_one_claim(db):
    data = csv_bytes(row(), row(cpt="97112", payer_name="Other Payer"))
    res = import_claims(db, data, "x.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 3, payer_name: 'Other Payer' differs from row 2 ('Medicare Part B') for the same "
        "claim S1: make them the same."]


def test_a_client_on_file_has_each_rows_birth_date_checked_against_the_file(db):
    # A new user's file: one row with a wrong birth date (1949) for a client on file, then a
    # right one (1948). The right row was blamed: "differs from row 2 ... make them the same".
    assert import_claims(db, csv_bytes(row()), "first.csv", USER, as_of=AS_OF).ok
    later = dict(submitted_date="")
    data = csv_bytes(row(claim_id="S5", client_dob="1949-01-02", service_date="2025-06-09",
                         **later),
                     row(claim_id="S6", service_date="2025-06-10", **later),
                     row(claim_id="S7", service_date="2025-06-11", client_dob="1949-01-02",
                         **later))
    res = import_claims(db, data, "second.csv", USER, as_of=AS_OF)
    assert res.problems == [
        f"row {n}, client_dob: client C100 is on file with date of birth 1948-01-02, not "
        "1949-01-02: check the chart number." for n in (2, 4)]
    # A client new to the store: its rows are held to one another.
    new = dict(client_id="C300", member_id="1AA0AA0AA03", client_last_name="Ames")
    res = import_claims(db, csv_bytes(row(claim_id="S8", **new),
                                      row(claim_id="S9", client_dob="1949-01-02", **new)),
                        "third.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 3, client_dob: '1949-01-02' differs from row 2 ('1948-01-02') for the same client "
        "C300: make them the same."]


def test_xlsx_with_real_dates_and_numbers(db):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    values = dict(zip(COLUMNS, row(referrer_name="Smith Anna").split(","), strict=True))
    values.update(client_dob=dt.datetime(1948, 1, 2), service_date=dt.date(2025, 6, 2),
                  referral_date=dt.datetime(2025, 5, 20), submitted_date=None, cpt=97110,
                  units=2, charge=80.0, referrer_npi=1679576722, rendering_npi=1245319599.0)
    ws.append([values[c] for c in COLUMNS])
    ws.append([None] * len(COLUMNS))
    buf = io.BytesIO()
    wb.save(buf)
    res = import_claims(db, buf.getvalue(), "claims.xlsx", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    assert db.scalar("SELECT status FROM claims") == "ready"


def test_templates_round_trip():
    header, rows = read_rows(template("csv"), "t.csv")
    assert tuple(header) == TEMPLATE_COLUMNS and len(rows) == 1 and rows[0][0] == 2
    assert TEMPLATE_COLUMNS == (*COLUMNS, "place_of_service")
    header, rows = read_rows(template("xlsx"), "t.xlsx")
    assert tuple(header) == TEMPLATE_COLUMNS and rows[0][1]["cpt"] == "97110"
    assert rows[0][1]["place_of_service"] == "11"


def test_cli_import_claims(db, tmp_path):
    from click.testing import CliRunner

    from metdash.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(row(service_date="2025/06/31"), row(claim_id="S2", cpt="9711")))
    res = CliRunner().invoke(main, ["import-claims", "--db", str(db.path), "--as-of",
                                    "2025-06-30", str(bad)])
    assert res.exit_code == 1
    assert "row 2, service_date:" in res.output and "Traceback" not in res.output
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(row()))
    res = CliRunner().invoke(main, ["import-claims", "--db", str(db.path), "--as-of",
                                    "2025-06-30", str(good)])
    assert res.exit_code == 0, res.output
    assert "Imported 1 claim(s) with 1 line(s)" in res.output
    res = CliRunner().invoke(main, ["worklists", "--db", str(db.path), "--as-of", "2025-06-30"])
    assert res.exit_code == 0 and "Sessions not yet billed" in res.output
    for cmd in ("import-claims", "worklists", "claims-template", "check-npi"):
        assert main.commands[cmd].help



def test_cli_import_claims_says_how_many_warnings_it_did_not_show(db, seeded, tmp_path):
    """A new-user tour: the command said "1 warning(s) ...: check them." without listing
    them or saying how to. It lists them unless --no-warnings (beside the problems of a
    refused file too, row by row), and says how many it did not show and how to see them."""
    from click.testing import CliRunner

    from metdash.cli import main

    gp = ("row 2, modifiers: Medicare Part B expects modifier GP on 97110: add it, or the "
          "line may be denied (CARC 4).")
    hidden = "1 warning(s) not shown: run again with --show-warnings to list them."

    def run(name, data, *flags):
        target = tmp_path / f"{name}{'-'.join(flags)}.duckdb"  # a fresh store each run
        shutil.copy(seeded, target)
        (tmp_path / name).write_bytes(data)
        return CliRunner().invoke(main, ["import-claims", "--db", str(target), "--as-of",
                                         "2025-06-30", *flags, str(tmp_path / name)])

    warned = csv_bytes(row(modifiers=""))
    res = run("w.csv", warned)
    assert res.exit_code == 0 and f"warning: {gp}" in res.output and hidden not in res.output
    res = run("w.csv", warned, "--no-warnings")
    assert res.exit_code == 0 and gp not in res.output and hidden in res.output
    mixed = csv_bytes(row(modifiers=""), row(claim_id="S2", service_date="2025/06/31"))
    problem = ("row 3, service_date: '2025/06/31' is no day of the calendar: check its month "
               "and day.")
    res = run("m.csv", mixed)
    assert res.exit_code == 1 and hidden not in res.output
    lines = res.output.splitlines()
    assert lines.index(f"warning: {gp}") < lines.index(problem)  # row by row
    res = run("m.csv", mixed, "--no-warnings")
    assert res.exit_code == 1 and problem in res.output and gp not in res.output
    assert hidden in res.output


def test_new_coverage_starts_at_the_clients_first_service_in_the_file(db):
    data = csv_bytes(row(claim_id="S1", service_date="2025-06-10", submitted_date=""),
                     row(claim_id="S2", service_date="2025-06-02"))
    res = import_claims(db, data, "order.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 2
    assert str(db.scalar("SELECT effective_date FROM coverages WHERE client_id = 'C100'")) == \
        "2025-06-02"


def test_a_new_medicare_coverage_needs_an_mbi(db):
    # The old HICN (9 digits and a letter) on a new Medicare client: refused, nothing written.
    res = import_claims(db, csv_bytes(row(member_id="123456789A")), "hicn.csv", USER,
                        as_of=AS_OF)
    assert res.problems == [
        "row 2, member_id: Medicare member id '123456789A' is an old Health Insurance Claim "
        "Number (HICN): Medicare has refused claims under it since 2020; ask the client for "
        "the Medicare card with the 11-character Medicare Beneficiary Identifier (MBI)."]
    assert db.scalar("SELECT count(*) FROM clients WHERE client_id = 'C100'") == 0
    # The card's dashes are fine: kept as claims carry it.
    res = import_claims(db, csv_bytes(row(member_id="1aa0-aa0-aa00")), "mbi.csv", USER,
                        as_of=AS_OF)
    assert res.problems == []
    assert db.scalar("SELECT member_id FROM coverages WHERE client_id = 'C100'") == "1AA0AA0AA00"
    # Acme Health's member ids are its own: not checked.
    res = import_claims(db, csv_bytes(row(claim_id="S2", client_id="C101", client_first_name="Lex",
                                          payer_name="Acme Health", payer_type="commercial",
                                          member_id="ACM-1", modifiers="")),
                        "acme.csv", USER, as_of=AS_OF)
    assert res.problems == []


def test_warnings_beside_the_rows_never_refuse_the_file(db):
    # Medicare Part B (payer 1 of the seed, CMS rules, no payer fees on file: a line's
    # charge is its expected allowed amount for KX).
    data = csv_bytes(
        row(modifiers=""),                                                      # row 2
        row(claim_id="S2", service_date="2025-06-03", cpt="97140", units="1",
            charge="38.00"),                                                    # row 3
        row(claim_id="S2", service_date="2025-06-03", cpt="97530", units="1",
            charge="45.00"),                                                    # row 4
        row(claim_id="S3", service_date="2025-06-04", units="1", charge="2300.00"),  # row 5
    )
    res = import_claims(db, data, "warn.csv", USER, as_of=AS_OF)
    # Row 2: a Medicare therapy line needs GP (DOMAIN.md, modifiers).
    # Row 4: 97530 with 97140 the same day: 59 on 97530, the pair's column-2 code.
    # Row 5: S1 $80.00 + S2 $83.00 = $163.00 of 2025 before S3; with S3's $2,300.00 the
    # year comes to $2,463.00, past 2025's threshold of $2,410.00: KX. (And $2,300.00 is
    # not 1 x the $40.00 fee.)
    assert res.problems == [] and res.claims_added == 3
    assert res.warnings == [
        "row 2, modifiers: Medicare Part B expects modifier GP on 97110: add it, or the line "
        "may be denied (CARC 4).",
        "row 4, modifiers: Medicare Part B expects modifier 59 on 97530: add it, or the line "
        "may be denied (CARC 4).",
        "row 5, charge: charge $2,300.00 differs from the fee schedule (1 x $40.00 = $40.00): "
        "check it.",
        "row 5, modifiers: Medicare Part B expects modifier KX on 97110: add it, or the line "
        "may be denied (CARC 4). KX: the client's Medicare allowed amount for 2025 comes to "
        "$2,463.00 with this claim, past the 2025 threshold of $2,410.00.",
    ]
    assert res.summary().endswith("4 warning(s) (they do not stop an import): check them.")


def test_warnings_come_beside_the_problems_of_a_refused_file(db):
    data = csv_bytes(row(modifiers=""), row(claim_id="S2", service_date="2025/06/31"))
    res = import_claims(db, data, "mixed.csv", USER, as_of=AS_OF)
    assert res.claims_added == 0 and db.scalar("SELECT count(*) FROM claims") == 0
    assert res.messages() == [
        "warning: row 2, modifiers: Medicare Part B expects modifier GP on 97110: add it, or "
        "the line may be denied (CARC 4).",
        "row 3, service_date: '2025/06/31' is no day of the calendar: check its month and "
        "day.",
    ]
    assert res.summary() == ("Nothing was imported: 1 problem(s). 1 warning(s) (they do not "
                             "stop an import): check them.")


def many_claims(n):
    """``n`` one-line Medicare claims of two new clients, a day apart."""
    start = dt.date(2025, 1, 2)
    return csv_bytes(*(row(claim_id=f"Q{i:04d}", client_id=f"Q{i % 2}", client_dob="1950-01-01",
                           referrer_npi="", referrer_name="", referral_date="",
                           submitted_date="",
                           service_date=(start + dt.timedelta(days=i // 2)).isoformat())
                       for i in range(n)))


class _CountingConnection:
    """A write transaction's connection that counts the statements run on it."""

    def __init__(self, con):
        self._con, self.statements = con, 0

    def execute(self, *args, **kwargs):
        self.statements += 1
        return self._con.execute(*args, **kwargs)

    def sql(self, *args, **kwargs):
        self.statements += 1
        return self._con.sql(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_an_import_asks_the_store_the_same_few_questions_whatever_its_size(db, monkeypatch):
    """Issue 19: a query per question per claim made 10,000 rows take minutes. The rules'
    answers are read in a few queries up front, and the claims written in bulk, so an
    import of 200 claims runs no more statements than one of 20 (benchmarks/run.py times
    10,000 rows)."""
    real = Database.transaction
    seen = []

    @contextlib.contextmanager
    def counting(self):
        with real(self) as con:
            seen.append(_CountingConnection(con))
            yield seen[-1]

    monkeypatch.setattr(Database, "transaction", counting)
    small = import_claims(db, many_claims(20), "small.csv", USER, as_of=AS_OF)
    assert small.problems == [] and small.claims_added == 20
    # (other clients: other ids, another name and member id; one person under two ids is
    # refused)
    other = many_claims(200).replace(b"Q0", b"R0").replace(b"Q1", b"R1").replace(
        b"Lane", b"Lake").replace(b"1AA0AA0AA00", b"2AA0AA0AA00")
    large = import_claims(db, other, "large.csv", USER, as_of=AS_OF)
    assert large.problems == [] and large.claims_added == 200
    assert seen[1].statements <= seen[0].statements + 2, \
        (seen[0].statements, seen[1].statements)
    # The same claims in another file: matched with the claims on file, just as few.
    again = import_claims(db, other + b"\n", "again.csv", USER, as_of=AS_OF)
    assert again.problems == [] and again.claims_skipped == 200 and again.claims_added == 0
    assert seen[2].statements <= seen[0].statements
    assert db.scalar("SELECT count(*) FROM claims") == 220


def _with_place(*rows_and_places):
    """A CSV with the optional place_of_service column: (row text, place) pairs."""
    lines = [HEADER + ",place_of_service"] + [f"{r},{p}" for r, p in rows_and_places]
    return ("\n".join(lines) + "\n").encode()


def test_place_of_service_column_goes_to_the_lines(db):
    data = _with_place((row(), "10"), (row(cpt="97112", units="1", charge="42.00"), "2"),
                       (row(claim_id="S2", service_date="2025-06-03"), ""))
    res = import_claims(db, data, "pos.csv", USER, as_of=AS_OF)
    assert res.problems == [], res.problems
    assert db.query("SELECT claim_id, cpt, place_of_service FROM claim_lines "
                    "ORDER BY claim_id, line_no").values.tolist() == [
        ["S1", "97110", "10"], ["S1", "97112", "02"], ["S2", "97110", "11"]]  # blank: 11
    # the same file again changes nothing
    assert import_claims(db, data, "pos.csv", USER, as_of=AS_OF).already_imported


def test_a_file_without_the_column_bills_the_office(db):
    res = import_claims(db, csv_bytes(row()), "old.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    assert db.scalar("SELECT place_of_service FROM claim_lines") == "11"


def test_a_place_of_service_off_the_list_is_refused_row_by_row(db):
    data = _with_place((row(), "98"), (row(claim_id="S2", service_date="2025-06-03"), "home"))
    res = import_claims(db, data, "bad.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, place_of_service: Place of service 98 is not a place of service metdash "
        "knows: use one of 02, 03, 04, 10, 11, 12, 13, 14, 15, 16, 18, 19, 22, 31, 32, 33, 49, "
        "50, 62, 71, 72, 99 (11 office, 12 home, 02 / 10 telehealth).",
        "row 3, place_of_service: Place of service 'home' is not a place-of-service code: two "
        "digits, e.g. 11 office, 12 home, 02 or 10 telehealth."]
    assert db.scalar("SELECT count(*) FROM claims") == 0


def test_a_claim_on_file_with_another_place_is_not_the_same_claim(db):
    import_claims(db, csv_bytes(row()), "first.csv", USER, as_of=AS_OF)
    res = import_claims(db, _with_place((row(), "10")), "second.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, place_of_service: claim S1 is already on file with different content (11 on "
        "file for its line 1): give this claim a new id, or correct the claim on file by hand."]


def test_a_claim_changed_on_its_second_row_names_that_row_and_column(db):
    """Found by a new-user trial (stop 32): the charge of a claim's second line changed
    (38.00 -> 50.00) was refused at "row 12, claim_id", the claim's first row, no column."""
    two = (row(), row(cpt="97140", units="1", charge="38.00", modifiers="GP:59"))
    assert import_claims(db, csv_bytes(*two), "first.csv", USER, as_of=AS_OF).ok
    changed = csv_bytes(two[0], row(cpt="97140", units="1", charge="50.00", modifiers="GP:59"))
    res = import_claims(db, changed, "second.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 3, charge: claim S1 is already on file with different content (38.00 on file "
        "for its line 2): give this claim a new id, or correct the claim on file by hand."]


def test_a_corrected_re_export_is_told_every_difference_at_once(db):
    """A corrected re-export was told only its first difference, and found the next one at
    the next try. Here the export lists the claim's two lines the other way round (no
    difference by itself), 97140's units went from 1 to 2 and 97110's charge from 80.00 to
    90.00: both are named, each at its own row and against its line on file (97110 is line
    1 on file, 97140 line 2)."""
    two = (row(), row(cpt="97140", units="1", charge="38.00", modifiers="GP:59"))
    assert import_claims(db, csv_bytes(*two), "first.csv", USER, as_of=AS_OF).ok
    swapped = csv_bytes(row(cpt="97140", units="2", charge="38.00", modifiers="GP:59"),
                        row(charge="90.00"))
    res = import_claims(db, swapped, "second.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, units: claim S1 is already on file with different content (1 on file for its "
        "line 2): give this claim a new id, or correct the claim on file by hand.",
        "row 3, charge: claim S1 is already on file with different content (80.00 on file "
        "for its line 1): give this claim a new id, or correct the claim on file by hand."]
    assert db.scalar("SELECT sum(charge) FROM claim_lines") == Decimal("118.00")  # as it was
    # The two lines swapped and nothing else changed: the same claim, skipped.
    same = csv_bytes(two[1], two[0])
    res = import_claims(db, same, "third.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_skipped == 1


def test_a_row_whose_day_another_claim_holds_says_what_frees_it_by_that_claims_status(
        db, monkeypatch):
    """The import's refusal said "void that claim first" whatever the claim was: S1 went to
    the payer (submitted 2025-06-05), so it is replaced or voided (DOMAIN.md's corrected
    claim), read with the other claims' statuses up front (no query per row). A claim earlier
    in the same file is not on file: one of the two rows goes."""
    from metdash.entry import claim_reads

    assert import_claims(db, csv_bytes(row()), "first.csv", USER, as_of=AS_OF).claims_added == 1

    def one_query_per_row(*args):
        raise AssertionError("the holding claim was asked of the store, not the batch")

    monkeypatch.setattr(claim_reads, "holding_claim", one_query_per_row)
    res = import_claims(db, csv_bytes(row(claim_id="S9", units="1", charge="40.00"),
                                      row(claim_id="S10", service_date="2025-06-03"),
                                      row(claim_id="S11", service_date="2025-06-03")),
                        "second.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, cpt: 97110 on 2025-06-02 for this client is already billed on claim S1, and one "
        "date and code on two claims is denied as a duplicate: remove the row, or change claim "
        "S1 first. Claim S1 went to the payer on 2025-06-05, so it is not edited: send a "
        "replacement claim (frequency 7) whose 97110 line of 2025-06-02 bills all of the day's "
        "units, or void it (frequency 8) and import the file again once the void is sent "
        "(Claims → Status → Correct / void claim S1).",
        "row 4, cpt: 97110 on 2025-06-03 for this client is already billed on claim S10, "
        "earlier in this file: one date and code on two claims is denied as a duplicate, so "
        "remove one of the two rows, or put the day's units on one."]
    assert db.scalar("SELECT count(*) FROM claims") == 1


@pytest.mark.parametrize("data, says", [
    (b"ISA*00*          *00*~GS*HP*X~ST*835*0001~BPR*I*1*C~",
     "era.835 is an X12 835 remittance (an ERA), not a claims spreadsheet (CSV or XLSX): "
     "import it with `metdash import-835` or on the Remittances page (Import 835 files)."),
    (b"\xef\xbb\xbfISA|00|~\nGS|FA|X~\nST|999|0001~",
     "era.835 is an X12 999 acknowledgment, not a claims spreadsheet (CSV or XLSX): import it "
     "with `metdash import-ack` or on the Remittances page (Import acknowledgments)."),
    (b"ISA*00~GS*HC*X~ST*837*0001*005010X222A1~",
     "era.835 is an X12 837P claim file, the kind metdash writes to send claims, not a claims "
     "spreadsheet (CSV or XLSX): claims come in on the claims template (`metdash "
     "claims-template`) or are entered on the Claims page."),
])
def test_an_x12_file_is_sent_where_it_is_imported(db, data, says):
    # A new-user trial gave an 835 to the claims import: it read thirteen missing columns
    # and the whole 835 quoted as "columns not read".
    before = db.scalar("SELECT count(*) FROM claims")
    res = import_claims(db, data, "era.835", USER, as_of=AS_OF)
    assert res.problems == [says]
    assert db.scalar("SELECT count(*) FROM claims") == before


def test_a_payer_name_one_slip_from_one_on_file_is_refused(db):
    # A new-user trial's "Cascade Mutal PPO" became a new payer (365 days to file, no
    # clearinghouse id) and its claims went to it. "Acme Healht" is refused, naming "Acme
    # Health"; a payer unlike any on file is still added, with a warning.
    payers = db.scalar("SELECT count(*) FROM payers")
    res = import_claims(db, csv_bytes(row(payer_name="Acme Healht", payer_type="commercial",
                                          member_id="ACM000111")),
                        "slip.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, payer_name: 'Acme Healht' is not a payer on file, but 'Acme Health' is: "
        "correct the name in the file. If it is another payer, add it under Settings → "
        "Payers first."]
    assert db.scalar("SELECT count(*) FROM payers") == payers
    assert db.scalar("SELECT count(*) FROM claims WHERE claim_id = 'S1'") == 0
    res = import_claims(db, csv_bytes(row(payer_name="Zenith Mutual", payer_type="commercial",
                                          member_id="ZM1")), "new.csv", USER, as_of=AS_OF)
    assert res.problems == [] and db.scalar("SELECT count(*) FROM payers") == payers + 1
    assert any("new payer 'Zenith Mutual' added" in w for w in res.warnings)


@pytest.mark.parametrize("name, ptype, member, filing, appeal", [
    ("Zenith Mutual", "commercial", "ZM1", 90, 60),
    ("Noridian JF", "medicare", "1AA0AA0AA00", 365, 120),
])
def test_a_new_payer_gets_the_same_deadlines_as_one_added_in_settings(db, name, ptype, member,
                                                                      filing, appeal):
    # A new-user trial's "Aetna" became a commercial payer with Medicare's 365 days to file
    # and 120 to appeal; Settings → Add payer gives 90 / 60 to any other type, so that the
    # filing-risk list warns early. The warning says the days it set.
    res = import_claims(db, csv_bytes(row(payer_name=name, payer_type=ptype, member_id=member)),
                        "new.csv", USER, as_of=AS_OF)
    assert res.problems == []
    got = db.query("SELECT timely_filing_days, appeal_window_days FROM payers WHERE name = ?",
                   [name])
    assert (int(got.timely_filing_days[0]), int(got.appeal_window_days[0])) == (filing, appeal)
    rule = "cms" if ptype == "medicare" else "per_code"
    assert (f"row 2, payer_name: new payer {name!r} added as {ptype} with the {rule} units "
            f"rule, {filing} days to file and {appeal} days to appeal: check its rules under "
            "Settings → Payers.") in res.warnings


def test_a_provider_the_file_does_not_name_is_a_placeholder_the_export_knows(db):
    # A new-user trial's 837P sent "IMPORTED PROVIDER", first name the NPI: the import's
    # placeholder is the one the export refuses (metdash.entry.is_placeholder_provider), and
    # its warning says where to name it.
    from metdash import entry as e

    res = import_claims(db, csv_bytes(row(rendering_npi="1679576722")), "p.csv", USER,
                        as_of=AS_OF)
    assert res.problems == []
    assert ("row 2, rendering_npi: new provider NPI 1679576722 added as 'Imported provider' "
            "(the file gives no rendering_name): enter the provider's name under Settings → "
            "Providers → Change a provider before sending its claims.") in res.warnings
    made = db.query("SELECT last_name, first_name, npi FROM providers "
                    "WHERE npi = '1679576722'").iloc[0].tolist()
    assert e.is_placeholder_provider(*made)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_templates_own_example_row_is_not_imported_as_a_claim(db, kind):
    # A new-user trial imported the template as written: its made-up row was refused for
    # timely filing, and would otherwise have made a claim of Sam Sample. Said as what it is,
    # with no other message about it; a file holding it and a real row imports nothing.
    claims = db.scalar("SELECT count(*) FROM claims")
    res = import_claims(db, template(kind), f"template.{kind}", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, claim_id: this is the template's made-up example (claim MD250304-001, Sam "
        "Sample): replace it with your own claims, a line a row."]
    both = template("csv") + (row() + "\n").encode()
    res = import_claims(db, both, "both.csv", USER, as_of=AS_OF)
    assert len(res.problems) == 1 and "made-up example" in res.problems[0]
    assert db.scalar("SELECT count(*) FROM claims") == claims
