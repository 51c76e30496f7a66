"""The host-log loop's one-pass path gives the records the general extractor gives.

The reader reads most host log lines in one pass (``ocpkit.capture._fast``) and
hands every line it is unsure of to the general extractor. The oracle here is
the general extractor alone: every line through ``LineExtractor.feed`` and the
resolver, as the reader did before the one-pass path. On Hypothesis-drawn logs
(plain and odd timestamps, every host's send/receive words, frames whole,
spaced, truncated, undecodable, with big integers, NaN, lone surrogates, deep
nesting or text after them, colour codes, headers, CRLF, bytes that are not
UTF-8) both must give the same records, field for field and of the same types,
the same hints and the same shape.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.capture import CapturedFrame, CaptureReader, CaptureSettings, _records
from ocpkit.capture._fast import _SPACES, _finish
from ocpkit.capture._lines import Lines, Prefixed
from ocpkit.capture._types import Decoded


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, all the way down (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def general(lines: Iterable[str], **options: Any) -> tuple[list[CapturedFrame], CaptureReader]:
    """Every line through the general extractor's feed() and the resolver."""
    reader = CaptureReader(lines, **options)
    source, extractor, resolver = reader._start()
    frames = list(_records(source, extractor, resolver))
    frames += _finish(extractor, resolver)
    return frames, reader


def assert_same(lines: list[str], **options: Any) -> list[CapturedFrame]:
    fast_reader = CaptureReader(list(lines), **options)
    fast = list(fast_reader)
    slow, slow_reader = general(list(lines), **options)
    assert fast_reader.shape_guess == slow_reader.shape_guess
    assert len(fast) == len(slow), (lines, fast, slow)
    for f, g in zip(fast, slow, strict=True):
        assert type(f) is type(g), (f, g)
        assert same(tuple(f), tuple(g)), (f, g)
    assert fast_reader.hints == slow_reader.hints
    return fast


