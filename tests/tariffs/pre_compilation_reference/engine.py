"""OCPI tariff pricing for 2.1.1, 2.2.1 and 2.3.0, in Decimal (the pre-compilation engine, frozen).

Theory of operation. :func:`price` normalises its inputs (any mapping or
pydantic model, see :mod:`ocpkit.tariffs._input`), picks the tariff, and then
walks the charging periods in time order. Each period is judged in the local
time of the location (the CDR's location ``time_zone`` when present, else the
``tz`` argument; ``zoneinfo`` supplies DST). For every dimension (FLAT, ENERGY,
TIME, PARKING_TIME) the first tariff element that has a component of that
dimension and whose restrictions all hold at the period's start prices the
period's volume of that dimension. FLAT is billed once per session (and once
more for a reservation, whose fee is separate). Then ``step_size`` is applied
once per group on the session total: ENERGY; TIME and PARKING_TIME together
(only parking is rounded when both occur); reservation time. The rounding extra
is billed with the component of the last period that used the group. Costs get
VAT per version, are summed into the CDR ``total_*`` fields, and finally
``min_price``/``max_price`` bound the total (excl. and incl. tax separately);
the bounding shows up as :attr:`Pricing.price_limit_adjustment`.

Rounding. OCPI prescribes no rounding of money. ocpkit computes exactly (28
significant digits where a division by 3600 cannot be exact) and, by default,
returns unrounded amounts. Pass ``rounding=Rounding(2)`` (or any number of
places and a :mod:`decimal` rounding mode, e.g. ``ROUND_HALF_EVEN``) to round
every money amount of the result; totals are rounded from the unrounded sums,
so rounded parts need not add up to the rounded total. Volumes are never
rounded except by ``step_size``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ocpkit.errors import PricingError, UnsupportedError
from tests.tariffs.pre_compilation_reference._input import (
    NPeriod,
    NTariff,
    PricingInput,
    as_mapping,
    read_input,
    read_tariff,
)
from tests.tariffs.pre_compilation_reference._rules import (
    Context,
    Line,
    apply_step_sizes,
    candidates,
    seconds,
    select,
)

__all__ = [
    "VERSIONS",
    "Price",
    "PricedLine",
    "Pricing",
    "Rounding",
    "Tax",
    "price",
]

Version = Literal["2.1.1", "2.2.1", "2.3.0"]
#: OCPI versions whose tariff rules :func:`price` implements.
VERSIONS: tuple[str, ...] = ("2.1.1", "2.2.1", "2.3.0")

_ZERO = Decimal(0)
_HOUR = Decimal(3600)
_ROUNDING_MODES = frozenset(
    {
        ROUND_CEILING,
        ROUND_DOWN,
        ROUND_FLOOR,
        ROUND_HALF_DOWN,
        ROUND_HALF_EVEN,
        ROUND_HALF_UP,
        ROUND_UP,
        ROUND_05UP,
    }
)
# Step units per volume unit: OCPI TariffDimensionType step_size multipliers
# (1 Wh for ENERGY, 1 second for TIME and PARKING_TIME).
_PER_VOLUME = {"FLAT": Decimal(1), "ENERGY": Decimal(1000), "TIME": _HOUR, "PARKING_TIME": _HOUR}


@dataclass(frozen=True, slots=True)
class Rounding:
    """How to round money in a :class:`Pricing`: decimal places and a :mod:`decimal` mode."""

    places: int = 2
    mode: str = ROUND_HALF_UP

    def apply(self, value: Decimal) -> Decimal:
        """Round one amount."""
        return value.quantize(Decimal(1).scaleb(-self.places), rounding=self.mode)


@dataclass(frozen=True, slots=True)
class Tax:
    """Tax in an amount: its percentage (``None`` when unknown or mixed) and the sum due."""

    percentage: Decimal | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Price:
    """An amount excl. and incl. tax; either is ``None`` when it cannot be known.

    2.1.1 has no VAT, so ``incl_vat`` is ``None`` there. In 2.3.0 a tariff with
    ``tax_included`` NO and no ``vat`` leaves ``incl_vat`` unknown, and one with
    ``tax_included`` YES and no ``vat`` leaves ``excl_vat`` unknown. ``taxes``
    splits ``incl_vat - excl_vat`` by VAT percentage.
    """

    excl_vat: Decimal | None
    incl_vat: Decimal | None
    taxes: tuple[Tax, ...] = ()

    @property
    def before_taxes(self) -> Decimal | None:
        """2.3.0 name of :attr:`excl_vat`."""
        return self.excl_vat

    @property
    def after_taxes(self) -> Decimal | None:
        """2.3.0 name of :attr:`incl_vat`."""
        return self.incl_vat

    def __add__(self, other: Price) -> Price:
        merged: dict[Decimal | None, Decimal] = {}
        for tax in (*self.taxes, *other.taxes):
            merged[tax.percentage] = merged.get(tax.percentage, _ZERO) + tax.amount
        return Price(
            _add(self.excl_vat, other.excl_vat),
            _add(self.incl_vat, other.incl_vat),
            tuple(Tax(p, a) for p, a in merged.items()),
        )

    def rounded(self, rounding: Rounding | None) -> Price:
        """Return this price with every amount rounded (unchanged when ``rounding`` is None)."""
        if rounding is None:
            return self
        return Price(
            None if self.excl_vat is None else rounding.apply(self.excl_vat),
            None if self.incl_vat is None else rounding.apply(self.incl_vat),
            tuple(Tax(t.percentage, rounding.apply(t.amount)) for t in self.taxes),
        )


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a + b


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One dimension of one charging period, as priced.

    ``period`` indexes the periods in time order; ``element``/``component`` index
    the tariff's ``elements`` and that element's ``price_components``. ``volume``
    is what was consumed (kWh, hours, or 1 for FLAT), ``step_extra`` what
    ``step_size`` added (only on the last line of a group), ``billed_volume`` their
    sum, ``cost`` = ``billed_volume`` x ``unit_price`` with tax.
    """

    period: int
    start: datetime
    end: datetime
    dimension: str
    reservation: bool
    element: int
    component: int
    unit_price: Decimal
    vat: Decimal | None
    step_size: int
    volume: Decimal
    step_extra: Decimal
    billed_volume: Decimal
    cost: Price


