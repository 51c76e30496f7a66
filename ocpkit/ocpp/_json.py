"""JSON decoding rules for OCPP-J frames and payloads (private).

Theory of operation: OCPP-J messages are JSON texts (RFC 8259) carried in
WebSocket text frames. ocpkit decides once, here, what such a text decodes to,
so that every verdict downstream is judged on the same values:

* Input is UTF-8. Invalid byte sequences, a byte order mark and lone
  surrogates (raw or ``\\uD800``-style escapes) are refused: a WebSocket text
  frame carries UTF-8 (RFC 6455 §5.6) and RFC 8259 §8.1 forbids the BOM.
* ``NaN``, ``Infinity`` and ``-Infinity`` are refused: they are not JSON.
* Integer literals (no fraction, no exponent) decode to exact Python ``int``
  of any size (up to the interpreter's digit limit, 4300 by default); the
  other numbers decode to the nearest IEEE-754 double, as RFC 7493 §2.2
  advises receivers to expect. A number that overflows a double (``1e400``)
  is refused rather than turned into infinity.
* Duplicate member names: the last one wins, as in ``json.loads``, orjson
  and ECMAScript ``JSON.parse`` (RFC 8259 §4 leaves the behaviour open).
* Nesting deeper than :data:`MAX_DEPTH` arrays/objects is refused, so no
  ``RecursionError`` can escape.

Two decoders implement these rules. The fast one is orjson when installed;
its own refusals coincide with the rules, but it turns integers beyond 64
bits into floats and allows deeper nesting, so texts that might hold such
literals (a run of 19 digits) or more than :data:`MAX_DEPTH` brackets go to
the exact decoder: ``json`` from the standard library with hooks for the
rules above and a bracket pre-scan for depth. Whatever orjson refuses is
handed to the exact decoder too, which names the broken rule; so the verdict
is the same with or without orjson.
Both raise :class:`JsonError` only.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

__all__ = [
    "HAVE_ORJSON",
    "MAX_DEPTH",
    "JsonError",
    "decode",
    "decode_exact",
    "encode",
    "fast_loads",
    "may_hold_big_int",
    "orjson_module",
    "shallow",
]

# Far above any OCPP message, far below the interpreter's recursion limit.
MAX_DEPTH = 512

try:  # orjson is an optional accelerator; every rule holds without it.
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised in environments without orjson
    _orjson = None  # type: ignore[assignment]

HAVE_ORJSON = _orjson is not None


class JsonError(ValueError):
    """The text breaks one of the decoding rules; the message says which."""


# A run of 19 digits may be an integer literal orjson would turn into a float; mapping every
# digit to "0" and searching for 19 zeros is much cheaper than a regular expression.
_DIGITS_B = bytes.maketrans(b"123456789", b"000000000")
_DIGITS_S = str.maketrans("123456789", "000000000")
_RUN_B = b"0" * 19
_RUN_S = "0" * 19
# Tokens relevant to depth: whole strings (skipped) and brackets.
_DEPTH_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_constant(name: str) -> Any:
    raise JsonError(f"{name} is not a JSON number (RFC 8259 §6)")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JsonError(f"number {text[:40]!r} overflows a double")
    return value


_DECODER = json.JSONDecoder(parse_float=_parse_float, parse_constant=_refuse_constant, strict=True)


def _check_depth(text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for m in _DEPTH_TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise JsonError(f"nesting deeper than {MAX_DEPTH} levels")
        elif tok in "]}":
            depth -= 1


def _has_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is str:
            if _SURROGATE.search(v):
                return True
        elif type(v) is dict:
            for k, item in v.items():
                if _SURROGATE.search(k):
                    return True
                stack.append(item)
        elif type(v) is list:
            stack.extend(v)
    return False


def orjson_module() -> Any:
    """The orjson module when installed (and not switched off), else None."""
    return _orjson


def fast_loads() -> Callable[[bytes | str], Any] | None:
    """``orjson.loads`` when installed (and not switched off), else None.

    It raises ``ValueError`` for every text the rules refuse except two: it
    accepts nesting deeper than :data:`MAX_DEPTH` (see :func:`shallow`) and
    turns integers beyond 64 bits into floats (see :func:`may_hold_big_int`).
    """
    return None if _orjson is None else _orjson.loads


def may_hold_big_int(raw: bytes | str) -> bool:
    """True when *raw* has a run of 19 digits: an integer orjson might turn into a float."""
    if isinstance(raw, bytes):
        return _RUN_B in raw.translate(_DIGITS_B)
    return _RUN_S in raw.translate(_DIGITS_S)


def shallow(raw: bytes | str) -> bool:
    """True when *raw* cannot nest deeper than :data:`MAX_DEPTH` (too few brackets)."""
    if isinstance(raw, bytes):
        return raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH
    return raw.count("[") + raw.count("{") <= MAX_DEPTH


def decode_exact(raw: bytes | bytearray | memoryview | str) -> Any:
    """Decode with the standard library, applying every rule; raise :class:`JsonError`."""
    if isinstance(raw, str):
        text = raw
    else:
        data = bytes(raw)
        if data.startswith(b"\xef\xbb\xbf"):
            raise JsonError("a byte order mark is not allowed (RFC 8259 §8.1)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonError(f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    if text.startswith("\ufeff"):
        raise JsonError("a byte order mark is not allowed (RFC 8259 §8.1)")
    _check_depth(text)
    try:
        value = _DECODER.decode(text)
    except JsonError:
        raise
    except json.JSONDecodeError as exc:
        raise JsonError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        # ValueError: integer literal beyond the interpreter's digit limit.
        raise JsonError(f"not decodable: {str(exc)[:120]}") from None
    if _SURROGATE.search(text) or ("\\u" in text and _has_surrogate(value)):
        raise JsonError("lone surrogate in a string (not UTF-8 encodable)")
    return value


def decode(raw: bytes | bytearray | memoryview | str) -> Any:
    """Decode a JSON text by the module's rules; raise :class:`JsonError`."""
    if _orjson is None:
        return decode_exact(raw)
    if type(raw) is bytes:
        if _RUN_B in raw.translate(_DIGITS_B) or (
            len(raw) > 2 * MAX_DEPTH and raw.count(b"[") + raw.count(b"{") > MAX_DEPTH
        ):
            return decode_exact(raw)
    elif isinstance(raw, str):
        if _RUN_S in raw.translate(_DIGITS_S) or (
            len(raw) > 2 * MAX_DEPTH and raw.count("[") + raw.count("{") > MAX_DEPTH
        ):
            return decode_exact(raw)
    else:
        return decode(bytes(raw))
    try:
        return _orjson.loads(raw)
    except _orjson.JSONDecodeError:
        # Let the exact decoder name the broken rule (or refuse the text the same way).
        return decode_exact(raw)


def encode(value: Any) -> str:
    """Serialise to compact JSON text (no spaces, non-ASCII kept as is).

    The standard library is used on purpose: orjson writes NaN as ``null``
    and refuses integers beyond 64 bits, where ocpkit refuses NaN and keeps
    big integers exact.
    """
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise JsonError(f"not serialisable as JSON: {str(exc)[:120]}") from None
