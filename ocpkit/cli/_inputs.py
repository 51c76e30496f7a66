"""Reading the command line's inputs: files, stdin, gzip streams and directories, line by line.

Theory of operation: each name becomes an :class:`Input` (directories walked in
sorted order); :func:`open_input` opens it and sniffs the first bytes (gzip magic;
binary data: a NUL byte, many control bytes, or a UTF-16/32 byte-order mark), and
:class:`Lines` turns the byte stream into text lines one at a time. A line that is not UTF-8 or longer than
:data:`MAX_LINE_BYTES` is noted as a problem of its line and the rest of the file
is still read; nothing holds the whole input, so memory stays flat.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, NamedTuple

from ocpkit.cli._terminal import Progress

__all__ = [
    "MAX_LINE_BYTES",
    "Input",
    "InputError",
    "Lines",
    "Opened",
    "Prefixed",
    "expand",
    "load_json",
    "open_input",
    "open_source",
]

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


class InputError(Exception):
    """An input cannot be read at all (exit status 2).

    ``reason`` names what is wrong in one word for reports: ``unreadable``,
    ``binary``, ``corrupt`` (a gzip stream that cannot be decompressed).
    """

    def __init__(self, message: str, reason: str = "unreadable") -> None:
        """Say *message*; *reason* is the one-word kind of the problem."""
        super().__init__(message)
        self.reason = reason


@dataclass
class Input:
    name: str
    path: Path | None  # None: stdin
    in_directory: bool = False


def expand(names: Sequence[str]) -> list[Input]:
    """Turn the command-line names into inputs; directories are walked, sorted."""
    out: list[Input] = []
    for name in names:
        if name == "-":
            out.append(Input("-", None))
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not files:
                raise InputError(f"{name}: directory holds no files")
            out.extend(Input(str(p), p, True) for p in files)
        elif path.exists():
            out.append(Input(name, path))
        else:
            raise InputError(f"{name}: no such file or directory")
    return out


class Lines:
    """Text lines of a binary stream, decoded one at a time, with per-line problems noted.

    Lines that are not UTF-8 are decoded with replacement characters and their
    numbers kept in :attr:`bad_lines`; lines over :data:`MAX_LINE_BYTES` are
    drained without being kept and replaced by an empty line.
    """

    def __init__(self, stream: Prefixed, progress: Progress, position: Callable[[], int]) -> None:
        self.stream = stream
        self.position = position
        self.progress = progress
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
        readline = self.stream.readline
        tell = self.position
        n = 0
        nbytes = 0  # bytes read as text (after decompression): a pipe cannot say where it is
        while True:
            chunk = readline(MAX_LINE_BYTES)
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


class Opened(NamedTuple):
    """An opened input: what :func:`open_source` returns."""

    stream: IO[bytes]
    """The text bytes (decompressed for gzip), after :attr:`first`."""
    raw: IO[bytes]
    """The file or stdin itself."""
    first: bytes
    """The first bytes of :attr:`stream`, already read to sniff them."""
    size: int | None
    """The size of the file on disk (None for stdin)."""
    compressed: bool
    """Whether the input is a gzip stream (its size then says nothing of the text's)."""


def open_input(item: Input, stdin: IO[bytes]) -> tuple[IO[bytes], IO[bytes], bytes, int | None]:
    """Open an input: (line stream, underlying raw stream, first bytes already read, size)."""
    opened = open_source(item, stdin)
    return opened.stream, opened.raw, opened.first, opened.size


def open_source(item: Input, stdin: IO[bytes]) -> Opened:
    """Open an input and sniff its first bytes; raise :class:`InputError` when it is not text."""
    try:
        raw: IO[bytes] = stdin if item.path is None else item.path.open("rb")
    except OSError as exc:
        raise InputError(f"{item.name}: cannot open: {exc.strerror or exc}") from None
    try:
        return _sniff(item, raw)
    except InputError:
        if item.path is not None:
            raw.close()
        raise


def _sniff(item: Input, raw: IO[bytes]) -> Opened:
    size = None
    if item.path is not None:
        try:
            size = item.path.stat().st_size
        except OSError:
            size = None
    try:
        head = raw.read(2)
    except OSError as exc:
        raise InputError(f"{item.name}: cannot read: {exc.strerror or exc}") from None
    if head == b"\x1f\x8b":
        # A gzip stream: decompress on the fly; its first bytes are fed back in through a prefix stream.
        stream: IO[bytes] = gzip.GzipFile(fileobj=Prefixed(head, raw), mode="rb")  # type: ignore[call-overload]
        try:
            first = stream.read(_SNIFF)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{item.name}: truncated or corrupt gzip stream: {exc}", "corrupt") from None
    else:
        stream = raw
        try:
            first = head + raw.read(_SNIFF)
        except OSError as exc:
            raise InputError(f"{item.name}: cannot read: {exc.strerror or exc}") from None
    _refuse_binary(item.name, first)
    return Opened(stream, raw, first, size, stream is not raw)


def _refuse_binary(name: str, first: bytes) -> None:
    for bom, encoding in _WIDE_BOMS:
        if first.startswith(bom):
            raise InputError(
                f"{name}: {encoding} text, not UTF-8; convert it first (iconv -f {encoding} -t UTF-8)",
                "binary",
            )
    nul = first.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{name}: binary data, not text (a NUL byte at offset {nul})", "binary")
    if first:
        share = (len(first) - len(first.translate(None, _CONTROL))) / len(first)
        if share > _CONTROL_SHARE:
            raise InputError(
                f"{name}: binary data, not text "
                f"({share:.0%} of the first {len(first):,} bytes are control characters)",
                "binary",
            )


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


def load_json(name: str, exact: bool = False) -> Any:
    """Read one JSON document (an OCPI envelope gives its ``data``); ``exact``: numbers as Decimal."""
    try:
        text = Path(name).read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text, parse_float=Decimal) if exact else json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{name}: not JSON: {exc}") from None
    # An OCPI response envelope: price its data.
    if isinstance(data, dict) and "data" in data and "status_code" in data:
        data = data["data"]
    return data
