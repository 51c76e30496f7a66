"""Connector status machines: OCPP 1.6 (transition table) and OCPP 2.0.1 / 2.1 (per EVSE and connector).

Theory of operation. In OCPP 1.6 a charge point reports each connector's
status with StatusNotification. The status is the event: the machine moves to
the reported status, and :data:`V16_TRANSITIONS` (the OCPP 1.6 §4.9 table)
says whether the move is allowed and gives its code (``"A2"`` = from
Available, to state 2 Preparing). Connector 0, the charge point as a whole,
has its own small table. Captured traffic may legitimately skip short-lived
states (MinimumStatusDuration), so :class:`Connectors16` is usually run
``lenient``: a jump the table lacks becomes a warning finding and the machine
follows the charger. ``strict`` raises :class:`~ocpkit.errors.TransitionError`.
The error code that comes with a status is checked separately and always
yields findings, never exceptions.

OCPP 2.0.1 and 2.1 have no transition table: a connector's status is a
projection of flags (fault, unavailable, occupied, reserved) with a fixed
precedence, and every status can follow every other one. :data:`V2_TRANSITIONS`
still names, for each pair, the flag change that explains it, so the same
engine, tests and diagrams apply; :func:`v2_status` computes the projection.

Everything here is pure: statuses come in as values, findings go out as data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ocpkit._fsm import Machine, Policy, Spec, status_spec
from ocpkit.errors import TransitionError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus
from ocpkit.ocpp.v201.enums import ConnectorStatusEnumType

_S = ChargePointStatus
_C = ConnectorStatusEnumType  # the same five values in OCPP 2.1

__all__ = [
    "V2_STATUSES",
    "V2_TRANSITIONS",
    "V16_CONNECTOR0_TRANSITIONS",
    "V16_STATUSES",
    "V16_TRANSITIONS",
    "Connectors2",
    "Connectors16",
    "v2_spec",
    "v2_status",
    "v16_connector0_spec",
    "v16_spec",
    "v16_to_v2_status",
]

# OCPP 1.6 §7.7 ChargePointStatus, in the numbering of the §4.9 table (1..9).
V16_STATUSES: tuple[ChargePointStatus, ...] = (
    _S.AVAILABLE,
    _S.PREPARING,
    _S.CHARGING,
    _S.SUSPENDED_EV,
    _S.SUSPENDED_EVSE,
    _S.FINISHING,
    _S.RESERVED,
    _S.UNAVAILABLE,
    _S.FAULTED,
)

# OCPP 1.6 §4.9: every allowed (from, to) pair for connectorId > 0 and its code.
# A pair that is absent is not allowed. Code = letter of the from-state + number of the to-state.
V16_TRANSITIONS: Mapping[tuple[ChargePointStatus, ChargePointStatus], str] = {
    (_S.AVAILABLE, _S.PREPARING): "A2",
    (_S.AVAILABLE, _S.CHARGING): "A3",
    (_S.AVAILABLE, _S.SUSPENDED_EV): "A4",
    (_S.AVAILABLE, _S.SUSPENDED_EVSE): "A5",
    (_S.AVAILABLE, _S.RESERVED): "A7",
    (_S.AVAILABLE, _S.UNAVAILABLE): "A8",
    (_S.AVAILABLE, _S.FAULTED): "A9",
    (_S.PREPARING, _S.AVAILABLE): "B1",
    (_S.PREPARING, _S.CHARGING): "B3",
    (_S.PREPARING, _S.SUSPENDED_EV): "B4",
    (_S.PREPARING, _S.SUSPENDED_EVSE): "B5",
    (_S.PREPARING, _S.FINISHING): "B6",  # added by errata E16 §3.20
    (_S.PREPARING, _S.FAULTED): "B9",
    (_S.CHARGING, _S.AVAILABLE): "C1",
    (_S.CHARGING, _S.SUSPENDED_EV): "C4",
    (_S.CHARGING, _S.SUSPENDED_EVSE): "C5",
    (_S.CHARGING, _S.FINISHING): "C6",
    (_S.CHARGING, _S.UNAVAILABLE): "C8",
    (_S.CHARGING, _S.FAULTED): "C9",
    (_S.SUSPENDED_EV, _S.AVAILABLE): "D1",
    (_S.SUSPENDED_EV, _S.CHARGING): "D3",
    (_S.SUSPENDED_EV, _S.SUSPENDED_EVSE): "D5",
    (_S.SUSPENDED_EV, _S.FINISHING): "D6",
    (_S.SUSPENDED_EV, _S.UNAVAILABLE): "D8",
    (_S.SUSPENDED_EV, _S.FAULTED): "D9",
    (_S.SUSPENDED_EVSE, _S.AVAILABLE): "E1",
    (_S.SUSPENDED_EVSE, _S.CHARGING): "E3",
    (_S.SUSPENDED_EVSE, _S.SUSPENDED_EV): "E4",
    (_S.SUSPENDED_EVSE, _S.FINISHING): "E6",
    (_S.SUSPENDED_EVSE, _S.UNAVAILABLE): "E8",
    (_S.SUSPENDED_EVSE, _S.FAULTED): "E9",
    (_S.FINISHING, _S.AVAILABLE): "F1",
    (_S.FINISHING, _S.PREPARING): "F2",
    (_S.FINISHING, _S.UNAVAILABLE): "F8",
    (_S.FINISHING, _S.FAULTED): "F9",
    (_S.RESERVED, _S.AVAILABLE): "G1",
    (_S.RESERVED, _S.PREPARING): "G2",
    (_S.RESERVED, _S.UNAVAILABLE): "G8",
    (_S.RESERVED, _S.FAULTED): "G9",
    (_S.UNAVAILABLE, _S.AVAILABLE): "H1",
    (_S.UNAVAILABLE, _S.PREPARING): "H2",
    (_S.UNAVAILABLE, _S.CHARGING): "H3",
    (_S.UNAVAILABLE, _S.SUSPENDED_EV): "H4",
    (_S.UNAVAILABLE, _S.SUSPENDED_EVSE): "H5",
    (_S.UNAVAILABLE, _S.FAULTED): "H9",
    (_S.FAULTED, _S.AVAILABLE): "I1",
    (_S.FAULTED, _S.PREPARING): "I2",
    (_S.FAULTED, _S.CHARGING): "I3",
    (_S.FAULTED, _S.SUSPENDED_EV): "I4",
    (_S.FAULTED, _S.SUSPENDED_EVSE): "I5",
    (_S.FAULTED, _S.FINISHING): "I6",
    (_S.FAULTED, _S.RESERVED): "I7",
    (_S.FAULTED, _S.UNAVAILABLE): "I8",
}

# OCPP 1.6 §4.9/§7.7: connector 0 (the charge point) is only ever Available, Unavailable or Faulted.
# The codes reuse the letters and numbers of the main table.
V16_CONNECTOR0_TRANSITIONS: Mapping[tuple[ChargePointStatus, ChargePointStatus], str] = {
    (_S.AVAILABLE, _S.UNAVAILABLE): "A8",
    (_S.AVAILABLE, _S.FAULTED): "A9",
    (_S.UNAVAILABLE, _S.AVAILABLE): "H1",
    (_S.UNAVAILABLE, _S.FAULTED): "H9",
    (_S.FAULTED, _S.AVAILABLE): "I1",
    (_S.FAULTED, _S.UNAVAILABLE): "I8",
}
_V16_CONNECTOR0_STATUSES: tuple[ChargePointStatus, ...] = (_S.AVAILABLE, _S.UNAVAILABLE, _S.FAULTED)

# OCPP 2.0.1 / 2.1 ConnectorStatusEnumType, in order of precedence (highest first) for the projection.
V2_STATUSES: tuple[ConnectorStatusEnumType, ...] = (
    _C.FAULTED,
    _C.UNAVAILABLE,
    _C.OCCUPIED,
    _C.RESERVED,
    _C.AVAILABLE,
)

# OCPP 2.0.1 / 2.1: no table in the spec; each pair maps to the flag change that explains it.
V2_TRANSITIONS: Mapping[tuple[ConnectorStatusEnumType, ConnectorStatusEnumType], str] = {
    (_C.AVAILABLE, _C.OCCUPIED): "PlugIn",
    (_C.AVAILABLE, _C.RESERVED): "Reserve",
    (_C.AVAILABLE, _C.UNAVAILABLE): "Unavailable",
    (_C.AVAILABLE, _C.FAULTED): "Error",
    (_C.OCCUPIED, _C.AVAILABLE): "PlugOut",
    (_C.OCCUPIED, _C.RESERVED): "PlugOut",  # a reservation made while occupied shows once unplugged
    (_C.OCCUPIED, _C.UNAVAILABLE): "Unavailable",
    (_C.OCCUPIED, _C.FAULTED): "Error",
    (_C.RESERVED, _C.AVAILABLE): "ReservationCleared",
    # X201 (H03.FR.09/10): only the matching token's plug-in ends a reservation this way;
    # any other plug-in keeps the connector Reserved.
    (_C.RESERVED, _C.OCCUPIED): "PlugIn",
    (_C.RESERVED, _C.UNAVAILABLE): "Unavailable",
    (_C.RESERVED, _C.FAULTED): "Error",
    (_C.UNAVAILABLE, _C.AVAILABLE): "UnavailableCleared",
    (_C.UNAVAILABLE, _C.OCCUPIED): "UnavailableCleared",
    (_C.UNAVAILABLE, _C.RESERVED): "UnavailableCleared",
    (_C.UNAVAILABLE, _C.FAULTED): "Error",
    (_C.FAULTED, _C.AVAILABLE): "ErrorCleared",
    (_C.FAULTED, _C.OCCUPIED): "ErrorCleared",
    (_C.FAULTED, _C.RESERVED): "ErrorCleared",
    (_C.FAULTED, _C.UNAVAILABLE): "ErrorCleared",
}

_ERROR, _WARNING = Severity.ERROR, Severity.WARNING
_T = TypeVar("_T", ChargePointStatus, ConnectorStatusEnumType)

# OCPP 1.6 §4.9: EVCommunicationError is only meaningful with these statuses.
_EV_COMMUNICATION_STATUSES = frozenset({_S.PREPARING, _S.SUSPENDED_EV, _S.SUSPENDED_EVSE, _S.FINISHING})
_V16_OCCUPIED = frozenset({_S.PREPARING, _S.CHARGING, _S.SUSPENDED_EV, _S.SUSPENDED_EVSE, _S.FINISHING})


def _with_repeats(table: Mapping[tuple[_T, _T], str], states: tuple[_T, ...]) -> dict[tuple[_T, _T], str]:
    # Reporting the status a connector already has is no move at all: chargers repeat it
    # after BootNotification and on TriggerMessage, so it is allowed without a code.
    full = dict(table)
    for state in states:
        full.setdefault((state, state), "")
    return full


_V16_SPEC = status_spec("connector16", _with_repeats(V16_TRANSITIONS, V16_STATUSES), V16_STATUSES)
_V16_CONNECTOR0_SPEC = status_spec(
    "connector16.0",
    _with_repeats(V16_CONNECTOR0_TRANSITIONS, _V16_CONNECTOR0_STATUSES),
    _V16_CONNECTOR0_STATUSES,
)
_V2_SPEC = status_spec("connector2", _with_repeats(V2_TRANSITIONS, V2_STATUSES), V2_STATUSES)


def v16_spec() -> Spec[ChargePointStatus, ChargePointStatus]:
    """The OCPP 1.6 connector machine (connectorId > 0), built from :data:`V16_TRANSITIONS`."""
    return _V16_SPEC


def v16_connector0_spec() -> Spec[ChargePointStatus, ChargePointStatus]:
    """The OCPP 1.6 machine of connector 0, built from :data:`V16_CONNECTOR0_TRANSITIONS`."""
    return _V16_CONNECTOR0_SPEC


def v2_spec() -> Spec[ConnectorStatusEnumType, ConnectorStatusEnumType]:
    """The OCPP 2.0.1 / 2.1 connector machine, built from :data:`V2_TRANSITIONS`."""
    return _V2_SPEC


def v16_to_v2_status(status: str) -> ConnectorStatusEnumType:
    """Map a 1.6 ChargePointStatus to the 2.x ConnectorStatusEnumType value.

    The five in-use statuses of 1.6 all become ``Occupied``; in 2.x their
    detail lives in TransactionEvent's ``chargingState``.
    """
    if status in _V16_OCCUPIED:
        return _C.OCCUPIED
    if status in {_S.AVAILABLE, _S.RESERVED, _S.UNAVAILABLE, _S.FAULTED}:
        return _C(status)
    raise ValueError(f"not an OCPP 1.6 ChargePointStatus: {status!r}")


def v2_status(
    *,
    faulted: bool,
    unavailable: bool,
    occupied: bool,
    reserved: bool,
    inoperative: bool = False,
) -> ConnectorStatusEnumType:
    """Project connector flags onto the 2.x status, highest precedence first.

    ``inoperative`` is the EVSE's or the whole station's availability: when
    set the connector is Unavailable whatever else holds, a fault included.
    Otherwise the order is Faulted, Unavailable (the connector itself),
    Occupied, Reserved, Available.
    """
    if inoperative:
        return _C.UNAVAILABLE
    for flag, status in zip((faulted, unavailable, occupied, reserved), V2_STATUSES, strict=False):
        if flag:
            return status
    return _C.AVAILABLE


def _is_id(value: object) -> bool:
    # JSON booleans are ints to Python; ids count from 1.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@dataclass
class Connectors16:
    """OCPP 1.6 connector statuses of one charge point, one machine per connectorId.

    Feed every StatusNotification to :meth:`status_notification`; it returns
    the findings. Under ``policy="strict"`` an illegal move raises
    :class:`~ocpkit.errors.TransitionError` and leaves that connector's state unchanged.
    """

    policy: Policy = "lenient"
    machines: dict[int, Machine[ChargePointStatus, ChargePointStatus]] = field(default_factory=dict)

    def state(self, connector_id: int) -> ChargePointStatus | None:
        """The last accepted status of a connector, ``None`` when none was seen yet."""
        machine = self.machines.get(connector_id)
        return None if machine is None else machine.state

    def machine(self, connector_id: int) -> Machine[ChargePointStatus, ChargePointStatus]:
        """The machine of one connector (created on first use, in an unknown state)."""
        machine = self.machines.get(connector_id)
        if machine is None:
            spec = _V16_CONNECTOR0_SPEC if connector_id == 0 else _V16_SPEC
            machine = Machine(spec, policy=self.policy, subject=f"connector {connector_id}")
            self.machines[connector_id] = machine
        return machine

    def status_notification(
        self,
        connector_id: object,
        status: object,
        error_code: object = ChargePointErrorCode.NO_ERROR,
        *,
        ref: object = None,
    ) -> list[Finding]:
        """Apply one StatusNotification; return the findings (possibly none)."""
        subject = f"connector {connector_id}"
        if not isinstance(connector_id, int) or isinstance(connector_id, bool) or connector_id < 0:
            return [Finding(_ERROR, "connector.id", f"bad connectorId {connector_id!r}", subject, ref)]
        findings: list[Finding] = []
        if not isinstance(status, str) or status not in V16_STATUSES:
            findings.append(Finding(_ERROR, "connector.status", f"unknown status {status!r}", subject, ref))
            return findings
        if connector_id == 0 and status not in _V16_CONNECTOR0_STATUSES:
            # OCPP 1.6 §4.9: connector 0 is never in use, so only these three statuses apply.
            if self.policy == "strict":
                current = self.state(0)
                shown = None if current is None else str(current)
                raise TransitionError(
                    _V16_CONNECTOR0_SPEC.name, shown, status, "not a connector-0 status", subject=subject
                )
            findings.append(
                Finding(
                    _ERROR,
                    "connector.connector0-status",
                    f"connector 0 may only be Available, Unavailable or Faulted, not {status}",
                    subject,
                    ref,
                )
            )
            return findings
        step = self.machine(connector_id).step(_S(status), ref=ref)
        if step.finding is not None:
            findings.append(step.finding)
        findings.extend(_error_code_findings(status, error_code, subject, ref))
        return findings


def _error_code_findings(status: str, error_code: object, subject: str, ref: object) -> list[Finding]:
    if not isinstance(error_code, str):
        return [Finding(_ERROR, "connector.error-code", f"bad errorCode {error_code!r}", subject, ref)]
    found: list[Finding] = []
    # OCPP 1.6 §4.9: EVCommunicationError goes with Preparing, SuspendedEV(SE) or Finishing only.
    if error_code == ChargePointErrorCode.EV_COMMUNICATION_ERROR and status not in _EV_COMMUNICATION_STATUSES:
        found.append(
            Finding(
                _ERROR,
                "connector.ev-communication-error-status",
                f"EVCommunicationError reported with status {status}",
                subject,
                ref,
            )
        )
    if status == _S.FAULTED:
        if error_code == ChargePointErrorCode.NO_ERROR:
            found.append(
                Finding(
                    Severity.WARNING, "connector.fault-without-code", "Faulted with NoError", subject, ref
                )
            )
        else:
            found.append(
                Finding(
                    Severity.WARNING, "connector.faulted", f"connector faulted: {error_code}", subject, ref
                )
            )
    elif error_code != ChargePointErrorCode.NO_ERROR:
        # OCPP 1.6 §4.9: an error code on any status but Faulted is a warning, not a fault.
        found.append(
            Finding(
                _WARNING,
                "connector.error-warning",
                f"{error_code} reported with status {status}",
                subject,
                ref,
            )
        )
    return found


@dataclass
class Connectors2:
    """OCPP 2.0.1 / 2.1 connector statuses of one station, keyed by ``(evseId, connectorId)``.

    Every move between the five statuses can happen through some flag change,
    so the machine refuses none; the checks are on the values: an unknown
    status, or an EVSE or connector id below 1 (0 would mean the station).
    """

    policy: Policy = "lenient"
    machines: dict[tuple[int, int], Machine[ConnectorStatusEnumType, ConnectorStatusEnumType]] = field(
        default_factory=dict
    )

    def state(self, evse_id: int, connector_id: int) -> ConnectorStatusEnumType | None:
        """The last accepted status of one connector, ``None`` when none was seen yet."""
        machine = self.machines.get((evse_id, connector_id))
        return None if machine is None else machine.state

    def status_notification(
        self, evse_id: object, connector_id: object, status: object, *, ref: object = None
    ) -> list[Finding]:
        """Apply one StatusNotification (``connectorStatus``); return the findings."""
        subject = f"evse {evse_id} connector {connector_id}"
        if not (_is_id(evse_id) and _is_id(connector_id)):
            return [
                Finding(
                    _ERROR,
                    "connector.id",
                    f"evseId and connectorId count from 1, got {evse_id!r}/{connector_id!r}",
                    subject,
                    ref,
                )
            ]
        if not isinstance(status, str) or status not in V2_STATUSES:
            return [Finding(_ERROR, "connector.status", f"unknown status {status!r}", subject, ref)]
        assert isinstance(evse_id, int) and isinstance(connector_id, int)  # narrowed by _is_id
        key = (evse_id, connector_id)
        machine = self.machines.get(key)
        if machine is None:
            machine = Machine(_V2_SPEC, policy=self.policy, subject=subject)
            self.machines[key] = machine
        step = machine.step(_C(status), ref=ref)
        findings = [step.finding] if step.finding is not None else []
        if status == _C.FAULTED:
            findings.append(Finding(_WARNING, "connector.faulted", "connector faulted", subject, ref))
        return findings
