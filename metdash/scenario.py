""""What insurance could do for my practice": a 12-month model for a self-pay practice.

Pure: :func:`project` takes a :class:`Scenario` (every assumption a field, nothing hidden)
and returns month-by-month revenue and cash, with insurance and staying self-pay. Money is
``Decimal``. :func:`store_defaults` reads starting values from the store's fee schedules.

The model, stated once (the page shows the same text):

- A month is 52/12 weeks (4.333…), so 7 × 52/12 = 30.33 days.
- Staying self-pay: every visit pays the self-pay rate on the day (revenue = cash).
- With insurance: the self-pay visits that stay self-pay keep paying on the day; insured
  visits earn the blended allowed amount per visit (Σ payer allowed × payer share), less
  the denial rate (revenue never collected) and the billing cost (clearinghouse/biller, a
  share of what insurers pay). Insured volume ramps up linearly over the ramp months.
- Insurance cash arrives the days to payment after the visit; visits are spread evenly
  through each month (cash by time t = insured revenue earned by t − lag), so with a lag of
  1.5 months month 1's insured revenue arrives half in month 2 and half in month 3.
- Break-even volume: the insured visits a week at which a full month with insurance earns
  what staying self-pay earns: (self-pay visits now − self-pay visits kept) × self-pay
  rate ÷ net insured revenue per visit.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from metdash.errors import ScenarioError
from metdash.store import Database

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
DAYS_PER_MONTH = Decimal(7) * WEEKS_PER_MONTH
CENTS = Decimal("0.01")
# A typical 45-minute medical exercise visit: 2 units of 97110 and 1 of 97530.
DEFAULT_VISIT: tuple[tuple[str, int], ...] = (("97110", 2), ("97530", 1))


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclasses.dataclass(frozen=True)
class PayerAssumption:
    """One payer the practice would contract with."""

    name: str
    allowed_per_visit: Decimal   # what the payer (plus the client's share) allows a visit
    share: Decimal               # its share of insured visits (shares are normalised)


@dataclasses.dataclass(frozen=True)
class Scenario:
    """Every assumption of the model (see the module doc)."""

    selfpay_rate: Decimal                # dollars a self-pay client pays a visit today
    selfpay_weekly_visits: Decimal       # visits a week today, all self-pay
    insured_weekly_visits: Decimal       # expected insured visits a week once in network
    selfpay_kept_weekly_visits: Decimal  # of today's self-pay visits, those that stay self-pay
    payers: tuple[PayerAssumption, ...]
    denial_rate: Decimal = Decimal("0.08")     # share of insured revenue never collected
    days_to_payment: Decimal = Decimal(30)     # visit -> insurer's payment
    ramp_months: int = 0                       # months to reach the full insured volume
    billing_cost_rate: Decimal = Decimal(0)    # clearinghouse / biller, share of insured revenue
    months: int = 12


# What the page calls each assumption (its messages name the fields as the page labels them).
LABELS = {"selfpay_rate": "Self-pay rate ($ a visit)",
          "selfpay_weekly_visits": "Self-pay visits a week now",
          "selfpay_kept_weekly_visits": "Self-pay visits a week that stay self-pay",
          "insured_weekly_visits": "Insured visits a week expected",
          "denial_rate": "Denial rate (% of insured revenue never collected)",
          "days_to_payment": "Days from visit to payment",
          "ramp_months": "Months to reach the insured volume",
          "billing_cost_rate": "Billing cost (% of insured revenue)"}
# The month table's headings (on the page and in its downloads): short, so its columns fit
# the page at 1280 px; "self-pay" spelled as everywhere else.
MONTH_LABELS = {"month": "Month", "selfpay_revenue": "Staying self-pay",
                "insured_visits": "Insured visits", "insured_revenue": "Insured revenue",
                "revenue": "Revenue", "cash": "Cash", "revenue_difference": "Revenue vs self-pay",
                "cash_difference": "Cash vs self-pay", "cumulative_selfpay_cash":
                "Self-pay cash so far", "cumulative_cash": "Cash so far"}
# The month table's running totals (the cumulative chart's numbers): in its downloads, not on
# the page, where ten columns ran past 1280 px.
SO_FAR = ("cumulative_selfpay_cash", "cumulative_cash")
# The ranges a small practice fits in: a number beyond them is a slip of the keyboard (a
# rate of 1e12 made a break-even of 163 billion visits a week), not an assumption.
MOST_DOLLARS_A_VISIT = Decimal(1000)
MOST_VISITS_A_WEEK = Decimal(1000)
MOST_DAYS_TO_PAYMENT = Decimal(365)


def _n(value: Decimal) -> str:
    """A count as typed: 2,000 or 1,000.5."""
    return f"{value.normalize():,f}"


def problems(s: Scenario) -> list[str]:
    """Every assumption that cannot be used, in plain words naming its field as the page
    labels it (empty when all is well)."""
    out = []
    rate = _d(s.selfpay_rate)
    if rate <= 0:
        out.append("Self-pay rate: enter what a self-pay client pays a visit, above $0.")
    elif rate > MOST_DOLLARS_A_VISIT:
        out.append(f"{LABELS['selfpay_rate']}: ${rate:,.2f} is not a visit's rate; enter at "
                   f"most ${MOST_DOLLARS_A_VISIT:,.2f}.")
    for field in ("selfpay_weekly_visits", "insured_weekly_visits",
                  "selfpay_kept_weekly_visits"):
        value = _d(getattr(s, field))
        if value < 0:
            out.append(f"{LABELS[field]}: cannot be negative; enter 0 or more.")
        elif value > MOST_VISITS_A_WEEK:
            out.append(f"{LABELS[field]}: {_n(value)} is more than a small practice's week; "
                       f"enter at most {_n(MOST_VISITS_A_WEEK)}.")
    if Decimal(0) <= _d(s.selfpay_kept_weekly_visits) <= MOST_VISITS_A_WEEK \
            and _d(s.selfpay_kept_weekly_visits) > _d(s.selfpay_weekly_visits):
        out.append(f"{LABELS['selfpay_kept_weekly_visits']}: cannot be more than the self-pay "
                   f"visits a week now ({_n(_d(s.selfpay_weekly_visits))}); lower it.")
    if not s.payers or sum((_d(p.share) for p in s.payers), Decimal(0)) <= 0:
        out.append("Payers: give at least one payer a share of insured visits above 0.")
    for p in s.payers:
        if _d(p.allowed_per_visit) < 0:
            out.append(f"Payer {p.name}: the allowed amount per visit cannot be negative.")
        elif _d(p.allowed_per_visit) > MOST_DOLLARS_A_VISIT:
            out.append(f"Payer {p.name}: an allowed amount of ${_d(p.allowed_per_visit):,.2f} a "
                       f"visit is not a visit's fee; enter at most "
                       f"${MOST_DOLLARS_A_VISIT:,.2f}.")
        if _d(p.share) < 0:
            out.append(f"Payer {p.name}: the share of insured visits cannot be negative.")
    if not Decimal(0) <= _d(s.denial_rate) < 1:
        out.append("Denial rate: enter a share from 0 to just under 100%.")
    if not Decimal(0) <= _d(s.billing_cost_rate) < 1:
        out.append("Billing cost: enter a share from 0 to just under 100%.")
    days = _d(s.days_to_payment)
    if days < 0:
        out.append(f"{LABELS['days_to_payment']}: cannot be negative.")
    elif days > MOST_DAYS_TO_PAYMENT:
        out.append(f"{LABELS['days_to_payment']}: {_n(days)} is more than a year; enter at "
                   f"most {_n(MOST_DAYS_TO_PAYMENT)}.")
    if s.months < 1:
        out.append("The scenario needs at least 1 month.")
    elif not 0 <= s.ramp_months <= s.months:
        out.append(f"{LABELS['ramp_months']}: enter 0 to {s.months} (the scenario covers "
                   f"{s.months} months).")
    return out


def blended_allowed(s: Scenario) -> Decimal:
    """Σ allowed per visit × share ÷ Σ shares (dollars a visit, unrounded)."""
    total = sum((_d(p.share) for p in s.payers), Decimal(0))
    return sum((_d(p.allowed_per_visit) * _d(p.share) for p in s.payers), Decimal(0)) / total


def net_per_insured_visit(s: Scenario) -> Decimal:
    """What an insured visit brings in: blended allowed × (1 − denial) × (1 − billing cost)."""
    return blended_allowed(s) * (1 - _d(s.denial_rate)) * (1 - _d(s.billing_cost_rate))


def break_even_weekly_visits(s: Scenario) -> Decimal | None:
    """Insured visits a week at which a full month with insurance earns what staying
    self-pay earns (None when an insured visit brings in nothing)."""
    net = net_per_insured_visit(s)
    if net <= 0:
        return None
    lost = (_d(s.selfpay_weekly_visits) - _d(s.selfpay_kept_weekly_visits)) * _d(s.selfpay_rate)
    return lost / net


def _ramp(s: Scenario, month: int) -> Decimal:
    if s.ramp_months <= 0:
        return Decimal(1)
    return min(Decimal(1), Decimal(month) / Decimal(s.ramp_months))


def project(s: Scenario) -> pd.DataFrame:
    """Month by month (1..months): month, selfpay_revenue (= selfpay_cash, staying
    self-pay), insured_visits (a month), insured_revenue, revenue (with insurance: kept
    self-pay + insured), cash (with insurance, insured part after the payment lag),
    revenue_difference, cash_difference (with insurance − staying self-pay), and the
    cumulative cash of both: cumulative_selfpay_cash, cumulative_cash. Money in Decimal
    dollars rounded to cents; visits as Decimal to 1 place. Raises ScenarioError."""
    found = problems(s)
    if found:
        raise ScenarioError(found)
    rate = _d(s.selfpay_rate)
    selfpay = rate * _d(s.selfpay_weekly_visits) * WEEKS_PER_MONTH
    kept = rate * _d(s.selfpay_kept_weekly_visits) * WEEKS_PER_MONTH
    net = net_per_insured_visit(s)
    visits = [_d(s.insured_weekly_visits) * _ramp(s, m) * WEEKS_PER_MONTH
              for m in range(1, s.months + 1)]
    earned = [v * net for v in visits]
    lag = _d(s.days_to_payment) / DAYS_PER_MONTH

    def cumulative(t: Decimal) -> Decimal:
        """Insured revenue earned from the start to time t (months), evenly in each month."""
        if t <= 0:
            return Decimal(0)
        whole = min(int(t), len(earned))
        total = sum(earned[:whole], Decimal(0))
        if whole < len(earned):
            total += (t - whole) * earned[whole]
        return total

    rows = []
    cum_self = cum_ins = Decimal(0)
    for m in range(1, s.months + 1):
        cash_ins = cumulative(Decimal(m) - lag) - cumulative(Decimal(m - 1) - lag)
        revenue = kept + earned[m - 1]
        cash = kept + cash_ins
        cum_self += selfpay
        cum_ins += cash
        rows.append({
            "month": m, "selfpay_revenue": _cents(selfpay),
            "insured_visits": visits[m - 1].quantize(Decimal("0.1")),
            "insured_revenue": _cents(earned[m - 1]), "revenue": _cents(revenue),
            "cash": _cents(cash), "revenue_difference": _cents(revenue - selfpay),
            "cash_difference": _cents(cash - selfpay),
            "cumulative_selfpay_cash": _cents(cum_self), "cumulative_cash": _cents(cum_ins),
        })
    return pd.DataFrame(rows)


def summary(s: Scenario) -> dict[str, Any]:
    """The headline: blended_allowed, net_per_visit, break_even_weekly_visits (Decimal, 1
    place), selfpay_total and revenue_total and cash_total over the horizon (Decimal
    dollars), and cash_catch_up_month: the first month whose cumulative cash with insurance
    reaches staying self-pay's (None when it does not within the horizon)."""
    df = project(s)
    be = break_even_weekly_visits(s)
    catch_up = next((int(m) for m, a, b in zip(df.month, df.cumulative_cash,
                                               df.cumulative_selfpay_cash, strict=True)
                     if a >= b), None)
    return {
        "blended_allowed": _cents(blended_allowed(s)),
        "net_per_visit": _cents(net_per_insured_visit(s)),
        "break_even_weekly_visits": None if be is None else be.quantize(Decimal("0.1")),
        "selfpay_total": sum(df.selfpay_revenue, Decimal(0)),
        "revenue_total": sum(df.revenue, Decimal(0)),
        "cash_total": sum(df.cash, Decimal(0)),
        "cash_catch_up_month": catch_up,
    }


