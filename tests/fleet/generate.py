"""A generated fleet capture: many charge points' traffic in trace-jsonl lines, split across files.

Each charge point runs a script of OCPP 1.6 traffic (every fifth one OCPP 2.0.1):
boot, status reports, heartbeats, sessions with meter values, now and then a
fault, an invalid status value and a CALL left unanswered. :func:`write_fleet`
spreads each charge point's frames over several files by time, so that one
charge point's traffic is in many files, and names the files so that their
sorted order is not their time order. Used by the fleet tests and
``benchmarks/fleet.py``.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 3, 1, tzinfo=UTC)


def _stamp(t: float) -> str:
    return (START + timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _line(t: float, cp: str, direction: str, frame: list[object]) -> str:
    raw = json.dumps(frame, separators=(",", ":"))
    return json.dumps(
        {"timestamp": _stamp(t), "chargePointId": cp, "direction": direction, "raw": raw},
        separators=(",", ":"),
    )


def charge_point_traffic(index: int, frames: int) -> Iterator[tuple[float, str]]:
    """(seconds from :data:`START`, trace line) of one charge point, about *frames* frames, in time order."""
    cp = f"CP-{index:05d}"
    v2 = index % 5 == 4
    t = float(index % 97)
    n = 0
    mid = 0

    def call(action: str, payload: dict[str, object]) -> tuple[str, list[object]]:
        nonlocal mid
        mid += 1
        return f"{cp}-{mid}", [2, f"{cp}-{mid}", action, payload]

    def status(
        connector: int, value: str, error: str = "NoError", vendor: str | None = None
    ) -> dict[str, object]:
        if v2:
            return {"timestamp": _stamp(t), "connectorStatus": value, "evseId": 1, "connectorId": connector}
        body: dict[str, object] = {"connectorId": connector, "status": value, "errorCode": error}
        if vendor:
            body["vendorErrorCode"] = vendor
        return body

    def exchange(
        action: str, payload: dict[str, object], answer: dict[str, object] | None
    ) -> Iterator[tuple[float, str]]:
        nonlocal t, n
        m, frame = call(action, payload)
        yield t, _line(t, cp, "cp-to-csms", frame)
        n += 1
        if answer is not None:
            t += 0.25
            yield t, _line(t, cp, "csms-to-cp", [3, m, answer])
            n += 1

    boot = (
        {"reason": "PowerUp", "chargingStation": {"model": "F-1", "vendorName": "Fleet"}}
        if v2
        else {"chargePointVendor": "Fleet", "chargePointModel": "F-1"}
    )
    yield from exchange(
        "BootNotification", boot, {"currentTime": _stamp(t), "interval": 300, "status": "Accepted"}
    )
    t += 1
    if not v2:
        yield from exchange("StatusNotification", status(0, "Available"), {})
    t += 1
    yield from exchange("StatusNotification", status(1, "Available"), {})
    cycle = 0
    while n < frames:
        cycle += 1
        t += 240
        yield from exchange("Heartbeat", {}, {"currentTime": _stamp(t)})
        t += 30
        if cycle % 7 == 3:
            # A fault, then back to service a while later.
            yield from exchange("StatusNotification", status(1, "Faulted", "GroundFailure", "E-GF12"), {})
            t += 600
            yield from exchange("StatusNotification", status(1, "Available"), {})
            continue
        if cycle % 11 == 5:
            # An invalid status value (a schema violation) and a CALL never answered.
            body = status(1, "Broken")
            yield from exchange("StatusNotification", body, {})
            yield from exchange("Heartbeat", {}, None)
            continue
        if v2:
            tx = f"{cp}-tx{cycle}"
            yield from exchange("StatusNotification", status(1, "Occupied"), {})
            yield from exchange(
                "TransactionEvent",
                {
                    "eventType": "Started",
                    "timestamp": _stamp(t),
                    "triggerReason": "Authorized",
                    "seqNo": 0,
                    "transactionInfo": {"transactionId": tx},
                    "evse": {"id": 1, "connectorId": 1},
                },
                {},
            )
            t += 1200
            yield from exchange(
                "TransactionEvent",
                {
                    "eventType": "Ended",
                    "timestamp": _stamp(t),
                    "triggerReason": "EVCommunicationLost",
                    "seqNo": 1,
                    "transactionInfo": {"transactionId": tx},
                },
                {},
            )
            yield from exchange("StatusNotification", status(1, "Available"), {})
            continue
        yield from exchange("StatusNotification", status(1, "Preparing"), {})
        accepted = cycle % 13 != 6
        yield from exchange(
            "StartTransaction",
            {"connectorId": 1, "idTag": "TAG1", "meterStart": 1000 * cycle, "timestamp": _stamp(t)},
            {"idTagInfo": {"status": "Accepted" if accepted else "Invalid"}, "transactionId": cycle},
        )
        if not accepted:
            yield from exchange("StatusNotification", status(1, "Available"), {})
            continue
        yield from exchange("StatusNotification", status(1, "Charging"), {})
        t += 600
        yield from exchange(
            "MeterValues",
            {
                "connectorId": 1,
                "transactionId": cycle,
                "meterValue": [
                    {"timestamp": _stamp(t), "sampledValue": [{"value": str(1000 * cycle + 500)}]}
                ],
            },
            {},
        )
        t += 600
        yield from exchange(
            "StopTransaction",
            {"transactionId": cycle, "meterStop": 1000 * cycle + 900, "timestamp": _stamp(t)},
            {"idTagInfo": {"status": "Accepted"}},
        )
        yield from exchange("StatusNotification", status(1, "Finishing"), {})
        t += 60
        yield from exchange("StatusNotification", status(1, "Available"), {})


def write_fleet(directory: Path, charge_points: int, frames_per_cp: int, files: int) -> list[Path]:
    """Write the fleet's traffic into *files* files of *directory*, split by time; return them sorted.

    Each file holds one stretch of time for every charge point (so each charge
    point's frames are in several files); the lines of a file are in time
    order. The names sort in an order that is not the time order. Streams:
    memory holds one pending line per charge point.
    """
    directory.mkdir(parents=True, exist_ok=True)
    end = 1.0 + max(
        last
        for i in range(min(charge_points, 5))
        for last, _ in [_last(charge_point_traffic(i, frames_per_cp))]
    )
    end += 100  # the start offsets of later charge points
    paths = [directory / f"part-{files - k:03d}.jsonl" for k in range(files)]
    outs = [p.open("w", encoding="utf-8") for p in paths]
    try:
        streams = [charge_point_traffic(i, frames_per_cp) for i in range(charge_points)]
        for t, line in heapq.merge(*streams, key=lambda item: item[0]):
            outs[min(files - 1, int(t * files / end))].write(line + "\n")
    finally:
        for out in outs:
            out.close()
    return sorted(paths)


def _last(stream: Iterator[tuple[float, str]]) -> tuple[float, str]:
    last = (0.0, "")
    for item in stream:
        last = item
    return last
