"""Following a charger's smart charging in captured traffic: a watcher of the conversation fold.

Theory of operation: one :class:`SmartChargingWatcher` per charge point keeps
the :class:`~ocpkit.ocpp.smart_charging.ProfileStore` the charger should hold,
built from the SetChargingProfile, ClearChargingProfile and remote-start
exchanges it sees, and the running transactions (1.6 StartTransaction /
StopTransaction, 2.x TransactionEvent), which Relative and Tx profiles follow.
It reports:

* ``smart-charging.accepted-refused`` (error): the charger accepted a profile
  that a rule refuses; ``smart-charging.rejected-valid`` (warning): it refused
  one the rules accept. The store follows the charger either way.
* ``smart-charging.composite-mismatch`` (warning): a GetCompositeSchedule
  answer differs from the composite schedule of the followed store, beyond
  ``time_tolerance`` seconds and ``limit_tolerance`` (in the answer's unit),
  or a conforming station would have refused the request.
* ``smart-charging.over-limit`` (warning): metered power (``Power.Active.Import``)
  or current (``Current.Import``) stays above the composite limit by more than
  ``tolerance`` (a fraction of the limit) for ``hold`` or longer; one finding per
  episode.
* ``smart-charging.clear-mismatch`` (info): ClearChargingProfile's status does
  not match what the followed store held.

Where the composite limit is unknown (no profile applies and the station's
default limit is not configured) nothing is compared. Station facts come
from the factory (:func:`watching`); the EVSE count, when not given, is the
highest EVSE or connector id seen. The watcher does nothing on meter values
until a profile is known, so traffic without smart charging costs little.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, Final

from ocpkit.errors import EnergyError, OcpkitError, SmartChargingError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp._rfc3339 import parse_rfc3339
from ocpkit.ocpp.smart_charging._compose import composite_schedule
from ocpkit.ocpp.smart_charging._profile import wire
from ocpkit.ocpp.smart_charging._store import ProfileStore
from ocpkit.ocpp.smart_charging._types import CompositePeriod, CompositeSchedule, Station
from ocpkit.ocpp.watch import Exchange, WatcherFactory

__all__ = ["SmartChargingWatcher", "watcher", "watching"]

_ACTIONS: Final[Mapping[str, frozenset[str]]] = {
    "1.6": frozenset(
        {
            "SetChargingProfile",
            "ClearChargingProfile",
            "GetCompositeSchedule",
            "RemoteStartTransaction",
            "StartTransaction",
            "StopTransaction",
            "MeterValues",
            "StatusNotification",
        }
    ),
    "2.0.1": frozenset(
        {
            "SetChargingProfile",
            "ClearChargingProfile",
            "GetCompositeSchedule",
            "RequestStartTransaction",
            "TransactionEvent",
            "MeterValues",
            "StatusNotification",
        }
    ),
}
_HANDLERS: Final[Mapping[str, str]] = {
    "StatusNotification": "_status",
    "StartTransaction": "_start",
    "StopTransaction": "_stop",
    "TransactionEvent": "_transaction_event",
    "SetChargingProfile": "_set_profile",
    "RemoteStartTransaction": "_remote_start",
    "RequestStartTransaction": "_request_start",
    "ClearChargingProfile": "_clear",
    "GetCompositeSchedule": "_composite",
    "MeterValues": "_meter_values",
}
"""Action -> the method that follows it."""
_MEASURANDS: Final[Mapping[str, str]] = {"Power.Active.Import": "W", "Current.Import": "A"}
_PHASE_INDEX: Final[Mapping[str, int]] = {"L1": 0, "L2": 1, "L3": 2, "L1-N": 0, "L2-N": 1, "L3-N": 2}
_SECOND = timedelta(seconds=1)
_CACHE_WINDOW = 86400  # seconds of composite schedule computed at once for the meter checks


@dataclass(frozen=True, slots=True)
class _Options:
    station: Station
    tolerance: Decimal
    hold: timedelta
    time_tolerance: int
    limit_tolerance: Decimal


def _time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if not isinstance(value, str):
        return None
    try:
        return parse_rfc3339(value)
    except ValueError:
        return None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


class SmartChargingWatcher:
    """The smart-charging watcher of one charge point (see the module docstring for the findings)."""

    def __init__(self, version: str, options: _Options) -> None:
        self.version = version
        self.options = options
        self.store = ProfileStore(version)
        self.actions = _ACTIONS["1.6" if version == "1.6" else "2.0.1"]
        self._seen_evse = 0
        self._revision = 0
        self._cache: dict[tuple[int, str], tuple[int, CompositeSchedule, list[int]]] = {}
        self._over: dict[tuple[int, str, str], tuple[datetime, bool]] = {}
        self._guessed: dict[int, Station] = {}  # the station with the EVSE count seen so far

    # -- the watcher protocol ------------------------------------------------------------------------

    def exchange(self, exchange: Exchange) -> list[Finding]:
        """Take one completed exchange; return the findings it causes."""
        try:
            found: list[Finding] = _STEPS[exchange.action](self, exchange)
        except (OcpkitError, ArithmeticError, TypeError, ValueError) as exc:
            # Hostile payloads must not stop the fold; what cannot be read is simply not followed.
            return [
                Finding(
                    Severity.INFO,
                    "smart-charging.unreadable",
                    f"{exchange.action} not followed: {str(exc)[:160]}",
                    exchange.action,
                    exchange.ref,
                )
            ]
        return found

    def finish(self) -> list[Finding]:
        """Nothing is owed at the end: episodes are reported when they reach the hold time."""
        return []

    # -- store and transactions ------------------------------------------------------------------------

    def _set(self, store: ProfileStore) -> None:
        if store != self.store:
            self.store = store
            self._revision += 1

    def _facts(self, evse: int = 0) -> Station:
        station = self.options.station
        if station.evse_count is not None:
            return station
        count = max(self._seen_evse, evse, 1)
        known = self._guessed.get(count)
        if known is None:
            known = self._guessed[count] = replace(station, evse_count=count)
        return known

    def _rule_facts(self) -> Station:
        # The EVSE-exists rule needs the real count; a count guessed from traffic would refuse wrongly.
        return self.options.station

    def _seen(self, evse: object) -> None:
        number = _int(evse)
        if number is not None and 0 < number < 10_000:
            self._seen_evse = max(self._seen_evse, number)

    def _status(self, ex: Exchange) -> list[Finding]:
        self._seen(ex.request.get("connectorId" if self.version == "1.6" else "evseId"))
        return []

    def _start(self, ex: Exchange) -> list[Finding]:
        connector = _int(ex.request.get("connectorId"))
        if connector is None or connector <= 0:
            return []
        self._seen(connector)
        tx_id = _int(_obj(ex.response).get("transactionId")) if ex.response is not None else None
        start = _time(ex.request.get("timestamp")) or ex.at
        self._set(self.store.start_transaction(connector, tx_id, start))
        return []

    def _stop(self, ex: Exchange) -> list[Finding]:
        tx_id = _int(ex.request.get("transactionId"))
        if tx_id is None:
            return []
        connector = next((t.evse_id for t in self.store.transactions if t.transaction_id == tx_id), None)
        found = self._meter(ex, connector)  # transactionData samples still count against the limit
        self._set(self.store.end_transaction(transaction_id=tx_id))
        return found

    def _transaction_event(self, ex: Exchange) -> list[Finding]:
        request = ex.request
        info = _obj(request.get("transactionInfo"))
        tx_id = info.get("transactionId")
        evse = _int(_obj(request.get("evse")).get("id"))
        kind = request.get("eventType")
        if evse is not None and evse > 0 and isinstance(tx_id, str):
            self._seen(evse)
            running = self.store.transaction(evse)
            if kind == "Started" or running is None or str(running.transaction_id) != tx_id:
                start = _time(request.get("timestamp")) if kind == "Started" else None
                self._set(self.store.start_transaction(evse, tx_id, start))
        if evse is None and isinstance(tx_id, str):
            evse = next((t.evse_id for t in self.store.transactions if t.transaction_id == tx_id), None)
        found = self._meter(ex, evse)
        if kind == "Ended" and isinstance(tx_id, str):
            self._set(self.store.end_transaction(transaction_id=tx_id))
        return found

    # -- profiles --------------------------------------------------------------------------------------

    def _set_profile(self, ex: Exchange) -> list[Finding]:
        request = ex.request
        if self.version == "1.6":
            evse, profile = _int(request.get("connectorId")), request.get("csChargingProfiles")
        else:
            evse, profile = _int(request.get("evseId")), request.get("chargingProfile")
        return self._offered(ex, evse, profile, "SetChargingProfile")

    def _remote_start(self, ex: Exchange) -> list[Finding]:
        profile = ex.request.get("chargingProfile")
        if profile is None:
            return []
        return self._offered(ex, _int(ex.request.get("connectorId")), profile, "RequestStartTransaction")

    def _request_start(self, ex: Exchange) -> list[Finding]:
        profile = ex.request.get("chargingProfile")
        if profile is None:
            return []
        return self._offered(ex, _int(ex.request.get("evseId")), profile, "RequestStartTransaction")

    def _offered(self, ex: Exchange, evse: int | None, profile: object, source: str) -> list[Finding]:
        if ex.outcome not in ("result", "error") or evse is None or profile is None:
            return []  # unanswered: what the charger did is not known; no EVSE: nowhere to put it
        self._seen(evse)
        verdict = self.store.install(profile, evse, ex.at, station=self._rule_facts(), source=source)
        # The schema verdict is the validator's business; here only the rules count.
        refusals = [r for r in verdict.refusals if r.rule != "schema"]
        profile_id = _profile_id(profile, self.version)
        subject = f"profile {profile_id}" if profile_id is not None else ex.action
        if ex.accepted:
            if verdict.accepted:
                self._set(verdict.store)
                return []
            with suppress(SmartChargingError):  # unreadable: nothing to follow
                self._set(self.store.adopt(profile, evse, ex.at))
            if not refusals:
                return []
            first = refusals[0]
            others = f" (and {len(refusals) - 1} more)" if len(refusals) > 1 else ""
            message = (
                f"the charger accepted {subject} on EVSE {evse}, which {first.ref or first.rule} "
                f"refuses: {first.message} [{first.rule}]{others}"
            )
            return [
                Finding(Severity.ERROR, "smart-charging.accepted-refused", message, subject, ex.answer_ref)
            ]
        if verdict.accepted:
            answer = ex.error_code if ex.outcome == "error" else _obj(ex.response).get("status")
            message = (
                f"the charger answered {answer} to {subject} on EVSE {evse}, which every rule accepts "
                "(a station limit not given to the check may explain it)"
            )
            return [
                Finding(Severity.WARNING, "smart-charging.rejected-valid", message, subject, ex.answer_ref)
            ]
        return []

    def _clear(self, ex: Exchange) -> list[Finding]:
        if ex.outcome != "result":
            return []
        cleared = self.store.clear_charging_profile(ex.request)
        status = _obj(ex.response).get("status")
        self._set(cleared.store)
        if status == cleared.status or status not in ("Accepted", "Unknown"):
            return []
        held = ", ".join(str(i) for i in cleared.cleared) or "none"
        message = f"ClearChargingProfile answered {status}; the followed profiles matching it: {held}"
        return [
            Finding(
                Severity.INFO, "smart-charging.clear-mismatch", message, "ClearChargingProfile", ex.answer_ref
            )
        ]

    # -- composite schedules ---------------------------------------------------------------------------

    def _composite(self, ex: Exchange) -> list[Finding]:
        if ex.outcome != "result" or ex.response is None:
            return []
        response = ex.response
        if response.get("status") != "Accepted":
            return []
        v16 = self.version == "1.6"
        evse = _int(ex.request.get("connectorId" if v16 else "evseId"))
        schedule = _obj(response.get("chargingSchedule" if v16 else "schedule"))
        unit = schedule.get("chargingRateUnit")
        start = _time(response.get("scheduleStart") if v16 else schedule.get("scheduleStart"))
        start = start or _time(schedule.get("startSchedule")) or ex.at
        duration = _int(schedule.get("duration"))
        if duration is None:
            duration = _int(ex.request.get("duration"))
        theirs = _periods(schedule.get("chargingSchedulePeriod"))
        if evse is None or unit not in ("A", "W") or start is None or duration is None or theirs is None:
            return []
        subject = f"GetCompositeSchedule EVSE {evse}"
        try:
            ours = composite_schedule(self.store, evse, start, duration, str(unit), self._facts(evse))
        except SmartChargingError as exc:
            if not exc.reason_code:
                return []
            message = f"the charger answered Accepted where a conforming station answers Rejected: {exc}"
            return [
                Finding(
                    Severity.WARNING, "smart-charging.composite-mismatch", message, subject, ex.answer_ref
                )
            ]
        difference = _difference(ours, theirs, duration, self.options)
        if difference is None:
            return []
        return [
            Finding(Severity.WARNING, "smart-charging.composite-mismatch", difference, subject, ex.answer_ref)
        ]

    # -- metered values ---------------------------------------------------------------------------------

    def _meter_values(self, ex: Exchange) -> list[Finding]:
        if not self.store.profiles:
            return []  # nothing to compare the metered power with: the place need not be read
        return self._meter(ex, _int(ex.request.get("connectorId" if self.version == "1.6" else "evseId")))

    def _meter(self, ex: Exchange, evse: int | None) -> list[Finding]:
        if not self.store.profiles or evse is None or evse <= 0:
            return []
        wanted = _power_and_current(
            ex.request, "transactionData" if ex.action == "StopTransaction" else "meterValue"
        )
        if not wanted:
            return []  # energy registers, SoC, voltage ... say nothing about the limit
        from ocpkit.energy import readings_from_meter_value  # only once profiles are being followed

        try:
            readings = [r for i, mv in enumerate(wanted) for r in readings_from_meter_value(mv, f"/{i}")]
        except EnergyError:
            return []
        found: list[Finding] = []
        samples: dict[tuple[datetime, str], dict[str | None, Decimal]] = {}
        for reading in readings:
            unit = _MEASURANDS.get(reading.measurand)
            if unit is None or reading.location != "Outlet" or reading.value is None:
                continue
            try:
                value = reading.to(unit)
            except EnergyError:
                continue
            samples.setdefault((reading.timestamp, reading.measurand), {})[reading.phase] = value
        for (moment, measurand), phases in sorted(samples.items(), key=lambda item: item[0][0]):
            found += self._check_sample(ex, evse, moment, measurand, phases)
        return found

    def _period_at(self, evse: int, unit: str, moment: datetime) -> CompositePeriod | None:
        key = (evse, unit)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == self._revision:
            _, schedule, starts = cached
            offset = (moment - schedule.start) // _SECOND
            if 0 <= offset < schedule.duration:
                return schedule.periods[bisect_right(starts, offset) - 1]
        try:
            schedule = composite_schedule(self.store, evse, moment, _CACHE_WINDOW, unit, self._facts(evse))
        except SmartChargingError:
            return None
        self._cache[key] = (self._revision, schedule, [p.start_period for p in schedule.periods])
        return schedule.periods[0]

    def _check_sample(
        self, ex: Exchange, evse: int, moment: datetime, measurand: str, phases: Mapping[str | None, Decimal]
    ) -> list[Finding]:
        unit = _MEASURANDS[measurand]
        period = self._period_at(evse, unit, moment)
        key = (evse, measurand, unit)
        if period is None or period.limit is None:
            self._over.pop(key, None)
            return []
        per_phase = (period.limit, period.limit_l2 or period.limit, period.limit_l3 or period.limit)
        split = period.limit_l2 is not None or period.limit_l3 is not None
        if unit == "W":
            # Power over all phases: the total when the charger sends it, else the phases added up.
            measured = phases.get(None)
            if measured is None:
                measured = sum(
                    (v for p, v in phases.items() if p in ("L1", "L2", "L3", "L1-N", "L2-N", "L3-N")),
                    Decimal(0),
                )
            limit = sum(per_phase, Decimal(0)) if split else period.limit
        else:
            # Current is limited per phase: the phase furthest above its own limit counts.
            measured, limit = max(
                ((value, per_phase[_PHASE_INDEX.get(name or "", 0)]) for name, value in phases.items()),
                key=lambda pair: pair[0] - pair[1],
            )
        allowed = limit * (1 + self.options.tolerance)
        if measured <= allowed:
            self._over.pop(key, None)
            return []
        since, reported = self._over.get(key, (moment, False))
        self._over[key] = (since, reported)
        if reported or moment - since < self.options.hold:
            return []
        self._over[key] = (since, True)
        message = (
            f"{measurand} {measured} {unit} above the composite limit {limit} {unit} "
            f"(+{self.options.tolerance * 100}% tolerance) since {since.isoformat()}, for {moment - since}"
        )
        return [Finding(Severity.WARNING, "smart-charging.over-limit", message, f"EVSE {evse}", ex.ref)]


def _power_and_current(request: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The meter values of a request cut down to their power and current samples (often none)."""
    items = request.get(key)
    if not isinstance(items, list):
        return []
    out: list[Mapping[str, Any]] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        sampled = item.get("sampledValue")
        if not isinstance(sampled, list):
            continue
        kept = [v for v in sampled if isinstance(v, Mapping) and v.get("measurand") in _MEASURANDS]
        if kept:
            out.append({**item, "sampledValue": kept})
    return out


