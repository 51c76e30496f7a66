"""OCPP payload and frame validation: verdicts equal to the official schemas, every violation listed.

Theory of operation. Each (version, action, direction) has one JSON Schema,
ocpkit's own (:func:`ocpkit.schemas.ocpp_schema`), which equals the official
file after normalisation. It is compiled once, on first use, into:

1. an *exact checker* (:mod:`ocpkit.ocpp.validation._exact`) that walks a payload
   and lists every broken rule, with the semantics of the schema's draft,
   exact rationals for ``multipleOf`` and strict RFC 3339 / RFC 3986 formats;
2. when the optional ``jsonschema-rs`` package is installed, a *verdict-only*
   fast validator compiled from the same schema.

A payload given as text is decoded by the rules of :mod:`ocpkit.ocpp._json`
and judged by the fast validator; only a payload it refuses is walked by the
exact checker, which then decides (and builds the report). The fast validator
never accepts what the exact checker refuses: ``multipleOf`` (it divides
floats) is split off the schema and judged by the exact checker on a
projection holding only it; its ``uri`` format is replaced by the exact
checker's test; its own ``date-time`` (which accepts leap seconds and year
0000) is narrowed by a pattern refusing both; and it is never used for Python
objects passed in by the caller (it accepts tuples, NaN, non-string keys).
Without ``jsonschema-rs`` every payload goes through the exact checker: same
verdicts, slower.

:func:`check_frame` and :func:`check_frames` are the bulk paths. With the
optional ``msgspec`` installed, the *struct lane*
(:mod:`~ocpkit.ocpp.validation._structs`) comes first: one typed decoding of
the whole message, chosen by its action (the fourth quoted text of a CALL, the
answered action of a CALLRESULT), is the verdict "valid for sure", and the
report of such a message is a light one holding only its text. A message it
refuses goes to the exact decoder and checker at once (in :func:`check_frames`;
most such messages are invalid). A message it does not read (no decoder for
it, a text too deep to be sure of, a caller's objects) costs one
``orjson.loads``, a few type tests and one jsonschema-rs call, and the exact
path only when that refuses it.

The package: :mod:`~ocpkit.ocpp.validation._exact` (the exact checker),
:mod:`~ocpkit.ocpp.validation._fast` (compiled verdicts and the per-version
lookup tables of the fast lane), :mod:`~ocpkit.ocpp.validation._lenient` (the
repairs of lenient mode). The JSON decoder, :mod:`ocpkit.ocpp._json`, sits one
level up, beside :mod:`ocpkit.ocpp.rpc`: framing decodes text too, and
validation builds on framing, so the decoder lives below both.

A typed model (the generated pydantic class of the action) is built only when
asked for, by :func:`validate_payload`; :func:`check_frame` returns verdicts
and reports without building models, for bulk validation of captures.

Error codes. Each violation carries the OCPP-J error code a CALLERROR
answering the message would use. :data:`KEYWORD_RULES` maps a schema keyword to
a fault kind, and :data:`ocpkit.ocpp.rpc.RULE_CODES` a fault kind to the code of
each version:

==============================  ==========  ==============================  ==============================
keyword                         fault kind  OCPP 1.6                        OCPP 2.0.1 / 2.1
==============================  ==========  ==============================  ==============================
type                            type        TypeConstraintViolation         TypeConstraintViolation
required, minItems, maxItems    occurrence  OccurenceConstraintViolation    2.0.1 OccurenceConstraint...,
                                                                            2.1 OccurrenceConstraint...
enum, const, min/maxLength,     property    PropertyConstraintViolation     PropertyConstraintViolation
minimum, maximum, exclusive*,
multipleOf, format
additionalProperties,           format      FormationViolation              FormatViolation
additionalItems, false, json
==============================  ==========  ==============================  ==============================

Frame-level faults (not JSON, bad array, unknown action...) are in
:data:`ocpkit.ocpp.rpc.RULE_CODES`.

The 1.6 and 2.0.1 spelling "Occurence" is the one their OCPP-J texts define
(the 1.6 errata sheet keeps it on purpose); 2.1 corrects it.

Lenient mode (``lenient=True``, the same keyword as :func:`ocpkit.ocpi.parse`)
never raises on content: it returns a :class:`~ocpkit.findings.LenientResult`
(one type for both protocols) with every violation and a best-effort model,
after repairing what real chargers commonly get wrong (see
:func:`validate_payload`).
"""

from __future__ import annotations

import warnings
from abc import ABCMeta
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Literal, overload

