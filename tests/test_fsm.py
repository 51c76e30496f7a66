"""The table-driven engine: every (state, event) pair of small machines, both policies, diagrams."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpkit._fsm import Machine, Spec, edges, mermaid, status_spec
from ocpkit.errors import TransitionError
from ocpkit.findings import Severity

# A door: events are verbs, so a refused event has no state to follow.
DOOR = Spec(
    name="door",
    states=("open", "closed", "locked"),
    events=("open", "close", "lock", "unlock"),
    transitions={
        ("open", "close"): "closed",
        ("closed", "open"): "open",
        ("closed", "lock"): "locked",
        ("locked", "unlock"): "closed",
    },
    labels={("closed", "lock"): "L1"},
)

# A light: events are the reported states (a status machine).
LIGHT_TABLE = {("off", "on"): "X2", ("on", "off"): "Y1", ("on", "dim"): "Y3", ("dim", "off"): "Z1"}
LIGHT = status_spec("light", LIGHT_TABLE, ("off", "on", "dim"))


@pytest.mark.parametrize(("state", "event"), list(itertools.product(DOOR.states, DOOR.events)))
def test_event_machine_every_pair_strict(state: str, event: str) -> None:
    machine = Machine(DOOR, state)
    expected = DOOR.transitions.get((state, event))
    if expected is None:
        with pytest.raises(TransitionError) as info:
            machine.apply(event)
        assert machine.state == state
        assert (info.value.machine, info.value.state, info.value.event) == ("door", state, event)
        assert "door" in str(info.value) and repr(event) in str(info.value)
    else:
        step = machine.step(event)
        assert machine.state == expected == step.target
        assert step.label == DOOR.labels.get((state, event), "")
        assert step.finding is None and step.allowed


@pytest.mark.parametrize(("state", "event"), list(itertools.product(DOOR.states, DOOR.events)))
def test_event_machine_every_pair_lenient(state: str, event: str) -> None:
    machine = Machine(DOOR, state, policy="lenient")
    expected = DOOR.transitions.get((state, event))
    step = machine.step(event, ref=7)
    if expected is None:
        # Without a fallback a lenient event machine stays put and says so.
        assert machine.state == state
        assert step.finding is not None and step.finding.severity is Severity.WARNING
        assert step.finding.code == "door.transition" and step.finding.ref == 7
    else:
        assert machine.state == expected and step.finding is None


@pytest.mark.parametrize(("state", "event"), list(itertools.product(LIGHT.states, LIGHT.events)))
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_status_machine_every_pair(state: str, event: str, policy: str) -> None:
    machine = Machine(LIGHT, state, policy=policy)  # type: ignore[arg-type]
    if (state, event) in LIGHT_TABLE:
        step = machine.step(event)
        assert (step.target, step.label, step.finding) == (event, LIGHT_TABLE[state, event], None)
    elif policy == "strict":
        with pytest.raises(TransitionError):
            machine.step(event)
        assert machine.state == state
    else:
        step = machine.step(event)
        # Lenient status machines follow the reported state.
        assert machine.state == event
        assert step.finding is not None and step.finding.severity is Severity.WARNING


def test_unknown_start_takes_first_status_and_event_machine_refuses() -> None:
    light = Machine(LIGHT)
    assert light.state is None
    step = light.step("dim")
    assert (step.source, step.target, step.label) == (None, "dim", "")
    with pytest.raises(TransitionError):
        Machine(DOOR).step("open")
    lenient = Machine(DOOR, policy="lenient")
    step = lenient.step("open")
    assert lenient.state is None and step.finding is not None and step.finding.severity is Severity.ERROR


@given(
    st.one_of(
        st.text(),
        st.integers(),
        st.none(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.integers()),
    )
)
def test_hostile_events_raise_only_transition_error(event: object) -> None:
    for state in (None, "on"):
        strict = Machine(LIGHT, state)
        try:
            strict.step(event)  # type: ignore[arg-type]
        except TransitionError:
            assert strict.state == state
        else:
            assert state is None and event in LIGHT.states
        lenient = Machine(LIGHT, state, policy="lenient")
        step = lenient.step(event)  # type: ignore[arg-type]
        if event not in LIGHT.states:
            assert lenient.state == state
            assert step.finding is not None and step.finding.severity is Severity.ERROR


@given(st.lists(st.sampled_from(LIGHT.states), max_size=30))
def test_lenient_status_machine_always_ends_in_last_reported(reports: list[str]) -> None:
    machine = Machine(LIGHT, "off", policy="lenient")
    refused = 0
    previous = "off"
    for report in reports:
        step = machine.step(report)
        refused += step.finding is not None
        assert step.finding is None or (previous, report) not in LIGHT_TABLE
        previous = report
    assert machine.state == (reports[-1] if reports else "off")


def test_spec_rejects_edges_outside_alphabet_and_bad_policy() -> None:
    with pytest.raises(ValueError):
        Spec("bad", ("a",), ("x",), {("a", "x"): "b"})
    with pytest.raises(ValueError):
        Spec("bad", ("a",), ("x",), {("a", "x"): "a"}, labels={("a", "y"): "L"})
    with pytest.raises(ValueError):
        Machine(LIGHT, policy="loose")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Machine(LIGHT, "purple")


def test_edges_and_mermaid_come_from_the_table() -> None:
    listed = {(e.source, e.event, e.target, e.label) for e in edges(DOOR)}
    assert listed == {(s, ev, t, DOOR.labels.get((s, ev), "")) for (s, ev), t in DOOR.transitions.items()}
    text = mermaid(LIGHT, initial=("off",))
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> off" in lines
    arrows = [line.strip() for line in lines if "-->" in line and "[*]" not in line]
    assert sorted(arrows) == sorted(f"{a} --> {b} : {code}" for (a, b), code in LIGHT_TABLE.items())
    door = mermaid(DOOR)
    assert "closed --> locked : lock L1" in door and "open --> closed : close" in door


def test_mermaid_quotes_state_names_that_are_not_words() -> None:
    spec = status_spec("odd", {("in use", "free"): "K"}, ("in use", "free"))
    text = mermaid(spec)
    assert 'state "in use" as in_use' in text and "in_use --> free : K" in text


def test_diagram_page_draws_every_table(capsys: pytest.CaptureFixture[str]) -> None:
    from tools import diagrams

    assert diagrams.main() == 0
    page = capsys.readouterr().out
    specs = list(diagrams.machines())
    assert page.count("```mermaid") == len(specs) == 9
    expected = sum(
        len(initial) + sum(1 for e in edges(spec) if not (spec.reports_state and e.source == e.target))
        for _, spec, initial in specs
    )
    assert page.count("-->") == expected
    assert (
        "    Available --> Preparing : A2" in page
        and "    REQUESTED --> AWAITING_RESULT : response.accepted" in page
    )
