"""Which column of a claims spreadsheet is which template column.

A practice's first file comes out of another system: its header says "Date of Service",
"DOS", "CPT Code", "Patient Last Name" or "Mod 1", "Mod 2", not the template's
``service_date``, ``cpt``, ``client_last_name``, ``modifiers``. :func:`plan` reads such a
header the way a biller would, from a fixed list of names other systems use (nothing is
guessed from the values), and says what it read as what, so the import can tell the biller.

- A header is compared by its letters and digits only: "Date of Service", "date-of-service"
  and "DATE_OF_SERVICE" are one name.
- A header ending in "#" is read as its "number" name, else its "id" name, else its words:
  "Visit #" as "Visit Number", "Insurance #" as "Insurance ID" (the member's, not the
  payer's name), "Acct #" as "Acct" ("Patient #" is a number, not a whole name).
- The template's own name always wins: a file with both ``cpt`` and "CPT Code" reads
  ``cpt`` and leaves "CPT Code" alone.
- Two other names for one column ("DOS" and "Date of Service") are refused: the import
  cannot know which the biller meant.
- Numbered columns ("Mod 1" .. "Mod 4", "Dx 1" .. "Dx 12", "ICD A" .. "ICD L", as on a
  CMS-1500) are read together, in the file's order, as one ``modifiers`` or
  ``diagnosis_codes`` cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# Other systems' names for the template's columns (keys as :func:`key` writes them). Only
# names that cannot mean anything else on a claim line: not "Date" (of what?), "Code",
# "Amount" or "Name".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "claim_id": ("claim", "claim_no", "claim_number", "claim_num", "claim_ref",
                 "encounter", "encounter_id", "encounter_no", "encounter_number", "visit_id",
                 "visit_no", "visit_number", "invoice", "invoice_id", "invoice_no",
                 "invoice_number"),
    "client_id": ("patient_id", "patient_account", "patient_account_number",
                  "patient_account_no", "account_number", "account_no", "acct_no",
                  "chart_number", "chart_no", "mrn", "client_number", "patient_number",
                  "account", "acct", "patient_acct", "patient_acct_no", "chart"),
    "client_last_name": ("patient_last_name", "last_name", "lname", "surname",
                         "patient_surname", "client_surname", "patient_last", "client_last"),
    "client_first_name": ("patient_first_name", "first_name", "fname", "given_name",
                          "patient_first", "client_first", "forename", "patient_forename"),
    "client_dob": ("patient_dob", "dob", "date_of_birth", "birth_date", "birthdate",
                   "patient_date_of_birth", "patient_birth_date", "client_date_of_birth"),
    "client_sex": ("patient_sex", "sex", "gender", "patient_gender", "client_gender"),
    "payer_name": ("payer", "insurance", "insurance_name", "insurance_company",
                   "primary_insurance", "primary_payer", "insurance_carrier", "carrier",
                   "insurer", "payor", "payor_name", "primary_payor",
                   "primary_insurance_name", "primary_payer_name", "insurance_plan",
                   "billed_to", "bill_to", "insurer_name"),
    "payer_type": ("insurance_type", "plan_type", "payer_class", "insurance_class",
                   "primary_payer_type", "primary_insurance_type", "financial_class"),
    "member_id": ("subscriber_id", "insured_id", "policy_number", "policy_no", "policy_id",
                  "member_number", "member_no", "insurance_id", "subscriber_number",
                  "insurance_member_id", "member", "policy", "policy_num", "subscriber",
                  "subscriber_no", "primary_policy", "primary_member_id"),
    "referrer_npi": ("referring_npi", "referring_provider_npi", "referring_physician_npi",
                     "ref_npi", "referring_doctor_npi", "ref_provider_npi",
                     "ref_physician_npi", "referral_npi"),
    "referrer_name": ("referring_provider", "referring_physician", "referring_doctor",
                      "referring_provider_name", "referring_physician_name", "referred_by",
                      "referring_name", "ref_provider", "ref_provider_name", "ref_physician",
                      "referring_md", "referrer"),
    "referrer_kind": ("referrer_type", "referring_provider_type"),
    "referral_date": ("date_of_referral", "referral_received", "referral_received_date"),
    "service_date": ("dos", "date_of_service", "service_dt", "visit_date", "dos_from",
                     "from_date", "service_from", "service_from_date", "date_of_service_from",
                     "from_dos", "dos_from_date", "appointment_date", "appt_date",
                     "session_date", "treatment_date"),
    "cpt": ("cpt_code", "cpt_hcpcs", "hcpcs", "hcpcs_code", "procedure", "procedure_code",
            "proc_code", "proc", "service_code", "billing_code", "proc_cd", "cpt_cd"),
    "modifiers": ("modifier", "mods", "mod", "cpt_modifiers", "procedure_modifiers"),
    "units": ("unit", "qty", "quantity", "units_billed", "service_units", "days_or_units",
              "billed_units"),
    "charge": ("charges", "charge_amount", "charge_amt", "billed_amount", "amount_billed",
               "fee", "line_charge", "total_charge", "billed_charge", "line_total",
               "charges_amount"),
    "diagnosis_codes": ("diagnosis", "diagnoses", "diagnosis_code", "dx", "dx_code",
                        "dx_codes", "icd10", "icd_10", "icd10_codes", "icd_10_codes",
                        "icd10_code", "icd_codes"),
    "rendering_npi": ("rendering_provider_npi", "provider_npi", "therapist_npi", "npi",
                      "clinician_npi", "practitioner_npi", "rendering_npi_number"),
    "submitted_date": ("date_submitted", "submission_date", "billed_date", "date_billed",
                       "sent_date", "date_sent", "claim_submitted_date"),
    "place_of_service": ("pos", "pos_code", "place_of_service_code"),
    # Read when a file has them, never asked for (not in the template): what an export says
    # besides the claim itself.
    "claim_status": ("status", "billing_status", "charge_status"),
    "dx_pointers": ("dx_pointer", "diagnosis_pointer", "diagnosis_pointers", "pointer",
                    "pointers", "dx_ptr", "icd_pointer", "dx_pointers"),
    "timely_filing_reason": ("late_reason", "late_filing_reason", "timely_filing",
                             "timely_filing_exception", "reason_late"),
    "rendering_name": ("rendering_provider", "rendering_provider_name", "provider",
                       "provider_name", "therapist", "therapist_name", "rendering",
                       "clinician", "clinician_name", "practitioner"),
    # who holds the plan, when it is not the client (metdash.sheet_subscriber)
    "relationship": ("relationship_to_insured", "patient_relationship",
                     "patient_relationship_to_insured", "relationship_to_subscriber",
                     "relation_to_insured", "insured_relationship", "subscriber_relationship",
                     "patient_rel", "rel_to_insured", "relationship_to_policy_holder",
                     "relationship_to_policyholder"),
    "subscriber_name": ("insured_name", "insureds_name", "insured_s_name", "policy_holder",
                        "policyholder", "policy_holder_name", "policyholder_name",
                        "subscriber_full_name", "insured_full_name", "insured_s_full_name"),
    "subscriber_last_name": ("insured_last_name", "insureds_last_name",
                             "policy_holder_last_name", "policyholder_last_name",
                             "subscriber_last", "insured_s_last_name"),
    "subscriber_first_name": ("insured_first_name", "insureds_first_name",
                              "policy_holder_first_name", "policyholder_first_name",
                              "subscriber_first", "insured_s_first_name"),
    "subscriber_dob": ("insured_dob", "insureds_dob", "insured_date_of_birth",
                       "subscriber_date_of_birth", "subscriber_birth_date",
                       "insured_birth_date", "policy_holder_dob", "policyholder_dob",
                       "insured_s_dob", "insured_s_date_of_birth"),
}
_BY_NAME = {name: column for column, names in SYNONYMS.items() for name in names}
MONEY = ("charge",)  # two candidates for it are refused even beside its own name

# Numbered columns read together as one cell: the name before the number, and how the
# values are joined (as the template's own cell would write them).
NUMBERED: dict[str, tuple[tuple[str, ...], str]] = {
    "modifiers": (("mod", "modifier", "cpt_modifier", "procedure_modifier"), ","),
    "diagnosis_codes": (("dx", "diagnosis", "diagnosis_code", "dx_code", "icd", "icd10",
                         "icd_10", "icd_code"), ";"),
}
_NUMBER = r"_?(?:[1-9]|1[0-2]|[a-l])"

# One column holding the whole name, "Last, First" (as most systems export it): read as
# client_last_name and client_first_name when the file has neither of those.
WHOLE_NAME = ("patient_name", "client_name", "patient", "patient_full_name",
              "client_full_name", "patient_last_first", "patient_name_last_first")
NAME_PARTS = ("client_last_name", "client_first_name")


# What each column a file must have holds, for the message naming one a file lacks.
MEANINGS = {
    "claim_id": "the claim's number in your system; the lines of one claim share it",
    "client_id": "the client's chart or account number in your system, the same on each of "
                 "the client's rows",
    "client_last_name": "the client's last name, or one 'Patient Name' column written "
                        "'Last, First'",
    "client_first_name": "the client's first name",
    "client_dob": "the client's birth date", "payer_name": "the insurance billed",
    "member_id": "the member id on the insurance card", "service_date": "the date of service",
    "cpt": "the procedure code", "units": "the units billed", "charge": "the line's charge",
    "diagnosis_codes": "the ICD-10 diagnosis codes",
    "rendering_npi": "the treating provider's NPI (or a column with their name)",
}
_CAPITALS = {"cpt", "dos", "dob", "dx", "hcpcs", "icd", "icd10", "id", "mrn", "npi"}


def missing_column(column: str, examples: int = 3) -> str:
    """A column a file lacks, in words: what it holds and the first names it is read under
    ("service_date (the date of service: also read as 'DOS', 'Date of Service' or ...)")."""
    def words(name: str) -> str:
        return " ".join(w.upper() if w in _CAPITALS else w if i and w in ("of", "or", "to")
                        else w.capitalize() for i, w in enumerate(name.split("_")))

    names = [repr(words(n)) for n in SYNONYMS.get(column, ())[:examples]]
    also = (f": also read as {', '.join(names[:-1])} or {names[-1]}" if len(names) > 1
            else f": also read as {names[0]}" if names else "")
    return f"{column} ({MEANINGS.get(column, column.replace('_', ' '))}{also})"


def key(text: str) -> str:
    """A header as compared here: its letters and digits, lower case, words joined by '_'
    ("Date of Service" -> "date_of_service", "Member #" -> "member")."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def _synonym(text: str, name: str) -> str | None:
    """The template column another system's header ``text`` (its :func:`key` ``name``)
    names: for a header ending in "#", its "number" or "id" name first."""
    if str(text).strip().endswith("#"):
        for said in (f"{name}_number", f"{name}_id"):
            if said in _BY_NAME:
                return _BY_NAME[said]
    return _BY_NAME.get(name)


