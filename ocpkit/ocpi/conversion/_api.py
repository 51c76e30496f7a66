"""The conversion entry point: reading the input, chaining steps, tracing reports back to the input.

Theory of operation: :func:`convert` reads a model, a wire document or a list
of either, and runs :func:`~ocpkit.ocpi.conversion._engine.run_step` once per step
between adjacent versions (2.1.1 ⇄ 2.2.1 ⇄ 2.3.0). After each step it maps the
step's losses back to pointers of the original input through the origins of
the previous steps, carries earlier derived fields forward to where they ended
up, and composes the origins, so the caller sees one conversion whatever the
number of steps. Context objects (a Location, a Token) are converted to the
step's target version by the same function.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from ocpkit.errors import ConversionError, ObjectInvalid, UnsupportedError, Violation
from ocpkit.ocpi._parse import decode_json, model_class, parse, to_jsonable
from ocpkit.ocpi.conversion import _from_v211, _to_v211, _v221_v230
from ocpkit.ocpi.conversion._describe import Change, changes
from ocpkit.ocpi.conversion._engine import Registry, run_step, split_pointer, value_at
from ocpkit.ocpi.conversion._result import Converted, Derived, Loss
from ocpkit.ocpi.conversion._rules import MISSING, EnumMap, Table, pointer

__all__ = [
    "CONTEXT_KEYS",
    "ENUM_MAPS",
    "NO_DROP",
    "REGISTRY",
    "TABLES",
    "VERSIONS",
    "convert",
    "describe",
    "steps",
]

VERSIONS: tuple[str, ...] = ("2.1.1", "2.2.1", "2.3.0")

CONTEXT_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "country_code": "country code of the party that owns the object (2.1.1 objects do not carry it)",
        "party_id": "party ID of the party that owns the object (2.1.1 objects do not carry it)",
        "time_zone": "IANA time zone of a 2.1.1 Location that names none (required from 2.2.1)",
        "token_uid": "uid of the token a 2.1.1 Session or CDR names by auth_id only",
        "token_type": "TokenType of that token (RFID, APP_USER, ...)",
        "token_country_code": "country code of the eMSP that issued that token",
        "token_party_id": "party ID of the eMSP that issued that token",
        "evse_uid": "uid of the EVSE used, when a 2.1.1 Session or CDR location holds several",
        "connector_id": "id of the Connector used, when that EVSE has several",
        "evse_id": "EVSE ID of the EVSE used, when the 2.1.1 EVSE has none (a 2.2.1 CdrLocation needs it)",
        "location": "the Location of a 2.2.1+ Session or CDR going to 2.1.1, which embeds it (a model of any "
        "version, or a dict in the version of the object converted)",
        "postal_code": "postal code of a Location going to 2.1.1, which requires one",
        "role": "the party's Role (CPO, EMSP, ...) for 2.1.1 Credentials and endpoints going up",
        "timeout": "seconds a 2.1.1 CommandResponse lets the result take (2.2.1 requires it)",
        "token": "the Token a 2.1.1 AuthorizationInfo answers for (2.2.1 embeds it)",
        "reservation_id": "an integer reservation id, when a 2.2.1+ one going to 2.1.1 is not an integer",
        "version": "a VersionNumber replacing the one of a Version or VersionDetails",
        "last_updated": "time of the change, for a 2.1.1 PATCH body without one going up (2.2.1 PATCH "
        "bodies carry last_updated)",
    }
)
"""Every key :func:`convert` reads from its ``context``, with what it supplies."""

NO_DROP: Mapping[str, str] = MappingProxyType(
    {
        "TariffRestrictions": "leaving out one restriction would widen where its TariffElement applies",
        "PriceComponent": "leaving out one price component would change the price of its TariffElement",
        "TariffElement.restrictions": "a TariffElement without its restrictions would apply everywhere",
    }
)
"""Objects (and fields) never left out piecewise: a value they cannot hold drops the enclosing object."""

TABLES: tuple[Table, ...] = (*_from_v211.TABLES, *_to_v211.TABLES, *_v221_v230.TABLES)
"""Every conversion table, one per class and step between adjacent versions."""

ENUM_MAPS: tuple[EnumMap, ...] = (*_to_v211.ENUM_MAPS, *_v221_v230.ENUM_MAPS)
"""Enum values that change between adjacent versions (the values themselves, not their absence)."""

REGISTRY = Registry(
    tables=MappingProxyType({t.key: t for t in TABLES}),
    enum_maps=MappingProxyType({(m.enum, m.source, m.target): m for m in ENUM_MAPS}),
    no_drop=NO_DROP,
    context_keys=CONTEXT_KEYS,
)


def steps(source: str, target: str) -> list[tuple[str, str]]:
    """The steps between adjacent versions that lead from *source* to *target*."""
    for v in (source, target):
        if v not in VERSIONS:
            raise UnsupportedError(f"unknown OCPI version {v!r}; known: {', '.join(VERSIONS)}")
    a, b = VERSIONS.index(source), VERSIONS.index(target)
    path = list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))
    return [(VERSIONS[i], VERSIONS[j]) for i, j in itertools.pairwise(path)]


def describe(name: str, source: str, target: str) -> list[Change]:
    """Every change of object or class *name* (spec name) from *source* to the adjacent *target*.

    Lists the table's rules, the enum values the target lacks and the values
    its limits refuse: everything that can be lost, derived or asked of the
    context in that step. Between 2.1.1 and 2.3.0, describe both steps.
    """
    if steps(source, target) != [(source, target)]:
        raise UnsupportedError(f"{source} -> {target} is not one step; describe each step through 2.2.1")
    return changes(name, source, target, REGISTRY)


def _version_of(cls: type) -> str | None:
    module = cls.__module__.split(".")
    for version in VERSIONS:
        if f"v{version.replace('.', '')}" in module[:3]:
            return version
    return None


def _paths(doc: Any, base: str = "") -> Iterator[str]:
    yield base
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, pointer(base, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, pointer(base, i))


def _back(path: str, origins: Mapping[str, str] | None) -> tuple[str, bool]:
    """An intermediate pointer traced to the input: (pointer, exact)."""
    if origins is None:
        return path, True
    if path in origins:
        return origins[path], True
    segs = split_pointer(path)
    for n in range(len(segs) - 1, -1, -1):
        here = pointer("", *segs[:n])
        if here in origins:
            return origins[here], False
    return "", False


def _check_context(context: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if context is None:
        return {}
    if not isinstance(context, Mapping):
        raise UnsupportedError(f"context must be a mapping, not {type(context).__name__}")
    unknown = sorted(str(k) for k in context if k not in CONTEXT_KEYS)
    if unknown:
        raise UnsupportedError(
            f"unknown context key(s) {', '.join(unknown)}; known: {', '.join(CONTEXT_KEYS)}"
        )
    return context


def _convert_doc(
    doc: Any, name: str, source: str, target: str, context: Mapping[str, Any], partial: bool
) -> Converted[Any]:
    def context_object(key: str, obj_name: str, version: str) -> Any:
        value = context[key]
        rest = {k: v for k, v in context.items() if k != key}
        try:
            if isinstance(value, BaseModel):
                if getattr(type(value), "__ocpi_name__", None) != obj_name:
                    raise UnsupportedError(
                        f"context[{key!r}] must be an OCPI {obj_name}, not {type(value).__name__}"
                    )
                result = convert(value, to=version, context=rest)
            else:
                result = convert(value, to=version, from_=source, name=obj_name, context=rest)
        except ConversionError as exc:
            raise ConversionError(
                f"context[{key!r}]: {exc.args[0]}",
                exc.violations,
                source=source,
                target=version,
                name=name,
                missing=exc.missing,
            ) from None
        except ObjectInvalid as exc:
            raise ConversionError(
                f"context[{key!r}] is not a valid OCPI {source} {obj_name}",
                exc.violations,
                source=source,
                target=version,
                name=name,
            ) from None
        return to_jsonable(result.value)

    if source == target:
        model = parse(source, name, doc, partial=partial)
        return Converted(model, source, target, name, [], [], {p: p for p in _paths(doc)})
    original = doc
    origins: dict[str, str] | None = None
    losses: list[Loss] = []
    derived: list[Derived] = []
    result: Any = None
    label = f"OCPI {source} {name} -> {target}"
    for a, b in steps(source, target):
        here = origins

        def trace(path: str, here: Mapping[str, str] | None = here) -> str:
            return _back(path, here)[0]

        step = run_step(
            doc,
            name,
            a,
            b,
            registry=REGISTRY,
            context=context,
            context_object=context_object,
            partial=partial,
            trace=trace,
            label=label if (a, b) == (source, target) else f"{label} (step {a} -> {b})",
        )
        for loss in step.losses:
            path, exact = _back(loss.path, origins)
            value = value_at(original, path) if exact else loss.value
            losses.append(Loss(path, loss.reason, loss.value if value is MISSING else value))
        inverse = {s: t for t, s in step.origins.items()}
        derived = [Derived(inverse[d.path], d.how, d.sources) for d in derived if d.path in inverse]
        for d in step.derived:
            traced = (_back(p, origins) for p in d.sources)
            derived.append(Derived(d.path, d.how, tuple(dict.fromkeys(p for p, exact in traced if exact))))
        if origins is None:
            origins = dict(step.origins)
        else:
            origins = {t: origins[s] for t, s in step.origins.items() if s in origins}
        doc, result = step.doc, step.model
    return Converted(result, source, target, name, losses, derived, origins or {})


def _read(
    obj: Any, source: str | None, name: str | None, partial: bool | None, lenient: bool
) -> tuple[str, str, bool, Any]:
    if isinstance(obj, BaseModel):
        version = _version_of(type(obj))
        spec = getattr(type(obj), "__ocpi_name__", None)
        if version is None or not isinstance(spec, str):
            raise UnsupportedError(f"{type(obj).__name__} is not an OCPI model of ocpkit")
        if source is not None and source != version:
            raise UnsupportedError(f"the model is OCPI {version}, not {source}")
        if name is not None and model_class(version, name).__ocpi_name__ != spec:  # type: ignore[attr-defined]
            raise UnsupportedError(f"the model is an OCPI {spec}, not {name}")
        return version, spec, type(obj).__name__.endswith("Partial"), to_jsonable(obj)
    if source is None or name is None:
        raise UnsupportedError("a wire document needs its version (from_) and its object name (name)")
    cls = model_class(source, name, partial=bool(partial))
    if isinstance(obj, bytes | bytearray | str):
        try:
            obj = decode_json(obj)
        except ObjectInvalid as exc:
            raise ObjectInvalid(str(exc.args[0]), exc.violations, version=source, name=name) from None
        _check_source(source, name, obj, bool(partial), lenient)
        doc = obj  # decoded JSON is already plain, numbers as Decimal
    else:
        _check_source(source, name, obj, bool(partial), lenient)
        # Wire names are the attribute names in OCPI, so the plain copy of the dict is its wire document.
        doc = to_jsonable(obj)
    return source, str(cls.__ocpi_name__), bool(partial), doc  # type: ignore[attr-defined]


def _check_source(source: str, name: str, doc: Any, partial: bool, lenient: bool) -> None:
    """Refuse a source document its own version refuses (strict), or one that is not an object at all."""
    if lenient:
        parse(source, name, doc, partial=partial, lenient=True)
    else:
        parse(source, name, doc, partial=partial)


def convert(
    obj: Any,
    to: str = "2.2.1",
    *,
    from_: str | None = None,
    name: str | None = None,
    context: Mapping[str, Any] | None = None,
    partial: bool | None = None,
    lenient: bool = False,
) -> Converted[Any]:
    """Convert an OCPI object to version *to* (the public :func:`ocpkit.ocpi.conversion.convert`)."""
    steps(to, to)
    ctx = _check_context(context)
    if isinstance(obj, list):
        return _convert_list(obj, to, from_, name, ctx, partial, lenient)
    source, spec, is_partial, doc = _read(obj, from_, name, partial, lenient)
    steps(source, to)
    return _convert_doc(doc, spec, source, to, ctx, is_partial)


def _convert_list(
    items: list[Any],
    to: str,
    source: str | None,
    name: str | None,
    context: Mapping[str, Any],
    partial: bool | None,
    lenient: bool,
) -> Converted[Any]:
    values: list[Any] = []
    losses: list[Loss] = []
    derived: list[Derived] = []
    origins: dict[str, str] = {}
    versions: set[str] = set()
    names: set[str] = set()
    missing: list[Violation] = []
    keys: list[str] = []
    for i, item in enumerate(items):
        version, spec, is_partial, doc = _read(item, source, name, partial, lenient)
        versions.add(version)
        names.add(spec)
        try:
            one = _convert_doc(doc, spec, version, to, context, is_partial)
        except ConversionError as exc:
            if any(v.keyword == "context" for v in exc.violations):
                missing.extend(
                    Violation(pointer(f"/{i}", *split_pointer(v.path)), v.keyword, v.message)
                    for v in exc.violations
                )
                keys.extend(exc.missing)
                continue
            # One object of a list that the target cannot hold is left out, like a list item inside one.
            losses.append(Loss(f"/{i}", str(exc.args[0]), doc))
            continue
        here = f"/{len(values)}"
        values.append(one.value)
        losses.extend(Loss(pointer(f"/{i}", *split_pointer(x.path)), x.reason, x.value) for x in one.losses)
        derived.extend(
            Derived(
                pointer(here, *split_pointer(d.path)),
                d.how,
                tuple(pointer(f"/{i}", *split_pointer(p)) for p in d.sources),
            )
            for d in one.derived
        )
        origins.update(
            {
                pointer(here, *split_pointer(t)): pointer(f"/{i}", *split_pointer(s))
                for t, s in one.origins.items()
            }
        )
    source_v = versions.pop() if len(versions) == 1 else (source or "")
    spec_name = names.pop() if len(names) == 1 else (name or "")
    if missing:
        raise ConversionError(
            f"OCPI {source_v} {spec_name} list -> {to} needs context: {', '.join(dict.fromkeys(keys))}",
            missing,
            source=source_v,
            target=to,
            name=spec_name,
            missing=keys,
        )
    return Converted(values, source_v, to, spec_name, losses, derived, origins)
