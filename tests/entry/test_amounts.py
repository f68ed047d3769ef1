"""Amounts typed in a form or a spreadsheet (metdash.entry.problems.as_money): what a biller
writes is read, and nothing else. Found by a new-user trial: "1e6" typed as a patient
payment was saved as $1,000,000.00 (Overview's collection rate then read 179.5 %)."""

from decimal import Decimal

import pytest

from metdash.entry.problems import as_money


@pytest.mark.parametrize("typed, read", [
    ("45", "45.00"), ("45.5", "45.50"), ("$1,200.00", "1200.00"), ("1.200,50", "1200.50"),
    ("80,00", "80.00"), ("(12.00)", "-12.00"), ("USD 90.00", "90.00"), (" 7 ", "7.00"),
    (".50", "0.50"), ("-3", "-3.00"), ("+3", "3.00"), ("1,200", "1200.00"),
])
def test_what_a_biller_writes_is_read(typed, read):
    assert as_money(typed) == Decimal(read)


@pytest.mark.parametrize("typed", ["1e6", "1E3", "1_000", "\u0661\u0662\u0663", "Infinity",
                                   "NaN", "0x10", "1O.00", "--5", "5-", "1.2.3", "+-1"])
def test_what_no_biller_writes_is_refused(typed):
    with pytest.raises(ValueError):
        as_money(typed)


def test_numbers_from_a_workbook_are_read_as_they_are():
    assert as_money(1e6) == Decimal("1000000.00") and as_money(45) == Decimal("45.00")
