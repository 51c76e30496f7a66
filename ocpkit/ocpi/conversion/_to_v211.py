"""The conversion tables from OCPI 2.2.1 to 2.1.1.

Theory of operation: one :class:`~ocpkit.ocpi.conversion._rules.Table` per class
that changes going down to 2.1.1, plus the enum values that change; classes and
fields not named here carry over unchanged (their limits are checked by the
engine's second pass). 2.1.1 has no owners, no publish flag, no split costs and
embeds the whole Location in Sessions and CDRs: what it cannot hold is reported
lost, and the Location a Session or CDR embeds comes from the caller's context.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ocpkit.ocpi.conversion._rules import (
    MISSING,
    EnumMap,
    Env,
    Table,
    Unfit,
    View,
    derive,
    drop,
    fill,
    omit,
    override,
    refuse,
    rename,
    table,
)

__all__ = ["ENUM_MAPS", "PARKING_TYPES", "TABLES"]

DOWN = ("2.2.1", "2.1.1")

# 2.2.1 ParkingType -> 2.1.1 LocationType; ALONG_MOTORWAY and ON_DRIVEWAY are "none of the given" (OTHER).
PARKING_TYPES: dict[str, str] = {
    "ON_STREET": "ON_STREET",
    "PARKING_GARAGE": "PARKING_GARAGE",
    "UNDERGROUND_GARAGE": "UNDERGROUND_GARAGE",
    "PARKING_LOT": "PARKING_LOT",
    "ALONG_MOTORWAY": "OTHER",
    "ON_DRIVEWAY": "OTHER",
}

_NO_LOCATION_TYPE = "2.1.1 LocationType has no ALONG_MOTORWAY or ON_DRIVEWAY: written as OTHER"
_ONE_PARTY = (
    "2.1.1 Credentials describe one party and carry no role: the role, and the roles after the first, "
    "are not carried"
)

_NO_OWNER = "2.1.1 objects do not name their owner: the party is the one at the other end of the connection"
# ---------------------------------------------------------------------------
# Derivations, 2.2.1 -> 2.1.1
# ---------------------------------------------------------------------------


def _location_type(src: View, env: Env) -> Any:
    value = src.get("parking_type")
    if value is MISSING:
        src.use("parking_type")
        return "UNKNOWN"  # OCPI 2.1.1 LocationType: UNKNOWN is the default
    mapped = PARKING_TYPES.get(value)
    if mapped == value:
        return src.take("parking_type")
    src.lose("parking_type", _NO_LOCATION_TYPE)
    return "OTHER"


def _auth_id(src: View, env: Env) -> Any:
    return src.take("cdr_token/contract_id")


def _context_location(src: View, env: Env, location_id: str, evse_uid: str, connector_id: str) -> Any:
    """The context Location (in 2.1.1) narrowed to the EVSE and Connector named, or MISSING."""
    base = env.ctx_object("location", "Location")
    if base is MISSING:
        return MISSING
    ids = {k: src.get(v) for k, v in (("loc", location_id), ("evse", evse_uid), ("con", connector_id))}
    if str(base.get("id", "")).lower() != str(ids["loc"]).lower():
        raise Unfit(f"context['location'] is Location {base.get('id')!r}, not {ids['loc']!r}")
    evse = next(
        (e for e in base.get("evses") or [] if str(e.get("uid", "")).lower() == str(ids["evse"]).lower()),
        None,
    )
    if evse is None:
        raise Unfit(f"context['location'] has no EVSE {ids['evse']!r}")
    connector = next(
        (c for c in evse.get("connectors") or [] if str(c.get("id", "")).lower() == str(ids["con"]).lower()),
        None,
    )
    if connector is None:
        raise Unfit(f"context['location'] EVSE {ids['evse']!r} has no Connector {ids['con']!r}")
    out = {**base, "id": src.take(location_id)}
    out["evses"] = [
        {**evse, "uid": src.take(evse_uid), "connectors": [{**connector, "id": src.take(connector_id)}]}
    ]
    return out


def _session_location(src: View, env: Env) -> Any:
    # OCPI 2.1.1 mod_sessions: the location includes only the relevant EVSE and connector.
    return _context_location(src, env, "location_id", "evse_uid", "connector_id")


def _cdr_location_211(src: View, env: Env) -> Any:
    out = _context_location(src, env, "cdr_location/id", "cdr_location/evse_uid", "cdr_location/connector_id")
    if out is MISSING:
        return MISSING
    # The CDR's own snapshot of the location wins over the context object.
    for f in ("name", "address", "city", "postal_code", "country", "coordinates"):
        if src.has(f"cdr_location/{f}"):
            out[f] = src.take(f"cdr_location/{f}")
    evse = out["evses"][0]
    evse["evse_id"] = src.take("cdr_location/evse_id")
    connector = evse["connectors"][0]
    for f in ("standard", "format", "power_type"):
        connector[f] = src.take(f"cdr_location/connector_{f}")
    return out


def _number_total(src: View, env: Env) -> Any:
    return src.take("total_cost/excl_vat")


def _first_role(field: str) -> Any:
    def fn(src: View, env: Env) -> Any:
        if field == "business_details":
            src.lose("roles/0/role", _ONE_PARTY)
        return src.take(f"roles/0/{field}")

    return fn


def _first_tariff(src: View, env: Env) -> Any:
    ids = src.get("tariff_ids")
    if not ids:
        src.use("tariff_ids")
        return MISSING
    return src.take("tariff_ids/0")


_INTEGER = re.compile(r"-?[0-9]+")


def _reservation_int(src: View, env: Env) -> Any:
    text = src.get("reservation_id")
    if isinstance(text, str) and _INTEGER.fullmatch(text) and str(int(text)) == text:
        src.use("reservation_id")
        return int(text)
    replacement = env.ctx("reservation_id")
    if replacement is not MISSING:
        src.lose(
            "reservation_id",
            "not an integer (2.1.1 reservation ids are); replaced by context['reservation_id']",
        )
    return replacement


def _six_decimals(field: str) -> Any:
    # OCPI 2.1.1 mod_locations GeoLocation: exactly six decimals; 2.2.1 allows five to seven.
    def fn(src: View, env: Env) -> Any:
        text = src.get(field)
        if not isinstance(text, str) or "." not in text:
            return src.take(field)
        head, _, frac = text.partition(".")
        if len(frac) == 6:
            return src.take(field)
        if len(frac) < 6:
            src.use(field)
            return f"{head}.{frac.ljust(6, '0')}"
        try:
            rounded = Decimal(text).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
        except ArithmeticError:
            return src.take(field)
        src.lose(field, "2.1.1 coordinates have exactly six decimals: a seventh is rounded away")
        return f"{rounded:.6f}"

    return fn


# ---------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------


def _six_rule(field: str) -> Any:
    return derive(
        field,
        [field],
        _six_decimals(field),
        "written with six decimals, as 2.1.1 requires",
        lost="2.1.1 coordinates have exactly six decimals: a seventh is rounded away",
    )


_NO_OWNER_RULES = (drop("country_code", _NO_OWNER), drop("party_id", _NO_OWNER))
_TOTAL_COST = derive(
    "total_cost",
    ["total_cost"],
    _number_total,
    "Price.excl_vat (2.1.1 amounts exclude VAT)",
    lost="2.1.1 amounts exclude VAT: the amount incl. VAT is not carried",
)


def _auth_id_rule(what: str) -> Any:
    return derive(
        "auth_id",
        ["cdr_token"],
        _auth_id,
        "the token's contract_id",
        lost=f"2.1.1 {what} identify the token by its contract id (auth_id) only",
    )


TABLES: tuple[Table, ...] = (
    table(
        "Location",
        *DOWN,
        *_NO_OWNER_RULES,
        drop("publish", "2.1.1 has no publish flag: every Location it carries is public", implied=True),
        drop("publish_allowed_to", "2.1.1 has no publish flag: every Location it carries is public"),
        drop("state", "2.1.1 Locations have no state field"),
        derive(
            "type",
            ["parking_type"],
            _location_type,
            "the 2.1.1 LocationType of the parking_type (UNKNOWN when absent, OTHER for ALONG_MOTORWAY "
            "and ON_DRIVEWAY)",
            lost=_NO_LOCATION_TYPE,
        ),
        fill("postal_code", "postal_code", "required in 2.1.1: the 2.2.1 value, else context['postal_code']"),
    ),
    table(
        "Connector",
        *DOWN,
        rename("max_voltage", "voltage"),
        rename("max_amperage", "amperage"),
        drop("max_electric_power", "2.1.1 Connectors have no maximum power field"),
        derive(
            "tariff_id",
            ["tariff_ids"],
            _first_tariff,
            "the first of the tariff_ids",
            lost="a 2.1.1 Connector names one tariff: the other tariff_ids are not carried",
        ),
    ),
    table(
        "Hours",
        *DOWN,
        omit("twentyfourseven", False, "left out when false: 2.1.1 gives regular_hours instead"),
    ),
    table("EnvironmentalImpact", *DOWN, rename("category", "source")),
    table(
        "GeoLocation",
        *DOWN,
        _six_rule("latitude"),
        _six_rule("longitude"),
    ),
    table(
        "AdditionalGeoLocation",
        *DOWN,
        _six_rule("latitude"),
        _six_rule("longitude"),
    ),
    table(
        "Tariff",
        *DOWN,
        *_NO_OWNER_RULES,
        drop("type", "2.1.1 Tariffs have no type (ad hoc, profile): every tariff applies to all"),
        drop("min_price", "2.1.1 Tariffs have no minimum price"),
        drop("max_price", "2.1.1 Tariffs have no maximum price"),
        drop("start_date_time", "2.1.1 Tariffs have no validity period"),
        drop("end_date_time", "2.1.1 Tariffs have no validity period"),
    ),
    table("PriceComponent", *DOWN, drop("vat", "2.1.1 price components carry no VAT rate")),
    table(
        "TariffRestrictions",
        *DOWN,
        refuse(
            "min_current",
            "2.1.1 has no current restriction: the TariffElement would apply more widely, so it is left out",
            scope="TariffElement",
        ),
        refuse(
            "max_current",
            "2.1.1 has no current restriction: the TariffElement would apply more widely, so it is left out",
            scope="TariffElement",
        ),
        refuse(
            "reservation",
            "2.1.1 has no reservation pricing: the TariffElement for reservations is left out",
            scope="TariffElement",
        ),
    ),
    table(
        "Token",
        *DOWN,
        *_NO_OWNER_RULES,
        rename("contract_id", "auth_id"),
        drop("group_id", "2.1.1 Tokens have no group id"),
        drop("default_profile_type", "2.1.1 has no smart-charging profiles"),
        drop("energy_contract", "2.1.1 Tokens have no energy contract"),
    ),
    table("ChargingPeriod", *DOWN, drop("tariff_id", "2.1.1 charging periods do not name a tariff")),
    table(
        "Session",
        *DOWN,
        *_NO_OWNER_RULES,
        rename("start_date_time", "start_datetime"),
        rename("end_date_time", "end_datetime"),
        _auth_id_rule("Sessions"),
        drop("authorization_reference", "2.1.1 has no authorization reference"),
        derive(
            "location",
            ["location_id", "evse_uid", "connector_id"],
            _session_location,
            "context['location'] (the Location of the session), narrowed to its EVSE and Connector",
            needs=("location",),
        ),
        _TOTAL_COST,
    ),
    table(
        "CDR",
        *DOWN,
        *_NO_OWNER_RULES,
        rename("end_date_time", "stop_date_time"),
        drop("session_id", "2.1.1 CDRs do not name their Session"),
        _auth_id_rule("CDRs"),
        drop("authorization_reference", "2.1.1 has no authorization reference"),
        derive(
            "location",
            ["cdr_location"],
            _cdr_location_211,
            "context['location'] (the Location of the CDR) narrowed to its EVSE and Connector, "
            "with the CDR's own address, coordinates and connector",
            needs=("location",),
            lost="a 2.1.1 Location has no state field",
        ),
        drop("signed_data", "2.1.1 CDRs carry no signed meter data"),
        _TOTAL_COST,
        drop("total_fixed_cost", "2.1.1 CDRs give only the total cost"),
        drop("total_energy_cost", "2.1.1 CDRs give only the total cost"),
        drop("total_time_cost", "2.1.1 CDRs give only the total cost"),
        drop("total_parking_cost", "2.1.1 CDRs give only the total cost"),
        drop("total_reservation_cost", "2.1.1 CDRs give only the total cost"),
        drop("invoice_reference_id", "2.1.1 CDRs carry no invoice reference"),
        drop("credit", "2.1.1 has no credit CDRs"),
        drop("credit_reference_id", "2.1.1 has no credit CDRs"),
        drop("home_charging_compensation", "2.1.1 has no home-charging compensation flag"),
    ),
    table(
        "Credentials",
        *DOWN,
        *(
            derive(
                field,
                ["roles"],
                _first_role(field),
                f"the {field} of the first role",
                lost=_ONE_PARTY,
            )
            for field in ("business_details", "party_id", "country_code")
        ),
    ),
    table(
        "AuthorizationInfo",
        *DOWN,
        drop("token", "a 2.1.1 AuthorizationInfo does not repeat the Token"),
        drop("authorization_reference", "2.1.1 has no authorization reference"),
    ),
    table(
        "CommandResponse",
        *DOWN,
        drop("timeout", "2.1.1 CommandResponses carry no timeout"),
        drop("message", "2.1.1 CommandResponses carry no message"),
    ),
    table(
        "ReserveNow",
        *DOWN,
        derive(
            "reservation_id",
            ["reservation_id"],
            _reservation_int,
            "the reservation id as an integer (2.1.1), else context['reservation_id']",
            needs=("reservation_id",),
            lost="not an integer (2.1.1 reservation ids are); replaced by context['reservation_id']",
        ),
        drop("authorization_reference", "2.1.1 has no authorization reference"),
    ),
    table(
        "StartSession",
        *DOWN,
        drop("connector_id", "2.1.1 StartSession names the EVSE, not the Connector"),
        drop("authorization_reference", "2.1.1 has no authorization reference"),
    ),
    table("Version", *DOWN, override("version", "version", "context['version'] replaces the version number")),
    table(
        "VersionDetails",
        *DOWN,
        override("version", "version", "context['version'] replaces the version number"),
    ),
    table(
        "Endpoint",
        *DOWN,
        drop(
            "role", "2.1.1 endpoints carry no interface role: a party offers the interfaces of its own role"
        ),
    ),
)

ENUM_MAPS: tuple[EnumMap, ...] = (
    EnumMap(
        "AuthMethod",
        *DOWN,
        {
            "COMMAND": (
                "AUTH_REQUEST",
                "2.1.1 has no COMMAND authorization: a session started by a command was authorized by the "
                "eMSP, written as AUTH_REQUEST",
            )
        },
    ),
    EnumMap(
        "SessionStatus",
        *DOWN,
        {"RESERVATION": ("PENDING", "2.1.1 has no RESERVATION status: written as PENDING (not started yet)")},
    ),
    EnumMap(
        "TokenType",
        *DOWN,
        {
            "AD_HOC_USER": ("OTHER", "2.1.1 TokenType has no AD_HOC_USER: written as OTHER"),
            "APP_USER": ("OTHER", "2.1.1 TokenType has no APP_USER: written as OTHER"),
        },
    ),
)
