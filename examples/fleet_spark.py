"""Validate a fleet's captures with Spark: ocpkit.fleet's pure fold in ``mapInArrow``.

The recipe of the fleet how-to (``docs/howto/fleet.md``), run by
``tests/fleet/test_spark.py``. Each source is read by one task
(:func:`ocpkit.fleet.sourced_frames`), the version decisions (small) are
settled on the driver (:func:`ocpkit.fleet.resolve_plan`) and broadcast, the
frames are repartitioned by charge point, and ``mapInArrow`` folds each
partition into Arrow record batches of :func:`ocpkit.fleet.record_schema`.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ocpkit.fleet import (
    SourcedFrame,
    records_to_arrow,
    resolve_plan,
    sourced_frames,
    text_lines,
    validate_partition,
)

# The records' Arrow schema in Spark's words.
RECORDS_DDL = (
    "source string, line long, charge_point string, message_id string, timestamp string, "
    "direction string, version string, kind string, action string, ok boolean, "
    "violations array<struct<path:string,frame_path:string,keyword:string,code:string,message:string>>, "
    "findings array<struct<severity:string,code:string,message:string,path:string>>, "
    "tolerated array<int>, notes array<string>"
)


def extract(item: tuple[int, str]) -> tuple[list[tuple[str | None, int, bytes]], list[Any]]:
    """One source: its frames grouped by charge point (pickled) and its version decisions."""
    order, path = item
    with open(path, "rb") as raw:  # or fsspec.open(url, "rb") for remote captures
        lines = text_lines(path, raw)
        frames, decisions = sourced_frames(lines, path, order=order, bad_lines=lines.bad_lines)
    groups: dict[str | None, list[SourcedFrame]] = {}
    for frame in frames:
        groups.setdefault(frame.station, []).append(frame)
    return [(station, order, pickle.dumps(group)) for station, group in groups.items()], decisions


def validate_with_spark(spark: Any, paths: list[str], *, partitions: int = 8) -> Any:
    """A Spark DataFrame of the records of ``ocpkit validate PATHS`` (lazy but for the version plan)."""
    from pyspark import StorageLevel

    sc = spark.sparkContext
    extracted = sc.parallelize(list(enumerate(paths)), max(1, len(paths))).map(extract)
    extracted = extracted.persist(StorageLevel.MEMORY_AND_DISK)
    decisions = extracted.map(lambda x: x[1]).collect()  # in input order
    plan = sc.broadcast(resolve_plan(d for ds in decisions for d in ds))
    rows = extracted.flatMap(lambda x: x[0])
    frames = spark.createDataFrame(rows, "station string, order long, frames binary")

    def fold(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        by_station: dict[str | None, list[SourcedFrame]] = {}
        for batch in batches:
            stations, blobs = batch.column("station").to_pylist(), batch.column("frames").to_pylist()
            for station, blob in zip(stations, blobs, strict=True):
                by_station.setdefault(station, []).extend(pickle.loads(blob))
        for group in by_station.values():
            yield from records_to_arrow(validate_partition(group, version=plan.value)).to_batches()

    return frames.repartition(partitions, "station").mapInArrow(fold, RECORDS_DDL)
