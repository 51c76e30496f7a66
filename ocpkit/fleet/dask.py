"""``ocpkit validate`` on a Dask cluster: a fleet's captures judged in parallel (extra ``fleet``).

Theory of operation. :func:`validate` builds one lazy Dask graph:

1. *Extract* (one task per source). Each capture is opened through fsspec (a
   local path or any URL Dask can read: ``s3://``, ``gs://``, ...; plain text
   or gzip, recognised by its magic bytes; directories walked in sorted order
   as the command line walks them), read line by line with the command line's
   rules (``ocpkit.capture._lines``) and its frames found by
   :class:`~ocpkit.capture.CaptureReader`. The command line's version decisions
   are run over the source without judging (:class:`~ocpkit.fleet.VersionPlanner`);
   the frames leave the task in chunks, one row per (charge point, chunk).
   Opening and reading the files is this engine's I/O, as it is the command
   line's; the judging stays pure.
2. *Plan* (one small task). :func:`~ocpkit.fleet.resolve_plan` settles the
   version of each (source, charge point) across sources, in input order.
3. *Shuffle* by charge point: each charge point's frames, from every source,
   end up in one partition.
4. *Fold* (one task per partition): :func:`~ocpkit.fleet.validate_partition`
   under the plan gives one record per frame, the command line's, and one
   :class:`~ocpkit.fleet.Summary` per charge point with its reliability figures.

:class:`FleetResult` holds the lazy Dask DataFrames ``records`` (one row per
frame, :func:`~ocpkit.fleet.record_schema`) and ``summaries`` (one row per
charge point, :func:`~ocpkit.fleet.summary_schema`), and writes both as
Parquet. The two share the fold: compute them together (``dask.compute(r.records,
r.summaries)``, :meth:`FleetResult.to_parquet`) or the fold runs twice.

Memory. A fold task holds its partition's frames and records; the shuffle
puts whole charge points in partitions, so the largest charge point's traffic
is the floor. The number of partitions defaults to one per
:data:`PARTITION_BYTES` of input (at least :data:`MIN_PARTITIONS`, or one per
input when there are fewer), so partitions keep their size as the fleet
grows. An extract task holds one source's frames until they are handed on:
split captures larger than a worker's memory can hold about three times over.
"""

from __future__ import annotations

import json
import pickle
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, Final

from ocpkit.errors import CaptureError, MissingExtraError, UnsupportedError
from ocpkit.fleet import (
    Decision,
    Record,
    SourcedFrame,
    Summary,
    record_schema,
    records_to_arrow,
    resolve_plan,
    summaries_to_arrow,
    summary_schema,
    validate_partition,
)
from ocpkit.fleet._plan import VersionPlanner

__all__ = [
    "BATCH_BYTES",
    "CHUNK_FRAMES",
    "MIN_PARTITIONS",
    "PARTITION_BYTES",
    "FleetResult",
    "SourceReport",
    "expand",
    "summary_of",
    "validate",
]

CHUNK_FRAMES: Final = 20_000
"""Frames an extract task holds as objects before it packs them (one row per charge point among them)."""
PARTITION_BYTES: Final = 16 * 1024 * 1024
"""Input bytes per fold partition when ``partitions`` is not given."""
BATCH_BYTES: Final = 16 * 1024 * 1024
"""Input bytes of small sources read by one extract task."""
MIN_PARTITIONS: Final = 8
"""Fold partitions at least (fewer only with fewer inputs), so that small fleets still spread."""


def _need() -> tuple[Any, Any, Any, Any]:
    try:
        import dask
        import dask.dataframe as dd
        import pandas as pd
        import pyarrow as pa
    except ImportError as exc:
        raise MissingExtraError("the Dask engine", "fleet", exc.name or "dask") from None
    return dask, dd, pd, pa


@dataclass
class SourceReport:
    """What reading one source found beside its frames (the command line's summary lists it)."""

    source: str
    order: int
    in_directory: bool = False
    frames: int = 0
    lines: int = 0
    shape: dict[str, Any] | None = None
    problems: list[tuple[int, str]] = field(default_factory=list)
    problem_count: int = 0
    failure: tuple[str, str] | None = None
    """(reason, message) when the source could not be validated, or stopped early."""
    decisions: list[Decision] = field(default_factory=list)
    evidence: dict[str | None, Any] = field(default_factory=dict)
    """With a forced version: what each charge point's frames say of it (for the command line's hints)."""


