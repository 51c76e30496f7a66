"""Connector machines: the 1.6 table against the spec table in STATE_MACHINES.md, every pair, error codes, 2.x."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpkit._fsm import Machine, edges, mermaid
from ocpkit.errors import TransitionError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp.connector import (
    V2_STATUSES,
    V2_TRANSITIONS,
    V16_CONNECTOR0_TRANSITIONS,
    V16_STATUSES,
    V16_TRANSITIONS,
    Connectors2,
    Connectors16,
    v2_spec,
    v2_status,
    v16_connector0_spec,
    v16_spec,
    v16_to_v2_status,
)
from ocpkit.ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus
from ocpkit.ocpp.v201.enums import ConnectorStatusEnumType

PAIRS_16 = list(itertools.product(V16_STATUSES, V16_STATUSES))


def parse_markdown_table(text: str) -> dict[tuple[str, str], str | None]:
    """Read the §4.9 matrix from the notes: (from, to) -> code, None for '–', '' for the diagonal."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| from \\ to |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")][1:]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[start + 2 : start + 11]]
    names = [row[0].split(" ", 1)[1] for row in rows]
    numbers = [int(col.split(" ", 1)[0]) for col in header]
    table: dict[tuple[str, str], str | None] = {}
    for row, source in zip(rows, names, strict=True):
        for number, cell in zip(numbers, row[1:], strict=True):
            target = names[number - 1]
            table[source, target] = "" if cell == "·" else (None if cell in {"–", "-"} else cell)
    return table


@pytest.fixture(scope="module")
def spec_table(shared: Path) -> dict[tuple[str, str], str | None]:
    table = parse_markdown_table((shared / "specs/ocpp/STATE_MACHINES.md").read_text(encoding="utf-8"))
    assert len(table) == 81
    return table


def test_status_alphabets_are_the_generated_enums() -> None:
    assert set(V16_STATUSES) == set(ChargePointStatus) and len(V16_STATUSES) == 9
    assert set(V2_STATUSES) == set(ConnectorStatusEnumType) and len(V2_STATUSES) == 5
    assert all(type(a) is ChargePointStatus and type(b) is ChargePointStatus for a, b in V16_TRANSITIONS)


def test_markdown_table_equals_ours(spec_table: dict[tuple[str, str], str | None]) -> None:
    assert set(spec_table) == set(PAIRS_16)
    ours = {pair: V16_TRANSITIONS.get(pair) for pair in PAIRS_16 if pair[0] != pair[1]}
    theirs = {pair: code for pair, code in spec_table.items() if pair[0] != pair[1]}
    assert ours == theirs
    assert all(spec_table[s, s] == "" for s in V16_STATUSES)


@pytest.mark.parametrize(("source", "target"), PAIRS_16)
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_every_16_pair_against_the_spec_text(
    source: str, target: str, policy: str, spec_table: dict[tuple[str, str], str | None]
) -> None:
    code = spec_table[source, target]
    connectors = Connectors16(policy=policy)  # type: ignore[arg-type]
    setup = connectors.status_notification(1, source, "OtherError" if source == "Faulted" else "NoError")
    assert [f.code for f in setup] == (["connector.faulted"] if source == "Faulted" else [])
    machine = connectors.machine(1)
    if code is not None:
        step = machine.step(target)
        assert (step.target, step.label, step.finding) == (target, code, None)
        assert connectors.state(1) == target
    elif policy == "strict":
        with pytest.raises(TransitionError) as info:
            connectors.status_notification(1, target, ref="msg-9")
        assert (info.value.machine, info.value.state, info.value.event) == ("connector16", source, target)
        assert connectors.state(1) == source
    else:
        findings = connectors.status_notification(1, target, ref="msg-9")
        assert [(f.severity, f.code, f.ref) for f in findings if f.code.endswith(".transition")] == [
            (Severity.WARNING, "connector16.transition", "msg-9")
        ]
        assert connectors.state(1) == target


