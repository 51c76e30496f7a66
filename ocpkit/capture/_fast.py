"""The capture reader's loop over host log lines, with a one-pass path for the common line (private).

Theory of operation: most lines of a host log (shapes ``ha``, ``pylog``,
``ansi-raw``, ``octt``, ``generic``) are ``<stamp><host words><frame>``, the
frame ending the line, no frame left open before it and no colour codes in it.
:func:`read_frames` reads such a line in one pass and builds its record at once:
the same steps as :meth:`LineExtractor.scan <ocpkit.capture._extract.LineExtractor.scan>`
followed by the resolver's ``final``, without the draft in between. Each step
checks that it is on the common case; when one is not sure (a frame open from
an earlier line, an escape byte, text after the frame, a frame that does not
decode under the orjson guards, a side not yet settled, frames held back ...),
the whole line goes the general way, from where nothing has been changed yet.
The only step taken before that point is one both ways share (the header
sniff), so a line is never read twice by halves. ``tests/capture/test_line_fast_path.py``
holds the two ways to the same records.

The cheap parts of the one-pass path:

* A timestamp at the start of the line in the plain layout most hosts write
  (``2026-03-02 10:00:00,123``, ``2026-03-02T10:00:00.123456``) is matched by
  an anchored ASCII pattern; unless the character after it could extend it
  (more digits, a zone, any digit), the general search finds the same text
  there. A line that starts with the previous line's stamp reuses it, as the
  general way does. A stamp with the layout of the last one the pattern matched
  (the same text with its digits zeroed), and nothing after it that could
  extend it, is where the pattern matches the same text: it is told so without
  the pattern.
* The marker of a line is looked up by the host words after its timestamp
  (and the stamp with its digits zeroed), the way ``match_marker`` looks up the
  whole prefix with its digits zeroed, so the lines of a log share a handful of
  look-ups; an answer whose charge-point id reaches into the stamp is not kept.
* Directions are kept per (marker family, verb, action) once the family's
  side is settled: the resolver's answer for them never changes after that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from ocpkit.capture import _extract
from ocpkit.capture._extract import _RUN, _SHORT, _STAMP_GOES_ON, _ZEROS, Extractor, LineExtractor
from ocpkit.capture._text import FRAME_START, Marker, Verb, marker_span, strip_ansi
from ocpkit.capture._types import CapturedFrame, Confidence, Decoded, Direction, Draft, Timestamp
from ocpkit.errors import CaptureError
from ocpkit.ocpp._json import MAX_DEPTH

if TYPE_CHECKING:
    from ocpkit.capture import _Resolver

__all__ = ["read_frames"]

_new = tuple.__new__
_KIND = {2: "call", 3: "callresult", 4: "callerror", 5: "callresulterror", 6: "send"}
# The characters str.isspace and the regular expressions' \\s (Unicode) call blank.
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# What a line the header sniff matches starts with: blanks, or the first letter of a header name.
_SNIFF_FIRST = frozenset("OST" + _SPACES)
_SUBPROTOCOL = re.compile("ubprotocol")  # a literal search: cheaper than ``in`` on JSON text
_COMPACT = tuple(f'[{t},"' for t in "23456")  # the usual frame start: FRAME_START matches it
_PLAIN_STAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?", re.ASCII).match
_MAX_MARKS = 4096
_TAIL = 300  # the characters of a prefix match_marker looks at
_fromiso = datetime.fromisoformat


class _Entry:
    """What the host words of a line say: the marker, the charge point, and (once settled) the directions."""

    __slots__ = ("cp", "marker", "table", "verb")

    def __init__(self, found: tuple[Marker, Verb, str | None]) -> None:
        self.marker, self.verb, self.cp = found
        self.table: dict[str | None, tuple[Direction, Confidence, str]] | None = None


def read_frames(
    start: Callable[[], tuple[Iterator[str], Extractor, _Resolver]],
    records: Callable[[Iterator[str], Extractor, _Resolver], Iterator[CapturedFrame]],
) -> Iterator[CapturedFrame]:
    """The records of a capture: ``start()`` gives its lines, extractor and resolver when iteration starts.

    Host logs (a :class:`LineExtractor`) are read by the loop here, the other
    shapes by ``records``; then what the extractor and the resolver still hold.
    One generator does it all: a layer of generators costs per record.
    """
    lines, extractor, resolver = start()
    loads = _extract._loads
    if type(extractor) is not LineExtractor or loads is None:
        # Without orjson every frame is decoded the standard library's way, in the extractor.
        try:
            yield from records(lines, extractor, resolver)
        except UnicodeError as exc:
            raise CaptureError(f"capture cannot be decoded: {exc}") from exc
        yield from _finish(extractor, resolver)
        return
    lined = extractor
    shape = resolver.shape
    ctx = lined.ctx
    max_frame = ctx.settings.max_frame_size
    sniff = lined._sniff
    scan = lined._scan
    feed = lined.feed
    timestamp_of = lined._timestamp
    final = resolver.final
    push = resolver.push
    settled = resolver.settled
    held = resolver.held
    roles = resolver.roles
    calls = resolver.calls
    direction_of = resolver.direction
    search = FRAME_START.search
    subprotocol = _SUBPROTOCOL.search
    plain_stamp = _PLAIN_STAMP
    zeros, run, short, max_depth = _ZEROS, _RUN, _SHORT, MAX_DEPTH
    sniff_first, goes_on, compact = _SNIFF_FIRST, _STAMP_GOES_ON, _COMPACT
    kinds = _KIND
    # Zeroed stamp -> host words after it -> entry; (family, verb) -> action -> direction.
    marks: dict[bytes, dict[str, _Entry | None]] = {}
    by_words: dict[str, _Entry | None] = {}
    tables: dict[tuple[str, str], dict[str | None, tuple[Direction, Confidence, str]]] = {}
    unmarked: dict[str | None, tuple[Direction, Confidence, str]] = {}
    zstamp: Timestamp | None = None
    zhead = b"\xff"  # no stamp's zeroed text (UTF-8 never holds this byte)
    zsize = 0
    # The last plain stamp the pattern matched, its digits zeroed, and its length; the stamp whose
    # zeroed text is known (zeroed).
    plain_head = b""
    plain_size = 0
    zeroed_of: Timestamp | None = None
    zeroed = b""
    known: Timestamp | None = None  # the last stamp whose text and length are in known_raw, known_size
    known_raw = ""
    known_size = 0
    unknown = Direction.UNKNOWN
    answers = frozenset(("callresult", "callerror", "callresulterror"))
    reverse = {Direction.CP_TO_CSMS: Direction.CSMS_TO_CP, Direction.CSMS_TO_CP: Direction.CP_TO_CSMS}
    sure = (Confidence.HIGH, Confidence.MEDIUM)
    from ocpkit.capture import _PENDING_CALLS, _SENDER_OF

    sender_of = _SENDER_OF
    pending = _PENDING_CALLS
    opened = False  # a frame left open on an earlier line: every line goes the general way
    n = 0
    try:
        for line in lines:
            n += 1
            if type(line) is not str and not isinstance(line, str):
                raise CaptureError(f"capture lines must be str, got {type(line).__name__}")
            # The usual line ends with its frame: the text is cut at the line break, not copied without it.
            if line.endswith("]\n"):
                cut: int | None = -1
            else:
                cut = None
                if line.endswith("\n"):
                    line = line[:-1]
                if line.endswith("\r"):
                    line = line[:-1]
            drafts: Iterable[Draft]
            if opened or "\x1b" in line:
                text = line if cut is None else line[:-1]
                drafts = feed(n, text) if opened else lined.scan(n, strip_ansi(text))
            elif not line:
                continue
            else:
                if line[0] in sniff_first or subprotocol(line) is not None:
                    sniff(n, line if cut is None else line[:-1])
                s = line.find("[")
                if s < 0:
                    continue
                body = None
                if cut is not None or line.endswith("]"):
                    if not line.startswith(compact, s):
                        m = search(line, s)
                        s = -1 if m is None else m.start()
                    if s >= 0:
                        body = line[s:cut]
                        try:
                            data = body.encode()
                        except UnicodeEncodeError:
                            data = b""
                        size = len(data)  # no less than the body's length in characters
                        # orjson_reads_exactly, inlined: no run of 19 digits, no nesting too deep.
                        if (
                            size
                            and size <= max_frame
                            and data.translate(zeros).find(run) < 0
                            and (size <= short or data.count(b"[") + data.count(b"{") <= max_depth)
                        ):
                            try:
                                value = loads(data)
                            except ValueError:
                                body = None
                        else:
                            body = None
                if body is None:
                    drafts = scan(n, line if cut is None else line[:-1], 0)
                else:
                    # A text that starts with a frame's start and decodes whole is a list of the
                    # message type id (an integer 2..6) and a string id, perhaps more.
                    kind = kinds[value[0]]
                    # The timestamp, as LineExtractor._timestamp finds it in the prefix line[:s]. It
                    # looks for an OCTT time of day first, in a prefix starting with "["; the stamps
                    # tried here start with a digit, and hold no "[" (so they lie in the prefix).
                    last = lined._last_stamp
                    if last is not known and last is not None:
                        known, known_raw = last, last.raw
                        known_size = len(known_raw)
                    stamp: Timestamp | None
                    at_start = False
                    if (
                        last is not None
                        and line.startswith(known_raw)
                        and (known_size == s or (known_size < s and line[known_size] not in goes_on))
                    ):
                        stamp = last
                        at_start = True
                    else:
                        # A plain stamp at the start is the one the search finds, and the same text,
                        # unless the character after it could extend it (more digits, any digit, a zone).
                        raw = None
                        matched = False
                        if plain_size and plain_size <= s:
                            # The layout of the last plain stamp (its digits zeroed), then the same
                            # test of the character after it: where the pattern matches that text.
                            head = line[:plain_size]
                            if (
                                head.isascii()
                                and head.encode().translate(zeros) == plain_head
                                and (
                                    plain_size == s
                                    or not (line[plain_size] in goes_on or line[plain_size].isdigit())
                                )
                            ):
                                matched = True
                                raw = head
                        if not matched:
                            m = plain_stamp(line, 0, s)
                            if m is not None:
                                end = m.end()
                                if end == s or not (line[end] in goes_on or line[end].isdigit()):
                                    raw = m.group()
                                    plain_head = raw.encode().translate(zeros)  # ASCII: the pattern's
                                    plain_size = len(raw)
                        if raw is not None:
                            try:
                                parsed = _fromiso(raw)
                            except ValueError:
                                raw = None
                        if raw is None:
                            stamp = timestamp_of(line[:s])
                        else:
                            at_start = True
                            if last is not None and known_raw == raw:
                                stamp = last
                            else:
                                stamp = lined._last_stamp = known = _new(
                                    Timestamp, (raw, parsed, parsed.tzinfo is None, None)
                                )
                                known_raw, known_size = raw, len(raw)
                            zeroed_of, zeroed = stamp, plain_head  # the stamp's text, digits zeroed
                    # The marker, as match_marker finds it.
                    entry: _Entry | None
                    if at_start and s <= _TAIL:
                        if stamp is not zstamp:
                            assert stamp is not None
                            zstamp = stamp
                            head_z = zeroed if stamp is zeroed_of else stamp.raw.encode().translate(_ZEROS)
                            if head_z != zhead:
                                # Stamps of one layout share their look-ups: only another layout looks again.
                                zhead = head_z
                                zsize = len(stamp.raw)
                                by_words = marks.get(zhead) or marks.setdefault(zhead, {})
                        words = line[zsize:s]
                        try:
                            entry = by_words[words]
                        except KeyError:
                            found, span = marker_span(line[:s])
                            entry = None if found is None else _Entry(found)
                            if span is None or span[0] >= zsize:
                                # The words after the stamp alone decide the answer: keep it.
                                if len(by_words) >= _MAX_MARKS:
                                    by_words.clear()
                                if len(marks) >= _MAX_MARKS:
                                    marks.clear()
                                    marks[zhead] = by_words
                                by_words[words] = entry
                    else:
                        found = marker_span(line[:s])[0]
                        entry = None if found is None else _Entry(found)
                    if entry is None:
                        table = unmarked
                        cp = None
                    else:
                        cp = entry.cp
                        table = entry.table  # type: ignore[assignment]
                        if table is None and not held and entry.marker.family in settled:
                            # The family's side is settled for good: its directions can be kept.
                            table = entry.table = tables.setdefault((entry.marker.family, entry.verb), {})
                    if held or table is None:
                        # Frames are held back until the side is known: the resolver's own way.
                        d = Draft(n, body, value)
                        d.exact = True
                        d.timestamp = stamp
                        if entry is not None:
                            d.marker, d.verb, d.charge_point = entry.marker, entry.verb, cp
                        d.version_hint = ctx.version
                        yield from push(d)
                        continue
                    message_id = value[1]
                    if kind == "call" or kind == "send":
                        action = value[2] if len(value) > 2 and type(value[2]) is str else None
                        # Kept per known action (and None); an unknown one is answered like None.
                        answer = table.get(action)
                        if answer is None:
                            sender = sender_of.get(action) if action else None
                            akey = action if action in sender_of else None
                            answer = table.get(akey)
                            if answer is None:
                                state = None if entry is None else roles[entry.marker.family]
                                verb = None if entry is None else entry.verb
                                answer = table[akey] = direction_of(state, verb, action, sender)
                        direction, confidence, source = answer
                        ckey = (cp, message_id)
                        calls[ckey] = (direction, confidence, action, n)
                        calls.move_to_end(ckey)
                        if len(calls) > pending:
                            calls.popitem(last=False)
                    else:
                        action = None
                        try:
                            direction, confidence, source = table[None]
                        except KeyError:
                            state = None if entry is None else roles[entry.marker.family]
                            verb = None if entry is None else entry.verb
                            direction, confidence, source = table[None] = direction_of(
                                state, verb, None, None
                            )
                        if kind in answers:
                            call = calls.pop((cp, message_id), None)
                            if call is not None:
                                call_dir, call_conf, action, call_line = call
                                if direction is unknown and call_dir is not unknown:
                                    direction = reverse[call_dir]
                                    confidence = Confidence.MEDIUM if call_conf in sure else call_conf
                                    source = f"answers the CALL on line {call_line}"
                    yield _new(
                        Decoded,
                        (
                            n,
                            n,
                            kind,
                            body,
                            value,
                            None,
                            stamp,
                            direction,
                            confidence,
                            source,
                            cp,
                            message_id,
                            action,
                            shape,
                            ctx.version,
                        ),
                    )
                    continue
            for draft in drafts:
                marker = draft.marker
                if not held and (
                    marker is None or draft.field_direction is not None or marker.family in settled
                ):
                    yield final(draft)
                else:
                    yield from push(draft)
            opened = lined._open is not None
    except UnicodeError as exc:
        # Only the source raises it: the reader's own encodings are guarded where they are made.
        raise CaptureError(f"capture cannot be decoded: {exc}") from exc
    yield from _finish(lined, resolver)


def _finish(extractor: Extractor, resolver: _Resolver) -> Iterator[CapturedFrame]:
    # What the extractor and the resolver still hold at the end of input.
    for draft in extractor.finish():
        yield from resolver.push(draft)
    yield from resolver.finish()
