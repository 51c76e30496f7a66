"""RFC 3339 date-times, the one statement of the rule (no pydantic, so validation stays cheap).

Theory of operation: OCPP's ``format: date-time`` means RFC 3339 §5.6 (and
OCPI's DateTime is the same profile of it). The parser below is the rule's
only statement: the models' :data:`~ocpkit._model.DateTime` type (OCPP and
OCPI), the exact schema checker and the conversation trackers all call it,
and :mod:`ocpkit._model` re-exports it. It lives apart from the models so
that judging a payload never imports pydantic.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["Rfc3339DateTime", "parse_rfc3339"]

# RFC 3339 §5.6 date-time. "T" and "Z" may be lower case (RFC 3339 §5.6 note);
# the fraction may have any number of digits.
_RFC3339_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class Rfc3339DateTime(datetime):
    """A timezone-aware ``datetime`` that remembers the RFC 3339 text it came from."""

    __slots__ = ("rfc3339_text",)
    rfc3339_text: str | None


_fromisoformat = Rfc3339DateTime.fromisoformat  # builds the subclass


def parse_rfc3339(text: str, *, leap_second: bool = True) -> Rfc3339DateTime:
    """Parse an RFC 3339 date-time; raise ``ValueError`` when *text* is not one.

    The result keeps *text* in ``rfc3339_text`` so that serialising it gives
    the same string back. With ``leap_second=False`` a second of ``60`` is
    refused, which is the rule payload validation applies (see
    :mod:`ocpkit.ocpp.validation._exact`).
    """
    m = _RFC3339_RE.fullmatch(text)
    if m is None:
        raise ValueError("not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm))")
    if text[-1] == "Z" and text[11:13] < "24":
        # The common UTC form, its shape checked above: the C parser reads it, and refuses the same
        # out-of-range fields as the rule below (which then raises its own message). A second of 60
        # is refused by it too, so leap seconds take the path below; fractions are cut at 6 digits.
        try:
            result = _fromisoformat(text)
        except ValueError:
            pass
        else:
            result.rfc3339_text = text
            return result
    return _parse_match(m, text, leap_second)


def _parse_match(m: re.Match[str], text: str, leap_second: bool) -> Rfc3339DateTime:
    """The rule, field by field, on a text the pattern matched."""
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    if not 1 <= month <= 12:
        raise ValueError("month out of range")
    leap_year = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    max_day = 29 if month == 2 and leap_year else _DAYS_IN_MONTH[month - 1]
    if not 1 <= day <= max_day:
        raise ValueError("day out of range for month")
    if hour > 23 or minute > 59 or second > (60 if leap_second else 59):
        raise ValueError("time of day out of range")
    frac = m.group(7)
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    if m.group(8):
        tz = UTC
    else:
        off_h, off_m = int(m.group(10)), int(m.group(11))
        if off_h > 23 or off_m > 59:
            raise ValueError("offset out of range")
        delta = timedelta(hours=off_h, minutes=off_m)
        tz = timezone(-delta if m.group(9) == "-" else delta)
    if second == 60:
        # Leap second: datetime cannot hold it; use the last representable instant before it.
        second, micro = 59, 999999
    if year == 0:
        raise ValueError("year 0000 cannot be represented")
    result = Rfc3339DateTime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    result.rfc3339_text = text
    return result
