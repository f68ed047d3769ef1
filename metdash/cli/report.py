"""``metdash report weekly``: the weekly referral review as a one-page PDF or a CSV."""

from __future__ import annotations

import datetime as dt

import click

from metdash.cli.app import DB_OPTION, main, open_db, progress
from metdash.privacy import present_by_default
from metdash.weekly import weekly_review


@main.group("report")
def report_group() -> None:
    """Printable reports for the practice's meetings."""


@report_group.command("weekly")
@DB_OPTION
@click.option("--week", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Any day of the week to review, YYYY-MM-DD (default: the last full "
                   "week, Monday to Sunday, before today).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The file to write: FILE.pdf (one page with charts) or FILE.csv.")
@click.option("--present", is_flag=True, default=None,
              help="Mask client names, birth dates and member ids (default: on when "
                   "METDASH_PRESENT=1).")
@click.option("--no-charts", is_flag=True,
              help="Leave the charts out of the PDF (no browser needed).")
def weekly_cmd(db_path: str | None, week: dt.datetime | None, out: str,
               present: bool | None, no_charts: bool) -> None:
    """Write the weekly referral-network review: referrals per referrer against their
    4- and 12-week averages, top movers, new and lapsed referrers, conversion, what each
    referrer's clients brought in, per kind of referrer."""
    # Deferred: the PDF needs fpdf2, plotly and kaleido (a third of a second to load).
    from metdash.report import practice_heading, write_weekly

    if not out.lower().endswith((".pdf", ".csv")):
        raise click.ClickException(f"{out}: the file name must end in .pdf or .csv.")
    db = open_db(db_path)
    mask = present_by_default() if present is None else present
    progress("Reading the week's referrals, sessions and payments…")
    review = weekly_review(db, week.date() if week else None)
    name, demo = practice_heading(db)
    progress(f"Writing {out}" + (" (drawing the charts takes a few seconds)…"
                                 if out.lower().endswith(".pdf") and not no_charts else "…"))
    path = write_weekly(review, out, practice=name, is_demo=demo, present=mask,
                        charts=not no_charts)
    s = review.summary
    click.echo(f"{path}: {review.label}: {s['week_referrals']} referrals "
               f"(4-week average {s['avg_4w']:.1f}), {s['new_referrers']} new and "
               f"{s['lapsed_referrers']} lapsed referrers.")
