"""The generated reference: one page per action and object, tables equal to the official schemas, diagrams.

The page generator and the table builder are exercised without running Sphinx
(fast); the full ``sphinx-build -W`` of the site is the ``slow`` test at the end
(and a CI step).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from tests.conftest import ROOT

pytest.importorskip("sphinx", reason="the docs extra (sphinx, furo, myst-parser) is not installed")
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import ocpkit_diagrams
import ocpkit_site

from ocpkit import ocpp
from ocpkit.sphinxext import describe as sx

# The action counts the OCPP specifications define (1.6 core + security extension, 2.0.1, 2.1).
OCPP_ACTION_COUNTS = {"1.6": 39, "2.0.1": 64, "2.1": 91}
_OCPP_DIRS = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}


def _registry(version: str) -> Any:
    try:
        return ocpp.actions(version)
    except ImportError as exc:
        pytest.skip(f"OCPP {version} models are not in this checkout: {exc}")


def _ocpi_objects(version: str) -> Any:
    try:
        return sx.ocpi_objects(version)
    except ImportError as exc:
        pytest.skip(f"OCPI {version} models are not in this checkout: {exc}")


# --------------------------------------------------------------------------- page counts


@pytest.fixture(scope="module")
def ocpp_pages() -> dict[str, str]:
    return ocpkit_site.ocpp_pages()


@pytest.mark.parametrize("version", list(OCPP_ACTION_COUNTS))
def test_one_page_per_ocpp_action(version: str, ocpp_pages: dict[str, str]) -> None:
    registry = _registry(version)
    assert len(registry) == OCPP_ACTION_COUNTS[version]
    pkg = _OCPP_DIRS[version]
    action_pages = {p for p in ocpp_pages if p.startswith(f"ocpp/{pkg}/actions/")}
    assert action_pages == {f"ocpp/{pkg}/actions/{name}.rst" for name in registry}
    for name in registry:
        assert f".. ocpp-message:: {version} {name}\n" in ocpp_pages[f"ocpp/{pkg}/actions/{name}.rst"]
    # Action pages stay out of the navigation tree (:orphan:) and are linked from the version index.
    index = ocpp_pages[f"ocpp/{pkg}/index.rst"]
    for name in registry:
        assert ocpp_pages[f"ocpp/{pkg}/actions/{name}.rst"].startswith(":orphan:\n")
        assert f":doc:`{name} <actions/{name}>`" in index


@pytest.mark.parametrize("version", ["2.1.1", "2.2.1", "2.3.0"])
def test_one_page_per_ocpi_object(version: str) -> None:
    objects = _ocpi_objects(version)
    assert objects, f"no OCPI {version} object found"
    pkg = "v" + version.replace(".", "")
    pages = ocpkit_site.ocpi_pages()
    object_pages = {p for p in pages if p.startswith(f"ocpi/{pkg}/objects/")}
    assert object_pages == {f"ocpi/{pkg}/objects/{ocpkit_site.slug(name)}.rst" for name in objects}
    for name in objects:
        assert (
            f".. ocpi-object:: {version} {name}\n"
            in pages[f"ocpi/{pkg}/objects/{ocpkit_site.slug(name)}.rst"]
        )


def test_missing_version_degrades_to_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(version: str) -> Any:
        raise ImportError(f"no models for {version}")

    monkeypatch.setattr(ocpp, "actions", broken)
    pages = ocpkit_site.ocpp_pages()
    assert not any("/actions/" in p for p in pages)
    assert ".. note::" in pages["ocpp/v201/index.rst"]
    assert "not available in this build" in pages["ocpp/v201/index.rst"]


def test_write_pages_rewrites_only_changes_and_removes_stale(tmp_path: Path) -> None:
    (tmp_path / "old.rst").write_text("stale", encoding="utf-8")
    assert ocpkit_site.write_pages(tmp_path, {"a/b.rst": "x\n"}) == 1
    assert not (tmp_path / "old.rst").exists()
    assert ocpkit_site.write_pages(tmp_path, {"a/b.rst": "x\n"}) == 0
    assert ocpkit_site.write_pages(tmp_path, {"a/b.rst": "y\n"}) == 1
    assert (tmp_path / "a/b.rst").read_text(encoding="utf-8") == "y\n"


# --------------------------------------------------------------------------- tables vs official schemas


def _official(shared: Path, version: str, action: str, kind: str) -> dict[str, Any]:
    folder = shared / "specs" / "ocpp" / _OCPP_DIRS[version]
    if version == "1.6":
        name = f"{action}.json" if kind == "request" else f"{action}Response.json"
    else:
        name = f"{action}{'Request' if kind == 'request' else 'Response'}.json"
        if not (folder / name).is_file() and kind == "request":
            name = f"{action}.json"  # the SEND-only 2.1 NotifyPeriodicEventStream has no suffix
    data: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))
    return data


@pytest.mark.shared
@pytest.mark.parametrize("version", list(OCPP_ACTION_COUNTS))
def test_message_tables_match_official_schemas(version: str, shared: Path) -> None:
    """Wire names, required flags and string/array bounds of every message table equal the official file."""
    registry = _registry(version)
    checked = 0
    for name, spec in registry.items():
        for kind, model in (("request", spec.request), ("response", spec.response)):
            if model is None:
                continue
            official = _official(shared, version, name, kind)
            rows = {r.wire_name: r for r in sx.describe_model(model)}
            assert set(rows) == set(official.get("properties", {})), (name, kind)
            assert {w for w, r in rows.items() if r.required} == set(official.get("required", [])), (
                name,
                kind,
            )
            for wire, prop in official.get("properties", {}).items():
                for keyword in ("maxLength", "minItems", "maxItems", "minimum", "maximum", "multipleOf"):
                    if keyword in prop:
                        shown = f"{keyword}: {sx._format_value(prop[keyword])}"
                        assert shown in rows[wire].constraints, (name, kind, wire, rows[wire].constraints)
                        checked += 1
                if prop.get("format") == "date-time":
                    assert "format: date-time" in rows[wire].constraints, (name, kind, wire)
    assert checked > 0


@pytest.mark.shared
@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_type_and_enum_tables_match_official_definitions(version: str, shared: Path) -> None:
    registry = _registry(version)
    models, enums = sx.ocpp_models(version), sx.ocpp_enums(version)
    seen_models = seen_enums = 0
    for name in registry:
        for kind in ("request", "response"):
            if kind == "response" and registry[name].response is None:
                continue
            for def_name, definition in _official(shared, version, name, kind).get("definitions", {}).items():
                if "enum" in definition:
                    assert {v for v, _ in sx.describe_enum(enums[def_name])} == set(definition["enum"])
                    seen_enums += 1
                elif "properties" in definition:
                    rows = sx.describe_model(models[def_name])
                    assert {r.wire_name for r in rows} == set(definition["properties"]), def_name
                    required = {r.wire_name for r in rows if r.required}
                    assert required == set(definition.get("required", [])), def_name
                    seen_models += 1
    assert seen_models and seen_enums


def test_every_type_link_has_a_table() -> None:
    """Each nested type or enum named in a message table is on the version's types or enums page."""
    for version in ocpp.VERSIONS:
        registry = _registry(version)
        models, enums = sx.ocpp_models(version), sx.ocpp_enums(version)
        for spec in registry.values():
            for model in (spec.request, spec.response, *models.values()):
                if model is None:
                    continue
                for row in sx.describe_model(model):
                    for part in row.type_parts:
                        if isinstance(part, sx.TypeRef):
                            table = enums if part.kind == "enum" else models
                            assert table.get(part.name) is part.cls, (version, model.__name__, row.wire_name)


