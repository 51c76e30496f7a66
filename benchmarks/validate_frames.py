"""Frames per second: orjson.loads alone (the floor), ocpkit, and the ``ocpp`` package.

Builds a seeded corpus per version (mostly valid traffic, a few percent of
mutated frames, CALLRESULTs paired with their CALL's action) from the official
schemas in ../shared, then times, in one process and on the same frames:

* ``orjson.loads`` of each frame: the floor any validator has to pay;
* ``ocpkit.ocpp.validation.check_frame``: decoding, frame rules, payload
  verdict, and the full violation report for every invalid frame;
* the ``ocpp`` package (when installed): ``unpack`` plus its payload
  validation, the path a CSMS built on it takes for each message.

* ``ocpkit.ocpp.validation.check_frames``: the same verdicts in bulk (the
  struct lane of msgspec types first, when msgspec is installed).

Each timing is the median of ``--repeat`` rounds after one warm-up round (which
compiles the validators of every action); each round runs the floor,
check_frame and check_frames once, on the same frames, in one process, so
each ratio to the floor is taken within a round. Prints frames/s, the median
ratio to the floor and its range over the rounds.

``--corpus captures`` replaces the seeded corpus by the frames of the OCPP
captures in ../shared/conformance/captures (read with
:func:`ocpkit.capture.read_capture`, CALLRESULTs paired with their CALL's
action), repeated in file order up to ``--frames``: the action mix, payload
sizes and error rate of recorded traffic rather than a uniform draw over all
actions. No OCPP 2.1 capture exists.

    python benchmarks/validate_frames.py [--frames 100000] [--versions 1.6 2.0.1 2.1] [--repeat 3] [--pure]
                                         [--corpus seeded|captures]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from ocpkit.ocpp import _json  # noqa: E402
from ocpkit.ocpp.validation import HAVE_FAST_ENGINE, check_frame, check_frames  # noqa: E402
from tests.conftest import shared_dir  # noqa: E402
from tests.ocpp.corpus import generate  # noqa: E402


def _best(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    """Median time of *repeat* runs after a warm-up run (which compiles every validator)."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _paired(fns: list[Callable[[], int]], repeat: int) -> tuple[list[list[float]], list[int]]:
    """Times of *repeat* rounds, each running every one of *fns* once, after one warm-up round.

    Running the contenders side by side in each round pairs their times: a ratio taken within a
    round sees the same load on the machine, so the spread of the ratios over the rounds is the
    noise of the measurement.
    """
    results = [fn() for fn in fns]
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - start)
    return times, results


def _ratio(floor: list[float], other: list[float]) -> str:
    """The median ratio floor/other over the rounds, and its range."""
    ratios = [f / o for f, o in zip(floor, other, strict=True)]
    return f"{statistics.median(ratios):5.2f}x the floor (range {min(ratios):.2f}-{max(ratios):.2f})"


def _ocpp_runner(corpus: list[tuple[bytes, str | None]], version: str) -> Callable[[], int] | None:
    try:
        from ocpp import exceptions, messages
    except ImportError:
        return None

    def run() -> int:
        refused = 0
        for raw, action in corpus:
            try:
                msg = messages.unpack(raw)
                if isinstance(msg, messages.Call):
                    messages._validate_payload(msg, version)
                elif isinstance(msg, messages.CallResult) and action is not None:
                    msg.action = action
                    messages._validate_payload(msg, version)
            except (exceptions.OCPPError, messages.ValidationError, ValueError, TypeError, KeyError):
                refused += 1
        return refused

    return run


# OCPP captures per version (paths under shared/conformance/captures; see its README).
CAPTURES = {
    "1.6": [
        "Dynamic_OCPP_EVSE/33f96c8/dev/tests/debug.log",
        "Dynamic_OCPP_EVSE/4988ad6/dev/tests/debug.log",
        "kwwhat/seeds/ocpp_1_6_synthetic_logs_1d.csv",
        "kwwhat/demo/seeds/ocpp_1_6_synthetic_logs_14d.csv",
        "OCPP-Tester/a055839/server.log",
        "open-ocpp-trace-specification/fixtures/*/trace.jsonl",
    ],
    "2.0.1": [
        "client_ocpp_sim/6e7b4d1/ocpp.log",
        "libocpp/tests/lib/ocpp/v201/json/*/*.log.txt",
    ],
}


