"""The timely-filing deadline, one definition (DOMAIN.md, "Deadlines"): a claim must reach
its payer within the payer's own days (``payers.timely_filing_days``) of its date of service;
a claim of several dates, of its earliest, the claim's ``first_service_date``. Past it, the
payer denies CO-29 unless the practice can prove it filed in time.

The work lists, the Denials page, the acknowledgments list, the denial risk and the claim
check all read it from here (it was written out in each of them)."""

from __future__ import annotations

import datetime as dt


def filing_deadline_sql(claim: str = "c", payer: str = "p") -> str:
    """The deadline as a DuckDB DATE expression over the claim's and the payer's table
    aliases (``claim``.first_service_date, ``payer``.timely_filing_days)."""
    for alias in (claim, payer):
        if not alias.isidentifier():
            raise ValueError(f"not a table alias: {alias!r}")
    return f"({claim}.first_service_date + {payer}.timely_filing_days)::DATE"


def filing_deadline(first_service: dt.date, filing_days: int) -> dt.date:
    """The deadline of a claim whose earliest date of service is ``first_service``."""
    return first_service + dt.timedelta(days=int(filing_days))
