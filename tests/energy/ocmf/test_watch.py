"""The signed-meter-value watcher on synthetic captures signed with a key made in the test."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpkit.cli import main
from ocpkit.energy.ocmf.watch import SignedMeterValues
from ocpkit.findings import Finding
from ocpkit.ocpp.conversation import check
from ocpkit.ocpp.rpc import parse_frame
from ocpkit.ocpp.watch import DEFAULT_WATCHERS, Exchange
from tests.energy.ocmf._make import Signer, payload, reading

WATCHER = "ocpkit.energy.ocmf.watch:watcher"
TM = "2024-03-01T{}:00,000+0100 S"


def record(signer: Signer, page: int, readings: list[dict[str, Any]], **extra: Any) -> str:
    return signer.record(payload(page, readings, **extra))


def oca_key(signer: Signer) -> str:
    return base64.b64encode(("oca:base16:asn1:" + signer.hex).encode()).decode()


def signed_16(text: str, key: str, context: str, at: str) -> dict[str, Any]:
    """A 1.6 MeterValue whose SignedData value is the OCA note's JSON object."""
    value = json.dumps(
        {
            "signedMeterData": base64.b64encode(text.encode()).decode(),
            "signingMethod": "",
            "encodingMethod": "OCMF",
            "publicKey": key,
        }
    )
    return {
        "timestamp": at,
        "sampledValue": [{"value": value, "format": "SignedData", "context": context, "unit": "Wh"}],
    }


def capture_16(
    begin: str, end: str, key: str, *, meter_start: int = 100000, meter_stop: int = 129500
) -> list[str]:
    return [
        json.dumps(
            [
                2,
                "s1",
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": "T1",
                    "meterStart": meter_start,
                    "timestamp": "2024-03-01T07:00:00Z",
                },
            ]
        ),
        json.dumps([3, "s1", {"idTagInfo": {"status": "Accepted"}, "transactionId": 17}]),
        json.dumps(
            [
                2,
                "m1",
                "MeterValues",
                {
                    "connectorId": 1,
                    "transactionId": 17,
                    "meterValue": [
                        signed_16(begin, key, "Transaction.Begin", "2024-03-01T07:00:00Z"),
                        {
                            "timestamp": "2024-03-01T07:30:00Z",
                            "sampledValue": [{"value": "110000", "unit": "Wh"}],
                        },
                    ],
                },
            ]
        ),
        json.dumps([3, "m1", {}]),
        json.dumps(
            [
                2,
                "t1",
                "StopTransaction",
                {
                    "transactionId": 17,
                    "meterStop": meter_stop,
                    "timestamp": "2024-03-01T08:30:00Z",
                    "transactionData": [signed_16(end, key, "Transaction.End", "2024-03-01T08:30:00Z")],
                },
            ]
        ),
        json.dumps([3, "t1", {"idTagInfo": {"status": "Accepted"}}]),
    ]


def ocmf_findings(lines: Iterable[str], version: str = "1.6") -> list[Finding]:
    frames = [parse_frame(line, version=version) for line in lines]
    return [f for f in check(frames, version, watchers=[WATCHER]) if f.code.startswith("ocmf.")]


def codes(found: list[Finding]) -> list[str]:
    return sorted(f.code for f in found)


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


def test_the_watcher_is_a_default_watcher() -> None:
    assert WATCHER in DEFAULT_WATCHERS


def test_a_clean_16_transaction_has_nothing_to_report(signer: Signer) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    end = record(signer, 2, [reading("E", "129.500", TM.format("09:30"))])
    assert ocmf_findings(capture_16(begin, end, oca_key(signer))) == []


def test_one_record_with_both_readings_sent_twice_counts_once(signer: Signer) -> None:
    both = record(
        signer, 4, [reading("B", "100.000", TM.format("08:00")), reading("E", "129.500", TM.format("09:30"))]
    )
    assert ocmf_findings(capture_16(both, both, oca_key(signer))) == []


def test_an_altered_record_fails_its_signature(signer: Signer) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    end = record(signer, 2, [reading("E", "129.500", TM.format("09:30"))]).replace("129.500", "139.500")
    found = ocmf_findings(
        capture_16(begin, end, oca_key(signer)),
    )
    assert codes(found) == ["ocmf.signature-invalid"]
    assert found[0].ref == 4 and found[0].subject == "transaction 17"


def test_signed_readings_that_differ_from_meter_start_and_stop(signer: Signer) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    end = record(signer, 2, [reading("E", "129.500", TM.format("09:30"))])
    found = ocmf_findings(capture_16(begin, end, oca_key(signer), meter_start=100100, meter_stop=131000))
    assert codes(found) == ["ocmf.energy-mismatch", "ocmf.meter-start-mismatch", "ocmf.meter-stop-mismatch"]
    stop = next(f for f in found if f.code == "ocmf.meter-stop-mismatch")
    assert "129500 Wh differs from meterStop 131000 Wh" in stop.message


