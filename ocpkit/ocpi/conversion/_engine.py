"""The conversion engine: one step between adjacent versions, in two passes.

Theory of operation. *Pass one* walks the source document alongside the source
and target models. For each object it applies the rules of its table (see
:mod:`ocpkit.ocpi.conversion._rules`), copies every other field present in both
versions, converts nested objects with their own tables and maps enum values
through the enum maps. It records, for every node it writes, the input pointer
the node came from (``origins``), and for every node it computes, how
(``derived``). *Pass two* validates the result strictly with the target model.
Each violation -- a value longer than the target allows, an enum value the
target lacks, a list left empty -- is resolved by leaving out the smallest
optional field or list item that holds it and that came from the input (a loss
naming that input pointer), and validation runs again; a violation with nothing
that may be left out is a :class:`~ocpkit.errors.ConversionError`. Objects whose
parts must not be dropped one by one (tariff restrictions: dropping one widens
the tariff) escalate to their enclosing object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ocpkit.errors import ConversionError, Violation
from ocpkit.ocpi._parse import model_class
from ocpkit.ocpi._violations import violations_of
from ocpkit.ocpi.conversion._rules import (
    MISSING,
    Derived,
    EnumMap,
    Env,
    Loss,
    Rule,
    Table,
    Taken,
    Unfit,
    View,
    descend,
    pointer,
)
from ocpkit.ocpi.conversion._shape import Shape, fields_by_wire, shape_at

__all__ = ["Registry", "StepResult", "run_step", "split_pointer", "value_at"]

_MAX_ROUNDS = 200


@dataclass(frozen=True)
class Registry:
    """All tables, enum maps and the objects that must not be dropped piecewise."""

    tables: Mapping[tuple[str, str, str, str], Table]
    enum_maps: Mapping[tuple[str, str, str], EnumMap]
    no_drop: Mapping[str, str]
    context_keys: Mapping[str, str]


@dataclass
class StepResult:
    """The outcome of one step: the target document, its model and the report."""

    doc: Any
    model: Any
    losses: list[Loss]
    derived: list[Derived]
    origins: dict[str, str]


def split_pointer(path: str) -> list[str]:
    """The segments of a JSON pointer, unescaped."""
    if not path:
        return []
    return [s.replace("~1", "/").replace("~0", "~") for s in path[1:].split("/")]


def value_at(doc: Any, path: str) -> Any:
    """The value at JSON pointer *path* in *doc*, or MISSING."""
    return descend(doc, split_pointer(path))


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


class _Walker:
    """Pass one for one step."""

    def __init__(self, registry: Registry, env: Env) -> None:
        self.registry = registry
        self.env = env

    def model(
        self,
        src_cls: type[BaseModel],
        tgt_cls: type[BaseModel],
        data: Mapping[str, Any],
        spath: str,
        tpath: str,
        *,
        partial: bool = False,
    ) -> dict[str, Any]:
        env = self.env
        key = (_spec_name(src_cls), _spec_name(tgt_cls), env.source, env.target)
        rules: tuple[Rule, ...] = ()
        found = self.registry.tables.get(key)
        if found is not None:
            rules = found.rules
        view = View(data, src_cls, spath, env)
        src_fields, tgt_fields = fields_by_wire(src_cls), fields_by_wire(tgt_cls)
        consumed: dict[str, Rule] = {}
        for rule in rules:
            for name in rule.sources:
                consumed.setdefault(name, rule)
        out: dict[str, Any] = {}
        for rule in rules:
            if partial and not rule.patch and not any(s in data for s in rule.sources):
                continue  # a PATCH body changes only what it names
            here = pointer(tpath, rule.target) if rule.target else tpath
            if (
                rule.target
                and len(rule.sources) == 1
                and data.get(rule.sources[0], MISSING) is None
                and tgt_fields[rule.target].optional
            ):
                # An explicit null carries as null: the field is absent in either version.
                out[rule.target] = None
                env.origins[here] = pointer(spath, rule.sources[0])
                continue
            env.here = here
            env.used = []
            value = rule.apply(view, env)
            if rule.target is None or value is MISSING:
                continue
            if rule.needs:
                env.hints[here] = rule.needs
            placed = self.place(tgt_fields[rule.target], value, here)
            if placed is MISSING:
                continue
            out[rule.target] = placed
            if not isinstance(value, Taken):
                env.derived.append(Derived(here, rule.how, tuple(dict.fromkeys(env.used))))
        for name, value in data.items():
            if name in consumed or name in out:
                continue
            where = pointer(spath, name)
            shape = tgt_fields.get(name)
            if shape is not None:
                here = pointer(tpath, name)
                if shape.kind in _SCALARS and not isinstance(value, Mapping | list):
                    # The common case, without the general path's wrapping: a value that carries as it is.
                    env.origins[here] = where
                    out[name] = value
                    continue
                placed = self.place(shape, Taken(value, where, src_fields.get(name)), here)
                if placed is not MISSING:
                    out[name] = placed
            elif name in src_fields:
                env.loss(where, f"OCPI {env.target} {_spec_name(tgt_cls)} has no field {name}", value)
            else:
                env.loss(where, f"not a field of OCPI {env.source} {_spec_name(src_cls)}", value)
        for name, rule in consumed.items():
            if name in data:
                for path, value in _uncovered(data[name], pointer(spath, name), env.taken):
                    env.loss(path, rule.loss_reason, value)
        order = _order(tgt_cls)
        return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))

    def place(self, shape: Shape, value: Any, tpath: str) -> Any:
        """Write a rule's value (or a source value) where *shape* says, converting as needed."""
        if value is MISSING:
            return MISSING
        if isinstance(value, Taken):
            return self.taken(shape, value, tpath)
        if isinstance(value, Mapping) and shape.kind == "model" and shape.model is not None:
            fields = fields_by_wire(shape.model)
            out: dict[str, Any] = {}
            for name, item in value.items():
                field = fields.get(name)
                placed = item if field is None else self.place(field, item, pointer(tpath, name))
                if placed is not MISSING:
                    out[name] = placed
            return out
        if isinstance(value, list) and shape.kind == "list" and shape.item is not None:
            return self._items(shape.item, list(enumerate(value)), tpath, lambda i: "")
        return value

    def taken(self, shape: Shape, taken: Taken, tpath: str) -> Any:
        env = self.env
        env.origins[tpath] = taken.path
        value = taken.value
        if value is None:
            return None
        src = taken.shape
        if shape.kind == "model" and shape.model is not None and isinstance(value, Mapping):
            if src is None or src.kind != "model" or src.model is None:
                return dict(value)
            return self.model(src.model, shape.model, value, taken.path, tpath)
        if shape.kind == "list" and shape.item is not None and isinstance(value, list):
            item_src = src.item if src is not None and src.kind == "list" else None
            items = [(i, Taken(item, pointer(taken.path, i), item_src)) for i, item in enumerate(value)]
            return self._items(shape.item, items, tpath, lambda i: pointer(taken.path, i))
        if shape.kind == "enum" and shape.enum is not None and isinstance(value, str):
            return self._enum(shape, value, taken.path)
        return value

    def _items(
        self, item: Shape, values: list[tuple[int, Any]], tpath: str, source_of: Callable[[int], str]
    ) -> list[Any]:
        env = self.env
        out: list[Any] = []
        for i, value in values:
            here = pointer(tpath, len(out))
            try:
                placed = self.place(item, value, here)
            except Unfit as exc:
                catches = item.kind == "model" and item.model is not None
                catches = catches and exc.scope in (None, _spec_name(item.model))
                spath = value.path if isinstance(value, Taken) else source_of(i)
                if not catches or not spath:
                    raise
                _forget(env, here, spath)
                raw = value.value if isinstance(value, Taken) else value
                env.loss(spath, exc.reason, raw)
                continue
            if placed is not MISSING:
                out.append(placed)
        return out

    def _enum(self, shape: Shape, value: str, spath: str) -> Any:
        env = self.env
        assert shape.enum is not None
        mapping = self.registry.enum_maps.get((shape.enum.__name__, env.source, env.target))
        if mapping is not None:
            hit = mapping.values.get(str(value))
            if hit is None and "*" in mapping.values and str(value) not in {m.value for m in shape.enum}:
                hit = mapping.values["*"]
            if hit is not None:
                new, why = hit
                env.loss(spath, why.format(value=value), str(value))
                return new
        return str(value)


