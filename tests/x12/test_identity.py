"""Which payment is which (DOMAIN.md, "Importing the same file twice"): payer + TRN02 trace +
content. The same payment again changes nothing; the same trace with other content is refused,
naming the earlier file and when it was imported; amounts the store cannot keep are refused."""

from __future__ import annotations

import re
from decimal import Decimal

from metdash.x12.parse835 import parse_835
from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835, one_file

TABLES = ["remittances", "claim_payments", "line_payments", "adjustments", "remark_codes",
          "provider_adjustments", "claim_status_history", "imports", "audit_log", "ledger",
          "claim_facts"]
NOTHING = "Nothing was imported."


def _counts(db) -> dict[str, int]:
    return {t: int(db.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def _pay(trace: str, paid: str = "100", claim: str = "C000101", **kw) -> str:
    """Acme's payment of one of its claims: charge 120, CO-45 the rest."""
    return build_835([Claim(claim, "1", "120", paid, cas=[("CO", "45", str(120 - int(paid)))])],
                     trace=trace, **kw)


def _when(db, trace: str) -> str:
    """How the refusal names the earlier import's time (read from the store)."""
    ts = db.scalar("SELECT imported_at FROM remittances WHERE trace_number = ?", [trace])
    return f"{ts:%Y-%m-%d at %H:%M}"


def test_content_fingerprint_is_stored_and_ignores_the_envelope(seeded):
    first = _pay("T1")
    # The same payment re-sent by the clearinghouse in a new envelope: other ISA13 / GS06 /
    # ST02 numbers, other separators, CRLF line ends. Its content is the same.
    again = _pay("T1", control="77", st="0099", sep="|", comp=">", term="~", newline="\r\n")
    a, b = (parse_835(t, "f").payments[0].content_sha256 for t in (first, again))
    assert a == b and re.fullmatch(r"[0-9a-f]{64}", a)
    assert parse_835(_pay("T1", paid="90"), "f").payments[0].content_sha256 != a
    import_835(seeded, [("first.835", first.encode())], "biller")
    assert seeded.scalar("SELECT content_sha256 FROM remittances") == a
    before = _counts(seeded)
    s = import_835(seeded, [("again.835", again.encode())], "biller")
    assert (s.ok, s.payments, s.already_imported) == (True, 0, 1)
    assert s.results[0].outcome == "already_imported"
    assert _counts(seeded) == before


def test_content_fingerprint_normalises_padding_and_empty_trailing_elements():
    plain = _pay("T1")
    padded = plain.replace("N1*PR*ACME HEALTH~", "N1*PR* ACME HEALTH ~").replace(
        "DTM*405*20250310~", "DTM*405*20250310**~")
    assert padded != plain
    a, b = (parse_835(t, "f").payments[0].content_sha256 for t in (plain, padded))
    assert a == b


def test_same_trace_other_content_is_refused_naming_the_earlier_file(seeded):
    import_835(seeded, [("april.835", _pay("T1").encode())], "biller")
    before = _counts(seeded)
    s = import_835(seeded, [("may.835", _pay("T1", paid="90").encode())], "biller")
    assert not s.ok and s.results[0].outcome == "refused"
    assert s.errors == [
        f"may.835, segment 5 (TRN): trace number T1 from ACME HEALTH was already imported "
        f"from april.835 on {_when(seeded, 'T1')}, with other content (then $100.00 for 1 "
        "claim(s), now $90.00 for 1): compare the two files and ask the payer which one is "
        "right; a different payment needs its own trace number. " + NOTHING]
    assert _counts(seeded) == before
    assert seeded.scalar("SELECT paid FROM claim_payments") == Decimal("100.00")


def test_three_payments_sharing_a_trace_number(seeded):
    """The issue's case: the second and third were reported 'already imported' and silently
    not posted. Now the first is posted and the other two are refused, each saying why."""
    files = [(f"{n}.835", _pay("SAME", paid=p, claim=c).encode())
             for n, p, c in [("one", "100", "C000101"), ("two", "90", "C000103"),
                             ("three", "80", "X1")]]
    s = import_835(seeded, files, "biller")
    assert [r.outcome for r in s.results] == ["imported", "refused", "refused"]
    assert (s.payments, s.already_imported) == (1, 0)
    assert [e.split(":")[0] for e in s.errors] == ["two.835, segment 5 (TRN)",
                                                   "three.835, segment 5 (TRN)"]
    assert all("already imported from one.835" in e and e.endswith(NOTHING) for e in s.errors)
    assert seeded.scalar("SELECT count(*) FROM remittances") == 1
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000103'") == "draft"


def test_a_payment_imported_before_fingerprints_were_kept(seeded):
    """A remittance from before migration 0011 has no fingerprint (NULL). It is the same
    payment when its amount, payment date and number of claims are the ones on file: an old
    file imported again stays harmless, and a different payment under its trace is still
    refused."""
    import_835(seeded, [("old.835", _pay("T1").encode())], "biller")
    with seeded.transaction() as con:
        con.execute("UPDATE remittances SET content_sha256 = NULL")
    before = _counts(seeded)
    s = import_835(seeded, [("old-again.835", _pay("T1").encode())], "biller")
    assert (s.ok, s.payments, s.already_imported) == (True, 0, 1)
    assert _counts(seeded) == before
    s = import_835(seeded, [("other.835", _pay("T1", paid="90").encode())], "biller")
    assert s.results[0].outcome == "refused" and "already imported from old.835" in s.errors[0]
    assert _counts(seeded) == before


def test_a_payment_posted_by_hand_is_named_as_such(seeded):
    with seeded.transaction() as con:
        con.execute("INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, "
                    "payment_date, method, trace_number, amount, source) VALUES "
                    "(1, 1, 'Acme Health', '1999999999', DATE '2025-03-01', 'CHK', 'T1', 55, "
                    "'manual')")
    s = import_835(seeded, [("era.835", _pay("T1").encode())], "biller")
    assert s.errors == [
        f"era.835, segment 5 (TRN): trace number T1 from ACME HEALTH was already posted by "
        f"hand on {_when(seeded, 'T1')}, with other content (then $55.00 for 0 claim(s), "
        "now $100.00 for 1): compare the two files and ask the payer which one is right; a "
        "different payment needs its own trace number. " + NOTHING]


def test_a_payment_repeated_in_one_file_is_posted_once(seeded):
    text = one_file(_pay("T1"), _pay("T1"), _pay("T2", paid="110", claim="C000102",
                                                         payer="MEDICARE PART B"))
    s = import_835(seeded, [("twice.835", text.encode())], "biller")
    assert (s.ok, s.payments, s.already_imported, s.claims) == (True, 2, 1, 2)
    assert seeded.scalar("SELECT count(*) FROM claim_payments WHERE clp01 = 'C000101'") == 1


def test_two_payments_under_one_trace_in_one_file_are_refused(seeded):
    text = one_file(_pay("T1"), _pay("T2", claim="C000103"), _pay("T1", paid="90"))
    before = _counts(seeded)
    s = import_835(seeded, [("clash.835", text.encode())], "biller")
    # Segments: ISA 1, GS 2, then 15 per payment (ST BPR TRN DTM N1 N3 N4 PER N1 LX CLP CAS
    # NM1 DTM SE): the third payment's TRN is segment 2 + 30 + 3 = 35.
    assert s.errors == [
        "clash.835, segment 35 (TRN): trace number T1 from ACME HEALTH is in this file twice "
        "with other content (at segment 5 $100.00 for 1 claim(s), here $90.00 for 1): ask "
        "the payer which one is right; a different payment needs its own trace number. "
        + NOTHING]
    assert _counts(seeded) == before


def test_an_amount_too_large_for_the_store_is_refused(seeded):
    """The store keeps money as DECIMAL(12,2): up to 9,999,999,999.99, to the cent."""
    huge = build_835([Claim("Z1", "1", "12345678901.00", "12345678901.00")], trace="BIG")
    s = import_835(seeded, [("big.835", huge.encode())], "biller")
    assert s.errors == [
        "big.835, segment 4 (BPR): payment amount '12345678901.00' is too large: amounts "
        "must be under 10,000,000,000.",
        "big.835, segment 13 (CLP): charge amount '12345678901.00' is too large: amounts "
        "must be under 10,000,000,000.",
        "big.835, segment 13 (CLP): paid amount '12345678901.00' is too large: amounts must "
        "be under 10,000,000,000. " + NOTHING]
    cents = build_835([Claim("Z1", "1", "10.005", "10.005",
                             lines=[Line("97110", "10.005", "10.005", units="1.5")])],
                      trace="MILLS")
    s = import_835(seeded, [("mills.835", cents.encode())], "biller")
    assert s.errors[0] == ("mills.835, segment 4 (BPR): payment amount '10.005' has more than "
                           "two decimal places: amounts are in dollars and cents.")
    assert all("\n" not in e for e in s.errors)
    assert seeded.scalar("SELECT count(*) FROM remittances") == 0
