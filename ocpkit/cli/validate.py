"""``ocpkit validate``: find every OCPP-J frame in captured logs and judge it, with a report per frame.

Theory of operation. Each input (a file, ``-`` for stdin, a gzip file recognised
by its magic bytes, or a directory walked recursively in sorted order) is read as
text lines one at a time (:mod:`ocpkit.cli._inputs`) and handed to
:class:`ocpkit.capture.CaptureReader`; the frames it yields are judged by the
pure fold in :mod:`ocpkit.fleet._fold`, and each verdict is written out at once in
the chosen report format. The summary holds counts only, so memory stays flat
however large the capture.

Problems with an input as a whole (unreadable, empty, binary, a truncated gzip
stream, no frames at all) are one-line messages on stderr naming the input; the
other inputs are still validated, the summary lists the inputs it could not
validate (``failed_inputs``) and the exit status is 2, whatever the verdicts on
the others (like grep, an error outranks a finding). A name that does not exist
is a usage error: nothing is validated. The text report writes nothing on stdout
when no input could be validated; the json and jsonl reports still end with
their summary, whose ``verdict`` is then ``null``.

The summary is bounded: its lists (versions, findings, unanswered calls,
sources, input problems, failed inputs, version hints) hold at most the bounds
the fold sets (stated in the summary's ``limits``), each with ``<list>_total``
and ``<list>_omitted`` beside it; the text report shows fewer entries and ends
each cut list with "… and N more".

With ``--ocpp`` given, the version evidence is still collected; a charge point
whose frames point to another version with high or medium confidence gets a
hint on stderr and in the summary (``version_hints``); verdicts stay under the
version given.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import zlib
from collections.abc import Callable, Sequence
from typing import IO, Any

from ocpkit.cli._inputs import InputError, Lines, Prefixed, expand, open_source
from ocpkit.cli._terminal import Progress, Style

__all__ = ["LENIENT_REPAIRS", "add_parser", "run"]

_BATCH = 256  # jsonl records written at once (a bigger batch holds more memory, saves no time)
_JUDGED_TOGETHER = 256  # frames judged together, one stage at a time (each stage stays warm)
_SHOWN = 20  # entries of a list the text report shows
_SHOWN_LINES = 10  # listed unanswered calls and input problems the text report shows
_SHOWN_FINDINGS = 8
_HINTS_ON_STDERR = 5

LENIENT_REPAIRS = (
    "a date-time without a UTC offset (read as UTC), with a +hhmm offset or a space instead of T",
    "a number or boolean sent as a string",
    "a number or a JSON object or array where a string is wanted",
    "a property the schema does not allow",
)
"""What ``--lenient`` tolerates: the repairs of lenient validation
(:func:`ocpkit.ocpp.validate_payload` with ``lenient=True``), in the words of
``--help`` and the how-to."""


def add_parser(sub: Any) -> None:
    """Add the ``validate`` subcommand and its arguments to the subparsers *sub*."""
    from ocpkit.capture import SHAPES

    v = sub.add_parser(
        "validate",
        help="validate OCPP-J frames in captured logs",
        description="Find every OCPP-J frame in logs (files, '-' for stdin, .gz, directories) and judge it.",
        epilog="exit status: 0 every frame valid, 1 violations found, 2 usage error or an input that "
        "could not be validated (missing, unreadable, empty, binary, no frames); 2 wins over 1, and the "
        "other inputs are still validated and reported",
    )
    v.add_argument("files", nargs="*", metavar="FILE", help="capture file, directory, or - for stdin")
    v.add_argument(
        "--ocpp",
        choices=["1.6", "2.0.1", "2.1", "auto"],
        default="auto",
        help="OCPP version (default: guess per charge point)",
    )
    v.add_argument(
        "--report",
        action=_ReportAction,
        nargs="+",
        metavar=("FORMAT", "DIR"),
        default="text",
        help="output format: text (default), json, jsonl, or parquet DIR (records/ and summaries/ "
        "Parquet datasets written under DIR; the fleet extra)",
    )
    v.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="local (default): this process; dask: a Dask cluster (the fleet extra), the same records",
    )
    v.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the scheduler to use (default: a local cluster on 127.0.0.1)",
    )
    v.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="with --engine dask and no --scheduler: worker processes of the local cluster (default: 2)",
    )
    v.add_argument(
        "--scratch",
        metavar="URL",
        help="with --engine dask: a directory every worker can read and write, where the extracted frames "
        "wait for their fold (default: a temporary directory here, which serves a local cluster)",
    )
    v.add_argument(
        "--lenient",
        action="store_true",
        help="count a CALL or CALLRESULT as valid when its only violations are ones lenient validation "
        "repairs: " + "; ".join(LENIENT_REPAIRS) + ". They are still listed, marked tolerated; every other "
        "violation (an unknown enum value, a missing property, a string too long, ...) still fails the "
        "frame. Conversation and state-machine findings are the same with or without it",
    )
    v.add_argument(
        "--rules",
        choices=["schema", "spec"],
        default="spec",
        help="spec (default): schema verdicts plus findings of the rules the OCPP texts state and the "
        "schemas do not; schema: schema verdicts only",
    )
    v.add_argument("--shape", choices=list(SHAPES), help="log layout (default: detected)")
    v.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="text report: list every frame, not only the invalid ones",
    )
    v.set_defaults(usage=v.format_usage())


REPORTS = ("text", "json", "jsonl", "parquet")


class _ReportAction(argparse.Action):
    """``--report FORMAT`` or ``--report parquet DIR``; names after them are inputs."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Any = None
    ) -> None:
        fmt, *rest = values
        if fmt not in REPORTS:
            parser.error(f"argument --report: invalid choice: {fmt!r} (choose from {', '.join(REPORTS)})")
        if fmt == "parquet":
            if not rest:
                parser.error("argument --report: parquet needs a directory: --report parquet DIR")
            namespace.report_dir = rest.pop(0)
        namespace.report = fmt
        namespace.more_files = [*getattr(namespace, "more_files", []), *rest]