def _uncovered(value: Any, path: str, taken: set[str]) -> Iterator[tuple[str, Any]]:
    """The parts of a consumed source value that no rule used: (pointer, value), largest first."""
    if path in taken or value is None:
        return
    if not any(t.startswith(path + "/") for t in taken):
        yield path, value
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _uncovered(item, pointer(path, key), taken)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _uncovered(item, pointer(path, i), taken)


def _forget(env: Env, tprefix: str, sprefix: str) -> None:
    """Undo what was recorded for a target node that is being left out (and later ones reuse its index)."""
    env.origins = {t: s for t, s in env.origins.items() if not _under(t, tprefix)}
    env.derived = [d for d in env.derived if not _under(d.path, tprefix)]
    env.hints = {t: h for t, h in env.hints.items() if not _under(t, tprefix)}
    env.losses = [loss for loss in env.losses if not _under(loss.path, sprefix)]


@functools.cache
def _spec_name(cls: type[BaseModel]) -> str:
    return str(getattr(cls, "__ocpi_name__", cls.__name__))


@functools.cache
def _order(cls: type[BaseModel]) -> Mapping[str, int]:
    return {name: i for i, name in enumerate(fields_by_wire(cls))}


_SCALARS = frozenset({"str", "int", "number", "datetime", "url", "bool"})


