"""Normalised inputs of the tariff engine, and the tolerant readers that build them.

The engine in :mod:`ocpkit.tariffs` never looks at wire data. It works on the
frozen dataclasses defined here: a :class:`NTariff` (elements, components,
restrictions, price limits, tax mode) and a :class:`PricingInput` (start and
end of the session, currency, time zone, charging periods with their
dimensions, embedded tariffs).

The readers accept plain mappings in any of the three OCPI versions' shapes
(2.1.1 ``stop_date_time``/``location``, 2.2.1 ``cdr_location``, Sessions'
``start_datetime``/``end_datetime``) and anything with a pydantic-style
``model_dump``; ocpkit's own OCPI models are read off their attributes
instead, which gives what their dump would give, without dumping the rest.
They are deliberately lenient: a conformance CDR lacks most of the fields a
full CDR must carry, so only what pricing needs is required.
Whatever is missing or malformed among those raises :class:`PricingError` with
the JSON path of the offending value; no other exception escapes.

Numbers become :class:`~decimal.Decimal`. Strings and ints convert exactly;
a float (from ``json.loads`` without ``parse_float=Decimal``) converts through
its shortest ``repr``, which is the literal that was written in the JSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from ocpkit.errors import PricingError

__all__ = [
    "CONTEXT",
    "DIMENSIONS",
    "NComponent",
    "NElement",
    "NPeriod",
    "NRestrictions",
    "NTariff",
    "PriceLimit",
    "PricingInput",
    "as_mapping",
    "read_cdr",
    "read_tariff",
]

#: The context of every pricing operation: 28 significant digits, as Decimal's default.
#: :mod:`ocpkit.tariffs._rules` exports it; it is defined here because volumes read from
#: floats are kept, once worked out in it, for the CDRs that repeat them.
CONTEXT = Context(prec=28)

#: Tariff dimensions that the engine prices (OCPI TariffDimensionType, all versions).
DIMENSIONS = ("FLAT", "ENERGY", "TIME", "PARKING_TIME")

_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_ZERO = Decimal(0)
# OCPI 2.2.1 tariffs: TariffRestrictions start_time regex; 2.1.1 allowed 24:00-ish
# values ([0-2][0-9]) until its erratum, so the hour is range-checked separately.
_HHMM = re.compile(r"^([0-2][0-9]):([0-5][0-9])$")
_DATE = re.compile(r"^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


@dataclass(frozen=True, slots=True)
class PriceLimit:
    """A ``min_price``/``max_price``: amount before and (optionally) after tax."""

    excl: Decimal
    incl: Decimal | None


@dataclass(frozen=True, slots=True)
class NComponent:
    """One price component: dimension, unit price, VAT percentage, step size."""

    type: str
    price: Decimal
    vat: Decimal | None
    step_size: int
    index: int = 0


@dataclass(frozen=True, slots=True)
class NRestrictions:
    """Restrictions of one tariff element; ``None`` means "not restricted".

    Times of day are minutes after local midnight; ``end_time`` 0 is kept as 0
    and read as "end of the day" by the engine. Days of the week are
    ``date.weekday()`` numbers (Monday is 0).
    """

    start_time: int | None = None
    end_time: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: Decimal | None = None
    max_duration: Decimal | None = None
    day_of_week: frozenset[int] | None = None
    reservation: str | None = None


@dataclass(frozen=True, slots=True)
class NElement:
    """A tariff element: its components and its restrictions."""

    components: tuple[NComponent, ...]
    restrictions: NRestrictions


@dataclass(frozen=True, slots=True)
class NTariff:
    """A tariff reduced to what pricing needs."""

    id: str | None
    currency: str
    elements: tuple[NElement, ...]
    min_price: PriceLimit | None = None
    max_price: PriceLimit | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    tax_included: str | None = None
    warnings: tuple[str, ...] = ()


#: A charging period: its start (UTC), its dimensions (type -> volume, a type
#: listed twice is summed) and the 2.2.1+ ChargingPeriod ``tariff_id``, when given.
#: A plain tuple: a month of CDRs makes millions of them.
NPeriod = tuple[datetime, dict[str, Decimal], str | None]


class PricingInput:
    """A CDR or Session reduced to what pricing needs.

    ``ordered`` is true when the periods are in time order, ``reserved`` when
    one of them has a ``RESERVATION_TIME`` dimension (both worked out as the
    periods are read). ``synthesized`` is true when the input had no charging periods and one was
    built from a Session's ``kwh`` and its duration. ``raw_tariffs`` holds the
    CDR's own ``tariffs``: read by the ``embedded`` reader of :func:`read_cdr`
    when one was given, else as they came (they are needed only when no tariff
    is given).
    """

    __slots__ = (
        "country",
        "currency",
        "end",
        "ordered",
        "periods",
        "raw_tariffs",
        "reserved",
        "start",
        "synthesized",
        "time_zone",
    )

    def __init__(
        self,
        start: datetime,
        end: datetime,
        currency: str | None,
        country: str | None,
        time_zone: str | None,
        periods: list[NPeriod],
        raw_tariffs: object,
        synthesized: bool,
        ordered: bool = True,
        reserved: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.currency = currency
        self.country = country
        self.time_zone = time_zone
        self.periods = periods
        self.raw_tariffs = raw_tariffs
        self.synthesized = synthesized
        self.ordered = ordered
        self.reserved = reserved


def as_mapping(obj: object, what: str) -> Mapping[str, Any]:
    """Return ``obj`` as a mapping: itself, or its pydantic ``model_dump`` by alias."""
    if isinstance(obj, Mapping):
        return obj
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        try:
            # mode="python" keeps Decimal and datetime values as they are.
            dumped = dump(mode="python", by_alias=True, exclude_none=True)
        except Exception as exc:
            raise PricingError(f"{what}: model_dump() failed: {exc}") from exc
        if isinstance(dumped, Mapping):
            return dumped
    raise PricingError(f"{what}: expected a mapping or a pydantic model, got {type(obj).__name__}")


# --------------------------------------------------------------------------- scalars


def _decimal(value: object, path: str) -> Decimal:
    if isinstance(value, bool):
        raise PricingError(f"{path}: expected a number, got a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise PricingError(f"{path}: number is not finite")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except (InvalidOperation, ValueError) as exc:
            raise PricingError(f"{path}: not a number: {value[:40]!r}") from exc
    else:
        raise PricingError(f"{path}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise PricingError(f"{path}: number is not finite")
    # Bound the exponent so that no later arithmetic can overflow the context.
    if result != 0 and not -1000 < result.adjusted() < 1000:
        raise PricingError(f"{path}: number out of range")
    return result


def _opt_decimal(data: Mapping[str, Any], key: str, path: str) -> Decimal | None:
    value = data.get(key)
    return None if value is None else _decimal(value, f"{path}.{key}")


def _str(value: object, path: str) -> str:
    if isinstance(value, str):
        return str(value)
    raise PricingError(f"{path}: expected a string, got {type(value).__name__}")


def _datetime(value: object, path: str) -> datetime:
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" and text else text)
        except ValueError as exc:
            raise PricingError(f"{path}: not a date-time: {value[:40]!r}") from exc
    else:
        raise PricingError(f"{path}: expected a date-time, got {type(value).__name__}")
    # OCPI: a DateTime without offset is UTC.
    if result.tzinfo is None or result.utcoffset() is None:
        result = result.replace(tzinfo=UTC)
    try:
        return result.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise PricingError(f"{path}: date-time out of range") from exc


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise PricingError(f"{path}: expected an object, got {type(value).__name__}")


def _list(value: object, path: str) -> Sequence[Any]:
    if isinstance(value, list | tuple):
        return value
    raise PricingError(f"{path}: expected a list, got {type(value).__name__}")


def _first(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


# --------------------------------------------------------------------------- tariffs


def _time_of_day(value: object, path: str) -> int:
    text = _str(value, path)
    match = _HHMM.match(text)
    if match is None or int(match.group(1)) > 24 or (int(match.group(1)) == 24 and match.group(2) != "00"):
        raise PricingError(f"{path}: not a time of day HH:MM: {text[:20]!r}")
    # 2.1.1 texts before the erratum wrote midnight as 24:00; it means end of day.
    return (int(match.group(1)) * 60 + int(match.group(2))) % (24 * 60)


def _date(value: object, path: str) -> date:
    text = _str(value, path)
    if _DATE.match(text) is None:
        raise PricingError(f"{path}: not a date YYYY-MM-DD: {text[:20]!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise PricingError(f"{path}: not a date: {text!r}") from exc


def _restrictions(value: object, path: str) -> NRestrictions:
    if value is None:
        return NRestrictions()
    data = _mapping(value, path)
    days: frozenset[int] | None = None
    raw_days = data.get("day_of_week")
    if raw_days is not None:
        items = [raw_days] if isinstance(raw_days, str) else _list(raw_days, f"{path}.day_of_week")
        found = set()
        for i, day in enumerate(items):
            name = _str(day, f"{path}.day_of_week[{i}]").upper()
            if name not in _DAYS:
                raise PricingError(f"{path}.day_of_week[{i}]: unknown day {name[:20]!r}")
            found.add(_DAYS.index(name))
        days = frozenset(found)
    reservation = data.get("reservation")
    if reservation is not None:
        reservation = _str(reservation, f"{path}.reservation")
        if reservation not in ("RESERVATION", "RESERVATION_EXPIRES"):
            raise PricingError(f"{path}.reservation: unknown value {reservation[:30]!r}")

    def opt(key: str, conv: Any) -> Any:
        raw = data.get(key)
        return None if raw is None else conv(raw, f"{path}.{key}")

    return NRestrictions(
        start_time=opt("start_time", _time_of_day),
        end_time=opt("end_time", _time_of_day),
        start_date=opt("start_date", _date),
        end_date=opt("end_date", _date),
        min_kwh=_opt_decimal(data, "min_kwh", path),
        max_kwh=_opt_decimal(data, "max_kwh", path),
        min_current=_opt_decimal(data, "min_current", path),
        max_current=_opt_decimal(data, "max_current", path),
        min_power=_opt_decimal(data, "min_power", path),
        max_power=_opt_decimal(data, "max_power", path),
        min_duration=_opt_decimal(data, "min_duration", path),
        max_duration=_opt_decimal(data, "max_duration", path),
        day_of_week=days,
        reservation=reservation,
    )


def _component(value: object, index: int, path: str, warnings: list[str]) -> NComponent | None:
    data = _mapping(value, path)
    kind = _str(data.get("type"), f"{path}.type")
    if kind not in DIMENSIONS:
        warnings.append(f"{path}.type: dimension {kind[:30]!r} is not an OCPI tariff dimension; ignored")
        return None
    if data.get("price") is None:
        raise PricingError(f"{path}.price: missing")
    price = _decimal(data["price"], f"{path}.price")
    step_raw = data.get("step_size", 1)
    step = _decimal(1 if step_raw is None else step_raw, f"{path}.step_size")
    if step < 0 or step != step.to_integral_value() or step > 10**12:
        raise PricingError(f"{path}.step_size: expected a non-negative integer")
    return NComponent(kind, price, _opt_decimal(data, "vat", path), int(step), index)


def _limit(value: object, path: str) -> PriceLimit | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        # 2.1.1-style bare amount (not in 2.1.1 itself, but harmless to accept).
        return PriceLimit(_decimal(value, path), None)
    excl = _first(value, "excl_vat", "before_taxes")
    if excl is None:
        raise PricingError(f"{path}: needs excl_vat (2.2.1) or before_taxes (2.3.0)")
    incl = _first(value, "incl_vat", "after_taxes")
    return PriceLimit(_decimal(excl, path), None if incl is None else _decimal(incl, path))


def read_tariff(obj: object, path: str = "tariff") -> NTariff:
    """Normalise one OCPI Tariff (any version) from a mapping or a model."""
    data = as_mapping(obj, path)
    warnings: list[str] = []
    currency = _str(data.get("currency"), f"{path}.currency").upper()
    raw_elements = _list(data.get("elements"), f"{path}.elements")
    elements = []
    for i, raw in enumerate(raw_elements):
        epath = f"{path}.elements[{i}]"
        element = _mapping(raw, epath)
        comps = _list(element.get("price_components"), f"{epath}.price_components")
        parsed = [_component(c, j, f"{epath}.price_components[{j}]", warnings) for j, c in enumerate(comps)]
        restrictions = _restrictions(element.get("restrictions"), f"{epath}.restrictions")
        elements.append(NElement(tuple(c for c in parsed if c is not None), restrictions))
    tax = data.get("tax_included")
    tax_included = None if tax is None else _str(tax, f"{path}.tax_included").upper()
    if tax_included not in (None, "YES", "NO", "N/A"):
        raise PricingError(f"{path}.tax_included: unknown value {tax_included[:20]!r}")
    raw_id = data.get("id")
    start = data.get("start_date_time")
    end = data.get("end_date_time")
    return NTariff(
        id=None if raw_id is None else str(raw_id),
        currency=currency,
        elements=tuple(elements),
        min_price=_limit(data.get("min_price"), f"{path}.min_price"),
        max_price=_limit(data.get("max_price"), f"{path}.max_price"),
        start_date_time=None if start is None else _datetime(start, f"{path}.start_date_time"),
        end_date_time=None if end is None else _datetime(end, f"{path}.end_date_time"),
        tax_included=tax_included,
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- CDRs and Sessions
#
# The CDR is read on every call, so this half is written for speed: exact
# built-in types take a fast path and anything else goes through the general
# converters above, which either accept it or raise with the JSON path. Paths
# are formatted only when something is wrong.

_ISO = datetime.fromisoformat
_new = object.__new__
_TEN_YEARS = timedelta(days=3660)
_INT_BOUND = 10**1000
# Volumes that came as floats, by value: 0 + Decimal(repr(v)) in the pricing context (the
# volume as a period's sum starts it), worked out once per value: the same readings recur
# across CDRs. Bounded: emptied when full.
_FLOATS: dict[float, Decimal] = {}
_FLOATS_SIZE = 4096
_ADD = CONTEXT.add


def _utc(value: object) -> datetime | None:
    """Fast path of :func:`_datetime` for strings: the instant in UTC, or None to take the slow path."""
    if type(value) is not str:
        return None
    try:
        # Python 3.11 reads a trailing "Z" itself; anything it refuses (padding, "z") takes the slow path.
        result = _ISO(value)
    except ValueError:
        return None
    return result if result.tzinfo is UTC else _in_utc(result)


def _in_utc(result: datetime) -> datetime | None:
    """The parsed date-time ``result`` in UTC (no offset meaning UTC), or None to take the slow path.

    The fast path of :func:`_datetime` for strings, written inline where a date-time is read:
    ``datetime.fromisoformat`` (Python 3.11 reads a trailing "Z" itself; anything it refuses,
    padding or "z", takes the slow path), then this when the zone is not UTC already.
    """
    zone = result.tzinfo
    if zone is UTC:
        return result
    if zone is None or result.utcoffset() is None:
        return result.replace(tzinfo=UTC)
    try:
        return result.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _volume(value: object) -> Decimal | None:
    """Fast path of :func:`_decimal`: a plain finite in-range number, or None to take the slow path."""
    kind = type(value)
    if kind is float:
        if value - value != 0:  # type: ignore[operator]  # inf and nan
            return None
        result = Decimal(repr(value))
    elif kind is Decimal:
        result = value  # type: ignore[assignment]
        if not result.is_finite():
            return None
    elif kind is int:
        result = Decimal(value)  # type: ignore[arg-type]
    else:
        return None
    if result and not -1000 < result.adjusted() < 1000:
        return None
    return result


def _periods(raw_periods: object, path: str) -> tuple[list[NPeriod], bool, bool]:
    """The periods, whether they are in time order, whether one has RESERVATION_TIME."""
    items = raw_periods if type(raw_periods) is list else _list(raw_periods, f"{path}.charging_periods")
    periods: list[NPeriod] = []
    ordered, reserved = True, False
    previous: datetime | None = None
    zero = _ZERO
    iso = _ISO
    utc = UTC
    floats = _FLOATS
    for i, raw in enumerate(items):
        if type(raw) is not dict:
            raw = _mapping(raw, f"{path}.charging_periods[{i}]")
        get = raw.get
        at = get("start_date_time")
        if at is None:
            at = get("start_datetime")
        # _utc, inline: the usual case, a string in UTC; anything else takes _datetime's slow path.
        start = None
        if type(at) is str:
            try:
                start = iso(at)
            except ValueError:
                pass
            else:
                if start.tzinfo is not utc:
                    start = _in_utc(start)
        if start is None:
            start = _datetime(at, f"{path}.charging_periods[{i}].start_date_time")
        if previous is not None and start < previous:
            ordered = False
        previous = start
        dims: dict[str, Decimal] = {}
        raw_dims = get("dimensions", [])
        if type(raw_dims) is not list:
            raw_dims = _list(raw_dims, f"{path}.charging_periods[{i}].dimensions")
        for j, dim in enumerate(raw_dims):
            if type(dim) is not dict:
                dim = _mapping(dim, f"{path}.charging_periods[{i}].dimensions[{j}]")
            kind = dim.get("type")
            if type(kind) is not str:
                kind = _str(kind, f"{path}.charging_periods[{i}].dimensions[{j}].type")
            raw_volume = dim.get("volume")
            before = dims.get(kind)
            # _volume, inline for a finite float (its repr is always within the exponent bounds).
            if type(raw_volume) is float and raw_volume - raw_volume == 0:
                volume: Decimal | None = floats.get(raw_volume)
                if volume is None:
                    # 0.0 and -0.0 are one key, and 0 + 0.0 is 0 + -0.0.
                    volume = _ADD(zero, Decimal(repr(raw_volume)))
                    if len(floats) >= _FLOATS_SIZE:
                        floats.clear()
                    floats[raw_volume] = volume
                # 0 + v is v's sum already; a type listed twice is summed, and adding v or
                # 0 + v to a sum (exponent at most 0, never -0) gives the same digits.
                dims[kind] = volume if before is None else before + volume
                continue
            elif type(raw_volume) is int and -_INT_BOUND < raw_volume < _INT_BOUND:
                # _volume for an int, inline: fewer than 1001 digits keep the exponent in bounds.
                volume = Decimal(raw_volume)
            else:
                volume = _volume(raw_volume)
                if volume is None:
                    volume = _decimal(raw_volume, f"{path}.charging_periods[{i}].dimensions[{j}].volume")
            # A type listed twice is summed for volumes; it is an odd CDR either way.
            dims[kind] = zero + volume if before is None else before + volume
        if "RESERVATION_TIME" in dims:
            reserved = True
        tariff_id = get("tariff_id")
        periods.append((start, dims, None if tariff_id is None else str(tariff_id)))
    return periods, ordered, reserved


# What read_cdr reads of a CDR or Session and of its parts, by JSON name.
_CDR_KEYS = (
    "start_date_time",
    "start_datetime",
    "end_date_time",
    "stop_date_time",
    "end_datetime",
    "currency",
    "cdr_location",
    "location",
    "charging_periods",
    "kwh",
)
_LOCATION_KEYS = ("country", "time_zone")
_PERIOD_KEYS = ("start_date_time", "start_datetime", "dimensions", "tariff_id")
_DIMENSION_KEYS = ("type", "volume")
# Per model class: its fields' attribute names by dumped name, or None for a class that is
# not one of ocpkit's own OCPI models (those take model_dump).
_NAMES: dict[type, dict[str, str] | None] = {}
_NAMES_SIZE = 1024
_SCALARS = (str, int, float, Decimal, datetime)


def _own_names(cls: type) -> dict[str, str] | None:
    """The dumped name -> attribute name table of one of ocpkit's OCPI model classes, else None."""
    try:
        return _NAMES[cls]
    except KeyError:
        pass
    names: dict[str, str] | None = None
    fields = getattr(cls, "model_fields", None)
    if (
        getattr(cls, "__ocpkit_base__", None) is not None
        and cls.__module__.startswith("ocpkit.ocpi.")
        and isinstance(fields, dict)
    ):
        names = {}
        for name, info in fields.items():
            alias = getattr(info, "serialization_alias", None) or getattr(info, "alias", None)
            names[alias if isinstance(alias, str) else name] = name
    if len(_NAMES) >= _NAMES_SIZE:
        _NAMES.clear()
    _NAMES[cls] = names
    return names


