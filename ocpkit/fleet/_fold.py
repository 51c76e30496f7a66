"""The judging fold behind ``ocpkit validate`` (private; pure, no I/O).

Theory of operation. The command line reads files and hands each source's
:class:`~ocpkit.capture.CapturedFrame` records to a :class:`SourceRun`, which
turns every one into a :class:`Record` (the verdict on one frame) and adds it
to a :class:`Summary` that holds counts only. Three things need more than the
frame itself:

* *Version.* Unless the caller names it, each charge point's OCPP version is
  guessed from the frames (:class:`~ocpkit.capture.VersionEvidence`). A charge
  point's frames are held back until the guess is certain or a bound is
  reached (:data:`HOLD_PER_CHARGE_POINT`, :data:`HOLD_TOTAL`); then the best
  guess is taken. A charge point whose frames tell nothing borrows the version
  of the other charge points of the run, and failing that the version under
  which its held frames break the fewest rules.
* *Pairing.* The capture reader names the action a CALLRESULT answers (per
  charge point and in order, since real logs reuse message ids); a result
  whose CALL is not in the capture has its frame checked, not its payload.
  Calls never answered are tracked in a bounded map and reported.
* *Spec rules.* With ``rules="spec"`` (the default) the payload of every
  CALL and CALLRESULT whose action is known is also checked against
  :data:`ocpkit.ocpp.rules.RULES`; what they find is listed with the frame
  (code ``spec.<rule id>``) and counted with the other findings, and like
  them never changes ``ok`` or the exit status.
* *Leniency.* With ``lenient=True`` a violation that lenient validation
  repairs (a date-time without offset, a number sent as a string, an unknown
  property kept aside) is still listed, marked as tolerated, and does not make
  the frame fail.
* *Batches.* A run made with ``batch=N`` judges the frames that are ready N at a
  time, one stage over all of them before the next (verdicts and pairing, then
  spec rules and leniency, then the conversation, then records and counts):
  each stage's code and tables stay warm over many frames. Every stage sees the
  frames in input order, so the records and the summary are those of one frame
  at a time.

Memory is bounded by the hold limits, the pending-call map, the batch and the
caps on distinct names the summary counts; never by the number of frames.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from ocpkit.capture import CapturedFrame, Confidence, Direction, Hint, VersionEvidence, VersionGuess
from ocpkit.capture._types import Decoded
from ocpkit.errors import OcpkitError, Violation
from ocpkit.findings import Finding
from ocpkit.ocpp import VERSIONS
from ocpkit.ocpp._senders import SENDERS
from ocpkit.ocpp.rpc import RULE_CODES
from ocpkit.ocpp.rules import PayloadChecker, payload_checker
from ocpkit.ocpp.validation import _fast, _judge_loaded, check_frame, validate_payload

__all__ = [
    "FINDING_KEYS",
    "HOLD_PER_CHARGE_POINT",
    "HOLD_TOTAL",
    "PENDING_CALLS",
    "RECORD_KEYS",
    "VIOLATION_KEYS",
    "Record",
    "SourceRun",
    "Summary",
    "payload_path",
]

HOLD_PER_CHARGE_POINT: Final = 2000
"""Frames of one charge point held back while its version is uncertain."""
HOLD_TOTAL: Final = 20_000
"""Frames held back in one source, all charge points together."""
PENDING_CALLS: Final = 10_000
"""CALLs awaiting an answer that are remembered; older ones count as unanswered."""
_new = tuple.__new__
_MAX_NAMES: Final = 1000
_MAX_LISTED: Final = 50

RECORD_KEYS: Final = (
    "source",
    "line",
    "charge_point",
    "message_id",
    "timestamp",
    "direction",
    "version",
    "kind",
    "action",
    "ok",
    "violations",
    "findings",
)
"""The keys of one jsonl frame record, in order."""
VIOLATION_KEYS: Final = ("path", "frame_path", "keyword", "code", "message")
"""The keys of one violation in a record: ``path`` points into the payload (``null``
for a violation of the frame itself), ``frame_path`` into the whole OCPP-J frame."""
FINDING_KEYS: Final = ("severity", "code", "message", "path")
"""The keys of one finding in a record (``path``: what the finding is about)."""
# Where the payload sits in each kind of frame (CALLERROR: its details object).
_PAYLOAD_INDEX: Final = {"call": 3, "send": 3, "callresult": 2, "callresulterror": 2, "callerror": 4}

_NONE: frozenset[int] = frozenset()
_NO_TALK: list[Finding] = []  # never appended to: a frame with nothing to say
_SENDERS: dict[str, dict[str, str]] = {}
# Conversation findings the per-frame verdicts or the unanswered-call count already state.
_SAID_ELSEWHERE = frozenset({"rpc.unanswered", "rpc.error-code", "rpc.unknown-action", "rpc.wrong-sender"})

try:  # the conversation checker adds protocol findings across frames when present
    from ocpkit.ocpp import conversation as _conversation_module
except ImportError:  # pragma: no cover - only in builds without it
    _conversation_module = None  # type: ignore[assignment]
# Frame kinds that can carry version evidence (actions, message types 5 and 6).
_TELLING = frozenset({"call", "send", "callresulterror"})
_DIRECTION_TEXT: dict[object, str] = {d: str(d) for d in Direction}
_RANK = {Confidence.HIGH: 3, Confidence.MEDIUM: 2, Confidence.LOW: 1, Confidence.NONE: 0}


class Record(NamedTuple):
    """The verdict on one frame, plus what the text report shows about it.

    Built in one place, :meth:`SourceRun._judge_many`; :meth:`as_json` is the jsonl record.
    """

    source: str
    line: int
    charge_point: str | None
    kind: str
    action: str | None
    ok: bool
    violations: tuple[Violation, ...]
    version: str | None = None
    direction: str = "unknown"
    timestamp: str | None = None
    message_id: str | None = None
    notes: tuple[str, ...] = ()
    tolerated: frozenset[int] = frozenset()
    findings: tuple[Finding, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The jsonl record: exactly :data:`RECORD_KEYS`."""
        # One unpacking reads the fields at once (each named access is a descriptor call).
        source, line, cp, kind, action, ok, violations, version, direction, stamp, mid, _, _, found = self
        return {
            "source": source,
            "line": line,
            "charge_point": cp,
            "message_id": mid,
            "timestamp": stamp,
            "direction": _DIRECTION_TEXT.get(direction) or str(direction),
            "version": version,
            "kind": kind,
            "action": action,
            "ok": ok,
            "violations": [
                {
                    "path": payload_path(kind, v.path),
                    "frame_path": v.path,
                    "keyword": v.keyword,
                    "code": v.code,
                    "message": v.message,
                }
                for v in violations
            ]
            if violations
            else [],
            "findings": [
                {"severity": str(f.severity), "code": f.code, "message": f.message, "path": f.subject}
                for f in found
            ]
            if found
            else [],
        }


