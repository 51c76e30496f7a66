"""The reference verdict: jsonschema with the draft a file declares, formats checked, exact multipleOf.

Used by the tests only. jsonschema checks ``multipleOf`` with binary floats, which
wrongly rejects 22.2 as a multiple of 0.1 (DESIGN.md "Pitfalls"); the oracle
replaces that one keyword with an exact decimal check.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft4Validator, Draft6Validator, FormatChecker
from jsonschema.protocols import Validator

from ocpkit.ocpp._types import is_multiple_of


def _exact_multiple_of(validator: Any, divisor: Any, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "number"):
        return
    if not is_multiple_of(Decimal(repr(instance)), Decimal(repr(divisor))):
        yield jsonschema.ValidationError(f"{instance!r} is not a multiple of {divisor!r}")


def _with_exact_multiple_of(base: type[Validator]) -> type[Validator]:
    return jsonschema.validators.extend(base, {"multipleOf": _exact_multiple_of})


_VALIDATORS = {
    "http://json-schema.org/draft-04/schema#": _with_exact_multiple_of(Draft4Validator),
    "http://json-schema.org/draft-06/schema#": _with_exact_multiple_of(Draft6Validator),
}


@cache
def load(path: Path) -> dict[str, Any]:
    """The official schema at *path*."""
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def validator(path: Path) -> Validator:
    """A validator for the official schema at *path*, with its own draft and a format checker."""
    schema = load(path)
    cls = _VALIDATORS[schema["$schema"]]
    return cls(schema, format_checker=FormatChecker())


def is_valid(path: Path, instance: Any) -> bool:
    """The oracle's verdict on *instance* against the official file at *path*."""
    return bool(validator(path).is_valid(instance))
