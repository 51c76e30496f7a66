"""Captured OCPP traffic: lines of a log in, frames with time, direction and charge point out.

Theory of operation. Real captures are host logs with OCPP-J frames embedded
in them (Home Assistant, Python logging, test-tool reports, evcc, SteVe ...),
trace JSONL, CSV exports, or one JSON document per file. :class:`CaptureReader`
takes an iterable of text lines (never a file: the caller decodes bytes) and
yields one :class:`CapturedFrame` per frame, in order, as it goes:

1. *Shape.* The first ``sample_lines`` lines are looked at to pick a shape
   (:func:`detect_shape`), unless ``shape=`` names one of :data:`SHAPES`.
2. *Extraction.* A shape's extractor finds frames, decodes them to what the
   stdlib ``json`` module reads (a frame that ends its line is read once by
   orjson, where the JSON rules' guards show that gives the same value; see
   ``Decoded`` in ``ocpkit.capture._types``) and notes the timestamp,
   charge-point id and any send/receive word of the host. A fragment that looks like a frame but
   cannot be decoded becomes an ``unparsed`` record with the reason, so no
   frame is dropped silently. Frames are not validated here. In host logs the
   common line (a plain stamp, the host's words, a frame ending the line) is
   read in one pass straight to its record (``ocpkit.capture._fast``); every
   line that pass is unsure of goes to the general extractor, which gives the
   same records for the common lines too.
3. *Direction.* A send/receive word says only what the *logging side* did;
   which side that is depends on the host (Home Assistant's integration is a
   CSMS, a Python ``ocpp`` client a charge point, and both log "send" and
   "receive message"). The reader holds back up to a bounded number of frames
   until the actions the logging side sent show its role (a side that sends
   BootNotification is a charge point), and checks that against what the host
   normally is. Frames without a word get their direction from the action's
   sender or from the CALL they answer. Each record says how its direction was
   decided and how sure that is.

Memory is bounded: the reader keeps the shape sample, at most one open frame,
the held-back frames and a capped map of unanswered CALLs, never the lines
already read. :func:`detect_version` guesses the OCPP version from the frames
and the facts a log states (:class:`Hint`).
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import NamedTuple

from ocpkit.capture._extract import Context, DocumentExtractor, Extractor, LineExtractor
from ocpkit.capture._facts import (
    ACTIONS_V16,
    ACTIONS_V21,
    BOTH_SENDERS,
    CP_SENDS,
)
from ocpkit.capture._fast import read_frames
from ocpkit.capture._records import CsvExtractor, TraceExtractor
from ocpkit.capture._text import FRAME_START, Marker, Role, Verb, strip_ansi
from ocpkit.capture._types import (
    KINDS,
    CapturedFrame,
    CaptureSettings,
    Confidence,
    Decoded,
    Direction,
    Draft,
    Hint,
    Kind,
    Timestamp,
)
from ocpkit.capture._version import VersionEvidence, VersionGuess, detect_version, detect_versions
from ocpkit.errors import CaptureError

__all__ = [
    "KINDS",
    "SHAPES",
    "CaptureReader",
    "CaptureSettings",
    "CapturedFrame",
    "Confidence",
    "Direction",
    "Hint",
    "Kind",
    "ShapeGuess",
    "Timestamp",
    "VersionEvidence",
    "VersionGuess",
    "detect_shape",
    "detect_version",
    "detect_versions",
    "read_capture",
]

SHAPES: tuple[str, ...] = (
    "ha",
    "pylog",
    "ansi-raw",
    "octt",
    "trace-jsonl",
    "csv",
    "json",
    "payload",
    "generic",
)
_LINE_SHAPES = frozenset({"ha", "pylog", "ansi-raw", "octt", "generic"})


class ShapeGuess(NamedTuple):
    """The shape picked for a capture, how sure, and why."""

    shape: str
    confidence: Confidence
    reason: str


_HA_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [A-Z]+ \([^)]*\) \[")
_PYLOG_LINE = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - \S+ - [A-Z]+ - |(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]+:"
)
_OCTT_LINE = re.compile(r"(?:OCPP Version|Test Case Name)\s*:|\[\d\d:\d\d:\d\d:\d{3}\]\s*\[msg-(?:in|out)\]")
_RAW_ARROWS = re.compile(r"RAW (?:>>|<<) ")
_CSV_HEADER = re.compile(r'\ufeff?"?[\w .-]+"?(?:,"?[\w .-]*"?)+')
_CSV_FRAME = re.compile(r',"\[\s*[2-6]\s*,\s*""')


def detect_shape(sample: Iterable[str]) -> ShapeGuess:
    """Pick a shape from the first lines of a capture (see :data:`SHAPES`)."""
    heads = [line[:4096] for line in sample]
    coloured = sum(1 for line in heads if "\x1b[" in line)
    lines = [strip_ansi(line).rstrip("\r\n") for line in heads]
    content = [line for line in lines if line.strip()]
    if not content:
        return ShapeGuess("generic", Confidence.LOW, "no content to look at")
    first = content[0].lstrip("\ufeff").lstrip()
    if _CSV_HEADER.fullmatch(content[0]) and any(_CSV_FRAME.search(line) for line in content[1:]):
        return ShapeGuess("csv", Confidence.HIGH, "a CSV header and quoted frames")
    records = 0
    for line in content:
        body = line.strip()
        if body.startswith("{") and ('"raw"' in body or '"messageType"' in body):
            try:
                value = json.loads(body)
            except (ValueError, RecursionError):
                continue
            if isinstance(value, dict) and ("raw" in value or "messageType" in value):
                records += 1
    if records:
        return ShapeGuess("trace-jsonl", Confidence.HIGH, f"{records} trace records with raw/messageType")
    if len(content) >= 2 and all(
        line.strip().startswith("{") and line.rstrip().endswith("}") for line in content
    ):
        return ShapeGuess("trace-jsonl", Confidence.MEDIUM, "one JSON object per line (a structured log)")
    counts = {
        "octt": sum(1 for line in content if _OCTT_LINE.match(line)),
        "ha": sum(1 for line in content if _HA_LINE.match(line)),
        "pylog": sum(1 for line in content if _PYLOG_LINE.match(line)),
    }
    if coloured and any(_RAW_ARROWS.search(line) for line in content):
        return ShapeGuess("ansi-raw", Confidence.HIGH, "ANSI-coloured lines with RAW >> frames")
    best = max(("octt", "ha", "pylog"), key=lambda k: counts[k])
    if counts[best]:
        share = counts[best] / len(content)
        confidence = Confidence.HIGH if share >= 0.2 or best == "octt" else Confidence.MEDIUM
        return ShapeGuess(best, confidence, f"{counts[best]} of {len(content)} lines match the {best} layout")
    if first.startswith("{"):
        return ShapeGuess("payload", Confidence.MEDIUM, "the capture starts with a JSON object")
    if first.startswith("[") and (first == "[" or FRAME_START.match(first)):
        return ShapeGuess("json", Confidence.MEDIUM, "the capture starts with a JSON array")
    return ShapeGuess("generic", Confidence.LOW, "no known layout; frames are searched anywhere in a line")


def _extractor(shape: str, ctx: Context) -> Extractor:
    if shape in _LINE_SHAPES:
        return LineExtractor(ctx)
    if shape == "trace-jsonl":
        return TraceExtractor(ctx)
    if shape == "csv":
        return CsvExtractor(ctx)
    return DocumentExtractor(ctx)


def _sender(action: object) -> Role | None:
    if not isinstance(action, str):
        return None
    try:
        return _SENDER_OF[action]
    except KeyError:
        return None


def _sender_of(action: str) -> Role | None:
    if action in BOTH_SENDERS:
        return None
    if action in CP_SENDS:
        return "cp"
    if action in ACTIONS_V16 or action in ACTIONS_V21:
        return "csms"
    return None


# Every known action's sending side, looked up once per frame instead of tested set by set.
_SENDER_OF: dict[str, Role | None] = {
    a: _sender_of(a) for a in (*BOTH_SENDERS, *CP_SENDS, *ACTIONS_V16, *ACTIONS_V21)
}


def _flow(writer: Role, verb: str) -> Direction:
    """Direction of a frame the ``writer`` side sent ("out") or received ("in")."""
    out = verb == "out"
    if (writer == "csms") == out:
        return Direction.CSMS_TO_CP
    return Direction.CP_TO_CSMS


_SIDE_OF = {Direction.CP_TO_CSMS: "charge point", Direction.CSMS_TO_CP: "CSMS"}
_REVERSE = {
    Direction.CP_TO_CSMS: Direction.CSMS_TO_CP,
    Direction.CSMS_TO_CP: Direction.CP_TO_CSMS,
    Direction.UNKNOWN: Direction.UNKNOWN,
}


class _Role:
    """What is known about the side that wrote one family of marker words."""

    __slots__ = ("confidence", "role", "settled", "source", "votes")

    def __init__(self) -> None:
        self.votes = {"cp": 0, "csms": 0}
        self.settled = False
        self.role: Role | None = None
        self.confidence = Confidence.NONE
        self.source = ""


_new = tuple.__new__
_HOLD_FRAMES = 512
_HOLD_CHARS = 8 * 1024 * 1024
_SETTLE_VOTES = 3
_PENDING_CALLS = 10_000


class _Resolver:
    """Stage two: decide directions, pair results with calls, emit records in order."""

    def __init__(self, ctx: Context, shape: str) -> None:
        self.ctx = ctx
        self.shape = shape
        self.roles: dict[str, _Role] = {}
        self.markers: dict[str, Marker] = {}
        self.held: deque[Draft] = deque()
        self.held_chars = 0
        self.calls: OrderedDict[tuple[str | None, str], tuple[Direction, Confidence, str | None, int]] = (
            OrderedDict()
        )
        self.settled: set[str] = set()  # marker families whose writer's side is decided

    def push(self, d: Draft) -> Iterator[CapturedFrame]:
        marker = d.marker
        if marker is not None and d.field_direction is None:
            state = self.roles.get(marker.family)
            if state is None:
                state = self.roles[marker.family] = _Role()
                self.markers[marker.family] = marker
            if not state.settled:
                if d.kind in ("call", "send") and d.verb is not None:
                    sender = _sender(d.value[2] if len(d.value) > 2 else None)
                    if sender is not None:
                        writer: Role = sender if d.verb == "out" else ("csms" if sender == "cp" else "cp")
                        state.votes[writer] += 1
                votes = state.votes
                if max(votes.values()) >= _SETTLE_VOTES and min(votes.values()) == 0:
                    self._settle(marker.family)
        if self.held or (
            marker is not None and not self.roles[marker.family].settled and d.field_direction is None
        ):
            self.held.append(d)
            self.held_chars += len(d.raw)
            if len(self.held) > _HOLD_FRAMES or self.held_chars > _HOLD_CHARS:
                self._settle_all()
            yield from self._release()
            return
        yield self.final(d)

    def finish(self) -> Iterator[CapturedFrame]:
        self._settle_all()
        yield from self._release()

    def _settle_all(self) -> None:
        # Families with evidence first, so that the others can borrow the side they show.
        def blind(family: str) -> bool:
            return not any(self.roles[family].votes.values()) and self.markers[family].role is None

        for family in sorted((f for f, s in self.roles.items() if not s.settled), key=blind):
            self._settle(family)

    def _release(self) -> Iterator[CapturedFrame]:
        while self.held:
            head = self.held[0]
            if (
                head.marker is not None
                and head.field_direction is None
                and not self.roles[head.marker.family].settled
            ):
                return
            self.held.popleft()
            self.held_chars -= len(head.raw)
            yield self.final(head)

    def _settle(self, family: str) -> None:
        state = self.roles[family]
        marker = self.markers[family]
        note, default = marker.note, marker.role
        override = self.ctx.role_overrides.get(family)
        if override is not None:
            default, note = override
        cp, csms = state.votes["cp"], state.votes["csms"]
        state.settled = True
        self.settled.add(family)
        if cp != csms:
            role: Role = "cp" if cp > csms else "csms"
            side = "charge point" if role == "cp" else "CSMS"
            tally = f"{max(cp, csms)} to {min(cp, csms)}"
            evidence = f"the actions it sent show the logging side is the {side} ({tally})"
            if default is None:
                state.confidence = (
                    Confidence.HIGH if min(cp, csms) == 0 and abs(cp - csms) >= 2 else Confidence.MEDIUM
                )
                state.source = f"send/receive word; {note}; {evidence}"
            elif default == role:
                state.confidence = Confidence.HIGH
                state.source = f"send/receive word; {note}, and {evidence}"
            else:
                state.confidence = Confidence.MEDIUM if abs(cp - csms) >= _SETTLE_VOTES else Confidence.LOW
                state.source = f"send/receive word; {note}, but {evidence}"
            state.role = role
        elif default is not None:
            state.role = default
            state.confidence = Confidence.HIGH if override is not None else Confidence.MEDIUM
            state.source = f"send/receive word; {note}"
        else:
            # One log has one writer: borrow the side another marker family of this log showed.
            known = next((o for o in self.roles.values() if o is not state and o.settled and o.role), None)
            state.role = known.role if known is not None else None
            if known is not None and known.role is not None:
                side = "charge point" if known.role == "cp" else "CSMS"
                state.confidence = Confidence.MEDIUM
                state.source = (
                    f"send/receive word; {note}; other lines of this log show the writer is the {side}"
                )
            else:
                state.confidence = Confidence.NONE
                state.source = f"send/receive word, but {note} and no action showed which side this log is"

    def direction(
        self, state: _Role | None, verb: Verb | None, action: str | None, sender: Role | None
    ) -> tuple[Direction, Confidence, str]:
        """Direction, confidence and reason of a frame from its marker family's settled *state*.

        *state* is None for a frame without a send/receive word; *sender* is the
        side that alone sends *action* (None: either, or unknown). The answer
        depends on these alone, so callers may keep it per (family, verb, action).
        """
        direction, confidence, source = Direction.UNKNOWN, Confidence.NONE, "no direction marker"
        if state is not None and verb is not None:
            source = state.source
            if state.role is not None:
                direction, confidence = _flow(state.role, verb), state.confidence
        return self._checked(direction, confidence, source, action, sender)

    @staticmethod
    def _checked(
        direction: Direction, confidence: Confidence, source: str, action: str | None, sender: Role | None
    ) -> tuple[Direction, Confidence, str]:
        # The action's only sender decides a direction not known, and lowers one that disagrees.
        if direction is Direction.UNKNOWN and sender is not None:
            direction = Direction.CP_TO_CSMS if sender == "cp" else Direction.CSMS_TO_CP
            confidence = Confidence.MEDIUM
            source = f"{action} is sent only by the {_SIDE_OF[direction]}"
        elif sender is not None and (direction is Direction.CP_TO_CSMS) != (sender == "cp"):
            confidence = Confidence.LOW
            source += f"; but {action} is sent only by the {'charge point' if sender == 'cp' else 'CSMS'}"
        return direction, confidence, source

    def final(self, d: Draft) -> CapturedFrame:
        """The record of a draft whose direction can be decided now."""
        value = d.value
        kind = d.kind
        message_id = value[1] if kind not in ("unparsed", "payload") else None
        call_or_send = kind == "call" or kind == "send"
        action = value[2] if call_or_send and len(value) > 2 and isinstance(value[2], str) else None
        sender = _SENDER_OF.get(action) if action else None
        if d.field_direction is not None:
            direction, confidence, source = self._checked(
                d.field_direction, Confidence.HIGH, "the record's direction field", action, sender
            )
        else:
            state = self.roles[d.marker.family] if d.marker is not None and d.verb is not None else None
            direction, confidence, source = self.direction(state, d.verb, action, sender)
        if not isinstance(message_id, str):
            message_id = None
        elif call_or_send:
            key = (d.charge_point, message_id)
            calls = self.calls
            calls[key] = (direction, confidence, action, d.line)
            calls.move_to_end(key)
            if len(calls) > _PENDING_CALLS:
                calls.popitem(last=False)
        elif kind == "callresult" or kind == "callerror" or kind == "callresulterror":
            call = self.calls.pop((d.charge_point, message_id), None)
            if call is not None:
                call_dir, call_conf, action, call_line = call
                if direction is Direction.UNKNOWN and call_dir is not Direction.UNKNOWN:
                    direction = _REVERSE[call_dir]
                    confidence = (
                        Confidence.MEDIUM if call_conf in (Confidence.HIGH, Confidence.MEDIUM) else call_conf
                    )
                    source = f"answers the CALL on line {call_line}"
        # tuple.__new__ builds the named tuple without its Python-level constructor.
        return _new(
            Decoded if d.exact else CapturedFrame,
            (
                d.line,
                d.end_line,
                kind,
                d.raw,
                value,
                d.error,
                d.timestamp,
                direction,
                confidence,
                source,
                d.charge_point,
                message_id,
                action,
                self.shape,
                d.version_hint,
            ),
        )


class CaptureReader:
    """Iterate the frames of a capture given as lines of text.

    ``shape`` forces one of :data:`SHAPES` (default: detected from the first
    lines, see :attr:`shape_guess`). ``settings`` bounds the work per frame.
    :attr:`hints` collects facts the log states (header version, ...), as far
    as it has been read. Raises :class:`~ocpkit.errors.CaptureError` only
    when the capture as a whole cannot be read (lines that are not text, an
    unknown shape name); problems of single frames become ``unparsed`` records.
    """

    def __init__(
        self,
        lines: Iterable[str],
        *,
        shape: str | None = None,
        settings: CaptureSettings | None = None,
    ) -> None:
        """Prepare to read; nothing is consumed before iteration starts."""
        if shape is not None and shape not in SHAPES:
            raise CaptureError(f"unknown capture shape {shape!r}; expected one of {', '.join(SHAPES)}")
        self._lines = lines
        self._forced = shape
        self.settings = settings or CaptureSettings()
        self.shape_guess: ShapeGuess | None = None
        self._ctx: Context | None = None
        self._started = False

    @property
    def shape(self) -> str | None:
        """The shape in use (None before iteration started)."""
        return self.shape_guess.shape if self.shape_guess else None

    @property
    def hints(self) -> list[Hint]:
        """Facts the log stated so far."""
        return list(self._ctx.hints) if self._ctx else []

    def __iter__(self) -> Iterator[CapturedFrame]:
        """Read the capture once, yielding frames in the order they appear."""
        if self._started:
            raise CaptureError("a CaptureReader can be iterated only once")
        self._started = True
        return self._read()

    def _read(self) -> Iterator[CapturedFrame]:
        return read_frames(self._start, _records)

    def _start(self) -> tuple[Iterator[str], Extractor, _Resolver]:
        """Take the shape sample, pick the shape: the lines from the first on, the extractor, the resolver."""
        try:
            source = iter(self._lines)
        except TypeError as exc:
            raise CaptureError("capture lines must be an iterable of str") from exc
        sample: deque[str] = deque()
        chars = 0
        try:
            for line in source:
                if not isinstance(line, str):
                    raise CaptureError(f"capture lines must be str, got {type(line).__name__}")
                sample.append(line)
                chars += len(line)
                if len(sample) >= self.settings.sample_lines or chars >= self.settings.sample_chars:
                    break
        except UnicodeError as exc:
            raise CaptureError(f"capture cannot be decoded: {exc}") from exc
        if self._forced is not None:
            self.shape_guess = ShapeGuess(self._forced, Confidence.HIGH, "chosen by the caller")
        else:
            self.shape_guess = detect_shape(sample)
        shape = self.shape_guess.shape
        ctx = self._ctx = Context(self.settings, shape)
        # The sample's lines first, popped as they are read so that they are freed like any
        # other; then the rest straight from the source, without a generator layer per line.
        return chain(_drain(sample), source), _extractor(shape, ctx), _Resolver(ctx, shape)


def _records(lines: Iterator[str], extractor: Extractor, resolver: _Resolver) -> Iterator[CapturedFrame]:
    # Every shape but the host logs': each line through its extractor's feed().
    settled = resolver.settled
    final = resolver.final
    for n, line in enumerate(lines, 1):
        if not isinstance(line, str):
            raise CaptureError(f"capture lines must be str, got {type(line).__name__}")
        if line.endswith("\n"):
            line = line[:-2] if line.endswith("\r\n") else line[:-1]
        elif line.endswith("\r"):
            line = line[:-1]
        for draft in extractor.feed(n, line):
            marker = draft.marker
            if not resolver.held and (
                marker is None or draft.field_direction is not None or marker.family in settled
            ):
                # Nothing held back and the side is known: the frame is final at once.
                yield final(draft)
            else:
                yield from resolver.push(draft)


def _drain(sample: deque[str]) -> Iterator[str]:
    while sample:
        yield sample.popleft()


def read_capture(
    lines: Iterable[str], *, shape: str | None = None, settings: CaptureSettings | None = None
) -> Iterator[CapturedFrame]:
    """Yield the frames of a capture given as lines of text (see :class:`CaptureReader`)."""
    return iter(CaptureReader(lines, shape=shape, settings=settings))
