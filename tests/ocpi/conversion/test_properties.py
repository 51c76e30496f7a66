"""Properties of OCPI conversion over generated valid objects of every version.

* Up then down gives the original back, except where a loss was reported (and
  except fields the up step filled from the context, which the original lacked);
  a null field reads as absent, as ocpkit.ocpi reads it.
* Every reported loss names a path that exists in the input, for a reason the
  description of the tables (the docs page) lists.
* No conversion raises outside ocpkit's error tree, whatever the object, the
  target or the context.
"""

from __future__ import annotations

import copy
import functools
import itertools
import os
import re
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ocpkit.errors import ConversionError, OcpkitError
from ocpkit.ocpi import convert, parse, to_jsonable, version_package
from ocpkit.ocpi.conversion import ENUM_MAPS, TABLES, VERSIONS, Converted, describe, steps
from ocpkit.ocpi.conversion._engine import split_pointer
from ocpkit.ocpi.conversion._rules import MISSING, Omit, pointer
from ocpkit.ocpi.conversion._shape import fields_by_wire
from tests.ocpi.strategies import documents

NAMES = {v: set(version_package(v).OBJECTS) for v in VERSIONS}
PAIRS = sorted(
    (low, high, name)
    for low, high in itertools.combinations(VERSIONS, 2)
    for name in NAMES[low] & NAMES[high]
)
CONVERSIONS = sorted(
    (v, t, name) for v in VERSIONS for t in VERSIONS if t != v for name in NAMES[v] & NAMES[t]
)
TOKEN_211 = {
    "uid": "0102030405",
    "type": "RFID",
    "auth_id": "NL-ABC-C12345678-X",
    "issuer": "ABC eMobility",
    "valid": True,
    "whitelist": "ALLOWED",
    "last_updated": "2020-01-01T00:00:00Z",
}
BASE_CONTEXT: dict[str, Any] = {
    "country_code": "NL",
    "party_id": "ABC",
    "time_zone": "Europe/Amsterdam",
    "token_uid": "0102030405",
    "token_type": "RFID",
    "token_country_code": "NL",
    "token_party_id": "EMS",
    "role": "CPO",
    "timeout": 30,
}
# A longer hunt: OCPKIT_CONVERT_EXAMPLES=5000 python -m pytest tests/ocpi/conversion/test_properties.py
EXAMPLES = int(os.environ.get("OCPKIT_CONVERT_EXAMPLES", "250"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _located(version: str, name: str) -> st.SearchStrategy[dict[str, Any]]:
    """2.1.1 Sessions and CDRs embed a Location; most draws hold the one EVSE a conversion needs."""
    base = documents(version, name)
    if version != "2.1.1" or name not in ("Session", "CDR"):
        return base
    location = st.tuples(documents("2.1.1", "Location"), documents("2.1.1", "EVSE")).map(
        lambda t: {**t[0], "evses": [t[1]]}
    )
    return st.tuples(base, location).map(lambda t: {**t[0], "location": t[1]})


def _context(version: str, name: str, doc: dict[str, Any]) -> dict[str, Any]:
    """A context that supplies what converting *doc* up needs, consistent with *doc*."""
    ctx = dict(BASE_CONTEXT)
    ctx["token"] = parse("2.1.1", "Token", TOKEN_211)
    location = doc.get("location")
    if isinstance(location, dict) and location.get("evses"):
        evse = location["evses"][0]
        ctx["evse_uid"] = evse["uid"]
        ctx["connector_id"] = evse["connectors"][0]["id"]
        ctx["evse_id"] = evse.get("evse_id") or "NL*ABC*E1"
    return ctx


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _delete(doc: Any, paths: set[str]) -> Any:
    """*doc* without the nodes at *paths*; an object emptied this way goes too (a list stays, as in a result).

    Later list items go first, so the indices of the others stay right.
    """

    def key(p: str) -> list[tuple[int, int, str]]:
        return [(0, int(s), "") if s.isdigit() else (1, 0, s) for s in split_pointer(p)]

    pending = set(paths)
    while pending:
        path = max(pending, key=key)
        pending.discard(path)
        segs = split_pointer(path)
        if not segs:
            return MISSING
        parent = _value_at(doc, pointer("", *segs[:-1]))
        last = segs[-1]
        if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
            del parent[int(last)]
        elif isinstance(parent, dict) and last in parent:
            del parent[last]
        else:
            continue
        if isinstance(parent, dict) and not parent and len(segs) > 1:
            pending.add(pointer("", *segs[:-1]))
    return doc


def _omitted(version: str, name: str, doc: Any) -> set[str]:
    """Paths of values the tables omit going to *version* because it reads them from absence."""
    rules = {
        (t.target_name or t.name, r.sources[0]): r.implied
        for t in TABLES
        if t.target == version
        for r in t.rules
        if isinstance(r, Omit)
    }
    found: set[str] = set()

    def walk(cls: Any, value: Any, path: str) -> None:
        if isinstance(value, dict) and cls is not None:
            for key, item in value.items():
                if (cls.__ocpi_name__, key) in rules and item == rules[(cls.__ocpi_name__, key)]:
                    found.add(pointer(path, key))
                shape = fields_by_wire(cls).get(key)
                if shape is not None:
                    walk(shape.model or (shape.item.model if shape.item else None), item, pointer(path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(cls, item, pointer(path, i))

    walk(type(parse(version, name, doc)), doc, "")
    return found


def _round_trip_view(
    original: Any, up: Converted[Any], down: Converted[Any], low: str, name: str
) -> tuple[Any, Any]:
    """The original and the round trip, each without what the report says could not come back."""
    ignored = {loss.path for loss in up.losses}
    for loss in down.losses:
        ignored |= {o for t, o in up.origins.items() if _under(t, loss.path)}
        ignored |= {o for d in up.derived if _under(d.path, loss.path) for o in d.sources}
    ignored |= _omitted(low, name, original)
    after = to_jsonable(down.value)

    def traced(t: str) -> bool:
        u = down.origins.get(t)
        return u is not None and u in up.origins

    # Values the down step took from its context (the embedded Location) where the original's were lost,
    # and fields the up step filled from the context that the original lacked, are not the input's.
    extra = {p for p in ignored if _value_at(after, p) is not MISSING and not traced(p)}
    absent = (MISSING, None)
    extra |= {
        t
        for t in down.origins
        if not traced(t) and _value_at(original, t) in absent and _value_at(after, t) is not MISSING
    }
    extra |= {d.path for d in down.derived if _value_at(original, d.path) in absent}
    extra = {p for p in extra if not any(p != a and _under(p, a) for a in extra)}
    return _no_nulls(_delete(copy.deepcopy(original), ignored)), _no_nulls(_delete(after, extra))


def _no_nulls(doc: Any) -> Any:
    """A null optional field means absent (ocpkit.ocpi): the comparison reads it so."""
    if isinstance(doc, dict):
        return {k: _no_nulls(v) for k, v in doc.items() if v is not None}
    if isinstance(doc, list):
        return [_no_nulls(v) for v in doc]
    return doc


def _value_at(doc: Any, path: str) -> Any:
    for seg in split_pointer(path):
        if isinstance(doc, dict) and seg in doc:
            doc = doc[seg]
        elif isinstance(doc, list) and seg.isdigit() and int(seg) < len(doc):
            doc = doc[int(seg)]
        else:
            return MISSING
    return doc


# Every loss reason is one the docs list: a rule's own words, an enum map's, or the engine's second pass
# naming a field whose values or limits the description of that step lists (or a container emptied by it).
_RULE_TEXTS = {t for table in TABLES for r in table.rules for t in (r.how, r.lost) if t}
_MAP_TEXTS = [
    re.compile(re.escape(why).replace(re.escape("{value!r}"), ".+") + "$")
    for m in ENUM_MAPS
    for _, why in m.values.values()
]
_CASCADES = ("needs at least one item and none is left", "give regular_hours", "twentyfourseven is false")


@functools.cache
def _described_fields(source: str, target: str) -> set[str]:
    out = set()
    for a, b in steps(source, target):
        for name in NAMES[a] & NAMES[b]:
            for change in describe(name, a, b):
                if change.kind in ("values", "narrower"):
                    out.add(change.field.split(" → ")[-1].removesuffix("[]"))
    return out


def _documented(reason: str, source: str, target: str) -> bool:
    if reason in _RULE_TEXTS or any(p.match(reason) for p in _MAP_TEXTS) or "context[" in reason:
        return True
    field = reason.split(":", 1)[0].split("/", 1)[0]
    return field in _described_fields(source, target) or any(c in reason for c in _CASCADES)


@SETTINGS
@given(st.sampled_from(PAIRS), st.data())
def test_up_then_down_returns_the_original_where_nothing_was_lost(
    case: tuple[str, str, str], data: Any
) -> None:
    low, high, name = case
    doc = data.draw(_located(low, name))
    model = parse(low, name, doc)
    context = _context(low, name, to_jsonable(model))
    try:
        up = convert(model, to=high, context=context)
    except ConversionError as exc:
        assert exc.violations
        event(f"up refused: {name}")
        return
    back_context = {k: v for k, v in context.items() if k in ("postal_code",)}
    if name in ("Session", "CDR") and low == "2.1.1":
        back_context["location"] = model.location
    down = convert(up.value, to=low, context=back_context)
    original = to_jsonable(model)
    before, after = _round_trip_view(original, up, down, low, name)
    event("lossless" if not up.losses and not down.losses else "lossy")
    assert after == before, (up.losses, down.losses)


@SETTINGS
@given(st.sampled_from(CONVERSIONS), st.data())
def test_losses_name_paths_of_the_input_and_nothing_escapes_the_error_tree(
    case: tuple[str, str, str], data: Any
) -> None:
    source, target, name = case
    doc = data.draw(_located(source, name))
    context = _context(source, name, doc)
    if data.draw(st.booleans()):
        # Some context keys missing or wrong: the answer is still from the error tree.
        for key in data.draw(st.lists(st.sampled_from(sorted(context)), max_size=3)):
            context[key] = data.draw(st.sampled_from([None, 5, "", "x" * 300, ["NL"], {"a": 1}]))
    try:
        result = convert(doc, to=target, from_=source, name=name, context=context)
    except OcpkitError as exc:
        event(type(exc).__name__)
        return
    original = to_jsonable(parse(source, name, doc))
    for loss in result.losses:
        assert _value_at(original, loss.path) is not MISSING, loss
        assert _documented(loss.reason, source, target), loss
    for t, s in result.origins.items():
        assert _value_at(original, s) is not MISSING, (t, s)
    for d in result.derived:
        assert _value_at(to_jsonable(result.value), d.path) is not MISSING, d
    # The result is valid in its version, strictly.
    parse(target, name, to_jsonable(result.value))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(CONVERSIONS),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=4),
        max_leaves=12,
    ),
)
def test_hostile_documents_stay_in_the_error_tree(case: tuple[str, str, str], doc: Any) -> None:
    source, target, name = case
    try:
        result = convert(doc, to=target, from_=source, name=name, context=BASE_CONTEXT)
    except OcpkitError as exc:
        assert str(exc)
    else:
        values = result.value if isinstance(doc, list) else [result.value]
        for value in values:
            parse(target, name, to_jsonable(value))


@SETTINGS
@given(st.sampled_from(["2.1.1", "2.2.1", "2.3.0"]), st.data())
def test_patch_bodies_convert_to_patch_bodies(version: str, data: Any) -> None:
    name = data.draw(st.sampled_from(sorted(version_package(version).PARTIALS)))
    targets = [t for t in VERSIONS if t != version and name in version_package(t).PARTIALS]
    doc = data.draw(documents(version, name, partial=True))
    for target in targets:
        try:
            context = {**BASE_CONTEXT, "last_updated": "2024-01-01T00:00:00Z"}
            result = convert(doc, to=target, from_=version, name=name, partial=True, context=context)
        except OcpkitError as exc:
            event(type(exc).__name__)
            continue
        parse(target, name, to_jsonable(result.value), partial=True)
        assert type(result.value).__name__.endswith("Partial")
