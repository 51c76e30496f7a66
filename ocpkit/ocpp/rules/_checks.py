"""The OCPP spec rules and their checkers (private; :mod:`ocpkit.ocpp.rules` is the public face).

Theory of operation. Each rule is a :class:`~ocpkit.findings.SpecRule` plus a
checker and the messages it applies to: ``(versions, action, direction)``
triples. A checker takes the decoded payload and yields ``(pointer, message)``
pairs, one per breach. Checkers read the payload defensively: a value of the
wrong type, a missing key or a list where an object was expected is skipped,
never raised on, because the schema verdict already covers the shape. Numbers
are read with :func:`_num` (bools and non-finite values are not numbers; a
``Decimal`` is read as the number it stands for).

The texts of the specifications are not stored with the project, so sections
are cited by the number and the message or type name the documents use
(OCPP 1.6: chapter 6 messages, chapter 7 types; OCPP 2.0.1 and 2.1: the
message or datatype name of Part 2).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ocpkit.findings import Severity, SpecRule

__all__ = ["CHECKS", "Check", "begin_payload", "quiet_of", "sampled_screen"]

Hit = tuple[str, str]
Checker = Callable[[Any], Iterable[Hit]]
# A check of one sampled value: (version, pointer, sampled value) -> its breaches (mostly none).
SampledBody = Callable[[str, str, dict[str, Any]], Sequence[Hit]]
V16 = ("1.6",)
V2 = ("2.0.1", "2.1")
ALL = ("1.6", "2.0.1", "2.1")
REQ, RES = "request", "response"


@dataclass(frozen=True, slots=True)
class Check:
    """A rule, the messages it applies to and its checker.

    A check of the sampled values of a message also names its ``body`` (the
    check of one sampled value) and the ``path`` to them, so that the checks of
    one message can share the walk to its sampled values (:mod:`ocpkit.ocpp.rules`
    does); ``check`` gives the same breaches in the same order on its own.
    """

    rule: SpecRule
    where: tuple[tuple[str, str, str], ...]
    check: Checker
    body: SampledBody | None = None
    path: tuple[str, ...] = ()


def _num(value: Any) -> float | None:
    if isinstance(value, Decimal):
        # A model's number (model_dump(mode="python")) is read as the JSON number it stands for.
        value = float(value) if value.is_finite() else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _flat(pointer: str, node: Any, into: list[tuple[str, Any]]) -> None:
    """Append ``(pointer, node)`` to *into*, or the items of *node* (recursively) when it is a list."""
    if type(node) is list:
        for i, item in enumerate(node):
            if type(item) is list:
                _flat(f"{pointer}/{i}", item, into)
            else:
                into.append((f"{pointer}/{i}", item))
    else:
        into.append((pointer, node))


def _walk(node: Any, keys: tuple[str, ...], pointer: str = "") -> list[tuple[str, Any]]:
    """``(pointer, value)`` for ``keys`` followed from *node*, going through every list on the way.

    Values that are lists are gone through too, so none of the values is a list.
    """
    level: list[tuple[str, Any]] = []
    _flat(pointer, node, level)
    for key in keys:
        below: list[tuple[str, Any]] = []
        for here, value in level:
            if isinstance(value, dict) and key in value:
                _flat(f"{here}/{key}", value[key], below)
        if not below:
            return below
        level = below
    return level


# One payload is checked by several rules that look at the same objects (the sampled values of
# MeterValues, say): within one check_payload call the walks are shared. The payload outlives the
# call, so its id is a sound key there; begin_payload() empties the memo for the next one.
_MEMO: dict[tuple[int, tuple[str, ...]], list[tuple[str, dict[str, Any]]]] = {}


def begin_payload() -> None:
    """Forget the walks of the previous payload (called by ``check_payload`` before each one)."""
    if _MEMO:
        _MEMO.clear()


def sampled_values(payload: Any, path: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """``(pointer, sampled value)`` for every object under *path* (lists gone through), not memoised."""
    if len(path) == 2 and type(payload) is dict:
        # The shape of every well-formed message: a list of objects, each with a list of objects.
        outer_key, inner_key = path
        outer = payload.get(outer_key)
        if type(outer) is list:
            found: list[tuple[str, dict[str, Any]]] = []
            for i, element in enumerate(outer):
                if type(element) is not dict:
                    break
                inner = element.get(inner_key)
                if type(inner) is not list:
                    break
                for j, sampled in enumerate(inner):
                    if type(sampled) is not dict:
                        break
                    found.append((f"/{outer_key}/{i}/{inner_key}/{j}", sampled))
                else:
                    continue
                break
            else:
                return found
    # Any other shape (lists in lists, objects of other kinds, keys missing): the general walk.
    return [(p, v) for p, v in _walk(payload, path) if isinstance(v, dict)]


def _objects(payload: Any, *keys: str) -> list[tuple[str, dict[str, Any]]]:
    key = (id(payload), keys)
    found = _MEMO.get(key)
    if found is None:
        found = _MEMO[key] = [(p, v) for p, v in _walk(payload, keys) if isinstance(v, dict)]
    return found


def _deep(node: Any, key: str, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Yield every value stored under *key* anywhere in *node* (depth first)."""
    if isinstance(node, dict):
        for k, value in node.items():
            here = f"{pointer}/{k}"
            if k == key:
                yield here, value
            yield from _deep(value, key, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _deep(item, key, f"{pointer}/{i}")


# What a checker may be screened by: a predicate that is True only when the checker surely finds
# nothing on a payload (False: not sure, run the checker). A screen reads only exact dicts, lists,
# strings and integers, so it costs less than the checker and builds nothing.
_QUIET: dict[Checker, Callable[[Any], bool]] = {}
_EXACT = 2**53  # integers up to this size are the floats _num makes of them


def quiet_of(checker: Checker) -> Callable[[Any], bool] | None:
    """The screen of *checker*: True only when it would find nothing on the payload; None: no screen."""
    return _QUIET.get(checker)


def _field(key: str, ok: Callable[[float], bool], says: str, *path: str) -> Checker:
    """A checker: the number under ``path + (key,)`` must satisfy *ok*."""

    def check(payload: Any) -> Iterator[Hit]:
        # A generator, not a list: the hits before a value that cannot be read still count.
        for pointer, obj in _objects(payload, *path) if path else [("", payload)]:
            if not isinstance(obj, dict):
                continue
            n = _num(obj.get(key))
            if n is not None and not ok(n):
                yield f"{pointer}/{key}", f"{key} is {obj[key]!r}; {says}"

    if not path:

        def quiet(payload: Any) -> bool:
            # No value (None reads as no number) or an integer the rule accepts: no hit.
            if type(payload) is not dict:
                return False
            value = payload.get(key)
            return value is None or (type(value) is int and -_EXACT <= value <= _EXACT and ok(value))

        _QUIET[check] = quiet
    return check


# ---------------------------------------------------------------- charging profiles

# Where charging profiles and schedules sit in each message.
_PROFILE_AT: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("1.6", "SetChargingProfile", REQ): ("csChargingProfiles",),
    ("1.6", "RemoteStartTransaction", REQ): ("chargingProfile",),
    ("2.0.1", "SetChargingProfile", REQ): ("chargingProfile",),
    ("2.1", "SetChargingProfile", REQ): ("chargingProfile",),
    ("2.0.1", "RequestStartTransaction", REQ): ("chargingProfile",),
    ("2.1", "RequestStartTransaction", REQ): ("chargingProfile",),
    ("2.0.1", "ReportChargingProfiles", REQ): ("chargingProfile",),
    ("2.1", "ReportChargingProfiles", REQ): ("chargingProfile",),
}
_SCHEDULE_AT: dict[tuple[str, str, str], tuple[str, ...]] = {
    **{k: (*v, "chargingSchedule") for k, v in _PROFILE_AT.items()},
    ("1.6", "GetCompositeSchedule", RES): ("chargingSchedule",),
    ("2.0.1", "GetCompositeSchedule", RES): ("schedule",),
    ("2.1", "GetCompositeSchedule", RES): ("schedule",),
    ("2.0.1", "NotifyEVChargingSchedule", REQ): ("chargingSchedule",),
    ("2.1", "NotifyEVChargingSchedule", REQ): ("chargingSchedule",),
    ("2.0.1", "NotifyChargingLimit", REQ): ("chargingSchedule",),
    ("2.1", "NotifyChargingLimit", REQ): ("chargingSchedule",),
}