def _encoder() -> Callable[[Any], str]:
    try:
        import orjson
    except ImportError:
        return lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    dumps = orjson.dumps
    return lambda obj: dumps(obj).decode()


def _line_encoder() -> Callable[[Any], bytes]:
    """A jsonl line as UTF-8 bytes with its newline: a batch is decoded once, not each record."""
    try:
        import orjson
    except ImportError:
        encode = _encoder()  # the standard library's, with the same settings as the other reports
        return lambda obj: (encode(obj) + "\n").encode()
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    return lambda obj: dumps(obj, option=newline)


def _utf8_buffer(out: IO[str]) -> IO[bytes] | None:
    """The binary stream under *out* when the bytes of UTF-8 text can go there as they are, else None.

    That is a UTF-8 text stream that writes a newline as one (os.linesep is "\\n");
    records written there skip the text layer's decoding and encoding.
    """
    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if buffer is None or not isinstance(encoding, str) or os.linesep != "\n":
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    return buffer if name == "utf-8" else None


class _Writer:
    """Writes records as they come, in one of the three report formats."""

    def __init__(self, fmt: str, out: IO[str], verbose: bool) -> None:
        self.fmt = fmt
        self.out = out
        self.verbose = verbose
        self.style = Style(out)
        self.encode = _encoder()
        self.line = _line_encoder()
        self.batch: list[bytes] = []
        self.raw = _utf8_buffer(out)
        self.first = True
        self.shown = 0
        fancy = "utf" in (getattr(out, "encoding", None) or "utf-8").lower()
        self.cross, self.tick, self.warn = ("✗", "✓", "!") if fancy else ("x", "+", "!")
        if fmt == "json":
            out.write('{"frames": [')

    def record(self, rec: Any) -> None:
        if self.fmt == "jsonl":
            # Written in batches: one write per record would cost as much as judging it.
            batch = self.batch
            batch.append(self.line(rec.as_json()))
            if len(batch) >= _BATCH:
                self.flush()
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

    def flush(self) -> None:
        """Write the jsonl records still held."""
        if self.batch:
            data = b"".join(self.batch)
            self.batch.clear()
            if self.raw is not None:
                self.out.flush()  # what the text layer holds goes first
                self.raw.write(data)
            else:
                self.out.write(data.decode())

    def summary(self, data: dict[str, Any]) -> None:
        self.flush()
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
        write = self.out.write

        def row(label: str, text: str) -> None:
            write(f"  {label:<12}{text}\n")

        def more(shown: int, total: int, what: str = "") -> str:
            # Every cut list says how much it leaves out.
            return f" … and {total - shown} more{what}" if total > shown else ""

        def indent(text: str) -> None:
            write(f"              {text}\n")

        write("\n" + s.bold("Summary") + "\n")
        srcs = d["sources"]
        if d["sources_total"] == 1 and srcs:
            x = srcs[0]
            row("read", f"{x['source']}: {x['lines']} lines, {x['shape']} layout ({x['shape_confidence']})")
        elif srcs:
            total = sum(x["lines"] for x in srcs)
            lines = (
                f"{total} lines" if not d["sources_omitted"] else f"{total} lines in the first {len(srcs)}"
            )
            row("read", f"{d['sources_total']} sources, {lines}")
        failed = d["failed_inputs_total"]
        if failed:
            row("not read", s.red(f"{failed} input{'s' if failed != 1 else ''} not validated"))
            for f in d["failed_inputs"][:_SHOWN_LINES]:
                indent(f"{f['source']}  {f['message']}")
            if failed > _SHOWN_LINES:
                indent(more(_SHOWN_LINES, failed).strip())
        kinds = ", ".join(f"{n} {k}" for k, n in d["by_kind"].items())
        if d["invalid"]:
            verdict = s.red(f"{d['invalid']} invalid")
        elif failed:
            verdict = "none invalid in the inputs validated"
        else:
            verdict = s.green("all valid")
        row("frames", f"{d['frames']} ({kinds}): {d['valid']} valid, {verdict}")
        if d["tolerated_violations"]:
            row("tolerated", f"{d['tolerated_violations']} violation(s) that --lenient repairs")
        for v in d["versions"][:_SHOWN]:
            cp = v["charge_point"] if v["charge_point"] is not None else "(no charge-point id)"
            row("version", f"{cp}: OCPP {v['version']} ({v['confidence']} confidence)")
            write(s.dim(f"              {'; '.join(v['reasons'])}") + "\n")
            if "later_evidence" in v:
                indent(s.yellow(v["later_evidence"]))
        if d["versions_total"] > _SHOWN:
            row("", more(_SHOWN, d["versions_total"], " charge points").strip())
        for h in d["version_hints"][:_SHOWN]:
            cp = h["charge_point"] if h["charge_point"] is not None else "(no charge-point id)"
            row(
                "hint",
                s.yellow(f"{cp}: given {h['given']}, looks like OCPP {h['looks_like']}")
                + f" ({h['confidence']} confidence)",
            )
            write(s.dim(f"              {'; '.join(h['reasons'])}") + "\n")
        if d["version_hints_total"] > _SHOWN:
            row("", more(_SHOWN, d["version_hints_total"], " charge points").strip())
        if d["by_code"]:
            row("by code", ", ".join(f"{c} {n}" for c, n in d["by_code"].items()))
        bad = sorted(
            ((a, x) for a, x in d["by_action"].items() if x["invalid"]), key=lambda i: -i[1]["invalid"]
        )
        if bad:
            shown = ", ".join(f"{a} {x['invalid']} of {x['frames']}" for a, x in bad[:_SHOWN])
            row("by action", shown + more(_SHOWN, len(bad), " actions"))
        cps = d["by_charge_point"]
        if len(cps) > 1 or any(x["invalid"] for x in cps.values()):
            # The chargers with the most invalid frames first, so that a cut list keeps the worst.
            ranked = sorted(cps.items(), key=lambda i: -i[1]["invalid"])
            parts = [f"{cp} {x['invalid']} of {x['frames']}" for cp, x in ranked[:_SHOWN]]
            row("by charger", ", ".join(parts) + " invalid" + more(_SHOWN, len(cps)))
        if d["unanswered_calls"]:
            row("unanswered", s.yellow(f"{d['unanswered_calls']} CALL(s) got no answer in the capture"))
            listed = sorted(d["unanswered_listed"], key=lambda u: (u["source"], u["line"]))[:_SHOWN_LINES]
            for u in listed:
                cp = u["charge_point"] or "?"
                indent(f"{u['source']}:{u['line']}  {cp}  {u['action'] or '?'}  id {u['message_id']}")
            if d["unanswered_calls"] > len(listed):
                indent(more(len(listed), d["unanswered_calls"]).strip())
        if d["findings_total"]:
            spec = " and the spec rules" if any(":spec." in k for k in d["findings"]) else ""
            kinds_found = list(d["findings"].items())
            counts = ", ".join(f"{k.split(':', 1)[1]} {n}" for k, n in kinds_found[:_SHOWN_FINDINGS])
            counts += more(_SHOWN_FINDINGS, len(kinds_found), " kinds")
            row(
                "findings",
                s.yellow(f"{d['findings_total']} from following the conversation{spec}") + f": {counts}",
            )
            shown_f = sorted(
                d["findings_listed"], key=lambda f: (f["severity"] != "error", f["severity"] != "warning")
            )[:_SHOWN_FINDINGS]
            for f in shown_f:
                where = f"{f['source']}:{f['line']}" if f["line"] is not None else f["source"]
                about = f" ({f['subject']})" if f["subject"] else ""
                indent(f"{where}  {f['severity']}  {f['code']}{about}: {f['message']}")
            if d["findings_total"] > len(shown_f):
                indent(more(len(shown_f), d["findings_total"]).strip())
        if d["unpaired_results"]:
            row(
                "unpaired",
                f"{d['unpaired_results']} result(s) answer a CALL not in the capture (payload not checked)",
            )
        if d["input_problems_total"]:
            row("input", s.yellow(f"{d['input_problems_total']} problem(s) reading the input"))
            listed_p = d["input_problems"][:_SHOWN_LINES]
            for p in listed_p:
                where = f"{p['source']}:{p['line']}" if p["line"] else p["source"]
                indent(f"{where}  {p['message']}")
            if d["input_problems_total"] > len(listed_p):
                indent(more(len(listed_p), d["input_problems_total"]).strip())
        if d["invalid"] == 0:
            if failed:
                write(f"  {s.green('no violations found')} in the inputs validated\n")
            else:
                write(f"  {s.green('no violations found')}\n")