@dataclass(frozen=True, slots=True)
class Pricing:
    """The result of :func:`price`: every CDR ``total_*`` field plus the breakdown.

    ``total_cost`` equals the sum of the five cost fields plus
    ``price_limit_adjustment`` (non-zero only when min_price/max_price bound
    the total). ``billed_*`` are volumes after ``step_size``.
    """

    version: str
    currency: str
    tariff_id: str | None
    time_zone: str
    total_cost: Price
    total_fixed_cost: Price
    total_energy: Decimal
    total_energy_cost: Price
    total_time: Decimal
    total_time_cost: Price
    total_parking_time: Decimal
    total_parking_cost: Price
    total_reservation_cost: Price
    price_limit_adjustment: Price
    billed_energy: Decimal
    billed_time: Decimal
    billed_parking_time: Decimal
    billed_reservation_time: Decimal
    lines: tuple[PricedLine, ...]
    warnings: tuple[str, ...]

    def as_cdr_fields(self) -> dict[str, Any]:
        """The ``total_*`` fields in the wire shape of :attr:`version` (Decimal amounts).

        2.1.1: bare numbers excl. VAT (its CDR has only total_cost and the volumes);
        2.2.1: ``{"excl_vat", "incl_vat"}``; 2.3.0: ``{"before_taxes", "taxes"}``.
        """
        if self.version == "2.1.1":
            return {
                "total_cost": self.total_cost.excl_vat,
                "total_energy": self.total_energy,
                "total_time": self.total_time,
                "total_parking_time": self.total_parking_time,
            }
        out: dict[str, Any] = {
            "total_energy": self.total_energy,
            "total_time": self.total_time,
            "total_parking_time": self.total_parking_time,
        }
        for name in (
            "total_cost",
            "total_fixed_cost",
            "total_energy_cost",
            "total_time_cost",
            "total_parking_cost",
            "total_reservation_cost",
        ):
            value: Price = getattr(self, name)
            if self.version == "2.2.1":
                out[name] = {"excl_vat": value.excl_vat}
                if value.incl_vat is not None:
                    out[name]["incl_vat"] = value.incl_vat
            else:
                out[name] = {
                    "before_taxes": value.excl_vat,
                    "taxes": [
                        {"name": "VAT" if t.percentage is not None else "Tax", "amount": t.amount}
                        | ({} if t.percentage is None else {"percentage": t.percentage})
                        for t in value.taxes
                        if t.amount != 0
                    ],
                }
        return out


# --------------------------------------------------------------------------- public entry point


