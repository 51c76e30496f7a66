"""Text lines of a byte stream, one at a time, and what makes a stream unusable as a log (private).

The caller opens the stream (a file, stdin, an fsspec file); nothing here opens
or names a file. :func:`sniff` reads the first bytes (gzip magic: the rest is
decompressed on the fly; binary data: a NUL byte, many control bytes, a
UTF-16/32 byte-order mark) and :class:`Lines` decodes the text lines one at a
time: a line that is not UTF-8 or longer than :data:`MAX_LINE_BYTES` is noted as
a problem of its line and the rest is still read. Nothing holds the whole input.
The command line and the Dask engine of :mod:`ocpkit.fleet` read through here,
so both see the same lines.
"""

from __future__ import annotations

import gzip
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from typing import IO, Final, Protocol

from ocpkit.errors import CaptureError

__all__ = ["MAX_LINE_BYTES", "Lines", "Prefixed", "ProgressSink", "StreamRefused", "sniff"]

MAX_LINE_BYTES: Final = 16 * 1024 * 1024 + 2
"""Longest line read (bytes); longer lines are skipped and reported."""
_SNIFF: Final = 8192
_KEEP_PROBLEMS: Final = 50
_KEEP_BAD_LINES: Final = 100_000


# Bytes that no text log holds (C0 controls but tab, newline, vertical tab, form feed,
# carriage return and the escape of colour codes; DEL). A sniffed block with more
# than this share of them is binary data.
_CONTROL: Final = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1b") + b"\x7f"
_CONTROL_SHARE: Final = 0.1
_WIDE_BOMS: Final = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class StreamRefused(CaptureError):
    """A stream that cannot be read as a text log; ``reason`` is ``unreadable``, ``binary`` or ``corrupt``."""

    def __init__(self, message: str, reason: str = "unreadable") -> None:
        """Say *message*; *reason* is the one-word kind of the problem."""
        super().__init__(message)
        self.reason = reason


class ProgressSink(Protocol):
    """What :class:`Lines` tells of its progress (the command line's bar; nothing elsewhere)."""

    def update(self, position: int, read: int = 0) -> None:
        """*position*: where the raw stream is; *read*: text bytes read so far."""


class _Silent:
    def update(self, position: int, read: int = 0) -> None:
        return None


def sniff(name: str, raw: IO[bytes]) -> tuple[IO[bytes], bytes, bool]:
    """Read the first bytes of *raw*: (text stream after them, those bytes, whether gzip).

    Raise :class:`StreamRefused` when the stream is not text; *name* is used in the message.
    """
    try:
        head = raw.read(2)
    except OSError as exc:
        raise StreamRefused(f"{name}: cannot read: {exc.strerror or exc}") from None
    if head == b"\x1f\x8b":
        # A gzip stream: decompress on the fly; its first bytes are fed back in through a prefix stream.
        stream: IO[bytes] = gzip.GzipFile(fileobj=Prefixed(head, raw), mode="rb")  # type: ignore[call-overload]
        try:
            first = stream.read(_SNIFF)
        except (OSError, EOFError, zlib.error) as exc:
            raise StreamRefused(f"{name}: truncated or corrupt gzip stream: {exc}", "corrupt") from None
    else:
        stream = raw
        try:
            first = head + raw.read(_SNIFF)
        except OSError as exc:
            raise StreamRefused(f"{name}: cannot read: {exc.strerror or exc}") from None
    _refuse_binary(name, first)
    return stream, first, stream is not raw


def _refuse_binary(name: str, first: bytes) -> None:
    for bom, encoding in _WIDE_BOMS:
        if first.startswith(bom):
            raise StreamRefused(
                f"{name}: {encoding} text, not UTF-8; convert it first (iconv -f {encoding} -t UTF-8)",
                "binary",
            )
    nul = first.find(b"\x00")
    if nul >= 0:
        raise StreamRefused(f"{name}: binary data, not text (a NUL byte at offset {nul})", "binary")
    if first:
        share = (len(first) - len(first.translate(None, _CONTROL))) / len(first)
        if share > _CONTROL_SHARE:
            raise StreamRefused(
                f"{name}: binary data, not text "
                f"({share:.0%} of the first {len(first):,} bytes are control characters)",
                "binary",
            )


