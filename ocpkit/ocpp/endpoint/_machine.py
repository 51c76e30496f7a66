"""The endpoint's tables: the RPC machine, the registration machine and the boot rules (private).

Theory of operation: an OCPP-J connection has two small machines. The *RPC machine* tracks the
two CALL slots, ours and the peer's: OCPP-J allows one CALL in flight per direction (OCPP-J 1.6
§4.1.1, 2.x Part 4 §4.1.1), and the two may cross. The *registration machine* tracks the
station's BootNotification status (B01-B03; OCPP 1.6 §4.2), and :data:`BOOT_RULES` says which
CALLs each side may send in each registration state and how a receiver refuses the others.
The tables are data: :class:`~ocpkit.ocpp.endpoint.Endpoint` looks every move up here, and the
tests and the documentation read the same mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from ocpkit._fsm import Spec

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
    "Registration",
    "RpcInput",
    "RpcState",
    "family",
]


class RpcState(StrEnum):
    """Where the two CALL slots of a connection stand."""

    IDLE = "Idle"  # no CALL in flight in either direction
    AWAITING = "Awaiting"  # our CALL waits for its CALLRESULT or CALLERROR
    OWING = "Owing"  # the peer's CALL waits for our answer
    CROSSED = "Crossed"  # both at once: the two CALLs crossed on the wire


class RpcInput(StrEnum):
    """What can happen to the CALL slots: local ``send ...`` actions and remote ``receive ...`` ones."""

    SEND_CALL = "send CALL"
    RECEIVE_RESULT = "receive CALLRESULT"
    RECEIVE_ERROR = "receive CALLERROR"
    TIME_OUT = "time out"
    RECEIVE_CALL = "receive CALL"
    SEND_RESULT = "send CALLRESULT"
    SEND_ERROR = "send CALLERROR"
    SEND_SEND = "send SEND"
    RECEIVE_SEND = "receive SEND"


LOCAL_INPUTS: Final = frozenset(
    {RpcInput.SEND_CALL, RpcInput.SEND_RESULT, RpcInput.SEND_ERROR, RpcInput.SEND_SEND}
)
"""Inputs the application causes; a refused one raises :class:`~ocpkit.errors.EndpointError`.
``receive ...`` inputs come from the peer; a refused one is reported as a protocol violation.
``time out`` comes from :meth:`~ocpkit.ocpp.endpoint.Endpoint.tick`; without a CALL in flight
there is nothing to time out and the tick changes nothing."""

_S, _I = RpcState, RpcInput

# Every allowed (state, input) and the state it leads to; a pair absent from the table is refused.
RPC_TRANSITIONS: Final[Mapping[tuple[RpcState, RpcInput], RpcState]] = {
    # OCPP-J 1.6 §4.1.1 / 2.x Part 4 §4.1.1: a CALL only when our previous one was answered or timed out.
    (_S.IDLE, _I.SEND_CALL): _S.AWAITING,
    (_S.OWING, _I.SEND_CALL): _S.CROSSED,
    (_S.AWAITING, _I.RECEIVE_RESULT): _S.IDLE,
    (_S.CROSSED, _I.RECEIVE_RESULT): _S.OWING,
    (_S.AWAITING, _I.RECEIVE_ERROR): _S.IDLE,
    (_S.CROSSED, _I.RECEIVE_ERROR): _S.OWING,
    (_S.AWAITING, _I.TIME_OUT): _S.IDLE,
    (_S.CROSSED, _I.TIME_OUT): _S.OWING,
    # The peer is bound by the same rule; its CALL may cross ours (the NOTE under §4.1.1).
    (_S.IDLE, _I.RECEIVE_CALL): _S.OWING,
    (_S.AWAITING, _I.RECEIVE_CALL): _S.CROSSED,
    (_S.OWING, _I.SEND_RESULT): _S.IDLE,
    (_S.CROSSED, _I.SEND_RESULT): _S.AWAITING,
    (_S.OWING, _I.SEND_ERROR): _S.IDLE,
    (_S.CROSSED, _I.SEND_ERROR): _S.AWAITING,
    # 2.1 Part 4 §4.1.1 NOTE and §4.2.4: a SEND may go at any time and is never answered.
    **{(state, _I.SEND_SEND): state for state in _S},
    **{(state, _I.RECEIVE_SEND): state for state in _S},
}

_RPC_LABELS: Final[Mapping[tuple[RpcState, RpcInput], str]] = {
    (_S.AWAITING, _I.RECEIVE_CALL): "crossing",
    (_S.CROSSED, _I.SEND_RESULT): "crossing",
    (_S.CROSSED, _I.SEND_ERROR): "crossing",
}

RPC_SPEC: Final[Spec[RpcState, RpcInput]] = Spec(
    name="ocpp-j.rpc",
    states=tuple(RpcState),
    events=tuple(RpcInput),
    transitions=RPC_TRANSITIONS,
    labels=_RPC_LABELS,
)
"""The RPC machine of :class:`~ocpkit.ocpp.endpoint.Endpoint`, drawn in the documentation."""


class Registration(StrEnum):
    """The station's registration, set by the status of each BootNotification response."""

    NEW = "New"  # no BootNotification answered on this connection yet
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


