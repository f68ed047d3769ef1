"""The synthetic demo practice, deterministic from a seed.

:func:`generate` empties every data table and the audit log (it refuses a store that holds
anything but the demo, unless told to replace it) and fills the store with a practice a
Medical Exercise Professional would recognise: trainers, payers with their own rules and
speeds, referrers (a few send most clients, some are new, some have gone quiet), referrals with
billable ICD-10-CM codes, episodes of care, sessions with minutes per CPT code, claims,
835-style remittances that balance (Medicare paying from day 14, Medicaid allowing the
least), denials (most CLP02 1 with a denial CAS) and how each ends -- paid on appeal,
corrected and resubmitted, moved to the client, or written off with a reason --,
reversals, the clients' payments, write-offs and refunds, and open insurance and patient
A/R in every aging bucket as of ``as_of``; every work list has rows.

Everything is generated column-wise with numpy and loaded through Arrow tables (one
``INSERT ... SELECT`` per table), so a million claim lines take seconds, not hours.
Money is handled as integer cents and loaded as exact ``decimal128(12, 2)``; no float
ever touches a balance. Same seed + same ``as_of`` gives byte-identical tables: every
timestamp is derived from the generated dates, never from the clock (only the one audit
row that records the generation carries the real time).

All names are synthetic (first names with tree and plant surnames); no real patient data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from metdash import demo_acks, demo_denials
from metdash.coding.mbi import synthetic_mbi
from metdash.demo_clearinghouse import add_clearinghouse_and_places
from metdash.demo_corrections import add_corrections
from metdash.demo_secondary import add_secondary_claims
from metdash.demo_splits import split_claims
from metdash.errors import NotTheDemo
from metdash.store import Database, audit, bulk, facts, insert_frame

EPOCH = dt.date(1970, 1, 1)
DAY_US = 86_400_000_000

# ----------------------------------------------------------------------------------------
# Reference data (our own plain words, never the AMA's CPT descriptors)
# ----------------------------------------------------------------------------------------

# (code, our description, timed, is_evaluation, practice charge per unit in cents)
CPT_TABLE: list[tuple[str, str, bool, bool, int]] = [
    ("97161", "PT evaluation, low complexity", False, True, 16000),
    ("97162", "PT evaluation, moderate complexity", False, True, 18000),
    ("97163", "PT evaluation, high complexity", False, True, 20000),
    ("97164", "PT re-evaluation", False, True, 11000),
    ("97110", "therapeutic exercise: strength, endurance, range of motion, flexibility",
     True, False, 5200),
    ("97112", "neuromuscular re-education: balance, coordination, posture, proprioception",
     True, False, 5500),
    ("97530", "therapeutic activities: dynamic functional tasks", True, False, 5800),
    ("97116", "gait training", True, False, 5000),
    ("97140", "manual therapy", True, False, 4800),
    ("97535", "self-care / home management training", True, False, 5000),
    ("97750", "physical performance test or measurement", True, False, 5500),
    ("97150", "therapeutic procedures in a group", False, False, 3000),
]
CODES = np.array([c[0] for c in CPT_TABLE])
TIMED = np.array([c[2] for c in CPT_TABLE])
FEE_CENTS = np.array([c[4] for c in CPT_TABLE], dtype=np.int64)
COL = {c: i for i, c in enumerate(CODES)}
TREATMENT_COLS = np.array([COL[c] for c in ("97110", "97112", "97530", "97116", "97140",
                                             "97535")])
TREATMENT_WEIGHTS = np.array([0.38, 0.18, 0.20, 0.06, 0.12, 0.06])

# Billable ICD-10-CM codes (each checked with simple_icd_10_cm.is_leaf in the tests).
PRIMARY_DX = ["M54.50", "M17.11", "M17.12", "M25.561", "M62.81", "R26.89", "Z96.651",
              "M75.101", "M54.2", "G20.A1", "M16.11", "M48.061", "I69.351", "M54.16",
              "Z47.1", "M25.562"]
PRIMARY_DX_W = [14, 10, 6, 7, 8, 8, 6, 5, 6, 3, 5, 4, 3, 4, 4, 3]
COMORBID_DX = ["E11.9", "I10", "E66.9", "M81.0", "R53.1", "Z91.81", "I50.9", "J44.9"]
COMORBID_DX_W = [20, 25, 15, 10, 8, 10, 6, 6]
WC_DX = ["M54.50", "M25.511", "S83.511A", "M75.101", "M54.2", "M25.561"]
WC_DX_W = [30, 15, 15, 15, 15, 10]
DX_LABELS = list(dict.fromkeys(PRIMARY_DX + COMORBID_DX + WC_DX))
DX_IDX = {c: i for i, c in enumerate(DX_LABELS)}

FIRST_NAMES = ["Ada", "Ben", "Cora", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo",
               "Kai", "Lena", "Milo", "Nora", "Otto", "Pia", "Quinn", "Rosa", "Sam", "Tess",
               "Umar", "Vera", "Wes", "Xena", "Yuri", "Zoe", "Abe", "Bea", "Cal", "Dora",
               "Ezra", "Flo", "Gil", "Hope", "Ike", "June", "Kit", "Lou", "Mae", "Ned"]
# Tree, plant and bird surnames: plainly made up, never someone's chart.
LAST_NAMES = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fern", "Ginkgo", "Hazel",
              "Ivy", "Juniper", "Kestrel", "Larch", "Maple", "Nettle", "Oakley", "Pine",
              "Quince", "Rowan", "Sorrel", "Thistle", "Umber", "Willow", "Yarrow", "Aspen",
              "Bramble", "Clover", "Heron", "Finch", "Linden", "Sparrow", "Teasel", "Wren",
              "Poplar", "Laurel", "Myrtle", "Osprey", "Plover", "Robin", "Sage", "Tansy"]
STREETS = ["Demo", "Sample", "Example", "Test", "Placeholder", "Mock", "Fictional", "Pretend"]

# Payers: name, type, clearinghouse id, timely filing, appeal window, units rule,
# referral?, prior auth?, usual lag, share of clients, first-pass denial rate,
# line-denial rate, payment weekdays (Mon=0), method, TRN03 company id.
PAYERS: list[dict[str, Any]] = [
    dict(name="Medicare Part B (demo jurisdiction)", type="medicare", chid="MCRJF",
         filing=365, appeal=120, rule="cms", ref=True, auth=False, lag=14, share=0.32,
         deny=0.05, line_deny=0.05, runs=(1, 4), method="ACH", trn="1900000001"),
    dict(name="Silverline Medicare Advantage", type="medicare_advantage", chid="SLMA1",
         filing=365, appeal=60, rule="cms", ref=True, auth=True, lag=21, share=0.12,
         deny=0.09, line_deny=0.03, runs=(2,), method="ACH", trn="1900000002"),
    dict(name="Evergreen State Medicaid", type="medicaid", chid="ESMCD",
         filing=180, appeal=90, rule="cms", ref=True, auth=True, lag=30, share=0.10,
         deny=0.12, line_deny=0.03, runs=(0,), method="ACH", trn="1900000003"),
    dict(name="Cascade Mutual PPO", type="commercial", chid="CSCD1",
         filing=180, appeal=180, rule="per_code", ref=False, auth=False, lag=25, share=0.11,
         deny=0.07, line_deny=0.03, runs=(3,), method="ACH", trn="1900000004"),
    dict(name="Summit Health Plan", type="commercial", chid="SUMHP",
         filing=90, appeal=180, rule="per_code", ref=False, auth=False, lag=32, share=0.10,
         deny=0.08, line_deny=0.03, runs=(1,), method="ACH", trn="1900000005"),
    dict(name="Pinecrest Benefits", type="commercial", chid="PNCR1",
         filing=120, appeal=90, rule="cms", ref=False, auth=False, lag=38, share=0.08,
         deny=0.10, line_deny=0.04, runs=(2,), method="CHK", trn="1900000006"),
    dict(name="Lakeside Choice HMO", type="commercial", chid="LKSHM",
         filing=90, appeal=120, rule="per_code", ref=True, auth=True, lag=45, share=0.07,
         deny=0.06, line_deny=0.03, runs=(4,), method="ACH", trn="1900000007"),
    dict(name="Keystone Workers' Comp", type="workers_comp", chid="KSWC1",
         filing=365, appeal=90, rule="per_code", ref=True, auth=True, lag=68, share=0.10,
         deny=0.13, line_deny=0.03, runs=(3,), method="CHK", trn="1900000008"),
]
# What each payer allows, as a share of the practice's charge: Medicaid lowest (a state
# Medicaid fee schedule sits below Medicare's for the same code), then Medicare.
ALLOWED_SHARE = {"medicare": 0.52, "medicare_advantage": 0.60, "medicaid": 0.44,
                 "commercial": (0.72, 0.80, 0.68, 0.85), "workers_comp": 0.90}

# First-adjudication denial reasons (whole claim) by payer type: CARC -> weight. They arrive
# as CLP02 1 with the reason's CAS on every line (group CO; PR for PR_DENIALS, which the
# client may owe); a few % as CLP02 4 with CO-31 instead (the payer does not recognise the
# patient: rare in 5010).
CLAIM_CARCS: dict[str, dict[str, float]] = {
    "medicare": {"50": 28, "16": 20, "4": 14, "151": 10, "119": 8, "18": 10, "11": 6, "29": 4},
    "medicare_advantage": {"197": 30, "50": 20, "16": 15, "4": 10, "27": 10, "18": 10,
                           "29": 5, "96": 6},
    "medicaid": {"197": 30, "16": 20, "27": 15, "29": 10, "204": 10, "50": 10, "18": 5},
    "commercial": {"197": 22, "50": 18, "16": 15, "204": 12, "27": 10, "29": 8, "119": 8,
                   "18": 7, "96": 8},
    "workers_comp": {"197": 30, "16": 25, "50": 20, "11": 15, "18": 10},
}
PR_DENIALS = ("96", "204")   # PR-96 not covered, PR-204 not covered by the plan
# Line-level denials: bundling (on 97140), frequency, benefit maximum, modifier, diagnosis.
LINE_CARCS = {"97": 45, "151": 20, "119": 15, "4": 10, "11": 10}
# Remarks on denied lines; a CO-16 carries MA130 (unprocessable) when it is to be corrected
# and resubmitted, else one of these.
REMARKS = {"50": ["N115"], "16": ["N290", "M20"], "4": ["M20"], "97": ["M15"],
           "197": ["N54"], "29": ["N211"]}
# Share of whole-claim denials appealed, by reason. Never CO-29 (timely filing: written off),
# CO-16 + MA130 or CO-31 (corrected and resubmitted instead).
APPEAL_RATE = {"50": 0.5, "197": 0.45, "16": 0.45, "4": 0.4, "151": 0.4, "119": 0.3,
               "11": 0.45, "27": 0.1, "204": 0.2, "96": 0.2, "18": 0.05}
# The payer that reduces a second procedure under its multiple-procedure rules (CO-59).
MPPR_PAYER = "Pinecrest Benefits"
PAYER_INDEX = {x["name"]: i for i, x in enumerate(PAYERS)}
# The practice's own write-offs (migration 0011's reasons) and the notes the demo gives them.
WRITE_OFF_REASONS = ("timely_filing", "small_balance", "courtesy", "bad_debt", "appeal_lost",
                     "contractual_correction")
WRITE_OFF_NOTES = ("no payer response within timely filing",
                   "CO-29: filed after the payer's deadline",
                   "not corrected and resubmitted within the filing limit",
                   "appeal upheld", "appeal withdrawn",
                   "not appealed within the payer's appeal window",
                   "CO-18: a duplicate of a claim already received",
                   "CO-97: bundled into another service on the claim",
                   "CO-59: the contract's multiple-procedure reduction",
                   "a balance under $5",
                   "a balance under $10 after the client's payments",
                   "three statements sent, no answer: sent to collections",
                   "financial hardship, approved by the owner")
SMALL_INSURANCE_CENTS = 500    # insurance balances under $5: the month's small-balance batch
SMALL_PATIENT_CENTS = 1000     # a client's balance under $10 left unpaid: likewise
TRANSFER_REASONS = {"96": "PR-96 not covered: the client signed the waiver before the visit",
                    "204": "PR-204 not covered by the plan: the client agreed in writing to pay"}
# Payment events of a claim (the order they take in one remittance).
K_FIRST, K_REVERSAL, K_AFTER_REVERSAL, K_APPEAL, K_RESUBMITTED, K_DUPLICATE = range(6)
NEVER = 10**9   # a day that never comes (no such event)
# Medicare pays a clean electronic claim no earlier than this many days after submission.
MEDICARE_PAYMENT_FLOOR = 14
# Medicare Part B deductible by calendar year (cents); other years use the nearest.
MEDICARE_DEDUCTIBLE = {2022: 23300, 2023: 22600, 2024: 24000, 2025: 25700, 2026: 28300}

REFERRER_KINDS = [  # kind, share, specialties
    ("physician", 0.45, ["Family Medicine", "Internal Medicine", "Geriatrics"]),
    ("physical_therapist", 0.25, ["Physical Therapy"]),
    ("specialist", 0.20, ["Orthopedic Surgery", "Neurology", "Cardiology", "Endocrinology",
                          "Rheumatology", "Sports Medicine"]),
    ("other", 0.10, ["Chiropractic", "Occupational Medicine", "Athletic Training",
                     "Case Management"]),
]
ORGS = ["Riverbend Family Medicine", "Hilltop Internal Medicine", "Northside Orthopedics",
        "Valley Neurology Group", "Lakeview Physical Therapy", "Summit Sports Medicine",
        "Brookside Cardiology", "Meadow Endocrine Clinic", "Cedar Chiropractic",
        "Harbor Occupational Health", "Westgate Rheumatology", "Elm Street PT"]

STATUS_LABELS = ["draft", "ready", "submitted", "paid", "partially_paid", "denied",
                 "appealed", "closed", "voided"]
S = {s: i for i, s in enumerate(STATUS_LABELS)}

DEFAULT_YEARS = 3
DEFAULT_TRAINERS = 6
REFERRALS_PER_TRAINER_YEAR = 120
NOMINAL_DEFAULT_LINES = 50_000   # roughly what the default size gives; scales --claim-lines
CONVERSION = 0.82


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate` built, and how long it took."""

    seed: int
    as_of: dt.date
    years: int
    providers: int
    payers: int
    referrers: int
    clients: int
    referrals: int
    sessions: int
    claims: int
    claim_lines: int
    remittances: int
    seconds: float

    def line(self) -> str:
        """One line for the command line."""
        trainers = "trainer" if self.providers == 1 else "trainers"
        return (f"Demo practice (seed {self.seed}, as of {self.as_of}): {self.years} years, "
                f"{self.providers} {trainers}, {self.payers} payers, {self.referrers} referrers, "
                f"{self.clients:,} clients, {self.referrals:,} referrals, "
                f"{self.sessions:,} sessions, {self.claims:,} claims, "
                f"{self.claim_lines:,} claim lines, {self.remittances:,} remittances "
                f"in {self.seconds:.1f} s.")


# ----------------------------------------------------------------------------------------
# Small pure rules (also used by the tests)
# ----------------------------------------------------------------------------------------

