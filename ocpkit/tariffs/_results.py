"""What pricing returns: amounts excl. and incl. tax, priced lines, the CDR totals.

Theory of operation. These are plain frozen dataclasses, built once at the end
of a pricing run by :mod:`ocpkit.tariffs._engine` and never changed after.
Money is :class:`~decimal.Decimal` throughout. A :class:`Price` holds one
amount before and after tax and splits the tax by VAT rate; adding two prices
merges the splits. :class:`Rounding` is the only place where money is rounded,
and only when the caller asks for it.

The breakdown :attr:`Pricing.lines` is built when it is first read: the
engine stores a :class:`Deferred` (a function and its arguments) in the slot,
and the slot's descriptor replaces it by the tuple of :class:`PricedLine` on
first access. Equality, hashing, ``repr``, pickling, ``dataclasses.replace``
and ``fields`` all read the attribute, so nothing outside can tell the
difference; the totals are computed before :func:`price` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "Deferred",
    "Price",
    "PricedLine",
    "Pricing",
    "Rounding",
    "Tax",
    "make_line",
    "make_price",
    "make_pricing",
    "make_tax",
]

_ZERO = Decimal(0)


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
    the total). ``billed_*`` are volumes after ``step_size``. Every total is
    computed by :func:`price`; ``lines`` is built when first read (then kept),
    with the same values as if it had been built at once.
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


# --------------------------------------------------------------------------- fast construction
#
# The engine builds millions of these. A frozen dataclass's __init__ sets each
# field through object.__setattr__, and even the slots' own setters are a call
# each. Instead, each class has a twin: a plain class with the same slots (so
# the same memory layout), whose attributes are set as fast as a local
# variable's; the finished object then takes the frozen class as its own
# (``__class__`` assignment, which Python allows between classes of the same
# layout). The objects are the same: the tests compare what these build with
# what the constructors build.

_new = object.__new__


def _maker(cls: type[Any]) -> Any:
    # Written out field by field, as dataclasses writes __init__.
    names = list(cls.__dataclass_fields__)
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": tuple(cls.__slots__)})
    args = ", ".join(names)
    lines = [f"def make({args}):", "    obj = _new(twin)"]
    lines += [f"    obj.{name} = {name}" for name in names]
    lines += ["    obj.__class__ = cls", "    return obj"]
    scope: dict[str, Any] = {"_new": _new, "cls": cls, "twin": twin}
    exec("\n".join(lines), scope)
    make = scope["make"]
    make.__doc__ = f"``{cls.__name__}(...)`` with every field, in order, built faster."
    return make


make_price: Callable[[Decimal | None, Decimal | None, tuple[Tax, ...]], Price] = _maker(Price)
make_tax: Callable[[Decimal | None, Decimal], Tax] = _maker(Tax)
make_line: Callable[..., PricedLine] = _maker(PricedLine)
make_pricing: Callable[..., Pricing] = _maker(Pricing)


# --------------------------------------------------------------------------- the deferred breakdown


class Deferred(tuple[Any, ...]):
    """A value still to be built, ``(fn, *args)``: ``build()`` calls ``fn(*args)``.

    A tuple, so that making one costs no more than making a tuple (one per result).
    """

    __slots__ = ()

    def build(self) -> Any:
        """Build the value."""
        return self[0](*self[1:])


class _BuiltOnRead:
    """The ``lines`` slot of :class:`Pricing`, building a :class:`Deferred` value on first read."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if type(value) is Deferred:
            # Two threads may both build it: the results are equal, the last one stays.
            value = value.build()
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: Any) -> None:
        self.slot.__set__(obj, value)

    def __delete__(self, obj: object) -> None:
        self.slot.__delete__(obj)


setattr(Pricing, "lines", _BuiltOnRead(Pricing.__dict__["lines"]))  # noqa: B010  # mypy keeps the field's type
