"""Frames per second: orjson.loads alone (the floor), ocpkit, and the ``ocpp`` package.

Builds a seeded corpus per version (mostly valid traffic, a few percent of
mutated frames, CALLRESULTs paired with their CALL's action) from the official
schemas in ../shared, then times, in one process and on the same frames:

* ``orjson.loads`` of each frame: the floor any validator has to pay;
* ``ocpkit.ocpp.validation.check_frame``: decoding, frame rules, payload
  verdict, and the full violation report for every invalid frame;
* the ``ocpp`` package (when installed): ``unpack`` plus its payload
  validation, the path a CSMS built on it takes for each message.

Each timing is the best of ``--repeat`` runs after one warm-up run (which
compiles the validators of every action). Prints frames/s and the ratios the
target is stated in (ocpkit >= 50x ``ocpp``, >= 0.4x the floor).

    python benchmarks/validate_frames.py [--frames 100000] [--versions 1.6 2.0.1] [--repeat 3] [--pure]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from ocpkit.ocpp import _json  # noqa: E402
from ocpkit.ocpp.validation import HAVE_FAST_ENGINE, check_frame  # noqa: E402
from tests.conftest import shared_dir  # noqa: E402
from tests.ocpp.corpus import generate  # noqa: E402


def _best(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    result = fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


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


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--versions", nargs="+", default=["1.6", "2.0.1"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mutation-rate", type=float, default=0.04)
    parser.add_argument(
        "--pure",
        action="store_true",
        help="switch orjson and jsonschema-rs off in ocpkit (the pure fallback)",
    )
    args = parser.parse_args()
    if args.pure:
        from ocpkit.ocpp import validation

        validation._rs = None  # type: ignore[assignment]
        _json._orjson = None  # type: ignore[assignment]
    shared = shared_dir()
    if shared is None:
        print("reference material not found: set OCPKIT_SHARED", file=sys.stderr)
        return 2
    fast = HAVE_FAST_ENGINE and not args.pure
    print(f"orjson {orjson.__version__}; ocpkit fast engine (jsonschema-rs): {fast}; ", end="")
    print(f"ocpkit orjson decoder: {_json.HAVE_ORJSON and not args.pure}")
    for version in args.versions:
        corpus = [
            (raw, action) for raw, action, _ in generate(shared, version, args.frames, 7, args.mutation_rate)
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

        t_floor, _ = _best(floor, args.repeat)
        t_ours, refused = _best(ours, args.repeat)
        n = len(corpus)
        print(f"\nOCPP {version}: {n} frames, {size:.0f} bytes on average, {refused} invalid (reports built)")
        print(f"  orjson.loads (floor) {n / t_floor:12,.0f} frames/s")
        print(f"  ocpkit check_frame   {n / t_ours:12,.0f} frames/s   {t_floor / t_ours:5.2f}x the floor")
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
