"""Fleet scale: the verdicts of ``ocpkit validate`` over partitions of a fleet's traffic (pure, no I/O).

Theory of operation. A fleet's traffic is many captures, each holding frames of
many charge points. An engine (Dask: :mod:`ocpkit.fleet.dask`; Spark: see the
how-to) extracts each source's frames in parallel, moves every charge point's
frames to one partition and calls :func:`validate_partition` on it. That
function is the judging fold of the command line (``ocpkit.fleet._fold``),
run per source and charge point as ``ocpkit validate`` runs it, so the
per-frame records and findings are the command line's, field for field:

* *Order.* Within a partition the frames of each (source, charge point) are
  judged in the order of the source, as the command line judges them; the
  records are then handed out per charge point in log-time order, ties broken
  by the source's place among the inputs and the line.
* *Version.* The command line's version guess can borrow from the run's other
  charge points. :class:`VersionPlanner` runs that decision code per source
  (cheap: nothing is judged) and :func:`resolve_plan` settles the borrowing
  across sources; the result passed as ``version=`` makes a partition's
  verdicts those of one run over all the inputs. Without it, each (source,
  charge point) is decided from its own frames.
* *Summary.* Each charge point gets a :class:`Summary` of counts, versions,
  unanswered calls, findings by code and its reliability figures
  (:class:`Reliability`, definitions in :mod:`ocpkit.fleet._reliability` and
  the how-to); :meth:`Summary.merge` is associative.
* *Arrow.* :func:`records_to_arrow` and :func:`summaries_to_arrow` give
  tables in :func:`record_schema` and :func:`summary_schema` (needs the
  ``fleet`` extra), so any engine that speaks Arrow can take them.

Memory: a partition's frames are held while it is judged (one charge point's
at a time is judged), never the fleet's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from typing import IO

from ocpkit.capture import CaptureReader
from ocpkit.capture._lines import Lines, Prefixed, StreamRefused, sniff
from ocpkit.fleet._arrow import record_schema, records_to_arrow, summaries_to_arrow, summary_schema
from ocpkit.fleet._fold import RECORD_KEYS, Record, SourceRun
from ocpkit.fleet._fold import Summary as RunSummary
from ocpkit.fleet._plan import Decision, SourcedFrame, VersionPlanner, resolve_plan
from ocpkit.fleet._reliability import (
    DEFAULT_SILENCE,
    DOWN_STATUSES,
    ConnectorFigures,
    Reliability,
    ReliabilityFold,
    time_key,
)
from ocpkit.fleet._summary import Summary, label

__all__ = [
    "DEFAULT_SILENCE",
    "DOWN_STATUSES",
    "RECORD_KEYS",
    "ConnectorFigures",
    "Decision",
    "Record",
    "Reliability",
    "ReliabilityFold",
    "SourcedFrame",
    "StreamRefused",
    "Summary",
    "VersionPlanner",
    "label",
    "record_schema",
    "records_to_arrow",
    "resolve_plan",
    "sourced_frames",
    "summaries_to_arrow",
    "summary_schema",
    "text_lines",
    "time_key",
    "validate_partition",
]

VersionChoice = str | Mapping[tuple[str, str | None], Decision | str] | None
"""``None`` (decide per source and charge point), a version for all, or a plan: :func:`resolve_plan`'s
decisions, or only their versions, by (source, charge point)."""


def text_lines(name: str, raw: IO[bytes]) -> Lines:
    """The text lines of a binary stream the caller opened, decoded as ``ocpkit validate`` decodes them.

    A gzip stream is decompressed on the fly; a line that is not UTF-8 is
    decoded with replacement characters and its number kept in the result's
    ``bad_lines`` (hand it to :func:`sourced_frames`). Raise
    :class:`StreamRefused` (``reason``: ``binary``, ``corrupt``, ``unreadable``)
    when the stream is not text; *name* is used in the message.
    """
    stream, first, _ = sniff(name, raw)
    return Lines(Prefixed(first, stream))


def sourced_frames(
    lines: Iterable[str],
    source: str = "-",
    *,
    order: int = 0,
    shape: str | None = None,
    version: str | None = None,
    bad_lines: set[int] | None = None,
) -> tuple[list[SourcedFrame], list[Decision]]:
    """The frames of one source's *lines*, in judging order, and its version decisions.

    *order* is the source's place among the inputs, *version* a forced version,
    *bad_lines* the numbers of lines that were not UTF-8 (filled while *lines*
    is read, as :class:`ocpkit.capture._lines.Lines` does). For one source
    alone, ``resolve_plan(decisions)`` is what :func:`validate_partition` wants
    as ``version=``; for many, the decisions of all in input order.
    """
    reader = CaptureReader(lines, shape=shape)
    planner = VersionPlanner(
        source, order=order, version=version, bad_lines=bad_lines, hints=lambda: reader.hints
    )
    for frame in reader:
        planner.feed(frame)
    decisions = planner.close()
    return planner.judged, decisions


def _key(f: SourcedFrame) -> tuple[bool, str]:
    return (f.station is not None, f.station or "")


def validate_partition(
    items: Iterable[SourcedFrame] | Iterable[str],
    *,
    version: VersionChoice = None,
    lenient: bool = False,
    rules: str = "spec",
    summaries: dict[str | None, Summary] | None = None,
    source: str = "-",
    shape: str | None = None,
    silence: float | None = None,
) -> Iterator[Record]:
    """Judge a partition: yield one :class:`Record` per frame, as ``ocpkit validate`` does.

    *items* are :class:`SourcedFrame` records (one or more charge points'
    frames from any number of sources, in any order), or the text lines of one
    source named *source* (read with *shape*, version decided as the command
    line decides it for that file alone). Records come per charge point in
    log-time order. *version*: see :data:`VersionChoice`. When *summaries* is
    given, each charge point's :class:`Summary` (with its reliability figures,
    *silence*: see :class:`ReliabilityFold`) is merged into it under its id.
    """
    rest: Iterator[SourcedFrame | str] = iter(items)
    first = next(rest, None)
    if first is None:
        return
    frames: list[SourcedFrame]
    if isinstance(first, str):
        lines = [first]
        lines.extend(x for x in rest if isinstance(x, str))
        frames, decisions = sourced_frames(lines, source, shape=shape)
        if version is None:
            version = resolve_plan(decisions)
    else:
        frames = [first, *(x for x in rest if isinstance(x, SourcedFrame))]
    frames.sort(key=lambda f: (_key(f), f.order, f.seq))
    for _, group in groupby(frames, key=_key):
        yield from _charge_point(list(group), version, lenient, rules, summaries, silence)


def _charge_point(
    frames: list[SourcedFrame],
    version: VersionChoice,
    lenient: bool,
    rules: str,
    summaries: dict[str | None, Summary] | None,
    silence: float | None,
) -> Iterator[Record]:
    cp = frames[0].station
    run_summary = RunSummary()
    judged: list[tuple[tuple[float, int, int, int], Record]] = []
    records: list[Record] = []
    for (order, name), part in groupby(frames, key=lambda f: (f.order, f.source)):
        these = list(part)
        bad = {f.frame.line for f in these if f.bad}
        forced = version if isinstance(version, str) else None
        run = SourceRun(
            name, run_summary, version=forced, lenient=lenient, rules=rules, bad_lines=bad, batch=256
        )
        out: list[Record] = []
        for f in these:
            if version is not None and not isinstance(version, str):
                # The planned version of the frame's own charge point in its source (a frame without an
                # id judged in another charge point's partition keeps its own decision).
                decision = version.get((name, f.frame.charge_point))
                run.forced = decision if isinstance(decision, str) or decision is None else decision.version
            out.extend(run.feed(f.frame))
        out.extend(run.finish())
        # One charge point of one source: its records come out in the order of its frames.
        for f, record in zip(these, out, strict=True):
            judged.append(((time_key(f.frame), order, f.frame.line, f.seq), record))
        records.extend(out)
    if summaries is not None:
        summary = Summary.of_run(run_summary, records)
        fold = ReliabilityFold(silence)
        for f in sorted(frames, key=lambda f: (time_key(f.frame), f.order, f.frame.line, f.seq)):
            fold.feed(f.frame)
        summary.reliability[label(cp)] = fold.finish()
        mine = summaries.get(cp)
        summaries[cp] = summary if mine is None else mine.merge(summary)
    judged.sort(key=lambda item: item[0])
    for _, record in judged:
        yield record
