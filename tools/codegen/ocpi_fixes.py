"""Hand-checked corrections and additions to the machine-extracted OCPI inventory.

The inventory (``shared/specs/ocpi/inventory/<version>.json``) was extracted from
the spec tables by a script. Every place where it disagrees with the spec text,
or misses something the text defines outside a tagged heading, is listed here
with the section that settles it. The generator applies these before writing
models; ``tests/ocpi/test_inventory.py`` checks that the models differ from the
inventory exactly where this file says so.

Each fix is ``(version, target, reason)`` plus the data of the change.
"""

from __future__ import annotations

from typing import Any

Field = tuple[str, str, str]

# (version, object, field) -> new (type, cardinality); reason.
CHANGE_FIELD: list[tuple[str, str, str, tuple[str, str], str]] = [
    (
        "2.1.1",
        "Hours",
        "twentyfourseven",
        ("boolean", "?"),
        "2.1.1 mod_locations Hours: 'Choice: one of two' rows; regular_hours or twentyfourseven, "
        "so neither is required on its own (the choice is checked by a model rule)",
    ),
    (
        "2.3.0_bookings",
        "BookingRequest",
        "tokens",
        ("BookingToken", "*"),
        "mod_bookings BookingRequest: the type links to the BookingToken class "
        "('BookingTokens' does not exist)",
    ),
    (
        "2.3.0_bookings",
        "Calendar",
        "available_timeslots",
        ("Timeslot", "+"),
        "mod_bookings Calendar: links to the Timeslot class (spelled 'TimeSlot' in the table)",
    ),
]

# (version, object, fields to add after the named one (None = at the end)); reason.
ADD_FIELDS: list[tuple[str, str, str | None, list[Field], str]] = [
    (
        "2.3.0_bookings",
        "CDR",
        "session_id",
        [("booking_id", "CiString(36)", "?")],
        "bookings core-changes-vs-v2.3.0.diff: CDR gains booking_id",
    ),
    (
        "2.3.0_bookings",
        "TariffRestrictions",
        "reservation",
        [("booking", "BookingRestrictionType", "?")],
        "bookings core-changes-vs-v2.3.0.diff: TariffRestrictions gains booking",
    ),
]

# New objects/classes/enums the inventory does not carry (no tagged heading in the text).
ADD_ITEMS: list[tuple[str, dict[str, Any], str]] = [
    (
        version,
        {
            "name": "VersionDetails",
            "kind": "object",
            "file": "version_information_endpoint",
            "fields": [("version", "VersionNumber", "1"), ("endpoints", "Endpoint", "+")],
        },
        f"{version} version_information_endpoint: the version details 'Data' table (version, endpoints)",
    )
    for version in ("2.1.1", "2.2.1", "2.3.0")
] + [
    (
        "2.3.0_bookings",
        {
            "name": "BookingRestrictionType",
            "kind": "enum",
            "file": "mod_tariffs",
            "values": ["BOOKING", "BOOKING_EXPIRES", "BOOKING_CANCELLATION_FEES", "BOOKING_OVERTIME"],
        },
        "bookings core-changes-vs-v2.3.0.diff: new enum BookingRestrictionType in mod_tariffs",
    ),
]

# (version, enum, values appended); reason.
ADD_ENUM_VALUES: list[tuple[str, str, list[str], str]] = [
    (
        "2.3.0_bookings",
        "CdrDimensionType",
        ["RESERVATION_EXPIRES", "RESERVATION_OVERTIME"],
        "bookings core-changes-vs-v2.3.0.diff: CdrDimensionType gains two values",
    ),
]

# Field rules that live in the description column (patterns, bounds), not in the type.
# (versions, object, field) -> keyword arguments for the type's metadata.
LAT_211 = r"^-?[0-9]{1,2}\.[0-9]{6}$"
LON_211 = r"^-?[0-9]{1,3}\.[0-9]{6}$"
LAT = r"^-?[0-9]{1,2}\.[0-9]{5,7}$"
LON = r"^-?[0-9]{1,3}\.[0-9]{5,7}$"
TIME_211 = r"^[0-2][0-9]:[0-5][0-9]$"
TIME = r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$"
DATE = r"^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
ALPHA2 = r"^[A-Za-z]{2}$"
ALPHA3 = r"^[A-Z]{3}$"
CURRENCY = r"^[A-Z]{3}$"
# ISO 639-1 codes are written lower case, but the spec only names the standard: accept either case.
LANGUAGE = r"^[A-Za-z]{2}$"