# ---------------------------------------------------------------------------
# Pass two: fit the result to the target's rules
# ---------------------------------------------------------------------------


def _sort_key(path: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(s), "") if s.isdigit() else (1, 0, s) for s in split_pointer(path))


def _chain(cls: type[BaseModel], path: str) -> list[tuple[str, str, str, Shape]]:
    """(pointer, kind, owner class, shape) for each step of *path* below an object of *cls*."""
    out: list[tuple[str, str, str, Shape]] = []
    shape = Shape("model", model=cls)
    owner = _spec_name(cls)
    here = ""
    for seg in split_pointer(path):
        if shape.kind == "model" and shape.model is not None:
            owner = _spec_name(shape.model)
            field = fields_by_wire(shape.model).get(seg)
            if field is None:
                break
            here = pointer(here, seg)
            out.append((here, "field", owner, field))
            shape = field
        elif shape.kind == "list" and shape.item is not None and seg.isdigit():
            here = pointer(here, seg)
            out.append((here, "item", owner, shape.item))
            shape = shape.item
        else:
            break
    return out


def _droppable(cls: type[BaseModel], path: str, doc: Any, env: Env, no_drop: Mapping[str, str]) -> str | None:
    """The smallest node holding *path* that may be left out, or None."""
    for here, kind, owner, shape in reversed(_chain(cls, path)):
        if value_at(doc, here) is MISSING or here not in env.origins:
            continue
        field = split_pointer(here)[-1]
        held = _spec_name(shape.model) if shape.kind == "model" and shape.model is not None else None
        if owner in no_drop and kind == "field":
            continue
        if held in no_drop or f"{owner}.{field}" in no_drop:
            continue
        if kind == "field" and not shape.optional:
            continue
        return here
    return None


def _remove(doc: Any, path: str, env: Env) -> None:
    """Delete the node at *path* and renumber what follows it in its list."""
    segs = split_pointer(path)
    parent = value_at(doc, pointer("", *segs[:-1]))
    last = segs[-1]
    if isinstance(parent, list):
        index = int(last)
        del parent[index]
        base = pointer("", *segs[:-1])

        def shift(p: str) -> str | None:
            if not _under(p, base) or p == base:
                return p
            rest = split_pointer(p)[len(segs) - 1 :]
            i = int(rest[0])
            if i == index:
                return None
            return pointer(base, *([str(i - 1)] if i > index else [str(i)]), *rest[1:])

        env.origins = {n: s for t, s in env.origins.items() if (n := shift(t)) is not None}
        env.hints = {n: h for t, h in env.hints.items() if (n := shift(t)) is not None}
        env.derived = [Derived(n, d.how, d.sources) for d in env.derived if (n := shift(d.path)) is not None]
    else:
        del parent[last]
        env.origins = {t: s for t, s in env.origins.items() if not _under(t, path)}
        env.hints = {t: h for t, h in env.hints.items() if not _under(t, path)}
        env.derived = [d for d in env.derived if not _under(d.path, path)]


def _describe(cls: type[BaseModel], v: Violation, doc: Any, version: str) -> str:
    segs = split_pointer(v.path)
    # Name the field; an item of a list is its field and its index ("evse_uids/0").
    fields = [i for i, seg in enumerate(segs) if not seg.isdigit()]
    where = "/".join(segs[fields[-1] :]) if fields else _spec_name(cls)
    shape = shape_at(cls, segs)
    if v.keyword == "enum" and shape is not None and shape.enum is not None:
        return f"{where}: {value_at(doc, v.path)!r} is not an OCPI {version} {shape.enum.__name__} value"
    if v.keyword == "minItems":
        return f"{where}: OCPI {version} needs at least one item and none is left"
    return f"{where}: {v.message} (OCPI {version})"


