"""The ``ocpkit`` command line: the only part of ocpkit that touches files.

Theory of operation. ``ocpkit validate`` opens each input (a file, ``-`` for
stdin, a gzip file recognised by its magic bytes, or a directory walked
recursively in sorted order), turns its bytes into text lines one at a time
and hands them to :class:`ocpkit.capture.CaptureReader`; the frames it yields
are judged by the pure fold in :mod:`ocpkit.cli._fold` and each verdict is
written out at once. Nothing holds the whole input: lines longer than
:data:`MAX_LINE_BYTES` are skipped (and reported) without being kept, and the
summary holds counts only, so memory stays flat however large the capture.

Decoding is per line: a line that is not UTF-8 is reported (a frame on it
fails) and the rest of the file is still read. Problems with an input as a
whole (missing, unreadable, binary, a truncated gzip stream, no frames at all)
are one-line messages on stderr and exit status 2, never a traceback.

Exit status: 0 every frame valid, 1 some frame broke a rule, 2 usage error or
unreadable input. ``ocpkit price`` prices a CDR with a tariff and prints the
breakdown; ``ocpkit schema export`` writes the generated JSON Schemas.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from ocpkit._version import __version__
from ocpkit.errors import OcpkitError

__all__ = ["MAX_LINE_BYTES", "main"]

MAX_LINE_BYTES: Final = 16 * 1024 * 1024 + 2
"""Longest line read (bytes); longer lines are skipped and reported."""
_PROGRESS_MIN_BYTES: Final = 4 * 1024 * 1024
_SNIFF: Final = 8192
_KEEP_PROBLEMS: Final = 50
_KEEP_BAD_LINES: Final = 100_000


class _InputError(Exception):
    """An input cannot be read at all (exit status 2)."""


# ====================================================================== output helpers


class _Style:
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


class _Progress:
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


# ====================================================================== reading inputs


@dataclass
class _Input:
    name: str
    path: Path | None  # None: stdin
    in_directory: bool = False


def _expand(names: Sequence[str]) -> list[_Input]:
    """Turn the command-line names into inputs; directories are walked, sorted."""
    out: list[_Input] = []
    for name in names:
        if name == "-":
            out.append(_Input("-", None))
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not files:
                raise _InputError(f"{name}: directory holds no files")
            out.extend(_Input(str(p), p, True) for p in files)
        elif path.exists():
            out.append(_Input(name, path))
        else:
            raise _InputError(f"{name}: no such file or directory")
    return out


class _Lines:
    """Text lines of a binary stream, decoded one at a time, with per-line problems noted.

    Lines that are not UTF-8 are decoded with replacement characters and their
    numbers kept in :attr:`bad_lines`; lines over :data:`MAX_LINE_BYTES` are
    drained without being kept and replaced by an empty line.
    """

    def __init__(self, stream: _Prefixed, progress: _Progress, position: Callable[[], int]) -> None:
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
        while True:
            chunk = readline(MAX_LINE_BYTES)
            if not chunk:
                break
            n += 1
            self.count = n
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
                self.progress.update(tell())
            yield text


def _open(item: _Input, stdin: IO[bytes]) -> tuple[IO[bytes], IO[bytes], bytes, int | None]:
    """Open an input: (line stream, underlying raw stream, first bytes already read, size)."""
    try:
        raw: IO[bytes] = stdin if item.path is None else item.path.open("rb")
    except OSError as exc:
        raise _InputError(f"{item.name}: cannot open: {exc.strerror or exc}") from None
    try:
        return _sniff(item, raw)
    except _InputError:
        if item.path is not None:
            raw.close()
        raise


def _sniff(item: _Input, raw: IO[bytes]) -> tuple[IO[bytes], IO[bytes], bytes, int | None]:
    size = None
    if item.path is not None:
        try:
            size = item.path.stat().st_size
        except OSError:
            size = None
    try:
        head = raw.read(2)
    except OSError as exc:
        raise _InputError(f"{item.name}: cannot read: {exc.strerror or exc}") from None
    if head == b"\x1f\x8b":
        # A gzip stream: decompress on the fly; its first bytes are fed back in through a prefix stream.
        stream: IO[bytes] = gzip.GzipFile(fileobj=_Prefixed(head, raw), mode="rb")  # type: ignore[call-overload]
        try:
            first = stream.read(_SNIFF)
        except (OSError, EOFError, zlib.error) as exc:
            raise _InputError(f"{item.name}: truncated or corrupt gzip stream: {exc}") from None
    else:
        stream = raw
        try:
            first = head + raw.read(_SNIFF)
        except OSError as exc:
            raise _InputError(f"{item.name}: cannot read: {exc.strerror or exc}") from None
    if b"\x00" in first:
        raise _InputError(f"{item.name}: binary data (NUL bytes), not a text capture")
    return stream, raw, first, size


class _Prefixed:
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


# ====================================================================== validate


def _encoder() -> Callable[[Any], str]:
    try:
        import orjson
    except ImportError:
        return lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    dumps = orjson.dumps
    return lambda obj: dumps(obj).decode()


class _Writer:
    """Writes records as they come, in one of the three report formats."""

    def __init__(self, fmt: str, out: IO[str], verbose: bool) -> None:
        self.fmt = fmt
        self.out = out
        self.verbose = verbose
        self.style = _Style(out)
        self.encode = _encoder()
        self.first = True
        self.shown = 0
        fancy = "utf" in (getattr(out, "encoding", None) or "utf-8").lower()
        self.cross, self.tick, self.warn = ("✗", "✓", "!") if fancy else ("x", "+", "!")
        if fmt == "json":
            out.write('{"frames": [')

    def record(self, rec: Any) -> None:
        if self.fmt == "jsonl":
            self.out.write(self.encode(rec.as_json()) + "\n")  # one write per record
        elif self.fmt == "json":
            self.out.write("\n  " if self.first else ",\n  ")
            self.first = False
            self.out.write(self.encode(rec.as_json()))
        elif not rec.ok or self.verbose or rec.violations:
            self._text(rec)

    def _text(self, rec: Any) -> None:
        s = self.style
        self.shown += 1
        cp = rec.charge_point if rec.charge_point is not None else "?"
        flow = {"cp->csms": f"{cp} → CSMS", "csms->cp": f"CSMS → {cp}"}.get(rec.direction, f"{cp} ?")
        what = rec.kind.upper() + (f" {rec.action}" if rec.action else "")
        if rec.kind in ("callresult", "callerror") and rec.action:
            what = f"{rec.kind.upper()} to {rec.action}"
        stamp = f"  {rec.timestamp}" if rec.timestamp else ""
        head = f"{rec.source}:{rec.line}"
        self.out.write(f"{s.bold(head)}  {flow}  {s.bold(what)}{s.dim(stamp)}\n")
        for i, v in enumerate(rec.violations):
            if i in rec.tolerated:
                mark = s.yellow(self.warn)
                tail = s.dim(f"({v.keyword}, tolerated)")
            else:
                mark = s.red(self.cross)
                tail = s.dim(f"({v.keyword}, {v.code})" if v.code else f"({v.keyword})")
            self.out.write(f"  {mark} {v.path or '/'}: {v.message}  {tail}\n")
        if rec.ok and not rec.violations:
            self.out.write(f"  {s.green(self.tick)} valid\n")
        for note in rec.notes:
            self.out.write(f"  {s.dim('· ' + note)}\n")

    def summary(self, data: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.out.write(self.encode(data) + "\n")
        elif self.fmt == "json":
            self.out.write("\n], " if not self.first else "], ")
            self.out.write('"summary": ' + json.dumps(data, ensure_ascii=False, indent=2) + "}\n")
        else:
            self._text_summary(data)
        self.out.flush()

    def _text_summary(self, d: dict[str, Any]) -> None:
        s = self.style

        def row(label: str, text: str) -> None:
            self.out.write(f"  {label:<12}{text}\n")

        self.out.write("\n" + s.bold("Summary") + "\n")
        srcs = d["sources"]
        if len(srcs) == 1:
            x = srcs[0]
            row("read", f"{x['source']}: {x['lines']} lines, {x['shape']} layout ({x['shape_confidence']})")
        elif srcs:
            total = sum(x["lines"] for x in srcs)
            row("read", f"{d['sources_total']} sources, {total} lines")
        kinds = ", ".join(f"{n} {k}" for k, n in d["by_kind"].items())
        verdict = s.green("all valid") if d["invalid"] == 0 else s.red(f"{d['invalid']} invalid")
        row("frames", f"{d['frames']} ({kinds}): {d['valid']} valid, {verdict}")
        if d["tolerated_violations"]:
            row("tolerated", f"{d['tolerated_violations']} violation(s) that --lenient repairs")
        for v in d["versions"][:20]:
            cp = v["charge_point"] if v["charge_point"] is not None else "(no charge-point id)"
            row("version", f"{cp}: OCPP {v['version']} ({v['confidence']} confidence)")
            self.out.write(s.dim(f"              {'; '.join(v['reasons'])}") + "\n")
            if "later_evidence" in v:
                self.out.write(f"              {s.yellow(v['later_evidence'])}\n")
        if d["by_code"]:
            row("by code", ", ".join(f"{c} {n}" for c, n in d["by_code"].items()))
        bad = sorted(
            ((a, x) for a, x in d["by_action"].items() if x["invalid"]), key=lambda i: -i[1]["invalid"]
        )
        if bad:
            row("by action", ", ".join(f"{a} {x['invalid']} of {x['frames']}" for a, x in bad[:20]))
        cps = d["by_charge_point"]
        if len(cps) > 1 or any(x["invalid"] for x in cps.values()):
            parts = [f"{cp} {x['invalid']} of {x['frames']}" for cp, x in list(cps.items())[:20]]
            row("by charger", ", ".join(parts) + " invalid")
        if d["unanswered_calls"]:
            row("unanswered", s.yellow(f"{d['unanswered_calls']} CALL(s) got no answer in the capture"))
            for u in sorted(d["unanswered_listed"], key=lambda u: (u["source"], u["line"]))[:10]:
                cp = u["charge_point"] or "?"
                self.out.write(
                    f"              {u['source']}:{u['line']}  {cp}  {u['action'] or '?'}"
                    f"  id {u['message_id']}\n"
                )
        if d["findings_total"]:
            counts = ", ".join(f"{k.split(':', 1)[1]} {n}" for k, n in list(d["findings"].items())[:8])
            row(
                "findings", s.yellow(f"{d['findings_total']} from following the conversation") + f": {counts}"
            )
            shown = sorted(
                d["findings_listed"], key=lambda f: (f["severity"] != "error", f["severity"] != "warning")
            )
            for f in shown[:8]:
                where = f"{f['source']}:{f['line']}" if f["line"] is not None else f["source"]
                about = f" ({f['subject']})" if f["subject"] else ""
                self.out.write(
                    f"              {where}  {f['severity']}  {f['code']}{about}: {f['message']}\n"
                )
        if d["unpaired_results"]:
            row(
                "unpaired",
                f"{d['unpaired_results']} result(s) answer a CALL not in the capture (payload not checked)",
            )
        if d["input_problems_total"]:
            row("input", s.yellow(f"{d['input_problems_total']} problem(s) reading the input"))
            for p in d["input_problems"][:10]:
                where = f"{p['source']}:{p['line']}" if p["line"] else p["source"]
                self.out.write(f"              {where}  {p['message']}\n")
        if d["invalid"] == 0:
            self.out.write(f"  {s.green('no violations found')}\n")


def _validate(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes]) -> int:
    from ocpkit.cli._fold import SourceRun, Summary
    from ocpkit.capture import CaptureReader
    from ocpkit.errors import CaptureError

    version = None if args.ocpp == "auto" else args.ocpp
    failed = False
    try:
        inputs = _expand(args.files)
    except _InputError as exc:
        err.write(f"ocpkit validate: {exc}\n")
        return 2
    if sum(1 for i in inputs if i.path is None) > 1:
        err.write("ocpkit validate: '-' (stdin) may be given only once\n")
        return 2
    summary = Summary()
    writer = _Writer(args.report, out, args.verbose)
    dir_frames: dict[str, int] = {}
    for item in inputs:
        progress = _Progress(err, item.name, None)
        try:
            stream, raw, first, size = _open(item, stdin)
        except _InputError as exc:
            if item.in_directory and "binary data" in str(exc):
                summary.add_problem(item.name, None, "binary file skipped")
                continue
            err.write(f"ocpkit validate: {exc}\n")
            failed = True
            continue
        progress = _Progress(err, item.name, size)
        lines = _Lines(_Prefixed(first, stream), progress, _Prefixed(b"", raw).tell)
        reader = CaptureReader(lines, shape=args.shape)
        run = SourceRun(
            item.name,
            summary,
            version=version,
            lenient=args.lenient,
            bad_lines=lines.bad_lines,
            hints=lambda reader=reader: reader.hints,  # type: ignore[misc]
        )
        frames = 0
        record = writer.record
        try:
            for frame in reader:
                frames += 1
                for rec in run.feed(frame):
                    record(rec)
            for rec in run.finish():
                record(rec)
        except (OSError, EOFError, zlib.error) as exc:
            if isinstance(exc, BrokenPipeError):
                raise  # our reader went away, not our input
            progress.close()
            for rec in run.finish():
                writer.record(rec)
            what = "truncated or corrupt gzip stream" if isinstance(exc, EOFError | zlib.error) else exc
            err.write(f"ocpkit validate: {item.name}: read failed after {frames} frame(s): {what}\n")
            failed = True
            continue
        except CaptureError as exc:
            progress.close()
            err.write(f"ocpkit validate: {item.name}: {exc}\n")
            failed = True
            continue
        finally:
            progress.close()
            if item.path is not None:
                raw.close()
        for n, message in lines.problems:
            summary.add_problem(item.name, n, message)
        summary.problems_total += lines.problem_count - len(lines.problems)
        guess = reader.shape_guess
        if guess is not None:
            summary.add_source(
                {
                    "source": item.name,
                    "shape": guess.shape,
                    "shape_confidence": str(guess.confidence),
                    "shape_reason": guess.reason,
                    "lines": lines.count,
                    "frames": frames,
                }
            )
        if item.in_directory:
            top = next(
                a
                for a in args.files
                if item.name.startswith(a.rstrip("/") + os.sep) or item.name.startswith(a)
            )
            dir_frames[top] = dir_frames.get(top, 0) + frames
        elif frames == 0:
            why = "empty file" if lines.count == 0 else f"no OCPP-J frame in {lines.count} line(s)"
            err.write(f"ocpkit validate: {item.name}: {why}\n")
            failed = True
    for top, count in dir_frames.items():
        if count == 0:
            err.write(f"ocpkit validate: {top}: no OCPP-J frame in any file of the directory\n")
            failed = True
    code = 2 if failed else (1 if summary.invalid else 0)
    writer.summary(summary.as_json(code))
    return code


# ====================================================================== price


def _load_json(name: str) -> Any:
    try:
        text = Path(name).read_bytes()
    except OSError as exc:
        raise _InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _InputError(f"{name}: not JSON: {exc}") from None
    # An OCPI response envelope: price its data.
    if isinstance(data, dict) and "data" in data and "status_code" in data:
        data = data["data"]
    return data


def _price(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from ocpkit.tariffs import price

    try:
        tariff = _load_json(args.tariff)
        cdr = _load_json(args.cdr)
    except _InputError as exc:
        err.write(f"ocpkit price: {exc}\n")
        return 2
    try:
        result = price(tariff, cdr, version=args.ocpi, tz=args.tz)
    except OcpkitError as exc:
        err.write(f"ocpkit price: {exc}\n")
        return 2
    if args.report == "json":
        fields = result.as_cdr_fields()
        body = {
            "version": result.version,
            "currency": result.currency,
            "tariff_id": result.tariff_id,
            "time_zone": result.time_zone,
            **fields,
            "lines": [
                {
                    "period": ln.period,
                    "start": ln.start.isoformat(),
                    "end": ln.end.isoformat(),
                    "dimension": ln.dimension,
                    "reservation": ln.reservation,
                    "unit_price": ln.unit_price,
                    "volume": ln.volume,
                    "billed_volume": ln.billed_volume,
                    "cost_excl_vat": ln.cost.excl_vat,
                    "cost_incl_vat": ln.cost.incl_vat,
                }
                for ln in result.lines
            ],
            "warnings": list(result.warnings),
        }
        out.write(json.dumps(body, indent=2, default=str) + "\n")
        return 0
    s = _Style(out)
    w = out.write
    w(
        f"{s.bold('Tariff')} {result.tariff_id or '-'}  OCPI {result.version}  {result.currency}"
        f"  time zone {result.time_zone}\n\n"
    )
    header = (
        f"  {'period':<27} {'dimension':<14} {'volume':>10} {'billed':>10}"
        f" {'unit price':>11} {'excl. VAT':>11} {'incl. VAT':>11}\n"
    )
    w(s.dim(header))
    for ln in result.lines:
        when = f"{ln.start:%Y-%m-%d %H:%M}–{ln.end:%H:%M}"
        dim = ln.dimension + (" (resv.)" if ln.reservation else "")
        incl = "" if ln.cost.incl_vat is None else f"{ln.cost.incl_vat}"
        w(
            f"  {when:<27} {dim:<14} {ln.volume.normalize():>10f} {ln.billed_volume.normalize():>10f}"
            f" {ln.unit_price:>11} {ln.cost.excl_vat:>11} {incl:>11}\n"
        )
    w("\n")
    for name, label in (
        ("total_fixed_cost", "fixed"),
        ("total_energy_cost", f"energy ({result.total_energy} kWh, billed {result.billed_energy})"),
        ("total_time_cost", f"time ({result.total_time} h, billed {result.billed_time})"),
        (
            "total_parking_cost",
            f"parking ({result.total_parking_time} h, billed {result.billed_parking_time})",
        ),
        ("total_reservation_cost", "reservation"),
        ("price_limit_adjustment", "min/max price adjustment"),
        ("total_cost", "total"),
    ):
        p = getattr(result, name)
        if name == "price_limit_adjustment" and not p.excl_vat:
            continue
        incl = "" if p.incl_vat is None else f"  incl. VAT {p.incl_vat}"
        line = f"  {label:<44} {p.excl_vat!s:>12} excl. VAT{incl}\n"
        w(s.bold(line) if name == "total_cost" else line)
    for warning in result.warnings:
        w(s.yellow(f"  warning: {warning}") + "\n")
    return 0


# ====================================================================== schema export


def _schema_export(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from importlib import resources

    target = Path(args.dir)
    root = resources.files("ocpkit").joinpath("_schemas")
    written = 0
    try:
        target.mkdir(parents=True, exist_ok=True)
        stack = [(root, target)]
        while stack:
            folder, dest = stack.pop()
            for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                if entry.is_dir():
                    (dest / entry.name).mkdir(exist_ok=True)
                    stack.append((entry, dest / entry.name))
                elif entry.name.endswith(".json"):
                    (dest / entry.name).write_bytes(entry.read_bytes())
                    written += 1
    except OSError as exc:
        err.write(f"ocpkit schema export: {args.dir}: {exc.strerror or exc}\n")
        return 2
    out.write(f"wrote {written} JSON Schemas to {target}\n")
    return 0


# ====================================================================== argument parsing


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() returns the status."""

    def error(self, message: str) -> Any:
        raise _UsageError(f"{self.format_usage()}{self.prog}: error: {message}")


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    from ocpkit.capture import SHAPES

    p = _Parser(
        prog="ocpkit",
        description="OCPP and OCPI tools: validate captured traffic, price CDRs, export schemas.",
    )
    p.add_argument("--version", action="version", version=f"ocpkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    v = sub.add_parser(
        "validate",
        help="validate OCPP-J frames in captured logs",
        description="Find every OCPP-J frame in logs (files, '-' for stdin, .gz, directories) and judge it.",
        epilog="exit status: 0 every frame valid, 1 violations found, 2 usage error or unreadable input",
    )
    v.add_argument("files", nargs="+", metavar="FILE", help="capture file, directory, or - for stdin")
    v.add_argument(
        "--ocpp",
        choices=["1.6", "2.0.1", "2.1", "auto"],
        default="auto",
        help="OCPP version (default: guess per charge point)",
    )
    v.add_argument(
        "--report", choices=["text", "json", "jsonl"], default="text", help="output format (default: text)"
    )
    v.add_argument(
        "--lenient",
        action="store_true",
        help="tolerate what lenient validation repairs "
        "(naive date-times, numbers as strings, unknown properties)",
    )
    v.add_argument("--shape", choices=list(SHAPES), help="log layout (default: detected)")
    v.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="text report: list every frame, not only the invalid ones",
    )
    pr = sub.add_parser(
        "price",
        help="price an OCPI CDR with a tariff",
        description="Price an OCPI CDR (or Session) with a Tariff and print the breakdown.",
    )
    pr.add_argument(
        "tariff", metavar="TARIFF", help="JSON file: a Tariff, a list of Tariffs, or a response envelope"
    )
    pr.add_argument("cdr", metavar="CDR", help="JSON file: a CDR or Session")
    pr.add_argument(
        "--ocpi", choices=["2.1.1", "2.2.1", "2.3.0"], default="2.2.1", help="OCPI version (default: 2.2.1)"
    )
    pr.add_argument("--tz", metavar="ZONE", help="IANA time zone of the location when the CDR names none")
    pr.add_argument("--report", choices=["text", "json"], default="text", help="output format")
    sc = sub.add_parser("schema", help="JSON Schemas", description="Work with the generated JSON Schemas.")
    scs = sc.add_subparsers(dest="schema_command", required=True, parser_class=_Parser)
    ex = scs.add_parser("export", help="write every generated JSON Schema (OCPP and OCPI) into DIR")
    ex.add_argument("dir", metavar="DIR")
    return p


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    stdin: IO[bytes] | None = None,
) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``) and return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as exc:
        err.write(f"{exc}\n")
        return 2
    except SystemExit as exc:  # --help and --version print and stop
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    try:
        if args.command == "validate":
            return _validate(args, out, err, stdin if stdin is not None else sys.stdin.buffer)
        if args.command == "price":
            return _price(args, out, err)
        return _schema_export(args, out, err)
    except KeyboardInterrupt:
        err.write("ocpkit: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (| head): stop quietly, and keep the
        # interpreter's final flush of stdout from complaining (Python docs, "Note on SIGPIPE").
        if out is sys.stdout:
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
        return 1
    except MemoryError:
        err.write("ocpkit: out of memory\n")
        return 2
    except Exception as exc:  # a bug in ocpkit: say so in one line, never a traceback
        err.write(f"ocpkit: internal error: {type(exc).__name__}: {exc}\n")
        if os.environ.get("OCPKIT_DEBUG"):
            raise
        return 2
