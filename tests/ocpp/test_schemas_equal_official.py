"""The JSON Schemas derived from the models equal the official OCPP files (DESIGN.md invariant 4).

Both sides are normalised the same way before comparing; every normalisation
and every accepted deviation is listed here, in :data:`NORMALISATIONS` and
:data:`DEVIATIONS`, with its reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocpkit.schemas import ocpp_schema
from tools.codegen.ocpp import official_files

NORMALISATIONS: dict[str, str] = {
    "$id / id": "identifies the file, not a rule; the mobilityhouse copies dropped it from some sets",
    "$schema": "compared separately: the generated file must declare the same draft",
    "title, description, comment, javaType": "documentation and naming only, no validation effect",
    "default": "an annotation; validators do not apply it",
    "$ref / definitions": "both sides are dereferenced: inline (1.6 core) and referenced types validate alike",
    "order of required and enum": "sets in meaning; JSON Schema gives their order no effect",
    "additionalItems: false next to a single-schema items": "no effect when items is one schema",
    "additionalProperties on a string enum": "only applies to objects; no effect on strings",
    "additionalProperties: true": "the default; CustomDataType states it by omission",
    "properties: {}": "an empty properties object says nothing; some 1.6 files write it, some do not",
    "minimum/maximum 0.0 vs 0": "the same number; 2.1 writes integer bounds as floats",
}
"""What the comparison ignores, and why."""

DEVIATIONS: dict[tuple[str, str], str] = {}
"""(version, official file name) -> why the generated schema differs (none today)."""

_DROP = frozenset({"$id", "id", "$schema", "title", "description", "comment", "javaType", "default"})


def _is_noop(node: dict[str, Any], key: str, value: Any) -> bool:
    if key == "additionalItems":
        return value is False and isinstance(node.get("items"), dict)
    if key == "additionalProperties":
        return value is True or node.get("type") == "string"
    return False


def normalise(node: Any, defs: dict[str, Any]) -> Any:
    """Apply :data:`NORMALISATIONS` to a schema (defs: its ``definitions``)."""
    if isinstance(node, list):
        return [normalise(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return normalise(defs[node["$ref"].rsplit("/", 1)[1]], defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or key == "definitions":
            continue
        if key == "properties" and not value:
            continue
        if key == "properties":
            out[key] = {k: normalise(v, defs) for k, v in value.items()}
        elif key in ("required", "enum"):
            out[key] = sorted(value)
        elif not _is_noop(node, key, value):
            out[key] = normalise(value, defs)
    return out


def _params() -> list[Any]:
    from tests.conftest import shared_dir

    root = shared_dir()
    if root is None:
        return [pytest.param(None, None, id="reference-material-absent")]
    return [pytest.param(key, path, id=f"{key[0]}/{path.name}") for key, path in official_files(root).items()]


@pytest.mark.parametrize(("key", "path"), _params())
def test_generated_schema_equals_official(
    shared: Path, key: tuple[str, str, str] | None, path: Path | None
) -> None:
    assert key is not None and path is not None
    version, action, direction = key
    official = json.loads(path.read_text(encoding="utf-8"))
    generated = ocpp_schema(version, action, direction)
    assert generated["$schema"] == official["$schema"]
    if "$id" in official:
        assert generated["$id"] == official["$id"]
    want = normalise(official, official.get("definitions", {}))
    got = normalise(generated, generated.get("definitions", {}))
    if (version, path.name) in DEVIATIONS:
        assert got != want, "listed as a deviation but equal: remove it from DEVIATIONS"
    else:
        assert got == want


def test_all_official_files_are_compared(shared: Path) -> None:
    files = official_files(shared)
    assert len(files) == 387
    on_disk = {p for sub in ("v16", "v201", "v21") for p in (shared / "specs" / "ocpp" / sub).glob("*.json")}
    assert set(files.values()) == on_disk
