"""The UTC fast path of parse_rfc3339 gives what the field-by-field rule gives, value and error alike."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpkit.ocpp._rfc3339 import _RFC3339_RE, Rfc3339DateTime, _parse_match, parse_rfc3339


def _rule(text: str, *, leap_second: bool = True) -> Rfc3339DateTime:
    m = _RFC3339_RE.fullmatch(text)
    assert m is not None
    return _parse_match(m, text, leap_second)


def _outcome(parse: Callable[..., Rfc3339DateTime], text: str, leap_second: bool) -> tuple[object, ...]:
    try:
        got = parse(text, leap_second=leap_second)
    except ValueError as exc:
        return ("error", str(exc))
    return (
        "ok",
        type(got),
        got,
        got.tzinfo,
        got.utcoffset(),
        got.microsecond,
        got.rfc3339_text,
        got.isoformat(),
    )


EDGES = [
    f"{y}-{mo}-{d}{t}{h}:{mi}:{s}{f}{z}"
    for y, mo, d, t, h, mi, s, f, z in itertools.product(
        ("0000", "0001", "2024", "2026", "9999"),
        ("00", "02", "12", "13"),
        ("00", "28", "29", "30", "31", "32"),
        ("T", "t"),
        ("00", "23", "24", "99"),
        ("00", "59", "60"),
        ("00", "59", "60", "61"),
        ("", ".5", ".123456", ".1234569", ".9999999", ".000000000000000000001"),
        ("Z", "z", "+00:00", "-00:00", "+23:59", "+24:00", "-05:30", "+01:60"),
    )
    if (h, mi, y) in {("00", "00", "2026"), ("23", "59", "2024"), ("24", "00", "2026"), ("99", "60", "0000")}
    or (mo, d) == ("02", "29")
]


@pytest.mark.parametrize("leap_second", [True, False])
def test_fast_path_matches_the_rule_on_edges(leap_second: bool) -> None:
    assert len(EDGES) > 1000
    for text in EDGES:
        assert _outcome(parse_rfc3339, text, leap_second) == _outcome(_rule, text, leap_second), text


@given(
    st.datetimes(),
    st.sampled_from(["", ".5", ".25", ".123456", ".1234567"]),
    st.sampled_from(["Z", "z", "+00:00"]),
)
def test_fast_path_matches_the_rule_on_any_time(moment: datetime, fraction: str, zone: str) -> None:
    text = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}{fraction}{zone}"
    for leap_second in (True, False):
        assert _outcome(parse_rfc3339, text, leap_second) == _outcome(_rule, text, leap_second), text
