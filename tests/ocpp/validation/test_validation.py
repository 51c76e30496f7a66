"""Payload validation: all violations, error codes per version, draft rules, lenient mode, official files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.errors import PayloadInvalid, UnsupportedError
from ocpkit.ocpp import validate_payload, validation
from ocpkit.ocpp.rpc import ERROR_CODES, RULE_CODES, Call
from ocpkit.ocpp.validation import (
    KEYWORD_RULES,
    LenientResult,
    OfficialSchemaValidator,
    _fast,
    check_frame,
    check_payload,
)
from tests.ocpp import oracle


@pytest.fixture(params=["fast", "exact"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with the jsonschema-rs verdict engine and with the exact checker alone."""
    if request.param == "exact":
        monkeypatch.setattr(_fast, "_rs", None)
    elif not validation.HAVE_FAST_ENGINE:
        pytest.skip("jsonschema-rs not installed")
    monkeypatch.setattr(_fast, "_COMPILED", {})
    monkeypatch.setattr(_fast, "LANES", _fast._Lanes())
    yield request.param


BOOT_201 = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}


@pytest.mark.usefixtures("engine")
def test_five_distinct_faults_give_exactly_five_violations() -> None:
    payload = {
        "reason": "Rebooted",  # bad enum
        "chargingStation": {
            "model": "M" * 21,  # too long (maxLength 20)
            "vendorName": 7,  # wrong type
            "modem": {"iccid": "1", "imsi": "2", "colour": "red"},  # extra property
        },
        "customData": {},  # missing required vendorId
    }
    with pytest.raises(PayloadInvalid) as info:
        validate_payload("2.0.1", "BootNotification", "request", payload)
    found = {(v.path, v.keyword, v.code) for v in info.value.violations}
    assert found == {
        ("/reason", "enum", "PropertyConstraintViolation"),
        ("/chargingStation/model", "maxLength", "PropertyConstraintViolation"),
        ("/chargingStation/vendorName", "type", "TypeConstraintViolation"),
        ("/chargingStation/modem/colour", "additionalProperties", "FormatViolation"),
        ("/customData/vendorId", "required", "OccurenceConstraintViolation"),
    }
    assert len(info.value.violations) == 5
    assert info.value.action == "BootNotification" and info.value.direction == "request"
    # the oracle agrees there are faults at exactly these five places
    errors = oracle.payload_errors(_shared(), "2.0.1", "BootNotification", "request", payload)
    assert len(errors) == 5


def _shared() -> Path:
    from tests.conftest import require_shared

    return require_shared()


# One payload per keyword kind, per version, and the code each version's OCPP-J text names for it.
# The expected codes are written out from the specs' error tables, not read from ocpkit's tables.
EXPECTED_CODES = {
    "1.6": {
        "type": "TypeConstraintViolation",
        "required": "OccurenceConstraintViolation",
        "minItems": "OccurenceConstraintViolation",
        "enum": "PropertyConstraintViolation",
        "maxLength": "PropertyConstraintViolation",
        "format": "PropertyConstraintViolation",
        "multipleOf": "PropertyConstraintViolation",
        "additionalProperties": "FormationViolation",
        "json": "FormationViolation",
    },
    "2.0.1": {
        "type": "TypeConstraintViolation",
        "required": "OccurenceConstraintViolation",
        "minItems": "OccurenceConstraintViolation",
        "maxItems": "OccurenceConstraintViolation",
        "enum": "PropertyConstraintViolation",
        "maxLength": "PropertyConstraintViolation",
        "format": "PropertyConstraintViolation",
        "minimum": "PropertyConstraintViolation",
        "additionalProperties": "FormatViolation",
        "json": "FormatViolation",
    },
    "2.1": {
        "type": "TypeConstraintViolation",
        "required": "OccurrenceConstraintViolation",
        "minItems": "OccurrenceConstraintViolation",
        "maxItems": "OccurrenceConstraintViolation",
        "enum": "PropertyConstraintViolation",
        "maxLength": "PropertyConstraintViolation",
        "format": "PropertyConstraintViolation",
        "minimum": "PropertyConstraintViolation",
        "maximum": "PropertyConstraintViolation",
        "additionalProperties": "FormatViolation",
        "json": "FormatViolation",
    },
}

