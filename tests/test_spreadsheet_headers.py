"""A claims spreadsheet out of another system: its header names the template's columns in
its own words ("DOS", "CPT Code", "Mod 1", "Mod 2", "Dx 1", "Dx 2"). The import reads them
as a biller would, says what it read as what, names the file's own header in every
message, and refuses a header it cannot read one way only.

The file below is one claim of two lines, written as a practice-management export might.
Read by hand: claim X-100 for Lois Lane (born 1948-01-02), Medicare Part B member
1AA0AA0AA00, referred by Dr Anna Smith (NPI 1679576722) on 2025-05-20, seen 2025-06-02:
97110 x2 $80.00 with modifiers GP and KX, 97112 x1 $42.00 with GP; diagnoses M54.50 and
E11.9; rendered by NPI 1245319599; sent 2025-06-05. So: one claim, submitted, $122.00,
two lines, modifiers [GP, KX] and [GP].
"""

import io

import openpyxl
import pytest

from metdash.sheet_headers import key, plan
from metdash.sheets import READ_COLUMNS, TEMPLATE_COLUMNS
from metdash.spreadsheet import import_claims
from tests.entry_seed import AS_OF, USER

THEIR_HEADER = ["Claim #", "Patient Account", "Patient Last Name", "Patient First Name",
                "DOB", "Sex", "Insurance", "Subscriber ID", "Referring Provider NPI",
                "Referring Provider", "Date of Referral", "Date of Service", "CPT Code",
                "Mod 1", "Mod 2", "Units", "Charge Amount", "Dx 1", "Dx 2",
                "Rendering Provider NPI", "Date Submitted", "Balance"]
LINE_1 = ["X-100", "C100", "Lane", "Lois", "1948-01-02", "F", "Medicare Part B",
          "1AA0AA0AA00", "1679576722", "Smith, Anna", "2025-05-20", "2025-06-02", "97110",
          "GP", "KX", "2", "80.00", "M54.50", "E11.9", "1245319599", "2025-06-05", "0"]
LINE_2 = [*LINE_1[:12], "97112", "GP", "", "1", "42.00", *LINE_1[17:]]


@pytest.fixture
def db(seeded_db):
    return seeded_db


