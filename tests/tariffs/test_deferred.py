"""The breakdown built on first read, and the shortcuts of the lean engine, against what they replace.

``Pricing.lines`` is worked out when it is first read. These tests check that
the deferred lines equal the lines the pre-compilation reference builds, in
whatever decimal context they are read, through every way of reading a
dataclass (attribute, equality, ``replace``, ``asdict``, pickle, copy), and
that inputs whose line costs cannot be worked out fail inside ``price()``
with a :class:`PricingError`, as before, never later.
"""

from __future__ import annotations

import copy
import dataclasses
import decimal
import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.errors import PricingError
from ocpkit.tariffs import Pricing, Rounding, compile, price, price_many
from ocpkit.tariffs._results import Deferred
from ocpkit.tariffs._rules import seconds
from tests.tariffs import pre_compilation_reference as reference
from tests.tariffs.test_compiled import cases, outcome, plain

TARIFF: dict[str, Any] = {
    "id": "T1",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [
                {"type": "FLAT", "price": "0.50", "vat": 21, "step_size": 1},
                {"type": "ENERGY", "price": "0.25", "vat": 10, "step_size": 1},
                {"type": "TIME", "price": "1.20", "vat": 21, "step_size": 300},
            ]
        }
    ],
}
CDR: dict[str, Any] = {
    "currency": "EUR",
    "start_date_time": "2026-03-01T20:30:00Z",
    "end_date_time": "2026-03-01T21:37:00Z",
    "charging_periods": [
        {
            "start_date_time": "2026-03-01T20:30:00Z",
            "dimensions": [{"type": "ENERGY", "volume": 10.5}, {"type": "TIME", "volume": 0.5}],
        },
        {
            "start_date_time": "2026-03-01T21:00:00Z",
            "dimensions": [{"type": "ENERGY", "volume": 4.25}, {"type": "TIME", "volume": 0.6166}],
        },
    ],
}


def stored(result: Pricing) -> object:
    # What the slot holds before the first read.
    return Pricing.__dict__["lines"].slot.__get__(result, Pricing)


def test_lines_are_built_on_first_read_and_equal_the_reference() -> None:
    result = price(TARIFF, CDR)
    assert type(stored(result)) is Deferred
    lines = result.lines
    assert type(stored(result)) is tuple and result.lines is lines
    assert [line.dimension for line in lines] == ["FLAT", "ENERGY", "TIME", "ENERGY", "TIME"]
    assert plain(result) == plain(reference.price(TARIFF, CDR))


def test_deferred_lines_ignore_the_readers_decimal_context() -> None:
    expected = plain(reference.price(TARIFF, CDR))
    result = price(TARIFF, CDR)
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_FLOOR
        ctx.traps[decimal.Inexact] = True
        lines = result.lines
    assert plain(result) == expected
    # A TIME cost is inexact (0.6166 h x 1.20 / 3600 per second): 28 digits, not 3.
    assert len(lines[-1].cost.excl_vat.as_tuple().digits) > 3


def test_every_way_of_reading_a_dataclass_builds_the_lines() -> None:
    expected = price(TARIFF, CDR).lines
    assert price(TARIFF, CDR) == price(TARIFF, CDR)
    assert hash(price(TARIFF, CDR)) == hash(price(TARIFF, CDR))
    assert dataclasses.replace(price(TARIFF, CDR), warnings=("x",)).lines == expected
    assert dataclasses.asdict(price(TARIFF, CDR))["lines"] == tuple(dataclasses.asdict(x) for x in expected)
    assert pickle.loads(pickle.dumps(price(TARIFF, CDR))).lines == expected
    assert copy.copy(price(TARIFF, CDR)).lines == expected
    assert "PricedLine(period=0" in repr(price(TARIFF, CDR))
    with pytest.raises(dataclasses.FrozenInstanceError):
        price(TARIFF, CDR).lines = ()  # type: ignore[misc]


def test_results_of_price_many_build_their_lines_after_the_stream_moved_on() -> None:
    cdrs = [CDR, dict(CDR, end_date_time="2026-03-01T22:00:00Z")]
    results = list(price_many(cdrs, compile(TARIFF)))
    assert [plain(r) for r in results] == [plain(reference.price(TARIFF, c)) for c in cdrs]


