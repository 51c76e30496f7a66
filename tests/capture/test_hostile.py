"""Hostile input: the capture reader reports, it never raises (except CaptureError for unreadable captures)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.capture import KINDS, SHAPES, CapturedFrame, CaptureSettings, read_capture

# Any code point, lone surrogates included.
ANY_CHAR = st.characters(codec=None, exclude_categories=())
PIECES = st.sampled_from(
    [
        '[2,"',
        '[3, "',
        '[4,"',
        '[5,"',
        '[6,"',
        "[",
        "]",
        "{",
        "}",
        '"',
        "\\",
        '\\"',
        "\\u",
        "\\ud800",
        ",",
        ":",
        "\n",
        "\x1b[92m",
        "\x1b[0m",
        '""',
        "send ",
        "receive message ",
        "[msg-out]  ",
        "RAW >> ",
        "2024-01-01 10:00:00.000 ",
        "[12:00:00:000] ",
        "OCPP Version : OCPP 2.1",
        "timestamp,id,action,msg",
        "'",
        "1e999",
        "NaN",
    ]
)
LINES = st.lists(st.lists(st.one_of(ANY_CHAR, PIECES), max_size=60).map("".join), max_size=40)
HOSTILE = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(frames: list[CapturedFrame], n_lines: int) -> None:
    for frame in frames:
        assert frame.kind in KINDS
        assert 1 <= frame.line <= frame.end_line <= max(n_lines, 1)
        if frame.kind == "unparsed":
            assert frame.error and frame.value is None
        else:
            assert frame.error is None and frame.value is not None


@HOSTILE
@given(lines=LINES, shape=st.sampled_from([None, *SHAPES]))
def test_random_text_never_raises(lines: list[str], shape: str | None) -> None:
    lines = [line.replace("\n", " ") for line in lines]
    check(list(read_capture(lines, shape=shape)), len(lines))


FRAMES = st.builds(
    lambda t, i, a, p: [t, i, a, p] if t in (2, 6) else [t, i, p],
    st.sampled_from([2, 3, 6]),
    st.text(max_size=8),
    st.sampled_from(["Heartbeat", "BootNotification", "Reset", "X"]),
    st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(ANY_CHAR, max_size=5)), max_size=3),
)


@HOSTILE
@given(
    frames=st.lists(FRAMES, min_size=1, max_size=8),
    prefix=st.text(st.characters(exclude_characters='["\\\n\r'), max_size=20),
    cut=st.integers(min_value=0),
    indent=st.sampled_from([None, 2]),
)
def test_every_frame_is_found_and_truncation_is_reported(
    frames: list[list[object]], prefix: str, cut: int, indent: int | None
) -> None:
    # Each frame on its own line (pretty-printed or not) after arbitrary text, one of them cut short.
    texts = [json.dumps(f, indent=indent) for f in frames]
    victim = cut % len(texts)
    whole = texts[victim]
    texts[victim] = whole[: 4 + cut % max(len(whole) - 4, 1)]
    lines: list[str] = []
    for text in texts:
        lines.extend(f"{prefix} send {text}".split("\n"))
    found = list(read_capture(lines, shape="generic"))
    check(found, len(lines))
    decoded = [f.value for f in found if f.kind != "unparsed"]
    intact = [f for i, f in enumerate(frames) if i != victim]
    # Every intact frame is found, in order; the cut one, once it shows "[<type>,", is reported
    # (or found, when only its closing bracket's trailing text was cut).
    assert [v for v in decoded if v in intact] == intact
    if texts[victim] != whole and re.match(r"\[\s*[2-6]\s*,", texts[victim]):
        assert any(f.kind == "unparsed" for f in found) or frames[victim] in decoded


@pytest.mark.parametrize("shape", [None, *SHAPES])
def test_ten_megabyte_line(shape: str | None) -> None:
    frame = '[2,"x","DataTransfer",{"data":"' + "a" * 10_000_000 + '"}]'
    for line in (frame, "junk " + frame[:-2], "[2," + '"a' * 5_000_000, "[" * 5_000_000):
        found = list(read_capture([line, '[3,"x",{}]'], shape=shape))
        check(found, 2)
    small = list(read_capture([frame], shape=shape, settings=CaptureSettings(max_frame_size=1_000_000)))
    assert small and all(f.kind == "unparsed" and len(f.raw) < 2000 for f in small)


def test_invalid_escapes_and_lone_surrogates() -> None:
    lines = [
        '[2,"a","X",{"k":"\\q"}]',
        '[2,"b","X",{"k":"\\ud800"}]',
        '[2,"c","X",{"k":"\ud800"}]',
        '[2,"d","X",{"k":"\\u12"}]',
        '[2,"e","X",{"k":"\x00"}]',
    ]
    found = list(read_capture(lines, shape="generic"))
    assert [f.kind for f in found] == ["unparsed", "call", "call", "unparsed", "unparsed"]
    assert found[1].value[3]["k"] == "\ud800"