class Lines:
    """Text lines of a binary stream, decoded one at a time, with per-line problems noted.

    Lines that are not UTF-8 are decoded with replacement characters and their
    numbers kept in :attr:`bad_lines`; lines over :data:`MAX_LINE_BYTES` are
    drained without being kept and replaced by an empty line.
    """

    def __init__(
        self,
        stream: Prefixed,
        progress: ProgressSink | None = None,
        position: Callable[[], int] | None = None,
    ) -> None:
        self.stream = stream
        self.position = position or (lambda: 0)
        self.progress: ProgressSink = progress or _Silent()
        self.bad_lines: set[int] = set()
        self._bad_order: deque[int] = deque()
        self.problems: list[tuple[int, str]] = []
        self.problem_count = 0
        self.count = 0

    def _problem(self, n: int, message: str) -> None:
        # Counted always, kept only as many as a report lists: a whole file of bad lines stays small.
        self.problem_count += 1
        if len(self.problems) < _KEEP_PROBLEMS:
            self.problems.append((n, message))

    def __iter__(self) -> Iterator[str]:
        stream = self.stream
        readline: Callable[[int], bytes] = stream.readline
        # Once the bytes read ahead are given out, a Prefixed stream only hands on its rest's lines:
        # read them from there, without a call of the Prefixed in between.
        prefixed = isinstance(stream, Prefixed)
        tell = self.position
        n = 0
        nbytes = 0  # bytes read as text (after decompression): a pipe cannot say where it is
        while True:
            chunk = readline(MAX_LINE_BYTES)
            if prefixed and not stream.head:
                readline = stream.rest.readline
                prefixed = False
            if not chunk:
                break
            n += 1
            self.count = n
            nbytes += len(chunk)
            if len(chunk) >= MAX_LINE_BYTES and not chunk.endswith(b"\n"):
                size = len(chunk)
                while True:
                    more = readline(1 << 20)
                    size += len(more)
                    if not more or more.endswith(b"\n"):
                        break
                limit = MAX_LINE_BYTES - 2
                self._problem(n, f"line is {size:,} bytes long, over the {limit:,}-byte limit; skipped")
                chunk = b"\n"
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad_lines.add(n)
                self._bad_order.append(n)
                if len(self._bad_order) > _KEEP_BAD_LINES:
                    # Frames are judged within a bounded distance of their line; older marks can go.
                    self.bad_lines.discard(self._bad_order.popleft())
                bad = chunk[exc.start]
                self._problem(n, f"not valid UTF-8 (byte 0x{bad:02x} at byte {exc.start + 1} of the line)")
                text = chunk.decode("utf-8", "replace")
            if n == 1 and text.startswith("\ufeff"):
                text = text[1:]
            if n & 0x3FF == 0:
                self.progress.update(tell(), nbytes)
            yield text


class Prefixed:
    """A read-only binary stream: some bytes already read, then the rest of another stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = head
        self.rest = rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n < 0:
                data, self.head = self.head + self.rest.read(), b""
                return data
            data, self.head = self.head[:n], self.head[n:]
            if len(data) < n:
                data += self.rest.read(n - len(data))
            return data
        return self.rest.read(n)

    def readline(self, limit: int = -1) -> bytes:
        if self.head:
            cut = self.head.find(b"\n") + 1 or len(self.head)
            if 0 <= limit < cut:
                cut = limit
            data, self.head = self.head[:cut], self.head[cut:]
            if data.endswith(b"\n") or self.head or (0 <= limit <= len(data)):
                return data
            return data + self.rest.readline(-1 if limit < 0 else limit - len(data))
        return self.rest.readline(limit)

    def tell(self) -> int:
        try:
            return self.rest.tell()
        except (OSError, ValueError):
            return 0