def _at(table: dict[tuple[str, str, str], tuple[str, ...]], versions: tuple[str, ...]) -> Any:
    return tuple(k for k in table if k[0] in versions)


def _per_schedule(body: Callable[[str, dict[str, Any]], Iterator[Hit]]) -> Callable[[str, str, str], Checker]:
    def make(version: str, action: str, direction: str) -> Checker:
        path = _SCHEDULE_AT[(version, action, direction)]

        def check(payload: Any) -> Iterator[Hit]:
            for pointer, schedule in _objects(payload, *path):
                yield from body(pointer, schedule)

        return check

    return make


def _periods(schedule: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    periods = schedule.get("chargingSchedulePeriod")
    if not isinstance(periods, list):
        return []
    return [(i, p) for i, p in enumerate(periods) if isinstance(p, dict)]


def _first_zero(pointer: str, schedule: dict[str, Any]) -> Iterator[Hit]:
    periods = _periods(schedule)
    if periods and periods[0][0] == 0:
        n = _num(periods[0][1].get("startPeriod"))
        if n is not None and n != 0:
            yield (
                f"{pointer}/chargingSchedulePeriod/0/startPeriod",
                f"the first period starts at {n:g} s, not 0",
            )


def _ascending(pointer: str, schedule: dict[str, Any]) -> Iterator[Hit]:
    last: float | None = None
    for i, period in _periods(schedule):
        n = _num(period.get("startPeriod"))
        if n is None:
            continue
        if last is not None and n <= last:
            yield (
                f"{pointer}/chargingSchedulePeriod/{i}/startPeriod",
                f"startPeriod {n:g} does not come after the previous period's {last:g}",
            )
        last = n


def _limit_non_negative(pointer: str, schedule: dict[str, Any]) -> Iterator[Hit]:
    for i, period in _periods(schedule):
        n = _num(period.get("limit"))
        if n is not None and n < 0:
            yield f"{pointer}/chargingSchedulePeriod/{i}/limit", f"limit {n:g} is negative"
    n = _num(schedule.get("minChargingRate"))
    if n is not None and n < 0:
        yield f"{pointer}/minChargingRate", f"minChargingRate {n:g} is negative"


def _phases(pointer: str, schedule: dict[str, Any]) -> Iterator[Hit]:
    for i, period in _periods(schedule):
        n = _num(period.get("numberPhases"))
        if n is not None and n not in (1, 2, 3):
            yield f"{pointer}/chargingSchedulePeriod/{i}/numberPhases", f"numberPhases {n:g} is not 1, 2 or 3"


def _phase_to_use(pointer: str, schedule: dict[str, Any]) -> Iterator[Hit]:
    for i, period in _periods(schedule):
        if "phaseToUse" not in period:
            continue
        phases = _num(period.get("numberPhases"))
        if phases != 1:
            said = "absent (3 assumed)" if "numberPhases" not in period else repr(period["numberPhases"])
            yield f"{pointer}/chargingSchedulePeriod/{i}/phaseToUse", f"phaseToUse given, numberPhases {said}"


def _within_duration(pointer: str, schedule: dict[str, Any]) -> Iterator[Hit]:
    duration = _num(schedule.get("duration"))
    if duration is None:
        return
    if duration <= 0:
        yield f"{pointer}/duration", f"duration {duration:g} s is not positive"
        return
    for i, period in _periods(schedule):
        n = _num(period.get("startPeriod"))
        if n is not None and n >= duration:
            yield (
                f"{pointer}/chargingSchedulePeriod/{i}/startPeriod",
                f"period starts at {n:g} s, at or after the schedule's duration of {duration:g} s",
            )


def _min_rate_below_limit(pointer: str, schedule: dict[str, Any]) -> Iterator[Hit]:
    rate = _num(schedule.get("minChargingRate"))
    if rate is None:
        return
    limits = [n for _, p in _periods(schedule) if (n := _num(p.get("limit"))) is not None]
    if limits and rate > max(limits):
        yield f"{pointer}/minChargingRate", f"minChargingRate {rate:g} is above every period's limit"


def _per_profile(body: Callable[[str, dict[str, Any]], Iterator[Hit]]) -> Callable[[str, str, str], Checker]:
    def make(version: str, action: str, direction: str) -> Checker:
        path = _PROFILE_AT[(version, action, direction)]

        def check(payload: Any) -> Iterator[Hit]:
            for pointer, profile in _objects(payload, *path):
                yield from body(pointer, profile)

        return check

    return make


def _stack_level(pointer: str, profile: dict[str, Any]) -> Iterator[Hit]:
    n = _num(profile.get("stackLevel"))
    if n is not None and n < 0:
        yield f"{pointer}/stackLevel", f"stackLevel {n:g} is below 0, the lowest level"


def _valid_range(pointer: str, profile: dict[str, Any]) -> Iterator[Hit]:
    yield from _ordered_times(profile, "validFrom", "validTo", pointer)


def _kind(pointer: str, profile: dict[str, Any]) -> Iterator[Hit]:
    kind = profile.get("chargingProfileKind")
    if not isinstance(kind, str):
        return
    if kind == "Recurring" and "recurrencyKind" not in profile:
        yield f"{pointer}/recurrencyKind", "a Recurring profile without recurrencyKind"


def _start_schedule(pointer: str, profile: dict[str, Any]) -> Iterator[Hit]:
    kind = profile.get("chargingProfileKind")
    for at, schedule in _objects(profile, "chargingSchedule"):
        if kind in ("Absolute", "Recurring") and "startSchedule" not in schedule:
            yield f"{pointer}{at}/startSchedule", f"an {kind} profile's schedule without startSchedule"
        if kind == "Relative" and "startSchedule" in schedule:
            yield f"{pointer}{at}/startSchedule", "a Relative profile's schedule with startSchedule"


def _transaction_purpose(pointer: str, profile: dict[str, Any]) -> Iterator[Hit]:
    purpose = profile.get("chargingProfilePurpose")
    if "transactionId" in profile and isinstance(purpose, str) and purpose != "TxProfile":
        yield f"{pointer}/transactionId", f"transactionId on a {purpose} profile"


def _tx_profile(pointer: str, profile: dict[str, Any]) -> Iterator[Hit]:
    purpose = profile.get("chargingProfilePurpose")
    if isinstance(purpose, str) and purpose != "TxProfile":
        yield f"{pointer}/chargingProfilePurpose", f"purpose {purpose}, not TxProfile"


def _max_profile_at_zero(id_key: str, max_name: str) -> Checker:
    profile_key = "csChargingProfiles" if id_key == "connectorId" else "chargingProfile"

    def check(payload: Any) -> Iterator[Hit]:
        if not isinstance(payload, dict):
            return
        where = _num(payload.get(id_key))
        profile = payload.get(profile_key)
        if where is None or not isinstance(profile, dict):
            return
        if profile.get("chargingProfilePurpose") == max_name and where != 0:
            yield f"/{id_key}", f"a {max_name} sent for {id_key} {where:g}, not 0"
        if profile.get("chargingProfilePurpose") == "TxProfile" and where == 0:
            yield f"/{id_key}", f"a TxProfile sent for {id_key} 0"

    return check


# ---------------------------------------------------------------- times


def _stamp(value: Any) -> str | None:
    # RFC 3339 / ISO 8601 strings in UTC or with the same offset compare as text once normalised.
    from datetime import UTC, datetime

    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def _ordered_times(obj: Any, first: str, second: str, pointer: str = "") -> Iterator[Hit]:
    if not isinstance(obj, dict):
        return
    a, b = _stamp(obj.get(first)), _stamp(obj.get(second))
    if a is not None and b is not None and a >= b:
        yield f"{pointer}/{second}", f"{second} {obj[second]} is not after {first} {obj[first]}"


def _times(first: str, second: str, *path: str) -> Checker:
    def check(payload: Any) -> Iterator[Hit]:
        for pointer, obj in _objects(payload, *path) if path else [("", payload)]:
            yield from _ordered_times(obj, first, second, pointer)

    return check


# ---------------------------------------------------------------- meter values

_UNITS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Energy.Active.", frozenset({"Wh", "kWh"})),
    ("Energy.Reactive.", frozenset({"varh", "kvarh"})),
    ("Energy.Apparent", frozenset({"VAh", "kVAh"})),
    ("Power.Active.", frozenset({"W", "kW"})),
    ("Power.Offered", frozenset({"W", "kW"})),
    ("Power.Reactive.", frozenset({"var", "kvar"})),
    ("Power.Apparent", frozenset({"VA", "kVA"})),
    ("Current.", frozenset({"A"})),
    ("Voltage", frozenset({"V"})),
    ("SoC", frozenset({"Percent"})),
    ("Temperature", frozenset({"Celsius", "Celcius", "Fahrenheit", "K"})),
    ("Frequency", frozenset({"Hz", "Hertz"})),
)
_SAMPLED_AT: dict[str, tuple[str, ...]] = {
    "MeterValues": ("meterValue", "sampledValue"),
    "StopTransaction": ("transactionData", "sampledValue"),
    "TransactionEvent": ("meterValue", "sampledValue"),
}


