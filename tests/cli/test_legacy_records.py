"""The rewritten ``ocpkit validate`` writes the same records as the pipeline it replaced.

The oracle is :mod:`tests.cli.legacy_pipeline`, a frozen copy of the reader and
fold before the rewrite. Every OCPP capture in ../shared/conformance/captures is
validated by both, file by file and as one directory, and the jsonl outputs are
compared record by record and field by field (the summary too: counts, versions,
conversation findings, unanswered calls). The text report with ``-v`` is compared
as well, since it shows each frame's conversation notes and direction. Generated
logs (the benchmark's host log, hostile lines in every host layout) widen the
comparison beyond the shapes the shared captures happen to hold.
"""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.cli import main
from ocpkit.fleet._fold import payload_path
from tests.cli import legacy_pipeline

OCPP_CAPTURES = (
    "Dynamic_OCPP_EVSE",
    "OCPP-Tester",
    "client_ocpp_sim",
    "kwwhat",
    "libocpp",
    "ocpp-library",
    "open-ocpp-trace-specification",
)


def _new(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", "--rules", "schema", *argv], stdout=out, stderr=err, stdin=io.BytesIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


# Summary keys gained since: the verdict, the totals and omissions of each list, inputs not validated,
# hints on a forced version, and the bounds of the lists.
_SUMMARY_GAINED = {
    "verdict",
    "limits",
    *(
        f"{name}{tail}"
        for name in ("versions", "findings_listed", "unanswered_listed")
        for tail in ("_total", "_omitted")
    ),
    "sources_omitted",
    "input_problems_omitted",
    *(f"{name}{tail}" for name in ("failed_inputs", "version_hints") for tail in ("", "_total", "_omitted")),
}


def _without_hints(err: str) -> str:
    # Hints on a forced version are new on stderr; they never change a verdict.
    return "".join(
        line for line in err.splitlines(keepends=True) if not line.startswith("ocpkit validate: hint:")
    )


def assert_same(argv: list[str], stdin: bytes = b"") -> None:
    """Both pipelines give the same status, stderr and records (jsonl) for *argv*."""
    old = legacy_pipeline.main([*argv, "--report", "jsonl"], stdin)
    new = _new([*argv, "--report", "jsonl"], stdin)
    assert new[0] == old[0], (argv, new[2], old[2])
    assert _without_hints(new[2]) == old[2], argv
    old_records, new_records = _records(old[1]), _records(new[1])
    assert len(new_records) == len(old_records), argv
    for i, (n, o) in enumerate(zip(new_records, old_records, strict=True)):
        if n.get("kind") == "summary":
            # An input that could not be validated (no frame in it) is now listed in failed_inputs only.
            failed = {f["source"] for f in n["failed_inputs"]}
            kept = [x for x in o["sources"] if x["source"] not in failed]
            o = {**o, "sources": kept, "sources_total": o["sources_total"] - (len(o["sources"]) - len(kept))}
            gained = set(n) - set(o)
            assert gained <= _SUMMARY_GAINED, (argv, gained - _SUMMARY_GAINED)
            for key in gained:
                n.pop(key)
        else:
            # No spec rules with --rules schema; conversation findings are listed (the text notes compare them).
            assert not any(f["code"].startswith("spec.") for f in n.pop("findings")), (argv, i)
            # The fields the records gained since.
            for key in ("message_id", "timestamp", "direction", "version"):
                n.pop(key)
            for v in n["violations"]:
                assert v.pop("path") == payload_path(n["kind"], v["frame_path"]), (argv, i)
                v["path"] = v.pop("frame_path")
                v.update((k, v.pop(k)) for k in ("keyword", "code", "message"))
        assert list(n) == list(o), (argv, i)  # same keys in the same order
        for key in o:
            assert n[key] == o[key], (argv, i, key, n[key], o[key])


def assert_same_text(argv: list[str], stdin: bytes = b"") -> None:
    """The text report of every frame, with its notes, is the same.

    The summary after it is not compared: it now says what each cut list leaves out
    and ranks the charge points by invalid frames (the jsonl summary is compared).
    """
    old = legacy_pipeline.main([*argv, "-v"], stdin)
    new = _new([*argv, "-v"], stdin)
    assert new[0] == old[0]
    assert new[1].partition("\nSummary\n")[0] == old[1].partition("\nSummary\n")[0]
    assert _without_hints(new[2]) == old[2]


def _capture_files(shared: Path) -> list[Path]:
    root = shared / "conformance" / "captures"
    return sorted(p for d in OCPP_CAPTURES for p in (root / d).rglob("*") if p.is_file())


@pytest.mark.shared
def test_every_shared_capture_gives_the_same_records(shared: Path) -> None:
    files = _capture_files(shared)
    assert len(files) > 100
    for path in files:
        assert_same([str(path)])


@pytest.mark.shared
def test_shared_captures_as_one_directory_and_with_options(shared: Path) -> None:
    root = shared / "conformance" / "captures"
    for d in OCPP_CAPTURES:
        assert_same([str(root / d)])
        assert_same([str(root / d), "--lenient"])
        assert_same_text([str(root / d)])
    for path in _capture_files(shared)[::7]:
        for version in ("1.6", "2.0.1", "2.1"):
            assert_same([str(path), "--ocpp", version])


def test_generated_host_log_gives_the_same_records(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.validate_capture import make_capture

    path = tmp_path / "host.log"
    make_capture(path, 6000, seed=5)
    assert_same([str(path)])
    assert_same([str(path), "--lenient"])
    assert_same_text([str(path)])


# Host prefixes of every layout the reader knows, and some it does not.
_PREFIXES = [
    "2026-03-02 10:00:0{s},12{s} - ocpp - INFO - CP-{cp}: receive message ",
    "2026-03-02 10:00:0{s},12{s} - ocpp - INFO - CP-{cp}: send ",
    "INFO:ocpp:CP{cp}: receive message ",
    "INFO:ocpp:CP{cp}: send ",
    "2026-02-14 19:53:4{s}.188 INFO (MainThread) [ocpp] EVB-{cp}: receive message ",
    "2026-02-14 19:53:4{s}.188 INFO (MainThread) [custom_components.ocpp] EVB-{cp}: send ",
    "\x1b[92m2025-09-02 22:53:2{s},594 - app.ocpp_handler - DEBUG - RAW >> ",
    "[12:24:3{s}:763] [msg-out]  ",
    "[12:24:3{s}:944] [msg-in]  ",
    "2024-01-0{s}T10:00:00Z [chargeBoxId=CB{cp}] Sending: ",
    "2024-01-0{s} 10:00:00 recv CP{cp}: ",
    "2024-01-0{s} 10:00:00+02:00 tx ",
    "",
    "garbage {{[",
]
_FRAMES = [
    '[2,"m{cp}","Heartbeat",{{}}]',
    '[3,"m{cp}",{{"currentTime":"2024-01-01T00:00:00Z"}}]',
    '[2,"b{cp}","BootNotification",{{"chargePointVendor":"V","chargePointModel":"M"}}]',
    '[3,"b{cp}",{{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":30}}]',
    '[2,"s{cp}","StatusNotification",{{"connectorId":1,"errorCode":"NoError","status":"Charging"}}]',
    '[2,"t{cp}","StartTransaction",{{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"2024-01-01T00:00:00Z"}}]',
    '[3,"t{cp}",{{"idTagInfo":{{"status":"Accepted"}},"transactionId":{s}}}]',
    '[2,"e{cp}","TransactionEvent",{{"eventType":"Started","timestamp":"2024-01-01T00:00:00Z","triggerReason":"Authorized","seqNo":0,"transactionInfo":{{"transactionId":"T{s}"}}}}]',
    '[2,"x{cp}","SecurityEventNotification",{{"type":"x","timestamp":"2024-01-01T00:00:00Z"}}]',
    '[4,"m{cp}","NotImplemented","",{{}}]',
    '[4,"m{cp}","Bogus","",null]',
    '[5,"m{cp}","InternalError","",{{}}]',
    '[6,"n{cp}","NotifyPeriodicEventStream",{{"id":1,"pending":0,"basetime":"2024-01-01T00:00:00Z","data":[]}}]',
    '[2, "m{cp}", "Heartbeat", {{}}]',
    '[2,"m{cp}","MeterValues",{{"connectorId":1,"meterValue":[{{"timestamp":"2024-01-01T00:00:00Z","sampledValue":[{{"value":"1"}}]}}]}}]',
    '[2,"big","Heartbeat",{{"n":123456789012345678901234567890}}]',
    '[2,"nan","MeterValues",{{"connectorId":NaN,"meterValue":[]}}]',
    '[2,"dup","Heartbeat",{{"a":1,"a":2}}]',
    '[3,"m{cp}",{{"currentTime":"2016-12-31T23:59:60Z"}}]',
    '[2,"u","Heartbeat",{{"k":"\\ud800"}}]',
    '[2,"m{cp}","Heartbeat",{{}}] trailing words',
    '[2,"m{cp}","Heartbeat",{{}}][3,"m{cp}",{{}}]',
    '[2,"m{cp}","Heart',
    '[2,"m{cp}",',
    "[2,",
    "[",
    '[7,"m","X",{{}}]',
    '[2,"' + "x" * 40 + '","Heartbeat",{{}}]',
    '{{"not":"a frame"}}',
    "[" * 30 + "]" * 30,
    '[2,"deep","DataTransfer",{{"vendorId":"v","data":' + "[" * 40 + "]" * 40 + "}}]",
]


@st.composite
def _log(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 40))):
        prefix = draw(st.sampled_from(_PREFIXES))
        frame = draw(st.sampled_from(_FRAMES))
        s, cp = draw(st.integers(0, 9)), draw(st.integers(1, 3))
        text = prefix.format(s=s, cp=cp) + frame.format(s=s, cp=cp)
        if draw(st.integers(0, 9)) == 0:
            text = text.replace(", ", ",\n", 1)  # a frame broken over two lines
        lines.append(text.encode())
        if draw(st.integers(0, 19)) == 0:
            lines.append(b'\xff\xfe not utf-8 [2,"q","Heartbeat",{}]')
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    return ending.join(lines) + draw(st.sampled_from([b"", ending]))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_log())
def test_hostile_host_logs_give_the_same_records(log: bytes) -> None:
    assert_same(["-"], stdin=log)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(_log(), st.sampled_from(["1.6", "2.0.1", "2.1"]))
def test_hostile_host_logs_same_with_a_forced_version(log: bytes, version: str) -> None:
    assert_same(["-", "--ocpp", version, "--lenient"], stdin=log)
    assert_same_text(["-", "--ocpp", version], stdin=log)


def test_mixed_layouts_in_one_log() -> None:
    rnd = random.Random(11)
    lines = []
    for i in range(3000):
        prefix = rnd.choice(_PREFIXES).format(s=i % 10, cp=i % 3)
        lines.append(prefix + rnd.choice(_FRAMES).format(s=i % 10, cp=i % 3))
    log = "\n".join(lines).encode()
    assert_same(["-"], stdin=log)
    assert_same_text(["-"], stdin=log)
