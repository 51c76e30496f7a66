"""Exported OCPI JSON Schemas: present for every object, marked as derived, and agreeing with the models.

The schemas are generated from the models, so the strongest check is that the
two give the same verdict: every official example and every capture judged by
the model is judged the same way by the exported schema (jsonschema, draft
2020-12, with a format checker for ``uri``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ocpkit.errors import ObjectInvalid, UnsupportedError
from ocpkit.ocpi import VERSIONS, parse, version_package
from ocpkit.ocpi._schemas import ocpi_schema, ocpi_schema_names, openapi_components
from tests.ocpi.test_examples import BOOKINGS, COMMON, PAYMENTS


@pytest.mark.parametrize("version", VERSIONS)
def test_every_object_and_partial_has_a_schema(version: str) -> None:
    module = version_package(version)
    expected = {cls.__name__ for cls in module.OBJECTS.values()} | {
        cls.__name__ for cls in module.PARTIALS.values()
    }
    assert set(ocpi_schema_names(version)) == expected
    for name in expected:
        schema = ocpi_schema(version, name)
        assert "derived by ocpkit" in schema["$comment"].lower()
        assert "no official" in schema["$comment"].lower()
        jsonschema.Draft202012Validator.check_schema(schema)


def test_spec_names_and_class_names_reach_the_same_schema() -> None:
    assert ocpi_schema("2.2.1", "CDR") == ocpi_schema("2.2.1", "Cdr")
    assert ocpi_schema("2.3.0", "Financial Advice Confirmation")["title"] == "FinancialAdviceConfirmation"
    assert ocpi_schema("2.2.1", "LocationPartial")["title"] == "LocationPartial"
    tariff = ocpi_schema("2.3.0", "Tariff")
    assert "tax_included" in tariff["required"]
    assert tariff["additionalProperties"] is False
    with pytest.raises(UnsupportedError):
        ocpi_schema("2.2.1", "NoSuchThing")
    with pytest.raises(UnsupportedError):
        ocpi_schema("3.0", "Tariff")


def _schema_ok(schema: dict[str, Any], doc: Any) -> bool:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return not list(validator.iter_errors(doc))


def _model_ok(version: str, name: str, doc: Any, partial: bool) -> bool:
    try:
        parse(version, name, doc, partial=partial)
    except ObjectInvalid:
        return False
    return True


@pytest.mark.shared
def test_schema_verdicts_equal_model_verdicts_on_examples(shared: Path) -> None:
    checked = 0
    for version, folder, table in (
        ("2.2.1", "examples", COMMON),
        ("2.3.0", "examples", {**COMMON, **PAYMENTS}),
        ("2.3.0", "bookings/examples", BOOKINGS),
    ):
        base = shared / "specs" / "ocpi" / version / folder
        files = dict(table)
        files.update(
            {p.name: ("object", "Tariff") for p in base.glob("tariff_*.json") if p.name not in files}
        )
        for file, (kind, name) in sorted(files.items()):
            if kind not in ("object", "partial"):
                continue
            doc = json.loads((base / file).read_bytes(), parse_float=Decimal)
            partial = kind == "partial"
            schema = ocpi_schema(version, name + ("Partial" if partial else ""))
            assert _schema_ok(schema, doc) == _model_ok(version, name, doc, partial), (version, file)
            checked += 1
    assert checked > 100


def test_schema_and_model_agree_on_datetime_and_enum_rules() -> None:
    schema = ocpi_schema("2.3.0", "ConnectorPartial")
    for stamp, ok in (
        ("2015-06-29T20:39:09Z", True),
        ("2015-06-29T20:39:09", True),
        ("2015-06-29T20:39:09.123Z", True),
        ("2015-06-29T20:39:09+01:00", False),
        ("2015-06-29T20:39:09+00:00", False),
        ("2015-06-29 20:39:09Z", False),
        ("2015-06-29T20:39:09.1234567890Z", False),
    ):
        doc = {"last_updated": stamp, "standard": "SOME_NEW_PLUG"}
        assert _schema_ok(schema, doc) is ok, stamp
        assert _model_ok("2.3.0", "Connector", doc, True) is ok, stamp
    closed = ocpi_schema("2.2.1", "ConnectorPartial")
    doc = {"last_updated": "2015-06-29T20:39:09Z", "standard": "SOME_NEW_PLUG"}
    assert not _schema_ok(closed, doc)
    assert not _model_ok("2.2.1", "Connector", doc, True)


@pytest.mark.parametrize("version", VERSIONS)
def test_openapi_components_are_valid_openapi_31(version: str) -> None:
    from openapi_spec_validator import validate

    components = openapi_components(version)
    assert "Tariff" in components and "TariffPartial" not in components
    refs = json.dumps(components)
    assert "#/$defs/" not in refs
    document = {
        "openapi": "3.1.0",
        "info": {"title": f"OCPI {version} objects", "version": version},
        "paths": {},
        "components": {"schemas": components},
    }
    validate(document)
    # Every reference resolves inside the mapping.
    for ref in {part.split('"')[0] for part in refs.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in components, ref
