"""Hypothesis strategies for valid OCPI wire documents of every object of every version.

Built from the models themselves (field shapes read by ``ocpkit.ocpi.conversion._shape``):
each field draws a value of its type within its limits, optional fields are
sometimes absent and now and then null, lists hold up to two items. Fields whose
text format later versions pin down (dates, times of day) mostly draw values in
that format, so conversions exercise more than their refusals. Every document is
checked by the model, so what the strategies give is valid in its version.
"""

from __future__ import annotations

import functools
import string
from datetime import datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from ocpkit.ocpi import model_class, parse
from ocpkit.ocpi.conversion._shape import Shape, fields_by_wire

__all__ = ["documents", "models"]

_ASCII = string.ascii_letters + string.digits + " -._"
_TEXT = _ASCII + "é€"

_DATES = st.dates().map(lambda d: f"{max(d.year, 1000):04d}-{d.month:02d}-{d.day:02d}")
_TIMES = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")
# Text fields whose format a later version narrows: mostly drawn in that format.
_FORMATTED = {
    "start_date": _DATES,
    "end_date": _DATES,
    "start_time": _TIMES,
    "end_time": _TIMES,
    "period_begin": _TIMES,
    "period_end": _TIMES,
}
_URLS = st.sampled_from(
    ["https://example.com/ocpi/2.2.1/locations", "https://cpo.example.org/r/1", "http://h.example/x?y=1"]
)
_DATETIMES = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
)


def _mostly(
    usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], odds: int = 10
) -> st.SearchStrategy[Any]:
    """*usual*, and one draw in *odds* from *rare*."""
    return st.integers(1, odds).flatmap(lambda n: rare if n == 1 else usual)


def _text(shape: Shape) -> st.SearchStrategy[str]:
    limit = min(shape.max_length or 40, 40)
    if shape.pattern:
        return st.from_regex(shape.pattern, fullmatch=True).filter(
            lambda s: len(s) <= (shape.max_length or 1e9)
        )
    alphabet = _ASCII if shape.case_insensitive else _TEXT
    return st.text(alphabet, max_size=limit)


def _value(shape: Shape, name: str, version: str) -> st.SearchStrategy[Any]:
    kind = shape.kind
    if kind == "model":
        assert shape.model is not None
        return _model(shape.model, version)
    if kind == "list":
        assert shape.item is not None
        return st.lists(
            _value(shape.item, name, version), min_size=shape.min_items, max_size=max(shape.min_items, 2)
        )
    if kind == "enum":
        assert shape.enum is not None
        known = st.sampled_from([m.value for m in shape.enum])
        if shape.open_enum:
            return _mostly(known, st.text(string.ascii_uppercase + "_", min_size=1, max_size=8), 4)
        return known
    if kind == "str":
        text = _text(shape)
        formatted = _FORMATTED.get(name)
        if formatted is not None:
            return _mostly(formatted, text, 4)
        return text
    if kind == "url":
        return _URLS
    if kind == "datetime":
        return _DATETIMES
    if kind == "int":
        return st.integers(
            shape.ge if shape.ge is not None else -1000, shape.le if shape.le is not None else 100000
        )
    if kind == "number":
        lo = Decimal(shape.ge) if shape.ge is not None else Decimal(-1000)
        hi = Decimal(shape.le) if shape.le is not None else Decimal(100000)
        return st.decimals(min_value=lo, max_value=hi, places=3, allow_nan=False, allow_infinity=False)
    if kind == "bool":
        return st.booleans()
    return st.none()


def _valid(cls: type[BaseModel], version: str, doc: dict[str, Any]) -> bool:
    try:
        cls.model_validate(doc)
    except ValueError:
        return False
    return True


@functools.cache
def _model(cls: type[BaseModel], version: str) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, shape in fields_by_wire(cls).items():
        strategy = _value(shape, name, version)
        if shape.optional:
            optional[name] = _mostly(strategy, st.none())
        else:
            required[name] = strategy
    if cls.__ocpi_name__ == "Hours":  # type: ignore[attr-defined]
        return _hours(required, optional, fields_by_wire(cls))
    out = st.fixed_dictionaries(required, optional=optional)
    if set(cls.__pydantic_decorators__.model_validators) - {"_refuse_unknown_properties"}:
        # Another cross-field rule: keep the draws the model accepts.
        out = out.filter(functools.partial(_valid, cls, version))
    return out


def _hours(
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]],
    shapes: Any,
) -> st.SearchStrategy[dict[str, Any]]:
    """Hours: open around the clock, or regular hours (OCPI mod_locations Hours, both rules)."""
    exceptional = {k: v for k, v in optional.items() if k.startswith("exceptional")}
    regular = st.lists(_value(shapes["regular_hours"].item, "regular_hours", ""), min_size=1, max_size=2)
    flag_required = "twentyfourseven" in required
    always = st.fixed_dictionaries({"twentyfourseven": st.just(True)}, optional=exceptional)
    by_day = st.fixed_dictionaries(
        {"regular_hours": regular, **({"twentyfourseven": st.just(False)} if flag_required else {})},
        optional={**exceptional, **({} if flag_required else {"twentyfourseven": st.just(False)})},
    )
    return st.one_of(always, by_day)


def documents(version: str, name: str, *, partial: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Valid wire documents (dicts, numbers as Decimal) of one OCPI object."""
    cls = model_class(version, name, partial=partial)
    return _model(cls, version).filter(functools.partial(_parses, version, name, partial))


def _parses(version: str, name: str, partial: bool, doc: dict[str, Any]) -> bool:
    try:
        parse(version, name, doc, partial=partial)
    except ValueError:
        return False
    return True


def models(version: str, name: str, *, partial: bool = False) -> st.SearchStrategy[Any]:
    """Valid models of one OCPI object."""
    return documents(version, name, partial=partial).map(lambda d: parse(version, name, d, partial=partial))
