"""Tariffs of the pricing conformance data parse exactly where a strict model should accept them.

The data's README names the tariffs a strict model must refuse and why; every
other ``tariff.json`` must parse, and must dump back to the same JSON.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ocpkit.errors import ObjectInvalid
from ocpkit.ocpi import parse, to_jsonable

ROOT = "conformance/ocpi-tariffs"

# case folder (relative to ROOT) -> the required field(s) or rule the README says it breaks.
REFUSED: dict[str, set[str]] = {
    "tandemdrive-ocpi-tariffs/test_data/grace_period_parking_time": {"/country_code", "/party_id"},
    "hamza-nabil-ocpi-tariffs-py/test_data/v2_2_1/grace_period_parking_time": {"/country_code", "/party_id"},
    "tandemdrive-ocpi-tariffs/test_data/put_example": {"/last_updated"},
    "hamza-nabil-ocpi-tariffs-py/test_data/v2_2_1/put_example": {"/last_updated"},
    "hamza-nabil-ocpi-tariffs-py/test_data/v2_1_1/045kwh_start_parking_min_duration": {"/last_updated"},
    # Also carries Gireve's price_round/step_round/exact_price_component extension fields.
    "hamza-nabil-ocpi-tariffs-py/test_data/v2_1_1/gireve_cdr": {
        "/last_updated",
        "/elements/0/price_components/0/price_round",
        "/elements/0/price_components/0/step_round",
        "/elements/0/price_components/0/exact_price_component",
    },
    # SESSION_TIME is not a 2.1.1 TariffDimensionType (the data's README calls it "not OCPI");
    # country_code/party_id are not 2.1.1 Tariff fields.
    "hamza-nabil-ocpi-tariffs-py/test_data/v2_1_1/session_time": {
        "/country_code",
        "/party_id",
        "/elements/0/price_components/0/type",
    },
}

# Divergence from the data's README, which expects a strict model to accept these: the 2.1.1 copies
# carry country_code and party_id, which the 2.1.1 Tariff object does not have (2.2 added them).
# Strict mode refuses unknown properties; lenient mode accepts them and reports them.
LENIENT_ONLY: set[str] = {
    f"hamza-nabil-ocpi-tariffs-py/test_data/v2_1_1/{case}"
    for case in ("025kwh", "step_size", "step_size_energy")
}


def _version(rel: str) -> str:
    return "2.1.1" if "/v2_1_1/" in rel else "2.2.1"


def _tariffs(shared: Path) -> list[tuple[str, Path]]:
    base = shared / ROOT
    return sorted((p.parent.relative_to(base).as_posix(), p) for p in base.rglob("tariff.json"))


@pytest.mark.shared
def test_tariff_files(shared: Path) -> None:
    cases = _tariffs(shared)
    assert len(cases) > 50
    parsed = 0
    for rel, path in cases:
        raw = path.read_bytes()
        version = _version(rel)
        if rel.endswith("misspelled_field"):
            # Deliberately broken: dayOfWeek instead of day_of_week, lower-case country and currency.
            with pytest.raises(ObjectInvalid) as info:
                parse(version, "Tariff", raw)
            keywords = {(v.path.rsplit("/", 1)[-1], v.keyword) for v in info.value.violations}
            assert ("dayOfWeek", "additionalProperties") in keywords
            assert ("currency", "pattern") in keywords
            continue
        if rel in REFUSED:
            with pytest.raises(ObjectInvalid) as info:
                parse(version, "Tariff", raw)
            assert {v.path for v in info.value.violations} == REFUSED[rel], rel
            continue
        if rel in LENIENT_ONLY:
            with pytest.raises(ObjectInvalid) as info:
                parse(version, "Tariff", raw)
            assert {(v.path, v.keyword) for v in info.value.violations} == {
                ("/country_code", "additionalProperties"),
                ("/party_id", "additionalProperties"),
            }
            result = parse(version, "Tariff", raw, lenient=True)
            assert {v.path for v in result.violations} == {"/country_code", "/party_id"}
            # Unknown properties are kept, so the round trip is still exact.
            assert to_jsonable(result.model) == json.loads(raw, parse_float=Decimal)
            continue
        model = parse(version, "Tariff", raw)
        assert to_jsonable(model) == json.loads(raw, parse_float=Decimal), rel
        parsed += 1
    assert parsed == len(cases) - len(REFUSED) - len(LENIENT_ONLY) - 1


@pytest.mark.shared
def test_real_world_cdr(shared: Path) -> None:
    path = shared / ROOT / "hamza-nabil-ocpi-tariffs-py/test_data/v2_2_1/codeberg_issue_228/cdr.json"
    raw = path.read_bytes()
    cdr = parse("2.2.1", "CDR", raw)
    assert to_jsonable(cdr) == json.loads(raw, parse_float=Decimal)
    assert isinstance(cdr.total_cost.excl_vat, Decimal)
    assert len(cdr.tariffs[0].elements) == 48
