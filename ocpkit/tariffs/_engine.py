"""The pricing run: one compiled tariff, one normalised CDR, one pass over its periods.

Theory of operation. :func:`run` orders the periods, then for each one and
each dimension it has (FLAT once per session and once per reservation) walks
the compiled choices of that dimension and takes the first whose check holds
at the period's start; a check that needs the local time gets it, converted
once per period. The chosen lines are rounded up by ``step_size`` per group
(:func:`~ocpkit.tariffs._rules.step`), then priced: each line's exact
numerator (volume x step units + extra units, times the unit price) is divided once, and the totals sum
the numerators per (VAT rate, unit) before dividing, so that how a volume is
split over periods cannot change an inexact division. Amounts travel as
``(excl, incl, taxes)`` triples with exactly the operations of
:class:`~ocpkit.tariffs.Price` addition, so results equal those of adding
``Price`` objects; the result objects are built once, at the end.

All arithmetic runs in :data:`~ocpkit.tariffs._rules.CONTEXT` (28 digits,
half-even, the default traps), which the callers set for the length of a call
(:func:`~ocpkit.tariffs._rules.in_context`), so results do not depend on the
caller's decimal context.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any, Final

from ocpkit.errors import PricingError
from ocpkit.tariffs._compile import CHARGING, EXPIRED, RESERVED, CompiledTariff
from ocpkit.tariffs._input import NPeriod, NTariff, PricingInput
from ocpkit.tariffs._results import Price, Pricing, Rounding, make_line, make_price, make_pricing, make_tax
from ocpkit.tariffs._rules import VOLUME, At, Line, Triple, holds, seconds, step

__all__ = ["run"]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_HOUR: Final = Decimal(3600)
# Step units per volume unit, by dimension index (FLAT, ENERGY, TIME, PARKING_TIME):
# OCPI TariffDimensionType step_size is in Wh for ENERGY and seconds for the times.
_PER_VOLUME: Final = (_ONE, Decimal(1000), _HOUR, _HOUR)
_NAMES: Final = ("FLAT", "ENERGY", "TIME", "PARKING_TIME")
FLAT, ENERGY, TIME, PARKING = 0, 1, 2, 3


_new = object.__new__
_set = object.__setattr__


# Where nothing was priced: the sum's starting value, per VAT mode, and its Price.
_START: Final[Triple] = (_ZERO, _ZERO, ())
_START_NO_VAT: Final[Triple] = (_ZERO, None, ())
_NOTHING: Final = make_price(_ZERO, _ZERO, ())
_NOTHING_NO_VAT: Final = make_price(_ZERO, None, ())
# Local-time choices remembered per compiled tariff before the memo is emptied.
_MEMO_SIZE: Final = 4096


def _plus(a: Triple, b: Triple) -> Triple:
    """``Price(*a) + Price(*b)``, operation for operation."""
    ta, tb = a[2], b[2]
    ea, eb, ia, ib = a[0], b[0], a[1], b[1]
    if a is _START or a is _START_NO_VAT:
        # Nothing to merge: each tax of b is added to zero, as Price.__add__ does.
        return (
            None if eb is None else _ZERO + eb,
            None if ia is None or ib is None else ia + ib,
            tuple([(p, _ZERO + x) for p, x in tb]) if tb else (),
        )
    if ta or tb:
        merged: dict[Decimal | None, Decimal] = {}
        for p, x in ta:
            merged[p] = merged.get(p, _ZERO) + x
        for p, x in tb:
            merged[p] = merged.get(p, _ZERO) + x
        return (
            None if ea is None or eb is None else ea + eb,
            None if ia is None or ib is None else ia + ib,
            tuple(merged.items()),
        )
    return (None if ea is None or eb is None else ea + eb, None if ia is None or ib is None else ia + ib, ())


def _price(t: Triple, rounding: Rounding | None) -> Price:
    if rounding is None:
        if t is _START:
            return _NOTHING
        if t is _START_NO_VAT:
            return _NOTHING_NO_VAT
        excl, incl, taxes = t
    else:
        apply = rounding.apply
        excl = None if t[0] is None else apply(t[0])
        incl = None if t[1] is None else apply(t[1])
        taxes = tuple([(p, apply(a)) for p, a in t[2]])
    return make_price(excl, incl, tuple([make_tax(p, a) for p, a in taxes]) if taxes else ())


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
    if d_excl is not None and d_incl is not None and d_incl != d_excl:
        # The bound moves the tax too, but not at any one VAT rate.
        return (d_excl, d_incl, ((None, d_incl - d_excl),))
    return (d_excl, d_incl, ())


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
    memoized = compiled.memoized
    memo = compiled.memo
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
        energy_before = energy
        if reservation:
            kind = EXPIRED if expired else RESERVED
            todo.append((TIME, dims["RESERVATION_TIME"]))
        else:
            kind = CHARGING
            if "ENERGY" in dims:
                todo.append((ENERGY, dims["ENERGY"]))
            if "TIME" in dims:
                todo.append((TIME, dims["TIME"]))
            if "PARKING_TIME" in dims:
                todo.append((PARKING, dims["PARKING_TIME"]))
            energy = energy + dims.get("ENERGY", _ZERO)
            parking = parking + dims.get("PARKING_TIME", _ZERO)
        plan = plans[kind]
        at: At | None = None
        held: dict[int, bool] = {}
        for dimension, volume in todo:
            choices = plan[dimension]
            if not choices:
                continue
            if memoized[kind][dimension]:
                # Only local-time restrictions: the choice is a function of the local minute.
                if at is None:
                    at = At(at_start, at_end, origin, at_start.astimezone(zone), energy_before, dims)
                local = at.local
                assert local is not None
                key = (kind, dimension, local.date(), local.hour * 60 + local.minute)
                position = memo.get(key)
                if position is None:
                    position = next((i for i, c in enumerate(choices) if c[3] is None or holds(c[3], at)), -1)
                    if len(memo) >= _MEMO_SIZE:
                        memo.clear()
                    memo[key] = position
                if position < 0:
                    continue
                chosen = choices[position]
            else:
                for chosen in choices:
                    check = chosen[3]
                    if check is None:
                        break
                    ok = held.get(chosen[0])
                    if ok is None:
                        if at is None:
                            local = at_start.astimezone(zone) if local_needed else None
                            at = At(at_start, at_end, origin, local, energy_before, dims)
                        ok = held[chosen[0]] = holds(check, at)
                    if ok:
                        break
                else:
                    continue
            if dimension == FLAT:
                # OCPI 2.2.1 cdrs: a FLAT fee is due once per session, not per period.
                flat_done[reservation] = True
            line: Line = [
                index,
                at_start,
                at_end,
                dimension,
                reservation,
                chosen[0],
                chosen[1],
                chosen[2],
                volume,
                _ZERO,
            ]
            lines.append(line)
            if reservation:
                if dimension == TIME:
                    reserved_time.append(line)
            else:
                groups[dimension].append(line)
        if (at is None or at.local is None) and (at_start.year == 1 or at_start.year == 9999):
            # Near the ends of the calendar the local time may not exist; fail as the conversion does.
            at_start.astimezone(zone)

    if groups[ENERGY]:
        step(groups[ENERGY], _PER_VOLUME[ENERGY])
    # When parking follows charging, only the parking total is rounded.
    parking_lines = groups[PARKING]
    if parking_lines and any(x[VOLUME] > 0 for x in parking_lines):
        step(parking_lines, _HOUR)
    elif groups[TIME]:
        step(groups[TIME], _HOUR)
    if reserved_time:
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
    amount = compiled.amount
    with_vat = version != "2.1.1"
    names = _NAMES
    # Numerators per cost group (FLAT, ENERGY, TIME, PARKING_TIME, reservation) and (VAT, unit).
    numerators: tuple[dict[tuple[Decimal | None, Decimal], list[Any]], ...] = ({}, {}, {}, {}, {})
    # Billed volumes of ENERGY, TIME, PARKING_TIME (by dimension index) and of reserved TIME.
    billed = [_ZERO, _ZERO, _ZERO, _ZERO]
    reservation_time = _ZERO
    priced = []
    for period, at_start, at_end, dimension, reservation, element, component, factor, volume, extra in lines:
        per_volume = _PER_VOLUME[dimension]
        step_extra = extra / per_volume
        billed_volume = volume + step_extra
        numerator = (volume * per_volume + extra) * component.price
        if reservation:
            group = 4
            if dimension == TIME:
                reservation_time = reservation_time + billed_volume
        else:
            group = dimension
            billed[group] = billed[group] + billed_volume
        key = (component.vat, per_volume)
        slot = numerators[group].get(key)
        if slot is None:
            numerators[group][key] = [_ZERO + numerator, factor]
        else:
            slot[0] = slot[0] + numerator
        cost = _price(amount(numerator / per_volume, component.vat, factor), rounding)
        priced.append(
            make_line(
                period,
                at_start,
                at_end,
                names[dimension],
                reservation,
                element,
                component.index,
                component.price,
                component.vat if with_vat else None,
                component.step_size,
                volume,
                step_extra,
                billed_volume,
                cost,
            )
        )

    start = _START if with_vat else _START_NO_VAT
    costs = []
    subtotal = start
    for group_numerators in numerators:
        total = start
        for (vat, unit), (numerator, factor) in group_numerators.items():
            total = _plus(total, amount(numerator / unit, vat, factor))
        costs.append(total)
        if total is not start:
            # Adding an empty group adds zeros: a no-op on a sum that began at zero.
            subtotal = _plus(subtotal, total)
    adjustment = _limit_adjustment(tariff, subtotal, version)
    return make_pricing(
        version,
        tariff.currency,
        tariff.id,
        zone_name,
        _price(_plus(subtotal, adjustment), rounding),
        _price(costs[FLAT], rounding),
        energy,
        _price(costs[ENERGY], rounding),
        seconds(data.end - data.start) / _HOUR,
        _price(costs[TIME], rounding),
        parking,
        _price(costs[PARKING], rounding),
        _price(costs[4], rounding),
        _price(adjustment, rounding),
        billed[ENERGY],
        billed[TIME],
        billed[PARKING],
        reservation_time,
        tuple(priced),
        tuple(warnings),
    )
