"""Conversation checker: a pure fold over a stream of OCPP-J frames.

Theory of operation. :class:`Conversation` is fed one frame at a time (a
parsed :mod:`ocpkit.ocpp.rpc` frame, or a :class:`~ocpkit.capture.CapturedFrame`
record) with its optional receive time, direction and charge-point id, and
returns the :class:`~ocpkit.findings.Finding` objects that frame gives rise to.
Everything is kept per charge point:

* *Pairing.* Each CALL is remembered as open until a CALLRESULT or CALLERROR
  with its message id arrives; the answer goes to the most recent open CALL of
  that id sent by the other side (long logs reuse ids). An answer that finds no
  CALL is an orphan; CALLs still open at :meth:`Conversation.finish`, or older
  than ``call_timeout`` when frames carry times, are unanswered.
* *RPC rules.* OCPP-J allows one outstanding CALL per direction, so a CALL
  sent while the same side's previous CALL is still open is reported; so are
  actions sent by the wrong side (when the direction is known), results that
  travel the same way as their CALL, and CALLERROR codes the version lacks.
* *Reconnects.* A BootNotification CALL from the charge point (whatever its
  reason), or a call of :meth:`Conversation.reconnect` by a caller that sees
  the transport (a new websocket connection), ends the charge point's previous
  connection: every CALL still open on it, of either side, can no longer be
  answered. Each is reported as ``rpc.unanswered-before-reconnect`` (naming
  its action, message id and where it was sent) and forgotten, so it neither
  makes the calls of the new connection concurrent nor is reported again as
  unanswered at the end. A BootNotification sent again with the message id of
  an unanswered one is a retransmission (``rpc.repeated-call``), as before.
* *Machines.* StatusNotification drives the connector machines; Authorize,
  StartTransaction, MeterValues and StopTransaction (1.6) or TransactionEvent
  (2.0.1 / 2.1) drive the transaction trackers, and their findings are passed
  on; among them the register checks of each transaction
  (``meter.register-fall``, ``meter.register-reset``, ``meter.register-jitter``,
  see :mod:`ocpkit.ocpp.transaction`). Under ``policy="strict"`` a refused move is an error finding and the
  machine keeps its state; under ``"lenient"`` it is a warning and the machine
  follows the charger (see :mod:`ocpkit._fsm`).
* *Session.* A transaction started before BootNotification was accepted is
  noted, and so are two Heartbeats with nothing in between that lie more than
  one and a half intervals apart (the interval of BootNotification's response).
* *Watchers.* Checks that need whole exchanges (a CALL and its answer) are
  :mod:`watchers <ocpkit.ocpp.watch>`, one per charge point; the fold hands
  each the exchanges of the actions it names and passes their findings on.

Memory is bounded: at most :data:`MAX_OPEN_CALLS` open CALLs, a few recent
ids, :data:`MAX_CONNECTORS` connectors and :data:`MAX_OPEN_TRANSACTIONS`
running transactions per charge point, at most :data:`MAX_CHARGE_POINTS` charge points (the one
silent longest is finished early when a new one arrives), and the trackers
forget closed transactions. No I/O, no clock: times come with the frames.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from ocpkit._fsm import Policy
from ocpkit.capture import CapturedFrame
from ocpkit.errors import TransitionError, UnsupportedError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp._conversation_input import (
    _NO_PAYLOAD,
    _SIDE_OF_DIRECTION,
    OTHER,
    SIDE_OF_SENDER,
    Msg,
    Side,
    from_captured,
    from_frame,
    side_of,
)
from ocpkit.ocpp._payload import as_int, as_obj, aware
from ocpkit.ocpp._senders import SENDERS
from ocpkit.ocpp.connector import Connectors2, Connectors16
from ocpkit.ocpp.rpc import ERROR_CODES, Frame
from ocpkit.ocpp.transaction import TransactionEvents, Transactions16
from ocpkit.ocpp.watch import DEFAULT_WATCHERS, Exchange, Outcome, Watcher, WatcherFactory, load_factories

__all__ = [
    "HEARTBEAT_SLACK",
    "MAX_CHARGE_POINTS",
    "MAX_CONNECTORS",
    "MAX_OPEN_CALLS",
    "MAX_OPEN_TRANSACTIONS",
    "Conversation",
    "check",
]

MAX_OPEN_CALLS = 256
"""Open CALLs kept per charge point; beyond it the oldest is reported unanswered and forgotten."""

MAX_CONNECTORS = 64
"""Connectors (1.6) or EVSE/connector pairs (2.x) followed per charge point."""

MAX_OPEN_TRANSACTIONS = 64
"""Running transactions followed per charge point; messages about further new ones are not applied."""

MAX_CHARGE_POINTS = 4096
"""Charge points followed at once; beyond it the one silent longest is finished early."""

HEARTBEAT_SLACK = 1.5
"""Heartbeats further apart than this many intervals, with nothing sent in between, are reported."""

_RECENT_IDS = 64
_new = tuple.__new__  # builds a named tuple without its Python-level constructor
_new_object = object.__new__
_MACHINE_ACTIONS = frozenset(
    {"StatusNotification", "StartTransaction", "MeterValues", "StopTransaction", "TransactionEvent"}
)
_ERROR, _WARNING, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_SHOW_SIDE: Mapping[str | None, str] = {"cp": "charge point", "csms": "CSMS", None: "unknown side"}

# Requests that drive the machines, and requests whose answers do.
_REQUEST_ACTIONS = _MACHINE_ACTIONS | {"BootNotification"}
_RESULT_ACTIONS = frozenset(
    {"BootNotification", "Authorize", "StartTransaction", "StopTransaction", "TransactionEvent"}
)

# Requests whose payload is needed again when their answer arrives.
_KEEP_REQUEST = frozenset({"Authorize", "StartTransaction", "StopTransaction", "TransactionEvent"})


class _Open(NamedTuple):
    """One CALL waiting for its answer."""

    seq: int
    message_id: str
    action: str
    side: Side | None
    request: Mapping[str, Any] | None
    at: datetime | None
    ref: object
    line: int | None = None  # the capture line, when the frame came from a capture


@dataclass(slots=True)
class _Station:
    """Everything known about one charge point's conversation."""

    name: str | None
    connectors: Connectors16 | Connectors2
    transactions: Transactions16 | TransactionEvents
    open: OrderedDict[int, _Open] = field(default_factory=OrderedDict)
    by_id: dict[str, list[int]] = field(default_factory=dict)
    last_call: dict[str, int] = field(default_factory=dict)
    timed_out: OrderedDict[tuple[str, Side | None], _Open] = field(default_factory=OrderedDict)
    # CALLs the last reconnect left unanswered, by id and sender: sent again, they are retransmissions.
    dropped: OrderedDict[tuple[str, Side | None], _Open] = field(default_factory=OrderedDict)
    answered: deque[str] = field(default_factory=lambda: deque(maxlen=_RECENT_IDS))
    boot: str | None = None  # None: no BootNotification seen; "sent"; then the response status
    heartbeat: timedelta | None = None
    last_cp_at: datetime | None = None
    last_heartbeat_at: datetime | None = None
    connector_ids: set[object] = field(default_factory=set)
    watchers: tuple[Watcher, ...] = ()
    watched: frozenset[str] = frozenset()  # the actions some watcher wants
    wanting: dict[str, tuple[Watcher, ...]] = field(default_factory=dict)  # the watchers, by action


