"""Findings: what a state machine or checker has to say about observed traffic.

Theory of operation: the machines in ocpkit never log and never print. When
they notice something (an illegal status jump tolerated in lenient mode, a
seqNo gap, a stop for an unknown transaction) they return a :class:`Finding`
as plain data. A finding carries a severity, a stable dotted ``code`` that
tools can filter on, a message for people, the subject it is about (for
example ``"connector 1"`` or ``"transaction 100001"``) and ``ref``: whatever
reference the caller passed in with the message (a frame index, a message id,
a line number), handed back untouched so that a report can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Finding", "Severity"]


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
