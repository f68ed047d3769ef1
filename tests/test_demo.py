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
from metdash.store import Database

# DEMO_TEST_SEED / DEMO_TEST_AS_OF let one run the same checks on other practices.
SEED = int(os.environ.get("DEMO_TEST_SEED", "7"))
AS_OF = dt.date.fromisoformat(os.environ.get("DEMO_TEST_AS_OF", "2025-06-30"))
LINES = 6000
DENIAL_CARCS = {"50", "197", "16", "29", "97", "4", "204", "119", "151", "27", "11", "18"}


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
    s2 = generate(db, seed=2, claim_lines=3000, as_of=AS_OF)
    assert db.scalar("SELECT count(*) FROM practice") == 1
    assert db.scalar("SELECT count(*) FROM claims") == s2.claims
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'demo generated'") == 2
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
    # Medicare allows the least for every code; commercial plans more; never above charge.
    bad = rows(con, """
        SELECT f.cpt FROM payer_fee_schedule f JOIN payers p USING (payer_id)
        JOIN fee_schedule s USING (cpt)
        GROUP BY f.cpt
        HAVING min(f.allowed_amount) <> min(f.allowed_amount) FILTER (WHERE p.payer_type = 'medicare')
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
    # Status agrees with the remittances.
    assert one(con, """
        SELECT count(*) FROM claims WHERE status IN ('draft', 'ready', 'submitted', 'voided')
          AND claim_id IN (SELECT claim_id FROM claim_payments)""") == 0
    assert one(con, """
        SELECT count(*) FROM claims WHERE status IN ('draft', 'ready') AND submitted_date
          IS NOT NULL""") == 0
    assert one(con, """
        SELECT count(*) FROM claims c WHERE status = 'denied' AND
          (SELECT arg_max(status_code, claim_payment_id) FROM claim_payments p
           WHERE p.claim_id = c.claim_id) <> '4'""") == 0
    assert one(con, """
        SELECT count(*) FROM claims c WHERE status = 'partially_paid' AND NOT EXISTS (
          SELECT 1 FROM claim_payments p JOIN line_payments l USING (claim_payment_id)
          JOIN adjustments a USING (line_payment_id)
          WHERE p.claim_id = c.claim_id AND l.paid = 0 AND a.group_code = 'CO'
            AND a.carc NOT IN ('45', '253'))""") == 0
    # A paid claim: its latest adjudication is processed (1) with no denied line.
    assert one(con, """
        SELECT count(*) FROM claims c WHERE status = 'paid' AND EXISTS (
          SELECT 1 FROM claim_payments p JOIN adjustments a USING (claim_payment_id)
          WHERE p.claim_id = c.claim_id AND a.group_code = 'CO' AND a.carc NOT IN ('45', '253')
            AND p.claim_payment_id = (SELECT max(claim_payment_id) FROM claim_payments q
                                      WHERE q.claim_id = c.claim_id))""") == 0


def test_no_dates_after_as_of(con):
    for table, col in [("sessions", "session_date"), ("claims", "submitted_date"),
                       ("claim_status_history", "status_date"),
                       ("remittances", "payment_date"), ("patient_payments", "payment_date"),
                       ("appeals", "filed_date"), ("appeals", "outcome_date"),
                       ("referrals", "received_date")]:
        assert one(con, f"SELECT count(*) FROM {table} WHERE {col} > ?", [AS_OF]) == 0, table


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
    denial = {c for g, c in carcs if not (g == "PR" or c in ("45", "253"))}
    assert denial and denial <= DENIAL_CARCS
    assert len(denial) >= 8
    assert one(con, "SELECT count(*) FROM remark_codes") > 0


def test_denial_rate_and_mix(con):
    rate = one(con, """
        WITH first AS (SELECT claim_id, arg_min(claim_payment_id, claim_payment_id) AS id
                       FROM claim_payments GROUP BY 1)
        SELECT avg((EXISTS (SELECT 1 FROM adjustments a JOIN line_payments l USING (line_payment_id)
                            WHERE a.claim_payment_id = f.id AND l.paid = 0
                              AND a.group_code <> 'PR' AND a.carc NOT IN ('45', '253')))::INT)
        FROM first f""")
    assert 0.05 <= rate <= 0.16
    # Denial rates differ by payer (workers' comp and Medicaid above Medicare).
    by = dict(rows(con, """
        SELECT p.payer_type, avg((cp.status_code = '4')::INT) FROM claim_payments cp
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
    assert one(con, """
        SELECT count(*) FROM patient_payments pp JOIN (
          SELECT claim_id, sum(patient_responsibility) AS pr FROM claim_payments GROUP BY 1
        ) c USING (claim_id) WHERE pp.amount > c.pr""") == 0


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
