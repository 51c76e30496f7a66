"""The generated catalogue: its counts equal the shared tables', its lookups, its laziness, its banners."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ocpkit.errors import UnsupportedError
from ocpkit.ocpp.device_model import (
    DATA_TYPES,
    catalogue,
    config_key,
    config_keys,
    lookup,
    mapping_rows,
)
from tests.conftest import ROOT

PUBLISHED = {"2.0.1": "2.0.1", "2.1": "2.1/published_csv_v2.0"}


def _rows(path: Path, delimiter: str = ";") -> list[list[str]]:
    """Data rows of a shared CSV, read independently of the generator (header dropped, blank rows too)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    rows = [[c.strip() for c in row] for row in csv.reader(text.splitlines(), delimiter=delimiter)][1:]
    return [r for r in rows if any(r)]


def _dm(shared: Path, version: str) -> Path:
    return shared / "specs" / "ocpp" / "device-model"


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_counts_equal_the_shared_tables(shared: Path, version: str) -> None:
    base = _dm(shared, version)
    published = base / PUBLISHED[version]
    cat = catalogue(version)
    components = _rows(published / "components.csv")
    dm = _rows(published / "dm_components_vars.csv")
    assert sum(c.listed for c in cat.components) == len(components)
    assert [c.name for c in cat.components if c.listed] == [r[0] for r in components]
    # every component the variables table names is a component of the catalogue
    named = {r[0] for r in dm} - {"<generic>"}
    assert named <= {c.name for c in cat.components}
    assert len(cat.referenced) == len(dm)
    assert sum(e.required for e in cat.referenced) == sum(r[3] == "yes" for r in dm)
    assert sum(e.component is None for e in cat.referenced) == sum(r[0] == "<generic>" for r in dm)
    assert len(cat.standardized) == len(_rows(published / "variables.csv"))
    assert len(cat.typical) == len(
        _rows(base / version / "extracted" / "appendix_pdf" / "dm_components_vars.csv")
    )
    codes = _rows(published / "reason_codes.csv")
    code_column = 0 if version == "2.0.1" else 1
    assert [r.code for r in cat.reason_codes] == [r[code_column] for r in codes if r[code_column]]
    events = _rows(published / "security_events.csv")
    assert [(e.name, e.critical) for e in cat.security_events] == [(r[0], r[2] == "Yes") for r in events]
    assert list(cat.units) == [r[0] for r in _rows(published / "units_of_measure.csv")]


def test_the_documented_figures() -> None:
    """The figures the shared folder's README states for the tables (and the brief expected)."""
    v201, v21 = catalogue("2.0.1"), catalogue("2.1")
    assert (sum(c.listed for c in v201.components), len(v201.referenced), len(v201.standardized)) == (
        73,
        249,
        90,
    )
    assert sum(e.required for e in v201.referenced) == 64
    assert (len(v201.reason_codes), len(v201.security_events), len(v201.units)) == (43, 20, 33)
    assert sum(e.critical for e in v201.security_events) == 15
    assert (sum(c.listed for c in v21.components), len(v21.referenced), len(v21.standardized)) == (
        79,
        437,
        241,
    )
    assert Counter(e.required for e in v21.referenced)[True] == 122
    assert sum(e.required_when == "V2X" for e in v21.referenced) == 8
    assert (len(v21.reason_codes), len(v21.security_events), len(v21.units)) == (56, 21, 34)
    assert sum(e.critical for e in v21.security_events) == 16
    assert (len(v201.typical), len(v21.typical)) == (488, 547)
    assert len({g.group for g in v21.reason_codes}) == 9
    assert len(v201.profiles) == 17 and v201.mandatory_components("Core") == (
        "OCPPCommCtrlr",
        "TxCtrlr",
        "DeviceDataCtrlr",
        "ClockCtrlr",
        "SecurityCtrlr",
        "SampledDataCtrlr",
        "AlignedDataCtrlr",
        "AuthCtrlr",
    )
    assert v21.profiles == ()  # Part 5 (certification profiles) exists for 2.0.1 only


