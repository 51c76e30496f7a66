"""Record types of the capture reader (re-exported by :mod:`ocpkit.capture`).

Theory of operation: the reader works in two stages. Extractors turn lines
into :class:`Draft` records that hold what one place of the log says (the
frame, its timestamp, a send/receive word, a charge-point id). A resolver then
decides directions, which may need evidence from later frames, and turns
drafts into immutable :class:`CapturedFrame` records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from ocpkit.capture._text import Marker, Verb

__all__ = [
    "KINDS",
    "CaptureSettings",
    "CapturedFrame",
    "Confidence",
    "Decoded",
    "Direction",
    "Draft",
    "Hint",
    "Kind",
    "Timestamp",
    "kind_of",
]

Kind = Literal["call", "callresult", "callerror", "callresulterror", "send", "payload", "unparsed"]
KINDS: tuple[Kind, ...] = (
    "call",
    "callresult",
    "callerror",
    "callresulterror",
    "send",
    "payload",
    "unparsed",
)
# OCPP-J RPC framework: MessageTypeId 2..4 in every version, 5 and 6 from 2.1 on.
_KIND_BY_TYPE: dict[int, Kind] = {2: "call", 3: "callresult", 4: "callerror", 5: "callresulterror", 6: "send"}


class Direction(StrEnum):
    """Which way a frame travelled."""

    CP_TO_CSMS = "cp->csms"
    CSMS_TO_CP = "csms->cp"
    UNKNOWN = "unknown"


class Confidence(StrEnum):
    """How sure a guess is; NONE goes with "unknown" answers."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class Timestamp(NamedTuple):
    """A timestamp as the log wrote it (an immutable named tuple).

    ``raw`` is the text; ``value`` the parsed datetime, or None when the text
    holds no full date (and no header supplied one) or names an impossible
    moment. ``local`` is True when ``value`` is naive: the host wrote local
    time without a zone. ``note`` explains anything added (a header's date).
    """

    raw: str
    value: datetime | None
    local: bool
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Hint:
    """A fact stated by the log itself, such as a header's protocol version.

    ``name`` is one of ``"ocpp_version"`` (value "1.6", "2.0.1" or "2.1"),
    ``"system_under_test"`` or ``"test_start"``; ``charge_point`` is set when
    the fact belongs to one charge point only.
    """

    line: int
    name: str
    value: str
    charge_point: str | None = None


class CapturedFrame(NamedTuple):
    """One frame (or one frame-like fragment that could not be decoded) found in a capture.

    An immutable named tuple: a capture of a million frames builds a million of
    them, and a tuple is the cheapest record Python builds.

    ``line`` is the 1-based line where the frame starts, ``end_line`` where it
    ends. ``value`` is the frame's JSON as the stdlib ``json`` module
    decodes it (None for ``unparsed``), ``error`` says why a fragment is
    ``unparsed``. ``direction_source`` explains in words how the direction was
    decided. ``action`` is the frame's own for CALL/SEND and the answered
    CALL's for results when that CALL was seen earlier. ``version_hint`` is
    the protocol version the log states for this frame, if any.
    """

    line: int
    end_line: int
    kind: Kind
    raw: str
    value: Any
    error: str | None
    timestamp: Timestamp | None
    direction: Direction
    direction_confidence: Confidence
    direction_source: str
    charge_point: str | None
    message_id: str | None
    action: str | None
    shape: str
    version_hint: str | None = None


class Decoded(CapturedFrame):
    """A :class:`CapturedFrame` whose ``value`` is what ocpkit's JSON rules decode ``raw`` to.

    The reader decodes most frames with orjson under the guards of
    :mod:`ocpkit.ocpp._json` (no integer literal orjson would round, no nesting
    it would allow beyond the rules), and those it marks with this type: the
    verdict then needs no second decoding. Frames decoded by the standard
    library's laxer rules (NaN, lone surrogates...) stay plain records.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return CapturedFrame.__repr__(CapturedFrame(*self))

    def __reduce__(self) -> tuple[Any, ...]:
        # Unpickled as the plain record: the mark serves only the process that decoded the frame.
        return (CapturedFrame, tuple(self))


@dataclass(frozen=True, slots=True)
class CaptureSettings:
    """Bounds of the reader's work.

    ``max_frame_size``: characters of one frame or document; larger ones are
    reported, not decoded. ``max_frame_lines``: lines a frame left open in a
    host log may continue over. ``max_document_lines``: the same for a
    ``json``/``payload`` document. ``max_open_tail``: a frame left open at the
    end of a line longer than this is reported as truncated at once instead of
    being continued. ``sample_lines``/``sample_chars``: how much is looked at
    to detect the shape. ``max_failures_per_line``: undecodable frame-like
    fragments reported per line before the rest of the line is given up.
    """

    max_frame_size: int = 16 * 1024 * 1024
    max_frame_lines: int = 1000
    max_document_lines: int = 1_000_000
    max_open_tail: int = 64 * 1024
    sample_lines: int = 200
    sample_chars: int = 1024 * 1024
    max_failures_per_line: int = 32


class Draft:
    """What one place in the log says about one frame, before directions are resolved."""

    __slots__ = (
        "action",
        "charge_point",
        "end_line",
        "error",
        "exact",
        "field_direction",
        "kind",
        "line",
        "marker",
        "raw",
        "timestamp",
        "value",
        "verb",
        "version_hint",
    )

    def __init__(
        self,
        line: int,
        raw: str,
        value: Any = None,
        *,
        error: str | None = None,
        end_line: int | None = None,
        kind: Kind | None = None,
    ) -> None:
        """Classify ``value`` unless an error or explicit kind is given."""
        self.line = line
        self.end_line = line if end_line is None else end_line
        self.raw = raw
        self.value = value
        self.error = error
        if kind is None:
            kind = "unparsed" if error is not None else kind_of(value)
        self.kind: Kind = kind
        if kind == "unparsed" and error is None:
            self.error = "not an OCPP-J frame: expected an array starting with a message type id 2..6"
            self.value = None
        self.timestamp: Timestamp | None = None
        self.charge_point: str | None = None
        self.marker: Marker | None = None
        self.verb: Verb | None = None
        self.field_direction: Direction | None = None
        self.version_hint: str | None = None
        self.action: str | None = None
        self.exact = False  # value decoded by ocpkit's JSON rules (see Decoded)


def kind_of(value: Any) -> Kind:
    """The record kind of a decoded JSON value: frame kinds by MessageTypeId, "payload" for objects."""
    if isinstance(value, dict):
        return "payload"
    if isinstance(value, list) and value and type(value[0]) is int and len(value) >= 2:
        kind = _KIND_BY_TYPE.get(value[0])
        if kind is not None and isinstance(value[1], str):
            return kind
    return "unparsed"
