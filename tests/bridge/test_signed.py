"""CDR signed_data from OCMF records (built by the bridge, and verified), and the check of a CDR's."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ocpkit.bridge import BridgeConfig, Message, check_signed_data, read_transaction, signed_data, to_cdr
from ocpkit.energy import ocmf
from ocpkit.errors import BridgeError
from ocpkit.ocpi import to_jsonable
from tests.energy.ocmf._make import Signer, payload, reading
from tests.energy.ocmf.test_watch import capture_16, oca_key

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TM = "2024-03-01T{}:00,000+0100 S"
CDR_LOCATION: dict[str, Any] = {
    "id": "LOC-1",
    "name": "Station",
    "address": "Stationsplein 1",
    "city": "Utrecht",
    "country": "NLD",
    "coordinates": {"latitude": "52.08900", "longitude": "5.11000"},
    "evse_uid": "EVSE-1",
    "evse_id": "NL*CPO*E1",
    "connector_id": "1",
    "connector_standard": "IEC_62196_T2",
    "connector_format": "SOCKET",
    "connector_power_type": "AC_3_PHASE",
}


def transaction(
    signer: Signer, begin: str, end: str, key: str | None = None, end_key: str | None = None
) -> Any:
    key = oca_key(signer) if key is None else key
    raw = capture_16(begin, end, key)
    if end_key is not None:
        raw[4] = raw[4].replace(key, end_key)
    lines = [json.loads(line) for line in raw]
    calls = {frame[1]: frame for frame in lines if frame[0] == 2}
    answers = {frame[1]: frame[2] for frame in lines if frame[0] == 3}
    messages = [Message(call[2], call[3], None, answers.get(mid)) for mid, call in calls.items()]
    return read_transaction(messages)


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


@pytest.fixture(scope="module")
def records(signer: Signer) -> tuple[str, str]:
    begin = signer.record(payload(1, [reading("B", "100.000", TM.format("08:00"))]))
    end = signer.record(payload(2, [reading("E", "129.500", TM.format("09:30"))]))
    return begin, end


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
def test_the_cdr_built_by_the_bridge_carries_verified_signed_data(
    signer: Signer, records: tuple[str, str], version: str
) -> None:
    tx = transaction(signer, *records)
    data = signed_data(tx, url="https://cpo.example/verify")
    assert data["encoding_method"] == "OCMF" and data["url"] == "https://cpo.example/verify"
    assert [v["nature"] for v in data["signed_values"]] == ["Start", "End"]
    assert data["signed_values"][1]["plain_data"] == f"E {TM.format('09:30')} 129.500 kWh 01-00:B0.08.00*FF"
    assert base64.b64decode(data["public_key"]) == signer.spki
    config = BridgeConfig("NL", "CPO", CDR_LOCATION, "EUR")
    cdr = to_cdr(tx, config, now=NOW, version=version, signed_data=data)
    assert cdr.total_energy == Decimal("29.5")
    result = check_signed_data(cdr)
    assert result.ok and result.findings == () and result.signed_energy_kwh == Decimal("29.5")
    # The wire form reads back the same, and each signed value is the record as sent.
    wire = to_jsonable(cdr)
    assert check_signed_data(wire).ok
    texts = [base64.b64decode(v["signed_data"]).decode() for v in wire["signed_data"]["signed_values"]]
    assert texts == list(records)
    assert all(ocmf.parse(t).verify(signer.hex).valid for t in texts)


def test_an_incoming_cdr_whose_energy_or_signature_disagrees(
    signer: Signer, records: tuple[str, str]
) -> None:
    tx = transaction(signer, *records)
    config = BridgeConfig("NL", "CPO", CDR_LOCATION, "EUR")
    wire = to_jsonable(to_cdr(tx, config, now=NOW, signed_data=signed_data(tx)))
    wire["total_energy"] = Decimal("31.2")
    result = check_signed_data(wire)
    assert not result.ok and [f.code for f in result.findings] == ["cdr.signed-data.energy-mismatch"]
    assert "29.5 kWh" in result.findings[0].message
    forged = dict(wire, total_energy=Decimal("29.5"))
    end = forged["signed_data"]["signed_values"][1]
    end["signed_data"] = base64.b64encode(records[1].replace("129.500", "129.501").encode()).decode()
    result = check_signed_data(forged)
    assert [f.code for f in result.findings] == ["cdr.signed-data.signature-invalid"]
    end["signed_data"] = "not base64!"
    end["nature"] = "Start"
    codes = [f.code for f in check_signed_data(forged).findings]
    assert "cdr.signed-data.unreadable" in codes and "cdr.signed-data.incomplete" in codes
    other_key = Signer()
    assert not check_signed_data(wire, public_key=other_key.hex).ok
    assert [f.code for f in check_signed_data({"id": "X"}).findings] == ["cdr.signed-data.absent"]
    edl = {"id": "X", "signed_data": {"encoding_method": "EDL40", "signed_values": []}}
    assert [f.code for f in check_signed_data(edl).findings] == ["cdr.signed-data.encoding"]


def test_only_evidence_that_holds_is_passed_on(signer: Signer, records: tuple[str, str]) -> None:
    begin, end = records
    with pytest.raises(BridgeError, match="does not verify"):
        signed_data(transaction(signer, begin, end.replace("129.500", "129.400")))
    with pytest.raises(BridgeError, match="no public key"):
        signed_data(transaction(signer, begin, end, key=""))
    unverified = signed_data(transaction(signer, begin, end, key=""), verify=False)
    assert "public_key" not in unverified and len(unverified["signed_values"]) == 2
    other = Signer()
    end_other = other.record(payload(2, [reading("E", "129.500", TM.format("09:30"))]))
    with pytest.raises(BridgeError, match="different keys"):
        signed_data(transaction(signer, begin, end_other, end_key=oca_key(other)))
    both = signer.record(
        payload(3, [reading("B", "100.000", TM.format("08:00")), reading("E", "129.500", TM.format("09:30"))])
    )
    single = signed_data(transaction(signer, both, both))
    assert [v["nature"] for v in single["signed_values"]] == ["End"]  # one document with both: End
