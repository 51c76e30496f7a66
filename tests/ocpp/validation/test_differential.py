"""Differential test: ocpkit's verdict equals the oracle's on every frame of a seeded corpus.

CI runs a slice (``OCPKIT_CORPUS_FRAMES`` frames per version, 4000 by default)
with every combination of verdict engine (jsonschema-rs or the exact checker
alone) and decoder (orjson or the standard library); the full run of 100k
frames per version is ``python -m tests.ocpp.corpus``. Each version also gets
``OCPKIT_SCHEMA_DRAWS`` (100) hypothesis-jsonschema draws from randomly chosen
official schemas.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from ocpkit.ocpp import _json, validation
from ocpkit.ocpp.validation import _fast, _structs, check_frame, check_payload
from tests.conftest import shared_dir
from tests.ocpp import oracle
from tests.ocpp.corpus import MUTATIONS, generate

FRAMES = int(os.environ.get("OCPKIT_CORPUS_FRAMES", "4000"))
DRAWS = int(os.environ.get("OCPKIT_SCHEMA_DRAWS", "100"))


@pytest.fixture(params=["structs+rs+orjson", "rs+orjson", "structs+exact", "exact+stdlib"])
def stack(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every accelerator, each lane on its own before the exact checker, and none."""
    if "structs" not in request.param:
        monkeypatch.setattr(_structs, "_msgspec", None)
    elif not _structs.HAVE_MSGSPEC:
        pytest.skip("msgspec not installed")
    if "exact" in request.param:
        monkeypatch.setattr(_fast, "_rs", None)
        monkeypatch.setattr(_json, "_orjson", None)
    elif not (validation.HAVE_FAST_ENGINE and _json.HAVE_ORJSON):
        pytest.skip("jsonschema-rs or orjson not installed")
    monkeypatch.setattr(_fast, "_COMPILED", {})
    monkeypatch.setattr(_fast, "LANES", _fast._Lanes())
    yield request.param


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_corpus_verdicts_equal_the_oracle(version: str, stack: str, shared: Path) -> None:
    disagreements = []
    kinds: dict[str, int] = {}
    refused = 0
    for raw, action, kind in generate(shared, version, FRAMES, seed=3):
        kinds[kind] = kinds.get(kind, 0) + 1
        ours = check_frame(raw, version, action=action)
        expected = oracle.frame_verdict(shared, raw, version, action)
        refused += not expected[0]
        if (ours.ok, ours.unpaired) != expected:
            disagreements.append((kind, raw[:200], action, ours.violations[:2], expected))
    assert disagreements == []
    # the slice exercises every mutation kind and both verdicts
    assert set(MUTATIONS) - {"unknown_action", "unpaired_result", "multiple_of"} <= set(kinds), sorted(kinds)
    assert FRAMES * 0.1 < refused < FRAMES * 0.6


def test_differential_detects_a_wrong_verdict(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness is not blind: a checker that accepts leap seconds is caught."""
    from ocpkit.ocpp.validation import _exact as _schemacheck

    monkeypatch.setattr(_fast, "_rs", None)
    monkeypatch.setattr(_fast, "_COMPILED", {})
    monkeypatch.setattr(_fast, "LANES", _fast._Lanes())
    monkeypatch.setitem(_schemacheck._FORMATS, "date-time", lambda s: True)  # type: ignore[attr-defined]
    raw = b'[2,"m","Heartbeat",{}]'
    assert check_frame(raw, "1.6").ok == oracle.frame_verdict(shared, raw, "1.6")[0]
    raw = b'[3,"m",{"currentTime":"2016-12-31T23:59:60Z"}]'
    assert (
        check_frame(raw, "1.6", action="Heartbeat").ok
        != oracle.frame_verdict(shared, raw, "1.6", "Heartbeat")[0]
    )


def _schemas(version: str) -> list[tuple[str, str]]:
    shared = shared_dir()
    if shared is None:
        return []
    out = []
    for action, has_response in sorted(oracle.official_actions(shared, version).items()):
        out.append((action, "request"))
        if has_response:
            out.append((action, "response"))
    return out


def _draw_and_compare(version: str, action: str, direction: str, data: st.DataObject) -> None:
    shared = shared_dir()
    assert shared is not None
    schema = oracle.load_schema(shared, version, action, direction)
    # hypothesis-jsonschema cannot resolve local $ref under a URN $id; the id is not a rule. It
    # rewrites the subschemas it is given in place (a boolean type becomes an enum of booleans), so it
    # gets a copy: the oracle's cached schema is shared with the corpus generator.
    drawable = copy.deepcopy({k: v for k, v in schema.items() if k not in ("$id", "id")})
    payload: Any = data.draw(from_schema(drawable))
    expected = oracle.payload_ok(shared, version, action, direction, payload)
    assert (check_payload(version, action, direction, payload) == ()) == expected
    text = _json.encode(payload)
    assert (check_payload(version, action, direction, text) == ()) == oracle.payload_ok(
        shared, version, action, direction, oracle.decode(text)
    )


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
@settings(max_examples=DRAWS, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_hypothesis_draws(version: str, data: st.DataObject) -> None:
    """hypothesis-jsonschema draws from randomly chosen official schemas: same verdict as the oracle."""
    if shared_dir() is None:
        pytest.skip("reference material not found")
    action, direction = data.draw(st.sampled_from(_schemas(version)))
    _draw_and_compare(version, action, direction, data)
