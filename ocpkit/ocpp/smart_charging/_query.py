"""GetCompositeSchedule as a conforming station answers it, from a request payload.

Theory of operation: the request (1.6 ``connectorId``, 2.x ``evseId``; a
``duration``; an optional ``chargingRateUnit``) is read, the composite
schedule computed at *now*, and the answer built: ``Accepted`` with the
schedule, or ``Rejected`` when the EVSE does not exist (2.x K08.FR.05) or the
unit is not supported (K08.FR.07), with the 2.x ``statusInfo`` reason code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ocpkit.errors import SmartChargingError
from ocpkit.ocpp.smart_charging._compose import composite_schedule
from ocpkit.ocpp.smart_charging._profile import wire
from ocpkit.ocpp.smart_charging._store import ProfileStore
from ocpkit.ocpp.smart_charging._types import CompositeSchedule, Station

__all__ = ["expected_answer", "read_request"]


def read_request(version: str, request: object, unit: str | None = None) -> tuple[int, int, str]:
    """``(evse_id, duration, unit)`` of a GetCompositeSchedule request; *unit* when it names none."""
    data = wire(request)
    evse = data.get("connectorId" if version == "1.6" else "evseId")
    duration = data.get("duration")
    asked = data.get("chargingRateUnit", unit)
    if isinstance(evse, bool) or not isinstance(evse, int):
        raise SmartChargingError(f"the request names no EVSE: {evse!r}", reason_code="UnknownEvse")
    if isinstance(duration, bool) or not isinstance(duration, int):
        raise SmartChargingError(f"the request's duration is not an integer: {duration!r}")
    if asked is None:
        asked = "A"
    return evse, duration, str(asked)


def expected_answer(
    store: ProfileStore,
    request: object,
    now: datetime,
    station: Station | None = None,
    *,
    unit: str | None = None,
) -> tuple[dict[str, Any], CompositeSchedule | None]:
    """The GetCompositeScheduleResponse payload a conforming station sends at *now*, and the schedule.

    *unit* is used when the request names none (1.6 lets the station choose; default ``"A"``).
    A refused request gives ``({"status": "Rejected", ...}, None)``. A schedule whose limit is
    unknown somewhere (no default limit in *station*) raises
    :class:`~ocpkit.errors.SmartChargingError` when written.
    """
    facts = station if station is not None else Station()
    evse, duration, asked = read_request(store.version, request, unit)
    try:
        schedule = composite_schedule(store, evse, now, duration, asked, facts)
    except SmartChargingError as exc:
        if not exc.reason_code:
            raise
        answer: dict[str, Any] = {"status": "Rejected"}
        if store.version != "1.6":
            answer["statusInfo"] = {"reasonCode": exc.reason_code}
        return answer, None
    return schedule.response(), schedule
