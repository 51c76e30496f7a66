"""Every validity rule, in every version it belongs to, with one profile that keeps it and one that breaks it.

Each scenario builds a store, a station and a profile from a valid base profile
of the version, changed in one place. The good variant must not trigger the
rule (and, unless the scenario says otherwise, be accepted outright); the bad
one must trigger it. A test also checks that the table covers every rule of
the catalogue in every version the catalogue gives it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ocpkit.ocpp.smart_charging import RULES, ProfileStore, Station

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
START = "2024-05-01T12:00:00Z"


def base(version: str, purpose: str = "TxDefaultProfile", **changes: Any) -> dict[str, Any]:
    """A valid profile of *version*: Absolute, one 16 A period from START."""
    period = {"startPeriod": 0, "limit": 16.0}
    if version == "1.6":
        profile: dict[str, Any] = {
            "chargingProfileId": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "ChargePointMaxProfile"
            if purpose == "ChargingStationMaxProfile"
            else purpose,
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "startSchedule": START,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [period],
            },
        }
    else:
        profile = {
            "id": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": purpose,
            "chargingProfileKind": "Absolute",
            "chargingSchedule": [
                {"id": 1, "startSchedule": START, "chargingRateUnit": "A", "chargingSchedulePeriod": [period]}
            ],
        }
    profile.update(changes)
    return profile


def schedule(profile: dict[str, Any]) -> dict[str, Any]:
    sched = profile["chargingSchedule"]
    return sched if isinstance(sched, dict) else sched[0]


def periods(profile: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = schedule(profile)["chargingSchedulePeriod"]
    return result


def set_id(profile: dict[str, Any], version: str, value: int) -> dict[str, Any]:
    profile["chargingProfileId" if version == "1.6" else "id"] = value
    return profile


def tx_id(version: str, name: str) -> str | int:
    return {"T1": 1, "T2": 2}[name] if version == "1.6" else name


@dataclass
class Scenario:
    profile: dict[str, Any]
    evse: int = 1
    store: Callable[[ProfileStore], ProfileStore] = field(default=lambda s: s)
    station: Station = field(default_factory=Station)
    source: str = "SetChargingProfile"
    now: datetime | None = NOW
    check_schema: bool = True
    accepted: bool = True  # the good variant is accepted as a whole


Builder = Callable[[str, bool], Scenario]
SCENARIOS: dict[str, Builder] = {}


def scenario(rule: str) -> Callable[[Builder], Builder]:
    def register(build: Builder) -> Builder:
        SCENARIOS[rule] = build
        return build

    return register


def with_tx(version: str, name: str = "T1") -> Callable[[ProfileStore], ProfileStore]:
    return lambda s: s.start_transaction(1, tx_id(version, name), NOW - timedelta(minutes=5))


@scenario("schema")
def _schema(v: str, good: bool) -> Scenario:
    profile = base(v)
    if not good:
        profile["colour"] = "blue"
    return Scenario(profile)


@scenario("unreadable")
def _unreadable(v: str, good: bool) -> Scenario:
    return Scenario(
        base(v, chargingProfilePurpose="TxDefaultProfile" if good else "Bogus"), check_schema=False
    )


@scenario("not-finite")
def _not_finite(v: str, good: bool) -> Scenario:
    profile = base(v)
    periods(profile)[0]["limit"] = 16.0 if good else float("inf")
    return Scenario(profile, check_schema=False)


@scenario("request-start-not-tx-profile")
def _remote(v: str, good: bool) -> Scenario:
    return Scenario(base(v, "TxProfile" if good else "TxDefaultProfile"), source="RequestStartTransaction")


@scenario("evse-unknown")
def _evse(v: str, good: bool) -> Scenario:
    return Scenario(base(v), evse=2 if good else 3, station=Station(evse_count=2))


@scenario("external-constraints-id-range")
def _ext_range(v: str, good: bool) -> Scenario:
    return Scenario(set_id(base(v), v, 11 if good else 5), station=Station(max_external_constraints_id=10))


@scenario("external-constraints-id")
def _ext_id(v: str, good: bool) -> Scenario:
    external = set_id(base(v, "ChargingStationExternalConstraints"), v, 7)
    return Scenario(
        set_id(base(v, stackLevel=1), v, 8 if good else 7), store=lambda s: s.put(external, 0), evse=1
    )


@scenario("stack-level-range")
def _stack(v: str, good: bool) -> Scenario:
    return Scenario(base(v, stackLevel=3 if good else 4), station=Station(max_stack_level=3))


@scenario("no-schedule")
def _no_schedule(v: str, good: bool) -> Scenario:
    profile = base(v)
    if not good:
        profile["chargingSchedule"] = []
    return Scenario(profile, check_schema=False)


@scenario("rate-unit-unsupported")
def _unit(v: str, good: bool) -> Scenario:
    profile = base(v)
    if good:
        schedule(profile)["chargingRateUnit"] = "W"
        periods(profile)[0]["limit"] = 11000.0
    return Scenario(profile, station=Station(charging_rate_units=frozenset({"W"})))


@scenario("no-periods")
def _no_periods(v: str, good: bool) -> Scenario:
    profile = base(v)
    if not good:
        schedule(profile)["chargingSchedulePeriod"] = []
    return Scenario(profile, check_schema=False)


@scenario("too-many-periods")
def _many_periods(v: str, good: bool) -> Scenario:
    profile = base(v)
    schedule(profile)["chargingSchedulePeriod"] = [
        {"startPeriod": 60 * i, "limit": 16.0 - i} for i in range(2 if good else 3)
    ]
    return Scenario(profile, station=Station(max_periods=2))


@scenario("randomized-delay-purpose")
def _delay_purpose(v: str, good: bool) -> Scenario:
    profile = base(v, "TxDefaultProfile" if good else "ChargingStationMaxProfile")
    schedule(profile)["randomizedDelay"] = 10
    return Scenario(profile, evse=1 if good else 0)


@scenario("purpose-unsupported")
def _purpose_support(v: str, good: bool) -> Scenario:
    profile = base(v, "PriorityCharging" if good else "LocalGeneration")
    schedule(profile).pop("startSchedule")
    profile["chargingProfileKind"] = "Relative"
    return Scenario(
        profile, evse=1 if good else 0, station=Station(supported_purposes=frozenset({"PriorityCharging"}))
    )


@scenario("kind-unsupported")
def _dynamic_support(v: str, good: bool) -> Scenario:
    return Scenario(base(v, chargingProfileKind="Dynamic"), station=Station(supports_dynamic=good))


@scenario("not-dynamic")
def _not_dynamic(v: str, good: bool) -> Scenario:
    return Scenario(base(v, chargingProfileKind="Dynamic" if good else "Absolute", dynUpdateInterval=60))


@scenario("local-time-unsupported")
def _local_time(v: str, good: bool) -> Scenario:
    profile = base(v)
    schedule(profile)["useLocalTime"] = not good
    return Scenario(profile, station=Station(supports_local_time=False))


@scenario("randomized-delay-unsupported")
def _delay_support(v: str, good: bool) -> Scenario:
    profile = base(v)
    if not good:
        schedule(profile)["randomizedDelay"] = 5
    return Scenario(profile, station=Station(supports_randomized_delay=False))


@scenario("limit-at-soc-unsupported")
def _soc_support(v: str, good: bool) -> Scenario:
    profile = base(v)
    if not good:
        schedule(profile)["limitAtSoC"] = {"soc": 80, "limit": 10.0}
    return Scenario(profile, station=Station(supports_limit_at_soc=False))


@scenario("phase-to-use-not-single")
def _phase_single(v: str, good: bool) -> Scenario:
    profile = base(v)
    periods(profile)[0].update(numberPhases=1 if good else 3, phaseToUse=1)
    return Scenario(profile, station=Station(ac_phase_switching_supported=True))


@scenario("phase-to-use-unsupported")
def _phase_switching(v: str, good: bool) -> Scenario:
    profile = base(v)
    periods(profile)[0].update(numberPhases=1, phaseToUse=1)
    return Scenario(profile, station=Station(ac_phase_switching_supported=True if good else None))


@scenario("first-period-not-zero")
def _first_zero(v: str, good: bool) -> Scenario:
    profile = base(v)
    periods(profile)[0]["startPeriod"] = 0 if good else 10
    return Scenario(profile)


@scenario("periods-out-of-order")
def _order(v: str, good: bool) -> Scenario:
    profile = base(v)
    starts = [0, 50, 100] if good else [0, 100, 50]
    schedule(profile)["chargingSchedulePeriod"] = [{"startPeriod": s, "limit": 10.0} for s in starts]
    return Scenario(profile)


@scenario("phase-values-dc")
def _dc(v: str, good: bool) -> Scenario:
    profile = base(v)
    if not good:
        periods(profile)[0]["numberPhases"] = 3
    return Scenario(profile, station=Station(evse_current={1: "DC"}))


@scenario("number-phases-unsupported")
def _phases(v: str, good: bool) -> Scenario:
    profile = base(v)
    periods(profile)[0]["numberPhases"] = 1 if good else 3
    return Scenario(profile, station=Station(supply_phases=1))


@scenario("priority-operation-mode")
def _priority_mode(v: str, good: bool) -> Scenario:
    profile = base(v, "PriorityCharging", chargingProfileKind="Relative")
    schedule(profile).pop("startSchedule")
    if not good:
        periods(profile)[0].update(operationMode="CentralSetpoint", setpoint=10.0)
    return Scenario(profile)


@scenario("operation-mode-purpose")
def _mode_purpose(v: str, good: bool) -> Scenario:
    profile = base(v, "ChargingStationMaxProfile")
    periods(profile)[0]["operationMode"] = "ChargingOnly" if good else "CentralSetpoint"
    if not good:
        periods(profile)[0]["setpoint"] = 10.0
    return Scenario(profile, evse=0)


@scenario("local-frequency-unit")
def _frequency_unit(v: str, good: bool) -> Scenario:
    profile = base(v)
    sched = schedule(profile)
    sched["chargingRateUnit"] = "W" if good else "A"
    sched["chargingSchedulePeriod"] = [
        {
            "startPeriod": 0,
            "operationMode": "LocalFrequency",
            "v2xBaseline": 0.0,
            "v2xFreqWattCurve": [{"frequency": 49.8, "power": 1000.0}, {"frequency": 50.2, "power": -1000.0}],
        }
    ]
    return Scenario(profile)


@scenario("evse-sleep-unsupported")
def _sleep(v: str, good: bool) -> Scenario:
    profile = base(v)
    periods(profile)[0]["evseSleep"] = not good
    return Scenario(profile, station=Station(supports_evse_sleep=False))


@scenario("limit-setpoint-mode")
def _limits_per_mode(v: str, good: bool) -> Scenario:
    profile = base(v)
    periods(profile)[0]["operationMode"] = "CentralSetpoint"
    if good:
        periods(profile)[0]["setpoint"] = 10.0
    return Scenario(profile)


@scenario("local-frequency-curve")
def _curve(v: str, good: bool) -> Scenario:
    profile = _frequency_unit(v, True).profile
    if not good:
        periods(profile)[0]["v2xFreqWattCurve"] = [{"frequency": 49.8, "power": 1000.0}]
    return Scenario(profile)


@scenario("start-schedule-missing")
def _start_missing(v: str, good: bool) -> Scenario:
    profile = base(v)
    if not good:
        schedule(profile).pop("startSchedule")
    return Scenario(profile)


@scenario("start-schedule-extraneous")
def _start_extra(v: str, good: bool) -> Scenario:
    profile = base(v, chargingProfileKind="Relative")
    if good:
        schedule(profile).pop("startSchedule")
    return Scenario(profile)


@scenario("recurrency-kind-missing")
def _recurrency(v: str, good: bool) -> Scenario:
    profile = base(v, chargingProfileKind="Recurring")
    if good:
        profile["recurrencyKind"] = "Daily"
    return Scenario(profile)


@scenario("transaction-id-not-tx-profile")
def _tx_id_purpose(v: str, good: bool) -> Scenario:
    profile = base(v, "TxProfile" if good else "TxDefaultProfile", transactionId=tx_id(v, "T1"))
    return Scenario(profile, store=with_tx(v))


@scenario("duplicate-stack-level")
def _duplicate(v: str, good: bool) -> Scenario:
    installed = set_id(base(v), v, 5)
    return Scenario(base(v, stackLevel=0 if not good else 1), store=lambda s: s.put(installed, 1))


@scenario("max-profile-on-evse")
def _max_evse(v: str, good: bool) -> Scenario:
    return Scenario(base(v, "ChargingStationMaxProfile"), evse=0 if good else 1)


@scenario("max-profile-relative")
def _max_relative(v: str, good: bool) -> Scenario:
    profile = base(v, "ChargingStationMaxProfile")
    if not good:
        profile["chargingProfileKind"] = "Relative"
        schedule(profile).pop("startSchedule")
    return Scenario(profile, evse=0)


@scenario("tx-default-stack-level-taken")
def _tx_default_levels(v: str, good: bool) -> Scenario:
    installed = set_id(base(v), v, 5)
    return Scenario(base(v, stackLevel=1 if good else 0), store=lambda s: s.put(installed, 0))


@scenario("tx-profile-station-wide")
def _tx_station(v: str, good: bool) -> Scenario:
    return Scenario(
        base(v, "TxProfile", transactionId=tx_id(v, "T1")), evse=1 if good else 0, store=with_tx(v)
    )


@scenario("tx-profile-no-transaction-id")
def _tx_named(v: str, good: bool) -> Scenario:
    profile = base(v, "TxProfile")
    if good:
        profile["transactionId"] = tx_id(v, "T1")
    return Scenario(profile, store=with_tx(v))


@scenario("tx-profile-no-transaction")
def _tx_running(v: str, good: bool) -> Scenario:
    return Scenario(
        base(v, "TxProfile", transactionId=tx_id(v, "T1")), store=with_tx(v) if good else (lambda s: s)
    )


@scenario("tx-profile-other-transaction")
def _tx_other(v: str, good: bool) -> Scenario:
    return Scenario(base(v, "TxProfile", transactionId=tx_id(v, "T1" if good else "T2")), store=with_tx(v))


@scenario("tx-profile-stack-level-taken")
def _tx_levels(v: str, good: bool) -> Scenario:
    installed = set_id(base(v, "TxProfile", transactionId=tx_id(v, "T1")), v, 5)
    return Scenario(
        base(v, "TxProfile", transactionId=tx_id(v, "T1"), stackLevel=1 if good else 0),
        store=lambda s: with_tx(v)(s).put(installed, 1),
    )


@scenario("priority-duration")
def _priority_duration(v: str, good: bool) -> Scenario:
    profile = base(v, "PriorityCharging", chargingProfileKind="Relative")
    schedule(profile).pop("startSchedule")
    if not good:
        schedule(profile)["duration"] = 600
    return Scenario(profile)


@scenario("too-many-profiles")
def _count(v: str, good: bool) -> Scenario:
    other = set_id(base(v, stackLevel=1), v, 9)
    return Scenario(base(v), store=lambda s: s.put(other, 1), station=Station(max_profiles=2 if good else 1))


@scenario("rate-limit")
def _rate(v: str, good: bool) -> Scenario:
    first = set_id(base(v, stackLevel=1), v, 9)

    def earlier(s: ProfileStore) -> ProfileStore:
        return s.install(first, 1, NOW - timedelta(seconds=10), station=Station()).store

    return Scenario(base(v), store=earlier, station=Station(update_rate_limit=5 if good else 60), now=NOW)


CASES = [
    pytest.param(rule, version, id=f"{rule}-{version}")
    for rule, entry in sorted(RULES.items())
    for version in entry.refs
]


def _run(version: str, scene: Scenario) -> tuple[set[str], bool]:
    store = scene.store(ProfileStore(version))
    result = store.install(
        copy.deepcopy(scene.profile),
        scene.evse,
        scene.now,
        station=scene.station,
        source=scene.source,
        check_schema=scene.check_schema,
    )
    return {r.rule for r in result.refusals}, result.accepted


@pytest.mark.parametrize(("rule", "version"), CASES)
def test_the_rule_keeps_the_good_profile_and_refuses_the_bad(rule: str, version: str) -> None:
    build = SCENARIOS[rule]
    good, good_accepted = _run(version, build(version, True))
    bad, bad_accepted = _run(version, build(version, False))
    assert rule not in good
    if build(version, True).accepted:
        assert good_accepted, good
    assert rule in bad
    assert not bad_accepted


def test_every_rule_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(RULES)


@pytest.mark.parametrize(("rule", "version"), CASES)
def test_each_refusal_names_the_reference_of_its_version(rule: str, version: str) -> None:
    scene = SCENARIOS[rule](version, False)
    result = scene.store(ProfileStore(version)).install(
        scene.profile,
        scene.evse,
        scene.now,
        station=scene.station,
        source=scene.source,
        check_schema=scene.check_schema,
    )
    found = [r for r in result.refusals if r.rule == rule]
    assert found and found[0].ref == RULES[rule].refs[version]
    assert found[0].reason_code == RULES[rule].reason_code
    assert result.response()["status"] == "Rejected"
    if version != "1.6":
        assert result.response()["statusInfo"]["reasonCode"] == result.refusals[0].reason_code


def test_rules_not_of_a_version_do_not_refuse_there() -> None:
    # 1.6 knows no first-period rule and no startSchedule rules: these profiles are accepted there.
    late = base("1.6")
    periods(late)[0]["startPeriod"] = 30
    assert ProfileStore("1.6").install(late, 1, NOW).accepted
    absolute_without_start = base("1.6")
    schedule(absolute_without_start).pop("startSchedule")
    assert ProfileStore("1.6").install(absolute_without_start, 1, NOW).accepted  # OCTT TC_056
    no_start = base("2.0.1")
    schedule(no_start).pop("startSchedule")
    assert not ProfileStore("2.0.1").install(no_start, 1, NOW).accepted
