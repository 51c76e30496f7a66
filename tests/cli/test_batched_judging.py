"""Frames judged in batches, one stage at a time, give what one frame at a time gives.

``ocpkit validate`` judges the frames that are ready in batches (verdicts for all
of them, then spec rules, then the conversation). Every OCPP capture in
../shared/conformance/captures is validated with batches of 1 (one frame at a
time), 3 and the command line's own size; the jsonl records, the summary and the
text report must be identical. Tiny hold limits make version decisions release
held frames in the middle of a batch.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ocpkit.cli import main
from ocpkit.cli import validate as validate_cli
from ocpkit.fleet import _fold
from tests.cli.test_legacy_records import OCPP_CAPTURES


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *argv], stdout=out, stderr=err, stdin=io.BytesIO(b""))
    return code, out.getvalue(), err.getvalue()


def _captures(shared: Path) -> list[Path]:
    files = [
        p
        for name in OCPP_CAPTURES
        for p in sorted((shared / "conformance" / "captures" / name).rglob("*"))
        if p.is_file() and p.suffix != ".md"
    ]
    assert files, "no shared captures found"
    return files


def _by_batch(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], sizes: tuple[int, ...]
) -> list[tuple[int, str, str]]:
    results = []
    for size in sizes:
        monkeypatch.setattr(validate_cli, "_JUDGED_TOGETHER", size)
        results.append(_run(argv))
    return results


def test_every_capture_same_in_batches(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compared = 0
    for path in _captures(shared):
        one, *others = _by_batch(monkeypatch, [str(path), "--report", "jsonl"], (1, 3, 256))
        for other in others:
            assert other == one, path
        compared += one[1].count("\n")
    assert compared > 1000  # records and summaries compared, not empty outputs


@pytest.mark.parametrize(
    "extra",
    [
        ["--report", "jsonl"],
        ["--report", "jsonl", "--lenient"],
        ["--report", "jsonl", "--ocpp", "1.6"],
        ["--report", "jsonl", "--rules", "schema"],
        ["-v"],
    ],
)
def test_directories_same_in_batches(shared: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str]) -> None:
    argv = [str(shared / "conformance" / "captures" / name) for name in OCPP_CAPTURES] + extra
    one, three, many = _by_batch(monkeypatch, argv, (1, 3, 256))
    assert three == one
    assert many == one
    assert len(one[1]) > 1000


def test_decisions_mid_batch(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fold, "HOLD_PER_CHARGE_POINT", 3)
    monkeypatch.setattr(_fold, "HOLD_TOTAL", 5)
    argv = [str(shared / "conformance" / "captures" / name) for name in OCPP_CAPTURES]
    one, *others = _by_batch(monkeypatch, [*argv, "--report", "jsonl"], (1, 2, 7, 256))
    for other in others:
        assert other == one
    assert '"kind": "summary"' in one[1] or '"kind":"summary"' in one[1]