def _capture_corpus(shared: Path, version: str, n: int) -> list[tuple[bytes, str | None]]:
    from ocpkit.capture import read_capture

    root = shared / "conformance" / "captures"
    frames: list[tuple[bytes, str | None]] = []
    for pattern in CAPTURES.get(version, []):
        for path in sorted(root.glob(pattern)):
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            for record in read_capture(lines):
                if record.kind in ("call", "callresult", "callerror"):
                    paired = record.action if record.kind == "callresult" else None
                    frames.append((record.raw.encode(), paired))
    if not frames:
        return []
    return [frames[i % len(frames)] for i in range(n)]


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--versions", nargs="+", default=["1.6", "2.0.1", "2.1"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mutation-rate", type=float, default=0.04)
    parser.add_argument("--corpus", choices=["seeded", "captures"], default="seeded")
    parser.add_argument(
        "--pure",
        action="store_true",
        help="switch orjson and jsonschema-rs off in ocpkit (the pure fallback)",
    )
    args = parser.parse_args()
    if args.pure:
        from ocpkit.ocpp.validation import _fast, _structs

        _fast._rs = None
        _structs._msgspec = None
        _json._orjson = None  # type: ignore[assignment]
    shared = shared_dir()
    if shared is None:
        print("reference material not found: set OCPKIT_SHARED", file=sys.stderr)
        return 2
    fast = HAVE_FAST_ENGINE and not args.pure
    print(f"orjson {orjson.__version__}; ocpkit fast engine (jsonschema-rs): {fast}; ", end="")
    print(f"ocpkit orjson decoder: {_json.HAVE_ORJSON and not args.pure}; ", end="")
    from ocpkit.ocpp.validation import _structs as _lanes

    print(f"struct lane (msgspec): {_lanes.HAVE_MSGSPEC and not args.pure}")
    for version in args.versions:
        if args.corpus == "captures":
            corpus = _capture_corpus(shared, version, args.frames)
            if not corpus:
                print(f"\nOCPP {version}: no capture")
                continue
        else:
            corpus = [
                (raw, action)
                for raw, action, _ in generate(shared, version, args.frames, 7, args.mutation_rate)
            ]
        size = sum(len(raw) for raw, _ in corpus) / len(corpus)

        def floor(corpus: list[tuple[bytes, str | None]] = corpus) -> int:
            loads = orjson.loads
            for raw, _ in corpus:
                try:  # noqa: SIM105 - contextlib.suppress would add overhead to the floor being timed
                    loads(raw)
                except orjson.JSONDecodeError:
                    pass
            return 0

        def ours(corpus: list[tuple[bytes, str | None]] = corpus, version: str = version) -> int:
            refused = 0
            for raw, action in corpus:
                report = check_frame(raw, version, action=action)
                if report.violations:
                    refused += 1
            return refused

        raws = [raw for raw, _ in corpus]
        paired = [action for _, action in corpus]

        def bulk(version: str = version, raws: list[bytes] = raws, paired: list[str | None] = paired) -> int:
            refused = 0
            for report in check_frames(raws, version, actions=paired):
                if report.violations:
                    refused += 1
            return refused

        times, (_, refused, refused_bulk) = _paired([floor, ours, bulk], args.repeat)
        assert refused_bulk == refused
        t_floor, t_ours, t_bulk = (statistics.median(t) for t in times)
        n = len(corpus)
        print(
            f"\nOCPP {version} ({args.corpus}): {n} frames, {size:.0f} bytes on average,"
            f" {refused} invalid (reports built)"
        )
        print(f"  orjson.loads (floor) {n / t_floor:12,.0f} frames/s")
        print(f"  ocpkit check_frame   {n / t_ours:12,.0f} frames/s   {_ratio(times[0], times[1])}")
        print(f"  ocpkit check_frames  {n / t_bulk:12,.0f} frames/s   {_ratio(times[0], times[2])}")
        runner = _ocpp_runner(corpus, version)
        if runner is None:
            print("  ocpp package         not installed")
            continue
        t_ocpp, refused_ocpp = _best(runner, 1)
        print(
            f"  ocpp unpack+validate {n / t_ocpp:12,.0f} frames/s   {t_floor / t_ocpp:5.2f}x the floor"
            f"   ({refused_ocpp} refused)"
        )
        print(f"  ocpkit / ocpp        {t_ocpp / t_ours:12.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
