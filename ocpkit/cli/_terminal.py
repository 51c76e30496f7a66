"""What the command line shows on a terminal: colours and a progress bar, both off when not a terminal.

Theory of operation: styling and progress are decided once per stream from
``isatty()`` and ``NO_COLOR``; when off they cost a method call that returns its
argument, so reports written to files or pipes carry no escape codes.
"""

from __future__ import annotations

import os
import time
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
    """A one-line progress bar on stderr for long files; silent unless stderr is a terminal."""

    def __init__(self, stream: IO[str], label: str, total: int | None) -> None:
        isatty = getattr(stream, "isatty", None)
        self.on = bool(isatty and isatty()) and total is not None and total >= _PROGRESS_MIN_BYTES
        self.stream = stream
        self.label = label if len(label) <= 40 else "…" + label[-39:]
        self.total = total or 0
        self.last = 0.0

    def update(self, done: int) -> None:
        if not self.on:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        share = min(done / self.total, 1.0) if self.total else 0.0
        bar = "#" * int(share * 30)
        self.stream.write(
            f"\r{self.label} [{bar:<30}] {share:4.0%} {done / 1e6:.1f}/{self.total / 1e6:.1f} MB"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
