"""Basic-auth passwords per version, the Authorization header, and the security-profile rules (private).

Theory of operation: a password has two spellings in OCPP 1.6 (the AuthorizationKey's hex text
in ChangeConfiguration, the raw key bytes in the header) and one in 2.x (the BasicAuthPassword
text, UTF-8 in both places). :func:`header_password` maps a configured value to header bytes,
:func:`verify_basic_auth` checks a header with it; the profile functions encode "one profile at a
time, never downgrade". See :mod:`ocpkit.ocpp.security` for the rules and their sections.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from dataclasses import dataclass
from typing import Final, Literal

from ocpkit.errors import CredentialsInvalid, UnsupportedError, Violation
from ocpkit.ocpp.security._connection import IDENTIFIER_CHARACTERS, ocpp_version

__all__ = [
    "AUTHORIZATION_KEY_BYTES",
    "BASIC_AUTH_PASSWORD_LENGTH",
    "BasicAuthCheck",
    "BasicCredentials",
    "authorization_key",
    "authorization_key_bytes",
    "authorization_key_violations",
    "basic_auth_header",
    "basic_auth_password_violations",
    "connection_profile_violations",
    "header_password",
    "parse_basic_auth",
    "profile_change_violations",
    "verify_basic_auth",
]

# ---------------------------------------------------------------------------------------------
# Passwords: the 1.6 AuthorizationKey and the 2.x BasicAuthPassword
# ---------------------------------------------------------------------------------------------

# 1.6 security white paper ed. 3 A00.FR.205 / §7.2: at least 16 bytes, at most 20.
AUTHORIZATION_KEY_BYTES: Final = (16, 20)
# 2.0.1 / 2.1 Part 2 A00.FR.205: at least 16 characters; at most the variable's maxLimit, itself 40..64.
BASIC_AUTH_PASSWORD_LENGTH: Final = (16, 40, 64)
# 2.0.1 Edition 3 Part 2 §2.1.4, passwordString before errata 2025-01 lifted the restriction.
_PASSWORD_CHARACTERS_201_ED3: Final = IDENTIFIER_CHARACTERS
_HEX: Final = re.compile(r"[0-9A-Fa-f]*")


def authorization_key_violations(
    value: str, *, edition: Literal["security", "original"] = "security"
) -> tuple[Violation, ...]:
    """Return every rule an OCPP 1.6 ``AuthorizationKey`` value breaks (empty when valid).

    *value* is the configuration value as it travels in ChangeConfiguration: hexadecimal text.
    ``edition="security"`` applies the 1.6 security white paper (ed. 3 A00.FR.205, §7.2: 16 to
    20 bytes, i.e. 32 to 40 hex digits); ``"original"`` the first OCPP-J 1.6 text (§6.2.2: a
    20-byte key, exactly 40 hex digits).
    """
    if not isinstance(value, str):
        return (Violation("", "authorization-key.type", "the AuthorizationKey value must be a string"),)
    out: list[Violation] = []
    if not _HEX.fullmatch(value):
        out.append(
            Violation("", "authorization-key.hex", "the AuthorizationKey holds hexadecimal digits only")
        )
    if len(value) % 2:
        out.append(Violation("", "authorization-key.hex", "an odd number of hex digits is not whole bytes"))
    low, high = (20, 20) if edition == "original" else AUTHORIZATION_KEY_BYTES
    if edition not in ("security", "original"):
        raise UnsupportedError(f"edition must be 'security' or 'original', not {edition!r}")
    size = len(value) // 2
    if not low <= size <= high:
        want = "exactly 20 bytes (40 hex digits)" if low == high else "16 to 20 bytes (32 to 40 hex digits)"
        out.append(Violation("", "authorization-key.length", f"the key has {size} bytes; it must be {want}"))
    return tuple(out)


def authorization_key_bytes(value: str, *, edition: Literal["security", "original"] = "security") -> bytes:
    """Return the raw key bytes (the Basic-auth password of OCPP 1.6) of an AuthorizationKey value.

    Raises :class:`CredentialsInvalid` with every broken rule (see :func:`authorization_key_violations`).
    """
    violations = authorization_key_violations(value, edition=edition)
    if violations:
        raise CredentialsInvalid("invalid OCPP 1.6 AuthorizationKey", violations)
    return bytes.fromhex(value)


def authorization_key(key: bytes) -> str:
    """Return the AuthorizationKey value (upper-case hex, OCPP-J 1.6 §6.2.2) for a raw 16..20-byte key."""
    if not isinstance(key, bytes | bytearray):
        raise CredentialsInvalid("the key must be bytes")
    value = bytes(key).hex().upper()
    violations = authorization_key_violations(value)
    if violations:
        raise CredentialsInvalid("invalid OCPP 1.6 authorization key", violations)
    return value


def basic_auth_password_violations(
    password: str, version: str = "2.0.1", *, max_limit: int = 40, edition3_charset: bool = False
) -> tuple[Violation, ...]:
    """Return every rule a 2.0.1 / 2.1 ``BasicAuthPassword`` value breaks (empty when valid).

    Part 2 A00.FR.205: at least 16 characters and at most *max_limit*, the ``maxLimit`` the
    station reports for the variable, which must itself lie in 40..64 (2.1 Edition 1; 2.0.1
    errata 2025-01; before it 2.0.1 fixed it at 40). With ``edition3_charset=True`` the
    passwordString character set of 2.0.1 Edition 3 (§2.1.4, letters, digits and ``*-_=:+|@.``)
    is enforced too; the 2025-01 errata and 2.1 allow any UTF-8 text. For OCPP 1.6 use
    :func:`authorization_key_violations`.
    """
    v = ocpp_version(version)
    if v == "1.6":
        raise UnsupportedError("OCPP 1.6 has no BasicAuthPassword; see authorization_key_violations")
    low, default_max, top = BASIC_AUTH_PASSWORD_LENGTH
    if not isinstance(max_limit, int) or isinstance(max_limit, bool) or not default_max <= max_limit <= top:
        raise UnsupportedError(f"max_limit must be an integer from {default_max} to {top}, not {max_limit!r}")
    if not isinstance(password, str):
        return (Violation("", "password.type", "the password must be a string"),)
    out: list[Violation] = []
    if not low <= len(password) <= max_limit:
        out.append(
            Violation(
                "",
                "password.length",
                f"the password has {len(password)} characters; it must have {low} to {max_limit}",
            )
        )
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        out.append(Violation("", "password.encoding", "the password is not encodable as UTF-8"))
    if edition3_charset:
        bad = sorted({ch for ch in password if ch not in _PASSWORD_CHARACTERS_201_ED3})
        if bad:
            out.append(
                Violation(
                    "",
                    "password.characters",
                    f"{len(bad)} character(s) outside the Edition 3 passwordString set",
                )
            )
    return tuple(out)


def header_password(version: str, configured: str) -> bytes:
    """Return the bytes a station puts after ``identity:`` in its Basic header.

    *configured* is the value as the CSMS sets it: for 1.6 the ``AuthorizationKey`` (hex text;
    the header carries the decoded bytes, OCPP-J 1.6 §6.2.2), for 2.x the ``BasicAuthPassword``
    (the text itself in UTF-8, Part 2 A00.FR.205). Raises :class:`CredentialsInvalid` when the
    value breaks its version's rules.
    """
    v = ocpp_version(version)
    if v == "1.6":
        return authorization_key_bytes(configured)
    violations = basic_auth_password_violations(configured, v, max_limit=BASIC_AUTH_PASSWORD_LENGTH[2])
    if violations:
        raise CredentialsInvalid(f"invalid OCPP {v} BasicAuthPassword", violations)
    return configured.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The Basic Authorization header (RFC 7617)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    """A parsed Basic header: the user name (the station identity) and the password bytes."""

    username: str
    password: bytes


@dataclass(frozen=True, slots=True)
class BasicAuthCheck:
    """The verdict of :func:`verify_basic_auth`; true when the station may connect.

    ``form`` says how the password matched: ``"raw"`` (1.6 key bytes), ``"utf-8"`` (2.x text)
    or ``"hex-text"`` (a 1.6 station that sent its AuthorizationKey's hex text, accepted only on
    request); ``reason`` explains a refusal.
    """

    ok: bool
    username: str = ""
    form: Literal["raw", "utf-8", "hex-text"] | None = None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


def basic_auth_header(identity: str, password: str | bytes) -> str:
    """Return the ``Authorization`` header value ``Basic base64(identity ":" password)``.

    *password* is the header password: bytes as given (for 1.6, the raw key from
    :func:`authorization_key_bytes`), text as UTF-8 (2.x). The identity is the user name (1.6
    white paper A00.FR.204, 2.x Part 2 A00.FR.204) and may not contain ``:`` (RFC 7617 §2).
    """
    if not isinstance(identity, str) or not identity:
        raise CredentialsInvalid("the identity must be a non-empty string")
    if ":" in identity:
        raise CredentialsInvalid(
            "a Basic-auth user name cannot contain ':'",
            [Violation("", "identity.colon", "RFC 7617 §2 separates user name and password with ':'")],
        )
    if isinstance(password, str):
        secret = password.encode("utf-8")
    elif isinstance(password, bytes | bytearray):
        secret = bytes(password)
    else:
        raise CredentialsInvalid("the password must be str or bytes")
    token = base64.b64encode(identity.encode("utf-8") + b":" + secret).decode("ascii")
    return f"Basic {token}"


def parse_basic_auth(header: str | bytes) -> BasicCredentials:
    """Parse a Basic ``Authorization`` header value into user name and password bytes.

    The scheme is matched case-insensitively (RFC 7235 §2.1); the token must be strict base64
    and decode to ``user:password`` with a UTF-8 user name. Raises :class:`CredentialsInvalid`
    for anything else, whatever the input.
    """
    if isinstance(header, bytes | bytearray):
        try:
            header = bytes(header).decode("ascii")
        except UnicodeDecodeError:
            raise CredentialsInvalid("the Authorization header is not ASCII") from None
    if not isinstance(header, str):
        raise CredentialsInvalid("the Authorization header must be str or bytes")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise CredentialsInvalid(
            "not a Basic Authorization header", [Violation("", "auth.scheme", f"scheme {scheme[:20]!r}")]
        )
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise CredentialsInvalid(
            "the Basic credentials are not base64", [Violation("", "auth.base64", "invalid base64")]
        ) from None
    user, sep, password = decoded.partition(b":")
    if not sep:
        raise CredentialsInvalid(
            "the Basic credentials have no ':'", [Violation("", "auth.colon", "no user:password separator")]
        )
    try:
        username = user.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialsInvalid(
            "the Basic user name is not UTF-8", [Violation("", "auth.encoding", "user name not UTF-8")]
        ) from None
    return BasicCredentials(username, password)


def verify_basic_auth(
    header: str | bytes | None,
    *,
    identity: str,
    configured: str,
    version: str,
    accept_hex_text: bool = False,
) -> BasicAuthCheck:
    """Check a station's Basic header against its identity and configured password.

    *identity* is the one from the URL path (the user name must equal it: A00.FR.204, and the
    CSMS checks both, 2.x A00.FR.207); *configured* the AuthorizationKey (1.6, hex) or
    BasicAuthPassword (2.x) the CSMS set. Passwords are compared in constant time. For 1.6,
    ``accept_hex_text=True`` also lets through a station that sent the hex text instead of the
    key bytes (a frequent implementation error), reported as ``form="hex-text"``. Never raises
    on the header: a missing or unreadable one is a refusal with a reason.
    """
    v = ocpp_version(version)
    if header is None:
        return BasicAuthCheck(False, reason="no Authorization header (profiles 1 and 2 require one)")
    try:
        creds = parse_basic_auth(header)
    except CredentialsInvalid as exc:
        return BasicAuthCheck(False, reason=str(exc).splitlines()[0])
    if not hmac.compare_digest(creds.username.encode("utf-8"), identity.encode("utf-8")):
        return BasicAuthCheck(False, creds.username, reason="the user name is not the identity in the URL")
    try:
        expected = header_password(v, configured)
    except CredentialsInvalid as exc:
        return BasicAuthCheck(False, creds.username, reason=f"configured password unusable: {exc}")
    if hmac.compare_digest(creds.password, expected):
        return BasicAuthCheck(True, creds.username, "raw" if v == "1.6" else "utf-8")
    if (
        v == "1.6"
        and accept_hex_text
        and hmac.compare_digest(creds.password.upper(), configured.upper().encode())
    ):
        return BasicAuthCheck(True, creds.username, "hex-text")
    return BasicAuthCheck(False, creds.username, reason="wrong password")


# ---------------------------------------------------------------------------------------------
# Security profiles: one at a time, never downgrade
# ---------------------------------------------------------------------------------------------

_PROFILES: Final = (0, 1, 2, 3)  # 0: no security profile configured (1.6 without the white paper)


def profile_change_violations(
    version: str,
    current: int,
    new: int,
    *,
    allow_downgrade: bool = False,
    has_password: bool | None = None,
    has_csms_root_certificate: bool | None = None,
    has_station_certificate: bool | None = None,
) -> tuple[Violation, ...]:
    """Return why a station must refuse to move from security profile *current* to *new*.

    Empty means the change is allowed. The rules, per version:

    * never downgrade: 1.6 white paper A05.FR.01 refuses a value lower than **or equal to** the
      current one; 2.0.1 Part 2 A00.FR.005 refuses a lower one (A05.FR.04 accepts an equal one);
    * except 3 -> 2 when ``AllowSecurityProfileDowngrade`` is true (*allow_downgrade*), in 2.1
      (A00.FR.005) and 2.0.1 with errata 2025-01; never down to 1 over OCPP;
    * prerequisites, checked when the caller says what the station holds (``None`` = unknown):
      profile 1/2 needs a password (1.6 A05.FR.02), 2/3 a CSMS root certificate (1.6 A05.FR.03,
      2.x A05.FR.02), 3 a station certificate (1.6 A05.FR.04, 2.x A05.FR.03).
    """
    v = ocpp_version(version)
    for name, value in (("current", current), ("new", new)):
        if not isinstance(value, int) or isinstance(value, bool) or value not in _PROFILES:
            raise UnsupportedError(f"{name} security profile must be 0, 1, 2 or 3, not {value!r}")
    out: list[Violation] = []
    if new < current:
        downgrade_ok = allow_downgrade and v != "1.6" and current == 3 and new == 2
        if not downgrade_ok:
            rule = "1.6 white paper A00.FR.005" if v == "1.6" else f"{v} Part 2 A00.FR.005"
            extra = "" if v == "1.6" else " (only 3 -> 2, and only with AllowSecurityProfileDowngrade)"
            out.append(
                Violation("", "profile.downgrade", f"{current} -> {new} lowers the profile: {rule}{extra}")
            )
    elif new == current and v == "1.6":
        out.append(
            Violation(
                "", "profile.same", "1.6 white paper A05.FR.01 refuses a value equal to the current one"
            )
        )
    if new > current or (new == current and v != "1.6"):
        if new in (1, 2) and has_password is False:
            out.append(Violation("", "profile.password", f"profile {new} needs a Basic-auth password (A05)"))
        if new in (2, 3) and has_csms_root_certificate is False:
            out.append(
                Violation(
                    "", "profile.root-certificate", f"profile {new} needs a CSMS root certificate (A05)"
                )
            )
        if new == 3 and has_station_certificate is False:
            out.append(
                Violation("", "profile.station-certificate", "profile 3 needs a station certificate (A05)")
            )
    return tuple(out)


def connection_profile_violations(configured: int, used: int) -> tuple[Violation, ...]:
    """Return why a CSMS must refuse a connection made with profile *used* where *configured* is set.

    A00.FR.001/002 (1.6 white paper and 2.x Part 2): one profile at a time, and the CSMS
    terminates a connection made with another; after an upgrade succeeded the CSMS no longer
    accepts the lower one (1.6 A05.FR.09, 2.0.1 A05.FR.07).
    """
    for value in (configured, used):
        if not isinstance(value, int) or isinstance(value, bool) or value not in _PROFILES:
            raise UnsupportedError(f"a security profile is 0, 1, 2 or 3, not {value!r}")
    if used == configured:
        return ()
    kind = "a lower" if used < configured else "another"
    return (
        Violation(
            "",
            "profile.mismatch",
            f"the station connected with {kind} profile ({used}, expected {configured})",
        ),
    )
