"""The generic walk of a pricing run: every kind of period, every choice, one line each.

Theory of operation. :func:`walk` goes through the periods in time order and,
for each one, through the dimensions the tariff can price for that kind of
period (FLAT once per session and once per reservation). A dimension whose
first choice is unrestricted takes it without a check; otherwise the
compiled choices are tried in order and the first whose check holds at the
period's start wins (the facts the tariff's checks read, the local minute,
date and weekday and the duration since the charging started among them,
are worked out once per period, and only those; :func:`memo_choice` remembers
choices that depend on the local date and minute alone). Each priced
dimension of a period becomes a line (a ``Line`` list); as each is made, its
group's total in step units and last line with a volume are kept, so that
``step_size`` (:func:`~ocpkit.tariffs._rules.step`) is applied per group
without another pass, and its numerator is added to its group's sums.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final

from ocpkit.tariffs._compile import CHARGING, EXPIRED, PER_VOLUME, RESERVED, CompiledTariff, Pick
from ocpkit.tariffs._input import NPeriod
from ocpkit.tariffs._rules import DAY, MINUTE, At, Line, step
from ocpkit.tariffs._totals import ENERGY, FLAT, PARKING, TIME

__all__ = ["choose", "in_order", "memo_choice", "period_facts", "walk"]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_PER_VOLUME: Final = PER_VOLUME
_MICROSECOND: Final = timedelta(microseconds=1)
# Local-time choices remembered per compiled tariff before the memo is emptied.
_MEMO_SIZE: Final = 4096


def _start(period: NPeriod) -> datetime:
    return period[0]


def in_order(periods: list[NPeriod]) -> list[NPeriod]:
    """The periods in time order: ``periods`` itself when they are, else a sorted copy."""
    for i in range(1, len(periods)):
        if periods[i][0] < periods[i - 1][0]:
            return sorted(periods, key=_start)
    return periods


def walk(
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
                    at = period_facts(compiled, zone, at_start, at_end, energy_before, dims, origin)
                chosen = choose(compiled, kind, dimension, options, memoized, at)
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


def period_facts(
    compiled: CompiledTariff,
    zone: tzinfo,
    at_start: datetime,
    at_end: datetime,
    energy_before: Decimal,
    dims: dict[str, Decimal],
    origin: datetime,
) -> At:
    """The facts of one period that the tariff's checks read, worked out once for all of them.

    The local minute, date and weekday are computed only when a check reads
    them (:attr:`CompiledTariff.facts`), and only in a known zone.
    """
    facts = compiled.facts
    duration = (at_start - origin) // _MICROSECOND if "duration" in facts else None
    if not compiled.local:
        return (at_start, at_end, energy_before, dims, None, None, None, duration)
    local = at_start.astimezone(zone)
    return (
        at_start,
        at_end,
        energy_before,
        dims,
        local.hour * 60 + local.minute if "minute" in facts else None,
        local.date() if "day" in facts else None,
        local.weekday() if "weekday" in facts else None,
        duration,
    )


def choose(
    compiled: CompiledTariff,
    kind: int,
    dimension: int,
    options: tuple[tuple[Callable[[At], bool] | None, Pick], ...],
    memoized: bool,
    at: At,
) -> Pick | None:
    """The first of *options* whose test holds at *at* (remembered when *memoized*), or None."""
    if memoized:
        return memo_choice(compiled, kind, dimension, options, at)
    for test, option in options:
        if test is None or test(at):
            return option
    return None


def memo_choice(
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
