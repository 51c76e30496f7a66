"""Entry points for OCPI objects: bytes/str/dict in, model, LenientResult or ObjectInvalid out.

Theory of operation: a name is resolved to its model class
(:func:`model_class`, with close matches for a name that does not exist);
the strict verdict comes from :mod:`ocpkit.ocpi._validate`, which lists every
violation with its JSON pointer and OCPI status code. Strict mode (default)
refuses unknown properties and DateTime offsets and raises
:class:`~ocpkit.errors.ObjectInvalid`. Lenient mode (``lenient=True``) never
raises on content: it returns a :class:`~ocpkit.findings.LenientResult` (the
type OCPP lenient validation returns) with the same violations and the best
model the input allows (:mod:`ocpkit.ocpi._lenient`). OpenEnum values the
spec does not list are accepted in both modes, as warnings of a lenient
result. :func:`to_json` writes a model back with its decimals exact.
"""

from __future__ import annotations

import importlib
import json
import types
import typing
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, overload

from pydantic import BaseModel

from ocpkit.errors import ObjectInvalid, UnsupportedError, Violation
from ocpkit.findings import LenientResult
from ocpkit.ocpi._types import format_datetime
from ocpkit.ocpi._validate import (
    Parsed,
    decode_json,
    open_enum_warnings,
    unknown_enum_values,
    validate,
)
from ocpkit.ocpi._violations import violation, violations_of

