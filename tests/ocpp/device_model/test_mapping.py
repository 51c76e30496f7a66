"""The 1.6 -> 2.x key map: every row of the shared table, who says what, and the reverse direction."""

from __future__ import annotations

import csv
from pathlib import Path

from ocpkit.ocpp.device_model import mapped_keys, mapping_2x_to_16, mapping_16_to_2x, mapping_rows


def test_every_row_of_the_shared_table_is_there(shared: Path) -> None:
    path = shared / "specs" / "ocpp" / "device-model" / "mapping_16_to_201.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    ours = mapping_rows()
    assert len(ours) == len(rows) == 119
    for row, mine in zip(rows, ours, strict=True):
        assert (
            mine.key_16,
            mine.component,
            mine.variable,
            mine.instance or "",
            mine.target_field,
            mine.source,
        ) == (
            row["key_16"],
            row["component"],
            row["variable"],
            row["instance"],
            row["target_field"],
            row["source"],
        )
    assert len({r["key_16"] for r in rows}) == 99
    # HeartBeatInterval (SAP's spelling) and HeartbeatInterval are one CiString key
    assert len(mapped_keys()) == 98


def test_agreeing_sources() -> None:
    heartbeat = mapping_16_to_2x("HeartbeatInterval")
    assert heartbeat is not None and heartbeat.agreed and heartbeat.disagreement is None
    (target,) = heartbeat.targets
    assert target.text == "OCPPCommCtrlr.HeartbeatInterval" and target.standard
    assert target.said_by == ("OCA", "EVerest", "SAP")
    assert len(target.sources) == 4  # SAP lists the HeartBeatInterval spelling too
    assert mapping_16_to_2x("heartBEATinterval") == heartbeat


def test_disagreeing_sources_say_who_says_what() -> None:
    offline = mapping_16_to_2x("LocalAuthorizeOffline")
    assert offline is not None and not offline.agreed
    assert (
        offline.disagreement
        == "OCA, EVerest: AuthCtrlr.LocalAuthorizeOffline; SAP: AuthCtrlr.LocalAuthorizationOffline"
    )
    zero = mapping_16_to_2x("ReserveConnectorZeroSupported")
    assert zero is not None
    by_target = {t.text: (t.said_by, t.standard) for t in zero.targets}
    assert by_target == {
        "OCPP16LegacyCtrlr.ReserveConnectorZeroSupported": (("EVerest",), False),
        "ReservationCtrlr.NonEvseSpecific": (("SAP",), True),
    }
    disagreeing = sorted(m.key for m in mapped_keys() if not m.agreed)
    assert disagreeing == ["LocalAuthorizeOffline", "LocalPreAuthorize", "ReserveConnectorZeroSupported"]


def test_max_length_keys_map_to_a_characteristic() -> None:
    length = mapping_16_to_2x("MeterValuesSampledDataMaxLength")
    assert length is not None
    assert length.targets[0].target_field == "VariableCharacteristics.maxLimit"
    assert length.targets[0].text.endswith("(VariableCharacteristics.maxLimit)")


def test_unmapped_and_reverse() -> None:
    # no source maps these (the shared README says so): no guess is made
    for key in ("SecurityProfile", "AuthorizationKey", "CentralSystemURI", "NoSuchKey"):
        assert mapping_16_to_2x(key) is None
    assert mapping_16_to_2x(None) is None  # type: ignore[arg-type]
    keys = [m.key for m in mapping_2x_to_16("OCPPCommCtrlr", "HeartbeatInterval")]
    assert keys == ["HeartbeatInterval"]
    sampled = {m.key for m in mapping_2x_to_16("SampledDataCtrlr", "TxUpdatedMeasurands")}
    assert "MeterValuesSampledData" in sampled
    attempts = mapping_2x_to_16("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent")
    assert [m.key for m in attempts] == ["TransactionMessageAttempts"]
    assert mapping_2x_to_16("OCPPCommCtrlr", "MessageAttempts", "Other") == ()
