"""Every figure the dashboard and ``metdash figures`` show, as plain functions.

Each function takes the :class:`~metdash.store.Database` and a :class:`Filters` and returns a
dict or a DataFrame whose columns are named in its docstring. Definitions are the
catalogue's (:mod:`metdash.metrics`), which follow ../shared/DOMAIN.md. All aggregation
happens in DuckDB (queries in ``metdash/sql/``); Python only assembles the results.

- :mod:`~metdash.figures.core` -- Filters, SQL loading and binding, money / ratio helpers;
- :mod:`~metdash.figures.overview` -- the KPIs, the claims behind a figure, filter options;
- :mod:`~metdash.figures.revenue`, :mod:`~metdash.figures.payment` (days to payment, A/R),
  :mod:`~metdash.figures.denials`, :mod:`~metdash.figures.referrers` -- one per dashboard;
- :mod:`~metdash.figures.ledger` -- write-offs, patient balances, a claim's or client's ledger.
- :mod:`~metdash.figures.clean_claims` -- the clean claim rate (999 / 277CA acknowledgments).
- :mod:`~metdash.figures.report` -- every figure as one JSON-ready report (``metdash figures``).
"""

from metdash.figures.clean_claims import (
    clean_claim_rate,
    clean_claim_totals,
    clean_claims_by_payer,
)
from metdash.figures.core import (
    BUCKETS,
    CENTS,
    Filters,
    as_float,
    bind,
    clear_reuse,
    money,
    query,
    ratio,
    run,
    sql,
)
from metdash.figures.denials import (
    appeals_summary,
    denial_outcomes,
    denial_rate_by,
    denial_reasons,
    denial_reasons_by_payer,
    denial_reasons_monthly,
    denial_summary,
    open_denials,
    open_denials_by_reason,
    remark_codes,
)
from metdash.figures.ledger import (
    WRITE_OFF_REASONS,
    claim_ledger,
    claim_ledger_shown,
    client_ledger,
    patient_balances,
    write_offs_by_reason,
    write_offs_monthly,
)
from metdash.figures.overview import (
    claims_list,
    default_period,
    filter_options,
    kpis,
    kpis_compared,
    nothing_before,
)
from metdash.figures.payment import (
    AR_KINDS,
    ar_aging,
    ar_aging_by_payer,
    ar_agings,
    days_to_payment,
    days_to_payment_histogram,
    days_to_payment_monthly,
    oldest_open_claims,
)
from metdash.figures.referrers import (
    referrals_weekly,
    referrer_kinds,
    referrer_kinds_of,
    referrer_volume,
)
from metdash.figures.report import figures_report, report_csv
from metdash.figures.revenue import (
    expected_vs_paid,
    monthly_trend,
    payer_mix_monthly,
    revenue_by_payer,
    underpaid_lines,
)

__all__ = [
    "default_period",
    "AR_KINDS", "WRITE_OFF_REASONS", "claim_ledger", "claim_ledger_shown", "client_ledger", "denial_outcomes",
    "open_denials_by_reason", "patient_balances", "write_offs_by_reason", "write_offs_monthly",
    "figures_report", "report_csv", "clean_claim_rate", "clean_claim_totals",
    "clean_claims_by_payer",
    "BUCKETS", "CENTS", "Filters", "appeals_summary", "ar_aging", "ar_agings",
    "ar_aging_by_payer",
    "as_float", "bind", "claims_list", "clear_reuse", "days_to_payment",
    "days_to_payment_histogram", "days_to_payment_monthly", "denial_rate_by", "denial_reasons",
    "denial_reasons_by_payer", "denial_reasons_monthly", "denial_summary", "expected_vs_paid",
    "filter_options", "kpis", "kpis_compared", "money", "monthly_trend", "nothing_before",
    "oldest_open_claims",
    "open_denials",
    "payer_mix_monthly", "query", "ratio", "referrals_weekly", "referrer_kinds",
    "referrer_kinds_of", "referrer_volume", "remark_codes", "revenue_by_payer", "run", "sql",
    "underpaid_lines",
]
