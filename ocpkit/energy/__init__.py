"""Meter values to typed readings, energy per transaction, and OCPI charging periods.

Theory of operation
-------------------
Three steps, each usable alone:

1. **Readings.** :func:`readings_from_payload` turns a MeterValues, StartTransaction,
   StopTransaction (1.6) or TransactionEvent (2.x) request (wire-name dict or typed model) into
   :class:`Reading` objects with Decimal values, units and spec defaults (implemented in
   ``ocpkit.energy._meter``, re-exported here). ``meterStart``/``meterStop`` become register readings
   with the contexts ``Transaction.Begin``/``Transaction.End``, so the energy rules treat them
   like any other register sample. Hostile numbers raise :class:`~ocpkit.errors.EnergyError`.

2. **Energy.** :func:`energy_delivered` folds the ``Energy.Active.Import.Register`` samples of one
   transaction into Wh; see its docstring for the rules (one location, totals before phase sums,
   rounding tolerance for mixed Wh/kWh, resets, rollovers, Transaction.Begin/End window). Each step
   down of the register is classified by :func:`classify_step` (jitter, reset or fall; the rule is in
   ``ocpkit.energy._register``): only a fall to near zero is a reset; jitter and other falls add no
   energy and are listed in :attr:`EnergyResult.dips`.

3. **Charging periods.** :func:`charging_periods` cuts the transaction at charging-state changes
   and builds OCPI ``ChargingPeriod`` data (plain frozen dataclasses with Decimal volumes).
   Parking follows the OCPI 2.2.1 erratum: time during which the vehicle does not ask for power
   (``SuspendedEV``), not every minute without energy flow (``SuspendedEVSE`` is charging time).

All arithmetic runs in a private decimal context, so the caller's context (traps, precision) does
not change results.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from ocpkit.energy._meter import (
    _CTX,
    DEFAULT_CONTEXT,
    DEFAULT_LOCATION,
    DEFAULT_MEASURAND,
    Reading,
    SignedMeterValue,
    _as_mapping,
    _default_unit,
    _in_context,
    _opt_str,
    _parse_time,
    convert,
    parse_value,
    quantity_of,
    readings_from_meter_value,
    readings_from_payload,
)
from ocpkit.energy._register import StepKind, classify_step, jitter_tolerance
from ocpkit.errors import EnergyError

__all__ = [
    "DEFAULT_CONTEXT",
    "DEFAULT_LOCATION",
    "DEFAULT_MEASURAND",
    "STATE_KINDS",
    "CdrDimension",
    "ChargingPeriod",
    "EnergyResult",
    "IntervalStats",
    "PeriodKind",
    "Reading",
    "RegisterDip",
    "RegisterReset",
    "SignedMeterValue",
    "StepKind",
    "charging_periods",
    "charging_state_change",
    "classify_step",
    "convert",
    "energy_delivered",
    "interval_stats",
    "jitter_tolerance",
    "parse_value",
    "quantity_of",
    "readings_from_meter_value",
    "readings_from_payload",
]

_REGISTER = DEFAULT_MEASURAND
_EXPORT_REGISTER = "Energy.Active.Export.Register"
_POWER = "Power.Active.Import"
_CURRENT = "Current.Import"
# Interpolated cumulative energy is kept at micro-Wh so that period sums telescope exactly.
_MICRO_WH = Decimal("0.000001")
_HOUR_QUANTUM = Decimal("1e-12")


# --------------------------------------------------------------------------- energy

# Where a value is measured, most to least preferred for billing: what leaves the outlet is what
# the EV driver receives.
_LOCATION_ORDER: Final = ("Outlet", "Cable", "EV", "Inlet", "Upstream", "Body")
# Phase-to-neutral readings name the same conductor as the bare phase.
_PHASE_LINE: Final[Mapping[str, str]] = {
    "L1": "L1",
    "L2": "L2",
    "L3": "L3",
    "L1-N": "L1",
    "L2-N": "L2",
    "L3-N": "L3",
}


@dataclass(frozen=True, slots=True)
class RegisterReset:
    """A register that started again from near zero (or, with a modulus, rolled over) between two samples."""

    timestamp: datetime
    before_wh: Decimal
    after_wh: Decimal
    rollover: bool


@dataclass(frozen=True, slots=True)
class RegisterDip:
    """A register that went down between two consecutive samples without a reset.

    ``kind`` is :attr:`StepKind.JITTER <ocpkit.energy.StepKind>` (within the register's rounding)
    or :attr:`StepKind.FALL <ocpkit.energy.StepKind>` (an error in the data); neither adds energy.
    """

    timestamp: datetime
    before_wh: Decimal
    after_wh: Decimal
    kind: StepKind


@dataclass(frozen=True, slots=True)
class EnergyResult:
    """Energy delivered during one transaction, with how it was found.

    :attr:`energy_wh` is ``None`` when no usable register sample exists. :attr:`series` holds the
    cumulative energy (Wh) at each sample used, in time order. :attr:`dips` lists the samples
    lower than the one before them that were no reset (jitter and falls). :attr:`start_estimated` /
    :attr:`end_estimated` are ``None`` unless the caller said that end of the transaction is not
    among the readings (``start_missing`` / ``end_missing`` of :func:`energy_delivered`); they then
    name the sample that stands for it, e.g. ``"first Energy.Active.Import.Register sample at
    2026-05-01T10:30:00+00:00 (Sample.Periodic, 5500 Wh)"``.
    """

    energy_wh: Decimal | None
    samples: int
    location: str | None
    phase_sum: bool
    resets: tuple[RegisterReset, ...] = ()
    notes: tuple[str, ...] = ()
    series: tuple[tuple[datetime, Decimal], ...] = field(default=(), repr=False)
    dips: tuple[RegisterDip, ...] = ()
    start_estimated: str | None = None
    end_estimated: str | None = None

    @property
    def energy_kwh(self) -> Decimal | None:
        """:attr:`energy_wh` in kWh."""
        return None if self.energy_wh is None else _CTX.divide(self.energy_wh, 1000)


def _checked(readings: Iterable[Reading]) -> list[Reading]:
    items = _listed(readings, "readings")
    for r in items:
        if not isinstance(r, Reading):
            raise EnergyError(f"not a Reading: {type(r).__name__}")
        if r.value is not None and not (isinstance(r.value, Decimal) and r.value.is_finite()):
            raise EnergyError("a Reading value must be a finite Decimal or None")
        _check_span(r.timestamp, r.timestamp)
    return items


def _listed(values: Iterable[Any], name: str) -> list[Any]:
    try:
        return list(values)
    except TypeError:
        raise EnergyError(f"{name} must be iterable") from None


def _pick_location(readings: Sequence[Reading]) -> str | None:
    present = {r.location for r in readings}
    for loc in _LOCATION_ORDER:
        if loc in present:
            return loc
    return min(present) if present else None


def _combine(
    readings: Sequence[Reading], measurand: str, unit: str, notes: list[str]
) -> tuple[list[tuple[datetime, Decimal, Decimal, str, int]], str | None, bool]:
    """Return (time, value in *unit*, resolution, context, order) per sample time, location, phase flag.

    Totals (no phase) are used when any exist; otherwise the phases seen are summed at the times
    where every one of them was sampled.
    """
    usable = []
    for r in readings:
        if r.measurand != measurand or r.value is None or r.unit is None:
            continue
        if quantity_of(r.unit) != quantity_of(unit):
            notes.append(f"{measurand} at {r.timestamp.isoformat()} in {r.unit!r} ignored (not convertible)")
            continue
        usable.append(r)
    location = _pick_location(usable)
    usable = [r for r in usable if r.location == location]
    totals = [r for r in usable if r.phase is None]
    points: list[tuple[datetime, Decimal, Decimal, str, int]] = []
    if totals:
        for i, r in enumerate(totals):
            assert r.value is not None and r.unit is not None
            points.append((r.timestamp, r.to(unit), _resolution(r.value, r.unit, unit), r.context, i))
        return points, location, False
    by_time: dict[datetime, dict[str, Reading]] = {}
    for r in usable:
        line = _PHASE_LINE.get(r.phase or "")
        if line is not None:
            by_time.setdefault(r.timestamp, {})[line] = r
    lines = {line for group in by_time.values() for line in group}
    for i, (ts, group) in enumerate(by_time.items()):
        if set(group) != lines:
            notes.append(
                f"{measurand} at {ts.isoformat()}: phases {sorted(group)} of {sorted(lines)}, skipped"
            )
            continue
        total = sum((g.to(unit) for g in group.values()), Decimal(0))
        res = sum(
            (_resolution(g.value, g.unit, unit) for g in group.values() if g.value is not None), Decimal(0)
        )
        points.append((ts, total, res, next(iter(group.values())).context, i))
    return points, location, bool(points)


def _resolution(value: Decimal | None, unit: str | None, to_unit: str) -> Decimal:
    # The last digit the station sent, in the target unit: "3051.11" kWh is good to 10 Wh.
    if value is None or unit is None:
        return Decimal(0)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return convert(Decimal(1).scaleb(exponent), unit, to_unit)


@_in_context
def energy_delivered(
    readings: Iterable[Reading],
    *,
    rollover_wh: Decimal | int | None = None,
    measurand: str = DEFAULT_MEASURAND,
    start_missing: bool = False,
    end_missing: bool = False,
) -> EnergyResult:
    """Energy (Wh) delivered in one transaction, from its ``Energy.Active.Import.Register`` samples.

    Another energy register can be folded with the same rules by naming it in *measurand*
    (``Energy.Active.Export.Register`` for energy fed back to the grid).

    Pass every reading of the transaction (:func:`readings_from_payload` over its
    StartTransaction, MeterValues and StopTransaction, or its TransactionEvents). Rules:

    * **Location**: one location only, the first present of Outlet, Cable, EV, Inlet, Upstream, Body.
    * **Phases**: totals (no ``phase``) when any exist; otherwise, per sample time, the sum of the
      L1/L2/L3 registers (``L1-N`` counts as L1), only at times where every phase seen is present.
    * **Units**: everything in Wh (kWh ×1000, 2.x multiplier applied), so one log may mix Wh and kWh.
    * **Window**: samples before the earliest ``Transaction.Begin`` or after the latest
      ``Transaction.End`` sample are not part of the transaction and are dropped.
    * **Energy** is the sum of the increases between consecutive samples in time order. The
      register start is the first sample: nothing is assumed about the value before it.
    * **Falls** between consecutive samples are classified by :func:`classify_step`:
    * **Jitter**: a decrease no larger than the coarser resolution of the two samples (a kWh
      value with 2 decimals is good to 10 Wh), and never less than 1 Wh (a register sent with
      fractions of a Wh wobbles by fractions of a Wh at zero power), is rounding, not a reset:
      the higher value stays the baseline, no energy is added, and the dip is listed in ``dips``.
    * **Reset**: a decrease to near zero (at most 1 kWh, or 1 % of the sample before) is a
      register reset or a meter swap; the step across it counts 0 Wh (its energy is unknown) and
      the new value becomes the baseline. With *rollover_wh* (the register's modulus), any
      decrease beyond jitter from below that modulus is a rollover and counts
      ``new + modulus - old``.
    * **Fall**: any other decrease is an error in the data, not a reset: the higher value stays
      the baseline (energy counts again once the register passes it), the dip is listed in
      ``dips`` and a note says so.
    * **Missing values**: no usable sample gives ``energy_wh=None``; one sample gives 0.
    * **Missing ends**: with *start_missing* (the readings lack the transaction's start, e.g. a log
      that begins mid-session) the energy counts from the first sample, and ``start_estimated``
      names it; with *end_missing*, ``end_estimated`` names the last sample, where it ends. The
      figure is the same either way: the flags only make the result say what stands in for an end.
    """
    result_notes: list[str] = []
    items = _checked(readings)
    if quantity_of(_default_unit(measurand) or "") != "energy":
        raise EnergyError(f"{measurand!r} is not an active energy register")
    points, location, phase_sum = _combine(items, measurand, "Wh", result_notes)
    if not points:
        return EnergyResult(None, 0, location, phase_sum, notes=tuple(result_notes))
    begins = [p[0] for p in points if p[3] == "Transaction.Begin"]
    ends = [p[0] for p in points if p[3] == "Transaction.End"]
    lo, hi = (min(begins) if begins else None), (max(ends) if ends else None)
    kept = [p for p in points if (lo is None or p[0] >= lo) and (hi is None or p[0] <= hi)]
    if len(kept) != len(points):
        result_notes.append(
            f"{len(points) - len(kept)} register samples outside Transaction.Begin/End dropped"
        )
    kept.sort(key=lambda p: (p[0], p[4]))
    modulus = None if rollover_wh is None else parse_value(rollover_wh)
    # The baseline is the highest value since the last reset; steps are classified against the
    # sample before (so that a fall is listed once, not once per sample below the baseline).
    base_value = prev_value = kept[0][1]
    prev_res = kept[0][2]
    total = Decimal(0)
    resets: list[RegisterReset] = []
    dips: list[RegisterDip] = []
    series = [(kept[0][0], total)]
    for ts, value, res, _ctx, _i in kept[1:]:
        if value < prev_value:
            step = classify_step(prev_value, value, tolerance=jitter_tolerance(prev_res, res))
        else:
            step = StepKind.RISE
        if step is StepKind.RISE or step is StepKind.JITTER:
            if value > base_value:
                total += value - base_value
                base_value = value
            elif step is StepKind.JITTER:
                dips.append(RegisterDip(ts, prev_value, value, step))
        elif modulus is not None and base_value < modulus and value >= 0:
            total += value + modulus - base_value
            resets.append(RegisterReset(ts, base_value, value, True))
            base_value = value
        elif step is StepKind.RESET:
            resets.append(RegisterReset(ts, base_value, value, False))
            result_notes.append(
                f"register reset at {ts.isoformat()}: {base_value} Wh -> {value} Wh, counted 0"
            )
            base_value = value
        else:
            dips.append(RegisterDip(ts, prev_value, value, step))
            result_notes.append(
                f"register fell at {ts.isoformat()}: {prev_value} Wh -> {value} Wh, not a reset;"
                f" energy counts again above {base_value} Wh"
            )
        prev_value, prev_res = value, res
        series.append((ts, total))
    return EnergyResult(
        total,
        len(kept),
        location,
        phase_sum,
        tuple(resets),
        tuple(result_notes),
        tuple(series),
        tuple(dips),
        start_estimated=_stand_in("first", kept[0], measurand) if start_missing else None,
        end_estimated=_stand_in("last", kept[-1], measurand) if end_missing else None,
    )


def _stand_in(which: str, point: tuple[datetime, Decimal, Decimal, str, int], measurand: str) -> str:
    """How the sample standing for a missing end of the transaction is named in an EnergyResult."""
    at, value, _res, context, _order = point
    return f"{which} {measurand} sample at {at.isoformat()} ({context}, {value.normalize():f} Wh)"


# --------------------------------------------------------------------------- power and current


@dataclass(frozen=True, slots=True)
class IntervalStats:
    """Extremes of active import power (W) and current (A, summed over phases) in an interval.

    A field is ``None`` when no sample of that measurand falls in the interval.
    """

    max_power_w: Decimal | None
    min_power_w: Decimal | None
    max_current_a: Decimal | None
    min_current_a: Decimal | None


@_in_context
def interval_stats(
    readings: Iterable[Reading], start: datetime, end: datetime, *, include_end: bool = False
) -> IntervalStats:
    """Max/min ``Power.Active.Import`` and ``Current.Import`` sampled in ``[start, end)``.

    With *include_end* a sample at *end* counts too (for the last period of a transaction).
    Power: the total when sent, else the sum of the phases at that sample time. Current: per
    sample time, the sum of L1/L2/L3 (the neutral is not a supply conductor), as OCPI's
    MAX_CURRENT / MIN_CURRENT are sums over all phases (OCPI 2.2.1 mod_cdrs CdrDimensionType).
    """
    _check_span(start, end)
    window = [
        r for r in _checked(readings) if start <= r.timestamp < end or (include_end and r.timestamp == end)
    ]
    notes: list[str] = []
    power = [p[1] for p in _combine(window, _POWER, "W", notes)[0]]
    current = [p[1] for p in _combine(window, _CURRENT, "A", notes)[0]]
    return IntervalStats(
        max(power) if power else None,
        min(power) if power else None,
        max(current) if current else None,
        min(current) if current else None,
    )


def _check_span(start: datetime, end: datetime) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise EnergyError(f"{name} must be a timezone-aware datetime")
    if end < start:
        raise EnergyError("end is before start")


# --------------------------------------------------------------------------- charging periods


class PeriodKind(StrEnum):
    """How time in a charging state is billed."""

    CHARGING = "CHARGING"  # OCPI TIME
    PARKING = "PARKING"  # OCPI PARKING_TIME
    IDLE = "IDLE"  # neither: no vehicle connected


# OCPI 2.2.1 erratum (mod_cdrs, CdrDimensionType PARKING_TIME): parking is time in which the
# vehicle does not request power. SuspendedEVSE (the EVSE withholds power the EV asks for) is
# therefore charging time; SuspendedEV, and a connected EV that has not started, is parking.
STATE_KINDS: Final[Mapping[str, PeriodKind]] = {
    # OCPP 2.x ChargingStateEnumType
    "Charging": PeriodKind.CHARGING,
    "SuspendedEVSE": PeriodKind.CHARGING,
    "SuspendedEV": PeriodKind.PARKING,
    "EVConnected": PeriodKind.PARKING,
    "Idle": PeriodKind.IDLE,
    # OCPP 1.6 ChargePointStatus (StatusNotification), those not listed above
    "Preparing": PeriodKind.PARKING,
    "Finishing": PeriodKind.PARKING,
    "Available": PeriodKind.IDLE,
    "Reserved": PeriodKind.IDLE,
    "Unavailable": PeriodKind.IDLE,
    "Faulted": PeriodKind.IDLE,
}


@dataclass(frozen=True, slots=True)
class CdrDimension:
    """One OCPI CdrDimension: a dimension type name and its volume (kWh, hours, kW or A)."""

    type: str
    volume: Decimal


@dataclass(frozen=True, slots=True)
class ChargingPeriod:
    """One OCPI ChargingPeriod as plain data; it lasts until the next period's start."""

    start_date_time: datetime
    dimensions: tuple[CdrDimension, ...]
    kind: PeriodKind
    end_date_time: datetime


def _last_soc(items: Sequence[Reading], a: datetime, b: datetime, last: bool) -> Decimal | None:
    window = [r for r in items if a <= r.timestamp < b or (last and r.timestamp == b)]
    points = _combine(window, "SoC", "Percent", [])[0]
    return max(points, key=lambda p: (p[0], p[4]))[1] if points else None


def charging_state_change(action: str, payload: object) -> tuple[datetime, str] | None:
    """Extract ``(time, state)`` from a 1.6 StatusNotification or a 2.x TransactionEvent.

    Returns ``None`` when the message carries no charging state (a TransactionEvent without
    ``transactionInfo.chargingState``). Raises :class:`~ocpkit.errors.EnergyError` for other
    actions or malformed payloads.
    """
    data = _as_mapping(payload, action)
    if action == "StatusNotification":
        state = _opt_str(data, "status", action)
        if state is None:
            raise EnergyError("StatusNotification: status missing")
        # 1.6 timestamps are optional; without one the state change cannot be placed in time.
        return _parse_time(data.get("timestamp"), f"{action}/timestamp"), state
    if action == "TransactionEvent":
        info = _as_mapping(data.get("transactionInfo"), f"{action}/transactionInfo")
        state = _opt_str(info, "chargingState", f"{action}/transactionInfo")
        if state is None:
            return None
        return _parse_time(data.get("timestamp"), f"{action}/timestamp"), state
    raise EnergyError(f"{action!r} carries no charging state")


def _hours(span: timedelta, exact: bool = False) -> Decimal:
    micros = (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds
    hours = Decimal(micros) / Decimal(3_600_000_000)
    # Durations in periods are rounded to 12 decimals of an hour (under 4 ns); the exact span is
    # always available from the period's start and end datetimes.
    return hours if exact else hours.quantize(_HOUR_QUANTUM)


def _interpolate(
    series: Sequence[tuple[datetime, Decimal]], clock: Callable[[datetime], Decimal], at: datetime
) -> Decimal:
    """Cumulative energy at *at*, linear in *clock* between samples, flat outside them."""
    if at <= series[0][0]:
        return series[0][1]
    if at >= series[-1][0]:
        return series[-1][1]
    for (t0, e0), (t1, e1) in itertools.pairwise(series):
        if t0 <= at < t1:
            if e1 == e0:
                return e0
            c0, c1 = clock(t0), clock(t1)
            # Spread over charging time when some passed between the samples, else over wall time.
            share = (clock(at) - c0) / (c1 - c0) if c1 > c0 else _hours(at - t0, True) / _hours(t1 - t0, True)
            value = e0 + (e1 - e0) * share
            return value.quantize(_MICRO_WH) if value.adjusted() < 24 else value
    return series[-1][1]


@_in_context
def charging_periods(
    readings: Iterable[Reading],
    states: Iterable[tuple[datetime, str]],
    start: datetime,
    end: datetime,
    *,
    initial_state: str = "Charging",
    state_kinds: Mapping[str, PeriodKind] | None = None,
    split_at: Iterable[datetime] = (),
    session_dimensions: bool = False,
    rollover_wh: Decimal | int | None = None,
) -> tuple[ChargingPeriod, ...]:
    """Build OCPI charging periods for a transaction from ``start`` to ``end``.

    A new period starts at *start*, at every state change that changes the
    :class:`PeriodKind` (see :data:`STATE_KINDS`; override with *state_kinds*), and at every
    instant in *split_at* (e.g. tariff boundaries). The state before the first change is the last
    change at or before *start*, else *initial_state*. Each period carries:

    * ``TIME`` (charging kind) or ``PARKING_TIME`` (parking kind), in hours; idle time carries
      neither, and an idle period with no measured dimension is left out;
    * ``ENERGY`` in kWh when register samples exist: the register's increase is spread over time
      linearly in *charging* time (so energy measured across a charging→parking boundary lands in
      the charging period), or in wall time where no charging time passed between two samples;
      the periods' energies add up exactly to :func:`energy_delivered`. With an
      ``Energy.Active.Export.Register`` too, ENERGY is import minus export (OCPI: negative when
      more energy went to the grid);
    * ``MAX_POWER``/``MIN_POWER`` (kW) and ``MAX_CURRENT``/``MIN_CURRENT`` (A, summed over
      phases) from samples inside the period (see :func:`interval_stats`);
    * with *session_dimensions*, also the dimensions OCPI allows in Sessions only:
      ``ENERGY_IMPORT`` and ``ENERGY_EXPORT`` (kWh, from the two registers) and
      ``STATE_OF_CHARGE`` (the last ``SoC`` sample of the period, in percent).

    *rollover_wh* applies to both registers (see :func:`energy_delivered`). Hours are rounded to
    12 decimals; the exact span of a period is ``end_date_time - start_date_time``.
    """
    _check_span(start, end)
    kinds = STATE_KINDS if state_kinds is None else state_kinds

    def kind_of(state: str) -> PeriodKind:
        try:
            return kinds[state]
        except (KeyError, TypeError):
            raise EnergyError(f"unknown charging state {state!r}") from None

    items = _checked(readings)
    changes: list[tuple[datetime, PeriodKind]] = []
    for pair in _listed(states, "states"):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise EnergyError("states must be (datetime, state) pairs")
        ts, state = pair
        _check_span(ts, ts)
        changes.append((ts, kind_of(state)))
    changes.sort(key=lambda c: c[0])  # stable: changes at one instant keep their order
    current = kind_of(initial_state)
    for ts, kind in changes:
        if ts <= start:
            current = kind
    splits = set()
    for ts in _listed(split_at, "split_at"):
        _check_span(ts, ts)
        if start < ts < end:
            splits.add(ts)
    cuts = sorted(
        [(ts, k) for ts, k in changes if start < ts < end] + [(ts, None) for ts in splits], key=lambda c: c[0]
    )
    raw: list[tuple[datetime, PeriodKind]] = [(start, current)]
    for ts, maybe_kind in cuts:
        kind = raw[-1][1] if maybe_kind is None else maybe_kind
        if raw[-1][0] == ts:
            raw[-1] = (ts, kind)  # the last change at one instant wins
        else:
            raw.append((ts, kind))
    # A boundary stays only where the kind changes or where the caller asked for a split.
    spans: list[tuple[datetime, PeriodKind]] = []
    for ts, kind in raw:
        if spans and spans[-1][1] == kind and ts not in splits:
            continue
        spans.append((ts, kind))
    bounds = [*(s[0] for s in spans), end]

    def charging_clock(at: datetime) -> Decimal:
        total = Decimal(0)
        for (a, kind), b in zip(spans, bounds[1:], strict=True):
            if kind is PeriodKind.CHARGING and at > a:
                total += _hours(min(at, b) - a, exact=True)
        return total

    def clamped(result: EnergyResult) -> list[tuple[datetime, Decimal]]:
        return [(min(max(t, start), end), e) for t, e in result.series]

    imported = clamped(energy_delivered(items, rollover_wh=rollover_wh))
    exported = clamped(energy_delivered(items, rollover_wh=rollover_wh, measurand=_EXPORT_REGISTER))

    def kwh_in(series: list[tuple[datetime, Decimal]], a: datetime, b: datetime) -> Decimal | None:
        if not series:
            return None
        return (_interpolate(series, charging_clock, b) - _interpolate(series, charging_clock, a)) / 1000

    periods: list[ChargingPeriod] = []
    for index, ((a, kind), b) in enumerate(zip(spans, bounds[1:], strict=True)):
        last = index == len(spans) - 1
        dims: list[CdrDimension] = []
        imp, exp = kwh_in(imported, a, b), kwh_in(exported, a, b)
        if imp is not None or exp is not None:
            # OCPI ENERGY is net: negative when more went back to the grid than into the EV.
            dims.append(CdrDimension("ENERGY", (imp or Decimal(0)) - (exp or Decimal(0))))
        if kind is PeriodKind.CHARGING:
            dims.append(CdrDimension("TIME", _hours(b - a)))
        elif kind is PeriodKind.PARKING:
            dims.append(CdrDimension("PARKING_TIME", _hours(b - a)))
        stats = interval_stats(items, a, b, include_end=last)
        if stats.max_power_w is not None and stats.min_power_w is not None:
            dims.append(CdrDimension("MAX_POWER", stats.max_power_w / 1000))
            dims.append(CdrDimension("MIN_POWER", stats.min_power_w / 1000))
        if stats.max_current_a is not None and stats.min_current_a is not None:
            dims.append(CdrDimension("MAX_CURRENT", stats.max_current_a))
            dims.append(CdrDimension("MIN_CURRENT", stats.min_current_a))
        if session_dimensions:
            if imp is not None:
                dims.append(CdrDimension("ENERGY_IMPORT", imp))
            if exp is not None:
                dims.append(CdrDimension("ENERGY_EXPORT", exp))
            soc = _last_soc(items, a, b, last)
            if soc is not None:
                dims.append(CdrDimension("STATE_OF_CHARGE", soc))
        if kind is PeriodKind.IDLE and not any(d.type != "ENERGY" or d.volume for d in dims):
            continue
        periods.append(ChargingPeriod(a, tuple(dims), kind, b))
    return tuple(periods)
