"""Inventory checks: the device model a charger reports, assembled from its NotifyReport sequences.

Theory of operation. A GetBaseReport (or GetReport) that the station accepts
is answered by NotifyReport CALLs carrying the CSMS's ``requestId``, numbered
by ``seqNo`` from 0, each saying with ``tbc`` ("to be continued") whether
more follow (OCPP 2.0.1 B07/B08; ``tbc`` defaults to false). :class:`Report`
collects the parts of one ``requestId`` in any order and knows when it is
whole; :class:`ReportedModel` is everything one charger reported, merged, as
a value a caller can query (:meth:`ReportedModel.value`, ``mutability``);
:func:`assemble_reports` builds them from a list of NotifyReport payloads.

:class:`DeviceModelWatcher` is the :mod:`watcher <ocpkit.ocpp.watch>` that
``ocpkit validate`` runs per charge point. It follows GetBaseReport,
GetReport, NotifyReport, SetVariables, GetVariables and NotifyMonitoringReport
(2.x), and ChangeConfiguration and GetConfiguration (1.6), and says:

* every value finding of :func:`~ocpkit.ocpp.device_model.traffic.check_payload`;
* ``device-model.report-incomplete`` -- a report whose parts never all came
  (a gap in ``seqNo``, or no part with ``tbc`` false), or an accepted report
  request answered by no NotifyReport at all;
* ``device-model.report-duplicate-part`` -- a ``seqNo`` sent twice;
* ``device-model.required-missing`` -- a whole FullInventory report that lacks
  a variable the published table marks required for a component the report
  shows, or (2.0.1) a controller the Core certification profile makes
  mandatory (Part 5 §5); variables required only under a condition are not
  asked for;
* ``device-model.readonly-accepted`` / ``configuration.readonly-accepted`` --
  see :func:`~ocpkit.ocpp.device_model.traffic.check_write`, with the
  mutabilities the charger reported taking precedence over the catalogue.

:class:`Inventory` is a watcher factory that keeps the watchers it made, so a
caller of :func:`ocpkit.ocpp.conversation.check` can read each charger's
:class:`ReportedModel` afterwards. Memory is bounded per charge point
(:data:`MAX_VARIABLES` reported variables, :data:`MAX_OPEN_REPORTS` reports
being assembled).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ocpkit.findings import Finding, Severity
from ocpkit.ocpp._payload import as_int, as_obj
from ocpkit.ocpp.device_model.definitions import VariableDef, catalogue
from ocpkit.ocpp.device_model.traffic import (
    VariableRef,
    check_payload,
    check_write,
    label,
    variable_ref,
)
from ocpkit.ocpp.watch import Exchange

__all__ = [
    "MAX_OPEN_REPORTS",
    "MAX_VARIABLES",
    "DeviceModelWatcher",
    "Inventory",
    "Report",
    "ReportedAttribute",
    "ReportedModel",
    "ReportedVariable",
    "assemble_reports",
    "watcher",
]

MAX_VARIABLES = 50_000
"""Reported variables kept per charge point; later ones are counted, not kept."""

MAX_OPEN_REPORTS = 16
"""Reports assembled at once per charge point; beyond it the oldest is judged incomplete and dropped."""

_ERROR, _WARNING = Severity.ERROR, Severity.WARNING
_V2_ACTIONS = frozenset(
    {"GetBaseReport", "GetReport", "NotifyReport", "SetVariables", "GetVariables", "NotifyMonitoringReport"}
)
_V16_ACTIONS = frozenset({"ChangeConfiguration", "GetConfiguration"})
_MAX_SHOWN = 8


@dataclass(frozen=True, slots=True)
class ReportedAttribute:
    """One attribute of a reported variable (``VariableAttributeType``; mutability defaults to ReadWrite)."""

    value: str | None
    mutability: str = "ReadWrite"
    persistent: bool = False
    constant: bool = False


@dataclass(frozen=True, slots=True)
class ReportedVariable:
    """A variable as a charger reported it: its attributes by type, and its characteristics."""

    ref: VariableRef
    attributes: Mapping[str, ReportedAttribute]
    characteristics: Mapping[str, Any] | None = None

    @property
    def label(self) -> str:
        """``Component(evse 1).Variable[instance]``."""
        return label(self.ref)


def _reported(item: Mapping[str, Any]) -> ReportedVariable | None:
    ref = variable_ref(item.get("component"), item.get("variable"))
    if ref is None:
        return None
    attributes: dict[str, ReportedAttribute] = {}
    raw = item.get("variableAttribute")
    for attribute in raw if isinstance(raw, list) else ():
        attr = as_obj(attribute)
        kind = attr.get("type", "Actual")
        value = attr.get("value")
        mutability = attr.get("mutability", "ReadWrite")
        attributes[kind if isinstance(kind, str) else "Actual"] = ReportedAttribute(
            value if isinstance(value, str) else None,
            mutability if isinstance(mutability, str) else "ReadWrite",
            attr.get("persistent") is True,
            attr.get("constant") is True,
        )
    chars = item.get("variableCharacteristics")
    return ReportedVariable(ref, attributes, chars if isinstance(chars, Mapping) else None)


@dataclass
class Report:
    """The parts of one report (one ``requestId``) seen so far.

    ``base`` is the GetBaseReport ``reportBase`` (``"FullInventory"`` ...),
    ``"GetReport"`` for a report by criteria, ``None`` when the request was
    not seen. ``seq_nos`` holds every part's ``seqNo``; ``last`` the ``seqNo``
    of the part with ``tbc`` false, if it came.
    """

    request_id: int
    base: str | None = None
    seq_nos: list[int] = field(default_factory=list)
    last: int | None = None
    generated_at: str | None = None
    variables: dict[VariableRef, ReportedVariable] = field(default_factory=dict)
    dropped: int = 0

    @property
    def missing(self) -> list[int]:
        """The ``seqNo`` values not (yet) seen: the gaps, and ``last + 1`` when no final part came."""
        seen = set(self.seq_nos)
        top = self.last if self.last is not None else (max(seen) + 1 if seen else 0)
        return [n for n in range(top + 1) if n not in seen]

    @property
    def complete(self) -> bool:
        """True when the final part and every part before it arrived."""
        return self.last is not None and not self.missing

    @property
    def duplicates(self) -> list[int]:
        """``seqNo`` values seen more than once."""
        counts = Counter(self.seq_nos)
        return sorted(n for n, times in counts.items() if times > 1)

    def add(self, payload: Mapping[str, Any], *, limit: int = MAX_VARIABLES) -> None:
        """Take one NotifyReport request payload of this ``requestId``."""
        seq = as_int(payload.get("seqNo"))
        if seq is not None:
            self.seq_nos.append(seq)
            if payload.get("tbc", False) is False:
                self.last = seq if self.last is None else max(self.last, seq)
        stamp = payload.get("generatedAt")
        if isinstance(stamp, str) and self.generated_at is None:
            self.generated_at = stamp
        raw = payload.get("reportData")
        for item in raw if isinstance(raw, list) else ():
            reported = _reported(as_obj(item))
            if reported is None:
                continue
            if len(self.variables) >= limit and reported.ref not in self.variables:
                self.dropped += 1
                continue
            self.variables[reported.ref] = reported


@dataclass
class ReportedModel:
    """Everything one charger reported of its device model, merged over its reports (later wins)."""

    version: str
    variables: dict[VariableRef, ReportedVariable] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    dropped: int = 0

    def merge(self, report: Report, *, limit: int = MAX_VARIABLES) -> None:
        """Fold one report into the model."""
        for ref, reported in report.variables.items():
            if len(self.variables) >= limit and ref not in self.variables:
                self.dropped += 1
                continue
            self.variables[ref] = reported
        self.dropped += report.dropped
        self.reports.append(report)

    def find(self, component: str, variable: str, *, instance: str | None = None) -> list[ReportedVariable]:
        """The reported variables named so (case-insensitive), on any component instance or EVSE."""
        c, v = component.casefold(), variable.casefold()
        return [
            r
            for ref, r in self.variables.items()
            if ref[0].casefold() == c
            and ref[4].casefold() == v
            and (instance is None or (ref[5] or "").casefold() == instance.casefold())
        ]

    def value(
        self, component: str, variable: str, *, instance: str | None = None, attribute: str = "Actual"
    ) -> str | None:
        """The reported value of one variable (the first match), or ``None``."""
        for reported in self.find(component, variable, instance=instance):
            attr = reported.attributes.get(attribute)
            if attr is not None:
                return attr.value
        return None

    def mutabilities(self) -> dict[VariableRef, str]:
        """Variable -> the mutability reported for its Actual attribute."""
        return {
            ref: r.attributes["Actual"].mutability
            for ref, r in self.variables.items()
            if "Actual" in r.attributes
        }

    def components(self) -> set[tuple[str, str | None, int | None, int | None]]:
        """Every (component, instance, evse id, connector id) that some reported variable is on."""
        return {ref[:4] for ref in self.variables}


def assemble_reports(parts: Iterable[Mapping[str, Any]], version: str = "2.0.1") -> ReportedModel:
    """Build a :class:`ReportedModel` from NotifyReport request payloads (any order, any requestIds).

    Parts are grouped by ``requestId``; each group becomes a :class:`Report`
    (see :attr:`Report.complete` and :attr:`Report.missing`), merged in order
    of first appearance.
    """
    reports: dict[int, Report] = {}
    for part in parts:
        payload = as_obj(part)
        request_id = as_int(payload.get("requestId"))
        if request_id is None:
            continue
        reports.setdefault(request_id, Report(request_id)).add(payload)
    model = ReportedModel(version)
    for report in reports.values():
        model.merge(report)
    return model


def _missing_required(version: str, report: Report) -> list[tuple[str, list[VariableDef]]]:
    """(component label, required entries absent) for each component group of a full report."""
    cat = catalogue(version)
    groups: dict[tuple[str, str | None, int | None, int | None], set[tuple[str, str | None]]] = {}
    for ref in report.variables:
        groups.setdefault(ref[:4], set()).add((ref[4].casefold(), (ref[5] or "").casefold() or None))
    out: list[tuple[str, list[VariableDef]]] = []
    present_names = {g[0].casefold() for g in groups}
    for mandatory in cat.mandatory_components("Core"):
        if mandatory.casefold() not in present_names:
            required = [e for e in cat.required_of(mandatory) if e.required_when is None]
            out.append((f"{mandatory} (mandatory in the Core certification profile)", required))
    for group, names in sorted(groups.items(), key=lambda g: str(g[0])):
        absent = []
        for entry in cat.required_of(group[0]):
            if entry.required_when is not None:
                continue
            rule = entry.instance_rule
            if rule == "fixed":
                hit = (entry.name.casefold(), (entry.instance or "").casefold()) in names
            elif rule == "none":
                hit = any(n == entry.name.casefold() for n, _ in names)
            else:
                hit = any(n == entry.name.casefold() and i is not None for n, i in names)
            if not hit:
                absent.append(entry)
        if absent:
            out.append((label((*group, "", None)).rstrip("."), absent))
    return out


class DeviceModelWatcher:
    """Follows one charge point's device-model exchanges; see the module docstring for its findings."""

    def __init__(self, version: str, charge_point: str | None) -> None:
        self.version = version
        self.charge_point = charge_point
        self.actions: frozenset[str] = _V16_ACTIONS if version == "1.6" else _V2_ACTIONS
        self.model = ReportedModel(version)
        self.requested: OrderedDict[int, tuple[str, object]] = OrderedDict()
        self.building: OrderedDict[int, tuple[Report, object]] = OrderedDict()
        self.readonly_keys: dict[VariableRef, str] = {}

    # -- the Watcher protocol -------------------------------------------------------------------------

    def exchange(self, exchange: Exchange) -> list[Finding]:
        """Take one completed exchange of an action in :attr:`actions`."""
        action = exchange.action
        found: list[Finding] = []
        answered = exchange.outcome == "result" and exchange.response is not None
        response = exchange.response if answered and exchange.response is not None else {}
        found += check_payload(self.version, action, "request", exchange.request, ref=exchange.ref)
        if answered:
            found += check_payload(self.version, action, "response", response, ref=exchange.answer_ref)
        if action in ("GetBaseReport", "GetReport") and answered and response.get("status") == "Accepted":
            request_id = as_int(exchange.request.get("requestId"))
            if request_id is not None:
                base = exchange.request.get("reportBase") if action == "GetBaseReport" else "GetReport"
                self.requested[request_id] = (base if isinstance(base, str) else action, exchange.answer_ref)
                while len(self.requested) > MAX_OPEN_REPORTS * 4:
                    self.requested.popitem(last=False)
        elif action == "NotifyReport":
            found += self._part(exchange)
        elif action == "SetVariables" and answered:
            found += check_write(
                self.version,
                exchange.request,
                response,
                known=self.model.mutabilities(),
                ref=exchange.answer_ref,
            )
        elif action == "GetConfiguration" and answered:
            self._remember_keys(response)
        elif action == "ChangeConfiguration" and answered:
            found += check_write(
                "1.6", exchange.request, response, known=self.readonly_keys, ref=exchange.answer_ref
            )
        return found

    def finish(self) -> list[Finding]:
        """End of input: reports never completed, and accepted requests no report answered."""
        found: list[Finding] = []
        for report, ref in list(self.building.values()):
            found += self._incomplete(report, ref)
            self.model.merge(report)
        self.building.clear()
        for request_id, (base, ref) in self.requested.items():
            found.append(
                Finding(
                    _ERROR,
                    "device-model.report-incomplete",
                    f"report {request_id} ({base}) was accepted, but no NotifyReport of it arrived",
                    f"report {request_id}",
                    ref,
                )
            )
        self.requested.clear()
        return found

    # -- reports --------------------------------------------------------------------------------------

    def _known(self) -> dict[VariableRef, str]:
        """The mutabilities reported so far, reports still being assembled included."""
        known = self.model.mutabilities()
        for report, _ in self.building.values():
            for ref, reported in report.variables.items():
                if "Actual" in reported.attributes:
                    known[ref] = reported.attributes["Actual"].mutability
        return known

    def _part(self, exchange: Exchange) -> list[Finding]:
        payload = exchange.request
        request_id = as_int(payload.get("requestId"))
        if request_id is None:
            return []
        found: list[Finding] = []
        entry = self.building.get(request_id)
        if entry is None:
            base = self.requested.pop(request_id, (None, None))[0]
            entry = (Report(request_id, base), exchange.ref)
            self.building[request_id] = entry
            if len(self.building) > MAX_OPEN_REPORTS:
                _, (oldest, ref) = self.building.popitem(last=False)
                found += self._incomplete(oldest, ref)
                self.model.merge(oldest)
        report = entry[0]
        before = set(report.seq_nos)
        report.add(payload)
        seq = as_int(payload.get("seqNo"))
        if seq is not None and seq in before:
            found.append(
                Finding(
                    _WARNING,
                    "device-model.report-duplicate-part",
                    f"seqNo {seq} of report {request_id} arrived twice",
                    f"report {request_id}",
                    exchange.ref,
                )
            )
        if report.complete:
            del self.building[request_id]
            self.model.merge(report)
            if report.base == "FullInventory":
                found += self._required(report, exchange.ref)
        return found

    def _incomplete(self, report: Report, ref: object) -> list[Finding]:
        if report.complete:
            return []
        missing = report.missing
        shown = ", ".join(map(str, missing[:_MAX_SHOWN])) + (" ..." if len(missing) > _MAX_SHOWN else "")
        final = "" if report.last is not None else "; no part with tbc false arrived"
        return [
            Finding(
                _ERROR,
                "device-model.report-incomplete",
                f"report {report.request_id} lacks the part(s) with seqNo {shown}{final}",
                f"report {report.request_id}",
                ref,
            )
        ]

    def _required(self, report: Report, ref: object) -> list[Finding]:
        found = []
        for where, absent in _missing_required(self.version, report):
            names = ", ".join(e.name + (f"[{e.instance}]" if e.instance else "") for e in absent)
            found.append(
                Finding(
                    _ERROR,
                    "device-model.required-missing",
                    f"full report {report.request_id} lacks required variable(s) {names or '(all)'}",
                    where,
                    ref,
                )
            )
        return found

    # -- 1.6 ------------------------------------------------------------------------------------------

    def _remember_keys(self, response: Mapping[str, Any]) -> None:
        items = response.get("configurationKey")
        for item in items if isinstance(items, list) else ():
            obj = as_obj(item)
            key, readonly = obj.get("key"), obj.get("readonly")
            if (
                isinstance(key, str)
                and isinstance(readonly, bool)
                and len(self.readonly_keys) < MAX_VARIABLES
            ):
                self.readonly_keys[(key, None, None, None, key, None)] = (
                    "ReadOnly" if readonly else "ReadWrite"
                )


def watcher(version: str, charge_point: str | None) -> DeviceModelWatcher:
    """The :data:`~ocpkit.ocpp.watch.WatcherFactory` registered in ``DEFAULT_WATCHERS``."""
    return DeviceModelWatcher(version, charge_point)


class Inventory:
    """A watcher factory that keeps its watchers, so the reported models can be read after a run.

    >>> from ocpkit.ocpp.conversation import check
    >>> inventory = Inventory()
    >>> findings = list(check([], "2.0.1", watchers=[inventory]))
    >>> inventory.models
    {}
    """

    def __init__(self) -> None:
        self.watchers: dict[str | None, DeviceModelWatcher] = {}

    def __call__(self, version: str, charge_point: str | None) -> DeviceModelWatcher:
        """Make (and keep) the watcher of one charge point."""
        made = DeviceModelWatcher(version, charge_point)
        self.watchers[charge_point] = made
        return made

    @property
    def models(self) -> dict[str | None, ReportedModel]:
        """Charge point -> the device model it reported (empty models for chargers that reported none)."""
        return {cp: w.model for cp, w in self.watchers.items() if w.model.variables or w.model.reports}
