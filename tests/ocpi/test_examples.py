"""Every official OCPI 2.2.1 / 2.3.0 / Bookings example validates as the object it shows.

The table maps each example file to what it is: a whole object, a PATCH body
(partial), a response envelope, a JSON array, or a fragment (a one-key object
whose value is a class). Examples that break the spec's own rules are listed
in KNOWN_WRONG with the rule they break; the test asserts that they *fail*,
so the list cannot go stale.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocpkit.errors import ObjectInvalid
from ocpkit.ocpi import parse, parse_response, to_jsonable

# kind: "object" | "partial" | "list" | "response" | "response-list" | "fragment"
Entry = tuple[str, str]

COMMON: dict[str, Entry] = {
    "cdr_example.json": ("object", "CDR"),
    "credentials_example.json": ("object", "Credentials"),
    "credentials_example2.json": ("object", "Credentials"),
    "credentials_example3.json": ("object", "Credentials"),
    "credentials_example4.json": ("object", "Credentials"),
    "location_energymix_example_complete.json": ("fragment", "EnergyMix"),
    "location_energymix_example_energy_provider.json": ("fragment", "EnergyMix"),
    "location_energymix_example_simple.json": ("fragment", "EnergyMix"),
    "location_example.json": ("object", "Location"),
    "location_example_parking_garage_opening_hours.json": ("object", "Location"),
    "location_example_uc2_destination_charger.json": ("object", "Location"),
    "location_example_uc3_destination_charger_not_published.json": ("object", "Location"),
    "location_example_uc4_limited_visibility.json": ("object", "Location"),
    "location_example_uc5_home_charge_point.json": ("object", "Location"),
    "location_hours_247_open_exception_closing.json": ("object", "Hours"),
    "location_hours_opening_hours_with_exceptional_closing.json": ("object", "Hours"),
    "location_hours_opening_hours_with_exceptional_opening.json": ("object", "Hours"),
    "location_patch_example_location.json": ("partial", "Location"),
    "location_patch_example_remove_evse.json": ("partial", "EVSE"),
    "location_patch_example_status.json": ("partial", "EVSE"),
    "location_patch_example_tariff.json": ("partial", "Connector"),
    "location_put_example_add_evse.json": ("object", "EVSE"),
    "location_regularhours_example.json": ("fragment", "Hours"),
    "session_example_1_simple_start.json": ("object", "Session"),
    "session_example_2_short_finished.json": ("object", "Session"),
    "session_patch_example_charging_period.json": ("partial", "Session"),
    "session_patch_example_total_cost.json": ("partial", "Session"),
    "tariff_put_example.json": ("object", "Tariff"),
    "tariffrestriction_example_max_duration.json": ("object", "Tariff"),
    "tariffrestriction_example_max_power.json": ("object", "Tariff"),
    "token_example_1_app_user.json": ("object", "Token"),
    "token_example_2_full_rfid.json": ("object", "Token"),
    "token_patch_example.json": ("partial", "Token"),
    "token_put_example.json": ("object", "Token"),
    "transport_and_format_get_token_example.json": ("response", "Token"),
    "transport_and_format_get_token_list_example.json": ("response-list", "Token"),
    "transport_and_format_version_details_example.json": ("response", "VersionDetails"),
    "transport_and_format_version_info_example.json": ("response-list", "Version"),
    "type_displaytext_example.json": ("object", "DisplayText"),
    "version_details_example.json": ("object", "VersionDetails"),
    "version_details_example2.json": ("object", "VersionDetails"),
    "versions_info_example.json": ("list", "Version"),
}

PAYMENTS: dict[str, Entry] = {
    "payment_financial_advice_confirmation_create.json": ("object", "Financial Advice Confirmation"),
    "payment_financial_advice_confirmation_example_failure.json": ("object", "Financial Advice Confirmation"),
    "payment_financial_advice_confirmation_example_success.json": ("object", "Financial Advice Confirmation"),
    "payment_terminal_activate.json": ("object", "Terminal"),
    "payment_terminal_create.json": ("object", "Terminal"),
    "payment_terminal_create_minimal.json": ("object", "Terminal"),
    "payment_terminal_example_assigned_locations.json": ("object", "Terminal"),
    "payment_terminal_example_assigned_locations_assigned_evses.json": ("object", "Terminal"),
    "payment_terminal_example_newly_created.json": ("object", "Terminal"),
    "payment_terminal_location_assignment.json": ("partial", "Terminal"),
    "payment_terminal_put_update.json": ("object", "Terminal"),
}

BOOKINGS: dict[str, Entry] = {
    "booking_example.json": ("object", "Booking"),
    "booking_location_example.json": ("object", "BookingLocation"),
    "booking_location_patch_example_calendar.json": ("partial", "Calendar"),
    "booking_location_patch_example_terms.json": ("partial", "BookingLocation"),
    "booking_patch_example_evse_uid.json": ("partial", "Booking"),
    "booking_patch_example_status_update.json": ("partial", "Booking"),
    "booking_request_patch_example_timeslot.json": ("partial", "Booking"),
    "booking_request_patch_example_tokens.json": ("partial", "Booking"),
}

# (version, file) -> the spec rule the example breaks.
_ADD_EVSE = (
    "EVSE: 'floor' is not a field (floor_level is); its Connector lacks the required power_type, "
    "max_voltage, max_amperage and last_updated, and physical_reference is a number, not a string(16)"
)
_NO_LAST_UPDATED = "last_updated is required (card. 1) and missing"
_FAC_PRICE = (
    "total_costs is a Price, which in 2.3.0 is {before_taxes, taxes}; the example uses the 2.2.1 shape "
    "{excl_vat, incl_vat}"
)
_BOOKING_24H = "Calendar end_before and Timeslot end_date_time use hour 24 ('T24:00:00Z'), not RFC 3339"
KNOWN_WRONG: dict[tuple[str, str], str] = {
    ("2.2.1", "location_put_example_add_evse.json"): _ADD_EVSE,
    ("2.3.0", "location_put_example_add_evse.json"): _ADD_EVSE,
    ("2.2.1", "tariff_put_example.json"): _NO_LAST_UPDATED,
    ("2.3.0", "tariff_put_example.json"): _NO_LAST_UPDATED,
    ("2.3.0", "cdr_example.json"): "the embedded Tariff lacks tax_included, required (card. 1) in 2.3.0",
    (
        "2.3.0",
        "location_example.json",
    ): "EVSE.parking holds strings ('1', '2'); the field is EVSEParking objects",
    ("2.3.0", "location_example_parking_garage_opening_hours.json"): "EVSE.parking holds strings; "
    + "the field is EVSEParking objects",
    ("2.3.0", "payment_financial_advice_confirmation_create.json"): _FAC_PRICE,
    ("2.3.0", "payment_financial_advice_confirmation_example_success.json"): _FAC_PRICE,
    ("2.3.0", "payment_financial_advice_confirmation_example_failure.json"): _FAC_PRICE
    + "; eft_data (card. +) is missing",
    ("2.3.0", "payment_terminal_create_minimal.json"): "a POSTed Terminal (card. 1) lacks last_updated",
    ("2.3.0", "payment_terminal_put_update.json"): "a PUT Terminal lacks terminal_id and "
    + "invoice_base_url 'someNewURL' is not a URL",
    ("2.3.0", "booking_example.json"): "party_id values longer than CiString(3); BookingRequest lacks "
    + "booking_location_id (card. 1)",
    ("2.3.0", "booking_location_example.json"): "BookingOption has 'formats' (connector_format is the field) "
    + "and a single evse_position (card. *); "
    + _BOOKING_24H,
    ("2.3.0", "booking_location_patch_example_calendar.json"): "Timeslot keys carry a trailing space "
    + "('start_date_time ')",
    ("2.3.0", "booking_location_patch_example_terms.json"): "PATCH replaces booking_terms whole, and this "
    + "BookingTerms lacks supported_access_methods, change_until_minutes, cancel_until_minutes (card. 1/+)",
    (
        "2.3.0",
        "booking_patch_example_evse_uid.json",
    ): "Booking has no evse_uid field (it lives in booking_option)",
    ("2.3.0", "booking_request_patch_example_timeslot.json"): "not included in the text; no Booking field "
    + "'timeslot' (the field is period)",
    ("2.3.0", "booking_request_patch_example_tokens.json"): "not included in the text; no Booking field "
    + "'tokens' (the field is booking_tokens)",
}


_EVSE_PATHS = {"/floor", "/physical_reference"} | {
    f"/connectors/0/{f}" for f in ("last_updated", "max_amperage", "max_voltage", "power_type")
}
_FAC_PATHS = {"/total_costs/before_taxes", "/total_costs/excl_vat", "/total_costs/incl_vat"}
# (version, file) -> the JSON pointers the reason above names; the refusal must be exactly these.
WRONG_PATHS: dict[tuple[str, str], set[str]] = {
    ("2.2.1", "location_put_example_add_evse.json"): _EVSE_PATHS,
    ("2.3.0", "location_put_example_add_evse.json"): _EVSE_PATHS,
    ("2.2.1", "tariff_put_example.json"): {"/last_updated"},
    ("2.3.0", "tariff_put_example.json"): {"/last_updated"},
    ("2.3.0", "cdr_example.json"): {"/tariffs/0/tax_included"},
    ("2.3.0", "location_example.json"): {f"/evses/{e}/parking/{p}" for e in (0, 1) for p in (0, 1)},
    ("2.3.0", "location_example_parking_garage_opening_hours.json"): {"/evses/0/parking/0"},
    ("2.3.0", "payment_financial_advice_confirmation_create.json"): _FAC_PATHS,
    ("2.3.0", "payment_financial_advice_confirmation_example_success.json"): _FAC_PATHS,
    ("2.3.0", "payment_financial_advice_confirmation_example_failure.json"): _FAC_PATHS | {"/eft_data"},
    ("2.3.0", "payment_terminal_create_minimal.json"): {"/last_updated"},
    ("2.3.0", "payment_terminal_put_update.json"): {"/terminal_id", "/invoice_base_url"},
    ("2.3.0", "booking_example.json"): {"/party_id", "/booking_tokens/0/party_id"}
    | {
        f"/booking_requests/{i}/booking_request/{f}"
        for i in (0, 1)
        for f in ("party_id", "booking_location_id")
    },
    ("2.3.0", "booking_location_example.json"): {"/booking_option/formats", "/booking_option/evse_position"}
    | {f"/calendars/{i}/{f}" for i in (0, 1) for f in ("end_before", "available_timeslots/0/end_date_time")},
    ("2.3.0", "booking_location_patch_example_calendar.json"): {
        f"/available_timeslots/0/{f}{space}"
        for f in ("start_date_time", "end_date_time")
        for space in ("", " ")
    },
    ("2.3.0", "booking_location_patch_example_terms.json"): {
        f"/booking_terms/{f}"
        for f in ("supported_access_methods", "change_until_minutes", "cancel_until_minutes")
    },
    ("2.3.0", "booking_patch_example_evse_uid.json"): {"/evse_uid"},
    ("2.3.0", "booking_request_patch_example_timeslot.json"): {"/timeslot"},
    ("2.3.0", "booking_request_patch_example_tokens.json"): {"/tokens"},
}


def _table(version: str) -> dict[str, Entry]:
    table = dict(COMMON)
    if version == "2.3.0":
        table.update(PAYMENTS)
    return table


def _cases() -> list[tuple[str, str, str, Entry]]:
    out = []
    for version in ("2.2.1", "2.3.0"):
        for name, entry in _table(version).items():
            out.append((version, "examples", name, entry))
    for name, entry in BOOKINGS.items():
        out.append(("2.3.0", "bookings/examples", name, entry))
    return out


def _tariff_entries(version: str, folder: Path) -> dict[str, Entry]:
    return {p.name: ("object", "Tariff") for p in folder.glob("tariff_*.json") if p.name not in COMMON}


def _check(version: str, raw: bytes, entry: Entry) -> Any:
    kind, name = entry
    if kind == "object":
        model = parse(version, name, raw)
        assert to_jsonable(model) == json.loads(raw, parse_float=Decimal)
    elif kind == "partial":
        model = parse(version, name, raw, partial=True)
        assert to_jsonable(model) == json.loads(raw, parse_float=Decimal)
    elif kind == "list":
        models = parse(version, name, raw, many=True)
        assert [to_jsonable(m) for m in models] == json.loads(raw, parse_float=Decimal)
    elif kind in ("response", "response-list"):
        model = parse_response(version, name, raw, many=kind == "response-list")
        assert to_jsonable(model) == json.loads(raw, parse_float=Decimal)
    elif kind == "fragment":
        doc = json.loads(raw, parse_float=Decimal)
        assert isinstance(doc, dict) and len(doc) == 1
        (value,) = doc.values()
        model = parse(version, name, value)
        assert to_jsonable(model) == value
    else:  # pragma: no cover - table typo
        raise AssertionError(kind)


@pytest.mark.shared
@pytest.mark.parametrize(("version", "folder", "name", "entry"), _cases(), ids=lambda v: str(v))
def test_example(shared: Path, version: str, folder: str, name: str, entry: Entry) -> None:
    path = shared / "specs" / "ocpi" / version / folder / name
    raw = path.read_bytes()
    reason = KNOWN_WRONG.get((version, name))
    if reason is not None:
        with pytest.raises(ObjectInvalid) as info:
            _check(version, raw, entry)
        assert {v.path for v in info.value.violations} == WRONG_PATHS[(version, name)], reason
        return
    _check(version, raw, entry)


def test_known_wrong_tables_agree() -> None:
    assert set(KNOWN_WRONG) == set(WRONG_PATHS)


@pytest.mark.shared
@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
def test_every_example_is_mapped(shared: Path, version: str) -> None:
    folder = shared / "specs" / "ocpi" / version / "examples"
    names = {p.name for p in folder.glob("*.json")}
    mapped = set(_table(version)) | set(_tariff_entries(version, folder))
    assert names - mapped == set()
    assert {p.name for p in (shared / "specs/ocpi/2.3.0/bookings/examples").glob("*.json")} == set(BOOKINGS)


@pytest.mark.shared
@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
def test_tariff_examples(shared: Path, version: str) -> None:
    folder = shared / "specs" / "ocpi" / version / "examples"
    entries = _tariff_entries(version, folder)
    # 2.2.1-d2 dropped tariff_7 (it contradicted the text): 17 numbered tariffs; 2.3.0 adds 19 and 20.
    assert len(entries) == (17 if version == "2.2.1" else 19)
    for name, entry in sorted(entries.items()):
        _check(version, (folder / name).read_bytes(), entry)
