"""Field building blocks shared by the generated OCPP models.

Theory of operation: the generated ``v16``/``v201``/``v21`` packages spell
every JSON Schema keyword as pydantic metadata on the field type. The few rules
pydantic cannot express with plain metadata live here, once:

* **Optional means absent, not null.** The official schemas give no property a
  ``"null"`` type, so an explicit JSON ``null`` is invalid. Optional fields are
  typed ``X | None`` (``None`` meaning "absent") and carry :data:`NOT_NULL`,
  which refuses a ``None`` that was actually sent.
* **Integers follow the declared draft.** Draft-04 (OCPP 1.6 core files) says
  ``1.0`` is not an integer; draft-06 (1.6 security extension, 2.0.1, 2.1)
  says it is. Draft-04 fields are strict ``int``; draft-06 fields add
  :data:`INTEGRAL`, which turns an integral float into ``int`` (so a draft-06
  ``1.0`` is kept as the integer ``1``). ``true`` and ``"5"`` are refused by both.
* **Numbers are exact.** A JSON number becomes a :class:`~decimal.Decimal` made
  from its shortest decimal text (:data:`TO_DECIMAL`), so ``multipleOf: 0.1``
  is checked exactly (22.2 passes, 0.25 fails) and money never passes through
  binary floating point arithmetic. :data:`DECIMAL_OUT` writes it back as the
  same JSON number: an integer stays an integer, a fraction a float.
* ``format: uri`` (OCPP 1.6) is an RFC 3986 URI (:data:`Uri`).
* Two kinds of model keep JSON ``null`` values that ``exclude_none`` would
  drop: :class:`OpenModel` (``CustomDataType``, which admits any extra
  property) and :class:`NullKeepingModel` (2.x ``DataTransfer.data``, which
  admits any JSON value, ``null`` included).
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from ocpkit._model import OcppModel

__all__ = [
    "DECIMAL_OUT",
    "INTEGRAL",
    "NOT_NULL",
    "TO_DECIMAL",
    "MultipleOf",
    "NullKeepingModel",
    "OpenModel",
    "Uri",
    "is_uri",
]


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("null is not allowed; leave the property out instead")
    return value


def _integral(value: Any) -> Any:
    # Draft-06 §3.2: "integer" is any number with a zero fractional part.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("a number is required")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a number must be finite")
        # repr() is the shortest text that reads back as the same float: 22.2, not 22.199999...
        return Decimal(repr(value))
    if not value.is_finite():
        raise ValueError("a number must be finite")
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or not -_MAX_EXPONENT <= exponent <= _MAX_EXPONENT:
        # JSON floats stay far inside this range; it keeps exact arithmetic on a Decimal cheap.
        raise ValueError("a number's exponent is out of range")
    return value


_MAX_EXPONENT = 1000


def is_multiple_of(value: Decimal, divisor: Decimal) -> bool:
    """Exact ``multipleOf`` test, free of the context precision that ``Decimal.__mod__`` needs."""
    _, v_digits, v_exp = value.as_tuple()
    _, d_digits, d_exp = divisor.as_tuple()
    assert isinstance(v_exp, int) and isinstance(d_exp, int)
    v_int = int("".join(map(str, v_digits)) or "0")
    d_int = int("".join(map(str, d_digits)) or "0")
    if v_exp >= d_exp:
        return bool((v_int * 10 ** (v_exp - d_exp)) % d_int == 0)
    return bool(v_int % (d_int * 10 ** (d_exp - v_exp)) == 0)


@dataclass(frozen=True, slots=True)
class MultipleOf:
    """``multipleOf`` checked exactly on a ``Decimal`` (OCPP 1.6 limits: ``multipleOf: 0.1``)."""

    divisor: Decimal

    def _check(self, value: Decimal) -> Decimal:
        if not is_multiple_of(value, self.divisor):
            raise ValueError(f"must be a multiple of {self.divisor}")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Run the exact check after the number has become a ``Decimal``."""
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Add the ``multipleOf`` keyword to the number's JSON Schema."""
        result = handler(schema)
        result["multipleOf"] = _decimal_out(self.divisor)
        return result


