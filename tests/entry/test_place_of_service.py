"""Place of service per session (issue 16, item 2): chosen on the session, checked against
the POS code list, carried to the claim line, and the payer's telehealth modifier (95 or
none) on a telehealth line."""

import pytest

from metdash import entry as e
from metdash.coding import pos
from metdash.entry.clearinghouse import save_payer_billing
from metdash.errors import ValidationError
from tests.entry_seed import AS_OF, USER


def _session(db, place, client="C001", day="2025-06-02", minutes=None):
    return e.save_session(db, e.SessionIn(client_id=client, provider_id=1, session_date=day,
                                          kind="treatment",
                                          minutes=minutes or {"97110": 33, "97140": 7},
                                          referral_id=1 if client == "C001" else 2,
                                          place_of_service=place), USER, as_of=AS_OF)


@pytest.mark.parametrize(("value", "code"), [("11", "11"), ("2", "02"), (" 10 ", "10"),
                                             (12, "12"), ("99", "99"), ("11.0", "11")])
def test_a_place_of_service_is_read_as_two_digits(value, code):
    assert pos.normalize_pos(value) == code
    assert pos.pos_problem(value) is None


@pytest.mark.parametrize(("value", "words"), [
    ("", "is missing"),
    ("1A", "not a place-of-service code: two digits"),
    ("111", "not a place-of-service code"),
    ("98", "98 is not a place of service metdash knows"),
    ("00", "00 is not a place of service metdash knows"),
])
def test_a_place_of_service_off_the_code_list_is_refused(value, words):
    msg = pos.pos_problem(value)
    assert msg is not None and words in msg, msg


def test_the_claim_takes_the_place_of_most_of_its_lines():
    assert pos.claim_place_of_service(["11", "11", "10"]) == "11"
    assert pos.claim_place_of_service(["10", "10", "11"]) == "10"
    assert pos.claim_place_of_service(["02", "11"]) == "02"   # a tie: the first line's
    assert pos.claim_place_of_service([]) == "11"


@pytest.mark.parametrize(("mods", "place", "want", "out"), [
    (["GP"], "10", "95", ["GP", "95"]),          # telehealth at home, payer wants 95
    (["GP"], "02", "95", ["GP", "95"]),          # telehealth elsewhere
    (["GP"], "02", None, ["GP"]),                # the payer wants none
    (["GP"], "11", "95", ["GP"]),                # an office visit is not telehealth
    (["GP"], "12", "95", ["GP"]),                # nor is a home visit
    (["GP", "95"], "10", "95", ["GP", "95"]),    # never twice
    (["GP", "59", "KX", "XU"], "10", "95", ["GP", "59", "KX", "XU"]),  # four already
])
def test_the_telehealth_modifier(mods, place, want, out):
    assert pos.with_telehealth_modifier(mods, place, want) == out


def test_a_session_keeps_its_place_of_service(db):
    sid = _session(db, "10")
    assert db.scalar("SELECT place_of_service FROM sessions WHERE session_id = ?", [sid]) == "10"
    assert db.scalar("SELECT after FROM audit_log WHERE table_name = 'sessions'").count(
        '"place_of_service": "10"') == 1


def test_a_session_with_a_place_of_service_off_the_list_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        _session(db, "98")
    assert [p.field for p in refused.value.problems] == ["place_of_service"]
    assert "98 is not a place of service" in str(refused.value)
    assert db.scalar("SELECT count(*) FROM sessions") == 0


def test_a_session_without_a_place_is_in_the_office():
    assert e.SessionIn("C001", 1, "2025-06-02", "treatment", {"97110": 30}).place_of_service \
        == "11"


def test_a_telehealth_session_bills_its_place_and_the_payers_modifier(db):
    # Acme Health (payer 2, commercial) wants 95 on telehealth; C002 is Acme's.
    save_payer_billing(db, 2, "ACME1", "95", USER)
    sid = _session(db, "10", client="C002", day="2025-06-10", minutes={"97110": 30})
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [sid], as_of=AS_OF)
    assert [(ln.cpt, ln.place_of_service, list(ln.modifiers)) for ln in claim.lines] == \
        [("97110", "10", ["95"])]
    e.save_claim(db, claim, USER, as_of=AS_OF)
    assert db.query("SELECT cpt, place_of_service, modifiers FROM claim_lines"
                    ).to_dict("records") == [
        {"cpt": "97110", "place_of_service": "10", "modifiers": ["95"]}]


def test_a_payer_that_wants_no_modifier_gets_none(db):
    # Medicare (payer 1) wants none (POS 02 / 10 alone); C001 is Medicare's: GP only.
    sid = _session(db, "02", minutes={"97110": 30})
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [sid], as_of=AS_OF)
    assert [(ln.place_of_service, list(ln.modifiers)) for ln in claim.lines] == \
        [("02", ["GP"])]


def test_an_office_session_bills_11_and_no_telehealth_modifier(db):
    save_payer_billing(db, 2, "ACME1", "95", USER)
    sid = _session(db, "11", client="C002", day="2025-06-10", minutes={"97110": 30})
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [sid], as_of=AS_OF)
    assert [(ln.place_of_service, list(ln.modifiers)) for ln in claim.lines] == [("11", [])]


def test_a_claim_line_with_an_unknown_place_is_an_error(db):
    claim = e.ClaimIn(claim_id="H1", client_id="C002", payer_id=2,
                      diagnosis_codes=["M17.11"], rendering_provider_id=1, referral_id=2,
                      referrer_id=1,
                      lines=[e.ClaimLineIn("2025-06-10", "97110", 2, "80.00", [], [1],
                                           place_of_service="7")])
    with db.connect() as con:
        errors = e.check_claim(con, claim, AS_OF).errors
    assert [(p.field, p.line) for p in errors] == [("place_of_service", 0)]
    assert str(errors[0]).startswith("Line 1: place of service 07 is not a place")


@pytest.mark.parametrize(("pid", "mod", "words"), [
    ("", None, "Clearinghouse payer id is missing"),
    ("AC ME", None, "letters and digits only"),
    ("ACME1", "GT", "Telehealth modifier 'GT' must be one of 95"),
])
def test_payer_billing_settings_are_checked(db, pid, mod, words):
    with pytest.raises(ValidationError) as refused:
        save_payer_billing(db, 2, pid, mod, USER)
    assert words in str(refused.value)
    with db.connect() as con:
        assert con.execute("SELECT clearinghouse_payer_id, telehealth_modifier FROM payers "
                           "WHERE payer_id = 2").fetchall() == [(None, None)]
