"""Extractors of the capture reader: one per family of log shapes.

Theory of operation: each extractor is fed ``(line number, text)`` pairs and
yields :class:`~ocpkit.capture._types.Draft` records; ``finish()`` reports
what is still open at the end of input. State is bounded: an extractor holds
at most one open frame (capped by ``max_frame_size`` characters and
``max_frame_lines`` lines), never the lines already done.

* :class:`LineExtractor` (shapes ``ha``, ``pylog``, ``ansi-raw``, ``octt``,
  ``generic``) finds frames anywhere in a line. A frame left open at the end
  of a line is continued over the next lines, unless a next line looks like a
  fresh log line or holds a frame of its own; then the open one is reported as
  truncated and the lines taken in are read again on their own, so a broken
  frame never hides the frames after it.
* :class:`DocumentExtractor` (``json``, ``payload``) reads whole JSON
  documents, pretty-printed or one per line.

Record-per-line shapes (trace JSONL, CSV) live in ``_records``.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from ocpkit.capture._text import (
    FRAME_START,
    FRESH_LINE,
    OPEN_TAIL,
    Balance,
    Role,
    match_marker,
    normalise_version,
    parse_datetime_text,
    parse_time_of_day,
    strip_ansi,
)
from ocpkit.capture._types import CaptureSettings, Draft, Hint, Timestamp
from ocpkit.ocpp import _json
from ocpkit.ocpp._json import MAX_DEPTH

__all__ = ["Context", "DocumentExtractor", "Extractor", "LineExtractor", "decode", "ran_out", "snippet"]

_DECODER = json.JSONDecoder()
_NO_DRAFTS: list[Draft] = []  # returned empty, never appended to
_loads = _json.fast_loads()
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_RUN = b"0" * 19  # a run of 19 digits may be an integer orjson would round (see ocpkit.ocpp._json)
_SHORT = 2 * MAX_DEPTH
_new = tuple.__new__


def orjson_reads_exactly(data: bytes) -> bool:
    """Whether orjson reads the JSON text *data* as the standard decoder would, when it reads it at all.

    That is: no run of 19 digits (an integer literal orjson would round) and,
    past a short text, no more brackets and braces than :data:`MAX_DEPTH` (no
    nesting deeper than the standard decoder allows). NaN, lone surrogates and
    the rest are orjson's to refuse.
    """
    return data.translate(_ZEROS).find(_RUN) < 0 and (  # find: "in" first tries the run as an int
        len(data) <= _SHORT or data.count(b"[") + data.count(b"{") <= MAX_DEPTH
    )


_STAMP_GOES_ON = frozenset("0123456789.,Zz+-:")
_MAX_HINTS = 1000
_SNIPPET = 1024
_UNSET: Any = object()


def snippet(text: str) -> str:
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "…"


def _json_error(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to decode"
    return f"invalid JSON: {exc}"


def ran_out(exc: ValueError, text: str) -> bool:
    """Whether a decode error means "the text ended inside the value" (so it may go on)."""
    if not isinstance(exc, json.JSONDecodeError):
        return False
    # The C scanner reports an open string at its start, everything else where it stopped.
    return exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip())


def decode(text: str) -> tuple[Any, str | None]:
    """Decode one JSON text: (value, None) or (None, error message)."""
    try:
        return json.loads(text), None
    except (ValueError, RecursionError) as exc:
        return None, _json_error(exc)


class Context:
    """What the extractors share with the reader: bounds, shape name, hints, host roles."""

    def __init__(self, settings: CaptureSettings, shape: str) -> None:
        """Start with no hints and no role stated by a header."""
        self.settings = settings
        self.shape = shape
        self.hints: list[Hint] = []
        self._hint_keys: set[tuple[str, str, str | None]] = set()
        self.role_overrides: dict[str, tuple[Role, str]] = {}
        self.version: str | None = None

    def hint(self, line: int, name: str, value: str, charge_point: str | None = None) -> None:
        """Record a fact once (bounded, so a log repeating it does not grow memory)."""
        key = (name, value, charge_point)
        if key in self._hint_keys or len(self.hints) >= _MAX_HINTS:
            return
        self._hint_keys.add(key)
        self.hints.append(Hint(line, name, value, charge_point))


class Extractor:
    """Base: turn numbered lines into drafts."""

    def __init__(self, ctx: Context) -> None:
        """Bind to the shared context."""
        self.ctx = ctx

    def feed(self, lineno: int, text: str) -> Iterator[Draft]:
        """Yield the drafts completed by this line."""
        raise NotImplementedError

    def finish(self) -> Iterator[Draft]:
        """Yield what is still open at the end of input."""
        return iter(())


_TYPE_COMMA = re.compile(r"\[\s*[2-6]\s*,")
_HEADER = re.compile(r"\s*(OCPP Version|System Under Test(?: \(SUT\))?|Test Start Time)\s*:\s*(.*?)\s*$")
_SUBPROTOCOL = re.compile(r"ubprotocol\b.*?\bocpp\s*(1\.6|2\.0\.1|2\.1)\b", re.IGNORECASE)
_HEADER_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})\s+(\d{2}):(\d{2}):(\d{2})")


class _Open:
    """A frame still open at the end of a line."""

    __slots__ = ("balance", "lines", "parts", "pending", "prefix", "size", "start")

    def __init__(self, start: int, text: str, prefix: str, balance: Balance | None) -> None:
        self.start = start
        self.parts = [text]
        self.size = len(text)
        self.prefix = prefix
        self.balance = balance
        self.pending = balance is None
        self.lines: list[tuple[int, str]] = []


class LineExtractor(Extractor):
    """Frames embedded anywhere in host log lines (see module docstring)."""

    def __init__(self, ctx: Context) -> None:
        """Start outside any frame; OCTT time-of-day state empty."""
        super().__init__(ctx)
        self._open: _Open | None = None
        self._day: datetime | None = None
        self._last_tod: datetime | None = None
        self._last_stamp: Timestamp | None = None

    # -- facts the log states -------------------------------------------------
    def _sniff(self, lineno: int, text: str) -> None:
        # The header regex needs one of its three names in the line: test for them first.
        m = (
            _HEADER.match(text)
            if "OCPP Version" in text or "System Under Test" in text or "Test Start Time" in text
            else None
        )
        if m is not None:
            key, value = m.group(1), m.group(2)
            if key == "OCPP Version":
                version = normalise_version(value)
                if version:
                    self.ctx.version = version
                    self.ctx.hint(lineno, "ocpp_version", version)
            elif key.startswith("System Under Test"):
                self.ctx.hint(lineno, "system_under_test", value)
                # OCTT plays the other side of the system under test.
                if value.upper().startswith("CSMS"):
                    self.ctx.role_overrides["octt"] = ("cp", "the report header says the CSMS is under test")
                elif value.upper().startswith(("CS", "CP")):
                    self.ctx.role_overrides["octt"] = (
                        "csms",
                        "the report header says the charging station is under test",
                    )
            else:
                d = _HEADER_DATE.search(value)
                if d is not None:
                    self.ctx.hint(lineno, "test_start", value)
                    try:
                        self._day = datetime(int(d.group(3)), int(d.group(2)), int(d.group(1)))
                    except ValueError:
                        self._day = None
        elif "ubprotocol" in text:
            s = _SUBPROTOCOL.search(text)
            if s is not None:
                self.ctx.version = s.group(1)
                self.ctx.hint(lineno, "ocpp_version", s.group(1))

    def _timestamp(self, prefix: str) -> Timestamp | None:
        tod = parse_time_of_day(prefix)
        if tod is not None:
            raw, (h, mi, s, us) = tod
            if self._day is None:
                return Timestamp(raw, None, True, "time of day only; no header date")
            value = self._day.replace(hour=h, minute=mi, second=s, microsecond=us)
            if self._last_tod is not None and value < self._last_tod:
                # The clock went back: the report ran past midnight.
                self._day += timedelta(days=1)
                value += timedelta(days=1)
            self._last_tod = value
            return Timestamp(raw, value, True, "date taken from the report header")
        last = self._last_stamp
        # Neighbouring lines often share a stamp (a call and its answer): one immutable value serves.
        if last is not None and prefix.startswith(last.raw):
            # The stamp found at the start is that text again unless the next character could
            # extend it (more fraction digits, a fraction, a zone): then search as usual.
            size = len(last.raw)
            if len(prefix) == size or prefix[size] not in _STAMP_GOES_ON:
                return last
        found = parse_datetime_text(prefix[:200], None if last is None else (last.raw, last.value))
        if found is None:
            return None
        raw, parsed = found
        if last is not None and last.raw == raw:
            return last
        # tuple.__new__ builds the named tuple without its Python-level constructor.
        stamp = self._last_stamp = _new(
            Timestamp, (raw, parsed, parsed is not None and parsed.tzinfo is None, None)
        )
        return stamp

    def _draft(
        self,
        start: int,
        end: int,
        raw: str,
        value: Any,
        error: str | None,
        prefix: str,
        exact: bool = False,
    ) -> Draft:
        d = Draft(start, raw, value, error=error, end_line=end)
        d.exact = exact
        d.timestamp = self._timestamp(prefix)
        found = match_marker(prefix)
        if found is not None:
            d.marker, d.verb, d.charge_point = found
        d.version_hint = self.ctx.version
        return d

    # -- reading --------------------------------------------------------------
    def feed(self, lineno: int, text: str) -> Iterator[Draft]:
        """Yield frames completed by this line, re-reading lines a broken frame had taken in."""
        if self._open is None:
            # The common case: no frame open, nothing to read again.
            text = strip_ansi(text)
            self._sniff(lineno, text)
            yield from self._scan(lineno, text, 0)
            return
        queue: deque[tuple[int, str]] = deque([(lineno, text)])
        while queue:
            n, t = queue.popleft()
            yield from self._line(n, strip_ansi(t), queue)

    def finish(self) -> Iterator[Draft]:
        """Report a frame left open at the end of input, then read the lines it had taken in."""
        while self._open is not None:
            op, self._open = self._open, None
            queue: deque[tuple[int, str]] = deque(op.lines)
            if self._reportable(op):
                yield self._truncated(op, "truncated frame: input ended before the frame was closed")
            while queue:
                n, t = queue.popleft()
                yield from self._line(n, t, queue)

    @staticmethod
    def _reportable(op: _Open) -> bool:
        # A bare "[" or "[2" at a line's end is common in logs; "[2," is a frame's start.
        return not op.pending or _TYPE_COMMA.match("".join(op.parts)) is not None

    def _truncated(self, op: _Open, why: str) -> Draft:
        end = op.lines[-1][0] if op.lines else op.start
        return self._draft(op.start, end, snippet("".join(op.parts)), None, why, op.prefix)

    def _line(self, n: int, t: str, queue: deque[tuple[int, str]]) -> Iterator[Draft]:
        op = self._open
        if op is None:
            self._sniff(n, t)
            yield from self._scan(n, t, 0)
            return
        limits = self.ctx.settings
        if (
            FRESH_LINE.match(t)
            or FRAME_START.match(t.lstrip())
            or len(op.lines) >= limits.max_frame_lines
            or op.size + len(t) > limits.max_frame_size
            # JSON strings hold no raw line break: a frame left open inside a string does not
            # swallow a next line that starts a frame of its own.
            or (op.balance is not None and op.balance.in_string and FRAME_START.search(t) is not None)
        ):
            # Not a continuation: give the frame up, read its lines again.
            self._open = None
            if self._reportable(op):
                yield self._truncated(op, f"truncated frame: not closed before line {n}")
            queue.appendleft((n, t))
            queue.extendleft(reversed(op.lines))
            return
        balance = op.balance
        joiner = "" if balance is not None and balance.in_string else "\n"
        chunk = joiner + t
        op.parts.append(chunk)
        op.size += len(chunk)
        op.lines.append((n, t))
        if op.pending:
            whole = "".join(op.parts)
            if FRAME_START.match(whole):
                op.pending = False
                op.balance = Balance()
                close = op.balance.feed(whole)
                at = None if close is None else close - (len(whole) - len(t))
            elif OPEN_TAIL.fullmatch(whole):
                return
            else:
                self._open = None
                if self._reportable(op):
                    yield self._truncated(op, "not an OCPP-J frame: no message id after the message type")
                queue.extendleft(reversed(op.lines))
                return
        else:
            assert balance is not None
            close = balance.feed(chunk)
            at = None if close is None else close - len(joiner)
        if at is None:
            return
        self._open = None
        whole = "".join(op.parts)
        text = whole[: len(whole) - len(t) + at]
        value, error = decode(text)
        if error is None and (not isinstance(value, list) or len(text) > limits.max_frame_size):
            error = "not an OCPP-J frame"
        yield self._draft(op.start, n, text if error is None else snippet(text), value, error, op.prefix)
        if error is None:
            yield from self._scan(n, t, at)
        else:
            # The lines taken in may hold frames of their own: read them again.
            queue.extendleft(reversed(op.lines))

    def scan(self, n: int, t: str) -> list[Draft]:
        """The drafts of one line when no frame is open (the common case), as a list."""
        self._sniff(n, t)
        if "[" not in t:
            return _NO_DRAFTS
        return self._scan(n, t, 0)

    def _scan(self, n: int, t: str, pos: int) -> list[Draft]:
        limits = self.ctx.settings
        failures = 0
        out: list[Draft] = []
        while True:
            if t.find("[", pos) < 0:
                # Frames and open tails start with a bracket; most host lines, and most line ends
                # after a frame, hold none.
                return out
            m = FRAME_START.search(t, pos)
            if m is None:
                tail = OPEN_TAIL.search(t, max(pos, len(t) - 16))
                if tail is not None and t[tail.start() :].strip():
                    self._open = _Open(n, t[tail.start() :], t[: tail.start()], None)
                return out
            s = m.start()
            if _loads is not None:
                # Most frames end their line: orjson reads them at once when the text holds
                # nothing its rules and the standard library's could read apart (an integer
                # literal it would round, deep nesting); NaN, lone surrogates and any other
                # refusal fall back to the standard decoder below. Decoding exactly the rest
                # of the line gives what raw_decode gives: a JSON array ends at its last bracket.
                body = t[s:].rstrip(" \t\r\n")
                try:
                    data = body.encode()
                except UnicodeEncodeError:  # a lone surrogate: only the standard decoder reads it
                    data = b""
                if data[-1:] == b"]" and orjson_reads_exactly(data):
                    try:
                        value = _loads(data)
                    except ValueError:
                        pass
                    else:
                        end = s + len(body)
                        if end - s > limits.max_frame_size:
                            out.append(
                                self._draft(
                                    n,
                                    n,
                                    snippet(body),
                                    None,
                                    f"frame larger than max_frame_size ({end - s} characters)",
                                    t[:s],
                                )
                            )
                        else:
                            d = self._draft(n, n, body, value, None, t[:s], True)
                            out.append(d)
                        pos = end
                        continue
            try:
                value, end = _DECODER.raw_decode(t, s)
            except RecursionError as exc:
                out.append(
                    self._draft(
                        n,
                        n,
                        snippet(t[s:]),
                        None,
                        _json_error(exc) + "; the rest of the line was not examined",
                        t[:s],
                    )
                )
                return out
            except ValueError as exc:
                if ran_out(exc, t):
                    if len(t) - s > limits.max_open_tail:
                        out.append(
                            self._draft(
                                n,
                                n,
                                snippet(t[s:]),
                                None,
                                "truncated frame: the line ends inside it"
                                " (too long to look for its end on later lines)",
                                t[:s],
                            )
                        )
                        return out
                    balance = Balance()
                    if balance.feed(t, s) is None:
                        self._open = _Open(n, t[s:], t[:s], balance)
                        return out
                out.append(self._draft(n, n, snippet(t[s:]), None, _json_error(exc), t[:s]))
                pos = m.end()
                failures += 1
                if failures >= limits.max_failures_per_line:
                    out.append(
                        self._draft(
                            n,
                            n,
                            snippet(t[pos:]),
                            None,
                            f"{failures} undecodable frame-like fragments;"
                            " the rest of the line was not examined",
                            t[:s],
                        )
                    )
                    return out
                continue
            if end - s > limits.max_frame_size:
                out.append(
                    self._draft(
                        n,
                        n,
                        snippet(t[s:end]),
                        None,
                        f"frame larger than max_frame_size ({end - s} characters)",
                        t[:s],
                    )
                )
            else:
                out.append(self._draft(n, n, t[s:end], value, None, t[:s]))
            pos = end


class DocumentExtractor(Extractor):
    """Whole JSON documents (a frame per document, or bare payload objects)."""

    def __init__(self, ctx: Context) -> None:
        """Start between documents."""
        super().__init__(ctx)
        self._parts: list[str] = []
        self._size = 0
        self._start = 0
        self._balance: Balance | None = None
        self._skipping = False

    def feed(self, lineno: int, text: str) -> Iterator[Draft]:
        """Yield documents completed by this line."""
        if lineno == 1 and text.startswith("\ufeff"):
            text = text[1:]
        if self._skipping:
            if text[:1] not in ("[", "{"):
                return
            self._skipping = False
        limits = self.ctx.settings
        pos = 0
        if self._balance is not None:
            balance = self._balance
            joiner = "" if balance.in_string else "\n"
            chunk = joiner + text
            close = balance.feed(chunk)
            if close is None:
                self._parts.append(chunk)
                self._size += len(chunk)
                if self._size > limits.max_frame_size or len(self._parts) > limits.max_document_lines:
                    self._balance = None
                    self._skipping = True
                    yield Draft(
                        self._start,
                        snippet("".join(self._parts)),
                        error="document larger than the reader's bounds;"
                        " skipped to the next line that starts with [ or {",
                        end_line=lineno,
                    )
                    self._parts = []
                return
            self._parts.append(chunk[:close])
            self._balance = None
            yield from self._document(self._start, lineno, "".join(self._parts))
            self._parts = []
            pos = close - len(joiner)
        while True:
            pos = len(text) - len(text[pos:].lstrip())
            if pos >= len(text):
                return
            if text[pos] not in "[{":
                yield Draft(
                    lineno, snippet(text[pos:]), error="not JSON: expected a document starting with [ or {"
                )
                return
            try:
                value, end = _DECODER.raw_decode(text, pos)
            except RecursionError as exc:
                yield Draft(lineno, snippet(text[pos:]), error=_json_error(exc))
                self._skipping = True
                return
            except ValueError as exc:
                if ran_out(exc, text) and len(text) - pos <= limits.max_open_tail:
                    balance = Balance()
                    if balance.feed(text, pos) is None:
                        self._balance = balance
                        self._parts, self._size, self._start = [text[pos:]], len(text) - pos, lineno
                        return
                yield Draft(lineno, snippet(text[pos:]), error=_json_error(exc))
                self._skipping = True
                return
            yield from self._document(lineno, lineno, text[pos:end], value)
            pos = end

    def finish(self) -> Iterator[Draft]:
        """Report a document left open."""
        if self._balance is not None and self._parts:
            self._balance = None
            yield Draft(
                self._start, snippet("".join(self._parts)), error="truncated JSON: input ended inside it"
            )

    def _document(self, start: int, end: int, text: str, value: Any = _UNSET) -> Iterator[Draft]:
        if value is _UNSET:
            value, error = decode(text)
            if error is not None:
                yield Draft(start, snippet(text), error=error, end_line=end)
                return
        if len(text) > self.ctx.settings.max_frame_size:
            yield Draft(start, snippet(text), error="document larger than max_frame_size", end_line=end)
            return
        if (
            isinstance(value, list)
            and value
            and (all(isinstance(v, list) for v in value) or all(isinstance(v, dict) for v in value))
        ):
            # A JSON array of frames (or of payload objects): one record each, all starting where it does.
            for item in value:
                d = Draft(start, json.dumps(item, ensure_ascii=False), item, end_line=end)
                d.version_hint = self.ctx.version
                yield d
            return
        d = Draft(start, text, value, end_line=end)
        d.version_hint = self.ctx.version
        yield d
