"""The OCPP 2.0.1 / 2.1 device model: the standardized catalogue, value checks, and the 1.6 key map.

Theory of operation. OCPP 2.x configures a station through components
(``SampledDataCtrlr``, ``EVSE``, ``Connector`` ...) and their variables, each
with a data type, a unit, a values list and a mutability; the JSON schemas
only say that a value is a string. This package carries the OCA's catalogue
of standardized components and variables, generated from the appendix tables
(:mod:`~ocpkit.ocpp.device_model.definitions`), and judges values against it:

* :func:`check_variable` / :func:`check_key` -- one value (2.x / 1.6);
* :func:`check_payload` / :func:`check_write` -- the values of one payload, and
  writes of read-only variables answered as done;
* :class:`DeviceModelWatcher` -- the watcher ``ocpkit validate`` runs: it also
  assembles each charger's NotifyReport sequences into a
  :class:`ReportedModel` and reports missing parts and missing required
  variables (:class:`Inventory` keeps the models for the caller);
* :func:`mapping_16_to_2x` / :func:`mapping_2x_to_16` -- which 2.x variable
  replaces a 1.6 configuration key, source by source.

The catalogue is loaded on first use; importing this package loads none of it.
"""

from __future__ import annotations

from ocpkit.ocpp.device_model.definitions import (
    ATTRIBUTE_TYPES,
    DATA_TYPES,
    MUTABILITIES,
    VERSIONS,
    Catalogue,
    ComponentDef,
    ConfigKey,
    ReasonCode,
    SecurityEvent,
    SourceNote,
    VariableDef,
    catalogue,
    config_key,
    config_keys,
    lookup,
)
from ocpkit.ocpp.device_model.inventory import (
    DeviceModelWatcher,
    Inventory,
    Report,
    ReportedModel,
    ReportedVariable,
    assemble_reports,
    watcher,
)
from ocpkit.ocpp.device_model.mapping import (
    KeyMapping,
    MappingRow,
    Target,
    mapped_keys,
    mapping_2x_to_16,
    mapping_16_to_2x,
    mapping_rows,
)
from ocpkit.ocpp.device_model.traffic import check_payload, check_write
from ocpkit.ocpp.device_model.values import check_key, check_value, check_variable

__all__ = [
    "ATTRIBUTE_TYPES",
    "DATA_TYPES",
    "MUTABILITIES",
    "VERSIONS",
    "Catalogue",
    "ComponentDef",
    "ConfigKey",
    "DeviceModelWatcher",
    "Inventory",
    "KeyMapping",
    "MappingRow",
    "ReasonCode",
    "Report",
    "ReportedModel",
    "ReportedVariable",
    "SecurityEvent",
    "SourceNote",
    "Target",
    "VariableDef",
    "assemble_reports",
    "catalogue",
    "check_key",
    "check_payload",
    "check_value",
    "check_variable",
    "check_write",
    "config_key",
    "config_keys",
    "lookup",
    "mapped_keys",
    "mapping_2x_to_16",
    "mapping_16_to_2x",
    "mapping_rows",
    "watcher",
]
