"""OCPI violations from pydantic errors: the JSON pointer and the schema keyword of each broken rule.

Theory of operation: OCPI objects are validated by their pydantic models, whose
errors name a location tuple and an error type. :func:`violations_of` turns each
into a :class:`~ocpkit.errors.Violation` with an RFC 6901 pointer and the JSON
Schema keyword of the rule (so OCPI and OCPP reports read alike); an unknown
property reported as a list of names becomes one violation per name. Both the
object parser and the envelope's PATCH merge use it.
"""

from __future__ import annotations

from pydantic import ValidationError

from ocpkit.errors import Violation

__all__ = ["violations_of"]

# pydantic error type -> JSON Schema keyword of the rule that failed.
_KEYWORDS = {
    "missing": "required",
    "extra_forbidden": "additionalProperties",
    "additional_properties": "additionalProperties",
    "string_too_long": "maxLength",
    "string_too_short": "minLength",
    "string_pattern_mismatch": "pattern",
    "too_short": "minItems",
    "too_long": "maxItems",
    "enum": "enum",
    "literal_error": "enum",
    "greater_than_equal": "minimum",
    "less_than_equal": "maximum",
    "greater_than": "exclusiveMinimum",
    "less_than": "exclusiveMaximum",
    "model_type": "type",
    "model_attributes_type": "type",
    "list_type": "type",
    "string_type": "type",
    "int_type": "type",
    "int_from_float": "type",
    "int_parsing": "type",
    "bool_type": "type",
    "dict_type": "type",
    "none_required": "type",
    "recursion_loop": "maxDepth",
}


def _pointer(loc: tuple[int | str, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def violations_of(exc: ValidationError, prefix: str = "") -> list[Violation]:
    """Convert a pydantic ValidationError into violations with JSON pointers."""
    out: list[Violation] = []
    for err in exc.errors(include_url=False, include_input=False):
        kind = str(err.get("type", "invalid"))
        loc = tuple(err.get("loc", ()))
        ctx = err.get("ctx") or {}
        if kind == "additional_properties" and isinstance(ctx.get("names"), list):
            for name in ctx["names"]:
                here = prefix + _pointer((*loc, name))
                out.append(Violation(here, "additionalProperties", "unknown property"))
            continue
        out.append(Violation(prefix + _pointer(loc), _KEYWORDS.get(kind, kind), str(err.get("msg", kind))))
    return out
