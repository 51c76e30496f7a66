"""Speed and memory of the capture reader (ocpkit.capture) on synthetic logs.

For each main shape, a 100k-frame log is generated in memory and read with
``read_capture``; the baseline, measured in the same run, is a bare loop of
``json.loads`` over the same frames already cut out of their lines (the least
any reader must do). Printed: lines/s, frames/s and the reader's speed as a
ratio of the baseline's. Memory: peak RSS of a fresh process reading a log
streamed from a generator at two sizes (10x apart); flat means streaming.

Run: ``python benchmarks/capture_read.py`` (from the repository root).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ocpkit.capture import read_capture

FRAMES = 100_000


def _frame(i: int) -> tuple[str, str]:
    """A (frame text, word) pair: CP calls and CSMS answers, as in a busy log."""
    if i % 2 == 0:
        payload = {
            "connectorId": 1,
            "transactionId": 17,
            "meterValue": [
                {
                    "timestamp": "2024-01-01T10:00:00Z",
                    "sampledValue": [
                        {"value": str(i), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
                    ],
                }
            ],
        }
        return json.dumps([2, f"m{i}", "MeterValues", payload], separators=(",", ":")), "receive message"
    return json.dumps([3, f"m{i - 1}", {}], separators=(",", ":")), "send"


def _line(shape: str, i: int) -> str:
    frame, word = _frame(i)
    second = f"{i % 60:02d}"
    if shape == "ha":
        return f"2024-01-01 10:00:{second}.123 INFO (MainThread) [ocpp] CP-1: {word} {frame}"
    if shape == "pylog":
        return f"2024-01-01 10:00:{second},123 - ocpp - INFO - CP-1: {word} {frame}"
    if shape == "octt":
        return f"[10:00:{second}:123] [{'msg-in' if word != 'send' else 'msg-out'}]  {frame}"
    if shape == "evcc":
        verb = "recv" if word != "send" else "send"
        return f"[ocpp  ] TRACE 2024/01/01 10:00:{second} {verb} CP-1: {frame}"
    if shape == "trace-jsonl":
        direction = "cp-to-csms" if word != "send" else "csms-to-cp"
        return json.dumps(
            {
                "timestamp": f"2024-01-01T10:00:{second}Z",
                "chargePointId": "CP-1",
                "direction": direction,
                "raw": frame,
            }
        )
    if shape == "csv":
        quoted = frame.replace('"', '""')
        return f'2024-01-01T10:00:{second}Z,CP-1,,"{quoted}"'
    raise ValueError(shape)


def _log(shape: str, frames: int) -> Iterator[str]:
    if shape == "csv":
        yield "timestamp,id,action,msg"
    if shape == "octt":
        yield "Test Start Time : 01-01-2024 10:00:00"
        yield "System Under Test (SUT) : CS"
        yield "OCPP Version : OCPP 1.6"
    for i in range(frames):
        yield _line(shape, i)


SHAPES = ("ha", "pylog", "octt", "evcc", "trace-jsonl", "csv")


def _best(fn: Callable[[], int], repeat: int = 3) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def speed() -> None:
    frames = [_frame(i)[0] for i in range(FRAMES)]

    def baseline() -> int:
        n = 0
        for text in frames:
            json.loads(text)
            n += 1
        return n

    base_time, _ = _best(baseline)
    print(f"baseline: json.loads on {FRAMES} pre-cut frames: {FRAMES / base_time:,.0f} frames/s")
    print(f"{'shape':<12} {'lines/s':>12} {'frames/s':>12} {'speed vs baseline':>18}")
    for shape in SHAPES:
        lines = list(_log(shape, FRAMES))

        def run(lines: list[str] = lines) -> int:
            return sum(1 for _ in read_capture(lines))

        elapsed, found = _best(run)
        assert found == FRAMES, (shape, found)
        rates = f"{len(lines) / elapsed:>12,.0f} {found / elapsed:>12,.0f}"
        print(f"{shape:<12} {rates} {base_time / elapsed:>17.2f}x")


def rss_child(shape: str, frames: int) -> None:
    if frames:
        found = sum(1 for _ in read_capture(_log(shape, frames)))
        assert found == frames
    print(_peak_kib())


def _peak_kib() -> int:
    # VmHWM belongs to this process image; ru_maxrss would carry the forking parent's peak across exec.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory() -> None:
    sizes = (FRAMES, 10 * FRAMES)
    print(f"\npeak RSS (fresh process, log streamed from a generator): {sizes[0]:,} vs {sizes[1]:,} frames")
    command = [sys.executable, __file__, "--rss", "ha", "0"]
    idle = int(subprocess.run(command, check=True, capture_output=True, text=True).stdout) / 1024
    print(f"{'(import only)':<12} {idle:8.1f} MiB")
    for shape in ("ha", "csv", "trace-jsonl"):
        peaks = []
        for size in sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--rss", shape, str(size)],
                check=True,
                capture_output=True,
                text=True,
            )
            peaks.append(int(out.stdout.strip()) / 1024)
        print(f"{shape:<12} {peaks[0]:8.1f} MiB  {peaks[1]:8.1f} MiB  ratio {peaks[1] / peaks[0]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--rss":
        rss_child(sys.argv[2], int(sys.argv[3]))
    else:
        speed()
        memory()
