"""Count the OCPP spec-rule findings on the shared captures, per rule id.

Theory of operation: runs ``ocpkit validate --report jsonl`` over
``$OCPKIT_SHARED/conformance/captures`` in-process and counts the ``findings``
of every frame record by code; the bare ChargingProfile objects of the libocpp
tests (which the validator cannot check: no frame, no action) are checked as the
charging profile of a SetChargingProfile of their version. Prints one line per
rule of :data:`ocpkit.ocpp.rules.RULES`, zero counts included, then examples.
Usage: ``OCPKIT_SHARED=/work/shared python -m tools.spec_rule_counts``.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections import Counter
from pathlib import Path

from ocpkit.cli import main
from ocpkit.ocpp.rules import RULES, check_payload

_PROFILE_DIRS = {
    "v16": ("1.6", "csChargingProfiles"),
    "v2": ("2.0.1", "chargingProfile"),
    "v21": ("2.1", "chargingProfile"),
}


def counts(shared: Path) -> tuple[Counter[str], dict[str, list[str]]]:
    """Findings per code over the shared captures, and up to three examples per code."""
    root = shared / "conformance" / "captures"
    out = io.StringIO()
    main(["validate", str(root), "--report", "jsonl"], stdout=out, stderr=io.StringIO(), stdin=io.BytesIO())
    found: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for line in out.getvalue().splitlines():
        record = json.loads(line)
        for f in record.get("findings") or [] if record.get("kind") != "summary" else []:
            found[f["code"]] += 1
            examples.setdefault(f["code"], []).append(
                f"{record['source']}:{record['line']} {f['path']} {f['message']}"
            )
    for sub, (version, key) in _PROFILE_DIRS.items():
        for path in sorted((root / "libocpp" / "tests" / "lib" / "ocpp" / sub).rglob("*.json")):
            try:
                profile = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue
            at = (
                0
                if isinstance(profile, dict) and "MaxProfile" in str(profile.get("chargingProfilePurpose"))
                else 1
            )
            target = {"connectorId": at} if version == "1.6" else {"evseId": at}
            for f in check_payload(version, "SetChargingProfile", "request", {**target, key: profile}):
                found[f.code] += 1
                examples.setdefault(f.code, []).append(f"{path} {f.subject} {f.message}")
    return found, examples


if __name__ == "__main__":
    shared = Path(os.environ.get("OCPKIT_SHARED", "/work/shared"))
    found, examples = counts(shared)
    for rule in RULES:
        print(f"{found.get(rule.code, 0):6d}  {rule.id}")
    for code, lines in examples.items():
        print(code)
        for text in lines[:3]:
            print("    " + text)
    sys.exit(0)
