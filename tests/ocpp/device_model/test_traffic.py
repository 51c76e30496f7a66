"""check_payload and check_write: the values of one payload, and read-only writes answered as done."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpkit.errors import UnsupportedError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp.device_model import check_payload, check_write
from ocpkit.ocpp.validation import validate_payload


def _var(component: str, variable: str, **extra: Any) -> dict[str, Any]:
    return {"component": {"name": component}, "variable": {"name": variable}, **extra}


def _codes(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.subject) for f in found]


def test_set_variables_request_values() -> None:
    payload = {
        "setVariableData": [
            _var("SampledDataCtrlr", "TxUpdatedInterval", attributeValue="often"),
            _var("SampledDataCtrlr", "TxUpdatedInterval", attributeValue="60"),
            _var("EVSE", "Power", attributeValue="11k", attributeType="MaxSet"),
        ]
    }
    validate_payload("2.0.1", "SetVariables", "request", payload)  # schema-valid: the schema says "a string"
    found = check_payload("2.0.1", "SetVariables", "request", payload, ref=17)
    assert [(f.code, f.severity, f.ref) for f in found] == [
        ("device-model.value", Severity.ERROR, 17),
        ("device-model.value", Severity.ERROR, 17),
    ]
    assert found[0].message == "/setVariableData/0/attributeValue: 'often' is not an integer"
    assert found[1].message.startswith("/setVariableData/2/attributeValue:")
    assert found[0].subject == "SampledDataCtrlr.TxUpdatedInterval"


def test_get_variables_response_values_and_write_only() -> None:
    payload = {
        "getVariableResult": [
            _var("AuthCtrlr", "Enabled", attributeStatus="Accepted", attributeValue="yes"),
            _var("AuthCtrlr", "Enabled", attributeStatus="Rejected", attributeValue="yes"),
            _var("SecurityCtrlr", "BasicAuthPassword", attributeStatus="Accepted", attributeValue="secret"),
        ]
    }
    found = check_payload("2.0.1", "GetVariables", "response", payload)
    assert _codes(found) == [
        ("device-model.value", "AuthCtrlr.Enabled"),
        ("device-model.writeonly-read", "SecurityCtrlr.BasicAuthPassword"),
    ]


def test_notify_report_values_and_characteristics_once_per_variable() -> None:
    item = {
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Power"},
        "variableAttribute": [{"value": "22000"}, {"type": "MaxSet", "value": "lots"}],
        "variableCharacteristics": {"dataType": "integer", "unit": "kWh", "supportsMonitoring": False},
    }
    payload = {"requestId": 1, "generatedAt": "2024-01-01T00:00:00Z", "seqNo": 0, "reportData": [item]}
    found = check_payload("2.0.1", "NotifyReport", "request", payload)
    assert [(f.code, f.message.split(":")[0]) for f in found] == [
        ("device-model.characteristics", "/reportData/0/variableCharacteristics/dataType"),
        ("device-model.characteristics", "/reportData/0/variableCharacteristics/unit"),
        ("device-model.value", "/reportData/0/variableAttribute/1/value"),
    ]
    assert found[0].subject == "EVSE(evse 1).Power" and found[0].severity == Severity.WARNING


def test_notify_monitoring_report_threshold_on_a_boolean() -> None:
    payload = {
        "requestId": 1,
        "seqNo": 0,
        "generatedAt": "2024-01-01T00:00:00Z",
        "monitor": [
            _var(
                "AuthCtrlr",
                "Enabled",
                variableMonitoring=[
                    {"id": 1, "transaction": False, "value": 1, "type": "UpperThreshold", "severity": 5}
                ],
            ),
            _var(
                "AuthCtrlr",
                "Enabled",
                variableMonitoring=[
                    {"id": 2, "transaction": False, "value": 1, "type": "Delta", "severity": 5}
                ],
            ),
            _var(
                "EVSE",
                "Power",
                variableMonitoring=[
                    {"id": 3, "transaction": False, "value": 1, "type": "UpperThreshold", "severity": 5}
                ],
            ),
        ],
    }
    found = check_payload("2.0.1", "NotifyMonitoringReport", "request", payload)
    assert _codes(found) == [("device-model.monitor-type", "AuthCtrlr.Enabled")]


def test_v16_change_and_get_configuration() -> None:
    found = check_payload(
        "1.6", "ChangeConfiguration", "request", {"key": "HeartbeatInterval", "value": "1h"}
    )
    assert _codes(found) == [("configuration.value", "HeartbeatInterval")]
    response = {
        "configurationKey": [
            {"key": "NumberOfConnectors", "readonly": False, "value": "2"},
            {"key": "LocalAuthorizeOffline", "readonly": False, "value": "yes"},
            {"key": "VendorKey", "readonly": False, "value": "?"},
        ]
    }
    assert _codes(check_payload("1.6", "GetConfiguration", "response", response)) == [
        ("configuration.readonly-flag", "NumberOfConnectors"),
        ("configuration.value", "LocalAuthorizeOffline"),
    ]


def test_other_payloads_and_versions() -> None:
    assert check_payload("2.0.1", "BootNotification", "request", {}) == []
    assert check_payload("1.6", "SetVariables", "request", {"setVariableData": []}) == []
    with pytest.raises(UnsupportedError):
        check_payload("3.0", "SetVariables", "request", {})
    with pytest.raises(UnsupportedError):
        check_payload("2.0.1", "SetVariables", "answer", {})


def test_write_to_read_only_answered_accepted() -> None:
    request = {
        "setVariableData": [
            _var("SecurityCtrlr", "SecurityProfile", attributeValue="3"),  # ReadOnly in the spec table
            _var(
                "TxCtrlr", "TxStartPoint", attributeValue="EVConnected"
            ),  # ReadOnly or ReadWrite: the CS chooses
            _var("OCPPCommCtrlr", "HeartbeatInterval", attributeValue="60"),  # ReadWrite
        ]
    }
    response = {
        "setVariableResult": [
            _var("OCPPCommCtrlr", "HeartbeatInterval", attributeStatus="Accepted"),
            _var("TxCtrlr", "TxStartPoint", attributeStatus="Accepted"),
            _var("SecurityCtrlr", "SecurityProfile", attributeStatus="Accepted"),
        ]
    }
    found = check_write("2.0.1", request, response, ref=4)
    assert _codes(found) == [("device-model.readonly-accepted", "SecurityCtrlr.SecurityProfile")]
    assert found[0].message.startswith("/setVariableResult/2/attributeStatus: Accepted")
    # what the charger reported wins over the table, both ways
    reported = {
        ("TxCtrlr", None, None, None, "TxStartPoint", None): "ReadOnly",
        ("SecurityCtrlr", None, None, None, "SecurityProfile", None): "ReadWrite",
    }
    assert _codes(check_write("2.0.1", request, response, known=reported)) == [
        ("device-model.readonly-accepted", "TxCtrlr.TxStartPoint")
    ]
    rejected = {"setVariableResult": [_var("SecurityCtrlr", "SecurityProfile", attributeStatus="Rejected")]}
    assert check_write("2.0.1", request, rejected) == []


def test_v16_change_of_a_read_only_key() -> None:
    assert _codes(
        check_write("1.6", {"key": "NumberOfConnectors", "value": "3"}, {"status": "Accepted"})
    ) == [("configuration.readonly-accepted", "NumberOfConnectors")]
    assert check_write("1.6", {"key": "NumberOfConnectors", "value": "3"}, {"status": "Rejected"}) == []
    # a key GetConfiguration reported read-only, though the standard has it writable
    said = {("HeartbeatInterval", None, None, None, "HeartbeatInterval", None): "ReadOnly"}
    assert (
        check_write("1.6", {"key": "HeartbeatInterval", "value": "9"}, {"status": "Accepted"}, known=said)
        != []
    )


def test_octt_get_variables_results_are_clean(shared: Path) -> None:
    """The OCTT run's four GetVariables results (TxStartPoint, TxStopPoint, StopTxOnInvalidId, Enabled)."""
    path = shared / "conformance" / "device-model" / "notify-report-examples" / "frames.jsonl"
    frames = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = [f["frame"][2] for f in frames if f["message_type"] == 3]
    assert len(results) == 4
    for payload in results:
        assert check_payload("2.0.1", "GetVariables", "response", payload) == []
    # the same results with a value each breaks its variable's rule
    spoiled = {
        "TxStartPoint": "PowerOn",
        "TxStopPoint": "EVConnected,EVConnected",
        "StopTxOnInvalidId": "TRUE",
        "Enabled": "1",
    }
    for payload in results:
        item = dict(payload["getVariableResult"][0])
        item["attributeValue"] = spoiled[item["variable"]["name"]]
        (finding,) = check_payload("2.0.1", "GetVariables", "response", {"getVariableResult": [item]})
        assert finding.code == "device-model.value"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "component",
                    "variable",
                    "name",
                    "instance",
                    "evse",
                    "id",
                    "attributeValue",
                    "attributeStatus",
                    "attributeType",
                    "variableAttribute",
                    "variableCharacteristics",
                    "value",
                    "type",
                    "dataType",
                    "valuesList",
                    "maxLimit",
                    "reportData",
                    "setVariableData",
                    "getVariableResult",
                    "setVariableResult",
                    "monitor",
                    "variableMonitoring",
                    "key",
                    "readonly",
                    "configurationKey",
                    "status",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@given(
    version=st.sampled_from(["1.6", "2.0.1", "2.1"]),
    action=st.sampled_from(
        [
            "SetVariables",
            "GetVariables",
            "NotifyReport",
            "NotifyMonitoringReport",
            "ChangeConfiguration",
            "GetConfiguration",
        ]
    ),
    kind=st.sampled_from(["request", "response"]),
    payload=_JSON,
    answer=_JSON,
)
def test_hostile_payloads_give_findings_not_exceptions(
    version: str, action: str, kind: str, payload: Any, answer: Any
) -> None:
    for finding in check_payload(version, action, kind, payload):
        assert isinstance(finding, Finding)
    assert all(isinstance(f, Finding) for f in check_write(version, payload, answer))
