"""The description layer of the Sphinx extension: model classes turned into rows and change lists.

Theory of operation: every function here reads ocpkit's pydantic models (and the
OCPP action registry) and returns plain values -- :class:`FieldRow` tuples, enum
member pairs, change lists between versions -- that a renderer lays out. Nothing
here imports Sphinx or docutils, so the layer serves any documentation tool, and
the directives in :mod:`ocpkit.sphinxext` are a thin rendering of its output.
"""

from __future__ import annotations

import enum
import functools
import importlib
import itertools
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ocpkit.errors import UnsupportedError

__all__ = [
    "FieldRow",
    "TypeRef",
    "describe_enum",
    "describe_model",
    "diff_models",
    "display_name",
    "label",
    "ocpi_changes",
    "ocpi_conversion",
    "ocpi_enums",
    "ocpi_models",
    "ocpi_module_objects",
    "ocpi_module_of",
    "ocpi_objects",
    "ocpp_action_changes",
    "ocpp_action_versions",
    "ocpp_enums",
    "ocpp_models",
    "referenced_types",
    "sender_text",
]


#: JSON Schema keywords shown in the constraints column, in display order.
_CONSTRAINT_KEYS = (
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "const",
)
# annotated-types / pydantic metadata attribute -> JSON Schema keyword.
_METADATA_KEYS = {
    "min_length": "minLength",
    "max_length": "maxLength",
    "pattern": "pattern",
    "ge": "minimum",
    "gt": "exclusiveMinimum",
    "le": "maximum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
}
_SCALAR_NAMES: Mapping[type, str] = {
    str: "str",
    int: "int",
    float: "float",
    bool: "bool",
    Decimal: "Decimal",
    datetime: "datetime",
    date: "date",
    time: "time",
    bytes: "bytes",
    dict: "dict",
}


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A link target inside a rendered type: a nested model or an enum class."""

    cls: type
    kind: str  # "model" or "enum"

    @property
    def name(self) -> str:
        """The name shown in the table (the protocol's own name, see :func:`display_name`)."""
        return display_name(self.cls)


def display_name(cls: type) -> str:
    """The protocol's name of a model or enum: ``__ocpi_name__`` when the class has one (``CDR`` for
    ``Cdr``), else the class name."""
    name = getattr(cls, "__ocpi_name__", None)
    return name if isinstance(name, str) else cls.__name__


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One field of a model as shown in a reference table."""

    wire_name: str
    attribute: str
    type_parts: tuple[str | TypeRef, ...]
    required: bool
    constraints: tuple[str, ...]

    @property
    def type_text(self) -> str:
        """The type as plain text (links replaced by class names)."""
        return "".join(p if isinstance(p, str) else p.name for p in self.type_parts)

    def signature(self) -> tuple[str, bool, tuple[str, ...]]:
        """What two versions of a field are compared on."""
        return (self.type_text, self.required, self.constraints)


def _is_model(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_enum(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _render_type(tp: Any, constraints: dict[str, str], prefix: str = "") -> list[str | TypeRef]:
    """Render an annotation as text parts; collect constraints found in ``Annotated`` metadata."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner, *meta = typing.get_args(tp)
        _collect_metadata(meta, constraints, prefix, array=_is_array(inner))
        return _render_type(inner, constraints, prefix)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        parts: list[str | TypeRef] = []
        for i, member in enumerate(members):
            if i:
                parts.append(" | ")
            parts.extend(_render_type(member, constraints, prefix))
        return parts
    if origin is typing.Literal:
        return ["Literal[" + ", ".join(repr(a) for a in typing.get_args(tp)) + "]"]
    if origin in (list, tuple, set, frozenset) or (
        isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str
    ):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        name = origin.__name__ if isinstance(origin, type) else "list"
        inner_parts: list[str | TypeRef] = []
        for i, arg in enumerate(args):
            if i:
                inner_parts.append(", ")
            inner_parts.extend(_render_type(arg, constraints, prefix + "items "))
        return [f"{name}[", *inner_parts, "]"] if args else [name]
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping | dict):
        key_value = typing.get_args(tp)
        return ["dict[" + ", ".join(_plain(a) for a in key_value) + "]"] if key_value else ["dict"]
    if tp is Any:
        return ["Any"]
    if tp is type(None):
        return ["None"]
    if _is_enum(tp):
        return [TypeRef(tp, "enum")]
    if _is_model(tp):
        return [TypeRef(tp, "model")]
    if isinstance(tp, type):
        for base, name in _SCALAR_NAMES.items():
            if tp is base:
                return [name]
        for base, name in _SCALAR_NAMES.items():
            if issubclass(tp, base):
                return [name]
        return [tp.__name__]
    # Type aliases (pydantic's JsonValue ...) and other typing objects: their own name.
    return [str(getattr(tp, "__name__", tp)).replace("typing.", "")]


