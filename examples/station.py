"""A charging station on websockets: boots, charges once, then answers its CSMS (OCPP 1.6 / 2.0.1 / 2.1)."""

import asyncio
import datetime as dt
import uuid

from websockets.asyncio.client import connect

from ocpkit.ocpp import security
from ocpkit.ocpp.endpoint import CallReceived, Endpoint, ProtocolViolation

IDENTITY, PASSWORD = "CS-2", "a-fine-long-password"  # 1.6: PASSWORD is the AuthorizationKey (hex)
ACCEPT = ("RemoteStartTransaction", "RequestStartTransaction", "ClearCache")  # CSMS calls we accept
BOOT = {"reason": "PowerUp", "chargingStation": {"vendorName": "V", "model": "M"}}
BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}
TAG, TOKEN = {"idTag": "TAG-1"}, {"idToken": {"idToken": "TAG-1", "type": "ISO14443"}}
STEPS = (("Started", "Authorized"), ("Updated", "MeterValuePeriodic"), ("Ended", "StopAuthorized"))


def now() -> str:  # the station's clock; ocpkit reads none
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


async def dispatch(ws, ep: Endpoint, text: str) -> list:  # answer the CSMS's CALLs, return the events
    events = ep.receive(text)
    for event in events:
        reply = event.reply if isinstance(event, ProtocolViolation) else None
        if isinstance(event, CallReceived):
            ok = event.action in ACCEPT
            reply = (
                ep.result(event, {"status": "Accepted"})
                if ok
                else ep.error(event, "NotSupported", event.action)
            )
        if reply is not None:
            await ws.send(reply)
    return events


async def exchange(ws, ep: Endpoint, action: str, payload: dict, timeout: float = 10):
    message_id, text = ep.call(action, payload)
    await ws.send(text)
    while True:  # until the answer to this CALL (or a violation settling it) comes back
        for event in await dispatch(ws, ep, await asyncio.wait_for(ws.recv(), timeout)):
            if getattr(event, "call", None) is not None and event.call.message_id == message_id:
                return event


async def charge(ws, ep: Endpoint) -> list:  # boot, heartbeat, authorize, one metered transaction
    ask = lambda action, payload: exchange(ws, ep, action, payload)  # noqa: E731
    out = [await ask("BootNotification", BOOT16 if (v16 := ep.version == "1.6") else BOOT)]
    out += [await ask("Heartbeat", {}), await ask("Authorize", TAG if v16 else TOKEN)]
    if not v16:
        for seq, (kind, trigger) in enumerate(STEPS):
            tx = {"eventType": kind, "timestamp": now(), "triggerReason": trigger, "seqNo": seq}
            tx |= {"transactionInfo": {"transactionId": "T-1"}, **(TOKEN if seq == 0 else {})}
            tx["meterValue"] = [{"timestamp": now(), "sampledValue": [{"value": 450 * seq}]}]
            out.append(await ask("TransactionEvent", tx))
        return out
    out.append(await ask("StartTransaction", {"connectorId": 1, "meterStart": 0, "timestamp": now(), **TAG}))
    tid, meter = out[-1].data["transactionId"], [{"timestamp": now(), "sampledValue": [{"value": "450"}]}]
    out.append(await ask("MeterValues", {"connectorId": 1, "transactionId": tid, "meterValue": meter}))
    return [*out, await ask("StopTransaction", {"transactionId": tid, "meterStop": 900, "timestamp": now()})]


async def run(url: str, versions=("2.1", "2.0.1", "1.6"), identity=IDENTITY, password=PASSWORD) -> list:
    # One password form in the header: that of the first version offered (1.6: the key's bytes).
    auth = security.basic_auth_header(identity, security.header_password(versions[0], password))
    offered, target = security.offer_subprotocols(versions), security.connection_url(url, identity)
    async with connect(target, subprotocols=offered, additional_headers={"Authorization": auth}) as ws:
        ep = Endpoint("station", ws.subprotocol, ids=lambda: str(uuid.uuid4()))
        answers = await charge(ws, ep)
        async for text in ws:  # charged once; now serve the CSMS until it closes the connection
            await dispatch(ws, ep, text)
    return answers


if __name__ == "__main__":
    print(asyncio.run(run("ws://127.0.0.1:9000/ocpp", versions=("2.0.1",))))
