"""Secondary claims: ``metdash export-837-secondary``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from metdash.cli.app import DB_OPTION, cli_user, main, open_db
from metdash.errors import X12ExportError
from metdash.store import write_private
from metdash.x12.secondary import secondary_claims_to_bill, write_secondary_837p


@main.command("export-837-secondary")
@DB_OPTION
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The 837P file to write (a new file, unless --force).")
@click.option("--claim", "claims", multiple=True,
              help="A claim id to bill to its next payer (repeatable). Default: every claim "
                   "of the 'bill the secondary' work list.")
@click.option("--force", is_flag=True, help="Replace the file at --out if there is one.")
def export_837_secondary_cmd(db_path: str | None, out: str, claims: tuple[str, ...],
                             force: bool) -> None:
    """Write the 837P billing claims to the client's secondary (or tertiary) payer, with the
    earlier payer's adjudication (loops 2320/2330/2430). Each claim is recorded as sent only
    once the file is written (readable by its owner only); a Medicare crossover (CLP02 19) is
    never sent: Medicare forwards it."""
    target = Path(out)
    if not target.parent.is_dir():
        raise click.ClickException(f"Cannot write {target}: there is no folder "
                                   f"{target.parent}. Nothing was exported.")
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists: nothing was exported. Name a new file "
                                   "with --out, or add --force to replace it.")
    db = open_db(db_path)
    if target.resolve() in (db.path.resolve(), Path(str(db.path) + ".wal").resolve()):
        raise click.ClickException(f"{target} is the database itself: nothing was exported.")
    ids = list(claims) or secondary_claims_to_bill(db, dt.date.today()).claim_id.tolist()
    if not ids:
        click.echo("No claim waits for a secondary claim: nothing was written.")
        return
    written = False

    def deliver(text: str) -> None:
        nonlocal written
        write_private(target, text.encode("ascii", errors="replace"))
        written = True

    try:
        write_secondary_837p(db, ids, user=cli_user(), deliver=deliver)
    except X12ExportError as exc:
        raise click.ClickException("Nothing was exported. Please fix:\n" + "\n".join(
            f"- {p}" for p in exc.problems)) from exc
    except BaseException:
        if written:  # the commit failed after the file was written: it must not be sent
            target.unlink(missing_ok=True)
        raise
    click.echo(f"{target}: {len(ids)} secondary claim(s) written.")
