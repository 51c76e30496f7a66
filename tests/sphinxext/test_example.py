"""The ``ocpkit.sphinxext`` directives in a user's project (tests/sphinxext/example), built with sphinx-build -W."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("sphinx", reason="the docs extra (sphinx) is not installed: pip install -e '.[docs]'")

EXAMPLE = ROOT / "tests" / "sphinxext" / "example"


def _available(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _available("ocpkit.ocpp.v201"):
        pytest.skip("the OCPP models are not in this checkout")
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(EXAMPLE, src, dirs_exist_ok=True)
    out = tmp_path_factory.mktemp("html")
    args = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(src), str(out)]
    if not _available("ocpkit.ocpi.v221"):
        # The OCPI page is an orphan: leaving it out does not disturb the rest of the project.
        args[4:4] = ["-D", "exclude_patterns=_build,roaming.rst"]
    result = subprocess.run(
        args, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def _rows(html: str, table_id: str) -> list[list[str]]:
    """The body rows of the table with *table_id*, as cell texts."""
    match = re.search(rf'<table[^>]*id="{re.escape(table_id)}".*?</table>', html, re.S)
    assert match, f"table {table_id} not rendered"
    body = match.group(0).split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def test_message_tables_render_field_rows(built: Path) -> None:
    from ocpkit import ocpp
    from ocpkit.sphinxext import describe_model

    html = (built / "index.html").read_text(encoding="utf-8")
    spec = ocpp.actions("2.0.1")["BootNotification"]
    for model in (spec.request, spec.response):
        rows = _rows(html, f"ocpp-2-0-1-{model.__name__.lower()}")
        expected = [
            [r.wire_name, r.attribute, r.type_text, "yes" if r.required else "no"]
            for r in describe_model(model)
        ]
        assert [row[:4] for row in rows] == expected
    # The request's own rows, spelled out: wire name, attribute, linked type, required.
    request_rows = _rows(html, "ocpp-2-0-1-bootnotificationrequest")
    assert ["chargingStation", "charging_station", "ChargingStationType", "yes"] in [
        r[:4] for r in request_rows
    ]
    # :nested: renders the nested type with its bounds, and links point at it.
    station = {r[0]: r for r in _rows(html, "ocpp-2-0-1-chargingstationtype")}
    assert station["vendorName"][3:] == ["yes", "maxLength: 50"]
    assert 'href="#ocpp-2-0-1-chargingstationtype"' in html
    # An enum table lists the wire values with their Python member names.
    statuses = _rows(html, "ocpp-2-0-1-registrationstatusenumtype")
    assert ["Accepted", "ACCEPTED"] in statuses


def test_links_without_a_table_fall_back_to_text(built: Path) -> None:
    html = (built / "index.html").read_text(encoding="utf-8")
    rows = _rows(html, "ocpp-1-6-starttransactionrequest")
    assert ["connectorId", "connector_id", "int", "yes"] in [r[:4] for r in rows]
    # 1.6 StartTransaction is rendered without :nested:, so no 1.6 type table exists to link to.
    assert 'href="#ocpp-1-6-' not in html.replace('href="#ocpp-1-6-starttransaction', "")


def test_ocpi_object_renders(built: Path) -> None:
    if not _available("ocpkit.ocpi.v221"):
        pytest.skip("the OCPI models are not in this checkout")
    from ocpkit.sphinxext import describe_model, ocpi_objects

    html = (built / "roaming.html").read_text(encoding="utf-8")
    rows = _rows(html, "ocpi-2-2-1-tariff")
    assert [r[0] for r in rows] == [r.wire_name for r in describe_model(ocpi_objects("2.2.1")["Tariff"])]
    # OCPI attributes are the wire names, so the table has no Attribute column: Field, Type, Required, ...
    assert ["currency", "str", "yes"] in [r[:3] for r in rows]
    assert 'href="#ocpi-2-2-1-tariffelement"' in html


def test_ocpi_conversion_renders_the_table_of_a_step(built: Path) -> None:
    if not _available("ocpkit.ocpi.v221"):
        pytest.skip("the OCPI models are not in this checkout")
    from ocpkit.ocpi.conversion import describe

    html = (built / "roaming.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table.*?</table>", html, re.S)
    conversion = [t for t in tables if "What happens" in t]
    assert len(conversion) == 1
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", conversion[0], re.S)
    ]
    expected = describe("Tariff", "2.2.1", "2.1.1")
    assert cells[0::4] == [c.field for c in expected]
    assert "lost (loss)" in cells and "min_price" in cells


def test_unknown_action_is_a_build_error(tmp_path: Path) -> None:
    if not _available("ocpkit.ocpp.v201"):
        pytest.skip("the OCPP models are not in this checkout")
    (tmp_path / "conf.py").write_text('extensions = ["ocpkit.sphinxext"]\n', encoding="utf-8")
    (tmp_path / "index.rst").write_text("T\n=\n\n.. ocpp-message:: 2.0.1 NoSuchAction\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(tmp_path), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode != 0
    assert "NoSuchAction" in result.stderr