# --------------------------------------------------------------------------- table builder on known models


class Colour(StrEnum):
    RED = "Red"
    DARK_BLUE = "DarkBlue"


class Leaf(BaseModel):
    value: Annotated[Decimal, Field(multiple_of=Decimal("0.1"))] = Field(alias="value")


class OldMessage(BaseModel):
    name: Annotated[str, Field(max_length=5)] = Field(alias="name")
    count: int = Field(alias="count")
    leaf: Leaf | None = Field(None, alias="leaf")


class NewLeaf(BaseModel):
    value: Annotated[Decimal, Field(multiple_of=Decimal("0.1"))] = Field(alias="value")
    unit: str | None = Field(None, alias="unit")


NewLeaf.__name__ = "Leaf"


class NewMessage(BaseModel):
    name: Annotated[str, Field(max_length=10)] = Field(alias="name")
    leaves: Annotated[list[NewLeaf], Field(min_length=1, max_length=3)] = Field(alias="leafList")
    colour: Colour | None = Field(None, alias="colour")
    leaf: NewLeaf | None = Field(None, alias="leaf")


def test_describe_model_rows() -> None:
    rows = {r.wire_name: r for r in sx.describe_model(NewMessage)}
    assert list(rows) == ["name", "leafList", "colour", "leaf"]
    assert rows["leafList"].attribute == "leaves"
    assert rows["leafList"].type_text == "list[Leaf]"
    assert rows["leafList"].constraints == ("minItems: 1", "maxItems: 3")
    assert rows["leafList"].required
    assert rows["name"].constraints == ("maxLength: 10",)
    assert not rows["colour"].required
    assert [type(p) for p in rows["colour"].type_parts] == [sx.TypeRef]
    assert sx.describe_model(Leaf)[0].constraints == ("multipleOf: 0.1",)
    assert sx.describe_enum(Colour) == (("Red", "RED"), ("DarkBlue", "DARK_BLUE"))


