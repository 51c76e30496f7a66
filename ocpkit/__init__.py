"""ocpkit: typed models, validation, state machines and pricing for OCPP and OCPI.

The package is sans-IO: it takes bytes, text or dicts and returns objects and
reports; only the command line touches files. Subpackages are imported on first
attribute access (``ocpkit.tariffs``), so ``import ocpkit`` stays cheap.

The map of the library, one job per subpackage:

================  =====================================================================
``ocpp``          OCPP 1.6J / 2.0.1 / 2.1: models (``v16``, ``v201``, ``v21``), the action
                  registry, OCPP-J frames (``rpc``), validation equal to the official
                  schemas (``validation``), connector and transaction machines, the
                  conversation fold over a charger's frames, charging-profile rules and
                  composite schedules (``smart_charging``)
``ocpi``          OCPI 2.1.1 / 2.2.1 / 2.3.0: models (``v211``, ``v221``, ``v230``),
                  parsing, the response envelope, session and command machines,
                  conversion between versions with a report of what was lost
``capture``       lines of a log -> frames with time, direction and charge point
``energy``        meter values -> readings, delivered energy, charging periods
``tariffs``       OCPI tariff pricing of CDRs and sessions, exact in Decimal
``bridge``        an OCPP transaction -> an OCPI Session or CDR
``schemas``       the JSON Schemas generated from the models
``errors``        the one error tree, rooted at :class:`OcpkitError`
``findings``      findings: what following a conversation noticed, with severity
``cli``           the ``ocpkit`` command line (the only part that reads files)
``sphinxext``     the Sphinx extension rendering reference tables from the models
================  =====================================================================
"""

import importlib
from typing import TYPE_CHECKING

from ocpkit._version import __version__
from ocpkit.errors import OcpkitError

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "OcpkitError",
    "__version__",
    "bridge",
    "capture",
    "energy",
    "errors",
    "findings",
    "ocpi",
    "ocpp",
    "schemas",
    "tariffs",
]

# Public subpackages reachable as attributes of the package (``ocpkit.schemas``)
# without importing them, and so without their cost, at ``import ocpkit``.
_SUBMODULES = frozenset(__all__) - {"OcpkitError", "__version__"}


def __getattr__(name: str) -> "ModuleType":
    """Import a public subpackage on first attribute access."""
    if name in _SUBMODULES:
        return importlib.import_module(f"ocpkit.{name}")
    raise AttributeError(f"module 'ocpkit' has no attribute {name!r}")
