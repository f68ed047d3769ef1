"""X12 files: ``metdash import-835`` and ``metdash export-837``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from metdash.cli.app import DB_OPTION, main, open_db
from metdash.errors import X12ExportError
from metdash.store.backup import auto_backup
from metdash.x12.post835 import import_835
from metdash.x12.write837 import write_837p


def _user() -> str:
    """The user name recorded for writes from the command line: $USER, else 'cli'."""
    return os.environ.get("USER") or "cli"


@main.command("import-835")
@DB_OPTION
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as JSON (files, payments, claims, matched, "
                   "unmatched, paid, already_imported, errors).")
def import_835_cmd(db_path: str | None, files: tuple[str, ...], as_json: bool) -> None:
    """Import 835 remittance (ERA) files. Each file is imported whole or not at all;
    a payment already imported changes nothing. Exit status 1 if any file was refused."""
    db = open_db(db_path)
    auto_backup(db, "before-import")
    summary = import_835(db, [Path(f) for f in files], _user())
    if as_json:
        click.echo(summary.to_json())
    else:
        for r in summary.results:
            if r.outcome == "refused":
                continue
            click.echo(f"{r.file}: {r.payments} payment(s) imported, "
                       f"{r.already_imported} already imported; {r.claims} claim(s), "
                       f"{r.matched} matched, {r.unmatched} unmatched; paid {r.paid:.2f}")
        for msg in summary.errors:
            click.echo(msg, err=True)
        click.echo(f"{summary.files} file(s): {summary.payments} payment(s) imported, "
                   f"{summary.already_imported} already imported, "
                   f"{len([r for r in summary.results if r.outcome == 'refused'])} refused.")
    if not summary.ok:
        raise SystemExit(1)


@main.command("export-837")
@DB_OPTION
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The 837P file to write.")
@click.option("--claim", "claims", multiple=True,
              help="A claim id to export (repeatable). Default: every claim that is ready.")
def export_837_cmd(db_path: str | None, out: str, claims: tuple[str, ...]) -> None:
    """Write an 837P (005010X222A1) claim file; the exported claims become submitted."""
    db = open_db(db_path)
    try:
        text = write_837p(db, list(claims) or None, user=_user())
    except X12ExportError as exc:  # every problem on its own line, so all are fixed at once
        raise click.ClickException("Nothing was exported. Please fix:\n" + "\n".join(
            f"- {p}" for p in exc.problems)) from exc
    Path(out).write_text(text, encoding="ascii", errors="replace")
    n = text.count("\nCLM*") + text.startswith("CLM*")
    click.echo(f"{out}: {n} claim(s) written.")
