"""validate_partition gives the command line's records, whatever the partitioning; summaries merge."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ocpkit.fleet import (
    RECORD_KEYS,
    SourcedFrame,
    Summary,
    record_schema,
    records_to_arrow,
    resolve_plan,
    sourced_frames,
    summaries_to_arrow,
    summary_schema,
    validate_partition,
)
from tests.fleet.conftest import canonical, cli_jsonl, read_inputs

pa = pytest.importorskip("pyarrow")


def _captures(shared: Path) -> list[Path]:
    base = shared / "conformance" / "captures"
    return sorted(
        p for p in base.rglob("*") if p.is_file() and "ocpi" not in p.parts and p.name != "README.md"
    )


def _partitions(frames: list[SourcedFrame], n: int, seed: int) -> list[list[SourcedFrame]]:
    """Frames dealt to *n* partitions by charge point (as a shuffle does), each in random order."""
    parts: list[list[SourcedFrame]] = [[] for _ in range(n)]
    stations = sorted({f.station or "" for f in frames})
    rng = random.Random(seed)
    home = {s: rng.randrange(n) for s in stations}
    for f in frames:
        parts[home[f.station or ""]].append(f)
    for part in parts:
        rng.shuffle(part)
    return parts


def test_one_source_as_lines_gives_the_command_line_records(shared: Path) -> None:
    files = _captures(shared)
    assert len(files) > 20
    for path in files:
        expected, _ = cli_jsonl(str(path))
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        got = [r.as_json() for r in validate_partition(lines, source=str(path))]
        assert canonical(got) == canonical(expected), path


def test_partitions_of_all_shared_captures_give_the_command_line_records(shared: Path) -> None:
    base = str(shared / "conformance" / "captures")
    expected, summary = cli_jsonl(base)
    frames, decisions = read_inputs([base])
    plan = resolve_plan(decisions)
    got = []
    for part in _partitions(frames, 5, seed=7):
        got += [r.as_json() for r in validate_partition(part, version=plan)]
    assert len(got) == summary["frames"] > 20_000
    assert canonical(got) == canonical(expected)


def test_generated_fleet_split_across_files(fleet_dir: Path) -> None:
    expected, summary = cli_jsonl(str(fleet_dir))
    frames, decisions = read_inputs([str(fleet_dir)])
    # Each charge point's frames are in several files.
    files_of: dict[str | None, set[str]] = {}
    for f in frames:
        files_of.setdefault(f.frame.charge_point, set()).add(f.source)
    assert len(files_of) == 12 and all(len(s) >= 2 for s in files_of.values())
    plan = resolve_plan(decisions)
    summaries: dict[str | None, Summary] = {}
    got = []
    for part in _partitions(frames, 3, seed=1):
        got += [r.as_json() for r in validate_partition(part, version=plan, summaries=summaries)]
    assert canonical(got) == canonical(expected)
    assert summary["invalid"] > 0 and summary["unanswered_calls"] > 0
    # The merged per-charge-point summaries count what the command line's summary counts.
    total = Summary()
    for s in summaries.values():
        total = total.merge(s)
    assert total.frames == summary["frames"]
    assert total.invalid == summary["invalid"]
    assert dict(total.by_kind) == summary["by_kind"]
    assert dict(total.by_code) == summary["by_code"]
    assert total.unanswered == summary["unanswered_calls"]
    assert total.findings_total == summary["findings_total"]
    assert dict(total.findings) == summary["findings"]
    assert dict(total.charge_points) == {cp: x["frames"] for cp, x in summary["by_charge_point"].items()}


def test_records_of_one_charge_point_come_in_log_time_order(fleet_dir: Path) -> None:
    frames, decisions = read_inputs([str(fleet_dir)])
    one = [f for f in frames if f.frame.charge_point == "CP-00003"]
    records = list(validate_partition(one, version=resolve_plan(decisions)))
    stamps = [r.timestamp for r in records]
    assert len(records) == len(one) and None not in stamps
    assert stamps == sorted(stamps)  # ISO stamps of one zone sort as times
    # The files' sorted order is not the time order, so the records do not follow the files.
    sources = [r.source for r in records]
    assert sources != sorted(sources)


def test_a_charge_point_without_evidence_borrows_the_runs_version_across_sources(tmp_path: Path) -> None:
    # The first source's charge point is plainly 2.0.1; the second's sends only Heartbeat, which
    # every version has: the command line takes the version the run's other frames use.
    first = tmp_path / "a.log"
    boot = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
    first.write_text(
        json.dumps({"chargePointId": "A", "raw": json.dumps([2, "1", "BootNotification", boot])}) + "\n"
    )
    second = tmp_path / "b.log"
    second.write_text(
        "".join(
            json.dumps({"chargePointId": "B", "raw": json.dumps([2, str(i), "Heartbeat", {}])}) + "\n"
            for i in range(3)
        )
    )
    expected, _ = cli_jsonl(str(first), str(second))
    assert {r["version"] for r in expected if r["charge_point"] == "B"} == {"2.0.1"}
    frames, decisions = read_inputs([str(first), str(second)])
    b_frames = [f for f in frames if f.frame.charge_point == "B"]
    planned = [r.as_json() for r in validate_partition(b_frames, version=resolve_plan(decisions))]
    assert canonical(planned) == canonical([r for r in expected if r["charge_point"] == "B"])
    # Alone, the second source's charge point cannot know the run: it falls back to 1.6.
    alone = {r.version for r in validate_partition(b_frames)}
    assert alone == {"1.6"}


def test_summary_merge_is_associative(fleet_dir: Path) -> None:
    frames, decisions = read_inputs([str(fleet_dir)])
    plan = resolve_plan(decisions)
    summaries: dict[str | None, Summary] = {}
    for part in _partitions(frames, 4, seed=3):
        list(validate_partition(part, version=plan, summaries=summaries))
    a, b, c, *rest = summaries.values()
    assert rest
    left = a.merge(b).merge(c).as_dict()
    right = a.merge(b.merge(c)).as_dict()
    assert left == right
    assert left["frames"] == a.frames + b.frames + c.frames
    # The reliability figures of the three charge points are kept apart.
    assert len(left["reliability"]) == 3


def test_records_convert_to_arrow_in_the_documented_schema(fleet_dir: Path) -> None:
    path = max(fleet_dir.iterdir(), key=lambda p: p.stat().st_size)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    summaries: dict[str | None, Summary] = {}
    records = list(validate_partition(lines, source=str(path), summaries=summaries))
    table = records_to_arrow(records)
    assert table.schema == record_schema()
    assert table.num_rows == len(records)
    rows = table.to_pylist()
    assert [{k: row[k] for k in RECORD_KEYS} for row in rows] == [r.as_json() for r in records]
    assert any(row["violations"] for row in rows)
    table = summaries_to_arrow(summaries)
    assert table.schema == summary_schema()
    assert sorted(table.column("charge_point").to_pylist()) == sorted(c for c in summaries if c)
    row = table.to_pylist()[0]
    assert json.loads(row["reliability"])[row["charge_point"]]["observed_seconds"] > 0
    assert row["frames"] == summaries[row["charge_point"]].frames


def test_sourced_frames_keep_the_sources_judging_order() -> None:
    lines = [
        json.dumps({"chargePointId": "X", "raw": json.dumps([2, str(i), "Heartbeat", {}])}) for i in range(4)
    ]
    frames, decisions = sourced_frames(lines, "mem", order=3)
    assert [f.seq for f in frames] == [0, 1, 2, 3]
    assert {f.order for f in frames} == {3} and {f.station for f in frames} == {"X"}
    assert [(d.charge_point, d.held) for d in decisions] == [("X", 4)]


def test_text_lines_read_gzip_and_refuse_binary() -> None:
    import gzip
    import io

    from ocpkit.fleet import StreamRefused, text_lines

    lines = text_lines("x.gz", io.BytesIO(gzip.compress(b'[2,"1","Heartbeat",{}]\n\xff\n')))
    assert list(lines) == ['[2,"1","Heartbeat",{}]\n', "\ufffd\n"]
    assert lines.bad_lines == {2}
    with pytest.raises(StreamRefused, match="binary data") as caught:
        text_lines("x.bin", io.BytesIO(b"\x00\x01\x02"))
    assert caught.value.reason == "binary"
