"""The sans-IO OCPP-J endpoint: text in, events out; local actions in, text out (private).

Theory of operation: see :mod:`ocpkit.ocpp.endpoint`. Every message the peer sends goes through
:func:`~ocpkit.ocpp.validation.check_frame` once (frame, direction and payload verdict in one
pass); every message this endpoint emits is serialised by :func:`~ocpkit.ocpp.rpc.serialize` and
judged by the same function before the state changes, so a refused local action raises and
leaves the endpoint as it was. The legality of each move is looked up in the tables of
:mod:`ocpkit.ocpp.endpoint._machine`; the current RPC state is derived from the two facts it
summarises (our CALL in flight, the peer's CALLs owed an answer).
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Literal

from ocpkit.errors import EndpointError, PayloadInvalid, UnsupportedError
from ocpkit.ocpp._senders import SENDERS
from ocpkit.ocpp.endpoint import _inbound
from ocpkit.ocpp.endpoint._events import (
    CallReceived,
    CallTimedOut,
    Event,
    OutgoingCall,
    ResultReceived,
)
from ocpkit.ocpp.endpoint._machine import (
    BOOT_RULES,
    REMOTE_START_STOP,
    RPC_SPEC,
    TRIGGERS,
    Allow,
    BootRule,
    Registration,
    RpcInput,
    RpcState,
    family,
)
from ocpkit.ocpp.rpc import (
    ERROR_CODES,
    MAX_MESSAGE_ID_LENGTH,
    Call,
    CallError,
    CallResult,
    CallResultError,
    Send,
    serialize,
)
from ocpkit.ocpp.security import ocpp_version
from ocpkit.ocpp.validation import check_frame

__all__ = ["BootRules", "Endpoint", "Role"]

Role = Literal["csms", "station"]
BootRules = Literal["enforce", "report", "off"]

_ROLES: Final[Mapping[str, Role]] = {
    "csms": "csms",
    "centralsystem": "csms",
    "station": "station",
    "chargingstation": "station",
    "chargepoint": "station",
}
_SENDER: Final[Mapping[Role, str]] = {"csms": "CSMS", "station": "ChargingStation"}
_DESCRIPTION_MAX: Final = 255  # 2.x Part 4 §4.2.3: ErrorDescription is string[255]
_REMEMBERED: Final = 1024  # how many of our own ids are checked for reuse
_SEND_TYPES: Final = {"1.6": False, "2.0.1": False, "2.1": True}


def _role(name: str) -> Role:
    key = "".join(ch for ch in name.lower() if ch.isalnum()) if isinstance(name, str) else ""
    found = _ROLES.get(key)
    if found is None:
        raise UnsupportedError(
            f"unknown role {name!r}; expected 'csms' (central system) or 'station' (charge point)"
        )
    return found


def _counter() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: str(next(numbers))


def _as_data(payload: object, what: str) -> dict[str, Any]:
    if isinstance(payload, dict):
        return payload
    dump = getattr(payload, "model_dump", None)
    if callable(dump):
        data = dump(mode="json", by_alias=True, exclude_none=True)
        if isinstance(data, dict):
            return data
    raise EndpointError(
        "-", what, f"a payload is a dict or an ocpkit model, not {type(payload).__name__}", rule="payload"
    )


class Endpoint:
    """One side of one OCPP-J connection, with no socket and no clock of its own.

    *role* is ``"csms"`` or ``"station"`` (also ``"central_system"``, ``"charge_point"``,
    ``"charging_station"``); *version* any spelling :func:`~ocpkit.ocpp.security.ocpp_version`
    accepts (``"2.0.1"``, ``"ocpp2.0.1"`` ...), typically the negotiated subprotocol.

    Options: *ids* makes message ids (a callable or an iterator of strings; the default counts
    ``"1"``, ``"2"`` ... which is only unique per endpoint: OCPP-J wants ids unique across the
    station's connections, so pass ``lambda: str(uuid.uuid4())`` in production). *strict*
    (default) answers invalid payloads with a CALLERROR and refuses to send invalid ones;
    ``strict=False`` delivers invalid payloads with their violations and a best-effort model,
    and sends what it is given. *boot_rules* ``"enforce"`` applies the registration rules (B01-B03,
    OCPP 1.6 §4.2) to both sides, ``"report"`` only reports the peer's breaches, ``"off"`` skips
    them. *registration* is the starting state: a CSMS that accepted this station before passes
    ``"Accepted"`` (a reconnecting station need not boot again, OCPP-J 1.6 §5.4 / 2.x §5.3).
    *call_timeout* is in the same unit as the ``now`` given to :meth:`tick` (``None``: never).
    """

    def __init__(
        self,
        role: str = "csms",
        version: str = "2.0.1",
        *,
        ids: Callable[[], str] | Iterator[str] | None = None,
        strict: bool = True,
        boot_rules: BootRules = "enforce",
        registration: str = "New",
        call_timeout: float | None = 30.0,
    ) -> None:
        self.version = ocpp_version(version)
        self.role: Role = _role(role)
        self._me = _SENDER[self.role]
        self._peer = _SENDER["station" if self.role == "csms" else "csms"]
        if ids is None:
            self._ids: Callable[[], str] = _counter()
        elif callable(ids):
            self._ids = ids
        elif isinstance(ids, Iterator):
            iterator = ids
            self._ids = lambda: next(iterator)
        else:
            raise UnsupportedError("ids must be a callable or an iterator of strings")
        if boot_rules not in ("enforce", "report", "off"):
            raise UnsupportedError(f"boot_rules must be 'enforce', 'report' or 'off', not {boot_rules!r}")
        if call_timeout is not None and not (
            isinstance(call_timeout, int | float) and not isinstance(call_timeout, bool) and call_timeout > 0
        ):
            raise UnsupportedError(f"call_timeout must be a positive number or None, not {call_timeout!r}")
        try:
            self._registration = Registration(registration)
        except ValueError:
            raise UnsupportedError(
                f"unknown registration {registration!r}; expected one of {', '.join(Registration)}"
            ) from None
        self.strict = bool(strict)
        self.boot_rules: BootRules = boot_rules
        self.call_timeout = call_timeout
        self._family = family(self.version)
        self._senders = SENDERS[self.version]
        self._pending: OutgoingCall | None = None
        self._owed: dict[str, tuple[str, dict[str, Any]]] = {}
        self._answered: deque[str] = deque(maxlen=64)
        self._timed_out: deque[str] = deque(maxlen=16)
        self._used: deque[str] = deque(maxlen=_REMEMBERED)
        self._used_set: set[str] = set()
        self._granted: set[str] = set()
        self._retry_at: float | None = None
        self._now: float | None = None

    def __repr__(self) -> str:
        return (
            f"<Endpoint {self.role} OCPP {self.version} state={self.state} registration={self._registration}>"
        )

    # -- state -------------------------------------------------------------------------------

    @property
    def state(self) -> RpcState:
        """The RPC state (:class:`RpcState`), derived from the CALL in flight and the CALLs owed."""
        if self._pending is None:
            return RpcState.OWING if self._owed else RpcState.IDLE
        return RpcState.CROSSED if self._owed else RpcState.AWAITING

    @property
    def registration(self) -> Registration:
        """The station's registration as the last BootNotification response set it."""
        return self._registration

    @property
    def pending(self) -> OutgoingCall | None:
        """Our CALL in flight, if any."""
        return self._pending

    @property
    def owed(self) -> Mapping[str, str]:
        """The peer's CALLs waiting for our answer: message id -> action."""
        return {mid: action for mid, (action, _) in self._owed.items()}

    @property
    def granted(self) -> frozenset[str]:
        """Actions the station may send before it is accepted because the CSMS asked for them."""
        return frozenset(self._granted)

    # -- the boot rules ----------------------------------------------------------------------

    def _rule(self, sender: str) -> BootRule:
        return BOOT_RULES[(self._family, self._registration, sender)]

    def _allows(self, rule: BootRule, action: str) -> bool:
        allow = rule.allow
        if allow is Allow.ANY:
            return True
        if allow is Allow.NOTHING:
            return False
        if allow is Allow.NO_REMOTE_START:
            return action not in REMOTE_START_STOP[self._family]
        if action == "BootNotification":
            return True
        return allow is Allow.BOOT_OR_TRIGGERED and action in self._granted

    def _boot_text(self, sender: str, rule: BootRule) -> str:
        return f"registration {self._registration}: the {sender} may send {rule.allow} ({rule.section})"

    def _set_registration(self, data: dict[str, Any]) -> None:
        try:
            status = Registration(str(data.get("status")))
        except ValueError:
            return  # a lenient delivery of a bad status changes nothing
        self._registration = status
        self._granted.clear()
        interval = data.get("interval")
        self._retry_at = None
        if (
            status is not Registration.ACCEPTED
            and self._now is not None
            and type(interval) is int
            and interval > 0
        ):
            self._retry_at = self._now + interval

    def _grant(self, action: str, request: dict[str, Any], response: dict[str, Any]) -> None:
        targets = TRIGGERS.get((self._family, action))
        if targets is None or response.get("status") != "Accepted":
            return
        requested = request.get("requestedMessage", "*")
        granted = targets.get(requested) if isinstance(requested, str) else None
        if granted is not None:
            self._granted.add(granted)

    # -- local actions -----------------------------------------------------------------------

    def _refuse(self, event: str, reason: str, rule: str) -> EndpointError:
        return EndpointError(str(self.state), event, reason, rule=rule)

    def _check_local(self, step: RpcInput, event: str) -> None:
        if RPC_SPEC.target(self.state, step) is None:
            if step is RpcInput.SEND_CALL:
                reason = (
                    "one CALL in flight per direction (OCPP-J §4.1.1): wait for its answer or its timeout"
                )
                raise self._refuse(event, reason, "synchronicity")
            raise self._refuse(event, "no CALL of the peer waits for an answer", "not-owed")

    def _check_sender(self, action: str, event: str) -> None:
        sender = self._senders.get(action) if isinstance(action, str) else None
        if sender is None:
            raise UnsupportedError(f"OCPP {self.version} has no action {action!r}")
        if sender not in (self._me, "Both"):
            raise self._refuse(event, f"{action} is sent by the {sender}, not the {self._me}", "direction")

    def _check_boot(self, action: str, event: str) -> None:
        if self.boot_rules != "enforce":
            return
        rule = self._rule(self._me)
        if not self._allows(rule, action):
            reason = (
                f"registration {self._registration}: the {self._me} may send {rule.allow} ({rule.section})"
            )
            raise self._refuse(event, reason, "boot")
        if (
            action == "BootNotification"
            and self._retry_at is not None
            and self._now is not None
            and self._now < self._retry_at
            and "BootNotification" not in self._granted
        ):
            reason = (
                f"the BootNotification response said to wait until {self._retry_at} (B02.FR.04, B03.FR.02)"
            )
            raise self._refuse(event, reason, "boot-interval")

    def _next_id(self, event: str) -> str:
        try:
            mid = self._ids()
        except StopIteration:
            raise self._refuse(event, "the message id generator is exhausted", "message-id") from None
        if type(mid) is not str or not 0 < len(mid) <= MAX_MESSAGE_ID_LENGTH:
            raise self._refuse(
                event, f"message ids are strings of 1 to 36 characters, not {mid!r:.60}", "message-id"
            )
        if mid in self._used_set:
            raise self._refuse(event, f"message id {mid!r} was already used (OCPP-J §4.1.4)", "message-id")
        return mid

    def _remember(self, mid: str) -> None:
        if len(self._used) == self._used.maxlen:
            self._used_set.discard(self._used[0])
        self._used.append(mid)
        self._used_set.add(mid)

    def _judge(self, text: str, action: str | None, event: str, direction: str) -> None:
        if not self.strict:
            return  # lenient: sent as given, so no verdict is needed
        report = check_frame(text, self.version, action=action, sender=self._me if action is None else None)
        if report.violations:
            raise PayloadInvalid(
                f"OCPP {self.version} {event}: {len(report.violations)} violation(s); nothing was sent",
                report.violations,
                version=self.version,
                action=action or event,
                direction=direction,
            )

    def call(self, action: str, payload: object) -> tuple[str, str]:
        """Start a CALL; return its message id and the text to send.

        *payload* is a dict (wire names) or an ocpkit model. Raises
        :class:`~ocpkit.errors.EndpointError` when a CALL is already in flight (OCPP-J §4.1.1) or
        the boot rules forbid the action, :class:`~ocpkit.errors.PayloadInvalid` (strict mode)
        for an invalid payload, :class:`~ocpkit.errors.UnsupportedError` for an unknown action;
        in each case the endpoint is unchanged.
        """
        event = f"call {action}"
        self._check_local(RpcInput.SEND_CALL, event)
        self._check_sender(action, event)
        if _SEND_TYPES[self.version] and not self._has_response(action):
            raise self._refuse(event, f"{action} is a SEND message: use send()", "send")
        self._check_boot(action, event)
        data = _as_data(payload, event)
        mid = self._next_id(event)
        text = serialize(Call(mid, action, data))
        self._judge(text, None, event, "request")
        self._remember(mid)
        self._pending = OutgoingCall(mid, action, data, self._now)
        return mid, text

    def send(self, action: str, payload: object) -> tuple[str, str]:
        """Send an OCPP 2.1 SEND (never answered, allowed while a CALL is in flight); return id and text."""
        event = f"send {action}"
        if not _SEND_TYPES[self.version]:
            raise self._refuse(event, f"OCPP {self.version} has no SEND message type", "send")
        self._check_sender(action, event)
        if self._has_response(action):
            raise self._refuse(event, f"{action} is a CALL: use call()", "send")
        self._check_boot(action, event)
        data = _as_data(payload, event)
        mid = self._next_id(event)
        text = serialize(Send(mid, action, data))
        self._judge(text, None, event, "request")
        self._remember(mid)
        return mid, text

    def _has_response(self, action: str) -> bool:
        from ocpkit.ocpp import actions

        return actions(self.version)[action].response is not None

    def _owed_call(self, call: CallReceived | str, event: str) -> tuple[str, str, dict[str, Any]]:
        mid = call.message_id if isinstance(call, CallReceived) else call
        owed = self._owed.get(mid) if isinstance(mid, str) else None
        if owed is None:
            raise self._refuse(event, f"no CALL with message id {mid!r:.60} waits for an answer", "not-owed")
        return mid, owed[0], owed[1]

    def result(self, call: CallReceived | str, payload: object) -> str:
        """Answer the peer's CALL (the event or its message id) with a CALLRESULT; return the text.

        Raises :class:`~ocpkit.errors.EndpointError` for a CALL that is not owed an answer and
        :class:`~ocpkit.errors.PayloadInvalid` (strict mode) for an invalid response payload;
        the endpoint is then unchanged.
        """
        mid, action, request = self._owed_call(call, "result")
        data = _as_data(payload, f"result {action}")
        text = serialize(CallResult(mid, data))
        self._judge(text, action, f"result {action}", "response")
        del self._owed[mid]
        self._answered.append(mid)
        if action == "BootNotification" and self.role == "csms":
            self._set_registration(data)
        elif self.role == "station":
            self._grant(action, request, data)
        return text

    def error(
        self,
        call: CallReceived | str,
        code: str,
        description: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> str:
        """Answer the peer's CALL with a CALLERROR of *code* (one the version defines); return the text.

        The description is cut to 255 characters (2.x Part 4 §4.2.3).
        """
        mid, action, _ = self._owed_call(call, "error")
        text = self._error_text(CallError, mid, code, description, details, f"error {action}")
        del self._owed[mid]
        self._answered.append(mid)
        return text

    def result_error(
        self,
        result: ResultReceived | str,
        code: str,
        description: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> str:
        """OCPP 2.1: tell the peer its CALLRESULT (the event or its message id) could not be processed."""
        if self.version != "2.1":
            raise self._refuse("result_error", f"OCPP {self.version} has no CALLRESULTERROR", "send")
        mid = result.call.message_id if isinstance(result, ResultReceived) and result.call else result
        if not isinstance(mid, str):
            raise self._refuse("result_error", "give the ResultReceived event or its message id", "not-owed")
        return self._error_text(CallResultError, mid, code, description, details, "result_error")

    def _error_text(
        self,
        kind: type[CallError] | type[CallResultError],
        mid: str,
        code: str,
        description: str,
        details: Mapping[str, Any] | None,
        event: str,
    ) -> str:
        if not isinstance(code, str) or code not in ERROR_CODES[self.version]:
            raise self._refuse(event, f"{code!r:.60} is not an OCPP {self.version} error code", "error-code")
        if not isinstance(description, str):
            raise self._refuse(event, "the description must be a string", "error-code")
        body = dict(details) if details is not None else {}
        return serialize(kind(mid, code, description[:_DESCRIPTION_MAX], body))

    def tick(self, now: float) -> list[Event]:
        """Advance the endpoint's clock to *now*; return :class:`CallTimedOut` for an expired CALL.

        *now* is any monotonic number of seconds (``loop.time()``); a CALL started before the
        first tick is timed from that tick. Raises :class:`~ocpkit.errors.EndpointError` when
        time goes backwards or is not a finite number.
        """
        if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now):
            raise self._refuse("tick", f"now must be a finite number, not {now!r:.40}", "clock")
        if self._now is not None and now < self._now:
            raise self._refuse("tick", f"time went backwards ({now} < {self._now})", "clock")
        self._now = now
        pending = self._pending
        if pending is None:
            return []
        if pending.sent_at is None:
            self._pending = OutgoingCall(pending.message_id, pending.action, pending.data, now)
            return []
        if self.call_timeout is not None and now - pending.sent_at >= self.call_timeout:
            self._pending = None
            self._timed_out.append(pending.message_id)
            return [CallTimedOut(pending)]
        return []

    # -- what the peer sends -----------------------------------------------------------------

    def receive(self, text: str | bytes) -> list[Event]:
        """Take one message from the peer and return what happened, in order.

        Never raises on content: whatever the peer sends ends in events. A
        :class:`ProtocolViolation` with a ``reply`` means that text must go back to the peer.
        """
        pending = self._pending
        report = check_frame(
            text, self.version, action=pending.action if pending else None, sender=self._peer
        )
        frame = report.frame
        if frame is None:
            return _inbound.broken(self, text, report.violations)
        return _inbound.DISPATCH[type(frame)](self, frame, report.violations)
