"""Tariff rules on normalised inputs: restrictions, step_size, tax, and the decimal context.

Theory of operation. Everything here works on the dataclasses of
:mod:`ocpkit.tariffs._input` and knows nothing about wire shapes. A
:class:`Check` is one element's restrictions reduced, when the tariff is
compiled, to the tests that apply, written out as one function of a period
(its ``test``; :func:`holds` calls it): the cheap comparisons first, and
bounds in the units the period's facts come in (a duration bound in whole
microseconds, its exact ceiling). An ``At`` tuple holds those facts, worked out
once per period and shared by every element's check: the local minute, date
and weekday, the duration since the charging started, the energy before the
period, its measured currents and powers (the period's hours are worked out
only when a power restriction asks). :func:`step`
rounds one group's session total up to the step of the last component that
priced the group and books the extra volume on that last line (a ``Line``),
in step units, so that the billed amount stays exact. :func:`tax_rule` is the
VAT rule of a version and tariff. Pricing computes in :data:`CONTEXT`, set for
the length of a call by :func:`in_context`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, getcontext, setcontext
from typing import Any, Final, TypeVar

from ocpkit.tariffs._input import CONTEXT as _CONTEXT
from ocpkit.tariffs._input import NRestrictions

__all__ = [
    "CONTEXT",
    "At",
    "Check",
    "Line",
    "Triple",
    "holds",
    "in_context",
    "seconds",
    "step",
    "tax_kind",
    "tax_rule",
]

_ZERO: Final = Decimal(0)
_HOUR: Final = Decimal(3600)
_DAY: Final = 24 * 60
_MICROSECOND: Final = timedelta(microseconds=1)

#: The context of every pricing operation: 28 significant digits, as Decimal's default
#: (defined with the readers, which compute in it too).
CONTEXT: Final = _CONTEXT
_T = TypeVar("_T")

#: An amount as (excl. tax, incl. tax, ((VAT rate, tax), ...)); None where unknown.
Triple = tuple[Decimal | None, Decimal | None, tuple[tuple[Decimal | None, Decimal], ...]]


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


def seconds(delta: timedelta) -> Decimal:
    """A timedelta as exact Decimal seconds."""
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds).scaleb(-6)


class Check:
    """One element's restrictions, reduced to the tests that apply.

    ``window`` is ``(lo, hi, wraps)`` in minutes after local midnight, or
    ``None`` when the time of day does not matter; ``local`` says whether the
    local time is needed at all (time of day, dates, days of the week), and
    ``local_only`` whether nothing else is checked, so that the outcome
    depends on the local date and minute alone. ``facts`` names what of a
    period's ``At`` the check reads (``minute``, ``day``, ``weekday``,
    ``duration``). ``test`` is the check itself, one function of an
    ``At`` tuple, written for these restrictions when the tariff is compiled:
    the cheap comparisons first (energy, duration, time of day, dates, days),
    then the measured currents and powers.
    """

    __slots__ = (
        "current",
        "days",
        "duration",
        "end_date",
        "facts",
        "local",
        "local_only",
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
        "test",
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
        self.local_only = self.local and not (
            self.duration or self.current or self.power or r.min_kwh is not None or r.max_kwh is not None
        )
        self.facts, self.test = _writer(self)

    @staticmethod
    def needed(r: NRestrictions) -> bool:
        """False when ``r`` restricts nothing a period could fail (the reservation kind aside)."""
        return r != NRestrictions(reservation=r.reservation)


def _microseconds_above(bound: Decimal) -> int:
    """The least whole number of microseconds not below ``bound`` seconds (exact, any size)."""
    sign, digits, exponent = bound.as_tuple()
    coefficient = int("".join(map(str, digits)))
    shift = int(exponent) + 6
    scale: int = 10 ** abs(shift)
    if shift >= 0:
        micro = coefficient * scale
        return -micro if sign else micro
    whole, part = divmod(coefficient, scale)
    # The ceiling of a positive value rounds a fraction up; of a negative one, towards zero.
    return -whole if sign else whole + (part != 0)


#: What a period's restrictions are judged against, worked out once per period (a plain
#: tuple: one is made per restricted period): its start and end (UTC), the energy (kWh)
#: before it, its measurements; when a restriction of the tariff reads them, else None:
#: the minute of the local day, the local date, its ``date.weekday()``, the whole
#: microseconds since the charging started. Positions: the constants below.
At = tuple[datetime, datetime, Decimal, dict[str, Decimal], int | None, date | None, int | None, int | None]
START: Final = 0
END: Final = 1
ENERGY: Final = 2
DIMS: Final = 3
MINUTE: Final = 4
DAY: Final = 5
WEEKDAY: Final = 6
DURATION: Final = 7


# Each kind of term of a test: its source (``{}`` for its constants, in order), how many
# constants it takes, and the fact of the period it reads. min_* inclusive, max_* exclusive
# (kWh, duration); see TariffRestrictions. Positions in the period's facts: see At.
_TERMS: Final[dict[str, tuple[str, int, str | None]]] = {
    "min_kwh": (f"at[{ENERGY}] >= {{}}", 1, None),
    "max_kwh": (f"at[{ENERGY}] < {{}}", 1, None),
    # The duration is whole microseconds, so comparing it with a bound in seconds is
    # comparing it with the bound's ceiling in microseconds.
    "min_duration": (f"at[{DURATION}] >= {{}}", 1, "duration"),
    "max_duration": (f"at[{DURATION}] < {{}}", 1, "duration"),
    # Whole minutes decide: the windows' bounds are whole minutes.
    "window": (f"{{}} <= at[{MINUTE}] < {{}}", 2, "minute"),
    "wrapping_window": (f"(at[{MINUTE}] >= {{}} or at[{MINUTE}] < {{}})", 2, "minute"),
    # OCPI 2.2.1 tariffs: start_date inclusive, end_date exclusive.
    "start_date": (f"at[{DAY}] >= {{}}", 1, "day"),
    "end_date": (f"at[{DAY}] < {{}}", 1, "day"),
    "days": (f"at[{WEEKDAY}] in {{}}", 1, "weekday"),
    "current": ("_current(at, {}, {})", 2, None),
    "power": ("_power(at, {}, {})", 2, None),
}
# Made tests by shape (the kinds of term, in order): what they read, and a function that
# makes the test from the constants. Tariffs share few shapes, so each is compiled once;
# bounded, emptied when full.
_SHAPES: dict[tuple[str, ...], tuple[frozenset[str], Callable[..., Callable[[At], bool]]]] = {}
_SHAPES_SIZE: Final = 1024
_SHAPES_LOCK: Final = threading.Lock()


def _writer(c: Check) -> tuple[frozenset[str], Callable[[At], bool]]:
    """What ``c`` reads of a period, and its test: one expression, the cheap comparisons first."""
    shape: list[str] = []
    values: list[object] = []

    def term(kind: str, *constants: object) -> None:
        shape.append(kind)
        values.extend(constants)

    if c.min_kwh is not None:
        term("min_kwh", c.min_kwh)
    if c.max_kwh is not None:
        term("max_kwh", c.max_kwh)
    if c.min_duration is not None:
        term("min_duration", _microseconds_above(c.min_duration))
    if c.max_duration is not None:
        term("max_duration", _microseconds_above(c.max_duration))
    if c.window is not None:
        lo, hi, wraps = c.window
        term("wrapping_window" if wraps else "window", lo, hi)
    if c.start_date is not None:
        term("start_date", c.start_date)
    if c.end_date is not None:
        term("end_date", c.end_date)
    if c.days is not None:
        term("days", c.days)
    if c.current:
        term("current", c.min_current, c.max_current)
    if c.power:
        term("power", c.min_power, c.max_power)
    key = tuple(shape)
    made = _SHAPES.get(key)
    if made is None:
        made = _shape(key)
        with _SHAPES_LOCK:
            if len(_SHAPES) >= _SHAPES_SIZE:
                _SHAPES.clear()
            _SHAPES[key] = made
    facts, factory = made
    return facts, factory(*values)


def _shape(shape: tuple[str, ...]) -> tuple[frozenset[str], Callable[..., Callable[[At], bool]]]:
    """What tests of ``shape`` read, and the function that makes one from its constants."""
    names: list[str] = []
    terms: list[str] = []
    facts = set()
    for kind in shape:
        source, count, fact = _TERMS[kind]
        mine = [f"k{len(names) + i}" for i in range(count)]
        names.extend(mine)
        terms.append(source.format(*mine))
        if fact is not None:
            facts.add(fact)
    source = (
        f"def make({', '.join(names)}):\n"
        "    def test(at):\n"
        f"        return {' and '.join(terms) or 'True'}\n"
        "    return test\n"
    )
    scope: dict[str, Any] = {"_current": _current, "_power": _power}
    exec(compile(source, "<tariff restriction>", "exec"), scope)
    factory: Callable[..., Callable[[At], bool]] = scope["make"]
    return frozenset(facts), factory


def holds(c: Check, at: At) -> bool:
    """True when every restriction of ``c`` holds at the start of the period ``at``."""
    return c.test(at)


def _current(at: At, minimum: Decimal | None, maximum: Decimal | None) -> bool:
    dims = at[DIMS]
    average = dims.get("CURRENT")
    return _bounds(minimum, maximum, dims.get("MIN_CURRENT", average), dims.get("MAX_CURRENT", average))


def _power(at: At, minimum: Decimal | None, maximum: Decimal | None) -> bool:
    dims = at[DIMS]
    average = dims.get("POWER")
    if average is None:
        average = _average_power(at)
    return _bounds(minimum, maximum, dims.get("MIN_POWER", average), dims.get("MAX_POWER", average))


def _bounds(
    minimum: Decimal | None, maximum: Decimal | None, low: Decimal | None, high: Decimal | None
) -> bool:
    # A maximum never stands in for a minimum (or the reverse), and without a
    # measurement a current/power restriction cannot be shown to hold.
    if minimum is not None and (low is None or low < minimum):
        return False
    return maximum is None or (high is not None and high < maximum)


def _average_power(at: At) -> Decimal | None:
    energy = at[DIMS].get("ENERGY")
    if energy is None:
        return None
    hours = at[DIMS].get("TIME") or max(seconds(at[END] - at[START]), _ZERO) / _HOUR
    return energy / hours if hours > 0 else None


# --------------------------------------------------------------------------- step_size


#: One priced dimension of one period, before tax, as a list (a month makes millions):
#: [period index, start, end, dimension index, reservation?, element index, component,
#: VAT factor, volume, extra, volume in step units]; ``extra`` is what step_size adds, in
#: step units; then the step extra in volume units, the billed volume and the cost's
#: numerator (volume x step units + extra) x unit price.
Line = list[Any]
VOLUME, EXTRA, COMPONENT = 8, 9, 6


def step(last: Line, total: Decimal) -> bool:
    """OCPI 2.2.1 cdrs, step_size: once per session per group, on the group total.

    ``last`` is the group's last line with a volume, ``total`` the group's volume
    in step units (Wh or seconds), summed in line order. Returns whether an
    extra was booked on ``last``.
    """
    step = last[COMPONENT].step_size
    if step <= 0 or total <= _ZERO:
        return False
    quotient, remainder = divmod(total, Decimal(step))
    if not remainder:
        return False
    # The extra volume is billed at the price of the last period that used the group.
    last[EXTRA] = (quotient + 1) * step - total
    return True


# --------------------------------------------------------------------------- tax


#: Kinds of tax rule (see :func:`tax_kind`): none (2.1.1), untaxed (2.3.0 N/A), included
#: (2.3.0 YES), excluded with VAT known (2.2.1), excluded with tax unknown without VAT (2.3.0).
NO_VAT, UNTAXED, INCLUDED, EXCLUDED, EXCLUDED_UNKNOWN = 0, 1, 2, 3, 4


def tax_kind(version: str, tax_included: str | None) -> int:
    """Which of the rules of :func:`tax_rule` applies, as a constant, for callers that inline it."""
    if version == "2.1.1":
        return NO_VAT
    if version == "2.3.0" and tax_included == "N/A":
        return UNTAXED
    if version == "2.3.0" and tax_included == "YES":
        return INCLUDED
    return EXCLUDED if version == "2.2.1" else EXCLUDED_UNKNOWN


def tax_rule(
    version: str, tax_included: str | None
) -> Callable[[Decimal, Decimal | None, Decimal | None], Triple]:
    """The tax rule of a version and tariff: (amount, VAT rate, 1 + rate/100) -> amount with tax."""
    if version == "2.1.1":

        def no_vat(amount: Decimal, vat: Decimal | None, factor: Decimal | None) -> Triple:
            return (amount, None, ())

        return no_vat
    if version == "2.3.0" and tax_included == "N/A":

        def untaxed(amount: Decimal, vat: Decimal | None, factor: Decimal | None) -> Triple:
            return (_ZERO, _ZERO, ()) if not amount else (amount, amount, ())

        return untaxed
    if version == "2.3.0" and tax_included == "YES":

        def included(amount: Decimal, vat: Decimal | None, factor: Decimal | None) -> Triple:
            # OCPI 2.3.0 tariffs: prices include tax; VAT, when given, tells how much.
            if not amount:
                return (_ZERO, _ZERO, ())
            if factor is None:
                return (None, amount, ())
            excl = amount / factor
            return (excl, amount, ((vat, amount - excl),))

        return included
    # 2.2.1: no vat means no VAT applies; 2.3.0 with tax_included NO: tax unknown.
    known = version == "2.2.1"

    def excluded(amount: Decimal, vat: Decimal | None, factor: Decimal | None) -> Triple:
        if not amount:
            return (_ZERO, _ZERO, ())
        if factor is None:
            return (amount, amount, ()) if known else (amount, None, ())
        incl = amount * factor
        return (amount, incl, ((vat, incl - amount),))

    return excluded
