"""The struct lane of OCPP validation: one msgspec decoding that is also the verdict.

Theory of operation. When the optional ``msgspec`` package is installed, each
(version, action, direction) schema that uses only what msgspec can state
exactly is turned, on first use, into msgspec types: a ``Struct`` per object
(unknown members refused where the schema says ``additionalProperties: false``),
``Literal`` for enums, ``Meta`` bounds for lengths, item counts and numeric
limits. Decoding a payload's bytes into those types *is* the verdict "valid for
sure"; any decoding error means "ask the other lanes", which then decide and
report. So the lane must never accept what the exact checker refuses:

* JSON rules (:mod:`ocpkit.ocpp._json`): msgspec refuses invalid UTF-8, a byte
  order mark, NaN and the infinities, numbers that overflow a double, lone
  surrogate escapes and control characters; a duplicated member must pass its
  type every time it appears, so the last one (the one the rules keep) does.
  Nesting beyond :data:`~ocpkit.ocpp._json.MAX_DEPTH` is left to the other
  lanes by the caller, with the same bracket count they use.
* Types. ``int`` refuses ``1.0`` (draft-06 would accept it: a refusal here only
  costs time); numeric bounds are compared on the same doubles the exact checker
  compares, and every OCPP bound is below 2**53, so a big integer literal is
  never mistaken for one inside a bound.
* Formats. ``date-time`` is a pattern stating the exact checker's RFC 3339 rule
  whole (calendar days and leap years, no leap second, no year 0000, offsets up
  to 23:59, ``\\Z`` so no trailing newline); ``uri`` is the exact checker's own
  RFC 3986 expression. Both are ASCII-only, as there. A node with a format and
  no length bound (every OCPP one) becomes a custom type whose decoding hook
  searches the compiled expression on the decoded text (msgspec's ``pattern``
  constraint runs the same search at a higher cost per value).
* ``multipleOf`` (msgspec's own test divides floats) is judged by the exact
  checker itself: the number node becomes a custom type whose decoding hook
  runs the node's compiled exact check on the value msgspec decoded (an exact
  ``int`` for an integer literal, else the nearest double, as the exact decoder
  gives).
* A schema with a type list, or any keyword outside the ones above, gets no
  struct lane.

A message is decoded once, whole, as a tagged array struct per action: ``[2,
message id, action, payload]`` (:func:`call_decoder`; 6 for a 2.1 SEND), ``[3,
message id, payload]`` (:func:`result_decoder`, the action being the one of the
CALL answered), ``[4, message id, code, description, details]``
(:func:`error_decoder`; 2.1 also 5), the action and the error code being
literals, so a decoding that succeeds has confirmed the frame type, its length,
the message id's length, the action (or code) and the payload at once. A
CALLERROR's details decode as any object, by the JSON rules above.
Without msgspec, or for a schema it cannot state, the jsonschema-rs
lane and the exact checker judge alone: same verdicts, slower.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from importlib.util import find_spec
from typing import Annotated, Any, Final, Literal

from ocpkit.ocpp.rpc import MAX_MESSAGE_ID_LENGTH
from ocpkit.ocpp.validation._exact import DRAFT4, Check, compile_schema, draft_of
from ocpkit.ocpp.validation._exact import URI_PATTERN as _URI_TEXT

_LATER: Any = object()
# Optional, imported when the first struct lane is built. None: not installed (or switched off).
_msgspec: Any = _LATER if find_spec("msgspec") is not None else None

__all__ = [
    "DATE_TIME_PATTERN",
    "HAVE_MSGSPEC",
    "URI_PATTERN",
    "call_decoder",
    "enabled",
    "error_decoder",
    "payload_type",
    "result_decoder",
]

HAVE_MSGSPEC: Final = _msgspec is not None
"""True when ``msgspec`` is installed and the struct lane is used."""


def enabled() -> bool:
    """Whether the struct lane is on (msgspec installed, and not switched off by a test)."""
    return _msgspec is not None


def _module() -> Any:
    """The msgspec module (imported on first use), or None."""
    global _msgspec
    if _msgspec is _LATER:
        import msgspec

        _msgspec = msgspec
    return _msgspec


_YEAR = "(?!0000)[0-9]{4}"
# Leap years: divisible by 4, and by 400 when a century.
_LEAP = "(?!0000)(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_DATE = (
    f"(?:{_YEAR}-(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    f"|{_YEAR}-(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    f"|{_YEAR}-02-(?:0[1-9]|1[0-9]|2[0-8])"
    f"|{_LEAP}-02-29)"
)
DATE_TIME_PATTERN: Final = (
    rf"(?a)\A{_DATE}[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])\Z"
)
"""The exact checker's RFC 3339 ``date-time`` rule as one expression (see the module docstring)."""
URI_PATTERN: Final = rf"(?a)\A(?:{_URI_TEXT})\Z"
"""The exact checker's RFC 3986 absolute-URI expression, anchored for a search."""

