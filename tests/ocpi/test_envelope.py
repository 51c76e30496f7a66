"""Response envelope, status code classes, pagination headers, PATCH partials and apply_patch."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ocpkit.errors import ObjectInvalid, UnsupportedError
from ocpkit.ocpi import apply_patch, parse, parse_page, parse_response, to_jsonable, v211, v221, v230
from ocpkit.ocpi.envelope import (
    HEADER_LIMIT,
    HEADER_LINK,
    HEADER_TOTAL_COUNT,
    STATUS_CODES,
    Response,
    StatusClass,
    pagination,
    partial,
    status_class,
)

TS = "2024-01-01T00:00:00Z"


def _session(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "country_code": "NL",
        "party_id": "ABC",
        "id": "S1",
        "start_date_time": TS,
        "kwh": 0,
        "cdr_token": {
            "country_code": "NL",
            "party_id": "XYZ",
            "uid": "U1",
            "type": "RFID",
            "contract_id": "C1",
        },
        "auth_method": "WHITELIST",
        "location_id": "L1",
        "evse_uid": "E1",
        "connector_id": "1",
        "currency": "EUR",
        "charging_periods": [{"start_date_time": TS, "dimensions": [{"type": "ENERGY", "volume": 1}]}],
        "status": "ACTIVE",
        "last_updated": TS,
    }
    doc.update(over)
    return doc


def test_response_envelope_typed_data() -> None:
    body = {"data": [_session()], "status_code": 1000, "status_message": "OK", "timestamp": TS}
    response = parse_response("2.2.1", "Session", body, many=True)
    assert isinstance(response, Response)
    assert isinstance(response.data[0], v221.Session)
    assert to_jsonable(response) == body
    # Errors without data are well formed.
    error = parse_response("2.2.1", None, {"status_code": 2001, "timestamp": TS})
    assert error.data is None
    with pytest.raises(ObjectInvalid) as info:
        parse_response("2.2.1", "Session", {"data": {"id": 1}, "status_code": 1000, "timestamp": TS})
    assert ("/data/id", "type") in {(v.path, v.keyword) for v in info.value.violations}
    assert ("/data/country_code", "required") in {(v.path, v.keyword) for v in info.value.violations}


def test_status_code_classes_per_version() -> None:
    assert status_class(1000) is StatusClass.SUCCESS
    assert status_class(2004, "2.2.1") is StatusClass.CLIENT_ERROR
    assert status_class(3999, "2.1.1") is StatusClass.SERVER_ERROR
    assert status_class(4001, "2.3.0") is StatusClass.HUB_ERROR
    # 2.1.1 has no hub errors.
    assert status_class(4001, "2.1.1") is None
    assert status_class(999) is None and status_class(5000) is None
    assert 4000 not in STATUS_CODES["2.1.1"] and 2004 not in STATUS_CODES["2.1.1"]
    assert set(STATUS_CODES["2.2.1"]) == set(STATUS_CODES["2.1.1"]) | {2004, 4000, 4001, 4002, 4003}
    with pytest.raises(ObjectInvalid) as info:
        parse_response("2.1.1", None, {"status_code": 4000, "timestamp": TS})
    assert info.value.violations[0].path == "/status_code"
    assert parse_response("2.2.1", None, {"status_code": 4000, "timestamp": TS}).status_code == 4000
    with pytest.raises(UnsupportedError):
        status_class(1000, "9.9")


def test_pagination_headers() -> None:
    assert (HEADER_LINK, HEADER_TOTAL_COUNT, HEADER_LIMIT) == ("Link", "X-Total-Count", "X-Limit")
    page = pagination(
        {
            "link": '<https://example.com/ocpi/2.2.1/sessions/?offset=50&limit=50>; rel="next"',
            "X-Total-Count": "120",
            "x-limit": "50",
        }
    )
    assert page.next_url == "https://example.com/ocpi/2.2.1/sessions/?offset=50&limit=50"
    assert (page.total_count, page.limit) == (120, 50)
    last = pagination({"X-Total-Count": "0"})
    assert last.next_url is None and last.limit is None
    with pytest.raises(ObjectInvalid):
        pagination({"X-Limit": "-1"})


def test_parse_page() -> None:
    body = {"data": [_session(), _session(id="S2")], "status_code": 1000, "timestamp": TS}
    page = parse_page(
        "2.2.1",
        "Session",
        body,
        {"X-Total-Count": "7", "X-Limit": "2", "Link": '<https://x.example/s?offset=2>; rel="next"'},
    )
    assert [s.id for s in page.items] == ["S1", "S2"]
    assert page.pagination.total_count == 7 and page.pagination.next_url == "https://x.example/s?offset=2"
    assert page.response.status_code == 1000
    with pytest.raises(ObjectInvalid):
        parse_page("2.2.1", "Session", {"data": [{"id": "S1"}], "status_code": 1000, "timestamp": TS}, {})


def test_partials_make_every_field_optional_but_last_updated() -> None:
    assert set(v221.PARTIALS) == {"Location", "EVSE", "Connector", "Session", "Token"}
    assert "Terminal" in v230.PARTIALS and "Booking" in v230.PARTIALS
    assert "Tariff" not in v221.PARTIALS and "CDR" not in v230.PARTIALS
    fields = v221.SessionPartial.model_fields
    assert set(fields) == set(v221.Session.model_fields)
    assert [n for n, f in fields.items() if f.is_required()] == ["last_updated"]
    # 2.1.1 states no last_updated rule for PATCH; Payments' Terminal PATCH neither.
    assert not any(f.is_required() for f in v211.SessionPartial.model_fields.values())
    assert not any(f.is_required() for f in v230.TerminalPartial.model_fields.values())
    with pytest.raises(ObjectInvalid) as info:
        parse("2.2.1", "Session", {"kwh": 1}, partial=True)
    assert {(v.path, v.keyword) for v in info.value.violations} == {("/last_updated", "required")}
    # Same types: a partial refuses what the object refuses.
    with pytest.raises(ObjectInvalid):
        parse("2.2.1", "Session", {"kwh": "1", "last_updated": TS}, partial=True)
    with pytest.raises(UnsupportedError):
        parse("2.2.1", "Tariff", {"last_updated": TS}, partial=True)
    assert partial(v221.Location) is v221.LocationPartial
    assert partial(v230.Terminal) is v230.TerminalPartial
    with pytest.raises(UnsupportedError):
        partial(v221.Tariff)
    with pytest.raises(UnsupportedError):
        partial(Response)


def test_apply_patch_replaces_fields_and_lists() -> None:
    location = parse(
        "2.1.1",
        "EVSE",
        {
            "uid": "E1",
            "status": "AVAILABLE",
            "capabilities": ["RESERVABLE", "RFID_READER"],
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "voltage": 230,
                    "amperage": 16,
                    "last_updated": TS,
                }
            ],
            "floor_level": "-1",
            "last_updated": TS,
        },
    )
    patch = parse(
        "2.1.1",
        "EVSE",
        {"capabilities": ["UNLOCK_CAPABLE"], "floor_level": None, "status": "CHARGING"},
        partial=True,
    )
    patched = apply_patch(location, patch)
    assert patched is not location
    assert patched.status is v211.Status.CHARGING
    assert patched.capabilities == [v211.Capability.UNLOCK_CAPABLE]  # lists are replaced whole
    assert patched.floor_level is None and "floor_level" not in to_jsonable(patched)  # null reverts
    assert patched.connectors == location.connectors
    assert location.status is v211.Status.AVAILABLE  # the original is untouched
    with pytest.raises(ObjectInvalid) as info:
        apply_patch(location, parse("2.1.1", "EVSE", {"status": None}, partial=True))
    assert info.value.violations[0].path == "/status"
    with pytest.raises(UnsupportedError):
        apply_patch(location, parse("2.1.1", "Connector", {"voltage": 400}, partial=True))


def test_apply_patch_appends_session_charging_periods_from_2_2_1() -> None:
    later = "2024-01-01T01:00:00Z"
    period = {"start_date_time": later, "dimensions": [{"type": "ENERGY", "volume": 2}]}
    for version, cls in (("2.2.1", v221.Session), ("2.3.0", v230.Session)):
        doc = _session()
        if version == "2.3.0":
            doc["total_cost"] = {"before_taxes": 1}
        session = parse(version, "Session", doc)
        patched = apply_patch(
            session,
            parse(
                version,
                "Session",
                {"charging_periods": [period], "kwh": 3, "last_updated": later},
                partial=True,
            ),
        )
        assert isinstance(patched, cls)
        assert len(patched.charging_periods) == 2  # added, not replaced (mod_sessions PATCH)
        assert patched.kwh == Decimal(3)
        same = apply_patch(
            session, parse(version, "Session", {"charging_periods": [], "last_updated": later}, partial=True)
        )
        assert len(same.charging_periods) == 1  # an empty list changes nothing


def test_lenient_unknown_properties_survive_a_patch() -> None:
    token = parse(
        "2.1.1",
        "Token",
        {
            "uid": "1",
            "type": "RFID",
            "auth_id": "A",
            "issuer": "I",
            "valid": True,
            "whitelist": "ALWAYS",
            "last_updated": TS,
            "x_extra": 1,
        },
        lenient=True,
    ).model
    patched = apply_patch(token, parse("2.1.1", "Token", {"valid": False}, partial=True))
    assert patched.valid is False and patched.model_extra == {"x_extra": 1}
