"""``metdash figures``: the dashboard's figures for scripts, accountants and cron jobs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from metdash.cli.app import DB_OPTION, as_of_value, date_value, main, open_db
from metdash.figures import Filters, default_period, figures_report, report_csv


def period_of(db: Any, date_from: dt.date | None, date_to: dt.date | None,
              as_of: dt.date | None) -> tuple[dt.date, dt.date]:
    """The service dates a command reads, as the pages do (``metdash figures``, ``metdash
    report payer``: the same PDF from the page and from the command line)."""
    if date_to is None and as_of is not None:
        # "As of June 30" ends the period there too (found by a new-user trial: payments were
        # counted up to today while the balances were June 30's).
        date_to = as_of
    told_to = date_to is not None
    if date_from is None and date_to is None:  # the pages' own period (metdash.figures)
        date_from, date_to = default_period(
            db.scalar("SELECT max(first_service_date) FROM claims"), dt.date.today())
    date_to = date_to or dt.date.today()
    date_from = date_from or (date_to - dt.timedelta(days=364))
    if date_from > date_to:
        raise click.BadParameter(f"--from {date_from} is after --to {date_to}" + (
            "" if told_to else " (--to not given: today, or --as-of)") + ".")
    return date_from, date_to


def balances_day(date_to: dt.date, as_of: dt.date | None) -> dt.date:
    """The day balances are taken on: ``as_of`` when given, else ``date_to`` -- or today, when
    ``date_to`` is later (a day that has not come has no balances yet)."""
    return as_of if as_of is not None else min(date_to, dt.date.today())


@main.command("figures")
@DB_OPTION
@click.option("--from", "date_from", callback=date_value,
              help="First service date (YYYY-MM-DD); default: 365 days before --to, or "
                   "without --to the pages' period: 12 months back from today, or from the "
                   "last service date when the data ends earlier.")
@click.option("--to", "date_to", callback=date_value,
              help="Last service date (YYYY-MM-DD); default: --as-of, else today.")
@click.option("--as-of", "as_of", callback=as_of_value,
              help="Date balances are taken at (YYYY-MM-DD), not after today; default: --to, "
                   "or today when --to is later.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
def figures_cmd(db_path: str | None, date_from: dt.date | None, date_to: dt.date | None,
                as_of: dt.date | None, fmt: str) -> None:
    """Print the dashboard's figures (the same numbers the pages show)."""
    db = open_db(db_path)
    if not db.path.exists():
        raise click.ClickException(f"No database at {db.path}.")
    date_from, date_to = period_of(db, date_from, date_to, as_of)
    report = figures_report(db, Filters(date_from, date_to, balances_day(date_to, as_of)))
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(report_csv(report), nl=False)