def test_profiles_equal_the_shared_table(shared: Path) -> None:
    rows = list(csv.DictReader((_dm(shared, "2.0.1") / "profiles.csv").open(encoding="utf-8")))
    mandatory = [(r["profile"], r["component"]) for r in rows if r["row_kind"].startswith("mandatory")]
    assert [(p.profile, p.component) for p in catalogue("2.0.1").profiles] == mandatory
    # the table's join rows are the published Required flags: the catalogue says the same
    for r in rows:
        if r["row_kind"].startswith("required variable"):
            entries = lookup("2.0.1", r["component"], r["variable"], r["instance"] or None)
            assert entries and entries[0].required, r


def test_every_entry_uses_the_schema_enumerations() -> None:
    for version in ("2.0.1", "2.1"):
        cat = catalogue(version)
        for entry in cat.referenced + cat.typical + cat.standardized:
            assert entry.data_type is None or entry.data_type in DATA_TYPES, entry
            assert set(entry.other_types) <= set(DATA_TYPES)
            assert set(entry.mutability) <= {"ReadOnly", "ReadWrite", "WriteOnly"}
            assert entry.name == entry.name.strip() and entry.name
        assert sum(e.mutability != () for e in cat.referenced) > len(cat.referenced) // 3


def test_values_lists_come_from_the_tables_and_the_schemas() -> None:
    v201 = catalogue("2.0.1")
    policy = lookup("2.0.1", "AuthCacheCtrlr", "Policy")[0]
    assert policy.values == ("LRU", "LFU", "FIFO", "CUSTOM") and policy.values_from == "specification table"
    measurands = lookup("2.0.1", "SampledDataCtrlr", "TxUpdatedMeasurands")[0]
    assert measurands.values_from == "MeasurandEnumType" and "Energy.Active.Import.Register" in (
        measurands.values or ()
    )
    start = lookup("2.0.1", "TxCtrlr", "TxStartPoint")[0]
    assert start.values is not None and "ParkingBayOccupancy" in start.values
    assert start.mutability == ("ReadOnly", "ReadWrite")  # the implementation chooses
    # the appendix spells HardwiredOnly; the schema's enum (what travels) spells HardWiredOnly
    base = lookup("2.0.1", "MonitoringCtrlr", "ActiveMonitoringBase")[0]
    assert base.values == ("All", "FactoryDefault", "HardWiredOnly")
    assert any(n.key == "MonitoringCtrlr.ActiveMonitoringBase" for n in v201.notes)
    id_tokens = lookup("2.1", "AuthCtrlr", "SupportedIdTokenType")[0]
    assert id_tokens.values_from == "appendix table idtokenenumtype.csv" and "ISO14443" in (
        id_tokens.values or ()
    )


def test_oca_disagreements_are_kept_as_notes_and_other_types() -> None:
    ntp = lookup("2.0.1", "ClockCtrlr", "NtpSource")[0]
    assert ntp.data_type == "OptionList" and ntp.other_types == ("string",)
    notes = {(n.key, n.field): n for n in catalogue("2.0.1").notes}
    assert notes[("SmartChargingCtrlr.LimitChangeSignificance", "dataType")].other == "integer"
    assert notes[("ClockCtrlr.NtpSource", "dataType")].source.startswith("appendix")


def test_lookup_rules() -> None:
    # case-insensitive names; exact instance; the generic and standardized fallbacks
    (timeout,) = lookup("2.0.1", "ocppcommctrlr", "messagetimeout", "default")
    assert timeout.key == "OCPPCommCtrlr.MessageTimeout[Default]" and timeout.units == ("s",)
    (phase,) = lookup("2.0.1", "EVSE", "ACCurrent", "L1")
    assert phase.component is None and phase.data_type == "decimal"
    (vendor,) = lookup("2.0.1", "CustomizationCtrlr", "CustomImplementationEnabled", "com.example")
    assert vendor.instance_rule == "any"
    assert lookup("2.0.1", "Vendor", "Nothing") == ()
    (protocol,) = lookup("2.1", "ISO15118Ctrlr", "ProtocolSupported", "7")
    assert (
        protocol.instance_rule == "range"
        and protocol.matches_instance("20")
        and not protocol.matches_instance("21")
    )
    # 2.1 names the attribute in the variable column: EnergyImport.maxSet / .minSet / .target
    (target,) = lookup("2.1", "ConnectedEV", "EnergyImport", attribute_type="Target")
    assert target.attributes == ("Target",) and target.qualifier == ".target"
    # the 2.1 standardized variables list Timeout twice, once an integer and once a decimal
    twice = catalogue("2.1").entries("standardized", None, "Timeout")
    assert sorted(e.data_type or "" for e in twice) == ["decimal", "integer"]
    assert lookup("2.1", "X", "Timeout")[0].origin == "referenced"  # the generic row of the dm table wins