def price(
    tariff: object,
    cdr_or_session: object,
    version: str = "2.2.1",
    tz: str | tzinfo | None = None,
    *,
    rounding: Rounding | None = None,
) -> Pricing:
    """Price a CDR or Session with an OCPI tariff.

    ``tariff`` is one Tariff (mapping or model), a list of them, or ``None`` to
    use the CDR's own ``tariffs``. From a list, the tariff named by the
    periods' ``tariff_id`` wins, else the first in the CDR's currency whose
    ``start_date_time``/``end_date_time`` window holds the session start.
    ``tz`` (IANA name or tzinfo) is the location's time zone, used when the
    CDR's location carries none; without either, UTC is used and a warning
    says so. ``rounding`` rounds money in the result (default: none; see the
    module docstring). Raises :class:`~ocpkit.errors.PricingError` for input
    that cannot be priced, :class:`~ocpkit.errors.UnsupportedError` for an
    unknown ``version``.
    """
    if version not in VERSIONS:
        raise UnsupportedError(f"unknown OCPI version {version!r}; expected one of {', '.join(VERSIONS)}")
    if rounding is not None and (
        not isinstance(rounding, Rounding)
        or rounding.mode not in _ROUNDING_MODES
        or not isinstance(rounding.places, int)
        or not -30 <= rounding.places <= 30
    ):
        raise PricingError(
            "rounding must be None or a Rounding with -30..30 places and a decimal ROUND_* mode"
        )
    data = read_input(cdr_or_session, "cdr")
    warnings: list[str] = []
    chosen = _choose_tariff(tariff, data, warnings)
    zone, zone_name = _zone(data.time_zone, tz, warnings)
    try:
        with localcontext() as ctx:
            ctx.prec = 28
            # Limits from the readers keep every exponent within +-1000, so only
            # pathological products can trip these; report them as PricingError.
            return _price(chosen, data, version, zone, zone_name, rounding, warnings)
    except (InvalidOperation, ArithmeticError) as exc:
        raise PricingError(f"arithmetic failed on this input: {exc!r}") from exc


# --------------------------------------------------------------------------- inputs


def _choose_tariff(tariff: object, data: PricingInput, warnings: list[str]) -> NTariff:
    if tariff is None:
        candidates = list(data.tariffs)
        if not candidates:
            raise PricingError("no tariff given and the CDR has no tariffs")
    elif isinstance(tariff, Sequence) and not isinstance(tariff, str | bytes):
        candidates = [read_tariff(t, f"tariffs[{i}]") for i, t in enumerate(tariff)]
        if not candidates:
            raise PricingError("empty list of tariffs")
    else:
        as_mapping(tariff, "tariff")
        candidates = [read_tariff(tariff, "tariff")]
    single = len(candidates) == 1
    if data.currency is not None:
        matching = [t for t in candidates if t.currency == data.currency]
        if not matching:
            found = ", ".join(sorted({t.currency for t in candidates}))
            raise PricingError(f"tariff currency {found} differs from the CDR currency {data.currency}")
        candidates = matching
    elif len({t.currency for t in candidates}) > 1:
        raise PricingError("tariffs in mixed currencies and no CDR currency to choose by")
    referenced = [p.tariff_id for p in data.periods if p.tariff_id is not None]
    by_id = {t.id: t for t in reversed(candidates) if t.id is not None}
    named = [i for i in referenced if i in by_id]
    if named:
        if len(set(named)) > 1:
            warnings.append(f"periods reference several tariffs; all priced with {named[0]!r}")
        chosen = by_id[named[0]]
    else:
        valid = [t for t in candidates if _tariff_valid(t, data.start)]
        if valid:
            chosen = valid[0]
        elif single:
            chosen = candidates[0]
            warnings.append("the session starts outside the tariff's start_date_time/end_date_time")
        else:
            raise PricingError("no tariff is valid at the session start")
    warnings.extend(chosen.warnings)
    return chosen


def _tariff_valid(tariff: NTariff, at: datetime) -> bool:
    if tariff.start_date_time is not None and at < tariff.start_date_time:
        return False
    return tariff.end_date_time is None or at < tariff.end_date_time