def _profile_id(profile: object, version: str) -> int | None:
    try:
        data = wire(profile)
    except SmartChargingError:
        return None
    return _int(data.get("chargingProfileId" if version == "1.6" else "id"))


def _periods(raw: object) -> list[tuple[int, Decimal]] | None:
    """A charger's schedule periods as (startPeriod, limit), or ``None`` when they cannot be read."""
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes) or not raw:
        return None
    out: list[tuple[int, Decimal]] = []
    for item in raw:
        period = _obj(item)
        start, limit = _int(period.get("startPeriod")), period.get("limit")
        if start is None or isinstance(limit, bool) or not isinstance(limit, int | float | Decimal):
            return None
        number = limit if isinstance(limit, Decimal) else Decimal(str(limit))
        if not number.is_finite():
            return None
        out.append((start, number))
    return sorted(out)


def _value_at(periods: Sequence[tuple[int, Decimal | None]], offset: int) -> Decimal | None:
    found: Decimal | None = None
    for start, value in periods:
        if start > offset:
            break
        found = value
    return found


def _difference(
    ours: CompositeSchedule, theirs: Sequence[tuple[int, Decimal]], duration: int, options: _Options
) -> str | None:
    """A description of the first stretch where two schedules differ, or ``None``."""
    mine = [(p.start_period, p.limit) for p in ours.periods]
    edges = sorted({0, duration, *(s for s, _ in mine), *(s for s, _ in theirs)})
    edges = [e for e in edges if 0 <= e <= duration]
    differing = []
    for a, b in pairwise(edges):
        if b - a <= options.time_tolerance:
            continue  # a sliver between breakpoints the two place a moment apart
        expected = _value_at(mine, a)
        answered = _value_at(theirs, a)
        if expected is None:
            continue  # no profile limits here and the station's own limit is not known
        if answered is None or abs(answered - expected) > options.limit_tolerance:
            differing.append((a, b, expected, answered))
    if not differing:
        return None
    a, b, expected, answered = differing[0]
    more = f"; {len(differing) - 1} more stretch(es) differ" if len(differing) > 1 else ""
    return (
        f"from {a} s to {b} s the charger reports {answered} {ours.unit}, the installed profiles give "
        f"{expected} {ours.unit}{more}"
    )


