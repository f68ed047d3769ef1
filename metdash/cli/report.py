"""``metdash report weekly``: the weekly referral review as a one-page PDF or a CSV.
``metdash report payer``: one payer's scorecard as a one-page PDF for contract talks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from metdash.cli.app import DB_OPTION, as_of_value, date_value, main, open_db, progress
from metdash.cli.figures import period_of
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


@report_group.command("payer")
@DB_OPTION
@click.option("--payer", "payer", required=True,
              help="The payer's name as in Settings (case does not matter).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The PDF to write (FILE.pdf).")
@click.option("--from", "date_from", callback=date_value,
              help="First service date (YYYY-MM-DD); default: 365 days before --to, or "
                   "without --to the pages' period (as metdash figures): 12 months back from "
                   "today, or from the last service date when the data ends earlier.")
@click.option("--to", "date_to", callback=date_value,
              help="Last service date (YYYY-MM-DD); default: --as-of, else today.")
@click.option("--as-of", "as_of", callback=as_of_value,
              help="Date balances and the waiting are taken at (YYYY-MM-DD), not after today; "
                   "default: today, as the card's other figures read every remittance on file "
                   "(a past period's claims as they stand now). Refused before the last day "
                   "money was posted on the period's claims.")
@click.option("--rate", "rate", default=None,
              help="Yearly rate that prices the money waited for: 0.08, 8 or 8% (default: "
                   "$METDASH_MONEY_RATE, else 8%).")
@click.option("--present", is_flag=True, default=None,
              help="Presentation mode (default: on when METDASH_PRESENT=1). A scorecard "
                   "holds no client details; the flag is marked on the page.")
@click.option("--no-charts", is_flag=True,
              help="Leave the charts out of the PDF (no browser needed).")
def payer_cmd(db_path: str | None, payer: str, out: str, date_from: dt.date | None,
              date_to: dt.date | None, as_of: dt.date | None, rate: str | None,
              present: bool | None, no_charts: bool) -> None:
    """Write one payer's scorecard: allowed and paid per visit and per unit by code against
    the fee schedule and the other payers, days to payment p50 / p90 by quarter, denial and
    first-pass rates, top denial reasons, underpaid lines, share of revenue, and what the
    payer costs you (denied + underpaid + the cost of waiting)."""
    # Deferred: the PDF needs fpdf2, plotly and kaleido (a third of a second to load).
    from metdash.figures import Filters
    from metdash.figures.scorecard import (
        find_payer,
        parse_rate,
        payer_scorecard,
        posted_after_as_of,
    )
    from metdash.payer_report import write_payer_pdf
    from metdash.report import practice_heading

    if not out.lower().endswith(".pdf"):
        raise click.ClickException(f"{out}: the file name must end in .pdf.")
    yearly = parse_rate(rate) if rate is not None else None
    db = open_db(db_path)
    if not db.path.exists():
        raise click.ClickException(f"No database at {db.path}.")
    date_from, date_to = period_of(db, date_from, date_to, as_of)
    # The card reads every remittance on file (each line's latest adjudication): its
    # balances and waiting too, unless a day is asked for. With --to's day, a past period's
    # card was refused whenever a claim of it was paid after its last service date (the
    # common case: a payer pays weeks later).
    as_of = as_of if as_of is not None else dt.date.today()
    _, name = find_payer(db, payer)  # an unknown payer ends here, naming the known ones
    period = Filters(date_from, date_to, as_of)
    later, latest = posted_after_as_of(db, period)
    if later:
        # The card's paid, allowed, denied and underpaid read every remittance on file; only
        # its balance and waiting can be taken on a past day (a new-user trial: paid + owed +
        # contractual + patient came to more than billed). Said, not mixed.
        raise click.BadParameter(
            f"Money was posted after {as_of} on {later} of the claims of "
            f"{date_from:%b %d, %Y} – {date_to:%b %d, %Y}, the latest on {latest}. The "
            "scorecard's paid, allowed, denied and underpaid figures read every remittance "
            "on file, and cannot be taken as they stood on an earlier day: beside balances "
            f"as of {as_of} they would not add up. Give --as-of {latest} or later, or leave "
            "out --as-of (today).", param_hint="'--as-of'")
    mask = present_by_default() if present is None else present
    progress(f"Reading {name}'s claims, remittances and fee schedule "
             f"({date_from:%b %d, %Y} – {date_to:%b %d, %Y})…")
    card = payer_scorecard(db, period, name, yearly)
    practice, demo = practice_heading(db)
    replaced = Path(out).exists()
    path = write_payer_pdf(card, out, practice=practice, is_demo=demo, present=mask,
                           charts=not no_charts, progress=progress)
    f = card.figures
    if card.has_claims:
        click.echo(f"{path}{' (replaced)' if replaced else ''}: {name}: {f['claims']:,} "
                   f"claims, paid ${float(f['paid']):,.2f}; "
                   f"costs you ${f['payer_cost']:,.2f} (denied and not overturned "
                   f"${f['denied_standing']:,.2f} of ${f['denied_amount']:,.2f} denied, "
                   f"underpaid ${f['underpaid_amount']:,.2f}, waiting "
                   f"${f['waiting_cost']:,.2f}).")
    else:
        click.echo(f"{path}{' (replaced)' if replaced else ''}: {name} had no claims with "
                   "service dates in the period.")