def expand(names: Sequence[str]) -> list[tuple[str, str, bool]]:
    """The sources of *names*: (name as the command line shows it, URL to open, in a directory).

    Local directories are walked as the command line walks them (sorted, hidden
    files left out); other URLs through fsspec. Raise
    :class:`~ocpkit.errors.CaptureError` for a name that does not exist.
    """
    import fsspec

    out: list[tuple[str, str, bool]] = []
    for name in names:
        fs, path = fsspec.core.url_to_fs(name)
        if "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)):
            local = Path(name)
            if local.is_dir():
                files = sorted(p for p in local.rglob("*") if p.is_file() and not p.name.startswith("."))
                if not files:
                    raise CaptureError(f"{name}: directory holds no files")
                out.extend((str(p), str(p), True) for p in files)
            elif local.exists():
                out.append((name, name, False))
            else:
                raise CaptureError(f"{name}: no such file or directory")
            continue
        if fs.isdir(path):
            found = sorted(p for p in fs.find(path) if not p.rsplit("/", 1)[-1].startswith("."))
            if not found:
                raise CaptureError(f"{name}: directory holds no files")
            out.extend((fs.unstrip_protocol(p), fs.unstrip_protocol(p), True) for p in found)
        elif fs.exists(path):
            out.append((name, name, False))
        else:
            raise CaptureError(f"{name}: no such file or directory")
    return out


def _extract(
    name: str, url: str, order: int, in_dir: bool, version: str | None, shape: str | None
) -> tuple[Any, SourceReport]:
    """Read one source: its frames as rows (charge point, order, chunk, frames) and its report.

    Judged frames are packed as they come (every :data:`CHUNK_FRAMES`), so the
    task holds the packed source and at most that many frames as objects.
    """
    import fsspec

    from ocpkit.capture import CaptureReader
    from ocpkit.capture._lines import Lines, Prefixed, StreamRefused, sniff

    _, _, pd, pa = _need()
    report = SourceReport(name, order, in_dir)
    rows = _Rows()
    try:
        opened = fsspec.open(url, "rb").open()
    except OSError as exc:
        report.failure = ("unreadable", f"cannot open: {exc.strerror or exc}")
        return rows.frame(pd, pa), report
    try:
        try:
            stream, first, _ = sniff(name, opened)
        except StreamRefused as exc:
            report.failure = (exc.reason, str(exc).removeprefix(f"{name}: "))
            return rows.frame(pd, pa), report
        lines = Lines(Prefixed(first, stream))
        reader = CaptureReader(lines, shape=shape)
        planner = VersionPlanner(
            name, order=order, version=version, bad_lines=lines.bad_lines, hints=lambda: reader.hints
        )
        judged = planner.judged
        frames = 0
        try:
            for frame in reader:
                frames += 1
                planner.feed(frame)
                if len(judged) >= CHUNK_FRAMES:
                    rows.add(judged)
                    judged.clear()
            report.decisions = planner.close()
        except (OSError, EOFError, zlib.error) as exc:
            report.decisions = planner.close()
            corrupt = isinstance(exc, EOFError | zlib.error)
            what = "truncated or corrupt gzip stream" if corrupt else exc
            report.failure = (
                "corrupt" if corrupt else "unreadable",
                f"read failed after {frames} frame(s): {what}",
            )
        except CaptureError as exc:
            report.failure = ("unreadable", str(exc))
        rows.add(judged)
        judged.clear()
        report.frames = frames
        report.lines = lines.count
        report.problems = list(lines.problems)
        report.problem_count = lines.problem_count
        if version is not None:
            report.evidence = planner.evidence()
        guess = reader.shape_guess
        if guess is not None and report.failure is None:
            report.shape = {
                "source": name,
                "shape": guess.shape,
                "shape_confidence": str(guess.confidence),
                "shape_reason": guess.reason,
                "lines": lines.count,
                "frames": frames,
            }
        if report.failure is None and not in_dir and frames == 0:
            report.failure = (
                ("empty", "empty file")
                if lines.count == 0
                else ("no_frames", f"no OCPP-J frame in {lines.count} line(s)")
            )
    finally:
        opened.close()
    return rows.frame(pd, pa), report


def _key(station: str | None) -> str:
    # Frames without a charge-point id get a key no id can have (ids are printable text).
    return "\x00" if station is None else "=" + station


