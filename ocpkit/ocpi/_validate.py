"""Strict validation of OCPI documents: decoding, unknown properties, the model's verdict (private).

Theory of operation: input is decoded once (JSON numbers with a fraction or an
exponent become :class:`Decimal`, never float; ``NaN``/``Infinity`` and
invalid UTF-8 are refused), validated by the version's model with pydantic,
and every pydantic error becomes a :class:`~ocpkit.errors.Violation` with a
JSON pointer and the OCPI status code of its rule. Unknown properties are
found by walking the input alongside the model's fields, so they are reported
together with all other errors (pydantic would only report them once
everything else is valid). The public entry points are in
:mod:`ocpkit.ocpi._parse`; lenient parsing (:mod:`ocpkit.ocpi._lenient`)
starts from this verdict.
"""

from __future__ import annotations

import functools
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ocpkit.errors import ObjectInvalid, Violation
from ocpkit.ocpi._types import UnknownEnumValue, is_strict_datetime_text
from ocpkit.ocpi._violations import violation, violations_of

__all__ = [
    "Parsed",
    "decode_json",
    "lenient_findings",
    "open_enum_warnings",
    "unknown_enum_values",
    "unknown_properties",
    "validate",
]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def decode_json(data: bytes | bytearray | str) -> Any:
    """Decode JSON text, fractions as Decimal; raise ObjectInvalid for anything that is not JSON."""
    try:
        text = bytes(data).decode("utf-8") if isinstance(data, bytes | bytearray) else data
        if text.startswith("\ufeff"):
            text = text[1:]
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError, MemoryError) as exc:
        # UnicodeDecodeError and JSONDecodeError are ValueErrors; deep nesting raises RecursionError.
        message = "nesting too deep" if isinstance(exc, RecursionError) else str(exc)
        raise ObjectInvalid(f"not JSON: {message}", [violation("", "json", message)]) from None


def _model_targets(annotation: Any) -> Iterator[tuple[type[BaseModel], bool]]:
    """Yield (model class, is_list) for the model types an annotation can hold."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        yield from _model_targets(get_args(annotation)[0])
    elif origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            yield from _model_targets(arg)
    elif origin is list:
        for cls, _ in _model_targets(get_args(annotation)[0]):
            yield cls, True
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, False


@functools.cache
def _field_map(cls: type[BaseModel]) -> dict[str, tuple[tuple[type[BaseModel], bool], ...]]:
    """Wire and attribute names of *cls* -> the model types each field can hold."""
    out: dict[str, tuple[tuple[type[BaseModel], bool], ...]] = {}
    for attr, info in cls.model_fields.items():
        targets = tuple(_model_targets(info.annotation))
        out[attr] = targets
        if info.alias:
            out[info.alias] = targets
    return out


def unknown_properties(cls: type[BaseModel], data: Any, path: str, out: list[str]) -> None:
    if not isinstance(data, dict):
        return
    fields = _field_map(cls)
    for key, value in data.items():
        targets = fields.get(key) if isinstance(key, str) else None
        if targets is None:
            out.append(path + "/" + str(key).replace("~", "~0").replace("/", "~1"))
            continue
        if not targets:
            continue
        here = path + "/" + key.replace("~", "~0").replace("/", "~1")
        for target, is_list in targets:
            if is_list and isinstance(value, list):
                for i, item in enumerate(value):
                    unknown_properties(target, item, f"{here}/{i}", out)
            elif not is_list:
                unknown_properties(target, value, here, out)


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, BaseModel):
        # Field order, then unknown properties: reports come out in document order.
        keys = [k for k in type(value).model_fields if k in value.model_fields_set]
        for key in [*keys, *(value.model_extra or {})]:
            yield from _walk(getattr(value, key, None), f"{path}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}/{i}")


def unknown_enum_values(model: BaseModel) -> list[tuple[str, UnknownEnumValue]]:
    """List (JSON pointer, value) of every OpenEnum value in *model* that the spec does not list."""
    return [(p, v) for p, v in _walk(model, "") if isinstance(v, UnknownEnumValue)]


def open_enum_warnings(model: BaseModel, prefix: str, version: str) -> list[Violation]:
    """Warnings (no status code: they break no rule) for the OpenEnum values the spec does not list."""
    if version != "2.3.0":  # only 2.3.0 has OpenEnums
        return []
    return [
        Violation(prefix + p, "x-open-enum", f"{v!r} is not a known {v.enum_name} value")
        for p, v in unknown_enum_values(model)
    ]


def lenient_findings(model: BaseModel) -> list[Violation]:
    out: list[Violation] = []
    for path, value in _walk(model, ""):
        if isinstance(value, datetime):
            text = getattr(value, "rfc3339_text", None)
            if text is not None and not is_strict_datetime_text(text):
                out.append(violation(path, "format", f"DateTime {text!r} is not UTC ('Z') or is too long"))
    return out


@dataclass(frozen=True, slots=True)
class Parsed:
    """Deprecated (the result of :func:`parse_with_warnings`): a validated object and its warnings.

    :func:`parse` with ``lenient=True`` returns a :class:`~ocpkit.findings.LenientResult` instead.
    """

    model: Any
    warnings: tuple[Violation, ...]


def validate(
    cls: Any,
    data: Any,
    *,
    lenient: bool,
    version: str,
    name: str,
    many: bool = False,
) -> Parsed:
    if isinstance(data, bytes | bytearray | str):
        try:
            data = decode_json(data)
        except ObjectInvalid as exc:
            raise ObjectInvalid(str(exc.args[0]), exc.violations, version=version, name=name) from None
    violations: list[Violation] = []
    unknown: list[str] = []
    if many and not isinstance(data, list):
        raise ObjectInvalid(
            f"{name}: expected a JSON array",
            [violation("", "type", "must be an array")],
            version=version,
            name=name,
        )
    model: Any = None
    # Strict: pydantic refuses unknown properties itself (OcpiModel's validator), so a valid document
    # costs no extra walk; only a refused one is walked to report every unknown property with its path.
    context = {"ocpi_lenient": lenient}
    try:
        if many:
            model = []
            for i, item in enumerate(data):
                try:
                    model.append(cls.model_validate(item, context=context))
                except ValidationError as exc:
                    violations += violations_of(exc, f"/{i}")
        else:
            model = cls.model_validate(data, context=context)
    except ValidationError as exc:
        violations += violations_of(exc)
    except RecursionError:
        violations.append(violation("", "maxDepth", "nesting too deep"))
    if lenient or violations:
        docs = [(f"/{i}", item) for i, item in enumerate(data)] if many else [("", data)]
        for prefix, item in docs:
            unknown_properties(cls, item, prefix, unknown)
        violations = [v for v in violations if v.keyword != "additionalProperties"]
    unknown_v = [violation(p, "additionalProperties", "unknown property") for p in unknown]
    if lenient:
        warnings = unknown_v
    else:
        violations = unknown_v + violations
        warnings = []
    if violations:
        raise ObjectInvalid(
            f"OCPI {version} {name} is invalid ({len(violations)} violation(s))",
            violations,
            version=version,
            name=name,
        )
    models = model if many else [model]
    for i, m in enumerate(models):
        prefix = f"/{i}" if many else ""
        warnings += open_enum_warnings(m, prefix, version)
        if lenient:
            warnings += [violation(prefix + w.path, w.keyword, w.message) for w in lenient_findings(m)]
    return Parsed(model, tuple(warnings))
