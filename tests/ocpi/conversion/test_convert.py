"""What each conversion rule does, one object at a time: results, losses, derived fields and refusals."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

import ocpkit.ocpi
from ocpkit.errors import ConversionError, ObjectInvalid, UnsupportedError
from ocpkit.ocpi import convert, parse, to_jsonable
from ocpkit.ocpi.conversion import CONTEXT_KEYS, Converted, Derived, Loss, steps

TS = "2024-05-01T10:00:00Z"
CONNECTOR_211 = {
    "id": "1",
    "standard": "IEC_62196_T2",
    "format": "SOCKET",
    "power_type": "AC_3_PHASE",
    "voltage": 230,
    "amperage": 32,
    "tariff_id": "T1",
    "last_updated": TS,
}
EVSE_211 = {
    "uid": "E1",
    "evse_id": "NL*ABC*E1",
    "status": "AVAILABLE",
    "capabilities": ["RFID_READER"],
    "connectors": [CONNECTOR_211],
    "last_updated": TS,
}
LOCATION_211 = {
    "id": "L1",
    "type": "PARKING_LOT",
    "name": "Garage",
    "address": "Street 1",
    "city": "Town",
    "postal_code": "1000AA",
    "country": "NLD",
    "coordinates": {"latitude": "52.123456", "longitude": "4.123456"},
    "evses": [EVSE_211],
    "operator": {"name": "ABC"},
    "time_zone": "Europe/Amsterdam",
    "last_updated": TS,
}
CDR_211 = {
    "id": "CDR1",
    "start_date_time": "2024-05-01T08:00:00Z",
    "stop_date_time": "2024-05-01T09:00:00Z",
    "auth_id": "NL-EMS-C1",
    "auth_method": "WHITELIST",
    "location": LOCATION_211,
    "currency": "EUR",
    "charging_periods": [
        {
            "start_date_time": "2024-05-01T08:00:00Z",
            "dimensions": [{"type": "ENERGY", "volume": Decimal("10.5")}, {"type": "FLAT", "volume": 1}],
        }
    ],
    "total_cost": Decimal("4.20"),
    "total_energy": Decimal("10.5"),
    "total_time": 1,
    "last_updated": TS,
}
OWNER = {"country_code": "NL", "party_id": "ABC"}
TOKEN = {"token_uid": "04A1", "token_type": "RFID", "token_country_code": "NL", "token_party_id": "EMS"}


def _loss(result: Converted[Any], path: str) -> Loss:
    found = [loss for loss in result.losses if loss.path == path]
    assert found, [loss.path for loss in result.losses]
    return found[0]


def _derived(result: Converted[Any], path: str) -> Derived:
    found = [d for d in result.derived if d.path == path]
    assert found, [d.path for d in result.derived]
    return found[0]


# ---------------------------------------------------------------- the entry point


def test_convert_is_the_function_and_the_module_holds_its_names() -> None:
    assert callable(ocpkit.ocpi.convert)
    assert ocpkit.ocpi.convert is convert
    assert Loss.__module__ == "ocpkit.ocpi.conversion"


def test_steps_go_through_2_2_1() -> None:
    assert steps("2.1.1", "2.3.0") == [("2.1.1", "2.2.1"), ("2.2.1", "2.3.0")]
    assert steps("2.3.0", "2.1.1") == [("2.3.0", "2.2.1"), ("2.2.1", "2.1.1")]
    assert steps("2.2.1", "2.2.1") == []
    with pytest.raises(UnsupportedError):
        steps("2.2", "2.2.1")


def test_same_version_is_the_object_itself() -> None:
    model = parse("2.1.1", "Location", LOCATION_211)
    result = convert(model, to="2.1.1")
    assert to_jsonable(result.value) == LOCATION_211 and result.lossless and not result.derived
    assert result.origins["/evses/0/uid"] == "/evses/0/uid"


def test_bad_calls_raise_from_the_error_tree() -> None:
    with pytest.raises(UnsupportedError, match="needs its version"):
        convert(LOCATION_211, to="2.2.1")
    with pytest.raises(UnsupportedError, match="unknown context key"):
        convert(LOCATION_211, to="2.2.1", from_="2.1.1", name="Location", context={"tz": "x"})
    with pytest.raises(UnsupportedError):
        convert(LOCATION_211, to="3.0", from_="2.1.1", name="Location")
    with pytest.raises(UnsupportedError, match=r"not 2\.2\.1"):
        convert(parse("2.1.1", "Location", LOCATION_211), to="2.3.0", from_="2.2.1")
    with pytest.raises(ObjectInvalid):
        convert({"id": 5}, to="2.2.1", from_="2.1.1", name="Location")
    with pytest.raises(UnsupportedError):
        # 2.3.0 Payments objects have no other version.
        convert({"terminal_id": "T", "last_updated": TS}, to="2.2.1", from_="2.3.0", name="Terminal")


# ---------------------------------------------------------------- context


def test_missing_context_names_every_key_and_path() -> None:
    with pytest.raises(ConversionError) as info:
        convert(CDR_211, to="2.2.1", from_="2.1.1", name="CDR")
    err = info.value
    assert set(err.missing) == {"country_code", "party_id", *TOKEN}
    paths = {v.path for v in err.violations}
    assert {"/country_code", "/party_id", "/cdr_token"} <= paths
    assert all(v.keyword == "context" for v in err.violations)
    assert "token_uid" in str(err)
    assert set(err.missing) <= set(CONTEXT_KEYS)


def test_the_context_fills_what_2_1_1_lacks() -> None:
    result = convert(CDR_211, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN})
    cdr = to_jsonable(result.value)
    assert cdr["country_code"] == "NL" and cdr["party_id"] == "ABC"
    assert cdr["cdr_token"] == {
        "country_code": "NL",
        "party_id": "EMS",
        "uid": "04A1",
        "type": "RFID",
        "contract_id": "NL-EMS-C1",
    }
    assert cdr["end_date_time"] == "2024-05-01T09:00:00Z" and "stop_date_time" not in cdr
    assert _derived(result, "/cdr_token").how.startswith("contract_id from auth_id")
    assert result.origins["/cdr_token/contract_id"] == "/auth_id"
    assert result.origins["/end_date_time"] == "/stop_date_time"
    # The strict parse of the target agrees.
    parse("2.2.1", "CDR", cdr)


def test_a_2_1_1_cdr_location_becomes_a_cdr_location_and_the_rest_is_reported() -> None:
    result = convert(CDR_211, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN})
    cdr = to_jsonable(result.value)
    assert cdr["cdr_location"] == {
        "id": "L1",
        "name": "Garage",
        "address": "Street 1",
        "city": "Town",
        "postal_code": "1000AA",
        "country": "NLD",
        "coordinates": {"latitude": "52.123456", "longitude": "4.123456"},
        "evse_uid": "E1",
        "evse_id": "NL*ABC*E1",
        "connector_id": "1",
        "connector_standard": "IEC_62196_T2",
        "connector_format": "SOCKET",
        "connector_power_type": "AC_3_PHASE",
    }
    lost = {loss.path for loss in result.losses}
    assert {"/location/type", "/location/operator", "/location/time_zone", "/location/evses/0/status"} <= lost
    assert "/location/evses/0/connectors/0/voltage" in lost
    assert "/location/id" not in lost and "/location/evses/0/uid" not in lost
    assert _loss(result, "/location/operator").value == {"name": "ABC"}
    assert result.origins["/cdr_location/evse_uid"] == "/location/evses/0/uid"


def test_total_cost_becomes_a_price_and_flat_dimensions_are_left_out() -> None:
    result = convert(CDR_211, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN})
    cdr = to_jsonable(result.value)
    assert cdr["total_cost"] == {"excl_vat": Decimal("4.20")}
    assert "excl. VAT" in _derived(result, "/total_cost").how
    assert cdr["charging_periods"][0]["dimensions"] == [{"type": "ENERGY", "volume": Decimal("10.5")}]
    flat = _loss(result, "/charging_periods/0/dimensions/1")
    assert (
        flat.value == {"type": "FLAT", "volume": 1}
        and "'FLAT' is not an OCPI 2.2.1 CdrDimensionType" in flat.reason
    )


def test_several_evses_need_the_context_to_say_which() -> None:
    cdr = copy.deepcopy(CDR_211)
    cdr["location"]["evses"].append({**EVSE_211, "uid": "E2", "evse_id": "NL*ABC*E2"})
    with pytest.raises(ConversionError) as info:
        convert(cdr, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN})
    assert info.value.missing == ("evse_uid",)
    result = convert(cdr, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN, "evse_uid": "E2"})
    assert to_jsonable(result.value)["cdr_location"]["evse_id"] == "NL*ABC*E2"
    assert result.origins["/cdr_location/evse_uid"] == "/location/evses/1/uid"
    with pytest.raises(ConversionError, match="names no EVSE"):
        convert(cdr, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN, "evse_uid": "E9"})


def test_a_2_2_1_cdr_going_down_embeds_the_context_location() -> None:
    up = convert(CDR_211, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN})
    with pytest.raises(ConversionError) as info:
        convert(up.value, to="2.1.1")
    assert info.value.missing == ("location",)
    location_221 = convert(LOCATION_211, to="2.2.1", from_="2.1.1", name="Location", context=OWNER).value
    down = convert(up.value, to="2.1.1", context={"location": location_221})
    cdr = to_jsonable(down.value)
    assert cdr["location"]["evses"][0]["connectors"][0]["voltage"] == 230
    assert cdr["auth_id"] == "NL-EMS-C1" and cdr["total_cost"] == Decimal("4.20")
    assert {"/country_code", "/party_id", "/cdr_token/uid", "/cdr_token/type"} <= {
        loss.path for loss in down.losses
    }
    assert _derived(down, "/location").how.startswith("context['location']")


def test_a_context_location_without_the_evse_is_refused() -> None:
    up = convert(CDR_211, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN})
    other = {**LOCATION_211, "evses": [{**EVSE_211, "uid": "E7"}]}
    with pytest.raises(ConversionError, match="has no EVSE 'E1'"):
        convert(up.value, to="2.1.1", context={"location": parse("2.1.1", "Location", other)})


# ---------------------------------------------------------------- locations


def test_location_up_and_down() -> None:
    up = convert(LOCATION_211, to="2.2.1", from_="2.1.1", name="Location", context=OWNER)
    loc = to_jsonable(up.value)
    assert loc["publish"] is True and loc["parking_type"] == "PARKING_LOT" and "type" not in loc
    assert loc["evses"][0]["connectors"][0]["max_voltage"] == 230
    assert loc["evses"][0]["connectors"][0]["tariff_ids"] == ["T1"]
    assert up.lossless
    down = convert(up.value, to="2.1.1")
    assert to_jsonable(down.value) == LOCATION_211
    assert {loss.path for loss in down.losses} == {"/country_code", "/party_id"}


def test_location_types_without_counterpart() -> None:
    other = convert(
        {**LOCATION_211, "type": "OTHER"}, to="2.2.1", from_="2.1.1", name="Location", context=OWNER
    )
    assert "parking_type" not in to_jsonable(other.value) and _loss(other, "/type").value == "OTHER"
    unknown = convert(
        {**LOCATION_211, "type": "UNKNOWN"}, to="2.2.1", from_="2.1.1", name="Location", context=OWNER
    )
    assert "parking_type" not in to_jsonable(unknown.value) and unknown.lossless
    up = convert(LOCATION_211, to="2.2.1", from_="2.1.1", name="Location", context=OWNER)
    loc = to_jsonable(up.value)
    motorway = convert({**loc, "parking_type": "ALONG_MOTORWAY"}, to="2.1.1", from_="2.2.1", name="Location")
    assert to_jsonable(motorway.value)["type"] == "OTHER"
    assert _loss(motorway, "/parking_type").value == "ALONG_MOTORWAY"
    absent = convert(
        {k: v for k, v in loc.items() if k != "parking_type"}, to="2.1.1", from_="2.2.1", name="Location"
    )
    assert to_jsonable(absent.value)["type"] == "UNKNOWN" and _derived(absent, "/type")


def test_values_2_1_1_cannot_hold_leave_out_the_smallest_container() -> None:
    up = to_jsonable(convert(LOCATION_211, to="2.2.1", from_="2.1.1", name="Location", context=OWNER).value)
    evse = up["evses"][0]
    evse["capabilities"] = ["RFID_READER", "CHIP_CARD_SUPPORT"]
    evse["connectors"] = [evse["connectors"][0], {**evse["connectors"][0], "id": "2", "standard": "CHAOJI"}]
    second = {**evse, "uid": "E2", "connectors": [{**evse["connectors"][0], "power_type": "AC_2_PHASE"}]}
    up["evses"].append(second)
    down = convert(up, to="2.1.1", from_="2.2.1", name="Location")
    loc = to_jsonable(down.value)
    assert loc["evses"][0]["capabilities"] == ["RFID_READER"]
    assert [c["id"] for c in loc["evses"][0]["connectors"]] == ["1"]
    assert len(loc["evses"]) == 1
    assert "CHIP_CARD_SUPPORT" in _loss(down, "/evses/0/capabilities/1").reason
    assert "CHAOJI" in _loss(down, "/evses/0/connectors/1").reason
    assert "the Connector holding it is left out" in _loss(down, "/evses/0/connectors/1").reason
    assert _loss(down, "/evses/1/connectors/0").value["power_type"] == "AC_2_PHASE"
    assert "none is left" in _loss(down, "/evses/1").reason


def test_connector_tariffs_down_keep_the_first() -> None:
    connector = {**CONNECTOR_211, "max_voltage": 230, "max_amperage": 32, "tariff_ids": ["T1", "T2"]}
    for k in ("voltage", "amperage", "tariff_id"):
        del connector[k]
    down = convert(connector, to="2.1.1", from_="2.2.1", name="Connector")
    assert to_jsonable(down.value)["tariff_id"] == "T1"
    assert _loss(down, "/tariff_ids/1").value == "T2"


def test_patch_bodies_convert_as_patch_bodies() -> None:
    with pytest.raises(ConversionError) as info:
        convert({"tariff_id": "15"}, to="2.2.1", from_="2.1.1", name="Connector", partial=True)
    assert info.value.missing == ("last_updated",)
    stamp = {"last_updated": TS}
    result = convert(
        {"tariff_id": "15"}, to="2.2.1", from_="2.1.1", name="Connector", partial=True, context=stamp
    )
    assert to_jsonable(result.value) == {"tariff_ids": ["15"], "last_updated": TS}
    assert type(result.value).__name__ == "ConnectorPartial"
    # A PATCH names only what changes: no owner, no publish flag, nothing else from the context.
    name = convert(
        {"name": "New", "last_updated": TS}, to="2.2.1", from_="2.1.1", name="Location", partial=True
    )
    assert to_jsonable(name.value) == {"name": "New", "last_updated": TS} and not name.derived
    down = convert(result.value, to="2.1.1")
    assert to_jsonable(down.value) == {"tariff_id": "15", "last_updated": TS}


def test_coordinates_get_six_decimals_for_2_1_1() -> None:
    down = convert(
        {"latitude": "52.12345", "longitude": "-4.1234567"}, to="2.1.1", from_="2.2.1", name="GeoLocation"
    )
    assert to_jsonable(down.value) == {"latitude": "52.123450", "longitude": "-4.123457"}
    assert [loss.path for loss in down.losses] == ["/longitude"]
    assert {d.path for d in down.derived} == {"/latitude", "/longitude"}


def test_hours_flag() -> None:
    hours = {"regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "18:00"}]}
    up = convert(hours, to="2.2.1", from_="2.1.1", name="Hours")
    assert to_jsonable(up.value)["twentyfourseven"] is False
    assert to_jsonable(convert(up.value, to="2.1.1").value) == hours


# ---------------------------------------------------------------- prices and tariffs


def test_prices_become_taxes_and_back_exactly() -> None:
    up = convert(
        {"excl_vat": Decimal("10.00"), "incl_vat": Decimal("12.10")}, to="2.3.0", from_="2.2.1", name="Price"
    )
    assert to_jsonable(up.value) == {
        "before_taxes": Decimal("10.00"),
        "taxes": [{"name": "VAT", "amount": Decimal("2.10")}],
    }
    down = convert(up.value, to="2.2.1")
    assert (
        to_jsonable(down.value) == {"excl_vat": Decimal("10.00"), "incl_vat": Decimal("12.10")}
        and down.lossless
    )


def test_several_taxes_are_summed_and_reported() -> None:
    price = {
        "before_taxes": Decimal("10"),
        "taxes": [
            {"name": "GST", "percentage": 5, "amount": Decimal("0.50")},
            {"name": "QST", "amount": Decimal("0.9975"), "account_number": "Q-1"},
        ],
    }
    down = convert(price, to="2.2.1", from_="2.3.0", name="Price")
    assert to_jsonable(down.value) == {"excl_vat": Decimal("10"), "incl_vat": Decimal("11.4975")}
    assert "summed" in _loss(down, "/taxes").reason
    single = convert(
        {"before_taxes": 1, "taxes": [{"name": "HST", "percentage": 13, "amount": Decimal("0.13")}]},
        to="2.2.1",
        from_="2.3.0",
        name="Price",
    )
    assert {loss.path for loss in single.losses} == {"/taxes/0/name", "/taxes/0/percentage"}


TARIFF_221 = {
    "country_code": "NL",
    "party_id": "ABC",
    "id": "T1",
    "currency": "EUR",
    "min_price": {"excl_vat": 1, "incl_vat": Decimal("1.21")},
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": Decimal("0.30"), "vat": 21, "step_size": 1}]},
        {
            "price_components": [{"type": "TIME", "price": 5, "step_size": 60}],
            "restrictions": {"reservation": "RESERVATION"},
        },
    ],
    "last_updated": TS,
}


def test_tariffs_up_say_taxes_come_on_top() -> None:
    up = convert(TARIFF_221, to="2.3.0", from_="2.2.1", name="Tariff")
    tariff = to_jsonable(up.value)
    assert tariff["tax_included"] == "NO" and _derived(up, "/tax_included")
    assert tariff["min_price"] == {"before_taxes": 1, "after_taxes": Decimal("1.21")}
    assert to_jsonable(convert(up.value, to="2.2.1").value) == TARIFF_221


def test_tariff_elements_2_1_1_cannot_express_are_left_out_whole() -> None:
    down = convert(TARIFF_221, to="2.1.1", from_="2.2.1", name="Tariff")
    tariff = to_jsonable(down.value)
    assert tariff["elements"] == [
        {"price_components": [{"type": "ENERGY", "price": Decimal("0.30"), "step_size": 1}]}
    ]
    assert "reservation" in _loss(down, "/elements/1").reason
    assert {"/elements/0/price_components/0/vat", "/min_price", "/country_code", "/party_id"} <= {
        loss.path for loss in down.losses
    }
    only_reservation = {**TARIFF_221, "elements": TARIFF_221["elements"][1:]}
    with pytest.raises(ConversionError, match="elements"):
        convert(only_reservation, to="2.1.1", from_="2.2.1", name="Tariff")


def test_tax_inclusive_tariffs_do_not_go_to_2_2_1() -> None:
    tariff = to_jsonable(convert(TARIFF_221, to="2.3.0", from_="2.2.1", name="Tariff").value)
    with pytest.raises(ConversionError, match="tax_included is YES"):
        convert({**tariff, "tax_included": "YES"}, to="2.2.1", from_="2.3.0", name="Tariff")
    na = convert({**tariff, "tax_included": "N/A"}, to="2.2.1", from_="2.3.0", name="Tariff")
    assert _loss(na, "/tax_included").value == "N/A"
    # An element for bookings is left out whole: 2.2.1 has nothing to price a booking with.
    booking = {
        **tariff,
        "elements": [*tariff["elements"], {**tariff["elements"][0], "restrictions": {"booking": "BOOKING"}}],
    }
    down = convert(booking, to="2.2.1", from_="2.3.0", name="Tariff")
    assert "bookings" in _loss(down, "/elements/2").reason


# ---------------------------------------------------------------- credentials, tokens, commands, versions


def test_credentials_roles() -> None:
    creds_211 = {
        "token": "t",
        "url": "https://a.example/v",
        "business_details": {"name": "A"},
        "party_id": "ABC",
        "country_code": "NL",
    }
    up = convert(creds_211, to="2.2.1", from_="2.1.1", name="Credentials", context={"role": "CPO"})
    assert to_jsonable(up.value)["roles"] == [
        {"role": "CPO", "business_details": {"name": "A"}, "party_id": "ABC", "country_code": "NL"}
    ]
    hub = {**to_jsonable(up.value)}
    hub["roles"] = [
        *hub["roles"],
        {"role": "HUB", "business_details": {"name": "Hub"}, "party_id": "HUB", "country_code": "DE"},
    ]
    v230 = convert(hub, to="2.3.0", from_="2.2.1", name="Credentials")
    creds = to_jsonable(v230.value)
    assert creds["hub_party_id"] == "DEHUB" and [r["role"] for r in creds["roles"]] == ["CPO"]
    assert _derived(v230, "/hub_party_id").sources == (
        "/roles/1/role",
        "/roles/1/country_code",
        "/roles/1/party_id",
    )
    assert _loss(v230, "/roles/1/business_details").value == {"name": "Hub"}
    down = convert(hub, to="2.1.1", from_="2.2.1", name="Credentials")
    assert to_jsonable(down.value) == creds_211
    assert {loss.path for loss in down.losses} == {"/roles/0/role", "/roles/1"}


def test_token_types_without_counterpart_become_other() -> None:
    token = {
        "country_code": "NL",
        "party_id": "EMS",
        "uid": "U",
        "type": "EMAID",
        "contract_id": "C",
        "issuer": "I",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": TS,
    }
    down = convert(token, to="2.1.1", from_="2.3.0", name="Token")
    assert to_jsonable(down.value)["type"] == "OTHER" and to_jsonable(down.value)["auth_id"] == "C"
    assert _loss(down, "/type").value == "EMAID"


def test_commands() -> None:
    with pytest.raises(ConversionError) as info:
        convert({"result": "ACCEPTED"}, to="2.2.1", from_="2.1.1", name="CommandResponse")
    assert info.value.missing == ("timeout",)
    ok = convert(
        {"result": "ACCEPTED"}, to="2.2.1", from_="2.1.1", name="CommandResponse", context={"timeout": 30}
    )
    assert to_jsonable(ok.value) == {"result": "ACCEPTED", "timeout": 30}
    with pytest.raises(ConversionError, match="TIMEOUT"):
        convert(
            {"result": "TIMEOUT"}, to="2.2.1", from_="2.1.1", name="CommandResponse", context={"timeout": 30}
        )
    reserve = {
        "response_url": "https://e.example/r",
        "token": dict(CDR_TOKEN_211),
        "expiry_date": TS,
        "reservation_id": 17,
        "location_id": "L1",
    }
    up = convert(reserve, to="2.2.1", from_="2.1.1", name="ReserveNow", context=OWNER)
    assert to_jsonable(up.value)["reservation_id"] == "17"
    assert to_jsonable(convert(up.value, to="2.1.1").value)["reservation_id"] == 17
    text = {**to_jsonable(up.value), "reservation_id": "R-17"}
    with pytest.raises(ConversionError) as info:
        convert(text, to="2.1.1", from_="2.2.1", name="ReserveNow")
    assert info.value.missing == ("reservation_id",)


CDR_TOKEN_211 = {
    "uid": "U",
    "type": "RFID",
    "auth_id": "C",
    "issuer": "I",
    "valid": True,
    "whitelist": "ALLOWED",
    "last_updated": TS,
}


def test_version_lists_leave_out_versions_the_target_lacks() -> None:
    versions = [
        {"version": "2.1.1", "url": "https://e.example/2.1.1"},
        {"version": "2.2.1", "url": "https://e.example/2.2.1"},
    ]
    down = convert(versions, to="2.1.1", from_="2.2.1", name="Version")
    assert [to_jsonable(v) for v in down.value] == versions[:1]
    assert down.losses[0].path == "/1" and "2.2.1" in down.losses[0].reason
    details = {
        "version": "2.2.1",
        "endpoints": [{"identifier": "locations", "role": "SENDER", "url": "https://e.example/l"}],
    }
    with pytest.raises(ConversionError) as info:
        convert(details, to="2.1.1", from_="2.2.1", name="VersionDetails")
    assert info.value.missing == ("version",)
    ok = convert(details, to="2.1.1", from_="2.2.1", name="VersionDetails", context={"version": "2.1.1"})
    assert to_jsonable(ok.value) == {
        "version": "2.1.1",
        "endpoints": [{"identifier": "locations", "url": "https://e.example/l"}],
    }
    up = convert(ok.value, to="2.2.1", context={"role": "EMSP"})
    assert to_jsonable(up.value)["endpoints"][0]["role"] == "RECEIVER"


# ---------------------------------------------------------------- chains and reports


def test_2_1_1_to_2_3_0_goes_through_2_2_1_and_reports_against_the_input() -> None:
    result = convert(CDR_211, to="2.3.0", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN})
    cdr = to_jsonable(result.value)
    assert cdr["total_cost"] == {"before_taxes": Decimal("4.20")}
    assert _loss(result, "/charging_periods/0/dimensions/1").value == {"type": "FLAT", "volume": 1}
    assert result.origins["/cdr_location/evse_uid"] == "/location/evses/0/uid"
    parse("2.3.0", "CDR", cdr)
    back = convert(result.value, to="2.1.1", context={"location": parse("2.1.1", "Location", LOCATION_211)})
    assert to_jsonable(back.value)["auth_id"] == "NL-EMS-C1"
    # A 2.3.0-only field lost on the first step is reported at its 2.3.0 path.
    with_booking = {**cdr, "booking_id": "B1"}
    down = convert(
        with_booking,
        to="2.1.1",
        from_="2.3.0",
        name="CDR",
        context={"location": parse("2.1.1", "Location", LOCATION_211)},
    )
    assert _loss(down, "/booking_id").value == "B1"


def test_unknown_properties_read_leniently_are_reported_lost() -> None:
    result = convert(
        {**LOCATION_211, "price_round": 2},
        to="2.2.1",
        from_="2.1.1",
        name="Location",
        context=OWNER,
        lenient=True,
    )
    assert _loss(result, "/price_round").value == 2


def test_report_is_plain_json() -> None:
    result = convert(CDR_211, to="2.2.1", from_="2.1.1", name="CDR", context={**OWNER, **TOKEN})
    report = result.report()
    assert report["from"] == "2.1.1" and report["to"] == "2.2.1" and report["object"] == "CDR"
    assert report["value"] == to_jsonable(result.value)
    assert {"path", "reason", "value"} == set(report["losses"][0])
    assert {"path", "how", "sources"} == set(report["derived"][0])
