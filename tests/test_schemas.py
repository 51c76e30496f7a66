"""ocpkit.schemas.ocpp_schema: lookup, copies, errors."""

from __future__ import annotations

import pytest

from ocpkit.errors import UnsupportedError
from ocpkit.ocpp import actions
from ocpkit.schemas import ocpp_schema


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_every_registered_message_has_a_schema(version: str) -> None:
    for name, spec in actions(version).items():
        assert ocpp_schema(version, name, "request")["title"] == spec.request.__name__
        if spec.response is not None:
            assert ocpp_schema(version, name, "response")["title"] == spec.response.__name__


def test_declared_drafts() -> None:
    assert ocpp_schema("1.6", "BootNotification", "request")["$schema"].endswith("draft-04/schema#")
    assert ocpp_schema("1.6", "GetLog", "request")["$schema"].endswith("draft-06/schema#")
    assert ocpp_schema("2.0.1", "BootNotification", "request")["$schema"].endswith("draft-06/schema#")


def test_each_call_returns_a_fresh_copy() -> None:
    first = ocpp_schema("2.0.1", "BootNotification", "request")
    first["properties"].clear()
    again = ocpp_schema("2.0.1", "BootNotification", "request")
    assert "reason" in again["properties"]
    assert again is not first


@pytest.mark.parametrize(
    ("version", "action", "direction"),
    [
        ("1.5", "BootNotification", "request"),
        ("2.0.1", "Bootnotification", "request"),
        ("2.0.1", "BootNotification", "call"),
        ("2.1", "NotifyPeriodicEventStream", "response"),
        ("2.0.1", "../../x", "request"),
        ("2.0.1", None, "request"),
        (None, "BootNotification", "request"),
        ("2.0.1", "BootNotification", None),
    ],
)
def test_unknown_lookups_raise_unsupported(version: object, action: object, direction: object) -> None:
    with pytest.raises(UnsupportedError):
        ocpp_schema(version, action, direction)  # type: ignore[arg-type]


def test_send_only_request_exists() -> None:
    schema = ocpp_schema("2.1", "NotifyPeriodicEventStream", "request")
    assert schema["title"] == "NotifyPeriodicEventStreamRequest"
