"""The capture reader on synthetic logs of shapes without committed files.

Host layouts follow the public issue excerpts named in the captures README,
section 5 (evcc, SteVe, openWB, pretty-printed Home Assistant frames); the
lines here are written for these tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ocpkit.capture import (
    CapturedFrame,
    CaptureReader,
    CaptureSettings,
    Confidence,
    Direction,
    detect_shape,
    detect_version,
    detect_versions,
    read_capture,
)
from ocpkit.errors import CaptureError

CP, CS = Direction.CP_TO_CSMS, Direction.CSMS_TO_CP


def read(text: str, **kw: object) -> list[CapturedFrame]:
    return list(read_capture(text.split("\n"), **kw))  # type: ignore[arg-type]


def summary(frames: list[CapturedFrame]) -> list[tuple[int, str, Direction, str | None]]:
    return [(f.line, f.kind, f.direction, f.charge_point) for f in frames]


EVCC = """\
[main  ] INFO 2024/07/11 17:12:55 evcc 0.128.2
[ocpp  ] DEBUG 2024/07/11 17:12:57 charge point connected: WB-7
[ocpp  ] TRACE 2024/07/11 17:12:57 recv WB-7: [2,"h1","Heartbeat",{}]
[ocpp  ] TRACE 2024/07/11 17:12:57 sent WB-7: [3,"h1",{"currentTime":"2024-07-11T15:12:57Z"}]
[ocpp  ] TRACE 2024/07/11 17:13:57 send WB-7: [2,"77","TriggerMessage",{"requestedMessage":"MeterValues"}]
[ocpp  ] TRACE 2024/07/11 17:13:58 recv WB-7: [3,"77",{"status":"Accepted"}]
Okt 11 11:42:46 host evcc[25]: [ocpp  ] TRACE 2023/10/11 11:42:46 received JSON message from WB-8: [2,"d1","DataTransfer",{"vendorId":"X"}]
Okt 11 11:42:46 host evcc[25]: [ocpp  ] TRACE 2023/10/11 11:42:46 sent JSON message to WB-8: [3,"d1",{"status":"Accepted"}]"""


def test_evcc_trace_lines() -> None:
    frames = read(EVCC)
    assert summary(frames) == [
        (3, "call", CP, "WB-7"),
        (4, "callresult", CS, "WB-7"),
        (5, "call", CS, "WB-7"),
        (6, "callresult", CP, "WB-7"),
        (7, "call", CP, "WB-8"),
        (8, "callresult", CS, "WB-8"),
    ]
    assert all(f.direction_confidence is Confidence.HIGH for f in frames)
    stamp = frames[0].timestamp
    assert stamp is not None and stamp.raw == "2024/07/11 17:12:57"
    assert stamp.value == datetime(2024, 7, 11, 17, 12, 57) and stamp.local
    # The systemd prefix has a date without a year; the evcc date behind it is used.
    assert frames[4].timestamp is not None and frames[4].timestamp.value == datetime(2023, 10, 11, 11, 42, 46)
    assert frames[5].action == "DataTransfer"


STEVE = (
    "[INFO ] 2016-03-01 17:43:58,339 de.rwth.idsg.steve.ocpp.ws.WebSocketLogger (qtp-19) - "
    '[chargeBoxId=TG2, sessionId=d726] Received: [2,"66","StatusNotification",'
    '{"connectorId":1,"status":"Preparing","errorCode":"NoError","timestamp":"2016-03-01T17:43:58+01:00"}]\n'
    "[INFO ] 2016-03-01 17:43:58,345 de.rwth.idsg.steve.ocpp.ws.WebSocketLogger (qtp-19) - "
    '[chargeBoxId=TG2, sessionId=d726] Sending: [3,"66",{}]\n'
    "[INFO\t]\t2026-06-17\t05:46:33,026\tde.rwth.idsg.steve.ocpp.ws.WebSocketLogger\t(qtp-3)\t-\t"
    '[chargeBoxId=TG3,\tsessionId=d7]\tReceived:\t[2,\t"67",\t"Heartbeat",\t{}]\n'
    "[INFO ] 2016-03-01 17:44:00,000 de.rwth.idsg.steve.ocpp.ws.WebSocketLogger (qtp-19) - "
    '[chargeBoxId=TG2, sessionId=d726] Sending: [2,"5","Reset",{"type":"Soft"}]'
)


def test_steve_websocket_logger() -> None:
    frames = read(STEVE)
    assert summary(frames) == [
        (1, "call", CP, "TG2"),
        (2, "callresult", CS, "TG2"),
        (3, "call", CP, "TG3"),
        (4, "call", CS, "TG2"),
    ]
    assert frames[2].value == [2, "67", "Heartbeat", {}]
    third = frames[2].timestamp
    assert third is not None and third.value == datetime(2026, 6, 17, 5, 46, 33, 26000)


OPENWB = """\
2024-03-01 10:00:00,123 - {ocpp:456} - {INFO:OCPP Client} - box-1: send [2,"a1","BootNotification",{"chargePointVendor":"openWB","chargePointModel":"m"}]
2024-03-01 10:00:00,223 - {ocpp:456} - {INFO:OCPP Client} - box-1: receive message [3,"a1",{"status":"Accepted","currentTime":"2024-03-01T09:00:00Z","interval":300}]"""


def test_openwb_client_lines() -> None:
    frames = read(OPENWB)
    assert summary(frames) == [(1, "call", CP, "box-1"), (2, "callresult", CS, "box-1")]
    assert "charge point" in frames[0].direction_source
    # An answer logged through another logger of the same log takes the side the client lines showed.
    other = '2024-03-01 10:00:00,300 - {ocpp:99} - {INFO:ocpp} - box-1: receive message [3,"zz",{}]'
    last = read(other + "\n" + OPENWB)[0]
    assert (last.direction, last.direction_confidence) == (CS, Confidence.MEDIUM)
    assert "other lines of this log" in last.direction_source


def _pylog(words: list[tuple[str, str]], basic: bool = False) -> str:
    out = []
    for i, (word, frame) in enumerate(words):
        if basic:
            out.append(f"INFO:ocpp:CP_9: {word} {frame}")
        else:
            out.append(f"2025-01-01 10:00:0{i},000 - ocpp - INFO - CP_9: {word} {frame}")
    return "\n".join(out)


BOOT = '[2,"b","BootNotification",{"chargePointVendor":"v","chargePointModel":"m"}]'
BOOT_OK = '[3,"b",{"status":"Accepted","currentTime":"2025-01-01T10:00:00Z","interval":10}]'
HB = '[2,"h","Heartbeat",{}]'
HB_OK = '[3,"h",{"currentTime":"2025-01-01T10:00:00Z"}]'
RESET = '[2,"r","Reset",{"type":"Soft"}]'


def test_python_ocpp_library_side_is_told_by_content() -> None:
    # Same library words on both sides: the charge point's "send" goes to the CSMS ...
    cp_side = read(
        _pylog([("send", BOOT), ("receive message", BOOT_OK), ("send", HB), ("receive message", HB_OK)])
    )
    assert [f.direction for f in cp_side] == [CP, CS, CP, CS]
    assert all(f.direction_confidence is Confidence.HIGH for f in cp_side)
    # ... and the CSMS's "send" goes to the charge point (the basicConfig layout, no timestamps).
    csms_side = read(
        _pylog(
            [("receive message", BOOT), ("send", BOOT_OK), ("receive message", HB), ("send", HB_OK)],
            basic=True,
        )
    )
    assert [f.direction for f in csms_side] == [CP, CS, CP, CS]
    assert {f.charge_point for f in csms_side} == {"CP_9"}
    assert all(f.timestamp is None for f in csms_side)


def test_unknown_side_says_so() -> None:
    frames = read(_pylog([("send", BOOT_OK), ("receive message", '[2,"q","DataTransfer",{"vendorId":"x"}]')]))
    assert [f.direction for f in frames] == [Direction.UNKNOWN, Direction.UNKNOWN]
    assert all(f.direction_confidence is Confidence.NONE for f in frames)
    assert "no action showed" in frames[0].direction_source


def test_host_default_contradicted_by_content_is_flagged() -> None:
    line = "2024-01-01 10:00:0{}.000 INFO (MainThread) [ocpp] X: {} {}"
    text = "\n".join(
        line.format(i, w, f) for i, (w, f) in enumerate([("send", BOOT), ("send", HB), ("send", RESET)])
    )
    frames = read(text)
    # Two charge-point actions against one CSMS action: the words win, not surely.
    assert [f.direction for f in frames[:2]] == [CP, CP]
    assert frames[0].direction_confidence is Confidence.LOW
    assert "but" in frames[0].direction_source
    assert frames[2].direction_confidence is Confidence.LOW  # Reset is never sent by a charge point


PRETTY = """\
2024-01-01 10:00:00.000 INFO (MainThread) [ocpp] CP1: receive message [
  2,
  "abc",
  "BootNotification",
  {
    "chargePointVendor": "X",
    "chargePointModel": "Y"
  }
]
2024-01-01 10:00:00.100 INFO (MainThread) [ocpp] CP1: send [3,"abc",{"status":"Accepted","currentTime":"2024-01-01T09:00:00Z","interval":10}]
2024-01-01 10:00:01.000 INFO (MainThread) [ocpp] CP1: receive message [2, "t1", "Heartbeat",
2024-01-01 10:00:02.000 INFO (MainThread) [ocpp] CP1: receive message [2,"h2","Heartbeat",{
}]
[2,"h3","Heartbeat",{}]
2024-01-01 10:00:03.000 INFO (MainThread) [ocpp] CP1: receive message [2,"h4","MeterValues",{"connectorId": 1,
  "meterValue": [{"timestamp": "2024-01-01T09:00:03Z",
  "sampledValue": [{"value": "2e+01"}]}]}] trailing [3,"h0",{}]"""


def test_pretty_printed_and_truncated_frames_in_a_log() -> None:
    frames = read(PRETTY)
    assert [(f.line, f.end_line, f.kind) for f in frames] == [
        (1, 9, "call"),
        (10, 10, "callresult"),
        (11, 11, "unparsed"),
        (12, 13, "call"),
        (14, 14, "call"),
        (15, 17, "call"),
        (17, 17, "callresult"),
    ]
    assert frames[0].value == [
        2,
        "abc",
        "BootNotification",
        {"chargePointVendor": "X", "chargePointModel": "Y"},
    ]
    assert frames[0].charge_point == "CP1" and frames[0].direction is CP
    assert frames[2].error is not None and "truncated" in frames[2].error
    assert frames[2].raw.startswith('[2, "t1"')
    assert frames[5].value[3]["meterValue"][0]["sampledValue"][0]["value"] == "2e+01"


def test_frame_open_at_end_of_input_is_reported() -> None:
    frames = read('log: send [2,"x","Heartbeat",{\n  "a": 1,')
    assert [(f.line, f.end_line, f.kind) for f in frames] == [(1, 2, "unparsed")]
    assert frames[0].error is not None and "input ended" in frames[0].error


def test_broken_frame_gives_up_after_max_lines_and_rereads() -> None:
    lines = ['x [2,"x","Heartbeat",{', *["  1,"] * 5, "tail [", " 2,", ' "y",', ' "Heartbeat",', " {}]"]
    frames = list(read_capture(lines, settings=CaptureSettings(max_frame_lines=4)))
    assert [(f.line, f.kind) for f in frames] == [(1, "unparsed"), (7, "call")]
    assert frames[1].value == [2, "y", "Heartbeat", {}]


def test_python_repr_is_not_a_frame() -> None:
    text = "\n".join(
        [
            "2025-10-03 16:29:03,224 - ocpp - WARNING - Received a CALLError: <CallError - unique_id=be09, "
            "error_code=MeterValuesPeriodic, error_details=None>'",
            "DEBUG - Received CALL 'StatusNotification'. Payload: {'connectorId': 1, 'info': ''}",
            "call args [2, 'abc', 'Heartbeat', {}] and (3, 'x', {})",
        ]
    )
    assert read(text) == []


def test_frames_after_other_json_looking_text() -> None:
    text = 'meta {"a": [1, 2], "b": "[2,"} then [2,"m1","Heartbeat",{}] and [[3,"m1",{"currentTime":"t"}]]'
    frames = read(text)
    assert [f.kind for f in frames] == ["unparsed", "call", "callresult"]
    assert frames[1].value == [2, "m1", "Heartbeat", {}] and frames[2].action == "Heartbeat"


def test_csv_with_multiline_quoted_frames() -> None:
    text = "\n".join(
        [
            "timestamp,id,action,msg",
            '2025-01-01T10:00:00.000Z,CH-1,BootNotification,"[2,""b1"",""BootNotification"",',
            '  {""chargePointVendor"":""A"",',
            '   ""chargePointModel"":""B, with comma""}]"',
            '2025-01-01T10:00:00.050+01:00,CH-1,,"[3,""b1"",{""status"":""Accepted"",""currentTime"":""x"",""interval"":5}]"',
            '2025-01-01T10:00:01Z,CH-2,Heartbeat,"[2, ""h"", ""Heartbeat"", {}"',
        ]
    )
    reader = CaptureReader(text.split("\n"))
    frames = list(reader)
    assert reader.shape == "csv"
    assert [(f.line, f.end_line, f.kind, f.charge_point) for f in frames] == [
        (2, 4, "call", "CH-1"),
        (5, 5, "callresult", "CH-1"),
        (6, 6, "unparsed", "CH-2"),
    ]
    assert frames[0].value[3]["chargePointModel"] == "B, with comma"
    assert frames[0].timestamp is not None and frames[0].timestamp.value == datetime(
        2025, 1, 1, 10, tzinfo=UTC
    )
    second = frames[1].timestamp
    assert second is not None and second.value == datetime(
        2025, 1, 1, 10, 0, 0, 50000, tzinfo=timezone(timedelta(hours=1))
    )
    assert [f.direction for f in frames[:2]] == [CP, CS]
    assert frames[1].direction_source == "answers the CALL on line 2"


def test_csv_quote_never_closed() -> None:
    frames = read('timestamp,id,action,msg\n2025,CP,,"[2,""x"",""Heartbeat"",{}')
    assert [(f.line, f.kind) for f in frames] == [(2, "unparsed")]


def test_json_documents_and_arrays_of_frames() -> None:
    frames = read(
        '[\n  [2, "a", "Heartbeat", {}],\n  [3, "a", {"currentTime": "t"}]\n]\n[6,"s","NotifyPeriodicEventStream",{}]'
    )
    assert [(f.line, f.kind) for f in frames] == [(1, "call"), (1, "callresult"), (5, "send")]
    assert read("not json at all", shape="json")[0].kind == "unparsed"
    profiles = read('[\n  {"chargingProfileId": 1},\n  {"chargingProfileId": 2}\n]')
    assert [(f.line, f.kind, f.value) for f in profiles] == [
        (1, "payload", {"chargingProfileId": 1}),
        (1, "payload", {"chargingProfileId": 2}),
    ]
    assert [f.kind for f in read("[1, 2]", shape="json")] == ["unparsed"]


def test_trace_records_without_raw_and_corrupt_records() -> None:
    lines = [
        '{"timestamp":"2024-01-15T10:00:00Z","chargePointId":"C1","direction":"csms-to-cp","messageType":"CALL",'
        '"messageId":"m","action":"Reset","payload":{"type":"Soft"}}',
        '{"timestamp":"2024-01-15T10:00:01Z","chargePointId":"C1","direction":"cp-to-csms","messageType":"CALLERROR",'
        '"messageId":"m","errorCode":"NotSupported","errorDescription":"","errorDetails":{}}',
        '{"timestamp":"2024-01-15T10:00:02Z","raw":"[2,\\"x\\",\\"Heartbeat\\",{}]","messageType":"CA',
    ]
    frames = list(read_capture(lines))
    assert [f.kind for f in frames] == ["call", "callerror", "unparsed"]
    assert frames[0].value == [2, "m", "Reset", {"type": "Soft"}] and frames[0].direction is CS
    assert frames[1].value == [4, "m", "NotSupported", "", {}] and frames[1].action == "Reset"


OCTT = """\
Test Case Name : TC_X
Test Start Time : 31-12-2024 23:59:59
System Under Test (SUT) : CSMS
OCPP Version : OCPP 2.1
------------------
[23:59:59:900] [msg-out]  [2, "b", "BootNotification", {"chargingStation":{"model":"m","vendorName":"v"},"reason":"PowerUp"}]
[00:00:00:100] [msg-in]  [3,"b",{"currentTime":"2025-01-01T00:00:00Z","interval":10,"status":"Accepted"}]"""


def test_octt_csms_under_test_and_midnight() -> None:
    reader = CaptureReader(OCTT.split("\n"))
    frames = list(reader)
    assert reader.shape == "octt"
    assert [f.direction for f in frames] == [CP, CS]
    assert [f.timestamp.value for f in frames if f.timestamp] == [
        datetime(2024, 12, 31, 23, 59, 59, 900000),
        datetime(2025, 1, 1, 0, 0, 0, 100000),
    ]
    assert {h.name: h.value for h in reader.hints} == {
        "test_start": "31-12-2024 23:59:59",
        "system_under_test": "CSMS",
        "ocpp_version": "2.1",
    }
    assert detect_version(frames, reader.hints).version == "2.1"


def test_octt_without_header_keeps_time_of_day() -> None:
    frames = read('[12:00:00:001] [msg-in]  [2,"x","Heartbeat",{}]', shape="octt")
    stamp = frames[0].timestamp
    assert stamp is not None and stamp.raw == "12:00:00:001" and stamp.value is None


def test_generic_timestamps_with_offsets() -> None:
    frames = read(
        '2024-05-06T07:08:09.123456+02:00 rx [2,"x","Heartbeat",{}]\n2024-13-45 10:00:00 send [3,"x",{}]'
    )
    first, second = (f.timestamp for f in frames)
    assert first is not None and first.value == datetime(
        2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2))
    )
    assert not first.local
    assert second is not None and second.raw == "2024-13-45 10:00:00" and second.value is None


def test_shape_detection() -> None:
    assert detect_shape(["timestamp,id,action,msg", '1,CP,,"[3,""x"",{}]"']).shape == "csv"
    assert detect_shape(["[", "  2,"]).shape == "json"
    assert detect_shape(['{"chargingProfileId": 1}']).shape == "payload"
    assert (
        detect_shape(['\x1b[92m2025-09-02 22:53:26,594 - app - DEBUG - RAW >> [3, "1", {}]\x1b[0m']).shape
        == "ansi-raw"
    )
    assert detect_shape(['INFO:ocpp:CP: send [3,"1",{}]']).shape == "pylog"
    assert detect_shape(["hello"]).shape == "generic"
    assert detect_shape([]).shape == "generic"


def test_version_detection_rules() -> None:
    def frames(*raw: str) -> list[CapturedFrame]:
        return read("\n".join(raw), shape="generic")

    boot16 = frames(BOOT)
    guess = detect_version(boot16)
    assert guess.version == "1.6" and guess.confidence is Confidence.MEDIUM
    assert detect_version(
        frames('[2,"s","StartTransaction",{}]', '[2,"t","StopTransaction",{}]')
    ).confidence is (Confidence.HIGH)
    twenty = detect_version(frames('[2,"e","TransactionEvent",{}]'))
    assert twenty.version == "2.0.1" and twenty.confidence is Confidence.MEDIUM
    assert detect_version(frames('[5,"e","InternalError","",{}]')).version == "2.1"
    assert detect_version(frames('[2,"e","SetDERControl",{}]')).version == "2.1"
    even = detect_version(frames('[2,"s","StartTransaction",{}]', '[2,"e","TransactionEvent",{}]'))
    assert even.version is None and "even" in even.reasons[-1]
    mixed = detect_version(
        frames(
            '[2,"s","StartTransaction",{}]', '[2,"t","StopTransaction",{}]', '[2,"e","TransactionEvent",{}]'
        )
    )
    assert mixed.version == "1.6" and mixed.confidence is Confidence.LOW
    assert detect_version(frames(HB)) == (None, Confidence.NONE, ("no frame tells the version apart",))
    per_cp = detect_versions(read(EVCC))
    assert per_cp["WB-7"].version is None and set(per_cp) == {"WB-7", "WB-8"}


def test_frame_larger_than_limit_is_reported() -> None:
    big = '[2,"x","DataTransfer",{"data":"' + "a" * 5000 + '"}]'
    frames = list(read_capture([big], settings=CaptureSettings(max_frame_size=1000), shape="generic"))
    assert [f.kind for f in frames] == ["unparsed"]
    assert frames[0].error is not None and "max_frame_size" in frames[0].error
    assert len(frames[0].raw) < 2000


def test_reader_errors() -> None:
    with pytest.raises(CaptureError):
        CaptureReader([], shape="nope")
    with pytest.raises(CaptureError):
        list(read_capture([b'[2,"x","Heartbeat",{}]']))  # type: ignore[list-item]
    with pytest.raises(CaptureError):
        list(read_capture(5))  # type: ignore[arg-type]
    reader = CaptureReader(["x"])
    list(reader)
    with pytest.raises(CaptureError):
        list(reader)


def test_reader_streams_lazily() -> None:
    pulled = 0

    def lines() -> object:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield f'2024-01-01 00:00:00,000 - ocpp - INFO - cp: send [2,"{i}","Heartbeat",{{}}]'

    reader = read_capture(lines())  # type: ignore[arg-type]
    first = next(reader)
    assert first.line == 1 and first.direction is CP
    # Only the shape sample and the few frames held back to learn the side were read.
    assert pulled <= 200 + 3


def test_structured_json_log_lines() -> None:
    lines = [
        '{"level":"debug","time":"2024-01-01T10:00:00Z","msg":"recv CP7: [2,\\"h\\",\\"Heartbeat\\",{}]"}',
        '{"level":"debug","time":"2024-01-01T10:00:01Z","msg":"send CP7: [3,\\"h\\",{\\"currentTime\\":\\"x\\"}]"}',
        '{"level":"info","msg":"no frame here"}',
    ]
    reader = CaptureReader(lines)
    frames = list(reader)
    assert reader.shape == "trace-jsonl"
    assert summary(frames) == [(1, "call", CP, "CP7"), (2, "callresult", CS, "CP7")]
    assert frames[0].timestamp is not None and frames[0].timestamp.value == datetime(
        2024, 1, 1, 10, tzinfo=UTC
    )


def test_generic_words_and_arrows() -> None:
    text = "\n".join(
        [
            '[DEBUG] Sent message: [2,"a","Reset",{"type":"Soft"}]',
            '[DEBUG] Received message: [3,"a",{"status":"Accepted"}]',
            'ws --> [2,"b","ClearCache",{}]',
            'ws <-- [3,"b",{"status":"Accepted"}]',
        ]
    )
    frames = read(text)
    assert [f.direction for f in frames] == [CS, CP, CS, CP]


def test_home_assistant_empty_charge_point_id() -> None:
    text = "\n".join(
        [
            f"2024-01-01 10:00:0{i}.000 INFO (MainThread) [ocpp] : {word} {frame}"
            for i, (word, frame) in enumerate([("receive message", HB), ("send", HB_OK)])
        ]
    )
    frames = read(text)
    assert summary(frames) == [(1, "call", CP, None), (2, "callresult", CS, None)]


def test_trace_version_hints_per_charge_point() -> None:
    lines = [
        '{"ocppVersion":"1.6","chargePointId":"A","direction":"cp-to-csms","raw":"[2,\\"1\\",\\"Heartbeat\\",{}]"}',
        '{"ocppVersion":"2.0.1","chargePointId":"B","direction":"cp-to-csms","raw":"[2,\\"1\\",\\"Heartbeat\\",{}]"}',
    ]
    reader = CaptureReader(lines)
    frames = list(reader)
    assert [(h.charge_point, h.value) for h in reader.hints] == [("A", "1.6"), ("B", "2.0.1")]
    guesses = detect_versions(frames, reader.hints)
    assert {cp: g.version for cp, g in guesses.items()} == {"A": "1.6", "B": "2.0.1"}
    assert all(g.confidence is Confidence.HIGH for g in guesses.values())


def test_csv_stray_quote_does_not_swallow_later_records() -> None:
    lines = [
        "timestamp,id,action,msg",
        '2025-01-01T10:00:00Z,CH-1,Note,5" screen',
        '2025-01-01T10:00:01Z,CH-1,Heartbeat,"[2,""h"",""Heartbeat"",{}]"',
        '2025-01-01T10:00:02Z,CH-1,,"[3,""h"",{""currentTime"":""x""}]"',
    ]
    frames = list(read_capture(lines, shape="csv", settings=CaptureSettings(max_frame_lines=2)))
    assert [(f.line, f.kind) for f in frames] == [(2, "unparsed"), (3, "call"), (4, "callresult")]
    at_end = list(read_capture(lines, shape="csv"))
    assert [(f.line, f.kind) for f in at_end] == [(2, "unparsed"), (3, "call"), (4, "callresult")]


def test_frame_cut_inside_a_string_does_not_swallow_the_next_frame() -> None:
    # The second frame is cut inside its message id; the third frame's id is "]", so joining the
    # lines would decode as one short array and lose the third frame.
    lines = [' send [2, "", "Heartbeat", {}]', ' send [2, "', ' send [2, "]", "Heartbeat", {}]']
    found = list(read_capture(lines, shape="generic"))
    assert [(f.line, f.kind) for f in found] == [(1, "call"), (2, "unparsed"), (3, "call")]
    assert found[2].value == [2, "]", "Heartbeat", {}]
