"""Version evidence counted frame by frame equals the evidence of every frame looked at in full."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.capture import CapturedFrame, Confidence, Direction
from ocpkit.capture._facts import ONLY_V2X, ONLY_V16, ONLY_V21, PAYLOAD_MARKS
from ocpkit.capture._version import VersionEvidence

_ACTIONS = sorted({a for a, _ in PAYLOAD_MARKS} | {"Heartbeat", "NotAnAction", "GetCertificateChainStatus"})
_KEYS = sorted({k for marks in PAYLOAD_MARKS.values() for k, _ in marks} | {"other"})


def _reference(frames: list[CapturedFrame]) -> tuple[Any, ...]:
    """What every frame says, each looked at in full (the counting the evidence must equal)."""
    v16: set[str] = set()
    v2x: set[str] = set()
    v21: set[str] = set()
    marks: dict[str, set[str]] = {"1.6": set(), "2.x": set()}
    for frame in frames:
        if frame.kind == "send":
            v21.add(f"message type {frame.value[0]}")
        action = frame.action
        if action in ONLY_V16:
            v16.add(action)
        elif action in ONLY_V21:
            v21.add(action)
        elif action in ONLY_V2X:
            v2x.add(action)
        payload = frame.value[3]
        if isinstance(payload, dict):
            for key, family in PAYLOAD_MARKS.get((action, frame.value[0]), ()):
                if key in payload:
                    marks[family].add(f"{action}.{key}")
    return v16, v2x, v21, marks


def _frame(n: int, kind: str, action: str, payload: Any) -> CapturedFrame:
    value = [2 if kind == "call" else 6, str(n), action, payload]
    return CapturedFrame(
        n, n, kind, "", value, None, None, Direction.UNKNOWN, Confidence.NONE, "", "CP", str(n), action, "ha"
    )  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["call", "send"]),
            st.sampled_from(_ACTIONS),
            st.dictionaries(st.sampled_from(_KEYS), st.none(), max_size=3) | st.none(),
        ),
        max_size=30,
    )
)
def test_evidence_equals_every_frame_looked_at_in_full(steps: list[tuple[str, str, Any]]) -> None:
    frames = [_frame(n, kind, action, payload) for n, (kind, action, payload) in enumerate(steps, 1)]
    evidence = VersionEvidence()
    for i, frame in enumerate(frames, 1):
        evidence.add(frame)
        # Frame by frame, not only at the end: a guess may be taken after any of them.
        assert (evidence.v16, evidence.v2x, evidence.v21, evidence.marks) == _reference(frames[:i])
    assert evidence.frames == len(frames)


def test_a_mark_shown_late_is_still_counted() -> None:
    evidence = VersionEvidence()
    for n in range(3):
        evidence.add(_frame(n, "call", "MeterValues", {"transactionId": 1}))
    assert evidence.marks["2.x"] == set() and evidence.marks["1.6"] == set()
    evidence.add(_frame(4, "call", "MeterValues", {"evseId": 1}))
    evidence.add(_frame(5, "call", "MeterValues", {"connectorId": 1}))
    assert evidence.marks == {"1.6": {"MeterValues.connectorId"}, "2.x": {"MeterValues.evseId"}}