def npi_check_digit(base9: str) -> int:
    """The Luhn check digit of a 9-digit NPI base, computed over '80840' + base."""
    total = 0
    for i, ch in enumerate(reversed("80840" + base9)):
        d = int(ch)
        if i % 2 == 0:  # the rightmost payload digit is doubled
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def units_matrix(minutes: np.ndarray, timed: np.ndarray, cms: np.ndarray) -> np.ndarray:
    """Billable units for many sessions at once.

    ``minutes``: (sessions, codes) minutes per code; ``timed``: (codes,) which codes are
    15-minute timed; ``cms``: (sessions,) True for the CMS 8-minute rule, False for the
    per-code rule. Untimed codes bill 1 unit when they have any minutes.

    CMS (DOMAIN.md): total timed minutes -> units (8-22 = 1, 23-37 = 2, ...), i.e.
    (total + 7) // 15; each code gets one unit per full 15 minutes, the left-over units go
    to the codes with the most remaining minutes (ties: more minutes first, then column
    order, as in :func:`metdash.coding.units.billable_units` given the codes in column
    order). Per code: minutes // 15, plus one if the remainder is at least 8.
    """
    m = np.asarray(minutes, dtype=np.int64)
    n, k = m.shape
    tm = np.where(timed[None, :], m, 0)
    base = tm // 15
    rem = tm % 15
    per_code = base + (rem >= 8)
    total_units = (tm.sum(axis=1) + 7) // 15
    extra = total_units - base.sum(axis=1)
    order = np.argsort(-(rem * 100_000 + tm), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(k), (n, k)).copy(), axis=1)
    cms_units = base + (ranks < extra[:, None])
    timed_units = np.where(np.asarray(cms, dtype=bool)[:, None], cms_units, per_code)
    untimed_units = (m > 0).astype(np.int64)
    return np.where(timed[None, :], timed_units, untimed_units)


# ----------------------------------------------------------------------------------------
# Arrow helpers: exact money, dates, categorical strings, lists
# ----------------------------------------------------------------------------------------

def _money(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """decimal128(12, 2) from int64 cents, exactly (no float on the way)."""
    c = np.ascontiguousarray(cents, dtype=np.int64)
    buf = np.empty((len(c), 2), dtype=np.int64)
    buf[:, 0] = c
    buf[:, 1] = c >> 63  # sign extension into the high word
    bitmap = None
    nulls = 0
    if valid is not None:
        valid = np.asarray(valid, dtype=bool)
        nulls = int((~valid).sum())
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.decimal128(12, 2), len(c), [bitmap, pa.py_buffer(buf)],
                                 null_count=nulls)


def _date(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.int32(), mask=mask).view(
        pa.date32())


def _ts(micros: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(micros, dtype=np.int64), type=pa.int64()).view(
        pa.timestamp("us"))


