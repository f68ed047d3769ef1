"""NPI check digit (Luhn over the 9 identifying digits prefixed by 80840)."""

from __future__ import annotations

__all__ = ["npi_is_valid", "npi_problem"]


def _luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for ``digits`` (a string of digits)."""
    total = 0
    # Double every second digit counting from the right of the payload.
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    """True when ``npi`` is 10 digits whose last is the Luhn check digit of 80840 + the first 9.

    Never raises: anything that is not a 10-digit string is simply not valid.
    """
    if not isinstance(npi, str) or len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    return _luhn_check_digit("80840" + npi[:9]) == int(npi[9])


def npi_problem(npi: object, label: str = "NPI") -> str | None:
    """A biller's message when ``npi`` is not a usable NPI, else None.

    ``label`` names the field ("Referring NPI", "Rendering NPI", ...).
    """
    text = "" if npi is None else str(npi).strip()
    if not text:
        return f"{label} is missing: enter the 10-digit NPI."
    if not (len(text) == 10 and text.isascii() and text.isdigit()):
        return f"{label} {text} is not 10 digits: an NPI has exactly 10 digits, no letters or dashes."
    if not npi_is_valid(text):
        return f"{label} {text} fails its check digit: copy it again from the referral or NPPES."
    return None