@pytest.mark.parametrize(("source", "target"), PAIRS_16)
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_every_connector0_pair(source: str, target: str, policy: str) -> None:
    allowed0 = {"Available", "Unavailable", "Faulted"}
    connectors = Connectors16(policy=policy)  # type: ignore[arg-type]
    error_code = "OtherError" if source == "Faulted" else "NoError"
    if source not in allowed0:
        if policy == "strict":
            with pytest.raises(TransitionError):
                connectors.status_notification(0, source, error_code)
        else:
            assert codes_of(connectors.status_notification(0, source, error_code)) == [
                "connector.connector0-status"
            ]
        assert connectors.state(0) is None
        return
    connectors.status_notification(0, source, error_code)
    if target not in allowed0:
        if policy == "strict":
            with pytest.raises(TransitionError) as info:
                connectors.status_notification(0, target)
            assert (info.value.machine, info.value.state) == ("connector16.0", source)
        else:
            assert codes_of(connectors.status_notification(0, target)) == ["connector.connector0-status"]
        assert connectors.state(0) == source
        return
    # Every move between the three connector-0 statuses is allowed, with the main table's code.
    found = connectors.status_notification(0, target, "OtherError")
    assert connectors.state(0) == target
    assert "connector16.0.transition" not in codes_of(found)
    if source != target:
        assert V16_CONNECTOR0_TRANSITIONS[source, target] == V16_TRANSITIONS[source, target]  # type: ignore[index]