from ocpkit.errors import FrameInvalid, PayloadInvalid, UnsupportedError, Violation
from ocpkit.findings import LenientResult as LenientResult
from ocpkit.ocpp import _json
from ocpkit.ocpp.rpc import (
    MAX_MESSAGE_ID_LENGTH,
    RULE_CODES,
    Call,
    CallError,
    CallResult,
    CallResultError,
    Frame,
    Send,
    parse_frame,
    sender_role,
)
from ocpkit.ocpp.validation import _fast
from ocpkit.ocpp.validation._exact import (
    _PLAIN_TYPES,
    NOT_JSON,
    Check,
    Finding,
    compile_schema,
    flat_pointer,
    plain,
    pointer,
)
from ocpkit.ocpp.validation._fast import HAVE_FAST_ENGINE, compiled_schema, judge

if TYPE_CHECKING:
    from pydantic import BaseModel

# LenientResult (which used to live here) is re-exported; it is documented once, in ocpkit.findings.
__all__ = [
    "HAVE_FAST_ENGINE",
    "KEYWORD_RULES",
    "FrameReport",
    "OfficialSchemaValidator",
    "build_model",
    "check_frame",
    "check_frames",
    "check_payload",
    "validate_payload",
]

Direction = Literal["request", "response"]

KEYWORD_RULES: Final[Mapping[str, str]] = {
    "type": "type",
    "required": "occurrence",
    "minItems": "occurrence",
    "maxItems": "occurrence",
    "enum": "property",
    "const": "property",
    "maxLength": "property",
    "minLength": "property",
    "minimum": "property",
    "maximum": "property",
    "exclusiveMinimum": "property",
    "exclusiveMaximum": "property",
    "multipleOf": "property",
    "format": "property",
    "additionalProperties": "format",
    "additionalItems": "format",
    "false": "format",
    "json": "format",
}
"""Schema keyword -> fault kind (a key of :data:`ocpkit.ocpp.rpc.RULE_CODES`)."""


def _code(keyword: str, version: str) -> str:
    return RULE_CODES[KEYWORD_RULES.get(keyword, "format")][version]


def _violations(findings: list[Finding], version: str, prefix: str = "") -> tuple[Violation, ...]:
    return tuple(
        Violation(prefix + pointer(f.path), f.keyword, f.message, _code(f.keyword, version)) for f in findings
    )


def check_payload(
    version: str, action: str, direction: str, data: bytes | bytearray | memoryview | str | dict[str, Any]
) -> tuple[Violation, ...]:
    """Return every violation of a payload (empty when it is valid); build no model.

    Raises only :class:`~ocpkit.errors.UnsupportedError` (unknown version,
    action or direction); a payload that is not JSON or not an object is
    reported as a violation.
    """
    return _check_payload(version, action, direction, data)[0]


def _check_payload(
    version: str, action: str, direction: str, data: bytes | bytearray | memoryview | str | dict[str, Any]
) -> tuple[tuple[Violation, ...], Any]:
    """Violations and the decoded payload (None when it could not be decoded)."""
    compiled = compiled_schema(version, action, direction)
    if isinstance(data, dict):
        return _violations(compiled.findings(data), version), data
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes | str):
        text = f"expected bytes, str or dict, got {type(data).__name__}"
        return (Violation("", "json", text, _code("json", version)),), None
    try:
        decoded = _json.decode(data)
    except _json.JsonError as exc:
        return (Violation("", "json", str(exc), _code("json", version)),), None
    if type(decoded) is not dict:
        return (Violation("", "type", "a payload must be a JSON object", _code("type", version)),), decoded
    return _violations(judge(compiled, decoded, True), version), decoded


Data = bytes | bytearray | memoryview | str | dict[str, Any]