def test_catalogue_refuses_unknown_versions() -> None:
    for bad in ("1.6", "3.0", None, 2):
        with pytest.raises(UnsupportedError):
            catalogue(bad)  # type: ignore[arg-type]


def test_v16_keys_are_the_keys_the_mapping_table_labels_standard() -> None:
    standard = {r.key_16 for r in mapping_rows() if r.key_16_origin.startswith("OCPP 1.6 ed.2")}
    assert {k.key for k in config_keys()} == standard
    assert len(config_keys()) == 44
    assert config_key("heartbeatinterval") is not None and config_key("NoSuchKey") is None


def test_v16_keys_agree_with_the_2x_types_they_map_to() -> None:
    compatible = {
        "boolean": {"boolean"},
        "integer": {"integer"},
        "CSL": {"MemberList", "SequenceList", "string"},
    }
    checked = 0
    for row in mapping_rows():
        key = config_key(row.key_16)
        if key is None or row.target_field != "Actual" or row.target_in_oca_catalogue == "no":
            continue
        version = "2.0.1" if row.target_in_oca_catalogue.startswith("yes") else "2.1"
        entries = lookup(version, row.component, row.variable, row.instance)
        assert entries, row
        assert set(entries[0].types) & compatible[key.data_type], (row.key_16, entries[0].types)
        checked += 1
    assert checked >= 40


def test_importing_ocpkit_loads_no_catalogue() -> None:
    code = (
        "import sys, ocpkit, ocpkit.ocpp\n"
        "assert not [m for m in sys.modules if 'device_model' in m], sys.modules\n"
        "import ocpkit.ocpp.device_model as dm\n"
        "assert not [m for m in sys.modules if m.startswith('ocpkit.ocpp.device_model._')]\n"
        "dm.check_variable('2.0.1', 'TxCtrlr', 'TxStartPoint', 'EVConnected')\n"
        "assert 'ocpkit.ocpp.device_model._v201' in sys.modules\n"
        "assert 'ocpkit.ocpp.device_model._v21' not in sys.modules\n"
        "assert 'ocpkit.ocpp.device_model._mapping' not in sys.modules\n"
        "import ocpkit.ocpp.conversation\n"
        "ocpkit.ocpp.conversation.Conversation('2.1')\n"
        "assert 'ocpkit.ocpp.device_model._v21' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_generated_files_carry_the_banner_and_are_current(shared: Path) -> None:
    from tools.codegen import device_model

    files = device_model.generate(shared)
    assert sorted(files) == sorted(device_model.OWNED)
    for rel, text in files.items():
        assert text.startswith("# Generated by `python -m tools.codegen` from "), rel
        assert (ROOT / rel).read_text(encoding="utf-8") == text, (
            f"{rel} is stale: run python -m tools.codegen"
        )


def test_no_description_text_is_copied(shared: Path) -> None:
    """The OCA descriptions are CC BY-ND: no description cell of the tables appears in a generated file."""
    published = _dm(shared, "2.0.1") / "2.0.1"
    descriptions = [r[-1] for r in _rows(published / "dm_components_vars.csv") if len(r[-1]) > 40]
    descriptions += [r[1] for r in _rows(published / "components.csv") if len(r[1]) > 40]
    generated = (ROOT / "ocpkit/ocpp/device_model/_v201.py").read_text(encoding="utf-8")
    assert descriptions and not [d for d in descriptions if d[:40] in generated]


@pytest.mark.parametrize("module", ["definitions", "values", "traffic", "inventory", "mapping"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    mod = importlib.import_module(f"ocpkit.ocpp.device_model.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
