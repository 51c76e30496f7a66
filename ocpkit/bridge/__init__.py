"""OCPP transaction -> OCPI 2.2.1 / 2.3.0 Session and CDR.

Theory of operation
-------------------
Two steps, both pure:

1. :func:`read_transaction` folds the messages of one charge point (each a :class:`Message`:
   action name, request payload as a wire-name dict or typed model, optional receive time and
   response payload) into an :class:`OcppTransaction`: id, connector, start and stop time, token,
   meter readings (:mod:`ocpkit.energy`) and charging-state changes. OCPP 1.6 uses
   StartTransaction (its response carries the id), MeterValues of that id, StatusNotification of
   its connector, StopTransaction and RemoteStartTransaction. OCPP 2.0.1 / 2.1 uses the
   TransactionEvents of one ``transactionId`` (Started ... Ended) and RequestStartTransaction;
   its StatusNotification carries a connector status, not a charging state, so it is accepted
   and not used (``transactionInfo.chargingState`` says whether the EV draws power), and its
   MeterValues name no transaction, so they are skipped too. Other actions are skipped, so a
   whole log may be passed with ``transaction_id`` naming one transaction.

2. :func:`to_session` and :func:`to_cdr` add what OCPP does not know, from a
   :class:`BridgeConfig` (party, location, currency, tariff, ids), build the charging periods with
   :func:`ocpkit.energy.charging_periods`, price them with :func:`ocpkit.tariffs.price` when a
   tariff is given, and validate the result as the OCPI model of the requested version.

Step 1 lives in ``ocpkit.bridge._read``; its public names are re-exported here. Signed meter
values (OCMF) become the CDR's ``signed_data`` through :func:`signed_data`, and an incoming CDR's
``signed_data`` is checked against its ``total_energy`` by :func:`check_signed_data`
(``ocpkit.bridge._signed``). The transaction
records of :mod:`ocpkit.ocpp.transaction` keep counts, not the meter samples or
the charging-state history, so they cannot feed a CDR; the bridge reads the messages instead.

Rules chosen here (OCPP and OCPI leave them open):

* **Status**: a Session is ``ACTIVE`` until the stop (1.6 StopTransaction, 2.x Ended) and
  ``COMPLETED`` after it; a CDR needs the stop. "Now" (``last_updated``, the end of a running
  Session's periods) is a parameter.
* **Times** are cut to whole milliseconds (floor) before periods are built: an OCPI DateTime has
  at most 25 characters, so the wire times and the period volumes agree exactly.
* **Token**: 1.6 ``idTag`` -> ``RFID``; 2.x ``idToken.type`` by :data:`TOKEN_TYPES`.
  ``contract_id`` is the token uid unless the caller's rule says otherwise; the token's party is
  the caller's own unless given.
* **Auth method**: the caller's value; else ``COMMAND`` for a remotely started transaction and
  ``AUTH_REQUEST`` otherwise (OCPP cannot tell a whitelist from a real-time authorisation).
* **Energy**: ``ENERGY`` per period from the register samples; without any register sample the
  transaction counts 0 kWh (check :attr:`OcppTransaction.energy` to tell unknown from zero).
* **No tariff**: the CDR's ``total_cost`` is 0 in the configured currency.
* **Missing ends** (a log that starts or ends mid-session): refused unless
  :func:`read_transaction` is asked to estimate them (``estimate_start`` / ``estimate_end``); an
  estimated end is the first / last register meter value of the transaction, named in
  :attr:`OcppTransaction.start_estimated` / ``end_estimated``, and the Session's and CDR's start /
  end and periods run from it. The energy is then what the meter counted between those readings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel

from ocpkit import energy
from ocpkit.bridge._read import (
    IDTAG,
    ConnectorKey,
    Message,
    OcppTransaction,
    _floor_ms,
    _utc_text,
    read_transaction,
)
from ocpkit.bridge._signed import SignedDataCheck, check_signed_data, signed_data
from ocpkit.errors import BridgeError, EnergyError, ObjectInvalid, PricingError, UnsupportedError
from ocpkit.ocpi import parse, to_jsonable
from ocpkit.tariffs import Rounding, price

if TYPE_CHECKING:  # the OCPI models are built only when a result is validated
    from ocpkit.ocpi import v221, v230

__all__ = [
    "TOKEN_TYPES",
    "VERSIONS",
    "BridgeConfig",
    "ConnectorKey",
    "Message",
    "OcppTransaction",
    "SignedDataCheck",
    "check_signed_data",
    "read_transaction",
    "signed_data",
    "to_cdr",
    "to_session",
    "token_type",
]

#: OCPI versions the bridge writes.
VERSIONS: Final = ("2.2.1", "2.3.0")

_COMMON_TOKEN_TYPES: Final[Mapping[str, str]] = {
    "ISO14443": "RFID",
    "ISO15693": "RFID",
    # A server-made id (remote start, app) is the OCPI app user's token.
    "Central": "APP_USER",
    # Station-made ids, key codes and MAC addresses identify no eMSP customer type of OCPI.
    "Local": "OTHER",
    "KeyCode": "OTHER",
    "MacAddress": "OTHER",
    "NoAuthorization": "OTHER",
    # OCPP 2.1 additions: a payment terminal is OCPI's ad-hoc user; a VIN is nothing OCPI names.
    "DirectPayment": "AD_HOC_USER",
    "VIN": "OTHER",
}
#: OCPP 2.x ``IdTokenEnumType`` -> OCPI ``TokenType`` per OCPI version; unknown types map to OTHER.
TOKEN_TYPES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        # OCPI 2.2.1 has no type for an ISO 15118 contract id.
        "2.2.1": MappingProxyType({**_COMMON_TOKEN_TYPES, "eMAID": "OTHER"}),
        # OCPI 2.3.0 mod_tokens TokenType EMAID: tokens of ISO 15118 Plug & Charge.
        "2.3.0": MappingProxyType({**_COMMON_TOKEN_TYPES, "eMAID": "EMAID"}),
    }
)
_HOUR_QUANTUM: Final = Decimal("1e-12")


def token_type(ocpp_type: str, version: str = "2.2.1") -> str:
    """Map an OCPP token type to an OCPI ``TokenType`` (``"idTag"`` stands for a 1.6 idTag)."""
    _check_version(version)
    if ocpp_type == IDTAG:
        return "RFID"
    return TOKEN_TYPES[version].get(ocpp_type, "OTHER")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class BridgeConfig:
    """What OCPP does not know and the CPO supplies.

    ``location``: an OCPI ``CdrLocation`` (it names one EVSE and connector) or ``Location``
    (model or wire dict, either version); with a Location, ``connectors`` maps the OCPP connector
    to ``(evse_uid, connector_id)``: 1.6 ``connectorId`` or 2.x ``(evse id, connector id)`` (or
    the bare evse id) as key. A Location with one EVSE of one connector needs no mapping.
    ``session_id``/``cdr_id``: a value or a function of the OCPP transaction id (default: that
    id; the CDR id defaults to the session id). ``time_zone`` (IANA) is used for pricing; default
    the Location's; with neither, tariff restrictions are read in UTC. ``contract_id`` is a
    function ``(uid, OCPI token type) -> contract id``; ``token_types`` overrides entries of
    :data:`TOKEN_TYPES`.
    """

    country_code: str
    party_id: str
    location: object
    currency: str
    connectors: Mapping[ConnectorKey, tuple[str, str]] | None = None
    auth_method: str | None = None
    session_id: str | Callable[[str], str] | None = None
    cdr_id: str | Callable[[str], str] | None = None
    tariff: object = None
    time_zone: str | None = None
    token_country_code: str | None = None
    token_party_id: str | None = None
    contract_id: Callable[[str, str], str] | None = None
    token_types: Mapping[str, str] | None = None
    rounding: Rounding | None = None


# --------------------------------------------------------------------------- writing OCPI


def _check_version(version: str) -> None:
    if version not in VERSIONS:
        raise UnsupportedError(f"the bridge writes OCPI {' and '.join(VERSIONS)}, not {version!r}")


def _jsonable(obj: object, where: str) -> dict[str, Any]:
    if isinstance(obj, BaseModel):
        value = to_jsonable(obj)
    elif isinstance(obj, Mapping):
        value = to_jsonable(dict(obj))
    else:
        raise BridgeError(f"{where}: expected an OCPI object (model or dict), got {type(obj).__name__}")
    assert isinstance(value, dict)
    return value


def _lookup(config: BridgeConfig, key: ConnectorKey | None) -> tuple[str, str] | None:
    table = config.connectors
    if table is None or key is None:
        return None
    if not isinstance(table, Mapping):
        raise BridgeError("BridgeConfig.connectors must be a mapping")
    found = table.get(key)
    if found is None and isinstance(key, tuple):
        found = table.get(key[0])
    if found is None:
        return None
    if not (isinstance(found, tuple) and len(found) == 2 and all(isinstance(x, str) for x in found)):
        raise BridgeError(f"connectors[{key!r}] must be (evse_uid, connector_id)")
    return found


def _location(config: BridgeConfig, tx: OcppTransaction, version: str) -> tuple[dict[str, Any], str | None]:
    """The CdrLocation (wire dict) of the transaction's connector and the location's time zone."""
    loc = _jsonable(config.location, "BridgeConfig.location")
    if "evse_uid" in loc:
        return _jsonable(_validated(version, "CdrLocation", loc), "location"), None
    # Validated first, so that everything read below has the shape OCPI gives it.
    loc = _jsonable(_validated(version, "Location", loc), "location")
    ref = _lookup(config, tx.connector)
    evses = loc.get("evses") or []
    if not isinstance(evses, list) or not all(isinstance(e, dict) for e in evses):
        raise BridgeError("BridgeConfig.location: evses must be a list of EVSE objects")
    if ref is None:
        only = [(e, c) for e in evses for c in (e.get("connectors") or []) if isinstance(c, dict)]
        if len(only) != 1:
            raise BridgeError(
                f"no (evse_uid, connector_id) for OCPP connector {tx.connector!r}: "
                "give BridgeConfig.connectors (the Location has more or fewer than one connector)"
            )
        ref = (str(only[0][0].get("uid")), str(only[0][1].get("id")))
    evse = next((e for e in evses if e.get("uid") == ref[0]), None)
    if evse is None:
        raise BridgeError(f"the Location has no EVSE with uid {ref[0]!r}")
    conn = next(
        (c for c in evse.get("connectors") or [] if isinstance(c, dict) and c.get("id") == ref[1]), None
    )
    if conn is None:
        raise BridgeError(f"EVSE {ref[0]!r} has no connector {ref[1]!r}")
    if evse.get("evse_id") is None:
        # OCPI CdrLocation.evse_id is required, EVSE.evse_id is optional.
        raise BridgeError(f"EVSE {ref[0]!r} has no evse_id, which a CdrLocation needs")
    out: dict[str, Any] = {
        k: loc[k] for k in ("id", "name", "address", "city", "postal_code", "state", "country") if k in loc
    }
    out["coordinates"] = loc.get("coordinates")
    out.update(
        evse_uid=ref[0],
        evse_id=evse["evse_id"],
        connector_id=ref[1],
        connector_standard=conn.get("standard"),
        connector_format=conn.get("format"),
        connector_power_type=conn.get("power_type"),
    )
    zone = loc.get("time_zone")
    return out, zone if isinstance(zone, str) else None


def _ident(value: str | Callable[[str], str] | None, tx_id: str, default: str, what: str) -> str:
    result = default if value is None else value(tx_id) if callable(value) else value
    if not isinstance(result, str) or not result:
        raise BridgeError(f"{what} must be non-empty text")
    return result


def _token(config: BridgeConfig, tx: OcppTransaction, version: str) -> dict[str, Any]:
    if not tx.id_token and tx.start_estimated is not None:
        raise BridgeError(
            f"transaction {tx.transaction_id} has no token: its start is not among the messages "
            "and no other message names one (1.6 StopTransaction idTag, a 2.x event's idToken)"
        )
    if not tx.id_token:
        raise BridgeError("the transaction's token uid is empty")
    kind = token_type(tx.id_token_type, version)
    overrides = config.token_types
    if overrides is not None:
        if not isinstance(overrides, Mapping):
            raise BridgeError("BridgeConfig.token_types must be a mapping")
        kind = overrides.get(tx.id_token_type, kind)
    rule = config.contract_id
    if rule is not None and not callable(rule):
        raise BridgeError("BridgeConfig.contract_id must be a function (uid, token type) -> text")
    contract = tx.id_token if rule is None else rule(tx.id_token, kind)
    return {
        "country_code": config.token_country_code or config.country_code,
        "party_id": config.token_party_id or config.party_id,
        "uid": tx.id_token,
        "type": kind,
        "contract_id": contract,
    }


def _periods(
    tx: OcppTransaction, end: datetime, session: bool, tariff_id: str | None
) -> tuple[list[dict[str, Any]], Decimal, Decimal]:
    """Wire charging periods, total ENERGY (kWh) and total PARKING_TIME (h)."""
    periods = energy.charging_periods(tx.readings, tx.states, tx.start, end, session_dimensions=session)
    out: list[dict[str, Any]] = []
    kwh = parking = Decimal(0)
    for p in periods:
        dims = [
            {
                "type": d.type,
                "volume": _cut_hours(p.end_date_time - p.start_date_time)
                if d.type in ("TIME", "PARKING_TIME")
                else d.volume,
            }
            for d in p.dimensions
        ]
        kwh += sum((d.volume for d in p.dimensions if d.type == "ENERGY"), Decimal(0))
        parking += sum((d.volume for d in p.dimensions if d.type == "PARKING_TIME"), Decimal(0))
        period: dict[str, Any] = {"start_date_time": _utc_text(p.start_date_time), "dimensions": dims}
        if tariff_id is not None:
            period["tariff_id"] = tariff_id
        out.append(period)
    return out, kwh, parking


def _cut_hours(span: timedelta) -> Decimal:
    # Hours are cut, not rounded, to 12 decimals: 82 s is 0.022777777777 h, which step_size
    # (OCPI tariffs: rounding *up* to whole steps) brings back to 82 s, where 0.022777777778 h
    # would be billed as 83 s. With millisecond times the cut never loses a whole step.
    return (Decimal(span // timedelta(microseconds=1)) / Decimal(3_600_000_000)).quantize(
        _HOUR_QUANTUM, rounding=ROUND_DOWN
    )


def _tariff(config: BridgeConfig, version: str) -> dict[str, Any] | None:
    if config.tariff is None:
        return None
    tariff = _jsonable(config.tariff, "BridgeConfig.tariff")
    if tariff.get("currency") != config.currency:
        raise BridgeError(
            f"tariff currency {tariff.get('currency')!r} differs from the configured {config.currency!r}"
        )
    return _jsonable(_validated(version, "Tariff", tariff), "tariff")


def _validated(version: str, name: str, doc: dict[str, Any]) -> Any:
    try:
        return parse(version, name, doc)
    except ObjectInvalid as exc:
        shown = "; ".join(f"{v.path or '/'}: {v.message}" for v in exc.violations[:5])
        raise BridgeError(f"not a valid OCPI {version} {name}: {shown}") from exc


def _zero_price(version: str) -> dict[str, Any]:
    return {"excl_vat": Decimal(0)} if version == "2.2.1" else {"before_taxes": Decimal(0)}


def _hours(span: timedelta) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(span // timedelta(microseconds=1)) / Decimal(3_600_000_000)


def _check_now(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise BridgeError("now must be a timezone-aware datetime")
    return _floor_ms(now)


def _common(
    tx: OcppTransaction, config: BridgeConfig, version: str, end: datetime, session: bool
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], Decimal, Decimal, dict[str, Any] | None]:
    if not isinstance(tx, OcppTransaction):
        raise BridgeError(f"expected an OcppTransaction, got {type(tx).__name__}")
    if not isinstance(config, BridgeConfig):
        raise BridgeError(f"expected a BridgeConfig, got {type(config).__name__}")
    if not isinstance(config.currency, str):
        raise BridgeError("BridgeConfig.currency must be text")
    location, zone = _location(config, tx, version)
    tariff = _tariff(config, version)
    tariff_id = None if tariff is None else str(tariff.get("id"))
    periods, kwh, parking = _periods(tx, end, session, tariff_id)
    session_id = _ident(config.session_id, tx.transaction_id, tx.transaction_id, "session id")
    auth = config.auth_method or ("COMMAND" if tx.remote_start else "AUTH_REQUEST")
    head = {
        "country_code": config.country_code,
        "party_id": config.party_id,
        "id": session_id,
        "start_date_time": _utc_text(tx.start),
        "cdr_token": _token(config, tx, version),
        "auth_method": auth,
    }
    priced_doc = {
        "start_date_time": head["start_date_time"],
        "end_date_time": _utc_text(end),
        "currency": config.currency,
        "charging_periods": periods,
    }
    priced = None
    if tariff is not None:
        try:
            pricing = price(tariff, priced_doc, version, config.time_zone or zone, rounding=config.rounding)
        except PricingError as exc:
            raise BridgeError(f"pricing failed: {exc}") from exc
        priced = {**pricing.as_cdr_fields(), "tariff": tariff}
    return head, location, periods, kwh, parking, priced


def to_session(
    transaction: OcppTransaction, config: BridgeConfig, *, now: datetime, version: str = "2.2.1"
) -> v221.Session | v230.Session:
    """The OCPI Session (model of ``ocpkit.ocpi.v221``/``v230``) of *transaction* at *now*.

    ``ACTIVE`` with periods up to *now* while running, ``COMPLETED`` with ``end_date_time`` once
    stopped. Periods carry the Session-only dimensions too (ENERGY_IMPORT/EXPORT, STATE_OF_CHARGE).
    With a tariff, ``total_cost`` is the price so far. Raises
    :class:`~ocpkit.errors.BridgeError` when the Session cannot be built or is not valid.
    """
    _check_version(version)
    moment = _check_now(now)
    try:
        if not isinstance(transaction, OcppTransaction):
            raise BridgeError(f"expected an OcppTransaction, got {type(transaction).__name__}")
        end = transaction.end if transaction.end is not None else moment
        if end < transaction.start:
            raise BridgeError("now is earlier than the transaction start")
        head, location, periods, kwh, _parking, priced = _common(transaction, config, version, end, True)
        doc: dict[str, Any] = {**head, "kwh": kwh}
        if transaction.end is not None:
            doc["end_date_time"] = _utc_text(transaction.end)
        doc.update(
            location_id=location.get("id"),
            evse_uid=location.get("evse_uid"),
            connector_id=location.get("connector_id"),
            currency=config.currency,
            charging_periods=periods,
            status="COMPLETED" if transaction.stopped else "ACTIVE",
            last_updated=_utc_text(moment),
        )
        if priced is not None:
            doc["total_cost"] = priced["total_cost"]
    except (EnergyError, PricingError) as exc:
        raise BridgeError(str(exc)) from exc
    session: v221.Session | v230.Session = _validated(version, "Session", doc)
    return session


def to_cdr(
    transaction: OcppTransaction,
    config: BridgeConfig,
    *,
    now: datetime,
    version: str = "2.2.1",
    signed_data: Mapping[str, Any] | None = None,
) -> v221.Cdr | v230.Cdr:
    """The OCPI CDR (model of ``ocpkit.ocpi.v221``/``v230``) of a stopped *transaction*.

    *now* becomes ``last_updated``. With a tariff, every ``total_*`` field comes from
    :func:`ocpkit.tariffs.price` and the tariff is listed in ``tariffs``; without one the cost is
    0. ``total_time`` is the whole duration, ``total_parking_time`` the PARKING_TIME sum.
    *signed_data* (from :func:`signed_data`, the OCMF records the transaction carried) becomes
    the CDR's ``signed_data``. Raises :class:`~ocpkit.errors.BridgeError` for a running
    transaction or an invalid result.
    """
    _check_version(version)
    moment = _check_now(now)
    try:
        if not isinstance(transaction, OcppTransaction):
            raise BridgeError(f"expected an OcppTransaction, got {type(transaction).__name__}")
        if transaction.end is None:
            raise BridgeError(f"transaction {transaction.transaction_id} has not stopped: no CDR yet")
        head, location, periods, kwh, parking, priced = _common(
            transaction, config, version, transaction.end, False
        )
        if not periods:
            raise BridgeError("the transaction has no charging period (idle from start to stop)")
        session_id = head["id"]
        doc: dict[str, Any] = {
            **head,
            "id": _ident(config.cdr_id, transaction.transaction_id, session_id, "CDR id"),
            "end_date_time": _utc_text(transaction.end),
            "session_id": session_id,
            "cdr_location": location,
            "currency": config.currency,
            "charging_periods": periods,
        }
        if priced is None:
            doc.update(
                total_cost=_zero_price(version),
                total_energy=kwh,
                total_time=_hours(transaction.end - transaction.start),
                total_parking_time=parking,
            )
        else:
            tariff = priced.pop("tariff")
            doc["tariffs"] = [tariff]
            doc.update(priced)
        if signed_data is not None:
            doc["signed_data"] = dict(signed_data)
        doc["last_updated"] = _utc_text(moment)
    except (EnergyError, PricingError) as exc:
        raise BridgeError(str(exc)) from exc
    cdr: v221.Cdr | v230.Cdr = _validated(version, "CDR", doc)
    return cdr
