"""What a new practice file still needs before its first claim: the setup checklist that the
empty Overview shows (practice → providers → payers and fees → clearinghouse settings and
payer ids → first client → first session → first claim), each step done or not, read from the store."""

from __future__ import annotations

from dataclasses import dataclass

from metdash.entry.clearinghouse import REQUIRED, clearinghouse_problems
from metdash.store import Database

__all__ = ["SetupStep", "setup_steps"]


@dataclass(frozen=True)
class SetupStep:
    """One step: what to do, whether it is done, what the store has, and where to do it
    (a page file in pages/ and, on Settings, its tab)."""

    title: str
    done: bool
    detail: str
    page: str


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def setup_steps(db: Database) -> list[SetupStep]:
    """The checklist, in the order a practice sets up (each step builds on the one before)."""
    # One row per count, not one column each: DuckDB plans nine scalar subqueries in one
    # SELECT as a cross product whose planning grows steeply with their number (~30-50 ms
    # at any size, where the nine counts take ~3 ms).
    counts = db.query("""
        SELECT 'practice' AS step, count(*) AS n FROM practice
        WHERE coalesce(trim(name), '') <> '' AND coalesce(trim(billing_npi), '') <> ''
          AND coalesce(trim(tax_id), '') <> '' AND coalesce(trim(address_line1), '') <> ''
        UNION ALL SELECT 'providers', count(*) FROM providers WHERE active
        UNION ALL SELECT 'payers', count(*) FROM payers
        UNION ALL SELECT 'fees', count(*) FROM fee_schedule
        UNION ALL SELECT 'payers_without_id', count(*) FROM payers
                  WHERE coalesce(trim(clearinghouse_payer_id), '') = ''
        UNION ALL SELECT 'clients', count(*) FROM clients
        UNION ALL SELECT 'referrers', count(*) FROM referrers
        UNION ALL SELECT 'sessions', count(*) FROM sessions
        UNION ALL SELECT 'claims', count(*) FROM claims""")
    c = {str(k): int(v) for k, v in zip(counts.step, counts.n, strict=True)}
    with db.connect() as con:
        missing = {p.field for p in clearinghouse_problems(con)}
    ch_detail = ("settings on file" if not missing else "settings not entered yet"
                 if len(missing) == len(REQUIRED) else
                 f"{_plural(len(missing), 'setting')} missing or wrong")
    return [
        SetupStep("Your practice: name, billing NPI, tax id and address", c["practice"] > 0,
                  "on file" if c["practice"] else "not entered yet (claims need all four)",
                  "settings.py#Practice"),
        SetupStep("Providers: the trainers and therapists who bill", c["providers"] > 0,
                  _plural(c["providers"], "active provider"), "settings.py#Providers"),
        SetupStep("Payers and your fees", c["payers"] > 0 and c["fees"] > 0,
                  f"{_plural(c['payers'], 'payer')}, {_plural(c['fees'], 'fee')} in the fee "
                  "schedule", "settings.py#Payers"),
        SetupStep("Clearinghouse: your submitter and receiver ids, and each payer's id for "
                  "electronic claims",
                  not missing and c["payers"] > 0 and c["payers_without_id"] == 0,
                  ch_detail + "; " + ("add payers first" if not c["payers"] else
                                      "every payer has its id" if not c["payers_without_id"]
                                      else f"{_plural(c['payers_without_id'], 'payer')} "
                                      "without its id"),
                  "settings.py#Clearinghouse"),
        SetupStep("Your first client (and who referred them)", c["clients"] > 0,
                  f"{_plural(c['clients'], 'client')}, {_plural(c['referrers'], 'referrer')}",
                  "clients.py"),
        SetupStep("Your first session", c["sessions"] > 0, _plural(c["sessions"], "session"),
                  "sessions.py"),
        SetupStep("Your first claim", c["claims"] > 0, _plural(c["claims"], "claim"),
                  "claims.py"),
    ]