_SV = {"value": "1"}
_MV = {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [_SV]}
_PERIOD = {"startPeriod": 0, "limit": 0.25}
_PROFILE16 = {
    "chargingProfileId": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [_PERIOD]},
}
_EVSE = {"id": 1}
_VAR = {"component": {"name": "C"}, "variable": {"name": "V"}}
CASES: dict[str, dict[str, tuple[str, str, Any]]] = {
    "1.6": {
        "type": ("Heartbeat", "response", {"currentTime": 5}),
        "required": ("BootNotification", "request", {"chargePointVendor": "V"}),
        "minItems": ("MeterValues", "request", {"connectorId": 1, "meterValue": []}),
        "enum": ("Reset", "request", {"type": "Warm"}),
        "maxLength": ("Authorize", "request", {"idTag": "x" * 21}),
        "format": ("Heartbeat", "response", {"currentTime": "2024-01-01T00:00:00"}),
        "multipleOf": ("SetChargingProfile", "request", {"connectorId": 1, "csChargingProfiles": _PROFILE16}),
        "additionalProperties": ("Heartbeat", "request", {"x": 1}),
        "json": ("Heartbeat", "request", b"{"),
    },
    "2.0.1": {
        "type": ("Heartbeat", "response", {"currentTime": 5}),
        "required": ("BootNotification", "request", {"reason": "PowerUp"}),
        "minItems": ("GetVariables", "request", {"getVariableData": []}),
        "maxItems": (
            "NotifyEVChargingNeeds",
            "request",
            {"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "DC"}, "maxScheduleTuples": 1}
            | {"chargingNeeds": {"requestedEnergyTransfer": "DC", "x": 1}},
        ),
        "enum": ("Reset", "request", {"type": "Warm"}),
        "maxLength": ("Authorize", "request", {"idToken": {"idToken": "x" * 37, "type": "Central"}}),
        "format": ("Heartbeat", "response", {"currentTime": "2024-01-01T00:00:00"}),
        "minimum": ("GetVariables", "request", {"getVariableData": [_VAR] * 0}),
        "additionalProperties": ("Heartbeat", "request", {"x": 1}),
        "json": ("Heartbeat", "request", b"[1"),
    },
}


def _case(version: str, keyword: str, shared: Path) -> tuple[str, str, Any]:
    """Build a payload breaking exactly *keyword*, searching the official schemas where needed."""
    if version in CASES and keyword in CASES[version] and keyword not in ("maxItems", "minimum"):
        return CASES[version][keyword]
    if version == "2.1" and keyword in CASES["2.0.1"] and keyword not in ("maxItems", "minimum", "maxLength"):
        return CASES["2.0.1"][keyword]
    # maxItems / minimum / maximum: draw valid payloads from the official schemas until one has
    # a value under a node carrying the keyword, then break exactly that keyword there.
    import random

    from tests.ocpp.corpus import Gen, _set

    rnd = random.Random(keyword)
    for action in sorted(oracle.official_actions(shared, version)):
        schema = oracle.load_schema(shared, version, action, "request")
        for _ in range(5):
            gen = Gen(rnd, schema)
            payload = gen.draw(schema, ())
            for site_path, node, state in gen.sites:
                if state != "value" or not site_path or keyword not in node:
                    continue
                if keyword == "maxItems":
                    value: Any = [gen.draw(node["items"], ()) for _ in range(node["maxItems"] + 1)]
                elif keyword == "maxLength":
                    value = "x" * (node["maxLength"] + 1)
                elif keyword == "minimum":
                    value = int(node["minimum"]) - 1
                else:
                    value = int(node["maximum"]) + 1
                _set(payload, site_path, value)
                return action, "request", payload
    raise AssertionError(f"no schema found with {keyword} in {version}")


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
@pytest.mark.usefixtures("engine")
def test_error_code_mapping_table(version: str, shared: Path) -> None:
    for keyword, code in EXPECTED_CODES[version].items():
        action, direction, payload = _case(version, keyword, shared)
        violations = check_payload(version, action, direction, payload)
        mine = [v for v in violations if v.keyword == keyword]
        assert mine, (version, keyword, violations)
        assert {v.code for v in mine} == {code}, (version, keyword)
        # the table the docs read gives the same code
        assert RULE_CODES[KEYWORD_RULES[keyword]][version] == code
        assert code in ERROR_CODES[version]


def test_every_keyword_rule_has_a_code_in_every_version() -> None:
    for keyword, rule in KEYWORD_RULES.items():
        for version in ("1.6", "2.0.1", "2.1"):
            assert RULE_CODES[rule][version] in ERROR_CODES[version], (keyword, version)


@pytest.mark.usefixtures("engine")
def test_draft_rules_for_integers() -> None:
    # 1.6 core schemas are draft-04: 1.0 is not an integer.
    assert [v.keyword for v in check_payload("1.6", "Reset", "response", {"status": "Accepted"})] == []
    assert [v.keyword for v in check_payload("1.6", "UnlockConnector", "request", {"connectorId": 1.0})] == [
        "type"
    ]
    assert check_payload("1.6", "UnlockConnector", "request", b'{"connectorId": 1e0}')[0].keyword == "type"
    # 1.6 security extension (draft-06) and 2.x: 1.0 is an integer.
    assert (
        check_payload(
            "1.6",
            "GetLog",
            "request",
            {"requestId": 1.0, "logType": "DiagnosticsLog", "log": {"remoteLocation": "http://x"}},
        )
        == ()
    )
    assert check_payload("2.0.1", "ClearCache", "response", {"status": "Accepted"}) == ()
    assert check_payload("2.0.1", "CancelReservation", "request", {"reservationId": 1.0}) == ()
    assert check_payload("2.0.1", "CancelReservation", "request", b'{"reservationId": 1e2}') == ()
    assert check_payload("2.0.1", "CancelReservation", "request", {"reservationId": 1.5})[0].keyword == "type"
    assert (
        check_payload("2.0.1", "CancelReservation", "request", {"reservationId": True})[0].keyword == "type"
    )
    assert check_payload("2.0.1", "CancelReservation", "request", {"reservationId": 10**40}) == ()


@pytest.mark.usefixtures("engine")
def test_date_time_rules() -> None:
    def ok(text: str) -> bool:
        raw = json.dumps({"currentTime": text})
        verdict = check_payload("2.0.1", "Heartbeat", "response", raw) == ()
        assert verdict == (check_payload("2.0.1", "Heartbeat", "response", {"currentTime": text}) == ())
        return verdict

    assert (
        ok("2024-05-01T10:00:00Z")
        and ok("2024-05-01t10:00:00z")
        and ok("2024-05-01T10:00:00.123456789+05:30")
    )
    assert ok("2024-02-29T00:00:00-00:00")
    # markers spelled with \u escapes are still seen (the fast engine accepts leap seconds and year 0)
    for escaped in ('"2016-12-31T23:59:\\u00360Z"', '"\\u0030000-01-01T00:00:00Z"'):
        assert check_payload("2.0.1", "Heartbeat", "response", '{"currentTime":' + escaped + "}") != ()
        frame = '[3,"m",{"currentTime":' + escaped + "}]"
        assert not check_frame(frame.encode(), "2.0.1", action="Heartbeat").ok
    for bad in (
        "2016-12-31T23:59:60Z",  # leap second: refused (rule picked, see the oracle)
        "2016-12-31T22:59:60-01:00",
        "0000-01-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-05-01T10:00:00",
        "2024-05-01T10:00:00+0200",
        "2024-05-01 10:00:00Z",
        "2024-05-01T10:00:00Z\n",
        "1714557600",
    ):
        assert not ok(bad), bad


@pytest.mark.usefixtures("engine")
def test_multiple_of_is_exact() -> None:
    def limit_ok(limit: object) -> bool:
        period = {"startPeriod": 0, "limit": limit}
        profile = _PROFILE16 | {
            "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [period]}
        }
        payload = {"connectorId": 1, "csChargingProfiles": profile}
        verdict = check_payload("1.6", "SetChargingProfile", "request", payload) == ()
        # the text goes through the fast engine (when installed) with multipleOf split off
        assert verdict == (check_payload("1.6", "SetChargingProfile", "request", json.dumps(payload)) == ())
        return verdict

    for good in (22.2, 0.3, 8.1, 16, 7.0, 1e300, 0.1):
        assert limit_ok(good), good
    for bad in (0.25, 0.30000000000000004, 1e-7, 1.05):
        assert not limit_ok(bad), bad


@settings(max_examples=2000, deadline=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False)
    | st.integers()
    | st.integers(-(10**6), 10**6).map(lambda n: n / 10)
    | st.integers(-(10**6), 10**6).map(lambda n: n / 100),
    st.sampled_from([0.1, 0.01, 0.5, 0.25, 3, 1, 2.5, 1e-3, 10]),
)
def test_multiple_of_short_cut_equals_exact_rationals(value: float, step: float) -> None:
    from fractions import Fraction

    from ocpkit.ocpp.validation._exact import _exact, _multiple_test

    exact = Fraction(value) if type(value) is int else Fraction(repr(value))
    assert _exact(value) == exact
    assert _multiple_test(step)(value) == ((exact / _exact(step)).denominator == 1)


