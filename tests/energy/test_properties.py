"""Hypothesis properties of ocpkit.energy."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit import energy as en
from ocpkit.errors import EnergyError

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

# Sorted distinct sample instants (seconds after T0) and non-negative register increments.
increments = st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=30)
offsets = st.lists(st.integers(min_value=0, max_value=86_400), min_size=1, max_size=30, unique=True).map(
    sorted
)


def mv(seconds: int, value: object, unit: str = "Wh") -> dict[str, Any]:
    ts = (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"timestamp": ts, "sampledValue": [{"value": value, "unit": unit}]}


def register(times: list[int], values: list[object], unit: str = "Wh") -> list[en.Reading]:
    return [
        r for t, v in zip(times, values, strict=False) for r in en.readings_from_meter_value(mv(t, v, unit))
    ]


@given(start=st.integers(min_value=0, max_value=10**9), steps=increments, times=offsets)
def test_monotone_register_energy_is_last_minus_first(start: int, steps: list[int], times: list[int]) -> None:
    n = min(len(steps), len(times))
    values = [start + sum(steps[: i + 1]) for i in range(n)]
    result = en.energy_delivered(register(times[:n], [str(v) for v in values]))
    assert result.energy_wh is not None and result.energy_wh >= 0
    assert result.energy_wh == values[-1] - values[0]
    assert result.resets == ()


@given(values=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=30), times=offsets)
def test_energy_is_never_negative(values: list[int], times: list[int]) -> None:
    n = min(len(values), len(times))
    result = en.energy_delivered(register(times[:n], values[:n]))
    assert result.energy_wh is not None and result.energy_wh >= 0
    # without resets the fold is the plain sum of positive steps
    positive = sum(max(0, b - a) for a, b in itertools.pairwise(values[:n]))
    assert result.energy_wh <= positive


@given(start=st.integers(min_value=0, max_value=10**9), steps=increments, times=offsets)
def test_same_energy_in_wh_and_kwh(start: int, steps: list[int], times: list[int]) -> None:
    n = min(len(steps), len(times))
    wh = [start + sum(steps[: i + 1]) for i in range(n)]
    kwh = [str(Decimal(v).scaleb(-3)) for v in wh]  # exact: 3 decimals keep 1 Wh resolution
    in_wh = en.energy_delivered(register(times[:n], [str(v) for v in wh]))
    in_kwh = en.energy_delivered(register(times[:n], kwh, "kWh"))
    assert in_wh.energy_wh == in_kwh.energy_wh


@given(
    value=st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False),
    pair=st.sampled_from([("kWh", "Wh"), ("kW", "W"), ("kvarh", "varh"), ("kVA", "VA"), ("kvar", "var")]),
)
def test_linear_conversions_round_trip_and_scale(value: Decimal, pair: tuple[str, str]) -> None:
    big, small = pair
    assert en.convert(value, big, small) == value * 1000
    assert en.convert(en.convert(value, big, small), small, big) == value


@given(value=st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False))
def test_temperature_conversions_consistent(value: Decimal) -> None:
    assert en.convert(en.convert(value, "Celsius", "K"), "K", "Celsius") == value
    assert en.convert(value, "Celcius", "Celsius") == value
    # Fahrenheit goes through Celsius; 9 * x + 32 F is exactly 5 * x C.
    assert en.convert(value * 9 + 32, "Fahrenheit", "Celsius") == value * 5


@given(
    mantissa=st.integers(min_value=-(10**9), max_value=10**9),
    multiplier=st.integers(min_value=-6, max_value=6),
)
def test_multiplier_equals_scaled_value(mantissa: int, multiplier: int) -> None:
    scaled = {
        "timestamp": "2026-03-01T08:00:00Z",
        "sampledValue": [{"value": mantissa, "unitOfMeasure": {"multiplier": multiplier}}],
    }
    plain = {"timestamp": "2026-03-01T08:00:00Z", "sampledValue": [{"value": f"{mantissa}e{multiplier}"}]}
    (a,) = en.readings_from_meter_value(scaled)
    (b,) = en.readings_from_meter_value(plain)
    assert a.value == b.value == Decimal(mantissa).scaleb(multiplier)


numberish = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A[ +\-]?[0-9.]{0,12}([eE][+\-]?[0-9]{0,12})?\Z"),
    st.sampled_from(["NaN", "-Infinity", "1e999999999", "1e-999999999", "9" * 500, "0e99999", "٣"]),
)


@given(raw=numberish)
def test_hostile_strings_give_decimal_or_energy_error(raw: str) -> None:
    try:
        value = en.parse_value(raw)
    except EnergyError:
        return
    assert isinstance(value, Decimal) and value.is_finite()
    assert value.is_zero() or -30 <= value.adjusted() <= 30


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["2026-03-01T08:00:00Z", "Energy.Active.Import.Register", "kWh", "SignedData", "L1"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "value",
                    "timestamp",
                    "sampledValue",
                    "meterValue",
                    "unit",
                    "unitOfMeasure",
                    "multiplier",
                    "measurand",
                    "phase",
                    "format",
                    "signedMeterValue",
                    "signedMeterData",
                    "meterStart",
                    "meterStop",
                    "transactionData",
                    "transactionInfo",
                    "chargingState",
                    "status",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


@settings(max_examples=300)
@given(
    action=st.sampled_from(["MeterValues", "StartTransaction", "StopTransaction", "TransactionEvent"]),
    payload=json_value,
)
def test_hostile_payloads_raise_only_energy_error(action: str, payload: object) -> None:
    try:
        readings = en.readings_from_payload(action, payload)
    except EnergyError:
        return
    en.energy_delivered(readings)
    for r in readings:
        assert r.value is None or r.value.is_finite()


@settings(max_examples=300)
@given(action=st.sampled_from(["StatusNotification", "TransactionEvent"]), payload=json_value)
def test_hostile_state_payloads_raise_only_energy_error(action: str, payload: object) -> None:
    with contextlib.suppress(EnergyError):
        en.charging_state_change(action, payload)


states = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=7200),
        st.sampled_from(["Charging", "SuspendedEV", "SuspendedEVSE", "EVConnected", "Idle"]),
    ),
    max_size=8,
)


@settings(max_examples=150)
@given(start=st.integers(min_value=0, max_value=10**7), steps=increments, times=offsets, changes=states)
def test_period_energy_adds_up_and_time_covers_span(
    start: int, steps: list[int], times: list[int], changes: list[tuple[int, str]]
) -> None:
    n = min(len(steps), len(times))
    values = [start + sum(steps[: i + 1]) for i in range(n)]
    readings = register(times[:n], [str(v) for v in values])
    begin, end = T0, T0 + timedelta(seconds=max(times[n - 1], 7200) + 1)
    state_list = [(T0 + timedelta(seconds=s), name) for s, name in changes]
    periods = en.charging_periods(readings, state_list, begin, end, split_at=[T0 + timedelta(seconds=3600)])
    energy = sum((d.volume for p in periods for d in p.dimensions if d.type == "ENERGY"), Decimal(0))
    total = en.energy_delivered(readings).energy_wh
    assert total is not None
    # Energy outside the periods can only be dropped with an idle period, which carries its energy
    # whenever that is not zero.
    assert energy * 1000 == total
    for p in periods:
        for d in p.dimensions:
            assert d.volume >= 0
    assert all(a.end_date_time <= b.start_date_time for a, b in itertools.pairwise(periods))
    timed = sum(
        (d.volume for p in periods for d in p.dimensions if d.type in ("TIME", "PARKING_TIME")), Decimal(0)
    )
    span_hours = Decimal((end - begin).total_seconds()) / 3600
    assert timed <= span_hours + Decimal("1e-10")


@given(
    start=st.integers(min_value=2000, max_value=10**9),
    steps=increments,
    times=offsets,
    dips=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=30),
)
def test_sub_wh_dips_change_no_energy_and_are_no_reset(
    start: int, steps: list[int], times: list[int], dips: list[int]
) -> None:
    # A register sent in tenths of a Wh that dips below the reading before it by less than 1 Wh.
    n = min(len(steps), len(times) // 2)
    if n == 0:
        return
    values = [Decimal(start + sum(steps[: i + 1])) for i in range(n)]
    readings: list[str] = []
    for i, value in enumerate(values):
        readings.append(f"{value:.1f}")
        readings.append(f"{value - Decimal(dips[i % len(dips)]) / 10:.1f}")
    result = en.energy_delivered(register(times[: 2 * n], readings))
    assert result.energy_wh == values[-1] - values[0]
    assert result.resets == ()
    assert all(d.kind is en.StepKind.JITTER for d in result.dips)
    assert len(result.dips) == n
