"""Patient statements: the bill a practice mails a client for what their insurance left to
them (DOMAIN.md: cost share goes "else to the client (a statement)").

:func:`statement` reads one client's statement as of a date; :func:`statement_pdf` draws it
(a page, more only for a long list of services); :func:`statements_for_all` writes one PDF per
client who owes money and says who has a credit instead. The services and balances come from
``metdash/sql/statement_lines.sql``, which reads the Balances page's own query
(``patient_balances.sql``): a statement's total due is the client's patient A/R there, for
the same as-of date (with no payer / referrer / provider filter set).

What a service row shows, from the claim's ledger (``ledger.sql``) as of the statement date:
charge; insurance paid (net of reversals and recoupments); adjustments (contractual, the other
payer's share, the practice's write-offs of the claim, of its insurance balance or of the
client's share: nobody bills the client for them); still with insurance; the client's share
(cost share and balances moved to them, less what the practice wrote off of it on the claim);
their payments and credits applied to it (money naming no claim, and a write-off of the
client's balance as a whole, are applied to the oldest service first); the balance. So each
row adds up: charge = insurance paid + adjustments + with insurance + your share, and your
share − applied = balance. (Found by a new-user trial: a $2 small-balance write-off on a
claim showed as "You paid / credited", though the notes count write-offs as adjustments.)
A payer that paid more than it owed on a service (twice, with no reversal) is owed that back
by the practice: the row shows what the payer paid on the service and nothing with insurance
(a trial saw "Insurance paid $303.70" on a $232.00 charge, "With insurance -$151.85").

Procedures are named in the project's own words (:func:`metdash.coding.known_codes`), never
the AMA's. In presentation mode the client's name and address are masked
(:mod:`metdash.privacy`); the account number (the chart number) stays, as everywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from fpdf import FPDF

from metdash import privacy
from metdash.coding import CptCode, known_codes
from metdash.errors import ReportError
from metdash.figures import BUCKETS, Filters, money, run, sql
from metdash.report import FONT_DIR
from metdash.store import Database, write_private

ACTIVITY_DAYS = 90  # a paid-up service stays on the statement this long after its last event
PAY_WITHIN_DAYS = 30  # the due date: the statement date + 30 days
PAPERS = ("letter", "a4")
ZERO = Decimal("0.00")


@dataclasses.dataclass(frozen=True)
class Service:
    """One claim on a statement (amounts as of the statement date; see the module doc)."""

    service_date: dt.date
    claim_id: str
    procedures: tuple[tuple[str, str], ...]  # (CPT code, our description)
    charge: Decimal
    insurance_paid: Decimal
    adjustments: Decimal  # contractual, another payer's share, the practice's write-offs
    with_insurance: Decimal
    your_share: Decimal
    payments_applied: Decimal
    balance: Decimal
    bucket: str | None  # age since the service date of what is owed on it (None: nothing)


@dataclasses.dataclass(frozen=True)
class Statement:
    """One client's statement. ``total_due`` is the client's patient A/R on the statement
    date (negative: a credit); ``credit`` the money left over once every service is paid."""

    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    is_demo: bool
    client_id: str  # the account number
    client_name: str
    client_address: tuple[str, ...]
    statement_date: dt.date
    due_date: dt.date
    services: tuple[Service, ...]
    credit: Decimal
    total_due: Decimal
    aging: dict[str, Decimal]  # BUCKETS -> amount due of that age

    @property
    def amount_due(self) -> Decimal:
        """What the client is asked to pay (0 when they owe nothing or have a credit)."""
        return max(self.total_due, ZERO)

    def masked(self) -> Statement:
        """This statement with the client's name and address masked (presentation mode)."""
        return dataclasses.replace(
            self, client_name=privacy.mask_text(self.client_name, "name"),
            client_address=tuple(privacy.MASK for _ in self.client_address))


@dataclasses.dataclass(frozen=True)
class WrittenStatement:
    """One PDF that :func:`statements_for_all` wrote."""

    client_id: str
    path: Path
    total_due: Decimal  # the statement's: negative for a credit
    services: int


