"""The one-page export of the weekly referral review: a PDF for the meeting, and a CSV.

Both are built from one :class:`metdash.weekly.WeeklyReview`, the object the page shows,
so the page and the export carry the same numbers. Charts become PNGs through plotly's
kaleido (which drives Debian's Chromium); without a browser the PDF is tables only and
says so on the page. In presentation mode every table goes through
:func:`metdash.privacy.mask_frame` first.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from metdash import privacy, weekly_charts
from metdash.chart_labels import dollars_label, half_away, percent_label
from metdash.errors import ReportError
from metdash.store import Database
from metdash.weekly import WeeklyReview, review_csv

log = logging.getLogger(__name__)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_kaleido_lock = threading.Lock()
_kaleido_started = False


# -- charts as images ----------------------------------------------------------------------
def _start_kaleido() -> None:
    """Start kaleido's browser once per process (later images take ~0.2 s, not ~2 s)."""
    global _kaleido_started
    with _kaleido_lock:
        if _kaleido_started:
            return
        try:
            import kaleido

            if hasattr(kaleido, "start_sync_server"):
                kaleido.start_sync_server(silence_warnings=True)
        except Exception as exc:  # a missing browser shows up on the first image instead
            log.info("kaleido server not started: %s", exc)
        _kaleido_started = True


def chart_png(fig: Any, width: int, height: int, scale: float = 2.0) -> bytes | None:
    """The figure as PNG bytes, or None when no browser is available to draw it."""
    _start_kaleido()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "kopts ignored when using a server"
            return fig.to_image(format="png", width=width, height=height, scale=scale)
    except Exception as exc:  # kaleido raises several types when Chromium is missing
        log.warning("chart not drawn as an image: %s", exc)
        return None


# -- text helpers ---------------------------------------------------------------------------
# A half is rounded away from zero, as the page's tiles and tables round it (metdash.chart_labels).
def _fmt_money(v: Any) -> str:
    return "—" if v is None else dollars_label(v)


def _fmt_pct(v: Any) -> str:
    return "—" if v is None or (isinstance(v, float) and v != v) else percent_label(v)


def _fmt_num(v: Any, places: int = 1) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    return f"{half_away(v, places):.{places}f}"


def _fmt_date(v: Any) -> str:
    if v is None or (not isinstance(v, dt.date) and pd.isna(v)):
        return "—"
    return f"{pd.Timestamp(v):%b %d, %Y}" if not isinstance(v, str) else v


def _fmt_signed(v: Any) -> str:
    return "—" if v is None else f"{float(v):+.2f}"


KIND_SHORT = {"physician": "Physician", "physical_therapist": "Phys. therapist",
              "specialist": "Specialist", "other": "Other"}


def summary_tiles(review: WeeklyReview) -> list[tuple[str, str, str]]:
    """The headline figures as (catalogue name, label, formatted value), in the order the
    page and the PDF show them."""
    s = review.summary
    return [
        ("week_referrals", "Referrals this week", f"{s['week_referrals']}"),
        ("avg_4w", "4-week average", _fmt_num(s["avg_4w"])),
        ("avg_12w", "12-week average", _fmt_num(s["avg_12w"])),
        ("new_referrers", "New referrers", f"{s['new_referrers']}"),
        ("lapsed_referrers", f"Lapsed ({s['newly_lapsed']} new)",
         f"{s['lapsed_referrers']}"),
        ("conversion_rate_12m", "Conversion (12 mo)", _fmt_pct(s["conversion_rate_12m"])),
        ("days_to_first_session_12m", "Days to 1st session",
         _fmt_num(s["days_to_first_session_12m"])),
        ("paid_12m", "Paid (12 mo)", _fmt_money(s["paid_12m"])),
    ]


