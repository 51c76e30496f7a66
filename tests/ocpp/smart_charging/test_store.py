"""ProfileStore: a value that installs, replaces, clears and follows transactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ocpkit.errors import SmartChargingError
from ocpkit.ocpp import v16, v201
from ocpkit.ocpp.smart_charging import ProfileStore, Station, parse_profile
from tests.ocpp.smart_charging.test_rules import NOW, base, periods, set_id


def ids(store: ProfileStore) -> list[tuple[int, int]]:
    return [(s.profile.id, s.evse_id) for s in store.profiles]


def test_install_leaves_the_old_store_as_it_was() -> None:
    empty = ProfileStore("2.0.1")
    result = empty.install(base("2.0.1"), 1, NOW)
    assert result.accepted and result.status == "Accepted" and result.response() == {"status": "Accepted"}
    assert len(empty) == 0 and ids(result.store) == [(1, 1)]
    assert result.store.profiles[0].received_at == NOW


def test_the_same_id_replaces_in_every_version() -> None:
    for version in ("1.6", "2.0.1", "2.1"):
        first = ProfileStore(version).install(base(version), 1, NOW).store
        again = first.install(base(version, stackLevel=3), 2, NOW)
        assert again.accepted and again.replaced == (1,)
        assert ids(again.store) == [(1, 2)]
        assert again.store.profiles[0].profile.stack_level == 3


def test_16_replaces_the_same_purpose_and_stack_level_on_the_connector() -> None:
    store = ProfileStore("1.6").install(base("1.6"), 1, NOW).store
    other_id = set_id(base("1.6"), "1.6", 2)
    replaced = store.install(other_id, 1, NOW)
    assert replaced.replaced == (1,) and ids(replaced.store) == [(2, 1)]
    # ... but not on another connector, nor with another stack level.
    kept = store.install(other_id, 2, NOW, station=Station(evse_count=2))
    assert ids(kept.store) == [(1, 1), (2, 2)]
    assert ids(store.install(set_id(base("1.6", stackLevel=1), "1.6", 2), 1, NOW).store) == [(1, 1), (2, 1)]


def test_2x_refuses_the_same_purpose_and_stack_level_instead() -> None:
    store = ProfileStore("2.0.1").install(base("2.0.1"), 1, NOW).store
    result = store.install(set_id(base("2.0.1"), "2.0.1", 2), 1, NOW)
    assert not result.accepted and result.refusals[0].rule == "duplicate-stack-level"
    assert result.store is store
    assert result.response()["statusInfo"]["reasonCode"] == "DuplicateProfile"


def test_models_and_dicts_are_the_same_profile() -> None:
    model16 = v16.datatypes.ChargingProfile.model_validate(base("1.6"))
    model201 = v201.datatypes.ChargingProfileType.model_validate(base("2.0.1"))
    for version, model in (("1.6", model16), ("2.0.1", model201)):
        from_model = ProfileStore(version).install(model, 1, NOW)
        from_dict = ProfileStore(version).install(base(version), 1, NOW)
        assert from_model.accepted and from_dict.accepted
        assert from_model.profile == from_dict.profile
        assert from_model.profile is not None and from_model.profile.schedules[0].periods[0].limit == Decimal(
            "16.0"
        )


def test_whole_requests_are_read() -> None:
    request16 = v16.messages.SetChargingProfileRequest.model_validate(
        {"connectorId": 1, "csChargingProfiles": base("1.6")}
    )
    assert ProfileStore("1.6").set_charging_profile(request16, NOW).accepted
    assert (
        ProfileStore("2.1").set_charging_profile({"evseId": 1, "chargingProfile": base("2.1")}, NOW).accepted
    )
    broken = ProfileStore("2.1").set_charging_profile({"chargingProfile": base("2.1")}, NOW)
    assert not broken.accepted and broken.refusals[0].rule == "unreadable"


def test_2x_conforms_number_phases_on_ac_only() -> None:
    result = ProfileStore("2.0.1").install(base("2.0.1"), 1, NOW)
    assert result.profile is not None and result.profile.schedules[0].periods[0].number_phases == 3
    dc = ProfileStore("2.0.1").install(base("2.0.1"), 1, NOW, station=Station(evse_current={1: "DC"}))
    assert dc.profile is not None and dc.profile.schedules[0].periods[0].number_phases is None
    v16_result = ProfileStore("1.6").install(base("1.6"), 1, NOW)
    assert v16_result.profile is not None and v16_result.profile.schedules[0].periods[0].number_phases is None


def test_of_keeps_a_report_exactly() -> None:
    twice = ProfileStore.of(
        "2.0.1", [(base("2.0.1"), 1), (base("2.0.1", chargingProfilePurpose="TxDefaultProfile"), 0)]
    )
    assert ids(twice) == [(1, 1), (1, 0)]
    assert twice.get(1) is twice.profiles[-1]


def test_adopt_follows_a_station_that_accepted_a_refused_profile() -> None:
    refused = base("2.0.1", "ChargingStationMaxProfile")
    assert not ProfileStore("2.0.1").install(refused, 1, NOW).accepted
    assert ids(ProfileStore("2.0.1").adopt(refused, 1, NOW)) == [(1, 1)]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_clear_by_id_then_by_criteria_then_everything(version: str) -> None:
    store = ProfileStore.of(
        version,
        [
            (set_id(base(version), version, 1), 1),
            (set_id(base(version, stackLevel=1), version, 2), 1),
            (set_id(base(version, "ChargingStationMaxProfile"), version, 3), 0),
        ],
    )
    by_id = store.clear(profile_id=2, purpose="TxProfile")  # criteria are not consulted with an id
    assert by_id.cleared == (2,) and by_id.status == "Accepted"
    purpose = "ChargePointMaxProfile" if version == "1.6" else "ChargingStationMaxProfile"
    assert store.clear(purpose=purpose).cleared == (3,)
    assert store.clear(evse_id=1, stack_level=0).cleared == (1,)
    assert store.clear(evse_id=0, purpose="TxDefaultProfile").cleared == ()
    assert store.clear(profile_id=99).status == "Unknown"
    assert store.clear().cleared == (1, 2, 3)
    assert store.clear().response() == {"status": "Accepted"}


def test_clear_requests_of_each_version() -> None:
    store16 = ProfileStore.of("1.6", [(base("1.6"), 1)])
    assert store16.clear_charging_profile(
        {"connectorId": 1, "chargingProfilePurpose": "TxDefaultProfile"}
    ).cleared == (1,)
    assert store16.clear_charging_profile({}).cleared == (1,)
    store2 = ProfileStore.of("2.0.1", [(base("2.0.1"), 1)])
    request = {"chargingProfileCriteria": {"evseId": 1, "stackLevel": 0}}
    assert store2.clear_charging_profile(request).cleared == (1,)
    assert store2.clear_charging_profile({"chargingProfileId": 1}).cleared == (1,)
    assert store2.clear_charging_profile({"chargingProfileCriteria": {"stackLevel": "x"}}).cleared == ()


def test_external_constraints_are_not_cleared_by_the_csms() -> None:
    external = base("2.0.1", "ChargingStationExternalConstraints")
    store = ProfileStore.of("2.0.1", [(external, 0)])
    assert store.clear().cleared == () and store.clear(profile_id=1).cleared == ()


def test_ending_a_transaction_deletes_its_tx_profiles() -> None:
    store = ProfileStore("2.0.1").start_transaction(1, "T1", NOW)
    store = store.install(base("2.0.1", "TxProfile", transactionId="T1"), 1, NOW).store
    store = store.install(set_id(base("2.0.1", stackLevel=2), "2.0.1", 2), 1, NOW).store
    assert store.transaction(1) is not None and len(store) == 2
    ended = store.end_transaction(transaction_id="T1")
    assert ended.transaction(1) is None and ids(ended) == [(2, 1)]
    assert store.end_transaction(evse_id=1) == ended
    with pytest.raises(SmartChargingError):
        store.end_transaction()


def test_remote_start_profiles_wait_for_their_transaction() -> None:
    result = ProfileStore("2.0.1").install(
        base("2.0.1", "TxProfile"), 1, NOW, source="RequestStartTransaction"
    )
    assert result.accepted
    running = result.store.start_transaction(1, "T9", NOW)
    assert ids(running.end_transaction(evse_id=1)) == []


def test_priority_charging_is_switched_per_evse() -> None:
    store = ProfileStore("2.1").with_priority_charging(1)
    assert store.priority == {1}
    assert store.with_priority_charging(1, False).priority == frozenset()


def test_bad_arguments_raise_the_library_error() -> None:
    with pytest.raises(SmartChargingError):
        ProfileStore("3.0")
    store = ProfileStore("2.0.1")
    for call in (
        lambda: store.install(base("2.0.1"), "1", NOW),  # type: ignore[arg-type]
        lambda: store.install(base("2.0.1"), True, NOW),  # type: ignore[arg-type]
        lambda: store.install(base("2.0.1"), 1, datetime(2024, 1, 1)),  # naive: time must say its zone
        lambda: store.install(base("2.0.1"), 1, NOW, source="Somewhere"),
        lambda: store.put(42, 1),
        lambda: store.start_transaction(1, "T", datetime(2024, 1, 1)),
        lambda: store.clear(profile_id="x"),  # type: ignore[arg-type]
        lambda: store.clear(purpose=3),  # type: ignore[arg-type]
        lambda: store.set_charging_profile(7, NOW),
    ):
        with pytest.raises(SmartChargingError):
            call()


def test_unreadable_profiles_are_refusals_not_exceptions() -> None:
    store = ProfileStore("2.0.1")
    for broken in (
        {},
        {"id": "1"},
        {**base("2.0.1"), "chargingSchedule": "no"},
        {**base("2.0.1"), "validFrom": "yesterday"},
        {**base("2.0.1"), "validFrom": "2024-01-01T00:00:00"},
        {
            **base("2.0.1"),
            "chargingSchedule": [{"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0.5}]}],
        },
        {**base("2.0.1"), "chargingSchedule": [{"chargingRateUnit": "kW", "chargingSchedulePeriod": []}]},
        {**base("2.0.1"), "stackLevel": True},
    ):
        result = store.install(broken, 1, NOW)
        assert not result.accepted and result.refusals
        assert {r.rule for r in result.refusals} <= {"schema", "unreadable"}
    nan = base("2.0.1")
    periods(nan)[0]["limit"] = float("nan")
    result = store.install(nan, 1, NOW)
    assert "not-finite" in {r.rule for r in result.refusals}


def test_parse_keeps_decimals_exact() -> None:
    profile = base("1.6")
    periods(profile)[0]["limit"] = 22.2
    parsed = parse_profile(profile, "1.6")
    assert parsed.schedules[0].periods[0].limit == Decimal("22.2")
    assert parsed.valid_from is None and parsed.role == "txdefault"


def test_the_16_transaction_id_is_an_integer_and_matches_the_running_one() -> None:
    store = ProfileStore("1.6").start_transaction(1, 17, NOW - timedelta(minutes=1))
    assert store.install(base("1.6", "TxProfile", transactionId=17), 1, NOW).accepted
    assert not store.install(base("1.6", "TxProfile", transactionId=18), 1, NOW).accepted
    assert store.install(base("1.6", "TxProfile"), 1, NOW).accepted  # 1.6: the running one is meant


def test_validity_periods_that_touch_do_not_overlap() -> None:
    first = base("2.0.1", validFrom="2024-06-01T00:00:00Z")
    store = ProfileStore("2.0.1").install(first, 1, NOW).store
    touching = set_id(base("2.0.1", validTo="2024-06-01T00:00:00Z"), "2.0.1", 2)
    assert store.install(touching, 1, NOW).accepted
    overlapping = set_id(base("2.0.1", validTo="2024-06-01T00:00:01Z"), "2.0.1", 2)
    assert not store.install(overlapping, 1, NOW).accepted
    # without validFrom a profile is valid from its reception: one received after the other ended is fine
    ended = base("2.0.1", validTo="2024-05-01T11:00:00Z")
    later = ProfileStore("2.0.1").put(ended, 1, received_at=NOW - timedelta(hours=3))
    assert later.install(set_id(base("2.0.1"), "2.0.1", 2), 1, NOW).accepted
    assert NOW.tzinfo is UTC
