"""The arithmetic of one stretch of a composite schedule: limits of several profiles made one.

Theory of operation: each profile period in force contributes a :class:`Part`
-- its limit, per-phase limits, setpoint and discharge limit in its own unit,
with the phases it states. :func:`combine` takes the parts of one stretch in
precedence order and returns the :class:`Level` in the requested unit: the
lowest limit (the part that gave it, and whether it was converted), the
phases in use (the lowest stated), the setpoint of the first part that has one
clamped into [discharge limit, limit], the tightest discharge limit. A W limit
is a total over the phases unless per-phase values are given (2.1); an A limit
is per phase; conversion uses the station's voltage and the phases in use and
cuts divisions to six decimals toward zero. :func:`add_up` is the EVSE 0 sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ocpkit.ocpp.smart_charging._profile import Period
from ocpkit.ocpp.smart_charging._types import ProfileRef, Station, _cut

__all__ = ["NONE3", "Level", "Part", "add_up", "as_part", "combine", "default_level", "part_of"]


@dataclass(frozen=True, slots=True)
class Part:
    """A contribution to one stretch: limits in their unit, with the phases they state."""

    unit: str
    limit: Decimal | None
    limit_l2: Decimal | None
    limit_l3: Decimal | None
    phases: int | None
    phase_to_use: int | None
    setpoint: tuple[Decimal | None, Decimal | None, Decimal | None]
    discharge: tuple[Decimal | None, Decimal | None, Decimal | None]
    ref: ProfileRef | None
    converted: bool = False

    @property
    def per_phase(self) -> bool:
        return self.limit_l2 is not None or self.limit_l3 is not None


def part_of(p: Period, unit: str, ref: ProfileRef, dc: bool, version: str) -> Part:
    phases = p.number_phases
    if phases is None and version != "1.6" and not dc:
        phases = 3  # 2.x K01.FR.49: an AC period without numberPhases uses three
    if dc:
        phases = None
    return Part(
        unit,
        p.limit,
        p.limit_l2,
        p.limit_l3,
        phases,
        p.phase_to_use,
        (p.setpoint, p.setpoint_l2, p.setpoint_l3),
        (p.discharge_limit, p.discharge_limit_l2, p.discharge_limit_l3),
        ref,
    )


@dataclass(frozen=True, slots=True)
class Level:
    """The combined value of a stretch, in the requested unit (report form)."""

    limit: Decimal | None
    limit_l2: Decimal | None
    limit_l3: Decimal | None
    phases: int | None
    phase_to_use: int | None
    setpoint: tuple[Decimal | None, Decimal | None, Decimal | None]
    discharge: tuple[Decimal | None, Decimal | None, Decimal | None]
    ref: ProfileRef | None
    converted: bool


NONE3: tuple[Decimal | None, Decimal | None, Decimal | None] = (None, None, None)


def _to_unit(value: Decimal, unit: str, target: str, phases: int, voltage: Decimal, total: bool) -> Decimal:
    """Convert one value; ``total`` says whether a W value is the sum over ``phases`` phases."""
    if unit == target:
        return value
    if unit == "A":  # per-phase current -> power
        return value * voltage * (phases if total else 1)
    return _cut(value / (voltage * (phases if total else 1)))


def _triple(
    first: Decimal,
    l2: Decimal | None,
    l3: Decimal | None,
    unit: str,
    target: str,
    phases: int,
    voltage: Decimal,
) -> tuple[Decimal, Decimal, Decimal]:
    """Per-phase values in *target*: a W total is split over the phases first."""
    if l2 is None and l3 is None:
        base = first if unit == "A" else _cut(first / phases)
        one = _to_unit(base, unit, target, phases, voltage, total=False)
        return one, one, one
    values = (first, first if l2 is None else l2, first if l3 is None else l3)
    out = tuple(_to_unit(v, unit, target, phases, voltage, total=False) for v in values)
    return out[0], out[1], out[2]


def combine(parts: Sequence[Part], target: str, station: Station, three: bool) -> Level | None:
    """The lowest limit of *parts* (in precedence order), with its setpoint and discharge limit.

    ``None`` when no part gives a limit. ``three`` asks for per-phase values (2.1).
    """
    limiting = [p for p in parts if p.limit is not None]
    setpoint_part = next((p for p in parts if p.setpoint[0] is not None), None)
    if not limiting:
        return None
    stated = [p.phases for p in limiting if p.phases is not None]
    phases = min(stated) if stated else None
    n = phases if phases is not None else station.default_number_phases
    voltage = station.supply_voltage
    best: tuple[Decimal, Decimal, Decimal] | None = None
    best_part = limiting[0]
    for part in limiting:
        assert part.limit is not None
        if three:
            values = _triple(part.limit, part.limit_l2, part.limit_l3, part.unit, target, n, voltage)
        elif part.unit == target:
            values = (part.limit, part.limit, part.limit)  # the common case: nothing to convert
        else:
            one = _to_unit(part.limit, part.unit, target, n, voltage, total=True)
            values = (one, one, one)
        if best is None:
            best, best_part = values, part
        elif three:
            if values[0] < best[0]:
                best_part = part
            best = (min(best[0], values[0]), min(best[1], values[1]), min(best[2], values[2]))
        elif values[0] < best[0]:
            best, best_part = values, part
    assert best is not None
    converted = best_part.converted or best_part.unit != target
    discharge = _discharge(parts, target, n, voltage, three)
    setpoint = NONE3
    if setpoint_part is not None:
        raw = setpoint_part.setpoint
        assert raw[0] is not None
        if three:
            setpoint = _triple(raw[0], raw[1], raw[2], setpoint_part.unit, target, n, voltage)
        else:
            one = _to_unit(raw[0], setpoint_part.unit, target, n, voltage, total=True)
            setpoint = (one, one, one)
        setpoint = _clamped(setpoint, best, discharge)
    phase_to_use = None
    if phases == 1:
        phase_to_use = next((p.phase_to_use for p in limiting if p.phases == 1 and p.phase_to_use), None)
    if three and phases == 1:
        # One phase in use, which one is not known: take the tightest of the three values.
        low = min(best)
        drain = max((d for d in discharge if d is not None), default=None)
        target_setpoint = min((x for x in setpoint if x is not None), default=None)
        if target_setpoint is not None:
            target_setpoint = _clamped((target_setpoint,), (low, low, low), (drain,))[0]
        return Level(
            low,
            None,
            None,
            phases,
            phase_to_use,
            (target_setpoint, None, None),
            (drain, None, None),
            best_part.ref,
            converted,
        )
    return Level(
        best[0],
        best[1] if three else None,
        best[2] if three else None,
        phases,
        phase_to_use,
        setpoint if three else (setpoint[0], None, None),
        discharge if three else (discharge[0], None, None),
        best_part.ref,
        converted,
    )


def _discharge(
    parts: Sequence[Part], target: str, n: int, voltage: Decimal, three: bool
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The tightest discharge limit (closest to zero) of the parts that give one."""
    found: list[Decimal | None] = [None, None, None]
    for part in parts:
        raw = part.discharge
        if raw[0] is None:
            continue
        if three:
            values = _triple(raw[0], raw[1], raw[2], part.unit, target, n, voltage)
        else:
            one = _to_unit(raw[0], part.unit, target, n, voltage, total=True)
            values = (one, one, one)
        found = [v if f is None else max(f, v) for f, v in zip(found, values, strict=True)]
    return found[0], found[1], found[2]