_STATUSES: Final = (Registration.ACCEPTED, Registration.PENDING, Registration.REJECTED)
_USE_CASE: Final = {Registration.ACCEPTED: "B01", Registration.PENDING: "B02", Registration.REJECTED: "B03"}

# A BootNotification response may be sent, and resent, in any state (B02/B03 retry; a
# TriggerMessage for BootNotification after acceptance): the status it carries is the new state.
REGISTRATION_TRANSITIONS: Final[Mapping[tuple[Registration, Registration], str]] = {
    (state, status): _USE_CASE[status] for state in Registration for status in _STATUSES
}

REGISTRATION_SPEC: Final[Spec[Registration, Registration]] = Spec(
    name="ocpp.registration",
    states=tuple(Registration),
    events=_STATUSES,
    transitions={pair: pair[1] for pair in REGISTRATION_TRANSITIONS},
    labels=dict(REGISTRATION_TRANSITIONS),
)
"""The registration machine: BootNotification response statuses, labelled with their use case."""


class Allow(StrEnum):
    """Which CALLs (and SENDs) a side may initiate in a registration state."""

    ANY = "any"
    BOOT_ONLY = "BootNotification only"
    BOOT_OR_TRIGGERED = "BootNotification, or what the CSMS asked for"
    NO_REMOTE_START = "any but remote start and stop"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class BootRule:
    """What a side may send in a registration state, and how the receiver treats anything else.

    ``refusal`` is ``"SecurityError"`` (the receiver answers a CALLERROR with that code),
    ``"answer"`` (the receiver answers normally, e.g. a Rejected status, and the breach is
    reported) or ``"ignore"`` (the receiver does not answer at all).
    """

    allow: Allow
    refusal: Literal["SecurityError", "answer", "ignore", ""]
    section: str


_CS, _CSMS = "ChargingStation", "CSMS"
_R = Registration
_ANY = BootRule(Allow.ANY, "", "")

