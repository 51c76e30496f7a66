"""CDRs priced per second over the OCPI tariff conformance cases, repeated.

Usage: ``python benchmarks/price_cdrs.py [REPEAT]`` from the repository root
(``OCPKIT_SHARED`` points at the reference material, default ``../shared``).
The baseline, measured in the same run, is decoding the same CDR and tariff
texts with ``json.loads(parse_float=Decimal)``; the ratio says how many such
decodes one pricing costs.
"""

from __future__ import annotations

import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ocpkit.errors import PricingError
from ocpkit.tariffs import price


def cases(shared: Path) -> list[tuple[str, str | None, str]]:
    base = shared / "conformance/ocpi-tariffs"
    out = []
    for cdr in sorted(base.glob("**/cdr*.json")):
        tariff = cdr.parent / "tariff.json"
        version = "2.1.1" if "v2_1_1" in cdr.parts else "2.2.1"
        out.append(
            (
                cdr.read_text(encoding="utf-8"),
                tariff.read_text(encoding="utf-8") if tariff.exists() else None,
                version,
            )
        )
    return out


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    shared = Path(os.environ.get("OCPKIT_SHARED", Path(__file__).resolve().parent.parent.parent / "shared"))
    texts = cases(shared)
    decoded = [
        (json.loads(c, parse_float=Decimal), None if t is None else json.loads(t, parse_float=Decimal), v)
        for c, t, v in texts
    ]

    start = time.perf_counter()
    for _ in range(repeat):
        for c, t, _v in texts:
            json.loads(c, parse_float=Decimal)
            if t is not None:
                json.loads(t, parse_float=Decimal)
    baseline = time.perf_counter() - start

    priced = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for cdr, tariff, version in decoded:
            try:
                price(tariff, cdr, version, "UTC")
                priced += 1
            except PricingError:
                pass
    elapsed = time.perf_counter() - start

    print(f"cases: {len(decoded)}, repeat: {repeat}, priced: {priced}")
    print(f"pricing: {priced / elapsed:,.0f} CDRs/s ({elapsed / priced * 1e6:,.1f} us per CDR)")
    print(f"ratio pricing / json.loads decode of the same files: {elapsed / baseline:.1f}x")


if __name__ == "__main__":
    main()
