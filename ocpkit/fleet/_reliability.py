"""Reliability figures of one charge point and its connectors, folded from its frames in time order (pure).

Theory of operation. :class:`ReliabilityFold` takes a charge point's frames
sorted by their log time and follows what they say about availability:

* *Status.* Each StatusNotification CALL sets its connector's status (1.6:
  ``connectorId``, ``status``, ``errorCode``; 2.0.1/2.1: ``evseId`` and
  ``connectorId`` joined as ``"evse/connector"``, ``connectorStatus``). The
  time from one report to the next report of the same connector, or to the
  charge point's last frame, is credited to the status reported, except the
  time inside a silence (below). Time before a connector's first report is not
  credited to any status.
* *Silences* (heartbeat gaps). Two consecutive frames of the charge point more
  than the silence threshold apart: the time between them is a silence,
  counted per charge point and credited to no status. The threshold is twice
  the heartbeat interval the CSMS set in its last BootNotification response,
  or :data:`DEFAULT_SILENCE` seconds when no response was seen, or what the
  caller gives.
* *Availability* of a connector is the share of its credited time whose status
  is neither Faulted nor Unavailable; None when no time was credited.
* *Sessions.* Started: a StartTransaction CALL (1.6), a TransactionEvent with
  ``eventType`` Started (2.x). Completed: a StopTransaction CALL (1.6), a
  TransactionEvent Ended (2.x). Failed to start: a StartTransaction answered
  with an ``idTagInfo.status`` other than Accepted, or a RemoteStartTransaction
  / RequestStartTransaction answered Rejected.
* *Faults.* A StatusNotification whose 1.6 ``errorCode`` is not NoError and
  whose (errorCode, vendorErrorCode) differs from the connector's previous
  report is one fault, counted by error code and by vendor code; a 2.x
  connector entering Faulted is one fault with code ``Faulted`` (2.x reports
  carry no error code).

Frames without a parsed log time count for sessions and faults, not for time.
A payload of the wrong shape is skipped: the verdicts report it. Memory holds
one entry per connector and per CALL awaiting its answer (bounded).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Final

from ocpkit.capture import CapturedFrame

__all__ = [
    "DEFAULT_SILENCE",
    "DOWN_STATUSES",
    "ConnectorFigures",
    "Reliability",
    "ReliabilityFold",
    "time_key",
]

DEFAULT_SILENCE: Final = 1800.0
"""Seconds without a frame that make a silence when no heartbeat interval is known."""
DOWN_STATUSES: Final = frozenset({"Faulted", "Unavailable"})
"""Statuses whose time counts against availability."""
_PENDING: Final = 10_000


def _seconds(frame: CapturedFrame) -> float | None:
    stamp = frame.timestamp
    if stamp is None or stamp.value is None:
        return None
    value = stamp.value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # a naive log time is read as UTC
    return value.timestamp()


def time_key(frame: CapturedFrame) -> float:
    """The sort key of a frame's log time in seconds (frames without one sort last)."""
    seconds = _seconds(frame)
    return seconds if seconds is not None else float("inf")