def _numbered(name: str) -> str | None:
    for column, (stems, _) in NUMBERED.items():
        if any(re.fullmatch(re.escape(stem) + _NUMBER, name) for stem in stems):
            return column
    return None


@dataclass
class Plan:
    """How a file's header is read: ``columns`` maps each template column to the file's
    column positions (several for numbered ones, joined by ``joiner``); ``read_as`` says,
    for the biller, which of the file's headers were read under another name; ``problems``
    why the header cannot be read (two names for one column)."""

    columns: dict[str, list[int]] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)   # column -> the file's own header
    read_as: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)       # the file's headers not read
    whole_name: int | None = None  # the position of a "Last, First" name column

    texts: list[str] = field(default_factory=list)       # the header as written
    _places: tuple[list[tuple[str, int]], list[tuple[str, list[int]]]] | None = field(
        default=None, repr=False, compare=False)

    def repeats_header(self, values: dict[str, object]) -> bool:
        """True when a row's ``values`` are the header's own texts (a report repeats its
        header on each page)."""
        singles = [(c, places[0]) for c, places in self.columns.items() if len(places) == 1]
        return len(singles) >= 3 and all(str(values.get(c, "")).strip() == self.texts[i]
                                         for c, i in singles)

    def places(self) -> tuple[list[tuple[str, int]], list[tuple[str, list[int]]]]:
        """(columns read from one place, columns joined from several): how a row is read,
        worked out once (a row of 20 columns is read 50,000 times)."""
        if self._places is None:
            self._places = (
                [(c, places[0]) for c, places in self.columns.items() if len(places) == 1],
                [(c, places) for c, places in self.columns.items() if len(places) > 1])
        return self._places

    def recognised(self) -> int:
        """How many of the template's columns the header names."""
        return len(self.columns) + (2 if self.whole_name is not None else 0)

    def joiner(self, column: str) -> str:
        return NUMBERED[column][1] if column in NUMBERED else ""


