"""Count the OCPI spec-rule findings on the shared OCPI payloads, per rule id.

Theory of operation: every JSON file under ``$OCPKIT_SHARED/conformance/captures``
(``ocpi``, ``ocpi-protocol``, ``ndw-ocpi-receiver``) and
``$OCPKIT_SHARED/conformance/ocpi-tariffs`` is decoded and handed, whole, to
:func:`ocpkit.ocpi.rules.check` of the version its path names (2.1.1 where the
path names none: the ocpi-protocol and NDW fixtures are 2.1.1). The rules
recognise the objects they are about by their fields, so no object name is
needed and response envelopes are walked as they are. Prints one line per rule
of :data:`ocpkit.ocpi.rules.RULES`, zero counts included, then one example per
rule that fired. Usage: ``OCPKIT_SHARED=/work/shared python -m tools.ocpi_rule_counts``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from ocpkit.ocpi import rules
from tests.conftest import shared_dir

_ROOTS = (
    "conformance/captures/ocpi",
    "conformance/captures/ocpi-protocol",
    "conformance/captures/ndw-ocpi-receiver",
    "conformance/ocpi-tariffs",
)


def _version(path: Path) -> str:
    text = str(path).replace("_", ".")
    for version in ("2.1.1", "2.2.1", "2.3.0"):
        if version in text or version.replace(".", "") in str(path):
            return version
    return "2.1.1"


def main() -> int:
    """Print the findings per OCPI rule over the shared OCPI payloads."""
    shared = shared_dir()
    if shared is None:
        print("reference material not found: set OCPKIT_SHARED", file=sys.stderr)
        return 2
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    files = 0
    for root in _ROOTS:
        for path in sorted((shared / root).rglob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            files += 1
            for finding in rules.check(_version(path), "payload", data):
                code = finding.code.removeprefix("spec.")  # a finding's code is the rule id under spec.
                counts[code] += 1
                examples.setdefault(code, f"{path.relative_to(shared)} {finding.ref} {finding.message}")
    for rule in rules.RULES:
        print(f"{counts[rule.id]:6d}  {rule.id}")
    print(f"{sum(counts.values()):6d}  (all findings, {files} files)")
    for code, example in sorted(examples.items()):
        print(f"{code}\n    {example}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
