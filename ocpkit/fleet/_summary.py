"""The mergeable summary of one charge point's verdicts (private; pure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from ocpkit.fleet._fold import Record
from ocpkit.fleet._fold import Summary as RunSummary
from ocpkit.fleet._reliability import Reliability

__all__ = ["LISTED", "Summary", "label"]

LISTED: Final = 50
"""Unanswered calls and findings listed by a summary (the first by source name and line; all are counted)."""


def label(charge_point: str | None) -> str:
    """The name a summary counts a charge point under (``"(none)"`` for frames without an id)."""
    return charge_point if charge_point is not None else "(none)"


def _first(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The first LISTED by (source, line) of the union: associative and commutative.
    if not b:
        return list(a)
    return sorted(a + b, key=_place)[:LISTED]


def _place(entry: dict[str, Any]) -> tuple[str, int]:
    line = entry.get("line")
    return (str(entry.get("source")), line if isinstance(line, int) else -1)


@dataclass
class Summary:
    """Counts over the verdicts of one charge point (or, merged, of several).

    Every field adds up under :meth:`merge`, which is associative (and
    commutative but for which entries the bounded lists keep), so summaries of
    partitions combine in any grouping into the summary of their union.
    """

    charge_points: Counter[str] = field(default_factory=Counter)
    """Frames per charge point (see :func:`label`)."""
    invalid_by_charge_point: Counter[str] = field(default_factory=Counter)
    frames: int = 0
    invalid: int = 0
    tolerated: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_action: Counter[str] = field(default_factory=Counter)
    invalid_by_action: Counter[str] = field(default_factory=Counter)
    by_code: Counter[str] = field(default_factory=Counter)
    """Violations (not tolerated) by rule code, or keyword when the rule has no code."""
    by_keyword: Counter[str] = field(default_factory=Counter)
    versions: Counter[str] = field(default_factory=Counter)
    """Frames judged under each OCPP version."""
    findings: Counter[str] = field(default_factory=Counter)
    """Conversation and spec-rule findings by ``severity:code``."""
    findings_total: int = 0
    findings_listed: list[dict[str, Any]] = field(default_factory=list)
    unanswered: int = 0
    """CALLs never answered in the capture."""
    unanswered_listed: list[dict[str, Any]] = field(default_factory=list)
    unpaired_results: int = 0
    reliability: dict[str, Reliability] = field(default_factory=dict)
    """Reliability figures by charge point (see :mod:`ocpkit.fleet` for the definitions)."""

    @classmethod
    def of_run(cls, run: RunSummary, records: list[Record]) -> Summary:
        """The summary of *records* whose fold counted into *run* (one charge point's sources)."""
        s = cls(
            charge_points=Counter(run.by_charge_point),
            invalid_by_charge_point=Counter(run.invalid_by_charge_point),
            frames=run.frames,
            invalid=run.invalid,
            tolerated=run.tolerated,
            by_kind=Counter(run.by_kind),
            by_action=Counter(run.by_action),
            invalid_by_action=Counter(run.invalid_by_action),
            by_code=Counter(run.by_code),
            by_keyword=Counter(run.by_keyword),
            findings=Counter(run.findings),
            findings_total=run.findings_total,
            findings_listed=sorted(run.findings_listed, key=_place)[:LISTED],
            unanswered=run.unanswered,
            unanswered_listed=sorted(run.unanswered_listed, key=_place)[:LISTED],
            unpaired_results=run.unpaired_results,
        )
        for record in records:
            if record.version is not None:
                s.versions[record.version] += 1
        return s

    def merge(self, other: Summary) -> Summary:
        """The summary of both (a new object; neither is changed)."""
        reliability = dict(self.reliability)
        for cp, figures in other.reliability.items():
            mine = reliability.get(cp)
            reliability[cp] = figures if mine is None else mine.merge(figures)
        return Summary(
            self.charge_points + other.charge_points,
            self.invalid_by_charge_point + other.invalid_by_charge_point,
            self.frames + other.frames,
            self.invalid + other.invalid,
            self.tolerated + other.tolerated,
            self.by_kind + other.by_kind,
            self.by_action + other.by_action,
            self.invalid_by_action + other.invalid_by_action,
            self.by_code + other.by_code,
            self.by_keyword + other.by_keyword,
            self.versions + other.versions,
            self.findings + other.findings,
            self.findings_total + other.findings_total,
            _first(self.findings_listed, other.findings_listed),
            self.unanswered + other.unanswered,
            _first(self.unanswered_listed, other.unanswered_listed),
            self.unpaired_results + other.unpaired_results,
            reliability,
        )

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values (counters sorted by name)."""
        return {
            "charge_points": {
                cp: {"frames": n, "invalid": self.invalid_by_charge_point.get(cp, 0)}
                for cp, n in sorted(self.charge_points.items())
            },
            "frames": self.frames,
            "valid": self.frames - self.invalid,
            "invalid": self.invalid,
            "tolerated_violations": self.tolerated,
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_action": {
                a: {"frames": n, "invalid": self.invalid_by_action.get(a, 0)}
                for a, n in sorted(self.by_action.items())
            },
            "by_code": dict(sorted(self.by_code.items())),
            "by_keyword": dict(sorted(self.by_keyword.items())),
            "versions": dict(sorted(self.versions.items())),
            "findings": dict(sorted(self.findings.items())),
            "findings_total": self.findings_total,
            "findings_listed": self.findings_listed,
            "unanswered_calls": self.unanswered,
            "unanswered_listed": self.unanswered_listed,
            "unpaired_results": self.unpaired_results,
            "reliability": {cp: r.as_dict() for cp, r in sorted(self.reliability.items())},
        }
