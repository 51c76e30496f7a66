"""Security-profile rules: subprotocols, identity, Basic auth per version, keys, profiles, CSR and chains."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.errors import CredentialsInvalid, UnsupportedError
from ocpkit.ocpp import security as sec

KEY_HEX = "0001020304050607FFFFFFCCCCCCCCCCCCCCCCCC"  # 20 bytes, after OCPP-J 1.6 §6.2.2's example


# -- subprotocols ------------------------------------------------------------------------------


def test_subprotocol_names_and_versions() -> None:
    assert [sec.subprotocol(v) for v in ("1.6", "2.0.1", "2.1")] == ["ocpp1.6", "ocpp2.0.1", "ocpp2.1"]
    assert sec.version_of_subprotocol("ocpp2.0.1") == "2.0.1"
    for bad in ("OCPP2.0.1", "ocpp1.5", "ocpp2.0", None):
        with pytest.raises(UnsupportedError):
            sec.version_of_subprotocol(bad)  # type: ignore[arg-type]
    assert sec.ocpp_version("OCPP 1.6J") == "1.6" and sec.ocpp_version("v21") == "2.1"


def test_negotiation_picks_a_version_both_sides_offer() -> None:
    header = "ocpp2.1, ocpp2.0.1, ocpp1.6"
    assert sec.negotiate_subprotocol(header, ["1.6", "2.0.1"]) == "ocpp2.0.1"
    assert sec.negotiate_subprotocol(header, ["1.6", "2.0.1"], prefer="server") == "ocpp1.6"
    assert sec.negotiate_subprotocol(["ocpp1.6", "wamp"], ["2.1"]) is None
    assert sec.negotiate_subprotocol("", ["2.1"]) is None
    assert sec.offer_subprotocols(["2.1", "ocpp2.1", "1.6"]) == ["ocpp2.1", "ocpp1.6"]
    assert sec.parse_subprotocols(["ocpp2.1 ,", " ocpp1.6"]) == ["ocpp2.1", "ocpp1.6"]


# -- identity ----------------------------------------------------------------------------------


def test_identity_rules_per_version() -> None:
    assert sec.identity_violations("RDAM 123", "1.6") == ()  # 1.6: any string
    assert [v.keyword for v in sec.identity_violations("RDAM 123", "2.0.1")] == ["identity.characters"]
    assert [v.keyword for v in sec.identity_violations("A" * 49, "2.0.1")] == ["identity.length"]
    assert sec.identity_violations("A" * 48, "2.1") == ()
    assert sec.identity_violations("CS:1", "2.0.1", basic_auth=False) == ()
    assert [v.keyword for v in sec.identity_violations("CS:1", "2.1", basic_auth=False)] == ["identity.colon"]
    assert [v.keyword for v in sec.identity_violations("CS:1", "1.6")] == ["identity.colon"]
    assert [v.keyword for v in sec.identity_violations("", "1.6")] == ["identity.empty"]
    assert sec.check_identity("CS-1|a@b.c", "2.0.1") == "CS-1|a@b.c"
    with pytest.raises(CredentialsInvalid):
        sec.check_identity("é", "2.1")


def test_connection_url_and_back() -> None:
    # OCPP-J 1.6 §3.1.1 example 2 and 2.1 Part 4 §3.1.1 example 2.
    assert (
        sec.connection_url("wss://csms.example.com/ocppj", "RDAM 123")
        == "wss://csms.example.com/ocppj/RDAM%20123"
    )
    assert (
        sec.connection_url("wss://csms.example.com/ocppj/", "RDAM|123")
        == "wss://csms.example.com/ocppj/RDAM%7C123"
    )
    assert sec.identity_from_path("/ocppj/RDAM%7C123?x=1", base="/ocppj") == "RDAM|123"
    assert sec.identity_from_path("/a+b") == "a+b"
    for path, base in (
        ("/ocpp/", None),
        ("/other/CS1", "/ocpp"),
        ("/ocpp/a/b", "/ocpp"),
        ("/ocpp/%FF", None),
    ):
        with pytest.raises(CredentialsInvalid):
            sec.identity_from_path(path, base=base)
    with pytest.raises(CredentialsInvalid):
        sec.connection_url("https://csms.example.com", "CS1")


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_any_identity_survives_the_url(identity: str) -> None:
    url = sec.connection_url("ws://h/ocpp", identity)
    assert sec.identity_from_path(url.split("//h", 1)[1], base="/ocpp") == identity


# -- passwords ---------------------------------------------------------------------------------


def test_16_header_carries_the_raw_key_bytes() -> None:
    # OCPP-J 1.6 §6.2.2: the header encodes "AL1000:" followed by the key's bytes, not its hex.
    header = sec.basic_auth_header("AL1000", sec.authorization_key_bytes(KEY_HEX))
    assert header.startswith("Basic QUwxMDAwOgABAgMEBQYH////")
    assert base64.b64decode(header[6:]) == b"AL1000:" + bytes.fromhex(KEY_HEX)
    assert sec.header_password("1.6", KEY_HEX) == bytes.fromhex(KEY_HEX)
    assert sec.authorization_key(bytes.fromhex(KEY_HEX)) == KEY_HEX


def test_2x_header_carries_the_password_text() -> None:
    password = "correct-horse-battery"
    assert sec.header_password("2.0.1", password) == password.encode()
    header = sec.basic_auth_header("CS1", password)
    assert sec.parse_basic_auth(header) == sec.BasicCredentials("CS1", password.encode())


def test_authorization_key_rules() -> None:
    assert sec.authorization_key_violations("00" * 16) == ()
    assert sec.authorization_key_violations("00" * 20) == ()
    assert [v.keyword for v in sec.authorization_key_violations("00" * 15)] == ["authorization-key.length"]
    assert [v.keyword for v in sec.authorization_key_violations("00" * 21)] == ["authorization-key.length"]
    assert [v.keyword for v in sec.authorization_key_violations("00" * 16, edition="original")] == [
        "authorization-key.length"
    ]
    keywords = [v.keyword for v in sec.authorization_key_violations("zz" * 16 + "0")]
    assert keywords == ["authorization-key.hex", "authorization-key.hex"]
    with pytest.raises(CredentialsInvalid):
        sec.authorization_key_bytes("not hex at all, but long enough...")
    with pytest.raises(CredentialsInvalid):
        sec.authorization_key(b"short")


def test_basic_auth_password_rules() -> None:
    assert sec.basic_auth_password_violations("a" * 16) == ()
    assert [v.keyword for v in sec.basic_auth_password_violations("a" * 15)] == ["password.length"]
    assert [v.keyword for v in sec.basic_auth_password_violations("a" * 41)] == ["password.length"]
    assert sec.basic_auth_password_violations("a" * 64, "2.1", max_limit=64) == ()
    assert sec.basic_auth_password_violations("ü" * 20, "2.1") == ()
    assert [v.keyword for v in sec.basic_auth_password_violations("ü" * 20, edition3_charset=True)] == [
        "password.characters"
    ]
    with pytest.raises(UnsupportedError):
        sec.basic_auth_password_violations("a" * 20, "1.6")
    with pytest.raises(UnsupportedError):
        sec.basic_auth_password_violations("a" * 20, max_limit=65)


def test_verify_basic_auth() -> None:
    good = sec.basic_auth_header("AL1000", bytes.fromhex(KEY_HEX))
    check = sec.verify_basic_auth(good, identity="AL1000", configured=KEY_HEX, version="1.6")
    assert check and check.form == "raw"
    hex_text = sec.basic_auth_header("AL1000", KEY_HEX)
    assert not sec.verify_basic_auth(hex_text, identity="AL1000", configured=KEY_HEX, version="1.6")
    tolerant = sec.verify_basic_auth(
        hex_text, identity="AL1000", configured=KEY_HEX, version="1.6", accept_hex_text=True
    )
    assert tolerant and tolerant.form == "hex-text"
    assert not sec.verify_basic_auth(good, identity="AL1001", configured=KEY_HEX, version="1.6")
    assert not sec.verify_basic_auth(None, identity="AL1000", configured=KEY_HEX, version="1.6")
    assert not sec.verify_basic_auth("Bearer x", identity="AL1000", configured=KEY_HEX, version="1.6")
    text = sec.basic_auth_header("CS1", "a" * 20)
    assert sec.verify_basic_auth(text, identity="CS1", configured="a" * 20, version="2.1").form == "utf-8"
    assert not sec.verify_basic_auth(text, identity="CS1", configured="b" * 20, version="2.1")


@pytest.mark.parametrize(
    "header",
    ["Basic", "Basic ###", "Basic " + base64.b64encode(b"nocolon").decode(), b"Basic \xff", "Digest x", 5],
)
def test_parse_basic_auth_refuses_malformed_headers(header: object) -> None:
    with pytest.raises(CredentialsInvalid):
        sec.parse_basic_auth(header)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=80), st.binary(max_size=80)))
def test_verify_never_raises_on_the_header(header: str | bytes) -> None:
    assert not sec.verify_basic_auth(header, identity="CS1", configured="a" * 20, version="2.0.1")


# -- security profiles -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "current", "new", "allow", "keywords"),
    [
        ("1.6", 1, 2, False, []),
        ("1.6", 2, 2, False, ["profile.same"]),  # 1.6 A05.FR.01: lower *or equal*
        ("2.0.1", 2, 2, False, []),  # 2.0.1 A05.FR.04: equal or higher
        ("1.6", 3, 2, True, ["profile.downgrade"]),  # no downgrade switch in 1.6
        ("2.0.1", 3, 2, False, ["profile.downgrade"]),
        ("2.0.1", 3, 2, True, []),  # errata 2025-01 AllowSecurityProfileDowngrade
        ("2.1", 3, 2, True, []),
        ("2.1", 2, 1, True, ["profile.downgrade"]),  # never down to 1
        ("2.1", 3, 1, True, ["profile.downgrade"]),
        ("2.1", 0, 3, False, []),
    ],
)
def test_never_downgrade(version: str, current: int, new: int, allow: bool, keywords: list[str]) -> None:
    found = sec.profile_change_violations(version, current, new, allow_downgrade=allow)
    assert [v.keyword for v in found] == keywords


def test_profile_prerequisites_and_connection_profile() -> None:
    found = sec.profile_change_violations(
        "2.0.1", 1, 3, has_password=False, has_csms_root_certificate=False, has_station_certificate=False
    )
    assert [v.keyword for v in found] == ["profile.root-certificate", "profile.station-certificate"]
    assert [v.keyword for v in sec.profile_change_violations("1.6", 0, 1, has_password=False)] == [
        "profile.password"
    ]
    assert sec.connection_profile_violations(2, 2) == ()
    assert sec.connection_profile_violations(3, 2)[0].keyword == "profile.mismatch"
    with pytest.raises(UnsupportedError):
        sec.profile_change_violations("2.1", 1, 4)


# -- CSR and certificate chain (the crypto extra) ------------------------------------------------

x509 = pytest.importorskip("cryptography.x509", reason="the crypto extra (cryptography) is not installed")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _name(cn: str, org: str | None = "ACME CPO") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _csr(key: object, cn: str = "SN-0001", org: str | None = "ACME CPO") -> bytes:
    builder = x509.CertificateSigningRequestBuilder().subject_name(_name(cn, org))
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)  # type: ignore[arg-type]


def _cert(subject: x509.Name, key: object, issuer: x509.Name, signer: object) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(T0)
        .not_valid_after(T0 + timedelta(days=30))
        .sign(signer, hashes.SHA256())  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def keys() -> dict[str, object]:
    return {
        "leaf": ec.generate_private_key(ec.SECP256R1()),
        "ca": ec.generate_private_key(ec.SECP384R1()),
        "small_ec": ec.generate_private_key(ec.SECP192R1()),
        "small_rsa": rsa.generate_private_key(public_exponent=65537, key_size=1024),
    }


def test_csr_checks(keys: dict[str, object]) -> None:
    assert sec.csr_violations(_csr(keys["leaf"]), organization="ACME CPO", serial_number="SN-0001") == ()
    assert [v.keyword for v in sec.csr_violations(_csr(keys["leaf"]), organization="Other")] == [
        "subject.organization"
    ]
    assert [v.keyword for v in sec.csr_violations(_csr(keys["leaf"], org=None))] == ["subject.organization"]
    assert [v.keyword for v in sec.csr_violations(_csr(keys["leaf"], cn="10.0.0.1"))] == [
        "subject.common-name"
    ]
    assert [v.keyword for v in sec.csr_violations(_csr(keys["small_rsa"]))] == ["key.size"]
    assert [v.keyword for v in sec.csr_violations(_csr(keys["small_ec"]))] == ["key.size"]
    assert [v.keyword for v in sec.csr_violations("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n")] == [
        "csr.pem"
    ]


def test_chain_checks(keys: dict[str, object]) -> None:
    ca_name = _name("ACME Sub-CA")
    ca = _cert(ca_name, keys["ca"], ca_name, keys["ca"])
    leaf = _cert(_name("SN-0001"), keys["leaf"], ca_name, keys["ca"])
    pem = lambda *certs: b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)  # noqa: E731
    assert (
        sec.certificate_chain_violations(pem(leaf, ca), organization="ACME CPO", now=T0 + timedelta(days=1))
        == ()
    )
    assert "chain.order" in {v.keyword for v in sec.certificate_chain_violations(pem(ca, leaf))}
    expired = sec.certificate_chain_violations(pem(leaf, ca), now=T0 + timedelta(days=60))
    assert [v.path for v in expired] == ["/0", "/1"]
    assert [v.keyword for v in sec.certificate_chain_violations(b"no pem here")] == ["chain.pem"]
    with pytest.raises(UnsupportedError):
        sec.certificate_chain_violations(pem(leaf), now=datetime(2026, 1, 2))
