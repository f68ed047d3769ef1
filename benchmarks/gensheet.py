"""A claims spreadsheet (CSV bytes) of a year of a practice's claims (benchmark input).

``claims_sheet(rows)``: two lines a visit (97110 and 97112, the same day), each client
seen once or twice a week for the year before ``as_of``, a Medicare payer and a commercial
one, a handful of referrers and rendering providers: the clients, payers, referrers,
providers, coverages and referrals are new to the store (ids prefixed ``prefix``), except a
payer whose name the store already has. Every row is valid, so the whole file imports;
Medicare lines past the year's KX threshold come back as warnings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from metdash.coding.mbi import synthetic_mbi
from metdash.spreadsheet import COLUMNS

PAYERS = (("Medicare Part B", "medicare", "GP"), ("Bench Commercial", "commercial", ""))
VISITS_PER_CLIENT = 60  # about 1-2 a week for a year


def npi(n: int) -> str:
    """A valid NPI (Luhn check digit over 80840 + the 9 digits) built from ``n``."""
    body = f"1{n:08d}"
    total = 0
    for i, ch in enumerate(reversed("80840" + body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def claims_sheet(rows: int, *, as_of: dt.date = dt.date(2026, 6, 30), seed: int = 7,
                 prefix: str = "SS") -> bytes:
    """``rows`` claim lines (an even number: two per claim) as CSV bytes."""
    rng = random.Random(seed)
    claims = rows // 2
    n_clients = max(1, claims // VISITS_PER_CLIENT)
    referrers = [npi(100 + i) for i in range(12)]
    renderers = [npi(900 + i) for i in range(4)]
    first_day = as_of - dt.timedelta(days=364)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in range(n_clients):
        payer, ptype, mods = PAYERS[c % len(PAYERS)]
        client = {
            "client_id": f"{prefix}{c:05d}", "client_last_name": f"Last{c}",
            "client_first_name": rng.choice(["Ann", "Bo", "Cy", "Di", "Ed"]),
            "client_dob": dt.date(1940 + c % 50, 1 + c % 12, 1 + c % 28).isoformat(),
            "client_sex": "FM"[c % 2], "payer_name": payer, "payer_type": ptype,
            "member_id": (synthetic_mbi(int.from_bytes(prefix.encode(), "big") * 10**7 + c)
                          if ptype == "medicare" else f"{prefix}M{c:07d}"),
            "referrer_npi": referrers[c % len(referrers)],
            "referrer_name": f"Referrer, {c % len(referrers)}", "referrer_kind": "physician",
            "referral_date": (first_day - dt.timedelta(days=10)).isoformat(),
            "rendering_npi": renderers[c % len(renderers)], "diagnosis_codes": "M54.50;E11.9",
            "modifiers": mods,
        }
        visits = VISITS_PER_CLIENT if c < n_clients - 1 else claims - c * VISITS_PER_CLIENT
        days = sorted(rng.sample(range(0, 360), min(visits, 360)))
        for v, offset in enumerate(days):
            day = first_day + dt.timedelta(days=offset)
            sent = min(day + dt.timedelta(days=2), as_of)
            for cpt, fee in (("97110", "80.00"), ("97112", "84.00")):
                row = {**client, "claim_id": f"{prefix}{c:05d}-{v:03d}",
                       "service_date": day.isoformat(), "cpt": cpt, "units": "2",
                       "charge": fee, "submitted_date": sent.isoformat()}
                writer.writerow([row[k] for k in COLUMNS])
    return out.getvalue().encode("utf-8")
