"""Value checks: does a device-model value (2.x) or a configuration value (1.6) fit its definition?

Theory of operation. The JSON schemas say only "a string" of every value
(``attributeValue`` of at most 2500 characters, a 1.6 ``value`` of at most
500), so ``SampledDataCtrlr.TxUpdatedInterval = "often"`` passes them. Here
the value is read against the catalogue entry of its variable
(:func:`~ocpkit.ocpp.device_model.definitions.lookup`), or against the
characteristics a charger reported for it (``VariableCharacteristicsType``:
``dataType``, ``unit``, ``minLimit``, ``maxLimit``, ``valuesList``,
``maxElements``), which are the station's own statement and win where
given. The rules, per data type (OCPP 2.0.1 Part 2 §2, DataEnumType and
VariableCharacteristicsType):

* ``integer`` -- an optional minus sign and decimal digits; ``decimal`` -- the
  same with an optional fraction and exponent (no NaN, no infinity);
  ``boolean`` -- ``"true"`` or ``"false"`` (lower case); ``dateTime`` -- an
  RFC 3339 date-time with an offset;
* ``OptionList`` -- exactly one member of the values list; ``MemberList`` --
  a comma-separated set of members, none twice (the empty set is allowed);
  ``SequenceList`` -- a comma-separated, ordered list of members, none twice;
* ``string`` -- anything, except that ``identifierString`` and
  ``passwordString`` allow only ``a-z A-Z 0-9 * - _ = : + | @ .`` (Part 2
  §2.1 primitive datatypes);
* ``minLimit`` / ``maxLimit`` bound the number for the numeric types; for
  strings and lists ``maxLimit`` bounds the length of the (CSV) string, and
  ``maxElements`` (2.1) the number of list members.

When OCA's own tables give an entry two types (ClockCtrlr.NtpSource is a
string in the appendix and an OptionList in the published table), a value
that fits either is accepted. A variable the catalogue does not know (a
vendor's own) has nothing to be checked against and gives no violation.

OCPP 1.6 configuration keys (§9) are read the same way: ``boolean``,
``integer``, or ``CSL`` (comma-separated list) whose members, where the
specification lists them, must be among them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ocpkit.errors import UnsupportedError, Violation
from ocpkit.ocpp.device_model.definitions import (
    ATTRIBUTE_TYPES,
    DATA_TYPES,
    ConfigKey,
    VariableDef,
    config_key,
    lookup,
)

__all__ = ["check_key", "check_value", "check_variable"]

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# OCPP 2.0.1 Part 2 §2.1: the character set of identifierString and passwordString.
_IDENTIFIER = re.compile(r"[a-zA-Z0-9*\-_=:+|@.]*")
_LISTS = frozenset({"OptionList", "MemberList", "SequenceList"})
_NUMERIC = frozenset({"integer", "decimal"})
_SHOW = 60


def _show(value: str) -> str:
    return repr(value if len(value) <= _SHOW else value[:_SHOW] + "…")


def _number(value: object) -> Decimal | None:
    """A characteristic's limit (a JSON number) as a Decimal, or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _members(text: str) -> list[str]:
    return [] if text == "" else [m.strip() for m in text.split(",")]