def _frames_meta(pd: Any, pa: Any) -> Any:
    return pd.DataFrame(
        {
            "station": pd.Series([], dtype=pd.ArrowDtype(pa.string())),
            "order": pd.Series([], dtype="int64"),
            "chunk": pd.Series([], dtype="int64"),
            "frames": pd.Series([], dtype=pd.ArrowDtype(pa.binary())),
        }
    )


class _Rows:
    """The rows an extract task hands on: one per (charge point, chunk), frames pickled."""

    def __init__(self) -> None:
        self.stations: list[str] = []
        self.orders: list[int] = []
        self.chunks: list[int] = []
        self.blobs: list[bytes] = []

    def add(self, judged: list[SourcedFrame]) -> None:
        """Pack *judged* (frames in judging order), one row per charge point among them."""
        groups: dict[str, list[SourcedFrame]] = {}
        for f in judged:
            key = _key(f.station)
            group = groups.get(key)
            if group is None:
                group = groups[key] = []
            group.append(f)
        for station, group in groups.items():
            self.stations.append(station)
            self.orders.append(group[0].order)
            # Chunks of one source are numbered in packing order, so a station's rows keep its frames' order.
            self.chunks.append(len(self.chunks))
            self.blobs.append(pickle.dumps(group, protocol=5))

    def frame(self, pd: Any, pa: Any) -> Any:
        """The rows as a pandas DataFrame (:func:`_frames_meta`'s columns)."""
        if not self.stations:
            return _frames_meta(pd, pa)
        return pd.DataFrame(
            {
                "station": pd.Series(self.stations, dtype=pd.ArrowDtype(pa.string())),
                "order": pd.Series(self.orders, dtype="int64"),
                "chunk": pd.Series(self.chunks, dtype="int64"),
                "frames": pd.Series(self.blobs, dtype=pd.ArrowDtype(pa.binary())),
            }
        )


def _extract_batch(
    batch: list[tuple[int, tuple[str, str, bool]]], version: str | None, shape: str | None
) -> tuple[Any, list[SourceReport]]:
    """Read a batch of small sources in one task (one source when it is large)."""
    _, _, pd, _ = _need()
    parts = []
    reports = []
    for order, (name, url, in_dir) in batch:
        rows, report = _extract(name, url, order, in_dir, version, shape)
        parts.append(rows)
        reports.append(report)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0], reports


def _batches(
    items: list[tuple[int, tuple[str, str, bool]]], sizes: list[int]
) -> list[list[tuple[int, tuple[str, str, bool]]]]:
    """Consecutive sources grouped up to :data:`BATCH_BYTES` of input each."""
    batches: list[list[tuple[int, tuple[str, str, bool]]]] = []
    current: list[tuple[int, tuple[str, str, bool]]] = []
    held = 0
    for item, size in zip(items, sizes, strict=True):
        if current and held + size > BATCH_BYTES:
            batches.append(current)
            current, held = [], 0
        current.append(item)
        held += size
    if current:
        batches.append(current)
    return batches


def _plan(batches: list[list[SourceReport]]) -> dict[tuple[str, str | None], str]:
    """The version of each (source, charge point): all a fold needs of the plan (it goes to every fold)."""
    ordered = sorted((r for batch in batches for r in batch), key=lambda r: r.order)
    plan = resolve_plan(d for r in ordered for d in r.decisions)
    return {key: d.version for key, d in plan.items() if d.version is not None}


def _fold(
    part: Any,
    plan: dict[tuple[str, str | None], str],
    version: str | None,
    lenient: bool,
    rules: str,
    silence: float | None,
) -> tuple[Any, Any]:
    """Judge one shuffled partition, one charge point at a time: (records, summaries) as pandas."""
    _, _, pd, pa = _need()
    choice: Any = version if version is not None else plan
    tables = []
    summaries: dict[str | None, Summary] = {}
    part = part.sort_values(["station", "order", "chunk"])
    for _, group in groupby(
        zip(part["station"].tolist(), part["frames"].tolist(), strict=True), key=lambda row: row[0]
    ):
        frames: list[SourcedFrame] = []
        for _, blob in group:
            frames.extend(pickle.loads(blob))
        records: list[Record] = list(
            validate_partition(
                frames, version=choice, lenient=lenient, rules=rules, summaries=summaries, silence=silence
            )
        )
        tables.append(records_to_arrow(records))
    table = pa.concat_tables(tables) if tables else record_schema().empty_table()
    records_df = table.to_pandas(types_mapper=pd.ArrowDtype)
    summaries_df = summaries_to_arrow(summaries).to_pandas(types_mapper=pd.ArrowDtype)
    return records_df, summaries_df


