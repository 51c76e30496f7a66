"""Base models and shared field types: the whole pydantic policy in one place.

Theory of operation: every generated or hand-written protocol model derives
from :class:`OcppModel` or :class:`OcpiModel`. The configuration below is the
only place where pydantic behaviour is chosen, so that the rules hold for all
versions at once:

* attributes are snake_case, each field carries its exact wire name as alias;
  both names are accepted on input and dumps use the wire name;
* unknown properties are refused (the official OCPP schemas close every object
  except ``CustomDataType``, which opts out in its own class); OCPI objects are
  refused the same way by default, but a lenient OCPI parse keeps and reports
  them instead (OCPI itself states no rule), see :class:`OcpiModel`;
* models are built lazily (``defer_build``) so that importing a version does
  not pay for hundreds of validators until one is used.

:data:`DateTime` is the RFC 3339 date-time used by OCPP's ``format:
date-time``. pydantic's own ``datetime`` is lax (it takes Unix times, ``+0200``
offsets and a space instead of ``T``); this type takes exactly what the
JSON Schema format means, keeps the text it was given so that a round trip
reproduces the input byte for byte, and yields a timezone-aware ``datetime``.
Leap seconds (``:60``), which RFC 3339 allows, are accepted and represented as
the last microsecond of second 59, because ``datetime`` has no second 60.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ocpkit._rfc3339 import Rfc3339DateTime, parse_rfc3339

__all__ = [
    "OCPI_CONFIG",
    "OCPP_CONFIG",
    "DateTime",
    "OcpiModel",
    "OcppModel",
    "Rfc3339DateTime",
    "parse_rfc3339",
]


class OcppModel(BaseModel):
    """Base of every OCPP message and data type."""

    # Written out in the class body (not via a shared constant) so that the
    # pydantic mypy plugin sees validate_by_name and types __init__ by attribute name.
    model_config = ConfigDict(
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        defer_build=True,
        validate_default=False,
        revalidate_instances="never",
        # Enum members are kept (not their values) so users get StrEnum objects back.
        use_enum_values=False,
        ser_json_inf_nan="strings",
    )


class OcpiModel(BaseModel):
    """Base of every OCPI object, class and envelope.

    Unknown properties are refused unless the validation context says
    ``{"ocpi_lenient": True}``; in lenient mode they are kept in
    ``model_extra`` (and dumped again) so nothing is silently dropped.
    """

    model_config = ConfigDict(
        # OCPI says nothing about unknown properties. Objects are kept open at the
        # pydantic level so that lenient parsing can keep and report them; strict
        # validation (the default) refuses them in the validator below, and
        # the exported schemas say additionalProperties: false.
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        defer_build=True,
        use_enum_values=False,
        json_schema_extra={"additionalProperties": False},
    )

    @model_validator(mode="after")
    def _refuse_unknown_properties(self, info: ValidationInfo) -> Self:
        extra = self.__pydantic_extra__
        if extra:
            ctx = info.context
            # ocpkit.ocpi.parse reports unknown properties itself (with their paths) and says so here.
            if not (isinstance(ctx, dict) and (ctx.get("ocpi_lenient") or ctx.get("ocpi_unknown_checked"))):
                raise PydanticCustomError(
                    "additional_properties",
                    "unknown properties: {names}",
                    {"names": sorted(extra)},
                )
        return self


OCPP_CONFIG: ConfigDict = OcppModel.model_config
"""The OCPP model policy (read-only by convention)."""

OCPI_CONFIG: ConfigDict = OcpiModel.model_config
"""The OCPI model policy (read-only by convention)."""


def _validate_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        return parse_rfc3339(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a date-time needs a time zone offset")
        return value
    raise ValueError("a date-time must be a string")


def format_rfc3339(value: datetime) -> str:
    """Format an aware ``datetime`` as RFC 3339, reusing the original text when known."""
    text = getattr(value, "rfc3339_text", None)
    if text is not None:
        return str(text)
    out = value.isoformat()
    return out[:-6] + "Z" if out.endswith("+00:00") else out


DateTime = Annotated[
    datetime,
    PlainValidator(_validate_datetime),
    PlainSerializer(format_rfc3339, return_type=str, when_used="json-unless-none"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""RFC 3339 date-time field type (JSON Schema ``format: date-time``)."""
