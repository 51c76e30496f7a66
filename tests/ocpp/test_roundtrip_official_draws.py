"""Values drawn from the official schemas are accepted by the models and survive a dump unchanged.

hypothesis-jsonschema draws instances of each official file; the oracle
(:mod:`tests.ocpp.oracle`) confirms each draw, the model must accept it, and
``model_dump(mode="json", by_alias=True, exclude_none=True)`` must give it back.
Draws the oracle rejects (a float such as 0.30000000000000004 generated for
``multipleOf: 0.1`` is not an exact multiple) are discarded, not counted.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from ocpkit.ocpp import actions
from tests.conftest import shared_dir
from tests.ocpp import oracle
from tools.codegen.ocpp import official_files

DRAWS = 25


def _params() -> list[Any]:
    root = shared_dir()
    if root is None:
        return [pytest.param(None, None, id="reference-material-absent")]
    return [pytest.param(key, path, id=f"{key[0]}/{path.name}") for key, path in official_files(root).items()]


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _inline(defs[node["$ref"].rsplit("/", 1)[1]], defs)
    return {k: _inline(v, defs) for k, v in node.items() if k not in ("$id", "definitions")}


@cache
def _strategy(path: Path) -> st.SearchStrategy[Any]:
    # hypothesis-jsonschema cannot resolve "#/definitions/..." under a URN "$id"; the
    # official files have no recursive types, so the same schema with its references
    # written out in place is handed over instead.
    schema = oracle.load(path)
    return from_schema(_inline(schema, schema.get("definitions", {})))


@pytest.mark.parametrize(("key", "path"), _params())
def test_official_draws_round_trip(shared: Path, key: tuple[str, str, str] | None, path: Path | None) -> None:
    assert key is not None and path is not None
    version, action, direction = key
    spec = actions(version)[action]
    model = spec.request if direction == "request" else spec.response
    assert model is not None
    strategy = _strategy(path)

    @settings(
        max_examples=DRAWS,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(strategy)
    def check(instance: Any) -> None:
        assume(oracle.is_valid(path, instance))
        parsed = model.model_validate(instance)
        assert parsed.model_dump(mode="json", by_alias=True, exclude_none=True) == instance
        # The JSON text path agrees with the Python path.
        assert model.model_validate_json(parsed.model_dump_json(exclude_none=True)) == parsed

    check()