@dataclass
class ConnectorFigures:
    """What the log says of one connector; every field adds up under :meth:`merge`."""

    seconds: dict[str, float] = field(default_factory=dict)
    """Seconds credited to each status."""
    sessions_started: int = 0
    sessions_completed: int = 0
    sessions_failed_to_start: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    """Faults by error code."""
    vendor_faults: Counter[str] = field(default_factory=Counter)
    """Faults by vendor error code (those that name one)."""

    @property
    def availability(self) -> float | None:
        """Share of the credited time in a status other than Faulted or Unavailable (None: no time)."""
        total = sum(self.seconds.values())
        if total <= 0:
            return None
        down = sum(s for status, s in self.seconds.items() if status in DOWN_STATUSES)
        return (total - down) / total

    def merge(self, other: ConnectorFigures) -> ConnectorFigures:
        """The figures of both (sums; associative and commutative)."""
        seconds = dict(self.seconds)
        for status, n in other.seconds.items():
            seconds[status] = seconds.get(status, 0.0) + n
        return ConnectorFigures(
            seconds,
            self.sessions_started + other.sessions_started,
            self.sessions_completed + other.sessions_completed,
            self.sessions_failed_to_start + other.sessions_failed_to_start,
            self.faults + other.faults,
            self.vendor_faults + other.vendor_faults,
        )

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values (statuses and codes sorted)."""
        return {
            "seconds": {k: round(v, 3) for k, v in sorted(self.seconds.items())},
            "availability": self.availability,
            "sessions_started": self.sessions_started,
            "sessions_completed": self.sessions_completed,
            "sessions_failed_to_start": self.sessions_failed_to_start,
            "faults": dict(sorted(self.faults.items())),
            "vendor_faults": dict(sorted(self.vendor_faults.items())),
        }


@dataclass
class Reliability:
    """Reliability figures of one charge point (or, merged, of several): per connector and silences."""

    connectors: dict[str, ConnectorFigures] = field(default_factory=dict)
    """By connector: ``"1"`` (1.6, ``"0"`` the charge point as a whole), ``"1/1"`` (2.x evse/connector)."""
    silences: int = 0
    """Heartbeat gaps: stretches without any frame longer than the threshold."""
    silence_seconds: float = 0.0
    longest_silence: float = 0.0
    observed_seconds: float = 0.0
    """From the first to the last timed frame of the charge point."""

    @property
    def availability(self) -> float | None:
        """Availability of the connectors together: their credited time summed.

        Connector ``"0"`` (1.6: the charge point as a whole) is left out when other connectors exist.
        """
        figures = [f for c, f in self.connectors.items() if c != "0"] or list(self.connectors.values())
        total = ConnectorFigures()
        for f in figures:
            total = total.merge(f)
        return total.availability

    def merge(self, other: Reliability) -> Reliability:
        """The figures of both: per-connector sums, silences summed, the longest kept."""
        connectors = dict(self.connectors)
        for name, figures in other.connectors.items():
            mine = connectors.get(name)
            connectors[name] = figures if mine is None else mine.merge(figures)
        return Reliability(
            connectors,
            self.silences + other.silences,
            self.silence_seconds + other.silence_seconds,
            max(self.longest_silence, other.longest_silence),
            self.observed_seconds + other.observed_seconds,
        )

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values."""
        return {
            "availability": self.availability,
            "observed_seconds": round(self.observed_seconds, 3),
            "silences": self.silences,
            "silence_seconds": round(self.silence_seconds, 3),
            "longest_silence": round(self.longest_silence, 3),
            "connectors": {c: f.as_dict() for c, f in sorted(self.connectors.items())},
        }


