"""Cross-field rules of OCPI objects that a field type cannot express.

Theory of operation: generated models call these from ``model_validator``
methods, so the rule sits in one hand-written place and the generated code
only names it. Each function returns the model unchanged or raises a
``PydanticCustomError`` whose type is the rule's keyword.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic_core import PydanticCustomError

__all__ = ["hours_choice_211", "hours_regular_221"]

M = TypeVar("M")


def hours_choice_211(hours: M) -> M:
    """OCPI 2.1.1 Hours: either ``twentyfourseven`` is true or ``regular_hours`` is given, not both."""
    h: Any = hours
    always = h.twentyfourseven is True
    regular = bool(h.regular_hours)
    if always and regular:
        raise PydanticCustomError("oneOf", "twentyfourseven is true and regular_hours are given; choose one")
    if not always and not regular:
        raise PydanticCustomError("oneOf", "give regular_hours or set twentyfourseven to true")
    return hours


def hours_regular_221(hours: M) -> M:
    """OCPI 2.2.1+ Hours: ``regular_hours`` only when not 24/7, and then at least one entry."""
    h: Any = hours
    if h.twentyfourseven and h.regular_hours:
        raise PydanticCustomError("oneOf", "regular_hours are given although twentyfourseven is true")
    if h.twentyfourseven is False and not h.regular_hours:
        raise PydanticCustomError("minItems", "twentyfourseven is false: give regular_hours")
    return hours