@overload
def validate_payload(
    version: str, action: str, direction: str, data: Data, *, lenient: Literal[False] = ...
) -> BaseModel: ...
@overload
def validate_payload(
    version: str, action: str, direction: str, data: Data, *, lenient: Literal[True]
) -> LenientResult: ...
@overload
def validate_payload(
    version: str, action: str, direction: str, data: Data, *, strict: Literal[False]
) -> LenientResult: ...
@overload
def validate_payload(
    version: str, action: str, direction: str, data: Data, *, strict: Literal[True]
) -> BaseModel: ...
@overload
def validate_payload(
    version: str, action: str, direction: str, data: Data, *, lenient: bool = ..., strict: bool | None = ...
) -> BaseModel | LenientResult: ...
def validate_payload(
    version: str,
    action: str,
    direction: str,
    data: Data,
    *,
    lenient: bool = False,
    strict: bool | None = None,
) -> BaseModel | LenientResult:
    """Validate an OCPP payload against its schema and return the typed model.

    *direction* is ``"request"`` or ``"response"``; *data* is the payload as
    JSON text (bytes or str) or as a decoded object. By default an invalid
    payload raises :class:`~ocpkit.errors.PayloadInvalid` carrying every
    violation. With ``lenient=True`` (the keyword :func:`ocpkit.ocpi.parse`
    takes too) nothing is raised for the payload's content: a
    :class:`~ocpkit.findings.LenientResult` holds the violations and a model
    built after these repairs, each named in ``repairs``: a date-time without
    offset is read as UTC, a number or boolean sent as a string is converted, a
    JSON value where 1.6 ``DataTransfer.data`` wants a string is serialised to
    one; where a value still cannot be typed (an unknown enum value, say), it
    is kept as sent, and unknown properties are set aside in ``extra``.
    Unknown version, action or direction raise
    :class:`~ocpkit.errors.UnsupportedError` in both modes.

    ``strict=`` is the former spelling (``strict=False`` is ``lenient=True``);
    it still works and warns with a :class:`DeprecationWarning`.
    """
    if strict is not None:
        warnings.warn(
            "validate_payload(strict=...) is deprecated; use lenient=True (or leave it out for strict)",
            DeprecationWarning,
            stacklevel=2,
        )
        lenient = not strict
    model_cls = _model_class(version, action, direction)
    violations, decoded = _check_payload(version, action, direction, data)
    if not lenient:
        if violations:
            raise PayloadInvalid(
                f"OCPP {version} {action} {direction}: {len(violations)} violation(s)",
                violations,
                version=version,
                action=action,
                direction=direction,
            )
        return _build(model_cls, decoded, version, action, direction)
    if type(decoded) is not dict:
        return LenientResult(None, violations)
    if not violations:
        return LenientResult(_build(model_cls, decoded, version, action, direction), ())
    from ocpkit.ocpp.validation._lenient import best_effort

    model, repairs, extra = best_effort(model_cls, decoded, violations, version, action)
    return LenientResult(model, violations, repairs, extra)


def build_model(version: str, action: str, direction: str, data: dict[str, Any]) -> BaseModel:
    """Build the typed model of a payload that :func:`check_frame` already judged valid.

    Skips the schema check :func:`validate_payload` would repeat. Raises
    :class:`~ocpkit.errors.PayloadInvalid` if the model refuses the payload (the verdicts
    disagree) and :class:`~ocpkit.errors.UnsupportedError` for an unknown action or direction.
    """
    return _build(_model_class(version, action, direction), data, version, action, direction)


def _model_class(version: str, action: str, direction: str) -> type[BaseModel]:
    from ocpkit.ocpp import actions

    if direction not in ("request", "response"):
        raise UnsupportedError(f"unknown direction {direction!r}; expected 'request' or 'response'")
    registry = actions(version)
    spec = registry.get(action) if isinstance(action, str) else None
    if spec is None:
        from ocpkit.errors import did_you_mean

        raise UnsupportedError(f"OCPP {version} has no action {action!r}{did_you_mean(action, registry)}")
    cls = spec.request if direction == "request" else spec.response
    if cls is None:
        raise UnsupportedError(f"OCPP {version} {action} is SEND-only and has no response")
    return cls


def _build(model_cls: type[BaseModel], data: Any, version: str, action: str, direction: str) -> BaseModel:
    from pydantic import ValidationError

    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        # The schema verdict and the model disagree: report it rather than hide it.
        violations = [
            Violation(flat_pointer(e["loc"]), "model", e["msg"], _code("format", version))
            for e in exc.errors()
        ]
        raise PayloadInvalid(
            f"OCPP {version} {action} {direction}: the model refused a payload the schema accepts",
            violations,
            version=version,
            action=action,
            direction=direction,
        ) from None