def test_referenced_types_are_transitive_and_exclude_roots() -> None:
    models, enums = sx.referenced_types([NewMessage])
    assert models == (NewLeaf,)
    assert enums == (Colour,)


def test_diff_models_lists_fields_constraints_and_nested_types() -> None:
    changes = sx.diff_models(OldMessage, NewMessage)
    assert changes == [
        "name: constraints maxLength: 5 -> maxLength: 10",
        "leafList: added (required, list[Leaf])",
        "colour: added (optional, Colour)",
        "count: removed",
        "Leaf.unit: added (optional, str)",
    ]
    assert sx.diff_models(NewMessage, NewMessage) == []


def test_sender_text_uses_the_roles_of_the_version() -> None:
    assert sx.sender_text(ocpp.Sender.CHARGING_STATION, "1.6") == "Charge Point → Central System"
    assert sx.sender_text(ocpp.Sender.CSMS, "2.0.1") == "CSMS → Charging Station"
    assert sx.sender_text(ocpp.Sender.BOTH, "2.1").startswith("either side")


def test_action_changes_come_from_the_models() -> None:
    for version in ocpp.VERSIONS:
        _registry(version)
    history = sx.ocpp_action_changes("BootNotification")
    assert [(a, b) for a, b, _ in history] == [("1.6", "2.0.1"), ("2.0.1", "2.1")]
    first = history[0][2]
    # 1.6 flattens the station identity into the request; 2.x nests it in chargingStation.
    assert "request chargePointVendor: removed" in first
    assert "request chargingStation: added (required, ChargingStationType)" in first
    assert sx.ocpp_action_versions("NotifyPeriodicEventStream") == ["2.1"]
    assert sx.ocpp_action_changes("NotifyPeriodicEventStream") == []


# --------------------------------------------------------------------------- diagrams