def test_a_vat_factor_of_zero_fails_in_price_as_before() -> None:
    # 2.3.0, tax included, vat -100: the excl. amount divides by zero. The costs of the lines
    # cancel in the group total, so only the line's own cost fails: inside price(), not later.
    tariff = {
        "currency": "EUR",
        "tax_included": "YES",
        "elements": [
            {
                "price_components": [{"type": "ENERGY", "price": 1, "vat": -100, "step_size": 1}],
                "restrictions": {"max_kwh": 5},
            },
            {"price_components": [{"type": "ENERGY", "price": -1, "vat": -100, "step_size": 1}]},
        ],
    }
    cdr = dict(
        CDR,
        charging_periods=[
            {"start_date_time": "2026-03-01T20:30:00Z", "dimensions": [{"type": "ENERGY", "volume": 6}]},
            {"start_date_time": "2026-03-01T21:00:00Z", "dimensions": [{"type": "ENERGY", "volume": 6}]},
        ],
    )
    assert compile(tariff, "2.3.0").lazy_lines is False
    with pytest.raises(PricingError, match="arithmetic failed") as got:
        price(tariff, cdr, "2.3.0")
    with pytest.raises(PricingError) as want:
        reference.price(tariff, cdr, "2.3.0")
    assert str(got.value) == str(want.value)


def test_rounding_that_cannot_be_done_fails_in_price() -> None:
    # 30 places on amounts above a cent exceed the 28 digits of the pricing context.
    with pytest.raises(PricingError, match="arithmetic failed"):
        price(TARIFF, CDR, rounding=Rounding(30))


@given(st.integers(0, 10 * 366 * 86400 * 10**6))
def test_total_time_is_seconds_over_an_hour_digit_for_digit(microseconds: int) -> None:
    delta = timedelta(microseconds=microseconds)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cdr = dict(CDR, start_date_time=start.isoformat(), end_date_time=(start + delta).isoformat())
    cdr.update(charging_periods=[], kwh=1)
    with decimal.localcontext(decimal.Context(prec=28)):
        want = seconds(delta) / Decimal(3600)
    assert price(TARIFF, cdr).total_time.as_tuple() == want.as_tuple()


decimals = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**40), max_value=10**40
) | st.sampled_from(
    [Decimal("-0"), Decimal("-0E+5"), Decimal("0E-9"), Decimal("1E+30"), Decimal("9" * 40), Decimal("-1E-30")]
)


def _same(added: Decimal, s: Decimal) -> None:
    """*added* (s + 0 or 0 + s) has s's value, and its very digits unless s has a positive exponent."""
    assert added == s
    if s.as_tuple().exponent <= 0:  # type: ignore[operator]
        assert added.as_tuple() == s.as_tuple()


@given(decimals, st.lists(decimals, max_size=4))
def test_adding_zero_to_a_sum_that_began_at_zero_changes_nothing(y: Decimal, more: list[Decimal]) -> None:
    # The engine skips _plus(start, total) when total is _plus(start, x), and energy + 0 when a
    # period has no energy: both rest on 0 + s being s for any such sum s -- digit for digit, except
    # that a sum with a positive exponent (beyond 28 digits, or given as 1E+30) may come back with
    # a lower exponent and the same value.
    from ocpkit.tariffs._rules import CONTEXT

    zero = Decimal(0)
    with decimal.localcontext(CONTEXT):
        s = zero + y
        _same(zero + s, s)
        for x in more:
            s = s + x
            _same(s + zero, s)
            _same(zero + s, s)


# --------------------------------------------------------------------------- straight-line runs


def generic(compiled: Any) -> Any:
    """The same compiled tariff, priced by the generic walk only."""
    return dataclasses.replace(compiled, plain=None, checked=False)


RESTRICTED: dict[str, Any] = {
    "id": "T2",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [{"type": "TIME", "price": "2.40", "vat": 21, "step_size": 900}],
            "restrictions": {"start_time": "21:00", "end_time": "07:00"},
        },
        {
            "price_components": [
                {"type": "FLAT", "price": "0.50", "vat": 21},
                {"type": "TIME", "price": "1.20", "vat": Decimal("21.0"), "step_size": 1800},
                {"type": "ENERGY", "price": "0.25", "vat": 21, "step_size": 1},
            ]
        },
    ],
}


