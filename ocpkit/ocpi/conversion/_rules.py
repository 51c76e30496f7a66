"""The vocabulary of the conversion tables: rules, and what a rule may read and write.

Theory of operation: a :class:`Table` lists, for one class and one step between
adjacent versions (2.1.1 → 2.2.1, 2.2.1 → 2.1.1, ...), the fields that do not
simply carry over. Each :class:`Rule` names the source fields it *consumes* and
the target field it *writes*; every other field present in both versions is
copied. A rule reads the source object through a :class:`View` and the caller's
context through the :class:`Env`, and returns the target value: a
:class:`Taken` (a source value moved as it is, so the engine converts nested
objects and enum values and remembers where the value came from), a plain value
(derived), or :data:`MISSING` (nothing written). Whatever part of a consumed
source field no rule took is reported as lost with the rule's reason, so a table
cannot drop data silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ocpkit.ocpi.conversion._result import Derived, Loss
from ocpkit.ocpi.conversion._shape import Shape, shape_at

__all__ = [
    "MISSING",
    "Context",
    "Default",
    "Derive",
    "Derived",
    "Drop",
    "EnumMap",
    "Env",
    "Fill",
    "Loss",
    "Omit",
    "Override",
    "Refuse",
    "Rename",
    "Rule",
    "Table",
    "Taken",
    "Unfit",
    "View",
    "context",
    "default",
    "derive",
    "descend",
    "drop",
    "fill",
    "omit",
    "override",
    "pointer",
    "refuse",
    "rename",
    "table",
]


class _Missing:
    """The value of a field no rule could fill."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


def pointer(base: str, *segments: str | int) -> str:
    """Append segments to a JSON pointer, escaping ``~`` and ``/`` (RFC 6901)."""
    out = base
    for seg in segments:
        text = str(seg)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        out += "/" + text
    return out


