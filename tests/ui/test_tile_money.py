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