class _Outcome:
    """What the run learns beside the fold's summary: unusable inputs, version hints, versions counted."""

    def __init__(self, err: IO[str]) -> None:
        self.err = err
        self.failed: list[dict[str, Any]] = []
        self.failed_total = 0
        self.hints: list[dict[str, Any]] = []
        self.hints_total = 0
        self.versions_total = 0

    def fail(self, source: str, reason: str, message: str) -> None:
        """An input that could not be validated: say so on stderr and list it."""
        from ocpkit.fleet._fold import _MAX_LISTED

        self.err.write(f"ocpkit validate: {source}: {message}\n")
        self.failed_total += 1
        if len(self.failed) < _MAX_LISTED:
            self.failed.append({"source": source, "reason": reason, "message": message})

    def check_forced(self, source: str, forced: str, evidence: dict[str | None, Any]) -> None:
        """Note each charge point whose frames point to another version than the one forced."""
        from ocpkit.capture import Confidence
        from ocpkit.fleet._fold import _MAX_LISTED

        for cp, guess in evidence.items():
            if guess.version is None or guess.version == forced:
                continue
            if guess.confidence not in (Confidence.HIGH, Confidence.MEDIUM):
                continue
            if forced == "2.1" and guess.version == "2.0.1" and guess.confidence is Confidence.MEDIUM:
                continue  # 2.1 keeps every 2.0.1 action: 2.x traffic without 2.1-only messages fits both
            self.hints_total += 1
            who = cp if cp is not None else "the frames without a charge-point id"
            reasons = "; ".join(guess.reasons)
            if self.hints_total <= _HINTS_ON_STDERR:
                self.err.write(
                    f"ocpkit validate: hint: --ocpp {forced} was given, but {who} in {source} looks like "
                    f"OCPP {guess.version} ({guess.confidence} confidence: {reasons}); "
                    f"its frames are judged under {forced} as asked\n"
                )
            if len(self.hints) < _MAX_LISTED:
                self.hints.append(
                    {
                        "source": source,
                        "charge_point": cp,
                        "given": forced,
                        "looks_like": guess.version,
                        "confidence": str(guess.confidence),
                        "reasons": list(guess.reasons),
                    }
                )

    def finish_hints(self) -> None:
        """Say how many hints stderr left out."""
        if self.hints_total > _HINTS_ON_STDERR:
            more = self.hints_total - _HINTS_ON_STDERR
            self.err.write(f"ocpkit validate: hint: … and {more} more charge point(s) (see the summary)\n")

    def summary(self, data: dict[str, Any]) -> dict[str, Any]:
        """The fold's summary with the verdict, the lists' totals and what this run learnt, in order.

        ``verdict`` is ``"valid"`` or ``"invalid"`` for the frames judged, ``None``
        when no frame could be judged at all.
        """
        from ocpkit.fleet._fold import _MAX_LISTED, _MAX_NAMES

        totals = {
            "versions": self.versions_total,
            "findings_listed": data["findings_total"],
            "unanswered_listed": data["unanswered_calls"],
            "sources": data["sources_total"],
            "input_problems": data["input_problems_total"],
        }
        verdict = None if not data["frames"] else ("invalid" if data["invalid"] else "valid")
        done: dict[str, Any] = {}
        for key, value in data.items():
            done[key] = value
            if key == "exit_code":
                done["verdict"] = verdict
            if key in totals:
                done[f"{key}_total"] = totals[key]
                done[f"{key}_omitted"] = totals[key] - len(value)
        for key, items, total in (
            ("failed_inputs", self.failed, self.failed_total),
            ("version_hints", self.hints, self.hints_total),
        ):
            done[key] = items
            done[f"{key}_total"] = total
            done[f"{key}_omitted"] = total - len(items)
        done["limits"] = {"listed": _MAX_LISTED, "names": _MAX_NAMES}
        return done