def _clamped(
    setpoint: tuple[Decimal | None, ...],
    limit: tuple[Decimal, Decimal, Decimal],
    discharge: tuple[Decimal | None, ...],
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    out: list[Decimal | None] = []
    for value, high, low in zip(setpoint, limit, discharge, strict=True):
        if value is None:
            out.append(None)
            continue
        value = min(value, high)
        out.append(value if low is None else max(value, low))
    return out[0], out[1], out[2]


def as_part(level: Level, unit: str) -> Part:
    return Part(
        unit,
        level.limit,
        level.limit_l2,
        level.limit_l3,
        level.phases,
        level.phase_to_use,
        level.setpoint,
        level.discharge,
        level.ref,
        level.converted,
    )


def default_level(station: Station, unit: str) -> Level | None:
    value = station.default_limit(unit)
    if value is None:
        return None
    return Level(value, None, None, None, None, NONE3, NONE3, None, False)


def add_up(levels: Sequence[Level], unit: str, station: Station, three: bool) -> Level:
    """EVSE 0: the EVSE limits added up (per phase when ``three``); phases in use: the most."""
    stated = [lv.phases for lv in levels if lv.phases is not None]
    phases = max(stated) if stated else None
    totals = [Decimal(0), Decimal(0), Decimal(0)]
    for lv in levels:
        assert lv.limit is not None
        if three:
            own = lv.phases if lv.phases is not None else station.default_number_phases
            if lv.limit_l2 is None and lv.limit_l3 is None:
                first = lv.limit if unit == "A" else _cut(lv.limit / own)
                values = (first, first, first)
            else:
                values = (lv.limit, lv.limit_l2 or lv.limit, lv.limit_l3 or lv.limit)
        else:
            values = (lv.limit, lv.limit, lv.limit)
        totals = [t + v for t, v in zip(totals, values, strict=True)]
    ref = next((lv.ref for lv in levels if lv.ref is not None), None)
    converted = any(lv.converted for lv in levels)
    if three:
        return Level(totals[0], totals[1], totals[2], phases, None, NONE3, NONE3, ref, converted)
    return Level(totals[0], None, None, phases, None, NONE3, NONE3, ref, converted)