class Conversation:
    """Check the conversation between charge points and a central system, frame by frame.

    ``version`` is the OCPP version of the traffic; ``policy`` the machines'
    policy (``"lenient"`` follows chargers that skip states, ``"strict"``
    reports every refused move as an error); ``call_timeout``, when given and
    frames carry times, is how long a CALL may wait for its answer;
    ``max_meter_interval`` the longest expected gap between meter samples of a
    running 1.6 transaction. ``watchers`` are the
    :data:`~ocpkit.ocpp.watch.WatcherFactory` objects (or ``"module:attribute"``
    paths to them) whose watchers follow each charge point; by default
    :data:`~ocpkit.ocpp.watch.DEFAULT_WATCHERS`, none with ``()``.
    """

    def __init__(
        self,
        version: str,
        *,
        policy: Policy = "lenient",
        call_timeout: timedelta | None = None,
        max_meter_interval: timedelta | None = None,
        watchers: Sequence[str | WatcherFactory] | None = None,
    ) -> None:
        if version not in ERROR_CODES:
            raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of 1.6, 2.0.1, 2.1")
        if policy not in ("strict", "lenient"):
            raise UnsupportedError(f"policy must be 'strict' or 'lenient', not {policy!r}")
        if call_timeout is not None and (
            not isinstance(call_timeout, timedelta) or call_timeout <= timedelta(0)
        ):
            raise UnsupportedError(f"call_timeout must be a positive timedelta, not {call_timeout!r}")
        self.version = version
        self.policy: Policy = policy
        self.call_timeout = call_timeout
        self.max_meter_interval = max_meter_interval
        self._factories = load_factories(DEFAULT_WATCHERS if watchers is None else watchers)
        # The plain-data sender table, not the registry: it would import every message model.
        self._senders = {name: SIDE_OF_SENDER[sender] for name, sender in SENDERS[version].items()}
        self._stations: OrderedDict[str | None, _Station] = OrderedDict()
        self._seq = 0
        self._index = 0
        self._last_time: datetime | None = None
        self._last_at: datetime | None = None
        self._current: _Station | None = None  # the station of the previous frame
        self.answered: object = None
        """The ``ref`` of the CALL that the last frame fed answered (``None`` if it answered none)."""

    # -- public ------------------------------------------------------------------------------------------

    def feed(
        self,
        frame: Frame | CapturedFrame,
        *,
        timestamp: datetime | None = None,
        direction: str | None = None,
        charge_point: str | None = None,
        ref: object = None,
    ) -> list[Finding]:
        """Take one frame; return the findings it causes.

        ``direction`` is ``"cp->csms"`` / ``"csms->cp"`` (a
        :class:`~ocpkit.capture.Direction`, or the trace format's
        ``"cp-to-csms"`` / ``"csms-to-cp"``), or ``None`` when unknown.
        ``ref`` is handed back in the findings; by default it is the frame's
        0-based position in the stream. A :class:`~ocpkit.capture.CapturedFrame`
        brings its own time, direction and charge point (the keywords, when
        given, win); records that hold no frame are skipped.
        """
        index = self._index
        self._index += 1
        self.answered = None
        ref = index if ref is None else ref
        if isinstance(frame, CapturedFrame):
            msg = from_captured(frame)
            if timestamp is None and frame.timestamp is not None:
                timestamp = frame.timestamp.value
            if direction is None:
                direction = frame.direction
            if charge_point is None:
                charge_point = frame.charge_point
            if msg is None:
                return []
        else:
            msg = from_frame(frame)
        if timestamp is not None and not isinstance(timestamp, datetime):
            raise UnsupportedError(f"timestamp must be a datetime, not {type(timestamp).__name__}")
        if charge_point is not None and not isinstance(charge_point, str):
            raise UnsupportedError(f"charge_point must be a string, not {type(charge_point).__name__}")
        side = side_of(direction)
        if timestamp is self._last_time:
            at = self._last_at  # a capture hands neighbouring frames the same stamp object
        else:
            at = aware(timestamp)
            self._last_time, self._last_at = timestamp, at
        found: list[Finding] = []
        station = self._station(charge_point, found)
        sweep = self.call_timeout is not None and at is not None
        type_id = msg.type_id
        if type_id == 2 or type_id == 6:
            # Calls that timed out no longer count as outstanding for this one.
            if sweep and at is not None:
                found += self._sweep(station, at)
            line = frame.line if isinstance(frame, CapturedFrame) else None
            found += self._call(
                station, type_id, msg.message_id, msg.action or "", msg.payload, side, at, ref, line
            )
            return found
        if type_id == 5:
            found += self._result_error(station, msg, ref)
        else:
            # An answer is paired first, so that a slow answer is late rather than its call unanswered.
            found += self._answer(
                station, type_id, msg.message_id, msg.payload, msg.error_code, side, at, ref
            )
        if sweep and at is not None:
            found += self._sweep(station, at)
        return found

    def feed_captured(self, frame: CapturedFrame, ref: object) -> list[Finding]:
        """``feed(frame, ref=ref)`` for a capture record (the judging fold's path, without keywords).

        The reader guarantees the types the keyword checks of :meth:`feed` look at.
        """
        self._index += 1
        self.answered = None
        # from_captured, inline: the same lenient reading without a call per frame.
        value = frame.value
        if not isinstance(value, list) or len(value) < 2:
            return []
        type_id, message_id = value[0], value[1]
        if type(type_id) is not int or not isinstance(message_id, str):
            return []
        n = len(value)
        error_code: object = None
        action = ""
        if type_id == 2 or type_id == 6:
            if n < 3 or not isinstance(value[2], str):
                return []
            action = value[2]
            payload = value[3] if n > 3 else None
            if type(payload) is not dict:
                payload = as_obj(payload)
        elif type_id == 3:
            payload = value[2] if n > 2 else None
            if type(payload) is not dict:
                payload = as_obj(payload)
        elif type_id == 4 or type_id == 5:
            payload = _NO_PAYLOAD
            error_code = value[2] if n > 2 else None
        else:
            return []
        stamp = frame.timestamp
        timestamp = stamp.value if stamp is not None else None
        at: datetime | None
        if timestamp is self._last_time:
            at = self._last_at  # a capture hands neighbouring frames the same stamp object
        else:
            # aware(), inline
            if timestamp is None or timestamp.tzinfo is not None:
                at = timestamp
            else:
                at = timestamp.replace(tzinfo=UTC)
            self._last_time, self._last_at = timestamp, at
        side = _SIDE_OF_DIRECTION.get(frame.direction)
        name = frame.charge_point
        station = self._current
        found: list[Finding] = []
        if station is None or station.name != name or name is None:
            station = self._station(name, found)
        sweep = self.call_timeout is not None and at is not None
        if type_id == 2 or type_id == 6:
            if sweep and at is not None:
                found += self._sweep(station, at)
            if found:
                found += self._call(station, type_id, message_id, action, payload, side, at, ref, frame.line)
                return found
            return self._call(station, type_id, message_id, action, payload, side, at, ref, frame.line)
        if type_id == 5:
            found += self._result_error(station, _new(Msg, (5, message_id, None, payload, error_code)), ref)
        elif found:
            found += self._answer(station, type_id, message_id, payload, error_code, side, at, ref)
        else:
            found = self._answer(station, type_id, message_id, payload, error_code, side, at, ref)
        if sweep and at is not None:
            found += self._sweep(station, at)
        return found

    def finish(self) -> list[Finding]:
        """End of input: unanswered CALLs and unfinished transactions of every charge point.

        Open CALLs are forgotten once reported; the machines keep their state
        for inspection (:meth:`connectors`, :meth:`transactions`).
        """
        found: list[Finding] = []
        for station in self._stations.values():
            found += self._finish(station)
        return found

    def reconnect(self, charge_point: str | None = None, *, ref: object = None) -> list[Finding]:
        """The charge point opened a new connection: its open CALLs can no longer be answered.

        For callers that see the transport (a websocket connection opened or a
        capture's connection marker); a BootNotification does the same by
        itself. Returns one ``rpc.unanswered-before-reconnect`` finding per
        CALL that was open; ``ref`` is where the new connection was seen
        (named in the messages). A charge point never seen is not created.
        """
        if charge_point is not None and not isinstance(charge_point, str):
            raise UnsupportedError(f"charge_point must be a string, not {type(charge_point).__name__}")
        station = self._stations.get(charge_point)
        if station is None and charge_point is None and len(self._stations) == 1:
            station = next(iter(self._stations.values()))
        if station is None:
            return []
        return self._reconnect(station, "a new connection", ref)

    @property
    def charge_points(self) -> list[str | None]:
        """The charge points followed (``None`` stands for frames without an id)."""
        return list(self._stations)

    def open_calls(self, charge_point: str | None = None) -> int:
        """How many CALLs of one charge point wait for an answer."""
        station = self._stations.get(charge_point)
        return 0 if station is None else len(station.open)

    def connectors(self, charge_point: str | None = None) -> Connectors16 | Connectors2 | None:
        """The connector machines of one charge point (``None`` when it was never seen)."""
        station = self._stations.get(charge_point)
        return None if station is None else station.connectors

    def transactions(self, charge_point: str | None = None) -> Transactions16 | TransactionEvents | None:
        """The transaction tracker of one charge point (``None`` when it was never seen)."""
        station = self._stations.get(charge_point)
        return None if station is None else station.transactions

    # -- stations ----------------------------------------------------------------------------------------

    def _station(self, name: str | None, found: list[Finding]) -> _Station:
        last = self._current
        if last is not None and last.name == name and name is not None:
            # The station of the previous frame is the most recent already: no reordering needed.
            return last
        station = self._find_station(name, found)
        self._current = station
        return station

    def _find_station(self, name: str | None, found: list[Finding]) -> _Station:
        if name is None and len(self._stations) == 1:
            # A log of one charge point that names it on most lines but not all (host loggers drop
            # the id now and then): frames without an id belong to the one charge point known.
            name = next(iter(self._stations))
        station = self._stations.get(name)
        if station is not None:
            self._stations.move_to_end(name)
            return station
        if len(self._stations) >= MAX_CHARGE_POINTS:
            _, oldest = self._stations.popitem(last=False)
            found += self._finish(oldest)
        connectors: Connectors16 | Connectors2
        transactions: Transactions16 | TransactionEvents
        if self.version == "1.6":
            connectors = Connectors16(policy=self.policy)
            transactions = Transactions16(policy=self.policy, max_meter_interval=self.max_meter_interval)
        else:
            connectors = Connectors2(policy=self.policy)
            transactions = TransactionEvents(version=self.version, policy=self.policy)
        station = _Station(name, connectors, transactions)
        if self._factories:
            made = (factory(self.version, name) for factory in self._factories)
            station.watchers = tuple(w for w in made if w is not None)
            station.watched = frozenset().union(*(w.actions for w in station.watchers))
        self._stations[name] = station
        return station

    def _finish(self, station: _Station) -> list[Finding]:
        found: list[Finding] = []
        for call in station.open.values():
            found += self._unanswered(station, call, "never answered")
            if call.action == "StartTransaction" and isinstance(station.transactions, Transactions16):
                found += station.transactions.start_transaction_error(call.request, ref=call.ref)
        found += [_at(f, station.name) for f in station.transactions.finish()]
        for watcher in station.watchers:
            found += [_at(f, station.name) for f in watcher.finish()]
        station.open.clear()
        station.by_id.clear()
        return found

    # -- CALL and SEND -----------------------------------------------------------------------------------

    def _call(
        self,
        station: _Station,
        type_id: int,
        message_id: str,
        action: str,
        payload: Mapping[str, Any],
        side: Side | None,
        at: datetime | None,
        ref: object,
        line: int | None = None,
    ) -> list[Finding]:
        senders = self._senders
        sender = senders.get(action)
        found: list[Finding]
        if sender is None and action not in senders:
            found = [
                Finding(
                    _ERROR,
                    "rpc.unknown-action",
                    f"{action!r} is not an OCPP {self.version} action",
                    _named(station, action, message_id),
                    ref,
                )
            ]
        elif side is not None and sender is not None and side != sender:
            found = [
                Finding(
                    _ERROR,
                    "rpc.wrong-sender",
                    f"{action} is sent by the {_SHOW_SIDE[sender]}, here by the {_SHOW_SIDE[side]}",
                    _named(station, action, message_id),
                    ref,
                )
            ]
        else:
            found = []
        side = side or sender
        if side == "cp" and at is not None:
            if action == "Heartbeat" and type_id == 2:
                found += self._heartbeat(station, at, ref)
            station.last_cp_at = at
        if type_id == 6:
            # SEND (OCPP 2.1 part 4 §4.2.6) expects no answer and does not occupy the channel.
            found += self._request(station, action, payload, at, ref, line)
            if action in station.watched:
                sent = _Open(0, message_id, action, side, payload, at, ref)
                found += self._tell(station, sent, "send")
            return found
        same = self._same_id(station, message_id, side) if message_id in station.by_id else None
        if action == "BootNotification" and side == "cp" and station.open:
            # A (re)booted charge point speaks on a new connection: nothing of the old one is pending.
            keep = same if same is not None and same.action == action else None
            found += self._reconnect(station, f"BootNotification {message_id}", ref, keep)
            same = keep
        dropped = station.dropped.pop((message_id, side), None) if same is None and station.dropped else None
        if same is not None and same.action == action:
            # The same id and action again while the first is unanswered: a retransmission. It takes
            # the place of the first, so one unanswered message is not counted once per attempt.
            message = f"{action} {message_id} sent again while unanswered"
            found.append(
                Finding(_INFO, "rpc.repeated-call", message, _named(station, action, message_id), ref)
            )
            self._close(station, same)
        elif dropped is not None and dropped.action == action:
            # Sent again on the new connection: the retry of a CALL already reported unanswered.
            message = f"{action} {message_id} sent again after the reconnect left it unanswered"
            found.append(
                Finding(_INFO, "rpc.repeated-call", message, _named(station, action, message_id), ref)
            )
        else:
            previous = station.open.get(station.last_call.get(side, -1)) if side is not None else None
            if previous is not None:
                # OCPP-J 1.6 §4.1.1, 2.x part 4 §4.1.1: one outstanding CALL per direction.
                message = f"{action} sent while {previous.action} {previous.message_id} is unanswered"
                found.append(
                    Finding(
                        _WARNING, "rpc.concurrent-call", message, _named(station, action, message_id), ref
                    )
                )
            if same is not None:
                # Message ids identify a CALL among those of its sender (OCPP-J 1.6 §4.1.3).
                message = f"message id {message_id} reused while {same.action} with it is unanswered"
                found.append(
                    Finding(_WARNING, "rpc.duplicate-id", message, _named(station, action, message_id), ref)
                )
        if len(station.open) >= MAX_OPEN_CALLS:
            oldest = next(iter(station.open.values()))
            found += self._unanswered(station, oldest, "forgotten: too many open calls")
            self._close(station, oldest)
        self._seq = seq = self._seq + 1
        station.open[seq] = _new(
            _Open,
            (
                seq,
                message_id,
                action,
                side,
                payload if action in _KEEP_REQUEST or action in station.watched else None,
                at,
                ref,
                line,
            ),
        )
        seqs = station.by_id.get(message_id)
        if seqs is None:
            station.by_id[message_id] = [seq]
        else:
            seqs.append(seq)
        if side is not None:
            station.last_call[side] = seq
        if action in _REQUEST_ACTIONS:
            more = self._request(station, action, payload, at, ref, line)
            if more:
                found += more
        return found

    def _reconnect(
        self, station: _Station, cause: str, ref: object, keep: _Open | None = None
    ) -> list[Finding]:
        """End the station's connection: report and forget every open CALL but *keep*."""
        found: list[Finding] = []
        for call in list(station.open.values()):
            if call is keep:
                continue
            where = f"line {call.line}" if call.line is not None else f"ref {call.ref!r}"
            message = (
                f"{call.action} {call.message_id} sent by the {_SHOW_SIDE[call.side]} at {where} got no"
                f" answer before the charge point reconnected ({cause})"
            )
            subject = _named(station, call.action, call.message_id)
            found.append(Finding(_WARNING, "rpc.unanswered-before-reconnect", message, subject, ref))
            if call.action in station.watched:
                found += self._tell(station, call, "unanswered")
            if call.action == "StartTransaction" and isinstance(station.transactions, Transactions16):
                found += [
                    _at(f, station.name)
                    for f in station.transactions.start_transaction_error(call.request, ref=call.ref)
                ]
            self._close(station, call)
            station.dropped[(call.message_id, call.side)] = call
            while len(station.dropped) > _RECENT_IDS:
                station.dropped.popitem(last=False)
        station.last_call.clear()
        if keep is not None and keep.side is not None:
            station.last_call[keep.side] = keep.seq
        station.timed_out.clear()
        return found

    def _request(
        self,
        station: _Station,
        action: str,
        payload: Mapping[str, Any],
        at: datetime | None,
        ref: object,
        line: int | None = None,
    ) -> list[Finding]:
        """Drive the machines with a request."""
        if action not in _REQUEST_ACTIONS:
            return []
        if action == "BootNotification":
            station.boot = "sent"
            return []
        if not self._room(station, action, payload):
            message = f"{action} ignored: more connectors or open transactions than can be followed"
            return [Finding(_WARNING, "conversation.capacity", message, _subject(station.name, action), ref)]
        found: list[Finding] = []
        connectors, transactions = station.connectors, station.transactions
        try:  # one machine step; under the strict policy a refused move becomes an error finding
            if action == "StatusNotification":
                if isinstance(connectors, Connectors16):
                    found = connectors.status_notification(
                        payload.get("connectorId"), payload.get("status"), payload.get("errorCode"), ref=ref
                    )
                else:
                    found = connectors.status_notification(
                        payload.get("evseId"),
                        payload.get("connectorId"),
                        payload.get("connectorStatus"),
                        ref=ref,
                    )
            elif isinstance(transactions, Transactions16):
                if action == "MeterValues":
                    found = transactions.meter_values(payload, ref=ref, at=at, line=line)
                elif action == "StartTransaction":
                    found = self._boot_check(station, action, ref)
                    found += transactions.start_transaction(payload, ref=ref, at=at, line=line)
                elif action == "StopTransaction":
                    found = transactions.stop_transaction(payload, ref=ref, at=at, line=line)
            elif action == "TransactionEvent":
                if payload.get("eventType") == "Started":
                    found = self._boot_check(station, "TransactionEvent Started", ref)
                found += transactions.transaction_event(payload, ref=ref, line=line)
        except TransitionError as exc:
            found = [*found, Finding(_ERROR, f"{exc.machine}.transition", str(exc), "", ref)]
        name = station.name
        if not found or name is None:
            return found
        return [_at(f, name) for f in found]

    def _room(self, station: _Station, action: str, payload: Mapping[str, Any]) -> bool:
        """Whether the machines may grow for this request (hostile input must not exhaust memory)."""
        if action in ("StatusNotification", "StartTransaction"):
            key: object = as_int(payload.get("connectorId"))
            if action == "StatusNotification" and self.version != "1.6":
                key = (as_int(payload.get("evseId")), key)
            # Only integer ids are ever stored by the machines; anything else becomes a finding there.
            if key in station.connector_ids or key is None or (isinstance(key, tuple) and None in key):
                return True
            if len(station.connector_ids) >= MAX_CONNECTORS:
                return False
            station.connector_ids.add(key)
            return True
        transactions = station.transactions
        if isinstance(transactions, Transactions16):
            tx_id = as_int(payload.get("transactionId"))
            new = tx_id is not None and tx_id != -1 and transactions.get(tx_id) is None
        else:
            name = as_obj(payload.get("transactionInfo")).get("transactionId")
            new = isinstance(name, str) and transactions.get(name) is None
        if not new:
            return True
        running = sum(1 for tx in transactions.transactions() if tx.state not in ("Closed", "Ended"))
        return running < MAX_OPEN_TRANSACTIONS

    def _boot_check(self, station: _Station, what: str, ref: object) -> list[Finding]:
        if station.boot == "Accepted":
            return []
        # OCPP 1.6 §4.2, 2.x B01: a charge point starts its conversation with an accepted BootNotification.
        state = {None: "no BootNotification seen", "sent": "BootNotification not answered yet"}.get(
            station.boot, f"BootNotification {station.boot}"
        )
        return [Finding(_INFO, "conversation.start-before-boot", f"{what} with {state}", "", ref)]

    def _heartbeat(self, station: _Station, at: datetime, ref: object) -> Sequence[Finding]:
        """Check the spacing of back-to-back heartbeats (before the caller notes *at* as the last frame)."""
        previous, quiet = station.last_heartbeat_at, station.last_heartbeat_at == station.last_cp_at
        station.last_heartbeat_at = at
        interval = station.heartbeat
        if previous is None or not quiet or interval is None or at - previous <= interval * HEARTBEAT_SLACK:
            return ()
        # OCPP 1.6 §4.6, 2.x G02: with no other traffic a heartbeat is due after each interval.
        message = f"heartbeat {at - previous} after the previous one (interval {interval})"
        return [Finding(_WARNING, "heartbeat.late", message, _subject(station.name, "heartbeat"), ref)]

    # -- answers -----------------------------------------------------------------------------------------

    def _answer(
        self,
        station: _Station,
        type_id: int,
        message_id: str,
        payload: Mapping[str, Any],
        error_code: object,
        side: Side | None,
        at: datetime | None,
        ref: object,
    ) -> list[Finding]:
        seqs = station.by_id.get(message_id)
        if seqs is None:
            call = None
        elif len(seqs) == 1:
            # The one open CALL with this id (what _match and _close do for it, inline).
            call = station.open.pop(seqs[0])
            del station.by_id[message_id]
        else:
            call = self._match(station, message_id, side)
        late = False
        if call is None:
            call = self._match_timed_out(station, message_id, side) if station.timed_out else None
            late = call is not None
        if call is None:
            kind = "CALLRESULT" if type_id == 3 else "CALLERROR"
            subject = _subject(station.name, f"{kind} {message_id}")
            found = [
                Finding(
                    _WARNING,
                    "rpc.orphan-result",
                    f"{kind} {message_id} answers no open CALL",
                    subject,
                    ref,
                )
            ]
            if type_id == 4:
                found += self._error_code(station, error_code, message_id, "", ref)
            return found
        found = []
        call_side = call.side
        if side is not None and call_side == side:
            kind = "CALLRESULT" if type_id == 3 else "CALLERROR"
            message = f"{kind} travels {_SHOW_SIDE[side]} -> other side, like its CALL"
            found.append(
                Finding(
                    _ERROR, "rpc.result-direction", message, _named(station, call.action, message_id), ref
                )
            )
        answer_side = side or (OTHER[call_side] if call_side is not None else None)
        if answer_side == "cp" and at is not None:
            station.last_cp_at = at
        timeout = self.call_timeout
        if late or timeout is not None:
            waited = at - call.at if at is not None and call.at is not None else None
            if late or (timeout is not None and waited is not None and waited > timeout):
                kind = "CALLRESULT" if type_id == 3 else "CALLERROR"
                shown = f" after {waited}" if waited is not None else ""
                found.append(
                    Finding(
                        _WARNING,
                        "rpc.late-result",
                        f"{kind}{shown}, past the call timeout",
                        _named(station, call.action, message_id),
                        ref,
                    )
                )
        station.answered.append(message_id)
        self.answered = call.ref
        action = call.action
        if type_id == 4:
            found += self._error_code(station, error_code, message_id, action, ref)
            found += self._failed(station, call, ref)
            if action in station.watched:
                code = error_code if isinstance(error_code, str) else None
                found += self._tell(station, call, "error", error_code=code, answered_at=at, answer_ref=ref)
        else:
            if action in _RESULT_ACTIONS:
                found += self._result(station, call, payload, at, ref)
            if action in station.watched:
                told = self._tell(station, call, "result", payload, None, at, ref)
                if told:
                    found += told
        return found

    def _tell(
        self,
        station: _Station,
        call: _Open,
        outcome: Outcome,
        response: Mapping[str, Any] | None = None,
        error_code: str | None = None,
        answered_at: datetime | None = None,
        answer_ref: object = None,
    ) -> list[Finding]:
        """Hand one completed exchange to the watchers that want its action."""
        action, name = call.action, station.name
        wanting = station.wanting.get(action)
        if wanting is None:
            wanting = station.wanting[action] = tuple(w for w in station.watchers if action in w.actions)
        found: list[Finding] = []
        if not wanting:
            return found
        exchange = _exchange(
            self.version,
            name,
            action,
            call.message_id,
            call.side,
            call.request if call.request is not None else {},
            outcome,
            response,
            error_code,
            call.at,
            answered_at,
            call.ref,
            answer_ref,
        )
        for watcher in wanting:
            said = watcher.exchange(exchange)
            if said:
                found += said if name is None else [_at(f, name) for f in said]
        return found

    def _match(self, station: _Station, message_id: str, side: Side | None) -> _Open | None:
        seqs = station.by_id.get(message_id)
        if not seqs:
            return None
        if len(seqs) == 1:
            call = station.open[seqs[0]]
            self._close(station, call)
            return call
        calls = [station.open[seq] for seq in reversed(seqs)]
        # An answer travels against its CALL; one that seems to travel with it (a mislabelled
        # direction) still answers it, and the direction is reported.
        call = next((c for c in calls if side is None or c.side is None or c.side != side), calls[0])
        self._close(station, call)
        return call

    @staticmethod
    def _match_timed_out(station: _Station, message_id: str, side: Side | None) -> _Open | None:
        for other in ((OTHER[side],) if side is not None else ("cp", "csms")) + (None,):
            call = station.timed_out.pop((message_id, other), None)
            if call is not None:
                return call
        return None

    @staticmethod
    def _same_id(station: _Station, message_id: str, side: Side | None) -> _Open | None:
        """The most recent open CALL with this id that the same side may have sent."""
        for seq in reversed(station.by_id.get(message_id, ())):
            other = station.open[seq]
            if other.side is None or side is None or other.side == side:
                return other
        return None

    @staticmethod
    def _close(station: _Station, call: _Open) -> None:
        del station.open[call.seq]
        seqs = station.by_id[call.message_id]
        seqs.remove(call.seq)
        if not seqs:
            del station.by_id[call.message_id]

    def _sweep(self, station: _Station, now: datetime) -> list[Finding]:
        """Report CALLs older than the timeout (the sender has given up on them by now)."""
        assert self.call_timeout is not None
        found: list[Finding] = []
        for call in list(station.open.values()):
            if call.at is None:
                continue
            if now - call.at <= self.call_timeout:
                break  # calls are kept in arrival order; the rest are younger
            found += self._unanswered(station, call, f"no answer within {self.call_timeout}")
            self._close(station, call)
            station.timed_out[(call.message_id, call.side)] = call
            while len(station.timed_out) > _RECENT_IDS:
                station.timed_out.popitem(last=False)
            if call.action == "StartTransaction" and isinstance(station.transactions, Transactions16):
                found += station.transactions.start_transaction_error(call.request, ref=call.ref)
        return found

    def _unanswered(self, station: _Station, call: _Open, why: str) -> list[Finding]:
        """The fold gives up on a CALL: report it, and tell the watchers that want its action."""
        subject = _subject(station.name, f"{call.action} {call.message_id}")
        found = [Finding(_WARNING, "rpc.unanswered", f"{call.action}: {why}", subject, call.ref)]
        if call.action in station.watched:
            found += self._tell(station, call, "unanswered")
        return found

    def _error_code(
        self, station: _Station, code: object, message_id: str, action: str, ref: object
    ) -> list[Finding]:
        subject = _subject(station.name, f"{action} {message_id}".strip())
        if not isinstance(code, str) or code not in ERROR_CODES[self.version]:
            # OCPP-J 1.6 §4.2.3, 2.x part 4 §4.3: the error code comes from a closed list per version.
            return [
                Finding(
                    _ERROR,
                    "rpc.error-code",
                    f"{code!r} is not an OCPP {self.version} error code",
                    subject,
                    ref,
                )
            ]
        return [Finding(_INFO, "rpc.call-error", f"{action} answered with {code}", subject, ref)]

    def _failed(self, station: _Station, call: _Open, ref: object) -> list[Finding]:
        transactions = station.transactions
        if call.action == "StartTransaction" and isinstance(transactions, Transactions16):
            return [_at(f, station.name) for f in transactions.start_transaction_error(call.request, ref=ref)]
        return []

    def _result(
        self, station: _Station, call: _Open, payload: Mapping[str, Any], at: datetime | None, ref: object
    ) -> list[Finding]:
        """Drive the machines with the answer to a request."""
        if call.action not in _RESULT_ACTIONS:
            return []
        found: list[Finding] = []
        action, request, transactions = call.action, call.request, station.transactions
        if action == "BootNotification":
            status = payload.get("status")
            station.boot = status if isinstance(status, str) else "with a bad status"
            interval = as_int(payload.get("interval"))
            if station.boot == "Accepted":
                # A positive interval is the heartbeat period; 0 leaves it to the charge point.
                station.heartbeat = timedelta(seconds=interval) if interval and 0 < interval < 10**7 else None
                if isinstance(transactions, TransactionEvents):
                    transactions.boot()
        else:
            try:  # one machine step; under the strict policy a refused move becomes an error finding
                if isinstance(transactions, Transactions16):
                    if action == "Authorize":
                        found = transactions.authorize(request, payload, ref=ref)
                    elif action == "StartTransaction":
                        found = transactions.start_transaction_result(request, payload, ref=ref, at=at)
                    elif action == "StopTransaction":
                        found = transactions.stop_transaction_result(request, payload, ref=ref)
                elif action == "TransactionEvent":
                    found = transactions.transaction_event_result(request, payload, ref=ref)
            except TransitionError as exc:
                found = [Finding(_ERROR, f"{exc.machine}.transition", str(exc), "", ref)]
        name = station.name
        if not found or name is None:
            return found
        return [_at(f, name) for f in found]

    def _result_error(self, station: _Station, msg: Msg, ref: object) -> list[Finding]:
        # CALLRESULTERROR (OCPP 2.1 part 4 §4.2.5) refuses a CALLRESULT already sent.
        subject = _subject(station.name, f"CALLRESULTERROR {msg.message_id}")
        found = [
            f
            for f in self._error_code(station, msg.error_code, msg.message_id, "", ref)
            if f.code == "rpc.error-code"
        ]
        if msg.message_id in station.answered:
            found.append(
                Finding(_WARNING, "rpc.result-refused", f"CALLRESULT refused: {msg.error_code}", subject, ref)
            )
        else:
            message = "CALLRESULTERROR for no recent CALLRESULT"
            found.append(Finding(_WARNING, "rpc.orphan-result", message, subject, ref))
        return found