@pytest.mark.usefixtures("engine")
def test_uri_is_rfc_3986() -> None:
    def ok(location: str) -> bool:
        payload = {"location": location, "retrieveDate": "2024-01-01T00:00:00Z"}
        verdict = check_payload("1.6", "UpdateFirmware", "request", payload) == ()
        assert verdict == (check_payload("1.6", "UpdateFirmware", "request", json.dumps(payload)) == ())
        assert verdict == oracle._uri(location)
        return verdict

    for good in ("http://example.com/fw.bin", "ftp://u@h:21/d?x=1#f", "https://[::1]/a", "urn:a:b", "a:"):
        assert ok(good), good
    for bad in ("not a uri", "/relative", "http://exa mple.com", "http://x/%zz", "1a:b", "", "é:x", "a:b\n"):
        assert not ok(bad), bad


@pytest.mark.usefixtures("engine")
def test_string_length_counts_code_points() -> None:
    assert check_payload("1.6", "Authorize", "request", {"idTag": "😀" * 20}) == ()
    assert check_payload("1.6", "Authorize", "request", json.dumps({"idTag": "😀" * 20})) == ()
    assert check_payload("1.6", "Authorize", "request", {"idTag": "😀" * 21})[0].keyword == "maxLength"


def test_python_values_that_are_not_json_are_reported() -> None:
    for data in (
        {"vendorId": "v", "data": (1, 2)},
        {"vendorId": "v", "data": {1: 2}},
        {"vendorId": "v", "data": float("nan")},
        {"vendorId": "v", "data": object()},
    ):
        violations = check_payload("2.0.1", "DataTransfer", "request", data)
        assert [v.keyword for v in violations] == ["json"]
        assert violations[0].code == "FormatViolation"
    assert (
        check_payload("2.0.1", "CancelReservation", "request", {"reservationId": float("inf")})[0].keyword
        == "json"
    )