def _fit(
    cls: type[BaseModel],
    name: str,
    doc: Any,
    env: Env,
    registry: Registry,
    partial: bool,
    trace: Callable[[str], str],
    label: str,
) -> tuple[Any, Any]:
    """Pass two: validate, leaving out what the target cannot hold; the model and the final document."""
    for _ in range(_MAX_ROUNDS):
        # The strict model check of ocpkit.ocpi.parse, without its OpenEnum and lenient reports: the
        # document is ours, holds no unknown property, and every OpenEnum value in it came from the input.
        try:
            return cls.model_validate(doc, context={"ocpi_lenient": False}), doc
        except ValidationError as exc:
            violations = tuple(violations_of(exc))
        except RecursionError:  # pragma: no cover - the input was parsed at the same depth
            violations = (Violation("", "maxDepth", "nesting too deep"),)
        drops: dict[str, Violation] = {}
        fatal: list[Violation] = []
        for v in violations:
            node = _droppable(cls, v.path, doc, env, registry.no_drop)
            if node is None:
                fatal.append(v)
            else:
                drops.setdefault(node, v)
        if fatal:
            missing: list[str] = []
            out = []
            for v in fatal:
                origin = _origin_of(v.path, env.origins)
                hint = next((h for t, h in env.hints.items() if _under(v.path, t)), ())
                missing.extend(hint)
                text = _describe(cls, v, doc, env.target)
                if origin is not None:
                    text += f" (from input {trace(origin) or '/'})"
                if hint:
                    text += "; " + ", ".join(f"context[{k!r}] can supply it" for k in hint)
                out.append(Violation(v.path, "unfit" if v.keyword != "required" else "required", text))
            raise ConversionError(
                f"{label}: {len(out)} value(s) the target cannot hold",
                out,
                source=env.source,
                target=env.target,
                name=name,
                missing=missing,
            )
        nodes = sorted(drops, key=_sort_key, reverse=True)
        for node in nodes:
            if any(node != other and _under(node, other) for other in nodes):
                continue
            v = drops[node]
            origin = env.origins[node]
            reason = _describe(cls, v, doc, env.target)
            if node != v.path:
                shape = shape_at(cls, split_pointer(node))
                what = (
                    _spec_name(shape.model)
                    if shape is not None and shape.kind == "model" and shape.model is not None
                    else split_pointer(node)[-1]
                )
                reason += f"; the {what} holding it is left out"
            # Losses inside the node stay: they say why it became unfit (a connector went, then its EVSE).
            env.losses.append(Loss(origin, reason, value_at(env.source_doc, origin)))
            _remove(doc, node, env)
    raise ConversionError(  # pragma: no cover - each round removes a node, so this bound is never reached
        f"OCPI {env.source} {name}: conversion to {env.target} did not settle",
        source=env.source,
        target=env.target,
    )


def _origin_of(path: str, origins: Mapping[str, str]) -> str | None:
    segs = split_pointer(path)
    for n in range(len(segs), -1, -1):
        here = pointer("", *segs[:n])
        if here in origins:
            return origins[here]
    return None


def run_step(
    doc: Any,
    name: str,
    source: str,
    target: str,
    *,
    registry: Registry,
    context: Mapping[str, Any],
    context_object: Callable[[str, str, str], Any],
    partial: bool,
    trace: Callable[[str], str] = str,
    label: str = "",
) -> StepResult:
    """Convert one document (a wire dict of *source*) to the adjacent version *target*.

    *trace* maps a pointer into *doc* to one into the caller's input (chained
    steps); *label* names the whole conversion in error messages.
    """
    label = label or f"OCPI {source} {name} -> {target}"
    src_cls = model_class(source, name, partial=partial)
    tgt_cls = model_class(target, name, partial=partial)
    env = Env(source, target, context, context_object)
    env.source_doc = doc
    env.origins[""] = ""
    walker = _Walker(registry, env)
    try:
        out = walker.model(src_cls, tgt_cls, doc, "", "", partial=partial)
    except Unfit as exc:
        raise ConversionError(
            f"{label}: {exc.reason}",
            [Violation("", "unfit", exc.reason)],
            source=source,
            target=target,
            name=name,
        ) from None
    if env.missing:
        violations = [
            Violation(where, "context", f"needs context[{key!r}]: {registry.context_keys.get(key, key)}")
            for key, where in env.missing.items()
        ]
        raise ConversionError(
            f"{label} needs context: {', '.join(env.missing)}",
            violations,
            source=source,
            target=target,
            name=name,
            missing=env.missing,
        )
    model, out = _fit(tgt_cls, name, out, env, registry, partial, trace, label)
    return StepResult(out, model, env.losses, env.derived, env.origins)
