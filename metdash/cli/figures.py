"""``metdash figures``: the dashboard's figures for scripts, accountants and cron jobs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from metdash.cli.app import DB_OPTION, main, open_db
from metdash.figures import Filters, figures_report, report_csv


def _date(_ctx: Any, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD.",
                                 param=param) from exc


@main.command("figures")
@DB_OPTION
@click.option("--from", "date_from", callback=_date,
              help="First service date (YYYY-MM-DD); default: 365 days before --to.")
@click.option("--to", "date_to", callback=_date,
              help="Last service date (YYYY-MM-DD); default: today.")
@click.option("--as-of", "as_of", callback=_date,
              help="Date balances are taken at (YYYY-MM-DD); default: --to.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
def figures_cmd(db_path: str | None, date_from: dt.date | None, date_to: dt.date | None,
                as_of: dt.date | None, fmt: str) -> None:
    """Print the dashboard's figures (the same numbers the pages show)."""
    date_to = date_to or dt.date.today()
    date_from = date_from or (date_to - dt.timedelta(days=364))
    if date_from > date_to:
        raise click.BadParameter("--from is after --to.")
    db = open_db(db_path)
    if not db.path.exists():
        raise click.ClickException(f"No database at {db.path}.")
    report = figures_report(db, Filters(date_from, date_to, as_of))
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(report_csv(report), nl=False)
