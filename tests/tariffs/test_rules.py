"""Hand-written cases for each tariff rule: restrictions, step_size, VAT per version, errors.

Tariffs are small dicts written for the rule under test; expected amounts are
worked out in the comments from the rule's definition in the OCPI text.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

import pydantic
import pytest

from ocpkit.errors import PricingError, UnsupportedError
from ocpkit.tariffs import Price, Rounding, price


def minutes(n: int | str) -> Decimal:
    return Decimal(n) / 60


def tariff(*elements: dict[str, Any], currency: str = "EUR", **extra: Any) -> dict[str, Any]:
    return {"id": "T", "currency": currency, "elements": list(elements), **extra}


def element(restrictions: dict[str, Any] | None = None, **components: Any) -> dict[str, Any]:
    """element(ENERGY="0.25") or element(TIME=("2.00", 60, 10)) = (price, step_size, vat)."""
    comps = []
    for kind, spec in components.items():
        p, step, vat = (spec, 1, None) if not isinstance(spec, tuple) else (*spec, None)[:3]
        comp: dict[str, Any] = {"type": kind, "price": p, "step_size": step}
        if vat is not None:
            comp["vat"] = vat
        comps.append(comp)
    out: dict[str, Any] = {"price_components": comps}
    if restrictions is not None:
        out["restrictions"] = restrictions
    return out


def session(start: str, end: str, *periods: tuple[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "start_date_time": start,
        "end_date_time": end,
        "currency": "EUR",
        "charging_periods": [
            {"start_date_time": at, "dimensions": [{"type": k, "volume": v} for k, v in dims.items()]}
            for at, dims in periods
        ],
        **extra,
    }


def one_period(at: str, hours: int = 1, **dims: Any) -> dict[str, Any]:
    from datetime import datetime

    end = datetime.fromisoformat(at) + timedelta(hours=hours)
    return session(at, end.isoformat(), (at, dims))


def elements_used(result: Any, dimension: str) -> list[int]:
    return [line.element for line in result.lines if line.dimension == dimension]


# ----------------------------------------------------------------- time of day, dates, days


NIGHT_DAY = tariff(
    element({"start_time": "22:00", "end_time": "06:00"}, ENERGY="0.10"),
    element(ENERGY="0.30"),
)


@pytest.mark.parametrize(
    ("at", "night"),
    [
        ("2026-01-05T21:59:00+00:00", False),
        ("2026-01-05T22:00:00+00:00", True),
        ("2026-01-05T23:30:00+00:00", True),
        ("2026-01-06T00:00:00+00:00", True),
        ("2026-01-06T05:59:00+00:00", True),
        ("2026-01-06T06:00:00+00:00", False),
        ("2026-01-06T12:00:00+00:00", False),
    ],
)
def test_time_window_wraps_over_midnight(at: str, night: bool) -> None:
    result = price(NIGHT_DAY, one_period(at, ENERGY=10), tz="UTC")
    assert elements_used(result, "ENERGY") == [0 if night else 1]


def test_end_time_midnight_means_end_of_day() -> None:
    evening = tariff(element({"start_time": "20:00", "end_time": "00:00"}, TIME="9"), element(TIME="1"))
    assert elements_used(
        price(evening, one_period("2026-01-05T23:59:00+00:00", TIME=1), tz="UTC"), "TIME"
    ) == [0]
    assert elements_used(
        price(evening, one_period("2026-01-06T00:00:00+00:00", TIME=1), tz="UTC"), "TIME"
    ) == [1]
    assert elements_used(
        price(evening, one_period("2026-01-05T19:59:00+00:00", TIME=1), tz="UTC"), "TIME"
    ) == [1]


def test_end_date_is_exclusive_start_date_inclusive() -> None:
    promo = tariff(
        element({"start_date": "2026-01-05", "end_date": "2026-01-06"}, ENERGY="0"), element(ENERGY="1")
    )
    cases = {"2026-01-04T23:59:00+00:00": 1, "2026-01-05T00:00:00+00:00": 0, "2026-01-05T23:59:00+00:00": 0}
    cases["2026-01-06T00:00:00+00:00"] = 1
    for at, want in cases.items():
        assert elements_used(price(promo, one_period(at, ENERGY=1), tz="UTC"), "ENERGY") == [want], at


def test_day_of_week_is_read_in_local_time() -> None:
    weekend = tariff(element({"day_of_week": ["SATURDAY", "SUNDAY"]}, ENERGY="0.50"), element(ENERGY="0.20"))
    # Sunday 23:30 UTC is Monday 00:30 in Amsterdam (CET, +01:00).
    cdr = one_period("2026-01-04T23:30:00+00:00", ENERGY=10)
    assert elements_used(price(weekend, cdr, tz="UTC"), "ENERGY") == [0]
    assert elements_used(price(weekend, cdr, tz="Europe/Amsterdam"), "ENERGY") == [1]


def test_dst_day_in_amsterdam() -> None:
    """2026-03-29: clocks go from 02:00 CET to 03:00 CEST (01:00 UTC)."""
    night = tariff(
        element({"start_time": "00:00", "end_time": "07:00"}, ENERGY="0.10"), element(ENERGY="0.30")
    )
    # 05:30 UTC is 07:30 CEST on the DST day (day price) but 06:30 CET a day earlier (night).
    dst = one_period("2026-03-29T05:30:00+00:00", ENERGY=10)
    before = one_period("2026-03-28T05:30:00+00:00", ENERGY=10)
    assert elements_used(price(night, dst, tz="Europe/Amsterdam"), "ENERGY") == [1]
    assert elements_used(price(night, before, tz="Europe/Amsterdam"), "ENERGY") == [0]
    # Across the jump: 00:30 UTC = 01:30 CET, 01:30 UTC = 03:30 CEST, both at night.
    cdr = session(
        "2026-03-29T00:30:00Z",
        "2026-03-29T02:30:00Z",
        ("2026-03-29T00:30:00Z", {"ENERGY": 5}),
        ("2026-03-29T01:30:00Z", {"ENERGY": 5}),
    )
    result = price(night, cdr, tz="Europe/Amsterdam")
    assert elements_used(result, "ENERGY") == [0, 0]
    # Two hours of elapsed time, although the wall clock moved three.
    assert result.total_time == 2


def test_duration_counts_elapsed_time_over_dst() -> None:
    # The second hour of a session that spans the jump starts after exactly 3600 s.
    t = tariff(element({"max_duration": 3600}, ENERGY="0"), element(ENERGY="1"))
    cdr = session(
        "2026-03-29T00:30:00Z",
        "2026-03-29T02:30:00Z",
        ("2026-03-29T00:30:00Z", {"ENERGY": 5}),
        ("2026-03-29T01:30:00Z", {"ENERGY": 5}),
    )
    result = price(t, cdr, tz="Europe/Amsterdam")
    assert elements_used(result, "ENERGY") == [0, 1]
    assert result.total_cost.excl_vat == 5


def test_cdr_time_zone_wins_over_parameter() -> None:
    cdr = one_period("2026-01-05T22:30:00+00:00", ENERGY=10)
    cdr["location"] = {"time_zone": "Asia/Tokyo"}  # 07:30 next morning: day price
    assert elements_used(price(NIGHT_DAY, cdr, "2.1.1", tz="UTC"), "ENERGY") == [1]
    cdr["location"] = {"time_zone": "UTC"}
    assert elements_used(price(NIGHT_DAY, cdr, "2.1.1", tz="Asia/Tokyo"), "ENERGY") == [0]


def test_tzinfo_object_and_missing_zone_warning() -> None:
    cdr = one_period("2026-01-05T21:30:00+00:00", ENERGY=10)
    assert elements_used(price(NIGHT_DAY, cdr, tz=timezone(timedelta(hours=1))), "ENERGY") == [0]
    result = price(NIGHT_DAY, cdr)
    assert elements_used(result, "ENERGY") == [1]
    assert any("UTC" in w for w in result.warnings)


# ----------------------------------------------------------------- energy, current, power, duration


def test_min_max_kwh_use_energy_before_the_period() -> None:
    t = tariff(element({"max_kwh": 1}, ENERGY="0"), element({"min_kwh": 1}, ENERGY="0.20"))
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T12:00:00Z",
        ("2026-01-05T10:00:00Z", {"ENERGY": "0.4"}),
        ("2026-01-05T10:10:00Z", {"ENERGY": "0.6"}),
        ("2026-01-05T10:20:00Z", {"ENERGY": 10}),
    )
    result = price(t, cdr, tz="UTC")
    # 0 kWh before, 0.4 before (< 1, free); 1.0 before (min_kwh inclusive, max exclusive).
    assert elements_used(result, "ENERGY") == [0, 0, 1]
    assert result.total_cost.excl_vat == 2


@pytest.mark.parametrize(
    ("dims", "want"),
    [
        ({"MAX_CURRENT": 16}, [0]),
        ({"MAX_CURRENT": 32}, [2]),  # max_current is exclusive
        ({"MIN_CURRENT": 32, "MAX_CURRENT": 40}, [1]),  # min_current inclusive
        ({"CURRENT": 20}, [0]),
        ({"MIN_CURRENT": 10, "MAX_CURRENT": 40}, [2]),  # neither bound holds for the whole period
        ({}, [2]),  # no measurement: neither restriction can hold
    ],
)
def test_min_max_current(dims: dict[str, Any], want: list[int]) -> None:
    t = tariff(
        element({"max_current": 32}, TIME="1"),
        element({"min_current": 32}, TIME="2"),
        element(TIME="3"),
    )
    result = price(t, one_period("2026-01-05T10:00:00+00:00", TIME=1, **dims), tz="UTC")
    assert elements_used(result, "TIME") == want


@pytest.mark.parametrize(
    ("dims", "want"),
    [
        ({"ENERGY": 5, "MAX_POWER": 11}, [0]),
        ({"ENERGY": 5, "MIN_POWER": 22, "MAX_POWER": 50}, [1]),
        ({"ENERGY": 5, "POWER": 22}, [1]),
        ({"ENERGY": 5, "TIME": "0.5"}, [0]),  # average 10 kW from ENERGY / TIME
        ({"ENERGY": 30, "TIME": 1}, [1]),  # average 30 kW
    ],
)
def test_min_max_power(dims: dict[str, Any], want: list[int]) -> None:
    t = tariff(element({"max_power": 22}, ENERGY="0.30"), element({"min_power": 22}, ENERGY="0.50"))
    result = price(t, one_period("2026-01-05T10:00:00+00:00", **dims), tz="UTC")
    assert elements_used(result, "ENERGY") == want


def test_min_max_duration_boundaries() -> None:
    t = tariff(
        element({"max_duration": 1800}, PARKING_TIME="0"),
        element({"min_duration": 1800}, PARKING_TIME="3"),
    )
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T10:45:00Z",
        ("2026-01-05T10:00:00Z", {"PARKING_TIME": "0.5"}),
        ("2026-01-05T10:30:00Z", {"PARKING_TIME": "0.25"}),
    )
    result = price(t, cdr, tz="UTC")
    assert elements_used(result, "PARKING_TIME") == [0, 1]
    assert result.total_parking_cost.excl_vat == Decimal("0.75")


def test_no_matching_element_means_no_cost() -> None:
    t = tariff(element({"start_time": "08:00", "end_time": "09:00"}, ENERGY="1"))
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY=10), tz="UTC")
    assert result.lines == () and result.total_cost.excl_vat == 0


def test_elements_chosen_per_dimension() -> None:
    t = tariff(
        element({"start_time": "00:00", "end_time": "12:00"}, ENERGY="0.10"),
        element(ENERGY="0.20", TIME="1.00"),
    )
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY=10, TIME=1), tz="UTC")
    assert elements_used(result, "ENERGY") == [0]
    assert elements_used(result, "TIME") == [1]


# ----------------------------------------------------------------- FLAT, parking, reservation


def test_flat_once_per_session_and_only_when_active() -> None:
    t = tariff(element({"start_time": "11:00"}, FLAT="1.50"), element(ENERGY="0"))
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T13:00:00Z",
        ("2026-01-05T10:00:00Z", {"ENERGY": 1}),
        ("2026-01-05T11:00:00Z", {"ENERGY": 1}),
        ("2026-01-05T12:00:00Z", {"ENERGY": 1}),
    )
    result = price(t, cdr, tz="UTC")
    flats = [line for line in result.lines if line.dimension == "FLAT"]
    assert [line.period for line in flats] == [1]
    assert result.total_fixed_cost.excl_vat == Decimal("1.50")


def test_parking_only_in_parking_periods() -> None:
    t = tariff(element(TIME=("2", 1), PARKING_TIME=("4", 60, 20)))
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T11:30:00Z",
        ("2026-01-05T10:00:00Z", {"TIME": 1}),
        ("2026-01-05T11:00:00Z", {"PARKING_TIME": "0.5"}),
    )
    result = price(t, cdr, tz="UTC")
    assert result.total_time_cost == Price(Decimal(2), Decimal(2))
    assert (result.total_parking_cost.excl_vat, result.total_parking_cost.incl_vat) == (2, Decimal("2.4"))
    assert result.total_parking_time == Decimal("0.5")


def test_reservation_elements_never_price_charging() -> None:
    t = tariff(element({"reservation": "RESERVATION"}, TIME="5", FLAT="2"), element(TIME="1"))
    result = price(t, one_period("2026-01-05T10:00:00+00:00", TIME=1), tz="UTC")
    assert result.total_cost.excl_vat == 1 and result.total_reservation_cost.excl_vat == 0


# ----------------------------------------------------------------- step_size (OCPI 2.2.1 CDRs module text)


def test_step_not_applied_to_charging_when_parking_follows() -> None:
    # Both 5 min; 21 min charging + 7 min parking: 21 min and 10 min billed.
    t = tariff(element(TIME=("1", 300), PARKING_TIME=("1", 300)))
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T10:28:00Z",
        ("2026-01-05T10:00:00Z", {"TIME": minutes(21)}),
        ("2026-01-05T10:21:00Z", {"PARKING_TIME": minutes(7)}),
    )
    result = price(t, cdr, tz="UTC")
    assert result.billed_time == minutes(21)
    assert result.billed_parking_time.quantize(Decimal("0.0001")) == minutes(10).quantize(Decimal("0.0001"))


def test_energy_step_on_session_total() -> None:
    # 0.20 before 17:00, 0.27 after, both 500 Wh: 4.3 + 1.1 = 5.4 -> 5.5, extra 0.1 at 0.27.
    t = tariff(
        element({"end_time": "17:00"}, ENERGY=("0.20", 500)),
        element({"start_time": "17:00"}, ENERGY=("0.27", 500)),
    )
    cdr = session(
        "2026-01-05T16:00:00Z",
        "2026-01-05T18:00:00Z",
        ("2026-01-05T16:00:00Z", {"ENERGY": "4.3"}),
        ("2026-01-05T17:00:00Z", {"ENERGY": "1.1"}),
    )
    result = price(t, cdr, tz="UTC")
    assert result.billed_energy == Decimal("5.5")
    assert result.total_cost.excl_vat == Decimal("4.3") * Decimal("0.20") + Decimal("1.2") * Decimal("0.27")


def test_time_step_on_session_total() -> None:
    # 5/h before 17:00, 7/h after, both 10 min: 6 + 22 = 28 -> 30 min, 24 billed after 17:00.
    t = tariff(
        element({"end_time": "17:00"}, TIME=("5", 600)), element({"start_time": "17:00"}, TIME=("7", 600))
    )
    cdr = session(
        "2026-01-05T16:54:00Z",
        "2026-01-05T17:22:00Z",
        ("2026-01-05T16:54:00Z", {"TIME": minutes(6)}),
        ("2026-01-05T17:00:00Z", {"TIME": minutes(22)}),
    )
    result = price(t, cdr, tz="UTC", rounding=Rounding(4))
    assert result.total_cost.excl_vat == Decimal("3.30")  # 0.50 + 24/60 x 7


def test_parking_step_when_both_time_dimensions_used() -> None:
    # 1.00/h charging, 2.00/h parking, both 10 min: 21 min + 16 min -> parking 20 min.
    t = tariff(element(TIME=("1", 600), PARKING_TIME=("2", 600)))
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T10:37:00Z",
        ("2026-01-05T10:00:00Z", {"TIME": minutes(21)}),
        ("2026-01-05T10:21:00Z", {"PARKING_TIME": minutes(16)}),
    )
    result = price(t, cdr, tz="UTC", rounding=Rounding(4))
    assert result.total_cost.excl_vat == (minutes(21) + minutes(40)).quantize(Decimal("0.0001"))


@pytest.mark.parametrize(("step", "cost"), [(1, "0.029"), (25, "0.03125"), (500, "0.125")])
def test_energy_step_examples_of_price_component(step: int, cost: str) -> None:
    # 115.2 Wh at 0.25/kWh billed as 116, 125 and 500 Wh.
    t = tariff(element(ENERGY=("0.25", step)))
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY="0.1152"), tz="UTC")
    assert result.total_cost.excl_vat == Decimal(cost)


def test_step_size_zero_means_no_rounding() -> None:
    t = tariff(element(ENERGY=("1", 0)))
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY="0.1234"), tz="UTC")
    assert result.total_cost.excl_vat == Decimal("0.1234")


# ----------------------------------------------------------------- VAT per version, rounding, limits


def test_vat_221_absent_means_none_applies() -> None:
    t = tariff(element(ENERGY="0.25"))
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY=20), tz="UTC")
    assert (result.total_cost.excl_vat, result.total_cost.incl_vat) == (5, 5)


def test_211_has_no_vat_and_bare_numbers() -> None:
    t = tariff(element(ENERGY=("0.25", 1, 10)))
    cdr = one_period("2026-01-05T10:00:00+00:00", ENERGY=20)
    result = price(t, cdr, "2.1.1", tz="UTC")
    assert result.total_cost == Price(Decimal(5), None)
    assert result.as_cdr_fields() == {
        "total_cost": Decimal(5),
        "total_energy": 20,
        "total_time": 1,
        "total_parking_time": 0,
    }
    assert any("2.1.1" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("tax_included", "price_", "excl", "incl"),
    [("NO", "0.25", "5.00", "5.50"), ("YES", "0.275", "5.00", "5.50"), ("N/A", "0.25", "5.00", "5.00")],
)
def test_230_tax_included(tax_included: str, price_: str, excl: str, incl: str) -> None:
    t = tariff(element(ENERGY=(price_, 1, 10)), tax_included=tax_included)
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY=20), "2.3.0", tz="UTC")
    assert (result.total_cost.before_taxes, result.total_cost.after_taxes) == (Decimal(excl), Decimal(incl))
    wire = result.as_cdr_fields()["total_cost"]
    assert wire["before_taxes"] == Decimal(excl)
    taxes = [] if tax_included == "N/A" else [{"name": "VAT", "percentage": 10, "amount": Decimal("0.50")}]
    assert wire["taxes"] == taxes


def test_230_price_limits() -> None:
    t = tariff(
        element(ENERGY=("0.25", 1, 10)),
        tax_included="NO",
        min_price={"before_taxes": 1, "after_taxes": "1.10"},
    )
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY=2), "2.3.0", tz="UTC")
    assert (result.total_cost.before_taxes, result.total_cost.after_taxes) == (1, Decimal("1.10"))


def test_min_price_bounds_excl_and_incl_separately() -> None:
    # 1.6 kWh at 0.25 with 25% VAT: 0.40 excl, 0.50 incl; min 0.45 excl / 0.50 incl.
    t = tariff(element(ENERGY=("0.25", 1, 25)), min_price={"excl_vat": "0.45", "incl_vat": "0.50"})
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY="1.6"), tz="UTC")
    assert (result.total_cost.excl_vat, result.total_cost.incl_vat) == (Decimal("0.45"), Decimal("0.50"))
    assert result.price_limit_adjustment.incl_vat == 0


@pytest.mark.parametrize(
    ("rounding", "want"),
    [
        (None, Decimal("0.125")),
        (Rounding(2), Decimal("0.13")),
        (Rounding(2, ROUND_HALF_EVEN), Decimal("0.12")),
        (Rounding(4, ROUND_HALF_UP), Decimal("0.1250")),
    ],
)
def test_rounding_option(rounding: Rounding | None, want: Decimal) -> None:
    t = tariff(element(ENERGY="0.25"))
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY="0.5"), tz="UTC", rounding=rounding)
    assert result.total_cost.excl_vat == want
    assert str(result.total_cost.excl_vat) == str(want)


# ----------------------------------------------------------------- inputs and errors


class _Component(pydantic.BaseModel):
    type: str
    price: Decimal
    step_size: int


class _Element(pydantic.BaseModel):
    price_components: list[_Component]


class _Tariff(pydantic.BaseModel):
    id: str
    currency: str
    elements: list[_Element]


def test_accepts_pydantic_models() -> None:
    model = _Tariff(
        id="1",
        currency="EUR",
        elements=[_Element(price_components=[_Component(type="ENERGY", price=Decimal("0.25"), step_size=1)])],
    )
    result = price(model, one_period("2026-01-05T10:00:00+00:00", ENERGY=20), tz="UTC")
    assert result.total_cost.excl_vat == 5 and result.tariff_id == "1"


def test_tariffs_embedded_in_cdr_and_chosen_by_period_tariff_id() -> None:
    cdr = one_period("2026-01-05T10:00:00+00:00", ENERGY=10)
    a = tariff(element(ENERGY="1")) | {"id": "A"}
    b = tariff(element(ENERGY="2")) | {"id": "B"}
    cdr["tariffs"] = [a, b]
    assert price(None, cdr, tz="UTC").tariff_id == "A"
    cdr["charging_periods"][0]["tariff_id"] = "B"
    assert price(None, cdr, tz="UTC").total_cost.excl_vat == 20


def test_tariff_validity_window_chooses_from_list() -> None:
    old = tariff(element(ENERGY="1"), end_date_time="2026-01-01T00:00:00Z") | {"id": "old"}
    new = tariff(element(ENERGY="2"), start_date_time="2026-01-01T00:00:00Z") | {"id": "new"}
    result = price([old, new], one_period("2026-01-05T10:00:00+00:00", ENERGY=1), tz="UTC")
    assert result.tariff_id == "new"
    with pytest.raises(PricingError, match="valid"):
        price([old, old], one_period("2026-01-05T10:00:00+00:00", ENERGY=1), tz="UTC")


@pytest.mark.parametrize(
    ("tariff_", "cdr", "message"),
    [
        (
            tariff(element(ENERGY="1"), currency="USD"),
            one_period("2026-01-05T10:00:00+00:00", ENERGY=1),
            "currency",
        ),
        (
            [tariff(element(ENERGY="1")), tariff(element(ENERGY="1"), currency="USD")],
            {k: v for k, v in one_period("2026-01-05T10:00:00+00:00", ENERGY=1).items() if k != "currency"},
            "mixed currencies",
        ),
        (None, one_period("2026-01-05T10:00:00+00:00", ENERGY=1), "no tariff"),
        ([], one_period("2026-01-05T10:00:00+00:00", ENERGY=1), "empty"),
        (tariff(element(ENERGY="x")), one_period("2026-01-05T10:00:00+00:00", ENERGY=1), "not a number"),
        (tariff(element(ENERGY="NaN")), one_period("2026-01-05T10:00:00+00:00", ENERGY=1), "finite"),
        (tariff(element(ENERGY=("1", -5))), one_period("2026-01-05T10:00:00+00:00", ENERGY=1), "step_size"),
        (
            tariff(element({"start_time": "25:00"}, ENERGY="1")),
            one_period("2026-01-05T10:00:00+00:00", ENERGY=1),
            "time of day",
        ),
        (
            tariff(element({"day_of_week": ["MOONDAY"]}, ENERGY="1")),
            one_period("2026-01-05T10:00:00+00:00", ENERGY=1),
            "day",
        ),
        (tariff(element(ENERGY="1")), {"currency": "EUR"}, "start_date_time"),
        (tariff(element(ENERGY="1")), session("2026-01-05T10:00:00Z", "2026-01-05T09:00:00Z"), "before"),
        (tariff(element(ENERGY="1")), session("2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z"), "period"),
        (tariff(element(ENERGY="1")), "not a cdr", "mapping"),
        (42, one_period("2026-01-05T10:00:00+00:00", ENERGY=1), "mapping"),
    ],
)
def test_unusable_input_raises_pricing_error(tariff_: Any, cdr: Any, message: str) -> None:
    with pytest.raises(PricingError, match=message):
        price(tariff_, cdr, tz="UTC")


def test_unknown_zone_and_version() -> None:
    cdr = one_period("2026-01-05T10:00:00+00:00", ENERGY=1)
    with pytest.raises(PricingError, match="time zone"):
        price(tariff(element(ENERGY="1")), cdr, tz="Mars/Olympus")
    with pytest.raises(PricingError, match="time zone"):
        price(tariff(element(ENERGY="1")), cdr, tz="../../etc/passwd")
    with pytest.raises(UnsupportedError):
        price(tariff(element(ENERGY="1")), cdr, "3.0")


def test_floats_convert_through_their_literal() -> None:
    t = tariff(element(ENERGY=0.1))
    result = price(t, one_period("2026-01-05T10:00:00+00:00", ENERGY=0.3), tz="UTC")
    assert result.total_cost.excl_vat == Decimal("0.03")


def test_session_without_periods_priced_from_kwh() -> None:
    # A 2.2.1 Session with only running totals, and a 2.1.1 Session (start_datetime/end_datetime).
    t = tariff(element(ENERGY="0.25", TIME="1.20", FLAT="0.50"))
    s221 = {
        "start_date_time": "2026-01-05T10:00:00Z",
        "end_date_time": "2026-01-05T10:30:00Z",
        "kwh": 10,
        "currency": "EUR",
    }
    result = price(t, s221, tz="UTC")
    assert result.total_cost.excl_vat == Decimal("0.50") + Decimal("2.50") + Decimal("0.60")
    assert any("kwh" in w for w in result.warnings)
    s211 = {
        "start_datetime": "2026-01-05T10:00:00Z",
        "end_datetime": "2026-01-05T10:30:00Z",
        "kwh": 10,
        "currency": "EUR",
    }
    assert price(t, s211, "2.1.1", tz="UTC").total_cost.excl_vat == result.total_cost.excl_vat
    with pytest.raises(PricingError, match="ongoing"):
        price(t, {"start_date_time": "2026-01-05T10:00:00Z", "kwh": 1, "currency": "EUR"}, tz="UTC")


@pytest.mark.parametrize("rounding", [Rounding(2, "ROUND_SIDEWAYS"), Rounding(10**6), "2"])
def test_bad_rounding_is_a_pricing_error(rounding: Any) -> None:
    with pytest.raises(PricingError, match="rounding"):
        price(
            tariff(element(ENERGY="1")),
            one_period("2026-01-05T10:00:00+00:00", ENERGY=1),
            tz="UTC",
            rounding=rounding,
        )


@pytest.mark.parametrize("bad", ["2026-13-45T00:00:00Z", "later", 12345, None, ["2026-01-05T10:30:00Z"]])
@pytest.mark.parametrize("plain", [True, False])
def test_a_later_period_with_an_unusable_start_is_refused(bad: Any, plain: bool) -> None:
    # The first period reads well; the second's start must not borrow the first's.
    restrictions = None if plain else {"max_kwh": "100"}
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T11:00:00Z",
        ("2026-01-05T10:00:00Z", {"ENERGY": 1}),
        ("2026-01-05T10:30:00Z", {"ENERGY": 2}),
    )
    cdr["charging_periods"][1]["start_date_time"] = bad
    with pytest.raises(PricingError, match=r"charging_periods\[1\]\.start_date_time"):
        price(tariff(element(restrictions, ENERGY="1")), cdr, tz="UTC")
