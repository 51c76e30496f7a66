"""OCPI primitive types: the rules of the spec's ``types`` chapter as pydantic metadata.

Theory of operation: generated models annotate every field with one of the
metadata objects below (``Annotated[str, CiStr(36)]``, ``Annotated[Decimal,
Number()]`` ...). Each one builds its own pydantic-core schema, so the rule is
enforced at validation time *and* appears in the exported JSON Schema from the
same object: one source of truth per rule.

Decisions, each citing the spec where it has one:

* ``string(n)`` (OCPI types: string) -- printable UTF-8, at most *n*
  characters; control characters (C0, DEL) are refused.
* ``CiString(n)`` (OCPI types: CiString) -- printable ASCII, at most *n*
  characters; compare such values with :func:`ci_equals` / :func:`ci_key`.
* ``number`` (OCPI types: number) -- a JSON number kept as :class:`Decimal`;
  strings, booleans, NaN and infinities are refused. Python floats given
  directly are converted through their shortest ``repr`` (never binary
  expansion).
* ``DateTime`` (OCPI types: DateTime) -- RFC 3339 in UTC. ``Z`` or no zone
  designator (the spec says its absence means UTC) are accepted; numeric
  offsets, even ``+00:00`` (the spec notes it is not the same as UTC), are
  refused in strict mode and accepted, kept and reported in lenient mode.
  Longer than the spec's string(25) is refused in strict mode.
* ``OpenEnum`` (OCPI 2.3.0 types: OpenEnum) -- a known value becomes the enum
  member, any other printable string becomes an :class:`UnknownEnumValue`
  (a ``str`` subclass remembering the enum name) so that it is kept, dumped
  unchanged and can be found with :func:`ocpkit.ocpi.unknown_enum_values`.
* ``URL`` (OCPI types: URL) -- string(255) holding an absolute URI with a
  scheme and an authority.

Lenient mode is chosen through the validation context ``{"ocpi_lenient":
True}`` (see :func:`ocpkit.ocpi.parse`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from ocpkit._model import parse_rfc3339

__all__ = [
    "CI_STRING_PATTERN",
    "DATETIME_PATTERN",
    "STRING_PATTERN",
    "CiStr",
    "DateTimeRule",
    "Int",
    "Number",
    "OpenEnumOf",
    "Str",
    "UnknownEnumValue",
    "Url",
    "ci_equals",
    "ci_key",
    "format_datetime",
    "is_lenient",
    "is_strict_datetime_text",
    "to_decimal",
]

CI_STRING_PATTERN = r"^[\x20-\x7e]*$"
"""Printable ASCII (OCPI types: CiString)."""
STRING_PATTERN = r"^[^\x00-\x1f\x7f]*$"
"""No control characters (OCPI types: string)."""

DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?[Zz]?$"
"""Shape of an OCPI DateTime in strict mode (UTC: ``Z`` or no designator)."""

_CI_RE = re.compile(CI_STRING_PATTERN)
_STR_RE = re.compile(STRING_PATTERN)


def ci_key(value: str) -> str:
    """Return the comparison key of a CiString value (ASCII case folded)."""
    return value.lower()


def ci_equals(a: str, b: str) -> bool:
    """Compare two CiString values the OCPI way: ignoring ASCII case."""
    return ci_key(a) == ci_key(b)


def is_lenient(info: ValidationInfo | None) -> bool:
    """True when the validation context asks for lenient OCPI rules."""
    ctx = info.context if info is not None else None
    return isinstance(ctx, dict) and bool(ctx.get("ocpi_lenient"))


@dataclass(frozen=True, slots=True)
class Str:
    """``string(n)``: printable UTF-8 with at most *max_length* characters."""

    max_length: int | None = None
    pattern: str | None = None
    min_length: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Build a strict string schema carrying the length and pattern."""
        return core_schema.str_schema(
            max_length=self.max_length,
            min_length=self.min_length,
            pattern=self.pattern or STRING_PATTERN,
            strict=True,
        )


