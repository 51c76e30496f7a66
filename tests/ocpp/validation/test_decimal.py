"""Python values of the models (Decimal, enum members, datetimes) are judged as the JSON they stand for.

A model's ``model_dump(mode="python", by_alias=True, exclude_none=True)`` must validate again, by
:func:`validate_payload` and by :func:`check_frame` on a decoded array, with the exact checker and
with the fast lanes switched on (caller objects always go to the exact checker, whose verdict on a
Decimal is the verdict on the text the Decimal is written as).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.errors import PayloadInvalid
from ocpkit.ocpp import _json, validation
from ocpkit.ocpp.validation import _fast, check_frame, check_frames, check_payload, validate_payload
from ocpkit.ocpp.validation._exact import NOT_JSON, plain
from tests.ocpp import oracle
from tests.ocpp.corpus import Gen, generate

VERSIONS = ("1.6", "2.0.1", "2.1")


@pytest.fixture(params=["fast", "exact"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with the jsonschema-rs verdict engine and with the exact checker alone."""
    if request.param == "exact":
        monkeypatch.setattr(_fast, "_rs", None)
    elif not validation.HAVE_FAST_ENGINE:
        pytest.skip("jsonschema-rs not installed")
    monkeypatch.setattr(_fast, "_COMPILED", {})
    monkeypatch.setattr(_fast, "LANES", _fast._Lanes())
    yield request.param


def _mv201(value: Any) -> dict[str, Any]:
    return {
        "evseId": 1,
        "meterValue": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": value}]}],
    }


