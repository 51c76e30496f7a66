"""OCPI version conversion, 2.1.1 ⇄ 2.2.1 ⇄ 2.3.0, with a report of what was lost and what was made up.

Theory of operation: :func:`convert` turns an OCPI object of one version (a model
of ``ocpkit.ocpi.v211`` / ``v221`` / ``v230``, or a wire dict with its version and
name) into the same object of another version. The mapping is data: a table per
class and per step between adjacent versions (``TABLES``; the docs render it as
the "what changes between versions" page) of renamed, dropped, derived and
refused fields, and maps of enum values that change. Between 2.1.1 and 2.3.0 the
conversion goes through 2.2.1, and what either step reports is traced back to
the input. The result is a :class:`Converted`: the target model (validated
strictly), every :class:`Loss` (a JSON pointer into the input, why, and the value
that was not carried), every :class:`Derived` field (a pointer into the result
and how it was filled) and the origin of every carried value. A required target
field that nothing can fill raises :class:`~ocpkit.errors.ConversionError`
naming the path and the ``context`` key that would supply it
(:data:`CONTEXT_KEYS`).

:func:`convert` is also ``ocpkit.ocpi.convert``; the other names are imported
from here (``from ocpkit.ocpi.conversion import Loss``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ocpkit.ocpi.conversion._result import Converted, Derived, Loss

# Their public home is this module (docs, reprs and pickles name it), not the private one they live in.
for _cls in (Converted, Derived, Loss):
    _cls.__module__ = __name__

if TYPE_CHECKING:
    from ocpkit.ocpi.conversion._api import (
        CONTEXT_KEYS,
        ENUM_MAPS,
        NO_DROP,
        REGISTRY,
        TABLES,
        VERSIONS,
        steps,
    )
    from ocpkit.ocpi.conversion._describe import Change
    from ocpkit.ocpi.conversion._rules import EnumMap, Rule, Table

__all__ = [
    "CONTEXT_KEYS",
    "ENUM_MAPS",
    "NO_DROP",
    "REGISTRY",
    "TABLES",
    "VERSIONS",
    "Change",
    "Converted",
    "Derived",
    "EnumMap",
    "Loss",
    "Rule",
    "Table",
    "convert",
    "describe",
    "steps",
]

# The tables and the engine load on first use: ``import ocpkit.ocpi`` does not pay for them.
_LAZY = {
    **dict.fromkeys(
        ("CONTEXT_KEYS", "ENUM_MAPS", "NO_DROP", "REGISTRY", "TABLES", "VERSIONS", "steps"), "_api"
    ),
    "Change": "_describe",
    "EnumMap": "_rules",
    "Rule": "_rules",
    "Table": "_rules",
}


def __getattr__(name: str) -> Any:
    """Load the tables and the engine on first access to one of their names."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ocpkit.ocpi.conversion' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"ocpkit.ocpi.conversion.{module}"), name)
    globals()[name] = value
    return value


def convert(
    obj: Any,
    to: str = "2.2.1",
    *,
    from_: str | None = None,
    name: str | None = None,
    context: Mapping[str, Any] | None = None,
    partial: bool | None = None,
    lenient: bool = False,
) -> Converted[Any]:
    """Convert an OCPI object to version *to*.

    *obj* is a model of ``ocpkit.ocpi.v211`` / ``v221`` / ``v230`` (its version
    and object are read from its class; a ``...Partial`` model converts as a
    PATCH body), or bytes, text or a dict with ``from_`` (its version) and
    ``name`` (its object: ``"CDR"`` or ``"Cdr"``; ``partial=True`` for a PATCH
    body, ``lenient=True`` to accept unknown properties, which are then
    reported lost), or a list of either. *context* supplies what the source
    version does not hold (:data:`CONTEXT_KEYS`).

    Raises :class:`~ocpkit.errors.ConversionError` when a required target field
    cannot be filled (``.missing`` names the context keys to supply) or a value
    the target cannot hold sits where nothing may be left out;
    :class:`~ocpkit.errors.ObjectInvalid` when a wire document is not valid in
    its own version; :class:`~ocpkit.errors.UnsupportedError` for an unknown
    version, object or context key, or an object the target version lacks.
    """
    from ocpkit.ocpi.conversion._api import convert as run

    return run(obj, to, from_=from_, name=name, context=context, partial=partial, lenient=lenient)


def describe(name: str, source: str, target: str) -> list[Change]:
    """Every change of object or class *name* (spec name) from *source* to the adjacent *target*.

    Lists the table's rules, the enum values the target lacks and the values
    its limits refuse: everything that can be lost, derived or asked of the
    context in that step. Between 2.1.1 and 2.3.0, describe both steps.
    """
    from ocpkit.ocpi.conversion._api import describe as run

    return run(name, source, target)
