"""The capture reader's action tables (derived from the generated sender table) against the official schema file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocpkit.capture._facts import (
    ACTIONS_V16,
    ACTIONS_V21,
    ACTIONS_V201,
    BOTH_SENDERS,
    CP_SENDS,
    ONLY_V2X,
    ONLY_V16,
    ONLY_V21,
    PAYLOAD_MARKS,
)

pytestmark = pytest.mark.shared


def schema_actions(folder: Path) -> set[str]:
    names = {p.stem for p in folder.glob("*.json")}
    return {n.removesuffix("Request") for n in names if not n.endswith("Response")}


def test_action_lists_match_the_schema_files(shared: Path) -> None:
    specs = shared / "specs" / "ocpp"
    assert schema_actions(specs / "v16") == ACTIONS_V16
    assert schema_actions(specs / "v201") == ACTIONS_V201
    assert schema_actions(specs / "v21") == ACTIONS_V21
    assert (len(ACTIONS_V16), len(ACTIONS_V201), len(ACTIONS_V21)) == (39, 64, 91)


def test_derived_sets() -> None:
    assert ONLY_V21 == ACTIONS_V21 - ACTIONS_V201
    assert not ONLY_V16 & ACTIONS_V201 and not ONLY_V2X & ACTIONS_V16
    assert {"StartTransaction", "StopTransaction", "RemoteStartTransaction"} <= ONLY_V16
    assert "TransactionEvent" in ONLY_V2X
    assert CP_SENDS <= ACTIONS_V16 | ACTIONS_V21 and not CP_SENDS & BOTH_SENDERS
    assert all(action in ACTIONS_V16 | ACTIONS_V21 for action, _ in PAYLOAD_MARKS)
