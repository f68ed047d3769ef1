import datetime as dt
import shutil
from decimal import Decimal

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from metdash.store import Database
from tests.entry_seed import AS_OF, USER, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    seed(path)
    return path


@pytest.fixture
def db(seeded, tmp_path):
    target = tmp_path / "t.duckdb"
    shutil.copy(seeded, target)
    return Database(target)


def count(db, table):
    return db.scalar(f"SELECT count(*) FROM {table}")


def test_seed_wrote_audit_rows(db):
    assert count(db, "audit_log") >= 15
    assert db.scalar("SELECT diagnosis_codes FROM referrals WHERE referral_id = 2") == ["M17.11"]


def test_client_problems_all_at_once(db):
    bad = e.ClientIn(client_id="", last_name=" ", first_name="", dob="03/04/1950", sex="X",
                     zip="12")
    with pytest.raises(ValidationError) as exc:
        e.save_client(db, bad, USER)
    msgs = exc.value.problems
    assert len(msgs) == 6
    assert any("YYYY-MM-DD" in m for m in msgs)
    assert {m.field for m in msgs} == {"client_id", "last_name", "first_name", "dob", "sex", "zip"}
    assert count(db, "clients") == 2


def test_referrer_npi_check_digit_and_duplicate(db):
    with db.connect() as con:
        p = e.validate_referrer(con, e.ReferrerIn(npi="1234567890", name="X"))
        assert p == ["Referring NPI 1234567890 fails its check digit: copy it again from the "
                     "referral or NPPES."]
        p = e.validate_referrer(con, e.ReferrerIn(npi="1679576722", name="Y"))
        assert "already on file as Smith, Anna" in p[0]
        assert e.find_referrer(con, " 1679576722 ")["name"] == "Smith, Anna"


def test_referral_refuses_header_code(db):
    ref = e.ReferralIn(client_id="C001", referrer_id=1, received_date="2025-06-01",
                       diagnosis_codes=["M54.5"])
    with pytest.raises(ValidationError) as exc:
        e.save_referral(db, ref, USER, as_of=AS_OF)
    assert exc.value.problems == [
        "Diagnosis M54.5 is a category, not a billable code: choose M54.50, M54.51 or M54.59."]


def session(db, client="C001", day="2025-06-02", minutes=None, kind="treatment", referral=1):
    return e.save_session(db, e.SessionIn(client_id=client, provider_id=1, session_date=day,
                                          kind=kind, minutes=minutes or {"97110": 33, "97140": 7},
                                          referral_id=referral), USER, as_of=AS_OF)


def test_session_validation(db):
    s = e.SessionIn(client_id="C001", provider_id=9, session_date="2025-07-05", kind="x",
                    minutes={"99999": 10, "97110": -3}, referral_id=2)
    with db.connect() as con:
        p = e.validate_session(con, s, AS_OF)
    fields = [x.field for x in p]
    assert fields.count("provider_id") == 1 and "kind" in fields and "referral_id" in fields
    assert any("future" in x for x in p)
    assert any("99999" in x for x in p) and any("-3" in x for x in p)


def test_session_units_follow_the_payer_rule(db):
    with db.connect() as con:
        units, rule, payer = e.session_units(con, "C001", {"97110": 33, "97140": 7}, AS_OF)
        assert (units, rule, payer) == ({"97110": 2, "97140": 1}, "cms", "Medicare Part B")
        units, rule, _ = e.session_units(con, "C002", {"97110": 33, "97140": 7}, AS_OF)
        assert (units, rule) == ({"97110": 2, "97140": 0}, "per_code")


