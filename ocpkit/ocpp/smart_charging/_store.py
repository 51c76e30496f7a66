"""The profiles a station holds, as an immutable value that installs, clears and follows transactions.

Theory of operation: a :class:`ProfileStore` is a frozen value: every change
(:meth:`~ProfileStore.install`, :meth:`~ProfileStore.clear`, a transaction
starting or ending) returns a new store and leaves the old one as it was, so a
CSMS can keep the store it believes each station has, try a profile on a copy,
or replay a capture. :meth:`~ProfileStore.install` is what a conforming
station does with a SetChargingProfile: read the profile, check the schema
and every rule of the version (:mod:`._rules`), and only when nothing is
refused store it, replacing what the version says it replaces (the same id;
in 1.6 also the same purpose and stackLevel on the same connector).
:meth:`~ProfileStore.adopt` applies the storage effects without the rules, to
follow a station that accepted a profile it should have refused;
:meth:`~ProfileStore.of` loads profiles as a station reports them, exactly,
without replacing anything. Ending a transaction deletes its TxProfiles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ocpkit.errors import InvalidError, SmartChargingError
from ocpkit.ocpp.smart_charging._catalogue import RULES
from ocpkit.ocpp.smart_charging._profile import (
    Profile,
    StoredProfile,
    Transaction,
    parse_profile,
    wire,
)
from ocpkit.ocpp.smart_charging._rules import Refusal, check, conform
from ocpkit.ocpp.smart_charging._types import Station

__all__ = ["Cleared", "Installed", "ProfileStore"]

_VERSIONS = ("1.6", "2.0.1", "2.1")
_SOURCES = ("SetChargingProfile", "RequestStartTransaction")


def _aware(moment: object, name: str) -> datetime | None:
    if moment is None:
        return None
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise SmartChargingError(f"{name} must be an aware datetime (time is a parameter), not {moment!r}")
    return moment


def _evse(value: object, name: str = "evse_id") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SmartChargingError(f"{name} must be an integer, not {value!r}")
    return value


def _profile_of(data: object, version: str) -> Profile:
    return data if isinstance(data, Profile) else parse_profile(data, version)


@dataclass(frozen=True, slots=True)
class Installed:
    """What became of one profile offered to a station.

    ``accepted`` is true when no rule refused it; ``refusals`` lists every broken rule (the
    first is the one a station reports); ``store`` is the store afterwards (unchanged when
    refused); ``profile`` the profile as stored (2.x: ``numberPhases`` conformed), ``None``
    when it could not be read; ``replaced`` the ids of the profiles it replaced.
    """

    accepted: bool
    refusals: tuple[Refusal, ...]
    store: ProfileStore
    profile: Profile | None = None
    replaced: tuple[int, ...] = ()

    @property
    def status(self) -> str:
        """``"Accepted"`` or ``"Rejected"``, the SetChargingProfile response status."""
        return "Accepted" if self.accepted else "Rejected"

    def response(self) -> dict[str, Any]:
        """The SetChargingProfileResponse payload a conforming station sends (2.x with ``statusInfo``)."""
        answer: dict[str, Any] = {"status": self.status}
        if self.refusals and self.store.version != "1.6":
            first = self.refusals[0]
            answer["statusInfo"] = {
                "reasonCode": first.reason_code or "InvalidValue",
                "additionalInfo": first.rule,
            }
        return answer


@dataclass(frozen=True, slots=True)
class Cleared:
    """What a ClearChargingProfile did: the store afterwards and the ids removed."""

    store: ProfileStore
    cleared: tuple[int, ...]

    @property
    def status(self) -> str:
        """``"Accepted"`` when something was cleared, else ``"Unknown"`` (1.6 §5.5, 2.x K10)."""
        return "Accepted" if self.cleared else "Unknown"

    def response(self) -> dict[str, Any]:
        """The ClearChargingProfileResponse payload."""
        return {"status": self.status}


@dataclass(frozen=True)
class ProfileStore:
    """The charging profiles and running transactions of one station, as a value.

    ``version`` is the OCPP version (``"1.6"``, ``"2.0.1"``, ``"2.1"``); ``profiles`` the stored
    profiles in installation order; ``transactions`` the running transactions (one per EVSE);
    ``priority`` the EVSEs on which priority charging is active (2.1); ``updated`` the last
    installation time per purpose (for the 2.1 update rate limit).
    """

    version: str
    profiles: tuple[StoredProfile, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    priority: frozenset[int] = frozenset()
    updated: tuple[tuple[str, datetime], ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.version not in _VERSIONS:
            raise SmartChargingError(f"unknown OCPP version {self.version!r}; expected 1.6, 2.0.1 or 2.1")

    # -- reading -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.profiles)

    def __iter__(self) -> Any:
        return iter(self.profiles)

    def get(self, profile_id: int) -> StoredProfile | None:
        """The stored profile with this id (the newest, should a raw load hold several)."""
        found = [s for s in self.profiles if s.profile.id == profile_id]
        return found[-1] if found else None

    def for_evse(self, evse_id: int) -> tuple[StoredProfile, ...]:
        """The profiles on one EVSE together with the station-wide ones (EVSE 0)."""
        return tuple(s for s in self.profiles if s.evse_id in (0, evse_id))

    def transaction(self, evse_id: int) -> Transaction | None:
        """The transaction running on an EVSE, if any."""
        return next((t for t in self.transactions if t.evse_id == evse_id), None)

    @property
    def running(self) -> Mapping[int, Transaction]:
        """The running transactions by EVSE."""
        return {t.evse_id: t for t in self.transactions}

    # -- loading as reported ----------------------------------------------------------------------

    @classmethod
    def of(
        cls,
        version: str,
        profiles: Iterable[tuple[object, int] | tuple[object, int, datetime | None]],
        transactions: Iterable[Transaction] = (),
    ) -> ProfileStore:
        """A store holding exactly these ``(profile, evse_id[, received_at])`` entries, no rule applied.

        This is how a station's report (ReportChargingProfiles, a database) is taken in: nothing
        is refused and nothing replaced, even two profiles with the same id.
        """
        store = cls(version, transactions=tuple(transactions))
        for entry in profiles:
            data, evse_id = entry[0], entry[1]
            received = entry[2] if len(entry) > 2 else None
            store = store.put(data, evse_id, received_at=received)
        return store

    def put(self, profile: object, evse_id: int, *, received_at: datetime | None = None) -> ProfileStore:
        """The store with *profile* added on *evse_id* as it is: no rule, no replacement."""
        parsed = _profile_of(profile, self.version)
        entry = StoredProfile(parsed, _evse(evse_id), _aware(received_at, "received_at"), self._next_seq())
        return replace(self, profiles=(*self.profiles, entry))

    def _next_seq(self) -> int:
        return max((s.seq for s in self.profiles), default=-1) + 1

    # -- installing --------------------------------------------------------------------------------

    def check(
        self,
        profile: object,
        evse_id: int,
        now: datetime | None,
        *,
        station: Station | None = None,
        source: str = "SetChargingProfile",
        check_schema: bool = True,
    ) -> tuple[Refusal, ...]:
        """Every rule installing *profile* on *evse_id* at *now* would break (the store is not changed)."""
        return self._judge(profile, evse_id, now, station, source, check_schema)[1]

    def install(
        self,
        profile: object,
        evse_id: int,
        now: datetime | None,
        *,
        station: Station | None = None,
        source: str = "SetChargingProfile",
        check_schema: bool = True,
    ) -> Installed:
        """Offer *profile* (wire dict or generated model) to the station on *evse_id* at *now*.

        Applies the schema and every rule of the version; see :class:`Installed`. *now* is when
        the station receives it (``None`` when unknown). *source* is ``"SetChargingProfile"`` or
        ``"RequestStartTransaction"`` (a profile inside a remote start: 2.x K05, 1.6 §5.11).
        ``check_schema=False`` skips the JSON-schema check of a wire dict (for dicts already
        validated, or built by hand with only the fields the rules read); generated models are
        never re-checked.
        """
        parsed, refusals = self._judge(profile, evse_id, now, station, source, check_schema)
        if refusals or parsed is None:
            return Installed(False, refusals, self, parsed)
        store, replaced = self._stored(parsed, evse_id, now)
        if now is not None:
            kept = tuple((p, t) for p, t in store.updated if p != parsed.purpose)
            store = replace(store, updated=(*kept, (parsed.purpose, now)))
        return Installed(True, (), store, parsed, replaced)

    def set_charging_profile(
        self, request: object, now: datetime | None, *, station: Station | None = None
    ) -> Installed:
        """:meth:`install` from a whole SetChargingProfile request payload (dict or model)."""
        data = _request(request)
        if self.version == "1.6":
            evse, profile = data.get("connectorId"), data.get("csChargingProfiles")
        else:
            evse, profile = data.get("evseId"), data.get("chargingProfile")
        if isinstance(evse, bool) or not isinstance(evse, int) or profile is None:
            return Installed(
                False, (_unreadable(self.version, "the request names no EVSE or no profile"),), self
            )
        # A request model was validated when it was built; its dump holds Python values, not JSON.
        return self.install(profile, evse, now, station=station, check_schema=isinstance(request, Mapping))

    def adopt(self, profile: object, evse_id: int, now: datetime | None = None) -> ProfileStore:
        """The store a station holds after storing *profile* although rules may refuse it.

        The storage effects of the version apply (replacement by id; 1.6 also by purpose and
        stackLevel on the connector); no rule is checked.
        """
        parsed = _profile_of(profile, self.version)
        return self._stored(parsed, _evse(evse_id), _aware(now, "now"))[0]

    def _judge(
        self,
        profile: object,
        evse_id: object,
        now: object,
        station: Station | None,
        source: str,
        check_schema: bool = True,
    ) -> tuple[Profile | None, tuple[Refusal, ...]]:
        evse = _evse(evse_id)
        moment = _aware(now, "now")
        if source not in _SOURCES:
            raise SmartChargingError(f"source must be one of {', '.join(_SOURCES)}, not {source!r}")
        facts = station if station is not None else Station()
        refusals: list[Refusal] = []
        if check_schema and not isinstance(profile, Profile):
            schema = _schema_refusal(self.version, profile, evse)
            if schema is not None:
                refusals.append(schema)
        try:
            parsed = _profile_of(profile, self.version)
        except SmartChargingError as exc:
            rule = exc.rule if exc.rule in RULES else "unreadable"
            ref = RULES[rule].refs.get(self.version, "")
            return None, (*refusals, Refusal(rule, ref, str(exc), "", RULES[rule].reason_code))
        parsed = conform(parsed, evse, facts)
        refusals += check(
            parsed,
            evse,
            station=facts,
            installed=self.profiles,
            transactions=self.running,
            now=moment,
            source=source,
            last_update=dict(self.updated),
        )
        return parsed, tuple(refusals)

    def _stored(
        self, profile: Profile, evse_id: int, now: datetime | None
    ) -> tuple[ProfileStore, tuple[int, ...]]:
        def replaced_by_new(s: StoredProfile) -> bool:
            if s.profile.id == profile.id:
                return True
            # 1.6 §5.16: the same purpose and stackLevel on the same connector is replaced too.
            return (
                self.version == "1.6"
                and s.evse_id == evse_id
                and s.profile.purpose == profile.purpose
                and s.profile.stack_level == profile.stack_level
            )

        gone = tuple(s.profile.id for s in self.profiles if replaced_by_new(s))
        kept = tuple(s for s in self.profiles if not replaced_by_new(s))
        entry = StoredProfile(profile, evse_id, now, self._next_seq())
        return replace(self, profiles=(*kept, entry)), gone

    # -- clearing ----------------------------------------------------------------------------------

    def clear(
        self,
        *,
        profile_id: int | None = None,
        evse_id: int | None = None,
        purpose: str | None = None,
        stack_level: int | None = None,
    ) -> Cleared:
        """ClearChargingProfile: by id, or every profile matching all the criteria given.

        With ``profile_id`` only that profile goes and the criteria are not consulted (1.6 §5.5,
        2.x K10); with no argument at all everything goes. A 2.x CSMS cannot clear
        ChargingStationExternalConstraints: those stay.
        """
        for name, value in (("profile_id", profile_id), ("evse_id", evse_id), ("stack_level", stack_level)):
            if value is not None:
                _evse(value, name)
        if purpose is not None and not isinstance(purpose, str):
            raise SmartChargingError(f"purpose must be a string, not {purpose!r}")

        def goes(s: StoredProfile) -> bool:
            if self.version != "1.6" and s.profile.purpose == "ChargingStationExternalConstraints":
                return False
            if profile_id is not None:
                return s.profile.id == profile_id
            return (
                (evse_id is None or s.evse_id == evse_id)
                and (purpose is None or s.profile.purpose == purpose)
                and (stack_level is None or s.profile.stack_level == stack_level)
            )

        cleared = tuple(s.profile.id for s in self.profiles if goes(s))
        if not cleared:
            return Cleared(self, ())
        return Cleared(replace(self, profiles=tuple(s for s in self.profiles if not goes(s))), cleared)

    def clear_charging_profile(self, request: object) -> Cleared:
        """:meth:`clear` from a ClearChargingProfile request payload (dict or model) of the version."""
        data = _request(request)
        if self.version == "1.6":
            criteria: Mapping[str, Any] = data
            profile_id, evse = data.get("id"), data.get("connectorId")
        else:
            profile_id = data.get("chargingProfileId")
            raw = data.get("chargingProfileCriteria")
            criteria = raw if isinstance(raw, Mapping) else {}
            evse = criteria.get("evseId")
        purpose = criteria.get("chargingProfilePurpose")
        try:
            return self.clear(
                profile_id=profile_id,
                evse_id=evse,
                purpose=str(purpose) if isinstance(purpose, str) else purpose,
                stack_level=criteria.get("stackLevel"),
            )
        except SmartChargingError:
            return Cleared(self, ())

    # -- transactions ------------------------------------------------------------------------------

    def start_transaction(
        self, evse_id: int, transaction_id: str | int | None = None, start: datetime | None = None
    ) -> ProfileStore:
        """The store with a transaction running on *evse_id* (replacing one that ran there)."""
        evse = _evse(evse_id)
        tx = Transaction(evse, transaction_id, _aware(start, "start"))
        return replace(self, transactions=(*(t for t in self.transactions if t.evse_id != evse), tx))

    def end_transaction(
        self, *, evse_id: int | None = None, transaction_id: str | int | None = None
    ) -> ProfileStore:
        """The store without that transaction, and without its TxProfiles (1.6 §3.13.1, 2.x K01).

        Name the transaction by EVSE, by id, or both. TxProfiles of the EVSE that name no
        transaction (those that came with a remote start) go too.
        """
        if evse_id is None and transaction_id is None:
            raise SmartChargingError("end_transaction needs evse_id or transaction_id")
        ended = [
            t
            for t in self.transactions
            if (evse_id is None or t.evse_id == evse_id)
            and (transaction_id is None or str(t.transaction_id) == str(transaction_id))
        ]
        evses = {t.evse_id for t in ended} | ({evse_id} if evse_id is not None and not ended else set())
        ids = {str(t.transaction_id) for t in ended if t.transaction_id is not None}
        if transaction_id is not None:
            ids.add(str(transaction_id))

        def belongs(s: StoredProfile) -> bool:
            if s.profile.purpose != "TxProfile":
                return False
            named = s.profile.transaction_id
            if named is not None:
                return str(named) in ids
            return s.evse_id in evses

        return replace(
            self,
            transactions=tuple(t for t in self.transactions if t not in ended),
            profiles=tuple(s for s in self.profiles if not belongs(s)),
            priority=self.priority - evses,
        )

    def with_priority_charging(self, evse_id: int, active: bool = True) -> ProfileStore:
        """The store with 2.1 priority charging switched on (or off) for an EVSE (UsePriorityCharging)."""
        evse = _evse(evse_id)
        return replace(self, priority=self.priority | {evse} if active else self.priority - {evse})


def _request(request: object) -> Mapping[str, Any]:
    try:
        return wire(request)
    except SmartChargingError:
        raise SmartChargingError(
            f"a request must be a mapping or an OCPP model, not {type(request).__name__}"
        ) from None


def _unreadable(version: str, message: str) -> Refusal:
    rule = RULES["unreadable"]
    return Refusal("unreadable", rule.refs.get(version, ""), message, "", rule.reason_code)


def _schema_refusal(version: str, profile: object, evse_id: int) -> Refusal | None:
    """The schema verdict on SetChargingProfile carrying this profile (wire dicts only)."""
    if not isinstance(profile, Mapping):
        return None  # a generated model is schema-valid by construction
    from ocpkit.ocpp.validation import validate_payload  # imported on first use: it builds validators

    payload: dict[str, Any] = (
        {"connectorId": evse_id, "csChargingProfiles": dict(profile)}
        if version == "1.6"
        else {"evseId": evse_id, "chargingProfile": dict(profile)}
    )
    try:
        validate_payload(version, "SetChargingProfile", "request", payload)
    except InvalidError as exc:
        rule = RULES["schema"]
        return Refusal(
            "schema",
            rule.refs[version],
            f"{len(exc.violations)} schema violation(s), first: {exc.violations[0].message}",
            exc.violations[0].path,
            rule.reason_code,
            exc.violations,
        )
    except (TypeError, ValueError) as exc:  # values a JSON document cannot hold
        rule = RULES["schema"]
        return Refusal("schema", rule.refs[version], f"not a JSON payload: {exc}", "", rule.reason_code)
    return None
