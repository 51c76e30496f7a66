"""A sans-IO OCPP-J endpoint: build a charging station or a CSMS on any transport.

Theory of operation. An :class:`Endpoint` is one side of one OCPP-J connection, in the manner of
h11: it owns no socket and reads no clock. The application feeds it each text message the peer
sent (:meth:`Endpoint.receive`) and gets back events (:class:`CallReceived`,
:class:`ResultReceived`, :class:`ErrorReceived`, :class:`SendReceived`,
:class:`ResultErrorReceived`, :class:`ProtocolViolation`); it asks the endpoint for the text of
what it wants to send (:meth:`Endpoint.call`, :meth:`Endpoint.result`, :meth:`Endpoint.error`,
:meth:`Endpoint.send`) and writes that text to its transport itself. Time is an input too:
:meth:`Endpoint.tick` turns an unanswered CALL into :class:`CallTimedOut`.

The OCPP-J rules live in two tables, drawn in the documentation: :data:`RPC_TRANSITIONS` (one
CALL in flight per direction, crossing CALLs, SENDs at any time) and
:data:`REGISTRATION_TRANSITIONS` with :data:`BOOT_RULES` (what each side may send before the
station is Accepted). A local action the tables refuse raises
:class:`~ocpkit.errors.EndpointError` and leaves the endpoint unchanged; a peer's message they
refuse becomes a :class:`ProtocolViolation` whose ``reply`` holds the CALLERROR the rules owe
(invalid payload: the code of that version; unknown action: NotImplemented; a CALL before
acceptance: SecurityError), or ``None`` when nothing is owed (a CALLERROR is never answered, nor
a SEND; an answer to an unknown id is reported only). Frames and payloads are judged by
:func:`~ocpkit.ocpp.validation.check_frame`; typed models are built only when an event's
``payload`` is read.
"""

from __future__ import annotations

from ocpkit.ocpp.endpoint._endpoint import BootRules, Endpoint, Role
from ocpkit.ocpp.endpoint._events import (
    CallReceived,
    CallTimedOut,
    ErrorReceived,
    Event,
    OutgoingCall,
    ProtocolViolation,
    ResultErrorReceived,
    ResultReceived,
    SendReceived,
)
from ocpkit.ocpp.endpoint._machine import (
    BOOT_RULES,
    LOCAL_INPUTS,
    REGISTRATION_SPEC,
    REGISTRATION_TRANSITIONS,
    REMOTE_START_STOP,
    RPC_SPEC,
    RPC_TRANSITIONS,
    TRIGGERS,
    Allow,
    BootRule,
    Registration,
    RpcInput,
    RpcState,
)

__all__ = [
    "BOOT_RULES",
    "LOCAL_INPUTS",
    "REGISTRATION_SPEC",
    "REGISTRATION_TRANSITIONS",
    "REMOTE_START_STOP",
    "RPC_SPEC",
    "RPC_TRANSITIONS",
    "TRIGGERS",
    "Allow",
    "BootRule",
    "BootRules",
    "CallReceived",
    "CallTimedOut",
    "Endpoint",
    "ErrorReceived",
    "Event",
    "OutgoingCall",
    "ProtocolViolation",
    "Registration",
    "ResultErrorReceived",
    "ResultReceived",
    "Role",
    "RpcInput",
    "RpcState",
    "SendReceived",
]
