"""Transactions whose start or stop is not in the log: energy and CDR from the register meter values.

Each log below is a synthetic OCPP-J capture of the shape real logs have when they begin (or end)
mid-session: the frames as a charge point and its server exchanged them, one JSON array per line.
Every frame is checked to be valid OCPP first. Expected figures are worked out in the comments.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit import energy
from ocpkit.bridge import BridgeConfig, Message, read_transaction, to_cdr, to_session
from ocpkit.errors import BridgeError, OcpkitError
from ocpkit.ocpp import v16
from ocpkit.ocpp.validation import check_frames

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CDR_LOCATION: dict[str, Any] = {
    "id": "LOC-1",
    "address": "Stationsplein 1",
    "city": "Utrecht",
    "country": "NLD",
    "coordinates": {"latitude": "52.08900", "longitude": "5.11000"},
    "evse_uid": "EVSE-1",
    "evse_id": "NL*CPO*E1",
    "connector_id": "1",
    "connector_standard": "IEC_62196_T2",
    "connector_format": "SOCKET",
    "connector_power_type": "AC_3_PHASE",
}
CONFIG = BridgeConfig("NL", "CPO", CDR_LOCATION, "EUR")


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _messages(log: str, version: str) -> list[Message]:
    """The CALLs of an OCPP-J log as Messages, each with the CALLRESULT that answered it."""
    lines = [line.strip().encode() for line in log.strip().splitlines() if line.strip()]
    reports = list(check_frames(lines, version))
    assert all(r.ok for r in reports), [r.violations for r in reports if not r.ok]
    calls: list[list[Any]] = []
    answers: dict[str, Any] = {}
    for line in lines:
        frame = json.loads(line)
        if frame[0] == 2:
            calls.append(frame)
        elif frame[0] == 3:
            answers[frame[1]] = frame[2]
    return [Message(action, payload, response=answers.get(mid)) for _, mid, action, payload in calls]


# --------------------------------------------------------------------------- OCPP 1.6

# The log begins at 10:10 while transaction 42 runs on connector 2 (its StartTransaction is older);
# transaction 43 starts and stops on connector 1 within the log.
#   tx 42: MeterValues 12.5 kWh at 10:15, 13100 Wh at 10:30; StopTransaction 11:00, meterStop 14250 Wh,
#          idTag TAG-9. Energy from the first reading: 14250 - 12500 = 1750 Wh = 1.75 kWh;
#          start 10:15 (estimated), stop 11:00: 0.75 h.
LOG16 = """
[2,"a1","StatusNotification",{"connectorId":2,"errorCode":"NoError","status":"Charging","timestamp":"2026-05-01T10:10:00Z"}]
[3,"a1",{}]
[2,"a2","MeterValues",{"connectorId":2,"transactionId":42,"meterValue":[{"timestamp":"2026-05-01T10:15:00Z","sampledValue":[{"value":"12.5","unit":"kWh","measurand":"Energy.Active.Import.Register"},{"value":"7100","unit":"W","measurand":"Power.Active.Import"}]}]}]
[3,"a2",{}]
[2,"a3","StartTransaction",{"connectorId":1,"idTag":"TAG-1","meterStart":500,"timestamp":"2026-05-01T10:20:00Z"}]
[3,"a3",{"transactionId":43,"idTagInfo":{"status":"Accepted"}}]
[2,"a4","MeterValues",{"connectorId":2,"transactionId":42,"meterValue":[{"timestamp":"2026-05-01T10:30:00Z","sampledValue":[{"value":"13100"}]}]}]
[3,"a4",{}]
[2,"a5","StopTransaction",{"transactionId":43,"meterStop":1500,"timestamp":"2026-05-01T10:40:00Z"}]
[3,"a5",{}]
[2,"a6","StopTransaction",{"transactionId":42,"idTag":"TAG-9","meterStop":14250,"timestamp":"2026-05-01T11:00:00Z","reason":"EVDisconnected"}]
[3,"a6",{"idTagInfo":{"status":"Accepted"}}]
"""


def test_16_log_starting_mid_session_is_refused_unless_asked_to_estimate() -> None:
    messages = _messages(LOG16, "1.6")
    with pytest.raises(BridgeError, match=r"no StartTransaction with transactionId 42 \(estimate_start=True"):
        read_transaction(messages, transaction_id=42)
    # The transaction that started in the log is read as before, estimate or not.
    plain = read_transaction(messages)
    assert read_transaction(messages, estimate_start=True) == plain
    assert (plain.transaction_id, plain.start_estimated, plain.end_estimated) == ("43", None, None)


def test_16_energy_and_cdr_without_start_transaction() -> None:
    tx = read_transaction(_messages(LOG16, "1.6"), transaction_id=42, estimate_start=True)
    assert (tx.transaction_id, tx.connector, tx.id_token, tx.stop_reason) == (
        "42",
        2,
        "TAG-9",
        "EVDisconnected",
    )
    assert (tx.start, tx.end) == (_t("2026-05-01T10:15:00Z"), _t("2026-05-01T11:00:00Z"))
    assert tx.start_estimated == "first MeterValues register reading at 2026-05-01T10:15:00Z"
    assert tx.end_estimated is None
    result = tx.energy
    assert result.energy_wh == Decimal(1750)
    assert result.start_estimated == (
        "first Energy.Active.Import.Register sample at 2026-05-01T10:15:00+00:00 (Sample.Periodic, 12500 Wh)"
    )
    assert result.end_estimated is None
    cdr = to_cdr(tx, CONFIG, now=NOW)
    assert (cdr.start_date_time, cdr.end_date_time) == (tx.start, tx.end)
    assert (cdr.total_energy, cdr.total_time) == (Decimal("1.75"), Decimal("0.75"))
    assert cdr.charging_periods[0].start_date_time == tx.start
    assert cdr.cdr_token.uid == "TAG-9"


def test_16_typed_models_give_the_same_estimate() -> None:
    messages = _messages(LOG16, "1.6")
    typed = [
        Message(m.action, getattr(v16, f"{m.action}Request").model_validate(m.payload), response=m.response)
        for m in messages
    ]
    a = read_transaction(typed, transaction_id=42, estimate_start=True)
    b = read_transaction(messages, transaction_id=42, estimate_start=True)
    assert (a.start, a.end, a.readings, a.start_estimated) == (b.start, b.end, b.readings, b.start_estimated)


# The log ends at 10:30 while transaction 43 still runs: StartTransaction 10:00 at 1000 Wh,
# MeterValues 4000 Wh at 10:15 and 6.5 kWh at 10:30, no StopTransaction.
# Energy 6500 - 1000 = 5500 Wh; end 10:30 (estimated): 0.5 h.
LOG16_CUT = """
[2,"b1","StartTransaction",{"connectorId":1,"idTag":"TAG-1","meterStart":1000,"timestamp":"2026-05-01T10:00:00Z"}]
[3,"b1",{"transactionId":43,"idTagInfo":{"status":"Accepted"}}]
[2,"b2","MeterValues",{"connectorId":1,"transactionId":43,"meterValue":[{"timestamp":"2026-05-01T10:15:00Z","sampledValue":[{"value":"4000"}]}]}]
[3,"b2",{}]
[2,"b3","MeterValues",{"connectorId":1,"transactionId":43,"meterValue":[{"timestamp":"2026-05-01T10:30:00Z","sampledValue":[{"value":"6.5","unit":"kWh"}]}]}]
[3,"b3",{}]
"""


def test_16_log_ending_mid_session_estimates_the_stop() -> None:
    messages = _messages(LOG16_CUT, "1.6")
    running = read_transaction(messages)
    assert running.end is None and not running.stopped
    with pytest.raises(BridgeError, match="has not stopped"):
        to_cdr(running, CONFIG, now=NOW)
    tx = read_transaction(messages, estimate_end=True)
    assert (tx.start, tx.end) == (_t("2026-05-01T10:00:00Z"), _t("2026-05-01T10:30:00Z"))
    assert (tx.start_estimated, tx.end_estimated) == (
        None,
        "last MeterValues register reading at 2026-05-01T10:30:00Z",
    )
    assert tx.readings == running.readings and tx.stop_reason is None
    result = tx.energy
    assert (result.energy_wh, result.start_estimated) == (Decimal(5500), None)
    assert result.end_estimated is not None and result.end_estimated.startswith(
        "last Energy.Active.Import.Register sample at 2026-05-01T10:30:00+00:00"
    )
    cdr = to_cdr(tx, CONFIG, now=NOW)
    assert (cdr.end_date_time, cdr.total_energy, cdr.total_time) == (tx.end, Decimal("5.5"), Decimal("0.5"))
    session = to_session(tx, CONFIG, now=NOW)
    assert (session.status, session.end_date_time, session.kwh) == ("COMPLETED", tx.end, Decimal("5.5"))


def test_16_both_ends_missing() -> None:
    # Only the MeterValues of transaction 43 (10:15 and 10:30): 6500 - 4000 = 2500 Wh over 0.25 h.
    messages = [m for m in _messages(LOG16_CUT, "1.6") if m.action == "MeterValues"]
    with pytest.raises(BridgeError, match="no transaction start"):
        read_transaction(messages)
    tx = read_transaction(messages, estimate_start=True, estimate_end=True)
    assert (tx.start, tx.end, tx.connector, tx.id_token) == (
        _t("2026-05-01T10:15:00Z"),
        _t("2026-05-01T10:30:00Z"),
        1,
        "",
    )
    assert tx.start_estimated == "first MeterValues register reading at 2026-05-01T10:15:00Z"
    assert tx.end_estimated == "last MeterValues register reading at 2026-05-01T10:30:00Z"
    assert tx.energy.energy_wh == Decimal(2500)
    # No message names the token: the energy is known, a CDR is not.
    with pytest.raises(BridgeError, match="has no token: its start is not among the messages"):
        to_cdr(tx, CONFIG, now=NOW)


@pytest.mark.parametrize(
    ("messages", "options", "match"),
    [
        # A stop without any meter value before it: nothing stands for the start.
        (
            [
                Message(
                    "StopTransaction",
                    {"transactionId": 42, "meterStop": 14250, "timestamp": "2026-05-01T11:00:00Z"},
                )
            ],
            {"estimate_start": True},
            r"transaction 42: no StartTransaction, and no register meter value "
            r"\(Energy.Active.Import.Register\) before its stop to estimate its start from",
        ),
        # Meter values without a register reading (power only).
        (
            [
                Message(
                    "MeterValues",
                    {
                        "connectorId": 1,
                        "transactionId": 42,
                        "meterValue": [
                            {
                                "timestamp": "2026-05-01T10:00:00Z",
                                "sampledValue": [
                                    {"value": "7100", "unit": "W", "measurand": "Power.Active.Import"}
                                ],
                            }
                        ],
                    },
                )
            ],
            {"estimate_start": True},
            "no register meter value .* to estimate its start from",
        ),
        # One reading stands for the start; none is left for the end.
        (
            [m for m in _messages(LOG16_CUT, "1.6") if m.action == "MeterValues"][:1],
            {"estimate_start": True, "estimate_end": True},
            "no StopTransaction, and no register meter value .* after its start to estimate its end from",
        ),
        # A start and no reading after it.
        (
            _messages(LOG16_CUT, "1.6")[:1],
            {"estimate_end": True},
            "after its start to estimate its end from",
        ),
        # Two transactions without a start and none named.
        (
            [
                *[m for m in _messages(LOG16, "1.6") if m.action == "MeterValues"],
                *[m for m in _messages(LOG16_CUT, "1.6") if m.action == "MeterValues"],
            ],
            {"estimate_start": True},
            "2 transactions without a StartTransaction",
        ),
        (
            [m for m in _messages(LOG16, "1.6") if m.action == "MeterValues"],
            {"estimate_start": True, "transaction_id": 7},
            "no StartTransaction with transactionId 7, and no MeterValues or StopTransaction naming it",
        ),
    ],
)
def test_16_missing_ends_that_cannot_be_estimated(
    messages: list[Message], options: dict[str, Any], match: str
) -> None:
    with pytest.raises(BridgeError, match=match):
        read_transaction(messages, **options)


# --------------------------------------------------------------------------- OCPP 2.0.1

# The log begins after the Started event of TX-7 (EVSE 1, connector 1):
#   seqNo 4 Updated 12:20, register 2.5 kWh; seqNo 5 Updated 12:40, 4000 Wh (SuspendedEV from 12:40);
#   seqNo 6 Ended 13:00 with Transaction.End register 5000 Wh and the idToken that stopped it.
# Energy 5000 - 2500 = 2500 Wh = 2.5 kWh; start 12:20 (estimated), end 13:00. Charging 12:20-12:40
# (the state before the first change is Charging), parking 12:40-13:00.
LOG201 = """
[2,"c1","TransactionEvent",{"eventType":"Updated","timestamp":"2026-05-01T12:20:00Z","triggerReason":"MeterValuePeriodic","seqNo":4,"transactionInfo":{"transactionId":"TX-7","chargingState":"Charging"},"evse":{"id":1,"connectorId":1},"meterValue":[{"timestamp":"2026-05-01T12:20:00Z","sampledValue":[{"value":2.5,"measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"kWh"}}]}]}]
[3,"c1",{}]
[2,"c2","TransactionEvent",{"eventType":"Updated","timestamp":"2026-05-01T12:40:00Z","triggerReason":"ChargingStateChanged","seqNo":5,"transactionInfo":{"transactionId":"TX-7","chargingState":"SuspendedEV"},"meterValue":[{"timestamp":"2026-05-01T12:40:00Z","sampledValue":[{"value":4000}]}]}]
[3,"c2",{}]
[2,"c3","TransactionEvent",{"eventType":"Ended","timestamp":"2026-05-01T13:00:00Z","triggerReason":"StopAuthorized","seqNo":6,"transactionInfo":{"transactionId":"TX-7","stoppedReason":"Local"},"idToken":{"idToken":"04A1B2C3","type":"ISO14443"},"meterValue":[{"timestamp":"2026-05-01T13:00:00Z","sampledValue":[{"value":5000,"context":"Transaction.End"}]}]}]
[3,"c3",{}]
"""


def test_201_log_starting_mid_session() -> None:
    messages = _messages(LOG201, "2.0.1")
    with pytest.raises(BridgeError, match=r"no Started event \(estimate_start=True"):
        read_transaction(messages)
    tx = read_transaction(messages, estimate_start=True)
    assert (tx.transaction_id, tx.connector, tx.id_token, tx.id_token_type) == (
        "TX-7",
        (1, 1),
        "04A1B2C3",
        "ISO14443",
    )
    assert (tx.start, tx.end, tx.stop_reason) == (
        _t("2026-05-01T12:20:00Z"),
        _t("2026-05-01T13:00:00Z"),
        "Local",
    )
    assert tx.start_estimated == "first TransactionEvent Updated register reading at 2026-05-01T12:20:00Z"
    assert tx.energy.energy_wh == Decimal(2500) and tx.energy.start_estimated is not None
    cdr = to_cdr(tx, CONFIG, now=NOW)
    assert (cdr.start_date_time, cdr.total_energy) == (tx.start, Decimal("2.5"))
    assert [[d.type for d in p.dimensions][:2] for p in cdr.charging_periods] == [
        ["ENERGY", "TIME"],
        ["ENERGY", "PARKING_TIME"],
    ]
    # 1.5 kWh counted by 12:40 in the charging period, 1 kWh in parking (12:40-13:00, 1/3 h).
    assert [p.dimensions[0].volume for p in cdr.charging_periods] == [Decimal("1.5"), Decimal(1)]
    assert cdr.total_parking_time == Decimal("0.333333333333")


def test_201_log_ending_mid_session() -> None:
    # Started 12:00 with its Transaction.Begin register 1000 Wh, Updated 12:30 at 3000 Wh; no Ended.
    log = """
[2,"d1","TransactionEvent",{"eventType":"Started","timestamp":"2026-05-01T12:00:00Z","triggerReason":"Authorized","seqNo":0,"transactionInfo":{"transactionId":"TX-8"},"idToken":{"idToken":"04A1B2C3","type":"ISO14443"},"evse":{"id":1,"connectorId":1},"meterValue":[{"timestamp":"2026-05-01T12:00:00Z","sampledValue":[{"value":1000,"context":"Transaction.Begin"}]}]}]
[3,"d1",{"idTokenInfo":{"status":"Accepted"}}]
[2,"d2","TransactionEvent",{"eventType":"Updated","timestamp":"2026-05-01T12:30:00Z","triggerReason":"MeterValuePeriodic","seqNo":1,"transactionInfo":{"transactionId":"TX-8"},"meterValue":[{"timestamp":"2026-05-01T12:30:00Z","sampledValue":[{"value":3000}]}]}]
[3,"d2",{}]
"""
    messages = _messages(log, "2.0.1")
    assert read_transaction(messages).end is None
    tx = read_transaction(messages, estimate_end=True)
    assert (tx.start, tx.end) == (_t("2026-05-01T12:00:00Z"), _t("2026-05-01T12:30:00Z"))
    assert (tx.start_estimated, tx.end_estimated) == (
        None,
        "last TransactionEvent Updated register reading at 2026-05-01T12:30:00Z",
    )
    cdr = to_cdr(tx, CONFIG, now=NOW)
    assert (cdr.total_energy, cdr.total_time) == (Decimal(2), Decimal("0.5"))


def test_201_without_any_register_reading_or_token() -> None:
    no_meter = [
        Message(m.action, {k: v for k, v in m.payload.items() if k != "meterValue"})  # type: ignore[attr-defined]
        for m in _messages(LOG201, "2.0.1")
    ]
    with pytest.raises(
        BridgeError, match=r"TX-7: no Started event, and no register meter value .* before its stop"
    ):
        read_transaction(no_meter, estimate_start=True)
    no_token = [
        Message(m.action, {k: v for k, v in m.payload.items() if k != "idToken"})  # type: ignore[attr-defined]
        for m in _messages(LOG201, "2.0.1")
    ]
    tx = read_transaction(no_token, estimate_start=True)
    assert (tx.id_token, tx.energy.energy_wh) == ("", Decimal(2500))
    with pytest.raises(BridgeError, match="TX-7 has no token"):
        to_session(tx, CONFIG, now=NOW)


# --------------------------------------------------------------------------- ocpkit.energy alone


def test_energy_says_which_end_stands_in() -> None:
    readings = [
        r
        for m in _messages(LOG16, "1.6")
        if m.action == "MeterValues"
        for r in energy.readings_from_payload("MeterValues", m.payload)
    ]
    plain = energy.energy_delivered(readings)
    both = energy.energy_delivered(readings, start_missing=True, end_missing=True)
    assert plain.energy_wh == both.energy_wh == Decimal(600)  # 13100 - 12500
    assert (plain.start_estimated, plain.end_estimated) == (None, None)
    assert both.start_estimated == (
        "first Energy.Active.Import.Register sample at 2026-05-01T10:15:00+00:00 (Sample.Periodic, 12500 Wh)"
    )
    assert both.end_estimated == (
        "last Energy.Active.Import.Register sample at 2026-05-01T10:30:00+00:00 (Sample.Periodic, 13100 Wh)"
    )
    # Nothing to stand in: no estimate is named.
    empty = energy.energy_delivered([], start_missing=True, end_missing=True)
    assert (empty.energy_wh, empty.start_estimated, empty.end_estimated) == (None, None, None)


# --------------------------------------------------------------------------- hostile input

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=8)
    | st.floats(allow_nan=True),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=10,
)
_FIELDS = [
    "transactionId",
    "connectorId",
    "meterValue",
    "meterStop",
    "timestamp",
    "idTag",
    "transactionData",
    "transactionInfo",
    "idToken",
    "evse",
    "seqNo",
    "eventType",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([("1.6", LOG16, 42), ("1.6", LOG16_CUT, 43), ("2.0.1", LOG201, "TX-7")]),
    st.integers(0, 10),
    st.sampled_from(_FIELDS),
    _JSON,
    st.booleans(),
)
def test_hostile_fields_in_a_log_cut_mid_session(
    log: tuple[str, str, int | str], which: int, key: str, value: Any, drop: bool
) -> None:
    version, text, tx_id = log
    messages = _messages(text, version)
    target = messages[which % len(messages)]
    payload = dict(target.payload)  # type: ignore[call-overload]
    if drop:
        payload.pop(key, None)
    else:
        payload[key] = value
    messages[which % len(messages)] = Message(target.action, payload, response=target.response)
    try:
        tx = read_transaction(messages, transaction_id=tx_id, estimate_start=True, estimate_end=True)
    except BridgeError:
        return
    assert tx.end is not None and tx.end >= tx.start
    # No mutation adds the missing message: its end is still estimated.
    if text is LOG16 or (
        text is LOG201 and not any(m.payload.get("eventType") == "Started" for m in messages)
    ):  # type: ignore[attr-defined]
        assert tx.start_estimated is not None
    if text is LOG16_CUT:
        assert tx.end_estimated is not None
    try:
        cdr = to_cdr(tx, CONFIG, now=NOW)
    except OcpkitError as exc:
        assert isinstance(exc, BridgeError)
    else:
        assert cdr.start_date_time == tx.start and cdr.end_date_time == tx.end


def test_requests_of_other_transactions_are_not_taken_for_a_missing_start() -> None:
    # 1.6: a RemoteStartTransaction for TAG-9 on connector 2 later in the log starts the next
    # transaction, not transaction 42 (whose own remote start, if any, preceded the log).
    later = Message("RemoteStartTransaction", {"connectorId": 2, "idTag": "TAG-9"})
    tx = read_transaction([*_messages(LOG16, "1.6"), later], transaction_id=42, estimate_start=True)
    assert tx.remote_start is False
    # 2.x: a RequestStartTransaction before the first event seen names no transaction of it...
    no_token = [
        Message(m.action, {k: v for k, v in m.payload.items() if k != "idToken"})  # type: ignore[attr-defined]
        for m in _messages(LOG201, "2.0.1")
    ]
    request = Message(
        "RequestStartTransaction", {"idToken": {"idToken": "OTHER", "type": "Central"}, "remoteStartId": 3}
    )
    tx = read_transaction([request, *no_token], estimate_start=True)
    assert (tx.id_token, tx.remote_start) == ("", False)
    # ...unless its remoteStartId is the transaction's.
    info = {"transactionId": "TX-7", "chargingState": "Charging", "remoteStartId": 3}
    tied = [Message("TransactionEvent", no_token[0].payload | {"transactionInfo": info}), *no_token[1:]]  # type: ignore[operator]
    tx = read_transaction([request, *tied], estimate_start=True)
    assert (tx.id_token, tx.id_token_type, tx.remote_start) == ("OTHER", "Central", True)
