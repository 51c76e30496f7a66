"""OCPI spec rules: each rule with a passing and a failing example; strict parsing refuses, lenient reports."""

from __future__ import annotations

import copy
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.errors import ObjectInvalid, OcpkitError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpi import parse, parse_response, status_of_rule
from ocpkit.ocpi.rules import RULES, check, rule

CONNECTOR = {"standard": "IEC_62196_T2", "power_type": "AC_3_PHASE"}
PC = {"type": "ENERGY", "price": Decimal("0.25")}

# rule id -> (version, object name, passing object, failing object, pointer of the failure)
EXAMPLES: dict[str, tuple[str, str, Any, Any, str]] = {
    "ocpi.location.time-zone": (
        "2.2.1",
        "Location",
        {"time_zone": "Europe/Oslo"},
        {"time_zone": "NL"},
        "/time_zone",
    ),
    "ocpi.location.country": (
        "2.2.1",
        "Location",
        {"address": "Main St 1", "country": "NLD"},
        {"address": "Main St 1", "country": "NL"},
        "/country",
    ),
    "ocpi.location.publish-allowed-to": (
        "2.2.1",
        "Location",
        {"publish": False, "publish_allowed_to": [{"uid": "X"}]},
        {"publish": True, "publish_allowed_to": [{"uid": "X"}]},
        "/publish_allowed_to",
    ),
    "ocpi.evse.evse-id": (
        "2.2.1",
        "EVSE",
        {"evse_id": "NL*ABC*E123*1"},
        {"evse_id": "BE-BEC-E0415"},
        "/evse_id",
    ),
    "ocpi.connector.max-voltage": (
        "2.2.1",
        "Connector",
        {**CONNECTOR, "max_voltage": 230},
        {**CONNECTOR, "max_voltage": 0},
        "/max_voltage",
    ),
    "ocpi.connector.max-amperage": (
        "2.1.1",
        "Connector",
        {**CONNECTOR, "amperage": 16},
        {**CONNECTOR, "amperage": -16},
        "/amperage",
    ),
    "ocpi.connector.max-electric-power": (
        "2.3.0",
        "Connector",
        {**CONNECTOR, "max_electric_power": 11000},
        {**CONNECTOR, "max_electric_power": 0},
        "/max_electric_power",
    ),
    "ocpi.geo.latitude": (
        "2.2.1",
        "GeoLocation",
        {"latitude": "51.047599", "longitude": "3.729944"},
        {"latitude": "91.047599", "longitude": "3.729944"},
        "/latitude",
    ),
    "ocpi.geo.longitude": (
        "2.1.1",
        "GeoLocation",
        {"latitude": "51.047599", "longitude": "-179.99999"},
        {"latitude": "51.047599", "longitude": "3,729944"},
        "/longitude",
    ),
    "ocpi.regular-hours.weekday": (
        "2.1.1",
        "RegularHours",
        {"weekday": 7, "period_begin": "08:00", "period_end": "18:00"},
        {"weekday": 0, "period_begin": "08:00", "period_end": "18:00"},
        "/weekday",
    ),
    "ocpi.regular-hours.order": (
        "2.2.1",
        "RegularHours",
        {"weekday": 1, "period_begin": "08:00", "period_end": "18:00"},
        {"weekday": 1, "period_begin": "18:00", "period_end": "08:00"},
        "/period_end",
    ),
    "ocpi.exceptional-period.order": (
        "2.2.1",
        "ExceptionalPeriod",
        {"period_begin": "2024-01-01T00:00:00Z", "period_end": "2024-01-02T00:00:00Z"},
        {"period_begin": "2024-01-02T00:00:00Z", "period_end": "2024-01-01T00:00:00Z"},
        "/period_end",
    ),
    "ocpi.energy-source.percentage": (
        "2.2.1",
        "EnergySource",
        {"source": "SOLAR", "percentage": 100},
        {"source": "SOLAR", "percentage": Decimal("100.5")},
        "/percentage",
    ),
    "ocpi.display-text.language": (
        "2.2.1",
        "DisplayText",
        {"language": "nl", "text": "Gratis"},
        {"language": "xx", "text": "Gratis"},
        "/language",
    ),
    "ocpi.display-text.markup": (
        "2.2.1",
        "DisplayText",
        {"language": "en", "text": "2 < 3 & 4 > 1"},
        {"language": "en", "text": "<b>Free</b> parking"},
        "/text",
    ),
    "ocpi.country-code": ("2.2.1", "Token", {"country_code": "de"}, {"country_code": "XX"}, "/country_code"),
    "ocpi.party-id": ("2.2.1", "Token", {"party_id": "AB1"}, {"party_id": "A-1"}, "/party_id"),
    "ocpi.currency": ("2.2.1", "Tariff", {"currency": "EUR"}, {"currency": "EUX"}, "/currency"),
    "ocpi.tariff.validity": (
        "2.2.1",
        "Tariff",
        {"start_date_time": "2024-01-01T00:00:00Z", "end_date_time": "2024-06-01T00:00:00Z"},
        {"start_date_time": "2024-06-01T00:00:00Z", "end_date_time": "2024-01-01T00:00:00Z"},
        "/end_date_time",
    ),
    "ocpi.price-component.step-size": (
        "2.1.1",
        "PriceComponent",
        {**PC, "step_size": 1},
        {**PC, "step_size": 0},
        "/step_size",
    ),
    "ocpi.price-component.vat": (
        "2.2.1",
        "PriceComponent",
        {**PC, "step_size": 1, "vat": Decimal("21.0")},
        {**PC, "step_size": 1, "vat": 121},
        "/vat",
    ),
    "ocpi.restrictions.kwh": (
        "2.2.1",
        "TariffRestrictions",
        {"min_kwh": 0, "max_kwh": Decimal("10.5")},
        {"min_kwh": 20, "max_kwh": 10},
        "/max_kwh",
    ),
    "ocpi.restrictions.current": (
        "2.2.1",
        "TariffRestrictions",
        {"min_current": 6, "max_current": 32},
        {"min_current": -1},
        "/min_current",
    ),
    "ocpi.restrictions.power": (
        "2.1.1",
        "TariffRestrictions",
        {"min_power": 11, "max_power": 11},
        {"min_power": 50, "max_power": 22},
        "/max_power",
    ),
    "ocpi.restrictions.duration": (
        "2.3.0",
        "TariffRestrictions",
        {"min_duration": 0, "max_duration": 1800},
        {"min_duration": 3600, "max_duration": 1800},
        "/max_duration",
    ),
    "ocpi.restrictions.dates": (
        "2.2.1",
        "TariffRestrictions",
        {"start_date": "2024-01-01", "end_date": "2024-01-02"},
        {"start_date": "2024-01-01", "end_date": "2024-01-01"},
        "/end_date",
    ),
    "ocpi.cdr.period": (
        "2.1.1",
        "CDR",
        {"start_date_time": "2024-01-01T10:00:00Z", "stop_date_time": "2024-01-01T11:00:00Z"},
        {"start_date_time": "2024-01-01T10:00:00Z", "stop_date_time": "2024-01-01T09:00:00Z"},
        "/stop_date_time",
    ),
    "ocpi.session.period": (
        "2.2.1",
        "Session",
        {"start_date_time": "2024-01-01T10:00:00Z", "end_date_time": "2024-01-01T10:00:00Z"},
        {"start_date_time": "2024-01-01T10:00:00Z", "end_date_time": "2024-01-01T09:59:59Z"},
        "/end_date_time",
    ),
    "ocpi.charging-periods.order": (
        "2.2.1",
        "CDR",
        {
            "charging_periods": [
                {"start_date_time": "2024-01-01T10:00:00Z"},
                {"start_date_time": "2024-01-01T11:00:00Z"},
            ]
        },
        {
            "charging_periods": [
                {"start_date_time": "2024-01-01T11:00:00Z"},
                {"start_date_time": "2024-01-01T10:00:00Z"},
            ]
        },
        "/charging_periods/1/start_date_time",
    ),
}


