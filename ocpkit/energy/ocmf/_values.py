"""The small value types of an OCMF record: deviations, times, OBIS codes, pagination, numbers.

Theory of operation: each type reads one field's text, returns a typed value
(or ``None`` when the text cannot mean anything) and reports every spelling the
document does not give through a :class:`Notes` collector, so the caller never
has to choose between reading a real record and knowing how it departs from the
text. Nothing is normalised away: the raw text of each field stays beside its
typed value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Final

from ocpkit.energy.ocmf._tables import DeviationKind, TimeStatus

__all__ = ["Deviation", "Notes", "ObisCode", "OcmfTime", "Pagination", "exact_number", "parse_time"]

_MAX_SHOWN: Final = 48
# An exact 96-bit decimal (the range meters and their verifiers use): |coefficient| < 2**96 and at
# most 28 decimal places. Anything beyond is not a meter reading; it is dropped, never rounded.
_MAX_COEFFICIENT: Final = 2**96
_MAX_SCALE: Final = 28
_NUMBER_TEXT = re.compile(r"\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d{1,6})?)\s*", re.ASCII)


def _shown(value: str) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 4] + "...'"


@dataclass(frozen=True, slots=True)
class Deviation:
    """One departure of a record from the OCMF text (or from RFC 8259), found while reading it.

    ``path`` is a JSON pointer into the record, its first step naming the section
    (``/payload/RD/0/TM``, ``/signature/SD``; ``""`` for the record as a whole); ``offset``
    the character where it was found; ``value`` the offending text, quoted and cut to 48
    characters (record fields are untrusted text that ends up in logs).
    """

    kind: DeviationKind
    path: str = ""
    offset: int = 0
    value: str | None = None

    @property
    def breach(self) -> bool:
        """True when the record breaks a rule; False for lawful facts a reader should know."""
        return self.kind.info.breach

    @property
    def rule(self) -> str:
        """The table or section the deviation is measured against."""
        return self.kind.info.rule

    @property
    def message(self) -> str:
        """What the deviation means, for people."""
        return self.kind.info.message

    def __str__(self) -> str:
        where = self.path or "record"
        shown = f": {self.value}" if self.value is not None else ""
        return f"{self.kind} at {where}{shown} ({self.message}) [{self.rule}]"

    def as_dict(self) -> dict[str, object]:
        """The deviation as plain data (the JSON report shape)."""
        return {
            "kind": str(self.kind),
            "path": self.path,
            "offset": self.offset,
            "value": self.value,
            "breach": self.breach,
            "message": self.message,
            "rule": self.rule,
        }


class Notes:
    """Collects deviations while a record is read."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Deviation] = []

    def add(self, kind: DeviationKind, path: str = "", offset: int = 0, value: str | None = None) -> None:
        """Record one deviation (*value* is quoted and bounded here)."""
        self.items.append(Deviation(kind, path, offset, None if value is None else _shown(value)))


# --------------------------------------------------------------------------- numbers


def exact_number(text: str) -> Decimal | None:
    """The exact decimal *text* spells, or ``None`` when it is not a number a 96-bit decimal holds.

    Surrounding spaces and leading zeros are accepted (real meters quote ``"  9.038"`` and
    ``"00000100.000"``); the spelling's number of decimals is kept (``Decimal("100.000")``).
    """
    m = _NUMBER_TEXT.fullmatch(text)
    if m is None:
        return None
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return None
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    coefficient = int("".join(map(str, digits))) if digits else 0
    if coefficient == 0:
        return value
    if exponent >= 0:
        if exponent > 29 or coefficient * 10**exponent >= _MAX_COEFFICIENT:
            return None
    elif -exponent > _MAX_SCALE or coefficient >= _MAX_COEFFICIENT:
        return None
    return value


# --------------------------------------------------------------------------- time


@dataclass(frozen=True, slots=True)
class OcmfTime:
    """A ``TM`` value: local civil time as written, its UTC offset and the clock state (Tab. 7, 19).

    ``status`` is ``None`` when the value carries no clock letter. ``second`` may be 60 (a
    leap second is read, not refused).
    """

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    millisecond: int
    offset_minutes: int
    status: TimeStatus | None

    @property
    def instant(self) -> datetime:
        """The instant as an aware :class:`~datetime.datetime` (a leap second reads as the next second)."""
        zone = timezone(timedelta(minutes=self.offset_minutes))
        base = datetime(
            self.year, self.month, self.day, self.hour, self.minute, min(self.second, 59), tzinfo=zone
        )
        extra = timedelta(seconds=1) if self.second == 60 else timedelta(0)
        return base + extra + timedelta(milliseconds=self.millisecond)

    @property
    def utc(self) -> datetime:
        """The instant in UTC."""
        return self.instant.astimezone(UTC)

    def __str__(self) -> str:
        offset = abs(self.offset_minutes)
        sign = "-" if self.offset_minutes < 0 else "+"
        text = (
            f"{self.year:04d}-{self.month:02d}-{self.day:02d}T{self.hour:02d}:{self.minute:02d}:"
            f"{self.second:02d},{self.millisecond:03d}{sign}{offset // 60:02d}{offset % 60:02d}"
        )
        return f"{text} {self.status}" if self.status is not None else text


_STAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:([,.])(\d+))?(?:([Zz])|([+-])(\d{2})(:?)(\d{2}))",
    re.ASCII,
)


