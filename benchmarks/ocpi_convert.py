"""OCPI conversion speed, as ratios to parsing the same document in the same run.

Run: ``python benchmarks/ocpi_convert.py`` from the repository root (reads official examples from
../shared or $OCPKIT_SHARED). For each document the baseline is ``ocpkit.ocpi.parse`` of its source
version (what any consumer of the document pays anyway); a conversion parses the source, walks its
tables, and validates the result strictly. Figures are medians of nine rounds that alternate the
baseline and the conversion; the ratio is the median of the per-round ratios.
Optional ``--profile`` prints the top of a cProfile of the 2.2.1 CDR -> 2.1.1 conversion.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OCPKIT_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))

from ocpkit.ocpi import convert, parse  # noqa: E402

EXAMPLES = SHARED / "specs/ocpi/2.2.1/examples"
CONTEXT_UP = {"country_code": "NL", "party_id": "ABC", "time_zone": "Europe/Amsterdam"}


def _paired(base: Any, fn: Any, n: int, rounds: int = 9) -> tuple[float, float, float]:
    """Median seconds per call of *base* and *fn*, and the median of their per-round ratios.

    The two alternate round by round, so a slow spell of the shared machine hits both alike.
    """
    base()
    fn()
    b_times, f_times, ratios = [], [], []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            base()
        b = (time.perf_counter() - t) / n
        t = time.perf_counter()
        for _ in range(n):
            fn()
        f = (time.perf_counter() - t) / n
        b_times.append(b)
        f_times.append(f)
        ratios.append(f / b)
    return statistics.median(b_times), statistics.median(f_times), statistics.median(ratios)


def _cases() -> list[tuple[str, str, str, dict[str, Any], str, dict[str, Any]]]:
    location = json.loads((EXAMPLES / "location_example.json").read_bytes(), parse_float=Decimal)
    cdr = json.loads((EXAMPLES / "cdr_example.json").read_bytes(), parse_float=Decimal)
    tariff = json.loads((EXAMPLES / "tariff_4_complex.json").read_bytes(), parse_float=Decimal)
    down_location = convert(location, to="2.1.1", from_="2.2.1", name="Location").value
    location_211 = down_location.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return [
        ("Location", "2.2.1", "2.3.0", location, "location_example.json", {}),
        ("Location", "2.2.1", "2.1.1", location, "location_example.json", {}),
        ("Location", "2.1.1", "2.3.0", location_211, "(2.1.1 conversion of it)", CONTEXT_UP),
        ("CDR", "2.2.1", "2.3.0", cdr, "cdr_example.json", {}),
        (
            "CDR",
            "2.2.1",
            "2.1.1",
            cdr,
            "cdr_example.json",
            {"location": parse("2.1.1", "Location", location_211)},
        ),
        ("Tariff", "2.2.1", "2.3.0", tariff, "tariff_4_complex.json", {}),
    ]


def main() -> None:
    n = 50
    print(
        f"{'object':<9} {'from':>5} -> {'to':<5} {'parse (base)':>13} {'convert':>11} {'ratio':>6}  example"
    )
    for name, source, target, doc, label, context in _cases():
        base, conv, ratio = _paired(
            lambda d=doc, s=source, nm=name: parse(s, nm, d),
            lambda d=doc, s=source, t=target, nm=name, c=context: convert(
                d, to=t, from_=s, name=nm, context=c
            ),
            n,
        )
        step = f"{name:<9} {source:>5} -> {target:<5}"
        print(f"{step} {base * 1e6:10.0f} us {conv * 1e6:8.0f} us {ratio:6.2f}  {label}")
    if "--profile" in sys.argv:
        name, source, target, doc, _, context = _cases()[4]
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(200):
            convert(doc, to=target, from_=source, name=name, context=context)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(18)


if __name__ == "__main__":
    main()
