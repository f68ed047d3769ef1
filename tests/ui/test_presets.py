"""Date presets beside the date field (issue 17, item 13), worked on a calendar."""

import datetime as dt

import pytest

from metdash.ui.filters import PRESETS, preset_range

D = dt.date


@pytest.mark.parametrize("today, name, expected", [
    (D(2026, 12, 2), "This month", (D(2026, 12, 1), D(2026, 12, 2))),
    (D(2026, 12, 2), "Last month", (D(2026, 11, 1), D(2026, 11, 30))),
    (D(2026, 3, 31), "Last month", (D(2026, 2, 1), D(2026, 2, 28))),
    (D(2026, 1, 15), "Last month", (D(2025, 12, 1), D(2025, 12, 31))),
    (D(2026, 12, 2), "This quarter", (D(2026, 10, 1), D(2026, 12, 2))),
    (D(2026, 12, 2), "Last quarter", (D(2026, 7, 1), D(2026, 9, 30))),
    (D(2026, 2, 10), "Last quarter", (D(2025, 10, 1), D(2025, 12, 31))),
    (D(2026, 12, 2), "Year to date", (D(2026, 1, 1), D(2026, 12, 2))),
    (D(2026, 12, 2), "Last 12 months", (D(2025, 12, 3), D(2026, 12, 2))),
    (D(2026, 12, 2), "Last year", (D(2025, 1, 1), D(2025, 12, 31))),
])
def test_presets(today, name, expected):
    assert preset_range(name, today) == expected


def test_every_preset_is_a_range():
    for name in PRESETS:
        start, end = preset_range(name, D(2024, 2, 29))
        assert start <= end
