"""How fast the state machines consume traffic, against json.loads of the same messages.

Run: ``PYTHONPATH=. python benchmarks/state_machines.py`` (or with ocpkit
installed). Prints, per machine, the time per message and the ratio to
decoding that message with ``json.loads`` (measured in the same run), so the
numbers compare across machines.
"""

from __future__ import annotations

import json
import timeit
from datetime import UTC, datetime, timedelta

from ocpkit.ocpp.connector import Connectors16
from ocpkit.ocpp.transaction import TransactionEvents, Transactions16

N = 2000
T0 = datetime(2024, 1, 15, tzinfo=UTC)
STATUSES = ["Available", "Preparing", "Charging", "SuspendedEV", "Charging", "Finishing", "Available"]


def status_texts() -> list[str]:
    """StatusNotification payloads cycling through a normal session."""
    return [
        json.dumps({"connectorId": 1 + i % 4, "status": STATUSES[i % len(STATUSES)], "errorCode": "NoError"})
        for i in range(N)
    ]


def run_connectors(texts: list[str]) -> None:
    """Decode and feed every StatusNotification."""
    connectors = Connectors16()
    for text in texts:
        p = json.loads(text)
        connectors.status_notification(p["connectorId"], p["status"], p["errorCode"])


def tx16_texts() -> list[tuple[str, str]]:
    """Start, conf, meter, stop, conf for N/5 transactions."""
    out: list[tuple[str, str]] = []
    for n in range(N // 5):
        tid = 1000 + n
        start = {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": "2024-01-15T10:00:00Z"}
        meter = {
            "connectorId": 1,
            "transactionId": tid,
            "meterValue": [{"timestamp": "2024-01-15T10:05:00Z", "sampledValue": [{"value": "5"}]}],
        }
        stop = {"transactionId": tid, "meterStop": 10, "timestamp": "2024-01-15T10:10:00Z", "reason": "Local"}
        out += [
            ("start", json.dumps(start)),
            ("conf", json.dumps({"transactionId": tid, "idTagInfo": {"status": "Accepted"}})),
        ]
        out += [("meter", json.dumps(meter)), ("stop", json.dumps(stop)), ("stopconf", json.dumps(stop))]
    return out


def run_tx16(items: list[tuple[str, str]]) -> None:
    """Decode and feed the 1.6 transaction messages."""
    tracker = Transactions16(max_meter_interval=timedelta(minutes=15))
    last: dict[str, object] = {}
    for kind, text in items:
        p = json.loads(text)
        if kind == "start":
            last = p
            tracker.start_transaction(p, at=T0)
        elif kind == "conf":
            tracker.start_transaction_result(last, p)
        elif kind == "meter":
            tracker.meter_values(p)
        elif kind == "stop":
            tracker.stop_transaction(p)
        else:
            tracker.stop_transaction_result(p, {})


def tx2_texts() -> list[str]:
    """Started, Updated, Updated, Ended for N/4 transactions."""
    out = []
    for n in range(N // 4):
        for seq, kind in enumerate(("Started", "Updated", "Updated", "Ended")):
            out.append(
                json.dumps(
                    {
                        "eventType": kind,
                        "seqNo": seq,
                        "timestamp": "2024-01-15T10:00:00Z",
                        "triggerReason": "MeterValuePeriodic",
                        "transactionInfo": {"transactionId": f"tx-{n}", "chargingState": "Charging"},
                    }
                )
            )
    return out


def run_tx2(texts: list[str]) -> None:
    """Decode and feed every TransactionEvent."""
    tracker = TransactionEvents()
    for text in texts:
        tracker.transaction_event(json.loads(text))


def run_json(texts: list[str]) -> None:
    """The baseline: decode only."""
    for text in texts:
        json.loads(text)


def best(fn: object, arg: object) -> float:
    """Best of five runs, in seconds per message."""
    return min(timeit.repeat(lambda: fn(arg), number=1, repeat=5)) / N  # type: ignore[operator]


def main() -> None:
    """Print the table."""
    cases = [
        ("Connectors16.status_notification", run_connectors, status_texts(), None),
        ("Transactions16 (5 messages per transaction)", run_tx16, tx16_texts(), None),
        ("TransactionEvents.transaction_event", run_tx2, tx2_texts(), None),
    ]
    print(f"{'machine':48} {'us/message':>11} {'x json.loads':>13}")
    for name, fn, data, _ in cases:
        texts = [t for _, t in data] if isinstance(data[0], tuple) else data
        baseline = best(run_json, texts)
        cost = best(fn, data)
        print(f"{name:48} {cost * 1e6:11.2f} {cost / baseline:13.1f}")


if __name__ == "__main__":
    main()
