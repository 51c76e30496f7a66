"""The conversion tables between OCPI 2.1.1 and 2.2.1, both directions.

Theory of operation: one :class:`~ocpkit.ocpi.convert._rules.Table` per class
that changes between the two versions, for each direction, plus the enum values
that change. Classes and fields not named here carry over unchanged (their
constraints are checked by the engine's second pass). The derivation functions
below each build one target field from the source object; each cites the part
of the texts it relies on.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ocpkit.ocpi.convert._rules import (
    MISSING,
    EnumMap,
    Env,
    Table,
    Unfit,
    View,
    context,
    default,
    derive,
    drop,
    fill,
    omit,
    override,
    refuse,
    rename,
    table,
)

__all__ = ["ENUM_MAPS", "INTERFACE_ROLES", "LOCATION_TYPES", "PARKING_TYPES", "TABLES"]

UP, DOWN = ("2.1.1", "2.2.1"), ("2.2.1", "2.1.1")

_NO_LOCATION_TYPE = "2.1.1 LocationType has no ALONG_MOTORWAY or ON_DRIVEWAY: written as OTHER"
_ONE_PARTY = (
    "2.1.1 Credentials describe one party and carry no role: the role, and the roles after the first, "
    "are not carried"
)

_NO_OWNER = "2.1.1 objects do not name their owner: the party is the one at the other end of the connection"
_OWNER_CC = "the owner's country code, from context['country_code'] (2.1.1 objects do not name their owner)"
_OWNER_PID = "the owner's party ID, from context['party_id'] (2.1.1 objects do not name their owner)"

# OCPI 2.1.1 mod_locations LocationType -> 2.2.1 ParkingType: same meaning, same name, except OTHER
# (no 2.2.1 value) and UNKNOWN (the 2.2.1 field is optional: absence says the same).
LOCATION_TYPES: dict[str, str | None] = {
    "ON_STREET": "ON_STREET",
    "PARKING_GARAGE": "PARKING_GARAGE",
    "UNDERGROUND_GARAGE": "UNDERGROUND_GARAGE",
    "PARKING_LOT": "PARKING_LOT",
    "OTHER": None,
    "UNKNOWN": None,
}
# 2.2.1 ParkingType -> 2.1.1 LocationType; ALONG_MOTORWAY and ON_DRIVEWAY are "none of the given" (OTHER).
PARKING_TYPES: dict[str, str] = {
    "ON_STREET": "ON_STREET",
    "PARKING_GARAGE": "PARKING_GARAGE",
    "UNDERGROUND_GARAGE": "UNDERGROUND_GARAGE",
    "PARKING_LOT": "PARKING_LOT",
    "ALONG_MOTORWAY": "OTHER",
    "ON_DRIVEWAY": "OTHER",
}

# OCPI 2.2.1 mod_*: "Sender/Receiver Interface -- typically implemented by market roles like: CPO / eMSP".
# A 2.1.1 party offers the interfaces of its own role; credentials: 2.2.1 version_information_endpoint
# advises SENDER for one's own credentials endpoint.
INTERFACE_ROLES: dict[str, dict[str, str]] = {
    "CPO": {
        "cdrs": "SENDER",
        "commands": "RECEIVER",
        "credentials": "SENDER",
        "locations": "SENDER",
        "sessions": "SENDER",
        "tariffs": "SENDER",
        "tokens": "RECEIVER",
    },
    "EMSP": {
        "cdrs": "RECEIVER",
        "commands": "SENDER",
        "credentials": "SENDER",
        "locations": "RECEIVER",
        "sessions": "RECEIVER",
        "tariffs": "RECEIVER",
        "tokens": "SENDER",
    },
}


# ---------------------------------------------------------------------------
# Derivations, 2.1.1 -> 2.2.1
# ---------------------------------------------------------------------------


def _parking_type(src: View, env: Env) -> Any:
    value = src.get("type")
    if value is MISSING:
        return MISSING
    mapped = LOCATION_TYPES.get(value)
    if mapped is not None:
        return src.take("type")
    if value == "OTHER":
        src.lose("type", "2.2.1 ParkingType has no OTHER: parking_type is left out")
    else:
        src.use("type")  # UNKNOWN: an absent 2.2.1 parking_type says the same
    return MISSING


def _pick(src: View, env: Env, items: str, key: str, context_key: str, what: str) -> int | None:
    """The index of the one item of a list, or the one the context names (None: not found)."""
    values = src.get(items)
    if not isinstance(values, list) or not values:
        raise Unfit(f"the embedded location holds no {what}: 2.2.1 needs the one used")
    if len(values) == 1:
        return 0
    wanted = env.ctx(context_key)
    if wanted is MISSING:
        return None
    for i, item in enumerate(values):
        if isinstance(item, dict) and str(item.get(key, "")).lower() == str(wanted).lower():
            return i
    raise Unfit(f"context[{context_key!r}] = {wanted!r} names no {what} of the embedded location")


def _evse_connector(src: View, env: Env) -> tuple[str, str] | None:
    """Relative paths of the EVSE and Connector a 2.1.1 Session/CDR location singles out."""
    e = _pick(src, env, "location/evses", "uid", "evse_uid", "EVSE")
    if e is None:
        return None
    evse = f"location/evses/{e}"
    c = _pick(src, env, f"{evse}/connectors", "id", "connector_id", "Connector")
    if c is None:
        return None
    return evse, f"{evse}/connectors/{c}"


def _location_ref(field: str) -> Any:
    def fn(src: View, env: Env) -> Any:
        if field == "location_id":
            return src.take("location/id")
        found = _evse_connector(src, env)
        if found is None:
            return MISSING
        evse, connector = found
        return src.take(f"{evse}/uid") if field == "evse_uid" else src.take(f"{connector}/id")

    return fn


def _cdr_token(src: View, env: Env) -> Any:
    # OCPI 2.2.1 mod_cdrs CdrToken: contract_id is what 2.1.1 called auth_id; uid and type are new.
    return {
        "country_code": env.ctx("token_country_code"),
        "party_id": env.ctx("token_party_id"),
        "uid": env.ctx("token_uid"),
        "type": env.ctx("token_type"),
        "contract_id": src.take("auth_id"),
    }


def _cdr_location(src: View, env: Env) -> Any:
    # OCPI 2.1.1 mod_cdrs: the CDR location includes only the relevant EVSE and Connector.
    out: dict[str, Any] = {
        f: src.take(f"location/{f}")
        for f in ("id", "name", "address", "city", "postal_code", "country", "coordinates")
    }
    found = _evse_connector(src, env)
    if found is None:
        return MISSING
    evse, connector = found
    out["evse_uid"] = src.take(f"{evse}/uid")
    out["evse_id"] = src.take(f"{evse}/evse_id") if src.has(f"{evse}/evse_id") else env.ctx("evse_id")
    out["connector_id"] = src.take(f"{connector}/id")
    for f in ("standard", "format", "power_type"):
        out[f"connector_{f}"] = src.take(f"{connector}/{f}")
    return out


def _excl_vat(src: View, env: Env) -> Any:
    # OCPI 2.1.1 mod_cdrs / mod_sessions: total_cost excludes VAT.
    return {"excl_vat": src.take("total_cost")}


def _credentials_roles(src: View, env: Env) -> Any:
    return [
        {
            "role": env.ctx("role"),
            "business_details": src.take("business_details"),
            "party_id": src.take("party_id"),
            "country_code": src.take("country_code"),
        }
    ]


def _interface_role(src: View, env: Env) -> Any:
    role = env.ctx("role")
    if role is MISSING:
        return MISSING
    roles = INTERFACE_ROLES.get(str(role))
    if roles is None:
        raise Unfit(f"context['role'] = {role!r}: interface roles are known for CPO and EMSP parties only")
    return roles.get(str(src.get("identifier")), MISSING)


def _twentyfourseven(src: View, env: Env) -> Any:
    # OCPI 2.1.1 mod_locations Hours: a choice of regular_hours or twentyfourseven; 2.2.1 requires the flag.
    return src.take("twentyfourseven") if src.has("twentyfourseven") else False


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


_LOCATION_LOST = (
    "a 2.2.1 {what} refers to its Location by id (location_id, evse_uid, connector_id): "
    "the rest of the embedded 2.1.1 Location is not carried"
)
_CDR_LOCATION_LOST = (
    "a 2.2.1 CdrLocation holds the Location's id, name, address and coordinates and the one EVSE and "
    "Connector used: the rest of the embedded 2.1.1 Location is not carried"
)
_TOKEN_NEEDS = ("token_country_code", "token_party_id", "token_uid", "token_type")
# OCPI 2.2.1 transport_and_format: a PATCH body carries last_updated; a 2.1.1 one need not.
_PATCH_STAMP = fill(
    "last_updated",
    "last_updated",
    "a 2.1.1 PATCH body may omit last_updated, a 2.2.1 one carries it: context['last_updated']",
    patch=True,
)

TABLES: tuple[Table, ...] = (
    # ---- up: 2.1.1 -> 2.2.1 ----
    table(
        "Location",
        *UP,
        _PATCH_STAMP,
        context("country_code", "country_code", _OWNER_CC),
        context("party_id", "party_id", _OWNER_PID),
        default("publish", True, "2.1.1 has no publish flag: every Location it carries is public"),
        derive(
            "parking_type",
            ["type"],
            _parking_type,
            "the 2.1.1 LocationType, which names the same kinds of parking (UNKNOWN: left out)",
            lost="2.2.1 ParkingType has no OTHER: parking_type is left out",
        ),
        fill("time_zone", "time_zone", "required from 2.2.1: the 2.1.1 value, else context['time_zone']"),
    ),
    table(
        "Connector",
        *UP,
        _PATCH_STAMP,
        rename("voltage", "max_voltage"),
        rename("amperage", "max_amperage"),
        derive(
            "tariff_ids",
            ["tariff_id"],
            lambda s, e: [s.take("tariff_id")],
            "the one 2.1.1 tariff_id as a list",
        ),
    ),
    table("EVSE", *UP, _PATCH_STAMP),
    table(
        "Hours",
        *UP,
        derive(
            "twentyfourseven",
            ["twentyfourseven"],
            _twentyfourseven,
            "false when 2.1.1 gives regular_hours instead (2.2.1 requires the flag)",
        ),
    ),
    table("EnvironmentalImpact", *UP, rename("source", "category")),
    table(
        "AuthorizationInfo",
        *UP,
        derive(
            "token",
            [],
            lambda s, e: e.ctx_object("token", "Token"),
            "context['token'] (the Token the answer is about), converted to 2.2.1",
            needs=("token",),
        ),
    ),
    table(
        "LocationReferences",
        *UP,
        drop("connector_ids", "2.2.1 LocationReferences name Locations and EVSEs, not Connectors"),
    ),
    table(
        "Tariff",
        *UP,
        context("country_code", "country_code", _OWNER_CC),
        context("party_id", "party_id", _OWNER_PID),
    ),
    table(
        "Token",
        *UP,
        _PATCH_STAMP,
        context("country_code", "country_code", _OWNER_CC),
        context("party_id", "party_id", _OWNER_PID),
        rename("auth_id", "contract_id"),
    ),
    table(
        "Session",
        *UP,
        _PATCH_STAMP,
        context("country_code", "country_code", _OWNER_CC),
        context("party_id", "party_id", _OWNER_PID),
        rename("start_datetime", "start_date_time"),
        rename("end_datetime", "end_date_time"),
        derive(
            "cdr_token",
            ["auth_id"],
            _cdr_token,
            "contract_id from auth_id; uid, type, country_code and party_id of the token from context",
            needs=_TOKEN_NEEDS,
        ),
        derive(
            "location_id",
            ["location"],
            _location_ref("location_id"),
            "the id of the embedded Location",
            lost=_LOCATION_LOST.format(what="Session"),
        ),
        derive(
            "evse_uid",
            ["location"],
            _location_ref("evse_uid"),
            "the uid of the embedded Location's one EVSE (context['evse_uid'] when it holds several)",
            needs=("evse_uid",),
            lost=_LOCATION_LOST.format(what="Session"),
        ),
        derive(
            "connector_id",
            ["location"],
            _location_ref("connector_id"),
            "the id of that EVSE's one Connector (context['connector_id'] when it has several)",
            needs=("connector_id",),
            lost=_LOCATION_LOST.format(what="Session"),
        ),
        derive("total_cost", ["total_cost"], _excl_vat, "the 2.1.1 amount (excl. VAT) as Price.excl_vat"),
    ),
    table(
        "CDR",
        *UP,
        context("country_code", "country_code", _OWNER_CC),
        context("party_id", "party_id", _OWNER_PID),
        rename("stop_date_time", "end_date_time"),
        derive(
            "cdr_token",
            ["auth_id"],
            _cdr_token,
            "contract_id from auth_id; uid, type, country_code and party_id of the token from context",
            needs=_TOKEN_NEEDS,
        ),
        derive(
            "cdr_location",
            ["location"],
            _cdr_location,
            "the embedded Location's id, name, address and coordinates, and its one EVSE and Connector "
            "(context['evse_uid'], ['connector_id'] when there are several; ['evse_id'] when the EVSE "
            "has none)",
            needs=("evse_uid", "connector_id", "evse_id"),
            lost=_CDR_LOCATION_LOST,
        ),
        derive("total_cost", ["total_cost"], _excl_vat, "the 2.1.1 amount (excl. VAT) as Price.excl_vat"),
    ),
    table(
        "Credentials",
        *UP,
        derive(
            "roles",
            ["business_details", "party_id", "country_code"],
            _credentials_roles,
            "one CredentialsRole from the 2.1.1 party's business details, party ID and country code; "
            "its role from context['role']",
            needs=("role",),
        ),
    ),
    table(
        "CommandResponse",
        *UP,
        context("timeout", "timeout", "seconds the sender waits for the result, from context['timeout']"),
    ),
    table(
        "ReserveNow",
        *UP,
        derive(
            "reservation_id",
            ["reservation_id"],
            lambda s, e: str(s.use("reservation_id")),
            "the 2.1.1 integer written as text",
        ),
    ),
    table("Version", *UP, override("version", "version", "context['version'] replaces the version number")),
    table(
        "VersionDetails",
        *UP,
        override("version", "version", "context['version'] replaces the version number"),
    ),
    table(
        "Endpoint",
        *UP,
        derive(
            "role",
            [],
            _interface_role,
            "the interface a party of context['role'] (CPO or EMSP) offers for the module",
            needs=("role",),
        ),
    ),
    # ---- down: 2.2.1 -> 2.1.1 ----
    table(
        "Location",
        *DOWN,
        drop("country_code", _NO_OWNER),
        drop("party_id", _NO_OWNER),
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
        drop("country_code", _NO_OWNER),
        drop("party_id", _NO_OWNER),
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
        drop("country_code", _NO_OWNER),
        drop("party_id", _NO_OWNER),
        rename("contract_id", "auth_id"),
        drop("group_id", "2.1.1 Tokens have no group id"),
        drop("default_profile_type", "2.1.1 has no smart-charging profiles"),
        drop("energy_contract", "2.1.1 Tokens have no energy contract"),
    ),
    table("ChargingPeriod", *DOWN, drop("tariff_id", "2.1.1 charging periods do not name a tariff")),
    table(
        "Session",
        *DOWN,
        drop("country_code", _NO_OWNER),
        drop("party_id", _NO_OWNER),
        rename("start_date_time", "start_datetime"),
        rename("end_date_time", "end_datetime"),
        derive(
            "auth_id",
            ["cdr_token"],
            _auth_id,
            "the token's contract_id",
            lost="2.1.1 Sessions identify the token by its contract id (auth_id) only",
        ),
        drop("authorization_reference", "2.1.1 has no authorization reference"),
        derive(
            "location",
            ["location_id", "evse_uid", "connector_id"],
            _session_location,
            "context['location'] (the Location of the session), narrowed to its EVSE and Connector",
            needs=("location",),
        ),
        derive(
            "total_cost",
            ["total_cost"],
            _number_total,
            "Price.excl_vat (2.1.1 amounts exclude VAT)",
            lost="2.1.1 amounts exclude VAT: the amount incl. VAT is not carried",
        ),
    ),
    table(
        "CDR",
        *DOWN,
        drop("country_code", _NO_OWNER),
        drop("party_id", _NO_OWNER),
        rename("end_date_time", "stop_date_time"),
        drop("session_id", "2.1.1 CDRs do not name their Session"),
        derive(
            "auth_id",
            ["cdr_token"],
            _auth_id,
            "the token's contract_id",
            lost="2.1.1 CDRs identify the token by its contract id (auth_id) only",
        ),
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
        derive(
            "total_cost",
            ["total_cost"],
            _number_total,
            "Price.excl_vat (2.1.1 amounts exclude VAT)",
            lost="2.1.1 amounts exclude VAT: the amount incl. VAT is not carried",
        ),
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
