"""ocpkit.energy takes the generated typed OCPP models as well as wire-name dicts, with equal results."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ocpkit import energy as en
from ocpkit.ocpp import v16, v21, v201
from tests.energy._logs import DYN_4988, OCTT, SIM, calls

V16_MODELS: dict[str, Any] = {
    "MeterValues": v16.messages.MeterValuesRequest,
    "StartTransaction": v16.messages.StartTransactionRequest,
    "StopTransaction": v16.messages.StopTransactionRequest,
    "StatusNotification": v16.messages.StatusNotificationRequest,
}


def test_v16_models_give_the_same_readings_and_energy(shared: Path) -> None:
    from_dicts: list[en.Reading] = []
    from_models: list[en.Reading] = []
    for _, action, payload in calls(shared / DYN_4988):
        if action == "StatusNotification":
            model = V16_MODELS[action].model_validate(payload)
            assert en.charging_state_change(action, model) == en.charging_state_change(action, payload)
            continue
        if action == "StartTransaction" and payload["timestamp"] != "2026-02-16T17:14:08.000Z":
            continue  # only the start of transaction 1771262049
        if action != "StartTransaction" and payload.get("transactionId") != 1771262049:
            continue
        from_dicts += en.readings_from_payload(action, payload)
        from_models += en.readings_from_payload(action, V16_MODELS[action].model_validate(payload))
    assert from_models == from_dicts
    assert en.energy_delivered(from_models).energy_wh == Decimal(248)


@pytest.mark.parametrize("package", [v201, v21], ids=["2.0.1", "2.1"])
def test_2x_models_give_the_same_readings(shared: Path, package: Any) -> None:
    model_cls = package.messages.TransactionEventRequest
    for path in (SIM, OCTT):
        for number, action, payload in calls(shared / path):
            if action != "TransactionEvent" or "meterValue" not in payload:
                continue
            if path == SIM and number > 800:
                break  # the first few hundred lines cover both EVSEs; enough for equality
            try:
                model = model_cls.model_validate(payload)
            except ValidationError:
                assert package is v21  # 2.0.1 traffic need not be valid 2.1
                continue
            assert en.readings_from_payload(action, model) == en.readings_from_payload(action, payload)


def test_2x_model_multiplier_and_state() -> None:
    payload = {
        "eventType": "Updated",
        "timestamp": "2024-08-21T12:24:40.131Z",
        "triggerReason": "ChargingStateChanged",
        "seqNo": 1,
        "transactionInfo": {"transactionId": "e23889e3", "chargingState": "SuspendedEV"},
        "meterValue": [
            {
                "timestamp": "2024-08-21T12:24:40Z",
                "sampledValue": [{"value": 1.5, "unitOfMeasure": {"unit": "kWh", "multiplier": 1}}],
            }
        ],
    }
    model = v201.messages.TransactionEventRequest.model_validate(payload)
    (reading,) = en.readings_from_payload("TransactionEvent", model)
    assert reading.to("Wh") == Decimal(15000)
    change = en.charging_state_change("TransactionEvent", model)
    assert change is not None and change[1] == "SuspendedEV"
