"""The oracle: verdicts of the official OCPP schemas, computed with jsonschema (DESIGN.md invariant 5).

Implemented once, here, independently of ocpkit's code:

* Payloads: the official file from ../shared, validated by ``jsonschema`` with
  the validator class of the draft the file declares, a ``FormatChecker``
  whose ``date-time`` is ``rfc3339-validator`` and ``uri`` is ``rfc3987``
  (rule ``URI``), and ``multipleOf`` decided on exact rationals of the numbers'
  shortest decimal text (``Fraction(repr(x))``), so 22.2 is a multiple of 0.1.
* JSON text: ``json.loads`` with ocpkit's documented decoding rules restated
  here (UTF-8, no BOM, no NaN/Infinity, doubles that overflow refused, lone
  surrogates refused, depth at most 512, the last duplicate name wins).
* Frames: the OCPP-J array rules restated from the specs (type ids per
  version, exact lengths, message id string <= 36 characters, known action sent
  with the right message type, object payload and details, known error code).

Two entry points: by (shared, version, action, direction) for the validation
tests, and by official file path (:func:`load`, :func:`validator`,
:func:`is_valid`) for the model tests; both build the same validator.

Arguable rules, picked once (ocpkit documents the same choices):

* ``integer`` follows each draft's text: draft-04 (1.6 core) says ``1.0`` is
  not an integer, draft-06 (1.6 security extension, 2.x) says it is.
  jsonschema's own type checkers implement exactly that.
* Leap seconds (``23:59:60``) are refused, as ``rfc3339-validator`` does.
* A trailing newline after a date-time or URI is refused: the reference
  libraries anchor with ``$``, which lets ``"...Z\\n"`` through; RFC 3339 and
  RFC 3986 do not allow it.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import rfc3987
from jsonschema import validators
from rfc3339_validator import validate_rfc3339

MAX_DEPTH = 512
VERSION_DIRS = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}
TYPES = {"1.6": {2, 3, 4}, "2.0.1": {2, 3, 4}, "2.1": {2, 3, 4, 5, 6}}
LENGTHS = {2: 4, 3: 3, 4: 5, 5: 5, 6: 4}


def _codes(version: str) -> set[str]:
    common = {
        "GenericError",
        "InternalError",
        "NotImplemented",
        "NotSupported",
        "PropertyConstraintViolation",
        "ProtocolError",
        "SecurityError",
        "TypeConstraintViolation",
    }
    if version == "1.6":
        return common | {"FormationViolation", "OccurenceConstraintViolation"}
    rpc = {"FormatViolation", "MessageTypeNotSupported", "RpcFrameworkError"}
    if version == "2.0.1":
        return common | rpc | {"OccurenceConstraintViolation"}
    return common | rpc | {"OccurrenceConstraintViolation"}


class OracleJsonError(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise OracleJsonError(name)


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise OracleJsonError("overflow")
    return value


def _depth(text: str) -> int:
    depth = best = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def decode(raw: bytes | str) -> Any:
    """Decode by the documented rules; raise OracleJsonError when a rule is broken."""
    if isinstance(raw, bytes):
        if raw.startswith(b"\xef\xbb\xbf"):
            raise OracleJsonError("bom")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise OracleJsonError("utf-8") from None
    else:
        text = raw
    if text.startswith("\ufeff"):
        raise OracleJsonError("bom")
    if _depth(text) > MAX_DEPTH:
        raise OracleJsonError("depth")
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_float)
    except (ValueError, RecursionError) as exc:
        raise OracleJsonError(str(exc)) from None
    if _has_lone_surrogate(value):
        raise OracleJsonError("surrogate")
    return value


def _date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    return "\n" not in instance and validate_rfc3339(instance.upper())


def _uri(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if "\n" in instance:
        return False
    try:
        rfc3987.parse(instance, rule="URI")
    except ValueError:
        return False
    return True


FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
FORMAT_CHECKER.checks("date-time")(_date_time)
FORMAT_CHECKER.checks("uri")(_uri)


def _exact(x: int | float) -> Fraction:
    return Fraction(x) if isinstance(x, int) else Fraction(repr(x))


def _multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "number"):
        return
    if (_exact(instance) / _exact(step)).denominator != 1:
        yield jsonschema.ValidationError(f"{instance!r} is not a multiple of {step}")


def official_file(shared: Path, version: str, action: str, direction: str) -> Path:
    folder = shared / "specs" / "ocpp" / VERSION_DIRS[version]
    if direction == "response":
        return folder / f"{action}Response.json"
    if version == "1.6":
        return folder / f"{action}.json"
    path = folder / f"{action}Request.json"
    return path if path.exists() else folder / f"{action}.json"


@cache
def official_actions(shared: Path, version: str) -> dict[str, bool]:
    """Action -> has a response schema, from the official file names."""
    folder = shared / "specs" / "ocpp" / VERSION_DIRS[version]
    names = {p.stem for p in folder.glob("*.json")}
    out: dict[str, bool] = {}
    for name in names:
        if name.endswith("Response"):
            continue
        action = name[: -len("Request")] if version != "1.6" and name.endswith("Request") else name
        out[action] = f"{action}Response" in names
    return out


@cache
def load_schema(shared: Path, version: str, action: str, direction: str) -> dict[str, Any]:
    # utf-8-sig: tolerate a BOM in the reference files (there is none today).
    result: dict[str, Any] = json.loads(
        official_file(shared, version, action, direction).read_text("utf-8-sig")
    )
    return result


def _build(schema: dict[str, Any]) -> Any:
    base = validators.validator_for(schema)
    cls = validators.extend(base, {"multipleOf": _multiple_of})
    return cls(schema, format_checker=FORMAT_CHECKER)


@cache
def payload_validator(shared: Path, version: str, action: str, direction: str) -> Any:
    """The oracle's validator for an action's request or response."""
    return validator(official_file(shared, version, action, direction))


def payload_ok(shared: Path, version: str, action: str, direction: str, payload: Any) -> bool:
    return bool(payload_validator(shared, version, action, direction).is_valid(payload))


def payload_errors(shared: Path, version: str, action: str, direction: str, payload: Any) -> list[Any]:
    return list(payload_validator(shared, version, action, direction).iter_errors(payload))


@cache
def load(path: Path) -> dict[str, Any]:
    """The official schema at *path*."""
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def validator(path: Path) -> Any:
    """A validator for the official schema at *path*, with its own draft, formats and exact multipleOf."""
    return _build(load(path))


def is_valid(path: Path, instance: Any) -> bool:
    """The oracle's verdict on *instance* against the official file at *path*."""
    return bool(validator(path).is_valid(instance))


