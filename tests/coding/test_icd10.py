from metdash.coding import (
    billable_children,
    diagnoses_problems,
    icd10_problems,
    normalize_icd10,
    pointer_problems,
)


def test_normalize():
    assert normalize_icd10(" m545 ") == "M54.5"
    assert normalize_icd10("M5450") == "M54.50"
    assert normalize_icd10("e11.9") == "E11.9"
    assert normalize_icd10("M54") == "M54"


def test_billable_accepted():
    assert icd10_problems("M54.50") == []
    assert icd10_problems("e119") == []
    assert icd10_problems(" S72.001A ") == []


def test_header_refused_with_children():
    assert icd10_problems("M54.5") == [
        "Diagnosis M54.5 is a category, not a billable code: choose M54.50, M54.51 or M54.59."]
    assert icd10_problems("M545")[0].startswith("Diagnosis M54.5 is a category")
    assert billable_children("M54.5") == ["M54.50", "M54.51", "M54.59"]
    assert "and" in icd10_problems("M54")[0]


def test_unknown_and_malformed():
    assert "not in the ICD-10-CM code set" in icd10_problems("M99.99")[0]
    assert "not an ICD-10-CM code" in icd10_problems("hello")[0]
    assert "missing" in icd10_problems("")[0]


def test_list_rules():
    codes = ["M54.50"] * 1 + ["E11.9", "M25.561", "M25.562", "M62.81", "R26.89", "Z96.651",
                               "M17.11", "M17.12", "R53.1", "G89.29", "M79.604", "I10"]
    problems = diagnoses_problems(codes)
    assert any("at most 12" in p for p in problems)
    assert any("listed twice" in p for p in diagnoses_problems(["E11.9", "e119"]))
    assert diagnoses_problems([])


def test_pointers():
    assert pointer_problems([1, 2], 2) == []
    assert "points at no diagnosis" in pointer_problems([3], 2)[0]
    assert any("at most 4" in p for p in pointer_problems([1, 2, 3, 4, 5], 5))
    assert pointer_problems([], 2)
