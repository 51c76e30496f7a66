"""What the endpoint does with each message the peer sends (private).

Theory of operation: :meth:`~ocpkit.ocpp.endpoint.Endpoint.receive` judges the text once with
:func:`~ocpkit.ocpp.validation.check_frame` and hands the frame to one function here per frame
type. Each function decides, from the endpoint's tables and state, which events to return and
whether a CALLERROR (or 2.1 CALLRESULTERROR) is owed; it changes the endpoint only when the
message is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from ocpkit.errors import Violation
from ocpkit.ocpp import _json
from ocpkit.ocpp.endpoint._events import (
    CallReceived,
    ErrorReceived,
    Event,
    ProtocolViolation,
    ResultErrorReceived,
    ResultReceived,
    SendReceived,
)
from ocpkit.ocpp.rpc import (
    MAX_MESSAGE_ID_LENGTH,
    RULE_CODES,
    Call,
    CallError,
    CallResult,
    CallResultError,
    Send,
    serialize,
)
from ocpkit.ocpp.validation import validate_payload

if TYPE_CHECKING:
    from ocpkit.ocpp.endpoint._endpoint import Endpoint

__all__ = ["DISPATCH", "broken"]

_DESCRIPTION_MAX: Final = 255  # 2.x Part 4 §4.2.3: ErrorDescription is string[255]


def _peek(raw: object) -> Any:
    """The decoded message, or None when it is no JSON at all (to read the type and id of a broken frame)."""
    if isinstance(raw, list):
        return raw
    if not isinstance(raw, bytes | bytearray | memoryview | str):
        return None
    try:
        return _json.decode(raw)
    except _json.JsonError:
        return None


def _callerror(ep: Endpoint, mid: str | None, code: str, violations: tuple[Violation, ...], text: str) -> str:
    details: dict[str, Any] = {}
    if violations:
        details = {"violations": [{"path": v.path, "message": v.message[:120]} for v in violations[:5]]}
    return serialize(CallError(mid or "-1", code, text[:_DESCRIPTION_MAX], details))


def broken(ep: Endpoint, raw: object, violations: tuple[Violation, ...]) -> list[Event]:
    return [*_broken_events(ep, raw, violations)]


def _broken_events(ep: Endpoint, raw: object, violations: tuple[Violation, ...]) -> Iterator[Event]:
    msg = _peek(raw)
    type_id = msg[0] if type(msg) is list and msg and type(msg[0]) is int else None
    mid = msg[1] if type(msg) is list and len(msg) > 1 and type(msg[1]) is str else None
    if mid is not None and len(mid) > MAX_MESSAGE_ID_LENGTH:
        mid = None
    first = violations[0]
    text = f"{first.message} at {first.path or '/'}"
    pending = ep._pending
    if first.keyword == "messageType":
        if ep.version == "1.6":  # OCPP-J 1.6 §4.1.3: ignore an unknown message type
            yield ProtocolViolation("message-type", text, violations, None, mid)
            return
        # 2.x Part 4 §4.4: answer an unknown message type with MessageTypeNotSupported.
        yield ProtocolViolation(
            "message-type", text, violations, _callerror(ep, mid, first.code, (), text), mid
        )
        return
    if type_id in (3, 4, 5):
        if type_id != 5 and pending is not None and mid == pending.message_id:
            ep._pending = None  # a malformed answer still settles our CALL
            if type_id == 4 and len(msg) == 5 and type(msg[2]) is str:
                # An error code the version lacks (a 1.6 peer sending FormatViolation ...):
                # still the answer to our CALL, delivered with the breach reported beside it.
                description = msg[3] if type(msg[3]) is str else ""
                details = msg[4] if type(msg[4]) is dict else {}
                yield ErrorReceived(pending, msg[2], description, details)
                yield ProtocolViolation("frame", text, violations, None, mid)
                return
            yield ProtocolViolation("frame", text, violations, None, mid, pending)
            return
        yield ProtocolViolation("frame", text, violations, None, mid)  # never answered
        return
    if type_id == 6:  # 2.1 Part 4 §4.2.4: a SEND is never answered
        yield ProtocolViolation("frame", text, violations, None, mid)
        return
    # A CALL, or what may have been one: OCPP-J §4.2.3 owes a CALLERROR, with "-1" as the id
    # when the id cannot be read (2.x Part 4 §4.2.3).
    yield ProtocolViolation("frame", text, violations, _callerror(ep, mid, first.code, (), text), mid)
    return


def _breach(action: str, violations: tuple[Violation, ...]) -> str:
    first = violations[0]
    return f"{action}: {len(violations)} violation(s); first: {first.message} at {first.path}"


def _best_effort(ep: Endpoint, action: str, direction: str, payload: dict[str, Any]) -> object:
    # Lenient delivery: the model validate_payload repairs and builds, violations aside.
    return validate_payload(ep.version, action, direction, payload, lenient=True).model


def _on_call(ep: Endpoint, frame: Call, violations: tuple[Violation, ...]) -> list[Event]:
    mid, action = frame.message_id, frame.action
    frame_code = RULE_CODES["frame"][ep.version]
    if mid in ep._owed:
        text = f"a CALL with message id {mid!r} is already being handled (OCPP-J §4.2.3)"
        return [ProtocolViolation("duplicate-id", text, (), _callerror(ep, mid, frame_code, (), text), mid)]
    reports: list[Event] = []
    if ep._owed:
        text = f"{action} arrived while an earlier CALL awaits our answer (OCPP-J §4.1.1)"
        if ep.strict:
            return [
                ProtocolViolation("synchronicity", text, (), _callerror(ep, mid, frame_code, (), text), mid)
            ]
        reports.append(ProtocolViolation("synchronicity", text, (), None, mid))
    if ep.boot_rules != "off":
        rule = ep._rule(ep._peer)
        if not ep._allows(rule, action):
            text = ep._boot_text(ep._peer, rule)
            if ep.boot_rules == "report" or rule.refusal == "answer":
                reports.append(ProtocolViolation("boot", text, (), None, mid))
            elif rule.refusal == "ignore":
                return [ProtocolViolation("boot", text, (), None, mid)]
            else:
                reply = _callerror(ep, mid, "SecurityError", (), text)
                return [ProtocolViolation("boot", text, (), reply, mid)]
    lenient: object = None
    if violations:
        text = _breach(action, violations)
        if ep.strict:
            reply = _callerror(ep, mid, violations[0].code, violations, text)
            return [ProtocolViolation("payload", text, violations, reply, mid)]
        lenient = _best_effort(ep, action, "request", frame.payload)
        reports.append(ProtocolViolation("payload", text, violations, None, mid))
    ep._owed[mid] = (action, frame.payload)
    event = CallReceived(
        version=ep.version,
        action=action,
        data=frame.payload,
        _direction="request",
        _model=lenient,
        message_id=mid,
        violations=violations,
    )
    return [event, *reports]


def _unknown_answer(ep: Endpoint, mid: str, kind: str) -> ProtocolViolation:
    if mid in ep._timed_out:
        return ProtocolViolation("late", f"{kind} {mid!r} arrived after its CALL timed out", (), None, mid)
    return ProtocolViolation("unknown-id", f"{kind} {mid!r:.60} answers no CALL in flight", (), None, mid)


def _on_result(ep: Endpoint, frame: CallResult, violations: tuple[Violation, ...]) -> list[Event]:
    pending = ep._pending
    mid = frame.message_id
    if pending is None or mid != pending.message_id:
        return [_unknown_answer(ep, mid, "CALLRESULT")]  # reported, never answered
    ep._pending = None
    action = pending.action
    lenient: object = None
    reports: list[Event] = []
    if violations:
        text = _breach(f"{action} response", violations)
        if ep.strict:
            # 2.1 Part 4 §4.2.3: the receiver of a CALLRESULT it cannot process may say so.
            reply = None
            if ep.version == "2.1":
                reply = serialize(CallResultError(mid, violations[0].code, text[:_DESCRIPTION_MAX], {}))
            return [ProtocolViolation("payload", text, violations, reply, mid, pending)]
        lenient = _best_effort(ep, action, "response", frame.payload)
        reports.append(ProtocolViolation("payload", text, violations, None, mid, pending))
    if action == "BootNotification" and ep.role == "station":
        ep._set_registration(frame.payload)
    elif ep.role == "csms":
        ep._grant(action, pending.data, frame.payload)
    event = ResultReceived(
        version=ep.version,
        action=action,
        data=frame.payload,
        _direction="response",
        _model=lenient,
        call=pending,
        violations=violations,
    )
    return [event, *reports]


def _on_error(ep: Endpoint, frame: CallError, violations: tuple[Violation, ...] = ()) -> list[Event]:
    pending = ep._pending
    if pending is None or frame.message_id != pending.message_id:
        return [_unknown_answer(ep, frame.message_id, "CALLERROR")]  # a CALLERROR is never answered
    ep._pending = None
    return [ErrorReceived(pending, frame.error_code, frame.error_description, frame.error_details)]


def _on_send(ep: Endpoint, frame: Send, violations: tuple[Violation, ...]) -> list[Event]:
    mid, action = frame.message_id, frame.action
    reports: list[Event] = []
    rule = ep._rule(ep._peer)
    if ep.boot_rules != "off" and not ep._allows(rule, action):
        text = ep._boot_text(ep._peer, rule)
        if ep.boot_rules == "enforce":
            return [ProtocolViolation("boot", text, (), None, mid)]  # a SEND is never answered
        reports.append(ProtocolViolation("boot", text, (), None, mid))
    lenient: object = None
    if violations:
        text = _breach(action, violations)
        if ep.strict:
            return [ProtocolViolation("payload", text, violations, None, mid)]  # never answered
        lenient = _best_effort(ep, action, "request", frame.payload)
        reports.append(ProtocolViolation("payload", text, violations, None, mid))
    event = SendReceived(
        version=ep.version,
        action=action,
        data=frame.payload,
        _direction="request",
        _model=lenient,
        message_id=mid,
        violations=violations,
    )
    return [event, *reports]


def _on_result_error(
    ep: Endpoint, frame: CallResultError, violations: tuple[Violation, ...] = ()
) -> list[Event]:
    mid = frame.message_id
    if mid not in ep._answered:
        text = f"CALLRESULTERROR {mid!r:.60} refers to no CALLRESULT we sent recently"
        return [ProtocolViolation("unknown-id", text, (), None, mid)]
    return [ResultErrorReceived(mid, frame.error_code, frame.error_description, frame.error_details)]


DISPATCH: Final[Mapping[type, Callable[..., list[Event]]]] = {
    Call: _on_call,
    CallResult: _on_result,
    CallError: _on_error,
    Send: _on_send,
    CallResultError: _on_result_error,
}
"""Frame type -> the function that handles it."""
