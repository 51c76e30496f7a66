"""OCPI (Open Charge Point Interface): models per version, envelope, state machines.

Version packages (``v211``, ``v221``, ``v230``) are imported on demand.
"""

from typing import Literal

__all__ = ["VERSIONS", "Version"]

Version = Literal["2.1.1", "2.2.1", "2.3.0"]
VERSIONS: tuple[Version, ...] = ("2.1.1", "2.2.1", "2.3.0")
