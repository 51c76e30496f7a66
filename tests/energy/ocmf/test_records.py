"""OCMF records: typed fields, strict and lenient reading, keys in every form, hostile input."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpkit.energy import ocmf
from ocpkit.energy.ocmf import DeviationKind as K
from ocpkit.errors import OcmfError, OcmfInvalid, OcpkitError
from tests.energy.ocmf._make import Signer, payload, reading, require_crypto

TM_B = "2024-03-01T08:00:00,000+0100 S"
TM_E = "2024-03-01T09:30:00,000+0100 S"


def lawful() -> str:
    return payload(7, [reading("B", "100.000", TM_B), reading("E", "129.500", TM_E)], TT="Tarif 1")


def test_every_field_is_typed() -> None:
    record = ocmf.parse(f'OCMF|{lawful()}|{{"SD":"3045"}}')
    p = record.payload
    assert p.format_version == "1.3" and p.gateway_identification == "TEST" and p.gateway_serial == "GW-1"
    assert p.pagination == ocmf.Pagination("T", 7) and p.meter_serial == "1TEST0000001"
    assert p.identification_status is True and p.identification_level is ocmf.IdentificationLevel.VERIFIED
    assert p.identification_flags == (ocmf.IdentificationFlag.RFID_PLAIN,)
    assert p.identification_type is ocmf.IdentificationType.ISO14443 and p.tariff_text == "Tarif 1"
    begin, end = record.readings
    assert (
        begin.value == Decimal("100.000") and str(begin.value) == "100.000" and begin.value_text == "100.000"
    )
    assert begin.is_begin and end.is_end and end.energy_wh == Decimal("129500.000")
    assert begin.time is not None and begin.time.status is ocmf.TimeStatus.SYNCHRONIZED
    assert begin.time.utc.isoformat() == "2024-03-01T07:00:00+00:00" and str(begin.time) == TM_B
    assert begin.obis is not None and begin.obis.canonical == "01-00:B0.08.00*FF" and begin.obis.is_canonical
    assert begin.unit is ocmf.Unit.KWH and begin.state is ocmf.MeterState.OK and begin.billable
    assert record.signature.algorithm is ocmf.SignatureAlgorithm.ECDSA_SECP256R1_SHA256  # the default
    assert record.signature.data == bytes.fromhex("3045")
    assert record.deviations == ()
    assert record.signed_text == lawful() and record.signed_bytes == lawful().encode()


def test_carry_forward_keeps_the_error_flag_and_never_the_value() -> None:
    text = (
        'OCMF|{"FV":"1.3","PG":"T1","MS":"M","IS":true,"IF":[],"IT":"NONE","RD":['
        '{"TM":"2021-10-06T13:13:56,000+0200 R","TX":"B","RV":57.584,"RI":"1-0:1.8.0","RU":"kWh","RT":"DC","EF":"E","ST":"G"},'
        '{"TX":"X"},{"RV":4.4,"RI":"1-0:2.8.0","RU":"kWh"}]}|{"SD":"00"}'
    )
    record = ocmf.parse(text)
    first, event, export = record.readings
    assert event.value is None and event.error_flags == "E" and event.time == first.time
    assert event.obis == first.obis and event.current_type is ocmf.CurrentType.DC
    assert export.obis is not None and export.obis.direction == "export" and not export.billable
    assert event.explicit == frozenset({"TX"})
    carried = [d.path for d in record.deviations if d.kind is K.CARRIED_FORWARD_MANDATORY_FIELD]
    assert carried == [
        "/payload/RD/1/TM",
        "/payload/RD/1/RU",
        "/payload/RD/1/ST",
        "/payload/RD/2/TM",
        "/payload/RD/2/ST",
    ]


def test_values_outside_their_tables_are_kept_and_never_billable() -> None:
    text = lawful().replace('"ST":"G"', '"ST":"Q"', 1).replace('"RU":"kWh"', '"RU":"sec"', 1)
    record = ocmf.parse(f'OCMF|{text}|{{"SD":"00","SA":"ECDSA-p999-SHA256","XX":1,"QQ":2}}')
    begin = record.readings[0]
    assert begin.state == "Q" and not isinstance(begin.state, ocmf.MeterState) and not begin.billable
    assert begin.unit == "sec" and begin.energy_wh is None
    assert record.signature.algorithm is None and record.signature.algorithm_text == "ECDSA-p999-SHA256"
    kinds = Counter(d.kind for d in record.deviations)
    assert kinds[K.UNDEFINED_TABLE_VALUE] == 3 and kinds[K.UNKNOWN_KEY] == 1  # XX is a vendor key


def test_strict_lists_every_breach_and_lenient_returns_them() -> None:
    text = 'OCMF|{"FV":"1.3.1","PG":"T01","RD":[{"TM":"2024-03-01T08:00:00.000+01:00","RV":1}]}|{}'
    lenient = ocmf.parse(text)
    assert {d.kind for d in lenient.breaches} >= {
        K.FORMAT_VERSION_MALFORMED,
        K.PAGINATION_LEADING_ZERO,
        K.METER_SERIAL_MISSING,
        K.SOURCE_UNIDENTIFIABLE,
        K.IDENTIFICATION_STATUS_MISSING,
        K.TIME_DOT_MILLISECONDS,
        K.TIME_OFFSET_WITH_COLON,
        K.TIME_STATUS_MISSING,
        K.MANDATORY_READING_FIELD_MISSING,
        K.SIGNATURE_DATA_MISSING,
    }
    with pytest.raises(OcmfInvalid) as caught:
        ocmf.parse(text, strict=True)
    violations = caught.value.violations
    assert len(violations) == len(lenient.breaches)
    assert {v.keyword for v in violations} == {str(d.kind) for d in lenient.breaches}
    assert "/payload/RD/0/TM" in {v.path for v in violations}


def test_strict_accepts_what_the_text_allows() -> None:
    pretty = "OCMF|" + json.dumps(json.loads(lawful()), indent=2) + '|{"SD":"00"}'
    record = ocmf.parse(pretty, strict=True)  # whitespace is lawful, and reported
    assert [d.kind for d in record.deviations] == [K.PRETTY_PRINTED_PAYLOAD]
    assert record.to_text() == pretty


@pytest.mark.parametrize(
    "text",
    [
        "",
        "OCMF",
        "ocmf|{}|{}",
        "OCMF|{}",
        "OCMF|[]|{}",
        "OCMF|{}|[]",
        'OCMF|{"a":1} x|{}',
        "OCMF|{}|{} x",
        "OCMF|{}|{}|k|more",
        'OCMF|{"a":"unterminated|{}',
        "OCMF|" + "[" * 40 + "]" * 40 + "|{}",
        'OCMF|{"a":1.}|{}',
        'OCMF|{"a":NaN}|{}',
        "OCMF|{" + ",".join(f'"k{i}":1' for i in range(300)) + "}|{}",
    ],
)
def test_structure_is_refused_with_an_ocpkit_error(text: str) -> None:
    with pytest.raises(OcmfInvalid):
        ocmf.parse(text)


def test_readings_beyond_the_limit_are_dropped_and_said() -> None:
    many = ",".join(['{"RV":1}'] * 300)
    text = (
        f'OCMF|{{"FV":"1.3","PG":"T1","MS":"M","IS":false,"IF":[],"IT":"NONE","RD":[{many}]}}|{{"SD":"00"}}'
    )
    assert len(ocmf.parse(text).readings) == 300  # arrays have no item limit of their own
    cut = ocmf.parse(text, max_readings=2)
    assert len(cut.readings) == 2 and K.READINGS_TRUNCATED in {d.kind for d in cut.deviations}
    assert cut.to_text() == text


def test_bytes_are_read_as_utf8_and_bad_bytes_refused() -> None:
    text = f'OCMF|{lawful().replace("Tarif 1", "Süd")}|{{"SD":"00"}}'
    assert ocmf.parse(text.encode()).payload.tariff_text == "Süd"
    assert ocmf.parse(text).signed_bytes == lawful().replace("Tarif 1", "Süd").encode()
    with pytest.raises(OcmfInvalid):
        ocmf.parse(b"OCMF|{\xff}|{}")
    with pytest.raises(OcmfInvalid):
        ocmf.parse(12)  # type: ignore[arg-type]
    with pytest.raises(OcmfInvalid):
        ocmf.parse("OCMF|{}|{}" + " " * ocmf.MAX_RECORD)


def test_huge_numbers_and_hostile_escapes_cost_the_field_not_the_record() -> None:
    text = (
        'OCMF|{"FV":"1.3","PG":"T1","MS":"M","MV":"\\ud800x\\q","IS":false,"IF":[],"IT":"NONE",'
        '"RD":[{"TM":"' + TM_B + '","TX":"B","RV":1e999999999,"RU":"kWh","ST":"G","CL":"x"}]}|{"SD":"zz"}'
    )
    record = ocmf.parse(text)
    assert record.readings[0].value is None and record.readings[0].cumulated_loss is None
    assert record.payload.meter_vendor == "\ufffdxq"
    kinds = Counter(d.kind for d in record.deviations)
    assert kinds[K.NUMBER_UNREPRESENTABLE] == 2 and kinds[K.INVALID_STRING_ESCAPE] == 2
    assert kinds[K.SIGNATURE_DATA_UNDECODABLE] == 1 and record.signature.data is None


@given(st.text(max_size=300))
def test_any_text_is_a_record_or_an_ocmf_invalid(text: str) -> None:
    for candidate in (text, "OCMF|" + text, f"OCMF|{{{text}}}|{{}}"):
        try:
            record = ocmf.parse(candidate)
        except OcmfInvalid:
            continue
        assert record.to_text() == candidate


@given(st.binary(max_size=200))
def test_any_bytes_are_a_record_or_an_ocmf_invalid(data: bytes) -> None:
    _parses_or_is_refused(b"OCMF|" + data)


@given(st.integers(min_value=0, max_value=400), st.sampled_from(["B", "C", "E", "L", "T"]))
def test_cut_records_are_refused_never_crash(cut: int, tx: str) -> None:
    body = lawful().replace('"TX":"B"', '"TX":"' + tx + '"')
    text = "OCMF|" + body + '|{"SD":"3044"}'
    cut_text = text[: len(text) - cut]
    record = _parses_or_is_refused(cut_text)
    # A cut anywhere before the signature section closes leaves no record.
    assert (record is not None) is (cut == 0)


def _parses_or_is_refused(data: str | bytes) -> ocmf.Record | None:
    """Parse *data*: a record must print back as its input; anything else is an OcmfInvalid."""
    try:
        record = ocmf.parse(data)
    except OcmfInvalid as exc:
        assert exc.violations, "a refusal names what is wrong"
        return None
    expected = data if isinstance(data, str) else data.decode()
    assert record.to_text() == expected
    return record


# --------------------------------------------------------------------------- verification


@pytest.mark.parametrize(
    ("curve", "algorithm"),
    [
        ("secp256r1", "ECDSA-secp256r1-SHA256"),
        ("secp256k1", "ECDSA-secp256k1-SHA256"),
        ("secp192r1", "ECDSA-secp192r1-SHA256"),
        ("secp384r1", "ECDSA-secp384r1-SHA256"),
        ("brainpoolP256r1", "ECDSA-brainpool256r1-SHA256"),
        ("brainpoolP384r1", "ECDSA-brainpool384r1-SHA256"),
    ],
)
def test_a_test_key_verifies_and_its_malleable_twin_too(curve: str, algorithm: str) -> None:
    from ocpkit.energy.ocmf._verify import _ORDER, _read_der_signature, _tlv

    signer = Signer(curve)
    text = signer.record(lawful(), algorithm=algorithm)
    record = ocmf.parse(text)
    assert record.verify(signer.hex).valid
    # (r, n - s) verifies exactly when n is the curve's true order: a check on the constants.
    r, s, _ = _read_der_signature(record.signature.data or b"") or (0, 0, True)
    n = _ORDER[ocmf.Curve(curve)]

    def integer(v: int) -> bytes:
        body = v.to_bytes((v.bit_length() + 8) // 8, "big")
        return _tlv(0x02, body)

    twin = _tlv(0x30, integer(r) + integer(n - s)).hex()
    result = ocmf.parse(text.replace(record.signature.data_text or "", twin)).verify(signer.hex)
    assert result.valid
    assert (K.HIGH_S_SIGNATURE in {d.kind for d in result.deviations}) is (n - s > n // 2)
    wrong = Signer("secp256r1" if curve != "secp256r1" else "secp384r1")
    assert not record.verify(wrong.hex).valid


def test_secp192k1_arithmetic_holds_its_group_law() -> None:
    from ocpkit.energy.ocmf._verify import _K192_G, _K192_P, _ORDER, _k192_add, _k192_mul

    x, y = _K192_G
    assert (y * y - x**3 - 3) % _K192_P == 0
    n = _ORDER[ocmf.Curve.SECP192K1]
    assert _k192_mul(n, _K192_G) is None and _k192_mul(n + 1, _K192_G) == _K192_G
    assert _k192_add(_k192_mul(2, _K192_G), _K192_G) == _k192_mul(3, _K192_G)


def test_every_key_form_ocpp_carries_reads_to_the_same_point() -> None:
    require_crypto()
    signer = Signer()
    spki = signer.spki
    oca = "oca:base16:asn1:" + spki.hex()
    forms = {
        "hex": signer.hex,
        "spaced hex": " ".join(signer.hex[i : i + 4] for i in range(0, len(signer.hex), 4)),
        "0x hex": "0x" + spki.hex(),
        "colons": ":".join(f"{b:02x}" for b in spki),
        "base64": base64.b64encode(spki).decode(),
        "pem": signer.pem,
        "oca": oca,
        "oca base64": "oca:base64:asn1:" + base64.b64encode(spki).decode(),
        "base64 of oca": base64.b64encode(oca.encode()).decode(),
        "base64 of hex": base64.b64encode(signer.hex.encode()).decode(),
        "json UK": base64.b64encode(json.dumps({"UK": signer.hex}).encode()).decode(),
        "bytes": spki,
    }
    text = signer.record(lawful())
    record = ocmf.parse(text)
    points = set()
    for name, form in forms.items():
        key = ocmf.load_public_key(form)
        assert key.curve is ocmf.Curve.SECP256R1, name
        assert record.verify(form).valid, name
        points.add(key.point)
    assert len(points) == 1
    bare = ocmf.load_public_key(spki[-64:].hex())
    assert bare.curve is None and "bare X||Y" in bare.forms and record.verify(bare).valid
    assert ocmf.load_public_key(bare.spki(ocmf.Curve.SECP256R1)).point == bare.point
    compressed = bytes([2 + (bare.point[-1] & 1)]) + bare.point[1:33]
    assert record.verify(compressed).valid


@pytest.mark.parametrize(
    "key",
    [
        "",
        "not a key",
        "oca:base32:asn1:00",
        "oca:base16:der:3059",
        "${jndi:ldap://x/a}3059",
        "{}",
        "0011",
        b"\x30\x03\x02\x01",
    ],
)
def test_unreadable_keys_are_refused(key: str | bytes) -> None:
    with pytest.raises(OcmfInvalid):
        ocmf.load_public_key(key)


def test_a_key_for_another_curve_or_an_undefined_algorithm_fails_by_name() -> None:
    signer = Signer("secp256k1")
    text = signer.record(lawful(), algorithm="ECDSA-secp256k1-SHA256")
    as_p256 = ocmf.parse(text.replace("secp256k1", "secp256r1"))
    result = as_p256.verify(signer.hex)
    assert not result.valid and "secp256k1 key" in result.reason
    undefined = ocmf.parse(text.replace("ECDSA-secp256k1-SHA256", "RSA-2048-SHA256")).verify(signer.hex)
    assert not undefined.valid and "Tab. 22" in undefined.reason


def test_without_the_crypto_extra_parsing_works_and_verify_names_the_extra() -> None:
    record = f'OCMF|{lawful()}|{{"SD":"3045"}}'
    script = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from ocpkit.energy import ocmf\n"
        "from ocpkit.errors import OcmfError\n"
        f"r = ocmf.parse({record!r})\n"
        "assert not ocmf.crypto_available() and len(r.readings) == 2\n"
        "try:\n    r.verify('00' * 64)\nexcept OcmfError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "'crypto' extra" in done.stdout and "pip install 'ocpkit[crypto]'" in done.stdout
    assert issubclass(OcmfError, OcpkitError) and issubclass(OcmfInvalid, OcpkitError)


def test_the_catalogue_is_complete_and_names_are_stable() -> None:
    assert len(ocmf.DEVIATIONS) == len(K) == 47
    assert sum(not info.breach for info in ocmf.DEVIATIONS.values()) == 8
    deviation = ocmf.Deviation(K.METER_SERIAL_MISSING, "/payload/MS", 5)
    assert deviation.breach and deviation.as_dict()["kind"] == "MeterSerialMissing"
    assert "MeterSerialMissing at /payload/MS" in str(deviation)