def test_build_claim_from_sessions_medicare(db):
    s1 = session(db)
    s2 = session(db, day="2025-06-03", minutes={"97161": 40, "97140": 10})
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [s1, s2], AS_OF)
    assert claim.payer_id == 1 and claim.referral_id == 1 and claim.referrer_id == 1
    assert claim.diagnosis_codes == ["M54.50", "E11.9"]
    got = [(str(ln.service_date), ln.cpt, ln.units, ln.charge, ln.modifiers, ln.dx_pointers)
           for ln in claim.lines]
    assert got == [
        ("2025-06-02", "97110", 2, Decimal("80.00"), ["GP"], [1, 2]),
        ("2025-06-02", "97140", 1, Decimal("38.00"), ["GP"], [1, 2]),
        # 97140 with an evaluation the same day: the NCCI pair needs 59.
        ("2025-06-03", "97140", 1, Decimal("38.00"), ["GP", "59"], [1, 2]),
        ("2025-06-03", "97161", 1, Decimal("120.00"), ["GP"], [1, 2]),
    ]
    warnings = e.save_claim(db, claim, USER, as_of=AS_OF)
    assert warnings == []
    row = db.query("SELECT * FROM claims").iloc[0]
    assert row.total_charge == Decimal("276.00") and str(row.first_service_date) == "2025-06-02"
    assert row.coverage_id == 1 and row.status == "draft"
    hist = db.query("SELECT * FROM claim_status_history")
    assert list(hist.status) == ["draft"] and list(hist.changed_by) == [USER]
    # Billing the same sessions again is refused.
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, [s1], AS_OF)
    assert "already billed" in exc.value.problems[0]


def test_kx_when_past_threshold(db):
    with db.transaction() as con:
        con.execute("UPDATE practice SET kx_threshold = 100")
    s1 = session(db)
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [s1], AS_OF)
    assert [ln.modifiers for ln in claim.lines] == [["GP", "KX"], ["GP", "KX"]]


def hand_claim(**kw):
    base = dict(claim_id="H1", client_id="C002", payer_id=2, diagnosis_codes=["M17.11"],
                rendering_provider_id=1, referral_id=2, referrer_id=1,
                lines=[e.ClaimLineIn("2025-06-10", "97110", 2, "80.00", [], [1])])
    base.update(kw)
    return e.ClaimIn(**base)


def test_hand_claim_good_and_fee_warning(db):
    claim = hand_claim(lines=[e.ClaimLineIn("2025-06-10", "97110 ", 2, "$85.00", [], [1])])
    warnings = e.save_claim(db, claim, USER, as_of=AS_OF)
    assert len(warnings) == 1 and "differs from the fee schedule" in warnings[0]
    assert count(db, "claim_lines") == 1
    assert db.scalar("SELECT cpt FROM claim_lines") == "97110"


def test_hand_claim_every_error_at_once(db):
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    bad = hand_claim(
        claim_id="H2", diagnosis_codes=["M54.5", "Q99.99"],
        lines=[
            e.ClaimLineIn("2025-06-10", "97110", 1, "40.00", ["GP"], [1]),   # duplicate of H1
            e.ClaimLineIn("2025-07-10", "97112", 0, "-5", ["GPX"], [5]),     # future, units...
            e.ClaimLineIn("2025-05-01", "97530", 1, "45", [], [1]),          # before referral
        ])
    with db.connect() as con:
        chk = e.check_claim(con, bad, AS_OF)
    msgs = "\n".join(chk.errors)
    for text in ("M54.5 is a category", "Q99.99", "already billed on claim H1", "future",
                 "units 0", "negative", "GPX", "pointer 5", "before the referral",
                 "visits authorized"):
        assert text in msgs, text
    assert {p.line for p in chk.errors if p.line is not None} == {0, 1, 2}
    with pytest.raises(ValidationError):
        e.save_claim(db, bad, USER, as_of=AS_OF)
    assert count(db, "claims") == 1


def test_coverage_must_be_active(db):
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(referral_id=None, lines=[
            e.ClaimLineIn("2024-12-15", "97110", 2, "80.00", [], [1])]), AS_OF)
    assert any("no Acme Health coverage active on 2024-12-15" in x for x in chk.errors)


def test_referral_expired_and_visits(db):
    # Referral 2 (C002) allows 2 visits, expires 2025-07-31.
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    e.save_claim(db, hand_claim(claim_id="H2", lines=[
        e.ClaimLineIn("2025-06-11", "97110", 2, "80.00", [], [1])]), USER, as_of=AS_OF)
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(claim_id="H3", lines=[
            e.ClaimLineIn("2025-08-02", "97110", 2, "80.00", [], [1])]), dt.date(2025, 8, 5))
    msgs = "\n".join(chk.errors)
    assert "after the referral expired" in msgs and "0 left" in msgs


