"""The demo practice's corrected claims (issue 16, item 6): replacements (frequency 7) and
voids (frequency 8), each naming the payer's claim number, with their history, and valid
837P files when sent again."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from metdash.demo import generate
from metdash.entry import corrections
from metdash.store import Database, facts
from metdash.x12.model837 import ControlNumbers
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import load_batch, render_837p

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Database:
    db = Database(tmp_path_factory.mktemp("demo_corr") / "demo.duckdb")
    generate(db, seed=7, claim_lines=6000, as_of=AS_OF)
    return db


def test_the_demo_has_replacements_and_voids(demo):
    counts = dict(demo.query("SELECT frequency_code, count(*) AS n FROM claims "
                             "GROUP BY 1").itertuples(index=False))
    assert counts.get("7", 0) >= 3 and 1 <= counts.get("8", 0) <= 3
    # Each names the payer's claim number of the remittance that denied it, and has its
    # history row.
    bad = demo.scalar("""
        SELECT count(*) FROM claims c
        WHERE c.frequency_code IN ('7', '8') AND (
            c.original_payer_claim_number IS NULL
            OR c.original_payer_claim_number NOT IN (SELECT payer_claim_number
                                                     FROM claim_payments p
                                                     WHERE p.claim_id = c.claim_id)
            OR NOT EXISTS (SELECT 1 FROM claim_edits e WHERE e.claim_id = c.claim_id
                           AND e.kind = CASE c.frequency_code WHEN '7' THEN 'replacement'
                                         ELSE 'void' END))""")
    assert bad == 0
    # A void is final once sent: the claim is voided, out of insurance A/R, no client's
    # payment left on it.
    assert set(demo.query("SELECT status FROM claims WHERE frequency_code = '8'").status) == \
        {"voided"}
    assert demo.scalar("SELECT count(*) FROM patient_payments WHERE claim_id IN "
                       "(SELECT claim_id FROM claims WHERE frequency_code = '8')") == 0
    with demo.connect() as con:
        assert facts.check(con) == []


def test_the_demo_history_reads_before_and_after(demo):
    cid = demo.scalar("SELECT min(claim_id) FROM claims WHERE frequency_code = '7'")
    hist = corrections.edit_history(demo, cid)
    assert list(hist.kind) == ["replacement"]
    pcn = demo.scalar("SELECT original_payer_claim_number FROM claims WHERE claim_id = ?", [cid])
    assert hist.changes[0].split("\n") == [
        "frequency: 1 (original) → 7 (replacement)",
        f"payer claim number (REF*F8): (none) → {pcn}"]
    after = json.loads(demo.scalar("SELECT CAST(after AS VARCHAR) FROM claim_edits "
                                   "WHERE claim_id = ?", [cid]))
    assert after["lines"] and after["total_charge"] == str(
        demo.scalar("SELECT total_charge FROM claims WHERE claim_id = ?", [cid]))


def test_the_demo_corrections_render_as_valid_837p(demo):
    ids = list(demo.query("SELECT claim_id FROM claims WHERE frequency_code = '7' "
                          "ORDER BY claim_id LIMIT 2").claim_id)
    with demo.connect() as con:
        batch, problems = load_batch(con, ids)
    assert problems == []
    # a void as it went out (load_batch refuses a voided claim: it is not sent again)
    batch.claims[1].frequency_code = "8"
    text = render_837p(batch, ControlNumbers(1, 1, 1), dt.datetime(2025, 6, 30, 9))
    assert text.count("REF*F8*") == 2 and ":B:7*" in text and ":B:8*" in text
    assert pyx12_validate(text) == []
