"""Acknowledgment codes in plain English: the 999's (005010X231A1) and the 277CA's
(005010X214), the common ones, so a rejected claim's reason reads as words.

A code missing from a table is shown as ``code N`` with what its place means ("segment
error code 9"), never dropped: the biller can still look it up in the guide.
"""

from __future__ import annotations

# IK5-01 transaction set / AK9-01 functional group acknowledgment codes.
SET_STATUS = {
    "A": "accepted",
    "E": "accepted with errors",
    "P": "partially accepted (some transaction sets rejected)",
    "R": "rejected",
    "M": "rejected: message authentication code failed",
    "W": "rejected: failed the validity tests",
    "X": "rejected: content could not be analysed after decryption",
}
ACCEPTED_SET = {"A", "E"}  # E: accepted; its errors are notes, the claims go on to the payer
REJECTED_SET = {"R", "M", "W", "X"}

# IK3-04 segment syntax error codes.
SEGMENT_ERRORS = {
    "1": "unrecognised segment",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs more often than allowed",
    "5": "segment used more often than allowed",
    "6": "segment not in the transaction set",
    "7": "segment out of order",
    "8": "segment has data element errors",
    "I4": "a segment the guide says not to use is present",
    "I6": "a segment the guide requires in this situation is missing",
    "I7": "loop occurs fewer times than the guide requires",
    "I8": "segment used fewer times than the guide requires",
    "I9": "a segment the guide says not to use in this situation is present",
}

# IK4-03 data element syntax error codes.
ELEMENT_ERRORS = {
    "1": "required element missing",
    "2": "conditionally required element missing",
    "3": "too many elements",
    "4": "element too short",
    "5": "element too long",
    "6": "invalid character in element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I6": "code value not used in this implementation",
    "I9": "element the guide requires in this situation is missing",
    "I10": "element the guide says not to use is present",
    "I11": "too few repetitions",
    "I12": "value does not match the required pattern",
    "I13": "element the guide says not to use in this situation is present",
}

# IK5-02..06 transaction set syntax error codes; AK9-05..09 functional group error codes.
SET_ERRORS = {
    "1": "transaction set not supported",
    "2": "transaction set trailer (SE) missing",
    "3": "control numbers in ST and SE do not match",
    "4": "the segment count in SE is wrong",
    "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier",
    "7": "missing or invalid transaction set control number",
    "18": "transaction set not in a functional group",
    "19": "invalid implementation convention reference (ST03)",
    "23": "transaction set control number not unique in the group",
    "I5": "one or more segments in error (implementation guide)",
    "I6": "implementation convention not supported",
}
GROUP_ERRORS = {
    "1": "functional group not supported",
    "2": "functional group version not supported",
    "3": "functional group trailer (GE) missing",
    "4": "control numbers in GS and GE do not match",
    "5": "the transaction set count in GE is wrong",
    "6": "group control number violates syntax",
    "19": "group control number not unique in the interchange",
}

# Claim status category codes (STC01-1), those a 277CA may carry.
CATEGORIES = {
    "A0": "forwarded to another entity",
    "A1": "received (not yet accepted for adjudication)",
    "A2": "accepted into the payer's adjudication system",
    "A3": "returned as unprocessable: rejected",
    "A4": "not found",
    "A5": "split claim",
    "A6": "rejected for missing information",
    "A7": "rejected for invalid information",
    "A8": "rejected for a relational field in error",
    "E0": "response not possible: error in the submitted data",
    "E1": "response not possible: system unavailable",
    "E2": "information holder is not responding; resubmit later",
    "E3": "correction required: relational fields in error",
    "E4": "trading partner agreement specific requirement not met",
}
# A1 / A2 (and A0 forwarded, A5 split) let the claim go on; these stop it.
ACCEPTED_CATEGORIES = {"A0", "A1", "A2", "A5"}
REJECTED_CATEGORIES = {"A3", "A4", "A6", "A7", "A8", "E0", "E3", "E4"}

# Health care claim status codes (STC01-2), the common front-end ones.
STATUS_CODES = {
    "0": "cannot give more status electronically",
    "3": "adjudicated, awaiting the payment cycle",
    "16": "forwarded to the entity",
    "19": "the entity acknowledges receipt",
    "20": "accepted for processing",
    "21": "missing or invalid information",
    "24": "the entity is not approved as an electronic submitter",
    "26": "the entity was not found",
    "29": "subscriber and policy number do not match",
    "30": "subscriber and subscriber id do not match",
    "32": "subscriber and policy number not found",
    "33": "subscriber and subscriber id not found",
    "35": "claim not found",
    "54": "duplicate of a claim already processed",
    "78": "duplicate of a claim awaiting processing",
    "85": "the entity is not primary",
    "88": "the entity was not eligible for the dates of service",
    "96": "no agreement with the entity",
    "97": "patient eligibility not found with the entity",
    "109": "the entity is not eligible",
    "116": "claim sent to the wrong payer",
    "125": "the entity's name",
    "126": "the entity's address",
    "128": "the entity's tax id",
    "145": "the entity's specialty / taxonomy code",
    "158": "the entity's date of birth",
    "164": "the entity's contract / member number",
    "187": "the date(s) of service",
    "254": "the principal diagnosis code",
    "255": "the diagnosis code",
    "453": "the procedure code modifier",
    "454": "the procedure code",
    "476": "missing or invalid units of service",
    "477": "the diagnosis code pointer is missing or invalid",
    "562": "the entity's National Provider Identifier (NPI)",
}

# Entity identifier codes (STC01-3): whose data the status is about.
ENTITIES = {
    "03": "dependent", "1P": "provider", "40": "receiver", "41": "submitter",
    "45": "drop-off location", "71": "attending physician", "72": "operating physician",
    "77": "service location", "82": "rendering provider", "85": "billing provider",
    "87": "pay-to provider", "DK": "ordering physician", "DN": "referring provider",
    "IL": "subscriber", "PR": "payer", "QC": "patient", "TT": "transfer-to entity",
}


def _word(table: dict[str, str], code: str, what: str) -> str:
    return table.get(code, f"{what} {code}") if code else ""


def set_status_words(code: str) -> str:
    """IK501 / AK901 in words ('rejected'); an unknown code as 'status X'."""
    return _word(SET_STATUS, code, "status")


def segment_error_words(code: str) -> str:
    return _word(SEGMENT_ERRORS, code, "segment error code")


def element_error_words(code: str) -> str:
    return _word(ELEMENT_ERRORS, code, "element error code")


def set_error_words(code: str) -> str:
    return _word(SET_ERRORS, code, "transaction set error code")


def group_error_words(code: str) -> str:
    return _word(GROUP_ERRORS, code, "group error code")


def claim_status_words(category: str, status: str = "", entity: str = "") -> str:
    """One STC01 composite in words: 'rejected for invalid information: the entity's
    contract / member number (subscriber)'."""
    words = _word(CATEGORIES, category, "status category")
    detail = _word(STATUS_CODES, status, "status code")
    if detail and entity:
        who = ENTITIES.get(entity, f"entity {entity}")
        detail = detail.replace("the entity's", f"the {who}'s").replace("the entity", f"the {who}")
        if who not in detail and category not in ACCEPTED_CATEGORIES:
            detail = f"{detail} ({who})"
    return f"{words}: {detail}" if detail else words


def claim_outcome(category: str) -> str:
    """'accepted', 'rejected' or 'other' for a claim status category code (STC01-1)."""
    if category in ACCEPTED_CATEGORIES:
        return "accepted"
    if category in REJECTED_CATEGORIES:
        return "rejected"
    return "other"
