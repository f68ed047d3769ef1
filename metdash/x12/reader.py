"""The X12 tokenizer: bytes in, numbered segments out, envelopes checked.

Separators come from each ISA segment (a file may hold several interchanges, each with its
own): the element separator is the character right after ``ISA``, the repetition separator
is ISA11 (5010; in 4010 ISA11 is a standards id such as ``U``), the component separator is
ISA16 and the segment terminator is the character right after ISA16. Whitespace (CR, LF,
CRLF, indentation) between segments is ignored, and so is a UTF-8 byte-order mark.

Segment numbers in messages are 1-based positions **in the file** (the ISA of the first
interchange is segment 1), so a biller can count them in a text editor that shows one
segment per line; :attr:`Segment.st_number` also keeps the position inside its ST..SE
transaction (ST is 1), which is what SE01 counts.

Errors: :class:`X12Error` (one problem at one place) and :class:`X12FileError` (every
problem found in one file, raised together).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from metdash.errors import X12Error, X12FileError

_WHITESPACE = " \t\r\n\f\v"
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")


@dataclass(frozen=True)
class Separators:
    element: str = "*"
    component: str = ":"
    repetition: str | None = "^"
    segment: str = "~"


@dataclass(slots=True)
class Segment:
    """One segment. ``elements[0]`` is the segment id, ``elements[n]`` is element n."""

    elements: list[str]
    number: int  # 1-based position in the file
    separators: Separators
    st_number: int | None = None  # 1-based position inside its ST..SE, when inside one

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, n: int) -> str:
        """Element n ('' when absent)."""
        return self.elements[n] if n < len(self.elements) else ""

    def components(self, n: int) -> list[str]:
        """Element n split on the component separator ([] when absent)."""
        value = self.get(n)
        return value.split(self.separators.component) if value else []


@dataclass
class Transaction:
    """One ST..SE transaction set with the envelopes around it."""

    isa: Segment
    gs: Segment | None
    segments: list[Segment]  # ST .. SE inclusive (SE missing when the file is truncated)

    @property
    def st(self) -> Segment:
        return self.segments[0]

    @property
    def kind(self) -> str:
        return self.st.get(1)


@dataclass
class Document:
    """A whole file: every segment, and the transactions found in its envelopes."""

    name: str
    segments: list[Segment]
    transactions: list[Transaction] = field(default_factory=list)


def decode(data: bytes | str) -> str:
    """Text of a file: a UTF-8 BOM dropped; UTF-8 if it decodes, else Latin-1 (never fails)."""
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _isa_separators(text: str, start: int, name: str, number: int) -> tuple[Separators, int]:
    """Separators declared by the ISA at ``start``; and the index of its terminator."""
    if len(text) < start + 4:
        raise X12Error(name, number, "ISA", "the ISA segment is cut short: the file is truncated.")
    elem = text[start + 3]
    if elem.isalnum() or elem in _WHITESPACE:
        raise X12Error(name, number, "ISA",
                       f"{elem!r} cannot be the element separator: this is not an X12 file.")
    # ISA has exactly 16 elements; ISA16 is one character and the terminator follows it.
    pos = start + 3
    for _ in range(15):
        pos = text.find(elem, pos + 1)
        if pos < 0:
            raise X12Error(name, number, "ISA",
                           "the ISA segment has fewer than 16 elements: the file is damaged "
                           "or is not X12.")
    if len(text) < pos + 3:
        raise X12Error(name, number, "ISA", "the ISA segment is cut short: the file is truncated.")
    component = text[pos + 1]
    terminator = text[pos + 2]
    fields = text[start:pos + 1].split(elem)
    rep = fields[11] if len(fields) > 11 else ""
    repetition = rep if len(rep) == 1 and not rep.isalnum() and rep != " " else None
    if len({elem, component, terminator}) < 3 or terminator.isalnum() or component.isalnum():
        raise X12Error(name, number, "ISA",
                       f"the separators it declares (element {elem!r}, component {component!r}, "
                       f"segment {terminator!r}) are not distinct punctuation: the file is "
                       "damaged or is not X12.")
    return Separators(elem, component, repetition, terminator), pos + 2


_ID_CACHE: dict[str, bool] = {}


def _valid_id(seg_id: str) -> bool:
    ok = _ID_CACHE.get(seg_id)
    if ok is None:
        ok = _SEGMENT_ID.fullmatch(seg_id) is not None
        if len(_ID_CACHE) < 4096:
            _ID_CACHE[seg_id] = ok
    return ok


def iter_segments(data: bytes | str, name: str) -> Iterator[Segment]:
    """Every segment of the file, numbered; raises X12Error at the first unreadable one."""
    text = decode(data)
    n = len(text)
    pos = 0
    number = 0
    while True:
        while pos < n and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= n:
            return
        number += 1
        if not text.startswith("ISA", pos):
            head = text[pos:pos + 20].split("\n")[0]
            raise X12Error(name, None, None,
                           f"it does not start with an ISA segment (it starts {head!r}), so it "
                           "is not an X12 file.")
        seps, end = _isa_separators(text, pos, name, number)
        yield Segment(text[pos:end].split(seps.element), number, seps)
        # The rest of this interchange: split once on its terminator (fast), until the
        # next ISA, which may declare other separators. (The hot loop of an import: one
        # pass per segment, no bookkeeping but the count.)
        pieces = text[end + 1:].split(seps.segment)
        pos = n
        elem = seps.element
        valid = _ID_CACHE.get
        for i, piece in enumerate(pieces):
            raw = piece.strip(_WHITESPACE)
            if not raw:
                continue
            if raw.startswith("ISA"):
                pos = end + 1 + sum(len(p) + 1 for p in pieces[:i])
                break
            number += 1
            if "\n" in raw or "\r" in raw:  # inside a segment (between two is stripped)
                raise X12Error(name, number, None, _line_break_problem(raw, seps))
            elements = raw.split(elem)
            if not (valid(elements[0]) or _valid_id(elements[0])):
                raise X12Error(name, number, None,
                               f"{elements[0][:20]!r} is not an X12 segment id: the file is "
                               "damaged or is not X12.")
            yield Segment(elements, number, seps)


def _line_break_problem(raw: str, seps: Separators) -> str:
    """Why a segment holds a line break: each line a segment of its own (the file's segments
    end with line breaks, not the terminator its ISA declares: a new-user trial was told the
    file "was wrapped at a fixed width"), or a segment cut mid-way (wrapped)."""
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    ids = [ln.split(seps.element)[0] for ln in lines]
    if len(lines) > 1 and all(seps.element in ln and _valid_id(i) for ln, i in zip(
            lines, ids, strict=True)):
        return (f"its segments end with line breaks ({ids[0]}, {ids[1]} ...), but its ISA "
                f"header declares {seps.segment!r} as the segment terminator (the character "
                "after ISA16): the file was changed after it was made (an editor or a tool "
                "that rewrote its line ends). Get the file again as the clearinghouse sent "
                "it.")
    return (f"a line break inside segment {raw[:12]!r}: the file was wrapped at a fixed "
            "width (by a download tool or an e-mail), and X12 data holds no line break: get "
            "the file again as the clearinghouse sent it, unwrapped.")


def read_document(data: bytes | str, name: str) -> Document:
    """The file's segments grouped into transactions, envelopes checked.

    Raises X12FileError listing every envelope problem (counts, control numbers, missing
    trailers), or with the single X12Error of an unreadable file.
    """
    try:
        segments = list(iter_segments(data, name))
    except X12Error as exc:
        raise X12FileError(name, [exc]) from None
    if not segments:
        raise X12FileError(name, [X12Error(name, None, None, "the file is empty.")])
    doc = Document(name, segments)
    problems: list[X12Error] = []

    def err(seg: Segment | None, msg: str) -> None:
        problems.append(X12Error(name, seg.number if seg else None, seg.id if seg else None, msg))

    isa: Segment | None = None
    gs: Segment | None = None
    tx: Transaction | None = None
    groups_in_isa = 0
    tx_in_gs = 0
    for seg in segments:
        sid = seg.elements[0]
        if tx is not None:
            seg.st_number = len(tx.segments) + 1
            tx.segments.append(seg)
            if sid == "SE":
                count = seg.get(1)
                if not count.isdigit() or int(count) != len(tx.segments):
                    err(seg, f"SE01 says the transaction has {count!r} segments but it has "
                             f"{len(tx.segments)} (ST to SE): the file is truncated or damaged.")
                if seg.get(2) != tx.st.get(2):
                    err(seg, f"SE02 control number {seg.get(2)!r} does not match ST02 "
                             f"{tx.st.get(2)!r} (segment {tx.st.number}).")
                tx = None
            elif sid in ("ST", "GE", "IEA", "ISA", "GS"):
                err(tx.st, "this transaction has no SE trailer: the file is truncated or damaged.")
                tx.segments.pop()
                seg.st_number = None
                tx = None
            else:
                continue
            if sid == "SE":
                continue
        if sid == "ISA":
            if isa is not None:
                err(isa, "this interchange has no IEA trailer: the file is truncated or damaged.")
            if len(seg.elements) != 17:
                err(seg, f"ISA must have 16 elements, this one has {len(seg.elements) - 1}.")
            isa, gs, groups_in_isa = seg, None, 0
        elif sid == "GS":
            if isa is None:
                err(seg, "GS outside an ISA interchange.")
            if gs is not None:
                err(gs, "this functional group has no GE trailer: the file is truncated.")
            gs, tx_in_gs = seg, 0
            groups_in_isa += 1
        elif sid == "ST":
            if gs is None:
                err(seg, "ST outside a GS functional group.")
            tx_in_gs += 1
            seg.st_number = 1
            tx = Transaction(isa or seg, gs, [seg])
            doc.transactions.append(tx)
        elif sid == "GE":
            if gs is None:
                err(seg, "GE without a GS.")
            else:
                if seg.get(1) != str(tx_in_gs):
                    err(seg, f"GE01 says the group has {seg.get(1)!r} transactions but it has "
                             f"{tx_in_gs}: the file is truncated or damaged.")
                if seg.get(2) != gs.get(6):
                    err(seg, f"GE02 control number {seg.get(2)!r} does not match GS06 "
                             f"{gs.get(6)!r} (segment {gs.number}).")
            gs = None
        elif sid == "IEA":
            if isa is None:
                err(seg, "IEA without an ISA.")
            else:
                if gs is not None:
                    err(gs, "this functional group has no GE trailer: the file is truncated.")
                    gs = None
                if seg.get(1) != str(groups_in_isa):
                    err(seg, f"IEA01 says the interchange has {seg.get(1)!r} groups but it has "
                             f"{groups_in_isa}: the file is truncated or damaged.")
                if seg.get(2) != isa.get(13):
                    err(seg, f"IEA02 control number {seg.get(2)!r} does not match ISA13 "
                             f"{isa.get(13)!r} (segment {isa.number}).")
            isa = None
        else:
            err(seg, "this segment is outside any ST..SE transaction.")
    if tx is not None:
        err(tx.st, "this transaction has no SE trailer: the file is truncated.")
    if gs is not None:
        err(gs, "this functional group has no GE trailer: the file is truncated.")
    if isa is not None:
        err(isa, "this interchange has no IEA trailer: the file is truncated.")
    if problems:
        raise X12FileError(name, problems)
    return doc
