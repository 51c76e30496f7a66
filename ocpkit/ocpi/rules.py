"""OCPI spec rules: the "must" and value statements of the object tables that the models do not enforce.

Theory of operation: :data:`RULES` is the table, one :class:`~ocpkit.findings.SpecRule`
per statement (id, versions, the section of the text, a one-line statement in
our words, severity). Each rule has a checker in ``_CHECKS``, keyed by rule id.
The checkers do not know the model classes: :func:`check` walks the object
(a parsed model, a list of them, or plain decoded JSON) and hands every
JSON object in it to the checkers as a node (its JSON pointer, the name of the
field holding it, its fields by wire name). A checker recognises the objects
it is about by their fields (an EnergySource has ``source`` and
``percentage``) and yields (pointer, message) pairs; it never raises, and a
value of the wrong type is left to the models.

:func:`check` never raises on content. Strict :func:`ocpkit.ocpi.parse` refuses
the findings of the ``error`` rules (the unambiguous ones: IANA zones, ranges,
orderings, ISO codes), as violations with status code 2001; a lenient parse
reports them among ``violations``, and the findings of the ``warning`` rules
(the eMI3 form of an EVSE id, markup in a text) among ``warnings``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from ocpkit.errors import OcpkitError, Violation
from ocpkit.findings import Finding, Severity, SpecRule
from ocpkit.ocpi._codes import COUNTRY_ALPHA2, COUNTRY_ALPHA3, CURRENCIES, LANGUAGES

__all__ = ["RULES", "check", "rule", "rule_violations"]

_ALL = ("2.1.1", "2.2.1", "2.3.0")
_NEW = ("2.2.1", "2.3.0")
W = Severity.WARNING


def _r(
    id_: str, versions: tuple[str, ...], section: str, statement: str, severity: Severity = Severity.ERROR
) -> SpecRule:
    return SpecRule("ocpi." + id_, "ocpi", versions, section, statement, severity)


RULES: tuple[SpecRule, ...] = (
    _r(
        "location.time-zone",
        _ALL,
        "mod_locations: Location object, time_zone",
        "time_zone is a zone name of the IANA tz database, such as Europe/Oslo",
    ),
    _r(
        "location.country",
        _ALL,
        "mod_locations: Location object, country",
        "country is an ISO 3166-1 alpha-3 country code",
    ),
    _r(
        "location.publish-allowed-to",
        _NEW,
        "mod_locations: Location object, publish_allowed_to",
        "publish_allowed_to is only given when publish is false",
    ),
    _r(
        "evse.evse-id",
        _ALL,
        "mod_locations: EVSE object, evse_id",
        "evse_id follows the eMI3 EVSE ID form <country>*<operator>*E<outlet>",
        W,
    ),
    _r(
        "connector.max-voltage",
        _ALL,
        "mod_locations: Connector object, max_voltage (2.1.1: voltage)",
        "the connector voltage is greater than zero",
    ),
    _r(
        "connector.max-amperage",
        _ALL,
        "mod_locations: Connector object, max_amperage (2.1.1: amperage)",
        "the connector amperage is greater than zero",
    ),
    _r(
        "connector.max-electric-power",
        _NEW,
        "mod_locations: Connector object, max_electric_power",
        "max_electric_power is greater than zero",
    ),
    _r(
        "geo.latitude",
        _ALL,
        "mod_locations: GeoLocation class, latitude",
        "latitude is decimal degrees with a point, 5 to 7 decimals, between -90 and 90",
    ),
    _r(
        "geo.longitude",
        _ALL,
        "mod_locations: GeoLocation class, longitude",
        "longitude is decimal degrees with a point, 5 to 7 decimals, between -180 and 180",
    ),
    _r(
        "regular-hours.weekday",
        _ALL,
        "mod_locations: RegularHours class, weekday",
        "weekday is a number from 1 (Monday) to 7 (Sunday)",
    ),
    _r(
        "regular-hours.order",
        _ALL,
        "mod_locations: RegularHours class, period_end",
        "period_end is later than period_begin",
    ),
    _r(
        "exceptional-period.order",
        _ALL,
        "mod_locations: ExceptionalPeriod class",
        "an exceptional period does not end before it begins",
    ),
    _r(
        "energy-source.percentage",
        _ALL,
        "mod_locations: EnergySource class, percentage",
        "an energy source percentage lies between 0 and 100",
    ),
    _r(
        "display-text.language",
        _ALL,
        "types: DisplayText class, language",
        "language is an ISO 639-1 language code",
    ),
    _r(
        "display-text.markup",
        _ALL,
        "types: DisplayText class, text",
        "text is plain: no HTML or other markup",
        W,
    ),
    _r(
        "country-code",
        _ALL,
        "credentials / mod_locations / mod_tokens: country_code",
        "country_code is an ISO 3166-1 alpha-2 country code",
    ),
    _r(
        "party-id",
        _ALL,
        "credentials / mod_locations / mod_tokens: party_id",
        "party_id is three letters or digits (the ISO 15118 operator id)",
    ),
    _r(
        "currency",
        _ALL,
        "mod_tariffs: Tariff, mod_cdrs: CDR, mod_sessions: Session, currency",
        "currency is an ISO 4217 currency code",
    ),
    _r(
        "tariff.validity",
        _NEW,
        "mod_tariffs: Tariff object, start_date_time / end_date_time",
        "a tariff stops being valid after it becomes active",
    ),
    _r(
        "price-component.step-size",
        _ALL,
        "mod_tariffs: PriceComponent class, step_size",
        # A warning: the official free-of-charge tariff examples (2.1.1 text, 2.2.1/2.3.0 tariff_5) use 0.
        "step_size, the block a dimension is billed in, is greater than zero",
        W,
    ),
    _r(
        "price-component.vat",
        _NEW,
        "mod_tariffs: PriceComponent class, vat",
        "vat is a percentage between 0 and 100",
    ),
    _r(
        "restrictions.kwh",
        _ALL,
        "mod_tariffs: TariffRestrictions class, min_kwh / max_kwh",
        "min_kwh is not greater than max_kwh, neither is negative",
    ),
    _r(
        "restrictions.current",
        _ALL,
        "mod_tariffs: TariffRestrictions class, min_current / max_current",
        "min_current is not greater than max_current, neither is negative",
    ),
    _r(
        "restrictions.power",
        _ALL,
        "mod_tariffs: TariffRestrictions class, min_power / max_power",
        "min_power is not greater than max_power, neither is negative",
    ),
    _r(
        "restrictions.duration",
        _ALL,
        "mod_tariffs: TariffRestrictions class, min_duration / max_duration",
        "min_duration is not greater than max_duration, neither is negative",
    ),
    _r(
        "restrictions.dates",
        _ALL,
        "mod_tariffs: TariffRestrictions class, start_date / end_date",
        "start_date and end_date are YYYY-MM-DD dates and start_date comes before end_date",
    ),
    _r(
        "cdr.period",
        _ALL,
        "mod_cdrs: CDR object, start_date_time / end_date_time (2.1.1: stop_date_time)",
        "a CDR does not end before it starts",
    ),
    _r(
        "session.period",
        _ALL,
        "mod_sessions: Session object, start_date_time / end_date_time",
        "a session does not end before it starts",
    ),
    _r(
        "charging-periods.order",
        _ALL,
        "mod_cdrs: ChargingPeriod class, start_date_time",
        "the charging periods of a CDR or session start in ascending order",
    ),
)
"""Every OCPI spec rule, in the order of the text (locations, types, tariffs, CDRs, sessions)."""

_BY_ID: dict[str, SpecRule] = {r.id: r for r in RULES}


def rule(rule_id: str) -> SpecRule:
    """The rule with *rule_id* (``"ocpi.location.time-zone"``); raises OcpkitError for an unknown id."""
    try:
        return _BY_ID[rule_id]
    except KeyError:
        raise OcpkitError(f"no OCPI spec rule {rule_id!r}") from None


@dataclass(frozen=True, slots=True)
class _Node:
    path: str
    key: str
    fields: Mapping[str, Any]

    def at(self, name: str) -> str:
        return f"{self.path}/{name}"


Hit = Iterator[tuple[str, str]]


# -- value helpers: None for anything of the wrong type (the models report those) ---------------------


def _num(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def _dt(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        out = value
    elif isinstance(value, str):
        try:
            out = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    # No designator means UTC (OCPI types: DateTime); comparing aware with naive would raise.
    return out if out.tzinfo is not None else out.replace(tzinfo=UTC)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return str(value)
    enum_value = getattr(value, "value", None)
    return enum_value if isinstance(enum_value, str) else None


# -- IANA zone names ---------------------------------------------------------------------------------


@functools.cache
def _zones() -> frozenset[str]:
    """The IANA zone names of the stdlib tz database, computed once; empty when the system has none."""
    try:
        import zoneinfo

        return frozenset(zoneinfo.available_timezones())
    except Exception:  # no database at all: _is_zone falls back to the syntax of a zone name
        return frozenset()


_ZONE_SYNTAX = re.compile(r"(?:[A-Za-z][A-Za-z0-9_+-]*)(?:/[A-Za-z0-9_+-]+)*", re.ASCII)


def _is_zone(name: str) -> bool:
    zones = _zones()
    if zones:
        return name in zones
    return bool(_ZONE_SYNTAX.fullmatch(name))


# -- checkers ----------------------------------------------------------------------------------------


def _time_zone(n: _Node) -> Hit:
    tz = _text(n.fields.get("time_zone"))
    if tz is not None and not _is_zone(tz):
        yield n.at("time_zone"), f"{tz!r} is not an IANA time zone name"


def _location_country(n: _Node) -> Hit:
    # Location and CdrLocation carry an address with an alpha-3 country.
    if "address" not in n.fields:
        return
    c = _text(n.fields.get("country"))
    if c is not None and c.upper() not in COUNTRY_ALPHA3:
        yield n.at("country"), f"{c!r} is not an ISO 3166-1 alpha-3 country code"


def _publish(n: _Node) -> Hit:
    allowed = n.fields.get("publish_allowed_to")
    if allowed and n.fields.get("publish") is True:
        yield n.at("publish_allowed_to"), "publish_allowed_to is given while publish is true"


_EMI3 = re.compile(r"[A-Za-z]{2}\*?[A-Za-z0-9]{3}\*?E[A-Za-z0-9][A-Za-z0-9*]{0,30}", re.ASCII)


def _evse_id(n: _Node) -> Hit:
    v = _text(n.fields.get("evse_id"))
    if v is not None and not _EMI3.fullmatch(v):
        yield n.at("evse_id"), f"{v!r} is not an eMI3 EVSE ID (<country>*<operator>*E<outlet>)"


def _is_connector(n: _Node) -> bool:
    return "standard" in n.fields and "power_type" in n.fields


def _positive(n: _Node, names: tuple[str, ...]) -> Hit:
    if not _is_connector(n):
        return
    for name in names:
        v = _num(n.fields.get(name))
        if v is not None and v <= 0:
            yield n.at(name), f"{name} is {v}; it must be greater than zero"


_LAT = re.compile(r"-?[0-9]{1,2}\.[0-9]{5,7}", re.ASCII)
_LON = re.compile(r"-?[0-9]{1,3}\.[0-9]{5,7}", re.ASCII)


def _coordinate(n: _Node, name: str, pattern: re.Pattern[str], limit: int) -> Hit:
    if "latitude" not in n.fields or "longitude" not in n.fields:
        return
    v = _text(n.fields.get(name))
    if v is None:
        return
    if not pattern.fullmatch(v):
        yield n.at(name), f"{v!r} is not decimal degrees with a point and 5 to 7 decimals"
    elif abs(Decimal(v)) > limit:
        yield n.at(name), f"{v} is outside -{limit}..{limit}"


def _weekday(n: _Node) -> Hit:
    if "period_begin" not in n.fields:
        return
    v = _num(n.fields.get("weekday"))
    if v is not None and not 1 <= v <= 7:
        yield n.at("weekday"), f"weekday {v} is not 1 (Monday) .. 7 (Sunday)"


_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)


def _regular_order(n: _Node) -> Hit:
    if "weekday" not in n.fields:
        return
    b, e = _text(n.fields.get("period_begin")), _text(n.fields.get("period_end"))
    if b and e and _HHMM.fullmatch(b) and _HHMM.fullmatch(e) and e <= b:
        yield n.at("period_end"), f"period_end {e} is not later than period_begin {b}"


def _exceptional_order(n: _Node) -> Hit:
    if "weekday" in n.fields:
        return
    b, e = _dt(n.fields.get("period_begin")), _dt(n.fields.get("period_end"))
    # The text gives no order; a period that ends before it begins is the one reading that is surely wrong.
    if b is not None and e is not None and e < b:
        yield n.at("period_end"), "the exceptional period ends before it begins"


def _percentage(n: _Node) -> Hit:
    if "source" not in n.fields:
        return
    v = _num(n.fields.get("percentage"))
    if v is not None and not 0 <= v <= 100:
        yield n.at("percentage"), f"percentage {v} is outside 0..100"


def _is_display_text(n: _Node) -> bool:
    return "language" in n.fields and "text" in n.fields


def _language(n: _Node) -> Hit:
    if not _is_display_text(n):
        return
    v = _text(n.fields.get("language"))
    if v is not None and v.lower() not in LANGUAGES:
        yield n.at("language"), f"{v!r} is not an ISO 639-1 language code"


_MARKUP = re.compile(
    r"<\s*/?\s*[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?\s*>|&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);"
)


def _markup(n: _Node) -> Hit:
    if not _is_display_text(n):
        return
    v = _text(n.fields.get("text"))
    if v is not None and _MARKUP.search(v):
        yield n.at("text"), "text contains markup (an HTML tag or entity)"


def _country_code(n: _Node) -> Hit:
    v = _text(n.fields.get("country_code"))
    if v is not None and v.upper() not in COUNTRY_ALPHA2:
        yield n.at("country_code"), f"{v!r} is not an ISO 3166-1 alpha-2 country code"


_PARTY = re.compile(r"[A-Za-z0-9]{3}", re.ASCII)


def _party_id(n: _Node) -> Hit:
    v = _text(n.fields.get("party_id"))
    if v is not None and not _PARTY.fullmatch(v):
        yield n.at("party_id"), f"party_id {v!r} is not three letters or digits"


def _currency(n: _Node) -> Hit:
    v = _text(n.fields.get("currency"))
    if v is not None and v.upper() not in CURRENCIES:
        yield n.at("currency"), f"{v!r} is not an ISO 4217 currency code"


def _order(n: _Node, begin: str, end: str, what: str, strict: bool = False) -> Hit:
    b, e = _dt(n.fields.get(begin)), _dt(n.fields.get(end))
    if b is not None and e is not None and (e <= b if strict else e < b):
        yield n.at(end), f"{end} is before {begin}: {what}"


def _tariff_validity(n: _Node) -> Hit:
    if n.key in ("tariff", "tariffs") or "elements" in n.fields:
        yield from _order(
            n, "start_date_time", "end_date_time", "the tariff ends before it starts", strict=True
        )


def _step_size(n: _Node) -> Hit:
    if "price" not in n.fields or "type" not in n.fields:
        return
    v = _num(n.fields.get("step_size"))
    if v is not None and v <= 0:
        yield n.at("step_size"), f"step_size {v} is not greater than zero"


def _vat(n: _Node) -> Hit:
    if "step_size" not in n.fields:
        return
    v = _num(n.fields.get("vat"))
    if v is not None and not 0 <= v <= 100:
        yield n.at("vat"), f"vat {v} is outside 0..100"


def _min_max(n: _Node, low: str, high: str) -> Hit:
    lo, hi = _num(n.fields.get(low)), _num(n.fields.get(high))
    for name, v in ((low, lo), (high, hi)):
        if v is not None and v < 0:
            yield n.at(name), f"{name} {v} is negative"
    if lo is not None and hi is not None and lo > hi:
        yield n.at(high), f"{low} {lo} is greater than {high} {hi}"


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _date(n: _Node, name: str) -> tuple[date | None, str | None]:
    v = _text(n.fields.get(name))
    if v is None:
        return None, None
    if not _DATE.fullmatch(v):
        return None, f"{name} {v!r} is not a YYYY-MM-DD date"
    try:
        return date.fromisoformat(v), None
    except ValueError:
        return None, f"{name} {v!r} is not a calendar date"


def _dates(n: _Node) -> Hit:
    if "start_date" not in n.fields and "end_date" not in n.fields:
        return
    if "elements" in n.fields:  # a Tariff, not its restrictions
        return
    start, bad_start = _date(n, "start_date")
    end, bad_end = _date(n, "end_date")
    if bad_start:
        yield n.at("start_date"), bad_start
    if bad_end:
        yield n.at("end_date"), bad_end
    if start is not None and end is not None and end <= start:
        # end_date is excluded from the validity: an equal date leaves no day at all.
        yield n.at("end_date"), f"end_date {end} is not after start_date {start}"


def _kind(n: _Node) -> str:
    """``"cdr"``, ``"session"`` or ``""``: by the name the object was given, else by its fields."""
    if n.key in ("cdr", "cdrs"):
        return "cdr"
    if n.key in ("session", "sessions"):
        return "session"
    if "total_energy" in n.fields:  # CDR: total_energy, Session: kwh (both versions)
        return "cdr"
    return "session" if "kwh" in n.fields else ""


def _cdr_period(n: _Node) -> Hit:
    if _kind(n) == "cdr":
        end = "stop_date_time" if "stop_date_time" in n.fields else "end_date_time"
        yield from _order(n, "start_date_time", end, "the CDR ends before it starts")


def _session_period(n: _Node) -> Hit:
    if _kind(n) != "session":
        return
    if "start_datetime" in n.fields:
        yield from _order(n, "start_datetime", "end_datetime", "the session ends before it starts")
    else:
        yield from _order(n, "start_date_time", "end_date_time", "the session ends before it starts")


def _charging_periods(n: _Node) -> Hit:
    periods = n.fields.get("charging_periods")
    if not isinstance(periods, list):
        return
    last: datetime | None = None
    for i, p in enumerate(periods):
        fields = _fields_of(p)
        t = _dt(fields.get("start_date_time")) if fields is not None else None
        if t is None:
            continue
        if last is not None and t < last:
            yield (
                f"{n.path}/charging_periods/{i}/start_date_time",
                "a charging period starts before the one before it",
            )
        last = t


_CHECKS: dict[str, Callable[[_Node], Hit]] = {
    "ocpi.location.time-zone": _time_zone,
    "ocpi.location.country": _location_country,
    "ocpi.location.publish-allowed-to": _publish,
    "ocpi.evse.evse-id": _evse_id,
    "ocpi.connector.max-voltage": lambda n: _positive(n, ("max_voltage", "voltage")),
    "ocpi.connector.max-amperage": lambda n: _positive(n, ("max_amperage", "amperage")),
    "ocpi.connector.max-electric-power": lambda n: _positive(n, ("max_electric_power",)),
    "ocpi.geo.latitude": lambda n: _coordinate(n, "latitude", _LAT, 90),
    "ocpi.geo.longitude": lambda n: _coordinate(n, "longitude", _LON, 180),
    "ocpi.regular-hours.weekday": _weekday,
    "ocpi.regular-hours.order": _regular_order,
    "ocpi.exceptional-period.order": _exceptional_order,
    "ocpi.energy-source.percentage": _percentage,
    "ocpi.display-text.language": _language,
    "ocpi.display-text.markup": _markup,
    "ocpi.country-code": _country_code,
    "ocpi.party-id": _party_id,
    "ocpi.currency": _currency,
    "ocpi.tariff.validity": _tariff_validity,
    "ocpi.price-component.step-size": _step_size,
    "ocpi.price-component.vat": _vat,
    "ocpi.restrictions.kwh": lambda n: _min_max(n, "min_kwh", "max_kwh"),
    "ocpi.restrictions.current": lambda n: _min_max(n, "min_current", "max_current"),
    "ocpi.restrictions.power": lambda n: _min_max(n, "min_power", "max_power"),
    "ocpi.restrictions.duration": lambda n: _min_max(n, "min_duration", "max_duration"),
    "ocpi.restrictions.dates": _dates,
    "ocpi.cdr.period": _cdr_period,
    "ocpi.session.period": _session_period,
    "ocpi.charging-periods.order": _charging_periods,
}


# A checker only looks at an object holding one of its fields: the walk skips the others cheaply.
_TRIGGERS: dict[str, frozenset[str]] = {
    "ocpi.location.time-zone": frozenset({"time_zone"}),
    "ocpi.location.country": frozenset({"country"}),
    "ocpi.location.publish-allowed-to": frozenset({"publish_allowed_to"}),
    "ocpi.evse.evse-id": frozenset({"evse_id"}),
    "ocpi.connector.max-voltage": frozenset({"max_voltage", "voltage"}),
    "ocpi.connector.max-amperage": frozenset({"max_amperage", "amperage"}),
    "ocpi.connector.max-electric-power": frozenset({"max_electric_power"}),
    "ocpi.geo.latitude": frozenset({"latitude"}),
    "ocpi.geo.longitude": frozenset({"longitude"}),
    "ocpi.regular-hours.weekday": frozenset({"weekday"}),
    "ocpi.regular-hours.order": frozenset({"weekday"}),
    "ocpi.exceptional-period.order": frozenset({"period_begin"}),
    "ocpi.energy-source.percentage": frozenset({"percentage"}),
    "ocpi.display-text.language": frozenset({"language"}),
    "ocpi.display-text.markup": frozenset({"text"}),
    "ocpi.country-code": frozenset({"country_code"}),
    "ocpi.party-id": frozenset({"party_id"}),
    "ocpi.currency": frozenset({"currency"}),
    "ocpi.tariff.validity": frozenset({"end_date_time"}),
    "ocpi.price-component.step-size": frozenset({"step_size"}),
    "ocpi.price-component.vat": frozenset({"vat"}),
    "ocpi.restrictions.kwh": frozenset({"min_kwh", "max_kwh"}),
    "ocpi.restrictions.current": frozenset({"min_current", "max_current"}),
    "ocpi.restrictions.power": frozenset({"min_power", "max_power"}),
    "ocpi.restrictions.duration": frozenset({"min_duration", "max_duration"}),
    "ocpi.restrictions.dates": frozenset({"start_date", "end_date"}),
    "ocpi.cdr.period": frozenset({"end_date_time", "stop_date_time"}),
    "ocpi.session.period": frozenset({"end_date_time", "end_datetime"}),
    "ocpi.charging-periods.order": frozenset({"charging_periods"}),
}


@functools.cache
def _rules_of(version: str) -> tuple[tuple[SpecRule, frozenset[str], Callable[[_Node], Hit]], ...]:
    return tuple((r, _TRIGGERS[r.id], _CHECKS[r.id]) for r in RULES if version in r.versions)


# -- the walk ----------------------------------------------------------------------------------------


@functools.cache
def _wire_names(cls: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    return tuple((attr, info.alias or attr) for attr, info in cls.model_fields.items())


def _fields_of(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, BaseModel):
        out: dict[str, Any] = {}
        given = value.model_fields_set
        for attr, wire in _wire_names(type(value)):
            if attr in given:
                out[wire] = getattr(value, attr, None)
        for k, v in (value.model_extra or {}).items():
            out.setdefault(str(k), v)
        return out
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    return None


_CONTAINERS = (BaseModel, dict, list, tuple)


def _nodes(value: Any, path: str, key: str) -> Iterator[_Node]:
    """Every JSON object in *value*, in document order, each with its pointer and the field holding it."""
    stack: list[tuple[Any, str, str, int]] = [(value, path, key, 0)]
    while stack:
        value, path, key, depth = stack.pop()
        if depth > 64:  # deeper than any OCPI object: leave it to the models
            continue
        if isinstance(value, list | tuple):
            stack += [(item, f"{path}/{i}", key, depth + 1) for i, item in reversed(list(enumerate(value)))]
            continue
        fields = _fields_of(value)
        if fields is None:
            continue
        yield _Node(path, key, fields)
        children = [(n, c) for n, c in fields.items() if isinstance(c, _CONTAINERS)]
        for name, child in reversed(children):
            stack.append((child, path + "/" + name.replace("~", "~0").replace("/", "~1"), name, depth + 1))


_ROOT_KEYS = {
    "cdr": "cdr",
    "session": "session",
    "tariff": "tariff",
    "location": "location",
    "tariffrestrictions": "restrictions",
}


def _findings(version: str, name: str, obj: Any, prefix: str = "") -> list[tuple[SpecRule, str, str]]:
    key = _ROOT_KEYS.get(str(name).lower().removesuffix("partial"), str(name).lower())
    rules = _rules_of(version)
    out: list[tuple[SpecRule, str, str]] = []
    if not rules:
        return out
    for node in _nodes(obj, prefix, key):
        for r, triggers, fn in rules:
            if triggers.isdisjoint(node.fields):
                continue
            try:
                out += [(r, p, m) for p, m in fn(node)]
            except (ArithmeticError, InvalidOperation, ValueError, TypeError, AttributeError):
                continue  # a value the checker cannot read: the models report it
    return out


def check(version: str, name: str, obj: Any) -> list[Finding]:
    """Run the spec rules of *version* over *obj* (a model, a list of models, or decoded JSON) named *name*.

    Returns one :class:`~ocpkit.findings.Finding` per broken rule, its ``ref``
    the JSON pointer of the offending value and its subject the object name.
    Never raises: an unknown version gives no findings, and values of the
    wrong type are left to the models.
    """
    try:
        return [r.finding(m, str(name), p) for r, p, m in _findings(str(version), str(name), obj)]
    except (RecursionError, ArithmeticError, ValueError, TypeError, AttributeError):
        return []


def rule_violations(
    version: str, name: str, obj: Any, prefix: str = ""
) -> tuple[list[Violation], list[Violation]]:
    """(errors, warnings) of the spec rules as OCPI violations; keyword the rule code, errors status 2001."""
    from ocpkit.ocpi._violations import status_of_rule

    errors: list[Violation] = []
    warnings: list[Violation] = []
    try:
        found = _findings(str(version), str(name), obj, prefix)
    except RecursionError:
        return errors, warnings
    for r, p, m in found:
        if r.severity is Severity.ERROR:
            errors.append(Violation(p, r.code, m, str(status_of_rule(r.code))))
        else:
            warnings.append(Violation(p, r.code, m))
    return errors, warnings
