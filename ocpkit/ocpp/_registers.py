"""Register readings of one transaction, step by step (part of :mod:`ocpkit.ocpp.transaction`).

Theory of operation: the transaction trackers hand every sampled value of a
transaction's messages here (1.6 ``meterStart``, MeterValues and
StopTransaction, 2.x TransactionEvent ``meterValue``). Only registers count
(measurands ending in ``.Register``; a sampled value without a measurand is
``Energy.Active.Import.Register``), each followed on its own: one measurand,
phase and location. Each reading is compared with the one before it by
:func:`ocpkit.energy.classify_step`, in the base unit of its quantity (kWh
readings as Wh), and a step down becomes a finding: ``meter.register-fall``
(error), ``meter.register-reset`` (warning: the register started again from
near zero) or ``meter.register-jitter`` (info: within the register's rounding).
Each names both readings as sent, with their units, and where they were (the
capture line when the caller knows it, else the caller's ref).

Readings are read leniently, like the rest of the trackers: a value that is
not a number, a signed blob, or a unit of another quantity is skipped
(validation reports such faults). A reading older than the last one of its
register (an offline replay arriving late) is not compared. At most
:data:`MAX_REGISTERS` registers are followed per transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from ocpkit.energy._meter import (
    _LINEAR_UNITS,
    DEFAULT_LOCATION,
    DEFAULT_MEASURAND,
    _default_unit,
    parse_value,
)
from ocpkit.energy._register import StepKind, classify_step, jitter_tolerance, resolution_of
from ocpkit.errors import EnergyError
from ocpkit.findings import Finding
from ocpkit.ocpp._payload import ERROR, INFO, WARNING, as_int, as_obj, as_time, aware

__all__ = ["MAX_REGISTERS", "START_STOP", "Registers", "follow_meter_values", "follow_register", "place_of"]

MAX_REGISTERS = 32
"""Registers (measurand, phase, location) followed per transaction."""

START_STOP: tuple[str, None, str] = (DEFAULT_MEASURAND, None, DEFAULT_LOCATION)
"""The register 1.6 ``meterStart`` and ``meterStop`` read: the default measurand at the outlet."""

_SUFFIX = ".Register"
_new = tuple.__new__  # builds a named tuple without its Python-level constructor
_ONE = Decimal(1)
_CODES = {
    StepKind.FALL: (ERROR, "meter.register-fall", "fell"),
    StepKind.RESET: (WARNING, "meter.register-reset", "fell to near zero (a reset)"),
    StepKind.JITTER: (INFO, "meter.register-jitter", "dipped within its rounding"),
}


class _Last(NamedTuple):
    """The last reading of one register."""

    value: Decimal  # in the base unit of its quantity
    factor: Decimal  # from the unit sent to the base unit
    base: str  # the base unit (or the unit sent, when ocpkit cannot convert it)
    sent: Decimal  # the value as sent (multiplier applied), in ...
    unit: str  # ... this unit
    line: int | None  # where it was: the capture line, or ...
    ref: object  # ... the caller's ref
    at: datetime | None


Registers = dict[tuple[str, str | None, str], _Last]
"""The last reading of each register of one transaction, by (measurand, phase, location)."""

# unit -> (base unit of its quantity, factor to it); built once from the energy module's table.
_BASE: dict[str, tuple[str, Decimal]] = {
    unit: (next(u for u, (q, f) in _LINEAR_UNITS.items() if q == quantity and f == 1), factor)
    for unit, (quantity, factor) in _LINEAR_UNITS.items()
}


def place_of(line: int | None, ref: object) -> str:
    """Where a message was, for a finding that names two messages."""
    return f"line {line}" if line is not None else f"ref {ref!r}"


def follow_meter_values(
    registers: Registers,
    elements: object,
    subject: str,
    ref: object,
    line: int | None = None,
    at: datetime | None = None,
    times: list[datetime | None] | None = None,
) -> list[Finding]:
    """Follow the register readings of a ``meterValue`` / ``transactionData`` list (any version).

    ``times``, when the caller has parsed them already, are the elements'
    timestamps in order (``at`` standing in for missing ones).
    """
    if not isinstance(elements, list):
        return []
    found: list[Finding] = []
    for index, element in enumerate(elements):
        data = element if type(element) is dict else as_obj(element)
        samples = data.get("sampledValue")
        if not isinstance(samples, list):
            continue
        moment: datetime | None = None
        timed = False  # the element's time is read at its first register sample, if any
        for sample in samples:
            sv = sample if type(sample) is dict else as_obj(sample)
            measurand = sv.get("measurand", DEFAULT_MEASURAND)
            if not isinstance(measurand, str) or not measurand.endswith(_SUFFIX) or "value" not in sv:
                continue
            if sv.get("format") == "SignedData":
                continue
            unit = sv.get("unit")
            multiplier: object = 0
            uom = sv.get("unitOfMeasure")
            if uom is not None:
                uom_data = as_obj(uom)
                unit = uom_data.get("unit", unit)
                multiplier = uom_data.get("multiplier", 0)
            phase, location = sv.get("phase"), sv.get("location", DEFAULT_LOCATION)
            if not isinstance(location, str) or (phase is not None and not isinstance(phase, str)):
                continue
            if not timed:
                timed = True
                if times is not None and index < len(times):
                    moment = times[index]
                else:
                    moment = as_time(data.get("timestamp")) or aware(at)
            finding = _follow(
                registers,
                (measurand, phase, location),
                sv["value"],
                unit,
                multiplier,
                moment,
                subject,
                ref,
                line,
            )
            if finding is not None:
                found.append(finding)
    return found


def follow_register(
    registers: Registers,
    key: tuple[str, str | None, str],
    raw: object,
    unit: object,
    multiplier: object = 0,
    at: datetime | None = None,
    *,
    subject: str,
    ref: object,
    line: int | None = None,
) -> list[Finding]:
    """Follow one reading of register *key* (``(measurand, phase, location)``); findings for a step down."""
    finding = _follow(registers, key, raw, unit, multiplier, at, subject, ref, line)
    return [] if finding is None else [finding]


def _follow(
    registers: Registers,
    key: tuple[str, str | None, str],
    raw: object,
    unit: object,
    multiplier: object,
    at: datetime | None,
    subject: str,
    ref: object,
    line: int | None,
) -> Finding | None:
    """:func:`follow_register`, with its one possible finding or ``None``."""
    if type(raw) is str and len(raw) <= 30 and raw.isascii() and raw.replace(".", "", 1).isdigit():
        sent = Decimal(raw)  # plain digits (the common 1.6 text): what parse_value would return
    else:
        try:
            sent = parse_value(raw)
        except EnergyError:
            return None
    scale = multiplier if type(multiplier) is int else as_int(multiplier)
    if scale is None or not -30 <= scale <= 30:
        return None
    if scale:
        sent = sent.scaleb(scale)
    if unit is None:
        unit = _default_unit(key[0]) or "Wh"
    if not isinstance(unit, str):
        return None
    known = _BASE.get(unit)
    base, factor = (unit, _ONE) if known is None else known
    value = sent if factor == 1 else sent * factor
    last = registers.get(key)
    if last is None:
        if len(registers) >= MAX_REGISTERS:
            return None
    elif last.at is not None and at is not None and at < last.at:
        return None  # older than the last reading (a late replay): not the next step
    registers[key] = _new(_Last, (value, factor, base, sent, unit, line, ref, at))
    if last is None or last.base != base or value >= last.value:
        return None
    # Resolutions only matter for a step down: one unit of the last digit sent, in the base unit.
    tolerance = jitter_tolerance(resolution_of(last.sent) * last.factor, resolution_of(sent) * factor)
    step = classify_step(last.value, value, tolerance=tolerance)
    severity, code, verb = _CODES[step]
    measurand, phase, location = key
    name = measurand if phase is None else f"{measurand} {phase}"
    message = (
        f"{name} ({location}) {verb}: {last.sent:f} {last.unit} ({place_of(last.line, last.ref)})"
        f" -> {sent:f} {unit} ({place_of(line, ref)})"
    )
    return Finding(severity, code, message, subject, ref)
