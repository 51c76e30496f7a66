"""Hostile input: whatever a profile, request or capture holds, smart charging answers or raises its own error."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.errors import SmartChargingError
from ocpkit.ocpp.conversation import Conversation
from ocpkit.ocpp.rpc import parse_frame
from ocpkit.ocpp.smart_charging import ProfileStore, Station, composite_schedule, parse_profile
from ocpkit.ocpp.smart_charging.watcher import watcher
from tests.ocpp.smart_charging.test_rules import NOW, base

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**40), 10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "A", "W", "Recurring", "TxProfile"])
)
_json = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
_KEYS = [
    "id",
    "chargingProfileId",
    "stackLevel",
    "chargingProfilePurpose",
    "chargingProfileKind",
    "recurrencyKind",
    "validFrom",
    "validTo",
    "transactionId",
    "chargingSchedule",
    "startSchedule",
    "duration",
    "chargingRateUnit",
    "chargingSchedulePeriod",
    "startPeriod",
    "limit",
    "numberPhases",
    "phaseToUse",
    "limit_L2",
    "setpoint",
    "dischargeLimit",
    "operationMode",
    "useLocalTime",
    "randomizedDelay",
]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    """A valid profile of some version with a few values replaced by anything JSON can hold."""
    version = draw(st.sampled_from(["1.6", "2.0.1", "2.1"]))
    profile: Any = base(version)
    for _ in range(draw(st.integers(1, 4))):
        target = profile
        path = draw(
            st.lists(st.sampled_from(["chargingSchedule", 0, "chargingSchedulePeriod", 0]), max_size=4)
        )
        for step in path:
            if isinstance(target, dict) and isinstance(step, str) and step in target:
                target = target[step]
            elif isinstance(target, list) and isinstance(step, int) and target:
                target = target[0]
        if isinstance(target, dict):
            target[draw(st.sampled_from(_KEYS))] = draw(_json)
    if draw(st.booleans()):
        profile = draw(_json)
    return version, profile


@settings(max_examples=100, deadline=None)
@given(mutated(), st.integers(-3, 3))
def test_install_refuses_instead_of_crashing(case: tuple[str, Any], evse: int) -> None:
    version, profile = case
    store = ProfileStore(version).start_transaction(
        1, 1 if version == "1.6" else "T1", NOW - timedelta(hours=1)
    )
    result = store.install(profile, evse, NOW, station=Station(evse_count=2))
    assert result.accepted == (not result.refusals)
    if result.accepted:
        # Whatever was accepted can be composed, for the EVSE and for the whole station.
        for target in (0, 1, 2):
            composite_schedule(result.store, target, NOW, 3600, "A", Station(evse_count=2))


@settings(max_examples=100, deadline=None)
@given(mutated())
def test_a_raw_load_either_reads_or_raises_its_own_error(case: tuple[str, Any]) -> None:
    version, profile = case
    try:
        parsed = parse_profile(profile, version)
    except SmartChargingError as exc:
        assert exc.rule in ("unreadable", "not-finite")
        return
    store = ProfileStore(version).put(parsed, 1)
    result = composite_schedule(store, 1, NOW, 7200, "W", Station(evse_count=1))
    assert result.periods[0].start_period == 0


def test_deep_nesting_huge_numbers_and_odd_times() -> None:
    deep: Any = {}
    for _ in range(5000):
        deep = {"x": deep}
    profile = base("2.0.1")
    profile["chargingSchedule"][0]["customData"] = deep
    assert not ProfileStore("2.0.1").install(profile, 1, NOW).accepted
    huge = base("2.0.1", stackLevel=10**30)
    huge["chargingSchedule"][0].update(duration=10**30, startSchedule="9999-12-31T23:59:59Z")
    huge["chargingSchedule"][0]["chargingSchedulePeriod"] = [{"startPeriod": -(10**20), "limit": 10**400}]
    store = ProfileStore.of("2.0.1", [(huge, 1)])
    assert composite_schedule(store, 1, NOW, 60, "A", Station(evse_count=1)).periods
    ancient = base("2.0.1", chargingProfileKind="Recurring", recurrencyKind="Weekly")
    ancient["chargingSchedule"][0]["startSchedule"] = "0001-01-01T00:00:00+14:00"
    store = ProfileStore.of("2.0.1", [(ancient, 1)])
    assert (
        composite_schedule(store, 1, NOW, 86400 * 30, "W", Station(evse_count=1)).periods[0].limit is not None
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "SetChargingProfile",
                    "ClearChargingProfile",
                    "GetCompositeSchedule",
                    "MeterValues",
                    "TransactionEvent",
                    "StatusNotification",
                    "RequestStartTransaction",
                ]
            ),
            _json,
            _json,
        ),
        max_size=8,
    )
)
def test_the_watcher_takes_any_payloads(exchanges: list[tuple[str, Any, Any]]) -> None:
    conv = Conversation("2.0.1", watchers=[watcher])
    for i, (action, request, answer) in enumerate(exchanges):
        payload = request if isinstance(request, dict) else {"evseId": 1, "chargingProfile": request}
        reply = answer if isinstance(answer, dict) else {"status": "Accepted"}
        for text in (json.dumps([2, f"m{i}", action, payload]), json.dumps([3, f"m{i}", reply])):
            try:
                frame = parse_frame(text, version="2.0.1")
            except Exception:  # frames JSON itself refuses (NaN) never reach the fold
                continue
            conv.feed(frame, charge_point="CP", timestamp=NOW + timedelta(seconds=i))
    conv.finish()


def test_invalid_utf8_and_truncated_json_stay_outside() -> None:
    # Profiles are mappings or models: text is not taken at all, so a broken text is a clear error.
    for raw in (b"\xff\xfe{", '{"id": 1, "stackLevel"', 3.5):
        try:
            parse_profile(raw, "2.0.1")
        except SmartChargingError as exc:
            assert exc.rule == "unreadable"
        else:
            raise AssertionError("text accepted as a profile")
