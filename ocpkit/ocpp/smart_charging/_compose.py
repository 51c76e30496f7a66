"""Composite schedules: what one EVSE, or the whole station, may draw over a window.

Theory of operation. Every stored profile that concerns the request is
unrolled into intervals ``[a, b)`` of whole seconds, one per schedule period
(Absolute from ``startSchedule``; Relative from the start of the EVSE's
transaction, or from the window start when none runs; Recurring from the
latest repetition of ``startSchedule``, which may lie before its first date;
a period runs to the next period, the schedule's ``duration``, the next
repetition and ``validTo``, and starts no earlier than ``validFrom``). A
sweep over the interval edges then evaluates each stretch where nothing
changes:

1. **Within a purpose the highest stackLevel wins** (1.6 §3.13.2, 2.x K01):
   precedence, not a minimum -- a higher level with a higher limit still wins.
   On an equal level a profile on the EVSE beats a station-wide one, and the
   newer beats the older.
2. **Tx over TxDefault** on each EVSE (1.6 §3.13.3, 2.x K08): a TxProfile
   counts while its transaction runs; TxDefault counts even without a
   transaction, as for one starting at the window start (what the OCTT
   composite-schedule cases expect). 2.1 PriorityCharging replaces both where
   priority charging is on.
3. **External constraints** cap each EVSE; a station-wide one caps the
   station total too.
4. **EVSE 0** is the sum over the EVSEs; an EVSE no profile limits adds the
   station's default limit (unknown default: the sum is unknown).
5. **The station maximum** caps the result; where nothing gives a limit the
   default limit of the :class:`Station` applies (``None`` when not given).

Limits in A are per phase, limits in W are totals unless the period gives
``limit_L2``/``limit_L3`` (OCPP 2.1). They are carried in their own unit and
converted once, at the end, into the requested unit with the supply voltage
and the number of phases in use: the lowest ``numberPhases`` any limiting
period states (the highest when EVSEs are summed), else
``default_number_phases``. A 2.x period without ``numberPhases`` on AC counts
as 3 (K01.FR.49); in 1.6 it states none. Divisions are cut to
:data:`CONVERSION_PLACES` decimals toward zero. 2.1 setpoints are clamped
into [dischargeLimit, limit]. Consecutive equal periods are merged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Context, localcontext
from typing import Final

from ocpkit.errors import SmartChargingError
from ocpkit.ocpp.smart_charging._combine import (
    Level,
    Part,
    add_up,
    as_part,
    combine,
    default_level,
    part_of,
)
from ocpkit.ocpp.smart_charging._profile import Period, StoredProfile
from ocpkit.ocpp.smart_charging._store import ProfileStore
from ocpkit.ocpp.smart_charging._types import (
    CompositePeriod,
    CompositeSchedule,
    ProfileRef,
    Station,
)

__all__ = ["MAX_DURATION", "composite_schedule"]

MAX_DURATION: Final = 400 * 86400
"""The longest window computed (seconds); longer requests are refused, since recurring profiles
unroll once per day of the window."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_DAY = 86400
_WEEK = 7 * _DAY
_CTX = Context(prec=34)


def _epoch(moment: datetime) -> int:
    """Whole seconds since 1970, floored (schedules are counted in whole seconds)."""
    return (moment - _EPOCH) // _SECOND


@dataclass(frozen=True, slots=True)
class _Iv:
    """One schedule period of one profile, unrolled: in force over ``[a, b)``."""

    a: int
    b: int
    role: str
    evse: int  # the EVSE it is evaluated for; 0 for station-wide caps
    rank: tuple[int, int, int]
    period: Period
    unit: str
    ref: ProfileRef
    dc: bool
    part: Part


