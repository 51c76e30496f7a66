"""What the smart-charging rules need to know about a station, and what they answer.

Theory of operation: :class:`Station` gathers the facts a charging station
would read from its configuration (1.6 configuration keys, 2.x device-model
variables): how many EVSEs it has, its supply voltage and phases, the units
and features it supports, its limits on profiles. A fact left at ``None`` is
*unknown*: the rules that depend on it are not applied, with one deliberate
exception, ``ac_phase_switching_supported``, which OCPP 2.x treats as false
unless it is defined. The default limit is an input too: where no profile
gives a limit, a composite schedule reports :attr:`Station.default_limit_a`
or :attr:`Station.default_limit_w`, or ``None`` (the station's own limit,
unknown) -- never a guess. :class:`CompositeSchedule` is the answer of
:func:`~ocpkit.ocpp.smart_charging.composite_schedule`, with each period
naming the profile that set its limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from ocpkit.errors import SmartChargingError

__all__ = [
    "CONVERSION_PLACES",
    "CompositePeriod",
    "CompositeSchedule",
    "ProfileRef",
    "Station",
    "decimal_of",
]

CONVERSION_PLACES: Final = 6
"""Decimal places kept when a limit is divided (W to A, or a W total into phases); the rest is cut
toward zero, so a converted limit is never looser than the exact one."""


def decimal_of(value: object, name: str) -> Decimal:
    """A finite ``Decimal`` from an int, float, str or Decimal; :class:`SmartChargingError` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise SmartChargingError(f"{name} must be a number, not {value!r}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise SmartChargingError(f"{name} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise SmartChargingError(f"{name} must be finite, not {value!r}")
    return number


def _opt_int(value: object, name: str, low: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise SmartChargingError(f"{name} must be an integer >= {low}, not {value!r}")
    return value


@dataclass(frozen=True)
class Station:
    """The configuration of one charging station, as far as smart charging needs it.

    * ``evse_count``: EVSEs (2.x) or connectors (1.6), numbered from 1; needed for EVSE 0
      composite schedules and for the EVSE-exists rule.
    * ``supply_voltage`` (V, per phase) and ``default_number_phases`` convert between A and W
      (on a DC EVSE too, whose own voltage a profile does not give: keep DC limits in one unit).
    * ``supply_phases``: phases of the grid connection, ``0`` for a DC station (2.x
      ``ChargingStation.SupplyPhases``); ``evse_current`` overrides it per EVSE (``"AC"``/``"DC"``).
    * ``default_limit_a`` / ``default_limit_w``: the limit of one EVSE where no profile gives one
      (libocpp calls it ``CompositeScheduleDefaultLimitAmps/Watts``); when only one is given the
      other is converted with ``default_number_phases``.
    * ``charging_rate_units``: the units the station accepts (1.6
      ``ChargingScheduleAllowedChargingRateUnit``, 2.x ``ChargingScheduleChargingRateUnit``).
    * ``max_stack_level``, ``max_profiles``, ``max_periods``: 1.6 ``ChargeProfileMaxStackLevel``,
      ``MaxChargingProfilesInstalled``, ``ChargingScheduleMaxPeriods`` (2.x: the
      SmartChargingCtrlr ``ProfileStackLevel``, ``Entries`` and ``PeriodsPerSchedule``).
    * 2.1: ``supported_purposes`` (the additional purposes PriorityCharging/LocalGeneration
      supported), ``supports_dynamic``, ``supports_local_time``, ``supports_randomized_delay``,
      ``supports_limit_at_soc``, ``supports_evse_sleep``, ``dc_input_phase_control``,
      ``max_external_constraints_id``, ``update_rate_limit`` (seconds).
    * ``tz``: the station's local time zone, for 2.1 ``useLocalTime`` schedules.
    * ``ignored_purposes_offline``: purposes a station ignores while offline.
    """

    evse_count: int | None = None
    supply_voltage: Decimal = Decimal(230)
    default_number_phases: int = 3
    supply_phases: int | None = None
    evse_current: Mapping[int, str] = field(default_factory=dict)
    default_limit_a: Decimal | None = None
    default_limit_w: Decimal | None = None
    charging_rate_units: frozenset[str] | None = None
    ac_phase_switching_supported: bool | None = None
    max_stack_level: int | None = None
    max_profiles: int | None = None
    max_periods: int | None = None
    supported_purposes: frozenset[str] | None = None
    supports_dynamic: bool | None = None
    supports_local_time: bool | None = None
    supports_randomized_delay: bool | None = None
    supports_limit_at_soc: bool | None = None
    supports_evse_sleep: bool | None = None
    dc_input_phase_control: bool | None = None
    max_external_constraints_id: int | None = None
    update_rate_limit: int | None = None
    tz: tzinfo | None = None
    ignored_purposes_offline: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "evse_count", _opt_int(self.evse_count, "evse_count"))
        voltage = decimal_of(self.supply_voltage, "supply_voltage")
        if voltage <= 0:
            raise SmartChargingError(f"supply_voltage must be positive, not {voltage}")
        set_(self, "supply_voltage", voltage)
        if _opt_int(self.default_number_phases, "default_number_phases", 1) is None or not (
            1 <= self.default_number_phases <= 3
        ):
            raise SmartChargingError(
                f"default_number_phases must be 1, 2 or 3, not {self.default_number_phases!r}"
            )
        set_(self, "supply_phases", _opt_int(self.supply_phases, "supply_phases"))
        for name in ("default_limit_a", "default_limit_w"):
            value = getattr(self, name)
            if value is not None:
                number = decimal_of(value, name)
                if number < 0:
                    raise SmartChargingError(f"{name} must not be negative, not {number}")
                set_(self, name, number)
        if not isinstance(self.evse_current, Mapping) or any(
            v not in ("AC", "DC") for v in self.evse_current.values()
        ):
            raise SmartChargingError("evse_current maps EVSE ids to 'AC' or 'DC'")
        set_(self, "evse_current", dict(self.evse_current))
        for name in ("charging_rate_units", "supported_purposes"):
            value = getattr(self, name)
            if value is not None:
                set_(self, name, _strings(value, name))
        set_(
            self,
            "ignored_purposes_offline",
            _strings(self.ignored_purposes_offline, "ignored_purposes_offline"),
        )
        for name in ("max_stack_level", "max_profiles", "max_periods", "update_rate_limit"):
            set_(self, name, _opt_int(getattr(self, name), name))
        if self.max_external_constraints_id is not None and (
            isinstance(self.max_external_constraints_id, bool)
            or not isinstance(self.max_external_constraints_id, int)
        ):
            raise SmartChargingError("max_external_constraints_id must be an integer")

    def is_dc(self, evse_id: int | None) -> bool:
        """Whether an EVSE (or, for ``None`` / 0, the station) delivers direct current."""
        if evse_id is not None and evse_id in self.evse_current:
            return self.evse_current[evse_id] == "DC"
        return self.supply_phases == 0

    def default_limit(self, unit: str) -> Decimal | None:
        """The limit of one EVSE where no profile applies, in *unit* (``None`` when not configured)."""
        direct = self.default_limit_a if unit == "A" else self.default_limit_w
        if direct is not None:
            return direct
        factor = self.supply_voltage * self.default_number_phases
        if unit == "A" and self.default_limit_w is not None:
            return _cut(self.default_limit_w / factor)
        if unit == "W" and self.default_limit_a is not None:
            return self.default_limit_a * factor
        return None


def _strings(value: object, name: str) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise SmartChargingError(f"{name} must be a collection of strings")
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise SmartChargingError(f"{name} must be a collection of strings")
    return frozenset(str(v) for v in items)


def _cut(value: Decimal) -> Decimal:
    """Cut a quotient to :data:`CONVERSION_PLACES` decimals toward zero (exact values stay as they are)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -CONVERSION_PLACES:
        return value.quantize(Decimal(1).scaleb(-CONVERSION_PLACES), rounding="ROUND_DOWN")
    return value


@dataclass(frozen=True, slots=True)
class ProfileRef:
    """The profile that set a composite period's limit: id, purpose, stack level and EVSE (0 = station)."""

    id: int
    purpose: str
    stack_level: int
    evse_id: int


@dataclass(frozen=True, slots=True)
class CompositePeriod:
    """One period of a composite schedule, from ``start_period`` seconds after the schedule start.

    ``limit`` is ``None`` where no profile gives a limit and the station's default limit is not
    known. In W and without ``limit_l2``/``limit_l3`` limits are totals over all phases; with
    them (OCPP 2.1) they are per phase. ``source`` names the profile whose period set the
    limit (``None``: the default limit); ``converted`` is true when that limit was converted
    between A and W.
    """

    start_period: int
    limit: Decimal | None
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
    source: ProfileRef | None = None
    converted: bool = False

    def same_values(self, other: CompositePeriod) -> bool:
        """Whether two periods say the same (everything but the start and the diagnostics)."""
        return (
            self.limit == other.limit
            and self.number_phases == other.number_phases
            and self.phase_to_use == other.phase_to_use
            and self.limit_l2 == other.limit_l2
            and self.limit_l3 == other.limit_l3
            and self.setpoint == other.setpoint
            and self.setpoint_l2 == other.setpoint_l2
            and self.setpoint_l3 == other.setpoint_l3
            and self.discharge_limit == other.discharge_limit
            and self.discharge_limit_l2 == other.discharge_limit_l2
            and self.discharge_limit_l3 == other.discharge_limit_l3
        )


# OCPP 2.1 period fields of a composite schedule: attribute -> wire name.
_WIRE_21: Final[Mapping[str, str]] = {
    "limit_l2": "limit_L2",
    "limit_l3": "limit_L3",
    "setpoint": "setpoint",
    "setpoint_l2": "setpoint_L2",
    "setpoint_l3": "setpoint_L3",
    "discharge_limit": "dischargeLimit",
    "discharge_limit_l2": "dischargeLimit_L2",
    "discharge_limit_l3": "dischargeLimit_L3",
}
_TENTH = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    """The limits a station should enforce on one EVSE (0 = the whole station) over a window.

    ``start`` is the window start (whole seconds, UTC), ``duration`` its length in seconds,
    ``unit`` ``"A"`` or ``"W"``. ``periods`` cover the whole window from ``start_period`` 0,
    consecutive periods always differ. ``ignored`` names the stored profiles that play no part
    although they are installed for the EVSE: LocalGeneration profiles (not combined yet), a
    maximum profile on an EVSE other than 0, a TxProfile whose transaction does not run.
    """

    version: str
    evse_id: int
    start: datetime
    duration: int
    unit: str
    periods: tuple[CompositePeriod, ...]
    ignored: tuple[ProfileRef, ...] = ()

    @property
    def end(self) -> datetime:
        """The end of the window."""
        return self.start + timedelta(seconds=self.duration)

    def at(self, moment: datetime) -> CompositePeriod | None:
        """The period in force at *moment* (``None`` outside the window)."""
        offset = (moment - self.start) // timedelta(seconds=1)
        if offset < 0 or offset >= self.duration:
            return None
        found = self.periods[0]
        for period in self.periods:
            if period.start_period > offset:
                break
            found = period
        return found

    def to_ocpp(self) -> dict[str, Any]:
        """The schedule as the version's GetCompositeSchedule response carries it (wire names).

        1.6 gives the ``chargingSchedule`` object, 2.x the ``CompositeScheduleType`` (``schedule``).
        Limits are cut to one decimal in 1.6 and 2.0.1 (1.6 schema ``multipleOf 0.1``; 2.0.1
        allows at most one fraction digit), toward zero; 2.1 keeps them. A period whose limit is
        unknown cannot be written: :class:`SmartChargingError`.
        """
        one_decimal = self.version in ("1.6", "2.0.1")
        periods: list[dict[str, Any]] = []
        for p in self.periods:
            if p.limit is None:
                raise SmartChargingError(
                    f"period at {p.start_period} s has no known limit (set Station.default_limit_a/_w)"
                )
            item: dict[str, Any] = {"startPeriod": p.start_period, "limit": _written(p.limit, one_decimal)}
            if p.number_phases is not None:
                item["numberPhases"] = p.number_phases
            if p.phase_to_use is not None and self.version != "1.6":
                item["phaseToUse"] = p.phase_to_use
            if self.version == "2.1":
                for attr, name in _WIRE_21.items():
                    value = getattr(p, attr)
                    if value is not None:
                        item[name] = value
            periods.append(item)
        start = self.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.version == "1.6":
            return {
                "duration": self.duration,
                "startSchedule": start,
                "chargingRateUnit": self.unit,
                "chargingSchedulePeriod": periods,
            }
        return {
            "evseId": self.evse_id,
            "duration": self.duration,
            "scheduleStart": start,
            "chargingRateUnit": self.unit,
            "chargingSchedulePeriod": periods,
        }

    def response(self) -> dict[str, Any]:
        """A whole ``GetCompositeScheduleResponse`` payload (status ``Accepted``) for this schedule."""
        schedule = self.to_ocpp()
        if self.version == "1.6":
            return {
                "status": "Accepted",
                "connectorId": self.evse_id,
                "scheduleStart": schedule["startSchedule"],
                "chargingSchedule": schedule,
            }
        return {"status": "Accepted", "schedule": schedule}

    def response_model(self) -> Any:
        """:meth:`response` as the version's generated ``GetCompositeScheduleResponse`` model
        (``.model_dump_json()`` writes the JSON text, numbers exact)."""
        from ocpkit.ocpp import actions  # the version's models load on first use

        spec = actions(self.version)["GetCompositeSchedule"]
        assert spec.response is not None
        return spec.response.model_validate(self.response())


def _written(value: Decimal, one_decimal: bool) -> Decimal:
    if one_decimal and value != value.quantize(_TENTH, rounding="ROUND_DOWN"):
        return value.quantize(_TENTH, rounding="ROUND_DOWN")
    return value