def frame_verdict(
    shared: Path, raw: bytes | str, version: str, action: str | None = None
) -> tuple[bool, bool]:
    """(ok, unpaired) for one message; *action* is the paired CALL's action for a CALLRESULT."""
    try:
        msg = decode(raw)
    except OracleJsonError:
        return False, False
    if not isinstance(msg, list) or not msg:
        return False, False
    type_id = msg[0]
    if type(type_id) is not int or type_id not in TYPES[version]:
        return False, False
    if len(msg) != LENGTHS[type_id]:
        return False, False
    if not isinstance(msg[1], str) or len(msg[1]) > 36:
        return False, False
    known = official_actions(shared, version)
    if type_id in (2, 6):
        name, payload = msg[2], msg[3]
        if not isinstance(name, str) or name not in known:
            return False, False
        if known[name] != (type_id == 2):
            return False, False
        if not isinstance(payload, dict):
            return False, False
        return payload_ok(shared, version, name, "request", payload), False
    if type_id == 3:
        if not isinstance(msg[2], dict):
            return False, False
        if action is None:
            return True, True
        if action not in known or not known[action]:
            return False, False
        return payload_ok(shared, version, action, "response", msg[2]), False
    code, description, details = msg[2], msg[3], msg[4]
    if not isinstance(code, str) or code not in _codes(version):
        return False, False
    return isinstance(description, str) and isinstance(details, dict), False