_UNITS_OF: dict[str, frozenset[str] | None] = {}


def _units_for(measurand: str) -> frozenset[str] | None:
    try:
        return _UNITS_OF[measurand]
    except KeyError:
        pass
    found = next((units for prefix, units in _UNITS if measurand.startswith(prefix)), None)
    if len(_UNITS_OF) < 256:  # the measurands of the specs, and a few more; not every hostile string
        _UNITS_OF[measurand] = found
    return found


def _sampled_checks(
    rule: SpecRule, where: tuple[tuple[str, str, str], ...], body: SampledBody
) -> list[Check]:
    """One check per message of *where*: *body* on each sampled value of the message."""
    checks: list[Check] = []
    for version, action, direction in where:
        path = _SAMPLED_AT[action]

        def check(payload: Any, version: str = version, path: tuple[str, ...] = path) -> Iterator[Hit]:
            for pointer, sampled in _objects(payload, *path):
                yield from body(version, pointer, sampled)

        checks.append(Check(rule, ((version, action, direction),), check, body, path))
    return checks


def _unit_of(version: str, sampled: dict[str, Any]) -> tuple[Any, bool]:
    if version == "1.6":
        return sampled.get("unit"), "unit" in sampled
    uom = sampled.get("unitOfMeasure")
    if isinstance(uom, dict) and "unit" in uom:
        return uom.get("unit"), True
    return None, False


