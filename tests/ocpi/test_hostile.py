"""Hostile input never escapes ocpkit's error tree: ObjectInvalid (or a model), nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.errors import ObjectInvalid, UnsupportedError
from ocpkit.ocpi import parse, parse_response, version_package

NAMES = [
    ("2.1.1", "Location"),
    ("2.2.1", "Tariff"),
    ("2.2.1", "CDR"),
    ("2.3.0", "Session"),
    ("2.3.0", "Token"),
    ("2.3.0", "Booking"),
    ("2.2.1", "Hours"),
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


def _only_object_invalid(version: str, name: str, data: Any, **kw: Any) -> None:
    """Strict: a model or ObjectInvalid. Lenient: never raises on content, reports with codes."""
    if kw.get("lenient"):
        result = parse(version, name, data, **kw)
        violations = result.violations
    else:
        try:
            parse(version, name, data, **kw)
            return
        except ObjectInvalid as exc:
            violations = exc.violations
    assert all(v.path == "" or v.path.startswith("/") for v in violations)
    assert all(v.code in ("2000", "2001") for v in violations)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), json_values, st.booleans(), st.booleans())
def test_random_json_values(target: tuple[str, str], value: Any, lenient: bool, partial: bool) -> None:
    version, name = target
    if partial and name not in version_package(version).PARTIALS:
        partial = False
    _only_object_invalid(version, name, value, lenient=lenient, partial=partial)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(raw: bytes) -> None:
    _only_object_invalid("2.2.1", "Tariff", raw)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "country_code",
                "party_id",
                "id",
                "currency",
                "elements",
                "last_updated",
                "tax_included",
                "min_price",
            ]
        ),
        json_values,
        max_size=8,
    )
)
def test_random_tariff_shaped_documents(doc: dict[str, Any]) -> None:
    _only_object_invalid("2.3.0", "Tariff", doc)
    _only_object_invalid("2.3.0", "Tariff", json.dumps(doc, allow_nan=True))


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00garbage",
        b'{"id": "\xc3\x28"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"price": NaN}',
        b'{"price": Infinity}',
        b"",
        b"   ",
        b'{"last_updated": "2024-01-01T00:00:00Z", "country_code": ' + b"9" * 5000 + b"}",
        b'{"elements": [{"price_components": [{"type": "ENERGY", "price": 1e999999999, "step_size": 1}]}]}',
        "\ud800".encode("utf-8", "surrogatepass"),
    ],
)
def test_hostile_documents(raw: bytes) -> None:
    with pytest.raises(ObjectInvalid):
        parse("2.2.1", "Tariff", raw)
    with pytest.raises(ObjectInvalid):
        parse_response("2.2.1", "Tariff", raw)


def test_json_errors_name_the_object() -> None:
    with pytest.raises(ObjectInvalid) as info:
        parse("2.3.0", "Tariff", b"{")
    assert (info.value.version, info.value.name) == ("2.3.0", "Tariff")
    assert [v.keyword for v in info.value.violations] == ["json"]


def test_deep_python_input_and_huge_numbers() -> None:
    deep: Any = 1
    for _ in range(5000):
        deep = {"x": deep}
    _only_object_invalid("2.2.1", "Tariff", {"elements": deep})
    _only_object_invalid("2.2.1", "Tariff", {"x": deep}, lenient=True)
    huge = {"type": "ENERGY", "price": 10**5000, "step_size": 10**5000}
    _only_object_invalid("2.2.1", "PriceComponent", huge)


def test_unknown_version_and_name() -> None:
    with pytest.raises(UnsupportedError):
        parse("2.0", "Tariff", {})
    with pytest.raises(UnsupportedError):
        parse("2.2.1", "Nope", {})
    with pytest.raises(UnsupportedError):
        parse("2.2.1", 5, {})  # type: ignore[arg-type]
