"""Count the findings ``ocpkit validate`` raises on the shared captures, per code, and check one claim.

Theory of operation: runs ``ocpkit validate --report jsonl`` in-process over
every OCPP capture under ``$OCPKIT_SHARED/conformance/captures`` (the directory
as one run) and prints the summary's count per ``severity:code`` (every
finding: per-frame ones and those raised at the end of a source). It then
checks the frame records for ``rpc.concurrent-call`` findings that lie across a
reboot: the pending CALL the finding names and the new CALL have a
BootNotification CALL of the same charge point between them (the new CALL
included). Such a finding is a false alarm, since a reboot opens a new
connection. Usage: ``OCPKIT_SHARED=/work/shared python -m tools.finding_counts``
(``--json`` prints the counts as one JSON object instead).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from ocpkit.cli import main

_PENDING = re.compile(r" sent while (?P<action>\S+) (?P<mid>.+) is unanswered$")


def records(root: Path) -> list[dict[str, Any]]:
    """The jsonl records (frame records, then the summary) of one run over *root*."""
    out = io.StringIO()
    main(["validate", str(root), "--report", "jsonl"], stdout=out, stderr=io.StringIO(), stdin=io.BytesIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def across_reboot(frames: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """``rpc.concurrent-call`` findings with a BootNotification between the pending and the new CALL.

    Returns ``(source, line, message)`` of each. Frames are grouped per source and
    charge point and taken in line order; the pending CALL is the latest CALL
    with the named action and message id before the finding's frame.
    """
    lanes: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
    for record in frames:
        lanes[(record["source"], record["charge_point"])].append(record)
    hits: list[tuple[str, int, str]] = []
    for (source, _cp), lane in lanes.items():
        lane.sort(key=lambda r: r["line"])
        calls: dict[tuple[str | None, str | None], int] = {}
        boots: list[int] = []
        for record in lane:
            if record["kind"] == "call" and record["action"] == "BootNotification":
                boots.append(record["line"])
            for finding in record.get("findings") or []:
                if finding["code"] != "rpc.concurrent-call":
                    continue
                match = _PENDING.search(finding["message"])
                if match is None:
                    continue
                pending = calls.get((match["action"], match["mid"]))
                if pending is not None and any(pending < b <= record["line"] for b in boots):
                    hits.append((source, record["line"], finding["message"]))
            if record["kind"] == "call":
                calls[(record["action"], record["message_id"])] = record["line"]
    return hits


def main_counts(shared: Path) -> dict[str, Any]:
    """Findings per ``severity:code`` and the concurrent-call findings across a reboot."""
    out = records(shared / "conformance" / "captures")
    summary = next(r for r in out if r.get("kind") == "summary")
    frames = [r for r in out if r.get("kind") != "summary"]
    hits = across_reboot(frames)
    return {
        "findings": dict(sorted(summary["findings"].items())),
        "findings_total": summary["findings_total"],
        "concurrent_call_on_records": sum(
            1 for r in frames for f in r.get("findings") or [] if f["code"] == "rpc.concurrent-call"
        ),
        "concurrent_call_across_reboot": len(hits),
        "across_reboot_examples": [f"{s}:{line} {m}" for s, line, m in hits[:5]],
    }


if __name__ == "__main__":
    result = main_counts(Path(os.environ.get("OCPKIT_SHARED", "/work/shared")))
    if "--json" in sys.argv[1:]:
        print(json.dumps(result, indent=1))
    else:
        for code, n in result["findings"].items():
            print(f"{n:7d}  {code}")
        print(f"{result['findings_total']:7d}  (all findings)")
        print(f"{result['concurrent_call_on_records']:7d}  rpc.concurrent-call on frame records")
        print(f"{result['concurrent_call_across_reboot']:7d}  rpc.concurrent-call across a reboot")
        for text in result["across_reboot_examples"]:
            print("    " + text)
    sys.exit(0)
