"""The tokenizer: separators from ISA, whitespace, BOM, envelopes; every error message."""

from __future__ import annotations

import pytest

from metdash.errors import X12FileError
from metdash.x12.reader import iter_segments, read_document

from .helpers import Claim, build_835


def _good(**kw) -> str:
    return build_835([Claim("C1", "1", "100", "80", cas=[("CO", "45", "20")])], **kw)


def _problems(text: str | bytes, name: str = "f.835") -> list[str]:
    with pytest.raises(X12FileError) as info:
        read_document(text, name)
    return info.value.messages()


def test_separators_come_from_isa():
    text = _good(sep="|", term="!", comp="^", newline="")
    doc = read_document(text, "odd.835")
    clp = next(s for s in doc.segments if s.id == "CLP")
    assert clp.elements[:5] == ["CLP", "C1", "1", "100", "80"]
    assert doc.segments[0].separators.element == "|"
    assert doc.segments[0].separators.segment == "!"
    assert doc.segments[0].separators.component == "^"


@pytest.mark.parametrize("newline", ["", "\n", "\r\n", "\r", "\n   "])
def test_whitespace_between_segments_is_ignored(newline):
    doc = read_document(_good(newline=newline), "ws.835")
    assert [s.id for s in doc.segments[:3]] == ["ISA", "GS", "ST"]
    assert doc.segments[-1].id == "IEA"
    assert len(doc.transactions) == 1


def test_bom_is_dropped():
    doc = read_document(b"\xef\xbb\xbf" + _good().encode(), "bom.835")
    assert doc.segments[0].id == "ISA"


def test_several_interchanges_with_their_own_separators():
    text = _good(trace="T1") + _good(trace="T2", sep="|", term="!", comp="^")
    doc = read_document(text, "two.835")
    assert len(doc.transactions) == 2
    assert [t.segments[2].get(2) for t in doc.transactions] == ["T1", "T2"]


def test_segment_numbers_in_file_and_in_transaction():
    doc = read_document(_good(), "n.835")
    st = doc.transactions[0].segments
    assert [s.number for s in doc.segments] == list(range(1, len(doc.segments) + 1))
    assert st[0].id == "ST" and st[0].number == 3 and st[0].st_number == 1
    assert st[-1].id == "SE" and st[-1].st_number == len(st)


def test_repetition_separator_from_isa11():
    seg = next(iter_segments(_good(), "r.835"))
    assert seg.separators.repetition == "^"


def test_each_envelope_error_is_named():
    good = _good()
    se = next(s for s in read_document(good, "x").segments if s.id == "SE")
    count = se.get(1)
    cases = {
        good.replace(f"SE*{count}*0001", f"SE*{int(count) - 1}*0001"):
            f"SE01 says the transaction has '{int(count) - 1}' segments but it has {count}",
        good.replace(f"SE*{count}*0001", f"SE*{count}*0002"):
            "SE02 control number '0002' does not match ST02 '0001' (segment 3).",
        good.replace("GE*1*42", "GE*2*42"): "GE01 says the group has '2' transactions but it has 1",
        good.replace("GE*1*42", "GE*1*43"): "GE02 control number '43' does not match GS06 '42'",
        good.replace("IEA*1*000000042", "IEA*3*000000042"):
            "IEA01 says the interchange has '3' groups but it has 1",
        good.replace("IEA*1*000000042", "IEA*1*000000041"):
            "IEA02 control number '000000041' does not match ISA13 '000000042' (segment 1).",
    }
    for text, expected in cases.items():
        msgs = _problems(text)
        assert len(msgs) == 1, msgs
        assert expected in msgs[0]
        assert msgs[0].startswith("f.835, segment ")


def test_truncated_file_is_named():
    good = _good()
    cut = good[: good.index("SE*")]
    msgs = _problems(cut, "cut.835")
    assert "cut.835, segment 3 (ST): this transaction has no SE trailer: the file is truncated." \
        in msgs
    assert any("(GS): this functional group has no GE trailer" in m for m in msgs)
    assert any("(ISA): this interchange has no IEA trailer" in m for m in msgs)


@pytest.mark.parametrize("data, expected", [
    (b"", "e.835: the file is empty."),
    (b"hello world", "e.835: it does not start with an ISA segment (it starts 'hello world'), "
                     "so it is not an X12 file."),
    (b"ISA", "e.835, segment 1 (ISA): the ISA segment is cut short: the file is truncated."),
    (b"ISA*00*", "e.835, segment 1 (ISA): the ISA segment has fewer than 16 elements: the file "
                 "is damaged or is not X12."),
])
def test_not_x12(data, expected):
    assert _problems(data, "e.835") == [expected]


def test_bad_segment_id():
    text = _good().replace("TRN*", "tr n*")
    msgs = _problems(text, "b.835")
    assert msgs == ["b.835, segment 5: 'tr n' is not an X12 segment id: the file is damaged or "
                    "is not X12."]


def test_a_file_whose_segments_end_with_line_breaks_not_its_terminator_says_so():
    """The ISA declares '~' but every segment after it ends with a line break (an editor
    rewrote them): said as such, not as a file wrapped at a fixed width (a new-user trial)."""
    text = _good(newline="")
    isa, rest = text.split("~", 1)
    rewritten = isa + "~" + rest.replace("~", "\n")
    problems = _problems(rewritten, "lines.835")
    assert problems == [
        "lines.835, segment 2: its segments end with line breaks (GS, ST ...), but its ISA "
        "header declares '~' as the segment terminator (the character after ISA16): the file "
        "was changed after it was made (an editor or a tool that rewrote its line ends). Get "
        "the file again as the clearinghouse sent it."]


def test_a_file_wrapped_at_80_characters_says_so():
    """A file cut into 80-character lines (a download tool's or an e-mail's): a line break
    inside a segment, where X12 data holds none. Said as such, not as a damaged segment id
    or a control number mismatch (a trial saw "'D\\nTM' is not an X12 segment id")."""
    text = _good(newline="")
    wrapped = "\n".join(text[i:i + 80] for i in range(0, len(text), 80))
    problems = _problems(wrapped, "wrapped.835")
    assert len(problems) == 1
    assert problems[0].startswith("wrapped.835, segment 2: a line break inside segment "
                                  "'GS*HP*")
    assert "wrapped at a fixed width" in problems[0]
