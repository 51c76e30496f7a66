"""``ocpkit validate``: find every OCPP-J frame in captured logs and judge it, with a report per frame.

Theory of operation. Each input (a file, ``-`` for stdin, a gzip file recognised
by its magic bytes, or a directory walked recursively in sorted order) is read as
text lines one at a time (:mod:`ocpkit.cli._inputs`) and handed to
:class:`ocpkit.capture.CaptureReader`; the frames it yields are judged by the
pure fold in :mod:`ocpkit.fleet._fold`, and each verdict is written out at once in
the chosen report format. The summary holds counts only, so memory stays flat
however large the capture.

Problems with an input as a whole (missing, unreadable, binary, a truncated gzip
stream, no frames at all) are one-line messages on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import zlib
from collections.abc import Callable
from typing import IO, Any

from ocpkit.cli._terminal import Progress, Style
from tests.cli.legacy_pipeline.inputs import InputError, Lines, Prefixed, expand, open_input

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add the ``validate`` subcommand and its arguments to the subparsers *sub*."""
    from tests.cli.legacy_pipeline.capture import SHAPES

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
        self.style = Style(out)
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


def run(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes]) -> int:
    """Run ``ocpkit validate`` with parsed *args*; return the exit status."""
    from ocpkit.errors import CaptureError
    from tests.cli.legacy_pipeline.capture import CaptureReader
    from tests.cli.legacy_pipeline.fold import SourceRun, Summary

    version = None if args.ocpp == "auto" else args.ocpp
    failed = False
    try:
        inputs = expand(args.files)
    except InputError as exc:
        err.write(f"ocpkit validate: {exc}\n")
        return 2
    if sum(1 for i in inputs if i.path is None) > 1:
        err.write("ocpkit validate: '-' (stdin) may be given only once\n")
        return 2
    summary = Summary()
    writer = _Writer(args.report, out, args.verbose)
    dir_frames: dict[str, int] = {}
    for item in inputs:
        progress = Progress(err, item.name, None)
        try:
            stream, raw, first, size = open_input(item, stdin)
        except InputError as exc:
            if item.in_directory and "binary data" in str(exc):
                summary.add_problem(item.name, None, "binary file skipped")
                continue
            err.write(f"ocpkit validate: {exc}\n")
            failed = True
            continue
        progress = Progress(err, item.name, size)
        lines = Lines(Prefixed(first, stream), progress, Prefixed(b"", raw).tell)
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