def check_value(
    data_type: str,
    value: str,
    *,
    values: Sequence[str] | None = None,
    min_limit: Decimal | None = None,
    max_limit: Decimal | None = None,
    max_elements: int | None = None,
    string_format: str | None = None,
) -> list[tuple[str, str]]:
    """Check *value* against one data type and its limits; return ``(keyword, message)`` pairs.

    ``values`` is the closed values list of an Option/Member/SequenceList
    (``None``: not known, members are not checked).
    """
    found: list[tuple[str, str]] = []
    if data_type == "integer" or data_type == "decimal":
        pattern = _INTEGER if data_type == "integer" else _DECIMAL
        if pattern.fullmatch(value) is None:
            found.append(
                ("dataType", f"{_show(value)} is not {'an' if data_type == 'integer' else 'a'} {data_type}")
            )
            return found
        number = Decimal(value)
        if min_limit is not None and number < min_limit:
            found.append(("minLimit", f"{value} is below the minimum {min_limit}"))
        if max_limit is not None and number > max_limit:
            found.append(("maxLimit", f"{value} is above the maximum {max_limit}"))
        return found
    if data_type == "boolean":
        if value not in ("true", "false"):
            hint = " (booleans are lower case)" if value.casefold() in ("true", "false") else ""
            found.append(("dataType", f"{_show(value)} is not a boolean: 'true' or 'false'{hint}"))
        return found
    if data_type == "dateTime":
        # The models' RFC 3339 parser, imported here: it lives beside pydantic, which the other
        # checks do not need.
        from ocpkit._model import parse_rfc3339

        try:
            parse_rfc3339(value)
        except ValueError:
            found.append(("dataType", f"{_show(value)} is not an RFC 3339 date-time with an offset"))
        return found
    if max_limit is not None and len(value) > max_limit:
        found.append(("maxLimit", f"{len(value)} characters, more than the maximum length {max_limit}"))
    if data_type == "string":
        if string_format is not None and _IDENTIFIER.fullmatch(value) is None:
            bad = sorted({c for c in value if _IDENTIFIER.fullmatch(c) is None})
            found.append(("dataType", f"{string_format} allows no {''.join(bad)!r}"))
        return found
    allowed = None if values is None else set(values)
    if data_type == "OptionList":
        if value == "":
            found.append(("valuesList", "an OptionList value is one member, not empty"))
        elif allowed is not None and value not in allowed:
            found.append(
                ("valuesList", f"{_show(value)} is not in the values list ({', '.join(values or ())})")
            )
        return found
    members = _members(value)
    if max_elements is not None and len(members) > max_elements:
        found.append(("maxElements", f"{len(members)} members, more than the maximum {max_elements}"))
    seen: set[str] = set()
    for member in members:
        if member in seen:
            found.append(("valuesList", f"{member!r} is listed twice in a {data_type}"))
        seen.add(member)
        if member == "":
            found.append(("valuesList", f"an empty member in the {data_type} {_show(value)}"))
        elif allowed is not None and member not in allowed:
            found.append(("valuesList", f"{member!r} is not in the values list ({', '.join(values or ())})"))
    return found