@dataclass(frozen=True, slots=True)
class CiStr:
    """``CiString(n)``: printable ASCII, compared without case, at most *max_length* characters."""

    max_length: int | None = None
    pattern: str | None = None
    min_length: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Build a strict string schema carrying the length and pattern."""
        return core_schema.str_schema(
            max_length=self.max_length,
            min_length=self.min_length,
            pattern=self.pattern or CI_STRING_PATTERN,
            strict=True,
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Mark the string as case-insensitive for readers of the schema."""
        out = handler(schema)
        out["x-ocpi-case-insensitive"] = True
        return out


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc or any(c.isspace() for c in value):
        raise PydanticCustomError("format", "not an absolute URL with scheme and host")
    return value


@dataclass(frozen=True, slots=True)
class Url:
    """``URL``: string(255) holding an absolute URL."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """A strict string of at most 255 characters that parses as an absolute URL."""
        return core_schema.no_info_after_validator_function(
            _check_url,
            core_schema.str_schema(max_length=255, pattern=STRING_PATTERN, strict=True),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """``format: uri`` with the length limit."""
        return {"type": "string", "format": "uri", "maxLength": 255}


def to_decimal(value: Any) -> Decimal:
    """Convert a JSON number (int, Decimal or float) to a finite Decimal; refuse anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("type", "must be a JSON number")
    if isinstance(value, float):
        # repr gives the shortest text that reads back to the same float: no binary expansion.
        try:
            value = Decimal(repr(value))
        except InvalidOperation as exc:  # pragma: no cover - repr of a float is always a number
            raise PydanticCustomError("type", "must be a JSON number") from exc
    result = Decimal(value)
    if not result.is_finite():
        raise PydanticCustomError("type", "must be a finite JSON number")
    return result


def _ser_number(value: Decimal, info: core_schema.SerializationInfo) -> Any:
    if not info.mode_is_json() or not isinstance(value, Decimal):
        return value  # (a value a lenient model kept as it was sent is written as it is)
    if value == value.to_integral_value() and value.as_tuple().exponent == 0:
        return int(value)
    as_float = float(value)
    # Only hand a float to the JSON writer when it reproduces the decimal exactly.
    if Decimal(repr(as_float)) == value:
        return as_float
    return str(value)


@dataclass(frozen=True, slots=True)
class Number:
    """``number``: a JSON number kept as Decimal, optionally bounded."""

    ge: int | None = None
    le: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Plain validator to Decimal; serialised as an exact JSON number where possible."""
        ge, le = self.ge, self.le

        def validate(value: Any) -> Decimal:
            result = to_decimal(value)
            if ge is not None and result < ge:
                raise PydanticCustomError("minimum", "must be at least {limit}", {"limit": ge})
            if le is not None and result > le:
                raise PydanticCustomError("maximum", "must be at most {limit}", {"limit": le})
            return result

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(_ser_number, info_arg=True),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """``type: number`` with the bounds."""
        out: dict[str, Any] = {"type": "number"}
        if self.ge is not None:
            out["minimum"] = self.ge
        if self.le is not None:
            out["maximum"] = self.le
        return out


@dataclass(frozen=True, slots=True)
class Int:
    """``int`` / ``int(n)``: a strict JSON integer, optionally bounded."""

    ge: int | None = None
    le: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Strict integer schema; an integral Decimal (``1.0`` read as Decimal) is accepted as well."""

        def from_decimal(value: Any) -> Any:
            if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
                return int(value)
            return value

        return core_schema.no_info_before_validator_function(
            from_decimal, core_schema.int_schema(ge=self.ge, le=self.le, strict=True)
        )