def _decimals(node: Any) -> Any:
    """*node* with every number (not bool) written as a Decimal of its JSON text."""
    if isinstance(node, dict):
        return {k: _decimals(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decimals(v) for v in node]
    if type(node) is float:
        return Decimal(repr(node))
    if type(node) is int:
        return Decimal(node)
    return node


def _seen(violations: Any) -> set[tuple[str, str]]:
    return {(v.path, v.keyword) for v in violations}


# ------------------------------------------------------------------ the shapes


@pytest.mark.usefixtures("engine")
def test_decimal_number_in_a_dict_validates() -> None:
    model = validate_payload("2.0.1", "MeterValues", "request", _mv201(Decimal("24.6")))
    assert model.meter_value[0].sampled_value[0].value == Decimal("24.6")  # type: ignore[attr-defined]


@pytest.mark.usefixtures("engine")
def test_model_dump_python_validates_again_by_payload_and_frame() -> None:
    sent = {
        "evseId": 1,
        "meterValue": [
            {
                "timestamp": "2024-01-01T00:00:00.250+01:00",
                "sampledValue": [
                    {"value": 24.6, "measurand": "Voltage", "unitOfMeasure": {"unit": "V", "multiplier": 0}},
                    {"value": 3051, "context": "Transaction.Begin"},
                ],
            }
        ],
    }
    model = validate_payload("2.0.1", "MeterValues", "request", sent)
    dumped = model.model_dump(mode="python", by_alias=True, exclude_none=True)
    sample = dumped["meterValue"][0]["sampledValue"][0]
    assert type(sample["value"]) is Decimal and type(sample["measurand"]) is not str
    assert not isinstance(dumped["meterValue"][0]["timestamp"], str)
    assert validate_payload("2.0.1", "MeterValues", "request", dumped) == model
    report = check_frame([2, "m1", "MeterValues", dumped], "2.0.1")
    assert report.ok, report.violations
    (bulk,) = check_frames([[2, "m1", "MeterValues", dumped]], "2.0.1")  # type: ignore[list-item]
    assert bulk.ok, bulk.violations


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", "-Infinity", "1E+400", "-1E+400"])
def test_non_finite_or_overflowing_decimal_is_refused_like_nan(bad: str) -> None:
    with pytest.raises(PayloadInvalid) as info:
        validate_payload("2.0.1", "MeterValues", "request", _mv201(Decimal(bad)))
    (violation,) = info.value.violations
    assert (violation.path, violation.keyword) == ("/meterValue/0/sampledValue/0/value", "json")
    nan_float = check_payload("2.0.1", "MeterValues", "request", _mv201(float("nan")))
    assert _seen(nan_float) == {(violation.path, violation.keyword)}
    report = check_frame([2, "m", "MeterValues", _mv201(Decimal(bad))], "2.0.1")
    assert _seen(report.violations) == {("/3/meterValue/0/sampledValue/0/value", "json")}


@pytest.mark.usefixtures("engine")
def test_decimal_integers_follow_the_draft_as_their_text_does() -> None:
    # 1.6 core is draft-04: "1" is an integer, "1.0" is not; 2.x (draft-06) takes both.
    def mv16(connector: Any) -> dict[str, Any]:
        return {
            "connectorId": connector,
            "meterValue": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": "1"}]}],
        }

    assert check_payload("1.6", "MeterValues", "request", mv16(Decimal(1))) == ()
    assert _seen(check_payload("1.6", "MeterValues", "request", mv16(Decimal("1.0")))) == {
        ("/connectorId", "type")
    }
    assert _seen(check_payload("1.6", "MeterValues", "request", mv16(Decimal("1E+1")))) == {
        ("/connectorId", "type")
    }
    two = _mv201(1)
    for evse in (Decimal(2), Decimal("2.0"), Decimal("2E+0")):
        two["evseId"] = evse
        assert check_payload("2.0.1", "MeterValues", "request", two) == ()
    two["evseId"] = Decimal("2.5")
    assert _seen(check_payload("2.0.1", "MeterValues", "request", two)) == {("/evseId", "type")}


@pytest.mark.usefixtures("engine")
def test_decimal_bounds_and_multiple_of() -> None:
    # 1.6 SetChargingProfile: limit has multipleOf 0.1 (exact on the Decimal's text).
    profile: dict[str, Any] = {
        "connectorId": 1,
        "csChargingProfiles": {
            "chargingProfileId": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Relative",
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": Decimal("16.2")}],
            },
        },
    }
    assert check_payload("1.6", "SetChargingProfile", "request", profile) == ()
    period = profile["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]
    where = "/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit"
    period["limit"] = Decimal("16.25")
    text = _json.encode(_plain_tree(profile))
    expected = _seen(check_payload("1.6", "SetChargingProfile", "request", text))
    assert expected == {(where, "multipleOf")}
    assert _seen(check_payload("1.6", "SetChargingProfile", "request", profile)) == expected
    # 2.0.1 NotifyEVChargingNeeds: stateOfCharge is an integer of 0..100 (draft-06: 100.0 is one).
    dc: dict[str, Any] = {"evMaxCurrent": 1, "evMaxVoltage": 1}
    needs = {"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "DC", "dcChargingParameters": dc}}
    soc = "/chargingNeeds/dcChargingParameters/stateOfCharge"
    for value, found in (("100.0", set()), ("101", {(soc, "maximum")}), ("-1E+0", {(soc, "minimum")})):
        dc["stateOfCharge"] = Decimal(value)
        assert _seen(check_payload("2.0.1", "NotifyEVChargingNeeds", "request", needs)) == found, value


def _plain_tree(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain_tree(v) for v in node]
    return plain(node)


@pytest.mark.usefixtures("engine")
def test_a_decimal_type_id_in_a_decoded_frame() -> None:
    assert check_frame([Decimal(2), "m", "MeterValues", _mv201(1)], "2.0.1").ok
    bad = check_frame([Decimal("2.0"), "m", "MeterValues", _mv201(1)], "2.0.1")
    assert _seen(bad.violations) == {("/0", "frame")}


def test_plain_values() -> None:
    assert plain(Decimal("24.6")) == 24.6 and type(plain(Decimal("24.6"))) is float
    assert plain(Decimal("-0")) == 0 and type(plain(Decimal("-0"))) is int
    assert plain(Decimal("1" * 40)) == int("1" * 40)
    assert plain(Decimal("NaN")) is NOT_JSON and plain(Decimal("1E+999")) is NOT_JSON
    moment = datetime(2024, 1, 1, 12, 30, tzinfo=UTC)
    assert plain(moment) == "2024-01-01T12:30:00Z"
    naive = datetime(2024, 1, 1)
    assert plain(naive) is naive
    kept = (1, 2)
    assert plain(kept) is kept


def test_a_naive_datetime_is_not_a_date_time_string() -> None:
    payload = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
    assert check_payload("2.0.1", "BootNotification", "request", payload) == ()
    resp = {"currentTime": datetime(2024, 1, 1), "interval": 10, "status": "Accepted"}
    assert _seen(check_payload("2.0.1", "BootNotification", "response", resp)) == {("/currentTime", "type")}
    resp["currentTime"] = datetime(2024, 1, 1, tzinfo=UTC)
    assert check_payload("2.0.1", "BootNotification", "response", resp) == ()


# ------------------------------------------------------------------ over the generated models


def _valid_payloads(shared: Path, version: str, draws: int) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """*draws* payloads drawn from the official schema of every message of *version*."""
    rnd = random.Random(f"decimal:{version}")
    for action, has_response in sorted(oracle.official_actions(shared, version).items()):
        for direction in ("request", "response") if has_response else ("request",):
            schema = oracle.load_schema(shared, version, action, direction)
            for _ in range(draws):
                yield action, direction, Gen(rnd, schema).draw(schema, ())


def _has_number(schema: Any) -> bool:
    if isinstance(schema, dict):
        return schema.get("type") == "number" or any(_has_number(v) for v in schema.values())
    return isinstance(schema, list) and any(_has_number(v) for v in schema)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("version", VERSIONS)
def test_model_dump_python_round_trips_over_generated_models(shared: Path, version: str) -> None:
    with_decimals: set[tuple[str, str]] = set()
    actions = oracle.official_actions(shared, version)
    for action, direction, payload in _valid_payloads(shared, version, 4):
        if check_payload(version, action, direction, payload):
            continue  # a draw the official schema refuses (x-extra where 1.6 allows none, say)
        model = validate_payload(version, action, direction, payload)
        dumped = model.model_dump(mode="python", by_alias=True, exclude_none=True)
        if "Decimal(" in repr(dumped):
            with_decimals.add((action, direction))
        again = validate_payload(version, action, direction, dumped)
        assert again == model, (action, direction)
        call = 2 if actions[action] else 6  # a SEND (2.1) has no response
        frame = [call, "m", action, dumped] if direction == "request" else [3, "m", dumped]
        report = check_frame(frame, version, action=None if direction == "request" else action)
        assert report.ok, (action, direction, report.violations)
    # Most messages whose schema has a number were met with a Decimal in their dump.
    numeric = {
        (a, d)
        for a, has_response in actions.items()
        for d in (("request", "response") if has_response else ("request",))
        if _has_number(oracle.load_schema(shared, version, a, d))
    }
    assert with_decimals <= numeric
    assert len(with_decimals) >= len(numeric) // 2, sorted(numeric - with_decimals)


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("version", VERSIONS)
def test_decimal_numbers_get_the_verdict_of_their_text(shared: Path, version: str) -> None:
    # Valid and mutated payloads alike: numbers as Decimals give the violations of the text.
    compared = 0
    for raw, action, _kind in generate(shared, version, 600, seed=15, mutation_rate=0.6):
        try:
            msg = _json.decode(raw)
        except _json.JsonError:
            continue
        if type(msg) is not list or len(msg) not in (3, 4) or msg[0] not in (2, 3, 6):
            continue
        if msg[0] == 3 and action is None:
            continue
        from_text = check_frame(raw, version, action=action)
        if from_text.frame is None:
            continue
        as_decimals = [*msg[:-1], _decimals(msg[-1])]
        from_objects = check_frame(as_decimals, version, action=action)
        assert _seen(from_objects.violations) == _seen(from_text.violations), raw
        compared += 1
    assert compared > 300


@pytest.mark.usefixtures("engine")
@settings(max_examples=200, deadline=None)
@given(
    st.decimals(allow_nan=True, allow_infinity=True, places=None)
    | st.decimals(min_value=-1000, max_value=1000, places=3)
)
def test_any_decimal_value_is_judged_as_its_text(value: Decimal) -> None:
    from_objects = check_payload("2.0.1", "MeterValues", "request", _mv201(value))
    if not value.is_finite() or plain(value) is NOT_JSON:
        assert _seen(from_objects) == {("/meterValue/0/sampledValue/0/value", "json")}
        return
    text = '{"evseId":1,"meterValue":[{"timestamp":"2024-01-01T00:00:00Z","sampledValue":[{"value":%s}]}]}'
    assert _seen(from_objects) == _seen(check_payload("2.0.1", "MeterValues", "request", text % value))
