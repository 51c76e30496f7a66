"""ocpkit: typed models, validation, state machines and pricing for OCPP and OCPI.

The package is sans-IO: it takes bytes, text or dicts and returns objects and
reports; only the command line touches files. Protocol packages are imported
on demand (``from ocpkit.ocpp import v201``), so ``import ocpkit`` stays cheap.
"""

from ocpkit._version import __version__
from ocpkit.errors import OcpkitError

__all__ = ["OcpkitError", "__version__"]
