"""Money on a KPI tile fits a 1280 px projector (issue 17, item 6)."""

import pytest

from metdash.metrics import tile_money


@pytest.mark.parametrize("value, shown", [
    (0, "$0"), (209.6, "$210"), (1100, "$1,100"), (99_999.4, "$99,999"),
    (99_999.6, "$100.0K"), (148_230, "$148.2K"), (999_949, "$999.9K"),
    (999_950, "$1.00M"), (1_492_310, "$1.49M"), (12_345_678, "$12.35M"),
    (-148_230, "-$148.2K"), (-42, "-$42"),
])
def test_tile_money(value, shown):
    assert tile_money(value) == shown


@pytest.mark.parametrize("value, shown", [
    (39_128, "$39.1K"), (2_613, "$2.6K"), (613.4, "$613"), (0, "$0"),
    (-42_016, "-$42.0K"), (115_100, "$115.1K"), (1_250_000, "$1.25M"),
])
def test_tile_money_in_thousands_beside_a_compact_value(value, shown):
    # A tile's change is written as its value is: "$792.0K" with "+$39.1K", not "+$39,128"
    # (Overview read "+$115.1K" under one tile and "+$39,128" under the next).
    assert tile_money(value, compact=True) == shown


def test_a_tiles_change_is_written_as_its_value():
    from metdash.ui.widgets import metric_tile

    shown = {}

    class Column:
        def metric(self, label, value, delta=None, **kwargs):
            shown[label] = (value, delta)

    metric_tile(Column(), "payments", 792_000, 752_872)       # compact value: compact change
    metric_tile(Column(), "patient_ar_total", 32_732, 30_119)       # whole dollars: whole dollars
    assert list(shown.values()) == [("$792.0K", "+$39.1K"), ("$32,732", "+$2,613")]
