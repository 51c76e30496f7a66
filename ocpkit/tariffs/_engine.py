"""The pricing run: one compiled tariff, one normalised CDR, one pass over its periods.

Theory of operation. :func:`run` orders the periods, then for each one and
each dimension it has (FLAT once per session and once per reservation) walks
the compiled choices of that dimension and takes the first whose check holds
at the period's start; a check that needs the local time gets it, converted
once per period. The chosen lines are rounded up by ``step_size`` per group
(:func:`~ocpkit.tariffs._rules.step`), then priced: each line's exact numerator (volume x step
units + extra units, times the unit price) is divided once, and the totals sum
the numerators per (VAT rate, unit) before dividing, so that how a volume is
split over periods cannot change an inexact division. Amounts travel as
``(excl, incl, taxes)`` triples with exactly the operations of
:class:`~ocpkit.tariffs.Price` addition, so results equal those of adding
``Price`` objects; the result objects are built once, at the end.

All arithmetic runs in one module-level :class:`~decimal.Context` (28 digits,
half-even, the default traps), set by :func:`in_context` for the length of a
call, so results do not depend on the caller's decimal context.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from decimal import Context, Decimal, getcontext, setcontext
from typing import Any, Final, TypeVar

from ocpkit.errors import PricingError
from ocpkit.tariffs._compile import CHARGING, EXPIRED, RESERVED, CompiledTariff
from ocpkit.tariffs._input import NPeriod, NTariff, PricingInput
from ocpkit.tariffs._results import Price, PricedLine, Pricing, Rounding, Tax
from ocpkit.tariffs._rules import At, Line, holds, seconds, step

__all__ = ["CONTEXT", "in_context", "run"]

#: The context of every pricing operation: 28 significant digits, as Decimal's default.
CONTEXT: Final = Context(prec=28)

_T = TypeVar("_T")
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_HOUR: Final = Decimal(3600)
# Step units per volume unit, by dimension index (FLAT, ENERGY, TIME, PARKING_TIME):
# OCPI TariffDimensionType step_size is in Wh for ENERGY and seconds for the times.
_PER_VOLUME: Final = (_ONE, Decimal(1000), _HOUR, _HOUR)
_NAMES: Final = ("FLAT", "ENERGY", "TIME", "PARKING_TIME")
FLAT, ENERGY, TIME, PARKING = 0, 1, 2, 3

# An amount as (excl. tax, incl. tax, ((VAT rate, tax), ...)); None where unknown.
Triple = tuple[Decimal | None, Decimal | None, tuple[tuple[Decimal | None, Decimal], ...]]

_new = object.__new__
_set = object.__setattr__


def in_context(fn: Callable[..., _T], *args: Any) -> _T:
    """Call ``fn(*args)`` with :data:`CONTEXT` as the thread's decimal context."""
    saved = getcontext()
    if saved is CONTEXT:
        return fn(*args)
    setcontext(CONTEXT)
    try:
        return fn(*args)
    finally:
        setcontext(saved)


# --------------------------------------------------------------------------- money


def _amount_rule(
    version: str, tax_included: str | None
) -> Callable[[Decimal, Decimal | None, Decimal | None], Triple]:
    """The tax rule of a version and tariff: (amount, VAT rate, 1 + rate/100) -> amount with tax."""
    if version == "2.1.1":

        def no_vat(amount: Decimal, vat: Decimal | None, factor: Decimal | None) -> Triple:
            return (amount, None, ())

        return no_vat
    if version == "2.3.0" and tax_included == "N/A":

        def untaxed(amount: Decimal, vat: Decimal | None, factor: Decimal | None) -> Triple:
            return (_ZERO, _ZERO, ()) if amount == 0 else (amount, amount, ())

        return untaxed
    if version == "2.3.0" and tax_included == "YES":

        def included(amount: Decimal, vat: Decimal | None, factor: Decimal | None) -> Triple:
            # OCPI 2.3.0 tariffs: prices include tax; VAT, when given, tells how much.
            if amount == 0:
                return (_ZERO, _ZERO, ())
            if factor is None:
                return (None, amount, ())
            excl = amount / factor
            return (excl, amount, ((vat, amount - excl),))

        return included
    # 2.2.1: no vat means no VAT applies; 2.3.0 with tax_included NO: tax unknown.
    known = version == "2.2.1"

    def excluded(amount: Decimal, vat: Decimal | None, factor: Decimal | None) -> Triple:
        if amount == 0:
            return (_ZERO, _ZERO, ())
        if factor is None:
            return (amount, amount, ()) if known else (amount, None, ())
        incl = amount * factor
        return (amount, incl, ((vat, incl - amount),))

    return excluded


def _plus(a: Triple, b: Triple) -> Triple:
    """``Price(*a) + Price(*b)``, operation for operation."""
    ta, tb = a[2], b[2]
    taxes: tuple[tuple[Decimal | None, Decimal], ...] = ()
    if ta or tb:
        merged: dict[Decimal | None, Decimal] = {}
        for p, x in ta:
            merged[p] = merged.get(p, _ZERO) + x
        for p, x in tb:
            merged[p] = merged.get(p, _ZERO) + x
        taxes = tuple(merged.items())
    ea, eb, ia, ib = a[0], b[0], a[1], b[1]
    return (
        None if ea is None or eb is None else ea + eb,
        None if ia is None or ib is None else ia + ib,
        taxes,
    )


