from decimal import Decimal

from metdash.coding import (
    CPT_CODES,
    UNTIMED_CODES,
    cpt_problems,
    modifier_problems,
    needs_kx,
    normalize_cpt,
    over_review_threshold,
    parse_modifiers,
    required_modifiers,
    unknown_modifiers,
)


def test_cpt_list_matches_domain_table():
    assert UNTIMED_CODES == {"97150", "97161", "97162", "97163", "97164"}
    for code in ("97110", "97112", "97530", "97116", "97140", "97535", "97750"):
        assert CPT_CODES[code].timed


def test_cpt_problems():
    assert cpt_problems("97110 ") == []
    assert normalize_cpt(" 97110 ") == "97110"
    assert normalize_cpt(97110.0) == "97110"
    assert "not on the practice's code list" in cpt_problems("99213")[0]
    assert "not a CPT code" in cpt_problems("9711")[0]


def test_parse_and_check_modifiers():
    assert parse_modifiers("gp:59") == ["GP", "59"]
    assert parse_modifiers(" GP ") == ["GP"]
    assert parse_modifiers("") == []
    assert parse_modifiers(float("nan")) == []
    assert modifier_problems(["GP", "59"]) == []
    assert modifier_problems(["GPX"])
    assert modifier_problems(["GP", "GP"])
    assert modifier_problems(["GP", "59", "KX", "XU", "CQ"])


def test_a_modifier_off_the_known_list_is_only_named_for_a_warning():
    # "ZZ" (a typo) passed every check (helper-67); a well-formed one off the list is named,
    # never refused: HCPCS has some 400 modifiers.
    assert unknown_modifiers(["GP", "59", "KX", "XU", "CQ", "GA", "95", "U1"]) == []
    assert unknown_modifiers(["GP", "ZZ", "gpx"]) == ["ZZ"]
    assert modifier_problems(["ZZ"]) == []


def test_gp_for_medicare_like_payers_only():
    lines = [("d", "97110")]
    assert required_modifiers(lines, "medicare") == [["GP"]]
    assert required_modifiers(lines, "medicare_advantage") == [["GP"]]
    assert required_modifiers(lines, "medicaid") == [["GP"]]
    assert required_modifiers(lines, "commercial") == [[]]


def test_ncci_pairs_same_day():
    lines = [("d1", "97161"), ("d1", "97140"), ("d2", "97140")]
    assert required_modifiers(lines, "commercial") == [[], ["59"], []]
    lines = [("d", "97164"), ("d", "97530"), ("d", "97150"), ("d", "97110")]
    assert required_modifiers(lines, "medicare", distinct="XU") == [
        ["GP"], ["GP", "XU"], ["GP", "XU"], ["GP"]]


def test_kx():
    assert needs_kx("medicare", Decimal("2400"), Decimal("20"), Decimal("2410"))
    assert not needs_kx("medicare", Decimal("2300"), Decimal("20"), Decimal("2410"))
    assert not needs_kx("commercial", Decimal("9999"), Decimal("20"), Decimal("2410"))
    assert required_modifiers([("d", "97110")], "medicare", kx=True) == [["GP", "KX"]]


def test_97530_with_97140_the_same_day_needs_59_on_97530():
    # DOMAIN.md: "97530 and 97140 in separate time blocks -- an NCCI edit pair". CMS lists
    # the pair as column 1 97140 / column 2 97530, and the distinct-procedure modifier goes
    # on the column-2 code: 97530 gets 59 (or XU), 97140 nothing. Another day: no pair.
    lines = [("d1", "97140"), ("d1", "97530"), ("d2", "97530")]
    assert required_modifiers(lines, "commercial") == [[], ["59"], []]
    assert required_modifiers(lines, "medicare", distinct="XU") == [
        ["GP"], ["GP", "XU"], ["GP"]]
    # With an evaluation too: 97140 is column 2 to the evaluation (59) and column 1 to
    # 97530 (97530 gets 59): both lines carry it.
    lines = [("d", "97162"), ("d", "97140"), ("d", "97530")]
    assert required_modifiers(lines, "commercial") == [[], ["59"], ["59"]]


def test_kx_by_year_of_the_date_of_service():
    import datetime as dt

    # A claim across New Year past the threshold in December only: KX on the December line.
    lines = [(dt.date(2024, 12, 30), "97110"), (dt.date(2025, 1, 2), "97110")]
    assert required_modifiers(lines, "medicare", kx_years={2024}) == [["GP", "KX"], ["GP"]]
    assert required_modifiers(lines, "commercial", kx_years={2024, 2025}) == [[], []]


def test_targeted_medical_review_past_3000():
    # $2,950.00 before + $118.00 = $3,068.00 > $3,000.00: a warning; $2,882.00 + $118.00
    # = $3,000.00 is not past it. Only Medicare claims count.
    assert over_review_threshold("medicare", Decimal("2950"), Decimal("118"), Decimal("3000"))
    assert not over_review_threshold("medicare", Decimal("2882"), Decimal("118"),
                                     Decimal("3000"))
    assert not over_review_threshold("commercial", Decimal("9999"), Decimal("1"),
                                     Decimal("3000"))
    assert not over_review_threshold("medicare", Decimal("9999"), Decimal("1"), None)
