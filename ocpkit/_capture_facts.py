"""Facts the capture reader uses to guess directions and protocol versions.

Theory of operation: a log rarely says which side wrote it or which OCPP
version is spoken, but the messages do. Each action has one sender (or both,
for DataTransfer), and many actions exist in only one version. These tables
are written out by hand from the action lists of OCPP 1.6J (with the security
extension), 2.0.1 and 2.1, so that reading a capture does not need the
generated model packages. They are hints for a reader, not a registry: the
validator takes its facts from ``ocpkit.ocpp.actions()``.
"""

from __future__ import annotations

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

ACTIONS_V16: frozenset[str] = frozenset(
    {
        "Authorize",
        "BootNotification",
        "CancelReservation",
        "CertificateSigned",
        "ChangeAvailability",
        "ChangeConfiguration",
        "ClearCache",
        "ClearChargingProfile",
        "DataTransfer",
        "DeleteCertificate",
        "DiagnosticsStatusNotification",
        "ExtendedTriggerMessage",
        "FirmwareStatusNotification",
        "GetCompositeSchedule",
        "GetConfiguration",
        "GetDiagnostics",
        "GetInstalledCertificateIds",
        "GetLocalListVersion",
        "GetLog",
        "Heartbeat",
        "InstallCertificate",
        "LogStatusNotification",
        "MeterValues",
        "RemoteStartTransaction",
        "RemoteStopTransaction",
        "ReserveNow",
        "Reset",
        "SecurityEventNotification",
        "SendLocalList",
        "SetChargingProfile",
        "SignCertificate",
        "SignedFirmwareStatusNotification",
        "SignedUpdateFirmware",
        "StartTransaction",
        "StatusNotification",
        "StopTransaction",
        "TriggerMessage",
        "UnlockConnector",
        "UpdateFirmware",
    }
)

ACTIONS_V201: frozenset[str] = frozenset(
    {
        "Authorize",
        "BootNotification",
        "CancelReservation",
        "CertificateSigned",
        "ChangeAvailability",
        "ClearCache",
        "ClearChargingProfile",
        "ClearDisplayMessage",
        "ClearVariableMonitoring",
        "ClearedChargingLimit",
        "CostUpdated",
        "CustomerInformation",
        "DataTransfer",
        "DeleteCertificate",
        "FirmwareStatusNotification",
        "Get15118EVCertificate",
        "GetBaseReport",
        "GetCertificateStatus",
        "GetChargingProfiles",
        "GetCompositeSchedule",
        "GetDisplayMessages",
        "GetInstalledCertificateIds",
        "GetLocalListVersion",
        "GetLog",
        "GetMonitoringReport",
        "GetReport",
        "GetTransactionStatus",
        "GetVariables",
        "Heartbeat",
        "InstallCertificate",
        "LogStatusNotification",
        "MeterValues",
        "NotifyChargingLimit",
        "NotifyCustomerInformation",
        "NotifyDisplayMessages",
        "NotifyEVChargingNeeds",
        "NotifyEVChargingSchedule",
        "NotifyEvent",
        "NotifyMonitoringReport",
        "NotifyReport",
        "PublishFirmware",
        "PublishFirmwareStatusNotification",
        "ReportChargingProfiles",
        "RequestStartTransaction",
        "RequestStopTransaction",
        "ReservationStatusUpdate",
        "ReserveNow",
        "Reset",
        "SecurityEventNotification",
        "SendLocalList",
        "SetChargingProfile",
        "SetDisplayMessage",
        "SetMonitoringBase",
        "SetMonitoringLevel",
        "SetNetworkProfile",
        "SetVariableMonitoring",
        "SetVariables",
        "SignCertificate",
        "StatusNotification",
        "TransactionEvent",
        "TriggerMessage",
        "UnlockConnector",
        "UnpublishFirmware",
        "UpdateFirmware",
    }
)

# The 27 actions that 2.1 adds to the 64 of 2.0.1.
_NEW_IN_V21: frozenset[str] = frozenset(
    {
        "AFRRSignal",
        "AdjustPeriodicEventStream",
        "BatterySwap",
        "ChangeTransactionTariff",
        "ClearDERControl",
        "ClearTariffs",
        "ClosePeriodicEventStream",
        "GetCertificateChainStatus",
        "GetDERControl",
        "GetPeriodicEventStream",
        "GetTariffs",
        "NotifyAllowedEnergyTransfer",
        "NotifyDERAlarm",
        "NotifyDERStartStop",
        "NotifyPeriodicEventStream",
        "NotifyPriorityCharging",
        "NotifySettlement",
        "NotifyWebPaymentStarted",
        "OpenPeriodicEventStream",
        "PullDynamicScheduleUpdate",
        "ReportDERControl",
        "RequestBatterySwap",
        "SetDERControl",
        "SetDefaultTariff",
        "UpdateDynamicSchedule",
        "UsePriorityCharging",
        "VatNumberValidation",
    }
)
ACTIONS_V21: frozenset[str] = ACTIONS_V201 | _NEW_IN_V21

ONLY_V16: frozenset[str] = ACTIONS_V16 - ACTIONS_V21
ONLY_V2X: frozenset[str] = ACTIONS_V201 - ACTIONS_V16
ONLY_V21: frozenset[str] = _NEW_IN_V21

# Requests that only the charge point (charging station) sends, in any
# version; every other known action except those in BOTH_SENDERS is sent by
# the central system.
CP_SENDS: frozenset[str] = frozenset(
    {
        # 1.6 core and security extension
        "Authorize",
        "BootNotification",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "LogStatusNotification",
        "MeterValues",
        "SecurityEventNotification",
        "SignCertificate",
        "SignedFirmwareStatusNotification",
        "StartTransaction",
        "StatusNotification",
        "StopTransaction",
        # 2.0.1
        "ClearedChargingLimit",
        "Get15118EVCertificate",
        "GetCertificateStatus",
        "NotifyChargingLimit",
        "NotifyCustomerInformation",
        "NotifyDisplayMessages",
        "NotifyEVChargingNeeds",
        "NotifyEVChargingSchedule",
        "NotifyEvent",
        "NotifyMonitoringReport",
        "NotifyReport",
        "PublishFirmwareStatusNotification",
        "ReportChargingProfiles",
        "ReservationStatusUpdate",
        "TransactionEvent",
        # 2.1
        "BatterySwap",
        "ClosePeriodicEventStream",
        "GetCertificateChainStatus",
        "NotifyDERAlarm",
        "NotifyDERStartStop",
        "NotifyPeriodicEventStream",
        "NotifyPriorityCharging",
        "NotifySettlement",
        "OpenPeriodicEventStream",
        "PullDynamicScheduleUpdate",
        "ReportDERControl",
        "VatNumberValidation",
    }
)
BOTH_SENDERS: frozenset[str] = frozenset({"DataTransfer"})

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
