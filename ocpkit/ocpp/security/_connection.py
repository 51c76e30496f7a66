"""Versions, WebSocket subprotocols and the charging-station identity in the connection URL (private).

Theory of operation: the opening handshake names the OCPP version in ``Sec-WebSocket-Protocol``
and the station in the last path segment of the URL. These functions spell and read both, and
list every rule an identity breaks per version; see :mod:`ocpkit.ocpp.security`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Literal
from urllib.parse import quote, unquote, urlsplit

from ocpkit.errors import CredentialsInvalid, UnsupportedError, Violation
from ocpkit.ocpp import VERSIONS, Version

__all__ = [
    "IDENTIFIER_CHARACTERS",
    "IDENTITY_MAX_LENGTH",
    "SUBPROTOCOLS",
    "check_identity",
    "connection_url",
    "identity_from_path",
    "identity_violations",
    "negotiate_subprotocol",
    "ocpp_version",
    "offer_subprotocols",
    "parse_subprotocols",
    "subprotocol",
    "version_of_subprotocol",
]

# ---------------------------------------------------------------------------------------------
# Versions and subprotocols
# ---------------------------------------------------------------------------------------------

# OCPP-J 1.6 §3.1.2, 2.0.1 Part 4 §3.1.2, 2.1 Part 4 §3.1.2: the IANA-registered subprotocol names.
SUBPROTOCOLS: Final[Mapping[str, str]] = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}
_BY_SUBPROTOCOL: Final = {name: version for version, name in SUBPROTOCOLS.items()}
_ALIASES: Final[Mapping[str, Version]] = {
    **{v: v for v in VERSIONS},
    "16": "1.6",
    "v16": "1.6",
    "1.6j": "1.6",
    "ocpp1.6": "1.6",
    "ocpp1.6j": "1.6",
    "201": "2.0.1",
    "v201": "2.0.1",
    "2.0.1j": "2.0.1",
    "ocpp2.0.1": "2.0.1",
    "21": "2.1",
    "v21": "2.1",
    "2.1j": "2.1",
    "ocpp2.1": "2.1",
}


def ocpp_version(name: str) -> Version:
    """Return the canonical version (``"1.6"``, ``"2.0.1"``, ``"2.1"``) for any common spelling.

    Accepts the subprotocol names (``ocpp2.0.1``), package names (``v201``), bare digits
    (``201``), a ``J`` suffix and an ``OCPP`` prefix, in any case. Raises
    :class:`~ocpkit.errors.UnsupportedError` for anything else (OCPP 1.2, 1.5 and 2.0 included:
    ocpkit has no models for them).
    """
    if isinstance(name, str):
        key = name.strip().lower().replace(" ", "")
        if key.startswith("ocpp") and key not in _ALIASES:
            key = key[4:]
        found = _ALIASES.get(key)
        if found is not None:
            return found
    raise UnsupportedError(f"unknown OCPP version {name!r}; expected one of {', '.join(VERSIONS)}")


def subprotocol(version: str) -> str:
    """Return the WebSocket subprotocol name of a version (``"2.0.1"`` -> ``"ocpp2.0.1"``)."""
    return SUBPROTOCOLS[ocpp_version(version)]


def version_of_subprotocol(name: str) -> Version:
    """Return the version a subprotocol name stands for; :class:`UnsupportedError` if none.

    Subprotocol tokens are compared exactly (RFC 6455 §4.1: case-sensitive), unlike
    :func:`ocpp_version`.
    """
    found = _BY_SUBPROTOCOL.get(name) if isinstance(name, str) else None
    if found is None:
        raise UnsupportedError(f"{name!r} is not an OCPP subprotocol ocpkit supports")
    return found  # type: ignore[return-value]


def offer_subprotocols(versions: Iterable[str]) -> list[str]:
    """Return the subprotocol names a client offers, in its order of preference, without repeats.

    2.1 Part 4 §3.1.2: the client lists the versions it supports in order of preference.
    """
    out: list[str] = []
    for version in versions:
        name = subprotocol(version)
        if name not in out:
            out.append(name)
    if not out:
        raise UnsupportedError("offer at least one OCPP version")
    return out


def parse_subprotocols(header: str | Iterable[str]) -> list[str]:
    """Split ``Sec-WebSocket-Protocol`` values (``"ocpp2.0.1, ocpp1.6"``) into tokens, in order.

    Several header lines may be given as an iterable; empty items are dropped.
    """
    parts = [header] if isinstance(header, str) else list(header)
    return [token.strip() for part in parts for token in str(part).split(",") if token.strip()]


def negotiate_subprotocol(
    offered: str | Iterable[str],
    supported: Iterable[str],
    *,
    prefer: Literal["client", "server"] = "client",
) -> str | None:
    """Pick the subprotocol a server answers with, or ``None`` when no OCPP version is shared.

    *offered* is the client's header (or its tokens), *supported* the versions the server speaks
    (any spelling :func:`ocpp_version` accepts). With ``prefer="client"`` the client's first
    shared choice wins (2.1 Part 4 §3.1.2 orders the client's list by preference); with
    ``"server"`` the first of *supported* the client offered. Unknown tokens are ignored. On
    ``None`` the server completes the handshake without the header and closes (OCPP-J 1.6 §3.2,
    2.x Part 4 §3.2/§3.3).
    """
    server = offer_subprotocols(supported)
    client = [t for t in parse_subprotocols(offered) if t in _BY_SUBPROTOCOL]
    if prefer == "server":
        return next((name for name in server if name in client), None)
    if prefer != "client":
        raise UnsupportedError(f"prefer must be 'client' or 'server', not {prefer!r}")
    return next((name for name in client if name in server), None)


# ---------------------------------------------------------------------------------------------
# Charging-station identity
# ---------------------------------------------------------------------------------------------

# 2.0.1 Part 4 §3.1.1 and 2.1 Part 4 §3.1.1: at most 48 characters (the eMI3 / ISO 15118 EVSE ID length).
IDENTITY_MAX_LENGTH: Final = 48
# 2.0.1 / 2.1 Part 2 §2.1.4, identifierString: letters, digits and * - _ = : + | @ .
IDENTIFIER_CHARACTERS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-_=:+|@."
)
# Percent-encode everything but unreserved characters and the path-safe identifierString symbols.
_PATH_SAFE: Final = "*=@:"


def identity_violations(identity: str, version: str, *, basic_auth: bool = True) -> tuple[Violation, ...]:
    """Return every rule a charging-station identity breaks (empty when it is valid).

    * all versions: not empty; no ``:`` when it is a Basic-auth user name (RFC 7617 §2; 1.6
      white paper A00.FR.204, 2.0.1/2.1 Part 2 A00.FR.204);
    * 2.0.1 and 2.1: an identifierString (Part 2 §2.1.4) of at most 48 characters (Part 4
      §3.1.1); 2.1 refuses ``:`` even without Basic auth (2.1 Part 4 §3.1.1 "SHALL NOT").

    OCPP 1.6 puts no other limit on the identity (OCPP-J 1.6 §3.1.1: any string, percent-encoded
    in the URL).
    """
    v = ocpp_version(version)
    if not isinstance(identity, str):
        return (Violation("", "identity.type", "the identity must be a string"),)
    out: list[Violation] = []
    if not identity:
        out.append(Violation("", "identity.empty", "the identity must not be empty"))
    if ":" in identity and (basic_auth or v == "2.1"):
        why = "it is the Basic-auth user name" if basic_auth else "OCPP 2.1 Part 4 §3.1.1 forbids it"
        out.append(Violation("", "identity.colon", f"the identity must not contain ':' ({why})"))
    if v != "1.6":
        if len(identity) > IDENTITY_MAX_LENGTH:
            out.append(
                Violation(
                    "",
                    "identity.length",
                    f"the identity has {len(identity)} characters; OCPP {v} allows {IDENTITY_MAX_LENGTH}",
                )
            )
        bad = sorted({ch for ch in identity if ch not in IDENTIFIER_CHARACTERS})
        if bad:
            shown = ", ".join(repr(ch) for ch in bad[:10])
            out.append(Violation("", "identity.characters", f"not allowed in an identifierString: {shown}"))
    return tuple(out)


def check_identity(identity: str, version: str, *, basic_auth: bool = True) -> str:
    """Return *identity* when it is valid for *version*; raise :class:`CredentialsInvalid` if not."""
    violations = identity_violations(identity, version, basic_auth=basic_auth)
    if violations:
        raise CredentialsInvalid(f"invalid charging-station identity {identity!r:.80}", violations)
    return identity


def connection_url(endpoint_url: str, identity: str) -> str:
    """Return the connection URL: the CSMS endpoint URL, ``/``, then the percent-encoded identity.

    OCPP-J 1.6 §3.1.1 and 2.x Part 4 §3.1.1: ``ws://csms.example.com/ocpp`` and ``RDAM|123``
    give ``ws://csms.example.com/ocpp/RDAM%7C123``. A trailing ``/`` on the endpoint URL is not
    doubled. Raises :class:`CredentialsInvalid` for an empty identity or a URL that is not
    ``ws``/``wss``.
    """
    if not isinstance(identity, str) or not identity:
        raise CredentialsInvalid("the identity must be a non-empty string")
    scheme = urlsplit(endpoint_url).scheme if isinstance(endpoint_url, str) else ""
    if scheme not in ("ws", "wss"):
        raise CredentialsInvalid(
            f"an OCPP-J endpoint URL has the ws or wss scheme, not {scheme!r}",
            [Violation("", "url.scheme", "expected ws:// or wss://")],
        )
    base = endpoint_url if endpoint_url.endswith("/") else endpoint_url + "/"
    return base + quote(identity, safe=_PATH_SAFE)


def identity_from_path(path: str, *, base: str | None = None) -> str:
    """Return the identity from a request path (``/ocpp/RDAM%20123?x=1`` -> ``RDAM 123``).

    The identity is the last path segment, percent-decoded as UTF-8 (``+`` stays ``+``). With
    *base* (the endpoint path, e.g. ``/ocpp``) the path must be exactly *base*, ``/`` and one
    segment. Raises :class:`CredentialsInvalid` for an empty segment, bytes that are not UTF-8, or
    a path outside *base*; the caller then answers HTTP 404 (OCPP-J 1.6 §3.2, 2.x Part 4 §3.2).
    """
    if not isinstance(path, str):
        raise CredentialsInvalid("the request path must be a string")
    clean = path.split("?", 1)[0].split("#", 1)[0]
    head, _, segment = clean.rpartition("/")
    if base is not None and head.rstrip("/") != base.rstrip("/"):
        raise CredentialsInvalid(
            f"path {path!r:.80} is not {base!r}/<identity>",
            [Violation("", "identity.path", "the path does not name one identity below the endpoint")],
        )
    try:
        identity = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise CredentialsInvalid(
            "the identity in the path is not UTF-8",
            [Violation("", "identity.encoding", "percent-encoded bytes are not UTF-8")],
        ) from None
    if not identity:
        raise CredentialsInvalid(
            "the request path names no identity", [Violation("", "identity.empty", "empty last segment")]
        )
    return identity
