"""The closed value tables of OCMF and the catalogue of deviations, as data.

Theory of operation: each table of the OCMF document that lists the values a
field may take is one :class:`~enum.StrEnum` here, its members spelled exactly
as the document spells them (the table number is in the class docstring). A
field whose value is not in its table keeps the text as written (typed
``Enum | str`` in the models) and is reported as ``UndefinedTableValue``; it is
never mapped onto a member, and no predicate that could allow billing (meter
state OK, energy unit) answers yes for it.

:data:`DEVIATIONS` is the catalogue of everything the reader reports: one row
per :class:`DeviationKind` (its stable name, the section or table it departs
from, whether it breaks the specification or only needs knowing, and a message).
The names are the ones the language-neutral OCMF conformance suite matches on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "DEVIATIONS",
    "ChargePointIdType",
    "CurrentType",
    "Curve",
    "DeviationInfo",
    "DeviationKind",
    "IdentificationFlag",
    "IdentificationLevel",
    "IdentificationType",
    "MeterState",
    "SignatureAlgorithm",
    "SignatureEncoding",
    "TimeStatus",
    "TransactionReason",
    "Unit",
]


class TransactionReason(StrEnum):
    """``TX``: why a reading was taken, relative to the transaction (OCMF Tab. 7)."""

    BEGIN = "B"
    CHARGING = "C"
    EXCEPTION = "X"
    END = "E"
    END_LOCAL = "L"
    END_REMOTE = "R"
    ABORT = "A"
    POWER_FAILURE = "P"
    SUSPENDED = "S"
    TARIFF_CHANGE = "T"

    @property
    def is_end(self) -> bool:
        """True for the five letters that close a transaction (E, L, R, A, P)."""
        return self in _END_REASONS


_END_REASONS: Final = frozenset(
    {
        TransactionReason.END,
        TransactionReason.END_LOCAL,
        TransactionReason.END_REMOTE,
        TransactionReason.ABORT,
        TransactionReason.POWER_FAILURE,
    }
)


class MeterState(StrEnum):
    """``ST``: state of the meter when it was read (OCMF Tab. 10); only ``G`` is a working meter."""

    NOT_PRESENT = "N"
    OK = "G"
    TIMEOUT = "T"
    DISCONNECTED = "D"
    NOT_FOUND = "R"
    MANIPULATED = "M"
    EXCHANGED = "X"
    INCOMPATIBLE = "I"
    OUT_OF_RANGE = "O"
    SUBSTITUTE = "S"
    OTHER_ERROR = "E"
    READ_ERROR = "F"


class IdentificationLevel(StrEnum):
    """``IL``: overall state of the user assignment (OCMF Tab. 11)."""

    NONE = "NONE"
    HEARSAY = "HEARSAY"
    TRUSTED = "TRUSTED"
    VERIFIED = "VERIFIED"
    CERTIFIED = "CERTIFIED"
    SECURE = "SECURE"
    MISMATCH = "MISMATCH"
    INVALID = "INVALID"
    OUTDATED = "OUTDATED"
    UNKNOWN = "UNKNOWN"


class IdentificationFlag(StrEnum):
    """``IF`` elements: details of the user assignment, in four groups (OCMF Tab. 13-16)."""

    RFID_NONE = "RFID_NONE"
    RFID_PLAIN = "RFID_PLAIN"
    RFID_RELATED = "RFID_RELATED"
    RFID_PSK = "RFID_PSK"
    OCPP_NONE = "OCPP_NONE"
    OCPP_RS = "OCPP_RS"
    OCPP_AUTH = "OCPP_AUTH"
    OCPP_RS_TLS = "OCPP_RS_TLS"
    OCPP_AUTH_TLS = "OCPP_AUTH_TLS"
    OCPP_CACHE = "OCPP_CACHE"
    OCPP_WHITELIST = "OCPP_WHITELIST"
    OCPP_CERTIFIED = "OCPP_CERTIFIED"
    ISO15118_NONE = "ISO15118_NONE"
    ISO15118_PNC = "ISO15118_PNC"
    PLMN_NONE = "PLMN_NONE"
    PLMN_RING = "PLMN_RING"
    PLMN_SMS = "PLMN_SMS"

    @property
    def group(self) -> str:
        """``RFID``, ``OCPP``, ``ISO15118`` or ``PLMN`` (Tab. 13, 14, 15, 16)."""
        return self.value.split("_", 1)[0]


class IdentificationType(StrEnum):
    """``IT``: what kind of identification ``ID`` holds (OCMF Tab. 17)."""

    NONE = "NONE"
    DENIED = "DENIED"
    UNDEFINED = "UNDEFINED"
    ISO14443 = "ISO14443"
    ISO15693 = "ISO15693"
    EMAID = "EMAID"
    EVCCID = "EVCCID"
    EVCOID = "EVCOID"
    ISO7812 = "ISO7812"
    CARD_TXN_NR = "CARD_TXN_NR"
    CENTRAL = "CENTRAL"
    CENTRAL_1 = "CENTRAL_1"
    CENTRAL_2 = "CENTRAL_2"
    LOCAL = "LOCAL"
    LOCAL_1 = "LOCAL_1"
    LOCAL_2 = "LOCAL_2"
    PHONE_NUMBER = "PHONE_NUMBER"
    KEY_CODE = "KEY_CODE"


class ChargePointIdType(StrEnum):
    """``CT``: how ``CI`` names the charge point (OCMF Tab. 18)."""

    EVSEID = "EVSEID"
    CBIDC = "CBIDC"


class TimeStatus(StrEnum):
    """The letter after ``TM``: the state of the clock (OCMF Tab. 19)."""

    UNKNOWN = "U"
    INFORMATIVE = "I"
    SYNCHRONIZED = "S"
    RELATIVE = "R"


class Unit(StrEnum):
    """``RU`` and ``LU``: the predefined units (OCMF Tab. 20)."""

    KWH = "kWh"
    WH = "Wh"
    MILLIOHM = "mOhm"
    MICROOHM = "uOhm"

    @property
    def is_energy(self) -> bool:
        """True for kWh and Wh."""
        return self in (Unit.KWH, Unit.WH)


class CurrentType(StrEnum):
    """``RT``: the kind of current measured (OCMF Tab. 21)."""

    AC = "AC"
    DC = "DC"


class SignatureEncoding(StrEnum):
    """``SE``: how ``SD`` is written into its JSON string (OCMF Tab. 8)."""

    HEX = "hex"
    BASE64 = "base64"


class Curve(StrEnum):
    """The elliptic curves of the public-key types (OCMF Tab. 23), by their usual names."""

    SECP192K1 = "secp192k1"
    SECP256K1 = "secp256k1"
    SECP192R1 = "secp192r1"
    SECP256R1 = "secp256r1"
    BRAINPOOLP256R1 = "brainpoolP256r1"
    SECP384R1 = "secp384r1"
    BRAINPOOLP384R1 = "brainpoolP384r1"

    @property
    def size(self) -> int:
        """Bytes of one coordinate (and of ``r`` and ``s``)."""
        return _CURVE_SIZE[self]


_CURVE_SIZE: Final = {
    Curve.SECP192K1: 24,
    Curve.SECP192R1: 24,
    Curve.SECP256K1: 32,
    Curve.SECP256R1: 32,
    Curve.BRAINPOOLP256R1: 32,
    Curve.SECP384R1: 48,
    Curve.BRAINPOOLP384R1: 48,
}


class SignatureAlgorithm(StrEnum):
    """``SA``: the signature algorithms (OCMF Tab. 22): ECDSA with SHA-256 on seven curves."""

    ECDSA_SECP192K1_SHA256 = "ECDSA-secp192k1-SHA256"
    ECDSA_SECP256K1_SHA256 = "ECDSA-secp256k1-SHA256"
    ECDSA_SECP192R1_SHA256 = "ECDSA-secp192r1-SHA256"
    ECDSA_SECP256R1_SHA256 = "ECDSA-secp256r1-SHA256"
    ECDSA_BRAINPOOL256R1_SHA256 = "ECDSA-brainpool256r1-SHA256"
    ECDSA_SECP384R1_SHA256 = "ECDSA-secp384r1-SHA256"
    ECDSA_BRAINPOOL384R1_SHA256 = "ECDSA-brainpool384r1-SHA256"

    @property
    def curve(self) -> Curve:
        """The curve the algorithm signs on."""
        return _ALGORITHM_CURVE[self]

    @classmethod
    def lookup(cls, text: str) -> SignatureAlgorithm | None:
        """The algorithm *text* names, tolerating the spellings met in the field; ``None`` if none.

        The curve part is read case-insensitively, ``brainpoolP256r1`` is the table's
        ``brainpool256r1``, and the ANSI names (``prime256v1`` ...) are the NIST curves'
        synonyms (Tab. 22 lists them). The caller reports a spelling that is not the table's.
        """
        parts = text.split("-")
        if len(parts) != 3 or parts[0].upper() != "ECDSA" or parts[2].upper() != "SHA256":
            return None
        curve = parts[1].lower()
        if curve.startswith("brainpoolp"):
            curve = "brainpool" + curve[len("brainpoolp") :]
        return _ALGORITHM_BY_CURVE_TOKEN.get(curve)


_ALGORITHM_CURVE: Final = {
    SignatureAlgorithm.ECDSA_SECP192K1_SHA256: Curve.SECP192K1,
    SignatureAlgorithm.ECDSA_SECP256K1_SHA256: Curve.SECP256K1,
    SignatureAlgorithm.ECDSA_SECP192R1_SHA256: Curve.SECP192R1,
    SignatureAlgorithm.ECDSA_SECP256R1_SHA256: Curve.SECP256R1,
    SignatureAlgorithm.ECDSA_BRAINPOOL256R1_SHA256: Curve.BRAINPOOLP256R1,
    SignatureAlgorithm.ECDSA_SECP384R1_SHA256: Curve.SECP384R1,
    SignatureAlgorithm.ECDSA_BRAINPOOL384R1_SHA256: Curve.BRAINPOOLP384R1,
}
_ALGORITHM_BY_CURVE_TOKEN: Final = {
    "secp192k1": SignatureAlgorithm.ECDSA_SECP192K1_SHA256,
    "secp256k1": SignatureAlgorithm.ECDSA_SECP256K1_SHA256,
    "secp192r1": SignatureAlgorithm.ECDSA_SECP192R1_SHA256,
    "prime192v1": SignatureAlgorithm.ECDSA_SECP192R1_SHA256,
    "secp256r1": SignatureAlgorithm.ECDSA_SECP256R1_SHA256,
    "prime256v1": SignatureAlgorithm.ECDSA_SECP256R1_SHA256,
    "brainpool256r1": SignatureAlgorithm.ECDSA_BRAINPOOL256R1_SHA256,
    "secp384r1": SignatureAlgorithm.ECDSA_SECP384R1_SHA256,
    "prime384v1": SignatureAlgorithm.ECDSA_SECP384R1_SHA256,
    "brainpool384r1": SignatureAlgorithm.ECDSA_BRAINPOOL384R1_SHA256,
}


class DeviationKind(StrEnum):
    """Every departure the reader reports, by its stable name (see :data:`DEVIATIONS`)."""

    # structure of the record and its JSON
    PRETTY_PRINTED_PAYLOAD = "PrettyPrintedPayload"
    FOURTH_SECTION_PUBLIC_KEY = "FourthSectionPublicKey"
    DUPLICATE_KEY = "DuplicateKey"
    CONTROL_CHARACTER_IN_STRING = "ControlCharacterInString"
    NON_CANONICAL_NUMBER = "NonCanonicalNumber"
    INVALID_STRING_ESCAPE = "InvalidStringEscape"
    # payload fields
    FORMAT_VERSION_MISSING = "FormatVersionMissing"
    FORMAT_VERSION_MALFORMED = "FormatVersionMalformed"
    FORMAT_VERSION_AHEAD_OF_REFERENCE = "FormatVersionAheadOfReference"
    SCALAR_FIELD_NOT_A_STRING = "ScalarFieldNotAString"
    FIELD_TYPE_MISMATCH = "FieldTypeMismatch"
    FIELD_TOO_LONG = "FieldTooLong"
    UNKNOWN_KEY = "UnknownKey"
    UNDEFINED_TABLE_VALUE = "UndefinedTableValue"
    METER_SERIAL_MISSING = "MeterSerialMissing"
    SOURCE_UNIDENTIFIABLE = "SourceUnidentifiable"
    PAGINATION_MISSING = "PaginationMissing"
    PAGINATION_MALFORMED = "PaginationMalformed"
    PAGINATION_LEADING_ZERO = "PaginationLeadingZero"
    IDENTIFICATION_STATUS_MISSING = "IdentificationStatusMissing"
    IDENTIFICATION_FLAGS_MISSING = "IdentificationFlagsMissing"
    IDENTIFICATION_FLAGS_CARDINALITY = "IdentificationFlagsCardinality"
    IDENTIFICATION_FLAGS_DUPLICATE_GROUP = "IdentificationFlagsDuplicateGroup"
    IDENTIFICATION_TYPE_MISSING = "IdentificationTypeMissing"
    IDENTIFICATION_DATA_FORMAT = "IdentificationDataFormat"
    CHARGE_POINT_ID_FORMAT = "ChargePointIdFormat"
    LOSS_COMPENSATION_INCOMPLETE = "LossCompensationIncomplete"
    READINGS_MISSING = "ReadingsMissing"
    READINGS_TRUNCATED = "ReadingsTruncated"
    # readings
    EXTENSION_INSIDE_READING = "ExtensionInsideReading"
    RV_IS_STRING = "RvIsString"
    NUMBER_UNREPRESENTABLE = "NumberUnrepresentable"
    MANDATORY_READING_FIELD_MISSING = "MandatoryReadingFieldMissing"
    CARRIED_FORWARD_MANDATORY_FIELD = "CarriedForwardMandatoryField"
    TIME_OFFSET_WITH_COLON = "TimeOffsetWithColon"
    TIME_DOT_MILLISECONDS = "TimeDotMilliseconds"
    TIME_STATUS_MISSING = "TimeStatusMissing"
    TIME_SUB_SECOND_DIGITS = "TimeSubSecondDigits"
    TIME_MALFORMED = "TimeMalformed"
    OBIS_NON_CANONICAL = "ObisNonCanonical"
    OBIS_MALFORMED = "ObisMalformed"
    # signature section and verification
    ALGORITHM_IDENTIFIER_SPELLING = "AlgorithmIdentifierSpelling"
    SIGNATURE_DATA_MISSING = "SignatureDataMissing"
    SIGNATURE_DATA_UNDECODABLE = "SignatureDataUndecodable"
    RAW_SIGNATURE_NOT_DER = "RawSignatureNotDer"
    NON_CANONICAL_DER = "NonCanonicalDer"
    HIGH_S_SIGNATURE = "HighSSignature"

    @property
    def info(self) -> DeviationInfo:
        """This kind's row of :data:`DEVIATIONS`."""
        return DEVIATIONS[self]