class FrameReport(metaclass=ABCMeta):  # noqa: B024 - an ABC only to register the light report
    """The verdict on one OCPP-J message: the frame (when it could be read) and every violation.

    For a CALL or SEND the payload was checked against the action's request
    schema; for a CALLRESULT against the response schema of the action the
    caller named (it is unchecked when no action was given, and
    ``unpaired`` is then True). Payload violations have paths under the
    frame's payload element (``/3/...`` for a CALL, ``/2/...`` for a CALLRESULT).
    Reports are read-only by convention; the frame object is built on first access.
    The reports :func:`check_frames` yields for valid messages are of a lighter
    kind with the same attributes (``isinstance(report, FrameReport)`` holds).
    """

    __slots__ = ("_frame", "_msg", "_source", "unpaired", "violations")

    def __init__(
        self,
        frame: Frame | None,
        violations: tuple[Violation, ...],
        unpaired: bool = False,
        decoded: list[Any] | None = None,
        source: bytes | str | None = None,
    ) -> None:
        # decoded: the well-formed CALL/CALLRESULT array; the frame object is made from it on demand.
        # source: its text when it was decoded without the exact-integer check (see check_frame).
        self._frame = frame
        self._msg = decoded
        self._source = source
        self.violations = violations
        self.unpaired = unpaired

    @property
    def frame(self) -> Frame | None:
        """The parsed frame, or None when the message could not be read as one."""
        if self._frame is None and (self._msg is not None or self._source is not None):
            msg = self._msg
            source = self._source
            if msg is None:
                # Judged by the struct lane without a decoded array: decode it now, by the rules.
                msg = _json.decode(source)  # type: ignore[arg-type]
            elif source is not None and _json.may_hold_big_int(source):
                msg = _json.decode_exact(source)
            self._frame = _FRAME_TYPES[msg[0]](*msg[1:])
        return self._frame

    @property
    def ok(self) -> bool:
        """True when the message broke no rule."""
        return not self.violations

    def __repr__(self) -> str:
        return (
            f"FrameReport(frame={self.frame!r}, violations={self.violations!r}, unpaired={self.unpaired!r})"
        )


class _Valid(FrameReport):
    """A report without violations on a well-formed message, its frame object made on demand."""

    __slots__ = ()

    def __init__(self, msg: list[Any] | None, source: bytes | str, unpaired: bool = False) -> None:
        self._frame = None
        self._msg = msg
        self._source = source
        self.violations = ()
        self.unpaired = unpaired


_FRAME_TYPES: Final[Mapping[int, Callable[..., Frame]]] = {
    2: Call,
    3: CallResult,
    4: CallError,
    5: CallResultError,
    6: Send,
}


class _Decoded:
    """The API of :class:`FrameReport` on the light report of a message the struct lane found valid.

    The report itself is a msgspec struct made by :func:`_decoded_type` (built
    in C, much cheaper than a class with an ``__init__``), holding only the
    message text; the frame is decoded from it, by the rules, on first access.
    """

    __slots__ = ()
    violations: Final[tuple[Violation, ...]] = ()
    src: bytes | str
    unpaired: bool
    memo: Frame | None

    @property
    def frame(self) -> Frame:
        """The parsed frame (decoded from the text on first access)."""
        if self.memo is None:
            msg = _json.decode(self.src)
            self.memo = _FRAME_TYPES[msg[0]](*msg[1:])  # type: ignore[misc]  # a field of the struct
        return self.memo

    @property
    def ok(self) -> bool:
        """True: the message broke no rule."""
        return True

    def __repr__(self) -> str:
        return f"FrameReport(frame={self.frame!r}, violations=(), unpaired={self.unpaired!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return _Valid, (None, self.src, self.unpaired)


FrameReport.register(_Decoded)


@cache
def _decoded_type() -> Callable[[bytes | str], FrameReport]:
    """The light report type (msgspec installed): ``make(text)``."""
    from ocpkit.ocpp.validation._structs import _module

    ms = _module()
    fields = [("src", Any), ("unpaired", bool, False), ("memo", Any, None)]
    made: Any = ms.defstruct("ValidReport", fields, bases=(_Decoded,), gc=False, eq=False, module=__name__)
    return made  # type: ignore[no-any-return]


def check_frame(
    raw: bytes | bytearray | memoryview | str | list[Any],
    version: str,
    *,
    action: str | None = None,
    sender: str | None = None,
) -> FrameReport:
    """Check one OCPP-J message, frame and payload, and report every violation.

    Never raises on content (only :class:`~ocpkit.errors.UnsupportedError` for
    an unknown version or sender name). *action* names the action a CALLRESULT
    answers (its CALL's action, found by pairing message ids); *sender* takes
    the names :func:`~ocpkit.ocpp.rpc.parse_frame` takes. Builds no model: this
    is the bulk path for captures and CALLERROR decisions.
    """
    try:
        lane = _fast.LANES[version]
    except TypeError:  # unhashable
        raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of 1.6, 2.0.1, 2.1") from None
    if sender is not None:
        sender = sender_role(sender, version)  # the version's own names; anything else refused
    kind = type(raw)
    if kind is not bytes and kind is not str:
        if kind is bytearray or kind is memoryview:
            return check_frame(bytes(raw), version, action=action, sender=sender)  # type: ignore[arg-type]
        # A decoded array from the caller: its objects may hold what no text decodes to.
        if type(raw) is list and any(type(x) not in _PLAIN_TYPES for x in raw):
            # A model's values (a Decimal type id, an enum member as action) stand for JSON ones.
            raw = [_plain_element(x) for x in raw]
        return _check_slow(raw, version, action, sender, False, False)
    text: bytes | str = raw  # type: ignore[assignment]
    # Struct lane: one typed decoding is the verdict for most valid traffic.
    if (
        lane.structs
        and sender is None
        and (len(text) <= _SHORT or _json.shallow(text))
        and _struct_valid(lane, text, action)
    ):
        return _Valid(None, text)
    loads = lane.loads
    if loads is None:
        return _exact_text(text, version, action, sender, False)
    # Fast lane: orjson alone, then one jsonschema-rs call on the payload. orjson turns integers
    # beyond 64 bits into floats, which cannot turn an invalid payload valid (a draft-04 integer
    # refuses the float, a draft-06 one accepts both; no OCPP bound, enum or multipleOf tells an
    # integer beyond 2**64 from its float): so the exact decoder is needed only where a report is
    # built (_check_slow) or the frame is read. orjson allows deeper nesting than ocpkit: texts
    # that could hold more than MAX_DEPTH brackets are left to the exact decoder.
    try:
        msg = loads(text)
    except ValueError:  # orjson.JSONDecodeError: the exact decoder names the broken rule
        return _exact_text(text, version, action, sender, False)
    return _judge_loaded(lane, msg, text, action, sender)


