"""OCPP version guess for captured frames (re-exported by :mod:`ocpkit.capture`).

Theory of operation: evidence is counted per frame and weighed at the end.
A version the log states (report header, trace field, WebSocket subprotocol)
is taken when the frames do not contradict it. Otherwise actions that exist
in one version family only count most, then payload keys of one family
(1.6 BootNotification has ``chargePointVendor``, 2.x ``chargingStation``).
Between 2.0.1 and 2.1 only 2.1-only actions and message types 5/6 decide,
since 2.1 keeps every 2.0.1 action; without them the guess is 2.0.1 at
medium confidence. The facts are in ``_facts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ocpkit.capture._facts import ONLY_V2X, ONLY_V16, ONLY_V21, PAYLOAD_MARKS
from ocpkit.capture._types import CapturedFrame, Confidence, Hint

__all__ = ["VersionEvidence", "VersionGuess", "detect_version", "detect_versions"]

# The marks with their reason text made once ("Authorize.idTag"), not once per frame.
_MARKS = {
    at: tuple((key, family, f"{at[0]}.{key}") for key, family in marks) for at, marks in PAYLOAD_MARKS.items()
}
_MAX_SEEN = 256  # actions remembered as seen (the tables' actions, and a few more; not every hostile name)


class VersionGuess(NamedTuple):
    """A guessed OCPP version ("1.6", "2.0.1", "2.1" or None), how sure, and the reasons."""

    version: str | None
    confidence: Confidence
    reasons: tuple[str, ...]


class VersionEvidence:
    """Collects version evidence from frames one at a time (bounded by the action tables)."""

    def __init__(self) -> None:
        """Start with no evidence."""
        self.stated: dict[str, int] = {}
        self.v16: set[str] = set()
        self.v2x: set[str] = set()
        self.v21: set[str] = set()
        self.marks: dict[str, set[str]] = {"1.6": set(), "2.x": set()}
        self.frames = 0
        # (action, message type) seen -> its payload marks not counted yet.
        self._left: dict[tuple[str, object], tuple[tuple[str, str, str], ...]] = {}

    def add_hint(self, version: str, line: int) -> None:
        """Count a version stated by the log (header, trace field, subprotocol)."""
        self.stated.setdefault(version, line)

    def add(self, frame: CapturedFrame) -> None:
        """Count what one frame says about the version."""
        self.frames += 1
        if frame.version_hint:
            self.add_hint(frame.version_hint, frame.line)
        kind = frame.kind
        if kind == "callresulterror" or kind == "send":
            # OCPP-J 2.1 adds MessageTypeId 5 and 6.
            self.v21.add(f"message type {frame.value[0]}")
        # The reader names a CALL's or SEND's own action (its third element, when a string).
        action = frame.action if kind == "call" or kind == "send" else None
        if action is None:
            return
        value = frame.value
        at = (action, value[0])
        left = self._left.get(at)
        if left is None:
            # The first frame of this action and message type: the action counts, its marks are all left.
            if action in ONLY_V16:
                self.v16.add(action)
            elif action in ONLY_V21:
                self.v21.add(action)
            elif action in ONLY_V2X:
                self.v2x.add(action)
            left = _MARKS.get(at, ())
            if len(self._left) < _MAX_SEEN:
                self._left[at] = left
        if not left:
            return  # the action is counted, and it has no payload mark left to show
        payload = value[3] if len(value) > 3 else None
        if isinstance(payload, dict):
            marks = self.marks
            added = False
            for key, family, mark in left:
                if key in payload:
                    marks[family].add(mark)
                    added = True
            if added and at in self._left:
                self._left[at] = tuple(m for m in left if m[2] not in marks[m[1]])

    def guess(self) -> VersionGuess:
        """Weigh the evidence: stated version, version-only actions, payload keys."""
        reasons: list[str] = []
        for version, line in sorted(self.stated.items(), key=lambda kv: kv[1]):
            reasons.append(f"the log states OCPP {version} (line {line})")
        if self.v16:
            reasons.append("actions only in 1.6: " + ", ".join(sorted(self.v16)))
        if self.v2x:
            reasons.append("actions only in 2.x: " + ", ".join(sorted(self.v2x)))
        if self.v21:
            reasons.append("only in 2.1: " + ", ".join(sorted(self.v21)))
        for family in ("1.6", "2.x"):
            if self.marks[family]:
                reasons.append(f"payload keys of {family}: " + ", ".join(sorted(self.marks[family])))
        score16 = 3 * len(self.v16) + len(self.marks["1.6"])
        score2 = 3 * len(self.v2x) + 3 * len(self.v21) + len(self.marks["2.x"])
        stated = list(self.stated)
        if len(stated) == 1:
            version = stated[0]
            agrees = (version == "1.6" and score2 == 0) or (version != "1.6" and score16 == 0)
            if version == "2.0.1" and self.v21:
                agrees = False
            if agrees:
                return VersionGuess(version, Confidence.HIGH, tuple(reasons))
            reasons.append("the frames disagree with the stated version")
            return VersionGuess(version, Confidence.LOW, tuple(reasons))
        if len(stated) > 1:
            reasons.append("the log states more than one version")
        if score16 == 0 and score2 == 0:
            return VersionGuess(None, Confidence.NONE, (*reasons, "no frame tells the version apart"))
        conflict = score16 > 0 and score2 > 0
        if score16 > score2:
            distinct = len(self.v16) + len(self.marks["1.6"])
            confidence = Confidence.HIGH if distinct >= 2 and self.v16 else Confidence.MEDIUM
            return VersionGuess("1.6", Confidence.LOW if conflict else confidence, tuple(reasons))
        if score2 > score16:
            if self.v21:
                confidence = Confidence.HIGH
                version = "2.1"
            else:
                confidence = Confidence.MEDIUM
                version = "2.0.1"
                reasons.append("no 2.1-only message seen, and 2.1 keeps every 2.0.1 action")
            return VersionGuess(version, Confidence.LOW if conflict else confidence, tuple(reasons))
        return VersionGuess(None, Confidence.NONE, (*reasons, "evidence for 1.6 and 2.x is even"))


def detect_version(frames: Iterable[CapturedFrame], hints: Iterable[Hint] = ()) -> VersionGuess:
    """Guess the OCPP version of ``frames`` (one charge point's, or a whole capture's).

    Returns ``(version | None, confidence, reasons)``. ``hints`` adds facts
    the log stated (:attr:`CaptureReader.hints`); only ``ocpp_version`` hints
    are used.
    """
    evidence = VersionEvidence()
    for hint in hints:
        if hint.name == "ocpp_version":
            evidence.add_hint(hint.value, hint.line)
    for frame in frames:
        evidence.add(frame)
    return evidence.guess()


def detect_versions(
    frames: Iterable[CapturedFrame], hints: Iterable[Hint] = ()
) -> dict[str | None, VersionGuess]:
    """Guess the OCPP version per charge point (None: frames without a charge-point id).

    A hint without a charge point applies to every charge point.
    """
    hints = list(hints)
    per_cp: dict[str | None, VersionEvidence] = {}
    for frame in frames:
        evidence = per_cp.get(frame.charge_point)
        if evidence is None:
            evidence = per_cp[frame.charge_point] = VersionEvidence()
            for hint in hints:
                if hint.name == "ocpp_version" and hint.charge_point in (None, frame.charge_point):
                    evidence.add_hint(hint.value, hint.line)
        evidence.add(frame)
    return {cp: evidence.guess() for cp, evidence in per_cp.items()}
