"""The fast lanes alone never accept what the exact checker refuses; check_frames equals check_frame.

Each fast lane (the struct lane of msgspec types, the jsonschema-rs verdict) is
run on its own over every frame of a seeded corpus slice
(``OCPKIT_LANE_FRAMES`` per version, 3000 by default; the full run of 100k per
version is ``python -m tests.ocpp.corpus``), and every frame a lane accepts
must be accepted by the exact checker alone, decoded by the exact decoder. The
struct lane's two formats are compared with the exact checker's tests
directly, on the corpus' edge cases and on Hypothesis strings.
"""

from __future__ import annotations

import json
import os
import pickle
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.ocpp import _json
from ocpkit.ocpp.rpc import Call
from ocpkit.ocpp.validation import (
    FrameReport,
    _check_slow,
    _fast,
    _struct_valid,
    _structs,
    check_frame,
    check_frames,
)
from ocpkit.ocpp.validation._exact import is_date_time, is_uri
from tests.ocpp.corpus import DATE_TIME_INVALID, DATE_TIME_VALID, URI_INVALID, URI_VALID, generate

FRAMES = int(os.environ.get("OCPKIT_LANE_FRAMES", "3000"))
needs_msgspec = pytest.mark.skipif(not _structs.HAVE_MSGSPEC, reason="msgspec not installed")


def exact_verdict(raw: bytes, version: str, action: str | None) -> bool:
    """The exact checker alone: the exact decoder, the frame rules, the exact schema walk."""
    try:
        msg = _json.decode_exact(raw)
    except _json.JsonError:
        return False
    return _check_slow(msg, version, action, None, True, True).ok


def lane_verdicts(raw: bytes, version: str, action: str | None) -> dict[str, bool]:
    """What each fast lane says on its own (True: valid for sure)."""
    lane = _fast.LANES[version]
    out = {"structs": False, "rs": False}
    if lane.structs and (len(raw) <= 1024 or _json.shallow(raw)):
        out["structs"] = _struct_valid(lane, raw, action)
    try:
        msg = _fast.LANES[version].loads(raw) if lane.loads is not None else None  # type: ignore[misc]
    except ValueError:
        msg = None
    if type(msg) is list and _json.shallow(raw):
        quick = None
        if len(msg) == 4 and msg[0] == 2 and type(msg[0]) is int and type(msg[2]) is str:
            quick = lane.calls[msg[2]]
            payload: Any = msg[3]
        elif len(msg) == 3 and msg[0] == 3 and type(msg[0]) is int and action is not None:
            quick = lane.results[action]
            payload = msg[2]
        if quick is not None and type(payload) is dict and type(msg[1]) is str and len(msg[1]) <= 36:
            try:
                out["rs"] = bool(quick(payload))
            except Exception:
                out["rs"] = False
    return out


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_each_fast_lane_alone_never_accepts_what_the_exact_checker_refuses(
    version: str, shared: Path
) -> None:
    accepted = {"structs": 0, "rs": 0}
    wrong: list[tuple[str, bytes, str | None]] = []
    for raw, action, _kind in generate(shared, version, FRAMES, seed=11):
        said = lane_verdicts(raw, version, action)
        if not any(said.values()):
            continue
        exact = exact_verdict(raw, version, action)
        for lane, ok in said.items():
            if ok:
                accepted[lane] += 1
                if not exact:
                    wrong.append((lane, raw[:200], action))
    assert wrong == []
    # Not a vacuous pass: each lane judges most of the traffic on its own.
    if _structs.HAVE_MSGSPEC:
        assert accepted["structs"] > FRAMES * 0.4, accepted
    if _fast.HAVE_FAST_ENGINE:
        assert accepted["rs"] > FRAMES * 0.4, accepted


