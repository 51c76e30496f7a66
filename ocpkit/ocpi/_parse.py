"""Validation entry points for OCPI objects: bytes/str/dict in, model or ObjectInvalid out.

Theory of operation: input is decoded once (JSON numbers with a fraction or an
exponent become :class:`Decimal`, never float; ``NaN``/``Infinity`` and
invalid UTF-8 are refused), validated by the version's model with pydantic,
and every pydantic error becomes a :class:`~ocpkit.errors.Violation` with a
JSON pointer. Unknown properties are found by walking the input alongside the
model's fields, so they are reported together with all other errors (pydantic
would only report them once everything else is valid).

Strict mode (default) refuses unknown properties and DateTime offsets; lenient
mode keeps them and returns them as warnings. OpenEnum values the spec does not
list are accepted in both modes and returned as warnings.
"""

from __future__ import annotations

import functools
import importlib
import json
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ocpkit.errors import ObjectInvalid, UnsupportedError, Violation
from ocpkit.ocpi._types import UnknownEnumValue, format_datetime, is_strict_datetime_text
from ocpkit.ocpi._violations import violations_of

__all__ = [
    "Page",
    "Parsed",
    "decode_json",
    "model_class",
    "parse",
    "parse_page",
    "parse_response",
    "parse_with_warnings",
    "to_json",
    "to_jsonable",
    "unknown_enum_values",
    "version_package",
    "violations_of",
]

_PACKAGES = {"2.1.1": "v211", "2.2.1": "v221", "2.3.0": "v230"}


def version_package(version: str) -> types.ModuleType:
    """Import and return the model package of an OCPI version (``"2.2.1"`` -> ``ocpkit.ocpi.v221``)."""
    pkg = _PACKAGES.get(version) if isinstance(version, str) else None
    if pkg is None:
        raise UnsupportedError(f"unknown OCPI version {version!r}; known: {', '.join(_PACKAGES)}")
    return importlib.import_module(f"ocpkit.ocpi.{pkg}")


def model_class(version: str, name: str, *, partial: bool = False) -> type[BaseModel]:
    """Return the model for a spec name (``"CDR"``) or class name (``"Cdr"``) in *version*."""
    module = version_package(version)
    table = module.PARTIALS if partial else module.OBJECTS
    if not isinstance(name, str):
        raise UnsupportedError(f"object name must be a string, not {type(name).__name__}")
    cls = table.get(name)
    if cls is None:
        by_class = {c.__name__.removesuffix("Partial"): c for c in table.values()}
        cls = by_class.get(name.removesuffix("Partial"))
    if cls is None:
        from ocpkit.errors import did_you_mean

        what = "PATCH partial" if partial else "object"
        hint = did_you_mean(name, [*table, *(c.__name__ for c in table.values())])
        raise UnsupportedError(f"OCPI {version} has no {what} named {name!r}{hint}")
    return typing.cast(type[BaseModel], cls)


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
        raise ObjectInvalid(f"not JSON: {message}", [Violation("", "json", message)]) from None


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


def _unknown_properties(cls: type[BaseModel], data: Any, path: str, out: list[str]) -> None:
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
                    _unknown_properties(target, item, f"{here}/{i}", out)
            elif not is_list:
                _unknown_properties(target, value, here, out)


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


def _lenient_findings(model: BaseModel) -> list[Violation]:
    out: list[Violation] = []
    for path, value in _walk(model, ""):
        if isinstance(value, datetime):
            text = getattr(value, "rfc3339_text", None)
            if text is not None and not is_strict_datetime_text(text):
                out.append(Violation(path, "format", f"DateTime {text!r} is not UTC ('Z') or is too long"))
    return out


@dataclass(frozen=True, slots=True)
class Parsed:
    """A validated object and the findings that did not stop it (lenient fixes, unknown OpenEnum values)."""

    model: Any
    warnings: tuple[Violation, ...]