def _price(t: Triple, rounding: Rounding | None) -> Price:
    excl, incl, taxes = t
    if rounding is not None:
        apply = rounding.apply
        excl = None if excl is None else apply(excl)
        incl = None if incl is None else apply(incl)
        taxes = tuple((p, apply(a)) for p, a in taxes)
    # A frozen dataclass built without its __init__, which costs a call per field.
    price: Price = _new(Price)
    _set(price, "excl_vat", excl)
    _set(price, "incl_vat", incl)
    _set(price, "taxes", tuple([Tax(p, a) for p, a in taxes]) if taxes else ())
    return price


def _limit_adjustment(tariff: NTariff, subtotal: Triple, version: str) -> Triple:
    """OCPI 2.2.1 tariffs, min_price/max_price: excl. and incl. VAT bounds apply separately."""
    excl, incl = subtotal[0], subtotal[1]
    for limit, is_min in ((tariff.min_price, True), (tariff.max_price, False)):
        if limit is None:
            continue
        if excl is not None and (excl < limit.excl if is_min else excl > limit.excl):
            excl = limit.excl
        if (
            limit.incl is not None
            and incl is not None
            and (incl < limit.incl if is_min else incl > limit.incl)
        ):
            incl = limit.incl
    d_excl = None if excl is None or subtotal[0] is None else excl - subtotal[0]
    d_incl = None if incl is None or subtotal[1] is None else incl - subtotal[1]
    if version == "2.1.1":
        return (d_excl, None, ())
    taxes: tuple[tuple[Decimal | None, Decimal], ...] = ()
    if d_excl is not None and d_incl is not None and d_incl != d_excl:
        # The bound moves the tax too, but not at any one VAT rate.
        taxes = ((None, d_incl - d_excl),)
    return (d_excl, d_incl, taxes)


# --------------------------------------------------------------------------- the run


def _start(period: NPeriod) -> datetime:
    return period[0]


def run(
    compiled: CompiledTariff,
    data: PricingInput,
    zone: tzinfo,
    zone_name: str,
    rounding: Rounding | None,
    warnings: list[str],
) -> Pricing:
    """Price ``data`` with ``compiled``; ``warnings`` already holds those of choosing tariff and zone."""
    periods = data.periods
    if not periods:
        raise PricingError("cdr.charging_periods: at least one period (or a Session's kwh) is needed")
    if data.synthesized:
        warnings.append("no charging periods; priced as one period built from kwh and the duration")
    count = len(periods)
    # Each period ends where the next starts (OCPI ChargingPeriod), so order them.
    for i in range(1, count):
        if periods[i][0] < periods[i - 1][0]:
            periods = sorted(periods, key=_start)
            warnings.append("charging periods were not in time order; sorted")
            break
    start, end = data.start, data.end
    if periods[0][0] < start or periods[-1][0] > end:
        warnings.append("periods_outside_start_end_date_time")
    reserved = ["RESERVATION_TIME" in p[1] for p in periods]
    expired = False not in reserved
    origin = start
    if True in reserved and not expired:
        origin = periods[reserved.index(False)][0]
    warnings.extend(compiled.version_warnings)

    plans = compiled.plans
    local_needed = compiled.local
    lines: list[Line] = []
    groups: tuple[list[Line], list[Line], list[Line], list[Line]] = ([], [], [], [])
    reserved_time: list[Line] = []
    flat_done = [False, False]
    energy = parking = _ZERO
    for index in range(count):
        at_start, dims, _ = periods[index]
        at_end = periods[index + 1][0] if index + 1 < count else end
        reservation = reserved[index]
        todo: list[tuple[int, Decimal]] = []
        if not flat_done[reservation]:
            todo.append((FLAT, _ONE))
        if reservation:
            plan = plans[EXPIRED if expired else RESERVED]
            todo.append((TIME, dims["RESERVATION_TIME"]))
            energy_before = energy
        else:
            plan = plans[CHARGING]
            energy_before = energy
            if "ENERGY" in dims:
                todo.append((ENERGY, dims["ENERGY"]))
            if "TIME" in dims:
                todo.append((TIME, dims["TIME"]))
            if "PARKING_TIME" in dims:
                todo.append((PARKING, dims["PARKING_TIME"]))
            energy = energy + dims.get("ENERGY", _ZERO)
            parking = parking + dims.get("PARKING_TIME", _ZERO)
        at: At | None = None
        held: dict[int, bool] = {}
        for dimension, volume in todo:
            for element, component, factor, check in plan[dimension]:
                if check is not None:
                    ok = held.get(element)
                    if ok is None:
                        if at is None:
                            local = at_start.astimezone(zone) if local_needed else None
                            at = At(at_start, at_end, origin, local, energy_before, dims)
                        ok = held[element] = holds(check, at)
                    if not ok:
                        continue
                if dimension == FLAT:
                    # OCPI 2.2.1 cdrs: a FLAT fee is due once per session, not per period.
                    flat_done[reservation] = True
                line = Line(
                    index, at_start, at_end, dimension, reservation, element, component, factor, volume
                )
                lines.append(line)
                if reservation:
                    if dimension == TIME:
                        reserved_time.append(line)
                else:
                    groups[dimension].append(line)
                break
        if (at is None or at.local is None) and (at_start.year == 1 or at_start.year == 9999):
            # Near the ends of the calendar the local time may not exist; say so as any run would.
            at_start.astimezone(zone)

    step(groups[ENERGY], _PER_VOLUME[ENERGY])
    # When parking follows charging, only the parking total is rounded.
    parking_lines = groups[PARKING]
    if any(x.volume > 0 for x in parking_lines):
        step(parking_lines, _HOUR)
    else:
        step(groups[TIME], _HOUR)
    step(reserved_time, _HOUR)
    return _totals(compiled, data, zone_name, rounding, lines, energy, parking, warnings)


