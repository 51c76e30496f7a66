"""The reader's orjson path gives the records the standard decoder gives, down to each value's type.

Frames that end their line are decoded by orjson under the guards of
``ocpkit.ocpp._json``; everything else by ``json.JSONDecoder.raw_decode`` as
before. The oracle is the reader as it was (:mod:`tests.cli.legacy_pipeline`):
on Hypothesis-drawn JSON embedded in log lines, every record field must be
equal, and decoded values equal *by type* too (``1 == 1.0`` in Python, but a
draft-04 integer is not a float).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.capture import read_capture
from ocpkit.capture._types import Decoded
from tests.cli.legacy_pipeline.capture import read_capture as legacy_read_capture


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, all the way down (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
# Raw tweaks the standard decoder reads but the JSON rules (and orjson) refuse, or read apart.
_RAW = st.sampled_from(
    [
        "NaN",
        "-Infinity",
        "1e400",
        '"\\ud800"',
        '"\\udfff x"',
        "123456789012345678901",
        "1.0",
        "-0",
        "1E+2",
        '{"a":1,"a":2}',
        '"\\u00e9\\n\\t\\\\"',
        "[" * 20 + "]" * 20,
    ]
)


@st.composite
def _line(draw: st.DrawFn) -> str:
    payload = draw(_JSON)
    body = json.dumps(payload, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        body = f'{{"k":{draw(_RAW)},"v":{body}}}'
    frame = f'[2,"m{draw(st.integers(0, 9))}","DataTransfer",{{"vendorId":"v","data":{body}}}]'
    prefix = draw(st.sampled_from(["", "2026-03-02 10:00:00,001 - ocpp - INFO - CP1: send ", "recv: "]))
    suffix = draw(st.sampled_from(["", " ", "\t", "  \t ", " trailing", "\u00a0"]))
    return prefix + frame + suffix


@settings(max_examples=400)
@given(st.lists(_line(), min_size=1, max_size=8))
def test_orjson_path_records_equal_the_standard_decoders(lines: list[str]) -> None:
    new = list(read_capture(lines))
    old = list(legacy_read_capture(lines))
    assert len(new) == len(old)
    for n, o in zip(new, old, strict=True):
        before = dataclasses.astuple(o)  # the old record is a dataclass, its timestamp too
        assert tuple(n[:4]) + tuple(n[5:]) == before[:4] + before[5:]
        assert same(n.value, o.value), (n.raw, n.value, o.value)
        if type(n) is Decoded:
            # The mark promises the JSON rules' value: orjson's, with no integer it would round.
            assert n.kind != "unparsed" and same(n.value, json.loads(n.raw))


def test_frames_the_rules_refuse_are_not_marked() -> None:
    lines = [
        'send [2,"a","DataTransfer",{"vendorId":"v","data":NaN}]',
        'send [2,"b","DataTransfer",{"vendorId":"v","data":"\\ud800"}]',
        'send [2,"c","DataTransfer",{"vendorId":"v","data":123456789012345678901234}]',
        'send [2,"d","DataTransfer",{"vendorId":"v","data":1}] and more',
        'send [2,"e","DataTransfer",{"vendorId":"v","data":1}]',
    ]
    frames = list(read_capture(lines))
    assert [type(f) is Decoded for f in frames] == [False, False, False, False, True]
    assert frames[2].value[3]["data"] == 123456789012345678901234
    assert repr(frames[4]).startswith("CapturedFrame(")
