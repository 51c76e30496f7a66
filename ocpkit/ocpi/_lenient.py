"""Lenient OCPI parsing: every violation strict mode would raise, and the best model the input allows.

Theory of operation: lenient parsing first runs the strict parser. A valid
document costs nothing more. An invalid one keeps the strict verdict as its
list of violations (so both modes report the same thing) and is then built
as far as it goes, in three steps, each change named in ``repairs``:

1. validate with the lenient rules of :mod:`ocpkit.ocpi._types` (unknown
   properties kept in ``model_extra``, DateTime offsets kept);
2. where that still fails, repair what senders commonly get wrong at the
   paths the violations name: a number sent as text (``"price": "0.30"``)
   is read as the number, ``"true"``/``"false"`` as booleans, a number where
   text is wanted as its text; the input is never modified (containers on a
   repaired path are copied, the rest is shared);
3. build the object field by field (:func:`ocpkit._model.construct_leniently`),
   keeping as sent what still cannot be typed (an unknown TariffType, a
   string too long) and leaving missing fields absent.

OCPI 2.3.0 OpenEnum values the spec does not list break no rule: they are
``warnings``, in both modes.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from ocpkit._model import construct_leniently
from ocpkit.errors import ObjectInvalid, Violation
from ocpkit.findings import LenientResult
from ocpkit.ocpi._validate import (
    decode_json,
    lenient_findings,
    open_enum_warnings,
    unknown_properties,
    validate,
)

__all__ = ["lenient_parse"]

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
_CONTEXT = {"ocpi_lenient": True}


def lenient_parse(cls: Any, data: Any, *, version: str, name: str, many: bool = False) -> LenientResult:
    """Parse leniently (see the module docstring); never raises for the content of *data*."""
    if isinstance(data, bytes | bytearray | str):
        try:
            data = decode_json(data)
        except ObjectInvalid as exc:
            return LenientResult(None, exc.violations)
    try:
        strict = validate(cls, data, lenient=False, version=version, name=name, many=many)
        return LenientResult(strict.model, (), warnings=strict.warnings)
    except ObjectInvalid as exc:
        violations = exc.violations
    if many and not isinstance(data, list):
        return LenientResult(None, violations)
    docs = [(f"/{i}", item) for i, item in enumerate(data)] if many else [("", data)]
    models: list[Any] = []
    repairs: list[str] = []
    warnings: list[Violation] = []
    for prefix, doc in docs:
        mine = [v for v in violations if v.path == prefix or v.path.startswith(prefix + "/")]
        try:
            # An item without violations of its own (in a list) is valid as it stands.
            model = _best_model(cls, doc, prefix, mine, repairs) if mine else cls.model_validate(doc)
        except RecursionError:
            model = None
        models.append(model)
        if isinstance(model, BaseModel):
            warnings += open_enum_warnings(model, prefix, version)
    return LenientResult(models if many else models[0], violations, tuple(repairs), warnings=tuple(warnings))


def _best_model(cls: Any, doc: Any, prefix: str, violations: list[Violation], repairs: list[str]) -> Any:
    if not isinstance(doc, dict):
        return None
    unknown: list[str] = []
    unknown_properties(cls, doc, prefix, unknown)
    repairs += [f"{p}: unknown property kept" for p in unknown]
    try:
        model = cls.model_validate(doc, context=_CONTEXT)
    except ValidationError:
        work = doc
        for v in violations:
            if v.keyword == "type":
                work = _repair(work, v.path[len(prefix) :], v.path, repairs)
        notes: list[str] = []
        model = construct_leniently(cls, work, prefix, notes, _CONTEXT)
        repairs += notes
    repairs += [f"{prefix}{f.path}: DateTime kept as sent" for f in lenient_findings(model)]
    return model


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]] if pointer else []


def _repair(doc: Any, pointer: str, where: str, repairs: list[str]) -> Any:
    """*doc* with the value at *pointer* converted to the type wanted, when that is clear; copies the path."""
    parts = _parts(pointer)
    if not parts:
        return doc
    head, rest = parts[0], "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts[1:])
    if isinstance(doc, dict) and head in doc:
        key: Any = head
    elif isinstance(doc, list) and head.isdigit() and int(head) < len(doc):
        key = int(head)
    else:
        return doc
    value = _repair(doc[key], "/" + rest, where, repairs) if rest else _converted(doc[key], where, repairs)
    if value is doc[key]:
        return doc
    copy: Any = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[key] = value
    return copy


def _converted(value: Any, where: str, repairs: list[str]) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.fullmatch(text):
            repairs.append(f"{where}: str {value!r} read as the number {text}")
            return Decimal(text)
        if text.lower() in ("true", "false"):
            repairs.append(f"{where}: str {value!r} read as {text.lower()}")
            return text.lower() == "true"
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        repairs.append(f"{where}: number {value} read as the text {str(value)!r}")
        return str(value)
    return value
