"""Reconnects and register readings in the conversation, from synthetic captures of the shapes seen in the wild.

Each capture is written here as the lines of a Home Assistant log (the
lbbrhzn/ocpp logger: ``receive message`` is charge point -> CSMS, ``send`` the
other way), read by the capture reader and fed to the conversation as the
judging fold feeds it; the command line runs over the same text too.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocpkit import energy as en
from ocpkit.capture import read_capture
from ocpkit.cli import main
from ocpkit.energy import StepKind, classify_step, jitter_tolerance
from ocpkit.errors import EnergyError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp.conversation import Conversation
from ocpkit.ocpp.transaction import TransactionEvents, Transactions16

T0 = datetime(2026, 2, 14, 19, 0, 0)
Entry = tuple[float, str, list[Any]]


def log(*entries: Entry, cp: str = "CP-1") -> str:
    """Host-log text: (seconds after T0, "in" for charge point -> CSMS or "out", frame) per line."""
    lines = ["2026-02-14 18:59:59.000 INFO (MainThread) [homeassistant.setup] Setting up ocpp"]
    for seconds, way, frame in entries:
        stamp = (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        verb = "receive message" if way == "in" else "send"
        lines.append(f"{stamp} INFO (MainThread) [ocpp] {cp}: {verb} {json.dumps(frame)}")
    return "\n".join(lines) + "\n"


def converse(text: str, version: str = "1.6") -> tuple[list[Finding], list[Finding]]:
    """The findings of every frame (ref: its line), and those of the end of input."""
    conversation = Conversation(version)
    found: list[Finding] = []
    for frame in read_capture(text.splitlines()):
        found += conversation.feed_captured(frame, frame.line)
    return found, conversation.finish()


def validate(text: str, version: str = "1.6") -> list[dict[str, Any]]:
    """The jsonl records of ``ocpkit validate -`` over *text*."""
    out = io.StringIO()
    main(
        ["validate", "-", "--ocpp", version, "--report", "jsonl"],
        stdout=out,
        stderr=io.StringIO(),
        stdin=io.BytesIO(text.encode()),
    )
    return [json.loads(line) for line in out.getvalue().splitlines()]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M", "reason": "PowerUp"}
BOOT_OK = {"status": "Accepted", "currentTime": "2026-02-14T18:00:00Z", "interval": 300}


def boot(mid: str, at: float) -> list[Entry]:
    return [(at, "in", [2, mid, "BootNotification", BOOT16]), (at + 0.1, "out", [3, mid, BOOT_OK])]


def meter_values(mid: str, at: float, tx: int, *samples: dict[str, Any], stamp: str | None = None) -> Entry:
    when = stamp or (T0 + timedelta(seconds=at)).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload = {
        "connectorId": 1,
        "transactionId": tx,
        "meterValue": [{"timestamp": when, "sampledValue": list(samples)}],
    }
    return (at, "in", [2, mid, "MeterValues", payload])


def wh(value: str, **extra: str) -> dict[str, str]:
    return {"value": value, "measurand": "Energy.Active.Import.Register", "unit": "Wh", **extra}


def started(tx: int, meter_start: int, at: float = 1) -> list[Entry]:
    start = {"connectorId": 1, "idTag": "TAG", "meterStart": meter_start, "timestamp": "2026-02-14T19:00:01Z"}
    return [
        (at, "in", [2, "start", "StartTransaction", start]),
        (at + 0.1, "out", [3, "start", {"transactionId": tx, "idTagInfo": {"status": "Accepted"}}]),
    ]


def of(found: list[Finding], code: str) -> list[Finding]:
    return [f for f in found if f.code == code]


# --- reconnects ----------------------------------------------------------------------------------------------


def test_reboot_after_an_unanswered_call_is_no_concurrent_call() -> None:
    # The charger sends MeterValues, gets no answer, and hours later boots again (PowerUp) on a new connection.
    text = log(
        *boot("b1", 0),
        (10, "in", [2, "hb1", "Heartbeat", {}]),
        (10.1, "out", [3, "hb1", {"currentTime": "2026-02-14T18:00:10Z"}]),
        (20, "in", [2, "mv-lost", "MeterValues", {"connectorId": 0, "meterValue": []}]),
        *boot("b2", 3 * 3600),
        (3 * 3600 + 5, "in", [2, "hb2", "Heartbeat", {}]),
        (3 * 3600 + 5.1, "out", [3, "hb2", {"currentTime": "2026-02-14T21:00:05Z"}]),
    )
    found, final = converse(text)
    assert of(found + final, "rpc.concurrent-call") == []
    [dropped] = of(found, "rpc.unanswered-before-reconnect")
    assert dropped.severity is Severity.WARNING
    assert dropped.ref == line_of(text, '"b2", "BootNotification"')
    assert dropped.subject == "CP-1: MeterValues mv-lost"
    assert (
        f"MeterValues mv-lost sent by the charge point at line {line_of(text, 'mv-lost')}" in dropped.message
    )
    # Reported once: not again as unanswered at the end.
    assert of(final, "rpc.unanswered") == []
    # The command line says the same on the BootNotification's record.
    records = validate(text)
    on_boot = next(r for r in records if r.get("message_id") == "b2" and r["kind"] == "call")
    assert [f["code"] for f in on_boot["findings"]] == ["rpc.unanswered-before-reconnect"]
    assert not any(f["code"] == "rpc.concurrent-call" for r in records[:-1] for f in r["findings"])
    summary = records[-1]
    assert summary["findings"].get("warning:rpc.unanswered-before-reconnect") == 1
    assert "warning:rpc.concurrent-call" not in summary["findings"]


def test_csms_calls_open_at_a_reboot_are_dropped_too() -> None:
    text = log(
        *boot("b1", 0),
        (30, "out", [2, "trig", "TriggerMessage", {"requestedMessage": "StatusNotification"}]),
        *boot("b2", 40),
        (50, "out", [2, "prof", "ClearChargingProfile", {}]),
        (50.5, "in", [3, "prof", {"status": "Accepted"}]),
    )
    found, final = converse(text)
    assert of(found, "rpc.concurrent-call") == []
    [dropped] = of(found, "rpc.unanswered-before-reconnect")
    assert "TriggerMessage trig sent by the CSMS" in dropped.message
    assert of(final, "rpc.unanswered") == []


def test_a_real_concurrent_call_is_still_reported() -> None:
    text = log(
        *boot("b1", 0),
        (10, "in", [2, "hb1", "Heartbeat", {}]),
        (
            11,
            "in",
            [
                2,
                "st1",
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            ],
        ),
        (11.1, "out", [3, "st1", {}]),
    )
    found, final = converse(text)
    [concurrent] = of(found, "rpc.concurrent-call")
    assert concurrent.ref == line_of(text, '"st1", "StatusNotification"')
    assert "while Heartbeat hb1 is unanswered" in concurrent.message
    assert of(found, "rpc.unanswered-before-reconnect") == []
    assert [f.subject for f in of(final, "rpc.unanswered")] == ["CP-1: Heartbeat hb1"]


def test_a_boot_sent_again_with_its_id_is_a_retransmission() -> None:
    text = log(
        (0, "in", [2, "b1", "BootNotification", BOOT16]),
        (60, "in", [2, "b1", "BootNotification", BOOT16]),
        (60.2, "out", [3, "b1", BOOT_OK]),
    )
    found, final = converse(text)
    assert [f.code for f in found if f.code.startswith("rpc.")] == ["rpc.repeated-call"]
    assert final == [] or of(final, "rpc.unanswered") == []


def test_a_call_sent_again_after_the_reconnect_is_a_retry() -> None:
    # The CSMS resends its unanswered call with the same id once the charger is back.
    trigger = [2, "trig", "TriggerMessage", {"requestedMessage": "StatusNotification"}]
    text = log(
        *boot("b1", 0),
        (30, "out", trigger),
        *boot("b2", 40),
        (45, "in", [2, "hb", "Heartbeat", {}]),
        (45.1, "out", [3, "hb", {"currentTime": "2026-02-14T18:00:45Z"}]),
        (50, "out", trigger),
        (50.5, "in", [3, "trig", {"status": "Accepted"}]),
    )
    found, _ = converse(text)
    assert len(of(found, "rpc.unanswered-before-reconnect")) == 1
    [retry] = of(found, "rpc.repeated-call")
    assert retry.ref == len(text.splitlines()) - 1
    assert of(found, "rpc.orphan-result") == []


def test_reconnect_is_public_for_transports() -> None:
    conversation = Conversation("1.6")
    lines = log(*boot("b1", 0), (10, "in", [2, "hb", "Heartbeat", {}])).splitlines()
    for frame in read_capture(lines):
        conversation.feed_captured(frame, frame.line)
    assert conversation.open_calls("CP-1") == 1
    [dropped] = conversation.reconnect("CP-1", ref="ws-open")
    assert dropped.code == "rpc.unanswered-before-reconnect" and dropped.ref == "ws-open"
    assert conversation.open_calls("CP-1") == 0
    assert conversation.reconnect("CP-2") == []  # never seen: nothing to end
    assert conversation.finish() == []


# --- register readings ---------------------------------------------------------------------------------------


def test_a_register_falling_inside_a_transaction_is_an_error() -> None:
    text = log(
        *boot("b1", 0),
        *started(7, 4000),
        meter_values("m1", 60, 7, wh("5000")),
        (60.1, "out", [3, "m1", {}]),
        meter_values("m2", 120, 7, wh("3000")),
        (120.1, "out", [3, "m2", {}]),
    )
    found, _ = converse(text)
    [fall] = of(found, "meter.register-fall")
    assert fall.severity is Severity.ERROR
    assert fall.ref == line_of(text, '"m2", "MeterValues"')
    first, second = line_of(text, '"m1", "MeterValues"'), line_of(text, '"m2", "MeterValues"')
    assert f"5000 Wh (line {first}) -> 3000 Wh (line {second})" in fall.message
    assert fall.subject == "CP-1: transaction 7"
    records = validate(text)
    on_m2 = next(r for r in records if r.get("message_id") == "m2" and r["kind"] == "call")
    assert [(f["severity"], f["code"]) for f in on_m2["findings"]] == [("error", "meter.register-fall")]
    # The energy fold does not take the fall for a reset: nothing is added until the register passes 5000 Wh.
    result = en.energy_delivered(series("5000", "3000", "5200"))
    assert result.resets == ()
    assert [(d.before_wh, d.after_wh, d.kind) for d in result.dips] == [(5000, 3000, StepKind.FALL)]
    assert result.energy_wh == Decimal(200)


def series(*values: str) -> list[en.Reading]:
    """Register readings one minute apart."""
    return [
        r
        for i, value in enumerate(values)
        for r in en.readings_from_meter_value(
            {"timestamp": f"2026-02-14T19:{i:02d}:00Z", "sampledValue": [wh(value)]}
        )
    ]


def test_half_a_watt_hour_dip_at_zero_power_is_jitter() -> None:
    text = log(
        *boot("b1", 0),
        *started(8, 1000),
        meter_values(
            "m1", 60, 8, wh("1000.5"), {"value": "0", "measurand": "Power.Active.Import", "unit": "W"}
        ),
        meter_values(
            "m2", 120, 8, wh("1000.0"), {"value": "0", "measurand": "Power.Active.Import", "unit": "W"}
        ),
        meter_values(
            "m3", 180, 8, wh("1000.5"), {"value": "0", "measurand": "Power.Active.Import", "unit": "W"}
        ),
    )
    found, _ = converse(text)
    [jitter] = of(found, "meter.register-jitter")
    assert jitter.severity is Severity.INFO and jitter.ref == line_of(text, '"m2", "MeterValues"')
    assert "1000.5 Wh" in jitter.message and "1000.0 Wh" in jitter.message
    assert of(found, "meter.register-fall") == of(found, "meter.register-reset") == []
    # Energy: the dip is neither a reset nor energy (before, a reset at 1000.0 added the 0.5 Wh back).
    readings = [
        r
        for frame in read_capture(text.splitlines())
        if frame.kind == "call" and frame.action == "MeterValues"
        for r in en.readings_from_payload("MeterValues", frame.value[3])
    ]
    result = en.energy_delivered(readings)
    assert result.energy_wh == Decimal(0)
    assert result.resets == ()
    assert [(d.before_wh, d.after_wh, d.kind) for d in result.dips] == [
        (Decimal("1000.5"), Decimal("1000.0"), StepKind.JITTER)
    ]


def test_a_register_reset_to_near_zero_is_a_reset() -> None:
    text = log(
        *boot("b1", 0),
        *started(9, 4000),
        meter_values("m1", 60, 9, wh("5000")),
        meter_values("m2", 120, 9, wh("3")),
        meter_values("m3", 180, 9, wh("50")),
    )
    found, _ = converse(text)
    [reset] = of(found, "meter.register-reset")
    assert reset.severity is Severity.WARNING and reset.ref == line_of(text, '"m2", "MeterValues"')
    assert "5000 Wh" in reset.message and "3 Wh" in reset.message
    assert of(found, "meter.register-fall") == []
    readings = [
        r
        for frame in read_capture(text.splitlines())
        if frame.kind == "call" and frame.action in ("StartTransaction", "MeterValues")
        for r in en.readings_from_payload(frame.action, frame.value[3])
    ]
    result = en.energy_delivered(readings)
    # 1000 Wh up to the reset, 0 across it (unknown), 47 Wh after.
    assert result.energy_wh == Decimal(1047)
    assert [(r.before_wh, r.after_wh, r.rollover) for r in result.resets] == [(5000, 3, False)]
    assert result.dips == ()


def test_registers_are_followed_per_measurand_phase_and_location() -> None:
    text = log(
        *boot("b1", 0),
        *started(10, 0),
        meter_values(
            "m1", 60, 10, wh("9000", phase="L1"), wh("8000", phase="L2"), wh("5000", location="Body")
        ),
        meter_values(
            "m2", 120, 10, wh("9500", phase="L1"), wh("8500", phase="L2"), wh("5010", location="Body")
        ),
        meter_values(
            "m3", 180, 10, wh("9600", phase="L1"), wh("4000", phase="L2"), wh("5020", location="Body")
        ),
    )
    found, _ = converse(text)
    [fall] = of(found, "meter.register-fall")
    assert fall.message.startswith("Energy.Active.Import.Register L2 (Outlet) fell: 8500 Wh")


def test_kwh_and_wh_readings_compare_in_wh() -> None:
    # meterStart in Wh, then the register in kWh with two decimals (good to 10 Wh): -3 Wh is rounding.
    text = log(
        *boot("b1", 0),
        *started(11, 3051113),
        meter_values("m1", 60, 11, {"value": "3051.11", "unit": "kWh"}),
        meter_values("m2", 120, 11, {"value": "3049.00", "unit": "kWh"}),
    )
    found, _ = converse(text)
    assert [f.code for f in found if f.code.startswith("meter.")] == [
        "meter.register-jitter",
        "meter.register-fall",
    ]
    assert "3051.11 kWh" in of(found, "meter.register-fall")[0].message


def test_stop_reading_below_the_last_sample_is_a_fall() -> None:
    stop = {"transactionId": 12, "meterStop": 4100, "timestamp": "2026-02-14T19:10:00Z", "reason": "Local"}
    text = log(
        *boot("b1", 0),
        *started(12, 4000),
        meter_values("m1", 60, 12, wh("4500")),
        (600, "in", [2, "stop", "StopTransaction", stop]),
        (600.1, "out", [3, "stop", {"idTagInfo": {"status": "Accepted"}}]),
    )
    found, _ = converse(text)
    [fall] = of(found, "meter.register-fall")
    assert "4500 Wh" in fall.message and "4100 Wh" in fall.message
    assert fall.ref == line_of(text, '"stop", "StopTransaction"')


def test_a_late_offline_reading_is_not_compared_with_newer_ones() -> None:
    # 2.0.1: an offline event replayed late carries an older, lower reading; that is no fall.
    def event(mid: str, seq: int, kind: str, stamp: str, value: float, offline: bool = False) -> Entry:
        payload: dict[str, Any] = {
            "eventType": kind,
            "timestamp": stamp,
            "triggerReason": "MeterValuePeriodic",
            "seqNo": seq,
            "transactionInfo": {"transactionId": "tx-1"},
            "meterValue": [{"timestamp": stamp, "sampledValue": [{"value": value}]}],
        }
        if offline:
            payload["offline"] = True
        return (seq * 60, "in", [2, mid, "TransactionEvent", payload])

    text = log(
        event("e0", 0, "Started", "2026-02-14T19:00:00Z", 10000.0),
        event("e2", 2, "Updated", "2026-02-14T19:02:00Z", 30000.0),
        event("e1", 1, "Updated", "2026-02-14T19:01:00Z", 20000.0, offline=True),
        event("e3", 3, "Updated", "2026-02-14T19:03:00Z", 25000.0),
    )
    found, _ = converse(text, "2.0.1")
    [fall] = of(found, "meter.register-fall")
    assert "30000.0 Wh" in fall.message and "25000.0 Wh" in fall.message
    assert fall.ref == line_of(text, '"e3"')


def test_trackers_take_the_line_keyword_and_default_to_refs() -> None:
    tracker = Transactions16()
    start = {"connectorId": 1, "idTag": "A", "meterStart": 500, "timestamp": "2026-02-14T19:00:00Z"}
    tracker.start_transaction(start, ref="s")
    tracker.start_transaction_result(start, {"transactionId": 1, "idTagInfo": {"status": "Accepted"}})
    values = {
        "transactionId": 1,
        "meterValue": [{"timestamp": "2026-02-14T19:01:00Z", "sampledValue": [{"value": "200"}]}],
    }
    [fall] = tracker.meter_values(values, ref="m", line=40)
    assert "500 Wh (ref 's') -> 200 Wh (line 40)" in fall.message
    events = TransactionEvents()
    bad = {"value": "x"}
    payload = {
        "eventType": "Started",
        "timestamp": "2026-02-14T19:00:00Z",
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "t"},
        "meterValue": [
            {
                "timestamp": "2026-02-14T19:00:00Z",
                "sampledValue": [bad, {"value": "7", "format": "SignedData"}],
            }
        ],
    }
    assert [f.code for f in events.transaction_event(payload)] == []


# --- the step rule -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "resolutions", "kind"),
    [
        ("5000", "5000", ("1", "1"), StepKind.RISE),
        ("5000", "5001", ("1", "1"), StepKind.RISE),
        ("5000", "4999", ("1", "1"), StepKind.JITTER),  # one whole Wh on a whole-Wh register
        ("1000.5", "1000.0", ("0.1", "0.1"), StepKind.JITTER),
        ("3051113", "3051110", ("1", "10"), StepKind.JITTER),  # kWh with two decimals is good to 10 Wh
        ("3051113", "3051100", ("1", "10"), StepKind.FALL),
        ("5000", "3000", ("1", "1"), StepKind.FALL),
        ("5000", "3", ("1", "1"), StepKind.RESET),
        ("5000", "1000", ("1", "1"), StepKind.RESET),  # at most 1 kWh
        ("5000", "1001", ("1", "1"), StepKind.FALL),
        ("12345678", "120000", ("1", "1"), StepKind.RESET),  # at most 1 % of a large register
        ("12345678", "130000", ("1", "1"), StepKind.FALL),
    ],
)
def test_classify_step(before: str, after: str, resolutions: tuple[str, str], kind: StepKind) -> None:
    tolerance = jitter_tolerance(Decimal(resolutions[0]), Decimal(resolutions[1]))
    assert classify_step(Decimal(before), Decimal(after), tolerance=tolerance) is kind


def test_classify_step_refuses_what_is_not_a_finite_decimal() -> None:
    with pytest.raises(EnergyError):
        classify_step(Decimal("NaN"), Decimal(1))
    with pytest.raises(EnergyError):
        classify_step(1, Decimal(1))  # type: ignore[arg-type]


# --- every shared capture ------------------------------------------------------------------------------------


@pytest.mark.shared
def test_no_concurrent_call_lies_across_a_reboot_in_the_shared_captures(shared: Path) -> None:
    out = io.StringIO()
    main(
        ["validate", str(shared / "conformance" / "captures"), "--report", "jsonl"],
        stdout=out,
        stderr=io.StringIO(),
        stdin=io.BytesIO(),
    )
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    frames = [r for r in records if r.get("kind") != "summary"]
    lanes: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for record in frames:
        lanes.setdefault((record["source"], record["charge_point"]), []).append(record)
    checked = 0
    for lane in lanes.values():
        lane.sort(key=lambda r: r["line"])
        sent: dict[str, int] = {}
        boots: list[int] = []
        for record in lane:
            if record["kind"] == "call" and record["action"] == "BootNotification":
                boots.append(record["line"])
            for finding in record["findings"]:
                if finding["code"] != "rpc.concurrent-call":
                    continue
                checked += 1
                pending_id = finding["message"].rsplit(" is unanswered", 1)[0].split(" ")[-1]
                since = sent.get(pending_id)
                assert since is not None, finding
                assert not [b for b in boots if since < b <= record["line"]], (
                    record["source"],
                    record["line"],
                )
            if record["kind"] == "call" and record["message_id"] is not None:
                sent[record["message_id"]] = record["line"]
    assert checked > 100  # the captures hold many real concurrent calls; they are still reported
    assert records[-1]["findings"].get("warning:rpc.unanswered-before-reconnect", 0) > 0