class _Plan:
    """The unrolled intervals of one request and how to evaluate a stretch of them."""

    def __init__(
        self,
        store: ProfileStore,
        evses: Sequence[int],
        start: int,
        end: int,
        station: Station,
        offline_since: int | None,
        simulate: bool = True,
    ) -> None:
        self.version = store.version
        self.simulate = simulate
        self.evses = evses
        self.start, self.end = start, end
        self.station = station
        self.intervals: list[_Iv] = []
        self.ignored: list[ProfileRef] = []
        skip = station.ignored_purposes_offline if offline_since is not None else frozenset()
        seen_ignored: set[tuple[int, int]] = set()
        for stored in store.profiles:
            profile = stored.profile
            ref = ProfileRef(profile.id, profile.purpose, profile.stack_level, stored.evse_id)
            if profile.purpose in skip:
                continue
            role = profile.role
            targets = self._targets(stored, role, store)
            if targets is None:
                if (stored.evse_id == 0 or stored.evse_id in evses) and (
                    profile.id,
                    stored.evse_id,
                ) not in seen_ignored:
                    seen_ignored.add((profile.id, stored.evse_id))
                    self.ignored.append(ref)
                continue
            for evse, anchor in targets:
                rank = (profile.stack_level, 0 if stored.evse_id == 0 else 1, stored.seq)
                self.intervals.extend(self._unroll(stored, role, evse, anchor, rank, ref, offline_since))
        self.three = self.version == "2.1" and any(iv.period.per_phase for iv in self.intervals)

    def _targets(
        self, stored: StoredProfile, role: str, store: ProfileStore
    ) -> list[tuple[int, int | None]] | None:
        """The EVSEs a profile is evaluated for, each with its Relative anchor; ``None``: not used."""
        if role == "generation":
            return None
        if role == "max":
            return [(0, None)] if stored.evse_id == 0 else None
        out: list[tuple[int, int | None]] = []
        if role == "external" and stored.evse_id == 0:
            out.append((0, None))  # also a cap on the station total
        for evse in self.evses:
            if stored.evse_id not in (0, evse):
                continue
            tx = store.transaction(evse)
            if role == "tx":
                named = stored.profile.transaction_id
                if stored.evse_id == 0 or tx is None:
                    continue
                if (
                    named is not None
                    and tx.transaction_id is not None
                    and str(named) != str(tx.transaction_id)
                ):
                    continue
            if role == "priority" and evse not in store.priority:
                continue
            if role == "txdefault" and tx is None and not self.simulate:
                continue
            anchor = _epoch(tx.start) if tx is not None and tx.start is not None else None
            out.append((evse, anchor))
        if not out and role in ("tx", "priority"):
            return None
        return out

    def _unroll(
        self,
        stored: StoredProfile,
        role: str,
        evse: int,
        anchor: int | None,
        rank: tuple[int, int, int],
        ref: ProfileRef,
        offline_since: int | None,
    ) -> Iterable[_Iv]:
        profile = stored.profile
        schedule = profile.schedule
        if schedule is None or not schedule.periods:
            return
        lo = self.start
        if stored.effective_from is not None:
            lo = max(lo, _epoch(stored.effective_from))
        hi = self.end
        if profile.valid_to is not None:
            hi = min(hi, _epoch(profile.valid_to))
        if offline_since is not None and profile.max_offline_duration is not None:
            hi = min(hi, offline_since + max(profile.max_offline_duration, 0))
        if lo >= hi:
            return
        relative_start = anchor if anchor is not None else self.start
        if schedule.start is not None and profile.kind != "Relative":
            base = self._local(schedule.start) if schedule.use_local_time else _epoch(schedule.start)
        elif profile.kind == "Recurring" and self.version != "1.6":
            return  # 2.x K01.FR.40: nothing to repeat from (1.6 reads a missing start as the charge start)
        elif profile.kind == "Absolute" and self.version != "1.6" and profile.valid_from is not None:
            base = _epoch(
                profile.valid_from
            )  # not a valid 2.x profile: validFrom is the best anchor there is
        else:
            base = relative_start
        if profile.kind == "Recurring" and profile.recurrency is None:
            return  # no recurrency kind: no repetition to follow
        step = (
            {"Daily": _DAY, "Weekly": _WEEK}.get(profile.recurrency or "")
            if profile.kind == "Recurring"
            else None
        )
        occurrences = self._occurrences(base, step, lo, hi, schedule.use_local_time)
        dc = self.station.is_dc(evse if evse else None)
        periods = schedule.periods
        parts = [part_of(period, schedule.unit, ref, dc, self.version) for period in periods]
        duration = schedule.duration
        for occ, next_occ in occurrences:
            stop = next_occ if next_occ is not None else hi
            if duration is not None:
                stop = min(stop, occ + max(duration, 0))
            for i, period in enumerate(periods):
                a = occ + period.start
                b = occ + periods[i + 1].start if i + 1 < len(periods) else stop
                a, b = max(a, lo), min(b, stop, hi)
                if a < b:
                    yield _Iv(a, b, role, evse, rank, period, schedule.unit, ref, dc, parts[i])

    def _local(self, moment: datetime) -> int:
        """2.1 useLocalTime: the wall-clock time of *moment* read in the station's zone."""
        tz = self.station.tz
        if tz is None:
            return _epoch(moment)
        return _epoch(moment.replace(tzinfo=None).replace(tzinfo=tz))

    def _occurrences(
        self, base: int, step: int | None, lo: int, hi: int, local: bool
    ) -> list[tuple[int, int | None]]:
        if step is None:
            return [(base, None)]
        tz = self.station.tz if local else None
        if tz is None:
            first = base + ((lo - base) // step) * step
            starts = list(range(first, hi, step))
        else:
            # Local repetitions keep the wall-clock time across daylight-saving changes.
            wall = datetime.fromtimestamp(base, UTC).astimezone(tz).replace(tzinfo=None)
            k = (lo - base) // step - 1
            starts = []
            while True:
                moment = _epoch((wall + timedelta(seconds=k * step)).replace(tzinfo=tz))
                if moment >= hi:
                    break
                starts.append(moment)
                k += 1
            while len(starts) > 1 and starts[1] <= lo:
                starts.pop(0)
        return [(s, starts[i + 1] if i + 1 < len(starts) else s + step) for i, s in enumerate(starts)]

    def evaluate(self, active: Sequence[_Iv], unit: str, evse_request: int) -> Level | None:
        """The combined value of one stretch, given the intervals in force during it."""
        winners: dict[tuple[int, str], _Iv] = {}
        for iv in active:
            key = (iv.evse, iv.role)
            held = winners.get(key)
            if held is None or iv.rank > held.rank:
                winners[key] = iv
        return self._evaluate(winners, unit, evse_request)

    def _evaluate(self, winners: dict[tuple[int, str], _Iv], unit: str, evse_request: int) -> Level | None:
        station, three = self.station, self.three
        caps = [iv.part for iv in (winners.get((0, "external")), winners.get((0, "max"))) if iv]
        if evse_request != 0:
            evse = self.evses[0]
            own = (
                winners.get((evse, "priority"))
                or winners.get((evse, "tx"))
                or winners.get((evse, "txdefault")),
                winners.get((evse, "external")),
            )
            parts = [iv.part for iv in own if iv is not None] + caps
            combined = combine(parts, unit, station, three)
            if combined is not None:
                return combined
            # No part limits (none at all, or 2.1 setpoints only): the default limit bounds the rest.
            fallback = default_level(station, unit)
            if fallback is None:
                return None
            return combine([as_part(fallback, unit), *parts], unit, station, three)
        filled: list[Level] = []
        for evse in self.evses:
            tx_like = (
                winners.get((evse, "priority"))
                or winners.get((evse, "tx"))
                or winners.get((evse, "txdefault"))
            )
            parts = [iv.part for iv in (tx_like, winners.get((evse, "external"))) if iv is not None]
            level = combine(parts, unit, station, three) or default_level(station, unit)
            if level is None:
                filled = []  # an EVSE whose limit is unknown makes the sum unknown
                break
            filled.append(level)
        total = [as_part(add_up(filled, unit, station, three), unit)] if filled else []
        return combine(total + caps, unit, station, three)


def composite_schedule(
    store: ProfileStore,
    evse_id: int,
    start: datetime,
    duration: int,
    unit: str,
    station: Station | None = None,
    *,
    offline_since: datetime | None = None,
    simulate_transaction: bool = True,
) -> CompositeSchedule:
    """The composite schedule of *evse_id* (0 = the whole station) from *start* for *duration* s.

    *unit* is ``"A"`` or ``"W"``; *station* the station's facts (:class:`Station`; voltage,
    phases, EVSE count, default limit). *offline_since* (2.1) is when the station went offline:
    profiles with ``maxOfflineDuration`` lapse after it and ``Station.ignored_purposes_offline``
    are left out. *simulate_transaction* (default true) shows an EVSE without a transaction with
    the TxDefaultProfile limits of a transaction starting at *start* -- what a station answers to
    GetCompositeSchedule; false keeps to what limits the EVSE while it is idle.

    Raises :class:`~ocpkit.errors.SmartChargingError` for an EVSE the station does not have
    (``reason_code`` ``"UnknownEvse"``, 2.x K08.FR.05), a unit it does not support
    (``"UnsupportedRateUnit"``, K08.FR.07) or a bad window.
    """
    if not isinstance(store, ProfileStore):
        raise SmartChargingError(f"store must be a ProfileStore, not {type(store).__name__}")
    facts = station if station is not None else Station()
    if not isinstance(facts, Station):
        raise SmartChargingError(f"station must be a Station, not {type(facts).__name__}")
    if isinstance(evse_id, bool) or not isinstance(evse_id, int) or evse_id < 0:
        raise SmartChargingError(
            f"evse_id must be an integer >= 0, not {evse_id!r}", reason_code="UnknownEvse"
        )
    if facts.evse_count is not None and evse_id > facts.evse_count:
        raise SmartChargingError(
            f"EVSE {evse_id} does not exist ({facts.evse_count} EVSEs)",
            rule="evse-unknown",
            reason_code="UnknownEvse",
        )
    if unit not in ("A", "W"):
        raise SmartChargingError(f"unit must be 'A' or 'W', not {unit!r}", reason_code="UnsupportedRateUnit")
    if facts.charging_rate_units is not None and unit not in facts.charging_rate_units:
        raise SmartChargingError(
            f"the station does not support unit {unit}",
            rule="rate-unit-unsupported",
            reason_code="UnsupportedRateUnit",
        )
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= MAX_DURATION:
        raise SmartChargingError(
            f"duration must be an integer between 0 and {MAX_DURATION} s, not {duration!r}"
        )
    if not isinstance(start, datetime) or start.tzinfo is None or start.utcoffset() is None:
        raise SmartChargingError(f"start must be an aware datetime, not {start!r}")
    if offline_since is not None and (
        not isinstance(offline_since, datetime)
        or offline_since.tzinfo is None
        or offline_since.utcoffset() is None
    ):
        raise SmartChargingError(f"offline_since must be an aware datetime, not {offline_since!r}")
    if evse_id == 0:
        if facts.evse_count is None:
            raise SmartChargingError("Station.evse_count is needed to add up the EVSEs of EVSE 0")
        evses: Sequence[int] = range(1, facts.evse_count + 1)
    else:
        evses = (evse_id,)
    begin = _epoch(start)
    finish = begin + max(duration, 1)
    with localcontext(_CTX):
        plan = _Plan(
            store,
            evses,
            begin,
            finish,
            facts,
            None if offline_since is None else _epoch(offline_since),
            simulate=bool(simulate_transaction),
        )
        periods = _sweep(plan, unit, evse_id)
    return CompositeSchedule(
        store.version,
        evse_id,
        _EPOCH + timedelta(seconds=begin),
        duration,
        unit,
        tuple(periods),
        tuple(plan.ignored),
    )


def _sweep(plan: _Plan, unit: str, evse_id: int) -> list[CompositePeriod]:
    intervals = sorted(plan.intervals, key=lambda iv: iv.a)
    edges = {plan.start, plan.end}
    for iv in intervals:
        edges.add(iv.a)
        edges.add(iv.b)
    cuts = sorted(t for t in edges if plan.start <= t <= plan.end)
    out: list[CompositePeriod] = []
    active: list[_Iv] = []
    j = 0
    for t0 in cuts[:-1]:
        while j < len(intervals) and intervals[j].a <= t0:
            active.append(intervals[j])
            j += 1
        active = [iv for iv in active if iv.b > t0]
        level = plan.evaluate(active, unit, evse_id)
        period = _period(t0 - plan.start, level)
        if out and out[-1].same_values(period):
            continue
        out.append(period)
    return out or [_period(0, None)]


def _period(offset: int, level: Level | None) -> CompositePeriod:
    if level is None:
        return CompositePeriod(offset, None)
    return CompositePeriod(
        offset,
        level.limit,
        level.phases,
        level.phase_to_use,
        level.limit_l2,
        level.limit_l3,
        level.setpoint[0],
        level.setpoint[1],
        level.setpoint[2],
        level.discharge[0],
        level.discharge[1],
        level.discharge[2],
        level.ref,
        level.converted,
    )
