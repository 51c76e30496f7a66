"""Findings: what a state machine or checker has to say about observed traffic.

Theory of operation: the machines in ocpkit never log and never print. When
they notice something (an illegal status jump tolerated in lenient mode, a
seqNo gap, a stop for an unknown transaction) they return a :class:`Finding`
as plain data. A finding carries a severity, a stable dotted ``code`` that
tools can filter on, a message for people, the subject it is about (for
example ``"connector 1"`` or ``"transaction 100001"``) and ``ref``: whatever
reference the caller passed in with the message (a frame index, a message id,
a line number), handed back untouched so that a report can point at it.

Lenient validation reports the same way, for both protocols: with
``lenient=True``, :func:`ocpkit.ocpp.validate_payload` and
:func:`ocpkit.ocpi.parse` return a :class:`LenientResult` instead of
raising: the best model that could be built, every violation strict mode
would have raised, the repairs made to build the model, and warnings that
break no rule (an OCPI 2.3.0 OpenEnum value the spec does not list).

Spec rules are the statements of the OCPP and OCPI texts that no schema
carries (an id greater than zero, periods in ascending order, an IANA zone
name). Each is a :class:`SpecRule`: a stable id, the versions it applies to,
the section of the text that states it, a one-line statement in ocpkit's own
words and a severity. A finding raised by a spec rule has the code
``"spec." + rule.id``. Spec rules never change a schema verdict: ``ok`` keeps
meaning "equal to the official schema".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ocpkit.errors import Violation

__all__ = ["Finding", "LenientResult", "Severity", "SpecRule"]


class Severity(StrEnum):
    """How much a finding matters: ``error`` breaks a rule, ``warning`` is suspicious, ``info`` is a note."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation about a conversation, returned as data.

    ``code`` is a stable dotted identifier (``"connector.transition"``,
    ``"transaction.seqno-gap"`` ...); ``ref`` is the caller's reference to
    the message that caused the finding, or ``None``.
    """

    severity: Severity
    code: str
    message: str
    subject: str = ""
    ref: object = None

    def as_dict(self) -> dict[str, object]:
        """Return the finding as a plain dict (the JSON report shape)."""
        return {
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
            "subject": self.subject,
            "ref": self.ref,
        }


@dataclass(frozen=True, slots=True)
class LenientResult:
    """What lenient validation found (OCPP payloads and OCPI objects alike).

    ``model`` is the best model that could be built (a list of models for an
    OCPI ``many=True`` parse), ``None`` only when nothing usable was given
    (not JSON, not an object). ``violations`` are exactly what strict mode
    would have raised, each with its JSON pointer and code (the OCPP-J error
    code, or the OCPI status code). ``repairs`` says, one line per change, what
    was converted, kept as sent or set aside to build the model. ``extra``
    holds OCPP properties the schema does not allow, by JSON pointer (OCPI
    keeps them on the model, in ``model_extra``). ``warnings`` break no rule:
    OCPI 2.3.0 OpenEnum values the spec does not list.
    """

    model: Any
    violations: tuple[Violation, ...]
    repairs: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the input broke no rule (warnings do not count)."""
        return not self.violations


@dataclass(frozen=True, slots=True)
class SpecRule:
    """One rule the specification text states and no schema carries.

    ``id`` is stable and dotted (``"ocpp.start-transaction.connector-id"``);
    ``protocol`` is ``"ocpp"`` or ``"ocpi"``; ``versions`` the versions it
    applies to; ``section`` where the text states it (``"OCPP 1.6 §6.46"``);
    ``statement`` the rule in one line; ``severity`` the severity of the
    findings it raises.
    """

    id: str
    protocol: str
    versions: tuple[str, ...]
    section: str
    statement: str
    severity: Severity = Severity.ERROR

    @property
    def code(self) -> str:
        """The finding code this rule raises: ``"spec." + id``."""
        return "spec." + self.id

    def finding(self, message: str, subject: str = "", ref: object = None) -> Finding:
        """Build a finding of this rule with the given message, subject and reference."""
        return Finding(self.severity, self.code, message, subject, ref)
