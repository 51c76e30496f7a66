"""Straight-line pricing runs for the common shapes of tariff, equal to the generic walk.

Theory of operation. Most CDRs have no reservation and are priced without
rounding, and most tariffs price each dimension of a charging period with one
component (*plain*: :func:`run_plain`) or choose among restricted elements
that share one VAT rate per dimension (*checked*: :func:`run_checked`; see
:attr:`~ocpkit.tariffs._compile.CompiledTariff.plain` and ``checked``). Then
each cost group has one (VAT rate, unit) key, and these runs keep their sums
in local variables (or one list per dimension) instead of lines, applying
``step_size`` to the last line with a volume as
:func:`~ocpkit.tariffs._walk.walk` does, and
:func:`~ocpkit.tariffs._totals.exact_totals` builds the result. They make the
same Decimal operations in the same order as the walk, less additions of 0
that provably change nothing (each named where it is skipped; the reader's
volumes are sums that began at 0, so a Session's period made from its
``kwh`` goes to the walk); the lines themselves are made by the walk when
``Pricing.lines`` is first read. The tests compare both with the walk and
with the reference.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo
from decimal import Decimal
from typing import Final

from ocpkit.tariffs._compile import CHARGING, PER_VOLUME, CompiledTariff, Pick
from ocpkit.tariffs._input import NPeriod, PricingInput
from ocpkit.tariffs._results import Deferred, PricedLine, Pricing
from ocpkit.tariffs._rules import At, in_context
from ocpkit.tariffs._totals import ENERGY, FLAT, PARKING, TIME, Group, defer, exact_totals, make_lines
from ocpkit.tariffs._walk import choose, in_order, period_facts, walk

__all__ = ["run_checked", "run_plain"]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_HOUR: Final = Decimal(3600)
_THOUSAND: Final = Decimal(1000)
_PER_VOLUME: Final = PER_VOLUME
_MICROSECOND: Final = timedelta(microseconds=1)


def run_plain(
    compiled: CompiledTariff,
    data: PricingInput,
    periods: list[NPeriod],
    zone: tzinfo,
    zone_name: str,
    warnings: list[str],
) -> Pricing:
    """:func:`walk` and :func:`totals` for a plain tariff, no reservation and no rounding.

    Only for periods as the reader makes them: each volume is a sum that began
    at 0 (``0 + v``, exponent at most 0, never -0), so that ``volume + 0`` and
    ``volume x unit + 0`` (``unit`` 1, 1000 or 3600), which :func:`walk`
    computes, are the volume and the product themselves, digit for digit; they
    are skipped. A Session's period made from its ``kwh`` is priced by the walk.

    A plain tariff (:attr:`CompiledTariff.plain`) prices each dimension of a
    charging period with one component, chosen without a check: so the
    lines of a dimension are the periods that have it, and each cost group
    has one (VAT rate, unit) key. The sums are those of :func:`walk`, made
    in the same order with the same operations (a line's numerator
    ``volume x unit x price`` added to ``0`` first), kept in local variables
    instead of lines; the lines
    themselves are made again, by :func:`walk`, when ``Pricing.lines`` is
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

    # The cost groups as exact_totals takes them: (numerator sum, unit, VAT rate, VAT factor).
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
        priced = defer((_plain_lines, compiled, data, zone))
    return exact_totals(
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


def run_checked(
    compiled: CompiledTariff,
    data: PricingInput,
    periods: list[NPeriod],
    zone: tzinfo,
    zone_name: str,
    warnings: list[str],
) -> Pricing:
    """:func:`walk` and :func:`totals` for a checked tariff, no reservation and no rounding.

    A checked tariff (:attr:`CompiledTariff.checked`) chooses among
    restricted elements, but every choice of a dimension has the same VAT
    rate, so each cost group has one (VAT rate, unit) key. The choices are
    made as :func:`walk` makes them; instead of lines, each dimension keeps
    its lines' numerators and billed volumes in order, and its last line
    with a volume, which step_size changes before the sums are made (in line
    order, from 0, as :func:`walk` and its ``_resum`` make them). The lines
    themselves are made again, by :func:`walk`, when ``Pricing.lines`` is
    first read. As :func:`run_plain`, only for periods as the reader makes
    them, skipping the same additions of 0.
    """
    charging = compiled.active[CHARGING]
    local_needed = compiled.local
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
                    at = period_facts(
                        compiled,
                        zone,
                        at_start,
                        periods[index + 1][0] if index + 1 < count else end,
                        energy_before,
                        dims,
                        origin,
                    )
                chosen = choose(compiled, CHARGING, dimension, options, memoized, at)
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
        () if groups == [None, None, None, None, None] else defer((_plain_lines, compiled, data, zone))
    )
    return exact_totals(
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
    """The priced lines of a plain run, made by :func:`walk` (in the pricing context)."""
    return in_context(_walked_lines, compiled, data, zone)


def _walked_lines(compiled: CompiledTariff, data: PricingInput, zone: tzinfo) -> tuple[PricedLine, ...]:
    walked = walk(compiled, in_order(data.periods), None, False, data.start, data.end, zone)
    return make_lines(compiled, walked[0], None)