def test_validate_payload_returns_the_typed_model() -> None:
    from ocpkit.ocpp import v16, v201

    model = validate_payload("2.0.1", "BootNotification", "request", json.dumps(BOOT_201).encode())
    assert isinstance(model, v201.BootNotificationRequest)
    assert model.charging_station.vendor_name == "V"
    assert isinstance(validate_payload("1.6", "Heartbeat", "request", "{}"), v16.HeartbeatRequest)
    model = validate_payload("1.6", "Heartbeat", "response", {"currentTime": "2024-01-01T00:00:00Z"})
    assert model.model_dump(mode="json", by_alias=True, exclude_none=True) == {
        "currentTime": "2024-01-01T00:00:00Z"
    }


def test_unknown_names_are_unsupported() -> None:
    for args in (("1.5", "Heartbeat", "request"), ("1.6", "Nope", "request"), ("1.6", "Heartbeat", "reply")):
        with pytest.raises(UnsupportedError):
            validate_payload(*args, {})
        with pytest.raises(UnsupportedError):
            check_payload(*args, {})
    with pytest.raises(UnsupportedError):
        validate_payload("2.1", "NotifyPeriodicEventStream", "response", {})


def test_payload_that_is_not_an_object() -> None:
    for data in (b"[]", "1", b"\xff", "NaN", b""):
        with pytest.raises(PayloadInvalid) as info:
            validate_payload("2.1", "Heartbeat", "request", data)
        assert info.value.violations[0].code in ("FormatViolation", "TypeConstraintViolation")


# --- lenient mode ---------------------------------------------------------------------------------


def test_lenient_repairs_what_chargers_get_wrong() -> None:
    payload = {
        "connectorId": "1",  # number as string
        "meterValue": [
            {
                "timestamp": "2024-01-01T10:00:00",  # no offset
                "sampledValue": [{"value": "12", "unit": "Wh", "measurand": "Energy.Weird"}],  # unknown enum
            }
        ],
        "vendorThing": {"a": 1},  # unknown field
    }
    result = validate_payload("1.6", "MeterValues", "request", payload, lenient=True)
    assert isinstance(result, LenientResult) and not result.ok
    assert {v.keyword for v in result.violations} == {"type", "format", "enum", "additionalProperties"}
    model: Any = result.model
    assert model.connector_id == 1
    assert model.meter_value[0].timestamp.utcoffset().total_seconds() == 0
    assert model.meter_value[0].sampled_value[0].measurand == "Energy.Weird"
    assert result.extra == {"/vendorThing": {"a": 1}}
    assert len(result.repairs) == 4