# (family, registration, sender) -> rule. Family "1.6" follows OCPP 1.6 §4.2 and the OCPP-J 1.6
# errata §3.10; family "2" follows 2.0.1 / 2.1 Part 2 B01-B03.
BOOT_RULES: Final[Mapping[tuple[str, Registration, str], BootRule]] = {
    ("1.6", _R.NEW, _CS): BootRule(
        Allow.BOOT_ONLY, "SecurityError", "OCPP 1.6 §4.2; OCPP-J 1.6 errata §3.10"
    ),
    ("1.6", _R.PENDING, _CS): BootRule(
        Allow.BOOT_OR_TRIGGERED, "SecurityError", "OCPP 1.6 §4.2; OCPP-J 1.6 errata §3.10"
    ),
    ("1.6", _R.REJECTED, _CS): BootRule(
        Allow.BOOT_ONLY, "SecurityError", "OCPP 1.6 §4.2; OCPP-J 1.6 errata §3.10"
    ),
    ("1.6", _R.ACCEPTED, _CS): _ANY,
    ("1.6", _R.NEW, _CSMS): _ANY,
    ("1.6", _R.PENDING, _CSMS): BootRule(Allow.NO_REMOTE_START, "answer", "OCPP 1.6 §4.2"),
    ("1.6", _R.REJECTED, _CSMS): BootRule(Allow.NOTHING, "ignore", "OCPP 1.6 §4.2"),
    ("1.6", _R.ACCEPTED, _CSMS): _ANY,
    ("2", _R.NEW, _CS): BootRule(Allow.BOOT_ONLY, "SecurityError", "B01.FR.08, B01.FR.10"),
    ("2", _R.PENDING, _CS): BootRule(Allow.BOOT_OR_TRIGGERED, "SecurityError", "B02.FR.02, B02.FR.09"),
    ("2", _R.REJECTED, _CS): BootRule(Allow.BOOT_ONLY, "SecurityError", "B03.FR.02, B03.FR.07"),
    ("2", _R.ACCEPTED, _CS): _ANY,
    ("2", _R.NEW, _CSMS): _ANY,
    ("2", _R.PENDING, _CSMS): BootRule(Allow.NO_REMOTE_START, "answer", "B02.FR.05"),
    ("2", _R.REJECTED, _CSMS): BootRule(Allow.NOTHING, "SecurityError", "B03.FR.03, B03.FR.08"),
    ("2", _R.ACCEPTED, _CSMS): _ANY,
}

REMOTE_START_STOP: Final[Mapping[str, frozenset[str]]] = {
    "1.6": frozenset({"RemoteStartTransaction", "RemoteStopTransaction"}),
    "2": frozenset({"RequestStartTransaction", "RequestStopTransaction"}),
}
"""The CSMS requests a station in Pending state must not get (1.6 §4.2; 2.x B02.FR.05)."""

# What a CSMS request, once the station accepted it, lets the station send before it is accepted:
# (family, action) -> {requested value -> action}; "*" is "the response to this request".
# 1.6 TriggerMessage §5.17 and the security extension's ExtendedTriggerMessage; 2.x B02.FR.02
# names TriggerMessage, GetBaseReport and GetReport (their reports come as NotifyReport).
TRIGGERS: Final[Mapping[tuple[str, str], Mapping[str, str]]] = {
    ("1.6", "TriggerMessage"): {
        "BootNotification": "BootNotification",
        "DiagnosticsStatusNotification": "DiagnosticsStatusNotification",
        "FirmwareStatusNotification": "FirmwareStatusNotification",
        "Heartbeat": "Heartbeat",
        "MeterValues": "MeterValues",
        "StatusNotification": "StatusNotification",
    },
    ("1.6", "ExtendedTriggerMessage"): {
        "BootNotification": "BootNotification",
        "LogStatusNotification": "LogStatusNotification",
        "FirmwareStatusNotification": "SignedFirmwareStatusNotification",
        "Heartbeat": "Heartbeat",
        "MeterValues": "MeterValues",
        "SignChargePointCertificate": "SignCertificate",
        "StatusNotification": "StatusNotification",
    },
    ("2", "TriggerMessage"): {
        "BootNotification": "BootNotification",
        "LogStatusNotification": "LogStatusNotification",
        "FirmwareStatusNotification": "FirmwareStatusNotification",
        "Heartbeat": "Heartbeat",
        "MeterValues": "MeterValues",
        "SignChargingStationCertificate": "SignCertificate",
        "SignV2GCertificate": "SignCertificate",
        "SignV2G20Certificate": "SignCertificate",
        "SignCombinedCertificate": "SignCertificate",
        "StatusNotification": "StatusNotification",
        "TransactionEvent": "TransactionEvent",
        "PublishFirmwareStatusNotification": "PublishFirmwareStatusNotification",
    },
    ("2", "GetBaseReport"): {"*": "NotifyReport"},
    ("2", "GetReport"): {"*": "NotifyReport"},
}


def family(version: str) -> str:
    """The key of a version in the boot tables: ``"1.6"`` or ``"2"``."""
    return "1.6" if version == "1.6" else "2"