def plan(header: list[str], template: tuple[str, ...], row: int = 1) -> Plan:
    """Which positions of ``header`` (the file's row ``row``, as written) hold which of
    ``template``'s columns; its problems are said at that row."""
    p = Plan(texts=[str(h).strip() for h in header])
    names = [key(h) for h in header]
    exact = {n for n in names if n in template}
    other: dict[str, list[int]] = {}
    whole: list[int] = []
    for i, (text, name) in enumerate(zip(header, names, strict=True)):
        if not name:
            continue
        if name in template:
            p.columns.setdefault(name, [i])  # a repeated template name: its first column
            continue
        column = _synonym(text, name)
        if name in WHOLE_NAME and column is None:
            whole.append(i)
            continue
        column = column or _numbered(name)
        if column in MONEY and column in exact:
            # "Charge" beside "Total Charge": a rate a unit or the line's? Never guessed.
            own = str(header[names.index(column)]).strip()
            p.problems.append(f"row {row}: the columns {own!r} and {str(text).strip()!r} could "
                              f"both be the line's {column}: keep the one for all the line's "
                              f"units as {column}, and rename or delete the other.")
            continue
        if column is None or column not in template or column in exact:
            p.unread.append(str(text).strip())
            continue
        other.setdefault(column, []).append(i)
    for column, places in other.items():
        texts = [str(header[i]).strip() for i in places]
        quoted = " and ".join(repr(t) for t in texts)
        if len(places) > 1 and not all(_numbered(names[i]) for i in places):
            p.problems.append(
                f"row {row}: the columns {quoted} would all be read as {column}: keep one of them "
                f"(or rename it {column}), or, for {column}, only numbered ones (as Mod 1, "
                "Mod 2)." if column in NUMBERED else
                f"row {row}: the columns {quoted} would all be read as {column}: delete one, or "
                f"rename the one to read {column}.")
            continue
        p.columns[column] = places
        p.shown[column] = texts[0] if len(texts) == 1 else ", ".join(texts)
        p.read_as.append(f"{quoted} \u2192 {column}"
                         + (f" (joined with '{NUMBERED[column][1]}')" if len(places) > 1
                            else ""))
    _whole_name(p, header, whole)
    several = [str(t).strip() for t, n in zip(header, names, strict=True)
               if _SEVERAL_LINES.fullmatch(n)]
    if several:
        p.problems.append(
            f"row {row}: the columns {', '.join(repr(t) for t in several[:4])} say each row holds "
            "several service lines (a claim a row); metdash reads one service line a row: put "
            "each line (its code, units and charge) on a row of its own, with the claim's id "
            "on each.")
    return p


