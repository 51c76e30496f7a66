"""``ocpkit ocmf``: records, their readings and the verification result, as text and JSON."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from ocpkit.cli import main
from tests.energy.ocmf._make import Signer, payload, reading

TM = "2024-03-01T{}:00,000+0100 S"


def run(*argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err, stdin=io.BytesIO(stdin))
    return status, out.getvalue(), err.getvalue()


def records(signer: Signer) -> tuple[str, str]:
    begin = signer.record(payload(1, [reading("B", "100.000", TM.format("08:00"))]))
    end = signer.record(payload(2, [reading("E", "129.500", TM.format("09:30"))]))
    return begin, end


def test_a_record_its_readings_and_its_signature(tmp_path: Path) -> None:
    signer = Signer()
    begin, _ = records(signer)
    path = tmp_path / "record.txt"
    path.write_text(begin + "\n")
    key = tmp_path / "key.pem"
    key.write_text(signer.pem)
    status, out, err = run("ocmf", str(path), "--key", str(key))
    assert status == 0, err
    assert "OCMF record T1 (format 1.3)" in out
    assert f"B  {TM.format('08:00')}  100.000 kWh  01-00:B0.08.00*FF  state G  billable" in out
    assert "verified: the signature matches" in out
    status, out, _ = run("ocmf", str(path), "--key", Signer().hex)
    assert status == 1 and "NOT VERIFIED" in out
    status, out, _ = run("ocmf", str(path))
    assert status == 0 and "not checked: no public key" in out


def test_json_report_for_several_records_from_stdin() -> None:
    signer = Signer()
    begin, end = records(signer)
    status, out, _ = run(
        "ocmf", "-", "--key", signer.hex, "--report", "json", stdin=f"{begin}\n{end}\n".encode()
    )
    assert status == 0
    doc = json.loads(out)
    assert [r["payload"]["PG"] for r in doc["records"]] == ["T1", "T2"]
    assert [r["readings"][0]["value"] for r in doc["records"]] == ["100.000", "129.500"]
    assert all(r["verification"]["valid"] is True for r in doc["records"])
    assert doc["records"][0]["readings"][0]["utc"] == "2024-03-01T07:00:00+00:00"


def test_a_signed_meter_value_as_ocpp_carries_it() -> None:
    signer = Signer()
    begin, _ = records(signer)
    value = {
        "signedMeterValue": {
            "signedMeterData": base64.b64encode(begin.encode()).decode(),
            "signingMethod": "",
            "encodingMethod": "OCMF",
            "publicKey": base64.b64encode(("oca:base16:asn1:" + signer.hex).encode()).decode(),
        }
    }
    status, out, _ = run("ocmf", "-", stdin=json.dumps(value).encode())
    assert status == 0 and "verified: the signature matches" in out


def test_strict_refuses_and_bad_input_never_raises(tmp_path: Path) -> None:
    text = 'OCMF|{"FV":"1.3","PG":"T01","RD":[]}|{"SD":"00"}'
    status, out, _ = run("ocmf", "-", "--strict", stdin=text.encode())
    assert status == 1 and "strict reading refuses the record" in out and "PaginationLeadingZero" in out
    assert run("ocmf", "-", stdin=text.encode())[0] == 0
    for bad in (b"OCMF|{", b"\xff\xfe", b"", b"[1,2]", b"OCMF|" + b"[" * 100):
        status, out, err = run("ocmf", "-", stdin=bad)
        assert status == 2, (bad, out, err)
        assert "Traceback" not in out + err
    status, _, err = run("ocmf", str(tmp_path / "missing.txt"))
    assert status == 2 and "missing.txt" in err
