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

from datetime import UTC, timedelta, tzinfo
from decimal import Decimal
from typing import Final

from ocpkit.tariffs._compile import CHARGING, PER_VOLUME, CompiledTariff, Pick
from ocpkit.tariffs._input import NPeriod, PricingInput
from ocpkit.tariffs._results import Deferred, PricedLine, Pricing
from ocpkit.tariffs._rules import At, in_context
from ocpkit.tariffs._totals import ENERGY, FLAT, PARKING, TIME, Group, defer, exact_totals, make_lines
from ocpkit.tariffs._walk import in_order, memo_choice, walk

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
                t_parking = t_parking + scaled
                if volume > zero:
                    l_parking = index
        if at_start.year == 1 or at_start.year == 9999:
            # Near the ends of the calendar the local time may not exist; fail as the conversion does.
            at_start.astimezone(zone)

    # The billed volumes before step_size: the same sums as energy and parking (every period
    # with the dimension is a line, the same additions in the same order from 0).
    if energy_pick is not None:
        b_energy = energy
    if parking_pick is not None:
        b_parking = parking
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
    made as :func:`walk` makes them (its ``period_facts`` and ``choose``,
    written out here: the facts once per period, only when a dimension of
    the period needs a check); instead of lines, each dimension keeps, in
    variables of its own, its lines' numerators and billed volumes in order,
    its first choice (whose VAT rate and factor are the group's), its total
    in step units and its last line with a volume, which step_size changes
    before the sums are made (in line order, from 0, as :func:`walk` and its
    ``_resum`` make them). The lines themselves are made again, by
    :func:`walk`, when ``Pricing.lines`` is first read. As :func:`run_plain`,
    only for periods as the reader makes them, skipping the same additions
    of 0.
    """
    flat_plan, energy_plan, time_plan, parking_plan = compiled.charging
    facts = compiled.facts
    local_needed = compiled.local
    need_duration = "duration" in facts
    need_minute = "minute" in facts
    need_day = "day" in facts
    need_weekday = "weekday" in facts
    origin, end = data.start, data.end
    count = len(periods)
    zero = _ZERO
    thousand, hour, microsecond = _THOUSAND, _HOUR, _MICROSECOND
    energy = parking = zero
    # Per dimension: its plan's fixed choice (or None: choose per period), its options and
    # whether they are memoized; whether it needs the period's facts.
    flat_done = flat_plan is None
    flat_pick: Pick | None = None
    f_fixed = f_options = None
    f_memo = False
    if flat_plan is not None:
        _, f_fixed, f_options, f_memo = flat_plan
    e_on = energy_plan is not None
    e_fixed = e_options = None
    e_memo = False
    if e_on:
        _, e_fixed, e_options, e_memo = energy_plan  # type: ignore[misc]
    t_on = time_plan is not None
    t_fixed = t_options = None
    t_memo = False
    if t_on:
        _, t_fixed, t_options, t_memo = time_plan  # type: ignore[misc]
    p_on = parking_plan is not None
    p_fixed = p_options = None
    p_memo = False
    if p_on:
        _, p_fixed, p_options, p_memo = parking_plan  # type: ignore[misc]
    # The lines' numerators and billed volumes, the first line's choice, the total in step
    # units, and the last line with a volume as (its position, choice, volume in step units,
    # volume), per dimension.
    e_numerators: list[Decimal] = []
    e_billed: list[Decimal] = []
    e_first: Pick | None = None
    e_total = zero
    e_last: tuple[int, Pick, Decimal, Decimal] | None = None
    t_numerators: list[Decimal] = []
    t_billed: list[Decimal] = []
    t_first: Pick | None = None
    t_total = zero
    t_last: tuple[int, Pick, Decimal, Decimal] | None = None
    p_numerators: list[Decimal] = []
    p_billed: list[Decimal] = []
    p_first: Pick | None = None
    p_total = zero
    p_last: tuple[int, Pick, Decimal, Decimal] | None = None
    for index in range(count):
        at_start, dims, _ = periods[index]
        energy_before = energy
        get = dims.get
        e_volume = get("ENERGY")
        t_volume = get("TIME")
        p_volume = get("PARKING_TIME")
        if e_volume is not None:
            energy = energy + e_volume
        if p_volume is not None:
            parking = parking + p_volume
        at: At | None = None
        if (
            (not flat_done and f_fixed is None)
            or (e_volume is not None and e_on and e_fixed is None)
            or (t_volume is not None and t_on and t_fixed is None)
            or (p_volume is not None and p_on and p_fixed is None)
        ):
            # period_facts, written out: what the checks read of this period.
            at_end = periods[index + 1][0] if index + 1 < count else end
            duration = (at_start - origin) // microsecond if need_duration else None
            if local_needed:
                # The reader's instants are in UTC already: in UTC, the local time is the instant.
                local = at_start if zone is UTC else at_start.astimezone(zone)
                at = (
                    at_start,
                    at_end,
                    energy_before,
                    dims,
                    local.hour * 60 + local.minute if need_minute else None,
                    local.date() if need_day else None,
                    local.weekday() if need_weekday else None,
                    duration,
                )
            else:
                at = (at_start, at_end, energy_before, dims, None, None, None, duration)
        # choose(), written out per dimension, in dimension order (FLAT, ENERGY, TIME, PARKING_TIME).
        if not flat_done:
            chosen = f_fixed
            if chosen is None:
                if f_memo:
                    chosen = memo_choice(compiled, CHARGING, FLAT, f_options, at)  # type: ignore[arg-type]
                else:
                    for test, option in f_options:  # type: ignore[union-attr]
                        if test is None or test(at):  # type: ignore[arg-type]
                            chosen = option
                            break
            if chosen is not None:
                # OCPI 2.2.1 cdrs: a FLAT fee is due once per session, not per period.
                flat_done = True
                flat_pick = chosen
        if e_volume is not None and e_on:
            chosen = e_fixed
            if chosen is None:
                if e_memo:
                    chosen = memo_choice(compiled, CHARGING, ENERGY, e_options, at)  # type: ignore[arg-type]
                else:
                    for test, option in e_options:  # type: ignore[union-attr]
                        if test is None or test(at):  # type: ignore[arg-type]
                            chosen = option
                            break
            if chosen is not None:
                scaled = e_volume * thousand
                e_numerators.append(scaled * chosen[3])
                if e_first is None:
                    e_first = chosen
                e_billed.append(e_volume)
                e_total = e_total + scaled
                if e_volume > zero:
                    e_last = (len(e_billed) - 1, chosen, scaled, e_volume)
        if t_volume is not None and t_on:
            chosen = t_fixed
            if chosen is None:
                if t_memo:
                    chosen = memo_choice(compiled, CHARGING, TIME, t_options, at)  # type: ignore[arg-type]
                else:
                    for test, option in t_options:  # type: ignore[union-attr]
                        if test is None or test(at):  # type: ignore[arg-type]
                            chosen = option
                            break
            if chosen is not None:
                scaled = t_volume * hour
                t_numerators.append(scaled * chosen[3])
                if t_first is None:
                    t_first = chosen
                t_billed.append(t_volume)
                t_total = t_total + scaled
                if t_volume > zero:
                    t_last = (len(t_billed) - 1, chosen, scaled, t_volume)
        if p_volume is not None and p_on:
            chosen = p_fixed
            if chosen is None:
                if p_memo:
                    chosen = memo_choice(compiled, CHARGING, PARKING, p_options, at)  # type: ignore[arg-type]
                else:
                    for test, option in p_options:  # type: ignore[union-attr]
                        if test is None or test(at):  # type: ignore[arg-type]
                            chosen = option
                            break
            if chosen is not None:
                scaled = p_volume * hour
                p_numerators.append(scaled * chosen[3])
                if p_first is None:
                    p_first = chosen
                p_billed.append(p_volume)
                p_total = p_total + scaled
                if p_volume > zero:
                    p_last = (len(p_billed) - 1, chosen, scaled, p_volume)
        if (at is None or not local_needed) and (at_start.year == 1 or at_start.year == 9999):
            # Near the ends of the calendar the local time may not exist; fail as the conversion does.
            at_start.astimezone(zone)

    # step_size: the extra on the group's last line with a volume (see step() and _resum()).
    # When parking follows charging, only the parking total is rounded.
    if e_last is not None:
        position, chosen, scaled, volume = e_last
        extra = _extra(chosen[1].step_size, e_total)
        if extra is not None:
            e_billed[position] = volume + extra / thousand
            e_numerators[position] = (scaled + extra) * chosen[3]
    if p_last is not None:
        position, chosen, scaled, volume = p_last
        extra = _extra(chosen[1].step_size, p_total)
        if extra is not None:
            p_billed[position] = volume + extra / hour
            p_numerators[position] = (scaled + extra) * chosen[3]
    elif t_last is not None:
        position, chosen, scaled, volume = t_last
        extra = _extra(chosen[1].step_size, t_total)
        if extra is not None:
            t_billed[position] = volume + extra / hour
            t_numerators[position] = (scaled + extra) * chosen[3]
    # The sums, in line order from 0.
    groups: list[Group | None] = [None, None, None, None, None]
    if flat_pick is not None:
        # The one FLAT line: volume 1, 1 x price, added to 0.
        groups[FLAT] = (zero + _ONE * flat_pick[3], _ONE, flat_pick[1].vat, flat_pick[2])
    b_energy = b_time = b_parking = zero
    if e_first is not None:
        total = zero
        for numerator in e_numerators:
            total = total + numerator
        groups[ENERGY] = (total, thousand, e_first[1].vat, e_first[2])
        for billed_volume in e_billed:
            b_energy = b_energy + billed_volume
    if t_first is not None:
        total = zero
        for numerator in t_numerators:
            total = total + numerator
        groups[TIME] = (total, hour, t_first[1].vat, t_first[2])
        for billed_volume in t_billed:
            b_time = b_time + billed_volume
    if p_first is not None:
        total = zero
        for numerator in p_numerators:
            total = total + numerator
        groups[PARKING] = (total, hour, p_first[1].vat, p_first[2])
        for billed_volume in p_billed:
            b_parking = b_parking + billed_volume
    priced: tuple[PricedLine, ...] | Deferred = (
        ()
        if flat_pick is None and e_first is None and t_first is None and p_first is None
        else defer((_plain_lines, compiled, data, zone))
    )
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
