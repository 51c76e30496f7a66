"""ocpkit models in a FastAPI app: OCPI objects stored and served exactly, typed bodies for both protocols.

Run it with ``uvicorn examples.fastapi_app:app`` (uvicorn is not an ocpkit dependency); the test suite runs
it in-process (tests/ocpi/test_fastapi_howto.py) and the how-to page docs/howto/fastapi.md shows this file.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from ocpkit import ocpi
from ocpkit.errors import ObjectInvalid
from ocpkit.ocpi import v221
from ocpkit.ocpi.envelope import Response as Envelope
from ocpkit.ocpp import v201

# The OCPI 2.2.1 objects this platform stores, by module identifier.
MODULES = {"locations": v221.Location, "sessions": v221.Session, "cdrs": v221.Cdr, "tariffs": v221.Tariff}


class OcpiJSONResponse(Response):
    """A body written by ocpkit: wire names, only the fields that were set, decimals exactly as received."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return ocpi.to_json(content).encode()


def create_app(now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> FastAPI:
    """The app; *now* gives the envelopes' timestamps (a parameter, so tests can fix it)."""
    app = FastAPI(title="ocpkit in FastAPI")
    store: dict[tuple[str, str], Any] = {}

    def envelope(data: Any = None, status_code: int = 1000, message: str = "") -> OcpiJSONResponse:
        # Only the fields given are set, so absent ones are left out of the body (no "null").
        fields: dict[str, Any] = {"status_code": status_code, "timestamp": now()}
        if data is not None:
            fields["data"] = data
        if message:
            fields["status_message"] = message
        return OcpiJSONResponse(Envelope[Any](**fields), status_code=200 if status_code < 2000 else 400)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> OcpiJSONResponse:
        # A typed body that does not validate: OCPI status 2001, invalid or missing parameters.
        return envelope(status_code=2001, message=f"{len(exc.errors())} invalid field(s)")

    def module_routes(module: str, model: type[Any]) -> APIRouter:
        router = APIRouter(prefix=f"/ocpi/2.2.1/{module}")

        @router.put("/{object_id}")
        async def put(object_id: str, request: Request) -> OcpiJSONResponse:
            # The raw body, parsed by ocpkit: FastAPI's own JSON decoding would pass every number through
            # float (0.50 would come back as 0.5). Each violation carries its OCPI status code.
            try:
                store[(module, object_id)] = ocpi.parse("2.2.1", model.__ocpi_name__, await request.body())
            except ObjectInvalid as exc:
                return envelope(status_code=int(exc.violations[0].code), message=str(exc).splitlines()[0])
            return envelope()

        # response_model documents the body in the OpenAPI schema; the returned response is sent as it is.
        @router.get("/{object_id}", response_model=Envelope[model])  # type: ignore[valid-type]
        def get(object_id: str) -> OcpiJSONResponse:
            found = store.get((module, object_id))
            return envelope(found) if found is not None else envelope(status_code=2000, message="unknown id")

        return router

    for module, model in MODULES.items():
        app.include_router(module_routes(module, model))

    @app.post("/ocpi/2.2.1/commands/START_SESSION")
    def start_session(command: v221.StartSession) -> OcpiJSONResponse:
        # A typed OCPI request body (numbers, if any, would arrive through FastAPI's float decoding).
        accepted = v221.CommandResponse(result=v221.CommandResponseType.ACCEPTED, timeout=30)
        return envelope(accepted)

    @app.post("/ocpp/2.0.1/boot", response_model_exclude_none=True)
    def boot(request: v201.BootNotificationRequest) -> v201.BootNotificationResponse:
        # A typed OCPP request body, and a response model whose absent fields are left out (exclude_none).
        accepted = v201.enums.RegistrationStatusEnumType.ACCEPTED
        return v201.BootNotificationResponse(current_time=now(), interval=300, status=accepted)

    return app


app = create_app()
