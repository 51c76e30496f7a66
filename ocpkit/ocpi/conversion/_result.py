"""What a conversion returns: the result, what was lost and what was derived.

Theory of operation: plain frozen records, cheap to import, so that
``import ocpkit.ocpi`` does not load the conversion tables; :class:`Loss` and
:class:`Derived` point into the input and the result by JSON pointer, and
:class:`Converted` holds both lists with the target model and the origin of
every carried value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ocpkit.ocpi._parse import to_jsonable

__all__ = ["Converted", "Derived", "Loss"]


@dataclass(frozen=True, slots=True)
class Loss:
    """A value of the input that the target version cannot hold.

    ``path`` is a JSON pointer into the *input* document, ``reason`` says why
    the value was not carried, ``value`` is the JSON value that was left out.
    """

    path: str
    reason: str
    value: Any

    def as_dict(self) -> dict[str, Any]:
        """The loss as a plain dict (the JSON report shape)."""
        return {"path": self.path, "reason": self.reason, "value": self.value}


@dataclass(frozen=True, slots=True)
class Derived:
    """A field of the result that the input did not hold as such.

    ``path`` points into the *result*, ``how`` says how it was filled, and
    ``sources`` lists the input pointers whose values it was computed from
    (empty when it came from the context or is implied by the source version;
    values moved as they are show in ``Converted.origins`` instead).
    """

    path: str
    how: str
    sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The entry as a plain dict (the JSON report shape)."""
        return {"path": self.path, "how": self.how, "sources": list(self.sources)}


T = TypeVar("T")


@dataclass(frozen=True)
class Converted(Generic[T]):
    """The result of :func:`convert`.

    ``value`` is the target model (a list of them for a list input);
    ``losses`` point into the input, ``derived`` into the result; ``origins``
    maps each pointer of the result that carries an input value to the pointer
    of that value in the input.
    """

    value: T
    source: str
    target: str
    name: str
    losses: list[Loss] = field(default_factory=list)
    derived: list[Derived] = field(default_factory=list)
    origins: Mapping[str, str] = field(default_factory=dict)

    @property
    def lossless(self) -> bool:
        """True when nothing of the input was left out."""
        return not self.losses

    def report(self) -> dict[str, Any]:
        """The conversion as plain JSON values: versions, object, result, losses and derived fields."""
        value: Any = self.value
        result = [to_jsonable(v) for v in value] if isinstance(value, list) else to_jsonable(value)
        return {
            "from": self.source,
            "to": self.target,
            "object": self.name,
            "value": result,
            "losses": [loss.as_dict() for loss in self.losses],
            "derived": [d.as_dict() for d in self.derived],
        }
