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

from ocpkit._fsm import Machine, Policy, Spec, Step, status_spec
from ocpkit.findings import Finding, Severity

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
V16_STATUSES: tuple[str, ...] = (
    "Available",
    "Preparing",
    "Charging",
    "SuspendedEV",
    "SuspendedEVSE",
    "Finishing",
    "Reserved",
    "Unavailable",
    "Faulted",
)

# OCPP 1.6 §4.9: every allowed (from, to) pair for connectorId > 0 and its code.
# A pair that is absent is not allowed. Code = letter of the from-state + number of the to-state.
V16_TRANSITIONS: Mapping[tuple[str, str], str] = {
    ("Available", "Preparing"): "A2",
    ("Available", "Charging"): "A3",
    ("Available", "SuspendedEV"): "A4",
    ("Available", "SuspendedEVSE"): "A5",
    ("Available", "Reserved"): "A7",
    ("Available", "Unavailable"): "A8",
    ("Available", "Faulted"): "A9",
    ("Preparing", "Available"): "B1",
    ("Preparing", "Charging"): "B3",
    ("Preparing", "SuspendedEV"): "B4",
    ("Preparing", "SuspendedEVSE"): "B5",
    ("Preparing", "Finishing"): "B6",  # added by errata E16 §3.20
    ("Preparing", "Faulted"): "B9",
    ("Charging", "Available"): "C1",
    ("Charging", "SuspendedEV"): "C4",
    ("Charging", "SuspendedEVSE"): "C5",
    ("Charging", "Finishing"): "C6",
    ("Charging", "Unavailable"): "C8",
    ("Charging", "Faulted"): "C9",
    ("SuspendedEV", "Available"): "D1",
    ("SuspendedEV", "Charging"): "D3",
    ("SuspendedEV", "SuspendedEVSE"): "D5",
    ("SuspendedEV", "Finishing"): "D6",
    ("SuspendedEV", "Unavailable"): "D8",
    ("SuspendedEV", "Faulted"): "D9",
    ("SuspendedEVSE", "Available"): "E1",
    ("SuspendedEVSE", "Charging"): "E3",
    ("SuspendedEVSE", "SuspendedEV"): "E4",
    ("SuspendedEVSE", "Finishing"): "E6",
    ("SuspendedEVSE", "Unavailable"): "E8",
    ("SuspendedEVSE", "Faulted"): "E9",
    ("Finishing", "Available"): "F1",
    ("Finishing", "Preparing"): "F2",
    ("Finishing", "Unavailable"): "F8",
    ("Finishing", "Faulted"): "F9",
    ("Reserved", "Available"): "G1",
    ("Reserved", "Preparing"): "G2",
    ("Reserved", "Unavailable"): "G8",
    ("Reserved", "Faulted"): "G9",
    ("Unavailable", "Available"): "H1",
    ("Unavailable", "Preparing"): "H2",
    ("Unavailable", "Charging"): "H3",
    ("Unavailable", "SuspendedEV"): "H4",
    ("Unavailable", "SuspendedEVSE"): "H5",
    ("Unavailable", "Faulted"): "H9",
    ("Faulted", "Available"): "I1",
    ("Faulted", "Preparing"): "I2",
    ("Faulted", "Charging"): "I3",
    ("Faulted", "SuspendedEV"): "I4",
    ("Faulted", "SuspendedEVSE"): "I5",
    ("Faulted", "Finishing"): "I6",
    ("Faulted", "Reserved"): "I7",
    ("Faulted", "Unavailable"): "I8",
}

# OCPP 1.6 §4.9/§7.7: connector 0 (the charge point) is only ever Available, Unavailable or Faulted.
# The codes reuse the letters and numbers of the main table.
V16_CONNECTOR0_TRANSITIONS: Mapping[tuple[str, str], str] = {
    ("Available", "Unavailable"): "A8",
    ("Available", "Faulted"): "A9",
    ("Unavailable", "Available"): "H1",
    ("Unavailable", "Faulted"): "H9",
    ("Faulted", "Available"): "I1",
    ("Faulted", "Unavailable"): "I8",
}
_V16_CONNECTOR0_STATUSES: tuple[str, ...] = ("Available", "Unavailable", "Faulted")

# OCPP 2.0.1 / 2.1 ConnectorStatusEnumType, in order of precedence (highest first) for the projection.
V2_STATUSES: tuple[str, ...] = ("Faulted", "Unavailable", "Occupied", "Reserved", "Available")

