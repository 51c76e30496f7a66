"""What ``ocpkit validate`` tells the user beyond the verdicts: unusable inputs, cut lists, hints, progress.

Each test builds its input here (logs in the host layout the reader knows,
one charge point per line prefix), so the expected counts are the ones written
into the input.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
from pathlib import Path
from typing import Any

from ocpkit.cli import main
from ocpkit.fleet._fold import _MAX_LISTED
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "charger.log"
HOWTO = ROOT / "docs" / "howto" / "validate-capture.md"


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, as a real one would."""

    def isatty(self) -> bool:
        return True


def run(*argv: str, stdin: bytes = b"", stderr: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    code = main(["validate", *argv], stdout=out, stderr=err, stdin=io.BytesIO(stdin))
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def summary_of(*argv: str, stdin: bytes = b"") -> tuple[int, dict[str, Any], str]:
    code, out, err = run(*argv, "--report", "jsonl", stdin=stdin)
    summary = json.loads(out.splitlines()[-1])
    assert summary["kind"] == "summary" and summary["exit_code"] == code
    return code, summary, err


def _line(cp: str, text: str, second: int = 0) -> str:
    return f"2026-03-02 10:00:{second % 60:02d},000 - ocpp - INFO - {cp}: {text}\n"


def _heartbeat_log(cps: int, per_cp: int = 1) -> str:
    # Each charge point sends a Heartbeat with an unknown property (invalid) and gets its answer.
    out = []
    for i in range(cps):
        for j in range(per_cp):
            mid = f"h{i}-{j}"
            out.append(_line(f"CP-{i:03d}", f'receive message [2,"{mid}","Heartbeat",{{"bogus":{j}}}]'))
            out.append(_line(f"CP-{i:03d}", f'send [3,"{mid}",{{"currentTime":"2026-03-02T10:00:00Z"}}]'))
    return "".join(out)


# ---------------------------------------------------------------- a. empty and binary inputs


def test_empty_file_says_so_on_stderr_and_nothing_on_stdout(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    code, out, err = run(str(empty))
    assert code == 2
    assert out == ""
    assert str(empty) in err and "empty" in err


def test_binary_file_says_so_on_stderr_and_nothing_on_stdout(tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    code, out, err = run(str(binary))
    assert code == 2 and out == ""
    assert str(binary) in err and "binary" in err and "not text" in err


def test_control_bytes_without_nul_are_binary_too(tmp_path: Path) -> None:
    blob = tmp_path / "blob.dat"
    blob.write_bytes(bytes(b % 32 for b in range(1, 4000) if b % 32 not in (0, 9, 10, 13)))
    code, out, err = run(str(blob))
    assert code == 2 and out == "" and "binary" in err


def test_utf16_capture_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "utf16.log"
    path.write_bytes('send [2,"1","Heartbeat",{}]\n'.encode("utf-16"))
    code, out, err = run(str(path))
    assert code == 2 and out == "" and "UTF-16" in err


def test_empty_gzip_stream_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "nothing.log.gz"
    path.write_bytes(gzip.compress(b""))
    code, out, err = run(str(path))
    assert code == 2 and out == "" and "empty" in err


def test_json_reports_of_an_unusable_input_claim_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    for report in ("jsonl", "json"):
        code, out, err = run(str(empty), "--report", report)
        assert code == 2 and "empty" in err
        doc = json.loads(out.splitlines()[-1]) if report == "jsonl" else json.loads(out)["summary"]
        assert doc["exit_code"] == 2
        assert doc["failed_inputs"] == [{"source": str(empty), "reason": "empty", "message": "empty file"}]
        assert doc["failed_inputs_total"] == 1
        # Nothing was validated, so the summary states no verdict.
        assert doc["verdict"] is None
        assert doc["sources"] == []


def test_one_empty_input_among_several(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    good = tmp_path / "good.log"
    good.write_text(_line("CP-1", 'send [2,"1","Heartbeat",{}]'))
    # The other inputs are still validated: the example's five invalid frames are all reported.
    code, summary, err = summary_of(str(empty), str(EXAMPLE))
    assert code == 2 and "empty.log" in err
    assert summary["invalid"] == 5 and summary["verdict"] == "invalid"
    assert [f["source"] for f in summary["failed_inputs"]] == [str(empty)]
    # A clean input next to an unusable one: exit 2, and the text report does not say "all valid".
    code, out, err = run(str(good), str(empty))
    assert code == 2 and "empty.log" in err
    assert "all valid" not in out and "no violations found\n" not in out
    assert "1 input not validated" in out and str(empty) in out
    code, summary, _ = summary_of(str(good), str(empty))
    assert summary["verdict"] == "valid" and summary["frames"] == 1


def test_binary_file_in_a_directory_is_skipped_and_listed(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(_line("CP-1", 'send [2,"1","Heartbeat",{}]'))
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02")
    code, summary, _ = summary_of(str(tmp_path))
    # Inside a directory a binary file is an expected neighbour: noted, not an error.
    assert code == 0
    assert summary["input_problems"][0]["source"].endswith("b.bin")


# ---------------------------------------------------------------- b. cut lists


def test_text_report_says_how_many_charge_points_it_leaves_out(tmp_path: Path) -> None:
    path = tmp_path / "many.log"
    path.write_text(_heartbeat_log(30))
    code, out, _ = run(str(path), "--ocpp", "1.6")
    assert code == 1
    tail = out.split("Summary")[1]
    charger_row = next(line for line in tail.splitlines() if "by charger" in line)
    assert charger_row.count(" of ") == 20
    assert "… and 10 more" in charger_row


def test_text_report_says_how_many_versions_it_leaves_out(tmp_path: Path) -> None:
    path = tmp_path / "many.log"
    boot = '{"chargePointVendor":"V","chargePointModel":"M"}'
    path.write_text(
        "".join(
            _line(f"CP-{i:03d}", f'receive message [2,"b{i}","BootNotification",{boot}]') for i in range(25)
        )
    )
    _, out, _ = run(str(path))
    tail = out.split("Summary")[1]
    assert tail.count("  version  ") == 20
    assert "… and 5 more charge points" in tail
    _, summary, _ = summary_of(str(path))
    assert summary["versions_total"] == 25 and len(summary["versions"]) == 25
    assert summary["versions_omitted"] == 0


def test_unanswered_calls_beyond_the_bound(tmp_path: Path) -> None:
    n = _MAX_LISTED + 12
    path = tmp_path / "unanswered.log"
    path.write_text("".join(_line("CP-1", f'send [2,"u{i}","Heartbeat",{{}}]', i) for i in range(n)))
    code, out, _ = run(str(path), "--ocpp", "1.6")
    assert code == 0
    tail = out.split("Summary")[1]
    assert f"{n} CALL(s) got no answer" in tail
    assert f"… and {n - 10} more" in tail
    _, summary, _ = summary_of(str(path), "--ocpp", "1.6")
    assert summary["unanswered_calls"] == n
    assert len(summary["unanswered_listed"]) == _MAX_LISTED
    assert summary["unanswered_listed_total"] == n
    assert summary["unanswered_listed_omitted"] == 12
    assert summary["limits"]["listed"] == _MAX_LISTED


def test_findings_and_input_problems_say_what_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "findings.log"
    # Negative connector ids break a spec rule; the Latin-1 lines are input problems.
    lines = [
        _line(
            "CP-1",
            f'receive message [2,"s{i}","StatusNotification",{{"connectorId":-{i + 1},"errorCode":"NoError","status":"Available"}}]',
        )
        for i in range(_MAX_LISTED + 10)
    ]
    data = "".join(lines).encode() + b"caf\xe9 line\n" * 14
    path.write_bytes(data)
    _, out, _ = run(str(path), "--ocpp", "1.6")
    _, summary, _ = summary_of(str(path), "--ocpp", "1.6")
    total = summary["findings_total"]
    assert total > _MAX_LISTED
    tail = out.split("Summary")[1]
    assert f"… and {total - 8} more" in tail
    assert summary["findings_listed_total"] == total
    assert summary["findings_listed_omitted"] == total - _MAX_LISTED
    assert len(summary["findings_listed"]) == _MAX_LISTED
    assert summary["input_problems_total"] == 14
    assert "… and 4 more" in tail
    assert summary["input_problems_omitted"] == 0


def test_every_summary_list_states_its_total_and_what_it_leaves_out() -> None:
    _, summary, _ = summary_of(str(EXAMPLE))
    for name in (
        "versions",
        "findings_listed",
        "unanswered_listed",
        "sources",
        "input_problems",
        "failed_inputs",
        "version_hints",
    ):
        assert isinstance(summary[name], list), name
        assert summary[f"{name}_total"] - summary[f"{name}_omitted"] == len(summary[name]), name
    assert summary["limits"] == {"listed": _MAX_LISTED, "names": 1000}


# ---------------------------------------------------------------- c. forced version hints


def test_forced_version_that_the_frames_contradict_gets_a_hint() -> None:
    code, summary, err = summary_of(str(EXAMPLE), "--ocpp", "2.0.1")
    assert code == 1
    hint_lines = [line for line in err.splitlines() if "hint" in line]
    assert len(hint_lines) == 1
    assert "ACME-0042" in hint_lines[0] and "OCPP 1.6" in hint_lines[0] and "--ocpp 2.0.1" in hint_lines[0]
    [hint] = summary["version_hints"]
    assert (hint["charge_point"], hint["given"], hint["looks_like"]) == ("ACME-0042", "2.0.1", "1.6")
    assert hint["confidence"] == "high" and hint["reasons"]
    assert summary["version_hints_total"] == 1
    # The text report shows it in the summary too.
    _, out, _ = run(str(EXAMPLE), "--ocpp", "2.0.1")
    assert "looks like OCPP 1.6" in out.split("Summary")[1]


def test_no_hint_when_the_forced_version_agrees_or_evidence_is_weak() -> None:
    code, summary, err = summary_of(str(EXAMPLE), "--ocpp", "1.6")
    # VOLTA-7 speaks 2.0.1: forcing 1.6 on it is contradicted (medium evidence), ACME-0042 agrees.
    assert [h["charge_point"] for h in summary["version_hints"]] == ["VOLTA-7"]
    assert summary["version_hints"][0]["confidence"] == "medium" and "VOLTA-7" in err and code == 1
    # 2.1 keeps every 2.0.1 action: 2.0.1 traffic without a 2.1-only message does not contradict 2.1.
    volta = "".join(line for line in EXAMPLE.read_text().splitlines(keepends=True) if "VOLTA-7" in line)
    _, summary, err = summary_of("-", "--ocpp", "2.1", stdin=volta.encode())
    assert summary["version_hints"] == [] and "hint" not in err
    _, summary, err = summary_of("-", "--ocpp", "2.0.1", stdin=volta.encode())
    assert summary["version_hints"] == [] and "hint" not in err


def test_hint_does_not_change_verdicts() -> None:
    _, out_forced, _ = run(str(EXAMPLE), "--ocpp", "2.0.1", "--report", "jsonl")
    records = [json.loads(line) for line in out_forced.splitlines()[:-1]]
    assert {r["version"] for r in records} == {"2.0.1"}
    acme = [r for r in records if r["charge_point"] == "ACME-0042" and r["kind"] == "call"]
    assert sum(not r["ok"] for r in acme) > 5


# ---------------------------------------------------------------- d. progress


def _progress_log(lines: int) -> bytes:
    return "".join(_line("CP-1", f'send [2,"p{i}","Heartbeat",{{}}]', i) for i in range(lines)).encode()


def test_progress_for_stdin_on_a_terminal() -> None:
    err = _Terminal()
    code, _, text = run("-", "--ocpp", "1.6", "--report", "jsonl", stdin=_progress_log(3000), stderr=err)
    assert code == 0
    assert "\r- " in text and "MB read" in text and "frames" in text
    assert "%" not in text  # no total known, so no share
    assert text.endswith("\r\x1b[2K")
    code, _, text = run("-", "--ocpp", "1.6", "--report", "jsonl", stdin=_progress_log(3000))
    assert text == ""


def test_progress_for_a_small_gzip_file_on_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "small.log.gz"
    path.write_bytes(gzip.compress(_progress_log(3000)))
    assert path.stat().st_size < 1 << 20
    err = _Terminal()
    code, _, text = run(str(path), "--ocpp", "1.6", "--report", "jsonl", stderr=err)
    assert code == 0
    assert "small.log.gz" in text and "MB read" in text and "frames" in text
    assert text.endswith("\r\x1b[2K")
    code, _, text = run(str(path), "--ocpp", "1.6", "--report", "jsonl")
    assert text == ""


def test_small_plain_file_shows_no_progress_on_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "small.log"
    path.write_bytes(_progress_log(3000))
    err = _Terminal()
    code, _, text = run(str(path), "--ocpp", "1.6", "--report", "jsonl", stderr=err)
    assert code == 0 and text == ""


# ---------------------------------------------------------------- e. --lenient says what it does


def test_lenient_help_and_howto_name_exactly_what_is_tolerated() -> None:
    from ocpkit.cli.validate import LENIENT_REPAIRS

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):  # argparse prints --help to sys.stdout
        assert main(["validate", "--help"]) == 0
    # One line of words; argparse wraps at hyphens too ("date-" / "time").
    help_text = re.sub(r"-\s+", "-", " ".join(buf.getvalue().split()))
    howto = " ".join(HOWTO.read_text().split())
    for repair in LENIENT_REPAIRS:
        assert repair in help_text, repair
        assert repair in howto, repair
    # The how-to once said --lenient turned state-machine errors into warnings; it does not touch them.
    assert "with or without `--lenient`" in howto
    assert "--lenient` reports state-machine" not in howto


def test_lenient_tolerates_each_named_repair_and_nothing_else() -> None:
    cases = [
        # (payload of a 1.6 StatusNotification CALL, tolerated by --lenient)
        (
            '{"connectorId":1,"errorCode":"NoError","status":"Available","timestamp":"2026-03-02T10:00:00"}',
            True,
        ),
        (
            '{"connectorId":1,"errorCode":"NoError","status":"Available","timestamp":"2026-03-02 10:00:00+0200"}',
            True,
        ),
        ('{"connectorId":"1","errorCode":"NoError","status":"Available"}', True),
        ('{"connectorId":1,"errorCode":"NoError","status":"Available","extra":true}', True),
        ('{"connectorId":1,"errorCode":"NoError","status":"Available","info":7}', True),
        ('{"connectorId":1,"errorCode":"NoError","status":"Charged"}', False),
        ('{"connectorId":1,"errorCode":"NoError"}', False),
        ('{"connectorId":1,"errorCode":"NoError","status":"Available","info":"' + "x" * 60 + '"}', False),
    ]
    for payload, tolerated in cases:
        log = f'send [2,"m","StatusNotification",{payload}]\n'.encode()
        _, strict, _ = summary_of("-", "--ocpp", "1.6", stdin=log)
        _, lenient, _ = summary_of("-", "--ocpp", "1.6", "--lenient", stdin=log)
        assert strict["invalid"] == 1, payload
        assert lenient["invalid"] == (0 if tolerated else 1), payload
        assert (lenient["tolerated_violations"] > 0) is tolerated, payload


def test_lenient_leaves_conversation_findings_alone() -> None:
    _, strict, _ = summary_of(str(EXAMPLE))
    _, lenient, _ = summary_of(str(EXAMPLE), "--lenient")
    assert strict["findings"] == lenient["findings"]
    assert strict["findings_listed"] == lenient["findings_listed"]


def test_jsonl_written_to_the_bytes_under_a_utf8_stream_is_the_text_written_to_a_text_stream(
    tmp_path: Path,
) -> None:
    # A real stdout takes the records' bytes as they are; any other text stream takes text. Both hold
    # the same lines, and more than one batch of them, with non-ASCII text among them.
    lines = []
    for i in range(700):
        lines.append(
            f'2026-03-02 10:00:00,000 - ocpp - INFO - CP-é: receive message [2,"m{i}","Heartbeat",{{}}]'
        )
        lines.append(f'2026-03-02 10:00:00,000 - ocpp - INFO - CP-é: send [3,"m{i}",{{"currentTime":"x"}}]')
    log = tmp_path / "cp.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = io.StringIO()
    code = main(["validate", str(log), "--report", "jsonl"], stdout=text, stderr=io.StringIO())
    raw = io.BytesIO()
    wrapped = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
    assert main(["validate", str(log), "--report", "jsonl"], stdout=wrapped, stderr=io.StringIO()) == code
    wrapped.flush()
    assert raw.getvalue().decode("utf-8") == text.getvalue()
    records = [json.loads(line) for line in text.getvalue().splitlines()]
    assert len(records) == 1401 and records[-1]["kind"] == "summary"
    assert records[0]["charge_point"] == "CP-é" and records[1]["action"] == "Heartbeat"