def test_plain_and_checked_tariffs_take_the_straight_line_runs() -> None:
    assert compile(TARIFF).plain is not None
    restricted = compile(RESTRICTED)
    # TIME has two choices, at 21 and 21.0 percent: one VAT rate, so one key per group.
    assert restricted.plain is None and restricted.checked
    mixed = dict(
        RESTRICTED,
        elements=[
            RESTRICTED["elements"][0],
            {"price_components": [{"type": "TIME", "price": 1, "vat": 9, "step_size": 1}]},
        ],
    )
    assert not compile(mixed).checked
    for tariff in (TARIFF, RESTRICTED, mixed):
        compiled = compile(tariff, tz="Europe/Amsterdam")
        for cdr in (CDR, dict(CDR, end_date_time="2026-03-01T23:59:00Z")):
            result = price(compiled, cdr)
            assert type(stored(result)) is Deferred
            assert plain(result) == plain(price(generic(compiled), cdr))
            assert plain(result) == plain(reference.price(tariff, cdr, tz="Europe/Amsterdam"))


@pytest.mark.parametrize("dimension", ["ENERGY", "TIME", "PARKING_TIME"])
@pytest.mark.parametrize("restricted", [False, True])
def test_step_extras_of_the_straight_line_runs(dimension: str, restricted: bool) -> None:
    # The extra goes on the last line with a volume, here not the group's last line (a zero
    # volume follows it); with parking and time together, only parking is rounded.
    step = 1000 if dimension == "ENERGY" else 300
    components = [
        {"type": dimension, "price": "0.35", "vat": 21, "step_size": step},
        {"type": "TIME", "price": "1.10", "vat": 21, "step_size": 1},
    ]
    elements: list[dict[str, Any]] = [{"price_components": components}]
    if restricted:
        cheap = [dict(c, price="0.10") for c in components]
        elements.insert(0, {"price_components": cheap, "restrictions": {"start_time": "20:45"}})
    tariff = {"currency": "EUR", "elements": elements}
    volumes = ([0.3], [0.45, 0.2], [0.1], [0.0])
    periods = []
    for n, batch in enumerate(volumes):
        dims = [{"type": dimension, "volume": v} for v in batch]
        periods.append({"start_date_time": f"2026-03-01T20:{30 + 8 * n}:00Z", "dimensions": dims})
    periods[0]["dimensions"].append({"type": "TIME", "volume": 0.1})
    cdr = dict(CDR, charging_periods=periods)
    compiled = compile(tariff)
    assert (compiled.plain is None) is restricted and compiled.checked
    result = price(compiled, cdr)
    extras = [line for line in result.lines if line.step_extra != 0]
    assert [(line.dimension, line.period) for line in extras] == [(dimension, 2)]
    assert plain(result) == plain(price(generic(compiled), cdr))
    assert plain(result) == plain(reference.price(tariff, cdr))


@pytest.mark.parametrize("name", ["UTC", "Etc/UTC"])
def test_utc_by_name_prices_as_the_zoneinfo_utc(name: str) -> None:
    # The names UTC and Etc/UTC read local time with datetime.UTC, not ZoneInfo: the same
    # local minutes, dates and weekdays, so the same choices, on the straight-line runs and the
    # walk, and the same zone name in the result. The periods cross 21:00 UTC and midnight.
    zone = ZoneInfo(name)
    periods = [
        {"start_date_time": at, "dimensions": [{"type": "TIME", "volume": 0.5}]}
        for at in ("2026-03-01T20:30:00Z", "2026-03-01T21:00:00Z", "2026-03-01T23:45:00Z")
    ]
    cdr = dict(CDR, end_date_time="2026-03-02T00:15:00Z", charging_periods=periods)
    compiled = compile(RESTRICTED)
    assert compiled.checked
    for variant in (compiled, generic(compiled)):
        by_name = price(variant, cdr, tz=name)
        assert by_name.time_zone == name
        assert plain(by_name) == plain(price(variant, cdr, tz=zone))
        assert plain(by_name) == plain(reference.price(RESTRICTED, cdr, tz=name))
    # Both elements priced a period: the window was read in UTC.
    assert {line.element for line in price(compiled, cdr, tz=name).lines} == {0, 1}


