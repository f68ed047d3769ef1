"""``metdash figures``: the dashboard's figures for scripts, accountants and cron jobs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import click
import pandas as pd

from metdash import figures
from metdash.errors import StoreError
from metdash.figures import Filters
from metdash.metrics import CATALOGUE, KPI_NAMES
from metdash.store import Database


def _plain(value: Any, fmt: str | None = None) -> Any:
    """A JSON-ready value: money as a number with 2 decimals, rates 0..1, dates ISO."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, Decimal) or fmt == "money":
        return round(float(value), 2)
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat() if hasattr(value, "date") else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item(), fmt)
    if isinstance(value, float) and fmt == "days":
        return round(value, 1)
    return value


def _rows(df: pd.DataFrame, columns: list[str], formats: dict[str, str]) -> list[dict]:
    return [{c: _plain(row[c], formats.get(c)) for c in columns} for _, row in df.iterrows()]


def figures_report(db: Database, f: Filters) -> dict[str, Any]:
    """Every figure of the dashboard for ``f`` as a JSON-ready dict (the CLI's output)."""
    k = figures.kpis(db, f)
    money = {"billed": "money", "allowed": "money", "paid": "money",
             "patient_responsibility": "money", "balance": "money", "amount": "money"}
    rev = figures.revenue_by_payer(db, f)
    dtp = figures.days_to_payment(db, f)
    aging = figures.ar_aging(db, f)
    reasons = figures.denial_reasons(db, f)
    refs = figures.referrer_volume(db, f)
    return {
        "from": f.date_from.isoformat(), "to": f.date_to.isoformat(),
        "as_of": f.as_of.isoformat(),
        "kpis": {n: _plain(k[n], CATALOGUE[n].format) for n in KPI_NAMES},
        "revenue_by_payer": _rows(rev, ["payer", "claims", "billed", "allowed", "paid",
                                        "patient_responsibility"], money),
        "days_to_payment": _rows(dtp, ["payer", "claims_paid", "median_days", "p90_days"], {}),
        "ar_aging": _rows(aging, ["bucket", "claims", "balance"], money),
        "denial_reasons": _rows(reasons, ["group", "carc", "description", "claims", "lines",
                                          "amount"], money),
        "referrers": _rows(refs, ["npi", "name", "kind", "referrals", "converted", "sessions",
                                  "billed", "paid", "last_referral"], money),
    }


def report_csv(report: dict[str, Any]) -> str:
    """The report as one CSV: section, name, then the row's fields as key=value columns."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "key", "field", "value"])
    for name, value in report["kpis"].items():
        w.writerow(["kpis", name, "value", "" if value is None else value])
    for section in ("revenue_by_payer", "days_to_payment", "ar_aging", "denial_reasons",
                    "referrers"):
        for row in report[section]:
            key_field = next(iter(row))
            key = row[key_field] if section != "denial_reasons" else f"{row['group']}-{row['carc']}"
            for field, value in row.items():
                w.writerow([section, key, field, "" if value is None else value])
    return out.getvalue()


def _date(_ctx: Any, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD.",
                                 param=param) from exc


def register(main: click.Group) -> None:
    from metdash.cli import DB_OPTION, open_db

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
        try:
            report = figures_report(db, Filters(date_from, date_to, as_of))
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
        if fmt == "json":
            click.echo(json.dumps(report, indent=2))
        else:
            click.echo(report_csv(report), nl=False)

    @main.group("facts")
    def facts_group() -> None:
        """The per-claim tables the figures read (kept by every write; see metdash.facts)."""

    @facts_group.command("check")
    @DB_OPTION
    def facts_check(db_path: str | None) -> None:
        """Compare the facts tables with a full recomputation; exit 1 when they differ."""
        from metdash.store import facts

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
        from metdash.store import facts

        db = open_db(db_path)
        if not db.path.exists():
            raise click.ClickException(f"No database at {db.path}.")
        with db.transaction() as con:
            facts.rebuild(con)
        click.echo("Rebuilt the facts tables.")
