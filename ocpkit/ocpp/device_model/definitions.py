"""The device-model catalogue: standardized components and variables of OCPP 2.0.1 and 2.1, as data.

Theory of operation. The facts live in generated modules (``_v201``, ``_v21``,
``_v16``, ``_mapping``), written by ``python -m tools.codegen`` from the OCA
appendix tables in ``../shared/specs/ocpp/device-model``; this module holds the
types those modules build and the lookups over them. Nothing is imported
until :func:`catalogue` is first called for a version, so importing ocpkit (or
this package) costs no catalogue.

A version's catalogue has four kinds of variable entries, distinguished by
:attr:`VariableDef.origin`:

* ``"referenced"`` -- a row of the published *dm_components_vars* table: the
  variables the Part 2 specification refers to, with the *Required* flag.
  ``component`` is ``None`` for the rows the table marks ``<generic>``.
* ``"typical"`` -- a row of a component's section in the appendix (§3): the
  variables such a component usually has; most carry no type of their own.
* ``"standardized"`` -- a row of the standardized *variables* table: a name,
  a data type and a unit, valid on any component.

:func:`lookup` picks the most specific entries for a (component, variable,
instance, attribute) in that order. Names compare case-insensitively, as OCPP
2.x says of component and variable names (ComponentType / VariableType).
Mutability and values lists come from the extracted specification tables (the
published CSV has neither column); where OCA's own tables disagree, the
generator records it in :attr:`Catalogue.notes` and the entry lists the other
data types in :attr:`VariableDef.other_types`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Literal

from ocpkit.errors import UnsupportedError

__all__ = [
    "ATTRIBUTE_TYPES",
    "DATA_TYPES",
    "MUTABILITIES",
    "VERSIONS",
    "Catalogue",
    "ComponentDef",
    "ConfigKey",
    "ProfileComponent",
    "ReasonCode",
    "SecurityEvent",
    "SourceNote",
    "VariableDef",
    "catalogue",
    "config_key",
    "config_keys",
    "lookup",
]

VERSIONS: tuple[str, ...] = ("2.0.1", "2.1")
"""The OCPP versions that have a device model."""

DATA_TYPES: tuple[str, ...] = (
    "string",
    "decimal",
    "integer",
    "dateTime",
    "boolean",
    "OptionList",
    "SequenceList",
    "MemberList",
)
"""DataEnumType of OCPP 2.0.1 and 2.1 (the same eight values in both)."""

ATTRIBUTE_TYPES: tuple[str, ...] = ("Actual", "Target", "MinSet", "MaxSet")
"""AttributeEnumType of OCPP 2.0.1 and 2.1."""

MUTABILITIES: tuple[str, ...] = ("ReadOnly", "WriteOnly", "ReadWrite")
"""MutabilityEnumType of OCPP 2.0.1 and 2.1."""

Origin = Literal["referenced", "typical", "standardized"]
InstanceRule = Literal["none", "fixed", "any", "range"]

_MODULES: Mapping[str, str] = {"2.0.1": "_v201", "2.1": "_v21"}


@dataclass(frozen=True, slots=True)
class VariableDef:
    """One variable of the catalogue, on one component (or on any, when ``component`` is ``None``).

    ``instance`` is the variable instance the row names: a fixed name
    (``"GetReport"``), a placeholder in angle brackets (``"<vendorId>"``: any
    instance) or a range (``"1..20"``); ``None`` when the row names none.
    ``attributes`` lists the attribute types the row is about (``()``: all).
    ``data_type`` is a DataEnumType value or ``None`` when no table gives one;
    ``string_format`` is ``"identifierString"`` or ``"passwordString"`` where
    the table uses those refinements of ``string``. ``units`` are the units the
    table allows (``("W", "kW")``). ``mutability`` lists the MutabilityEnumType
    values the specification allows (two when it leaves the choice to the
    implementation; ``()`` when no table states it). ``values`` is the closed
    values list of an Option/Member/SequenceList, ``values_from`` where it was
    read. ``min_limit`` / ``max_limit`` are the limits the specification table
    states (for strings and lists ``max_limit`` is a length).
    """

    component: str | None
    name: str
    origin: Origin
    instance: str | None = None
    attributes: tuple[str, ...] = ()
    data_type: str | None = None
    other_types: tuple[str, ...] = ()
    string_format: str | None = None
    units: tuple[str, ...] = ()
    required: bool = False
    required_when: str | None = None
    mutability: tuple[str, ...] = ()
    values: tuple[str, ...] | None = None
    values_from: str | None = None
    min_limit: Decimal | None = None
    max_limit: Decimal | None = None
    qualifier: str | None = None
    subsection: str | None = None

    @property
    def instance_rule(self) -> InstanceRule:
        """How a reported variable instance is matched: none, a fixed name, any name, or a number range."""
        if self.instance is None:
            return "none"
        if self.instance.startswith("<") and self.instance.endswith(">"):
            return "any"
        if _range(self.instance) is not None:
            return "range"
        return "fixed"

    def matches_instance(self, instance: str | None) -> bool:
        """True when a reported variable *instance* is the one this entry describes."""
        rule = self.instance_rule
        if rule == "none":
            return instance is None
        if instance is None:
            return False
        if rule == "any":
            return True
        if rule == "range":
            bounds = _range(self.instance or "")
            return bounds is not None and instance.isdigit() and bounds[0] <= int(instance) <= bounds[1]
        return (self.instance or "").casefold() == instance.casefold()

    @property
    def types(self) -> tuple[str, ...]:
        """Every data type an OCA table gives this entry: ``data_type`` first, then ``other_types``."""
        return ((self.data_type,) if self.data_type else ()) + self.other_types

    @property
    def key(self) -> str:
        """``Component.Variable[instance]`` (``*`` for a variable valid on any component)."""
        where = self.component or "*"
        return f"{where}.{self.name}" + (f"[{self.instance}]" if self.instance else "")

    def summary(self) -> dict[str, str]:
        """The entry as display text, one string per column (what the docs pages and the CLI print)."""
        kind = self.data_type or "—"
        if self.string_format:
            kind = f"{kind} ({self.string_format})"
        if self.other_types:
            kind += " / " + " / ".join(self.other_types)
        if self.values is None:
            values = ""
        elif self.values_from and self.values_from.endswith("EnumType"):
            values = f"{self.values_from} ({len(self.values)})"
        else:
            values = ", ".join(self.values)
        required = "yes" if self.required and self.required_when is None else "no"
        if self.required_when:
            required = f"{'yes, ' if self.required else ''}{self.required_when}"
        attributes = ", ".join(self.attributes) if self.attributes else (self.qualifier or "")
        return {
            "variable": self.name,
            "instance": self.instance or "",
            "attributes": attributes,
            "type": kind,
            "unit": ", ".join(self.units),
            "values": values,
            "mutability": " or ".join(self.mutability),
            "required": required,
            "limits": _limits(self.min_limit, self.max_limit),
        }


def _limits(low: Decimal | None, high: Decimal | None) -> str:
    parts = ([f"min {low}"] if low is not None else []) + ([f"max {high}"] if high is not None else [])
    return ", ".join(parts)


def _range(text: str) -> tuple[int, int] | None:
    low, sep, high = text.partition("..")
    if sep and low.isdigit() and high.isdigit():
        return int(low), int(high)
    return None


@dataclass(frozen=True, slots=True)
class ComponentDef:
    """A standardized component.

    ``listed`` is True when the published components table lists it (2.0.1's
    CustomizationCtrlr is only in the variables table and the appendix);
    ``section`` and ``kind`` (``"controller"`` / ``"physical"``) come from the
    appendix's component sections, ``None`` where it has none.
    """

    name: str
    listed: bool = True
    section: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """A standardized reason code, the messages it is typically used in, and its group (2.1 only)."""

    code: str
    used_for: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """A standardized security event; ``critical`` events are pushed to the CSMS at once."""

    name: str
    critical: bool


@dataclass(frozen=True, slots=True)
class ProfileComponent:
    """A controller component a certification profile makes mandatory (OCPP 2.0.1 Part 5 §5)."""

    profile: str
    component: str


@dataclass(frozen=True, slots=True)
class SourceNote:
    """Where OCA's own tables disagree: ``field`` of ``key`` is ``used`` here; ``source`` says ``other``."""

    key: str
    field: str
    used: str
    other: str
    source: str


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """A standard OCPP 1.6 configuration key (1.6 ed.2 §9, per feature profile).

    ``data_type`` is ``"boolean"``, ``"integer"``, ``"CSL"`` (a comma-separated
    list) or ``"string"``; ``accessibility`` ``"R"``, ``"RW"`` or ``"R/RW"``
    (the implementation chooses). ``values`` are the allowed CSL members, and
    ``item_format`` a pattern each member follows instead
    (``"<connector>.<rotation>"`` for ConnectorPhaseRotation, whose rotations
    are then ``values``).
    """

    key: str
    profile: str
    data_type: str
    accessibility: str
    required: bool
    unit: str | None = None
    values: tuple[str, ...] | None = None
    item_format: str | None = None


