"""The action registries: counts, message classes, senders, and the generator's --check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import ocpkit.ocpp
from ocpkit.errors import UnsupportedError
from ocpkit.ocpp import ActionSpec, Sender, actions, version_package
from tests.conftest import ROOT

EXPECTED_COUNTS = {"1.6": 39, "2.0.1": 64, "2.1": 91}


@pytest.mark.parametrize(("version", "count"), sorted(EXPECTED_COUNTS.items()))
def test_action_counts(version: str, count: int) -> None:
    assert len(actions(version)) == count


def test_registry_matches_official_file_names(shared: Path) -> None:
    for version, folder in (("1.6", "v16"), ("2.0.1", "v201"), ("2.1", "v21")):
        names = {p.stem for p in (shared / "specs" / "ocpp" / folder).glob("*.json")}
        expected = set()
        for name in names:
            if name.endswith("Response"):
                name = name[: -len("Response")]
            elif name.endswith("Request"):
                name = name[: -len("Request")]
            expected.add(name)
        assert set(actions(version)) == expected


def test_v21_has_91_requests_and_90_responses() -> None:
    registry = actions("2.1")
    assert sum(1 for spec in registry.values() if spec.request is not None) == 91
    assert sum(1 for spec in registry.values() if spec.response is not None) == 90
    assert registry["NotifyPeriodicEventStream"].response is None


@pytest.mark.parametrize("version", sorted(EXPECTED_COUNTS))
def test_every_spec_names_its_models(version: str) -> None:
    package = version_package(version)
    for name, spec in actions(version).items():
        assert isinstance(spec, ActionSpec)
        assert spec.name == name
        assert spec.request.__name__ == f"{name}Request"
        assert getattr(package, spec.request.__name__) is spec.request
        if spec.response is not None:
            assert spec.response.__name__ == f"{name}Response"
            assert getattr(package, spec.response.__name__) is spec.response
        assert isinstance(spec.sender, Sender)


@pytest.mark.parametrize(
    ("version", "action", "sender"),
    [
        ("1.6", "BootNotification", Sender.CHARGING_STATION),
        ("1.6", "RemoteStartTransaction", Sender.CSMS),
        ("1.6", "DataTransfer", Sender.BOTH),
        ("1.6", "SecurityEventNotification", Sender.CHARGING_STATION),
        ("1.6", "CertificateSigned", Sender.CSMS),
        ("1.6", "InstallCertificate", Sender.CSMS),
        ("2.0.1", "TransactionEvent", Sender.CHARGING_STATION),
        ("2.0.1", "DataTransfer", Sender.BOTH),
        ("2.0.1", "CostUpdated", Sender.CSMS),
        ("2.0.1", "SecurityEventNotification", Sender.CHARGING_STATION),
        ("2.1", "NotifyPeriodicEventStream", Sender.CHARGING_STATION),
        ("2.1", "InstallCertificate", Sender.CSMS),
        ("2.1", "DataTransfer", Sender.BOTH),
        ("2.1", "NotifyAllowedEnergyTransfer", Sender.CSMS),
    ],
)
def test_known_senders(version: str, action: str, sender: Sender) -> None:
    assert actions(version)[action].sender is sender


def test_data_transfer_is_the_only_both_way_action() -> None:
    for version in EXPECTED_COUNTS:
        both = {name for name, spec in actions(version).items() if spec.sender is Sender.BOTH}
        assert both == {"DataTransfer"}


@pytest.mark.parametrize("bad", ["1.5", "2.0", "", None, 1.6, ["1.6"]])
def test_unknown_version(bad: object) -> None:
    with pytest.raises(UnsupportedError):
        actions(bad)  # type: ignore[arg-type]


def test_registry_is_read_only() -> None:
    registry = actions("1.6")
    with pytest.raises(TypeError):
        registry["X"] = registry["Heartbeat"]  # type: ignore[index]


def test_import_is_lazy() -> None:
    code = (
        "import sys, ocpkit, ocpkit.ocpp\n"
        "assert not [m for m in sys.modules if m.startswith(('ocpkit.ocpp.v', 'ocpkit.schemas'))], sys.modules\n"
        "import ocpkit.ocpp.v201 as v\n"
        "assert 'ocpkit.ocpp.v201.messages' not in sys.modules\n"
        "v.BootNotificationRequest\n"
        "assert 'ocpkit.ocpp.v201.messages' in sys.modules\n"
        "assert 'ocpkit.ocpp.v21' not in sys.modules\n"
        "assert not v.BootNotificationRequest.__pydantic_complete__\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_unknown_package_attribute() -> None:
    v201 = version_package("2.0.1")
    with pytest.raises(AttributeError):
        _ = v201.NoSuchMessage
    assert "BootNotificationRequest" in dir(v201)
    assert ocpkit.ocpp.VERSIONS == ("1.6", "2.0.1", "2.1")


def test_codegen_check_passes(shared: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools.codegen", "--check", "--shared", str(shared)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