def watching(
    station: Station | None = None,
    *,
    tolerance: Decimal | float | str = Decimal("0.1"),
    hold: timedelta = timedelta(seconds=60),
    time_tolerance: int = 2,
    limit_tolerance: Decimal | float | str = Decimal("0.1"),
) -> WatcherFactory:
    """A watcher factory with these settings (for ``Conversation(..., watchers=[watching(...)])``).

    *station* holds the facts of the charger (voltage, EVSE count, default limit, units);
    *tolerance* is the fraction a metered value may exceed the limit by and *hold* how long it
    may do so; *time_tolerance* (s) and *limit_tolerance* (in the schedule's unit) bound what
    counts as a GetCompositeSchedule difference.
    """
    from ocpkit.ocpp.smart_charging._types import decimal_of

    if not isinstance(hold, timedelta) or hold < timedelta(0):
        raise SmartChargingError(f"hold must be a non-negative timedelta, not {hold!r}")
    if isinstance(time_tolerance, bool) or not isinstance(time_tolerance, int) or time_tolerance < 0:
        raise SmartChargingError(f"time_tolerance must be an integer >= 0, not {time_tolerance!r}")
    fraction = decimal_of(tolerance, "tolerance")
    margin = decimal_of(limit_tolerance, "limit_tolerance")
    if fraction < 0 or margin < 0:
        raise SmartChargingError("tolerances must not be negative")
    options = _Options(station if station is not None else Station(), fraction, hold, time_tolerance, margin)

    def factory(version: str, charge_point: str | None) -> SmartChargingWatcher | None:
        if version not in ("1.6", "2.0.1", "2.1"):
            return None
        return SmartChargingWatcher(version, options)

    return factory


_STEPS: Final[Mapping[str, Callable[[SmartChargingWatcher, Exchange], list[Finding]]]] = {
    action: getattr(SmartChargingWatcher, name) for action, name in _HANDLERS.items()
}
"""The handler of each action watched, looked up once (not by name on every exchange)."""

watcher: Final[WatcherFactory] = watching()
"""The default factory (registered in :data:`ocpkit.ocpp.watch.DEFAULT_WATCHERS`): no station facts
beyond 230 V, 3 phases; 10 % and 60 s for metered values; 2 s and 0.1 for composite answers."""
