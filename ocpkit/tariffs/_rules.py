"""Tariff rules on normalised inputs: restrictions and step_size.

Theory of operation. Everything here works on the dataclasses of
:mod:`ocpkit.tariffs._input` and knows nothing about wire shapes or VAT. A
:class:`Check` is one element's restrictions reduced, when the tariff is
compiled, to the tests that apply; :func:`holds` judges it against a period
(:class:`At`: its start in local time, the session's energy before it, its
measured currents and powers; the duration since the charging started and the
period's hours are worked out only when a restriction asks). :func:`step`
rounds one group's session total up to the step of the last component that
priced the group and books the extra volume on that last line (:class:`Line`),
in step units, so that the billed amount stays exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from ocpkit.tariffs._input import NComponent, NRestrictions

__all__ = ["At", "Check", "Line", "holds", "seconds", "step"]

_ZERO: Final = Decimal(0)
_HOUR: Final = Decimal(3600)
_DAY: Final = 24 * 60


def seconds(delta: timedelta) -> Decimal:
    """A timedelta as exact Decimal seconds."""
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds).scaleb(-6)


class Check:
    """One element's restrictions, reduced to the tests that apply.

    ``window`` is ``(lo, hi, wraps)`` in minutes after local midnight, or
    ``None`` when the time of day does not matter; ``local`` says whether the
    local time is needed at all (time of day, dates, days of the week).
    """

    __slots__ = (
        "current",
        "days",
        "duration",
        "end_date",
        "local",
        "max_current",
        "max_duration",
        "max_kwh",
        "max_power",
        "min_current",
        "min_duration",
        "min_kwh",
        "min_power",
        "power",
        "start_date",
        "window",
    )

    def __init__(self, r: NRestrictions) -> None:
        window: tuple[int, int, bool] | None = None
        if r.start_time is not None or r.end_time is not None:
            lo = 0 if r.start_time is None else r.start_time
            # OCPI 2.2.1 tariffs: end_time 00:00 stops at the end of the day.
            hi = _DAY if r.end_time is None or r.end_time == 0 else r.end_time
            if lo != hi:
                # end_time < start_time: the window wraps over midnight.
                window = (lo, hi, lo > hi)
        self.window = window
        self.start_date = r.start_date
        self.end_date = r.end_date
        self.days = r.day_of_week
        self.local = window is not None or (
            r.start_date is not None or r.end_date is not None or r.day_of_week is not None
        )
        self.min_kwh = r.min_kwh
        self.max_kwh = r.max_kwh
        self.min_duration = r.min_duration
        self.max_duration = r.max_duration
        self.duration = r.min_duration is not None or r.max_duration is not None
        self.min_current = r.min_current
        self.max_current = r.max_current
        self.current = r.min_current is not None or r.max_current is not None
        self.min_power = r.min_power
        self.max_power = r.max_power
        self.power = r.min_power is not None or r.max_power is not None

    @staticmethod
    def needed(r: NRestrictions) -> bool:
        """False when ``r`` restricts nothing a period could fail (the reservation kind aside)."""
        return r != NRestrictions(reservation=r.reservation)


class At:
    """What a period's restrictions are judged against; duration and hours are computed on demand."""

    __slots__ = ("dims", "end", "energy", "local", "origin", "start")

    def __init__(
        self,
        start: datetime,
        end: datetime,
        origin: datetime,
        local: datetime | None,
        energy: Decimal,
        dims: dict[str, Decimal],
    ) -> None:
        self.start = start
        self.end = end
        self.origin = origin
        self.local = local
        self.energy = energy
        self.dims = dims


def holds(c: Check, at: At) -> bool:
    """True when every restriction of ``c`` holds at the start of the period ``at``."""
    local = at.local
    if c.local:
        assert local is not None
        window = c.window
        if window is not None:
            # Whole minutes decide: the windows' bounds are whole minutes.
            minute = local.hour * 60 + local.minute
            lo, hi, wraps = window
            if wraps:
                if minute < lo and minute >= hi:
                    return False
            elif not lo <= minute < hi:
                return False
        if c.start_date is not None or c.end_date is not None:
            day = local.date()
            # OCPI 2.2.1 tariffs: start_date inclusive, end_date exclusive.
            if c.start_date is not None and day < c.start_date:
                return False
            if c.end_date is not None and day >= c.end_date:
                return False
        if c.days is not None and local.weekday() not in c.days:
            return False
    # min_* inclusive, max_* exclusive (kWh, duration); see TariffRestrictions.
    if c.min_kwh is not None and at.energy < c.min_kwh:
        return False
    if c.max_kwh is not None and at.energy >= c.max_kwh:
        return False
    if c.duration:
        duration = seconds(at.start - at.origin)
        if c.min_duration is not None and duration < c.min_duration:
            return False
        if c.max_duration is not None and duration >= c.max_duration:
            return False
    dims = at.dims
    if c.current:
        average = dims.get("CURRENT")
        if not _bounds(
            c.min_current, c.max_current, dims.get("MIN_CURRENT", average), dims.get("MAX_CURRENT", average)
        ):
            return False
    if c.power:
        average = dims.get("POWER")
        if average is None:
            average = _average_power(at)
        return _bounds(
            c.min_power, c.max_power, dims.get("MIN_POWER", average), dims.get("MAX_POWER", average)
        )
    return True


def _bounds(
    minimum: Decimal | None, maximum: Decimal | None, low: Decimal | None, high: Decimal | None
) -> bool:
    # A maximum never stands in for a minimum (or the reverse), and without a
    # measurement a current/power restriction cannot be shown to hold.
    if minimum is not None and (low is None or low < minimum):
        return False
    return maximum is None or (high is not None and high < maximum)


def _average_power(at: At) -> Decimal | None:
    energy = at.dims.get("ENERGY")
    if energy is None:
        return None
    hours = at.dims.get("TIME") or max(seconds(at.end - at.start), _ZERO) / _HOUR
    return energy / hours if hours > 0 else None


# --------------------------------------------------------------------------- step_size


class Line:
    """One priced dimension of one period, before tax; ``extra`` is what step_size adds, in step units."""

    __slots__ = (
        "component",
        "dimension",
        "element",
        "end",
        "extra",
        "factor",
        "period",
        "reservation",
        "start",
        "volume",
    )

    def __init__(
        self,
        period: int,
        start: datetime,
        end: datetime,
        dimension: int,
        reservation: bool,
        element: int,
        component: NComponent,
        factor: Decimal | None,
        volume: Decimal,
    ) -> None:
        self.period = period
        self.start = start
        self.end = end
        self.dimension = dimension
        self.reservation = reservation
        self.element = element
        self.component = component
        self.factor = factor
        self.volume = volume
        self.extra = _ZERO


def step(group: list[Line], per_volume: Decimal) -> None:
    """OCPI 2.2.1 cdrs, step_size: once per session per group, on the group total."""
    last = None
    for line in group:
        if line.volume > 0:
            last = line
    if last is None:
        return
    step = last.component.step_size
    total = _ZERO
    for line in group:
        total = total + line.volume * per_volume
    if step <= 0 or total <= 0:
        return
    quotient, remainder = divmod(total, Decimal(step))
    if remainder == 0:
        return
    # The extra volume is billed at the price of the last period that used the group.
    last.extra = (quotient + 1) * step - total
