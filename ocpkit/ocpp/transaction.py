"""Transaction lifecycles: OCPP 1.6 (Start/Stop/MeterValues) and OCPP 2.0.1 / 2.1 (TransactionEvent).

Theory of operation. Both trackers observe one charge point's traffic and
take message payloads as the parsed JSON objects (wire names), one method per
message, each with the caller's ``ref`` (a frame index, a message id) and
``at`` (the receive time, a ``datetime``; it stands in for timestamps the
message lacks). They return findings as data and never read a clock.

OCPP 1.6: the central system assigns ``transactionId`` in StartTransaction's
response, so a transaction is first tracked per connector (StartPending) and
then by id. :data:`V16_TRANSACTION_TRANSITIONS` is the per-transaction table
(Idle -> StartPending -> Active -> StopPending -> Closed); a charger that never
received an id sends ``transactionId = -1`` afterwards (errata E16 §3.18), and
the tracker attaches such messages to the connector's id-less transaction.

OCPP 2.0.1 / 2.1: the station names the transaction (a string) and numbers its
TransactionEvents with ``seqNo``. :data:`V2_TRANSACTION_TRANSITIONS` allows
Started, then Updated*, then Ended. Events whose seqNo is above every one seen
so far are *live* and drive the machine; a lower seqNo that fills a recorded
gap is a *late* event (typically ``offline = true``, replayed from the queue):
it is checked and counted but does not rewind the live state. A seqNo seen
before is a duplicate and is not applied.

Under ``policy="strict"`` a move the table refuses raises
:class:`~ocpkit.errors.TransitionError` (state unchanged); under
``"lenient"`` it is a finding. All other checks are findings in both policies.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ocpkit._fsm import Machine, Policy, Spec
from ocpkit._model import parse_rfc3339
from ocpkit.errors import TransitionError, UnsupportedError
from ocpkit.findings import Finding, Severity

__all__ = [
    "V2_TRANSACTION_TRANSITIONS",
    "V16_TRANSACTION_TRANSITIONS",
    "Transaction2",
    "Transaction16",
    "TransactionEvents",
    "Transactions16",
    "v2_transaction_spec",
    "v16_transaction_spec",
]

# OCPP 1.6 §4.8, §4.10, §6.45-6.50 and errata E16 §3.18: one transaction as a central system sees it.
V16_TRANSACTION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    ("Idle", "StartTransaction.req"): "StartPending",
    ("StartPending", "StartTransaction.conf"): "Active",
    # E16 §3.18: without a transactionId the charger goes on with -1.
    ("StartPending", "MeterValues"): "StartPending",
    ("StartPending", "StopTransaction.req"): "StopPending",
    ("Active", "MeterValues"): "Active",
    ("Active", "StopTransaction.req"): "StopPending",
    ("StopPending", "StopTransaction.conf"): "Closed",
}
_V16_TX_STATES = ("Idle", "StartPending", "Active", "StopPending", "Closed")
_V16_TX_EVENTS = (
    "StartTransaction.req",
    "StartTransaction.conf",
    "MeterValues",
    "StopTransaction.req",
    "StopTransaction.conf",
)

# OCPP 2.0.1 / 2.1 TransactionEventEnumType: first Started, last Ended, Updated in between.
V2_TRANSACTION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    ("Idle", "Started"): "Ongoing",
    ("Ongoing", "Updated"): "Ongoing",
    ("Ongoing", "Ended"): "Ended",
}
_V2_TX_STATES = ("Idle", "Ongoing", "Ended")
_V2_TX_EVENTS = ("Started", "Updated", "Ended")
_V2_AFTER = {"Started": "Ongoing", "Updated": "Ongoing", "Ended": "Ended"}

# OCPP 1.6 Reason (StopTransaction.req) values.
_V16_REASONS = frozenset(
    {
        "DeAuthorized",
        "EmergencyStop",
        "EVDisconnected",
        "HardReset",
        "Local",
        "Other",
        "PowerLoss",
        "Reboot",
        "Remote",
        "SoftReset",
        "UnlockCommand",
    }
)

_SPEC16: Spec[str, str] = Spec(
    "transaction16",
    _V16_TX_STATES,
    _V16_TX_EVENTS,
    V16_TRANSACTION_TRANSITIONS,
    # A lenient tracker follows the event's natural result.
    fallback=lambda _state, event: {
        "StartTransaction.req": "StartPending",
        "StartTransaction.conf": "Active",
        "StopTransaction.req": "StopPending",
        "StopTransaction.conf": "Closed",
    }.get(event, _state),
)
_SPEC2: Spec[str, str] = Spec(
    "transaction2",
    _V2_TX_STATES,
    _V2_TX_EVENTS,
    V2_TRANSACTION_TRANSITIONS,
    fallback=lambda state, event: _V2_AFTER.get(event, state),
)

# Bounds that keep memory per charge point constant over long logs.
_RECENT = 256
_MAX_GAP = 4096
_MAX_TAGS = 1024

_ERROR, _WARNING, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def v16_transaction_spec() -> Spec[str, str]:
    """The OCPP 1.6 per-transaction machine, built from :data:`V16_TRANSACTION_TRANSITIONS`."""
    return _SPEC16


def v2_transaction_spec() -> Spec[str, str]:
    """The OCPP 2.x per-transaction machine, built from :data:`V2_TRANSACTION_TRANSITIONS`."""
    return _SPEC2


def _int(value: object) -> int | None:
    # JSON booleans are ints to Python; they are not ids or meter readings.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_rfc3339(value)
    except ValueError:
        return None


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _status(response: object) -> object:
    return _obj(_obj(response).get("idTagInfo")).get("status")


@dataclass
class Transaction16:
    """What is known about one OCPP 1.6 transaction."""

    connector_id: int
    id_tag: object
    machine: Machine[str, str]
    meter_start: int | None = None
    started_at: datetime | None = None
    transaction_id: int | None = None
    id_tag_status: object = None
    meter_values: int = 0
    last_sample_at: datetime | None = None
    meter_stop: int | None = None
    stopped_at: datetime | None = None
    reason: str | None = None

    @property
    def state(self) -> str | None:
        """The machine state: StartPending, Active, StopPending or Closed."""
        return self.machine.state

    @property
    def energy_wh(self) -> int | None:
        """``meterStop - meterStart`` once both are known."""
        if self.meter_start is None or self.meter_stop is None:
            return None
        return self.meter_stop - self.meter_start


@dataclass
class Transactions16:
    """OCPP 1.6 transactions of one charge point.

    ``max_meter_interval``, when given, is the longest quiet time expected
    between meter samples of a running transaction (derived by the caller
    from MeterValueSampleInterval); longer gaps become findings.
    """

    policy: Policy = "lenient"
    max_meter_interval: timedelta | None = None
    _tags: OrderedDict[str, object] = field(default_factory=OrderedDict)
    _pending: dict[int, Transaction16] = field(default_factory=dict)
    _open: dict[int, Transaction16] = field(default_factory=dict)
    _closed: OrderedDict[int, Transaction16] = field(default_factory=OrderedDict)

    def transactions(self) -> Iterator[Transaction16]:
        """Every transaction still known: id-less ones, open ones, then recently closed ones."""
        yield from self._pending.values()
        yield from self._open.values()
        yield from self._closed.values()

    def get(self, transaction_id: int) -> Transaction16 | None:
        """The open or recently closed transaction with this id."""
        return self._open.get(transaction_id) or self._closed.get(transaction_id)

    # -- Authorize ---------------------------------------------------------------------------------------

    def authorize(self, request: object, response: object, *, ref: object = None) -> list[Finding]:
        """Authorize.req and its conf (``response`` ``None`` when it never came)."""
        id_tag = _obj(request).get("idTag")
        if not isinstance(id_tag, str):
            return [Finding(_ERROR, "authorize.id-tag", f"bad idTag {id_tag!r}", "authorize", ref)]
        if response is None:
            return []
        status = _status(response)
        self._tags[id_tag] = status
        self._tags.move_to_end(id_tag)
        while len(self._tags) > _MAX_TAGS:
            self._tags.popitem(last=False)
        if status != "Accepted":
            return [Finding(_INFO, "authorize.not-accepted", f"idTag {id_tag}: {status}", "authorize", ref)]
        return []

    # -- StartTransaction --------------------------------------------------------------------------------

    def start_transaction(
        self, request: object, *, ref: object = None, at: datetime | None = None
    ) -> list[Finding]:
        """StartTransaction.req: a new transaction on a connector, waiting for its id."""
        req = _obj(request)
        connector_id = _int(req.get("connectorId"))
        subject = f"connector {req.get('connectorId')!r}"
        found: list[Finding] = []
        if connector_id is None or connector_id <= 0:
            # OCPP 1.6 §6.45: transactions run on a connector > 0; the schema only says integer.
            return [
                Finding(
                    _ERROR, "transaction.connector", "StartTransaction needs connectorId > 0", subject, ref
                )
            ]
        busy = self._pending.get(connector_id) or next(
            (tx for tx in self._open.values() if tx.connector_id == connector_id and tx.state == "Active"),
            None,
        )
        if busy is not None:
            found.append(
                Finding(
                    _WARNING,
                    "transaction.start-while-active",
                    f"new start while transaction {busy.transaction_id} is not stopped",
                    subject,
                    ref,
                )
            )
        id_tag = req.get("idTag")
        if isinstance(id_tag, str) and self._tags.get(id_tag) != "Accepted":
            # OCPP 1.6 §4.1: a local list or cache may authorise without Authorize; worth a note only.
            found.append(
                Finding(
                    _INFO,
                    "transaction.start-without-authorize",
                    f"idTag {id_tag} not authorised here",
                    subject,
                    ref,
                )
            )
        machine = Machine(_SPEC16, "Idle", policy=self.policy, subject=subject)
        machine.step("StartTransaction.req", ref=ref)
        tx = Transaction16(connector_id, id_tag, machine)
        tx.meter_start = _int(req.get("meterStart"))
        tx.started_at = _time(req.get("timestamp")) or at
        tx.last_sample_at = tx.started_at
        self._pending[connector_id] = tx
        return found

    def start_transaction_result(
        self, request: object, response: object, *, ref: object = None, at: datetime | None = None
    ) -> list[Finding]:
        """StartTransaction.conf: the transaction gets its id."""
        connector_id = _int(_obj(request).get("connectorId"))
        subject = f"connector {connector_id}"
        tx = self._pending.get(connector_id) if connector_id is not None else None
        if tx is None:
            return [
                Finding(
                    _ERROR, "transaction.orphan-result", "StartTransaction.conf without a start", subject, ref
                )
            ]
        transaction_id = _int(_obj(response).get("transactionId"))
        if transaction_id is None:
            return [
                Finding(
                    _ERROR,
                    "transaction.id",
                    "StartTransaction.conf without integer transactionId",
                    subject,
                    ref,
                )
            ]
        found = self._move(tx, "StartTransaction.conf", ref)
        del self._pending[tx.connector_id]
        tx.transaction_id = transaction_id
        tx.id_tag_status = _status(response)
        tx.machine.subject = subject = f"transaction {transaction_id}"
        if transaction_id in self._open:
            found.append(Finding(_ERROR, "transaction.duplicate-id", "id already in use", subject, ref))
        if transaction_id <= 0:
            # E16 §3.54: positive ids are recommended; others are legal and carry no meaning.
            found.append(
                Finding(_INFO, "transaction.id-not-positive", f"transactionId {transaction_id}", subject, ref)
            )
        if tx.id_tag_status != "Accepted":
            # E16 §3.17: the charger must stop (DeAuthorized) or withhold energy.
            found.append(
                Finding(
                    _WARNING, "transaction.start-not-accepted", f"idTagInfo {tx.id_tag_status}", subject, ref
                )
            )
        self._open[transaction_id] = tx
        return found

    def start_transaction_error(self, request: object, *, ref: object = None) -> list[Finding]:
        """StartTransaction answered with CALLERROR (or never answered): the charger goes on with id -1."""
        connector_id = _int(_obj(request).get("connectorId"))
        if connector_id is None or connector_id not in self._pending:
            return []
        return [
            Finding(
                _INFO,
                "transaction.no-id",
                "StartTransaction got no id; later messages may carry transactionId -1",
                f"connector {connector_id}",
                ref,
            )
        ]

    # -- MeterValues -------------------------------------------------------------------------------------

    def meter_values(
        self, request: object, *, ref: object = None, at: datetime | None = None
    ) -> list[Finding]:
        """MeterValues.req; only samples that name a transaction concern the tracker."""
        req = _obj(request)
        if "transactionId" not in req:
            return []
        raw_id = req.get("transactionId")
        transaction_id = _int(raw_id)
        connector_id = _int(req.get("connectorId"))
        subject = f"transaction {raw_id!r}"
        if transaction_id is None:
            return [Finding(_ERROR, "transaction.id", f"bad transactionId {raw_id!r}", subject, ref)]
        found: list[Finding] = []
        tx = self._find(transaction_id, connector_id)
        if tx is None:
            if transaction_id in self._closed:
                return self._closed_refusal("MeterValues", "transaction.after-stop", subject, ref)
            if transaction_id == -1:
                return [
                    Finding(
                        _INFO,
                        "transaction.id-minus-one",
                        "transactionId -1 with no id-less start",
                        subject,
                        ref,
                    )
                ]
            return [
                Finding(
                    _WARNING,
                    "transaction.unknown-id",
                    "meter values for an unknown transaction",
                    subject,
                    ref,
                )
            ]
        if connector_id is not None and connector_id != tx.connector_id:
            found.append(
                Finding(_WARNING, "transaction.connector-mismatch", f"connector {connector_id}", subject, ref)
            )
        found += self._move(tx, "MeterValues", ref)
        samples = req.get("meterValue")
        sample_list = samples if isinstance(samples, list) else []
        tx.meter_values += len(sample_list)
        times = [_time(_obj(sample).get("timestamp")) or at for sample in sample_list] or [at]
        for moment in sorted(t for t in times if t is not None):
            found += self._gap(tx, moment, subject, ref)
        return found

    # -- StopTransaction ---------------------------------------------------------------------------------

    def stop_transaction(
        self, request: object, *, ref: object = None, at: datetime | None = None
    ) -> list[Finding]:
        """StopTransaction.req; a stop cannot be refused (OCPP 1.6 §4.10), so checks are findings."""
        req = _obj(request)
        raw_id = req.get("transactionId")
        transaction_id = _int(raw_id)
        subject = f"transaction {raw_id!r}"
        if transaction_id is None:
            return [Finding(_ERROR, "transaction.id", f"bad transactionId {raw_id!r}", subject, ref)]
        tx = self._find(transaction_id, None)
        if tx is None:
            if transaction_id in self._closed:
                return self._closed_refusal("StopTransaction.req", "transaction.duplicate-stop", subject, ref)
            return [
                Finding(_WARNING, "transaction.stop-unknown", "stop for an unknown transaction", subject, ref)
            ]
        found = self._move(tx, "StopTransaction.req", ref)
        reason = req.get("reason", "Local")  # OCPP-J 1.6 errata §2.5: absent means Local
        if not isinstance(reason, str) or reason not in _V16_REASONS:
            found.append(
                Finding(_ERROR, "transaction.stop-reason", f"unknown stop reason {reason!r}", subject, ref)
            )
        tx.reason = reason if isinstance(reason, str) else None
        if tx.id_tag_status not in (None, "Accepted") and tx.reason != "DeAuthorized":
            found.append(
                Finding(
                    _INFO,
                    "transaction.not-deauthorized",
                    "start not accepted, stop reason not DeAuthorized",
                    subject,
                    ref,
                )
            )
        tx.meter_stop = _int(req.get("meterStop"))
        tx.stopped_at = _time(req.get("timestamp")) or at
        if tx.stopped_at is not None:
            found += self._gap(tx, tx.stopped_at, subject, ref)
        if tx.started_at is not None and tx.stopped_at is not None and tx.stopped_at < tx.started_at:
            found.append(
                Finding(_WARNING, "transaction.stop-before-start", "stop time before start", subject, ref)
            )
        energy = tx.energy_wh
        if energy is not None and energy < 0:
            found.append(
                Finding(
                    _WARNING,
                    "transaction.meter-decreased",
                    f"meterStop - meterStart = {energy}",
                    subject,
                    ref,
                )
            )
        elif energy == 0:
            found.append(
                Finding(_INFO, "transaction.no-energy", "no energy between start and stop", subject, ref)
            )
        data = req.get("transactionData")
        if isinstance(data, list):
            tx.meter_values += len(data)
        return found

    def stop_transaction_result(
        self, request: object, response: object, *, ref: object = None
    ) -> list[Finding]:
        """StopTransaction.conf: the transaction is closed."""
        transaction_id = _int(_obj(request).get("transactionId"))
        tx = self._find(transaction_id, None) if transaction_id is not None else None
        if tx is None or tx.state != "StopPending":
            return []
        found = self._move(tx, "StopTransaction.conf", ref)
        key = tx.transaction_id if tx.transaction_id is not None else -1
        self._open.pop(key, None)
        if self._pending.get(tx.connector_id) is tx:
            del self._pending[tx.connector_id]
        self._closed[key] = tx
        self._closed.move_to_end(key)
        while len(self._closed) > _RECENT:
            self._closed.popitem(last=False)
        return found

    def finish(self, *, ref: object = None) -> list[Finding]:
        """End of input: report transactions that never stopped."""
        return [
            Finding(
                _WARNING,
                "transaction.unfinished",
                f"transaction still {tx.state} at the end",
                f"transaction {tx.transaction_id}"
                if tx.transaction_id is not None
                else f"connector {tx.connector_id}",
                ref,
            )
            for tx in (*self._pending.values(), *self._open.values())
        ]

    # -- helpers -----------------------------------------------------------------------------------------

    def _find(self, transaction_id: int, connector_id: int | None) -> Transaction16 | None:
        if transaction_id in self._open:
            return self._open[transaction_id]
        if transaction_id == -1:
            # E16 §3.18: -1 stands for the id the charger never received.
            if connector_id is not None:
                return self._pending.get(connector_id)
            if len(self._pending) == 1:
                return next(iter(self._pending.values()))
        return None

    def _move(self, tx: Transaction16, event: str, ref: object) -> list[Finding]:
        step = tx.machine.step(event, ref=ref)
        if step.finding is None:
            return []
        message = f"{event} in state {step.source}"
        return [Finding(_WARNING, "transaction.sequence", message, tx.machine.subject, ref)]

    def _closed_refusal(self, event: str, code: str, subject: str, ref: object) -> list[Finding]:
        # A closed transaction has no moves left; its record stays as it was in either policy.
        if self.policy == "strict":
            raise TransitionError(_SPEC16.name, "Closed", event, "transaction already closed")
        return [Finding(_ERROR, code, f"{event} after the transaction was closed", subject, ref)]

    def _gap(self, tx: Transaction16, moment: datetime, subject: str, ref: object) -> list[Finding]:
        found: list[Finding] = []
        last = tx.last_sample_at
        if (
            self.max_meter_interval is not None
            and last is not None
            and moment - last > self.max_meter_interval
        ):
            found.append(
                Finding(
                    _WARNING, "transaction.meter-gap", f"no meter sample for {moment - last}", subject, ref
                )
            )
        if last is None or moment > last:
            tx.last_sample_at = moment
        return found


# ------------------------------------------------------------------------------------------------------
# OCPP 2.0.1 / 2.1


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

    def transaction_event(self, request: object, *, ref: object = None) -> list[Finding]:
        """One TransactionEventRequest; return the findings."""
        req = _obj(request)
        info = _obj(req.get("transactionInfo"))
        transaction_id = info.get("transactionId")
        event = req.get("eventType")
        seq = _int(req.get("seqNo"))
        if not isinstance(transaction_id, str) or not transaction_id:
            return [
                Finding(_ERROR, "transaction.id", f"bad transactionId {transaction_id!r}", "transaction", ref)
            ]
        subject = f"transaction {transaction_id}"
        if event not in _V2_TX_EVENTS:
            return [Finding(_ERROR, "transaction.event-type", f"bad eventType {event!r}", subject, ref)]
        if seq is None or seq < 0:
            return [Finding(_ERROR, "transaction.seqno", f"bad seqNo {req.get('seqNo')!r}", subject, ref)]
        assert isinstance(event, str)
        tx = self.get(transaction_id)
        if tx is None:
            tx = Transaction2(transaction_id, Machine(_SPEC2, "Idle", policy=self.policy, subject=subject))
            self._open[transaction_id] = tx
        found, live = self._sequence(tx, event, seq, req.get("offline") is True, subject, ref)
        if live is None:
            return found
        tx.events += 1
        if live and tx.state == "Idle" and event != "Started" and seq > 0:
            # Out-of-order arrival: a Started with a lower seqNo may still come late into the gap,
            # so the live state moves on and the Started is awaited rather than refused.
            tx.machine.state = _V2_AFTER[event]
            message = f"{event} before Started arrived"
            found.append(Finding(_INFO, "transaction.started-not-seen", message, subject, ref))
            if event == "Ended":
                tx.ended_seq = seq
        elif live:
            found += self._live(tx, event, seq, subject, ref)
        else:
            tx.late_events += 1
            found += self._late(tx, event, seq, subject, ref)
        found += self._contents(tx, req, info, event, live, subject, ref)
        if tx.state == "Ended" and transaction_id in self._open:
            self._ended[transaction_id] = self._open.pop(transaction_id)
            while len(self._ended) > _RECENT:
                self._ended.popitem(last=False)
        return found

    def finish(self, *, ref: object = None) -> list[Finding]:
        """End of input: open transactions and seqNo gaps that were never filled."""
        found: list[Finding] = []
        for tx in self.transactions():
            subject = f"transaction {tx.transaction_id}"
            if tx.state != "Ended":
                found.append(Finding(_WARNING, "transaction.unfinished", f"still {tx.state}", subject, ref))
            if tx.started_seq is None:
                found.append(
                    Finding(_ERROR, "transaction.no-started", "no Started event received", subject, ref)
                )
            if tx.missing:
                shown = ", ".join(str(n) for n in sorted(tx.missing)[:20])
                found.append(
                    Finding(_WARNING, "transaction.seqno-gap", f"seqNo never received: {shown}", subject, ref)
                )
        return found

    # -- helpers -----------------------------------------------------------------------------------------

    def _sequence(
        self, tx: Transaction2, event: str, seq: int, offline: bool, subject: str, ref: object
    ) -> tuple[list[Finding], bool | None]:
        """Classify ``seq``: live (True), late gap-filler (False) or duplicate (None)."""
        found: list[Finding] = []
        if tx.max_seq is None:
            if event == "Started" and seq != 0:
                # 2.0.1 Ed2 (E01.FR.07, TC_E_53): seqNo should start at 0 for every transaction.
                found.append(
                    Finding(_INFO, "transaction.seqno-start", f"Started with seqNo {seq}", subject, ref)
                )
            if event != "Started":
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
                    Finding(_INFO, "transaction.out-of-order", f"late seqNo {seq} not offline", subject, ref)
                )
            return found, False
        found.append(
            Finding(_WARNING, "transaction.seqno-duplicate", f"seqNo {seq} seen before", subject, ref)
        )
        return found, None

    @staticmethod
    def _note_gap(
        tx: Transaction2, first: int, stop: int, subject: str, ref: object, found: list[Finding]
    ) -> None:
        if stop <= first:
            return
        if stop - first > _MAX_GAP:
            found.append(Finding(_WARNING, "transaction.seqno-jump", f"seqNo jumps to {stop}", subject, ref))
            return
        tx.missing.update(range(first, stop))
        found.append(
            Finding(_INFO, "transaction.seqno-skip", f"seqNo {first}..{stop - 1} not seen yet", subject, ref)
        )

    def _live(self, tx: Transaction2, event: str, seq: int, subject: str, ref: object) -> list[Finding]:
        state = tx.state
        step = tx.machine.step(event, ref=ref)
        found: list[Finding] = []
        if step.finding is not None:
            if state == "Ended":
                code = "transaction.duplicate-ended" if event == "Ended" else "transaction.after-ended"
                found.append(Finding(_ERROR, code, f"{event} (seqNo {seq}) after Ended", subject, ref))
            elif event == "Started":
                found.append(
                    Finding(
                        _ERROR, "transaction.duplicate-started", f"second Started (seqNo {seq})", subject, ref
                    )
                )
            else:
                found.append(
                    Finding(_WARNING, "transaction.no-started", f"{event} before any Started", subject, ref)
                )
        if event == "Started" and tx.started_seq is None:
            tx.started_seq = seq
        if event == "Ended" and tx.ended_seq is None:
            tx.ended_seq = seq
        return found

    def _late(self, tx: Transaction2, event: str, seq: int, subject: str, ref: object) -> list[Finding]:
        if tx.ended_seq is not None and seq > tx.ended_seq:
            message = f"{event} (seqNo {seq}) after Ended"
            return [Finding(_ERROR, "transaction.after-ended", message, subject, ref)]
        if event == "Started":
            if tx.started_seq is not None:
                return [
                    Finding(
                        _ERROR, "transaction.duplicate-started", f"second Started (seqNo {seq})", subject, ref
                    )
                ]
            tx.started_seq = seq
            if tx.min_seq is not None and tx.min_seq < seq:
                return [
                    Finding(
                        _ERROR,
                        "transaction.started-not-first",
                        f"Started seqNo {seq} not first",
                        subject,
                        ref,
                    )
                ]
            return []
        if event == "Ended":
            # A late Ended has a lower seqNo than some event already seen: Ended must be last.
            code = "transaction.duplicate-ended" if tx.ended_seq is not None else "transaction.ended-not-last"
            return [Finding(_ERROR, code, f"Ended with seqNo {seq} below {tx.max_seq}", subject, ref)]
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
    ) -> list[Finding]:
        found: list[Finding] = []
        charging_state = info.get("chargingState")
        if req.get("triggerReason") == "ChargingStateChanged" and charging_state is None:
            # chargingState is required when the state has changed.
            found.append(
                Finding(
                    _WARNING,
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
        if event == "Ended":
            reason = info.get("stoppedReason", "Local")  # may be omitted only when it is Local
            tx.stopped_reason = reason if isinstance(reason, str) else None
        return found