def test_the_table() -> None:
    assert len(RULES) >= 20
    assert len({r.id for r in RULES}) == len(RULES)
    for r in RULES:
        assert r.protocol == "ocpi" and r.id.startswith("ocpi.") and r.code == "spec." + r.id
        assert r.versions and set(r.versions) <= {"2.1.1", "2.2.1", "2.3.0"}
        assert r.section and r.statement
        assert rule(r.id) is r
    with pytest.raises(OcpkitError):
        rule("ocpi.no-such-rule")
    # eMI3 form is a warning: many operators publish ids that do not follow it.
    assert rule("ocpi.evse.evse-id").severity is Severity.WARNING
    assert status_of_rule("spec.ocpi.currency") == 2001


@pytest.mark.parametrize("r", RULES, ids=lambda r: r.id)
def test_each_rule_passes_and_fails(r: Any) -> None:
    assert r.id in EXAMPLES, f"{r.id} has no examples"
    version, name, good, bad, where = EXAMPLES[r.id]
    assert version in r.versions
    assert [f for f in check(version, name, good) if f.code == r.code] == []
    found = [f for f in check(version, name, bad) if f.code == r.code]
    assert [f.ref for f in found] == [where]
    assert all(f.severity is r.severity and f.subject == name and f.message for f in found)


def test_cdr_and_session_are_told_apart() -> None:
    backwards = {"start_date_time": "2024-01-01T10:00:00Z", "end_date_time": "2024-01-01T09:00:00Z"}
    session = {**backwards, "kwh": 1, "total_cost": {"excl_vat": 1}, "cdr_token": {"uid": "X"}}
    assert [f.code for f in check("2.2.1", "Session", session)] == ["spec.ocpi.session.period"]
    assert [f.code for f in check("2.2.1", "Object", session)] == ["spec.ocpi.session.period"]
    cdr = {**backwards, "total_energy": 1}
    assert [f.code for f in check("2.2.1", "Object", cdr)] == ["spec.ocpi.cdr.period"]


