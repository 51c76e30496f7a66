"""``ocpkit validate --engine dask``: the same command line on a local Dask cluster, the same reports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ocpkit.cli import main
from tests.fleet.conftest import canonical, cli_jsonl
from tests.fleet.test_dask import _need

_need("distributed")
_need("dask.dataframe")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_jsonl_report_on_dask_equals_the_local_one(fleet_dir: Path) -> None:
    expected, local_summary = cli_jsonl(str(fleet_dir))
    code, out, _ = run("--engine", "dask", "--workers", "2", "--report", "jsonl", str(fleet_dir))
    rows = [json.loads(line) for line in out.splitlines()]
    summary = rows.pop()
    assert code == local_summary["exit_code"] == 1
    assert canonical(rows) == canonical(expected)
    # The summary's counts are the local run's; only which entries its cut lists show may differ.
    for key in (
        "frames",
        "valid",
        "invalid",
        "by_kind",
        "by_action",
        "by_charge_point",
        "by_code",
        "by_keyword",
        "findings",
        "findings_total",
        "unanswered_calls",
        "unpaired_results",
        "sources",
        "sources_total",
        "verdict",
        "versions_total",
        "failed_inputs",
    ):
        assert summary[key] == local_summary[key], key
    assert sorted(json.dumps(v, sort_keys=True) for v in summary["versions"]) == sorted(
        json.dumps(v, sort_keys=True) for v in local_summary["versions"]
    )


def test_parquet_report_and_a_failed_input(fleet_dir: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    empty = tmp_path / "empty.log"
    empty.write_text("")
    target = tmp_path / "out"
    code, out, err = run(
        str(fleet_dir), str(empty), "--engine", "dask", "--workers", "1", "--report", "parquet", str(target)
    )
    assert code == 2  # the empty input outranks the violations, as in a local run
    assert "empty.log: empty file" in err
    records = pq.read_table(target / "records")
    expected, _ = cli_jsonl(str(fleet_dir))
    assert records.num_rows == len(expected)
    assert pq.read_table(target / "summaries").num_rows == 12
    assert f"wrote {len(expected)} records" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--report", "parquet"], "parquet needs a directory"),
        (["--report", "parquet", "out", "x.log"], "--report parquet needs --engine dask"),
        (["x.log", "--workers", "2"], "need --engine dask"),
        (["-", "--engine", "dask"], "not stdin"),
        (["--engine", "dask", "no-such-file.log"], "no such file or directory"),
        (["--report", "xml", "x.log"], "invalid choice: 'xml'"),
        (["--report", "jsonl"], "required: FILE"),
    ],
)
def test_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.log").write_text('[2,"1","Heartbeat",{}]\n')
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert message in err


def test_names_after_report_are_inputs(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text('[2,"1","Heartbeat",{}]\n')
    code, out, _ = run("--report", "jsonl", str(log))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows[0]["source"] == str(log) and rows[-1]["kind"] == "summary"


def test_scratch_names_where_the_frames_wait_and_is_left_clean(fleet_dir: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    expected, _ = cli_jsonl(str(fleet_dir))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code, _, _ = run(
        "--engine", "dask", "--workers", "1", "--scratch", str(scratch),
        "--report", "parquet", str(tmp_path / "out"), str(fleet_dir),
    )  # fmt: skip
    assert code == 1
    assert pq.read_table(tmp_path / "out" / "records").num_rows == len(expected)
    # The run's own directory under it is gone once the command is done.
    assert list(scratch.iterdir()) == []
