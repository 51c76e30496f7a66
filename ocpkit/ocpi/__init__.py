"""OCPI (Open Charge Point Interface): models per version, envelope, validation.

Theory of operation: the version packages ``v211``, ``v221`` and ``v230`` are
generated from the spec inventory and imported only when used
(``from ocpkit.ocpi import v221`` or attribute access ``ocpkit.ocpi.v221``),
so importing this package builds no model. :func:`parse` validates bytes, text
or dicts against one object of one version and raises
:class:`ocpkit.errors.ObjectInvalid` listing every violation.

Rules chosen where the spec is silent or loose (details in
:mod:`ocpkit.ocpi._types` and :mod:`ocpkit.ocpi.envelope`):

* unknown properties: refused in strict mode, kept and reported in lenient mode;
* ``null`` for an optional field means "absent" and is accepted; it is kept
  so that a round trip gives the same document;
* DateTime: ``Z`` or no designator (UTC); offsets only in lenient mode;
* OpenEnum (2.3.0): unknown values kept as :class:`UnknownEnumValue`, reported
  as warnings of a lenient parse.

Lenient mode is the same as for OCPP: ``parse(..., lenient=True)`` returns a
:class:`LenientResult` (``.model``, ``.violations``, ``.repairs``,
``.warnings``) and never raises on content. Every violation carries the OCPI
status code a response refusing the object would use (:data:`STATUS_OF_RULE`:
2000 for a body that is not JSON, 2001 for every broken rule of a readable
object). ``parse_with_warnings`` and :class:`Parsed` are deprecated.

The spec rules no model carries (IANA zones, ISO codes, ranges, orderings,
the eMI3 form of EVSE ids) are in :mod:`ocpkit.ocpi.rules`; strict
:func:`parse` refuses the error rules, lenient parsing reports them.

:func:`convert` turns an object of one version into another, reporting what
the target cannot hold (:mod:`ocpkit.ocpi.conversion`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ocpkit.findings import LenientResult as LenientResult
    from ocpkit.ocpi._parse import (
        Page,
        Parsed,
        model_class,
        parse,
        parse_page,
        parse_response,
        parse_with_warnings,
        to_json,
        to_jsonable,
        unknown_enum_values,
        version_package,
    )
    from ocpkit.ocpi._types import UnknownEnumValue, ci_equals, ci_key
    from ocpkit.ocpi._violations import STATUS_OF_RULE, status_of_rule
    from ocpkit.ocpi.conversion import Converted, convert
    from ocpkit.ocpi.envelope import apply_patch

# Where each public name lives. They are imported on first access, so that ``import ocpkit.ocpi``
# costs nothing until OCPI is used (the parser imports pydantic and the model base types).
_EXPORTS: dict[str, str] = {
    "LenientResult": "ocpkit.findings",
    **dict.fromkeys(
        (
            "Page",
            "Parsed",
            "model_class",
            "parse",
            "parse_page",
            "parse_response",
            "parse_with_warnings",
            "to_json",
            "to_jsonable",
            "unknown_enum_values",
            "version_package",
        ),
        "ocpkit.ocpi._parse",
    ),
    **dict.fromkeys(("UnknownEnumValue", "ci_equals", "ci_key"), "ocpkit.ocpi._types"),
    **dict.fromkeys(("STATUS_OF_RULE", "status_of_rule"), "ocpkit.ocpi._violations"),
    **dict.fromkeys(("Converted", "convert"), "ocpkit.ocpi.conversion"),
    "apply_patch": "ocpkit.ocpi.envelope",
}

# LenientResult is re-exported for convenience, and documented once, in ocpkit.findings.
__all__ = [
    "STATUS_OF_RULE",
    "VERSIONS",
    "Converted",
    "Page",
    "Parsed",
    "UnknownEnumValue",
    "Version",
    "apply_patch",
    "ci_equals",
    "ci_key",
    "convert",
    "model_class",
    "parse",
    "parse_page",
    "parse_response",
    "parse_with_warnings",
    "status_of_rule",
    "to_json",
    "to_jsonable",
    "unknown_enum_values",
    "version_package",
]

Version = Literal["2.1.1", "2.2.1", "2.3.0"]
VERSIONS: tuple[Version, ...] = ("2.1.1", "2.2.1", "2.3.0")

_LAZY = ("v211", "v221", "v230", "envelope")


def __getattr__(name: str) -> Any:
    """Import a public name or a version package on first access (``ocpkit.ocpi.parse``, ``.v221``)."""
    home = _EXPORTS.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value
        return value
    if name in _LAZY:
        return importlib.import_module(f"ocpkit.ocpi.{name}")
    raise AttributeError(f"module 'ocpkit.ocpi' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the lazily imported ones included."""
    return sorted({*globals(), *_EXPORTS, *_LAZY})