def run(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes]) -> int:
    """Run ``ocpkit validate`` with parsed *args*; return the exit status."""
    from ocpkit.capture import CaptureReader
    from ocpkit.errors import CaptureError
    from ocpkit.fleet._fold import SourceRun, Summary

    args.files = [*args.files, *getattr(args, "more_files", [])]
    if not args.files:
        err.write(f"{args.usage}ocpkit validate: error: the following arguments are required: FILE\n")
        return 2
    if args.engine == "dask":
        return _run_dask(args, out, err)
    if args.report == "parquet":
        err.write("ocpkit validate: --report parquet needs --engine dask\n")
        return 2
    if args.scheduler or args.workers:
        err.write("ocpkit validate: --scheduler and --workers need --engine dask\n")
        return 2
    version = None if args.ocpp == "auto" else args.ocpp
    try:
        inputs = expand(args.files)
    except InputError as exc:
        err.write(f"ocpkit validate: {exc}\n")
        return 2
    if sum(1 for i in inputs if i.path is None) > 1:
        err.write("ocpkit validate: '-' (stdin) may be given only once\n")
        return 2
    summary = Summary()
    outcome = _Outcome(err)
    writer = _Writer(args.report, out, args.verbose)
    dir_frames: dict[str, int] = {}
    for item in inputs:
        try:
            opened = open_source(item, stdin)
        except InputError as exc:
            if item.in_directory and exc.reason == "binary":
                summary.add_problem(item.name, None, "binary file skipped")
                continue
            message = str(exc).removeprefix(f"{item.name}: ")
            outcome.fail(item.name, exc.reason, message)
            continue
        stream, raw, first = opened.stream, opened.raw, opened.first
        progress = Progress(err, item.name, opened.size, compressed=opened.compressed, counter=True)
        lines = Lines(Prefixed(first, stream), progress, Prefixed(b"", raw).tell)
        reader = CaptureReader(lines, shape=args.shape)
        run = SourceRun(
            item.name,
            summary,
            version=version,
            lenient=args.lenient,
            rules=args.rules,
            bad_lines=lines.bad_lines,
            hints=lambda reader=reader: reader.hints,  # type: ignore[misc]
            batch=_JUDGED_TOGETHER,
        )
        progress.frames = lambda run=run: run.frames
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
            corrupt = isinstance(exc, EOFError | zlib.error)
            what = "truncated or corrupt gzip stream" if corrupt else exc
            outcome.fail(
                item.name,
                "corrupt" if corrupt else "unreadable",
                f"read failed after {frames} frame(s): {what}",
            )
            continue
        except CaptureError as exc:
            progress.close()
            outcome.fail(item.name, "unreadable", str(exc))
            continue
        finally:
            progress.close()
            if item.path is not None:
                raw.close()
        outcome.versions_total += sum(1 for g in run.groups.values() if g.version is not None)
        if version is not None:
            outcome.check_forced(item.name, version, run.evidence())
        for n, message in lines.problems:
            summary.add_problem(item.name, n, message)
        summary.problems_total += lines.problem_count - len(lines.problems)
        if not item.in_directory and frames == 0:
            if lines.count == 0:
                outcome.fail(item.name, "empty", "empty file")
            else:
                outcome.fail(item.name, "no_frames", f"no OCPP-J frame in {lines.count} line(s)")
            continue
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
            _count_in_directory(dir_frames, args.files, item.name, frames)
    _fail_empty_directories(outcome, dir_frames)
    outcome.finish_hints()
    code = 2 if outcome.failed_total else (1 if summary.invalid else 0)
    data = outcome.summary(summary.as_json(code))
    if args.report != "text" or summary.frames:
        # A text summary of nothing would read as "all valid"; the messages on stderr say it all.
        writer.summary(data)
    return code