def payload_path(kind: str, frame_path: str) -> str | None:
    """The JSON pointer into the payload for a pointer into a frame of *kind*.

    ``None`` when the pointer is not inside the payload (the frame's own
    elements: message type, id, action, error code). The payload's root is ``""``.
    """
    index = _PAYLOAD_INDEX.get(kind)
    if index is None:
        return None
    head = f"/{index}"
    if frame_path == head:
        return ""
    if frame_path.startswith(head + "/"):
        return frame_path[len(head) :]
    return None


def _bump(counter: Counter[str], key: str, by: int = 1) -> None:
    # Hostile input could name millions of actions; the summary stays bounded.
    if key in counter or len(counter) < _MAX_NAMES:
        counter[key] += by
    else:
        counter["(other)"] += by


@dataclass
class Summary:
    """Counts over a whole run (bounded in size whatever the input)."""

    frames: int = 0
    invalid: int = 0
    tolerated: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_action: Counter[str] = field(default_factory=Counter)
    invalid_by_action: Counter[str] = field(default_factory=Counter)
    by_charge_point: Counter[str] = field(default_factory=Counter)
    invalid_by_charge_point: Counter[str] = field(default_factory=Counter)
    by_code: Counter[str] = field(default_factory=Counter)
    by_keyword: Counter[str] = field(default_factory=Counter)
    unanswered: int = 0
    unanswered_listed: list[dict[str, Any]] = field(default_factory=list)
    unpaired_results: int = 0
    sources: list[dict[str, Any]] = field(default_factory=list)
    sources_total: int = 0
    versions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    problems_total: int = 0
    decided: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    findings_listed: list[dict[str, Any]] = field(default_factory=list)
    findings_total: int = 0

    def add_finding(self, source: str, finding: Finding) -> None:
        """Count one conversation finding (``ref`` is the line of the frame that caused it)."""
        self.findings_total += 1
        _bump(self.findings, f"{finding.severity}:{finding.code}")
        if len(self.findings_listed) < _MAX_LISTED:
            self.findings_listed.append({"source": source, "line": finding.ref, **finding.as_dict()})

    def add(self, record: Record) -> None:
        """Count one record."""
        _, _, cp, kind, action, ok, violations, _, _, _, _, _, tolerated, _ = record
        self.frames += 1
        self.by_kind[kind] += 1
        if cp is None:
            cp = "(none)"
        counter = self.by_charge_point
        if cp in counter:
            counter[cp] += 1
        else:
            _bump(counter, cp)
        if action:
            counter = self.by_action
            if action in counter:
                counter[action] += 1
            else:
                _bump(counter, action)
        if ok and not violations:
            return
        if not ok:
            self.invalid += 1
            _bump(self.invalid_by_charge_point, cp)
            if action:
                _bump(self.invalid_by_action, action)
        for i, v in enumerate(violations):
            if i in tolerated:
                self.tolerated += 1
                continue
            _bump(self.by_code, v.code or v.keyword)
            _bump(self.by_keyword, v.keyword)

    def add_source(self, info: dict[str, Any]) -> None:
        """Note one source read (the first :data:`_MAX_LISTED` are listed)."""
        self.sources_total += 1
        if len(self.sources) < _MAX_NAMES:
            self.sources.append(info)

    def add_problem(self, source: str, line: int | None, message: str) -> None:
        """Note a problem of the input that is not a frame (an undecodable line, ...)."""
        self.problems_total += 1
        if len(self.problems) < _MAX_LISTED:
            self.problems.append({"source": source, "line": line, "message": message})

    def as_json(self, exit_code: int) -> dict[str, Any]:
        """The final ``{"kind": "summary", ...}`` record."""
        return {
            "kind": "summary",
            "exit_code": exit_code,
            "frames": self.frames,
            "valid": self.frames - self.invalid,
            "invalid": self.invalid,
            "tolerated_violations": self.tolerated,
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_action": {
                a: {"frames": n, "invalid": self.invalid_by_action.get(a, 0)}
                for a, n in sorted(self.by_action.items())
            },
            "by_charge_point": {
                cp: {"frames": n, "invalid": self.invalid_by_charge_point.get(cp, 0)}
                for cp, n in sorted(self.by_charge_point.items())
            },
            "by_code": dict(self.by_code.most_common()),
            "by_keyword": dict(self.by_keyword.most_common()),
            "versions": self.versions,
            "findings": dict(self.findings.most_common()),
            "findings_listed": self.findings_listed,
            "findings_total": self.findings_total,
            "unanswered_calls": self.unanswered,
            "unanswered_listed": self.unanswered_listed,
            "unpaired_results": self.unpaired_results,
            "sources": self.sources,
            "sources_total": self.sources_total,
            "input_problems": self.problems,
            "input_problems_total": self.problems_total,
        }


