"""The validity rules of charging profiles, per OCPP version, as data and checks.

Theory of operation: the rules themselves are rows of the catalogue
(``_catalogue.RULES``: code, the spec reference of each version the rule
belongs to, the 2.x ``statusInfo.reasonCode``). :func:`check` runs every
rule of the store's version on one profile and returns a :class:`Refusal` for
each one broken, in the order a station checks them (where the profile
lands, then its schedules and periods, then clashes with installed profiles,
then the purpose's own rules), so that the first refusal is the one a station
would report. Rules that need a station fact (:class:`~ocpkit.ocpp.smart_charging.Station`)
are skipped while that fact is unknown. The checks read plain
:class:`~ocpkit.ocpp.smart_charging.Profile` values and never raise on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final

from ocpkit.errors import Violation
from ocpkit.ocpp.smart_charging._catalogue import RULES
from ocpkit.ocpp.smart_charging._profile import Period, Profile, StoredProfile, Transaction
from ocpkit.ocpp.smart_charging._types import Station

__all__ = [
    "OPERATION_MODES",
    "SETPOINT_FIELDS",
    "Refusal",
    "check",
    "conform",
]


# 2.1 Part 2 Table 95: the operation modes each purpose allows.
_ALL_MODES = frozenset(
    {
        "ChargingOnly",
        "CentralSetpoint",
        "ExternalSetpoint",
        "ExternalLimits",
        "CentralFrequency",
        "LocalFrequency",
        "LocalLoadBalancing",
        "Idle",
    }
)
OPERATION_MODES: Final[Mapping[str, frozenset[str]]] = {
    "TxProfile": _ALL_MODES,
    "TxDefaultProfile": _ALL_MODES,
    "PriorityCharging": frozenset({"ChargingOnly"}),
    "ChargingStationMaxProfile": frozenset({"ChargingOnly"}),
    "ChargingStationExternalConstraints": frozenset({"ChargingOnly", "ExternalLimits", "ExternalSetpoint"}),
    "LocalGeneration": frozenset({"ChargingOnly", "ExternalLimits"}),
}
"""OCPP 2.1: the operation modes allowed per profile purpose."""

SETPOINT_FIELDS: Final = ("limit", "setpoint", "discharge_limit", "setpoint_reactive")
# 2.1 Part 2, limits and setpoints per operation mode: (required, also allowed).
_MODE_FIELDS: Final[Mapping[str, tuple[frozenset[str], frozenset[str]]]] = {
    "ChargingOnly": (frozenset({"limit"}), frozenset()),
    "CentralSetpoint": (
        frozenset({"setpoint"}),
        frozenset({"limit", "discharge_limit", "setpoint_reactive"}),
    ),
    "CentralFrequency": (frozenset({"setpoint"}), frozenset({"limit", "discharge_limit"})),
    "LocalFrequency": (frozenset(), frozenset()),
    "ExternalSetpoint": (frozenset(), frozenset({"limit", "discharge_limit"})),
    "ExternalLimits": (frozenset(), frozenset()),
    "LocalLoadBalancing": (frozenset(), frozenset()),
    "Idle": (frozenset(), frozenset()),
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """One broken rule: its code, the spec reference in the version at hand, a message, and
    where (a JSON pointer into the profile). ``violations`` carries the schema's own list for
    the ``schema`` rule."""

    rule: str
    ref: str
    message: str
    path: str = ""
    reason_code: str = ""
    violations: tuple[Violation, ...] = field(default=(), compare=False)


def _refuse(version: str, code: str, message: str, path: str = "") -> Refusal:
    rule = RULES[code]
    return Refusal(code, rule.refs.get(version, ""), message, path, rule.reason_code)


def _evse_exists(station: Station, evse_id: int) -> bool:
    return evse_id >= 0 and (station.evse_count is None or evse_id <= station.evse_count)


def _window(entry_from: datetime | None, entry_to: datetime | None) -> tuple[float, float]:
    lo = entry_from.timestamp() if entry_from is not None else float("-inf")
    hi = entry_to.timestamp() if entry_to is not None else float("inf")
    return lo, hi


def _schedule_rules(profile: Profile, evse_id: int | None, station: Station, out: list[Refusal]) -> None:
    """The rules on the schedules and periods themselves (libocpp's ``validate_profile_schedules``)."""
    v = profile.version
    v21 = v == "2.1"
    dc = station.is_dc(evse_id)
    if not profile.schedules and v != "1.6":
        out.append(_refuse(v, "no-schedule", "the profile has no charging schedule", "/chargingSchedule"))
    for si, schedule in enumerate(profile.schedules):
        where = "/chargingSchedule" if v == "1.6" else f"/chargingSchedule/{si}"
        units = station.charging_rate_units
        if units is not None and schedule.unit not in units:
            out.append(
                _refuse(
                    v,
                    "rate-unit-unsupported",
                    f"unit {schedule.unit} is not among the supported {', '.join(sorted(units)) or '(none)'}",
                    f"{where}/chargingRateUnit",
                )
            )
        if not schedule.periods:
            out.append(
                _refuse(v, "no-periods", "the schedule has no period", f"{where}/chargingSchedulePeriod")
            )
        if station.max_periods is not None and len(schedule.periods) > station.max_periods:
            out.append(
                _refuse(
                    v,
                    "too-many-periods",
                    f"{len(schedule.periods)} periods, the station allows {station.max_periods}",
                    f"{where}/chargingSchedulePeriod",
                )
            )
        if v21:
            _schedule_rules_21(profile, si, where, station, out)
        for pi, period in enumerate(schedule.periods):
            _period_rules(
                profile,
                period,
                pi,
                schedule.periods,
                f"{where}/chargingSchedulePeriod/{pi}",
                dc,
                station,
                out,
            )
            if v21:
                _period_rules_21(profile, schedule.unit, period, f"{where}/chargingSchedulePeriod/{pi}", out)
        if v != "1.6":
            # K01.FR.40/41: Absolute and Recurring are anchored by startSchedule, Relative by the transaction.
            if profile.kind in ("Absolute", "Recurring") and schedule.start is None:
                out.append(
                    _refuse(
                        v, "start-schedule-missing", f"a {profile.kind} schedule needs a startSchedule", where
                    )
                )
            if profile.kind == "Relative" and schedule.start is not None:
                out.append(
                    _refuse(
                        v,
                        "start-schedule-extraneous",
                        "a Relative schedule starts with the transaction, not at a startSchedule",
                        f"{where}/startSchedule",
                    )
                )


def _schedule_rules_21(profile: Profile, si: int, where: str, station: Station, out: list[Refusal]) -> None:
    v = profile.version
    schedule = profile.schedules[si]
    delay = schedule.randomized_delay
    if delay and profile.purpose not in ("TxProfile", "TxDefaultProfile"):
        out.append(
            _refuse(
                v,
                "randomized-delay-purpose",
                f"randomizedDelay on a {profile.purpose}",
                f"{where}/randomizedDelay",
            )
        )
    if si == 0:
        supported = station.supported_purposes
        extra = profile.purpose in ("PriorityCharging", "LocalGeneration")
        if extra and supported is not None and profile.purpose not in supported:
            out.append(
                _refuse(
                    v,
                    "purpose-unsupported",
                    f"the station does not support {profile.purpose}",
                    "/chargingProfilePurpose",
                )
            )
        if profile.kind == "Dynamic" and station.supports_dynamic is False:
            out.append(
                _refuse(
                    v,
                    "kind-unsupported",
                    "the station does not support Dynamic profiles",
                    "/chargingProfileKind",
                )
            )
        if profile.dynamic_fields and profile.kind != "Dynamic":
            out.append(
                _refuse(v, "not-dynamic", f"dynUpdateInterval/dynUpdateTime on a {profile.kind} profile", "")
            )
    if schedule.use_local_time and station.supports_local_time is False:
        out.append(
            _refuse(v, "local-time-unsupported", "useLocalTime is not supported", f"{where}/useLocalTime")
        )
    if delay is not None and station.supports_randomized_delay is False:
        out.append(
            _refuse(
                v,
                "randomized-delay-unsupported",
                "randomizedDelay is not supported",
                f"{where}/randomizedDelay",
            )
        )
    if schedule.has_limit_at_soc and station.supports_limit_at_soc is False:
        out.append(
            _refuse(v, "limit-at-soc-unsupported", "limitAtSoC is not supported", f"{where}/limitAtSoC")
        )


def _period_rules(
    profile: Profile,
    period: Period,
    index: int,
    periods: Sequence[Period],
    where: str,
    dc: bool,
    station: Station,
    out: list[Refusal],
) -> None:
    v = profile.version
    if v != "1.6":
        if period.phase_to_use is not None and period.number_phases != 1:
            out.append(
                _refuse(
                    v,
                    "phase-to-use-not-single",
                    f"phaseToUse with numberPhases {period.number_phases}",
                    f"{where}/phaseToUse",
                )
            )
        if period.phase_to_use is not None and station.ac_phase_switching_supported is not True:
            # The 2.x schema text: not allowed unless ACPhaseSwitchingSupported is defined and true.
            out.append(
                _refuse(
                    v,
                    "phase-to-use-unsupported",
                    "phaseToUse without ACPhaseSwitchingSupported",
                    f"{where}/phaseToUse",
                )
            )
        if index == 0 and period.start != 0:
            out.append(
                _refuse(
                    v,
                    "first-period-not-zero",
                    f"the first period starts at {period.start}",
                    f"{where}/startPeriod",
                )
            )
    if index + 1 < len(periods) and periods[index + 1].start <= period.start:
        out.append(
            _refuse(
                v,
                "periods-out-of-order",
                f"period {index + 1} starts at {periods[index + 1].start}, not after {period.start}",
                f"{where[: where.rfind('/')]}/{index + 1}/startPeriod",
            )
        )
    phase_values = period.number_phases is not None or period.phase_to_use is not None
    if v != "1.6" and dc and phase_values and (v == "2.0.1" or station.dc_input_phase_control is not True):
        out.append(_refuse(v, "phase-values-dc", "numberPhases/phaseToUse on a DC EVSE", where))
    if period.number_phases is not None and not dc:
        supply = station.supply_phases
        phases = period.number_phases
        if (v == "1.6" and phases < 1) or phases > 3 or (supply is not None and phases > supply):
            shown = f" above the {supply} supply phases" if supply is not None and phases > supply else ""
            out.append(
                _refuse(
                    v, "number-phases-unsupported", f"numberPhases {phases}{shown}", f"{where}/numberPhases"
                )
            )


def _period_rules_21(profile: Profile, unit: str, period: Period, where: str, out: list[Refusal]) -> None:
    v = profile.version
    mode = period.operation_mode or "ChargingOnly"
    if profile.purpose == "PriorityCharging" and mode != "ChargingOnly":
        out.append(_refuse(v, "priority-operation-mode", f"operationMode {mode}", f"{where}/operationMode"))
    allowed = OPERATION_MODES.get(profile.purpose, _ALL_MODES)
    if mode not in allowed:
        out.append(
            _refuse(
                v,
                "operation-mode-purpose",
                f"operationMode {mode} on a {profile.purpose}",
                f"{where}/operationMode",
            )
        )
    if mode == "LocalFrequency" and unit == "A":
        out.append(_refuse(v, "local-frequency-unit", "LocalFrequency with chargingRateUnit A", where))
    spec = _MODE_FIELDS.get(mode)
    if spec is not None:
        required, optional = spec
        present = {name for name in SETPOINT_FIELDS if _has(period, name)}
        missing = sorted(required - present)
        extra = sorted(present - required - optional)
        if missing or extra:
            words = [
                f"needs {', '.join(missing)}" if missing else "",
                f"does not take {', '.join(extra)}" if extra else "",
            ]
            out.append(
                _refuse(
                    v,
                    "limit-setpoint-mode",
                    f"operationMode {mode} {' and '.join(w for w in words if w)}",
                    where,
                )
            )
    if mode == "LocalFrequency" and (
        period.v2x_baseline is None or period.v2x_freq_watt_points is None or period.v2x_freq_watt_points < 2
    ):
        out.append(
            _refuse(v, "local-frequency-curve", "LocalFrequency without v2xBaseline and a curve", where)
        )


def _has(period: Period, name: str) -> bool:
    return any(getattr(period, f"{name}{suffix}") is not None for suffix in ("", "_l2", "_l3"))


def _running(transactions: Mapping[int, Transaction], evse_id: int) -> Transaction | None:
    return transactions.get(evse_id)


def check(
    profile: Profile,
    evse_id: int,
    *,
    station: Station,
    installed: Sequence[StoredProfile],
    transactions: Mapping[int, Transaction],
    now: datetime | None,
    source: str = "SetChargingProfile",
    last_update: Mapping[str, datetime] | None = None,
) -> list[Refusal]:
    """Every rule of ``profile.version`` that installing *profile* on *evse_id* breaks.

    ``installed`` are the profiles the station holds, ``transactions`` the running ones by EVSE,
    ``now`` the moment the station receives the profile (``None``: unknown; a profile without
    ``validFrom`` then counts as valid from the start of time). ``source`` is
    ``"SetChargingProfile"`` or ``"RequestStartTransaction"`` (a profile inside a remote start,
    1.6 ``RemoteStartTransaction``).
    """
    v = profile.version
    out: list[Refusal] = []
    remote = source == "RequestStartTransaction"
    if remote and profile.purpose != "TxProfile":
        out.append(
            _refuse(
                v,
                "request-start-not-tx-profile",
                f"a {profile.purpose} in a remote start",
                "/chargingProfilePurpose",
            )
        )
    if not _evse_exists(station, evse_id) or (remote and evse_id == 0):
        out.append(_refuse(v, "evse-unknown", f"EVSE {evse_id} does not exist", ""))
    if (
        v == "2.1"
        and station.max_external_constraints_id is not None
        and profile.id <= station.max_external_constraints_id
    ):
        out.append(
            _refuse(
                v,
                "external-constraints-id-range",
                f"id {profile.id} <= MaxExternalConstraintsId {station.max_external_constraints_id}",
                "/id",
            )
        )
    if v != "1.6" and any(
        s.profile.id == profile.id and s.profile.purpose == "ChargingStationExternalConstraints"
        for s in installed
    ):
        out.append(
            _refuse(
                v,
                "external-constraints-id",
                f"id {profile.id} belongs to a ChargingStationExternalConstraints profile",
                "/id",
            )
        )
    if profile.stack_level < 0 or (
        station.max_stack_level is not None and profile.stack_level > station.max_stack_level
    ):
        out.append(
            _refuse(
                v,
                "stack-level-range",
                f"stackLevel {profile.stack_level} outside 0..{station.max_stack_level}",
                "/stackLevel",
            )
        )
    _schedule_rules(profile, evse_id, station, out)
    if v == "2.1" and station.supports_evse_sleep is False:
        for si, schedule in enumerate(profile.schedules):
            for pi, period in enumerate(schedule.periods):
                if period.evse_sleep:
                    out.append(
                        _refuse(
                            v,
                            "evse-sleep-unsupported",
                            "evseSleep is not supported",
                            f"/chargingSchedule/{si}/chargingSchedulePeriod/{pi}/evseSleep",
                        )
                    )
    if profile.kind == "Recurring" and profile.recurrency is None:
        out.append(
            _refuse(
                v, "recurrency-kind-missing", "a Recurring profile without recurrencyKind", "/recurrencyKind"
            )
        )
    if profile.transaction_id is not None and profile.purpose != "TxProfile":
        out.append(
            _refuse(
                v, "transaction-id-not-tx-profile", f"transactionId on a {profile.purpose}", "/transactionId"
            )
        )
    others = [s for s in installed if s.profile.id != profile.id]
    if v != "1.6":
        _duplicates(profile, evse_id, now, others, out)
    _purpose_rules(profile, evse_id, transactions, others, remote, out)
    if station.max_profiles is not None:
        count = len(others) + 1
        if v == "1.6":
            # 1.6 §5.16: a profile of the same purpose and stackLevel on the connector is replaced.
            count -= sum(
                1
                for s in others
                if s.evse_id == evse_id
                and s.profile.purpose == profile.purpose
                and s.profile.stack_level == profile.stack_level
            )
        if count > station.max_profiles:
            out.append(
                _refuse(
                    v, "too-many-profiles", f"{count} profiles, the station allows {station.max_profiles}", ""
                )
            )
    if v == "2.1" and station.update_rate_limit is not None and now is not None and last_update is not None:
        last = last_update.get(profile.purpose)
        if last is not None and now - last < timedelta(seconds=station.update_rate_limit):
            out.append(
                _refuse(
                    v,
                    "rate-limit",
                    f"{now - last} after the last {profile.purpose} (limit {station.update_rate_limit} s)",
                    "",
                )
            )
    return out


def _duplicates(
    profile: Profile, evse_id: int, now: datetime | None, others: Sequence[StoredProfile], out: list[Refusal]
) -> None:
    v = profile.version
    mine = _window(profile.valid_from if profile.valid_from is not None else now, profile.valid_to)
    if profile.purpose != "TxProfile":
        # K01.FR.06 (TxProfiles have their own rule, FR.39). Validity is [validFrom, validTo).
        for s in others:
            if (
                s.evse_id != evse_id
                or s.profile.purpose != profile.purpose
                or s.profile.stack_level != profile.stack_level
            ):
                continue
            theirs = _window(s.effective_from, s.profile.valid_to)
            if mine[0] < theirs[1] and theirs[0] < mine[1]:
                out.append(
                    _refuse(
                        v,
                        "duplicate-stack-level",
                        f"profile {s.profile.id}, same purpose and stackLevel, overlaps in time",
                        "/stackLevel",
                    )
                )
                break
    if profile.purpose == "TxDefaultProfile":
        # K01.FR.52/53: station-wide and EVSE TxDefaultProfiles never share a stack level.
        for s in others:
            if (
                s.profile.purpose == "TxDefaultProfile"
                and s.profile.stack_level == profile.stack_level
                and (s.evse_id == 0) != (evse_id == 0)
            ):
                out.append(
                    _refuse(
                        v,
                        "tx-default-stack-level-taken",
                        f"TxDefaultProfile {s.profile.id} on EVSE {s.evse_id} has this stackLevel",
                        "/stackLevel",
                    )
                )
                break


def _purpose_rules(
    profile: Profile,
    evse_id: int,
    transactions: Mapping[int, Transaction],
    others: Sequence[StoredProfile],
    remote: bool,
    out: list[Refusal],
) -> None:
    v = profile.version
    if profile.role == "max":
        if evse_id != 0:
            out.append(_refuse(v, "max-profile-on-evse", f"{profile.purpose} on EVSE {evse_id}", ""))
        if v != "1.6" and profile.kind == "Relative":
            out.append(
                _refuse(v, "max-profile-relative", f"a Relative {profile.purpose}", "/chargingProfileKind")
            )
    if profile.purpose == "PriorityCharging":
        for si, schedule in enumerate(profile.schedules):
            if schedule.duration is not None:
                out.append(
                    _refuse(
                        v,
                        "priority-duration",
                        "a PriorityCharging schedule with a duration",
                        f"/chargingSchedule/{si}/duration",
                    )
                )
    if profile.purpose != "TxProfile":
        return
    if evse_id <= 0:
        out.append(_refuse(v, "tx-profile-station-wide", "a TxProfile on EVSE 0", ""))
        return
    if remote:
        return  # K05: the transaction the profile belongs to is about to start
    running = _running(transactions, evse_id)
    if profile.transaction_id is None and v != "1.6":
        out.append(
            _refuse(v, "tx-profile-no-transaction-id", "a TxProfile without transactionId", "/transactionId")
        )
    if running is None:
        out.append(_refuse(v, "tx-profile-no-transaction", f"no transaction runs on EVSE {evse_id}", ""))
        return
    if (
        profile.transaction_id is not None
        and running.transaction_id is not None
        and str(running.transaction_id) != str(profile.transaction_id)
    ):
        out.append(
            _refuse(
                v,
                "tx-profile-other-transaction",
                f"transaction {profile.transaction_id} is not {running.transaction_id}, on EVSE {evse_id}",
                "/transactionId",
            )
        )
    if v != "1.6" and profile.transaction_id is not None:
        for s in others:
            if (
                s.profile.purpose == "TxProfile"
                and s.profile.stack_level == profile.stack_level
                and s.profile.transaction_id is not None
                and str(s.profile.transaction_id) == str(profile.transaction_id)
            ):
                out.append(
                    _refuse(
                        v,
                        "tx-profile-stack-level-taken",
                        f"TxProfile {s.profile.id} of this transaction has stackLevel {profile.stack_level}",
                        "/stackLevel",
                    )
                )
                break


def conform(profile: Profile, evse_id: int, station: Station) -> Profile:
    """The profile as a 2.x station keeps it: a missing ``numberPhases`` on AC becomes 3 (K01.FR.49).

    1.6 profiles and DC EVSEs are returned unchanged.
    """
    if profile.version == "1.6" or station.is_dc(evse_id):
        return profile
    changed = False
    schedules = []
    for schedule in profile.schedules:
        periods = []
        for period in schedule.periods:
            if period.number_phases is None:
                period = replace(period, number_phases=3)
                changed = True
            periods.append(period)
        schedules.append(replace(schedule, periods=tuple(periods)))
    return profile.with_schedules(schedules) if changed else profile
