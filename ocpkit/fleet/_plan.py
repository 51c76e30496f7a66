"""The OCPP version of each (source, charge point), decided as ``ocpkit validate`` decides it (private; pure).

The command line guesses a charge point's version per source from its frames
(:class:`~ocpkit.fleet._fold.SourceRun`); a charge point whose frames tell
nothing borrows the version most frames of the run were judged under so far,
a state that runs across sources. A partition of one charge point cannot see
the run, so the decisions are taken apart from the judging:
:class:`VersionPlanner` runs the command line's decision code over one source
without judging any frame and lists its :class:`Decision` records (a borrowing
one left open), and :func:`resolve_plan` replays the sources' decisions in
input order, filling each open one as the command line would have. Judging a
partition under the resolved versions then gives the command line's verdicts.

The planner also notes the order the command line judges the frames in (held
frames are judged when their charge point's version is decided) and which
charge point's conversation each frame joins: the conversation checker gives a
frame without a charge-point id to the one charge point its source has named
so far, so such a frame belongs to that charge point's partition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from ocpkit.capture import CapturedFrame, Hint
from ocpkit.fleet._fold import Record, SourceRun, _Group
from ocpkit.fleet._fold import Summary as RunSummary

__all__ = ["Decision", "PlanResolver", "SourcedFrame", "VersionPlanner", "resolve_plan"]


class SourcedFrame(NamedTuple):
    """A captured frame with where it came from: what a partition is made of."""

    source: str
    """The source's name (as the command line names it)."""
    order: int
    """The source's place among the inputs."""
    seq: int
    """The frame's place in the order the command line judges its source's frames."""
    frame: CapturedFrame
    bad: bool = False
    """The line holding the frame is not valid UTF-8 (its frame fails with a ``json`` violation)."""
    station: str | None = None
    """The charge point whose partition the frame belongs to: its own, or for a frame without an id
    the one its source's conversation gives it to (see :class:`VersionPlanner`)."""


def _converses(frame: CapturedFrame) -> bool:
    """Whether the conversation checker takes the frame (the test it makes before naming a station)."""
    if frame.kind == "unparsed" or frame.kind == "payload":
        return False
    value = frame.value
    if not isinstance(value, list) or len(value) < 2:
        return False
    type_id = value[0]
    if type(type_id) is not int or not isinstance(value[1], str):
        return False
    if type_id == 2 or type_id == 6:
        return len(value) >= 3 and isinstance(value[2], str)
    return type_id in (3, 4, 5)


class Decision(NamedTuple):
    """The version one charge point's frames of one source are judged under, and why."""

    source: str
    charge_point: str | None
    version: str | None
    """None until :func:`resolve_plan` fills it: the frames tell nothing, the run's others decide."""
    held: int
    """Frames held back until the decision (what the run's tally of decided frames counts)."""
    fallback: str
    """The version taken when nothing was decided before: fewest broken frames, else 1.6."""
    confidence: str
    reasons: tuple[str, ...]
    own_reasons: tuple[str, ...] = ()
    """What the frames alone said, before borrowing."""


_PLACEHOLDER = Record("", 0, None, "unparsed", None, True, ())


class VersionPlanner(SourceRun):
    """The command line's version decisions over one source, without judging (see the module)."""

    def __init__(
        self,
        source: str,
        *,
        order: int = 0,
        version: str | None = None,
        bad_lines: set[int] | None = None,
        hints: Callable[[], list[Hint]] | None = None,
    ) -> None:
        """Plan the source named *source* (*order*: its place among the inputs; *version*: forced).

        *hints* gives the facts its reader found so far; *bad_lines* the lines that are not UTF-8.
        """
        super().__init__(
            source, RunSummary(), version=version, bad_lines=bad_lines, hints=hints, rules="schema"
        )
        self.order = order
        self.decisions: list[Decision] = []
        self.judged: list[SourcedFrame] = []
        """The source's frames in the order they are judged, with their partition (a reader of the
        planner may take them out as it goes: :attr:`count` keeps the numbering)."""
        self.count = 0
        self.stations: dict[str, dict[str | None, None]] = {}

    def _judge(self, frame: CapturedFrame, version: str, bad_text: bool) -> Record:
        station = cp = frame.charge_point
        if _converses(frame):
            names = self.stations.get(version)
            if names is None:
                names = self.stations[version] = {}
            if cp is None and len(names) == 1:
                station = next(iter(names))
            else:
                names[cp] = None
        self.judged.append(SourcedFrame(self.source, self.order, self.count, frame, bad_text, station))
        self.count += 1
        return _PLACEHOLDER

    def _decide(self, cp: str | None, group: _Group) -> Iterator[Record]:
        guess = self._guess_with_hints(cp, group)
        held = len(group.held)
        if guess.version is None:
            # The run's tally stays empty here, so this is the command line's fallback when nothing
            # was decided before; resolve_plan borrows instead when something was.
            alone = self._fallback(group, guess)
            version = alone.version or "1.6"
            self.decisions.append(
                Decision(
                    self.source,
                    cp,
                    None,
                    held,
                    version,
                    str(alone.confidence),
                    alone.reasons,
                    guess.reasons,
                )
            )
            group.guess = alone
        else:
            version = guess.version
            self.decisions.append(
                Decision(self.source, cp, version, held, version, str(guess.confidence), guess.reasons)
            )
            group.guess = guess
        group.version = version
        self.held_total -= held
        while group.held:
            frame, bad = group.held.popleft()
            self._judge(frame, version, bad)
        return iter(())

    def close(self) -> list[Decision]:
        """The source ended: decide what is still open; the decisions in the order they were taken.

        With a forced version there is nothing to decide: one decision per charge point, none held.
        """
        for _ in self._decide_all():
            pass
        if self.forced is not None:
            for cp in self.groups:
                self.decisions.append(
                    Decision(self.source, cp, self.forced, 0, self.forced, "high", ("given with --ocpp",))
                )
        return self.decisions


class PlanResolver:
    """:func:`resolve_plan` one decision at a time: feed every source's decisions in input order.

    Holds the run's tally of decided frames per version only, so a plan of any
    size can be settled in pieces (the Dask engine settles it source by source).
    """

    def __init__(self) -> None:
        """Start a run with nothing decided."""
        self.decided: Counter[str] = Counter()

    def resolve(self, d: Decision) -> Decision:
        """*d* with its version set, as one run would set it after the decisions fed before."""
        if d.version is None:
            if self.decided:
                version = self.decided.most_common(1)[0][0]
                d = d._replace(
                    version=version,
                    confidence="medium",
                    reasons=(
                        *d.own_reasons,
                        "no frame of this charge point tells the version; "
                        f"the run's other frames use {version}",
                    ),
                )
            else:
                d = d._replace(version=d.fallback)
        assert d.version is not None
        self.decided[d.version] += d.held
        return d


def resolve_plan(decisions: Iterable[Decision]) -> dict[tuple[str, str | None], Decision]:
    """Fill the open decisions, given every source's decisions in input order, as one run would.

    Returns the decisions by (source, charge point), each with its version set.
    """
    resolver = PlanResolver()
    plan: dict[tuple[str, str | None], Decision] = {}
    for d in decisions:
        d = resolver.resolve(d)
        plan[(d.source, d.charge_point)] = d
    return plan
