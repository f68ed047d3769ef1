"""Posting 835s: stored rows, claim statuses, idempotency, atomicity, status rules."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from metdash.adjustment_classes import Classification, claim_status_after
from metdash.entry import payer_claim_number
from metdash.store import Database, facts
from metdash.x12.parse835 import Adjustment, ClaimPayment, LinePayment
from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835

FIXTURE = Path(__file__).parent / "fixtures" / "era_basic.835"
TABLES = ["remittances", "claim_payments", "line_payments", "adjustments", "remark_codes",
          "provider_adjustments", "claim_status_history", "imports", "audit_log"]


def _rows(db: Database, sql: str) -> list[tuple]:
    with db.connect() as con:
        return con.execute(sql).fetchall()


def _counts(db: Database) -> dict[str, int]:
    return {t: int(db.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def test_fixture_is_posted(seeded):
    s = import_835(seeded, [FIXTURE], "biller")
    assert s.as_dict() == {"files": 1, "payments": 1, "claims": 2, "matched": 1, "unmatched": 1,
                           "paid": 226.5, "already_imported": 0, "errors": []}
    rem = seeded.query("SELECT * FROM remittances").iloc[0]
    assert (rem.payer_id, rem.payer_name, rem.payer_key, rem.method, rem.trace_number,
            rem.amount, rem.source, rem.source_file) == (
        1, "ACME HEALTH", "1999999999", "ACH", "EFT0007", Decimal("226.50"), "835",
        "era_basic.835")
    assert _rows(seeded, "SELECT claim_id, clp01, paid, allowed FROM claim_payments ORDER BY seq"
                 ) == [("C000101", "C000101", Decimal("160.00"), Decimal("170.00")),
                       (None, "X999", Decimal("64.00"), None)]
    lps = seeded.query("SELECT line_no, cpt, paid, allowed, units FROM line_payments "
                       "ORDER BY line_payment_id")
    assert list(lps.line_no) == [1, 2, 3]  # matched by CPT + service date
    adj = seeded.query("SELECT group_code, carc, amount, line_payment_id IS NULL AS claim_level "
                       "FROM adjustments ORDER BY adjustment_id")
    assert len(adj) == 10
    assert adj.amount.sum() == Decimal("156")  # 140 on C000101 + 16 on X999
    assert list(seeded.query("SELECT code FROM remark_codes ORDER BY code").code) == [
        "M15", "MA01"]
    plb = seeded.query("SELECT reason_code, reference, amount FROM provider_adjustments")
    assert plb.values.tolist() == [["L6", "INT1", Decimal("-2.50")]]
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == \
        "partially_paid"
    with seeded.connect() as con:  # the payer's claim number is read from its remittances
        assert payer_claim_number(con, "C000101") == "ACM-PCN-101"
    hist = seeded.query("SELECT * FROM claim_status_history")
    assert hist.values[:, :3].tolist() == [["C000101", 1, "partially_paid"]]
    assert hist.changed_by[0] == "biller"
    imp = seeded.query("SELECT kind, file_name, length(file_sha256) AS n FROM imports").iloc[0]
    assert (imp.kind, imp.file_name, imp.n) == ("835", "era_basic.835", 64)
    assert seeded.scalar("SELECT count(*) FROM audit_log WHERE action = 'status'") == 1


def test_import_twice_changes_nothing(seeded):
    import_835(seeded, [FIXTURE], "biller")
    before = _counts(seeded)
    s = import_835(seeded, [FIXTURE], "biller")
    assert s.as_dict() == {"files": 1, "payments": 0, "claims": 0, "matched": 0, "unmatched": 0,
                           "paid": 0.0, "already_imported": 1, "errors": []}
    assert s.results[0].outcome == "already_imported"
    assert _counts(seeded) == before



def test_a_refused_files_problems_come_in_file_order_and_say_nothing_was_imported_once(
        seeded):
    """A new-user tour: the problems of a refused 835 came out of order (the payment's BPR,
    segment 4, after its claims), and the page said "Nothing was imported." in its heading
    and again after the file's problems. ``problems`` lists them in file order without it;
    ``errors`` (the command line, --json) says it once per file, after the last."""
    bad = FIXTURE.read_text().replace("CAS*CO*45*20~", "CAS*CO*45*25~").replace(
        "BPR*I*226.50", "BPR*I*999.50")
    s = import_835(seeded, [("bad.835", bad.encode())], "biller")
    problems = [
        "bad.835, segment 4 (BPR): the payment does not balance: claims paid 224 − provider "
        "adjustments -2.50 = 226.50, but the payment amount (BPR02) is 999.50.",
        "bad.835, segment 13 (CLP): claim C000101 does not balance: charge 300 − adjustments "
        "145 = 155, but paid is 160.",
        "bad.835, segment 20 (SVC): service line 97110 of claim C000101 does not balance: "
        "charge 150 − adjustments 35 = 115, but paid is 120."]
    assert s.results[0].problems == problems and s.problems == problems
    assert s.errors == [*problems[:-1], problems[-1] + " Nothing was imported."]


def test_bad_file_among_good_ones_writes_nothing_of_it(seeded):
    good1 = build_835([Claim("C000102", "1", "120", "100", cas=[("CO", "45", "20")])],
                      trace="G1", payer="MEDICARE PART B")
    bad = build_835([Claim("C000101", "1", "300", "250", cas=[("CO", "45", "20")])],
                    trace="BAD")  # does not balance
    good2 = build_835([Claim("Z1", "1", "10", "10")], trace="G2")
    s = import_835(seeded, [("good1.835", good1.encode()), ("bad.835", bad.encode()),
                            ("good2.835", good2.encode())], "biller")
    assert [r.outcome for r in s.results] == ["imported", "refused", "imported"]
    assert s.errors == ["bad.835, segment 13 (CLP): claim C000101 does not balance: charge 300 "
                        "− adjustments 20 = 280, but paid is 250. Nothing was imported."]
    assert not s.ok
    assert sorted(seeded.query("SELECT trace_number FROM remittances").trace_number) == [
        "G1", "G2"]
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == "ready"
    assert seeded.scalar("SELECT count(*) FROM claim_payments WHERE clp01 = 'C000101'") == 0
    assert seeded.scalar("SELECT count(*) FROM imports") == 2


def test_failure_inside_the_transaction_rolls_back(seeded, monkeypatch):
    import metdash.x12.post835 as post

    calls = {"n": 0}
    real = post.insert_rows

    def failing(con, table, columns, rows):
        calls["n"] += 1
        if table == "adjustments":  # after the claim payments and line payments are in
            raise RuntimeError("disk full")
        return real(con, table, columns, rows)

    monkeypatch.setattr(post, "insert_rows", failing)
    before = _counts(seeded)
    with pytest.raises(RuntimeError):
        import_835(seeded, [FIXTURE], "biller")
    assert _counts(seeded) == before
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == "ready"


def test_reversal_then_repayment_in_one_file(seeded):
    with seeded.transaction() as con:
        con.execute("UPDATE claims SET status = 'submitted' WHERE claim_id = 'C000102'")
        facts.touch(con, ["C000102"])  # a claim changed in place is named (metdash.store.facts)
    first = build_835([Claim("C000102", "1", "120", "100", cas=[("CO", "45", "20")])],
                      trace="P1", payer="MEDICARE PART B")
    import_835(seeded, [("p1.835", first.encode())], "biller")
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000102'") == "paid"
    second = build_835([
        Claim("C000102", "22", "-120", "-100", cas=[("CO", "45", "-20")]),
        Claim("C000102", "1", "120", "0", cas=[("CO", "50", "120")]),
    ], trace="P2", payer="MEDICARE PART B")
    s = import_835(seeded, [("p2.835", second.encode())], "biller")
    assert s.ok and s.matched == 2 and s.paid == Decimal("-100")
    hist = seeded.query("SELECT seq, status FROM claim_status_history "
                        "WHERE claim_id = 'C000102' ORDER BY seq")
    assert hist.values.tolist() == [[1, "paid"], [2, "submitted"], [3, "denied"]]
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000102'") == "denied"
    neg = seeded.query("SELECT cp.paid, a.amount FROM claim_payments cp JOIN adjustments a "
                       "USING (claim_payment_id) WHERE cp.status_code = '22'")
    assert neg.values.tolist() == [[Decimal("-100.00"), Decimal("-20.00")]]


def test_unreadable_path_is_reported(db, tmp_path):
    s = import_835(db, [tmp_path / "missing.835"], "biller")
    assert s.errors == [f"{tmp_path / 'missing.835'}: cannot read the file (No such file or "
                        "directory). Nothing was imported."]
    assert not s.ok


def _cp(code: str, paid: str, adj: list[tuple[str, str]] = (), line_denied: bool = False):
    cp = ClaimPayment("C1", code, Decimal("100"), Decimal(paid), Decimal("0"),
                      adjustments=[Adjustment(g, r, Decimal("10")) for g, r in adj])
    if line_denied:
        cp.lines.append(LinePayment("HC", "97140", [], Decimal("50"), Decimal("0"), Decimal(1),
                                    adjustments=[Adjustment("CO", "97", Decimal("50"))]))
    return cp


@pytest.mark.parametrize("cp, expected", [
    (_cp("1", "80", [("CO", "45")]), "paid"),
    (_cp("2", "80"), "paid"),
    (_cp("3", "80"), "paid"),
    (_cp("1", "50", line_denied=True), "partially_paid"),
    (_cp("4", "0", [("CO", "50")]), "denied"),
    (_cp("1", "0", [("CO", "50")]), "denied"),  # paid 0 with a non-PR reason is a denial
    (_cp("1", "0", [("PR", "1")]), "paid"),  # deductible: not a denial
    (_cp("19", "80"), "paid"),
    (_cp("22", "-80"), "submitted"),
    (_cp("23", "0"), None),
    (_cp("25", "0"), None),
])
def test_status_rules(cp, expected):
    assert _status(cp)[0] == expected


def _status(cp):
    return claim_status_after(Classification.defaults(), None, cp.status_code, cp.paid,
                              [(a.group_code, a.carc, a.amount) for a in cp.all_adjustments()])


def test_forwarded_is_noted():
    assert "forwarded" in _status(_cp("20", "80"))[1]


@pytest.mark.parametrize("cp, expected", [
    # DOMAIN.md: the whole allowed amount to the deductible is processed, not denied.
    (_cp("1", "0", [("CO", "45"), ("PR", "1")]), "paid"),
    # OA-23 on a secondary's remittance is the other payer's share, not a denial.
    (_cp("2", "20", [("OA", "23")]), "paid"),
    # PR-96 / PR-204: the payer refuses (the client may be liable): a denial.
    (_cp("1", "0", [("PR", "96")]), "denied"),
    (_cp("1", "50", [("PR", "204")]), "partially_paid"),
    # Reduced for a denial reason (not paid 0): still a denial of that part.
    (_cp("1", "70", [("CO", "45"), ("CO", "97")]), "partially_paid"),
])
def test_status_follows_the_classification(cp, expected):
    assert _status(cp)[0] == expected


def test_status_23_counts_as_unmatched(seeded):
    text = build_835([Claim("C000101", "23", "300", "0", cas=[("OA", "23", "300")])], trace="N")
    s = import_835(seeded, [("n.835", text.encode())], "biller")
    assert (s.matched, s.unmatched) == (0, 1)
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == "ready"


def test_line_matching_by_cpt_and_date(seeded):
    lines = [Line("97530", "50", "50", date="20250205"), Line("97110", "150", "150"),
             Line("97110", "100", "100", date="20250101")]  # no such line of ours
    text = build_835([Claim("C000101", "1", "300", "300", lines=lines)], trace="M")
    import_835(seeded, [("m.835", text.encode())], "biller")
    got = _rows(seeded, "SELECT cpt, line_no FROM line_payments ORDER BY line_payment_id")
    assert got == [("97530", 3), ("97110", 1), ("97110", None)]


def test_a_payment_dated_before_the_claim_was_sent_is_posted_and_said(seeded):
    """A new-user tour posted an 835 whose payment date was before the claim's submission:
    Overview then read "median days to pay -4.0 days" with nothing said at the import."""
    with seeded.transaction() as con:
        con.execute("UPDATE claims SET status = 'submitted', submitted_date = DATE '2025-03-14'"
                    " WHERE claim_id = 'C000101'")
        facts.touch(con, ["C000101"])
    text = build_835([Claim("C000101", "1", "300", "200", lines=[
        Line("97110", "150", "100", cas=[("CO", "45", "50")]),
        Line("97140", "100", "60", cas=[("CO", "45", "40")]),
        Line("97530", "50", "40", date="20250205", cas=[("CO", "45", "10")])])],
        date="20250310")
    s = import_835(seeded, [("early.835", text.encode())], "biller")
    assert s.as_dict()["matched"] == 1, s.results[0]   # posted all the same: the money arrived
    assert s.notes == [
        "early.835: claim C000101 is paid on Mar 10, 2025, before it was sent (Mar 14, 2025): "
        "its days to payment read below zero. Check the claim's submission date (Claims → "
        "Status) or the 835's payment date (BPR16)."]


def test_the_headlines_count_with_thousands_separators():
    """A 10,000-claim 835 read "(10000 claims, 10000 matched, ...)" on the page, beside
    "$1,234,567.89": counts read as every other number on screen."""
    from metdash.x12.post835 import ImportSummary
    from metdash.x12.post_ack import AckSummary

    kind, text = ImportSummary(files=1, payments=3, claims=10_000, matched=9_990, unmatched=10,
                               paid=Decimal("1234567.89"), already_imported=1_200).headline()
    assert kind == "success"
    assert text == ("1 file(s): 3 payment(s) imported (10,000 claims, 9,990 matched, 10 "
                    "unmatched, $1,234,567.89); 1,200 already imported.")
    kind, text = AckSummary(files=2, acknowledgments=2, accepted=12_000, rejected=1_500,
                            unmatched=0).headline()
    assert text == ("2 file(s): 2 acknowledgment(s) imported (12,000 claim(s) accepted, 1,500 "
                    "rejected, 0 not ours); 0 already imported.")