_NO_HITS: tuple[Hit, ...] = ()
_UNSET: Any = object()


def _unit_matches(version: str, pointer: str, sampled: dict[str, Any]) -> Sequence[Hit]:
    measurand = sampled.get("measurand", "Energy.Active.Import.Register")
    unit, given = _unit_of(version, sampled)
    if not given or not isinstance(unit, str) or not isinstance(measurand, str):
        return _NO_HITS
    units = _units_for(measurand)
    if units is None or unit in units:
        return _NO_HITS
    at = "/unit" if version == "1.6" else "/unitOfMeasure/unit"
    return ((f"{pointer}{at}", f"unit {unit} does not measure {measurand} ({', '.join(sorted(units))})"),)


def _default_unit(version: str, pointer: str, sampled: dict[str, Any]) -> Sequence[Hit]:
    measurand = sampled.get("measurand", "Energy.Active.Import.Register")
    _, given = _unit_of(version, sampled)
    if given or not isinstance(measurand, str):
        return _NO_HITS
    units = _units_for(measurand)
    # OCPP 1.6 errata v4.0 §3.84: Frequency has an implied unit (Hertz) and no unit value of its own.
    if units is not None and "Wh" not in units and not measurand.startswith("Frequency"):
        return ((f"{pointer}/measurand", f"{measurand} without a unit, so in Wh by default"),)
    return _NO_HITS


_DECIMAL = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")
_is_decimal = _DECIMAL.fullmatch


def _raw_numeric(version: str, pointer: str, sampled: dict[str, Any]) -> Sequence[Hit]:
    value = sampled.get("value")
    if sampled.get("format", "Raw") == "Raw" and isinstance(value, str) and not _is_decimal(value):
        return ((f"{pointer}/value", f"value {value[:40]!r} of a Raw sample is not a number"),)
    return _NO_HITS


_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


def _signed_hex(version: str, pointer: str, sampled: dict[str, Any]) -> Sequence[Hit]:
    if sampled.get("format") != "SignedData":
        return _NO_HITS
    value = sampled.get("value")
    if isinstance(value, str) and not _HEX.fullmatch(value):
        return ((f"{pointer}/value", "a SignedData value that is not hex data"),)
    return _NO_HITS


def _soc_range(version: str, pointer: str, sampled: dict[str, Any]) -> Sequence[Hit]:
    if sampled.get("measurand") != "SoC":
        return _NO_HITS
    value = sampled.get("value")
    if isinstance(value, str) and _is_decimal(value):
        value = float(value)
    n = _num(value)
    if n is not None and not 0 <= n <= 100:
        return ((f"{pointer}/value", f"state of charge {n:g} is outside 0..100 %"),)
    return _NO_HITS


def _base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _signed_base64(version: str, pointer: str, sampled: dict[str, Any]) -> Sequence[Hit]:
    signed = sampled.get("signedMeterValue")
    if not isinstance(signed, dict):
        return _NO_HITS
    hits: list[Hit] = []
    for key in ("signedMeterData", "publicKey"):
        text = signed.get(key)
        if isinstance(text, str) and text and not _base64(text):
            hits.append((f"{pointer}/signedMeterValue/{key}", f"{key} is not base64 ({text[:24]!r}...)"))
    return hits


