"""Properties of the tariff engine, checked with Hypothesis on generated tariffs and sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.errors import PricingError
from ocpkit.tariffs import Pricing, price

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.decimals(min_value=0, max_value=10, places=3, allow_nan=False, allow_infinity=False)
vat = st.one_of(st.none(), st.decimals(min_value=0, max_value=30, places=1))
volume = st.decimals(min_value=0, max_value=100, places=4)
versions = st.sampled_from(["2.1.1", "2.2.1", "2.3.0"])
DIMS = ["FLAT", "ENERGY", "TIME", "PARKING_TIME"]


@st.composite
def components(draw: st.DrawFn) -> dict[str, Any]:
    comp = {
        "type": draw(st.sampled_from(DIMS)),
        "price": draw(money),
        "step_size": draw(st.sampled_from([0, 1, 60, 300, 900, 1000])),
    }
    v = draw(vat)
    if v is not None:
        comp["vat"] = v
    return comp


@st.composite
def restrictions(draw: st.DrawFn) -> dict[str, Any] | None:
    options: dict[str, st.SearchStrategy[Any]] = {
        "start_time": st.sampled_from(["00:00", "06:30", "17:00", "22:00"]),
        "end_time": st.sampled_from(["00:00", "07:00", "18:00", "20:00"]),
        "start_date": st.sampled_from(["2026-01-01", "2026-03-29"]),
        "end_date": st.sampled_from(["2026-03-30", "2027-01-01"]),
        "min_kwh": volume,
        "max_kwh": volume,
        "min_current": st.integers(0, 64),
        "max_current": st.integers(0, 64),
        "min_power": st.integers(0, 50),
        "max_power": st.integers(0, 50),
        "min_duration": st.integers(0, 7200),
        "max_duration": st.integers(0, 7200),
        "day_of_week": st.lists(st.sampled_from(["MONDAY", "SATURDAY", "SUNDAY"]), max_size=2),
        "reservation": st.sampled_from(["RESERVATION", "RESERVATION_EXPIRES"]),
    }
    keys = draw(st.lists(st.sampled_from(sorted(options)), max_size=3, unique=True))
    if not keys:
        return None
    return {k: draw(options[k]) for k in keys}


@st.composite
def tariffs(draw: st.DrawFn) -> dict[str, Any]:
    elements = []
    for _ in range(draw(st.integers(1, 4))):
        element: dict[str, Any] = {"price_components": draw(st.lists(components(), min_size=1, max_size=3))}
        r = draw(restrictions())
        if r is not None:
            element["restrictions"] = r
        elements.append(element)
    out: dict[str, Any] = {
        "id": "T",
        "currency": "EUR",
        "elements": elements,
        "tax_included": draw(st.sampled_from(["YES", "NO", "N/A"])),
    }
    if draw(st.booleans()):
        out["min_price"] = {"excl_vat": draw(money), "incl_vat": draw(money)}
    if draw(st.booleans()):
        out["max_price"] = {"excl_vat": draw(money), "incl_vat": draw(money)}
    return out


@st.composite
def sessions(draw: st.DrawFn) -> dict[str, Any]:
    start = datetime(2026, 3, 28, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 4 * 24 * 60)))
    at = start
    periods = []
    for _ in range(draw(st.integers(1, 5))):
        kinds = draw(
            st.lists(
                st.sampled_from(
                    ["ENERGY", "TIME", "PARKING_TIME", "MAX_CURRENT", "MIN_POWER", "RESERVATION_TIME"]
                ),
                max_size=3,
                unique=True,
            )
        )
        periods.append(
            {
                "start_date_time": at.isoformat(),
                "dimensions": [{"type": k, "volume": draw(volume)} for k in kinds],
            }
        )
        at += timedelta(minutes=draw(st.integers(0, 180)))
    return {
        "start_date_time": start.isoformat(),
        "end_date_time": at.isoformat(),
        "currency": "EUR",
        "charging_periods": periods,
    }


def parts_sum(result: Pricing) -> Any:
    return (
        result.total_fixed_cost
        + result.total_energy_cost
        + result.total_time_cost
        + result.total_parking_cost
        + result.total_reservation_cost
        + result.price_limit_adjustment
    )


@SETTINGS
@given(tariffs(), sessions(), versions, st.sampled_from(["UTC", "Europe/Amsterdam", "America/New_York"]))
def test_total_is_sum_of_parts(tariff: dict[str, Any], cdr: dict[str, Any], version: str, tz: str) -> None:
    result = price(tariff, cdr, version, tz)
    total = parts_sum(result)
    assert (total.excl_vat, total.incl_vat) == (result.total_cost.excl_vat, result.total_cost.incl_vat)
    if result.total_cost.excl_vat is not None and all(
        line.cost.excl_vat is not None for line in result.lines
    ):
        lines = sum((line.cost.excl_vat or 0 for line in result.lines), Decimal(0))
        # Line costs are divided by 3600 one by one, the totals once per group.
        gap = lines + (result.price_limit_adjustment.excl_vat or 0) - result.total_cost.excl_vat
        assert abs(gap) < Decimal("1e-20")
    for line in result.lines:
        assert line.billed_volume >= line.volume


@SETTINGS
@given(tariffs(), sessions())
def test_incl_at_least_excl_when_vat_not_negative(tariff: dict[str, Any], cdr: dict[str, Any]) -> None:
    tariff.pop("min_price", None)
    tariff.pop("max_price", None)
    result = price(tariff, cdr, "2.2.1", "UTC")
    for line in result.lines:
        assert line.cost.incl_vat is not None and line.cost.excl_vat is not None
        assert line.cost.incl_vat >= line.cost.excl_vat
    assert result.total_cost.incl_vat is not None and result.total_cost.excl_vat is not None
    assert result.total_cost.incl_vat >= result.total_cost.excl_vat


@SETTINGS
@given(tariffs(), sessions())
def test_price_limits_bound_the_total(tariff: dict[str, Any], cdr: dict[str, Any]) -> None:
    result = price(tariff, cdr, "2.2.1", "UTC")
    low, high = tariff.get("min_price"), tariff.get("max_price")
    excl, incl = result.total_cost.excl_vat, result.total_cost.incl_vat
    assert excl is not None and incl is not None
    if high is not None:
        assert excl <= high["excl_vat"] or (low is not None and excl == low["excl_vat"])
        assert incl <= high["incl_vat"] or (low is not None and incl == low["incl_vat"])
    if low is not None and (high is None or high["excl_vat"] >= low["excl_vat"]):
        assert excl >= low["excl_vat"]


def energy_session(kwh: Decimal) -> dict[str, Any]:
    return {
        "start_date_time": "2026-01-05T10:00:00Z",
        "end_date_time": "2026-01-05T11:00:00Z",
        "currency": "EUR",
        "charging_periods": [
            {"start_date_time": "2026-01-05T10:00:00Z", "dimensions": [{"type": "ENERGY", "volume": kwh}]}
        ],
    }


@SETTINGS
@given(money, vat, st.sampled_from([0, 1, 100, 500, 5000]), volume, volume, st.booleans())
def test_cost_monotone_in_energy(
    unit: Decimal, rate: Decimal | None, step: int, a: Decimal, b: Decimal, capped: bool
) -> None:
    comp: dict[str, Any] = {"type": "ENERGY", "price": unit, "step_size": step}
    if rate is not None:
        comp["vat"] = rate
    tariff: dict[str, Any] = {"currency": "EUR", "elements": [{"price_components": [comp]}]}
    if capped:
        tariff["max_price"] = {"excl_vat": 7, "incl_vat": 8}
    low, high = sorted([a, b])
    cheap = price(tariff, energy_session(low), tz="UTC").total_cost
    dear = price(tariff, energy_session(high), tz="UTC").total_cost
    assert cheap.excl_vat is not None and dear.excl_vat is not None
    assert cheap.excl_vat <= dear.excl_vat
    assert cheap.incl_vat is not None and dear.incl_vat is not None
    assert cheap.incl_vat <= dear.incl_vat


@SETTINGS
@given(
    st.lists(components(), min_size=1, max_size=4),
    st.sampled_from(["ENERGY", "TIME", "PARKING_TIME"]),
    volume,
    st.integers(1, 59),
    st.decimals(min_value=0, max_value=1, places=3),
)
def test_splitting_a_period_keeps_the_total(
    comps: list[dict[str, Any]], kind: str, amount: Decimal, cut_minute: int, share: Decimal
) -> None:
    # No restrictions, so no boundary can be crossed by the split.
    tariff = {"currency": "EUR", "elements": [{"price_components": comps}]}
    whole = {
        "start_date_time": "2026-01-05T10:00:00Z",
        "end_date_time": "2026-01-05T11:00:00Z",
        "currency": "EUR",
        "charging_periods": [
            {"start_date_time": "2026-01-05T10:00:00Z", "dimensions": [{"type": kind, "volume": amount}]}
        ],
    }
    first = amount * share
    split = dict(whole)
    split["charging_periods"] = [
        {"start_date_time": "2026-01-05T10:00:00Z", "dimensions": [{"type": kind, "volume": first}]},
        {
            "start_date_time": f"2026-01-05T10:{cut_minute:02d}:00Z",
            "dimensions": [{"type": kind, "volume": amount - first}],
        },
    ]
    a = price(tariff, whole, tz="UTC").total_cost
    b = price(tariff, split, tz="UTC").total_cost
    assert (a.excl_vat, a.incl_vat) == (b.excl_vat, b.incl_vat)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | st.decimals(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> Any:
    """A valid document with one value somewhere replaced by arbitrary JSON."""
    doc = draw(base)
    node: Any = doc
    for _ in range(draw(st.integers(0, 4))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if draw(st.booleans()) or not isinstance(node[key], dict | list):
                node[key] = draw(json_values)
                return doc
            node = node[key]
        elif isinstance(node, list) and node:
            index = draw(st.integers(0, len(node) - 1))
            if draw(st.booleans()) or not isinstance(node[index], dict | list):
                node[index] = draw(json_values)
                return doc
            node = node[index]
    return doc


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(mutated(tariffs()), json_values),
    st.one_of(mutated(sessions()), json_values),
    versions,
    st.one_of(st.none(), st.sampled_from(["UTC", "Europe/Amsterdam"]), st.text(max_size=10)),
)
def test_only_pricing_errors_on_hostile_input(tariff: Any, cdr: Any, version: str, tz: Any) -> None:
    try:
        result = price(tariff, cdr, version, tz)
    except PricingError:
        return
    assert isinstance(result, Pricing)
