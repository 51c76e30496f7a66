"""The conversion tables are complete and consistent with the models they connect.

For every step between adjacent versions and every class present on both sides:
each source field the target lacks is consumed by a rule, each required target
field the source lacks is written by one, every rule names real fields, and
every enum map maps real values to real values. A class whose field holds a
differently named class in the other version (a 2.2.1 Price becoming a 2.3.0
PriceLimit) has a table for that pair.
"""

from __future__ import annotations

import itertools

import pytest

from ocpkit.ocpi import version_package
from ocpkit.ocpi.conversion import CONTEXT_KEYS, ENUM_MAPS, NO_DROP, REGISTRY, TABLES, VERSIONS, EnumMap
from ocpkit.ocpi.conversion._shape import fields_by_wire

STEPS = [*itertools.pairwise(VERSIONS), *((b, a) for a, b in itertools.pairwise(VERSIONS))]


def _objects(version: str) -> dict[str, type]:
    return dict(version_package(version).OBJECTS)


def _pairs(source: str, target: str) -> set[tuple[str, str]]:
    """(source class, target class) for every class on both sides and every field that changes class."""
    src, tgt = _objects(source), _objects(target)
    pairs = {(n, n) for n in set(src) & set(tgt)}
    for name in set(src) & set(tgt):
        s_fields, t_fields = fields_by_wire(src[name]), fields_by_wire(tgt[name])
        for field in set(s_fields) & set(t_fields):
            s, t = s_fields[field], t_fields[field]
            s = s.item if s.kind == "list" and s.item is not None else s
            t = t.item if t.kind == "list" and t.item is not None else t
            if s.kind == t.kind == "model" and s.model is not None and t.model is not None:
                pairs.add((s.model.__ocpi_name__, t.model.__ocpi_name__))  # type: ignore[attr-defined]
    return pairs


def _cases() -> list[tuple[str, str, str, str]]:
    return sorted((a, b, s, t) for a, b in STEPS for s, t in _pairs(a, b))


@pytest.mark.parametrize(("source", "target", "src_name", "tgt_name"), _cases())
def test_every_field_is_accounted_for(source: str, target: str, src_name: str, tgt_name: str) -> None:
    src = fields_by_wire(_objects(source)[src_name])
    tgt = fields_by_wire(_objects(target)[tgt_name])
    table = REGISTRY.tables.get((src_name, tgt_name, source, target))
    rules = table.rules if table is not None else ()
    if src_name != tgt_name:
        assert table is not None, f"{src_name} -> {tgt_name} needs a table"
    consumed = {s for r in rules for s in r.sources}
    written = {r.target for r in rules if r.target}
    assert consumed <= set(src), consumed - set(src)
    assert written <= set(tgt), written - set(tgt)
    assert set(src) - set(tgt) <= consumed, f"source fields with no rule: {set(src) - set(tgt) - consumed}"
    required_new = {f for f, shape in tgt.items() if not shape.optional and (f not in src or src[f].optional)}
    assert required_new <= written, f"required target fields nothing writes: {required_new - written}"
    for rule in rules:
        if rule.target in src:
            # A rule writing a field the source also has must consume it, or the source value would vanish.
            assert rule.target in rule.sources or rule.target in consumed, rule
        assert set(rule.needs) <= set(CONTEXT_KEYS), rule.needs
        assert rule.how


def test_tables_are_unique_and_connect_adjacent_versions() -> None:
    keys = [t.key for t in TABLES]
    assert len(keys) == len(set(keys))
    for t in TABLES:
        assert (t.source, t.target) in STEPS, t.key
        assert t.name in _objects(t.source) and (t.target_name or t.name) in _objects(t.target), t.key


def test_every_table_is_reachable() -> None:
    reachable = {(s, t, a, b) for a, b in STEPS for s, t in _pairs(a, b)}
    assert {t.key for t in TABLES} <= reachable


@pytest.mark.parametrize("mapping", ENUM_MAPS, ids=lambda m: f"{m.enum}-{m.source}-{m.target}")
def test_enum_maps_map_real_values(mapping: EnumMap) -> None:
    source = {m.value for m in version_package(mapping.source).ENUMS[mapping.enum]}
    target = {m.value for m in version_package(mapping.target).ENUMS[mapping.enum]}
    for value, (new, why) in mapping.values.items():
        assert value == "*" or value in source, value
        assert value == "*" or value not in target, f"{value} exists in {mapping.target}: nothing to map"
        assert new in target and why


def test_no_drop_names_real_classes() -> None:
    names = set().union(*(_objects(v) for v in VERSIONS))
    for entry in NO_DROP:
        cls, _, field = entry.partition(".")
        assert cls in names, entry
        if field:
            assert any(field in fields_by_wire(_objects(v)[cls]) for v in VERSIONS if cls in _objects(v))


def test_the_table_covers_every_object_in_two_or_more_versions() -> None:
    """The count the docs and the changelog quote: every object and class in two or more versions."""
    covered = {s for a, b in STEPS for s, t in _pairs(a, b) if s == t}
    in_two = {
        n
        for n in set().union(*(_objects(v) for v in VERSIONS))
        if sum(n in _objects(v) for v in VERSIONS) >= 2
    }
    assert covered == in_two
    assert len(in_two) == 55


def test_wire_names_are_the_attribute_names() -> None:
    """The converter reads dicts by wire name and accepts them as given: OCPI aliases never differ."""
    for version in VERSIONS:
        package = version_package(version)
        for cls in [*package.OBJECTS.values(), *package.PARTIALS.values()]:
            assert all(info.alias in (None, name) for name, info in cls.model_fields.items()), cls