# OCPP 2.0.1 / 2.1: no table in the spec; each pair maps to the flag change that explains it.
V2_TRANSITIONS: Mapping[tuple[str, str], str] = {
    ("Available", "Occupied"): "PlugIn",
    ("Available", "Reserved"): "Reserve",
    ("Available", "Unavailable"): "Unavailable",
    ("Available", "Faulted"): "Error",
    ("Occupied", "Available"): "PlugOut",
    ("Occupied", "Reserved"): "PlugOut",  # a reservation made while occupied shows once unplugged
    ("Occupied", "Unavailable"): "Unavailable",
    ("Occupied", "Faulted"): "Error",
    ("Reserved", "Available"): "ReservationCleared",
    # X201 (H03.FR.09/10): only the matching token's plug-in ends a reservation this way;
    # any other plug-in keeps the connector Reserved.
    ("Reserved", "Occupied"): "PlugIn",
    ("Reserved", "Unavailable"): "Unavailable",
    ("Reserved", "Faulted"): "Error",
    ("Unavailable", "Available"): "UnavailableCleared",
    ("Unavailable", "Occupied"): "UnavailableCleared",
    ("Unavailable", "Reserved"): "UnavailableCleared",
    ("Unavailable", "Faulted"): "Error",
    ("Faulted", "Available"): "ErrorCleared",
    ("Faulted", "Occupied"): "ErrorCleared",
    ("Faulted", "Reserved"): "ErrorCleared",
    ("Faulted", "Unavailable"): "ErrorCleared",
}

_ERROR, _WARNING = Severity.ERROR, Severity.WARNING
_Pair = tuple[str, str]

# OCPP 1.6 §4.9: EVCommunicationError is only meaningful with these statuses.
_EV_COMMUNICATION_STATUSES = frozenset({"Preparing", "SuspendedEV", "SuspendedEVSE", "Finishing"})
_V16_OCCUPIED = frozenset({"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})


def _with_repeats(
    table: Mapping[tuple[str, str], str], states: tuple[str, ...]
) -> dict[tuple[str, str], str]:
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


def v16_spec() -> Spec[str, str]:
    """The OCPP 1.6 connector machine (connectorId > 0), built from :data:`V16_TRANSITIONS`."""
    return _V16_SPEC


def v16_connector0_spec() -> Spec[str, str]:
    """The OCPP 1.6 machine of connector 0, built from :data:`V16_CONNECTOR0_TRANSITIONS`."""
    return _V16_CONNECTOR0_SPEC


def v2_spec() -> Spec[str, str]:
    """The OCPP 2.0.1 / 2.1 connector machine, built from :data:`V2_TRANSITIONS`."""
    return _V2_SPEC


def v16_to_v2_status(status: str) -> str:
    """Map a 1.6 ChargePointStatus to the 2.x ConnectorStatusEnumType value.

    The five in-use statuses of 1.6 all become ``Occupied``; in 2.x their
    detail lives in TransactionEvent's ``chargingState``.
    """
    if status in _V16_OCCUPIED:
        return "Occupied"
    if status in {"Available", "Reserved", "Unavailable", "Faulted"}:
        return status
    raise ValueError(f"not an OCPP 1.6 ChargePointStatus: {status!r}")


def v2_status(*, faulted: bool, unavailable: bool, occupied: bool, reserved: bool) -> str:
    """Project connector flags onto the 2.x status, highest precedence first.

    Order: Faulted, Unavailable, Occupied, Reserved, Available. (An inoperative
    EVSE or station overrides even a fault; pass ``unavailable=True, faulted=False``
    for that case.)
    """
    for flag, status in zip((faulted, unavailable, occupied, reserved), V2_STATUSES, strict=False):
        if flag:
            return status
    return "Available"


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
    machines: dict[int, Machine[str, str]] = field(default_factory=dict)

    def state(self, connector_id: int) -> str | None:
        """The last accepted status of a connector, ``None`` when none was seen yet."""
        machine = self.machines.get(connector_id)
        return None if machine is None else machine.state

    def machine(self, connector_id: int) -> Machine[str, str]:
        """The machine of one connector (created on first use, in an unknown state)."""
        machine = self.machines.get(connector_id)
        if machine is None:
            spec = _V16_CONNECTOR0_SPEC if connector_id == 0 else _V16_SPEC
            machine = Machine(spec, policy=self.policy, subject=f"connector {connector_id}")
            self.machines[connector_id] = machine
        return machine

    def status_notification(
        self, connector_id: object, status: object, error_code: object = "NoError", *, ref: object = None
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
        step: Step[str, str] = self.machine(connector_id).step(status, ref=ref)
        if step.finding is not None:
            findings.append(step.finding)
        findings.extend(_error_code_findings(status, error_code, subject, ref))
        return findings


def _error_code_findings(status: str, error_code: object, subject: str, ref: object) -> list[Finding]:
    if not isinstance(error_code, str):
        return [Finding(_ERROR, "connector.error-code", f"bad errorCode {error_code!r}", subject, ref)]
    found: list[Finding] = []
    # OCPP 1.6 §4.9: EVCommunicationError goes with Preparing, SuspendedEV(SE) or Finishing only.
    if error_code == "EVCommunicationError" and status not in _EV_COMMUNICATION_STATUSES:
        found.append(
            Finding(
                _ERROR,
                "connector.ev-communication-error-status",
                f"EVCommunicationError reported with status {status}",
                subject,
                ref,
            )
        )
    if status == "Faulted":
        if error_code == "NoError":
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
    elif error_code != "NoError":
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
    machines: dict[tuple[int, int], Machine[str, str]] = field(default_factory=dict)

    def state(self, evse_id: int, connector_id: int) -> str | None:
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
        step = machine.step(status, ref=ref)
        findings = [step.finding] if step.finding is not None else []
        if status == "Faulted":
            findings.append(Finding(_WARNING, "connector.faulted", "connector faulted", subject, ref))
        return findings
