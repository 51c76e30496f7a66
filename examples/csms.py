"""A CSMS on websockets at ws://127.0.0.1:9000/ocpp/<identity>: an ocpkit Endpoint per station."""

import asyncio
import datetime as dt
import uuid

from websockets.asyncio.server import serve

from ocpkit.errors import CredentialsInvalid
from ocpkit.ocpp import security
from ocpkit.ocpp.endpoint import CallReceived, Endpoint, ProtocolViolation

VERSIONS = ["2.1", "2.0.1", "1.6"]  # what this CSMS speaks; the station's preference wins
# identity -> configured password: a 1.6 AuthorizationKey (hex) or a 2.x BasicAuthPassword (text)
PASSWORDS = {"CP-1": "0123456789ABCDEF0123456789ABCDEF01234567", "CS-2": "a-fine-long-password"}
SESSIONS: dict = {}  # identity -> (connection, endpoint)
ANSWERS: asyncio.Queue = asyncio.Queue()  # (identity, event): the answers to our CALLs
NO_DATA = ("StopTransaction", "TransactionEvent", "MeterValues", "StatusNotification")
HANDLERS = {  # action -> (version, request payload) -> response payload
    "BootNotification": lambda v, p: {"status": "Accepted", "interval": 300},
    "Heartbeat": lambda v, p: {},
    "Authorize": lambda v, p: {("idTagInfo" if v == "1.6" else "idTokenInfo"): {"status": "Accepted"}},
    "StartTransaction": lambda v, p: {"transactionId": 1, "idTagInfo": {"status": "Accepted"}},
    **dict.fromkeys(NO_DATA, lambda v, p: {}),
}


def check(ws, request):  # the identity in the URL and Basic auth, before the upgrade
    version = security.negotiate_subprotocol(request.headers.get_all("Sec-WebSocket-Protocol"), VERSIONS)
    try:
        identity = security.identity_from_path(request.path, base="/ocpp")
    except CredentialsInvalid:
        identity = None
    if version is None or identity not in PASSWORDS:  # no shared version: handled in station()
        return ws.respond(404, "unknown charging station\n") if version else None
    auth = request.headers.get("Authorization")
    ok = security.verify_basic_auth(auth, identity=identity, configured=PASSWORDS[identity], version=version)
    return None if ok else ws.respond(401, f"{ok.reason}\n")


async def station(ws):
    if ws.subprotocol is None:  # OCPP-J §3.2: finish the handshake without a protocol, then close
        return await ws.close(1002, "no common OCPP version")
    identity = security.identity_from_path(ws.request.path)
    SESSIONS[identity] = ws, (ep := Endpoint("csms", ws.subprotocol, ids=lambda: str(uuid.uuid4())))
    async for text in ws:
        for event in ep.receive(text):
            reply = event.reply if isinstance(event, ProtocolViolation) else None
            if isinstance(event, CallReceived) and event.action in HANDLERS:
                answer = HANDLERS[event.action](ep.version, event.data)
                if event.action in ("BootNotification", "Heartbeat"):
                    answer["currentTime"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                reply = ep.result(event, answer)
            elif isinstance(event, CallReceived):
                reply = ep.error(event, "NotSupported", f"{event.action} is not handled here")
            elif getattr(event, "call", None) is not None:
                ANSWERS.put_nowait((identity, event))
            if reply is not None:
                await ws.send(reply)


async def call(identity: str, action: str, payload: dict) -> str:  # the answer lands on ANSWERS
    ws, ep = SESSIONS[identity]
    message_id, text = ep.call(action, payload)
    await ws.send(text)
    return message_id


def server(host: str = "127.0.0.1", port: int = 9000):
    pick = lambda ws, offered: security.negotiate_subprotocol(offered, VERSIONS)  # noqa: E731
    return serve(station, host, port, select_subprotocol=pick, process_request=check)


async def main() -> None:
    await (await server()).serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