def _plain_element(value: Any) -> Any:
    """A frame element as the JSON value it stands for (payloads are judged by the checker)."""
    if type(value) is dict:
        return value
    found = plain(value)
    return value if found is NOT_JSON else found


def _struct_valid(lane: _fast.Lane, text: bytes | str, action: str | None) -> bool:
    """True when the struct lane finds *text* a valid message for sure (False: ask the other lanes).

    One decoding of the whole message: a CALLRESULT by the types of *action*
    (the CALL it answers), a CALL or SEND by those of its action (found by a scan
    for its fourth quote, which the decoding confirms: the action is a literal of
    the type), a CALLERROR by its code.
    """
    if not lane.structs:
        return False
    if type(action) is str and _decodes(lane.struct_results.get(action), text):
        return True
    parts = text.split(b'"' if type(text) is bytes else '"', 4)  # type: ignore[arg-type]
    if len(parts) == 5 and _decodes(lane.struct_calls.get(parts[3]), text):
        return True
    return _decodes(lane.errors, text)


def _decodes(decode: Any, text: bytes | str) -> bool:
    """Whether *decode* (a struct-lane decoder, or None for none) takes *text*."""
    if decode is None:
        return False
    try:
        decode(text)
    except Exception:  # any refusal of the struct lane leaves the verdict to the other lanes
        return False
    return True


def _judge_loaded(
    lane: _fast.Lane, msg: Any, text: bytes | str, action: str | None, sender: str | None = None
) -> FrameReport:
    """The verdict on *text* given ``msg = orjson.loads(text)`` (what :func:`check_frame` does next).

    For callers that hold the orjson value of a frame's text already (the capture
    reader decodes each frame once): the report is the one ``check_frame(text)`` gives.
    """
    version = lane.version
    if type(msg) is list and (len(text) <= _SHORT or _json.shallow(text)):
        n = len(msg)
        if n == 4:
            type_id, mid, name, payload = msg
            if (
                type(type_id) is int
                and type(mid) is str
                and len(mid) <= MAX_MESSAGE_ID_LENGTH
                and type(payload) is dict
                and type(name) is str
            ):
                quick = lane.calls[name] if type_id == 2 else lane.sends[name] if type_id == 6 else None
                if quick is not None and (sender is None or lane.senders[name] in (sender, "Both")):
                    try:
                        ok = quick(payload)
                    except Exception:  # any refusal of the accelerator falls back to the exact checker
                        ok = False
                    if ok:
                        return _Valid(msg, text)
                    return _exact_text(text, version, action, sender, True)
        elif n == 3:
            type_id, mid, payload = msg
            if (
                type_id == 3
                and type(type_id) is int
                and type(mid) is str
                and len(mid) <= MAX_MESSAGE_ID_LENGTH
                and type(payload) is dict
            ):
                if action is None:
                    return _Valid(msg, text, True)
                quick = lane.results[action] if type(action) is str else None
                if quick is not None:
                    try:
                        ok = quick(payload)
                    except Exception:  # any refusal of the accelerator falls back to the exact checker
                        ok = False
                    if ok:
                        return _Valid(msg, text)
                    return _exact_text(text, version, action, sender, True)
        elif n == 5:
            type_id, mid, code, description, details = msg
            if type(type_id) is int and type_id in lane.error_types:
                if (
                    type(mid) is str
                    and len(mid) <= MAX_MESSAGE_ID_LENGTH
                    and type(code) is str
                    and code in lane.error_codes
                    and type(description) is str
                    and type(details) is dict
                ):
                    return _Valid(msg, text)
                # A broken CALLERROR (unknown code, null details...): its violations depend only on
                # the types of the elements, which orjson's floats for big integers do not change,
                # so no exact decoding is needed to report them.
                try:
                    parse_frame(msg, version, sender=sender)
                except FrameInvalid as exc:
                    return FrameReport(None, exc.violations)
    return _exact_text(text, version, action, sender, False)


