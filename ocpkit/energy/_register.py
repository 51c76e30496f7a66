"""One step of a meter register: rise, jitter, reset or fall (part of :mod:`ocpkit.energy`).

Theory of operation: an energy register (``Energy.Active.Import.Register`` and
the other ``*.Register`` measurands) only counts up. Between two consecutive
readings of one register (one transaction, measurand, phase and location) it
may still appear to go down, for three different reasons, and
:func:`classify_step` tells them apart from the two values alone, given in one
unit (the quantity's base unit: Wh, varh, VAh):

* **jitter**: the later reading is lower by no more than the register's
  rounding. A reading sent with its last digit at 10**e is good to half a unit
  of that digit, so two honest readings of the same register differ by at most
  the coarser of their two resolutions (``3051.11`` kWh and ``3051113`` Wh: up
  to 10 Wh). Registers sent with fractions of a unit wobble by fractions of a
  unit while no power flows, so a fall is jitter whenever it is at most
  ``max(coarser resolution, one whole base unit)``: a dip of 0.5 Wh on a
  register sent as ``1234.5`` is jitter, and so is 1 Wh on a whole-Wh register.
  Jitter adds no energy and is no reset.
* **reset**: the register starts again from zero (a meter reset or swap). The
  evidence is the later reading near zero: at most :data:`NEAR_ZERO_FRACTION`
  of the earlier reading, or at most *near_zero* base units (by default
  :data:`NEAR_ZERO`, 1 kWh: what a reset register may have counted again by
  the next sample), whichever is larger.
* **fall**: any other fall. An energy register must not do that inside a
  transaction; it is an error in the data, not evidence of a reset.

Anything else is a **rise** (equal readings included). Pure functions: no
I/O, no state.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Final

from ocpkit.errors import EnergyError

__all__ = [
    "NEAR_ZERO",
    "NEAR_ZERO_FRACTION",
    "StepKind",
    "classify_step",
    "jitter_tolerance",
    "resolution_of",
]

NEAR_ZERO: Final = Decimal(1000)
"""A reading at most this many base units (1 kWh for Wh) after a fall is near zero: evidence of a reset."""
NEAR_ZERO_FRACTION: Final = Decimal("0.01")
"""A reading at most this fraction of the one before it is near zero too (for large registers)."""
_ONE: Final = Decimal(1)


class StepKind(StrEnum):
    """What happened between two consecutive readings of one register."""

    RISE = "rise"
    JITTER = "jitter"
    RESET = "reset"
    FALL = "fall"


def resolution_of(value: Decimal) -> Decimal:
    """One unit of the last digit *value* was sent with (``Decimal("3051.11")`` -> ``0.01``)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise EnergyError(f"not a finite Decimal: {value!r}")
    return _ONE.scaleb(exponent)


def jitter_tolerance(before_resolution: Decimal, after_resolution: Decimal) -> Decimal:
    """The largest fall that is jitter: the coarser resolution, and never less than one base unit."""
    return max(before_resolution, after_resolution, _ONE)


def classify_step(
    before: Decimal,
    after: Decimal,
    *,
    tolerance: Decimal = _ONE,
    near_zero: Decimal = NEAR_ZERO,
) -> StepKind:
    """Classify the step from reading *before* to the next reading *after* of the same register.

    Both values are in the same unit. *tolerance* is the largest fall that is
    jitter (see :func:`jitter_tolerance`); *near_zero* the absolute bound of a
    reading that shows a reset (the relative bound is
    :data:`NEAR_ZERO_FRACTION` of *before*). The rules are those of the module
    docstring, tried in the order jitter, reset, fall.
    """
    checked = (("before", before), ("after", after), ("tolerance", tolerance), ("near_zero", near_zero))
    for name, value in checked:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise EnergyError(f"{name} must be a finite Decimal, not {value!r}")
    if after >= before:
        return StepKind.RISE
    if before - after <= tolerance:
        return StepKind.JITTER
    if abs(after) <= max(near_zero, abs(before) * NEAR_ZERO_FRACTION):
        return StepKind.RESET
    return StepKind.FALL
