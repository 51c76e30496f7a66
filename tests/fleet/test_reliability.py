"""Reliability figures on synthetic chargers whose status history is known to the second."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ocpkit.fleet import DEFAULT_SILENCE, Reliability, Summary, validate_partition

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _stamp(t: float) -> str:
    return (T0 + timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Log:
    """Trace lines of one charge point, written in time order."""

    def __init__(self, cp: str) -> None:
        self.cp = cp
        self.lines: list[str] = []
        self.n = 0

    def frame(self, t: float, direction: str, frame: list[Any]) -> None:
        raw = json.dumps(frame)
        self.lines.append(
            json.dumps({"timestamp": _stamp(t), "chargePointId": self.cp, "direction": direction, "raw": raw})
        )

    def call(
        self, t: float, action: str, payload: dict[str, Any], answer: dict[str, Any] | None = None
    ) -> None:
        self.n += 1
        mid = str(self.n)
        csms = action in ("RemoteStartTransaction", "RequestStartTransaction")
        self.frame(t, "csms-to-cp" if csms else "cp-to-csms", [2, mid, action, payload])
        if answer is not None:
            self.frame(t + 0.5, "cp-to-csms" if csms else "csms-to-cp", [3, mid, answer])

    def status(self, t: float, connector: int, status: str, error: str = "NoError", vendor: str = "") -> None:
        body: dict[str, Any] = {"connectorId": connector, "status": status, "errorCode": error}
        if vendor:
            body["vendorErrorCode"] = vendor
        self.call(t, "StatusNotification", body, {})

    def heartbeat(self, t: float) -> None:
        self.call(t, "Heartbeat", {}, {"currentTime": _stamp(t)})


def _figures(lines: list[str], silence: float | None = None) -> Reliability:
    summaries: dict[str | None, Summary] = {}
    records = list(validate_partition(lines, source="mem", summaries=summaries, silence=silence))
    assert records and len(summaries) == 1
    (summary,) = summaries.values()
    (figures,) = summary.reliability.values()
    return figures


def _history_16() -> Log:
    log = Log("R1")
    boot = {"chargePointVendor": "V", "chargePointModel": "M"}
    log.call(0, "BootNotification", boot, {"currentTime": _stamp(0), "interval": 60, "status": "Accepted"})
    log.status(10, 1, "Available")
    log.status(100, 1, "Preparing")
    start = {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": _stamp(110)}
    log.call(110, "StartTransaction", start, {"idTagInfo": {"status": "Accepted"}, "transactionId": 7})
    log.status(115, 1, "Charging")
    for t in (175, 235, 295):
        log.heartbeat(t)
    stop = {"transactionId": 7, "meterStop": 900, "timestamp": _stamp(300)}
    log.call(300, "StopTransaction", stop, {})
    log.status(305, 1, "Finishing")
    log.status(310, 1, "Available")
    log.status(400, 1, "Faulted", "GroundFailure", "E12")
    log.status(401, 1, "Faulted", "GroundFailure", "E12")  # the same fault again: not a new one
    log.status(460, 1, "Faulted", "OverCurrentFailure", "E7")
    log.heartbeat(520)
    log.status(530, 1, "Available")
    # Nothing from the charge point for 470 s (over twice the 60 s heartbeat interval): a silence.
    log.heartbeat(1000)
    log.status(1010, 1, "Unavailable")
    log.heartbeat(1070)
    log.status(1100, 1, "Available")
    log.call(1160, "RemoteStartTransaction", {"connectorId": 1, "idTag": "T"}, {"status": "Rejected"})
    start = {"connectorId": 1, "idTag": "X", "meterStart": 0, "timestamp": _stamp(1200)}
    log.call(1200, "StartTransaction", start, {"idTagInfo": {"status": "Invalid"}, "transactionId": 8})
    log.heartbeat(1210)
    return log


def test_status_history_of_a_16_charger_to_the_second() -> None:
    figures = _figures(_history_16().lines)
    one = figures.connectors["1"]
    assert one.seconds == pytest.approx(
        {
            # 10-100, 310-400, 530-530.5 (the answer to the report; then the silence), 1000-1010,
            # 1100-1210.5 (the last frame is the answer to the Heartbeat at 1210).
            "Available": 90 + 90 + 0.5 + 10 + 110.5,
            "Preparing": 15,
            "Charging": 190,
            "Finishing": 5,
            "Faulted": 130,
            "Unavailable": 90,
        }
    )
    assert figures.silences == 1
    assert figures.silence_seconds == pytest.approx(1000 - 530.5)
    assert figures.longest_silence == pytest.approx(469.5)
    assert figures.observed_seconds == pytest.approx(1210.5)
    total = 301 + 15 + 190 + 5 + 130 + 90
    assert one.availability == pytest.approx((total - 130 - 90) / total)
    assert figures.availability == one.availability
    assert (one.sessions_started, one.sessions_completed, one.sessions_failed_to_start) == (2, 1, 2)
    assert dict(one.faults) == {"GroundFailure": 1, "OverCurrentFailure": 1}
    assert dict(one.vendor_faults) == {"E12": 1, "E7": 1}


def test_without_a_heartbeat_interval_the_default_threshold_applies() -> None:
    log = Log("R2")
    log.status(0, 1, "Available")
    log.heartbeat(DEFAULT_SILENCE - 10)  # under the threshold: still Available
    log.heartbeat(2 * DEFAULT_SILENCE + 100)  # over it: a silence
    figures = _figures(log.lines)
    assert figures.silences == 1
    assert figures.connectors["1"].seconds == pytest.approx({"Available": DEFAULT_SILENCE - 10 + 0.5 + 0.5})
    # A threshold given by the caller wins.
    assert _figures(log.lines, silence=10_000).silences == 0


def test_status_history_of_a_201_charger() -> None:
    log = Log("R3")
    boot = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
    log.call(0, "BootNotification", boot, {"currentTime": _stamp(0), "interval": 300, "status": "Accepted"})

    def status(t: float, value: str) -> None:
        log.call(
            t,
            "StatusNotification",
            {"timestamp": _stamp(t), "connectorStatus": value, "evseId": 1, "connectorId": 1},
            {},
        )

    status(10, "Available")
    status(100, "Occupied")
    event = {"timestamp": _stamp(101), "triggerReason": "Authorized", "seqNo": 0}
    started = {**event, "eventType": "Started", "transactionInfo": {"transactionId": "t1"}}
    log.call(101, "TransactionEvent", {**started, "evse": {"id": 1, "connectorId": 1}}, {})
    ended = {**event, "eventType": "Ended", "seqNo": 1, "transactionInfo": {"transactionId": "t1"}}
    log.call(200, "TransactionEvent", ended, {})
    status(210, "Faulted")
    status(270, "Available")
    log.call(
        280,
        "RequestStartTransaction",
        {"idToken": {"idToken": "A", "type": "ISO14443"}, "remoteStartId": 1},
        {"status": "Rejected"},
    )
    log.heartbeat(300)
    figures = _figures(log.lines)
    one = figures.connectors["1/1"]
    assert one.seconds == pytest.approx({"Available": 90 + 30.5, "Occupied": 110, "Faulted": 60})
    assert (one.sessions_started, one.sessions_completed) == (1, 1)
    assert dict(one.faults) == {"Faulted": 1}
    # RequestStartTransaction names no EVSE here: its failure is counted apart.
    assert figures.connectors["(unknown)"].sessions_failed_to_start == 1
    assert one.availability == pytest.approx((90 + 30.5 + 110) / (90 + 30.5 + 110 + 60))


def test_figures_merge_by_adding_and_keep_the_longest_silence() -> None:
    a = _figures(_history_16().lines)
    log = Log("R1")
    log.status(0, 1, "Faulted", "HighTemperature")
    log.heartbeat(5000)
    b = _figures(log.lines)
    both = a.merge(b)
    # b: Faulted from 0 to its answer at 0.5, a silence to 5000, then 5000 to 5000.5.
    assert b.connectors["1"].seconds == pytest.approx({"Faulted": 1})
    assert both.connectors["1"].seconds["Faulted"] == pytest.approx(130 + 1)
    assert both.silences == 2 and both.longest_silence == pytest.approx(4999.5)
    assert dict(both.connectors["1"].faults) == {
        "GroundFailure": 1,
        "OverCurrentFailure": 1,
        "HighTemperature": 1,
    }
    assert both.as_dict() == b.merge(a).as_dict()