def test_lenient_data_transfer_object_in_1_6() -> None:
    result = validate_payload(
        "1.6", "DataTransfer", "request", {"vendorId": "v", "data": {"k": [1, 2]}}, lenient=True
    )
    assert isinstance(result, LenientResult)
    assert [v.code for v in result.violations] == ["TypeConstraintViolation"]
    assert result.model is not None and json.loads(result.model.data) == {"k": [1, 2]}  # type: ignore[attr-defined]


def test_lenient_never_raises_on_content() -> None:
    for data in (b"", b"[1]", "NaN", {"status": 5}, {"x": object()}, b"\xff\xfe"):
        result = validate_payload("2.0.1", "ClearCache", "response", data, lenient=True)
        assert isinstance(result, LenientResult) and not result.ok
    valid = validate_payload("2.0.1", "ClearCache", "response", {"status": "Accepted"}, lenient=True)
    assert valid.ok and valid.model is not None


# --- official schema files held by the user --------------------------------------------------------


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_official_schema_validator_matches_check_payload(version: str, shared: Path) -> None:
    folder = shared / "specs" / "ocpp" / oracle.VERSION_DIRS[version]
    files = {p.name: json.loads(p.read_text("utf-8")) for p in folder.glob("*.json")}
    checker = OfficialSchemaValidator(version, files)
    samples = [
        ("Heartbeat", "response", {"currentTime": "2024-01-01T00:00:00Z"}),
        ("Heartbeat", "response", {"currentTime": "2024-01-01T00:00:00"}),
        ("Heartbeat", "request", b'{"x":1}'),
        ("Authorize", "request", {}),
        ("BootNotification", "request", BOOT_201),
    ]
    for action, direction, data in samples:
        assert checker.check(action, direction, data) == check_payload(version, action, direction, data)
    with pytest.raises(PayloadInvalid):
        checker.validate("Heartbeat", "response", {})
    with pytest.raises(UnsupportedError):
        checker.check("Nope", "request", {})
    if version == "2.1":
        assert checker.file_name("NotifyPeriodicEventStream", "request") == "NotifyPeriodicEventStream.json"


def test_check_frame_reports_paths_inside_the_frame() -> None:
    report = check_frame(b'[2,"m","Heartbeat",{"x":1}]', "2.0.1")
    assert not report.ok and report.violations[0].path == "/3/x"
    report = check_frame(b'[3,"m",{"currentTime":1}]', "2.0.1", action="Heartbeat")
    assert report.violations[0].path == "/2/currentTime"
    report = check_frame(b'[3,"m",{"currentTime":1}]', "2.0.1")
    assert report.ok and report.unpaired and report.frame is not None
    report = check_frame(b'[2,"m","Heartbeat",{}', "2.0.1")
    assert report.frame is None and report.violations[0].code == "RpcFrameworkError"
    assert check_frame('[2,"m","Heartbeat",{}]', "2.1").frame is not None
    with pytest.raises(UnsupportedError):
        check_frame(b"[]", "3.0")


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("as_text", [False, True])
def test_check_frame_frames_and_verdicts_of_every_type(as_text: bool) -> None:
    """Whatever lane a message takes, the report's frame and verdict are the parse_frame ones."""
    from ocpkit.ocpp.rpc import CallError, CallResultError, Send

    def check(raw: bytes, version: str, **kw: Any) -> Any:
        return check_frame(raw.decode() if as_text else raw, version, **kw)

    report = check(b'[4,"m","NotImplemented","",{}]', "1.6")
    assert report.ok and report.frame == CallError("m", "NotImplemented", "", {})
    assert not check(b'[4,"m","Handler not implemented","",{}]', "2.0.1").ok
    assert not check(b'[4,"m","NotImplemented","",null]', "2.0.1").ok
    from ocpkit.errors import FrameInvalid
    from ocpkit.ocpp.rpc import parse_frame

    for broken in (
        b'[4,"m","Handler not implemented",null,null]',
        b'[4,1,"NotImplemented","",{"n":%d}]' % 2**70,
    ):
        with pytest.raises(FrameInvalid) as info:
            parse_frame(broken, "2.0.1")
        assert check(broken, "2.0.1").violations == tuple(info.value.violations)
    assert check(b'[5,"m","FormatViolation","x",{}]', "2.1").frame == CallResultError(
        "m", "FormatViolation", "x", {}
    )
    assert [v.code for v in check(b'[5,"m","FormatViolation","x",{}]', "2.0.1").violations] == [
        "MessageTypeNotSupported"
    ]
    send = b'[6,"m","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2024-05-01T10:00:00Z","data":[{"t":1,"v":"x"}]}]'
    report = check(send, "2.1")
    assert report.ok, report.violations
    assert isinstance(report.frame, Send) and report.frame.action == "NotifyPeriodicEventStream"
    assert [v.code for v in check(send.replace(b"[6,", b"[2,", 1), "2.1").violations] == ["NotSupported"]
    # who sends: a CSMS never sends a Heartbeat
    assert check(b'[2,"m","Heartbeat",{}]', "1.6", sender="ChargingStation").ok
    assert [v.code for v in check(b'[2,"m","Heartbeat",{}]', "1.6", sender="CSMS").violations] == [
        "NotSupported"
    ]
    # bytes-like input takes the same path
    assert check_frame(bytearray(b'[2,"m","Heartbeat",{}]'), "1.6").ok
    assert check_frame(memoryview(b'[2,"m","Heartbeat",{"x":1}]'), "1.6").violations[0].path == "/3/x"
    with pytest.raises(UnsupportedError):
        check_frame(b"[]", ["1.6"])  # type: ignore[arg-type]


