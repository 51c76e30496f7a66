"""The OCPI response envelope, status codes, pagination, and PATCH application.

Theory of operation: every OCPI response body is the same envelope
(``data``, ``status_code``, ``status_message``, ``timestamp``; OCPI
transport_and_format "Response format") around a module object, a list of
them, or nothing. :class:`Response` is a pydantic generic, so
``Response[v221.Location]`` and ``Response[list[v221.Tariff]]`` validate and
document the body of one endpoint. Status codes are grouped by their
thousands digit (OCPI status_codes); 2.1.1 has no 4xxx hub class.

Pagination lives in HTTP headers, not in the body: :func:`pagination` reads
them from a header mapping the caller supplies (ocpkit does no I/O).

PATCH (OCPI transport_and_format "PATCH"): a partial names only the fields to
change; :func:`apply_patch` returns a new object with those fields replaced.
Lists and nested objects in a partial replace the old value whole, except
Session ``charging_periods`` in 2.2.1 and later, which the Sessions module
says are appended (an empty or absent list changes nothing). A field sent as
``null`` reverts to its default, which for every optional OCPI field is
"absent" (OCPI 2.2.1 transport_and_format, PUT: omitted optional fields revert
to their default or NULL).
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ocpkit._model import OcpiModel
from ocpkit.errors import ObjectInvalid, UnsupportedError
from ocpkit.ocpi._types import DateTimeRule, Int, Str
from ocpkit.ocpi._violations import violation, violations_of

__all__ = [
    "HEADER_LIMIT",
    "HEADER_LINK",
    "HEADER_TOTAL_COUNT",
    "ROUTING_HEADERS",
    "STATUS_CODES",
    "Pagination",
    "Response",
    "StatusClass",
    "apply_patch",
    "pagination",
    "partial",
    "status_class",
]

T = TypeVar("T")
M = TypeVar("M", bound=OcpiModel)

HEADER_LINK = "Link"
"""Pagination: link to the next page (RFC 8288 ``<url>; rel="next"``)."""
HEADER_TOTAL_COUNT = "X-Total-Count"
"""Pagination: total number of objects matching the query."""
HEADER_LIMIT = "X-Limit"
"""Pagination: the most objects the server returns per page."""
ROUTING_HEADERS = (
    "OCPI-to-party-id",
    "OCPI-to-country-code",
    "OCPI-from-party-id",
    "OCPI-from-country-code",
)
"""Message routing headers (OCPI 2.2.1+ transport_and_format)."""


class Response(OcpiModel, Generic[T]):
    """The OCPI response envelope around ``data`` of type ``T``."""

    data: T | None = None
    status_code: Annotated[int, Int(ge=1000, le=4999)]
    status_message: Annotated[str, Str()] | None = None
    timestamp: Annotated[datetime, DateTimeRule()]


class StatusClass(enum.Enum):
    """The class of an OCPI status code (its thousands digit)."""

    SUCCESS = 1
    CLIENT_ERROR = 2
    SERVER_ERROR = 3
    HUB_ERROR = 4


_COMMON = {
    1000: "Generic success code",
    2000: "Generic client error",
    2001: "Invalid or missing parameters",
    2002: "Not enough information",
    2003: "Unknown Location",
    3000: "Generic server error",
    3001: "Unable to use the client's API",
    3002: "Unsupported version",
    3003: "No matching endpoints or expected endpoints missing",
}
_V22 = {
    **_COMMON,
    2004: "Unknown Token",
    4000: "Generic hub error",
    4001: "Unknown receiver",
    4002: "Timeout on forwarded request",
    4003: "Connection problem",
}
STATUS_CODES: Mapping[str, Mapping[int, str]] = {
    "2.1.1": dict(sorted(_COMMON.items())),
    "2.2.1": dict(sorted(_V22.items())),
    "2.3.0": dict(sorted(_V22.items())),
}
"""Codes the spec names, per version (short labels in ocpkit's words)."""


def status_class(code: int, version: str = "2.2.1") -> StatusClass | None:
    """Return the class of *code* in *version*, or None when the code is outside every class."""
    if version not in STATUS_CODES:
        raise UnsupportedError(f"unknown OCPI version {version!r}")
    if not 1000 <= code <= 4999:
        return None
    cls = StatusClass(code // 1000)
    if cls is StatusClass.HUB_ERROR and version == "2.1.1":
        # OCPI 2.1.1 status_codes: only 1xxx, 2xxx and 3xxx exist.
        return None
    return cls


@dataclass(frozen=True, slots=True)
class Pagination:
    """Paging information of one GET-list response."""

    total_count: int | None
    limit: int | None
    next_url: str | None


def _next_link(value: str) -> str | None:
    for part in value.split(","):
        url, _, params = part.partition(";")
        url = url.strip()
        if url.startswith("<") and url.endswith(">") and 'rel="next"' in params.replace(" ", ""):
            return url[1:-1]
    return None


def pagination(headers: Mapping[str, str]) -> Pagination:
    """Read the pagination headers (case-insensitive names) of a GET-list response."""
    lower = {k.lower(): v for k, v in headers.items()}

    def as_int(name: str) -> int | None:
        raw = lower.get(name.lower())
        if raw is None:
            return None
        raw = raw.strip()
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise ObjectInvalid(
                f"{name} is not a non-negative integer",
                [violation(f"/{name}", "type", "must be a non-negative integer")],
            )
        return int(raw)

    link = lower.get(HEADER_LINK.lower())
    return Pagination(as_int(HEADER_TOTAL_COUNT), as_int(HEADER_LIMIT), _next_link(link) if link else None)


def partial(model: type[BaseModel]) -> type[OcpiModel]:
    """The PATCH partial class of an OCPI object class (``partial(v221.Location) is v221.LocationPartial``).

    Raises :class:`~ocpkit.errors.UnsupportedError` for a class that does not accept PATCH.
    """
    parts = model.__module__.split(".")
    spec = getattr(model, "__ocpi_name__", None)
    if len(parts) < 3 or parts[:2] != ["ocpkit", "ocpi"] or spec is None:
        raise UnsupportedError(f"{model.__name__} is not an OCPI object class")
    package = importlib.import_module(".".join(parts[:3]))
    found: type[OcpiModel] | None = package.PARTIALS.get(spec)
    if found is None:
        raise UnsupportedError(f"OCPI {package.VERSION} {spec} does not accept PATCH")
    return found


def apply_patch(obj: M, patch: BaseModel) -> M:
    """Return a new object: *obj* with the fields set in *patch* replaced (see module docstring).

    Raises :class:`ocpkit.errors.ObjectInvalid` when the result breaks the
    object's rules (for example a ``null`` sent for a required field).
    """
    if getattr(type(patch), "__ocpi_name__", None) != getattr(type(obj), "__ocpi_name__", None):
        raise UnsupportedError(f"{type(patch).__name__} does not patch {type(obj).__name__}")
    base = obj.model_dump(mode="python", by_alias=True, exclude_unset=True)
    changes = patch.model_dump(mode="python", by_alias=True, exclude_unset=True)
    version = type(obj).__module__.split(".")[2] if type(obj).__module__.startswith("ocpkit.ocpi.v") else ""
    for key, value in changes.items():
        if (
            key == "charging_periods"
            and getattr(type(obj), "__ocpi_name__", "") == "Session"
            and version in ("v221", "v230")
        ):
            # OCPI 2.2.1 mod_sessions PATCH: charging periods are added, never replaced.
            if value:
                base[key] = [*(base.get(key) or []), *value]
            continue
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    try:
        # Unknown properties kept by a lenient parse stay; everything else is checked again.
        return type(obj).model_validate(base, context={"ocpi_unknown_checked": True})
    except ValidationError as exc:
        raise ObjectInvalid(
            f"patched {type(obj).__name__} is invalid", violations_of(exc), name=type(obj).__name__
        ) from None
