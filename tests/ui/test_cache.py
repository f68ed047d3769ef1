"""Cached figures follow the store: a write from another process shows on the next rerun."""

from __future__ import annotations

import subprocess
import sys

from metdash import figures, ui
from metdash.figures import Filters
from metdash.store import Database
from tests.test_figures import PERIOD


def test_a_write_from_another_process_invalidates_the_cache(small_db_path, tmp_path):
    path = tmp_path / "copy.duckdb"
    path.write_bytes(small_db_path.read_bytes())
    db = Database(path)
    kpis = ui.cached(figures.kpis)
    assert kpis(db, PERIOD)["gross_charges"] == 1100
    # Another process (like a scheduled import) adds a claim line's worth of charges.
    script = ("import sys; from metdash.store import Database, facts\n"
              "with Database(sys.argv[1]).transaction() as con:\n"
              "    con.execute(\"UPDATE claims SET total_charge = total_charge + 50"
              " WHERE claim_id = 'C1'\")\n"
              "    facts.touch(con, ['C1'])\n")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    assert kpis(db, PERIOD)["gross_charges"] == 1150


def test_unchanged_store_is_served_from_the_cache(small_db_path):
    calls = []

    def counted(db: Database, f: Filters) -> int:
        calls.append(f)
        return 1

    fn = ui.cached(counted)
    db = Database(small_db_path)
    fn(db, PERIOD)
    fn(db, PERIOD)
    assert len(calls) == 1
