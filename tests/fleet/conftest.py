"""Helpers of the fleet tests: the command line's jsonl records, and frames read as an engine reads them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from ocpkit.capture._lines import Lines, Prefixed
from ocpkit.cli import main
from ocpkit.cli._inputs import InputError, expand, open_source
from ocpkit.fleet import Decision, SourcedFrame, sourced_frames
from tests.fleet.generate import write_fleet


def cli_jsonl(*args: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``ocpkit validate ARGS --report jsonl``: the frame records and the summary."""
    out = io.StringIO()
    main(["validate", *args, "--report", "jsonl"], stdout=out, stderr=io.StringIO())
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows and rows[-1]["kind"] == "summary"
    return rows[:-1], rows[-1]


def canonical(records: list[dict[str, Any]]) -> list[str]:
    """The records as a sorted list of JSON texts: equal lists are equal multisets of records."""
    return sorted(json.dumps(r, sort_keys=True) for r in records)


def read_inputs(names: list[str]) -> tuple[list[SourcedFrame], list[Decision]]:
    """Every input's frames and version decisions, read as the command line reads them, in input order."""
    frames: list[SourcedFrame] = []
    decisions: list[Decision] = []
    for order, item in enumerate(expand(names)):
        try:
            opened = open_source(item, io.BytesIO())
        except InputError:
            continue
        lines = Lines(Prefixed(opened.first, opened.stream))
        try:
            f, d = sourced_frames(lines, item.name, order=order, bad_lines=lines.bad_lines)
        finally:
            opened.raw.close()
        frames += f
        decisions += d
    return frames, decisions


@pytest.fixture(scope="session")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated fleet of 12 charge points, each one's frames spread over 4 files out of time order."""
    directory = tmp_path_factory.mktemp("fleet")
    write_fleet(directory, charge_points=12, frames_per_cp=150, files=4)
    return directory
