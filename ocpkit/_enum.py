"""The base of every generated protocol enumeration (OCPP and OCPI).

Theory of operation: generated enums are plain :class:`~enum.StrEnum` classes
whose values are the exact wire strings; this base adds one thing, for
pydantic. Lenient validation keeps a value the enum does not list as the text
that was sent (an unknown OCPP ``reason``, an unknown OCPI ``TariffType``), in
a field typed with the enum. pydantic's enum serializer warns about such a
value on every dump; the serializer installed here writes a member as its
value and any other value as it is, without a warning, and leaves validation
and the JSON Schema (both modes) exactly as pydantic builds them. The module
imports nothing from pydantic, so importing an ``enums`` module stays cheap.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Any

__all__ = ["WireEnum"]


def _wire_value(value: Any, info: Any) -> Any:
    # JSON dumps write the wire string; Python dumps keep the member (or the value kept as sent).
    if isinstance(value, Enum) and info.mode_is_json():
        return value.value
    return value


class WireEnum(StrEnum):
    """A protocol enumeration: members are the wire strings; dumps never warn about kept values."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's own enum schema, with a serializer that accepts values kept by lenient validation."""
        schema = handler(source)
        # pydantic_core.core_schema.plain_serializer_function_ser_schema(_wire_value, info_arg=True),
        # written out so that this module does not import pydantic.
        schema["serialization"] = {"type": "function-plain", "function": _wire_value, "info_arg": True}
        return schema
