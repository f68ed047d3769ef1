"""metdash.text's checks: their fast path is exact."""

from __future__ import annotations

import sys

from metdash import text


def test_every_character_refused_is_unprintable():
    # text_problem (and the 835 parser's text fields) accept printable text without running
    # the patterns: that is right only while every character a pattern refuses is one
    # str.isprintable() rejects. A character added to a pattern that broke this would be
    # let through unseen; this fails first.
    for pattern in (text._NEVER, text._NEVER_ONE_LINE):
        leaks = [f"U+{c:04X}" for c in range(sys.maxunicode + 1)
                 if pattern.match(chr(c)) and chr(c).isprintable()]
        assert leaks == []


def test_the_fast_path_and_the_patterns_agree_on_names():
    assert text.text_problem("Rivera", "the last name", "last_name") is None
    assert text.text_problem("Müller-Łódź", "the last name", "last_name") is None
    assert "invisible character" in text.text_problem("Ri\u200bvera", "the last name", "last_name")
    assert "control character" in text.text_problem("Ri\x07vera", "the last name", "last_name")
    assert "line break" in text.text_problem("Ri\nvera", "the last name", "last_name")
    assert text.text_problem("line one\nline two", "the note", "note") is None
