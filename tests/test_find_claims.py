"""Finding a claim among many: search by claim id, client id or last name, newest first."""

from __future__ import annotations

from metdash import entry
from metdash.db import Database


def test_find_by_prefix_and_status(small_db_path):
    db = Database(small_db_path)
    # Newest first by first service date: C10 (03-28) leads.
    assert entry.find_claims(db).claim_id.tolist()[0] == "C10"
    assert set(entry.find_claims(db, "c1").claim_id) == {"C1", "C10", "C11", "C12", "C13"}
    # Client B's last name is Bravo: C3, C4, C9, C12, C13.
    assert set(entry.find_claims(db, "brav").claim_id) == {"C3", "C4", "C9", "C12", "C13"}
    assert set(entry.find_claims(db, "BRAVO", ["submitted"]).claim_id) == {"C9", "C12", "C13"}
    assert len(entry.find_claims(db, limit=3)) == 3
    assert entry.find_claims(db, "nobody").empty
