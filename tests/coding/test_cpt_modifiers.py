from decimal import Decimal

from metdash.coding import (
    CPT_CODES,
    UNTIMED_CODES,
    cpt_problems,
    modifier_problems,
    needs_kx,
    normalize_cpt,
    parse_modifiers,
    required_modifiers,
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
