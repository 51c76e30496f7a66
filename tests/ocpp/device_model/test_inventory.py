"""Inventory checks on synthetic NotifyReport sequences, through the conversation fold and the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from ocpkit.capture import CaptureReader
from ocpkit.cli import main
from ocpkit.findings import Finding
from ocpkit.ocpp.conversation import check
from ocpkit.ocpp.device_model import Inventory, assemble_reports, catalogue
from ocpkit.ocpp.device_model.inventory import Report
from ocpkit.ocpp.rpc import Frame, parse_frame
from ocpkit.ocpp.watch import DEFAULT_WATCHERS

T = "2024-05-01T10:00:00Z"


def _item(
    component: str,
    variable: str,
    value: str,
    *,
    instance: str | None = None,
    evse: int | None = None,
    mutability: str = "ReadWrite",
    chars: dict[str, Any] | None = None,
) -> dict[str, Any]:
    comp: dict[str, Any] = {"name": component}
    if evse is not None:
        comp["evse"] = {"id": evse}
    var: dict[str, Any] = {"name": variable}
    if instance is not None:
        var["instance"] = instance
    item: dict[str, Any] = {
        "component": comp,
        "variable": var,
        "variableAttribute": [{"value": value, "mutability": mutability}],
    }
    if chars is not None:
        item["variableCharacteristics"] = chars
    return item


def full_inventory(v: str = "2.0.1") -> list[dict[str, Any]]:
    """Every required variable of the Core controllers and of ChargingStation / EVSE 1 / its connector."""
    cat = catalogue(v)
    items = []
    samples = {"integer": "10", "decimal": "1.5", "boolean": "true", "dateTime": T, "string": "x"}
    for component in [*cat.mandatory_components("Core"), "ChargingStation"]:
        for entry in cat.required_of(component):
            value = (
                (entry.values or ("x",))[0]
                if entry.data_type in ("OptionList", "MemberList", "SequenceList")
                else samples.get(entry.data_type or "string", "x")
            )
            items.append(
                _item(
                    component,
                    entry.name,
                    value,
                    instance=entry.instance,
                    mutability=entry.mutability[0] if entry.mutability else "ReadWrite",
                )
            )
    items += [
        _item("EVSE", "Available", "true", evse=1),
        _item("EVSE", "AvailabilityState", "Available", evse=1),
        _item("EVSE", "Power", "22000", evse=1),
        _item("EVSE", "SupplyPhases", "3", evse=1),
    ]
    return items


def _frames(*frames: list[Any], version: str = "2.0.1") -> list[Frame]:
    return [parse_frame(json.dumps(f), version=version) for f in frames]


def report_frames(
    items: list[dict[str, Any]],
    *,
    request_id: int = 7,
    chunk: int = 10,
    skip: int | None = None,
    base: str = "FullInventory",
    repeat: int | None = None,
) -> list[list[Any]]:
    """GetBaseReport + its answer, then NotifyReport parts (seqNo from 0) of *chunk* items, each answered."""
    out: list[list[Any]] = [
        [2, "g", "GetBaseReport", {"requestId": request_id, "reportBase": base}],
        [3, "g", {"status": "Accepted"}],
    ]
    parts = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    for seq, part in enumerate(parts):
        if seq == skip:
            continue
        for _ in range(2 if seq == repeat else 1):
            body = {
                "requestId": request_id,
                "generatedAt": T,
                "tbc": seq < len(parts) - 1,
                "seqNo": seq,
                "reportData": part,
            }
            out += [[2, f"n{seq}", "NotifyReport", body], [3, f"n{seq}", {}]]
    return out


def _run(frames: list[list[Any]], version: str = "2.0.1") -> tuple[list[Finding], Inventory]:
    inventory = Inventory()
    found = list(check(_frames(*frames, version=version), version, watchers=[inventory]))
    return [f for f in found if f.code.startswith(("device-model.", "configuration."))], inventory


def test_a_whole_full_inventory_is_clean_and_becomes_the_reported_model() -> None:
    items = full_inventory()
    found, inventory = _run(report_frames(items))
    assert found == []
    model = inventory.models[None]
    assert len(model.variables) == len(items) and len(model.reports) == 1
    (report,) = model.reports
    assert report.complete and report.base == "FullInventory" and report.missing == []
    assert model.value("TxCtrlr", "TxStartPoint") == "ParkingBayOccupancy"
    assert model.value("OCPPCommCtrlr", "MessageTimeout", instance="Default") == "10"
    assert ("EVSE", None, 1, None) in model.components()


def test_a_missing_part_is_reported_at_the_end() -> None:
    found, inventory = _run(report_frames(full_inventory(), skip=1))
    assert [(f.code, f.subject) for f in found] == [("device-model.report-incomplete", "report 7")]
    assert "seqNo 1" in found[0].message
    (report,) = inventory.models[None].reports
    assert not report.complete and report.missing == [1]


def test_no_final_part() -> None:
    frames = report_frames(full_inventory())[:-2]  # the part with tbc false never came
    (finding,) = _run(frames)[0]
    assert finding.code == "device-model.report-incomplete" and "no part with tbc false" in finding.message


def test_an_accepted_request_without_any_report() -> None:
    (finding,) = _run(report_frames([]))[0]
    assert finding.code == "device-model.report-incomplete" and "no NotifyReport" in finding.message


def test_a_part_sent_twice() -> None:
    found, _ = _run(report_frames(full_inventory(), repeat=0))
    assert [f.code for f in found] == ["device-model.report-duplicate-part"]


def test_required_variables_missing() -> None:
    items = [i for i in full_inventory() if i["variable"]["name"] not in ("TxStopPoint", "SupplyPhases")]
    items = [i for i in items if i["component"]["name"] != "AlignedDataCtrlr"]
    found, _ = _run(report_frames(items))
    assert sorted((f.code, f.subject, f.message.split("variable(s) ")[1]) for f in found) == [
        (
            "device-model.required-missing",
            "AlignedDataCtrlr (mandatory in the Core certification profile)",
            "Interval, Measurands, TxEndedInterval, TxEndedMeasurands",
        ),
        ("device-model.required-missing", "ChargingStation", "SupplyPhases"),
        ("device-model.required-missing", "EVSE(evse 1)", "SupplyPhases"),
        ("device-model.required-missing", "TxCtrlr", "TxStopPoint"),
    ]
    # only a full inventory is held to the table: a configuration report may leave variables out
    assert _run(report_frames(items, base="ConfigurationInventory"))[0] == []


def test_values_of_the_wrong_type_in_a_report() -> None:
    items = full_inventory()
    items.append(
        _item(
            "SampledDataCtrlr",
            "TxUpdatedInterval",
            "often",
            chars={"dataType": "decimal", "supportsMonitoring": True},
        )
    )
    found, _ = _run(report_frames(items))
    assert sorted(f.code for f in found) == ["device-model.characteristics", "device-model.value"]
    value = next(f for f in found if f.code == "device-model.value")
    assert (
        value.subject == "SampledDataCtrlr.TxUpdatedInterval" and "'often' is not an integer" in value.message
    )


def test_set_variables_on_a_read_only_variable_answered_accepted() -> None:
    items = [*full_inventory(), _item("ChargingStation", "Model", "X1", mutability="ReadOnly")]
    write = {
        "setVariableData": [
            {"component": {"name": "ChargingStation"}, "variable": {"name": "Model"}, "attributeValue": "X2"},
            {
                "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "SecurityProfile"},
                "attributeValue": "2",
            },
        ]
    }
    answer = {
        "setVariableResult": [
            {
                "component": {"name": "ChargingStation"},
                "variable": {"name": "Model"},
                "attributeStatus": "Accepted",
            },
            {
                "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "SecurityProfile"},
                "attributeStatus": "Rejected",
            },
        ]
    }
    frames = [*report_frames(items), [2, "s", "SetVariables", write], [3, "s", answer]]
    found, _ = _run(frames)
    assert [(f.code, f.subject) for f in found] == [
        ("device-model.readonly-accepted", "ChargingStation.Model")
    ]
    assert "the charger reported it ReadOnly" in found[0].message
    assert found[0].ref == len(frames) - 1  # the answer's position


def test_v16_configuration_through_the_fold() -> None:
    frames = [
        [2, "c1", "GetConfiguration", {}],
        [
            3,
            "c1",
            {
                "configurationKey": [
                    {"key": "HeartbeatInterval", "readonly": True, "value": "300"},
                    {"key": "MeterValuesSampledData", "readonly": False, "value": "Voltage,Wind"},
                ]
            },
        ],
        [2, "c2", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}],
        [3, "c2", {"status": "Accepted"}],
        [2, "c3", "ChangeConfiguration", {"key": "ConnectionTimeOut", "value": "soon"}],
        [3, "c3", {"status": "Rejected"}],
    ]
    found, _ = _run(frames, version="1.6")
    assert [(f.code, f.subject) for f in found] == [
        ("configuration.value", "MeterValuesSampledData"),
        ("configuration.readonly-accepted", "HeartbeatInterval"),
        ("configuration.value", "ConnectionTimeOut"),
    ]


def test_assemble_reports_in_any_order() -> None:
    parts = [f[3] for f in report_frames(full_inventory(), chunk=7) if f[0] == 2 and f[2] == "NotifyReport"]
    model = assemble_reports(reversed(parts))
    (report,) = model.reports
    assert report.complete and len(model.variables) == len(full_inventory())
    half = assemble_reports(parts[::2])
    assert not half.reports[0].complete and half.reports[0].missing == list(range(1, len(parts), 2))
    assert assemble_reports([{"no": "requestId"}, None, 5]).reports == []  # type: ignore[list-item]
    assert Report(1).missing == [0]


def test_the_default_watchers_include_the_device_model() -> None:
    assert "ocpkit.ocpp.device_model.inventory:watcher" in DEFAULT_WATCHERS
    frames = _frames(*report_frames(full_inventory(), skip=0))
    assert [f.code for f in check(frames, "2.0.1") if f.code.startswith("device-model")] == [
        "device-model.report-incomplete"
    ]


def _ha_log(charge_point: str, frames: list[list[Any]]) -> list[str]:
    """Home Assistant's OCPP integration log lines (a CSMS: "send" = CSMS -> charge point)."""
    lines = []
    for i, frame in enumerate(frames):
        from_cp = (
            (frame[0] == 2 and frame[2] == "NotifyReport")
            or (frame[0] == 3 and frame[1] == "g")
            or (frame[0] == 3 and frame[1] == "s")
        )
        word = "receive message" if from_cp else "send"
        stamp = f"2024-05-01 10:00:{i % 60:02d}.000"
        lines.append(f"{stamp} INFO (MainThread) [ocpp] {charge_point}: {word} {json.dumps(frame)}")
    return lines


