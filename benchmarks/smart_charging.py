"""Composite schedules per second for a station with 10 profiles, over a day.

Run: ``python benchmarks/smart_charging.py [--profile]`` from the repository root.

The station (OCPP 2.0.1, 2 EVSEs, a transaction running on EVSE 1) holds ten
profiles: a recurring daily ChargingStationMaxProfile with hourly periods,
TxDefaultProfiles station-wide and per EVSE (quarter-hourly recurring, an
absolute one, a relative one), two TxProfiles of the running transaction, two
external constraints and a weekly profile -- 431 periods in all. Measured: a
24-hour composite schedule for EVSE 1 in A, in W, and for EVSE 0 (both EVSEs
added up). Baselines measured in the same run: ``json.loads`` of the ten
profiles' JSON text (reading the input at all) and ``parse_profile`` of them
(reading it into ocpkit's values); the ratios say how many input readings one
composite schedule costs.

Then the watcher's cost on the conversation fold: a synthetic 2.0.1 capture
of one charger (the ten profiles set, a transaction, 5000 MeterValues with
current per phase and power, then with the energy register only) folded with
no watcher and with the smart-charging watcher, in the same run; printed as
frames/s and the ratio.
``--profile`` prints where the composite's time goes (cProfile).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import timeit
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocpkit.ocpp.conversation import check
from ocpkit.ocpp.rpc import parse_frame
from ocpkit.ocpp.smart_charging import ProfileStore, Station, composite_schedule, parse_profile
from ocpkit.ocpp.smart_charging.watcher import watching

START = datetime(2024, 6, 3, 6, 30, tzinfo=UTC)
STATION = Station(evse_count=2, default_limit_a=Decimal(32), default_limit_w=Decimal(22080))


def _profile(
    pid: int, purpose: str, stack: int, kind: str, unit: str, steps: list[tuple[int, float]], **extra: Any
) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "id": 1,
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [{"startPeriod": s, "limit": v, "numberPhases": 3} for s, v in steps],
    }
    if kind != "Relative":
        schedule["startSchedule"] = extra.pop("start", "2024-06-01T00:00:00Z")
    if "duration" in extra:
        schedule["duration"] = extra.pop("duration")
    profile = {
        "id": pid,
        "stackLevel": stack,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": [schedule],
    }
    profile.update(extra)
    return profile


def profiles() -> list[tuple[int, dict[str, Any]]]:
    """The ten profiles of the station, with their EVSE."""
    hourly = [(h * 3600, 20.0 + (h % 5)) for h in range(24)]
    quarter = [(q * 900, 6.0 + (q % 11)) for q in range(96)]
    return [
        (0, _profile(1, "ChargingStationMaxProfile", 0, "Recurring", "A", hourly, recurrencyKind="Daily")),
        (
            0,
            _profile(
                2,
                "TxDefaultProfile",
                0,
                "Recurring",
                "W",
                [(s, v * 690) for s, v in quarter],
                recurrencyKind="Daily",
            ),
        ),
        (
            1,
            _profile(
                3,
                "TxDefaultProfile",
                1,
                "Absolute",
                "A",
                quarter[:48],
                start="2024-06-03T05:00:00Z",
                duration=43200,
            ),
        ),
        (
            2,
            _profile(4, "TxDefaultProfile", 3, "Relative", "A", [(i * 600, 10.0 + i % 7) for i in range(60)]),
        ),
        (
            1,
            _profile(
                5,
                "TxProfile",
                0,
                "Relative",
                "W",
                [(i * 1800, 7000.0 - 50 * i) for i in range(40)],
                transactionId="tx-1",
            ),
        ),
        (
            1,
            _profile(
                6,
                "TxProfile",
                1,
                "Absolute",
                "A",
                [(i * 300, 16.0 - i % 4) for i in range(36)],
                start="2024-06-03T12:00:00Z",
                duration=10800,
                transactionId="tx-1",
            ),
        ),
        (
            0,
            _profile(
                7,
                "ChargingStationExternalConstraints",
                0,
                "Recurring",
                "W",
                [(h * 3600, 30000.0 - 400 * h) for h in range(24)],
                recurrencyKind="Daily",
            ),
        ),
        (
            1,
            _profile(
                8,
                "ChargingStationExternalConstraints",
                1,
                "Absolute",
                "A",
                [(i * 1200, 18.0 + i % 3) for i in range(30)],
                start="2024-06-03T08:00:00Z",
            ),
        ),
        (
            0,
            _profile(
                9,
                "TxDefaultProfile",
                4,
                "Recurring",
                "A",
                [(0, 12.0), (21600, 0.0)],
                recurrencyKind="Weekly",
                duration=43200,
            ),
        ),
        (
            2,
            _profile(
                10,
                "TxDefaultProfile",
                1,
                "Recurring",
                "A",
                [(h * 3600, 14.0 + h % 3) for h in range(24)],
                recurrencyKind="Daily",
            ),
        ),
    ]


def store() -> ProfileStore:
    """The station's store: the profiles installed through the rules, a transaction on EVSE 1."""
    result = ProfileStore("2.0.1").start_transaction(1, "tx-1", START - timedelta(minutes=20))
    for evse, profile in profiles():
        installed = result.install(profile, evse, START - timedelta(days=3), station=STATION)
        assert installed.accepted, installed.refusals
        result = installed.store
    return result


