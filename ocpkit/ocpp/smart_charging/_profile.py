"""Charging profiles as plain values: one shape for OCPP 1.6, 2.0.1 and 2.1.

Theory of operation: a profile arrives as a wire-name dict or as one of the
generated models (``v16.datatypes.ChargingProfile``, ``v201``/``v21``
``ChargingProfileType``). :func:`parse_profile` reads either into a frozen
:class:`Profile` whose numbers are ``Decimal`` and whose times are aware
datetimes, and keeps the wire dict it came from. Reading is lenient about
what only the schema forbids (a missing ``limit`` or ``chargingSchedule.id``,
an extra property): those are the business of the schema check in
:meth:`~ocpkit.ocpp.smart_charging.ProfileStore.install`. What makes a profile
meaningless (an unknown purpose or kind, a period whose ``startPeriod`` is not
an integer, a limit that is not a finite number, a date-time that is not
RFC 3339) raises :class:`~ocpkit.errors.SmartChargingError` with the rule it
breaks. Purposes are kept as the version spells them; :data:`ROLE` maps the
1.6 ``ChargePointMaxProfile`` and the 2.x ``ChargingStationMaxProfile`` to one
role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from ocpkit.errors import SmartChargingError
from ocpkit.ocpp._rfc3339 import parse_rfc3339

__all__ = [
    "KINDS",
    "PURPOSES",
    "ROLE",
    "Period",
    "Profile",
    "Schedule",
    "StoredProfile",
    "Transaction",
    "parse_profile",
    "wire",
]

PURPOSES: Final[Mapping[str, frozenset[str]]] = {
    "1.6": frozenset({"ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"}),
    "2.0.1": frozenset(
        {"ChargingStationExternalConstraints", "ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile"}
    ),
    "2.1": frozenset(
        {
            "ChargingStationExternalConstraints",
            "ChargingStationMaxProfile",
            "TxDefaultProfile",
            "TxProfile",
            "PriorityCharging",
            "LocalGeneration",
        }
    ),
}
"""The profile purposes of each version (from the schemas' enums)."""

KINDS: Final[Mapping[str, frozenset[str]]] = {
    "1.6": frozenset({"Absolute", "Recurring", "Relative"}),
    "2.0.1": frozenset({"Absolute", "Recurring", "Relative"}),
    "2.1": frozenset({"Absolute", "Recurring", "Relative", "Dynamic"}),
}
"""The profile kinds of each version."""

ROLE: Final[Mapping[str, str]] = {
    "ChargePointMaxProfile": "max",
    "ChargingStationMaxProfile": "max",
    "TxDefaultProfile": "txdefault",
    "TxProfile": "tx",
    "ChargingStationExternalConstraints": "external",
    "PriorityCharging": "priority",
    "LocalGeneration": "generation",
}
"""Purpose -> the role it plays when profiles are combined (the same in every version)."""

_UNITS = frozenset({"A", "W"})
# Numeric period fields (wire name -> attribute); 2.0.1 and 1.6 only use the first one.
_PERIOD_NUMBERS: Final[Mapping[str, str]] = {
    "limit": "limit",
    "limit_L2": "limit_l2",
    "limit_L3": "limit_l3",
    "setpoint": "setpoint",
    "setpoint_L2": "setpoint_l2",
    "setpoint_L3": "setpoint_l3",
    "dischargeLimit": "discharge_limit",
    "dischargeLimit_L2": "discharge_limit_l2",
    "dischargeLimit_L3": "discharge_limit_l3",
    "setpointReactive": "setpoint_reactive",
    "setpointReactive_L2": "setpoint_reactive_l2",
    "setpointReactive_L3": "setpoint_reactive_l3",
    "v2xBaseline": "v2x_baseline",
}


@dataclass(frozen=True, slots=True)
class Period:
    """One ``chargingSchedulePeriod``: from ``start`` seconds after the schedule's start.

    Limits, setpoints and discharge limits are in the schedule's unit; in W and without
    ``limit_l2``/``limit_l3`` they are totals over all phases, otherwise per phase (OCPP 2.1
    ChargingSchedulePeriodType). ``None`` means absent.
    """

    start: int
    limit: Decimal | None = None
    number_phases: int | None = None
    phase_to_use: int | None = None
    limit_l2: Decimal | None = None
    limit_l3: Decimal | None = None
    setpoint: Decimal | None = None
    setpoint_l2: Decimal | None = None
    setpoint_l3: Decimal | None = None
    discharge_limit: Decimal | None = None
    discharge_limit_l2: Decimal | None = None
    discharge_limit_l3: Decimal | None = None
    setpoint_reactive: Decimal | None = None
    setpoint_reactive_l2: Decimal | None = None
    setpoint_reactive_l3: Decimal | None = None
    v2x_baseline: Decimal | None = None
    operation_mode: str | None = None
    evse_sleep: bool | None = None
    v2x_freq_watt_points: int | None = None

    @property
    def per_phase(self) -> bool:
        """Whether the period gives separate values for L2/L3 (limit, setpoint or discharge)."""
        return any(
            v is not None
            for v in (
                self.limit_l2,
                self.limit_l3,
                self.setpoint_l2,
                self.setpoint_l3,
                self.discharge_limit_l2,
                self.discharge_limit_l3,
            )
        )


@dataclass(frozen=True, slots=True)
class Schedule:
    """One ``chargingSchedule``; ``unit`` is ``"A"`` or ``"W"``."""

    unit: str
    periods: tuple[Period, ...]
    id: int | None = None
    start: datetime | None = None
    duration: int | None = None
    min_charging_rate: Decimal | None = None
    use_local_time: bool = False
    randomized_delay: int | None = None
    has_limit_at_soc: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    """A charging profile of one OCPP version, read from the wire or a model.

    ``purpose`` and ``kind`` are the version's own spelling; :attr:`role` is the combining
    role. ``schedules`` holds one schedule in 1.6 and one to three in 2.x (composite schedules
    use the first: the others are offers to an ISO 15118 vehicle). ``wire`` is the profile as
    a wire-name dict, the form the schema check and the reports use.
    """

    version: str
    id: int
    stack_level: int
    purpose: str
    kind: str
    schedules: tuple[Schedule, ...]
    recurrency: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | int | None = None
    max_offline_duration: int | None = None
    invalid_after_offline_duration: bool = False
    dynamic_fields: bool = False
    wire: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def role(self) -> str:
        """``max``, ``txdefault``, ``tx``, ``external``, ``priority`` or ``generation``."""
        return ROLE[self.purpose]

    @property
    def schedule(self) -> Schedule | None:
        """The schedule composite schedules follow (the first), or ``None`` when there is none."""
        return self.schedules[0] if self.schedules else None

    def with_schedules(self, schedules: Sequence[Schedule]) -> Profile:
        """The same profile with other schedules (used when conforming ``numberPhases``)."""
        return replace(self, schedules=tuple(schedules))


def wire(data: object) -> Mapping[str, Any]:
    """A wire-name mapping from a dict or a generated pydantic model (anything with ``model_dump``)."""
    if isinstance(data, Mapping):
        return data
    dump = getattr(data, "model_dump", None)
    if callable(dump):
        dumped = dump(by_alias=True, exclude_none=True)
        if isinstance(dumped, Mapping):
            return dumped
    raise SmartChargingError(
        f"a charging profile must be a mapping or an OCPP model, not {type(data).__name__}", rule="unreadable"
    )


def _bad(message: str, rule: str = "unreadable") -> SmartChargingError:
    return SmartChargingError(message, rule=rule, reason_code="InvalidValue")


def _int(value: object, where: str, *, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise _bad(f"{where} is required")
        return None
    # JSON booleans are ints to Python, but not OCPP integers.
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise _bad(f"{where} must be an integer, not {value!r}")
    if isinstance(value, int):
        return value
    try:
        as_int = int(value)
    except (OverflowError, ValueError, InvalidOperation):
        raise _bad(f"{where} must be a finite integer, not {value!r}", "not-finite") from None
    if as_int != value:
        raise _bad(f"{where} must be an integer, not {value!r}")
    return as_int


def _number(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _bad(f"{where} must be a number, not {value!r}")
    # str() of a float is its shortest round-trip text, so 22.2 stays 22.2 (never 22.199999...).
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise _bad(f"{where} must be a finite number, not {value!r}", "not-finite")
    return number


def _time(value: object, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _bad(f"{where} needs a time zone offset")
        return value
    if isinstance(value, str):
        try:
            return parse_rfc3339(value)
        except ValueError as exc:
            raise _bad(f"{where}: {exc}") from None
    raise _bad(f"{where} must be an RFC 3339 date-time, not {value!r}")


def _str(value: object, where: str, allowed: frozenset[str] | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(f"{where} must be a string, not {value!r}")
    text = str(value)  # a StrEnum member from a model becomes its plain value
    if allowed is not None and text not in allowed:
        raise _bad(f"{where} must be one of {', '.join(sorted(allowed))}, not {text!r}")
    return text


def _bool(value: object, where: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _bad(f"{where} must be a boolean, not {value!r}")
    return value


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(f"{where} must be an object, not {type(value).__name__}")
    return value


def _period(data: object, where: str) -> Period:
    item = _obj(data, where)
    start = _int(item.get("startPeriod"), f"{where}/startPeriod", required=True)
    assert start is not None
    numbers = {
        _PERIOD_NUMBERS[name]: _number(value, f"{where}/{name}")
        for name, value in item.items()
        if name in _PERIOD_NUMBERS
    }
    curve = item.get("v2xFreqWattCurve")
    return Period(
        start=start,
        number_phases=_int(item.get("numberPhases"), f"{where}/numberPhases"),
        phase_to_use=_int(item.get("phaseToUse"), f"{where}/phaseToUse"),
        operation_mode=_str(item.get("operationMode"), f"{where}/operationMode"),
        evse_sleep=_bool(item.get("evseSleep"), f"{where}/evseSleep"),
        v2x_freq_watt_points=len(curve)
        if isinstance(curve, Sequence) and not isinstance(curve, str)
        else None,
        **numbers,
    )


def _schedule(data: object, where: str) -> Schedule:
    item = _obj(data, where)
    unit = _str(item.get("chargingRateUnit"), f"{where}/chargingRateUnit", _UNITS)
    if unit is None:
        raise _bad(f"{where}/chargingRateUnit is required: limits mean nothing without a unit")
    raw_periods = item.get("chargingSchedulePeriod", ())
    if not isinstance(raw_periods, Sequence) or isinstance(raw_periods, str | bytes):
        raise _bad(f"{where}/chargingSchedulePeriod must be an array")
    periods = tuple(_period(p, f"{where}/chargingSchedulePeriod/{i}") for i, p in enumerate(raw_periods))
    return Schedule(
        unit=unit,
        periods=periods,
        id=_int(item.get("id"), f"{where}/id"),
        start=_time(item.get("startSchedule"), f"{where}/startSchedule"),
        duration=_int(item.get("duration"), f"{where}/duration"),
        min_charging_rate=_number(item.get("minChargingRate"), f"{where}/minChargingRate"),
        use_local_time=bool(_bool(item.get("useLocalTime"), f"{where}/useLocalTime")),
        randomized_delay=_int(item.get("randomizedDelay"), f"{where}/randomizedDelay"),
        has_limit_at_soc=item.get("limitAtSoC") is not None,
    )


def parse_profile(data: object, version: str) -> Profile:
    """Read a charging profile of *version* (wire-name dict or generated model) into a :class:`Profile`.

    Raises :class:`~ocpkit.errors.SmartChargingError` (``rule`` ``"unreadable"`` or
    ``"not-finite"``) when the profile cannot be given a meaning.
    """
    if version not in PURPOSES:
        raise SmartChargingError(f"unknown OCPP version {version!r}; expected 1.6, 2.0.1 or 2.1")
    item = wire(data)
    v16 = version == "1.6"
    profile_id = _int(item.get("chargingProfileId" if v16 else "id"), "/id", required=True)
    stack_level = _int(item.get("stackLevel"), "/stackLevel", required=True)
    purpose = _str(item.get("chargingProfilePurpose"), "/chargingProfilePurpose", PURPOSES[version])
    kind = _str(item.get("chargingProfileKind"), "/chargingProfileKind", KINDS[version])
    if purpose is None or kind is None:
        raise _bad("chargingProfilePurpose and chargingProfileKind are required")
    raw_schedules = item.get("chargingSchedule")
    if v16:
        schedules: tuple[Schedule, ...] = (_schedule(raw_schedules, "/chargingSchedule"),)
    elif isinstance(raw_schedules, Sequence) and not isinstance(raw_schedules, str | bytes):
        schedules = tuple(_schedule(s, f"/chargingSchedule/{i}") for i, s in enumerate(raw_schedules))
    else:
        raise _bad("/chargingSchedule must be an array of schedules")
    transaction: object = item.get("transactionId")
    if transaction is not None:
        transaction = _int(transaction, "/transactionId") if v16 else _str(transaction, "/transactionId")
    assert profile_id is not None and stack_level is not None
    return Profile(
        version=version,
        id=profile_id,
        stack_level=stack_level,
        purpose=purpose,
        kind=kind,
        schedules=schedules,
        recurrency=_str(item.get("recurrencyKind"), "/recurrencyKind", frozenset({"Daily", "Weekly"})),
        valid_from=_time(item.get("validFrom"), "/validFrom"),
        valid_to=_time(item.get("validTo"), "/validTo"),
        transaction_id=transaction if isinstance(transaction, str | int) else None,
        max_offline_duration=_int(item.get("maxOfflineDuration"), "/maxOfflineDuration"),
        invalid_after_offline_duration=bool(
            _bool(item.get("invalidAfterOfflineDuration"), "/invalidAfterOfflineDuration")
        ),
        dynamic_fields=item.get("dynUpdateInterval") is not None or item.get("dynUpdateTime") is not None,
        wire=item,
    )


@dataclass(frozen=True, slots=True)
class StoredProfile:
    """A profile as a station holds it: on ``evse_id`` (0 = the whole station), received at
    ``received_at`` (``None`` when unknown), ``seq`` orders installations (later is newer)."""

    profile: Profile
    evse_id: int
    received_at: datetime | None = None
    seq: int = 0

    @property
    def effective_from(self) -> datetime | None:
        """``validFrom``, or the reception time: a profile without ``validFrom`` is valid once received."""
        return self.profile.valid_from if self.profile.valid_from is not None else self.received_at


@dataclass(frozen=True, slots=True)
class Transaction:
    """A running transaction on one EVSE (connector in 1.6): its id and start, either may be unknown."""

    evse_id: int
    transaction_id: str | int | None = None
    start: datetime | None = None
