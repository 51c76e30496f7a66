"""Checking an OCMF signature: public keys in the forms OCPP carries, lenient DER, seven curves.

Theory of operation: :func:`verify` takes a parsed record and a public key and
answers with a :class:`Verification`: valid or not, why, and the deviations
that only a check of the signature can find (a bare ``r||s`` where DER is
declared, non-canonical DER, a high ``s``). It hashes :attr:`Record.signed_bytes`
(the payload as received, never rebuilt) with SHA-256, as every algorithm of
OCMF Tab. 22 does, and checks ECDSA on the curve the record's ``SA`` names --
never on another: a key for a different curve, or an ``SA`` outside the table,
is a failed check, not a guess.

``SD`` is read the way the reference verifier reads it: DER with non-minimal
lengths, missing sign bytes or trailing bytes is accepted and reported, and a
value of exactly twice the curve size that is no DER is taken as ``r||s``.
Six curves are checked by the ``cryptography`` package (the ``crypto`` extra);
it has no secp192k1, so that one curve is checked here with plain integer
arithmetic on its SEC 2 parameters (verification handles only public data, so
timing does not matter). Without the extra, :func:`verify` raises
:class:`~ocpkit.errors.OcmfError` naming it; reading records and keys works.

:func:`load_public_key` reads a key as OCPP and meters print it: DER
SubjectPublicKeyInfo as hex (spaces, colons and ``0x`` ignored) or base64, PEM,
the OCA ``oca:base16:asn1:`` / ``oca:base64:asn1:`` composite, any of those
base64-wrapped once more (as OCPP's ``publicKey`` field carries them), a bare
SEC1 point, or a bare ``X||Y`` (the curve then comes from the record).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Final

from ocpkit.energy.ocmf._tables import Curve, DeviationKind, SignatureAlgorithm
from ocpkit.energy.ocmf._values import Deviation
from ocpkit.errors import OcmfError, OcmfInvalid, Violation

if TYPE_CHECKING:
    from ocpkit.energy.ocmf._record import Record

__all__ = ["CRYPTO_EXTRA", "PublicKey", "Verification", "crypto_available", "load_public_key", "verify"]

CRYPTO_EXTRA: Final = "crypto"
_MAX_KEY_TEXT: Final = 8192

# Named-curve object identifiers (SEC 2, RFC 5639), as DER contents.
_OID_EC_PUBLIC_KEY: Final = bytes.fromhex("2A8648CE3D0201")
_CURVE_OID: Final = {
    Curve.SECP192K1: bytes.fromhex("2B8104001F"),
    Curve.SECP192R1: bytes.fromhex("2A8648CE3D030101"),
    Curve.SECP256K1: bytes.fromhex("2B8104000A"),
    Curve.SECP256R1: bytes.fromhex("2A8648CE3D030107"),
    Curve.SECP384R1: bytes.fromhex("2B81040022"),
    Curve.BRAINPOOLP256R1: bytes.fromhex("2B2403030208010107"),
    Curve.BRAINPOOLP384R1: bytes.fromhex("2B240303020801010B"),
}
_OID_CURVE: Final = {oid: curve for curve, oid in _CURVE_OID.items()}
# The order n of each curve's base point (SEC 2 v2.0, RFC 5639 §3): scalars live in [1, n).
_ORDER: Final = {
    Curve.SECP192K1: int("FFFFFFFFFFFFFFFFFFFFFFFE26F2FC170F69466A74DEFD8D", 16),
    Curve.SECP192R1: int("FFFFFFFFFFFFFFFFFFFFFFFF99DEF836146BC9B1B4D22831", 16),
    Curve.SECP256K1: int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16),
    Curve.SECP256R1: int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16),
    Curve.BRAINPOOLP256R1: int("A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7", 16),
    Curve.SECP384R1: int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16
    ),
    Curve.BRAINPOOLP384R1: int(
        "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565", 16
    ),
}
# secp192k1 (SEC 2 v2.0 §2.2.1): y^2 = x^3 + 3 over F_p. The one Tab. 22 curve cryptography lacks.
_K192_P: Final = int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFEE37", 16)
_K192_G: Final = (
    int("DB4FF10EC057E9AE26B07D0280B7F4341DA5D1B1EAE06C7D", 16),
    int("9B2F2F6D9C5628A7844163D015BE86344082AA88D95E2F9D", 16),
)
_HEX_NOISE = re.compile(r"[\s:]+")


def crypto_available() -> bool:
    """True when the ``crypto`` extra (the ``cryptography`` package) is installed."""
    return _crypto() is not None


@cache
def _crypto() -> ModuleType | None:
    try:
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        return None
    return ec


def _require_crypto() -> ModuleType:
    ec = _crypto()
    if ec is None:
        raise OcmfError("checking an OCMF signature", CRYPTO_EXTRA, "cryptography")
    return ec


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An EC public key: its curve (``None`` when the printed form names none) and SEC1 point.

    ``forms`` says how the text was read (``"hex"``, ``"base64"``, ``"oca"``, ``"pem"``,
    ``"bare X||Y"`` ...), outermost first.
    """

    curve: Curve | None
    point: bytes
    forms: tuple[str, ...] = ()

    def spki(self, curve: Curve | None = None) -> bytes:
        """The key as a DER SubjectPublicKeyInfo (*curve* for a key that names none)."""
        named = self.curve or curve
        if named is None:
            raise OcmfInvalid("the key names no curve; give the curve to encode it")
        algorithm = _tlv(0x30, _tlv(0x06, _OID_EC_PUBLIC_KEY) + _tlv(0x06, _CURVE_OID[named]))
        return _tlv(0x30, algorithm + _tlv(0x03, b"\x00" + self.point))

    @property
    def hex(self) -> str:
        """The DER SubjectPublicKeyInfo in upper-case hex (needs a named curve)."""
        return self.spki().hex().upper()


