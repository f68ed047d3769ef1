"""X12 files: ``metdash import-835``, ``metdash export-837`` and ``metdash payer-name``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from metdash.cli.app import DB_OPTION, cli_user, main, open_db, progress
from metdash.entry.authorization import authorization_export_warnings
from metdash.errors import X12ExportError, masked_text
from metdash.privacy import present_by_default
from metdash.store import write_private
from metdash.store.backup import before_import
from metdash.x12.post835 import import_835
from metdash.x12.write837 import write_837p


@main.command("import-835")
@DB_OPTION
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as JSON (files, payments, claims, matched, "
                   "unmatched, paid, already_imported, errors).")
def import_835_cmd(db_path: str | None, files: tuple[str, ...], as_json: bool) -> None:
    """Import 835 remittance (ERA) files. Each file is imported whole or not at all;
    a payment already imported changes nothing. Exit status 1 if any file was refused.
    A backup of the database is taken just before the first file that writes."""
    db = open_db(db_path)
    progress(f"Posting {len(files)} file(s) (each whole or not at all)…")
    # The backup comes just before the first file that writes (none when all are refused).
    summary = import_835(db, [Path(f) for f in files], cli_user(),
                         before_write=lambda: before_import(db))
    if present_by_default():  # METDASH_PRESENT=1: a refusal naming a client is masked
        summary.errors = [masked_text(m) for m in summary.errors]
    if as_json:
        click.echo(summary.to_json())
        for note in summary.notes:  # for a person; the JSON keeps its keys
            click.echo(note, err=True)
    else:
        for r in summary.results:
            if r.outcome == "refused":
                continue
            click.echo(f"{r.file}: {r.payments} payment(s) imported, "
                       f"{r.already_imported} already imported; {r.claims} claim(s), "
                       f"{r.matched} matched, {r.unmatched} unmatched; paid {r.paid:.2f}")
        for note in summary.notes:
            click.echo(note)
        for msg in summary.errors:
            click.echo(msg, err=True)
        click.echo(f"{summary.files} file(s): {summary.payments} payment(s) imported, "
                   f"{summary.already_imported} already imported, "
                   f"{len([r for r in summary.results if r.outcome == 'refused'])} refused.")
    if not summary.ok:
        raise SystemExit(1)


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)  # also through a link
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _check_out(db_path: Path, out: Path, force: bool) -> None:
    """Refuse an --out that would lose data, before anything is exported: the store (or its
    log), a folder that does not exist, or an existing file without --force."""
    store_files = (db_path, db_path.with_name(db_path.name + ".wal"))
    if any(_same_file(out, f) for f in store_files):
        raise click.ClickException(
            f"{out} is the database itself: nothing was exported. Name a new file for the "
            "837P with --out.")
    if not out.parent.is_dir():
        raise click.ClickException(
            f"Cannot write {out}: there is no folder {out.parent}. Nothing was exported; the "
            "claims stay as they were.")
    if out.exists() and not force:
        raise click.ClickException(
            f"{out} exists: nothing was exported. Name a new file with --out, or add --force "
            "to replace it.")


@main.command("export-837")
@DB_OPTION
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The 837P file to write (a new file, unless --force).")
@click.option("--claim", "claims", multiple=True,
              help="A claim id to export (repeatable). Default: every claim that is ready.")
@click.option("--force", is_flag=True, help="Replace the file at --out if there is one.")
def export_837_cmd(db_path: str | None, out: str, claims: tuple[str, ...], force: bool) -> None:
    """Write an 837P (005010X222A1) claim file; the exported claims become submitted.

    The claims become submitted only once the file is written (readable by its owner only):
    if it cannot be written, nothing changes.
    """
    db = open_db(db_path)
    target = Path(out)
    _check_out(db.path, target, force)
    written = False

    def deliver(text: str) -> None:
        # Inside the export's transaction: a temporary file, fsynced, renamed onto --out;
        # the claims are committed as submitted only after this returns.
        nonlocal written
        write_private(target, text.encode("ascii", errors="replace"))
        written = True

    with db.connect() as con:  # claims going without the prior authorization their payer needs
        unauthorized = authorization_export_warnings(con, list(claims) or [
            cid for (cid,) in con.execute(
                "SELECT claim_id FROM claims WHERE status = 'ready'").fetchall()])
    try:
        text = write_837p(db, list(claims) or None, user=cli_user(), deliver=deliver)
    except X12ExportError as exc:  # every problem on its own line, so all are fixed at once
        raise click.ClickException("Nothing was exported. Please fix:\n" + "\n".join(
            f"- {p}" for p in exc.problems)) from exc
    except BaseException:
        if written:  # the commit failed after the file was written: it must not be sent
            target.unlink(missing_ok=True)
        raise
    n = text.count("\nCLM*") + text.startswith("CLM*")
    click.echo(f"{out}: {n} claim(s) written.")
    for said in unauthorized:
        click.echo(f"Warning: {said}", err=True)


@main.command("payer-name")
@DB_OPTION
@click.option("--payer", "payer", required=True,
              help="The payer on file, by its name as in Settings (case does not matter).")
@click.argument("name")
def payer_name_cmd(db_path: str | None, payer: str, name: str) -> None:
    """Keep NAME as another name or id of a payer's 835s (its N1*PR name, or its REF*2U,
    N104 or TRN03 id), so its remittances import. An 835 refused as coming from "a payer
    not on file under that name or id" names them. Then import the file again."""
    from metdash.entry.payer_names import add_remittance_name
    from metdash.figures.scorecard import find_payer

    db = open_db(db_path)
    payer_id, payer_name = find_payer(db, payer)  # an unknown payer ends here, naming them
    kept = add_remittance_name(db, payer_id, name, cli_user())
    click.echo(f"{kept!r} is kept as a name of {payer_name}'s 835s: import the file again.")
