"""How ``ocpkit price`` shows amounts, volumes and times in its text report (display only).

Theory of operation. The pricing engine computes exactly, so its amounts carry
as many decimals as the multiplications gave them (``9.0000000000000``). The
text report shows them the way a person reads money: each amount rounded half
up to the minor unit of its currency (ISO 4217: EUR 2, JPY 0, BHD 3 ...,
2 for codes without one), or to a fixed number of places, or unrounded with
trailing zeros dropped, as ``--round`` chooses. Unit prices are rates, never
rounded: they show all their decimals, and at least as many as the amounts.
Energy shows in kWh with three decimals (watt-hours), durations (hours in OCPI)
as ``h:mm:ss`` to the nearest second; with ``--round exact`` both show
unrounded. Times show in the zone the prices were read in. Nothing here changes
a value that the JSON reports carry.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_UP, Context, Decimal
from zoneinfo import ZoneInfo

from ocpkit.ocpi._codes import minor_unit

__all__ = ["MAX_PLACES", "Display", "parse_round", "period", "zone_of"]

MAX_PLACES = 10
_HOURS = ("TIME", "PARKING_TIME", "RESERVATION_TIME")


@dataclass(frozen=True, slots=True)
class Display:
    """A text rounding: ``places`` decimals for money (``None``: the currency's minor unit), or ``exact``."""

    places: int | None = None
    exact: bool = False

    def _places(self, currency: str) -> int:
        return minor_unit(currency) if self.places is None or self.exact else self.places

    def money(self, value: Decimal | None, currency: str) -> str:
        """One amount in *currency* (``-`` when unknown)."""
        if value is None:
            return "-"
        places = self._places(currency)
        if self.exact:
            return _at_least(value, places)
        return _plain(_quantize(value, places))

    def unit_price(self, value: Decimal, currency: str) -> str:
        """A price per unit: never rounded, shown with at least the places of an amount."""
        return _at_least(value, self._places(currency))

    def energy(self, kwh: Decimal) -> str:
        """Energy in kWh: three decimals, or unrounded with ``exact``."""
        shown = _at_least(kwh, 0) if self.exact else _plain(_quantize(kwh, 3))
        return f"{shown} kWh"

    def hours(self, hours: Decimal) -> str:
        """A duration given in hours: ``h:mm:ss``, or unrounded hours with ``exact``."""
        if self.exact or not hours.is_finite():
            return f"{_at_least(hours, 0)} h"
        seconds = int((hours * 3600).to_integral_value(rounding=ROUND_HALF_UP))
        sign = "-" if seconds < 0 else ""
        minutes, second = divmod(abs(seconds), 60)
        hour, minute = divmod(minutes, 60)
        return f"{sign}{hour}:{minute:02}:{second:02}"

    def volume(self, dimension: str, value: Decimal) -> str:
        """A priced line's volume, in the unit of its dimension (FLAT counts once)."""
        if dimension == "ENERGY":
            return self.energy(value)
        if dimension in _HOURS:
            return self.hours(value)
        return _at_least(value, 0)


def parse_round(text: str) -> Display:
    """Read a ``--round`` value: ``minor``, ``exact`` or a number of decimals 0..MAX_PLACES."""
    if text == "minor":
        return Display()
    if text == "exact":
        return Display(exact=True)
    if text.isascii() and text.isdigit() and len(text) <= 2 and int(text) <= MAX_PLACES:
        return Display(places=int(text))
    shown = text if len(text) <= 40 else text[:40] + "..."
    raise argparse.ArgumentTypeError(
        f"expected 'minor' (the currency's minor unit), 'exact' or a number of decimals "
        f"0..{MAX_PLACES}, got {shown!r}"
    )


def zone_of(name: str) -> tuple[tzinfo, str]:
    """The zone named *name* by a pricing result and the name to show; UTC when it cannot be loaded."""
    if name != "UTC":
        try:
            return ZoneInfo(name), name
        except Exception:  # ZoneInfoNotFoundError (a KeyError), ValueError for odd keys
            pass
    return UTC, "UTC"


def period(start: datetime, end: datetime, zone: tzinfo) -> str:
    """``2026-03-01 21:30–22:45`` in *zone*; seconds when either end has them, the date when it changes."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    clock = "%H:%M:%S" if start.second or end.second else "%H:%M"
    if end.date() == start.date():
        tail = end.strftime(clock)
    elif end.year == start.year:
        tail = end.strftime(f"%m-%d {clock}")
    else:
        tail = end.strftime(f"%Y-%m-%d {clock}")
    return f"{start.strftime(f'%Y-%m-%d {clock}')}–{tail}"


def _quantize(value: Decimal, places: int) -> Decimal:
    if not value.is_finite():
        return value
    # Enough precision for any magnitude: quantize never fails for a large amount.
    digits = max(28, value.adjusted() + places + 2)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=digits))


def _at_least(value: Decimal, places: int) -> str:
    """*value* unrounded, without trailing zeros, but with at least *places* decimals."""
    if not value.is_finite():
        return str(value)
    exponent = value.normalize(Context(prec=max(28, len(value.as_tuple().digits)))).as_tuple().exponent
    if isinstance(exponent, int):  # always, for a finite value
        places = max(places, -exponent)
    return _plain(_quantize(value, places))


def _plain(value: Decimal) -> str:
    if value.is_zero():
        value = value.copy_abs()  # no "-0.00"
    return f"{value:f}"
