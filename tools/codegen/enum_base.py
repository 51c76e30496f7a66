"""The base class every generated ``enums`` module defines for its enumerations.

Lenient validation keeps a value an enum does not list as the text that was sent, in a field
typed with the enum; pydantic's enum serializer would warn about it on every dump. The base's
serializer writes a member as its value and any other value as it is, and leaves validation and
the JSON Schema as pydantic builds them. It imports nothing from pydantic, so an ``enums``
module stays cheap to import; each generated package carries its own copy, written from here.
"""

IMPORTS = "from enum import Enum, StrEnum\nfrom typing import Any"
"""The imports the base needs."""

BASE = '''\
def _wire_value(value: Any, info: Any) -> Any:
    # JSON dumps write the wire string; Python dumps keep the member (or the value kept as sent).
    if isinstance(value, Enum) and info.mode_is_json():
        return value.value
    return value


class _WireEnum(StrEnum):
    """A protocol enumeration: members are the wire strings; dumps never warn about kept values."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's own enum schema, with a serializer that accepts values kept by lenient validation."""
        schema = handler(source)
        # pydantic_core.core_schema.plain_serializer_function_ser_schema(_wire_value, info_arg=True),
        # written out so that this module does not import pydantic.
        schema["serialization"] = {"type": "function-plain", "function": _wire_value, "info_arg": True}
        return schema
'''
"""The source of ``_wire_value`` and ``_WireEnum``."""
