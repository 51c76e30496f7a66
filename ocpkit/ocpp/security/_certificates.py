"""CSR and certificate-chain checks of the security profiles, on the ``cryptography`` package (private).

Theory of operation: the station sends a PEM CSR in SignCertificate and receives a PEM chain,
leaf first, in CertificateSigned. Both are parsed with ``cryptography`` (the ``crypto`` extra,
imported on first use) and checked against the certificate-property rules A00.FR.501-511 and
the organisation and serial-number rules; every broken rule is returned as a violation.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any, Final

from ocpkit.errors import CredentialsInvalid, MissingExtraError, UnsupportedError, Violation

__all__ = ["MIN_EC_KEY_BITS", "MIN_RSA_KEY_BITS", "certificate_chain_violations", "csr_violations"]

# ---------------------------------------------------------------------------------------------
# CSR and certificate checks (the ``crypto`` extra)
# ---------------------------------------------------------------------------------------------

# A00.FR.501-503 (1.6 white paper ed. 3 §2.6.1; 2.0.1 Part 2 §A.1.4.1): 112-bit security.
MIN_RSA_KEY_BITS: Final = 2048
MIN_EC_KEY_BITS: Final = 224
_PEM_CERT: Final = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def _crypto() -> Any:
    try:
        from cryptography import x509
    except ImportError:
        raise MissingExtraError("certificate checks", "crypto", "cryptography") from None
    return x509


def _as_bytes(pem: str | bytes) -> bytes:
    if isinstance(pem, str):
        return pem.encode("utf-8", "replace")
    if isinstance(pem, bytes | bytearray):
        return bytes(pem)
    raise CredentialsInvalid("PEM data must be str or bytes")


def _key_violations(key: Any, where: str) -> list[Violation]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    if isinstance(key, rsa.RSAPublicKey | dsa.DSAPublicKey):
        if key.key_size < MIN_RSA_KEY_BITS:
            kind = "RSA" if isinstance(key, rsa.RSAPublicKey) else "DSA"
            return [
                Violation(
                    where,
                    "key.size",
                    f"{kind} key of {key.key_size} bits; A00.FR.502 asks {MIN_RSA_KEY_BITS}",
                )
            ]
        return []
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size < MIN_EC_KEY_BITS:
            return [
                Violation(
                    where,
                    "key.size",
                    f"EC key of {key.curve.key_size} bits; A00.FR.503 asks {MIN_EC_KEY_BITS}",
                )
            ]
        return []
    return [Violation(where, "key.type", f"{type(key).__name__}: not an RSA, DSA or EC key (A00.FR.501)")]


def _names(name: Any, oid: Any) -> list[str]:
    return [str(attr.value) for attr in name.get_attributes_for_oid(oid)]


def _subject_violations(
    subject: Any, where: str, organization: str | None, serial_number: str | None
) -> list[Violation]:
    from cryptography.x509.oid import NameOID

    out: list[Violation] = []
    orgs = _names(subject, NameOID.ORGANIZATION_NAME)
    if not orgs:
        out.append(
            Violation(where, "subject.organization", "no O (organizationName) in the subject (A00.FR.509)")
        )
    elif organization is not None and organization not in orgs:
        out.append(
            Violation(
                where,
                "subject.organization",
                f"O={orgs[0]!r:.60} is not the configured organisation {organization!r:.60} "
                "(1.6 A02.FR.13 CpoName, 2.x OrganizationName; A00.FR.404)",
            )
        )
    cns = _names(subject, NameOID.COMMON_NAME)
    if not cns:
        out.append(Violation(where, "subject.common-name", "no CN (commonName) in the subject (A00.FR.511)"))
    else:
        cn = cns[0]
        if serial_number is not None and cn != serial_number:
            out.append(
                Violation(
                    where,
                    "subject.common-name",
                    f"CN={cn!r:.60} is not the station serial number (A00.FR.405)",
                )
            )
        if _looks_like_url_or_ip(cn):
            out.append(
                Violation(
                    where, "subject.common-name", "a station CN is not a URL or IP address (A00.FR.511)"
                )
            )
    return out


def _looks_like_url_or_ip(text: str) -> bool:
    if "://" in text:
        return True
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def csr_violations(
    pem: str | bytes, *, organization: str | None = None, serial_number: str | None = None
) -> tuple[Violation, ...]:
    """Return every rule a station's CSR (SignCertificate ``csr``) breaks; empty when none.

    Checks: PEM-encoded PKCS#10 (RFC 2986; 1.6 A02.FR.03, 2.x A02.FR.03) at most 5500
    characters (the schema's maxLength); a valid self-signature; a key of at least 2048 bits
    (RSA/DSA) or 224 bits (EC) (A00.FR.502/503); O in the subject equal to *organization* when
    given (1.6 A02.FR.13, the CpoName; 2.x the OrganizationName); a CN equal to *serial_number*
    when given, and never a URL or IP address (A00.FR.511). Needs ``ocpkit[crypto]``.
    """
    x509 = _crypto()
    raw = _as_bytes(pem)
    out: list[Violation] = []
    if len(raw) > 5500:
        out.append(Violation("", "csr.length", f"{len(raw)} characters; SignCertificate allows 5500"))
    try:
        csr = x509.load_pem_x509_csr(raw)
    except (ValueError, TypeError):
        return (*out, Violation("", "csr.pem", "not a PEM-encoded PKCS#10 certificate signing request"))
    try:
        if not csr.is_signature_valid:
            out.append(Violation("", "csr.signature", "the CSR's self-signature does not verify"))
        key = csr.public_key()
    except (ValueError, TypeError) as exc:
        return (*out, Violation("", "csr.key", f"unreadable public key: {exc}"))
    out.extend(_key_violations(key, ""))
    out.extend(_subject_violations(csr.subject, "", organization, serial_number))
    return tuple(out)


def certificate_chain_violations(
    pem_chain: str | bytes,
    *,
    organization: str | None = None,
    serial_number: str | None = None,
    now: datetime | None = None,
) -> tuple[Violation, ...]:
    """Return every rule a CertificateSigned ``certificateChain`` breaks; empty when none.

    The chain is PEM certificates, leaf first, each issued by the next (the 2.0.1 schema's
    description of ``certificateChain``), at most 10000 characters. Each certificate is checked
    for its key size (A00.FR.502/503) and for being directly issued (name and signature) by the
    one after it; the leaf for O (*organization*) and CN (*serial_number*) as in
    :func:`csr_violations`; with *now* (an aware datetime, ocpkit reads no clock), every
    certificate for its validity period (1.6 A02.FR.06, 2.x A02.FR.06). Violation paths are
    ``/0`` (leaf), ``/1`` ... Needs ``ocpkit[crypto]``.
    """
    x509 = _crypto()
    from cryptography.exceptions import InvalidSignature

    raw = _as_bytes(pem_chain)
    out: list[Violation] = []
    if len(raw) > 10000:
        out.append(Violation("", "chain.length", f"{len(raw)} characters; CertificateSigned allows 10000"))
    blocks = _PEM_CERT.findall(raw)
    if not blocks:
        return (*out, Violation("", "chain.pem", "no PEM certificate in the chain"))
    certs = []
    for i, block in enumerate(blocks):
        try:
            certs.append(x509.load_pem_x509_certificate(block))
        except (ValueError, TypeError):
            return (*out, Violation(f"/{i}", "certificate.pem", "not a readable X.509 certificate"))
    for i, cert in enumerate(certs):
        where = f"/{i}"
        try:
            out.extend(_key_violations(cert.public_key(), where))
        except (ValueError, TypeError) as exc:
            out.append(Violation(where, "key.type", f"unreadable public key: {exc}"))
        if now is not None:
            if now.tzinfo is None:
                raise UnsupportedError("now must be an aware datetime")
            if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                out.append(
                    Violation(where, "certificate.validity", "not valid at the given time (A02.FR.06)")
                )
        if i + 1 < len(certs):
            issuer = certs[i + 1]
            try:
                cert.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature) as exc:
                reason = str(exc) or "its signature does not verify with the next one's key"
                out.append(Violation(where, "chain.order", f"not issued by the next certificate: {reason}"))
    out.extend(_subject_violations(certs[0].subject, "/0", organization, serial_number))
    return tuple(out)
