"""``metdash demo``: build (or rebuild) the synthetic demo practice."""

from __future__ import annotations

import datetime as dt

import click

from metdash.cli.app import DB_OPTION, main, open_db
from metdash.demo import default_user, generate


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
              help="Do nothing when the file already holds a practice.")
def demo_cmd(db_path: str | None, seed: int, claim_lines: int | None,
             as_of: dt.datetime | None, if_missing: bool) -> None:
    """Build the synthetic demo practice, replacing every data table in the file.

    Synthetic data only: made-up clients, trainers and referrers.
    """
    db = open_db(db_path)
    if if_missing:
        name = db.scalar("SELECT name FROM practice ORDER BY practice_id LIMIT 1")
        if name is not None:
            click.echo(f"{db.path} already holds a practice ({name}); left untouched.")
            return
    summary = generate(db, seed=seed, claim_lines=claim_lines,
                       as_of=as_of.date() if as_of else None, user=default_user())
    click.echo(f"{db.path}: {summary.line()}")
