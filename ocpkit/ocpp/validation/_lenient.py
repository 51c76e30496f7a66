"""Best-effort models for lenient validation (private).

Theory of operation: lenient mode reports every violation of a payload (the
exact checker already listed them) and still hands back a model. It works on
a copy of the payload in three steps:

1. repair what real chargers commonly get wrong, at the paths the violations
   name: a ``date-time`` without offset (or with ``+hhmm`` / a space) is read
   as UTC / normalised; a number or boolean sent as a string is converted; a
   JSON value where a string is wanted (1.6 ``DataTransfer.data`` holding an
   object) is serialised to compact JSON text; a number where a string is
   wanted becomes its text;
2. move properties the schema does not allow aside (they are returned, keyed
   by JSON pointer, so nothing is lost);
3. validate the repaired copy with the model; where the model still refuses a
   value (an unknown enum value, a string too long, a missing property), build
   that object field by field (:func:`ocpkit._model.construct_leniently`),
   keeping the value of each field that still cannot be typed as it was sent.

Every change is described in the returned ``repairs`` list.
"""

from __future__ import annotations

import copy
import json
import re
from typing import TYPE_CHECKING, Any

from ocpkit._model import construct_leniently
from ocpkit.errors import Violation

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["best_effort"]

_NAIVE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([Zz]|[+-]\d{2}:?\d{2})?", re.ASCII
)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)


def _parse_pointer(ptr: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]] if ptr else []


def _locate(doc: Any, parts: list[str]) -> tuple[Any, str | int] | None:
    """Return (container, key) of the value at *parts*, or None when absent."""
    if not parts:
        return None
    node = doc
    for p in parts[:-1]:
        node = _step(node, p)
        if node is _MISSING:
            return None
    last = parts[-1]
    if isinstance(node, dict) and last in node:
        return node, last
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        return node, int(last)
    return None


_MISSING = object()


def _step(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return _MISSING


def _repair_date_time(text: str) -> str | None:
    m = _NAIVE.fullmatch(text.strip())
    if m is None:
        return None
    zone = m.group(3) or "Z"
    if len(zone) == 5:  # +hhmm
        zone = zone[:3] + ":" + zone[3:]
    return f"{m.group(1)}T{m.group(2)}{zone.upper() if zone in ('z', 'Z') else zone}"


def _repair_type(value: Any, message: str) -> tuple[bool, Any]:
    wanted = message.rsplit(" is not of type ", 1)[-1].split(" or ")
    wants_string = "string" in wanted
    if isinstance(value, str) and not wants_string:
        text = value.strip()
        if ("integer" in wanted or "number" in wanted) and _NUMBER.fullmatch(text):
            number = json.loads(text)
            if isinstance(number, float) and "number" not in wanted and number.is_integer():
                number = int(number)
            return True, number
        if "boolean" in wanted and text.lower() in ("true", "false"):
            return True, text.lower() == "true"
        return False, value
    if wants_string and isinstance(value, dict | list):
        return True, json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if wants_string and isinstance(value, int | float) and not isinstance(value, bool):
        return True, json.dumps(value)
    return False, value


def best_effort(
    model_cls: type[BaseModel],
    data: dict[str, Any],
    violations: tuple[Violation, ...],
    version: str,
    action: str,
) -> tuple[BaseModel, tuple[str, ...], dict[str, Any]]:
    """Repair a copy of *data*, then build the best model it allows.

    Returns the model, the list of repairs made, and the properties moved
    aside (JSON pointer -> value).
    """
    work = copy.deepcopy(data)
    notes: list[str] = []
    extra: dict[str, Any] = {}
    # Deepest paths first, so removing an extra property never shifts a later one.
    for v in sorted(violations, key=lambda v: v.path.count("/"), reverse=True):
        parts = _parse_pointer(v.path)
        found = _locate(work, parts)
        if found is None:
            continue
        container, key = found
        value = container[key]
        if v.keyword == "additionalProperties" and isinstance(container, dict):
            extra[v.path] = container.pop(key)
            notes.append(f"{v.path}: unknown property kept aside")
        elif v.keyword == "format" and isinstance(value, str) and "date-time" in v.message:
            fixed = _repair_date_time(value)
            if fixed is not None and fixed != value:
                container[key] = fixed
                notes.append(f"{v.path}: date-time {value!r} read as {fixed!r}")
        elif v.keyword == "type":
            ok, fixed = _repair_type(value, v.message)
            if ok:
                container[key] = fixed
                notes.append(f"{v.path}: {type(value).__name__} {value!r:.40} converted to {fixed!r:.40}")
    model = construct_leniently(model_cls, work, "", notes)
    return model, tuple(notes), extra