_PAIRED_CALLS: Final = 10_000


def check_frames(
    lines: Iterable[bytes | bytearray | memoryview | str],
    version: str,
    *,
    actions: Iterable[str | None] | None = None,
) -> Iterator[FrameReport]:
    """Check many OCPP-J messages of one version; yield one :class:`FrameReport` per message, in order.

    The bulk form of :func:`check_frame`, with the same verdicts and reports:
    the version's tables are looked up once, a well-formed valid message costs
    one decoding and one verdict, and a report with violations is built only for
    a message that breaks a rule. *actions*, when given, runs beside *lines* and
    names the action each CALLRESULT answers (``None`` for other messages, or
    for a result whose CALL is unknown). Without it, each CALLRESULT is paired
    with the latest CALL of the same message id among the messages before it
    (the last 10,000 CALLs are remembered), as a log of one connection would.
    Raises only :class:`~ocpkit.errors.UnsupportedError`, for an unknown version.
    """
    try:
        lane = _fast.LANES[version]
    except TypeError:  # unhashable
        raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of 1.6, 2.0.1, 2.1") from None
    return _bulk(lane, lines, actions)


def _bulk(
    lane: _fast.Lane,
    lines: Iterable[bytes | bytearray | memoryview | str],
    actions: Iterable[str | None] | None,
) -> Iterator[FrameReport]:
    if actions is not None and lane.structs:
        return _bulk_named(lane, lines, actions)
    return _bulk_paired(lane, lines, actions)


def _bulk_named(
    lane: _fast.Lane, lines: Iterable[bytes | bytearray | memoryview | str], actions: Iterable[str | None]
) -> Iterator[FrameReport]:
    """The bulk path when the caller names the answered actions (the struct lane on): one decoding each."""
    good: Any = _decoded_type()  # Any: a FrameReport by registration
    heads = lane.struct_heads.get
    results = lane.struct_results.get
    shallow = _json.shallow
    for raw, action in zip(lines, actions, strict=False):
        if type(raw) is bytes and (len(raw) <= _SHORT or shallow(raw)):
            if action is None:
                # A CALL's action or a CALLERROR's code is the fourth quoted text; the decoding
                # confirms it (a literal of the type).
                parts = raw.split(b'"', 4)
                decode = heads(parts[3]) if len(parts) == 5 else None
            else:
                decode = results(action) if type(action) is str else None
            if decode is not None:
                try:
                    decode(raw)
                except Exception:  # any refusal of the struct lane leaves the verdict to the others
                    yield _refused(lane, raw, action)
                else:
                    yield good(raw)
                continue
        yield _unread(lane, raw, action)


def _refused(lane: _fast.Lane, raw: bytes, action: str | None) -> FrameReport:
    """The report on a message the struct lane refused: the exact checker decides and reports at once.

    The struct lane refuses few valid messages, so a second fast verdict would cost more than it saves.
    """
    return _exact_text(raw, lane.version, action, None, True)


def _exact_text(
    text: bytes | str, version: str, action: str | None, sender: str | None, refused: bool
) -> FrameReport:
    """The exact path on a text, decoded once by the rules (see :func:`_check_slow` for *refused*).

    A text the rules refuse is reported as :func:`~ocpkit.ocpp.rpc.parse_frame` reports it.
    """
    try:
        msg = _json.decode(text)
    except _json.JsonError as exc:
        return FrameReport(None, (Violation("", "json", str(exc), RULE_CODES["json"][version]),))
    return _check_slow(msg, version, action, sender, True, refused)


def _unread(lane: _fast.Lane, raw: Any, action: str | None) -> FrameReport:
    """The report on a message the struct lane did not read (no decoder for it, or not bytes)."""
    loads = lane.loads
    if loads is None or (type(raw) is not bytes and type(raw) is not str):
        return check_frame(raw, lane.version, action=action)
    try:
        msg = loads(raw)
    except ValueError:
        return check_frame(raw, lane.version, action=action)
    return _quick(lane, msg, raw, action)