@dataclasses.dataclass(frozen=True)
class StatementsSummary:
    """What :func:`statements_for_all` did: the files written, and the clients with a credit,
    who get no bill (client id, credit to refund)."""

    as_of: dt.date
    written: tuple[WrittenStatement, ...]
    credits: tuple[tuple[str, Decimal], ...]

    @property
    def total_due(self) -> Decimal:
        """What the written statements ask for (a credit counts as nothing due)."""
        return sum((max(w.total_due, ZERO) for w in self.written), ZERO)

    def closing_lines(self) -> list[str]:
        """The summary in a sentence or two, for the command line and a page."""
        n = len(self.written)
        lines = [f"{n} statement{'s' if n != 1 else ''} as of {self.as_of:%Y-%m-%d}, "
                 f"{dollars(self.total_due)} due in all." if n else
                 f"No client owes anything on {self.as_of:%Y-%m-%d}: no statement written."]
        if self.credits:
            k = len(self.credits)
            shown = ", ".join(f"{cid} ({dollars(c)})" for cid, c in self.credits[:10])
            lines.append(f"{k} client{'s have' if k > 1 else ' has'} a credit and no bill "
                         f"(to refund): {shown}{f' and {k - 10} more' if k > 10 else ''}.")
        return lines


def dollars(value: Decimal) -> str:
    """'$1,234.56'; a negative amount '-$20.00'."""
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


# -- reading ----------------------------------------------------------------------------------
def _lines(db: Database, as_of: dt.date, client_ids: list[str] | None
           ) -> tuple[pd.DataFrame, dict[str, CptCode]]:
    """statement_lines.sql's rows, and the procedure codes in our words."""
    since = as_of - dt.timedelta(days=ACTIVITY_DAYS)
    with db.connect() as con:
        frame = run(con, sql("statement_lines"), Filters(as_of, as_of, as_of),
                    clients=client_ids, since=since)
        return frame, known_codes(con)


def _headers(db: Database, client_ids: list[str] | None) -> tuple[dict[str, Any], pd.DataFrame]:
    practice = db.query("SELECT name, address_line1, city, state, zip, phone, is_demo "
                        "FROM practice ORDER BY practice_id LIMIT 1")
    clients = db.query(
        "SELECT client_id, first_name, last_name, address_line1, city, state, zip "
        "FROM clients WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], client_id)",
        [client_ids, client_ids])
    return (practice.iloc[0].to_dict() if not practice.empty else {}), clients


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _address(line1: Any, city: Any, state: Any, zip_: Any) -> tuple[str, ...]:
    place = " ".join(x for x in (", ".join(x for x in (_text(city), _text(state)) if x),
                                 _text(zip_)) if x)
    return tuple(x for x in (_text(line1), place) if x)


def load_statements(db: Database, as_of: dt.date, client_ids: list[str] | None = None
                    ) -> dict[str, Statement]:
    """The statements of ``client_ids`` (every client when None) as of ``as_of``, by client
    id; a client not on file is missing from the result. One query for them all."""
    frame, codes = _lines(db, as_of, client_ids)
    practice, clients = _headers(db, client_ids)
    services_of: dict[str, list[Service]] = {}
    credit_of: dict[str, Decimal] = {}
    for r in frame.to_dict("records"):  # plain dicts: pandas row access is slow per row
        if r["kind"] == "credit":
            credit_of[r["client_id"]] = -money(r["balance"])
            continue
        amounts = {k: money(r[k]) for k in ("charge", "insurance_paid", "adjustments",
                                             "with_insurance", "your_share",
                                             "payments_applied", "balance")}
        if amounts["with_insurance"] < 0:
            # The payer paid more than it owed (twice, say): that is the payer's to get back
            # from the practice, not the client's business. The statement shows what the
            # payer paid on the service, and nothing with insurance.
            amounts["insurance_paid"] += amounts["with_insurance"]
            amounts["with_insurance"] = ZERO
        services_of.setdefault(r["client_id"], []).append(Service(
            r["service_date"], r["claim_id"],
            tuple((cpt, codes[cpt].description if cpt in codes else "") for cpt in r["cpts"]),
            **amounts, bucket=r["bucket"] if isinstance(r["bucket"], str) else None))
    out: dict[str, Statement] = {}
    for c in clients.itertuples(index=False):
        services = tuple(services_of.get(c.client_id, ()))
        credit = credit_of.get(c.client_id, ZERO)
        aging = {b: sum((s.balance for s in services if s.bucket == b), ZERO) for b in BUCKETS}
        out[c.client_id] = Statement(
            practice_name=_text(practice.get("name")),
            practice_address=_address(practice.get("address_line1"), practice.get("city"),
                                      practice.get("state"), practice.get("zip")),
            practice_phone=_text(practice.get("phone")),
            is_demo=bool(practice.get("is_demo", False)),
            client_id=c.client_id,
            client_name=f"{_text(c.first_name)} {_text(c.last_name)}".strip(),
            client_address=_address(c.address_line1, c.city, c.state, c.zip),
            statement_date=as_of,
            due_date=as_of + dt.timedelta(days=PAY_WITHIN_DAYS),
            services=services,
            credit=credit,
            total_due=sum((s.balance for s in services), ZERO) - credit,
            aging=aging)
    return out