def descend(value: Any, segments: Iterable[str]) -> Any:
    """The value below *value* at the (unescaped) path *segments*, or MISSING."""
    for seg in segments:
        if isinstance(value, Mapping):
            value = value.get(seg, MISSING)
        elif isinstance(value, list) and seg.isdigit() and int(seg) < len(value):
            value = value[int(seg)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


@dataclass(frozen=True, slots=True)
class Taken:
    """A source value placed in the target as it is: the engine converts it and records its origin."""

    value: Any
    path: str
    shape: Shape | None


class Unfit(Exception):
    """A value the target cannot hold where nothing smaller than a *scope* object may be left out."""

    def __init__(self, reason: str, scope: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.scope = scope


class Env:
    """What a rule may know besides its source object: the step, the caller's context, the report."""

    def __init__(
        self,
        source: str,
        target: str,
        context: Mapping[str, Any],
        context_object: Callable[[str, str, str], Any],
    ) -> None:
        self.source = source
        self.target = target
        self.context = context
        self._context_object = context_object
        self.losses: list[Loss] = []
        self.derived: list[Derived] = []
        self.origins: dict[str, str] = {}
        self.missing: dict[str, str] = {}
        self.hints: dict[str, tuple[str, ...]] = {}
        self.taken: set[str] = set()
        #: Input pointers a rule read with :meth:`View.use` while computing its value.
        self.used: list[str] = []
        self.source_doc: Any = None
        #: The target pointer a rule is writing; context look-ups are recorded against it.
        self.here = ""

    def ctx(self, key: str) -> Any:
        """The caller's context value for *key*, or MISSING (remembered as needed at :attr:`here`)."""
        value = self.context.get(key, MISSING)
        if value is MISSING or value is None:
            self.missing.setdefault(key, self.here)
            return MISSING
        return value

    def ctx_object(self, key: str, name: str) -> Any:
        """The context object *key* (an OCPI *name* of any version) as a wire dict of the target version."""
        if self.ctx(key) is MISSING:
            return MISSING
        return self._context_object(key, name, self.target)

    def loss(self, path: str, reason: str, value: Any) -> None:
        """Report *value* at input pointer *path* as lost."""
        self.taken.add(path)
        self.losses.append(Loss(path, reason, value))


class View:
    """One source object as a rule sees it: relative paths in, values or :class:`Taken` out."""

    def __init__(self, data: Mapping[str, Any], cls: Any, path: str, env: Env) -> None:
        self.data = data
        self.cls = cls
        self.path = path
        self.env = env

    def _walk(self, rel: str) -> Any:
        return descend(self.data, rel.split("/"))

    def abs(self, rel: str) -> str:
        """The absolute input pointer of a relative path (``evses/0/uid``)."""
        return pointer(self.path, *rel.split("/"))

    def has(self, rel: str) -> bool:
        """True when the path holds a value other than null."""
        value = self._walk(rel)
        return value is not MISSING and value is not None

    def get(self, rel: str) -> Any:
        """The value at the path (MISSING when absent or null), without marking it used."""
        value = self._walk(rel)
        return MISSING if value is None else value

    def use(self, rel: str) -> Any:
        """The value at the path, marked as used (so it is not reported lost)."""
        value = self.get(rel)
        if value is not MISSING:
            self.env.taken.add(self.abs(rel))
            self.env.used.append(self.abs(rel))
        return value

    def take(self, rel: str) -> Any:
        """The value at the path as a :class:`Taken` to place in the target (MISSING when absent)."""
        value = self.get(rel)
        if value is MISSING:
            return MISSING
        where = self.abs(rel)
        self.env.taken.add(where)
        return Taken(value, where, shape_at(self.cls, rel.split("/")))

    def lose(self, rel: str, reason: str) -> None:
        """Report the value at the path as lost (nothing when it is absent)."""
        value = self._walk(rel)
        if value is not MISSING and value is not None:
            self.env.loss(self.abs(rel), reason, value)


@dataclass(frozen=True)
class Rule:
    """One field change of a table. Subclasses fill in :meth:`apply`.

    ``sources``: the source fields it consumes; ``target``: the target field it
    writes (None when it writes nothing); ``how``: what it does, in words (the
    docs, ``Derived.how`` and the reason of what it leaves out); ``needs``:
    context keys it may read; ``lost``: the reason for parts of the consumed
    fields that it does not carry (default: ``how``); ``patch``: the rule also
    applies to a PATCH body that holds none of its sources (other rules change
    only what a PATCH names).
    """

    target: str | None
    sources: tuple[str, ...]
    how: str
    needs: tuple[str, ...] = ()
    lost: str | None = None
    kind: str = "derived"
    patch: bool = False

    def apply(self, src: View, env: Env) -> Any:
        """The target value (or MISSING)."""
        raise NotImplementedError  # pragma: no cover - every rule class overrides it

    @property
    def loss_reason(self) -> str:
        """Why what this rule consumes but does not carry is lost."""
        return self.lost or self.how


@dataclass(frozen=True)
class Rename(Rule):
    """The source field moves to another name (and converts as its type says)."""

    kind: str = "renamed"

    def apply(self, src: View, env: Env) -> Any:
        return src.take(self.sources[0])


def rename(source: str, target: str) -> Rename:
    """A field renamed between versions."""
    return Rename(target, (source,), f"{source} is called {target}")


@dataclass(frozen=True)
class Drop(Rule):
    """The source field has no place in the target. A value equal to ``implied`` goes silently:
    the target version reads its absence that way."""

    implied: Any = MISSING
    kind: str = "lost"

    def apply(self, src: View, env: Env) -> Any:
        name = self.sources[0]
        if not src.has(name):
            return MISSING
        if self.implied is not MISSING and src.get(name) == self.implied:
            src.use(name)
        else:
            src.lose(name, self.how)
        return MISSING


def drop(source: str, why: str, *, implied: Any = MISSING) -> Drop:
    """A field the target version does not have."""
    return Drop(None, (source,), why, implied=implied)


@dataclass(frozen=True)
class Omit(Rule):
    """The field carries over, except a value equal to ``implied``, which the target reads from absence."""

    implied: Any = MISSING
    kind: str = "omitted"

    def apply(self, src: View, env: Env) -> Any:
        name = self.sources[0]
        if src.get(name) == self.implied:
            src.use(name)
            return MISSING
        return src.take(name)


def omit(name: str, implied: Any, why: str) -> Omit:
    """Carry *name*, leaving it out when it equals *implied*."""
    return Omit(name, (name,), why, implied=implied)


@dataclass(frozen=True)
class Context(Rule):
    """A required target field the source has no counterpart for: taken from the caller's context."""

    kind: str = "context"

    def apply(self, src: View, env: Env) -> Any:
        return env.ctx(self.needs[0])


def context(target: str, key: str, how: str) -> Context:
    """A target field filled from ``context[key]``."""
    return Context(target, (), how, needs=(key,))


@dataclass(frozen=True)
class Default(Rule):
    """A target field the source version implies: always the same value."""

    value: Any = None
    kind: str = "default"

    def apply(self, src: View, env: Env) -> Any:
        return self.value


def default(target: str, value: Any, how: str) -> Default:
    """A target field set to *value* because the source version implies it."""
    return Default(target, (), how, value=value)


@dataclass(frozen=True)
class Fill(Rule):
    """A field optional in the source and required in the target: carried when present, else context."""

    kind: str = "fill"

    def apply(self, src: View, env: Env) -> Any:
        taken = src.take(self.sources[0])
        return taken if taken is not MISSING else env.ctx(self.needs[0])


def fill(name: str, key: str, how: str, *, patch: bool = False) -> Fill:
    """Carry *name*; when the source lacks it, take ``context[key]`` (in PATCH bodies too if *patch*)."""
    return Fill(name, (name,), how, needs=(key,), patch=patch)


@dataclass(frozen=True)
class Override(Rule):
    """A field carried as it is unless the caller's context gives a replacement."""

    kind: str = "override"

    def apply(self, src: View, env: Env) -> Any:
        replacement = env.context.get(self.needs[0], MISSING)
        if replacement is not MISSING and replacement is not None:
            src.use(self.sources[0])
            return replacement
        return src.take(self.sources[0])


def override(name: str, key: str, how: str) -> Override:
    """Carry *name* unless ``context[key]`` replaces it."""
    return Override(name, (name,), how, needs=(key,))


@dataclass(frozen=True)
class Derive(Rule):
    """Anything else: a function of the source object and the context."""

    fn: Callable[[View, Env], Any] | None = None

    def apply(self, src: View, env: Env) -> Any:
        assert self.fn is not None
        return self.fn(src, env)


def derive(
    target: str | None,
    sources: Iterable[str],
    fn: Callable[[View, Env], Any],
    how: str,
    *,
    needs: Iterable[str] = (),
    lost: str | None = None,
) -> Derive:
    """A target field computed by *fn* from the consumed *sources* (and context *needs*)."""
    return Derive(target, tuple(sources), how, needs=tuple(needs), lost=lost, fn=fn)


@dataclass(frozen=True)
class Refuse(Rule):
    """A source value the target cannot express without changing its meaning: the smallest
    enclosing object of class ``scope`` is left out (or the conversion fails when there is none)."""

    scope: str | None = None
    when: Callable[[Any], bool] | None = None
    kind: str = "refused"

    def apply(self, src: View, env: Env) -> Any:
        name = self.sources[0]
        if src.has(name):
            value = src.get(name)
            if self.when is None or self.when(value):
                raise Unfit(self.how, self.scope)
            src.use(name)
        return MISSING


def refuse(source: str, why: str, *, scope: str | None, when: Callable[[Any], bool] | None = None) -> Refuse:
    """A field whose presence (or whose value, when *when* says so) cannot be converted."""
    return Refuse(None, (source,), why, scope=scope, when=when)


@dataclass(frozen=True)
class Table:
    """The rules of one class for one step, from ``source`` to ``target`` version.

    ``target_name`` is the class's spec name in the target version when it
    differs (a 2.2.1 ``Price`` in a Tariff becomes a 2.3.0 ``PriceLimit``).
    """

    name: str
    source: str
    target: str
    rules: tuple[Rule, ...]
    target_name: str | None = None
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(source class, target class, source version, target version)."""
        return (self.name, self.target_name or self.name, self.source, self.target)


def table(
    name: str, source: str, target: str, *rules: Rule, target_name: str | None = None, note: str = ""
) -> Table:
    """A :class:`Table` from its rules."""
    return Table(name, source, target, tuple(rules), target_name, note)


@dataclass(frozen=True)
class EnumMap:
    """Values of an enum that change between two versions: value -> (new value, why).

    The key ``"*"`` applies to values the target enum does not list (OpenEnum
    values of 2.3.0 that no version defines).
    """

    enum: str
    source: str
    target: str
    values: Mapping[str, tuple[str, str]] = field(default_factory=dict)