def test_a_value_within_the_signed_resolution_is_no_mismatch(signer: Signer) -> None:
    begin = record(signer, 1, [reading("B", "100.0", TM.format("08:00"))])  # good to 100 Wh
    end = record(signer, 2, [reading("E", "129.5", TM.format("09:30"))])
    assert ocmf_findings(capture_16(begin, end, oca_key(signer), meter_start=100040, meter_stop=129460)) == []


def test_a_pagination_gap_a_serial_change_and_readings_out_of_order(signer: Signer) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    gap = record(signer, 3, [reading("E", "129.500", TM.format("09:30"))])
    assert codes(ocmf_findings(capture_16(begin, gap, oca_key(signer)))) == ["ocmf.pagination-gap"]
    other = record(signer, 2, [reading("E", "129.500", TM.format("09:30"))], serial="1OTHER000002")
    assert codes(ocmf_findings(capture_16(begin, other, oca_key(signer)))) == ["ocmf.meter-changed"]
    earlier = record(signer, 2, [reading("E", "129.500", TM.format("07:30"))])
    found = ocmf_findings(capture_16(begin, earlier, oca_key(signer)))
    assert codes(found) == ["ocmf.reading-order"] and "follows one at" in found[0].message
    back = record(signer, 0, [reading("E", "129.500", TM.format("09:30"))])
    assert codes(ocmf_findings(capture_16(begin, back, oca_key(signer)))) == ["ocmf.reading-order"]
    swapped = capture_16(
        record(signer, 1, [reading("E", "129.500", TM.format("08:00"))]),
        record(signer, 2, [reading("B", "100.000", TM.format("09:30"))]),
        oca_key(signer),
    )
    assert "ocmf.reading-order" in codes(ocmf_findings(swapped))


def test_a_key_sent_once_serves_the_later_records(signer: Signer) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    end = record(signer, 2, [reading("E", "129.500", TM.format("09:30"))])
    lines = capture_16(begin, end, oca_key(signer))
    lines[4] = lines[4].replace(
        json.dumps(oca_key(signer))[1:-1], ""
    )  # PublicKeyWithSignedMeterValue=OncePerTransaction
    assert ocmf_findings(lines) == []
    other = Signer()
    forged = capture_16(
        begin, other.record(payload(2, [reading("E", "129.500", TM.format("09:30"))])), oca_key(signer)
    )
    forged[4] = forged[4].replace(json.dumps(oca_key(signer))[1:-1], "")
    assert codes(ocmf_findings(forged)) == ["ocmf.signature-invalid"]


def test_without_a_key_or_the_extra_it_says_so(signer: Signer, monkeypatch: pytest.MonkeyPatch) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    end = record(signer, 2, [reading("E", "129.500", TM.format("09:30"))])
    assert codes(ocmf_findings(capture_16(begin, end, ""))) == ["ocmf.no-public-key"]
    monkeypatch.setattr("ocpkit.energy.ocmf.watch.crypto_available", lambda: False)
    found = ocmf_findings(capture_16(begin, end, oca_key(signer)))
    assert codes(found) == ["ocmf.unverified"] and "ocpkit[crypto]" in found[0].message


def test_unreadable_signed_data_is_an_error(signer: Signer) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    broken = "OCMF|{not json}|{}"
    found = ocmf_findings(capture_16(begin, broken, oca_key(signer)))
    assert "ocmf.unreadable" in codes(found)