@needs_msgspec
def test_the_harness_catches_a_lax_struct_lane(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A struct lane whose date-time pattern accepts anything is caught by the same comparison."""
    monkeypatch.setattr(_structs, "DATE_TIME_PATTERN", ".*")
    monkeypatch.setattr(_fast, "_STRUCTS", {})
    monkeypatch.setattr(_fast, "LANES", _fast._Lanes())
    raw = b'[3,"m",{"currentTime":"2016-12-31T23:59:60Z"}]'
    assert lane_verdicts(raw, "1.6", "Heartbeat")["structs"]
    assert not exact_verdict(raw, "1.6", "Heartbeat")


@needs_msgspec
@pytest.mark.parametrize("text", DATE_TIME_VALID + DATE_TIME_INVALID)
def test_date_time_pattern_is_the_exact_rule(text: str) -> None:
    assert (re.search(_structs.DATE_TIME_PATTERN, text) is not None) == is_date_time(text)


_DIGIT = st.sampled_from("0123456789")


@st.composite
def _date_times(draw: st.DrawFn) -> str:
    """RFC 3339-like strings near the edges: every field drawn from its edge values or any digits."""

    def field(width: int, edges: list[str]) -> str:
        if draw(st.booleans()):
            return draw(st.sampled_from(edges))
        return "".join(draw(_DIGIT) for _ in range(width))

    year = field(4, ["0000", "0001", "1900", "2000", "2023", "2024", "2100", "2400", "9999"])
    month = field(2, ["00", "01", "02", "04", "09", "11", "12", "13"])
    day = field(2, ["00", "01", "28", "29", "30", "31", "32"])
    hour = field(2, ["00", "23", "24"])
    minute = field(2, ["00", "59", "60"])
    second = field(2, ["00", "59", "60", "61"])
    sep = draw(st.sampled_from(["T", "t", " ", "x"]))
    frac = draw(st.sampled_from(["", ".5", ".123456789", ".", ",5"]))
    zone = draw(st.sampled_from(["Z", "z", "+00:00", "-23:59", "+24:00", "+0200", "+02:60", "", "Z\n"]))
    return f"{year}-{month}-{day}{sep}{hour}:{minute}:{second}{frac}{zone}"


@needs_msgspec
@settings(max_examples=3000)
@given(st.one_of(_date_times(), st.text(max_size=30)))
def test_date_time_pattern_equals_the_exact_rule_on_drawn_strings(text: str) -> None:
    assert (re.search(_structs.DATE_TIME_PATTERN, text) is not None) == is_date_time(text)


@needs_msgspec
@settings(max_examples=1500)
@given(
    st.one_of(
        st.sampled_from(URI_VALID + URI_INVALID),
        st.text(alphabet="ab1:/?#[]@%!$&'()*+,;=.-_~ é", max_size=24),
    )
)
def test_uri_pattern_is_the_exact_rule(text: str) -> None:
    assert (re.search(_structs.URI_PATTERN, text) is not None) == is_uri(text)


def _format_decoder(fmt: str) -> Any:
    """A struct-lane decoder of ``{"t": <string of the format>}``, through the decoding hook."""
    import msgspec

    typ = _structs.payload_type(
        {"type": "object", "properties": {"t": {"type": "string", "format": fmt}}, "required": ["t"]}, "F"
    )
    (field,) = msgspec.structs.fields(typ)
    assert issubclass(field.type, _structs._Formatted)  # judged by the hook, not a msgspec pattern
    return msgspec.json.Decoder(typ, dec_hook=_structs._hook).decode


def _takes(decode: Any, value: Any) -> bool:
    try:
        decode(json.dumps({"t": value}))
    except Exception:
        return False
    return True


@needs_msgspec
@settings(max_examples=1500)
@given(
    st.one_of(
        _date_times(),
        st.sampled_from([*DATE_TIME_VALID, *DATE_TIME_INVALID, *URI_VALID, *URI_INVALID]),
        st.text(max_size=30),
        st.sampled_from([None, 1, 1.5, True, [], {}]),
    )
)
def test_struct_lane_formats_judged_by_the_hook_as_by_the_exact_rules(value: Any) -> None:
    """A format node decodes through the hook (no msgspec pattern), with the exact checker's verdicts."""
    for fmt, rule in (("date-time", is_date_time), ("uri", is_uri)):
        assert _takes(_format_decoder(fmt), value) == (type(value) is str and rule(value))


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_check_frames_equals_check_frame(version: str, shared: Path) -> None:
    corpus = list(generate(shared, version, 1500, seed=5))
    raws = [raw for raw, _, _ in corpus]
    actions = [action for _, action, _ in corpus]
    bulk = list(check_frames(raws, version, actions=actions))
    assert len(bulk) == len(corpus)
    for raw, action, report in zip(raws, actions, bulk, strict=True):
        one = check_frame(raw, version, action=action)
        assert (report.ok, report.unpaired, report.violations) == (one.ok, one.unpaired, one.violations)
        assert report.frame == one.frame


def test_check_frames_pairs_results_with_earlier_calls() -> None:
    lines = [
        b'[2,"a","Heartbeat",{}]',
        '[3,"a",{"currentTime":"2024-01-01T00:00:00Z"}]',
        b'[3,"b",{"currentTime":"2024-01-01T00:00:00Z"}]',
        b'[2,"c","Heartbeat",{}]',
        b'[3,"c",{"currentTime":1}]',
    ]
    reports = list(check_frames(lines, "1.6"))
    assert [r.ok for r in reports] == [True, True, True, True, False]
    assert [r.unpaired for r in reports] == [False, False, True, False, False]
    assert reports[4].violations[0].path == "/2/currentTime"


def test_check_frames_pairs_by_the_struct_lane_as_by_the_other_lanes() -> None:
    # A CALL the struct lane refuses (no connector id) is still remembered for its answer; a
    # CALLRESULT the struct lane reads is paired once (its CALL is then forgotten).
    lines = [
        b'[2,"a","StatusNotification",{"errorCode":"NoError","status":"Available"}]',
        b'[3,"a",{}]',
        b'[3,"a",{}]',
        b'[2, "b", "Heartbeat", {}]',
        b'[3, "b", {"currentTime": "2024-01-01T00:00:00Z"}]',
        b'[2,"c","Authorize",{"idTag":"x"}]',
        b'[3,"c",{"idTagInfo":{"status":"Nope"}}]',
    ]
    reports = list(check_frames(lines, "1.6"))
    assert [r.ok for r in reports] == [False, True, True, True, True, True, False]
    assert [r.unpaired for r in reports] == [False, False, True, False, False, False, False]
    assert reports[6].violations[0].path == "/2/idTagInfo/status"
    actions = [None, "StatusNotification", None, None, "Heartbeat", None, "Authorize"]
    for line, action, report in zip(lines, actions, reports, strict=True):
        one = check_frame(line, "1.6", action=action)
        assert (one.ok, one.unpaired, one.violations) == (report.ok, report.unpaired, report.violations)


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        (b'[4,"1","NotImplemented","",{}]', True),
        (b'[4,"1","NotImplemented","no such action",{"a":[1,{"b":null}]}]', True),
        (b'[4,"1","NotImplemented","",{"a":123456789012345678901234567890}]', True),
        (b'[4,"1","NotImplemented","",{"a":1e400}]', False),
        (b'[4,"1","NotImplemented","",{"a":NaN}]', False),
        (b'[4,"1","NoSuchCode","",{}]', False),
        (b'[4,"1","NotImplemented","",[]]', False),
        (b'[4,"1","NotImplemented",null,{}]', False),
        (b'[4,"1","NotImplemented","",{},1]', False),
        (b'[4,"1","NotImplemented",""]', False),
        (b'[4,"1234567890123456789012345678901234567","NotImplemented","",{}]', False),
        (b'[4,"1","NotImplemented","\\ud800",{}]', False),
        (b'[4.0,"1","NotImplemented","",{}]', False),
    ],
)
def test_callerrors_judged_by_the_struct_lane_as_by_the_exact_checker(raw: bytes, ok: bool) -> None:
    for version in ("1.6", "2.0.1", "2.1"):
        lane = _fast.LANES[version]
        assert check_frame(raw, version).ok is ok
        assert next(iter(check_frames([raw], version))).ok is ok
        if lane.structs and _struct_valid(lane, raw, None):
            assert exact_verdict(raw, version, None), raw


