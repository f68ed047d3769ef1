"""``metdash import-ack``: the clearinghouse's 999 and the payer's 277CA acknowledgments."""

from __future__ import annotations

from pathlib import Path

import click

from metdash.cli.app import DB_OPTION, cli_user, main, open_db, progress
from metdash.store.backup import before_import
from metdash.x12.post_ack import import_acks


@main.command("import-ack")
@DB_OPTION
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as JSON (files, acknowledgments, already_imported, "
                   "accepted, rejected, other, unmatched, secondary_rejected, errors).")
def import_ack_cmd(db_path: str | None, files: tuple[str, ...], as_json: bool) -> None:
    """Import 999 and 277CA acknowledgment files. A 999 marks every claim of the 837P
    transaction set it answers accepted or rejected; a 277CA each claim it names. Each file
    is imported whole or not at all; an acknowledgment already imported changes nothing.
    Exit status 1 if any file was refused. A backup of the database is taken just before
    the first file that writes. Rejected claims are on the work list "Claims rejected — fix
    and resend"; a rejected secondary claim is back on "Bill the secondary" instead."""
    db = open_db(db_path)
    progress(f"Importing {len(files)} file(s) (each whole or not at all)…")
    summary = import_acks(db, [Path(f) for f in files], cli_user(),
                          before_write=lambda: before_import(db))
    if as_json:
        click.echo(summary.to_json())
    else:
        for r in summary.results:
            if r.outcome == "refused":
                continue
            kinds = ", ".join(dict.fromkeys(r.kinds)) or "none new"
            click.echo(f"{r.file}: {r.acknowledgments} acknowledgment(s) imported ({kinds}), "
                       f"{r.already_imported} already imported; claims {r.accepted} accepted, "
                       f"{r.rejected} rejected, {r.other} other; {r.unmatched} not ours")
        for msg in summary.errors:
            click.echo(msg, err=True)
        secondary = (f" ({summary.secondary_rejected} of them secondary claims, back on "
                     "\"Bill the secondary\")" if summary.secondary_rejected else "")
        click.echo(f"{summary.files} file(s): {summary.acknowledgments} acknowledgment(s) "
                   f"imported, {summary.already_imported} already imported, "
                   f"{summary.refused} refused; {summary.rejected} claim(s) rejected"
                   f"{secondary}.")
    if not summary.ok:
        raise SystemExit(1)
