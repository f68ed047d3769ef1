"""The Medicare Beneficiary Identifier's format (CMS: 11 characters, C A AN N A AN N A A N N;
no S, L, O, I, B or Z), worked position by position on the card's example 1EG4-TE5-MK73."""

import pytest

from metdash.coding import is_mbi, mbi_problem, normalize_mbi


@pytest.mark.parametrize("text", ["1EG4TE5MK73", "1EG4-TE5-MK73", " 1eg4 te5 mk73 ",
                                  "9XY9XY9XY99", "1A00A00AA00"])
def test_mbis(text):
    assert is_mbi(text) and mbi_problem(text) is None
    assert len(normalize_mbi(text)) == 11


@pytest.mark.parametrize(("text", "said"), [
    # The old Social-Security-based number.
    ("123456789A", "is an old Health Insurance Claim Number (HICN)"),
    ("1EG4TE5MK7", "has 10 characters: a Medicare Beneficiary Identifier (MBI) has 11"),
    # 1st: a digit 1-9; 2nd, 5th, 8th, 9th: letters; 4th, 7th, 10th, 11th: digits.
    ("0EG4TE5MK73", "its 1st character, '0', should be a digit 1 to 9."),
    ("11G4TE5MK73", "its 2nd character, '1', should be a letter."),
    ("1EGATE5MK73", "its 4th character, 'A', should be a digit."),
    # An O where a digit goes is likely a zero; an O where a letter or digit goes, too.
    ("1EG4TE5MKO3", "its 10th character, 'O', should be a digit (is the 'O' a 0?)"),
    ("1EG4TO5MK73", "its 6th character, 'O', is a letter an MBI never uses (S, L, O, I, B "
                    "and Z are left out): is it the digit 0?"),
    ("1SG4TE5MK73", "its 2nd character, 'S', is a letter an MBI never uses"),
    ("", "Medicare member id is missing"),
])
def test_not_mbis(text, said):
    assert not is_mbi(text)
    assert said in mbi_problem(text)


def test_synthetic_mbis_have_the_format_and_differ():
    from metdash.coding.mbi import synthetic_mbi

    made = [synthetic_mbi(n) for n in range(10**8, 10**8 + 5000)]
    assert all(is_mbi(m) for m in made) and len(set(made)) == len(made)
