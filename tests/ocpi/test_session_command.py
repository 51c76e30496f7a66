"""OCPI Session status and command flow: every (state, event) pair per version, text facts, scenarios."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpkit._fsm import Machine, mermaid
from ocpkit.errors import TransitionError, UnsupportedError
from ocpkit.findings import Severity
from ocpkit.ocpi.command import COMMAND_TRANSITIONS, Command, CommandEvent, CommandState, command_spec
from ocpkit.ocpi.session import SESSION_TRANSITIONS, Sessions, session_spec

VERSIONS = ("2.1.1", "2.2.1", "2.3.0")
FINAL = {"COMPLETED", "INVALID"}
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# --- Session -----------------------------------------------------------------------------------------------


def session_pairs() -> list[tuple[str, str, str]]:
    return [
        (version, a, b)
        for version in VERSIONS
        for a, b in itertools.product(session_spec(version).states, session_spec(version).states)
    ]


@pytest.mark.parametrize(("version", "source", "target"), session_pairs())
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_every_session_pair(version: str, source: str, target: str, policy: str) -> None:
    sessions = Sessions(version=version, policy=policy)  # type: ignore[arg-type]
    key = ("NL", "ABC", "S1")
    assert sessions.update(key, source) == []  # the first status seen is taken as it is
    table = SESSION_TRANSITIONS[version]
    allowed = (source, target) in table or (source == target and source not in FINAL)
    if allowed:
        assert sessions.update(key, target, ref=4) == []
        assert sessions.state(key) == target
    elif policy == "strict":
        with pytest.raises(TransitionError) as info:
            sessions.update(key, target)
        assert info.value.state == source and info.value.event == target
        assert sessions.state(key) == source
    else:
        findings = sessions.update(key, target, ref=4)
        assert [(f.severity, f.ref) for f in findings] == [(Severity.WARNING, 4)]
        assert sessions.state(key) == target


def enum_values_in_text(text: str, heading: str) -> set[str]:
    """Values of an enum table in the spec text (markdown or asciidoc), read after ``heading``."""
    start = text.index(heading)
    values: set[str] = set()
    for line in text[start:].splitlines()[1:]:
        if line.startswith(("#", "==")) and values:
            break
        match = re.match(r"^\|\s*([A-Z][A-Z_]+)\s*\|", line)
        if match and match.group(1) not in {"Value", "Property"}:
            values.add(match.group(1))
    return values


@pytest.mark.parametrize("version", VERSIONS)
def test_session_states_are_the_spec_enum(shared: Path, version: str) -> None:
    folder = shared / "specs/ocpi" / version
    if version == "2.1.1":
        text = (folder / "mod_sessions.md").read_text(encoding="utf-8")
        values = enum_values_in_text(text, "SessionStatus *enum*")
    else:
        text = (folder / "mod_sessions.asciidoc").read_text(encoding="utf-8")
        values = enum_values_in_text(text, "[[mod_sessions_sessionstatus_enum]]")
    assert {str(s) for s in session_spec(version).states} == values
    assert ("RESERVATION" in values) == (version != "2.1.1")


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
def test_reservation_flow_follows_the_text(shared: Path, version: str) -> None:
    text = (shared / "specs/ocpi" / version / "mod_sessions.asciidoc").read_text(encoding="utf-8")
    # The text names both exits of a reservation session: ACTIVE when it is used, COMPLETED when not.
    assert "does not result in a charging session" in text and "`COMPLETED`" in text
    table = SESSION_TRANSITIONS[version]
    assert ("RESERVATION", "ACTIVE") in table and ("RESERVATION", "COMPLETED") in table
    assert not any(source in FINAL for source, _ in table)


def test_session_values_and_keys() -> None:
    sessions = Sessions(version="2.2.1")
    found = sessions.update("k", "RESERVED")
    assert [f.code for f in found] == ["session.status"] and "RESERVATION" in found[0].message
    assert [f.code for f in Sessions(version="2.1.1").update("k", "RESERVATION")] == ["session.status"]
    assert [f.code for f in sessions.update(["unhashable"], "ACTIVE")] == ["session.key"]
    assert [f.code for f in sessions.update("k", None)] == ["session.status"]
    with pytest.raises(UnsupportedError):
        Sessions(version="2.2")
    with pytest.raises(UnsupportedError):
        session_spec(None)  # type: ignore[arg-type]


def test_session_typical_life() -> None:
    sessions = Sessions(version="2.3.0", policy="strict")
    for status in ("RESERVATION", "ACTIVE", "ACTIVE", "COMPLETED"):
        assert sessions.update("s", status) == []
    with pytest.raises(TransitionError):
        sessions.update("s", "ACTIVE")
    assert sessions.state("s") == "COMPLETED"


def test_session_diagram() -> None:
    text = mermaid(session_spec("2.2.1"), initial=("PENDING", "RESERVATION"))
    assert "RESERVATION --> ACTIVE : activate" in text and "[*] --> PENDING" in text


# --- Command -----------------------------------------------------------------------------------------------

SPEC = command_spec()


@pytest.mark.parametrize(("state", "event"), list(itertools.product(SPEC.states, SPEC.events)))
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_every_command_pair(state: CommandState, event: CommandEvent, policy: str) -> None:
    machine = Machine(SPEC, state, policy=policy)  # type: ignore[arg-type]
    target = COMMAND_TRANSITIONS.get((state, event))
    if target is not None:
        step = machine.step(event)
        assert step.finding is None and machine.state is target
    elif policy == "strict":
        with pytest.raises(TransitionError):
            machine.step(event)
        assert machine.state is state
    else:
        step = machine.step(event)
        assert step.finding is not None and step.finding.severity is Severity.WARNING
        # Lenient follows what the event means, except that a response arriving after the result
        # must not rewind a finished command.
        means = {
            CommandEvent.RESPONSE_ACCEPTED: CommandState.AWAITING_RESULT,
            CommandEvent.RESPONSE_REFUSED: CommandState.REFUSED,
            CommandEvent.RESULT: CommandState.COMPLETED,
            CommandEvent.TIMEOUT: CommandState.TIMED_OUT,
        }
        late_response = state is CommandState.COMPLETED and event.value.startswith("response")
        assert machine.state is (state if late_response else means[event])


def test_command_accepted_then_result() -> None:
    command = Command("2.2.1", "START_SESSION", sent_at=T0)
    assert command.on_response({"result": "ACCEPTED", "timeout": 30}, at=T0 + timedelta(seconds=1)) == []
    assert command.state is CommandState.AWAITING_RESULT
    assert command.deadline == T0 + timedelta(seconds=31)
    assert command.check(T0 + timedelta(seconds=20)) == []
    assert command.on_result({"result": "EVSE_OCCUPIED"}, at=T0 + timedelta(seconds=25)) == []
    assert command.state is CommandState.COMPLETED and command.result == "EVSE_OCCUPIED"


def test_command_timeout_then_late_result() -> None:
    command = Command("2.3.0", "STOP_SESSION", sent_at=T0)
    command.on_response({"result": "ACCEPTED", "timeout": 10}, at=T0)
    found = command.check(T0 + timedelta(seconds=11), ref="tick")
    assert [(f.code, f.ref) for f in found] == [("command.timeout", "tick")]
    assert command.state is CommandState.TIMED_OUT
    assert command.check(T0 + timedelta(seconds=12)) == []  # reported once
    late = command.on_result({"result": "ACCEPTED"}, at=T0 + timedelta(seconds=40))
    assert [f.code for f in late] == ["command.late-result"]
    assert command.state is CommandState.COMPLETED


def test_command_late_result_without_check() -> None:
    command = Command("2.2.1", "UNLOCK_CONNECTOR", sent_at=T0)
    command.on_response({"result": "ACCEPTED", "timeout": 5}, at=T0)
    assert [f.code for f in command.on_result("FAILED", at=T0 + timedelta(seconds=6))] == [
        "command.late-result"
    ]


def test_command_refused_has_no_result() -> None:
    strict = Command("2.2.1", "RESERVE_NOW")
    assert strict.on_response({"result": "REJECTED", "timeout": 30}) == []
    assert strict.state is CommandState.REFUSED
    with pytest.raises(TransitionError):
        strict.on_result({"result": "ACCEPTED"})
    assert strict.state is CommandState.REFUSED and strict.result is None
    lenient = Command("2.2.1", "RESERVE_NOW", policy="lenient")
    lenient.on_response({"result": "UNKNOWN_SESSION", "timeout": 30})
    assert [f.severity for f in lenient.on_result({"result": "ACCEPTED"})] == [Severity.WARNING]


def test_command_211_has_no_command_result_and_no_timeout_field(shared: Path) -> None:
    text = (shared / "specs/ocpi/2.1.1/mod_commands.md").read_text(encoding="utf-8")
    assert "CommandResult" not in text
    assert "CommandResult" in (shared / "specs/ocpi/2.2.1/mod_commands.asciidoc").read_text(encoding="utf-8")
    # The caller's timeout is the only deadline in 2.1.1; the async body is a CommandResponse again.
    command = Command("2.1.1", "START_SESSION", sent_at=T0, timeout=timedelta(minutes=2))
    assert command.on_response({"result": "ACCEPTED"}, at=T0) == []
    assert command.deadline == T0 + timedelta(minutes=2)
    assert [f.code for f in command.on_result({"result": "EVSE_OCCUPIED"})] == ["command.result"]
    assert command.on_result({"result": "TIMEOUT"}, at=T0 + timedelta(minutes=1)) == []
    assert command.result == "TIMEOUT"
    with pytest.raises(UnsupportedError):
        Command("2.1.1", "CANCEL_RESERVATION")
    Command("2.2.1", "CANCEL_RESERVATION")


def test_command_value_checks() -> None:
    command = Command("2.2.1", "START_SESSION", policy="lenient")
    assert [f.code for f in command.on_response({"result": "TIMEOUT", "timeout": 3})] == ["command.response"]
    assert command.state is CommandState.REQUESTED
    assert [f.code for f in command.on_response({"result": "ACCEPTED"})] == ["command.timeout-field"]
    assert command.deadline is None  # no time given, nothing to time out
    assert command.check(T0 + timedelta(days=1)) == []
    with pytest.raises(UnsupportedError):
        Command("3.0", "START_SESSION")


def test_caller_timeout_overrides_the_response() -> None:
    command = Command("2.2.1", "START_SESSION", timeout=timedelta(seconds=90))
    command.on_response({"result": "ACCEPTED", "timeout": 10}, at=T0)
    assert command.deadline == T0 + timedelta(seconds=90)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["response", "result", "check"]),
            st.one_of(
                st.text(max_size=12),
                st.none(),
                st.integers(),
                st.dictionaries(
                    st.sampled_from(["result", "timeout"]),
                    st.one_of(
                        st.sampled_from(["ACCEPTED", "REJECTED", "FAILED", "TIMEOUT"]),
                        st.integers(-5, 50),
                        st.none(),
                    ),
                ),
            ),
            st.integers(0, 100),
        ),
        max_size=8,
    ),
    st.sampled_from(VERSIONS),
)
def test_hostile_command_traffic_gives_findings_only(
    steps: list[tuple[str, object, int]], version: str
) -> None:
    command = Command(version, "STOP_SESSION", sent_at=T0, policy="lenient")
    for kind, body, seconds in steps:
        at = T0 + timedelta(seconds=seconds)
        if kind == "response":
            command.on_response(body, at=at)
        elif kind == "result":
            command.on_result(body, at=at)
        else:
            command.check(at)
        assert command.state in CommandState


def test_command_mixed_naive_and_aware_times() -> None:
    command = Command("2.2.1", "START_SESSION", sent_at=datetime(2024, 5, 1, 12, 0))
    command.on_response({"result": "ACCEPTED", "timeout": 10})
    assert command.deadline == T0 + timedelta(seconds=10)
    assert [f.code for f in command.check(T0 + timedelta(seconds=11))] == ["command.timeout"]
    assert [f.code for f in command.on_result("ACCEPTED", at=datetime(2024, 5, 1, 12, 1))] == [
        "command.late-result"
    ]
