"""The record: header, payload and signature sections, and the exact text the signature covers.

Theory of operation: a record is ``OCMF|<payload object>|<signature object>``.
The sections are found by *reading* the payload as JSON and then requiring the
delimiter after it, not by splitting on ``|``: the document forbids a pipe
inside a section, but a tariff text can hold one, and a split would cut the
record in the middle of a string. Where no pipe hides in a string both ways
agree byte for byte. Only structure is fatal (no header, a section that is not
one JSON object, bytes between a section and its delimiter, more than four
sections); everything inside the objects is data and becomes a deviation.

The signed text is the slice between the first delimiter and the one that ends
the payload, whitespace included, exactly as received: it is never rebuilt.
:attr:`Record.text` is the input, so printing a record reproduces it byte for
byte. Strict parsing raises :class:`~ocpkit.errors.OcmfInvalid` listing every
deviation that breaks a rule; lenient parsing (the default) returns the record
with all of them in :attr:`Record.deviations`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ocpkit.energy.ocmf._json import JNumber, JObject, JsonError, JString, JValue, read_value
from ocpkit.energy.ocmf._payload import MAX_READINGS, OcmfReading, Payload, read_payload
from ocpkit.energy.ocmf._tables import DeviationKind, SignatureAlgorithm, SignatureEncoding
from ocpkit.energy.ocmf._values import Deviation, Notes
from ocpkit.errors import OcmfInvalid, Violation

if TYPE_CHECKING:
    from ocpkit.energy.ocmf._verify import PublicKey, Verification

__all__ = ["HEADER", "MAX_PAYLOAD", "MAX_RECORD", "Record", "Signature", "parse"]

HEADER: Final = "OCMF"
MAX_RECORD: Final = 128 * 1024
"""Longest record read (characters); real records are below 4 kB."""
MAX_PAYLOAD: Final = 64 * 1024
"""Longest payload section read (characters)."""
DEFAULT_ALGORITHM: Final = SignatureAlgorithm.ECDSA_SECP256R1_SHA256
DEFAULT_MIME: Final = "application/x-der"
_SIGNATURE_KEYS: Final = frozenset({"SA", "SE", "SM", "SD"})
_D = DeviationKind


@dataclass(frozen=True, slots=True)
class Signature:
    """The signature section (OCMF Tab. 8), with the defaults in force where a field is absent.

    ``algorithm`` is ``None`` when ``SA`` names something outside Tab. 22 (``algorithm_text``
    says what); such a record is never checked as another algorithm. ``data`` holds the
    decoded ``SD`` bytes (``None`` when absent or undecodable; ``data_text`` keeps the text).
    """

    algorithm: SignatureAlgorithm | None = DEFAULT_ALGORITHM
    algorithm_text: str | None = None
    encoding: SignatureEncoding | None = SignatureEncoding.HEX
    encoding_text: str | None = None
    mime_type: str = DEFAULT_MIME
    data: bytes | None = None
    data_text: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class Record:
    """One OCMF record as read: the exact text, its sections, the typed payload and the deviations.

    ``str(record)`` is the input text. :attr:`signed_text` / :attr:`signed_bytes` are what the
    signature covers. :attr:`public_key_text` is the withdrawn fourth section, when present.
    """

    text: str
    payload: Payload
    signature: Signature
    deviations: tuple[Deviation, ...]
    payload_span: tuple[int, int]
    signature_span: tuple[int, int]
    public_key_text: str | None = None

    @property
    def signed_text(self) -> str:
        """The payload section exactly as received: the text the signature covers."""
        return self.text[self.payload_span[0] : self.payload_span[1]]

    @property
    def signed_bytes(self) -> bytes:
        """:attr:`signed_text` as the UTF-8 bytes that were signed."""
        return self.signed_text.encode("utf-8", "surrogatepass")

    @property
    def signature_text(self) -> str:
        """The signature section exactly as received."""
        return self.text[self.signature_span[0] : self.signature_span[1]]

    @property
    def readings(self) -> tuple[OcmfReading, ...]:
        """The readings of the payload, carry-forward applied."""
        return self.payload.readings

    @property
    def breaches(self) -> tuple[Deviation, ...]:
        """The deviations that break a rule (what strict parsing refuses)."""
        return tuple(d for d in self.deviations if d.breach)

    def to_text(self) -> str:
        """The record, byte for byte as it was read."""
        return self.text

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def verify(self, key: PublicKey | str | bytes) -> Verification:
        """Check the signature against *key*; see :func:`ocpkit.energy.ocmf.verify`."""
        from ocpkit.energy.ocmf._verify import verify

        return verify(self, key)


def _fail(message: str, offset: int = 0) -> OcmfInvalid:
    return OcmfInvalid(f"not an OCMF record: {message}", [Violation("", "ocmf", f"{message} (at {offset})")])


def parse(data: str | bytes, *, strict: bool = False, max_readings: int = MAX_READINGS) -> Record:
    """Read an OCMF record (``OCMF|{payload}|{signature}``) from text or UTF-8 bytes.

    Lenient (default): every deviation from the OCMF text is in :attr:`Record.deviations`,
    the vendor departures met in the field included. ``strict=True`` raises
    :class:`~ocpkit.errors.OcmfInvalid` whose violations list every breach (advisory
    deviations such as a pretty-printed payload do not count). Either way, input that is not
    a record at all raises :class:`~ocpkit.errors.OcmfInvalid`.
    """
    text = _text(data)
    notes = Notes()
    lead = len(text) - len(text.lstrip(" \t\r\n"))
    if not text.startswith(HEADER, lead):
        raise _fail("the text does not begin with the header OCMF", lead)
    pipe = lead + len(HEADER)
    if not text.startswith("|", pipe):
        raise _fail("no delimiter after the header", pipe)

    payload_start = pipe + 1
    payload_value = _section(text, payload_start, notes, "payload")
    payload_end = _delimiter(text, payload_value.end)
    if payload_end is None:
        raise _fail("the signature section is missing", payload_value.end)
    if payload_end - payload_start > MAX_PAYLOAD:
        raise _fail(f"the payload section is longer than {MAX_PAYLOAD} characters", payload_start)
    if _whitespace_outside_strings(text, payload_start, payload_end):
        notes.add(_D.PRETTY_PRINTED_PAYLOAD, "/payload", payload_start)

    signature_start = payload_end + 1
    signature_value = _section(text, signature_start, notes, "signature")
    signature_end = _delimiter(text, signature_value.end)
    public_key: str | None = None
    if signature_end is not None:
        rest = text[signature_end + 1 :]
        if "|" in rest:
            raise _fail("more than four sections", signature_end + 1 + rest.index("|"))
        # S.A.F.E. issue #16: a withdrawn fourth section that carried the public key.
        notes.add(_D.FOURTH_SECTION_PUBLIC_KEY, "/publicKey", signature_end + 1)
        public_key = rest.strip()
    assert isinstance(payload_value, JObject) and isinstance(signature_value, JObject)

    payload = read_payload(payload_value, notes, max_readings=max_readings)
    signature = _signature(signature_value, notes)
    deviations = tuple(sorted(notes.items, key=lambda d: d.offset))
    if strict:
        breaches = [d for d in deviations if d.breach]
        if breaches:
            raise OcmfInvalid(
                f"the OCMF record breaks {len(breaches)} rule(s)",
                [
                    Violation(d.path, str(d.kind), f"{d.message}{': ' + d.value if d.value else ''}")
                    for d in breaches
                ],
            )
    return Record(
        text,
        payload,
        signature,
        deviations,
        (payload_start, payload_end),
        (signature_start, signature_end if signature_end is not None else len(text)),
        public_key,
    )


def _text(data: str | bytes) -> str:
    if isinstance(data, bytes | bytearray | memoryview):
        if len(data) > 4 * MAX_RECORD:
            raise _fail(f"longer than {MAX_RECORD} characters")
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(f"not UTF-8 ({exc.reason})", exc.start) from None
    if not isinstance(data, str):
        raise OcmfInvalid(f"an OCMF record is text or bytes, not {type(data).__name__}")
    if len(data) > MAX_RECORD:
        raise _fail(f"longer than {MAX_RECORD} characters")
    return data


def _section(text: str, start: int, notes: Notes, name: str) -> JValue:
    try:
        value = read_value(text, start, lambda kind, at: notes.add(DeviationKind(kind), f"/{name}", at))
    except JsonError as exc:
        raise _fail(f"the {name} section is not JSON: {exc}", exc.offset) from None
    if not isinstance(value, JObject):
        raise _fail(f"the {name} section is a JSON {value.kind}, not an object", value.start)
    return value


def _delimiter(text: str, pos: int) -> int | None:
    """The ``|`` after *pos* (whitespace allowed before it), ``None`` at the end of the text."""
    n = len(text)
    while pos < n:
        c = text[pos]
        if c == "|":
            return pos
        if c not in " \t\r\n":
            raise _fail(f"unexpected {c!r} after a section", pos)
        pos += 1
    return None


def _whitespace_outside_strings(text: str, start: int, end: int) -> bool:
    in_string = escaped = False
    for c in text[start:end]:
        if escaped:
            escaped = False
        elif in_string:
            if c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in " \t\r\n":
            return True
    return False


def _decode_signature(text: str, encoding: SignatureEncoding) -> bytes | None:
    try:
        if encoding == SignatureEncoding.HEX:
            return bytes.fromhex(text) if text.isascii() and " " not in text else None
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (ValueError, binascii.Error):
        return None


def _signature(obj: JObject, notes: Notes) -> Signature:
    def text(key: str) -> tuple[str, int] | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, JString):
            return value.value, value.start
        if isinstance(value, JNumber):
            notes.add(_D.SCALAR_FIELD_NOT_A_STRING, f"/signature/{key}", value.start)
            return value.text, value.start
        notes.add(_D.FIELD_TYPE_MISMATCH, f"/signature/{key}", value.start, value.kind)
        return None

    algorithm: SignatureAlgorithm | None = DEFAULT_ALGORITHM
    sa = text("SA")
    if sa is not None:
        algorithm = SignatureAlgorithm.lookup(sa[0])
        if algorithm is None:
            notes.add(_D.UNDEFINED_TABLE_VALUE, "/signature/SA", sa[1], sa[0])
        elif algorithm.value != sa[0]:
            notes.add(_D.ALGORITHM_IDENTIFIER_SPELLING, "/signature/SA", sa[1], sa[0])
    encoding: SignatureEncoding | None = SignatureEncoding.HEX
    se = text("SE")
    if se is not None:
        try:
            encoding = SignatureEncoding(se[0])
        except ValueError:
            encoding = None
            notes.add(_D.UNDEFINED_TABLE_VALUE, "/signature/SE", se[1], se[0])
    mime = DEFAULT_MIME
    sm = text("SM")
    if sm is not None:
        mime = sm[0]
        if mime != DEFAULT_MIME:
            notes.add(_D.UNDEFINED_TABLE_VALUE, "/signature/SM", sm[1], mime)
    data: bytes | None = None
    sd = text("SD")
    if sd is None:
        if "SD" not in obj:
            notes.add(_D.SIGNATURE_DATA_MISSING, "/signature/SD", obj.start)
    elif encoding is not None:
        data = _decode_signature(sd[0], encoding)
        if data is None:
            notes.add(_D.SIGNATURE_DATA_UNDECODABLE, "/signature/SD", sd[1])
    extensions: dict[str, Any] = {}
    for name in obj.names():
        if name.value in _SIGNATURE_KEYS:
            continue
        member = obj.get(name.value)
        assert member is not None
        extensions[name.value] = member.plain()
        # Signature section: U-Z for vendors, A-F for later processing steps.
        if not ("U" <= name.value[:1] <= "Z" or "A" <= name.value[:1] <= "F"):
            notes.add(_D.UNKNOWN_KEY, f"/signature/{name.value}", name.start, name.value)
    return Signature(
        algorithm,
        None if sa is None else sa[0],
        encoding,
        None if se is None else se[0],
        mime,
        data,
        None if sd is None else sd[0],
        extensions,
    )
