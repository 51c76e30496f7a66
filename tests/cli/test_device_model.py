"""``ocpkit device-model``: the catalogue, one component, the 1.6 keys, JSON, and usage errors."""

from __future__ import annotations

import io
import json

from ocpkit.cli import main
from ocpkit.ocpp.device_model import catalogue, config_keys


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["device-model", *argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_the_component_list() -> None:
    status, out, err = _run()
    assert status == 0 and err == ""
    assert out.startswith("OCPP 2.0.1 device model: 74 components, 249 referenced variables")
    assert "CustomizationCtrlr *" in out and "* not in the published components table" in out
    status, out, _ = _run("--version", "2.1", "--json")
    body = json.loads(out)
    assert status == 0 and body["version"] == "2.1"
    assert [c["component"] for c in body["components"]] == [c.name for c in catalogue("2.1").components]
    tx = next(c for c in body["components"] if c["component"] == "TxCtrlr")
    assert tx["required"] == sum(e.required for e in catalogue("2.1").required_of("TxCtrlr"))


def test_one_component() -> None:
    status, out, _ = _run("sampleddatactrlr")  # case-insensitive
    assert status == 0
    assert out.startswith("SampledDataCtrlr (OCPP 2.0.1, controller, appendix §3.1.14)")
    line = next(row for row in out.splitlines() if row.startswith("TxUpdatedInterval"))
    assert "integer" in line and " s " in line and "ReadWrite" in line and line.rstrip().endswith("yes")
    status, out, _ = _run("TxCtrlr", "--json")
    start = next(v for v in json.loads(out)["variables"] if v["variable"] == "TxStartPoint")
    assert start["mutability"] == "ReadOnly or ReadWrite" and "ParkingBayOccupancy" in start["values"]


def test_unknown_component_is_a_usage_error() -> None:
    status, out, err = _run("TxCtrl")
    assert status == 2 and out == ""
    assert "no standardized component 'TxCtrl'; did you mean TxCtrlr?" in err


def test_v16_keys() -> None:
    status, out, _ = _run("--version", "1.6")
    assert status == 0 and f"keys: {len(config_keys())}" in out
    line = next(row for row in out.splitlines() if row.startswith("HeartbeatInterval"))
    assert "OCPPCommCtrlr.HeartbeatInterval (OCA, EVerest, SAP)" in line
    body = json.loads(_run("--version", "1.6", "--json")[1])
    offline = next(k for k in body["keys"] if k["key"] == "LocalAuthorizeOffline")
    assert len(offline["replaced_by"]) == 2  # the sources disagree: both targets are shown
    assert _run("--version", "1.6", "TxCtrlr")[0] == 2


def test_bad_version_is_a_usage_error() -> None:
    status, _, err = _run("--version", "3.0")
    assert status == 2 and "invalid choice" in err