# -- the PDF --------------------------------------------------------------------------------
class _Page:
    """fpdf2 with DejaVu (Unicode) when installed, else Helvetica with text made latin-1."""

    def __init__(self) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(10, 8, 10)
        self.pdf.add_page()
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.pdf.add_font("DejaVu", "", str(regular))
            self.pdf.add_font("DejaVu", "B", str(bold))
            self.family, self.unicode = "DejaVu", True
        else:  # pragma: no cover - every machine we ship to has DejaVu
            self.family, self.unicode = "Helvetica", False

    def text(self, value: Any) -> str:
        t = "" if value is None else str(value)
        if not self.unicode:
            t = (t.replace("—", "-").replace("–", "-").replace("•", "*").replace("÷", "/")
                 .replace("Σ", "sum ").replace("≥", ">="))
            t = t.encode("latin-1", "replace").decode("latin-1")
        return t

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def cell(self, w: float, h: float, value: Any, align: str = "L", fill: bool = False,
             border: int | str = 0) -> None:
        text = self.text(value)
        # Cut what does not fit rather than run into the next column.
        while text and self.pdf.get_string_width(text) > w - 1:
            text = text[:-2] + "…" if self.unicode else text[:-2] + "."
        self.pdf.cell(w, h, text, align=align, fill=fill, border=border)

    def table(self, x: float, y: float, title: str, columns: list[tuple[str, float, str]],
              rows: list[list[Any]], empty: str = "None.") -> float:
        """A small table at (x, y); returns the y below it."""
        p = self.pdf
        p.set_xy(x, y)
        self.font(9, True)
        self.cell(sum(w for _, w, _ in columns), 5, title)
        y += 5.5
        p.set_xy(x, y)
        self.font(6.5, True)
        p.set_fill_color(230, 236, 244)
        for head, w, align in columns:
            self.cell(w, 4.2, head, align=align, fill=True)
        y += 4.2
        self.font(7)
        if not rows:
            p.set_xy(x, y)
            self.cell(sum(w for _, w, _ in columns), 4, empty)
            return y + 4.5
        for i, row in enumerate(rows):
            p.set_xy(x, y)
            p.set_fill_color(246, 248, 251)
            for (_, w, align), value in zip(columns, row, strict=True):
                self.cell(w, 3.9, value, align=align, fill=i % 2 == 1)
            y += 3.9
        return y + 2


#: The one-page PDF builder, shared with the payer scorecard (metdash.payer_report).
PdfPage = _Page


def practice_heading(db: Database) -> tuple[str, bool]:
    """The practice's name for the report's heading, and whether it is the synthetic demo."""
    practice = db.query("SELECT name, is_demo FROM practice ORDER BY practice_id LIMIT 1")
    if practice.empty:
        return "", False
    return str(practice.name[0]), bool(practice.is_demo[0])


