"""The action registry's record types, shared by the generated ``actions`` modules.

Theory of operation: each generated version package has an ``actions.py``
holding ``ACTIONS: Mapping[str, ActionSpec]``. A spec names the request and
response model classes and who may send the request. Directions are not in the
OCPP schemas; the generator takes them from ``tools/codegen/directions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocpkit._model import OcppModel

__all__ = ["ActionSpec", "Sender"]


class Sender(StrEnum):
    """Who sends the request of an action (the response goes the other way)."""

    CHARGING_STATION = "ChargingStation"
    CSMS = "CSMS"
    BOTH = "Both"


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One OCPP action: its name, request and response models, and its sender.

    ``response`` is ``None`` for SEND-only messages (OCPP 2.1
    ``NotifyPeriodicEventStream``), which have no answer.
    """

    name: str
    request: type[OcppModel]
    response: type[OcppModel] | None
    sender: Sender
