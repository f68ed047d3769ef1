"""``metdash demo``: build (or rebuild) the synthetic demo practice."""

from __future__ import annotations

import datetime as dt

import click
import duckdb

from metdash.cli.app import DB_OPTION, cli_user, main, open_db, progress
from metdash.demo import generate, not_the_demo
from metdash.store.backup import backup


@main.command("demo")
@DB_OPTION
@click.option("--seed", type=int, default=7, show_default=True,
              help="Random seed: the same seed and --as-of give the same practice.")
@click.option("--claim-lines", type=click.IntRange(min=100), default=None,
              help="Scale the practice (trainers, clients, years) to about this many "
                   "claim lines. Default: ~3 years of ~6 trainers.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of the practice's history, YYYY-MM-DD (default: today).")
@click.option("--if-missing", is_flag=True,
              help="Do nothing when the file already holds a practice (or anything else).")
@click.option("--force", is_flag=True,
              help="Replace a file that is not the demo (a practice's own file, or a new "
                   "one with users): a backup of it is taken first, and its users and "
                   "audit log do not stay in the demo.")
def demo_cmd(db_path: str | None, seed: int, claim_lines: int | None,
             as_of: dt.datetime | None, if_missing: bool, force: bool) -> None:
    """Build the synthetic demo practice, replacing every data table in the file.

    Synthetic data only: made-up clients, trainers and referrers. Only a file that is
    already the demo, or holds nothing yet, is replaced without --force; the demo opens
    without signing in and its audit log starts empty.
    """
    db = open_db(db_path)
    try:
        with db.connect() as con:
            name = con.execute("SELECT min(name) FROM practice").fetchall()[0][0]
            held = not_the_demo(con)
    except duckdb.Error as exc:  # a damaged file: never replace what cannot be looked at
        raise click.ClickException(
            f"{db.path} cannot be read ({str(exc).splitlines()[0]}): nothing was changed."
        ) from exc
    if if_missing and (name is not None or held is not None):
        what = f"a practice ({name})" if name is not None else held
        click.echo(f"{db.path} already holds {what}; left untouched.")
        return
    if held is not None:
        if not force:
            raise click.ClickException(
                f"{db.path} holds {held}, not the synthetic demo: nothing was changed. "
                "`metdash demo` replaces everything in the file it is given (check --db and "
                "$METDASH_DB); to replace this file anyway, add --force (a backup of it is "
                "taken first).")
        saved = backup(db, reason="before-demo")  # read back whole, or nothing is replaced
        click.echo(f"{db.path} held {held}; it was backed up to {saved}")
    progress(f"Building the synthetic demo practice in {db.path}"
             f"{f' (about {claim_lines:,} claim lines)' if claim_lines else ''}…")
    summary = generate(db, seed=seed, claim_lines=claim_lines,
                       as_of=as_of.date() if as_of else None, user=cli_user(),
                       replace_practice=held is not None)
    click.echo(f"{db.path}: {summary.line()}")