def _quick(lane: _fast.Lane, msg: Any, raw: bytes | str, action: str | None) -> FrameReport:
    """The report given ``msg = orjson.loads(raw)``: the two shapes of most traffic judged inline."""
    if type(msg) is list and len(raw) <= _SHORT:
        n = len(msg)
        quick = None
        if n == 4:
            type_id, mid, name, payload = msg
            if type_id == 2 and type(name) is str:
                quick = lane.calls[name]
        elif n == 3 and type(action) is str:
            type_id, mid, payload = msg
            if type_id == 3:
                quick = lane.results[action]
        if (
            quick is not None
            and type(type_id) is int
            and type(mid) is str
            and len(mid) <= MAX_MESSAGE_ID_LENGTH
            and type(payload) is dict
        ):
            try:
                ok = quick(payload)
            except Exception:  # any refusal of the accelerator falls back to the exact checker
                ok = False
            if ok:
                return _Valid(msg, raw)
    return _judge_loaded(lane, msg, raw, action)


def _bulk_paired(
    lane: _fast.Lane,
    lines: Iterable[bytes | bytearray | memoryview | str],
    actions: Iterable[str | None] | None,
) -> Iterator[FrameReport]:
    """The bulk path pairing CALLRESULTs by message id (or naming them without the struct lane)."""
    version = lane.version
    loads = lane.loads
    pairs: dict[str, str] | None = {} if actions is None else None
    named: Iterable[tuple[Any, str | None]] = (
        ((raw, None) for raw in lines) if actions is None else zip(lines, actions, strict=False)
    )
    structs = lane.structs
    if structs:
        good: Any = _decoded_type()  # Any: a FrameReport by registration
        struct_call = lane.struct_calls.get
        struct_result = lane.struct_results.get
    shallow = _json.shallow
    for raw, action in named:
        # The struct lane, inline: one typed decoding of the whole message is the verdict.
        tried = False  # a decoder of the struct lane refused the message: it is likely invalid
        if structs and pairs is not None and type(raw) is bytes and (len(raw) <= _SHORT or shallow(raw)):
            # Pairing by message id: a CALL is remembered, a CALLRESULT answers the latest CALL
            # of its id (the id found by the scan is confirmed by the decoded one).
            parts = raw.split(b'"', 4)
            decode = struct_call(parts[3]) if len(parts) == 5 else None
            if decode is not None:
                try:
                    msg = decode(raw)
                except Exception:  # any refusal of the struct lane leaves the verdict to the others
                    tried = True
                else:
                    mid = msg.id
                    pairs.pop(mid, None)
                    pairs[mid] = msg.action
                    if len(pairs) > _PAIRED_CALLS:
                        del pairs[next(iter(pairs))]
                    yield good(raw)
                    continue
            elif len(parts) >= 3:
                try:
                    mid = parts[1].decode()
                except UnicodeDecodeError:
                    mid = ""
                answered = pairs.get(mid)
                decode = struct_result(answered) if answered is not None else None
                if decode is not None:
                    try:
                        same = decode(raw).id == mid
                    except Exception:  # any refusal of the struct lane leaves the verdict to the others
                        same = False
                        tried = True
                    if same:
                        del pairs[mid]
                        yield good(raw)
                        continue
            if decode is None:
                errors = lane.errors
                if errors is not None:
                    try:
                        errors(raw)
                    except Exception:  # not a CALLERROR the struct lane reads: the others decide
                        pass
                    else:
                        yield good(raw)
                        continue
        if tried:
            try:
                msg = _json.decode(raw)
            except _json.JsonError:
                yield _refused(lane, raw, action)
                continue
            if pairs is not None:
                action = _pair(pairs, msg)
            yield _check_slow(msg, version, action, None, True, True)
            continue
        if loads is None or (type(raw) is not bytes and type(raw) is not str):
            if pairs is not None:
                action = _pair(pairs, _peek(raw))
            yield check_frame(raw, version, action=action)
            continue
        try:
            msg = loads(raw)
        except ValueError:
            yield check_frame(raw, version, action=action)
            continue
        if pairs is not None:
            action = _pair(pairs, msg)
        yield _quick(lane, msg, raw, action)


def _peek(raw: Any) -> Any:
    """The decoded message for pairing, when orjson is not in use (None when not JSON)."""
    try:
        return _json.decode(raw)
    except (_json.JsonError, TypeError):
        return None


def _pair(pairs: dict[str, str], msg: Any) -> str | None:
    """Remember a CALL's action by message id; return the action a CALLRESULT answers."""
    if type(msg) is not list or len(msg) < 3 or type(msg[1]) is not str:
        return None
    if msg[0] == 2 and type(msg[0]) is int and len(msg) == 4 and type(msg[2]) is str:
        pairs.pop(msg[1], None)
        pairs[msg[1]] = msg[2]
        if len(pairs) > _PAIRED_CALLS:
            del pairs[next(iter(pairs))]
        return None
    if msg[0] == 3 and type(msg[0]) is int:
        return pairs.pop(msg[1], None)
    return None