# A second code, units or charge of a row ("CPT 2", "Units 2", "Charge 2"): lines side by side.
_SEVERAL_LINES = re.compile(r"(cpt|cpt_code|procedure|procedure_code|proc|proc_code|"
                            r"service_code|hcpcs|units?|charges?|charge_amount)_?([2-9]|1[0-2])")


def _whole_name(p: Plan, header: list[str], whole: list[int]) -> None:
    """The one "Last, First" column, when the file names no last or first name apart."""
    texts = [str(header[i]).strip() for i in whole]
    if len(whole) == 1 and not any(c in p.columns for c in NAME_PARTS):
        p.whole_name = whole[0]
        p.shown.update(dict.fromkeys(NAME_PARTS, texts[0]))
        p.read_as.append(f"{texts[0]!r} \u2192 client_last_name, client_first_name (split at "
                         "the comma: 'Last, First')")
    else:
        p.unread.extend(texts)


def accepted_names(template: tuple[str, ...], required: tuple[str, ...]) -> list[dict[str, str]]:
    """For the page: each of ``template``'s columns, whether a file must have it, and the
    other names read as it (numbered ones and a "Last, First" name column included)."""
    out = []
    for column in template:
        names = [n.replace("_", " ") for n in SYNONYMS.get(column, ())]
        if column in NUMBERED:
            stem = NUMBERED[column][0][0].replace("_", " ")
            names.append(f"{stem} 1, {stem} 2, ... (joined)")
        if column in NAME_PARTS:
            names.append("patient name (one column written 'Last, First')")
        out.append({"column": column, "required": "yes" if column in required else "",
                    "also_read_as": ", ".join(names)})
    return out


def absent_columns(header: Sequence[str], columns: Sequence[str], required: Sequence[str]
                   ) -> list[str]:
    """What a file whose ``header`` lacks some of the template's optional ``columns`` (those
    not ``required``) gets: they are read as blank, and a file without submitted_date has
    claims not yet sent."""
    absent = [c for c in columns if c not in header and c not in required]
    said = []
    if "submitted_date" in absent:
        absent.remove("submitted_date")
        said.append("The file has no submitted_date column: every claim is imported as ready "
                    "to send (it goes in the next 837P file). If they were sent already, add "
                    "the column with the date each was sent.")
    if absent:
        said.append(f"The file has no column for {', '.join(absent)}: read as blank (add the "
                    "column to fill them in).")
    return said
