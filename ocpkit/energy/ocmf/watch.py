"""The signed-meter-value watcher: OCMF records checked against the OCPP transaction that carries them.

Theory of operation: the conversation fold (:mod:`ocpkit.ocpp.conversation`) hands
this watcher the completed exchanges of the actions that carry meter values --
1.6 StartTransaction, MeterValues and StopTransaction (``transactionData``); 2.x
TransactionEvent and MeterValues -- one watcher per charge point. Every sampled
value with signed data (1.6 ``format: SignedData``, 2.x ``signedMeterValue``) is
unpacked (:func:`~ocpkit.energy.ocmf.unpack`), read as OCMF and, with the
``crypto`` extra, verified against the key it carries (or one configured, or one
the same meter sent earlier), the moment it arrives. It is tied to its
transaction: 1.6 by ``transactionId`` or the connector's running transaction,
2.x by ``transactionInfo.transactionId`` or the EVSE's. When the transaction
stops (and for those still open at the end of input) the watcher compares:

* the signed begin / end readings of the billing register with ``meterStart`` /
  ``meterStop`` (1.6) or the unsigned ``Transaction.Begin`` / ``Transaction.End``
  register values (2.x), within the signed value's resolution (at least 1 Wh);
  a register that counts the transaction only (OCMF Tab. 25 B2/B3/C2/C3, or one
  that begins at 0 while the unsigned start is not 0) is compared by its difference;
* the signed energy (end - begin) with the energy the unsigned samples give
  (:func:`ocpkit.energy.energy_delivered`);
* the order of the readings (time, register value, ``TX`` letters), the
  pagination counter (consecutive within a transaction, OCMF Tab. 2) and the
  meter serial (one source per transaction).

Findings carry the frame reference of the message that caused them. Identical
records sent twice (one record under both Begin and End, as the OCA note allows)
count once.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from ocpkit.energy import EnergyResult, Reading, energy_delivered, readings_from_payload
from ocpkit.energy._meter import SignedMeterValue
from ocpkit.energy.ocmf._carriage import Carried, unpack
from ocpkit.energy.ocmf._payload import OcmfReading, billing_readings
from ocpkit.energy.ocmf._record import Record
from ocpkit.energy.ocmf._verify import PublicKey, crypto_available, load_public_key, verify
from ocpkit.errors import EnergyError, OcmfInvalid
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp.watch import Exchange

__all__ = ["MAX_RECORDS", "SignedMeterValues", "watcher"]

MAX_RECORDS: Final = 1024
"""Signed records followed per transaction; more are verified but not compared."""
MAX_DEFERRED: Final = 32
"""Unsigned messages kept (unread) per transaction for the comparison at its end: the first and
the last half of this many, so memory stays flat however long a transaction runs."""
_MAX_OPEN: Final = 64
_REGISTER: Final = "Energy.Active.Import.Register"
_ERROR, _WARNING, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
_ONE_WH: Final = Decimal(1)


@dataclass
class _Signed:
    record: Record
    ref: object
    contexts: set[str]


@dataclass
class _Tx:
    tx_id: str
    signed: list[_Signed] = field(default_factory=list)
    unsigned: list[Reading] = field(default_factory=list)
    meter_start: Reading | None = None
    meter_stop: Reading | None = None
    ref: object = None
    stop_ref: object = None
    told_no_key: bool = False
    forged: set[str] = field(default_factory=set)  # records whose signature failed: no evidence
    # Messages without signed values, read only if the transaction turns out to carry some.
    later: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    latest: deque[tuple[str, Mapping[str, Any]]] = field(
        default_factory=lambda: deque(maxlen=MAX_DEFERRED // 2)
    )


class SignedMeterValues:
    """Watcher for one charge point (see the module docs); ``keys`` maps a meter serial,
    gateway serial or charge point id to a public key (any form) for records that carry none."""

    def __init__(
        self, version: str, charge_point: str | None, *, keys: Mapping[str, str | PublicKey] | None = None
    ) -> None:
        self.version = version
        self.charge_point = charge_point
        self.actions = (
            frozenset({"StartTransaction", "MeterValues", "StopTransaction"})
            if version == "1.6"
            else frozenset({"TransactionEvent", "MeterValues"})
        )
        self._keys: dict[str, str | PublicKey] = dict(keys or {})
        self._open: dict[str, _Tx] = {}
        self._by_place: dict[str, str] = {}  # "connector 1" / "evse 1" -> transaction id
        self._said: set[str] = set()  # once-per-charge-point notes

    # -- the watcher interface ---------------------------------------------------------------------

    def exchange(self, exchange: Exchange) -> list[Finding]:
        """Take one completed exchange; return its findings."""
        try:
            return self._exchange(exchange)
        except (EnergyError, OcmfInvalid, ArithmeticError, TypeError, ValueError, KeyError):
            # A payload the schemas refuse is reported by validation; here it carries nothing.
            return []

    def finish(self) -> list[Finding]:
        """End of input: compare what the transactions still open carried."""
        found: list[Finding] = []
        for tx in list(self._open.values()):
            found += self._close(tx, stopped=False)
        self._open.clear()
        return found

    # -- routing -------------------------------------------------------------------------------------

    def _exchange(self, exchange: Exchange) -> list[Finding]:
        request, action = exchange.request, exchange.action
        if action == "StartTransaction":
            response = exchange.response or {}
            tx_id = response.get("transactionId")
            if exchange.outcome != "result" or not isinstance(tx_id, int):
                return []
            tx = self._begin(str(tx_id), f"connector {request.get('connectorId')}", exchange.ref)
            tx.meter_start = next(iter(readings_from_payload(action, request)), None)
            if tx.meter_start is not None:
                tx.unsigned.append(tx.meter_start)
            return []
        if action == "StopTransaction":
            readings = readings_from_payload(action, request)
            tx = self._open.get(str(request.get("transactionId"))) or self._begin(
                str(request.get("transactionId")), None, exchange.ref
            )
            found = self._take(tx, readings, exchange.ref)
            tx.meter_stop = readings[-1]  # ocpkit.energy puts meterStop last
            tx.stop_ref = exchange.ref
            return found + self._end(tx)
        signed = _carries_signed(request)
        if action == "TransactionEvent":
            info = request.get("transactionInfo")
            if not isinstance(info, Mapping):
                return []
            tx_id = str(info.get("transactionId"))
            evse = request.get("evse")
            place = f"evse {evse.get('id')}" if isinstance(evse, Mapping) else None
            tx = self._open.get(tx_id) or self._begin(tx_id, place, exchange.ref)
            if place is not None:
                self._by_place[place] = tx_id
            found = self._take(tx, readings_from_payload(action, request), exchange.ref) if signed else []
            if not signed:
                self._defer(tx, action, request)
            if request.get("eventType") == "Ended":
                tx.stop_ref = exchange.ref
                found += self._end(tx)
            return found
        # MeterValues: 1.6 names the transaction (or its connector), 2.x the EVSE.
        tx_key = request.get("transactionId")
        if tx_key is None:
            place_id = request.get("connectorId") if self.version == "1.6" else request.get("evseId")
            place = f"{'connector' if self.version == '1.6' else 'evse'} {place_id}"
            tx_key = self._by_place.get(place)
        running = self._open.get(str(tx_key)) if tx_key is not None else None
        if not signed:
            if running is not None:
                self._defer(running, action, request)
            return []
        readings = readings_from_payload(action, request)
        if running is None:
            # Signed values outside a transaction (fiscal readings): checked on their own.
            found = []
            for r in readings:
                if r.signed is not None:
                    found += self._check_one(r.signed, None, exchange.ref)[1]
            return found
        return self._take(running, readings, exchange.ref)

    @staticmethod
    def _defer(tx: _Tx, action: str, request: Mapping[str, Any]) -> None:
        if len(tx.later) < MAX_DEFERRED // 2:
            tx.later.append((action, request))
        else:
            tx.latest.append((action, request))

    def _begin(self, tx_id: str, place: str | None, ref: object) -> _Tx:
        if len(self._open) >= _MAX_OPEN:
            oldest = next(iter(self._open))
            self._open.pop(oldest)
        tx = self._open[tx_id] = _Tx(tx_id, ref=ref)
        if place is not None:
            self._by_place[place] = tx_id
        return tx

    def _end(self, tx: _Tx) -> list[Finding]:
        self._open.pop(tx.tx_id, None)
        for place, tx_id in list(self._by_place.items()):
            if tx_id == tx.tx_id:
                del self._by_place[place]
        return self._close(tx, stopped=True)

    # -- one signed value --------------------------------------------------------------------------

    def _take(self, tx: _Tx, readings: Sequence[Reading], ref: object) -> list[Finding]:
        found: list[Finding] = []
        for r in readings:
            if r.signed is None:
                tx.unsigned.append(r)
                continue
            if r.value is not None:
                tx.unsigned.append(r)  # 2.x: the same sampled value states the value unsigned too
            record, said = self._check_one(r.signed, tx, ref)
            found += said
            if record is None:
                continue
            same = next((s for s in tx.signed if s.record.text == record.text), None)
            if same is not None:
                same.contexts.add(r.context)
                continue
            if len(tx.signed) < MAX_RECORDS:
                found += self._sequence(tx, record, ref)
                tx.signed.append(_Signed(record, ref, {r.context}))
        return found

    def _check_one(
        self, value: SignedMeterValue, tx: _Tx | None, ref: object
    ) -> tuple[Record | None, list[Finding]]:
        subject = "signed meter value" if tx is None else f"transaction {tx.tx_id}"
        found: list[Finding] = []
        try:
            carried = unpack(value)
        except OcmfInvalid as exc:
            return None, [Finding(_ERROR, "ocmf.unreadable", str(exc), subject, ref)]
        if not carried.is_ocmf:
            self._once(
                found,
                "other",
                _INFO,
                "ocmf.other-encoding",
                f"signed data in {carried.encoding_method!r}, not OCMF: not checked",
                subject,
                ref,
            )
            return None, found
        for note in carried.notes:
            self._once(found, note, _INFO, "ocmf.carriage", note, subject, ref)
        try:
            record = carried.record()
        except OcmfInvalid as exc:
            return None, [*found, Finding(_ERROR, "ocmf.unreadable", str(exc).splitlines()[0], subject, ref)]
        breaches = sorted({str(d.kind) for d in record.breaches})
        if breaches:
            found.append(
                Finding(
                    _INFO,
                    "ocmf.deviations",
                    f"OCMF record {record.payload.pagination_text}: " + ", ".join(breaches),
                    subject,
                    ref,
                )
            )
        found += self._verify(record, carried, tx, subject, ref)
        return record, found

    def _verify(
        self, record: Record, carried: Carried, tx: _Tx | None, subject: str, ref: object
    ) -> list[Finding]:
        found: list[Finding] = []
        source = record.payload.source or self.charge_point or ""
        key: str | PublicKey | None = carried.public_key or record.public_key_text
        if key is None:
            key = self._keys.get(source) or self._keys.get(self.charge_point or "")
        if key is None:
            if tx is None or not tx.told_no_key:
                found.append(
                    Finding(
                        _INFO,
                        "ocmf.no-public-key",
                        "no public key was sent for the signed values: not verified",
                        subject,
                        ref,
                    )
                )
                if tx is not None:
                    tx.told_no_key = True
            return found
        if not crypto_available():
            self._once(
                found,
                "crypto",
                _WARNING,
                "ocmf.unverified",
                "signatures not checked: install the 'crypto' extra (pip install 'ocpkit[crypto]')",
                subject,
                ref,
            )
            return found
        try:
            if not isinstance(key, PublicKey):
                algorithm = record.signature.algorithm
                key = load_public_key(key, curve=None if algorithm is None else algorithm.curve)
            result = verify(record, key)
        except OcmfInvalid as exc:
            return [
                *found,
                Finding(_WARNING, "ocmf.public-key-unreadable", str(exc).splitlines()[0], subject, ref),
            ]
        if source:
            self._keys.setdefault(source, key)
        if not result.valid:
            page = record.payload.pagination_text
            found.append(
                Finding(
                    _ERROR, "ocmf.signature-invalid", f"OCMF record {page}: {result.reason}", subject, ref
                )
            )
            if tx is not None:
                tx.forged.add(record.text)
        return found

    def _once(
        self,
        found: list[Finding],
        key: str,
        severity: Severity,
        code: str,
        message: str,
        subject: str,
        ref: object,
    ) -> None:
        if key not in self._said:
            self._said.add(key)
            found.append(Finding(severity, code, message, subject, ref))

    # -- checks across the records of one transaction ----------------------------------------------

    def _sequence(self, tx: _Tx, record: Record, ref: object) -> list[Finding]:
        """Meter serial and pagination of a new record against the transaction's previous one."""
        if not tx.signed:
            return []
        subject = f"transaction {tx.tx_id}"
        previous = tx.signed[-1].record
        found: list[Finding] = []
        before, now = previous.payload.source, record.payload.source
        if before and now and before != now:
            found.append(
                Finding(
                    _ERROR,
                    "ocmf.meter-changed",
                    f"signed values from meter {before!r}, then from {now!r}",
                    subject,
                    ref,
                )
            )
        a, b = previous.payload.pagination, record.payload.pagination
        if a is not None and b is not None and a.context == b.context == "T":
            # OCMF Tab. 2: each context's counter grows by exactly one per record.
            if b.number <= a.number:
                found.append(
                    Finding(
                        _ERROR,
                        "ocmf.reading-order",
                        f"pagination {b} follows {a}: the counter went back",
                        subject,
                        ref,
                    )
                )
            elif b.number != a.number + 1:
                missing = b.number - a.number - 1
                found.append(
                    Finding(
                        _ERROR,
                        "ocmf.pagination-gap",
                        f"pagination {b} follows {a}: {missing} record(s) missing",
                        subject,
                        ref,
                    )
                )
        return found

    def _close(self, tx: _Tx, *, stopped: bool) -> list[Finding]:
        if not tx.signed:
            return []
        subject = f"transaction {tx.tx_id}"
        ref = tx.stop_ref if tx.stop_ref is not None else tx.signed[-1].ref
        for action, request in (*tx.later, *tx.latest):
            try:
                tx.unsigned += readings_from_payload(action, request)
            except EnergyError:
                continue
        tx.later.clear()
        tx.latest.clear()
        if self.version != "1.6":
            # 2.x: the unsigned Transaction.Begin / Transaction.End register values, first and last.
            marks = sorted(
                (
                    r
                    for r in tx.unsigned
                    if r.value is not None and r.measurand == _REGISTER and r.phase is None
                ),
                key=lambda r: r.timestamp,
            )
            tx.meter_start = next((r for r in marks if r.context == "Transaction.Begin"), None)
            tx.meter_stop = next((r for r in reversed(marks) if r.context == "Transaction.End"), None)
        series = billing_readings(
            [r for s in tx.signed if s.record.text not in tx.forged for r in s.record.readings]
        )
        found = _order(series, subject, ref)
        begin = next((r for r in series if r.is_begin), None)
        end = next((r for r in reversed(series) if r.is_end), None)
        start, stop = _wh(tx.meter_start), _wh(tx.meter_stop) if stopped else None
        b_wh = None if begin is None else begin.energy_wh
        e_wh = None if end is None else end.energy_wh
        v16 = self.version == "1.6"
        if not _transaction_scoped(begin, start):
            if b_wh is not None and start is not None and abs(b_wh - start) > _tolerance(begin):
                what = ("begin", "meterStart" if v16 else "the unsigned Transaction.Begin value")
                found.append(_mismatch("ocmf.meter-start-mismatch", b_wh, start, what, subject, ref))
            if e_wh is not None and stop is not None and abs(e_wh - stop) > _tolerance(end):
                what = ("end", "meterStop" if v16 else "the unsigned Transaction.End value")
                found.append(_mismatch("ocmf.meter-stop-mismatch", e_wh, stop, what, subject, ref))
        if b_wh is not None and e_wh is not None and stopped:
            signed_energy = e_wh - b_wh
            unsigned = _unsigned_energy(tx.unsigned)
            if unsigned is not None and abs(signed_energy - unsigned) > _tolerance(begin) + _tolerance(end):
                found.append(
                    Finding(
                        _ERROR,
                        "ocmf.energy-mismatch",
                        f"signed energy {_show(signed_energy)} Wh, "
                        f"the unsigned meter values give {_show(unsigned)} Wh",
                        subject,
                        ref,
                    )
                )
        return found