def test_svg_draws_every_state_and_edge() -> None:
    arrows = [
        ocpkit_diagrams.Arrow("A", "B", "x1"),
        ocpkit_diagrams.Arrow("B", "A", "y"),
        ocpkit_diagrams.Arrow("B", "B", "loop"),
    ]
    svg = ocpkit_diagrams.state_svg("T <&>", ["A", "B", "Long & odd"], arrows, ident="t1")
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(root.findall("s:rect", ns)) == 3
    assert [t.text for t in root.findall("s:text", ns)][:3] == ["A", "B", "Long & odd"]
    assert len(root.findall("s:g/s:path", ns)) == 3
    assert {t.text for t in root.findall("s:text", ns)} >= {"x1", "y", "loop"}
    assert root.find("s:defs/s:marker", ns).get("id") == "t1-arrow"  # type: ignore[union-attr]
    # Everything lies inside the view box.
    width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
    for rect in root.findall("s:rect", ns):
        x, y = float(rect.get("x", "-1")), float(rect.get("y", "-1"))
        assert x >= 0 and x + float(rect.get("width", "0")) <= width
        assert y >= 0 and y + float(rect.get("height", "0")) <= height


def test_connector_16_diagram_carries_every_code_of_the_table() -> None:
    try:
        connector = importlib.import_module("ocpkit.ocpp.connector")
    except ImportError as exc:
        pytest.skip(f"state machines are not in this checkout: {exc}")
    machines = {m.attr: m for m in ocpkit_site.state_machines()}
    spec = machines["v16_spec"].spec
    arrows, omitted = ocpkit_site.machine_arrows(spec)
    drawn = {(a.source, a.target): a.label for a in arrows}
    assert drawn == dict(connector.V16_TRANSITIONS)
    assert omitted  # repeats of a status are allowed but not drawn
    assert machines["v16_spec"].versions == ["1.6"]


# --------------------------------------------------------------------------- full build (slow)


@pytest.mark.slow
def test_full_site_builds_without_warnings(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("full docs build (~2 min): run with -m slow; CI runs sphinx-build -W as its own step")
    out = tmp_path / "html"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    for version, pkg in _OCPP_DIRS.items():
        for name in _registry(version):
            assert (out / "reference" / "_generated" / "ocpp" / pkg / "actions" / f"{name}.html").is_file()


# --------------------------------------------------------------------------- tables read from other modules


def test_error_code_table_is_the_rule_table() -> None:
    try:
        rpc = importlib.import_module("ocpkit.ocpp.rpc")
        keyword_rules = importlib.import_module("ocpkit.ocpp.validation").KEYWORD_RULES
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"the validation layer is not in this checkout: {exc}")
    headers, rows = ocpkit_site._error_code_table()
    assert headers == ["Fault", "Schema keywords", "OCPP 1.6", "OCPP 2.0.1", "OCPP 2.1"]
    assert {row[0]: row[2:] for row in rows} == {
        rule: [codes["1.6"], codes["2.0.1"], codes["2.1"]] for rule, codes in rpc.RULE_CODES.items()
    }
    by_rule = {row[0]: set(row[1].split(", ")) for row in rows}
    for keyword, rule in keyword_rules.items():
        assert keyword in by_rule[rule]


def test_hand_written_modules_exclude_generated_and_private_ones() -> None:
    modules = ocpkit_site.hand_written_modules()
    assert "ocpkit.sphinxext" in modules and "ocpkit.errors" in modules
    assert not any(m.startswith(("ocpkit.ocpp.v16", "ocpkit.ocpp.v201", "ocpkit.ocpp.v21")) for m in modules)
    assert not any(part.startswith("_") for m in modules for part in m.split("."))


@pytest.mark.parametrize("version", ["2.1.1", "2.2.1", "2.3.0"])
def test_every_ocpi_type_link_has_a_table(version: str) -> None:
    """Each class or enum named in an OCPI table has its own page or table in the version's reference."""
    objects = _ocpi_objects(version)
    models, enums = sx.ocpi_models(version), sx.ocpi_enums(version)
    tables = {**objects, **models}
    for model in tables.values():
        for row in sx.describe_model(model):
            for part in row.type_parts:
                if isinstance(part, sx.TypeRef):
                    found = enums if part.kind == "enum" else tables
                    assert found.get(part.name) is part.cls, (version, sx.display_name(model), row.wire_name)
