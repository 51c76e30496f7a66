"""Sampled values to typed readings: numbers, units and defaults (the first half of ocpkit.energy).

Theory of operation: :func:`readings_from_payload` takes a MeterValues, StartTransaction,
StopTransaction (1.6) or TransactionEvent (2.x) request, as a wire-name dict or as a typed model
(read through ``model_dump(by_alias=True)``), and returns one :class:`Reading` per sampled value.
Values become :class:`~decimal.Decimal`: 1.6 sends text such as ``"2e+01"``, some 1.6 chargers
and all 2.x stations send JSON numbers (floats are read through their shortest ``repr``). The 2.x
``unitOfMeasure.multiplier`` (a power of ten) is applied; absent fields take their spec defaults.
StartTransaction ``meterStart`` and StopTransaction ``meterStop`` (integer Wh) become register
readings with the contexts ``Transaction.Begin`` / ``Transaction.End``. Signed values are kept as
data (:class:`SignedMeterValue`), never verified. Anything that is not a finite number within
``10**±30`` raises :class:`~ocpkit.errors.EnergyError` before any arithmetic, so hostile text
(``"NaN"``, ``"1e999999999"``) costs nothing. Public names are re-exported by :mod:`ocpkit.energy`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from typing import Any, Final, ParamSpec, TypeVar

from ocpkit.errors import EnergyError
from ocpkit.ocpp._rfc3339 import parse_rfc3339

__all__ = [
    "DEFAULT_CONTEXT",
    "DEFAULT_LOCATION",
    "DEFAULT_MEASURAND",
    "Reading",
    "SignedMeterValue",
    "convert",
    "parse_value",
    "quantity_of",
    "readings_from_meter_value",
    "readings_from_payload",
]

DEFAULT_MEASURAND: Final = "Energy.Active.Import.Register"
DEFAULT_CONTEXT: Final = "Sample.Periodic"
DEFAULT_LOCATION: Final = "Outlet"


# Values are bounded before any arithmetic: a meter never reports 10**30 of anything, and the bound
# keeps Decimal from building huge coefficients out of exponents such as "1e999999999".
_MAX_EXPONENT: Final = 30
_MAX_TEXT: Final = 100
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_CTX = Context(prec=34, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow])

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _in_context(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run *func* in the private decimal context; arithmetic failures become EnergyError."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(_CTX):
            try:
                return func(*args, **kwargs)
            except (ArithmeticError, ValueError) as exc:
                if isinstance(exc, EnergyError):
                    raise
                raise EnergyError(f"cannot compute: {exc}") from exc

    return wrapper


# --------------------------------------------------------------------------- units

# unit -> (quantity, factor to the quantity's base unit). 1.6 lists these units in its MeterValues
# schema (with both spellings "Celsius" and "Celcius", and "Hertz" added by the schema copy);
# 2.x units are free text up to 20 characters, the common SI spellings are added.
_LINEAR_UNITS: Final[Mapping[str, tuple[str, Decimal]]] = {
    "Wh": ("energy", Decimal(1)),
    "kWh": ("energy", Decimal(1000)),
    "varh": ("reactive_energy", Decimal(1)),
    "kvarh": ("reactive_energy", Decimal(1000)),
    "VAh": ("apparent_energy", Decimal(1)),
    "kVAh": ("apparent_energy", Decimal(1000)),
    "W": ("power", Decimal(1)),
    "kW": ("power", Decimal(1000)),
    "var": ("reactive_power", Decimal(1)),
    "kvar": ("reactive_power", Decimal(1000)),
    "VA": ("apparent_power", Decimal(1)),
    "kVA": ("apparent_power", Decimal(1000)),
    "A": ("current", Decimal(1)),
    "V": ("voltage", Decimal(1)),
    "Hertz": ("frequency", Decimal(1)),
    "Hz": ("frequency", Decimal(1)),
    "Percent": ("percent", Decimal(1)),
}
# Temperatures are affine; each is converted through Celsius with exact steps, so that for example
# 212 Fahrenheit is exactly 100 Celsius.
_TEMPERATURE_UNITS: Final = frozenset({"Celsius", "Celcius", "K", "Fahrenheit"})
_KELVIN_OFFSET: Final = Decimal("273.15")


def _to_celsius(value: Decimal, unit: str) -> Decimal:
    if unit == "K":
        return value - _KELVIN_OFFSET
    if unit == "Fahrenheit":
        return (value - 32) * 5 / 9
    return value


def _from_celsius(value: Decimal, unit: str) -> Decimal:
    if unit == "K":
        return value + _KELVIN_OFFSET
    if unit == "Fahrenheit":
        return value * 9 / 5 + 32
    return value


# Unit used when a sampled value names none. The schemas default the unit to Wh, which is only
# meaningful for energy measurands (2.x says so explicitly); for the others the measurand's own
# unit is assumed and the reading says so (Reading.unit_assumed).
_MEASURAND_UNITS: Final[Mapping[str, str]] = {
    "Current": "A",
    "Voltage": "V",
    "Frequency": "Hertz",
    "Temperature": "Celsius",
    "SoC": "Percent",
    "Power.Active": "W",
    "Power.Offered": "W",
    "Power.Import": "W",
    "Power.Export": "W",
    "Power.Reactive": "var",
    "Energy.Reactive": "varh",
    "Energy.Apparent": "VAh",
    "Energy": "Wh",
}


def quantity_of(unit: str) -> str | None:
    """Name the physical quantity of *unit* (``"energy"``, ``"power"``, ``"temperature"`` ...).

    Returns ``None`` for a unit ocpkit cannot convert (2.x allows custom units).
    """
    if unit in _TEMPERATURE_UNITS:
        return "temperature"
    known = _LINEAR_UNITS.get(unit)
    return known[0] if known else None


@_in_context
def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert *value* between two units of one quantity (kWh→Wh, W→kW, K→Celsius ...).

    Raises :class:`~ocpkit.errors.EnergyError` when either unit is unknown or the two measure
    different quantities.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        raise EnergyError(f"not a finite Decimal: {value!r}")
    if from_unit == to_unit:
        return value
    q_from, q_to = quantity_of(from_unit), quantity_of(to_unit)
    if q_from is None or q_to is None or q_from != q_to:
        raise EnergyError(f"cannot convert {from_unit!r} to {to_unit!r}")
    if q_from == "temperature":
        return _from_celsius(_to_celsius(value, from_unit), to_unit)
    return value * _LINEAR_UNITS[from_unit][1] / _LINEAR_UNITS[to_unit][1]


# --------------------------------------------------------------------------- values


def _bounded(value: Decimal, raw: object) -> Decimal:
    if not value.is_finite():
        raise EnergyError(f"not a finite number: {raw!r}")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite values have an int exponent
    if value.is_zero():
        # Keep the resolution of "0.00" but not an absurd exponent such as "0e999999".
        return abs(value) if -_MAX_EXPONENT <= exponent <= _MAX_EXPONENT else Decimal(0)
    if value.adjusted() > _MAX_EXPONENT or exponent < -_MAX_EXPONENT:
        raise EnergyError(f"number out of range (10**±{_MAX_EXPONENT}): {raw!r}"[:200])
    return value


@_in_context
def parse_value(raw: object) -> Decimal:
    """Read one sampled value as a Decimal.

    Accepts decimal text with optional sign, fraction and exponent (``"12.5"``, ``"2e+01"``; 1.6
    sends text), JSON numbers (``int``/``float``; 2.x, and some 1.6 chargers) and ``Decimal``.
    Floats are read through their shortest ``repr`` so ``0.1`` stays ``0.1``. Raises
    :class:`~ocpkit.errors.EnergyError` for anything else: empty or non-numeric text, ``NaN``,
    infinities, booleans, and magnitudes beyond ``10**30`` or finer than ``10**-30``.
    """
    if isinstance(raw, bool):
        raise EnergyError("a boolean is not a meter value")
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > _MAX_TEXT or not _NUMBER_RE.fullmatch(text):
            raise EnergyError(f"not a decimal number: {raw[:40]!r}")
        _, _, exp = text.lower().partition("e")
        # Reject absurd exponents by their digits, before Decimal sees them.
        if exp and len(exp.lstrip("+-").lstrip("0")) > 4:
            raise EnergyError(f"number out of range: {raw[:40]!r}")
        return _bounded(Decimal(text), raw)
    if isinstance(raw, int):
        if abs(raw) >= 10 ** (_MAX_EXPONENT + 1):
            raise EnergyError("integer meter value out of range")
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise EnergyError(f"not a finite number: {raw!r}")
        return _bounded(Decimal(repr(raw)), raw)
    if isinstance(raw, Decimal):
        return _bounded(raw, raw)
    raise EnergyError(f"a meter value must be text or a number, not {type(raw).__name__}")


def _parse_multiplier(raw: object) -> int:
    if raw is None:
        return 0
    if isinstance(raw, bool) or not isinstance(raw, int):
        # JSON integers written as 3.0 are integers for draft-06; accept exactly-integral numbers.
        if isinstance(raw, float | Decimal) and not isinstance(raw, bool):
            number = parse_value(raw)
            if number == number.to_integral_value():
                return _parse_multiplier(int(number))
        raise EnergyError(f"unitOfMeasure.multiplier must be an integer, not {raw!r}"[:200])
    if abs(raw) > _MAX_EXPONENT:
        raise EnergyError(f"unitOfMeasure.multiplier out of range: {raw}")
    return raw


def _parse_time(raw: object, where: str) -> datetime:
    if isinstance(raw, datetime):
        if raw.tzinfo is None or raw.utcoffset() is None:
            raise EnergyError(f"{where}: a timestamp needs a time zone offset")
        return raw
    if isinstance(raw, str):
        try:
            return parse_rfc3339(raw)
        except ValueError as exc:
            raise EnergyError(f"{where}: {exc}: {raw[:40]!r}") from None
    if raw is None:
        raise EnergyError(f"{where}: timestamp missing")
    raise EnergyError(f"{where}: a timestamp must be text, not {type(raw).__name__}")


# --------------------------------------------------------------------------- readings


@dataclass(frozen=True, slots=True)
class SignedMeterValue:
    """Signed meter data as the station sent it; ocpkit does not verify signatures.

    1.6 sends the signed blob as the sampled value text with ``format: SignedData``; only
    :attr:`signed_meter_data` is then set.
    """

    signed_meter_data: str
    signing_method: str | None = None
    encoding_method: str | None = None
    public_key: str | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """One normalised sampled value.

    :attr:`value` is in :attr:`unit` with the 2.x multiplier already applied (``None`` only for a
    1.6 value in ``SignedData`` format, whose text is in :attr:`signed`). Absent fields carry their
    defaults: measurand ``Energy.Active.Import.Register``, context ``Sample.Periodic``, location
    ``Outlet``; :attr:`phase` ``None`` means a value over all phases.
    """

    timestamp: datetime
    measurand: str
    value: Decimal | None
    unit: str | None
    phase: str | None = None
    location: str = DEFAULT_LOCATION
    context: str = DEFAULT_CONTEXT
    multiplier: int = 0
    unit_assumed: bool = False
    signed: SignedMeterValue | None = None

    @_in_context
    def to(self, unit: str) -> Decimal:
        """Return the value converted to *unit*; :class:`~ocpkit.errors.EnergyError` if impossible."""
        if self.value is None or self.unit is None:
            raise EnergyError(f"{self.measurand} at {self.timestamp.isoformat()} has no numeric value/unit")
        return convert(self.value, self.unit, unit)


def _as_mapping(obj: object, where: str) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        # Typed models (ocpkit.ocpp.v16/v201/v21) are read through their wire names.
        dumped = dump(by_alias=True, exclude_none=True)
        if isinstance(dumped, Mapping):
            return dumped
    raise EnergyError(f"{where}: expected an object, got {type(obj).__name__}")


def _as_list(obj: object, where: str) -> Sequence[Any]:
    if isinstance(obj, list | tuple):
        return obj
    raise EnergyError(f"{where}: expected an array, got {type(obj).__name__}")


def _opt_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EnergyError(f"{where}/{key}: expected text, got {type(value).__name__}")
    return str(value)  # a StrEnum member becomes its plain value


def _default_unit(measurand: str) -> str | None:
    for prefix, unit in _MEASURAND_UNITS.items():
        if measurand == prefix or measurand.startswith(prefix + "."):
            return unit
    return None


def _sampled_reading(sv: object, timestamp: datetime, where: str) -> Reading:
    data = _as_mapping(sv, where)
    measurand = _opt_str(data, "measurand", where) or DEFAULT_MEASURAND
    context = _opt_str(data, "context", where) or DEFAULT_CONTEXT
    location = _opt_str(data, "location", where) or DEFAULT_LOCATION
    phase = _opt_str(data, "phase", where)
    unit = _opt_str(data, "unit", where)  # 1.6
    multiplier = 0
    uom = data.get("unitOfMeasure")  # 2.x
    if uom is not None:
        uom_data = _as_mapping(uom, where + "/unitOfMeasure")
        unit = _opt_str(uom_data, "unit", where + "/unitOfMeasure") or unit
        multiplier = _parse_multiplier(uom_data.get("multiplier"))
    signed: SignedMeterValue | None = None
    smv = data.get("signedMeterValue")
    if smv is not None:
        smv_data = _as_mapping(smv, where + "/signedMeterValue")
        blob = _opt_str(smv_data, "signedMeterData", where + "/signedMeterValue")
        if blob is None:
            raise EnergyError(f"{where}/signedMeterValue: signedMeterData missing")
        signed = SignedMeterValue(
            blob,
            _opt_str(smv_data, "signingMethod", where),
            _opt_str(smv_data, "encodingMethod", where),
            _opt_str(smv_data, "publicKey", where),
        )
    if "value" not in data:
        raise EnergyError(f"{where}: value missing")
    raw = data["value"]
    value: Decimal | None
    if _opt_str(data, "format", where) == "SignedData":
        # OCPP 1.6 SampledValue.format SignedData (ValueFormat): the value is a signed blob, not a number.
        if not isinstance(raw, str):
            raise EnergyError(f"{where}: a SignedData value must be text")
        value, signed = None, SignedMeterValue(raw)
    else:
        try:
            value = parse_value(raw)
        except EnergyError as exc:
            raise EnergyError(f"{where}/value: {exc}") from None
        if multiplier:
            # OCPP 2.x UnitOfMeasureType.multiplier: the value is scaled by 10**multiplier.
            value = _bounded(value.scaleb(multiplier, _CTX), raw)
    unit_assumed = unit is None
    if unit is None:
        unit = _default_unit(measurand)
    return Reading(
        timestamp, measurand, value, unit, phase, location, context, multiplier, unit_assumed, signed
    )


def readings_from_meter_value(meter_value: object, where: str = "meterValue") -> tuple[Reading, ...]:
    """Normalise one MeterValue element (``timestamp`` + ``sampledValue`` list) of any version.

    *where* prefixes the location given in error messages (a JSON-pointer-like path).
    """
    data = _as_mapping(meter_value, where)
    timestamp = _parse_time(data.get("timestamp"), where + "/timestamp")
    samples = _as_list(data.get("sampledValue"), where + "/sampledValue")
    return tuple(_sampled_reading(sv, timestamp, f"{where}/sampledValue/{i}") for i, sv in enumerate(samples))


def _register_reading(payload: Mapping[str, Any], key: str, context: str, action: str) -> Reading:
    raw = payload.get(key)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise EnergyError(f"{action}: {key} must be an integer (Wh)")
    value = parse_value(raw)
    timestamp = _parse_time(payload.get("timestamp"), f"{action}/timestamp")
    return Reading(timestamp, DEFAULT_MEASURAND, value, "Wh", context=context)


def readings_from_payload(action: str, payload: object) -> tuple[Reading, ...]:
    """Normalise the meter data of one request payload (dict with wire names, or a typed model).

    ``MeterValues`` (1.6, 2.x): every ``meterValue`` element. ``StartTransaction`` (1.6):
    ``meterStart`` as a ``Transaction.Begin`` register reading in Wh. ``StopTransaction`` (1.6):
    ``meterStop`` as a ``Transaction.End`` register reading plus every ``transactionData``
    element. ``TransactionEvent`` (2.x): every ``meterValue`` element. Other actions raise
    :class:`~ocpkit.errors.EnergyError`.
    """
    try:
        with localcontext(_CTX):
            data = _as_mapping(payload, action)
            if action in ("MeterValues", "TransactionEvent"):
                elements = data.get("meterValue")
                if elements is None and action == "TransactionEvent":
                    return ()
                items = _as_list(elements, f"{action}/meterValue")
                return tuple(
                    r for i, mv in enumerate(items) for r in readings_from_meter_value(mv, f"/meterValue/{i}")
                )
            if action == "StartTransaction":
                return (_register_reading(data, "meterStart", "Transaction.Begin", action),)
            if action == "StopTransaction":
                stop = _register_reading(data, "meterStop", "Transaction.End", action)
                extra = data.get("transactionData")
                items = () if extra is None else _as_list(extra, f"{action}/transactionData")
                found = tuple(
                    r
                    for i, mv in enumerate(items)
                    for r in readings_from_meter_value(mv, f"/transactionData/{i}")
                )
                return (*found, stop)
    except (ArithmeticError, RecursionError) as exc:
        raise EnergyError(f"{action}: cannot read meter values: {exc}") from None
    raise EnergyError(f"{action!r} carries no meter values ocpkit reads")
