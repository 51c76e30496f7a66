"""The conversion tables from OCPI 2.1.1 to 2.2.1.

Theory of operation: one :class:`~ocpkit.ocpi.conversion._rules.Table` per class
that changes going up from 2.1.1; classes and fields not named here carry over
unchanged (their limits are checked by the engine's second pass). 2.2.1 adds the
owner of each object, references Locations by id from Sessions and CDRs, and
moves costs into ``Price``: what 2.1.1 cannot say comes from the caller's
context. The derivation functions below each build one target field from the
source object and cite the part of the texts they rely on.
"""

from __future__ import annotations

from typing import Any

from ocpkit.ocpi.conversion._rules import (
    MISSING,
    Env,
    Table,
    Unfit,
    View,
    context,
    default,
    derive,
    drop,
    fill,
    override,
    rename,
    table,
)

__all__ = ["INTERFACE_ROLES", "LOCATION_TYPES", "TABLES"]

UP = ("2.1.1", "2.2.1")

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
# The tables
# ---------------------------------------------------------------------------

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

_CDR_TOKEN = derive(
    "cdr_token",
    ["auth_id"],
    _cdr_token,
    "contract_id from auth_id; uid, type, country_code and party_id of the token from context",
    needs=_TOKEN_NEEDS,
)
_TOTAL_COST = derive(
    "total_cost", ["total_cost"], _excl_vat, "the 2.1.1 amount (excl. VAT) as Price.excl_vat"
)
_OWNER = (
    context("country_code", "country_code", _OWNER_CC),
    context("party_id", "party_id", _OWNER_PID),
)

TABLES: tuple[Table, ...] = (
    table(
        "Location",
        *UP,
        _PATCH_STAMP,
        *_OWNER,
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
        *_OWNER,
    ),
    table(
        "Token",
        *UP,
        _PATCH_STAMP,
        *_OWNER,
        rename("auth_id", "contract_id"),
    ),
    table(
        "Session",
        *UP,
        _PATCH_STAMP,
        *_OWNER,
        rename("start_datetime", "start_date_time"),
        rename("end_datetime", "end_date_time"),
        _CDR_TOKEN,
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
        _TOTAL_COST,
    ),
    table(
        "CDR",
        *UP,
        *_OWNER,
        rename("stop_date_time", "end_date_time"),
        _CDR_TOKEN,
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
        _TOTAL_COST,
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
)
