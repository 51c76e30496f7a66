"""OCPP (Open Charge Point Protocol) over JSON: models, registry, framing and validation.

Version packages (``v16``, ``v201``, ``v21``) are generated from the official
JSON schemas and imported on demand, so ``import ocpkit.ocpp`` builds no model.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from ocpkit.errors import UnsupportedError
from ocpkit.ocpp._registry import ActionSpec, Sender

if TYPE_CHECKING:
    from types import ModuleType

    from ocpkit.ocpp.rpc import parse_frame
    from ocpkit.ocpp.validation import validate_payload

__all__ = [
    "VERSIONS",
    "ActionSpec",
    "Sender",
    "Version",
    "actions",
    "parse_frame",
    "validate_payload",
    "version_package",
]

# Entry points re-exported lazily, so that importing the package stays cheap.
_LAZY: Mapping[str, str] = {"parse_frame": "ocpkit.ocpp.rpc", "validate_payload": "ocpkit.ocpp.validation"}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


Version = Literal["1.6", "2.0.1", "2.1"]
VERSIONS: tuple[Version, ...] = ("1.6", "2.0.1", "2.1")
_PACKAGES: Mapping[str, str] = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}


def version_package(version: str) -> ModuleType:
    """Return the generated package (``ocpkit.ocpp.v16`` ...) for an OCPP version string."""
    try:
        name = _PACKAGES[version]
    except (KeyError, TypeError):
        raise UnsupportedError(
            f"unknown OCPP version {version!r}; expected one of {', '.join(VERSIONS)}"
        ) from None
    return importlib.import_module(f"ocpkit.ocpp.{name}")


def actions(version: str) -> Mapping[str, ActionSpec]:
    """Return the registry of a version: action name -> :class:`ActionSpec`."""
    registry: Mapping[str, ActionSpec] = importlib.import_module(
        f"{version_package(version).__name__}.actions"
    ).ACTIONS
    return registry
