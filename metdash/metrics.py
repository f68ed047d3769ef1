"""The figure catalogue: every figure metdash shows, declared once.

Pages take labels and tooltips from here, ``metdash figures`` takes names and formats from
here, and the definitions follow ../shared/DOMAIN.md ("The figures users expect") with the
choices DOMAIN.md leaves open stated in the definition itself, so the tooltip a practice
owner reads is the rule the code applies.

Conventions used by every definition:
- *Claims in the period*: claims that are not voided whose first service date lies in the
  period (the sidebar's date range is a service-date range).
- *Adjudication*: a remittance for one of our claims (835 CLP or a hand-posted EOB) that is
  not a reversal (CLP02 22) and not "not our claim" (CLP02 23). The *first adjudication*
  is the earliest by payment date.
- *Denial*: a claim or line paid 0 with an adjustment that is neither patient
  responsibility (group PR) nor contractual (CO-45, CO-253), or a claim with CLP02 = 4.
- Remittances for claims that are not ours (unmatched CLP01) and provider-level
  adjustments (PLB) are kept out of every claim figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Format = Literal["money", "percent", "days", "count", "date", "text", "number"]


@dataclass(frozen=True)
class Metric:
    """One figure: its key in ``metdash figures``, its label on screen, its definition."""

    name: str
    label: str
    definition: str
    format: Format
    # For the change against the previous period: is a rise good news?
    higher_is_better: bool | None = None
    # A shorter label for a KPI tile, where the full one would be cut.
    short: str | None = None

    @property
    def short_label(self) -> str:
        return self.short or self.label

    @property
    def help(self) -> str:
        """The tooltip text."""
        return self.definition


_CATALOGUE = [
    Metric("gross_charges", "Gross charges",
           "Σ line charges of the claims in the period (claims not voided whose first service "
           "date is in the period).", "money", True),
    Metric("payments", "Payments",
           "Σ payer payments + Σ patient payments posted (payment date) in the period. Payments "
           "for claims that are not ours and provider-level adjustments (PLB) are left out; a "
           "reversal counts negative.", "money", True),
    Metric("contractual_adjustments", "Contractual adjustments",
           "Σ CO-45 (charge above the fee schedule) and CO-253 (sequestration) adjustments "
           "posted in the period. Denial adjustments such as CO-50 are not contractual.",
           "money", None, "Contractual adj."),
    Metric("gross_collection_rate", "Gross collection rate",
           "Payments ÷ gross charges, both for the period.", "percent", True),
    Metric("net_collection_rate", "Net collection rate",
           "Payments ÷ (gross charges − contractual adjustments), all for the period.",
           "percent", True),
    Metric("denial_rate", "Denial rate",
           "Claims with a denial at their first adjudication ÷ claims adjudicated, among the "
           "claims in the period. A denial is a claim or line paid 0 with a reason that is not "
           "patient responsibility (PR) or contractual (CO-45/CO-253), or CLP02 = 4.",
           "percent", False),
    Metric("first_pass_resolution_rate", "First-pass resolution",
           "Claims resolved by their first adjudication (processed, and every adjustment is "
           "contractual CO-45/CO-253 or patient responsibility PR) ÷ claims adjudicated, among "
           "the claims in the period.", "percent", True),
    Metric("ar_total", "A/R",
           "Insurance A/R as of the as-of date: Σ (charge − payer payments − adjustments, "
           "patient responsibility included) over submitted claims that are not closed or "
           "voided, counting claims with a balance above 0. Remittances after the as-of date "
           "are ignored.", "money", False),
    Metric("days_in_ar", "Days in A/R",
           "A/R as of the as-of date ÷ average daily gross charges of the 90 days ending on the "
           "as-of date (Σ charges of claims with first service date in those 90 days ÷ 90).",
           "days", False),
    Metric("median_days_to_payment", "Median days to payment",
           "Median over the claims in the period of (payment date of the first remittance that "
           "pays more than 0 − submission date).", "days", False, "Median days to pay"),
    # Per-payer and per-claim figures of the pages.
    Metric("claims", "Claims", "Claims in the period (not voided).", "count"),
    Metric("billed", "Billed", "Σ charges of the claims in the period.", "money"),
    Metric("allowed", "Allowed",
           "Σ allowed amounts on the claims in the period: AMT*B6 where the payer sent it, "
           "else paid + patient responsibility (0 on a denied line). Reversals count negative.",
           "money"),
    Metric("paid", "Paid",
           "Σ payer payments on the claims in the period, whenever posted (reversals negative).",
           "money"),
    Metric("patient_responsibility", "Patient responsibility",
           "Σ patient responsibility (deductible, coinsurance, copay: group PR) on the claims in "
           "the period.", "money"),
    Metric("paid_per_visit", "Paid per visit",
           "Payer payments on the claims in the period ÷ visits billed (distinct client and "
           "service date).", "money"),
    Metric("expected", "Expected",
           "Σ the payer's expected allowed amount from the fee schedule × units, over the "
           "adjudicated lines.", "money"),
    Metric("claims_paid", "Claims paid",
           "Claims in the period with a remittance that paid more than 0.", "count"),
    Metric("median_days", "Median days",
           "Median of (first payment date − submission date) over the claims paid.", "days"),
    Metric("p90_days", "90th percentile days",
           "90th percentile (linear interpolation) of (first payment date − submission "
           "date) over the claims paid.", "days"),
    Metric("median_days_from_service", "Median days from service",
           "Median of (first payment date − first service date) over the claims paid.", "days"),
    Metric("p90_days_from_service", "90th percentile days from service",
           "90th percentile of (first payment date − first service date).", "days"),
    Metric("balance", "Balance",
           "Charge − payer payments − adjustments (patient responsibility included), as of the "
           "as-of date.", "money"),
    Metric("denial_rate_dollars", "Denial rate ($)",
           "Charges of lines denied at their first adjudication ÷ charges adjudicated.",
           "percent"),
    Metric("denial_rate_lines", "Denial rate (lines)",
           "Lines denied at their first adjudication ÷ lines adjudicated.", "percent"),
    Metric("denied_amount", "Denied",
           "Σ denial adjustment amounts (not PR, not CO-45/CO-253, on a claim or line paid 0), "
           "reversals left out.", "money"),
    Metric("referrals", "Referrals", "Referrals received in the period.", "count"),
    Metric("converted", "Converted",
           "Referrals received in the period that led to the client's first session within 30 "
           "days of the referral date.", "count"),
    Metric("conversion_rate", "Conversion", "Converted ÷ referrals.", "percent"),
    Metric("days_to_first_session", "Days to first session",
           "Median of (first session on or after the referral date − referral date) over the "
           "converted referrals.", "days"),
    Metric("sessions", "Sessions",
           "Visits (distinct client and date, from sessions and billed lines) in the period by "
           "the clients the referrer sent.", "count"),
    Metric("referrer_billed", "Billed",
           "Σ charges of the claims in the period that name the referrer.", "money"),
    Metric("referrer_paid", "Paid",
           "Payer payments + patient payments on the claims in the period that name the "
           "referrer (revenue per referrer).", "money"),
    Metric("last_referral", "Last referral",
           "Date of the referrer's most recent referral up to the end of the period.", "date"),
    # The weekly referral review (metdash.weekly): one week, Monday to Sunday.
    Metric("week_referrals", "Referrals this week",
           "Referrals received Monday to Sunday of the reviewed week.", "count", True,
           "This week"),
    Metric("avg_4w", "4-week average",
           "Referrals a week over the 4 full weeks just before the reviewed week (its Monday "
           "minus 28 days to the Sunday before it) ÷ 4.", "number", None, "4-wk avg"),
    Metric("avg_12w", "12-week average",
           "Referrals a week over the 12 full weeks just before the reviewed week (its Monday "
           "minus 84 days to the Sunday before it) ÷ 12.", "number", None, "12-wk avg"),
    Metric("change_vs_4w", "Change vs 4-week avg",
           "Referrals this week − the 4-week average. Top movers are the largest rises and "
           "falls.", "number"),
    Metric("change_vs_12w", "Change vs 12-week avg",
           "Referrals this week − the 12-week average.", "number"),
    Metric("week_referrers", "Referrers this week",
           "Referrers who sent at least one referral in the reviewed week.", "count"),
    Metric("new_referrers", "New referrers",
           "Referrers whose first referral ever was received in the reviewed week.", "count",
           True),
    Metric("lapsed_referrers", "Lapsed referrers",
           "Referrers with at least 3 referrals up to the week's end (Sunday) and none for more "
           "than twice their median gap between consecutive distinct referral dates.",
           "count", False),
    Metric("newly_lapsed", "Newly lapsed",
           "Lapsed referrers whose lapse began in the reviewed week.", "count", False),
    Metric("first_referral", "First referral", "Date of the referrer's first referral ever.",
           "date"),
    Metric("median_gap_days", "Usual gap",
           "Median days between the referrer's consecutive distinct referral dates, up to the "
           "week's end.", "days"),
    Metric("days_since_last", "Days since last",
           "Days from the last referral to the week's end (Sunday).", "count"),
    Metric("lapsed_on", "Lapsed on",
           "First day on which the days since the last referral exceeded twice the usual gap.",
           "date"),
    Metric("referrals_12m", "Referrals (12 mo)",
           "Referrals received in the 365 days ending on the reviewed week's Sunday.", "count"),
    Metric("converted_12m", "Converted (12 mo)",
           "Of the referrals of the last 12 months, those whose client had a first visit "
           "(session or billed line) on or after the referral date within 30 days. Referrals "
           "of the last 30 days may still convert.", "count"),
    Metric("conversion_rate_12m", "Conversion (12 mo)",
           "Converted ÷ referrals, over the 12 months ending on the week's Sunday (first visit "
           "within 30 days of the referral date).", "percent", True, "Conversion"),
    Metric("days_to_first_session_12m", "Days to first session",
           "Median of (first visit − referral date) over the converted referrals of the 12 "
           "months ending on the week's Sunday (overall: over every converted referral).",
           "days", False, "Days to 1st session"),
    Metric("sessions_12m", "Sessions (12 mo)",
           "Visits (distinct client and date, from sessions and billed lines) in the 12 months "
           "by the clients the referrer sent.", "count"),
    Metric("billed_12m", "Billed (12 mo)",
           "Σ charges of the claims naming the referrer with a first service date in the 12 "
           "months ending on the week's Sunday (not voided).", "money", True),
    Metric("paid_12m", "Paid (12 mo)",
           "Payer payments + patient payments, whenever posted, on the claims naming the "
           "referrer with a first service date in the 12 months (revenue per referrer).",
           "money", True),
    Metric("payer_share", "Share of billed",
           "The payer's share of the charges billed on the referrer's claims in the 12 months.",
           "percent"),
]

CATALOGUE: dict[str, Metric] = {m.name: m for m in _CATALOGUE}

KPI_NAMES = [
    "gross_charges", "payments", "contractual_adjustments", "gross_collection_rate",
    "net_collection_rate", "denial_rate", "first_pass_resolution_rate", "ar_total",
    "days_in_ar", "median_days_to_payment",
]


def metric(name: str) -> Metric:
    """The catalogue entry for ``name`` (KeyError for an unknown figure)."""
    return CATALOGUE[name]


def format_value(name_or_format: str, value: Any) -> str:
    """A value as the catalogue formats it: $1,234.56, 34.5 %, 41.2 days, 1,234."""
    fmt = CATALOGUE[name_or_format].format if name_or_format in CATALOGUE else name_or_format
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if fmt == "money":
        return f"${Decimal(str(value)):,.2f}"
    if fmt == "percent":
        return f"{float(value) * 100:.1f}%"
    if fmt == "days":
        return f"{float(value):.1f} days"
    if fmt == "count":
        return f"{int(value):,}"
    return str(value)