def _carries_signed(request: Mapping[str, Any]) -> bool:
    """Whether a request holds a sampled value with signed data (1.6 SignedData, 2.x signedMeterValue)."""
    for key in _CARRIERS:
        elements = request.get(key)
        if not isinstance(elements, list):
            continue
        for element in elements:
            # Decoded JSON holds plain dicts: their type is checked before the abstract class.
            if type(element) is dict or isinstance(element, Mapping):
                samples = element.get("sampledValue")
                if not isinstance(samples, list):
                    continue
                for sample in samples:
                    if (type(sample) is dict or isinstance(sample, Mapping)) and (
                        sample.get("format") == "SignedData" or sample.get("signedMeterValue") is not None
                    ):
                        return True
    return False


_CARRIERS: Final = ("meterValue", "transactionData")


def _order(series: list[OcmfReading], subject: str, ref: object) -> list[Finding]:
    found: list[Finding] = []
    ended = False
    for previous, r in itertools.pairwise(series):
        if previous.time is not None and r.time is not None and r.time.utc < previous.time.utc:
            found.append(
                Finding(
                    _ERROR,
                    "ocmf.reading-order",
                    f"signed reading at {r.time} follows one at {previous.time}",
                    subject,
                    ref,
                )
            )
        a, b = previous.energy_wh, r.energy_wh
        if a is not None and b is not None and b < a:
            found.append(
                Finding(
                    _ERROR,
                    "ocmf.reading-order",
                    f"the signed register went down from {_show(a)} to {_show(b)} Wh",
                    subject,
                    ref,
                )
            )
        ended = ended or previous.is_end
        if (r.is_begin and previous.transaction is not None) or (ended and not r.is_end):
            found.append(
                Finding(
                    _ERROR,
                    "ocmf.reading-order",
                    f"TX {r.transaction} follows TX {previous.transaction}",
                    subject,
                    ref,
                )
            )
    return found