def _decimal_out(value: Decimal) -> int | float:
    if not isinstance(value, Decimal):
        return value  # a value a lenient model kept as it was sent
    # An exponent of 0 means the number was written without a fraction (from an int or Decimal("5")).
    if value.as_tuple().exponent == 0:
        return int(value)
    return float(value)


NOT_NULL = BeforeValidator(_not_null)
"""Refuses an explicit ``None``/``null`` for an optional property."""

INTEGRAL = BeforeValidator(_integral)
"""Draft-06 integers: accept an integral float such as ``1.0`` as ``1``."""

TO_DECIMAL = BeforeValidator(_to_decimal)
"""JSON numbers (int or float, never bool or str) as exact ``Decimal``."""

# A lambda has no return annotation, so pydantic infers the written type from each value: a value that a
# lenient model kept as sent dumps without a warning, and the serialization schema stays the number's own.
DECIMAL_OUT = PlainSerializer(lambda value: _decimal_out(value), when_used="json")
"""Writes a ``Decimal`` back as the JSON number it was read from."""


# RFC 3986 §3 (URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]), ASCII only.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_URI_RE = re.compile(
    rf"""
    (?P<scheme>[A-Za-z][A-Za-z0-9+\-.]*):
    (?:
        //(?P<authority>
            (?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?
            (?P<host>\[[^\]/?#@]*\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)
            (?::[0-9]*)?
        )
        (?:/{_PCHAR}*)*
      | /(?:{_PCHAR}+(?:/{_PCHAR}*)*)?
      | {_PCHAR}+(?:/{_PCHAR}*)*
      |
    )
    (?:\?(?:{_PCHAR}|[/?])*)?
    (?:\#(?:{_PCHAR}|[/?])*)?
    """,
    re.VERBOSE | re.ASCII,
)
_IPVFUTURE_RE = re.compile(rf"v[0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+", re.ASCII)


def is_uri(text: str) -> bool:
    """Tell whether *text* is an RFC 3986 URI (a scheme is required)."""
    m = _URI_RE.fullmatch(text)
    if m is None:
        return False
    host = m.group("host")
    if host and host.startswith("["):
        literal = host[1:-1]
        if _IPVFUTURE_RE.fullmatch(literal):
            return True
        # RFC 3986 §3.2.2 IPv6address has no zone identifier; ipaddress would accept "%zone".
        if "%" in literal:
            return False
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return False
    return True


def _check_uri(value: str) -> str:
    if not is_uri(value):
        raise ValueError("not an RFC 3986 URI")
    return value


Uri = Annotated[
    str,
    Field(strict=True),
    AfterValidator(_check_uri),
    WithJsonSchema({"type": "string", "format": "uri"}),
]
"""RFC 3986 URI string (JSON Schema ``format: uri``)."""


def _restore_nulls(data: Any, nulls: dict[str, str], info: SerializationInfo, fields_set: set[str]) -> Any:
    if not isinstance(data, dict) or not info.exclude_none:
        return data
    by_alias = info.by_alias is not False
    for attr, alias in nulls.items():
        if attr in fields_set:
            data.setdefault(alias if by_alias else attr, None)
    return data


class OpenModel(OcppModel):
    """An object that admits extra properties of any JSON value (``CustomDataType``)."""

    __ocpkit_base__: ClassVar[bool] = True
    model_config = ConfigDict(extra="allow")

    @model_serializer(mode="wrap")
    def _keep_null_extras(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        extra = self.__pydantic_extra__ or {}
        nulls = {key: key for key, value in extra.items() if value is None}
        return _restore_nulls(data, nulls, info, set(nulls))


class NullKeepingModel(OcppModel):
    """A model with properties of any JSON type, where an explicit ``null`` must survive a dump."""

    __ocpkit_base__: ClassVar[bool] = True
    any_json_fields: ClassVar[dict[str, str]] = {}
    """Attribute name -> wire name of the properties that admit ``null``."""

    @model_serializer(mode="wrap")
    def _keep_explicit_nulls(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        nulls = {attr: alias for attr, alias in self.any_json_fields.items() if getattr(self, attr) is None}
        return _restore_nulls(data, nulls, info, self.model_fields_set)
