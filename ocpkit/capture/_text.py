"""Text-level helpers of the capture reader: timestamps, direction markers, JSON bracket balance.

Theory of operation: a log line is ``<host prefix><frame><suffix>``. The frame
is found by the regex :data:`FRAME_START` (``[`` then a message type id 2..6,
a comma and a double quote) and decoded with ``json.JSONDecoder.raw_decode``.
Everything before it is the *prefix*, which carries the host's timestamp and,
for the hosts we know, a word saying whether the logging side sent or received
the frame (:data:`MARKERS`). Which side wrote the log is a separate question,
answered in ``ocpkit.capture``; here a marker only says "out" or "in" and which
side the host normally is.

:class:`Balance` tracks bracket depth and string state across chunks so that
a frame that is pretty-printed over several lines can be recognised as
complete (or as still open) without decoding it again and again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

__all__ = [
    "ANSI",
    "FRAME_START",
    "FRESH_LINE",
    "MARKERS",
    "OPEN_TAIL",
    "Balance",
    "Marker",
    "Role",
    "Verb",
    "marker_span",
    "match_marker",
    "normalise_version",
    "parse_datetime_text",
    "parse_time_of_day",
    "strip_ansi",
]

Role = Literal["csms", "cp"]
Verb = Literal["out", "in"]

# ECMA-48 CSI sequences (colours, cursor moves) plus two-byte escapes.
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")

# OCPP-J RPC framework: [<MessageTypeId>, "<MessageId>", ...] with ids 2..6
# (5 CALLRESULTERROR and 6 SEND exist from OCPP 2.1 on).
FRAME_START = re.compile(r'\[\s*[2-6]\s*,\s*"')
# A line that ends where a frame might begin: "[", "[2" or "[2," at its end.
OPEN_TAIL = re.compile(r"\[\s*(?:[2-6]\s*(?:,\s*)?)?$")
# The start of a fresh host log line: a continuation never swallows one.
FRESH_LINE = re.compile(
    r"(?:\S+\s+){0,3}?\d{4}[-/]\d{2}[-/]\d{2}[ T\t]\d{2}:\d{2}"
    r"|\[\d{2}:\d{2}:\d{2}"
    r"|(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\b"
    r"|\[(?:TRACE|DEBUG|INFO|WARN|ERROR)"
)

_DATETIME = re.compile(
    r"(?P<y>\d{4})[-/](?P<mo>\d{2})[-/](?P<d>\d{2})[T \t]+"
    r"(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2}(?![\d:]))?"
)
_TIME_OF_DAY = re.compile(r"\[(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})[:.,](?P<f>\d{1,6})\]")


def strip_ansi(text: str) -> str:
    """Remove terminal escape sequences (only scanned when an ESC is present)."""
    return ANSI.sub("", text) if "\x1b" in text else text


def _fraction(digits: str | None) -> int:
    return int((digits or "0")[:6].ljust(6, "0"))


def parse_datetime_text(
    text: str, previous: tuple[str, datetime | None] | None = None
) -> tuple[str, datetime | None] | None:
    """Find the first date-and-time in ``text``: (raw text, datetime or None when impossible).

    A zone (``Z`` or an offset) gives an aware datetime; without one the
    datetime is naive, since host loggers write local time. ``previous`` is
    an earlier result, returned as it is when the text found is the same.
    """
    m = _DATETIME.search(text)
    if m is None:
        return None
    raw = m.group(0)
    if previous is not None and previous[0] == raw:
        return previous
    try:
        # Fast path for the ISO-like layouts most hosts write; the fields below handle the rest.
        return raw, datetime.fromisoformat(raw)
    except ValueError:
        pass
    tz_text = m.group("tz")
    tz: timezone | None = None
    try:
        if tz_text == "Z":
            tz = UTC
        elif tz_text:
            digits = tz_text[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            tz = timezone(-offset if tz_text[0] == "-" else offset)
        value: datetime | None = datetime(
            int(m.group("y")),
            int(m.group("mo")),
            int(m.group("d")),
            int(m.group("h")),
            int(m.group("mi")),
            int(m.group("s")),
            _fraction(m.group("f")),
            tzinfo=tz,
        )
    except ValueError:
        value = None
    return raw, value


def parse_time_of_day(text: str) -> tuple[str, tuple[int, int, int, int]] | None:
    """Find an OCTT-style ``[HH:MM:SS:mmm]`` at the start: (raw, (h, m, s, microseconds))."""
    if text[:1] != "[":
        return None
    m = _TIME_OF_DAY.match(text)
    if m is None:
        return None
    return m.group(0)[1:-1], (
        int(m.group("h")),
        int(m.group("mi")),
        int(m.group("s")),
        _fraction(m.group("f")),
    )


_VERSION = re.compile(r"(?<![\d.])(1\.6|2\.0\.1|2\.1)(?![\d.])")


def normalise_version(text: str) -> str | None:
    """Map "OCPP 2.0.1", "ocpp1.6", "1.6J" ... to "1.6", "2.0.1" or "2.1"."""
    m = _VERSION.search(text)
    return m.group(1) if m else None


@dataclass(frozen=True, slots=True)
class Marker:
    """A host's way of saying that the logging side sent ("out") or received ("in") a frame.

    ``role`` is the side that host normally plays (None: either side);
    ``note`` says in words why, for the direction's explanation.
    """

    family: str
    pattern: re.Pattern[str]
    role: Role | None
    note: str
    needles: tuple[str, ...] = ()


_OUT_WORDS = frozenset(
    {"send", "sent", "sending", "sent json message to", "msg-out", ">>", "outgoing", "tx", "request sent"}
)

# Most specific first; each pattern is searched in the prefix and must end it.
MARKERS: tuple[Marker, ...] = (
    Marker(
        "ocpp-lib@home-assistant",
        re.compile(r"\[(?:[\w.]+\.)?ocpp\] (?P<cp>.*?): (?P<verb>receive message|send)\s*$"),
        "csms",
        "Home Assistant's ocpp integration is a CSMS",
        ("ocpp] ",),
    ),
    Marker(
        "openwb",
        re.compile(
            r"OCPP Client\}? - (?P<cp>.*?): (?P<verb>send|sent|recv|receive message|received|receive)\s*$"
        ),
        "cp",
        "openWB's OCPP client is a charge point",
        ("OCPP Client",),
    ),
    Marker(
        "steve",
        re.compile(
            r"\[chargeBoxId=(?P<cp>[^,\]\s]*)[^\]]*\]\s*(?P<verb>Sending|Sent|Received|Receiving):?\s*$"
        ),
        "csms",
        "SteVe is a CSMS",
        ("chargeBoxId=",),
    ),
    Marker(
        "evcc",
        re.compile(
            r"(?:^|\s)(?P<verb>recv|send|sent|received JSON message from|sent JSON message to)"
            r" (?P<cp>\S+?):\s*$"
        ),
        "csms",
        "evcc is a CSMS",
        ("recv ", "send ", "sent ", "JSON message"),
    ),
    Marker(
        "octt",
        re.compile(r"^\s*\[[\d:.]+\]\s*\[(?P<verb>msg-out|msg-in)\]\s*$"),
        "csms",
        "the test tool plays the CSMS when the system under test is a charging station",
        ("[msg-",),
    ),
    Marker(
        "raw-arrows",
        re.compile(r"RAW (?P<verb>>>|<<)\s*$"),
        "csms",
        "the OCPP-Tester harness is a CSMS",
        ("RAW ",),
    ),
    Marker(
        "ocpp-lib",
        re.compile(
            r"(?:^[A-Z]+:[\w.]+:|\s-\s[A-Z]+\s-\s|(?:^|\s))(?P<cp>\S*?): (?P<verb>receive message|send)\s*$"
        ),
        None,
        "the Python ocpp library logs the same words on both sides",
        ("receive message", "send"),
    ),
    Marker(
        "words",
        re.compile(
            r"(?:^|[\s\[\](){}|:])(?P<verb>send|sent|sending|recv|received|receiving|receive|incoming|outgoing"
            r"|tx|rx|>>|<<|-+>|<-+)(?:\s+(?:message|msg|frame|data|json))?\s*:?\s*$",
            re.IGNORECASE,
        ),
        None,
        "the host is unknown",
    ),
)


# Literal text a marker's line must contain: a cheap test before its regex.
_NEEDLES: tuple[tuple[Marker, tuple[str, ...]], ...] = tuple((m, m.needles) for m in MARKERS)

# Every marker pattern treats the ASCII digits alike (no literal digit, no class holding some
# digits and not others), so whether and where a pattern matches a prefix does not change when
# each digit is replaced by 0: prefixes that differ only in their timestamps and ids share one
# look-up, and the charge-point id is cut from the real prefix at the span found.
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_SEEN: dict[bytes, tuple[Marker, Verb, tuple[int, int] | None] | None] = {}
_MAX_SEEN = 4096


def _find_marker(tail: str) -> tuple[Marker, Verb, tuple[int, int] | None] | None:
    for marker, needles in _NEEDLES:
        if needles:
            # Plain substring tests: cheaper than a regex search or a generator.
            for needle in needles:
                if needle in tail:
                    break
            else:
                continue
        m = marker.pattern.search(tail)
        if m is None:
            continue
        word = m.group("verb").lower()
        verb: Verb = "out" if word in _OUT_WORDS or word.endswith("->") else "in"
        span = m.span("cp") if "cp" in marker.pattern.groupindex else None
        return marker, verb, span
    return None


def match_marker(prefix: str) -> tuple[Marker, Verb, str | None] | None:
    """Return the first marker that ends ``prefix``: (marker, verb, charge-point id or None)."""
    return marker_span(prefix)[0]


def marker_span(prefix: str) -> tuple[tuple[Marker, Verb, str | None] | None, tuple[int, int] | None]:
    """:func:`match_marker`'s answer and where in ``prefix[-300:]`` the charge-point id was cut (or None)."""
    tail = prefix[-300:]
    key = tail.encode("utf-8", "surrogatepass").translate(_ZEROS)  # bytes translate: table lookups
    try:
        found = _SEEN[key]
    except KeyError:
        if len(_SEEN) >= _MAX_SEEN:
            _SEEN.clear()  # bounded: a log of ever-new prefixes only loses the shortcut
        found = _SEEN[key] = _find_marker(tail)
    if found is None:
        return None, None
    marker, verb, span = found
    if span is None:
        return (marker, verb, None), None
    return (marker, verb, tail[span[0] : span[1]].strip() or None), span


_IN_STRING = re.compile(r'[\\"]')
_STRUCTURE = re.compile(r'["\[\]{}]')


class Balance:
    """Bracket depth and string state of JSON text fed in chunks.

    :meth:`feed` returns the index just past the bracket that closes the
    outermost value, or None while it is still open. It does not validate.
    """

    __slots__ = ("depth", "escape", "in_string")

    def __init__(self) -> None:
        """Start outside any value."""
        self.depth = 0
        self.in_string = False
        self.escape = False

    def feed(self, text: str, pos: int = 0) -> int | None:
        """Scan ``text[pos:]``; return the end of the outermost value when it closes there."""
        n = len(text)
        while pos < n:
            if self.in_string:
                if self.escape:
                    self.escape = False
                    pos += 1
                    continue
                m = _IN_STRING.search(text, pos)
                if m is None:
                    return None
                if m.group() == "\\":
                    self.escape = True
                    pos = m.end()
                    continue
                self.in_string = False
                pos = m.end()
                continue
            m = _STRUCTURE.search(text, pos)
            if m is None:
                return None
            ch = m.group()
            pos = m.end()
            if ch == '"':
                self.in_string = True
            elif ch in "[{":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth <= 0:
                    return pos
        return None