def test_check_frames_takes_every_input_check_frame_takes() -> None:
    lines: list[Any] = [bytearray(b'[2,"a","Heartbeat",{}]'), memoryview(b"[2,"), b"\xff", "[]"]
    assert [r.ok for r in check_frames(lines, "2.0.1", actions=[None] * 4)] == [True, False, False, False]
    with pytest.raises(Exception, match="unknown OCPP version"):
        list(check_frames([], "3.0"))


def test_struct_lane_reports_build_their_frame_by_the_exact_rules() -> None:
    big = b'[2,"a","DataTransfer",{"vendorId":"v","data":123456789012345678901234567890}]'
    report = check_frame(big, "2.0.1")
    assert report.ok
    assert report.frame is not None and report.frame.payload["data"] == 123456789012345678901234567890


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_lane_facts_from_plain_tables_equal_the_registry(version: str) -> None:
    """The lanes read senders and SEND-only actions from plain data, never from the registry."""
    from ocpkit.ocpp import actions

    for name, spec in actions(version).items():
        for type_id in (2, 6):
            expected = str(spec.sender) if (spec.response is not None) == (type_id == 2) else None
            if type_id == 6 and version != "2.1":
                expected = None
            assert _fast._sender(version, name, type_id) == expected, (name, type_id)
    assert _fast._sender(version, "NoSuchAction", 2) is None


