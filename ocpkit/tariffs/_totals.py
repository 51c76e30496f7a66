"""The totals of a pricing run: cost groups priced with tax, the result built once.

Theory of operation. A run (:mod:`ocpkit.tariffs._walk`,
:mod:`ocpkit.tariffs._straight`) ends with sums per cost group (FLAT,
ENERGY, TIME, PARKING_TIME, reservation) and (VAT rate, unit): each line's
exact numerator summed before one division per group and rate, so that how
a volume is split over periods cannot change an inexact division.
:func:`totals` prices them with the version's tax rule, adds them as
``(excl, incl, taxes)`` triples with exactly the operations of
:class:`~ocpkit.tariffs.Price` addition (:func:`_plus`), bounds the total by
``min_price``/``max_price`` and builds the :class:`~ocpkit.tariffs.Pricing`;
:func:`exact_totals` does the same without rounding when each group has one
key, the subtotal in local variables and the tax rule inlined. Where an
operation provably leaves a value as it is (adding zero to a sum that began
at zero), it is skipped and the comment says why. :func:`priced_lines`
builds the priced lines (:class:`~ocpkit.tariffs.PricedLine`) from a run's
lines, in the pricing context, when ``Pricing.lines`` is first read or at
once.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Final

from ocpkit.tariffs._compile import PER_VOLUME, CompiledTariff
from ocpkit.tariffs._input import NTariff, PricingInput
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
from ocpkit.tariffs._rules import EXCLUDED, NO_VAT, UNTAXED, Line, Triple, in_context

__all__ = [
    "ENERGY",
    "FLAT",
    "PARKING",
    "TIME",
    "Group",
    "Numerators",
    "defer",
    "exact_totals",
    "make_lines",
    "priced_lines",
    "totals",
]

_ZERO: Final = Decimal(0)
# Step units per volume unit, by dimension index (FLAT, ENERGY, TIME, PARKING_TIME).
_PER_VOLUME: Final = PER_VOLUME
_NAMES: Final = ("FLAT", "ENERGY", "TIME", "PARKING_TIME")
#: Dimension indexes (and cost groups; the reservation group is 4).
FLAT, ENERGY, TIME, PARKING = 0, 1, 2, 3
_MICROSECOND: Final = timedelta(microseconds=1)
_HOUR_IN_MICROSECONDS: Final = Decimal("3600E+6")

#: ``Deferred((fn, *args))``, as fast as making a tuple.
defer: Final = partial(tuple.__new__, Deferred)
#: One cost group of a run: its numerator sum, unit, VAT rate and VAT factor.
Group = tuple[Decimal, Decimal, Decimal | None, Decimal | None]
#: A run's numerators per cost group and (VAT rate, unit): [sum, VAT factor], or None.
Numerators = list[dict[tuple[Decimal | None, Decimal], list[Any]] | None]

# Where nothing was priced: the sum's starting value, per VAT mode, and its Price.
_START: Final[Triple] = (_ZERO, _ZERO, ())
_START_NO_VAT: Final[Triple] = (_ZERO, None, ())
_NOTHING: Final = make_price(_ZERO, _ZERO, ())
_NOTHING_NO_VAT: Final = make_price(_ZERO, None, ())


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


def totals(
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
    """The result of a run from its sums: cost groups priced with tax and rounded when asked."""
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
    return _finish(
        version,
        tariff,
        zone_name,
        data,
        total_price,
        prices,
        limit_price,
        energy,
        parking,
        (billed[ENERGY], billed[TIME], billed[PARKING]),
        reservation_time,
        priced,
        warnings,
    )


def exact_totals(
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
    """:func:`totals` without rounding, when each cost group has one (VAT rate, unit) key.

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
    started = single = False
    only = nothing
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
            only = make_price(excl, incl, (make_tax(rate, tax),))
            if sub_taxes is None:
                sub_taxes = {rate: tax}
            else:
                before = sub_taxes.get(rate)
                # As dict keys, equal rates are one (the first one kept), as merging does.
                sub_taxes[rate] = tax if before is None else before + tax
        else:
            only = make_price(excl, incl, ())
        prices.append(only)
        if started:
            sub_excl = None if sub_excl is None or excl is None else sub_excl + excl
            sub_incl = None if sub_incl is None or incl is None else sub_incl + incl
            single = False
        else:
            sub_excl, sub_incl, started, single = excl, incl, True, True
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
        if single:
            # One group priced: the total has its amounts and its one tax (or none), and
            # its incl_vat is None without VAT already; the Price is the group's (immutable).
            total_price = only
        elif sub_taxes is None:
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
    return _finish(
        version,
        tariff,
        zone_name,
        data,
        total_price,
        prices,
        limit_price,
        energy,
        parking,
        (billed_energy, billed_time, billed_parking),
        reservation_time,
        priced,
        warnings,
    )


def _finish(
    version: str,
    tariff: NTariff,
    zone_name: str,
    data: PricingInput,
    total_price: Price,
    prices: list[Price],
    limit_price: Price,
    energy: Decimal,
    parking: Decimal,
    billed: tuple[Decimal, Decimal, Decimal],
    reservation_time: Decimal,
    priced: Any,
    warnings: list[str],
) -> Pricing:
    """The :class:`Pricing` of the totals; *prices* by cost group (FLAT, ENERGY, TIME, PARKING, reserved)."""
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
        billed[0],
        billed[1],
        billed[2],
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


def priced_lines(
    compiled: CompiledTariff, lines: list[Line], rounding: Rounding | None
) -> tuple[PricedLine, ...]:
    """The priced lines, each with its cost (VAT per the version, rounded when asked)."""
    # Built lazily, maybe outside price(): the pricing context again.
    return in_context(make_lines, compiled, lines, rounding)


def make_lines(
    compiled: CompiledTariff, lines: list[Line], rounding: Rounding | None
) -> tuple[PricedLine, ...]:
    """:func:`priced_lines` in the context the caller set."""
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
