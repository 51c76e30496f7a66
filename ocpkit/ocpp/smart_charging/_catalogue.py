"""The catalogue of charging-profile validity rules: code, reason code, references, meaning.

Theory of operation: one row per rule, as data. A row names the spec
reference of each OCPP version the rule belongs to (``None``: not a rule of
that version) and the ``statusInfo.reasonCode`` a 2.x station answers with;
the checks in ``_rules`` refuse by code and take reference and reason from
here. Texts are ocpkit's own summaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["RULES", "Rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One validity rule: ``refs`` maps each version it applies to onto the spec reference there."""

    code: str
    refs: Mapping[str, str]
    reason_code: str
    text: str


# code, reasonCode, 1.6 reference, 2.0.1 reference, 2.1 reference, what the rule says
_TABLE: Final[tuple[tuple[str, str, str | None, str | None, str | None, str], ...]] = (
    (
        "schema",
        "InvalidValue",
        "1.6 SetChargingProfile.json",
        "2.0.1 SetChargingProfileRequest.json",
        "2.1 SetChargingProfileRequest.json",
        "the request breaks the JSON schema of SetChargingProfile",
    ),
    (
        "unreadable",
        "InvalidValue",
        "1.6 §7.8",
        "2.0.1 ChargingProfileType",
        "2.1 ChargingProfileType",
        "the profile cannot be given a meaning (unknown purpose or kind, no unit, a bad field type)",
    ),
    (
        "not-finite",
        "InvalidSchedule",
        "RFC 8259 §6",
        "RFC 8259 §6",
        "RFC 8259 §6",
        "limits and other numbers are finite (JSON has no NaN or infinity)",
    ),
    (
        "request-start-not-tx-profile",
        "InvalidValue",
        "1.6 §5.11",
        "2.0.1 K05",
        "2.1 K05",
        "a profile sent with a remote start must be a TxProfile",
    ),
    (
        "evse-unknown",
        "UnknownEvse",
        "1.6 §5.16",
        "2.0.1 K01.FR.28",
        "2.1 K01.FR.28",
        "the EVSE (connector in 1.6) must exist",
    ),
    (
        "external-constraints-id-range",
        "InvalidProfileId",
        None,
        None,
        "2.1 K01.FR.81",
        "ids up to MaxExternalConstraintsId belong to external actors",
    ),
    (
        "external-constraints-id",
        "DuplicateProfile",
        None,
        "2.0.1 K01.FR.05",
        "2.1 K01.FR.05",
        "the id belongs to a ChargingStationExternalConstraints profile, which the CSMS cannot replace",
    ),
    (
        "stack-level-range",
        "InvalidStackLevel",
        "1.6 §9.4 ChargeProfileMaxStackLevel",
        "2.0.1 SmartChargingCtrlr.ProfileStackLevel",
        "2.1 SmartChargingCtrlr.ProfileStackLevel",
        "stackLevel must lie between 0 and the station's maximum stack level",
    ),
    (
        "no-schedule",
        "InvalidSchedule",
        None,
        "2.0.1 ChargingProfileType.chargingSchedule",
        "2.1 ChargingProfileType.chargingSchedule",
        "a profile carries at least one charging schedule",
    ),
    (
        "rate-unit-unsupported",
        "UnsupportedRateUnit",
        "1.6 §9.4 ChargingScheduleAllowedChargingRateUnit",
        "2.0.1 K01.FR.26",
        "2.1 K01.FR.26",
        "the schedule's chargingRateUnit must be one the station supports",
    ),
    (
        "no-periods",
        "InvalidSchedule",
        "1.6 §7.13",
        "2.0.1 ChargingScheduleType.chargingSchedulePeriod",
        "2.1 ChargingScheduleType.chargingSchedulePeriod",
        "a schedule has at least one period",
    ),
    (
        "too-many-periods",
        "InvalidSchedule",
        "1.6 §9.4 ChargingScheduleMaxPeriods",
        "2.0.1 SmartChargingCtrlr.PeriodsPerSchedule",
        "2.1 SmartChargingCtrlr.PeriodsPerSchedule",
        "a schedule has no more periods than the station allows",
    ),
    (
        "randomized-delay-purpose",
        "InvalidSchedule",
        None,
        None,
        "2.1 K01.FR.95",
        "only TxProfile and TxDefaultProfile schedules may carry a randomizedDelay",
    ),
    (
        "purpose-unsupported",
        "UnsupportedPurpose",
        None,
        None,
        "2.1 K01.FR.120",
        "PriorityCharging and LocalGeneration need the station's support",
    ),
    (
        "kind-unsupported",
        "UnsupportedKind",
        None,
        None,
        "2.1 K01.FR.121",
        "Dynamic profiles need the station's support",
    ),
    (
        "not-dynamic",
        "InvalidProfile",
        None,
        None,
        "2.1 K01.FR.122",
        "dynUpdateInterval and dynUpdateTime belong to Dynamic profiles only",
    ),
    (
        "local-time-unsupported",
        "InvalidSchedule",
        None,
        None,
        "2.1 K01.FR.123",
        "useLocalTime needs the station's support",
    ),
    (
        "randomized-delay-unsupported",
        "InvalidSchedule",
        None,
        None,
        "2.1 K01.FR.124",
        "randomizedDelay needs the station's support",
    ),
    (
        "limit-at-soc-unsupported",
        "InvalidSchedule",
        None,
        None,
        "2.1 K01.FR.125",
        "limitAtSoC needs the station's support",
    ),
    (
        "phase-to-use-not-single",
        "InvalidSchedule",
        None,
        "2.0.1 K01.FR.19/FR.48",
        "2.1 K01.FR.19/FR.48",
        "phaseToUse is only allowed with numberPhases 1",
    ),
    (
        "phase-to-use-unsupported",
        "InvalidSchedule",
        None,
        "2.0.1 K01.FR.20",
        "2.1 K01.FR.20",
        "phaseToUse needs ACPhaseSwitchingSupported defined and true",
    ),
    (
        "first-period-not-zero",
        "InvalidSchedule",
        None,
        "2.0.1 K01.FR.31",
        "2.1 K01.FR.31",
        "the first period starts at 0",
    ),
    (
        "periods-out-of-order",
        "InvalidSchedule",
        "1.6 §7.14",
        "2.0.1 K01.FR.35",
        "2.1 K01.FR.35",
        "startPeriod values increase from one period to the next",
    ),
    (
        "phase-values-dc",
        "NoPhaseForDC",
        None,
        "2.0.1 K01.FR.44",
        "2.1 K01.FR.44",
        "numberPhases and phaseToUse have no meaning on DC (2.1: unless DCInputPhaseControl)",
    ),
    (
        "number-phases-unsupported",
        "InvalidSchedule",
        "1.6 §7.14",
        "2.0.1 K01.FR.45",
        "2.1 K01.FR.45",
        "numberPhases lies between 1 and the phases the station is supplied with",
    ),
    (
        "priority-operation-mode",
        "InvalidSchedule",
        None,
        None,
        "2.1 K01.FR.71",
        "PriorityCharging periods use operationMode ChargingOnly",
    ),
    (
        "operation-mode-purpose",
        "InvalidSchedule",
        None,
        None,
        "2.1 Part 2 Table 95",
        "the operationMode must be one allowed for the profile's purpose",
    ),
    (
        "local-frequency-unit",
        "UnsupportedRateUnit",
        None,
        None,
        "2.1 Q08.FR.05",
        "LocalFrequency periods need chargingRateUnit W",
    ),
    (
        "evse-sleep-unsupported",
        "InvalidSchedule",
        None,
        None,
        "2.1 K01.FR.126",
        "evseSleep needs the station's support",
    ),
    (
        "limit-setpoint-mode",
        "InvalidSchedule",
        None,
        None,
        "2.1 Part 2 limits and setpoints per operation mode",
        "each operationMode requires and allows its own limits and setpoints",
    ),
    (
        "local-frequency-curve",
        "NoFreqWattCurve",
        None,
        None,
        "2.1 Q08.FR.02",
        "LocalFrequency periods need v2xBaseline and a v2xFreqWattCurve of two points or more",
    ),
    (
        "start-schedule-missing",
        "InvalidSchedule",
        None,
        "2.0.1 K01.FR.40",
        "2.1 K01.FR.40",
        "Absolute and Recurring schedules need a startSchedule",
    ),
    (
        "start-schedule-extraneous",
        "InvalidSchedule",
        None,
        "2.0.1 K01.FR.41",
        "2.1 K01.FR.41",
        "Relative schedules have no startSchedule",
    ),
    (
        "recurrency-kind-missing",
        "InvalidValue",
        "1.6 §7.8",
        "2.0.1 ChargingProfileType.recurrencyKind",
        "2.1 ChargingProfileType.recurrencyKind",
        "a Recurring profile names its recurrencyKind",
    ),
    (
        "transaction-id-not-tx-profile",
        "InvalidValue",
        "1.6 §7.8",
        "2.0.1 ChargingProfileType.transactionId",
        "2.1 ChargingProfileType.transactionId",
        "only a TxProfile names a transactionId",
    ),
    (
        "duplicate-stack-level",
        "DuplicateProfile",
        None,
        "2.0.1 K01.FR.06",
        "2.1 K01.FR.06",
        "another profile of the same purpose and stackLevel on the EVSE is valid at overlapping times",
    ),
    (
        "max-profile-on-evse",
        "InvalidValue",
        "1.6 §3.13.1",
        "2.0.1 K04.FR.03",
        "2.1 K04.FR.03",
        "the station maximum profile is set on EVSE (connector) 0 only",
    ),
    (
        "max-profile-relative",
        "InvalidValue",
        None,
        "2.0.1 K01.FR.38",
        "2.1 K01.FR.38",
        "a ChargingStationMaxProfile is not Relative",
    ),
    (
        "tx-default-stack-level-taken",
        "DuplicateProfile",
        None,
        "2.0.1 K01.FR.52/FR.53",
        "2.1 K01.FR.52/FR.53",
        "a TxDefaultProfile on EVSE 0 and one on an EVSE may not share a stackLevel with different ids",
    ),
    (
        "tx-profile-station-wide",
        "InvalidValue",
        "1.6 §3.13.1",
        "2.0.1 K01.FR.16",
        "2.1 K01.FR.16",
        "a TxProfile is set on an EVSE (connector), never on 0",
    ),
    (
        "tx-profile-no-transaction-id",
        "MissingParam",
        None,
        "2.0.1 K01.FR.03",
        "2.1 K01.FR.03",
        "a TxProfile names its transaction (except inside a remote start)",
    ),
    (
        "tx-profile-no-transaction",
        "TxNotFound",
        "1.6 §3.13.1",
        "2.0.1 K01.FR.09",
        "2.1 K01.FR.09",
        "a TxProfile needs a transaction running on its EVSE (connector)",
    ),
    (
        "tx-profile-other-transaction",
        "TxNotFound",
        "1.6 §5.16",
        "2.0.1 K01.FR.33",
        "2.1 K01.FR.33",
        "the transactionId of a TxProfile is the one running on its EVSE (connector)",
    ),
    (
        "tx-profile-stack-level-taken",
        "InvalidStackLevel",
        None,
        "2.0.1 K01.FR.39",
        "2.1 K01.FR.39",
        "two TxProfiles of one transaction do not share a stackLevel",
    ),
    (
        "priority-duration",
        "InvalidSchedule",
        None,
        None,
        "2.1 K01.FR.70",
        "a PriorityCharging schedule has no duration",
    ),
    (
        "too-many-profiles",
        "InvalidValue",
        "1.6 §9.4 MaxChargingProfilesInstalled",
        "2.0.1 SmartChargingCtrlr.Entries",
        "2.1 SmartChargingCtrlr.Entries",
        "the station holds no more profiles than it allows",
    ),
    (
        "rate-limit",
        "RateLimitExceeded",
        None,
        None,
        "2.1 K01.FR.56",
        "profiles of one purpose arrive no faster than ChargingProfileUpdateRateLimit",
    ),
)

RULES: Final[Mapping[str, Rule]] = {
    code: Rule(
        code,
        {v: r for v, r in zip(("1.6", "2.0.1", "2.1"), (r16, r201, r21), strict=True) if r},
        reason,
        text,
    )
    for code, reason, r16, r201, r21, text in _TABLE
}
"""Every validity rule, by code."""
