"""OCPP carriage of signed meter values: the OCA note's examples and a real charger's capture."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from ocpkit.energy import SignedMeterValue, ocmf, readings_from_payload
from ocpkit.errors import OcmfInvalid
from ocpkit.ocpp.conversation import check
from ocpkit.ocpp.rpc import parse_frame
from tests.energy.ocmf._make import Signer, payload, reading, require_crypto

CARRIAGE = ("conformance", "ocmf", "ocpp-carriage")


def test_the_oca_16_example_unpacks_and_verifies(shared: Path) -> None:
    require_crypto()
    base = shared.joinpath(*CARRIAGE, "oca-signed-meter-values-v1.0")
    frame = json.loads((base / "5.2-StopTransaction.req.json").read_text())
    decoded = json.loads((base / "5.2-decoded.json").read_text())
    (signed,) = [r for r in readings_from_payload("StopTransaction", frame[3]) if r.signed is not None]
    assert signed.signed is not None
    carried = ocmf.unpack(signed.signed)
    assert carried.is_ocmf and carried.encoding_method == "OCMF" and carried.signing_method is None
    assert carried.data == decoded["signedMeterData_decoded"]
    assert any("signingMethod is absent" in n for n in carried.notes)
    assert any("'oca:' form" in n for n in carried.notes)  # base64 of the printed hex, not oca:
    record = carried.record()
    assert record.signature.algorithm is ocmf.SignatureAlgorithm.ECDSA_SECP256K1_SHA256
    key = carried.key()
    assert key is not None and key.hex == decoded["publicKey_decoded"].upper()
    assert record.verify(key).valid
    assert [r.value_text for r in record.readings] == ["0.000", "0.636"]
    assert "U" in record.payload.extensions  # the DZG total register, a vendor extension
    # Through the fold: the lone StopTransaction verifies; its register counts the transaction only.
    found = [
        f for f in check([parse_frame(json.dumps(frame), version="1.6")], "1.6") if f.code.startswith("ocmf.")
    ]
    assert [f.code for f in found if f.severity == "error"] == []


def test_the_oca_key_composition(shared: Path) -> None:
    example = json.loads(
        shared.joinpath(
            *CARRIAGE, "oca-signed-meter-values-v1.0", "5.3-publicKey-composition.json"
        ).read_text()
    )
    key = ocmf.load_public_key(example["publicKey_field_value"])
    assert key.forms[:2] == ("base64", "oca") and key.curve is ocmf.Curve.SECP256K1
    assert key.hex == example["printed_public_key"].upper()
    assert ocmf.load_public_key(example["with_metadata"]).point == key.point


def test_a_real_20_capture_unpacks_and_verifies(shared: Path) -> None:
    """KEBA P30 over 2.0.1 (logged in snake_case): signingMethod ECC256, the key wrapped in JSON."""
    require_crypto()
    capture = json.loads(
        shared.joinpath(
            *CARRIAGE, "m-hegele-notes", "keba-p30-2.0.1-TransactionEvent-Ended.meterValue.json"
        ).read_text()
    )
    signed = [
        sv["signed_meter_value"]
        for mv in capture["meter_value_entries"]
        for sv in mv["sampled_value"]
        if "signed_meter_value" in sv
    ]
    assert len(signed) == 2
    for value in signed:
        carried = ocmf.unpack(value)
        assert carried.signing_method == "ECC256"
        record = carried.record()
        key = carried.key()
        assert key is not None and "json" in key.forms
        assert record.verify(key).valid
        assert [str(r.value) for r in record.readings] == ["2114.1356", "2133.8543"]


def test_16_text_forms() -> None:
    signer = Signer()
    text = signer.record(payload(1, [reading("B", "1.000", "2024-03-01T08:00:00,000+0100 S")]))
    plain = ocmf.unpack(SignedMeterValue(text))
    assert plain.data == text and "not the OCA note's JSON object" in plain.notes[0]
    hexed = ocmf.unpack(text.encode().hex())
    assert hexed.data == text and "hex" in hexed.notes[-1]
    as_b64 = ocmf.unpack(base64.b64encode(text.encode()).decode())
    assert as_b64.data == text
    two_x = ocmf.unpack(
        {
            "signedMeterData": base64.b64encode(text.encode()).decode(),
            "encodingMethod": "OCMF",
            "publicKey": "",
        }
    )
    assert two_x.data == text and two_x.public_key is None and two_x.key() is None
    edl = ocmf.unpack("<?xml version='1.0'?><signedMeterValue/>")
    assert not edl.is_ocmf
    with pytest.raises(OcmfInvalid):
        ocmf.unpack({"publicKey": "x"})
    with pytest.raises(OcmfInvalid):
        ocmf.unpack({"signedMeterData": 5})
    with pytest.raises(OcmfInvalid):
        ocmf.unpack(17)  # type: ignore[arg-type]