@dataclass(frozen=True)
class Catalogue:
    """The device model of one OCPP version, as the OCA tables give it."""

    version: str
    components: tuple[ComponentDef, ...]
    referenced: tuple[VariableDef, ...]
    typical: tuple[VariableDef, ...]
    standardized: tuple[VariableDef, ...]
    reason_codes: tuple[ReasonCode, ...]
    security_events: tuple[SecurityEvent, ...]
    units: tuple[str, ...]
    profiles: tuple[ProfileComponent, ...]
    notes: tuple[SourceNote, ...]
    _index: dict[str, dict[str, list[VariableDef]]] = field(default_factory=dict, repr=False, compare=False)

    def component(self, name: str) -> ComponentDef | None:
        """The component called *name* (case-insensitive), or ``None``."""
        return self._components.get(name.casefold())

    @cached_property
    def _components(self) -> dict[str, ComponentDef]:
        return {c.name.casefold(): c for c in self.components}

    def variables_of(self, component: str) -> tuple[VariableDef, ...]:
        """The referenced and typical entries of one component, referenced first."""
        return self._by_component.get(component.casefold(), ())

    @cached_property
    def _by_component(self) -> dict[str, tuple[VariableDef, ...]]:
        grouped: dict[str, list[VariableDef]] = {}
        for v in self.referenced + self.typical:
            if v.component is not None:
                grouped.setdefault(v.component.casefold(), []).append(v)
        return {name: tuple(rows) for name, rows in grouped.items()}

    def effective(self, entry: VariableDef) -> VariableDef:
        """*entry* with the data type and unit of its standardized variable when it states none itself."""
        if entry.data_type is not None or entry.component is None:
            return entry
        name = entry.name
        generic = self.entries("referenced", None, name) or self.entries("standardized", None, name)
        if not generic:
            return entry
        return replace(
            entry,
            data_type=generic[0].data_type,
            string_format=generic[0].string_format,
            units=entry.units or generic[0].units,
        )

    def required_of(self, component: str) -> tuple[VariableDef, ...]:
        """The referenced entries of *component* that the published table marks required."""
        return tuple(v for v in self.variables_of(component) if v.origin == "referenced" and v.required)

    def mandatory_components(self, profile: str = "Core") -> tuple[str, ...]:
        """The controller components a certification profile makes mandatory (2.0.1 Part 5 §5)."""
        return tuple(p.component for p in self.profiles if p.profile == profile)

    def entries(self, origin: Origin, component: str | None, name: str) -> list[VariableDef]:
        """Every entry of one origin for (component, name); ``component=None`` asks for the generic ones."""
        table = self._index.get(origin)
        if table is None:
            table = {}
            rows = {
                "referenced": self.referenced,
                "typical": self.typical,
                "standardized": self.standardized,
            }[origin]
            for row in rows:
                table.setdefault(_key(row.component, row.name), []).append(row)
            self._index[origin] = table
        return table.get(_key(component, name), [])


