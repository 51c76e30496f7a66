"""Signed meter values in OCPI: a CDR's ``signed_data`` built from OCMF records, and checked.

Theory of operation: OCPI 2.2.1 / 2.3.0 carry the evidence of a session in
``CDR.signed_data`` (``SignedData``: ``encoding_method``, ``public_key``, one
``SignedValue`` per signed record with its ``nature``, and an optional ``url``).
:func:`signed_data` builds it from the signed values an OCPP transaction carried
(:attr:`~ocpkit.bridge.OcppTransaction.readings` with ``signed`` set): each OCMF
record once, in the order received, verified against its key unless told not
to (a CDR should not pass on evidence that does not hold). ``nature`` follows
the OCA note's mapping: a record with an end reading (or sent under
``Transaction.End``) is ``End``, one with only a begin reading (or under
``Transaction.Begin``) is ``Start``, any other ``Intermediate``; ``signed_data``
is the record text in base64, ``plain_data`` its billing readings in words
(``"B 2024-03-01T08:00:00,000+0100 S 100.000 kWh 01-00:B0.08.00*FF"``), and
``public_key`` the key's DER SubjectPublicKeyInfo in base64.

:func:`check_signed_data` reads an incoming CDR's ``signed_data`` back: every
value decodes to an OCMF record, verifies against the CDR's key (or one given),
its nature fits its readings, and the signed energy (end - begin of the billing
register) equals ``total_energy`` within the resolution the readings and the
CDR state. The result lists :class:`~ocpkit.findings.Finding` objects.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from ocpkit.energy import ocmf
from ocpkit.errors import BridgeError, OcmfError, OcmfInvalid
from ocpkit.findings import Finding, Severity

if TYPE_CHECKING:
    from ocpkit.bridge._read import OcppTransaction

__all__ = ["SignedDataCheck", "check_signed_data", "signed_data"]

_PLAIN_MAX: Final = 512
_SIGNED_MAX: Final = 5000
_KEY_MAX: Final = 512
_ERROR, _WARNING, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _describe(reading: ocmf.OcmfReading) -> str:
    parts = [
        str(reading.transaction or "-"),
        str(reading.time) if reading.time is not None else "-",
        reading.value_text or "-",
        str(reading.unit or "-"),
        reading.obis_text or "-",
    ]
    return " ".join(parts)


def _plain(record: ocmf.Record) -> str:
    readings = ocmf.billing_readings(record.readings) or list(record.readings)
    text = "; ".join(_describe(r) for r in readings)
    return text if len(text) <= _PLAIN_MAX else text[: _PLAIN_MAX - 3] + "..."


def _nature(record: ocmf.Record, contexts: set[str]) -> str:
    if any(r.is_end for r in record.readings) or "Transaction.End" in contexts:
        return "End"
    if any(r.is_begin for r in record.readings) or "Transaction.Begin" in contexts:
        return "Start"
    return "Intermediate"


def signed_data(
    transaction: OcppTransaction,
    *,
    public_key: str | bytes | ocmf.PublicKey | None = None,
    url: str | None = None,
    verify: bool = True,
) -> dict[str, Any]:
    """The OCPI ``SignedData`` (wire-name dict) of the OCMF records *transaction* carried.

    *public_key* serves records that carry none (and is what ``public_key`` shows). With
    *verify* (default) every record must verify, which needs the ``crypto`` extra. Raises
    :class:`~ocpkit.errors.BridgeError` when there is no OCMF record, a record is unreadable
    or does not verify, the records were signed with different keys, or a value exceeds the
    OCPI lengths.
    """
    found: list[tuple[ocmf.Record, set[str], ocmf.Carried]] = []
    for reading in transaction.readings:
        if reading.signed is None:
            continue
        try:
            carried = ocmf.unpack(reading.signed)
            if not carried.is_ocmf:
                continue
            record = carried.record()
        except OcmfInvalid as exc:
            raise BridgeError(
                f"transaction {transaction.transaction_id}: {str(exc).splitlines()[0]}"
            ) from exc
        same = next((item for item in found if item[0].text == record.text), None)
        if same is not None:
            same[1].add(reading.context)
        else:
            found.append((record, {reading.context}, carried))
    if not found:
        raise BridgeError(f"transaction {transaction.transaction_id} carried no OCMF record")
    key_used: ocmf.PublicKey | None = None
    for record, _, carried in found:
        try:
            algorithm = record.signature.algorithm
            curve = None if algorithm is None else algorithm.curve
            given = public_key if public_key is not None else carried.public_key or record.public_key_text
            key = (
                given
                if isinstance(given, ocmf.PublicKey) or given is None
                else ocmf.load_public_key(given, curve=curve)
            )
            if verify:
                if key is None:
                    raise BridgeError(
                        f"OCMF record {record.payload.pagination_text}: no public key to verify it with"
                    )
                result = ocmf.verify(record, key)
                if not result.valid:
                    raise BridgeError(
                        f"OCMF record {record.payload.pagination_text} does not verify: {result.reason}"
                    )
        except (OcmfInvalid, OcmfError) as exc:
            raise BridgeError(str(exc).splitlines()[0]) from exc
        if key is not None:
            spki = key.spki(curve)
            if key_used is not None and key_used.spki(curve) != spki:
                raise BridgeError("the transaction's records were signed with different keys")
            key_used = (
                key if key.curve is not None or curve is None else ocmf.PublicKey(curve, key.point, key.forms)
            )
    values = []
    for record, contexts, _ in found:
        blob = base64.b64encode(record.text.encode("utf-8", "surrogatepass")).decode("ascii")
        if len(blob) > _SIGNED_MAX:
            raise BridgeError(
                f"OCMF record {record.payload.pagination_text}: {len(blob)} base64 characters, "
                f"OCPI allows {_SIGNED_MAX}"
            )
        values.append(
            {"nature": _nature(record, contexts), "plain_data": _plain(record), "signed_data": blob}
        )
    doc: dict[str, Any] = {"encoding_method": "OCMF", "signed_values": values}
    if key_used is not None:
        text = base64.b64encode(key_used.spki()).decode("ascii")
        if len(text) > _KEY_MAX:
            raise BridgeError(f"the public key is {len(text)} base64 characters, OCPI allows {_KEY_MAX}")
        doc["public_key"] = text
    if url is not None:
        doc["url"] = url
    return doc


@dataclass(frozen=True, slots=True)
class SignedDataCheck:
    """What :func:`check_signed_data` found: ``ok`` when no finding is an error.

    ``signed_energy_kwh`` is the end - begin of the billing register across the records
    (``None`` without both), ``records`` the readable records in order.
    """

    findings: tuple[Finding, ...]
    signed_energy_kwh: Decimal | None
    records: tuple[ocmf.Record, ...]

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity == _ERROR for f in self.findings)


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _step(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(min(exponent, 0))


def check_signed_data(cdr: Any, *, public_key: str | bytes | ocmf.PublicKey | None = None) -> SignedDataCheck:
    """Check a CDR's ``signed_data`` (model or wire dict, OCPI 2.2.1 / 2.3.0) against the CDR.

    Never raises for a bad CDR: every problem is a finding (``cdr.signed-data.*``).
    """
    found: list[Finding] = []
    subject = f"CDR {_field(cdr, 'id')}"
    data = _field(cdr, "signed_data")
    if data is None:
        return SignedDataCheck(
            (Finding(_INFO, "cdr.signed-data.absent", "the CDR carries no signed data", subject),), None, ()
        )
    method = str(_field(data, "encoding_method") or "")
    if method.upper() != "OCMF":
        finding = Finding(
            _WARNING, "cdr.signed-data.encoding", f"encoding {method!r} is not OCMF: not checked", subject
        )
        return SignedDataCheck((finding,), None, ())
    key_text = public_key if public_key is not None else _field(data, "public_key")
    values = _field(data, "signed_values") or []
    records: list[ocmf.Record] = []
    for i, value in enumerate(values if isinstance(values, Sequence) else []):
        where = f"{subject} signed_values[{i}]"
        try:
            text = base64.b64decode(str(_field(value, "signed_data") or ""), validate=True).decode("utf-8")
            record = ocmf.parse(text)
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            found.append(Finding(_ERROR, "cdr.signed-data.unreadable", str(exc).splitlines()[0], where))
            continue
        records.append(record)
        nature = str(_field(value, "nature") or "")
        if nature == "Start" and not any(r.is_begin for r in record.readings):
            found.append(
                Finding(
                    _WARNING,
                    "cdr.signed-data.nature",
                    "nature Start, but the record has no begin reading",
                    where,
                )
            )
        if nature == "End" and not any(r.is_end for r in record.readings):
            found.append(
                Finding(
                    _WARNING, "cdr.signed-data.nature", "nature End, but the record has no end reading", where
                )
            )
        if key_text is None:
            continue
        try:
            result = ocmf.verify(
                record, key_text if isinstance(key_text, ocmf.PublicKey | bytes) else str(key_text)
            )
        except OcmfError as exc:
            found.append(Finding(_WARNING, "cdr.signed-data.unverified", str(exc), where))
            continue
        except OcmfInvalid as exc:
            found.append(Finding(_ERROR, "cdr.signed-data.public-key", str(exc).splitlines()[0], where))
            continue
        if not result.valid:
            found.append(Finding(_ERROR, "cdr.signed-data.signature-invalid", result.reason, where))
    if key_text is None and records:
        found.append(
            Finding(
                _WARNING, "cdr.signed-data.no-public-key", "no public key: signatures not checked", subject
            )
        )
    series = ocmf.billing_readings(r for record in records for r in record.readings)
    begin = next((r for r in series if r.is_begin), None)
    end = next((r for r in reversed(series) if r.is_end), None)
    energy: Decimal | None = None
    if begin is not None and end is not None and begin.energy_wh is not None and end.energy_wh is not None:
        energy = (end.energy_wh - begin.energy_wh) / 1000
        total = _decimal(_field(cdr, "total_energy"))
        if total is None:
            found.append(
                Finding(_ERROR, "cdr.signed-data.energy-mismatch", "the CDR has no total_energy", subject)
            )
        else:
            slack = sum(
                (
                    _step(r.value) * (1 if r.unit == "kWh" else Decimal("0.001"))
                    for r in (begin, end)
                    if r.value is not None
                ),
                _step(total),
            )
            if abs(total - energy) > slack:
                shown = format(energy.normalize(), "f")
                message = f"total_energy {total} kWh, the signed readings give {shown} kWh"
                found.append(Finding(_ERROR, "cdr.signed-data.energy-mismatch", message, subject))
    elif records:
        found.append(
            Finding(
                _WARNING,
                "cdr.signed-data.incomplete",
                "no signed begin and end reading of one register",
                subject,
            )
        )
    return SignedDataCheck(tuple(found), energy, tuple(records))
