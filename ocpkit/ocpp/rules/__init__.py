"""OCPP spec rules: what the 1.6, 2.0.1 and 2.1 texts state about fields and no JSON schema carries.

Theory of operation. :data:`RULES` is the table of rules, each a
:class:`~ocpkit.findings.SpecRule` (id, versions, section, statement,
severity). Every rule has a checker bound to the messages it applies to
(version, action, direction); :func:`check_payload` runs the checkers of one
message on a decoded payload and returns one :class:`~ocpkit.findings.Finding`
per breach, its ``subject`` the JSON pointer into the payload and its code
``"spec." + rule.id``. It never raises: a value of the wrong type is left to
the schema verdict, which these findings never change.
"""

from __future__ import annotations

from typing import Any

from ocpkit.findings import Finding, SpecRule
from ocpkit.ocpp.rules._checks import CHECKS, Check, begin_payload

__all__ = ["RULES", "check_payload", "rules_for"]

# What a checker may meet on a payload of the wrong shape (the schema verdict already says so).
_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError, OverflowError)

RULES: tuple[SpecRule, ...] = tuple(rule for rule, _ in CHECKS)
"""Every OCPP spec rule, in table order."""

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


def check_payload(
    version: str, action: str, direction: str, payload: Any, ref: object = None
) -> list[Finding]:
    """Check a decoded payload against the spec rules of its message; return the findings.

    ``direction`` is ``"request"`` (the CALL) or ``"response"`` (the
    CALLRESULT). Each finding's subject is a JSON pointer into *payload*, and
    *ref* is handed back on every finding. Never raises, whatever *payload* is.
    """
    checks = _INDEX.get((version, action, direction))
    if not checks:
        return []
    found: list[Finding] = []
    begin_payload()
    try:
        for check in checks:
            try:
                for pointer, message in check.check(payload):
                    found.append(check.rule.finding(message, pointer or "/", ref))
            except _SHAPE_ERRORS:
                continue  # a shape the schema verdict already covers
    finally:
        begin_payload()  # no payload is kept alive past the call
    return found