@dataclass(frozen=True, slots=True)
class DeviationInfo:
    """One row of the catalogue: the rule departed from, whether it is a breach, and what it means.

    ``breach`` is False for what the specification (or the JSON it builds on) allows but a
    reader still needs to know: a pretty-printed payload, carried-forward fields, a duplicate
    key, an absent ``FV``, a version newer than the reference verifier reads, flags repeating a
    group, a cut ``RD`` and a high-``s`` signature. Strict parsing refuses breaches only.
    """

    rule: str
    breach: bool
    message: str


def _row(rule: str, message: str, *, breach: bool = True) -> DeviationInfo:
    return DeviationInfo(rule, breach, message)


_K = DeviationKind
DEVIATIONS: Final[Mapping[DeviationKind, DeviationInfo]] = MappingProxyType(
    {
        _K.PRETTY_PRINTED_PAYLOAD: _row(
            "OCMF JSON format",
            "the payload has whitespace between tokens (lawful; never re-serialise it)",
            breach=False,
        ),
        _K.FOURTH_SECTION_PUBLIC_KEY: _row(
            "OCMF sections", "a fourth section (a public key) follows the signature; the format has three"
        ),
        _K.DUPLICATE_KEY: _row(
            "OCMF JSON format", "a key appears twice in one object; the last one is used", breach=False
        ),
        _K.CONTROL_CHARACTER_IN_STRING: _row("RFC 8259 §7", "a raw control character inside a string"),
        _K.NON_CANONICAL_NUMBER: _row("RFC 8259 §6", "a number with a leading zero"),
        _K.INVALID_STRING_ESCAPE: _row(
            "RFC 8259 §7", "an escape RFC 8259 does not define, or an unpaired surrogate; readers disagree"
        ),
        _K.FORMAT_VERSION_MISSING: _row(
            "OCMF Tab. 1", "FV is absent (allowed, but the reference verifier needs it)", breach=False
        ),
        _K.FORMAT_VERSION_MALFORMED: _row("OCMF Tab. 1", "FV is not <major>.<minor>"),
        _K.FORMAT_VERSION_AHEAD_OF_REFERENCE: _row(
            "S.A.F.E. Transparenzsoftware",
            "FV is newer than 1.3, the last the reference verifier reads",
            breach=False,
        ),
        _K.SCALAR_FIELD_NOT_A_STRING: _row("OCMF Tab. 1-8", "a text field is a JSON number or boolean"),
        _K.FIELD_TYPE_MISMATCH: _row("OCMF Tab. 1-8", "a field has a JSON type its table does not allow"),
        _K.FIELD_TOO_LONG: _row("OCMF Tab. 4, 5, 24", "a text is longer than its table allows"),
        _K.UNKNOWN_KEY: _row(
            "OCMF extension points", "a key neither defined nor in a reserved extension range"
        ),
        _K.UNDEFINED_TABLE_VALUE: _row(
            "OCMF Tab. 2, 7, 8, 10-11, 13-22", "a value its table does not define"
        ),
        _K.METER_SERIAL_MISSING: _row("OCMF Tab. 3", "MS is absent although mandatory"),
        _K.SOURCE_UNIDENTIFIABLE: _row(
            "OCMF serial numbers, charge point and public key",
            "neither MS, GS nor CT with CI: nothing ties the record to a signing component",
        ),
        _K.PAGINATION_MISSING: _row("OCMF Tab. 2", "PG is absent although mandatory"),
        _K.PAGINATION_MALFORMED: _row("OCMF Tab. 2", "PG is not a context letter followed by digits"),
        _K.PAGINATION_LEADING_ZERO: _row("OCMF Tab. 2", "the PG counter has a leading zero"),
        _K.IDENTIFICATION_STATUS_MISSING: _row(
            "OCMF Tab. 4", "IS is absent although the record refers to a transaction"
        ),
        _K.IDENTIFICATION_FLAGS_MISSING: _row(
            "OCMF Tab. 4", "IF is absent; it is written as an array even when empty"
        ),
        _K.IDENTIFICATION_FLAGS_CARDINALITY: _row("OCMF Tab. 4", "IF has more than four elements"),
        _K.IDENTIFICATION_FLAGS_DUPLICATE_GROUP: _row(
            "OCMF Tab. 13-16", "IF holds two flags of one group", breach=False
        ),
        _K.IDENTIFICATION_TYPE_MISSING: _row("OCMF Tab. 4", "IT is absent although mandatory"),
        _K.IDENTIFICATION_DATA_FORMAT: _row("OCMF Tab. 17", "ID does not have the shape its IT prescribes"),
        _K.CHARGE_POINT_ID_FORMAT: _row("OCMF Tab. 18", "CI does not have the shape its CT prescribes"),
        _K.LOSS_COMPENSATION_INCOMPLETE: _row("OCMF Tab. 24", "LC lacks LR or LU"),
        _K.READINGS_MISSING: _row("OCMF readings", "RD is absent: the record holds no reading"),
        _K.READINGS_TRUNCATED: _row(
            "OCMF readings",
            "RD holds more readings than the reader keeps; the rest were dropped",
            breach=False,
        ),
        _K.EXTENSION_INSIDE_READING: _row(
            "OCMF extension points", "a reading holds a key Tab. 7 does not define"
        ),
        _K.RV_IS_STRING: _row("OCMF Tab. 7", "RV is a JSON string, not a number"),
        _K.NUMBER_UNREPRESENTABLE: _row(
            "OCMF Tab. 7, 24", "a number is malformed or too large for an exact 96-bit decimal; dropped"
        ),
        _K.MANDATORY_READING_FIELD_MISSING: _row(
            "OCMF Tab. 7", "a reading lacks a mandatory field and no earlier reading supplies it"
        ),
        _K.CARRIED_FORWARD_MANDATORY_FIELD: _row(
            "OCMF Tab. 7", "a mandatory field was omitted and taken from the reading before", breach=False
        ),
        _K.TIME_OFFSET_WITH_COLON: _row("OCMF Tab. 7", "the TM offset is written +hh:mm, not +hhmm"),
        _K.TIME_DOT_MILLISECONDS: _row("OCMF Tab. 7", "the TM milliseconds follow '.', not ','"),
        _K.TIME_STATUS_MISSING: _row("OCMF Tab. 19", "TM has no clock-state letter"),
        _K.TIME_SUB_SECOND_DIGITS: _row("OCMF Tab. 7", "the TM fraction is not three digits"),
        _K.TIME_MALFORMED: _row("OCMF Tab. 7", "TM is not a timestamp; the reading has no time"),
        _K.OBIS_NON_CANONICAL: _row("OCMF Tab. 25", "RI is not written in the form 01-00:B1.08.00*FF"),
        _K.OBIS_MALFORMED: _row("OCMF Tab. 25", "RI is not an OBIS code"),
        _K.ALGORITHM_IDENTIFIER_SPELLING: _row("OCMF Tab. 22", "SA is spelled differently from the table"),
        _K.SIGNATURE_DATA_MISSING: _row("OCMF Tab. 8", "SD is absent: there is no signature"),
        _K.SIGNATURE_DATA_UNDECODABLE: _row("OCMF Tab. 8", "SD does not decode with the encoding SE names"),
        _K.RAW_SIGNATURE_NOT_DER: _row("OCMF Tab. 8", "SD is a bare r||s although SM says DER"),
        _K.NON_CANONICAL_DER: _row(
            "OCMF Tab. 8", "SD is DER but not canonical (long lengths, padding or trailing bytes)"
        ),
        _K.HIGH_S_SIGNATURE: _row(
            "OCMF Tab. 8", "the signature's s is above n/2 (both forms verify)", breach=False
        ),
    }
)
assert set(DEVIATIONS) == set(DeviationKind), "every deviation kind has a catalogue row"
