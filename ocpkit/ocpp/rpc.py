"""OCPP-J RPC framing: the five message types, their parsing and serialisation.

Theory of operation: an OCPP-J message is a JSON array whose first element is
the message type id (OCPP-J 1.6 §4.1.3; OCPP 2.0.1 and 2.1 part 4 §4.1):

====  ===============  ====================================================  ========
 id   type             elements                                              versions
====  ===============  ====================================================  ========
 2    CALL             [2, messageId, action, payload]                       all
 3    CALLRESULT       [3, messageId, payload]                               all
 4    CALLERROR        [4, messageId, errorCode, errorDescription, details]  all
 5    CALLRESULTERROR  [5, messageId, errorCode, errorDescription, details]  2.1
 6    SEND             [6, messageId, action, payload]                       2.1
====  ===============  ====================================================  ========

JSON decoding rules (one set for the whole library, implemented in
``ocpkit.ocpp._json``; the same with or without orjson installed):

* bytes must be UTF-8: invalid sequences, a byte order mark, and lone
  surrogates (raw or ``\ud800`` escapes) are refused;
* ``NaN``/``Infinity`` are refused (not JSON);
* integer literals are exact ``int`` of any size (orjson's float for integers
  beyond 64 bits is never exposed); other numbers are IEEE doubles, and a
  literal that overflows one (``1e400``) is refused;
* duplicate member names: the last one wins (as in ``json``, orjson, JavaScript);
* nesting deeper than 512 arrays/objects is refused (no ``RecursionError``).

A refused text is a ``json`` fault (FormationViolation in 1.6,
RpcFrameworkError in 2.x). :func:`parse_frame` then checks the array:
the exact length of its type, a message id that is a
string of at most 36 characters, an action known to the version, an object
payload (and error details), an error code the version defines. Every broken
rule becomes a :class:`~ocpkit.errors.Violation` carrying the OCPP-J error
code a peer would answer with; they are raised together in
:class:`~ocpkit.errors.FrameInvalid`. Payloads are not checked against their
schema here: :func:`ocpkit.ocpp.validation.validate_payload` does that.

:data:`ERROR_CODES` lists the error codes of each version as its OCPP-J text
spells them; :data:`RULE_CODES` maps each kind of fault to the code of each
version, and is the table the documentation and the tests read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ocpkit.errors import FrameInvalid, UnsupportedError, Violation
from ocpkit.ocpp import _json

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "ERROR_CODES",
    "MAX_MESSAGE_ID_LENGTH",
    "RULE_CODES",
    "SENDER_NAMES",
    "Call",
    "CallError",
    "CallResult",
    "CallResultError",
    "Frame",
    "Send",
    "parse_frame",
    "rule_code",
    "sender_role",
    "serialize",
]

# OCPP-J 1.6 §4.1.4 and 2.x part 4 §4.1.4: "maximum of 36 characters" (a UUID).
MAX_MESSAGE_ID_LENGTH: Final = 36

_COMMON = (
    "GenericError",
    "InternalError",
    "NotImplemented",
    "NotSupported",
    "PropertyConstraintViolation",
    "ProtocolError",
    "SecurityError",
    "TypeConstraintViolation",
)

ERROR_CODES: Final[Mapping[str, frozenset[str]]] = {
    # OCPP-J 1.6 §4.2.3; the errata sheet (§5, "will not be fixed") keeps the two misspellings.
    "1.6": frozenset((*_COMMON, "FormationViolation", "OccurenceConstraintViolation")),
    # OCPP 2.0.1 part 4 §4.3: FormatViolation replaces FormationViolation, adds the RPC-level codes;
    # the occurrence code keeps the 1.6 spelling.
    "2.0.1": frozenset(
        (
            *_COMMON,
            "FormatViolation",
            "OccurenceConstraintViolation",
            "MessageTypeNotSupported",
            "RpcFrameworkError",
        )
    ),
    # OCPP 2.1 part 4 §4.3: the occurrence code is finally spelled with "rr".
    "2.1": frozenset(
        (
            *_COMMON,
            "FormatViolation",
            "OccurrenceConstraintViolation",
            "MessageTypeNotSupported",
            "RpcFrameworkError",
        )
    ),
}

RULE_CODES: Final[Mapping[str, Mapping[str, str]]] = {
    # rule: what kind of fault          1.6                              2.0.1                            2.1
    "json": {"1.6": "FormationViolation", "2.0.1": "RpcFrameworkError", "2.1": "RpcFrameworkError"},
    "frame": {"1.6": "ProtocolError", "2.0.1": "RpcFrameworkError", "2.1": "RpcFrameworkError"},
    "messageType": {
        "1.6": "ProtocolError",
        "2.0.1": "MessageTypeNotSupported",
        "2.1": "MessageTypeNotSupported",
    },
    "unknownAction": {"1.6": "NotImplemented", "2.0.1": "NotImplemented", "2.1": "NotImplemented"},
    "direction": {"1.6": "NotSupported", "2.0.1": "NotSupported", "2.1": "NotSupported"},
    "format": {"1.6": "FormationViolation", "2.0.1": "FormatViolation", "2.1": "FormatViolation"},
    "type": {
        "1.6": "TypeConstraintViolation",
        "2.0.1": "TypeConstraintViolation",
        "2.1": "TypeConstraintViolation",
    },
    "occurrence": {
        "1.6": "OccurenceConstraintViolation",
        "2.0.1": "OccurenceConstraintViolation",
        "2.1": "OccurrenceConstraintViolation",
    },
    "property": {
        "1.6": "PropertyConstraintViolation",
        "2.0.1": "PropertyConstraintViolation",
        "2.1": "PropertyConstraintViolation",
    },
}
"""Fault kind -> OCPP-J error code per version.

