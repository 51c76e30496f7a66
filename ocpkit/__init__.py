"""ocpkit: typed models, validation, state machines and pricing for OCPP and OCPI.

The package is sans-IO: it takes bytes, text or dicts and returns objects and
reports; only the command line touches files. Protocol packages are imported
on demand (``from ocpkit.ocpp import v201``), so ``import ocpkit`` stays cheap.
"""

import importlib
from typing import TYPE_CHECKING

from ocpkit._version import __version__
from ocpkit.errors import OcpkitError

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["OcpkitError", "__version__"]

# Public submodules reachable as attributes of the package (``ocpkit.schemas``)
# without importing them, and so without their cost, at ``import ocpkit``.
_SUBMODULES = frozenset(
    {"bridge", "capture", "energy", "errors", "findings", "ocpi", "ocpp", "schemas", "tariffs"}
)


def __getattr__(name: str) -> "ModuleType":
    """Import a public submodule on first attribute access."""
    if name in _SUBMODULES:
        return importlib.import_module(f"ocpkit.{name}")
    raise AttributeError(f"module 'ocpkit' has no attribute {name!r}")