class _Row:
    """A record of the Dask engine's records table, as the writers read a fold record."""

    __slots__ = (
        "action",
        "charge_point",
        "direction",
        "kind",
        "line",
        "notes",
        "ok",
        "row",
        "source",
        "timestamp",
        "tolerated",
        "violations",
    )

    def __init__(self, row: dict[str, Any]) -> None:
        from types import SimpleNamespace

        from ocpkit.fleet import RECORD_KEYS

        self.row = {k: row[k] for k in RECORD_KEYS}
        self.source, self.line, self.kind = row["source"], row["line"], row["kind"]
        self.action, self.ok, self.timestamp = row["action"], row["ok"], row["timestamp"]
        self.direction, self.charge_point = row["direction"], row["charge_point"]
        self.tolerated = frozenset(row["tolerated"] or ())
        self.notes = tuple(row["notes"] or ())
        self.violations = [
            SimpleNamespace(path=v["frame_path"], message=v["message"], keyword=v["keyword"], code=v["code"])
            for v in row["violations"] or ()
        ]

    def as_json(self) -> dict[str, Any]:
        return self.row


def _count_in_directory(dir_frames: dict[str, int], given: Sequence[str], source: str, frames: int) -> None:
    """Add a directory file's *frames* to the count of the directory given on the command line."""
    top = next((a for a in given if source.startswith(a.rstrip("/") + os.sep) or source.startswith(a)), None)
    if top is not None:
        dir_frames[top] = dir_frames.get(top, 0) + frames