def statement(db: Database, client_id: str, as_of: dt.date) -> Statement:
    """Client ``client_id``'s statement as of ``as_of``. Raises ReportError for a client not
    on file."""
    found = load_statements(db, as_of, [client_id]).get(client_id)
    if found is None:
        raise ReportError(f"Client {client_id} is not on file: check the chart number.")
    return found


# -- the PDF ----------------------------------------------------------------------------------
# (header lines, width in mm, alignment): 186 mm, the width of A4 less 12 mm margins.
COLUMNS = [(("Date of", "service"), 17, "L"), (("Claim", ""), 21, "L"),
           (("Procedures", ""), 40, "L"), (("Charge", ""), 15, "R"),
           (("Insurance", "paid"), 16, "R"), (("Adjust-", "ments"), 16, "R"),
           (("With", "insurance"), 16, "R"), (("Your", "share"), 15, "R"),
           (("You paid /", "credited"), 15, "R"), (("Balance", ""), 15, "R")]
TABLE_WIDTH = sum(w for _, w, _ in COLUMNS)
LINE = 3.8  # mm per line of a service row

NOTES = (
    "Insurance paid: what your insurance sent us for the service. Adjustments: reductions "
    "your insurance's contract with us requires, another payer's share, and amounts we wrote "
    "off; you do not owe them. With insurance: still being processed by your insurance (billed, "
    "under appeal, or sent on to your second insurance); not due from you now. Your share: the "
    "deductible, coinsurance or copay your insurance assigned to you, and amounts you agreed "
    "to pay, less what we wrote off of it. You paid / credited: your payments and credits "
    "applied to the service; a payment that names no service (or a write-off of your balance "
    "as a whole) is applied to your oldest service first.")


