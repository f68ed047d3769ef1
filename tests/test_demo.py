"""The synthetic demo practice: deterministic, realistic, and balanced like a real 835."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from decimal import Decimal

import duckdb
import numpy as np
import pytest
import simple_icd_10_cm as icd
from click.testing import CliRunner

from metdash.cli import main
from metdash.coding.npi import npi_is_valid
from metdash.coding.units import billable_units
from metdash.demo import (
    CODES,
    DATA_TABLES,
    DX_LABELS,
    TIMED,
    ensure_demo,
    generate,
    npi_check_digit,
    units_matrix,
)
from metdash.entry.balances import INSURANCE_REASONS, PATIENT_REASONS
from metdash.store import Database, facts
from metdash.worklists import WORKLISTS

# DEMO_TEST_SEED / DEMO_TEST_AS_OF let one run the same checks on other practices.
SEED = int(os.environ.get("DEMO_TEST_SEED", "7"))
AS_OF = dt.date.fromisoformat(os.environ.get("DEMO_TEST_AS_OF", "2025-06-30"))
LINES = 6000
DENIAL_CARCS = {"50", "197", "16", "29", "97", "4", "204", "119", "151", "27", "11", "18",
                "96", "31", "59"}
# An adjustment of the denial class: no row for its group + CARC in the classification
# (the demo keeps DOMAIN.md's defaults, for every payer).
DENIAL_CLASS = """NOT EXISTS (SELECT 1 FROM adjustment_classes k WHERE k.payer_id = 0
                                 AND k.group_code = a.group_code AND k.carc = a.carc)"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo practice (about 6,000 claim lines) as of 2025-06-30, and its summary."""
    db = Database(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    summary = generate(db, seed=SEED, claim_lines=LINES, as_of=AS_OF)
    return db, summary


@pytest.fixture(scope="module")
def con(demo):
    db, _ = demo
    c = duckdb.connect(str(db.path))
    yield c
    c.close()


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()[0]


def table_hashes(path) -> dict[str, str]:
    c = duckdb.connect(str(path))
    try:
        return {t: c.execute(
            f"SELECT count(*) || ':' || coalesce(md5(string_agg(x, chr(10) ORDER BY x)), '') "
            f"FROM (SELECT CAST(t AS VARCHAR) AS x FROM {t} t)").fetchone()[0]
            for t in DATA_TABLES}
    finally:
        c.close()


# -- rules ---------------------------------------------------------------------------------

def test_npi_check_digit_matches_domain_example():
    assert npi_check_digit("123456789") == 3


@pytest.mark.parametrize("rule, expected", [("cms", {"97110": 2, "97140": 1}),
                                            ("per_code", {"97110": 2, "97140": 0})])
def test_units_worked_example(rule, expected):
    cols = [list(CODES).index("97110"), list(CODES).index("97140")]
    m = np.zeros((1, len(CODES)), dtype=np.int64)
    m[0, cols] = [33, 7]
    u = units_matrix(m, TIMED, np.array([rule == "cms"]))[0]
    assert {"97110": u[cols[0]], "97140": u[cols[1]]} == expected


def test_units_matrix_agrees_with_coding_rule_on_random_sessions():
    rng = np.random.default_rng(3)
    n = 3000
    m = rng.integers(0, 40, (n, len(CODES))) * (rng.random((n, len(CODES))) < 0.35)
    cms = rng.random(n) < 0.5
    u = units_matrix(m, TIMED, cms)
    for i in range(n):
        minutes = {c: int(m[i, j]) for j, c in enumerate(CODES)}
        want = billable_units(minutes, "cms" if cms[i] else "per_code")
        assert [want[c] for c in CODES] == list(u[i]), minutes


# -- determinism ---------------------------------------------------------------------------

def test_same_seed_same_tables_different_seed_different(demo, tmp_path):
    db, _ = demo
    again = Database(tmp_path / "again.duckdb")
    generate(again, seed=SEED, claim_lines=LINES, as_of=AS_OF)
    first = table_hashes(db.path)
    assert table_hashes(again.path) == first
    other = Database(tmp_path / "other.duckdb")
    generate(other, seed=SEED + 1, claim_lines=LINES, as_of=AS_OF)
    changed = {t for t, h in table_hashes(other.path).items() if h != first[t]}
    assert {"referrals", "sessions", "claims", "claim_lines", "claim_payments"} <= changed


def test_regenerate_replaces_everything_in_one_file(tmp_path):
    db = Database(tmp_path / "re.duckdb")
    generate(db, seed=1, claim_lines=3000, as_of=AS_OF)
    # A workshop undid a move to the client: the reset takes that away too (its claim id
    # would name another claim in the new practice).
    from metdash import entry
    claim_id, transfer_id, day = db.query(
        "SELECT claim_id, transfer_id, transfer_date FROM balance_transfers "
        "ORDER BY transfer_id LIMIT 1").iloc[0]
    entry.undo_move(db, entry.UndoIn(claim_id, "transfer", int(transfer_id), day, "workshop"),
                    "demo", as_of=AS_OF)
    assert db.scalar("SELECT count(*) FROM balance_returns") == 1
    s2 = generate(db, seed=2, claim_lines=3000, as_of=AS_OF)
    assert db.scalar("SELECT count(*) FROM balance_returns") == 0
    assert db.scalar("SELECT count(*) FROM practice") == 1
    assert db.scalar("SELECT count(*) FROM claims") == s2.claims
    # The audit log starts afresh with each demo: its one row says how it was made.
    assert db.scalar("SELECT count(*) FROM audit_log") == 1
    assert db.scalar("SELECT is_demo FROM practice") is True
    # The audit row records what was asked for, so a reset can rebuild the same practice.
    after = json.loads(db.scalar("SELECT after FROM audit_log WHERE action = 'demo generated' "
                                 "ORDER BY audit_id DESC LIMIT 1"))
    assert (after["seed"], after["claim_lines"], after["as_of"]) == (2, 3000, AS_OF.isoformat())
    assert after["summary"]["claims"] == s2.claims


# -- size ----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [3000, 8000])
def test_claim_lines_within_ten_percent(tmp_path, target):
    db = Database(tmp_path / "n.duckdb")
    s = generate(db, seed=11, claim_lines=target, as_of=AS_OF)
    assert abs(s.claim_lines - target) <= 0.1 * target
    assert db.scalar("SELECT count(*) FROM claim_lines") == s.claim_lines


def test_fixture_size_and_summary(demo, con):
    _, s = demo
    assert abs(s.claim_lines - LINES) <= 0.1 * LINES
    assert s.years == 3 and s.as_of == AS_OF
    assert one(con, "SELECT max(session_date) FROM sessions") <= AS_OF
    assert one(con, "SELECT min(received_date) FROM referrals") >= AS_OF - dt.timedelta(days=3 * 366)


# -- the practice, payers, referrers --------------------------------------------------------

def test_payers(con):
    payers = {r[0]: r[1:] for r in rows(con, """
        SELECT name, payer_type, units_rule, timely_filing_days, appeal_window_days,
               usual_lag_days, clearinghouse_payer_id FROM payers""")}
    types = sorted(p[0] for p in payers.values())
    assert types == ["commercial"] * 4 + ["medicaid", "medicare", "medicare_advantage",
                                          "workers_comp"]
    by_type = {}
    for p in payers.values():
        by_type.setdefault(p[0], []).append(p)
    medicare = by_type["medicare"][0]
    assert medicare[1] == "cms" and medicare[2] == 365 and medicare[4] <= 15
    assert all(90 <= p[2] <= 180 for p in by_type["commercial"])
    assert sum(p[1] == "per_code" for p in by_type["commercial"]) >= 3
    assert by_type["workers_comp"][0][4] >= 60
    assert all(len(p[5]) == 5 for p in payers.values())
    assert all(60 <= p[3] <= 180 for p in payers.values())


def test_fee_schedules(con):
    charges = dict(rows(con, "SELECT cpt, charge FROM fee_schedule"))
    assert Decimal("45") <= charges["97110"] <= Decimal("60")
    assert Decimal("150") <= charges["97162"] <= Decimal("200")
    assert one(con, "SELECT count(*) FROM cpt_codes") == len(CODES)
    # Medicaid allows the least for every code (issue 15: below Medicare's), then Medicare;
    # commercial plans more; never above charge.
    bad = rows(con, """
        SELECT f.cpt FROM payer_fee_schedule f JOIN payers p USING (payer_id)
        JOIN fee_schedule s USING (cpt)
        GROUP BY f.cpt
        HAVING max(f.allowed_amount) FILTER (WHERE p.payer_type = 'medicaid')
               >= min(f.allowed_amount) FILTER (WHERE p.payer_type = 'medicare')
            OR min(f.allowed_amount) FILTER (WHERE p.payer_type <> 'medicaid')
               <> min(f.allowed_amount) FILTER (WHERE p.payer_type = 'medicare')
            OR max(f.allowed_amount) FILTER (WHERE p.payer_type = 'medicare')
               >= min(f.allowed_amount) FILTER (WHERE p.payer_type = 'commercial')
            OR max(f.allowed_amount - s.charge) > 0""")
    assert bad == []


def test_npis_pass_the_check_digit(con):
    npis = [r[0] for r in rows(con, """
        SELECT billing_npi FROM practice UNION ALL SELECT npi FROM providers
        UNION ALL SELECT npi FROM referrers""")]
    assert len(npis) == len(set(npis)) > 40
    assert all(npi_is_valid(n) for n in npis)


def test_referrers_of_all_kinds_few_send_most(con):
    assert one(con, "SELECT count(*) FROM referrers") == 40
    kinds = {r[0] for r in rows(con, "SELECT DISTINCT kind FROM referrers")}
    assert kinds == {"physician", "physical_therapist", "specialist", "other"}
    counts = [r[0] for r in rows(con, """
        SELECT count(*) AS n FROM referrals GROUP BY referrer_id ORDER BY n DESC""")]
    assert sum(counts[:5]) / sum(counts) > 0.4          # a few send most clients


def test_new_and_quiet_referrers(con):
    new = one(con, """
        SELECT count(*) FROM (SELECT referrer_id, min(received_date) AS first
                              FROM referrals GROUP BY ALL)
        WHERE first > ?::DATE - 42""", [AS_OF])
    quiet = one(con, """
        SELECT count(*) FROM (SELECT referrer_id, count(*) AS n, max(received_date) AS last
                              FROM referrals GROUP BY ALL)
        WHERE n >= 5 AND last < ?::DATE - 90""", [AS_OF])
    assert new >= 3
    assert quiet >= 3


def test_clients_and_coverages(con):
    assert one(con, "SELECT count(*) FROM clients WHERE client_id NOT IN "
                    "(SELECT client_id FROM coverages WHERE priority = 'primary')") == 0
    assert one(con, "SELECT count(*) FROM coverages WHERE priority = 'secondary'") > 0
    # Medicare and Medicare Advantage clients are 65 or older at their referral.
    assert one(con, """
        SELECT count(*) FROM referrals r JOIN coverages c USING (client_id)
        JOIN payers p USING (payer_id) JOIN clients k USING (client_id)
        WHERE p.payer_type IN ('medicare', 'medicare_advantage') AND c.priority = 'primary'
          AND date_diff('year', k.dob, r.received_date) < 65""") == 0


# -- referrals, episodes, sessions -------------------------------------------------------

@pytest.mark.parametrize("code", DX_LABELS)
def test_every_diagnosis_code_is_billable(code):
    assert icd.is_leaf(code), code


def test_diagnosis_codes_in_the_store_are_billable(con):
    codes = [r[0] for r in rows(con, """
        SELECT DISTINCT unnest(diagnosis_codes) FROM referrals
        UNION SELECT DISTINCT unnest(diagnosis_codes) FROM claims""")]
    assert codes and all(icd.is_valid_item(c) and icd.is_leaf(c) for c in codes)


def test_referral_conversion_between_70_and_85_percent(con):
    any_session, within_30 = rows(con, """
        SELECT avg((first IS NOT NULL)::INT),
               avg(coalesce(first - received_date <= 30, false)::INT)
        FROM (SELECT r.referral_id, r.received_date, min(s.session_date) AS first
              FROM referrals r LEFT JOIN sessions s USING (referral_id)
              WHERE r.received_date < ?::DATE - 60 GROUP BY ALL)""", [AS_OF])[0]
    assert 0.70 <= any_session <= 0.85
    assert 0.70 <= within_30 <= 0.85


def test_episodes(con):
    sizes = rows(con, """
        SELECT count(*), bool_or(kind = 'discharge'),
               arg_min(kind, session_date) FROM sessions GROUP BY referral_id""")
    finished = [n for n, done, _ in sizes if done]
    assert finished and min(finished) >= 6 and max(finished) <= 24
    assert max(n for n, _, _ in sizes) <= 24
    assert all(first == "initial_assessment" for _, _, first in sizes)
    kinds = dict(rows(con, "SELECT kind, count(*) FROM sessions GROUP BY 1"))
    assert kinds["progress"] > 0 and kinds["discharge"] > 0
    assert one(con, "SELECT count(*) FROM session_minutes WHERE cpt = '97150'") > 0
    # A progress visit on every 10th visit (unless that visit is the discharge); in a few
    # episodes the reports come one visit late, on the 11th (some of them still waiting on
    # as_of: the progress-report work list's rows).
    visits = """
        WITH s AS (SELECT referral_id, kind,
                          row_number() OVER (PARTITION BY referral_id ORDER BY session_date) AS n
                   FROM sessions),
        late AS (SELECT referral_id FROM s WHERE n = 10 AND kind = 'treatment')"""
    late = one(con, f"{visits} SELECT count(*) FROM late")
    assert 0 < late <= 0.1 * len(sizes)
    assert one(con, f"""{visits}
        SELECT count(*) FROM s
        WHERE kind <> 'discharge'
          AND (CASE WHEN referral_id IN (SELECT referral_id FROM late) THEN n % 10 = 1 AND n > 1
                    ELSE n % 10 = 0 END) <> (kind = 'progress')""") == 0


def test_units_agree_with_the_payers_rule(con):
    minutes = rows(con, """
        SELECT s.session_id, p.units_rule, list(m.cpt ORDER BY m.cpt), list(m.minutes ORDER BY m.cpt)
        FROM sessions s JOIN session_minutes m USING (session_id)
        JOIN referrals r USING (referral_id) JOIN coverages c ON c.client_id = r.client_id
             AND c.priority = 'primary'
        JOIN payers p USING (payer_id) GROUP BY ALL""")
    billed = {}
    for sid, cpt, units in rows(con, """
            SELECT l.session_id, l.cpt, l.units FROM claim_lines l JOIN claims c USING (claim_id)
            WHERE c.status <> 'voided'"""):
        billed.setdefault(sid, {})[cpt] = units
    checked = 0
    for sid, rule, cpts, mins in minutes:
        if sid not in billed:
            continue
        order = sorted(range(len(cpts)), key=lambda i: list(CODES).index(cpts[i]))
        want = billable_units({cpts[i]: mins[i] for i in order}, rule)
        assert {c: u for c, u in want.items() if u} == billed[sid], sid
        checked += 1
    assert checked > 0.9 * len(minutes)


# -- claims ----------------------------------------------------------------------------------

def test_claim_totals_ids_and_lines(con):
    assert one(con, """
        SELECT count(*) FROM claims c JOIN (
            SELECT claim_id, sum(charge) AS s, min(service_date) AS d FROM claim_lines GROUP BY 1
        ) l USING (claim_id) WHERE l.s <> c.total_charge OR l.d <> c.first_service_date""") == 0
    assert one(con, "SELECT count(*) FROM claims WHERE NOT regexp_full_match(claim_id, 'C[0-9]{7}')") == 0
    # Pointers point into the claim's diagnoses.
    assert one(con, """
        SELECT count(*) FROM claim_lines l JOIN claims c USING (claim_id)
        WHERE list_max(l.dx_pointers) > len(c.diagnosis_codes) OR len(l.dx_pointers) = 0""") == 0


def test_modifiers(con):
    # GP on every therapy line except the claims denied for a missing modifier (CARC 4).
    missing_gp = one(con, """
        SELECT count(*) FROM claim_lines l
        WHERE NOT list_contains(l.modifiers, 'GP') AND l.claim_id NOT IN (
            SELECT cp.claim_id FROM claim_payments cp JOIN adjustments a USING (claim_payment_id)
            WHERE a.carc = '4')""")
    assert missing_gp == 0
    assert one(con, """
        SELECT count(*) FROM claim_lines l WHERE cpt = '97140' AND list_contains(modifiers, '59')
          AND claim_id NOT IN (SELECT claim_id FROM claim_lines
                               WHERE cpt IN ('97161','97162','97163','97530'))""") == 0
    assert one(con, "SELECT count(*) FROM claim_lines WHERE list_contains(modifiers, '59')") > 0


def test_statuses_and_history(con):
    statuses = dict(rows(con, "SELECT status, count(*) FROM claims GROUP BY 1"))
    assert set(statuses) == {"draft", "ready", "submitted", "paid", "partially_paid", "denied",
                             "appealed", "closed", "voided"}
    assert statuses["voided"] >= 2
    # History: seq 1..n per claim, starts with draft, ends in the claim's status.
    assert one(con, """
        SELECT count(*) FROM (
          SELECT claim_id, count(*) AS n, max(seq) AS m, min(seq) AS lo,
                 arg_min(status, seq) AS first, arg_max(status, seq) AS last
          FROM claim_status_history GROUP BY 1) h JOIN claims c USING (claim_id)
        WHERE n <> m OR lo <> 1 OR first <> 'draft' OR last <> c.status""") == 0
    assert one(con, "SELECT count(*) FROM claim_status_history "
                    "WHERE changed_at::DATE <> status_date") == 0
    # Status agrees with the remittances. A claim sent again after a denial (corrected and
    # resubmitted) is 'submitted' with the denying remittance on file; a denied claim
    # corrected in the last days before as_of and not yet resent is 'ready' with it; no
    # other is.
    corrected = """claim_id IN (SELECT claim_id FROM claim_status_history h
                                WHERE h.note = 'corrected, ready to send again'
                                  AND h.seq = (SELECT max(seq) FROM claim_status_history x
                                               WHERE x.claim_id = h.claim_id))"""
    assert one(con, f"""
        SELECT count(*) FROM claims WHERE status IN ('draft', 'ready', 'submitted', 'voided')
          AND claim_id IN (SELECT claim_id FROM claim_payments)
          AND NOT (status = 'submitted' AND last_submitted_date > submitted_date)
          -- a denied claim withdrawn by a void (frequency 8): metdash/demo_corrections.py
          AND NOT (status = 'voided' AND frequency_code = '8')
          AND NOT (status = 'ready' AND {corrected})""") == 0
    assert one(con, f"""
        SELECT count(*) FROM claims WHERE status IN ('draft', 'ready') AND submitted_date
          IS NOT NULL AND last_submitted_date = submitted_date AND NOT {corrected}""") == 0
    # Denied: the adjudication that stands denied it (a denial-class CAS, or CLP02 4);
    # partially paid: it paid something and denied or reduced a line; paid: no denial.
    # The claim's status follows its own payer's adjudication (a secondary's 835, CLP02 2,
    # comes later and does not replace it: metdash/demo_secondary.py).
    standing = """(SELECT max(claim_payment_id) FROM claim_payments q
                   JOIN remittances r USING (remittance_id)
                   WHERE q.claim_id = c.claim_id AND q.status_code <> '22'
                     AND r.payer_id = c.payer_id)"""
    denial_cas = f"""EXISTS (SELECT 1 FROM adjustments a WHERE a.claim_payment_id = {standing}
                             AND a.amount > 0 AND {DENIAL_CLASS})"""
    assert one(con, f"""
        SELECT count(*) FROM claims c WHERE status = 'denied'
          AND NOT ({denial_cas} OR (SELECT status_code FROM claim_payments
                                   WHERE claim_payment_id = {standing}) = '4')""") == 0
    assert one(con, f"""
        SELECT count(*) FROM claims c WHERE status = 'partially_paid'
          AND NOT ({denial_cas} AND (SELECT paid FROM claim_payments
                                     WHERE claim_payment_id = {standing}) > 0)""") == 0
    assert one(con, f"SELECT count(*) FROM claims c WHERE status = 'paid' AND {denial_cas}") == 0
    # Closed: insurance owes nothing, because the practice wrote the rest off with a reason
    # or moved it to the client (a claim may not close with money owed).
    assert one(con, """
        SELECT count(*) FROM claims c JOIN claim_facts f USING (claim_id)
        WHERE c.status = 'closed' AND (f.insurance_balance <> 0 OR c.claim_id NOT IN (
            SELECT claim_id FROM write_offs WHERE side = 'insurance'
            UNION ALL SELECT claim_id FROM balance_transfers))""") == 0


def test_no_dates_after_as_of(con):
    for table, col in [("sessions", "session_date"), ("claims", "submitted_date"),
                       ("claim_status_history", "status_date"),
                       ("remittances", "payment_date"), ("patient_payments", "payment_date"),
                       ("appeals", "filed_date"), ("appeals", "outcome_date"),
                       ("referrals", "received_date"), ("plans_of_care", "start_date"),
                       ("plans_of_care", "signed_date"), ("write_offs", "write_off_date"),
                       ("balance_transfers", "transfer_date"),
                       ("patient_refunds", "refund_date")]:
        assert one(con, f"SELECT count(*) FROM {table} WHERE {col} > ?", [AS_OF]) == 0, table


# -- plans of care ---------------------------------------------------------------------------

def test_plans_of_care(con):
    # One first plan per episode, from its evaluation (the first session: day 1), but one
    # recent Medicare episode whose plan was never written (the "Treated without a plan of
    # care" work list's row).
    assert one(con, """
        SELECT count(*) FROM (SELECT referral_id, min(session_date) AS d FROM sessions
                              GROUP BY 1) e
        LEFT JOIN plans_of_care p ON p.referral_id = e.referral_id
             AND p.recertifies_plan_id IS NULL
        WHERE p.start_date IS DISTINCT FROM e.d""") == 1
    assert one(con, """
        SELECT count(*) FROM referrals r JOIN coverages v USING (client_id)
        JOIN payers y USING (payer_id)
        WHERE y.payer_type = 'medicare' AND r.referral_id IN (SELECT referral_id FROM sessions)
          AND r.referral_id NOT IN (SELECT referral_id FROM plans_of_care)""") == 1
    # At most 90 calendar days (through start + 89), certified by a physician (or
    # specialist), never a therapist; signed on or after the plan was written.
    assert one(con, "SELECT max(certified_through - start_date) FROM plans_of_care") == 89
    assert one(con, """
        SELECT count(*) FROM plans_of_care p JOIN referrers f USING (referrer_id)
        WHERE f.kind NOT IN ('physician', 'specialist')""") == 0
    assert one(con, "SELECT count(*) FROM plans_of_care WHERE recertifies_plan_id IS NULL "
                    "AND signed_date < start_date") == 0
    # A recertification starts the day after the plan it continues ends, and is signed
    # while that plan still runs; no episode is treated past its last certified day.
    assert one(con, "SELECT count(*) FROM plans_of_care WHERE recertifies_plan_id IS NOT NULL") > 0
    assert one(con, """
        SELECT count(*) FROM plans_of_care r JOIN plans_of_care p
             ON p.plan_id = r.recertifies_plan_id
        WHERE r.start_date <> p.certified_through + 1 OR r.client_id <> p.client_id
           OR r.signed_date > p.certified_through""") == 0
    assert one(con, """
        SELECT count(DISTINCT s.referral_id) FROM sessions s WHERE NOT EXISTS (
            SELECT 1 FROM plans_of_care p WHERE p.referral_id = s.referral_id
              AND s.session_date BETWEEN p.start_date AND p.certified_through)""") == 1


def test_plan_of_care_work_lists_have_rows(demo):
    from metdash import worklists

    db, _ = demo
    assert len(worklists.plan_of_care_to_recertify(db, AS_OF)) >= 3
    unsigned = worklists.plans_of_care_unsigned(db, AS_OF)
    assert len(unsigned) >= 3 and "overdue" in set(unsigned.status)


# -- remittances -----------------------------------------------------------------------------

def test_every_remittance_balances(con):
    # Claim level: charge - all adjustments (claim and line level) = paid.
    assert one(con, """
        SELECT count(*) FROM claim_payments cp LEFT JOIN (
            SELECT claim_payment_id, sum(amount) AS adj FROM adjustments GROUP BY 1
        ) a USING (claim_payment_id)
        WHERE cp.charge - coalesce(a.adj, 0) <> cp.paid""") == 0
    # Lines: charge - line adjustments = paid; lines add up to the claim.
    assert one(con, """
        SELECT count(*) FROM line_payments lp LEFT JOIN (
            SELECT line_payment_id, sum(amount) AS adj FROM adjustments GROUP BY 1
        ) a USING (line_payment_id) WHERE lp.charge - coalesce(a.adj, 0) <> lp.paid""") == 0
    assert one(con, """
        SELECT count(*) FROM claim_payments cp JOIN (
            SELECT claim_payment_id, sum(charge) AS c, sum(paid) AS p FROM line_payments GROUP BY 1
        ) l USING (claim_payment_id) WHERE l.c <> cp.charge OR l.p <> cp.paid""") == 0
    # PR adjustments are the patient responsibility.
    assert one(con, """
        SELECT count(*) FROM claim_payments cp LEFT JOIN (
            SELECT claim_payment_id, sum(amount) AS pr FROM adjustments WHERE group_code = 'PR'
            GROUP BY 1) a USING (claim_payment_id)
        WHERE coalesce(a.pr, 0) <> cp.patient_responsibility""") == 0
    # Transaction level: BPR amount = sum of claim payments - sum of PLB.
    assert one(con, """
        SELECT count(*) FROM remittances r
        LEFT JOIN (SELECT remittance_id, sum(paid) AS p FROM claim_payments GROUP BY 1) c
          USING (remittance_id)
        LEFT JOIN (SELECT remittance_id, sum(amount) AS plb FROM provider_adjustments GROUP BY 1) x
          USING (remittance_id)
        WHERE r.amount <> coalesce(c.p, 0) - coalesce(x.plb, 0)""") == 0
    assert one(con, "SELECT count(*) FROM remittances WHERE amount < 0") == 0
    assert one(con, "SELECT count(*) FROM provider_adjustments") > 0
    # One remittance per payer per payment date, several claims in each.
    assert one(con, "SELECT count(*) FROM (SELECT payer_id, payment_date FROM remittances "
                    "GROUP BY ALL HAVING count(*) > 1)") == 0
    assert one(con, "SELECT avg(n) FROM (SELECT count(*) AS n FROM claim_payments GROUP BY "
                    "remittance_id)") > 1.5


def test_contractual_and_patient_responsibility(con):
    carcs = {(g, c) for g, c in rows(con, "SELECT DISTINCT group_code, carc FROM adjustments")}
    assert {("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3")} <= carcs
    # Denials by DOMAIN.md's classification: PR-96 and PR-204 are denials the client may owe.
    denial = set(rows(con, f"SELECT DISTINCT group_code, carc FROM adjustments a "
                           f"WHERE {DENIAL_CLASS}"))
    assert denial and {c for _, c in denial} <= DENIAL_CARCS
    assert len(denial) >= 8
    assert {("PR", "96"), ("PR", "204")} <= denial
    assert one(con, "SELECT count(*) FROM remark_codes") > 0


def test_denial_rate_and_mix(con):
    rate = one(con, f"""
        WITH first AS (SELECT claim_id, arg_min(claim_payment_id, claim_payment_id) AS id
                       FROM claim_payments GROUP BY 1)
        SELECT avg((EXISTS (SELECT 1 FROM adjustments a JOIN line_payments l USING (line_payment_id)
                            WHERE a.claim_payment_id = f.id AND l.paid = 0
                              AND {DENIAL_CLASS}))::INT)
        FROM first f WHERE claim_id IS NOT NULL""")
    assert 0.05 <= rate <= 0.16
    # Denial rates differ by payer (workers' comp and Medicaid above Medicare).
    by = dict(rows(con, f"""
        SELECT p.payer_type, avg((EXISTS (SELECT 1 FROM adjustments a
                                          WHERE a.claim_payment_id = cp.claim_payment_id
                                            AND a.amount > 0 AND {DENIAL_CLASS}))::INT)
        FROM claim_payments cp
        JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
        WHERE cp.claim_payment_id IN (SELECT min(claim_payment_id) FROM claim_payments GROUP BY claim_id)
        GROUP BY 1"""))
    assert (by["workers_comp"] + by["medicaid"]) / 2 > by["medicare"]


def test_appeals_reversals_and_patient_payments(con):
    outcomes = dict(rows(con, "SELECT outcome, count(*) FROM appeals GROUP BY 1"))
    assert outcomes.get("overturned", 0) > 0 and outcomes.get("upheld", 0) > 0
    # Every overturned appeal was paid by a later remittance.
    assert one(con, """
        SELECT count(*) FROM appeals a WHERE outcome = 'overturned' AND NOT EXISTS (
          SELECT 1 FROM claim_payments cp JOIN remittances r USING (remittance_id)
          WHERE cp.claim_id = a.claim_id AND cp.status_code = '1' AND r.payment_date >= a.filed_date)
        """) == 0
    assert one(con, "SELECT count(*) FROM appeals a JOIN claims c USING (claim_id) "
                    "WHERE a.outcome = 'overturned' AND c.status <> 'paid'") == 0
    # Reversals carry negative amounts and are followed by a re-payment in the same remittance.
    rev = rows(con, "SELECT claim_id, remittance_id, charge, paid FROM claim_payments "
                    "WHERE status_code = '22'")
    assert rev
    for claim_id, remit, charge, paid in rev:
        assert charge < 0 and paid <= 0
        assert one(con, "SELECT count(*) FROM claim_payments WHERE claim_id = ? AND "
                        "remittance_id = ? AND status_code = '1'", [claim_id, remit]) == 1
    assert one(con, "SELECT count(*) FROM patient_payments") > 0
    # A claim's own patient side is a credit only for a copay collected at the visit that the
    # payer has not confirmed (yet): never more than that copay.
    assert one(con, """
        SELECT count(*) FROM claim_facts f WHERE f.patient_balance < 0
          AND -f.patient_balance > coalesce((
              SELECT sum(amount) FROM patient_payments pp
              WHERE pp.claim_id = f.claim_id AND pp.payment_date = f.first_service_date), 0)
        """) == 0


def test_payment_lags_differ_by_payer(con):
    lags = dict(rows(con, """
        SELECT p.payer_type, median(r.payment_date - c.submitted_date)
        FROM claim_payments cp JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
        JOIN remittances r USING (remittance_id)
        WHERE cp.claim_payment_id IN (SELECT min(claim_payment_id) FROM claim_payments GROUP BY claim_id)
        GROUP BY 1"""))
    assert 10 <= lags["medicare"] <= 18
    assert lags["medicare"] < lags["commercial"] < lags["workers_comp"]
    assert lags["workers_comp"] >= 60


def test_open_ar_in_every_aging_bucket(con):
    buckets = dict(rows(con, """
        SELECT CASE WHEN age <= 30 THEN '0-30' WHEN age <= 60 THEN '31-60'
                    WHEN age <= 90 THEN '61-90' WHEN age <= 120 THEN '91-120' ELSE '120+' END,
               count(*)
        FROM (SELECT ?::DATE - first_service_date AS age FROM claims c
              WHERE status = 'submitted'
                AND NOT EXISTS (SELECT 1 FROM claim_payments p WHERE p.claim_id = c.claim_id))
        GROUP BY 1""", [AS_OF]))
    assert set(buckets) == {"0-30", "31-60", "61-90", "91-120", "120+"}
    # Drafts, ready claims and unbilled sessions in the last days.
    assert one(con, """SELECT count(*) FROM sessions WHERE session_id NOT IN
                       (SELECT session_id FROM claim_lines)
                       AND session_date > ?::DATE - 5""", [AS_OF]) > 0


def test_figures_see_ar_in_every_bucket(demo):
    figures = pytest.importorskip("metdash.figures")
    db, _ = demo
    f = figures.Filters(date_from=AS_OF - dt.timedelta(days=3 * 365), date_to=AS_OF)
    aging = figures.ar_aging(db, f)
    assert (aging["claims"] > 0).all(), aging


# -- the books: a practice that behaves like one (issue 15, item 9) --------------------------

def test_medicare_pays_no_earlier_than_day_14(con):
    # From the submission the remittance answers (a resubmission for a corrected claim).
    days = rows(con, """
        SELECT min(r.payment_date - CASE WHEN r.payment_date > c.last_submitted_date
                                         THEN c.last_submitted_date ELSE c.submitted_date END),
               count(*)
        FROM claim_payments cp JOIN remittances r USING (remittance_id)
        JOIN claims c USING (claim_id) JOIN payers p ON p.payer_id = c.payer_id
        WHERE p.payer_type = 'medicare'""")[0]
    assert days[1] > 100
    # the distribution starts at 14 (then the next payment run: Tuesdays and Fridays)
    assert 14 <= days[0] <= 17


def test_medicaid_allows_less_than_medicare_for_each_code(con):
    per_unit = rows(con, """
        SELECT l.cpt, max(l.allowed / l.units) FILTER (WHERE p.payer_type = 'medicaid'),
               min(l.allowed / l.units) FILTER (WHERE p.payer_type = 'medicare')
        FROM line_payments l JOIN claim_payments cp USING (claim_payment_id)
        JOIN claims c USING (claim_id) JOIN payers p ON p.payer_id = c.payer_id
        WHERE l.allowed > 0 AND cp.status_code = '1'
          AND NOT EXISTS (SELECT 1 FROM adjustments a
                          WHERE a.line_payment_id = l.line_payment_id AND a.carc = '59')
        GROUP BY l.cpt HAVING count(*) FILTER (WHERE p.payer_type = 'medicaid') > 0
                          AND count(*) FILTER (WHERE p.payer_type = 'medicare') > 0""")
    assert len(per_unit) >= 5
    assert all(medicaid < medicare for _, medicaid, medicare in per_unit), per_unit


def test_denials_arrive_as_clp02_1_with_a_denial_cas(con):
    # DOMAIN.md: CLP02 4 is rare in 5010 (the payer does not recognise the patient: CO-31).
    denied, clp4 = rows(con, """
        SELECT count(*), count(*) FILTER (WHERE cp.status_code = '4')
        FROM claim_facts f JOIN claim_payments cp
             ON cp.claim_payment_id = f.first_claim_payment_id
        WHERE f.denied""")[0]
    assert denied > 100 and 0 < clp4 < 0.1 * denied
    assert one(con, """
        SELECT count(*) FROM claim_payments cp WHERE status_code = '4' AND NOT EXISTS (
            SELECT 1 FROM adjustments a WHERE a.claim_payment_id = cp.claim_payment_id
              AND a.group_code = 'CO' AND a.carc = '31')""") == 0
    # Unprocessable claims carry MA130; CO-16 + MA130, CO-31 and CO-29 are never appealed.
    assert one(con, "SELECT count(*) FROM remark_codes WHERE code = 'MA130'") > 0
    assert one(con, f"""
        SELECT count(*) FROM appeals ap JOIN claim_payments cp USING (claim_id)
        JOIN adjustments a USING (claim_payment_id)
        WHERE (a.carc IN ('29', '31') OR (a.carc = '16' AND EXISTS (
            SELECT 1 FROM remark_codes rc WHERE rc.claim_payment_id = cp.claim_payment_id
              AND rc.code = 'MA130'))) AND {DENIAL_CLASS}""") == 0


def test_appeals_overturn_both_ways(con):
    # A 22 reversal of the denial with a corrected CLP in the same remittance, or a new CLP
    # alone that replaces the denial.
    ways = dict(rows(con, """
        SELECT EXISTS (SELECT 1 FROM claim_payments r WHERE r.claim_id = a.claim_id
                       AND r.status_code = '22') AS reversed, count(*)
        FROM appeals a WHERE a.outcome = 'overturned' GROUP BY 1"""))
    assert ways.get(True, 0) > 0 and ways.get(False, 0) > 0
    # Either way the ledger settles the claim (paid, or the allowed amount went to the
    # client's deductible) and nothing stays denied.
    assert one(con, """
        SELECT count(*) FROM appeals a JOIN claim_facts f USING (claim_id)
        WHERE a.outcome = 'overturned' AND (f.denied_open <> 0 OR f.insurance_balance <> 0
                                            OR f.paid + f.patient_responsibility <= 0)""") == 0


def test_corrected_and_resubmitted_claims_are_paid_by_a_new_clp(con):
    resent = rows(con, """
        SELECT c.claim_id, c.status, f.denied_open,
               (SELECT count(*) FROM claim_payments cp WHERE cp.claim_id = c.claim_id)
        FROM claims c JOIN claim_facts f USING (claim_id)
        WHERE c.last_submitted_date > c.submitted_date""")
    assert resent
    assert any(st == "paid" and n == 2 and denied == 0 for _, st, denied, n in resent)
    assert all(st in ("submitted", "paid") for _, st, _, _ in resent)


def test_cost_share_becomes_patient_balances_paid_in_every_way(demo, con):
    figures = pytest.importorskip("metdash.figures")
    db, _ = demo
    # At the visit (naming the claim, on the service date), later naming the claim, later
    # naming none.
    ways = dict(rows(con, """
        SELECT CASE WHEN pp.claim_id IS NULL THEN 'statement'
                    WHEN pp.payment_date = c.first_service_date THEN 'at the visit'
                    ELSE 'named later' END, count(*)
        FROM patient_payments pp LEFT JOIN claims c USING (claim_id) GROUP BY 1"""))
    assert set(ways) == {"statement", "at the visit", "named later"}
    assert min(ways.values()) > 20
    # Statements: clients owe, in several aging buckets, and some have credits.
    f = figures.Filters(date_from=AS_OF - dt.timedelta(days=3 * 365), date_to=AS_OF)
    balances = figures.patient_balances(db, f)
    assert (balances.balance > 0).sum() > 20 and (balances.balance < 0).sum() > 0
    assert balances[balances.balance > 0].bucket.nunique() >= 4
    # A client never pays: written off after months (bad debt, or a small balance).
    assert one(con, """
        SELECT min(w.write_off_date - c.first_service_date) FROM write_offs w
        JOIN claims c USING (claim_id)
        WHERE w.side = 'patient' AND w.reason = 'bad_debt'""") >= 150


def test_write_offs_of_every_reason_leave_nothing_owed(con):
    by_side = rows(con, "SELECT side, reason, count(*) FROM write_offs GROUP BY ALL")
    assert {r for _, r, _ in by_side} == {"timely_filing", "small_balance", "courtesy",
                                          "bad_debt", "appeal_lost", "contractual_correction"}
    assert all(r in (INSURANCE_REASONS if side == "insurance" else PATIENT_REASONS)
               for side, r, _ in by_side)
    assert one(con, "SELECT count(*) FROM write_offs WHERE note IS NULL AND reason IN "
                    "('courtesy', 'bad_debt')") == 0
    # Each write-off takes its side of the claim to 0 (never below).
    assert one(con, """
        SELECT count(*) FROM claim_facts f WHERE
            (f.claim_id IN (SELECT claim_id FROM write_offs WHERE side = 'insurance')
             AND f.insurance_balance <> 0)
         OR (f.claim_id IN (SELECT claim_id FROM write_offs WHERE side = 'patient')
             AND f.patient_balance <> 0)""") == 0
    # The small balances go in monthly batches.
    assert one(con, "SELECT count(*) FROM write_offs WHERE reason = 'small_balance' "
                    "AND (batch_id IS NULL OR amount >= 10)") == 0


def test_pr96_and_pr204_denials_moved_to_the_client(con):
    moved = rows(con, f"""
        SELECT t.claim_id, t.amount, f.insurance_balance, p.payer_type,
               (SELECT list(DISTINCT a.group_code || '-' || a.carc) FROM claim_payments cp
                JOIN adjustments a USING (claim_payment_id)
                WHERE cp.claim_id = t.claim_id AND a.amount > 0 AND {DENIAL_CLASS})
        FROM balance_transfers t JOIN claim_facts f USING (claim_id)
        JOIN claims c USING (claim_id) JOIN payers p ON p.payer_id = c.payer_id""")
    assert moved
    for claim_id, amount, insurance, payer_type, reasons in moved:
        assert reasons in (["PR-96"], ["PR-204"]) and payer_type != "medicaid", claim_id
        assert amount > 0 and insurance == 0, claim_id


def test_recoupments_a_duplicate_and_a_post_payment_review(demo, con):
    """Two kinds of PLB WO in the demo. A payer's duplicate payment (a second paid CLP)
    taken back: the claim keeps one payment and owes nothing. A post-payment review (one
    paid CLP) taking the payment back: the claim owes that amount again to insurance, and
    it is on "Payments taken back"."""
    recouped = rows(con, """
        SELECT pa.claim_id, pa.amount, f.paid, f.insurance_balance,
               (SELECT count(*) FROM claim_payments cp
                WHERE cp.claim_id = pa.claim_id AND cp.paid > 0) AS payments
        FROM provider_adjustments pa JOIN claim_facts f USING (claim_id)
        WHERE pa.reason_code = 'WO'""")
    db, _ = demo
    listed = WORKLISTS["payments_taken_back"].fn(db, AS_OF)
    owes = dict(zip(listed.claim_id, listed.insurance_owes, strict=True))
    kinds = set()
    for claim_id, amount, paid, insurance, payments in recouped:
        kinds.add(payments)
        if payments == 2:
            assert amount == paid and insurance == 0 and claim_id not in owes, claim_id
        else:
            assert payments == 1 and paid == 0 and insurance == amount, claim_id
            assert owes[claim_id] == amount, claim_id
    assert kinds == {1, 2}
    assert len(owes) == sum(1 for r in recouped if r[4] == 1)


def test_some_claims_are_answered_in_two_parts_and_keep_their_totals(demo, con, tmp_path,
                                                                   monkeypatch):
    """A payer answers a claim's last line on its next remittance, ten days or more later
    (metdash.demo_splits; stop 52: the demo had no split claim to show). Against the same
    practice generated without splits, each split claim's money is what it was -- paid,
    allowed, contractual, cost share, both balances, status and its first payment's day --
    and only its first adjudication now answers less than the charge (so it is not a
    first-pass resolution). Every remittance still balances (test above)."""
    from metdash import demo_splits

    split = con.execute("""
        SELECT p.claim_id, list(r.payment_date ORDER BY r.payment_date) AS days,
               list(p.charge ORDER BY r.payment_date) AS charges, min(r.payer_id) AS payer,
               max(r.payer_id) AS payer_2
        FROM claim_payments p JOIN remittances r USING (remittance_id)
        WHERE p.claim_id IN (SELECT claim_id FROM claim_status_history
                             WHERE note LIKE 'ERA: paid for line %, with the earlier%')
        GROUP BY p.claim_id ORDER BY p.claim_id""").fetchall()
    assert len(split) >= 5
    for claim_id, days, charges, payer, payer_2 in split:
        assert len(days) == 2 and payer == payer_2, claim_id
        assert (days[1] - days[0]).days >= demo_splits.DAYS_LATER
        total = con.execute("SELECT total_charge FROM claims WHERE claim_id = ?",
                            [claim_id]).fetchall()[0][0]
        assert charges[0] + charges[1] == total and charges[1] > 0
    # each CLP answers lines of its own
    assert con.execute("""
        SELECT count(*) FROM (SELECT l.line_no FROM line_payments l
                              JOIN claim_payments p USING (claim_payment_id)
                              WHERE p.claim_id IN (SELECT unnest(?))
                              GROUP BY p.claim_id, l.line_no HAVING count(*) > 1)""",
                       [[r[0] for r in split]]).fetchall()[0][0] == 0

    monkeypatch.setattr(demo_splits, "ONE_IN", 10**9)   # the same practice, nothing split
    whole_db = Database(tmp_path / "whole.duckdb")
    generate(whole_db, seed=SEED, claim_lines=LINES, as_of=AS_OF)
    cols = ("claim_id, status, paid, allowed, contractual, patient_responsibility, "
            "insurance_balance, patient_balance, first_paid_date, answered")
    ids = [r[0] for r in split]
    with whole_db.connect() as w:
        before = w.execute(f"SELECT {cols}, resolved FROM claim_facts "
                           "WHERE claim_id IN (SELECT unnest(?)) ORDER BY 1", [ids]).fetchall()
        whole_paid = w.execute("SELECT sum(amount) FROM remittances").fetchall()[0][0]
    after = con.execute(f"SELECT {cols}, resolved FROM claim_facts "
                        "WHERE claim_id IN (SELECT unnest(?)) ORDER BY 1", [ids]).fetchall()
    assert [r[:-1] for r in after] == [r[:-1] for r in before]
    assert all(r[1] == "paid" for r in after)
    # paid in full at once before; answered in two parts now, not a first-pass resolution
    assert all(r[-1] for r in before) and not any(r[-1] for r in after)
    # the money that arrived is the same, in other deposits
    assert con.execute("SELECT sum(amount) FROM remittances").fetchall()[0][0] == whole_paid


def test_the_facts_are_clean_after_generate(con):
    assert facts.check(con) == []


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory):
    """The default demo practice (what ``metdash demo`` builds), as of AS_OF."""
    db = Database(tmp_path_factory.mktemp("default") / "default.duckdb")
    generate(db, seed=SEED, as_of=AS_OF)
    return db


