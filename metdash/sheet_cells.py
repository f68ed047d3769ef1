"""Codes other systems write with their words: "97110 - Therapeutic exercise",
"M54.50 - Low back pain, unspecified; E11.9 - Type 2 diabetes mellitus" (found by new-user
trials of exports from practice-management systems). The claims spreadsheet reads the code
and leaves the words: they say nothing a claim carries, and a description's commas and
words are not codes.
"""

from __future__ import annotations

import re

# A CPT / HCPCS code, spaces, a dash or colon, spaces, then words (three letters in a row: a
# modifier such as "59" or "GP" is no description).
_CPT_DESCRIBED = re.compile(r"([0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})\s*[-\u2013\u2014:]\s*(.*)")
_WORDS = re.compile(r"[A-Z]{3}", re.IGNORECASE)
# An ICD-10-CM code, alone or followed by its description (after a dash, a colon or in
# brackets).
_ICD = r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?"
_DX_PART = re.compile(rf"\s*({_ICD})\s*(?:[-\u2013\u2014:(].*)?", re.IGNORECASE | re.DOTALL)
_HAS_DESCRIPTION = re.compile(rf"{_ICD}\s*(?:[-\u2013\u2014:]\s*|\()\s*[A-Z]{{3}}",
                              re.IGNORECASE)


def cpt_code(text: str) -> str:
    """The code of "97110 - Therapeutic exercise"; ``text`` itself when it has no words."""
    found = _CPT_DESCRIBED.fullmatch(text)
    return found.group(1) if found and _WORDS.search(found.group(2)) else text


def dx_codes(cell: str) -> list[str]:
    """The diagnosis codes of a cell, as written (normalised later): split at ';', ',' and
    spaces; or, when the cell describes its codes ("M54.50 - Low back pain, unspecified"),
    the code that starts each part between ';', ',' and line breaks (a part that starts with
    no code is the end of a description, as "unspecified" is)."""
    if not _HAS_DESCRIPTION.search(cell):
        return [c for c in re.split(r"[;,\s]+", cell) if c.strip()]
    return [m.group(1) for part in re.split(r"[;,\n]", cell)
            if (m := _DX_PART.fullmatch(part))]