class _Pdf:
    """fpdf2 on one page size, in Helvetica when every text of the statement has a
    Windows-1252 character (most names and addresses: drawn in ~20 ms), else in DejaVu
    (Unicode, like the weekly report: ~1 s a file, mostly reading and subsetting the font)."""

    def __init__(self, paper: str, texts: list[str]) -> None:
        if paper.lower() not in PAPERS:
            raise ReportError(f"Paper {paper!r}: choose letter or a4.")
        self.pdf = FPDF(orientation="P", unit="mm",
                        format="Letter" if paper.lower() == "letter" else "A4")
        self.pdf.set_auto_page_break(False)
        self.left = (self.pdf.w - TABLE_WIDTH) / 2
        self.bottom = self.pdf.h - 10
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        fits = "".join(texts).encode("cp1252", "replace").decode("cp1252") == "".join(texts)
        if not fits and regular.exists() and bold.exists():
            self.pdf.add_font("DejaVu", "", str(regular))
            self.pdf.add_font("DejaVu", "B", str(bold))
            self.family, self.unicode = "DejaVu", True
        else:
            self.pdf.core_fonts_encoding = "windows-1252"
            self.family, self.unicode = "Helvetica", False

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def text(self, value: Any) -> str:
        t = "" if value is None else str(value)
        if not self.unicode:  # only without DejaVu installed can a character be missing
            t = t.encode("cp1252", "replace").decode("cp1252")
        return t

    def cell(self, x: float, y: float, w: float, h: float, value: Any, align: str = "L",
             fill: bool = False, border: int | str = 0) -> None:
        text = self.text(value)
        while text and self.pdf.get_string_width(text) > w - 1:  # cut, never overflow
            text = text[:-2] + "…"
        self.pdf.set_xy(x, y)
        self.pdf.cell(w, h, text, align=align, fill=fill, border=border)

    def fitted(self, x: float, y: float, w: float, h: float, value: Any,
               smallest: float = 5.0) -> None:
        """``value`` whole in the width ``w``: in a smaller font when it is too long (a
        claim number cut to 'MD26120…' told four claims apart by nothing), cut only below
        ``smallest`` points. The font stays at the size it took: set it again after."""
        size = self.pdf.font_size_pt
        text = self.text(value)
        while size > smallest and self.pdf.get_string_width(text) > w - 1:
            size = max(smallest, size - 0.4)
            self.pdf.set_font_size(size)
        self.cell(x, y, w, h, text)

    def paragraph(self, x: float, y: float, w: float, h: float, value: str,
                  same_every_time: bool = False) -> float:
        """Wrapped text at (x, y); returns the y below it. The lines of a text that is the
        same on every statement are worked out once (line breaking is most of a page's
        time)."""
        key = (value, self.family, self.pdf.font_size_pt, w)
        lines = _LINES.get(key) if same_every_time else None
        if lines is None:
            lines = self.pdf.multi_cell(w, h, self.text(value), dry_run=True, output="LINES")
            if same_every_time:
                _LINES[key] = lines
        for i, line in enumerate(lines):
            self.pdf.set_xy(x, y + i * h)
            self.pdf.cell(w, h, line)
        return y + len(lines) * h


_LINES: dict[tuple[str, str, float, float], list[str]] = {}


def _texts(s: Statement) -> list[str]:
    """Every text of the statement that is not ours (ours are all Windows-1252)."""
    return [s.practice_name, s.practice_phone, s.client_id, s.client_name,
            *s.practice_address, *s.client_address,
            *(f"{sv.claim_id} {code} {text}" for sv in s.services
              for code, text in sv.procedures)]


def _short(description: str) -> str:
    """'Therapeutic exercise: strength, ...' -> 'Therapeutic exercise'."""
    return description.split(":")[0].strip()


def _heading(pg: _Pdf, s: Statement, present: bool, page: int) -> float:
    """The practice, the client and the amount due at the top of a page; returns the y
    below."""
    x, p = pg.left, pg.pdf
    pg.font(13, True)
    pg.cell(x, 12, 110, 6, s.practice_name or "Statement")
    pg.font(8.5)
    y = 18.5
    for line in (*s.practice_address, f"Phone {s.practice_phone}" if s.practice_phone else ""):
        if line:
            pg.cell(x, y, 110, 4, line)
            y += 4
    notes = [n for n in ("Synthetic demo practice: not a real bill." if s.is_demo else "",
                         "Client details masked (presentation mode)." if present else "") if n]
    pg.font(7)
    for note in notes:
        pg.cell(x, y, 110, 3.5, note)
        y += 3.5
    right = x + TABLE_WIDTH - 62
    pg.font(15, True)
    pg.cell(right, 11, 62, 7, "Statement" if page == 1 else f"Statement, page {page}",
            align="R")
    pg.font(8.5)
    facts = [("Statement date", f"{s.statement_date:%b %d, %Y}"), ("Account", s.client_id),
             ("Pay by", f"{s.due_date:%b %d, %Y}" if s.amount_due > 0 else "—")]
    yr = 19
    for label, value in facts:
        pg.cell(right, yr, 30, 4.2, label)
        pg.cell(right + 30, yr, 32, 4.2, value, align="R")
        yr += 4.2
    p.set_fill_color(232, 238, 246)
    p.rect(right, yr + 0.8, 62, 8, style="F")
    pg.font(10, True)
    pg.cell(right + 1, yr + 1.5, 30, 6.5, "Amount due")
    pg.cell(right + 30, yr + 1.5, 31, 6.5, dollars(s.amount_due), align="R")
    yr += 10
    y = max(y, yr) + 3
    pg.font(7)
    pg.cell(x, y, 60, 3.5, "Statement for")
    pg.font(9.5, True)
    pg.cell(x, y + 3.6, 110, 4.5, s.client_name)
    pg.font(8.5)
    y += 8.3
    for line in s.client_address:
        pg.cell(x, y, 110, 4, line)
        y += 4
    return y + 4


