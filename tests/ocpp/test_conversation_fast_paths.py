"""The judging fold's path (``feed_captured``) reads capture records as ``feed`` does.

``feed_captured`` reads a record's frame inline and hands its fields straight to
the CALL and answer steps; ``feed`` goes through :func:`from_captured` and the
``Msg`` record. Both must give the same findings, in the same order, for any
record: the shared captures, and odd frames built here.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.capture import CapturedFrame, read_capture
from ocpkit.capture._types import Confidence, Direction, Timestamp
from ocpkit.ocpp.conversation import Conversation, _exchange
from ocpkit.ocpp.watch import Exchange

VERSIONS = ("1.6", "2.0.1", "2.1")


def _both(frames: list[CapturedFrame], version: str, **options: Any) -> tuple[list[Any], list[Any]]:
    """What each path says, frame by frame (findings and the call answered), then at the end."""
    fast, slow = Conversation(version, **options), Conversation(version, **options)
    said_fast: list[Any] = []
    said_slow: list[Any] = []
    for frame in frames:
        said_fast.append((fast.feed_captured(frame, frame.line), fast.answered))
        said_slow.append((slow.feed(frame, ref=frame.line), slow.answered))
    said_fast.append(fast.finish())
    said_slow.append(slow.finish())
    return said_fast, said_slow


def _captures(shared: Path) -> list[Path]:
    root = shared / "conformance" / "captures"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.md")


@pytest.mark.shared
def test_every_shared_capture_gives_the_same_findings_on_both_paths(shared: Path) -> None:
    files = _captures(shared)
    assert len(files) > 100
    told = 0
    for path in files:
        with path.open(encoding="utf-8", errors="replace") as fh:
            frames = list(read_capture(fh))
        for version in VERSIONS:
            for options in ({}, {"call_timeout": timedelta(seconds=20), "policy": "strict"}):
                fast, slow = _both(frames, version, **options)
                assert fast == slow, (path, version, options)
                told += sum(len(f) for f, _ in fast[:-1])
    assert told > 1000  # the captures do reach the findings


def _record(
    value: Any, line: int, stamp: datetime | None, direction: Direction, cp: str | None
) -> CapturedFrame:
    timestamp = None if stamp is None else Timestamp(stamp.isoformat(), stamp, stamp.tzinfo is None)
    return CapturedFrame(
        line, line, "call", "", value, None, timestamp, direction, Confidence.HIGH, "", cp, None, None, ""
    )


_IDS = st.sampled_from(["1", "2", "3", 7, None])
_ACTIONS = st.sampled_from(
    [
        "Heartbeat",
        "BootNotification",
        "MeterValues",
        "StartTransaction",
        "StopTransaction",
        "Authorize",
        "StatusNotification",
        "TransactionEvent",
        "NoSuchAction",
        5,
    ]
)
_PAYLOADS = st.one_of(
    st.none(),
    st.just([]),
    st.just(
        {
            "transactionId": 1,
            "connectorId": 1,
            "meterValue": [{"timestamp": "2026-01-01T00:00:00Z", "sampledValue": [{"value": "5"}]}],
        }
    ),
    st.just({"status": "Accepted", "interval": 60, "transactionId": 1, "idTagInfo": {"status": "Accepted"}}),
    st.just({"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": "2026-01-01T00:00:00Z"}),
)
_VALUES = st.one_of(
    st.builds(lambda t, i, a, p: [t, i, a, p], st.sampled_from([2, 6]), _IDS, _ACTIONS, _PAYLOADS),
    st.builds(lambda t, i, a: [t, i, a], st.sampled_from([2, 6]), _IDS, _ACTIONS),
    st.builds(lambda i, p: [3, i, p], _IDS, _PAYLOADS),
    st.builds(lambda i: [3, i], _IDS),
    st.builds(
        lambda t, i, c: [t, i, c, "", {}],
        st.sampled_from([4, 5]),
        _IDS,
        st.sampled_from(["NotSupported", "Bad", 3]),
    ),
    st.builds(lambda t, i: [t, i], st.sampled_from([4, 5]), _IDS),
    st.sampled_from(
        [None, [], [2], ["2", "1", "Heartbeat", {}], [True, "1", "Heartbeat", {}], [9, "1"], {"a": 1}]
    ),
)
_BASE = datetime(2026, 1, 1)
_STAMPS = st.one_of(
    st.none(),
    st.integers(0, 100).map(lambda s: _BASE + timedelta(seconds=s)),
    st.integers(0, 100).map(lambda s: (_BASE + timedelta(seconds=s)).replace(tzinfo=UTC)),
)
_FRAMES = st.lists(
    st.tuples(
        _VALUES,
        _STAMPS,
        st.sampled_from([Direction.CP_TO_CSMS, Direction.CSMS_TO_CP, Direction.UNKNOWN]),
        st.sampled_from(["CP1", "CP2", None]),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_FRAMES, st.sampled_from(VERSIONS), st.booleans())
def test_odd_records_give_the_same_findings_on_both_paths(
    items: list[tuple[Any, datetime | None, Direction, str | None]], version: str, timeout: bool
) -> None:
    frames = [_record(v, n, t, d, cp) for n, (v, t, d, cp) in enumerate(items, 1)]
    options: dict[str, Any] = {"call_timeout": timedelta(seconds=10)} if timeout else {}
    fast, slow = _both(frames, version, **options)
    assert fast == slow


def test_a_shared_stamp_object_is_made_aware_once_and_alike() -> None:
    naive = datetime(2026, 1, 1, 12)
    frames = [
        _record([2, "1", "Heartbeat", {}], 1, naive, Direction.CP_TO_CSMS, "CP"),
        _record([3, "1", {"currentTime": "x"}], 2, naive, Direction.CSMS_TO_CP, "CP"),
        _record([2, "2", "Heartbeat", {}], 3, None, Direction.CP_TO_CSMS, "CP"),
    ]
    fast, slow = _both(frames, "1.6", call_timeout=timedelta(seconds=1))
    assert fast == slow


def test_exchanges_built_by_the_fold_equal_those_of_the_constructor() -> None:
    values = ("1.6", "CP", "MeterValues", "m1", "cp", {"a": 1}, "result", {}, None, None, None, 3, 4)
    built, made = _exchange(*values), Exchange(*values)
    assert type(built) is Exchange
    assert built == made and repr(built) == repr(made)
    assert dataclasses.astuple(built) == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.action = "Heartbeat"  # type: ignore[misc]
