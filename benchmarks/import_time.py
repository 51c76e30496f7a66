"""Import and first-use cost of ocpkit, as ratios to ``import pydantic`` measured in the same run.

Each figure is the median wall time of several fresh interpreter processes
(``python -c ...``), minus the time of an interpreter that imports nothing, so
interpreter start-up does not dilute the ratios. "first use" means importing a
version package and validating one message with it (the first validation
builds that model).

Run from the repository root: ``python benchmarks/import_time.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_BOOT_201 = (
    b'[2,"b1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]'
)

CASES: dict[str, str] = {
    "baseline: import pydantic": "import pydantic; pydantic.BaseModel",
    "baseline: from pydantic import BaseModel": "from pydantic import BaseModel",
    "import ocpkit": "import ocpkit",
    "import ocpkit.ocpp": "import ocpkit.ocpp",
    "import ocpkit, ocpkit.ocpp, ocpkit.ocpi": "import ocpkit, ocpkit.ocpp, ocpkit.ocpi",
    "first check_frame 2.0.1 (BootNotification)": (
        f"from ocpkit.ocpp.validation import check_frame; assert check_frame({_BOOT_201!r}, '2.0.1').ok"
    ),
    "ocpkit validate, one-line file": (
        "import sys; from ocpkit.cli import main; import io; "
        "main(['validate', sys.argv[1], '--report', 'jsonl'], stdout=io.StringIO())"
    ),
    "first use 1.6 (Heartbeat)": (
        "from ocpkit.ocpp import v16; "
        "v16.HeartbeatResponse.model_validate({'currentTime': '2024-01-01T00:00:00Z'})"
    ),
    "first use 1.6 (MeterValues)": (
        "from ocpkit.ocpp import v16; v16.MeterValuesRequest.model_validate("
        "{'connectorId': 1, 'meterValue': [{'timestamp': '2024-01-01T00:00:00Z', "
        "'sampledValue': [{'value': '1'}]}]})"
    ),
    "first use 2.0.1 (BootNotification)": (
        "from ocpkit.ocpp import v201; v201.BootNotificationRequest.model_validate("
        "{'reason': 'PowerUp', 'chargingStation': {'model': 'M', 'vendorName': 'V'}})"
    ),
    "first use 2.0.1 (TransactionEvent)": (
        "from ocpkit.ocpp import v201; v201.TransactionEventRequest.model_validate("
        "{'eventType': 'Started', 'timestamp': '2024-01-01T00:00:00Z', 'triggerReason': 'Authorized', "
        "'seqNo': 0, 'transactionInfo': {'transactionId': 't'}})"
    ),
    "first use 2.1 (BootNotification)": (
        "from ocpkit.ocpp import v21; v21.BootNotificationRequest.model_validate("
        "{'reason': 'PowerUp', 'chargingStation': {'model': 'M', 'vendorName': 'V'}})"
    ),
    "registry 2.1 (actions('2.1'))": "import ocpkit.ocpp; ocpkit.ocpp.actions('2.1')",
}


def _time(code: str, one_line: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, one_line], cwd=ROOT, check=True)
    return time.perf_counter() - start


def main() -> None:
    """Measure every case and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    names = ["empty interpreter", *CASES]
    codes = {"empty interpreter": "pass", **CASES}
    samples: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        one_line = Path(tmp) / "one-line.log"
        one_line.write_bytes(b"2025-10-03 13:09:13,380 - ocpp - INFO - 1: send " + _BOOT_201 + b"\n")
        for _ in range(args.runs):
            for name in names:  # interleaved, so drift affects every case alike
                samples[name].append(_time(codes[name], str(one_line)))
    empty = statistics.median(samples["empty interpreter"])
    base = statistics.median(samples["baseline: import pydantic"]) - empty
    model_base = statistics.median(samples["baseline: from pydantic import BaseModel"]) - empty
    print(
        f"python {sys.version.split()[0]}, {args.runs} runs each, start-up {empty * 1000:.1f} ms subtracted"
    )
    print(f"{'case':44} {'ms':>8} {'x pydantic':>11} {'x BaseModel':>12}")
    for name in CASES:
        cost = statistics.median(samples[name]) - empty
        print(f"{name:44} {cost * 1000:8.1f} {cost / base:11.2f} {cost / model_base:12.2f}")


if __name__ == "__main__":
    main()