_EXCHANGE_FIELDS = (
    "version",
    "charge_point",
    "action",
    "message_id",
    "sender",
    "request",
    "outcome",
    "response",
    "error_code",
    "at",
    "answered_at",
    "ref",
    "answer_ref",
)
(
    _set_version,
    _set_charge_point,
    _set_action,
    _set_message_id,
    _set_sender,
    _set_request,
    _set_outcome,
    _set_response,
    _set_error_code,
    _set_at,
    _set_answered_at,
    _set_ref,
    _set_answer_ref,
) = (getattr(Exchange, name).__set__ for name in _EXCHANGE_FIELDS)


def _exchange(
    version: str,
    charge_point: str | None,
    action: str,
    message_id: str,
    sender: Side | None,
    request: Mapping[str, Any],
    outcome: Outcome,
    response: Mapping[str, Any] | None,
    error_code: str | None,
    at: datetime | None,
    answered_at: datetime | None,
    ref: object,
    answer_ref: object,
) -> Exchange:
    """``Exchange(...)``, its fields set through the slots' own setters.

    The frozen class's generated ``__init__`` only stores each field with
    ``object.__setattr__``; the setters store the same values at a fraction of
    the cost. A class that does more on creation (a ``__post_init__``, other
    fields) is built by its constructor instead (see below).
    """
    exchange: Exchange = _new_object(Exchange)
    _set_version(exchange, version)
    _set_charge_point(exchange, charge_point)
    _set_action(exchange, action)
    _set_message_id(exchange, message_id)
    _set_sender(exchange, sender)
    _set_request(exchange, request)
    _set_outcome(exchange, outcome)
    _set_response(exchange, response)
    _set_error_code(exchange, error_code)
    _set_at(exchange, at)
    _set_answered_at(exchange, answered_at)
    _set_ref(exchange, ref)
    _set_answer_ref(exchange, answer_ref)
    return exchange


