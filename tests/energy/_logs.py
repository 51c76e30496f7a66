"""Tiny extraction of OCPP CALL payloads from capture logs, for the energy tests.

One regex: a CALL frame of a known action at the end of a line. That is enough for the logs used
here, where every frame sits on one line of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DYN_4988 = "conformance/captures/Dynamic_OCPP_EVSE/4988ad6/dev/tests/debug.log"
DYN_33F9 = "conformance/captures/Dynamic_OCPP_EVSE/33f96c8/dev/tests/debug.log"
SIM = "conformance/captures/client_ocpp_sim/6e7b4d1/ocpp.log"
OCTT = (
    "conformance/captures/libocpp/tests/lib/ocpp/v201/json/OCCT_TC_K_41_CS/"
    "everest-sil_TC_K_41_CS2024-08-21T12_24_30.733616.log.txt"
)

_CALL = re.compile(
    r'\[2,\s*"[^"]*",\s*"(MeterValues|StartTransaction|StopTransaction|StatusNotification|TransactionEvent)",'
    r"\s*(\{.*\})\]\s*$"
)


def calls(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Yield (line number, action, payload) for every CALL of the actions above."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            m = _CALL.search(line)
            if m:
                yield number, m.group(1), json.loads(m.group(2))


def utc(text: str) -> datetime:
    """Parse an ISO 8601 UTC text (with ``Z``) into an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


_FRAME = re.compile(r'\[\s*([23]),\s*"([^"]*)",\s*(?:"([A-Za-z]+)",\s*)?(\{.*\})\]\s*$')


def exchanges(path: Path) -> list[tuple[int, str, dict[str, Any], dict[str, Any] | None]]:
    """Every CALL of any action as (line number, action, payload, CALLRESULT payload or None)."""
    found: list[tuple[int, str, dict[str, Any], dict[str, Any] | None]] = []
    pending: dict[str, int] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            m = _FRAME.search(line)
            if not m:
                continue
            kind, message_id, action, body = m.groups()
            if kind == "2" and action:
                pending[message_id] = len(found)
                found.append((number, action, json.loads(body), None))
            elif kind == "3" and message_id in pending:
                at = pending.pop(message_id)
                found[at] = (*found[at][:3], json.loads(body))
    return found
