"""``metdash import-835`` and ``export-837``: JSON summary keys, exit status, export file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from metdash.cli import main
from metdash.x12.validate import pyx12_validate
from tests.x12.helpers import Claim, build_835

FIXTURE = Path(__file__).parents[1] / "x12" / "fixtures" / "era_basic.835"


def test_import_835_json_and_exit_status(seeded, tmp_path):
    bad = tmp_path / "bad.835"
    bad.write_text(build_835([Claim("C1", "1", "100", "70", cas=[("CO", "45", "20")])]))
    runner = CliRunner()
    r = runner.invoke(main, ["import-835", "--db", str(seeded.path), str(FIXTURE), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert list(out) == ["files", "payments", "claims", "matched", "unmatched", "paid",
                         "already_imported", "errors"]
    assert out["paid"] == 226.5 and out["matched"] == 1
    r = runner.invoke(main, ["import-835", "--db", str(seeded.path), str(FIXTURE), str(bad),
                             "--json"])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out["already_imported"] == 1 and out["payments"] == 0
    assert out["errors"] == ["bad.835, segment 13 (CLP): claim C1 does not balance: charge 100 "
                             "− adjustments 20 = 80, but paid is 70. Nothing was imported."]


def test_import_835_text_output(seeded):
    r = CliRunner().invoke(main, ["import-835", "--db", str(seeded.path), str(FIXTURE)])
    assert r.exit_code == 0
    assert "era_basic.835: 1 payment(s) imported" in r.output


def test_import_835_says_when_a_recoupment_names_no_claim(seeded, tmp_path):
    """The deposit is $10 short of what the claims paid, and no claim's payment is reduced:
    a biller is told so (a new-user trial found it silent), on standard output in text and
    on standard error beside --json (whose keys stay the issue's)."""
    era = tmp_path / "wo.835"
    era.write_text(build_835([Claim("X9", "1", "50", "50")], trace="WO1",
                             plb=[("WO", "10", "UNKNOWN99")]))
    r = CliRunner().invoke(main, ["import-835", "--db", str(seeded.path), str(era)])
    assert r.exit_code == 0, r.output
    assert "wo.835: the recoupment PLB WO UNKNOWN99 of $10.00 names no claim of ours" in r.stdout


def test_export_837(seeded, tmp_path):
    out = tmp_path / "claims.837"
    r = CliRunner().invoke(main, ["export-837", "--db", str(seeded.path), "--out", str(out),
                                  "--claim", "C000102"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == f"{out}: 1 claim(s) written."
    assert pyx12_validate(out.read_text()) == []
    r = CliRunner().invoke(main, ["export-837", "--db", str(seeded.path), "--out",
                                  str(tmp_path / "draft.837"), "--claim", "C000103"])
    assert r.exit_code == 1
    assert "Nothing was exported" in r.output and "Claim C000103 is draft" in r.output
    assert "Traceback" not in r.output


def _state(db) -> tuple:
    """What an export changes: the claims' statuses and the control numbers."""
    return (db.query("SELECT claim_id, status FROM claims ORDER BY 1").values.tolist(),
            db.query("SELECT * FROM x12_control ORDER BY 1").values.tolist(),
            db.scalar("SELECT count(*) FROM claim_status_history"))


def _export(db, out, *more: str):
    return CliRunner().invoke(main, ["export-837", "--db", str(db.path), "--out", str(out),
                                     *more])


def test_export_837_into_a_missing_folder_changes_nothing(seeded, tmp_path):
    before = _state(seeded)
    r = _export(seeded, tmp_path / "absent" / "claims.837")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "there is no folder" in r.output and "Nothing was exported" in r.output
    assert _state(seeded) == before  # the claims are still ready: they will be sent


def test_export_837_never_writes_over_the_store(seeded):
    seeded.release()
    store = seeded.path.read_bytes()
    for extra in ((), ("--force",)):
        r = _export(seeded, seeded.path, *extra)
        assert r.exit_code == 1 and "is the database itself" in r.output
    assert seeded.path.read_bytes() == store


def test_export_837_replaces_an_existing_file_only_with_force(seeded, tmp_path):
    out = tmp_path / "claims.837"
    out.write_text("last week's claims")
    before = _state(seeded)
    r = _export(seeded, out)
    assert r.exit_code == 1 and "exists" in r.output and "--force" in r.output
    assert out.read_text() == "last week's claims" and _state(seeded) == before
    r = _export(seeded, out, "--force")
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("ISA*")
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'submitted'") == 2


def test_export_837_commits_only_once_the_file_is_written(seeded, tmp_path, monkeypatch):
    import metdash.cli.x12 as cli_x12
    import metdash.store.db as store_db

    before = _state(seeded)

    def disk_full(path, data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(cli_x12, "write_private", disk_full)
    r = _export(seeded, tmp_path / "claims.837")
    assert r.exit_code == 1 and "No space left on device" in r.output
    assert _state(seeded) == before and not (tmp_path / "claims.837").exists()
    monkeypatch.undo()

    # Written, but the commit fails after it: the file goes (it must not be sent), the
    # claims stay ready.
    def commit_fails() -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(store_db, "_test_pause_in_transaction", commit_fails)
    r = _export(seeded, tmp_path / "claims.837")
    assert r.exit_code != 0
    assert not (tmp_path / "claims.837").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    monkeypatch.undo()
    assert _state(seeded) == before


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_export_837_is_readable_by_its_owner_only(seeded, tmp_path):
    old = os.umask(0o022)
    try:
        r = _export(seeded, tmp_path / "claims.837")
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE((tmp_path / "claims.837").stat().st_mode) == 0o600


def test_commands_have_help():
    for cmd in ("import-835", "export-837"):
        r = CliRunner().invoke(main, [cmd, "--help"])
        assert r.exit_code == 0 and len(r.output) > 100


def test_payer_name_keeps_an_835_name_for_a_payer(seeded):
    runner = CliRunner()
    r = runner.invoke(main, ["payer-name", "--db", str(seeded.path), "--payer", "acme health",
                             "Noridian JF Part B"])
    assert r.exit_code == 0, r.output
    assert r.output == ("'NORIDIAN JF PART B' is kept as a name of Acme Health's 835s: import "
                        "the file again.\n")
    # Again: refused in one line, nothing doubled.
    r = runner.invoke(main, ["payer-name", "--db", str(seeded.path), "--payer", "Acme Health",
                             "NORIDIAN JF PART B"])
    assert r.exit_code == 1 and "is kept already, for Acme Health." in r.output
    r = runner.invoke(main, ["payer-name", "--db", str(seeded.path), "--payer", "Nobody",
                             "X"])
    assert r.exit_code == 1 and "No payer is called 'Nobody'" in r.output
