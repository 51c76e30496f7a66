"""CDRs priced per second over the OCPI tariff conformance cases: ocpkit against ocpi-tariffs.

Usage, from the repository root (``OCPKIT_SHARED`` points at the reference
material, default ``../shared``)::

    pip install ../shared/peers/ocpi-tariffs-py     # the peer; never a dependency of ocpkit
    python benchmarks/price_cdrs.py [--rounds 7] [--repeat 40] [--profile ROW]
    python benchmarks/price_cdrs.py --memory [--cdrs 100000]

Every conformance CDR is priced with its case's tariff (its own ``tariffs``
when the case has no tariff file), as the peer's suite gives it. One round
times each row over all cases ``--repeat`` times, the rows taking turns, so
that the ratios compare figures measured side by side on a noisy machine;
the table shows the median over the rounds and each ratio is the median of
the per-round ratios. Rows:

- ocpkit ``price()`` from the decoded dicts (the tariff's compiled form comes
  from ``price``'s cache after the first call);
- the same with the cache disabled (every call reads and compiles the tariff);
- ocpkit ``price()`` on tariffs compiled once with ``ocpkit.tariffs.compile``;
- ocpkit ``price_many()`` with the compiled tariffs, each case's CDR repeated in one stream;
- for diagnosis, ocpkit's engine alone on CDRs read beforehand (private names), the
  counterpart of the peer's calc-only row;
- ocpkit before compiled tariffs (the frozen copy in ``tests/tariffs``), from dicts;
- the peer from dicts (``Cdr(**cdr)``, ``Tariff(**tariff)``, ``calculate_cdr_cost``);
- the peer's calculation alone on models built beforehand.

Both sides get the same ``json.loads`` dicts (floats), and the zone the
conformance tests use. The peer returns only ``total_cost``; ocpkit every
``total_*`` field and the priced lines. Without the peer installed the peer
rows are skipped with a message. The last block lists where the peer's
``total_cost`` differs from the CDR's expected value at 4 decimals.

``--memory`` measures instead the peak resident memory of fresh processes
that price a generated stream of CDRs (the conformance CDRs, each with its
session moved by a minute and its volumes scaled, one after another) at two
sizes, a tenth of ``--cdrs`` and ``--cdrs``: through ``price_many`` on
compiled tariffs, and through ``ocpkit price --tariffs DIR FILE.jsonl
--report jsonl`` on a JSON-lines file of the same CDRs. Flat memory shows as
equal peaks.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ocpkit.tariffs as tariffs_module
from ocpkit.errors import PricingError
from ocpkit.tariffs import compile, price, price_many

FOUR = Decimal("0.0001")


class Case:
    """One conformance CDR with its tariff, version and zone."""

    def __init__(self, path: Path, shared: Path) -> None:
        self.name = str(path.relative_to(shared / "conformance/ocpi-tariffs"))
        self.version = "2.1.1" if "v2_1_1" in path.parts else "2.2.1"
        self.cdr: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        tariff_path = path.parent / "tariff.json"
        self.tariff: Any = (
            json.loads(tariff_path.read_text(encoding="utf-8")) if tariff_path.exists() else None
        )
        # As the conformance tests: UTC, except the Python copy's Dutch CDRs, re-zoned to local time.
        dutch = (self.cdr.get("cdr_location") or {}).get("country") == "NLD"
        self.zone = "Europe/Amsterdam" if "hamza-nabil-ocpi-tariffs-py" in path.parts and dutch else "UTC"
        own = self.tariff if self.tariff is not None else self.cdr["tariffs"][0]
        self.compiled = compile(own, self.version)


def load_cases(shared: Path) -> list[Case]:
    base = shared / "conformance/ocpi-tariffs"
    return [Case(p, shared) for p in sorted(base.glob("**/cdr*.json"))]


def load_peer() -> Any:
    try:
        from ocpi_tariffs import v2_1_1, v2_2_1
    except ImportError:
        return None
    return {"2.1.1": v2_1_1, "2.2.1": v2_2_1}


def expected_cost(cdr: dict[str, Any]) -> tuple[Decimal, Decimal | None]:
    value = cdr.get("total_cost")
    if isinstance(value, dict):
        incl = value.get("incl_vat")
        return Decimal(str(value.get("excl_vat", 0))), None if incl is None else Decimal(str(incl))
    return Decimal(str(value or 0)), None


def peer_cost(peer: Any, case: Case) -> tuple[Decimal, Decimal | None]:
    module = peer[case.version]
    result = module.calculate_cdr_cost(
        module.Cdr(**case.cdr), None if case.tariff is None else module.Tariff(**case.tariff)
    )
    if isinstance(result, float | int | Decimal):
        return Decimal(str(result)), None
    return Decimal(str(result.excl_vat)), None if result.incl_vat is None else Decimal(str(result.incl_vat))


def rows(cases: list[Case], peer: Any, repeat: int) -> dict[str, Callable[[], int]]:
    """Each row: a function that prices every case ``repeat`` times and returns how many it priced."""

    def ocpkit_dicts() -> int:
        for _ in range(repeat):
            for c in cases:
                price(c.tariff, c.cdr, c.version, c.zone)
        return repeat * len(cases)

    def ocpkit_uncached() -> int:
        cache = tariffs_module._CACHE
        # Put the entries back afterwards: the cached row after this one must not pay for
        # compiling every tariff again in its first pass.
        kept = dict(cache._entries)
        size, cache.size = cache.size, 0
        cache.clear()
        try:
            return ocpkit_dicts()
        finally:
            cache.size = size
            cache._entries.update(kept)

    def ocpkit_compiled() -> int:
        for _ in range(repeat):
            for c in cases:
                price(c.compiled, c.cdr, tz=c.zone)
        return repeat * len(cases)

    # Diagnostic, through private names: the engine alone on CDRs read beforehand, the
    # counterpart of the peer's calc-only row (whose CDR models are built beforehand).
    from ocpkit.tariffs import _engine, _input, _rules, _zone

    read = [_rules.in_context(_input.read_cdr, c.cdr) for c in cases]
    zones = [_zone(None, c.zone, []) for c in cases]

    def ocpkit_engine() -> int:
        for _ in range(repeat):
            for c, data, (zone, name) in zip(cases, read, zones, strict=True):
                _rules.in_context(_engine.run, c.compiled, data, zone, name, None, [])
        return repeat * len(cases)

    out = {
        "ocpkit price() from dicts": ocpkit_dicts,
        "ocpkit price() from dicts, no cache": ocpkit_uncached,
        "ocpkit price() on compiled tariffs": ocpkit_compiled,
    }
    out["ocpkit price_many() on compiled tariffs"] = _many_row(cases, repeat)
    out["ocpkit engine only, CDRs read before (internal)"] = ocpkit_engine
    try:
        # The engine before compiled tariffs, kept in the tests as their oracle until the next release.
        from tests.tariffs.pre_compilation_reference import price as reference_price
    except ImportError:
        pass
    else:

        def reference_dicts() -> int:
            for _ in range(repeat):
                for c in cases:
                    reference_price(c.tariff, c.cdr, c.version, c.zone)
            return repeat * len(cases)

        out["ocpkit before compiled tariffs, from dicts"] = reference_dicts
    if peer is not None:
        built = [
            (
                peer[c.version],
                peer[c.version].Cdr(**c.cdr),
                None if c.tariff is None else peer[c.version].Tariff(**c.tariff),
            )
            for c in cases
        ]

        def peer_dicts() -> int:
            for _ in range(repeat):
                for c in cases:
                    m = peer[c.version]
                    m.calculate_cdr_cost(m.Cdr(**c.cdr), None if c.tariff is None else m.Tariff(**c.tariff))
            return repeat * len(cases)

        def peer_calc() -> int:
            for _ in range(repeat):
                for m, cdr, tariff in built:
                    m.calculate_cdr_cost(cdr, tariff)
            return repeat * len(cases)

        out["peer from dicts"] = peer_dicts
        out["peer calc only (models built before)"] = peer_calc
    return out


def _many_row(cases: list[Case], repeat: int) -> Callable[[], int]:
    # price_many takes one tariff set per call: one call per case and repeat would time the
    # call, so each case's CDR is repeated in one stream instead.
    def ocpkit_many() -> int:
        for c in cases:
            for _result in price_many([c.cdr] * repeat, c.compiled, tz=c.zone):
                pass
        return repeat * len(cases)

    return ocpkit_many


def measure(table: dict[str, Callable[[], int]], rounds: int) -> dict[str, list[float]]:
    """CPU seconds per CDR of each row, one figure per round."""
    per_cdr: dict[str, list[float]] = {name: [] for name in table}
    for fn in table.values():
        fn()  # warm-up: caches, zone files, pydantic validators
    for _ in range(rounds):
        for name, fn in table.items():
            # CPU time of this process: on a shared machine, time spent waiting for a core is not ours.
            start = time.process_time()
            count = fn()
            per_cdr[name].append((time.process_time() - start) / count)
    return per_cdr


def ratio(per_cdr: dict[str, list[float]], slow: str, fast: str) -> float:
    return statistics.median(s / f for s, f in zip(per_cdr[slow], per_cdr[fast], strict=True))


def disagreements(cases: list[Case], peer: Any) -> None:
    print("\ntotal_cost against the CDR's expected value, at 4 decimals (excl. / incl. VAT):")
    wrong_peer = wrong_ocpkit = 0
    for c in cases:
        want = expected_cost(c.cdr)
        try:
            got = price(c.tariff, c.cdr, c.version, c.zone).total_cost
            mine: tuple[Decimal | None, Decimal | None] | str = (got.excl_vat, got.incl_vat)
        except PricingError as exc:
            mine = f"PricingError: {exc}"
        theirs: tuple[Decimal, Decimal | None] | str
        try:
            theirs = peer_cost(peer, c) if peer is not None else "-"
        except Exception as exc:  # the peer's own errors are part of the comparison
            theirs = f"{type(exc).__name__}"

        peer_wrong = peer is not None and _differs(theirs, want)
        ocpkit_wrong = _differs(mine, want)
        wrong_peer += peer_wrong
        wrong_ocpkit += ocpkit_wrong
        if peer_wrong or ocpkit_wrong:
            print(f"  {c.name}\n    expected {_show(want)}  peer {_show(theirs)}  ocpkit {_show(mine)}")
    if peer is not None:
        print(f"peer: {wrong_peer} of {len(cases)} total_cost values differ from the expected ones")
    print(
        f"ocpkit: {wrong_ocpkit} of {len(cases)} differ (each a documented divergence, "
        "see tests/tariffs/test_conformance.py DIVERGENT)"
    )


def _differs(value: Any, want: tuple[Decimal, Decimal | None]) -> bool:
    if isinstance(value, str):
        return True
    excl_ok = value[0] is not None and value[0].quantize(FOUR) == want[0].quantize(FOUR)
    incl_ok = want[1] is None or (value[1] is not None and value[1].quantize(FOUR) == want[1].quantize(FOUR))
    return not (excl_ok and incl_ok)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value[:70]
    return "/".join("-" if v is None else str(v.quantize(FOUR)) for v in value)


# --------------------------------------------------------------------------- memory


def stream(cases: list[Case], count: int) -> Any:
    """``count`` CDRs made from the conformance cases: sessions a minute apart, volumes scaled."""
    from datetime import datetime, timedelta

    usable = [c for c in cases if c.tariff is not None and c.cdr.get("charging_periods")]

    def moved(value: str, minutes: int) -> str:
        at = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(minutes=minutes)
        return at.isoformat().replace("+00:00", "Z")

    for n in range(count):
        case = usable[n % len(usable)]
        shift, scale = n // len(usable), 1 + (n % 7) / 10
        cdr = dict(case.cdr, id=f"CDR{n}")
        for key in ("start_date_time", "end_date_time", "stop_date_time"):
            if isinstance(cdr.get(key), str):
                cdr[key] = moved(cdr[key], shift)
        cdr["charging_periods"] = [
            dict(
                period,
                start_date_time=moved(period["start_date_time"], shift),
                dimensions=[dict(d, volume=d["volume"] * scale) for d in period.get("dimensions", [])],
            )
            for period in case.cdr["charging_periods"]
        ]
        yield case, cdr


def _peak_kib() -> int:
    # VmHWM belongs to this process image; ru_maxrss would carry the forking parent's peak across exec.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(shared: Path, count: int) -> None:
    """Price ``count`` generated CDRs of the 2.2.1 cases through price_many; print the peak RSS."""
    cases = [c for c in load_cases(shared) if c.version == "2.2.1"]
    by_tariff: dict[int, Any] = {}
    priced = lines = 0
    # One stream per tariff would hold the CDRs; one stream of all, each with its own tariff list,
    # is what a month of CDRs looks like: price_many chooses by tariff_id / currency / validity.
    tariffs = []
    for c in cases:
        if c.tariff is not None and id(c.tariff) not in by_tariff:
            by_tariff[id(c.tariff)] = compile(dict(c.tariff, id=f"T{len(tariffs)}"), "2.2.1")
            tariffs.append(by_tariff[id(c.tariff)])
    cdrs = (
        dict(
            cdr,
            tariffs=None,
            charging_periods=[
                dict(p, tariff_id=by_tariff[id(case.tariff)].id) for p in cdr["charging_periods"]
            ],
        )
        for case, cdr in stream(cases, count)
    )
    total = Decimal(0)
    for result in price_many(cdrs, tariffs, tz="UTC"):
        priced += 1
        total += result.total_cost.excl_vat or 0
        if priced % 2:
            lines += len(result.lines)
    assert priced == count, priced
    print(_peak_kib())


def memory(shared: Path, count: int) -> None:
    """Peak RSS of fresh processes at a tenth of ``count`` CDRs and at ``count``."""
    here = Path(__file__).resolve()
    env = dict(os.environ, OCPKIT_SHARED=str(shared), PYTHONPATH=str(here.parent.parent))
    sizes = (count // 10, count)
    print(f"peak RSS of a fresh process (KiB), {sizes[0]:,} vs {sizes[1]:,} CDRs")
    peaks = []
    for n in sizes:
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, str(here), "--memory-child", str(n)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        peaks.append(int(out.split()[-1]))
        print(f"  price_many, {n:>9,} CDRs: {peaks[-1]:>8,} KiB  ({time.perf_counter() - start:.1f} s wall)")
    cases = [c for c in load_cases(shared) if c.version == "2.2.1"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "tariffs"
        folder.mkdir()
        seen: dict[int, str] = {}
        for c in cases:
            if c.tariff is not None and id(c.tariff) not in seen:
                seen[id(c.tariff)] = f"T{len(seen)}"
                (folder / f"{seen[id(c.tariff)]}.json").write_text(
                    json.dumps(dict(c.tariff, id=seen[id(c.tariff)]))
                )
        for n in sizes:
            path = Path(tmp) / f"cdrs-{n}.jsonl"
            with path.open("w", encoding="utf-8") as fh:
                for case, cdr in stream(cases, n):
                    cdr["tariffs"] = None
                    for period in cdr["charging_periods"]:
                        period["tariff_id"] = seen[id(case.tariff)]
                    fh.write(json.dumps(cdr) + "\n")
            script = (
                "import os, sys\n"
                "from ocpkit.cli import main\n"
                "with open(os.devnull, 'w') as out:\n"
                "    args = ['price', '--tariffs', sys.argv[1], sys.argv[2], '--report', 'jsonl']\n"
                "    main([*args, '--tz', 'UTC'], stdout=out)\n"
                "for line in open('/proc/self/status'):\n"
                "    if line.startswith('VmHWM:'):\n"
                "        print(int(line.split()[1]))\n"
            )
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", script, str(folder), str(path)],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            ).stdout
            peaks.append(int(out.split()[-1]))
            took = time.perf_counter() - start
            print(f"  ocpkit price, {n:>7,} CDRs: {peaks[-1]:>8,} KiB  ({took:.1f} s wall)")
    print(
        f"ratio of peaks, {sizes[1]:,} / {sizes[0]:,} CDRs: price_many {peaks[1] / peaks[0]:.2f}, "
        f"ocpkit price {peaks[3] / peaks[2]:.2f}  (flat: about 1)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds (the median is shown)")
    parser.add_argument("--repeat", type=int, default=40, help="passes over all cases per row and round")
    parser.add_argument("--profile", metavar="ROW", help="profile one row (a prefix of its name) and stop")
    parser.add_argument("--memory", action="store_true", help="peak RSS at two stream sizes instead")
    parser.add_argument("--cdrs", type=int, default=100_000, help="the larger stream size of --memory")
    parser.add_argument("--memory-child", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args()
    shared = Path(os.environ.get("OCPKIT_SHARED", Path(__file__).resolve().parent.parent.parent / "shared"))
    if args.memory_child is not None:
        memory_child(shared, args.memory_child)
        return
    if args.memory:
        memory(shared, args.cdrs)
        return
    all_cases = load_cases(shared)
    # Cases ocpkit refuses (gireve_cdr: no session start) are left out of the timing for both.
    cases = []
    for c in all_cases:
        try:
            price(c.tariff, c.cdr, c.version, c.zone)
        except PricingError:
            continue
        cases.append(c)
    peer = load_peer()
    if peer is None:
        print(
            "ocpi-tariffs is not installed: peer rows skipped (pip install ../shared/peers/ocpi-tariffs-py)"
        )
    table = rows(cases, peer, args.repeat)
    if args.profile:
        name = next(n for n in table if n.startswith(args.profile))
        profiler = cProfile.Profile()
        profiler.runcall(table[name])
        print(f"profile of {name!r}, {args.repeat} x {len(cases)} CDRs:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
        return
    print(
        f"cases: {len(cases)} of {len(all_cases)} conformance CDRs, "
        f"{args.repeat} passes per row and round, {args.rounds} rounds"
    )
    per_cdr = measure(table, args.rounds)
    print(f"\n{'row':<48} {'CPU us/CDR':>11} {'CDRs/s':>9}   (median; min-max us)")
    for name, figures in per_cdr.items():
        mid = statistics.median(figures)
        spread = f"({min(figures) * 1e6:.1f}-{max(figures) * 1e6:.1f})"
        print(f"{name:<48} {mid * 1e6:11.1f} {1 / mid:9,.0f}   {spread}")
    print()
    if "ocpkit before compiled tariffs, from dicts" in per_cdr:
        before = ratio(per_cdr, "ocpkit before compiled tariffs, from dicts", "ocpkit price() from dicts")
        print(f"ratio ocpkit before / ocpkit now, both from dicts:     {before:5.2f}x")
    if peer is not None:
        calc = "peer calc only (models built before)"
        dicts = ratio(per_cdr, "peer from dicts", "ocpkit price() from dicts")
        uncached = ratio(per_cdr, "peer from dicts", "ocpkit price() from dicts, no cache")
        compiled = ratio(per_cdr, calc, "ocpkit price() on compiled tariffs")
        engine = ratio(per_cdr, calc, "ocpkit engine only, CDRs read before (internal)")
        print(f"ratio peer from dicts / ocpkit from dicts:             {dicts:5.2f}x  (target >= 3)")
        print(f"ratio peer from dicts / ocpkit from dicts, no cache:   {uncached:5.2f}x")
        print(f"ratio peer calc only / ocpkit on compiled tariffs:     {compiled:5.2f}x  (target >= 3)")
        print(f"ratio peer calc only / ocpkit engine only:             {engine:5.2f}x  (inputs read before)")
    disagreements(all_cases, peer)


if __name__ == "__main__":
    main()
