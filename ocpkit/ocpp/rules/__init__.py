"""OCPP spec rules: what the 1.6, 2.0.1 and 2.1 texts state about fields and no JSON schema carries.

Theory of operation. :data:`RULES` is the table of rules, each a
:class:`~ocpkit.findings.SpecRule` (id, versions, section, statement,
severity). Every rule has a checker bound to the messages it applies to
(version, action, direction); :func:`check_payload` runs the checkers of one
message on a decoded payload and returns one :class:`~ocpkit.findings.Finding`
per breach, its ``subject`` the JSON pointer into the payload and its code
``"spec." + rule.id``. It never raises: a value of the wrong type is left to
the schema verdict, which these findings never change.

The checks of each message are laid out once, at import, as a plan
(:func:`payload_checker`): a message no rule names has none, and the checks
of the sampled values of a message walk to them once between them, not once
each. A check may have a screen, a cheap test that is True only when the check
surely finds nothing (a field that is missing or an integer the rule accepts;
sampled values of the usual kinds): the plan skips a screened check on such a
payload and runs it on every other, so the findings stay those of the checks.
A caller that judges many payloads looks the plan up once per message
and skips the messages without one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ocpkit.findings import Finding, SpecRule
from ocpkit.ocpp.rules._checks import (
    CHECKS,
    Check,
    begin_payload,
    quiet_of,
    sampled_screen,
    sampled_values,
)

__all__ = ["RULES", "PayloadChecker", "check_payload", "payload_checker", "rules_for"]

PayloadChecker = Callable[[Any, object], list[Finding]]
"""The spec rules of one message: ``(payload, ref) -> findings`` (see :func:`payload_checker`)."""

# What a checker may meet on a payload of the wrong shape (the schema verdict already says so).
_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError, OverflowError)

RULES: tuple[SpecRule, ...] = tuple(rule for rule, _ in CHECKS)
"""Every OCPP spec rule, in table order."""

# One step of a plan: (check, its screen, (), None) or (None, None, path, (run of checks, their screen)).
_Step = tuple[
    Check | None,
    Callable[[Any], bool] | None,
    tuple[str, ...],
    tuple[list[Check], Callable[[str, Any, tuple[str, ...]], bool] | None] | None,
]

_INDEX: dict[tuple[str, str, str], list[Check]] = {}
for _rule, _checks in CHECKS:
    for _check in _checks:
        for _where in _check.where:
            _INDEX.setdefault(_where, []).append(_check)


def rules_for(version: str, action: str, direction: str) -> tuple[SpecRule, ...]:
    """The rules that apply to one message (``direction`` is ``"request"`` or ``"response"``)."""
    seen: dict[str, SpecRule] = {}
    for check in _INDEX.get((version, action, direction), ()):
        seen.setdefault(check.rule.id, check.rule)
    return tuple(seen.values())


class _Plan:
    """The checks of one message in table order, runs of sampled-value checks grouped by their path.

    A check with a screen (:func:`~ocpkit.ocpp.rules._checks.quiet_of`), and a
    run of sampled-value checks with one (:func:`~ocpkit.ocpp.rules._checks.sampled_screen`),
    is skipped on a payload the screen shows it finds nothing in: most payloads
    break no rule, and telling so is cheaper than looking for the breaches.
    """

    __slots__ = ("steps", "version")

    def __init__(self, version: str, checks: list[Check]) -> None:
        self.version = version
        runs: list[Check | tuple[tuple[str, ...], list[Check]]] = []
        for check in checks:
            last = runs[-1] if runs else None
            if check.body is None:
                runs.append(check)
            elif isinstance(last, tuple) and last[0] == check.path:
                last[1].append(check)
            else:
                runs.append((check.path, [check]))
        steps: list[_Step] = []
        for run in runs:
            if isinstance(run, Check):
                steps.append((run, quiet_of(run.check), (), None))
            else:
                path, group = run
                bodies = [c.body for c in group if c.body is not None]
                steps.append((None, None, path, (group, sampled_screen(bodies))))
        self.steps = tuple(steps)

    def __call__(self, payload: Any, ref: object = None) -> list[Finding]:
        found: list[Finding] = []
        version = self.version
        begin_payload()  # walks a check run on its own may have left behind
        try:
            for step, quiet, path, run in self.steps:
                if step is not None:
                    if quiet is not None:
                        try:
                            if quiet(payload):
                                continue
                        except _SHAPE_ERRORS:
                            pass  # not sure: the check itself says
                    try:
                        for pointer, message in step.check(payload):
                            found.append(step.rule.finding(message, pointer or "/", ref))
                    except _SHAPE_ERRORS:
                        continue  # a shape the schema verdict already covers
                    continue
                assert run is not None
                group, screen = run
                if screen is not None:
                    try:
                        if screen(version, payload, path):
                            continue
                    except _SHAPE_ERRORS:
                        pass
                try:
                    sampled = sampled_values(payload, path)
                except _SHAPE_ERRORS:
                    continue
                if not sampled:
                    continue
                # Check by check, each over every sampled value: the order of Check.check on its own.
                for check in group:
                    body = check.body
                    assert body is not None
                    try:
                        for pointer, value in sampled:
                            hits = body(version, pointer, value)
                            if hits:
                                rule = check.rule
                                found += [rule.finding(message, at or "/", ref) for at, message in hits]
                    except _SHAPE_ERRORS:
                        continue
        finally:
            begin_payload()  # no payload is kept alive past the call
        return found


_PLANS: dict[tuple[str, str, str], _Plan] = {
    where: _Plan(where[0], checks) for where, checks in _INDEX.items() if checks
}


def payload_checker(version: str, action: str, direction: str) -> PayloadChecker | None:
    """The spec rules of one message as one callable, or ``None`` when no rule applies to it.

    ``direction`` is ``"request"`` or ``"response"``. Calling the result with
    ``(payload, ref)`` is :func:`check_payload` for that message: the same
    findings in the same order, and it never raises.
    """
    return _PLANS.get((version, action, direction))


def check_payload(
    version: str, action: str, direction: str, payload: Any, ref: object = None
) -> list[Finding]:
    """Check a decoded payload against the spec rules of its message; return the findings.

    ``direction`` is ``"request"`` (the CALL) or ``"response"`` (the
    CALLRESULT). Each finding's subject is a JSON pointer into *payload*, and
    *ref* is handed back on every finding. Never raises, whatever *payload* is.
    """
    plan = _PLANS.get((version, action, direction))
    if plan is None:
        return []
    return plan(payload, ref)