def _cat(idx: np.ndarray, labels: list[str] | np.ndarray,
         valid: np.ndarray | None = None) -> pa.Array:
    """Strings from indices into a small label list."""
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    indices = pa.array(np.asarray(idx, dtype=np.int32), type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), pa.string())).cast(
        pa.string())


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'C0000123'-style ids, vectorized."""
    text = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    text = pc.utf8_lpad(text, width=width, padding="0")
    return pc.binary_join_element_wise(prefix, text, "")


def _int(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=mask)


def _list(counts: np.ndarray, values: pa.Array) -> pa.Array:
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values)


def _insert(con: Any, table: str, columns: Mapping[str, pa.Array | list[Any]]) -> int:
    """Bulk-insert columns as one Arrow table by column name."""
    return insert_frame(con, table, pa.table(dict(columns)))


def _pick(rng: np.random.Generator, weights: Any, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    cw = np.cumsum(np.asarray(weights, dtype=float))
    return np.searchsorted(cw / cw[-1], rng.random(size), side="right").clip(0, len(cw) - 1)


def _weekday(days: np.ndarray) -> np.ndarray:
    return (np.asarray(days) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0


def _busday(days: np.ndarray, offset: np.ndarray | int = 0) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return np.busday_offset(d, offset, roll="forward").astype(np.int64)


def _batch_day(days: np.ndarray) -> np.ndarray:
    """The first business day of the month after each day (the month's batch write-off)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = (d.astype("datetime64[M]") + 1).astype("datetime64[D]")
    return np.busday_offset(month, 0, roll="forward").astype(np.int64)


def _rank_in_group(group: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within runs of equal values of a sorted ``group`` array."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, group[1:] != group[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    return np.arange(n) - first


def _npis(rng: np.random.Generator, n: int) -> list[str]:
    bases = rng.choice(10**8, size=n, replace=False) + 10**8
    return [f"{b}{npi_check_digit(str(b))}" for b in bases]


# ----------------------------------------------------------------------------------------
# The plan: practice, referrals, episodes, sessions, units (cheap; used to size the demo)
# ----------------------------------------------------------------------------------------

@dataclass
class _Size:
    years: int
    trainers: int
    referrers: int
    referrals: int


def _size_for(claim_lines: int | None) -> _Size:
    if claim_lines is None:
        years, trainers, referrers = DEFAULT_YEARS, DEFAULT_TRAINERS, 40
    else:
        f = max(claim_lines, 1) / NOMINAL_DEFAULT_LINES
        years = DEFAULT_YEARS if f <= 1 else min(6, DEFAULT_YEARS + int(math.log2(f)))
        trainers = max(1, round(DEFAULT_TRAINERS * f * DEFAULT_YEARS / years))
        referrers = 40 if f <= 1 else round(40 * math.sqrt(f))
    referrals = round(trainers * years * REFERRALS_PER_TRAINER_YEAR)
    return _Size(years, trainers, referrers, referrals)


class _Plan:
    """Referrals, episodes and sessions for one size (all numpy arrays)."""

    def __init__(self, seed: int, as_of: dt.date, size: _Size) -> None:
        self.seed = seed
        self.size = size
        self.as_of = (as_of - EPOCH).days
        self.start = self.as_of - 365 * size.years
        self.payer_rule_cms = np.array([p["rule"] == "cms" for p in PAYERS])
        self._practice()
        self._referrals()
        self._sessions()

    def rng(self, stage: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([self.seed, stage]))

    # -- practice ---------------------------------------------------------------------
    def _practice(self) -> None:
        rng = self.rng(1)
        size = self.size
        n_ref = size.referrers
        npis = _npis(rng, 1 + size.trainers + n_ref)
        self.practice_npi, self.provider_npis, self.referrer_npis = (
            npis[0], npis[1:1 + size.trainers], npis[1 + size.trainers:])
        self.tax_id = f"{rng.integers(10, 99)}-{rng.integers(10**6, 10**7)}"
        # Referrers: kinds in fixed shares, Zipf-like weights in a random order.
        kinds = []
        for kind, share, specs in REFERRER_KINDS:
            kinds += [(kind, specs)] * max(1, round(share * n_ref))
        kinds = (kinds * 2)[:n_ref]
        self.ref_kind = [k for k, _ in kinds]
        self.ref_specialty = [specs[int(rng.integers(len(specs)))] for _, specs in kinds]
        rank = rng.permutation(n_ref) + 1
        self.ref_weight = 1.0 / rank ** 1.15
        self.ref_start = np.full(n_ref, self.start - 1)
        self.ref_end = np.full(n_ref, self.as_of + 1)
        n_new = max(3, round(0.08 * n_ref))
        n_quiet = max(3, round(0.08 * n_ref))
        by_rank = np.argsort(rank)
        # New: a few mid-ranked referrers whose first referral came in the last weeks.
        self.ref_new = by_rank[n_ref // 3: n_ref // 3 + n_new]
        self.ref_start[self.ref_new] = self.as_of - rng.integers(15, 36, n_new)
        self.ref_weight[self.ref_new] = self.ref_weight[by_rank[2]]
        # Gone quiet: busy referrers whose last referral was 3-8 months ago.
        self.ref_quiet = by_rank[3: 3 + n_quiet]
        self.ref_end[self.ref_quiet] = self.as_of - rng.integers(95, 240, n_quiet)

    # -- referrals --------------------------------------------------------------------
    def _referrals(self) -> None:
        rng = self.rng(2)
        n = self.size.referrals
        span = self.as_of - self.start
        # A practice that grows ~40% over the period: density 1 + a t on [0, 1].
        a = 0.4
        u = np.sort(rng.random(n))
        t = (-1 + np.sqrt(1 + 2 * a * u * (1 + a / 2))) / a
        received = self.start + np.floor(t * span).astype(np.int64)
        received = np.minimum(_busday(received), self.as_of)
        self.received = received
        # Referrer per referral, among those active on the day.
        active = ((received[:, None] >= self.ref_start[None, :])
                  & (received[:, None] <= self.ref_end[None, :]))
        w = np.where(active, self.ref_weight[None, :], 0.0)
        cw = np.cumsum(w, axis=1)
        pick = (cw < (rng.random(n) * cw[:, -1])[:, None]).sum(axis=1)
        # Every new referrer has sent a referral or two since it started.
        taken = np.zeros(n, dtype=bool)
        for _ in range(2):
            for r in self.ref_new:
                window = np.nonzero((received >= self.ref_start[r]) & ~taken)[0]
                if len(window):
                    i = rng.choice(window)
                    pick[i], taken[i] = r, True
        self.referrer = pick
        # The client's payer, age, sex.
        self.payer = _pick(rng, [p["share"] for p in PAYERS], n)
        types = np.array([p["type"] for p in PAYERS])[self.payer]
        senior = (types == "medicare") | (types == "medicare_advantage")
        age = np.where(senior, rng.integers(65, 91, n), rng.integers(20, 65, n))
        self.dob = received - age * 365 - rng.integers(0, 365, n)
        self.sex = _pick(rng, [58, 42], n)
        # Returning clients: some referrals are for a client seen 4-13 months before
        # (same payer, same birth date); their visits add up over a year (KX, deductibles).
        back = np.searchsorted(received, received - rng.integers(120, 400, n))
        idx = np.arange(n)
        client = np.where((rng.random(n) < 0.12) & (back < idx), back, idx)
        while True:  # follow chains back to each client's first referral
            nxt = client[client]
            if np.array_equal(nxt, client):
                break
            client = nxt
        self.client = client
        self.payer = self.payer[client]
        self.dob = self.dob[client]
        self.sex = self.sex[client]
        types = types[client]
        senior = senior[client]
        # Diagnoses: a primary code, and 0-2 comorbidities (workers' comp: injury codes).
        wc = types == "workers_comp"
        dx = np.full((n, 3), -1, dtype=np.int64)
        prim = np.array([DX_IDX[c] for c in PRIMARY_DX])[_pick(rng, PRIMARY_DX_W, n)]
        wcd = np.array([DX_IDX[c] for c in WC_DX])[_pick(rng, WC_DX_W, n)]
        dx[:, 0] = np.where(wc, wcd, prim)
        g = np.log(np.array(COMORBID_DX_W, float))[None, :] + rng.gumbel(size=(n, len(COMORBID_DX)))
        top2 = np.argsort(-g, axis=1)[:, :2]
        comorb = np.array([DX_IDX[c] for c in COMORBID_DX])[top2]
        ndx = np.where(wc, 1, 1 + _pick(rng, [45, 35, 20], n))
        dx[:, 1] = np.where(ndx >= 2, comorb[:, 0], -1)
        dx[:, 2] = np.where(ndx >= 3, comorb[:, 1], -1)
        self.dx, self.ndx = dx, ndx
        needs_auth = np.array([p["auth"] for p in PAYERS])[self.payer]
        auth = np.array([12, 16, 20, 24])[_pick(rng, [30, 30, 20, 20], n)]
        self.auth_valid = needs_auth | (rng.random(n) < 0.4)
        self.auth_visits = np.where(self.auth_valid, auth, 0)
        self.expiry = received + np.where(senior, 90, 180)
        self.trainer = rng.integers(0, self.size.trainers, n)
        # 82% become clients; most start within 30 days.
        conv = np.zeros(n, dtype=bool)
        conv[rng.permutation(n)[:round(CONVERSION * n)]] = True
        self.converted = conv
        delay = np.where(rng.random(n) < 0.95, rng.integers(2, 27, n), rng.integers(32, 50, n))
        self.first_session = _busday(received + delay)
        planned = 6 + rng.binomial(18, 0.45, n)
        planned = np.where(self.auth_valid, np.minimum(planned, self.auth_visits), planned)
        self.planned = np.where(conv, planned, 0)

    def _weekly_phase(self) -> np.ndarray:
        """Per referral: the client steps down to weekly visits after the 8th (a maintenance
        phase), so some are still in treatment near day 90 of their plan of care. At least
        three clients evaluated 77-88 days before ``as_of`` are (their authorization and
        referral extended to 22 visits): the recertification work list has rows."""
        rng = self.rng(22)
        n = len(self.planned)
        weekly = self.converted & (self.planned >= 12) & (rng.random(n) < 0.03)
        age = self.as_of - self.first_session
        cand = np.nonzero(self.converted & (age >= 77) & (age <= 88))[0]
        pick = rng.choice(cand, size=min(3, len(cand)), replace=False)
        weekly[pick] = True
        self.planned[pick] = np.maximum(self.planned[pick], 22)
        self.auth_visits[pick] = np.where(self.auth_valid[pick],
                                          np.maximum(self.auth_visits[pick], 24), 0)
        self.expiry[pick] = np.maximum(self.expiry[pick], self.first_session[pick] + 150)
        return weekly

    def _late_reports(self, ref: np.ndarray, k: np.ndarray, date: np.ndarray) -> np.ndarray:
        """Per referral: its progress reports come a visit late (the 11th visit, not the
        10th). A few in the history, and two clients in treatment on ``as_of`` whose 10th
        visit went by without one: the progress-report work list has rows."""
        rng = self.rng(23)
        n = len(self.planned)
        late = rng.random(n) < 0.03
        never = np.iinfo(np.int64).max
        tenth = np.full(n, never)
        tenth[ref[k == 9]] = date[k == 9]
        eleventh = np.full(n, never)
        eleventh[ref[k == 10]] = date[k == 10]
        cand = np.nonzero((tenth <= self.as_of) & (eleventh > self.as_of)
                          & (self.planned >= 12))[0]
        late[rng.choice(cand, size=min(2, len(cand)), replace=False)] = True
        return late

    # -- sessions ---------------------------------------------------------------------
    def _sessions(self) -> None:
        rng = self.rng(3)
        weekly = self._weekly_phase()
        ref = np.repeat(np.arange(len(self.planned)), self.planned)
        starts = np.cumsum(self.planned) - self.planned
        k = np.arange(len(ref)) - starts[ref]
        gap = np.array([1, 2, 3, 4, 5])[_pick(rng, [10, 35, 30, 15, 10], len(ref))]
        gap[k == 0] = 0
        gap = np.where(weekly[ref] & (k >= 8), 5, gap)
        off = np.cumsum(gap)
        off = off - off[starts[ref]] if len(ref) else off
        date = _busday(self.first_session[ref], off)
        n_planned = self.planned[ref]
        kind = np.where(k == 0, 0, np.where(k == n_planned - 1, 3,
                                             np.where((k + 1) % 10 == 0, 2, 1)))
        # A few progress reports come a visit late (written at the 11th visit, not the 10th).
        late = self._late_reports(ref, k, date)[ref]
        kind = np.where(late & (kind == 2), 1, kind)
        kind = np.where(late & (k % 10 == 0) & (k > 0) & (kind == 1), 2, kind)
        keep = date <= self.as_of
        ref, k, date, kind = ref[keep], k[keep], date[keep], kind[keep]
        order = np.lexsort((k, ref, date))
        ref, k, date, kind = ref[order], k[order], date[order], kind[order]
        n = len(ref)
        group = (kind == 1) & (rng.random(n) < 0.06)
        other = rng.integers(0, self.size.trainers, n)
        provider = np.where(rng.random(n) < 0.92, self.trainer[ref], other)
        # Minutes: 1-3 treatment codes sharing 38-60 minutes ...
        m = np.zeros((n, len(CODES)), dtype=np.int64)
        ncodes = 1 + _pick(rng, [15, 55, 30], n)
        g = np.log(TREATMENT_WEIGHTS)[None, :] + rng.gumbel(size=(n, len(TREATMENT_COLS)))
        order6 = np.argsort(-g, axis=1)
        rank6 = np.empty_like(order6)
        np.put_along_axis(rank6, order6, np.broadcast_to(np.arange(6), order6.shape).copy(), 1)
        chosen = rank6 < ncodes[:, None]
        share = rng.uniform(0.45, 1.0, (n, 6)) * chosen
        total = rng.integers(38, 61, n).astype(float)
        scale = np.select([kind == 0, kind == 2, kind == 3], [0.0, 0.7, 0.75], 1.0)
        # ... an initial assessment: an evaluation, and half the time a short exercise block
        ia = kind == 0
        short = ia & (rng.random(n) < 0.5)
        first_choice = rank6 == 0
        tmin = np.floor(share / np.maximum(share.sum(1, keepdims=True), 1e-9)
                        * (total * scale)[:, None]).astype(np.int64)
        tmin = np.where(short[:, None] & first_choice, rng.integers(8, 24, n)[:, None], tmin)
        tmin[group] = 0
        m[:, TREATMENT_COLS] = tmin
        ev = np.array([COL["97161"], COL["97162"], COL["97163"]])[_pick(rng, [35, 50, 15], n)]
        m[np.nonzero(ia)[0], ev[ia]] = rng.integers(30, 51, n)[ia]
        # ... a progress visit: a performance test (or a re-evaluation) and less treatment
        prog = kind == 2
        reeval = prog & (rng.random(n) < 0.25) & ~weekly[ref]
        m[:, COL["97164"]] = np.where(reeval, rng.integers(20, 31, n), 0)
        m[:, COL["97750"]] = np.where(prog & ~reeval, rng.integers(10, 21, n), 0)
        # ... a discharge: home-programme training
        dis = kind == 3
        m[:, COL["97535"]] = np.where(dis, np.maximum(m[:, COL["97535"]],
                                                      rng.integers(10, 16, n)),
                                      m[:, COL["97535"]])
        m[:, COL["97150"]] = np.where(group, rng.integers(45, 61, n), 0)
        self.s_ref, self.s_k, self.s_date, self.s_kind = ref, k, date, kind
        self.s_group, self.s_provider, self.s_minutes = group, provider, m
        payer = self.payer[ref]
        self.s_units = units_matrix(m, TIMED, self.payer_rule_cms[payer])
        # Claims: one per session that bills something, created once the day is done.
        rngc = self.rng(4)
        sub_lag = _pick(rngc, [15, 25, 20, 12, 8, 6, 5, 3, 2, 2, 2], n)
        created_lag = np.minimum(sub_lag, np.array([0, 0, 0, 1, 1, 2])[rngc.integers(0, 6, n)])
        billable = self.s_units.sum(axis=1) > 0
        self.s_created = date + created_lag
        self.s_submitted = date + sub_lag
        self.s_ready = self.s_created + np.ceil((sub_lag - created_lag)
                                                * rngc.random(n)).astype(np.int64)
        # The last few days: some sessions not billed yet, some claims still draft or
        # ready, the rest sent (taken in turn, so even a one-trainer practice shows each).
        tail = np.nonzero(billable & (date > self.as_of - 5))[0]
        state = (np.arange(len(tail)) + int(rngc.integers(0, 4))) % 4
        tail = tail[rngc.permutation(len(tail))]
        after = self.as_of + 1
        for st, created, ready, sub in ((0, after, after, after),
                                        (1, date[tail], after, after + 1),
                                        (2, date[tail], self.as_of, after + 1)):
            sel = tail[state == st]
            for arr, val in ((self.s_created, created), (self.s_ready, ready),
                             (self.s_submitted, sub)):
                arr[sel] = np.maximum(np.asarray(val)[state == st]
                                      if np.ndim(val) else val, date[sel])
        self.s_billed = billable & (self.s_created <= self.as_of)
        self.n_lines = int((self.s_units[self.s_billed] > 0).sum())


# ----------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------

DATA_TABLES = ["practice", "providers", "payers", "cpt_codes", "fee_schedule",
               "payer_fee_schedule", "referrers", "clients", "coverages", "referrals",
               "sessions", "session_minutes", "claims", "claim_lines", "claim_status_history",
               "remittances", "claim_payments", "line_payments", "adjustments",
               "remark_codes", "provider_adjustments", "appeals", "patient_payments",
               "imports", "plans_of_care", "claim_sessions",
               "write_offs", "balance_transfers", "patient_refunds", "balance_returns",
               "payer_remittance_names", "payer_refunds"]
# Kept on a reset: x12_control (interchange control numbers must never repeat towards the
# clearinghouse). The audit log is emptied (the new demo's log holds only its own 'demo
# generated' row); the users too when the file was not the demo before.


def _plan_for(seed: int, as_of: dt.date, claim_lines: int | None) -> _Plan:
    size = _size_for(claim_lines)
    if claim_lines is None:
        return _Plan(seed, as_of, size)
    # Size by a first guess, then correct the number of referrals (a few tries at most;
    # small practices are lumpy, so keep the closest).
    size.referrals = max(4, round(claim_lines / 29))
    best = plan = _Plan(seed, as_of, size)
    tried = {size.referrals}
    for _ in range(6):
        if abs(plan.n_lines - claim_lines) <= 0.02 * claim_lines:
            break
        guess = max(4, round(size.referrals * claim_lines / max(plan.n_lines, 1)))
        if guess in tried:
            guess += 1 if plan.n_lines < claim_lines else -1
        if guess in tried or guess < 4:
            break
        tried.add(guess)
        size = dataclasses.replace(size, referrals=guess)
        plan = _Plan(seed, as_of, size)
        if abs(plan.n_lines - claim_lines) < abs(best.n_lines - claim_lines):
            best = plan
    return best


def not_the_demo(con: Any) -> str | None:
    """What the store holds that is not the synthetic demo, in words (``the practice
    'Smith PT'``, ``2 user(s)``); None when it is the demo, or holds nothing yet (a new
    file: only the schema and its seeded reference tables)."""
    count, demo, name = con.execute(
        "SELECT count(*), coalesce(bool_and(is_demo), FALSE), min(name) FROM practice"
    ).fetchall()[0]
    if count:
        return None if demo else f"the practice {name!r}"
    held = []
    for table in (*DATA_TABLES, "users", "audit_log"):
        n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        if n:
            held.append(f"{n:,} row(s) of {table}")
    return ", ".join(held) or None


def generate(db: Database, *, seed: int = 7, claim_lines: int | None = None,
             as_of: dt.date | None = None, user: str = "demo",
             replace_practice: bool = False) -> DemoSummary:
    """(Re)build the synthetic demo practice in ``db``; returns counts and seconds taken.

    Every data table is emptied first, in the same transaction (so this is also "reset
    demo"), and so is the audit log, which then holds one 'demo generated' row. A store that
    holds anything but the demo (:func:`not_the_demo`: a practice's own file, or a new one
    with users) is refused with :class:`~metdash.errors.NotTheDemo` unless
    ``replace_practice`` (back it up first: ``metdash demo --force`` does); its users are
    then removed too, since the demo opens without signing in.
    ``claim_lines`` scales the practice (more trainers, clients and years) to about that
    many claim lines; ``as_of`` (default today) is the last day of the practice's history.
    """
    t0 = time.perf_counter()
    as_of = as_of or dt.date.today()
    plan = _plan_for(seed, as_of, claim_lines)
    tables = _build(plan)
    # One transaction, past the memory limit: DuckDB keeps its writes in memory (store.bulk).
    with bulk.lifted(db), db.transaction() as con:
        held = not_the_demo(con)
        if held is not None and not replace_practice:
            raise NotTheDemo(f"{db.path} holds {held}, not the synthetic demo: nothing was "
                             "changed.")
        for table in DATA_TABLES:
            con.execute(f"DELETE FROM {table}")
        # The demo opens without signing in: nothing of what the file held before may stay
        # readable in it (the audit log's before/after values hold names, birth dates and
        # phone numbers; its user names and the users table name the team).
        con.execute("DELETE FROM audit_log")
        if held is not None:
            con.execute("DELETE FROM users")
        for table in DATA_TABLES:
            if table in tables:
                _insert(con, table, tables[table])
        add_clearinghouse_and_places(con)  # issue 16: settings, places of service
        add_corrections(con, as_of)  # replacements and voids: metdash/demo_corrections.py
        demo_acks.acknowledge(con, as_of)  # the 999s and 277CAs of what it sent
        add_secondary_claims(con, as_of)  # crossovers, secondary claims (demo_secondary)
        split_claims(con)  # a few claims answered in two parts (demo_splits)
        facts.rebuild(con)
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("providers", "payers", "referrers", "clients", "referrals",
                            "sessions", "claims", "claim_lines", "remittances")}
        summary = DemoSummary(
            seed=seed, as_of=as_of, years=plan.size.years, providers=counts["providers"],
            payers=counts["payers"], referrers=counts["referrers"], clients=counts["clients"],
            referrals=counts["referrals"], sessions=counts["sessions"],
            claims=counts["claims"], claim_lines=counts["claim_lines"],
            remittances=counts["remittances"], seconds=round(time.perf_counter() - t0, 2))
        # What was asked for (so a workshop reset can rebuild the same practice), and what
        # it gave.
        audit(con, user, "demo generated", "practice", 1, None,
              {"seed": seed, "claim_lines": claim_lines, "as_of": as_of,
               "summary": asdict(summary)})
    return summary


def ensure_demo(db: Database, **kwargs: Any) -> bool:
    """Generate the demo practice only when the file holds nothing yet (no practice, no
    users, no data); True if it did."""
    with db.connect() as con:
        if con.execute("SELECT count(*) FROM practice").fetchall()[0][0] or not_the_demo(con):
            return False
    generate(db, **kwargs)
    return True


def _build(plan: _Plan) -> dict[str, dict[str, Any]]:
    """Every table of the demo practice as Arrow columns."""
    return _Builder(plan).tables


class _Builder:
    def __init__(self, plan: _Plan) -> None:
        self.p = plan
        self.as_of = plan.as_of
        self.tables: dict[str, dict[str, Any]] = {}
        self._reference()
        self._people()
        self._sessions()
        self._plans_of_care()
        self._claims()
        self._adjudication()
        self._payments()
        self._patients()
        self._history()

    # -- practice, payers, codes, referrers ----------------------------------------------
    def _reference(self) -> None:
        p = self.p
        rng = p.rng(10)
        self.tables["practice"] = {
            "practice_id": [1], "name": ["Riverbend Medical Exercise (synthetic demo)"],
            "billing_npi": [p.practice_npi], "tax_id": [p.tax_id], "taxonomy": ["225100000X"],
            "address_line1": ["100 Demo Way"], "city": ["Springfield"], "state": ["OR"],
            "zip": ["97477-1234"], "phone": ["541-555-0100"], "is_demo": [True],
        }
        creds = ["PT, DPT", "MEP", "MEP, CSCS", "MEP", "ATC", "MEP"]
        n = p.size.trainers
        self.tables["providers"] = {
            "provider_id": list(range(1, n + 1)), "npi": p.provider_npis,
            "last_name": [LAST_NAMES[(7 * i + 3) % len(LAST_NAMES)] for i in range(n)],
            "first_name": [FIRST_NAMES[(11 * i + 5) % len(FIRST_NAMES)] for i in range(n)],
            "credential": [creds[i % len(creds)] for i in range(n)],
            "taxonomy": ["225100000X" if creds[i % len(creds)].startswith("PT") else None
                         for i in range(n)],
            "active": [True] * n,
        }
        self.tables["payers"] = {
            "payer_id": list(range(1, len(PAYERS) + 1)),
            "name": [x["name"] for x in PAYERS], "payer_type": [x["type"] for x in PAYERS],
            "clearinghouse_payer_id": [x["chid"] for x in PAYERS],
            "timely_filing_days": [x["filing"] for x in PAYERS],
            "appeal_window_days": [x["appeal"] for x in PAYERS],
            "units_rule": [x["rule"] for x in PAYERS],
            "requires_referral": [x["ref"] for x in PAYERS],
            "requires_prior_auth": [x["auth"] for x in PAYERS],
            "usual_lag_days": [x["lag"] for x in PAYERS],
        }
        self.tables["cpt_codes"] = {
            "cpt": list(CODES), "description": [c[1] for c in CPT_TABLE],
            "timed": [c[2] for c in CPT_TABLE], "is_evaluation": [c[3] for c in CPT_TABLE],
            "active": [True] * len(CPT_TABLE),
        }
        self.tables["fee_schedule"] = {"cpt": list(CODES), "charge": _money(FEE_CENTS)}
        # Allowed per unit: a share of the charge per payer, rounded to cents.
        commercial = iter(ALLOWED_SHARE["commercial"])
        shares = [next(commercial) if x["type"] == "commercial" else ALLOWED_SHARE[x["type"]]
                  for x in PAYERS]
        wiggle = rng.uniform(0.98, 1.02, (len(PAYERS), len(CODES)))
        self.allowed_cents = np.round(FEE_CENTS[None, :] * np.array(shares)[:, None]
                                      * wiggle).astype(np.int64)
        self.tables["payer_fee_schedule"] = {
            "payer_id": _int(np.repeat(np.arange(1, len(PAYERS) + 1), len(CODES))),
            "cpt": list(CODES) * len(PAYERS),
            "allowed_amount": _money(self.allowed_cents.ravel()),
        }
        nr = p.size.referrers
        fn = rng.integers(0, len(FIRST_NAMES), nr)
        ln = rng.integers(0, len(LAST_NAMES), nr)
        org = rng.integers(0, len(ORGS), nr)
        names = []
        for i in range(nr):
            if p.ref_kind[i] == "other" and p.ref_specialty[i] == "Case Management":
                names.append(f"{LAST_NAMES[ln[i]]} Case Services")
            else:
                names.append(f"{LAST_NAMES[ln[i]]}, {FIRST_NAMES[fn[i]]}")
        self.tables["referrers"] = {
            "referrer_id": list(range(1, nr + 1)), "npi": p.referrer_npis, "name": names,
            "kind": p.ref_kind, "specialty": p.ref_specialty,
            "organization": [ORGS[o] for o in org],
        }

    # -- clients, coverages, referrals ---------------------------------------------------
    def _people(self) -> None:
        p = self.p
        rng = p.rng(11)
        nref = len(p.received)
        # One client row per client (a returning client's later referrals share it).
        first = np.nonzero(p.client == np.arange(nref))[0]
        n = len(first)
        rank = np.zeros(nref, dtype=np.int64)
        rank[first] = np.arange(n)
        client_rank = rank[p.client]
        self.client_no = np.arange(1, n + 1)
        client_id = _ids("MX", self.client_no, 6)
        self.client_id = pc.take(client_id, pa.array(client_rank))   # per referral
        payer, dob, received = p.payer[first], p.dob[first], p.received[first]
        street_no = rng.integers(10, 9999, n)
        street = rng.integers(0, len(STREETS), n)
        addr = pc.binary_join_element_wise(
            pc.cast(pa.array(street_no), pa.string()),
            _cat(street, [f"{s} St" for s in STREETS]), " ")
        created = received * DAY_US + (8 * 3600 + (self.client_no % 540) * 60) * 1_000_000
        self.tables["clients"] = {
            "client_id": client_id,
            "last_name": _cat(rng.integers(0, len(LAST_NAMES), n), LAST_NAMES),
            "first_name": _cat(rng.integers(0, len(FIRST_NAMES), n), FIRST_NAMES),
            "dob": _date(dob), "sex": _cat(p.sex[first], ["F", "M"]),
            "address_line1": addr, "city": _cat(np.zeros(n), ["Springfield"]),
            "state": _cat(np.zeros(n), ["OR"]), "zip": _cat(rng.integers(0, 3, n),
                                                            ["97477", "97478", "97403"]),
            "phone": pc.binary_join_element_wise(
                "541-555-", pc.utf8_lpad(pc.cast(pa.array(rng.integers(100, 199, n)),
                                                 pa.string()), 4, "0"), ""),
            "created_at": _ts(created),
        }
        # Coverage: the primary (the claims' payer), and a secondary for some seniors.
        types = np.array([x["type"] for x in PAYERS])[payer]
        member_no = rng.integers(10**8, 10**9, n)
        prefix = np.array(["1EG", "SLV", "ESM", "CMP", "SHP", "PBX", "LKH", "WC"])[payer]
        member = pc.binary_join_element_wise(pa.array(prefix), pc.cast(pa.array(member_no),
                                                                       pa.string()), "")
        # Medicare's member id is an MBI (metdash.coding.mbi), made from the same number.
        medicare = np.nonzero(types == "medicare")[0]
        member = pc.replace_with_mask(
            member, pa.array(types == "medicare"),
            pa.array([synthetic_mbi(int(x)) for x in member_no[medicare]], pa.string()))
        commercial = types == "commercial"
        spouse = commercial & (rng.random(n) < 0.15)
        eff = received - rng.integers(30, 3 * 365, n)
        group_no = np.where(commercial, rng.integers(1000, 9999, n), 0)
        sec = ((types == "medicare") & (rng.random(n) < 0.15))
        sec_idx = np.nonzero(sec)[0]
        nsec = len(sec_idx)
        self.coverage_id = client_rank + 1   # the primary coverage, per referral
        cov_client = np.r_[np.arange(n), sec_idx]
        sec_payer = np.where(rng.random(nsec) < 0.5, 2, 3)  # Medicaid or a commercial plan
        cov_payer = np.r_[payer, sec_payer]
        self.tables["coverages"] = {
            "coverage_id": _int(np.arange(1, n + nsec + 1)),
            "client_id": pc.take(client_id, pa.array(cov_client)),
            "payer_id": _int(cov_payer + 1),
            "member_id": pa.concat_arrays([member, pc.binary_join_element_wise(
                "SEC", pc.cast(pa.array(rng.integers(10**7, 10**8, nsec)), pa.string()), "")]),
            "group_number": pa.concat_arrays([
                pc.cast(pa.array(group_no, mask=~commercial), pa.string()),
                pc.cast(pa.array(rng.integers(1000, 9999, nsec)), pa.string())]),
            "relationship": _cat(np.r_[spouse.astype(int), np.zeros(nsec, int)],
                                 ["self", "spouse"]),
            "subscriber_last_name": pa.concat_arrays([
                _cat(rng.integers(0, len(LAST_NAMES), n), LAST_NAMES, valid=spouse),
                pa.nulls(nsec, pa.string())]),
            "subscriber_first_name": pa.concat_arrays([
                _cat(rng.integers(0, len(FIRST_NAMES), n), FIRST_NAMES, valid=spouse),
                pa.nulls(nsec, pa.string())]),
            "subscriber_dob": pa.concat_arrays([
                _date(dob + rng.integers(-900, 900, n), valid=spouse),
                pa.nulls(nsec, pa.date32())]),
            "effective_date": _date(np.r_[eff, eff[sec_idx]]),
            "end_date": pa.nulls(n + nsec, pa.date32()),
            "priority": _cat(np.r_[np.zeros(n, int), np.ones(nsec, int)],
                             ["primary", "secondary"]),
        }
        # Referrals.
        n = nref
        dx_valid = np.arange(3)[None, :] < p.ndx[:, None]
        dx_values = _cat(p.dx[dx_valid], DX_LABELS)
        needs_auth = np.array([x["auth"] for x in PAYERS])[p.payer]
        self.tables["referrals"] = {
            "referral_id": _int(np.arange(1, n + 1)), "client_id": self.client_id,
            "referrer_id": _int(p.referrer + 1), "received_date": _date(p.received),
            "diagnosis_codes": _list(p.ndx, dx_values),
            "authorized_visits": _int(p.auth_visits, valid=p.auth_valid),
            "expiry_date": _date(p.expiry),
            "prior_auth_number": pc.binary_join_element_wise(
                "PA", pc.cast(pa.array(rng.integers(10**7, 10**8, n), mask=~needs_auth
                                       | demo_denials.referrals_without_auth(p, needs_auth)),
                              pa.string()), ""),
        }

    # -- sessions ---------------------------------------------------------------------
    def _sessions(self) -> None:
        p = self.p
        n = len(p.s_ref)
        self.session_id = np.arange(1, n + 1)
        self.tables["sessions"] = {
            "session_id": _int(self.session_id),
            "client_id": pc.take(self.client_id, pa.array(p.s_ref)),
            "provider_id": _int(p.s_provider + 1), "referral_id": _int(p.s_ref + 1),
            "session_date": _date(p.s_date),
            "kind": _cat(p.s_kind, ["initial_assessment", "treatment", "progress",
                                    "discharge"]),
            "notes": _cat(p.s_group.astype(int), ["", "group session"], valid=p.s_group),
        }
        si, ci = np.nonzero(p.s_minutes)
        self.tables["session_minutes"] = {
            "session_id": _int(si + 1), "cpt": _cat(ci, CODES),
            "minutes": _int(p.s_minutes[si, ci]),
        }

    # -- plans of care -------------------------------------------------------------------
    def _plans_of_care(self) -> None:
        """A plan of care per episode from its evaluation, certified for 90 days (the
        evaluation day is day 1: through start + 89; 1 in 5 for 60) by the referring
        physician (for a referral from a therapist or another non-physician, the busiest
        physician referrer); a 90-day recertification from the next day while treatment
        went on past it. First plans
        are signed within 3 weeks, 1 in 10 late (31-51 days), the newest not yet;
        recertifications before the plan they continue ends. A few plans of clients still
        in treatment end within days, and a few recent ones are still unsigned, so both
        work lists have rows even in a small practice; one recent Medicare episode has no
        plan at all (the list of clients treated without one has a row)."""
        p = self.p
        rng = p.rng(16)
        nref = len(p.received)
        big = np.iinfo(np.int64).max
        first = np.full(nref, big)
        np.minimum.at(first, p.s_ref, p.s_date)
        last = np.full(nref, -big)
        np.maximum.at(last, p.s_ref, p.s_date)
        discharged = np.zeros(nref, dtype=bool)
        discharged[p.s_ref[p.s_kind == 3]] = True
        ep = np.nonzero(first < big)[0]
        refs, starts, ends, steps = [], [], [], []
        start, alive = first[ep], np.ones(len(ep), dtype=bool)
        # Most physicians certify the full 90 days; some 60 (then a recertification).
        days = np.where(rng.random(len(ep)) < 0.2, 60, 90)
        for j in range(8):                        # 8 plans: longer than any episode
            refs.append(ep[alive])
            starts.append(start[alive])
            ends.append((start + days - 1)[alive])
            steps.append(np.full(int(alive.sum()), j))
            alive &= last[ep] > start + days - 1  # treated past it: recertified
            start, days = start + days, np.full(len(ep), 90)
            if not alive.any():
                break
        ref, start, step = np.concatenate(refs), np.concatenate(starts), np.concatenate(steps)
        through = np.concatenate(ends)
        n = len(ref)
        # The current plan of an episode still in treatment may end within the next days.
        current = np.zeros(n, dtype=bool)
        top = np.zeros(nref, dtype=np.int64)
        np.maximum.at(top, ref, step)
        current[step == top[ref]] = True
        active = current & ~discharged[ref] & (last[ref] >= self.as_of - 60)
        have = int((active & (through <= self.as_of + 14)).sum())
        cand = np.nonzero(active & (through > self.as_of + 14) & (start >= self.as_of - 77))[0]
        if have < 3 and len(cand):
            pick = rng.choice(cand, size=min(3 - have, len(cand)), replace=False)
            through[pick] = self.as_of + rng.integers(3, 13, len(pick))
        # Signatures.
        late = rng.random(n) < 0.1
        signed = np.where(step == 0,
                          start + np.where(late, rng.integers(31, 52, n), rng.integers(1, 22, n)),
                          start - rng.integers(1, 12, n))
        valid = signed <= self.as_of
        waiting = int((~valid & (step == 0) & (start + 30 <= self.as_of + 7)).sum())
        cand = np.nonzero(valid & (step == 0) & (start >= self.as_of - 60)
                          & (start + 30 <= self.as_of + 7))[0]
        if waiting < 3 and len(cand):
            valid[rng.choice(cand, size=min(3 - waiting, len(cand)), replace=False)] = False
        # One recent Medicare episode whose plan was never written (a front desk's miss, as a
        # new-user trial's): "Treated without a plan of care" has a row. Not one of the plans
        # picked above to end soon or wait for a signature.
        medicare = np.array([x["type"] == "medicare" for x in PAYERS])[p.payer[ref]]
        cand = np.nonzero(medicare & (step == 0) & (top[ref] == 0) & valid
                          & (start >= self.as_of - 60) & (start <= self.as_of - 14)
                          & (through > self.as_of + 14))[0]
        if len(cand):
            keep = np.ones(n, dtype=bool)
            keep[rng.choice(cand)] = False
            ref, start, step, through = ref[keep], start[keep], step[keep], through[keep]
            signed, valid, n = signed[keep], valid[keep], int(keep.sum())
        # Certifying physician.
        kinds = np.array(p.ref_kind)
        physicians = np.nonzero(kinds == "physician")[0]
        busiest = physicians[np.argmax(p.ref_weight[physicians])]
        by = p.referrer[ref]
        by = np.where(np.isin(kinds[by], ["physician", "specialist"]), by, busiest)
        # Ids in start order; a recertification names the plan before it in its episode.
        plan_id = np.empty(n, dtype=np.int64)
        plan_id[np.lexsort((step, ref, start))] = np.arange(1, n + 1)
        chain = np.lexsort((step, ref))
        prev = np.zeros(n, dtype=np.int64)
        later = step[chain] > 0
        prev[chain[1:][later[1:]]] = plan_id[chain[:-1][later[1:]]]
        order = np.argsort(plan_id)
        self.tables["plans_of_care"] = {
            "plan_id": _int(plan_id[order]),
            "client_id": pc.take(self.client_id, pa.array(ref[order])),
            "referral_id": _int(ref[order] + 1), "referrer_id": _int(by[order] + 1),
            "start_date": _date(start[order]), "certified_through": _date(through[order]),
            "signed_date": _date(signed[order], valid=valid[order]),
            "recertifies_plan_id": _int(prev[order], valid=step[order] > 0),
            "notes": pa.nulls(n, pa.string()),
        }

    # -- claims and lines -------------------------------------------------------------
    def _claims(self) -> None:
        p = self.p
        rng = p.rng(12)
        sess = np.nonzero(p.s_billed)[0]          # sessions in date order
        nc = len(sess)
        self.c_sess = sess
        self.c_ref = p.s_ref[sess]
        self.c_payer = p.payer[self.c_ref]
        self.c_date = p.s_date[sess]
        self.c_created = p.s_created[sess]
        self.c_ready = p.s_ready[sess]
        self.c_sub = p.s_submitted[sess]
        self.c_type = np.array([x["type"] for x in PAYERS])[self.c_payer]
        li_sess, li_col = np.nonzero(p.s_units[sess])
        self.l_claim = li_sess                    # claim index of each line
        self.l_col = li_col
        self.l_units = p.s_units[sess][li_sess, li_col]
        nl = len(li_sess)
        self.c_nlines = np.bincount(li_sess, minlength=nc)
        self.c_first_line = np.cumsum(self.c_nlines) - self.c_nlines
        self.l_no = np.arange(nl) - self.c_first_line[li_sess] + 1
        self.l_charge = FEE_CENTS[li_col] * self.l_units
        self.l_allowed = np.minimum(self.l_charge,
                                    self.allowed_cents[self.c_payer[li_sess], li_col]
                                    * self.l_units)
        self.c_charge = np.bincount(li_sess, weights=self.l_charge, minlength=nc).astype(
            np.int64)
        # Submission, adjudication, denials (decided here so modifiers can reflect them).
        ty = self.c_type
        self._hold_claims()
        self.c_submitted = self.c_sub <= self.as_of
        lag_mean = np.array([x["lag"] for x in PAYERS], float)[self.c_payer]
        sigma = np.where(ty == "workers_comp", 0.13, 0.25)
        z = rng.normal(0, 1, nc)
        lag = np.round(lag_mean * np.exp(z * sigma - sigma**2 / 2) - 2)
        lag = np.maximum(lag, 5).astype(np.int64)
        # Medicare's payment floor: a clean electronic claim is paid no earlier than the 14th
        # day after submission, so its lags start there (a short tail after it).
        lag = np.where(ty == "medicare",
                       MEDICARE_PAYMENT_FLOOR + np.round(np.abs(z) * 2).astype(np.int64), lag)
        self.c_lag = lag
        runs = np.full((len(PAYERS), 7), 0, dtype=np.int64)
        for i, x in enumerate(PAYERS):
            for wd in range(7):
                runs[i, wd] = min((r - wd) % 7 for r in x["runs"])
        raw = self.c_sub + lag
        self.c_adj = raw + runs[self.c_payer, _weekday(raw)]
        self.c_stuck = self.c_submitted & (rng.random(nc) < 0.012)
        # A tail of stuck claims in every old aging bucket, even in a small practice.
        age = self.as_of - self.c_date
        for lo, hi in ((61, 90), (91, 120), (121, 400)):
            win = self.c_submitted & (age >= lo) & (age <= hi)
            have = (win & (self.c_stuck | (self.c_adj > self.as_of))).sum()
            cand = np.nonzero(win & ~self.c_stuck)[0]
            if have < 3 and len(cand):
                self.c_stuck[rng.choice(cand, size=min(3 - have, len(cand)),
                                        replace=False)] = True
        self.c_adjudicated = self.c_submitted & ~self.c_stuck & (self.c_adj <= self.as_of)
        deny_p = np.array([x["deny"] for x in PAYERS])[self.c_payer]
        line_p = np.array([x["line_deny"] for x in PAYERS])[self.c_payer]
        u = rng.random(nc)
        self.c_whole = demo_denials.whole_claim_denials(self, u, deny_p, PAYERS)
        self.c_linedeny = (self.c_adjudicated & ~self.c_whole & (self.c_nlines >= 2)
                           & (rng.random(nc) < line_p))
        self.c_carc = np.full(nc, "", dtype=object)
        for t, mix in CLAIM_CARCS.items():
            sel = np.nonzero(self.c_whole & (ty == t))[0]
            self.c_carc[sel] = np.array(list(mix))[_pick(rng, list(mix.values()), len(sel))]
        # CLP02 4 is rare in 5010: the payer does not recognise the patient (CARC 31). The
        # claims denied for a missing modifier keep their reason (their lines lack GP).
        rng4 = p.rng(25)
        sel = np.nonzero(self.c_whole & (self.c_carc != "4"))[0]
        self.c_clp4 = np.zeros(nc, dtype=bool)
        self.c_clp4[sel[rng4.random(len(sel)) < 0.03]] = True
        if len(sel) and not self.c_clp4.any():
            self.c_clp4[sel[-1]] = True
        self.c_carc[self.c_clp4] = "31"
        sel = np.nonzero(self.c_linedeny)[0]
        line_carc = np.array(list(LINE_CARCS))[_pick(rng, list(LINE_CARCS.values()), len(sel))]
        self.c_line_carc = np.full(nc, "", dtype=object)
        self.c_line_carc[sel] = line_carc
        # Which line is denied: 97140 for bundling when billed, else the last line.
        first_140 = np.full(nc, -1)
        is140 = li_col == COL["97140"]
        first_140[li_sess[is140]] = np.nonzero(is140)[0]
        last_line = self.c_first_line + self.c_nlines - 1
        target = np.where((self.c_line_carc == "97") & (first_140 >= 0), first_140, last_line)
        self.l_denied_first = self.c_whole[li_sess].copy()
        self.l_carc = np.where(self.c_whole[li_sess], self.c_carc[li_sess], "").astype(object)
        tl = target[sel]
        self.l_denied_first[tl] = True
        self.l_carc[tl] = line_carc
        demo_denials.apply_causes(self, li_sess, li_col, CODES, DX_LABELS)  # issue 18
        # Modifiers: GP on therapy lines (missing on the claims denied CARC 4), 59 on 97140
        # billed with an evaluation or 97530 (an NCCI pair), KX past Medicare's threshold.
        has_eval = np.zeros(nc, bool)
        has_eval[li_sess[li_col <= COL["97163"]]] = True
        has_530 = np.zeros(nc, bool)
        has_530[li_sess[li_col == COL["97530"]]] = True
        gp = self.c_carc[li_sess] != "4"
        x59 = is140 & (has_eval | has_530)[li_sess]
        medicare = ty == "medicare"
        year = (self.c_date.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970)
        self.c_year = year
        exp_allowed = np.bincount(li_sess, weights=self.l_allowed, minlength=nc)
        key = p.client[self.c_ref] * 10000 + year   # per client and calendar year
        order = np.lexsort((np.arange(nc), key))
        cum = np.zeros(nc)
        ks, ea = key[order], exp_allowed[order]
        cs = np.cumsum(ea)
        grp_start = np.r_[True, ks[1:] != ks[:-1]]
        base = np.maximum.accumulate(np.where(grp_start, cs - ea, 0))
        cum[order] = cs - ea - base
        kx = medicare & (cum >= 241000)
        flags = np.stack([gp, x59, kx[li_sess]], axis=1)
        labels = np.array(["GP", "59", "KX"])
        self.l_mods = _list(flags.sum(1), _cat(np.nonzero(flags.ravel())[0] % 3, labels))
        ndx_line = p.ndx[self.c_ref][li_sess]
        ptr = np.arange(ndx_line.sum()) - np.repeat(np.cumsum(ndx_line) - ndx_line, ndx_line) + 1
        self.l_ptrs = _list(ndx_line, pa.array(ptr, pa.int32()))
        # Duplicates entered by mistake and voided before submission (a couple).
        n_void = max(2, nc // 2000)
        cand = np.nonzero(self.c_created < self.as_of - 2)[0]
        self.dup_of = np.sort(rng.choice(cand, size=min(n_void, len(cand)), replace=False))

    def _hold_claims(self) -> None:
        """A few claims held back unsent (waiting for a referral or an authorization) until
        their timely-filing deadline is 12 days away or up to 20 days past: the timely-filing
        work list has rows. Half are still drafts, half checked and ready."""
        rng = self.p.rng(24)
        nc = len(self.c_sess)
        filing = np.array([x["filing"] for x in PAYERS])[self.c_payer]
        left = self.c_date + filing - self.as_of
        cand = np.nonzero((left >= -20) & (left <= 12))[0]
        held = np.sort(rng.choice(cand, size=min(len(cand), 2 + nc // 5000), replace=False))
        self.c_sub[held] = self.as_of + 1
        draft = np.arange(len(held)) % 2 == 0
        self.c_ready[held] = np.where(draft, self.as_of + 1,
                                      np.minimum(self.c_ready[held], self.as_of))

    # -- adjudication: amounts per line ------------------------------------------------
    def _adjudication(self) -> None:
        p = self.p
        rng = p.rng(13)
        more = p.rng(26)   # the ledger's decisions, drawn apart so the draws above stay put
        nc = len(self.c_sess)
        whole = self.c_whole
        # CO-16 with remark MA130 (unprocessable) and CLP02 4 (CO-31: the payer does not know
        # the patient) are corrected and resubmitted, never appealed (DOMAIN.md); nor is CO-29
        # (timely filing: written off).
        self.c_ma130 = whole & (self.c_carc == "16") & (more.random(nc) < 0.5)
        correct_first = self.c_ma130 | self.c_clp4
        # Appeals of whole-claim denials.
        appeal_p = np.zeros(nc)
        sel = np.nonzero(whole)[0]
        appeal_p[sel] = [APPEAL_RATE.get(c, 0.0) for c in self.c_carc[sel]]
        appeal_p[correct_first] = 0.0
        filed = self.c_adj + rng.integers(5, 41, nc)
        self.c_appealed = whole & (rng.random(nc) < appeal_p) & (filed <= self.as_of)
        self.c_filed = filed
        decided = filed + rng.integers(25, 76, nc)
        # At least one appeal still waiting for the payer's answer.
        if not (self.c_appealed & (decided > self.as_of)).any():
            cand = np.nonzero(whole & (appeal_p > 0) & (self.c_adj <= self.as_of - 5))[0]
            if len(cand):
                last = cand[-1]
                self.c_appealed[last] = True
                filed[last] = self.c_adj[last] + 4
                decided[last] = self.as_of + 30
        o = rng.random(nc)
        outcome = np.where(o < 0.55, 1, np.where(o < 0.9, 2, 3))  # overturned/upheld/withdrawn
        repay_raw = decided + rng.integers(3, 15, nc)
        runs = np.zeros((len(PAYERS), 7), dtype=np.int64)
        for i, x in enumerate(PAYERS):
            for wd in range(7):
                runs[i, wd] = min((r - wd) % 7 for r in x["runs"])
        self.runs = runs
        repay = repay_raw + runs[self.c_payer, _weekday(repay_raw)]
        decided_in = self.c_appealed & (decided <= self.as_of)
        self.c_overturned = decided_in & (outcome == 1) & (repay <= self.as_of)
        self.c_upheld = decided_in & (outcome >= 2)
        self.c_outcome = np.where(self.c_overturned, 1, np.where(self.c_upheld, outcome, 0))
        self.c_decided = np.where(self.c_overturned, repay - rng.integers(1, 4, nc), decided)
        self.c_repay = repay
        # An overturned denial is paid by a new CLP alone (it replaces the denial), or by a
        # reversal (22) of the denial and a corrected CLP in the same remittance: both ways.
        self.c_via_reversal = self.c_overturned & (more.random(nc) < 0.5)
        ovt = np.nonzero(self.c_overturned)[0]
        if len(ovt) >= 2 and self.c_via_reversal[ovt].all() == self.c_via_reversal[ovt].any():
            self.c_via_reversal[ovt[0]] = not self.c_via_reversal[ovt[0]]
        # Corrected and resubmitted (most; the others are written off at the end of the filing
        # limit): ready again 2-12 days after the denial, sent 0-2 days later, adjudicated
        # after the payer's lag.
        self.c_correct = correct_first & (more.random(nc) < 0.85)
        self.c_fixed = self.c_adj + more.integers(2, 13, nc)
        self.c_resub = self.c_fixed + more.integers(0, 3, nc)
        raw = self.c_resub + self.c_lag
        self.c_resub_adj = raw + runs[self.c_payer, _weekday(raw)]
        self.c_resub_paid = self.c_correct & (self.c_resub_adj <= self.as_of)
        # Lines that are paid at some point (first pass, after an overturned appeal, or after a
        # resubmission).
        lc = self.l_claim
        first_paid = self.c_adjudicated[lc] & ~self.l_denied_first
        paying = first_paid | self.c_overturned[lc] | self.c_resub_paid[lc]
        self.l_first_paid = first_paid
        # Patient share by plan: deductible, coinsurance or copay, per client.
        n_ref = len(p.received)
        rt = np.array([x["type"] for x in PAYERS])[p.payer]
        copay_plan = (rt == "commercial") & (rng.random(n_ref) < 0.5)
        ded = np.where(rt == "commercial",
                       np.array([0, 25000, 50000, 100000])[_pick(rng, [35, 25, 25, 15], n_ref)], 0)
        coins = np.where(rt == "medicare", 20,
                         np.where((rt == "commercial") & ~copay_plan,
                                  np.array([10, 20])[rng.integers(0, 2, n_ref)], 0))
        copay = np.where(copay_plan, np.array([2000, 2500, 3000, 4000])[rng.integers(0, 4, n_ref)],
                         np.where(rt == "medicare_advantage",
                                  np.array([1500, 2000, 3000])[rng.integers(0, 3, n_ref)], 0))
        self.copay_plan = copay   # per client (its first referral), cents per visit
        years = sorted(MEDICARE_DEDUCTIBLE)
        ly = self.c_year[lc]
        mded = np.array([MEDICARE_DEDUCTIBLE[min(max(y, years[0]), years[-1])]
                         for y in range(years[0], years[-1] + 1)])[
            np.clip(ly, years[0], years[-1]) - years[0]]
        lref = p.client[self.c_ref[lc]]   # the client's plan (its first referral)
        D = np.where(rt[lref] == "medicare", mded, ded[lref])
        allowed = np.where(paying, self.l_allowed, 0)
        key = lref * 10000 + ly
        order = np.lexsort((np.arange(len(lc)), key))
        ks, al = key[order], allowed[order]
        cs = np.cumsum(al)
        start = np.r_[True, ks[1:] != ks[:-1]] if len(ks) else np.zeros(0, bool)
        base = np.maximum.accumulate(np.where(start, cs - al, 0)) if len(ks) else cs
        before = np.empty_like(cs)
        before[order] = cs - al - base
        l_ded = np.clip(D - before, 0, allowed)
        after = allowed - l_ded
        l_coins = (after * coins[lref] + 50) // 100
        # Copay on the first paying line of each claim.
        pidx = np.nonzero(paying)[0]
        firstpay = np.zeros(len(lc), bool)
        if len(pidx):
            firstpay[pidx[np.r_[True, lc[pidx][1:] != lc[pidx][:-1]]]] = True
        l_copay = np.where(firstpay, np.minimum(copay[lref], after - l_coins), 0)
        net = after - l_coins - l_copay
        l_seq = np.where(rt[lref] == "medicare", (net * 2 + 50) // 100, 0)  # CO-253, 2%
        self.l_pay_allowed = allowed
        self.l_ded, self.l_coins, self.l_copay, self.l_seq = l_ded, l_coins, l_copay, l_seq
        self.l_paid = net - l_seq
        # A multiple-procedure reduction: one payer cuts 4-15% off the second line of some
        # claims with CO-59 (a denial-class reason unless the owner classes it contractual for
        # that payer): small underpayments, written off by the practice.
        nl = len(lc)
        second = np.minimum(self.c_first_line + 1, max(nl - 1, 0))
        self.c_mppr = (self.c_adjudicated & ~whole & ~self.c_linedeny & (self.c_nlines >= 2)
                       & (self.c_payer == PAYER_INDEX[MPPR_PAYER]) & (more.random(nc) < 0.3))
        cut = np.round(self.l_allowed[second] * more.uniform(0.04, 0.15, nc)).astype(np.int64)
        sel = np.nonzero(self.c_mppr)[0]
        cut_sel = np.minimum(cut[sel], self.l_paid[second[sel]])
        self.c_mppr[sel[cut_sel <= 0]] = False
        self.l_mppr = np.zeros(nl, dtype=np.int64)
        self.l_mppr[second[sel[cut_sel > 0]]] = cut_sel[cut_sel > 0]
        # Reversals: a few paid claims reversed (CLP02 22) and reprocessed later.
        rev_raw = self.c_adj + rng.integers(20, 91, nc)
        rev = rev_raw + runs[self.c_payer, _weekday(rev_raw)]
        self.c_reversed = (self.c_adjudicated & ~self.c_whole & ~self.c_linedeny
                           & (rev <= self.as_of) & (rng.random(nc) < 0.004)) & ~self.c_mppr
        self.c_rev = rev
        # A payer's duplicate payment: a paid claim paid again by a later CLP (it replaces the
        # first: the money stays sent, the claim is overpaid), taken back by a PLB WO
        # recoupment 30-90 days later.
        self.c_paid = np.bincount(lc, weights=self.l_paid, minlength=nc).astype(np.int64)
        dup_raw = self.c_adj + more.integers(14, 41, nc)
        self.c_dup_date = dup_raw + runs[self.c_payer, _weekday(dup_raw)]
        self.c_dup = (self.c_adjudicated & ~whole & ~self.c_linedeny & ~self.c_mppr
                      & ~self.c_reversed & (self.c_paid > 0) & (self.c_dup_date <= self.as_of)
                      & (more.random(nc) < 0.003))
        self.c_recoup_after = self.c_dup_date + more.integers(30, 91, nc)
        self._insurance_endings(correct_first)

    # -- how an insurance balance ends -------------------------------------------------------
    def _insurance_endings(self, correct_first: np.ndarray) -> None:
        """What the practice does with what a payer will not pay (DOMAIN.md: a claim closes
        only when nobody owes on it; a denial stays owed until paid on appeal, corrected and
        resubmitted, moved to the client or written off with a reason). Per claim: a
        write-off (date, amount, reason, note) or a transfer to the client (date, amount,
        reason), and the day the claim closes; ``NEVER`` when none (yet).

        - lost claims (no payer response): written off past timely filing (timely filing);
        - CO-29: written off 20-90 days after the denial (timely filing);
        - CO-16 + MA130 and CO-31 not corrected: written off at the filing limit;
        - appeals upheld or withdrawn: written off 30 days after the answer (appeal lost), or,
          for PR-96 / PR-204 (not Medicaid: its clients may not be billed), moved to the
          client who signed the waiver (60%);
        - other denials not appealed: PR-96 / PR-204 half moved to the client 7-30 days after
          the denial; the rest written off after the appeal window (half 14 days after it,
          all within a year: the later ones wait on the "past the appeal window" list), as
          timely filing (the appeal's deadline went by), or a contractual correction for a
          duplicate (CO-18) or a bundled line (CO-97, 14-45 days after the remittance);
        - CO-59 reductions: 14-45 days after the remittance, a contractual correction, or a
          small balance (under $5) in the month's batch.
        """
        rng = self.p.rng(27)
        nc = len(self.c_sess)
        whole = self.c_whole
        charge = self.c_charge
        window = np.array([x["appeal"] for x in PAYERS])[self.c_payer]
        filing = np.array([x["filing"] for x in PAYERS])[self.c_payer]
        can_bill_client = self.c_type != "medicaid"
        pr_denial = np.zeros(nc, dtype=bool)
        sel = np.nonzero(whole)[0]
        pr_denial[sel] = [c in PR_DENIALS for c in self.c_carc[sel]]
        pr_denial &= can_bill_client
        u = rng.random(nc)
        soon = rng.integers(14, 46, nc)
        late_close = np.where(rng.random(nc) < 0.5, self.c_adj + window + 14, self.c_adj + 365)
        wo_date = np.full(nc, NEVER)
        wo_amount = np.zeros(nc, dtype=np.int64)
        wo_reason = np.zeros(nc, dtype=np.int64)
        wo_note = np.zeros(nc, dtype=np.int64)
        tr_date = np.full(nc, NEVER)

        def write_off(mask: np.ndarray, date: np.ndarray, amount: np.ndarray, reason: str,
                      note: str | np.ndarray) -> None:
            wo_date[mask] = date[mask]
            wo_amount[mask] = amount[mask]
            wo_reason[mask] = WRITE_OFF_REASONS.index(reason)
            wo_note[mask] = (WRITE_OFF_NOTES.index(note) if isinstance(note, str)
                             else note[mask])

        write_off(self.c_stuck, self.c_date + np.maximum(filing, 365) + 21, charge,
                  "timely_filing", "no payer response within timely filing")
        co29 = whole & (self.c_carc == "29")
        write_off(co29, self.c_adj + rng.integers(20, 91, nc), charge, "timely_filing",
                  "CO-29: filed after the payer's deadline")
        write_off(correct_first & ~self.c_correct, late_close, charge, "timely_filing",
                  "not corrected and resubmitted within the filing limit")
        settle = self.c_decided + 30
        move = self.c_upheld & pr_denial & (u < 0.6)
        tr_date[move] = settle[move]
        lost_note = np.where(self.c_outcome == 3, WRITE_OFF_NOTES.index("appeal withdrawn"),
                             WRITE_OFF_NOTES.index("appeal upheld"))
        write_off(self.c_upheld & ~move, settle, charge, "appeal_lost", lost_note)
        rest = whole & ~self.c_appealed & ~correct_first & ~co29
        move = rest & pr_denial & (u < 0.5)
        tr_date[move] = self.c_adj[move] + rng.integers(7, 31, nc)[move]
        dup18 = rest & ~move & (self.c_carc == "18")
        write_off(dup18, late_close, charge, "contractual_correction",
                  "CO-18: a duplicate of a claim already received")
        write_off(rest & ~move & ~dup18, late_close, charge, "timely_filing",
                  "not appealed within the payer's appeal window")
        lines_denied = np.bincount(self.l_claim, weights=np.where(self.l_denied_first & ~whole[
            self.l_claim], self.l_charge, 0), minlength=nc).astype(np.int64)
        bundled = self.c_linedeny & (self.c_line_carc == "97")
        write_off(bundled, self.c_adj + soon, lines_denied, "contractual_correction",
                  "CO-97: bundled into another service on the claim")
        write_off(self.c_linedeny & ~bundled, late_close, lines_denied, "timely_filing",
                  "not appealed within the payer's appeal window")
        reduced = np.bincount(self.l_claim, weights=self.l_mppr, minlength=nc).astype(np.int64)
        small = self.c_mppr & (reduced < SMALL_INSURANCE_CENTS)
        write_off(small, _batch_day(self.c_adj + soon), reduced, "small_balance",
                  "a balance under $5")
        write_off(self.c_mppr & ~small, self.c_adj + soon, reduced, "contractual_correction",
                  "CO-59: the contract's multiple-procedure reduction")
        self.c_wo_date = np.where(wo_date <= self.as_of, wo_date, NEVER)
        self.c_wo_amount, self.c_wo_reason, self.c_wo_note = wo_amount, wo_reason, wo_note
        self.c_tr_date = np.where(tr_date <= self.as_of, tr_date, NEVER)
        self.c_closed = np.minimum(self.c_wo_date, self.c_tr_date)
        # The day nothing more is owed by insurance (NEVER: still owed, or not settled yet).
        paid_on = np.where(~whole, self.c_adj,
                           np.where(self.c_overturned, self.c_repay,
                                    np.where(self.c_resub_paid, self.c_resub_adj, NEVER)))
        paid_on = np.where(self.c_adjudicated, paid_on, NEVER)
        self.c_settled = np.where(whole | self.c_linedeny | self.c_mppr | self.c_stuck,
                                  np.minimum(self.c_closed, np.where(whole, paid_on, NEVER)),
                                  paid_on)

    # -- remittances --------------------------------------------------------------------
    def _payments(self) -> None:
        p = self.p
        rng = p.rng(14)
        adj = np.nonzero(self.c_adjudicated)[0]
        ovt = np.nonzero(self.c_overturned & ~self.c_via_reversal)[0]
        vr = np.nonzero(self.c_overturned & self.c_via_reversal)[0]
        rev = np.nonzero(self.c_reversed)[0]
        res = np.nonzero(self.c_resub_paid)[0]
        dup = np.nonzero(self.c_dup)[0]
        # Payment events (K_*): the first adjudication, a reversal (22) and the CLP that
        # follows it in the same remittance (a paid claim reprocessed, or a denial overturned
        # on appeal), an appeal paid by a new CLP alone, a claim paid after it was corrected and
        # resubmitted, and a payer's duplicate payment.
        e_claim = np.r_[adj, vr, vr, rev, rev, ovt, res, dup]
        e_kind = np.r_[np.full(len(adj), K_FIRST), np.full(len(vr), K_REVERSAL),
                       np.full(len(vr), K_AFTER_REVERSAL), np.full(len(rev), K_REVERSAL),
                       np.full(len(rev), K_AFTER_REVERSAL), np.full(len(ovt), K_APPEAL),
                       np.full(len(res), K_RESUBMITTED), np.full(len(dup), K_DUPLICATE)]
        e_date = np.r_[self.c_adj[adj], self.c_repay[vr], self.c_repay[vr], self.c_rev[rev],
                       self.c_rev[rev], self.c_repay[ovt], self.c_resub_adj[res],
                       self.c_dup_date[dup]]
        e_payer = self.c_payer[e_claim]
        order = np.lexsort((e_kind, e_claim, e_payer, e_date))
        e_claim, e_kind, e_date, e_payer = (e_claim[order], e_kind[order], e_date[order],
                                            e_payer[order])
        ne = len(e_claim)
        rkey = e_date * 16 + e_payer
        new_r = np.r_[True, rkey[1:] != rkey[:-1]] if ne else np.zeros(0, bool)
        e_remit = np.cumsum(new_r) - 1
        nr = int(new_r.sum())
        e_seq = _rank_in_group(e_remit) + 1
        # Lines of each event.
        nl_e = self.c_nlines[e_claim]
        ev_of_line = np.repeat(np.arange(ne), nl_e)
        line = (np.repeat(self.c_first_line[e_claim], nl_e)
                + np.arange(nl_e.sum()) - np.repeat(np.cumsum(nl_e) - nl_e, nl_e))
        kind_l = e_kind[ev_of_line]
        # A reversal undoes exactly what the first adjudication posted (a denial or a payment).
        denied = np.isin(kind_l, (K_FIRST, K_REVERSAL)) & self.l_denied_first[line]
        sign = np.where(kind_l == K_REVERSAL, -1, 1)
        charge = self.l_charge[line] * sign
        mppr = np.where(denied | (kind_l != K_FIRST), 0, self.l_mppr[line])
        allowed = np.where(denied, 0, self.l_pay_allowed[line] - mppr) * sign
        paid = np.where(denied, 0, self.l_paid[line] - mppr) * sign
        co45 = np.where(denied, 0, self.l_charge[line] - self.l_pay_allowed[line]) * sign
        seq = np.where(denied, 0, self.l_seq[line]) * sign
        ded = np.where(denied, 0, self.l_ded[line]) * sign
        coins = np.where(denied, 0, self.l_coins[line]) * sign
        copay = np.where(denied, 0, self.l_copay[line]) * sign
        den_amt = np.where(denied, self.l_charge[line], 0) * sign
        carc_labels = sorted({c for m in CLAIM_CARCS.values() for c in m} | set(LINE_CARCS)
                             | {"31"})
        carc_code = {c: i for i, c in enumerate(carc_labels)}
        den_carc = np.zeros(len(line), dtype=np.int64)   # the denied lines' reasons
        dl = np.nonzero(denied)[0]
        den_carc[dl] = [carc_code[c] for c in self.l_carc[line[dl]]]
        den_group = np.isin(den_carc, [carc_code[c] for c in PR_DENIALS]) & denied
        pr = ded + coins + copay + den_amt * den_group   # CLP05: every PR adjustment
        nlp = len(line)
        lp_id = np.arange(1, nlp + 1)
        # Claim payment rows.
        e_charge = np.bincount(ev_of_line, weights=charge, minlength=ne).astype(np.int64)
        e_paid = np.bincount(ev_of_line, weights=paid, minlength=ne).astype(np.int64)
        e_pr = np.bincount(ev_of_line, weights=pr, minlength=ne).astype(np.int64)
        status = np.where(e_kind == K_REVERSAL, 2,
                          np.where((e_kind == K_FIRST) & self.c_clp4[e_claim], 1, 0))
        icn = _ids("", (e_date - 18000) * 100000 + (np.arange(ne) % 100000), 10)
        icn = pc.binary_join_element_wise(
            pa.array(np.array([x["chid"][:2] for x in PAYERS])[e_payer]), icn, "")
        svc = self.c_date[e_claim]
        sent = np.where(e_kind == K_RESUBMITTED, self.c_resub[e_claim], self.c_sub[e_claim])
        # Remittances: one per payer per payment run.
        r_first = np.nonzero(new_r)[0]
        r_payer = e_payer[r_first]
        r_date = e_date[r_first]
        r_paid = np.bincount(e_remit, weights=e_paid, minlength=nr).astype(np.int64)
        # A couple of recent CLPs that match no claim of ours (sent by the practice's former
        # billing service): the unmatched-remittance work list.
        recent = np.nonzero(r_date >= self.as_of - 75)[0]
        if not len(recent):
            recent = np.arange(nr)[-2:]
        un_r = np.sort(rng.choice(recent, size=min(len(recent), 2 + len(self.c_sess) // 20000),
                                  replace=False))
        nu = len(un_r)
        un_charge = rng.integers(60, 200, nu) * 100
        un_paid = un_charge * rng.integers(55, 80, nu) // 100
        un_seq = np.bincount(e_remit, minlength=nr)[un_r] + 1
        r_paid += np.bincount(un_r, weights=un_paid, minlength=nr).astype(np.int64)
        self.e_claim, self.e_kind, self.e_date, self.e_paid, self.e_pr = (
            e_claim, e_kind, e_date, e_paid, e_pr)
        # A reversal names the CLP it takes back (migration 0029): its claim's first
        # adjudication, the event before it.
        first_ev = np.zeros(int(e_claim.max()) + 1 if ne else 0, np.int64)
        first_ev[e_claim[e_kind == K_FIRST]] = np.nonzero(e_kind == K_FIRST)[0] + 1
        reverses = np.where(e_kind == K_REVERSAL, first_ev[e_claim], 0)
        cp_claim = pa.concat_arrays([pc.take(self.claim_ids, pa.array(e_claim)),
                                     pa.nulls(nu, pa.string())])
        cp_clp01 = pa.concat_arrays([pc.take(self.claim_ids, pa.array(e_claim)),
                                     _ids("RB", rng.integers(10000, 99999, nu), 5)])
        self.tables["claim_payments"] = {
            "claim_payment_id": _int(np.arange(1, ne + nu + 1)),
            "remittance_id": _int(np.r_[e_remit, un_r] + 1),
            "seq": _int(np.r_[e_seq, un_seq]), "claim_id": cp_claim, "clp01": cp_clp01,
            "status_code": _cat(np.r_[status, np.zeros(nu, int)], ["1", "4", "22"]),
            "charge": _money(np.r_[e_charge, un_charge]), "paid": _money(np.r_[e_paid, un_paid]),
            "patient_responsibility": _money(np.r_[e_pr, np.zeros(nu, int)]),
            "allowed": pa.nulls(ne + nu, pa.decimal128(12, 2)),
            "payer_claim_number": pa.concat_arrays([
                icn, _ids("", rng.integers(10**9, 10**10 - 1, nu), 10)]),
            "service_from": _date(np.r_[svc, r_date[un_r] - 60]),
            "service_to": _date(np.r_[svc, r_date[un_r] - 60]),
            "received_date": _date(np.r_[sent + 1, r_date[un_r] - 45]),
            "reverses_id": _int(np.r_[reverses, np.zeros(nu, int)],
                                valid=np.r_[reverses > 0, np.zeros(nu, bool)]),
        }
        self.tables["line_payments"] = {
            "line_payment_id": _int(lp_id), "claim_payment_id": _int(ev_of_line + 1),
            "line_no": _int(self.l_no[line]), "cpt": _cat(self.l_col[line], CODES),
            "modifiers": pc.take(self.l_mods, pa.array(line)),
            "charge": _money(charge), "paid": _money(paid),
            "allowed": _money(allowed, valid=~denied), "units": _int(self.l_units[line]),
            "service_date": _date(self.c_date[self.l_claim[line]]),
        }
        # Adjustments: one row per (group, CARC, amount), line level; the unmatched CLPs'
        # contractual adjustment at claim level.
        parts = []  # (line, group, carc index, amount, order)
        extra = len(carc_labels)
        labels = carc_labels + ["45", "253", "59", "1", "2", "3"]
        for amt, grp, code in ((den_amt, den_group.astype(int), den_carc), (co45, 0, extra),
                               (seq, 0, extra + 1), (mppr, 0, extra + 2),
                               (ded, 1, extra + 3), (coins, 1, extra + 4),
                               (copay, 1, extra + 5)):
            idx = np.nonzero(amt != 0)[0]
            parts.append((idx,
                          grp[idx] if isinstance(grp, np.ndarray) else np.full(len(idx), grp),
                          (code[idx] if isinstance(code, np.ndarray)
                           else np.full(len(idx), code)), amt[idx],
                          np.full(len(idx), len(parts))))
        a_line = np.concatenate([x[0] for x in parts])
        a_grp = np.concatenate([x[1] for x in parts])
        a_carc = np.concatenate([x[2] for x in parts])
        a_amt = np.concatenate([x[3] for x in parts])
        a_ord = np.concatenate([x[4] for x in parts])
        o = np.lexsort((a_ord, a_line))
        a_line, a_grp, a_carc, a_amt = a_line[o], a_grp[o], a_carc[o], a_amt[o]
        na = len(a_line)
        self.tables["adjustments"] = {
            "adjustment_id": _int(np.arange(1, na + nu + 1)),
            "claim_payment_id": _int(np.r_[ev_of_line[a_line] + 1, ne + 1 + np.arange(nu)]),
            "line_payment_id": _int(np.r_[lp_id[a_line], np.zeros(nu, int)],
                                    valid=np.r_[np.ones(na, bool), np.zeros(nu, bool)]),
            "group_code": _cat(np.r_[a_grp, np.zeros(nu, int)], ["CO", "PR"]),
            "carc": _cat(np.r_[a_carc, np.full(nu, extra)], labels),
            "amount": _money(np.r_[a_amt, un_charge - un_paid]),
            "quantity": pa.nulls(na + nu, pa.decimal128(12, 2)),
        }
        # Remark codes on denied lines of first adjudications: MA130 on every line of an
        # unprocessable claim, a missing-information remark on the other CO-16s, and the
        # reason's usual remark on most other denied lines.
        dl = np.nonzero(denied & (kind_l == K_FIRST))[0]
        dl_carc = self.l_carc[line[dl]]
        dl_ma130 = self.c_ma130[e_claim[ev_of_line[dl]]]
        dl_keep = rng.random(len(dl)) < 0.6
        pickr = rng.integers(0, 3, len(dl))
        rm: list[str | None] = []
        for c, ma, keep, k in zip(dl_carc, dl_ma130, dl_keep, pickr, strict=True):
            if ma:
                rm.append("MA130")
            elif c == "16" or (keep and c in REMARKS):
                rm.append(REMARKS[c][k % len(REMARKS[c])])
            else:
                rm.append(None)
        has = np.array([c is not None for c in rm], dtype=bool)
        dl = dl[has] if len(dl) else dl
        self.tables["remark_codes"] = {
            "claim_payment_id": _int(ev_of_line[dl] + 1), "line_payment_id": _int(lp_id[dl]),
            "code": pa.array([c for c in rm if c is not None], pa.string()),
        }
        # PLB: interest (L6) on a few payments, and the recoupments (WO) of the payers'
        # duplicate payments, each in the payer's first remittance on or after the day it
        # decided to take the money back that pays enough (none yet when that is after as_of).
        u = rng.random(nr)
        l6 = (r_paid > 0) & (u < 0.03)
        l6_amt = -rng.integers(50, 2500, nr)
        dup_ev = np.nonzero(e_kind == K_DUPLICATE)[0]
        # A post-payment review: a few claims paid in the last eight months whose payment the
        # payer takes back 45-120 days later (PLB WO) and does not pay again. They owe again
        # ("Payments taken back"); a duplicate's recoupment leaves nothing owed.
        audit_rng = p.rng(29)
        nc = len(self.c_sess)
        audit_after = self.c_adj + audit_rng.integers(45, 121, nc)
        audit = (self.c_adjudicated & ~self.c_whole & ~self.c_linedeny & ~self.c_mppr
                 & ~self.c_reversed & ~self.c_dup & ~self.c_overturned & ~self.c_resub_paid
                 & (self.c_paid > 0) & (self.c_wo_date == NEVER) & (self.c_tr_date == NEVER)
                 & (self.c_adj >= self.as_of - 240) & (audit_after <= self.as_of)
                 & (audit_rng.random(nc) < 0.004))
        audit_ev = np.nonzero((e_kind == K_FIRST) & audit[e_claim])[0]
        recoup_after = np.where(audit, audit_after, self.c_recoup_after)
        wo_r, wo_amt, wo_ev = [], [], []
        room = r_paid.copy()
        for ev in np.r_[dup_ev, audit_ev]:
            c = e_claim[ev]
            amount = int(self.c_paid[c])
            for r in np.nonzero((r_payer == e_payer[ev]) & (r_date >= recoup_after[c]))[0]:
                if room[r] >= amount:
                    room[r] -= amount
                    wo_r.append(r)
                    wo_amt.append(amount)
                    wo_ev.append(ev)
                    break
        wo_r_a = np.array(wo_r, dtype=np.int64)
        plb_r = np.r_[np.nonzero(l6)[0], wo_r_a]
        plb_amt = np.r_[l6_amt[l6], np.array(wo_amt, dtype=np.int64)]
        plb_reason = np.r_[np.zeros(l6.sum(), int), np.ones(len(wo_r), int)]
        n_l6 = int(l6.sum())
        o = np.lexsort((plb_reason, plb_r))
        plb_r, plb_amt, plb_reason = plb_r[o], plb_amt[o], plb_reason[o]
        r_plb = np.bincount(plb_r, weights=plb_amt, minlength=nr).astype(np.int64)
        r_amount = r_paid - r_plb
        year_end = (r_date.astype("datetime64[D]").astype("datetime64[Y]") + 1).astype(
            "datetime64[D]").astype(np.int64) - 1
        wo_ev_a = np.array(wo_ev, dtype=np.int64)
        take = pa.array(o, pa.int64())
        self.tables["provider_adjustments"] = {
            "remittance_id": _int(plb_r + 1), "seq": _int(_rank_in_group(plb_r) + 1),
            "fiscal_period_date": _date(year_end[plb_r]),
            "reason_code": _cat(plb_reason, ["L6", "WO"]),
            "reference": pa.concat_arrays([pa.nulls(n_l6, pa.string()),
                                           pc.take(icn, pa.array(wo_ev_a))]).take(take),
            "amount": _money(plb_amt),
            "claim_id": pa.concat_arrays([pa.nulls(n_l6, pa.string()), pc.take(
                self.claim_ids, pa.array(e_claim[wo_ev_a]))]).take(take),
        }
        method = np.array([x["method"] for x in PAYERS])[r_payer]
        method = np.where(r_amount == 0, "NON", method)
        trn = _ids("", np.arange(1, nr + 1) + 7_000_000, 9)
        imported = (r_date + 1) * DAY_US + (6 * 3600 + (np.arange(nr) % 120) * 60) * 1_000_000
        self.tables["remittances"] = {
            "remittance_id": _int(np.arange(1, nr + 1)), "payer_id": _int(r_payer + 1),
            "payer_name": _cat(r_payer, [x["name"] for x in PAYERS]),
            "payer_key": _cat(r_payer, [x["trn"] for x in PAYERS]),
            "payment_date": _date(r_date),
            "method": pa.array(method.astype(str)),
            "trace_number": pc.binary_join_element_wise(
                _cat(r_payer, ["EFT" if x["method"] == "ACH" else "CHK" for x in PAYERS]),
                trn, ""),
            "amount": _money(r_amount), "source": _cat(np.zeros(nr), ["demo"]),
            "imported_at": _ts(imported),
        }

    # -- the client's side: payments, write-offs, refunds, transfers ------------------------
    def _patients(self) -> None:
        """What clients owe and pay, and the practice's own entries on both sides.

        A client owes the cost share (PR-1/2/3) of the adjudication that stands, or an
        insurance balance moved to them. Most clients with a copay pay it at the visit
        (a payment naming the claim, before the payer has answered: a credit until then).
        What is left each client settles in their own way: online, claim by claim; by
        statement (a payment naming no claim, applied to the oldest open service first when
        balances are read; a few pay a statement twice: a credit, mostly refunded); half
        then nothing; never (written off after 5-8 months: bad debt, or a small balance
        under $10 in the month's batch); or the owner waives it (courtesy). A copay the payer
        did not confirm (the visit denied, or a smaller cost share) is refunded once the claim
        is settled. Nothing is dated after ``as_of``: the rest is the open patient A/R.
        """
        p = self.p
        rng = p.rng(28)
        nc = len(self.c_sess)
        as_of = self.as_of
        client = p.client[self.c_ref]            # a client's first referral stands for them
        trait = _pick(rng, [38, 36, 10, 12, 4], len(p.received))[client]
        portal, statement, slow, never, courtesy = range(5)
        pr = np.bincount(self.l_claim, weights=self.l_ded + self.l_coins + self.l_copay,
                         minlength=nc).astype(np.int64)
        pr_on = np.where(~self.c_whole, self.c_adj,
                         np.where(self.c_overturned, self.c_repay,
                                  np.where(self.c_resub_paid, self.c_resub_adj, NEVER)))
        pr_due = self.c_adjudicated & (pr > 0) & (pr_on <= as_of)
        moved = self.c_tr_date <= as_of
        owed = np.where(pr_due, pr, 0) + np.where(moved, self.c_charge, 0)
        since = np.where(pr_due, pr_on, self.c_tr_date)
        copay = self.copay_plan[client]
        at_visit = (copay > 0) & (rng.random(nc) < np.where(trait == never, 0.3, 0.8))
        rest = owed - np.where(at_visit, copay, 0)
        due = (owed > 0) & (rest > 0)
        gap_named = rng.integers(5, 41, nc)
        gap_statement = rng.integers(20, 76, nc)
        gap_half = rng.integers(20, 61, nc)
        gap_bad = rng.integers(150, 241, nc)
        whole_dollars = (rng.random(nc) < 0.15) & (rest >= 200)
        pays: list[tuple[np.ndarray, ...]] = []   # claim, named, date, cents, method
        offs: list[tuple[np.ndarray, ...]] = []   # claim, date, cents, reason, note

        def pay(mask: np.ndarray, date: np.ndarray, cents: np.ndarray, named: bool,
                method: np.ndarray) -> None:
            idx = np.nonzero(mask & (date <= as_of) & (cents > 0))[0]
            pays.append((idx, np.full(len(idx), named), date[idx], cents[idx], method[idx]))

        def write_off(mask: np.ndarray, date: np.ndarray, cents: np.ndarray,
                      reason: str | np.ndarray, note: str | np.ndarray) -> None:
            idx = np.nonzero(mask & (date <= as_of) & (cents > 0))[0]
            r = (np.full(len(idx), WRITE_OFF_REASONS.index(reason)) if isinstance(reason, str)
                 else reason[idx])
            t = (np.full(len(idx), WRITE_OFF_NOTES.index(note)) if isinstance(note, str)
                 else note[idx])
            offs.append((idx, date[idx], cents[idx], r, t))

        method = _pick(rng, [55, 15, 15, 15], nc)          # card, cash, check, hsa
        pay(at_visit, self.c_date, copay, True, np.where(method == 2, 0, method))
        # Online, claim by claim (some round down to whole dollars: the cents are written off
        # in a later batch).
        named = due & (trait == portal)
        paid = np.where(whole_dollars, rest // 100 * 100, rest)
        pay(named, since + gap_named, paid, True, np.where(method == 1, 0, method))
        write_off(named & (since + gap_named <= as_of), _batch_day(since + 90), rest - paid,
                  "small_balance", "a balance under $10 after the client's payments")
        # By statement: the amount owed, naming no claim.
        by_statement = due & (trait == statement)
        pay(by_statement, since + gap_statement, rest, False, np.where(method == 1, 2, method))
        # Half, then nothing; nothing at all; waived.
        half = (rest + 1) // 2
        pay(due & (trait == slow), since + gap_half, half, True, method)
        left = np.where(trait == slow, rest - half, rest)
        small = left < SMALL_PATIENT_CENTS
        unpaid = due & ((trait == slow) | (trait == never))
        write_off(unpaid & small, _batch_day(since + gap_bad), left, "small_balance",
                  "a balance under $10 after the client's payments")
        write_off(unpaid & ~small, since + gap_bad, left, "bad_debt",
                  "three statements sent, no answer: sent to collections")
        write_off(due & (trait == courtesy), since + gap_half, rest, "courtesy",
                  "financial hardship, approved by the owner")
        # A copay the payer did not confirm, refunded once the claim is settled.
        refunds: list[tuple[np.ndarray, ...]] = []   # claim (-1: none), client, date, cents
        back = (rest < 0) & (self.c_settled <= as_of) & (rng.random(nc) < 0.85)
        r_date = self.c_settled + rng.integers(14, 46, nc)
        idx = np.nonzero(back & (r_date <= as_of))[0]
        refunds.append((idx, idx, r_date[idx], -rest[idx]))
        # A few clients pay their last statement twice; most get it back within weeks.
        last = np.full(len(p.received), -1)
        plan = np.where(by_statement, since + gap_statement, -1)
        np.maximum.at(last, client, plan)
        twice = (by_statement & (plan == last[client]) & (rng.random(nc) < 0.08)
                 & (plan <= as_of))
        idx = np.nonzero(twice)[0]
        idx = idx[np.argsort(client[idx], kind="stable")]
        repeat = np.zeros(len(idx), dtype=bool)
        repeat[1:] = client[idx][1:] == client[idx][:-1]
        twice[idx[repeat]] = False
        again = plan + rng.integers(2, 11, nc)
        pay(twice, again, rest, False, np.full(nc, 2))
        back = twice & (again <= as_of) & (rng.random(nc) < 0.6)
        r_date = again + rng.integers(14, 46, nc)
        idx = np.nonzero(back & (r_date <= as_of))[0]
        refunds.append((np.full(len(idx), -1), idx, r_date[idx], rest[idx]))
        self._client_tables(pays, offs, refunds)

    def _client_tables(self, pays: list[tuple[np.ndarray, ...]],
                       offs: list[tuple[np.ndarray, ...]],
                       refunds: list[tuple[np.ndarray, ...]]) -> None:
        """patient_payments, write_offs (both sides), balance_transfers, patient_refunds."""
        def ts(days: np.ndarray, hour: int) -> pa.Array:
            return _ts(days * DAY_US + (hour * 3600 + (np.arange(len(days)) % 480) * 60)
                       * 1_000_000)

        # Patient payments, by date.
        claim, named, date, cents, method = (np.concatenate([x[i] for x in pays])
                                             for i in range(5))
        o = np.lexsort((~named, claim, date))
        claim, named, date, cents, method = claim[o], named[o], date[o], cents[o], method[o]
        n = len(claim)
        self.tables["patient_payments"] = {
            "patient_payment_id": _int(np.arange(1, n + 1)),
            "client_id": pc.take(self.client_id, pa.array(self.c_ref[claim])),
            "claim_id": pc.if_else(pa.array(named), pc.take(self.claim_ids, pa.array(claim)),
                                   pa.scalar(None, pa.string())),
            "payment_date": _date(date), "amount": _money(cents),
            "method": _cat(method, ["card", "cash", "check", "hsa"]),
        }
        # Write-offs: the insurance balances written off, then the clients'; small balances in
        # the month's batch (one batch per side and day).
        ins = np.nonzero(self.c_wo_date <= self.as_of)[0]
        w_claim = np.r_[ins, np.concatenate([x[0] for x in offs])]
        w_date = np.r_[self.c_wo_date[ins], np.concatenate([x[1] for x in offs])]
        w_cents = np.r_[self.c_wo_amount[ins], np.concatenate([x[2] for x in offs])]
        w_reason = np.r_[self.c_wo_reason[ins], np.concatenate([x[3] for x in offs])]
        w_note = np.r_[self.c_wo_note[ins], np.concatenate([x[4] for x in offs])]
        w_side = np.r_[np.zeros(len(ins), int), np.ones(len(w_claim) - len(ins), int)]
        o = np.lexsort((w_claim, w_side, w_date))
        w_claim, w_date, w_cents, w_reason, w_note, w_side = (
            w_claim[o], w_date[o], w_cents[o], w_reason[o], w_note[o], w_side[o])
        n = len(w_claim)
        batched = w_reason == WRITE_OFF_REASONS.index("small_balance")
        key = w_date * 2 + w_side
        bk = key[batched]
        batch = np.zeros(n, dtype=np.int64)
        batch[batched] = np.cumsum(np.r_[True, bk[1:] != bk[:-1]]) if len(bk) else 0
        self.tables["write_offs"] = {
            "write_off_id": _int(np.arange(1, n + 1)),
            "client_id": pc.take(self.client_id, pa.array(self.c_ref[w_claim])),
            "claim_id": pc.take(self.claim_ids, pa.array(w_claim)),
            "side": _cat(w_side, ["insurance", "patient"]), "amount": _money(w_cents),
            "reason": _cat(w_reason, list(WRITE_OFF_REASONS)),
            "note": _cat(w_note, list(WRITE_OFF_NOTES)),
            "write_off_date": _date(w_date), "user_name": _cat(np.zeros(n), ["demo"]),
            "batch_id": _int(batch, valid=batched), "created_at": ts(w_date, 17),
        }
        # Insurance balances moved to the client (the PR-96 / PR-204 waivers).
        t = np.nonzero(self.c_tr_date <= self.as_of)[0]
        t = t[np.lexsort((t, self.c_tr_date[t]))]
        n = len(t)
        why = np.array([TRANSFER_REASONS.get(c, "") for c in self.c_carc[t]], dtype=object)
        self.tables["balance_transfers"] = {
            "transfer_id": _int(np.arange(1, n + 1)),
            "claim_id": pc.take(self.claim_ids, pa.array(t)),
            "client_id": pc.take(self.client_id, pa.array(self.c_ref[t])),
            "amount": _money(self.c_charge[t]), "transfer_date": _date(self.c_tr_date[t]),
            "reason": pa.array(list(why), pa.string()),
            "note": pa.nulls(n, pa.string()), "user_name": _cat(np.zeros(n), ["demo"]),
            "created_at": ts(self.c_tr_date[t], 16),
        }
        # Refunds: a copay the payer did not confirm (naming its claim), a statement paid
        # twice (naming none).
        r_claim, r_of, r_date, r_cents = (np.concatenate([x[i] for x in refunds])
                                          for i in range(4))
        o = np.lexsort((r_of, r_date))
        r_claim, r_of, r_date, r_cents = r_claim[o], r_of[o], r_date[o], r_cents[o]
        n = len(r_claim)
        self.tables["patient_refunds"] = {
            "refund_id": _int(np.arange(1, n + 1)),
            "client_id": pc.take(self.client_id, pa.array(self.c_ref[r_of])),
            "claim_id": pc.if_else(pa.array(r_claim >= 0),
                                   pc.take(self.claim_ids, pa.array(np.maximum(r_claim, 0))),
                                   pa.scalar(None, pa.string())),
            "refund_date": _date(r_date), "amount": _money(r_cents),
            "method": _cat(np.zeros(n), ["check"]),
            "reference": pa.nulls(n, pa.string()),
            "note": _cat((r_claim < 0).astype(int), ["copay collected at the visit, not owed",
                                                      "statement paid twice"]),
            "user_name": _cat(np.zeros(n), ["demo"]), "created_at": ts(r_date, 15),
        }

    # -- claims table, status history, appeals -------------------------------------------
    def _history(self) -> None:
        nc = len(self.c_sess)
        ci = np.arange(nc)
        ev = []  # (claim, date, status, note, order)

        def add(mask: np.ndarray, date: np.ndarray, status: str, note: int, order: int) -> None:
            idx = np.nonzero(mask)[0]
            ev.append((idx, np.asarray(date)[idx] if np.ndim(date) else np.full(len(idx), date),
                       np.full(len(idx), S[status]), np.full(len(idx), note),
                       np.full(len(idx), order)))

        notes = ["created from session", "checked and ready to send",
                 "sent to the clearinghouse (837P)", "ERA: paid", "ERA: some lines denied",
                 "ERA: denied", "appeal filed", "appeal overturned: paid",
                 "appeal upheld", "appeal withdrawn", "payer reversed and reprocessed the payment",
                 "duplicate entered by mistake", "ERA: denied (CLP02 4: the payer does not "
                 "recognise the patient)", "ERA: paid, one line reduced (CO-59)",
                 "appeal overturned: the payer reversed its denial (22) and paid",
                 "corrected, ready to send again", "resubmitted to the payer (837P)",
                 "ERA: paid after resubmission", "ERA: paid a second time (the payer's duplicate)",
                 "balance moved to the client"]
        notes += [f"written off ({r.replace('_', ' ')}): nothing owed by insurance"
                  for r in WRITE_OFF_REASONS]
        N = {t: i for i, t in enumerate(notes)}
        true = np.ones(nc, bool)
        add(true, self.c_created, "draft", N["created from session"], 0)
        ready_ok = self.c_ready <= self.as_of
        add(ready_ok, self.c_ready, "ready", N["checked and ready to send"], 1)
        add(self.c_submitted, self.c_sub, "submitted", N["sent to the clearinghouse (837P)"], 2)
        a = self.c_adjudicated
        add(a & ~self.c_whole & ~self.c_linedeny & ~self.c_mppr,
            self.c_adj, "paid", N["ERA: paid"], 3)
        # (paid 0 when the other lines' allowed amount all went to the deductible: denied)
        add(a & self.c_linedeny & (self.c_paid > 0), self.c_adj, "partially_paid",
            N["ERA: some lines denied"], 3)
        add(a & self.c_linedeny & (self.c_paid == 0), self.c_adj, "denied",
            N["ERA: some lines denied"], 3)
        add(self.c_mppr, self.c_adj, "partially_paid", N["ERA: paid, one line reduced (CO-59)"],
            3)
        add(self.c_whole & ~self.c_clp4, self.c_adj, "denied", N["ERA: denied"], 3)
        add(self.c_clp4, self.c_adj, "denied",
            N["ERA: denied (CLP02 4: the payer does not recognise the patient)"], 3)
        add(self.c_appealed, self.c_filed, "appealed", N["appeal filed"], 4)
        add(self.c_overturned & ~self.c_via_reversal, self.c_repay, "paid",
            N["appeal overturned: paid"], 5)
        add(self.c_via_reversal, self.c_repay, "paid",
            N["appeal overturned: the payer reversed its denial (22) and paid"], 5)
        add(self.c_upheld & (self.c_outcome == 2), self.c_decided, "denied",
            N["appeal upheld"], 5)
        add(self.c_upheld & (self.c_outcome == 3), self.c_decided, "denied",
            N["appeal withdrawn"], 5)
        fixed = self.c_correct & (self.c_fixed <= self.as_of)
        add(fixed, self.c_fixed, "ready", N["corrected, ready to send again"], 4)
        resent = self.c_correct & (self.c_resub <= self.as_of)
        add(resent, self.c_resub, "submitted", N["resubmitted to the payer (837P)"], 5)
        add(self.c_resub_paid, self.c_resub_adj, "paid", N["ERA: paid after resubmission"], 6)
        # Closed once insurance owes nothing: written off with a reason, or moved to the client.
        moved = self.c_tr_date <= self.as_of
        add(moved, self.c_tr_date, "closed", N["balance moved to the client"], 7)
        written = (self.c_wo_date <= self.as_of) & ~moved
        first_wo = len(notes) - len(WRITE_OFF_REASONS)
        idx = np.nonzero(written)[0]
        ev.append((idx, self.c_wo_date[idx], np.full(len(idx), S["closed"]),
                   first_wo + self.c_wo_reason[idx], np.full(len(idx), 7)))
        add(self.c_reversed, self.c_rev, "paid",
            N["payer reversed and reprocessed the payment"], 8)
        add(self.c_dup, self.c_dup_date, "paid",
            N["ERA: paid a second time (the payer's duplicate)"], 8)
        # Voided duplicates: claims nc, nc+1, ...
        nd = len(self.dup_of)
        dup = np.arange(nc, nc + nd)
        dcreated = self.c_created[self.dup_of]
        ev.append((dup, dcreated, np.full(nd, S["draft"]), np.full(nd, N["created from session"]),
                   np.zeros(nd, int)))
        ev.append((dup, np.minimum(dcreated + 1, self.as_of), np.full(nd, S["voided"]),
                   np.full(nd, N["duplicate entered by mistake"]), np.full(nd, 9)))
        h_claim = np.concatenate([e[0] for e in ev])
        h_date = np.concatenate([e[1] for e in ev]).astype(np.int64)
        h_status = np.concatenate([e[2] for e in ev])
        h_note = np.concatenate([e[3] for e in ev])
        h_order = np.concatenate([e[4] for e in ev])
        o = np.lexsort((h_order, h_date, h_claim))
        h_claim, h_date, h_status, h_note, h_order = (h_claim[o], h_date[o], h_status[o],
                                                      h_note[o], h_order[o])
        h_seq = _rank_in_group(h_claim) + 1
        last = np.r_[h_claim[1:] != h_claim[:-1], True]
        final_status = np.empty(nc + nd, dtype=np.int64)
        final_status[h_claim[last]] = h_status[last]
        all_claims = np.r_[ci, self.dup_of]   # source claim of each claim row
        self.tables["claim_status_history"] = {
            "claim_id": pc.take(self.claim_ids_all, pa.array(h_claim)),
            "seq": _int(h_seq), "status": _cat(h_status, STATUS_LABELS),
            "status_date": _date(h_date),
            "changed_at": _ts(h_date * DAY_US + (9 * 3600 + h_order * 1800) * 1_000_000),
            "changed_by": _cat(np.zeros(len(h_claim)), ["demo"]),
            "note": _cat(h_note, notes),
        }
        # Claims table.
        src = all_claims
        submitted = np.r_[self.c_submitted, np.zeros(nd, bool)]
        sub = self.c_sub[src]
        resent = np.r_[self.c_correct & (self.c_resub <= self.as_of), np.zeros(nd, bool)]
        last_sub = np.where(resent, self.c_resub[src], sub)
        ref_dx = self.p.dx[self.c_ref[src]]
        ndx = self.p.ndx[self.c_ref[src]]
        valid = np.arange(3)[None, :] < ndx[:, None]
        self.tables["claims"] = {
            "claim_id": self.claim_ids_all,
            "client_id": pc.take(self.client_id, pa.array(self.c_ref[src])),
            "payer_id": _int(self.c_payer[src] + 1),
            "coverage_id": _int(self.coverage_id[self.c_ref[src]]),
            "referral_id": _int(self.c_ref[src] + 1),
            "referrer_id": _int(self.p.referrer[self.c_ref[src]] + 1),
            "rendering_provider_id": _int(self.p.s_provider[self.c_sess[src]] + 1),
            "status": _cat(final_status, STATUS_LABELS),
            "diagnosis_codes": _list(ndx, _cat(ref_dx[valid], DX_LABELS)),
            "total_charge": _money(self.c_charge[src]),
            "first_service_date": _date(self.c_date[src]),
            "submitted_date": _date(sub, valid=submitted),
            "last_submitted_date": _date(last_sub, valid=submitted),
            "frequency_code": _cat(np.zeros(nc + nd), ["1"]),
            "source": _cat(np.zeros(nc + nd), ["demo"]),
            "created_at": _ts(self.c_created[src] * DAY_US
                              + (8 * 3600 + (np.arange(nc + nd) % 600) * 60) * 1_000_000),
        }
        # Claim lines (the duplicates repeat their original's lines).
        dl_claim = np.repeat(np.arange(nd), self.c_nlines[self.dup_of])
        dl_line = (np.repeat(self.c_first_line[self.dup_of], self.c_nlines[self.dup_of])
                   + _rank_in_group(dl_claim))
        lines = np.r_[np.arange(len(self.l_claim)), dl_line]
        line_claim = np.r_[self.l_claim, nc + dl_claim]
        self.tables["claim_lines"] = {
            "claim_id": pc.take(self.claim_ids_all, pa.array(line_claim)),
            "line_no": _int(self.l_no[lines]),
            "service_date": _date(self.c_date[self.l_claim[lines]]),
            "cpt": _cat(self.l_col[lines], CODES),
            "modifiers": pc.take(self.l_mods, pa.array(lines)),
            "units": _int(self.l_units[lines]), "charge": _money(self.l_charge[lines]),
            "dx_pointers": pc.take(self.l_ptrs, pa.array(lines)),
            "session_id": _int(self.c_sess[self.l_claim[lines]] + 1),
        }
        # Appeals.
        ap = np.nonzero(self.c_appealed)[0]
        outcome_labels = ["pending", "overturned", "upheld", "withdrawn"]
        reason = {"50": "Plan of care and progress notes show medical necessity",
                  "197": "Authorization was on file before the visit",
                  "16": "Corrected claim with the missing information",
                  "4": "Corrected modifiers (GP) on every therapy line",
                  "151": "Frequency supported by the plan of care",
                  "119": "Visits within the benefit year maximum",
                  "11": "Diagnosis supports the procedures billed",
                  "29": "Proof of timely filing (clearinghouse acceptance report)",
                  "27": "Coverage was active on the date of service",
                  "204": "Service covered under the member's plan",
                  "96": "A covered benefit under the member's plan (benefit summary attached)",
                  "18": "Not a duplicate: a separate visit"}
        rlabels = list(reason)
        ridx = np.array([rlabels.index(c) for c in self.c_carc[ap]], dtype=np.int64)
        decided = self.c_outcome[ap] > 0
        self.tables["appeals"] = {
            "appeal_id": _int(np.arange(1, len(ap) + 1)),
            "claim_id": pc.take(self.claim_ids, pa.array(ap)),
            "filed_date": _date(self.c_filed[ap]), "level": _int(np.ones(len(ap))),
            "reason": _cat(ridx, [reason[c] for c in rlabels]),
            "outcome": _cat(self.c_outcome[ap], outcome_labels),
            "outcome_date": _date(self.c_decided[ap], valid=decided),
        }

    @property
    def claim_ids(self) -> pa.Array:
        if not hasattr(self, "_claim_ids"):
            nc = len(self.c_sess)
            nd = len(self.dup_of)
            self._claim_ids_all = _ids("C", np.arange(1, nc + nd + 1), 7)
            self._claim_ids = self._claim_ids_all.slice(0, nc)
        return self._claim_ids

    @property
    def claim_ids_all(self) -> pa.Array:
        self.claim_ids  # noqa: B018 - builds both
        return self._claim_ids_all
