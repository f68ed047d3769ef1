"""Finding a claim among many: search by claim id, client id or last name, newest first."""

from __future__ import annotations

import shutil

from metdash import entry
from metdash.store import Database


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
    # A picker's label says the status in words (a trial read "partially_paid").
    labels = entry.find_claims(db).set_index("claim_id").label
    assert all("_" not in label.split(" - ")[2] for label in labels)


def test_client_referrals_and_recent_sessions(small_db_path):
    db = Database(small_db_path)
    # B was referred on 2024-11-01 (RF 10) and 2025-01-10 (RF 2): newest first.
    assert entry.client_referrals(db, "B").referral_id.tolist() == [2, 10]
    assert entry.client_referrals(db, "").empty
    recent = entry.recent_sessions(db, limit=3)
    # Newest sessions: C 03-28 (13), A 03-20 (5), A 03-10 (4).
    assert recent.session_id.tolist() == [13, 5, 4]
    everyone = entry.recent_sessions(db)
    assert everyone.set_index("session_id").loc[2, "minutes"] == "97110 15 min, 97140 15 min"


def test_unbilled_sessions(small_db_path):
    db = Database(small_db_path)
    # Every session of the small practice is on a claim; the one on voided C11 (session 4,
    # A on 03-10) counts as unbilled again.
    got = entry.unbilled_sessions(db)
    assert got.session_id.tolist() == [4]
    assert got.minutes.tolist() == ["97110 15 min"]
    assert got.label.tolist() == ["Mar 10, 2025 · session 4 · treatment · 97110 15 min"]


def test_an_unbilled_sessions_kind_is_in_words(small_db_path, tmp_path):
    # The Claims picker read "session 23182 · initial_assessment": the stored code.
    path = tmp_path / "small.duckdb"
    shutil.copy(small_db_path, path)
    db = Database(path)
    with db.transaction() as con:
        con.execute("UPDATE sessions SET kind = 'initial_assessment' WHERE session_id = 4")
    assert entry.unbilled_sessions(db).label.tolist() == [
        "Mar 10, 2025 · session 4 · initial assessment · 97110 15 min"]


def test_client_list(small_db_path):
    db = Database(small_db_path)
    assert entry.client_list(db).client_id.tolist() == ["A", "B", "C", "D"]  # Alpha..Delta
    assert entry.client_list(db, "br").client_id.tolist() == ["B"]
    assert entry.client_list(db, "d").client_id.tolist() == ["D"]
    assert len(entry.client_list(db, limit=2)) == 2


def test_find_clients_by_chart_name_or_birth_date(small_db_path):
    db = Database(small_db_path)
    found = entry.find_clients(db)
    assert found.client_id.tolist() == ["A", "B", "C", "D"]  # by name: Alpha..Delta
    assert found.label.tolist()[1] == "Bravo, Bob (B)"
    assert entry.find_clients(db, "c").client_id.tolist() == ["C"]        # chart number / name
    assert entry.find_clients(db, "DELTA, d").client_id.tolist() == ["D"]  # 'Last, First'
    assert entry.find_clients(db, "1960-02").client_id.tolist() == ["B"]   # birth date
    assert entry.find_clients(db, "nobody").empty
    assert len(entry.find_clients(db, limit=2)) == 2


def test_find_referrals_and_appeals(small_db_path):
    db = Database(small_db_path)
    newest = entry.find_referrals(db)
    assert newest.referral_id.tolist() == [4, 3, 2, 1, 10]  # newest received first
    assert list(newest.columns) == list(entry.choices(db, "referrals").columns)
    assert entry.find_referrals(db, "b").referral_id.tolist() == [2, 10]     # client id
    assert entry.find_referrals(db, "ruiz").referral_id.tolist() == [4, 3]   # referrer name
    assert entry.find_referrals(db, "m54").referral_id.tolist() == [2, 10]   # diagnosis
    assert entry.find_referrals(db, "2025-01").referral_id.tolist() == [2, 1]  # received
    assert len(entry.find_referrals(db, limit=2)) == 2
    assert entry.find_appeals(db).claim_id.tolist() == ["C3"]
    assert entry.find_appeals(db, "c3").appeal_id.tolist() == [1]
    assert entry.find_appeals(db, "2025-02-20").appeal_id.tolist() == [1]
    assert entry.find_appeals(db, "c9").empty
    assert entry.pending_appeals(db).empty  # the one appeal was overturned


def test_code_list_and_suggested_claim_id(small_db_path):
    db = Database(small_db_path)
    assert {"97110", "97140"} <= set(entry.code_list(db))
    assert entry.suggested_claim_id(db).startswith("MD")


def test_claim_picker_labels_say_what_is_owed():
    """Found by a new-user trial: claim pickers showed the charge only, when a biller picks a
    claim to post, move or write off by what is owed on it."""
    import duckdb

    from metdash.entry.lookups import OWED_LABEL
    con = duckdb.connect()
    rows = con.execute(f"""
        SELECT {OWED_LABEL} FROM (VALUES
            (122.0, NULL, NULL, NULL),
            (122.0, 42.0, 0.0, DATE '2025-01-02'),
            (122.0, 0.0, 12.5, DATE '2025-01-02'),
            (122.0, 0.0, -10.0, DATE '2025-01-02')) AS v(total_charge, insurance_balance,
                                                        patient_balance, first_ledger_date),
        LATERAL (SELECT v.total_charge) c(total_charge),
        LATERAL (SELECT v.insurance_balance, v.patient_balance, v.first_ledger_date)
            f(insurance_balance, patient_balance, first_ledger_date)""").fetchall()
    assert [r[0] for r in rows] == [
        "billed $122.00",
        "billed $122.00, insurance owes $42.00",
        "billed $122.00, insurance owes $0.00, client owes $12.50",
        "billed $122.00, insurance owes $0.00, client credit $10.00"]
