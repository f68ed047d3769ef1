"""Every error metdash raises, in one tree.

A caller that only needs "something metdash refused, with a message for the user" catches
:class:`MetdashError`: the command line (:mod:`metdash.cli`) turns it into one line and a
non-zero exit, a page (:func:`metdash.ui.frame.action`) into ``st.error``. The message of
every error here is written for the person at the keyboard: what is wrong, and what to do.

::

    MetdashError
    ├── StoreError            the practice's file cannot be opened, read or written
    │   ├── StoreBusy         another process held the file for too long
    │   ├── BackupError       a backup could not be made or restored
    │   └── NotTheDemo        a demo-only action on a practice's own file
    ├── FactsMismatch         the derived tables differ from a full recomputation (a bug)
    ├── ValidationError       input breaks a rule; .problems lists them all (.warnings too)
    ├── MoneyTooLarge         an amount above $99,999,999.99 (also a ValueError)
    ├── AuthError             a sign-in was refused (also a ValueError)
    ├── UserError             a user could not be added or changed (also a ValueError)
    ├── PresentationModeError an unmasked file asked for in presentation mode
    ├── X12Error              one problem at one segment of one X12 file
    ├── X12FileError          every problem found in one X12 file; .problems
    ├── X12ExportError        claims cannot be written as an 837P; .problems
    ├── ReportError           a report (PDF / CSV) could not be written
    └── ScenarioError         the insurance scenario's assumptions cannot be used; .problems

The classes live here and nowhere else; the modules that raise them import them from here.

A message that names a client (a refused 835 whose patient is another, a chart number
already on file) is a :class:`Naming`: the text, and ``masked``, the same text with the
names, birth dates and member ids masked, which presentation mode shows instead
(:func:`metdash.ui.show_problems`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class MetdashError(Exception):
    """Something metdash refused or could not do; ``str()`` is the message for the user."""


# -- the store ------------------------------------------------------------------------------
class StoreError(MetdashError):
    """A problem with the store that a user can act on."""


class StoreBusy(StoreError):
    """Another process held the database file for longer than we were willing to wait."""


class BackupError(StoreError):
    """A backup could not be made or restored."""


class NotTheDemo(StoreError):
    """A workshop action that only makes sense on the synthetic demo practice."""


class FactsMismatch(MetdashError, AssertionError):
    """The facts differ from a full recomputation (a write path that forgot touch())."""


# -- what people enter ------------------------------------------------------------------------
class ValidationError(MetdashError):
    """The input breaks at least one rule: ``problems`` lists every one (nothing was written);
    ``warnings`` lists what is allowed but worth a second look."""

    def __init__(self, problems: Sequence[str], warnings: Sequence[str] = ()) -> None:
        self.problems = list(problems)
        self.warnings = list(warnings)
        super().__init__("; ".join(self.problems))


class MoneyTooLarge(MetdashError, ValueError):
    """An amount above what one line or payment can be (more than $99,999,999.99)."""


# -- sign-in and users --------------------------------------------------------------------------
class AuthError(MetdashError, ValueError):
    """A sign-in was refused (the message never says which part was wrong)."""


class UserError(MetdashError, ValueError):
    """A user could not be added or changed."""


class PresentationModeError(MetdashError):
    """A file that cannot be masked (an 837P) was asked for in presentation mode."""


# -- X12 files ----------------------------------------------------------------------------------
class Naming(str):
    """A message that names a client: the text as it is, and :attr:`masked`, the same text
    with what identifies the client masked (:func:`metdash.privacy.mask_text`)."""

    masked: str

    def __new__(cls, text: str, masked: str) -> Naming:
        obj = super().__new__(cls, text)
        obj.masked = masked
        return obj


def masked_text(message: Any) -> str:
    """What presentation mode shows of ``message``: its masked text when it names a client
    (:class:`Naming`, or a problem carrying ``masked``), else the message itself."""
    if isinstance(message, X12Error):
        message = message.line()
    text = str.__str__(message) if isinstance(message, str) else str(message)
    return getattr(message, "masked", None) or text


def joined(message: str, suffix: str) -> str:
    """``message`` and ``suffix`` with a space between, still masked where it was."""
    text = f"{str.__str__(message)} {suffix}"
    masked = getattr(message, "masked", None)
    return Naming(text, f"{masked} {suffix}") if masked else text


class X12Error(MetdashError):
    """One problem at one segment of one file, in the biller's words."""

    def __init__(self, file: str, number: int | None, segment_id: str | None, message: str):
        self.file = file
        self.number = number
        self.segment_id = segment_id
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.line()

    def line(self) -> str:
        """The problem on one line, where it is first (a :class:`Naming` when the message
        names a client)."""
        where = self.file
        if self.number is not None:
            where += f", segment {self.number}"
            if self.segment_id:
                where += f" ({self.segment_id})"
        text = f"{where}: {str.__str__(self.message)}"
        masked = getattr(self.message, "masked", None)
        return Naming(text, f"{where}: {masked}") if masked else text


class X12FileError(MetdashError):
    """Every problem found in one file; ``problems`` lists them (X12Error each)."""

    def __init__(self, file: str, problems: list[X12Error],
                 unknown_payers: Sequence[tuple[str, tuple[str, ...], int | None]] = ()):
        self.file = file
        self.problems = problems
        # (N1*PR name, its ids, the payer its claims are billed to) of each payer on file
        # under none of them, paying our claims
        self.unknown_payers = list(unknown_payers)
        super().__init__("\n".join(str(p) for p in problems))

    def messages(self) -> list[str]:
        """One line per problem (:meth:`X12Error.line`)."""
        return [p.line() for p in self.problems]


class X12ExportError(MetdashError):
    """The claims cannot be written; ``problems`` lists every reason, in the biller's words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# -- reports and the workshop -------------------------------------------------------------------
class ReportError(MetdashError):
    """The report could not be written (the message says why, for the user)."""


class ScenarioError(MetdashError, ValueError):
    """The scenario's assumptions cannot be used; ``.problems`` lists every one."""

    def __init__(self, found: list[str]) -> None:
        self.problems = list(found)
        super().__init__(" ".join(found))