def verdict(s: Scenario, head: dict[str, Any]) -> str:
    """The page's one-paragraph reading of :func:`summary` (``head``): what an insured visit
    nets against the self-pay rate, whether the volume makes up for it, and when cash
    collected catches up. (It said "each insured visit brings in less" whatever the numbers:
    a practice whose payers allow $160 a visit against a $110 rate was told so.)"""
    rate, net = _d(s.selfpay_rate), head["net_per_visit"]
    more = head["revenue_total"] > head["selfpay_total"]
    compared = ("less than" if net < rate else "more than" if net > rate else "as much as")
    text = (f"Blended allowed per visit ${head['blended_allowed']:,.2f}: after denials and "
            f"billing cost an insured visit nets ${net:,.2f}, {compared} the self-pay rate of "
            f"${rate:,.2f}")
    if net < rate:
        text += (", and the added volume more than makes up for it." if more
                 else ", and at this volume it does not make up for it.")
    else:
        text += ("." if more else ", yet at this volume revenue with insurance does not "
                 "reach staying self-pay's.")
    catch = head["cash_catch_up_month"]
    return text + (f" Cash collected so far catches up with staying self-pay in month {catch}."
                   if catch else " Cash collected does not catch up within 12 months.")


def store_defaults(db: Database, visit: tuple[tuple[str, int], ...] = DEFAULT_VISIT
                   ) -> pd.DataFrame:
    """Starting payer assumptions from the store: payer, payer_type, allowed_per_visit
    (Σ the payer's fee-schedule allowed amount × units over ``visit``, Decimal dollars; codes
    the payer has no amount for count 0) and share (the payer's share of the practice's
    billed visits in the claims of the last 365 days of data; equal shares when there are
    none), usual_lag_days (the payer's expected days to payment, from its settings). Empty
    when the store has no payer fee schedule."""
    codes = [c for c, _ in visit]
    units = [int(u) for _, u in visit]
    text = """
        WITH v AS (SELECT unnest($codes::VARCHAR[]) AS cpt, unnest($units::INTEGER[]) AS units),
        allowed AS (
            SELECT p.payer_id, p.name AS payer, p.payer_type, p.usual_lag_days,
                   sum(coalesce(f.allowed_amount, 0) * v.units)::DECIMAL(12,2)
                       AS allowed_per_visit,
                   count(f.cpt) AS priced
            FROM payers p CROSS JOIN v
            LEFT JOIN payer_fee_schedule f ON f.payer_id = p.payer_id AND f.cpt = v.cpt
            GROUP BY ALL),
        visits AS (  -- distinct first, then counted (count(DISTINCT (a, b)) was ~30 ms slower)
            SELECT DISTINCT c.payer_id, c.client_id, l.service_date
            FROM claims c JOIN claim_lines l USING (claim_id)
            WHERE c.status <> 'voided'
              AND l.service_date > (SELECT max(service_date) FROM claim_lines) - 365),
        recent AS (SELECT payer_id, count(*) AS visits FROM visits GROUP BY payer_id)
        SELECT a.payer, a.payer_type, a.allowed_per_visit, a.usual_lag_days,
               coalesce(r.visits, 0) AS visits
        FROM allowed a LEFT JOIN recent r USING (payer_id)
        WHERE a.priced > 0
        ORDER BY visits DESC, a.payer"""
    df = db.query(text, {"codes": codes, "units": units})
    if df.empty:
        return pd.DataFrame(columns=["payer", "payer_type", "allowed_per_visit", "share",
                                     "usual_lag_days"])
    total = int(df.visits.sum())
    if total:
        df["share"] = [_d(v) / total for v in df.visits]
    else:
        df["share"] = [Decimal(1) / len(df)] * len(df)
    df["share"] = [x.quantize(Decimal("0.001")) for x in df.share]
    df["allowed_per_visit"] = [_d(x) for x in df.allowed_per_visit]
    df["usual_lag_days"] = df.usual_lag_days.astype(int)
    return df[["payer", "payer_type", "allowed_per_visit", "share", "usual_lag_days"]]