def sampled_screen(
    bodies: Sequence[SampledBody],
) -> Callable[[str, Any, tuple[str, ...]], bool] | None:
    """A screen of the sampled-value checks *bodies* of one message, or None when one has no screen.

    The screen is called with ``(version, payload, path)`` and is True only when
    the payload's sampled values lie in the common shape (a list of objects,
    each with a list of objects) and none of *bodies* finds anything in any of
    them; False means "not sure": run the checks.
    """
    names = {_BODY_NAMES.get(body) for body in bodies}
    if None in names:
        return None
    unit, default = "unit" in names, "default" in names
    raw, signed_hex, soc, signed = "raw" in names, "hex" in names, "soc" in names, "b64" in names
    units_of, units_for, missing = _UNITS_OF, _units_for, _UNSET
    is_decimal = _is_decimal

    def quiet(version: str, payload: Any, path: tuple[str, ...]) -> bool:
        if len(path) != 2 or type(payload) is not dict:
            return False
        outer_key, inner_key = path
        outer = payload.get(outer_key, missing)
        if outer is missing:
            return True  # nothing under the path: no sampled value to check
        if type(outer) is not list:
            return False
        sixteen = version == "1.6"
        for element in outer:
            if type(element) is not dict:
                return False
            inner = element.get(inner_key)
            if type(inner) is not list:
                return False
            for sampled in inner:
                # One test per check of the run, in one pass: each says "nothing here" for sure or gives up.
                if type(sampled) is not dict:
                    return False
                measurand = sampled.get("measurand", "Energy.Active.Import.Register")
                if type(measurand) is not str or (soc and measurand == "SoC"):
                    return False
                if raw or signed_hex:
                    fmt = sampled.get("format", "Raw")
                    if type(fmt) is not str or (signed_hex and fmt == "SignedData"):
                        return False
                    if raw and fmt == "Raw":
                        value = sampled.get("value")
                        if isinstance(value, str):
                            # Plain ASCII digits, perhaps with a decimal point: what _DECIMAL matches too.
                            if value.isascii():
                                head, point, tail = value.partition(".")
                                plain = (
                                    head.isdigit() and (not tail or tail.isdigit())
                                    if point
                                    else head.isdigit()
                                )
                            else:
                                plain = False
                            if not plain and not is_decimal(value):
                                return False
                if signed and isinstance(sampled.get("signedMeterValue"), dict):
                    return False
                if unit or default:
                    if sixteen:
                        given = "unit" in sampled
                        value = sampled.get("unit")
                    else:
                        uom = sampled.get("unitOfMeasure")
                        given = isinstance(uom, dict) and "unit" in uom
                        value = uom.get("unit") if given else None  # type: ignore[union-attr]
                    units = units_of.get(measurand, missing)
                    if units is missing:
                        units = units_for(measurand)
                    if units is not None:
                        if given:
                            if unit and isinstance(value, str) and value not in units:
                                return False
                        elif default and "Wh" not in units and not measurand.startswith("Frequency"):
                            return False
        return True

    return quiet


def _stop_sampled_nonempty(payload: Any) -> Iterator[Hit]:
    for pointer, value in _objects(payload, "transactionData"):
        sampled = value.get("sampledValue")
        if isinstance(sampled, list) and not sampled:
            yield f"{pointer}/sampledValue", "a meter value with no sampled value"


# ---------------------------------------------------------------- other messages


def _interval(payload: Any) -> Iterator[Hit]:
    if not isinstance(payload, dict):
        return
    n = _num(payload.get("interval"))
    if n is None:
        return
    if n < 0:
        yield "/interval", f"interval {n:g} s is negative"
    elif n == 0 and payload.get("status") == "Accepted":
        yield "/interval", "interval 0 s for an accepted charger: no heartbeat interval"


def _accepted_transaction_id(payload: Any) -> Iterator[Hit]:
    if not isinstance(payload, dict):
        return
    info = payload.get("idTagInfo")
    n = _num(payload.get("transactionId"))
    if isinstance(info, dict) and info.get("status") == "Accepted" and n is not None and n <= 0:
        yield "/transactionId", f"transactionId {n:g} for an accepted transaction"


def _evse_ids(payload: Any) -> Iterator[Hit]:
    for pointer, evse in _deep(payload, "evse"):
        if isinstance(evse, dict):
            n = _num(evse.get("id"))
            if n is not None and n <= 0:
                yield f"{pointer}/id", f"EVSE id {n:g}; EVSE ids start at 1"


def _severity(path: tuple[str, ...]) -> Checker:
    def check(payload: Any) -> Iterator[Hit]:
        for pointer, obj in _objects(payload, *path) if path else [("", payload)]:
            n = _num(obj.get("severity"))
            if n is not None and not 0 <= n <= 9:
                yield f"{pointer}/severity", f"severity {n:g} is outside 0..9"

    return check


def _all_severities(payload: Any) -> Iterator[Hit]:
    for _, hit in (
        ("", h)
        for check in (
            _severity(()),
            _severity(("setMonitoringData",)),
            _severity(("setMonitoringResult",)),
            _severity(("monitor", "variableMonitoring")),
        )
        for h in check(payload)
    ):
        yield hit


def _rows(*rows: tuple[Any, ...]) -> Any:
    """The rows of a rule table in this module (their checkers differ in signature)."""
    return rows


def _positive(n: float) -> bool:
    return n > 0


def _non_negative(n: float) -> bool:
    return n >= 0


def _expand(
    rule: SpecRule, where: tuple[tuple[str, str, str], ...], make: Callable[[str, str, str], Checker]
) -> list[Check]:
    return [Check(rule, (w,), make(*w)) for w in where]


def _r(
    id: str, versions: tuple[str, ...], section: str, statement: str, sev: Severity = Severity.ERROR
) -> SpecRule:
    return SpecRule(id, "ocpp", versions, section, statement, sev)


def _on(versions: tuple[str, ...], action: str, direction: str = REQ) -> tuple[tuple[str, str, str], ...]:
    return tuple((v, action, direction) for v in versions)


WARN = Severity.WARNING
_SAMPLE_MESSAGES = (
    ("1.6", "MeterValues", REQ),
    ("1.6", "StopTransaction", REQ),
    *_on(V2, "MeterValues"),
    *_on(V2, "TransactionEvent"),
)
_CONNECTOR_16 = (
    "ChangeAvailability",
    "StatusNotification",
    "MeterValues",
    "GetCompositeSchedule",
    "SetChargingProfile",
    "ReserveNow",
)

