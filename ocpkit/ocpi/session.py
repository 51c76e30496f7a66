"""OCPI Session status machine, per OCPI version.

Theory of operation. A CPO pushes a Session (PUT, then PATCHes) or an eMSP
pulls it (GET); either way the observer sees a sequence of ``status`` values
for one session. The status is the event: the machine moves to the reported
status, and the table of the version says whether that move is allowed.

* PENDING is the initial state (OCPI sessions module, SessionStatus). A
  pending session may become ACTIVE or may never do so; it then ends.
* RESERVATION exists from 2.2.1 on: a session created for a reservation,
  which becomes ACTIVE when the reserved token starts charging, or ends as
  COMPLETED when the reservation is not used (2.2.1 sessions, "Reservation").
* COMPLETED and INVALID are final: a completed session is not modified any
  more, an invalid one is not billed.

Repeating a non-final status is no move (PATCHes carry kWh and cost updates).
An observer that starts mid-way takes the first status it sees. Under
``lenient`` an illegal jump is a warning finding and the machine follows the
reported status; under ``strict`` it raises
:class:`~ocpkit.errors.TransitionError`. The sessions text of 2.2.1 and 2.3.0
writes ``RESERVED`` where the enum value is ``RESERVATION``; only the enum
value is a status here.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ocpkit._fsm import Machine, Policy, Spec, status_spec
from ocpkit.errors import UnsupportedError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpi.v211.enums import SessionStatus as SessionStatus211
from ocpkit.ocpi.v221.enums import SessionStatus as SessionStatus221
from ocpkit.ocpi.v230.enums import SessionStatus as SessionStatus230

__all__ = [
    "SESSION_TRANSITIONS",
    "V211_SESSION_TRANSITIONS",
    "V221_SESSION_TRANSITIONS",
    "V230_SESSION_TRANSITIONS",
    "Sessions",
    "session_spec",
]

_A, _B = SessionStatus211, SessionStatus221

# OCPI 2.1.1 sessions §4.1 SessionStatus: PENDING first, COMPLETED/INVALID final.
V211_SESSION_TRANSITIONS: Mapping[tuple[SessionStatus211, SessionStatus211], str] = {
    (_A.PENDING, _A.ACTIVE): "activate",
    (_A.PENDING, _A.COMPLETED): "end-unused",
    (_A.PENDING, _A.INVALID): "invalidate",
    (_A.ACTIVE, _A.COMPLETED): "complete",
    (_A.ACTIVE, _A.INVALID): "invalidate",
}

# OCPI 2.2.1 sessions: as 2.1.1, plus RESERVATION ("Reservation" flow: to ACTIVE, or COMPLETED if unused).
V221_SESSION_TRANSITIONS: Mapping[tuple[SessionStatus221, SessionStatus221], str] = {
    (_B.PENDING, _B.ACTIVE): "activate",
    (_B.PENDING, _B.COMPLETED): "end-unused",
    (_B.PENDING, _B.INVALID): "invalidate",
    (_B.RESERVATION, _B.ACTIVE): "activate",
    (_B.RESERVATION, _B.COMPLETED): "end-unused",
    (_B.RESERVATION, _B.INVALID): "invalidate",
    (_B.ACTIVE, _B.COMPLETED): "complete",
    (_B.ACTIVE, _B.INVALID): "invalidate",
}

# OCPI 2.3.0 keeps the 2.2.1 statuses and flow.
V230_SESSION_TRANSITIONS: Mapping[tuple[SessionStatus230, SessionStatus230], str] = {
    (SessionStatus230(a), SessionStatus230(b)): code for (a, b), code in V221_SESSION_TRANSITIONS.items()
}

# Keys differ per version (each version has its own SessionStatus enum).
SESSION_TRANSITIONS: Mapping[str, Mapping[tuple[Any, Any], str]] = {
    "2.1.1": V211_SESSION_TRANSITIONS,
    "2.2.1": V221_SESSION_TRANSITIONS,
    "2.3.0": V230_SESSION_TRANSITIONS,
}
_ENUMS: Mapping[str, type[StrEnum]] = {
    "2.1.1": SessionStatus211,
    "2.2.1": SessionStatus221,
    "2.3.0": SessionStatus230,
}
_FINAL = frozenset({"COMPLETED", "INVALID"})


def _build(version: str) -> Spec[StrEnum, StrEnum]:
    states = tuple(_ENUMS[version])
    table = dict(SESSION_TRANSITIONS[version])
    for state in states:
        if state not in _FINAL:
            table.setdefault((state, state), "")
    return status_spec(f"session{version.replace('.', '')}", table, states)


_SPECS: Mapping[str, Spec[StrEnum, StrEnum]] = {version: _build(version) for version in SESSION_TRANSITIONS}


def session_spec(version: str) -> Spec[StrEnum, StrEnum]:
    """The Session status machine of one OCPI version (``"2.1.1"``, ``"2.2.1"``, ``"2.3.0"``)."""
    try:
        return _SPECS[version]
    except (KeyError, TypeError):
        raise UnsupportedError(
            f"unknown OCPI version {version!r}; expected one of 2.1.1, 2.2.1, 2.3.0"
        ) from None


@dataclass
class Sessions:
    """Session statuses seen by one party, one machine per session key.

    The key is whatever identifies a session for the caller, typically
    ``(country_code, party_id, id)``.
    """

    version: str = "2.2.1"
    policy: Policy = "lenient"
    machines: dict[Hashable, Machine[StrEnum, StrEnum]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._spec = session_spec(self.version)
        self._enum = _ENUMS[self.version]

    def state(self, key: Hashable) -> StrEnum | None:
        """The last accepted status of a session, ``None`` when none was seen."""
        machine = self.machines.get(key)
        return None if machine is None else machine.state

    def update(self, key: Hashable, status: object, *, ref: object = None) -> list[Finding]:
        """Apply the ``status`` of a Session object (from a PUT, PATCH or GET); return the findings."""
        subject = f"session {key!r}"
        values = {member.value for member in self._enum}
        if not isinstance(status, str) or status not in values:
            hint = (
                " (the enum value is RESERVATION)" if status == "RESERVED" and "RESERVATION" in values else ""
            )
            message = f"{status!r} is not a SessionStatus of OCPI {self.version}{hint}"
            return [Finding(Severity.ERROR, "session.status", message, subject, ref)]
        try:
            machine = self.machines[key]
        except TypeError:
            return [Finding(Severity.ERROR, "session.key", f"unhashable session key {key!r}", subject, ref)]
        except KeyError:
            machine = Machine(self._spec, policy=self.policy, subject=subject)
            self.machines[key] = machine
        step = machine.step(self._enum(status), ref=ref)
        return [step.finding] if step.finding is not None else []
