"""CDRs and Sessions given as ocpkit's OCPI models are read off their attributes, as their dump reads."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.errors import PricingError
from ocpkit.ocpi import v211, v221, v230
from ocpkit.tariffs import compile, price
from ocpkit.tariffs._input import PricingInput, _from_model, read_cdr

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LENIENT = {"ocpi_lenient": True}


def _example(shared: Path, version: str, name: str) -> dict[str, Any]:
    raw = json.loads((shared / f"specs/ocpi/{version}/examples/{name}").read_text(encoding="utf-8"))
    return raw.get("data", raw) if isinstance(raw, dict) else raw


def _dump(model: pydantic.BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="python", by_alias=True, exclude_none=True)


def _read(obj: object, with_tariffs: bool = False) -> tuple[Any, ...]:
    embedded = (lambda items, path: [dict(t) for t in items]) if with_tariffs else None
    data: PricingInput = read_cdr(obj, "cdr", embedded)
    # Without a reader for them the CDR's own tariffs are left unread (as given) in raw_tariffs.
    names = [n for n in PricingInput.__slots__ if with_tariffs or n != "raw_tariffs"]
    return tuple(getattr(data, name) for name in names)


@pytest.fixture(scope="module")
def cdr221(shared: Path) -> dict[str, Any]:
    return _example(shared, "2.2.1", "cdr_example.json")


def test_example_cdr_reads_as_its_dump(cdr221: dict[str, Any]) -> None:
    model = v221.Cdr.model_validate(cdr221)
    assert _from_model(model, True) is not None  # the attribute reader took it
    assert _read(model) == _read(_dump(model))
    assert _read(model, True) == _read(_dump(model), True)
    assert price(None, model) == price(None, _dump(model))
    compiled = compile(cdr221["tariffs"][0], "2.2.1")
    assert price(compiled, model) == price(compiled, cdr221)


def _outcome(fn: Any, *args: object) -> object:
    """What ``fn(*args)`` gives, or the message of the PricingError it raises."""
    try:
        return fn(*args)
    except PricingError as exc:
        return f"PricingError: {exc}"


def test_example_sessions_read_as_their_dump(shared: Path) -> None:
    tariff = compile(_example(shared, "2.2.1", "tariff_1_simple_2hour.json"), "2.2.1")
    seen = set()
    for version, module in (("2.2.1", v221), ("2.3.0", v230)):
        for name in ("session_example_1_simple_start.json", "session_example_2_short_finished.json"):
            model = module.Session.model_validate(_example(shared, version, name))
            assert _from_model(model, False) is not None
            read = _outcome(_read, model)
            assert read == _outcome(_read, _dump(model)), (version, name)
            seen.add(type(read))
            if version == "2.2.1":
                assert _outcome(price, tariff, model) == _outcome(price, tariff, _dump(model))
    assert seen == {tuple, str}  # a finished session is read; an ongoing one is refused alike


def test_unknown_properties_are_read_as_the_dump_reads_them(cdr221: dict[str, Any]) -> None:
    raw = copy.deepcopy(cdr221)
    raw["cdr_location"]["time_zone"] = "Europe/Brussels"  # an extra, kept in lenient mode
    raw["charging_periods"][0]["note"] = "kept"
    model = v221.Cdr.model_validate(raw, context=LENIENT)
    assert model.cdr_location.model_extra == {"time_zone": "Europe/Brussels"}
    assert _read(model) == _read(_dump(model))
    assert read_cdr(model).time_zone == "Europe/Brussels"
    # An extra the reader cannot take apart sends the whole CDR through the dump.
    raw["location"] = {"time_zone": "Europe/Paris"}
    odd = v221.Cdr.model_validate(raw, context=LENIENT)
    assert _from_model(odd, False) is None
    assert _read(odd) == _read(_dump(odd))


def test_v211_model_reads_stop_date_time_and_location() -> None:
    period = v211.ChargingPeriod.model_construct(
        start_date_time=datetime(2026, 1, 5, 8, tzinfo=UTC),
        dimensions=[
            v211.CdrDimension.model_construct(type=v211.CdrDimensionType.ENERGY, volume=Decimal("7.5"))
        ],
    )
    location = v211.Location.model_construct(country="NLD", time_zone="Europe/Amsterdam")
    model = v211.Cdr.model_construct(
        start_date_time=datetime(2026, 1, 5, 8, tzinfo=UTC),
        stop_date_time=datetime(2026, 1, 5, 9, tzinfo=UTC),
        currency="EUR",
        location=location,
        charging_periods=[period],
    )
    assert _from_model(model, False) is not None
    data = read_cdr(model)
    assert (data.end, data.time_zone, data.country) == (
        datetime(2026, 1, 5, 9, tzinfo=UTC),
        "Europe/Amsterdam",
        "NLD",
    )
    assert _read(model) == _read(_dump(model))


def test_foreign_models_still_take_model_dump() -> None:
    class Dimension(pydantic.BaseModel):
        kind: str = pydantic.Field(serialization_alias="type")
        volume: Decimal

    class Period(pydantic.BaseModel):
        start_date_time: datetime
        dimensions: list[Dimension]

    class Cdr(pydantic.BaseModel):
        begin: datetime = pydantic.Field(serialization_alias="start_date_time")
        end_date_time: datetime
        currency: str
        charging_periods: list[Period]

    at = datetime(2026, 1, 5, 8, tzinfo=UTC)
    model = Cdr(
        begin=at,
        end_date_time=at + timedelta(hours=1),
        currency="EUR",
        charging_periods=[
            Period(start_date_time=at, dimensions=[Dimension(kind="ENERGY", volume=Decimal(3))])
        ],
    )
    assert _from_model(model, False) is None
    assert _read(model) == _read(_dump(model))
    assert read_cdr(model).periods[0][1] == {"ENERGY": Decimal(3)}


dimension_types = st.sampled_from(
    ["ENERGY", "TIME", "PARKING_TIME", "MAX_CURRENT", "MIN_POWER", "RESERVATION_TIME"]
)
volumes = st.decimals(min_value=0, max_value=500, places=3, allow_nan=False, allow_infinity=False)


@st.composite
def periods(draw: st.DrawFn, start: datetime) -> list[dict[str, Any]]:
    out = []
    at = start
    for _ in range(draw(st.integers(1, 5))):
        kinds = draw(st.lists(dimension_types, min_size=1, max_size=3))  # repeats allowed: they are summed
        period: dict[str, Any] = {
            "start_date_time": at.isoformat(),
            "dimensions": [{"type": k, "volume": float(draw(volumes))} for k in kinds],
        }
        if draw(st.booleans()):
            period["tariff_id"] = draw(st.sampled_from(["12", "13"]))
        out.append(period)
        at += timedelta(minutes=draw(st.integers(-30, 180)))  # out of order sometimes
    return out


@SETTINGS
@given(st.data())
def test_generated_cdrs_read_and_price_as_their_dump(cdr221: dict[str, Any], data: st.DataObject) -> None:
    raw = copy.deepcopy(cdr221)
    start = datetime(2026, 3, 28, tzinfo=UTC) + timedelta(minutes=data.draw(st.integers(0, 4 * 24 * 60)))
    raw["start_date_time"] = start.isoformat()
    raw["end_date_time"] = (start + timedelta(hours=data.draw(st.integers(0, 30)))).isoformat()
    raw["charging_periods"] = data.draw(periods(start))
    if data.draw(st.booleans()):
        raw["cdr_location"]["time_zone"] = data.draw(
            st.sampled_from(["Europe/Amsterdam", "UTC", "Asia/Tokyo"])
        )
    model = v221.Cdr.model_validate(raw, context=LENIENT)
    dumped = _dump(model)
    assert _read(model) == _read(dumped)
    assert _outcome(price, None, model) == _outcome(price, None, dumped)