def parse_time(text: str, notes: Notes, path: str, offset: int) -> OcmfTime | None:
    """Read a ``TM`` value (OCMF Tab. 7: ``2018-07-24T13:22:04,000+0200 S``); ``None`` if it is no time.

    Spellings met in the field are read and reported: ``.`` before the milliseconds, a colon
    in the offset, other than three fraction digits (more are cut to milliseconds), no clock
    letter. A final single character that is not a Tab. 19 letter makes the value unreadable.
    """
    head, sep, tail = text.rpartition(" ")
    status: TimeStatus | None
    if sep and len(tail) == 1:
        try:
            status = TimeStatus(tail)
        except ValueError:
            return None
        stamp = head.rstrip()
    else:
        notes.add(DeviationKind.TIME_STATUS_MISSING, path, offset)
        status, stamp = None, text.rstrip()
    m = _STAMP.fullmatch(stamp)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    fraction = m.group(8) or "000"
    if m.group(7) == ".":
        notes.add(DeviationKind.TIME_DOT_MILLISECONDS, path, offset)
    if m.group(8) is not None and len(fraction) != 3:
        notes.add(DeviationKind.TIME_SUB_SECOND_DIGITS, path, offset, fraction)
    if m.group(12):
        notes.add(DeviationKind.TIME_OFFSET_WITH_COLON, path, offset)
    if m.group(9):
        offset_minutes = 0
    else:
        oh, om = int(m.group(11)), int(m.group(13))
        if oh > 23 or om > 59:
            return None
        offset_minutes = (oh * 60 + om) * (-1 if m.group(10) == "-" else 1)
    millisecond = int((fraction + "00")[:3])
    if not (1 <= month <= 12 and hour <= 23 and minute <= 59 and second <= 60):
        return None
    try:
        datetime(year, month, day)
    except ValueError:
        return None
    return OcmfTime(year, month, day, hour, minute, second, millisecond, offset_minutes, status)


# --------------------------------------------------------------------------- OBIS


_OBIS = re.compile(
    r"(?P<a>[0-9A-Za-z]{1,4})-(?P<b>[0-9A-Za-z]{1,4}):(?P<c>[0-9A-Za-z]{1,4})\.(?P<d>[0-9A-Za-z]{1,4})"
    r"\.(?P<e>[0-9A-Za-z]{1,4})(?:(?P<sep>[*.])(?P<f>[0-9A-Za-z]{1,4}))?",
    re.ASCII,
)
_CANONICAL_GROUP = re.compile(r"[0-9A-Z]{2}", re.ASCII)
# OCMF Tab. 25: the energy registers of C = B0..B3 (import) and C0..C3 (export).
_TAB25: Final = {
    "B0": ("import", "mains", "total"),
    "B1": ("import", "device", "total"),
    "B2": ("import", "mains", "transaction"),
    "B3": ("import", "device", "transaction"),
    "C0": ("export", "mains", "total"),
    "C1": ("export", "device", "total"),
    "C2": ("export", "mains", "transaction"),
    "C3": ("export", "device", "transaction"),
}


def _group(g: str) -> str:
    g = g.lstrip("0").upper() or "0"
    return g.rjust(2, "0")


@dataclass(frozen=True, slots=True)
class ObisCode:
    """An OBIS code from ``RI`` (``A-B:C.D.E*F``), its groups kept as written.

    :attr:`canonical` is the OCMF Tab. 25 spelling (two upper-case characters per group,
    ``*`` before the billing period); two spellings of one register share it.
    """

    text: str
    groups: tuple[str, str, str, str, str]
    period: str | None
    period_separator: str | None

    @classmethod
    def parse(cls, text: str) -> ObisCode | None:
        """Read an OBIS code; ``None`` when *text* has no OBIS shape."""
        m = _OBIS.fullmatch(text)
        if m is None:
            return None
        groups = (m["a"], m["b"], m["c"], m["d"], m["e"])
        return cls(text, groups, m["f"], m["sep"])

    @property
    def canonical(self) -> str:
        """The Tab. 25 spelling, e.g. ``01-00:B1.08.00*FF``."""
        a, b, c, d, e = (_group(g) for g in self.groups)
        tail = "" if self.period is None else "*" + _group(self.period)
        return f"{a}-{b}:{c}.{d}.{e}{tail}"

    @property
    def is_canonical(self) -> bool:
        """True when written exactly in the Tab. 25 form."""
        groups_ok = all(_CANONICAL_GROUP.fullmatch(g) for g in self.groups)
        return groups_ok and (
            self.period is None
            or (self.period_separator == "*" and bool(_CANONICAL_GROUP.fullmatch(self.period)))
        )

    @property
    def quantity(self) -> str:
        """The C group, upper case without leading zeros (``"1"`` for active import, ``"B1"`` ...)."""
        return self.groups[2].lstrip("0").upper() or "0"

    @property
    def direction(self) -> str | None:
        """``"import"`` or ``"export"`` when the code says (C = 1 / 2, or Tab. 25), else ``None``."""
        if self.quantity == "1":
            return "import"
        if self.quantity == "2":
            return "export"
        row = _TAB25.get(self.quantity)
        return row[0] if row else None

    @property
    def transaction_scoped(self) -> bool | None:
        """True for the Tab. 25 registers that count one transaction only (B2, B3, C2, C3)."""
        row = _TAB25.get(self.quantity)
        return None if row is None else row[2] == "transaction"

    def __str__(self) -> str:
        return self.text


# --------------------------------------------------------------------------- pagination


_PAGINATION = re.compile(r"(.)(\d+)", re.ASCII | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Pagination:
    """``PG``: the counter context letter (``T`` transaction, ``F`` fiscal) and its number (Tab. 2)."""

    context: str
    number: int

    @classmethod
    def parse(cls, text: str) -> Pagination | None:
        """Read ``<letter><digits>``; ``None`` for anything else."""
        m = _PAGINATION.fullmatch(text)
        if m is None or len(m.group(2)) > 20:
            return None
        return cls(m.group(1), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.context}{self.number}"
