"""OCPI violations from pydantic errors: the JSON pointer and the schema keyword of each broken rule.

Theory of operation: OCPI objects are validated by their pydantic models, whose
errors name a location tuple and an error type. :func:`violations_of` turns each
into a :class:`~ocpkit.errors.Violation` with an RFC 6901 pointer and the JSON
Schema keyword of the rule (so OCPI and OCPP reports read alike); an unknown
property reported as a list of names becomes one violation per name. Both the
object parser and the envelope's PATCH merge use it.

Every OCPI violation carries, as its ``code``, the OCPI status code a server
refusing the object would answer with (OCPI 2.2.1 status_codes, "2xxx: Client
errors"; the same codes in 2.1.1 and 2.3.0). :data:`STATUS_OF_RULE` is the
mapping: a body that is not JSON at all, or nests too deep to be read, is a
generic client error (2000); every rule broken by a readable object -- a
missing field, a wrong type, an unknown value or property -- is "invalid or
missing parameters" (2001), the code the spec gives for a PATCH without
``last_updated``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import ValidationError

from ocpkit.errors import Violation

__all__ = ["STATUS_OF_RULE", "status_of_rule", "violation", "violations_of"]

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


_INVALID_OR_MISSING = 2001  # OCPI status_codes: 2001 "Invalid or missing parameters"

STATUS_OF_RULE: Mapping[str, int] = MappingProxyType(
    {
        # The body cannot be read as a document: OCPI status_codes 2000, generic client error.
        "json": 2000,
        "maxDepth": 2000,
        # A readable document that breaks a rule of its object: 2001, invalid or missing parameters.
        **dict.fromkeys(
            (
                "required",
                "additionalProperties",
                "type",
                "enum",
                "format",
                "pattern",
                "maxLength",
                "minLength",
                "minItems",
                "maxItems",
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "oneOf",
                "invalid",
                # Every spec rule of ocpkit.ocpi.rules (keyword "spec.<rule id>").
                "spec",
            ),
            _INVALID_OR_MISSING,
        ),
    }
)
"""Rule (schema keyword) of an OCPI violation -> the OCPI status code of a response refusing it.

A rule not listed (a pydantic error type without a schema keyword) maps to 2001 too.
"""


def status_of_rule(keyword: str) -> int:
    """The OCPI status code of a broken rule (see :data:`STATUS_OF_RULE`)."""
    if keyword.startswith("spec."):  # a spec rule of ocpkit.ocpi.rules: the object's values are invalid
        return STATUS_OF_RULE["spec"]
    return STATUS_OF_RULE.get(keyword, _INVALID_OR_MISSING)


def violation(path: str, keyword: str, message: str) -> Violation:
    """An OCPI violation, its ``code`` the status code of its rule."""
    return Violation(path, keyword, message, str(status_of_rule(keyword)))


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
                out.append(violation(here, "additionalProperties", "unknown property"))
            continue
        out.append(violation(prefix + _pointer(loc), _KEYWORDS.get(kind, kind), str(err.get("msg", kind))))
    return out