def _tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    if n < 0x80:
        return bytes([tag, n]) + value
    size = (n.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + n.to_bytes(size, "big") + value


def load_public_key(key: str | bytes, *, curve: Curve | None = None) -> PublicKey:
    """Read a public key in any of the forms OCPP, OCPI and meter labels use (see the module docs).

    *curve* names the curve for a bare point that does not name its own. Raises
    :class:`~ocpkit.errors.OcmfInvalid` when the key cannot be read.
    """
    try:
        if isinstance(key, bytes | bytearray | memoryview):
            return _key_from_bytes(bytes(key), curve, ())
        if not isinstance(key, str):
            raise OcmfInvalid(f"a public key is text or bytes, not {type(key).__name__}")
        if len(key) > _MAX_KEY_TEXT:
            raise OcmfInvalid(f"a public key text longer than {_MAX_KEY_TEXT} characters")
        return _key_from_text(key, curve, (), 0)
    except (ValueError, IndexError, binascii.Error) as exc:
        if isinstance(exc, OcmfInvalid):
            raise
        raise OcmfInvalid(f"unreadable public key: {exc}") from None


def _bad_key(message: str) -> OcmfInvalid:
    return OcmfInvalid(f"unreadable public key: {message}", [Violation("", "publicKey", message)])


def _key_from_text(text: str, curve: Curve | None, forms: tuple[str, ...], depth: int) -> PublicKey:
    if depth > 3:
        raise _bad_key("too many layers of encoding")
    s = text.strip()
    if not s:
        raise _bad_key("empty")
    if s.startswith("-----BEGIN"):
        body = "".join(line for line in s.splitlines() if line and not line.startswith("-----"))
        return _key_from_bytes(base64.b64decode(body, validate=True), curve, (*forms, "pem"))
    if s[:4].lower() == "oca:":
        # OCA signed-meter-values note: oca:<base16|base64>:<content type>:<printed key>
        parts = s.split(":", 3)
        if len(parts) != 4 or parts[2].lower() != "asn1":
            raise _bad_key("an 'oca:' key is oca:<encoding>:asn1:<key>")
        encoding, content = parts[1].lower(), parts[3]
        if encoding == "base16":
            raw = _hex_bytes(content, lenient=True)
            if raw is None:
                raise _bad_key("the base16 part of the 'oca:' key is not hex")
        elif encoding == "base64":
            raw = base64.b64decode(content.strip(), validate=True)
        else:
            raise _bad_key(f"unknown 'oca:' encoding {parts[1]!r}")
        return _key_from_bytes(raw, curve, (*forms, "oca"))
    if s.startswith("{"):
        # Some stations wrap the printed key in a one-member JSON object ({"UK": "3059..."}).
        try:
            wrapped = json.loads(s)
        except ValueError:
            raise _bad_key("not a key, and not JSON either") from None
        values = [v for v in wrapped.values() if isinstance(v, str)] if isinstance(wrapped, dict) else []
        if len(values) != 1:
            raise _bad_key("a JSON-wrapped key holds exactly one text member")
        return _key_from_text(values[0], curve, (*forms, "json"), depth + 1)
    raw = _hex_bytes(s, lenient=False)
    if raw is not None:
        return _key_from_bytes(raw, curve, (*forms, "hex"))
    try:
        decoded = base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
    except binascii.Error:
        raise _bad_key("neither hex, base64, PEM nor an 'oca:' key") from None
    if decoded and all(0x20 <= b < 0x7F or b in (0x09, 0x0A, 0x0D) for b in decoded):
        # OCPP's publicKey is base64 of the printed key, which is itself text.
        return _key_from_text(decoded.decode("ascii"), curve, (*forms, "base64"), depth + 1)
    return _key_from_bytes(decoded, curve, (*forms, "base64"))


def _hex_bytes(text: str, *, lenient: bool) -> bytes | None:
    s = _HEX_NOISE.sub("", text)
    if s[:2].lower() == "0x":
        s = s[2:]
    if lenient:
        s = "".join(c for c in s if c in "0123456789abcdefABCDEF")
    if not s or len(s) % 2 or not all(c in "0123456789abcdefABCDEF" for c in s):
        return None
    return bytes.fromhex(s)


def _key_from_bytes(raw: bytes, curve: Curve | None, forms: tuple[str, ...]) -> PublicKey:
    if raw[:1] == b"\x30":
        named, point = _read_spki(raw)
        _check_point(point, named)
        return PublicKey(named, point, (*forms, "spki"))
    sizes = {c.size for c in Curve} if curve is None else {curve.size}
    if raw[:1] == b"\x04" and (len(raw) - 1) // 2 in sizes and len(raw) % 2 == 1:
        return PublicKey(curve, raw, (*forms, "sec1"))
    if raw[:1] in (b"\x02", b"\x03") and len(raw) - 1 in sizes:
        return PublicKey(curve, raw, (*forms, "sec1 compressed"))
    if len(raw) % 2 == 0 and len(raw) // 2 in sizes:
        return PublicKey(curve, b"\x04" + raw, (*forms, "bare X||Y"))
    raise _bad_key(f"{len(raw)} bytes that are no SubjectPublicKeyInfo and no point")


def _check_point(point: bytes, curve: Curve) -> None:
    size = curve.size
    ok = (point[:1] == b"\x04" and len(point) == 1 + 2 * size) or (
        point[:1] in (b"\x02", b"\x03") and len(point) == 1 + size
    )
    if not ok:
        raise _bad_key(f"the key's point does not fit {curve}")


def _read_tlv(data: bytes, pos: int) -> tuple[int, int, int, bool] | None:
    """(tag, value start, value end, canonical length) of the TLV at *pos*; None when truncated."""
    if pos + 2 > len(data):
        return None
    tag, first = data[pos], data[pos + 1]
    if first < 0x80:
        start, length, canonical = pos + 2, first, True
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + 2 + count > len(data):
            return None
        length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
        start = pos + 2 + count
        canonical = length >= 0x80 and (length.bit_length() + 7) // 8 == count
    end = start + length
    if end > len(data):
        return None
    return tag, start, end, canonical


def _read_spki(raw: bytes) -> tuple[Curve, bytes]:
    outer = _read_tlv(raw, 0)
    if outer is None or outer[0] != 0x30:
        raise _bad_key("a DER key is a SEQUENCE")
    algorithm = _read_tlv(raw, outer[1])
    if algorithm is None or algorithm[0] != 0x30:
        raise _bad_key("no AlgorithmIdentifier")
    oid = _read_tlv(raw, algorithm[1])
    if oid is None or oid[0] != 0x06:
        raise _bad_key("no algorithm OID")
    if raw[oid[1] : oid[2]] != _OID_EC_PUBLIC_KEY:
        raise _bad_key("not an elliptic-curve key (OCMF Tab. 23 keys are ECDSA)")
    params = _read_tlv(raw, oid[2])
    if params is None or params[0] != 0x06:
        raise _bad_key("no named-curve OID")
    named = _OID_CURVE.get(raw[params[1] : params[2]])
    if named is None:
        raise _bad_key("a curve OCMF Tab. 23 does not list")
    bits = _read_tlv(raw, algorithm[2])
    if bits is None or bits[0] != 0x03 or bits[2] - bits[1] < 2 or raw[bits[1]] != 0:
        raise _bad_key("no public key BIT STRING")
    return named, raw[bits[1] + 1 : bits[2]]


# --------------------------------------------------------------------------- signatures


def _read_der_signature(data: bytes) -> tuple[int, int, bool] | None:
    """(r, s, canonical) from a DER ECDSA-Sig-Value read leniently; None when it is no such DER."""
    seq = _read_tlv(data, 0)
    if seq is None or seq[0] != 0x30:
        return None
    r_tlv = _read_tlv(data, seq[1])
    if r_tlv is None or r_tlv[0] != 0x02 or r_tlv[2] == r_tlv[1]:
        return None
    s_tlv = _read_tlv(data, r_tlv[2])
    if s_tlv is None or s_tlv[0] != 0x02 or s_tlv[2] == s_tlv[1] or s_tlv[2] > seq[2]:
        return None
    canonical = seq[3] and r_tlv[3] and s_tlv[3] and seq[2] == len(data) and s_tlv[2] == seq[2]
    values = []
    for tlv in (r_tlv, s_tlv):
        body = data[tlv[1] : tlv[2]]
        # A DER INTEGER is two's complement: a scalar with its top bit set needs a 0x00 first,
        # and no other leading zero is allowed. Signers get this wrong; the magnitude is read.
        minimal = (body[0] & 0x80 == 0) and (len(body) == 1 or body[0] != 0 or body[1] & 0x80 != 0)
        canonical = canonical and minimal
        values.append(int.from_bytes(body, "big"))
    return values[0], values[1], canonical


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer of :func:`verify`: ``valid``, the reason when not, and what the check found.

    ``deviations`` are the findings only a signature check makes (``RawSignatureNotDer``,
    ``NonCanonicalDer``, ``HighSSignature``); ``curve`` and ``algorithm`` what was checked.
    """

    valid: bool
    reason: str
    algorithm: SignatureAlgorithm | None
    curve: Curve | None
    key: PublicKey
    deviations: tuple[Deviation, ...] = ()

    def __bool__(self) -> bool:
        return self.valid

    def as_dict(self) -> dict[str, object]:
        """The result as plain data (the JSON report shape)."""
        return {
            "valid": self.valid,
            "reason": self.reason,
            "algorithm": None if self.algorithm is None else str(self.algorithm),
            "curve": None if self.curve is None else str(self.curve),
            "deviations": [d.as_dict() for d in self.deviations],
        }


def verify(record: Record, key: PublicKey | str | bytes) -> Verification:
    """Check *record*'s signature against *key* (any form :func:`load_public_key` reads).

    Raises :class:`~ocpkit.errors.OcmfError` without the ``crypto`` extra and
    :class:`~ocpkit.errors.OcmfInvalid` for a key that cannot be read; every other outcome,
    a failed check included, is a :class:`Verification`.
    """
    ec = _require_crypto()
    signature = record.signature
    algorithm = signature.algorithm
    if not isinstance(key, PublicKey):
        key = load_public_key(key, curve=None if algorithm is None else algorithm.curve)
    found: list[Deviation] = []

    def answer(valid: bool, reason: str = "") -> Verification:
        return Verification(
            valid, reason, algorithm, None if algorithm is None else algorithm.curve, key, tuple(found)
        )

    if algorithm is None:
        return answer(False, f"SA {signature.algorithm_text!r} names no algorithm of OCMF Tab. 22")
    curve = algorithm.curve
    if key.curve is not None and key.curve != curve:
        return answer(False, f"the key is a {key.curve} key; the record is signed with {algorithm}")
    if signature.data is None:
        return answer(False, "the record carries no readable signature (SD)")
    at = record.signature_span[0]
    parsed = _read_der_signature(signature.data)
    if parsed is not None:
        r, s, canonical = parsed
        if not canonical:
            found.append(Deviation(DeviationKind.NON_CANONICAL_DER, "/signature/SD", at))
    elif len(signature.data) == 2 * curve.size:
        r = int.from_bytes(signature.data[: curve.size], "big")
        s = int.from_bytes(signature.data[curve.size :], "big")
        found.append(Deviation(DeviationKind.RAW_SIGNATURE_NOT_DER, "/signature/SD", at))
    else:
        return answer(False, f"SD is neither DER nor the {2 * curve.size}-byte r||s of {curve}")
    n = _ORDER[curve]
    if not (0 < r < n and 0 < s < n):
        return answer(False, "r or s lies outside [1, n)")
    if s > n // 2:
        found.append(Deviation(DeviationKind.HIGH_S_SIGNATURE, "/signature/SD", at))
    point = key.point
    if len(point) not in (1 + curve.size, 1 + 2 * curve.size):
        return answer(False, f"the key's point does not fit {curve}")
    digest = hashlib.sha256(record.signed_bytes).digest()
    if curve == Curve.SECP192K1:
        ok = _k192_verify(point, digest, r, s)
        return answer(ok, "" if ok else "the signature does not match the payload and key")
    return _check_with_cryptography(ec, curve, point, record.signed_bytes, r, s, answer)


def _check_with_cryptography(
    ec: ModuleType, curve: Curve, point: bytes, message: bytes, r: int, s: int, answer: object
) -> Verification:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    made = {
        Curve.SECP192R1: ec.SECP192R1,
        Curve.SECP256K1: ec.SECP256K1,
        Curve.SECP256R1: ec.SECP256R1,
        Curve.SECP384R1: ec.SECP384R1,
        Curve.BRAINPOOLP256R1: ec.BrainpoolP256R1,
        Curve.BRAINPOOLP384R1: ec.BrainpoolP384R1,
    }[curve]()
    assert callable(answer)
    try:
        public = ec.EllipticCurvePublicKey.from_encoded_point(made, point)
    except ValueError:
        result: Verification = answer(False, f"the key is not a point of {curve}")
        return result
    try:
        public.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        result = answer(False, "the signature does not match the payload and key")
        return result
    result = answer(True)
    return result


# --------------------------------------------------------------------------- secp192k1


def _k192_point(point: bytes) -> tuple[int, int] | None:
    p = _K192_P
    x = int.from_bytes(point[1:25], "big")
    if x >= p:
        return None
    rhs = (pow(x, 3, p) + 3) % p
    if point[0] == 4:
        y = int.from_bytes(point[25:], "big")
    else:
        y = pow(rhs, (p + 1) // 4, p)  # p = 3 (mod 4): the square root, when one exists
        if y & 1 != point[0] & 1:
            y = p - y
    return (x, y) if y < p and (y * y - rhs) % p == 0 else None


def _k192_add(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    p = _K192_P
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0]:
        if (a[1] + b[1]) % p == 0:
            return None
        slope = 3 * a[0] * a[0] * pow(2 * a[1], -1, p) % p
    else:
        slope = (b[1] - a[1]) * pow(b[0] - a[0], -1, p) % p
    x = (slope * slope - a[0] - b[0]) % p
    return x, (slope * (a[0] - x) - a[1]) % p


def _k192_mul(k: int, point: tuple[int, int]) -> tuple[int, int] | None:
    result: tuple[int, int] | None = None
    addend: tuple[int, int] | None = point
    while k:
        if k & 1:
            result = _k192_add(result, addend)
        addend = _k192_add(addend, addend)
        k >>= 1
    return result


def _k192_verify(point: bytes, digest: bytes, r: int, s: int) -> bool:
    q = _k192_point(point)
    if q is None:
        return False
    n = _ORDER[Curve.SECP192K1]
    # SEC 1 §4.1.4: the hash is cut to the bit length of n (192 of SHA-256's 256 bits).
    e = int.from_bytes(digest, "big") >> (256 - n.bit_length())
    w = pow(s, -1, n)
    sum_point = _k192_add(_k192_mul(e * w % n, _K192_G), _k192_mul(r * w % n, q))
    return sum_point is not None and sum_point[0] % n == r