def test_two_chargers_in_one_capture_each_get_their_model() -> None:
    boot = [
        [
            2,
            "b",
            "BootNotification",
            {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
        ],
        [3, "b", {"currentTime": T, "interval": 60, "status": "Accepted"}],
    ]
    lines = _ha_log("CP-A", boot + report_frames(full_inventory())) + _ha_log(
        "CP-B", boot + report_frames(full_inventory(), skip=2, request_id=9)
    )
    inventory = Inventory()
    found = [
        f for f in check(CaptureReader(lines), "2.0.1", watchers=[inventory]) if f.code.startswith("device")
    ]
    assert [(f.code, f.subject) for f in found] == [("device-model.report-incomplete", "CP-B: report 9")]
    assert set(inventory.models) == {"CP-A", "CP-B"}
    assert inventory.models["CP-A"].reports[0].complete and not inventory.models["CP-B"].reports[0].complete


def test_ocpkit_validate_reports_the_inventory_findings(tmp_path: Path) -> None:
    items = [i for i in full_inventory() if i["variable"]["name"] != "TxStopPoint"]
    items.append(_item("SampledDataCtrlr", "TxUpdatedInterval", "often"))
    boot = [
        [
            2,
            "b",
            "BootNotification",
            {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
        ],
        [3, "b", {"currentTime": T, "interval": 60, "status": "Accepted"}],
    ]
    log = tmp_path / "cp.log"
    log.write_text("\n".join(_ha_log("CP-A", boot + report_frames(items, skip=1))) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    status = main(["validate", str(log), "--ocpp", "2.0.1", "--report", "json"], stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert status == 0  # every frame is schema-valid; the findings are about the conversation
    summary = json.loads(out.getvalue())["summary"]
    codes = {k: n for k, n in summary["findings"].items() if "device-model" in k}
    assert codes == {"error:device-model.value": 1, "error:device-model.report-incomplete": 1}
    listed = [f for f in summary["findings_listed"] if f["code"] == "device-model.value"]
    assert listed[0]["subject"] == "CP-A: SampledDataCtrlr.TxUpdatedInterval" and isinstance(
        listed[0]["line"], int
    )


def test_ocpkit_validate_on_the_octt_get_variables_log(shared: Path) -> None:
    log = (
        shared
        / "conformance"
        / "device-model"
        / "notify-report-examples"
        / ("octt_TC_K_41_CS_everest-sil_getvariables.log.txt")
    )
    out = io.StringIO()
    assert (
        main(["validate", str(log), "--ocpp", "2.0.1", "--report", "json"], stdout=out, stderr=io.StringIO())
        == 0
    )
    summary = json.loads(out.getvalue())["summary"]
    assert not [k for k in summary["findings"] if "device-model" in k]
