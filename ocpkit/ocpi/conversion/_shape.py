"""The shape of an OCPI model field: what the converter needs to know about a field's type.

Theory of operation: the generated models annotate fields with nested
``Annotated`` metadata (``Str(36)``, ``OpenEnumOf(...)``, ``Field(min_length=1)``)
inside unions with ``None``. :func:`field_shape` flattens one field into a
:class:`Shape` -- a nested model, a list of something, an enum (open or closed)
or a scalar with its limits -- so that the converter can tell which table to use
for a nested object, which enum a value belongs to and whether a field may be
left out, without reading annotations anywhere else.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ocpkit.ocpi._types import CiStr, DateTimeRule, Int, Number, OpenEnumOf, Str, Url

__all__ = ["Shape", "field_shape", "fields_by_wire", "shape_at"]


@dataclass(frozen=True, slots=True)
class Shape:
    """What a field holds; ``kind``: model, list, enum, str, int, number, datetime, url, bool or any."""

    kind: str
    model: type[BaseModel] | None = None
    item: Shape | None = None
    enum: type[enum.Enum] | None = None
    open_enum: bool = False
    min_items: int = 0
    max_length: int | None = None
    pattern: str | None = None
    case_insensitive: bool = False
    ge: int | None = None
    le: int | None = None
    optional: bool = False


def _flatten(meta: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for m in meta:
        if isinstance(m, FieldInfo):
            out.extend(_flatten(m.metadata))
        else:
            out.append(m)
    return out


def _shape(annotation: Any, meta: list[Any], optional: bool) -> Shape:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = get_args(annotation)
        return _shape(base, [*meta, *_flatten(extra)], optional)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = optional or len(args) < len(get_args(annotation))
        open_enum = next((m for m in meta if isinstance(m, OpenEnumOf)), None)
        if open_enum is not None:
            return Shape("enum", enum=open_enum.enum_cls, open_enum=True, optional=optional)
        if len(args) == 1:
            return _shape(args[0], meta, optional)
        # Annotated[X | str, OpenEnumOf(X)] | None: the open enum sits one level down.
        for arg in args:
            if get_origin(arg) is typing.Annotated:
                return _shape(arg, meta, optional)
        return Shape("any", optional=optional)
    min_items = next((m.min_length for m in meta if isinstance(m, annotated_types.MinLen)), 0)
    if origin is list:
        (item,) = get_args(annotation)
        return Shape("list", item=_shape(item, [], False), min_items=min_items, optional=optional)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Shape("model", model=annotation, optional=optional)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return Shape("enum", enum=annotation, optional=optional)
    for m in meta:
        if isinstance(m, Str | CiStr):
            return Shape(
                "str",
                max_length=m.max_length,
                pattern=m.pattern,
                case_insensitive=isinstance(m, CiStr),
                optional=optional,
            )
        if isinstance(m, Url):
            return Shape("url", max_length=255, optional=optional)
        if isinstance(m, DateTimeRule):
            return Shape("datetime", optional=optional)
        if isinstance(m, Int):
            return Shape("int", ge=m.ge, le=m.le, optional=optional)
        if isinstance(m, Number):
            return Shape("number", ge=m.ge, le=m.le, optional=optional)
    if annotation is bool:
        return Shape("bool", optional=optional)
    return Shape("any", optional=optional)


def field_shape(info: FieldInfo) -> Shape:
    """The :class:`Shape` of one model field (``optional`` is true when the field is not required)."""
    shape = _shape(info.annotation, _flatten(info.metadata), False)
    if not info.is_required() and not shape.optional:
        shape = Shape(**{**{f: getattr(shape, f) for f in Shape.__dataclass_fields__}, "optional": True})
    return shape


@functools.cache
def fields_by_wire(cls: type[BaseModel]) -> Mapping[str, Shape]:
    """Wire name -> :class:`Shape` of every field of *cls*, in the model's field order."""
    return types.MappingProxyType(
        {(info.alias or name): field_shape(info) for name, info in cls.model_fields.items()}
    )


def shape_at(cls: type[BaseModel], segments: Iterable[str]) -> Shape | None:
    """The shape of the value at a path below an object of *cls* (list indices as digits), or None."""
    shape: Shape | None = Shape("model", model=cls)
    for seg in segments:
        if shape is None:
            return None
        if shape.kind == "list":
            shape = shape.item if seg.isdigit() else None
        elif shape.kind == "model" and shape.model is not None:
            shape = fields_by_wire(shape.model).get(seg)
        else:
            return None
    return shape