_DIGITS = st.sampled_from([0, 1, 59, 60])  # few values: neighbouring lines often share a stamp
_STAMP = st.one_of(
    st.builds(
        lambda y, mo, d, sep, h, mi, s, frac, tail: (
            f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}{tail}"
        ),
        st.sampled_from([2026, 2024, 1]),
        st.sampled_from([1, 2, 3, 12, 13]),
        st.sampled_from([1, 2, 28, 30, 31]),
        st.sampled_from([" ", "T", "\t", "  ", " T"]),
        st.sampled_from([0, 9, 23, 24]),
        _DIGITS,
        _DIGITS,
        st.sampled_from(["", ",000", ".1", ".12", ",123", ".123456", ".123456789", ".1234567890", ",", "."]),
        st.sampled_from(["", " ", "Z", "z", "+02:00", "-0130", ":", "5", "\u0663", "\u00b2", "x", "["]),
    ),
    st.sampled_from(
        [
            "",
            "[12:00:00:123] ",
            "[23:59:59.999]",
            "2026/03/02 10:00:00 ",
            "\uff12\uff10\uff12\uff16-03-02 10:00:00 ",  # full-width digits: a \d to the general search
            "2026-03-02 1:00:00 ",
            "INFO 2026-03-02 10:00:00,001 ",
            "10:00:00 ",
        ]
    ),
)
_WORDS = st.one_of(
    st.sampled_from(
        [
            " - ocpp - INFO - ACME-0001: receive message ",
            " - ocpp - INFO - ACME-0001: send ",
            " - ocpp - INFO - ACME-0002: send ",
            " - ocpp - INFO - 2026-03-02: send ",
            " - ocpp - INFO - : send ",
            " - ocpp - INFO - CP 1: send ",
            "x: send ",  # the charge-point id the marker cuts starts inside the stamp
            "_CP7: receive message ",
            " DEBUG (MainThread) [custom_components.ocpp] CP2: receive message ",
            " DEBUG (MainThread) [custom_components.ocpp] CP2: send ",
            " [chargeBoxId=CB1, session=7] Sending: ",
            " recv CP3: ",
            " sent JSON message to CP3: ",
            " [msg-out] ",
            " [msg-in]  ",
            " RAW >> ",
            " RAW << ",
            " OCPP Client - CP9: send ",
            " INFO:ocpp:CP4: send ",
            " incoming ",
            " -> ",
            " ",
            "",
            "text [not a frame] then ",
            " subprotocol ocpp2.0.1 accepted; ",
        ]
    ),
    st.text(st.sampled_from(" :-[]()0123456789abcdefsendrcvRAW>"), max_size=20),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
_ACTION = st.sampled_from(
    [
        "Heartbeat",
        "BootNotification",
        "MeterValues",
        "DataTransfer",
        "Reset",
        "RemoteStartTransaction",
        "X",
        "",
    ]
)
_ID = st.sampled_from(["1", "2", "a", "00000000-2265b1f5", ""])


@st.composite
def _frame(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from([2, 3, 4, 5, 6]))
    mid = json.dumps(draw(_ID))
    payload = json.dumps(draw(_JSON), ensure_ascii=draw(st.booleans()))
    if kind in (2, 6):
        text = f"[{kind},{mid},{json.dumps(draw(_ACTION))},{payload}]"
    elif kind == 3:
        text = f"[{kind},{mid},{payload}]"
    else:
        text = f'[{kind},{mid},"GenericError","",{payload}]'
    tweak = draw(
        st.sampled_from(
            [
                "",
                "",
                "",
                "spaced",
                "truncate",
                "nan",
                "bigint",
                "surrogate",
                "deep",
                "tail",
                "double",
                "broken",
                "not-a-frame",
            ]
        )
    )
    if tweak == "spaced":
        text = text.replace(",", " , ", 1).replace("[", "[ ", 1)
    elif tweak == "truncate":
        text = text[: draw(st.integers(1, len(text)))]
    elif tweak == "nan":
        text = text[:-1] + ",NaN]"
    elif tweak == "bigint":
        text = text[:-1] + ",12345678901234567890123]"
    elif tweak == "surrogate":
        text = text[:-1] + ',"\\ud800", "\ud800"]'
    elif tweak == "deep":
        text = text[:-1] + "," + "[" * 600 + "]" * 600 + "]"
    elif tweak == "tail":
        text += draw(st.sampled_from([" ", "\t", " trailing", "]", " [2,"]))
    elif tweak == "double":
        text = text + " " + text
    elif tweak == "broken":
        text = text.replace(",", ";", 1)
    elif tweak == "not-a-frame":
        text = "[7" + text[2:]
    return text


_HEADERS = st.sampled_from(
    [
        "OCPP Version : OCPP 1.6",
        "  OCPP Version: 2.0.1",
        "System Under Test : CSMS",
        "System Under Test (SUT): CS",
        "\u3000Test Start Time : 02-03-2026 10:00:00",
        "Test Case Name : TC_001",
        "client offered subprotocol ocpp1.6",
        "",
        "[",
        "[2",
        "[2,",
        '  "idTag": "X"}]',
    ]
)


@st.composite
def _line(draw: st.DrawFn) -> str:
    header = draw(st.integers(0, 9)) == 0
    line = draw(_HEADERS) if header else draw(_STAMP) + draw(_WORDS) + draw(_frame())
    if draw(st.integers(0, 15)) == 0:
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(st.sampled_from(["\x1b[32m", "\x1b[0m"])) + line[at:]
    return line + draw(st.sampled_from(["\n", "\n", "\r\n", "", "\r", " \n", "\r\r\n"]))


_LOGS = st.lists(_line(), max_size=25)
_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "shape": st.sampled_from(["pylog", "ha", "generic", "octt", "ansi-raw"]),
        "settings": st.builds(
            CaptureSettings,
            max_frame_size=st.sampled_from([16 * 1024 * 1024, 60, 500]),
            sample_lines=st.sampled_from([200, 1, 3]),
            max_failures_per_line=st.sampled_from([32, 1]),
        ),
    },
)
CASES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CASES
@given(log=_LOGS, options=_OPTIONS)
def test_drawn_host_logs_give_the_general_extractors_records(log: list[str], options: dict[str, Any]) -> None:
    assert_same(log, **options)


@CASES
@given(log=_LOGS, cut=st.integers(0, 40), junk=st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]))
def test_bytes_that_are_not_utf8_give_the_same_records(log: list[str], cut: int, junk: bytes) -> None:
    # Lines as the command line decodes them: bad bytes become replacement characters.
    data = "".join(log).encode("utf-8", "surrogatepass")
    data = data[:cut] + junk + data[cut:]
    lines = list(Lines(Prefixed(b"", io.BytesIO(data))))
    assert_same(lines)