def _table_head(pg: _Pdf, y: float) -> float:
    pg.pdf.set_fill_color(230, 236, 244)
    pg.font(6.6, True)
    x = pg.left
    for (top, second), w, align in COLUMNS:
        pg.cell(x, y, w, 3.4, top, align=align, fill=True)
        pg.cell(x, y + 3.4, w, 3.4, second, align=align, fill=True)
        x += w
    return y + 7.6


def _procedure_lines(pg: _Pdf, s: Service) -> list[str]:
    """The lines of the service's procedures column: each procedure whole, on a second line
    when it is too long for one (a trial saw "97161 PT evaluation, low com…"). The lines of
    a procedure are worked out once."""
    width = COLUMNS[2][1] - 1
    out = []
    for cpt, text in s.procedures:
        line = pg.text(f"{cpt} {_short(text)}".strip())
        key = (line, pg.family, 7.4, width)
        if key not in _LINES:
            pg.font(7.4)
            _LINES[key] = pg.pdf.multi_cell(width, LINE, line, dry_run=True, output="LINES")
        out += _LINES[key]
    return out or ["—"]


def _service_row(pg: _Pdf, y: float, s: Service, shaded: bool) -> float:
    procedures = _procedure_lines(pg, s)
    h = LINE * len(procedures)
    if shaded:
        pg.pdf.set_fill_color(246, 248, 251)
        pg.pdf.rect(pg.left, y, TABLE_WIDTH, h, style="F")
    pg.font(7.4)
    values = [f"{s.service_date:%m/%d/%Y}", s.claim_id, None, dollars(s.charge),
              dollars(s.insurance_paid), dollars(s.adjustments),
              dollars(s.with_insurance), dollars(s.your_share), dollars(s.payments_applied)]
    x = pg.left
    for n, ((_, w, align), value) in enumerate(zip(COLUMNS[:-1], values, strict=True)):
        if value is None:
            for i, line in enumerate(procedures):
                pg.cell(x, y + i * LINE, w, LINE, line)
        elif n == 1:  # the claim number, whole
            pg.fitted(x, y, w, LINE, value)
            pg.font(7.4)
        else:
            pg.cell(x, y, w, LINE, value, align=align)
        x += w
    pg.font(7.4, True)
    pg.cell(x, y, COLUMNS[-1][1], LINE, dollars(s.balance), align="R")
    return y + h


def _money_line(pg: _Pdf, y: float, label: str, value: str, bold: bool = False) -> float:
    pg.font(9 if bold else 8, bold)
    right = pg.left + TABLE_WIDTH
    pg.cell(right - 110, y, 85, 4.8, label, align="R")
    pg.cell(right - 25, y, 25, 4.8, value, align="R")
    return y + 5


