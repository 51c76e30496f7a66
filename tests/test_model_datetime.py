from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, ValidationError

from ocpkit._model import DateTime, OcppModel, parse_rfc3339


class _M(OcppModel):
    ts: DateTime = Field(alias="timeStamp")


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-01T00:00:00Z",
        "2024-01-01t00:00:00z",
        "2024-02-29T23:59:59.123456789+05:30",
        "2025-10-03T11:09:13.630Z",
        "2025-09-02T20:54:26.149626+00:00",
        "2016-12-31T23:59:60Z",
    ],
)
def test_valid_rfc3339_round_trips_exactly(text: str) -> None:
    m = _M.model_validate({"timeStamp": text})
    assert m.ts.tzinfo is not None
    assert m.model_dump(mode="json") == {"timeStamp": text}


@pytest.mark.parametrize(
    "text",
    [
        "1714557600",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00+0200",
        "2024-01-01T00:00:00",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:00+24:00",
        "",
        "2024-01-01T00:00Z",
        "２０２４-01-01T00:00:00Z",
    ],
)
def test_invalid_rfc3339_rejected(text: str) -> None:
    with pytest.raises(ValidationError):
        _M.model_validate({"timeStamp": text})


def test_leap_second_is_last_microsecond_of_59() -> None:
    dt = parse_rfc3339("2016-12-31T23:59:60Z")
    assert (dt.second, dt.microsecond) == (59, 999999)


def test_naive_datetime_refused_and_aware_formatted_with_z() -> None:
    with pytest.raises(ValidationError):
        _M(ts=datetime(2024, 1, 1))
    m = _M(ts=datetime(2024, 1, 1, tzinfo=UTC))
    assert m.model_dump(mode="json") == {"timeStamp": "2024-01-01T00:00:00Z"}


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3, minutes=-30))])))
def test_isoformat_of_any_aware_datetime_parses_to_same_instant(dt: datetime) -> None:
    assert parse_rfc3339(dt.isoformat()) == dt
