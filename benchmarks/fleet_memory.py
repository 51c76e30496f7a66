"""Where a Dask worker's memory goes while :func:`ocpkit.fleet.dask.validate` runs.

A probe, not a timing: on a ``distributed.LocalCluster`` (one thread per worker,
127.0.0.1, no memory limit) each worker samples itself every ``--every``
seconds from a thread: its process RSS, the bytes of task results it holds
(Dask's *managed* memory, ``worker.state.nbytes``), how many results those
are, and the task prefixes it is running. At the end the timeline is printed
per worker with the moment of the peak RSS, and the peak of the managed bytes;
RSS minus managed is the unmanaged part (Python objects of running tasks,
allocator high-water marks, the floor of imports and compiled schemas).

Run from the repository root on a directory of captures (``tests/fleet/generate.py``
writes one)::

    python benchmarks/fleet_memory.py DIR [--workers 1] [--partitions N] [--every 0.2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _start(dask_worker: Any, every: float) -> None:
    """Start sampling this worker (run on each worker by ``client.run``; the state hangs on the worker)."""
    import os

    samples: list[tuple[float, int, int, int, str]] = []
    stop = threading.Event()
    held: dict[str, Any] = {"nbytes": -1, "by_prefix": {}}
    dask_worker.ocpkit_probe = (samples, stop, held)
    t0 = time.monotonic()
    page = os.sysconf("SC_PAGE_SIZE")

    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * page

    def loop() -> None:
        while not stop.is_set():
            state = dask_worker.state
            running = sorted({str(ts.prefix) for ts in state.executing})
            samples.append(
                (time.monotonic() - t0, _rss(), int(state.nbytes), len(dask_worker.data), ",".join(running))
            )
            if state.nbytes > held["nbytes"]:
                by_prefix: dict[str, list[int]] = {}
                for ts in list(state.tasks.values()):
                    if ts.state == "memory":
                        entry = by_prefix.setdefault(str(ts.prefix), [0, 0])
                        entry[0] += 1
                        entry[1] += int(ts.nbytes or 0)
                held.update(nbytes=int(state.nbytes), by_prefix=by_prefix)
            stop.wait(every)

    threading.Thread(target=loop, daemon=True).start()


def _stop(dask_worker: Any) -> tuple[list[tuple[float, int, int, int, str]], dict[str, Any]]:
    """Stop sampling this worker and hand its samples back, with what it held at its managed peak."""
    samples, stop, held = dask_worker.ocpkit_probe
    stop.set()
    time.sleep(0.05)
    return list(samples), held


def main() -> None:
    """Run the probe and print each worker's timeline."""
    import distributed
    from fleet import local_cluster

    from ocpkit.fleet.dask import validate

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("directory")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--partitions", type=int, default=None)
    p.add_argument("--every", type=float, default=0.2)
    p.add_argument("--warm", default=None, help="a small capture directory to warm the workers up on")
    args = p.parse_args()
    with (
        local_cluster(args.workers) as cluster,
        distributed.Client(cluster) as client,
        tempfile.TemporaryDirectory() as out,
    ):
        if args.warm:
            validate(args.warm, client=client).to_parquet(f"{out}/warm")
        client.run(_start, every=args.every)
        t = time.perf_counter()
        validate(args.directory, client=client, partitions=args.partitions).to_parquet(f"{out}/fleet")
        seconds = time.perf_counter() - t
        timelines: dict[str, Any] = client.run(_stop)
    print(f"{args.directory}: {seconds:.1f} s on {args.workers} worker(s)")
    for worker, (samples, held) in sorted(timelines.items()):
        if not samples:
            continue
        peak = max(samples, key=lambda s: s[1])
        managed = max(samples, key=lambda s: s[2])
        print(f"\nworker {worker}: floor {samples[0][1] / 2**20:.0f} MB")
        print(
            f"  peak RSS {peak[1] / 2**20:.0f} MB at {peak[0]:.1f} s "
            f"(managed {peak[2] / 2**20:.0f} MB in {peak[3]} results; running {peak[4] or '-'})"
        )
        print(f"  peak managed {managed[2] / 2**20:.0f} MB at {managed[0]:.1f} s in {managed[3]} results")
        for prefix, (count, nbytes) in sorted(held["by_prefix"].items(), key=lambda x: -x[1][1]):
            print(f"    held then: {prefix:<28} {count:4d} results {nbytes / 2**20:8.1f} MB")
        print("  time s   RSS MB  managed MB  results  running")
        step = max(1, len(samples) // 40)
        for s in samples[::step]:
            print(f"  {s[0]:6.1f} {s[1] / 2**20:8.0f} {s[2] / 2**20:11.1f} {s[3]:8d}  {s[4]}")


if __name__ == "__main__":
    main()
