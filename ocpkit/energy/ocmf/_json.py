"""A small JSON reader that keeps where every value came from.

Theory of operation: an OCMF signature covers the payload section exactly as it
was written, and the spec leaves the JSON dialect loose (it points at json.org,
not RFC 8259). So the stdlib decoder does not fit: it forgets spellings
(``100.000`` and ``100.0``), resolves duplicate keys silently and refuses some
of what real meters send. This reader returns small value objects that keep
their source span and raw text beside the decoded value, preserves member order
and duplicates, and *reports* what RFC 8259 does not allow instead of refusing
it (a leading zero, a raw control character, an undefined escape, a duplicate
key) through the ``note`` callback. It refuses only what is not JSON at all,
and bounds the work: nesting depth and members per object are limited (arrays
by the record's length, which the caller bounds), so hostile input costs little
and never reaches the recursion limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Final

__all__ = ["JArray", "JBool", "JNull", "JNumber", "JObject", "JString", "JValue", "JsonError", "read_value"]

MAX_DEPTH: Final = 8
"""Deepest nesting read; the format needs three levels (payload, RD, reading)."""
MAX_MEMBERS: Final = 256
"""Most members in one object (arrays are bounded by the record's length)."""

_WS: Final = " \t\n\r"
# The next character inside a string that needs attention: the closing quote, an escape, or a
# control character (RFC 8259 §7 forbids raw U+0000..U+001F).
_STRING_STOP = re.compile(r'["\\\x00-\x1f]')
_PLAIN_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')
_NUMBER = re.compile(r"-?(\d+)(\.\d+)?([eE][+-]?\d+)?")
_SIMPLE_ESCAPES: Final = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")

Note = Callable[[str, int], None]
"""``note(kind, offset)``: a departure from RFC 8259 found at *offset* (a DeviationKind name)."""


class JsonError(ValueError):
    """The text is not JSON at *offset*."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at character {offset}")
        self.offset = offset


class JValue:
    """A JSON value with its span ``[start, end)`` in the source text."""

    __slots__ = ("end", "start")
    kind = "value"

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end

    def plain(self) -> Any:
        """The value as plain Python data (numbers as Decimal, objects as dicts, last key wins)."""
        raise NotImplementedError


class JNull(JValue):
    """``null``."""

    __slots__ = ()
    kind = "null"

    def plain(self) -> None:
        """``None``."""
        return None


class JBool(JValue):
    """``true`` or ``false``."""

    __slots__ = ("value",)
    kind = "boolean"

    def __init__(self, value: bool, start: int, end: int) -> None:
        super().__init__(start, end)
        self.value = value

    def plain(self) -> bool:
        """The boolean."""
        return self.value

    @property
    def text(self) -> str:
        """The literal as written."""
        return "true" if self.value else "false"


class JNumber(JValue):
    """A number, kept as its literal text (never converted to a float)."""

    __slots__ = ("text",)
    kind = "number"

    def __init__(self, text: str, start: int, end: int) -> None:
        super().__init__(start, end)
        self.text = text

    def plain(self) -> Decimal:
        """The exact decimal the literal spells."""
        return Decimal(self.text)


class JString(JValue):
    """A string: ``raw`` is what stood between the quotes, ``value`` what it means."""

    __slots__ = ("raw", "value")
    kind = "string"

    def __init__(self, raw: str, value: str, start: int, end: int) -> None:
        super().__init__(start, end)
        self.raw = raw
        self.value = value

    def plain(self) -> str:
        """The decoded string."""
        return self.value


class JArray(JValue):
    """An array, items in order."""

    __slots__ = ("items",)
    kind = "array"

    def __init__(self, items: list[JValue], start: int, end: int) -> None:
        super().__init__(start, end)
        self.items = items

    def plain(self) -> list[Any]:
        """The items as plain data."""
        return [item.plain() for item in self.items]


class JObject(JValue):
    """An object, members in source order with duplicates kept; :meth:`get` takes the last."""

    __slots__ = ("index", "members")
    kind = "object"

    def __init__(self, members: list[tuple[JString, JValue]], start: int, end: int) -> None:
        super().__init__(start, end)
        self.members = members
        # Later members overwrite earlier ones: the last of duplicate keys wins.
        self.index: dict[str, JValue] = {name.value: value for name, value in members}

    def get(self, key: str) -> JValue | None:
        """The value of the last member named *key* (what most JSON readers keep), or ``None``."""
        return self.index.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def names(self) -> Iterator[JString]:
        """The member names, in order, each once (first occurrence)."""
        seen: set[str] = set()
        for name, _ in self.members:
            if name.value not in seen:
                seen.add(name.value)
                yield name

    def plain(self) -> dict[str, Any]:
        """The members as a dict (the last of duplicate keys wins)."""
        return {name.value: value.plain() for name, value in self.members}


def read_value(text: str, pos: int, note: Note) -> JValue:
    """Read one JSON value starting at *pos* (leading whitespace skipped); its ``end`` says where it stops.

    Raises :class:`JsonError` when no JSON value starts there or a limit is passed.
    """
    return _Reader(text, note).value(_skip(text, pos), 0)


def _skip(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in _WS:
        pos += 1
    return pos


class _Reader:
    __slots__ = ("note", "text")

    def __init__(self, text: str, note: Note) -> None:
        self.text = text
        self.note = note

    def value(self, pos: int, depth: int) -> JValue:
        text = self.text
        if pos >= len(text):
            raise JsonError("a JSON value expected, found the end", pos)
        c = text[pos]
        if c == "{":
            return self.object(pos, depth + 1)
        if c == "[":
            return self.array(pos, depth + 1)
        if c == '"':
            return self.string(pos)
        if c == "-" or "0" <= c <= "9":
            return self.number(pos)
        for word, made in (("true", True), ("false", False)):
            if text.startswith(word, pos):
                return JBool(made, pos, pos + len(word))
        if text.startswith("null", pos):
            return JNull(pos, pos + 4)
        raise JsonError(f"a JSON value expected, found {c!r}", pos)

    def number(self, pos: int) -> JNumber:
        m = _NUMBER.match(self.text, pos)
        if m is None:
            raise JsonError("a digit expected", pos)
        integer = m.group(1)
        if len(integer) > 1 and integer[0] == "0":
            # RFC 8259 §6: no leading zeros. Read, and said.
            self.note("NonCanonicalNumber", m.start(1))
        end = m.end()
        if end < len(self.text) and self.text[end] in ".eE":
            raise JsonError("a digit expected in the number", end + 1)
        return JNumber(m.group(0), pos, end)

    def string(self, pos: int) -> JString:
        text, note = self.text, self.note
        plain = _PLAIN_STRING.match(text, pos)
        if plain is not None:  # no escape, no control character: the common case
            inner = plain.group(1)
            return JString(inner, inner, pos, plain.end())
        start = pos
        pos += 1
        parts: list[str] = []
        chunk_start = pos
        while True:
            m = _STRING_STOP.search(text, pos)
            if m is None:
                raise JsonError("a closing quote expected", len(text))
            at = m.start()
            c = text[at]
            if c == '"':
                parts.append(text[chunk_start:at])
                return JString(text[start + 1 : at], "".join(parts), start, at + 1)
            if c != "\\":
                note("ControlCharacterInString", at)
                pos = at + 1
                continue
            parts.append(text[chunk_start:at])
            decoded, pos = self.escape(at)
            parts.append(decoded)
            chunk_start = pos

    def escape(self, at: int) -> tuple[str, int]:
        """Decode the escape at *at* (a backslash); return its text and the position after it."""
        text, note = self.text, self.note
        if at + 1 >= len(text):
            raise JsonError("an escape sequence expected", at)
        c = text[at + 1]
        simple = _SIMPLE_ESCAPES.get(c)
        if simple is not None:
            return simple, at + 2
        if c != "u" or _HEX4.fullmatch(text, at + 2, at + 6) is None:
            # Not an RFC 8259 escape: readers disagree (some refuse, some keep the next character).
            # Keep the character, and say so.
            note("InvalidStringEscape", at)
            return c, at + 2
        code = int(text[at + 2 : at + 6], 16)
        if 0xD800 <= code <= 0xDBFF:
            if (
                text.startswith("\\u", at + 6)
                and _HEX4.fullmatch(text, at + 8, at + 12) is not None
                and 0xDC00 <= (low := int(text[at + 8 : at + 12], 16)) <= 0xDFFF
            ):
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), at + 12
            note("InvalidStringEscape", at)
            return "\ufffd", at + 6
        if 0xDC00 <= code <= 0xDFFF:
            note("InvalidStringEscape", at)
            return "\ufffd", at + 6
        return chr(code), at + 6

    def array(self, pos: int, depth: int) -> JArray:
        if depth > MAX_DEPTH:
            raise JsonError(f"nesting deeper than {MAX_DEPTH}", pos)
        start = pos
        items: list[JValue] = []
        pos = _skip(self.text, pos + 1)
        if self.text.startswith("]", pos):
            return JArray(items, start, pos + 1)
        while True:
            item = self.value(pos, depth)
            items.append(item)
            pos = _skip(self.text, item.end)
            if self.text.startswith(",", pos):
                pos = _skip(self.text, pos + 1)
            elif self.text.startswith("]", pos):
                return JArray(items, start, pos + 1)
            else:
                raise JsonError("',' or ']' expected", pos)

    def object(self, pos: int, depth: int) -> JObject:
        if depth > MAX_DEPTH:
            raise JsonError(f"nesting deeper than {MAX_DEPTH}", pos)
        text = self.text
        start = pos
        members: list[tuple[JString, JValue]] = []
        seen: set[str] = set()
        pos = _skip(text, pos + 1)
        if text.startswith("}", pos):
            return JObject(members, start, pos + 1)
        while True:
            if not text.startswith('"', pos):
                raise JsonError("a member name expected", pos)
            if len(members) >= MAX_MEMBERS:
                raise JsonError(f"more than {MAX_MEMBERS} members in an object", pos)
            name = self.string(pos)
            if name.value in seen:
                self.note("DuplicateKey", name.start)
            seen.add(name.value)
            pos = _skip(text, name.end)
            if not text.startswith(":", pos):
                raise JsonError("':' expected", pos)
            member = self.value(_skip(text, pos + 1), depth)
            members.append((name, member))
            pos = _skip(text, member.end)
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
            elif text.startswith("}", pos):
                return JObject(members, start, pos + 1)
            else:
                raise JsonError("',' or '}' expected", pos)
