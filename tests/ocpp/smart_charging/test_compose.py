"""composite_schedule: combining rules, units, recurrences, windows and the written OCPP form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.errors import SmartChargingError
from ocpkit.ocpp.smart_charging import (
    MAX_DURATION,
    ProfileStore,
    Station,
    composite_schedule,
    expected_answer,
)
from ocpkit.ocpp.validation import validate_payload
from tests.ocpp.smart_charging.test_rules import NOW, base, periods, schedule, set_id

ONE = Station(evse_count=1)


def limits(sched: Any) -> list[tuple[int, Any]]:
    return [(p.start_period, p.limit) for p in sched.periods]


def profile(
    version: str,
    purpose: str,
    pid: int,
    steps: list[tuple[int, float]],
    *,
    unit: str = "A",
    stack: int = 0,
    kind: str = "Absolute",
    start: str | None = "2024-05-01T12:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    out = set_id(base(version, purpose, stackLevel=stack, chargingProfileKind=kind, **extra), version, pid)
    sched = schedule(out)
    sched["chargingRateUnit"] = unit
    sched["chargingSchedulePeriod"] = [{"startPeriod": s, "limit": limit} for s, limit in steps]
    if start is None:
        sched.pop("startSchedule")
    else:
        sched["startSchedule"] = start
    if "duration" in out:
        sched["duration"] = out.pop("duration")
    return out


def test_a_higher_stack_level_wins_even_with_a_higher_limit() -> None:
    store = ProfileStore.of(
        "2.0.1",
        [
            (profile("2.0.1", "TxDefaultProfile", 1, [(0, 10)]), 1),
            (profile("2.0.1", "TxDefaultProfile", 2, [(0, 20)], stack=1, duration=600), 1),
        ],
    )
    result = composite_schedule(store, 1, NOW, 1200, "A", ONE)
    assert limits(result) == [(0, Decimal(20)), (600, Decimal(10))]
    assert result.periods[0].source is not None and result.periods[0].source.id == 2


def test_the_evse_profile_beats_the_station_wide_one_of_the_same_level() -> None:
    store = ProfileStore.of(
        "1.6",
        [
            (profile("1.6", "TxDefaultProfile", 1, [(0, 10)]), 0),
            (profile("1.6", "TxDefaultProfile", 2, [(0, 20)]), 1),
        ],
    )
    assert limits(composite_schedule(store, 1, NOW, 60, "A", Station(evse_count=2))) == [(0, Decimal(20))]
    assert limits(composite_schedule(store, 2, NOW, 60, "A", Station(evse_count=2))) == [(0, Decimal(10))]


def test_tx_counts_only_while_its_transaction_runs() -> None:
    tx = profile("2.0.1", "TxProfile", 2, [(0, 8)], transactionId="T1")
    default = profile("2.0.1", "TxDefaultProfile", 1, [(0, 16)])
    store = ProfileStore.of("2.0.1", [(default, 1), (tx, 1)])
    idle = composite_schedule(store, 1, NOW, 60, "A", ONE)
    assert limits(idle) == [(0, Decimal(16))] and [r.id for r in idle.ignored] == [2]
    running = store.start_transaction(1, "T1", NOW)
    assert limits(composite_schedule(running, 1, NOW, 60, "A", ONE)) == [(0, Decimal(8))]
    other = store.start_transaction(1, "T2", NOW)
    assert limits(composite_schedule(other, 1, NOW, 60, "A", ONE)) == [(0, Decimal(16))]


def test_without_simulation_an_idle_evse_shows_no_tx_default() -> None:
    store = ProfileStore.of(
        "2.0.1",
        [
            (profile("2.0.1", "TxDefaultProfile", 1, [(0, 6)]), 1),
            (profile("2.0.1", "ChargingStationMaxProfile", 2, [(0, 20)]), 0),
        ],
    )
    assert limits(composite_schedule(store, 1, NOW, 60, "A", ONE)) == [(0, Decimal(6))]
    idle = composite_schedule(store, 1, NOW, 60, "A", ONE, simulate_transaction=False)
    assert limits(idle) == [(0, Decimal(20))]
    running = store.start_transaction(1, "T1", NOW)
    assert limits(composite_schedule(running, 1, NOW, 60, "A", ONE, simulate_transaction=False)) == [
        (0, Decimal(6))
    ]


def test_relative_profiles_start_with_the_transaction() -> None:
    relative = profile("2.0.1", "TxDefaultProfile", 1, [(0, 6), (600, 16)], kind="Relative", start=None)
    store = ProfileStore.of("2.0.1", [(relative, 1)]).start_transaction(1, "T1", NOW - timedelta(seconds=300))
    assert limits(composite_schedule(store, 1, NOW, 900, "A", ONE)) == [(0, Decimal(6)), (300, Decimal(16))]
    fresh = ProfileStore.of("2.0.1", [(relative, 1)])
    assert limits(composite_schedule(fresh, 1, NOW, 900, "A", ONE)) == [(0, Decimal(6)), (600, Decimal(16))]


def test_weekly_recurrence_and_the_day_before_the_first_start() -> None:
    weekly = profile(
        "2.0.1",
        "TxDefaultProfile",
        1,
        [(0, 11)],
        kind="Recurring",
        recurrencyKind="Weekly",
        start="2024-05-08T12:00:00Z",
        duration=3600,
    )
    store = ProfileStore.of("2.0.1", [(weekly, 1)])
    station = Station(evse_count=1, default_limit_a=Decimal(32))
    # One week before its first startSchedule the profile already repeats (no validFrom stops it).
    got = composite_schedule(store, 1, NOW - timedelta(minutes=30), 7200, "A", station)
    assert limits(got) == [(0, Decimal(32)), (1800, Decimal(11)), (5400, Decimal(32))]


def test_daily_recurrence_keeps_local_time_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    daily = profile(
        "2.1",
        "TxDefaultProfile",
        1,
        [(0, 10)],
        kind="Recurring",
        recurrencyKind="Daily",
        start="2024-03-30T08:00:00+01:00",
        duration=3600,
    )
    schedule(daily)["useLocalTime"] = True
    store = ProfileStore.of("2.1", [(daily, 1)])
    station = Station(evse_count=1, tz=berlin, default_limit_a=Decimal(32))
    # 31 March 2024 is the switch to summer time: 08:00 local is 06:00 UTC from then on.
    day = datetime(2024, 4, 2, 5, 0, tzinfo=UTC)
    assert limits(composite_schedule(store, 1, day, 10800, "A", station)) == [
        (0, Decimal(32)),
        (3600, Decimal(10)),
        (7200, Decimal(32)),
    ]
    without_zone = Station(evse_count=1, default_limit_a=Decimal(32))
    assert limits(composite_schedule(store, 1, day, 10800, "A", without_zone))[1] == (7200, Decimal(10))


def test_valid_from_and_reception_bound_a_profile() -> None:
    late = profile("2.0.1", "TxDefaultProfile", 1, [(0, 10)], validFrom="2024-05-01T12:05:00Z")
    station = Station(evse_count=1, default_limit_a=Decimal(40))
    store = ProfileStore.of("2.0.1", [(late, 1)])
    assert limits(composite_schedule(store, 1, NOW, 600, "A", station)) == [
        (0, Decimal(40)),
        (300, Decimal(10)),
    ]
    received = (
        ProfileStore("2.0.1")
        .install(profile("2.0.1", "TxDefaultProfile", 1, [(0, 10)]), 1, NOW + timedelta(seconds=60))
        .store
    )
    assert limits(composite_schedule(received, 1, NOW, 600, "A", station)) == [
        (0, Decimal(40)),
        (60, Decimal(10)),
    ]


def test_a_and_w_convert_with_the_phases_in_use_and_cut_toward_zero() -> None:
    power = profile("2.0.1", "TxDefaultProfile", 1, [(0, 11000)], unit="W")
    store = ProfileStore.of("2.0.1", [(power, 1)])
    amps = composite_schedule(store, 1, NOW, 60, "A", ONE)
    # 11000 W over 3 phases at 230 V = 15.9420289855... A, cut to six decimals.
    assert amps.periods[0].limit == Decimal("15.942028") and amps.periods[0].converted
    assert amps.to_ocpp()["chargingSchedulePeriod"][0]["limit"] == Decimal("15.9")
    single = profile("1.6", "TxDefaultProfile", 1, [(0, 11000)], unit="W")
    periods(single)[0]["numberPhases"] = 1
    got = composite_schedule(ProfileStore.of("1.6", [(single, 1)]), 1, NOW, 60, "A", ONE)
    assert got.periods[0].limit == Decimal("47.826086") and got.periods[0].number_phases == 1
    watts = composite_schedule(
        ProfileStore.of("2.0.1", [(profile("2.0.1", "TxDefaultProfile", 1, [(0, 16)]), 1)]),
        1,
        NOW,
        60,
        "W",
        ONE,
    )
    assert watts.periods[0].limit == Decimal(16 * 230 * 3)


def test_the_default_limit_is_an_input() -> None:
    empty = ProfileStore("2.0.1")
    assert limits(composite_schedule(empty, 1, NOW, 60, "A", ONE)) == [(0, None)]
    only_w = Station(evse_count=1, default_limit_w=Decimal(11040))
    assert limits(composite_schedule(empty, 1, NOW, 60, "A", only_w)) == [(0, Decimal(16))]
    with pytest.raises(SmartChargingError):
        composite_schedule(empty, 1, NOW, 60, "A", ONE).to_ocpp()


def test_evse_0_adds_up_and_the_station_wide_external_limit_caps_the_total() -> None:
    two = Station(evse_count=2, default_limit_a=Decimal(32))
    store = ProfileStore.of(
        "2.0.1",
        [
            (profile("2.0.1", "TxDefaultProfile", 1, [(0, 16)]), 0),
            (profile("2.0.1", "ChargingStationExternalConstraints", 2, [(0, 20)]), 0),
        ],
    )
    assert limits(composite_schedule(store, 0, NOW, 60, "A", two)) == [(0, Decimal(20))]
    assert limits(composite_schedule(store, 1, NOW, 60, "A", two)) == [(0, Decimal(16))]
    no_external = store.clear(purpose="TxDefaultProfile").store
    assert limits(composite_schedule(no_external, 0, NOW, 60, "A", two)) == [(0, Decimal(20))]
    unknown = Station(evse_count=2)
    assert limits(composite_schedule(ProfileStore("2.0.1"), 0, NOW, 60, "A", unknown)) == [(0, None)]


def test_priority_charging_replaces_tx_profiles_where_switched_on() -> None:
    priority = profile("2.1", "PriorityCharging", 3, [(0, 32)], kind="Relative", start=None)
    tx = profile("2.1", "TxProfile", 2, [(0, 8)], transactionId="T1")
    store = ProfileStore.of("2.1", [(priority, 1), (tx, 1)]).start_transaction(1, "T1", NOW)
    assert limits(composite_schedule(store, 1, NOW, 60, "A", ONE)) == [(0, Decimal(8))]
    on = store.with_priority_charging(1)
    assert limits(composite_schedule(on, 1, NOW, 60, "A", ONE)) == [(0, Decimal(32))]


def test_offline_lapses_profiles_and_ignores_purposes() -> None:
    lapsing = profile("2.1", "TxDefaultProfile", 1, [(0, 10)], maxOfflineDuration=120)
    station = Station(
        evse_count=1,
        default_limit_a=Decimal(40),
        ignored_purposes_offline=frozenset({"ChargingStationMaxProfile"}),
    )
    store = ProfileStore.of(
        "2.1", [(lapsing, 1), (profile("2.1", "ChargingStationMaxProfile", 2, [(0, 5)]), 0)]
    )
    online = composite_schedule(store, 1, NOW, 600, "A", station)
    assert limits(online) == [(0, Decimal(5))]
    offline = composite_schedule(store, 1, NOW, 600, "A", station, offline_since=NOW)
    assert limits(offline) == [(0, Decimal(10)), (120, Decimal(40))]


def test_local_generation_and_misplaced_profiles_are_reported_as_ignored() -> None:
    store = ProfileStore.of(
        "2.1",
        [
            (profile("2.1", "LocalGeneration", 1, [(0, 10)]), 0),
            (profile("2.1", "ChargingStationMaxProfile", 2, [(0, 5)]), 1),
        ],
    )
    result = composite_schedule(store, 1, NOW, 60, "A", ONE)
    assert sorted(r.id for r in result.ignored) == [1, 2] and limits(result) == [(0, None)]


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_the_written_answer_is_valid_for_the_version(version: str) -> None:
    store = ProfileStore.of(
        version,
        [
            (profile(version, "TxDefaultProfile", 1, [(0, 11000), (300, 7400)], unit="W"), 1),
            (profile(version, "ChargingStationMaxProfile", 2, [(0, 13.5)]), 0),
        ],
    )
    station = Station(evse_count=1, default_limit_a=Decimal(32))
    request = {"connectorId" if version == "1.6" else "evseId": 1, "duration": 900, "chargingRateUnit": "A"}
    answer, schedule_ = expected_answer(store, request, NOW, station)
    assert schedule_ is not None and answer["status"] == "Accepted"
    text = schedule_.response_model().model_dump_json(by_alias=True, exclude_none=True)
    validate_payload(version, "GetCompositeSchedule", "response", text)
    periods_ = (answer["chargingSchedule"] if version == "1.6" else answer["schedule"])[
        "chargingSchedulePeriod"
    ]
    # 7400 W / (3 x 230 V) = 10.7246376... A: one decimal in 1.6 and 2.0.1, six in 2.1 (cut toward zero).
    second = Decimal("10.724637") if version == "2.1" else Decimal("10.7")
    assert [(p["startPeriod"], p["limit"]) for p in periods_] == [(0, Decimal("13.5")), (300, second)]


def test_refused_requests() -> None:
    store = ProfileStore("2.0.1")
    station = Station(evse_count=1, charging_rate_units=frozenset({"A"}))
    assert expected_answer(store, {"evseId": 2, "duration": 60}, NOW, station)[0] == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownEvse"},
    }
    refused, none = expected_answer(
        store, {"evseId": 1, "duration": 60, "chargingRateUnit": "W"}, NOW, station
    )
    assert none is None and refused["statusInfo"]["reasonCode"] == "UnsupportedRateUnit"
    assert expected_answer(ProfileStore("1.6"), {"connectorId": 3, "duration": 60}, NOW, ONE)[0] == {
        "status": "Rejected"
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"evse_id": -1}, "evse_id"),
        ({"evse_id": True}, "evse_id"),
        ({"unit": "kW"}, "unit"),
        ({"duration": -1}, "duration"),
        ({"duration": MAX_DURATION + 1}, "duration"),
        ({"duration": 1.5}, "duration"),
        ({"start": datetime(2024, 1, 1)}, "aware"),
        ({"evse_id": 0, "station": Station()}, "evse_count"),
        ({"station": "big"}, "Station"),
    ],
)
def test_bad_requests_raise_the_library_error(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"evse_id": 1, "start": NOW, "duration": 60, "unit": "A", "station": ONE} | kwargs
    with pytest.raises(SmartChargingError, match=message):
        composite_schedule(ProfileStore("2.0.1"), **args)


def test_a_zero_window_has_one_period_and_lookups_work() -> None:
    store = ProfileStore.of("2.0.1", [(profile("2.0.1", "TxDefaultProfile", 1, [(0, 10), (30, 12)]), 1)])
    zero = composite_schedule(store, 1, NOW, 0, "A", ONE)
    assert limits(zero) == [(0, Decimal(10))] and zero.duration == 0
    full = composite_schedule(store, 1, NOW + timedelta(microseconds=500), 60, "A", ONE)
    assert full.start == NOW and full.end == NOW + timedelta(seconds=60)
    hit = full.at(NOW + timedelta(seconds=45))
    assert hit is not None and hit.limit == Decimal(12)
    assert full.at(NOW - timedelta(seconds=1)) is None and full.at(full.end) is None


# -- properties -----------------------------------------------------------------------------------------

_periods = st.lists(st.tuples(st.integers(1, 7200), st.integers(0, 64)), max_size=4)


@st.composite
def stores(draw: st.DrawFn) -> tuple[ProfileStore, Decimal | None]:
    version = draw(st.sampled_from(["1.6", "2.0.1", "2.1"]))
    entries = []
    cap: Decimal | None = None
    maxima = 0
    for pid in range(1, draw(st.integers(0, 5)) + 1):
        purpose = draw(st.sampled_from(["TxDefaultProfile", "TxProfile", "ChargingStationMaxProfile"]))
        kind = draw(st.sampled_from(["Absolute", "Relative", "Recurring"]))
        steps = sorted({0: draw(st.integers(0, 64)), **dict(draw(_periods))}.items())
        extra: dict[str, Any] = {"recurrencyKind": "Daily"} if kind == "Recurring" else {}
        if draw(st.booleans()):
            extra["validTo"] = "2024-05-01T13:00:00Z"
        start = (
            None
            if kind == "Relative"
            else draw(st.sampled_from(["2024-05-01T11:00:00Z", "2024-05-01T12:30:00Z"]))
        )
        unit = draw(st.sampled_from(["A", "W"]))
        one = profile(
            version,
            purpose,
            pid,
            [(s, float(v)) for s, v in steps],
            unit=unit,
            kind=kind,
            start=start,
            stack=draw(st.integers(0, 3)),
            **extra,
        )
        evse = 0 if purpose == "ChargingStationMaxProfile" else draw(st.sampled_from([0, 1]))
        entries.append((one, evse))
        if purpose == "ChargingStationMaxProfile":
            maxima += 1
            covers = unit == "A" and kind == "Absolute" and len(steps) == 1 and "validTo" not in extra
            if covers and start == "2024-05-01T11:00:00Z":
                cap = Decimal(steps[0][1])
    if maxima != 1:
        cap = None  # with several maxima the highest stack level rules, not the lowest limit
    store = ProfileStore.of(version, entries)
    if draw(st.booleans()):
        store = store.start_transaction(
            1, 1 if version == "1.6" else "T1", NOW - timedelta(seconds=draw(st.integers(0, 3600)))
        )
    return store, cap


@settings(max_examples=150, deadline=None)
@given(stores(), st.integers(0, 7200), st.sampled_from(["A", "W"]), st.sampled_from([0, 1]))
def test_any_store_gives_a_well_formed_schedule(
    case: tuple[ProfileStore, Decimal | None], duration: int, unit: str, evse: int
) -> None:
    store, cap = case
    station = Station(evse_count=2, default_limit_a=Decimal(48), default_limit_w=Decimal(33120))
    result = composite_schedule(store, evse, NOW, duration, unit, station)
    starts = [p.start_period for p in result.periods]
    assert starts[0] == 0 and starts == sorted(set(starts)) and all(s < max(duration, 1) for s in starts)
    assert all(not a.same_values(b) for a, b in zip(result.periods, result.periods[1:], strict=False))
    assert all(p.limit is not None and p.limit >= 0 for p in result.periods)
    if cap is not None and unit == "A":
        # A station maximum that covers the whole window is never exceeded.
        assert all(p.limit is not None and p.limit <= cap for p in result.periods)
    text = result.response_model().model_dump_json(by_alias=True, exclude_none=True)
    validate_payload(store.version, "GetCompositeSchedule", "response", text)
