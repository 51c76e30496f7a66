"""The pricing run: one compiled tariff, one normalised CDR, one pass over its periods.

Theory of operation. :func:`run` orders the periods (the reader says whether
they are in order already), notes the warnings that do not depend on the
tariff's choices, and hands the periods to one of three runs. Most CDRs have
no reservation and are priced without rounding; for those, a plain or a
checked tariff (see :mod:`ocpkit.tariffs._straight`) takes a straight-line
run. Everything else goes through the generic walk
(:func:`~ocpkit.tariffs._walk.walk`: every kind of period, every choice, one
line per priced dimension and period), whose sums
:func:`~ocpkit.tariffs._totals.totals` prices (or
:func:`~ocpkit.tariffs._totals.exact_totals`, without rounding and with one
(VAT rate, unit) key per cost group). The priced lines
(:class:`~ocpkit.tariffs.PricedLine`) are built when ``Pricing.lines`` is
first read, unless building them could fail (the compiled ``lazy_lines`` and
rounding), in which case they are built at once so that the failure is
raised by :func:`~ocpkit.tariffs.price`. Every run gives the same results,
down to each Decimal's exponent, as adding :class:`~ocpkit.tariffs.Price`
objects line by line would.

All arithmetic runs in :data:`~ocpkit.tariffs._rules.CONTEXT` (28 digits,
half-even, the default traps), which the callers set for the length of a call
(:func:`~ocpkit.tariffs._rules.in_context`), and which building the lines
later sets again, so results do not depend on the caller's decimal context.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from ocpkit.errors import PricingError
from ocpkit.tariffs._compile import CompiledTariff
from ocpkit.tariffs._input import NPeriod, PricingInput
from ocpkit.tariffs._results import Deferred, PricedLine, Pricing, Rounding
from ocpkit.tariffs._straight import run_checked, run_plain
from ocpkit.tariffs._totals import ENERGY, PARKING, TIME, Group, defer, exact_totals, priced_lines, totals
from ocpkit.tariffs._walk import walk

__all__ = ["run"]


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
            return run_plain(compiled, data, periods, zone, zone_name, warnings)
        if compiled.checked:
            return run_checked(compiled, data, periods, zone, zone_name, warnings)
    expired = reserved is not None and False not in reserved
    origin = start
    if reserved is not None and not expired:
        origin = periods[reserved.index(False)][0]
    lines, energy, parking, numerators, billed, reservation_time = walk(
        compiled, periods, reserved, expired, origin, end, zone
    )
    priced: tuple[PricedLine, ...] | Deferred
    if not lines:
        priced = ()
    elif rounding is None and compiled.lazy_lines:
        # Nothing in a line's cost can fail now: it is worked out when the lines are read.
        priced = defer((priced_lines, compiled, lines, None))
    else:
        # Rounding can fail (too many places for the context): fail here, as before.
        priced = priced_lines(compiled, lines, rounding)
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
            return exact_totals(
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
    return totals(
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
