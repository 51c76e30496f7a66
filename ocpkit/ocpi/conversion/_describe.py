"""The conversion tables in words: every change, and every loss, of one class in one step.

Theory of operation: :func:`changes` reads the tables (rules and enum maps) and
compares the two models field by field, so the description covers what the
engine does: the table's own rules, enum values the target lacks (mapped or left
out) and values the target's tighter limits refuse (longer text, non-ASCII
text where the target has a CiString, a pattern). Nothing here is written twice:
the words of a rule are the rule's own ``how`` and ``lost`` texts, and what the
models say is read from the models. The docs render these lists as the "what
changes between versions" page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ocpkit.ocpi._parse import version_package
from ocpkit.ocpi.conversion._engine import Registry
from ocpkit.ocpi.conversion._rules import (
    MISSING,
    Context,
    Default,
    Derive,
    Drop,
    Fill,
    Omit,
    Override,
    Refuse,
    Rename,
    Rule,
)
from ocpkit.ocpi.conversion._shape import Shape, fields_by_wire

__all__ = ["Change", "changes"]


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a class between two versions.

    ``kind`` is one of: renamed, lost, derived, context, omitted, refused,
    values (enum values the target lacks), narrower (values the target's limits
    refuse). ``lossy`` is true when the change can leave input data out.
    """

    field: str
    kind: str
    text: str
    context: tuple[str, ...] = ()
    lossy: bool = False


def _rule_changes(rule: Rule, prefix: str) -> list[Change]:
    sources = ", ".join(rule.sources)
    target = rule.target or ""
    out: list[Change] = []
    if isinstance(rule, Rename):
        out.append(Change(f"{sources} → {target}", "renamed", prefix + "renamed"))
    elif isinstance(rule, Drop):
        text = rule.how
        if rule.implied is not MISSING:
            text += f" (the value {_show(rule.implied)} is what the target implies: it goes without loss)"
        out.append(Change(sources, "lost", prefix + text, lossy=True))
    elif isinstance(rule, Omit):
        out.append(Change(target, "omitted", f"{prefix}left out when {_show(rule.implied)}: {rule.how}"))
    elif isinstance(rule, Default):
        out.append(Change(target, "derived", f"{prefix}set to {_show(rule.value)}: {rule.how}"))
    elif isinstance(rule, Context | Fill | Override):
        out.append(Change(target, "context", prefix + rule.how, rule.needs))
    elif isinstance(rule, Refuse):
        out.append(Change(sources, "refused", prefix + rule.how, lossy=True))
    elif isinstance(rule, Derive) and not target:
        # A rule that writes nothing judges its source: what it does not keep is lost.
        out.append(Change(sources, "lost", prefix + rule.how, rule.needs, lossy=True))
    elif isinstance(rule, Derive):
        field = target if not rule.sources or rule.sources == (target,) else f"{sources} → {target}"
        out.append(Change(field, "derived", prefix + rule.how, rule.needs))
        if rule.lost:
            out.append(Change(sources, "lost", prefix + rule.lost, lossy=True))
    return out


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _enum_changes(
    field: str, src: Shape, tgt: Shape, registry: Registry, source: str, target: str
) -> list[Change]:
    if src.kind == "list" and tgt.kind == "list" and src.item is not None and tgt.item is not None:
        src, tgt = src.item, tgt.item
    if src.kind != "enum" or tgt.kind != "enum" or src.enum is None or tgt.enum is None:
        return []
    have = {m.value for m in tgt.enum}
    mapping = registry.enum_maps.get((tgt.enum.__name__, source, target))
    values = mapping.values if mapping is not None else {}
    out = []
    for value in (m.value for m in src.enum):
        if value in have:
            continue
        if value in values:
            new, why = values[value]
            out.append(Change(field, "values", f"{value} is written as {new}: {why}", lossy=True))
        else:
            out.append(
                Change(
                    field,
                    "values",
                    f"{value} is not an OCPI {target} {tgt.enum.__name__} value: left out",
                    lossy=True,
                )
            )
    if src.open_enum and not tgt.open_enum:
        if "*" in values:
            new, _ = values["*"]
            text = f"values {source} does not list (OpenEnum) are written as {new}"
        else:
            text = f"values {source} does not list (OpenEnum) are not {target} values: left out"
        out.append(Change(field, "values", text, lossy=True))
    return out


def _narrower(field: str, src: Shape, tgt: Shape, target: str, *, patterns: bool = True) -> list[Change]:
    # Items are compared with items: a list on either side (a tariff_id that becomes tariff_ids) is unwrapped.
    if src.kind == "list" and src.item is not None:
        src = src.item
    if tgt.kind == "list" and tgt.item is not None:
        tgt = tgt.item
        field += "[]"
    if src.kind != "str" or tgt.kind != "str":
        return []
    limits = []
    if tgt.max_length is not None and (src.max_length is None or tgt.max_length < src.max_length):
        limits.append(f"longer than {tgt.max_length} characters")
    if tgt.case_insensitive and not src.case_insensitive:
        limits.append("with characters outside printable ASCII (a CiString)")
    if patterns and tgt.pattern and tgt.pattern != src.pattern:
        limits.append(f"not matching {tgt.pattern}")
    if not limits:
        return []
    return [
        Change(field, "narrower", f"values {' or '.join(limits)} are not OCPI {target} values", lossy=True)
    ]


def changes(name: str, source: str, target: str, registry: Registry) -> list[Change]:
    """Every change of class *name* from *source* to the adjacent version *target*, rules first."""
    src_cls = version_package(source).OBJECTS.get(name)
    tgt_cls = version_package(target).OBJECTS.get(name)
    if src_cls is None or tgt_cls is None:
        return []
    out: list[Change] = []
    written: set[str] = set()
    for (s_name, t_name, a, b), table in sorted(registry.tables.items()):
        if (s_name, a, b) != (name, source, target):
            continue
        prefix = "" if t_name == name else f"as a {t_name} ({table.note}): "
        for rule in table.rules:
            out.extend(_rule_changes(rule, prefix))
            if rule.target and t_name == name:
                written.add(rule.target)
                written.update(rule.sources)
            if isinstance(rule, Derive) and rule.target and len(rule.sources) == 1 and t_name == name:
                # A value derived from one field meets the target field's limits as well (its format
                # is the derivation's business: six-decimal coordinates are written, not refused).
                s = fields_by_wire(src_cls)[rule.sources[0]]
                t = fields_by_wire(tgt_cls)[rule.target]
                out.extend(_narrower(f"{rule.sources[0]} → {rule.target}", s, t, target, patterns=False))
            if isinstance(rule, Rename) and rule.target and t_name == name:
                # A renamed field still carries the target's enum values and limits.
                s = fields_by_wire(src_cls)[rule.sources[0]]
                t = fields_by_wire(tgt_cls)[rule.target]
                label = f"{rule.sources[0]} → {rule.target}"
                out.extend(_enum_changes(label, s, t, registry, source, target))
                out.extend(_narrower(label, s, t, target))
    src_fields, tgt_fields = fields_by_wire(src_cls), fields_by_wire(tgt_cls)
    for field, shape in src_fields.items():
        other = tgt_fields.get(field)
        if other is None or field in written:
            continue
        out.extend(_enum_changes(field, shape, other, registry, source, target))
        out.extend(_narrower(field, shape, other, target))
    return out
