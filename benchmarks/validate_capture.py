"""Whole-process speed and memory of ``ocpkit validate --report jsonl`` on a generated capture.

A deterministic 100k-frame OCPP 1.6 log (Python-logging layout of a CSMS, two
charge points, MeterValues / StatusNotification / Authorize / Heartbeat with
their answers, a few faults) is written to a temporary directory. Three
programs read it, each as a fresh process, and write one JSON line per frame:

* ``ocpkit``: ``python -m ocpkit validate FILE --report jsonl``;
* ``ocpp``: a script doing the same job with the ``ocpp`` package (mobilityhouse,
  ``pip install ocpp``): find the frame in each line, ``unpack`` it, pair
  results with calls per charge point, ``validate_payload``, write a record;
* ``orjson``: a bare read: find the frame in each line and ``orjson.loads`` it
  (the floor: no validation, no record).

Printed: the median wall time of each over ``--repeat`` runs (the three run in
turn, so drift of a shared machine hits all alike), frames/s, and the ratios of
the same run; then where the time of one warm process goes, stage by stage; then
peak RSS (VmHWM of the process image) of ``ocpkit validate`` at two sizes, 10x
apart: flat means streaming.

Run: ``python benchmarks/validate_capture.py [--frames 1000000] [--repeat N]`` from the repository root
(needs ``orjson``; the ``ocpp`` comparison is skipped when the package is absent).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OCPP_SCRIPT = textwrap.dedent(
    r"""
    import json, re, sys
    from ocpp.messages import unpack, Call, CallResult, CallError
    from ocpp.messages import _validate_payload as validate_payload  # the synchronous core of the coroutine
    from ocpp.exceptions import OCPPError

    needle = re.compile(r"\[\s*[234]\s*,\s*\"")
    cp_re = re.compile(r" - ([^ :]+): (?:send|receive message) ")
    pending = {}
    out = sys.stdout
    for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
        m = needle.search(line)
        if m is None:
            continue
        cpm = cp_re.search(line)
        cp = cpm.group(1) if cpm else None
        text = line[m.start():].rstrip("\n")
        violations = []
        action = None
        kind = "unparsed"
        try:
            msg = unpack(text)
            if isinstance(msg, Call):
                kind, action = "call", msg.action
                pending[(cp, msg.unique_id)] = msg.action
            elif isinstance(msg, CallResult):
                kind = "callresult"
                action = pending.pop((cp, msg.unique_id), None)
                msg.action = action
            else:
                kind = "callerror"
                pending.pop((cp, msg.unique_id), None)
            if action is not None and kind != "callerror":
                validate_payload(msg, "1.6")
        except OCPPError as exc:
            violations.append({"path": "", "keyword": "", "code": type(exc).__name__, "message": str(exc)})
        except Exception as exc:
            violations.append({"path": "", "keyword": "", "code": "error", "message": str(exc)})
        rec = {"source": sys.argv[1], "line": n, "charge_point": cp, "kind": kind, "action": action,
               "ok": not violations, "violations": violations}
        out.write(json.dumps(rec) + "\n")
    """
)

ORJSON_SCRIPT = textwrap.dedent(
    r"""
    import sys, orjson
    n = 0
    with open(sys.argv[1], "rb") as fh:
        for line in fh:
            i = line.find(b"[")
            if i < 0:
                continue
            try:
                orjson.loads(line[i:])
                n += 1
            except orjson.JSONDecodeError:
                pass
    print(n)
    """
)

RSS_SCRIPT = textwrap.dedent(
    r"""
    import os, sys
    from ocpkit.cli import main
    with open(os.devnull, "w") as out:
        code = main(["validate", sys.argv[1], "--report", "jsonl"], stdout=out)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print(int(line.split()[1]))
    """
)


def make_capture(path: Path, frames: int, seed: int = 1) -> None:
    """Write a deterministic OCPP 1.6 CSMS log with ``frames`` frames (calls and their answers)."""
    rng = random.Random(seed)
    cps = ["ACME-0001", "ACME-0002"]
    energy = dict.fromkeys(cps, 1000)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("2026-03-02 00:00:00,000 - csms - INFO - starting\n")
        for i in range(frames // 2):
            cp = cps[i % 2]
            second = i % 86400
            clock = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            stamp = f"2026-03-02 {clock},{i % 1000:03d}"
            iso = f"2026-03-02T{clock}Z"
            mid = f"{i:08x}-{rng.getrandbits(32):08x}"
            pick = i % 10
            if pick < 6:
                energy[cp] += rng.randint(10, 40)
                action = "MeterValues"
                sampled = [
                    {"value": str(energy[cp]), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                    {"value": f"{rng.uniform(3, 11):.2f}", "measurand": "Power.Active.Import", "unit": "kW"},
                ]
                req: dict[str, object] = {
                    "connectorId": 1,
                    "transactionId": 4711,
                    "meterValue": [{"timestamp": iso, "sampledValue": sampled}],
                }
                res: dict[str, object] = {}
            elif pick < 8:
                action = "Heartbeat"
                req, res = {}, {"currentTime": iso}
            elif pick == 8:
                action = "StatusNotification"
                status = "Charging" if i % 1000 else "Chargin"  # a bad enum now and then
                req = {"connectorId": 1, "errorCode": "NoError", "status": status, "timestamp": iso}
                res = {}
            else:
                action = "Authorize"
                req = {"idTag": f"TAG{rng.getrandbits(24):06X}"}
                res = {"idTagInfo": {"status": "Accepted"}}
            call = json.dumps([2, mid, action, req], separators=(",", ":"))
            result = json.dumps([3, mid, res], separators=(",", ":"))
            fh.write(f"{stamp} - ocpp - INFO - {cp}: receive message {call}\n")
            if i % 97 == 0:
                fh.write(f"{stamp} - csms.db - DEBUG - stored {action} for {cp}\n")
            fh.write(f"{stamp} - ocpp - INFO - {cp}: send {result}\n")


def timed_all(programs: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each program, the programs run in turn (A B C A B C ...) so drift hits all."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    times: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(repeat):
        for name, argv in programs.items():
            start = time.perf_counter()
            subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def peak_rss(path: Path) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(path)], check=True, capture_output=True, text=True, env=env
    )
    return int(proc.stdout.split()[-1])


def stages(capture: Path, frames: int) -> None:
    """Where the time of ``ocpkit validate`` goes, measured in this process (warm imports)."""
    sys.path.insert(0, str(ROOT))
    from ocpkit.capture import read_capture
    from ocpkit.cli import main as cli_main
    from ocpkit.fleet import _fold as _validate_run
    from ocpkit.ocpp.validation import check_frame

    def reader() -> None:
        with capture.open(encoding="utf-8") as fh:
            for _ in read_capture(fh):
                pass

    def verdicts() -> None:
        with capture.open(encoding="utf-8") as fh:
            for f in read_capture(fh):
                check_frame(f.raw.encode(), "1.6", action=f.action if f.kind == "callresult" else None)

    def whole(conversation: bool) -> None:
        saved = _validate_run._conversation_module
        if not conversation:
            _validate_run._conversation_module = None  # type: ignore[assignment]
        try:
            with open(os.devnull, "w") as out:
                cli_main(["validate", str(capture), "--report", "jsonl"], stdout=out)
        finally:
            _validate_run._conversation_module = saved

    whole(True)  # warm: schemas compiled, models imported
    rows = [
        ("capture reader alone", reader),
        ("reader + frame/payload verdicts", verdicts),
        ("validate, no conversation checker", lambda: whole(False)),
        ("validate (all of it)", lambda: whole(True)),
    ]
    print("\nin one process, warm (where the time goes):")
    for name, fn in rows:
        start = time.perf_counter()
        fn()
        t = time.perf_counter() - start
        print(f"  {name:<34} {t:7.2f} s  {frames / t:>10,.0f} frames/s")


def main() -> None:
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import ocpp  # noqa: F401

        have_ocpp = True
    except ImportError:
        have_ocpp = False
    with tempfile.TemporaryDirectory() as tmp:
        capture = Path(tmp) / "capture.log"
        make_capture(capture, args.frames)
        size = capture.stat().st_size
        print(f"capture: {args.frames:,} frames, {size / 1e6:.1f} MB ({capture.name})")
        scripts = Path(tmp)
        (scripts / "with_ocpp.py").write_text(OCPP_SCRIPT)
        (scripts / "bare_orjson.py").write_text(ORJSON_SCRIPT)
        programs = {
            "bare orjson read (floor)": [sys.executable, str(scripts / "bare_orjson.py"), str(capture)],
            "ocpkit validate --report jsonl": [
                sys.executable,
                "-m",
                "ocpkit",
                "validate",
                str(capture),
                "--report",
                "jsonl",
            ],
        }
        if have_ocpp:
            programs["script with the ocpp package"] = [
                sys.executable,
                str(scripts / "with_ocpp.py"),
                str(capture),
            ]
        medians = timed_all(programs, args.repeat)
        t_floor = medians["bare orjson read (floor)"]
        t_kit = medians["ocpkit validate --report jsonl"]
        t_ocpp = medians.get("script with the ocpp package")
        print(f"\nwhole process, median of {args.repeat} (run in turn):")
        for name, t in medians.items():
            print(f"  {name:<34} {t:7.2f} s  {args.frames / t:>10,.0f} frames/s  {t_floor / t:5.3f}x floor")
        if t_ocpp is not None:
            print(f"\n  ocpkit is {t_ocpp / t_kit:.2f}x as fast as the ocpp-package script")
        print(f"  ocpkit keeps {t_floor / t_kit:.3f} of the bare orjson read's speed")

        stages(capture, args.frames)

        print("\npeak RSS of ocpkit validate (VmHWM, one process each):")
        small = max(args.frames // 10, 1000)
        for frames in (small, small * 10):
            path = Path(tmp) / f"rss-{frames}.log"
            make_capture(path, frames, seed=2)
            mb = path.stat().st_size / 1e6
            kib = peak_rss(path)
            path.unlink()
            print(f"  {frames:>9,} frames ({mb:6.1f} MB): {kib / 1024:6.1f} MiB")


if __name__ == "__main__":
    main()