def _totals(
    compiled: CompiledTariff,
    data: PricingInput,
    zone_name: str,
    rounding: Rounding | None,
    lines: list[Line],
    energy: Decimal,
    parking: Decimal,
    warnings: list[str],
) -> Pricing:
    version = compiled.version
    tariff = compiled.tariff
    amount = _amount_rule(version, tariff.tax_included)
    with_vat = version != "2.1.1"
    names = _NAMES
    # Numerators per cost group (FLAT, ENERGY, TIME, PARKING_TIME, reservation) and (VAT, unit).
    numerators: tuple[dict[tuple[Decimal | None, Decimal], list[Any]], ...] = ({}, {}, {}, {}, {})
    # Billed volumes of ENERGY, TIME, PARKING_TIME (by dimension index) and of reserved TIME.
    billed = [_ZERO, _ZERO, _ZERO, _ZERO]
    reservation_time = _ZERO
    priced = []
    for x in lines:
        component = x.component
        per_volume = _PER_VOLUME[x.dimension]
        step_extra = x.extra / per_volume
        billed_volume = x.volume + step_extra
        numerator = (x.volume * per_volume + x.extra) * component.price
        if x.reservation:
            group = 4
            if x.dimension == TIME:
                reservation_time = reservation_time + billed_volume
        else:
            group = x.dimension
            billed[group] = billed[group] + billed_volume
        key = (component.vat, per_volume)
        slot = numerators[group].get(key)
        if slot is None:
            numerators[group][key] = [_ZERO + numerator, x.factor]
        else:
            slot[0] = slot[0] + numerator
        # Built without the frozen __init__, which costs a call per field; same object.
        line: PricedLine = _new(PricedLine)
        _set(line, "period", x.period)
        _set(line, "start", x.start)
        _set(line, "end", x.end)
        _set(line, "dimension", names[x.dimension])
        _set(line, "reservation", x.reservation)
        _set(line, "element", x.element)
        _set(line, "component", component.index)
        _set(line, "unit_price", component.price)
        _set(line, "vat", component.vat if with_vat else None)
        _set(line, "step_size", component.step_size)
        _set(line, "volume", x.volume)
        _set(line, "step_extra", step_extra)
        _set(line, "billed_volume", billed_volume)
        _set(line, "cost", _price(amount(numerator / per_volume, component.vat, x.factor), rounding))
        priced.append(line)

    start: Triple = (_ZERO, _ZERO if with_vat else None, ())
    costs = []
    for group_numerators in numerators:
        total = start
        for (vat, unit), (numerator, factor) in group_numerators.items():
            total = _plus(total, amount(numerator / unit, vat, factor))
        costs.append(total)
    subtotal = start
    for cost in costs:
        subtotal = _plus(subtotal, cost)
    adjustment = _limit_adjustment(tariff, subtotal, version)
    fixed, energy_cost, time_cost, parking_cost, reservation_cost = costs
    result: Pricing = _new(Pricing)
    fields: tuple[tuple[str, object], ...] = (
        ("version", version),
        ("currency", tariff.currency),
        ("tariff_id", tariff.id),
        ("time_zone", zone_name),
        ("total_cost", _price(_plus(subtotal, adjustment), rounding)),
        ("total_fixed_cost", _price(fixed, rounding)),
        ("total_energy", energy),
        ("total_energy_cost", _price(energy_cost, rounding)),
        ("total_time", seconds(data.end - data.start) / _HOUR),
        ("total_time_cost", _price(time_cost, rounding)),
        ("total_parking_time", parking),
        ("total_parking_cost", _price(parking_cost, rounding)),
        ("total_reservation_cost", _price(reservation_cost, rounding)),
        ("price_limit_adjustment", _price(adjustment, rounding)),
        ("billed_energy", billed[ENERGY]),
        ("billed_time", billed[TIME]),
        ("billed_parking_time", billed[PARKING]),
        ("billed_reservation_time", reservation_time),
        ("lines", tuple(priced)),
        ("warnings", tuple(warnings)),
    )
    for name, value in fields:
        _set(result, name, value)
    return result
