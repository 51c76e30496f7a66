"""Each JSON Schema rule is enforced by the models exactly as the official schemas mean it.

Every expectation here is cross-checked against the oracle (jsonschema with the
file's own draft, formats checked, exact multipleOf), so the tests pin the
agreement rather than a hand-picked verdict.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ocpkit.ocpp import v16, v21, v201
from tests.ocpp import oracle

BOOT_201: dict[str, Any] = {
    "reason": "PowerUp",
    "chargingStation": {"model": "M1", "vendorName": "V"},
}
HEARTBEAT_16_RESPONSE: dict[str, Any] = {"currentTime": "2024-05-01T10:00:00Z"}
START_16: dict[str, Any] = {
    "connectorId": 1,
    "idTag": "ABC",
    "meterStart": 0,
    "timestamp": "2024-05-01T10:00:00Z",
}
PERIOD_16: dict[str, Any] = {"startPeriod": 0, "limit": 16}
SET_PROFILE_16: dict[str, Any] = {
    "connectorId": 1,
    "csChargingProfiles": {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [PERIOD_16]},
    },
}


def _official(shared: Path, version_dir: str, name: str) -> Path:
    return shared / "specs" / "ocpp" / version_dir / name


def _verdicts(model: type[Any], path: Path, instance: Any) -> tuple[bool, bool]:
    try:
        model.model_validate(instance)
        accepted = True
    except ValidationError:
        accepted = False
    return accepted, oracle.is_valid(path, instance)


def _with(base: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    *parents, last = pointer.strip("/").split("/")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[last] = value
    return doc


def _limit(value: Any) -> dict[str, Any]:
    return _with(SET_PROFILE_16, "/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit", value)


CASES = [
    # (label, model, official file, instance, expected verdict)
    (
        "1.6 integer as string",
        v16.StartTransactionRequest,
        ("v16", "StartTransaction.json"),
        _with(START_16, "/meterStart", "5"),
        False,
    ),
    (
        "1.6 integer as bool",
        v16.StartTransactionRequest,
        ("v16", "StartTransaction.json"),
        _with(START_16, "/meterStart", True),
        False,
    ),
    (
        "1.6 core integer written 1.0 (draft-04)",
        v16.StartTransactionRequest,
        ("v16", "StartTransaction.json"),
        _with(START_16, "/meterStart", 1.0),
        False,
    ),
    (
        "1.6 core integer 1.5",
        v16.StartTransactionRequest,
        ("v16", "StartTransaction.json"),
        _with(START_16, "/meterStart", 1.5),
        False,
    ),
    ("1.6 plain integer", v16.StartTransactionRequest, ("v16", "StartTransaction.json"), START_16, True),
    (
        "2.0.1 integer written 1.0 (draft-06)",
        v201.GetLogRequest,
        ("v201", "GetLogRequest.json"),
        {"logType": "DiagnosticsLog", "requestId": 1.0, "log": {"remoteLocation": "ftp://x"}},
        True,
    ),
    (
        "2.0.1 integer as bool",
        v201.GetLogRequest,
        ("v201", "GetLogRequest.json"),
        {"logType": "DiagnosticsLog", "requestId": False, "log": {"remoteLocation": "ftp://x"}},
        False,
    ),
    (
        "1.6 security extension integer written 2.0 (draft-06)",
        v16.GetLogRequest,
        ("v16", "GetLog.json"),
        {"logType": "DiagnosticsLog", "requestId": 2.0, "log": {"remoteLocation": "ftp://x"}},
        True,
    ),
    (
        "1.6 limit 22.2 is a multiple of 0.1",
        v16.SetChargingProfileRequest,
        ("v16", "SetChargingProfile.json"),
        _limit(22.2),
        True,
    ),
    ("1.6 limit 0.3", v16.SetChargingProfileRequest, ("v16", "SetChargingProfile.json"), _limit(0.3), True),
    ("1.6 limit 8.1", v16.SetChargingProfileRequest, ("v16", "SetChargingProfile.json"), _limit(8.1), True),
    (
        "1.6 limit 0.25 is not",
        v16.SetChargingProfileRequest,
        ("v16", "SetChargingProfile.json"),
        _limit(0.25),
        False,
    ),
    (
        "1.6 limit as string",
        v16.SetChargingProfileRequest,
        ("v16", "SetChargingProfile.json"),
        _limit("16"),
        False,
    ),
    (
        "1.6 limit as bool",
        v16.SetChargingProfileRequest,
        ("v16", "SetChargingProfile.json"),
        _limit(True),
        False,
    ),
    (
        "extra property",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        {**BOOT_201, "firmware": "1"},
        False,
    ),
    (
        "extra property in a nested object",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        _with(BOOT_201, "/chargingStation/colour", "red"),
        False,
    ),
    (
        "customData admits extra keys",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        {**BOOT_201, "customData": {"vendorId": "X", "anything": [1, {"a": None}]}},
        True,
    ),
    (
        "customData still needs vendorId",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        {**BOOT_201, "customData": {"other": 1}},
        False,
    ),
    (
        "null for an optional property",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        _with(BOOT_201, "/chargingStation/serialNumber", None),
        False,
    ),
    (
        "null for a required property",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        {**BOOT_201, "reason": None},
        False,
    ),
    (
        "string at maxLength",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        _with(BOOT_201, "/chargingStation/model", "é" * 20),
        True,
    ),
    (
        "string over maxLength",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        _with(BOOT_201, "/chargingStation/model", "M" * 21),
        False,
    ),
    (
        "astral characters count as one",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        _with(BOOT_201, "/chargingStation/model", "\U0001f50c" * 20),
        True,
    ),
    (
        "unknown enum value",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        {**BOOT_201, "reason": "powerup"},
        False,
    ),
    (
        "missing required property",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        {"reason": "PowerUp"},
        False,
    ),
    (
        "date-time with +0200 offset",
        v16.HeartbeatResponse,
        ("v16", "HeartbeatResponse.json"),
        {"currentTime": "2024-05-01T10:00:00+0200"},
        False,
    ),
    (
        "date-time with a space",
        v16.HeartbeatResponse,
        ("v16", "HeartbeatResponse.json"),
        {"currentTime": "2024-05-01 10:00:00Z"},
        False,
    ),
    (
        "date-time as Unix time text",
        v16.HeartbeatResponse,
        ("v16", "HeartbeatResponse.json"),
        {"currentTime": "1714557600"},
        False,
    ),
    (
        "date-time as number",
        v16.HeartbeatResponse,
        ("v16", "HeartbeatResponse.json"),
        {"currentTime": 1714557600},
        False,
    ),
    (
        "date-time RFC 3339",
        v16.HeartbeatResponse,
        ("v16", "HeartbeatResponse.json"),
        {"currentTime": "2024-05-01T10:00:00.5-03:30"},
        True,
    ),
    (
        "uri",
        v16.GetDiagnosticsRequest,
        ("v16", "GetDiagnostics.json"),
        {"location": "ftp://user@example.com:21/logs?x=1#f"},
        True,
    ),
    (
        "uri without scheme",
        v16.GetDiagnosticsRequest,
        ("v16", "GetDiagnostics.json"),
        {"location": "example.com/logs"},
        False,
    ),
    (
        "uri with a space",
        v16.GetDiagnosticsRequest,
        ("v16", "GetDiagnostics.json"),
        {"location": "http://example.com/a b"},
        False,
    ),
    (
        "uri with IPv6 host",
        v16.UpdateFirmwareRequest,
        ("v16", "UpdateFirmware.json"),
        {"location": "http://[2001:db8::1]/fw", "retrieveDate": "2024-05-01T10:00:00Z"},
        True,
    ),
    (
        "uri with bad IPv6 host",
        v16.UpdateFirmwareRequest,
        ("v16", "UpdateFirmware.json"),
        {"location": "http://[2001:db8::zz]/fw", "retrieveDate": "2024-05-01T10:00:00Z"},
        False,
    ),
    (
        "minItems",
        v16.MeterValuesRequest,
        ("v16", "MeterValues.json"),
        {"connectorId": 1, "meterValue": []},
        False,
    ),
    (
        "2.1 minimum 0 on an integer",
        v21.GetLogRequest,
        ("v21", "GetLogRequest.json"),
        {"logType": "DiagnosticsLog", "requestId": 1, "retries": -1, "log": {"remoteLocation": "x"}},
        False,
    ),
    (
        "2.x DataTransfer data admits an object",
        v201.DataTransferRequest,
        ("v201", "DataTransferRequest.json"),
        {"vendorId": "V", "data": {"a": [1, None]}},
        True,
    ),
    (
        "2.x DataTransfer data admits null",
        v201.DataTransferRequest,
        ("v201", "DataTransferRequest.json"),
        {"vendorId": "V", "data": None},
        True,
    ),
    (
        "1.6 DataTransfer data is a string",
        v16.DataTransferRequest,
        ("v16", "DataTransfer.json"),
        {"vendorId": "V", "data": {"a": 1}},
        False,
    ),
    (
        "a list is not an object",
        v201.BootNotificationRequest,
        ("v201", "BootNotificationRequest.json"),
        [BOOT_201],
        False,
    ),
]


@pytest.mark.parametrize(
    ("label", "model", "where", "instance", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_model_verdict_equals_oracle(
    shared: Path, label: str, model: type[Any], where: tuple[str, str], instance: Any, expected: bool
) -> None:
    accepted, official = _verdicts(model, _official(shared, *where), instance)
    assert official is expected, "the expectation itself disagrees with the official schema"
    assert accepted is expected


def test_round_trip_keeps_wire_form() -> None:
    cases: list[tuple[type[Any], dict[str, Any]]] = [
        (v16.SetChargingProfileRequest, _limit(22.2)),
        (v16.SetChargingProfileRequest, _limit(16)),
        (v201.BootNotificationRequest, {**BOOT_201, "customData": {"vendorId": "X", "k": None}}),
        (v201.DataTransferRequest, {"vendorId": "V", "data": None}),
        (v16.HeartbeatResponse, {"currentTime": "2024-05-01t10:00:00.123456789+01:00"}),
    ]
    for model, instance in cases:
        dumped = model.model_validate(instance).model_dump(mode="json", by_alias=True, exclude_none=True)
        assert dumped == instance
        assert [type(v) for v in _leaves(dumped)] == [type(v) for v in _leaves(instance)]


def _leaves(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [leaf for key in sorted(node) for leaf in _leaves(node[key])]
    if isinstance(node, list):
        return [leaf for item in node for leaf in _leaves(item)]
    return [node]


def test_limit_is_exact_decimal() -> None:
    period = v16.SetChargingProfileRequest.model_validate(_limit(22.2)).cs_charging_profiles
    limit = period.charging_schedule.charging_schedule_period[0].limit
    assert limit == Decimal("22.2")
    assert isinstance(limit, Decimal)


def test_draft06_integral_float_becomes_int() -> None:
    request = v201.GetLogRequest.model_validate(
        {"logType": "DiagnosticsLog", "requestId": 7.0, "log": {"remoteLocation": "x"}}
    )
    assert request.request_id == 7
    assert type(request.request_id) is int


def test_wire_and_attribute_names_are_both_accepted() -> None:
    by_wire = v201.BootNotificationRequest.model_validate(BOOT_201)
    by_attr = v201.BootNotificationRequest.model_validate(
        {"reason": "PowerUp", "charging_station": {"model": "M1", "vendor_name": "V"}}
    )
    assert by_wire == by_attr
    assert by_attr.model_dump(mode="json", exclude_none=True) == BOOT_201
    built = v201.BootNotificationRequest(
        reason=v201.enums.BootReasonEnumType.POWER_UP,
        charging_station=v201.datatypes.ChargingStationType(model="M1", vendor_name="V"),
    )
    assert built.model_dump(mode="json", by_alias=True, exclude_none=True) == BOOT_201


def test_irregular_wire_names_keep_their_alias() -> None:
    fields = v21.datatypes.BatteryDataType.model_fields
    assert {name: f.alias for name, f in fields.items() if f.alias in ("soC", "soH")} == {
        "soc": "soC",
        "soh": "soH",
    }
    limits = v21.datatypes.LimitAtSoCType.model_fields
    assert limits["soc"].alias == "soc"
    period = v21.datatypes.ChargingSchedulePeriodType.model_fields
    assert period["limit_l2"].alias == "limit_L2"
    assert any(
        f.alias == "priceScheduleID" for f in v21.datatypes.AbsolutePriceScheduleType.model_fields.values()
    )


def test_nested_values_are_models_and_enums() -> None:
    request = v201.BootNotificationRequest.model_validate(BOOT_201)
    assert isinstance(request.charging_station, v201.datatypes.ChargingStationType)
    assert request.reason is v201.enums.BootReasonEnumType.POWER_UP


def test_date_times_are_aware() -> None:
    response = v16.HeartbeatResponse.model_validate({"currentTime": "2024-05-01T10:00:00+02:00"})
    assert response.current_time.utcoffset() is not None
    with pytest.raises(ValidationError):
        v16.HeartbeatResponse.model_validate({"currentTime": "2024-05-01T10:00:00"})
