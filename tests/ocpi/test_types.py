"""OCPI primitive type rules: strings, CiString, numbers, DateTime, OpenEnum, unknown properties, nulls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ocpkit.errors import ObjectInvalid
from ocpkit.ocpi import (
    UnknownEnumValue,
    ci_equals,
    ci_key,
    parse,
    to_json,
    to_jsonable,
    unknown_enum_values,
    v211,
    v221,
    v230,
)


def _tariff(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "country_code": "NL",
        "party_id": "ABC",
        "id": "T1",
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}]}],
        "last_updated": "2024-01-01T00:00:00Z",
    }
    doc.update(over)
    return {k: v for k, v in doc.items() if v is not ...}


def _violations(version: str, name: str, doc: Any, **kw: Any) -> set[tuple[str, str]]:
    if kw.pop("lenient", False):
        # Lenient mode reports the same violations without raising.
        result = parse(version, name, doc, lenient=True, **kw)
        violations = result.violations
    else:
        with pytest.raises(ObjectInvalid) as info:
            parse(version, name, doc, **kw)
        violations = info.value.violations
    assert violations
    # OCPI status_codes: 2001 "Invalid or missing parameters" for every rule of a readable object.
    assert all(v.code == "2001" for v in violations)
    return {(v.path, v.keyword) for v in violations}


def test_valid_tariff_and_decimal_prices() -> None:
    tariff = parse("2.2.1", "Tariff", json.dumps(_tariff()))
    assert isinstance(tariff, v221.Tariff)
    price = tariff.elements[0].price_components[0].price
    assert isinstance(price, Decimal) and price == Decimal("0.25")
    # A value float cannot hold exactly stays exact end to end.
    doc = _tariff(elements=[{"price_components": [{"type": "ENERGY", "price": 1, "step_size": 1}]}])
    text = json.dumps(doc).replace('"price": 1', '"price": 0.1000000000000000055511151231257827')
    exact = parse("2.2.1", "Tariff", text)
    assert exact.elements[0].price_components[0].price == Decimal("0.1000000000000000055511151231257827")
    assert '"price":0.1000000000000000055511151231257827' in to_json(exact)


def test_all_violations_are_reported_with_pointers() -> None:
    doc = _tariff(currency="euro", party_id="ABCD", last_updated=..., extra_field=1)
    doc["elements"][0]["price_components"][0]["type"] = "NOPE"
    assert _violations("2.2.1", "Tariff", doc) == {
        ("/currency", "maxLength"),
        ("/party_id", "maxLength"),
        ("/last_updated", "required"),
        ("/extra_field", "additionalProperties"),
        ("/elements/0/price_components/0/type", "enum"),
    }


@pytest.mark.parametrize(
    ("field", "value", "keyword"),
    [
        ("currency", "eur", "pattern"),
        ("country_code", "N1", "pattern"),
        ("party_id", "AB\u00e9", "pattern"),  # CiString is ASCII only
        ("id", "a\nb", "pattern"),  # no control characters
        ("id", "x" * 37, "maxLength"),
        ("tariff_alt_url", "not a url", "format"),
        ("tariff_alt_url", "http://" + "x" * 250, "maxLength"),
        ("id", 5, "type"),
        ("elements", [], "minItems"),
    ],
)
def test_field_rules(field: str, value: Any, keyword: str) -> None:
    assert _violations("2.2.1", "Tariff", _tariff(**{field: value})) == {(f"/{field}", keyword)}


def test_numbers_are_json_numbers_only() -> None:
    for bad in ("0.25", True, None):
        doc = _tariff(elements=[{"price_components": [{"type": "ENERGY", "price": bad, "step_size": 1}]}])
        assert _violations("2.2.1", "Tariff", doc) == {("/elements/0/price_components/0/price", "type")}
    with pytest.raises(ObjectInvalid) as info:
        parse("2.2.1", "Tariff", json.dumps(_tariff()).replace("0.25", "NaN"))
    assert info.value.violations[0].keyword == "json"
    # Python floats given directly go through their shortest repr, not their binary expansion.
    doc = _tariff(elements=[{"price_components": [{"type": "ENERGY", "price": 0.1, "step_size": 1}]}])
    assert parse("2.2.1", "Tariff", doc).elements[0].price_components[0].price == Decimal("0.1")


def test_geolocation_patterns_per_version() -> None:
    assert parse("2.1.1", "GeoLocation", {"latitude": "51.047599", "longitude": "3.729944"})
    # 2.1.1 wants exactly 6 decimals; 2.2.1 accepts 5 to 7.
    short = {"latitude": "51.04759", "longitude": "3.72994"}
    assert _violations("2.1.1", "GeoLocation", short) == {("/latitude", "pattern"), ("/longitude", "pattern")}
    assert parse("2.2.1", "GeoLocation", short).latitude == "51.04759"
    assert _violations("2.2.1", "GeoLocation", {"latitude": "510.04759", "longitude": "3,72994"}) == {
        ("/latitude", "pattern"),
        ("/longitude", "pattern"),
    }


def test_country_codes_alpha2_and_alpha3() -> None:
    assert _violations(
        "2.2.1",
        "CdrToken",
        {"country_code": "NLD", "party_id": "X", "uid": "1", "type": "RFID", "contract_id": "C"},
    ) == {("/country_code", "maxLength")}
    geo = {"latitude": "51.04759", "longitude": "3.72994"}
    loc = {
        "id": "L",
        "address": "a",
        "city": "c",
        "country": "NL",
        "coordinates": geo,
        "evse_uid": "e",
        "evse_id": "e",
        "connector_id": "1",
        "connector_standard": "IEC_62196_T2",
        "connector_format": "SOCKET",
        "connector_power_type": "AC_3_PHASE",
    }
    assert _violations("2.2.1", "CdrLocation", loc) == {("/country", "pattern")}
    loc["country"] = "NLD"
    assert parse("2.2.1", "CdrLocation", loc).country == "NLD"


def test_cistring_comparison_helpers() -> None:
    assert ci_equals("NL*ABC", "nl*abc")
    assert not ci_equals("ABC", "ABD")
    assert ci_key("DeF") == ci_key("dEf") == "def"


@pytest.mark.parametrize(
    ("stamp", "strict_ok", "utc"),
    [
        ("2015-06-29T20:39:09Z", True, datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
        ("2015-06-29T20:39:09", True, datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
        ("2015-06-29T20:39:09.5Z", True, datetime(2015, 6, 29, 20, 39, 9, 500000, tzinfo=UTC)),
        ("2015-06-29T22:39:09+02:00", False, datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
        ("2015-06-29T20:39:09+00:00", False, datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
        ("2015-06-29T20:39:09.123456Z", False, datetime(2015, 6, 29, 20, 39, 9, 123456, tzinfo=UTC)),
    ],
)
def test_datetime_strict_and_lenient(stamp: str, strict_ok: bool, utc: datetime) -> None:
    doc = {"period_begin": stamp, "period_end": "2015-06-30T00:00:00Z"}
    if strict_ok:
        model = parse("2.2.1", "ExceptionalPeriod", doc)
        assert model.period_begin == utc
        assert model.period_begin.utcoffset() == timedelta(0)
    else:
        assert {k for _, k in _violations("2.2.1", "ExceptionalPeriod", doc)} <= {"format", "maxLength"}
        result = parse("2.2.1", "ExceptionalPeriod", doc, lenient=True)
        assert result.model.period_begin == utc
        assert [v.path for v in result.violations] == ["/period_begin"]
        assert result.repairs == ("/period_begin: DateTime kept as sent",)
    lenient = parse("2.2.1", "ExceptionalPeriod", doc, lenient=True)
    # The original text comes back unchanged either way.
    assert to_jsonable(lenient.model)["period_begin"] == stamp


def test_datetime_rejects_non_rfc3339() -> None:
    for bad in ("2015-06-29 20:39:09Z", "2015-13-29T20:39:09Z", "1435610349", "2015-06-29T25:00:00Z"):
        doc = {"period_begin": bad, "period_end": "2015-06-30T00:00:00Z"}
        assert _violations("2.2.1", "ExceptionalPeriod", doc, lenient=True) == {("/period_begin", "format")}


def test_open_enum_keeps_and_flags_unknown_values() -> None:
    doc = {
        "id": "1",
        "standard": "FUTURE_PLUG",
        "format": "CABLE",
        "power_type": "DC",
        "max_voltage": 920,
        "max_amperage": 500,
        "capabilities": ["ISO_15118_20_PLUG_AND_CHARGE", "X_VENDOR"],
        "last_updated": "2025-01-01T00:00:00Z",
    }
    result = parse("2.3.0", "Connector", doc, lenient=True)
    assert result.ok
    conn = result.model
    assert isinstance(conn.standard, UnknownEnumValue) and conn.standard == "FUTURE_PLUG"
    assert conn.standard.enum_name == "ConnectorType"
    assert conn.capabilities[0] is v230.ConnectorCapability.ISO_15118_20_PLUG_AND_CHARGE
    assert [(p, str(v)) for p, v in unknown_enum_values(conn)] == [
        ("/standard", "FUTURE_PLUG"),
        ("/capabilities/1", "X_VENDOR"),
    ]
    assert [(w.path, w.keyword) for w in result.warnings] == [
        ("/standard", "x-open-enum"),
        ("/capabilities/1", "x-open-enum"),
    ]
    assert to_jsonable(conn) == doc
    # New 2.3.0 values are members; the same values are unknown and refused in 2.2.1 (closed enum).
    doc["standard"] = "MCS"
    assert parse("2.3.0", "Connector", doc).standard is v230.ConnectorType.MCS
    assert v230.ConnectorType.SAE_J3400 == "SAE_J3400"
    assert v230.TokenType.EMAID == "EMAID"
    del doc["capabilities"]
    assert _violations("2.2.1", "Connector", doc) == {("/standard", "enum")}
    # An OpenEnum still refuses non-strings and empty strings.
    doc["standard"] = ""
    assert _violations("2.3.0", "Connector", doc) == {("/standard", "format")}


def test_closed_enums_reject_unknown_values() -> None:
    assert _violations("2.3.0", "CdrDimension", {"type": "SOMETHING", "volume": 1}) == {("/type", "enum")}


def test_unknown_properties_strict_and_lenient() -> None:
    doc = {"language": "en", "text": "hi", "x_vendor": {"a": 1}}
    assert _violations("2.2.1", "DisplayText", doc) == {("/x_vendor", "additionalProperties")}
    result = parse("2.2.1", "DisplayText", doc, lenient=True)
    assert [(v.path, v.keyword) for v in result.violations] == [("/x_vendor", "additionalProperties")]
    assert result.repairs == ("/x_vendor: unknown property kept",)
    # Nothing is dropped: the unknown property is kept and dumped again.
    assert result.model.model_extra == {"x_vendor": {"a": 1}}
    assert to_jsonable(result.model) == doc
    # Direct model use is strict too.
    with pytest.raises(ValueError, match="unknown properties"):
        v221.DisplayText.model_validate(doc)


def test_null_for_optional_fields_is_absent_and_round_trips() -> None:
    doc = {
        "uid": "1",
        "evse_id": None,
        "status": "AVAILABLE",
        "connectors": [
            {
                "id": "1",
                "standard": "IEC_62196_T2",
                "format": "SOCKET",
                "power_type": "AC_3_PHASE",
                "voltage": 230,
                "amperage": 16,
                "tariff_id": None,
                "last_updated": "2020-01-01T00:00:00Z",
            }
        ],
        "images": None,
        "last_updated": "2020-01-01T00:00:00Z",
    }
    evse = parse("2.1.1", "EVSE", doc)
    assert evse.evse_id is None and evse.images is None
    assert to_jsonable(evse) == doc
    # null is not accepted for a required field.
    doc["status"] = None
    assert _violations("2.1.1", "EVSE", doc) == {("/status", "enum")}


def test_hours_choice_211() -> None:
    assert parse("2.1.1", "Hours", {"twentyfourseven": True}).twentyfourseven is True
    regular = [{"weekday": 1, "period_begin": "08:00", "period_end": "20:00"}]
    assert parse("2.1.1", "Hours", {"regular_hours": regular}).regular_hours
    assert _violations("2.1.1", "Hours", {}) == {("", "oneOf")}
    assert _violations("2.1.1", "Hours", {"twentyfourseven": True, "regular_hours": regular}) == {
        ("", "oneOf")
    }
    bad_day = [{"weekday": 8, "period_begin": "08:00", "period_end": "20:00"}]
    assert _violations("2.1.1", "Hours", {"regular_hours": bad_day}) == {
        ("/regular_hours/0/weekday", "maximum")
    }


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
def test_hours_regular_rule_22(version: str) -> None:
    regular = [{"weekday": 7, "period_begin": "00:00", "period_end": "23:59"}]
    assert parse(version, "Hours", {"twentyfourseven": True}).regular_hours is None
    assert parse(version, "Hours", {"twentyfourseven": False, "regular_hours": regular}).regular_hours
    assert _violations(version, "Hours", {"twentyfourseven": False}) == {("", "minItems")}
    assert _violations(version, "Hours", {"twentyfourseven": True, "regular_hours": regular}) == {
        ("", "oneOf")
    }
    late = [{"weekday": 1, "period_begin": "24:00", "period_end": "23:59"}]
    assert _violations(version, "Hours", {"twentyfourseven": False, "regular_hours": late}) == {
        ("/regular_hours/0/period_begin", "pattern")
    }


def test_2_3_0_tax_aware_prices() -> None:
    doc = _tariff(tax_included="N/A", min_price={"before_taxes": 1, "after_taxes": "1.2"})
    assert _violations("2.3.0", "Tariff", doc) == {("/min_price/after_taxes", "type")}
    doc["min_price"] = {"before_taxes": 1, "after_taxes": 1.21}
    tariff = parse("2.3.0", "Tariff", doc)
    assert tariff.tax_included is v230.TaxIncluded.N_A
    assert tariff.min_price.after_taxes == Decimal("1.21")
    price = parse(
        "2.3.0", "Price", {"before_taxes": 10, "taxes": [{"name": "VAT", "percentage": 21, "amount": 2.1}]}
    )
    assert price.taxes[0].amount == Decimal("2.1")
    assert _violations("2.3.0", "Tariff", _tariff()) == {("/tax_included", "required")}


def test_class_names_and_spec_names() -> None:
    assert v221.CDR is v221.Cdr and v221.Cdr.__ocpi_name__ == "CDR"
    assert v221.EVSE is v221.Evse
    assert v230.OBJECTS["Financial Advice Confirmation"] is v230.FinancialAdviceConfirmation
    assert v211.OBJECTS["Location"].model_fields["type"].is_required()
    assert set(v230.MODULES) >= {"locations", "payments", "bookings", "tariffs", "cdrs", "sessions", "tokens"}


def test_pydantic_json_dump_writes_exact_numbers() -> None:
    doc = _tariff(elements=[{"price_components": [{"type": "ENERGY", "price": 1, "step_size": 1}]}])
    text = json.dumps(doc).replace('"price": 1', '"price": 0.25')
    tariff = parse("2.2.1", "Tariff", text)
    dumped = json.loads(tariff.model_dump_json(exclude_unset=True), parse_float=Decimal)
    assert dumped["elements"][0]["price_components"][0]["price"] == Decimal("0.25")
    assert dumped["last_updated"] == "2024-01-01T00:00:00Z"
    # A decimal that no float reproduces is written as a string by pydantic; to_json keeps the number.
    long = text.replace("0.25", "0.1000000000000000055511151231257827")
    exact = parse("2.2.1", "Tariff", long)
    assert json.loads(exact.model_dump_json())["elements"][0]["price_components"][0]["price"] == (
        "0.1000000000000000055511151231257827"
    )
    assert json.loads(to_json(exact), parse_float=Decimal) == json.loads(long, parse_float=Decimal)