# --- formats against the oracle's reference libraries -------------------------------------------

_URI_ALPHABET = "az09:/?#[]@!$&'()*+,;=-._~%AF ve\n"
_DT_ALPHABET = "0123456789-:TtZz.+ "


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_URI_ALPHABET, max_size=24))
def test_uri_agrees_with_rfc3987(text: str) -> None:
    from ocpkit.ocpp.validation._exact import is_uri

    assert is_uri(text) == oracle._uri(text)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=_DT_ALPHABET, max_size=30)
    | st.from_regex(r"\A\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d{1,4})?([Zz]|[+-]\d\d:?\d\d)?\Z")
)
def test_date_time_agrees_with_rfc3339_validator(text: str) -> None:
    from ocpkit.ocpp.validation._exact import is_date_time

    assert is_date_time(text) == oracle._date_time(text)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=_DT_ALPHABET, max_size=30)
    | st.from_regex(r"\A\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d{1,4})?([Zz]|[+-]\d\d:?\d\d)?\Z")
)
def test_fast_engine_date_time_never_accepts_more(text: str) -> None:
    """The fast validator's date-time (its own format and the guard pattern) implies ours."""
    if not validation.HAVE_FAST_ENGINE:
        pytest.skip("jsonschema-rs not installed")
    from ocpkit.ocpp.validation._exact import is_date_time

    quick = _fast.compiled_schema("2.0.1", "Heartbeat", "response").quick
    assert quick is not None
    for candidate in (text, text.replace(":00", ":60"), "0000" + text[4:]):
        if quick({"currentTime": candidate}):
            assert is_date_time(candidate), candidate


def test_fast_engine_refuses_leap_seconds_and_year_zero() -> None:
    """jsonschema-rs alone accepts both; the guard pattern must refuse them, escaped or not."""
    if not validation.HAVE_FAST_ENGINE:
        pytest.skip("jsonschema-rs not installed")
    quick = _fast.compiled_schema("1.6", "Heartbeat", "response").quick
    assert quick is not None
    assert quick({"currentTime": "2024-05-01T10:00:00Z"})
    for bad in ("2016-12-31T23:59:60Z", "0000-01-01T00:00:00Z", "2016-12-31T23:59:60.5+01:00"):
        assert not quick({"currentTime": bad}), bad
        for raw in (
            json.dumps([3, "m", {"currentTime": bad}]),
            json.dumps([3, "m", {"currentTime": bad}]).replace("6", "\\u0036"),
        ):
            report = check_frame(raw.encode(), "1.6", action="Heartbeat")
            assert [v.keyword for v in report.violations] == ["format"], raw


