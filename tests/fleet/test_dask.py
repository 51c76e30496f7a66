"""The Dask engine on a real LocalCluster (2 worker processes on 127.0.0.1) gives ocpkit validate's records.

Skips when the fleet extra is not installed, unless OCPKIT_REQUIRE_FLEET=1 (CI), which makes it fail.
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.conftest import canonical, cli_jsonl


def _need(module: str) -> Any:
    try:
        return pytest.importorskip(module)
    except pytest.skip.Exception:
        if os.environ.get("OCPKIT_REQUIRE_FLEET") == "1":
            pytest.fail(f"{module} is not installed (pip install '.[fleet]')")
        raise


_need("pandas")
_need("pyarrow")
_need("dask.dataframe")
distributed = _need("distributed")

from ocpkit.fleet import RECORD_KEYS  # noqa: E402
from ocpkit.fleet.dask import FleetResult, expand, summary_of, validate  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


def _records(result: FleetResult) -> tuple[list[dict[str, Any]], Any, list[Any]]:
    import pyarrow as pa

    records, summaries, reports = result.compute()
    rows = pa.Table.from_pandas(records, preserve_index=False).to_pylist()
    return [{k: row[k] for k in RECORD_KEYS} for row in rows], summaries, reports


def test_the_cluster_has_two_worker_processes(client: Any) -> None:
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


def test_shared_captures_record_for_record(client: Any, shared: Path) -> None:
    base = str(shared / "conformance" / "captures")
    expected, summary = cli_jsonl(base)
    got, summaries, reports = _records(validate(base, client=client))
    assert len(got) == summary["frames"]
    assert canonical(got) == canonical(expected)
    assert [r.source for r in reports] == [name for name, _, _ in expand([base])]
    assert sum(r.frames for r in reports) == summary["frames"]
    total = summary_of(summaries)
    assert total.frames == summary["frames"] and total.invalid == summary["invalid"]
    assert dict(total.by_code) == summary["by_code"]


def test_generated_fleet_split_across_files_record_for_record(
    client: Any, fleet_dir: Path, tmp_path: Path
) -> None:
    # One of the files gzip-compressed, as captures are archived.
    inputs = tmp_path / "in"
    shutil.copytree(fleet_dir, inputs)
    first = sorted(inputs.iterdir())[0]
    with first.open("rb") as src, gzip.open(first.with_suffix(".jsonl.gz"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    first.unlink()
    expected, summary = cli_jsonl(str(inputs))
    got, summaries, _ = _records(validate(str(inputs), client=client, partitions=3))
    assert canonical(got) == canonical(expected)
    assert summary["invalid"] > 0 and summary["findings_total"] > 0
    assert sorted(summaries["charge_point"].tolist()) == [f"CP-{i:05d}" for i in range(12)]
    total = summary_of(summaries)
    assert total.frames == summary["frames"]
    assert total.unanswered == summary["unanswered_calls"]
    assert dict(total.findings) == summary["findings"]
    assert dict(total.charge_points) == {cp: x["frames"] for cp, x in summary["by_charge_point"].items()}


def test_forced_version_record_for_record(client: Any, fleet_dir: Path) -> None:
    expected, _ = cli_jsonl(str(fleet_dir), "--ocpp", "1.6", "--lenient")
    got, _, _ = _records(validate([str(fleet_dir)], client=client, version="1.6", lenient=True))
    assert canonical(got) == canonical(expected)


def test_to_parquet_writes_records_and_summaries(client: Any, fleet_dir: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from ocpkit.fleet import record_schema

    validate(str(fleet_dir), client=client).to_parquet(str(tmp_path / "out"))
    records = pq.read_table(tmp_path / "out" / "records")
    summaries = pq.read_table(tmp_path / "out" / "summaries")
    expected, summary = cli_jsonl(str(fleet_dir))
    assert records.num_rows == len(expected) == summary["frames"]
    assert records.schema.names == record_schema().names
    assert summaries.num_rows == 12
    rows = [{k: row[k] for k in RECORD_KEYS} for row in records.to_pylist()]
    assert canonical(rows) == canonical(expected)


def test_a_missing_input_is_an_ocpkit_error(client: Any, tmp_path: Path) -> None:
    from ocpkit.errors import CaptureError

    with pytest.raises(CaptureError, match="no such file"):
        validate(str(tmp_path / "absent.log"), client=client)


def test_an_unknown_version_is_an_ocpkit_error(client: Any, fleet_dir: Path) -> None:
    from ocpkit.errors import UnsupportedError

    with pytest.raises(UnsupportedError, match=r"unknown OCPP version '1\.5'"):
        validate(str(fleet_dir), client=client, version="1.5")


def test_an_extract_task_spills_frames_in_chunks_that_fold_back_in_order(
    fleet_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle
    import random

    import pyarrow as pa

    from ocpkit.fleet import _scratch as scratch
    from ocpkit.fleet import dask as engine
    from ocpkit.fleet import resolve_plan

    monkeypatch.setattr(engine, "CHUNK_FRAMES", 50)
    path = str(max(fleet_dir.iterdir(), key=lambda p: p.stat().st_size))
    spill = scratch._Spill(tmp_path.as_posix(), "b0", 3, limit=4096)
    report = engine._extract(path, path, 0, False, None, None, spill)
    spill.flush()
    assert report.failure is None and report.frames > 200
    # Written out several times over, each file holding rows of its own partition only.
    assert spill.flushes > 2
    rows = []
    for part, url in spill.written:
        held = pickle.loads(scratch._read(url))
        assert {scratch._partition_of(row[0], 3) for row in held} == {part}
        rows.extend(held)
    stations = {row[0] for row in rows}
    # More rows than charge points: each one's frames are spread over several chunks.
    assert len(rows) > len(stations) > 1
    random.Random(3).shuffle(rows)
    plan = {key: d.version for key, d in resolve_plan(report.decisions).items() if d.version is not None}
    records, summaries = engine._fold(rows, plan, None, False, "spec", None)
    got = [
        {k: r[k] for k in RECORD_KEYS}
        for r in pa.Table.from_pandas(records, preserve_index=False).to_pylist()
    ]
    expected, _ = cli_jsonl(path)
    assert canonical(got) == canonical(expected)
    assert len(summaries) == len(stations)


def test_the_scratch_directory_holds_the_run_until_it_is_closed(
    client: Any, fleet_dir: Path, tmp_path: Path
) -> None:
    scratch = tmp_path / "scratch"
    result = validate(str(fleet_dir), client=client, scratch=scratch.as_uri(), partitions=2)
    got, _, _ = _records(result)
    (run,) = scratch.iterdir()
    # The version decisions of each extract task, and per partition its frames, plan shares and index.
    assert sorted(p.name for p in run.iterdir()) == ["p00000", "p00001", "plan"]
    for part in ("p00000", "p00001"):
        names = {p.name.split("-")[0] for p in (run / part).iterdir()}
        assert names == {"b0000000", "plan", "share"}
    result.close()
    assert not run.exists()
    expected, _ = cli_jsonl(str(fleet_dir))
    assert canonical(got) == canonical(expected)


def test_the_default_scratch_directory_goes_with_the_result(client: Any, fleet_dir: Path) -> None:
    import gc

    result = validate(str(fleet_dir), client=client)
    assert result.scratch is not None
    run = Path(result.scratch)
    result.compute()
    assert run.is_dir()
    del result
    gc.collect()
    assert not run.exists()


def test_a_bag_of_paths_is_read_like_the_paths(client: Any, fleet_dir: Path) -> None:
    import dask.bag as db

    paths = sorted(str(p) for p in fleet_dir.iterdir())
    expected, _ = cli_jsonl(*paths)
    got, _, reports = _records(validate(db.from_sequence(paths, npartitions=2), client=client))
    assert canonical(got) == canonical(expected)
    assert [r.source for r in reports] == paths
