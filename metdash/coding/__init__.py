"""Billing rules as pure functions: units from minutes, NPI, MBI, ICD-10-CM, CPT, modifiers.

Nothing here touches the store (except :func:`known_codes`, which reads an open
connection it is given) or streamlit.
"""

from metdash.coding.cpt import (
    CPT_CODES,
    EVALUATION_CODES,
    RE_EVALUATION_CODES,
    UNTIMED_CODES,
    CptCode,
    cpt_problems,
    known_codes,
    normalize_cpt,
    untimed_codes,
)
from metdash.coding.icd10 import (
    MAX_DIAGNOSES,
    MAX_POINTERS,
    billable_children,
    describe,
    diagnoses_problems,
    icd10_problems,
    normalize_icd10,
    pointer_problems,
)
from metdash.coding.mbi import is_mbi, mbi_problem, normalize_mbi
from metdash.coding.modifiers import (
    GP_PAYER_TYPES,
    NCCI_PAIRS,
    is_therapy_code,
    modifier_problems,
    needs_kx,
    over_review_threshold,
    parse_modifiers,
    required_modifiers,
    unknown_modifiers,
)
from metdash.coding.npi import npi_is_valid, npi_problem
from metdash.coding.states import STATE_CODES, state_problem
from metdash.coding.units import (
    RULES,
    billable_units,
    cms_total_units,
    day_minutes,
    day_units,
    remaining_units,
)

__all__ = [
    "STATE_CODES", "state_problem", "is_mbi", "mbi_problem", "normalize_mbi",
    "CPT_CODES", "EVALUATION_CODES", "GP_PAYER_TYPES", "MAX_DIAGNOSES", "MAX_POINTERS",
    "NCCI_PAIRS", "RE_EVALUATION_CODES", "RULES", "UNTIMED_CODES", "CptCode",
    "billable_children", "billable_units", "cms_total_units", "cpt_problems", "day_minutes",
    "day_units", "describe", "diagnoses_problems", "icd10_problems", "is_therapy_code",
    "known_codes", "modifier_problems", "unknown_modifiers", "needs_kx", "normalize_cpt", "normalize_icd10",
    "npi_is_valid", "npi_problem", "over_review_threshold", "parse_modifiers",
    "pointer_problems", "remaining_units", "required_modifiers", "untimed_codes",
]
