"""Watchers: checks that follow whole exchanges (a CALL and its answer) of one charge point.

Theory of operation. The conversation fold (:class:`ocpkit.ocpp.conversation.Conversation`)
pairs every CALL with its CALLRESULT or CALLERROR. A *watcher* is a small,
pure object that wants to see some of those pairs -- the profile store of smart
charging wants SetChargingProfile and its status, the signed-meter-value check
wants MeterValues and StopTransaction, the device-model inventory wants
NotifyReport -- and to say something about them. The fold makes one watcher per
charge point from each :data:`WatcherFactory` it was given, and hands it an
:class:`Exchange` when a pair is complete:

* ``"result"`` / ``"error"``: when the answer arrives;
* ``"send"``: at once, for a 2.1 SEND (it has no answer);
* ``"unanswered"``: when the fold gives up on the CALL (end of input, the call
  timeout, or the charger's reconnection).

Exchanges of one charge point arrive in the order their pairs complete, which
for each side is the order of its CALLs (OCPP-J allows one CALL in flight per
direction). A watcher names the actions it wants in :attr:`Watcher.actions`;
the fold builds an :class:`Exchange` only for those, so a watcher costs nothing
on the rest of the traffic. Watchers return :class:`~ocpkit.findings.Finding`
objects whose ``ref`` is the exchange's ``ref`` or ``answer_ref``; the fold
prefixes their subject with the charge point, as it does for its own findings.

:data:`DEFAULT_WATCHERS` names the watchers ``ocpkit validate`` runs, as
``"module:attribute"`` paths imported on first use, so a check that is never
needed is never imported.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, Protocol

from ocpkit.errors import UnsupportedError
from ocpkit.findings import Finding

__all__ = [
    "DEFAULT_WATCHERS",
    "Exchange",
    "Outcome",
    "Watcher",
    "WatcherFactory",
    "load_factories",
    "watched_actions",
]

Outcome = Literal["result", "error", "unanswered", "send"]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One CALL (or SEND) of a charge point's conversation and what became of it.

    ``request`` is the CALL's payload as decoded; ``response`` the CALLRESULT's
    payload (``None`` unless ``outcome`` is ``"result"``); ``error_code`` the
    CALLERROR's code. ``sender`` is ``"cp"`` or ``"csms"`` (``None`` when
    neither the capture nor the action tells). ``at`` and ``answered_at`` are
    aware datetimes when the capture has times. ``ref`` and ``answer_ref`` are
    the references the caller gave the two frames (a line, say).
    """

    version: str
    charge_point: str | None
    action: str
    message_id: str
    sender: Literal["cp", "csms"] | None
    request: Mapping[str, Any]
    outcome: Outcome
    response: Mapping[str, Any] | None = None
    error_code: str | None = None
    at: datetime | None = None
    answered_at: datetime | None = None
    ref: object = None
    answer_ref: object = None

    @property
    def accepted(self) -> bool:
        """True when the answer is a CALLRESULT whose ``status`` is ``"Accepted"``."""
        return self.response is not None and self.response.get("status") == "Accepted"


class Watcher(Protocol):
    """What the fold needs of a watcher (one instance per charge point)."""

    @property
    def actions(self) -> frozenset[str]:
        """The actions whose exchanges this watcher wants to see."""
        ...

    def exchange(self, exchange: Exchange) -> list[Finding]:
        """Take one completed exchange; return the findings it causes."""
        ...

    def finish(self) -> list[Finding]:
        """End of input for this charge point: the findings still owed."""
        ...


WatcherFactory = Callable[[str, "str | None"], "Watcher | None"]
"""``factory(version, charge_point)`` -> a watcher for that charge point, or ``None`` when the
check does not apply to the version."""

DEFAULT_WATCHERS: Final[tuple[str, ...]] = (
    "ocpkit.ocpp.device_model.inventory:watcher",
    "ocpkit.energy.ocmf.watch:watcher",
    "ocpkit.ocpp.smart_charging.watcher:watcher",
)
"""The watchers ``ocpkit validate`` runs, as ``"module:attribute"`` paths of factories."""

_LOADED: dict[str, WatcherFactory] = {}


def load_factories(paths: Sequence[str | WatcherFactory]) -> tuple[WatcherFactory, ...]:
    """Resolve ``"module:attribute"`` paths (and pass factories through), importing each module once."""
    out: list[WatcherFactory] = []
    for item in paths:
        if not isinstance(item, str):
            if not callable(item):
                raise UnsupportedError(f"a watcher factory must be callable, not {type(item).__name__}")
            out.append(item)
            continue
        factory = _LOADED.get(item)
        if factory is None:
            module, sep, attribute = item.partition(":")
            if not sep:
                raise UnsupportedError(f"a watcher path is 'module:attribute', not {item!r}")
            try:
                factory = getattr(importlib.import_module(module), attribute)
            except (ImportError, AttributeError) as exc:
                raise UnsupportedError(f"cannot load watcher {item!r}: {exc}") from None
            _LOADED[item] = factory
        out.append(factory)
    return tuple(out)


def watched_actions(watchers: Sequence[Watcher]) -> frozenset[str]:
    """The union of the actions a set of watchers wants."""
    found: frozenset[str] = frozenset()
    for watcher in watchers:
        found |= watcher.actions
    return found