def test_timely_filing_warn_refuse_reason(db):
    # Acme: 90 days. Service 2025-06-10 -> deadline 2025-09-08.
    with db.connect() as con:
        ok = e.check_claim(con, hand_claim(), dt.date(2025, 6, 30))
        assert ok.errors == [] and ok.warnings == []
        near = e.check_claim(con, hand_claim(), dt.date(2025, 8, 20))
        assert any("2025-09-08 (19 days left)" in w for w in near.warnings)
        late = e.check_claim(con, hand_claim(), dt.date(2025, 9, 9))
        assert any("record the reason" in x for x in late.errors)
        with_reason = e.check_claim(con, hand_claim(timely_filing_reason="Proof of timely "
                                                    "filing: clearinghouse report 2025-07-01"),
                                    dt.date(2025, 9, 9))
        assert not any("Timely" in x for x in with_reason.errors)
    # The referral expired 2025-07-31 but the service date is before it: fine.
    e.save_claim(db, hand_claim(timely_filing_reason="Proof of earlier submission"), USER,
                 as_of=dt.date(2025, 9, 9))
    assert db.scalar("SELECT timely_filing_reason FROM claims") == "Proof of earlier submission"


def test_missing_gp_is_a_warning_for_medicare(db):
    claim = e.ClaimIn(claim_id="M1", client_id="C001", payer_id=1, diagnosis_codes=["M54.50"],
                      referral_id=1, lines=[e.ClaimLineIn("2025-06-10", "97110", 1, "40", [], [1])])
    with db.connect() as con:
        chk = e.check_claim(con, claim, AS_OF)
    assert chk.errors == []
    assert chk.warnings == ["Line 1: Medicare Part B expects modifier GP on 97110: add it, or "
                            "the line may be denied (CARC 4)."]


def test_status_moves(db):
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    with pytest.raises(ValidationError) as exc:
        e.move_claim_status(db, "H1", "paid", USER, as_of=AS_OF)
    assert "can move to ready, voided, not paid" in exc.value.problems[0]
    e.move_claim_status(db, "H1", "ready", USER, on=dt.date(2025, 6, 20), as_of=AS_OF)
    e.move_claim_status(db, "H1", "submitted", USER, on=dt.date(2025, 6, 21), as_of=AS_OF)
    row = db.query("SELECT status, submitted_date FROM claims").iloc[0]
    assert row.status == "submitted" and str(row.submitted_date) == "2025-06-21"
    hist = db.query("SELECT seq, status, changed_by FROM claim_status_history ORDER BY seq")
    assert list(hist.seq) == [1, 2, 3] and list(hist.status) == ["draft", "ready", "submitted"]
    with pytest.raises(ValidationError):
        e.move_claim_status(db, "H1", "voided", USER, as_of=AS_OF)  # no note
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'status'") == 2


def submitted_claim(db, claim=None):
    claim = claim or hand_claim(lines=[
        e.ClaimLineIn("2025-06-10", "97110", 2, "80.00", [], [1]),
        e.ClaimLineIn("2025-06-10", "97112", 1, "42.00", [], [1])])
    e.save_claim(db, claim, USER, as_of=AS_OF)
    e.move_claim_status(db, claim.claim_id, "ready", USER, as_of=AS_OF)
    e.move_claim_status(db, claim.claim_id, "submitted", USER, on=dt.date(2025, 6, 12),
                        as_of=AS_OF)
    return claim.claim_id


A = e.AdjustmentIn