_RULES: list[tuple[SpecRule, list[Check]]] = []


def _add(rule: SpecRule, checks: list[Check]) -> None:
    _RULES.append((rule, checks))


def _simple(rule: SpecRule, where: tuple[tuple[str, str, str], ...], check: Checker) -> None:
    _add(rule, [Check(rule, (w,), check) for w in where])


# -- 1.6 ids
_rule = _r(
    "ocpp.v16.start-transaction.connector-id",
    V16,
    "OCPP 1.6 §6.45 StartTransaction.req",
    "connectorId of a StartTransaction is greater than 0 (0 names the whole charge point).",
)
_simple(_rule, _on(V16, "StartTransaction"), _field("connectorId", _positive, "it must be > 0"))
_rule = _r(
    "ocpp.v16.remote-start.connector-id",
    V16,
    "OCPP 1.6 §6.33 RemoteStartTransaction.req",
    "connectorId of a RemoteStartTransaction, when given, is greater than 0.",
)
_simple(_rule, _on(V16, "RemoteStartTransaction"), _field("connectorId", _positive, "it must be > 0"))
_rule = _r(
    "ocpp.v16.unlock-connector.connector-id",
    V16,
    "OCPP 1.6 §6.53 UnlockConnector.req",
    "connectorId of an UnlockConnector names a connector, so it is greater than 0.",
)
_simple(_rule, _on(V16, "UnlockConnector"), _field("connectorId", _positive, "it must be > 0"))
_rule = _r(
    "ocpp.v16.connector-id.non-negative",
    V16,
    "OCPP 1.6 §6.7, §6.21, §6.31, §6.37, §6.43, §6.47 (connectorId)",
    "connectorId is 0 (the charge point as a whole) or a connector number; never negative.",
)
_simple(
    _rule,
    tuple(("1.6", a, REQ) for a in _CONNECTOR_16),
    _field("connectorId", _non_negative, "it must be >= 0"),
)
_rule = _r(
    "ocpp.v16.start-transaction.transaction-id",
    V16,
    "OCPP 1.6 §6.46 StartTransaction.conf",
    "an accepted StartTransaction gets a transactionId above 0; 0 and below are used by implementations "
    "to mean no transaction.",
    WARN,
)
_simple(_rule, _on(V16, "StartTransaction", RES), _accepted_transaction_id)
_rule = _r(
    "ocpp.v16.local-list-version.range",
    V16,
    "OCPP 1.6 §5.10 Get Local List Version, §6.28 GetLocalListVersion.conf",
    "listVersion is -1 (no local list support), 0 (empty list) or a positive version.",
)
_simple(
    _rule, _on(V16, "GetLocalListVersion", RES), _field("listVersion", lambda n: n >= -1, "it must be >= -1")
)
_rule = _r(
    "ocpp.v16.stop-transaction.sampled-value-nonempty",
    V16,
    "OCPP 1.6 §6.49 StopTransaction.req, §7.33 MeterValue",
    "every MeterValue of transactionData holds at least one sampledValue (1..*).",
)
_simple(_rule, _on(V16, "StopTransaction"), _stop_sampled_nonempty)
_rule = _r(
    "ocpp.v16.retries.non-negative",
    V16,
    "OCPP 1.6 §6.25 GetDiagnostics.req, §6.55 UpdateFirmware.req",
    "retries and retryInterval are counts and seconds, never negative.",
)
_add(
    _rule,
    [
        Check(_rule, (("1.6", a, REQ),), _field(k, _non_negative, "it must be >= 0"))
        for a in ("GetDiagnostics", "UpdateFirmware")
        for k in ("retries", "retryInterval")
    ],
)
_rule = _r(
    "ocpp.log-window.ordered",
    ALL,
    "OCPP 1.6 §6.25 GetDiagnostics.req; OCPP 2.0.1/2.1 LogParametersType (GetLog)",
    "the start of the requested log window comes before its end.",
)
_simple(
    _rule,
    (*_on(V16, "GetDiagnostics"),),
    _times("startTime", "stopTime"),
)
_simple(_rule, (*_on(V16, "GetLog"), *_on(V2, "GetLog")), _times("oldestTimestamp", "latestTimestamp", "log"))
_RULES[-2][1].extend(_RULES.pop()[1])

# -- boot
_rule = _r(
    "ocpp.boot-notification.interval",
    ALL,
    "OCPP 1.6 §6.4 BootNotification.conf; OCPP 2.0.1/2.1 BootNotificationResponse",
    "interval is never negative, and an accepted charger gets a heartbeat interval above 0 seconds.",
)
_simple(_rule, (*_on(V16, "BootNotification", RES), *_on(V2, "BootNotification", RES)), _interval)