def xlsx(*rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv(*rows):
    return "\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in rows).encode()


def test_another_systems_file_imports_as_the_template_would(db):
    res = import_claims(db, xlsx(THEIR_HEADER, LINE_1, LINE_2), "export.xlsx", USER,
                        as_of=AS_OF)
    assert res.problems == [] and (res.claims_added, res.lines_added) == (1, 2)
    c = db.query("SELECT * FROM claims WHERE claim_id = 'X-100'").iloc[0]
    assert (c.client_id, c.status, str(c.submitted_date)) == ("C100", "submitted", "2025-06-05")
    assert list(c.diagnosis_codes) == ["M54.50", "E11.9"] and float(c.total_charge) == 122.0
    lines = db.query("SELECT cpt, units, modifiers FROM claim_lines WHERE claim_id = 'X-100' "
                     "ORDER BY line_no")
    assert [(r.cpt, r.units, list(r.modifiers)) for r in lines.itertuples()] == [
        ("97110", 2, ["GP", "KX"]), ("97112", 1, ["GP"])]
    assert db.scalar("SELECT last_name || ', ' || first_name FROM clients "
                     "WHERE client_id = 'C100'") == "Lane, Lois"
    # What was read as what, said once; "Balance" is not a template column: left alone.
    said = res.notes[0]
    assert said.startswith("Columns read under the file's own names: 'Claim #' \u2192 claim_id"
                           " · 'Patient Account' \u2192 client_id · ")
    for part in ("'Date of Service' \u2192 service_date", "'CPT Code' \u2192 cpt",
                 "'Mod 1' and 'Mod 2' \u2192 modifiers (joined with ',')",
                 "'Dx 1' and 'Dx 2' \u2192 diagnosis_codes (joined with ';')"):
        assert part in said
    assert "Balance" not in said  # not a template column: left alone, and said
    assert res.notes[-1] == "Columns not read (metdash keeps nothing of them): 'Balance'."
    # It has no payer type or referrer kind (optional; place_of_service is optional too and
    # its blank is the office): read as blank, and said.
    assert [w for w in res.warnings if "has no column" in w] == [
        "The file has no column for payer_type, referrer_kind: read as blank (add the column "
        "to fill them in)."]


def test_a_problem_names_the_files_own_column(db):
    bad = [*LINE_1[:16], "eighty", *LINE_1[17:]]
    res = import_claims(db, csv(THEIR_HEADER, bad), "export.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, charge ('Charge Amount'): 'eighty' is not an amount: write it like 45.00."]
    # "Units" is the template's own name (case does not matter): said as it is.
    bad = [*LINE_1[:15], "two", *LINE_1[16:]]
    res = import_claims(db, csv(THEIR_HEADER, bad), "export.csv", USER, as_of=AS_OF)
    assert res.problems == ["row 2, units: 'two' must be a whole number of 1 or more."]
    bad = [*LINE_1[:11], "06/31/2025", *LINE_1[12:]]
    res = import_claims(db, csv(THEIR_HEADER, bad), "export.csv", USER, as_of=AS_OF)
    assert res.problems and res.problems[0].startswith(
        "row 2, service_date ('Date of Service'): ")


def test_the_templates_own_name_wins_and_two_other_names_are_refused(db):
    p = plan(["cpt", "CPT Code", "DOS"], TEMPLATE_COLUMNS)
    assert p.columns == {"cpt": [0], "service_date": [2]} and p.unread == ["CPT Code"]
    header = [*THEIR_HEADER, "DOS"]
    res = import_claims(db, csv(header, [*LINE_1, "2025-06-02"]), "two.csv", USER,
                        as_of=AS_OF)
    assert res.problems == [
        "row 1: the columns 'Date of Service' and 'DOS' would all be read as service_date: "
        "delete one, or rename the one to read service_date."]
    assert db.scalar("SELECT count(*) FROM claims WHERE claim_id = 'X-100'") == 0


def test_a_missing_column_says_what_the_file_has_that_was_not_read(db):
    header = ["Claim #", "Patient Account", "Patient Last Name", "Patient First Name", "DOB",
              "Insurance", "Subscriber ID", "Visit", "Svc", "Units", "Charge Amount",
              "Dx 1", "Rendering Provider NPI"]
    res = import_claims(db, csv(header, ["X-1"] * len(header)), "odd.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 1 (the header): the file has no column for service_date, cpt: the header must "
        "name each, by the template's name or one that other systems use: service_date (the "
        "date of service: also read as 'DOS', 'Date of Service' or 'Service Dt'); cpt (the "
        "procedure code: also read as 'CPT Code', 'CPT HCPCS' or 'HCPCS'); the file's columns "
        "not read: 'Visit', 'Svc'. Download the template to compare."]
    # The client's own number is the one a file of names alone lacks (a new-user trial got
    # an example for another column): said in words, with the names it is read under.
    no_account = [h for h in header if h != "Patient Account"]
    res = import_claims(db, csv(no_account, ["X-1"] * len(no_account)), "names.csv", USER,
                        as_of=AS_OF)
    assert ("client_id (the client's chart or account number in your system, the same on "
            "each of the client's rows: also read as 'Patient ID', 'Patient Account' or "
            "'Patient Account Number')") in res.problems[0]
    # Below a title, the header is row 2: the message says so.
    res = import_claims(db, csv(["Charges by date of service"], header, ["X-1"] * len(header)),
                        "odd2.csv", USER, as_of=AS_OF)
    assert res.problems[0].startswith("row 2 (the header): the file has no column for service_date, cpt: ")


def test_optional_columns_left_out_are_blank_and_unsent_claims_are_said(db):
    required = ["claim_id", "client_id", "client_last_name", "client_first_name",
                "client_dob", "payer_name", "member_id", "service_date", "cpt", "units",
                "charge", "diagnosis_codes", "rendering_npi"]
    values = ["N1", "C300", "Nash", "Ned", "1990-03-04", "Blue Fern Health", "BF1",
              "2025-06-20", "97110", "2", "160.00", "M54.50", "1245319599"]
    res = import_claims(db, csv(required, values), "min.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1 and res.notes == []
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'N1'") == "ready"
    assert res.warnings[:2] == [
        "The file has no submitted_date column: every claim is imported as ready to send (it "
        "goes in the next 837P file). If they were sent already, add the column with the "
        "date each was sent.",
        "The file has no column for client_sex, payer_type, referrer_npi, referrer_name, "
        "referrer_kind, referral_date, modifiers: read as blank (add the column to fill them "
        "in)."]


@pytest.mark.parametrize(("header", "column"), [
    ("Date of Service", "service_date"), ("DATE-OF-SERVICE", "service_date"),
    ("D.O.S.", None), ("Member #", "member_id"), ("ICD-10 Codes", "diagnosis_codes"),
    ("Modifier 3", "modifiers"), ("ICD C", "diagnosis_codes"), ("Dx Pointer 1", None),
    ("Dx Pointer", "dx_pointers"), ("Rendering Provider", "rendering_name"), ("Date", None),
    ("Amount", None), ("Policy #", "member_id"), ("Account #", "client_id"),
    # A header written with "#" is its "number" (or "id") name: "Visit #" is "Visit Number"
    # (a new-user trial's was not read), "Patient #" a number, not a "Last, First" name,
    # "Insurance #" the member's, not the payer's name; "Visit" alone is not a claim id.
    ("Visit #", "claim_id"), ("Visit#", "claim_id"), ("Claim #", "claim_id"),
    ("Encounter #", "claim_id"), ("Client #", "client_id"), ("Patient #", "client_id"),
    ("Acct #", "client_id"), ("Insured #", "member_id"), ("Insurance #", "member_id"),
    ("Primary Member #", "member_id"), ("NPI #", "rendering_npi"), ("Visit", None)])
def test_which_names_are_read(header, column):
    p = plan([header], READ_COLUMNS)
    assert (next(iter(p.columns)) if p.columns else None) == column, key(header)


def test_a_whole_name_column_is_split_at_its_comma(db):
    """'Patient Name' "Lane, Lois" is last name Lane, first name Lois; "Lois Lane" has no
    comma, and which word is the last name is not guessed: that row is refused."""
    header = ["Patient Name" if h == "Patient Last Name" else h for h in THEIR_HEADER
              if h != "Patient First Name"]
    row = [*LINE_1[:2], "Lane, Lois", *LINE_1[4:]]
    res = import_claims(db, csv(header, row), "named.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    assert "'Patient Name' \u2192 client_last_name, client_first_name" in res.notes[0]
    assert db.scalar("SELECT last_name || '/' || first_name FROM clients "
                     "WHERE client_id = 'C100'") == "Lane/Lois"
    row = ["X-101", "C101", "Lois Lane", *LINE_1[4:]]
    res = import_claims(db, csv(header, row), "unsplit.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, client_last_name ('Patient Name'): 'Lois Lane' has no comma: write the name "
        "'Last, First' (as 'Lane, Lois'), or give the last and first names columns of their "
        "own (client_last_name, client_first_name)."]
    # Beside a last-name column of its own, a whole-name column is not read.
    p = plan(["Patient Name", "Last Name", "First Name"], TEMPLATE_COLUMNS)
    assert p.whole_name is None and p.unread == ["Patient Name"]


def test_a_title_above_the_header_and_a_totals_row_below_are_not_claims(db):
    """An export as a report writes it: a title and its date range above the header, a
    "Total" row under the lines (its charge the sum, 122.00). The header is row 4; the
    claim is read from rows 5 and 6; rows 1-2 and 7 are said, not read."""
    title = ["Charges by date of service"] + [""] * (len(THEIR_HEADER) - 1)
    span = ["06/01/2025 - 06/30/2025"] + [""] * (len(THEIR_HEADER) - 1)
    total = ["Total"] + [""] * 15 + ["122.00"] + [""] * (len(THEIR_HEADER) - 17)
    blank = [""] * len(THEIR_HEADER)
    res = import_claims(db, xlsx(title, span, blank, THEIR_HEADER, LINE_1, LINE_2, total),
                        "report.xlsx", USER, as_of=AS_OF)
    assert res.problems == [] and (res.claims_added, res.lines_added) == (1, 2)
    assert "Row(s) 1, 2 above the header (row 4) were not read: a title, not claims." in (
        res.notes)
    assert "Row 7 was not read: a totals row, not a claim line." in res.notes
    # Without a header anywhere near the top, the first row is the header: its message.
    res = import_claims(db, csv(title, span, LINE_1, LINE_1, LINE_1, LINE_1), "none.csv",
                        USER, as_of=AS_OF)
    assert len(res.problems) == 1 and res.problems[0].startswith(
        "row 1 (the header): the file has no column for claim_id, ")
    assert "'Charges by date of service'" in res.problems[0]


@pytest.mark.parametrize("column", [12, 11])
def test_a_totals_row_is_left_out_whichever_column_says_total(db, column):
    """A charge report writes "Total" in the column it totals beside, under the codes (12)
    or the dates of service (11), with the units (3) and charges (122.00) summed: the whole
    file was refused for that row's empty claim id, client and so on (a new-user trial)."""
    total = [""] * len(THEIR_HEADER)
    total[column], total[15], total[16] = "Total:", "3", "122.00"
    res = import_claims(db, xlsx(THEIR_HEADER, LINE_1, LINE_2, total), "charges.xlsx", USER,
                        as_of=AS_OF)
    assert res.problems == [] and (res.claims_added, res.lines_added) == (1, 2)
    assert "Row 4 was not read: a totals row, not a claim line." in res.notes


def test_a_code_written_with_its_modifiers_is_split(db):
    """"97110-GP" with 'KX' in Mod 1 is 97110 with GP then KX (the code's own first); "97112 GP 59" is 97112 with
    GP and 59 (as exports write a code and its modifiers in one cell)."""
    header = [h for h in THEIR_HEADER if h != "Mod 2"]
    one = [c for h, c in zip(THEIR_HEADER, LINE_1, strict=True) if h != "Mod 2"]
    i, m = header.index("CPT Code"), header.index("Mod 1")
    one[i], one[m] = "97110-GP", "KX"
    two = [c for h, c in zip(THEIR_HEADER, LINE_2, strict=True) if h != "Mod 2"]
    two[i], two[m] = "97112 GP 59", ""
    res = import_claims(db, csv(header, one, two), "codes.csv", USER, as_of=AS_OF)
    assert res.problems == []
    lines = db.query("SELECT cpt, modifiers FROM claim_lines WHERE claim_id = 'X-100' "
                     "ORDER BY line_no")
    assert [(r.cpt, list(r.modifiers)) for r in lines.itertuples()] == [
        ("97110", ["GP", "KX"]), ("97112", ["GP", "59"])]


def test_dates_as_other_systems_write_them(db):
    """Born "January 2, 1948"; referred "20250520" (as X12 writes it); seen
    "6/2/2025 12:00:00 AM" (a CSV saved from Access: midnight after the date); sent
    "2025/06/05": the same claim as the template's YYYY-MM-DD. "2025/06/31" is no date."""
    at = {h: i for i, h in enumerate(THEIR_HEADER)}
    row = list(LINE_1)
    row[at["DOB"]], row[at["Date of Referral"]] = "January 2, 1948", "20250520"
    row[at["Date of Service"]], row[at["Date Submitted"]] = "6/2/2025 12:00:00 AM", "2025/06/05"
    res = import_claims(db, csv(THEIR_HEADER, row), "dates.csv", USER, as_of=AS_OF)
    assert res.problems == []
    got = db.query("SELECT c.submitted_date, l.service_date, k.dob, r.received_date "
                   "FROM claims c JOIN claim_lines l USING (claim_id) "
                   "JOIN clients k USING (client_id) JOIN referrals r USING (referral_id, client_id) "
                   "WHERE claim_id = 'X-100'").iloc[0]
    assert [str(v)[:10] for v in got] == ["2025-06-05", "2025-06-02", "1948-01-02",
                                          "2025-05-20"]
    row[at["Date Submitted"]] = "2025/06/31"
    res = import_claims(db, csv(THEIR_HEADER, row), "bad.csv", USER, as_of=AS_OF)
    assert res.problems == ["row 2, submitted_date ('Date Submitted'): '2025/06/31' is no day "
                            "of the calendar: check its month and day."]
    # A date saved from Excel as its number of days; a birth after the visit.
    row[at["Date Submitted"]], row[at["Date of Service"]] = "45813", "2025-06-02"
    row[at["DOB"]] = "2025-06-03"
    res = import_claims(db, csv(THEIR_HEADER, row), "serial.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, submitted_date ('Date Submitted'): '45813' is a date as Excel counts them "
        "(days since 1900), saved as a number: format the column as a date in Excel before "
        "saving, or write it as YYYY-MM-DD.",
        "row 2, service_date ('Date of Service'): 2025-06-02 is before the client was born "
        "(2025-06-03): check both dates."]
    # A birth date after the import's day (AS_OF 2025-06-30) is a mistyped year, said so (a
    # trial was told only that the visit came before the birth).
    row[at["Date Submitted"]], row[at["DOB"]] = "2025-06-05", "2030-01-02"
    res = import_claims(db, csv(THEIR_HEADER, row), "born.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, client_dob ('DOB'): 2030-01-02 is after today (2025-06-30): check the year."]


def test_the_claims_sheet_of_a_workbook_need_not_be_the_first(db):
    """An export whose first sheet is a summary ("Total charges", 122.00) and whose second,
    "Line items", holds the claim: the second is read, and said."""
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Total charges", 122.00])
    lines = wb.create_sheet("Line items")
    for r in (THEIR_HEADER, LINE_1, LINE_2):
        lines.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    res = import_claims(db, buf.getvalue(), "workbook.xlsx", USER, as_of=AS_OF)
    assert res.problems == [] and (res.claims_added, res.lines_added) == (1, 2)
    assert ("Read the sheet 'Line items': the first sheet, 'Summary', names no claim "
            "columns.") in res.notes


def test_the_page_lists_each_column_its_need_and_its_other_names():
    from metdash.sheets import REQUIRED
    from metdash.spreadsheet import column_names

    rows = {r["column"]: r for r in column_names()}
    assert list(rows) == list(READ_COLUMNS)  # the template's, then those read if there
    assert {c for c, r in rows.items() if r["required"] == "yes"} == set(REQUIRED)
    assert "date of service" in rows["service_date"]["also_read_as"].split(", ")
    assert rows["modifiers"]["also_read_as"].endswith("mod 1, mod 2, ... (joined)")
    # Every name listed is one the import reads as that column.
    for column, r in rows.items():
        for name in r["also_read_as"].split(", "):
            if not any(mark in name for mark in ".'") and name != "patient name":
                assert plan([name], READ_COLUMNS).columns == {column: [0]}, name


def test_amounts_with_a_decimal_comma_are_read_as_written(db):
    """A European export writes 80,00 and 1.045,50: $80.00 and $1,045.50, never $8,000.00
    and $1.05 (a new-user trial saw both imported without a word). 1.045 (three decimals)
    is refused: a thousand and forty-five, or a typo for 1.05?"""
    at = THEIR_HEADER.index("Charge Amount")
    one, two = list(LINE_1), list(LINE_2)
    one[at], two[at] = "1.045,50", "80,00"
    data = "\n".join(";".join(r) for r in (THEIR_HEADER, one, two)).encode()
    res = import_claims(db, data, "eu.csv", USER, as_of=AS_OF)
    assert res.problems == []
    charges = db.query("SELECT charge FROM claim_lines WHERE claim_id = 'X-100' "
                       "ORDER BY line_no").charge.tolist()
    assert [float(c) for c in charges] == [1045.50, 80.00]
    one[at], two[at] = "1.045", "1,200"
    res = import_claims(db, csv(THEIR_HEADER, [*one[:0], "X-200", *one[1:]]),
                        "three.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, charge ('Charge Amount'): '1.045' has more than two decimals: an amount has "
        "cents at most (a thousand and forty-five is 1045.00 or 1,045.00)."]


def _report(*extra_header):
    """THEIR_HEADER without a payer type, plus ``extra_header`` columns."""
    return [*THEIR_HEADER, *extra_header]


def test_a_status_that_says_sent_needs_the_date_it_was_sent(db):
    """A "Paid" claim with no submitted date would be imported ready to send, and go out
    again in the next 837P: refused at its row. With its date it imports, sent."""
    at = THEIR_HEADER.index("Date Submitted")
    row = [*LINE_1[:at], "", *LINE_1[at + 1:], "Paid"]
    res = import_claims(db, csv(_report("Status"), row), "paid.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, claim_status ('Status'): 'Paid' says the claim was sent, but the row has no "
        "submitted_date: add the date it was sent, or it would go out again in the next 837P "
        "file."]
    res = import_claims(db, csv(_report("Status"), [*LINE_1, "Paid"]), "paid2.csv", USER,
                        as_of=AS_OF)
    assert res.problems == [] and db.scalar(
        "SELECT status FROM claims WHERE claim_id = 'X-100'") == "submitted"


def test_a_status_on_hold_imports_a_draft_and_a_void_one_is_refused(db):
    """"On Hold" (not sent, not to be sent yet) imports as a draft, which no 837P file takes;
    "Voided" is refused at its row (a void claim is not billed)."""
    at = THEIR_HEADER.index("Date Submitted")
    unsent = [*LINE_1[:at], "", *LINE_1[at + 1:]]
    res = import_claims(db, csv(_report("Status"), [*unsent[:0], "X-300", *unsent[1:],
                                                     "Voided"]), "void.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, claim_status ('Status'): 'Voided' says the claim is void in the system it came "
        "from: leave its row out of the file."]
    res = import_claims(db, csv(_report("Status"), [*unsent, "On Hold"]), "hold.csv", USER,
                        as_of=AS_OF)
    assert res.problems == [] and db.scalar(
        "SELECT status FROM claims WHERE claim_id = 'X-100'") == "draft"
    assert ("row 2, claim_status ('Status'): 'On Hold': imported as a draft, left out of the "
            "next 837P file; mark it ready on the Claims page when it is.") in res.warnings


def test_diagnosis_pointers_point_each_line_at_its_own_diagnoses(db):
    """Line 1 points at 2 (E11.9), line 2 at "AB" (both): the claim's diagnoses stay
    M54.50, E11.9 and the lines' pointers are [2] and [1, 2]. A pointer 3 on a row of two
    diagnoses is refused."""
    res = import_claims(db, csv(_report("Dx Pointer"), [*LINE_1, "2"], [*LINE_2, "AB"]),
                        "ptr.csv", USER, as_of=AS_OF)
    assert res.problems == []
    ptrs = db.query("SELECT dx_pointers FROM claim_lines WHERE claim_id = 'X-100' "
                    "ORDER BY line_no").dx_pointers.tolist()
    assert [list(p) for p in ptrs] == [[2], [1, 2]]
    bad = [*LINE_1[:0], "X-101", *LINE_1[1:], "3"]
    res = import_claims(db, csv(_report("Dx Pointer"), bad), "ptr3.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, dx_pointers ('Dx Pointer'): '3' points at no diagnosis of the row: it has 2 "
        "(M54.50, E11.9): write 1 to 2, as '1,2'."]


def test_new_payers_and_providers_are_named_from_the_file(db):
    """No payer type: a new payer "Medicare" is medicare (CMS 8-minute rule), not "other"
    with the per-code rule. The rendering provider "Lindqvist, Mara PT" is Mara Lindqvist,
    PT, not "Imported provider"."""
    npi = "1679576722"  # not on file in the seeded practice as a provider
    at, payer = THEIR_HEADER.index("Rendering Provider NPI"), THEIR_HEADER.index("Insurance")
    row = [*LINE_1[:at], npi, *LINE_1[at + 1:], "Lindqvist, Mara PT"]
    row[payer] = "Medicare"
    res = import_claims(db, csv(_report("Rendering Provider"), row), "named.csv", USER,
                        as_of=AS_OF)
    assert res.problems == []
    made = db.query("SELECT payer_type, units_rule FROM payers WHERE name = 'Medicare'").iloc[0]
    assert (made.payer_type, made.units_rule) == ("medicare", "cms")
    prov = db.query(f"SELECT last_name, first_name, credential FROM providers "
                    f"WHERE npi = '{npi}'").iloc[0]
    assert list(prov) == ["Lindqvist", "Mara", "PT"]
    assert any("added as medicare (from its name" in w for w in res.warnings)


@pytest.mark.parametrize(("name", "kind"), [
    ("Medicare Part B", "medicare"), ("Humana Medicare Advantage PPO", "medicare_advantage"),
    ("Evergreen State Medicaid", "medicaid"), ("Workers' Comp - Liberty", "workers_comp"),
    ("Blue Fern Health", "other")])
def test_a_payers_type_from_its_name(name, kind):
    from metdash.sheet_names import payer_type_of_name

    assert payer_type_of_name(name) == kind


def test_a_reports_page_furniture_is_not_read_as_claims(db):
    """A report printed to CSV: its header again on page 2, "Subtotal" and "Page 1 of 2"
    lines, a "Printed ... by jdoe" line. The two lines of claim X-100 import; the rest is
    said, not refused row by row (a trial got 70 problems for 3 lines)."""
    width = len(THEIR_HEADER)
    pad = [""] * (width - 1)
    rows = [THEIR_HEADER, LINE_1, ["Subtotal", *pad[:15], "80.00", *pad[16:]],
            ["Page 1 of 2", *pad], THEIR_HEADER, LINE_2,
            ["Printed 11/30/2026 8:15:02 AM by jdoe", *pad], ["Page 2 of 2", *pad]]
    res = import_claims(db, csv(*rows), "printed.csv", USER, as_of=AS_OF)
    assert res.problems == [] and (res.claims_added, res.lines_added) == (1, 2)
    assert [n for n in res.notes if n.startswith("Row")] == [
        "Row 3 was not read: a totals row, not a claim line.",
        "Row 4 was not read: no date of service or code, not a claim line ('Page 1 of 2').",
        "Row 5 was not read: it repeats the header.",
        "Row 7 was not read: no date of service or code, not a claim line ('Printed "
        "11/30/2026 8:15:02 AM by jdoe').",
        "Row 8 was not read: no date of service or code, not a claim line ('Page 2 of 2')."]


def test_a_late_claim_imports_with_the_reason_it_is_late(db):
    """Seen 2024-05-01, not sent yet on 2025-06-30: past Medicare's 365 days (2025-05-01).
    Refused until the file says why ("Late Reason"): the reason is kept on the claim."""
    at = {h: i for i, h in enumerate(THEIR_HEADER)}
    row = list(LINE_1)
    row[at["Date of Service"]], row[at["Date of Referral"]] = "2024-05-01", "2024-04-20"
    row[at["Date Submitted"]] = ""
    res = import_claims(db, csv(THEIR_HEADER, row), "late.csv", USER, as_of=AS_OF)
    assert len(res.problems) == 1 and "reason" in res.problems[0]
    assert res.problems[0].startswith("row 2, timely_filing_reason: ")
    res = import_claims(db, csv([*THEIR_HEADER, "Late Reason"],
                                [*row, "Retroactive eligibility: card issued 2025-05-20"]),
                        "late2.csv", USER, as_of=AS_OF)
    assert res.problems == []
    assert db.scalar("SELECT timely_filing_reason FROM claims WHERE claim_id = 'X-100'") == (
        "Retroactive eligibility: card issued 2025-05-20")


def test_the_same_claim_with_its_lines_in_another_order_is_skipped(db):
    """Exported again sorted another way, claim X-100's two lines come in the other order:
    the same claim, skipped (a trial's re-export was refused as "different content")."""
    assert import_claims(db, csv(THEIR_HEADER, LINE_1, LINE_2), "a.csv", USER,
                         as_of=AS_OF).claims_added == 1
    again = import_claims(db, csv(THEIR_HEADER, LINE_2, LINE_1), "b.csv", USER, as_of=AS_OF)
    assert again.problems == [] and (again.claims_added, again.claims_skipped) == (0, 1)


def test_a_client_with_a_new_primary_payer_is_said(db):
    """C001 is on file with Medicare Part B (primary). A file bills her to Acme Health with
    a new member id: a second primary coverage is made, and the import says so (a change of
    insurance or a second plan: the file cannot tell). "M5450 E119" is two codes."""
    at = {h: i for i, h in enumerate(THEIR_HEADER)}
    row = list(LINE_1)
    row[at["Patient Account"]], row[at["Insurance"]] = "C001", "Acme Health"
    row[at["Subscriber ID"]], row[at["Dx 1"]], row[at["Dx 2"]] = "ACM999", "M5450 E119", ""
    last, first, dob = db.query("SELECT last_name, first_name, dob FROM clients "
                                "WHERE client_id = 'C001'").iloc[0]
    row[at["Patient Last Name"]], row[at["Patient First Name"]] = last, first
    row[at["DOB"]] = str(dob)[:10]
    res = import_claims(db, csv(THEIR_HEADER, row), "new_payer.csv", USER, as_of=AS_OF)
    assert res.problems == []
    assert any(w.startswith("row 2, payer_name ('Insurance'): client C001 now has two primary "
                            "coverages from 2025-06-02 (Medicare Part B on file, and Acme "
                            "Health from this file)") for w in res.warnings)
    assert list(db.scalar("SELECT diagnosis_codes FROM claims WHERE claim_id = 'X-100'")) == [
        "M54.50", "E11.9"]


def test_a_workbooks_dates_left_as_excel_day_numbers_are_read_as_excel_means(db):
    """A workbook whose date columns are formatted General holds 45810 for 2025-06-02 and
    17534 for 1948-01-02 (days since Excel's day 0, 1899-12-30): read as those dates, and
    said. In a CSV the same number is refused with the hint (the test above)."""
    at = {h: i for i, h in enumerate(THEIR_HEADER)}
    one, two = list(LINE_1), list(LINE_2)
    for row in (one, two):
        row[at["Date of Service"]], row[at["DOB"]] = 45810, 17534
    res = import_claims(db, xlsx(THEIR_HEADER, one, two), "general.xlsx", USER, as_of=AS_OF)
    assert res.problems == []
    assert ("Dates kept as Excel's day numbers were read as the dates Excel means (row 2, "
            "client_dob: 17534 is 1948-01-02): format those columns as dates to see them in "
            "Excel.") in res.notes
    assert str(db.scalar("SELECT min(service_date) FROM claim_lines "
                         "WHERE claim_id = 'X-100'")) == "2025-06-02"


def test_modifiers_written_with_the_codes_are_no_missing_column(db):
    """No modifier column, but "97110-GP": the warning about columns left out does not name
    modifiers (a trial was told "modifiers: read as blank" of a file whose codes had them)."""
    keep = [i for i, h in enumerate(THEIR_HEADER) if h not in ("Mod 1", "Mod 2")]
    code = THEIR_HEADER.index("CPT Code")
    one = [("97110-GP-KX" if i == code else c) for i, c in enumerate(LINE_1)]
    res = import_claims(db, csv([THEIR_HEADER[i] for i in keep], [one[i] for i in keep]),
                        "codes.csv", USER, as_of=AS_OF)
    assert res.problems == []
    assert [w for w in res.warnings if "has no column" in w] == [
        "The file has no column for payer_type, referrer_kind: read as blank (add the column "
        "to fill them in)."]


def test_a_second_trials_exports(db):
    """What a second new-user trial met, each worked by hand:

    - "Charge" (a unit's rate, 45.00) beside "Total Charge" (the line's, 90.00): which is
      the line's charge is not guessed;
    - "CPT 2", "Units 2" (a claim a row): refused, not read as one line;
    - a row exported twice: refused at the repeat;
    - a self-pay row: no claim, said so;
    - "Encounter #", "Appointment Date", "Service Code", "Billed To", "Clinician NPI" are
      the claim id, date of service, code, payer and rendering NPI; a visit's time after
      its date is the day of service."""
    rate = ["Charge" if h == "Charge Amount" else h for h in THEIR_HEADER]
    res = import_claims(db, csv([*rate, "Total Charge"], [*LINE_1, "160.00"]),
                        "two_charges.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 1: the columns 'Charge' and 'Total Charge' could both be the line's charge: keep "
        "the one for all the line's units as charge, and rename or delete the other."]
    # Two other names for it: refused too (as any column named twice).
    res = import_claims(db, csv([*THEIR_HEADER, "Total Charge"], [*LINE_1, "160.00"]),
                        "two_charges2.csv", USER, as_of=AS_OF)
    assert res.problems[0].startswith(
        "row 1: the columns 'Charge Amount' and 'Total Charge' would all be read as charge")
    res = import_claims(db, csv(["Total", ""], [*THEIR_HEADER, "CPT 2", "Units 2"],
                                [*LINE_1, "97112", "1"]), "wide.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2: the columns 'CPT 2', 'Units 2' say each row holds several service lines (a "
        "claim a row); metdash reads one service line a row: put each line (its code, units "
        "and charge) on a row of its own, with the claim's id on each."]
    res = import_claims(db, csv(THEIR_HEADER, LINE_1, LINE_2, LINE_2), "twice.csv", USER,
                        as_of=AS_OF)
    assert res.problems == [
        "row 4, claim_id ('Claim #'): the row repeats row 3 exactly: delete one (two visits "
        "of a code on one day go on one line, with all their units)."]
    at = THEIR_HEADER.index("Insurance")
    own = [*LINE_1[:at], "Self-Pay", *LINE_1[at + 1:]]
    res = import_claims(db, csv(THEIR_HEADER, own), "self.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, payer_name ('Insurance'): 'Self-Pay': a visit the client pays for is no claim "
        "to a payer: leave its row out of the file (the client's payment goes under Payments "
        "& appeals)."]
    renamed = {"Claim #": "Encounter #", "Date of Service": "Appointment Date",
               "CPT Code": "Service Code", "Insurance": "Billed To",
               "Rendering Provider NPI": "Clinician NPI"}
    header = [renamed.get(h, h) for h in THEIR_HEADER]
    dos = THEIR_HEADER.index("Date of Service")
    one = [*LINE_1[:dos], "2025-06-02T09:30:00-05:00", *LINE_1[dos + 1:]]
    two = [*LINE_2[:dos], "06/02/2025 9:30 AM", *LINE_2[dos + 1:]]
    res = import_claims(db, csv(header, one, two), "jane.csv", USER, as_of=AS_OF)
    assert res.problems == [] and (res.claims_added, res.lines_added) == (1, 2)
    assert str(db.scalar("SELECT max(service_date) FROM claim_lines "
                         "WHERE claim_id = 'X-100'")) == "2025-06-02"


def test_a_clinician_written_first_name_first_with_a_credential():
    from metdash.sheet_names import provider_named

    made = provider_named("Dana Kim, PT", "1245319599")
    assert (made.last_name, made.first_name, made.credential) == ("Kim", "Dana", "PT")


def test_only_one_sheet_of_a_workbook_with_a_sheet_a_month_is_read_and_said(db):
    wb = openpyxl.Workbook()
    wb.active.title = "October"
    for r in (THEIR_HEADER, LINE_1, LINE_2):
        wb.active.append(r)
    november = wb.create_sheet("November")
    for r in (THEIR_HEADER, [*LINE_1[:0], "X-200", *LINE_1[1:]]):
        november.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    res = import_claims(db, buf.getvalue(), "months.xlsx", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    assert ("Read the sheet 'October' only: the sheet(s) 'November' hold claim columns too: "
            "import each as a file of its own (or put all the lines on one sheet).") in res.notes


# Lois Lane, born 1948-01-02, on file as C100 with claim X-100 (97110 and 97112 of
# 2025-06-02), exported again by another system under another id:
LOOK_ALIKES = [
    # as A-77, her name and birth date C100's;
    ({"Patient Account": "A-77"}, "A-77", "Lane, Lois, born 1948-01-02",
     "name and birth date"),
    # as A-78 "Lane-Smith" (a name changed, or mistyped: a new-user trial made six clients of
    # one person so), her Medicare member id as the card prints it (1AA0-AA0-AA00) and her
    # birth date C100's.
    ({"Patient Account": "A-78", "Patient Last Name": "Lane-Smith",
      "Subscriber ID": "1AA0-AA0-AA00"}, "A-78",
     "Lane, Lois, born 1948-01-02, member id 1AA0AA0AA00", "member id and birth date"),
]


@pytest.mark.parametrize("changes, new_id, on_file, same", LOOK_ALIKES,
                         ids=["same name", "same member id"])
def test_a_client_on_file_under_another_id_is_not_billed_twice(db, changes, new_id, on_file,
                                                               same):
    """Her 97110 of 2025-06-02 under the new id is refused (billed twice); a visit of
    2025-06-09 imports, with a warning that the two ids look like one person."""
    assert import_claims(db, csv(THEIR_HEADER, LINE_1, LINE_2), "first.csv", USER,
                         as_of=AS_OF).claims_added == 1
    at = {h: i for i, h in enumerate(THEIR_HEADER)}
    again = list(LINE_1)
    again[at["Claim #"]] = "B-1"
    for column, value in changes.items():
        again[at[column]] = value
    res = import_claims(db, csv(THEIR_HEADER, again), "second.csv", USER, as_of=AS_OF)
    assert res.problems == [
        f"row 2, client_id ('Patient Account'): 97110 on 2025-06-02 is already billed for "
        f"client C100 ({on_file}), the same {same} as {new_id}: leave the line out, or give "
        "it C100 if it is another visit."]
    again[at["Date of Service"]], again[at["Date Submitted"]] = "2025-06-09", "2025-06-10"
    res = import_claims(db, csv(THEIR_HEADER, again), "third.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    assert (f"row 2, client_id ('Patient Account'): new client {new_id} has the {same} of "
            f"client C100 on file ({on_file}): if they are one person, use C100 in the "
            "file.") in res.warnings


def test_a_twin_on_the_same_member_id_is_a_client_of_their_own(db):
    """Twins on one subscriber's id share the member id and the birth date, not the first
    name: Lois's twin Lana (A-79) is billed 97110 on Lois's day of 2025-06-02 and imports,
    with no warning that the two are one person."""
    assert import_claims(db, csv(THEIR_HEADER, LINE_1, LINE_2), "first.csv", USER,
                         as_of=AS_OF).claims_added == 1
    at = {h: i for i, h in enumerate(THEIR_HEADER)}
    twin = list(LINE_1)
    twin[at["Claim #"]], twin[at["Patient Account"]] = "B-2", "A-79"
    twin[at["Patient First Name"]] = "Lana"
    res = import_claims(db, csv(THEIR_HEADER, twin), "twin.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    assert not any("C100" in w for w in res.warnings)


def test_five_diagnoses_without_pointers_say_a_pointer_column_would_do(db):
    """Five diagnoses on a row and no pointer column: each line points at all five, one more
    than a line may; the refusal says a Dx Pointer column would choose them (a trial was
    only told to delete diagnoses)."""
    header = [*THEIR_HEADER, "Dx 3", "Dx 4", "Dx 5"]
    row = [*LINE_1, "M25.561", "M17.11", "M62.81"]
    res = import_claims(db, csv(header, row), "five.csv", USER, as_of=AS_OF)
    assert len(res.problems) == 1
    assert "5 diagnosis pointers, at most 4 allowed" in res.problems[0]
    assert res.problems[0].endswith("Or add a 'Dx Pointer' column naming the row's diagnoses "
                                    "each line is for, as '1,2' (without one, a line points "
                                    "at all of them).")
    res = import_claims(db, csv([*header, "Dx Pointer"], [*row, "1,3"]), "five2.csv", USER,
                        as_of=AS_OF)
    assert res.problems == []


def test_rows_are_numbered_as_a_spreadsheet_shows_them(db):
    """A header cell "Date of\\nService" holds a line break: in Excel it is still row 1, and
    the first claim line row 2 (a trial was told "row 3")."""
    bad = [*LINE_1[:16], "eighty", *LINE_1[17:]]
    data = csv(THEIR_HEADER, bad).replace(b"Date of Service", b'"Date of\nService"')
    res = import_claims(db, data, "broken_header.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, charge ('Charge Amount'): 'eighty' is not an amount: write it like 45.00."]


def test_codes_with_their_descriptions_and_other_ways_of_writing(db):
    """An export that writes each code with its words, modifiers as 'GP/KX', the currency
    beside the amount and the sex as a word (refused before, each at its row). Read by hand:
    claim X-400 for Lane, Lois: 97110 x2 $80.00, modifiers GP and KX, diagnoses M54.50 and
    E11.9 (the descriptions' commas start no code), sex F."""
    header = ["Claim #", "Patient Account", "Patient Name", "DOB", "Sex", "Insurance",
              "Subscriber ID", "Date of Service", "CPT Code", "Modifiers", "Units",
              "Charge Amount", "Diagnosis", "Rendering Provider NPI"]
    row = ["X-400", "C100", "Lane, Lois", "1948-01-02", "Woman", "Medicare Part B",
           "1AA0AA0AA00", "2025-06-02", "97110 - Therapeutic exercise", "GP/KX", "2",
           "USD 80.00", "M54.50 - Low back pain, unspecified; E11.9 - Type 2 diabetes "
           "mellitus without complications", "1245319599"]
    res = import_claims(db, csv(header, row), "described.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    c = db.query("SELECT diagnosis_codes, total_charge FROM claims "
                 "WHERE claim_id = 'X-400'").iloc[0]
    assert list(c.diagnosis_codes) == ["M54.50", "E11.9"] and float(c.total_charge) == 80.0
    line = db.query("SELECT cpt, modifiers FROM claim_lines WHERE claim_id = 'X-400'").iloc[0]
    assert (line.cpt, list(line.modifiers)) == ("97110", ["GP", "KX"])
    assert db.scalar("SELECT sex FROM clients WHERE client_id = 'C100'") == "F"


def test_a_referrers_credential_is_not_kept_in_the_name_and_says_the_kind(db):
    """A new referrer written "Dover, Hal MD" (as exports write the referring provider) is
    kept as "Dover, Hal", a physician; "Ruiz, Ben PT, DPT" as "Ruiz, Ben", a physical
    therapist (the file has no referrer-kind column)."""
    header = [*THEIR_HEADER]
    at = header.index("Referring Provider NPI")
    one = [*LINE_1[:at], "1245319581", "Dover, Hal MD", *LINE_1[at + 2:]]
    two = [*LINE_1[:at], "1700000007", "Ruiz, Ben PT, DPT", *LINE_1[at + 2:]]
    two[0], two[THEIR_HEADER.index("Date of Service")] = "X-101", "2025-06-09"
    two[THEIR_HEADER.index("Date Submitted")] = "2025-06-10"
    res = import_claims(db, csv(header, one, two), "refs.csv", USER, as_of=AS_OF)
    assert res.problems == [], res.problems
    kept = db.query("SELECT npi, name, kind FROM referrers WHERE npi IN "
                    "('1245319581', '1700000007') ORDER BY npi").values.tolist()
    assert kept == [["1245319581", "Dover, Hal", "physician"],
                    ["1700000007", "Ruiz, Ben", "physical_therapist"]]


def test_a_rendering_provider_named_without_an_npi_is_the_one_on_file(db):
    """An export with "Rendering Provider" ("Trainer, Tess CMES") and no NPI column (a trial's
    file was refused for the missing column): the provider on file of that name renders the
    claim. A name no provider on file has is refused at its row."""
    header = [h for h in THEIR_HEADER if h != "Rendering Provider NPI"] + ["Rendering Provider"]
    at = THEIR_HEADER.index("Rendering Provider NPI")
    row = [*LINE_1[:at], *LINE_1[at + 1:], "Trainer, Tess CMES"]
    res = import_claims(db, csv(header, row), "by_name.csv", USER, as_of=AS_OF)
    assert res.problems == [], res.problems
    assert db.scalar("SELECT p.npi FROM claims c JOIN providers p "
                     "ON p.provider_id = c.rendering_provider_id "
                     "WHERE c.claim_id = 'X-100'") == "1245319599"
    row = [*LINE_1[:at], *LINE_1[at + 1:], "Nobody, Nora"]
    row[0] = "X-101"
    res = import_claims(db, csv(header, row), "nobody.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, rendering_name ('Rendering Provider'): no provider on file is named Nobody, "
        "Nora: add the provider under Settings, or a Rendering NPI column."]