_SHORT: Final = 2 * _json.MAX_DEPTH  # shorter texts cannot nest deeper than MAX_DEPTH


def _check_slow(
    msg: Any, version: str, action: str | None, sender: str | None, decoded: bool, refused: bool
) -> FrameReport:
    """The exact path. *decoded*: msg came from ocpkit's decoder; *refused*: the fast verdict said no."""
    try:
        frame = parse_frame(msg, version, sender=sender)
    except FrameInvalid as exc:
        return FrameReport(None, exc.violations)
    if type(frame) is Call or type(frame) is Send:
        compiled = compiled_schema(version, frame.action, "request")
        findings = compiled.findings(frame.payload) if refused else judge(compiled, frame.payload, decoded)
        return FrameReport(frame, _violations(findings, version, "/3") if findings else ())
    if type(frame) is CallResult:
        if action is None:
            return FrameReport(frame, (), unpaired=True)
        try:
            compiled = compiled_schema(version, action, "response")
        except UnsupportedError:
            return FrameReport(
                frame,
                (
                    Violation(
                        "",
                        "unknownAction",
                        f"no response schema for {action!r}",
                        RULE_CODES["unknownAction"][version],
                    ),
                ),
            )
        findings = compiled.findings(frame.payload) if refused else judge(compiled, frame.payload, decoded)
        return FrameReport(frame, _violations(findings, version, "/2") if findings else ())
    return FrameReport(frame, ())


_OFFICIAL_NAMES: Final[Mapping[str, tuple[str, str]]] = {
    # version: (request file suffix, response file suffix) as the official sets name their files
    "1.6": ("", "Response"),
    "2.0.1": ("Request", "Response"),
    "2.1": ("Request", "Response"),
}


class OfficialSchemaValidator:
    """Validate payloads against official OCPP schema files the caller holds.

    *schemas* maps file names (``BootNotification.json`` in 1.6,
    ``BootNotificationRequest.json`` in 2.x, ``...Response.json``) to their
    parsed JSON; reading them from disk is the caller's job (ocpkit does no
    I/O). Uses the exact checker only: slower than :func:`check_payload`, and
    reports in the same format. Useful to check a vendor's or a newer edition's
    schema files with ocpkit's rules.
    """

    def __init__(self, version: str, schemas: Mapping[str, Any]) -> None:
        if version not in _OFFICIAL_NAMES:
            raise UnsupportedError(f"unknown OCPP version {version!r}")
        self.version = version
        self._schemas = dict(schemas)
        self._compiled: dict[str, Check] = {}

    def file_name(self, action: str, direction: str) -> str:
        """Return the name the official set gives the schema of an action's request or response."""
        req, resp = _OFFICIAL_NAMES[self.version]
        if direction == "request":
            plain = f"{action}.json"
            # 2.1's SEND-only message has no "Request" suffix.
            return plain if plain in self._schemas else f"{action}{req}.json"
        if direction == "response":
            return f"{action}{resp}.json"
        raise UnsupportedError(f"unknown direction {direction!r}; expected 'request' or 'response'")

    def check(self, action: str, direction: str, data: bytes | str | dict[str, Any]) -> tuple[Violation, ...]:
        """Return every violation of *data* (empty when valid)."""
        name = self.file_name(action, direction)
        check = self._compiled.get(name)
        if check is None:
            if name not in self._schemas:
                raise UnsupportedError(f"no schema file {name!r} was given")
            check = compile_schema(self._schemas[name])
            self._compiled[name] = check
        if isinstance(data, dict):
            decoded: Any = data
        else:
            try:
                decoded = _json.decode(data)
            except _json.JsonError as exc:
                return (Violation("", "json", str(exc), _code("json", self.version)),)
            if type(decoded) is not dict:
                return (
                    Violation("", "type", "a payload must be a JSON object", _code("type", self.version)),
                )
        out: list[Finding] = []
        check(decoded, (), out)
        return _violations(out, self.version)

    def validate(self, action: str, direction: str, data: bytes | str | dict[str, Any]) -> None:
        """Raise :class:`~ocpkit.errors.PayloadInvalid` with every violation when *data* is invalid."""
        violations = self.check(action, direction, data)
        if violations:
            raise PayloadInvalid(
                f"OCPP {self.version} {action} {direction}: {len(violations)} violation(s)",
                violations,
                version=self.version,
                action=action,
                direction=direction,
            )
