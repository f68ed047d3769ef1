"""A figure written on a tile, in a report or a message rounds a half away from zero, as the
tables' formats do (Python's format gave the even neighbour: 2.25 days read "2.2 days" on a
tile and "2.3" in the table beside it)."""

from decimal import Decimal

import pytest

from metdash.metrics import format_value, tile_money


@pytest.mark.parametrize("fmt, value, shown", [
    ("money", Decimal("62.505"), "$62.51"), ("money", 62.505, "$62.51"),
    ("money", Decimal("-10.125"), "$-10.13"), ("money", Decimal("1234.5"), "$1,234.50"),
    ("percent", 0.0625, "6.3%"), ("percent", 0.1234, "12.3%"), ("percent", 1.0, "100.0%"),
    ("days", 2.25, "2.3 days"), ("days", -2.25, "-2.3 days"), ("days", 41.0, "41.0 days"),
    ("number", 2.125, "2.13"), ("number", 3.0, "3"), ("count", 1234, "1,234"),
    ("money", None, "—"), ("days", float("nan"), "—"),
])
def test_format_value_rounds_a_half_away_from_zero(fmt, value, shown):
    assert format_value(fmt, value) == shown


@pytest.mark.parametrize("value, compact, shown", [
    (1234.5, None, "$1,235"), (Decimal("20.50"), None, "$21"), (-20.5, None, "-$21"),
    (148_250, None, "$148.3K"), (2_250, True, "$2.3K"), (1_245_000, None, "$1.25M"),
])
def test_tile_money_rounds_a_half_away_from_zero(value, compact, shown):
    assert tile_money(value, compact=compact) == shown


def test_no_page_writes_dollars_with_pythons_own_rounding():
    """Python's format rounds a half to even: Days to payment wrote an insurance A/R of
    $2,074.50 as "$2,074" (and its 0-30 bucket's $1,814.50 as "$1,814") while Overview's
    tile read "$2,075" (a new-user trial: two pages, two amounts). Pages write dollars
    through the house's formats (ui.tile_money, chart_labels' dollars, the tables' formats),
    which round a half away from zero."""
    import re
    from pathlib import Path

    pages = Path(__file__).resolve().parents[1] / "pages"
    found = {p.name: hits for p in sorted(pages.glob("*.py"))
             if (hits := re.findall(r"\$?\{[^{}]*:[+]?,?\.0f\}", p.read_text(encoding="utf-8")))}
    assert found == {}
    from metdash import ui
    assert (ui.tile_money(2074.5), ui.tile_money(1814.5)) == ("$2,075", "$1,815")
    from metdash.chart_labels import signed_dollars
    assert (signed_dollars(-1234.5), signed_dollars(2.5)) == ("-$1,235", "+$3")


def test_a_claims_two_balances_say_whose():
    """A claim's row showed "Balance $0.00" beside "Client owes $15.00" (a new-user trial):
    the first is what the payers owe, and says so."""
    from metdash.ui.widgets import column_label
    assert (column_label("balance"), column_label("patient_balance")) == (
        "Insurance owes", "Client owes")
