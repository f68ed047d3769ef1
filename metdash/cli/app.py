"""The ``metdash`` group, its ``--db`` option, and the one place an error reaches the user.

Commands call the library and let its errors go. :class:`MetdashGroup` turns any
:class:`~metdash.errors.MetdashError` a command raises (a busy or unreadable store, a refused
user, a report that cannot be written, ...) into ``Error: <message>`` on standard error and exit
status 1 -- never a traceback. An ``OSError`` about a file the user named (a folder that does
not exist, a file that cannot be written) ends the same way. A command catches an error itself
only to add to it: the problems of an 837P export as a list, the file of a failed import.
"""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import os
from typing import Any

import click
import duckdb

from metdash.errors import MetdashError
from metdash.store import Database, default_db_path

DB_OPTION = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), default=None,
    help="The DuckDB file (default: $METDASH_DB, else data/demo.duckdb).",
)


def date_value(_ctx: Any, param: click.Parameter, value: str | None) -> dt.date | None:
    """A date option's callback: YYYY-MM-DD, or None when the option was not given."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD.",
                                 param=param) from exc


def as_of_value(ctx: Any, param: click.Parameter, value: str | None) -> dt.date | None:
    """An --as-of option's callback: a date (:func:`date_value`) no later than today. A day
    that has not come has no balances and no money posted yet (a new-user trial: a year typed
    wrong priced waiting up to 2027 and forecast weeks of $0 from 2030, without a word)."""
    day = date_value(ctx, param, value)
    today = dt.date.today()
    if day is not None and day > today:
        raise click.BadParameter(
            f"{day} is after today ({today}): nothing is known yet about a day that has not "
            "come. Leave --as-of out for today, or give a past day.", param=param)
    return day


def cli_user() -> str:
    """The user name every command records in the audit log: $USER, else the system's login
    name, else 'cli' (one rule: with $USER unset, imports named 'root' and 'cli' apart)."""
    name = os.environ.get("USER", "").strip()
    if not name:
        try:
            name = getpass.getuser().strip()
        except Exception:  # no user database entry (some containers)
            name = ""
    return name or "cli"


def open_db(db_path: str | None) -> Database:
    """The Database named on the command line (or by the environment)."""
    return Database(db_path or default_db_path())


def progress(message: str) -> None:
    """Say what a command that takes seconds is doing, on a terminal only (standard error,
    so a pipe or a script reading the output sees only the result)."""
    stream = click.get_text_stream("stderr")
    if stream.isatty():
        click.echo(f"{message}", err=True)


def os_error_message(exc: OSError) -> str:
    """One line for a file the system refused: ``<file>: <reason>.``"""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}." if exc.filename else f"{reason}."


class MetdashGroup(click.Group):
    """A click group whose commands end a ``MetdashError`` or an ``OSError`` as one line on
    standard error and exit status 1 (click's ``ClickException``)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MetdashError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # output piped into `head`: click ends it quietly
                raise
            raise click.ClickException(os_error_message(exc)) from exc
        except duckdb.Error as exc:
            # One the store did not foresee (a new-user trial met "FATAL Error: Failed to
            # create checkpoint" as a traceback): said in a line, with what to do.
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise click.ClickException(
                f"The database stopped this command: {first.rstrip('.')}. The file holds what the last "
                "finished command left in it (a command's writes are kept whole or not at "
                "all). Run it again; if this repeats, check that no other program has the "
                "file open, and keep the file as it is.") from exc


@click.group(cls=MetdashGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="metdash")
def main() -> None:
    """metdash: the revenue-cycle dashboard for medical exercise and therapy practices."""
