"""OCPI command flow: the CPO's synchronous CommandResponse, then the asynchronous result.

Theory of operation. An eMSP POSTs a command (START_SESSION, STOP_SESSION,
RESERVE_NOW, UNLOCK_CONNECTOR; CANCEL_RESERVATION from 2.2.1 on) to the CPO.
The HTTP answer carries a CommandResponse saying whether the CPO could pass
the command on. Only when that answer is ACCEPTED does the CPO later POST the
charge point's outcome to the eMSP's ``response_url``:

* 2.2.1 and 2.3.0: the later POST carries a CommandResult (CommandResultType),
  and the CommandResponse gives ``timeout``: the seconds after which the eMSP
  may assume no result will come;
* 2.1.1: there is no CommandResult object and no ``timeout`` field; the later
  POST carries another CommandResponse (CommandResponseType, which there
  includes TIMEOUT), and the caller supplies the timeout it wants to enforce.

:data:`COMMAND_TRANSITIONS` is the table (REQUESTED -> AWAITING_RESULT or
REFUSED; AWAITING_RESULT -> COMPLETED or TIMED_OUT; a result that arrives
after the timeout still completes the command, with a finding). Time is
supplied by the caller (``at``, ``now``); :meth:`Command.check` turns an
expired wait into a ``command.timeout`` finding. Under ``strict`` a move the
table refuses raises :class:`~ocpkit.errors.TransitionError`; under
``lenient`` it is a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ocpkit._fsm import Machine, Policy, Spec
from ocpkit.errors import UnsupportedError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpi.v211.enums import CommandResponseType as CommandResponseType211
from ocpkit.ocpi.v211.enums import CommandType as CommandType211
from ocpkit.ocpi.v221.enums import CommandResponseType as CommandResponseType221
from ocpkit.ocpi.v221.enums import CommandResultType as CommandResultType221
from ocpkit.ocpi.v221.enums import CommandType as CommandType221
from ocpkit.ocpi.v230.enums import CommandResponseType as CommandResponseType230
from ocpkit.ocpi.v230.enums import CommandResultType as CommandResultType230
from ocpkit.ocpi.v230.enums import CommandType as CommandType230

__all__ = ["COMMAND_TRANSITIONS", "Command", "CommandEvent", "CommandState", "command_spec"]


class CommandState(StrEnum):
    """Where one command stands, as the eMSP sees it."""

    REQUESTED = "REQUESTED"
    AWAITING_RESULT = "AWAITING_RESULT"
    REFUSED = "REFUSED"
    COMPLETED = "COMPLETED"
    TIMED_OUT = "TIMED_OUT"


class CommandEvent(StrEnum):
    """What can happen to a command."""

    RESPONSE_ACCEPTED = "response.accepted"
    RESPONSE_REFUSED = "response.refused"
    RESULT = "result"
    TIMEOUT = "timeout"


_S, _E = CommandState, CommandEvent

# OCPI commands module, "Flow": a result follows only an ACCEPTED CommandResponse.
COMMAND_TRANSITIONS: Mapping[tuple[CommandState, CommandEvent], CommandState] = {
    (_S.REQUESTED, _E.RESPONSE_ACCEPTED): _S.AWAITING_RESULT,
    (_S.REQUESTED, _E.RESPONSE_REFUSED): _S.REFUSED,
    (_S.AWAITING_RESULT, _E.RESULT): _S.COMPLETED,
    (_S.AWAITING_RESULT, _E.TIMEOUT): _S.TIMED_OUT,
    # The timeout only lets the eMSP stop waiting; a result that still comes is the outcome.
    (_S.TIMED_OUT, _E.RESULT): _S.COMPLETED,
}


def _lenient_target(state: CommandState, event: CommandEvent) -> CommandState:
    # A response racing behind its own result must not rewind a finished command.
    if state is _S.COMPLETED and event in (_E.RESPONSE_ACCEPTED, _E.RESPONSE_REFUSED):
        return state
    natural = {
        _E.RESPONSE_ACCEPTED: _S.AWAITING_RESULT,
        _E.RESPONSE_REFUSED: _S.REFUSED,
        _E.RESULT: _S.COMPLETED,
        _E.TIMEOUT: _S.TIMED_OUT,
    }
    return natural.get(event, state)


_SPEC: Spec[CommandState, CommandEvent] = Spec(
    "command",
    tuple(CommandState),
    tuple(CommandEvent),
    COMMAND_TRANSITIONS,
    fallback=_lenient_target,
)

_COMMANDS: Mapping[str, type[StrEnum]] = {
    "2.1.1": CommandType211,
    "2.2.1": CommandType221,
    "2.3.0": CommandType230,
}
_RESPONSES: Mapping[str, type[StrEnum]] = {
    "2.1.1": CommandResponseType211,
    "2.2.1": CommandResponseType221,
    "2.3.0": CommandResponseType230,
}
# 2.1.1 has no CommandResult: the asynchronous POST carries a CommandResponse again.
_RESULTS: Mapping[str, type[StrEnum]] = {
    "2.1.1": CommandResponseType211,
    "2.2.1": CommandResultType221,
    "2.3.0": CommandResultType230,
}


def command_spec() -> Spec[CommandState, CommandEvent]:
    """The command machine, built from :data:`COMMAND_TRANSITIONS` (the same in every OCPI version)."""
    return _SPEC


def _aware(moment: datetime | None) -> datetime | None:
    # Naive times are taken as UTC, so that a caller mixing both kinds gets an answer, not a TypeError.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _result_value(body: object) -> object:
    return body.get("result") if isinstance(body, Mapping) else body


class Command:
    """One command from request to result, in one OCPI version.

    ``sent_at`` is when the eMSP sent it; ``timeout`` is the wait the caller
    enforces when the version gives none (2.1.1) or to override a missing one.
    """

    def __init__(
        self,
        version: str,
        command: str,
        *,
        sent_at: datetime | None = None,
        timeout: timedelta | None = None,
        policy: Policy = "strict",
    ) -> None:
        if version not in _COMMANDS:
            raise UnsupportedError(f"unknown OCPI version {version!r}; expected one of 2.1.1, 2.2.1, 2.3.0")
        kinds = {member.value for member in _COMMANDS[version]}
        if command not in kinds:
            raise UnsupportedError(f"OCPI {version} has no command {command!r}")
        self.version = version
        self.command = command
        self.sent_at = _aware(sent_at)
        self.timeout = timeout
        self.deadline: datetime | None = None
        self.response: StrEnum | None = None
        self.result: StrEnum | None = None
        self.machine: Machine[CommandState, CommandEvent] = Machine(
            _SPEC, CommandState.REQUESTED, policy=policy, subject=f"command {command}"
        )

    @property
    def state(self) -> CommandState:
        """The current :class:`CommandState`."""
        state = self.machine.state
        assert state is not None  # the machine starts in REQUESTED and never loses its state
        return state

    def on_response(self, body: object, *, at: datetime | None = None, ref: object = None) -> list[Finding]:
        """The CommandResponse (the dict, or just its ``result`` value) answering the POST."""
        subject = self.machine.subject
        value = _result_value(body)
        allowed = _RESPONSES[self.version]
        if not isinstance(value, str) or value not in {m.value for m in allowed}:
            message = f"{value!r} is not a CommandResponseType of OCPI {self.version}"
            return [Finding(Severity.ERROR, "command.response", message, subject, ref)]
        response = allowed(value)
        event = _E.RESPONSE_ACCEPTED if value == "ACCEPTED" else _E.RESPONSE_REFUSED
        found = self._step(event, ref)
        self.response = response
        wait = self.timeout
        if self.version != "2.1.1" and isinstance(body, Mapping):
            seconds = body.get("timeout")
            if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds >= 0:
                # 2.2.1 CommandResponse.timeout: seconds the eMSP should wait for the result.
                wait = timedelta(seconds=seconds) if self.timeout is None else self.timeout
            else:
                message = f"CommandResponse.timeout missing or not a non-negative int: {seconds!r}"
                found.append(Finding(Severity.WARNING, "command.timeout-field", message, subject, ref))
        start = _aware(at) or self.sent_at
        if event is _E.RESPONSE_ACCEPTED and wait is not None and start is not None:
            self.deadline = start + wait
        return found

    def on_result(self, body: object, *, at: datetime | None = None, ref: object = None) -> list[Finding]:
        """The asynchronous outcome POSTed to ``response_url`` (CommandResult; CommandResponse in 2.1.1)."""
        subject = self.machine.subject
        value = _result_value(body)
        allowed = _RESULTS[self.version]
        if not isinstance(value, str) or value not in {m.value for m in allowed}:
            message = f"{value!r} is not a {allowed.__name__} of OCPI {self.version}"
            return [Finding(Severity.ERROR, "command.result", message, subject, ref)]
        received = _aware(at)
        late = self.state is CommandState.TIMED_OUT or (
            self.deadline is not None and received is not None and received > self.deadline
        )
        found = self._step(_E.RESULT, ref)
        self.result = allowed(value)
        if late:
            found.append(
                Finding(Severity.WARNING, "command.late-result", "result after the timeout", subject, ref)
            )
        return found

    def check(self, now: datetime, *, ref: object = None) -> list[Finding]:
        """Given the time ``now``, time the command out if its result is overdue."""
        now = _aware(now) or now
        if self.state is not CommandState.AWAITING_RESULT or self.deadline is None or now <= self.deadline:
            return []
        self._step(_E.TIMEOUT, ref)
        message = f"no result within {self.deadline - (self.sent_at or self.deadline)} of sending"
        if self.sent_at is None:
            message = "no result before the deadline"
        return [Finding(Severity.WARNING, "command.timeout", message, self.machine.subject, ref)]

    def _step(self, event: CommandEvent, ref: object) -> list[Finding]:
        step = self.machine.step(event, ref=ref)
        return [step.finding] if step.finding is not None else []
