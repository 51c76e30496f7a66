"""``ocpkit validate`` on a Dask cluster: a fleet's captures judged in parallel (extra ``fleet``).

Theory of operation. :func:`validate` builds one lazy Dask graph:

1. *Extract* (one task per source, small sources batched). Each capture is
   opened through fsspec (a local path or any URL Dask can read: ``s3://``,
   ``gs://``, ...; plain text or gzip, recognised by its magic bytes;
   directories walked in sorted order as the command line walks them), read
   line by line with the command line's rules (``ocpkit.capture._lines``) and
   its frames found by :class:`~ocpkit.capture.CaptureReader`. The command
   line's version decisions are run over the source without judging
   (:class:`~ocpkit.fleet.VersionPlanner`). The frames are packed in chunks, one
   row per (charge point, chunk), pickled and compressed, and written to the
   run's *scratch* directory, one file per fold partition (the partition is a
   stable hash of the charge point); the decisions go there too. The task
   hands on only the names of what it wrote and its report. Opening, reading
   and writing files is this engine's I/O, as it is the command line's; the
   judging stays pure.
2. *Deal* (one task). :class:`~ocpkit.fleet._plan.PlanResolver` settles the
   version of each (source, charge point) across sources in input order, one
   batch's decisions at a time, and writes each partition's share of the plan
   beside its frames.
3. *Fold* (one task per partition) reads its share and its rows from the
   scratch directory: :func:`~ocpkit.fleet.validate_partition` under the plan
   gives one record per frame, the command line's, and one
   :class:`~ocpkit.fleet.Summary` per charge point with its reliability figures.

This is a shuffle by charge point through storage: nothing the size of the
fleet passes through a worker's memory or Dask's. The scheduler must hold
the extracted frames somewhere until every source is read (the plan looks
across sources, so no fold can start before), and a directory can hold them
at the cost of disk, where a worker's memory could not.

:class:`FleetResult` holds the lazy Dask DataFrames ``records`` (one row per
frame, :func:`~ocpkit.fleet.record_schema`) and ``summaries`` (one row per
charge point, :func:`~ocpkit.fleet.summary_schema`), and writes both as
Parquet, each fold task its own partition's part. The two share the fold:
compute them together (``dask.compute(r.records, r.summaries)``,
:meth:`FleetResult.to_parquet`) or the fold runs twice.

Memory. An extract task holds at most :data:`CHUNK_FRAMES` frames as objects,
:data:`SPILL_BYTES` of packed rows, and its reader's state per charge point of
its source; a fold task holds its partition (the rows packed, one charge point
unpacked at a time, and the partition's records). The number of partitions
defaults to one per :data:`PARTITION_BYTES` of input (at least
:data:`MIN_PARTITIONS`, or one per input when there are fewer), so partitions
keep their size as the fleet grows; the largest charge point's traffic is the
floor of a partition's size.
"""

from __future__ import annotations

import json
import pickle
import weakref
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
    summaries_to_arrow,
    summary_schema,
    validate_partition,
)
from ocpkit.fleet._plan import VersionPlanner
from ocpkit.fleet._scratch import (
    SPILL_BYTES,
    Row,
    _deal,
    _read,
    _remove,
    _scratch_root,
    _Spill,
    _unpack,
    _write,
)

__all__ = [
    "BATCH_BYTES",
    "CHUNK_FRAMES",
    "MIN_PARTITIONS",
    "PARTITION_BYTES",
    "SPILL_BYTES",
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
    name: str, url: str, order: int, in_dir: bool, version: str | None, shape: str | None, spill: _Spill
) -> SourceReport:
    """Read one source: its frames go to *spill* (packed per charge point); return its report.

    Judged frames are packed as they come (every :data:`CHUNK_FRAMES`), so the
    task holds at most that many frames as objects, and *spill* writes the
    packed ones out before they pass :data:`SPILL_BYTES`.
    """
    import fsspec

    from ocpkit.capture import CaptureReader
    from ocpkit.capture._lines import Lines, Prefixed, StreamRefused, sniff

    report = SourceReport(name, order, in_dir)
    try:
        opened = fsspec.open(url, "rb").open()
    except OSError as exc:
        report.failure = ("unreadable", f"cannot open: {exc.strerror or exc}")
        return report
    try:
        try:
            stream, first, _ = sniff(name, opened)
        except StreamRefused as exc:
            report.failure = (exc.reason, str(exc).removeprefix(f"{name}: "))
            return report
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
                    spill.add(judged)
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
        spill.add(judged)
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
    return report


