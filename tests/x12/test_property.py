"""Any bytes give a parse or our own clear error, never a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metdash.errors import X12Error, X12FileError
from metdash.x12.parse835 import parse_835

from .helpers import Claim, Line, build_835

GOOD = build_835([Claim("C1", "1", "100", "80", cas=[("CO", "45", "20")],
                        lines=[Line("97110", "100", "80", cas=[("CO", "45", "20")])])],
                 plb=[("L6", "-1")]).encode()


def _check(data: bytes) -> None:
    try:
        parse_835(data, "fuzz.835")
    except X12FileError as exc:
        assert exc.problems
        for p in exc.problems:
            assert isinstance(p, X12Error)
            text = str(p)
            assert text.startswith("fuzz.835") and "Traceback" not in text
            assert "None" not in text.replace("fuzz.835", "")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes(data):
    _check(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_after_an_isa(data):
    _check(GOOD[:106] + data)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, len(GOOD) - 1), st.integers(1, 40), st.binary(min_size=0, max_size=8))
def test_damaged_good_file(pos, length, patch):
    _check(GOOD[:pos] + patch + GOOD[pos + length:])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(GOOD)))
def test_truncated_good_file(cut):
    _check(GOOD[:cut])
