"""The models match the machine-extracted OCPI inventory, except where the inventory is wrong.

Every difference must be one of the corrections in ``tools/codegen/ocpi_fixes.py``
(each with the spec section that settles it), so this test fails both when a
model drifts from the inventory and when a listed correction no longer applies.
"""

from __future__ import annotations

import json
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
from pydantic import BaseModel

from ocpkit.ocpi import version_package
from tools.codegen import ocpi_fixes as fx


def _inventory(shared: Path, version: str) -> list[dict[str, Any]]:
    names = [version] + (["2.3.0_bookings"] if version == "2.3.0" else [])
    items = []
    for name in names:
        data = json.loads((shared / "specs/ocpi/inventory" / f"{name}.json").read_text("utf-8"))
        for file_items in data.values():
            items += [dict(it, source=name) for it in file_items]
    return items


def _inner(annotation: Any) -> tuple[Any, bool]:
    """(innermost type, is_list)."""
    is_list = False
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None) and a is not str]
            annotation = args[0]
        elif origin is list:
            is_list = True
            annotation = get_args(annotation)[0]
        else:
            return annotation, is_list


@pytest.mark.shared
@pytest.mark.parametrize("version", ["2.1.1", "2.2.1", "2.3.0"])
def test_models_match_inventory(shared: Path, version: str) -> None:
    module = version_package(version)
    keys = {version, f"{version}_bookings"}
    changed = {(o, f): new for v, o, f, new, _ in fx.CHANGE_FIELD if v in keys}
    added = {(o, n[0]) for v, o, _, fields, _ in fx.ADD_FIELDS if v in keys for n in fields}
    added_values = {(e, val) for v, e, values, _ in fx.ADD_ENUM_VALUES if v in keys for val in values}
    differences: set[Any] = set()
    seen_models: set[str] = set()
    open_enums = {it["name"] for it in _inventory(shared, version) if it["kind"] == "openenum"}
    for item in _inventory(shared, version):
        name, kind = item["name"], item["kind"]
        if kind == "type":
            continue
        if kind in ("enum", "openenum"):
            enum_cls = module.ENUMS[name]
            assert issubclass(enum_cls, Enum)
            values = [m.value for m in enum_cls]
            extra = [v for v in values if v not in item["values"]]
            assert values[: len(item["values"])] == item["values"], name
            differences |= {(name, v) for v in extra}
            continue
        cls: type[BaseModel] = module.OBJECTS[name]
        seen_models.add(name)
        fields = cls.model_fields
        for fname, ftype, card in item["fields"]:
            info = fields[fname]
            if (name, fname) in changed:
                ftype, card = changed[(name, fname)]
                differences.add((name, fname))
            assert info.is_required() == (card in ("1", "+")), (name, fname)
            inner, is_list = _inner(info.annotation)
            assert is_list == (card in ("*", "+")), (name, fname)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                assert inner.__ocpi_name__ == ftype, (name, fname)  # type: ignore[attr-defined]
            elif isinstance(inner, type) and issubclass(inner, Enum):
                assert inner.__name__ == fx.CLASS_NAMES.get(ftype, ftype), (name, fname)
                # OpenEnum fields accept other strings; closed enum fields do not.
                is_open = "OpenEnumOf" in repr(info.annotation) or "OpenEnumOf" in repr(info.metadata)
                assert is_open == (ftype in open_enums), (name, fname)
        extra_fields = set(fields) - {f[0] for f in item["fields"]}
        differences |= {(name, f) for f in extra_fields}
    expected = set(changed) | added | added_values
    assert differences == expected
    # Objects the inventory does not carry are exactly the listed additions.
    additions = {it["name"] for v, it, _ in fx.ADD_ITEMS if v in keys and it["kind"] in ("object", "class")}
    assert set(module.OBJECTS) - seen_models == additions
    assert len(open_enums) == (13 if version == "2.3.0" else 0)


def test_every_correction_has_a_reason() -> None:
    for entry in [*fx.CHANGE_FIELD, *fx.ADD_FIELDS, *fx.ADD_ITEMS, *fx.ADD_ENUM_VALUES]:
        reason = entry[-1]
        assert isinstance(reason, str) and len(reason) > 20