_ANNOTATIONS = frozenset(("$schema", "$id", "id", "title", "description", "comment", "$comment", "javaType"))
_STATED = frozenset(
    (
        "$ref",
        "definitions",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "const",
        "maxLength",
        "minLength",
        "format",
        "items",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    )
)


class _Unstated(Exception):
    """The schema uses something the struct lane cannot state exactly."""


class _Builder:
    """Turns one schema into msgspec types (one Struct per object node, shared per $ref)."""

    def __init__(self, root: Mapping[str, Any], name: str) -> None:
        self.root = root
        self.name = name
        self.draft = draft_of(root)
        self.refs: dict[str, Any] = {}
        self.count = 0

    def ref(self, target: str) -> Any:
        done = self.refs.get(target)
        if done is not None:
            return done
        if not target.startswith("#/definitions/"):
            raise _Unstated(target)
        node = self.root.get("definitions", {}).get(target[len("#/definitions/") :])
        if not isinstance(node, Mapping):
            raise _Unstated(target)
        self.refs[target] = None  # OCPP schemas are not recursive; a cycle is refused below
        made = self.node(node)
        self.refs[target] = made
        return made

    def node(self, schema: Any) -> Any:
        assert _msgspec is not None
        if schema is True or schema == {}:
            return Any
        if not isinstance(schema, Mapping):
            raise _Unstated("boolean schema")
        if set(schema) - _STATED - _ANNOTATIONS - {"default"}:
            raise _Unstated(", ".join(sorted(set(schema) - _STATED - _ANNOTATIONS)))
        if "$ref" in schema:
            made = self.ref(schema["$ref"])
            if made is None:
                raise _Unstated("recursive $ref")
            return made
        kind = schema.get("type")
        if kind is None and ("properties" in schema or "required" in schema):
            kind = "object"
        if kind is None and "enum" not in schema and "const" not in schema:
            if set(schema) - _ANNOTATIONS - {"default", "definitions"}:
                raise _Unstated("constraints without a type")
            return Any
        if not isinstance(kind, str | None):
            raise _Unstated("type list")
        if "multipleOf" in schema and kind not in ("integer", "number"):
            raise _Unstated("multipleOf without a numeric type")
        if "enum" in schema or "const" in schema:
            return self.choice(schema, kind)
        if kind == "object":
            return self.struct(schema)
        if kind == "array":
            return self.array(schema)
        if kind == "string":
            return self.string(schema)
        if kind in ("integer", "number"):
            return self.number(schema, kind)
        if kind == "boolean":
            return bool
        raise _Unstated(f"type {kind}")

    def choice(self, schema: Mapping[str, Any], kind: str | None) -> Any:
        options = list(schema["enum"]) if "enum" in schema else [schema["const"]]
        if "enum" in schema and "const" in schema:
            raise _Unstated("enum and const")
        if kind not in ("string", None) or not all(type(o) is str for o in options):
            raise _Unstated("non-string enum")
        lo, hi = schema.get("minLength", 0), schema.get("maxLength")
        # Where an enum has length bounds too, the values that break them are never valid.
        kept = tuple(o for o in options if len(o) >= lo and (hi is None or len(o) <= hi))
        if "format" in schema or not kept:
            raise _Unstated("enum with a format, or no value left")
        return Literal[kept]

    def struct(self, schema: Mapping[str, Any]) -> Any:
        assert _msgspec is not None
        extra = schema.get("additionalProperties", True)
        if extra not in (True, False):
            raise _Unstated("additionalProperties schema")
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        if not isinstance(properties, Mapping) or required - set(properties):
            raise _Unstated("required member without a property schema")
        if not properties and extra is True:
            return dict[str, Any]
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        rename: dict[str, str] = {}
        for i, (wire, sub) in enumerate(properties.items()):
            attribute = f"f{i}"
            rename[attribute] = wire
            typ = self.node(sub)
            if wire in required:
                fields.append((attribute, typ))
            else:
                fields.append((attribute, typ, _msgspec.UNSET))
        self.count += 1
        # gc=False: decoded values hold no reference cycles, and untracked structs spare the
        # collector (decoding allocates many objects)
        return _msgspec.defstruct(
            f"{self.name}{self.count}",
            fields,
            kw_only=True,
            forbid_unknown_fields=extra is False,
            rename=rename,
            gc=False,
        )

    def array(self, schema: Mapping[str, Any]) -> Any:
        assert _msgspec is not None
        item = self.node(schema.get("items", {}))
        if isinstance(schema.get("items"), list):
            raise _Unstated("tuple items")
        meta: dict[str, Any] = {}
        if "minItems" in schema:
            meta["min_length"] = schema["minItems"]
        if "maxItems" in schema:
            meta["max_length"] = schema["maxItems"]
        return Annotated[list[item], _msgspec.Meta(**meta)] if meta else list[item]  # type: ignore[valid-type]

    def string(self, schema: Mapping[str, Any]) -> Any:
        assert _msgspec is not None
        meta: dict[str, Any] = {}
        if "minLength" in schema:
            meta["min_length"] = schema["minLength"]
        if "maxLength" in schema:
            meta["max_length"] = schema["maxLength"]
        fmt = schema.get("format")
        if fmt == "date-time":
            pattern = DATE_TIME_PATTERN
        elif fmt == "uri":
            pattern = URI_PATTERN
        elif fmt is not None:
            raise _Unstated(f"format {fmt}")
        if fmt is not None:
            if not meta:
                # A format alone (every OCPP date-time and uri): the hook runs the compiled
                # expression itself, cheaper than msgspec's pattern constraint, with the same verdict.
                return _formatted(pattern)
            meta["pattern"] = pattern
        return Annotated[str, _msgspec.Meta(**meta)] if meta else str

    def number(self, schema: Mapping[str, Any], kind: str) -> Any:
        assert _msgspec is not None
        if "format" in schema:
            raise _Unstated("format on a number")
        if "multipleOf" in schema:
            # msgspec's multiple_of divides floats: the node is judged by the exact checker itself.
            exact: Any = type(f"{self.name}Number{self.count}", (_ExactNumber,), {"__slots__": ()})
            self.count += 1
            exact.check = compile_schema({**schema, "$schema": self.root.get("$schema", "")})
            exact.token = exact()
            return exact
        meta: dict[str, Any] = {}
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            bound = schema.get(key)
            if bound is None or type(bound) is bool:
                continue
            if type(bound) not in (int, float) or abs(bound) >= 2**53:
                raise _Unstated("bound")
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if self.draft == DRAFT4:
            # Draft-04: exclusiveMinimum/Maximum are flags on minimum/maximum.
            if lo is not None:
                meta["gt" if schema.get("exclusiveMinimum") is True else "ge"] = lo
            if hi is not None:
                meta["lt" if schema.get("exclusiveMaximum") is True else "le"] = hi
        else:
            if lo is not None:
                meta["ge"] = lo
            if hi is not None:
                meta["le"] = hi
            for key, name in (("exclusiveMinimum", "gt"), ("exclusiveMaximum", "lt")):
                bound = schema.get(key)
                if type(bound) is bool:
                    raise _Unstated("draft-04 flag in a later draft")
                if bound is not None:
                    if name in meta:
                        raise _Unstated("two bounds on one side")
                    meta[name] = bound
        base: Any = int if kind == "integer" else float
        return Annotated[base, _msgspec.Meta(**meta)] if meta else base


