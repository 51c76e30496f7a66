"""Exact JSON Schema checker for the keywords the OCPP schemas use (private).

Theory of operation: a schema is compiled once into a tree of closures; each
closure checks one node of an instance and appends a :class:`Finding` for
every broken rule it sees, so one pass lists *all* violations (never just the
first). The semantics are those of the draft the schema declares:

* ``integer``: draft-04 accepts only integer literals (``1.0`` is a number
  but not an integer), draft-06 and later any number whose fraction is zero
  (draft-04 §5.5 / draft-06 validation §6.25 "type").
* ``multipleOf`` is decided on exact rationals of the numbers' decimal text,
  so ``22.2`` is a multiple of ``0.1`` and ``0.25`` is not (floats would say
  otherwise).
* ``format: date-time`` is RFC 3339 §5.6: upper- or lower-case ``T``/``Z``,
  any number of fraction digits, an offset of at most 23:59; no leap second
  (``:60``, which ``datetime`` cannot hold and the reference checker refuses)
  and no year 0000. ``format: uri`` is an absolute URI of RFC 3986 §3 (ASCII).
  Both refuse a trailing newline.
* Values that JSON cannot carry (NaN, infinities, tuples, non-string keys,
  arbitrary objects), possible only when a caller passes Python objects,
  are reported under the keyword ``json``.
* What the generated models hold in Python form (``model_dump(mode="python")``)
  stands for the JSON value it is written as (see :func:`plain`): a finite
  ``Decimal`` for the number of its text ``str(d)``, decoded as
  :mod:`ocpkit.ocpp._json` decodes numbers (an integer literal to ``int``,
  anything else to the nearest double; so ``Decimal("24.6")`` is the JSON
  ``24.6`` and ``Decimal("5.0")`` is no draft-04 integer, just as the text
  ``5.0`` is not); a ``str`` subclass (the ``StrEnum`` members) for its
  string; an aware ``datetime`` for its RFC 3339 text. A non-finite
  ``Decimal`` (NaN, infinities) or one beyond a double is refused under
  ``json``, as a NaN float is. These conversions happen only where a value
  fails its type test, so plain JSON values cost nothing extra.

When a type check fails at a node, the other keywords of that node are not
reported (they would only restate the type fault).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any, Final

from ocpkit.errors import UnsupportedError, did_you_mean
from ocpkit.ocpp._rfc3339 import parse_rfc3339

__all__ = [
    "DRAFT4",
    "DRAFT6",
    "URI_PATTERN",
    "Finding",
    "compile_schema",
    "draft_of",
    "flat_pointer",
    "is_date_time",
    "is_uri",
    "plain",
    "pointer",
    "split",
]

DRAFT4 = 4
DRAFT6 = 6

# Keywords that never change a verdict (annotations and OCA extensions).
_ANNOTATIONS = frozenset(
    ("$schema", "$id", "id", "title", "description", "comment", "$comment", "javaType", "default", "examples")
)
_HANDLED = frozenset(
    (
        "$ref",
        "definitions",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "maxLength",
        "minLength",
        "format",
        "items",
        "additionalItems",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "const",
    )
)


# A path is built as a linked list, () or (parent_path, key): cheaper than copying tuples at each
# step, and only turned into a pointer when a violation is reported.
Path = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule: where (a linked :data:`Path`), schema keyword, message."""

    path: Path
    keyword: str
    message: str


Check = Callable[[Any, Path, list[Finding]], None]


def pointer(path: Path) -> str:
    """Return the RFC 6901 JSON pointer of a path (``()`` or ``(parent_path, key)``)."""
    parts: list[str | int] = []
    while path:
        path, key = path
        parts.append(key)
    return flat_pointer(reversed(parts))


