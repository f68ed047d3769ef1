"""Who holds the insurance, when a claims spreadsheet says: a child billed under a parent's
plan, a spouse under the other's.

An 837P for a dependent names the subscriber (the plan's holder) in loop 2010BA and the client
as the patient in 2000C (metdash.x12.write837). A claim that names the child as the
subscriber of the parent's member id is rejected by the payer. So when a file has a
"Relationship to Insured" column, or the insured's name, the import reads them into the new
coverage, and refuses a row where they disagree or say too little:

- ``relationship``: self, spouse, child or other; also the X12 codes (18 self, 01 spouse,
  19 child, G8 other, 53 life partner, 20 employee) and the words "son", "daughter",
  "husband", "wife". "Dependent" is refused: it could be a child or a spouse.
- the insured's name, as last and first name columns or one "Last, First" column, and the
  insured's date of birth.
- A relationship other than self needs the insured's last and first names.
- An insured's name that is not the client's, on a row with no relationship, is refused:
  which of them holds the plan is not guessed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from metdash.sheet_dates import date_cell
from metdash.sheet_headers import key as _key

# Their other names are in metdash.sheet_headers.SYNONYMS ("Relationship to Insured",
# "Insured Name", "Insured DOB", ...).
COLUMNS = ("relationship", "subscriber_name", "subscriber_last_name", "subscriber_first_name",
           "subscriber_dob")

RELATIONSHIPS = {
    "self": "self", "patient": "self", "insured": "self", "subscriber": "self", "same": "self",
    "18": "self", "patient_is_insured": "self", "policy_holder": "self",
    "spouse": "spouse", "wife": "spouse", "husband": "spouse", "01": "spouse",
    "child": "child", "son": "child", "daughter": "child", "19": "child",
    "other": "other", "g8": "other", "life_partner": "other", "53": "other",
    "domestic_partner": "other", "partner": "other", "employee": "other", "20": "other",
}
_KEYS = ("relationship", "subscriber_last_name", "subscriber_first_name", "subscriber_dob")


def parse(row: Any, problems: list[str], order: Any) -> None:
    """``row.subscriber``: the coverage's relationship and insured from the row's cells
    (empty when the file says nothing of them); problems as "row N, column: ..."."""
    v = row.values
    last = str(v.get("subscriber_last_name", "")).strip()
    first = str(v.get("subscriber_first_name", "")).strip()
    whole = str(v.get("subscriber_name", "")).strip()
    if whole and not (last or first):
        if "," not in whole:
            problems.append(f"row {row.n}, subscriber_name: {whole!r} has no comma: write the "
                            "insured's name 'Last, First' (as 'Lane, Lois'), or give it last and "
                            "first name columns of their own.")
            return
        last, first = (part.strip() for part in whole.split(",", 1))
    said = str(v.get("relationship", "")).strip()
    relationship = RELATIONSHIPS.get(_key(said)) if said else None
    if said and relationship is None:
        problems.append(f"row {row.n}, relationship: {said!r} is not a relationship to the "
                        "insured: write self, spouse, child or other"
                        + (" (a dependent is a child or a spouse: say which)."
                           if _key(said).startswith("dependent") else "."))
        return
    dob = date_cell(problems, row, "subscriber_dob", False, order)
    if relationship is None and (last or first) and (_key(last), _key(first)) != (
            _key(v.get("client_last_name", "")), _key(v.get("client_first_name", ""))):
        problems.append(f"row {row.n}, relationship: the insured ({last}, {first}) is not the "
                        "client, and the row does not say how they are related: add a "
                        "'Relationship to Insured' column (self, spouse, child or other), or the "
                        "claim would go out with the client as the plan's holder.")
        return
    if relationship in ("spouse", "child", "other") and not (last and first):
        problems.append(f"row {row.n}, relationship: {said!r} says the client is not the "
                        "plan's holder: add the insured's last and first names (columns "
                        "'Insured Last Name' and 'Insured First Name', or one 'Insured Name' "
                        "written 'Last, First').")
        return
    if relationship in (None, "self"):
        row.subscriber = {"relationship": "self"} if relationship else {}
        return
    row.subscriber = {"relationship": relationship, "subscriber_last_name": last,
                      "subscriber_first_name": first, "subscriber_dob": dob}


def differs(row: Any, coverage: dict[str, Any]) -> str | None:
    """How a coverage (on file, or an earlier row's) says the insured, when the row says
    otherwise; None when the row says nothing else (or nothing)."""
    said = row.subscriber
    if not said:
        return None
    if said["relationship"] == "self" or coverage.get("relationship") == "self":
        same = said["relationship"] == coverage.get("relationship")
    else:
        born = (said.get("subscriber_dob"), coverage.get("subscriber_dob"))
        same = (said["relationship"] == coverage.get("relationship")
                and all(_key(said[k]) == _key(coverage.get(k) or "")
                        for k in ("subscriber_last_name", "subscriber_first_name"))
                and (None in born or born[0] == born[1]))
    if same:
        return None
    if coverage.get("relationship", "self") == "self":
        return "the client is the insured"
    born = coverage.get("subscriber_dob")
    return (f"the client is the {coverage['relationship']} of the insured "
            f"{coverage.get('subscriber_last_name')}, {coverage.get('subscriber_first_name')}"
            + (f" (born {born:%Y-%m-%d})" if isinstance(born, dt.date) else ""))
