"""Files and names a claims spreadsheet is refused for before anything is read into the store:
an X12 file given in its place, and a new payer whose name is a slip of one on file."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

__all__ = ["NEAR", "near_payer", "x12_refusal"]


# An X12 file by its transaction set (ST01): what it is, and where it is imported instead.
_X12_FILES = {
    "835": ("an X12 835 remittance (an ERA)", "import it with `metdash import-835` or on the "
            "Remittances page (Import 835 files)"),
    "999": ("an X12 999 acknowledgment", "import it with `metdash import-ack` or on the "
            "Remittances page (Import acknowledgments)"),
    "277": ("an X12 277CA acknowledgment", "import it with `metdash import-ack` or on the "
            "Remittances page (Import acknowledgments)"),
    "837": ("an X12 837P claim file, the kind metdash writes to send claims",
            "claims come in on the claims template (`metdash claims-template`) or are "
            "entered on the Claims page"),
}


def x12_refusal(data: bytes, name: str) -> str | None:
    """Why an X12 file (it starts with ISA) is not a claims spreadsheet, and where it goes
    instead; None for any other file. A new-user trial gave an 835 to the claims import and
    read thirteen missing columns and the whole 835 quoted as "columns not read"."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"ISA") or len(head) < 4:
        return None
    found = re.search(rb"(?<![A-Za-z0-9])ST" + re.escape(head[3:4]) + rb"(\d{3})", head)
    code = found.group(1).decode() if found else ""
    what, instead = _X12_FILES.get(code, (f"an X12 file (transaction set {code or 'unknown'})",
                                          "it is not read here"))
    return f"{name} is {what}, not a claims spreadsheet (CSV or XLSX): {instead}."


NEAR = 0.9  # how alike two payer names are (difflib's ratio, case ignored) to be one slip


def near_payer(name: str, on_file: Iterable[str]) -> str | None:
    """The payer on file whose name ``name`` looks like a slip of ("Cascade Mutal PPO" for
    "Cascade Mutual PPO"), or None. A new-user trial's misspelled payer was added as a new
    payer, with another's timely filing and no clearinghouse id, and its claims went to it;
    "Medicare Part A" beside "Medicare Part B" is alike too: that payer is added under
    Settings first."""
    key = name.strip().casefold()
    best, score = None, NEAR
    for known in on_file:
        ratio = difflib.SequenceMatcher(None, key, known.strip().casefold()).ratio()
        if ratio >= score and known.strip().casefold() != key:
            best, score = known, ratio
    return best