def weekly_pdf(review: WeeklyReview, *, practice: str = "", is_demo: bool = False,
               present: bool = False, charts: bool = True,
               generated: dt.date | None = None) -> bytes:
    """The review on one A4 landscape page: headline figures, two charts, movers, new and
    lapsed referrers, per kind, and the definitions. ``present`` masks client details (there
    are none in this review today; the rule applies to anything added later). ``charts``
    False, or no browser for kaleido, gives a tables-only page with a note saying so."""
    pg = _Page()
    p = pg.pdf
    generated = generated or dt.date.today()

    def masked(frame: pd.DataFrame) -> pd.DataFrame:
        return privacy.mask_if(frame, present)

    # Title.
    pg.font(13.5, True)
    p.set_xy(10, 8)
    pg.cell(186, 7, f"Weekly referral review — {review.label}")
    pg.font(7)
    notes = ["synthetic demo practice"] if is_demo else []
    if present:
        notes.append("client details masked")
    p.set_xy(196, 8)
    pg.cell(91, 4, " · ".join([x for x in (practice, f"{generated:%b %d, %Y}") if x]),
            align="R")
    p.set_xy(196, 12)
    pg.cell(91, 4, " · ".join(notes), align="R")

    # Headline tiles.
    tiles = summary_tiles(review)
    w = 277 / len(tiles)
    y = 17
    p.set_draw_color(180, 190, 205)
    for i, (_, label, value) in enumerate(tiles):
        x = 10 + i * w
        p.rect(x + 0.5, y, w - 1, 14)
        p.set_xy(x + 1.5, y + 1)
        pg.font(7)
        pg.cell(w - 3, 4, label)
        p.set_xy(x + 1.5, y + 5.5)
        pg.font(13, True)
        pg.cell(w - 3, 7, value)
    y += 17

    # Charts (or the note that there are none).
    chart_h = 74
    images = []
    if charts:
        # Drawn at about 2.5 px a millimetre, so the charts' 14 px type prints near 8 pt.
        images = [chart_png(weekly_charts.weekly_referrals_bar(review, height=410), 740, 410),
                  chart_png(weekly_charts.movers_bar(review, top=10, height=410), 740, 410)]
    if images and all(img is not None for img in images):
        import io

        for i, img in enumerate(images):
            p.image(io.BytesIO(img), x=10 + i * 140, y=y, w=chart_h * 740 / 410, h=chart_h)
        y += chart_h + 2
    else:
        pg.font(8, True)
        p.set_xy(10, y)
        p.set_text_color(160, 60, 0)
        why = ("no browser was found to draw them (install Chromium for kaleido)" if charts
               else "as asked")
        pg.cell(277, 5, f"Charts left out: {why}; the figures below are complete.")
        p.set_text_color(0, 0, 0)
        y += 7

    # Tables: movers | new + lapsed | per kind.
    top = y
    movers_cols = [("Referrer", 44, "L"), ("This wk", 13, "R"), ("4-wk avg", 14, "R"),
                   ("Change", 13, "R")]

    def mover_rows(frame: pd.DataFrame) -> list[list[Any]]:
        f = masked(frame)
        return [[r["name"], r["this_week"], _fmt_num(r["avg_4w"], 2),
                 _fmt_signed(r["change_vs_4w"])] for _, r in f.iterrows()]

    y1 = pg.table(10, top, "Top movers up", movers_cols, mover_rows(review.movers_up))
    pg.table(10, y1, "Top movers down", movers_cols, mover_rows(review.movers_down))

    new = masked(review.new_referrers).head(4)
    new_cols = [("Referrer", 42, "L"), ("Kind", 24, "L"), ("First referral", 24, "R")]
    y2 = pg.table(100, top, "New referrers (first referral this week)", new_cols,
                  [[r["name"], KIND_SHORT.get(r["kind"], r["kind"]),
                    _fmt_date(r["first_referral"])] for _, r in new.iterrows()])
    lapsed = masked(review.lapsed_referrers)
    shown = lapsed.head(max(1, min(20, int((194 - y2 - 12) // 3.9))))
    lapsed_cols = [("Referrer", 27, "L"), ("Last referral", 18, "R"), ("Gap (d)", 11, "R"),
                   ("Refs 12m", 15, "R"), ("Paid 12m", 19, "R")]
    title = "Lapsed referrers (most recent first)"
    if len(lapsed) > len(shown):
        title += f" — {len(shown)} of {len(lapsed)}"
    pg.table(100, y2, title, lapsed_cols,
             [[r["name"], _fmt_date(r["last_referral"]), _fmt_num(r["median_gap_days"], 0),
               r["referrals_12m"], _fmt_money(r["paid_12m"])] for _, r in shown.iterrows()])

    kinds = masked(review.kinds)
    kind_cols = [("Kind", 21, "L"), ("This wk", 12, "R"), ("4-wk", 9, "R"), ("12-wk", 10, "R"),
                 ("Refs 12m", 15, "R"), ("Conv.", 10, "R"), ("Paid 12m", 17, "R")]
    y3 = pg.table(193, top, "Per kind of referrer", kind_cols,
                  [[KIND_SHORT.get(r["kind"], r["kind"]), r["this_week"],
                    _fmt_num(r["avg_4w"]), _fmt_num(r["avg_12w"]), r["referrals_12m"],
                    _fmt_pct(r["conversion_rate_12m"]), _fmt_money(r["paid_12m"])]
                   for _, r in kinds.iterrows()])
    top_paid = masked(review.referrers).sort_values("paid_12m", ascending=False).head(
        max(1, min(20, int((194 - y3 - 12) // 3.9))))
    pay_cols = [("Referrer", 33, "L"), ("Refs 12m", 15, "R"), ("Conv.", 10, "R"),
                ("Billed 12m", 18, "R"), ("Paid 12m", 18, "R")]
    pg.table(193, y3, "Top referrers by paid (12 months)", pay_cols,
             [[r["name"], r["referrals_12m"], _fmt_pct(r["conversion_rate_12m"]),
               _fmt_money(r["billed_12m"]), _fmt_money(r["paid_12m"])]
              for _, r in top_paid.iterrows()])

    # Definitions at the foot.
    pg.font(6.3)
    p.set_xy(10, 196)
    p.multi_cell(277, 2.8, pg.text(
        "Week: Monday–Sunday. Averages: referrals a week in the 4 / 12 full weeks before the "
        "reviewed week. Change: this week − 4-week average. New: first referral ever in the "
        "week. Lapsed (at the week's end): ≥ 3 referrals and none for more than twice the "
        "median gap between referral dates. 12 mo: the 365 days ending on the week's Sunday; "
        "conversion = first visit within 30 days of the referral; paid = payer + patient "
        "payments on the claims naming the referrer."))
    return bytes(p.output())


def weekly_csv(review: WeeklyReview, *, present: bool = False) -> str:
    """The review's numbers as CSV (see :func:`metdash.weekly.review_csv`), masked in
    presentation mode."""
    if not present:
        return review_csv(review)
    masked = WeeklyReview(
        review.week_start, review.week_end, review.summary,
        *(privacy.mask_frame(f) for f in (review.referrers, review.movers_up,
                                          review.movers_down, review.new_referrers,
                                          review.lapsed_referrers, review.kinds,
                                          review.payer_mix)),
        review.weekly)
    return review_csv(masked)


def write_weekly(review: WeeklyReview, out: str | Path, **pdf_options: Any) -> Path:
    """Write the review to ``out``: a PDF for ``.pdf``, a CSV for ``.csv``."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".csv"):
        raise ReportError(f"{path.name}: the file name must end in .pdf or .csv.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".pdf":
            path.write_bytes(weekly_pdf(review, **pdf_options))
        else:
            path.write_text(weekly_csv(review, present=pdf_options.get("present", False)),
                            encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return path
