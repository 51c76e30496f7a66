"""OCPI models: import cost, first-use build cost and parse speed, as ratios to baselines measured here.

Run: ``python benchmarks/ocpi_models.py`` from the repository root (reads one example from
../shared or $OCPKIT_SHARED). Each import figure is the median of fresh interpreters; parse
speed is compared with ``json.loads`` of the same bytes (parse_float=Decimal) in the same run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OCPKIT_SHARED", ROOT.parent / "shared"))


def _fresh(code: str, runs: int = 7) -> float:
    """Median wall time of running *code* in a fresh interpreter."""
    timer = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", timer.format(code)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> None:
    baseline = _fresh("from pydantic import BaseModel")
    ocpi = _fresh("from pydantic import BaseModel; import ocpkit.ocpi")
    v230 = _fresh("from pydantic import BaseModel; import ocpkit.ocpi.v230")
    example = (SHARED / "specs/ocpi/2.2.1/examples/location_example.json").read_bytes()
    first = _fresh(
        f"from pydantic import BaseModel; import ocpkit.ocpi as o; o.parse('2.2.1', 'Location', {example!r})",
    )
    print(f"from pydantic import BaseModel (base) {baseline * 1000:8.1f} ms")
    print(f"import ocpkit.ocpi                    {ocpi * 1000:8.1f} ms  ratio {ocpi / baseline:5.2f}")
    print(f"import ocpkit.ocpi.v230 (all models)  {v230 * 1000:8.1f} ms  ratio {v230 / baseline:5.2f}")
    print(f"first parse of a 2.2.1 Location       {first * 1000:8.1f} ms  ratio {first / baseline:5.2f}")

    sys.path.insert(0, str(ROOT))
    from ocpkit.ocpi import parse

    parse("2.2.1", "Location", example)
    n = 300
    t = time.perf_counter()
    for _ in range(n):
        json.loads(example, parse_float=Decimal)
    floor = (time.perf_counter() - t) / n
    t = time.perf_counter()
    for _ in range(n):
        parse("2.2.1", "Location", example)
    full = (time.perf_counter() - t) / n
    print(f"json.loads Location (floor)           {floor * 1e6:8.1f} us")
    print(f"ocpkit.ocpi.parse Location            {full * 1e6:8.1f} us  ratio {full / floor:5.2f}")


if __name__ == "__main__":
    main()
