"""The pricing run: one compiled tariff, one normalised CDR, one pass over its periods.

Theory of operation. :func:`run` orders the periods, then for each one walks
the dimensions the tariff can price for that kind of period (FLAT once per
session and once per reservation). A dimension whose first choice is
unrestricted takes it without a check; otherwise the compiled choices are
tried in order and the first whose check holds at the period's start wins
(the facts the tariff's checks read, the local minute, date and weekday and
the duration since the charging started among them, are worked out once per
period, and only those). As
each line is made, its group's total in step units and last line with a
volume are kept, so that ``step_size`` (:func:`~ocpkit.tariffs._rules.step`)
is applied per group without another pass. Then the lines are priced: each
line's exact numerator (volume x step units + extra units, times the unit
price) is summed per (VAT rate, unit) within its cost group before one
division, so that how a volume is split over periods cannot change an
inexact division. Amounts travel as ``(excl, incl, taxes)`` triples with
exactly the operations of :class:`~ocpkit.tariffs.Price` addition, so
results equal those of adding ``Price`` objects, down to each Decimal's
exponent; where an operation provably leaves a value as it is (adding zero
to a sum that began at zero), it is skipped and the comment says why. The
totals and their ``Price`` objects are built once, at the end; the priced
lines (:class:`~ocpkit.tariffs.PricedLine`, each with its own cost) are
built when ``Pricing.lines`` is first read, from the lines kept, unless
building them could fail (the compiled ``lazy_lines`` and
rounding), in which case they are built at once so that the failure is
raised by :func:`~ocpkit.tariffs.price`.

Straight-line runs. Most CDRs have no reservation and are priced without
rounding, and most tariffs price each dimension of a charging period with one
component (*plain*: :func:`_run_plain`) or choose among restricted elements
that share one VAT rate per dimension (*checked*: :func:`_run_checked`).
Then each cost group has one (VAT rate, unit) key, and these runs keep their
sums in local variables (or one list per dimension) instead of lines,
applying ``step_size`` to the last line with a volume as :func:`_walk` does,
and :func:`_exact_totals` builds the result without ``_plus`` triples. They
make the same Decimal operations in the same order as the generic walk, less
additions of 0 that provably change nothing (each named where it is skipped;
the reader's volumes are sums that began at 0, so a Session's period made
from its ``kwh`` goes to the walk); the lines themselves are made by
:func:`_walk` when ``Pricing.lines`` is first read. The tests compare both
with the generic walk and with the reference.

All arithmetic runs in :data:`~ocpkit.tariffs._rules.CONTEXT` (28 digits,
half-even, the default traps), which the callers set for the length of a call
(:func:`~ocpkit.tariffs._rules.in_context`), and which building the lines
later sets again, so results do not depend on the caller's decimal context.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from functools import partial
from typing import Any, Final

from ocpkit.errors import PricingError
from ocpkit.tariffs._compile import CHARGING, EXPIRED, PER_VOLUME, RESERVED, CompiledTariff, Pick
from ocpkit.tariffs._input import NPeriod, NTariff, PricingInput
from ocpkit.tariffs._results import (
    Deferred,
    Price,
    PricedLine,
    Pricing,
    Rounding,
    make_line,
    make_price,
    make_pricing,
    make_tax,
)
from ocpkit.tariffs._rules import (
    DAY,
    EXCLUDED,
    MINUTE,
    NO_VAT,
    UNTAXED,
    At,
    Line,
    Triple,
    in_context,
    step,
)

__all__ = ["run"]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_HOUR: Final = Decimal(3600)
_THOUSAND: Final = Decimal(1000)
# Step units per volume unit, by dimension index (FLAT, ENERGY, TIME, PARKING_TIME).
_PER_VOLUME: Final = PER_VOLUME
_NAMES: Final = ("FLAT", "ENERGY", "TIME", "PARKING_TIME")
FLAT, ENERGY, TIME, PARKING = 0, 1, 2, 3
_MICROSECOND: Final = timedelta(microseconds=1)
_HOUR_IN_MICROSECONDS: Final = Decimal("3600E+6")


_defer: Final = partial(tuple.__new__, Deferred)
# One cost group of a run: its numerator sum, unit, VAT rate and VAT factor.
Group = tuple[Decimal, Decimal, Decimal | None, Decimal | None]


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
    if ta and not tb:
        # The rates of a sum are distinct already: each tax is added to zero, as merging does.
        return (
            None if ea is None or eb is None else ea + eb,
            None if ia is None or ib is None else ia + ib,
            tuple([(p, _ZERO + x) for p, x in ta]),
        )
    if len(ta) == 1 and len(tb) == 1 and ta[0][0] == tb[0][0]:
        # One rate on each side, the same (as dict keys: equal, the first one kept): merging
        # adds the first tax to zero, then the second to that.
        (p, x), (_, y) = ta[0], tb[0]
        return (
            None if ea is None or eb is None else ea + eb,
            None if ia is None or ib is None else ia + ib,
            ((p, (_ZERO + x) + y),),
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


def _in_order(periods: list[NPeriod]) -> list[NPeriod]:
    """The periods in time order: ``periods`` itself when they are, else a sorted copy."""
    for i in range(1, len(periods)):
        if periods[i][0] < periods[i - 1][0]:
            return sorted(periods, key=_start)
    return periods


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
    count = len(periods)
    if not count:
        raise PricingError("cdr.charging_periods: at least one period (or a Session's kwh) is needed")
    if data.synthesized:
        warnings.append("no charging periods; priced as one period built from kwh and the duration")
    # Each period ends where the next starts (OCPI ChargingPeriod), so order them.
    if not data.ordered:
        periods = sorted(periods, key=_start)
        warnings.append("charging periods were not in time order; sorted")
    start, end = data.start, data.end
    if periods[0][0] < start or periods[-1][0] > end:
        warnings.append("periods_outside_start_end_date_time")
    reserved: list[bool] | None = None
    if data.reserved:
        reserved = ["RESERVATION_TIME" in p[1] for p in periods]
    if compiled.version_warnings:
        warnings.extend(compiled.version_warnings)
    if reserved is None and rounding is None and not data.synthesized:
        if compiled.plain is not None:
            return _run_plain(compiled, data, periods, zone, zone_name, warnings)
        if compiled.checked:
            return _run_checked(compiled, data, periods, zone, zone_name, warnings)
    expired = reserved is not None and False not in reserved
    origin = start
    if reserved is not None and not expired:
        origin = periods[reserved.index(False)][0]
    lines, energy, parking, numerators, billed, reservation_time = _walk(
        compiled, periods, reserved, expired, origin, end, zone
    )
    priced: tuple[PricedLine, ...] | Deferred
    if not lines:
        priced = ()
    elif rounding is None and compiled.lazy_lines:
        # Nothing in a line's cost can fail now: it is worked out when the lines are read.
        priced = _defer((_lines, compiled, lines, None))
    else:
        # Rounding can fail (too many places for the context): fail here, as before.
        priced = _lines(compiled, lines, rounding)
    if rounding is None:
        groups: list[Group | None] = []
        for per_group in numerators:
            if per_group is None:
                groups.append(None)
            elif len(per_group) == 1:
                for (vat, unit), (numerator, factor) in per_group.items():
                    groups.append((numerator, unit, vat, factor))
            else:
                break
        else:
            return _exact_totals(
                compiled,
                data,
                zone_name,
                priced,
                energy,
                parking,
                groups,
                billed[ENERGY],
                billed[TIME],
                billed[PARKING],
                reservation_time,
                warnings,
            )
    return _totals(
        compiled,
        data,
        zone_name,
        rounding,
        priced,
        energy,
        parking,
        numerators,
        billed,
        reservation_time,
        warnings,
    )


def _run_plain(
    compiled: CompiledTariff,
    data: PricingInput,
    periods: list[NPeriod],
    zone: tzinfo,
    zone_name: str,
    warnings: list[str],
) -> Pricing:
    """:func:`_walk` and :func:`_totals` for a plain tariff, no reservation and no rounding.

    Only for periods as the reader makes them: each volume is a sum that began
    at 0 (``0 + v``, exponent at most 0, never -0), so that ``volume + 0`` and
    ``volume x unit + 0`` (``unit`` 1, 1000 or 3600), which :func:`_walk`
    computes, are the volume and the product themselves, digit for digit; they
    are skipped. A Session's period made from its ``kwh`` is priced by the walk.

    A plain tariff (:attr:`CompiledTariff.plain`) prices each dimension of a
    charging period with one component, chosen without a check: so the
    lines of a dimension are the periods that have it, and each cost group
    has one (VAT rate, unit) key. The sums are those of :func:`_walk`, made
    in the same order with the same operations (a line's numerator
    ``volume x unit x price`` added to ``0`` first), kept in local variables
    instead of lines; the lines
    themselves are made again, by :func:`_walk`, when ``Pricing.lines`` is
    first read.
    """
    flat, energy_pick, time_pick, parking_pick = compiled.plain  # type: ignore[misc]
    zero = _ZERO
    energy = parking = zero
    # Per dimension: the numerator sum (None while no line), billed volume, total in step
    # units, and the index of the last period with a positive volume (-1: none).
    n_energy = n_time = n_parking = None
    b_energy = b_time = b_parking = zero
    t_energy = t_time = t_parking = zero
    l_energy = l_time = l_parking = -1
    p_energy = zero if energy_pick is None else energy_pick[3]
    p_time = zero if time_pick is None else time_pick[3]
    p_parking = zero if parking_pick is None else parking_pick[3]
    thousand, hour = _THOUSAND, _HOUR
    for index, (at_start, dims, _) in enumerate(periods):
        get = dims.get
        volume = get("ENERGY")
        if volume is not None:
            energy = energy + volume
            if energy_pick is not None:
                scaled = volume * thousand
                numerator = scaled * p_energy
                n_energy = zero + numerator if n_energy is None else n_energy + numerator
                b_energy = b_energy + volume
                t_energy = t_energy + scaled
                if volume > zero:
                    l_energy = index
        volume = get("TIME")
        if volume is not None and time_pick is not None:
            scaled = volume * hour
            numerator = scaled * p_time
            n_time = zero + numerator if n_time is None else n_time + numerator
            b_time = b_time + volume
            t_time = t_time + scaled
            if volume > zero:
                l_time = index
        volume = get("PARKING_TIME")
        if volume is not None:
            parking = parking + volume
            if parking_pick is not None:
                scaled = volume * hour
                numerator = scaled * p_parking
                n_parking = zero + numerator if n_parking is None else n_parking + numerator
                b_parking = b_parking + volume
                t_parking = t_parking + scaled
                if volume > zero:
                    l_parking = index
        if at_start.year == 1 or at_start.year == 9999:
            # Near the ends of the calendar the local time may not exist; fail as the conversion does.
            at_start.astimezone(zone)

    # step_size, as step() and _resum() do it for one component per group.
    if l_energy >= 0:
        extra = _extra(energy_pick[1].step_size, t_energy)  # type: ignore[index]
        if extra is not None:
            b_energy, n_energy = _plain_resum(periods, "ENERGY", l_energy, extra, thousand, p_energy)
    # When parking follows charging, only the parking total is rounded.
    if l_parking >= 0:
        extra = _extra(parking_pick[1].step_size, t_parking)  # type: ignore[index]
        if extra is not None:
            b_parking, n_parking = _plain_resum(periods, "PARKING_TIME", l_parking, extra, hour, p_parking)
    elif l_time >= 0:
        extra = _extra(time_pick[1].step_size, t_time)  # type: ignore[index]
        if extra is not None:
            b_time, n_time = _plain_resum(periods, "TIME", l_time, extra, hour, p_time)

    # The cost groups as _exact_totals takes them: (numerator sum, unit, VAT rate, VAT factor).
    groups: list[Group | None] = [None, None, None, None, None]
    if flat is not None:
        # The one FLAT line, in the first period: volume 1, (1 + 0) x price, added to 0.
        groups[FLAT] = (zero + (_ONE + zero) * flat[3], _ONE, flat[1].vat, flat[2])
    if n_energy is not None:
        groups[ENERGY] = (n_energy, thousand, energy_pick[1].vat, energy_pick[2])  # type: ignore[index]
    if n_time is not None:
        groups[TIME] = (n_time, hour, time_pick[1].vat, time_pick[2])  # type: ignore[index]
    if n_parking is not None:
        groups[PARKING] = (n_parking, hour, parking_pick[1].vat, parking_pick[2])  # type: ignore[index]
    priced: tuple[PricedLine, ...] | Deferred
    if flat is None and n_energy is None and n_time is None and n_parking is None:
        priced = ()
    else:
        priced = _defer((_plain_lines, compiled, data, zone))
    return _exact_totals(
        compiled,
        data,
        zone_name,
        priced,
        energy,
        parking,
        groups,
        b_energy,
        b_time,
        b_parking,
        zero,
        warnings,
    )


def _run_checked(
    compiled: CompiledTariff,
    data: PricingInput,
    periods: list[NPeriod],
    zone: tzinfo,
    zone_name: str,
    warnings: list[str],
) -> Pricing:
    """:func:`_walk` and :func:`_totals` for a checked tariff, no reservation and no rounding.

    A checked tariff (:attr:`CompiledTariff.checked`) chooses among
    restricted elements, but every choice of a dimension has the same VAT
    rate, so each cost group has one (VAT rate, unit) key. The choices are
    made as :func:`_walk` makes them; instead of lines, each dimension keeps
    its lines' numerators and billed volumes in order, and its last line
    with a volume, which step_size changes before the sums are made (in line
    order, from 0, as :func:`_walk` and :func:`_resum` make them). The lines
    themselves are made again, by :func:`_walk`, when ``Pricing.lines`` is
    first read. As :func:`_run_plain`, only for periods as the reader makes
    them, skipping the same additions of 0.
    """
    charging = compiled.active[CHARGING]
    local_needed = compiled.local
    facts = compiled.facts
    need_minute = "minute" in facts
    need_day = "day" in facts
    need_weekday = "weekday" in facts
    need_duration = "duration" in facts
    per_volume = _PER_VOLUME
    origin, end = data.start, data.end
    count = len(periods)
    zero = _ZERO
    energy = parking = zero
    flat_done = False
    # By dimension index: the lines' numerators and billed volumes, the first line's choice
    # (its VAT rate and factor are the group's), the total in step units, and the last line
    # with a volume as (its position, choice, volume in step units, volume).
    numerators: list[list[Decimal] | None] = [None, None, None, None]
    billed: list[list[Decimal]] = [[], [], [], []]
    firsts: list[Pick | None] = [None, None, None, None]
    totals = [zero, zero, zero, zero]
    lasts: list[tuple[int, Pick, Decimal, Decimal] | None] = [None, None, None, None]
    for index in range(count):
        at_start, dims, _ = periods[index]
        energy_before = energy
        get = dims.get
        volumes = (None if flat_done else _ONE, get("ENERGY"), get("TIME"), get("PARKING_TIME"))
        if volumes[1] is not None:
            energy = energy + volumes[1]
        if volumes[3] is not None:
            parking = parking + volumes[3]
        at: At | None = None
        for dimension, chosen, options, memoized in charging:
            volume = volumes[dimension]
            if volume is None:
                continue
            if chosen is None:
                if at is None:
                    at_end = periods[index + 1][0] if index + 1 < count else end
                    if local_needed:
                        local = at_start.astimezone(zone)
                        at = (
                            at_start,
                            at_end,
                            energy_before,
                            dims,
                            local.hour * 60 + local.minute if need_minute else None,
                            local.date() if need_day else None,
                            local.weekday() if need_weekday else None,
                            (at_start - origin) // _MICROSECOND if need_duration else None,
                        )
                    else:
                        at = (
                            at_start,
                            at_end,
                            energy_before,
                            dims,
                            None,
                            None,
                            None,
                            (at_start - origin) // _MICROSECOND if need_duration else None,
                        )
                if memoized:
                    chosen = _memoized(compiled, CHARGING, dimension, options, at)
                else:
                    for test, option in options:
                        if test is None or test(at):
                            chosen = option
                            break
                if chosen is None:
                    continue
            if dimension == FLAT:
                # OCPI 2.2.1 cdrs: a FLAT fee is due once per session, not per period.
                flat_done = True
                scaled = volume
            else:
                scaled = volume * per_volume[dimension]
            numerator = scaled * chosen[3]
            group = numerators[dimension]
            if group is None:
                numerators[dimension] = [numerator]
                firsts[dimension] = chosen
            else:
                group.append(numerator)
            billed[dimension].append(volume)
            if dimension != FLAT:
                totals[dimension] = totals[dimension] + scaled
                if volume > zero:
                    lasts[dimension] = (len(billed[dimension]) - 1, chosen, scaled, volume)
        if (at is None or not local_needed) and (at_start.year == 1 or at_start.year == 9999):
            # Near the ends of the calendar the local time may not exist; fail as the conversion does.
            at_start.astimezone(zone)

    # step_size: the extra on the group's last line with a volume (see step() and _resum()).
    # When parking follows charging, only the parking total is rounded.
    for dimension in (ENERGY, PARKING if lasts[PARKING] is not None else TIME):
        last = lasts[dimension]
        if last is not None:
            position, chosen, scaled, volume = last
            extra = _extra(chosen[1].step_size, totals[dimension])
            if extra is not None:
                unit = per_volume[dimension]
                billed[dimension][position] = volume + extra / unit
                numerators[dimension][position] = (scaled + extra) * chosen[3]  # type: ignore[index]
    groups: list[Group | None] = [None, None, None, None, None]
    sums = [zero, zero, zero, zero]
    for dimension in range(4):
        group = numerators[dimension]
        if group is None:
            continue
        total = zero
        for numerator in group:
            total = total + numerator
        first = firsts[dimension]
        groups[dimension] = (total, per_volume[dimension], first[1].vat, first[2])  # type: ignore[index]
        billed_sum = zero
        for billed_volume in billed[dimension]:
            billed_sum = billed_sum + billed_volume
        sums[dimension] = billed_sum
    priced: tuple[PricedLine, ...] | Deferred = (
        () if groups == [None, None, None, None, None] else _defer((_plain_lines, compiled, data, zone))
    )
    return _exact_totals(
        compiled, data, zone_name, priced, energy, parking, groups, sums[1], sums[2], sums[3], zero, warnings
    )


def _extra(step_size: int, total: Decimal) -> Decimal | None:
    """What :func:`~ocpkit.tariffs._rules.step` books on the last line, or None when it books nothing."""
    if step_size <= 0 or total <= _ZERO:
        return None
    quotient, remainder = divmod(total, Decimal(step_size))
    if not remainder:
        return None
    return (quotient + 1) * step_size - total


def _plain_resum(
    periods: list[NPeriod], name: str, last: int, extra: Decimal, per_volume: Decimal, unit_price: Decimal
) -> tuple[Decimal, Decimal]:
    """:func:`_resum` for one dimension of a plain tariff: its billed volume and numerator sum."""
    billed = _ZERO
    total: Decimal | None = None
    for index, (_, dims, _) in enumerate(periods):
        volume = dims.get(name)
        if volume is not None:
            scaled = volume * per_volume
            if index == last:
                billed_volume = volume + extra / per_volume
                numerator = (scaled + extra) * unit_price
            else:
                billed_volume = volume + _ZERO
                numerator = (scaled + _ZERO) * unit_price
            billed = billed + billed_volume
            total = _ZERO + numerator if total is None else total + numerator
    return billed, total  # type: ignore[return-value]  # the last line's period has the dimension


def _plain_lines(compiled: CompiledTariff, data: PricingInput, zone: tzinfo) -> tuple[PricedLine, ...]:
    """The priced lines of a plain run, made by :func:`_walk` (in the pricing context)."""
    return in_context(_walked_lines, compiled, data, zone)


def _walked_lines(compiled: CompiledTariff, data: PricingInput, zone: tzinfo) -> tuple[PricedLine, ...]:
    walked = _walk(compiled, _in_order(data.periods), None, False, data.start, data.end, zone)
    return _make_lines(compiled, walked[0], None)


def _walk(
    compiled: CompiledTariff,
    periods: list[NPeriod],
    reserved: list[bool] | None,
    expired: bool,
    origin: datetime,
    end: datetime,
    zone: tzinfo,
) -> tuple[
    list[Line],
    Decimal,
    Decimal,
    list[dict[tuple[Decimal | None, Decimal], list[Any]] | None],
    list[Decimal],
    Decimal,
]:
    """The lines of ``periods`` (in time order), with the sums the totals are made of.

    Returns the lines, the energy and parking time of the session, the
    numerators per cost group and (VAT rate, unit), the billed volumes by
    dimension index and the billed reservation time, step_size applied.
    """
    count = len(periods)
    charging, reserving, expiring = compiled.active
    local_needed = compiled.local
    facts = compiled.facts
    need_minute = "minute" in facts
    need_day = "day" in facts
    need_weekday = "weekday" in facts
    need_duration = "duration" in facts
    per_volume = _PER_VOLUME
    lines: list[Line] = []
    flat_done = reserved_flat_done = False
    energy = parking = _ZERO
    # step_size groups (ENERGY, TIME, PARKING_TIME, reserved TIME): the total in step units
    # and the last line with a volume, kept as the lines are made.
    totals = [_ZERO, _ZERO, _ZERO, _ZERO]
    lasts: list[Line | None] = [None, None, None, None]
    # Numerators per cost group (FLAT, ENERGY, TIME, PARKING_TIME, reservation) and (VAT, unit):
    # each line's exact numerator is summed before the one division per group and rate.
    numerators: list[dict[tuple[Decimal | None, Decimal], list[Any]] | None] = [None, None, None, None, None]
    # Billed volumes by dimension index (FLAT's unused) and of reserved TIME.
    billed = [_ZERO, _ZERO, _ZERO, _ZERO]
    reservation_time = _ZERO
    for index in range(count):
        at_start, dims, _ = periods[index]
        at_end = periods[index + 1][0] if index + 1 < count else end
        energy_before = energy
        # The volume of each dimension (FLAT, ENERGY, TIME, PARKING_TIME) to price, or None.
        volumes: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]
        if reserved is not None and reserved[index]:
            reservation = True
            kind = EXPIRED if expired else RESERVED
            fixed = expiring if expired else reserving
            volumes = (None if reserved_flat_done else _ONE, None, dims["RESERVATION_TIME"], None)
        else:
            reservation = False
            kind = CHARGING
            fixed = charging
            get = dims.get
            volumes = (None if flat_done else _ONE, get("ENERGY"), get("TIME"), get("PARKING_TIME"))
            # Adding nothing leaves the sums as they are: they are never -0 and their exponents
            # are at most 0, so energy + 0 is energy.
            if volumes[1] is not None:
                energy = energy + volumes[1]
            if volumes[3] is not None:
                parking = parking + volumes[3]
        at: At | None = None
        for dimension, chosen, options, memoized in fixed:
            volume = volumes[dimension]
            if volume is None:
                continue
            if chosen is None:
                if at is None:
                    # The period's facts, worked out once for every check that reads them.
                    if local_needed:
                        local = at_start.astimezone(zone)
                        at = (
                            at_start,
                            at_end,
                            energy_before,
                            dims,
                            local.hour * 60 + local.minute if need_minute else None,
                            local.date() if need_day else None,
                            local.weekday() if need_weekday else None,
                            (at_start - origin) // _MICROSECOND if need_duration else None,
                        )
                    else:
                        at = (
                            at_start,
                            at_end,
                            energy_before,
                            dims,
                            None,
                            None,
                            None,
                            (at_start - origin) // _MICROSECOND if need_duration else None,
                        )
                if memoized:
                    chosen = _memoized(compiled, kind, dimension, options, at)
                else:
                    for test, option in options:
                        if test is None or test(at):
                            chosen = option
                            break
                if chosen is None:
                    continue
            element, component, factor, unit_price, key = chosen
            if dimension == FLAT:
                # OCPI 2.2.1 cdrs: a FLAT fee is due once per session, not per period.
                if reservation:
                    reserved_flat_done = True
                else:
                    flat_done = True
                scaled = volume
            else:
                scaled = volume * per_volume[dimension]
            # The line as priced without a step extra: (scaled + 0) x price, volume + 0 billed;
            # step() below adds an extra to one line per group at most, which is then summed again.
            numerator = (scaled + _ZERO) * unit_price
            billed_volume = volume + _ZERO
            line: Line = [
                index,
                at_start,
                at_end,
                dimension,
                reservation,
                element,
                component,
                factor,
                volume,
                _ZERO,
                scaled,
                _ZERO,
                billed_volume,
                numerator,
            ]
            lines.append(line)
            if reservation:
                group = 4
                if dimension == TIME:
                    reservation_time = reservation_time + billed_volume
                    totals[3] = totals[3] + scaled
                    if volume > _ZERO:
                        lasts[3] = line
            else:
                group = dimension
                billed[dimension] = billed[dimension] + billed_volume
                if dimension != FLAT:
                    # The step group's total in step units, summed in line order.
                    totals[dimension - 1] = totals[dimension - 1] + scaled
                    if volume > _ZERO:
                        lasts[dimension - 1] = line
            per_group = numerators[group]
            if per_group is None:
                per_group = numerators[group] = {}
            slot = per_group.get(key)
            if slot is None:
                per_group[key] = [_ZERO + numerator, factor]
            else:
                slot[0] = slot[0] + numerator
        if (at is None or not local_needed) and (at_start.year == 1 or at_start.year == 9999):
            # Near the ends of the calendar the local time may not exist; fail as the conversion does.
            at_start.astimezone(zone)

    # step_size, and the sums of a group whose last line got an extra, again in line order.
    last = lasts[0]
    if last is not None and step(last, totals[0]):
        billed[ENERGY] = _resum(lines, numerators, ENERGY)
    # When parking follows charging, only the parking total is rounded.
    last = lasts[2]
    if last is not None:
        if step(last, totals[2]):
            billed[PARKING] = _resum(lines, numerators, PARKING)
    else:
        last = lasts[1]
        if last is not None and step(last, totals[1]):
            billed[TIME] = _resum(lines, numerators, TIME)
    last = lasts[3]
    if last is not None and step(last, totals[3]):
        reservation_time = _resum(lines, numerators, 4)
    return lines, energy, parking, numerators, billed, reservation_time


def _resum(lines: list[Line], numerators: list[Any], group: int) -> Decimal:
    """Price the lines of one cost group again, in order, now that one has a step extra.

    Recomputes each line's step extra, billed volume and numerator, the group's
    numerators per (VAT rate, unit), and returns the group's billed volume (for
    the reservation group, that of its TIME lines).
    """
    per_group: dict[tuple[Decimal | None, Decimal], list[Any]] = {}
    billed = _ZERO
    for line in lines:
        dimension, reservation = line[3], line[4]
        if (not reservation) if group == 4 else (reservation or dimension != group):
            continue
        extra = line[9]
        if extra is not _ZERO:
            line[11] = extra / _PER_VOLUME[dimension]
            line[12] = line[8] + line[11]
            line[13] = (line[10] + extra) * line[6].price
        if group != 4 or dimension == TIME:
            billed = billed + line[12]
        key = (line[6].vat, _PER_VOLUME[dimension])
        slot = per_group.get(key)
        if slot is None:
            per_group[key] = [_ZERO + line[13], line[7]]
        else:
            slot[0] = slot[0] + line[13]
    numerators[group] = per_group
    return billed


def _memoized(
    compiled: CompiledTariff,
    kind: int,
    dimension: int,
    options: tuple[tuple[Callable[[At], bool] | None, Pick], ...],
    at: At,
) -> Pick | None:
    """The first choice whose test holds at ``at``, remembered per local date and minute.

    Only for plans whose checks read the local time alone: the choice is a
    function of the local date and minute.
    """
    memo = compiled.memo
    key = (kind, dimension, at[DAY], at[MINUTE])
    position = memo.get(key)
    if position is None:
        position = next((i for i, (test, _) in enumerate(options) if test is None or test(at)), -1)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[key] = position
    return None if position < 0 else options[position][1]


def _totals(
    compiled: CompiledTariff,
    data: PricingInput,
    zone_name: str,
    rounding: Rounding | None,
    priced: tuple[PricedLine, ...] | Deferred,
    energy: Decimal,
    parking: Decimal,
    numerators: list[dict[tuple[Decimal | None, Decimal], list[Any]] | None],
    billed: list[Decimal],
    reservation_time: Decimal,
    warnings: list[str],
) -> Pricing:
    version = compiled.version
    tariff = compiled.tariff
    amount = compiled.amount
    if version != "2.1.1":
        start, nothing = _START, _NOTHING
    else:
        start, nothing = _START_NO_VAT, _NOTHING_NO_VAT
    start_incl = start[1]
    exact = rounding is None
    # The five cost groups' sums; when nothing is rounded, their Price objects as they are made.
    costs: list[Triple] = []
    prices: list[Price] = []
    subtotal = start
    for per_group in numerators:
        if per_group is None:
            if exact:
                prices.append(nothing)
            else:
                costs.append(start)
            continue
        if len(per_group) == 1:
            # _plus(start, amount(...)), written out: each amount of the sum is 0 + y.
            for (vat, unit), (numerator, factor) in per_group.items():
                excl, incl, taxes = amount(numerator / unit, vat, factor)
            if excl is not None:
                excl = _ZERO + excl
            incl = None if start_incl is None or incl is None else start_incl + incl
            if taxes:
                # amount() splits the tax at one rate at most.
                p, x = taxes[0]
                x = _ZERO + x
                taxes = ((p, x),)
                if exact:
                    prices.append(make_price(excl, incl, (make_tax(p, x),)))
            elif exact:
                prices.append(make_price(excl, incl, ()))
            total: Triple = (excl, incl, taxes)
            # _plus(start, total) is total: 0 + (0 + y) is 0 + y (exponent at most 0, never -0).
            subtotal = total if subtotal is start else _plus(subtotal, total)
        else:
            total = start
            for (vat, unit), (numerator, factor) in per_group.items():
                total = _plus(total, amount(numerator / unit, vat, factor))
            # Adding an empty group adds zeros: a no-op on a sum that began at zero.
            subtotal = _plus(subtotal, total)
            if exact:
                prices.append(_exact(total))
        if not exact:
            costs.append(total)
    adjustment: Triple
    if tariff.min_price is None and tariff.max_price is None:
        # _limit_adjustment without bounds: each known amount minus itself, no tax moved; and
        # its sum with the subtotal, as _plus adds them (no taxes on the adjustment's side, so
        # the subtotal's are each added to zero).
        excl, incl, taxes = subtotal
        d_excl = t_excl = d_incl = t_incl = None
        if excl is not None:
            d_excl = excl - excl
            t_excl = excl + d_excl
        if incl is not None and version != "2.1.1":
            d_incl = incl - incl
            t_incl = incl + d_incl
        adjustment = (d_excl, d_incl, ())
        if exact:
            # _exact(adjustment) and _exact(_plus(subtotal, adjustment)), written out.
            limit_price = make_price(d_excl, d_incl, ())
            total_price = make_price(
                t_excl, t_incl, tuple([make_tax(p, _ZERO + x) for p, x in taxes]) if taxes else ()
            )
    else:
        adjustment = _limit_adjustment(tariff, subtotal, version)
        if exact:
            limit_price = _exact(adjustment)
            total_price = _exact(_plus(subtotal, adjustment))
    if not exact:
        prices = [_price(t, rounding) for t in costs]
        limit_price = _price(adjustment, rounding)
        total_price = _price(_plus(subtotal, adjustment), rounding)
    delta = data.end - data.start
    return make_pricing(
        version,
        tariff.currency,
        tariff.id,
        zone_name,
        total_price,
        prices[FLAT],
        energy,
        prices[ENERGY],
        # seconds(delta) / _HOUR: the same quotient and the same ideal exponent (-6), so the
        # same digits and exponent.
        Decimal(delta // _MICROSECOND) / _HOUR_IN_MICROSECONDS,
        prices[TIME],
        parking,
        prices[PARKING],
        prices[4],
        limit_price,
        billed[ENERGY],
        billed[TIME],
        billed[PARKING],
        reservation_time,
        priced,
        tuple(warnings),
    )


def _exact_totals(
    compiled: CompiledTariff,
    data: PricingInput,
    zone_name: str,
    priced: tuple[PricedLine, ...] | Deferred,
    energy: Decimal,
    parking: Decimal,
    groups: list[Group | None],
    billed_energy: Decimal,
    billed_time: Decimal,
    billed_parking: Decimal,
    reservation_time: Decimal,
    warnings: list[str],
) -> Pricing:
    """:func:`_totals` without rounding, when each cost group has one (VAT rate, unit) key.

    ``groups`` holds per cost group (FLAT, ENERGY, TIME, PARKING_TIME,
    reservation) its numerator sum, unit, VAT rate and factor, or None. The
    subtotal is kept in local variables instead of ``_plus`` triples: its
    amounts are the groups' in group order, and its taxes a table by rate in
    order of first appearance, each the sum of that rate's taxes in group
    order. That is what chaining ``_plus`` gives: every amount a group adds
    is ``0 + y`` already (exponent at most 0, never -0), on which the zeros
    ``_plus`` adds again change nothing.
    """
    version = compiled.version
    tariff = compiled.tariff
    kind = compiled.tax
    with_vat = version != "2.1.1"
    nothing = _NOTHING if with_vat else _NOTHING_NO_VAT
    zero = _ZERO
    started = False
    sub_excl: Decimal | None = zero
    sub_incl: Decimal | None = zero if with_vat else None
    sub_taxes: dict[Decimal | None, Decimal] | None = None
    prices: list[Price] = []
    for group in groups:
        if group is None:
            prices.append(nothing)
            continue
        numerator, unit, rate, factor = group
        value = numerator / unit
        # amount(value, rate, factor) (the rules of tax_rule, inlined), then each amount added
        # to the sum's start, 0, as _plus adds them; 0 + 0 is 0.
        excl: Decimal | None
        incl: Decimal | None
        tax: Decimal | None = None
        if kind >= EXCLUDED:  # EXCLUDED or EXCLUDED_UNKNOWN
            if not value:
                excl = incl = zero
            elif factor is None:
                excl = zero + value
                incl = excl if kind == EXCLUDED else None
            else:
                taxed = value * factor
                excl = zero + value
                incl = zero + taxed
                tax = zero + (taxed - value)
        elif kind == NO_VAT:
            excl = zero + value
            incl = None
        elif not value:
            excl = incl = zero
        elif kind == UNTAXED:
            excl = incl = zero + value
        elif factor is None:
            excl = None
            incl = zero + value
        else:
            untaxed = value / factor
            excl = zero + untaxed
            incl = zero + value
            tax = zero + (value - untaxed)
        if tax is not None:
            prices.append(make_price(excl, incl, (make_tax(rate, tax),)))
            if sub_taxes is None:
                sub_taxes = {rate: tax}
            else:
                before = sub_taxes.get(rate)
                # As dict keys, equal rates are one (the first one kept), as merging does.
                sub_taxes[rate] = tax if before is None else before + tax
        else:
            prices.append(make_price(excl, incl, ()))
        if started:
            sub_excl = None if sub_excl is None or excl is None else sub_excl + excl
            sub_incl = None if sub_incl is None or incl is None else sub_incl + incl
        else:
            sub_excl, sub_incl, started = excl, incl, True
    if tariff.min_price is None and tariff.max_price is None:
        # _limit_adjustment without bounds: each known amount minus itself, no tax moved; and
        # its sum with the subtotal, as _plus adds them (no taxes on the adjustment's side, so
        # the subtotal's are each added to zero).
        # x - x is a zero of x's exponent, and x plus that zero is x, digit for digit (the
        # sums are never -0); so are the sum's taxes plus zero: the total is the subtotal.
        d_excl = d_incl = None
        if sub_excl is not None:
            d_excl = sub_excl - sub_excl
        if sub_incl is not None and with_vat:
            d_incl = sub_incl - sub_incl
        else:
            sub_incl = None
        limit_price = make_price(d_excl, d_incl, ())
        if sub_taxes is None:
            total_price = make_price(sub_excl, sub_incl, ())
        else:
            total_taxes = []
            for rate, tax in sub_taxes.items():
                total_taxes.append(make_tax(rate, tax))
            total_price = make_price(sub_excl, sub_incl, tuple(total_taxes))
    else:
        if started:
            subtotal: Triple = (sub_excl, sub_incl, () if sub_taxes is None else tuple(sub_taxes.items()))
        else:
            subtotal = _START if with_vat else _START_NO_VAT
        adjustment = _limit_adjustment(tariff, subtotal, version)
        limit_price = _exact(adjustment)
        total_price = _exact(_plus(subtotal, adjustment))
    delta = data.end - data.start
    return make_pricing(
        version,
        tariff.currency,
        tariff.id,
        zone_name,
        total_price,
        prices[FLAT],
        energy,
        prices[ENERGY],
        # seconds(delta) / _HOUR: the same quotient and the same ideal exponent (-6), so the
        # same digits and exponent.
        Decimal(delta // _MICROSECOND) / _HOUR_IN_MICROSECONDS,
        prices[TIME],
        parking,
        prices[PARKING],
        prices[4],
        limit_price,
        billed_energy,
        billed_time,
        billed_parking,
        reservation_time,
        priced,
        tuple(warnings),
    )


def _exact(t: Triple) -> Price:
    """``_price(t, None)``."""
    if t is _START:
        return _NOTHING
    if t is _START_NO_VAT:
        return _NOTHING_NO_VAT
    taxes = t[2]
    if not taxes:
        return make_price(t[0], t[1], ())
    if len(taxes) == 1:
        p, a = taxes[0]
        return make_price(t[0], t[1], (make_tax(p, a),))
    return make_price(t[0], t[1], tuple([make_tax(p, a) for p, a in taxes]))


def _lines(compiled: CompiledTariff, lines: list[Line], rounding: Rounding | None) -> tuple[PricedLine, ...]:
    """The priced lines, each with its cost (VAT per the version, rounded when asked)."""
    # Built lazily, maybe outside price(): the pricing context again.
    return in_context(_make_lines, compiled, lines, rounding)


def _make_lines(
    compiled: CompiledTariff, lines: list[Line], rounding: Rounding | None
) -> tuple[PricedLine, ...]:
    amount = compiled.amount
    with_vat = compiled.version != "2.1.1"
    names = _NAMES
    per_volume = _PER_VOLUME
    out = []
    for (
        period,
        at_start,
        at_end,
        dimension,
        reservation,
        element,
        component,
        factor,
        volume,
        _,
        _,
        extra,
        billed,
        numerator,
    ) in lines:
        vat = component.vat
        out.append(
            make_line(
                period,
                at_start,
                at_end,
                names[dimension],
                reservation,
                element,
                component.index,
                component.price,
                vat if with_vat else None,
                component.step_size,
                volume,
                extra,
                billed,
                _price(amount(numerator / per_volume[dimension], vat, factor), rounding),
            )
        )
    return tuple(out)