def _plain(tp: Any) -> str:
    return "".join(p if isinstance(p, str) else p.name for p in _render_type(tp, {}))


def _is_array(tp: Any) -> bool:
    """True when *tp* (under ``Annotated`` and ``| None``) is a list-like type."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _is_array(typing.get_args(tp)[0])
    if origin is typing.Union or origin is types.UnionType:
        return any(_is_array(a) for a in typing.get_args(tp) if a is not type(None))
    return origin in (list, tuple, set, frozenset)


def _collect_metadata(
    meta: Iterable[object], constraints: dict[str, str], prefix: str, *, array: bool
) -> None:
    """Read constraints from annotated-types / pydantic metadata objects of any kind.

    A length bound on an array is ``minItems``/``maxItems`` in JSON Schema terms.
    """
    for item in meta:
        schema = getattr(item, "json_schema", None)  # pydantic WithJsonSchema
        if isinstance(schema, Mapping):
            _collect_schema(schema, constraints, prefix)
        for attr, key in _METADATA_KEYS.items():
            value = getattr(item, attr, None)
            if value is not None and not callable(value):
                if array and key in ("minLength", "maxLength"):
                    key = key.replace("Length", "Items")
                constraints.setdefault(prefix + key, _format_value(value))
        nested = getattr(item, "metadata", None)  # annotated_types.GroupedMetadata, FieldInfo
        if isinstance(nested, Iterable) and not isinstance(nested, str | bytes | Mapping):
            _collect_metadata(nested, constraints, prefix, array=array)


def _collect_schema(schema: Mapping[str, Any], constraints: dict[str, str], prefix: str) -> None:
    for key in _CONSTRAINT_KEYS:
        if key in schema:
            constraints.setdefault(prefix + key, _format_value(schema[key]))


def _has_custom_metadata(tp: Any, meta: Iterable[object] = ()) -> bool:
    """True when a type carries metadata objects of its own kind (not pydantic's or annotated-types')."""
    for item in meta:
        module = type(item).__module__
        if not module.startswith(("pydantic", "annotated_types")) and hasattr(
            item, "__get_pydantic_core_schema__"
        ):
            return True
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner, *inner_meta = typing.get_args(tp)
        return _has_custom_metadata(inner, inner_meta)
    return any(_has_custom_metadata(arg) for arg in typing.get_args(tp))


def _schema_constraints(field: Any, constraints: dict[str, str]) -> None:
    """Add the constraints a field's own JSON Schema states (for metadata types that only say it there)."""
    from pydantic import TypeAdapter

    try:
        annotated: Any = (
            typing.Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
        )
        schema = TypeAdapter(annotated).json_schema()
    except Exception:  # a type without a JSON Schema simply shows no extra constraint
        return
    branches = [b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"]
    if len(branches) != 1:
        return
    branch = branches[0]
    _collect_schema(branch, constraints, "")
    if branch.get("x-ocpi-case-insensitive"):
        constraints.setdefault("case-insensitive", "yes")
    items = branch.get("items")
    if isinstance(items, Mapping):
        _collect_schema(items, constraints, "items ")
        if items.get("x-ocpi-case-insensitive"):
            constraints.setdefault("items case-insensitive", "yes")


def _field_constraints(field: Any) -> dict[str, str]:
    constraints: dict[str, str] = {}
    _collect_metadata(field.metadata, constraints, "", array=_is_array(field.annotation))
    extra = field.json_schema_extra
    if isinstance(extra, Mapping):
        _collect_schema(extra, constraints, "")
    if _has_custom_metadata(field.annotation, field.metadata):
        _schema_constraints(field, constraints)
    return constraints


def _ordered_constraints(constraints: Mapping[str, str]) -> tuple[str, ...]:
    def order(key: str) -> tuple[int, int, str]:
        base = key.removeprefix("items ")
        rank = _CONSTRAINT_KEYS.index(base) if base in _CONSTRAINT_KEYS else -1
        return (key.count("items "), rank, key)

    return tuple(
        key if constraints[key] == "yes" else f"{key}: {constraints[key]}"
        for key in sorted(constraints, key=order)
    )


def _model_fields(model: type[BaseModel]) -> Mapping[str, Any]:
    fields = model.model_fields
    if any(isinstance(f.annotation, typing.ForwardRef | str) for f in fields.values()):
        # Forward references are resolved only by a rebuild; deferred models need it for docs.
        model.model_rebuild(force=True)
        fields = model.model_fields
    return fields


@functools.cache
def describe_model(model: type[BaseModel]) -> tuple[FieldRow, ...]:
    """Return one :class:`FieldRow` per field of *model*, in declaration order."""
    rows = []
    for attribute, field in _model_fields(model).items():
        constraints = _field_constraints(field)
        parts = _render_type(field.annotation, constraints)
        wire = field.alias if isinstance(field.alias, str) else attribute
        rows.append(
            FieldRow(
                wire_name=wire,
                attribute=attribute,
                type_parts=tuple(_merge_text(parts)),
                required=field.is_required(),
                constraints=_ordered_constraints(constraints),
            )
        )
    return tuple(rows)


def _merge_text(parts: Iterable[str | TypeRef]) -> Iterator[str | TypeRef]:
    buffer = ""
    for part in parts:
        if isinstance(part, str):
            buffer += part
        else:
            if buffer:
                yield buffer
                buffer = ""
            yield part
    if buffer:
        yield buffer


def describe_enum(enum_cls: type[enum.Enum]) -> tuple[tuple[str, str], ...]:
    """Return ``(wire value, Python member name)`` pairs of an enum, in definition order."""
    return tuple((_format_value(m.value), m.name) for m in enum_cls)


def referenced_types(
    roots: Iterable[type[BaseModel]],
) -> tuple[tuple[type[BaseModel], ...], tuple[type[enum.Enum], ...]]:
    """Return the models and enums reachable from *roots* (roots excluded), in first-seen order."""
    seen_models: dict[type[BaseModel], None] = {}
    seen_enums: dict[type[enum.Enum], None] = {}
    start = list(roots)
    queue = list(start)
    while queue:
        model = queue.pop(0)
        for row in describe_model(model):
            for part in row.type_parts:
                if not isinstance(part, TypeRef):
                    continue
                if part.kind == "enum":
                    seen_enums.setdefault(part.cls, None)
                elif part.cls not in seen_models and part.cls not in start:
                    seen_models[part.cls] = None
                    queue.append(part.cls)
    return tuple(seen_models), tuple(seen_enums)


def diff_models(old: type[BaseModel], new: type[BaseModel], *, nested: bool = True) -> list[str]:
    """List, in words, how *new* differs from *old*: fields, and (if *nested*) nested types and enums.

    Fields are matched by wire name; nested types and enums by class name.
    """
    changes = _diff_rows(describe_model(old), describe_model(new), "")
    if not nested:
        return changes
    old_models, old_enums = referenced_types([old])
    new_models, new_enums = referenced_types([new])
    old_by_name = {display_name(m): m for m in old_models}
    for model in new_models:
        previous = old_by_name.get(display_name(model))
        if previous is not None:
            changes.extend(
                _diff_rows(describe_model(previous), describe_model(model), display_name(model) + ".")
            )
    old_enum_by_name = {display_name(e): e for e in old_enums}
    for enum_cls in new_enums:
        name = display_name(enum_cls)
        prev_enum = old_enum_by_name.get(name)
        if prev_enum is None:
            continue
        before = {v for v, _ in describe_enum(prev_enum)}
        after = {v for v, _ in describe_enum(enum_cls)}
        if after - before:
            changes.append(f"{name}: values added: {', '.join(sorted(after - before))}")
        if before - after:
            changes.append(f"{name}: values removed: {', '.join(sorted(before - after))}")
    return changes


def _diff_rows(old: Sequence[FieldRow], new: Sequence[FieldRow], where: str) -> list[str]:
    before = {r.wire_name: r for r in old}
    after = {r.wire_name: r for r in new}
    changes = []
    for name, row in after.items():
        if name not in before:
            need = "required" if row.required else "optional"
            changes.append(f"{where}{name}: added ({need}, {row.type_text})")
            continue
        prev = before[name]
        if prev.type_text != row.type_text:
            changes.append(f"{where}{name}: type {prev.type_text} -> {row.type_text}")
        if prev.required != row.required:
            changes.append(f"{where}{name}: now {'required' if row.required else 'optional'}")
        if prev.constraints != row.constraints:
            old_c = ", ".join(prev.constraints) or "none"
            new_c = ", ".join(row.constraints) or "none"
            changes.append(f"{where}{name}: constraints {old_c} -> {new_c}")
    changes.extend(f"{where}{name}: removed" for name in before if name not in after)
    return changes


# ---------------------------------------------------------------------------
# Registries: OCPP actions and OCPI objects
# ---------------------------------------------------------------------------


def label(protocol: str, version: str, name: str) -> str:
    """The cross-reference label of a rendered table, e.g. ``ocpp-2.0.1-bootnotificationrequest``."""
    return f"{protocol}-{version}-{name}".lower()


def _ocpp() -> Any:
    return importlib.import_module("ocpkit.ocpp")


def _ocpp_actions(version: str) -> Mapping[str, Any]:
    actions: Mapping[str, Any] = _ocpp().actions(version)
    return actions


def ocpp_action_versions(action: str) -> list[str]:
    """OCPP versions (of those whose models are available) in which *action* exists."""
    found = []
    for version in _ocpp().VERSIONS:
        try:
            if action in _ocpp_actions(version):
                found.append(version)
        except ImportError:
            continue
    return found


def ocpp_action_changes(action: str) -> list[tuple[str, str, list[str]]]:
    """``(from_version, to_version, changes)`` between consecutive versions that have *action*."""
    versions = ocpp_action_versions(action)
    result = []
    for old_v, new_v in itertools.pairwise(versions):
        old, new = _ocpp_actions(old_v)[action], _ocpp_actions(new_v)[action]
        changes = [f"request {c}" for c in diff_models(old.request, new.request)]
        if old.response is not None and new.response is not None:
            changes += [f"response {c}" for c in diff_models(old.response, new.response)]
        elif (old.response is None) != (new.response is None):
            changes.append("response: " + ("none (SEND)" if new.response is None else "added"))
        if old.sender != new.sender:
            changes.append(f"sender: {old.sender} -> {new.sender}")
        result.append((old_v, new_v, changes))
    return result


@functools.cache
def ocpp_models(version: str) -> Mapping[str, type[BaseModel]]:
    """Every data type reachable from the version's messages (messages excluded), by class name."""
    roots = [m for spec in _ocpp_actions(version).values() for m in (spec.request, spec.response) if m]
    found, _ = referenced_types(roots)
    return dict(sorted((display_name(m), m) for m in found))


@functools.cache
def ocpp_enums(version: str) -> Mapping[str, type[enum.Enum]]:
    """Every enum reachable from the version's messages, by class name."""
    roots = [m for spec in _ocpp_actions(version).values() for m in (spec.request, spec.response) if m]
    _, found = referenced_types(roots)
    return dict(sorted((display_name(e), e) for e in found))


def sender_text(sender: object, version: str) -> str:
    """Who sends the request and who answers, in the version's own role names."""
    station, central = (
        ("Charge Point", "Central System") if version.startswith("1.") else ("Charging Station", "CSMS")
    )
    value = str(getattr(sender, "value", sender))
    if value == "ChargingStation":
        return f"{station} → {central}"
    if value == "CSMS":
        return f"{central} → {station}"
    return f"either side ({station} ↔ {central})"


_OCPI_PACKAGES: Mapping[str, str] = {"2.1.1": "v211", "2.2.1": "v221", "2.3.0": "v230"}


def _ocpi_package(version: str) -> types.ModuleType:
    package = _OCPI_PACKAGES.get(version)
    if package is None:
        raise UnsupportedError(
            f"unknown OCPI version {version!r}; expected one of {', '.join(_OCPI_PACKAGES)}"
        )
    return importlib.import_module(f"ocpkit.ocpi.{package}")


@functools.cache
def ocpi_objects(version: str) -> Mapping[str, type[BaseModel]]:
    """The top-level objects of an OCPI version (Location, Session, Tariff, ...), by name.

    Taken from the version package's ``OBJECTS`` registry when it has one;
    otherwise every exported model that no other exported model refers to.
    """
    package = _ocpi_package(version)
    registry = getattr(package, "OBJECTS", None)
    if isinstance(registry, Mapping):
        return dict(registry)
    exported = {
        name: obj for name in getattr(package, "__all__", ()) if _is_model(obj := getattr(package, name))
    }
    nested, _ = referenced_types(exported.values())
    return {name: cls for name, cls in sorted(exported.items()) if cls not in nested}


@functools.cache
def ocpi_models(version: str) -> Mapping[str, type[BaseModel]]:
    """Every class reachable from the version's objects (objects excluded), by name."""
    objects = ocpi_objects(version)
    found, _ = referenced_types(objects.values())
    listed = set(objects.values())
    return dict(sorted((display_name(m), m) for m in found if m not in listed))


@functools.cache
def ocpi_enums(version: str) -> Mapping[str, type[enum.Enum]]:
    """Every enum reachable from the version's objects, by name."""
    _, found = referenced_types(ocpi_objects(version).values())
    return dict(sorted((display_name(e), e) for e in found))


def ocpi_module_of(cls: type) -> str:
    """The OCPI module an object belongs to (``tariffs``, ``locations`` ...).

    Read from the class's ``__ocpi_module__``; else the last part of its Python module.
    """
    module = getattr(cls, "__ocpi_module__", None)
    return module if isinstance(module, str) else cls.__module__.rsplit(".", 1)[-1].lstrip("_")


def ocpi_module_objects(version: str) -> Mapping[str, tuple[str, ...]]:
    """Module -> the names of its top-level objects, from the version package's ``MODULES`` (or empty)."""
    registry = getattr(_ocpi_package(version), "MODULES", None)
    return {str(k): tuple(v) for k, v in registry.items()} if isinstance(registry, Mapping) else {}


def ocpi_changes(name: str) -> list[tuple[str, str, list[str]]]:
    """``(from_version, to_version, changes)`` of an OCPI object between consecutive versions."""
    present = []
    for version in _OCPI_PACKAGES:
        try:
            cls = ocpi_objects(version).get(name)
        except ImportError:
            continue
        if cls is not None:
            present.append((version, cls))
    return [(a_v, b_v, diff_models(a, b)) for (a_v, a), (b_v, b) in itertools.pairwise(present)]


def ocpi_conversion(name: str | None = None) -> list[tuple[str, str, dict[str, list[Any]]]]:
    """``(from_version, to_version, {object: changes})`` of converting, per step between adjacent versions.

    The changes are :class:`ocpkit.ocpi.conversion.Change` rows (renames, losses,
    derivations, context, enum values and limits), for *name* only or for
    every object and class both versions have; both directions.
    """
    conversion = importlib.import_module("ocpkit.ocpi.conversion")
    versions = conversion.VERSIONS
    out = []
    for a, b in [*itertools.pairwise(versions), *((b, a) for a, b in itertools.pairwise(versions))]:
        both = sorted(set(ocpi_objects(a)) & set(ocpi_objects(b)))
        names = [n for n in both if name is None or n == name]
        if names:
            out.append((a, b, {n: conversion.describe(n, a, b) for n in names}))
    return out
