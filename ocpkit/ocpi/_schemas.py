"""Access to the generated OCPI JSON Schemas and their OpenAPI 3.1 form.

Theory of operation: ``python -m tools.codegen`` writes one JSON Schema (draft
2020-12) per object, class and PATCH partial to the package data directory
``ocpkit/_schemas/ocpi/<version>/<ClassName>.json``, generated from the
models. OCPI publishes no machine-readable definitions; every file says in its
``$comment`` that it is derived by ocpkit. This module only reads those files
(through :mod:`importlib.resources`) and reshapes them; it never builds a model.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from ocpkit.errors import UnsupportedError

__all__ = ["ocpi_schema", "ocpi_schema_names", "openapi_components"]

_VERSIONS = ("2.1.1", "2.2.1", "2.3.0")


def _folder(version: str) -> Traversable:
    if version not in _VERSIONS:
        raise UnsupportedError(f"unknown OCPI version {version!r}; known: {', '.join(_VERSIONS)}")
    return resources.files("ocpkit").joinpath("_schemas", "ocpi", version)


def ocpi_schema_names(version: str) -> list[str]:
    """Names (Python class names) of every exported schema of *version*, sorted."""
    return sorted(
        entry.name.removesuffix(".json")
        for entry in _folder(version).iterdir()
        if entry.name.endswith(".json")
    )


def _class_name(version: str, name: str) -> str:
    if not isinstance(name, str):
        raise UnsupportedError(f"schema name must be a string, not {type(name).__name__}")
    if name in ocpi_schema_names(version):
        return name
    # A spec name that is not the class name ("CDR", "Financial Advice Confirmation").
    from ocpkit.ocpi._parse import version_package

    module = version_package(version)
    cls = module.OBJECTS.get(name)
    if cls is None and name.endswith("Partial"):
        cls = module.PARTIALS.get(name.removesuffix("Partial"))
        if cls is not None:
            return str(cls.__name__)
    if cls is None:
        raise UnsupportedError(f"OCPI {version} has no schema named {name!r}")
    return str(cls.__name__)


def ocpi_schema(version: str, name: str) -> dict[str, Any]:
    """The JSON Schema of OCPI *version* object *name* (spec name like ``"CDR"`` or class name ``"Cdr"``).

    Returns a fresh dict each call. Raises :class:`~ocpkit.errors.UnsupportedError`
    for an unknown version or name.
    """
    entry = _folder(version).joinpath(f"{_class_name(version, name)}.json")
    result: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
    return result


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = "#/components/schemas/" + value[len("#/$defs/") :]
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def openapi_components(version: str) -> dict[str, Any]:
    """An OpenAPI 3.1 ``components.schemas`` mapping with every OCPI object of *version*.

    Nested classes and enums that the objects use appear under their own
    names; references point at ``#/components/schemas/<Name>``.
    """
    components: dict[str, Any] = {}
    for name in ocpi_schema_names(version):
        schema = ocpi_schema(version, name)
        for def_name, definition in schema.pop("$defs", {}).items():
            components.setdefault(def_name, _rewrite_refs(definition))
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        components[name] = _rewrite_refs(schema)
    return dict(sorted(components.items()))
