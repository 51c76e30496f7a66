"""Transaction trackers: every pair of both tables, 1.6 and 2.x scenarios, hostile input."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit._fsm import Machine, mermaid
from ocpkit.errors import TransitionError, UnsupportedError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp.transaction import (
    V2_TRANSACTION_TRANSITIONS,
    V16_TRANSACTION_TRANSITIONS,
    TransactionEvents,
    Transactions16,
    v2_transaction_spec,
    v16_transaction_spec,
)

T0 = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def codes(findings: Iterable[Finding]) -> list[str]:
    return [f.code for f in findings]


# --- the tables, every pair --------------------------------------------------------------------------------

SPEC16 = v16_transaction_spec()
SPEC2 = v2_transaction_spec()


@pytest.mark.parametrize(("state", "event"), list(itertools.product(SPEC16.states, SPEC16.events)))
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_every_16_pair(state: str, event: str, policy: str) -> None:
    machine = Machine(SPEC16, state, policy=policy)  # type: ignore[arg-type]
    target = V16_TRANSACTION_TRANSITIONS.get((state, event))
    if target is not None:
        assert machine.step(event).finding is None and machine.state == target
    elif policy == "strict":
        with pytest.raises(TransitionError):
            machine.step(event)
        assert machine.state == state
    else:
        assert machine.step(event).finding is not None


@pytest.mark.parametrize(("state", "event"), list(itertools.product(SPEC2.states, SPEC2.events)))
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_every_v2_pair(state: str, event: str, policy: str) -> None:
    machine = Machine(SPEC2, state, policy=policy)  # type: ignore[arg-type]
    target = V2_TRANSACTION_TRANSITIONS.get((state, event))
    if target is not None:
        assert machine.step(event).finding is None and machine.state == target
    elif policy == "strict":
        with pytest.raises(TransitionError):
            machine.step(event)
        assert machine.state == state
    else:
        step = machine.step(event)
        assert step.finding is not None
        # Lenient follows what the event means: Ended ends, anything else keeps it going.
        assert machine.state == ("Ended" if event == "Ended" else "Ongoing")


def test_tables_draw() -> None:
    assert "Idle --> StartPending : StartTransaction.req" in mermaid(SPEC16)
    assert "Ongoing --> Ended : Ended" in mermaid(SPEC2)


# --- 1.6 tracker: every reachable state x every message ----------------------------------------------------

START = {"connectorId": 1, "idTag": "TAG", "meterStart": 100, "timestamp": "2024-01-15T10:00:00Z"}
START_CONF = {"transactionId": 42, "idTagInfo": {"status": "Accepted"}}
METER = {
    "connectorId": 1,
    "transactionId": 42,
    "meterValue": [{"timestamp": "2024-01-15T10:05:00Z", "sampledValue": [{"value": "300"}]}],
}
STOP = {
    "transactionId": 42,
    "meterStop": 900,
    "timestamp": "2024-01-15T10:30:00Z",
    "reason": "EVDisconnected",
}


def tracker_in(state: str, policy: str) -> Transactions16:
    tracker = Transactions16(policy=policy)  # type: ignore[arg-type]
    tracker.authorize({"idTag": "TAG"}, {"idTagInfo": {"status": "Accepted"}})
    steps = [
        lambda: tracker.start_transaction(START),
        lambda: tracker.start_transaction_result(START, START_CONF),
        lambda: tracker.stop_transaction(STOP),
        lambda: tracker.stop_transaction_result(STOP, {}),
    ]
    count = {"StartPending": 1, "Active": 2, "StopPending": 3, "Closed": 4}[state]
    for run in steps[:count]:
        assert run() == []
    return tracker


def tx_state(tracker: Transactions16) -> str | None:
    (tx,) = list(tracker.transactions())
    return tx.state


@pytest.mark.parametrize(
    ("state", "event"),
    list(
        itertools.product(
            ["Active", "StopPending", "Closed"],
            ["MeterValues", "StopTransaction.req", "StopTransaction.conf"],
        )
    ),
)
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_tracker_every_state_and_message(state: str, event: str, policy: str) -> None:
    tracker = tracker_in(state, policy)
    send = {
        "MeterValues": lambda: tracker.meter_values(METER),
        "StopTransaction.req": lambda: tracker.stop_transaction(STOP),
        "StopTransaction.conf": lambda: tracker.stop_transaction_result(STOP, {}),
    }[event]
    target = V16_TRANSACTION_TRANSITIONS.get((state, event))
    if target is not None:
        findings = send()
        assert [f for f in findings if f.severity is not Severity.INFO] == []
        assert tx_state(tracker) == target
    elif event == "StopTransaction.conf":
        # A conf for a stop that is not pending changes nothing (the fold only pairs real answers).
        assert send() == [] and tx_state(tracker) == state
    elif policy == "strict":
        with pytest.raises(TransitionError):
            send()
        assert tx_state(tracker) == state
    else:
        findings = send()
        assert [f.severity for f in findings] and all(f.severity is not Severity.INFO for f in findings)
        assert tx_state(tracker) == state


# --- 1.6 scenarios ------------------------------------------------------------------------------------------


def test_normal_session() -> None:
    tracker = Transactions16(policy="strict", max_meter_interval=timedelta(minutes=10))
    assert tracker.authorize({"idTag": "TAG"}, {"idTagInfo": {"status": "Accepted"}}) == []
    assert tracker.start_transaction(START, ref=1) == []
    assert tracker.start_transaction_result(START, START_CONF, ref=2) == []
    assert tracker.meter_values(METER, ref=3) == []
    assert tracker.stop_transaction(dict(STOP, timestamp="2024-01-15T10:14:00Z"), ref=4) == []
    assert tracker.stop_transaction_result(STOP, {"idTagInfo": {"status": "Accepted"}}, ref=5) == []
    tx = tracker.get(42)
    assert tx is not None and tx.state == "Closed"
    assert (tx.energy_wh, tx.reason, tx.meter_values, tx.connector_id) == (800, "EVDisconnected", 1, 1)
    assert tracker.finish() == []


def test_transaction_id_minus_one() -> None:
    # E16 §3.18: StartTransaction never answered; the charger goes on with -1 and the CS accepts it.
    tracker = Transactions16(policy="strict")
    tracker.start_transaction(START)
    assert codes(tracker.start_transaction_error(START)) == ["transaction.no-id"]
    assert tracker.meter_values(dict(METER, transactionId=-1)) == []
    assert tracker.stop_transaction(dict(STOP, transactionId=-1)) == []
    assert tracker.stop_transaction_result(dict(STOP, transactionId=-1), {}) == []
    (tx,) = list(tracker.transactions())
    assert (tx.state, tx.transaction_id, tx.meter_values, tx.energy_wh) == ("Closed", None, 1, 800)


def test_minus_one_without_idless_start_is_accepted_with_a_note() -> None:
    tracker = Transactions16()
    assert codes(tracker.meter_values(dict(METER, transactionId=-1))) == ["transaction.id-minus-one"]


def test_unknown_and_duplicate_stop() -> None:
    tracker = tracker_in("Closed", "lenient")
    assert codes(tracker.stop_transaction(STOP, ref="again")) == ["transaction.duplicate-stop"]
    assert codes(tracker.stop_transaction(dict(STOP, transactionId=7))) == ["transaction.stop-unknown"]
    assert codes(tracker.meter_values(METER)) == ["transaction.after-stop"]
    strict = tracker_in("Closed", "strict")
    with pytest.raises(TransitionError):
        strict.stop_transaction(STOP)
    assert strict.get(42) is not None and strict.get(42).state == "Closed"  # type: ignore[union-attr]


def test_start_not_accepted_then_stop_not_deauthorized() -> None:
    tracker = Transactions16()
    tracker.authorize({"idTag": "TAG"}, {"idTagInfo": {"status": "Blocked"}})
    assert codes(tracker.start_transaction(START)) == ["transaction.start-without-authorize"]
    found = tracker.start_transaction_result(START, {"transactionId": 42, "idTagInfo": {"status": "Blocked"}})
    assert codes(found) == ["transaction.start-not-accepted"]
    assert codes(tracker.stop_transaction(STOP)) == ["transaction.not-deauthorized"]


def test_stop_checks() -> None:
    tracker = tracker_in("Active", "lenient")
    stop = {"transactionId": 42, "meterStop": 50, "timestamp": "2024-01-15T09:00:00Z", "reason": "PowerSurge"}
    assert sorted(codes(tracker.stop_transaction(stop))) == [
        "transaction.meter-decreased",
        "transaction.stop-before-start",
        "transaction.stop-reason",
    ]
    tracker = tracker_in("Active", "lenient")
    no_reason = {"transactionId": 42, "meterStop": 100, "timestamp": "2024-01-15T10:01:00Z"}
    assert codes(tracker.stop_transaction(no_reason)) == ["transaction.no-energy"]
    assert tracker.get(42).reason == "Local"  # type: ignore[union-attr]


def test_start_checks() -> None:
    tracker = Transactions16()
    assert codes(tracker.start_transaction(dict(START, connectorId=0))) == ["transaction.connector"]
    tracker.authorize({"idTag": "TAG"}, {"idTagInfo": {"status": "Accepted"}})
    tracker.start_transaction(START)
    assert codes(tracker.start_transaction(START)) == ["transaction.start-while-active"]
    assert codes(
        tracker.start_transaction_result(START, {"transactionId": -5, "idTagInfo": {"status": "Accepted"}})
    ) == ["transaction.id-not-positive"]
    assert codes(tracker.start_transaction_result(START, START_CONF)) == ["transaction.orphan-result"]
    assert codes(tracker.finish()) == ["transaction.unfinished"]


def test_meter_gap_is_measured_against_the_caller_interval() -> None:
    tracker = tracker_in("Active", "lenient")
    tracker.max_meter_interval = timedelta(minutes=4)
    assert codes(tracker.meter_values(METER)) == ["transaction.meter-gap"]  # 5 min after the start
    # The same register reading again (a lower one would be a register finding).
    late = dict(METER, meterValue=[{"sampledValue": [{"value": "300"}]}])
    assert tracker.meter_values(late, at=T0 + timedelta(minutes=8)) == []
    assert codes(tracker.meter_values(dict(METER, connectorId=2), at=T0 + timedelta(minutes=20))) == [
        "transaction.connector-mismatch"
    ]


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["authorize", "start", "start_conf", "start_error", "meter", "stop", "stop_conf"]
            ),
            st.dictionaries(
                st.sampled_from(
                    [
                        "connectorId",
                        "transactionId",
                        "idTag",
                        "meterStart",
                        "meterStop",
                        "reason",
                        "timestamp",
                        "meterValue",
                        "idTagInfo",
                        "transactionData",
                    ]
                ),
                st.one_of(
                    st.integers(-2, 3),
                    st.text(max_size=4),
                    st.none(),
                    st.booleans(),
                    st.lists(st.integers(), max_size=2),
                    st.just("2024-01-15T10:00:00Z"),
                ),
            ),
        ),
        max_size=12,
    )
)
def test_hostile_1_6_traffic_gives_findings_only(messages: list[tuple[str, dict[str, Any]]]) -> None:
    tracker = Transactions16(policy="lenient", max_meter_interval=timedelta(seconds=1))
    for kind, payload in messages:
        result = {
            "authorize": lambda p=payload: tracker.authorize(p, p),
            "start": lambda p=payload: tracker.start_transaction(p, at=T0),
            "start_conf": lambda p=payload: tracker.start_transaction_result(p, p),
            "start_error": lambda p=payload: tracker.start_transaction_error(p),
            "meter": lambda p=payload: tracker.meter_values(p),
            "stop": lambda p=payload: tracker.stop_transaction(p),
            "stop_conf": lambda p=payload: tracker.stop_transaction_result(p, p),
        }[kind]()
        assert all(isinstance(f, Finding) for f in result)
    assert all(isinstance(f, Finding) for f in tracker.finish())


# --- 2.x scenarios ------------------------------------------------------------------------------------------


def event(kind: str, seq: int, tx: str = "TX1", **extra: Any) -> dict[str, Any]:
    info = {"transactionId": tx}
    info.update(extra.pop("info", {}))
    return {
        "eventType": kind,
        "seqNo": seq,
        "timestamp": "2024-01-15T10:00:00Z",
        "triggerReason": extra.pop("trigger", "MeterValuePeriodic"),
        "transactionInfo": info,
        **extra,
    }


def test_v2_normal_transaction() -> None:
    tracker = TransactionEvents(policy="strict")
    assert (
        tracker.transaction_event(
            event("Started", 0, idToken={"idToken": "A", "type": "ISO14443"}, evse={"id": 1})
        )
        == []
    )
    charging = event(
        "Updated", 1, trigger="ChargingStateChanged", info={"chargingState": "Charging"}, meterValue=[{}]
    )
    assert tracker.transaction_event(charging) == []
    assert tracker.transaction_event(event("Updated", 2, meterValue=[{}, {}])) == []
    assert (
        tracker.transaction_event(
            event("Ended", 3, info={"stoppedReason": "EVDisconnected", "chargingState": "Idle"})
        )
        == []
    )
    tx = tracker.get("TX1")
    assert tx is not None
    assert (tx.state, tx.charging_state, tx.meter_values, tx.stopped_reason) == (
        "Ended",
        "Idle",
        3,
        "EVDisconnected",
    )
    assert tx.id_token == {"idToken": "A", "type": "ISO14443"}
    assert tracker.finish() == []


def test_v2_seqno_gap_reported_until_filled_by_late_offline_events() -> None:
    tracker = TransactionEvents(policy="strict")
    tracker.transaction_event(event("Started", 0))
    tracker.transaction_event(event("Updated", 1, info={"chargingState": "Charging"}))
    # TC_E_31_CSMS: Ended skips two numbers; the two Updated come later with offline = true.
    assert codes(tracker.transaction_event(event("Ended", 4, info={"chargingState": "EVConnected"}))) == [
        "transaction.seqno-skip"
    ]
    assert codes(tracker.finish()) == ["transaction.seqno-gap"]
    late = event("Updated", 2, offline=True, info={"chargingState": "SuspendedEV"})
    assert tracker.transaction_event(late) == []
    assert tracker.transaction_event(event("Updated", 3, offline=True)) == []
    tx = tracker.get("TX1")
    assert tx is not None and tx.state == "Ended"
    # The late event did not rewind the live charging state.
    assert tx.charging_state == "EVConnected" and tx.late_events == 2
    assert tracker.finish() == []


def test_v2_late_event_without_offline_flag_is_noted() -> None:
    tracker = TransactionEvents()
    tracker.transaction_event(event("Started", 0))
    tracker.transaction_event(event("Updated", 2))
    assert codes(tracker.transaction_event(event("Updated", 1))) == ["transaction.out-of-order"]


def test_v2_duplicate_ended_and_events_after_ended() -> None:
    tracker = TransactionEvents(policy="lenient")
    tracker.transaction_event(event("Started", 0))
    tracker.transaction_event(event("Ended", 1))
    assert codes(tracker.transaction_event(event("Ended", 2))) == ["transaction.duplicate-ended"]
    assert codes(tracker.transaction_event(event("Updated", 3))) == ["transaction.after-ended"]
    assert codes(tracker.transaction_event(event("Updated", 3))) == ["transaction.seqno-duplicate"]
    strict = TransactionEvents(policy="strict")
    strict.transaction_event(event("Started", 0))
    strict.transaction_event(event("Ended", 1))
    with pytest.raises(TransitionError):
        strict.transaction_event(event("Ended", 2))
    tx = strict.get("TX1")
    assert tx is not None and (tx.state, tx.max_seq, tx.events) == ("Ended", 1, 2)


def test_v2_ended_without_started() -> None:
    lenient = TransactionEvents(policy="lenient")
    assert codes(lenient.transaction_event(event("Ended", 0))) == ["transaction.no-started"]
    assert codes(lenient.finish()) == ["transaction.no-started"]
    strict = TransactionEvents(policy="strict")
    with pytest.raises(TransitionError):
        strict.transaction_event(event("Ended", 0))
    assert strict.get("TX1") is None  # refused: nothing recorded
    # With seqNo > 0 the Started may still arrive late: awaited, then checked.
    waiting = TransactionEvents(policy="strict")
    assert codes(waiting.transaction_event(event("Ended", 2))) == [
        "transaction.seqno-skip",
        "transaction.started-not-seen",
    ]
    assert sorted(codes(waiting.finish())) == ["transaction.no-started", "transaction.seqno-gap"]
    assert waiting.transaction_event(event("Started", 0, offline=True)) == []
    assert waiting.transaction_event(event("Updated", 1, offline=True)) == []
    assert waiting.finish() == []


def test_v2_duplicate_started_and_late_ended() -> None:
    tracker = TransactionEvents()
    tracker.transaction_event(event("Started", 0))
    assert codes(tracker.transaction_event(event("Started", 1))) == ["transaction.duplicate-started"]
    tracker.transaction_event(event("Updated", 3))
    assert codes(tracker.transaction_event(event("Ended", 2, offline=True))) == ["transaction.ended-not-last"]


def test_v2_seqno_rules() -> None:
    tracker = TransactionEvents()
    assert codes(tracker.transaction_event(event("Started", 5))) == ["transaction.seqno-start"]
    assert codes(tracker.transaction_event(event("Updated", 5))) == ["transaction.seqno-duplicate"]
    assert codes(tracker.transaction_event(event("Updated", -1))) == ["transaction.seqno"]
    assert codes(tracker.transaction_event(event("Updated", 10**9))) == ["transaction.seqno-jump"]
    assert codes(tracker.transaction_event(event("Paused", 6))) == ["transaction.event-type"]
    assert codes(tracker.transaction_event({"eventType": "Started", "seqNo": 0})) == ["transaction.id"]
    # seqNo restarts at 0 for every transaction (E01.FR.07).
    assert tracker.transaction_event(event("Started", 0, tx="TX2")) == []


def test_v2_charging_state_required_on_change_and_boot_forgets_ended() -> None:
    tracker = TransactionEvents(version="2.1")
    tracker.transaction_event(event("Started", 0))
    found = tracker.transaction_event(event("Updated", 1, trigger="ChargingStateChanged"))
    assert codes(found) == ["transaction.charging-state-missing"]
    tracker.transaction_event(event("Ended", 2))
    tracker.boot()
    assert tracker.get("TX1") is None
    assert tracker.transaction_event(event("Started", 0)) == []
    with pytest.raises(UnsupportedError):
        TransactionEvents(version="1.6")


@settings(max_examples=200)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "eventType": st.sampled_from(["Started", "Updated", "Ended", "x"]),
                "seqNo": st.one_of(st.integers(-1, 6), st.none(), st.text(max_size=2)),
                "offline": st.booleans(),
                "transactionInfo": st.one_of(
                    st.fixed_dictionaries({"transactionId": st.sampled_from(["A", "B", ""])}),
                    st.none(),
                    st.integers(),
                ),
            }
        ),
        max_size=15,
    )
)
def test_hostile_v2_traffic_gives_findings_only(messages: list[dict[str, Any]]) -> None:
    tracker = TransactionEvents(policy="lenient")
    for message in messages:
        assert all(isinstance(f, Finding) for f in tracker.transaction_event(message))
    for tx in tracker.transactions():
        assert tx.max_seq is None or all(n < tx.max_seq for n in tx.missing)
    assert all(isinstance(f, Finding) for f in tracker.finish())


# --- more 1.6 tracker cases (the open-ocpp-trace fixtures run through the conversation fold,
# see tests/ocpp/test_conversation.py) ------------------------------------------------------------------


def test_two_idless_transactions_in_a_row_and_connector0_meter_values() -> None:
    tracker = Transactions16(policy="strict")
    for _ in range(2):
        tracker.start_transaction(START)
        tracker.start_transaction_error(START)
        assert tracker.meter_values(dict(METER, transactionId=-1)) == []
        assert tracker.stop_transaction(dict(STOP, transactionId=-1)) == []
        assert tracker.stop_transaction_result(dict(STOP, transactionId=-1), {}) == []
    assert [tx.state for tx in tracker.transactions()] == ["Closed", "Closed"]
    # With no id-less start open, -1 is still accepted (E16 §3.18), with a note.
    assert codes(tracker.meter_values(dict(METER, transactionId=-1))) == ["transaction.id-minus-one"]
    main_meter = dict(METER, connectorId=0, transactionId=-1)
    assert codes(tracker.meter_values(main_meter)) == [
        "transaction.connector0-meter",
        "transaction.id-minus-one",
    ]


def test_naive_receive_times_are_taken_as_utc() -> None:
    tracker = Transactions16(max_meter_interval=timedelta(minutes=1))
    tracker.start_transaction(
        {"connectorId": 1, "idTag": "T", "meterStart": 0}, at=datetime(2024, 1, 15, 10, 0)
    )
    tracker.start_transaction_result({"connectorId": 1}, START_CONF)
    # The sample carries an aware timestamp 5 minutes later: compared, not a TypeError.
    assert codes(tracker.meter_values(METER)) == ["transaction.meter-gap"]


def test_transaction_met_in_the_middle_is_reported_once_then_followed() -> None:
    tracker = Transactions16(policy="strict")
    assert codes(tracker.meter_values(METER)) == ["transaction.unknown-id"]
    assert tracker.meter_values(METER) == []
    assert tracker.stop_transaction(STOP) == []
    assert tracker.stop_transaction_result(STOP, {}) == []
    tx = tracker.get(42)
    assert tx is not None and (tx.state, tx.connector_id, tx.meter_start, tx.meter_stop) == (
        "Closed",
        1,
        None,
        900,
    )
    # A stop is the first thing seen of another transaction: reported, then closed normally.
    assert codes(tracker.stop_transaction(dict(STOP, transactionId=43))) == ["transaction.stop-unknown"]
    assert tracker.stop_transaction_result(dict(STOP, transactionId=43), {}) == []
    other = tracker.get(43)
    assert other is not None and other.state == "Closed" and other.connector_id is None
    assert tracker.finish() == []


def test_v2_response_checks() -> None:
    tracker = TransactionEvents()
    with_token = event("Started", 0, idToken={"idToken": "A", "type": "ISO14443"})
    assert tracker.transaction_event_result(with_token, {"idTokenInfo": {"status": "Accepted"}}) == []
    assert codes(tracker.transaction_event_result(with_token, {"idTokenInfo": {"status": "Blocked"}})) == [
        "transaction.id-token-not-accepted"
    ]
    plain = event("Updated", 1)
    assert codes(tracker.transaction_event_result(plain, {"idTokenInfo": {"status": "Accepted"}})) == [
        "transaction.id-token-info-unasked"
    ]
    assert codes(tracker.transaction_event_result(plain, {"totalCost": 1.5})) == [
        "transaction.total-cost-early"
    ]
    assert tracker.transaction_event_result(event("Ended", 2), {"totalCost": 1.5}) == []
    assert tracker.transaction_event_result(None, None) == []