def _closing(pg: _Pdf, y: float, s: Statement) -> float:
    """Totals, aging, how to pay and the notes; returns the y below."""
    x, p = pg.left, pg.pdf
    p.set_draw_color(150, 160, 175)
    p.line(x, y, x + TABLE_WIDTH, y)
    y += 1.5
    owed = sum((sv.balance for sv in s.services), ZERO)
    y = _money_line(pg, y, "Balance of the services above", dollars(owed))
    if s.credit:
        y = _money_line(pg, y, "Payments not applied to a service (credit)",
                        dollars(-s.credit))
    label = "Total due" if s.total_due >= 0 else "Credit on your account"
    y = _money_line(pg, y, label, dollars(abs(s.total_due)), bold=True) + 2

    # The aging of what is due: five small columns under the totals, on the right.
    w = 20
    ax = x + TABLE_WIDTH - w * len(BUCKETS)
    names = {"0-30": "0–30 days", "31-60": "31–60 days", "61-90": "61–90 days",
             "91-120": "91–120 days", "120+": "over 120"}
    pg.font(7, True)
    pg.cell(ax - 40, y + 3.4, 40, 3.6, "Age of what is due", align="R")
    p.set_fill_color(230, 236, 244)
    for i, bucket in enumerate(BUCKETS):
        pg.font(6.6, True)
        pg.cell(ax + i * w, y, w, 3.4, names[bucket], align="R", fill=True)
        pg.font(7.4)
        pg.cell(ax + i * w, y + 3.4, w, 3.6, dollars(s.aging[bucket]), align="R")
    y += 9

    pg.font(9, True)
    pg.cell(x, y, TABLE_WIDTH, 4.5, "How to pay")
    pg.font(8)
    if s.amount_due > 0:
        ways = [f"Please pay {dollars(s.amount_due)} by {s.due_date:%B %d, %Y}."]
        if s.practice_phone:
            ways.append(f"By card: call us at {s.practice_phone}.")
        if s.practice_address:
            ways.append(f"By mail: a check payable to {s.practice_name}, "
                        f"{', '.join(s.practice_address)}, with the part below.")
        ways.append(f"Write your account number {s.client_id} on the check.")
    elif s.total_due < 0:
        ways = [f"Nothing is due. You have a credit of {dollars(-s.total_due)}: call us to "
                "have it refunded or kept for your next visit."]
    else:
        ways = ["Nothing is due. Thank you."]
    ask = f" Questions about this statement? Call {s.practice_phone}." if s.practice_phone else ""
    y = pg.paragraph(x, y + 4.8, TABLE_WIDTH, 3.9, " ".join(ways) + ask) + 2
    pg.font(6.4)
    p.set_text_color(80, 80, 80)
    y = pg.paragraph(x, y, TABLE_WIDTH, 2.9, NOTES, same_every_time=True)
    p.set_text_color(0, 0, 0)
    return y


STUB_HEIGHT = 30


def _stub(pg: _Pdf, s: Statement) -> None:
    """The part the client tears off and sends back with a check, at the page's foot."""
    x, p = pg.left, pg.pdf
    y = pg.bottom - STUB_HEIGHT
    p.set_dash_pattern(dash=1.2, gap=1.2)
    p.line(x, y, x + TABLE_WIDTH, y)
    p.set_dash_pattern()
    pg.font(6.5)
    pg.cell(x, y + 0.8, TABLE_WIDTH, 3, "Please detach and return this part with your "
            "payment.", align="C")
    y += 5
    pg.font(7)
    pg.cell(x, y, 80, 3.5, "Pay to")
    pg.font(8.5, True)
    pg.cell(x, y + 3.6, 90, 4.2, s.practice_name)
    pg.font(8)
    for i, line in enumerate(s.practice_address):
        pg.cell(x, y + 8 + i * 3.8, 90, 3.8, line)
    right = x + TABLE_WIDTH - 80
    rows = [("Account", s.client_id), ("Name", s.client_name),
            ("Statement date", f"{s.statement_date:%b %d, %Y}"),
            ("Amount due", dollars(s.amount_due)),
            ("Pay by", f"{s.due_date:%b %d, %Y}" if s.amount_due > 0 else "—"),
            ("Amount enclosed", "$ ______________")]
    for i, (label, value) in enumerate(rows):
        pg.font(8, label in ("Amount due", "Amount enclosed"))
        pg.cell(right, y + i * 3.9, 32, 3.9, label)
        pg.cell(right + 32, y + i * 3.9, 48, 3.9, value, align="R")


