"""One lenient API for OCPP and OCPI: ``lenient=True`` returns a LenientResult; every OCPI violation has a code.

The old spellings (OCPP ``strict=False``, OCPI ``parse_with_warnings``) still work for one release and
warn with a DeprecationWarning.
"""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from typing import Any

import pytest

from ocpkit import ocpi
from ocpkit.errors import ObjectInvalid
from ocpkit.ocpp import validate_payload
from ocpkit.ocpp import validation as ocpp_validation

TS = "2024-01-01T00:00:00Z"


def _tariff(**component: Any) -> dict[str, Any]:
    return {
        "country_code": "NL",
        "party_id": "EXA",
        "id": "T1",
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": Decimal("0.25"), "step_size": 1, **component}]}
        ],
        "last_updated": TS,
    }


def test_one_result_type_for_both_protocols() -> None:
    assert ocpi.LenientResult is ocpp_validation.LenientResult
    ocpp = validate_payload("2.0.1", "Heartbeat", "request", {}, lenient=True)
    roaming = ocpi.parse("2.2.1", "Tariff", _tariff(), lenient=True)
    for result in (ocpp, roaming):
        assert isinstance(result, ocpi.LenientResult)
        assert result.ok and result.violations == () and result.repairs == () and result.warnings == ()


def test_price_as_string_is_reported_and_repaired() -> None:
    doc = _tariff(price="0.30")
    with pytest.raises(ObjectInvalid) as info:
        ocpi.parse("2.2.1", "Tariff", doc)
    strict_violations = info.value.violations
    result = ocpi.parse("2.2.1", "Tariff", doc, lenient=True)
    assert not result.ok
    assert result.violations == strict_violations
    assert [(v.path, v.keyword, v.code) for v in result.violations] == [
        ("/elements/0/price_components/0/price", "type", "2001")
    ]
    assert result.model.elements[0].price_components[0].price == Decimal("0.30")
    assert result.repairs == ("/elements/0/price_components/0/price: str '0.30' read as the number 0.30",)


def test_unknown_tariff_type_is_reported_and_kept() -> None:
    doc = {**_tariff(), "type": "SUPER_SAVER"}
    result = ocpi.parse("2.2.1", "Tariff", doc, lenient=True)
    assert [(v.path, v.keyword, v.code) for v in result.violations] == [("/type", "enum", "2001")]
    assert result.model.type == "SUPER_SAVER"
    assert result.repairs == ("/type: 'SUPER_SAVER' kept as sent, without validation",)
    # The kept value dumps as sent, without a serializer warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert json.loads(result.model.model_dump_json(exclude_none=True))["type"] == "SUPER_SAVER"
        assert result.model.model_dump(exclude_none=True)["type"] == "SUPER_SAVER"
        assert ocpi.to_jsonable(result.model)["type"] == "SUPER_SAVER"


def test_lenient_never_raises_on_content() -> None:
    for data in (b"{", b"[1]", "null", {"elements": 5}, [1, 2]):
        result = ocpi.parse("2.2.1", "Tariff", data, lenient=True)
        assert not result.ok and all(v.code for v in result.violations)
    assert ocpi.parse("2.2.1", "Tariff", b"{", lenient=True).model is None
    missing = ocpi.parse("2.2.1", "Tariff", {"id": "T1"}, lenient=True)
    assert missing.model is not None and missing.model.id == "T1"
    assert {v.path for v in missing.violations} == {
        "/country_code",
        "/party_id",
        "/currency",
        "/elements",
        "/last_updated",
    }


def test_unknown_properties_and_offsets_are_violations_with_repairs() -> None:
    doc = {**_tariff(), "x_vendor": 1, "last_updated": "2024-01-01T01:00:00+01:00"}
    result = ocpi.parse("2.2.1", "Tariff", doc, lenient=True)
    assert {(v.path, v.keyword, v.code) for v in result.violations} == {
        ("/x_vendor", "additionalProperties", "2001"),
        ("/last_updated", "format", "2001"),
    }
    assert result.model.model_extra == {"x_vendor": 1}
    assert ocpi.to_jsonable(result.model)["last_updated"] == "2024-01-01T01:00:00+01:00"
    assert len(result.repairs) == 2


def test_open_enum_values_are_warnings_not_violations() -> None:
    connector = {
        "id": "1",
        "standard": "SOME_NEW_PLUG",
        "format": "CABLE",
        "power_type": "DC",
        "max_voltage": 400,
        "max_amperage": 100,
        "last_updated": TS,
    }
    strict = ocpi.parse("2.3.0", "Connector", connector)
    assert strict.standard == "SOME_NEW_PLUG"
    result = ocpi.parse("2.3.0", "Connector", connector, lenient=True)
    assert result.ok
    assert [(w.path, w.keyword) for w in result.warnings] == [("/standard", "x-open-enum")]


