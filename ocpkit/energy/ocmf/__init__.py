"""OCMF, the Open Charge Metering Format: signed meter values read, verified and tied to OCPP.

Theory of operation
-------------------
A meter that signs its readings (German Eichrecht and others) writes one OCMF
record per signed value: ``OCMF|{payload}|{signature}``. The payload is a JSON
object (meter, user assignment, readings); the signature an ECDSA signature over
the payload text *exactly as written*. So this package never re-serialises: it
reads the sections as JSON while keeping the source text
(:func:`parse` -> :class:`Record`), types every field of the OCMF tables
(:class:`Payload`, :class:`OcmfReading`), and reports every departure from the
OCMF text as a :class:`Deviation` -- lenient by default, because most real
records depart somewhere (nine in ten have no meter serial), and strict on
request. :func:`verify` checks the signature (the ``crypto`` extra) against a key
in any form OCPP carries (:func:`load_public_key`).

:func:`unpack` unpacks the OCPP carriage (1.6
``SignedData`` text, 2.x ``signedMeterValue``, both as the OCA application note
on signed meter values describes them, with the field deviations seen in real
chargers), and :mod:`ocpkit.energy.ocmf.watch` is the conversation-fold watcher
that ties the records to their OCPP transaction. The OCPI side (a CDR's
``signed_data``) is in :mod:`ocpkit.bridge`.

Modules: ``_json`` (span-keeping JSON reader), ``_tables`` (the OCMF tables and
the deviation catalogue), ``_values`` (time, OBIS, pagination, numbers),
``_payload`` (the typed payload), ``_record`` (sections, strict/lenient),
``_verify`` (keys, DER, ECDSA), ``_carriage`` (OCPP), ``watch``.
"""

from __future__ import annotations

from ocpkit.energy.ocmf._carriage import Carried, unpack
from ocpkit.energy.ocmf._payload import MAX_READINGS, LossCompensation, OcmfReading, Payload, billing_readings
from ocpkit.energy.ocmf._record import HEADER, MAX_PAYLOAD, MAX_RECORD, Record, Signature, parse
from ocpkit.energy.ocmf._tables import (
    DEVIATIONS,
    ChargePointIdType,
    CurrentType,
    Curve,
    DeviationInfo,
    DeviationKind,
    IdentificationFlag,
    IdentificationLevel,
    IdentificationType,
    MeterState,
    SignatureAlgorithm,
    SignatureEncoding,
    TimeStatus,
    TransactionReason,
    Unit,
)
from ocpkit.energy.ocmf._values import Deviation, ObisCode, OcmfTime, Pagination
from ocpkit.energy.ocmf._verify import (
    CRYPTO_EXTRA,
    PublicKey,
    Verification,
    crypto_available,
    load_public_key,
    verify,
)

__all__ = [
    "CRYPTO_EXTRA",
    "DEVIATIONS",
    "HEADER",
    "MAX_PAYLOAD",
    "MAX_READINGS",
    "MAX_RECORD",
    "Carried",
    "ChargePointIdType",
    "CurrentType",
    "Curve",
    "Deviation",
    "DeviationInfo",
    "DeviationKind",
    "IdentificationFlag",
    "IdentificationLevel",
    "IdentificationType",
    "LossCompensation",
    "MeterState",
    "ObisCode",
    "OcmfReading",
    "OcmfTime",
    "Pagination",
    "Payload",
    "PublicKey",
    "Record",
    "Signature",
    "SignatureAlgorithm",
    "SignatureEncoding",
    "TimeStatus",
    "TransactionReason",
    "Unit",
    "Verification",
    "billing_readings",
    "crypto_available",
    "load_public_key",
    "parse",
    "unpack",
    "verify",
]