# -- charging schedules
_sched_16_2 = _at(_SCHEDULE_AT, ALL)
for _id, _body, _statement, _section, _versions, _sev in _rows(
    (
        "ocpp.charging-schedule.first-period-zero",
        _first_zero,
        "the first chargingSchedulePeriod starts at 0 seconds.",
        "OCPP 1.6 §7.13 ChargingSchedule; OCPP 2.0.1/2.1 ChargingScheduleType",
        ALL,
        Severity.ERROR,
    ),
    (
        "ocpp.charging-schedule.periods-ascending",
        _ascending,
        "chargingSchedulePeriod elements are in strictly ascending order of startPeriod.",
        "OCPP 1.6 §7.14 ChargingSchedulePeriod; OCPP 2.0.1/2.1 ChargingSchedulePeriodType",
        ALL,
        Severity.ERROR,
    ),
    (
        "ocpp.charging-schedule.limit-non-negative",
        _limit_non_negative,
        "limit and minChargingRate are rates in the chargingRateUnit, never negative "
        "(2.1 allows discharging, so it is not checked there).",
        "OCPP 1.6 §7.13, §7.14; OCPP 2.0.1 ChargingScheduleType, ChargingSchedulePeriodType",
        ("1.6", "2.0.1"),
        Severity.ERROR,
    ),
    (
        "ocpp.charging-schedule.number-phases",
        _phases,
        "numberPhases is 1, 2 or 3.",
        "OCPP 1.6 §7.14 ChargingSchedulePeriod; OCPP 2.0.1/2.1 ChargingSchedulePeriodType",
        ALL,
        Severity.ERROR,
    ),
    (
        "ocpp.charging-schedule.phase-to-use",
        _phase_to_use,
        "phaseToUse is only given in a period with numberPhases 1.",
        "OCPP 2.0.1/2.1 ChargingSchedulePeriodType (phaseToUse)",
        V2,
        Severity.ERROR,
    ),
    (
        "ocpp.charging-schedule.within-duration",
        _within_duration,
        "a schedule's duration is positive and every period starts before it ends.",
        "OCPP 1.6 §7.13 ChargingSchedule; OCPP 2.0.1/2.1 ChargingScheduleType (duration)",
        ALL,
        Severity.WARNING,
    ),
    (
        "ocpp.charging-schedule.min-rate-below-limit",
        _min_rate_below_limit,
        "minChargingRate (the least the EV can take) is not above every limit of the schedule.",
        "OCPP 1.6 §7.13 ChargingSchedule; OCPP 2.0.1/2.1 ChargingScheduleType (minChargingRate)",
        ALL,
        Severity.WARNING,
    ),
):
    _rule = _r(_id, _versions, _section, _statement, _sev)
    _add(_rule, _expand(_rule, _at(_SCHEDULE_AT, _versions), _per_schedule(_body)))

for _id, _body, _statement, _section, _versions, _sev in _rows(
    (
        "ocpp.charging-profile.stack-level",
        _stack_level,
        "stackLevel is 0 or more; 0 is the lowest level.",
        "OCPP 1.6 §7.8 ChargingProfile; OCPP 2.0.1 ChargingProfileType",
        ("1.6", "2.0.1"),
        Severity.ERROR,
    ),
    (
        "ocpp.charging-profile.valid-range",
        _valid_range,
        "validFrom comes before validTo.",
        "OCPP 1.6 §7.8 ChargingProfile; OCPP 2.0.1/2.1 ChargingProfileType",
        ALL,
        Severity.ERROR,
    ),
    (
        "ocpp.charging-profile.recurrency-kind",
        _kind,
        "a Recurring profile says its recurrencyKind (Daily or Weekly).",
        "OCPP 1.6 §7.8 ChargingProfile; OCPP 2.0.1/2.1 ChargingProfileType (recurrencyKind)",
        ALL,
        Severity.ERROR,
    ),
    (
        "ocpp.charging-profile.start-schedule",
        _start_schedule,
        "Absolute and Recurring profiles give startSchedule; a Relative profile does not.",
        "OCPP 1.6 §7.8, §7.13; OCPP 2.0.1/2.1 ChargingProfileType, ChargingScheduleType (startSchedule)",
        ALL,
        Severity.WARNING,
    ),
    (
        "ocpp.charging-profile.transaction-id",
        _transaction_purpose,
        "transactionId is only given on a TxProfile.",
        "OCPP 1.6 §7.8 ChargingProfile; OCPP 2.0.1/2.1 ChargingProfileType (transactionId)",
        ALL,
        Severity.ERROR,
    ),
):
    _rule = _r(_id, _versions, _section, _statement, _sev)
    _add(_rule, _expand(_rule, _at(_PROFILE_AT, _versions), _per_profile(_body)))

_rule = _r(
    "ocpp.remote-start.tx-profile",
    ALL,
    "OCPP 1.6 §6.33 RemoteStartTransaction.req; OCPP 2.0.1/2.1 RequestStartTransactionRequest",
    "the charging profile of a remote start has purpose TxProfile.",
)
_add(
    _rule,
    _expand(
        _rule,
        (("1.6", "RemoteStartTransaction", REQ), *_on(V2, "RequestStartTransaction")),
        _per_profile(_tx_profile),
    ),
)
_rule = _r(
    "ocpp.set-charging-profile.target",
    ALL,
    "OCPP 1.6 §5.16 Set Charging Profile, §7.10; OCPP 2.0.1/2.1 SetChargingProfileRequest (evseId)",
    "a charger-wide maximum profile is set on id 0, a TxProfile never on id 0.",
)
_simple(_rule, _on(V16, "SetChargingProfile"), _max_profile_at_zero("connectorId", "ChargePointMaxProfile"))
_simple(_rule, _on(V2, "SetChargingProfile"), _max_profile_at_zero("evseId", "ChargingStationMaxProfile"))
_RULES[-2][1].extend(_RULES.pop()[1])

