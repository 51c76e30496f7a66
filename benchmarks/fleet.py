"""Fleet scale: ``ocpkit validate`` in one process against the Dask engine on 1 and 2 workers.

A generated fleet (``tests/fleet/generate.py``: OCPP 1.6 and 2.0.1 charge points
with boots, status reports, heartbeats, sessions, faults, an invalid value and
unanswered calls now and then; trace-jsonl lines) is written to a temporary
directory, each charge point's frames spread over ``--files`` files. Then, at
two fleet sizes (the second ``--scale`` times the first in charge points,
frames and files, so the files keep their size):

* ``cli``: ``python -m ocpkit validate DIR --report jsonl > /dev/null`` in a
  fresh process (wall time; peak RSS of that process);
* ``dask-1`` and ``dask-2``: :func:`ocpkit.fleet.dask.validate` on a
  ``distributed.LocalCluster`` of 1 and 2 worker processes (one thread each, on
  127.0.0.1), writing ``to_parquet`` (every record and summary, as the CLI
  writes every record). The workers are warmed up on a tiny fleet first (imports,
  schema compilation), so the time is the fleet's; the cluster's start is not
  counted. The engine's default partitions (one per 16 MB of input, at least
  8) unless ``--partitions`` is given, so partitions keep their size as the
  fleet grows once it passes 128 MB. Peak RSS per worker is each worker
  process's high-water mark (``ru_maxrss``), read after the warm-up (imports,
  schemas: the floor) and at the end.

Printed per size: frames, frames/s of each, the scaling ratio (2 workers over
1), the ratio of each to the CLI, peak RSS per worker; at the end, the peak
per worker at both sizes side by side and their ratio. Memory per worker flat
across the two sizes means partitions, not the fleet, bound it.

Run from the repository root (needs the fleet extra):
``python benchmarks/fleet.py --charge-points 1000 --frames 200000`` (small);
``python benchmarks/fleet.py --charge-points 1000 --frames 5000000 --files 16`` (the issue's size:
about an hour on two cores; ``benchmarks/fleet_memory.py`` shows where a worker's memory goes).
``--runs dask-1 dask-2 --scale 1`` times only the engine, at one size: a second look at a
figure that a busy machine disturbed, without the rest of the run.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


RUNS = ("cli", "dask-1", "dask-2")
"""The three programs the benchmark times, in the order it runs them."""


def run_cli(directory: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of a fresh ``ocpkit validate DIR --report jsonl``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = (
        "import resource, sys, time\n"
        "from ocpkit.cli import main\n"
        "t = time.perf_counter()\n"
        "with open(sys.argv[2], 'w') as out:\n"
        "    main(['validate', sys.argv[1], '--report', 'jsonl'], stdout=out)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(directory), os.devnull],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    seconds, rss = proc.stdout.split()
    return float(seconds), int(rss)


def run_dask(
    directory: Path, warm: Path, workers: int, out: Path, partitions: int | None = None
) -> tuple[float, list[int], list[int]]:
    """Wall seconds of the Dask engine on *workers* workers (warmed up first), and each worker's peak RSS
    after the warm-up and at the end."""
    import distributed

    from ocpkit.fleet.dask import validate

    with (
        local_cluster(workers) as cluster,
        distributed.Client(cluster) as client,
    ):
        validate(str(warm), client=client).to_parquet(str(out / "warm"))
        base: dict[str, Any] = client.run(_peak_rss_kb)
        t = time.perf_counter()
        result = validate(str(directory), client=client, partitions=partitions)
        result.to_parquet(str(out / f"fleet-{workers}"))
        seconds = time.perf_counter() - t
        peaks: dict[str, Any] = client.run(_peak_rss_kb)
    return seconds, [base[w] for w in sorted(peaks)], [peaks[w] for w in sorted(peaks)]


def local_cluster(workers: int) -> Any:
    """A LocalCluster of *workers* single-threaded worker processes on 127.0.0.1, without memory limits."""
    import logging

    import distributed

    logging.getLogger("distributed").setLevel(logging.ERROR)
    return distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit=0,
    )


def main() -> None:
    """Generate the two fleets and print the figures."""
    from tests.fleet.generate import write_fleet

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--charge-points", type=int, default=1000)
    p.add_argument("--frames", type=int, default=200_000, help="frames of the first fleet size, in all")
    p.add_argument("--files", type=int, default=4, help="files of the first fleet size")
    p.add_argument(
        "--scale", type=int, default=2, help="the second size, as a multiple of the first (1: one size only)"
    )
    p.add_argument(
        "--runs",
        nargs="+",
        choices=RUNS,
        default=list(RUNS),
        help="which of cli, dask-1 and dask-2 to run (default: all three)",
    )
    p.add_argument(
        "--partitions", type=int, default=None, help="fold partitions of the first size (scaled with it)"
    )
    args = p.parse_args()
    peaks: list[tuple[str, int, int, list[int]]] = []
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        warm = base / "warm"
        write_fleet(warm, charge_points=4, frames_per_cp=50, files=2)
        for k in (1,) if args.scale == 1 else (1, args.scale):
            cps, frames, files = args.charge_points * k, args.frames * k, args.files * k
            directory = base / f"fleet-{k}"
            t = time.perf_counter()
            write_fleet(directory, charge_points=cps, frames_per_cp=max(1, frames // cps), files=files)
            size = sum(f.stat().st_size for f in directory.iterdir())
            lines = sum(1 for f in directory.iterdir() for _ in f.open("rb"))
            print(
                f"\nfleet: {cps} charge points, {lines} frames in {files} files "
                f"({size / 1e6:.0f} MB), generated in {time.perf_counter() - t:.1f} s"
            )
            parts = None if args.partitions is None else args.partitions * k
            cli_s, cli_rss = run_cli(directory) if "cli" in args.runs else (None, 0)
            not_run: tuple[float | None, list[int], list[int]] = (None, [], [0])
            one_s, one_base, one_rss = (
                run_dask(directory, warm, 1, base / "out", parts) if "dask-1" in args.runs else not_run
            )
            two_s, two_base, two_rss = (
                run_dask(directory, warm, 2, base / "out", parts) if "dask-2" in args.runs else not_run
            )
            for name, seconds in (("cli", cli_s), ("dask-1", one_s), ("dask-2", two_s)):
                if seconds is None:
                    continue
                rate = lines / seconds
                versus = f"  x{cli_s / seconds:.2f} CLI" if cli_s is not None else ""
                print(f"  {name:<7} {seconds:8.2f} s  {rate:10,.0f} frames/s{versus}")
            if one_s is not None and two_s is not None:
                print(f"  scaling 2 workers / 1 worker: x{one_s / two_s:.2f}")
            per_worker = ", ".join(f"{r / 1024:.0f} MB" for r in two_rss)
            warmed = ", ".join(f"{r / 1024:.0f} MB" for r in (*one_base, *two_base))
            print(
                f"  peak RSS: cli {cli_rss / 1024:.0f} MB; per worker, 1 worker: {one_rss[0] / 1024:.0f} MB;"
                f" 2 workers: {per_worker} (after the warm-up: {warmed}; 0 MB: not run)"
            )
            peaks.append((f"{cps} charge points, {lines} frames", cli_rss, one_rss[0], two_rss))
        print("\npeak RSS per worker as the fleet grows:")
        for label, cli_rss, one, two in peaks:
            print(
                f"  {label:<40} 1 worker {one / 1024:5.0f} MB; 2 workers "
                + ", ".join(f"{r / 1024:.0f}" for r in two)
                + f" MB (cli {cli_rss / 1024:.0f} MB)"
            )
        if len(peaks) < 2 or not (peaks[0][2] and peaks[0][3][0]):
            return
        (_, _, one_a, two_a), (_, _, one_b, two_b) = peaks
        ratio_two = max(two_b) / max(two_a)
        print(f"  x{args.scale} fleet / x1: 1 worker x{one_b / one_a:.2f}, 2 workers x{ratio_two:.2f}")


if __name__ == "__main__":
    main()