class ReliabilityFold:
    """Fold one charge point's frames, in log-time order, into :class:`Reliability` figures.

    ``silence`` fixes the silence threshold in seconds (default: twice the
    heartbeat interval of the last BootNotification response, else
    :data:`DEFAULT_SILENCE`).
    """

    def __init__(self, silence: float | None = None) -> None:
        """Start with nothing seen."""
        self.fixed = silence
        self.interval: float | None = None
        self.result = Reliability()
        self.first: float | None = None
        self.last: float | None = None
        # connector -> (status, since, (errorCode, vendorErrorCode))
        self.state: dict[str, tuple[str, float | None, tuple[str, str]]] = {}
        self.calls: OrderedDict[str, tuple[str, str | None]] = OrderedDict()
        self.transactions: OrderedDict[str, str] = OrderedDict()

    def _figures(self, connector: str) -> ConnectorFigures:
        figures = self.result.connectors.get(connector)
        if figures is None:
            figures = self.result.connectors[connector] = ConnectorFigures()
        return figures

    def _threshold(self) -> float:
        if self.fixed is not None:
            return self.fixed
        return 2 * self.interval if self.interval else DEFAULT_SILENCE

    def _credit(self, until: float) -> None:
        """Credit each connector's status up to *until* and restart its clock there."""
        for connector, (status, since, codes) in self.state.items():
            if since is not None and until > since:
                _add(self._figures(connector).seconds, status, until - since)
            self.state[connector] = (status, until, codes)

    def feed(self, frame: CapturedFrame) -> None:
        """Take the next frame of the charge point (frames must come in log-time order)."""
        at = _seconds(frame)
        if at is not None:
            if self.first is None:
                self.first = at
            last = self.last
            if last is not None and at - last > self._threshold():
                self._credit(last)
                gap = at - last
                r = self.result
                r.silences += 1
                r.silence_seconds += gap
                r.longest_silence = max(r.longest_silence, gap)
                for connector, (status, _, codes) in self.state.items():
                    self.state[connector] = (status, at, codes)
            if last is None or at > last:
                self.last = at
        value = frame.value
        if not isinstance(value, list):
            return
        if frame.kind == "call" and len(value) > 3 and isinstance(value[3], dict):
            self._call(str(value[1]), frame.action, value[3], at)
        elif frame.kind in ("callresult", "callerror") and len(value) > 2:
            self._answer(str(value[1]), frame.kind, value[2])

    def _call(self, mid: str, action: str | None, payload: dict[str, Any], at: float | None) -> None:
        if action == "StatusNotification":
            self._status(payload, at)
            return
        connector: str | None = None
        if action == "StartTransaction":
            connector = _text(payload.get("connectorId"))
            if connector is not None:
                self._figures(connector).sessions_started += 1
        elif action == "StopTransaction":
            tx = _text(payload.get("transactionId"))
            done = self.transactions.pop(tx, None) if tx is not None else None
            self._figures(done if done is not None else "(unknown)").sessions_completed += 1
        elif action == "TransactionEvent":
            self._tx_event(payload)
            return
        elif action in ("RemoteStartTransaction", "RequestStartTransaction"):
            evse = payload.get("connectorId") if action == "RemoteStartTransaction" else payload.get("evseId")
            connector = _text(evse) or "(unknown)"
        elif action != "BootNotification":
            return
        self.calls[mid] = (action, connector)
        if len(self.calls) > _PENDING:
            self.calls.popitem(last=False)

    def _tx_event(self, payload: dict[str, Any]) -> None:
        info = payload.get("transactionInfo")
        tx = _text(info.get("transactionId")) if isinstance(info, dict) else None
        evse = payload.get("evse")
        connector = None
        if isinstance(evse, dict) and evse.get("id") is not None:
            connector = f"{_text(evse.get('id'))}/{_text(evse.get('connectorId', 1))}"
        if connector is None and tx is not None:
            connector = self.transactions.get(tx)
        event = payload.get("eventType")
        if event == "Started":
            if tx is not None and connector is not None:
                self._remember(tx, connector)
            self._figures(connector or "(unknown)").sessions_started += 1
        elif event == "Ended":
            if tx is not None:
                connector = self.transactions.pop(tx, connector)
            self._figures(connector or "(unknown)").sessions_completed += 1
        elif tx is not None and connector is not None and tx not in self.transactions:
            self._remember(tx, connector)

    def _remember(self, tx: str, connector: str) -> None:
        self.transactions[tx] = connector
        if len(self.transactions) > _PENDING:
            self.transactions.popitem(last=False)

    def _answer(self, mid: str, kind: str, payload: Any) -> None:
        call = self.calls.pop(mid, None)
        if call is None:
            return
        action, connector = call
        if action == "BootNotification":
            if isinstance(payload, dict) and payload.get("status") == "Accepted":
                interval = payload.get("interval")
                if isinstance(interval, int | float) and not isinstance(interval, bool) and interval > 0:
                    self.interval = float(interval)
            return
        if connector is None:
            return
        if kind != "callresult" or not isinstance(payload, dict):
            if action.endswith("StartTransaction"):
                self._figures(connector).sessions_failed_to_start += 1
            return
        if action == "StartTransaction":
            info = payload.get("idTagInfo")
            status = info.get("status") if isinstance(info, dict) else None
            if status != "Accepted":
                self._figures(connector).sessions_failed_to_start += 1
            tx = _text(payload.get("transactionId"))
            if tx is not None:
                self._remember(tx, connector)
        elif payload.get("status") == "Rejected":
            self._figures(connector).sessions_failed_to_start += 1

    def _status(self, payload: dict[str, Any], at: float | None) -> None:
        if "connectorStatus" in payload:  # 2.0.1 / 2.1
            status = payload.get("connectorStatus")
            connector = f"{_text(payload.get('evseId'))}/{_text(payload.get('connectorId'))}"
            codes = ("Faulted", "") if status == "Faulted" else ("NoError", "")
        else:
            status = payload.get("status")
            connector = _text(payload.get("connectorId")) or "(unknown)"
            error = payload.get("errorCode")
            vendor = payload.get("vendorErrorCode")
            codes = (
                error if isinstance(error, str) else "NoError",
                vendor if isinstance(vendor, str) else "",
            )
        if not isinstance(status, str):
            return
        figures = self._figures(connector)
        previous = self.state.get(connector)
        if codes[0] != "NoError" and (previous is None or previous[2] != codes):
            figures.faults[codes[0]] += 1
            if codes[1]:
                figures.vendor_faults[codes[1]] += 1
        if previous is not None and at is not None:
            since = previous[1]
            if since is not None and at > since:
                _add(figures.seconds, previous[0], at - since)
        self.state[connector] = (status, at if at is not None else (previous[1] if previous else None), codes)

    def finish(self) -> Reliability:
        """The charge point's frames ended: credit the open statuses up to its last timed frame."""
        if self.last is not None:
            self._credit(self.last)
        if self.first is not None and self.last is not None:
            self.result.observed_seconds += self.last - self.first
        return self.result


def _add(seconds: dict[str, float], status: str, n: float) -> None:
    seconds[status] = seconds.get(status, 0.0) + n


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)