def _wh(reading: Reading | None) -> Decimal | None:
    if reading is None or reading.value is None:
        return None
    try:
        return reading.to("Wh")
    except EnergyError:
        return None


def _tolerance(reading: OcmfReading | None) -> Decimal:
    """The signed value's last digit in Wh, and never less than the 1 Wh of an OCPP meterStart."""
    if reading is None or reading.value is None:
        return _ONE_WH
    exponent = reading.value.as_tuple().exponent
    assert isinstance(exponent, int)
    step = Decimal(1).scaleb(exponent) * (1000 if reading.unit == "kWh" else 1)
    return max(_ONE_WH, step)


def _transaction_scoped(begin: OcmfReading | None, start: Decimal | None) -> bool:
    if begin is None:
        return False
    if begin.obis is not None and begin.obis.transaction_scoped:
        return True
    # A register at 0 at the begin of a transaction counts this transaction only (the OCA note's
    # DZG example: 0.000 -> 0.636 kWh while meterStop is the meter's total), unless the unsigned
    # start says the whole meter stood at 0.
    return begin.value == 0 and (start is None or start > _tolerance(begin))


def _unsigned_energy(readings: list[Reading]) -> Decimal | None:
    try:
        result: EnergyResult = energy_delivered(readings)
    except EnergyError:
        return None
    return result.energy_wh if result.samples >= 2 else None


def _show(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _mismatch(
    code: str, signed: Decimal, unsigned: Decimal, what: tuple[str, str], subject: str, ref: object
) -> Finding:
    hint = ""
    if unsigned and signed:
        ratio = signed / unsigned
        if Decimal("999") < ratio < Decimal("1001") or Decimal("0.000999") < ratio < Decimal("0.001001"):
            hint = " (a factor of 1000: a value in kWh sent as Wh, or the reverse?)"
    text = f"signed {what[0]} reading {_show(signed)} Wh differs from {what[1]} {_show(unsigned)} Wh{hint}"
    return Finding(_ERROR, code, text, subject, ref)


def watcher(version: str, charge_point: str | None) -> SignedMeterValues:
    """The factory :data:`ocpkit.ocpp.watch.DEFAULT_WATCHERS` names: one watcher per charge point."""
    return SignedMeterValues(version, charge_point)
