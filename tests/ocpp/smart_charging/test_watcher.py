"""The smart-charging watcher on synthetic captures, through the conversation fold and ``ocpkit validate``."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocpkit.cli import main
from ocpkit.errors import SmartChargingError
from ocpkit.findings import Finding
from ocpkit.ocpp.conversation import Conversation, check
from ocpkit.ocpp.rpc import parse_frame
from ocpkit.ocpp.smart_charging import Station
from ocpkit.ocpp.smart_charging.watcher import watcher, watching
from ocpkit.ocpp.watch import DEFAULT_WATCHERS, load_factories

T0 = datetime(2024, 8, 21, 12, 24, 40, tzinfo=UTC)


def stamp(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


class Capture:
    """Frames of one charge point fed to a Conversation with the smart-charging watcher only."""

    def __init__(self, version: str, factory: Any = watcher) -> None:
        self.version = version
        self.conv = Conversation(version, watchers=[factory])
        self.found: list[Finding] = []
        self.n = 0

    def call(
        self, action: str, payload: dict[str, Any], answer: dict[str, Any] | None, at: float = 0
    ) -> None:
        self.n += 1
        mid = f"m{self.n}"
        frame = json.dumps([2, mid, action, payload])
        self._feed(frame, at)
        if answer is not None:
            self._feed(json.dumps([3, mid, answer]), at)

    def error(self, action: str, payload: dict[str, Any], code: str, at: float = 0) -> None:
        self.n += 1
        mid = f"m{self.n}"
        self._feed(json.dumps([2, mid, action, payload]), at)
        self._feed(json.dumps([4, mid, code, "", {}]), at)

    def _feed(self, text: str, at: float) -> None:
        frame = parse_frame(text, version=self.version)
        self.found += self.conv.feed(frame, charge_point="CP1", timestamp=T0 + timedelta(seconds=at))

    def codes(self) -> list[str]:
        return [f.code for f in self.found + self.conv.finish() if f.code.startswith("smart-charging.")]


def profile201(pid: int, purpose: str, steps: list[tuple[int, float]], **extra: Any) -> dict[str, Any]:
    profile = {
        "id": pid,
        "stackLevel": 0,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [
            {
                "id": 1,
                "startSchedule": "2024-08-21T12:24:36Z",
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [
                    {"startPeriod": s, "limit": v, "numberPhases": 3} for s, v in steps
                ],
            }
        ],
    }
    profile.update(extra)
    return profile


def test_the_default_watchers_include_smart_charging() -> None:
    assert "ocpkit.ocpp.smart_charging.watcher:watcher" in DEFAULT_WATCHERS
    assert watcher in load_factories(DEFAULT_WATCHERS)
    assert watcher("1.5", "CP") is None


def test_accepted_but_refused_and_refused_but_valid_profiles() -> None:
    cap = Capture("2.0.1")
    max_on_evse = profile201(1, "ChargingStationMaxProfile", [(0, 10)])
    cap.call("SetChargingProfile", {"evseId": 1, "chargingProfile": max_on_evse}, {"status": "Accepted"}, 1)
    default = profile201(2, "TxDefaultProfile", [(0, 6)])
    cap.call("SetChargingProfile", {"evseId": 1, "chargingProfile": default}, {"status": "Rejected"}, 2)
    cap.error("SetChargingProfile", {"evseId": 1, "chargingProfile": default}, "NotSupported", 3)
    good = profile201(3, "TxDefaultProfile", [(0, 6)], stackLevel=1)
    cap.call("SetChargingProfile", {"evseId": 1, "chargingProfile": good}, {"status": "Accepted"}, 4)
    assert cap.codes() == [
        "smart-charging.accepted-refused",
        "smart-charging.rejected-valid",
        "smart-charging.rejected-valid",
    ]
    first = next(f for f in cap.found if f.code == "smart-charging.accepted-refused")
    assert "K04.FR.03" in first.message and first.subject == "CP1: profile 1" and first.ref == 1
    # The store follows the charger: it holds the refused max profile it accepted, and profile 3.
    store = cap.conv._stations["CP1"].watchers[0].store  # type: ignore[attr-defined]
    assert sorted(s.profile.id for s in store.profiles) == [1, 3]


def tc_k_41(cap: Capture, answer: dict[str, Any]) -> None:
    """The exchanges of a real OCTT TC_K_41_CS run (its TxDefaultProfile and TxProfile share id 2)."""
    cap.call(
        "TransactionEvent",
        {
            "eventType": "Started",
            "timestamp": stamp(-2),
            "triggerReason": "Authorized",
            "seqNo": 0,
            "transactionInfo": {"transactionId": "e23889e3"},
            "evse": {"id": 1, "connectorId": 1},
        },
        {},
        -2,
    )
    cap.call(
        "SetChargingProfile",
        {"evseId": 0, "chargingProfile": profile201(1, "ChargingStationMaxProfile", [(0, 10.0)])},
        {"status": "Accepted"},
    )
    tx_default = profile201(
        2,
        "TxDefaultProfile",
        [(0, 6), (60, 10), (120, 8), (180, 15), (260, 8)],
        validFrom="2024-08-21T12:24:36Z",
        validTo="2024-08-21T12:31:25Z",
    )
    cap.call("SetChargingProfile", {"evseId": 1, "chargingProfile": tx_default}, {"status": "Accepted"})
    tx = profile201(
        2, "TxProfile", [(0, 8), (50, 11), (140, 16), (200, 6), (240, 12)], transactionId="e23889e3"
    )
    cap.call("SetChargingProfile", {"evseId": 1, "chargingProfile": tx}, {"status": "Accepted"})
    cap.call("GetCompositeSchedule", {"chargingRateUnit": "A", "duration": 400, "evseId": 1}, answer)


def test_a_composite_answer_that_differs_is_reported() -> None:
    cap = Capture("2.0.1")
    # What the station answered in that run: one period of 10 A.
    wrong = {
        "status": "Accepted",
        "schedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"limit": 10.0, "numberPhases": 3, "startPeriod": 0}],
            "duration": 400,
            "evseId": 1,
            "scheduleStart": "2024-08-21T12:24:40.000Z",
        },
    }
    tc_k_41(cap, wrong)
    assert cap.codes() == ["smart-charging.composite-mismatch"]
    finding = next(f for f in cap.found if f.code == "smart-charging.composite-mismatch")
    assert "from 0 s to 46 s the charger reports 10.0 A, the installed profiles give 8 A" in finding.message


def test_a_composite_answer_that_agrees_is_not_reported() -> None:
    cap = Capture("2.0.1")
    right = {
        "status": "Accepted",
        "schedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [
                {"limit": 8.0, "startPeriod": 0},
                {"limit": 10.0, "startPeriod": 47},  # one second off: within the time tolerance
                {"limit": 6.0, "startPeriod": 196},
                {"limit": 10.0, "startPeriod": 236},
            ],
            "duration": 400,
            "evseId": 1,
            "scheduleStart": "2024-08-21T12:24:40Z",
        },
    }
    tc_k_41(cap, right)
    assert cap.codes() == []


def test_accepting_a_request_for_a_missing_evse_is_reported() -> None:
    cap = Capture("2.0.1", watching(Station(evse_count=1)))
    answer = {
        "status": "Accepted",
        "schedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"limit": 32.0, "startPeriod": 0}],
            "duration": 60,
            "evseId": 3,
            "scheduleStart": stamp(0),
        },
    }
    cap.call("GetCompositeSchedule", {"chargingRateUnit": "A", "duration": 60, "evseId": 3}, answer)
    assert cap.codes() == ["smart-charging.composite-mismatch"]


def meter16(connector: int, at: float, amps: float, *, measurand: str = "Current.Import") -> dict[str, Any]:
    unit = "A" if measurand.startswith("Current") else "kW"
    return {
        "connectorId": connector,
        "transactionId": 7,
        "meterValue": [
            {
                "timestamp": stamp(at),
                "sampledValue": [{"value": str(amps), "measurand": measurand, "unit": unit, "phase": "L1"}],
            }
        ],
    }


def start16(cap: Capture) -> None:
    cap.call(
        "StartTransaction",
        {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": stamp(0)},
        {"transactionId": 7, "idTagInfo": {"status": "Accepted"}},
        0,
    )


def relative16(limit_first: float) -> dict[str, Any]:
    return {
        "connectorId": 1,
        "csChargingProfiles": {
            "chargingProfileId": 5,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Relative",
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [
                    {"startPeriod": 0, "limit": limit_first},
                    {"startPeriod": 600, "limit": 16.0},
                ],
            },
        },
    }


def test_metered_current_above_the_limit_for_longer_than_the_hold() -> None:
    cap = Capture("1.6")
    cap.call("SetChargingProfile", relative16(6.0), {"status": "Accepted"}, 1)
    start16(cap)
    for at in (100, 130, 159):
        cap.call("MeterValues", meter16(1, at, 12.0), {}, at)
    assert cap.codes() == []  # 59 s above: not yet
    cap.call("MeterValues", meter16(1, 161, 12.0), {}, 161)
    cap.call("MeterValues", meter16(1, 200, 12.0), {}, 200)  # same episode: said once
    assert cap.codes() == ["smart-charging.over-limit"]
    finding = next(f for f in cap.found if f.code == "smart-charging.over-limit")
    assert "Current.Import 12.0 A above the composite limit 6.0 A" in finding.message
    assert finding.subject == "CP1: EVSE 1"
    # After 600 s from the transaction start the Relative profile allows 16 A: 12 A is fine.
    cap.call("MeterValues", meter16(1, 700, 12.0), {}, 700)
    cap.call("MeterValues", meter16(1, 800, 12.0), {}, 800)
    assert cap.codes() == ["smart-charging.over-limit"]


def test_within_tolerance_or_unknown_limit_is_not_reported() -> None:
    cap = Capture("1.6")
    start16(cap)
    for at in (100, 200, 300):
        cap.call("MeterValues", meter16(1, at, 40.0), {}, at)  # no profile: nothing to compare with
    cap.call("SetChargingProfile", relative16(6.0), {"status": "Accepted"}, 301)
    for at in (310, 400, 500):
        cap.call("MeterValues", meter16(1, at, 6.5), {}, at)  # within 10 %
    assert cap.codes() == []


def test_power_is_compared_in_watts() -> None:
    cap = Capture("1.6", watching(tolerance="0", hold=timedelta(0)))
    cap.call("SetChargingProfile", relative16(6.0), {"status": "Accepted"}, 1)
    start16(cap)
    # 6 A on 3 phases at 230 V allow 4140 W; 4.2 kW is above it.
    cap.call("MeterValues", meter16(1, 10, 4.2, measurand="Power.Active.Import"), {}, 10)
    assert cap.codes() == ["smart-charging.over-limit"]
    assert "4200" in next(f for f in cap.found if f.code == "smart-charging.over-limit").message


def test_2x_transaction_events_carry_meter_values_and_end_tx_profiles() -> None:
    cap = Capture("2.0.1", watching(hold=timedelta(seconds=30)))

    def event(kind: str, at: float, amps: float | None, seq: int) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "eventType": kind,
            "timestamp": stamp(at),
            "triggerReason": "MeterValuePeriodic",
            "seqNo": seq,
            "transactionInfo": {"transactionId": "TX9"},
            "evse": {"id": 1, "connectorId": 1},
        }
        if amps is not None:
            payload["meterValue"] = [
                {
                    "timestamp": stamp(at),
                    "sampledValue": [{"value": amps, "measurand": "Current.Import", "phase": "L2"}],
                }
            ]
        return payload

    cap.call("TransactionEvent", event("Started", 0, None, 0), {}, 0)
    tx = profile201(4, "TxProfile", [(0, 10)], transactionId="TX9")
    cap.call("SetChargingProfile", {"evseId": 1, "chargingProfile": tx}, {"status": "Accepted"}, 1)
    cap.call("TransactionEvent", event("Updated", 10, 20.0, 1), {}, 10)
    cap.call("TransactionEvent", event("Updated", 50, 20.0, 2), {}, 50)
    assert cap.codes() == ["smart-charging.over-limit"]
    cap.call("TransactionEvent", event("Ended", 60, 20.0, 3), {}, 60)
    store = cap.conv._stations["CP1"].watchers[0].store  # type: ignore[attr-defined]
    assert store.profiles == () and store.transactions == ()


def test_clear_mismatch_is_a_note() -> None:
    cap = Capture("2.0.1")
    default = profile201(2, "TxDefaultProfile", [(0, 6)])
    cap.call("SetChargingProfile", {"evseId": 1, "chargingProfile": default}, {"status": "Accepted"})
    cap.call("ClearChargingProfile", {"chargingProfileId": 2}, {"status": "Unknown"})
    cap.call("ClearChargingProfile", {"chargingProfileId": 2}, {"status": "Unknown"})
    assert cap.codes() == ["smart-charging.clear-mismatch"]


def test_hostile_payloads_do_not_stop_the_fold() -> None:
    cap = Capture("2.0.1")
    for payload in (
        {"evseId": 1, "chargingProfile": {"id": "x"}},
        {"evseId": 1, "chargingProfile": 7},
        {"evseId": "1", "chargingProfile": profile201(1, "TxDefaultProfile", [(0, 6)])},
        {
            "evseId": 1,
            "chargingProfile": {**profile201(1, "TxDefaultProfile", [(0, 6)]), "stackLevel": 10**30},
        },
    ):
        cap.call("SetChargingProfile", payload, {"status": "Accepted"})
    cap.call(
        "SetChargingProfile",
        {"evseId": 1, "chargingProfile": profile201(3, "TxDefaultProfile", [(0, 6)])},
        {"status": "Accepted"},
    )
    for payload in (
        {"evseId": 1, "meterValue": "no"},
        {"evseId": 1, "meterValue": [{"timestamp": "never", "sampledValue": [{"value": 1e308}]}]},
        {
            "evseId": 1,
            "meterValue": [
                {"timestamp": stamp(1), "sampledValue": [{"value": 10**400, "measurand": "Current.Import"}]}
            ],
        },
    ):
        cap.call("MeterValues", payload, {})
    cap.call(
        "GetCompositeSchedule",
        {"evseId": 1, "duration": 10**12},
        {"status": "Accepted", "schedule": {"chargingSchedulePeriod": "x"}},
    )
    cap.call(
        "GetCompositeSchedule",
        {"evseId": 1, "duration": 60},
        {
            "status": "Accepted",
            "schedule": {
                "chargingRateUnit": "A",
                "duration": 10**12,
                "scheduleStart": stamp(0),
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 1}],
            },
        },
    )
    assert all(code != "smart-charging.over-limit" for code in cap.codes())


def test_check_runs_the_watcher_on_plain_frames() -> None:
    frames = [
        parse_frame(text, version="2.0.1")
        for text in (
            json.dumps(
                [
                    2,
                    "a",
                    "SetChargingProfile",
                    {"evseId": 1, "chargingProfile": profile201(1, "ChargingStationMaxProfile", [(0, 10)])},
                ]
            ),
            json.dumps([3, "a", {"status": "Accepted"}]),
        )
    ]
    found = list(check(frames, "2.0.1"))
    assert [f.code for f in found if f.code.startswith("smart-charging.")] == [
        "smart-charging.accepted-refused"
    ]


def test_the_validate_command_reports_the_findings(tmp_path: Path) -> None:
    tx = profile201(4, "TxProfile", [(0, 10)], transactionId="TX9")
    rows = [
        (
            0,
            [
                2,
                "e0",
                "TransactionEvent",
                {
                    "eventType": "Started",
                    "timestamp": stamp(0),
                    "triggerReason": "Authorized",
                    "seqNo": 0,
                    "transactionInfo": {"transactionId": "TX9"},
                    "evse": {"id": 1, "connectorId": 1},
                },
            ],
        ),
        (0, [3, "e0", {}]),
        (1, [2, "s1", "SetChargingProfile", {"evseId": 1, "chargingProfile": tx}]),
        (1, [3, "s1", {"status": "Accepted"}]),
        (
            2,
            [
                2,
                "s2",
                "SetChargingProfile",
                {"evseId": 0, "chargingProfile": profile201(5, "TxProfile", [(0, 6)], transactionId="TX9")},
            ],
        ),
        (2, [3, "s2", {"status": "Accepted"}]),
        (3, [2, "g1", "GetCompositeSchedule", {"evseId": 1, "duration": 60, "chargingRateUnit": "A"}]),
        (
            3,
            [
                3,
                "g1",
                {
                    "status": "Accepted",
                    "schedule": {
                        "evseId": 1,
                        "duration": 60,
                        "scheduleStart": stamp(3),
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
                    },
                },
            ],
        ),
    ]
    lines = ["timestamp,id,action,msg"]
    for at, frame in rows:
        text = json.dumps(frame).replace('"', '""')
        lines.append(f'{stamp(at)},CP1,{frame[2] if frame[0] == 2 else ""},"{text}"')
    path = tmp_path / "smart.csv"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    main(["validate", str(path), "--ocpp", "2.0.1", "--report", "jsonl"], stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue().splitlines()[-1])
    codes = {f["code"]: f for f in summary["findings_listed"] if f["code"].startswith("smart-charging.")}
    assert set(codes) == {"smart-charging.accepted-refused", "smart-charging.composite-mismatch"}
    assert codes["smart-charging.accepted-refused"]["line"] == 7  # the CALLRESULT that accepted it
    assert "K01.FR.16" in codes["smart-charging.accepted-refused"]["message"]


def test_watching_checks_its_settings() -> None:
    for bad in (
        {"tolerance": "x"},
        {"tolerance": -1},
        {"hold": 5},
        {"time_tolerance": -1},
        {"limit_tolerance": float("nan")},
    ):
        with pytest.raises(SmartChargingError):
            watching(**bad)  # type: ignore[arg-type]
    made = watching(Station(evse_count=2, default_limit_a=Decimal(32)))("2.1", "CP9")
    assert made is not None and made.version == "2.1" and "TransactionEvent" in made.actions


def test_21_per_phase_limits_are_checked_per_phase() -> None:
    cap = Capture("2.1", watching(hold=timedelta(0), tolerance="0"))
    tx = profile201(4, "TxProfile", [(0, 16)], transactionId="TX9")
    tx["chargingSchedule"][0]["chargingSchedulePeriod"][0].update(limit_L2=8.0, limit_L3=16.0)
    cap.call(
        "TransactionEvent",
        {
            "eventType": "Started",
            "timestamp": stamp(0),
            "triggerReason": "Authorized",
            "seqNo": 0,
            "transactionInfo": {"transactionId": "TX9"},
            "evse": {"id": 1, "connectorId": 1},
        },
        {},
    )
    cap.call("SetChargingProfile", {"evseId": 1, "chargingProfile": tx}, {"status": "Accepted"}, 1)

    def sample(at: float, phase: str, amps: float) -> dict[str, Any]:
        value = {"value": amps, "measurand": "Current.Import", "phase": phase}
        return {"evseId": 1, "meterValue": [{"timestamp": stamp(at), "sampledValue": [value]}]}

    cap.call("MeterValues", sample(10, "L1", 12.0), {}, 10)  # L1 may draw 16 A
    assert cap.codes() == []
    cap.call("MeterValues", sample(20, "L2", 12.0), {}, 20)  # L2 only 8 A
    assert cap.codes() == ["smart-charging.over-limit"]
