"""Best-effort models for lenient validation (private).

Theory of operation: lenient mode reports every violation of a payload (the
exact checker already listed them) and still hands back a model. It works on
a copy of the payload in three steps:

1. repair what real chargers commonly get wrong, at the paths the violations
   name: a ``date-time`` without offset (or with ``+hhmm`` / a space) is read
   as UTC / normalised; a number or boolean sent as a string is converted; a
   JSON value where a string is wanted (1.6 ``DataTransfer.data`` holding an
   object) is serialised to compact JSON text; a number where a string is
   wanted becomes its text;
2. move properties the schema does not allow aside (they are returned, keyed
   by JSON pointer, so nothing is lost);
3. validate the repaired copy with the model; where the model still refuses a
   value (an unknown enum value, a string too long, a missing property), build
   that object without validation (``model_construct``), converting each field
   that converts and keeping the raw value of each that does not.

Every change is described in the returned ``repairs`` list.
"""

from __future__ import annotations

import copy
import json
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ocpkit.errors import Violation

__all__ = ["best_effort"]

_NAIVE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([Zz]|[+-]\d{2}:?\d{2})?", re.ASCII
)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)


def _parse_pointer(ptr: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]] if ptr else []


def _locate(doc: Any, parts: list[str]) -> tuple[Any, str | int] | None:
    """Return (container, key) of the value at *parts*, or None when absent."""
    if not parts:
        return None
    node = doc
    for p in parts[:-1]:
        node = _step(node, p)
        if node is _MISSING:
            return None
    last = parts[-1]
    if isinstance(node, dict) and last in node:
        return node, last
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        return node, int(last)
    return None


_MISSING = object()


def _step(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return _MISSING


def _repair_date_time(text: str) -> str | None:
    m = _NAIVE.fullmatch(text.strip())
    if m is None:
        return None
    zone = m.group(3) or "Z"
    if len(zone) == 5:  # +hhmm
        zone = zone[:3] + ":" + zone[3:]
    return f"{m.group(1)}T{m.group(2)}{zone.upper() if zone in ('z', 'Z') else zone}"


def _repair_type(value: Any, message: str) -> tuple[bool, Any]:
    wanted = message.rsplit(" is not of type ", 1)[-1].split(" or ")
    wants_string = "string" in wanted
    if isinstance(value, str) and not wants_string:
        text = value.strip()
        if ("integer" in wanted or "number" in wanted) and _NUMBER.fullmatch(text):
            number = json.loads(text)
            if isinstance(number, float) and "number" not in wanted and number.is_integer():
                number = int(number)
            return True, number
        if "boolean" in wanted and text.lower() in ("true", "false"):
            return True, text.lower() == "true"
        return False, value
    if wants_string and isinstance(value, dict | list):
        return True, json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if wants_string and isinstance(value, int | float) and not isinstance(value, bool):
        return True, json.dumps(value)
    return False, value


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    found = _ADAPTERS.get(annotation)
    if found is None:
        found = TypeAdapter(annotation)
        _ADAPTERS[annotation] = found
    return found


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model class inside an annotation, and whether it is a list of them."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if origin in (list, typing.List):  # noqa: UP006 - both spellings occur in annotations
        inner, _ = _model_in(typing.get_args(annotation)[0])
        return inner, inner is not None
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                found, many = _model_in(arg)
                if found is not None:
                    return found, many
    return None, False


def _construct(cls: type[BaseModel], data: dict[str, Any], path: str, notes: list[str]) -> BaseModel:
    try:
        return cls.model_validate(data)
    except ValidationError:
        pass
    values: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        key = field.alias or name
        if key not in data:
            continue
        value = data[key]
        inner, many = _model_in(field.annotation)
        where = f"{path}/{key}"
        if inner is not None and not many and isinstance(value, dict):
            values[name] = _construct(inner, value, where, notes)
            continue
        if inner is not None and many and isinstance(value, list):
            values[name] = [
                _construct(inner, v, f"{where}/{i}", notes) if isinstance(v, dict) else v
                for i, v in enumerate(value)
            ]
            continue
        try:
            values[name] = _adapter(field.annotation).validate_python(value)
        except (ValidationError, TypeError):
            values[name] = value
            notes.append(f"{where}: raw value kept without validation")
    return cls.model_construct(**values)


def best_effort(
    model_cls: type[BaseModel],
    data: dict[str, Any],
    violations: tuple[Violation, ...],
    version: str,
    action: str,
) -> tuple[BaseModel, tuple[str, ...], dict[str, Any]]:
    """Repair a copy of *data*, then build the best model it allows.

    Returns the model, the list of repairs made, and the properties moved
    aside (JSON pointer -> value).
    """
    work = copy.deepcopy(data)
    notes: list[str] = []
    extra: dict[str, Any] = {}
    # Deepest paths first, so removing an extra property never shifts a later one.
    for v in sorted(violations, key=lambda v: v.path.count("/"), reverse=True):
        parts = _parse_pointer(v.path)
        found = _locate(work, parts)
        if found is None:
            continue
        container, key = found
        value = container[key]
        if v.keyword == "additionalProperties" and isinstance(container, dict):
            extra[v.path] = container.pop(key)
            notes.append(f"{v.path}: unknown property kept aside")
        elif v.keyword == "format" and isinstance(value, str) and "date-time" in v.message:
            fixed = _repair_date_time(value)
            if fixed is not None and fixed != value:
                container[key] = fixed
                notes.append(f"{v.path}: date-time {value!r} read as {fixed!r}")
        elif v.keyword == "type":
            ok, fixed = _repair_type(value, v.message)
            if ok:
                container[key] = fixed
                notes.append(f"{v.path}: {type(value).__name__} {value!r:.40} converted to {fixed!r:.40}")
    model = _construct(model_cls, work, "", notes)
    return model, tuple(notes), extra
