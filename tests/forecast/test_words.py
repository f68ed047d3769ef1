"""What the forecast says in words about its backtest (metdash.forecast.words)."""

from __future__ import annotations

from metdash.forecast.words import band_too_narrow, judged_weeks


def test_the_weeks_judged_are_named():
    s = {"weeks": 68, "weeks_with_money": 21, "mondays": 12, "inside_band": 0.8}
    assert judged_weeks(s) == (
        "12 Mondays, 68 forecast weeks in all, 21 with money arriving: the errors and the "
        "share inside the band read those 21 (a week with nothing has no percentage error)")
    one = {"weeks": 1, "weeks_with_money": 1, "mondays": 1}
    assert judged_weeks(one).startswith("1 Monday, 1 forecast week in all, 1 with money")
    assert "read that week" in judged_weeks(one)
    none = {"weeks": 42, "weeks_with_money": 0, "mondays": 12, "inside_band": None}
    assert judged_weeks(none) == ("12 Mondays, 42 forecast weeks in all, none with money "
                                  "arriving: no week to judge")


def test_a_band_holding_under_70_percent_is_too_narrow_to_trust():
    # 21 of 34 weeks inside: 61.8% < 70%: the warning, with the share and the weeks.
    warn = band_too_narrow({"inside_band": 21 / 34, "weeks_with_money": 34})
    assert warn is not None and warn.startswith("The band is too narrow to trust: only 62% "
                                                "of the 34 weeks")
    assert band_too_narrow({"inside_band": 0.70, "weeks_with_money": 10}) is None
    assert band_too_narrow({"inside_band": 0.853, "weeks_with_money": 21}) is None
    assert band_too_narrow({"inside_band": None, "weeks_with_money": 0}) is None
