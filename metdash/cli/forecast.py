"""``metdash forecast``: the cash forecast for the coming weeks, for scripts and spreadsheets."""

from __future__ import annotations

import datetime as dt
import json

import click

from metdash.cli.app import DB_OPTION, as_of_value, main, open_db
from metdash.forecast import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    MIN_WEEKS,
    cash_outlook,
    first_service_day,
    outlook_csv,
    outlook_report,
)


@main.command("forecast")
@DB_OPTION
@click.option("--weeks", type=click.IntRange(MIN_WEEKS, MAX_WEEKS), default=DEFAULT_WEEKS,
              show_default=True, help="How many coming weeks to forecast (4 to 12).")
@click.option("--as-of", "as_of", callback=as_of_value,
              help="Forecast from what was posted up to this day (YYYY-MM-DD), not after "
                   "today; default: today.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True,
              help="json: the weeks and the backtest's summary; csv: the weeks only (a note on "
                   "the patient payments, if any, on standard error).")
def forecast_cmd(db_path: str | None, weeks: int, as_of: dt.date | None, fmt: str) -> None:
    """Print the expected collections of each coming week with a p10-p90 band (and, in JSON,
    how the forecast did over the last 12 Mondays against the naive forecast)."""
    db = open_db(db_path)
    if not db.path.exists():
        raise click.ClickException(f"No database at {db.path}.")
    day = as_of or dt.date.today()
    report = outlook_report(cash_outlook(db, day, weeks))
    # Weeks of $0 from a day before anything on file are no forecast (a new-user trial: a
    # year typed wrong printed them without a word): said beside them, on standard error.
    first = first_service_day(db)
    if first is None:
        click.echo("Nothing is on file yet (no session or claim), so every week of this "
                   "forecast is $0.", err=True)
    elif day < first:
        click.echo(f"Nothing on file is dated on or before {day} (the first service is on "
                   f"{first}), so every week of this forecast is $0. Give an --as-of on or "
                   f"after {first}, or leave it out for today.", err=True)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(outlook_csv(report), nl=False)
        if report.get("patient_note"):   # the CSV holds the weeks alone: the note beside it
            click.echo(report["patient_note"], err=True)
