"""Frames as the conversation fold reads them (part of :mod:`ocpkit.ocpp.conversation`, which documents it).

Theory of operation: the fold takes parsed rpc frames and capture records
alike. Both are reduced here to one small record holding what pairing and the
machines read. Capture records are read leniently: a frame whose type and
message id can be read counts, so that a CALLERROR with a made-up code still
answers its CALL (validation reports such faults, not the fold).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ocpkit.errors import UnsupportedError
from ocpkit.ocpp._payload import as_obj
from ocpkit.ocpp._registry import Sender
from ocpkit.ocpp.rpc import Call, CallError, CallResult, CallResultError, Send
from tests.cli.legacy_pipeline.capture import CapturedFrame, Direction

__all__ = ["OTHER", "SIDE_OF_SENDER", "Msg", "Side", "from_captured", "from_frame", "side_of"]

Side = Literal["cp", "csms"]
OTHER: Mapping[str, Side] = {"cp": "csms", "csms": "cp"}
_SIDE_OF_DIRECTION: Mapping[str, Side | None] = {
    Direction.CP_TO_CSMS: "cp",
    Direction.CSMS_TO_CP: "csms",
    Direction.UNKNOWN: None,
    # Open OCPP Trace Format spelling.
    "cp-to-csms": "cp",
    "csms-to-cp": "csms",
}
SIDE_OF_SENDER: Mapping[str, Side | None] = {
    Sender.CHARGING_STATION: "cp",
    Sender.CSMS: "csms",
    Sender.BOTH: None,
}


@dataclass(slots=True)
class Msg:
    """A frame reduced to what the fold reads (rpc frames and capture records alike)."""

    type_id: int
    message_id: str
    action: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    error_code: object = None


def side_of(direction: object) -> Side | None:
    """The side that sent a frame travelling in ``direction`` (``None`` when unknown)."""
    if direction is None:
        return None
    try:
        return _SIDE_OF_DIRECTION[direction]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UnsupportedError(
            f"unknown direction {direction!r}; expected 'cp->csms' or 'csms->cp'"
        ) from None


def from_frame(frame: object) -> Msg:
    """Reduce a parsed rpc frame; anything else (or a frame built with bad fields) is refused."""
    if isinstance(frame, Call | Send):
        return Msg(
            frame.message_type_id, _message_id(frame.message_id), _action(frame.action), as_obj(frame.payload)
        )
    if isinstance(frame, CallResult):
        return Msg(3, _message_id(frame.message_id), payload=as_obj(frame.payload))
    if isinstance(frame, CallError | CallResultError):
        return Msg(frame.message_type_id, _message_id(frame.message_id), error_code=frame.error_code)
    raise UnsupportedError(f"not an OCPP-J frame: {type(frame).__name__}")


def _message_id(value: object) -> str:
    if not isinstance(value, str):
        raise UnsupportedError(f"message id must be a string, not {type(value).__name__}")
    return value


def _action(value: object) -> str:
    if not isinstance(value, str):
        raise UnsupportedError(f"action must be a string, not {type(value).__name__}")
    return value


def from_captured(record: CapturedFrame) -> Msg | None:
    """Read a capture record's frame leniently: what pairing needs, whatever else is broken.

    The capture reader does not validate frames; validation reports those
    faults. Here a frame counts as long as its type and message id can be
    read, so a CALLERROR with a made-up code still answers its CALL.
    """
    value = record.value
    if not isinstance(value, list) or len(value) < 2:
        return None
    type_id, message_id = value[0], value[1]
    if type(type_id) is not int or not isinstance(message_id, str):
        return None
    n = len(value)  # indexed, not sliced: no copy of the frame per record
    if type_id == 2 or type_id == 6:
        if n < 3 or not isinstance(value[2], str):
            return None
        return Msg(type_id, message_id, value[2], as_obj(value[3] if n > 3 else None))
    if type_id == 3:
        return Msg(3, message_id, payload=as_obj(value[2] if n > 2 else None))
    if type_id == 4 or type_id == 5:
        return Msg(type_id, message_id, error_code=value[2] if n > 2 else None)
    return None