# -- 2.x ids and ranges
_rule = _r(
    "ocpp.v2.evse.id-positive",
    V2,
    "OCPP 2.0.1/2.1 EVSEType (id)",
    "an EVSE id is above 0; 0 would be the charging station itself.",
)
_simple(
    _rule,
    tuple(
        (v, a, d)
        for v in V2
        for a, d in (
            ("TransactionEvent", REQ),
            ("ChangeAvailability", REQ),
            ("TriggerMessage", REQ),
            ("ReserveNow", REQ),
            ("NotifyEvent", REQ),
            ("NotifyReport", REQ),
            ("NotifyMonitoringReport", REQ),
            ("GetVariables", REQ),
            ("SetVariables", REQ),
            ("SetVariableMonitoring", REQ),
        )
    ),
    _evse_ids,
)
_rule = _r(
    "ocpp.v2.status-notification.ids",
    V2,
    "OCPP 2.0.1/2.1 StatusNotificationRequest (evseId, connectorId)",
    "a StatusNotification names a connector of an EVSE: evseId and connectorId are above 0.",
)
_add(
    _rule,
    [
        Check(_rule, ((v, "StatusNotification", REQ),), _field(k, _positive, "it must be > 0"))
        for v in V2
        for k in ("evseId", "connectorId")
    ],
)
_rule = _r(
    "ocpp.v2.request-start.evse-id",
    V2,
    "OCPP 2.0.1/2.1 RequestStartTransactionRequest (evseId)",
    "evseId of a RequestStartTransaction, when given, is above 0.",
)
_simple(_rule, _on(V2, "RequestStartTransaction"), _field("evseId", _positive, "it must be > 0"))
_rule = _r(
    "ocpp.v2.transaction-event.seq-no",
    ("2.0.1",),
    "OCPP 2.0.1 TransactionEventRequest (seqNo)",
    "seqNo counts messages from 0; it is never negative.",
)
_simple(_rule, _on(("2.0.1",), "TransactionEvent"), _field("seqNo", _non_negative, "it must be >= 0"))
_rule = _r(
    "ocpp.v2.monitoring.severity",
    V2,
    "OCPP 2.0.1/2.1 SetMonitoringLevelRequest, SetMonitoringDataType, VariableMonitoringType (severity)",
    "a monitor severity is 0 (danger) to 9 (debug).",
)
_simple(
    _rule,
    tuple(
        (v, a, d)
        for v in V2
        for a, d in (
            ("SetMonitoringLevel", REQ),
            ("SetVariableMonitoring", REQ),
            ("SetVariableMonitoring", RES),
            ("NotifyMonitoringReport", REQ),
        )
    ),
    _all_severities,
)
_rule = _r(
    "ocpp.v2.display-message.time-range",
    V2,
    "OCPP 2.0.1/2.1 MessageInfoType (startDateTime, endDateTime)",
    "a display message's startDateTime comes before its endDateTime.",
)
_simple(
    _rule,
    (*_on(V2, "SetDisplayMessage"), *_on(V2, "NotifyDisplayMessages")),
    lambda p: (
        h
        for path in (("message",), ("messageInfo",))
        for h in _times("startDateTime", "endDateTime", *path)(p)
    ),
)
_rule = _r(
    "ocpp.v2.transaction-event.phases-used",
    V2,
    "OCPP 2.0.1/2.1 TransactionEventRequest (numberOfPhasesUsed)",
    "numberOfPhasesUsed, when reported, is 1, 2 or 3.",
)
_simple(
    _rule,
    _on(V2, "TransactionEvent"),
    _field("numberOfPhasesUsed", lambda n: n in (1, 2, 3), "it must be 1, 2 or 3"),
)

# -- sampled values
for _id, _body, _statement, _section, _versions, _sev in _rows(
    (
        "ocpp.sampled-value.unit-matches-measurand",
        _unit_matches,
        "the unit of a sampled value measures its measurand (energy in Wh/kWh, power in W/kW, current in A, "
        "voltage in V, SoC in Percent, temperature in Celsius/Fahrenheit/K).",
        "OCPP 1.6 §7.31 Measurand, §7.45 UnitOfMeasure; OCPP 2.0.1/2.1 MeasurandEnumType, UnitOfMeasureType",
        ALL,
        Severity.ERROR,
    ),
    (
        "ocpp.sampled-value.default-unit",
        _default_unit,
        "a sampled value whose measurand is not measured in Wh states its unit (Wh is the default).",
        "OCPP 1.6 §7.43 SampledValue (unit); OCPP 2.0.1/2.1 UnitOfMeasureType (unit default)",
        ALL,
        Severity.WARNING,
    ),
    (
        "ocpp.sampled-value.raw-numeric",
        _raw_numeric,
        "the value of a sample in Raw format (the default) is a decimal number.",
        "OCPP 1.6 §7.43 SampledValue, §7.48 ValueFormat",
        V16,
        Severity.ERROR,
    ),
    (
        "ocpp.sampled-value.signed-data-hex",
        _signed_hex,
        "the value of a sample in SignedData format is a signed binary block written as hex.",
        "OCPP 1.6 §7.48 ValueFormat",
        V16,
        Severity.WARNING,
    ),
    (
        "ocpp.sampled-value.soc-range",
        _soc_range,
        "a state of charge sample is a percentage between 0 and 100.",
        "OCPP 1.6 §7.31 Measurand (SoC); OCPP 2.0.1/2.1 MeasurandEnumType (SoC)",
        ALL,
        Severity.ERROR,
    ),
    (
        "ocpp.sampled-value.signed-base64",
        _signed_base64,
        "signedMeterData and publicKey of a signed meter value are base64 encoded.",
        "OCPP 2.0.1/2.1 SignedMeterValueType",
        V2,
        Severity.WARNING,
    ),
):
    _rule = _r(_id, _versions, _section, _statement, _sev)
    _add(_rule, _sampled_checks(_rule, tuple(w for w in _SAMPLE_MESSAGES if w[0] in _versions), _body))

_BODY_NAMES: dict[SampledBody, str] = {
    _unit_matches: "unit",
    _default_unit: "default",
    _raw_numeric: "raw",
    _signed_hex: "hex",
    _soc_range: "soc",
    _signed_base64: "b64",
}

CHECKS: tuple[tuple[SpecRule, tuple[Check, ...]], ...] = tuple((r, tuple(c)) for r, c in _RULES)
"""Every rule with its checks, in table order."""