def test_rules_apply_only_to_their_versions() -> None:
    # vat is a 2.2.1 field; 2.1.1 has no rule for it.
    bad = {**PC, "step_size": 1, "vat": 121}
    assert [f.code for f in check("2.2.1", "PriceComponent", bad)] == ["spec.ocpi.price-component.vat"]
    assert check("2.1.1", "PriceComponent", bad) == []
    assert check("9.9", "PriceComponent", bad) == []


def _shared() -> Path:
    root = Path(os.environ.get("OCPKIT_SHARED", Path(__file__).parents[3] / "shared"))
    if not (root / "specs/ocpi").is_dir():
        pytest.skip("shared reference material not found (set OCPKIT_SHARED)")
    return root


def _location() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (_shared() / "specs/ocpi/2.2.1/examples/location_example.json").read_text()
    )
    return doc


def test_strict_refuses_and_lenient_reports() -> None:
    good = _location()
    assert check("2.2.1", "Location", parse("2.2.1", "Location", good)) == []
    bad = copy.deepcopy(good)
    bad["time_zone"] = "Mars/Olympus_Mons"
    bad["coordinates"]["latitude"] = "95.000000"
    with pytest.raises(ObjectInvalid) as info:
        parse("2.2.1", "Location", bad)
    assert [(v.path, v.keyword, v.code) for v in info.value.violations] == [
        ("/time_zone", "spec.ocpi.location.time-zone", "2001"),
        ("/coordinates/latitude", "spec.ocpi.geo.latitude", "2001"),
    ]
    result = parse("2.2.1", "Location", bad, lenient=True)
    assert result.model is not None and not result.ok
    assert [v.keyword for v in result.violations] == [
        "spec.ocpi.location.time-zone",
        "spec.ocpi.geo.latitude",
    ]
    # A list parse points into the list.
    with pytest.raises(ObjectInvalid) as info:
        parse("2.2.1", "Location", [good, bad], many=True)
    assert info.value.violations[0].path == "/1/time_zone"


def test_responses_carry_the_rules_too() -> None:
    bad = _location()
    bad["time_zone"] = "NL"
    body = {"data": [bad], "status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}
    with pytest.raises(ObjectInvalid) as info:
        parse_response("2.2.1", "Location", body, many=True)
    assert [v.path for v in info.value.violations] == ["/data/0/time_zone"]
    result = parse_response("2.2.1", "Location", body, many=True, lenient=True)
    assert [v.keyword for v in result.violations] == ["spec.ocpi.location.time-zone"]
    body["data"] = [_location()]
    assert parse_response("2.2.1", "Location", body, many=True).data[0].time_zone == "Europe/Brussels"


def test_emi3_is_never_a_strict_failure() -> None:
    doc = _location()
    doc["evses"][0]["evse_id"] = "BE-BEC-E041503001"
    assert parse("2.2.1", "Location", doc).evses[0].evse_id == "BE-BEC-E041503001"
    result = parse("2.2.1", "Location", doc, lenient=True)
    assert result.ok
    assert [(w.path, w.keyword) for w in result.warnings] == [("/evses/0/evse_id", "spec.ocpi.evse.evse-id")]


def test_check_takes_models_and_dicts_alike() -> None:
    doc = _location()
    doc["evses"][0]["evse_id"] = "not-emi3"
    model = parse("2.2.1", "Location", doc)
    assert check("2.2.1", "Location", model) == check("2.2.1", "Location", doc)
    assert [f.ref for f in check("2.2.1", "Location", [model])] == ["/0/evses/0/evse_id"]


def test_official_examples_pass_strict() -> None:
    # tariff_5_free_of_charge has step_size 0: that rule is a warning, so strict parsing accepts it.
    path = _shared() / "specs/ocpi/2.2.1/examples/tariff_5_free_of_charge.json"
    doc = json.loads(path.read_text())
    parse("2.2.1", "Tariff", doc)
    assert [f.code for f in check("2.2.1", "Tariff", doc)] == ["spec.ocpi.price-component.step-size"]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.decimals(allow_nan=True),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                sorted(
                    {k for _, _, good, bad, _ in EXAMPLES.values() for d in (good, bad) for k in d} | {"x"}
                )
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(
    version=st.sampled_from(["2.1.1", "2.2.1", "2.3.0", "x"]),
    name=st.sampled_from(["Location", "CDR", "Session", "Tariff", "TariffRestrictions", "Nope"]),
    obj=_json,
)
def test_check_never_raises(version: str, name: str, obj: Any) -> None:
    out = check(version, name, obj)
    assert all(isinstance(f, Finding) for f in out)
