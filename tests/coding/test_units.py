import pytest

from metdash.coding import (
    billable_units,
    cms_total_units,
    day_minutes,
    day_units,
    remaining_units,
)


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


# -- a client's day (DOMAIN.md: "all sessions of the same discipline on one date of service
# count together, not each session on its own") ------------------------------------------

def test_two_sessions_of_one_day_count_together_cms():
    # DOMAIN.md's own example: a 10-minute morning and a 10-minute afternoon 97110 are
    # 20 minutes = 1 unit (8-22 min -> 1), not 2 (each 10-minute session alone is 1).
    morning, afternoon = {"97110": 10}, {"97110": 10}
    assert day_minutes([morning, afternoon]) == {"97110": 20}
    assert day_units([morning, afternoon]) == {"97110": 1}
    assert billable_units(morning)["97110"] + billable_units(afternoon)["97110"] == 2


def test_day_total_spreads_over_the_codes_cms():
    # Morning 97110 5 min, afternoon 97140 5 min: each session alone is under 8 min
    # (nothing); the day is 10 timed min -> 1 unit, which goes to the first code given on a
    # tie (5 vs 5 minutes, same total): 97110.
    assert day_units([{"97110": 5}, {"97140": 5}]) == {"97110": 1, "97140": 0}
    # Morning 33 min 97110, afternoon 7 min 97140: DOMAIN.md's worked example spread over
    # two sessions is the same day: 40 min -> 3 units, 97110 x2 (30 min), then remaining
    # 3 vs 7 min -> 97140 x1.
    assert day_units([{"97110": 33}, {"97140": 7}]) == {"97110": 2, "97140": 1}


def test_per_code_rule_sums_each_codes_minutes_of_the_day_first():
    # Per code: 97112 5 + 5 = 10 min of the day -> 10 // 15 = 0, remainder 10 >= 8 -> 1
    # unit (each 5-minute session alone would be 0). 97110 10 + 10 = 20 -> 1, remainder 5
    # < 8 -> 1 unit (each 10-minute session alone would be 1, so 2 for the day).
    sessions = [{"97112": 5, "97110": 10}, {"97112": 5, "97110": 10}]
    assert day_units(sessions, "per_code") == {"97112": 1, "97110": 1}


def test_remaining_units_never_bill_a_unit_twice():
    # The morning's 97110 10 min is billed on a first claim as 1 unit; the afternoon adds
    # 97140 10 min. Day: 20 timed min -> 1 unit, given (tie 10 vs 10) to 97110, already
    # billed: the afternoon adds nothing.
    assert remaining_units({"97110": 10, "97140": 10}, {"97110": 1}) == {"97110": 0, "97140": 0}
    # Afternoon 97140 20 min instead: day 30 min -> 2 units; 97140 takes 1 full unit (15
    # min), the left-over unit goes to the larger remainder, 97110 10 vs 97140 5 -> 97110.
    # 97110's unit is billed already: the second claim bills 97140 x1.
    assert remaining_units({"97110": 10, "97140": 20}, {"97110": 1}) == {"97110": 0, "97140": 1}
    # Afternoon 97140 12 min: day 22 min -> 1 unit, which the day gives to 97140 (12 > 10
    # min); but the first claim already took the day's one unit (as 97110): the day's
    # total less the timed units billed is 1 - 1 = 0, so nothing more.
    assert remaining_units({"97110": 10, "97140": 12}, {"97110": 1}) == {"97110": 0, "97140": 0}
    # Nothing billed yet: the day's units.
    assert remaining_units({"97110": 33, "97140": 7}, {}) == {"97110": 2, "97140": 1}


def test_remaining_units_per_code_rule_code_by_code():
    # Per code, 97110 10 + 10 = 20 min -> 1 unit, billed 1 on the first claim -> 0 more;
    # 97112 23 min -> 23 // 15 = 1, remainder 8 >= 8 -> 2 units, none billed -> 2.
    assert remaining_units({"97110": 20, "97112": 23}, {"97110": 1}, "per_code") == {
        "97110": 0, "97112": 2}
    # An untimed code bills once a day: an evaluation already billed is not billed again.
    assert remaining_units({"97161": 40, "97110": 10}, {"97161": 1}) == {"97161": 0, "97110": 1}
