"""ocpkit.energy on real captures from ../shared/conformance/captures.

The payloads are pulled out of the logs with one small regex (tests/energy/_logs.py); the
expected figures are worked out by hand from the quoted log lines.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ocpkit import energy as en
from tests.energy._logs import DYN_33F9, DYN_4988, OCTT, SIM, calls, utc

pytestmark = pytest.mark.shared

# --------------------------------------------------------------------------- Dynamic_OCPP_EVSE 4988ad6
#
# OCPP 1.6, charger "carfeeder", kWh/kW units. Transaction 1771262049 (debug.log):
#   l.1168 StartTransaction  meterStart 3051113 (Wh)          17:14:08Z
#   l.1179 MeterValues       3051.11 kWh  Transaction.Begin   17:14:18Z   (P 0.43 kW; I 4.76/4.74/4.68 A)
#   l.1286 MeterValues       3051.22 kWh  Sample.Periodic     17:14:59Z   (P 8.94 kW; I 13.66/13.54/13.68 A)
#   l.1374 MeterValues       3051.29 kWh  Sample.Clock        17:15:30Z
#   l.1426 MeterValues       3051.36 kWh  Transaction.End     17:15:57Z   (P 0.00 kW; I 0/0/0 A)
#   l.1428 StopTransaction   meterStop 3051361 (Wh)           17:15:48Z, transactionData repeats
#                            3051.11 kWh (Begin, 17:14:18Z) and 3051.36 kWh (End, 17:15:57Z)
# Hand computation:
#   Wh registers: meterStop - meterStart = 3051361 - 3051113 = 248 Wh.
#   Walk in Wh: 3051113 -> 3051110 (-3, within the 10 Wh resolution of a 2-decimal kWh value: kept at
#   3051113) -> 3051220 (+107) -> 3051290 (+70) -> 3051361 (+71) -> 3051360 (-1, rounding) = 248 Wh.
#   kWh samples alone: 3051.36 - 3051.11 = 0.25 kWh = 250 Wh (10 Wh resolution).
#   The earlier transaction 1771262029 (l.1148/1150) has meterStart = meterStop = 3051113 -> 0 Wh.
# Status (connector 1): Preparing 17:06:56Z, Charging 17:14:18Z (l.1177), Preparing 17:15:49Z.


def _transaction_4988(shared: Path, tx_id: int, start_line: int) -> list[en.Reading]:
    readings: list[en.Reading] = []
    for number, action, payload in calls(shared / DYN_4988):
        this_start = action == "StartTransaction" and number == start_line
        this_tx = action in ("MeterValues", "StopTransaction") and payload.get("transactionId") == tx_id
        if this_start or this_tx:
            readings += en.readings_from_payload(action, payload)
    return readings


def test_4988ad6_energy_equals_meter_stop_minus_meter_start(shared: Path) -> None:
    readings = _transaction_4988(shared, 1771262049, 1168)
    result = en.energy_delivered(readings)
    assert result.energy_wh == Decimal(248)
    assert result.resets == ()
    # 1 meterStart + 4 MeterValues + 2 transactionData + 1 meterStop register samples
    assert result.samples == 8


def test_4988ad6_kwh_only_register_gives_250_wh(shared: Path) -> None:
    readings = [
        r
        for number, action, payload in calls(shared / DYN_4988)
        if action == "MeterValues" and payload.get("transactionId") == 1771262049
        for r in en.readings_from_payload(action, payload)
    ]
    result = en.energy_delivered(readings)
    assert result.energy_wh == Decimal(250)
    assert {r.unit for r in readings if r.measurand == "Energy.Active.Import.Register"} == {"kWh"}
    # Units reconciled: the kWh figure agrees with meterStop - meterStart (248 Wh) within the
    # resolution of its two endpoint samples (10 Wh each).
    assert abs(result.energy_wh - (3051361 - 3051113)) <= 2 * 10


def test_4988ad6_empty_transaction_is_zero(shared: Path) -> None:
    readings = _transaction_4988(shared, 1771262029, 1148)
    assert en.energy_delivered(readings).energy_wh == Decimal(0)


def test_4988ad6_charging_periods(shared: Path) -> None:
    readings = _transaction_4988(shared, 1771262049, 1168)
    states = [
        en.charging_state_change(a, p)
        for _, a, p in calls(shared / DYN_4988)
        if a == "StatusNotification" and p["connectorId"] == 1
    ]
    start, stop = utc("2026-02-16T17:14:08Z"), utc("2026-02-16T17:15:48Z")
    periods = en.charging_periods(readings, [s for s in states if s], start, stop)
    # Preparing (parking) from the start until Charging at 17:14:18, charging to the stop.
    assert [(p.kind, p.start_date_time) for p in periods] == [
        (en.PeriodKind.PARKING, start),
        (en.PeriodKind.CHARGING, utc("2026-02-16T17:14:18Z")),
    ]
    parking, charging = ({d.type: d.volume for d in p.dimensions} for p in periods)
    assert parking["PARKING_TIME"] == Decimal("0.002777777778")  # 10 s / 3600, 12 decimals
    assert parking["ENERGY"] == Decimal(0)  # register 3051113 -> 3051.11 kWh is rounding
    assert charging["TIME"] == Decimal("0.025")  # 90 s
    assert charging["ENERGY"] == Decimal("0.248")
    # Power in [17:14:18, 17:15:48]: 0.43 and 8.94 kW (the 0.00 kW sample is at 17:15:57, after the stop).
    assert (charging["MAX_POWER"], charging["MIN_POWER"]) == (Decimal("8.94"), Decimal("0.43"))
    # Current summed over phases: 13.66+13.54+13.68 = 40.88; 4.76+4.74+4.68 = 14.18.
    assert (charging["MAX_CURRENT"], charging["MIN_CURRENT"]) == (Decimal("40.88"), Decimal("14.18"))


def test_4988ad6_every_sampled_value_normalises(shared: Path) -> None:
    units = set()
    for _, action, payload in calls(shared / DYN_4988):
        if action in ("MeterValues", "StopTransaction"):
            for r in en.readings_from_payload(action, payload):
                assert r.value is not None
                units.add(r.unit)
    assert units == {"A", "kWh", "kW", "Celsius", "V", "Wh"}


# --------------------------------------------------------------------------- Dynamic_OCPP_EVSE 33f96c8
#
# OCPP 1.6, EV-BOX Elvi, Wh/W units, transaction 1771091416 already running when the log starts
# (no Start/StopTransaction in the file). Register samples (debug.log lines 1318..1585):
#   18:52:39 12843728 | 18:53:40 12843872 | 18:53:49 12843883 | 18:54:00 12843897 | 18:54:09 12843923
#   18:54:19 12843940 | 18:54:29 12843957 | 18:54:39 12843974 | 18:57:54 12843979 | 18:58:04 12843992
#   energy = 12843992 - 12843728 = 264 Wh (monotone: no reset).
# Power W at those times: 8668 7565 3706 8639 9837 8615 8680 8313 1119 6906.
# Current L1+L2+L3 A: 38.3 33.8 17.5 38.2 43.3 38.0 38.3 36.9 8.3 30.7.
# Status (connector 1): Charging 18:53:59, SuspendedEVSE 18:54:41, SuspendedEV 18:56:51,
#   SuspendedEVSE 18:56:52, SuspendedEV 18:57:42, Charging 18:57:44, SuspendedEVSE 18:58:12.


def _log_33f9(shared: Path) -> tuple[list[en.Reading], list[tuple[datetime, str]]]:
    readings: list[en.Reading] = []
    states: list[tuple[datetime, str]] = []
    for _, action, payload in calls(shared / DYN_33F9):
        if action == "MeterValues" and payload.get("transactionId") == 1771091416:
            readings += en.readings_from_payload(action, payload)
        elif action == "StatusNotification" and payload["connectorId"] == 1:
            change = en.charging_state_change(action, payload)
            assert change is not None
            states.append(change)
    return readings, states


def test_33f96c8_energy_and_extremes(shared: Path) -> None:
    readings, _ = _log_33f9(shared)
    result = en.energy_delivered(readings)
    assert (result.energy_wh, result.samples, result.phase_sum) == (Decimal(264), 10, False)
    stats = en.interval_stats(
        readings, utc("2026-02-14T18:52:39Z"), utc("2026-02-14T18:58:04Z"), include_end=True
    )
    assert stats == en.IntervalStats(Decimal(9837), Decimal(1119), Decimal("43.3"), Decimal("8.3"))


def test_33f96c8_charging_periods_follow_the_erratum(shared: Path) -> None:
    readings, states = _log_33f9(shared)
    start, end = utc("2026-02-14T18:53:59Z"), utc("2026-02-14T18:58:04Z")
    periods = en.charging_periods(readings, states, start, end)
    # SuspendedEVSE counts as charging time, so the kinds alternate only at SuspendedEV.
    assert [(p.kind.value, p.start_date_time.strftime("%H:%M:%S")) for p in periods] == [
        ("CHARGING", "18:53:59"),
        ("PARKING", "18:56:51"),
        ("CHARGING", "18:56:52"),
        ("PARKING", "18:57:42"),
        ("CHARGING", "18:57:44"),
    ]
    dims = [{d.type: d.volume for d in p.dimensions} for p in periods]
    # charging 172 s + 50 s + 20 s = 242 s; parking 1 s + 2 s
    assert [d.get("TIME") for d in dims] == [
        Decimal("0.047777777778"),
        None,
        Decimal("0.013888888889"),
        None,
        Decimal("0.005555555556"),
    ]
    assert [d.get("PARKING_TIME") for d in dims] == [
        None,
        Decimal("0.000277777778"),
        None,
        Decimal("0.000555555556"),
        None,
    ]
    # Energy: samples before the start are clamped to it, so period 1 starts at cumulative 0.
    # The 5 Wh between 18:54:39 (cum. 246) and 18:57:54 (cum. 251) are spread over the 192 s of
    # charging between them (132 s + 50 s + 10 s): E(18:56:51) = 246 + 5*132/192 = 249.4375,
    # E(18:57:42) = 246 + 5*182/192 = 250.739583 (micro-Wh), so the periods get
    # 249.4375, 0, 1.302083, 0 and 264 - 250.739583 = 13.260417 Wh.
    assert [d["ENERGY"] for d in dims] == [
        Decimal("0.2494375"),
        Decimal(0),
        Decimal("0.001302083"),
        Decimal(0),
        Decimal("0.013260417"),
    ]
    assert sum(d["ENERGY"] for d in dims) == Decimal("0.264")
    # Period 1 samples 18:54:00..18:54:39: max 9837 W / 43.3 A, min 8313 W / 36.9 A.
    assert (dims[0]["MAX_POWER"], dims[0]["MIN_POWER"]) == (Decimal("9.837"), Decimal("8.313"))
    assert (dims[0]["MAX_CURRENT"], dims[0]["MIN_CURRENT"]) == (Decimal("43.3"), Decimal("36.9"))
    # Period 3 (18:56:52..18:57:42) has no sample; period 5 has 18:57:54 and 18:58:04 (the end).
    assert "MAX_POWER" not in dims[2]
    assert (dims[4]["MAX_POWER"], dims[4]["MIN_POWER"]) == (Decimal("6.906"), Decimal("1.119"))
    assert (dims[4]["MAX_CURRENT"], dims[4]["MIN_CURRENT"]) == (Decimal("30.7"), Decimal("8.3"))


# --------------------------------------------------------------------------- client_ocpp_sim (2.0.1)
#
# Simulator, TransactionEvent meterValue with numeric values, unit Wh, one register sample per
# Updated event, counting 100, 200, ... (checked with grep over ocpp.log):
#   7a56fcfe-2f7a-4cd5-9e0b-cb4c1099cbbe: 735 samples 100..73500 -> 73400 Wh
#   b28f6f2f-f538-490e-94ee-63249b24fe40:  27 samples 100..2700  ->  2600 Wh
#   46e3c475-cb68-4b06-8579-a1c33e289512:  21 samples 100..2100  ->  2000 Wh
#   e0d4e84e-ab0d-421d-bcc9-04821a09f7b9:  11 samples 100..1100  ->  1000 Wh
#   a13335c9-f4f7-4a92-94bb-b8fb99d432e9:   4 samples 100..400   ->   300 Wh
# The register start is not assumed to be 0: the first sample is the start.


@pytest.fixture(scope="module")
def sim_by_tx(shared: Path) -> dict[str, list[en.Reading]]:
    out: dict[str, list[en.Reading]] = {}
    for _, action, payload in calls(shared / SIM):
        if action == "TransactionEvent":
            tx = payload["transactionInfo"]["transactionId"]
            out.setdefault(tx, []).extend(en.readings_from_payload(action, payload))
    return out


@pytest.mark.parametrize(
    ("tx", "samples", "wh"),
    [
        ("7a56fcfe-2f7a-4cd5-9e0b-cb4c1099cbbe", 735, 73400),
        ("b28f6f2f-f538-490e-94ee-63249b24fe40", 27, 2600),
        ("46e3c475-cb68-4b06-8579-a1c33e289512", 21, 2000),
        ("e0d4e84e-ab0d-421d-bcc9-04821a09f7b9", 11, 1000),
        ("a13335c9-f4f7-4a92-94bb-b8fb99d432e9", 4, 300),
    ],
)
def test_client_ocpp_sim_energy_per_transaction(
    sim_by_tx: dict[str, list[en.Reading]], tx: str, samples: int, wh: int
) -> None:
    result = en.energy_delivered(sim_by_tx[tx])
    assert (result.samples, result.energy_wh) == (samples, Decimal(wh))


def test_client_ocpp_sim_transactions_without_meter_values(sim_by_tx: dict[str, list[en.Reading]]) -> None:
    # Started/Ended pairs without any meterValue (e.g. cb5966b7..., 964cdab6...) have no energy.
    assert en.energy_delivered(sim_by_tx["cb5966b7-0adb-460b-990d-c5418bb96cf7"]).energy_wh is None


# --------------------------------------------------------------------------- OCTT TC_K_41 (2.0.1)
#
# l.63 TransactionEvent Started 12:24:38.561Z, chargingState EVConnected, meterValue at
# 12:24:38.336Z: register total 0.0 Wh and L1/L2/L3 0.0 Wh (float values), currents L1/L2/L3/N 0.0 A.
# l.72 TransactionEvent Updated 12:24:40.131Z, chargingState Charging, no meter value.


def test_octt_transaction_event(shared: Path) -> None:
    readings: list[en.Reading] = []
    states: list[tuple[datetime, str]] = []
    for _, action, payload in calls(shared / OCTT):
        if action == "TransactionEvent":
            readings += en.readings_from_payload(action, payload)
            change = en.charging_state_change(action, payload)
            if change:
                states.append(change)
    assert len(readings) == 8
    assert {(r.phase, r.location) for r in readings if r.measurand == "Energy.Active.Import.Register"} == {
        (None, "Outlet"),
        ("L1", "Outlet"),
        ("L2", "Outlet"),
        ("L3", "Outlet"),
    }
    result = en.energy_delivered(readings)
    assert (result.energy_wh, result.samples, result.phase_sum) == (Decimal(0), 1, False)
    assert states == [
        (utc("2024-08-21T12:24:38.561Z"), "EVConnected"),
        (utc("2024-08-21T12:24:40.131Z"), "Charging"),
    ]
    periods = en.charging_periods(
        readings, states, utc("2024-08-21T12:24:38.561Z"), utc("2024-08-21T12:24:50Z")
    )
    assert [p.kind for p in periods] == [en.PeriodKind.PARKING, en.PeriodKind.CHARGING]
    # 12:24:38.561 -> 12:24:40.131 is 1.570 s = 0.000436111... h
    assert periods[0].dimensions[1] == en.CdrDimension("PARKING_TIME", Decimal("0.000436111111"))
