"""The how-to "ocpkit models in a FastAPI app" (docs/howto/fastapi.md, code in examples/fastapi_app.py) runs.

Every test here turns pydantic's UserWarnings (serializer warnings, UnsupportedFieldAttributeWarning) into
errors: a model used as a request body or response must not warn. Responses are compared with the official
OCPI 2.2.1 examples byte for byte.
"""

from __future__ import annotations

import json
import typing
import warnings
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tests.conftest import ROOT
from tests.ocpi.test_examples import COMMON, KNOWN_WRONG

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    # starlette's TestClient announces its own move to another HTTP client; that is not ocpkit's warning.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("error::UserWarning")

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
TAIL = b',"status_code":1000,"timestamp":"2026-03-01T10:00:00Z"}'


@pytest.fixture
def client() -> TestClient:
    from examples.fastapi_app import create_app

    return TestClient(create_app(lambda: NOW))


def _write(value: Any) -> str:
    """Compact JSON with every number written as its decimal text (an oracle independent of ocpkit)."""
    if isinstance(value, dict):
        return (
            "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_write(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_write(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _model_of(annotation: Any) -> Any:
    """The model class an annotation holds (through Optional, list and Annotated), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _in_field_order(doc: Any, cls: Any) -> Any:
    """*doc* with each object's keys in its model's field order (values untouched)."""
    if isinstance(doc, list):
        return [_in_field_order(item, cls) for item in doc]
    if not isinstance(doc, dict) or cls is None:
        return doc
    fields = list(cls.model_fields)
    keys = sorted(doc, key=lambda k: fields.index(k) if k in fields else len(fields))
    return {
        k: _in_field_order(doc[k], _model_of(cls.model_fields[k].annotation) if k in fields else None)
        for k in keys
    }


MODULE_OF = {"Location": "locations", "Session": "sessions", "CDR": "cdrs", "Tariff": "tariffs"}


def _examples(shared: Path) -> list[tuple[str, str, Path]]:
    folder = shared / "specs" / "ocpi" / "2.2.1" / "examples"
    table = {name: obj for name, (kind, obj) in COMMON.items() if kind == "object" and obj in MODULE_OF}
    table.update({p.name: "Tariff" for p in folder.glob("tariff_*.json")})
    return [
        (name, obj, folder / name)
        for name, obj in sorted(table.items())
        if ("2.2.1", name) not in KNOWN_WRONG
    ]


@pytest.mark.shared
def test_objects_come_back_byte_for_byte(shared: Path, client: TestClient) -> None:
    from examples.fastapi_app import MODULES

    cases = _examples(shared)
    assert len(cases) >= 20
    same_order = 0
    for i, (name, obj, path) in enumerate(cases):
        raw = path.read_bytes()
        module = MODULE_OF[obj]
        put = client.put(
            f"/ocpi/2.2.1/{module}/{i}", content=raw, headers={"content-type": "application/json"}
        )
        assert (put.status_code, put.content) == (
            200,
            b'{"status_code":1000' + TAIL[len(',"status_code":1000') :],
        )
        got = client.get(f"/ocpi/2.2.1/{module}/{i}")
        assert got.status_code == 200 and b"null" not in got.content, name
        doc = json.loads(raw, parse_float=Decimal)
        expected = _write(_in_field_order(doc, MODULES[module])).encode()
        assert got.content == b'{"data":' + expected + TAIL, name
        same_order += _write(doc).encode() == expected
    # Most examples list their fields in the spec's order, so even the key order is the example's own.
    assert same_order >= len(cases) - 2


def test_invalid_objects_get_their_ocpi_status_code(client: TestClient) -> None:
    reply = client.put(
        "/ocpi/2.2.1/tariffs/1", content=b'{"id": 5}', headers={"content-type": "application/json"}
    )
    assert reply.status_code == 400 and reply.json()["status_code"] == 2001
    reply = client.put("/ocpi/2.2.1/tariffs/1", content=b"{", headers={"content-type": "application/json"})
    assert reply.json()["status_code"] == 2000
    assert client.get("/ocpi/2.2.1/tariffs/404").json()["status_code"] == 2000


def test_typed_request_bodies_do_not_warn(client: TestClient) -> None:
    token = {
        "country_code": "NL",
        "party_id": "EXA",
        "uid": "1",
        "type": "RFID",
        "contract_id": "C",
        "issuer": "I",
        "valid": True,
        "whitelist": "ALWAYS",
        "last_updated": "2026-01-01T00:00:00Z",
    }
    command = {"response_url": "https://emsp.example/cb/1", "token": token, "location_id": "L1"}
    reply = client.post("/ocpi/2.2.1/commands/START_SESSION", json=command)
    assert reply.content == b'{"data":{"result":"ACCEPTED","timeout":30}' + TAIL
    assert client.post("/ocpi/2.2.1/commands/START_SESSION", json={"x": 1}).json()["status_code"] == 2001
    boot = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
    reply = client.post("/ocpp/2.0.1/boot", json=boot)
    # exclude_none: the response's absent optional fields (customData, statusInfo) are not written as null.
    assert reply.content == b'{"currentTime":"2026-03-01T10:00:00Z","interval":300,"status":"Accepted"}'
    assert client.post("/ocpp/2.0.1/boot", json={"reason": "Nope"}).status_code == 400


def test_the_openapi_document_is_valid(client: TestClient) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    document = client.get("/openapi.json").json()
    validator.validate(document)
    schemas = document["components"]["schemas"]
    assert {"BootNotificationRequest", "StartSession"} <= set(schemas)
    assert any(name.startswith("Response") and "Tariff" in name for name in schemas)


def test_the_how_to_page_shows_the_tested_code() -> None:
    page = (ROOT / "docs" / "howto" / "fastapi.md").read_text(encoding="utf-8")
    assert "literalinclude} ../../examples/fastapi_app.py" in page
