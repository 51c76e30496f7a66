"""Device-model findings in traffic: values in payloads, and writes a charger should have refused.

Theory of operation. :func:`check_payload` reads the values one payload
carries and judges each with :func:`~ocpkit.ocpp.device_model.values.check_variable`
(2.x) or :func:`~ocpkit.ocpp.device_model.values.check_key` (1.6):

=====================================  =====================================================
payload                                what is checked
=====================================  =====================================================
SetVariables request                   every ``attributeValue`` the CSMS asks to write
GetVariables response                  every accepted ``attributeValue``; a value returned
                                       for a WriteOnly variable
NotifyReport request                   every attribute ``value`` against the catalogue and
                                       the reported ``variableCharacteristics``
NotifyMonitoringReport request         threshold monitors on variables that are not numbers
1.6 ChangeConfiguration request        the ``value`` against the standard key's type
1.6 GetConfiguration response          every ``value``; ``readonly`` of a key the
                                       specification makes read-only
=====================================  =====================================================

:func:`check_write` judges a write with its answer: a SetVariables entry (or
a 1.6 ChangeConfiguration) that targets a read-only variable and is answered
``Accepted`` (OCPP 2.0.1 B05: a ReadOnly attribute is answered ``Rejected``;
OCPP 1.6 §9: a key of accessibility ``R`` cannot be written). Read-only means
what the charger itself reported (its NotifyReport, passed in as *known*)
or, for a variable it never reported, what the specification table states
without leaving the choice to the implementation.

Everything here is pure and total: a payload of the wrong shape yields fewer
findings, never an exception (the schema verdict reports the shape). Each
finding names the JSON pointer of the value in its message and carries the
caller's ``ref``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ocpkit.errors import UnsupportedError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp._payload import as_int, as_obj
from ocpkit.ocpp.device_model.definitions import ATTRIBUTE_TYPES, config_key, lookup
from ocpkit.ocpp.device_model.values import check_key, check_variable

__all__ = [
    "CHECKED",
    "VariableRef",
    "check_payload",
    "check_write",
    "label",
    "variable_ref",
]

CHECKED: Mapping[str, frozenset[tuple[str, str]]] = {
    "1.6": frozenset({("ChangeConfiguration", "request"), ("GetConfiguration", "response")}),
    "2.0.1": frozenset(
        {
            ("SetVariables", "request"),
            ("GetVariables", "response"),
            ("NotifyReport", "request"),
            ("NotifyMonitoringReport", "request"),
        }
    ),
}
"""The (action, "request"|"response") payloads :func:`check_payload` reads, per version."""
CHECKED = {**CHECKED, "2.1": CHECKED["2.0.1"]}

_ERROR, _WARNING = Severity.ERROR, Severity.WARNING
_WRITE_OK = frozenset({"Accepted", "RebootRequired"})

VariableRef = tuple[str, str | None, int | None, int | None, str, str | None]
"""(component, component instance, evse id, connector id, variable, variable instance)."""


def variable_ref(component: object, variable: object) -> VariableRef | None:
    """The identity of a ComponentType / VariableType pair, or ``None`` when either lacks a name."""
    comp, var = as_obj(component), as_obj(variable)
    name, vname = comp.get("name"), var.get("name")
    if not isinstance(name, str) or not isinstance(vname, str):
        return None
    evse = as_obj(comp.get("evse"))
    cinst, vinst = comp.get("instance"), var.get("instance")
    return (
        name,
        cinst if isinstance(cinst, str) else None,
        as_int(evse.get("id")),
        as_int(evse.get("connectorId")),
        vname,
        vinst if isinstance(vinst, str) else None,
    )


def label(ref: VariableRef) -> str:
    """``Component[instance](evse 1, connector 2).Variable[instance]``, parts present only when given."""
    name, cinst, evse, connector, vname, vinst = ref
    text = name + (f"[{cinst}]" if cinst else "")
    if evse is not None:
        text += f"(evse {evse}" + (f", connector {connector}" if connector is not None else "") + ")"
    return text + "." + vname + (f"[{vinst}]" if vinst else "")


def _attribute(value: object) -> str:
    return value if isinstance(value, str) and value in ATTRIBUTE_TYPES else "Actual"


def _items(payload: Mapping[str, Any], field: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    items = payload.get(field)
    if type(items) is list:
        for index, item in enumerate(items):
            if type(item) is dict or isinstance(item, Mapping):
                yield index, item


def _value_findings(
    version: str,
    ref: VariableRef,
    value: str,
    attribute: str,
    pointer: str,
    characteristics: Mapping[str, Any] | None,
    report_ref: object,
    entry_pointer: str = "",
) -> list[Finding]:
    name, _, _, _, vname, vinst = ref
    found = []
    for v in check_variable(
        version, name, vname, value, attribute, instance=vinst, characteristics=characteristics
    ):
        if v.path:
            code, severity, where = "device-model.characteristics", _WARNING, entry_pointer + v.path
        else:
            code, severity, where = "device-model.value", _ERROR, pointer
        found.append(Finding(severity, code, f"{where}: {v.message}", label(ref), report_ref))
    return found


def check_payload(
    version: str,
    action: str,
    kind: str,
    payload: Mapping[str, Any],
    *,
    ref: object = None,
) -> list[Finding]:
    """The device-model findings of one payload (``[]`` for payloads this module does not read).

    *kind* is ``"request"`` or ``"response"``; *payload* the decoded JSON
    object. See the module docstring for what each payload is checked for.
    """
    if version not in CHECKED:
        raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of 1.6, 2.0.1, 2.1")
    if kind not in ("request", "response"):
        raise UnsupportedError(f"kind must be 'request' or 'response', not {kind!r}")
    reader = _READERS.get((action, kind)) if (action, kind) in CHECKED[version] else None
    if reader is None:
        return []
    return reader(version, as_obj(payload), ref)


def _set_variables(version: str, payload: Mapping[str, Any], ref: object) -> list[Finding]:
    found = []
    for i, item in _items(payload, "setVariableData"):
        var = variable_ref(item.get("component"), item.get("variable"))
        value = item.get("attributeValue")
        if var is not None and isinstance(value, str):
            pointer = f"/setVariableData/{i}/attributeValue"
            found += _value_findings(
                version, var, value, _attribute(item.get("attributeType")), pointer, None, ref
            )
    return found


def _get_variables(version: str, payload: Mapping[str, Any], ref: object) -> list[Finding]:
    found = []
    for i, item in _items(payload, "getVariableResult"):
        var = variable_ref(item.get("component"), item.get("variable"))
        value = item.get("attributeValue")
        if var is None or item.get("attributeStatus") != "Accepted" or not isinstance(value, str):
            continue
        attribute = _attribute(item.get("attributeType"))
        pointer = f"/getVariableResult/{i}/attributeValue"
        found += _value_findings(version, var, value, attribute, pointer, None, ref)
        entries = lookup(version, var[0], var[4], var[5], attribute)
        # OCPP 2.0.1 B06: a WriteOnly variable is never read back (its value is a secret).
        if entries and all(e.mutability == ("WriteOnly",) for e in entries):
            found.append(
                Finding(
                    _WARNING,
                    "device-model.writeonly-read",
                    f"{pointer}: a value was returned for a WriteOnly variable",
                    label(var),
                    ref,
                )
            )
    return found


def _notify_report(version: str, payload: Mapping[str, Any], ref: object) -> list[Finding]:
    found = []
    for i, item in _items(payload, "reportData"):
        var = variable_ref(item.get("component"), item.get("variable"))
        if var is None:
            continue
        characteristics = item.get("variableCharacteristics")
        chars = characteristics if isinstance(characteristics, Mapping) else None
        said_chars = False
        for j, attribute in _items(item, "variableAttribute"):
            value = attribute.get("value")
            if not isinstance(value, str):
                continue
            pointer = f"/reportData/{i}/variableAttribute/{j}/value"
            more = _value_findings(
                version,
                var,
                value,
                _attribute(attribute.get("type")),
                pointer,
                chars,
                ref,
                f"/reportData/{i}",
            )
            if said_chars:
                # The characteristics are one per variable: say their problems once.
                more = [f for f in more if f.code != "device-model.characteristics"]
            said_chars = said_chars or any(f.code == "device-model.characteristics" for f in more)
            found += more
    return found


def _notify_monitoring_report(version: str, payload: Mapping[str, Any], ref: object) -> list[Finding]:
    found = []
    for i, item in _items(payload, "monitor"):
        var = variable_ref(item.get("component"), item.get("variable"))
        if var is None:
            continue
        types = {t for e in lookup(version, var[0], var[4], var[5]) for t in e.types}
        if not types or types & {"integer", "decimal"}:
            continue
        for j, monitor in _items(item, "variableMonitoring"):
            kind = monitor.get("type")
            if kind in ("UpperThreshold", "LowerThreshold"):
                found.append(
                    Finding(
                        _WARNING,
                        "device-model.monitor-type",
                        f"/monitor/{i}/variableMonitoring/{j}/type: a {kind} monitor on a "
                        f"{' or '.join(sorted(types))} variable, which has no numeric value to cross",
                        label(var),
                        ref,
                    )
                )
    return found


def _change_configuration(version: str, payload: Mapping[str, Any], ref: object) -> list[Finding]:
    key, value = payload.get("key"), payload.get("value")
    if not isinstance(key, str) or not isinstance(value, str):
        return []
    return [
        Finding(_ERROR, "configuration.value", f"/value: {v.message}", key, ref)
        for v in check_key(key, value)
    ]


def _get_configuration(version: str, payload: Mapping[str, Any], ref: object) -> list[Finding]:
    found = []
    for i, item in _items(payload, "configurationKey"):
        key, value = item.get("key"), item.get("value")
        if not isinstance(key, str):
            continue
        if isinstance(value, str):
            found += [
                Finding(_ERROR, "configuration.value", f"/configurationKey/{i}/value: {v.message}", key, ref)
                for v in check_key(key, value)
            ]
        spec = config_key(key)
        if spec is not None and spec.accessibility == "R" and item.get("readonly") is False:
            found.append(
                Finding(
                    _WARNING,
                    "configuration.readonly-flag",
                    f"/configurationKey/{i}/readonly: reported writable; "
                    f"OCPP 1.6 §9 makes {spec.key} read-only",
                    key,
                    ref,
                )
            )
    return found


_READERS: Mapping[tuple[str, str], Callable[[str, Mapping[str, Any], object], list[Finding]]] = {
    ("SetVariables", "request"): _set_variables,
    ("GetVariables", "response"): _get_variables,
    ("NotifyReport", "request"): _notify_report,
    ("NotifyMonitoringReport", "request"): _notify_monitoring_report,
    ("ChangeConfiguration", "request"): _change_configuration,
    ("GetConfiguration", "response"): _get_configuration,
}


def check_write(
    version: str,
    request: Mapping[str, Any],
    response: Mapping[str, Any],
    *,
    known: Mapping[VariableRef, str] | None = None,
    ref: object = None,
) -> list[Finding]:
    """Findings for writes to read-only variables that were answered as done.

    For 2.x, *request* / *response* are a SetVariables pair; *known* maps
    variables to the mutability the charger reported for their Actual
    attribute (see :class:`~ocpkit.ocpp.device_model.inventory.ReportedModel`).
    For 1.6 they are a ChangeConfiguration pair (*known* maps a key to
    ``"ReadOnly"`` / ``"ReadWrite"`` as GetConfiguration reported it, under
    ``(key, None, None, None, key, None)``).
    """
    if version == "1.6":
        return _change_configuration_answer(as_obj(request), as_obj(response), known or {}, ref)
    if version not in CHECKED:
        raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of 1.6, 2.0.1, 2.1")
    wanted: dict[tuple[VariableRef, str], int] = {}
    for i, item in _items(as_obj(request), "setVariableData"):
        var = variable_ref(item.get("component"), item.get("variable"))
        if var is not None:
            wanted.setdefault((var, _attribute(item.get("attributeType"))), i)
    found = []
    for i, item in _items(as_obj(response), "setVariableResult"):
        var = variable_ref(item.get("component"), item.get("variable"))
        status = item.get("attributeStatus")
        attribute = _attribute(item.get("attributeType"))
        if var is None or status not in _WRITE_OK or (var, attribute) not in wanted:
            continue
        said = (known or {}).get(var) if attribute == "Actual" else None
        if said is None:
            entries = lookup(version, var[0], var[4], var[5], attribute)
            read_only = bool(entries) and all(e.mutability == ("ReadOnly",) for e in entries)
            why = "the specification makes it ReadOnly"
        else:
            read_only = said == "ReadOnly"
            why = "the charger reported it ReadOnly"
        if read_only:
            found.append(
                Finding(
                    _ERROR,
                    "device-model.readonly-accepted",
                    f"/setVariableResult/{i}/attributeStatus: {status} for a write to a ReadOnly variable "
                    f"({why}; OCPP 2.0.1 B05 answers Rejected)",
                    label(var),
                    ref,
                )
            )
    return found


def _change_configuration_answer(
    request: Mapping[str, Any], response: Mapping[str, Any], known: Mapping[VariableRef, str], ref: object
) -> list[Finding]:
    key, status = request.get("key"), response.get("status")
    if not isinstance(key, str) or status not in _WRITE_OK:
        return []
    said = known.get((key, None, None, None, key, None))
    spec = config_key(key)
    if said is not None:
        read_only, why = said == "ReadOnly", "GetConfiguration reported it readonly"
    else:
        read_only, why = spec is not None and spec.accessibility == "R", "OCPP 1.6 §9 makes it read-only"
    if not read_only:
        return []
    return [
        Finding(
            _ERROR,
            "configuration.readonly-accepted",
            f"/status: {status} for a change of a read-only key ({why})",
            key,
            ref,
        )
    ]
