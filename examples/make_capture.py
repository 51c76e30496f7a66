"""Write examples/charger.log: a small CSMS log with two chargers and a few protocol faults.

Run ``python examples/make_capture.py`` to regenerate it; the output is the same
every time (a seeded random generator, fixed clock). The log has the layout of
Python's ``logging`` on the central-system side (``receive message`` is a frame
from a charger, ``send`` one to it), with the ordinary noise of a server log
between the frames. Two chargers talk: ``ACME-0042`` speaks OCPP 1.6,
``VOLTA-7`` OCPP 2.0.1. The faults a reader of the report should find:

* StatusNotification with ``errorCode`` ``OverCurrent`` (1.6 has ``OverCurrentFailure``);
* StartTransaction without the required ``meterStart``;
* Authorize with a 24-character ``idTag`` (1.6 allows 20);
* MeterValues whose ``timestamp`` has no UTC offset;
* a RemoteStopTransaction the charger never answers;
* on the 2.0.1 charger, a TransactionEvent with ``triggerReason`` ``Plugged`` (not in the enum).
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("charger.log")


class Log:
    """Collects log lines with a clock that only moves forward."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = datetime(2026, 3, 2, 7, 58, 12, 250000, tzinfo=UTC)
        self.lines: list[str] = []

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds + self.rng.random() * 0.2)

    def stamp(self) -> str:
        return self.now.strftime("%Y-%m-%d %H:%M:%S,") + f"{self.now.microsecond // 1000:03d}"

    def iso(self, naive: bool = False) -> str:
        text = self.now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.now.microsecond // 1000:03d}"
        return text if naive else text + "Z"

    def say(self, logger: str, level: str, message: str) -> None:
        self.lines.append(f"{self.stamp()} - {logger} - {level} - {message}")

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def frame(self, cp: str, inbound: bool, frame: list[object]) -> None:
        text = json.dumps(frame, separators=(",", ":"))
        verb = "receive message" if inbound else "send"
        self.say("ocpp", "INFO", f"{cp}: {verb} {text}")

    def call(self, cp: str, inbound: bool, action: str, payload: dict[str, object]) -> str:
        mid = self.uid()
        self.frame(cp, inbound, [2, mid, action, payload])
        self.tick(0.05)
        return mid

    def result(self, cp: str, inbound: bool, mid: str, payload: dict[str, object]) -> None:
        self.frame(cp, inbound, [3, mid, payload])
        self.tick(0.4)

    def exchange(
        self, cp: str, from_cp: bool, action: str, req: dict[str, object], res: dict[str, object]
    ) -> None:
        mid = self.call(cp, from_cp, action, req)
        self.result(cp, not from_cp, mid, res)


