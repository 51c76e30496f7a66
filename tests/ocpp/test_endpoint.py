"""The endpoint's behaviour: replies owed per version, boot rules, timeouts, ids, strict and lenient."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.errors import EndpointError, FrameInvalid, OcpkitError, PayloadInvalid, UnsupportedError
from ocpkit.ocpp.endpoint import (
    BOOT_RULES,
    REGISTRATION_SPEC,
    CallReceived,
    CallTimedOut,
    Endpoint,
    ErrorReceived,
    ProtocolViolation,
    Registration,
    ResultErrorReceived,
    ResultReceived,
    RpcState,
    SendReceived,
)
from ocpkit.ocpp.validation import check_frame

NOW = "2026-03-01T10:00:00Z"
BOOT = {
    "1.6": {"chargePointVendor": "V", "chargePointModel": "M"},
    "2.0.1": {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}},
    "2.1": {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}},
}


def frame(*parts: Any) -> str:
    return json.dumps(list(parts))


def boot_result(status: str, interval: int = 0) -> dict[str, Any]:
    return {"currentTime": NOW, "interval": interval, "status": status}


def only(events: list[Any], kind: type) -> Any:
    assert len(events) == 1 and isinstance(events[0], kind), events
    return events[0]


def reply_of(events: list[Any]) -> list[Any]:
    violation = only(events, ProtocolViolation)
    assert violation.reply is not None
    return json.loads(violation.reply)


# -- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "version", "me"),
    [
        ("central_system", "ocpp1.6", ("csms", "1.6")),
        ("charge_point", "1.6J", ("station", "1.6")),
        ("Charging Station", "v201", ("station", "2.0.1")),
        ("CSMS", "ocpp2.1", ("csms", "2.1")),
    ],
)
def test_role_and_version_names_per_version(role: str, version: str, me: tuple[str, str]) -> None:
    ep = Endpoint(role, version)
    assert (ep.role, ep.version) == me


@pytest.mark.parametrize(
    "kwargs",
    [
        {"role": "broker"},
        {"version": "1.5"},
        {"boot_rules": "maybe"},
        {"registration": "Booting"},
        {"call_timeout": 0},
        {"ids": 5},
    ],
)
def test_bad_options_raise_unsupported(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedError):
        Endpoint(**kwargs)


# -- replies owed for broken input, per version ----------------------------------------------


@pytest.mark.parametrize(("version", "code"), [("1.6", "FormationViolation"), ("2.0.1", "RpcFrameworkError")])
def test_not_json_is_answered_with_minus_one(version: str, code: str) -> None:
    ep = Endpoint("csms", version, registration="Accepted")
    reply = reply_of(ep.receive("[2, not json"))
    assert reply[:3] == [4, "-1", code] and reply[4] == {}
    assert reply_of(ep.receive(b"\xff\xfe"))[1] == "-1"


def test_unknown_action_not_supported_direction_and_invalid_payload() -> None:
    ep = Endpoint("csms", "2.0.1", registration="Accepted")
    assert reply_of(ep.receive(frame(2, "a", "Teleport", {})))[:3] == [4, "a", "NotImplemented"]
    assert reply_of(ep.receive(frame(2, "b", "Reset", {"type": "Immediate"})))[:3] == [4, "b", "NotSupported"]
    reply = reply_of(ep.receive(frame(2, "c", "Authorize", {"idToken": {"idToken": 5, "type": "ISO14443"}})))
    assert reply[:3] == [4, "c", "TypeConstraintViolation"]
    assert reply[4]["violations"][0]["path"] == "/3/idToken/idToken"
    reply = reply_of(ep.receive(frame(2, "d", "Authorize", {})))
    assert reply[:3] == [4, "d", "OccurenceConstraintViolation"]
    assert ep.state is RpcState.IDLE  # none of them is owed an answer any more


def test_occurrence_code_follows_the_version() -> None:
    ep = Endpoint("csms", "2.1", registration="Accepted")
    assert reply_of(ep.receive(frame(2, "d", "Authorize", {})))[2] == "OccurrenceConstraintViolation"


def test_unknown_message_type_ignored_in_16_answered_in_2x() -> None:
    v16 = Endpoint("csms", "1.6", registration="Accepted")
    violation = only(v16.receive(frame(7, "x", {})), ProtocolViolation)
    assert violation.rule == "message-type" and violation.reply is None
    v201 = Endpoint("csms", "2.0.1", registration="Accepted")
    assert reply_of(v201.receive(frame(6, "x", "NotifyPeriodicEventStream", {})))[:3] == [
        4,
        "x",
        "MessageTypeNotSupported",
    ]


def test_callerror_and_send_are_never_answered() -> None:
    ep = Endpoint("csms", "2.1", registration="Accepted")
    for text in (
        frame(4, "zz", "GenericError", "", {}),
        frame(4, "zz", "NotACode", "", {}),
        frame(6, "s", "NotifyPeriodicEventStream", {"id": "x"}),
        frame(5, "r", "GenericError", "", {}),
    ):
        violation = only(ep.receive(text), ProtocolViolation)
        assert violation.reply is None, text


def test_a_result_for_an_unknown_id_is_reported_not_answered() -> None:
    ep = Endpoint("station", "2.0.1", registration="Accepted")
    violation = only(ep.receive(frame(3, "nope", {})), ProtocolViolation)
    assert (violation.rule, violation.reply) == ("unknown-id", None)


def test_duplicate_id_of_an_owed_call() -> None:
    ep = Endpoint("csms", "2.0.1", registration="Accepted")
    only(ep.receive(frame(2, "same", "Heartbeat", {})), CallReceived)
    assert reply_of(ep.receive(frame(2, "same", "Heartbeat", {})))[:2] == [4, "same"]
    assert dict(ep.owed) == {"same": "Heartbeat"}


def test_every_reply_is_a_valid_frame_of_its_version() -> None:
    for version in ("1.6", "2.0.1", "2.1"):
        ep = Endpoint("csms", version, registration="Accepted")
        for text in ("{", "[]", "[2]", frame(2, "x" * 40, "Heartbeat", {}), frame(2, "a", "Heartbeat", [])):
            for event in ep.receive(text):
                if isinstance(event, ProtocolViolation) and event.reply:
                    assert check_frame(event.reply, version).ok, (version, text, event.reply)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), st.lists(st.integers(), max_size=5)))
def test_hostile_input_never_raises(raw: Any) -> None:
    ep = Endpoint("csms", "2.1", registration="Accepted")
    events = ep.receive(raw if not isinstance(raw, list) else json.dumps(raw))
    assert isinstance(events, list) and events
    for event in events:
        if isinstance(event, ProtocolViolation) and event.reply:
            assert check_frame(event.reply, "2.1").ok


@pytest.mark.parametrize(
    "text",
    [
        "[2," * 3000 + "]" * 3000,
        '[2,"a","Heartbeat",{"x":NaN}]',
        '[2,"a","Heartbeat",{"x":' + "9" * 5000 + "}]",
    ],
)
def test_deep_nesting_nan_and_huge_numbers(text: str) -> None:
    ep = Endpoint("csms", "2.0.1", registration="Accepted")
    violation = only(ep.receive(text), ProtocolViolation)
    assert violation.reply is not None and check_frame(violation.reply, "2.0.1").ok


# -- a CALL of ours and its answer ------------------------------------------------------------


def test_result_builds_the_model_on_demand_and_sets_the_registration() -> None:
    ep = Endpoint("station", "2.0.1")
    mid, text = ep.call("BootNotification", BOOT["2.0.1"])
    assert check_frame(text, "2.0.1").ok
    event = only(ep.receive(frame(3, mid, boot_result("Accepted", 300))), ResultReceived)
    assert event.call.message_id == mid and event.data["interval"] == 300
    assert type(event.payload).__name__ == "BootNotificationResponse" and event.payload.interval == 300
    assert ep.registration is Registration.ACCEPTED and ep.state is RpcState.IDLE


def test_error_received_settles_the_call() -> None:
    ep = Endpoint("station", "1.6", registration="Accepted")
    mid, _ = ep.call("Heartbeat", {})
    event = only(ep.receive(frame(4, mid, "NotSupported", "no", {"a": 1})), ErrorReceived)
    assert (event.code, event.description, event.details) == ("NotSupported", "no", {"a": 1})
    assert ep.pending is None


def test_an_error_code_of_another_version_still_answers_our_call() -> None:
    # The ocpp package answers 1.6 calls with 2.x's FormatViolation.
    ep = Endpoint("station", "1.6", registration="Accepted")
    mid, _ = ep.call("Heartbeat", {})
    events = ep.receive(frame(4, mid, "FormatViolation", "bad", {}))
    assert isinstance(events[0], ErrorReceived) and events[0].code == "FormatViolation"
    assert isinstance(events[1], ProtocolViolation) and events[1].reply is None
    assert ep.pending is None


def test_invalid_result_strict_vs_lenient_and_the_21_callresulterror() -> None:
    strict = Endpoint("station", "2.1", registration="Accepted")
    mid, _ = strict.call("Heartbeat", {})
    violation = only(strict.receive(frame(3, mid, {"currentTime": "yesterday"})), ProtocolViolation)
    assert violation.call is not None and violation.call.message_id == mid and strict.pending is None
    assert json.loads(violation.reply)[:3] == [5, mid, "PropertyConstraintViolation"]
    lenient = Endpoint("station", "2.0.1", registration="Accepted", strict=False)
    mid, _ = lenient.call("Heartbeat", {})
    result, report = lenient.receive(frame(3, mid, {"currentTime": "yesterday"}))
    assert isinstance(result, ResultReceived) and result.violations and result.payload is not None
    assert isinstance(report, ProtocolViolation) and report.reply is None


def test_timeout_and_a_late_answer() -> None:
    ep = Endpoint("station", "2.0.1", registration="Accepted", call_timeout=30)
    mid, _ = ep.call("Heartbeat", {})
    assert ep.tick(100.0) == []  # the clock starts for this CALL at its first tick
    assert ep.tick(129.9) == []
    timed_out = only(ep.tick(130.0), CallTimedOut)
    assert timed_out.call.message_id == mid and ep.state is RpcState.IDLE
    late = only(ep.receive(frame(3, mid, {"currentTime": NOW})), ProtocolViolation)
    assert late.rule == "late"
    with pytest.raises(EndpointError) as info:
        ep.tick(10.0)
    assert info.value.rule == "clock"
    with pytest.raises(EndpointError):
        ep.tick(float("nan"))


def test_outgoing_payloads_are_validated_before_anything_changes() -> None:
    ep = Endpoint("station", "2.0.1", registration="Accepted", ids=iter(["a", "b", "c"]))
    with pytest.raises(PayloadInvalid) as info:
        ep.call("Authorize", {"idToken": {"idToken": 5, "type": "ISO14443"}})
    assert info.value.violations[0].path == "/3/idToken/idToken"
    assert ep.pending is None and ep.state is RpcState.IDLE
    with pytest.raises(FrameInvalid):
        ep.call("DataTransfer", {"vendorId": "x", "data": float("nan")})
    with pytest.raises(UnsupportedError):
        ep.call("Teleport", {})
    with pytest.raises(EndpointError) as direction:
        ep.call("Reset", {"type": "Immediate"})
    assert direction.value.rule == "direction"
    lenient = Endpoint("station", "2.0.1", registration="Accepted", strict=False)
    _, text = lenient.call("Authorize", {"idToken": {"idToken": 5, "type": "ISO14443"}})
    assert not check_frame(text, "2.0.1").ok


def test_models_are_accepted_as_payloads() -> None:
    from ocpkit.ocpp import v201

    ep = Endpoint("station", "2.0.1", registration="Accepted")
    model = v201.AuthorizeRequest.model_validate({"idToken": {"idToken": "AB12", "type": "ISO14443"}})
    _, text = ep.call("Authorize", model)
    assert json.loads(text)[3] == {"idToken": {"idToken": "AB12", "type": "ISO14443"}}


def test_message_ids_from_the_generator() -> None:
    ep = Endpoint("station", "2.0.1", registration="Accepted", ids=iter(["x1", "x1", "y" * 37]))
    mid, _ = ep.call("Heartbeat", {})
    assert mid == "x1"
    ep.receive(frame(3, mid, {"currentTime": NOW}))
    for rule_text in ("already used", "1 to 36"):
        with pytest.raises(EndpointError, match=rule_text):
            ep.call("Heartbeat", {})
    with pytest.raises(EndpointError, match="exhausted"):
        ep.call("Heartbeat", {})
    counter = Endpoint("station", "2.0.1", registration="Accepted")
    assert counter.call("Heartbeat", {})[0] == "1"


def test_result_error_and_their_refusals() -> None:
    ep = Endpoint("csms", "2.0.1", registration="Accepted")
    call = only(ep.receive(frame(2, "h", "Heartbeat", {})), CallReceived)
    with pytest.raises(EndpointError) as bad_code:
        ep.error(call, "OccurrenceConstraintViolation")  # the 2.1 spelling, not 2.0.1's
    assert bad_code.value.rule == "error-code" and dict(ep.owed) == {"h": "Heartbeat"}
    text = ep.error(call, "InternalError", "x" * 400, {"why": "disk"})
    assert len(json.loads(text)[3]) == 255 and check_frame(text, "2.0.1").ok
    with pytest.raises(EndpointError) as twice:
        ep.result(call, {"currentTime": NOW})
    assert twice.value.rule == "not-owed"
    with pytest.raises(EndpointError):
        ep.result_error("h", "GenericError")  # no CALLRESULTERROR before 2.1


def test_21_send_and_callresulterror() -> None:
    station = Endpoint("station", "2.1", registration="Accepted")
    csms = Endpoint("csms", "2.1", registration="Accepted")
    stream = {"id": 1, "pending": 0, "basetime": NOW, "data": [{"t": 0, "v": "1"}]}
    _, busy = station.call("Heartbeat", {})
    _, text = station.send("NotifyPeriodicEventStream", stream)  # allowed while a CALL is in flight
    event = only(csms.receive(text), SendReceived)
    assert event.payload.id == 1 and csms.state is RpcState.IDLE
    call = only(csms.receive(busy), CallReceived)
    answer = csms.result(call, {"currentTime": NOW})
    only(station.receive(answer), ResultReceived)
    # The station could not use the CSMS's CALLRESULT: the CSMS hears of it, for the id it answered.
    complaint = station.result_error(json.loads(answer)[1], "GenericError", "cannot")
    assert json.loads(complaint)[0] == 5 and check_frame(complaint, "2.1").ok
    got = only(csms.receive(complaint), ResultErrorReceived)
    assert (got.message_id, got.description) == (json.loads(answer)[1], "cannot")
    # One for a CALLRESULT the CSMS never sent is reported only.
    stray = only(csms.receive(frame(5, "never", "GenericError", "", {})), ProtocolViolation)
    assert (stray.rule, stray.reply) == ("unknown-id", None)
    with pytest.raises(EndpointError):
        station.call("NotifyPeriodicEventStream", stream)
    with pytest.raises(EndpointError):
        Endpoint("station", "2.0.1").send("Heartbeat", {})


def test_crossing_calls() -> None:
    ep = Endpoint("csms", "1.6", registration="Accepted")
    mid, _ = ep.call("ClearCache", {})
    only(ep.receive(frame(2, "p", "Heartbeat", {})), CallReceived)
    assert ep.state is RpcState.CROSSED
    ep.result("p", {"currentTime": NOW})
    assert ep.state is RpcState.AWAITING
    only(ep.receive(frame(3, mid, {"status": "Accepted"})), ResultReceived)
    assert ep.state is RpcState.IDLE


def test_a_second_peer_call_strict_and_lenient() -> None:
    strict = Endpoint("csms", "2.0.1", registration="Accepted")
    only(strict.receive(frame(2, "1", "Heartbeat", {})), CallReceived)
    assert reply_of(strict.receive(frame(2, "2", "Heartbeat", {})))[:3] == [4, "2", "RpcFrameworkError"]
    lenient = Endpoint("csms", "2.0.1", registration="Accepted", strict=False)
    only(lenient.receive(frame(2, "1", "Heartbeat", {})), CallReceived)
    call, report = lenient.receive(frame(2, "2", "Heartbeat", {}))
    assert isinstance(call, CallReceived) and report.rule == "synchronicity" and report.reply is None
    assert set(lenient.owed) == {"1", "2"}


# -- boot rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_a_csms_refuses_calls_before_boot_with_securityerror(version: str) -> None:
    ep = Endpoint("csms", version)
    assert reply_of(ep.receive(frame(2, "h", "Heartbeat", {})))[:3] == [4, "h", "SecurityError"]
    boot = only(ep.receive(frame(2, "b", "BootNotification", BOOT[version])), CallReceived)
    ep.result(boot, boot_result("Pending", 10))
    assert ep.registration is Registration.PENDING
    assert reply_of(ep.receive(frame(2, "h2", "Heartbeat", {})))[2] == "SecurityError"
    boot = only(ep.receive(frame(2, "b2", "BootNotification", BOOT[version])), CallReceived)
    ep.result(boot, boot_result("Accepted", 10))
    only(ep.receive(frame(2, "h3", "Heartbeat", {})), CallReceived)


def test_report_and_off_modes_deliver() -> None:
    report = Endpoint("csms", "2.0.1", boot_rules="report")
    call, violation = report.receive(frame(2, "h", "Heartbeat", {}))
    assert isinstance(call, CallReceived) and violation.rule == "boot" and violation.reply is None
    off = Endpoint("csms", "2.0.1", boot_rules="off")
    only(off.receive(frame(2, "h", "Heartbeat", {})), CallReceived)
    assert Endpoint("station", "2.0.1", boot_rules="report").call("Heartbeat", {})


def test_a_station_may_only_boot_until_accepted_and_waits_the_interval() -> None:
    ep = Endpoint("station", "2.0.1")
    ep.tick(0)
    with pytest.raises(EndpointError) as early:
        ep.call("Heartbeat", {})
    assert early.value.rule == "boot" and "B01.FR.08" in str(early.value)
    mid, _ = ep.call("BootNotification", BOOT["2.0.1"])
    only(ep.receive(frame(3, mid, boot_result("Rejected", 60))), ResultReceived)
    assert ep.registration is Registration.REJECTED
    ep.tick(30)
    with pytest.raises(EndpointError) as interval:
        ep.call("BootNotification", BOOT["2.0.1"])
    assert interval.value.rule == "boot-interval"
    ep.tick(60)
    ep.call("BootNotification", BOOT["2.0.1"])


def test_a_pending_station_sends_what_the_csms_triggered() -> None:
    station = Endpoint("station", "2.0.1", registration="Pending")
    csms = Endpoint("csms", "2.0.1", registration="Pending")
    with pytest.raises(EndpointError):
        station.call("StatusNotification", {})
    # The CSMS asks for a Heartbeat and a report; the station accepts both.
    for action, payload, answer in (
        ("TriggerMessage", {"requestedMessage": "Heartbeat"}, {"status": "Accepted"}),
        ("GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}, {"status": "Accepted"}),
    ):
        _, text = csms.call(action, payload)
        call = only(station.receive(text), CallReceived)
        only(csms.receive(station.result(call, answer)), ResultReceived)
    assert station.granted == csms.granted == {"Heartbeat", "NotifyReport"}
    _, text = station.call("Heartbeat", {})
    only(csms.receive(text), CallReceived)
    # Remote start is not for a pending station: refused locally, answered (Rejected) remotely.
    with pytest.raises(EndpointError) as remote:
        csms.call(
            "RequestStartTransaction", {"idToken": {"idToken": "A", "type": "Central"}, "remoteStartId": 1}
        )
    assert "B02.FR.05" in str(remote.value)
    lax = Endpoint("csms", "2.0.1", registration="Pending", boot_rules="report")
    _, text = lax.call(
        "RequestStartTransaction", {"idToken": {"idToken": "A", "type": "Central"}, "remoteStartId": 1}
    )
    fresh = Endpoint("station", "2.0.1", registration="Pending")
    call, violation = fresh.receive(text)
    assert isinstance(call, CallReceived) and violation.rule == "boot" and violation.reply is None


@pytest.mark.parametrize(("version", "answered"), [("1.6", False), ("2.0.1", True)])
def test_a_rejected_station_and_csms_calls(version: str, answered: bool) -> None:
    ep = Endpoint("station", version, registration="Rejected")
    violation = only(ep.receive(frame(2, "c", "ClearCache", {})), ProtocolViolation)
    assert violation.rule == "boot"
    if answered:  # B03.FR.08
        assert json.loads(violation.reply)[2] == "SecurityError"
    else:  # OCPP 1.6 §4.2: a rejected charge point does not answer
        assert violation.reply is None
    with pytest.raises(EndpointError):
        Endpoint("csms", version, registration="Rejected").call("ClearCache", {})


def test_boot_rules_cover_every_registration_and_side() -> None:
    assert len(BOOT_RULES) == 2 * len(Registration) * 2
    assert {key[1] for key in BOOT_RULES} == set(Registration)
    assert len(REGISTRATION_SPEC.transitions) == 12


def test_endpoint_errors_are_in_the_tree() -> None:
    ep = Endpoint("station", "2.0.1", registration="Accepted")
    ep.call("Heartbeat", {})
    with pytest.raises(OcpkitError):
        ep.call("Heartbeat", {})
