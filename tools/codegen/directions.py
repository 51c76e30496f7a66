"""Who sends the request of each OCPP action, per version.

The official JSON schemas say nothing about direction, so this table is kept
by hand from the specifications' message lists (OCPP 1.6 §4 "Operations
initiated by Charge Point" / §5 "Operations initiated by Central System" and
the security extension's use cases; OCPP 2.0.1 and 2.1 Part 2, each use case's
sequence). ``CS`` is the charging station (1.6: charge point), ``CSMS`` the
central system; ``BOTH`` marks actions either side may start (``DataTransfer``).
The generator asserts that this table and the schema files name exactly the
same actions.
"""

from __future__ import annotations

CS = "ChargingStation"
CSMS = "CSMS"
BOTH = "Both"

_V16_CS = (
    "Authorize BootNotification DiagnosticsStatusNotification FirmwareStatusNotification Heartbeat "
    "MeterValues StartTransaction StatusNotification StopTransaction "
    # Security extension (station side).
    "LogStatusNotification SecurityEventNotification SignCertificate SignedFirmwareStatusNotification"
)
_V16_CSMS = (
    "CancelReservation ChangeAvailability ChangeConfiguration ClearCache ClearChargingProfile "
    "GetCompositeSchedule GetConfiguration GetDiagnostics GetLocalListVersion RemoteStartTransaction "
    "RemoteStopTransaction ReserveNow Reset SendLocalList SetChargingProfile TriggerMessage "
    "UnlockConnector UpdateFirmware "
    # Security extension (central system side).
    "CertificateSigned DeleteCertificate ExtendedTriggerMessage GetInstalledCertificateIds GetLog "
    "InstallCertificate SignedUpdateFirmware"
)
_V201_CS = (
    "Authorize BootNotification ClearedChargingLimit FirmwareStatusNotification Get15118EVCertificate "
    "GetCertificateStatus Heartbeat LogStatusNotification MeterValues NotifyChargingLimit "
    "NotifyCustomerInformation NotifyDisplayMessages NotifyEVChargingNeeds NotifyEVChargingSchedule "
    "NotifyEvent NotifyMonitoringReport NotifyReport PublishFirmwareStatusNotification "
    "ReportChargingProfiles ReservationStatusUpdate SecurityEventNotification SignCertificate "
    "StatusNotification TransactionEvent"
)
_V201_CSMS = (
    "CancelReservation CertificateSigned ChangeAvailability ClearCache ClearChargingProfile "
    "ClearDisplayMessage ClearVariableMonitoring CostUpdated CustomerInformation DeleteCertificate "
    "GetBaseReport GetChargingProfiles GetCompositeSchedule GetDisplayMessages GetInstalledCertificateIds "
    "GetLocalListVersion GetLog GetMonitoringReport GetReport GetTransactionStatus GetVariables "
    "InstallCertificate PublishFirmware RequestStartTransaction RequestStopTransaction ReserveNow Reset "
    "SendLocalList SetChargingProfile SetDisplayMessage SetMonitoringBase SetMonitoringLevel "
    "SetNetworkProfile SetVariableMonitoring SetVariables TriggerMessage UnlockConnector "
    "UnpublishFirmware UpdateFirmware"
)
# Actions new in 2.1.
_V21_CS = (
    "BatterySwap ClosePeriodicEventStream GetCertificateChainStatus NotifyDERAlarm NotifyDERStartStop "
    "NotifyPeriodicEventStream NotifyPriorityCharging NotifySettlement OpenPeriodicEventStream "
    "PullDynamicScheduleUpdate ReportDERControl VatNumberValidation"
)
_V21_CSMS = (
    "AFRRSignal AdjustPeriodicEventStream ChangeTransactionTariff ClearDERControl ClearTariffs "
    "GetDERControl GetPeriodicEventStream GetTariffs NotifyAllowedEnergyTransfer NotifyWebPaymentStarted "
    "RequestBatterySwap SetDERControl SetDefaultTariff UpdateDynamicSchedule UsePriorityCharging"
)


def _table(*groups: tuple[str, str]) -> dict[str, str]:
    table: dict[str, str] = {"DataTransfer": BOTH}
    for names, sender in groups:
        for name in names.split():
            assert name not in table, f"{name} listed twice"
            table[name] = sender
    return dict(sorted(table.items()))


SENDERS: dict[str, dict[str, str]] = {
    "1.6": _table((_V16_CS, CS), (_V16_CSMS, CSMS)),
    "2.0.1": _table((_V201_CS, CS), (_V201_CSMS, CSMS)),
    "2.1": _table((_V201_CS, CS), (_V201_CSMS, CSMS), (_V21_CS, CS), (_V21_CSMS, CSMS)),
}
"""version -> action -> sender of the request ("ChargingStation", "CSMS" or "Both")."""

SEND_ONLY: dict[str, frozenset[str]] = {
    "1.6": frozenset(),
    "2.0.1": frozenset(),
    # OCPP-J 2.1 carries this one with MessageTypeId 6 (SEND): no response exists.
    "2.1": frozenset({"NotifyPeriodicEventStream"}),
}
