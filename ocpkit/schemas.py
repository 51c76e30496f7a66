"""JSON Schemas derived from ocpkit's models, shipped with the package.

Theory of operation: ``python -m tools.codegen`` builds every OCPP message
model, asks pydantic for its JSON Schema and writes it, in the shape of the
official OCPP files (``definitions``, the draft the official file declares),
to ``ocpkit/_schemas/ocpp/<version>/<Action>Request.json`` and
``<Action>Response.json``. The tests prove each one equal to its official
counterpart after normalisation, so these files are a faithful, redistributable
statement of the models' rules. This module only reads them, through
:mod:`importlib.resources`; each file is parsed once and every call returns a
fresh deep copy, so callers may modify the result.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from ocpkit.errors import UnsupportedError

__all__ = ["ocpp_schema"]

_VERSIONS = ("1.6", "2.0.1", "2.1")
_SUFFIX = {"request": "Request", "response": "Response"}


@cache
def _index(version: str) -> frozenset[str]:
    folder = resources.files("ocpkit").joinpath("_schemas", "ocpp", version)
    return frozenset(entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))


@cache
def _load(version: str, file_name: str) -> dict[str, Any]:
    text = resources.files("ocpkit").joinpath("_schemas", "ocpp", version, file_name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def ocpp_schema(version: str, action: str, direction: str) -> dict[str, Any]:
    """Return the JSON Schema of an OCPP message as a new dict.

    *direction* is ``"request"`` or ``"response"``. Raises
    :class:`~ocpkit.errors.UnsupportedError` for an unknown version, action or
    direction, and for the response of a SEND-only action (OCPP 2.1
    ``NotifyPeriodicEventStream``), which has none.
    """
    if not isinstance(version, str) or version not in _VERSIONS:
        raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of {', '.join(_VERSIONS)}")
    suffix = _SUFFIX.get(direction) if isinstance(direction, str) else None
    if suffix is None:
        raise UnsupportedError(f"unknown direction {direction!r}; expected 'request' or 'response'")
    file_name = f"{action}{suffix}.json" if isinstance(action, str) else ""
    if file_name not in _index(version):
        raise UnsupportedError(f"OCPP {version} has no {direction} schema for action {action!r}")
    return copy.deepcopy(_load(version, file_name))