def _combined_meta(pd: Any, pa: Any) -> Any:
    frame = _meta(pd, record_schema())
    frame["summaries"] = pd.Series([], dtype=pd.ArrowDtype(pa.binary()))
    return frame


def _fold_combined(
    part: Any,
    plan: dict[tuple[str, str | None], str],
    version: str | None,
    lenient: bool,
    rules: str,
    silence: float | None,
) -> Any:
    """The fold of one partition as one frame: the records, and the summaries packed in the first row."""
    _, _, pd, pa = _need()
    records, summaries = _fold(part, plan, version, lenient, rules, silence)
    packed: list[bytes | None] = [None] * len(records)
    if len(records):
        packed[0] = pickle.dumps(summaries, protocol=5)
    records["summaries"] = pd.Series(packed, dtype=pd.ArrowDtype(pa.binary()), index=records.index)
    return records


def _records_of(folded: Any) -> Any:
    return folded.drop(columns=["summaries"])


def _summaries_of(folded: Any) -> Any:
    _, _, pd, _ = _need()
    packed = folded["summaries"].dropna().tolist() if len(folded) else []
    if not packed:
        return _meta(pd, summary_schema())
    return pd.concat([pickle.loads(blob) for blob in packed], ignore_index=True)


def _meta(pd: Any, schema: Any) -> Any:
    return schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


@dataclass
class FleetResult:
    """The lazy result of :func:`validate` (nothing is computed until asked)."""

    records: Any
    """Dask DataFrame, one row per frame, columns of :func:`~ocpkit.fleet.record_schema`."""
    summaries: Any
    """Dask DataFrame, one row per charge point, columns of :func:`~ocpkit.fleet.summary_schema`."""
    reports: Any
    """Dask DataFrame, one row per source: ``order`` and ``report`` (a pickled :class:`SourceReport`)."""
    client: Any = None
    """The ``distributed.Client`` to compute with (None: Dask's current scheduler)."""

    def to_parquet(self, directory: str, *, with_summaries: bool = False) -> Any:
        """Write ``records/`` and ``summaries/`` Parquet datasets under *directory* (one computation).

        With *with_summaries*, return the summaries (pandas) and the source reports computed on the way.
        """
        dask, _, _, _ = _need()
        base = directory.rstrip("/")
        jobs = [
            self.records.to_parquet(f"{base}/records", compute=False, write_index=False),
            self.summaries.to_parquet(f"{base}/summaries", compute=False, write_index=False),
        ]
        if with_summaries:
            jobs += [self.summaries, self.reports]
        if self.client is not None:
            done = self.client.gather(self.client.compute(jobs))
        else:
            done = dask.compute(*jobs)
        if with_summaries:
            return done[2], self.read_reports(done[3])
        return None

    @staticmethod
    def read_reports(reports: Any) -> list[SourceReport]:
        """The :class:`SourceReport` list, in input order, of a computed ``reports`` frame."""
        return [pickle.loads(blob) for blob in reports.sort_values("order")["report"].tolist()]

    def compute(self) -> tuple[Any, Any, list[SourceReport]]:
        """Records and summaries as pandas DataFrames, and the source reports (one computation)."""
        dask, _, _, _ = _need()
        if self.client is not None:
            records, summaries, reports = self.client.gather(
                self.client.compute([self.records, self.summaries, self.reports])
            )
        else:
            records, summaries, reports = dask.compute(self.records, self.summaries, self.reports)
        return records, summaries, self.read_reports(reports)