@pytest.mark.usefixtures("engine")
def test_check_frame_keeps_big_integers_exact() -> None:
    big = 2**64 + 1
    report = check_frame(f'[2,"m","DataTransfer",{{"vendorId":"v","data":{big}}}]'.encode(), "2.0.1")
    assert report.ok
    assert isinstance(report.frame, Call) and report.frame.payload["data"] == big
    # draft-04 integer: an integer literal beyond 64 bits is an integer, a float literal is not
    assert check_frame(f'[2,"m","UnlockConnector",{{"connectorId":{big}}}]'.encode(), "1.6").ok
    report = check_frame(f'[2,"m","UnlockConnector",{{"connectorId":{big}.0}}]'.encode(), "1.6")
    assert [v.keyword for v in report.violations] == ["type"]
    report = check_frame(f'[3,"m",{{"currentTime":{big}}}]'.encode(), "1.6", action="Heartbeat")
    assert [v.keyword for v in report.violations] == ["type"]


def test_enum_violation_lists_every_allowed_value() -> None:
    from ocpkit.ocpp import v21

    allowed = [m.value for m in v21.enums.MeasurandEnumType]
    assert len(allowed) > 8
    (violation,) = check_payload(
        "2.1", "MeterValues", "request", _meter_values_21("Energy.Active.Import.Registr")
    )
    assert violation.keyword == "enum"
    assert all(value in violation.message for value in allowed), violation.message
    # A near miss names the close match.
    assert "did you mean 'Energy.Active.Import.Register'" in violation.message
    (violation,) = check_payload("2.1", "MeterValues", "request", _meter_values_21("Nothing like it"))
    assert "did you mean" not in violation.message


def _meter_values_21(measurand: str) -> dict[str, Any]:
    sampled = {"value": 1, "measurand": measurand}
    return {"evseId": 1, "meterValue": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [sampled]}]}


def test_enum_messages_remembered_per_text_equal_fresh_ones() -> None:
    """A wrong enum text seen again gets the message a checker seeing it first gives, past the memory's size."""
    from ocpkit.ocpp.validation._exact import _SAID, Finding, compile_schema
    from ocpkit.schemas import ocpp_schema

    schema = ocpp_schema("2.1", "MeterValues", "request")
    shared_check = compile_schema(schema)
    wrong = ["energy.active.import.register", "Voltage ", "Unknown-Value", ""] + [
        f"X{i}" for i in range(_SAID + 8)
    ]
    for text in wrong * 2 + wrong[:3]:
        payload = {
            "evseId": 1,
            "meterValue": [
                {"timestamp": "2024-05-01T10:00:00Z", "sampledValue": [{"value": 1, "measurand": text}]}
            ],
        }
        seen: list[Finding] = []
        shared_check(payload, (), seen)
        fresh: list[Finding] = []
        compile_schema(schema)(payload, (), fresh)
        assert seen == fresh
        assert [f.keyword for f in seen] == ["enum"]
        assert seen[0].message.startswith(repr(text) + " is not one of: ")
    hinted: list[Finding] = []
    compile_schema(schema)(
        {
            "evseId": 1,
            "meterValue": [
                {"timestamp": "2024-05-01T10:00:00Z", "sampledValue": [{"value": 1, "measurand": "voltage"}]}
            ],
        },
        (),
        hinted,
    )
    assert hinted[0].message.endswith("did you mean 'Voltage'?")


@pytest.mark.parametrize("draft", [4, 6])
@pytest.mark.parametrize(
    "types",
    [
        "string",
        "number",
        "integer",
        "boolean",
        "object",
        "array",
        "null",
        ["integer", "number"],
        ["string", "null"],
    ],
)
def test_type_sets_of_the_exact_checker_equal_its_type_tests(types: Any, draft: int) -> None:
    """Where the walk tests a node's type by a set of Python types, the set is the type test."""
    from ocpkit.ocpp.validation._exact import _kinds, _type_pred

    names = [types] if isinstance(types, str) else types
    preds = [_type_pred(n, draft) for n in names]
    kinds = _kinds(types, draft)
    if draft == 6 and names == ["integer"]:
        assert kinds is None  # 1.0 is a draft-06 integer: no set of types says so
        return
    assert kinds is not None
    for value in [True, False, 0, 1, 2**70, 1.0, 1.5, -0.0, "", "a", None, [], [1], {}, {"a": 1}]:
        assert (type(value) in kinds) == any(p(value) for p in preds), value