def _validate(
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
            [Violation("", "type", "must be an array")],
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
        violations.append(Violation("", "maxDepth", "nesting too deep"))
    if lenient or violations:
        docs = [(f"/{i}", item) for i, item in enumerate(data)] if many else [("", data)]
        for prefix, item in docs:
            _unknown_properties(cls, item, prefix, unknown)
        violations = [v for v in violations if v.keyword != "additionalProperties"]
    unknown_v = [Violation(p, "additionalProperties", "unknown property") for p in unknown]
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
        if version == "2.3.0":
            # Only 2.3.0 has OpenEnums.
            warnings += [
                Violation(prefix + p, "x-open-enum", f"{v!r} is not a known {v.enum_name} value")
                for p, v in unknown_enum_values(m)
            ]
        if lenient:
            warnings += [Violation(prefix + w.path, w.keyword, w.message) for w in _lenient_findings(m)]
    return Parsed(model, tuple(warnings))


def parse_with_warnings(
    version: str,
    name: str,
    data: bytes | bytearray | str | dict[str, Any] | list[Any],
    *,
    partial: bool = False,
    lenient: bool = False,
    many: bool = False,
) -> Parsed:
    """Validate *data* as OCPI *version* object *name*; return the model and the warnings.

    ``partial=True`` validates a PATCH body; ``many=True`` a JSON array of
    objects (the result's ``model`` is then a list). Raises
    :class:`~ocpkit.errors.ObjectInvalid` with every violation, or
    :class:`~ocpkit.errors.UnsupportedError` for an unknown version or name.
    """
    cls = model_class(version, name, partial=partial)
    return _validate(cls, data, lenient=lenient, version=version, name=name, many=many)


def parse(
    version: str,
    name: str,
    data: bytes | bytearray | str | dict[str, Any] | list[Any],
    *,
    partial: bool = False,
    lenient: bool = False,
) -> Any:
    """Validate *data* as OCPI *version* object *name*; return the model (see :func:`parse_with_warnings`)."""
    return parse_with_warnings(version, name, data, partial=partial, lenient=lenient).model


def parse_response(
    version: str,
    name: str | None,
    data: bytes | bytearray | str | dict[str, Any],
    *,
    many: bool = False,
    partial: bool = False,
    lenient: bool = False,
) -> Any:
    """Validate a response envelope whose ``data`` is *name* (a list of them when *many*; none when None)."""
    from ocpkit.ocpi.envelope import Response, status_class

    inner: Any = Any if name is None else model_class(version, name, partial=partial)
    cls = Response[list[inner]] if many else Response[inner]
    result = _validate(cls, data, lenient=lenient, version=version, name=f"Response[{name}]")
    code = result.model.status_code
    if status_class(code, version) is None:
        raise ObjectInvalid(
            f"status_code {code} is not an OCPI {version} status code",
            [Violation("/status_code", "enum", f"{code} is outside the status code classes of {version}")],
            version=version,
            name=f"Response[{name}]",
        )
    return result.model


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paginated GET-list: the validated envelope, its objects and the paging headers."""

    response: Any
    items: list[Any]
    pagination: Any


def parse_page(
    version: str,
    name: str,
    body: bytes | bytearray | str | dict[str, Any],
    headers: Mapping[str, str],
    *,
    lenient: bool = False,
) -> Page:
    """Validate one page of a paginated list response (OCPI transport_and_format: pagination).

    *headers* are the HTTP response headers (any case); ``Link``, ``X-Total-Count``
    and ``X-Limit`` are read from them.
    """
    from ocpkit.ocpi.envelope import pagination

    response = parse_response(version, name, body, many=True, lenient=lenient)
    return Page(response, list(response.data or []), pagination(headers))


def to_jsonable(value: Any) -> Any:
    """The JSON value of a model (or list of models) as Python objects; numbers stay Decimal/int.

    Only fields that were set are written, so ``to_jsonable(parse(v, n, x))``
    equals the decoded *x* (JSON numbers compared by value).
    """
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="python", by_alias=True, exclude_unset=True)
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, BaseModel):
        return to_jsonable(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        out.append(str(value) if value.is_finite() else "null")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, dict):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(k), ensure_ascii=False))
            out.append(":")
            _write(v, out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _write(v, out)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(value: Any) -> str:
    """Compact JSON text of a model; decimals are written exactly (no float on the way)."""
    out: list[str] = []
    _write(to_jsonable(value), out)
    return "".join(out)
