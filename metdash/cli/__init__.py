"""The ``metdash`` command line: :data:`main`, the click group (pyproject's ``metdash``).

:mod:`~metdash.cli.app` holds the group, its ``--db`` option and the one place a command's
error becomes a one-line message. Each other module adds one family of commands to the group
when imported: :mod:`~metdash.cli.store` (migrate, backup, restore, facts),
:mod:`~metdash.cli.demo`, :mod:`~metdash.cli.figures`, :mod:`~metdash.cli.claims`
(import-claims, claims-template, worklists, check-npi), :mod:`~metdash.cli.x12` (import-835,
export-837), :mod:`~metdash.cli.secondary` (export-837-secondary), :mod:`~metdash.cli.acks`
(import-ack), :mod:`~metdash.cli.report`,
:mod:`~metdash.cli.statements` and
:mod:`~metdash.cli.users`.
"""

from metdash.cli import (  # noqa: F401
    acks,
    claims,
    demo,
    figures,
    forecast,
    report,
    secondary,
    statements,
    store,
    users,
    x12,
)
from metdash.cli.app import main

__all__ = ["main"]