_PROFILE = (
    '[2,"m","SetChargingProfile",{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,'
    '"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",'
    '"chargingSchedule":{"chargingRateUnit":"W","minChargingRate":MIN,'
    '"chargingSchedulePeriod":[{"startPeriod":0,"limit":LIMIT}]}}}]'
)


@needs_msgspec
@pytest.mark.parametrize(
    ("limit", "ok"),
    [
        ("22.2", True),
        ("0.3", True),
        ("5", True),
        ("1e1", True),
        ("1e-1", True),
        ("123456789012345678901234567890", True),
        ("0.25", False),
        ("22.22", False),
        ("0.30000000000000004", False),
    ],
)
def test_struct_lane_judges_multiple_of_by_the_exact_rule(limit: str, ok: bool) -> None:
    """multipleOf 0.1 on decimal texts: the struct lane says what the exact checker says, alone."""
    lane = _fast.LANES["1.6"]
    for raw in (
        _PROFILE.replace("LIMIT", limit).replace("MIN", "0.1"),
        _PROFILE.replace("LIMIT", "1").replace("MIN", limit),
    ):
        data = raw.encode()
        assert exact_verdict(data, "1.6", None) is ok
        assert _struct_valid(lane, data, None) is ok
        assert check_frame(data, "1.6").ok is ok


@needs_msgspec
def test_light_reports_are_frame_reports() -> None:
    raw = b'[2,"a","Heartbeat",{}]'
    (report,) = check_frames([raw], "1.6", actions=[None])
    one = check_frame(raw, "1.6")
    assert type(report) is not type(one)  # the light kind check_frames yields for a valid message
    assert isinstance(report, FrameReport)
    assert report.ok and report.violations == () and not report.unpaired
    assert report.frame == one.frame == Call("a", "Heartbeat", {})
    assert repr(report) == repr(one)
    again = pickle.loads(pickle.dumps(report))
    assert isinstance(again, FrameReport) and again.ok and again.frame == report.frame


def _paired_actions(lines: list[bytes]) -> list[str | None]:
    """The action each line answers when results are paired with the latest CALL of their id."""
    calls: dict[str, str] = {}
    out: list[str | None] = []
    for line in lines:
        try:
            msg = _json.decode(line)
        except _json.JsonError:
            msg = None
        answered = None
        if type(msg) is list and len(msg) >= 3 and type(msg[1]) is str and type(msg[0]) is int:
            if msg[0] == 2 and len(msg) == 4 and type(msg[2]) is str:
                calls.pop(msg[1], None)
                calls[msg[1]] = msg[2]
            elif msg[0] == 3:
                answered = calls.pop(msg[1], None)
        out.append(answered)
    return out


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_check_frames_pairing_by_id_equals_check_frame_with_the_paired_action(
    version: str, shared: Path
) -> None:
    # A conversation: each result of the corpus follows a CALL of its action with the same id.
    lines: list[bytes] = []
    for raw, action, _kind in generate(shared, version, 1500, seed=3):
        if action is not None:
            try:
                mid = _json.decode(raw)[1]
            except (_json.JsonError, TypeError, IndexError, KeyError):
                mid = None
            if type(mid) is str:
                lines.append(json.dumps([2, mid, action, {}]).encode())
        lines.append(raw)
    paired = _paired_actions(lines)
    assert sum(a is not None for a in paired) > 300  # not a vacuous pass
    reports = list(check_frames(lines, version))
    assert len(reports) == len(lines)
    for line, action, report in zip(lines, paired, reports, strict=True):
        one = check_frame(line, version, action=action)
        assert (report.ok, report.unpaired, report.violations) == (one.ok, one.unpaired, one.violations), line
