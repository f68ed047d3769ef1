"""Promise: `metdash backup` / `metdash restore` give back every table exactly; automatic
backups are taken before migrations and before imports that write, and only the newest N of
each kind are kept (a run of imports never rotates a manual backup away); a backup, and a
restore's source, is read back whole before it counts; backups are readable by their owner
only."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from metdash import entry as e
from metdash.cli import main
from metdash.errors import BackupError
from metdash.store import Database
from metdash.store import backup as bk

from .conftest import assert_same, snapshot

ERA = Path(__file__).parents[1] / "x12" / "fixtures" / "era_basic.835"


def test_backup_then_restore_gives_back_every_table(practice, tmp_path):
    before = snapshot(practice)
    runner = CliRunner()
    out = runner.invoke(main, ["backup", "--db", str(practice.path), "--out",
                               str(tmp_path / "bk")])
    assert out.exit_code == 0, out.output
    [copy] = bk.list_backups(practice.path, tmp_path / "bk")
    assert copy.name.startswith("practice-") and copy.name.endswith("-manual.duckdb")
    # An afternoon of work after the backup ...
    e.save_client(practice, e.ClientIn("LATE1", "After", "Backup", "1970-01-01"), "olive")
    with practice.transaction() as con:
        con.execute("DELETE FROM claim_status_history")
    assert snapshot(practice) != before
    # ... is undone by the restore, which refuses to overwrite without --force.
    refused = runner.invoke(main, ["restore", "--db", str(practice.path), "--from", str(copy)])
    assert refused.exit_code == 1 and "--force" in refused.output
    done = runner.invoke(main, ["restore", "--db", str(practice.path), "--from", str(copy),
                                "--force"])
    assert done.exit_code == 0, done.output
    assert_same(before, snapshot(Database(practice.path)))
    # The replaced file was saved first (the restore can itself be undone).
    undo = [p for p in bk.list_backups(practice.path, tmp_path / "backups")
            if p.name.endswith("-before-restore.duckdb")]
    assert len(undo) == 1
    assert Database(undo[0]).scalar("SELECT count(*) FROM clients WHERE client_id = 'LATE1'") == 1


def test_restore_into_a_new_path_and_bad_sources(practice, tmp_path):
    copy = bk.backup(practice, tmp_path / "bk")
    target = tmp_path / "new" / "restored.duckdb"
    assert bk.restore(target, copy) is None
    assert_same(snapshot(practice), snapshot(Database(target)))
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database")
    with pytest.raises(BackupError, match="cannot be opened as a metdash store"):
        bk.restore(tmp_path / "other.duckdb", junk)
    with pytest.raises(BackupError, match="no backup file"):
        bk.restore(tmp_path / "other.duckdb", tmp_path / "missing.duckdb")
    assert not (tmp_path / "other.duckdb").exists()


def test_only_the_newest_n_are_kept(practice, tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_BACKUP_KEEP", "3")
    made = [bk.backup(practice, tmp_path / "bk") for _ in range(5)]
    assert bk.list_backups(practice.path, tmp_path / "bk") == made[-3:]
    bk.backup(practice, tmp_path / "bk", keep=1)
    assert len(bk.list_backups(practice.path, tmp_path / "bk")) == 1


def test_automatic_backup_before_a_migration(practice, tmp_path):
    # Make the file look like one written before migration 0002 (users) existed.
    con = duckdb.connect(str(practice.path))
    con.execute("DROP TABLE users")
    con.execute("DELETE FROM schema_migrations WHERE version = 2")
    con.close()
    clients = Database(practice.path).scalar("SELECT count(*) FROM clients")  # migrates
    [copy] = bk.list_backups(practice.path, tmp_path / "backups")
    assert copy.name.endswith("-before-migration.duckdb")
    old = duckdb.connect(str(copy), read_only=True)
    assert old.execute("SELECT count(*) FROM schema_migrations WHERE version = 2"
                       ).fetchone()[0] == 0  # the copy is from before the migration
    assert old.execute("SELECT count(*) FROM clients").fetchone()[0] == clients
    old.close()
    # A new file, or one already up to date, is not backed up.
    Database(tmp_path / "fresh.duckdb").scalar("SELECT 1")
    Database(practice.path).scalar("SELECT 1")
    assert len(bk.list_backups(practice.path, tmp_path / "backups")) == 1
    assert not (tmp_path / "backups" / "fresh").exists()


def test_automatic_backup_before_an_import_that_writes_only(practice, tmp_path):
    backups = tmp_path / "backups"
    runner = CliRunner()
    # Refused before anything is written: a sheet with no rows, an 835 that does not parse.
    sheet = tmp_path / "empty.csv"
    sheet.write_text("claim_id\n")
    result = runner.invoke(main, ["import-claims", "--db", str(practice.path), str(sheet)])
    assert result.exit_code == 1
    bad = tmp_path / "bad.835"
    bad.write_text("ISA*nonsense~")
    result = runner.invoke(main, ["import-835", "--db", str(practice.path), str(bad)])
    assert result.exit_code == 1
    assert bk.list_backups(practice.path, backups) == []
    # A file that writes: one backup, taken before it. (An 835 posts only when it pays the
    # practice: the file's payee is this practice.)
    with practice.transaction() as con:
        con.execute("UPDATE practice SET billing_npi = '1234567893'")
    remittances = practice.scalar("SELECT count(*) FROM remittances")
    result = runner.invoke(main, ["import-835", "--db", str(practice.path), str(ERA)])
    assert result.exit_code == 0, result.output
    assert practice.scalar("SELECT count(*) FROM remittances") == remittances + 1
    [copy] = bk.list_backups(practice.path, backups)
    assert copy.name.endswith("-before-import.duckdb")
    old = duckdb.connect(str(copy), read_only=True)
    assert old.execute("SELECT count(*) FROM remittances").fetchone()[0] == remittances
    old.close()
    # The same file again is already there: nothing to write, no backup.
    result = runner.invoke(main, ["import-835", "--db", str(practice.path), str(ERA)])
    assert result.exit_code == 0, result.output
    assert len(bk.list_backups(practice.path, backups)) == 1


def test_imports_never_rotate_the_manual_backup_away(practice, tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_BACKUP_KEEP", "3")
    backups = tmp_path / "backups"
    result = CliRunner().invoke(main, ["backup", "--db", str(practice.path)])
    assert result.exit_code == 0, result.output
    [manual] = bk.list_backups(practice.path, backups)
    for _ in range(5):  # five imports that wrote
        bk.settle_import(practice, bk.before_import(practice), wrote=True)
    assert manual.exists()
    assert bk.list_backups(practice.path, backups, "manual") == [manual]
    assert len(bk.list_backups(practice.path, backups, "before-import")) == 3
    # Each kind keeps its own newest N; --keep rotates only the manual ones.
    result = CliRunner().invoke(main, ["backup", "--db", str(practice.path), "--keep", "1"])
    assert result.exit_code == 0, result.output
    assert not manual.exists() and len(bk.list_backups(practice.path, backups, "manual")) == 1
    assert len(bk.list_backups(practice.path, backups, "before-import")) == 3


def _damage(path, how: str) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        if how == "truncated":
            fh.truncate(size // 2 // 4096 * 4096)
        else:  # the second half overwritten with zeros, the length kept
            fh.seek(size // 2)
            fh.write(bytes(size - size // 2))


@pytest.mark.parametrize("how", ["truncated", "zeroed"])
def test_a_damaged_store_gives_no_backup(practice, tmp_path, how):
    practice.release()
    _damage(practice.path, how)
    out = tmp_path / "bk"
    result = CliRunner().invoke(main, ["backup", "--db", str(practice.path), "--out", str(out)])
    assert result.exit_code == 1, result.output
    # Found when it opens (the damage hit the store's catalog: where it lies depends on the
    # schema) or when the copy is read back: either way one line, and no backup.
    assert ("No backup was written" in result.output
            or ("Cannot open the database" in result.output and "damaged" in result.output)), \
        result.output
    assert "backup written:" not in result.output.lower()
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    assert list(out.iterdir()) == [] if out.exists() else True  # no copy, no .part left


@pytest.mark.parametrize("how", ["truncated", "zeroed"])
def test_restore_refuses_a_damaged_backup(practice, tmp_path, how):
    copy = bk.backup(practice, tmp_path / "bk")
    _damage(copy, how)
    before = snapshot(practice)
    result = CliRunner().invoke(main, ["restore", "--db", str(practice.path), "--from",
                                       str(copy), "--force"])
    assert result.exit_code == 1, result.output
    assert "Nothing was restored" in result.output and "Traceback" not in result.output
    assert_same(before, snapshot(Database(practice.path)))
    assert bk.list_backups(practice.path, tmp_path / "backups") == []  # not even begun


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_store_its_log_and_its_backups_are_private(tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_BACKUP_DIR", str(tmp_path / "backups"))
    old = os.umask(0o022)  # the usual umask: files would be world-readable (0644)
    try:
        db = Database(tmp_path / "new.duckdb")
        db.scalar("SELECT 1")  # created, with the schema
        assert stat.S_IMODE(db.path.stat().st_mode) == 0o600
        with db.transaction() as con:
            con.execute("INSERT INTO clients (client_id, last_name, first_name, dob)"
                        " VALUES ('K9', 'Private', 'Pat', DATE '1970-01-01')")
        wal = db.path.with_name(db.path.name + ".wal")
        assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
        copy = bk.backup(db, reason="manual")
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700  # a folder made for it
        restored = tmp_path / "restored.duckdb"
        bk.restore(restored, copy)
        assert stat.S_IMODE(restored.stat().st_mode) == 0o600
        # A file metdash did not create keeps the mode its owner gave it.
        shared = tmp_path / "shared.duckdb"
        shutil.copy(copy, shared)
        shared.chmod(0o640)
        Database(shared).scalar("SELECT 1")
        assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_backup_dir_and_keep_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("METDASH_BACKUP_DIR", raising=False)
    monkeypatch.delenv("METDASH_BACKUP_KEEP", raising=False)
    assert bk.backup_dir(tmp_path / "data" / "p.duckdb") == tmp_path / "data" / "backups"
    assert bk.keep_default() == 10
    monkeypatch.setenv("METDASH_BACKUP_KEEP", "nonsense")
    assert bk.keep_default() == 10
    assert os.environ["METDASH_BACKUP_KEEP"] == "nonsense"


def test_two_stores_of_one_name_sharing_a_backup_folder_keep_their_own(tmp_path, monkeypatch):
    """Found by the re-probe: a/practice.duckdb and b/practice.duckdb backed up to one
    METDASH_BACKUP_DIR rotated each other's manual backups away."""
    shared = tmp_path / "shared"
    monkeypatch.setenv("METDASH_BACKUP_DIR", str(shared))
    stores = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        db = Database(tmp_path / folder / "practice.duckdb")
        assert db.scalar("SELECT count(*) FROM practice") == 0  # the file, made
        db.release()
        stores.append(db)
    runner = CliRunner()
    for db in stores:
        result = runner.invoke(main, ["backup", "--db", str(db.path), "--keep", "1"])
        assert result.exit_code == 0, result.output
    assert [len(bk.list_backups(db.path, shared)) for db in stores] == [1, 1]
    assert len(list(shared.glob("*.duckdb"))) == 2