def format_datetime(value: datetime) -> str:
    """Format a datetime the OCPI way: its original text when known, else UTC with ``Z``.

    Anything else (a value a lenient model kept as it was sent) is written as it is.
    """
    if not isinstance(value, datetime):
        return value
    text = getattr(value, "rfc3339_text", None)
    if text is not None:
        return str(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    out = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return out + "Z"


_STRICT_DT_RE = re.compile(DATETIME_PATTERN[1:-1], re.ASCII)
_NO_ZONE_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?", re.ASCII)


def is_strict_datetime_text(text: str) -> bool:
    """True when *text* has the shape strict mode accepts (UTC ``Z`` or no designator, <= 25 chars)."""
    return len(text) <= 25 and _STRICT_DT_RE.fullmatch(text) is not None


def _validate_datetime(value: Any, info: ValidationInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise PydanticCustomError("format", "a datetime object needs a time zone")
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("type", "a DateTime must be a string")
    lenient = is_lenient(info)
    if len(value) > 25 and not lenient:
        # OCPI types: DateTime is string(25).
        raise PydanticCustomError("maxLength", "a DateTime has at most 25 characters")
    text = value
    if _NO_ZONE_RE.fullmatch(value):
        # OCPI types: DateTime -- no zone designator means UTC.
        text = value + "Z"
    elif not value.endswith(("Z", "z")) and not lenient:
        raise PydanticCustomError(
            "format", "a DateTime must be in UTC ('Z' or no zone designator), not an offset"
        )
    try:
        result = parse_rfc3339(text)
    except ValueError as exc:
        raise PydanticCustomError(
            "format", "not an RFC 3339 date-time: {reason}", {"reason": str(exc)}
        ) from exc
    result.rfc3339_text = value
    return result


@dataclass(frozen=True, slots=True)
class DateTimeRule:
    """``DateTime``: RFC 3339 in UTC, see the module docstring for the strict/lenient rules."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Plain validator keeping the original text; serialised back to that text."""
        return core_schema.with_info_plain_validator_function(
            _validate_datetime,
            serialization=core_schema.plain_serializer_function_ser_schema(
                format_datetime, when_used="json-unless-none"
            ),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """RFC 3339 shape with optional ``Z``, at most 25 characters.

        Not ``format: date-time``: that format requires a zone designator, which
        OCPI makes optional. Calendar ranges (month 13, day 32) are checked by the
        model only.
        """
        return {"type": "string", "pattern": DATETIME_PATTERN, "maxLength": 25}


class UnknownEnumValue(str):
    """A value of an OCPI OpenEnum that is not one of the values the spec lists.

    It behaves as the plain string; :attr:`enum_name` names the OpenEnum it was
    read for, so tools can report it.
    """

    __slots__ = ("enum_name",)
    enum_name: str

    def __new__(cls, value: str, enum_name: str) -> UnknownEnumValue:
        """Create the flagged string."""
        obj = super().__new__(cls, value)
        obj.enum_name = enum_name
        return obj

    def __repr__(self) -> str:
        """Show the value and the enum it was read for."""
        return f"UnknownEnumValue({str(self)!r}, enum_name={self.enum_name!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the enum name."""
        return (UnknownEnumValue, (str(self), self.enum_name))


@dataclass(frozen=True, slots=True)
class OpenEnumOf:
    """OCPI 2.3.0 ``OpenEnum``: the known values of *enum_cls* or any other printable string."""

    enum_cls: type[enum.Enum]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Known value -> member; other string -> :class:`UnknownEnumValue`."""
        enum_cls = self.enum_cls
        known = {m.value: m for m in enum_cls}

        def validate(value: Any) -> Any:
            if isinstance(value, enum_cls):
                return value
            if not isinstance(value, str):
                raise PydanticCustomError("type", "must be a string")
            member = known.get(value)
            if member is not None:
                return member
            if not value or len(value) > 255 or not _STR_RE.match(value):
                raise PydanticCustomError("format", "an OpenEnum value must be 1 to 255 printable characters")
            return UnknownEnumValue(value, enum_cls.__name__)

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="json"),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Known values as ``examples``-like list, any string allowed."""
        return {
            "anyOf": [
                {"type": "string", "enum": [m.value for m in self.enum_cls]},
                {"type": "string", "minLength": 1, "maxLength": 255},
            ],
            "x-ocpi-open-enum": self.enum_cls.__name__,
        }