def _fail_empty_directories(outcome: _Outcome, dir_frames: dict[str, int]) -> None:
    """A directory given on the command line whose files hold no frame is an unusable input."""
    for top, count in dir_frames.items():
        if count == 0:
            outcome.fail(top, "no_frames", "no OCPP-J frame in any file of the directory")


def _run_dask(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``ocpkit validate --engine dask``: the same inputs judged on a Dask cluster, the same reports."""
    import logging

    from ocpkit.errors import CaptureError, MissingExtraError

    try:
        import distributed
        import pandas as pd
        import pyarrow as pa

        from ocpkit.fleet.dask import expand as fleet_expand
        from ocpkit.fleet.dask import summary_of, validate
    except (ImportError, MissingExtraError) as exc:
        err.write(
            f"ocpkit validate: --engine dask needs the fleet extra: pip install 'ocpkit[fleet]' ({exc})\n"
        )
        return 2
    if "-" in args.files:
        err.write("ocpkit validate: --engine dask reads files and URLs, not stdin ('-')\n")
        return 2
    if args.workers is not None and args.workers < 1:
        err.write("ocpkit validate: --workers must be at least 1\n")
        return 2
    try:
        fleet_expand(args.files)
    except CaptureError as exc:
        err.write(f"ocpkit validate: {exc}\n")
        return 2
    dist: Any = distributed  # no type information
    # The shuffle's progress notes are not the report's business.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster: Any = None
    client: Any
    try:
        if args.scheduler:
            client = dist.Client(args.scheduler)
        else:
            cluster = dist.LocalCluster(
                n_workers=args.workers or 2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            client = dist.Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        err.write(f"ocpkit validate: cannot reach the Dask scheduler: {exc}\n")
        return 2
    try:
        with (
            client,
            validate(
                args.files,
                client=client,
                version=args.ocpp,
                lenient=args.lenient,
                rules=args.rules,
                shape=args.shape,
                scratch=args.scratch,
            ) as result,
        ):
            writer = _Writer(args.report if args.report != "parquet" else "none", out, args.verbose)
            if args.report == "parquet":
                summaries, reports = result.to_parquet(args.report_dir, with_summaries=True)
            else:
                # One computation: the records stream in partition by partition as they are judged.
                parts = result.records.to_delayed()
                ends = result.summaries.to_delayed()
                futures = client.compute([*parts, *ends, *result.reports.to_delayed()])
                for future in dist.as_completed(futures[: len(parts)]):
                    table = pa.Table.from_pandas(future.result(), preserve_index=False)
                    for row in table.to_pylist():
                        writer.record(_Row(row))
                    future.release()
                done = client.gather(futures[len(parts) :])
                summaries = pd.concat(done[: len(ends)], ignore_index=True)
                reports = result.read_reports(pd.concat(done[len(ends) :], ignore_index=True))
    finally:
        if cluster is not None:
            cluster.close()
    return _dask_summary(args, writer, err, summary_of(summaries), reports, out)


def _dask_summary(
    args: argparse.Namespace, writer: _Writer, err: IO[str], total: Any, reports: list[Any], out: IO[str]
) -> int:
    """The command line's summary from the fleet's merged summary and the source reports."""
    from ocpkit.fleet import resolve_plan
    from ocpkit.fleet._fold import _MAX_LISTED, _MAX_NAMES, Summary

    summary = Summary(
        frames=total.frames,
        invalid=total.invalid,
        tolerated=total.tolerated,
        by_kind=total.by_kind,
        by_action=total.by_action,
        invalid_by_action=total.invalid_by_action,
        by_charge_point=total.charge_points,
        invalid_by_charge_point=total.invalid_by_charge_point,
        by_code=total.by_code,
        by_keyword=total.by_keyword,
        unanswered=total.unanswered,
        unanswered_listed=total.unanswered_listed[:_MAX_LISTED],
        unpaired_results=total.unpaired_results,
        findings=total.findings,
        findings_listed=total.findings_listed[:_MAX_LISTED],
        findings_total=total.findings_total,
    )
    outcome = _Outcome(err)
    plan = resolve_plan(d for r in reports for d in r.decisions)
    for (source, cp), d in plan.items():
        outcome.versions_total += 1
        if len(summary.versions) < _MAX_NAMES:
            summary.versions.append(
                {
                    "source": source,
                    "charge_point": cp,
                    "version": d.version,
                    "confidence": d.confidence,
                    "reasons": list(d.reasons),
                }
            )
    dir_frames: dict[str, int] = {}
    for r in reports:
        if r.failure is not None:
            reason, message = r.failure
            if r.in_directory and reason == "binary":
                summary.add_problem(r.source, None, "binary file skipped")
                continue
            outcome.fail(r.source, reason, message)
        if r.evidence and args.ocpp != "auto":
            outcome.check_forced(r.source, args.ocpp, r.evidence)
        for n, message in r.problems:
            summary.add_problem(r.source, n, message)
        summary.problems_total += r.problem_count - len(r.problems)
        if r.shape is not None:
            summary.add_source(r.shape)
        if r.in_directory:
            _count_in_directory(dir_frames, args.files, r.source, r.frames)
    _fail_empty_directories(outcome, dir_frames)
    outcome.finish_hints()
    code = 2 if outcome.failed_total else (1 if summary.invalid else 0)
    data = outcome.summary(summary.as_json(code))
    if args.report == "parquet":
        out.write(f"ocpkit validate: wrote {summary.frames} records to {args.report_dir}/records, ")
        out.write(f"{len(total.charge_points)} charge point(s) to {args.report_dir}/summaries\n")
    elif args.report != "text" or summary.frames:
        writer.summary(data)
    return code
