"""Facts the capture reader uses to guess directions and protocol versions.

Theory of operation: a log rarely says which side wrote it or which OCPP
version is spoken, but the messages do. Each action has one sender (or both,
for DataTransfer), and many actions exist in only one version. The action
and sender sets are derived from the generated plain-data table
:data:`ocpkit.ocpp._senders.SENDERS` (the same facts the registry
``ocpkit.ocpp.actions()`` carries), so that reading a capture does not import
the message models. The payload-key marks below are hand-written hints.
"""

from __future__ import annotations

from ocpkit.ocpp._senders import SENDERS

__all__ = [
    "ACTIONS_V16",
    "ACTIONS_V21",
    "ACTIONS_V201",
    "BOTH_SENDERS",
    "CP_SENDS",
    "ONLY_V2X",
    "ONLY_V16",
    "ONLY_V21",
    "PAYLOAD_MARKS",
]

ACTIONS_V16: frozenset[str] = frozenset(SENDERS["1.6"])
ACTIONS_V201: frozenset[str] = frozenset(SENDERS["2.0.1"])
ACTIONS_V21: frozenset[str] = frozenset(SENDERS["2.1"])

ONLY_V16: frozenset[str] = ACTIONS_V16 - ACTIONS_V21
ONLY_V2X: frozenset[str] = ACTIONS_V201 - ACTIONS_V16
ONLY_V21: frozenset[str] = ACTIONS_V21 - ACTIONS_V201

# Requests that only the charge point (charging station) sends, in any
# version; every other known action except those in BOTH_SENDERS is sent by
# the central system.
CP_SENDS: frozenset[str] = frozenset(
    action for table in SENDERS.values() for action, sender in table.items() if sender == "ChargingStation"
)
BOTH_SENDERS: frozenset[str] = frozenset(
    action for table in SENDERS.values() for action, sender in table.items() if sender == "Both"
)

# Payload keys that exist in one version family only, per (action, message
# type id): ((key, version family), ...). "2.x" means 2.0.1 or 2.1.
PAYLOAD_MARKS: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {
    ("BootNotification", 2): (
        ("chargePointVendor", "1.6"),
        ("chargePointModel", "1.6"),
        ("chargingStation", "2.x"),
    ),
    ("StatusNotification", 2): (("errorCode", "1.6"), ("connectorStatus", "2.x"), ("evseId", "2.x")),
    ("Authorize", 2): (("idTag", "1.6"), ("idToken", "2.x")),
    ("MeterValues", 2): (("connectorId", "1.6"), ("evseId", "2.x")),
    ("Heartbeat", 3): (),
    ("DataTransfer", 2): (),
}
