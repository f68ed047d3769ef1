"""Promise: `metdash backup` / `metdash restore` give back every table exactly; automatic
backups are taken before migrations and imports, and only the newest N are kept."""

from __future__ import annotations

import os

import duckdb
import pytest
from click.testing import CliRunner

from metdash import entry as e
from metdash.cli import main
from metdash.errors import BackupError
from metdash.store import Database
from metdash.store import backup as bk

from .conftest import assert_same, snapshot


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
    with pytest.raises(BackupError, match="not a metdash backup"):
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


def test_automatic_backup_before_an_import(practice, tmp_path):
    sheet = tmp_path / "empty.csv"
    sheet.write_text("claim_id\n")
    result = CliRunner().invoke(main, ["import-claims", "--db", str(practice.path), str(sheet)])
    assert result.exit_code == 1  # a bad file, but the backup came first
    [copy] = bk.list_backups(practice.path, tmp_path / "backups")
    assert copy.name.endswith("-before-import.duckdb")


def test_backup_dir_and_keep_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("METDASH_BACKUP_DIR", raising=False)
    monkeypatch.delenv("METDASH_BACKUP_KEEP", raising=False)
    assert bk.backup_dir(tmp_path / "data" / "p.duckdb") == tmp_path / "data" / "backups"
    assert bk.keep_default() == 10
    monkeypatch.setenv("METDASH_BACKUP_KEEP", "nonsense")
    assert bk.keep_default() == 10
    assert os.environ["METDASH_BACKUP_KEEP"] == "nonsense"
