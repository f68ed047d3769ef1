"""What a text field may hold: a maximum length per field, and no control characters.

One table, :data:`MAX_LENGTH`, gives the longest text each field takes. Where the field
goes on a claim or comes from a remittance, the limit is the X12 element's own maximum
(005010X222A1 / X221A1), so nothing stored is too long to send: a claim id is CLM01 /
CLP01 (38), a last or organisation name NM103 (60), a first name NM104 (35), an address
line N301 (55), a city N401 (30), a member id NM109 (80), a reference REF02 (50), a trace
number TRN02 (50). Free text has a generous limit (notes 2,000).

Printable text only: C0 and C1 control characters (NUL, ESC, DEL, U+0080–U+009F …), the
Unicode line and paragraph separators, the direction overrides that make text read
differently from how it is stored, byte-order marks and lone surrogates are refused
everywhere; tabs and line breaks only in the multi-line fields (:data:`MULTILINE`).

:func:`text_problem` is the rule; :func:`metdash.entry.problems.text_field` applies it in
the forms, :mod:`metdash.spreadsheet` to every cell, :mod:`metdash.x12.parse835` to the 835
text it keeps. :func:`formula_problem` refuses an imported cell that is a formula. Pure: no
store, no Streamlit.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["IMPORT_FORMULA_STARTS", "MAX_LENGTH", "MULTILINE", "formula_problem", "shown",
           "text_problem"]

MAX_LENGTH: dict[str, int] = {
    # ids
    "client_id": 30,              # the practice's chart number (PAT / NM109 when sent)
    "claim_id": 38,               # CLM01, echoed as CLP01
    "member_id": 80,              # NM109
    "group_number": 50,           # SBR03
    "prior_auth_number": 50,      # REF02 (G1)
    "clearinghouse_payer_id": 80,  # NM109 (PI)
    "trace_number": 50,           # TRN02 (check / EFT number)
    "originator": 10,             # TRN03
    "payer_claim_number": 50,     # CLP07
    "line_control_number": 50,    # REF02 (6R)
    "reference": 50,              # a payment's or refund's reference
    "remark": 50,                 # LQ02 (30) / MOA03-07, MIA05 (50): a remark code
    "procedure": 48,              # SVC01-2
    "modifier": 2,                # SVC01-3 .. 6
    "carc": 5,                    # CAS02: a claim adjustment reason code
    "plb_reference": 50,          # PLB03-2
    # names and addresses
    "last_name": 60,              # NM103
    "first_name": 35,             # NM104
    "org_name": 60,               # NM103 of an organisation (practice, payer, organisation)
    "person_name": 100,           # 'Last, First' as one field (a referrer): NM103 + NM104
    "specialty": 100,
    "credential": 20,
    "taxonomy": 10,               # PRV03
    "address_line1": 55,          # N301
    "city": 30,                   # N401
    "state": 2,
    "zip": 10,                    # 12345-6789
    "phone": 25,
    "description": 200,           # a CPT code's plain-words description
    # free text
    "timely_filing_reason": 500,
    "note": 2000,
    "notes": 2000,
    "reason": 2000,               # an appeal's reason
    "spreadsheet_cell": 200,      # a coded spreadsheet column (dates, codes, amounts)
}
MULTILINE = frozenset({"note", "notes", "reason", "timely_filing_reason"})

# Always refused: C0 controls but tab, line feed and carriage return; DEL and the C1
# controls; line / paragraph separators; bidi embeddings, overrides and isolates; the
# byte-order mark; interlinear annotation marks; lone surrogates.
_NEVER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e"
                    "\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]")
_BREAKS = re.compile("[\t\n\r]")
# Invisible in a one-line field (a name, an id): the soft hyphen, the zero-width space, the
# word joiner, the Mongolian vowel separator and the invisible operators. "Ri\u200bvera"
# looks like "Rivera" on screen and on paper but is another name to every search and
# every payer: a duplicate nobody can see. Free text keeps them (a pasted note may hold a
# soft hyphen). The joiners U+200C / U+200D stay allowed: Persian, Indic scripts and
# emoji need them.
_INVISIBLE = "\u00ad\u180e\u200b\u2060-\u2064"
_NEVER_ONE_LINE = re.compile(_NEVER.pattern[:-1] + "\t\n\r" + _INVISIBLE + "]")
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "backspace", "\x1b": "ESC", "\x7f": "DEL",
          "\t": "a tab", "\n": "a line break", "\r": "a line break"}


def shown(value: Any, limit: int = 40) -> str:
    """``value`` quoted for a message, cut short (with …) when longer than ``limit``."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


# Imported text starting with one of these is a formula to a spreadsheet (OWASP "CSV
# injection"): it is refused, not stored, so it can never run in a file written from the
# store. A leading + or - is kept: it begins real values (a phone "+1 ...", a hyphenated
# name), and every file metdash writes neutralises it (metdash.exports).
IMPORT_FORMULA_STARTS = ("=", "@")


def formula_problem(value: str) -> str | None:
    """The biller's message when imported ``value`` is a formula; None when it is not."""
    if not value.startswith(IMPORT_FORMULA_STARTS):
        return None
    return (f"{shown(value)} starts with '{value[0]}', so a spreadsheet reads it as a "
            "formula: type the value itself, or copy the cells and paste them as values only.")


def _name(ch: str) -> str:
    return _NAMES.get(ch, f"U+{ord(ch):04X}")


def text_problem(value: Any, label: str, field: str, *, limit: int | None = None,
                 fix: str | None = None) -> str | None:
    """The biller's message when ``value`` (stripped) is longer than the field's maximum
    (``limit``, else ``MAX_LENGTH[field]``) or holds a character it may not; None when it
    is fine or blank. ``fix`` replaces the advice (for text from a file the biller cannot
    edit). Raises KeyError for a field missing from the table (a bug)."""
    if value is None:
        return None
    text = (value if isinstance(value, str) else str(value)).strip()
    most = MAX_LENGTH[field] if limit is None else limit
    multiline = field in MULTILINE
    if len(text) <= most and (text.isprintable()
                              or not (_NEVER if multiline else _NEVER_ONE_LINE).search(text)):
        return None  # the common case: every character refused below is unprintable
    if len(text) > most:
        return (f"{label} is {len(text):,} characters long; it holds at most {most:,}: "
                f"{fix or 'shorten it.'}")
    bad = _NEVER.search(text)
    if bad is None and not multiline:
        bad = _BREAKS.search(text) or _INVISIBLE_RE.search(text)
    if bad is not None:
        what = _name(bad.group())
        where = f"after {shown(text[:bad.start()][-20:])}" if bad.start() else "at the start"
        if _INVISIBLE_RE.fullmatch(bad.group()):
            return (f"{label} holds the invisible character {what} ({where}), which makes it "
                    f"differ from the same text typed plainly: "
                    f"{fix or 'retype it, or paste it as plain text.'}")
        if bad.group() in "\t\n\r":
            return f"{label} holds {what} ({where}): {fix or 'keep it on one line.'}"
        return (f"{label} holds the control character {what} ({where}), which cannot be "
                f"stored: {fix or 'retype the text, or paste it as plain text.'}")
    return None