def flat_pointer(parts: Iterable[str | int]) -> str:
    """Return the RFC 6901 JSON pointer of a sequence of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def draft_of(schema: Mapping[str, Any]) -> int:
    """Return 4 for a draft-04 schema, 6 for draft-06 or later (the default)."""
    uri = schema.get("$schema", "")
    return DRAFT4 if isinstance(uri, str) and "draft-04" in uri else DRAFT6


def is_date_time(text: str) -> bool:
    """True when *text* is an RFC 3339 date-time by the rule in the module docstring."""
    # The models' parser is the one statement of the rule; validation refuses leap seconds.
    try:
        parse_rfc3339(text, leap_second=False)
    except ValueError:
        return False
    return True


# RFC 3986 §3 URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ] (Appendix A grammar).
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_H16 = r"[0-9A-Fa-f]{1,4}"
_DEC = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)"
_LS32 = rf"(?:{_H16}:{_H16}|{_DEC}\.{_DEC}\.{_DEC}\.{_DEC})"
_IPV6 = (
    r"(?:"
    rf"(?:{_H16}:){{6}}{_LS32}"
    rf"|::(?:{_H16}:){{5}}{_LS32}"
    rf"|(?:{_H16})?::(?:{_H16}:){{4}}{_LS32}"
    rf"|(?:(?:{_H16}:){{0,1}}{_H16})?::(?:{_H16}:){{3}}{_LS32}"
    rf"|(?:(?:{_H16}:){{0,2}}{_H16})?::(?:{_H16}:){{2}}{_LS32}"
    rf"|(?:(?:{_H16}:){{0,3}}{_H16})?::{_H16}:{_LS32}"
    rf"|(?:(?:{_H16}:){{0,4}}{_H16})?::{_LS32}"
    rf"|(?:(?:{_H16}:){{0,5}}{_H16})?::{_H16}"
    rf"|(?:(?:{_H16}:){{0,6}}{_H16})?::"
    r")"
)
_IPVFUTURE = rf"v[0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+"
_HOST = rf"(?:\[(?:{_IPV6}|{_IPVFUTURE})\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)"
_AUTHORITY = rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?{_HOST}(?::\d*)?"
_HIER = rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?|{_PCHAR}+(?:/{_PCHAR}*)*|)"
URI_PATTERN = rf"[A-Za-z][A-Za-z0-9+\-.]*:{_HIER}(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
"""RFC 3986 absolute URI (ASCII), as the text of a regular expression (compiled on first use)."""


@cache
def _uri() -> re.Pattern[str]:
    return re.compile(URI_PATTERN, re.ASCII)


def is_uri(text: str) -> bool:
    """True when *text* is an absolute URI (RFC 3986 §3, with optional fragment)."""
    return _uri().fullmatch(text) is not None


_FORMATS: Mapping[str, Callable[[str], bool]] = {"date-time": is_date_time, "uri": is_uri}


NOT_JSON: Any = object()
"""What :func:`plain` returns for a value that stands for no JSON value."""

_PLAIN_TYPES = frozenset((str, int, float, bool, dict, list, type(None)))


def plain(value: Any) -> Any:
    """The JSON value a Python value of the generated models stands for.

    A finite ``Decimal`` becomes the number of its text (``int`` for an integer
    literal, else the nearest ``float``), a ``str``/``int``/``float`` subclass
    (an enum member) its plain value, an aware ``datetime`` its RFC 3339 text.
    A non-finite ``Decimal``, one beyond a double, or a non-finite float
    subclass gives :data:`NOT_JSON`; anything else is returned unchanged.
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            return NOT_JSON
        text = str(value)
        if "." not in text and "E" not in text:
            try:
                return int(text)
            except ValueError:  # beyond the interpreter's digit limit, as the decoder refuses too
                return NOT_JSON
        number = float(text)
        return number if math.isfinite(number) else NOT_JSON
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        number = float.__float__(value)
        return number if math.isfinite(number) else NOT_JSON
    if isinstance(value, datetime) and value.utcoffset() is not None:
        kept = getattr(value, "rfc3339_text", None)
        if isinstance(kept, str):
            return kept
        out = value.isoformat()
        return out[:-6] + "Z" if out.endswith("+00:00") else out
    return value