def _extract_batch(
    batch: list[tuple[int, tuple[str, str, bool]]],
    version: str | None,
    shape: str | None,
    root: str,
    partitions: int,
) -> tuple[list[tuple[int, str]], str, list[tuple[int, bytes]]]:
    """Read a batch of small sources in one task (one source when it is large) into the scratch store.

    Returns the files of frames written, by partition; the file of the
    sources' version decisions (what :func:`_deal` settles the plan from); and
    each source's :class:`SourceReport`, pickled, by input order.
    """
    name = f"b{batch[0][0]:07d}"
    spill = _Spill(root, name, partitions)
    reports = [
        _extract(source, url, order, in_dir, version, shape, spill) for order, (source, url, in_dir) in batch
    ]
    spill.flush()
    decisions = f"{root}/plan/{name}"
    _write(decisions, zlib.compress(pickle.dumps([r.decisions for r in reports], protocol=5), 1))
    return spill.written, decisions, [(r.order, pickle.dumps(r, protocol=5)) for r in reports]


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


def _fold(
    rows: list[Row],
    plan: dict[tuple[str, str | None], str],
    version: str | None,
    lenient: bool,
    rules: str,
    silence: float | None,
) -> tuple[Any, Any]:
    """Judge one partition's rows, one charge point at a time: (records, summaries) as pandas."""
    _, _, pd, pa = _need()
    choice: Any = version if version is not None else plan
    tables = []
    summaries: dict[str | None, Summary] = {}
    rows.sort(key=lambda row: row[:3])
    for _, group in groupby(rows, key=lambda row: row[0]):
        frames: list[SourcedFrame] = []
        for row in group:
            frames.extend(_unpack(row[3]))
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


def _fold_share(
    shares: list[str], part: int, version: str | None, lenient: bool, rules: str, silence: float | None
) -> tuple[Any, Any]:
    """Read partition *part* from the scratch store (its share of the plan, its files) and judge it."""
    plans, files = pickle.loads(_read(shares[part]))
    plan: dict[tuple[str, str | None], str] = {}
    for url in plans:
        plan.update(pickle.loads(_read(url)))
    rows: list[Row] = []
    for url in files:
        rows.extend(pickle.loads(_read(url)))
    return _fold(rows, plan, version, lenient, rules, silence)