def validate(
    paths_or_bag: str | Iterable[str] | Any,
    *,
    client: Any = None,
    version: str = "auto",
    lenient: bool = False,
    rules: str = "spec",
    shape: str | None = None,
    partitions: int | None = None,
    silence: float | None = None,
) -> FleetResult:
    """Validate a fleet's captures on Dask: the records and summaries of ``ocpkit validate``, lazily.

    *paths_or_bag*: a path or URL, several, or a Dask Bag of them (directories
    are walked). *client*: the ``distributed`` client to compute with
    (default: Dask's current scheduler). *version*, *lenient*, *rules*, *shape*:
    as ``ocpkit validate``'s ``--ocpp``, ``--lenient``, ``--rules``, ``--shape``.
    *partitions*: fold partitions (default: see the module). *silence*: the
    reliability figures' silence threshold (see :class:`~ocpkit.fleet.ReliabilityFold`).
    """
    dask, dd, pd, pa = _need()
    delayed = dask.delayed

    if version not in ("auto", "1.6", "2.0.1", "2.1"):
        raise UnsupportedError(f"unknown OCPP version {version!r}: expected auto, 1.6, 2.0.1 or 2.1")
    if isinstance(paths_or_bag, str):
        names = [paths_or_bag]
    elif hasattr(paths_or_bag, "compute") and hasattr(paths_or_bag, "map_partitions"):
        names = [str(n) for n in paths_or_bag.compute()]
    else:
        names = [str(n) for n in paths_or_bag]
    sources = expand(names)
    if not sources:
        raise CaptureError("no input given")
    forced = None if version == "auto" else version
    sizes = _sizes(sources)
    tasks = [
        delayed(_extract_batch, nout=2, pure=True)(batch, forced, shape)
        for batch in _batches(list(enumerate(sources)), sizes)
    ]
    frames = dd.from_delayed([t[0] for t in tasks], meta=_frames_meta(pd, pa), verify_meta=False)
    plan = delayed(_plan, pure=True)([t[1] for t in tasks])
    reports = dd.from_delayed(
        [delayed(_report_rows, pure=True)(t[1]) for t in tasks], meta=_report_meta(pd, pa), verify_meta=False
    )
    if partitions is None:
        partitions = max(min(len(sources), MIN_PARTITIONS), sum(sizes) // PARTITION_BYTES + 1)
    shuffled = frames.shuffle(on="station", npartitions=partitions)
    # One task per partition takes it from the shuffle and folds it (fused: a worker holds one partition
    # at a time); records and summaries are both read off the folded frame, so they share the fold.
    folded = shuffled.map_partitions(
        _fold_combined,
        plan,
        forced,
        lenient,
        rules,
        silence,
        meta=_combined_meta(pd, pa),
        enforce_metadata=False,
    )
    records = folded.map_partitions(_records_of, meta=_meta(pd, record_schema()), enforce_metadata=False)
    summaries = folded.map_partitions(_summaries_of, meta=_meta(pd, summary_schema()), enforce_metadata=False)
    return FleetResult(records, summaries, reports, client)


def _report_meta(pd: Any, pa: Any) -> Any:
    return pd.DataFrame(
        {
            "order": pd.Series([], dtype="int64"),
            "report": pd.Series([], dtype=pd.ArrowDtype(pa.binary())),
        }
    )


def _report_rows(reports: list[SourceReport]) -> Any:
    _, _, pd, pa = _need()
    return pd.DataFrame(
        {
            "order": pd.Series([r.order for r in reports], dtype="int64"),
            "report": pd.Series(
                [pickle.dumps(r, protocol=5) for r in reports], dtype=pd.ArrowDtype(pa.binary())
            ),
        }
    )


def _sizes(sources: list[tuple[str, str, bool]]) -> list[int]:
    import fsspec

    sizes = []
    for _, url, _ in sources:
        try:
            fs, path = fsspec.core.url_to_fs(url)
            sizes.append(int(fs.size(path) or 0))
        except (OSError, ValueError):
            sizes.append(0)
    return sizes


def summary_of(summaries: Any) -> Summary:
    """The fleet's :class:`~ocpkit.fleet.Summary`: every row of a computed ``summaries`` frame merged.

    Counts only (the reliability figures stay per charge point in the rows).
    """
    total = Summary()
    for row in summaries.to_dict("records"):
        part = Summary(
            frames=int(row["frames"]),
            invalid=int(row["invalid"]),
            tolerated=int(row["tolerated_violations"]),
            findings_total=int(row["findings_total"]),
            unanswered=int(row["unanswered_calls"]),
            unpaired_results=int(row["unpaired_results"]),
        )
        by_action = json.loads(row["by_action"])
        part.by_action.update({a: x["frames"] for a, x in by_action.items()})
        part.invalid_by_action.update({a: x["invalid"] for a, x in by_action.items() if x["invalid"]})
        for name in ("by_kind", "by_code", "by_keyword", "versions", "findings"):
            getattr(part, name).update(json.loads(row[name]))
        for cp, x in json.loads(row["charge_points"]).items():
            part.charge_points[cp] += x["frames"]
            if x["invalid"]:
                part.invalid_by_charge_point[cp] += x["invalid"]
        part.findings_listed = json.loads(row["findings_listed"])
        part.unanswered_listed = json.loads(row["unanswered_listed"])
        total = total.merge(part)
    return total
