"""The ``ocpkit`` command line, run in-process through ``ocpkit.cli.main``.

Expected frame counts for the shared captures come from the captures README
table (counted there by an independent raw_decode scan), via the tables of
``tests/capture/test_shared.py``. Expected verdicts for the bundled example
come from the faults ``examples/make_capture.py`` plants, found here by plain
string search in the generated text.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ocpkit.cli import MAX_LINE_BYTES, main
from ocpkit.fleet._fold import FINDING_KEYS, RECORD_KEYS, VIOLATION_KEYS, payload_path
from tests.capture.test_shared import LOGS, TRACES
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "charger.log"


def run(*argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.BytesIO(stdin))
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def jsonl(*argv: str, stdin: bytes = b"") -> tuple[int, list[dict[str, Any]], dict[str, Any], str]:
    lenient = "--lenient" in argv
    code, out, err = run("validate", *argv, "--report", "jsonl", stdin=stdin)
    records = [json.loads(line) for line in out.splitlines()]
    assert records, err
    summary = records[-1]
    assert summary["kind"] == "summary"
    frames = records[:-1]
    for rec in frames:
        assert tuple(rec) == RECORD_KEYS
        assert rec["kind"] in (
            "call",
            "callresult",
            "callerror",
            "callresulterror",
            "send",
            "unparsed",
            "payload",
        )
        assert isinstance(rec["line"], int) and rec["line"] >= 1
        # Only --lenient may call a frame ok despite listed (tolerated) violations.
        assert rec["ok"] is (not rec["violations"]) or (lenient and rec["ok"])
        for v in rec["violations"]:
            assert tuple(v) == VIOLATION_KEYS
            assert v["path"] == payload_path(rec["kind"], v["frame_path"])
        for f in rec["findings"]:
            assert tuple(f) == FINDING_KEYS
        assert rec["direction"] in ("cp->csms", "csms->cp", "unknown")
        assert rec["version"] in ("1.6", "2.0.1", "2.1")
    assert summary["frames"] == len(frames)
    assert summary["exit_code"] == code
    return code, frames, summary, err


# ---------------------------------------------------------------- shared captures


@pytest.fixture(scope="module")
def captures(shared: Path) -> Path:
    return shared / "conformance" / "captures"


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(LOGS))
def test_every_frame_of_each_log_is_found_and_judged(captures: Path, name: str) -> None:
    shape, total, calls, results, errors = LOGS[name]
    code, frames, summary, _ = jsonl(str(captures / name))
    assert summary["sources"][0]["shape"] == shape
    assert len(frames) == total
    assert (
        Counter(r["kind"] for r in frames)
        == Counter({"call": calls, "callresult": results, "callerror": errors}) - Counter()
    )
    assert code == (1 if any(not r["ok"] for r in frames) else 0)
    assert {r["source"] for r in frames} == {str(captures / name)}


@pytest.mark.shared
def test_trace_fixtures_as_a_directory(captures: Path) -> None:
    base = captures / "open-ocpp-trace-specification" / "fixtures"
    code, frames, summary, _ = jsonl(str(base))
    # expected.json files next to the traces quote frames too; count the traces.
    per_file = Counter(Path(r["source"]).parent.name for r in frames if r["source"].endswith("trace.jsonl"))
    assert {k: per_file[k] for k in TRACES} == {k: v[0] for k, v in TRACES.items()}
    shapes = {Path(s["source"]).name: s["shape"] for s in summary["sources"]}
    assert shapes["trace.jsonl"] == "trace-jsonl"
    assert {v["version"] for v in summary["versions"]} == {"1.6"}
    # Two fixtures carry values outside 1.6 enums (README: diagnostics-failure, invalid-stop-reason).
    bad = {Path(r["source"]).parent.name for r in frames if not r["ok"]}
    assert {"diagnostics-failure", "invalid-stop-reason"} <= bad
    assert code == 1


@pytest.mark.shared
def test_known_faults_of_shared_logs(captures: Path) -> None:
    _, frames, summary, _ = jsonl(str(captures / "client_ocpp_sim/6e7b4d1/ocpp.log"))
    callerrors = [r for r in frames if r["kind"] == "callerror"]
    assert len(callerrors) == 790 and not any(r["ok"] for r in callerrors)
    assert {v["version"] for v in summary["versions"] if v["charge_point"] is not None} == {"2.0.1"}
    # README: 5 CALLs of this log are never answered.
    assert summary["unanswered_calls"] == 5
    _, frames, summary, _ = jsonl(str(captures / "Dynamic_OCPP_EVSE/33f96c8/dev/tests/debug.log"))
    # README: 3 CALLs never answered; the log quotes one of them once more in a warning line.
    unanswered = {(u["charge_point"], u["message_id"]) for u in summary["unanswered_listed"]}
    assert len({mid for _, mid in unanswered}) == 3
    # OCPP-Tester: a one-direction capture, results whose CALL is not in the file.
    _, frames, summary, _ = jsonl(str(captures / "OCPP-Tester/a055839/server.log"))
    assert summary["unpaired_results"] == 16


@pytest.mark.shared
def test_single_frame_files_and_bare_payloads(captures: Path) -> None:
    base = captures / "ocpp-library/v16/src/test/resources"
    code, frames, _, _ = jsonl(str(base / "status_notification/req-timestamp-no-timezone.json"))
    assert code == 1 and frames[0]["violations"][0]["keyword"] == "format"
    code, frames, _, _ = jsonl(str(base / "status_notification/req-timestamp.json"))
    assert code == 0 and frames[0]["ok"]
    code, frames, _, _ = jsonl(str(base / "status_notification/err.json"))
    assert code == 1 and frames[0]["kind"] == "callerror"
    payload = captures / "libocpp/tests/lib/ocpp/v16/json"
    code, frames, _, _ = jsonl(str(payload))
    assert {r["kind"] for r in frames} == {"payload"}
    assert len(frames) == len(list(payload.glob("*.json")))


# ---------------------------------------------------------------- the bundled example


def test_example_is_current() -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import make_capture
    finally:
        sys.path.pop(0)
    assert make_capture.build() == EXAMPLE.read_text(encoding="utf-8")


def _line_of(needle: str) -> int:
    return next(i for i, line in enumerate(EXAMPLE.read_text().splitlines(), 1) if needle in line)


def test_example_findings() -> None:
    code, frames, summary, _ = jsonl(str(EXAMPLE))
    assert code == 1
    bad = {r["line"]: r for r in frames if not r["ok"]}
    expected = {
        _line_of('"idTag":"04E1B2C3D4E5F6A7B8C9D0E1"'): ("/3/idTag", "maxLength"),
        _line_of('"StartTransaction",{"connectorId"'): ("/3/meterStart", "required"),
        _line_of('"timestamp":"2026-03-02T08:02:01.808"'): ("/3/meterValue/0/timestamp", "format"),
        _line_of('"OverCurrent"'): ("/3/errorCode", "enum"),
        _line_of('"triggerReason":"Plugged"'): ("/3/triggerReason", "enum"),
    }
    assert {
        line: (r["violations"][0]["frame_path"], r["violations"][0]["keyword"]) for line, r in bad.items()
    } == expected
    versions = {v["charge_point"]: v["version"] for v in summary["versions"]}
    assert versions == {"ACME-0042": "1.6", "VOLTA-7": "2.0.1"}
    assert [u["action"] for u in summary["unanswered_listed"]] == ["RemoteStopTransaction"]
    # The conversation checker follows the 1.6 transaction the unanswered stop leaves running.
    assert {f["code"] for f in summary["findings_listed"]} == {
        "connector.error-warning",
        "transaction.unfinished",
    }
    assert summary["by_code"] == {"PropertyConstraintViolation": 4, "OccurenceConstraintViolation": 1}
    text = EXAMPLE.read_text()
    assert len(frames) == text.count("receive message [") + text.count(" send [")


def test_example_text_report() -> None:
    code, out, _ = run("validate", str(EXAMPLE))
    assert code == 1
    assert "24 characters, at most 20 allowed" in out
    assert "required property 'meterStart' is missing" in out
    assert "RemoteStopTransaction" in out.split("Summary")[1]
    assert "\x1b[" not in out  # not a terminal: no colour
    assert "ACME-0042: OCPP 1.6" in out and "VOLTA-7: OCPP 2.0.1" in out


def test_lenient_tolerates_the_naive_date_time() -> None:
    _, strict, _, _ = jsonl(str(EXAMPLE))
    code, lenient, summary, _ = jsonl(str(EXAMPLE), "--lenient")
    line = _line_of('"timestamp":"2026-03-02T08:02:01.808"')
    assert not next(r for r in strict if r["line"] == line)["ok"]
    rec = next(r for r in lenient if r["line"] == line)
    assert rec["violations"] and rec["violations"][0]["keyword"] == "format"
    assert summary["tolerated_violations"] == 1
    assert summary["invalid"] == sum(1 for r in strict if not r["ok"]) - 1
    assert code == 1


def test_forced_version_and_json_report() -> None:
    code, out, _ = run("validate", str(EXAMPLE), "--ocpp", "2.0.1", "--report", "json")
    doc = json.loads(out)
    assert set(doc) == {"frames", "summary"}
    text = EXAMPLE.read_text()
    assert (
        len(doc["frames"])
        == doc["summary"]["frames"]
        == text.count("receive message [") + text.count(" send [")
    )
    assert all(tuple(r) == RECORD_KEYS for r in doc["frames"])
    # Read as 2.0.1, the 1.6 charger's frames break the 2.0.1 schemas.
    acme = [r for r in doc["frames"] if r["charge_point"] == "ACME-0042" and r["kind"] == "call"]
    assert sum(not r["ok"] for r in acme) > 5
    assert code == 1


def test_stdin_and_gzip(tmp_path: Path) -> None:
    data = EXAMPLE.read_bytes()
    _, plain, _, _ = jsonl(str(EXAMPLE))
    _, piped, _, _ = jsonl("-", stdin=data)
    gz = tmp_path / "charger.log.bin"
    gz.write_bytes(gzip.compress(data))
    _, unzipped, _, _ = jsonl(str(gz))
    strip = [{k: v for k, v in r.items() if k != "source"} for r in plain]
    assert [{k: v for k, v in r.items() if k != "source"} for r in piped] == strip
    assert [{k: v for k, v in r.items() if k != "source"} for r in unzipped] == strip
    assert {r["source"] for r in piped} == {"-"}


def test_valid_capture_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "ok.log"
    path.write_text(
        'send [2,"1","Heartbeat",{}]\nreceive message [3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]\n'
    )
    code, frames, _, _ = jsonl(str(path))
    assert code == 0 and [r["ok"] for r in frames] == [True, True]
    assert frames[1]["action"] == "Heartbeat"


def test_message_ids_are_reused_in_order(tmp_path: Path) -> None:
    # The same id twice: each result answers the CALL before it, per charge point.
    path = tmp_path / "reuse.csv"
    rows = [
        "timestamp,id,action,msg",
        '2026-01-01T00:00:00Z,CP1,Heartbeat,"[2,""x"",""Heartbeat"",{}]"',
        '2026-01-01T00:00:01Z,CP1,,"[3,""x"",{""currentTime"":""2026-01-01T00:00:01Z""}]"',
        '2026-01-01T00:00:02Z,CP1,Authorize,"[2,""x"",""Authorize"",{""idTag"":""A""}]"',
        '2026-01-01T00:00:03Z,CP1,,"[3,""x"",{""currentTime"":""2026-01-01T00:00:01Z""}]"',
    ]
    path.write_text("\n".join(rows) + "\n")
    code, frames, _, _ = jsonl(str(path), "--ocpp", "1.6")
    assert [r["action"] for r in frames] == ["Heartbeat", "Heartbeat", "Authorize", "Authorize"]
    # The second result is a Heartbeat answer given to an Authorize: idTagInfo missing.
    assert [r["ok"] for r in frames] == [True, True, True, False]
    assert code == 1


# ---------------------------------------------------------------- bad input


def test_missing_file_and_usage_errors(tmp_path: Path) -> None:
    code, out, err = run("validate", str(tmp_path / "nope.log"))
    assert code == 2 and "no such file" in err and out == ""
    code, _, err = run("validate")
    assert code == 2 and err.startswith("usage: ocpkit validate") and "required: FILE" in err
    code, _, err = run("validate", str(EXAMPLE), "--ocpp", "3.0")
    assert code == 2 and "invalid choice" in err
    code, _, err = run("frobnicate")
    assert code == 2


def _validate(*argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    return run("validate", *argv, stdin=stdin)


def test_binary_empty_and_frameless_files(tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    code, _, err = _validate(str(binary))
    assert code == 2 and "binary" in err
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    code, _, err = _validate(str(empty))
    assert code == 2 and "empty file" in err
    prose = tmp_path / "prose.log"
    prose.write_text("server started\nnothing happened\n")
    code, _, err = _validate(str(prose))
    assert code == 2 and "no OCPP-J frame in 2 line(s)" in err


def test_directories_without_captures(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = _validate(str(tmp_path / "empty"))
    assert code == 2 and "holds no files" in err
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("hello\n")
    (notes / "b.bin").write_bytes(b"\x00\x01\x02")
    code, _, err = _validate(str(notes))
    assert code == 2 and "no OCPP-J frame in any file" in err


def test_invalid_utf8_line_is_reported_per_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.log"
    path.write_bytes(
        b"caf\xe9 opened\n"
        b'send [2,"1","Heartbeat",{}]\n'
        b'receive message [2,"2","Authorize",{"idTag":"M\xfcller"}]\n'
    )
    code, frames, summary, _ = jsonl(str(path), "--ocpp", "1.6")
    assert [r["line"] for r in frames] == [2, 3]
    assert frames[0]["ok"] and not frames[1]["ok"]
    assert frames[1]["violations"][0]["keyword"] == "json"
    assert [p["line"] for p in summary["input_problems"]] == [1, 3]
    assert code == 1


def test_huge_single_line_is_skipped_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    with path.open("wb") as fh:
        fh.write(b'send [2,"1","Heartbeat",{}]\n')
        fh.write(b"x" * (100 * 1024 * 1024))
        fh.write(b'\nsend [2,"2","Heartbeat",{}]\n')
    code, frames, summary, _ = jsonl(str(path), "--ocpp", "1.6")
    assert [r["line"] for r in frames] == [1, 3]
    [problem] = summary["input_problems"]
    assert problem["line"] == 2 and f"{MAX_LINE_BYTES - 2:,}-byte limit" in problem["message"]
    assert code == 0


def test_truncated_gzip(tmp_path: Path) -> None:
    rng = random.Random(7)
    noise = b"".join(rng.randbytes(40).hex().encode() + b"\n" + EXAMPLE.read_bytes() for _ in range(300))
    packed = gzip.compress(noise)
    path = tmp_path / "cut.log.gz"
    path.write_bytes(packed[: len(packed) // 2])
    code, out, err = _validate(str(path), "--report", "jsonl")
    assert code == 2 and "truncated or corrupt gzip" in err
    # What was read before the cut is still reported, and the summary closes the output.
    assert json.loads(out.splitlines()[-1])["kind"] == "summary"
    head = tmp_path / "head.gz"
    head.write_bytes(packed[:5])
    code, _, err = _validate(str(head))
    assert code == 2 and "gzip" in err


def test_hostile_lines_never_raise(tmp_path: Path) -> None:
    path = tmp_path / "hostile.log"
    path.write_text(
        "\n".join(
            [
                "[2," * 5000,
                '[2,"a","Heartbeat",{}',
                '[4,"a",null,null,null]',
                '[3,"' + "i" * 100 + '",{}]',
                '[2,"b","NoSuchAction",{"x":1e999999}]',
                '[6,"c","NotifyPeriodicEventStream",{}]',
                '[2, "d", "Heartbeat", {"k": NaN}]',
            ]
        )
        + "\n"
    )
    for version in ("auto", "1.6", "2.0.1", "2.1"):
        code, frames, _, _ = jsonl(str(path), "--ocpp", version)
        assert code == 1
        assert not all(r["ok"] for r in frames)


# ---------------------------------------------------------------- price and schema export


@pytest.mark.shared
def test_price_prints_the_breakdown(shared: Path) -> None:
    case = shared / "conformance/ocpi-tariffs/tandemdrive-ocpi-tariffs/test_data/grace_period_parking_time"
    cdr = json.loads((case / "cdr.json").read_text())
    code, out, _ = run("price", str(case / "tariff.json"), str(case / "cdr.json"), "--report", "json")
    assert code == 0
    body = json.loads(out)
    assert float(body["total_cost"]["excl_vat"]) == cdr["total_cost"]["excl_vat"]
    assert float(body["total_cost"]["incl_vat"]) == cdr["total_cost"]["incl_vat"]
    assert {ln["dimension"] for ln in body["lines"]} == {"PARKING_TIME", "ENERGY"}
    code, out, _ = run("price", str(case / "tariff.json"), str(case / "cdr.json"), "--tz", "Europe/Amsterdam")
    assert code == 0 and "total" in out and "Europe/Amsterdam" in out


def test_price_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = run("price", str(bad), str(bad))
    assert code == 2 and "not JSON" in err
    code, _, err = run("price", str(tmp_path / "missing.json"), str(bad))
    assert code == 2 and "cannot read" in err
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    code, _, err = run("price", str(empty), str(empty))
    assert code == 2 and err.startswith("ocpkit price: ")


def test_schema_export(tmp_path: Path) -> None:
    from ocpkit.ocpi._schemas import ocpi_schema, ocpi_schema_names
    from ocpkit.schemas import ocpp_schema

    code, out, _ = run("schema", "export", str(tmp_path / "out"))
    assert code == 0
    files = sorted((tmp_path / "out").rglob("*.json"))
    assert f"wrote {len(files)} JSON Schemas" in out
    on_disk = json.loads((tmp_path / "out/ocpp/2.0.1/BootNotificationRequest.json").read_text())
    assert on_disk == ocpp_schema("2.0.1", "BootNotification", "request")
    for version in ("1.6", "2.0.1", "2.1"):
        assert len(list((tmp_path / "out/ocpp" / version).glob("*.json"))) > 50
    for version in ("2.1.1", "2.2.1", "2.3.0"):
        names = ocpi_schema_names(version)
        assert len(list((tmp_path / "out/ocpi" / version).glob("*.json"))) == len(names)
        first = json.loads((tmp_path / "out/ocpi" / version / f"{names[0]}.json").read_text())
        assert first == ocpi_schema(version, names[0])
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run("schema", "export", str(blocker / "sub"))
    assert code == 2 and err.startswith("ocpkit schema export: ")


# ---------------------------------------------------------------- a real process


def test_python_dash_m_ocpkit() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ocpkit", "validate", "--report", "jsonl", "-"],
        input=EXAMPLE.read_bytes(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    last = json.loads(proc.stdout.splitlines()[-1])
    assert last["kind"] == "summary" and last["invalid"] == 5


# ---------------------------------------------------------------- terminal behaviour and bounds


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = _Terminal()
    assert main(["validate", str(EXAMPLE)], stdout=out, stderr=io.StringIO()) == 1
    assert "\x1b[31;1m✗\x1b[0m" in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    out = _Terminal()
    assert main(["validate", str(EXAMPLE)], stdout=out, stderr=io.StringIO()) == 1
    assert "\x1b[" not in out.getvalue()


def test_progress_on_a_terminal_silent_when_piped(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    filler = ("x" * 99 + "\n") * 50_000  # 5 MB of lines without frames
    path.write_text(filler + 'send [2,"1","Heartbeat",{}]\n')
    err = _Terminal()
    code = main(["validate", str(path), "--report", "jsonl"], stdout=io.StringIO(), stderr=err)
    assert code == 0
    assert "long.log [" in err.getvalue() and "MB" in err.getvalue()
    assert err.getvalue().endswith("\r\x1b[2K")  # the bar clears its line when done
    piped = io.StringIO()
    assert main(["validate", str(path), "--report", "jsonl"], stdout=io.StringIO(), stderr=piped) == 0
    assert piped.getvalue() == ""


def test_unanswered_call_tracking_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from ocpkit.capture import read_capture
    from ocpkit.fleet import _fold as _validate_run

    monkeypatch.setattr(_validate_run, "PENDING_CALLS", 10)
    summary = _validate_run.Summary()
    run = _validate_run.SourceRun("mem", summary, version="1.6")
    lines = [f'send [2,"id{i}","Heartbeat",{{}}]' for i in range(30)]
    sizes = []
    for frame in read_capture(lines):
        assert len(list(run.feed(frame))) == 1
        sizes.append(len(run.pending))
    assert max(sizes) == 10
    # Evicted calls are counted as unanswered at once, the rest at the end.
    assert summary.unanswered == 20
    list(run.finish())
    assert summary.unanswered == 30 and not run.pending


def test_many_bad_lines_are_counted_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "latin1-all.log"
    path.write_bytes(b"caf\xe9\n" * 5000 + b'send [2,"1","Heartbeat",{}]\n')
    code, frames, summary, _ = jsonl(str(path), "--ocpp", "1.6")
    assert code == 0 and len(frames) == 1
    assert summary["input_problems_total"] == 5000
    assert len(summary["input_problems"]) == 50


def test_closed_output_pipe_stops_quietly(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_bytes(EXAMPLE.read_bytes() * 40)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ocpkit", "validate", "--report", "jsonl", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert json.loads(proc.stdout.readline())["kind"] == "call"
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert proc.returncode == 1
    assert err == b""


# ---------------------------------------------------------------- record fields


def test_records_carry_what_a_reviewer_filters_on() -> None:
    log = (
        b'2024-05-01T10:00:00Z cp7 -> [2,"m1","Heartbeat",{"bogus":1}]\n'
        b'2024-05-01T10:00:01Z cp7 <- [3,"m1",{"currentTime":"2024-05-01T10:00:01Z"}]\n'
    )
    _, frames, _, _ = jsonl("--ocpp", "1.6", "-", stdin=log)
    call, result = frames
    assert (call["message_id"], call["version"], call["action"]) == ("m1", "1.6", "Heartbeat")
    assert call["timestamp"] is not None and call["timestamp"].startswith("2024-05-01T10:00:00")
    assert result["message_id"] == "m1"
    (v,) = call["violations"]
    # One convention: ``path`` points into the payload, ``frame_path`` into the frame.
    assert (v["path"], v["frame_path"]) == ("/bogus", "/3/bogus")
    assert result["violations"] == [] and result["ok"] is True


def test_payload_path_of_frame_level_violations_is_null() -> None:
    assert payload_path("call", "/2") is None
    assert payload_path("call", "/3/idTag") == "/idTag"
    assert payload_path("callresult", "/2/status") == "/status"
    assert payload_path("callerror", "/4") == ""
    assert payload_path("unparsed", "") is None
    assert payload_path("call", "/30") is None