def _key(component: str | None, name: str) -> str:
    return f"{(component or '*').casefold()}\x00{name.casefold()}"


_LOADED: dict[str, Catalogue] = {}


def catalogue(version: str) -> Catalogue:
    """The device-model catalogue of OCPP ``"2.0.1"`` or ``"2.1"`` (built on first use, then kept)."""
    found = _LOADED.get(version)
    if found is not None:
        return found
    module_name = _MODULES.get(version) if isinstance(version, str) else None
    if module_name is None:
        raise UnsupportedError(
            f"no device model for OCPP version {version!r}; expected one of {', '.join(VERSIONS)} "
            "(OCPP 1.6 has configuration keys: see config_keys())"
        )
    data = importlib.import_module(f"{__package__}.{module_name}")
    built = Catalogue(
        version=version,
        components=data.COMPONENTS,
        referenced=data.REFERENCED,
        typical=data.TYPICAL,
        standardized=data.STANDARDIZED,
        reason_codes=data.REASON_CODES,
        security_events=data.SECURITY_EVENTS,
        units=data.UNITS,
        profiles=data.PROFILES,
        notes=data.NOTES,
    )
    _LOADED[version] = built
    return built


def lookup(
    version: str,
    component: str,
    variable: str,
    instance: str | None = None,
    attribute_type: str = "Actual",
) -> tuple[VariableDef, ...]:
    """The catalogue entries that describe one variable, most specific first; ``()`` for a custom one.

    The levels tried, stopping at the first that has an entry: the referenced
    rows of *component*, its typical rows that carry a data type, the generic
    referenced rows, the standardized variables. Within a level, an entry for
    the exact *instance* wins over a placeholder or range, which wins over an
    entry without instance; when no *instance* is given, entries without one
    win, else all of the variable's entries count. Entries about other
    attribute types (``ConnectedEV.EnergyImport.target``) are dropped when
    some entry fits *attribute_type*. Several entries may remain (2.1 lists
    ``Timeout`` twice, once as integer and once as decimal).
    """
    if not isinstance(component, str) or not isinstance(variable, str):
        raise UnsupportedError("component and variable must be strings")
    if instance is not None and not isinstance(instance, str):
        raise UnsupportedError(f"instance must be a string, not {type(instance).__name__}")
    memo = (version, component.casefold(), variable.casefold(), instance, attribute_type)
    found = _LOOKUPS.get(memo)
    if found is not None:
        return found
    found = _lookup(catalogue(version), component, variable, instance, attribute_type)
    if len(_LOOKUPS) >= _MAX_LOOKUPS:
        _LOOKUPS.clear()  # traffic names few variables over and over: a full memo is rare and cheap to refill
    _LOOKUPS[memo] = found
    return found