def event(
    kind: str, seq: int, meter_value: list[dict[str, Any]], trigger: str = "Authorized"
) -> dict[str, Any]:
    return {
        "eventType": kind,
        "timestamp": f"2024-03-01T0{7 + seq}:00:00Z",
        "triggerReason": trigger,
        "seqNo": seq,
        "transactionInfo": {"transactionId": "TX-9"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": meter_value,
    }


def signed_2x(text: str, key: str, value: float, context: str, unit: str = "Wh") -> dict[str, Any]:
    return {
        "timestamp": "2024-03-01T07:00:00Z",
        "sampledValue": [
            {
                "value": value,
                "context": context,
                "unitOfMeasure": {"unit": unit},
                "signedMeterValue": {
                    "signedMeterData": base64.b64encode(text.encode()).decode(),
                    "signingMethod": "",
                    "encodingMethod": "OCMF",
                    "publicKey": key,
                },
            }
        ],
    }


def capture_2x(begin: str, end: str, key: str, start_value: float, stop_value: float) -> list[str]:
    updated = {"timestamp": "2024-03-01T07:45:00Z", "sampledValue": [{"value": 115000}]}
    frames = [
        ("e1", event("Started", 0, [signed_2x(begin, key, start_value, "Transaction.Begin")])),
        ("e2", event("Updated", 1, [updated], "MeterValuePeriodic")),
        ("e3", event("Ended", 2, [signed_2x(end, key, stop_value, "Transaction.End")], "StopAuthorized")),
    ]
    lines = []
    for mid, body in frames:
        lines += [json.dumps([2, mid, "TransactionEvent", body]), json.dumps([3, mid, {}])]
    return lines


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_2x_transaction_events(signer: Signer, version: str) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    end = record(signer, 2, [reading("E", "129.500", TM.format("09:30"))])
    key = oca_key(signer)
    assert ocmf_findings(capture_2x(begin, end, key, 100000, 129500), version) == []
    # The same signed value stated in kWh where the unit says Wh (a real charger's bug).
    found = ocmf_findings(capture_2x(begin, end, key, 100.0, 129.5), version)
    assert "ocmf.meter-start-mismatch" in codes(found)
    assert "factor of 1000" in next(f for f in found if f.code == "ocmf.meter-start-mismatch").message
    tampered = ocmf_findings(
        capture_2x(begin, end.replace("129.500", "128.500"), key, 100000, 128500), version
    )
    assert codes(tampered) == ["ocmf.signature-invalid"]


def test_2x_meter_values_follow_the_evse_transaction(signer: Signer) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    middle = record(signer, 3, [reading("C", "110.000", TM.format("08:30"))])
    end = record(signer, 2, [reading("E", "129.500", TM.format("09:30"))])
    lines = capture_2x(begin, end, oca_key(signer), 100000, 129500)
    values = {"evseId": 1, "meterValue": [signed_2x(middle, oca_key(signer), 110000, "Sample.Clock")]}
    lines[2:2] = [json.dumps([2, "v1", "MeterValues", values]), json.dumps([3, "v1", {}])]
    found = ocmf_findings(lines, "2.0.1")
    # T1, T3, T2: a gap, then the counter going back.
    assert codes(found) == ["ocmf.pagination-gap", "ocmf.reading-order"]


def test_ocpkit_validate_reports_the_findings(signer: Signer, tmp_path: Path) -> None:
    begin = record(signer, 1, [reading("B", "100.000", TM.format("08:00"))])
    end = record(signer, 3, [reading("E", "129.500", TM.format("09:30"))])
    lines = capture_16(begin, end.replace("129.500", "129.600"), oca_key(signer))
    path = tmp_path / "charger.log"
    sides = ["send", "receive message"] * 3
    path.write_text("".join(f"{side} {line}\n" for side, line in zip(sides, lines, strict=True)))
    import io

    out, err = io.StringIO(), io.StringIO()
    status = main(["validate", str(path), "--ocpp", "1.6", "--report", "json"], stdout=out, stderr=err)
    assert status in (0, 1), err.getvalue()
    summary = json.loads(out.getvalue())["summary"]
    listed = {f["code"] for f in summary["findings_listed"]}
    assert {"ocmf.signature-invalid", "ocmf.pagination-gap"} <= listed


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
_payloads = st.fixed_dictionaries(
    {},
    optional={
        "transactionId": _json_values,
        "transactionInfo": _json_values,
        "connectorId": _json_values,
        "evseId": _json_values,
        "eventType": st.sampled_from(["Started", "Updated", "Ended"]) | _json_values,
        "meterValue": st.lists(
            st.fixed_dictionaries(
                {"timestamp": st.just("2024-03-01T07:00:00Z") | _json_values},
                optional={
                    "sampledValue": st.lists(
                        st.fixed_dictionaries(
                            {"value": _json_values},
                            optional={"format": st.just("SignedData"), "signedMeterValue": _json_values},
                        ),
                        max_size=2,
                    )
                },
            ),
            max_size=2,
        )
        | _json_values,
    },
)


@given(
    st.sampled_from(["1.6", "2.0.1"]),
    st.sampled_from(["StartTransaction", "MeterValues", "StopTransaction", "TransactionEvent"]),
    _payloads,
    _json_values,
)
def test_hostile_payloads_never_raise(
    version: str, action: str, request: dict[str, Any], response: Any
) -> None:
    watcher = SignedMeterValues(version, "CP1")
    answer = response if isinstance(response, dict) else None
    found = watcher.exchange(Exchange(version, "CP1", action, "1", "cp", request, "result", answer))
    found += watcher.finish()
    assert all(f.code.startswith("ocmf.") for f in found)
