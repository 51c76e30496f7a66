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
from hypothesis import HealthCheck, Phase, assume, given, settings
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


ARRAY_CAP = 2


def _narrow(node: Any, defs: dict[str, Any], cap: int = ARRAY_CAP) -> Any:
    """The official schema, references written out in place, with a smaller language.

    hypothesis-jsonschema cannot resolve ``#/definitions/...`` under a URN ``$id``,
    and drawing open objects and long nested arrays of large 2.x types costs
    seconds per draw. So references are inlined (the files have no recursive
    types), the open ``CustomDataType`` is closed (its extra properties are tested
    in ``test_model_rules.py``), arrays are capped at ``ARRAY_CAP`` items and arrays
    nested in arrays at one (never below their ``minItems``). Every draw is still
    a valid instance of the unmodified official file, and the oracle checks it
    against that file.
    """
    if isinstance(node, list):
        return [_narrow(v, defs, cap) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _narrow(defs[node["$ref"].rsplit("/", 1)[1]], defs, cap)
    inner = 1 if node.get("type") == "array" else cap
    out = {
        k: _narrow(v, defs, inner) for k, v in node.items() if k not in ("$id", "definitions", "description")
    }
    if out.get("type") == "object":
        out.setdefault("additionalProperties", False)
    if out.get("type") == "array":
        out["maxItems"] = min(out.get("maxItems", cap), max(cap, out.get("minItems", 0)))
    return out


@cache
def _strategy(path: Path) -> st.SearchStrategy[Any]:
    schema = oracle.load(path)
    return from_schema(_narrow(schema, schema.get("definitions", {})))


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
        phases=[Phase.generate, Phase.shrink],
    )
    @given(strategy)
    def check(instance: Any) -> None:
        assume(oracle.is_valid(path, instance))
        parsed = model.model_validate(instance)
        assert parsed.model_dump(mode="json", by_alias=True, exclude_none=True) == instance
        # The JSON text path agrees with the Python path.
        assert model.model_validate_json(parsed.model_dump_json(exclude_none=True)) == parsed

    check()