def capture(samples: int, power: bool = True) -> list[Any]:
    """The frames of one charger: the profiles set, a transaction, *samples* MeterValues (2 s apart),
    with current per phase and power (*power*) or the energy register only."""
    texts: list[str] = []
    started = {
        "eventType": "Started",
        "timestamp": START.isoformat(),
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "tx-1"},
        "evse": {"id": 1, "connectorId": 1},
    }
    texts += [json.dumps([2, "t0", "TransactionEvent", started]), json.dumps([3, "t0", {}])]
    for n, (evse, profile) in enumerate(profiles()):
        texts.append(
            json.dumps([2, f"p{n}", "SetChargingProfile", {"evseId": evse, "chargingProfile": profile}])
        )
        texts.append(json.dumps([3, f"p{n}", {"status": "Accepted"}]))
    for n in range(samples):
        moment = (START + timedelta(seconds=2 * n)).isoformat()
        values: list[dict[str, Any]] = [{"value": 1000.0 + n, "measurand": "Energy.Active.Import.Register"}]
        if power:
            values += [
                {"value": 9.5 + n % 3, "measurand": "Current.Import", "phase": p} for p in ("L1", "L2", "L3")
            ]
            values.append({"value": 6500.0, "measurand": "Power.Active.Import"})
        payload = {"evseId": 1, "meterValue": [{"timestamp": moment, "sampledValue": values}]}
        texts += [json.dumps([2, f"m{n}", "MeterValues", payload]), json.dumps([3, f"m{n}", {}])]
    return [parse_frame(text, version="2.0.1") for text in texts]


def best(func: Any, number: int) -> float:
    """Seconds per call: the best of five runs of *number* calls (the machine is shared and noisy)."""
    return min(timeit.repeat(func, number=number, repeat=5)) / number


def main() -> None:
    held = store()
    texts = [json.dumps(p) for _, p in profiles()]
    periods = sum(len(p["chargingSchedule"][0]["chargingSchedulePeriod"]) for _, p in profiles())
    read = best(lambda: [json.loads(t) for t in texts], 200)
    dicts = [p for _, p in profiles()]
    parse = best(lambda: [parse_profile(p, "2.0.1") for p in dicts], 100)
    print(f"10 profiles, {periods} periods; window 24 h from {START.isoformat()}")
    print(f"baseline json.loads of the profiles: {read * 1e3:.3f} ms; parse_profile: {parse * 1e3:.3f} ms")
    cases = [
        ("EVSE 1, A", lambda: composite_schedule(held, 1, START, 86400, "A", STATION)),
        ("EVSE 1, W", lambda: composite_schedule(held, 1, START, 86400, "W", STATION)),
        ("EVSE 0, A", lambda: composite_schedule(held, 0, START, 86400, "A", STATION)),
    ]
    for label, run in cases:
        seconds = best(run, 20)
        count = len(run().periods)
        print(
            f"{label}: {1 / seconds:8.1f} composite schedules/s ({seconds * 1e3:.2f} ms, {count} periods); "
            f"{seconds / read:.1f}x json.loads, {seconds / parse:.1f}x parse_profile"
        )
    factory = watching(STATION)
    for label, frames in (
        ("power and current", capture(5000)),
        ("energy register only", capture(5000, False)),
    ):
        bare = best(lambda frames=frames: sum(1 for _ in check(frames, "2.0.1", watchers=())), 1)
        watched = best(lambda frames=frames: sum(1 for _ in check(frames, "2.0.1", watchers=[factory])), 1)
        print(
            f"fold of {len(frames)} frames ({label}): {len(frames) / bare:,.0f} frames/s without watchers, "
            f"{len(frames) / watched:,.0f} with the smart-charging watcher ({watched / bare:.2f}x the time)"
        )
    if "--profile" in sys.argv:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            composite_schedule(held, 1, START, 86400, "A", STATION)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)


if __name__ == "__main__":
    main()
