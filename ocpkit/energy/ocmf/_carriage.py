"""How OCPP carries a signed meter value, unpacked to the OCMF text and its public key.

Theory of operation: OCPP 2.0.1 / 2.1 put a typed ``signedMeterValue`` into a
sampled value (``signedMeterData`` base64 of the meter's document,
``signingMethod``, ``encodingMethod``, ``publicKey``). OCPP 1.6 has no such
field: the OCA application note on signed meter values serialises the same
object as JSON into the sampled value's text (``format: SignedData``). Real
chargers depart from both: the OCMF text sent plainly or hex-encoded instead of
base64, no ``signingMethod`` although the note wants an empty string, a
``publicKey`` that is base64 of the printed hex key rather than the note's
``oca:`` form, or one wrapped in a JSON object. :func:`unpack` reads all of
these and says in :attr:`Carried.notes` which departure it met; it decides
nothing about the record itself (that is :func:`~ocpkit.energy.ocmf.parse`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ocpkit.energy._meter import SignedMeterValue
from ocpkit.energy.ocmf._record import HEADER, Record, parse
from ocpkit.energy.ocmf._tables import Curve
from ocpkit.energy.ocmf._verify import PublicKey, load_public_key
from ocpkit.errors import OcmfInvalid

__all__ = ["Carried", "unpack"]

_MAX_TEXT: Final = 256 * 1024


@dataclass(frozen=True, slots=True)
class Carried:
    """What one OCPP signed meter value carries.

    ``data`` is the signed document as text (for OCMF, the record); ``public_key`` the key
    text as sent (``None`` when empty or absent); ``notes`` the departures from the OCA note
    met while unpacking.
    """

    data: str
    encoding_method: str | None = None
    signing_method: str | None = None
    public_key: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_ocmf(self) -> bool:
        """True when the document is an OCMF record (by its header, or ``encodingMethod``)."""
        return self.data.lstrip().startswith(HEADER + "|") or (self.encoding_method or "").upper() == "OCMF"

    def record(self, *, strict: bool = False) -> Record:
        """The OCMF record (see :func:`~ocpkit.energy.ocmf.parse`)."""
        return parse(self.data, strict=strict)

    def key(self, curve: Curve | None = None) -> PublicKey | None:
        """The carried public key, read; ``None`` when none was sent (raises OcmfInvalid if unreadable)."""
        return None if self.public_key is None else load_public_key(self.public_key, curve=curve)


def _document(blob: str, notes: list[str]) -> str:
    """The signed document from ``signedMeterData``: base64 per the OCA note, else as it came."""
    text = blob.strip()
    if text.startswith(HEADER + "|"):
        notes.append("signedMeterData is the plain OCMF text, not base64")
        return text
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        as_text = decoded.decode("utf-8")
    except (binascii.Error, ValueError):
        pass
    else:
        if as_text.lstrip().startswith(HEADER + "|") or not _looks_hex(text):
            return as_text
    if _looks_hex(text):
        # The OCMF text names the 1.6 SignedData format "a hex-coded signed data block".
        try:
            as_text = bytes.fromhex(text).decode("utf-8")
        except ValueError:
            pass
        else:
            notes.append("signedMeterData is hex, not base64")
            return as_text
    notes.append("signedMeterData is neither base64 nor hex; taken as it is")
    return text


def _looks_hex(text: str) -> bool:
    return len(text) % 2 == 0 and bool(text) and all(c in "0123456789abcdefABCDEF" for c in text)


def _text_field(data: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = data.get(name)
        if isinstance(value, str):
            return value
        if value is not None:
            raise OcmfInvalid(f"signed meter value: {name} must be text, not {type(value).__name__}")
    return None


def unpack(value: SignedMeterValue | Mapping[str, Any] | str) -> Carried:
    """Unpack one signed meter value as OCPP carries it.

    *value* is a :class:`~ocpkit.energy.SignedMeterValue` (as :mod:`ocpkit.energy` reads
    sampled values), a 2.x ``signedMeterValue`` object (wire names), or the 1.6
    ``SignedData`` text. Raises :class:`~ocpkit.errors.OcmfInvalid` for a shape that carries
    no document at all.
    """
    if isinstance(value, SignedMeterValue):
        if value.signing_method is None and value.encoding_method is None and value.public_key is None:
            return _from_16_text(value.signed_meter_data)
        return _from_object(
            {
                "signedMeterData": value.signed_meter_data,
                "signingMethod": value.signing_method,
                "encodingMethod": value.encoding_method,
                "publicKey": value.public_key,
            },
            [],
        )
    if isinstance(value, str):
        return _from_16_text(value)
    if isinstance(value, Mapping):
        return _from_object(value, [])
    raise OcmfInvalid(f"a signed meter value is text or an object, not {type(value).__name__}")


def _from_16_text(raw: str) -> Carried:
    if len(raw) > _MAX_TEXT:
        raise OcmfInvalid(f"signed meter value longer than {_MAX_TEXT} characters")
    text = raw.strip()
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            notes: list[str] = []
            if "signingMethod" not in obj:
                notes.append("signingMethod is absent (the OCA note sends an empty string)")
            return _from_object(obj, notes)
    notes = ["the SignedData value is not the OCA note's JSON object"]
    return Carried(_document(text, notes), None, None, None, tuple(notes))


def _from_object(obj: Mapping[str, Any], notes: list[str]) -> Carried:
    blob = _text_field(obj, "signedMeterData", "signed_meter_data")
    if blob is None:
        raise OcmfInvalid("signed meter value without signedMeterData")
    if len(blob) > _MAX_TEXT:
        raise OcmfInvalid(f"signedMeterData longer than {_MAX_TEXT} characters")
    data = _document(blob, notes)
    key = _text_field(obj, "publicKey", "public_key")
    if key is not None and key.strip():
        try:
            shown = base64.b64decode(key.strip() + "=" * (-len(key.strip()) % 4), validate=True)
        except (binascii.Error, ValueError):
            shown = b""
        if not shown.lower().startswith(b"oca:"):
            notes.append("publicKey is not base64 of the OCA note's 'oca:' form")
    return Carried(
        data,
        _text_field(obj, "encodingMethod", "encoding_method"),
        _text_field(obj, "signingMethod", "signing_method"),
        key if key is not None and key.strip() else None,
        tuple(notes),
    )
