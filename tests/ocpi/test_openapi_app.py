"""A small FastAPI app with one endpoint per OCPI module produces a valid OpenAPI 3.1 document.

FastAPI and openapi-spec-validator are test-only dependencies (the ``test``
extra). The check is done with openapi-spec-validator's OpenAPI 3.1 validator.
"""

from __future__ import annotations

from typing import Any

import pytest

from ocpkit.ocpi import VERSIONS, version_package
from ocpkit.ocpi.envelope import Response

fastapi = pytest.importorskip("fastapi")
testclient = pytest.importorskip("fastapi.testclient")
validator = pytest.importorskip("openapi_spec_validator")


def _app(version: str) -> Any:
    module = version_package(version)
    app = fastapi.FastAPI(title=f"OCPI {version}", version=version)
    for module_id, names in sorted(module.MODULES.items()):
        cls = module.OBJECTS[names[0]]

        def handler() -> dict[str, Any]:  # pragma: no cover - never called, only documented
            return {}

        app.add_api_route(
            f"/ocpi/{version}/{module_id}",
            handler,
            methods=["GET"],
            response_model=Response[list[cls]],  # type: ignore[valid-type]
            operation_id=f"get_{module_id}",
        )
    return app


@pytest.mark.parametrize("version", VERSIONS)
def test_openapi_document_is_valid_31(version: str) -> None:
    client = testclient.TestClient(_app(version))
    reply = client.get("/openapi.json")
    assert reply.status_code == 200
    document = reply.json()
    assert document["openapi"].startswith("3.1")
    validator.validate(document)
    module = version_package(version)
    assert len(document["paths"]) == len(module.MODULES)
    schemas = document["components"]["schemas"]
    assert any(name.startswith("Response") for name in schemas)
