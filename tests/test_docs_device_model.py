"""The generated device-model reference: a page per component of each version, the 1.6 key map page."""

from __future__ import annotations

import sys

import pytest

from ocpkit.ocpp.device_model import catalogue, config_keys
from tests.conftest import ROOT

pytest.importorskip("sphinx", reason="the docs extra (sphinx, furo, myst-parser) is not installed")
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import ocpkit_site


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return ocpkit_site.device_model_pages()


@pytest.mark.parametrize(("version", "pkg"), [("2.0.1", "v201"), ("2.1", "v21")])
def test_one_page_per_component(pages: dict[str, str], version: str, pkg: str) -> None:
    cat = catalogue(version)
    names = {p.split("/")[-1][:-4] for p in pages if p.startswith(f"device_model/{pkg}/")}
    assert names == {c.name for c in cat.components} | {"generic"}
    index = pages["device_model/index.rst"]
    for comp in cat.components:
        assert f":doc:`{comp.name} <{pkg}/{comp.name}>`" in index
        page = pages[f"device_model/{pkg}/{comp.name}.rst"]
        assert page.startswith(":orphan:") and f"{comp.name} (OCPP {version})" in page
        for entry in cat.variables_of(comp.name):
            assert f"   * - {ocpkit_site._rst(entry.name)}\n" in page, (comp.name, entry.name)


def test_a_component_page_shows_type_unit_values_mutability_required(pages: dict[str, str]) -> None:
    page = pages["device_model/v201/SampledDataCtrlr.rst"]
    row = page.split("   * - TxUpdatedInterval\n", 1)[1].split("   * - ", 1)[0]
    assert [cell.strip() for cell in row.split("     - ")[1:]] == ["integer", "s", "", "ReadWrite", "yes"]
    assert "MeasurandEnumType" in page
    clock = pages["device_model/v201/ClockCtrlr.rst"]
    assert "Where the OCA tables disagree" in clock and "NtpSource" in clock


def test_the_mapping_page_lists_every_key_and_the_disagreements(pages: dict[str, str]) -> None:
    page = pages["device_model/mapping16.rst"]
    for key in config_keys():
        assert f"   * - {ocpkit_site._rst(key.key)}\n" in page
    assert "SAP: AuthCtrlr.LocalAuthorizationOffline" in page
    assert "OCPP16LegacyCtrlr.BlinkRepeat (EVerest, not in the OCA tables)" in page


def test_the_reference_index_links_the_device_model() -> None:
    assert "reference/_generated/device_model/index" in (ROOT / "docs" / "index.md").read_text(
        encoding="utf-8"
    )
    assert set(ocpkit_site.device_model_pages()) <= set(ocpkit_site.generate())
