"""OCPP 1.6 transaction tracker (part of :mod:`ocpkit.ocpp.transaction`, which documents it).

Theory of operation: see :mod:`ocpkit.ocpp.transaction`. The table sits at
the top; :class:`Transactions16` keeps id-less transactions per connector and
the others by the central system's ``transactionId``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ocpkit._fsm import Machine, Policy, Spec
from ocpkit.errors import TransitionError
from ocpkit.findings import Finding
from ocpkit.ocpp._payload import ERROR, INFO, MAX_TAGS, RECENT, WARNING, as_int, as_obj, as_time, aware
from ocpkit.ocpp._registers import START_STOP, Registers, follow_meter_values, follow_register
from ocpkit.ocpp.v16.enums import AuthorizationStatus, Reason

__all__ = ["V16_TRANSACTION_TRANSITIONS", "Transaction16", "Transactions16", "v16_transaction_spec"]

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
# Moves that leave the state as it is (MeterValues while Active): nothing to step, nothing to report.
_STAYS = frozenset(pair for pair, target in V16_TRANSACTION_TRANSITIONS.items() if pair[0] == target)
_V16_TX_STATES = ("Idle", "StartPending", "Active", "StopPending", "Closed")
_V16_TX_EVENTS = (
    "StartTransaction.req",
    "StartTransaction.conf",
    "MeterValues",
    "StopTransaction.req",
    "StopTransaction.conf",
)

_V16_REASONS = frozenset(Reason)
_ACCEPTED = AuthorizationStatus.ACCEPTED

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


def v16_transaction_spec() -> Spec[str, str]:
    """The OCPP 1.6 per-transaction machine, built from :data:`V16_TRANSACTION_TRANSITIONS`."""
    return _SPEC16


def _status(response: object) -> object:
    return as_obj(as_obj(response).get("idTagInfo")).get("status")


@dataclass
class Transaction16:
    """What is known about one OCPP 1.6 transaction."""

    connector_id: int | None  # None for a transaction first met in the middle of a log
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
    registers: Registers = field(default_factory=dict, repr=False, compare=False)
    """The last reading of each register, for the register checks (see :mod:`ocpkit.ocpp.transaction`)."""

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
    # Closed transactions by id; id-less ones (E16 §3.18) under a private key each.
    _closed: OrderedDict[int | tuple[str, int], Transaction16] = field(default_factory=OrderedDict)
    _idless: int = 0

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
        id_tag = as_obj(request).get("idTag")
        if not isinstance(id_tag, str):
            return [Finding(ERROR, "authorize.id-tag", f"bad idTag {id_tag!r}", "authorize", ref)]
        if response is None:
            return []
        status = _status(response)
        self._tags[id_tag] = status
        self._tags.move_to_end(id_tag)
        while len(self._tags) > MAX_TAGS:
            self._tags.popitem(last=False)
        if status != _ACCEPTED:
            return [Finding(INFO, "authorize.not-accepted", f"idTag {id_tag}: {status}", "authorize", ref)]
        return []

    # -- StartTransaction --------------------------------------------------------------------------------

    def start_transaction(
        self, request: object, *, ref: object = None, at: datetime | None = None, line: int | None = None
    ) -> list[Finding]:
        """StartTransaction.req: a new transaction on a connector, waiting for its id.

        ``line``, here and in the other request methods, is the capture line of the
        message when the caller knows it; findings that name two messages show it.
        """
        req = as_obj(request)
        connector_id = as_int(req.get("connectorId"))
        subject = f"connector {req.get('connectorId')!r}"
        found: list[Finding] = []
        if connector_id is None or connector_id <= 0:
            # OCPP 1.6 §6.45: transactions run on a connector > 0; the schema only says integer.
            return [
                Finding(
                    ERROR, "transaction.connector", "StartTransaction needs connectorId > 0", subject, ref
                )
            ]
        busy = self._pending.get(connector_id) or next(
            (tx for tx in self._open.values() if tx.connector_id == connector_id and tx.state == "Active"),
            None,
        )
        if busy is not None:
            found.append(
                Finding(
                    WARNING,
                    "transaction.start-while-active",
                    f"new start while transaction {busy.transaction_id} is not stopped",
                    subject,
                    ref,
                )
            )
        id_tag = req.get("idTag")
        if isinstance(id_tag, str) and self._tags.get(id_tag) != _ACCEPTED:
            # OCPP 1.6 §4.1: a local list or cache may authorise without Authorize; worth a note only.
            found.append(
                Finding(
                    INFO,
                    "transaction.start-without-authorize",
                    f"idTag {id_tag} not authorised here",
                    subject,
                    ref,
                )
            )
        machine = Machine(_SPEC16, "Idle", policy=self.policy, subject=subject)
        machine.step("StartTransaction.req", ref=ref)
        tx = Transaction16(connector_id, id_tag, machine)
        tx.meter_start = as_int(req.get("meterStart"))
        tx.started_at = as_time(req.get("timestamp")) or aware(at)
        tx.last_sample_at = tx.started_at
        found += follow_register(
            tx.registers,
            START_STOP,
            tx.meter_start,
            "Wh",
            0,
            tx.started_at,
            subject=subject,
            ref=ref,
            line=line,
        )
        self._pending[connector_id] = tx
        return found

    def start_transaction_result(
        self, request: object, response: object, *, ref: object = None, at: datetime | None = None
    ) -> list[Finding]:
        """StartTransaction.conf: the transaction gets its id."""
        connector_id = as_int(as_obj(request).get("connectorId"))
        subject = f"connector {connector_id}"
        tx = self._pending.get(connector_id) if connector_id is not None else None
        if tx is None or connector_id is None:
            return [
                Finding(
                    ERROR, "transaction.orphan-result", "StartTransaction.conf without a start", subject, ref
                )
            ]
        transaction_id = as_int(as_obj(response).get("transactionId"))
        if transaction_id is None:
            return [
                Finding(
                    ERROR,
                    "transaction.id",
                    "StartTransaction.conf without integer transactionId",
                    subject,
                    ref,
                )
            ]
        found = self._move(tx, "StartTransaction.conf", ref)
        del self._pending[connector_id]
        tx.transaction_id = transaction_id
        tx.id_tag_status = _status(response)
        tx.machine.subject = subject = f"transaction {transaction_id}"
        if transaction_id in self._open:
            found.append(Finding(ERROR, "transaction.duplicate-id", "id already in use", subject, ref))
        if transaction_id <= 0:
            # E16 §3.54: positive ids are recommended; others are legal and carry no meaning.
            found.append(
                Finding(INFO, "transaction.id-not-positive", f"transactionId {transaction_id}", subject, ref)
            )
        if tx.id_tag_status != _ACCEPTED:
            # E16 §3.17: the charger must stop (DeAuthorized) or withhold energy.
            found.append(
                Finding(
                    WARNING, "transaction.start-not-accepted", f"idTagInfo {tx.id_tag_status}", subject, ref
                )
            )
        self._open[transaction_id] = tx
        return found

    def start_transaction_error(self, request: object, *, ref: object = None) -> list[Finding]:
        """StartTransaction answered with CALLERROR (or never answered): the charger goes on with id -1."""
        connector_id = as_int(as_obj(request).get("connectorId"))
        if connector_id is None or connector_id not in self._pending:
            return []
        return [
            Finding(
                INFO,
                "transaction.no-id",
                "StartTransaction got no id; later messages may carry transactionId -1",
                f"connector {connector_id}",
                ref,
            )
        ]

    # -- MeterValues -------------------------------------------------------------------------------------

    def meter_values(
        self, request: object, *, ref: object = None, at: datetime | None = None, line: int | None = None
    ) -> list[Finding]:
        """MeterValues.req; only samples that name a transaction concern the tracker."""
        req = as_obj(request)
        if "transactionId" not in req:
            return []
        raw_id = req.get("transactionId")
        transaction_id = as_int(raw_id)
        connector_id = as_int(req.get("connectorId"))
        subject = f"transaction {raw_id!r}"
        if transaction_id is None:
            return [Finding(ERROR, "transaction.id", f"bad transactionId {raw_id!r}", subject, ref)]
        found: list[Finding] = []
        if connector_id == 0:
            # E16 §3.16: main-meter values (connector 0) carry no transactionId.
            message = "transactionId on connector 0"
            found.append(Finding(WARNING, "transaction.connector0-meter", message, subject, ref))
        tx = self._find(transaction_id, connector_id)
        if tx is None:
            if transaction_id != -1 and transaction_id in self._closed:
                return found + self._closed_refusal("MeterValues", "transaction.after-stop", subject, ref)
            if transaction_id == -1:
                message = "transactionId -1 with no id-less start"
                found.append(Finding(INFO, "transaction.id-minus-one", message, subject, ref))
                return found
            # Reported once: from here on the transaction is followed as if its start had been seen
            # (a log often begins in the middle of a transaction).
            message = "meter values for an unknown transaction"
            found.append(Finding(WARNING, "transaction.unknown-id", message, subject, ref))
            tx = self._adopt(transaction_id, connector_id, "Active")
        if connector_id is not None and connector_id != tx.connector_id:
            found.append(
                Finding(WARNING, "transaction.connector-mismatch", f"connector {connector_id}", subject, ref)
            )
        if (tx.machine.state, "MeterValues") not in _STAYS:
            found += self._move(tx, "MeterValues", ref)
        samples = req.get("meterValue")
        sample_list = samples if isinstance(samples, list) else []
        tx.meter_values += len(sample_list)
        if len(sample_list) == 1:
            # One sampled moment (the common message): no list of times to sort.
            first = sample_list[0]
            stamp = first.get("timestamp") if type(first) is dict else as_obj(first).get("timestamp")
            moment = as_time(stamp) or aware(at)
            times = [moment]
            if moment is not None:
                if self.max_meter_interval is None:
                    last = tx.last_sample_at
                    if last is None or moment > last:
                        tx.last_sample_at = moment  # what _gap does when no gap can be reported
                else:
                    found += self._gap(tx, moment, subject, ref)
        else:
            times = [as_time(as_obj(sample).get("timestamp")) or aware(at) for sample in sample_list] or [
                aware(at)
            ]
            moments = [t for t in times if t is not None]
            if len(moments) > 1:
                moments.sort()
            for moment in moments:
                found += self._gap(tx, moment, subject, ref)
        more = follow_meter_values(tx.registers, sample_list, subject, ref, line, at, times)
        if more:
            found += more
        return found

    # -- StopTransaction ---------------------------------------------------------------------------------

    def stop_transaction(
        self, request: object, *, ref: object = None, at: datetime | None = None, line: int | None = None
    ) -> list[Finding]:
        """StopTransaction.req; a stop cannot be refused (OCPP 1.6 §4.10), so checks are findings."""
        req = as_obj(request)
        raw_id = req.get("transactionId")
        transaction_id = as_int(raw_id)
        subject = f"transaction {raw_id!r}"
        if transaction_id is None:
            return [Finding(ERROR, "transaction.id", f"bad transactionId {raw_id!r}", subject, ref)]
        tx = self._find(transaction_id, None)
        if tx is None:
            if transaction_id != -1 and transaction_id in self._closed:
                return self._closed_refusal("StopTransaction.req", "transaction.duplicate-stop", subject, ref)
            message = "stop for an unknown transaction"
            found = [Finding(WARNING, "transaction.stop-unknown", message, subject, ref)]
            if transaction_id == -1:
                return found
            tx = self._adopt(transaction_id, None, "Active")
        else:
            found = []
        found += self._move(tx, "StopTransaction.req", ref)
        reason = req.get("reason", Reason.LOCAL)  # OCPP-J 1.6 errata §2.5: absent means Local
        if not isinstance(reason, str) or reason not in _V16_REASONS:
            found.append(
                Finding(ERROR, "transaction.stop-reason", f"unknown stop reason {reason!r}", subject, ref)
            )
        tx.reason = reason if isinstance(reason, str) else None
        if tx.id_tag_status not in (None, _ACCEPTED) and tx.reason != Reason.DE_AUTHORIZED:
            found.append(
                Finding(
                    INFO,
                    "transaction.not-deauthorized",
                    "start not accepted, stop reason not DeAuthorized",
                    subject,
                    ref,
                )
            )
        tx.meter_stop = as_int(req.get("meterStop"))
        tx.stopped_at = as_time(req.get("timestamp")) or aware(at)
        if tx.stopped_at is not None:
            found += self._gap(tx, tx.stopped_at, subject, ref)
        if tx.started_at is not None and tx.stopped_at is not None and tx.stopped_at < tx.started_at:
            found.append(
                Finding(WARNING, "transaction.stop-before-start", "stop time before start", subject, ref)
            )
        energy = tx.energy_wh
        if energy is not None and energy < 0:
            found.append(
                Finding(
                    WARNING,
                    "transaction.meter-decreased",
                    f"meterStop - meterStart = {energy}",
                    subject,
                    ref,
                )
            )
        elif energy == 0:
            found.append(
                Finding(INFO, "transaction.no-energy", "no energy between start and stop", subject, ref)
            )
        data = req.get("transactionData")
        if isinstance(data, list):
            tx.meter_values += len(data)
            found += follow_meter_values(tx.registers, data, subject=subject, ref=ref, line=line, at=at)
        if tx.meter_stop is not None:
            found += follow_register(
                tx.registers,
                START_STOP,
                tx.meter_stop,
                "Wh",
                0,
                tx.stopped_at,
                subject=subject,
                ref=ref,
                line=line,
            )
        return found

    def stop_transaction_result(
        self, request: object, response: object, *, ref: object = None
    ) -> list[Finding]:
        """StopTransaction.conf: the transaction is closed."""
        transaction_id = as_int(as_obj(request).get("transactionId"))
        tx = self._find(transaction_id, None) if transaction_id is not None else None
        if tx is None or tx.state != "StopPending":
            return []
        found = self._move(tx, "StopTransaction.conf", ref)
        key: int | tuple[str, int]
        if tx.transaction_id is not None:
            key = tx.transaction_id
            self._open.pop(key, None)
        else:
            self._idless += 1
            key = ("no-id", self._idless)
        if tx.connector_id is not None and self._pending.get(tx.connector_id) is tx:
            del self._pending[tx.connector_id]
        self._closed[key] = tx
        self._closed.move_to_end(key)
        while len(self._closed) > RECENT:
            self._closed.popitem(last=False)
        return found

    def finish(self, *, ref: object = None) -> list[Finding]:
        """End of input: report transactions that never stopped."""
        return [
            Finding(
                WARNING,
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

    def _adopt(self, transaction_id: int, connector_id: int | None, state: str) -> Transaction16:
        # A transaction first met in the middle: its start (connector, meter, time) stays unknown.
        subject = f"transaction {transaction_id}"
        machine = Machine(_SPEC16, state, policy=self.policy, subject=subject)
        tx = Transaction16(connector_id, None, machine)
        tx.transaction_id = transaction_id
        self._open[transaction_id] = tx
        return tx

    def _move(self, tx: Transaction16, event: str, ref: object) -> list[Finding]:
        if (tx.machine.state, event) in _STAYS:
            return []  # the step the table allows would leave the machine where it is
        step = tx.machine.step(event, ref=ref)
        if step.finding is None:
            return []
        message = f"{event} in state {step.source}"
        return [Finding(WARNING, "transaction.sequence", message, tx.machine.subject, ref)]

    def _closed_refusal(self, event: str, code: str, subject: str, ref: object) -> list[Finding]:
        # A closed transaction has no moves left; its record stays as it was in either policy.
        if self.policy == "strict":
            raise TransitionError(
                _SPEC16.name, "Closed", event, "transaction already closed", subject=subject
            )
        return [Finding(ERROR, code, f"{event} after the transaction was closed", subject, ref)]

    def _gap(self, tx: Transaction16, moment: datetime, subject: str, ref: object) -> list[Finding]:
        last = tx.last_sample_at
        if last is None or moment > last:
            tx.last_sample_at = moment
        interval = self.max_meter_interval
        if interval is None or last is None or moment - last <= interval:
            return []
        message = f"no meter sample for {moment - last}"
        return [Finding(WARNING, "transaction.meter-gap", message, subject, ref)]
