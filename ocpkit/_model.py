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
  not pay for hundreds of validators until one is used. The flag is cleared
  on each concrete class as soon as the class exists (:func:`_built_by_adapters`):
  it has done its work (the class was created without building), and pydantic
  would otherwise defer every ``TypeAdapter`` over the class too. FastAPI
  wraps a request body's model in such an adapter together with a ``Field``
  alias and silences pydantic's warning about that alias only while it builds
  the adapter; a deferred adapter is built later, at the first request, and
  the warning escapes. Only the bases (this module's and those of
  ``ocpkit.ocpp._types``) keep the flag, so classes made from them are deferred.

:data:`DateTime` is the RFC 3339 date-time used by OCPP's ``format:
date-time``. pydantic's own ``datetime`` is lax (it takes Unix times, ``+0200``
offsets and a space instead of ``T``); this type takes exactly what the
JSON Schema format means, keeps the text it was given so that a round trip
reproduces the input byte for byte, and yields a timezone-aware ``datetime``.
Leap seconds (``:60``), which RFC 3339 allows, are accepted and represented as
the last microsecond of second 59, because ``datetime`` has no second 60.

Lenient modes of both protocols build their best-effort models with
:func:`construct_leniently`: each field is validated with its full type (its
constraints included), and where a value still cannot be typed the object is
constructed without validation, keeping the value as it was sent.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ocpkit.ocpp._rfc3339 import Rfc3339DateTime, parse_rfc3339

__all__ = [
    "OCPI_CONFIG",
    "OCPP_CONFIG",
    "DateTime",
    "OcpiModel",
    "OcppModel",
    "Rfc3339DateTime",
    "construct_leniently",
    "parse_rfc3339",
]


def _built_by_adapters(cls: type[BaseModel]) -> None:
    """Clear ``defer_build`` on a concrete class, once created (see the module docstring)."""
    if not cls.__dict__.get("__ocpkit_base__", False):
        cls.model_config["defer_build"] = False


class OcppModel(BaseModel):
    """Base of every OCPP message and data type."""

    __ocpkit_base__: ClassVar[bool] = True

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

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Let adapters over the new class build it (see :func:`_built_by_adapters`)."""
        super().__pydantic_init_subclass__(**kwargs)
        _built_by_adapters(cls)


class OcpiModel(BaseModel):
    """Base of every OCPI object, class and envelope.

    Unknown properties are refused unless the validation context says
    ``{"ocpi_lenient": True}``; in lenient mode they are kept in
    ``model_extra`` (and dumped again) so nothing is silently dropped.
    """

    __ocpkit_base__: ClassVar[bool] = True

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

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Let adapters over the new class build it (see :func:`_built_by_adapters`)."""
        super().__pydantic_init_subclass__(**kwargs)
        _built_by_adapters(cls)

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
    """Format an aware ``datetime`` as RFC 3339, reusing the original text when known.

    Anything else (a value a lenient model kept as it was sent) is written as it is.
    """
    if not isinstance(value, datetime):
        return value
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


# --------------------------------------------------------------- lenient construction


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model class inside an annotation, and whether it is a list of them."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if origin is list:
        inner, _ = _model_in(typing.get_args(annotation)[0])
        return inner, inner is not None
    if origin is Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                found, many = _model_in(arg)
                if found is not None:
                    return found, many
    return None, False


_FIELD_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any]] = {}


def _field_adapter(cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator for one field with its whole type: its annotation and its constraints."""
    key = (cls, name)
    found = _FIELD_ADAPTERS.get(key)
    if found is None:
        info = cls.model_fields[name]
        annotation: Any = info.annotation
        if info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        found = _FIELD_ADAPTERS[key] = TypeAdapter(annotation)
    return found


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def construct_leniently(
    cls: type[BaseModel],
    data: dict[str, Any],
    path: str,
    notes: list[str],
    context: dict[str, Any] | None = None,
) -> BaseModel:
    """Validate *data* as *cls*; where the model refuses it, build the object field by field.

    Nested objects are built the same way. A field whose value still cannot be
    typed (an unknown enum value, a string too long) keeps the value as it was
    sent, and one line naming it (a JSON pointer under *path*) is added to
    *notes*; a missing required field stays absent. Properties the model does
    not know are passed on to it (kept when the model admits extras).
    """
    try:
        return cls.model_validate(data, context=context)
    except ValidationError:
        pass
    fields = cls.model_fields
    names = {info.alias or name: name for name, info in fields.items()}
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = names.get(key, key if key in fields else None)
        if name is None:
            values[key] = value
            continue
        inner, many = _model_in(fields[name].annotation)
        where = f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"
        if inner is not None and not many and isinstance(value, dict):
            values[name] = construct_leniently(inner, value, where, notes, context)
        elif inner is not None and many and isinstance(value, list):
            values[name] = [
                construct_leniently(inner, v, f"{where}/{i}", notes, context) if isinstance(v, dict) else v
                for i, v in enumerate(value)
            ]
        else:
            try:
                values[name] = _field_adapter(cls, name).validate_python(value, context=context)
            except (ValidationError, TypeError, ValueError):
                values[name] = value
                # "without validation" marks a value kept, not repaired (the command line counts on it).
                notes.append(f"{where}: {_shown(value)} kept as sent, without validation")
    return cls.model_construct(**values)
