"""What the command line shows on a terminal: colours and a progress bar, both off when not a terminal.

Theory of operation: styling and progress are decided once per stream from
``isatty()`` and ``NO_COLOR``; when off they cost a method call that returns its
argument, so reports written to files or pipes carry no escape codes. Progress
knows a total only for a plain file on disk (a bar with its share, shown for long
files); stdin and gzip input, whose length as text is unknown, get a counter of
the bytes read and frames found instead (for gzip, with the share of the
compressed file read).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import IO, Final

__all__ = ["Progress", "Style"]

_PROGRESS_MIN_BYTES: Final = 4 * 1024 * 1024


class Style:
    """ANSI styling, on only for a terminal and when NO_COLOR is not set (https://no-color.org)."""

    def __init__(self, stream: IO[str]) -> None:
        isatty = getattr(stream, "isatty", None)
        self.on = bool(isatty and isatty()) and not os.environ.get("NO_COLOR")

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on else text

    def red(self, text: str) -> str:
        return self(text, "31;1")

    def green(self, text: str) -> str:
        return self(text, "32")

    def yellow(self, text: str) -> str:
        return self(text, "33")

    def dim(self, text: str) -> str:
        return self(text, "2")

    def bold(self, text: str) -> str:
        return self(text, "1")


class Progress:
    """A one-line progress report on stderr; silent unless stderr is a terminal.

    ``total`` is the size of the input on disk (None for stdin); ``compressed``
    says it is a gzip file, whose size is not that of its text. A known total
    shows a bar when it is at least 4 MB. With ``counter``, stdin and gzip input
    show a counter of the text read whatever their size, since a few compressed
    or piped bytes can be a long read. ``frames``, when set, is asked for the
    number of frames found so far.
    """

    def __init__(
        self,
        stream: IO[str],
        label: str,
        total: int | None,
        *,
        compressed: bool = False,
        counter: bool = False,
    ) -> None:
        """Report on *stream* for the input named *label* of size *total* (see the class)."""
        isatty = getattr(stream, "isatty", None)
        tty = bool(isatty and isatty())
        unknown = total is None or compressed
        self.on = tty and ((counter and unknown) or (not compressed and (total or 0) >= _PROGRESS_MIN_BYTES))
        self.stream = stream
        self.label = label if len(label) <= 40 else "…" + label[-39:]
        self.total = total or 0
        self.compressed = compressed
        self.frames: Callable[[], int] | None = None
        self.last = 0.0
        self.shown = False

    def update(self, position: int, read: int = 0) -> None:
        """Show progress: *position* in the file on disk, *read* bytes of text read (throttled)."""
        if not self.on:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        frames = f", {self.frames():,} frames" if self.frames is not None else ""
        if self.total and not self.compressed:
            share = min(position / self.total, 1.0)
            line = f"{self.label} [{'#' * int(share * 30):<30}] {share:4.0%} "
            line += f"{position / 1e6:.1f}/{self.total / 1e6:.1f} MB{frames}"
        elif self.total:
            share = min(position / self.total, 1.0)
            line = f"{self.label} [{'#' * int(share * 30):<30}] {share:4.0%} of {self.total / 1e6:.1f} MB"
            line += f" compressed, {read / 1e6:.1f} MB read{frames}"
        else:
            line = f"{self.label}  {read / 1e6:.1f} MB read{frames}"
        # Erase to the end of the line: the previous report may have been longer.
        self.stream.write(f"\r{line}\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Erase the progress line, if one was shown."""
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False
