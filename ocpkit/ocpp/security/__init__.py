"""Security-profile rules of OCPP-J as pure functions: subprotocols, identity, Basic auth, keys.

Theory of operation. A charging station opens a WebSocket to its CSMS with three things the
OCPP-J texts constrain: the connection URL, whose last path segment is the station's identity;
the ``Sec-WebSocket-Protocol`` list of OCPP versions it speaks; and, in security profiles 1 and
2, an HTTP Basic ``Authorization`` header whose user name is that identity. This module turns
each rule into a function that takes strings or bytes and returns values or
:class:`~ocpkit.errors.Violation` lists (``*_violations``), raising
:class:`~ocpkit.errors.CredentialsInvalid` only where a value is asked for (``check_*``,
``parse_*``). Nothing here touches a socket, a clock or randomness: generating a password is the
caller's job (``secrets.token_urlsafe``), and so is comparing times for certificates (``now``).

The password is where implementations disagree, so the two encodings are kept apart by name:

* **OCPP 1.6** (OCPP-J 1.6 §6.2.2, errata §3.12; 1.6 security white paper ed. 3 A00.FR.205, §7.2):
  the password is a binary key of 16 to 20 bytes (exactly 20 in OCPP-J 1.6 as first published).
  The ``AuthorizationKey`` configuration key, as sent in ChangeConfiguration, holds its
  *hexadecimal text* (32 to 40 hex digits); the Basic header carries the *raw bytes* (the
  OCPP-J 1.6 example encodes ``AL1000:`` followed by the bytes 00 01 02 ...).
  :func:`authorization_key_bytes` turns the configured hex into the header password.
* **OCPP 2.0.1 and 2.1** (Part 2 A00.FR.205 / A00.FR.304): ``BasicAuthPassword`` is the password
  text itself, 16 characters up to the variable's ``maxLimit`` (40 to 64), sent as UTF-8; the
  same text travels in SetVariables. No hex, no base64 of its own.

:func:`header_password` applies the right one for a version; :func:`verify_basic_auth` checks a
received header against the configured value and, on request, also accepts the common 1.6
mistake of sending the hex text itself, saying which form matched.

The CSR and certificate checks (:func:`csr_violations`, :func:`certificate_chain_violations`)
need the ``cryptography`` package (``pip install ocpkit[crypto]``); everything else is standard
library only.
"""

from __future__ import annotations

from ocpkit.ocpp.security._certificates import (
    MIN_EC_KEY_BITS,
    MIN_RSA_KEY_BITS,
    certificate_chain_violations,
    csr_violations,
)
from ocpkit.ocpp.security._connection import (
    IDENTIFIER_CHARACTERS,
    IDENTITY_MAX_LENGTH,
    SUBPROTOCOLS,
    check_identity,
    connection_url,
    identity_from_path,
    identity_violations,
    negotiate_subprotocol,
    ocpp_version,
    offer_subprotocols,
    parse_subprotocols,
    subprotocol,
    version_of_subprotocol,
)
from ocpkit.ocpp.security._passwords import (
    AUTHORIZATION_KEY_BYTES,
    BASIC_AUTH_PASSWORD_LENGTH,
    BasicAuthCheck,
    BasicCredentials,
    authorization_key,
    authorization_key_bytes,
    authorization_key_violations,
    basic_auth_header,
    basic_auth_password_violations,
    connection_profile_violations,
    header_password,
    parse_basic_auth,
    profile_change_violations,
    verify_basic_auth,
)

__all__ = [
    "AUTHORIZATION_KEY_BYTES",
    "BASIC_AUTH_PASSWORD_LENGTH",
    "IDENTIFIER_CHARACTERS",
    "IDENTITY_MAX_LENGTH",
    "MIN_EC_KEY_BITS",
    "MIN_RSA_KEY_BITS",
    "SUBPROTOCOLS",
    "BasicAuthCheck",
    "BasicCredentials",
    "authorization_key",
    "authorization_key_bytes",
    "authorization_key_violations",
    "basic_auth_header",
    "basic_auth_password_violations",
    "certificate_chain_violations",
    "check_identity",
    "connection_profile_violations",
    "connection_url",
    "csr_violations",
    "header_password",
    "identity_from_path",
    "identity_violations",
    "negotiate_subprotocol",
    "ocpp_version",
    "offer_subprotocols",
    "parse_basic_auth",
    "parse_subprotocols",
    "profile_change_violations",
    "subprotocol",
    "verify_basic_auth",
    "version_of_subprotocol",
]
