"""OCPI tariff pricing for 2.1.1, 2.2.1 and 2.3.0, in Decimal.

Theory of operation. :func:`price` reads the CDR (any mapping or pydantic
model, see :mod:`ocpkit.tariffs._input`), compiles the tariff (see
:func:`compile`), picks the tariff, and then walks the charging periods in
time order. Each period is judged in the local time of the location (the
CDR's location ``time_zone`` when present, else the ``tz`` argument, else the
compiled tariff's zone; ``zoneinfo`` supplies DST). For every dimension (FLAT,
ENERGY, TIME, PARKING_TIME) the first tariff element that has a component of
that dimension and whose restrictions all hold at the period's start prices
the period's volume of that dimension. FLAT is billed once per session (and
once more for a reservation, whose fee is separate). Then ``step_size`` is
applied once per group on the session total: ENERGY; TIME and PARKING_TIME
together (only parking is rounded when both occur); reservation time. The
rounding extra is billed with the component of the last period that used the
group. Costs get VAT per version, are summed into the CDR ``total_*`` fields,
and finally ``min_price``/``max_price`` bound the total (excl. and incl. tax
separately); the bounding shows up as :attr:`Pricing.price_limit_adjustment`.

Many CDRs. A tariff is read and compiled once into a :class:`CompiledTariff`;
:func:`price` accepts one wherever it accepts a tariff, keeps the compiled
form of tariffs given as plain JSON data (by content, so a dict changed
between calls is compiled again), and :func:`price_many` prices a stream of
CDRs against tariffs compiled once, in constant memory. A result's totals
are computed at once; its breakdown :attr:`Pricing.lines` (a cost per line,
with tax and rounding) is built when first read, unless building it could
fail (rounding to more places than the context holds, a VAT of -100 %),
in which case it is built at once so that :func:`price` raises.

Rounding. OCPI prescribes no rounding of money. ocpkit computes exactly (28
significant digits where a division by 3600 cannot be exact, in a decimal
context of its own) and, by default, returns unrounded amounts. Pass
``rounding=Rounding(2)`` (or any number of places and a :mod:`decimal`
rounding mode, e.g. ``ROUND_HALF_EVEN``) to round every money amount of the
result; totals are rounded from the unrounded sums, so rounded parts need not
add up to the rounded total. Volumes are never rounded except by
``step_size``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
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
    InvalidOperation,
    getcontext,
    setcontext,
)
from typing import Literal, overload
from zoneinfo import ZoneInfo

from ocpkit.errors import PricingError
from ocpkit.tariffs._compile import (
    VERSIONS,
    CompiledTariff,
    TariffCache,
    check_version,
    compile,
)
from ocpkit.tariffs._engine import run
from ocpkit.tariffs._input import NTariff, PricingInput, read_cdr
from ocpkit.tariffs._results import Price, PricedLine, Pricing, Rounding, Tax
from ocpkit.tariffs._rules import CONTEXT, in_context

__all__ = [
    "VERSIONS",
    "CompiledTariff",
    "Price",
    "PricedLine",
    "Pricing",
    "Rounding",
    "Tax",
    "compile",
    "price",
    "price_many",
]

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
# Tariffs given as JSON data to price(), compiled once per content.
_CACHE = TariffCache()
# Zones by IANA name. tzdata's UTC (and its Etc/UTC) is offset 0 at every instant, so local
# time there is UTC itself: datetime.UTC, which converts several times faster than ZoneInfo.
_ZONES: dict[str, tzinfo] = {"UTC": UTC, "Etc/UTC": UTC}
_ZONES_LOCK = threading.Lock()
# price_many switches to the pricing context once per chunk of this many CDRs.
_CHUNK = 256


# --------------------------------------------------------------------------- public entry points


def price(
    tariff: object,
    cdr_or_session: object,
    version: str | None = None,
    tz: str | tzinfo | None = None,
    *,
    rounding: Rounding | None = None,
) -> Pricing:
    """Price a CDR or Session with an OCPI tariff.

    ``tariff`` is one Tariff (mapping, model or :class:`CompiledTariff`), a
    list of them, or ``None`` to use the CDR's own ``tariffs``. From a list,
    the tariff named by the periods' ``tariff_id`` wins, else the first in
    the CDR's currency whose ``start_date_time``/``end_date_time`` window
    holds the session start. ``version`` is the OCPI version (default: that
    of the compiled tariffs, else ``"2.2.1"``). ``tz`` (IANA name or tzinfo)
    is the location's time zone, used when the CDR's location carries none;
    without either (or a compiled tariff's zone), UTC is used and a warning
    says so. ``rounding`` rounds money in the result (default: none; see the
    module docstring). Raises :class:`~ocpkit.errors.PricingError` for input
    that cannot be priced, :class:`~ocpkit.errors.UnsupportedError` for an
    unknown ``version``.
    """
    saved = getcontext()
    if saved is not CONTEXT:
        setcontext(CONTEXT)
    try:
        if rounding is None:
            # The common cases of _price_one, with its checks in the same order.
            kind = type(tariff)
            if kind is CompiledTariff and (version is None or version == tariff.version):  # type: ignore[attr-defined]
                return _priced_one(tariff, read_cdr(cdr_or_session, "cdr"), tz, None)  # type: ignore[arg-type]
            if kind is dict:
                resolved = "2.2.1" if version is None else check_version(version)
                data = read_cdr(cdr_or_session, "cdr")
                return _priced_one(_CACHE.get(tariff, resolved, "tariff"), data, tz, None)
        return _price_one(tariff, cdr_or_session, version, tz, rounding)
    finally:
        if saved is not CONTEXT:
            setcontext(saved)


@overload
def price_many(
    cdrs: Iterable[object],
    tariffs: object = ...,
    version: str | None = ...,
    tz: str | tzinfo | None = ...,
    *,
    rounding: Rounding | None = ...,
    errors: Literal["raise"] = ...,
) -> Iterator[Pricing]: ...


@overload
def price_many(
    cdrs: Iterable[object],
    tariffs: object = ...,
    version: str | None = ...,
    tz: str | tzinfo | None = ...,
    *,
    rounding: Rounding | None = ...,
    errors: Literal["return"],
) -> Iterator[Pricing | PricingError]: ...


def price_many(
    cdrs: Iterable[object],
    tariffs: object = None,
    version: str | None = None,
    tz: str | tzinfo | None = None,
    *,
    rounding: Rounding | None = None,
    errors: Literal["raise", "return"] = "raise",
) -> Iterator[Pricing] | Iterator[Pricing | PricingError]:
    """Price many CDRs or Sessions, lazily and in order, with tariffs compiled once.

    ``tariffs`` is what :func:`price` accepts (one tariff or a list, as
    mappings, models or :class:`CompiledTariff`; ``None`` for each CDR's own),
    read and compiled before the first CDR is priced: a bad tariff raises
    here. Each result equals ``price(tariffs, cdr, version, tz, rounding=...)``.
    With ``errors="raise"`` the first CDR that cannot be priced raises its
    :class:`~ocpkit.errors.PricingError` (after the results before it); with
    ``errors="return"`` the error takes that CDR's place in the stream.
    """
    if errors not in ("raise", "return"):
        raise PricingError("errors must be 'raise' or 'return'")
    resolved = _resolve_version(tariffs, version)
    _check_rounding(rounding)
    chooser = None if tariffs is None else in_context(_chooser, tariffs, resolved)
    return _stream(iter(cdrs), chooser, resolved, tz, rounding, errors == "return")


# --------------------------------------------------------------------------- one CDR


def _price_one(
    tariff: object, cdr: object, version: str | None, tz: str | tzinfo | None, rounding: Rounding | None
) -> Pricing:
    kind = type(tariff)
    if kind is CompiledTariff and (version is None or version == tariff.version):  # type: ignore[attr-defined]
        # The common cases first, with the checks in the same order as below.
        if rounding is not None:
            _check_rounding(rounding)
        return _priced_one(tariff, read_cdr(cdr, "cdr"), tz, rounding)  # type: ignore[arg-type]
    if kind is dict:
        resolved = "2.2.1" if version is None else check_version(version)
        if rounding is not None:
            _check_rounding(rounding)
        data = read_cdr(cdr, "cdr")
        return _priced_one(_CACHE.get(tariff, resolved, "tariff"), data, tz, rounding)
    resolved = (
        tariff.version  # type: ignore[attr-defined]
        if version is None and kind is CompiledTariff
        else _resolve_version(tariff, version)
    )
    if rounding is not None:
        _check_rounding(rounding)
    chooser: _Chooser | _One
    if tariff is None:
        data = read_cdr(cdr, "cdr", lambda items, path: _embedded(items, path, resolved))
        own: list[CompiledTariff] = data.raw_tariffs  # type: ignore[assignment]
        if len(own) == 1:
            # One candidate: the choice of _Chooser is that of _One (same checks, same messages).
            return _priced_one(own[0], data, tz, rounding)
        chooser = _Chooser(own)
        if not chooser.candidates:
            raise PricingError("no tariff given and the CDR has no tariffs")
    else:
        data = read_cdr(cdr, "cdr")
        chooser = _chooser(tariff, resolved)
    return _priced(chooser, data, tz, rounding)


def _priced_one(
    chosen: CompiledTariff, data: PricingInput, tz: str | tzinfo | None, rounding: Rounding | None
) -> Pricing:
    """:func:`_priced` with one tariff: what :meth:`_One.choose` and :func:`_zone` do, inline."""
    warnings: list[str] = []
    currency = data.currency
    tariff = chosen.tariff
    if currency is not None and tariff.currency != currency:
        raise PricingError(f"tariff currency {tariff.currency} differs from the CDR currency {currency}")
    if (tariff.start_date_time is not None or tariff.end_date_time is not None) and not _tariff_valid(
        tariff, data.start
    ):
        # A period naming this tariff chooses it whatever its validity window.
        tariff_id = tariff.id
        if tariff_id is None or not any(p[2] == tariff_id for p in data.periods):
            warnings.append("the session starts outside the tariff's start_date_time/end_date_time")
    if tariff.warnings:
        warnings.extend(tariff.warnings)
    given = tz if tz is not None else chosen.tz
    name = data.time_zone if data.time_zone is not None else given
    known = _ZONES.get(name) if type(name) is str else None
    zone: tzinfo
    if known is not None:
        zone, zone_name = known, name
    else:
        zone, zone_name = _zone(data.time_zone, given, warnings)
    try:
        return run(chosen, data, zone, zone_name, rounding, warnings)  # type: ignore[arg-type]
    except (InvalidOperation, ArithmeticError) as exc:
        raise PricingError(f"arithmetic failed on this input: {exc!r}") from exc


def _priced(
    chooser: _Chooser | _One, data: PricingInput, tz: str | tzinfo | None, rounding: Rounding | None
) -> Pricing:
    warnings: list[str] = []
    chosen = chooser.choose(data, warnings)
    zone, zone_name = _zone(data.time_zone, tz if tz is not None else chosen.tz, warnings)
    try:
        # Limits from the readers keep every exponent within +-1000, so only
        # pathological products can trip these; report them as PricingError.
        return run(chosen, data, zone, zone_name, rounding, warnings)
    except (InvalidOperation, ArithmeticError) as exc:
        raise PricingError(f"arithmetic failed on this input: {exc!r}") from exc


def _stream(
    cdrs: Iterator[object],
    chooser: _Chooser | _One | None,
    version: str,
    tz: str | tzinfo | None,
    rounding: Rounding | None,
    keep_errors: bool,
) -> Iterator[Pricing | PricingError]:
    while True:
        # A chunk is priced in the pricing context, which is never held across a yield.
        done, failure, more = in_context(_chunk, cdrs, chooser, version, tz, rounding, keep_errors)
        yield from done
        if failure is not None:
            raise failure
        if not more:
            return


def _chunk(
    cdrs: Iterator[object],
    chooser: _Chooser | _One | None,
    version: str,
    tz: str | tzinfo | None,
    rounding: Rounding | None,
    keep_errors: bool,
) -> tuple[list[Pricing | PricingError], PricingError | None, bool]:
    done: list[Pricing | PricingError] = []
    for cdr in cdrs:
        try:
            if chooser is None:
                data = read_cdr(cdr, "cdr", lambda items, path: _embedded(items, path, version))
                candidates: list[CompiledTariff] = data.raw_tariffs  # type: ignore[assignment]
                if len(candidates) == 1:
                    done.append(_priced_one(candidates[0], data, tz, rounding))
                else:
                    own = _Chooser(candidates)
                    if not own.candidates:
                        raise PricingError("no tariff given and the CDR has no tariffs")
                    done.append(_priced(own, data, tz, rounding))
            elif type(chooser) is _One:
                done.append(_priced_one(chooser.tariff, read_cdr(cdr, "cdr"), tz, rounding))
            else:
                done.append(_priced(chooser, read_cdr(cdr, "cdr"), tz, rounding))
        except PricingError as exc:
            if not keep_errors:
                return done, exc, False
            done.append(exc)
        if len(done) >= _CHUNK:
            return done, None, True
    return done, None, False


# --------------------------------------------------------------------------- inputs


def _check_rounding(rounding: Rounding | None) -> None:
    if rounding is not None and (
        not isinstance(rounding, Rounding)
        or rounding.mode not in _ROUNDING_MODES
        or not isinstance(rounding.places, int)
        or not -30 <= rounding.places <= 30
    ):
        raise PricingError(
            "rounding must be None or a Rounding with -30..30 places and a decimal ROUND_* mode"
        )


def _resolve_version(tariff: object, version: str | None) -> str:
    if version is not None:
        return check_version(version)
    if isinstance(tariff, CompiledTariff):
        return tariff.version
    if isinstance(tariff, Sequence) and tariff and isinstance(tariff[0], CompiledTariff):
        return tariff[0].version
    return "2.2.1"


def _one(tariff: object, version: str, path: str) -> CompiledTariff:
    if isinstance(tariff, CompiledTariff):
        if tariff.version != version:
            raise PricingError(
                f"{path}: compiled for OCPI {tariff.version}, not {version}; compile it for {version}"
            )
        return tariff
    return _CACHE.get(tariff, version, path)


def _embedded(items: Sequence[object], path: str, version: str) -> list[CompiledTariff]:
    return [_CACHE.get(t, version, f"{path}[{i}]") for i, t in enumerate(items)]


def _chooser(tariff: object, version: str) -> _Chooser | _One:
    if isinstance(tariff, CompiledTariff):
        return _One(_one(tariff, version, "tariff"))
    if isinstance(tariff, Sequence) and not isinstance(tariff, str | bytes):
        candidates = [_one(t, version, f"tariffs[{i}]") for i, t in enumerate(tariff)]
        if not candidates:
            raise PricingError("empty list of tariffs")
        return _Chooser(candidates)
    return _One(_one(tariff, version, "tariff"))


class _One:
    """The choice when there is one tariff: check the currency, note an invalid window."""

    __slots__ = ("tariff",)

    def __init__(self, tariff: CompiledTariff) -> None:
        self.tariff = tariff

    def choose(self, data: PricingInput, warnings: list[str]) -> CompiledTariff:
        chosen = self.tariff
        if data.currency is not None and chosen.currency != data.currency:
            raise PricingError(
                f"tariff currency {chosen.currency} differs from the CDR currency {data.currency}"
            )
        # A period naming this tariff chooses it whatever its validity window.
        tariff_id = chosen.tariff.id
        named = tariff_id is not None and any(p[2] == tariff_id for p in data.periods)
        if not named and not _tariff_valid(chosen.tariff, data.start):
            warnings.append("the session starts outside the tariff's start_date_time/end_date_time")
        warnings.extend(chosen.tariff.warnings)
        return chosen


class _Chooser:
    """Picks the tariff of one CDR among candidates, with what can be worked out in advance."""

    def __init__(self, candidates: list[CompiledTariff]) -> None:
        self.candidates = candidates
        self.single = len(candidates) == 1
        currencies = {t.currency for t in candidates}
        self.found = ", ".join(sorted(currencies))
        self.mixed = len(currencies) > 1
        self.pools: dict[str | None, tuple[list[CompiledTariff], dict[str, CompiledTariff]]] = {}

    def _pool(self, currency: str | None) -> tuple[list[CompiledTariff], dict[str, CompiledTariff]]:
        pool = self.pools.get(currency)
        if pool is None:
            matching = self.candidates
            if currency is not None:
                matching = [t for t in matching if t.currency == currency]
                if not matching:
                    raise PricingError(
                        f"tariff currency {self.found} differs from the CDR currency {currency}"
                    )
            # The first of several tariffs with the same id wins.
            pool = (matching, {t.id: t for t in reversed(matching) if t.id is not None})
            self.pools[currency] = pool
        return pool

    def choose(self, data: PricingInput, warnings: list[str]) -> CompiledTariff:
        if data.currency is None and self.mixed:
            raise PricingError("tariffs in mixed currencies and no CDR currency to choose by")
        matching, by_id = self._pool(data.currency)
        named = [p[2] for p in data.periods if p[2] is not None and p[2] in by_id] if by_id else ()
        if named:
            if len(set(named)) > 1:
                warnings.append(f"periods reference several tariffs; all priced with {named[0]!r}")
            chosen = by_id[named[0]]
        else:
            chosen = next((t for t in matching if _tariff_valid(t.tariff, data.start)), None)  # type: ignore[assignment]
            if chosen is None:
                if not self.single:
                    raise PricingError("no tariff is valid at the session start")
                chosen = matching[0]
                warnings.append("the session starts outside the tariff's start_date_time/end_date_time")
        warnings.extend(chosen.tariff.warnings)
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
    zone = _ZONES.get(chosen)
    if zone is None:
        try:
            zone = ZoneInfo(chosen)
        except Exception as exc:  # ZoneInfoNotFoundError (a KeyError), ValueError for odd keys
            raise PricingError(f"unknown time zone {chosen[:60]!r}") from exc
        with _ZONES_LOCK:
            if len(_ZONES) < 1024:
                _ZONES[chosen] = zone
    return zone, chosen