def test_the_common_lines_take_the_one_pass_path() -> None:
    # Decoded records from the one-pass path, and the same records as the general extractor.
    log = []
    for i in range(40):
        stamp = f"2026-03-02 10:00:{i:02d},{i:03d}"
        log.append(f'{stamp} - ocpp - INFO - CP-{i % 3}: receive message [2,"m{i}","Heartbeat",{{}}]\n')
        log.append(f'{stamp} - ocpp - INFO - CP-{i % 3}: send [3,"m{i}",{{"currentTime":"{stamp}"}}]\n')
    frames = assert_same(log)
    assert len(frames) == 80
    assert all(type(f) is Decoded for f in frames)
    calls = [f for f in frames if f.kind == "call"]
    assert {f.direction for f in calls} == {"cp->csms"}
    results = [f for f in frames if f.kind == "callresult"]
    assert all(f.action == "Heartbeat" and f.direction == "csms->cp" for f in results)
    assert frames[2].timestamp is not None and frames[2].timestamp.raw == "2026-03-02 10:00:01,001"


def test_a_stamp_a_digit_of_another_script_extends_is_read_as_the_general_search_reads_it() -> None:
    line = '2026-03-02 10:00:00,12\u0663 - ocpp - INFO - CP1: send [3,"1",{}]\n'
    (frame,) = assert_same([line])
    assert frame.timestamp is not None and frame.timestamp.raw == "2026-03-02 10:00:00,12\u0663"


def test_blanks_are_what_str_isspace_says() -> None:
    assert set(_SPACES) == {c for c in map(chr, range(0x110000)) if c.isspace()}


def test_a_charge_point_id_cut_from_inside_the_stamp_is_not_taken_from_an_earlier_line() -> None:
    # The words after the stamp are the same, but the id the marker cuts reaches into the stamp.
    log = [f'2026-03-02 10:00:0{i}x: send [3,"{i}",{{}}]\n' for i in range(3)]
    frames = assert_same(log)
    assert [f.charge_point for f in frames] == ["10:00:00x", "10:00:01x", "10:00:02x"]


def test_without_orjson_host_logs_are_read_the_general_way(monkeypatch: Any) -> None:
    monkeypatch.setattr("ocpkit.capture._extract._loads", None)
    log = [f'2026-03-02 10:00:0{i},000 - ocpp - INFO - CP1: send [3,"{i}",{{"a":1}}]\n' for i in range(3)]
    frames = assert_same(log)
    assert len(frames) == 3 and all(type(f) is CapturedFrame for f in frames)


def test_a_stamp_of_the_last_plain_layout_is_read_as_the_pattern_reads_it() -> None:
    # The one-pass path knows the layout of the last plain stamp; a stamp that only starts like it
    # (more fraction digits, a zone, another script's digit, a letter for a digit) is read anew.
    heads = [
        "2026-03-02 10:00:00,001",
        "2026-03-02 10:00:01,002",
        "2026-03-02 10:00:02,0031",
        "2026-03-02 10:00:03,004Z",
        "2026-03-02 10:00:04,00\u0663",
        "2026-03-02 10:00:05,005+01:00",
        "2026-03-02 10:00:06,0",
        "2026-03-02 10:00:07",
        "2026-03-02 10:00:08,",
        "2026-03-02 1O:00:09,009",
        "2026-03-02 10:00:10,010",
        "2026-13-02 10:00:11,011",
        "2026-03-02T10:00:12,012",
        "2026-03-02 10:00:13,123456789",
        "2026-03-02 10:00:14,1234567891",
        "\uff12026-03-02 10:00:15,015",
        "2026-03-02 10:00:16,016",
    ]
    log = []
    for i, head in enumerate(heads):
        log.append(f'{head} - ocpp - INFO - CP1: receive message [2,"m{i}","Heartbeat",{{}}]\n')
        log.append(f'{head} - ocpp - INFO - CP1: send [3,"m{i}",{{}}]\n')
        log.append(f'{head}x: send [3,"n{i}",{{}}]\n')
    frames = assert_same(log)
    assert frames[0].timestamp is not None and frames[0].timestamp.raw == heads[0]
    assert frames[30].timestamp is not None and frames[30].timestamp.raw == heads[10]
