"""The figure catalogue: every figure metdash shows, declared once.

Pages take labels and tooltips from here, ``metdash figures`` takes names and formats from
here, and the definitions follow ../shared/DOMAIN.md ("The figures users expect") with the
choices DOMAIN.md leaves open stated in the definition itself, so the tooltip a practice
owner reads is the rule the code applies.

Conventions used by every definition:
- *Claims in the period*: claims that are not voided whose first service date lies in the
  period (the sidebar's date range is a service-date range).
- *Adjudication*: a remittance for one of our claims (835 CLP or a hand-posted EOB) that is
  not a reversal (CLP02 22), "not our claim" (CLP02 23) or pricing only (25). The *first
  adjudication* is the earliest by payment date; a later one from the same payer replaces it
  for the claim's current state (balances), and a reversal undoes what it reverses.
- *Classes*: every adjustment is classified once, by group + CARC, in the practice's table
  (Settings): contractual (CO-45, CO-253, PI-45), cost share (PR-1/2/3), coordination of
  benefits (OA-23, CO-22, PR-22), and denial (every other reason).
- *Denial*: a claim or line with a denial-class adjustment (paid 0 or reduced for it), or a
  claim with CLP02 = 4. A denied amount stays owed until it is paid on appeal, moved to the
  client or written off.
- Remittances for claims that are not ours (unmatched CLP01) and provider-level adjustments
  (PLB) are kept out of every claim figure, except a recoupment (PLB WO / FB) that names a
  claim: it reduces that claim's payment, as a refund the practice sends a payer that overpaid
  does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from metdash.chart_labels import half_away

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
           "date is in the period; a draft or ready claim counts: the service was rendered).",
           "money", True),
    Metric("payments", "Payments",
           "Σ payer payments + Σ patient payments posted (payment date) in the period, on the "
           "claims that pass the filters (a patient payment naming no claim counts only "
           "without a payer, referrer or provider filter). A reversal and a PLB recoupment "
           "naming a claim count negative, and so do refunds to clients and to payers; PLB "
           "interest and "
           "payments for claims that are not ours are left out.", "money", True),
    Metric("contractual_adjustments", "Contractual adjustments",
           "Σ contractual-class adjustments (CO-45 charge above the fee schedule, CO-253 "
           "sequestration, and what Settings classifies as contractual) posted in the period, "
           "a replaced or reversed adjudication's netted. Denial adjustments such as CO-50 are "
           "not contractual.", "money", None, "Contractual adj."),
    Metric("gross_collection_rate", "Gross collection rate",
           "Payments ÷ gross charges, both for the period.", "percent", True),
    Metric("net_collection_rate", "Net collection rate",
           "Payments ÷ (gross charges − contractual adjustments), all for the period. Shown "
           "as — when the charges less the adjustments are not above zero (adjustments "
           "posted on earlier services in a period with few charges of its own).",
           "percent", True),
    Metric("denial_rate", "Denial rate",
           "Claims with a denial at their first adjudication ÷ claims adjudicated, among the "
           "claims in the period. A denial is a claim or line with a denial-class adjustment "
           "(paid 0 or reduced for it: every reason that is not contractual, cost share "
           "PR-1/2/3 or coordination of benefits), or CLP02 = 4. Paid 0 because it all went to "
           "the deductible is not a denial. A claim its payer split over several remittances "
           "is adjudicated first line by line: a line first answered on the later one counts "
           "there.", "percent", False),
    Metric("first_pass_resolution_rate", "First-pass resolution",
           "Claims resolved by their first adjudication (processed, for the whole charge "
           "billed, and every adjustment contractual, cost share or coordination of benefits: "
           "nothing denied, no line left unanswered) ÷ claims adjudicated, among the claims in "
           "the period.", "percent", True),
    Metric("ar_total", "A/R",
           "Insurance A/R + patient A/R as of the as-of date (each shown apart too).",
           "money", False),
    Metric("insurance_ar_total", "Insurance A/R",
           "What payers owe as of the as-of date, claim by claim: charge − payer payments − "
           "contractual adjustments − cost share moved to the client (it stays, owed by the "
           "next payer, when the client has a secondary coverage on the date of service or "
           "the payer forwarded the claim) − coordination of "
           "benefits moved to another payer − balances moved to the client − the practice's "
           "write-offs, counting only what was posted on or before the as-of date. A denied "
           "amount stays owed (flagged as denied) until paid on appeal, moved to the client or "
           "written off. Claims submitted, not voided, balance above 0.", "money", False,
           "Insurance A/R"),
    Metric("patient_ar_total", "Patient A/R",
           "What clients owe as of the as-of date: cost share (deductible, coinsurance, copay) "
           "and balances moved to them − their payments − the practice's patient write-offs "
           "(refunds of a credit added back). A payment that names no claim is applied to the "
           "client's oldest open service first; money left over is a credit balance (to "
           "refund), not A/R.", "money", False, "Patient A/R"),
    Metric("days_in_ar", "Days in A/R",
           "A/R (insurance + patient) as of the as-of date ÷ average daily gross charges of "
           "the 90 days ending on the as-of date (Σ charges of claims with first service date "
           "in those 90 days ÷ 90). Shown as — when no claim was served in those 90 days: "
           "there is nothing to divide by (a practice whose data stopped, or a range ending "
           "before its first claims).", "days", False),
    Metric("median_days_to_payment", "Median days to payment",
           "Median over the claims in the period that are paid of (payment date of the first "
           "remittance that pays more than 0 − submission date). A claim whose payment the "
           "payer reversed and has not made again is not paid.", "days", False,
           "Median days to pay"),
    # Per-payer and per-claim figures of the pages.
    Metric("claims", "Claims", "Claims in the period (not voided).", "count"),
    Metric("billed", "Billed", "Σ charges of the claims in the period.", "money"),
    Metric("allowed", "Allowed",
           "Σ allowed amounts of the current adjudication of the claims in the period by the "
           "payer each is billed to (a secondary's is not added: it allows only the first "
           "payer's cost share): the remittance's allowed amount (AMT*AU / B6, or its lines' "
           "AMT*B6) where the payer sent it, else paid + cost share + sequestration (CO-253, "
           "taken from the payment; 0 on a denied line).",
           "money"),
    Metric("paid", "Paid",
           "Σ payer payments on the claims in the period, whenever posted, under the payer "
           "that made them: a secondary's payment counts under the secondary (a row of its own "
           "when it was billed no claim as primary); reversals, PLB recoupments naming the "
           "claim and refunds the practice sent the payer negative. Claims, billed, allowed and patient responsibility stay with the "
           "payer each claim is billed to.", "money"),
    Metric("paid_as_secondary", "Paid as secondary",
           "The part of Paid this payer paid on claims billed to another payer (as the "
           "secondary or tertiary, or on a crossover).", "money"),
    Metric("patient_responsibility", "Patient responsibility",
           "Σ cost share (deductible, coinsurance, copay: PR-1/2/3) of the current "
           "adjudications of the claims in the period that is the client's: moved to the "
           "client, or left for the next payer until that payer answers (then only its own "
           "cost share counts). A PR denial (PR-96, PR-204) is not cost share.", "money"),
    Metric("paid_per_visit", "Paid per visit",
           "This payer's payments on the claims in the period billed to it (not those it paid "
           "as a secondary) ÷ the visits (distinct client and service date) of those claims "
           "it has answered; a claim waiting for its answer, or not sent, is left out. None "
           "for a payer that answered no claim billed to it (a secondary only).",
           "money"),
    Metric("expected", "Expected",
           "Σ the payer's expected allowed amount from the fee schedule × units, over the "
           "adjudicated lines.", "money"),
    Metric("claims_paid", "Claims paid",
           "Claims in the period with a remittance that paid more than 0, its payments still "
           "standing (not all reversed).", "count"),
    Metric("median_days", "Median days",
           "Median of (first payment date − submission date) over the claims paid.", "days"),
    Metric("p90_days", "90th percentile days",
           "90th percentile (linear interpolation) of (first payment date − submission "
           "date) over the claims paid.", "days"),
    Metric("median_days_from_service", "Median days from service",
           "Median of (first payment date − first service date) over the claims paid.", "days"),
    Metric("p90_days_from_service", "90th percentile days from service",
           "90th percentile of (first payment date − first service date).", "days"),
    # Payer scorecards (metdash.figures.scorecard): every payer side by side, claims in the
    # period, the sidebar's payer filter left out (a share needs every payer).
    Metric("allowed_per_visit", "Allowed per visit",
           "The payer's allowed amounts on the claims in the period (AMT*B6, else paid + cost "
           "share + sequestration) ÷ the visits (distinct client and service date) of those "
           "claims it has answered; a claim waiting for its answer, or not sent, is left "
           "out.",
           "money"),
    Metric("revenue_share", "Share of revenue",
           "The payer's payments on the claims in the period ÷ every payer's payments on "
           "them (patient payments left out).", "percent"),
    Metric("claims_adjudicated", "Claims adjudicated",
           "Claims in the period with a remittance that is not a reversal, \"not ours\" or "
           "pricing only.", "count"),
    Metric("underpaid_lines", "Underpaid lines",
           "Lines not denied whose latest adjudication allowed less than the payer's fee "
           "schedule says (allowed = AMT*B6, else paid + cost share + sequestration, below the "
           "fee per unit × "
           "units). A line without a fee for its code is never underpaid.", "count", False),
    Metric("underpaid_amount", "Underpaid",
           "Σ (fee schedule × units − allowed) over the underpaid lines.", "money", False),
    Metric("open_balance", "Still owed",
           "The payer's insurance A/R on the as-of date, on the claims in the period.",
           "money", False),
    Metric("dollar_days", "Dollar-days waited",
           "Over the payer's submitted claims in the period: Σ each payer payment posted by "
           "the as-of date × days from submission to its posting (a reversal negative) + the "
           "balance still owed on the as-of date × days since submission.", "number", False),
    Metric("waiting_cost", "Cost of waiting",
           "What the money waited for costs at the yearly rate (METDASH_MONEY_RATE, 8 % "
           "unless set; the page lets you change it): dollar-days × rate ÷ 365.", "money",
           False),
    Metric("payer_cost", "What this payer costs you",
           "Denied and not overturned (Σ denial-class adjustments the current adjudications "
           "still hold: a denial paid on appeal or reprocessing is money received, its delay "
           "counted in the waiting) + underpaid "
           "(Σ fee schedule − allowed on the underpaid lines) + cost of waiting (dollar-days "
           "× yearly rate ÷ 365), over the claims in the period.", "money", False,
           "Costs you"),
    Metric("lines", "Lines", "Billed lines adjudicated and not denied (latest "
           "adjudication).", "count"),
    Metric("units", "Units", "Units billed on those lines.", "count"),
    Metric("allowed_per_unit", "Allowed per unit",
           "Σ allowed ÷ Σ units over the payer's lines of the code that were not denied.",
           "money"),
    Metric("paid_per_unit", "Paid per unit",
           "Σ this payer's payments on its lines of the code that were not denied ÷ Σ their "
           "units (a secondary's payment on a line is the secondary's, not counted here).",
           "money"),
    Metric("expected_per_unit", "Fee schedule",
           "What the payer's fee schedule (Settings) says it allows per unit of the code.",
           "money"),
    Metric("charge_per_unit", "Your charge",
           "The practice's own charge per unit of the code (Settings).", "money"),
    Metric("others_allowed_per_unit", "Other payers: allowed per unit",
           "Every other payer's lines of the code that were not denied, pooled: Σ allowed ÷ "
           "Σ units.", "money"),
    Metric("others_paid_per_unit", "Other payers: paid per unit",
           "Every other payer's lines of the code that were not denied, pooled: Σ what each "
           "line's own payer paid ÷ Σ units.", "money"),
    Metric("balance", "Insurance owes",
           "What the payers still owe on the claim as of the as-of date (insurance A/R: see its "
           "definition); what the client owes is apart.", "money"),
    Metric("denied_open", "Denied, still owed",
           "The part of the insurance balance the payer denied, as of the as-of date: open "
           "until paid on appeal, moved to the client or written off.", "money"),
    Metric("patient_balance", "Client owes",
           "What the client owes as of the as-of date (patient A/R; negative: a credit to "
           "refund).", "money"),
    Metric("write_offs", "Write-offs",
           "Σ the practice's own write-offs dated in the period (reason, who and when kept), on "
           "the claims that pass the filters; a client's whole-balance write-off only without "
           "a payer, referrer or provider filter.", "money", None),
    Metric("write_offs_recovered", "Recovered",
           "Σ insurance write-offs (whenever made) that a payer's payment brought back in the "
           "period, by the reason of the write-off: the payer paid the balance after all "
           "(posted from its 835 or EOB).", "money", None),
    Metric("write_offs_undone", "Undone",
           "Σ insurance write-offs (whenever made) the biller undid in the period, by the "
           "reason of the write-off: the payer owes the balance again.", "money", None),
    Metric("denial_rate_dollars", "Denial rate ($)",
           "Charges of lines denied at their first adjudication ÷ charges adjudicated (of a "
           "line the payer split into several service lines, only the charge of those it "
           "denied).",
           "percent"),
    Metric("denial_rate_lines", "Denial rate (lines)",
           "Lines denied at their first adjudication ÷ lines adjudicated (a line of a split "
           "claim: at the remittance that first answered it).", "percent"),
    Metric("denied_standing", "Denied, not overturned",
           "Σ denial-class adjustments the payer's current adjudications of the claims in the "
           "period still hold: a denial later overturned (paid on appeal or reprocessing) is "
           "left out; one still open, moved to the client or written off is in.", "money",
           False, "Not overturned"),
    Metric("denied_amount", "Denied",
           "Σ denial-class adjustment amounts (every reason that is not contractual, cost "
           "share or coordination of benefits), reversals left out. Each denial once: a line "
           "denied again (reprocessed, or appealed and upheld, for any reason) counts at the "
           "remittance that first denied it, with the reasons it gave then.", "money"),
    Metric("referrals", "Referrals", "Referrals received in the period.", "count"),
    Metric("converted", "Converted",
           "Referrals received in the period that led to the client's first session within 30 "
           "days of the referral date.", "count"),
    Metric("conversion_rate", "Conversion", "Converted ÷ referrals.", "percent"),
    Metric("days_to_first_session", "Days to first session",
           "Median of (first session on or after the referral date − referral date) over the "
           "converted referrals.", "days"),
    Metric("sessions", "Visits",
           "Visits in the period by the clients the referrer sent: a visit is a client's day "
           "of treatment (distinct client and date, from sessions and billed lines: two "
           "sessions on one day are one visit, and a practice that imported claims has lines "
           "but no sessions).", "count"),
    Metric("referrer_billed", "Billed",
           "Σ charges of the claims in the period that name the referrer.", "money"),
    Metric("referrer_paid", "Paid",
           "Payer payments + patient payments on the claims in the period that name the "
           "referrer (revenue per referrer).", "money"),
    Metric("last_referral", "Last referral",
           "Date of the referrer's most recent referral up to the end of the period.", "date"),
    # The cash forecast (metdash.forecast, issue 18): weeks of 7 days after the as-of day.
    Metric("forecast_expected", "Expected collections",
           "Expected payer payments + patient payments posted in the week (the Payments "
           "figure's money), the sum of the five parts, each built claim by claim from the "
           "practice's own history up to the as-of day.", "money"),
    Metric("forecast_p10", "Low (p10)",
           "Expected − 1.2816 × σ (never below 0): 1 week in 10 should bring less. σ² is the "
           "sum of every claim's variance in the Bernoulli / amount model (a claim owing A pays "
           "in the week with probability π = q·p an amount of mean A·s, varying as the paid "
           "shares of its curve's claims did, squared CV c: variance (A·s)²·π·(1 + c − π)), "
           "claims independent, plus the patient money's (expected × mean square ÷ mean patient "
           "payment), plus the model's own error × expected² (see Model error in the band). "
           "Analytic, not simulated.", "money"),
    Metric("forecast_p90", "High (p90)",
           "Expected + 1.2816 × σ (see Low): 1 week in 10 should bring more.", "money"),
    Metric("forecast_open_claims", "Open claims",
           "Claims submitted and not adjudicated yet: Σ balance × s × f × q × P(adjudicated in "
           "the week | not adjudicated after the days already waited since submission). P: the "
           "Kaplan-Meier curve of days from submission to first adjudication of the claim's "
           "payer and weekday of submission (payers pay on fixed weekdays; at least 20 "
           "adjudicated claims in the last 540 days), else its payer's (20), else the "
           "practice's. q: share of first adjudications that paid; s: paid ÷ charge when they "
           "paid; from the payer and code (at least 40), else the payer (20), else the "
           "practice. f: the payer's season -- what its first adjudications paid per dollar "
           "for services in that half-month (the 1st-15th, the 16th-end) over the last 2 "
           "years ÷ the whole year (at least 100 claims in the half-month, else its month's "
           "with at least 20, else the practice's; deductibles bite in early January).",
           "money"),
    Metric("forecast_denied_or_partial", "Denied or partly paid",
           "Claims adjudicated and still owing (a denial awaiting appeal or correction, a line "
           "not paid): Σ balance × s × q × P(the payer's next payment in the week | none yet "
           "after the days since the first adjudication); curve, q and s from the payer's "
           "claims left owing after a first adjudication (at least 20 paid again), else the "
           "practice's.", "money"),
    Metric("forecast_not_submitted", "Not submitted yet",
           "Draft and ready claims, and sessions on no claim (charged as Bill sessions would "
           "bill them: a client's day at a time, units by the payer's rule -- the CMS 8-minute "
           "rule over the day's timed minutes, or per code -- less units already on a claim for "
           "that day, at the practice's fees): submitted on a day "
           "drawn from the practice's days from service to submission (given the days already "
           "waited), then paid as open claims (timing: the payer's curve over every weekday).",
           "money"),
    Metric("forecast_new_services", "Services not rendered yet",
           "Each payer's charges a day over the last 8 weeks, every coming day, as that many "
           "claims of the payer's average charge: through the days to submission and the "
           "payer's curve, q, s and season.", "money"),
    Metric("forecast_patient", "Patient payments",
           "The practice's patient payments per dollar charged, by days since the service (0 to "
           "120), a curve per calendar month of service (deductibles) from that month's "
           "services of the year before (120 to 485 days back); applied to the charges of the "
           "last 120 days and of the coming days (at the last 8 weeks' rate), and levelled so "
           "that it gives the last 8 weeks' patient payments (money naming no claim "
           "included). A practice too young for those curves: the open patient balances with "
           "no payment yet, at its clients' observed rate and delay (the Kaplan-Meier curve of "
           "days from billing the client to their first payment, and paid ÷ owed); the page "
           "says which, and why when it is $0.", "money"),
    Metric("forecast_mape", "Forecast error (MAPE)",
           "Backtest: forecasts made as of each of the last 12 Mondays (from what was posted up "
           "to the Sunday before), each for the coming weeks that have passed; mean of "
           "|forecast − actual| ÷ actual collections over those weeks in which money arrived "
           "(a week with nothing has no percentage error; the caption says how many).",
           "percent", False,
           "Forecast MAPE"),
    Metric("forecast_naive_mape", "Naive forecast error (MAPE)",
           "The same backtest for the naive forecast: every coming week = the average "
           "collections of the 8 weeks before the Monday; over the same weeks.", "percent",
           False, "Naive MAPE"),
    Metric("forecast_inside_band", "Weeks inside the band",
           "Backtest: of the same weeks as the MAPE (those in which money arrived; a week "
           "with nothing is trivially inside a band whose low is $0), the share whose actual "
           "collections fell between the forecast's p10 and p90 (80% if the band is right; "
           "under 70%: too narrow to trust). None without such a week.", "percent", None,
           "Inside the band"),
    Metric("forecast_band_error", "Model error in the band",
           "How far the same forecast, made on each of the 8 Mondays before, missed the weeks "
           "of it that have since passed, beyond what the claims' own chance explains: the mean "
           "of ((actual − forecast)² − the claims' variance) ÷ forecast² over those weeks (at "
           "least 0), shown as its square root, a share of the expected amount. The band adds "
           "it: σ² = the claims' variance + this² × expected². Each backtest Monday's band adds "
           "the error of the 8 Mondays before it, so 'Inside the band' is measured on weeks "
           "the band did not see.", "percent", None, "Error in the band"),
    Metric("forecast_actual", "Actual collections",
           "Payer payments + patient payments posted in the week (the Payments figure: "
           "reversals, recoupments naming a claim and refunds to clients and payers "
           "negative).", "money"),
    Metric("forecast_naive", "Naive forecast",
           "Average weekly collections of the 8 weeks before the forecast's Monday.", "money"),
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
           "Referrers with at least 3 referrals in the 12 months before the week's end (Sunday) "
           "and none for longer than the larger of twice their usual (median) gap between "
           "consecutive distinct referral dates and 28 days; one who referred this week is "
           "never lapsed.", "count", False),
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
           "First day on which the days since the last referral exceeded the larger of twice the "
           "usual gap and 28 days.",
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
    Metric("sessions_12m", "Visits (12 mo)",
           "Visits in the 12 months by the clients the referrer sent: a visit is a client's day "
           "of treatment (distinct client and date, from sessions and billed lines: two "
           "sessions on one day are one visit).", "count"),
    Metric("billed_12m", "Billed (12 mo)",
           "Σ charges of the claims naming the referrer with a first service date in the 12 "
           "months ending on the week's Sunday (not voided).", "money", True),
    Metric("paid_12m", "Paid (12 mo)",
           "Payer payments + patient payments, whenever posted, on the claims naming the "
           "referrer with a first service date in the 12 months (revenue per referrer).",
           "money", True),
    # Acknowledgments (metdash.figures.clean_claims): the clearinghouse's 999, the payer's 277CA.
    Metric("clean_claim_rate", "Clean claim rate",
           "Claims accepted on their first submission ÷ claims submitted (DOMAIN.md). Claims "
           "submitted: claims (not voided) whose first submission date lies in the period — "
           "the submission date, not the service date — passing the payer / referrer / "
           "provider filters, sent from metdash (its 837P) or acknowledged: one sent by "
           "another system or a payer's portal has no acknowledgment to wait for. Accepted: the payer's 277CA accepted the claim (category A1 or "
           "A2, or A0 forwarded, A5 split) and no 999 or 277CA rejected its first submission "
           "(a rejection dated before the claim was sent again, or any rejection when it was "
           "sent once): a claim rejected, then fixed and resent, is not clean however it "
           "ends, and a clearinghouse's A1 followed by the payer's rejection is a rejection. "
           "A claim with no acceptance and no rejection by the balances date counts as "
           "submitted and not clean (unacknowledged) once more than the practice's "
           "acknowledgment wait (Settings → Practice, default 3 days) has passed since it "
           "was sent; inside that wait it is awaiting and not counted yet. A payer none of "
           "whose claims has any 999 / 277CA on file has no rate (not 0 %), and is left out "
           "of the practice's rate.", "percent", True, "Clean claims"),
    Metric("claims_submitted", "Claims submitted",
           "Claims (not voided) first submitted in the period (submission date).", "count"),
    Metric("claims_clean", "Accepted first time",
           "Claims submitted in the period that a 277CA accepted and no 999 or 277CA "
           "rejected on their first submission.", "count", True),
    Metric("claims_rejected", "Rejected",
           "Claims submitted in the period that a 999 or 277CA rejected on their first "
           "submission.", "count", False),
    Metric("claims_unacknowledged", "No answer",
           "Claims submitted in the period with neither a 277CA acceptance nor a rejection "
           "more than the acknowledgment wait (Settings → Practice) after they were first "
           "sent: in the clean claim rate as not clean (the work list \"Claims with no "
           "acknowledgment\" lists those still waiting).", "count", False),
    Metric("claims_awaiting_ack", "Awaiting answer",
           "Claims submitted in the period with neither a 277CA acceptance nor a rejection, "
           "sent within the acknowledgment wait: not in the clean claim rate yet.", "count"),
    Metric("payer_share", "Share of billed",
           "The payer's share of the charges billed on the referrer's claims in the 12 months.",
           "percent"),
]

# Denial risk before sending (issue 18; metdash/risk.py, metdash/risk_eval.py).
_RISK_FROM = ("learned from the practice's own first adjudications of the 12 months up to "
              "today, one row per claim line")
_CATALOGUE += [
    Metric("denial_risk", "Denial risk",
           "The chance that the claim's riskiest line is denied at its first adjudication, "
           f"{_RISK_FROM}: each payer's denial rate per code, referral and authorization "
           "state, modifiers, units, visit number in the year and days from service to "
           "sending, and per code and diagnosis category and per provider, each shrunk toward "
           "its broader rate by 10 lines of prior, combined by a small logistic regression "
           "with weights of at least 0.", "percent", False, "Risk"),
    Metric("payer_denial_rate", "Payer's denial rate",
           "Share of the payer's claim lines denied at their first adjudication in the same 12 "
           "months (shrunk toward the practice's rate by 10 lines): the baseline the risk "
           "model is compared with.", "percent", False),
    Metric("risk_reason", "Why",
           "The riskiest line's strongest reason: the feature combination whose denial rate "
           "raises its risk most, with the denied lines and all lines of that combination in "
           "the 12 months (counts at first adjudication). A claim past its payer's "
           "timely-filing deadline is listed first and its reason says so: that is a rule of "
           "the payer, not learned.", "text"),
    Metric("filing_deadline", "Filing deadline",
           "First service date + the payer's timely-filing limit (Settings → Payers). A claim "
           "sent after it is denied CO-29 unless the practice proves it was filed in time.",
           "date"),
    Metric("risk_more_reasons", "Also",
           "The next reason of the riskiest line, when another combination raises its risk "
           "and says something the first does not.", "text"),
    Metric("risk_auc", "AUC",
           "On the test lines (claims served on or after the split date T, adjudicated since; "
           "the model trained only on lines first adjudicated in the 12 months before T): the "
           "chance that a denied line scores above a paid one (ties count half). 0.5 is a coin "
           "toss, 1 is perfect.", "number", True),
    Metric("risk_auc_baseline", "AUC of the payer's rate",
           "The same AUC when each test line is scored by its payer's denial rate in the "
           "training lines (the baseline).", "number", True),
    Metric("risk_precision_10", "Precision at the riskiest 10%",
           "Share denied among the 10% of test lines the model scores riskiest (lines tied at "
           "the cut count by their own denial rate).", "percent", True, "Precision @10%"),
    Metric("risk_precision_10_baseline", "Precision at 10% of the payer's rate",
           "The same precision when the test lines are ranked by their payer's denial rate in "
           "the training lines (the baseline).", "percent", True, "Baseline @10%"),
    Metric("risk_test_denial_rate", "Test lines denied",
           "Share of the test lines denied at their first adjudication: the precision of a "
           "random pick.", "percent"),
    Metric("risk_decile", "Decile",
           "The test lines in ten equal groups by predicted risk, 1 = the least risky.",
           "count"),
    Metric("decile_lines", "Lines", "Test lines in the decile.", "count"),
    Metric("predicted_risk", "Predicted",
           "Mean predicted denial risk of the decile's test lines.", "percent"),
    Metric("observed_denial_rate", "Observed",
           "Share of the decile's test lines denied at first adjudication: close to the "
           "predicted risk when the model is calibrated.", "percent"),
]

# Bill the secondary (metdash/sql/secondary_to_bill.sql).
_CATALOGUE += [
    Metric("next_payer_share", "For the next payer",
           "What the last payer's answer left for the next payer: its cost share (deductible, "
           "coinsurance, copay) and coordination of benefits. The secondary claim asks for it.",
           "money"),
    Metric("claim_insurance_balance", "Insurance balance",
           "What the payers still owe on the claim now: the next payer's share, and any amount "
           "the last payer denied, which stays with that payer until it is paid on appeal, "
           "moved to the client or written off.", "money"),
]

CATALOGUE: dict[str, Metric] = {m.name: m for m in _CATALOGUE}

# In the order the overview shows them, four to a row: money in, how well it is collected,
# what is still owed.
KPI_NAMES = [
    "gross_charges", "payments", "contractual_adjustments", "gross_collection_rate",
    "net_collection_rate", "denial_rate", "first_pass_resolution_rate",
    "median_days_to_payment",
    "ar_total", "insurance_ar_total", "patient_ar_total", "days_in_ar",
]


def metric(name: str) -> Metric:
    """The catalogue entry for ``name`` (KeyError for an unknown figure)."""
    return CATALOGUE[name]


def format_value(name_or_format: str, value: Any) -> str:
    """A value as the catalogue formats it: $1,234.56, 34.5 %, 41.2 days, 1,234, 0.76; a half
    rounded away from zero, as the tables' formats round it (2.25 days is "2.3 days")."""
    fmt = CATALOGUE[name_or_format].format if name_or_format in CATALOGUE else name_or_format
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if fmt == "money":
        return f"${half_away(value, 2):,.2f}"
    if fmt == "percent":
        return f"{half_away(value, 3) * 100:.1f}%"
    if fmt == "days":
        return f"{half_away(value, 1):.1f} days"
    if fmt == "count":
        return f"{int(value):,}"
    if fmt == "number" and isinstance(value, float):
        # "0.7617234" was cut to "0.76…" on a tile at 1280 px: two decimals, as a table shows
        return f"{value:,.0f}" if value.is_integer() else f"{half_away(value, 2):,.2f}"
    return str(value)


def tile_money_is_compact(value: Any) -> bool:
    """True when :func:`tile_money` writes ``value`` in thousands or millions."""
    return round(abs(float(value))) >= 100_000


def tile_money(value: Any, compact: bool | None = None) -> str:
    """Dollars short enough for a tile on a 1280 px projector: whole dollars up to $99,999,
    then $148.2K and $1.49M (a tile's tooltip gives the exact amount). ``compact`` (a tile's
    change beside a value written so): thousands from $1,000 ("$39.1K"), so the two read
    alike; False: always the first rule's whole dollars below $100,000."""
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if (round(amount) < 1_000) if compact else not tile_money_is_compact(amount):
        return f"{sign}${half_away(amount):,.0f}"
    if round(amount / 1_000, 1) < 1_000:
        return f"{sign}${half_away(amount / 1_000, 1):,.1f}K"
    return f"{sign}${half_away(amount / 1_000_000, 2):,.2f}M"
