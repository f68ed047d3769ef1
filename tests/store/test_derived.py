"""Results kept beside the store between processes (metdash.store.derived)."""

from __future__ import annotations

import os
import stat

from metdash.store import Database, derived


def _db(tmp_path, name="practice.duckdb"):
    db = Database(tmp_path / name)
    db.scalar("SELECT 1")  # create and migrate
    return db


def test_kept_under_its_key_only(tmp_path):
    db = _db(tmp_path)
    assert derived.load(db, "risk-model", (3, 7)) is None
    assert derived.save(db, "risk-model", (3, 7), {"weights": [1.5, 2]})
    assert derived.load(db, "risk-model", (3, 7)) == {"weights": [1.5, 2]}
    assert derived.load(db, "risk-model", (3, 8)) is None  # a payment arrived
    assert derived.load(db, "forecast", (3, 7)) is None    # another kind


def test_private_folder_and_files(tmp_path):
    db = _db(tmp_path)
    derived.save(db, "risk-model", (1,), "x")
    place = derived.folder(db.path)
    assert place == tmp_path / "practice.duckdb.derived"
    assert stat.S_IMODE(place.stat().st_mode) == 0o700
    (entry,) = place.iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_another_store_at_the_same_path_does_not_read_them(tmp_path):
    db = _db(tmp_path)
    derived.save(db, "risk-model", (1,), "old practice")
    db.release()
    os.remove(db.path)
    again = _db(tmp_path)  # a new demo written at the same path
    assert derived.load(again, "risk-model", (1,)) is None


def test_an_unreadable_entry_is_dropped(tmp_path):
    db = _db(tmp_path)
    derived.save(db, "risk-model", (1,), "x")
    (entry,) = derived.folder(db.path).iterdir()
    entry.write_bytes(b"\x80\x05not a pickle")
    assert derived.load(db, "risk-model", (1,)) is None
    assert not entry.exists()


def test_newest_entries_of_a_kind_are_kept(tmp_path):
    db = _db(tmp_path)
    for n in range(6):
        derived.save(db, "risk-model", (n,), n, keep=3)
        derived.save(db, "risk-model-extra", (n,), n, keep=10)  # a kind sharing the prefix
    assert [derived.load(db, "risk-model", (n,)) for n in range(6)] == [None, None, None, 3, 4, 5]
    assert [derived.load(db, "risk-model-extra", (n,)) for n in range(6)] == list(range(6))


def test_latest_of_a_scope_is_what_was_last_saved_with_it(tmp_path):
    db = _db(tmp_path)
    assert derived.latest(db, "risk-model", ("live",)) is None
    derived.save(db, "risk-model", (1,), "first", scope=("live",))
    derived.save(db, "risk-model", (2,), "second", scope=("live",))
    derived.save(db, "risk-model", (0,), "a past day's", scope=("past",))
    derived.save(db, "risk-model", (9,), "no scope")
    assert derived.latest(db, "risk-model", ("live",)) == ((2,), "second")
    assert derived.latest(db, "risk-model", ("past",)) == ((0,), "a past day's")
    assert derived.latest(db, "forecast", ("live",)) is None
    for n in range(3, 3 + derived.KEEP):  # pruned away: nothing to show
        derived.save(db, "risk-model", (n,), n)
    assert derived.latest(db, "risk-model", ("live",)) is None
    db.release()
    os.remove(db.path)
    assert derived.latest(_db(tmp_path), "risk-model", ("past",)) is None  # another store


def test_a_folder_that_cannot_be_written_costs_only_the_rebuild(tmp_path):
    db = _db(tmp_path)
    derived.folder(db.path).write_text("a file where the folder should be")
    assert derived.save(db, "risk-model", (1,), "x") is False
    assert derived.load(db, "risk-model", (1,)) is None


def test_clear(tmp_path):
    db = _db(tmp_path)
    derived.save(db, "risk-model", (1,), "x")
    derived.clear(db.path)
    assert derived.load(db, "risk-model", (1,)) is None