def _is_json(value: Any, depth: int = 0) -> bool:
    """True when *value* is made only of JSON types (finite numbers, str keys) or stands for them."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            continue
        if t is float:
            if not math.isfinite(v):
                return False
        elif t is dict:
            for k, item in v.items():
                if type(k) is not str:
                    return False
                stack.append(item)
        elif t is list:
            stack.extend(v)
        else:
            p = plain(v)
            if p is NOT_JSON or p is v:
                return False
    return True


def _type_pred(name: str, draft: int) -> Callable[[Any], bool]:
    if name == "string":
        return lambda v: type(v) is str
    if name == "integer":
        if draft == DRAFT4:
            return lambda v: type(v) is int
        return lambda v: type(v) is int or (type(v) is float and v.is_integer())
    if name == "number":
        return lambda v: type(v) is int or type(v) is float
    if name == "boolean":
        return lambda v: type(v) is bool
    if name == "object":
        return lambda v: type(v) is dict
    if name == "array":
        return lambda v: type(v) is list
    if name == "null":
        return lambda v: v is None
    raise UnsupportedError(f"unknown JSON Schema type {name!r}")


_KINDS: Final[Mapping[str, frozenset[type]]] = {
    "string": frozenset((str,)),
    "number": frozenset((int, float)),  # type(True) is bool: booleans are not numbers
    "boolean": frozenset((bool,)),
    "object": frozenset((dict,)),
    "array": frozenset((list,)),
    "null": frozenset((type(None),)),
}


def _kinds(types: Any, draft: int) -> frozenset[type] | None:
    """The exact Python types that pass the type test of *types* (what :func:`_type_pred` accepts).

    None when no set of types states it: a draft-06 integer also takes a float with no fraction.
    """
    names = [types] if isinstance(types, str) else list(types)
    found: set[type] = set()
    for name in names:
        if name == "integer":
            if draft != DRAFT4 and "number" not in names:
                return None
            found.add(int)
        elif name in _KINDS:
            found |= _KINDS[name]
        else:
            return None
    return frozenset(found)


def _exact(value: int | float) -> Fraction:
    return Fraction(value) if type(value) is int else Fraction(repr(value))


def _multiple_test(step: int | float) -> Callable[[int | float], bool]:
    """A test for "value is a multiple of step" on the exact rationals of their decimal texts."""
    exact = _exact(step)
    num = exact.numerator
    decimals = len(str(exact.denominator)) - 1
    if exact.denominator != 10**decimals:
        decimals = -1  # not 1/10**k times an integer: no short cut for floats

    def test(value: int | float) -> bool:
        if type(value) is int:
            # value / (num / den) is an integer iff num divides value * den iff num divides value.
            return value % num == 0
        if num == 1 and decimals >= 0:
            # step = 1/10**k: a float's shortest repr "d.ddd" (no exponent) has f fraction digits,
            # none of them a trailing zero unless it is the "d.0" of a whole number, so
            # value / step is an integer iff f <= k.
            text = repr(value)
            dot = text.find(".")
            if dot >= 0 and "e" not in text:
                if len(text) - dot - 1 <= decimals:
                    return True
                if text[-1] != "0":
                    return False
        return (_exact(value) / exact).denominator == 1

    return test


_SAID: Final = 64  # messages remembered per enum node (see c_enum)


def _close(value: Any, options: list[Any]) -> str:
    """The "did you mean" tail of an enum message (strings only)."""
    if type(value) is not str:
        return ""
    return did_you_mean(value, [o for o in options if type(o) is str])


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Compiler:
    def __init__(self, root: Mapping[str, Any], draft: int, subset: bool = False) -> None:
        self.root = root
        self.draft = draft
        self.refs: dict[str, Check] = {}
        # subset: the schema is a projection (see project()); values it says nothing about pass.
        self.anything: Check = _noop if subset else _check_json

    def ref(self, target: str) -> Check:
        done = self.refs.get(target)
        if done is not None:
            return done
        if not target.startswith("#/"):
            raise UnsupportedError(f"only local $ref is supported, not {target!r}")
        node: Any = self.root
        for part in target[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                raise UnsupportedError(f"dangling $ref {target!r}")
            node = node[part]
        slot: list[Check] = []

        def deferred(value: Any, path: Path, out: list[Finding]) -> None:
            slot[0](value, path, out)

        self.refs[target] = deferred  # what a reference met while compiling the target gets
        compiled = self.node(node)
        slot.append(compiled)
        self.refs[target] = compiled  # later references call the check itself
        return compiled

    def node(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return self.anything
        if schema is False:
            return _check_false
        if not isinstance(schema, Mapping):
            raise UnsupportedError(f"a schema must be an object or a boolean, not {type(schema).__name__}")
        unknown = set(schema) - _HANDLED - _ANNOTATIONS
        if unknown:
            raise UnsupportedError(f"unsupported schema keywords: {', '.join(sorted(unknown))}")
        if "$ref" in schema:
            # Draft-04/06: $ref overrides every sibling keyword.
            return self.ref(schema["$ref"])
        draft = self.draft
        checks: list[Check] = []
        types = schema.get("type")
        type_check: Callable[[Any], bool] | None = None
        if types is not None:
            names = [types] if isinstance(types, str) else list(types)
            preds = [_type_pred(n, draft) for n in names]
            wanted = " or ".join(names)
            type_check = preds[0] if len(preds) == 1 else (lambda v: any(p(v) for p in preds))
        if "enum" in schema:
            options = list(schema["enum"])
            str_options = frozenset(o for o in options if type(o) is str)
            only_str = len(str_options) == len(options)
            # Every allowed value is named (the longest OCPP enum, 2.1 MeasurandEnumType, has 56).
            shown = ", ".join(map(str, options))
            # The message on a text outside the enum, by text: a charger that sends a wrong value
            # sends it again and again, and the "did you mean" search costs far more than the walk.
            said: dict[str, str] = {}

            def c_enum(v: Any, path: Path, out: list[Finding]) -> None:
                if type(v) is str:
                    if v in str_options:
                        return
                    message = said.get(v)
                    if message is not None:
                        out.append(Finding(path, "enum", message))
                        return
                if not only_str and any(_json_equal(v, o) for o in options):
                    return
                message = f"{_describe(v)} is not one of: {shown}{_close(v, options)}"
                if type(v) is str:
                    if len(said) >= _SAID:
                        said.clear()
                    said[v] = message
                out.append(Finding(path, "enum", message))

            checks.append(c_enum)
        if "const" in schema:
            const = schema["const"]

            def c_const(v: Any, path: Path, out: list[Finding]) -> None:
                if not _json_equal(v, const):
                    out.append(Finding(path, "const", f"{_describe(v)} is not {_describe(const)}"))

            checks.append(c_const)
        if "maxLength" in schema or "minLength" in schema:
            hi = schema.get("maxLength")
            lo = schema.get("minLength")

            def c_len(v: Any, path: Path, out: list[Finding]) -> None:
                if type(v) is str:
                    # JSON Schema counts characters (code points), as len() does.
                    n = len(v)
                    if hi is not None and n > hi:
                        out.append(Finding(path, "maxLength", f"{n} characters, at most {hi} allowed"))
                    if lo is not None and n < lo:
                        out.append(Finding(path, "minLength", f"{n} characters, at least {lo} required"))

            checks.append(c_len)
        if "format" in schema and schema["format"] in _FORMATS:
            fmt = schema["format"]
            test = _FORMATS[fmt]

            def c_format(v: Any, path: Path, out: list[Finding]) -> None:
                if type(v) is str and not test(v):
                    out.append(Finding(path, "format", f"{_describe(v)} is not a valid {fmt}"))

            checks.append(c_format)
        num_keys = [
            k
            for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
            if k in schema
        ]
        if num_keys:
            checks.append(self.numeric(schema))
        if any(k in schema for k in ("properties", "required", "additionalProperties")):
            checks.append(self.object(schema))
        if any(k in schema for k in ("items", "additionalItems", "minItems", "maxItems")):
            checks.append(self.array(schema))
        if type_check is None and not checks:
            return self.anything
        tc = type_check
        only = tuple(checks)

        def as_json(v: Any, path: Path, out: list[Finding]) -> Any:
            # A model's Python value (Decimal, enum member, datetime) is judged as the JSON value
            # it stands for; only values that fail their type test pay for the look. NOT_JSON,
            # with its finding, for a value that stands for none or for one of another type.
            p = plain(v) if type(v) not in _PLAIN_TYPES else v
            if p is NOT_JSON:
                out.append(Finding(path, "json", f"{_describe(v)} is not a JSON number"))
                return NOT_JSON
            if tc is not None and (p is v or not tc(p)):
                out.append(Finding(path, "type", f"{_describe(v)} is not of type {wanted}"))
                return NOT_JSON
            return p

        kinds = _kinds(types, draft) if types is not None else None
        if kinds is not None:
            assert tc is not None
            isfinite = math.isfinite

            def c_node_typed(v: Any, path: Path, out: list[Finding]) -> None:
                # c_node below, with the type test as a set of exact types (it is one for every
                # type name but a draft-06 integer): no call per node.
                t = type(v)
                if t is float and not isfinite(v):
                    out.append(Finding(path, "json", f"{v!r} is not a JSON number"))
                    return
                if t not in kinds:
                    v = as_json(v, path, out)
                    if v is NOT_JSON:
                        return
                for c in only:
                    c(v, path, out)

            return c_node_typed

        def c_node(v: Any, path: Path, out: list[Finding]) -> None:
            if type(v) is float and not math.isfinite(v):
                out.append(Finding(path, "json", f"{v!r} is not a JSON number"))
                return
            if (tc is not None and not tc(v)) or (tc is None and type(v) not in _PLAIN_TYPES):
                v = as_json(v, path, out)
                if v is NOT_JSON:
                    return
            for c in only:
                c(v, path, out)

        return c_node

    def numeric(self, schema: Mapping[str, Any]) -> Check:
        lo = schema.get("minimum")
        hi = schema.get("maximum")
        ex_lo = schema.get("exclusiveMinimum")
        ex_hi = schema.get("exclusiveMaximum")
        if self.draft == DRAFT4:
            # Draft-04: exclusiveMinimum/Maximum are booleans modifying minimum/maximum.
            lo_strict, hi_strict = ex_lo is True, ex_hi is True
            ex_lo = ex_hi = None
        else:
            lo_strict = hi_strict = False
        step = schema.get("multipleOf")
        multiple = _multiple_test(step) if step is not None else None

        def c_num(v: Any, path: Path, out: list[Finding]) -> None:
            if (type(v) is not int and type(v) is not float) or type(v) is bool:
                return
            if lo is not None and (v <= lo if lo_strict else v < lo):
                out.append(Finding(path, "minimum", f"{_describe(v)} is below the minimum {lo}"))
            if hi is not None and (v >= hi if hi_strict else v > hi):
                out.append(Finding(path, "maximum", f"{_describe(v)} is above the maximum {hi}"))
            if ex_lo is not None and v <= ex_lo:
                out.append(Finding(path, "exclusiveMinimum", f"{_describe(v)} is not above {ex_lo}"))
            if ex_hi is not None and v >= ex_hi:
                out.append(Finding(path, "exclusiveMaximum", f"{_describe(v)} is not below {ex_hi}"))
            if multiple is not None and not multiple(v):
                out.append(Finding(path, "multipleOf", f"{_describe(v)} is not a multiple of {step}"))

        return c_num

    def object(self, schema: Mapping[str, Any]) -> Check:
        props = {name: self.node(sub) for name, sub in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra = schema.get("additionalProperties", True)
        extra_check: Check | None = None if extra is True or extra is False else self.node(extra)
        closed = extra is False
        anything = self.anything
        if anything is _noop and not required and not closed and extra_check is None:
            # A projection (see split()): only the properties it names can break a rule.
            named = tuple(props.items())

            def c_obj_projected(v: Any, path: Path, out: list[Finding]) -> None:
                if type(v) is dict:
                    for name, sub in named:
                        if name in v:
                            sub(v[name], (path, name), out)

            return c_obj_projected

        def c_obj(v: Any, path: Path, out: list[Finding]) -> None:
            if type(v) is not dict:
                return
            for name in required:
                if name not in v:
                    out.append(Finding((path, name), "required", f"required property {name!r} is missing"))
            for key, item in v.items():
                if type(key) is not str:
                    out.append(Finding(path, "json", f"key {_describe(key)} is not a string"))
                    continue
                sub = props.get(key)
                if sub is not None:
                    sub(item, (path, key), out)
                elif closed:
                    out.append(
                        Finding((path, key), "additionalProperties", f"property {key!r} is not allowed")
                    )
                elif extra_check is not None:
                    extra_check(item, (path, key), out)
                elif anything is _check_json and not _is_json(item):
                    out.append(Finding((path, key), "json", "value is not made of JSON types"))

        return c_obj

    def array(self, schema: Mapping[str, Any]) -> Check:
        items = schema.get("items", True)
        lo = schema.get("minItems")
        hi = schema.get("maxItems")
        if isinstance(items, list):
            positional = [self.node(s) for s in items]
            more = schema.get("additionalItems", True)
            rest: Check | None = (
                None if more is True else (_check_false if more is False else self.node(more))
            )
            each: Check | None = None
        else:
            positional = []
            rest = None
            each = self.node(items)
        anything = self.anything

        def c_arr(v: Any, path: Path, out: list[Finding]) -> None:
            if type(v) is not list:
                return
            n = len(v)
            if lo is not None and n < lo:
                out.append(Finding(path, "minItems", f"{n} items, at least {lo} required"))
            if hi is not None and n > hi:
                out.append(Finding(path, "maxItems", f"{n} items, at most {hi} allowed"))
            if each is not None:
                for i, item in enumerate(v):
                    each(item, (path, i), out)
                return
            for i, item in enumerate(v):
                if i < len(positional):
                    positional[i](item, (path, i), out)
                elif rest is _check_false:
                    out.append(Finding((path, i), "additionalItems", "no more items are allowed"))
                elif rest is not None:
                    rest(item, (path, i), out)
                elif anything is _check_json and not _is_json(item):
                    out.append(Finding((path, i), "json", "value is not made of JSON types"))

        return c_arr


def _json_equal(a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    return bool(type(a) is type(b) and a == b) or (
        type(a) in (int, float) and type(b) in (int, float) and a == b
    )


def _noop(v: Any, path: Path, out: list[Finding]) -> None:
    pass


def _check_json(v: Any, path: Path, out: list[Finding]) -> None:
    if not _is_json(v):
        out.append(Finding(path, "json", "value is not made of JSON types"))


def _check_false(v: Any, path: Path, out: list[Finding]) -> None:
    out.append(Finding(path, "false", "no value is allowed here"))


def compile_schema(schema: Mapping[str, Any], *, subset: bool = False) -> Check:
    """Compile a whole schema (its ``definitions`` reachable by ``$ref``) into one check.

    With ``subset=True`` the schema is a projection made by :func:`split` and
    values it says nothing about are not inspected. Raises
    :class:`~ocpkit.errors.UnsupportedError` for keywords it does not
    implement, so a verdict is never silently wrong.
    """
    compiler = _Compiler(schema, draft_of(schema), subset)
    return compiler.node(schema)


def split(schema: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Split a schema in two whose conjunction is the original.

    The first part lacks ``multipleOf`` (a keyword a float based engine may
    misjudge); the second keeps only that keyword and the
    ``properties``/``items``/``$ref`` structure leading to it, or is None when
    the schema has none.
    """

    def rest(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: rest(v) for k, v in node.items() if k != "multipleOf"}
        if isinstance(node, list):
            return [rest(v) for v in node]
        return node

    def picked(node: Any) -> dict[str, Any] | None:
        if not isinstance(node, Mapping):
            return None
        out: dict[str, Any] = {}
        if "$ref" in node:
            return {"$ref": node["$ref"]}
        if "multipleOf" in node:
            out["multipleOf"] = node["multipleOf"]
        props = {k: p for k, p in ((k, picked(v)) for k, v in node.get("properties", {}).items()) if p}
        if props:
            out["properties"] = props
        items = picked(node.get("items"))
        if items:
            out["items"] = items
        return out or None

    def has_picked(node: Any) -> bool:
        if isinstance(node, dict):
            return "multipleOf" in node or any(has_picked(v) for v in node.values())
        if isinstance(node, list):
            return any(has_picked(v) for v in node)
        return False

    if not has_picked(schema):
        return dict(schema), None
    second = picked(schema) or {}
    defs = schema.get("definitions", {})
    if defs:
        second["definitions"] = {name: picked(d) or {} for name, d in defs.items()}
    if "$schema" in schema:
        second["$schema"] = schema["$schema"]
    return rest(schema), second
