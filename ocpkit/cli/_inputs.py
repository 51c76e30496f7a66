"""Reading the command line's inputs: files, stdin, gzip streams and directories, line by line.

Theory of operation: each name becomes an :class:`Input` (directories walked in
sorted order); :func:`open_input` opens it and sniffs the first bytes (gzip magic;
binary data: a NUL byte, many control bytes, or a UTF-16/32 byte-order mark), and
:class:`Lines` turns the byte stream into text lines one at a time. A line that is not UTF-8 or longer than
:data:`MAX_LINE_BYTES` is noted as a problem of its line and the rest of the file
is still read; nothing holds the whole input, so memory stays flat.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple

from ocpkit.capture._lines import MAX_LINE_BYTES, Lines, Prefixed, StreamRefused, sniff

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
        stream, first, compressed = sniff(item.name, raw)
    except StreamRefused as exc:
        raise InputError(str(exc), exc.reason) from None
    return Opened(stream, raw, first, size, compressed)


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