def one_vat_per_dimension(tariff: dict[str, Any]) -> dict[str, Any]:
    """The tariff with every component's VAT that of the first component of its dimension."""
    first: dict[str, Any] = {}
    elements = []
    for element in tariff["elements"]:
        components = []
        for component in element["price_components"]:
            vat = first.setdefault(component["type"], component.get("vat"))
            components.append({k: v for k, v in component.items() if k != "vat"})
            if vat is not None:
                components[-1]["vat"] = vat
        elements.append(dict(element, price_components=components))
    return dict(tariff, elements=elements)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_straight_line_runs_equal_the_generic_walk(case: tuple[Any, dict[str, Any], str, Any, Any]) -> None:
    # The random tariffs and CDRs of the reference comparison, each tariff also with one VAT rate
    # per dimension (which makes restricted tariffs checked); each compiled tariff is priced as
    # it is (the straight-line runs where they apply) and by the generic walk alone; without
    # rounding, which the straight-line runs leave to the walk.
    tariff, cdr, version, tz, _ = case
    if tariff is None or isinstance(tariff, list):
        return
    for variant in (tariff, one_vat_per_dimension(tariff)):
        try:
            compiled = compile(variant, version)
        except PricingError:
            return
        expected = outcome(price, generic(compiled), cdr, tz=tz)
        assert outcome(price, compiled, cdr, tz=tz) == expected


@pytest.mark.parametrize("first", [-0.0, 0.0, 0.1, 1e22, 1e-7, 1e300, -2.5])
@pytest.mark.parametrize("second", [None, -0.0, 0.0, 0.30000000000000004, 1e22])
def test_float_volumes_read_from_the_table_equal_the_reference(first: float, second: float | None) -> None:
    # Each float volume is converted once and kept; read again (second call) it must give the
    # same digits, alone or summed with a second volume of the same type in the same period.
    dims = [{"type": "ENERGY", "volume": first}]
    if second is not None:
        dims.append({"type": "ENERGY", "volume": second})
    periods = [{"start_date_time": "2026-03-01T20:30:00Z", "dimensions": dims}]
    cdr = dict(CDR, charging_periods=periods)
    expected = outcome(reference.price, TARIFF, cdr)
    assert outcome(price, TARIFF, cdr) == expected
    assert outcome(price, TARIFF, cdr) == expected


@pytest.mark.parametrize(
    "volume",
    [
        "1234567890123456789012345678901234567890",
        "1234567890123.123456789012345678",
        "0.1234567890123456789012345678901234567890",
        Decimal("1E+30"),
        Decimal("-0E+3"),
        Decimal("2E+1"),
        10**30,
        -3,
    ],
)
@pytest.mark.parametrize("tariff", [TARIFF, RESTRICTED])
def test_volumes_of_any_exponent_equal_the_reference(volume: Any, tariff: dict[str, Any]) -> None:
    # The straight-line runs skip volume + 0 and volume x unit + 0 for the reader's sums; beyond
    # 28 digits or with a positive exponent they must still give the reference's digits.
    dims = [{"type": "ENERGY", "volume": volume}, {"type": "TIME", "volume": volume}]
    periods = [
        {"start_date_time": "2026-03-01T20:30:00Z", "dimensions": dims},
        {"start_date_time": "2026-03-01T21:00:00Z", "dimensions": [{"type": "TIME", "volume": 0.25}]},
    ]
    cdr = dict(CDR, charging_periods=periods)
    expected = outcome(reference.price, tariff, cdr)
    assert outcome(price, tariff, cdr) == expected
    # Volumes of 29 integer digits or more fail (step_size's quotient exceeds the context) in both;
    # the others, beyond 28 significant digits or not, are priced.
    assert (expected[0] == "Pricing") is (abs(Decimal(volume)) < 10**28)
