"""Entering work from the shell: ``metdash import-claims``, ``claims-template``,
``worklists``, ``check-npi``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from metdash.cli.app import DB_OPTION, cli_user, main, open_db, progress
from metdash.errors import StoreError
from metdash.store.backup import before_import


@main.command("import-claims")
@DB_OPTION
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Treat this date as today for the date rules (YYYY-MM-DD).")
@click.option("--show-warnings/--no-warnings", default=True,
              help="List the warnings (charges off the fee schedule, missing modifiers), "
                   "beside the problems of a refused file; --no-warnings only counts them.")
def import_claims_cmd(db_path: str | None, file: str, as_of: dt.datetime | None,
                      show_warnings: bool) -> None:
    """Import a claims spreadsheet (CSV or XLSX, one row per service line).

    Every row is checked with the claim form's rules; if any row is bad nothing is
    imported, every problem is listed as 'row N, column: message' and the exit status
    is 1. Importing the same file twice adds nothing the second time. A backup of the
    database is taken first when the file gets as far as being written.
    """
    # Deferred: the spreadsheet rules load the ICD-10-CM code set (seconds); only this
    # command needs them.
    from metdash.spreadsheet import import_claims, too_large

    # Asked before reading: a file larger than an import reads is not loaded into memory.
    too_big = too_large(Path(file).stat().st_size, Path(file).name)
    if too_big:
        click.echo(too_big, err=True)
        raise SystemExit(1)
    data = Path(file).read_bytes()

    db = open_db(db_path)
    progress(f"Checking {Path(file).name} row by row, then importing it (all or nothing)…")
    try:
        result = import_claims(db, data, Path(file).name, cli_user(),
                               as_of=as_of.date() if as_of else None,
                               before_write=lambda: before_import(db))
    except StoreError:
        raise  # the group words these: the store, not the file, is at fault
    except Exception as exc:  # never a traceback for the biller
        raise click.ClickException(
            f"{Path(file).name}: the import failed ({exc.__class__.__name__}: {exc}). "
            "Nothing was imported.") from exc
    # The warnings beside the problems, row by row (a biller fixes both in one pass), unless
    # --no-warnings; then how many were not shown, and how to see them.
    for note in result.notes:  # the file's own names for the template's columns
        click.echo(note, err=True)
    for message in result.messages() if show_warnings else result.problems:
        click.echo(message, err=True)
    if result.warnings and not show_warnings:
        click.echo(f"{len(result.warnings)} warning(s) not shown: run again with "
                   "--show-warnings to list them.", err=True)
    if result.problems:
        click.echo(f"{Path(file).name}: {result.summary()}", err=True)
        raise SystemExit(1)
    click.echo(f"{Path(file).name}: {result.summary()}")


@main.command("claims-template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def claims_template_cmd(out: str) -> None:
    """Write the claims spreadsheet template (OUT ending .csv or .xlsx)."""
    # Deferred: the spreadsheet module loads the ICD-10-CM code set (seconds).
    from metdash.spreadsheet import template

    kind = "xlsx" if out.lower().endswith(".xlsx") else "csv"
    Path(out).write_bytes(template(kind))
    click.echo(f"wrote {out}")


@main.command("worklists")
@DB_OPTION
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The date the lists are drawn up for (default today).")
@click.option("--list", "which", default=None,
              help="Show the rows of one list (its key, e.g. unbilled_sessions).")
def worklists_cmd(db_path: str | None, as_of: dt.datetime | None, which: str | None) -> None:
    """Count the items on each work list (or show one list's rows)."""
    # Deferred: the work lists import the claim rules and with them the ICD-10-CM code set.
    from metdash.worklists import WORKLISTS

    db = open_db(db_path)
    day = as_of.date() if as_of else dt.date.today()
    if which:
        if which not in WORKLISTS:
            raise click.ClickException(
                f"No work list {which!r}: choose one of {', '.join(WORKLISTS)}.")
        frame = WORKLISTS[which].fn(db, day)
        click.echo(frame.to_string(index=False) if len(frame) else "(empty)")
        return
    for key, wl in WORKLISTS.items():
        click.echo(f"{len(wl.fn(db, day)):6d}  {wl.title}  [{key}]")


@main.command("check-npi")
@click.argument("npis", nargs=-1, required=True)
def check_npi_cmd(npis: tuple[str, ...]) -> None:
    """Check NPIs' check digits (exit 1 when any fails)."""
    # Deferred: metdash.coding loads the ICD-10-CM code set (seconds), which an NPI needs not.
    from metdash.coding import npi_problem

    bad = False
    for npi in npis:
        problem = npi_problem(npi)
        click.echo(f"{npi}: {'ok' if problem is None else problem}")
        bad = bad or problem is not None
    if bad:
        raise SystemExit(1)
