"""What a refused X12 file says, the same for every import (835 remittances, 999 / 277CA
acknowledgments): a file is imported whole or not at all, so a file with any problem is
refused, its problems listed in the order they occur in the file (:func:`in_file_order`,
the first 50 of them: :func:`file_problems`).

A page says "Nothing was imported." once, above every refused file's problems; the
command line and ``--json``, where files are told apart by their lines, end each refused
file's last problem with it (:func:`closing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from metdash.errors import X12Error, joined

__all__ = ["MAX_LISTED", "NOTHING", "closing", "file_problems", "in_file_order"]

NOTHING = "Nothing was imported."
MAX_LISTED = 50  # a damaged file can hold thousands: the first 50, and how many more


def in_file_order(problems: Iterable[X12Error]) -> list[X12Error]:
    """``problems`` in the order they occur in their file: by segment number, a problem of
    the whole file (no segment) first, problems of one segment as they were found."""
    return sorted(problems, key=lambda p: -1 if p.number is None else p.number)


def file_problems(name: str, problems: Iterable[X12Error]) -> list[str]:
    """The refused file ``name``'s problems, one line each, in file order, each once; the
    first :data:`MAX_LISTED`, then how many more."""
    lines = list(dict.fromkeys(p.line() for p in in_file_order(problems)))
    if len(lines) > MAX_LISTED:
        lines = lines[:MAX_LISTED] + [f"{name}: … and {len(lines) - MAX_LISTED} more problems."]
    return lines


def closing(problems: Sequence[str]) -> list[str]:
    """A refused file's ``problems``, the last ending "Nothing was imported." (once: the file
    is imported whole or not at all); [] for a file that was not refused."""
    if not problems:
        return []
    return [*problems[:-1], joined(problems[-1], NOTHING)]