``json``: the text is not JSON by ocpkit's decoding rules. ``frame``: not an
array of the right length, message id not a string of at most 36 characters,
error code unknown, details not an object. ``messageType``: a type id the
version does not have. ``unknownAction``: the receiver does not know the action.
``direction``: the action is known but not sent by that party. ``format``:
payload not an object or a property the schema does not allow. ``type``,
``occurrence`` (required, minItems, maxItems) and ``property`` (enum, lengths,
ranges, multipleOf, formats) come from schema keywords, see
:data:`ocpkit.ocpp.validation.KEYWORD_RULES`.
"""


def rule_code(rule: str, version: str) -> str:
    """Return the OCPP-J error code of a fault kind in a version (see :data:`RULE_CODES`)."""
    try:
        return RULE_CODES[rule][version]
    except KeyError:
        raise UnsupportedError(f"no error code for rule {rule!r} in OCPP {version!r}") from None


SENDER_NAMES: Final[Mapping[str, Mapping[str, str]]] = {
    # OCPP-J 1.6 names the parties Charge Point and Central System; 2.0.1 and 2.1 (part 0 §2
    # "Terminology") call them Charging Station and CSMS. ocpkit's registry uses the 2.x names for
    # every version (Sender), so 1.6 accepts those as well.
    "1.6": {
        "ChargePoint": "ChargingStation",
        "CentralSystem": "CSMS",
        "ChargingStation": "ChargingStation",
        "CSMS": "CSMS",
    },
    "2.0.1": {"ChargingStation": "ChargingStation", "CSMS": "CSMS"},
    "2.1": {"ChargingStation": "ChargingStation", "CSMS": "CSMS"},
}
"""Per version: each name a caller may give as *sender* -> its role in the registry."""

# How a message names each role, per version (the first name each version's text uses).
_SPOKEN: Final[Mapping[str, Mapping[str, str]]] = {
    "1.6": {"ChargingStation": "ChargePoint", "CSMS": "CentralSystem"},
    "2.0.1": {"ChargingStation": "ChargingStation", "CSMS": "CSMS"},
    "2.1": {"ChargingStation": "ChargingStation", "CSMS": "CSMS"},
}


def sender_role(sender: str, version: str) -> str:
    """Return the registry role (``"ChargingStation"`` or ``"CSMS"``) of a sender name in *version*.

    Accepts the names the version's own text uses (1.6 ``ChargePoint`` /
    ``CentralSystem``; 2.x ``ChargingStation`` / ``CSMS``) and, in 1.6, the 2.x
    names the registry uses. Raises :class:`~ocpkit.errors.UnsupportedError`
    naming the accepted names for anything else, and for an unknown version.
    """
    names = SENDER_NAMES.get(version) if isinstance(version, str) else None
    if names is None:
        raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of 1.6, 2.0.1, 2.1")
    role = names.get(sender) if isinstance(sender, str) else None
    if role is None:
        raise UnsupportedError(
            f"unknown sender {sender!r} for OCPP {version}; expected one of {', '.join(names)}"
        )
    return role


def _payload_object(payload: Any) -> Any:
    """A payload as its JSON object: a model is dumped by wire name, absent fields left out."""
    dump = getattr(payload, "model_dump", None)  # a pydantic model (pydantic is not imported for framing)
    if dump is not None:
        # OCPP optional fields are absent, never null (see ocpkit.ocpp._types); the models that must
        # keep an explicit null (DataTransfer.data, customData extras) restore it under exclude_none.
        return dump(mode="json", by_alias=True, exclude_none=True)
    return payload


class _FrameMethods:
    """What every frame type offers: the JSON array it is sent as, and its compact text."""

    __slots__ = ()

    def to_array(self) -> list[Any]:
        """Return the frame as the JSON array it is sent as (a list of plain JSON values)."""
        raise NotImplementedError  # each frame type defines it

    def to_json(self) -> str:
        """Return the frame as compact JSON text (the same as :func:`serialize`)."""
        return serialize(self)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, init=False)
class Call(_FrameMethods):
    """A CALL (type 2): a request for ``action`` carrying its payload object.

    *payload* may be given as a model (``v201.BootNotificationRequest(...)``):
    it is kept as the model's JSON object (wire names, absent fields left out).
    """

    message_type_id: ClassVar[int] = 2
    message_id: str
    action: str
    payload: dict[str, Any]

    def __init__(self, message_id: str, action: str, payload: dict[str, Any] | BaseModel) -> None:
        object.__setattr__(self, "message_id", message_id)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "payload", payload if type(payload) is dict else _payload_object(payload))

    def to_array(self) -> list[Any]:
        """Return the frame as the JSON array it is sent as."""
        return [2, self.message_id, self.action, self.payload]


@dataclass(frozen=True, slots=True, init=False)
class CallResult(_FrameMethods):
    """A CALLRESULT (type 3): the answer to the CALL with the same message id.

    *payload* may be given as a model, as for :class:`Call`.
    """

    message_type_id: ClassVar[int] = 3
    message_id: str
    payload: dict[str, Any]

    def __init__(self, message_id: str, payload: dict[str, Any] | BaseModel) -> None:
        object.__setattr__(self, "message_id", message_id)
        object.__setattr__(self, "payload", payload if type(payload) is dict else _payload_object(payload))

    def to_array(self) -> list[Any]:
        """Return the frame as the JSON array it is sent as."""
        return [3, self.message_id, self.payload]


@dataclass(frozen=True, slots=True)
class CallError(_FrameMethods):
    """A CALLERROR (type 4): the CALL with the same message id failed."""

    message_type_id: ClassVar[int] = 4
    message_id: str
    error_code: str
    error_description: str
    error_details: dict[str, Any]

    def to_array(self) -> list[Any]:
        """Return the frame as the JSON array it is sent as."""
        return [4, self.message_id, self.error_code, self.error_description, self.error_details]


@dataclass(frozen=True, slots=True)
class CallResultError(_FrameMethods):
    """A CALLRESULTERROR (type 5, OCPP 2.1): the receiver of a CALLRESULT could not process it."""

    message_type_id: ClassVar[int] = 5
    message_id: str
    error_code: str
    error_description: str
    error_details: dict[str, Any]

    def to_array(self) -> list[Any]:
        """Return the frame as the JSON array it is sent as."""
        return [5, self.message_id, self.error_code, self.error_description, self.error_details]


@dataclass(frozen=True, slots=True, init=False)
class Send(_FrameMethods):
    """A SEND (type 6, OCPP 2.1): a message for ``action`` that gets no answer.

    *payload* may be given as a model, as for :class:`Call`.
    """

    message_type_id: ClassVar[int] = 6
    message_id: str
    action: str
    payload: dict[str, Any]

    def __init__(self, message_id: str, action: str, payload: dict[str, Any] | BaseModel) -> None:
        object.__setattr__(self, "message_id", message_id)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "payload", payload if type(payload) is dict else _payload_object(payload))

    def to_array(self) -> list[Any]:
        """Return the frame as the JSON array it is sent as."""
        return [6, self.message_id, self.action, self.payload]


Frame = Call | CallResult | CallError | CallResultError | Send
"""Any of the five OCPP-J frame types."""

_LENGTHS: Final[Mapping[int, int]] = {2: 4, 3: 3, 4: 5, 5: 5, 6: 4}
_TYPES_OF: Final[Mapping[str, frozenset[int]]] = {
    "1.6": frozenset((2, 3, 4)),
    "2.0.1": frozenset((2, 3, 4)),
    "2.1": frozenset((2, 3, 4, 5, 6)),
}
_NAMES: Final[Mapping[int, str]] = {
    2: "CALL",
    3: "CALLRESULT",
    4: "CALLERROR",
    5: "CALLRESULTERROR",
    6: "SEND",
}


def serialize(frame: Frame) -> str:
    """Serialise a frame to compact JSON text (the form sent over the WebSocket).

    Raises :class:`~ocpkit.errors.FrameInvalid` when the payload holds values
    that JSON cannot carry (NaN, sets, ...).
    """
    try:
        return _json.encode(frame.to_array())
    except _json.JsonError as exc:
        raise FrameInvalid(str(exc), [Violation("", "json", str(exc))]) from None


def _action_info(version: str) -> Mapping[str, tuple[str, bool]]:
    """Action name -> (sender, has_response), cached per version."""
    cached = _ACTION_INFO.get(version)
    if cached is None:
        from ocpkit.ocpp import actions

        cached = {
            name: (str(spec.sender), spec.response is not None) for name, spec in actions(version).items()
        }
        _ACTION_INFO[version] = cached
    return cached


_ACTION_INFO: dict[str, Mapping[str, tuple[str, bool]]] = {}


def _fail(version: str, rule: str, path: str, message: str, message_id: str | None = None) -> FrameInvalid:
    code = RULE_CODES[rule][version]
    return FrameInvalid(message, [Violation(path, rule, message, code)], message_id=message_id)


def parse_frame(
    raw: bytes | bytearray | memoryview | str | list[Any], version: str, *, sender: str | None = None
) -> Frame:
    """Parse one OCPP-J message into its frame object.

    *raw* is the text (``bytes`` must be UTF-8) or an already decoded JSON
    array. *sender*, when given, is who sent the message, in the version's
    own words (see :data:`SENDER_NAMES`: 1.6 ``"ChargePoint"`` or
    ``"CentralSystem"``, 2.x ``"ChargingStation"`` or ``"CSMS"``): a CALL or
    SEND of an action that party never sends is refused with ``NotSupported``.
    Raises :class:`~ocpkit.errors.FrameInvalid` listing every broken rule, or
    :class:`~ocpkit.errors.UnsupportedError` for an unknown version or sender
    name. Payloads are returned as decoded, unchecked.
    """
    types = _TYPES_OF.get(version) if isinstance(version, str) else None
    if types is None:
        raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of 1.6, 2.0.1, 2.1")
    role = None if sender is None else sender_role(sender, version)
    if isinstance(raw, list):
        msg: Any = raw
    else:
        if not isinstance(raw, bytes | bytearray | memoryview | str):
            raise _fail(version, "json", "", f"expected bytes, str or list, got {type(raw).__name__}")
        try:
            msg = _json.decode(raw)
        except _json.JsonError as exc:
            raise _fail(version, "json", "", str(exc)) from None
    if type(msg) is not list or not msg:
        raise _fail(version, "frame", "", "an OCPP-J message is a non-empty JSON array")
    type_id = msg[0]
    if type(type_id) is not int:
        raise _fail(version, "frame", "/0", "the message type id must be an integer")
    if type_id not in types:
        known = type_id in _LENGTHS
        text = (
            f"{_NAMES[type_id]} (type {type_id}) does not exist in OCPP {version}"
            if known
            else f"unknown message type id {type_id}"
        )
        mid = msg[1] if len(msg) > 1 and type(msg[1]) is str else None
        raise _fail(version, "messageType", "/0", text, mid)
    violations: list[Violation] = []
    frame_code = RULE_CODES["frame"][version]
    want = _LENGTHS[type_id]
    if len(msg) != want:
        violations.append(
            Violation(
                "",
                "frame",
                f"a {_NAMES[type_id]} has exactly {want} elements, this one has {len(msg)}",
                frame_code,
            )
        )
    message_id = msg[1] if len(msg) > 1 else None
    if type(message_id) is not str:
        text = "the message id is missing" if len(msg) < 2 else "the message id must be a string"
        violations.append(Violation("/1", "frame", text, frame_code))
        message_id = None
    elif len(message_id) > MAX_MESSAGE_ID_LENGTH:
        violations.append(
            Violation(
                "/1", "frame", f"the message id is longer than {MAX_MESSAGE_ID_LENGTH} characters", frame_code
            )
        )
    if type_id == 2 or type_id == 6:
        action = msg[2] if len(msg) > 2 else None
        payload = msg[3] if len(msg) > 3 else None
        if type(action) is not str:
            text = "the action is missing" if len(msg) < 3 else "the action must be a string"
            violations.append(Violation("/2", "frame", text, frame_code))
        else:
            info = _action_info(version).get(action)
            if info is None:
                violations.append(
                    Violation(
                        "/2",
                        "unknownAction",
                        f"action {action[:60]!r} is not part of OCPP {version}",
                        RULE_CODES["unknownAction"][version],
                    )
                )
            else:
                action_sender, has_response = info
                direction_code = RULE_CODES["direction"][version]
                if has_response != (type_id == 2):
                    how = "a CALL" if has_response else "a SEND"
                    violations.append(
                        Violation(
                            "/2", "direction", f"{action} is sent as {how} in OCPP {version}", direction_code
                        )
                    )
                if role is not None and action_sender != "Both" and action_sender != role:
                    spoken = _SPOKEN[version]
                    violations.append(
                        Violation(
                            "/2",
                            "direction",
                            f"{action} is sent by the {spoken[action_sender]}, not the {spoken[role]}",
                            direction_code,
                        )
                    )
        if type(payload) is not dict:
            text = "the payload is missing" if len(msg) < 4 else "the payload must be a JSON object"
            violations.append(Violation("/3", "format", text, RULE_CODES["format"][version]))
        if violations:
            raise FrameInvalid(violations[0].message, violations, message_id=message_id)
        if type_id == 2:
            return Call(message_id, action, payload)  # type: ignore[arg-type]
        return Send(message_id, action, payload)  # type: ignore[arg-type]
    if type_id == 3:
        payload = msg[2] if len(msg) > 2 else None
        if type(payload) is not dict:
            text = "the payload is missing" if len(msg) < 3 else "the payload must be a JSON object"
            violations.append(Violation("/2", "format", text, RULE_CODES["format"][version]))
        if violations:
            raise FrameInvalid(violations[0].message, violations, message_id=message_id)
        return CallResult(message_id, payload)  # type: ignore[arg-type]
    # CALLERROR and CALLRESULTERROR
    code = msg[2] if len(msg) > 2 else None
    description = msg[3] if len(msg) > 3 else None
    details = msg[4] if len(msg) > 4 else None
    if type(code) is not str:
        text = "the error code is missing" if len(msg) < 3 else "the error code must be a string"
        violations.append(Violation("/2", "frame", text, frame_code))
    elif code not in ERROR_CODES[version]:
        violations.append(
            Violation("/2", "frame", f"{code[:60]!r} is not an OCPP {version} error code", frame_code)
        )
    if type(description) is not str:
        text = "the error description " + ("is missing" if len(msg) < 4 else "must be a string")
        violations.append(Violation("/3", "frame", text, frame_code))
    if type(details) is not dict:
        text = "the error details " + ("are missing" if len(msg) < 5 else "must be a JSON object")
        violations.append(Violation("/4", "frame", text, frame_code))
    if violations:
        raise FrameInvalid(violations[0].message, violations, message_id=message_id)
    if type_id == 4:
        return CallError(message_id, code, description, details)  # type: ignore[arg-type]
    return CallResultError(message_id, code, description, details)  # type: ignore[arg-type]