class _Group:
    """One charge point of one source: its version evidence and held frames."""

    __slots__ = ("evidence", "guess", "held", "mark", "version")

    def __init__(self) -> None:
        self.evidence = VersionEvidence()
        self.held: deque[tuple[CapturedFrame, bool]] = deque()
        self.version: str | None = None
        self.guess: VersionGuess | None = None
        self.mark: tuple[int, ...] = ()


class SourceRun:
    """Judge the frames of one source (one file or stdin), yielding records in input order per charge point.

    ``version`` forces the OCPP version (None: guess per charge point).
    ``bad_lines`` is a set the reader side fills with the numbers of lines that
    were not valid UTF-8; frames on them fail with a ``json`` violation.
    ``batch`` frames ready to be judged are judged together, one stage at a
    time (the records and the summary are the same as one at a time; the
    records come later, by up to ``batch - 1`` frames, and :meth:`finish`
    gives the last of them).
    """

    def __init__(
        self,
        source: str,
        summary: Summary,
        *,
        version: str | None = None,
        lenient: bool = False,
        bad_lines: set[int] | None = None,
        hints: Callable[[], list[Hint]] | None = None,
        rules: str = "spec",
        batch: int = 1,
    ) -> None:
        """Start judging one source (``rules``: ``"spec"`` adds spec-rule findings, ``"schema"`` does not)."""
        self.source = source
        self.summary = summary
        self.forced = version
        self.lenient = lenient
        self.spec_rules = rules == "spec"
        self.bad_lines = bad_lines if bad_lines is not None else set()
        self.groups: dict[str | None, _Group] = {}
        self.held_total = 0
        self.pending: OrderedDict[tuple[str | None, str], tuple[int, str | None]] = OrderedDict()
        self.hints_of = hints or list
        self.hints_seen = -1
        self.conversations: dict[str, Any] = {}
        self.frames = 0
        self.batch = max(1, batch)
        self.ready: list[tuple[CapturedFrame, str, bool]] = []
        self.wrong_way: dict[tuple[str, str, Direction], tuple[Violation, ...]] = {}

    # ------------------------------------------------------------------ feeding

    def feed(self, frame: CapturedFrame) -> list[Record]:
        """Take one captured frame; return the records that can be judged now (in order)."""
        self.frames += 1
        line = frame.line
        bad_lines = self.bad_lines
        bad = bool(bad_lines) and (
            line in bad_lines
            or (frame.end_line != line and any(n in bad_lines for n in range(line, frame.end_line + 1)))
        )
        cp = frame.charge_point
        group = self.groups.get(cp)
        if group is None:
            group = self.groups[cp] = _Group()
        if self.forced is not None:
            if group.evidence.frames < HOLD_PER_CHARGE_POINT and (
                frame.kind in _TELLING or frame.version_hint
            ):
                # As much evidence as a guess weighs: enough to tell when it contradicts the forced version.
                group.evidence.add(frame)
            version = self.forced
        else:
            if (frame.kind in _TELLING or frame.version_hint) and (
                group.guess is None or group.guess.confidence is not Confidence.HIGH
            ):
                # Evidence keeps being counted after an uncertain decision, to report a contradiction.
                group.evidence.add(frame)
            decided = group.version
            if decided is None:
                group.held.append((frame, bad))
                self.held_total += 1
                if len(group.held) >= HOLD_PER_CHARGE_POINT or self._sure(cp, group):
                    return list(self._decide(cp, group))
                if self.held_total >= HOLD_TOTAL:
                    return list(self._decide_all())
                return []
            version = decided
        return self._take(frame, version, bad)

    def finish(self) -> Iterator[Record]:
        """The source ended: decide what is still open and report unanswered calls."""
        yield from self._decide_all()
        yield from self._flush()
        for cp, group in self.groups.items():
            if group.version is None:
                continue
            entry: dict[str, Any] = {
                "source": self.source,
                "charge_point": cp,
                "version": group.version,
                "confidence": str(group.guess.confidence) if group.guess else "high",
                "reasons": list(group.guess.reasons) if group.guess else ["given with --ocpp"],
            }
            if self.forced is None:
                late = self._guess_with_hints(cp, group)
                if late.version not in (None, group.version) and _RANK[late.confidence] >= 2:
                    entry["later_evidence"] = f"later frames point to OCPP {late.version}"
            if len(self.summary.versions) < _MAX_NAMES:
                self.summary.versions.append(entry)
        for (cp, mid), (line, action) in self.pending.items():
            self._unanswered(cp, mid, line, action)
        self.pending.clear()
        for conversation in self.conversations.values():
            for finding in conversation.finish():
                if finding.code not in _SAID_ELSEWHERE:
                    self.summary.add_finding(self.source, finding)

    # ------------------------------------------------------------------ version

    def evidence(self) -> dict[str | None, VersionGuess]:
        """What each charge point's frames and the log's statements say of its version, forced or not."""
        return {cp: self._guess_with_hints(cp, group) for cp, group in self.groups.items()}

    def _guess_with_hints(self, cp: str | None, group: _Group) -> VersionGuess:
        for hint in self.hints_of():
            if hint.name == "ocpp_version" and hint.charge_point in (None, cp):
                group.evidence.add_hint(hint.value, hint.line)
        return group.evidence.guess()

    def _sure(self, cp: str | None, group: _Group) -> bool:
        e = group.evidence
        # Guessing costs more than a frame; only guess again when the evidence grew.
        mark = (len(e.stated), len(e.v16), len(e.v2x), len(e.v21), len(e.marks["1.6"]), len(e.marks["2.x"]))
        if mark == group.mark and self.hints_seen == len(self.hints_of()):
            return False
        group.mark = mark
        self.hints_seen = len(self.hints_of())
        guess = self._guess_with_hints(cp, group)
        return guess.version is not None and guess.confidence is Confidence.HIGH

    def _decide_all(self) -> Iterator[Record]:
        # Charge points with evidence first, so that the others can borrow their version.
        open_groups = [(cp, g) for cp, g in self.groups.items() if g.version is None and g.held]
        open_groups.sort(key=lambda item: self._guess_with_hints(*item).version is None)
        for cp, group in open_groups:
            yield from self._decide(cp, group)

    def _decide(self, cp: str | None, group: _Group) -> Iterator[Record]:
        guess = self._guess_with_hints(cp, group)
        if guess.version is None:
            guess = self._fallback(group, guess)
        group.guess = guess
        group.version = guess.version or "1.6"
        self.summary.decided[group.version] += len(group.held)
        while group.held:
            frame, bad = group.held.popleft()
            self.held_total -= 1
            yield from self._take(frame, group.version, bad)

    def _fallback(self, group: _Group, guess: VersionGuess) -> VersionGuess:
        reasons = list(guess.reasons)
        if self.summary.decided:
            version, _ = self.summary.decided.most_common(1)[0]
            reasons.append(
                f"no frame of this charge point tells the version; the run's other frames use {version}"
            )
            return VersionGuess(version, Confidence.MEDIUM, tuple(reasons))
        frames = [f for f, _ in group.held if f.kind in ("call", "send", "callresult", "callerror")]
        if not frames:
            reasons.append("nothing to tell the version by; assuming 1.6, the most deployed")
            return VersionGuess("1.6", Confidence.NONE, tuple(reasons))
        broken = {
            v: sum(0 if check_frame(f.raw, v, action=f.action).ok else 1 for f in frames) for v in VERSIONS
        }
        best = min(VERSIONS, key=lambda v: broken[v])
        if list(broken.values()).count(broken[best]) > 1:
            reasons.append(
                f"the frames are equally valid in {', '.join(v for v in VERSIONS if broken[v] == broken[best])};"  # noqa: E501
                " assuming 1.6, the most deployed"
                if broken["1.6"] == broken[best]
                else f"the frames are equally valid in several versions; taking {best}"
            )
            best = "1.6" if broken["1.6"] == broken[best] else best
            return VersionGuess(best, Confidence.LOW, tuple(reasons))
        tally = ", ".join(f"{v}: {broken[v]}" for v in VERSIONS)
        reasons.append(f"fewest invalid frames under {best} ({tally})")
        return VersionGuess(best, Confidence.LOW, tuple(reasons))

    # ------------------------------------------------------------------ judging

    def _unanswered(self, cp: str | None, mid: str, line: int, action: str | None) -> None:
        s = self.summary
        s.unanswered += 1
        if len(s.unanswered_listed) < _MAX_LISTED:
            s.unanswered_listed.append(
                {"source": self.source, "line": line, "charge_point": cp, "message_id": mid, "action": action}
            )

    def _take(self, frame: CapturedFrame, version: str, bad_text: bool) -> list[Record]:
        """Judge one frame now, or queue it until a batch is ready."""
        if self.batch == 1:
            return [self._judge(frame, version, bad_text)]
        ready = self.ready
        ready.append((frame, version, bad_text))
        return self._flush() if len(ready) >= self.batch else []

    def _flush(self) -> list[Record]:
        """Judge the queued frames."""
        if not self.ready:
            return []
        items, self.ready = self.ready, []
        return self._judge_many(items)

    def _judge(self, frame: CapturedFrame, version: str, bad_text: bool) -> Record:
        return self._judge_many([(frame, version, bad_text)])[0]

    def _judge_many(self, items: list[tuple[CapturedFrame, str, bool]]) -> list[Record]:
        """Judge frames in order, one stage at a time over all of them (verdicts, spec rules, conversation).

        Each stage sees the frames in input order, so pairing and the conversation see what one frame
        at a time would; the findings reach the summary in the same order too. This is the one place
        a :class:`Record` is made.
        """
        summary = self.summary
        lanes = _fast.LANES
        pending = self.pending
        wrong_way = self.wrong_way
        # Stage 1: the verdict on every frame (pairing, schema, direction).
        judged: list[tuple[tuple[Violation, ...], list[str]]] = []
        keep = judged.append
        for frame, version, _bad in items:
            kind = frame.kind
            notes: list[str] = []
            if kind == "unparsed":
                violations: tuple[Violation, ...] = (
                    Violation("", "json", frame.error or "not an OCPP-J frame", RULE_CODES["json"][version]),
                )
            elif kind == "payload":
                violations = (
                    Violation(
                        "",
                        "frame",
                        "a bare JSON object, not an OCPP-J message:"
                        " its action is unknown, so it is not checked",
                        RULE_CODES["frame"][version],
                    ),
                )
            else:
                action = frame.action
                message_id = frame.message_id
                calls = kind == "call" or kind == "send"
                if message_id is not None:
                    # Track CALLs awaiting an answer, to count those never answered.
                    key = (frame.charge_point, message_id)
                    earlier = pending.pop(key, None)
                    if calls:
                        if earlier is not None:
                            # The same id again before an answer: the earlier CALL was never answered.
                            self._unanswered(frame.charge_point, message_id, *earlier)
                        if kind == "call":
                            pending[key] = (frame.line, action)
                            if len(pending) > PENDING_CALLS:
                                (old_cp, old_mid), old = pending.popitem(last=False)
                                self._unanswered(old_cp, old_mid, *old)
                lane = lanes[version]
                paired = action if kind == "callresult" else None
                if type(frame) is Decoded and lane.loads is not None:
                    # The reader decoded the text by the JSON rules already: judge that value.
                    report = _judge_loaded(lane, frame.value, frame.raw, paired)
                else:
                    # Bytes take the validator's fast decoding lane.
                    report = check_frame(frame.raw.encode(), version, action=paired)
                violations = report.violations
                if report.unpaired:
                    summary.unpaired_results += 1
                    notes.append("its CALL is not in the capture: the frame is checked, the payload is not")
                if calls and action is not None and frame.direction_confidence is Confidence.HIGH:
                    direction = frame.direction
                    if direction is Direction.CP_TO_CSMS or direction is Direction.CSMS_TO_CP:
                        way = (version, action, direction)
                        wrong = wrong_way.get(way)
                        if wrong is None:
                            wrong = wrong_way[way] = self._direction(version, action, direction)
                        if wrong:
                            violations = violations + wrong
            keep((violations, notes))
        # Stage 2: spec rules and leniency, on the payloads of CALLs and CALLRESULTs whose action is known.
        specs: list[tuple[Finding, ...]] = []
        tolerateds: list[frozenset[int]] = []
        if self.spec_rules or self.lenient:
            self._rules(items, judged, specs, tolerateds)
        # Stage 3: the conversation, across frames.
        talks = self._talk(items) if _conversation_module is not None else []
        # Stage 4: the records, and the summary's counts in the order one frame at a time gives.
        records: list[Record] = []
        made = records.append
        add = summary.add
        source = self.source
        for i, (frame, version, bad_text) in enumerate(items):
            violations, notes = judged[i]
            spec = specs[i] if specs else ()
            tolerated = tolerateds[i] if tolerateds else _NONE
            found = talks[i] if talks else _NO_TALK
            if spec:
                for finding in spec:
                    summary.add_finding(source, finding)
            if found:
                for finding in found:
                    summary.add_finding(source, finding)
                    notes.append(f"{finding.severity} {finding.code}: {finding.message}")
                spec = (*spec, *found)
            if bad_text:
                violations = (
                    Violation(
                        "",
                        "json",
                        "the line holding this frame is not valid UTF-8",
                        RULE_CODES["json"][version],
                    ),
                    *violations,
                )
            stamp = frame.timestamp
            # tuple.__new__ builds the named tuple without its Python-level constructor.
            record = _new(
                Record,
                (
                    source,
                    frame.line,
                    frame.charge_point,
                    frame.kind,
                    frame.action,
                    len(tolerated) == len(violations),
                    violations,
                    version,
                    frame.direction,
                    stamp.raw if stamp is not None else None,
                    frame.message_id,
                    tuple(notes) if notes else (),
                    tolerated,
                    spec,
                ),
            )
            made(record)
            add(record)
        return records

    def _rules(
        self,
        items: list[tuple[CapturedFrame, str, bool]],
        judged: list[tuple[tuple[Violation, ...], list[str]]],
        specs: list[tuple[Finding, ...]],
        tolerateds: list[frozenset[int]],
    ) -> None:
        """Spec rules and leniency for every frame of a batch (what they find goes into *specs*)."""
        spec_rules = self.spec_rules
        lenient = self.lenient
        for (frame, version, bad_text), (violations, notes) in zip(items, judged, strict=True):
            kind = frame.kind
            action = frame.action
            spec: tuple[Finding, ...] = ()
            tolerated = _NONE
            if action is not None and (kind == "call" or kind == "callresult"):
                if spec_rules:
                    # Most messages have no spec rule: looked up, not called.
                    checker = payload_checker(version, action, "request" if kind == "call" else "response")
                    if checker is not None:
                        spec = self._spec(frame, checker, kind)
                        for finding in spec:
                            notes.append(
                                f"{finding.severity} {finding.code}: {finding.subject}: {finding.message}"
                            )
                if lenient and violations:
                    tolerated, note = self._tolerated(version, action, kind, frame, violations)
                    notes.extend(note)
            if bad_text:
                tolerated = frozenset(i + 1 for i in tolerated)
            specs.append(spec)
            tolerateds.append(tolerated)

    def _talk(self, items: list[tuple[CapturedFrame, str, bool]]) -> list[list[Finding]]:
        """The conversation's findings on each frame of a batch, those the records state already left out."""
        talks: list[list[Finding]] = []
        keep = talks.append
        conversations = self.conversations
        current: str | None = None
        feed: Callable[[CapturedFrame, int], list[Finding]] | None = None
        for frame, version, _bad in items:
            kind = frame.kind
            if kind == "unparsed" or kind == "payload":
                keep(_NO_TALK)
                continue
            if feed is None or version != current:
                conversation = conversations.get(version)
                if conversation is None:
                    conversation = conversations[version] = _conversation_module.Conversation(version)
                feed, current = conversation.feed_captured, version
            try:
                found = feed(frame, frame.line)
            except OcpkitError:
                keep(_NO_TALK)
                continue
            keep([f for f in found if f.code not in _SAID_ELSEWHERE] if found else _NO_TALK)
        return talks

    def _spec(self, frame: CapturedFrame, checker: PayloadChecker, kind: str) -> tuple[Finding, ...]:
        """The spec-rule findings on the payload of a CALL or CALLRESULT (the caller counts them)."""
        index = 3 if kind == "call" else 2
        # The value the reader decoded, which the verdict lane judged too: not decoded again.
        value = frame.value
        if not isinstance(value, list) or len(value) <= index or not isinstance(value[index], dict):
            return ()
        found = checker(value[index], frame.line)
        return tuple(found) if found else ()

    def _direction(self, version: str, action: str, direction: Direction) -> tuple[Violation, ...]:
        senders = _SENDERS.get(version)
        if senders is None:
            senders = _SENDERS[version] = dict(SENDERS[version])
        expected = senders.get(action)
        sender = "ChargingStation" if direction is Direction.CP_TO_CSMS else "CSMS"
        if expected is None or expected == "Both" or expected == sender:
            return ()
        return (
            Violation(
                "/2",
                "direction",
                f"{action} is sent by the {expected}, but the log shows it going {direction}",
                RULE_CODES["direction"][version],
            ),
        )

    def _tolerated(
        self, version: str, action: str, kind: str, frame: CapturedFrame, violations: tuple[Violation, ...]
    ) -> tuple[frozenset[int], list[str]]:
        index = 3 if kind == "call" else 2
        payload = frame.value[index] if isinstance(frame.value, list) and len(frame.value) > index else None
        if not isinstance(payload, dict):
            return frozenset(), []
        try:
            result = validate_payload(
                version, action, "request" if kind == "call" else "response", payload, lenient=True
            )
        except OcpkitError:
            return frozenset(), []
        repaired: dict[str, str] = {}
        for note in result.repairs:
            path, _, what = note.partition(": ")
            if "without validation" not in what:
                repaired[f"/{index}{path}"] = what
        tolerated = frozenset(i for i, v in enumerate(violations) if v.path in repaired)
        return tolerated, [f"tolerated: {p[len(str(index)) + 1 :] or '/'}: {w}" for p, w in repaired.items()]
