"""Workshop helpers: put the demo practice back the way it was seeded.

The seed and size of the demo come from the latest 'demo generated' row of the audit log
(:func:`metdash.demo.generate` writes one); a store that is not the demo practice is never
touched.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from metdash.errors import NotTheDemo
from metdash.store import Database

DEFAULT_SEED = 7


def demo_settings(db: Database) -> dict[str, Any]:
    """The request behind the demo as last generated: seed and claim_lines (None: the
    default size). Seed 7 at the default size when the audit log has no record."""
    from metdash.demo import DEFAULT_TRAINERS, NOMINAL_DEFAULT_LINES

    row = db.query("SELECT after FROM audit_log WHERE action = 'demo generated' "
                   "ORDER BY audit_id DESC LIMIT 1")
    found: dict[str, Any] = {}
    if len(row) and row.after[0]:
        try:
            found = json.loads(row.after[0])
        except (TypeError, ValueError):
            found = {}
    seed = int(found.get("seed", DEFAULT_SEED))
    if "summary" in found:  # the audit row records the request itself
        lines = found.get("claim_lines")
        return {"seed": seed, "claim_lines": int(lines) if lines else None}
    # Older rows hold only what was built: a default-sized demo is rebuilt at the default
    # size, any other at about its line count.
    lines = int(found["claim_lines"]) if found.get("claim_lines") else None
    if lines is not None and found.get("providers") == DEFAULT_TRAINERS and \
            abs(lines - NOMINAL_DEFAULT_LINES) <= 0.1 * NOMINAL_DEFAULT_LINES:
        lines = None
    return {"seed": seed, "claim_lines": lines}


def reset_demo(db: Database, today: dt.date, user: str):  # -> metdash.demo.DemoSummary
    """Rebuild the demo practice from its seed, as of ``today``, at the same size.

    Raises NotTheDemo when the store's practice is not the synthetic demo."""
    from metdash.demo import generate

    if not db.scalar("SELECT coalesce(bool_or(is_demo), FALSE) FROM practice"):
        raise NotTheDemo("This store holds a real practice, not the demo: nothing was reset.")
    settings = demo_settings(db)
    return generate(db, seed=settings["seed"], claim_lines=settings["claim_lines"],
                    as_of=today, user=user)
