"""The store's file: ``metdash migrate``, ``backup``, ``restore`` and ``facts check|rebuild``."""

from __future__ import annotations

import click

from metdash.cli.app import DB_OPTION, main, open_db
from metdash.store import facts
from metdash.store.backup import backup, restore


@main.command("migrate")
@DB_OPTION
def migrate_cmd(db_path: str | None) -> None:
    """Create the database file if missing and apply pending schema migrations."""
    db = open_db(db_path)
    with db.connect() as con:
        version = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    click.echo(f"{db.path}: schema version {version}")


@main.command("backup")
@DB_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="The folder for backups (default: $METDASH_BACKUP_DIR, else backups/ "
                   "beside the database file).")
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="Keep this many newest manual backups of the database in the folder "
                   "(default: $METDASH_BACKUP_KEEP, else 10). The automatic ones (before "
                   "imports, migrations, restores) are counted apart and never push these "
                   "out.")
def backup_cmd(db_path: str | None, out_dir: str | None, keep: int | None) -> None:
    """Write a consistent copy of the database file (safe while the app runs).

    The copy is read back whole before it counts: a damaged database gives an error, not a
    backup. It is readable by its owner only.
    """
    path = backup(open_db(db_path), out_dir, reason="manual", keep=keep)
    click.echo(f"backup written: {path}")


@main.command("restore")
@DB_OPTION
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False),
              help="The backup file to restore (from 'metdash backup').")
@click.option("--force", is_flag=True,
              help="Replace an existing database file (it is backed up first).")
def restore_cmd(db_path: str | None, source: str, force: bool) -> None:
    """Replace the database file with a backup. Stop the dashboard first.

    The backup is read back whole first: a damaged or truncated one is refused, and nothing
    changes.
    """
    target = open_db(db_path).path
    saved = restore(target, source, force=force)
    if saved:
        click.echo(f"the replaced database was saved as {saved}")
    click.echo(f"restored {target} from {source}")


@main.group("facts")
def facts_group() -> None:
    """The per-claim tables the figures read (kept by every write; see metdash.facts)."""


@facts_group.command("check")
@DB_OPTION
def facts_check(db_path: str | None) -> None:
    """Compare the facts tables with a full recomputation; exit 1 when they differ."""
    db = open_db(db_path)
    if not db.path.exists():
        raise click.ClickException(f"No database at {db.path}.")
    with db.connect() as con:
        bad = facts.check(con)
    if bad:
        raise click.ClickException(
            f"{len(bad)} claim(s) differ from their definition, e.g. {', '.join(bad[:5])}. "
            "Run `metdash facts rebuild`, and please report it: a write path missed them.")
    click.echo("The facts tables match their definition.")


@facts_group.command("rebuild")
@DB_OPTION
def facts_rebuild(db_path: str | None) -> None:
    """Recompute the facts tables for every claim (one transaction)."""
    db = open_db(db_path)
    if not db.path.exists():
        raise click.ClickException(f"No database at {db.path}.")
    with db.transaction() as con:
        facts.rebuild(con)
    click.echo("Rebuilt the facts tables.")
