"""What a claims spreadsheet import did (:class:`ImportResult`): its problems (nothing is
imported when there is one), its warnings and notes, its counts, in the biller's words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["MAX_PROBLEMS", "ImportResult", "row_of"]

MAX_PROBLEMS = 200                   # problems listed; then "and N more"


@dataclass
class ImportResult:
    """What an import did: ``problems`` (nothing imported when any), warnings, counts.

    ``problems`` lists at most :data:`MAX_PROBLEMS`, then one line "and N more problems
    (first fix these)."; ``more_problems`` is that N."""

    problems: list[str] = field(default_factory=list)
    more_problems: int = 0
    warnings: list[str] = field(default_factory=list)
    claims_added: int = 0
    lines_added: int = 0
    claims_skipped: int = 0
    created: dict[str, int] = field(default_factory=dict)
    already_imported: bool = False
    # How the file's header was read, when it names columns as another system does
    # ("'Date of Service' read as service_date"): said, never a reason to refuse.
    notes: list[str] = field(default_factory=list)
    # The file's own header of each column read under another name: messages name both.
    shown: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for the biller."""
        warned = (f" {len(self.warnings):,} warning(s) (they do not stop an import): check "
                  "them." if self.warnings else "")
        if self.problems:
            total = len(self.problems) - (1 if self.more_problems else 0) + self.more_problems
            return f"Nothing was imported: {total:,} problem(s).{warned}"
        if self.already_imported:
            return "This file was already imported: nothing was added."
        made = ", ".join(f"{n:,} {k}" for k, n in self.created.items() if n)
        text = (f"Imported {self.claims_added:,} claim(s) with {self.lines_added:,} line(s); "
                f"{self.claims_skipped:,} already on file skipped.")
        return text + (f" Created {made}." if made else "") + warned

    def messages(self) -> list[str]:
        """Every problem and warning (marked 'warning: '), in row order: what the command
        line prints."""
        shown = self.problems[:-1] if self.more_problems else self.problems
        marked = [*shown, *(f"warning: {w}" for w in self.warnings)]
        ordered = sorted(marked, key=lambda m: row_of(m.removeprefix("warning: ")))
        return ordered + self.problems[-1:] if self.more_problems else ordered

    def in_the_files_words(self) -> None:
        """Each "row N, column: ..." of a column the file names otherwise says the file's
        own header too ("row 5, service_date ('Date of Service'): ..."): the biller looks
        for the column they see."""
        if not self.shown:
            return

        def name(m: re.Match[str]) -> str:
            column = m.group(2)
            own = self.shown.get(column)
            return f"{m.group(1)}{column} ('{own}'):" if own else m.group(0)

        for messages in (self.problems, self.warnings):
            messages[:] = [_COLUMN_NAMED.sub(name, msg, count=1) for msg in messages]

    def cap_problems(self) -> None:
        """Keep the first :data:`MAX_PROBLEMS` problems (in row order) and say how many
        more there are: a biller fixes those first, and a file of a hundred thousand bad
        rows does not make a list nobody can read (or a page that cannot draw it)."""
        if self.more_problems or len(self.problems) <= MAX_PROBLEMS:
            return
        self.problems.sort(key=row_of)
        self.more_problems = len(self.problems) - MAX_PROBLEMS
        self.problems[MAX_PROBLEMS:] = [
            f"and {self.more_problems:,} more problems (first fix these)."]


# "row N, column:" at the start of a problem or a warning.
_COLUMN_NAMED = re.compile(r"^(row \d+, )([a-z_]+):")


def row_of(message: str) -> int:
    """The row number a 'row N, column: ...' message names (0 for a file-wide one)."""
    m = re.match(r"row (\d+)", message)
    return int(m.group(1)) if m else 0
