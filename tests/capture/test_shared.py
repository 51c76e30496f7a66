"""The capture reader on every OCPP capture in ../shared/conformance/captures.

Expected frame counts are the README's table (counted there with an
independent raw_decode scan); expected directions, ids and line numbers are
derived here from the files with plain string searches, not from the reader.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ocpkit.capture import (
    CapturedFrame,
    CaptureReader,
    Confidence,
    Direction,
    detect_version,
    detect_versions,
)

pytestmark = pytest.mark.shared

# path under captures/ -> (shape, total, CALL, CALLRESULT, CALLERROR), from the README.
LOGS: dict[str, tuple[str, int, int, int, int]] = {
    "Dynamic_OCPP_EVSE/33f96c8/dev/tests/debug.log": ("ha", 124, 64, 60, 0),
    "Dynamic_OCPP_EVSE/4988ad6/dev/tests/debug.log": ("ha", 126, 63, 63, 0),
    "OCPP-Tester/a055839/server.log": ("ansi-raw", 17, 1, 16, 0),
    "client_ocpp_sim/6e7b4d1/ocpp.log": ("pylog", 5519, 2762, 1967, 790),
    "libocpp/tests/lib/ocpp/v201/json/OCCT_TC_K_41_CS/"
    "everest-sil_TC_K_41_CS2024-08-21T12_24_30.733616.log.txt": ("octt", 24, 12, 12, 0),
    "kwwhat/seeds/ocpp_1_6_synthetic_logs_1d.csv": ("csv", 2992, 1496, 1496, 0),
    "kwwhat/demo/seeds/ocpp_1_6_synthetic_logs_14d.csv": ("csv", 17670, 8955, 8715, 0),
}
TRACES: dict[str, tuple[int, int, int]] = {
    "normal-session": (22, 11, 11),
    "failed-auth": (14, 7, 7),
    "connector-fault": (20, 10, 10),
    "station-offline": (14, 7, 7),
    "meter-value-gap": (16, 8, 8),
    "invalid-stop-reason": (18, 9, 9),
    "unexpected-start": (8, 4, 4),
    "diagnostics-failure": (8, 4, 4),
    "slow-csms-response": (4, 2, 2),
    "short-session": (12, 6, 6),
    "heartbeat-irregular": (8, 4, 4),
    "unresponsive-csms": (3, 2, 1),
}
# ocpp-library single-frame files (relative to .../test/resources), with their one kind.
SINGLE_FRAMES: dict[str, str] = {
    "firmware/req.json": "call",
    "firmware/res.json": "callresult",
    "heartbeat/req.json": "call",
    "heartbeat/res.json": "callresult",
    "status_notification/req.json": "call",
    "status_notification/res.json": "callresult",
    "status_notification/err.json": "callerror",
}
PNC = "com/monta/library/ocpp/v16/extension/plugandcharge/"
PNC_FRAMES: dict[str, str] = {
    "kempower-Authorize.req.json": "call",
    "kempower-Get15118EVCertificate.req.json": "call",
    "kempower-GetInstalledCertificateIds.conf.json": "callresult",
    "tally-key-bender-GetInstalledCertificateIds.req.json": "call",
    "tally-key-bender-GetInstalledCertificateIds.conf.json": "callresult",
    "status_notification/req-timestamp.json": "call",
    "status_notification/req-timestamp-no-timezone.json": "call",
}


def read(path: Path, shape: str | None = None) -> tuple[CaptureReader, list[CapturedFrame]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = CaptureReader(fh, shape=shape)
        return reader, list(reader)


def kinds(frames: list[CapturedFrame]) -> Counter[str]:
    return Counter(f.kind for f in frames)


@pytest.fixture(scope="module")
def captures(shared: Path) -> Path:
    return shared / "conformance" / "captures"


@pytest.mark.parametrize("name", sorted(LOGS))
def test_log_counts_and_shape(captures: Path, name: str) -> None:
    shape, total, calls, results, errors = LOGS[name]
    reader, frames = read(captures / name)
    assert reader.shape == shape
    assert len(frames) == total
    assert kinds(frames) == Counter({"call": calls, "callresult": results, "callerror": errors}) - Counter()
    assert all(f.value[0] in (2, 3, 4) for f in frames)
    lines = [f.line for f in frames]
    assert lines == sorted(lines)


@pytest.mark.parametrize("name", sorted(LOGS))
def test_log_counts_with_forced_shape_and_generic(captures: Path, name: str) -> None:
    shape, total, *_ = LOGS[name]
    assert len(read(captures / name, shape)[1]) == total
    if shape != "csv":
        # The generic finder alone finds the same frames in host logs.
        assert len(read(captures / name, "generic")[1]) == total


@pytest.mark.parametrize("fixture", sorted(TRACES))
def test_trace_jsonl(captures: Path, fixture: str) -> None:
    path = captures / "open-ocpp-trace-specification" / "fixtures" / fixture / "trace.jsonl"
    total, calls, results = TRACES[fixture]
    reader, frames = read(path)
    assert reader.shape == "trace-jsonl"
    assert kinds(frames) == Counter({"call": calls, "callresult": results})
    assert len(frames) == total
    for frame, text in zip(frames, path.read_text(encoding="utf-8").splitlines(), strict=True):
        assert f'"direction":"{frame.direction.value.replace("->", "-to-")}"' in text
        assert frame.direction_confidence is Confidence.HIGH
        assert frame.charge_point is not None and f'"chargePointId":"{frame.charge_point}"' in text
        assert frame.timestamp is not None and frame.timestamp.value is not None
        assert frame.timestamp.value.tzinfo is not None and not frame.timestamp.local
        assert f'"timestamp":"{frame.timestamp.raw}"' in text
    assert {h.value for h in reader.hints if h.name == "ocpp_version"} == {"1.6"}
    assert detect_version(frames, reader.hints).version == "1.6"


def test_single_frame_files(captures: Path) -> None:
    base = captures / "ocpp-library"
    seen = 0
    for module in ("v16", "core"):
        for rel, kind in SINGLE_FRAMES.items():
            reader, frames = read(base / module / "src/test/resources" / rel)
            assert reader.shape == "json"
            assert [f.kind for f in frames] == [kind]
            assert frames[0].line == 1
            seen += 1
    for rel, kind in PNC_FRAMES.items():
        where = rel if "/" in rel else PNC + rel
        _, frames = read(base / "v16/src/test/resources" / where)
        assert [f.kind for f in frames] == [kind]
        seen += 1
    assert seen == 21


def test_pretty_printed_frame_file_spans_lines(captures: Path) -> None:
    path = (
        captures
        / "ocpp-library/v16/src/test/resources"
        / PNC
        / "tally-key-bender-GetInstalledCertificateIds.req.json"
    )
    _, [frame] = read(path)
    text = path.read_text(encoding="utf-8")
    assert frame.line == 1
    assert frame.end_line == len(text.rstrip("\n").splitlines())
    assert frame.action == "DataTransfer"
    assert frame.value[3]["vendorId"] == "org.openchargealliance.iso15118pnc"


def test_bare_payload_files(captures: Path) -> None:
    paths = sorted((captures / "libocpp/tests/lib/ocpp").rglob("*.json"))
    assert len(paths) == 78
    for path in paths:
        reader, frames = read(path)
        assert reader.shape == "payload", path
        assert [f.kind for f in frames] == ["payload"], path
        assert isinstance(frames[0].value, dict)


def test_ha_directions_ids_and_timestamps(captures: Path) -> None:
    path = captures / "Dynamic_OCPP_EVSE/33f96c8/dev/tests/debug.log"
    text_lines = path.read_text(encoding="utf-8").splitlines()
    received = {
        i for i, line in enumerate(text_lines, 1) if "[ocpp] EVB-P20050963: receive message [" in line
    }
    sent = {i for i, line in enumerate(text_lines, 1) if "[ocpp] EVB-P20050963: send [" in line}
    _, frames = read(path)
    by_line = {f.line: f for f in frames}
    assert {f.line for f in frames if f.direction is Direction.CP_TO_CSMS} == received
    assert {f.line for f in frames if f.direction is Direction.CSMS_TO_CP} - sent == {
        i for i, line in enumerate(text_lines, 1) if "Waited 10s for response on [2," in line
    }
    for i in received | sent:
        assert by_line[i].charge_point == "EVB-P20050963"
        assert by_line[i].direction_confidence is Confidence.HIGH
    first = min(received)
    stamp = by_line[first].timestamp
    assert stamp is not None and stamp.raw == text_lines[first - 1][:23]
    assert stamp.local and stamp.value == datetime.strptime(stamp.raw, "%Y-%m-%d %H:%M:%S.%f")
    # The warning that quotes an unanswered CALL has no marker: its action's sender decides.
    quoted = next(f for f in frames if f.line not in received | sent)
    assert quoted.action == "SetChargingProfile" and quoted.direction_confidence is Confidence.MEDIUM
    assert quoted.charge_point is None


def test_ha_charge_point_id_with_port(captures: Path) -> None:
    reader, frames = read(captures / "Dynamic_OCPP_EVSE/4988ad6/dev/tests/debug.log")
    assert {f.charge_point for f in frames} == {"129.168.1.4:9000"}
    assert Counter(f.direction for f in frames) == {Direction.CP_TO_CSMS: 63, Direction.CSMS_TO_CP: 63}
    # "Websocket Subprotocol matched: ocpp1.6" is a stated fact.
    assert [h.value for h in reader.hints if h.name == "ocpp_version"] == ["1.6"]
    guess = detect_versions(frames, reader.hints)["129.168.1.4:9000"]
    assert guess.version == "1.6" and guess.confidence is Confidence.HIGH


def test_pylog_charge_point_side(captures: Path) -> None:
    path = captures / "client_ocpp_sim/6e7b4d1/ocpp.log"
    text_lines = path.read_text(encoding="utf-8").splitlines()
    sends = {i for i, line in enumerate(text_lines, 1) if " - ocpp - INFO - 1: send [" in line}
    _, frames = read(path)
    # Charge-point side: "send" is CP->CSMS (the reverse of the Home Assistant log).
    assert {f.line for f in frames if f.direction is Direction.CP_TO_CSMS} == sends
    assert {f.charge_point for f in frames} == {"1"}
    assert all(f.direction_confidence is Confidence.HIGH for f in frames)
    assert "charge point" in frames[0].direction_source
    first = frames[0].timestamp
    assert first is not None and first.raw == "2025-10-03 13:09:13,380"
    assert first.value == datetime(2025, 10, 3, 13, 9, 13, 380000) and first.local
    guess = detect_version(frames)
    assert guess.version == "2.0.1" and "TransactionEvent" in " ".join(guess.reasons)


def test_ansi_raw(captures: Path) -> None:
    path = captures / "OCPP-Tester/a055839/server.log"
    text_lines = path.read_text(encoding="utf-8").splitlines()
    raw_lines = [i for i, line in enumerate(text_lines, 1) if "RAW >> [" in line]
    _, frames = read(path)
    assert [f.line for f in frames] == raw_lines
    assert all(f.direction is Direction.CSMS_TO_CP for f in frames)
    assert all("\x1b" not in f.raw for f in frames)
    assert frames[0].raw == '[3, "3845397005", {}]'
    assert frames[0].timestamp is not None and frames[0].timestamp.raw == "2025-09-02 22:53:26,594"


def test_octt_report(captures: Path) -> None:
    path = next((captures / "libocpp/tests/lib/ocpp/v201/json/OCCT_TC_K_41_CS").glob("*.log.txt"))
    text_lines = path.read_text(encoding="utf-8").splitlines()
    outgoing = {i for i, line in enumerate(text_lines, 1) if "[msg-out]" in line}
    reader, frames = read(path)
    # The system under test is the charging station, so the tool's msg-out goes to it.
    assert {f.line for f in frames if f.direction is Direction.CSMS_TO_CP} == outgoing
    assert all(f.direction_confidence is Confidence.HIGH for f in frames)
    first = frames[0]
    assert first.timestamp is not None and first.timestamp.raw == "12:24:30:763"
    assert first.timestamp.value == datetime(2024, 8, 21, 12, 24, 30, 763000)
    assert first.version_hint == "2.0.1"
    guess = detect_version(frames, reader.hints)
    assert guess.version == "2.0.1" and guess.confidence is Confidence.HIGH


def test_csv_directions_pairing_and_ids(captures: Path) -> None:
    path = captures / "kwwhat/demo/seeds/ocpp_1_6_synthetic_logs_14d.csv"
    _, frames = read(path)
    assert {f.charge_point for f in frames} == {"CH-001", "CH-002"}
    first = frames[0]
    assert first.line == 2 and first.action == "Heartbeat"
    assert first.direction is Direction.CP_TO_CSMS
    assert first.timestamp is not None and first.timestamp.value == datetime(2025, 10, 1, 8, tzinfo=UTC)
    results = [f for f in frames if f.kind == "callresult"]
    # Reused message ids: every answer still pairs with the CALL before it on its charger.
    assert all(f.action is not None for f in results)
    assert all(f.direction is not Direction.UNKNOWN for f in frames)
    assert detect_version(frames).version == "1.6"