def _zone(cdr_zone: str | None, tz: str | tzinfo | None, warnings: list[str]) -> tuple[tzinfo, str]:
    # OCPI 2.2.1 tariffs: TariffRestrictions are in the Location's local time.
    chosen: str | tzinfo | None = cdr_zone if cdr_zone is not None else tz
    if chosen is None:
        warnings.append("no time zone known; restrictions are read in UTC")
        return UTC, "UTC"
    if isinstance(chosen, tzinfo):
        return chosen, str(chosen)
    if not isinstance(chosen, str):
        raise PricingError(f"tz must be an IANA name or a tzinfo, got {type(chosen).__name__}")
    try:
        return ZoneInfo(chosen), chosen
    except Exception as exc:  # ZoneInfoNotFoundError (a KeyError), ValueError for odd keys
        raise PricingError(f"unknown time zone {chosen[:60]!r}") from exc


# --------------------------------------------------------------------------- engine


def _price(
    tariff: NTariff,
    data: PricingInput,
    version: str,
    zone: tzinfo,
    zone_name: str,
    rounding: Rounding | None,
    warnings: list[str],
) -> Pricing:
    if not data.periods:
        raise PricingError("cdr.charging_periods: at least one period (or a Session's kwh) is needed")
    if data.synthesized:
        warnings.append("no charging periods; priced as one period built from kwh and the duration")
    # Each period ends where the next starts (OCPI ChargingPeriod), so order them.
    periods = sorted(data.periods, key=lambda p: p.start)
    if list(periods) != list(data.periods):
        warnings.append("charging periods were not in time order; sorted")
    ends = [p.start for p in periods[1:]] + [data.end]
    if periods[0].start < data.start or periods[-1].start > data.end:
        warnings.append("periods_outside_start_end_date_time")
    is_reservation = ["RESERVATION_TIME" in p.dimensions for p in periods]
    expired = all(is_reservation)
    charging = [p for p, r in zip(periods, is_reservation, strict=True) if not r]
    charging_start = charging[0].start if charging and any(is_reservation) else data.start
    if version == "2.1.1" and any(c.vat is not None for e in tariff.elements for c in e.components):
        warnings.append("vat is not part of OCPI 2.1.1; ignored")
    if version == "2.3.0" and tariff.tax_included is None:
        warnings.append("tax_included missing on a 2.3.0 tariff; prices read as excluding VAT")

    lines: list[Line] = []
    flat_done = {False: False, True: False}
    energy_before = _ZERO
    for index, (period, end) in enumerate(zip(periods, ends, strict=True)):
        reservation = is_reservation[index]
        hours = max(seconds(end - period.start), _ZERO) / _HOUR
        ctx = Context(
            local=period.start.astimezone(zone),
            duration=seconds(period.start - charging_start),
            energy_before=energy_before,
            dims=period.dimensions,
            hours=hours,
        )
        elements = candidates(tariff.elements, reservation, expired)
        if reservation:
            volumes = {"TIME": period.dimensions["RESERVATION_TIME"]}
        else:
            volumes = {
                d: period.dimensions[d] for d in ("ENERGY", "TIME", "PARKING_TIME") if d in period.dimensions
            }
            energy_before += period.dimensions.get("ENERGY", _ZERO)
        if not flat_done[reservation]:
            volumes["FLAT"] = Decimal(1)
        for dimension in ("FLAT", "ENERGY", "TIME", "PARKING_TIME"):
            if dimension not in volumes:
                continue
            found = select(elements, dimension, ctx)
            if found is None:
                continue
            element_index, component = found
            if dimension == "FLAT":
                # OCPI 2.2.1 cdrs: a FLAT fee is due once per session, not per period.
                flat_done[reservation] = True
            lines.append(
                Line(
                    index,
                    period.start,
                    end,
                    dimension,
                    reservation,
                    element_index,
                    component,
                    volumes[dimension],
                    _PER_VOLUME[dimension],
                )
            )

    apply_step_sizes(lines)
    return _totals(tariff, data, version, zone_name, rounding, periods, is_reservation, lines, warnings)


def _amount(amount: Decimal, vat: Decimal | None, version: str, tax_included: str | None) -> Price:
    if version == "2.1.1":
        return Price(amount, None)
    if amount == 0:
        return Price(_ZERO, _ZERO)
    if version == "2.3.0" and tax_included == "N/A":
        return Price(amount, amount)
    if version == "2.3.0" and tax_included == "YES":
        # OCPI 2.3.0 tariffs: prices include tax; VAT, when given, tells how much.
        if vat is None:
            return Price(None, amount)
        excl = amount / (1 + vat / 100)
        return Price(excl, amount, (Tax(vat, amount - excl),))
    if vat is None:
        # 2.2.1: no vat means no VAT applies; 2.3.0 with tax_included NO: tax unknown.
        return Price(amount, amount) if version == "2.2.1" else Price(amount, None)
    incl = amount * (1 + vat / 100)
    return Price(amount, incl, (Tax(vat, incl - amount),))


