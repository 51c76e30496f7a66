"""The compiled engine against the pre-compilation reference: equal results, field for field.

Random tariffs and CDRs (small, but reaching every rule: restrictions of each
kind, reservations, price limits, VAT and ``tax_included`` per version, step
sizes, lists of tariffs chosen by id, currency or validity window, periods out
of order or outside the session, Sessions without periods, zones from the CDR
or the argument, rounding) are priced by the frozen reference
(``tests/tariffs/pre_compilation_reference``) and by the engine four ways:
``price`` from dicts (twice, the second from its cache), ``price`` on
compiled tariffs, and ``price_many``. Results must be equal in every field,
down to the exponent of each Decimal; inputs the reference refuses must be
refused with the same message.
"""

from __future__ import annotations

import dataclasses
import decimal
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.errors import PricingError, UnsupportedError
from ocpkit.tariffs import CompiledTariff, Pricing, Rounding, compile, price, price_many
from tests.tariffs import pre_compilation_reference as reference

EXAMPLES = 2000
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Inputs are drawn from prebuilt pools (one draw per component, restriction or period
# shape): drawing every number and key separately made generation the slow part.
# Numbers come in the shapes JSON decoders produce: Decimal (parse_float=Decimal),
# float, int, str, with odd exponents and a negative zero.
AMOUNTS = [
    *(Decimal(n).scaleb(-2) for n in (0, 1, 20, 25, 35, 120, 240, 500)),
    Decimal("0.3333"),
    Decimal("0.000"),
    Decimal("2E+0"),
    0.25,
    1.5,
    0,
    3,
    "0.10",
    "1E+1",
]
VOLUMES = [
    *(Decimal(n).scaleb(-3) for n in (0, 1, 250, 834, 1200, 2500, 7293, 20000, 45000)),
    0,
    1,
    20,
    0.5,
    12.25,
    0.0834,
    "7.5",
    Decimal("-0.0"),
    Decimal("2E+1"),
    Decimal("1.0000"),
    -1,
]
VATS = [None, None, None, 0, 10, 21, Decimal("21.0"), Decimal("5.2"), 20.5]
STEPS = [None, 0, 1, 1, 60, 300, 900, 1000, 5000]
DIMENSIONS = ["FLAT", "ENERGY", "TIME", "PARKING_TIME"]
volumes = st.sampled_from(VOLUMES)


def _component(kind: str, i: int) -> dict[str, Any]:
    comp: dict[str, Any] = {"type": kind, "price": AMOUNTS[i % len(AMOUNTS)]}
    step, vat = STEPS[(i // 3) % len(STEPS)], VATS[(i // 7) % len(VATS)]
    if step is not None:
        comp["step_size"] = step
    if vat is not None:
        comp["vat"] = vat
    return comp


# Every dimension with a spread of prices, step sizes and VAT rates (strides coprime to the lists).
COMPONENTS = [_component(kind, i) for kind in (*DIMENSIONS, "ENERGY", "TIME") for i in range(60)]
RESTRICTIONS: list[dict[str, Any]] = [
    {"start_time": "22:00", "end_time": "07:00"},
    {"start_time": "06:30", "end_time": "17:00"},
    {"start_time": "17:00", "end_time": "00:00"},
    {"start_time": "24:00"},
    {"end_time": "20:00"},
    {"start_date": "2026-03-29"},
    {"end_date": "2026-03-30"},
    {"start_date": "2026-01-01", "end_date": "2026-03-31"},
    {"day_of_week": ["SATURDAY", "SUNDAY"]},
    {"day_of_week": "MONDAY"},
    {"day_of_week": []},
    {"min_kwh": 1},
    {"max_kwh": 5},
    {"min_kwh": 5, "max_kwh": 20.5},
    {"min_current": 16},
    {"max_current": 32},
    {"min_power": 7},
    {"max_power": 22},
    {"min_power": 0, "max_power": 50},
    {"min_duration": 1800},
    {"max_duration": 1800},
    {"min_duration": 900, "max_duration": 7200},
    {"start_time": "00:00", "end_time": "00:00"},
]
RESERVATIONS = [{"reservation": "RESERVATION"}, {"reservation": "RESERVATION_EXPIRES"}]
LIMITS: list[Any] = [
    {"excl_vat": 0.5, "incl_vat": 0.55},
    {"excl_vat": "3.00", "incl_vat": "9.00"},
    {"excl_vat": 10, "incl_vat": 11},
    {"excl_vat": Decimal("7.5")},
    {"before_taxes": 2, "after_taxes": 2.42},
    2,
]
KINDS = [
    ("ENERGY",),
    ("ENERGY", "TIME"),
    ("ENERGY", "TIME", "MAX_CURRENT"),
    ("TIME",),
    ("PARKING_TIME",),
    ("ENERGY", "POWER"),
    ("ENERGY", "MIN_CURRENT", "MAX_POWER"),
    ("TIME", "CURRENT"),
    (),
    ("ENERGY", "ENERGY"),
]


# Strategies built once: building them inside the draws costs more than drawing.
component_lists = st.lists(st.integers(0, len(COMPONENTS) - 1), min_size=1, max_size=3)
restriction_lists = st.lists(st.integers(0, len(RESTRICTIONS) - 1), max_size=2)
limits = st.integers(0, len(LIMITS) - 1)
kinds_of_period = st.integers(0, len(KINDS) - 1)
gaps = st.sampled_from([0, 7, 15, 30, 42, 60, 95])
cdr_currencies = st.sampled_from(["EUR"] * 8 + ["eur", None, "USD"])
cdr_zones = st.sampled_from([None, None, "Europe/Amsterdam", "America/New_York"])


@st.composite
def tariffs(draw: st.DrawFn, tariff_id: str = "T", currency: str = "EUR") -> dict[str, Any]:
    elements = []
    for _ in range(draw(st.integers(1, 3))):
        comps = [dict(COMPONENTS[i]) for i in draw(component_lists)]
        element: dict[str, Any] = {"price_components": comps}
        picked = [RESTRICTIONS[i] for i in draw(restriction_lists)] if draw(st.booleans()) else []
        reservation = draw(st.integers(0, 9))
        if reservation < 2:
            picked.append(RESERVATIONS[reservation])
        if picked:
            element["restrictions"] = {k: v for r in picked for k, v in r.items()}
        elements.append(element)
    out: dict[str, Any] = {"id": tariff_id, "currency": currency, "elements": elements}
    flags = draw(st.integers(0, 2**10 - 1))
    tax = (None, "YES", "NO", "N/A")[flags & 3]
    if tax is not None:
        out["tax_included"] = tax
    if flags & 12 == 0:
        out["min_price"] = LIMITS[draw(limits)]
    if flags & 48 == 0:
        out["max_price"] = LIMITS[draw(limits)]
    if flags & 448 == 0:
        out["start_date_time"] = "2026-03-29T00:00:00Z" if flags & 1 else "2026-04-05T00:00:00+02:00"
    if flags & 448 == 64:
        out["end_date_time"] = "2026-03-30T12:00:00Z"
    if flags & 512 and flags & 7 == 7:
        # Not an OCPI dimension: ignored with a warning.
        elements[0]["price_components"].append({"type": "SESSION_TIME", "price": 1, "step_size": 1})
    return out


@st.composite
def sessions(draw: st.DrawFn) -> dict[str, Any]:
    # Around the 2026 DST change in Europe (29 March) so zones matter.
    start = datetime(2026, 3, 28, 20, tzinfo=UTC) + timedelta(minutes=15 * draw(st.integers(0, 4 * 48)))
    flags = draw(st.integers(0, 2**12 - 1))
    at = start
    periods = []
    for n in range(draw(st.integers(0, 4)) or (0 if flags & 1 else 1)):
        kinds: tuple[str, ...] = KINDS[draw(kinds_of_period)]
        if n == 0 and flags & 6 == 0:
            kinds = ("RESERVATION_TIME", *kinds[:1])
        period: dict[str, Any] = {
            "start_date_time": at.isoformat() if flags & 8 else at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "dimensions": [{"type": k, "volume": draw(volumes)} for k in kinds],
        }
        if flags & 48 == 0:
            period["tariff_id"] = ("T", "U", "X")[n % 3]
        periods.append(period)
        at += timedelta(minutes=draw(gaps))
    if len(periods) > 1 and flags & 192 == 0:
        periods.reverse()
    end = at + timedelta(minutes=(0, 1, 30, 0)[(flags >> 8) & 3])
    shift = (0, 0, 5, -5)[(flags >> 10) & 3]
    cdr: dict[str, Any] = {
        "start_date_time": (start + timedelta(minutes=shift)).isoformat(),
        "end_date_time": end.isoformat(),
        "charging_periods": periods,
    }
    currency = draw(cdr_currencies)
    if currency is not None:
        cdr["currency"] = currency
    if not periods and flags & 2:
        cdr["kwh"] = draw(volumes)
    zone = draw(cdr_zones)
    if zone is not None:
        cdr["cdr_location"] = {"country": "NLD", "time_zone": zone}
    return cdr


listed = st.lists(
    st.tuples(st.sampled_from(["T", "U", "V"]), st.sampled_from(["EUR", "EUR", "EUR", "USD"])),
    min_size=1,
    max_size=3,
)
shapes = st.sampled_from(["one", "one", "one", "list", "embedded"])
versions = st.sampled_from(["2.1.1", "2.2.1", "2.3.0"])
zones = st.sampled_from([None, "UTC", "Europe/Amsterdam", "Asia/Kolkata"])
roundings = st.sampled_from([None, None, Rounding(2), Rounding(0, decimal.ROUND_HALF_EVEN), Rounding(4)])
one_tariff = tariffs()
one_session = sessions()


@st.composite
def cases(draw: st.DrawFn) -> tuple[Any, dict[str, Any], str, Any, Rounding | None]:
    how = draw(shapes)
    cdr = draw(one_session)
    tariff: Any = None
    if how == "one":
        tariff = draw(one_tariff)
    else:
        several = [dict(draw(one_tariff), id=i, currency=c) for i, c in draw(listed)]
        if draw(st.integers(0, 19)) == 7:
            several = []
        if how == "list":
            tariff = several
        elif several:
            cdr["tariffs"] = several
    return tariff, cdr, draw(versions), draw(zones), draw(roundings)


def plain(value: Any) -> Any:
    """A value with every Decimal written out (exponent included) and dataclasses by name and field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            *((f.name, plain(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, tuple | list):
        return tuple(plain(v) for v in value)
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), repr(value.tzinfo))
    return value


def outcome(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return plain(fn(*args, **kwargs))
    except PricingError as exc:
        return ("PricingError", str(exc))


def compiled_form(tariff: Any, version: str) -> Any:
    if isinstance(tariff, list):
        return [compile(t, version) for t in tariff]
    return compile(tariff, version)


@SETTINGS
@given(cases())
def test_compiled_engine_equals_reference(
    case: tuple[Any, dict[str, Any], str, Any, Rounding | None],
) -> None:
    tariff, cdr, version, tz, rounding = case
    # The reference checks for its own Rounding class.
    old_rounding = None if rounding is None else reference.Rounding(rounding.places, rounding.mode)
    expected = outcome(reference.price, tariff, cdr, version, tz, rounding=old_rounding)
    assert outcome(price, tariff, cdr, version, tz, rounding=rounding) == expected
    # Again: a tariff given as data now comes from the cache.
    assert outcome(price, tariff, cdr, version, tz, rounding=rounding) == expected
    try:
        many = list(price_many([cdr], tariff, version, tz, rounding=rounding, errors="return"))
    except PricingError:
        # price_many reads the tariffs before any CDR; the reference refused this case too.
        assert expected[0] == "PricingError"
    else:
        assert len(many) == 1
        got = ("PricingError", str(many[0])) if isinstance(many[0], PricingError) else plain(many[0])
        assert got == expected
    if tariff is None:
        return
    try:
        compiled = compiled_form(tariff, version)
    except PricingError:
        # The reference reads the CDR first, so its message may be about the CDR.
        assert expected[0] == "PricingError"
        return
    from_compiled = outcome(price, compiled, cdr, version, tz, rounding=rounding)
    if not isinstance(tariff, list):
        assert from_compiled == expected
    elif expected[0] == "PricingError":
        assert from_compiled[0] == "PricingError"
    else:
        # Warnings name a listed tariff by its place ("tariffs[1]..."); compiled alone it is "tariff".
        assert from_compiled[:-1] == expected[:-1]


# --------------------------------------------------------------------------- compiled tariffs


TARIFF = {
    "id": "T1",
    "currency": "EUR",
    "last_updated": "2026-01-01T00:00:00Z",
    "elements": [
        {
            "price_components": [{"type": "ENERGY", "price": "0.20", "vat": 21, "step_size": 1}],
            "restrictions": {"start_time": "22:00", "end_time": "07:00"},
        },
        {"price_components": [{"type": "ENERGY", "price": "0.35", "vat": 21, "step_size": 1}]},
    ],
}
CDR = {
    "currency": "EUR",
    "start_date_time": "2026-03-01T20:30:00Z",
    "end_date_time": "2026-03-01T22:30:00Z",
    "charging_periods": [
        {"start_date_time": "2026-03-01T20:30:00Z", "dimensions": [{"type": "ENERGY", "volume": 10}]},
        {"start_date_time": "2026-03-01T21:00:00Z", "dimensions": [{"type": "ENERGY", "volume": 20}]},
    ],
}


def test_compiled_tariff_is_immutable_and_hashable_by_content() -> None:
    a, b = compile(TARIFF, "2.2.1"), compile(dict(TARIFF), "2.2.1")
    assert a is not b and a == b and hash(a) == hash(b)
    assert compile(TARIFF, "2.3.0") != a
    assert compile(TARIFF, "2.2.1", tz="Europe/Amsterdam") != a
    assert len({a, b}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.version = "2.3.0"  # type: ignore[misc]
    assert (a.id, a.currency, a.version, a.tz) == ("T1", "EUR", "2.2.1", None)


def test_compiled_zone_is_the_default_zone() -> None:
    at_home = compile(TARIFF, "2.2.1", tz="Europe/Amsterdam")
    result = price(at_home, CDR)
    # 21:00 UTC is 22:00 in Amsterdam: the night price.
    assert [line.unit_price for line in result.lines] == [Decimal("0.35"), Decimal("0.20")]
    assert result.time_zone == "Europe/Amsterdam" and not result.warnings
    # The tz argument wins over the compiled zone, and the CDR's own zone over both.
    assert price(at_home, CDR, tz="UTC").lines[1].unit_price == Decimal("0.35")
    located = dict(CDR, cdr_location={"country": "NLD", "time_zone": "UTC"})
    assert price(at_home, located, tz="Europe/Amsterdam").lines[1].unit_price == Decimal("0.35")


def test_compiled_version_is_the_default_and_must_match() -> None:
    tariff = dict(TARIFF, tax_included="YES")
    compiled = compile(tariff, "2.3.0")
    assert price(compiled, CDR).version == "2.3.0"
    assert price(compiled, CDR) == price(tariff, CDR, "2.3.0")
    with pytest.raises(PricingError, match=r"compiled for OCPI 2\.3\.0, not 2\.2\.1"):
        price(compiled, CDR, "2.2.1")
    with pytest.raises(PricingError, match=r"tariffs\[1\]: compiled for OCPI 2\.3\.0"):
        price([compile(tariff, "2.2.1"), compiled], CDR, "2.2.1")
    with pytest.raises(UnsupportedError):
        compile(tariff, "2.0")


def test_compile_refuses_bad_tariffs_with_their_path() -> None:
    with pytest.raises(PricingError, match=r"^tariff\.elements\[0\]\.price_components\[0\]\.price: missing$"):
        compile({"currency": "EUR", "elements": [{"price_components": [{"type": "ENERGY"}]}]})
    with pytest.raises(PricingError, match=r"^tariff: expected a mapping"):
        compile("not a tariff")


def test_the_cache_follows_the_content_of_a_dict() -> None:
    tariff = {
        "id": "CACHED",
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": "0.25", "step_size": 1}]}],
    }
    assert price(tariff, CDR).total_cost.excl_vat == Decimal("7.50")
    # Same id, same dict object, new price: the result follows the content.
    tariff["elements"][0]["price_components"][0]["price"] = "0.30"  # type: ignore[index]
    assert price(tariff, CDR).total_cost.excl_vat == Decimal("9.00")
    # Same id and last_updated, different content (as the OCPI example tariffs do): not confused.
    twin = dict(tariff, elements=[{"price_components": [{"type": "ENERGY", "price": 1, "step_size": 1}]}])
    assert price(twin, CDR).total_cost.excl_vat == Decimal(30)


def test_decimal_context_of_the_caller_does_not_matter() -> None:
    tariff = {
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "TIME", "price": 1, "step_size": 1}]}],
    }
    cdr = dict(CDR, end_date_time="2026-03-01T20:37:00Z")
    expected = price(tariff, cdr)
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = True
        assert price(tariff, cdr) == expected
        assert decimal.getcontext().prec == 5


# --------------------------------------------------------------------------- price_many


def many_cdrs(n: int) -> Any:
    for i in range(n):
        yield dict(
            CDR,
            charging_periods=[
                {"start_date_time": "2026-03-01T20:30:00Z", "dimensions": [{"type": "ENERGY", "volume": i}]}
            ],
        )


def test_price_many_is_lazy_ordered_and_equal_to_price() -> None:
    results = price_many(many_cdrs(600), TARIFF, tz="Europe/Amsterdam")
    first = next(results)
    assert first == price(TARIFF, next(many_cdrs(1)), tz="Europe/Amsterdam")
    rest = list(results)
    assert len(rest) == 599
    assert [r.total_energy for r in rest] == [Decimal(i) for i in range(1, 600)]


def test_price_many_errors_raise_or_take_their_place() -> None:
    cdrs = [CDR, {"currency": "EUR"}, CDR]
    returned = list(price_many(cdrs, TARIFF, errors="return"))
    assert isinstance(returned[0], Pricing) and isinstance(returned[2], Pricing)
    assert isinstance(returned[1], PricingError) and "start_date_time: missing" in str(returned[1])
    stream = price_many(cdrs, TARIFF)
    assert isinstance(next(stream), Pricing)
    with pytest.raises(PricingError, match="start_date_time: missing"):
        next(stream)
    with pytest.raises(PricingError):
        price_many([CDR], {"currency": "EUR"})  # the tariff is read before any CDR
    with pytest.raises(PricingError):
        price_many([CDR], TARIFF, errors="ignore")  # type: ignore[call-overload]


def test_price_many_does_not_leak_its_decimal_context() -> None:
    seen = []
    for _ in price_many(many_cdrs(3), TARIFF):
        seen.append(decimal.getcontext().prec)
    assert seen == [decimal.getcontext().prec] * 3


def test_threads_price_the_same() -> None:
    expected = price(TARIFF, CDR, tz="Europe/Amsterdam")
    failures: list[Any] = []

    def work() -> None:
        for _ in range(200):
            if price(TARIFF, CDR, tz="Europe/Amsterdam") != expected:
                failures.append("differs")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_compiled_tariffs_are_accepted_everywhere_a_tariff_is() -> None:
    compiled = compile(TARIFF)
    assert isinstance(compiled, CompiledTariff)
    assert price([compiled], CDR) == price(TARIFF, CDR)
    assert list(price_many([CDR], [compiled])) == [price(TARIFF, CDR)]


# --------------------------------------------------------------------------- many elements


# A price per hour of the day on weekdays, another at weekends, then a fallback: the
# shape (like the 48-element tariff of the Codeberg case) whose choices are memoized.
HOURLY = {
    "id": "HOURLY",
    "currency": "EUR",
    "elements": [
        *(
            {
                "price_components": [
                    {"type": "ENERGY", "price": f"0.{20 + h:02d}", "vat": 21, "step_size": 1}
                ],
                "restrictions": {
                    "start_time": f"{h:02d}:00",
                    "end_time": f"{(h + 1) % 24:02d}:00",
                    "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                },
            }
            for h in range(24)
        ),
        {
            "price_components": [{"type": "ENERGY", "price": "0.15", "vat": 21, "step_size": 1}],
            "restrictions": {
                "day_of_week": ["SATURDAY"],
                "start_date": "2026-03-28",
                "end_date": "2026-04-05",
            },
        },
        {"price_components": [{"type": "ENERGY", "price": "0.50", "vat": 21, "step_size": 1000}]},
    ],
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_session, zones)
def test_memoized_local_time_choices_equal_reference(cdr: dict[str, Any], tz: Any) -> None:
    expected = outcome(reference.price, HOURLY, cdr, "2.2.1", tz)
    assert outcome(price, HOURLY, cdr, "2.2.1", tz) == expected
    assert outcome(price, compile(HOURLY, "2.2.1"), cdr, "2.2.1", tz) == expected


def test_hourly_tariff_picks_the_hour() -> None:
    compiled = compile(HOURLY)
    assert compiled.memoized[0][1] and not compiled.memoized[0][0]
    monday = dict(CDR, start_date_time="2026-03-02T13:30:00Z", end_date_time="2026-03-02T14:30:00Z")
    monday["charging_periods"] = [
        {"start_date_time": "2026-03-02T13:30:00Z", "dimensions": [{"type": "ENERGY", "volume": 1}]},
        {"start_date_time": "2026-03-02T14:10:00Z", "dimensions": [{"type": "ENERGY", "volume": 1}]},
    ]
    # 14:30 and 15:10 in Amsterdam (CET): the 14h and 15h prices, twice (the second time memoized).
    for _ in range(2):
        result = price(compiled, monday, tz="Europe/Amsterdam")
        assert [line.unit_price for line in result.lines] == [Decimal("0.34"), Decimal("0.35")]
        assert [line.element for line in result.lines] == [14, 15]


# --------------------------------------------------------------------------- construction, cache keys


def test_fast_constructors_build_what_the_classes_build() -> None:
    from ocpkit.tariffs import Price, PricedLine, Tax
    from ocpkit.tariffs._results import make_line, make_price, make_pricing, make_tax

    tax = Tax(Decimal(21), Decimal("0.21"))
    assert make_tax(Decimal(21), Decimal("0.21")) == tax
    cost = Price(Decimal(1), Decimal("1.21"), (tax,))
    assert make_price(Decimal(1), Decimal("1.21"), (tax,)) == cost
    values = {f.name: object() for f in dataclasses.fields(PricedLine)}
    line = make_line(*values.values())
    assert type(line) is PricedLine and line == PricedLine(**values)
    values = {f.name: object() for f in dataclasses.fields(Pricing)}
    result = make_pricing(*values.values())
    assert type(result) is Pricing and result == Pricing(**values)
    assert all(getattr(result, name) is value for name, value in values.items())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.currency = "USD"  # type: ignore[misc]


def test_cache_keys_keep_types_apart() -> None:
    tariff: dict[str, Any] = {
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": 1, "step_size": 1}]}],
    }
    one = price(tariff, CDR).lines[0].unit_price
    tariff["elements"][0]["price_components"][0]["price"] = 1.0
    assert price(tariff, CDR).lines[0].unit_price.as_tuple() == Decimal("1.0").as_tuple() != one.as_tuple()
    tariff["elements"][0]["price_components"][0]["price"] = True
    with pytest.raises(PricingError, match="boolean"):
        price(tariff, CDR)
    # Content the cache cannot key (a function) is compiled every time, and still priced.
    tariff["elements"][0]["price_components"][0]["price"] = Decimal(2)
    tariff["note"] = lambda: None
    assert price(tariff, CDR).total_cost.excl_vat == Decimal(60)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.decimals(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(one_tariff, json_values), st.one_of(json_values, st.sampled_from(["2.2.1", "2.0"])))
def test_compile_raises_only_ocpkit_errors(tariff: Any, version: Any) -> None:
    try:
        compiled = compile(tariff, version)
    except (PricingError, UnsupportedError):
        return
    assert isinstance(compiled, CompiledTariff)
    try:
        result = list(price_many([CDR, tariff, None], compiled, errors="return"))
    except PricingError:
        return
    assert len(result) == 3 and isinstance(result[1], PricingError) and isinstance(result[2], PricingError)


def test_cache_keys_of_ids_that_marshal_writes_alike() -> None:
    # marshal writes bytes and bytearray alike; the reader turns an id into str(id), so such ids
    # must not share an entry.
    tariff: dict[str, Any] = dict(TARIFF, id=b"T1")
    first = price(tariff, CDR).tariff_id
    tariff["id"] = bytearray(b"T1")
    assert (first, price(tariff, CDR).tariff_id) == ("b'T1'", "bytearray(b'T1')")
    # A list and a tuple of elements are two keys, priced alike.
    as_tuple = dict(TARIFF, elements=tuple(TARIFF["elements"]))
    assert price(as_tuple, CDR) == price(TARIFF, CDR)


# Duration bounds that are no whole second, or odd in sign and exponent, against periods that
# start a microsecond either side of them: the checks compare whole microseconds.
DURATION_BOUNDS = [
    Decimal("1799.9999995"),
    Decimal("1800.000001"),
    Decimal("1800.0000005"),
    Decimal("18E+2"),
    Decimal("-0.5"),
    Decimal("0.000000"),
    Decimal("1800.00000000000000000000000000001"),
    1799.999999,
    "3600.000",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(DURATION_BOUNDS),
    st.sampled_from(DURATION_BOUNDS),
    st.sampled_from([-1, 0, 1, 999_999, 1_000_000, -1_000_000]),
    st.sampled_from([1800, 3600, 0]),
)
def test_fractional_duration_bounds_equal_reference(low: Any, high: Any, shift: int, base: int) -> None:
    tariff = {
        "id": "D",
        "currency": "EUR",
        "elements": [
            {
                "price_components": [{"type": "ENERGY", "price": "0.10", "step_size": 1}],
                "restrictions": {"min_duration": low},
            },
            {
                "price_components": [{"type": "TIME", "price": "2.00", "step_size": 1}],
                "restrictions": {"max_duration": high},
            },
            {"price_components": [{"type": "ENERGY", "price": "0.30", "step_size": 1}]},
        ],
    }
    start = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    second = start + timedelta(seconds=base, microseconds=shift)
    cdr = {
        "currency": "EUR",
        "start_date_time": start.isoformat(),
        "end_date_time": (start + timedelta(hours=3)).isoformat(),
        "charging_periods": [
            {"start_date_time": start.isoformat(), "dimensions": [{"type": "ENERGY", "volume": 1}]},
            {
                "start_date_time": second.isoformat(),
                "dimensions": [{"type": "ENERGY", "volume": 2}, {"type": "TIME", "volume": 1}],
            },
        ],
    }
    expected = outcome(reference.price, tariff, cdr, "2.2.1", "UTC")
    assert outcome(price, tariff, cdr, "2.2.1", "UTC") == expected
    assert outcome(price, compile(tariff, "2.2.1"), cdr, "2.2.1", "UTC") == expected


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15))
def test_duration_bounds_in_microseconds_are_exact_ceilings(bound: Decimal) -> None:
    import math
    from fractions import Fraction

    from ocpkit.tariffs._rules import _microseconds_above

    assert _microseconds_above(bound) == math.ceil(Fraction(bound) * 1_000_000)