V211 = ("2.1.1",)
V22 = ("2.2.1", "2.3.0")
ALL = ("2.1.1", "2.2.1", "2.3.0")

# (versions, object or "*", field) -> metadata keywords; reason is the comment.
FIELD_RULES: list[tuple[tuple[str, ...], str, str, dict[str, Any]]] = [
    # OCPI mod_locations GeoLocation / AdditionalGeoLocation: regex in the description column.
    (V211, "*", "latitude", {"pattern": LAT_211}),
    (V211, "*", "longitude", {"pattern": LON_211}),
    (V22, "*", "latitude", {"pattern": LAT}),
    (V22, "*", "longitude", {"pattern": LON}),
    # RegularHours period_begin/period_end and TariffRestrictions start_time/end_time.
    (V211, "RegularHours", "period_begin", {"pattern": TIME_211}),
    (V211, "RegularHours", "period_end", {"pattern": TIME_211}),
    (V211, "TariffRestrictions", "start_time", {"pattern": TIME_211}),
    (V211, "TariffRestrictions", "end_time", {"pattern": TIME_211}),
    (V22, "RegularHours", "period_begin", {"pattern": TIME}),
    (V22, "RegularHours", "period_end", {"pattern": TIME}),
    (V22, "TariffRestrictions", "start_time", {"pattern": TIME}),
    (V22, "TariffRestrictions", "end_time", {"pattern": TIME}),
    (V22, "TariffRestrictions", "start_date", {"pattern": DATE}),
    (V22, "TariffRestrictions", "end_date", {"pattern": DATE}),
    # ISO 3166-1 alpha-2 (CiString(2)) party country codes; alpha-3 for addresses.
    (ALL, "*", "country_code", {"pattern": ALPHA2}),
    (ALL, "*", "country", {"pattern": ALPHA3}),
    # ISO 4217 currency codes.
    (ALL, "*", "currency", {"pattern": CURRENCY}),
    # DisplayText / Token language: ISO 639-1.
    (ALL, "*", "language", {"pattern": LANGUAGE}),
    # RegularHours weekday: 1 (Monday) to 7 (Sunday).
    (ALL, "RegularHours", "weekday", {"ge": 1, "le": 7}),
]

# Objects that a Receiver accepts PATCH for (the "PATCH" rows of each module's interface table).
PATCHABLE: dict[str, tuple[str, ...]] = {
    "2.1.1": ("Location", "EVSE", "Connector", "Session", "Token"),
    "2.2.1": ("Location", "EVSE", "Connector", "Session", "Token"),
    "2.3.0": (
        "Location",
        "EVSE",
        "Connector",
        "Session",
        "Token",
        "Terminal",
        "Booking",
        "BookingLocation",
        "Calendar",
    ),
}

# PATCH bodies that must carry last_updated: the modules whose PATCH method says so (2.2.1+
# Locations, Sessions, Tokens; Bookings). The Payments Terminal PATCH states no such rule.
PATCH_NEEDS_LAST_UPDATED: dict[str, tuple[str, ...]] = {
    "2.1.1": (),
    "2.2.1": ("Location", "EVSE", "Connector", "Session", "Token"),
    "2.3.0": ("Location", "EVSE", "Connector", "Session", "Token", "Booking", "BookingLocation", "Calendar"),
}

# Python class names where the spec name is not CapWords.
CLASS_NAMES: dict[str, str] = {
    "CDR": "Cdr",
    "EVSE": "Evse",
    "EVSEParking": "EvseParking",
    "EVSEPosition": "EvsePosition",
    "ModuleID": "ModuleId",
    "Financial Advice Confirmation": "FinancialAdviceConfirmation",
}

# Spec file -> module identifier (version_information_endpoint ModuleID, or a name for shared types).
MODULE_OF_FILE: dict[str, str] = {
    "credentials": "credentials",
    "mod_cdrs": "cdrs",
    "mod_commands": "commands",
    "mod_locations": "locations",
    "mod_sessions": "sessions",
    "mod_tariffs": "tariffs",
    "mod_tokens": "tokens",
    "mod_charging_profiles": "chargingprofiles",
    "mod_hub_client_info": "hubclientinfo",
    "mod_payments": "payments",
    "mod_bookings": "bookings",
    "types": "types",
    "version_information_endpoint": "versions",
}