@pytest.mark.parametrize("key", list(WORKLISTS))
def test_every_work_list_has_rows_on_the_default_demo(default_demo, key):
    assert key in WORKLISTS
    assert len(WORKLISTS[key].fn(default_demo, AS_OF)) > 0, key


# -- ensure_demo and the command ----------------------------------------------------------

def test_if_missing_leaves_an_existing_practice_untouched(demo, tmp_path):
    db, _ = demo
    path = tmp_path / "copy.duckdb"
    db.release()  # fold the write-ahead log in before copying the file
    shutil.copy(db.path, path)
    before = table_hashes(path)
    result = CliRunner().invoke(main, ["demo", "--db", str(path), "--if-missing"])
    assert result.exit_code == 0, result.output
    assert "left untouched" in result.output
    assert table_hashes(path) == before
    assert ensure_demo(Database(path), claim_lines=3000, as_of=AS_OF) is False
    assert table_hashes(path) == before


def test_command_builds_a_practice_when_missing(tmp_path):
    path = tmp_path / "new.duckdb"
    result = CliRunner().invoke(main, ["demo", "--db", str(path), "--if-missing", "--seed", "5",
                                       "--claim-lines", "3000", "--as-of", "2025-01-31"])
    assert result.exit_code == 0, result.output
    assert "claim lines" in result.output and "\n" == result.output[-1]
    assert len(result.output.strip().splitlines()) == 1
    db = Database(path)
    assert db.scalar("SELECT max(session_date) FROM sessions") <= dt.date(2025, 1, 31)
    assert db.scalar("SELECT is_demo FROM practice") is True


def test_command_rejects_a_bad_date(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--db", str(tmp_path / "x.duckdb"),
                                       "--as-of", "30/06/2025"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "--as-of" in result.output