def _picked(obj: object, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """What ``model_dump(by_alias=True, exclude_none=True)`` gives for ``keys``, read off the model.

    Only for ocpkit's own OCPI models, whose dump is their attributes (no custom
    serializers, unknown properties kept as extras); the parts pricing reads are
    read the same way. None when something is not of that kind: the caller dumps.
    """
    names = _own_names(type(obj))
    if names is None:
        return None
    values: dict[str, Any] = obj.__dict__
    extra: dict[str, Any] | None = getattr(obj, "__pydantic_extra__", None)
    out: dict[str, Any] = {}
    for key in keys:
        name = names.get(key)
        if name is not None:
            value = values.get(name)
        elif extra:
            value = extra.get(key)
        else:
            continue
        if value is None:
            continue
        if isinstance(value, _SCALARS):
            out[key] = value
        elif key == "charging_periods" or key == "dimensions":
            if type(value) is not list:
                return None
            inner = _PERIOD_KEYS if key == "charging_periods" else _DIMENSION_KEYS
            items = []
            for item in value:
                part = _picked(item, inner)
                if part is None:
                    return None
                items.append(part)
            out[key] = items
        elif key == "cdr_location" or key == "location":
            part = _picked(value, _LOCATION_KEYS)
            if part is None:
                return None
            out[key] = part
        else:
            return None
    return out


def _from_model(obj: object, with_tariffs: bool) -> dict[str, Any] | None:
    """The mapping read_cdr reads, for one of ocpkit's OCPI CDR or Session models, else None.

    Equal, for every key read_cdr reads, to the model's dump; the ``tariffs``
    are dumped one by one, and only when they are read (``with_tariffs``).
    """
    out = _picked(obj, _CDR_KEYS)
    if out is None:
        return None
    names = _own_names(type(obj))
    name = None if names is None else names.get("tariffs")
    raw = (
        getattr(obj, name, None)
        if name is not None
        else (getattr(obj, "__pydantic_extra__", None) or {}).get("tariffs")
    )
    if raw is not None:
        if not with_tariffs:
            out["tariffs"] = raw
        elif type(raw) is list:
            out["tariffs"] = [as_mapping(t, "cdr.tariffs") if not isinstance(t, Mapping) else t for t in raw]
        else:
            return None
    return out


def read_cdr(
    obj: object,
    path: str = "cdr",
    embedded: Callable[[Sequence[Any], str], object] | None = None,
) -> PricingInput:
    """Normalise a CDR or Session (any version) from a mapping or a model.

    The CDR's own ``tariffs`` are handed, once the periods are read, to
    ``embedded`` (a reader that raises on a bad tariff) when it is given, and
    are otherwise left unread in :attr:`PricingInput.raw_tariffs`.
    """
    if type(obj) is dict:
        data: Mapping[str, Any] = obj
    else:
        picked = _from_model(obj, embedded is not None)
        data = as_mapping(obj, path) if picked is None else picked
    get = data.get
    raw_start = get("start_date_time")
    if raw_start is None:
        raw_start = get("start_datetime")
    if raw_start is None:
        raise PricingError(f"{path}.start_date_time: missing")
    start = _utc(raw_start)
    if start is None:
        start = _datetime(raw_start, f"{path}.start_date_time")
    # 2.1.1 CDRs call it stop_date_time; 2.1.1 Sessions end_datetime; 2.2.1+ end_date_time.
    raw_end = get("end_date_time")
    if raw_end is None:
        raw_end = _first(data, "stop_date_time", "end_datetime")
    if raw_end is None:
        raise PricingError(f"{path}.end_date_time: missing (an ongoing session cannot be priced)")
    end = _utc(raw_end)
    if end is None:
        end = _datetime(raw_end, f"{path}.end_date_time")
    if end < start:
        raise PricingError(f"{path}.end_date_time: before start_date_time")
    if end - start > _TEN_YEARS:
        raise PricingError(f"{path}: session longer than ten years")
    currency = get("currency")
    location = get("cdr_location")
    if location is None:
        location = get("location")
    country = time_zone = None
    if location is not None:
        loc = location if type(location) is dict else _mapping(location, f"{path}.cdr_location")
        # Paths are formatted only for a value that is not a plain string (_str's slow path).
        country = loc.get("country")
        if country is not None and type(country) is not str:
            country = _str(country, f"{path}.cdr_location.country")
        time_zone = loc.get("time_zone")
        if time_zone is not None and type(time_zone) is not str:
            # 2.1.1 Location.time_zone; a non-standard extra on 2.2.1 CdrLocation.
            time_zone = _str(time_zone, f"{path}.cdr_location.time_zone")
    periods, ordered, reserved = _periods(get("charging_periods", []), path)
    synthesized = False
    if not periods and get("kwh") is not None:
        # A Session may carry only its running totals: one period from start to end.
        delta = end - start
        hours = (Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds).scaleb(-6)) / 3600
        kwh = _decimal(data["kwh"], f"{path}.kwh")
        periods = [(start, {"ENERGY": kwh, "TIME": hours}, None)]
        synthesized = True
    raw_tariffs = get("tariffs")
    if embedded is not None:
        raw_tariffs = embedded(_list(raw_tariffs or [], f"{path}.tariffs"), f"{path}.tariffs")
    # PricingInput(...) without the call of its __init__: the same attributes, set here.
    result: PricingInput = _new(PricingInput)
    result.start = start
    result.end = end
    result.currency = (
        None
        if currency is None
        else (currency if type(currency) is str else _str(currency, f"{path}.currency")).upper()
    )
    result.country = country
    result.time_zone = time_zone
    result.periods = periods
    result.raw_tariffs = raw_tariffs
    result.synthesized = synthesized
    result.ordered = ordered
    result.reserved = reserved
    return result
