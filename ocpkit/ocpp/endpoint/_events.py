"""What an endpoint hands back: one event per thing the application must know (private).

Theory of operation: :meth:`~ocpkit.ocpp.endpoint.Endpoint.receive` and
:meth:`~ocpkit.ocpp.endpoint.Endpoint.tick` return lists of these frozen records. Payloads
arrive as the decoded JSON object (``data``), already judged by the action's schema; the typed
pydantic model (``payload``) is built on first access, so an application that routes on dicts
never pays for models. A :class:`ProtocolViolation` carries, in ``reply``, the text the rules say
must go back to the peer (a CALLERROR, or in 2.1 a CALLRESULTERROR), or ``None`` when nothing is
owed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ocpkit.errors import Violation

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "CallReceived",
    "CallTimedOut",
    "ErrorReceived",
    "Event",
    "OutgoingCall",
    "ProtocolViolation",
    "ResultErrorReceived",
    "ResultReceived",
    "SendReceived",
]


def _model(version: str, action: str, direction: str, data: dict[str, Any]) -> BaseModel:
    from ocpkit.ocpp.validation import build_model

    return build_model(version, action, direction, data)


@dataclass(frozen=True, slots=True)
class OutgoingCall:
    """A CALL this endpoint sent: its id, action and payload object, and when it left (endpoint time)."""

    message_id: str
    action: str
    data: dict[str, Any]
    sent_at: float | None = None


@dataclass(slots=True, eq=False)
class _Payload:
    """Shared machinery of the events that carry a payload: the dict now, the model on demand.

    Not frozen: the model is cached in place on first access, and a frozen dataclass costs
    more to build than the endpoint spends on the rest of a message.
    """

    version: str = field(repr=False)
    action: str
    data: dict[str, Any] = field(repr=False)
    _direction: str = field(repr=False)
    _model: object = field(default=None, repr=False)

    @property
    def payload(self) -> BaseModel:
        """The typed model of :attr:`data`, built on first access (lenient deliveries carry theirs)."""
        if self._model is None:
            self._model = _model(self.version, self.action, self._direction, self.data)
        return self._model  # type: ignore[return-value]


@dataclass(slots=True, eq=False)
class CallReceived(_Payload):
    """The peer sent a CALL; answer it with ``result()`` or ``error()``.

    ``violations`` is empty unless the endpoint is lenient and let an invalid payload through.
    """

    message_id: str = ""
    violations: tuple[Violation, ...] = ()


@dataclass(slots=True, eq=False)
class ResultReceived(_Payload):
    """The CALLRESULT answering our :attr:`call`."""

    call: OutgoingCall | None = None
    violations: tuple[Violation, ...] = ()


@dataclass(slots=True, eq=False)
class SendReceived(_Payload):
    """The peer sent a SEND (OCPP 2.1); it is never answered."""

    message_id: str = ""
    violations: tuple[Violation, ...] = ()


@dataclass(frozen=True, slots=True)
class ErrorReceived:
    """The CALLERROR answering our :attr:`call`."""

    call: OutgoingCall
    code: str
    description: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ResultErrorReceived:
    """OCPP 2.1 CALLRESULTERROR: the peer could not process the CALLRESULT we sent for *message_id*."""

    message_id: str
    code: str
    description: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallTimedOut:
    """Our :attr:`call` got no answer within the timeout; the slot is free again."""

    call: OutgoingCall


@dataclass(frozen=True, slots=True)
class ProtocolViolation:
    """The peer broke a rule; ``reply`` is the text to send back, when the rules say one is owed.

    ``rule`` is a short name (``"frame"``, ``"payload"``, ``"boot"``, ``"synchronicity"``,
    ``"unknown-id"``, ``"duplicate-id"``, ``"not-answerable"`` ...); ``violations`` the broken
    rules with their OCPP-J codes; ``message_id`` the offending message's id when it could be read;
    ``call`` our CALL the message answered, if any (it is then settled, and no other event
    follows for it).
    """

    rule: str
    message: str
    violations: tuple[Violation, ...] = ()
    reply: str | None = None
    message_id: str | None = None
    call: OutgoingCall | None = None


Event = (
    CallReceived
    | ResultReceived
    | ErrorReceived
    | SendReceived
    | ResultErrorReceived
    | CallTimedOut
    | ProtocolViolation
)
"""Anything :meth:`~ocpkit.ocpp.endpoint.Endpoint.receive` or ``tick`` can return."""
