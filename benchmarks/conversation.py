"""Conversation fold speed and memory against reading the same capture.

Usage: python benchmarks/conversation.py [CAPTURE] [--repeat N]

Reads the capture once (default: the kwwhat 14-day CSV in ../shared), then
times (a) iterating the decoded records (the floor), (b) the fold over them,
repeated N times as one long stream with fresh message ids per pass. Prints
frames per second and the ratio fold / capture reading measured in the same
run, and the traced peak memory of the fold for 1 pass and for N passes: it
grows until the per-charge-point caps are reached (unanswered calls, recently
closed transactions) and then stays flat however long the stream.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocpkit.capture import CapturedFrame, read_capture
from ocpkit.ocpp.conversation import check

DEFAULT = "conformance/captures/kwwhat/demo/seeds/ocpp_1_6_synthetic_logs_14d.csv"


def stream(records: list[CapturedFrame], passes: int) -> Iterator[CapturedFrame]:
    for n in range(passes):
        for record in records:
            if n and isinstance(record.value, list) and len(record.value) > 1:
                value = [record.value[0], f"{n}-{record.value[1]}", *record.value[2:]]
                yield record._replace(value=value)
            else:
                yield record


def fold(records: list[CapturedFrame], passes: int) -> tuple[float, int]:
    start = time.perf_counter()
    findings = sum(1 for _ in check(stream(records, passes), "1.6"))
    return time.perf_counter() - start, findings


def main() -> None:
    parser = argparse.ArgumentParser()
    shared = Path(os.environ.get("OCPKIT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    parser.add_argument("capture", nargs="?", default=str(shared / DEFAULT))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    with open(args.capture, encoding="utf-8", errors="replace") as handle:
        records = list(read_capture(handle))
    read = time.perf_counter() - start
    frames = len(records)
    start = time.perf_counter()
    for _ in stream(records, 1):
        pass
    floor = time.perf_counter() - start
    one, findings = fold(records, 1)
    print(f"{frames} frames; read_capture {frames / read:,.0f}/s; iteration floor {frames / floor:,.0f}/s")
    print(f"fold: {frames / one:,.0f} frames/s, {findings} findings; fold/read time ratio {one / read:.2f}")
    for passes in (1, args.repeat):
        tracemalloc.start()
        fold(records, passes)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"fold over {passes} pass(es), {passes * frames} frames: traced peak {peak / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
