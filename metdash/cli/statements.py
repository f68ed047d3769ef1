"""``metdash statements``: patient statements as PDFs, one per client who owes money."""

from __future__ import annotations

import datetime as dt

import click

from metdash.cli.app import DB_OPTION, main, open_db
from metdash.privacy import present_by_default


@main.command("statements")
@DB_OPTION
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The statement date, YYYY-MM-DD: balances as of that day (default: today).")
@click.option("--out", "out", required=True, type=click.Path(),
              help="The folder to write the PDFs into (made when missing; a file is refused).")
@click.option("--client", "client_id", default=None,
              help="Only this client's statement (their chart number), whatever its balance.")
@click.option("--present", is_flag=True, default=None,
              help="Mask client names and addresses (default: on when METDASH_PRESENT=1).")
@click.option("--paper", type=click.Choice(["letter", "a4"], case_sensitive=False),
              default="letter", show_default=True, help="The paper size.")
def statements_cmd(db_path: str | None, as_of: dt.datetime | None, out: str,
                   client_id: str | None, present: bool | None, paper: str) -> None:
    """Write patient statements: a PDF for every client who owes money on the statement
    date (services, what insurance paid, what the client owes, how to pay). A client with a
    credit gets no bill; the summary names them. One line per file, then the total."""
    # Deferred: the PDF needs fpdf2 and metdash.report (its fonts), which loads plotly.
    from metdash.statements import dollars, statements_for_all

    day = as_of.date() if as_of else dt.date.today()
    if day > dt.date.today():
        # Found by a new-user trial: a future date printed today's balances under that date.
        raise click.BadParameter(
            f"{day} is in the future: a statement shows what a client owes on a day that has "
            "come; use today (the default) or an earlier date.", param_hint="--as-of")
    mask = present_by_default() if present is None else present
    err = click.get_text_stream("stderr")
    show_progress = err.isatty()

    def progress(i: int, n: int, cid: str) -> None:
        if show_progress:
            click.echo(f"\rstatement {i}/{n} ({cid}) ...", nl=False, err=True)

    summary = statements_for_all(open_db(db_path), day, out, mask, client_id=client_id,
                                 paper=paper.lower(), progress=progress)
    if show_progress and summary.written:
        click.echo("\r" + " " * 40 + "\r", nl=False, err=True)
    for w in summary.written:
        owed = (f"{dollars(w.total_due)} due" if w.total_due > 0 else
                f"credit of {dollars(-w.total_due)}, nothing due" if w.total_due < 0 else
                "nothing due")
        click.echo(f"{w.path}: account {w.client_id}, {w.services} "
                   f"service{'s' if w.services != 1 else ''}, {owed}")
    for line in summary.closing_lines():
        click.echo(line)
