"""Hostile input: parse_frame, check_frame and validate_payload end in an ocpkit error or a result.

Bounded time and memory are not asserted with timers (no timing assertions in
tests); the inputs below are the ones that would hang or blow the stack in a
naive implementation, so finishing at all is the check, together with the
type of the outcome.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.errors import FrameInvalid, OcpkitError, PayloadInvalid
from ocpkit.ocpp import parse_frame, validate_payload
from ocpkit.ocpp.validation import FrameReport, LenientResult, check_frame, check_payload

VERSIONS = ("1.6", "2.0.1", "2.1")
ACTIONS = ("BootNotification", "MeterValues", "DataTransfer", "Heartbeat", "Authorize")


def _exercise(raw: bytes | str) -> None:
    for version in VERSIONS:
        try:
            parse_frame(raw, version)
        except FrameInvalid as exc:
            assert exc.violations and all(v.code for v in exc.violations)
        report = check_frame(raw, version, action="Heartbeat")
        assert isinstance(report, FrameReport)
        assert report.ok or report.violations
        for action in ACTIONS:
            try:
                validate_payload(version, action, "request", raw)
            except PayloadInvalid as exc:
                assert exc.violations
            result = validate_payload(version, action, "request", raw, lenient=True)
            assert isinstance(result, LenientResult)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    _exercise(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text(raw: str) -> None:
    _exercise(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(type_id=st.integers(0, 7) | json_values, mid=json_values, rest=st.lists(json_values, max_size=4))
def test_arbitrary_json_arrays(type_id: Any, mid: Any, rest: list[Any]) -> None:
    raw = json.dumps([type_id, mid, *rest])
    _exercise(raw)
    _exercise(raw.encode())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payload=st.dictionaries(st.sampled_from(["idTag", "connectorId", "meterValue", "data", "x"]), json_values)
)
def test_arbitrary_payload_objects(payload: dict[str, Any]) -> None:
    for version in VERSIONS:
        for action in ACTIONS:
            violations = check_payload(version, action, "request", payload)
            assert all(v.code for v in violations)
            result = validate_payload(version, action, "request", payload, lenient=True)
            assert result.ok == (violations == ())


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b"{" * 100_000,
        b'[2,"m","DataTransfer",{"vendorId":"v","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
        b'[2,"m","DataTransfer",{"vendorId":"v","data":' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}]",
        b'[2,"m","MeterValues",{"connectorId":1e400,"meterValue":[]}]',
        b'[2,"m","MeterValues",{"connectorId":' + b"9" * 1001 + b',"meterValue":[]}]',
        b'[2,"m","MeterValues",{"connectorId":' + b"9" * 5000 + b',"meterValue":[]}]',
        b'[2,"m","MeterValues",{"connectorId":1' + b"0" * 400 + b'.5e-10,"meterValue":[]}]',
        b'[2,"m\xff","Heartbeat",{}]',
        b'[2,"m","Heartbeat",{"\xed\xa0\x80":1}]',
        b"\xef\xbb\xbf[2]",
        b'[2,"m","Authorize",{"idTag":"' + b"x" * 50_000_000 + b'"}]',
        b'[2,"m","DataTransfer",{"vendorId":"v","data":"' + b"[" * 10_000_000 + b'"}]',
    ],
    ids=[
        "nested-arrays",
        "unclosed-objects",
        "deep-data",
        "deep-objects",
        "1e400",
        "1001-digit-int",
        "5000-digit-int",
        "long-fraction",
        "invalid-utf8-id",
        "surrogate-key",
        "bom",
        "50MB-string",
        "brackets-in-string",
    ],
)
def test_hostile_frames(raw: bytes) -> None:
    for version in VERSIONS:
        report = check_frame(raw, version)
        assert isinstance(report, FrameReport)
        try:
            frame = parse_frame(raw, version)
        except OcpkitError as exc:
            assert isinstance(exc, FrameInvalid)
        else:
            assert frame.message_id == "m"
    # payload-level entry points, given the payload text alone
    start = raw.find(b"{", 4)
    if start > 0:
        payload = raw[start:-1]
        for version in VERSIONS:
            assert isinstance(check_payload(version, "DataTransfer", "request", payload), tuple)
            result = validate_payload(version, "Authorize", "request", payload, lenient=True)
            assert isinstance(result, LenientResult)


def test_50mb_string_is_judged_not_just_survived() -> None:
    big = "x" * 50_000_000
    violations = check_payload("1.6", "Authorize", "request", '{"idTag":"' + big + '"}')
    assert [v.keyword for v in violations] == ["maxLength"]
    report = check_frame('[2,"m","DataTransfer",{"vendorId":"v","data":"' + big + '"}]', "2.0.1")
    assert report.ok
