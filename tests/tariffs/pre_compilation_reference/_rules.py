"""Tariff rules on normalised inputs: restrictions, element choice, step_size.

Theory of operation. Everything here works on the dataclasses of
:mod:`ocpkit.tariffs._input` and knows nothing about wire shapes or VAT.
:func:`matches` judges one element's restrictions against a period's
:class:`Context` (local start time, session duration so far, energy so far,
measured currents and powers). :func:`candidates` orders the elements allowed
for a period (reservation or not) and :func:`select` picks the first element
with a component of the asked dimension whose restrictions hold.
:func:`apply_step_sizes` rounds each group's session total up to the step of
the last component that priced the group and books the extra volume on that
last line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tests.tariffs.pre_compilation_reference._input import NComponent, NElement, NRestrictions

__all__ = ["Context", "Line", "apply_step_sizes", "candidates", "matches", "seconds", "select"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Context:
    """What restrictions are judged against, at the start of one period."""

    local: datetime
    duration: Decimal
    energy_before: Decimal
    dims: Mapping[str, Decimal]
    hours: Decimal


@dataclass(slots=True)
class Line:
    """One priced dimension of one period, before tax.

    ``per_volume`` converts the volume to step units (3600 s per hour, 1000 Wh
    per kWh, 1 for FLAT); ``extra_units``, set by step_size, is in those units,
    so that the billed amount stays exact: see :attr:`numerator`.
    """

    period: int
    start: datetime
    end: datetime
    dimension: str
    reservation: bool
    element: int
    component: NComponent
    volume: Decimal
    per_volume: Decimal
    extra_units: Decimal = _ZERO

    @property
    def numerator(self) -> Decimal:
        """Billed cost x ``per_volume``, exact (the one inexact division comes last)."""
        return (self.volume * self.per_volume + self.extra_units) * self.component.price


def seconds(delta: timedelta) -> Decimal:
    """A timedelta as exact Decimal seconds."""
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds).scaleb(-6)


def candidates(elements: Sequence[NElement], reservation: bool, expired: bool) -> list[tuple[int, NElement]]:
    """(index, element) pairs allowed for a period, in the order they are tried."""
    indexed = list(enumerate(elements))
    if not reservation:
        return [(i, e) for i, e in indexed if e.restrictions.reservation is None]
    # OCPI 2.2.1 tariffs, ReservationRestrictionType: an expired reservation is
    # priced by RESERVATION_EXPIRES elements first, then by RESERVATION ones.
    kinds = ("RESERVATION_EXPIRES", "RESERVATION") if expired else ("RESERVATION",)
    return [(i, e) for kind in kinds for i, e in indexed if e.restrictions.reservation == kind]


def select(
    elements: Sequence[tuple[int, NElement]], dimension: str, ctx: Context
) -> tuple[int, NComponent] | None:
    """The first element (index) and its component of ``dimension`` active in ``ctx``."""
    # OCPI 2.2.1 tariffs, Tariff object: per dimension, the first element in the
    # list that has a component of that dimension and whose restrictions match.
    for index, element in elements:
        component = next((c for c in element.components if c.type == dimension), None)
        if component is not None and matches(element.restrictions, ctx):
            return index, component
    return None


def matches(r: NRestrictions, ctx: Context) -> bool:
    """True when every restriction in ``r`` holds at the start of the period ``ctx``."""
    minute = ctx.local.hour * 60 + ctx.local.minute + Decimal(ctx.local.second) / 60
    if not _time_window(r.start_time, r.end_time, minute):
        return False
    day = ctx.local.date()
    # OCPI 2.2.1 tariffs: start_date inclusive, end_date exclusive.
    if r.start_date is not None and day < r.start_date:
        return False
    if r.end_date is not None and day >= r.end_date:
        return False
    if r.day_of_week is not None and ctx.local.weekday() not in r.day_of_week:
        return False
    # min_* inclusive, max_* exclusive (kWh, duration); see TariffRestrictions.
    if r.min_kwh is not None and ctx.energy_before < r.min_kwh:
        return False
    if r.max_kwh is not None and ctx.energy_before >= r.max_kwh:
        return False
    if r.min_duration is not None and ctx.duration < r.min_duration:
        return False
    if r.max_duration is not None and ctx.duration >= r.max_duration:
        return False
    currents = _levels(ctx.dims, "CURRENT", None)
    if not _bounds(r.min_current, r.max_current, currents):
        return False
    if r.min_power is None and r.max_power is None:
        return True
    return _bounds(r.min_power, r.max_power, _levels(ctx.dims, "POWER", _average_power(ctx)))


def _time_window(start: int | None, end: int | None, minute: Decimal) -> bool:
    if start is None and end is None:
        return True
    lo = 0 if start is None else start
    # OCPI 2.2.1 tariffs: end_time 00:00 stops at the end of the day.
    hi = 24 * 60 if end is None or end == 0 else end
    if lo == hi:
        return True
    if lo < hi:
        return lo <= minute < hi
    # end_time < start_time: the window wraps over midnight.
    return minute >= lo or minute < hi


def _levels(
    dims: Mapping[str, Decimal], name: str, fallback: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """(lowest, highest) CURRENT or POWER of a period: MIN_/MAX_ values, else the average.

    A maximum never stands in for a minimum (or the reverse): it says nothing
    about how low the level went.
    """
    average = dims.get(name, fallback)
    return dims.get(f"MIN_{name}", average), dims.get(f"MAX_{name}", average)


def _bounds(minimum: Decimal | None, maximum: Decimal | None, levels: tuple[Decimal | None, ...]) -> bool:
    if minimum is None and maximum is None:
        return True
    low, high = levels
    # Without a measurement a current/power restriction cannot be shown to hold.
    if minimum is not None and (low is None or low < minimum):
        return False
    return maximum is None or (high is not None and high < maximum)


def _average_power(ctx: Context) -> Decimal | None:
    energy = ctx.dims.get("ENERGY")
    if energy is None:
        return None
    hours = ctx.dims.get("TIME") or ctx.hours
    return energy / hours if hours > 0 else None


def apply_step_sizes(lines: list[Line]) -> None:
    """OCPI 2.2.1 cdrs, step_size: once per session per group, on the group total."""
    energy = [x for x in lines if x.dimension == "ENERGY" and not x.reservation]
    parking = [x for x in lines if x.dimension == "PARKING_TIME" and not x.reservation]
    time = [x for x in lines if x.dimension == "TIME" and not x.reservation]
    reserved = [x for x in lines if x.dimension == "TIME" and x.reservation]
    _step(energy)
    # When parking follows charging, only the parking total is rounded.
    _step(parking if any(x.volume > 0 for x in parking) else time)
    _step(reserved)


def _step(group: list[Line]) -> None:
    used = [x for x in group if x.volume > 0]
    if not used:
        return
    last = used[-1]
    step = last.component.step_size
    total = sum((x.volume * x.per_volume for x in group), _ZERO)
    if step <= 0 or total <= 0:
        return
    quotient, remainder = divmod(total, Decimal(step))
    if remainder == 0:
        return
    # The extra volume is billed at the price of the last period that used the group.
    last.extra_units = (quotient + 1) * step - total