if (  # pragma: no cover
    hasattr(Exchange, "__post_init__")
    or Exchange.__slots__ != _EXCHANGE_FIELDS
    or tuple(f.name for f in fields(Exchange)) != _EXCHANGE_FIELDS
):
    _exchange = Exchange  # a class that does more on creation is built by its constructor


def _subject(station: str | None, what: str) -> str:
    return what if station is None else f"{station}: {what}"


def _named(station: _Station, action: str, message_id: str) -> str:
    # Built only when a finding needs it: most frames cause none.
    return _subject(station.name, f"{action} {message_id}")


def _at(finding: Finding, station: str | None) -> Finding:
    """Prefix a machine's finding subject with the charge point it concerns."""
    if station is None:
        return finding
    subject = f"{station}: {finding.subject}" if finding.subject else station
    return Finding(finding.severity, finding.code, finding.message, subject, finding.ref)


def check(
    frames: Iterable[Frame | CapturedFrame],
    version: str,
    *,
    policy: Policy = "lenient",
    call_timeout: timedelta | None = None,
    max_meter_interval: timedelta | None = None,
    watchers: Sequence[str | WatcherFactory] | None = None,
) -> Iterator[Finding]:
    """Run a whole stream through a :class:`Conversation`; yield findings as they come, then the final ones.

    Plain frames carry no time, direction or charge point; capture records
    bring theirs. Each finding's ``ref`` is the frame's 0-based position.
    """
    conversation = Conversation(
        version,
        policy=policy,
        call_timeout=call_timeout,
        max_meter_interval=max_meter_interval,
        watchers=watchers,
    )
    for frame in frames:
        yield from conversation.feed(frame)
    yield from conversation.finish()