def _sum(prices: Sequence[Price], version: str) -> Price:
    total = Price(_ZERO, None if version == "2.1.1" else _ZERO)
    for p in prices:
        total = total + p
    return total


def _totals(
    tariff: NTariff,
    data: PricingInput,
    version: str,
    zone_name: str,
    rounding: Rounding | None,
    periods: Sequence[NPeriod],
    is_reservation: Sequence[bool],
    lines: Sequence[Line],
    warnings: list[str],
) -> Pricing:
    priced = [
        PricedLine(
            period=x.period,
            start=x.start,
            end=x.end,
            dimension=x.dimension,
            reservation=x.reservation,
            element=x.element,
            component=x.component.index,
            unit_price=x.component.price,
            vat=None if version == "2.1.1" else x.component.vat,
            step_size=x.component.step_size,
            volume=x.volume,
            step_extra=x.extra_units / x.per_volume,
            billed_volume=x.volume + x.extra_units / x.per_volume,
            cost=_amount(x.numerator / x.per_volume, x.component.vat, version, tariff.tax_included),
        )
        for x in lines
    ]

    def cost(dimension: str, reservation: bool = False) -> Price:
        # Sum exact numerators per (VAT, unit) first, so that how a volume is
        # split over periods cannot change the inexact division's result.
        numerators: dict[tuple[Decimal | None, Decimal], Decimal] = {}
        for x in lines:
            if x.reservation == reservation and dimension in ("*", x.dimension):
                key = (x.component.vat, x.per_volume)
                numerators[key] = numerators.get(key, _ZERO) + x.numerator
        return _sum(
            [_amount(n / unit, vat, version, tariff.tax_included) for (vat, unit), n in numerators.items()],
            version,
        )

    def billed(dimension: str, reservation: bool = False) -> Decimal:
        return sum(
            (x.billed_volume for x in priced if x.dimension == dimension and x.reservation == reservation),
            _ZERO,
        )

    def consumed(dimension: str) -> Decimal:
        return sum(
            (
                p.dimensions.get(dimension, _ZERO)
                for p, r in zip(periods, is_reservation, strict=True)
                if not r
            ),
            _ZERO,
        )

    fixed, energy, time, parking = cost("FLAT"), cost("ENERGY"), cost("TIME"), cost("PARKING_TIME")
    reservation = cost("*", reservation=True)
    subtotal = _sum([fixed, energy, time, parking, reservation], version)
    adjustment = _limit_adjustment(tariff, subtotal, version)
    total = subtotal + adjustment
    return Pricing(
        version=version,
        currency=tariff.currency,
        tariff_id=tariff.id,
        time_zone=zone_name,
        total_cost=total.rounded(rounding),
        total_fixed_cost=fixed.rounded(rounding),
        total_energy=consumed("ENERGY"),
        total_energy_cost=energy.rounded(rounding),
        total_time=seconds(data.end - data.start) / _HOUR,
        total_time_cost=time.rounded(rounding),
        total_parking_time=consumed("PARKING_TIME"),
        total_parking_cost=parking.rounded(rounding),
        total_reservation_cost=reservation.rounded(rounding),
        price_limit_adjustment=adjustment.rounded(rounding),
        billed_energy=billed("ENERGY"),
        billed_time=billed("TIME"),
        billed_parking_time=billed("PARKING_TIME"),
        billed_reservation_time=billed("TIME", reservation=True),
        lines=tuple(replace(x, cost=x.cost.rounded(rounding)) for x in priced),
        warnings=tuple(warnings),
    )


def _limit_adjustment(tariff: NTariff, subtotal: Price, version: str) -> Price:
    """OCPI 2.2.1 tariffs, min_price/max_price: excl. and incl. VAT bounds apply separately."""
    excl, incl = subtotal.excl_vat, subtotal.incl_vat
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
    d_excl = None if excl is None or subtotal.excl_vat is None else excl - subtotal.excl_vat
    d_incl = None if incl is None or subtotal.incl_vat is None else incl - subtotal.incl_vat
    if version == "2.1.1":
        return Price(d_excl, None)
    taxes: tuple[Tax, ...] = ()
    if d_excl is not None and d_incl is not None and d_incl != d_excl:
        # The bound moves the tax too, but not at any one VAT rate.
        taxes = (Tax(None, d_incl - d_excl),)
    return Price(d_excl, d_incl, taxes)