def test_many_and_responses() -> None:
    result = ocpi.parse("2.2.1", "Tariff", [_tariff(), _tariff(price="x")], lenient=True, many=True)
    assert len(result.model) == 2
    assert [v.path for v in result.violations] == ["/1/elements/0/price_components/0/price"]
    envelope = {"data": _tariff(price="1.5"), "status_code": 1000, "timestamp": TS}
    response = ocpi.parse_response("2.2.1", "Tariff", envelope, lenient=True)
    assert [v.path for v in response.violations] == ["/data/elements/0/price_components/0/price"]
    assert response.model.data.elements[0].price_components[0].price == Decimal("1.5")


def test_every_ocpi_violation_has_a_status_code() -> None:
    assert ocpi.STATUS_OF_RULE["json"] == 2000
    assert ocpi.STATUS_OF_RULE["required"] == 2001
    for code in set(ocpi.STATUS_OF_RULE.values()):
        # Each code is one the spec names, in every version.
        for version in ocpi.VERSIONS:
            assert code in ocpi.envelope.STATUS_CODES[version]
    with pytest.raises(ObjectInvalid) as info:
        ocpi.parse("2.2.1", "Tariff", b"not json")
    assert [v.code for v in info.value.violations] == ["2000"]
    with pytest.raises(ObjectInvalid) as info:
        ocpi.parse("2.2.1", "Tariff", {"x": 1})
    assert {v.code for v in info.value.violations} == {"2001"}


def test_deprecated_spellings_still_work_and_warn() -> None:
    with pytest.warns(DeprecationWarning, match="lenient=True"):
        old = validate_payload(
            "1.6", "Heartbeat", "response", {"currentTime": "2024-01-01T00:00:00"}, strict=False
        )
    new = validate_payload(
        "1.6", "Heartbeat", "response", {"currentTime": "2024-01-01T00:00:00"}, lenient=True
    )
    assert old == new and not new.ok
    with pytest.warns(DeprecationWarning, match="lenient=True"):
        model = validate_payload("1.6", "Heartbeat", "response", {"currentTime": TS}, strict=True)
    assert str(model.current_time.isoformat()) == "2024-01-01T00:00:00+00:00"
    with pytest.warns(DeprecationWarning, match=r"ocpi\.parse"):
        parsed = ocpi.parse_with_warnings("2.2.1", "Tariff", {**_tariff(), "x": 1}, lenient=True)
    assert isinstance(parsed, ocpi.Parsed) and [w.path for w in parsed.warnings] == ["/x"]
    with pytest.warns(DeprecationWarning), pytest.raises(ObjectInvalid):
        ocpi.parse_with_warnings("2.2.1", "Tariff", _tariff(price="0.30"))


@pytest.mark.filterwarnings("error::UserWarning")
def test_lenient_models_dump_without_warnings() -> None:
    boot = {"reason": "Sneezing", "chargingStation": {"model": "M", "vendorName": "V"}}
    result = validate_payload("2.0.1", "BootNotification", "request", boot, lenient=True)
    assert result.model.reason == "Sneezing"
    assert json.loads(result.model.model_dump_json(by_alias=True, exclude_none=True)) == boot
    assert result.model.model_dump(by_alias=True, exclude_none=True)["reason"] == "Sneezing"
    from ocpkit.ocpp.rpc import Call, serialize

    assert '"reason":"Sneezing"' in serialize(Call("m", "BootNotification", result.model))
    # Members still dump as their wire value, and as members in Python mode.
    strict = validate_payload("2.0.1", "BootNotification", "request", {**boot, "reason": "PowerUp"})
    assert strict.model_dump(exclude_none=True)["reason"] is strict.reason
    assert json.loads(strict.model_dump_json(exclude_none=True))["reason"] == "PowerUp"


@pytest.mark.filterwarnings("error::UserWarning")
def test_values_kept_as_sent_dump_as_sent() -> None:
    beat = validate_payload("2.0.1", "Heartbeat", "response", {"currentTime": 5}, lenient=True)
    assert [v.path for v in beat.violations] == ["/currentTime"]
    # Converted to text by the repairs, then kept as that text: it is not a date-time.
    assert (
        beat.model.current_time == "5"
        and beat.repairs[-1] == "/currentTime: '5' kept as sent, without validation"
    )
    assert json.loads(beat.model.model_dump_json(exclude_none=True)) == {"currentTime": "5"}
    meter = {"evseId": 1, "meterValue": [{"timestamp": TS, "sampledValue": [{"value": "lots"}]}]}
    values = validate_payload("2.0.1", "MeterValues", "request", meter, lenient=True)
    assert json.loads(values.model.model_dump_json(exclude_none=True)) == meter
    tariff = ocpi.parse("2.2.1", "Tariff", {**_tariff(price="lots"), "last_updated": "soon"}, lenient=True)
    dumped = json.loads(tariff.model.model_dump_json(exclude_none=True))
    assert (
        dumped["elements"][0]["price_components"][0]["price"] == "lots" and dumped["last_updated"] == "soon"
    )
    assert ocpi.to_jsonable(tariff.model)["last_updated"] == "soon"