def statement_pdf(stmt: Statement, *, present: bool = False, paper: str = "letter") -> bytes:
    """The statement as a PDF (``paper`` 'letter' or 'a4'): one page, more only when the
    services do not fit; the tear-off part for a check on the last page. ``present`` masks
    the client's name and address."""
    s = stmt.masked() if present else stmt
    pg = _Pdf(paper, _texts(s))
    page = 1
    pg.pdf.add_page()
    y = _table_head(pg, _heading(pg, s, present, page))
    closing_room = 62 + STUB_HEIGHT  # totals, aging, how to pay, notes, the stub
    for i, service in enumerate(s.services):
        rows_left = len(s.services) - i
        need = LINE * len(_procedure_lines(pg, service))
        limit = pg.bottom - (closing_room if rows_left == 1 else 8)
        if y + need > limit:
            pg.font(7)
            pg.cell(pg.left, pg.bottom - 4, TABLE_WIDTH, 4, "Continued on the next page.",
                    align="R")
            page += 1
            pg.pdf.add_page()
            y = _table_head(pg, _heading(pg, s, present, page))
        y = _service_row(pg, y, service, i % 2 == 1)
    if not s.services:
        pg.font(8)
        pg.cell(pg.left, y, TABLE_WIDTH, 4.5, "No service with a balance or recent activity.")
        y += 5
    if y + closing_room > pg.bottom:
        page += 1
        pg.pdf.add_page()
        y = _heading(pg, s, present, page)
    _closing(pg, y + 1, s)
    if s.amount_due > 0:
        _stub(pg, s)
    return bytes(pg.pdf.output())


def file_name(client_id: str, as_of: dt.date) -> str:
    """The statement's file name: ``statement_<account>_<YYYY-MM-DD>.pdf`` (characters a
    file name cannot hold become '_')."""
    return f"statement_{re.sub(r'[^A-Za-z0-9_-]', '_', client_id)}_{as_of:%Y-%m-%d}.pdf"


def write_statement_pdf(stmt: Statement, path: str | Path, present: bool = False,
                        paper: str = "letter") -> Path:
    """Write :func:`statement_pdf` to ``path`` (readable by its owner only: a statement
    names the client and what they owe); raises ReportError when it cannot."""
    path = Path(path)
    data = statement_pdf(stmt, present=present, paper=paper)
    try:
        write_private(path, data)
    except OSError as exc:
        raise ReportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return path


def client_statement_pdf(db: Database, client_id: str, as_of: dt.date, *,
                         present: bool = False, paper: str = "letter") -> bytes:
    """One client's statement as of ``as_of`` as PDF bytes (a page's download button)."""
    return statement_pdf(statement(db, client_id, as_of), present=present, paper=paper)


def out_folder(out_dir: str | Path) -> Path:
    """``out_dir``, made when missing; raises ReportError when it is a file or cannot be
    made."""
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise ReportError(f"{folder} is a file: name a folder for the statements (a missing "
                          "one is made).")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"Cannot make the folder {folder}: {exc.strerror or exc}.") from exc
    return folder


def statements_for_all(db: Database, as_of: dt.date, out_dir: str | Path,
                       present: bool = False, *, client_id: str | None = None,
                       paper: str = "letter",
                       progress: Callable[[int, int, str], None] | None = None
                       ) -> StatementsSummary:
    """Write one PDF statement into ``out_dir`` (made when missing; a file there is refused)
    for every client who owes money as of ``as_of``, and return what was done. A client with
    a credit gets no bill: the summary lists them. With ``client_id``, that client's
    statement only, whatever its balance (ReportError for a client not on file).
    ``progress(i, n, client_id)`` is called before each file."""
    folder = out_folder(out_dir)
    if client_id is not None:
        chosen = {client_id: statement(db, client_id, as_of)}
        credits: tuple[tuple[str, Decimal], ...] = ()
    else:
        with db.connect() as con:
            totals = run(con, f"""
                SELECT client_id, sum(balance)::DECIMAL(14,2) AS balance
                FROM ({sql('patient_balances')}) GROUP BY client_id
                ORDER BY client_id""", Filters(as_of, as_of, as_of))
        owing = totals[totals.balance > 0].client_id.tolist()
        credits = tuple((r.client_id, -money(r.balance))
                        for r in totals[totals.balance < 0].itertuples(index=False))
        chosen = load_statements(db, as_of, owing) if owing else {}
        chosen = {cid: chosen[cid] for cid in owing if cid in chosen}
    written = []
    for i, (cid, stmt) in enumerate(chosen.items(), start=1):
        if progress:
            progress(i, len(chosen), cid)
        path = write_statement_pdf(stmt, folder / file_name(cid, as_of), present, paper)
        written.append(WrittenStatement(cid, path, stmt.total_due, len(stmt.services)))
    return StatementsSummary(as_of, tuple(written), credits)