def _write_parquet(folded: tuple[Any, Any], base: str, part: int, give: bool) -> Any:
    """Write one partition's records and summaries as Parquet; return the summaries (pandas) if *give*."""
    import fsspec
    import pyarrow.parquet as pq

    _, _, _, pa = _need()
    records, summaries = folded
    for name, frame, schema in (
        ("records", records, record_schema()),
        ("summaries", summaries, summary_schema()),
    ):
        fs, path = fsspec.core.url_to_fs(f"{base}/{name}")
        fs.makedirs(path, exist_ok=True)
        table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        with fs.open(f"{path}/part.{part}.parquet", "wb") as out:
            pq.write_table(table, out)
    return summaries if give else None


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
    folded: list[Any] = field(default_factory=list)
    """One Dask Delayed per fold partition: its (records, summaries) as pandas."""
    scratch: str | None = None
    """The scratch directory of this run (see :func:`validate`'s *scratch*)."""

    def __post_init__(self) -> None:
        if self.scratch is not None:
            self._finalizer: Any = weakref.finalize(self, _remove, self.scratch)

    def close(self) -> None:
        """Remove the run's scratch directory now (it goes when the result is garbage-collected too)."""
        if self.scratch is not None:
            self._finalizer()

    def __enter__(self) -> FleetResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def to_parquet(self, directory: str, *, with_summaries: bool = False) -> Any:
        """Write ``records/`` and ``summaries/`` Parquet datasets under *directory* (one computation).

        Each fold task writes its own partition's files (``part.N.parquet``), so
        a worker holds one partition's records at a time. With *with_summaries*,
        return the summaries (pandas) and the source reports computed on the way.
        """
        dask, _, pd, _ = _need()
        base = directory.rstrip("/")
        jobs: list[Any] = [
            dask.delayed(_write_parquet, pure=False)(part, base, i, with_summaries)
            for i, part in enumerate(self.folded)
        ]
        if with_summaries:
            jobs.extend(self.reports.to_delayed())
        if self.client is not None:
            # Taken as they finish, so that a worker does not keep what it wrote until the last one.
            import distributed

            dist: Any = distributed  # no type information
            futures = self.client.compute(jobs)
            where = {f.key: i for i, f in enumerate(futures)}
            done: list[Any] = [None] * len(futures)
            for future in dist.as_completed(futures):
                done[where[future.key]] = future.result()
                future.release()
        else:
            done = list(dask.compute(*jobs))
        if with_summaries:
            parts = done[: len(self.folded)]
            summaries = pd.concat(parts, ignore_index=True) if parts else _meta(pd, summary_schema())
            return summaries, self.read_reports(pd.concat(done[len(self.folded) :], ignore_index=True))
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
    scratch: str | None = None,
) -> FleetResult:
    """Validate a fleet's captures on Dask: the records and summaries of ``ocpkit validate``, lazily.

    *paths_or_bag*: a path or URL, several, or a Dask Bag of them (directories
    are walked). *client*: the ``distributed`` client to compute with
    (default: Dask's current scheduler). *version*, *lenient*, *rules*, *shape*:
    as ``ocpkit validate``'s ``--ocpp``, ``--lenient``, ``--rules``, ``--shape``.
    *partitions*: fold partitions (default: see the module). *silence*: the
    reliability figures' silence threshold (see :class:`~ocpkit.fleet.ReliabilityFold`).
    *scratch*: a directory URL (local or any fsspec URL) where the extracted
    frames wait for their fold; every worker must be able to read and write it,
    so a cluster of several machines needs a shared one (``s3://...``, a shared
    mount). Default: a new temporary directory on this machine, which serves a
    ``LocalCluster``. The run writes under a new subdirectory of it and removes
    that when the result is closed or garbage-collected.
    """
    dask, dd, pd, pa = _need()
    delayed = dask.delayed

    if version not in ("auto", "1.6", "2.0.1", "2.1"):
        raise UnsupportedError(f"unknown OCPP version {version!r}: expected auto, 1.6, 2.0.1 or 2.1")
    if partitions is not None and partitions < 1:
        raise UnsupportedError(f"partitions must be at least 1, not {partitions}")
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
    if partitions is None:
        partitions = max(min(len(sources), MIN_PARTITIONS), sum(sizes) // PARTITION_BYTES + 1)
    root = _scratch_root(scratch)
    tasks = [
        delayed(_extract_batch, nout=3, pure=False)(batch, forced, shape, root, partitions)
        for batch in _batches(list(enumerate(sources)), sizes)
    ]
    shares = delayed(_deal, pure=False)([t[0] for t in tasks], [t[1] for t in tasks], root, partitions)
    reports = dd.from_delayed(
        [delayed(_report_rows, pure=True)(t[2]) for t in tasks], meta=_report_meta(pd, pa), verify_meta=False
    )
    # One task per partition reads its share of the plan and its rows from the scratch store and folds
    # them; a worker holds one partition at a time, whatever the fleet's size.
    folded = [
        delayed(_fold_share, nout=2, pure=False)(shares, part, forced, lenient, rules, silence)
        for part in range(partitions)
    ]
    records = dd.from_delayed([f[0] for f in folded], meta=_meta(pd, record_schema()), verify_meta=False)
    summaries = dd.from_delayed([f[1] for f in folded], meta=_meta(pd, summary_schema()), verify_meta=False)
    return FleetResult(records, summaries, reports, client, folded, root)


def _report_meta(pd: Any, pa: Any) -> Any:
    return pd.DataFrame(
        {
            "order": pd.Series([], dtype="int64"),
            "report": pd.Series([], dtype=pd.ArrowDtype(pa.binary())),
        }
    )


def _report_rows(reports: list[tuple[int, bytes]]) -> Any:
    _, _, pd, pa = _need()
    return pd.DataFrame(
        {
            "order": pd.Series([order for order, _ in reports], dtype="int64"),
            "report": pd.Series([blob for _, blob in reports], dtype=pd.ArrowDtype(pa.binary())),
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
