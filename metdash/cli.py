"""The ``metdash`` command line. Library errors become one-line messages here, never tracebacks."""

from __future__ import annotations

import sys

import click

from metdash.errors import StoreError
from metdash.store import Database, default_db_path

DB_OPTION = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), default=None,
    help="The DuckDB file (default: $METDASH_DB, else data/demo.duckdb).",
)


def open_db(db_path: str | None) -> Database:
    """The Database named on the command line (or by the environment)."""
    return Database(db_path or default_db_path())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="metdash")
def main() -> None:
    """metdash: the revenue-cycle dashboard for medical exercise and therapy practices."""


@main.command("migrate")
@DB_OPTION
def migrate_cmd(db_path: str | None) -> None:
    """Create the database file if missing and apply pending schema migrations."""
    db = open_db(db_path)
    try:
        with db.connect() as con:
            version = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{db.path}: schema version {version}")


def _register_subcommands() -> None:
    """Commands that live beside the code they drive (each module exposes ``register``)."""
    import importlib

    for module in (
        "metdash.demo_cli",
        "metdash.figures_cli",
        "metdash.entry_cli",
        "metdash.x12.cli",
        "metdash.report_cli",
        "metdash.security_cli",
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        mod.register(main)


_register_subcommands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
