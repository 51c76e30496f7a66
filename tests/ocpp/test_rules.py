"""The OCPP spec rules: a passing and a failing example per rule, no raising on any input, the CLI switch."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.cli import main
from ocpkit.findings import SpecRule
from ocpkit.ocpp import VERSIONS
from ocpkit.ocpp.rules import RULES, check_payload, payload_checker, rules_for
from ocpkit.ocpp.rules._checks import CHECKS

Example = tuple[str, str, str, dict[str, Any], dict[str, Any]]  # version, action, direction, good, bad


def _sched(periods: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"chargingRateUnit": "A", "chargingSchedulePeriod": periods, **extra}


def _p16(schedule: dict[str, Any], **extra: Any) -> dict[str, Any]:
    profile = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": schedule,
    }
    return {"connectorId": 1, "csChargingProfiles": {**profile, **extra}}


def _p2(schedule: dict[str, Any], **extra: Any) -> dict[str, Any]:
    profile = {
        "id": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [{"id": 1, **schedule}],
    }
    return {"evseId": 1, "chargingProfile": {**profile, **extra}}


def _mv16(*sampled: dict[str, Any]) -> dict[str, Any]:
    return {
        "connectorId": 1,
        "meterValue": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": list(sampled)}],
    }


def _mv2(*sampled: dict[str, Any]) -> dict[str, Any]:
    return {"evseId": 1, "meterValue": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": list(sampled)}]}


P = [{"startPeriod": 0, "limit": 16}]
R, S = "request", "response"

EXAMPLES: dict[str, list[Example]] = {
    "ocpp.v16.start-transaction.connector-id": [
        ("1.6", "StartTransaction", R, {"connectorId": 1}, {"connectorId": 0}),
    ],
    "ocpp.v16.remote-start.connector-id": [
        (
            "1.6",
            "RemoteStartTransaction",
            R,
            {"idTag": "a", "connectorId": 2},
            {"idTag": "a", "connectorId": 0},
        ),
    ],
    "ocpp.v16.unlock-connector.connector-id": [
        ("1.6", "UnlockConnector", R, {"connectorId": 1}, {"connectorId": 0})
    ],
    "ocpp.v16.connector-id.non-negative": [
        ("1.6", "StatusNotification", R, {"connectorId": 0}, {"connectorId": -1}),
        ("1.6", "ChangeAvailability", R, {"connectorId": 0, "type": "Operative"}, {"connectorId": -2}),
    ],
    "ocpp.v16.start-transaction.transaction-id": [
        (
            "1.6",
            "StartTransaction",
            S,
            {"transactionId": 7, "idTagInfo": {"status": "Accepted"}},
            {"transactionId": 0, "idTagInfo": {"status": "Accepted"}},
        ),
    ],
    "ocpp.v16.local-list-version.range": [
        ("1.6", "GetLocalListVersion", S, {"listVersion": -1}, {"listVersion": -5}),
    ],
    "ocpp.v16.stop-transaction.sampled-value-nonempty": [
        (
            "1.6",
            "StopTransaction",
            R,
            {"transactionData": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": "1"}]}]},
            {"transactionData": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": []}]},
        ),
    ],
    "ocpp.v16.retries.non-negative": [
        (
            "1.6",
            "GetDiagnostics",
            R,
            {"location": "ftp://x", "retries": 0},
            {"location": "ftp://x", "retries": -1},
        ),
        ("1.6", "UpdateFirmware", R, {"retryInterval": 30}, {"retryInterval": -30}),
    ],
    "ocpp.log-window.ordered": [
        (
            "1.6",
            "GetDiagnostics",
            R,
            {"startTime": "2024-01-01T00:00:00Z", "stopTime": "2024-01-02T00:00:00Z"},
            {"startTime": "2024-01-02T00:00:00Z", "stopTime": "2024-01-01T00:00:00Z"},
        ),
        (
            "2.0.1",
            "GetLog",
            R,
            {
                "log": {
                    "oldestTimestamp": "2024-01-01T00:00:00Z",
                    "latestTimestamp": "2024-01-01T01:00:00+00:00",
                }
            },
            {
                "log": {
                    "oldestTimestamp": "2024-01-01T02:00:00+01:00",
                    "latestTimestamp": "2024-01-01T01:00:00Z",
                }
            },
        ),
    ],
    "ocpp.boot-notification.interval": [
        (
            "1.6",
            "BootNotification",
            S,
            {"status": "Accepted", "interval": 300},
            {"status": "Accepted", "interval": 0},
        ),
        (
            "2.0.1",
            "BootNotification",
            S,
            {"status": "Pending", "interval": 0},
            {"status": "Pending", "interval": -1},
        ),
    ],
    "ocpp.charging-schedule.first-period-zero": [
        ("1.6", "SetChargingProfile", R, _p16(_sched(P)), _p16(_sched([{"startPeriod": 60, "limit": 16}]))),
        (
            "2.1",
            "NotifyEVChargingSchedule",
            R,
            {"chargingSchedule": _sched(P)},
            {"chargingSchedule": _sched([{"startPeriod": 5, "limit": 1}])},
        ),
    ],
    "ocpp.charging-schedule.periods-ascending": [
        (
            "2.0.1",
            "SetChargingProfile",
            R,
            _p2(_sched([{"startPeriod": 0, "limit": 16}, {"startPeriod": 60, "limit": 8}])),
            _p2(
                _sched(
                    [
                        {"startPeriod": 0, "limit": 16},
                        {"startPeriod": 60, "limit": 8},
                        {"startPeriod": 30, "limit": 6},
                    ]
                )
            ),
        ),
    ],
    "ocpp.charging-schedule.limit-non-negative": [
        (
            "1.6",
            "RemoteStartTransaction",
            R,
            {
                "idTag": "a",
                "chargingProfile": {
                    **_p16(_sched(P))["csChargingProfiles"],
                    "chargingProfilePurpose": "TxProfile",
                },
            },
            {
                "idTag": "a",
                "chargingProfile": {
                    **_p16(_sched([{"startPeriod": 0, "limit": -1}]))["csChargingProfiles"],
                    "chargingProfilePurpose": "TxProfile",
                },
            },
        ),
        (
            "2.0.1",
            "SetChargingProfile",
            R,
            _p2(_sched(P, minChargingRate=0)),
            _p2(_sched(P, minChargingRate=-2)),
        ),
    ],
    "ocpp.charging-schedule.number-phases": [
        (
            "1.6",
            "SetChargingProfile",
            R,
            _p16(_sched([{"startPeriod": 0, "limit": 6, "numberPhases": 1}])),
            _p16(_sched([{"startPeriod": 0, "limit": 6, "numberPhases": 4}])),
        ),
        (
            "2.1",
            "SetChargingProfile",
            R,
            _p2(_sched([{"startPeriod": 0, "limit": 6, "numberPhases": 3}])),
            _p2(_sched([{"startPeriod": 0, "limit": 6, "numberPhases": 0}])),
        ),
    ],
    "ocpp.charging-schedule.phase-to-use": [
        (
            "2.0.1",
            "SetChargingProfile",
            R,
            _p2(_sched([{"startPeriod": 0, "limit": 6, "numberPhases": 1, "phaseToUse": 2}])),
            _p2(_sched([{"startPeriod": 0, "limit": 6, "phaseToUse": 2}])),
        ),
    ],
    "ocpp.charging-schedule.within-duration": [
        (
            "1.6",
            "SetChargingProfile",
            R,
            _p16(_sched(P, duration=3600)),
            _p16(_sched([*P, {"startPeriod": 3600, "limit": 8}], duration=3600)),
        ),
        (
            "1.6",
            "GetCompositeSchedule",
            S,
            {"status": "Accepted", "chargingSchedule": _sched(P, duration=60)},
            {"status": "Accepted", "chargingSchedule": _sched(P, duration=0)},
        ),
    ],
    "ocpp.charging-schedule.min-rate-below-limit": [
        (
            "2.0.1",
            "SetChargingProfile",
            R,
            _p2(_sched(P, minChargingRate=6)),
            _p2(_sched(P, minChargingRate=20)),
        ),
    ],
    "ocpp.charging-profile.stack-level": [
        ("1.6", "SetChargingProfile", R, _p16(_sched(P), stackLevel=3), _p16(_sched(P), stackLevel=-1)),
    ],
    "ocpp.charging-profile.valid-range": [
        (
            "2.1",
            "SetChargingProfile",
            R,
            _p2(_sched(P), validFrom="2024-01-01T00:00:00Z", validTo="2024-02-01T00:00:00Z"),
            _p2(_sched(P), validFrom="2024-02-01T00:00:00Z", validTo="2024-01-01T00:00:00Z"),
        ),
    ],
    "ocpp.charging-profile.recurrency-kind": [
        (
            "1.6",
            "SetChargingProfile",
            R,
            _p16(
                _sched(P, startSchedule="2024-01-01T00:00:00Z"),
                chargingProfileKind="Recurring",
                recurrencyKind="Daily",
            ),
            _p16(_sched(P, startSchedule="2024-01-01T00:00:00Z"), chargingProfileKind="Recurring"),
        ),
    ],
    "ocpp.charging-profile.start-schedule": [
        (
            "2.0.1",
            "SetChargingProfile",
            R,
            _p2(_sched(P, startSchedule="2024-01-01T00:00:00Z"), chargingProfileKind="Absolute"),
            _p2(_sched(P), chargingProfileKind="Absolute"),
        ),
        (
            "1.6",
            "SetChargingProfile",
            R,
            _p16(_sched(P)),
            _p16(_sched(P, startSchedule="2024-01-01T00:00:00Z")),
        ),
    ],
    "ocpp.charging-profile.transaction-id": [
        (
            "1.6",
            "SetChargingProfile",
            R,
            _p16(_sched(P), chargingProfilePurpose="TxProfile", transactionId=5),
            _p16(_sched(P), transactionId=5),
        ),
        (
            "2.0.1",
            "SetChargingProfile",
            R,
            _p2(_sched(P), chargingProfilePurpose="TxProfile", transactionId="t1"),
            _p2(_sched(P), transactionId="t1"),
        ),
    ],
    "ocpp.remote-start.tx-profile": [
        (
            "2.0.1",
            "RequestStartTransaction",
            R,
            {"idToken": {}, "remoteStartId": 1, "chargingProfile": {"chargingProfilePurpose": "TxProfile"}},
            {
                "idToken": {},
                "remoteStartId": 1,
                "chargingProfile": {"chargingProfilePurpose": "TxDefaultProfile"},
            },
        ),
    ],
    "ocpp.set-charging-profile.target": [
        (
            "1.6",
            "SetChargingProfile",
            R,
            {**_p16(_sched(P), chargingProfilePurpose="ChargePointMaxProfile"), "connectorId": 0},
            _p16(_sched(P), chargingProfilePurpose="ChargePointMaxProfile"),
        ),
        (
            "2.0.1",
            "SetChargingProfile",
            R,
            _p2(_sched(P), chargingProfilePurpose="TxProfile"),
            {**_p2(_sched(P), chargingProfilePurpose="TxProfile"), "evseId": 0},
        ),
    ],
    "ocpp.v2.evse.id-positive": [
        ("2.0.1", "TransactionEvent", R, {"evse": {"id": 1, "connectorId": 1}}, {"evse": {"id": 0}}),
        (
            "2.1",
            "NotifyEvent",
            R,
            {"eventData": [{"component": {"name": "x", "evse": {"id": 2}}}]},
            {"eventData": [{"component": {"name": "x", "evse": {"id": 0}}}]},
        ),
    ],
    "ocpp.v2.status-notification.ids": [
        ("2.0.1", "StatusNotification", R, {"evseId": 1, "connectorId": 1}, {"evseId": 0, "connectorId": 1}),
    ],
    "ocpp.v2.request-start.evse-id": [
        (
            "2.1",
            "RequestStartTransaction",
            R,
            {"evseId": 1, "remoteStartId": 1},
            {"evseId": 0, "remoteStartId": 1},
        ),
    ],
    "ocpp.v2.transaction-event.seq-no": [("2.0.1", "TransactionEvent", R, {"seqNo": 0}, {"seqNo": -1})],
    "ocpp.v2.monitoring.severity": [
        ("2.0.1", "SetMonitoringLevel", R, {"severity": 9}, {"severity": 10}),
        (
            "2.1",
            "SetVariableMonitoring",
            R,
            {"setMonitoringData": [{"severity": 0}]},
            {"setMonitoringData": [{"severity": 12}]},
        ),
        (
            "2.0.1",
            "NotifyMonitoringReport",
            R,
            {"monitor": [{"variableMonitoring": [{"severity": 5}]}]},
            {"monitor": [{"variableMonitoring": [{"severity": -1}]}]},
        ),
    ],
    "ocpp.v2.display-message.time-range": [
        (
            "2.0.1",
            "SetDisplayMessage",
            R,
            {"message": {"startDateTime": "2024-01-01T00:00:00Z", "endDateTime": "2024-01-02T00:00:00Z"}},
            {"message": {"startDateTime": "2024-01-02T00:00:00Z", "endDateTime": "2024-01-01T00:00:00Z"}},
        ),
    ],
    "ocpp.v2.transaction-event.phases-used": [
        ("2.1", "TransactionEvent", R, {"numberOfPhasesUsed": 3}, {"numberOfPhasesUsed": 0}),
    ],
    "ocpp.sampled-value.unit-matches-measurand": [
        (
            "1.6",
            "MeterValues",
            R,
            _mv16({"value": "230", "measurand": "Voltage", "unit": "V"}),
            _mv16({"value": "230", "measurand": "Voltage", "unit": "A"}),
        ),
        (
            "2.0.1",
            "TransactionEvent",
            R,
            _mv2({"value": 1, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW"}}),
            _mv2({"value": 1, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kWh"}}),
        ),
        (
            "1.6",
            "StopTransaction",
            R,
            {"transactionData": [{"sampledValue": [{"value": "1", "unit": "kWh"}]}]},
            {"transactionData": [{"sampledValue": [{"value": "1", "unit": "W"}]}]},
        ),
    ],
    "ocpp.sampled-value.default-unit": [
        (
            "1.6",
            "MeterValues",
            R,
            _mv16({"value": "20", "measurand": "Frequency"}),
            _mv16({"value": "16", "measurand": "Current.Import"}),
        ),
    ],
    "ocpp.sampled-value.raw-numeric": [
        ("1.6", "MeterValues", R, _mv16({"value": "12.5e3"}), _mv16({"value": "12,5"})),
    ],
    "ocpp.sampled-value.signed-data-hex": [
        (
            "1.6",
            "MeterValues",
            R,
            _mv16({"value": "0a1B", "format": "SignedData"}),
            _mv16({"value": "OCMF|{}", "format": "SignedData"}),
        ),
    ],
    "ocpp.sampled-value.soc-range": [
        (
            "1.6",
            "MeterValues",
            R,
            _mv16({"value": "80", "measurand": "SoC", "unit": "Percent"}),
            _mv16({"value": "180", "measurand": "SoC", "unit": "Percent"}),
        ),
        (
            "2.1",
            "MeterValues",
            R,
            _mv2({"value": 100, "measurand": "SoC"}),
            _mv2({"value": -1, "measurand": "SoC"}),
        ),
    ],
    "ocpp.sampled-value.signed-base64": [
        (
            "2.0.1",
            "MeterValues",
            R,
            _mv2({"value": 1, "signedMeterValue": {"signedMeterData": "QUJD", "publicKey": ""}}),
            _mv2({"value": 1, "signedMeterValue": {"signedMeterData": "OCMF|{}|{}", "publicKey": ""}}),
        ),
    ],
}


def test_at_least_25_rules_with_unique_ids() -> None:
    assert len(RULES) >= 25
    assert len({r.id for r in RULES}) == len(RULES)
    for rule in RULES:
        assert isinstance(rule, SpecRule) and rule.protocol == "ocpp"
        assert rule.id.startswith("ocpp.") and rule.section.startswith("OCPP ") and rule.statement
        assert set(rule.versions) <= set(VERSIONS)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_a_passing_and_a_failing_example(rule: SpecRule) -> None:
    examples = EXAMPLES.get(rule.id)
    assert examples, f"no example for {rule.id}"
    for version, action, direction, good, bad in examples:
        assert version in rule.versions
        assert rule in rules_for(version, action, direction)
        assert [f for f in check_payload(version, action, direction, good) if f.code == rule.code] == []
        found = [f for f in check_payload(version, action, direction, bad, ref=7) if f.code == rule.code]
        assert found, (rule.id, version, action)
        assert all(f.severity == rule.severity and f.ref == 7 and f.subject.startswith("/") for f in found)


def test_examples_name_only_known_rules() -> None:
    assert set(EXAMPLES) <= {r.id for r in RULES}


def test_unknown_message_and_wrong_types_give_nothing() -> None:
    assert check_payload("1.6", "Nope", "request", {"connectorId": 0}) == []
    assert check_payload("1.6", "StartTransaction", "request", {"connectorId": "0"}) == []
    assert check_payload("1.6", "StartTransaction", "request", {"connectorId": True}) == []
    assert check_payload("1.6", "StartTransaction", "request", [1, 2]) == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)
_keys = st.sampled_from(
    [
        "connectorId",
        "evseId",
        "chargingProfile",
        "csChargingProfiles",
        "chargingSchedule",
        "chargingSchedulePeriod",
        "startPeriod",
        "limit",
        "meterValue",
        "sampledValue",
        "transactionData",
        "measurand",
        "unit",
        "value",
        "evse",
        "id",
        "severity",
        "interval",
        "status",
        "log",
        "message",
        "signedMeterValue",
        "validFrom",
        "validTo",
        "format",
    ]
)
_shaped = st.recursive(
    _json,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=40,
)
_messages = sorted({(v, a, d) for r in RULES for (v, a, d, _, _) in EXAMPLES.get(r.id, [])})


@settings(max_examples=300, deadline=None)
@given(message=st.sampled_from(_messages), payload=_shaped)
def test_check_payload_never_raises(message: tuple[str, str, str], payload: Any) -> None:
    found = check_payload(*message, payload)
    assert all(f.code.startswith("spec.ocpp.") for f in found)


def _one_by_one(version: str, action: str, direction: str, payload: Any) -> list[tuple[str, str, str]]:
    """Every check of the message on its own, in table order (what the plan must equal)."""
    found: list[tuple[str, str, str]] = []
    for rule, checks in CHECKS:
        for check in checks:
            if (version, action, direction) not in check.where:
                continue
            try:
                found += [(rule.code, at or "/", message) for at, message in check.check(payload)]
            except (
                TypeError,
                ValueError,
                AttributeError,
                KeyError,
                IndexError,
                RecursionError,
                OverflowError,
            ):
                continue
    return found


def _planned(version: str, action: str, direction: str, payload: Any) -> list[tuple[str, str, str]]:
    checker = payload_checker(version, action, direction)
    if checker is None:
        return []
    return [(f.code, f.subject, f.message) for f in checker(payload, None)]


def test_plans_give_the_findings_of_the_checks_one_by_one_in_order() -> None:
    many = 0
    for examples in EXAMPLES.values():
        for version, action, direction, good, bad in examples:
            for payload in (good, bad):
                expected = _one_by_one(version, action, direction, payload)
                assert _planned(version, action, direction, payload) == expected
                many += len(expected) > 1
    # Several breaches on one message, spread over sampled values and rules: the order is kept.
    bad_samples = _mv16(
        {"value": "x", "measurand": "Voltage", "unit": "A"},
        {"value": "120", "measurand": "SoC", "unit": "Percent"},
        {"value": "zz", "format": "SignedData"},
        {"value": "3", "measurand": "Current.Import"},
    )
    expected = _one_by_one("1.6", "MeterValues", R, bad_samples)
    assert len({code for code, _, _ in expected}) >= 4
    assert _planned("1.6", "MeterValues", R, bad_samples) == expected
    assert many


def test_messages_without_rules_have_no_plan() -> None:
    assert payload_checker("1.6", "Heartbeat", R) is None
    assert payload_checker("1.6", "Nope", R) is None
    assert payload_checker("1.6", "MeterValues", R) is not None
    for version in VERSIONS:
        for action in ("Heartbeat", "Authorize", "MeterValues", "StatusNotification", "TransactionEvent"):
            for direction in (R, S):
                assert (payload_checker(version, action, direction) is None) == (
                    rules_for(version, action, direction) == ()
                )


@settings(max_examples=300, deadline=None)
@given(message=st.sampled_from(_messages), payload=_shaped)
def test_plans_equal_the_checks_one_by_one_on_any_payload(
    message: tuple[str, str, str], payload: Any
) -> None:
    assert _planned(*message, payload) == _one_by_one(*message, payload)


def _validate(*args: str, stdin: bytes) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["validate", *args], stdout=out, stderr=io.StringIO(), stdin=io.BytesIO(stdin))
    return code, out.getvalue()


_LOG = (
    b'[2,"1","StartTransaction",{"connectorId":0,"idTag":"A","meterStart":0,"timestamp":"2024-01-01T00:00:00Z"}]\n'
    b'[3,"1",{"transactionId":1,"idTagInfo":{"status":"Accepted"}}]\n'
)


def test_cli_rules_spec_lists_findings_without_changing_the_verdict() -> None:
    code, out = _validate("--ocpp", "1.6", "--report", "jsonl", "-", stdin=_LOG)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    call = records[0]
    assert call["ok"] is True and call["violations"] == []
    spec = [f for f in call["findings"] if f["code"].startswith("spec.")]
    assert [f["code"] for f in spec] == ["spec.ocpp.v16.start-transaction.connector-id"]
    assert spec[0]["path"] == "/connectorId"
    summary = records[-1]
    assert summary["findings"]["error:spec.ocpp.v16.start-transaction.connector-id"] == 1
    code, text = _validate("--ocpp", "1.6", "-v", "-", stdin=_LOG)
    assert code == 0 and "spec.ocpp.v16.start-transaction.connector-id" in text


def test_cli_rules_schema_gives_schema_verdicts_only() -> None:
    code, out = _validate("--ocpp", "1.6", "--rules", "schema", "--report", "jsonl", "-", stdin=_LOG)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert not any(f["code"].startswith("spec.") for r in records[:-1] for f in r["findings"])
    assert not any("spec." in k for k in records[-1]["findings"])


def test_docs_page_lists_every_rule_of_every_table() -> None:
    pytest.importorskip("sphinx", reason="the docs extra is not installed")
    import sys

    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    import ocpkit_site

    other = (SpecRule("ocpi.x.y", "ocpi", ("2.2.1",), "OCPI 2.2.1 §8.3.1", "a *made up* rule."),)
    page = ocpkit_site.spec_rules_page([("OCPP", RULES), ("OCPI", other)])
    for rule in (*RULES, *other):
        assert f"``{rule.id}``" in page
    assert f"OCPP ({len(RULES)} rules)" in page and "OCPI (1 rules)" in page
    assert "a \\*made up\\* rule." in page
    assert ("OCPP", RULES) in ocpkit_site.rule_tables()
    assert "spec_rules.rst" in ocpkit_site.generate()


# Issue 14: an empty sampledValue inside StopTransaction transactionData. The 1.6 schema has no
# minItems there (the text says 1..*), so the schema verdict stays "valid" and the rule says it.
_STOP_EMPTY = {
    "transactionId": 7,
    "meterStop": 1200,
    "timestamp": "2024-01-01T01:00:00Z",
    "transactionData": [
        {"timestamp": "2024-01-01T00:30:00Z", "sampledValue": [{"value": "600"}]},
        {"timestamp": "2024-01-01T01:00:00Z", "sampledValue": []},
    ],
}


def test_empty_sampled_value_in_stop_transaction_is_a_finding_not_a_violation() -> None:
    from ocpkit.ocpp.validation import check_payload as schema_check

    assert schema_check("1.6", "StopTransaction", "request", _STOP_EMPTY) == ()
    found = check_payload("1.6", "StopTransaction", "request", _STOP_EMPTY)
    assert [(f.code, f.subject) for f in found] == [
        ("spec.ocpp.v16.stop-transaction.sampled-value-nonempty", "/transactionData/1/sampledValue")
    ]
    # The same empty array inside MeterValues is refused by the schema itself (minItems 1).
    meter = {"connectorId": 1, "transactionId": 7, "meterValue": _STOP_EMPTY["transactionData"]}
    violations = schema_check("1.6", "MeterValues", "request", meter)
    assert [(v.path, v.keyword) for v in violations] == [("/meterValue/1/sampledValue", "minItems")]


def test_cli_reports_the_empty_sampled_value_with_ok_true() -> None:
    frame = json.dumps([2, "9", "StopTransaction", _STOP_EMPTY]).encode() + b"\n"
    code, out = _validate("--ocpp", "1.6", "--report", "jsonl", "-", stdin=frame)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert records[0]["ok"] is True and records[0]["violations"] == []
    spec = [f for f in records[0]["findings"] if f["code"].startswith("spec.")]
    assert [(f["code"], f["path"]) for f in spec] == [
        ("spec.ocpp.v16.stop-transaction.sampled-value-nonempty", "/transactionData/1/sampledValue")
    ]


def test_decimal_numbers_break_rules_as_their_numbers_do() -> None:
    from decimal import Decimal

    assert check_payload("1.6", "GetLocalListVersion", "response", {"listVersion": Decimal("-1")}) == []
    (found,) = check_payload("1.6", "GetLocalListVersion", "response", {"listVersion": Decimal("-5")})
    assert found.code == "spec.ocpp.v16.local-list-version.range" and found.subject == "/listVersion"
    assert check_payload("1.6", "GetLocalListVersion", "response", {"listVersion": Decimal("NaN")}) == []


@settings(max_examples=300, deadline=None)
@given(payload=_shaped)
def test_the_sampled_value_walk_equals_the_general_walk(payload: Any) -> None:
    from ocpkit.ocpp.rules._checks import _walk, sampled_values

    for path in (("meterValue", "sampledValue"), ("transactionData", "sampledValue")):
        for value in (payload, {path[0]: payload}, {path[0]: [{path[1]: payload}]}):
            expected = [(p, v) for p, v in _walk(value, path) if isinstance(v, dict)]
            assert sampled_values(value, path) == expected


_sample_text = st.sampled_from(
    [
        "1028",
        "9.78",
        "5.",
        ".5",
        "0",
        "-1",
        " 7 ",
        "1e3",
        "x",
        "",
        ".",
        "1.2.3",
        "١٢",
        "²",
        "12a",
        "ab12",
        "00ff",
    ]
)
_sampled_value = st.fixed_dictionaries(
    {},
    optional={
        "value": _sample_text | st.integers(-5, 200) | st.floats(allow_nan=True) | st.none(),
        "measurand": st.sampled_from(
            [
                "Energy.Active.Import.Register",
                "Power.Active.Import",
                "Current.Import",
                "Voltage",
                "SoC",
                "Frequency",
                "Temperature",
                "Power.Offered",
                "RPM",
                "",
            ]
        )
        | st.integers(0, 2)
        | st.none(),
        "unit": st.sampled_from(["Wh", "kWh", "W", "kW", "A", "V", "Percent", "Hz", "K", "Celsius", ""])
        | st.integers(0, 2)
        | st.none(),
        "unitOfMeasure": st.fixed_dictionaries(
            {}, optional={"unit": st.sampled_from(["Wh", "kW", "A", "V", "Percent", "x"]) | st.none()}
        )
        | st.none(),
        "format": st.sampled_from(["Raw", "SignedData", "Other"]) | st.none() | st.integers(0, 1),
        "signedMeterValue": st.fixed_dictionaries(
            {},
            optional={
                "signedMeterData": st.sampled_from(["QUJD", "not base64!", ""]),
                "publicKey": st.just("QQ=="),
            },
        )
        | st.none(),
        "context": st.just("Sample.Periodic"),
    },
)
# Samples that break one rule each, or none: the screens must tell them apart.
_telling = st.sampled_from(
    [
        {"value": "9.78", "measurand": "Power.Active.Import", "unit": "kW"},
        {"value": "1028"},
        {"value": "150", "measurand": "SoC", "unit": "Percent"},
        {"value": 150, "measurand": "SoC", "unitOfMeasure": {"unit": "Percent"}},
        {"value": "1.5x", "unit": "Wh"},
        {"value": "٣", "unit": "Wh"},
        {"value": "zz", "format": "SignedData"},
        {"value": "1", "measurand": "Voltage", "unit": "A"},
        {"value": 1, "measurand": "Voltage", "unitOfMeasure": {"unit": "A"}},
        {"value": "1", "measurand": "Current.Import"},
        {"value": 1, "signedMeterValue": {"signedMeterData": "not base64!", "publicKey": "QQ=="}},
    ]
)
_sampled_messages = sorted(
    {
        (v, a, d)
        for rule, checks in CHECKS
        for check in checks
        for (v, a, d) in check.where
        if check.body is not None
    }
)


@settings(max_examples=500, deadline=None)
@given(
    message=st.sampled_from(_sampled_messages),
    samples=st.lists(st.lists(_telling | _sampled_value, max_size=4), max_size=3),
    connector=st.none() | st.integers(-3, 3) | st.just(2**60) | st.just(-(10**400)) | st.booleans(),
)
def test_plans_equal_the_checks_one_by_one_on_well_shaped_sampled_values(
    message: tuple[str, str, str], samples: list[list[dict[str, Any]]], connector: Any
) -> None:
    # The screens of the plans say "nothing to find" on most of these: what they skip must find nothing.
    outer = "transactionData" if message[1] == "StopTransaction" else "meterValue"
    payload: dict[str, Any] = {outer: [{"sampledValue": inner} for inner in samples]}
    if connector is not None:
        payload["connectorId"] = connector
    assert _planned(*message, payload) == _one_by_one(*message, payload)


def test_the_screens_skip_clean_payloads_and_not_breaking_ones() -> None:
    from ocpkit.ocpp.rules import _PLANS

    plan = _PLANS[("1.6", "MeterValues", R)]
    (_, quiet, _, _), (_, _, path, run) = plan.steps
    assert quiet is not None and run is not None and run[1] is not None
    screen = run[1]
    clean = {"value": "9.78", "measurand": "Power.Active.Import", "unit": "kW"}
    assert quiet({"connectorId": 1}) and quiet({}) and not quiet({"connectorId": -1})
    assert screen("1.6", _mv16(clean, {"value": "12"}), path)
    assert not screen("1.6", _mv16(clean, {"value": "50", "measurand": "SoC", "unit": "Percent"}), path)
    for bad in (
        {"value": "x"},
        {"value": "1", "measurand": "Voltage", "unit": "A"},
        {"value": "1", "measurand": "Voltage"},
        {"value": "150", "measurand": "SoC", "unit": "Percent"},
        {"value": "00", "format": "SignedData"},
    ):
        assert not screen("1.6", _mv16(clean, bad), path)
