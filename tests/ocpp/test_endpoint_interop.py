"""Interoperability on 127.0.0.1: the examples against the ``ocpp`` package, and against each other.

Real WebSocket servers on ports the OS picks; every frame on the wire is recorded and judged by
check_frame; every await has a timeout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from ocpkit.ocpp import security
from ocpkit.ocpp.endpoint import ErrorReceived, ResultReceived
from ocpkit.ocpp.validation import check_frame

websockets = pytest.importorskip("websockets", reason="the interop tests need websockets (test extra)")
ocpp = pytest.importorskip("ocpp", reason="the interop tests need the ocpp package (test extra)")

from ocpp.exceptions import OCPPError  # noqa: E402
from ocpp.routing import on  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from websockets.asyncio.server import serve  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import csms as example_csms  # noqa: E402
import station as example_station  # noqa: E402

TIMEOUT = 10.0
KEY = example_csms.PASSWORDS["CP-1"]  # a 1.6 AuthorizationKey
TEXT_PASSWORD = example_csms.PASSWORDS["CS-2"]  # a 2.x BasicAuthPassword


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def run(coro: Awaitable[Any]) -> Any:
    async def bounded() -> Any:
        return await asyncio.wait_for(coro, 30)

    return asyncio.run(bounded())


class Recorder:
    """A websockets connection that keeps every text frame, with its direction, for judging."""

    def __init__(self, ws: Any, wire: list[tuple[str, str]]) -> None:
        self.ws, self.wire = ws, wire
        self.subprotocol, self.request = ws.subprotocol, getattr(ws, "request", None)

    async def send(self, text: str) -> None:
        self.wire.append(("out", text))
        await self.ws.send(text)

    async def recv(self) -> str:
        text = await self.ws.recv()
        self.wire.append(("in", text))
        return text

    def __aiter__(self) -> Recorder:
        return self

    async def __anext__(self) -> str:
        try:
            return await self.recv()
        except websockets.ConnectionClosed:
            raise StopAsyncIteration from None

    async def close(self, *args: Any) -> None:
        await self.ws.close(*args)


def judge(wire: list[tuple[str, str]], version: str, out_sender: str) -> list[tuple[str, Any]]:
    """check_frame on every frame, CALLRESULTs paired with their CALL; returns the refused ones."""
    peer = "CSMS" if out_sender == "ChargingStation" else "ChargingStation"
    actions: dict[tuple[str, str], str] = {}
    refused = []
    for direction, text in wire:
        msg = json.loads(text)
        sender = out_sender if direction == "out" else peer
        if msg[0] == 2:
            actions[(sender, msg[1])] = msg[2]
        answered = peer if direction == "out" else out_sender
        report = check_frame(
            text,
            version,
            action=actions.get((answered, msg[1])) if msg[0] == 3 else None,
            sender=sender,
        )
        if not report.ok:
            refused.append((text, report.violations))
    assert len(wire) >= 10
    return refused


async def wait_for(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), TIMEOUT)


@pytest.fixture(autouse=True)
def fresh_example_state() -> None:
    example_csms.SESSIONS.clear()
    example_csms.ANSWERS = asyncio.Queue()


# -- the example CSMS and the ocpp package's ChargePoint --------------------------------------


def _client_class(version: str) -> type:
    if version == "1.6":
        from ocpp.v16 import ChargePoint
        from ocpp.v16 import call_result as results

        class Client16(ChargePoint):  # type: ignore[misc]
            @on("RemoteStartTransaction")
            def remote_start(self, id_tag: str, **_: Any) -> Any:
                return results.RemoteStartTransaction(status="Accepted")

        return Client16
    from ocpp.v201 import ChargePoint
    from ocpp.v201 import call_result as results201

    class Client201(ChargePoint):  # type: ignore[misc]
        @on("RequestStartTransaction")
        def request_start(self, id_token: dict, remote_start_id: int, **_: Any) -> Any:
            return results201.RequestStartTransaction(status="Accepted")

    return Client201


async def _csms_against_ocpp_client(version: str) -> list[tuple[str, str]]:
    identity, configured = ("CP-1", KEY) if version == "1.6" else ("CS-2", TEXT_PASSWORD)
    wire: list[tuple[str, str]] = []
    async with example_csms.server(port=0) as server:
        port = server.sockets[0].getsockname()[1]
        url = security.connection_url(f"ws://127.0.0.1:{port}/ocpp", identity)
        auth = security.basic_auth_header(identity, security.header_password(version, configured))
        async with connect(
            url,
            subprotocols=security.offer_subprotocols([version]),
            additional_headers={"Authorization": auth},
            open_timeout=TIMEOUT,
        ) as ws:
            assert ws.subprotocol == security.subprotocol(version)
            client = _client_class(version)(identity, Recorder(ws, wire))
            reader = asyncio.create_task(client.start())
            try:
                await asyncio.wait_for(_client_flow(client, version, identity), TIMEOUT * 2)
            finally:
                reader.cancel()
    return wire


async def _client_flow(client: Any, version: str, identity: str) -> None:
    t = asyncio.wait_for
    if version == "1.6":
        from ocpp.v16 import call

        boot = await t(
            client.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V")), TIMEOUT
        )
        assert boot.status == "Accepted"
        assert (await t(client.call(call.Heartbeat()), TIMEOUT)).current_time
        assert (await t(client.call(call.Authorize(id_tag="TAG-1")), TIMEOUT)).id_tag_info[
            "status"
        ] == "Accepted"
        start = await t(
            client.call(
                call.StartTransaction(connector_id=1, id_tag="TAG-1", meter_start=0, timestamp=now())
            ),
            TIMEOUT,
        )
        meter = [
            {
                "timestamp": now(),
                "sampledValue": [{"value": "450", "measurand": "Energy.Active.Import.Register"}],
            }
        ]
        await t(
            client.call(
                call.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=meter)
            ),
            TIMEOUT,
        )
        await t(
            client.call(
                call.StopTransaction(meter_stop=900, timestamp=now(), transaction_id=start.transaction_id)
            ),
            TIMEOUT,
        )
        remote = ("RemoteStartTransaction", {"idTag": "TAG-1", "connectorId": 1})
        invalid = call.Authorize(id_tag="X" * 30)  # idTag is CiString20
        expected_code = "PropertyConstraintViolation"
    else:
        from ocpp.v201 import call

        station = {"model": "M", "vendor_name": "V"}
        boot = await t(
            client.call(call.BootNotification(charging_station=station, reason="PowerUp")), TIMEOUT
        )
        assert boot.status == "Accepted"
        assert (await t(client.call(call.Heartbeat()), TIMEOUT)).current_time
        token = {"id_token": "TAG-1", "type": "ISO14443"}
        assert (await t(client.call(call.Authorize(id_token=token)), TIMEOUT)).id_token_info[
            "status"
        ] == "Accepted"
        for seq, (kind, trigger) in enumerate(
            (("Started", "Authorized"), ("Updated", "MeterValuePeriodic"), ("Ended", "StopAuthorized"))
        ):
            meter = [{"timestamp": now(), "sampled_value": [{"value": 450.0 * seq}]}]
            event = call.TransactionEvent(
                event_type=kind,
                timestamp=now(),
                trigger_reason=trigger,
                seq_no=seq,
                transaction_info={"transaction_id": "T-1"},
                meter_value=meter,
                id_token=token if seq == 0 else None,
            )
            await t(client.call(event), TIMEOUT)
        remote = (
            "RequestStartTransaction",
            {"idToken": {"idToken": "TAG-1", "type": "Central"}, "remoteStartId": 7},
        )
        invalid = call.Authorize(id_token={"id_token": "X" * 40, "type": "ISO14443"})  # idToken is 36 at most
        expected_code = "PropertyConstraintViolation"
    # A remote start from the CSMS, answered by the ocpp package's handler.
    message_id = await example_csms.call(identity, *remote)
    who, answer = await t(example_csms.ANSWERS.get(), TIMEOUT)
    assert who == identity and isinstance(answer, ResultReceived) and answer.call.message_id == message_id
    assert answer.data["status"] == "Accepted"
    # A CALLERROR provoked by an invalid payload (the client skips its own schema check).
    with pytest.raises(OCPPError) as error:
        await t(client.call(invalid, skip_schema_validation=True, suppress=False), TIMEOUT)
    assert error.value.code == expected_code


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_example_csms_against_the_ocpp_charge_point(version: str) -> None:
    wire = run(_csms_against_ocpp_client(version))
    refused = judge(wire, version, out_sender="ChargingStation")
    # The only frame check_frame refuses is the one we sent invalid on purpose.
    assert len(refused) == 1 and json.loads(refused[0][0])[2] == "Authorize", refused
    answer = json.loads(next(text for d, text in wire if d == "in" and json.loads(text)[0] == 4))
    assert answer[2] == "PropertyConstraintViolation"


# -- the example station and the ocpp package's central system --------------------------------


def _central_class(version: str, done: asyncio.Event) -> type:
    if version == "1.6":
        from ocpp.v16 import ChargePoint
        from ocpp.v16 import call_result as r

        class Central16(ChargePoint):  # type: ignore[misc]
            @on("BootNotification")
            def on_boot(self, **_: Any) -> Any:
                return r.BootNotification(current_time=now(), interval=300, status="Accepted")

            @on("Heartbeat")
            def on_heartbeat(self) -> Any:
                return r.Heartbeat(current_time=now())

            @on("Authorize")
            def on_authorize(self, id_tag: str) -> Any:
                return r.Authorize(id_tag_info={"status": "Accepted"})

            @on("StartTransaction")
            def on_start(self, **_: Any) -> Any:
                return r.StartTransaction(transaction_id=42, id_tag_info={"status": "Accepted"})

            @on("MeterValues")
            def on_meter(self, **_: Any) -> Any:
                return r.MeterValues()

            @on("StopTransaction")
            def on_stop(self, **_: Any) -> Any:
                done.set()
                return r.StopTransaction()

        return Central16
    from ocpp.v201 import ChargePoint
    from ocpp.v201 import call_result as r2

    class Central201(ChargePoint):  # type: ignore[misc]
        @on("BootNotification")
        def on_boot(self, **_: Any) -> Any:
            return r2.BootNotification(current_time=now(), interval=300, status="Accepted")

        @on("Heartbeat")
        def on_heartbeat(self) -> Any:
            return r2.Heartbeat(current_time=now())

        @on("Authorize")
        def on_authorize(self, id_token: dict, **_: Any) -> Any:
            return r2.Authorize(id_token_info={"status": "Accepted"})

        @on("TransactionEvent")
        def on_transaction(self, event_type: str, **_: Any) -> Any:
            if event_type == "Ended":
                done.set()
            return r2.TransactionEvent()

    return Central201


async def _station_against_ocpp_central(version: str) -> tuple[list[tuple[str, str]], list[Any]]:
    identity, configured = ("CP-1", KEY) if version == "1.6" else ("CS-2", TEXT_PASSWORD)
    wire: list[tuple[str, str]] = []
    done, finished = asyncio.Event(), asyncio.Event()
    calls: list[Any] = []

    def check(ws: Any, request: Any) -> Any:
        verdict = security.verify_basic_auth(
            request.headers.get("Authorization"),
            identity=security.identity_from_path(request.path, base="/ocpp"),
            configured=configured,
            version=version,
        )
        return None if verdict else ws.respond(401, verdict.reason)

    async def handler(ws: Any) -> None:
        central = _central_class(version, done)(identity, Recorder(ws, wire))
        reader = asyncio.create_task(central.start())
        try:
            await asyncio.wait_for(done.wait(), TIMEOUT)
            if version == "1.6":
                from ocpp.v16 import call

                remote, invalid = (
                    call.RemoteStartTransaction(id_tag="TAG-1"),
                    call.RemoteStartTransaction(id_tag="X" * 30),
                )
            else:
                from ocpp.v201 import call

                token = {"id_token": "TAG-1", "type": "Central"}
                remote = call.RequestStartTransaction(id_token=token, remote_start_id=1)
                invalid = call.RequestStartTransaction(
                    id_token={"id_token": "X" * 40, "type": "Central"}, remote_start_id=2
                )
            calls.append(await asyncio.wait_for(central.call(remote), TIMEOUT))
            try:
                await asyncio.wait_for(
                    central.call(invalid, skip_schema_validation=True, suppress=False), TIMEOUT
                )
            except OCPPError as exc:
                calls.append(exc)
        finally:
            reader.cancel()
            finished.set()
            await ws.close()

    async with serve(
        handler, "127.0.0.1", 0, subprotocols=security.offer_subprotocols([version]), process_request=check
    ) as server:
        port = server.sockets[0].getsockname()[1]
        answers = await example_station.run(
            f"ws://127.0.0.1:{port}/ocpp", versions=(version,), identity=identity, password=configured
        )
        await asyncio.wait_for(finished.wait(), TIMEOUT)
    return wire, [answers, calls]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_example_station_against_the_ocpp_central_system(version: str) -> None:
    wire, (answers, calls) = run(_station_against_ocpp_central(version))
    assert len(answers) == 6 and all(isinstance(a, ResultReceived) for a in answers)
    assert calls[0].status == "Accepted"
    assert isinstance(calls[1], OCPPError) and calls[1].code == "PropertyConstraintViolation"
    refused = judge(wire, version, out_sender="CSMS")
    assert len(refused) == 1 and "X" * 30 in refused[0][0], refused


# -- 2.1 between the two examples, and the handshake rules -------------------------------------


async def _examples_21() -> tuple[list[tuple[str, str]], list[Any], Any]:
    wire: list[tuple[str, str]] = []
    async with serve(
        lambda ws: example_csms.station(Recorder(ws, wire)),
        "127.0.0.1",
        0,
        select_subprotocol=lambda ws, offered: security.negotiate_subprotocol(offered, example_csms.VERSIONS),
        process_request=example_csms.check,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        station = asyncio.create_task(
            example_station.run(f"ws://127.0.0.1:{port}/ocpp", versions=("2.1", "2.0.1"))
        )
        await wait_for(lambda: "CS-2" in example_csms.SESSIONS and len(wire) >= 12)
        payload = {"idToken": {"idToken": "TAG-1", "type": "Central"}, "remoteStartId": 3}
        await example_csms.call("CS-2", "RequestStartTransaction", payload)
        _, remote = await asyncio.wait_for(example_csms.ANSWERS.get(), TIMEOUT)
        await example_csms.call("CS-2", "Reset", {"type": "Immediate"})  # the example does not do resets
        _, refused = await asyncio.wait_for(example_csms.ANSWERS.get(), TIMEOUT)
        await example_csms.SESSIONS["CS-2"][0].close()
        answers = await asyncio.wait_for(station, TIMEOUT)
    return wire, answers, (remote, refused)


def test_21_between_the_examples() -> None:
    wire, answers, (remote, refused) = run(_examples_21())
    assert len(answers) == 6 and all(isinstance(a, ResultReceived) for a in answers)
    assert isinstance(remote, ResultReceived) and remote.data == {"status": "Accepted"}
    assert isinstance(refused, ErrorReceived) and refused.code == "NotSupported"
    assert judge(wire, "2.1", out_sender="CSMS") == []
    assert {json.loads(text)[2] for d, text in wire if d == "in" and json.loads(text)[0] == 2} >= {
        "BootNotification",
        "Heartbeat",
        "Authorize",
        "TransactionEvent",
    }


async def _handshakes() -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with example_csms.server(port=0) as server:
        base = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ocpp"
        good = security.basic_auth_header("CS-2", TEXT_PASSWORD)
        for name, path, protocols, auth in (
            (
                "wrong password",
                "CS-2",
                ["ocpp2.0.1"],
                security.basic_auth_header("CS-2", "not-the-password-at-all"),
            ),
            ("no header", "CS-2", ["ocpp2.0.1"], None),
            ("unknown station", "CS-9", ["ocpp2.0.1"], good),
        ):
            headers = {"Authorization": auth} if auth else {}
            with pytest.raises(websockets.InvalidStatus) as info:
                await connect(
                    f"{base}/{path}", subprotocols=protocols, additional_headers=headers, open_timeout=TIMEOUT
                )
            out[name] = info.value.response.status_code
        # No shared version: the handshake completes without a subprotocol, then the CSMS closes.
        async with connect(
            f"{base}/CS-2", subprotocols=["ocpp1.5"], additional_headers={"Authorization": good}
        ) as ws:
            out["no common version"] = ws.subprotocol
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
            out["close code"] = closed.value.rcvd.code if closed.value.rcvd else None
    return out


def test_the_example_csms_checks_identity_password_and_version() -> None:
    out = run(_handshakes())
    assert out == {
        "wrong password": 401,
        "no header": 401,
        "unknown station": 404,
        "no common version": None,
        "close code": 1002,
    }
