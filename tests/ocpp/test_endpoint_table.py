"""Every (state, input) pair of the endpoint's RPC table, and a Hypothesis state machine against a model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ocpkit._fsm import edges
from ocpkit.errors import EndpointError
from ocpkit.ocpp.endpoint import (
    LOCAL_INPUTS,
    RPC_SPEC,
    RPC_TRANSITIONS,
    CallReceived,
    CallTimedOut,
    Endpoint,
    ErrorReceived,
    ProtocolViolation,
    ResultReceived,
    RpcInput,
    RpcState,
    SendReceived,
)
from ocpkit.ocpp.validation import check_frame

NOW = "2026-03-01T10:00:00Z"
STREAM = {"id": 1, "pending": 0, "basetime": NOW, "data": [{"t": 0, "v": "230.1"}]}
# Per role: what the peer calls (and the response we give it), and what we call (and its response).
PEER_CALL = {
    "station": ("ClearCache", {}, {"status": "Accepted"}),
    "csms": ("Heartbeat", {}, {"currentTime": NOW}),
}
OUR_CALL = {
    "station": ("Heartbeat", {}, {"currentTime": NOW}),
    "csms": ("ClearCache", {}, {"status": "Accepted"}),
}


def snapshot(ep: Endpoint) -> tuple[Any, ...]:
    return (ep.state, ep.pending, dict(ep.owed), ep.registration, ep.granted)


def endpoint(role: str) -> Endpoint:
    return Endpoint(role, "2.1", registration="Accepted")


def drive(role: str, state: RpcState) -> Endpoint:
    """An endpoint brought into *state* by legal moves only."""
    ep = endpoint(role)
    peer_action = PEER_CALL[role][0]
    if state in (RpcState.AWAITING, RpcState.CROSSED):
        ep.call(OUR_CALL[role][0], OUR_CALL[role][1])
    if state in (RpcState.OWING, RpcState.CROSSED):
        (event,) = ep.receive(f'[2,"peer-1","{peer_action}",{{}}]')
        assert isinstance(event, CallReceived)
    assert ep.state is state
    return ep


def apply(ep: Endpoint, role: str, step: RpcInput) -> list[Any]:
    """Feed one input; returns the events (an empty list for local inputs that succeed)."""
    mid = ep.pending.message_id if ep.pending else "nobody"
    owed = next(iter(ep.owed), "nobody")
    if step is RpcInput.SEND_CALL:
        ep.call(OUR_CALL[role][0], OUR_CALL[role][1])
        return []
    if step is RpcInput.RECEIVE_RESULT:
        payload = OUR_CALL[role][2]
        key, value = next(iter(payload.items()))
        return ep.receive(f'[3,"{mid}",{{"{key}":"{value}"}}]')
    if step is RpcInput.RECEIVE_ERROR:
        return ep.receive(f'[4,"{mid}","InternalError","boom",{{}}]')
    if step is RpcInput.TIME_OUT:
        return ep.tick(0) + ep.tick(10_000)
    if step is RpcInput.RECEIVE_CALL:
        return ep.receive(f'[2,"peer-2","{PEER_CALL[role][0]}",{{}}]')
    if step is RpcInput.SEND_RESULT:
        ep.result(owed, PEER_CALL[role][2])
        return []
    if step is RpcInput.SEND_ERROR:
        ep.error(owed, "InternalError", "boom")
        return []
    if step is RpcInput.SEND_SEND:
        ep.send("NotifyPeriodicEventStream", STREAM)
        return []
    if step is RpcInput.RECEIVE_SEND:
        import json

        return ep.receive(json.dumps([6, "s-1", "NotifyPeriodicEventStream", STREAM]))
    raise AssertionError(step)


# A station never receives a SEND (2.1 defines only NotifyPeriodicEventStream, sent by the
# station) and a CSMS never sends one: those inputs do not exist for that role.
IMPOSSIBLE = {("station", RpcInput.RECEIVE_SEND), ("csms", RpcInput.SEND_SEND)}
PAIRS = [
    (role, state, step)
    for role in ("station", "csms")
    for state in RpcState
    for step in RpcInput
    if (role, step) not in IMPOSSIBLE
]


@pytest.mark.parametrize(("role", "state", "step"), PAIRS, ids=lambda x: str(x).replace(" ", "-"))
def test_every_state_and_input(role: str, state: RpcState, step: RpcInput) -> None:
    ep = drive(role, state)
    before = snapshot(ep)
    target = RPC_SPEC.target(state, step)
    if target is not None:
        events = apply(ep, role, step)
        assert ep.state is target, (state, step, events)
        expected = {
            RpcInput.RECEIVE_RESULT: ResultReceived,
            RpcInput.RECEIVE_ERROR: ErrorReceived,
            RpcInput.TIME_OUT: CallTimedOut,
            RpcInput.RECEIVE_CALL: CallReceived,
            RpcInput.RECEIVE_SEND: SendReceived,
        }.get(step)
        if expected is not None:
            assert [type(e) for e in events] == [expected]
        return
    if step in LOCAL_INPUTS:
        # The h11 rule: illegal use raises from the error tree and changes nothing.
        with pytest.raises(EndpointError) as info:
            apply(ep, role, step)
        assert info.value.rule in ("synchronicity", "not-owed")
        assert snapshot(ep) == before
        return
    events = apply(ep, role, step)
    assert snapshot(ep) == before
    if step is RpcInput.TIME_OUT:
        assert events == []  # nothing in flight, nothing to time out
        return
    (event,) = events
    assert isinstance(event, ProtocolViolation)
    if step is RpcInput.RECEIVE_CALL:
        # A second CALL before we answered the first: refused with a CALLERROR (strict).
        assert event.rule == "synchronicity" and event.reply is not None
        assert check_frame(event.reply, "2.1").ok
    else:
        # An answer to no CALL in flight is reported and never answered.
        assert event.rule == "unknown-id" and event.reply is None


def test_the_table_covers_the_documented_alphabet() -> None:
    assert {e.source for e in edges(RPC_SPEC)} == set(RpcState)
    assert len(RPC_TRANSITIONS) == 14 + 2 * len(RpcState)
    assert len(PAIRS) == 2 * len(RpcState) * len(RpcInput) - 2 * len(RpcState)


class EndpointModel(RuleBasedStateMachine):
    """Random sequences of legal and illegal moves against a two-fact model of the connection."""

    def __init__(self) -> None:
        super().__init__()
        self.ep = Endpoint("csms", "2.0.1", registration="Accepted", call_timeout=5)
        self.pending: str | None = None
        self.owed: list[str] = []
        self.now = 0.0
        self.counter = 0
        self.ep.tick(self.now)

    def expected_state(self) -> RpcState:
        if self.pending is None:
            return RpcState.OWING if self.owed else RpcState.IDLE
        return RpcState.CROSSED if self.owed else RpcState.AWAITING

    def guarded(self, action: Callable[[], object]) -> object:
        before = snapshot(self.ep)
        try:
            return action()
        except EndpointError:
            assert snapshot(self.ep) == before
            return None

    @rule()
    def call(self) -> None:
        step = RpcInput.SEND_CALL
        legal = RPC_SPEC.target(self.expected_state(), step) is not None
        out = self.guarded(lambda: self.ep.call("ClearCache", {}))
        assert (out is not None) == legal
        if legal:
            self.pending = out[0]  # type: ignore[index]

    @rule(right=st.booleans(), error=st.booleans())
    def answer(self, right: bool, error: bool) -> None:
        mid = self.pending if right and self.pending else "other"
        text = f'[4,"{mid}","InternalError","",{{}}]' if error else f'[3,"{mid}",{{"status":"Accepted"}}]'
        events = self.ep.receive(text)
        if right and self.pending:
            assert isinstance(events[0], ErrorReceived if error else ResultReceived)
            self.pending = None
        else:
            assert [e.rule for e in events] == ["unknown-id"]  # type: ignore[union-attr]

    @rule(dt=st.floats(min_value=0, max_value=8))
    def tick(self, dt: float) -> None:
        self.now += dt
        events = self.ep.tick(self.now)
        if events:
            assert isinstance(events[0], CallTimedOut) and events[0].call.message_id == self.pending
            self.pending = None

    @rule(valid=st.booleans())
    def peer_call(self, valid: bool) -> None:
        self.counter += 1
        mid = f"p{self.counter}"
        events = self.ep.receive(f'[2,"{mid}","Heartbeat",{{}}]' if valid else f'[2,"{mid}","Heartbeat",[]]')
        if valid and not self.owed:
            assert isinstance(events[0], CallReceived)
            self.owed.append(mid)
        else:
            assert isinstance(events[0], ProtocolViolation) and events[0].reply is not None

    @rule(error=st.booleans(), pick_owed=st.booleans())
    def answer_peer(self, error: bool, pick_owed: bool) -> None:
        mid = self.owed[0] if pick_owed and self.owed else "nobody"
        ok = mid in self.owed

        def go() -> str:
            if error:
                return self.ep.error(mid, "GenericError")
            return self.ep.result(mid, {"currentTime": NOW})

        out = self.guarded(go)
        assert (out is not None) == ok
        if ok:
            self.owed.remove(mid)

    @rule(junk=st.one_of(st.text(max_size=30), st.binary(max_size=30)))
    def garbage(self, junk: str | bytes) -> None:
        before = snapshot(self.ep)
        events = self.ep.receive(junk)
        assert all(not isinstance(e, CallReceived) for e in events) or snapshot(self.ep) != before
        for event in events:
            if isinstance(event, ProtocolViolation) and event.reply is not None:
                assert check_frame(event.reply, "2.0.1").ok

    @precondition(lambda self: True)
    @invariant()
    def state_matches_model(self) -> None:
        assert self.ep.state is self.expected_state()
        assert set(self.ep.owed) == set(self.owed)
        assert (self.ep.pending.message_id if self.ep.pending else None) == self.pending


EndpointModel.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestEndpointModel = EndpointModel.TestCase
