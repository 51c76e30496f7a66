"""Device-model costs: catalogue loading, value checks, and the watcher in the conversation fold.

Usage: python benchmarks/device_model.py [--repeat N]

Prints, each against a baseline measured in the same run:

1. import and first-use cost, in fresh interpreters (median of N): ``import
   ocpkit.ocpp`` (the baseline), ``+ import ocpkit.ocpp.device_model``, and
   ``+ catalogue("2.0.1")`` (the generated data module imported);
2. value checks: one SetVariables payload of 25 entries judged by
   ``check_payload`` against the same payload's schema verdict
   (``validate_payload``);
3. the fold with and without the device-model watcher: over the kwwhat 1.6
   capture from ../shared (almost no device-model traffic: the watcher's
   fixed cost), and over a synthetic 2.0.1 stream of full-inventory
   NotifyReport sequences (every exchange is one the watcher reads).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocpkit.capture import read_capture
from ocpkit.ocpp.conversation import check
from ocpkit.ocpp.device_model import catalogue, check_payload
from ocpkit.ocpp.rpc import parse_frame
from ocpkit.ocpp.validation import validate_payload

ROOT = Path(__file__).resolve().parents[1]
KWWHAT = "conformance/captures/kwwhat/demo/seeds/ocpp_1_6_synthetic_logs_14d.csv"


def _fresh(code: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t=time.perf_counter(); {code}; print(time.perf_counter()-t)",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(run.stdout))
    return statistics.median(times)


def imports(repeat: int) -> None:
    base = _fresh("import ocpkit.ocpp", repeat)
    package = _fresh("import ocpkit.ocpp; import ocpkit.ocpp.device_model", repeat)
    loaded = _fresh("import ocpkit.ocpp.device_model as d; d.catalogue('2.0.1')", repeat)
    both = _fresh("import ocpkit.ocpp.device_model as d; d.catalogue('2.0.1'); d.catalogue('2.1')", repeat)
    print("1. import cost (fresh interpreter, median)")
    print(f"   import ocpkit.ocpp                    {base * 1000:7.1f} ms  (baseline)")
    print(f"   + import ocpkit.ocpp.device_model     {package * 1000:7.1f} ms  ({package / base:.2f}x)")
    print(f"   + catalogue('2.0.1')                  {loaded * 1000:7.1f} ms  ({loaded / base:.2f}x)")
    print(f"   + catalogue('2.0.1') and ('2.1')      {both * 1000:7.1f} ms  ({both / base:.2f}x)")


def _set_variables() -> dict[str, Any]:
    cat = catalogue("2.0.1")
    data = []
    for entry in [e for e in cat.referenced if e.component and e.data_type][:25]:
        var: dict[str, Any] = {"name": entry.name}
        if entry.instance and entry.instance_rule == "fixed":
            var["instance"] = entry.instance
        data.append({"component": {"name": entry.component}, "variable": var, "attributeValue": "42"})
    return {"setVariableData": data}


def value_checks(repeat: int) -> None:
    payload = _set_variables()
    n = 200 * repeat
    validate_payload("2.0.1", "SetVariables", "request", payload)
    check_payload("2.0.1", "SetVariables", "request", payload)
    start = time.perf_counter()
    for _ in range(n):
        validate_payload("2.0.1", "SetVariables", "request", payload)
    schema = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(n):
        check_payload("2.0.1", "SetVariables", "request", payload)
    values = (time.perf_counter() - start) / n
    entries = len(payload["setVariableData"])
    print(f"2. one SetVariables payload of {entries} entries, {n} times")
    print(f"   validate_payload (schema verdict)     {schema * 1e6:7.1f} µs  (baseline)")
    print(f"   check_payload (value checks)          {values * 1e6:7.1f} µs  ({values / schema:.2f}x)")


def _inventory_stream(reports: int) -> list[Any]:
    cat = catalogue("2.0.1")
    items = [
        {
            "component": {"name": e.component},
            "variable": {"name": e.name},
            "variableAttribute": [{"value": "1"}],
        }
        for e in cat.referenced
        if e.component
    ]
    frames = []
    for r in range(reports):
        frames.append([2, f"g{r}", "GetBaseReport", {"requestId": r, "reportBase": "FullInventory"}])
        frames.append([3, f"g{r}", {"status": "Accepted"}])
        parts = [items[i : i + 20] for i in range(0, len(items), 20)]
        for seq, part in enumerate(parts):
            body = {
                "requestId": r,
                "generatedAt": "2026-01-01T00:00:00Z",
                "seqNo": seq,
                "tbc": seq < len(parts) - 1,
                "reportData": part,
            }
            frames.append([2, f"n{r}-{seq}", "NotifyReport", body])
            frames.append([3, f"n{r}-{seq}", {}])
    return [parse_frame(json.dumps(f), version="2.0.1") for f in frames]


def _fold(frames: list[Any], version: str, watchers: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in check(frames, version, watchers=watchers):
            pass
        best = min(best, time.perf_counter() - start)
    return best


def fold(repeat: int) -> None:
    shared = Path(os.environ.get("OCPKIT_SHARED", ROOT.parent / "shared"))
    print("3. conversation fold, best of N, without / with the device-model watcher")
    path = shared / KWWHAT
    if path.is_file():
        with path.open(encoding="utf-8", errors="replace") as handle:
            records = list(read_capture(handle))
        off = _fold(records, "1.6", (), repeat)
        on = _fold(records, "1.6", None, repeat)
        print(
            f"   kwwhat 1.6 capture, {len(records)} frames:  {len(records) / off:,.0f} -> "
            f"{len(records) / on:,.0f} frames/s  ({on / off:.2f}x time)"
        )
    else:
        print(f"   (kwwhat capture not found under {shared})")
    frames = _inventory_stream(20)
    off = _fold(frames, "2.0.1", (), repeat)
    on = _fold(frames, "2.0.1", None, repeat)
    print(
        f"   20 full-inventory reports, {len(frames)} frames:  {len(frames) / off:,.0f} -> "
        f"{len(frames) / on:,.0f} frames/s  ({on / off:.2f}x time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    imports(args.repeat)
    value_checks(args.repeat)
    fold(args.repeat)


if __name__ == "__main__":
    main()
