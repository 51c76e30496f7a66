"""The endpoint's overhead per message, against check_frame alone on the same frames.

Run: ``PYTHONPATH=. python benchmarks/endpoint.py`` (or with ocpkit installed). A CSMS endpoint
receives N CALLs of a charging session's mix (StatusNotification, MeterValues, TransactionEvent,
Authorize, Heartbeat) and answers each one. The baseline, measured in the same run, is the work
of judging the same frames with ``check_frame``: the incoming CALL (with its sender) and the
outgoing CALLRESULT (paired with its action). The endpoint does that work too, plus its tables,
the bookkeeping of owed calls and the serialisation of the answer, so the ratio is the price of
the endpoint over validation alone. Typed models are not built (events build them on access).
"""

from __future__ import annotations

import json
import statistics
import sys
import timeit

from ocpkit.ocpp.endpoint import Endpoint
from ocpkit.ocpp.validation import HAVE_FAST_ENGINE, check_frame

N = 5000
VERSION = "2.0.1"
T = "2026-03-01T10:00:00Z"
METER = [{"timestamp": T, "sampledValue": [{"value": 1234.5, "measurand": "Energy.Active.Import.Register"}]}]
STATUS = {"timestamp": T, "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1}
MIX = [
    ("StatusNotification", STATUS, {}),
    ("MeterValues", {"evseId": 1, "meterValue": METER}, {}),
    (
        "TransactionEvent",
        {
            "eventType": "Updated",
            "timestamp": T,
            "triggerReason": "MeterValuePeriodic",
            "seqNo": 3,
            "transactionInfo": {"transactionId": "T-1", "chargingState": "Charging"},
            "meterValue": METER,
        },
        {},
    ),
    (
        "Authorize",
        {"idToken": {"idToken": "AB12CD34", "type": "ISO14443"}},
        {"idTokenInfo": {"status": "Accepted"}},
    ),
    ("Heartbeat", {}, {"currentTime": T}),
]


def traffic() -> list[tuple[str, str, dict[str, object], str]]:
    """(call text, action, response payload, response text) for N messages."""
    out = []
    for i in range(N):
        action, request, response = MIX[i % len(MIX)]
        mid = f"m{i}"
        out.append((json.dumps([2, mid, action, request]), action, response, json.dumps([3, mid, response])))
    return out


def run_baseline(items: list[tuple[str, str, dict[str, object], str]]) -> None:
    """check_frame on each CALL and on its CALLRESULT."""
    for call, action, _, result in items:
        check_frame(call, VERSION, sender="ChargingStation")
        check_frame(result, VERSION, action=action)


def run_endpoint(items: list[tuple[str, str, dict[str, object], str]]) -> None:
    """A CSMS endpoint receives each CALL and answers it."""
    ep = Endpoint("csms", VERSION, registration="Accepted")
    for call, _, response, _ in items:
        (event,) = ep.receive(call)
        ep.result(event, response)  # type: ignore[arg-type]


def run_receive_baseline(items: list[tuple[str, str, dict[str, object], str]]) -> None:
    """check_frame on each CALL only."""
    for call, _, _, _ in items:
        check_frame(call, VERSION, sender="ChargingStation")


def run_receive(items: list[tuple[str, str, dict[str, object], str]]) -> None:
    """receive() alone; the owed calls are answered with a ready CALLERROR, which is not timed apart."""
    ep = Endpoint("csms", VERSION, registration="Accepted", strict=False)
    owed = ep._owed  # the benchmark empties the slot without timing an answer
    for call, _, _, _ in items:
        ep.receive(call)
        owed.clear()


def best(fn: object, items: list[tuple[str, str, dict[str, object], str]], repeat: int = 7) -> float:
    """Best wall time of one pass, in seconds (the machine is shared and noisy)."""
    times = timeit.repeat(lambda: fn(items), number=1, repeat=repeat)  # type: ignore[operator]
    return min(times)


def main() -> None:
    """Print time per message and the ratio of the endpoint to check_frame, measured in one run."""
    items = traffic()
    for fn in (run_baseline, run_endpoint, run_receive_baseline, run_receive):
        fn(items)  # warm up: schemas compiled, lanes filled
    rows = []
    for name, base_fn, ep_fn in (
        ("receive + answer", run_baseline, run_endpoint),
        ("receive only", run_receive_baseline, run_receive),
    ):
        ratios = []
        for _ in range(3):
            base, ep = best(base_fn, items), best(ep_fn, items)
            ratios.append(ep / base)
        rows.append((name, base / N * 1e6, ep / N * 1e6, statistics.median(ratios)))
    print(f"ocpkit endpoint overhead, OCPP {VERSION}, {N} messages, jsonschema-rs: {HAVE_FAST_ENGINE}")
    print(f"{'path':<18} {'check_frame µs/msg':>19} {'endpoint µs/msg':>16} {'ratio':>6}")
    for name, base_us, ep_us, ratio in rows:
        print(f"{name:<18} {base_us:>19.2f} {ep_us:>16.2f} {ratio:>6.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
