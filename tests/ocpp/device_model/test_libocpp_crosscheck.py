"""Second encoding: the catalogue (from the OCA tables) against libocpp's component configs.

Every libocpp variable property of the standardized components (its own
``InternalCtrlr`` and ``OCPP16LegacyCtrlr`` left out) is looked up in the 2.0.1
catalogue -- the component's own entries, then the generic ones, then the 2.1
catalogue -- and compared field by field: data type, unit, mutability of the
Actual attribute, values list, and the Required flag. The test pins the list
of disagreements, so a change on either side shows up here; run this module
with ``python -m tests.ocpp.device_model.test_libocpp_crosscheck`` to print it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ocpkit.ocpp.device_model import VariableDef, catalogue, config_key, lookup

LIBOCPP = ("standardized", "everest-monorepo/standardized")
NOT_OCA = ("InternalCtrlr", "OCPP16LegacyCtrlr")


def _properties(shared: Path, folder: str) -> Iterator[tuple[str, dict[str, Any], bool]]:
    base = shared / "specs" / "ocpp" / "device-model" / "libocpp" / folder
    for path in sorted(base.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        required = set(doc.get("required", []))
        for key, prop in doc["properties"].items():
            yield doc["name"], prop, key in required


def _entry(component: str, variable: str, instance: str | None) -> tuple[str, VariableDef | None]:
    cat = catalogue("2.0.1")
    own = [e for e in cat.entries("referenced", component, variable) if e.matches_instance(instance)]
    if own:
        return "2.0.1", own[0]
    if cat.entries("referenced", component, variable):
        return "2.0.1 other instance", None
    generic = lookup("2.0.1", component, variable, instance)
    if generic:
        return "2.0.1 generic", generic[0]
    later = lookup("2.1", component, variable, instance)
    if later:
        return "2.1", later[0]
    return "absent", None


def disagreements(shared: Path, folder: str) -> list[str]:
    """One line per field on which libocpp and the catalogue differ (and per variable only one has)."""
    out: list[str] = []
    seen: set[int] = set()
    components: set[str] = set()
    for component, prop, required in _properties(shared, folder):
        if component in NOT_OCA:
            continue
        components.add(component)
        variable, instance = prop["variable_name"], prop.get("instance")
        name = f"{component}.{variable}" + (f"[{instance}]" if instance else "")
        where, entry = _entry(component, variable, instance)
        if entry is None:
            out.append(f"{name}: only in libocpp ({where})")
            continue
        seen.add(id(entry))
        chars = prop.get("characteristics", {})
        if chars.get("dataType") not in entry.types:
            out.append(f"{name}: dataType libocpp {chars.get('dataType')}, OCA {' or '.join(entry.types)}")
        unit = chars.get("unit")
        if (unit or entry.units) and unit not in entry.units:
            out.append(f"{name}: unit libocpp {unit or '(none)'}, OCA {', '.join(entry.units) or '(none)'}")
        actual = {
            a.get("mutability") for a in prop.get("attributes", []) if a.get("type", "Actual") == "Actual"
        }
        actual.discard(None)
        if entry.mutability and not actual <= set(entry.mutability):
            out.append(
                f"{name}: mutability libocpp {'/'.join(sorted(actual))}, OCA {'/'.join(entry.mutability)}"
            )
        listed = chars.get("valuesList")
        if listed is not None and entry.values is not None:
            extra = [v for v in listed.split(",") if v not in entry.values]
            if extra:
                out.append(f"{name}: valuesList libocpp adds {', '.join(extra)}")
        elif listed is not None:
            out.append(f"{name}: valuesList only in libocpp ({listed})")
        if where == "2.0.1" and required != entry.required:
            out.append(f"{name}: required libocpp {required}, OCA {entry.required}")
    for entry in catalogue("2.0.1").referenced:
        if entry.component in components and id(entry) not in seen:
            out.append(f"{entry.key}: only in the OCA table")
    return out


def subsets(shared: Path, folder: str) -> list[str]:
    """Variables whose libocpp values list is a proper subset of the OCA list (an implementation's choice)."""
    out = []
    for component, prop, _ in _properties(shared, folder):
        listed = prop.get("characteristics", {}).get("valuesList")
        _, entry = _entry(component, prop["variable_name"], prop.get("instance"))
        if listed and entry is not None and entry.values and set(listed.split(",")) < set(entry.values):
            out.append(entry.key)
    return out


# The archived libocpp copy (EVerest/libocpp@0a1880a, config/v2/component_config/standardized).
EXPECTED_LIBOCPP = [
    "ChargingStation.AllowNewSessionsPendingFirmwareUpdate[BytesPerMessage]: only in libocpp (2.0.1 other instance)",
    "ClockCtrlr.TimeOffset[NextTransition]: only in libocpp (2.0.1 other instance)",
    "CustomizationCtrlr.CustomImplementationEnabled: only in libocpp (2.0.1 other instance)",
    "DisplayMessageCtrlr.QRCodeDisplayCapable: only in libocpp (absent)",
    "DisplayMessageCtrlr.Language: valuesList only in libocpp (en_US,de,nl)",
    "ISO15118Ctrlr.RequestedEnergyTransferMode: valuesList only in libocpp (DC,AC_single_phase,AC_two_phase,AC_three_phase)",
    "OCPPCommCtrlr.FileTransferProtocols: valuesList only in libocpp (FTP,FTPS,HTTP,HTTPS,SFTP)",
    "OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]: unit libocpp s, OCA (none)",
    "OCPPCommCtrlr.NetworkConfigurationPriority: valuesList only in libocpp (1,2)",
    "OCPPCommCtrlr.MessageTypesDiscardForQueueing: only in libocpp (absent)",
    "OCPPCommCtrlr.RetryBackOffRandomRange: required libocpp True, OCA False",
    "OCPPCommCtrlr.RetryBackOffRepeatTimes: required libocpp True, OCA False",
    "OCPPCommCtrlr.RetryBackOffWaitMinimum: required libocpp True, OCA False",
    "OCPPCommCtrlr.WebSocketPingInterval: required libocpp True, OCA False",
    "OCPPCommCtrlr.FieldLength[Get15118EVCertificateResponse.exiResponse]: only in libocpp (2.0.1 other instance)",
    "SecurityCtrlr.Identity: required libocpp True, OCA False",
    "SmartChargingCtrlr.CompositeScheduleDefaultLimitAmps: only in libocpp (absent)",
    "SmartChargingCtrlr.CompositeScheduleDefaultLimitWatts: only in libocpp (absent)",
    "SmartChargingCtrlr.CompositeScheduleDefaultNumberPhases: only in libocpp (absent)",
    "SmartChargingCtrlr.SupplyVoltage: only in libocpp (absent)",
    "SmartChargingCtrlr.IgnoredProfilePurposesOffline: only in libocpp (absent)",
    "SmartChargingCtrlr.UpdateRateLimit: only in libocpp (absent)",
    "SmartChargingCtrlr.SupportsFeature[DynamicProfiles]: only in libocpp (absent)",
    "SmartChargingCtrlr.SupportsFeature[UseLocalTime]: only in libocpp (absent)",
    "SmartChargingCtrlr.SupportsFeature[RandomizedDelay]: only in libocpp (absent)",
    "SmartChargingCtrlr.SupportsFeature[LimitAtSoC]: only in libocpp (absent)",
    "SmartChargingCtrlr.SupportsFeature[EvseSleep]: only in libocpp (absent)",
    "TariffCostCtrlr.OfflineChargingPrice[kWhPrice]: only in libocpp (absent)",
    "TariffCostCtrlr.OfflineChargingPrice[hourPrice]: only in libocpp (absent)",
    "TariffCostCtrlr.TariffFallbackMessage[en-US]: only in libocpp (2.0.1 other instance)",
    "TariffCostCtrlr.TotalCostFallbackMessage[en-US]: only in libocpp (2.0.1 other instance)",
    "TariffCostCtrlr.NumberOfDecimalsForCostValues: only in libocpp (absent)",
    "ChargingStation.AllowNewSessionsPendingFirmwareUpdate: only in the OCA table",
    "MonitoringCtrlr.MonitoringBase: only in the OCA table",
    "MonitoringCtrlr.MonitoringLevel: only in the OCA table",
    "OCPPCommCtrlr.FieldLength: only in the OCA table",
]

# What the EVerest monorepo copy (EVerest/EVerest@aa8113f) says differently: its changed and added files.
EXPECTED_MONOREPO_ADDED = [
    "NetworkConfiguration.ApnAuthentication: dataType libocpp OptionList, OCA string",
    "NetworkConfiguration.ApnAuthentication: valuesList only in libocpp (CHAP,NONE,PAP,AUTO)",
    "NetworkConfiguration.HostName: only in libocpp (absent)",
    "NetworkConfiguration.OcppInterface: valuesList only in libocpp (Wired0,Wired1,Wired2,Wired3,Wireless0,Wireless1,Wireless2,Wireless3,Any)",
    "NetworkConfiguration.OcppTransport: valuesList only in libocpp (JSON,SOAP)",
    "NetworkConfiguration.OcppVersion: valuesList only in libocpp (OCPP16,OCPP20,OCPP201,OCPP21)",
    "NetworkConfiguration.SimPin: dataType libocpp integer, OCA string",
    "NetworkConfiguration.VpnType: dataType libocpp OptionList, OCA string",
    "NetworkConfiguration.VpnType: valuesList only in libocpp (IKEv2,IPSec,L2TP,PPTP)",
    "TariffCostCtrlr.TariffFallbackMessage[de]: only in libocpp (2.0.1 other instance)",
    "TariffCostCtrlr.TariffFallbackMessage[nl]: only in libocpp (2.0.1 other instance)",
]
EXPECTED_MONOREPO_GONE = [
    "ChargingStation.AllowNewSessionsPendingFirmwareUpdate[BytesPerMessage]: only in libocpp (2.0.1 other instance)",
    "ChargingStation.AllowNewSessionsPendingFirmwareUpdate: only in the OCA table",
]


def test_the_two_encodings_differ_only_where_listed(shared: Path) -> None:
    assert disagreements(shared, "standardized") == EXPECTED_LIBOCPP


def test_the_monorepo_copy_differs_in_its_changed_files_only(shared: Path) -> None:
    newer = disagreements(shared, "everest-monorepo/standardized")
    assert sorted({line for line in newer if line not in EXPECTED_LIBOCPP}) == EXPECTED_MONOREPO_ADDED
    assert [line for line in EXPECTED_LIBOCPP if line not in newer] == EXPECTED_MONOREPO_GONE
    # every new line concerns a file the NOTICE names as changed or added
    assert all(
        line.startswith(("NetworkConfiguration.", "TariffCostCtrlr.")) for line in EXPECTED_MONOREPO_ADDED
    )


def test_no_disagreement_on_data_types_or_mutability(shared: Path) -> None:
    """The fields the value checks rely on agree wherever both encodings have the variable."""
    for folder in LIBOCPP:
        lines = [
            line for line in disagreements(shared, folder) if not line.startswith("NetworkConfiguration.")
        ]
        assert not [line for line in lines if ": dataType " in line or ": mutability " in line]
        assert not [line for line in lines if "valuesList libocpp adds" in line]
    # NetworkConfiguration is a 2.1 table of the OCA; libocpp types three of its variables differently
    typed = sorted({line for line in EXPECTED_MONOREPO_ADDED if ": dataType " in line})
    assert typed == [
        "NetworkConfiguration.ApnAuthentication: dataType libocpp OptionList, OCA string",
        "NetworkConfiguration.SimPin: dataType libocpp integer, OCA string",
        "NetworkConfiguration.VpnType: dataType libocpp OptionList, OCA string",
    ]


def test_libocpp_values_lists_are_subsets_where_they_differ(shared: Path) -> None:
    assert subsets(shared, "standardized") == [
        "AlignedDataCtrlr.Measurands",
        "AlignedDataCtrlr.TxEndedMeasurands",
        "DisplayMessageCtrlr.SupportedStates",
        "SampledDataCtrlr.TxEndedMeasurands",
        "SampledDataCtrlr.TxStartedMeasurands",
        "SampledDataCtrlr.TxUpdatedMeasurands",
        "TxCtrlr.TxStartPoint",
        "TxCtrlr.TxStopPoint",
    ]


def test_v16_keys_against_everest_legacy_component(shared: Path) -> None:
    """EVerest's OCPP16LegacyCtrlr types the 1.6 keys it keeps: the same types, one access differs."""
    kinds = {"boolean": "boolean", "integer": "integer", "string": "CSL"}
    access = {"ReadOnly": "R", "ReadWrite": "RW"}
    differ = []
    compared = 0
    for component, prop, _ in _properties(shared, "everest-monorepo/standardized"):
        key = config_key(prop["variable_name"]) if component == "OCPP16LegacyCtrlr" else None
        if key is None:
            continue
        compared += 1
        dtype = kinds[prop["characteristics"]["dataType"]]
        assert dtype == key.data_type or (dtype == "CSL" and key.data_type == "CSL"), key
        (mutability,) = {a["mutability"] for a in prop["attributes"]}
        if access[mutability] not in key.accessibility.split("/"):
            differ.append(f"{key.key}: EVerest {mutability}, OCPP 1.6 §9 {key.accessibility}")
    assert compared == 12
    assert differ == ["StopTransactionOnEVSideDisconnect: EVerest ReadOnly, OCPP 1.6 §9 RW"]


if __name__ == "__main__":  # pragma: no cover - prints the lists the report quotes
    from tests.conftest import require_shared

    root = require_shared()
    for folder in LIBOCPP:
        print(f"== {folder}")
        print("\n".join(disagreements(root, folder)))
        print("subsets:", ", ".join(subsets(root, folder)))
    sys.exit(0)