def codes_of(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_connector0_table_is_the_main_table_restricted() -> None:
    three = ("Available", "Unavailable", "Faulted")
    assert dict(V16_CONNECTOR0_TRANSITIONS) == {
        (a, b): code for (a, b), code in V16_TRANSITIONS.items() if a in three and b in three
    }


ERROR_CODES_16 = list(ChargePointErrorCode)


@pytest.mark.parametrize(("status", "error_code"), list(itertools.product(V16_STATUSES, ERROR_CODES_16)))
def test_error_code_rules(status: str, error_code: str) -> None:
    connectors = Connectors16()
    codes = {f.code: f.severity for f in connectors.status_notification(2, status, error_code)}
    ev_ok = status in {"Preparing", "SuspendedEV", "SuspendedEVSE", "Finishing"}
    if error_code == "EVCommunicationError" and not ev_ok:
        assert codes.pop("connector.ev-communication-error-status") is Severity.ERROR
    if status == "Faulted":
        expected = "connector.fault-without-code" if error_code == "NoError" else "connector.faulted"
        assert codes == {expected: Severity.WARNING}
    elif error_code == "NoError":
        assert codes == {}
    else:
        assert codes == {"connector.error-warning": Severity.WARNING}


@given(
    connector_id=st.one_of(st.integers(-3, 3), st.booleans(), st.text(max_size=3), st.none(), st.floats()),
    status=st.one_of(st.sampled_from(V16_STATUSES), st.text(max_size=12), st.none(), st.integers()),
    error_code=st.one_of(st.sampled_from(ERROR_CODES_16), st.text(max_size=5), st.none()),
)
def test_hostile_status_notifications_give_findings_not_crashes(
    connector_id: object, status: object, error_code: object
) -> None:
    connectors = Connectors16(policy="lenient")
    connectors.status_notification(1, "Charging")
    findings = connectors.status_notification(connector_id, status, error_code)
    assert all(f.severity in Severity for f in findings)
    good_id = isinstance(connector_id, int) and not isinstance(connector_id, bool) and connector_id >= 0
    if not good_id:
        assert [f.code for f in findings] == ["connector.id"]
    elif status not in V16_STATUSES:
        assert [f.code for f in findings] == ["connector.status"]


def test_typical_session_path_has_the_spec_codes() -> None:
    connectors = Connectors16(policy="strict")
    path = ["Available", "Preparing", "Charging", "SuspendedEV", "Charging", "Finishing", "Available"]
    labels = [connectors.machine(1).step(status).label for status in path]
    assert labels == ["", "A2", "B3", "C4", "D3", "C6", "F1"]


def test_repeated_status_is_no_move() -> None:
    for status in V16_STATUSES:
        connectors = Connectors16(policy="strict")
        error_code = "OtherError" if status == "Faulted" else "NoError"
        first = connectors.status_notification(1, status, error_code)
        again = connectors.status_notification(1, status, error_code)
        assert first == again  # the same error-code findings, and no transition finding or error
        step = connectors.machine(1).step(status)
        assert step.finding is None and step.label == "" and connectors.state(1) == status


def test_specs_and_diagram_cover_the_tables() -> None:
    assert {(e.source, e.target): e.label for e in edges(v16_spec()) if e.source != e.target} == dict(
        V16_TRANSITIONS
    )
    assert {(e.source, e.target) for e in edges(v16_connector0_spec()) if e.source != e.target} == set(
        V16_CONNECTOR0_TRANSITIONS
    )
    text = mermaid(v16_spec())
    for (a, b), code in V16_TRANSITIONS.items():
        assert f"    {a} --> {b} : {code}\n" in text


# --- OCPP 2.0.1 / 2.1 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), list(itertools.product(V2_STATUSES, V2_STATUSES)))
def test_every_v2_pair(source: str, target: str) -> None:
    connectors = Connectors2(policy="strict")
    connectors.status_notification(1, 1, source)
    findings = connectors.status_notification(1, 1, target, ref=3)
    assert connectors.state(1, 1) == target
    assert [f.code for f in findings] == (["connector.faulted"] if target == "Faulted" else [])
    label = Machine(v2_spec(), source).step(target).label
    assert label == V2_TRANSITIONS.get((source, target), "")
    # Each move is explained by a single flag change of the projection.
    if source != target:
        assert label in {
            "PlugIn", "PlugOut", "Reserve", "ReservationCleared", "Unavailable", "UnavailableCleared",
            "Error", "ErrorCleared",
        }  # fmt: skip


FLAGS = list(itertools.product([False, True], repeat=4))


@pytest.mark.parametrize(("faulted", "unavailable", "occupied", "reserved"), FLAGS)
def test_v2_projection_precedence(faulted: bool, unavailable: bool, occupied: bool, reserved: bool) -> None:
    status = v2_status(faulted=faulted, unavailable=unavailable, occupied=occupied, reserved=reserved)
    if faulted:
        assert status == "Faulted"
    elif unavailable:
        assert status == "Unavailable"
    elif occupied:
        assert status == "Occupied"
    elif reserved:
        assert status == "Reserved"
    else:
        assert status == "Available"


@pytest.mark.parametrize(("faulted", "unavailable", "occupied", "reserved"), FLAGS)
def test_v2_inoperative_evse_or_station_wins_over_everything(
    faulted: bool, unavailable: bool, occupied: bool, reserved: bool
) -> None:
    flags = {"faulted": faulted, "unavailable": unavailable, "occupied": occupied, "reserved": reserved}
    assert v2_status(**flags, inoperative=True) == "Unavailable"


def test_v2_table_label_matches_projection() -> None:
    # For every pair, some single flag change named by the label turns a flag set projecting to `source`
    # into one projecting to `target`.
    names = ("faulted", "unavailable", "occupied", "reserved")
    flag_of = {"Error": "faulted", "Unavailable": "unavailable", "PlugIn": "occupied", "Reserve": "reserved"}
    flag_of |= {"ErrorCleared": "faulted", "UnavailableCleared": "unavailable", "PlugOut": "occupied"}
    flag_of |= {"ReservationCleared": "reserved"}
    for (source, target), label in V2_TRANSITIONS.items():
        flag = flag_of[label]
        ok = False
        for values in FLAGS:
            before = dict(zip(names, values, strict=True))
            after = dict(before, **{flag: not before[flag]})
            if v2_status(**before) == source and v2_status(**after) == target:
                ok = True
        assert ok, (source, target, label)


def test_v2_ids_and_status_values() -> None:
    connectors = Connectors2()
    assert [f.code for f in connectors.status_notification(0, 1, "Available")] == ["connector.id"]
    assert [f.code for f in connectors.status_notification(1, 0, "Available")] == ["connector.id"]
    assert [f.code for f in connectors.status_notification(True, 1, "Available")] == ["connector.id"]
    assert [f.code for f in connectors.status_notification(1, 1, "Charging")] == ["connector.status"]
    assert connectors.status_notification(2, 1, "Occupied") == []
    assert connectors.state(2, 1) == "Occupied" and connectors.state(1, 1) is None


@pytest.mark.parametrize("status", V16_STATUSES)
def test_v16_to_v2_mapping(status: str) -> None:
    in_use = {"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"}
    assert v16_to_v2_status(status) == ("Occupied" if status in in_use else status)
    assert v16_to_v2_status(status) in V2_STATUSES


def test_v16_to_v2_mapping_refuses_unknown() -> None:
    with pytest.raises(ValueError):
        v16_to_v2_status("Occupied")


def test_transition_error_names_the_connector() -> None:
    connectors = Connectors16(policy="strict")
    connectors.status_notification(2, "Available")
    with pytest.raises(TransitionError) as info:
        connectors.status_notification(2, "Finishing")
    assert info.value.subject == "connector 2"
    assert "connector 2" in str(info.value) and "'Finishing'" in str(info.value)
    connectors.status_notification(0, "Available")
    with pytest.raises(TransitionError) as info:
        connectors.status_notification(0, "Charging")
    assert info.value.subject == "connector 0" and "connector 0" in str(info.value)
    stations = Connectors2(policy="strict")
    assert stations.status_notification(1, 2, "Available") == []
    # The subject names EVSE and connector in 2.x (every move is allowed there, so ask the machine).
    assert stations.machines[(1, 2)].subject == "evse 1 connector 2"