Decode = Callable[[Any], Any]


class _ExactNumber:
    """A number node the struct lane leaves to the exact checker (``multipleOf``).

    msgspec hands the decoded JSON value (an exact ``int`` for an integer
    literal, else the nearest double, as the exact decoder gives) to
    :func:`_hook`, which runs the node's own exact check on it; a subclass is
    made per node and carries that check.
    """

    __slots__ = ()
    check: Check
    token: _ExactNumber


class _Formatted:
    """A string node with a format and no other constraint: the hook searches its expression.

    msgspec hands the decoded JSON value to :func:`_hook`, which takes it when it
    is a text the format's expression finds (``re.search``, as msgspec's own
    ``pattern`` constraint does); a subclass is made per expression.
    """

    __slots__ = ()


# Formatted node type -> (the compiled expression's search, the token the hook returns).
_FORMATS: dict[type, tuple[Callable[[str], Any], Any]] = {}
_FORMAT_TYPES: dict[str, type] = {}


def _formatted(pattern: str) -> type:
    """The :class:`_Formatted` type of an expression (one per expression text)."""
    made = _FORMAT_TYPES.get(pattern)
    if made is None:
        made = type(f"Formatted{len(_FORMAT_TYPES)}", (_Formatted,), {"__slots__": ()})
        _FORMATS[made] = (re.compile(pattern).search, made())
        _FORMAT_TYPES[pattern] = made
    return made


