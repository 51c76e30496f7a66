"""Small readers for message payloads that may be anything (the machines never trust their input).

Theory of operation: the trackers take parsed JSON objects straight from
frames; these helpers read one field each and return ``None`` (or an empty
mapping) for a value of the wrong kind, so that hostile input ends in a
finding instead of an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ocpkit.findings import Severity
from ocpkit.ocpp._rfc3339 import parse_rfc3339

__all__: list[str] = []

# Bounds that keep memory per charge point constant over long logs.
RECENT = 256
MAX_GAP = 4096
MAX_TAGS = 1024

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def as_int(value: object) -> int | None:
    """The value if it is a JSON integer, else ``None``."""
    # JSON booleans are ints to Python; they are not ids or meter readings.
    if type(value) is int:  # the common case, without the subclass checks
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_time(value: object) -> datetime | None:
    """The value parsed as an RFC 3339 date-time, else ``None``."""
    if not isinstance(value, str):
        return None
    try:
        return parse_rfc3339(value)
    except ValueError:
        return None


def as_obj(value: object) -> Mapping[str, Any]:
    """The value if it is a JSON object, else an empty mapping."""
    if type(value) is dict:  # what decoded JSON holds; skips the slower abstract-class check
        return value
    return value if isinstance(value, Mapping) else {}


def aware(moment: datetime | None) -> datetime | None:
    """A caller-supplied time made comparable with message times: naive values are taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
