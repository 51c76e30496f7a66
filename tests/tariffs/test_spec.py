"""The worked examples of the OCPI Tariffs and CDRs modules, priced from the spec's own tariffs.

Each expected amount is the one the spec text states for that scenario (2.2.1-d2
text, with the 2.2.1/2.3.0 erratum for the switch-to-free-element example);
the scenario is rebuilt as charging periods. Where the text's arithmetic slips,
the test says so and asserts the arithmetic.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocpkit.tariffs import Pricing, Rounding, price

CENTS = Rounding(2)


def minutes(n: int | str) -> Decimal:
    return Decimal(n) / 60


def spec_tariff(shared: Path, name: str, version: str = "2.2.1") -> Any:
    path = shared / "specs/ocpi" / version / "examples" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def session(start: str, end: str, *periods: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "start_date_time": start,
        "end_date_time": end,
        "currency": "EUR",
        "charging_periods": [
            {"start_date_time": at, "dimensions": [{"type": k, "volume": v} for k, v in dims.items()]}
            for at, dims in periods
        ],
    }


def totals(result: Pricing) -> tuple[Decimal | None, Decimal | None]:
    return result.total_cost.excl_vat, result.total_cost.incl_vat


def energy_session(kwh: str | int, day: str = "2019-06-01") -> dict[str, Any]:
    return session(f"{day}T10:00:00Z", f"{day}T12:00:00Z", (f"{day}T10:00:00Z", {"ENERGY": kwh, "TIME": 2}))


@pytest.mark.parametrize(
    ("name", "kwh", "excl", "incl"),
    [
        ("tariff_8_simple_025kwh", 20, "5.00", "5.50"),
        ("tariff_9_025kwh_start", 20, "5.50", "6.10"),
        ("tariff_12_025kwh_min_price", 20, "5.00", "5.50"),
        ("tariff_12_025kwh_min_price", "1.5", "0.50", "0.55"),
        ("tariff_6_025kwh_start_max_price", 50, "10.00", "11.00"),
        ("tariff_6_025kwh_start_max_price", 30, "8.00", "8.85"),
    ],
)
def test_energy_examples(shared: Path, name: str, kwh: int | str, excl: str, incl: str) -> None:
    result = price(spec_tariff(shared, name), energy_session(kwh), tz="UTC")
    assert totals(result) == (Decimal(excl), Decimal(incl))


def test_max_price_bounds_excl_and_incl_separately(shared: Path) -> None:
    # 38 kWh: 0.50 + 9.50 = 10.00 excl (not above 10), 0.60 + 10.45 = 11.05 incl (above 11).
    result = price(spec_tariff(shared, "tariff_6_025kwh_start_max_price"), energy_session(38), tz="UTC")
    assert totals(result) == (Decimal("10.00"), Decimal("11.00"))
    assert result.price_limit_adjustment.excl_vat == 0
    assert result.price_limit_adjustment.incl_vat == Decimal("-0.05")


def test_parking_and_start_fee(shared: Path) -> None:
    """tariff_10: 20 kWh, then 40 min parking billed as 45 min (step 900 s)."""
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T11:40:00Z",
        ("2026-01-05T10:00:00Z", {"ENERGY": 20, "TIME": 1}),
        ("2026-01-05T11:00:00Z", {"PARKING_TIME": minutes(40)}),
    )
    result = price(spec_tariff(shared, "tariff_10_025kwh_parking_start"), cdr, tz="UTC", rounding=CENTS)
    assert totals(result) == (Decimal("7.00"), Decimal("7.90"))
    assert result.billed_parking_time.quantize(Decimal("0.0001")) == Decimal("0.7500")


@pytest.mark.parametrize(
    ("name", "excl", "incl"),
    [("tariff_1_simple_2hour", "5.00", "5.50"), ("tariff_2_alt_text", "4.75", "5.00")],
)
def test_time_examples(shared: Path, name: str, excl: str, incl: str) -> None:
    cdr = session("2026-01-05T10:00:00Z", "2026-01-05T12:30:00Z", ("2026-01-05T10:00:00Z", {"TIME": "2.5"}))
    result = price(spec_tariff(shared, name), cdr, tz="UTC", rounding=CENTS)
    assert totals(result) == (Decimal(excl), Decimal(incl))


def test_time_and_parking_example(shared: Path) -> None:
    """tariff_13: 150 min charging + 42 min parking (billed 45 min)."""
    cdr = session(
        "2026-01-05T16:00:00Z",
        "2026-01-05T19:12:00Z",
        ("2026-01-05T16:00:00Z", {"TIME": "2.5"}),
        ("2026-01-05T18:30:00Z", {"PARKING_TIME": "0.7"}),
    )
    result = price(spec_tariff(shared, "tariff_13_simple_3hour_5parking"), cdr, tz="UTC")
    assert totals(result) == (Decimal("11.25"), Decimal("12.75"))
    assert result.total_parking_cost.excl_vat == Decimal("3.75")


def test_alt_url_example_energy_step(shared: Path) -> None:
    """tariff_3: 20.45 kWh billed as 20.5 kWh (step 100 Wh)."""
    result = price(spec_tariff(shared, "tariff_3_alt_url"), energy_session("20.45"), tz="UTC", rounding=CENTS)
    assert result.billed_energy == Decimal("20.5")
    assert (result.total_energy_cost.excl_vat, result.total_energy_cost.incl_vat) == (
        Decimal("5.13"),
        Decimal("5.64"),
    )
    assert totals(result) == (Decimal("5.63"), Decimal("6.24"))


def test_complex_example_weekday(shared: Path) -> None:
    """tariff_4, Monday 09:30: 165 min at most 16 A, then 42 min parking."""
    cdr = session(
        "2026-06-15T07:30:00Z",
        "2026-06-15T10:57:00Z",
        ("2026-06-15T07:30:00Z", {"TIME": minutes(165), "MAX_CURRENT": 16}),
        ("2026-06-15T10:15:00Z", {"PARKING_TIME": minutes(42)}),
    )
    result = price(spec_tariff(shared, "tariff_4_complex"), cdr, tz="Europe/Amsterdam")
    assert result.total_fixed_cost.incl_vat == Decimal("2.875")
    assert totals(result) == (Decimal("9.00"), Decimal("10.30"))
    assert [line.element for line in result.lines] == [0, 1, 4]


def test_complex_example_saturday(shared: Path) -> None:
    """tariff_4, Saturday 13:30: 114 min at 43 A or more, then 71 min parking (75 billed).

    The text's table prices 114 min at 1.25/h as 2.28 (that is 1.20/h); 114/60 x 1.25 is
    2.375, so the total is 2.50 + 2.375 + 7.50 = 12.375 excl. and 2.875 + 2.85 + 8.25 =
    13.975 incl. (the text: 12.28 / 13.861). Flat and parking lines agree with the text.
    """
    cdr = session(
        "2026-06-13T11:30:00Z",
        "2026-06-13T14:35:00Z",
        ("2026-06-13T11:30:00Z", {"TIME": minutes(114), "MIN_CURRENT": 43, "MAX_CURRENT": 48}),
        ("2026-06-13T13:24:00Z", {"PARKING_TIME": minutes(71)}),
    )
    result = price(spec_tariff(shared, "tariff_4_complex"), cdr, tz="Europe/Amsterdam")
    assert result.total_parking_cost.excl_vat == Decimal("7.50")
    assert result.total_fixed_cost.excl_vat == Decimal("2.50")
    assert result.total_time_cost.excl_vat == minutes(114) * Decimal("1.25")
    assert totals(result) == (Decimal("12.375"), Decimal("13.975"))


def reservation_session(reserved_min: int, kwh: int | None) -> dict[str, Any]:
    periods: list[tuple[str, dict[str, Any]]] = [
        ("2026-01-05T10:00:00Z", {"RESERVATION_TIME": minutes(reserved_min)})
    ]
    end = f"2026-01-05T{10 + reserved_min // 60:02d}:{reserved_min % 60:02d}:00Z"
    if kwh is not None:
        periods.append((end, {"ENERGY": kwh, "TIME": 1}))
        end = f"2026-01-05T{11 + reserved_min // 60:02d}:{reserved_min % 60:02d}:00Z"
    return session("2026-01-05T10:00:00Z", end, *periods)


@pytest.mark.parametrize(
    ("name", "reserved", "kwh", "excl", "incl"),
    [
        ("tariff_15_reservation_5_euro_per_hour", 15, 20, "6.75", "7.60"),
        ("tariff_16_reservation_2_euro_fee_5_euro_per_hour", 13, 20, "8.75", "10.00"),
        ("tariff_17_reservation_with_expire_fee", 22, 20, "6.50", "7.30"),
        ("tariff_17_reservation_with_expire_fee", 60, None, "6.00", "7.20"),
        ("tariff_18_reservation_with_expire_time", 22, 20, "7.00", "7.90"),
        ("tariff_18_reservation_with_expire_time", 90, None, "9.00", "10.80"),
    ],
)
def test_reservation_examples(
    shared: Path, name: str, reserved: int, kwh: int | None, excl: str, incl: str
) -> None:
    result = price(spec_tariff(shared, name), reservation_session(reserved, kwh), tz="UTC", rounding=CENTS)
    assert totals(result) == (Decimal(excl), Decimal(incl))
    parts = (
        result.total_fixed_cost
        + result.total_energy_cost
        + result.total_time_cost
        + result.total_parking_cost
        + result.total_reservation_cost
    )
    assert (parts.excl_vat, parts.incl_vat) == totals(result)
    assert result.total_reservation_cost.excl_vat != 0


def test_reservation_fee_counts_as_reservation_not_fixed(shared: Path) -> None:
    result = price(
        spec_tariff(shared, "tariff_16_reservation_2_euro_fee_5_euro_per_hour"),
        reservation_session(13, 20),
        tz="UTC",
    )
    assert result.total_fixed_cost.excl_vat == Decimal("0.50")
    # 2.00 fee + 15 min (13 rounded up to 5-minute steps) at 5.00/h.
    assert result.total_reservation_cost.excl_vat == Decimal("3.25")
    assert result.billed_reservation_time == Decimal("0.25")


STEP = "tariff_14_step_size"


def test_step_size_switch_element_1(shared: Path) -> None:
    """16:55, 10 min charging over 17:00, 2 min parking billed as 15 min: 0.55."""
    cdr = session(
        "2026-01-05T16:55:00Z",
        "2026-01-05T17:07:00Z",
        ("2026-01-05T16:55:00Z", {"TIME": minutes(5)}),
        ("2026-01-05T17:00:00Z", {"TIME": minutes(5)}),
        ("2026-01-05T17:05:00Z", {"PARKING_TIME": minutes(2)}),
    )
    result = price(spec_tariff(shared, STEP), cdr, tz="UTC", rounding=Rounding(4))
    assert result.total_cost.excl_vat == Decimal("0.55")
    assert result.total_time_cost.excl_vat == Decimal("0.30")
    assert result.total_parking_cost.excl_vat == Decimal("0.25")


def test_step_size_switch_element_2(shared: Path) -> None:
    """16:35, 35 min charging: 45 min billed, 20 of them after 17:00: 1.30."""
    cdr = session(
        "2026-01-05T16:35:00Z",
        "2026-01-05T17:10:00Z",
        ("2026-01-05T16:35:00Z", {"TIME": minutes(25)}),
        ("2026-01-05T17:00:00Z", {"TIME": minutes(10)}),
    )
    result = price(spec_tariff(shared, STEP), cdr, tz="UTC", rounding=Rounding(4))
    assert result.total_cost.excl_vat == Decimal("1.30")
    assert [line.billed_volume.quantize(Decimal("0.0001")) for line in result.lines] == [
        minutes(25).quantize(Decimal("0.0001")),
        minutes(20).quantize(Decimal("0.0001")),
    ]


def test_step_size_switch_to_free_element_erratum(shared: Path) -> None:
    """19:40, 12 min charging, 20 min parking of which 8 before 20:00 are billable.

    The published text says 0.80; the erratum on the bug-fix branches corrects it to
    0.73: 12 min at 2.40/h (0.48) + 15 min of parking at 1.00/h (0.25).
    """
    cdr = session(
        "2026-01-05T19:40:00Z",
        "2026-01-05T20:12:00Z",
        ("2026-01-05T19:40:00Z", {"TIME": minutes(12)}),
        ("2026-01-05T19:52:00Z", {"PARKING_TIME": minutes(8)}),
        ("2026-01-05T20:00:00Z", {"PARKING_TIME": minutes(12)}),
    )
    result = price(spec_tariff(shared, STEP), cdr, tz="UTC", rounding=Rounding(4))
    assert result.total_cost.excl_vat == Decimal("0.73")
    assert result.total_time_cost.excl_vat == Decimal("0.48")
    assert result.total_parking_cost.excl_vat == Decimal("0.25")
    parking = [line for line in result.lines if line.dimension == "PARKING_TIME"]
    assert len(parking) == 1 and parking[0].element == 1
    assert parking[0].billed_volume == Decimal("0.25")


def test_max_power_example(shared: Path) -> None:
    """1 kWh at 6 kW, 40 kWh at 48 kW, 0.5 kWh at 4 kW: 20.30."""
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T11:10:00Z",
        ("2026-01-05T10:00:00Z", {"ENERGY": 1, "MAX_POWER": 6}),
        ("2026-01-05T10:10:00Z", {"ENERGY": 40, "MAX_POWER": 48}),
        ("2026-01-05T11:00:00Z", {"ENERGY": "0.5", "MAX_POWER": 4}),
    )
    result = price(spec_tariff(shared, "tariffrestriction_example_max_power"), cdr, tz="UTC")
    assert result.total_cost.excl_vat == Decimal("20.30")
    assert [line.element for line in result.lines] == [0, 2, 0]


def test_max_duration_example(shared: Path) -> None:
    """40 min: 5 kWh free in the first 30 min, then 1.2 kWh at 0.25: 0.30."""
    cdr = session(
        "2026-01-05T10:00:00Z",
        "2026-01-05T10:40:00Z",
        ("2026-01-05T10:00:00Z", {"ENERGY": 5}),
        ("2026-01-05T10:30:00Z", {"ENERGY": "1.2"}),
    )
    result = price(spec_tariff(shared, "tariffrestriction_example_max_duration"), cdr, tz="UTC")
    assert result.total_cost.excl_vat == Decimal("0.30")


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        ("tariff_19_simple_north_american_exclusive", "5.00", None),
        ("tariff_20_simple_north_american_inclusive", None, "5.25"),
    ],
)
def test_north_american_taxes_230(shared: Path, name: str, before: str | None, after: str | None) -> None:
    cdr = session("2026-01-05T10:00:00Z", "2026-01-05T12:30:00Z", ("2026-01-05T10:00:00Z", {"TIME": "2.5"}))
    cdr["currency"] = "CAD"
    result = price(spec_tariff(shared, name, "2.3.0"), cdr, "2.3.0", tz="America/Toronto")
    assert result.total_cost.before_taxes == (None if before is None else Decimal(before))
    assert result.total_cost.after_taxes == (None if after is None else Decimal(after))