__all__ = [
    "Page",
    "Parsed",
    "decode_json",
    "model_class",
    "open_enum_warnings",
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


Data = bytes | bytearray | str | dict[str, Any] | list[Any]


@overload
def parse(
    version: str,
    name: str,
    data: Data,
    *,
    partial: bool = ...,
    lenient: Literal[False] = ...,
    many: bool = ...,
) -> Any: ...
@overload
def parse(
    version: str, name: str, data: Data, *, partial: bool = ..., lenient: Literal[True], many: bool = ...
) -> LenientResult: ...
def parse(
    version: str,
    name: str,
    data: Data,
    *,
    partial: bool = False,
    lenient: bool = False,
    many: bool = False,
) -> Any:
    """Validate *data* as OCPI *version* object *name* (``"Tariff"``, ``"CDR"``, ``"Cdr"``); return the model.

    ``partial=True`` validates a PATCH body; ``many=True`` a JSON array of
    objects (the model is then a list). By default an invalid document raises
    :class:`~ocpkit.errors.ObjectInvalid` with every violation, each carrying
    the OCPI status code of its rule (:data:`~ocpkit.ocpi.STATUS_OF_RULE`).
    With ``lenient=True`` (the keyword :func:`ocpkit.ocpp.validate_payload`
    takes too) nothing is raised for the content: a
    :class:`~ocpkit.findings.LenientResult` holds the violations strict mode
    would raise, the best model the document allows and the repairs made to
    build it (see :mod:`ocpkit.ocpi._lenient`). An unknown version or name
    raises :class:`~ocpkit.errors.UnsupportedError` in both modes.

    The spec rules of :mod:`ocpkit.ocpi.rules` (IANA zones, ISO codes, ranges,
    orderings) are part of the verdict: strict mode refuses the object when an
    ``error`` rule is broken (keyword ``"spec.<rule id>"``, status 2001); a
    lenient result lists those among ``violations`` and the ``warning`` rules
    (the eMI3 form of an EVSE id) among ``warnings``.
    """
    from ocpkit.ocpi.rules import rule_violations

    cls = model_class(version, name, partial=partial)
    if lenient:
        from ocpkit.ocpi._lenient import lenient_parse

        result = lenient_parse(cls, data, version=version, name=name, many=many)
        if result.model is None:
            return result
        # The spec rules (ocpkit.ocpi.rules): errors join the violations, warnings the warnings.
        errors, notes = rule_violations(version, name, result.model)
        if not errors and not notes:
            return result
        return replace(result, violations=(*result.violations, *errors), warnings=(*result.warnings, *notes))
    model = validate(cls, data, lenient=False, version=version, name=name, many=many).model
    errors, _ = rule_violations(version, name, model)
    if errors:
        raise ObjectInvalid(
            f"OCPI {version} {name} breaks {len(errors)} spec rule(s): {errors[0].path} {errors[0].message}",
            errors,
            version=version,
            name=name,
        )
    return model


def parse_with_warnings(
    version: str,
    name: str,
    data: Data,
    *,
    partial: bool = False,
    lenient: bool = False,
    many: bool = False,
) -> Parsed:
    """Deprecated: use :func:`parse` (``lenient=True`` returns violations, repairs and warnings).

    Kept for one release; warns with a :class:`DeprecationWarning`. Behaves as
    before: raises :class:`~ocpkit.errors.ObjectInvalid` for invalid input;
    with ``lenient=True`` unknown properties and DateTime offsets are accepted
    and returned as ``warnings``, with unknown OpenEnum values.
    """
    warnings.warn(
        "parse_with_warnings() is deprecated; use ocpi.parse(..., lenient=True), which returns a "
        "LenientResult (.model, .violations, .repairs, .warnings)",
        DeprecationWarning,
        stacklevel=2,
    )
    cls = model_class(version, name, partial=partial)
    return validate(cls, data, lenient=lenient, version=version, name=name, many=many)


def parse_response(
    version: str,
    name: str | None,
    data: bytes | bytearray | str | dict[str, Any],
    *,
    many: bool = False,
    partial: bool = False,
    lenient: bool = False,
) -> Any:
    """Validate a response envelope whose ``data`` is *name* (a list of them when *many*; none when None).

    Returns the envelope model; with ``lenient=True`` a
    :class:`~ocpkit.findings.LenientResult` whose model is the envelope (see :func:`parse`).
    The spec rules apply to the objects in ``data`` as in :func:`parse` (pointers under ``/data``).
    """
    from ocpkit.ocpi.envelope import Response, status_class
    from ocpkit.ocpi.rules import rule_violations

    inner: Any = Any if name is None else model_class(version, name, partial=partial)
    cls = Response[list[inner]] if many else Response[inner]
    label = f"Response[{name}]"
    if lenient:
        from ocpkit.ocpi._lenient import lenient_parse

        result = lenient_parse(cls, data, version=version, name=label)
        code = getattr(result.model, "status_code", None)
        if isinstance(code, int) and status_class(code, version) is None:
            result = replace(result, violations=(*result.violations, _status_violation(code, version)))
        if name is not None and result.model is not None:
            errors, notes = rule_violations(version, name, getattr(result.model, "data", None), "/data")
            if errors or notes:
                result = replace(
                    result, violations=(*result.violations, *errors), warnings=(*result.warnings, *notes)
                )
        return result
    model = validate(cls, data, lenient=False, version=version, name=label).model
    if status_class(model.status_code, version) is None:
        raise ObjectInvalid(
            f"status_code {model.status_code} is not an OCPI {version} status code",
            [_status_violation(model.status_code, version)],
            version=version,
            name=label,
        )
    if name is not None:
        errors, _ = rule_violations(version, name, model.data, "/data")
        if errors:
            raise ObjectInvalid(
                f"OCPI {version} {label} breaks {len(errors)} spec rule(s): {errors[0].path}",
                errors,
                version=version,
                name=label,
            )
    return model


def _status_violation(code: int, version: str) -> Violation:
    return violation("/status_code", "enum", f"{code} is outside the status code classes of {version}")


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
) -> Any:
    """Validate one page of a paginated list response (OCPI transport_and_format: pagination).

    *headers* are the HTTP response headers (any case); ``Link``, ``X-Total-Count``
    and ``X-Limit`` are read from them. Returns a :class:`Page`; with
    ``lenient=True`` a :class:`~ocpkit.findings.LenientResult` whose model is
    the page (``None`` when the body gave no envelope), header faults among its violations.
    """
    from ocpkit.ocpi.envelope import Pagination, pagination

    if not lenient:
        response = parse_response(version, name, body, many=True)
        return Page(response, list(response.data or []), pagination(headers))
    result = parse_response(version, name, body, many=True, lenient=True)
    header_violations: tuple[Violation, ...] = ()
    try:
        paging = pagination(headers)
    except ObjectInvalid as exc:
        paging, header_violations = Pagination(None, None, None), exc.violations
    page = None
    if result.model is not None:
        page = Page(result.model, list(getattr(result.model, "data", None) or []), paging)
    return replace(result, model=page, violations=(*result.violations, *header_violations))


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
