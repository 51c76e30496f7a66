"""A small table-driven state-machine engine.

Theory of operation: a machine is declared by a :class:`Spec`, which is data:
a mapping ``(state, event) -> target`` plus an optional label per edge (the
spec's transition code, such as ``"A2"``). Each protocol module keeps its
table at the top as a plain mapping and builds its ``Spec`` from it, so the
tests and the docs read the very same table (:func:`edges`, :func:`mermaid`).

:class:`Machine` holds one current state. :meth:`Machine.step` looks the pair
up; a pair the table lacks is refused:

* under the ``"strict"`` policy it raises :class:`~ocpkit.errors.TransitionError`
  naming machine, state and event, and the state is left as it was;
* under ``"lenient"`` it returns a warning :class:`~ocpkit.findings.Finding`
  and moves to the spec's fallback target (for status machines, whose events
  *are* the reported states, that is the reported state: real chargers drop
  short-lived states, so the observer follows the charger).

A machine may start in an unknown state (``None``): the first event is then
taken as it comes, because an observer that joins a conversation midway has
no history to judge it against. Machines are pure: no clock, no I/O; time and
message references are parameters and findings are returned as data.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from ocpkit.errors import TransitionError
from ocpkit.findings import Finding, Severity

__all__ = ["Edge", "Machine", "Policy", "Spec", "Step", "edges", "mermaid", "status_spec"]

S = TypeVar("S", bound=Hashable)
E = TypeVar("E", bound=Hashable)

Policy = Literal["strict", "lenient"]
_POLICIES: frozenset[str] = frozenset({"strict", "lenient"})


@dataclass(frozen=True, slots=True)
class Edge(Generic[S, E]):
    """One allowed move: in ``source``, ``event`` leads to ``target``; ``label`` is its spec code."""

    source: S
    event: E
    target: S
    label: str = ""


@dataclass(frozen=True)
class Spec(Generic[S, E]):
    """A machine declared as data.

    ``transitions`` maps every allowed ``(state, event)`` to its target; a pair
    that is absent is not allowed. ``labels`` gives an optional code per pair.
    ``states`` and ``events`` list the whole alphabet (the tables may leave
    some states without outgoing edges, e.g. terminal ones). ``fallback``
    chooses where a lenient machine goes after a refused event (by default it
    stays where it is); ``entry`` names the state a machine with no state yet
    takes on its first event (by default such a machine refuses every event).
    ``reports_state`` marks status machines, whose events are the reported states.
    """

    name: str
    states: tuple[S, ...]
    events: tuple[E, ...]
    transitions: Mapping[tuple[S, E], S]
    labels: Mapping[tuple[S, E], str] = field(default_factory=dict)
    fallback: Callable[[S, E], S] | None = None
    entry: Callable[[E], S] | None = None
    reports_state: bool = False

    def __post_init__(self) -> None:
        known_states, known_events = set(self.states), set(self.events)
        for (state, event), target in self.transitions.items():
            if state not in known_states or target not in known_states or event not in known_events:
                raise ValueError(
                    f"{self.name}: edge {state!r} --{event!r}--> {target!r} outside the alphabet"
                )
        for pair in self.labels:
            if pair not in self.transitions:
                raise ValueError(f"{self.name}: label for {pair!r}, which is not an allowed transition")

    def target(self, state: S, event: E) -> S | None:
        """Return the target of ``(state, event)``, or ``None`` when the table does not allow it."""
        try:
            return self.transitions.get((state, event))
        except TypeError:
            # An unhashable event (hostile input) is simply not in the table.
            return None

    def label(self, state: S, event: E) -> str:
        """Return the spec code of an allowed pair (``""`` when it has none)."""
        return self.labels.get((state, event), "")


def status_spec(name: str, table: Mapping[tuple[S, S], str], states: tuple[S, ...]) -> Spec[S, S]:
    """Build a status machine: the event is the reported status, the target is that status.

    ``table`` maps each allowed ``(from, to)`` pair to its code; lenient
    machines follow the reported status.
    """
    return Spec(
        name=name,
        states=states,
        events=states,
        transitions={pair: pair[1] for pair in table},
        labels=dict(table),
        fallback=lambda _state, event: event,
        entry=lambda event: event,
        reports_state=True,
    )


@dataclass(frozen=True, slots=True)
class Step(Generic[S, E]):
    """The outcome of one event: where the machine was, where it is, and what was noticed.

    ``label`` is the spec code of the edge taken (``""`` for an unknown
    start or a refused move); ``finding`` is set only when a lenient machine
    accepted a move its table refuses.
    """

    source: S | None
    event: E
    target: S | None
    label: str = ""
    finding: Finding | None = None

    @property
    def allowed(self) -> bool:
        """True when the table allowed the move (or the machine had no state yet)."""
        return self.finding is None


class Machine(Generic[S, E]):
    """One running instance of a :class:`Spec`."""

    def __init__(
        self,
        spec: Spec[S, E],
        state: S | None = None,
        *,
        policy: Policy = "strict",
        subject: str = "",
    ) -> None:
        if policy not in _POLICIES:
            raise ValueError(f"policy must be 'strict' or 'lenient', not {policy!r}")
        if state is not None and state not in spec.states:
            raise ValueError(f"{spec.name}: unknown initial state {state!r}")
        self.spec = spec
        self.state: S | None = state
        self.policy: Policy = policy
        self.subject = subject or spec.name

    def __repr__(self) -> str:
        return f"<Machine {self.spec.name} state={self.state!r} policy={self.policy}>"

    def step(self, event: E, *, ref: object = None) -> Step[S, E]:
        """Apply ``event`` and return the :class:`Step`.

        Raises :class:`~ocpkit.errors.TransitionError` (state unchanged) when
        the table refuses the move under the strict policy. A lenient machine
        returns a warning finding and follows the fallback target instead, or
        an error finding (state unchanged) for an event it cannot follow at all.
        """
        source = self.state
        if source is None:
            first = self._first(event)
            if first is not None:
                self.state = first
                return Step(None, event, first)
            return self._refuse(source, event, None, ref)
        target = self.spec.target(source, event)
        if target is not None:
            self.state = target
            return Step(source, event, target, self.spec.label(source, event))
        follow = self.spec.fallback(source, event) if self.spec.fallback is not None else source
        return self._refuse(source, event, follow, ref)

    def _refuse(self, source: S | None, event: E, follow: S | None, ref: object) -> Step[S, E]:
        known = follow is not None and follow in self.spec.states
        if self.policy == "strict":
            # Plain values make the message read "Charging", not "<ChargePointStatus.CHARGING: ...>".
            raise TransitionError(
                self.spec.name,
                _plain(source),
                _plain(event),
                "" if known else "unknown event",
                subject=self.subject,
            )
        if not known:
            finding = Finding(
                Severity.ERROR,
                f"{self.spec.name}.unknown-event",
                f"{_show(event)} is not an event of this machine; state stays {_show(source)}",
                self.subject,
                ref,
            )
            return Step(source, event, source, "", finding)
        finding = Finding(
            Severity.WARNING,
            f"{self.spec.name}.transition",
            f"{_show(event)} is not allowed in state {_show(source)}; now in {_show(follow)}",
            self.subject,
            ref,
        )
        self.state = follow
        return Step(source, event, follow, "", finding)

    def apply(self, event: E, *, ref: object = None) -> S | None:
        """Apply ``event`` and return the new state (see :meth:`step` for refusals)."""
        return self.step(event, ref=ref).target

    def _first(self, event: E) -> S | None:
        # With no history, the event can only be taken if it names a state.
        if self.spec.entry is None:
            return None
        try:
            follow = self.spec.entry(event)
            return follow if follow in self.spec.states else None
        except TypeError:
            return None


def _plain(value: object) -> object:
    return str(value) if isinstance(value, str) else value


def _show(value: object) -> str:
    # Protocol values (str and StrEnum) read best bare; anything else, e.g. hostile input, as repr.
    return str(value) if isinstance(value, str) else repr(value)


def edges(spec: Spec[S, E]) -> Iterator[Edge[S, E]]:
    """Yield every allowed move of ``spec`` in table order (for docs and tests)."""
    for (source, event), target in spec.transitions.items():
        yield Edge(source, event, target, spec.label(source, event))


def _node(value: object) -> str:
    # Mermaid state ids must be plain words.
    text = str(value)
    return "".join(ch if ch.isalnum() else "_" for ch in text) or "_"


def mermaid(spec: Spec[S, E], *, initial: tuple[S, ...] = ()) -> str:
    """Return a Mermaid ``stateDiagram-v2`` drawing of ``spec``.

    Status machines label each arrow with its code; event machines with
    ``event`` (and the code when there is one). ``initial`` draws arrows
    from the start marker. A status machine's repeats (a state reported
    again) are not drawn.
    """
    lines = ["stateDiagram-v2"]
    for state in spec.states:
        if _node(state) != str(state):
            lines.append(f'    state "{state}" as {_node(state)}')
    for state in initial:
        lines.append(f"    [*] --> {_node(state)}")
    for edge in edges(spec):
        if spec.reports_state and edge.source == edge.target:
            continue  # a repeated report is no move; drawing it only adds loops
        text = edge.label if spec.reports_state else f"{edge.event} {edge.label}".strip()
        arrow = f"    {_node(edge.source)} --> {_node(edge.target)}"
        lines.append(f"{arrow} : {text}" if text else arrow)
    return "\n".join(lines) + "\n"
