"""Promise: every write is one transaction. A real import process killed inside its
transaction leaves the store exactly as it was; two saves at the same moment (two threads,
as two browser sessions are, or two processes) both land."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from metdash import entry as e
from metdash.spreadsheet import COLUMNS
from metdash.store import Database
from tests.entry_seed import AS_OF, seed
from tests.x12 import conftest as x12_seed

from .conftest import assert_same, snapshot

ROOT = Path(__file__).resolve().parents[2]
METDASH = Path(sys.executable).parent / "metdash"
ERA = ROOT / "tests" / "x12" / "fixtures" / "era_basic.835"


@pytest.fixture(scope="module")
def entry_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tx") / "seed.duckdb"
    seed(path)
    return path


def claims_csv(n_claims: int) -> str:
    """A valid claims spreadsheet: ``n_claims`` one-line claims for new clients."""
    lines = [",".join(COLUMNS)]
    for i in range(n_claims):
        row = dict(claim_id=f"K{i:05d}", client_id=f"N{i:05d}", client_last_name=f"Last{i}",
                   client_first_name="Pat", client_dob="1955-03-04", client_sex="F",
                   payer_name="Acme Health", payer_type="commercial", member_id=f"M{i:06d}",
                   referrer_npi="1679576722", referrer_name="Smith Anna",
                   referrer_kind="physician", referral_date="2025-05-20",
                   service_date="2025-06-02", cpt="97110", modifiers="GP", units="2",
                   charge="80.00", diagnosis_codes="M54.50", rendering_npi="1245319599",
                   submitted_date="")
        lines.append(",".join(row[c] for c in COLUMNS))
    return "\n".join(lines) + "\n"


def run_killed_inside_transaction(args: list[str], tmp_path: Path) -> None:
    """Start ``metdash ARGS`` with the test-only pause before COMMIT, wait until it is inside
    its transaction, and SIGKILL it."""
    marker = tmp_path / "inside-transaction"
    env = {**os.environ, "METDASH_TEST_PAUSE_IN_TX": str(marker),
           "METDASH_TEST_PAUSE_SECONDS": "120", "METDASH_BACKUP_DIR": str(tmp_path / "bk")}
    proc = subprocess.Popen([str(METDASH), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the import never reached its transaction"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_killed_claims_import_leaves_the_store_as_it_was(entry_template, tmp_path):
    path = tmp_path / "store.duckdb"
    path.write_bytes(entry_template.read_bytes())
    sheet = tmp_path / "claims.csv"
    sheet.write_text(claims_csv(20))
    before = snapshot(Database(path))
    run_killed_inside_transaction(["import-claims", "--db", str(path), "--as-of",
                                   AS_OF.isoformat(), "--no-warnings", str(sheet)], tmp_path)
    assert_same(before, snapshot(Database(path)))
    # The same import, not killed, does write (so the killed one had work in flight).
    done = subprocess.run([str(METDASH), "import-claims", "--db", str(path), "--as-of",
                           AS_OF.isoformat(), "--no-warnings", str(sheet)],
                          capture_output=True, text=True,
                          env={**os.environ, "METDASH_BACKUP_DIR": str(tmp_path / "bk")})
    assert done.returncode == 0, done.stderr
    assert Database(path).scalar("SELECT count(*) FROM claims WHERE claim_id LIKE 'K%'") == 20


@pytest.mark.slow
def test_killed_835_import_leaves_the_store_as_it_was(tmp_path):
    db = x12_seed.seed(Database(tmp_path / "store.duckdb"))
    before = snapshot(db)
    run_killed_inside_transaction(["import-835", "--db", str(db.path), str(ERA)], tmp_path)
    assert_same(before, snapshot(Database(db.path)))
    done = subprocess.run([str(METDASH), "import-835", "--db", str(db.path), str(ERA)],
                          capture_output=True, text=True,
                          env={**os.environ, "METDASH_BACKUP_DIR": str(tmp_path / "bk")})
    assert done.returncode == 0, done.stderr
    assert Database(db.path).scalar("SELECT count(*) FROM remittances") >= 1


def test_a_failing_write_rolls_back_everything(entry_template, tmp_path):
    path = tmp_path / "store.duckdb"
    path.write_bytes(entry_template.read_bytes())
    db = Database(path)
    before = snapshot(db)
    with pytest.raises(RuntimeError), db.transaction() as con:
        e.write_client(con, e.ClientIn("Z1", "Half", "Done", "1970-01-01"), "tester")
        raise RuntimeError("the disk filled up")
    assert_same(before, snapshot(db))


def test_two_sessions_saving_at_the_same_moment_both_land(entry_template, tmp_path):
    path = tmp_path / "store.duckdb"
    path.write_bytes(entry_template.read_bytes())
    db = Database(path)  # one handle per process, shared by the browser sessions' threads
    errors: list[BaseException] = []
    for round_ in range(5):
        gate = threading.Barrier(2)

        def save(i: int, round_: int = round_, gate: threading.Barrier = gate) -> None:
            gate.wait()
            try:
                e.save_client(db, e.ClientIn(f"T{round_}{i}", f"Same{i}", "Moment",
                                             "1970-01-01"), f"user{i}", as_of=AS_OF)
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert db.scalar("SELECT count(*) FROM clients WHERE client_id LIKE 'T%'") == 10
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'clients' AND "
                     "record_key LIKE 'T%'") == 10


@pytest.mark.slow
def test_two_processes_saving_at_the_same_moment_both_land(entry_template, tmp_path):
    path = tmp_path / "store.duckdb"
    path.write_bytes(entry_template.read_bytes())
    start_at = time.time() + 4  # both processes wake at this moment
    script = textwrap.dedent(f"""
        import sys, time
        from metdash import entry as e
        from metdash.store import Database
        db = Database({str(path)!r})
        time.sleep(max(0.0, {start_at!r} - time.time()))
        e.save_client(db, e.ClientIn("P" + sys.argv[1], "Proc", sys.argv[1], "1970-01-01"),
                      "user" + sys.argv[1])
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(i)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    db = Database(path)
    assert sorted(db.query("SELECT client_id FROM clients WHERE client_id LIKE 'P%'")
                  .client_id) == ["P0", "P1"]
