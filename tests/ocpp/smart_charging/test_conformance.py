"""Every smart-charging conformance case is a test, compared the way its source compares.

The cases come from ``OCPKIT_SMART_CHARGING_CASES`` (any folder in the case
format) or the shared folder; see ``cases.py``. Comparison modes are those of
the case README (§2). Where the sources disagree with the OCPP texts the engine
follows OCPP and the case is an expected failure naming the disagreement
(:data:`DISAGREEMENTS`).

Validation cases name a libocpp check (``request.operation``) and the
``ProfileValidationResultEnum`` it returns: :data:`OPERATION_RULES` says which
ocpkit rules each check covers and :data:`LIBOCPP_RESULT` which ocpkit rule
each result stands for. ocpkit reports every broken rule, not only the first,
so ``equals X`` means "X is among the rules that check covers and ocpkit finds
broken", ``Valid`` means none is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from ocpkit.errors import SmartChargingError
from ocpkit.ocpp.smart_charging import (
    CompositePeriod,
    CompositeSchedule,
    ProfileStore,
    composite_schedule,
    conform,
    parse_profile,
)
from tests.conftest import require_shared
from tests.ocpp.smart_charging.cases import (
    case_dir,
    evse_of,
    load_cases,
    moment,
    normalised,
    station_of,
    store_of,
    window_start,
)

DISAGREEMENTS: Mapping[str, str] = {
    "libocpp-v2-validation-K01FR06_ExisitingProfileHasValidFromIncomingValidToOverlaps_RejectIncoming": (
        "libocpp counts validity periods that only touch (the new validTo equals the installed validFrom) "
        "as overlapping; validTo is the moment a profile stops being valid, so [validFrom, validTo) "
        "periods that touch do not overlap (K01.FR.06)"
    ),
}

TOLERANCE = Decimal("0.0001")  # README §2: float32 results of divisions, rounded to 7 decimals

LIBOCPP_RESULT: Mapping[str, str | None] = {
    "Valid": None,
    "EvseDoesNotExist": "evse-unknown",
    "ExistingChargingStationExternalConstraints": "external-constraints-id",
    "InvalidProfileType": "InvalidProfileType",
    "TxProfileMissingTransactionId": "tx-profile-no-transaction-id",
    "TxProfileEvseIdNotGreaterThanZero": "tx-profile-station-wide",
    "TxProfileTransactionNotOnEvse": "tx-profile-other-transaction",
    "TxProfileEvseHasNoActiveTransaction": "tx-profile-no-transaction",
    "TxProfileConflictingStackLevel": "tx-profile-stack-level-taken",
    "ChargingProfileNoChargingSchedulePeriods": "no-periods",
    "ChargingProfileFirstStartScheduleIsNotZero": "first-period-not-zero",
    "ChargingProfileMissingRequiredStartSchedule": "start-schedule-missing",
    "ChargingProfileExtraneousStartSchedule": "start-schedule-extraneous",
    "ChargingProfileRateLimitExceeded": "rate-limit",
    "ChargingProfileIdSmallerThanMaxExternalConstraintsId": "external-constraints-id-range",
    "ChargingProfileUnsupportedPurpose": "purpose-unsupported",
    "ChargingProfileUnsupportedKind": "kind-unsupported",
    "ChargingProfileNotDynamic": "not-dynamic",
    "ChargingScheduleChargingRateUnitUnsupported": "rate-unit-unsupported",
    "ChargingScheduleNonFiniteValue": "not-finite",
    "ChargingSchedulePeriodNonFiniteValue": "not-finite",
    "ChargingSchedulePriorityExtranousDuration": "priority-duration",
    "ChargingScheduleRandomizedDelay": "randomized-delay-purpose",
    "ChargingScheduleUnsupportedLocalTime": "local-time-unsupported",
    "ChargingScheduleUnsupportedRandomizedDelay": "randomized-delay-unsupported",
    "ChargingScheduleUnsupportedLimitAtSoC": "limit-at-soc-unsupported",
    "ChargingScheduleUnsupportedEvseSleep": "evse-sleep-unsupported",
    "ChargingSchedulePeriodsOutOfOrder": "periods-out-of-order",
    "ChargingSchedulePeriodInvalidPhaseToUse": "phase-to-use-not-single",
    "ChargingSchedulePeriodUnsupportedNumberPhases": "number-phases-unsupported",
    "ChargingSchedulePeriodExtraneousPhaseValues": "phase-values-dc",
    "ChargingSchedulePeriodNoPhaseForDC": "phase-values-dc",
    "ChargingSchedulePeriodPhaseToUseACPhaseSwitchingUnsupported": "phase-to-use-unsupported",
    "ChargingSchedulePeriodPriorityChargingNotChargingOnly": "priority-operation-mode",
    "ChargingSchedulePeriodUnsupportedOperationMode": "operation-mode-purpose",
    "ChargingSchedulePeriodUnsupportedLimitSetpoint": "limit-setpoint-mode",
    "ChargingSchedulePeriodNoFreqWattCurve": "local-frequency-curve",
    "ChargingStationMaxProfileCannotBeRelative": "max-profile-relative",
    "ChargingStationMaxProfileEvseIdGreaterThanZero": "max-profile-on-evse",
    "DuplicateTxDefaultProfileFound": "tx-default-stack-level-taken",
    "DuplicateProfileValidityPeriod": "duplicate-stack-level",
    "RequestStartTransactionNonTxProfile": "request-start-not-tx-profile",
    "ChargingProfileEmptyChargingSchedules": "no-schedule",
}

_SCHEDULES = frozenset(
    {
        "no-schedule",
        "rate-unit-unsupported",
        "no-periods",
        "not-finite",
        "randomized-delay-purpose",
        "purpose-unsupported",
        "kind-unsupported",
        "not-dynamic",
        "local-time-unsupported",
        "randomized-delay-unsupported",
        "limit-at-soc-unsupported",
        "phase-to-use-not-single",
        "phase-to-use-unsupported",
        "first-period-not-zero",
        "periods-out-of-order",
        "phase-values-dc",
        "number-phases-unsupported",
        "priority-operation-mode",
        "operation-mode-purpose",
        "local-frequency-unit",
        "evse-sleep-unsupported",
        "limit-setpoint-mode",
        "local-frequency-curve",
        "start-schedule-missing",
        "start-schedule-extraneous",
    }
)
_TX = frozenset(
    {
        "tx-profile-station-wide",
        "evse-unknown",
        "tx-profile-no-transaction-id",
        "tx-profile-no-transaction",
        "tx-profile-other-transaction",
        "tx-profile-stack-level-taken",
    }
)
_MAX = frozenset({"max-profile-on-evse", "max-profile-relative"})
_FULL = (
    _SCHEDULES
    | _TX
    | _MAX
    | {
        "request-start-not-tx-profile",
        "external-constraints-id",
        "external-constraints-id-range",
        "duplicate-stack-level",
        "tx-default-stack-level-taken",
        "priority-duration",
    }
)
OPERATION_RULES: Mapping[str, frozenset[str]] = {
    "validate_profile_schedules": _SCHEDULES,
    "validate_tx_profile": _TX,
    "validate_tx_default_profile": frozenset({"tx-default-stack-level-taken"}),
    "validate_charging_station_max_profile": _MAX,
    "validate_priority_charging_profile": frozenset({"priority-duration"}),
    "validate_evse_exists": frozenset({"evse-unknown"}),
    "conform_and_validate_profile": _FULL,
    "conform_validate_and_add_profile": _FULL | {"rate-limit"},
}
# The purpose a purpose-specific libocpp check is written for (another one gives InvalidProfileType).
_OPERATION_PURPOSE: Mapping[str, str] = {
    "validate_charging_station_max_profile": "ChargingStationMaxProfile",
    "validate_priority_charging_profile": "PriorityCharging",
}


def _params() -> list[Any]:
    folder = case_dir()
    if folder is None:
        return [pytest.param(None, id="no-cases")]
    out = []
    for case in load_cases(folder):
        marks = []
        if case["id"] in DISAGREEMENTS:
            marks.append(pytest.mark.xfail(reason=DISAGREEMENTS[case["id"]], strict=True))
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_case(case: Mapping[str, Any] | None) -> None:
    if case is None:
        require_shared()
        pytest.skip("no smart-charging cases found")
    if case["kind"] == "profile_validation":
        _validation(case)
    else:
        _composite(case)


# -- composite schedules --------------------------------------------------------------------------------


def _composite(case: Mapping[str, Any]) -> None:
    station = station_of(case)
    store, problems = store_of(case, station)
    assert problems == []
    request = case["request"]
    expected = case["expected"]
    start = window_start(case)
    duration = request.get("duration")
    if duration is None:
        duration = 0  # status-only cases leave it unset
    try:
        result = composite_schedule(
            store, evse_of(request), start, duration, request["charging_rate_unit"], station
        )
    except SmartChargingError as exc:
        assert expected["status"] == "Rejected", f"refused: {exc}"
        info = expected.get("status_info") or {}
        if "reasonCode" in info:
            assert exc.reason_code == info["reasonCode"]
        return
    assert expected["status"] == "Accepted", "a station answers Rejected here"
    mode = expected["comparison"]
    if mode == "status_only":
        return
    _header(result, expected.get("schedule") or {}, mode, case)
    COMPARE[mode](result.periods, expected["schedule"].get("periods") or [])


def _header(
    result: CompositeSchedule, schedule: Mapping[str, Any], mode: str, case: Mapping[str, Any]
) -> None:
    loose = mode == "libocpp_v16_loose_prefix"
    if "start" in schedule:
        assert result.start == moment(schedule["start"])
    if "duration" in schedule:
        assert result.duration == schedule["duration"]
    if "unit" in schedule:
        assert result.unit == schedule["unit"]
    if evse_of(schedule) is not None and not loose:
        assert result.evse_id == evse_of(schedule)
    if mode == "header_only" and case["expected"].get("start_within_s_of_now") is not None:
        assert abs(result.start - window_start(case)) <= timedelta(seconds=0)


def _same(value: Decimal | None, wanted: Any) -> bool:
    if wanted is None:
        return value is None
    return value is not None and abs(value - Decimal(str(wanted))) <= TOLERANCE


def _show(periods: Sequence[CompositePeriod]) -> list[tuple[Any, ...]]:
    return [(p.start_period, p.limit, p.number_phases) for p in periods]


_V21_FIELDS = {
    "limit_L2": "limit_l2",
    "limit_L3": "limit_l3",
    "setpoint": "setpoint",
    "setpoint_L2": "setpoint_l2",
    "setpoint_L3": "setpoint_l3",
    "discharge_limit": "discharge_limit",
    "discharge_limit_L2": "discharge_limit_l2",
    "discharge_limit_L3": "discharge_limit_l3",
}


def _v2_eq(got: Sequence[CompositePeriod], want: Sequence[Mapping[str, Any]]) -> None:
    assert len(got) == len(want), _show(got)
    for p, w in zip(got, want, strict=True):
        assert abs(p.start_period - w["start_period"]) < 10, _show(got)
        assert _same(p.limit, w["limit"]), _show(got)
        assert p.number_phases == w.get("number_phases"), _show(got)
        assert p.phase_to_use == w.get("phase_to_use"), _show(got)
        for name, attr in _V21_FIELDS.items():
            assert _same(getattr(p, attr), w.get(name)), (name, _show(got))


def _elements(phases: bool) -> Any:
    def compare(got: Sequence[CompositePeriod], want: Sequence[Mapping[str, Any]]) -> None:
        assert len(got) == len(want), _show(got)
        for p, w in zip(got, want, strict=True):
            assert p.start_period == w["start_period"], _show(got)
            assert _same(p.limit, w["limit"]), _show(got)
            if phases:
                assert p.number_phases == w.get("number_phases"), _show(got)

    return compare


def _listed(got: Sequence[CompositePeriod], want: Sequence[Mapping[str, Any]]) -> None:
    assert len(got) == len(want), _show(got)
    for p, w in zip(got, want, strict=True):
        if "start_period" in w:
            assert p.start_period == w["start_period"], _show(got)
        if "limit" in w:
            assert _same(p.limit, w["limit"]), _show(got)
        if "number_phases" in w:
            assert p.number_phases == w["number_phases"], _show(got)
        if "stack_level" in w:
            # libocpp's diagnostic: the winning stackLevel, 0 for the default limit.
            assert (p.source.stack_level if p.source else 0) == w["stack_level"], _show(got)
        if "period_transformed" in w:
            assert p.converted == w["period_transformed"], _show(got)


def _loose_prefix(got: Sequence[CompositePeriod], want: Sequence[Mapping[str, Any]]) -> None:
    for p, w in zip(got, want, strict=False):
        assert abs(p.start_period - w["start_period"]) <= 9, _show(got)
        assert _same(p.limit, w["limit"]), _show(got)
        if p.number_phases is not None and w.get("number_phases") is not None:
            assert p.number_phases == w["number_phases"], _show(got)


def _octt(got: Sequence[CompositePeriod], want: Sequence[Mapping[str, Any]]) -> None:
    assert len(got) >= len(want), _show(got)
    for p, w in zip(got, want, strict=False):
        assert p.start_period == w["start_period"], _show(got)
        if "limit_not" in w:
            assert p.limit is None or p.limit != Decimal(str(w["limit_not"])), _show(got)
        elif w.get("limit") is not None:
            assert _same(p.limit, w["limit"]), _show(got)


def _nothing(got: Sequence[CompositePeriod], want: Sequence[Mapping[str, Any]]) -> None:
    assert got and got[0].start_period == 0


COMPARE = {
    "libocpp_v2_eq": _v2_eq,
    "elements_start_limit_phases": _elements(True),
    "elements_start_limit": _elements(False),
    "count_and_listed_fields": _listed,
    "libocpp_v16_loose_prefix": _loose_prefix,
    "octt_listed": _octt,
    "header_only": _nothing,
}


# -- profile validation ---------------------------------------------------------------------------------


def _validation(case: Mapping[str, Any]) -> None:
    station = station_of(case)
    store, problems = store_of(case, station)
    assert problems == []
    expected = case["expected"]
    request = case["request"]
    candidate = case.get("candidate") or {}
    evse = evse_of(request) if evse_of(request) is not None else 0
    now = moment(case.get("now"))
    source = (
        "RequestStartTransaction"
        if request.get("add_charging_profile_source") == "RequestStartTransactionRequest"
        else "SetChargingProfile"
    )
    if expected["comparison"] == "one_of":
        result = store.install(
            normalised(candidate["charging_profile"]), evse_of(candidate), now, station=station
        )
        answers = [{"set_charging_profile_status": result.status}]
        assert any(a in expected["one_of"] for a in answers), result.refusals
        return
    found = _found(case, store, evse, now, source)
    wanted = LIBOCPP_RESULT[expected["result"]]
    if expected["comparison"] == "not_equals":
        assert wanted not in found
    elif wanted is None:
        assert found == set()
    else:
        assert wanted in found, found
    for path, value in (expected.get("conformed_profile") or {}).items():
        profile = conform(
            parse_profile(normalised(candidate["charging_profile"]), case["ocpp_version"]), evse, station
        )
        assert path == "chargingSchedule[0].chargingSchedulePeriod[0].numberPhases"
        assert profile.schedules[0].periods[0].number_phases == value


def _found(case: Mapping[str, Any], store: ProfileStore, evse: int, now: Any, source: str) -> set[str]:
    request = case["request"]
    operation = request["operation"]
    scope = OPERATION_RULES[operation]
    station = station_of(case)
    candidate = case.get("candidate")
    if candidate is None:
        # validate_evse_exists: no profile, only the EVSE.
        exists = station.evse_count is None or 0 <= evse <= station.evse_count
        return set() if exists else {"evse-unknown"}
    profile = normalised(candidate["charging_profile"])
    purpose = _OPERATION_PURPOSE.get(operation)
    if purpose is not None and profile.get("chargingProfilePurpose") != purpose:
        return {"InvalidProfileType"}
    refusals = store.check(profile, evse, now, station=station, source=source)
    return {r.rule for r in refusals if r.rule in scope}