def _characteristics(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise UnsupportedError(f"characteristics must be a mapping, not {type(raw).__name__}")
    return dict(raw)


def _valid_type(text: object) -> str | None:
    return text if isinstance(text, str) and text in DATA_TYPES else None


def check_variable(
    version: str,
    component: str,
    variable: str,
    value: str,
    attribute_type: str = "Actual",
    *,
    instance: str | None = None,
    characteristics: Mapping[str, Any] | None = None,
) -> list[Violation]:
    """Check one device-model value; return every rule it breaks (``[]`` when it fits or is unknown).

    *characteristics* is a reported ``VariableCharacteristicsType`` (wire
    names: ``dataType``, ``unit``, ``minLimit``, ``maxLimit``, ``valuesList``,
    ``maxElements``); when given, its limits and values list are the ones the
    value must meet, and its ``dataType`` and ``unit`` are compared with the
    catalogue's. A violation's ``path`` is ``""`` for the value and
    ``/variableCharacteristics/<field>`` for a characteristic; ``code`` is
    empty (a wrong value is answered with a status, not a CALLERROR).

    >>> [v.message for v in check_variable("2.0.1", "SampledDataCtrlr", "TxUpdatedInterval", "often")]
    ["'often' is not an integer"]
    """
    for name, arg in (("component", component), ("variable", variable), ("value", value)):
        if not isinstance(arg, str):
            raise UnsupportedError(f"{name} must be a string, not {type(arg).__name__}")
    if attribute_type not in ATTRIBUTE_TYPES:
        raise UnsupportedError(
            f"attribute_type must be one of {', '.join(ATTRIBUTE_TYPES)}, not {attribute_type!r}"
        )
    if instance is not None and not isinstance(instance, str):
        raise UnsupportedError(f"instance must be a string, not {type(instance).__name__}")
    reported = _characteristics(characteristics)
    entries = lookup(version, component, variable, instance, attribute_type)
    return _judge(entries, value, reported)


def _judge(entries: Sequence[VariableDef], value: str, reported: Mapping[str, Any]) -> list[Violation]:
    if not reported:
        # The common case in SetVariables / GetVariables traffic: nothing reported to compare.
        return _judge_value(entries, value, reported, None, None) if entries else []
    found: list[Violation] = []
    reported_type = _valid_type(reported.get("dataType"))
    known_types = tuple(dict.fromkeys(t for e in entries for t in e.types))
    if reported_type is not None and known_types and reported_type not in known_types:
        found.append(
            Violation(
                "/variableCharacteristics/dataType",
                "dataType",
                f"reported as {reported_type}; the OCA tables give {' or '.join(known_types)}",
            )
        )
    unit = reported.get("unit")
    known_units = tuple(dict.fromkeys(u for e in entries for u in e.units))
    if isinstance(unit, str) and known_units and unit not in known_units:
        found.append(
            Violation(
                "/variableCharacteristics/unit",
                "unit",
                f"unit {unit!r}; the OCA tables give {' or '.join(known_units)}",
            )
        )
    reported_values = reported.get("valuesList")
    values_of_report = _members(reported_values) if isinstance(reported_values, str) else None
    closed = next((e.values for e in entries if e.values is not None), None)
    if values_of_report is not None and closed is not None:
        extra = [m for m in values_of_report if m and m not in closed]
        if extra:
            found.append(
                Violation(
                    "/variableCharacteristics/valuesList",
                    "valuesList",
                    f"lists {', '.join(map(repr, extra))}, "
                    f"not in the standard values list ({', '.join(closed)})",
                )
            )
    found.extend(_judge_value(entries, value, reported, reported_type, values_of_report))
    return found


def _judge_value(
    entries: Sequence[VariableDef],
    value: str,
    reported: Mapping[str, Any],
    reported_type: str | None,
    values_of_report: list[str] | None,
) -> list[Violation]:
    # One attempt per way of reading the value: every type an OCA table gives each entry, or the
    # reported type when the catalogue has none. The value fits when one attempt passes.
    attempts: list[tuple[str, VariableDef | None]] = [(t, e) for e in entries for t in e.types]
    if not attempts and reported_type is not None:
        attempts = [(reported_type, None)]
    if not attempts:
        return []
    min_limit = _number(reported.get("minLimit")) if reported else None
    max_limit = _number(reported.get("maxLimit")) if reported else None
    max_elements = reported.get("maxElements") if reported else None
    first: list[tuple[str, str]] | None = None
    for data_type, entry in attempts:
        values: Sequence[str] | None = values_of_report
        if values is None and entry is not None:
            values = entry.values
        problems = check_value(
            data_type,
            value,
            values=values if data_type in _LISTS else None,
            min_limit=min_limit if min_limit is not None else (entry.min_limit if entry else None),
            max_limit=max_limit if max_limit is not None else (entry.max_limit if entry else None),
            max_elements=max_elements if type(max_elements) is int else None,
            string_format=entry.string_format if entry else None,
        )
        if not problems:
            return []
        if first is None:
            first = problems
    return [Violation("", keyword, message) for keyword, message in first or ()]


def check_key(key: str, value: str, *, definition: ConfigKey | None = None) -> list[Violation]:
    """Check one OCPP 1.6 configuration value against its standard key (``[]`` for a key not in §9).

    >>> [v.message for v in check_key("HeartbeatInterval", "5m")]
    ["'5m' is not an integer"]
    """
    if not isinstance(key, str) or not isinstance(value, str):
        raise UnsupportedError("key and value must be strings")
    spec = definition or config_key(key)
    if spec is None:
        return []
    if spec.data_type in ("boolean", "integer"):
        return [Violation("", kw, msg) for kw, msg in check_value(spec.data_type, value)]
    if spec.data_type != "CSL":
        return []
    found: list[Violation] = []
    for member in _members(value):
        item = member
        if spec.item_format == "<connector>.<rotation>":
            # OCPP 1.6 §9.1.7: "<connectorId>.<rotation>", connector 0 being the grid connection.
            connector, dot, item = member.partition(".")
            if not dot or not connector.isdigit():
                found.append(Violation("", "format", f"{member!r} is not '<connector>.<rotation>'"))
                continue
        if member == "":
            found.append(Violation("", "format", f"an empty member in {_show(value)}"))
        elif spec.values is not None and item not in spec.values:
            found.append(Violation("", "values", f"{item!r} is not one of {', '.join(spec.values)}"))
    return found