def _hook(typ: Any, value: Any) -> Any:
    """msgspec's ``dec_hook``: judge a :class:`_Formatted` or :class:`_ExactNumber` node, refuse the rest."""
    found = _FORMATS.get(typ)
    if found is not None:
        search, token = found
        if type(value) is str and search(value) is not None:
            return token
        raise ValueError("not of the format")
    check = getattr(typ, "check", None)
    if check is None:
        raise TypeError(f"no struct lane for {typ!r}")
    out: list[Any] = []
    check(value, (), out)
    if out:
        raise ValueError("not a multiple")
    return typ.token


def payload_type(schema: Mapping[str, Any], name: str) -> Any | None:
    """The msgspec type whose decoding is the verdict "valid for sure" on a payload (None: no lane)."""
    if _module() is None:
        return None
    try:
        typ = _Builder(schema, name).node(schema)
    except _Unstated:
        return None
    if typ is Any:
        return dict[str, Any]  # a payload is an object in any case
    return typ


_OPTIONS: Final[Mapping[str, Any]] = {"array_like": True, "forbid_unknown_fields": True, "gc": False}


def _message_id() -> Any:
    return Annotated[str, _msgspec.Meta(max_length=MAX_MESSAGE_ID_LENGTH)]


def call_decoder(schema: Mapping[str, Any], action: str, tag: int) -> Decode | None:
    """``decode(text)`` of a whole CALL (tag 2) or SEND (tag 6) of *action*, or None (no lane).

    Succeeds only on ``[tag, message id, action, payload]`` with the payload
    valid for sure; returns the decoded frame (``.id``, ``.action``).
    """
    typ = payload_type(schema, action)
    if typ is None:
        return None
    frame = _msgspec.defstruct(
        f"{action}Call",
        [("id", _message_id()), ("action", Literal[action]), ("payload", typ)],
        tag=tag,
        **_OPTIONS,
    )
    decode: Decode = _msgspec.json.Decoder(frame, dec_hook=_hook).decode
    return decode


def result_decoder(schema: Mapping[str, Any], action: str) -> Decode | None:
    """``decode(text)`` of a whole CALLRESULT answering *action* (``.id``), or None (no lane)."""
    typ = payload_type(schema, action)
    if typ is None:
        return None
    frame = _msgspec.defstruct(
        f"{action}Result", [("id", _message_id()), ("payload", typ)], tag=3, **_OPTIONS
    )
    decode: Decode = _msgspec.json.Decoder(frame, dec_hook=_hook).decode
    return decode


def error_decoder(codes: Iterable[str], tags: Iterable[int]) -> Decode | None:
    """``decode(text)`` of a whole CALLERROR (or 2.1 CALLRESULTERROR) with one of *codes*, or None.

    Each of *tags* is read as ``[tag, message id, code, description, details
    object]``, the details decoded as any object by the JSON rules above.
    """
    ms = _module()
    if ms is None:
        return None
    code: Any = Literal[tuple(sorted(codes))]
    fields = [("id", _message_id()), ("code", code), ("description", str), ("details", dict[str, Any])]
    types = [ms.defstruct(f"Error{tag}", fields, tag=tag, **_OPTIONS) for tag in tags]
    union: Any = types[0]
    for more in types[1:]:
        union = union | more
    decode: Decode = ms.json.Decoder(union).decode
    return decode
