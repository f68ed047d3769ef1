import pytest

from metdash.coding import billable_units, cms_total_units


def test_domain_worked_example_cms():
    # DOMAIN.md: 33 min 97110 + 7 min 97140 = 40 min -> 3 units: 97110 x2, 97140 x1.
    assert billable_units({"97110": 33, "97140": 7}) == {"97110": 2, "97140": 1}


def test_domain_worked_example_per_code():
    assert billable_units({"97110": 33, "97140": 7}, "per_code") == {"97110": 2, "97140": 0}


@pytest.mark.parametrize("minutes,units", [
    (0, 0), (7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4), (67, 4),
    (68, 5), (82, 5), (83, 6),
])
def test_cms_total_units_table(minutes, units):
    assert cms_total_units(minutes) == units
    assert billable_units({"97110": minutes}) == {"97110": units}


@pytest.mark.parametrize("minutes,units", [(7, 0), (8, 1), (15, 1), (22, 1), (23, 2), (30, 2)])
def test_per_code_single(minutes, units):
    assert billable_units({"97112": minutes}, "per_code") == {"97112": units}


def test_cms_small_codes_add_up():
    # 7 + 7 = 14 min -> 1 unit; per code both are under 8 -> nothing.
    assert billable_units({"97110": 7, "97112": 7}) == {"97110": 1, "97112": 0}
    assert billable_units({"97110": 7, "97112": 7}, "per_code") == {"97110": 0, "97112": 0}


def test_cms_tie_goes_to_more_total_minutes_then_given_order():
    # 20 + 5 = 25 min -> 2 units: 97110 gets 1 full; left-over: 97110 rem 5, 97112 rem 5;
    # tie on remainder -> more total minutes (97110).
    assert billable_units({"97112": 5, "97110": 20}) == {"97110": 2, "97112": 0}
    # Exact tie (same minutes): first given wins.
    assert billable_units({"97530": 10, "97110": 10}) == {"97530": 1, "97110": 0}
    assert billable_units({"97110": 10, "97530": 10}) == {"97110": 1, "97530": 0}


def test_cms_three_codes():
    # 24 + 23 + 8 = 55 min -> 4 units; full: 1 + 1 + 0; left-over 2 -> rem 9 (97110), 8 (97112).
    assert billable_units({"97110": 24, "97112": 23, "97530": 8}) == {
        "97110": 2, "97112": 2, "97530": 0}


def test_untimed_codes_one_unit_not_counted():
    got = billable_units({"97161": 45, "97110": 7, "97150": 0})
    assert got == {"97161": 1, "97110": 0, "97150": 0}
    assert billable_units({"97164": 30, "97530": 8}, "per_code") == {"97164": 1, "97530": 1}


def test_zero_codes_included():
    assert billable_units({"97110": 30, "97140": 0}) == {"97110": 2, "97140": 0}


def test_errors():
    with pytest.raises(ValueError):
        billable_units({"97110": 10}, "medicaid")
    with pytest.raises(ValueError):
        billable_units({"97110": -1})
    assert billable_units({}) == {}


def test_units_never_exceed_cms_total():
    import itertools
    for a, b, c in itertools.product(range(0, 50, 3), range(0, 40, 4), range(0, 30, 7)):
        got = billable_units({"97110": a, "97112": b, "97140": c})
        assert sum(got.values()) == cms_total_units(a + b + c)
