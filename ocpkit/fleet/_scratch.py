"""The scratch store of the Dask engine: a shuffle by charge point through files (private; the engine's I/O).

Theory of operation. An extract task cannot hand its frames straight to a
fold: every fold needs the version plan, which looks across all sources, so
the frames must wait until the last source is read. They wait in a directory
(any fsspec URL) rather than in a worker's memory. :class:`_Spill` packs an
extract task's frames one row per (charge point, chunk) — pickled, then
compressed — and writes them per fold partition (:func:`_partition_of`, a
hash that is the same in every process); :func:`_deal` settles the plan batch
by batch (:class:`~ocpkit.fleet._plan.PlanResolver`) and writes each
partition's share of it with the list of its files; a fold reads its index,
its share and its files. Layout of a run's directory::

    plan/b<first source>                  one extract task's version decisions
    p<partition>/b<first source>-<flush>  rows of that partition (a pickled list of Row)
    p<partition>/plan-b<first source>     that partition's share of the plan, from one batch
    p<partition>/share                    the partition's index: (its plan files, its row files)

File names depend on the inputs only, so a task run again writes the same files.
"""

from __future__ import annotations

import contextlib
import pickle
import tempfile
import uuid
import zlib
from pathlib import Path
from typing import Final

from ocpkit.fleet._plan import PlanResolver, SourcedFrame

SPILL_BYTES: Final = 16 * 1024 * 1024
"""Packed bytes an extract task holds before it writes them to the scratch store."""


def _key(station: str | None) -> str:
    # Frames without a charge-point id get a key no id can have (ids are printable text).
    return "\x00" if station is None else "=" + station


def _partition_of(key: str, partitions: int) -> int:
    """The fold partition of a charge point's key: the same in every process (``hash`` is salted)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % partitions


Row = tuple[str, int, int, bytes]
"""What the scratch store holds of a charge point's frames: (key, source order, chunk, packed frames)."""


def _pack(frames: list[SourcedFrame]) -> bytes:
    return zlib.compress(pickle.dumps(frames, protocol=5), 1)


def _unpack(blob: bytes) -> list[SourcedFrame]:
    frames: list[SourcedFrame] = pickle.loads(zlib.decompress(blob))
    return frames


def _write(url: str, data: bytes) -> None:
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as out:
        out.write(data)


def _read(url: str) -> bytes:
    import fsspec

    with fsspec.open(url, "rb") as f:
        data: bytes = f.read()
    return data


class _Spill:
    """The packed frames of an extract task, written to the scratch store per fold partition.

    One row per (charge point, chunk): the frames pickled and compressed. Rows
    are buffered per partition and written out, one file per partition that
    has any, whenever the buffer passes *limit* bytes and at the end.
    """

    def __init__(self, root: str, name: str, partitions: int, limit: int = SPILL_BYTES) -> None:
        self.root = root
        self.limit = limit
        self.name = name
        self.partitions = partitions
        self.buffers: dict[int, list[Row]] = {}
        self.held = 0
        self.chunks = 0
        self.flushes = 0
        self.written: list[tuple[int, str]] = []
        """(partition, URL) of every file written."""

    def add(self, judged: list[SourcedFrame]) -> None:
        """Pack *judged* (frames in judging order), one row per charge point among them."""
        groups: dict[str, list[SourcedFrame]] = {}
        for f in judged:
            key = _key(f.station)
            group = groups.get(key)
            if group is None:
                group = groups[key] = []
            group.append(f)
        for key, group in groups.items():
            blob = _pack(group)
            # Chunks are numbered in packing order, so a station's rows of one source keep its frames' order.
            row = (key, group[0].order, self.chunks, blob)
            self.chunks += 1
            self.buffers.setdefault(_partition_of(key, self.partitions), []).append(row)
            self.held += len(blob)
        if self.held >= self.limit:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows out, one file per partition."""
        for part, rows in sorted(self.buffers.items()):
            url = f"{self.root}/p{part:05d}/{self.name}-{self.flushes:05d}"
            _write(url, pickle.dumps(rows, protocol=5))
            self.written.append((part, url))
        self.buffers.clear()
        self.held = 0
        self.flushes += 1


def _deal(
    written: list[list[tuple[int, str]]], decisions: list[str], root: str, partitions: int
) -> list[str]:
    """Settle the plan batch by batch and write each partition's share of it to the scratch store.

    *decisions*: the batches' decision files, in input order. A partition's
    share is the version of each (source, charge point) hashed to it (and of
    the frames without an id, which go with another charge point), written one
    file per batch; its index file lists those and its files of frames.
    Returns the index files' URLs, by partition. The task holds one batch's
    decisions at a time, whatever the fleet's size.
    """
    resolver = PlanResolver()
    plans: list[list[str]] = [[] for _ in range(partitions)]
    everywhere = range(partitions)
    for url in decisions:
        shares: dict[int, dict[tuple[str, str | None], str]] = {}
        for source in pickle.loads(zlib.decompress(_read(url))):
            for d in source:
                d = resolver.resolve(d)
                assert d.version is not None
                cp = d.charge_point
                for part in everywhere if cp is None else (_partition_of(_key(cp), partitions),):
                    share = shares.get(part)
                    if share is None:
                        share = shares[part] = {}
                    share[(d.source, cp)] = d.version
        name = url.rsplit("/", 1)[-1]
        for part, share in sorted(shares.items()):
            target = f"{root}/p{part:05d}/plan-{name}"
            _write(target, pickle.dumps(share, protocol=5))
            plans[part].append(target)
    files: list[list[str]] = [[] for _ in range(partitions)]
    for batch in written:
        for part, url in batch:
            files[part].append(url)
    urls = []
    for part in range(partitions):
        url = f"{root}/p{part:05d}/share"
        _write(url, pickle.dumps((plans[part], files[part]), protocol=5))
        urls.append(url)
    return urls


def _remove(url: str) -> None:
    """Remove a scratch directory this engine made (nothing when it is gone already)."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    with contextlib.suppress(OSError):  # FileNotFoundError included
        fs.rm(path, recursive=True)


def _scratch_root(scratch: str | None) -> str:
    """A new directory for one run: under *scratch*, or a new temporary directory."""
    if scratch is None:
        return Path(tempfile.mkdtemp(prefix="ocpkit-fleet-")).as_posix()
    return f"{scratch.rstrip('/')}/ocpkit-fleet-{uuid.uuid4().hex}"
