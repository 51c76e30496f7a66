"""The payload section, typed: general, pagination, meter, user assignment, EVSE, charge point, readings.

Theory of operation: :func:`read_payload` walks the payload object once, field by
field in the order of the OCMF tables, and builds the frozen :class:`Payload`
and its :class:`OcmfReading` tuple. A field is never the reason a record is
lost: a value of the wrong JSON type is dropped (``FieldTypeMismatch``), a
number or boolean where text belongs is read as its literal
(``ScalarFieldNotAString``), a value outside its table is kept verbatim
(``UndefinedTableValue``), and each of these is a deviation in the collector.

Readings follow the carry-forward rule of OCMF Tab. 7: a field a reading omits
takes the previous reading's value, within one record. ``TM``, ``TX``, ``RT``,
``EF``, ``ST`` and the ``RI``/``RU`` pair (a group: both or neither) carry;
``RV`` and ``CL`` do not, because an omitted value may also mean "this reading
reports an event, not a quantity", and only one of the two readings invents
energy. A mandatory field that is carried is reported as advisory; one with
nothing to carry from is a breach.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, TypeVar

from ocpkit.energy.ocmf._json import JArray, JBool, JNumber, JObject, JString, JValue
from ocpkit.energy.ocmf._tables import (
    ChargePointIdType,
    CurrentType,
    DeviationKind,
    IdentificationFlag,
    IdentificationLevel,
    IdentificationType,
    MeterState,
    TransactionReason,
    Unit,
)
from ocpkit.energy.ocmf._values import Notes, ObisCode, OcmfTime, Pagination, exact_number, parse_time

__all__ = ["MAX_READINGS", "LossCompensation", "OcmfReading", "Payload", "billing_readings", "read_payload"]

MAX_READINGS: Final = 4096
"""Readings kept from one ``RD``; more are dropped and reported (the largest real record has 6)."""

_D = DeviationKind
_E = TypeVar("_E")
_PAYLOAD_KEYS: Final = frozenset(
    {
        "FV",
        "GI",
        "GS",
        "GV",
        "PG",
        "MV",
        "MM",
        "MS",
        "MF",
        "IS",
        "IL",
        "IF",
        "IT",
        "ID",
        "TT",
        "CF",
        "LC",
        "CT",
        "CI",
        "RD",
    }
)
_READING_KEYS: Final = ("TM", "TX", "RV", "RI", "RU", "RT", "CL", "EF", "ST")
_LENGTH_LIMITS: Final = {"TT": 250, "CF": 25}
_ERROR_FLAGS: Final = frozenset("Et")
# OCMF 1.3 is the last version the S.A.F.E. reference verifier dispatches on.
_REFERENCE_VERSION: Final = (1, 3)


@dataclass(frozen=True, slots=True)
class LossCompensation:
    """``LC``: the cable-loss compensation the meter applied (OCMF Tab. 24)."""

    name: str | None = None
    identification: Decimal | None = None
    resistance: Decimal | None = None
    unit: Unit | str | None = None


@dataclass(frozen=True, slots=True)
class OcmfReading:
    """One entry of ``RD`` with carry-forward applied (OCMF Tab. 7).

    ``value`` is the exact decimal of ``RV`` (``value_text`` its spelling; ``None`` for an
    event-only reading or a value that cannot be held exactly); ``explicit`` the keys this
    reading wrote itself (the others were carried). Table fields hold the enum member, or
    the text as written when the table does not define it.
    """

    index: int
    time: OcmfTime | None
    transaction: TransactionReason | str | None
    value: Decimal | None
    value_text: str | None
    obis: ObisCode | None
    obis_text: str | None
    unit: Unit | str | None
    current_type: CurrentType | str | None
    cumulated_loss: Decimal | None
    error_flags: str
    state: MeterState | str | None
    explicit: frozenset[str] = frozenset()
    extensions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def billable(self) -> bool:
        """Whether this reading may count towards a bill at all: meter OK (``G``), no error flag, energy.

        A necessary condition only: the signature, the clock and the key still decide.
        """
        return (
            self.state == MeterState.OK
            and not self.error_flags
            and self.value is not None
            and isinstance(self.unit, Unit)
            and self.unit.is_energy
        )

    @property
    def energy_wh(self) -> Decimal | None:
        """The value in Wh when the unit is kWh or Wh, else ``None``."""
        if self.value is None or self.unit not in (Unit.KWH, Unit.WH):
            return None
        return self.value * 1000 if self.unit == Unit.KWH else self.value

    @property
    def is_begin(self) -> bool:
        """True for ``TX = B``."""
        return self.transaction == TransactionReason.BEGIN

    @property
    def is_end(self) -> bool:
        """True for the readings that end a transaction (``TX`` E, L, R, A or P)."""
        return isinstance(self.transaction, TransactionReason) and self.transaction.is_end


@dataclass(frozen=True, slots=True)
class Payload:
    """The payload section of an OCMF record, every field of OCMF Tab. 1-7 and 24 by name.

    Text fields are ``None`` when absent (or of a type that cannot be read); ``pagination``
    is ``None`` when ``PG`` cannot be read and ``pagination_text`` then holds what was
    written. ``extensions`` holds the vendor keys (``U``-``Z``) and any unknown key, as plain
    data (numbers as Decimal).
    """

    format_version: str | None = None
    gateway_identification: str | None = None
    gateway_serial: str | None = None
    gateway_version: str | None = None
    pagination: Pagination | None = None
    pagination_text: str | None = None
    meter_vendor: str | None = None
    meter_model: str | None = None
    meter_serial: str | None = None
    meter_firmware: str | None = None
    identification_status: bool | None = None
    identification_level: IdentificationLevel | str | None = None
    identification_flags: tuple[IdentificationFlag | str, ...] | None = None
    identification_type: IdentificationType | str | None = None
    identification_data: str | None = None
    tariff_text: str | None = None
    charge_controller_firmware: str | None = None
    loss_compensation: LossCompensation | None = None
    charge_point_id_type: ChargePointIdType | str | None = None
    charge_point_id: str | None = None
    readings: tuple[OcmfReading, ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str | None:
        """What identifies the signing component: the meter serial, else the gateway serial, else CI."""
        return self.meter_serial or self.gateway_serial or self.charge_point_id


def _table(enum: type[_E], text: str) -> _E | str:
    try:
        return enum(text)  # type: ignore[call-arg]
    except ValueError:
        return text


class _Fields:
    """Reads the fields of one JSON object, reporting what cannot be used as it is."""

    __slots__ = ("notes", "obj", "path")

    def __init__(self, obj: JObject, path: str, notes: Notes) -> None:
        self.obj, self.path, self.notes = obj, path, notes

    def at(self, key: str) -> str:
        return f"{self.path}/{key}"

    def text(self, key: str) -> tuple[str, int] | None:
        """A field the tables type as text, with its offset; numbers and booleans as their literal."""
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, JString):
            return value.value, value.start
        if isinstance(value, JNumber | JBool):
            self.notes.add(_D.SCALAR_FIELD_NOT_A_STRING, self.at(key), value.start)
            return value.text, value.start
        self.notes.add(_D.FIELD_TYPE_MISMATCH, self.at(key), value.start, value.kind)
        return None

    def plain_text(self, key: str) -> str | None:
        found = self.text(key)
        return None if found is None else found[0]

    def table(self, key: str, enum: type[_E]) -> _E | str | None:
        found = self.text(key)
        if found is None:
            return None
        value = _table(enum, found[0])
        if not isinstance(value, enum):
            self.notes.add(_D.UNDEFINED_TABLE_VALUE, self.at(key), found[1], found[0])
        return value

    def number(self, key: str) -> Decimal | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, JNumber):
            text = value.text
        elif isinstance(value, JString):
            text = value.value
        else:
            text = value.kind
        number = exact_number(text)
        if number is None:
            self.notes.add(_D.NUMBER_UNREPRESENTABLE, self.at(key), value.start, text)
        return number


def read_payload(obj: JObject, notes: Notes, *, max_readings: int = MAX_READINGS) -> Payload:
    """Type the payload object, reporting every deviation into *notes*."""
    f = _Fields(obj, "/payload", notes)
    start = obj.start

    format_version = f.plain_text("FV")
    if format_version is None:
        notes.add(_D.FORMAT_VERSION_MISSING, "/payload/FV", start)
    else:
        major, dot, minor = format_version.partition(".")
        if not (dot and major.isdigit() and minor.isdigit() and major.isascii() and minor.isascii()):
            notes.add(_D.FORMAT_VERSION_MALFORMED, "/payload/FV", start, format_version)
        elif (int(major), int(minor)) > _REFERENCE_VERSION:
            notes.add(_D.FORMAT_VERSION_AHEAD_OF_REFERENCE, "/payload/FV", start, format_version)

    pagination: Pagination | None = None
    pg = f.text("PG")
    if pg is None:
        if "PG" not in obj:
            notes.add(_D.PAGINATION_MISSING, "/payload/PG", start)
    else:
        pagination = Pagination.parse(pg[0])
        if pagination is None:
            notes.add(_D.PAGINATION_MALFORMED, "/payload/PG", pg[1], pg[0])
        else:
            digits = pg[0][1:]
            if len(digits) > 1 and digits.startswith("0"):
                notes.add(_D.PAGINATION_LEADING_ZERO, "/payload/PG", pg[1], pg[0])
            if pagination.context not in ("T", "F"):
                notes.add(_D.UNDEFINED_TABLE_VALUE, "/payload/PG", pg[1], pg[0])
    # OCMF Tab. 4: the user-assignment fields are present exactly when there is a transaction
    # reference, which a T-context PG states.
    in_transaction = "PG" in obj and (pagination is None or pagination.context == "T")

    meter_serial = f.plain_text("MS")
    if meter_serial is None:
        notes.add(_D.METER_SERIAL_MISSING, "/payload/MS", start)

    status: bool | None = None
    is_value = obj.get("IS")
    if is_value is None:
        if in_transaction:
            notes.add(_D.IDENTIFICATION_STATUS_MISSING, "/payload/IS", start)
    elif isinstance(is_value, JBool):
        status = is_value.value
    else:
        notes.add(_D.FIELD_TYPE_MISMATCH, "/payload/IS", is_value.start, is_value.kind)

    flags = _flags(obj.get("IF"), status is not None, notes, start)
    if status is not None and "IT" not in obj:
        notes.add(_D.IDENTIFICATION_TYPE_MISSING, "/payload/IT", start)
    id_type = f.table("IT", IdentificationType)

    texts = {}
    for key, limit in _LENGTH_LIMITS.items():
        texts[key] = f.plain_text(key)
        if texts[key] is not None and len(texts[key] or "") > limit:
            notes.add(_D.FIELD_TOO_LONG, f"/payload/{key}", start, f"{len(texts[key] or '')} characters")

    loss = _loss_compensation(obj.get("LC"), notes)
    level = f.table("IL", IdentificationLevel)
    cp_type = f.table("CT", ChargePointIdType)
    cp_id = f.text("CI")
    if cp_type == ChargePointIdType.CBIDC and cp_id is not None and not _is_cbidc(cp_id[0]):
        notes.add(_D.CHARGE_POINT_ID_FORMAT, "/payload/CI", cp_id[1], cp_id[0])
    id_data = f.text("ID")
    if (
        isinstance(id_type, IdentificationType)
        and id_data is not None
        and not _id_shape_ok(id_type, id_data[0])
    ):
        notes.add(_D.IDENTIFICATION_DATA_FORMAT, "/payload/ID", id_data[1], id_data[0])
    if meter_serial is None and "GS" not in obj and not (cp_type is not None and cp_id is not None):
        notes.add(_D.SOURCE_UNIDENTIFIABLE, "", start)

    extensions: dict[str, Any] = {}
    for name in obj.names():
        if name.value in _PAYLOAD_KEYS:
            continue
        value = obj.get(name.value)
        assert value is not None
        extensions[name.value] = value.plain()
        # OCMF extension points: top-level names beginning with U-Z are the vendors'.
        if not ("U" <= name.value[:1] <= "Z"):
            notes.add(_D.UNKNOWN_KEY, f"/payload/{name.value}", name.start, name.value)

    readings = _readings(obj, notes, max_readings)
    return Payload(
        format_version=format_version,
        gateway_identification=f.plain_text("GI"),
        gateway_serial=f.plain_text("GS"),
        gateway_version=f.plain_text("GV"),
        pagination=pagination,
        pagination_text=None if pg is None else pg[0],
        meter_vendor=f.plain_text("MV"),
        meter_model=f.plain_text("MM"),
        meter_serial=meter_serial,
        meter_firmware=f.plain_text("MF"),
        identification_status=status,
        identification_level=level,
        identification_flags=flags,
        identification_type=id_type,
        identification_data=None if id_data is None else id_data[0],
        tariff_text=texts["TT"],
        charge_controller_firmware=texts["CF"],
        loss_compensation=loss,
        charge_point_id_type=cp_type,
        charge_point_id=None if cp_id is None else cp_id[0],
        readings=readings,
        extensions=extensions,
    )


def _flags(
    value: JValue | None, status_known: bool, notes: Notes, start: int
) -> tuple[IdentificationFlag | str, ...] | None:
    if value is None:
        if status_known:
            notes.add(_D.IDENTIFICATION_FLAGS_MISSING, "/payload/IF", start)
        return None
    if not isinstance(value, JArray):
        notes.add(_D.FIELD_TYPE_MISMATCH, "/payload/IF", value.start, value.kind)
        return None
    if len(value.items) > 4:
        # OCMF Tab. 4: IF is 0..4, one statement per flag group.
        notes.add(
            _D.IDENTIFICATION_FLAGS_CARDINALITY, "/payload/IF", value.start, f"{len(value.items)} elements"
        )
    flags: list[IdentificationFlag | str] = []
    groups: set[str] = set()
    for i, item in enumerate(value.items):
        if not isinstance(item, JString):
            notes.add(_D.FIELD_TYPE_MISMATCH, f"/payload/IF/{i}", item.start, item.kind)
            continue
        flag = _table(IdentificationFlag, item.value)
        if isinstance(flag, IdentificationFlag):
            if flag.group in groups:
                notes.add(_D.IDENTIFICATION_FLAGS_DUPLICATE_GROUP, f"/payload/IF/{i}", item.start, item.value)
            groups.add(flag.group)
        else:
            notes.add(_D.UNDEFINED_TABLE_VALUE, f"/payload/IF/{i}", item.start, item.value)
        flags.append(flag)
    return tuple(flags)


def _loss_compensation(value: JValue | None, notes: Notes) -> LossCompensation | None:
    if value is None:
        return None
    if not isinstance(value, JObject):
        notes.add(_D.FIELD_TYPE_MISMATCH, "/payload/LC", value.start, value.kind)
        return None
    f = _Fields(value, "/payload/LC", notes)
    resistance = f.number("LR")
    if "LR" not in value:
        notes.add(_D.LOSS_COMPENSATION_INCOMPLETE, "/payload/LC/LR", value.start)
    unit: Unit | str | None = None
    if "LU" not in value:
        notes.add(_D.LOSS_COMPENSATION_INCOMPLETE, "/payload/LC/LU", value.start)
    else:
        lu = f.text("LU")
        if lu is not None:
            unit = _table(Unit, lu[0])
            if unit not in (Unit.MILLIOHM, Unit.MICROOHM):
                notes.add(_D.UNDEFINED_TABLE_VALUE, "/payload/LC/LU", lu[1], lu[0])
    name = f.plain_text("LN")
    if name is not None and len(name) > 20:
        notes.add(_D.FIELD_TOO_LONG, "/payload/LC/LN", value.start, f"{len(name)} characters")
    return LossCompensation(name, f.number("LI"), resistance, unit)


def _is_cbidc(text: str) -> bool:
    # OCMF Tab. 18: charge box id and connector id, one space between them.
    box, sep, connector = text.partition(" ")
    return bool(sep and box and connector) and " " not in connector


def _id_shape_ok(kind: IdentificationType, data: str) -> bool:
    """Whether ``ID`` has the shape OCMF Tab. 17 states for *kind* (only five rows state one)."""
    if kind == IdentificationType.ISO14443:
        return len(data) in (8, 14) and _is_hex(data)
    if kind == IdentificationType.ISO15693:
        return len(data) == 16 and _is_hex(data)
    if kind == IdentificationType.EMAID:
        return len(data) in (14, 15)
    if kind == IdentificationType.EVCCID:
        return len(data) <= 6
    if kind == IdentificationType.PHONE_NUMBER:
        return data.startswith("+")
    return True


def _is_hex(text: str) -> bool:
    return text.isascii() and all(c in "0123456789abcdefABCDEF" for c in text)


def _readings(obj: JObject, notes: Notes, limit: int) -> tuple[OcmfReading, ...]:
    rd = obj.get("RD")
    if rd is None:
        notes.add(_D.READINGS_MISSING, "/payload/RD", obj.start)
        return ()
    if not isinstance(rd, JArray):
        notes.add(_D.FIELD_TYPE_MISMATCH, "/payload/RD", rd.start, rd.kind)
        return ()
    items = rd.items
    if len(items) > limit:
        notes.add(_D.READINGS_TRUNCATED, "/payload/RD", rd.start, f"{len(items)} readings")
        items = items[:limit]
    out: list[OcmfReading] = []
    for index, item in enumerate(items):
        path = f"/payload/RD/{index}"
        if not isinstance(item, JObject):
            notes.add(_D.FIELD_TYPE_MISMATCH, path, item.start, item.kind)
            continue
        out.append(_reading(item, index, path, out[-1] if out else None, notes))
    return tuple(out)


def _reading(obj: JObject, index: int, path: str, previous: OcmfReading | None, notes: Notes) -> OcmfReading:
    f = _Fields(obj, path, notes)
    explicit = frozenset(key for key in _READING_KEYS if key in obj)

    time: OcmfTime | None = None
    tm = f.text("TM")
    if tm is not None:
        time = parse_time(tm[0], notes, f"{path}/TM", tm[1])
        if time is None:
            notes.add(_D.TIME_MALFORMED, f"{path}/TM", tm[1], tm[0])
    transaction = f.table("TX", TransactionReason)

    value: Decimal | None = None
    value_text: str | None = None
    rv = obj.get("RV")
    if rv is not None:
        if isinstance(rv, JString):
            notes.add(_D.RV_IS_STRING, f"{path}/RV", rv.start)
        value_text = rv.value if isinstance(rv, JString) else rv.text if isinstance(rv, JNumber) else None
        value = f.number("RV")

    obis: ObisCode | None = None
    ri = f.text("RI")
    if ri is not None:
        obis = ObisCode.parse(ri[0])
        if obis is None:
            notes.add(_D.OBIS_MALFORMED, f"{path}/RI", ri[1], ri[0])
        elif not obis.is_canonical:
            notes.add(_D.OBIS_NON_CANONICAL, f"{path}/RI", ri[1], ri[0])
    unit = f.table("RU", Unit)
    current = f.table("RT", CurrentType)
    loss = f.number("CL")
    flags: str | None = None
    ef = f.text("EF")
    if ef is not None:
        flags = ef[0]
        if any(c not in _ERROR_FLAGS for c in flags):
            notes.add(_D.UNDEFINED_TABLE_VALUE, f"{path}/EF", ef[1], flags)
    state = f.table("ST", MeterState)

    extensions: dict[str, Any] = {}
    for name in obj.names():
        if name.value not in _READING_KEYS:
            # The extension points are reserved at the payload's top level only.
            notes.add(_D.EXTENSION_INSIDE_READING, f"{path}/{name.value}", name.start, name.value)
            member = obj.get(name.value)
            assert member is not None
            extensions[name.value] = member.plain()

    ri_written, tm_written = "RI" in explicit or "RU" in explicit, "TM" in explicit
    if previous is not None:
        for key, written in (("TM", tm_written), ("RU", ri_written), ("ST", "ST" in explicit)):
            if not written:
                notes.add(_D.CARRIED_FORWARD_MANDATORY_FIELD, f"{path}/{key}", obj.start)
        if not tm_written:
            time = previous.time
        if transaction is None and "TX" not in explicit:
            transaction = previous.transaction
        if not ri_written:
            obis, unit = previous.obis, previous.unit
            ri = None if previous.obis_text is None else (previous.obis_text, 0)
        if current is None and "RT" not in explicit:
            current = previous.current_type
        if flags is None and "EF" not in explicit:
            flags = previous.error_flags
        if state is None and "ST" not in explicit:
            state = previous.state
    if time is None:
        notes.add(_D.MANDATORY_READING_FIELD_MISSING, f"{path}/TM", obj.start)
    if state is None:
        notes.add(_D.MANDATORY_READING_FIELD_MISSING, f"{path}/ST", obj.start)
    if rv is not None and unit is None:
        # The event-only exemption of Tab. 7 covers readings without a value, not values without a unit.
        notes.add(_D.MANDATORY_READING_FIELD_MISSING, f"{path}/RU", obj.start)
    return OcmfReading(
        index=index,
        time=time,
        transaction=transaction,
        value=value,
        value_text=value_text,
        obis=obis,
        obis_text=None if ri is None else ri[0],
        unit=unit,
        current_type=current,
        cumulated_loss=loss,
        error_flags=flags or "",
        state=state,
        explicit=explicit,
        extensions=extensions,
    )


def billing_readings(readings: Iterable[OcmfReading]) -> list[OcmfReading]:
    """The readings of the register a bill is made of, in order: energy readings of one register.

    Readings are grouped by register after carry-forward (one record may interleave an import
    and an export register); the group with a begin or end reading is preferred, import before
    export, first seen first.
    """
    groups: dict[str, list[OcmfReading]] = {}
    for r in readings:
        if r.energy_wh is None:
            continue
        key = r.obis.canonical if r.obis is not None else (r.obis_text or "")
        groups.setdefault(key, []).append(r)
    ranked = sorted(
        groups.values(),
        key=lambda g: (
            not any(r.is_begin or r.is_end for r in g),
            g[0].obis is not None and g[0].obis.direction == "export",
        ),
    )
    return ranked[0] if ranked else []