def test_eob_per_claim_balances_and_pays(db):
    cid = submitted_claim(db)    # charge 122.00
    bad = e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="80.00",
                  adjustments=[A("CO", "45", "30.00"), A("PR", "2", "10.00")],
                  patient_responsibility="15.00")
    with pytest.raises(ValidationError) as exc:
        e.post_eob(db, bad, USER, as_of=AS_OF)
    msgs = "\n".join(exc.value.problems)
    assert "minus adjustments $40.00 = $82.00, but paid is $80.00" in msgs
    assert "Patient responsibility $15.00 differs" in msgs
    assert count(db, "remittances") == 0
    good = e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="80.00", trace_number="CHK1",
                   adjustments=[A("CO", "45", "32.00"), A("PR", "2", "10.00")])
    rid = e.post_eob(db, good, USER, as_of=AS_OF)
    r = db.query("SELECT * FROM remittances").iloc[0]
    assert (r.remittance_id, r.source, r.amount, r.payer_key, r.trace_number) == (
        rid, "manual", Decimal("80.00"), "Acme Health", "CHK1")
    cp = db.query("SELECT * FROM claim_payments").iloc[0]
    assert (cp.claim_id, cp.status_code, cp.charge, cp.paid, cp.patient_responsibility) == (
        cid, "1", Decimal("122.00"), Decimal("80.00"), Decimal("10.00"))
    adj = db.query("SELECT group_code, carc, amount, line_payment_id FROM adjustments "
                   "ORDER BY adjustment_id")
    assert list(adj.carc) == ["45", "2"] and adj.line_payment_id.isna().all()
    assert db.scalar("SELECT status FROM claims") == "paid"
    # The same check number again is refused.
    with pytest.raises(ValidationError):
        e.post_eob(db, good, USER, as_of=AS_OF)


def test_eob_per_line_partial_denial(db):
    cid = submitted_claim(db)
    eob = e.EobIn(claim_id=cid, payment_date="2025-06-25", lines=[
        e.LinePostingIn(1, "60.00", [A("CO", "45", "20.00")]),
        e.LinePostingIn(2, "0", [A("CO", "50", "42.00")]),
    ])
    e.post_eob(db, eob, USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims") == "partially_paid"
    lp = db.query("SELECT line_no, cpt, charge, paid FROM line_payments ORDER BY line_no")
    assert list(lp.paid) == [Decimal("60.00"), Decimal("0.00")]
    assert db.scalar("SELECT count(*) FROM adjustments WHERE line_payment_id IS NOT NULL") == 2
    assert db.scalar("SELECT paid FROM claim_payments") == Decimal("60.00")


def test_eob_denial_and_appeal(db):
    cid = submitted_claim(db)
    e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="0",
                           adjustments=[A("CO", "4", "122.00")]), USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims") == "denied"
    assert db.scalar("SELECT status_code FROM claim_payments") == "4"
    with pytest.raises(ValidationError) as exc:
        e.file_appeal(db, e.AppealIn(claim_id=cid, filed_date="2025-06-20", reason=" "), USER,
                      as_of=AS_OF)
    assert len(exc.value.problems) == 2
    aid = e.file_appeal(db, e.AppealIn(claim_id=cid, filed_date="2025-06-28",
                                       reason="GP modifier added"), USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims") == "appealed"
    e.record_appeal_outcome(db, aid, "overturned", "2025-06-29", USER, as_of=AS_OF)
    assert db.scalar("SELECT outcome FROM appeals") == "overturned"


def test_patient_payment(db):
    with pytest.raises(ValidationError) as exc:
        e.record_patient_payment(db, e.PatientPaymentIn(client_id="C001", payment_date="2025-06-01",
                                                        amount="0", method="bitcoin"), USER,
                                 as_of=AS_OF)
    assert len(exc.value.problems) == 2
    e.record_patient_payment(db, e.PatientPaymentIn(client_id="C001", payment_date="2025-06-01",
                                                    amount="$1,200.00"), USER, as_of=AS_OF)
    assert db.scalar("SELECT amount FROM patient_payments") == Decimal("1200.00")


def test_settings_validation(db):
    with pytest.raises(ValidationError) as exc:
        e.save_practice(db, e.PracticeIn(name="", billing_npi="1234567890", tax_id="123",
                                         kx_threshold="-1"), USER)
    assert len(exc.value.problems) == 4
    with pytest.raises(ValidationError) as exc:
        e.save_payer(db, e.PayerIn(name="acme health", payer_type="hmo", timely_filing_days=0,
                                   units_rule="x"), USER)
    assert len(exc.value.problems) == 4
    e.save_cpt_code(db, "97113", "Aquatic therapeutic exercise", True, USER)
    e.save_fee(db, "97113", "50", USER)
    e.save_fee(db, "97113", "44.50", USER, payer_id=1)
    assert db.scalar("SELECT allowed_amount FROM payer_fee_schedule") == Decimal("44.50")