def build() -> str:
    """Return the text of the capture."""
    rng = random.Random(20260302)
    log = Log(rng)
    log.say("csms.server", "INFO", "ocpkit demo CSMS 0.3.1 starting, listening on 0.0.0.0:9000")
    log.say("csms.server", "INFO", "database ready (sqlite:///var/lib/csms/csms.db)")
    log.tick(3)

    # ---- ACME-0042, OCPP 1.6
    a = "ACME-0042"
    log.say("websockets.server", "INFO", f"connection open: /ocpp/{a} from 10.20.0.42:51344")
    log.exchange(
        a,
        True,
        "BootNotification",
        {
            "chargePointVendor": "Acme",
            "chargePointModel": "Wallbox AC22",
            "chargePointSerialNumber": "AC22-000042",
            "firmwareVersion": "4.2.7",
        },
        {"status": "Accepted", "currentTime": log.iso(), "interval": 300},
    )
    log.exchange(
        a,
        True,
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": log.iso()},
        {},
    )
    log.exchange(
        a,
        False,
        "GetConfiguration",
        {"key": ["HeartbeatInterval", "MeterValueSampleInterval"]},
        {
            "configurationKey": [
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                {"key": "MeterValueSampleInterval", "readonly": False, "value": "60"},
            ]
        },
    )
    log.tick(40)
    log.exchange(
        a,
        True,
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Preparing", "timestamp": log.iso()},
        {},
    )
    # Fault: idTag over 20 characters.
    long_tag = "04E1B2C3D4E5F6A7B8C9D0E1"
    log.exchange(a, True, "Authorize", {"idTag": long_tag}, {"idTagInfo": {"status": "Accepted"}})
    tag = "04E1B2C3D4E5F6"
    log.exchange(a, True, "Authorize", {"idTag": tag}, {"idTagInfo": {"status": "Accepted"}})
    # Fault: meterStart missing.
    log.exchange(
        a,
        True,
        "StartTransaction",
        {"connectorId": 1, "idTag": tag, "timestamp": log.iso()},
        {"transactionId": 81723, "idTagInfo": {"status": "Accepted"}},
    )
    log.say("csms.sessions", "INFO", f"{a}: transaction 81723 started for {tag}")
    log.exchange(
        a,
        True,
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Charging", "timestamp": log.iso()},
        {},
    )
    energy = 1520
    for i in range(4):
        log.tick(60)
        energy += rng.randint(170, 190)
        sampled = [
            {"value": str(energy), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": f"{rng.uniform(10.8, 11.1):.1f}", "measurand": "Power.Active.Import", "unit": "kW"},
        ]
        # Fault: the third sample's time has no UTC offset.
        log.exchange(
            a,
            True,
            "MeterValues",
            {
                "connectorId": 1,
                "transactionId": 81723,
                "meterValue": [{"timestamp": log.iso(naive=i == 2), "sampledValue": sampled}],
            },
            {},
        )
    log.tick(2)
    # Fault: an errorCode the enum does not have.
    log.exchange(
        a,
        True,
        "StatusNotification",
        {
            "connectorId": 1,
            "errorCode": "OverCurrent",
            "status": "SuspendedEVSE",
            "timestamp": log.iso(),
            "vendorErrorCode": "E-117",
        },
        {},
    )
    log.say("csms.sessions", "WARNING", f"{a}: connector 1 suspended by the charger (vendor error E-117)")
    # Fault: a CALL that never gets an answer.
    log.call(a, False, "RemoteStopTransaction", {"transactionId": 81723})
    log.tick(30)
    log.say("ocpp", "WARNING", f"{a}: no response to RemoteStopTransaction within 30 s")
    log.exchange(a, True, "Heartbeat", {}, {"currentTime": log.iso()})

    # ---- VOLTA-7, OCPP 2.0.1
    v = "VOLTA-7"
    log.say("websockets.server", "INFO", f"connection open: /ocpp/{v} from 10.20.0.7:40112")
    log.exchange(
        v,
        True,
        "BootNotification",
        {
            "chargingStation": {"model": "Volta DC50", "vendorName": "Volta", "firmwareVersion": "1.9.0"},
            "reason": "PowerUp",
        },
        {"currentTime": log.iso(), "interval": 300, "status": "Accepted"},
    )
    log.exchange(
        v,
        True,
        "StatusNotification",
        {"timestamp": log.iso(), "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
        {},
    )
    tx = log.uid()
    # Fault: triggerReason "Plugged" is not in the 2.0.1 enum (CablePluggedIn is).
    log.exchange(
        v,
        True,
        "TransactionEvent",
        {
            "eventType": "Started",
            "timestamp": log.iso(),
            "triggerReason": "Plugged",
            "seqNo": 0,
            "transactionInfo": {"transactionId": tx, "chargingState": "EVConnected"},
            "evse": {"id": 1, "connectorId": 1},
        },
        {},
    )
    log.exchange(
        v,
        True,
        "Authorize",
        {"idToken": {"idToken": "DE*VOL*C0FFEE*7", "type": "eMAID"}},
        {"idTokenInfo": {"status": "Accepted"}},
    )
    for seq in (1, 2):
        log.tick(60)
        log.exchange(
            v,
            True,
            "TransactionEvent",
            {
                "eventType": "Updated",
                "timestamp": log.iso(),
                "triggerReason": "MeterValuePeriodic",
                "seqNo": seq,
                "transactionInfo": {"transactionId": tx, "chargingState": "Charging"},
                "meterValue": [
                    {
                        "timestamp": log.iso(),
                        "sampledValue": [
                            {"value": 4100.0 + seq * 790.5, "measurand": "Energy.Active.Import.Register"}
                        ],
                    }
                ],
            },
            {},
        )
    log.tick(20)
    log.exchange(
        v,
        True,
        "TransactionEvent",
        {
            "eventType": "Ended",
            "timestamp": log.iso(),
            "triggerReason": "EVCommunicationLost",
            "seqNo": 3,
            "transactionInfo": {
                "transactionId": tx,
                "chargingState": "Idle",
                "stoppedReason": "EVDisconnected",
            },
        },
        {},
    )
    log.exchange(v, True, "Heartbeat", {}, {"currentTime": log.iso()})
    log.say("csms.server", "INFO", "shutting down (SIGTERM)")
    return "\n".join(log.lines) + "\n"


if __name__ == "__main__":
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT}")