_LOOKUPS: dict[tuple[str, str, str, str | None, str], tuple[VariableDef, ...]] = {}
_MAX_LOOKUPS = 8192


def _lookup(
    cat: Catalogue, component: str, variable: str, instance: str | None, attribute_type: str
) -> tuple[VariableDef, ...]:
    for origin, where in (
        ("referenced", component),
        ("typical", component),
        ("referenced", None),
        ("standardized", None),
    ):
        rows = cat.entries(origin, where, variable)  # type: ignore[arg-type]
        if origin == "typical":
            rows = [r for r in rows if r.data_type is not None]
        picked = _by_instance(rows, instance)
        if picked:
            fitting = [r for r in picked if not r.attributes or attribute_type in r.attributes]
            return tuple(fitting or picked)
    return ()


def _by_instance(rows: list[VariableDef], instance: str | None) -> list[VariableDef]:
    if not rows:
        return []
    if instance is None:
        plain = [r for r in rows if r.instance is None]
        return plain or rows
    exact = [r for r in rows if r.instance_rule == "fixed" and r.matches_instance(instance)]
    if exact:
        return exact
    pattern = [r for r in rows if r.instance_rule in ("any", "range") and r.matches_instance(instance)]
    if pattern:
        return pattern
    # An instance the table does not name (a phase, a vendor's own): the entry without instance holds.
    return [r for r in rows if r.instance is None]


_KEYS: dict[str, ConfigKey] = {}


def config_keys() -> tuple[ConfigKey, ...]:
    """The standard configuration keys of OCPP 1.6 (edition 2), in the specification's order."""
    keys: tuple[ConfigKey, ...] = importlib.import_module(f"{__package__}._v16").KEYS
    return keys


def config_key(key: str) -> ConfigKey | None:
    """The standard OCPP 1.6 configuration key called *key* (case-insensitive), or ``None``."""
    if not _KEYS:
        _KEYS.update({k.key.casefold(): k for k in config_keys()})
    return _KEYS.get(key.casefold()) if isinstance(key, str) else None
