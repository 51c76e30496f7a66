"""Reading OCPP messages into one transaction (the first half of :mod:`ocpkit.bridge`).

Theory of operation: see :mod:`ocpkit.bridge`. :func:`read_transaction` checks every message and
field it uses and raises :class:`~ocpkit.errors.BridgeError` for anything it cannot read; meter
values go through :mod:`ocpkit.energy`. Times are cut to whole milliseconds here, once, so every
later step sees the times the OCPI documents will carry. Public names are re-exported by
:mod:`ocpkit.bridge`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from pydantic import BaseModel

from ocpkit import energy
from ocpkit.energy._meter import _parse_time
from ocpkit.errors import BridgeError, EnergyError

__all__ = ["IDTAG", "ConnectorKey", "Message", "OcppTransaction", "read_transaction"]

IDTAG: Final = "idTag"  # the OCPP 1.6 token: no type on the wire, an RFID uid by convention


@dataclass(frozen=True, slots=True)
class Message:
    """One OCPP request as received: action, payload (dict or typed model), receive time, response.

    ``at`` stands in for a timestamp the payload lacks (1.6 StatusNotification). ``response``
    matters for 1.6 StartTransaction, whose response carries the ``transactionId``.
    """

    action: str
    payload: object
    at: datetime | None = None
    response: object = None


#: An OCPP connector: the 1.6 ``connectorId`` or the 2.x ``(evse id, connector id)``.
ConnectorKey = int | tuple[int, int]


@dataclass(frozen=True, slots=True)
class OcppTransaction:
    """One OCPP transaction as the bridge needs it.

    ``ocpp`` is ``"1.6"`` or ``"2.x"``; ``connector`` the 1.6 connectorId or the 2.x
    ``(evse id, connector id)`` (connector id 0 when the station did not say; ``None`` when no
    event named the EVSE). ``id_token_type`` is ``"idTag"`` for 1.6, else the OCPP 2.x type.
    ``end`` is ``None`` while the transaction runs. ``start_estimated`` / ``end_estimated`` are
    ``None`` when the start / stop message was read; when :func:`read_transaction` was asked to
    estimate a missing end, they name the register meter value that stands for it (``"first
    MeterValues register reading at 2026-05-01T10:30:00Z"``), whose time is then ``start`` /
    ``end``. A transaction whose start is missing may have an empty ``id_token`` (no message named
    the token); a CDR or Session of it is then refused.
    """

    ocpp: str
    transaction_id: str
    connector: ConnectorKey | None
    start: datetime
    end: datetime | None
    id_token: str
    id_token_type: str
    remote_start: bool
    readings: tuple[energy.Reading, ...]
    states: tuple[tuple[datetime, str], ...]
    stop_reason: str | None = None
    start_estimated: str | None = None
    end_estimated: str | None = None

    @property
    def stopped(self) -> bool:
        """True once the transaction has an end: its stop (1.6 StopTransaction, 2.x Ended), or an estimate."""
        return self.end is not None

    @property
    def energy(self) -> energy.EnergyResult:
        """Energy delivered, from the register samples (``energy_wh`` is None without any).

        Its ``start_estimated`` / ``end_estimated`` are set when those of the transaction are.
        """
        return energy.energy_delivered(
            self.readings,
            start_missing=self.start_estimated is not None,
            end_missing=self.end_estimated is not None,
        )


# --------------------------------------------------------------------------- reading OCPP


def _mapping(obj: object, where: str) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    if isinstance(obj, BaseModel):
        # Typed OCPP/OCPI models are read through their wire names.
        dumped = obj.model_dump(by_alias=True, exclude_none=True)
        if isinstance(dumped, Mapping):
            return dumped
    raise BridgeError(f"{where}: expected an object, got {type(obj).__name__}")


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BridgeError(f"{where}/{key}: expected text, got {type(value).__name__}")
    return str(value)


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BridgeError(f"{where}: expected an integer, got {type(value).__name__}")
    return value


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _floor_ms(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    plain = datetime(
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=UTC
    )
    return plain - timedelta(microseconds=plain.microsecond % 1000)


def _utc_text(moment: datetime) -> str:
    """An OCPI DateTime: UTC, whole milliseconds at most, ``Z``."""
    moment = _floor_ms(moment)
    text = f"{moment:%Y-%m-%dT%H:%M:%S}"
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def _time(raw: object, at: datetime | None, where: str) -> datetime:
    try:
        return _floor_ms(_parse_time(at if raw is None and at is not None else raw, where))
    except EnergyError as exc:
        raise BridgeError(str(exc)) from None


def _messages(messages: Iterable[Message]) -> list[Message]:
    try:
        items = list(messages)
    except TypeError:
        raise BridgeError("messages must be an iterable of Message") from None
    for item in items:
        if not isinstance(item, Message):
            raise BridgeError(f"not a Message: {type(item).__name__}")
        if not isinstance(item.action, str):
            raise BridgeError("Message.action must be text")
        if item.at is not None and (not isinstance(item.at, datetime) or item.at.utcoffset() is None):
            raise BridgeError("Message.at must be a timezone-aware datetime")
    return items


def read_transaction(
    messages: Iterable[Message],
    *,
    transaction_id: str | int | None = None,
    estimate_start: bool = False,
    estimate_end: bool = False,
) -> OcppTransaction:
    """Fold the messages of one charge point into one :class:`OcppTransaction`.

    With several transactions in *messages*, *transaction_id* picks one (1.6: the id the
    StartTransaction response assigned; 2.x: ``transactionInfo.transactionId``). Raises
    :class:`~ocpkit.errors.BridgeError` when there is no start, the start has no id or time, the
    stop precedes the start, the messages mix OCPP 1.6 and 2.x, or a payload is malformed.

    A log that begins or ends mid-session lacks the start or the stop. With *estimate_start*, a
    transaction without its start (1.6 StartTransaction, 2.x Started) is read from its other
    messages: 1.6 MeterValues carrying its ``transactionId`` and its StopTransaction, 2.x its
    other TransactionEvents. Its start is then the first register meter value
    (``Energy.Active.Import.Register``) and ``start_estimated`` says which; the token is the one
    a later message names (1.6 StopTransaction ``idTag``, a 2.x event's ``idToken``), else empty.
    With *estimate_end*, a transaction without its stop ends at its last register meter value
    (``end_estimated``). Without a register meter value to stand for the missing end, a
    BridgeError says so.
    """
    items = _messages(messages)
    wanted = None if transaction_id is None else str(transaction_id)
    actions = {m.action for m in items}
    is16 = bool(actions & {"StartTransaction", "StopTransaction"})
    is2 = "TransactionEvent" in actions
    estimate = _Estimate(bool(estimate_start), bool(estimate_end))
    try:
        if is16 and is2:
            raise BridgeError("messages mix OCPP 1.6 transactions and 2.x TransactionEvents")
        if is2:
            return _read_v2(items, wanted, estimate)
        if is16 or (estimate.start and "MeterValues" in actions):
            return _read_v16(items, wanted, estimate)
    except EnergyError as exc:
        raise BridgeError(f"meter values: {exc}") from exc
    raise BridgeError(
        "no transaction start: neither StartTransaction nor TransactionEvent given"
        + ("" if estimate.start else " (estimate_start=True reads a transaction from its meter values)")
    )


@dataclass(frozen=True, slots=True)
class _Estimate:
    """Which missing ends read_transaction may estimate."""

    start: bool
    end: bool


# Where one message's readings came from, for naming the reading that stands for a missing end.
_Sources = list[tuple[str, tuple[energy.Reading, ...]]]


def _stand_in(
    sources: _Sources, which: str, tx_id: str, missing: str, other_end: datetime | None = None
) -> tuple[datetime, str]:
    """The time and the name of the register reading standing for the missing *which* end.

    *other_end*, when known, bounds the choice: a start is estimated from a reading before the
    stop, an end from one after the start.
    """
    readings = [r for _, found in sources for r in found]
    series = energy.energy_delivered(readings).series
    if other_end is not None:
        series = tuple(p for p in series if (p[0] < other_end if which == "start" else p[0] > other_end))
    if not series:
        bound = "" if other_end is None else " before its stop" if which == "start" else " after its start"
        raise BridgeError(
            f"transaction {tx_id}: no {missing}, and no register meter value "
            f"({energy.DEFAULT_MEASURAND}){bound} to estimate its {which} from"
        )
    at = series[0][0] if which == "start" else series[-1][0]
    label = next(
        (
            source
            for source, found in sources
            for r in found
            if r.timestamp == at and r.measurand == energy.DEFAULT_MEASURAND
        ),
        "meter",
    )
    word = "first" if which == "start" else "last"
    return _floor_ms(at), f"{word} {label} register reading at {_utc_text(at)}"


def _read_v16(items: Sequence[Message], wanted: str | None, estimate: _Estimate) -> OcppTransaction:
    starts: list[tuple[int, Message, Mapping[str, Any], str | None]] = []
    for index, m in enumerate(items):
        if m.action == "StartTransaction":
            req = _mapping(m.payload, "StartTransaction")
            tx_id = None
            if m.response is not None:
                res = _mapping(m.response, "StartTransaction response")
                tx_id = str(_int(res.get("transactionId"), "StartTransaction response/transactionId"))
            starts.append((index, m, req, tx_id))
    if wanted is not None:
        starts = [s for s in starts if s[3] == wanted]
    if not starts and estimate.start:
        return _read_v16_unstarted(items, wanted, estimate)
    if not starts:
        raise BridgeError(
            "no StartTransaction"
            + ("" if wanted is None else f" with transactionId {wanted}")
            + " (estimate_start=True reads a transaction from its meter values)"
        )
    if len(starts) > 1:
        raise BridgeError(f"{len(starts)} StartTransactions: name one with transaction_id")
    index, _start, req, tx_id = starts[0]
    if tx_id is None:
        # OCPP 1.6 §6.45: the id comes with the response; without it nothing names the transaction.
        raise BridgeError("StartTransaction without its response: the transaction has no id")
    connector = _int(req.get("connectorId"), "StartTransaction/connectorId")
    if connector <= 0:
        raise BridgeError("StartTransaction/connectorId must be > 0")
    id_tag = _text(req, "idTag", "StartTransaction")
    assert id_tag is not None
    start = _time(req.get("timestamp"), None, "StartTransaction/timestamp")
    begin = energy.readings_from_payload("StartTransaction", req)
    sources: _Sources = [("StartTransaction meterStart", begin)]
    return _fold_v16(items, tx_id, connector, id_tag, start, None, index, sources, estimate)


def _read_v16_unstarted(items: Sequence[Message], wanted: str | None, estimate: _Estimate) -> OcppTransaction:
    """A 1.6 transaction whose StartTransaction is not among *items* (start estimated)."""
    ids: dict[str, None] = {}
    connector: int | None = None
    id_tag = ""
    for m in items:
        if m.action not in ("MeterValues", "StopTransaction"):
            continue
        data = _mapping(m.payload, m.action)
        if "transactionId" not in data:
            continue
        tx = str(_int(data.get("transactionId"), f"{m.action}/transactionId"))
        if wanted is not None and tx != wanted:
            continue
        ids.setdefault(tx)
        if m.action == "MeterValues" and connector is None:
            found = _int(data.get("connectorId"), "MeterValues/connectorId")
            connector = found if found > 0 else None
        if m.action == "StopTransaction":
            id_tag = _text(data, "idTag", "StopTransaction", required=False) or id_tag
    if not ids:
        raise BridgeError(
            "no StartTransaction"
            + ("" if wanted is None else f" with transactionId {wanted}")
            + ", and no MeterValues or StopTransaction naming "
            + ("a transactionId" if wanted is None else "it")
        )
    if len(ids) > 1:
        raise BridgeError(f"{len(ids)} transactions without a StartTransaction: name one with transaction_id")
    (tx_id,) = ids
    # index 0: a RemoteStartTransaction of it came before the log began, with its StartTransaction.
    return _fold_v16(items, tx_id, connector, id_tag, None, "StartTransaction", 0, [], estimate)


def _fold_v16(
    items: Sequence[Message],
    tx_id: str,
    connector: int | None,
    id_tag: str,
    start: datetime | None,
    missing_start: str | None,
    index: int,
    sources: _Sources,
    estimate: _Estimate,
) -> OcppTransaction:
    """The 1.6 transaction *tx_id* from its messages; *start* is None when it is to be estimated."""
    states: list[tuple[datetime, str]] = []
    stops: list[Mapping[str, Any]] = []
    remote = False
    for position, m in enumerate(items):
        if m.action == "MeterValues":
            data = _mapping(m.payload, "MeterValues")
            if "transactionId" in data and str(data.get("transactionId")) == tx_id:
                sources.append(("MeterValues", energy.readings_from_payload("MeterValues", data)))
        elif m.action == "StopTransaction":
            data = _mapping(m.payload, "StopTransaction")
            if str(data.get("transactionId")) == tx_id:
                stops.append(data)
        elif m.action == "StatusNotification":
            data = _mapping(m.payload, "StatusNotification")
            if connector is not None and data.get("connectorId") == connector:
                status = _text(data, "status", "StatusNotification")
                assert status is not None
                states.append((_time(data.get("timestamp"), m.at, "StatusNotification/timestamp"), status))
        elif m.action == "RemoteStartTransaction" and position < index:
            data = _mapping(m.payload, "RemoteStartTransaction")
            remote = remote or (
                data.get("idTag") == id_tag and data.get("connectorId", connector) == connector
            )
    if len(stops) > 1:
        raise BridgeError(f"{len(stops)} StopTransactions for transaction {tx_id}")
    end = reason = None
    if stops:
        end = _time(stops[0].get("timestamp"), None, "StopTransaction/timestamp")
        reason = _text(stops[0], "reason", "StopTransaction", required=False)
        stop_readings = energy.readings_from_payload("StopTransaction", stops[0])
        sources.append(("StopTransaction transactionData", stop_readings[:-1]))
        sources.append(("StopTransaction meterStop", stop_readings[-1:]))
    start_note = end_note = None
    if start is None:
        start, start_note = _stand_in(sources, "start", tx_id, str(missing_start), end)
    if end is not None and end < start:
        raise BridgeError(
            "StopTransaction is earlier than "
            + ("StartTransaction" if start_note is None else f"the estimated start ({start_note})")
        )
    if end is None and estimate.end:
        end, end_note = _stand_in(sources, "end", tx_id, "StopTransaction", start)
    readings = tuple(r for _, found in sources for r in found)
    return OcppTransaction(
        "1.6",
        tx_id,
        connector,
        start,
        end,
        id_tag,
        IDTAG,
        remote,
        readings,
        tuple(states),
        reason,
        start_estimated=start_note,
        end_estimated=end_note,
    )


def _read_v2(items: Sequence[Message], wanted: str | None, estimate: _Estimate) -> OcppTransaction:
    by_id: dict[str, list[tuple[int, int, Mapping[str, Any]]]] = {}
    requests: list[tuple[int, Mapping[str, Any]]] = []
    for position, m in enumerate(items):
        if m.action == "TransactionEvent":
            req = _mapping(m.payload, "TransactionEvent")
            info = _mapping(req.get("transactionInfo"), "TransactionEvent/transactionInfo")
            tx = _text(info, "transactionId", "TransactionEvent/transactionInfo")
            assert tx is not None
            seq = _int(req.get("seqNo"), "TransactionEvent/seqNo")
            by_id.setdefault(tx, []).append((seq, position, req))
        elif m.action == "RequestStartTransaction":
            requests.append((position, _mapping(m.payload, "RequestStartTransaction")))
    if wanted is not None:
        by_id = {k: v for k, v in by_id.items() if k == wanted}
    if not by_id:
        raise BridgeError("no TransactionEvent" + ("" if wanted is None else f" for transaction {wanted}"))
    if len(by_id) > 1:
        raise BridgeError(f"{len(by_id)} transactions: name one with transaction_id")
    ((tx_id, events),) = by_id.items()
    # Events may arrive out of order (offline queues); seqNo gives their order.
    events.sort(key=lambda e: e[0])
    kinds = [e[2].get("eventType") for e in events]
    if "Started" not in kinds and not estimate.start:
        raise BridgeError(
            f"transaction {tx_id}: no Started event (estimate_start=True reads it from its other events)"
        )
    start: datetime | None = None
    if "Started" in kinds:
        _, started_at, started = events[kinds.index("Started")]
        start = _time(started.get("timestamp"), None, "TransactionEvent/timestamp")
    else:
        started_at = events[0][1]
    end = reason = None
    if "Ended" in kinds:
        ended = events[kinds.index("Ended")][2]
        end = _time(ended.get("timestamp"), None, "TransactionEvent/timestamp")
        info = _mapping(ended.get("transactionInfo"), "TransactionEvent/transactionInfo")
        reason = _text(info, "stoppedReason", "TransactionEvent/transactionInfo", required=False)
        if start is not None and end < start:
            raise BridgeError(f"transaction {tx_id}: Ended is earlier than Started")
    sources: _Sources = []
    states: list[tuple[datetime, str]] = []
    connector: ConnectorKey | None = None
    token: Mapping[str, Any] | None = None
    remote_ids: set[int] = set()
    remote_event: int | None = None
    for _seq, position, req in events:
        found = energy.readings_from_payload("TransactionEvent", req)
        sources.append((f"TransactionEvent {req.get('eventType')}", found))
        change = energy.charging_state_change("TransactionEvent", req)
        if change is not None:
            states.append((_floor_ms(change[0]), change[1]))
        evse = req.get("evse")
        if evse is not None and connector is None:
            evse_data = _mapping(evse, "TransactionEvent/evse")
            conn = evse_data.get("connectorId", 0)
            connector = (
                _int(evse_data.get("id"), "TransactionEvent/evse/id"),
                _int(conn, "evse/connectorId"),
            )
        if req.get("idToken") is not None and token is None:
            token = _mapping(req["idToken"], "TransactionEvent/idToken")
        info = _mapping(req.get("transactionInfo"), "TransactionEvent/transactionInfo")
        if info.get("remoteStartId") is not None:
            remote_ids.add(_int(info["remoteStartId"], "TransactionEvent/transactionInfo/remoteStartId"))
        if req.get("triggerReason") == "RemoteStart" and remote_event is None:
            remote_event = position
    remote = bool(remote_ids) or remote_event is not None
    # The request that authorised the transaction came before its RemoteStart event at the latest.
    anchor = started_at if remote_event is None else max(started_at, remote_event)
    # Simple stations name the token only in the CSMS's RequestStartTransaction: the one with the
    # transaction's remoteStartId, else the last one before the Started or RemoteStart event.
    # Without the Started event (a log begun mid-session) a request before the first event seen
    # may be for another transaction: only a RemoteStart event or a remoteStartId ties one to it.
    guess = start is not None or remote_event is not None
    candidates = [r for _, r in requests if _int_or_none(r.get("remoteStartId")) in remote_ids] or [
        r for p, r in requests if guess and p < anchor
    ]
    if token is None and candidates:
        token = _mapping(candidates[-1].get("idToken"), "RequestStartTransaction/idToken")
        remote = True
    start_note = end_note = None
    if start is None:
        start, start_note = _stand_in(sources, "start", tx_id, "Started event", end)
        if end is not None and end < start:
            raise BridgeError(
                f"transaction {tx_id}: Ended is earlier than the estimated start ({start_note})"
            )
    if end is None and estimate.end:
        end, end_note = _stand_in(sources, "end", tx_id, "Ended event", start)
    if token is None and start_note is None:
        raise BridgeError(f"transaction {tx_id}: no idToken in its events or a RequestStartTransaction")
    uid, kind = "", ""  # the start is missing and no other message names the token
    if token is not None:
        uid = str(_text(token, "idToken", "idToken"))
        kind = str(_text(token, "type", "idToken"))
    readings = tuple(r for _, found in sources for r in found)
    return OcppTransaction(
        "2.x",
        tx_id,
        connector,
        start,
        end,
        uid,
        kind,
        remote,
        readings,
        tuple(states),
        reason,
        start_estimated=start_note,
        end_estimated=end_note,
    )
