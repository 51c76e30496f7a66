"""Watchers: the conversation fold hands them completed exchanges of the actions they name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ocpkit.errors import UnsupportedError
from ocpkit.findings import Finding, Severity
from ocpkit.ocpp.conversation import Conversation
from ocpkit.ocpp.rpc import parse_frame
from ocpkit.ocpp.watch import Exchange, load_factories

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Recorder:
    """Keeps what it sees; says one finding per exchange and one at the end."""

    actions = frozenset({"Authorize", "RemoteStartTransaction", "Heartbeat"})

    def __init__(self, version: str, charge_point: str | None) -> None:
        self.version = version
        self.charge_point = charge_point
        self.seen: list[Exchange] = []

    def exchange(self, exchange: Exchange) -> list[Finding]:
        self.seen.append(exchange)
        return [Finding(Severity.INFO, "test.seen", exchange.outcome, exchange.action, exchange.ref)]

    def finish(self) -> list[Finding]:
        return [Finding(Severity.INFO, "test.finish", f"{len(self.seen)} seen", "end")]


made: list[Recorder] = []


def recorder(version: str, charge_point: str | None) -> Recorder | None:
    if charge_point == "skip-me":
        return None
    made.append(Recorder(version, charge_point))
    return made[-1]


def feed(conv: Conversation, raw: str, direction: str, cp: str = "CP1", at: int = 0) -> list[Finding]:
    frame = parse_frame(raw, version="1.6")
    return conv.feed(frame, direction=direction, charge_point=cp, timestamp=T0 + timedelta(seconds=at))


def test_result_error_and_unanswered_reach_the_watcher() -> None:
    made.clear()
    conv = Conversation("1.6", watchers=[recorder])
    feed(conv, '[2,"a1","Authorize",{"idTag":"T1"}]', "cp->csms", at=1)
    found = feed(conv, '[3,"a1",{"idTagInfo":{"status":"Accepted"}}]', "csms->cp", at=2)
    assert [(f.code, f.subject, f.ref) for f in found if f.code == "test.seen"] == [
        ("test.seen", "CP1: Authorize", 0)
    ]
    feed(conv, '[2,"r1","RemoteStartTransaction",{"idTag":"T1"}]', "csms->cp", at=3)
    feed(conv, '[4,"r1","InternalError","",{}]', "cp->csms", at=4)
    feed(
        conv,
        '[2,"s1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}]',
        "cp->csms",
        at=5,
    )
    feed(conv, '[3,"s1",{}]', "csms->cp", at=6)
    feed(conv, '[2,"h1","Heartbeat",{}]', "cp->csms", at=7)
    end = conv.finish()
    (watcher,) = made
    assert watcher.version == "1.6" and watcher.charge_point == "CP1"
    outcomes = [(e.action, e.outcome) for e in watcher.seen]
    # StatusNotification is not among the watcher's actions: it never sees it
    assert outcomes == [
        ("Authorize", "result"),
        ("RemoteStartTransaction", "error"),
        ("Heartbeat", "unanswered"),
    ]
    auth, remote, beat = watcher.seen
    assert auth.request == {"idTag": "T1"} and auth.response == {"idTagInfo": {"status": "Accepted"}}
    assert auth.sender == "cp" and auth.at == T0 + timedelta(seconds=1)
    assert auth.answered_at == T0 + timedelta(seconds=2) and auth.answer_ref == 1
    assert remote.error_code == "InternalError" and remote.response is None and remote.sender == "csms"
    assert beat.response is None and not beat.accepted
    assert [f.subject for f in end if f.code == "test.finish"] == ["CP1: end"]


def test_one_watcher_per_charge_point_and_none_when_the_factory_declines() -> None:
    made.clear()
    conv = Conversation("1.6", watchers=[recorder])
    feed(conv, '[2,"h1","Heartbeat",{}]', "cp->csms", cp="A")
    feed(conv, '[2,"h1","Heartbeat",{}]', "cp->csms", cp="B")
    feed(conv, '[2,"h1","Heartbeat",{}]', "cp->csms", cp="skip-me")
    feed(conv, '[3,"h1",{"currentTime":"2026-01-01T12:00:00Z"}]', "csms->cp", cp="A")
    conv.finish()
    assert [w.charge_point for w in made] == ["A", "B"]
    assert [e.outcome for e in made[0].seen] == ["result"]
    assert [e.outcome for e in made[1].seen] == ["unanswered"]


def test_no_watchers_when_asked_for_none() -> None:
    made.clear()
    conv = Conversation("1.6", watchers=())
    feed(conv, '[2,"h1","Heartbeat",{}]', "cp->csms")
    assert not any(f.code.startswith("test.") for f in conv.finish())
    assert made == []


def test_watcher_paths_load_and_bad_ones_are_refused() -> None:
    (factory,) = load_factories(["tests.ocpp.test_watch:recorder"])
    assert factory is recorder
    for bad in ("no-colon", "tests.ocpp.test_watch:absent", "no.such.module:x"):
        with pytest.raises(UnsupportedError):
            load_factories([bad])
    with pytest.raises(UnsupportedError):
        load_factories([42])  # type: ignore[list-item]


def test_accepted_reads_the_status() -> None:
    ex = Exchange("2.0.1", None, "SetChargingProfile", "1", "csms", {}, "result", {"status": "Accepted"})
    assert ex.accepted
    assert not Exchange(
        "2.0.1", None, "SetChargingProfile", "1", "csms", {}, "result", {"status": "Rejected"}
    ).accepted


def test_a_send_reaches_the_watcher_at_once() -> None:
    seen: list[Exchange] = []

    class Sends:
        actions = frozenset({"NotifyPeriodicEventStream"})

        def exchange(self, exchange: Exchange) -> list[Finding]:
            seen.append(exchange)
            return []

        def finish(self) -> list[Finding]:
            return []

    conv = Conversation("2.1", watchers=[lambda version, cp: Sends()])
    payload = '{"id":1,"pending":0,"basetime":"2026-01-01T12:00:00Z","data":[{"t":0,"v":"1"}]}'
    conv.feed(
        parse_frame(f'[6,"x1","NotifyPeriodicEventStream",{payload}]', version="2.1"), charge_point="CP"
    )
    assert [(e.action, e.outcome, e.sender) for e in seen] == [("NotifyPeriodicEventStream", "send", "cp")]
