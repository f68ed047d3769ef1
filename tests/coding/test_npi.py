import pytest

from metdash.coding import npi_is_valid, npi_problem


@pytest.mark.parametrize("npi,ok", [
    ("1234567893", True), ("1234567890", False), ("123456789", False), ("12345678933", False),
    ("12345678a3", False), ("", False), (" 1234567893", False), ("１２３４５６７８９３", False),
    (None, False), (1234567893, False), ("1245319599", True),
])
def test_npi_is_valid(npi, ok):
    assert npi_is_valid(npi) is ok


def test_npi_problem_messages():
    assert npi_problem("1234567893") is None
    assert "check digit" in npi_problem("1234567890", "Referring NPI")
    assert npi_problem("1234567890", "Referring NPI").startswith("Referring NPI 1234567890")
    assert "10 digits" in npi_problem("12345")
    assert "missing" in npi_problem("")
