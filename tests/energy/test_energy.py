"""Unit tests of ocpkit.energy: one test (or parametrised group) per documented rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, Inexact, localcontext

import pytest

from ocpkit import energy as en
from ocpkit.errors import EnergyError, OcpkitError

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def stamp(minutes: float) -> str:
    return at(minutes).strftime("%Y-%m-%dT%H:%M:%SZ")


def reg(minutes: float, value: str, unit: str = "Wh", **extra: str) -> en.Reading:
    """A register reading built through the public payload path (1.6 shape)."""
    sv = {"value": value, "unit": unit, **extra}
    (reading,) = en.readings_from_meter_value({"timestamp": stamp(minutes), "sampledValue": [sv]})
    return reading


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12843728", Decimal(12843728)),
        ("3051.11", Decimal("3051.11")),
        ("2e+01", Decimal(20)),  # Wallbox Pulsar (lbbrhzn/ocpp#2)
        ("1.5E3", Decimal(1500)),
        ("-4.2", Decimal("-4.2")),
        (" 7 ", Decimal(7)),
        (".5", Decimal("0.5")),
        ("5.", Decimal(5)),
        (42, Decimal(42)),
        (0.1, Decimal("0.1")),  # shortest repr, not the binary expansion
        (100.0, Decimal("100.0")),
        (Decimal("1.25"), Decimal("1.25")),
        ("-0", Decimal(0)),
        ("0e-50", Decimal(0)),
    ],
)
def test_parse_value_accepts_text_and_numbers(raw: object, expected: Decimal) -> None:
    got = en.parse_value(raw)
    assert isinstance(got, Decimal)
    assert got == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-inf",
        "1e400",
        "1e999999999",
        "1e-999999999",
        "0e999999",
        "9" * 101,
        "1e-31",
        "12,5",
        "0x10",
        "1_000",
        "١٢",
        "1e",
        "e5",
        "--1",
        None,
        True,
        [],
        {},
        float("nan"),
        float("inf"),
        pytest.param(10**5000, id="int-5000-digits"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("1e999999"),
    ],
)
def test_parse_value_refuses_hostile_input_with_energy_error(raw: object) -> None:
    with pytest.raises(EnergyError):
        en.parse_value(raw)


def test_energy_error_is_in_the_tree() -> None:
    assert issubclass(EnergyError, OcpkitError)
    assert issubclass(EnergyError, ValueError)


def test_caller_decimal_context_does_not_change_results() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[Inexact] = True
        assert en.convert(Decimal("3051.11"), "kWh", "Wh") == Decimal(3051110)
        assert en.parse_value("12843728") == Decimal(12843728)


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        ("3051.11", "kWh", "Wh", "3051110"),
        ("248", "Wh", "kWh", "0.248"),
        ("8.94", "kW", "W", "8940"),
        ("1", "kvarh", "varh", "1000"),
        ("2", "kVA", "VA", "2000"),
        ("3", "kvar", "var", "3000"),
        ("50.04", "Hertz", "Hz", "50.04"),
        ("23.75", "Celcius", "Celsius", "23.75"),  # 1.6 schema's misspelling is the same unit
        ("273.15", "K", "Celsius", "0"),
        ("212", "Fahrenheit", "Celsius", "100"),
        ("-40", "Fahrenheit", "Celsius", "-40"),
        ("100", "Celsius", "K", "373.15"),
    ],
)
def test_convert_between_units_of_one_quantity(value: str, src: str, dst: str, expected: str) -> None:
    assert en.convert(Decimal(value), src, dst) == Decimal(expected)


@pytest.mark.parametrize(("src", "dst"), [("Wh", "W"), ("kWh", "A"), ("Wh", "furlongs"), ("V", "Celsius")])
def test_convert_refuses_different_quantities(src: str, dst: str) -> None:
    with pytest.raises(EnergyError):
        en.convert(Decimal(1), src, dst)


def test_quantity_of() -> None:
    assert en.quantity_of("kWh") == "energy"
    assert en.quantity_of("Celcius") == "temperature"
    assert en.quantity_of("my-custom-unit") is None


# --------------------------------------------------------------------------- readings


def test_defaults_of_a_bare_sampled_value_1_6() -> None:
    # 1.6: only "value" is required; the rest default (measurand register, Wh, periodic, outlet).
    (r,) = en.readings_from_meter_value(
        {"timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{"value": "5"}]}
    )
    assert (r.measurand, r.unit, r.context, r.location, r.phase) == (
        "Energy.Active.Import.Register",
        "Wh",
        "Sample.Periodic",
        "Outlet",
        None,
    )
    assert r.value == Decimal(5)
    assert r.unit_assumed is True
    assert r.timestamp == T0


def test_measurand_specific_unit_assumed_when_absent() -> None:
    # Dynamic_OCPP_EVSE 33f96c8 sends {"value":"50.04","measurand":"Frequency"} without a unit.
    mv = {
        "timestamp": "2026-02-14T18:52:39Z",
        "sampledValue": [
            {"value": "50.04", "measurand": "Frequency"},
            {"value": "12", "measurand": "Current.Import", "phase": "L1"},
            {"value": "0.9", "measurand": "Power.Factor"},
        ],
    }
    freq, cur, pf = en.readings_from_meter_value(mv)
    assert (freq.unit, freq.unit_assumed) == ("Hertz", True)
    assert (cur.unit, cur.phase) == ("A", "L1")
    assert pf.unit is None and pf.value == Decimal("0.9")


def test_declared_fields_are_kept_1_6() -> None:
    sv = {
        "value": "23.75",
        "context": "Transaction.Begin",
        "measurand": "Temperature",
        "location": "Body",
        "unit": "Celsius",
    }
    (r,) = en.readings_from_meter_value({"timestamp": "2026-02-16T17:14:18.000Z", "sampledValue": [sv]})
    assert (r.measurand, r.context, r.location, r.unit, r.unit_assumed) == (
        "Temperature",
        "Transaction.Begin",
        "Body",
        "Celsius",
        False,
    )
    assert r.to("K") == Decimal("296.90")


def test_2x_multiplier_is_a_power_of_ten() -> None:
    mv = {
        "timestamp": "2024-08-21T12:24:38.336Z",
        "sampledValue": [
            {"value": 12.5, "unitOfMeasure": {"unit": "Wh", "multiplier": 3}},
            {
                "value": 7,
                "measurand": "Power.Active.Import",
                "unitOfMeasure": {"unit": "W", "multiplier": -1},
            },
            {"value": 3, "unitOfMeasure": {"multiplier": 0}},
        ],
    }
    energy, power, plain = en.readings_from_meter_value(mv)
    assert energy.value == Decimal(12500) and energy.multiplier == 3 and energy.to("kWh") == Decimal("12.5")
    assert power.value == Decimal("0.7")
    assert plain.unit == "Wh" and plain.value == Decimal(3)


@pytest.mark.parametrize("multiplier", ["3", True, 31, -31, 10**9, 2.5, None])
def test_bad_multiplier(multiplier: object) -> None:
    mv = {
        "timestamp": "2024-08-21T12:24:38Z",
        "sampledValue": [{"value": 1, "unitOfMeasure": {"multiplier": multiplier}}],
    }
    if multiplier is None:
        assert en.readings_from_meter_value(mv)[0].value == Decimal(1)
    else:
        with pytest.raises(EnergyError):
            en.readings_from_meter_value(mv)


def test_multiplier_as_integral_float_is_an_integer() -> None:
    # draft-06 (2.x schemas) counts 3.0 as an integer.
    mv = {
        "timestamp": "2024-08-21T12:24:38Z",
        "sampledValue": [{"value": 1, "unitOfMeasure": {"multiplier": 3.0}}],
    }
    assert en.readings_from_meter_value(mv)[0].value == Decimal(1000)


def test_multiplier_pushing_value_out_of_range() -> None:
    mv = {
        "timestamp": "2024-08-21T12:24:38Z",
        "sampledValue": [{"value": 1e25, "unitOfMeasure": {"multiplier": 30}}],
    }
    with pytest.raises(EnergyError):
        en.readings_from_meter_value(mv)


def test_signed_meter_value_kept_as_data_2x() -> None:
    smv = {"signedMeterData": "QUJD", "signingMethod": "ECDSA", "encodingMethod": "OCMF", "publicKey": "S0VZ"}
    mv = {"timestamp": "2024-08-21T12:24:38Z", "sampledValue": [{"value": 10, "signedMeterValue": smv}]}
    (r,) = en.readings_from_meter_value(mv)
    assert r.signed == en.SignedMeterValue("QUJD", "ECDSA", "OCMF", "S0VZ")
    assert r.value == Decimal(10)


def test_signed_data_format_1_6_keeps_blob_and_has_no_number() -> None:
    mv = {
        "timestamp": "2026-01-01T10:00:00Z",
        "sampledValue": [{"value": "T0NNRnx7fQ==", "format": "SignedData"}],
    }
    (r,) = en.readings_from_meter_value(mv)
    assert r.value is None and r.signed == en.SignedMeterValue("T0NNRnx7fQ==")
    with pytest.raises(EnergyError):
        r.to("Wh")
    # a signed-only reading is ignored by the energy fold, not an error
    assert en.energy_delivered([r]).energy_wh is None


def test_start_and_stop_transaction_give_register_readings() -> None:
    start = en.readings_from_payload(
        "StartTransaction",
        {"connectorId": 1, "idTag": "X", "meterStart": 3051113, "timestamp": "2026-02-16T17:14:08.000Z"},
    )
    stop = en.readings_from_payload(
        "StopTransaction",
        {
            "meterStop": 3051361,
            "timestamp": "2026-02-16T17:15:48.000Z",
            "transactionId": 1,
            "transactionData": [
                {
                    "timestamp": "2026-02-16T17:15:57.000Z",
                    "sampledValue": [{"value": "3051.36", "unit": "kWh"}],
                }
            ],
        },
    )
    assert [(r.context, r.value, r.unit) for r in start] == [("Transaction.Begin", Decimal(3051113), "Wh")]
    assert [(r.context, r.value, r.unit) for r in stop] == [
        ("Sample.Periodic", Decimal("3051.36"), "kWh"),
        ("Transaction.End", Decimal(3051361), "Wh"),
    ]


def test_transaction_event_without_meter_values_gives_nothing() -> None:
    payload = {"eventType": "Started", "timestamp": "2025-10-03T11:13:35.733977+00:00", "seqNo": 0}
    assert en.readings_from_payload("TransactionEvent", payload) == ()


def test_typed_like_models_are_read_through_model_dump() -> None:
    class FakeModel:
        def model_dump(self, *, by_alias: bool, exclude_none: bool) -> dict[str, object]:
            assert by_alias and exclude_none
            return {"timestamp": T0, "sampledValue": [{"value": "1.5", "unit": "kWh"}]}

    (r,) = en.readings_from_meter_value(FakeModel())
    assert r.to("Wh") == Decimal(1500) and r.timestamp == T0


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("MeterValues", []),
        ("MeterValues", {"meterValue": "x"}),
        ("MeterValues", {}),
        ("MeterValues", {"meterValue": [{"sampledValue": [{"value": "1"}]}]}),
        ("MeterValues", {"meterValue": [{"timestamp": "yesterday", "sampledValue": [{"value": "1"}]}]}),
        (
            "MeterValues",
            {"meterValue": [{"timestamp": "2026-01-01T10:00:00", "sampledValue": [{"value": "1"}]}]},
        ),
        ("MeterValues", {"meterValue": [{"timestamp": 1714557600, "sampledValue": [{"value": "1"}]}]}),
        ("MeterValues", {"meterValue": [{"timestamp": datetime(2026, 1, 1), "sampledValue": [{}]}]}),
        ("MeterValues", {"meterValue": [{"timestamp": "2026-01-01T10:00:00Z", "sampledValue": ["1"]}]}),
        ("MeterValues", {"meterValue": [{"timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{}]}]}),
        (
            "MeterValues",
            {"meterValue": [{"timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{"value": "NaN"}]}]},
        ),
        (
            "MeterValues",
            {
                "meterValue": [
                    {"timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{"value": "1", "unit": 5}]}
                ]
            },
        ),
        (
            "TransactionEvent",
            {
                "meterValue": [
                    {"timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{"value": 1, "unitOfMeasure": 3}]}
                ]
            },
        ),
        (
            "TransactionEvent",
            {
                "meterValue": [
                    {
                        "timestamp": "2026-01-01T10:00:00Z",
                        "sampledValue": [{"value": 1, "signedMeterValue": {}}],
                    }
                ]
            },
        ),
        ("StartTransaction", {"meterStart": "12", "timestamp": "2026-01-01T10:00:00Z"}),
        ("StartTransaction", {"meterStart": True, "timestamp": "2026-01-01T10:00:00Z"}),
        ("StopTransaction", {"meterStop": 10**40, "timestamp": "2026-01-01T10:00:00Z"}),
        ("StopTransaction", {"meterStop": 1, "timestamp": "2026-01-01T10:00:00Z", "transactionData": {}}),
        ("Heartbeat", {}),
    ],
)
def test_malformed_payloads_raise_energy_error(action: str, payload: object) -> None:
    with pytest.raises(EnergyError):
        en.readings_from_payload(action, payload)


# --------------------------------------------------------------------------- energy rules


def test_energy_is_sum_of_increases_from_first_sample() -> None:
    result = en.energy_delivered([reg(0, "1000"), reg(10, "1500"), reg(20, "2250")])
    assert result.energy_wh == Decimal(1250)
    assert result.energy_kwh == Decimal("1.25")
    assert result.samples == 3 and result.resets == ()


def test_energy_ignores_input_order() -> None:
    assert en.energy_delivered([reg(20, "2250"), reg(0, "1000"), reg(10, "1500")]).energy_wh == Decimal(1250)


def test_missing_values_give_none_and_single_value_gives_zero() -> None:
    assert en.energy_delivered([]).energy_wh is None
    power_only = en.readings_from_meter_value(
        {
            "timestamp": stamp(0),
            "sampledValue": [{"value": "7000", "measurand": "Power.Active.Import", "unit": "W"}],
        }
    )
    assert en.energy_delivered(power_only).energy_wh is None
    assert en.energy_delivered([reg(0, "5")]).energy_wh == Decimal(0)


def test_zero_keeps_its_resolution() -> None:
    # "0.00" kWh is good to 10 Wh: a later 0.005 kWh (5 Wh) reading below a 9 Wh one is rounding.
    assert en.parse_value("0.00").as_tuple().exponent == -2
    result = en.energy_delivered([reg(0, "9"), reg(1, "0.00", "kWh")])
    assert result.resets == () and result.energy_wh == Decimal(0)


def test_mixed_wh_and_kwh_rounding_is_not_a_reset() -> None:
    # meterStart 3051113 Wh, then the same register in kWh with 2 decimals (good to 10 Wh): 3051.11.
    # -3 Wh is within 10 Wh, so the higher baseline 3051113 is kept: 3051.22 kWh adds 107 Wh.
    readings = [reg(0, "3051113"), reg(1, "3051.11", "kWh"), reg(2, "3051.22", "kWh")]
    result = en.energy_delivered(readings)
    assert result.energy_wh == Decimal(107)
    assert result.resets == ()


def test_decrease_beyond_resolution_is_a_reset_counted_zero() -> None:
    readings = [reg(0, "5000"), reg(10, "5600"), reg(20, "40"), reg(30, "140")]
    result = en.energy_delivered(readings)
    # 600 before the reset, 0 across it (unknown), 100 after.
    assert result.energy_wh == Decimal(700)
    assert len(result.resets) == 1
    reset = result.resets[0]
    assert (reset.before_wh, reset.after_wh, reset.rollover) == (Decimal(5600), Decimal(40), False)
    assert result.notes


def test_sub_wh_jitter_adds_no_energy_and_is_no_reset() -> None:
    # A register sent with tenths of a Wh wobbles by half a Wh while no power flows.
    result = en.energy_delivered([reg(0, "1000.5"), reg(1, "1000.0"), reg(2, "1000.5"), reg(3, "1001.5")])
    assert result.energy_wh == Decimal(1)
    assert result.resets == ()
    assert [(d.before_wh, d.after_wh, d.kind) for d in result.dips] == [
        (Decimal("1000.5"), Decimal("1000.0"), en.StepKind.JITTER)
    ]


def test_a_fall_is_no_reset_and_energy_counts_again_above_the_old_value() -> None:
    result = en.energy_delivered(
        [reg(0, "4000"), reg(1, "5000"), reg(2, "3000"), reg(3, "3500"), reg(4, "5200")]
    )
    # 1000 before the fall, nothing while the register is below 5000 Wh, 200 after.
    assert result.energy_wh == Decimal(1200)
    assert result.resets == ()
    assert [(d.before_wh, d.after_wh, d.kind) for d in result.dips] == [
        (Decimal(5000), Decimal(3000), en.StepKind.FALL)
    ]
    assert any("not a reset" in note for note in result.notes)
    assert [wh for _, wh in result.series] == [0, 1000, 1000, 1000, 1200]


def test_rollover_with_modulus() -> None:
    # a 5-digit kWh register (modulus 100000 kWh = 1e8 Wh) wrapping: 99999.5 kWh -> 0.7 kWh
    readings = [reg(0, "99999.0", "kWh"), reg(10, "99999.5", "kWh"), reg(20, "0.7", "kWh")]
    result = en.energy_delivered(readings, rollover_wh=100_000_000)
    # 500 Wh + (700 + 100000000 - 99999500) = 500 + 1200
    assert result.energy_wh == Decimal(1700)
    assert result.resets[0].rollover is True
    assert en.energy_delivered(readings).energy_wh == Decimal(500)


def test_transaction_begin_end_window() -> None:
    readings = [
        reg(0, "900"),  # before Transaction.Begin: not this transaction
        reg(1, "1000", context="Transaction.Begin"),
        reg(5, "1300"),
        reg(9, "1400", context="Transaction.End"),
        reg(12, "1800"),  # after Transaction.End
    ]
    result = en.energy_delivered(readings)
    assert result.energy_wh == Decimal(400)
    assert result.samples == 3
    assert any("outside" in n for n in result.notes)


def test_location_preference_outlet_first() -> None:
    readings = [
        reg(0, "100", location="Inlet"),
        reg(10, "900", location="Inlet"),
        reg(0, "100", location="Outlet"),
        reg(10, "880", location="Outlet"),
    ]
    result = en.energy_delivered(readings)
    assert (result.location, result.energy_wh) == ("Outlet", Decimal(780))
    assert en.energy_delivered(readings[:2]).location == "Inlet"


def test_totals_preferred_over_phases() -> None:
    readings = [
        reg(0, "0"),
        reg(0, "0", phase="L1"),
        reg(10, "900"),
        reg(10, "250", phase="L1"),
    ]
    result = en.energy_delivered(readings)
    assert result.energy_wh == Decimal(900) and result.phase_sum is False


def test_phase_registers_summed_when_no_total() -> None:
    readings = [
        reg(0, "100", phase="L1"),
        reg(0, "200", phase="L2-N"),
        reg(0, "300", phase="L3"),
        reg(10, "150", phase="L1"),
        reg(10, "260", phase="L2-N"),
        reg(10, "370", phase="L3"),
        reg(20, "999", phase="L1"),  # L2/L3 missing at this time: skipped, not summed
    ]
    result = en.energy_delivered(readings)
    # (150 + 260 + 370) - (100 + 200 + 300) = 780 - 600
    assert result.energy_wh == Decimal(180) and result.phase_sum is True
    assert any("skipped" in n for n in result.notes)


def test_non_energy_unit_on_register_is_ignored_with_note() -> None:
    readings = [reg(0, "100"), reg(5, "9999", unit="W"), reg(10, "300")]
    result = en.energy_delivered(readings)
    assert result.energy_wh == Decimal(200) and result.notes


def test_multiplier_and_kwh_mixed_in_one_2x_log() -> None:
    mvs = [
        {
            "timestamp": stamp(0),
            "sampledValue": [{"value": 12, "unitOfMeasure": {"unit": "Wh", "multiplier": 3}}],
        },
        {"timestamp": stamp(5), "sampledValue": [{"value": 12.75, "unitOfMeasure": {"unit": "kWh"}}]},
        {"timestamp": stamp(9), "sampledValue": [{"value": 13100}]},
    ]
    readings = [r for mv in mvs for r in en.readings_from_meter_value(mv)]
    assert en.energy_delivered(readings).energy_wh == Decimal(1100)


# --------------------------------------------------------------------------- power and current


def _sample(minutes: float, **by_measurand: str) -> list[en.Reading]:
    svs = []
    for key, value in by_measurand.items():
        measurand, _, phase = key.partition("__")
        unit = {"power": "W", "powerkw": "kW", "current": "A"}[measurand]
        name = "Current.Import" if measurand == "current" else "Power.Active.Import"
        sv = {"value": value, "measurand": name, "unit": unit}
        if phase:
            sv["phase"] = phase
        svs.append(sv)
    return list(en.readings_from_meter_value({"timestamp": stamp(minutes), "sampledValue": svs}))


def test_interval_stats_power_and_current_sum_over_phases() -> None:
    readings = [
        *_sample(0, power="7000", current__L1="10", current__L2="11", current__L3="12", current__N="3"),
        *_sample(5, powerkw="11.5", current__L1="16", current__L2="16", current__L3="16"),
        *_sample(10, power="3000", current__L1="4", current__L2="5", current__L3="6"),
    ]
    stats = en.interval_stats(readings, at(0), at(10))
    # [0, 10): samples at 0 and 5; currents 10+11+12 = 33 (neutral not counted) and 48
    assert stats == en.IntervalStats(Decimal(11500), Decimal(7000), Decimal(48), Decimal(33))
    stats = en.interval_stats(readings, at(0), at(10), include_end=True)
    assert (stats.min_power_w, stats.min_current_a) == (Decimal(3000), Decimal(15))
    assert en.interval_stats(readings, at(11), at(12)) == en.IntervalStats(None, None, None, None)


def test_interval_stats_power_from_phases_when_no_total() -> None:
    readings = _sample(0, power__L1="1000", power__L2="1100", power__L3="1200")
    assert en.interval_stats(readings, at(0), at(1)).max_power_w == Decimal(3300)


def test_interval_stats_refuses_naive_or_reversed_span() -> None:
    with pytest.raises(EnergyError):
        en.interval_stats([], datetime(2026, 1, 1), at(1))
    with pytest.raises(EnergyError):
        en.interval_stats([], at(2), at(1))


# --------------------------------------------------------------------------- charging periods


def _dims(period: en.ChargingPeriod) -> dict[str, Decimal]:
    return {d.type: d.volume for d in period.dimensions}


def test_periods_split_on_kind_change_and_parking_per_erratum() -> None:
    readings = [reg(0, "0"), reg(30, "11000"), reg(60, "22000"), reg(90, "22000")]
    states = [(at(0), "Charging"), (at(20), "SuspendedEVSE"), (at(40), "Charging"), (at(60), "SuspendedEV")]
    periods = en.charging_periods(readings, states, at(0), at(90))
    # SuspendedEVSE is charging time (the EV still asks for power), so 0-60 is one TIME period.
    assert [p.kind for p in periods] == [en.PeriodKind.CHARGING, en.PeriodKind.PARKING]
    assert [p.start_date_time for p in periods] == [at(0), at(60)]
    assert _dims(periods[0]) == {"ENERGY": Decimal(22), "TIME": Decimal(1)}
    assert _dims(periods[1]) == {"ENERGY": Decimal(0), "PARKING_TIME": Decimal("0.5")}


def test_energy_across_charging_to_parking_lands_in_charging() -> None:
    # Samples at 0 and 60 min, charging stopped at 30 (SuspendedEV): the 10 kWh measured across the
    # boundary were charged in 0..30, when the charging clock ran.
    readings = [reg(0, "0"), reg(60, "10000")]
    periods = en.charging_periods(readings, [(at(30), "SuspendedEV")], at(0), at(60))
    assert [_dims(p)["ENERGY"] for p in periods] == [Decimal(10), Decimal(0)]


def test_energy_spread_in_charging_time_and_sums_exactly() -> None:
    # Charging 0..20 and 40..60, parking 20..40; one delta of 900 Wh from 0 to 60.
    readings = [reg(0, "0"), reg(60, "900")]
    states = [(at(20), "SuspendedEV"), (at(40), "Charging")]
    periods = en.charging_periods(readings, states, at(0), at(60))
    energies = [_dims(p)["ENERGY"] for p in periods]
    assert energies == [Decimal("0.45"), Decimal(0), Decimal("0.45")]
    assert sum(energies) == Decimal("0.9")


def test_energy_in_wall_time_when_no_charging_time_between_samples() -> None:
    readings = [reg(0, "0"), reg(30, "300")]
    periods = en.charging_periods(readings, [], at(0), at(30), initial_state="SuspendedEV", split_at=[at(10)])
    assert [_dims(p)["ENERGY"] for p in periods] == [Decimal("0.1"), Decimal("0.2")]
    # hours are rounded to 12 decimals: 10 min = 0.1666..., 20 min = 0.3333...
    assert [_dims(p)["PARKING_TIME"] for p in periods] == [
        Decimal("0.166666666667"),
        Decimal("0.333333333333"),
    ]
    assert [p.end_date_time - p.start_date_time for p in periods] == [
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]


def test_split_at_adds_boundaries_without_changing_totals() -> None:
    readings = [reg(0, "0"), reg(60, "6000")]
    whole = en.charging_periods(readings, [], at(0), at(60))
    split = en.charging_periods(readings, [], at(0), at(60), split_at=[at(15), at(45)])
    assert len(whole) == 1 and len(split) == 3
    assert sum(_dims(p)["ENERGY"] for p in split) == _dims(whole[0])["ENERGY"] == Decimal(6)
    assert sum(_dims(p)["TIME"] for p in split) == Decimal(1)


def test_initial_state_from_change_before_start() -> None:
    periods = en.charging_periods([], [(at(-5), "SuspendedEV"), (at(10), "Charging")], at(0), at(20))
    assert [p.kind for p in periods] == [en.PeriodKind.PARKING, en.PeriodKind.CHARGING]
    assert "ENERGY" not in _dims(periods[0])


def test_idle_without_measurements_is_left_out() -> None:
    periods = en.charging_periods([], [(at(10), "Idle"), (at(20), "Charging")], at(0), at(30))
    assert [(p.kind, p.start_date_time) for p in periods] == [
        (en.PeriodKind.CHARGING, at(0)),
        (en.PeriodKind.CHARGING, at(20)),
    ]
    assert [_dims(p)["TIME"] for p in periods] == [Decimal("0.166666666667")] * 2


def test_1_6_status_kinds() -> None:
    assert en.STATE_KINDS["Finishing"] is en.PeriodKind.PARKING
    assert en.STATE_KINDS["SuspendedEVSE"] is en.PeriodKind.CHARGING
    assert en.STATE_KINDS["Preparing"] is en.PeriodKind.PARKING
    assert en.STATE_KINDS["Available"] is en.PeriodKind.IDLE


def test_custom_state_kinds_and_unknown_state() -> None:
    kinds = {**en.STATE_KINDS, "EVConnected": en.PeriodKind.CHARGING}
    periods = en.charging_periods([], [(at(10), "EVConnected")], at(0), at(20), state_kinds=kinds)
    assert len(periods) == 1 and _dims(periods[0]) == {"TIME": Decimal("0.333333333333")}
    with pytest.raises(EnergyError):
        en.charging_periods([], [(at(10), "Dancing")], at(0), at(20))
    with pytest.raises(EnergyError):
        en.charging_periods([], [("10:00", "Charging")], at(0), at(20))  # type: ignore[list-item]


def test_session_dimensions_add_energy_import() -> None:
    readings = [reg(0, "0"), reg(60, "2000")]
    (period,) = en.charging_periods(readings, [], at(0), at(60), session_dimensions=True)
    assert _dims(period)["ENERGY_IMPORT"] == _dims(period)["ENERGY"] == Decimal(2)
    assert "ENERGY_EXPORT" not in _dims(period) and "STATE_OF_CHARGE" not in _dims(period)
    (plain,) = en.charging_periods(readings, [], at(0), at(60))
    assert "ENERGY_IMPORT" not in _dims(plain)


def test_export_register_makes_energy_net_and_soc_is_last_sample() -> None:
    export = "Energy.Active.Export.Register"
    readings = [
        reg(0, "1000"),
        reg(0, "500", measurand=export),
        reg(0, "40", unit="Percent", measurand="SoC"),
        reg(30, "1200"),
        reg(30, "2500", measurand=export),
        reg(30, "35", unit="Percent", measurand="SoC"),
        reg(60, "1400"),
        reg(60, "2600", measurand=export),
        reg(60, "33", unit="Percent", measurand="SoC"),
    ]
    assert en.energy_delivered(readings, measurand=export).energy_wh == Decimal(2100)
    first, second = en.charging_periods(
        readings, [], at(0), at(60), split_at=[at(30)], session_dimensions=True
    )
    # import 200 Wh and export 2000 Wh in 0..30: ENERGY -1.8 kWh; then +200 and +100: +0.1 kWh
    assert _dims(first)["ENERGY"] == Decimal("-1.8")
    assert (_dims(first)["ENERGY_IMPORT"], _dims(first)["ENERGY_EXPORT"]) == (Decimal("0.2"), Decimal(2))
    assert _dims(second)["ENERGY"] == Decimal("0.1")
    # SoC: last sample in [0, 30) is 40 %; the last period includes its end sample: 33 %
    assert (_dims(first)["STATE_OF_CHARGE"], _dims(second)["STATE_OF_CHARGE"]) == (Decimal(40), Decimal(33))


def test_energy_delivered_refuses_non_energy_measurand() -> None:
    with pytest.raises(EnergyError):
        en.energy_delivered([reg(0, "1")], measurand="Power.Active.Import")


def test_power_and_current_dimensions_per_period() -> None:
    readings = [
        *_sample(0, power="7000", current__L1="10", current__L2="10", current__L3="10"),
        *_sample(30, power="3500", current__L1="5", current__L2="5", current__L3="5"),
    ]
    periods = en.charging_periods(readings, [(at(20), "SuspendedEV")], at(0), at(30))
    assert _dims(periods[0]) == {
        "TIME": Decimal("0.333333333333"),
        "MAX_POWER": Decimal(7),
        "MIN_POWER": Decimal(7),
        "MAX_CURRENT": Decimal(30),
        "MIN_CURRENT": Decimal(30),
    }
    # the sample at the transaction end belongs to the last period
    assert _dims(periods[1])["MAX_POWER"] == Decimal("3.5")


def test_charging_state_change_extraction() -> None:
    sn = {
        "connectorId": 1,
        "status": "SuspendedEV",
        "errorCode": "NoError",
        "timestamp": "2026-02-14T18:56:51Z",
    }
    assert en.charging_state_change("StatusNotification", sn) == (
        datetime(2026, 2, 14, 18, 56, 51, tzinfo=UTC),
        "SuspendedEV",
    )
    te = {
        "eventType": "Updated",
        "timestamp": "2024-08-21T12:24:40.131Z",
        "transactionInfo": {"chargingState": "Charging", "transactionId": "e"},
    }
    assert en.charging_state_change("TransactionEvent", te) == (
        datetime(2024, 8, 21, 12, 24, 40, 131000, tzinfo=UTC),
        "Charging",
    )
    te_no_state = {"timestamp": "2024-08-21T12:24:40.131Z", "transactionInfo": {"transactionId": "e"}}
    assert en.charging_state_change("TransactionEvent", te_no_state) is None
    for action, payload in [
        ("StatusNotification", {"status": "Charging"}),
        ("StatusNotification", {"timestamp": "2026-02-14T18:56:51Z"}),
        ("TransactionEvent", {"timestamp": "2026-02-14T18:56:51Z"}),
        ("MeterValues", {}),
    ]:
        with pytest.raises(EnergyError):
            en.charging_state_change(action, payload)


@pytest.mark.parametrize(
    "readings",
    [
        [1, 2],
        None,
        [en.Reading(T0, "Energy.Active.Import.Register", 5, "Wh")],  # type: ignore[arg-type]
        [en.Reading(T0, "Energy.Active.Import.Register", Decimal("NaN"), "Wh")],
        [en.Reading(datetime(2026, 1, 1), "Energy.Active.Import.Register", Decimal(1), "Wh")],
    ],
)
def test_bad_readings_raise_energy_error(readings: object) -> None:
    with pytest.raises(EnergyError):
        en.energy_delivered(readings)  # type: ignore[arg-type]
    with pytest.raises(EnergyError):
        en.interval_stats(readings, at(0), at(1))  # type: ignore[arg-type]
    with pytest.raises(EnergyError):
        en.charging_periods(readings, [], at(0), at(1))  # type: ignore[arg-type]


def test_bad_rollover_and_split_raise_energy_error() -> None:
    with pytest.raises(EnergyError):
        en.energy_delivered([reg(0, "1")], rollover_wh="NaN")  # type: ignore[arg-type]
    with pytest.raises(EnergyError):
        en.charging_periods([], [], at(0), at(1), split_at=["noon"])  # type: ignore[list-item]
    with pytest.raises(EnergyError):
        en.charging_periods([], [(at(0), ["Charging"])], at(0), at(1))  # type: ignore[list-item]


def test_same_instant_changes_last_wins_and_merges() -> None:
    # SuspendedEV and Charging at the same instant: the last wins, so no boundary at 10.
    states = [(at(10), "SuspendedEV"), (at(10), "Charging")]
    periods = en.charging_periods([], states, at(0), at(20))
    assert [(p.kind, p.start_date_time) for p in periods] == [(en.PeriodKind.CHARGING, at(0))]
    # a split at the same instant as a change keeps the boundary and takes the new kind
    periods = en.charging_periods([], [(at(10), "SuspendedEV")], at(0), at(20), split_at=[at(10), at(15)])
    assert [(p.kind, p.start_date_time) for p in periods] == [
        (en.PeriodKind.CHARGING, at(0)),
        (en.PeriodKind.PARKING, at(10)),
        (en.PeriodKind.PARKING, at(15)),
    ]


def test_states_as_lists_and_non_iterables() -> None:
    periods = en.charging_periods([], [[at(10), "SuspendedEV"]], at(0), at(20))  # type: ignore[list-item]
    assert len(periods) == 2
    for bad in (None, 5):
        with pytest.raises(EnergyError):
            en.charging_periods([], bad, at(0), at(20))  # type: ignore[arg-type]
        with pytest.raises(EnergyError):
            en.charging_periods([], [], at(0), at(20), split_at=bad)  # type: ignore[arg-type]


def test_energy_kwh_ignores_caller_precision() -> None:
    result = en.energy_delivered([reg(0, "0"), reg(1, "12843728")])
    with localcontext() as ctx:
        ctx.prec = 3
        assert result.energy_kwh == Decimal("12843.728")
