"""One payer's scorecard on one A4 page, for contract talks (``metdash report payer``).

Built from the :class:`~metdash.figures.scorecard.PayerScorecard` the page shows, so the page
and the PDF carry the same numbers. A scorecard holds no client: no name, birth date or
member id (the underpaid lines are not printed; their count and dollars are). Every table
still goes through :func:`metdash.privacy.mask_if` in presentation mode, so anything added
later is masked by the same rule as the weekly report. Charts are drawn by kaleido
(:func:`metdash.report.chart_png`); without a browser the page is tables only and says so.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from metdash import privacy, scorecard_charts
from metdash.chart_labels import dollars_label, half_away
from metdash.errors import ReportError
from metdash.figures.scorecard import PayerScorecard
from metdash.metrics import CATALOGUE, format_value
from metdash.report import PdfPage, chart_png

Progress = Callable[[str], None]


def _money(v: Any) -> str:
    return format_value("money", v)


def _whole(v: Any) -> str:
    """Whole dollars, a half rounded up as on screen ($1,234.50 reads "$1,235")."""
    return "—" if v is None or (isinstance(v, float) and v != v) else dollars_label(v)


def _pct(v: Any) -> str:
    return format_value("percent", v)


def _days(v: Any) -> str:
    return "—" if v is None or (isinstance(v, float) and v != v) else f"{half_away(v)} d"


def _lines(n: int) -> str:
    return f"{n:,} line" + ("" if n == 1 else "s")


def cost_line(card: PayerScorecard) -> str:
    """The one line "what this payer costs you", with its three parts and the rate."""
    f = card.figures
    if not card.has_claims:
        return f"{card.payer} had no claims with service dates in this period."
    rate = float(card.rate) * 100
    return (f"What {card.payer} costs you: {_money(f['payer_cost'])} = denied and not "
            f"overturned {_money(f['denied_standing'])} (of {_money(f['denied_amount'])} "
            f"denied) + underpaid {_money(f['underpaid_amount'])} "
            f"({_lines(int(f['underpaid_lines']))} below the fee schedule) + cost of waiting "
            f"{_money(f['waiting_cost'])} ({half_away(f['dollar_days']):,.0f} dollar-days × "
            f"{rate:g} % a year ÷ 365).")


def key_figures(card: PayerScorecard, secondary: bool = False) -> list[tuple[str, str, str]]:
    """The card's headline figures as (catalogue name, label, value) in the order the page
    and the PDF show them. A payer none of whose claims has a 999 / 277CA outcome yet reads
    "no 277CA" for the clean-claim rate (never an estimate). With ``secondary`` (the page's
    tiles), the part of Paid paid as a secondary on other payers' claims follows Paid: Paid
    counts it and Allowed does not, and side by side they read "pays more than it allows"
    (a new-user trial, the demo's Medicaid); the PDF says it in its table, beside Paid."""
    f = card.figures
    paid = [("paid", "Paid", _whole(f.get("paid")))]
    if secondary:
        paid.append(("paid_as_secondary", "Of it as secondary",
                     _whole(f.get("paid_as_secondary"))))
    return [
        *paid,
        ("revenue_share", "Share of revenue", _pct(f.get("revenue_share"))),
        ("allowed_per_visit", "Allowed / visit", _money(f.get("allowed_per_visit"))),
        ("paid_per_visit", "Paid / visit", _money(f.get("paid_per_visit"))),
        ("median_days", "Days to pay, median", _days(f.get("median_days"))),
        ("p90_days", "Days to pay, p90", _days(f.get("p90_days"))),
        ("denial_rate", "Denial rate", _pct(f.get("denial_rate"))),
        ("first_pass_resolution_rate", "First-pass", _pct(f.get("first_pass_resolution_rate"))),
        ("clean_claim_rate", "Clean-claim rate",
         "no 277CA" if card.clean_claim_rate is None
         else _pct(card.clean_claim_rate)),
    ]


def comparison_rows(card: PayerScorecard) -> list[list[str]]:
    """(figure, this payer, the other payers' median) for the rates and days."""
    f = card.figures
    rows = []
    for name, fmt in (("allowed_per_visit", _money), ("paid_per_visit", _money),
                      ("median_days", _days), ("p90_days", _days),
                      ("denial_rate", _pct), ("first_pass_resolution_rate", _pct)):
        rows.append([CATALOGUE[name].label, fmt(f.get(name)), fmt(card.other_payers(name))])
    return rows


def payer_pdf(card: PayerScorecard, *, practice: str = "", is_demo: bool = False,
              present: bool = False, charts: bool = True, generated: dt.date | None = None,
              progress: Progress | None = None) -> bytes:
    """The card on one A4 landscape page: headline figures, what the payer costs, allowed
    per unit by code against the fee schedule and the other payers, days to payment by
    quarter, the top denial reasons in words, and the definitions. ``progress`` is told what
    is being done (drawing the charts takes seconds)."""
    say = progress or (lambda _m: None)
    pg = PdfPage()
    p = pg.pdf
    generated = generated or dt.date.today()
    f = card.figures
    period = card.period

    pg.font(13.5, True)
    p.set_xy(10, 8)
    pg.cell(180, 7, f"Payer scorecard — {card.payer}")
    pg.font(7)
    p.set_xy(190, 8)
    pg.cell(97, 4, " · ".join(x for x in (practice, f"{generated:%b %d, %Y}") if x),
            align="R")
    notes = [f"service dates {period.date_from:%b %d, %Y} – {period.date_to:%b %d, %Y}, "
             f"balances as of {period.as_of:%b %d, %Y}"]
    if is_demo:
        notes.append("synthetic demo practice")
    if present:
        notes.append("presentation mode")
    p.set_xy(10, 15)
    pg.cell(277, 4, " · ".join(notes))

    tiles = key_figures(card)
    w = 277 / len(tiles)
    y = 20
    p.set_draw_color(180, 190, 205)
    for i, (_, label, value) in enumerate(tiles):
        x = 10 + i * w
        p.rect(x + 0.5, y, w - 1, 14)
        p.set_xy(x + 1.5, y + 1)
        pg.font(7)
        pg.cell(w - 3, 4, label)
        p.set_xy(x + 1.5, y + 5.5)
        pg.font(12 if len(value) <= 9 else 10, True)
        pg.cell(w - 3, 7, value)
    y += 16
    pg.font(9.5, True)
    p.set_xy(10, y)
    p.set_text_color(150, 40, 0)
    p.multi_cell(277, 4.6, pg.text(cost_line(card)))  # two lines at most
    p.set_text_color(0, 0, 0)
    y += 11

    chart_h, px_w, px_h = 58, 560, 330
    side = [("Claims", f"{int(f.get('claims') or 0):,}"),
            ("Billed", _whole(f.get("billed"))), ("Allowed", _whole(f.get("allowed"))),
            ("Paid", _whole(f.get("paid"))),
            ("of it as secondary", _whole(f.get("paid_as_secondary"))),
            ("Still owed", _whole(f.get("open_balance"))),
            ("Denied", _whole(f.get("denied_amount"))),
            ("Not overturned", _whole(f.get("denied_standing"))),
            ("Underpaid lines", f"{int(f.get('underpaid_lines') or 0):,}"),
            ("Underpaid", _money(f.get("underpaid_amount"))),
            ("Cost of waiting", _money(f.get("waiting_cost")))]
    pg.table(214, y, "In the period", [("Figure", 46, "L"), ("", 27, "R")],
             [list(r) for r in side])
    images: list[bytes | None] = []
    if charts and card.has_claims:
        say("Drawing the charts (the first one starts a browser: a few seconds)…")
        images = [
            chart_png(scorecard_charts.allowed_per_unit_bar(card.by_code, card.payer),
                      px_w, px_h),
            chart_png(scorecard_charts.days_quarterly_line(card.days_trend),
                      px_w, px_h)]
    if images and all(img is not None for img in images):
        for i, img in enumerate(images):
            p.image(io.BytesIO(img), x=10 + i * 102, y=y, w=chart_h * px_w / px_h, h=chart_h)
        y += chart_h + 2
    else:
        pg.font(8, True)
        p.set_xy(10, y)
        p.set_text_color(160, 60, 0)
        why = ("no browser was found to draw them (install Chromium for kaleido)"
               if charts and card.has_claims else
               "no claims in the period" if not card.has_claims else "as asked")
        p.multi_cell(200, 4, pg.text(f"Charts left out: {why}; the figures are complete."))
        p.set_text_color(0, 0, 0)
        y += 10 + 9 * 3.9  # below the "In the period" table

    say("Laying out the tables…")
    top = y
    codes = privacy.mask_if(card.by_code, present).head(max(1, int((190 - top - 12) // 3.9)))
    code_cols = [("CPT", 10, "L"), ("Units", 9, "R"), ("Allowed/u", 15, "R"),
                 ("Fee sched.", 15, "R"), ("Others", 14, "R"), ("Paid/u", 13, "R"),
                 ("Others paid", 18, "R")]
    pg.table(10, top, "Per unit by code (lines not denied)", code_cols,
             [[r["cpt"], f"{int(r['units']):,}", _money(r["allowed_per_unit"]),
               _money(r["expected_per_unit"]), _money(r["others_allowed_per_unit"]),
               _money(r["paid_per_unit"]), _money(r["others_paid_per_unit"])]
              for _, r in codes.iterrows()], empty="No adjudicated line in the period.")
    reasons = privacy.mask_if(card.denial_reasons, present).head(
        max(1, int((190 - top - 12) // 3.9)))
    reason_cols = [("Reason", 12, "L"), ("In words", 80, "L"), ("Claims", 10, "R"),
                   ("Denied", 15, "R")]
    pg.table(110, top, "Top denial reasons", reason_cols,
             [[r["reason"], r["description"], f"{int(r['claims']):,}",
               _whole(r["amount"])] for _, r in reasons.iterrows()],
             empty="No denial in the period.")
    cmp_cols = [("Figure", 27, "L"), ("This payer", 16, "R"), ("Others", 13, "R")]
    pg.table(230, top, "Against the others (median)", cmp_cols, comparison_rows(card))

    pg.font(6.1)
    p.set_xy(10, 191)
    p.multi_cell(277, 2.7, pg.text(
        "Claims in the period: not voided, first service date in the period. Allowed: AMT*B6, "
        "else paid + cost share + sequestration. Per visit: ÷ distinct client and service date. Share of "
        "revenue: its payments ÷ every payer's. Days to pay: first payment − submission, "
        "median and 90th percentile of the claims paid. Denial rate / first-pass: claims "
        "denied / paid in full at the first adjudication ÷ claims adjudicated. Underpaid: a "
        "line not denied allowed below the payer's fee schedule × units. Cost of waiting: "
        "(Σ payment × days from submission + balance still owed × days since submission) × "
        "yearly rate ÷ 365. Clean-claim rate: claims accepted by the payer's 277CA with no "
        "999 / 277CA rejection before ÷ claims with an outcome, of the claims first "
        "submitted in the period."))
    say("Writing the PDF…")
    return bytes(p.output())


def write_payer_pdf(card: PayerScorecard, out: str | Path, **options: Any) -> Path:
    """Write :func:`payer_pdf` to ``out`` (a .pdf file in a folder that exists, as every file
    metdash writes: readable by its owner only, whole or not at all). A file already there is
    replaced (last month's card, made again)."""
    from metdash.store import write_private

    path = Path(out)
    if path.suffix.lower() != ".pdf":
        raise ReportError(f"{path.name}: the file name must end in .pdf.")
    if not path.parent.is_dir():   # a mistyped folder is not made (export-837 refuses it too)
        raise ReportError(f"Cannot write {path}: there is no folder {path.parent}. Create it, "
                          "or name a file in a folder that exists.")
    try:
        write_private(path, payer_pdf(card, **options))
    except OSError as exc:
        raise ReportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return path


def pdf_file_name(card: PayerScorecard) -> str:
    """A file name for the card: ``scorecard_<payer>_<to-date>.pdf``, letters and digits."""
    slug = "_".join("".join(c if c.isalnum() else " " for c in card.payer).split()) or "payer"
    return f"scorecard_{slug}_{card.period.date_to:%Y-%m-%d}.pdf"

