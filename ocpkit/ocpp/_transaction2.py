"""OCPP 2.0.1 / 2.1 TransactionEvent tracker (part of :mod:`ocpkit.ocpp.transaction`, which documents it).

Theory of operation: see :mod:`ocpkit.ocpp.transaction`. The table sits at
the top; :class:`TransactionEvents` keys transactions by the station's
``transactionId`` and classifies each event by its ``seqNo`` as live, late
or duplicate before the table is consulted.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ocpkit._fsm import Machine, Policy, Spec
from ocpkit.errors import TransitionError, UnsupportedError
from ocpkit.findings import Finding
from ocpkit.ocpp._payload import ERROR, INFO, MAX_GAP, RECENT, WARNING, as_int, as_obj
from ocpkit.ocpp._registers import Registers, follow_meter_values
from ocpkit.ocpp.v201.enums import (
    AuthorizationStatusEnumType,
    ReasonEnumType,
    TransactionEventEnumType,
    TriggerReasonEnumType,
)

__all__ = ["V2_TRANSACTION_TRANSITIONS", "Transaction2", "TransactionEvents", "v2_transaction_spec"]

_E = TransactionEventEnumType  # the same three values in OCPP 2.1

# OCPP 2.0.1 / 2.1 TransactionEventEnumType: first Started, last Ended, Updated in between.
V2_TRANSACTION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    ("Idle", _E.STARTED): "Ongoing",
    ("Ongoing", _E.UPDATED): "Ongoing",
    ("Ongoing", _E.ENDED): "Ended",
}
_V2_TX_STATES = ("Idle", "Ongoing", "Ended")
_V2_TX_EVENTS = (_E.STARTED, _E.UPDATED, _E.ENDED)
_V2_AFTER: Mapping[str, str] = {_E.STARTED: "Ongoing", _E.UPDATED: "Ongoing", _E.ENDED: "Ended"}

_SPEC2: Spec[str, str] = Spec(
    "transaction2",
    _V2_TX_STATES,
    _V2_TX_EVENTS,
    V2_TRANSACTION_TRANSITIONS,
    fallback=lambda state, event: _V2_AFTER.get(event, state),
)


def v2_transaction_spec() -> Spec[str, str]:
    """The OCPP 2.x per-transaction machine, built from :data:`V2_TRANSACTION_TRANSITIONS`."""
    return _SPEC2


@dataclass
class Transaction2:
    """What is known about one OCPP 2.x transaction (keyed by the station's transactionId)."""

    transaction_id: str
    machine: Machine[str, str]
    max_seq: int | None = None
    min_seq: int | None = None
    missing: set[int] = field(default_factory=set)
    started_seq: int | None = None
    ended_seq: int | None = None
    charging_state: str | None = None
    id_token: object = None
    stopped_reason: str | None = None
    meter_values: int = 0
    events: int = 0
    late_events: int = 0
    registers: Registers = field(default_factory=dict, repr=False, compare=False)
    """The last reading of each register, for the register checks (see :mod:`ocpkit.ocpp.transaction`)."""

    @property
    def state(self) -> str | None:
        """The live machine state: Idle, Ongoing or Ended."""
        return self.machine.state


@dataclass
class TransactionEvents:
    """OCPP 2.0.1 / 2.1 TransactionEvent tracker for one charging station."""

    version: str = "2.0.1"
    policy: Policy = "lenient"
    _open: dict[str, Transaction2] = field(default_factory=dict)
    _ended: OrderedDict[str, Transaction2] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        if self.version not in ("2.0.1", "2.1"):
            raise UnsupportedError(f"TransactionEvent exists in OCPP 2.0.1 and 2.1, not {self.version!r}")

    def get(self, transaction_id: str) -> Transaction2 | None:
        """The open or recently ended transaction with this id."""
        return self._open.get(transaction_id) or self._ended.get(transaction_id)

    def transactions(self) -> Iterator[Transaction2]:
        """Open transactions, then recently ended ones."""
        yield from self._open.values()
        yield from self._ended.values()

    def boot(self) -> None:
        """BootNotification: forget ended transactions (a rebooted station may reuse ids and seqNos)."""
        self._ended.clear()

    def transaction_event(
        self, request: object, *, ref: object = None, line: int | None = None
    ) -> list[Finding]:
        """One TransactionEventRequest; return the findings.

        ``line`` is the capture line of the message when the caller knows it;
        findings that name two messages show it.
        """
        req = as_obj(request)
        info = as_obj(req.get("transactionInfo"))
        transaction_id = info.get("transactionId")
        event = req.get("eventType")
        seq = as_int(req.get("seqNo"))
        if not isinstance(transaction_id, str) or not transaction_id:
            return [
                Finding(ERROR, "transaction.id", f"bad transactionId {transaction_id!r}", "transaction", ref)
            ]
        subject = f"transaction {transaction_id}"
        if event not in _V2_TX_EVENTS:
            return [Finding(ERROR, "transaction.event-type", f"bad eventType {event!r}", subject, ref)]
        if seq is None or seq < 0:
            return [Finding(ERROR, "transaction.seqno", f"bad seqNo {req.get('seqNo')!r}", subject, ref)]
        assert isinstance(event, str)
        tx = self.get(transaction_id)
        created = tx is None
        if tx is None:
            tx = Transaction2(transaction_id, Machine(_SPEC2, "Idle", policy=self.policy, subject=subject))
            self._open[transaction_id] = tx
        saved = (tx.max_seq, tx.min_seq, set(tx.missing))
        try:
            return self._event(tx, req, info, event, seq, subject, ref, line)
        except TransitionError:
            # Strict refusal: leave the record exactly as it was before this event.
            tx.max_seq, tx.min_seq, tx.missing = saved
            if created:
                del self._open[transaction_id]
            raise

    def _event(
        self,
        tx: Transaction2,
        req: Mapping[str, Any],
        info: Mapping[str, Any],
        event: str,
        seq: int,
        subject: str,
        ref: object,
        line: int | None = None,
    ) -> list[Finding]:
        transaction_id = tx.transaction_id
        found, live = self._sequence(tx, event, seq, req.get("offline") is True, subject, ref)
        if live is None:
            return found
        if live and tx.state == "Idle" and event != _E.STARTED and seq > 0:
            # Out-of-order arrival: a Started with a lower seqNo may still come late into the gap,
            # so the live state moves on and the Started is awaited rather than refused.
            tx.machine.state = _V2_AFTER[event]
            message = f"{event} before Started arrived"
            found.append(Finding(INFO, "transaction.started-not-seen", message, subject, ref))
            if event == _E.ENDED:
                tx.ended_seq = seq
        elif live:
            found += self._live(tx, event, seq, subject, ref)
        else:
            tx.late_events += 1
            found += self._late(tx, event, seq, subject, ref)
        tx.events += 1
        found += self._contents(tx, req, info, event, live, subject, ref, line)
        if tx.state == "Ended" and transaction_id in self._open:
            self._ended[transaction_id] = self._open.pop(transaction_id)
            while len(self._ended) > RECENT:
                self._ended.popitem(last=False)
        return found

    def transaction_event_result(
        self, request: object, response: object, *, ref: object = None
    ) -> list[Finding]:
        """The TransactionEventResponse paired with its request; checks what only the pair shows."""
        req, res = as_obj(request), as_obj(response)
        transaction_id = as_obj(req.get("transactionInfo")).get("transactionId")
        subject = f"transaction {transaction_id}"
        found: list[Finding] = []
        info = res.get("idTokenInfo")
        if info is not None:
            if "idToken" not in req:
                # idTokenInfo answers an idToken; without one in the request it means nothing.
                message = "idTokenInfo in the response to an event without idToken"
                found.append(Finding(WARNING, "transaction.id-token-info-unasked", message, subject, ref))
            status = as_obj(info).get("status")
            if status != AuthorizationStatusEnumType.ACCEPTED:
                # The station then stops (DeAuthorized) or limits energy, per its configuration.
                message = f"idTokenInfo status {status}"
                found.append(Finding(WARNING, "transaction.id-token-not-accepted", message, subject, ref))
        if "totalCost" in res and req.get("eventType") != _E.ENDED:
            # TransactionEventResponse.totalCost is for when charging has ended; charging can end
            # before the Ended event, so this is a note, not a violation.
            message = f"totalCost in the response to {req.get('eventType')}"
            found.append(Finding(INFO, "transaction.total-cost-early", message, subject, ref))
        return found

    def finish(self, *, ref: object = None) -> list[Finding]:
        """End of input: open transactions and seqNo gaps that were never filled."""
        found: list[Finding] = []
        for tx in self.transactions():
            subject = f"transaction {tx.transaction_id}"
            if tx.state != "Ended":
                found.append(Finding(WARNING, "transaction.unfinished", f"still {tx.state}", subject, ref))
            if tx.started_seq is None:
                found.append(
                    Finding(ERROR, "transaction.no-started", "no Started event received", subject, ref)
                )
            if tx.missing:
                shown = ", ".join(str(n) for n in sorted(tx.missing)[:20])
                found.append(
                    Finding(WARNING, "transaction.seqno-gap", f"seqNo never received: {shown}", subject, ref)
                )
        return found

    # -- helpers -----------------------------------------------------------------------------------------

    def _sequence(
        self, tx: Transaction2, event: str, seq: int, offline: bool, subject: str, ref: object
    ) -> tuple[list[Finding], bool | None]:
        """Classify ``seq``: live (True), late gap-filler (False) or duplicate (None)."""
        found: list[Finding] = []
        if tx.max_seq is None:
            if event == _E.STARTED and seq != 0:
                # 2.0.1 Ed2 (E01.FR.07, TC_E_53): seqNo should start at 0 for every transaction.
                found.append(
                    Finding(INFO, "transaction.seqno-start", f"Started with seqNo {seq}", subject, ref)
                )
            if event != _E.STARTED:
                self._note_gap(tx, 0, seq, subject, ref, found)
            tx.max_seq = tx.min_seq = seq
            return found, True
        if seq > tx.max_seq:
            self._note_gap(tx, tx.max_seq + 1, seq, subject, ref, found)
            tx.max_seq = seq
            return found, True
        if seq in tx.missing:
            # Messages of a transaction may arrive out of order (T201 general rules); offline replays
            # are the usual cause (TC_E_31_CSMS). They fill the gap but must not rewind live state.
            tx.missing.discard(seq)
            tx.min_seq = min(seq, tx.min_seq if tx.min_seq is not None else seq)
            if not offline:
                found.append(
                    Finding(INFO, "transaction.out-of-order", f"late seqNo {seq} not offline", subject, ref)
                )
            return found, False
        found.append(
            Finding(WARNING, "transaction.seqno-duplicate", f"seqNo {seq} seen before", subject, ref)
        )
        return found, None

    @staticmethod
    def _note_gap(
        tx: Transaction2, first: int, stop: int, subject: str, ref: object, found: list[Finding]
    ) -> None:
        if stop <= first:
            return
        if stop - first > MAX_GAP:
            found.append(Finding(WARNING, "transaction.seqno-jump", f"seqNo jumps to {stop}", subject, ref))
            return
        tx.missing.update(range(first, stop))
        found.append(
            Finding(INFO, "transaction.seqno-skip", f"seqNo {first}..{stop - 1} not seen yet", subject, ref)
        )

    def _live(self, tx: Transaction2, event: str, seq: int, subject: str, ref: object) -> list[Finding]:
        state = tx.state
        step = tx.machine.step(event, ref=ref)
        found: list[Finding] = []
        if step.finding is not None:
            if state == "Ended":
                code = "transaction.duplicate-ended" if event == _E.ENDED else "transaction.after-ended"
                found.append(Finding(ERROR, code, f"{event} (seqNo {seq}) after Ended", subject, ref))
            elif event == _E.STARTED:
                found.append(
                    Finding(
                        ERROR, "transaction.duplicate-started", f"second Started (seqNo {seq})", subject, ref
                    )
                )
            else:
                found.append(
                    Finding(WARNING, "transaction.no-started", f"{event} before any Started", subject, ref)
                )
        if event == _E.STARTED and tx.started_seq is None:
            tx.started_seq = seq
        if event == _E.ENDED and tx.ended_seq is None:
            tx.ended_seq = seq
        return found

    def _late(self, tx: Transaction2, event: str, seq: int, subject: str, ref: object) -> list[Finding]:
        if tx.ended_seq is not None and seq > tx.ended_seq:
            message = f"{event} (seqNo {seq}) after Ended"
            return [Finding(ERROR, "transaction.after-ended", message, subject, ref)]
        if event == _E.STARTED:
            if tx.started_seq is not None:
                return [
                    Finding(
                        ERROR, "transaction.duplicate-started", f"second Started (seqNo {seq})", subject, ref
                    )
                ]
            tx.started_seq = seq
            if tx.min_seq is not None and tx.min_seq < seq:
                return [
                    Finding(
                        ERROR,
                        "transaction.started-not-first",
                        f"Started seqNo {seq} not first",
                        subject,
                        ref,
                    )
                ]
            return []
        if event == _E.ENDED:
            # A late Ended has a lower seqNo than some event already seen: Ended must be last.
            code = "transaction.duplicate-ended" if tx.ended_seq is not None else "transaction.ended-not-last"
            return [Finding(ERROR, code, f"Ended with seqNo {seq} below {tx.max_seq}", subject, ref)]
        return []

    def _contents(
        self,
        tx: Transaction2,
        req: Mapping[str, Any],
        info: Mapping[str, Any],
        event: str,
        live: bool,
        subject: str,
        ref: object,
        line: int | None = None,
    ) -> list[Finding]:
        found: list[Finding] = []
        charging_state = info.get("chargingState")
        if (
            req.get("triggerReason") == TriggerReasonEnumType.CHARGING_STATE_CHANGED
            and charging_state is None
        ):
            # chargingState is required when the state has changed.
            found.append(
                Finding(
                    WARNING,
                    "transaction.charging-state-missing",
                    "ChargingStateChanged without chargingState",
                    subject,
                    ref,
                )
            )
        if live and isinstance(charging_state, str):
            tx.charging_state = charging_state
        if "idToken" in req and tx.id_token is None:
            tx.id_token = req["idToken"]
        values = req.get("meterValue")
        if isinstance(values, list):
            tx.meter_values += len(values)
            found += follow_meter_values(tx.registers, values, subject=subject, ref=ref, line=line)
        if event == _E.ENDED:
            reason = info.get("stoppedReason", ReasonEnumType.LOCAL)  # may be omitted only when it is Local
            tx.stopped_reason = reason if isinstance(reason, str) else None
        return found
