"""ocpkit.bridge on hand-made transactions: typed models, token rules, and hostile or missing input.

Everything here is built in the test, so it runs without ../shared. Expected figures are worked out
in the comments next to each transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpkit.bridge import (
    TOKEN_TYPES,
    BridgeConfig,
    Message,
    OcppTransaction,
    read_transaction,
    to_cdr,
    to_session,
    token_type,
)
from ocpkit.errors import BridgeError, OcpkitError, UnsupportedError
from ocpkit.ocpi import v221, v230
from ocpkit.ocpp import v16, v201

TS = "2026-01-01T00:00:00Z"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
CDR_LOCATION: dict[str, Any] = {
    "id": "LOC-1",
    "address": "Stationsplein 1",
    "city": "Utrecht",
    "country": "NLD",
    "coordinates": {"latitude": "52.08900", "longitude": "5.11000"},
    "evse_uid": "EVSE-1",
    "evse_id": "NL*CPO*E1",
    "connector_id": "1",
    "connector_standard": "IEC_62196_T2",
    "connector_format": "SOCKET",
    "connector_power_type": "AC_3_PHASE",
}


def _connector(cid: str) -> dict[str, Any]:
    return {
        "id": cid,
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 32,
        "last_updated": TS,
    }


def _location(*evses: tuple[str, str | None, list[str]]) -> dict[str, Any]:
    return {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "LOC-2",
        "publish": True,
        "address": "Dorpsstraat 2",
        "city": "Zeist",
        "country": "NLD",
        "coordinates": {"latitude": "52.09000", "longitude": "5.23000"},
        "time_zone": "Europe/Amsterdam",
        "last_updated": TS,
        "evses": [
            {
                "uid": uid,
                "status": "AVAILABLE",
                "last_updated": TS,
                "connectors": [_connector(c) for c in conns],
            }
            | ({} if evse_id is None else {"evse_id": evse_id})
            for uid, evse_id, conns in evses
        ],
    }


ENERGY_TARIFF: dict[str, Any] = {
    "country_code": "NL",
    "party_id": "CPO",
    "id": "T",
    "currency": "EUR",
    "last_updated": TS,
    "elements": [{"price_components": [{"type": "ENERGY", "price": Decimal("0.3"), "step_size": 1}]}],
}


def _config(**extra: Any) -> BridgeConfig:
    options: dict[str, Any] = {"location": CDR_LOCATION} | extra
    return BridgeConfig("NL", "CPO", currency="EUR", **options)


# A 1.6 transaction: start 10:00:00 at 1000 Wh, sample 10:30:00 at 5.5 kWh, stop 11:00:00 at 9000 Wh.
# Energy 9000 - 1000 = 8000 Wh = 8 kWh; all charging (no status given): 1 h.
START16 = {"connectorId": 1, "idTag": "TAG-1", "meterStart": 1000, "timestamp": "2026-05-01T10:00:00Z"}
SAMPLE16 = {
    "connectorId": 1,
    "transactionId": 7,
    "meterValue": [
        {
            "timestamp": "2026-05-01T10:30:00Z",
            "sampledValue": [{"value": "5.5", "unit": "kWh", "measurand": "Energy.Active.Import.Register"}],
        }
    ],
}
STOP16 = {"transactionId": 7, "meterStop": 9000, "timestamp": "2026-05-01T11:00:00Z", "reason": "Local"}
RESPONSE16 = {"transactionId": 7, "idTagInfo": {"status": "Accepted"}}


def _tx16(**changes: Any) -> list[Message]:
    start = START16 | changes.get("start", {})
    return [
        Message("StartTransaction", start, response=changes.get("response", RESPONSE16)),
        Message("MeterValues", SAMPLE16),
        Message("StopTransaction", STOP16 | changes.get("stop", {})),
    ]


def test_typed_16_models_equal_wire_dicts() -> None:
    typed = [
        Message(
            "StartTransaction",
            v16.StartTransactionRequest.model_validate(START16),
            response=v16.StartTransactionResponse.model_validate(RESPONSE16),
        ),
        Message("MeterValues", v16.MeterValuesRequest.model_validate(SAMPLE16)),
        Message("StopTransaction", v16.StopTransactionRequest.model_validate(STOP16)),
    ]
    a, b = read_transaction(typed), read_transaction(_tx16())
    assert (a.start, a.end, a.readings, a.id_token) == (b.start, b.end, b.readings, b.id_token)
    cdr = to_cdr(a, _config(), now=NOW)
    assert (cdr.total_energy, cdr.total_time, cdr.auth_method) == (Decimal(8), Decimal(1), "AUTH_REQUEST")
    assert cdr.total_cost.excl_vat == 0


def test_no_tariff_zero_cost_and_default_ids() -> None:
    tx = read_transaction(_tx16())
    cdr = to_cdr(tx, _config(), now=NOW, version="2.3.0")
    assert isinstance(cdr, v230.Cdr)
    assert (cdr.id, cdr.session_id, cdr.total_cost.before_taxes) == ("7", "7", Decimal(0))
    session = to_session(tx, _config(session_id="S-7"), now=NOW)
    assert (session.id, session.status, session.last_updated) == ("S-7", "COMPLETED", NOW)


def test_status_notifications_split_parking_from_charging() -> None:
    # Preparing before the start (parking), Charging at 10:15, SuspendedEV at 10:45 (parking again):
    # parking 15 min + 15 min = 0.5 h, charging 0.5 h.
    states = [
        Message(
            "StatusNotification",
            {"connectorId": 1, "status": "Preparing", "errorCode": "NoError"},
            at=_t("09:59"),
        ),
        Message(
            "StatusNotification",
            {
                "connectorId": 1,
                "status": "Charging",
                "errorCode": "NoError",
                "timestamp": "2026-05-01T10:15:00Z",
            },
        ),
        Message(
            "StatusNotification",
            {
                "connectorId": 2,
                "status": "Faulted",
                "errorCode": "NoError",
                "timestamp": "2026-05-01T10:20:00Z",
            },
        ),
        Message(
            "StatusNotification",
            {
                "connectorId": 1,
                "status": "SuspendedEV",
                "errorCode": "NoError",
                "timestamp": "2026-05-01T10:45:00Z",
            },
        ),
    ]
    cdr = to_cdr(read_transaction([*states, *_tx16()]), _config(), now=NOW)
    kinds = [[d.type for d in p.dimensions if d.type.endswith("TIME")] for p in cdr.charging_periods]
    assert kinds == [["PARKING_TIME"], ["TIME"], ["PARKING_TIME"]]
    assert cdr.total_parking_time == Decimal("0.5")
    assert cdr.total_time == Decimal(1)


def _t(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2026-05-01T{hhmm}:00+00:00")


def test_remote_start_gives_command_and_caller_overrides() -> None:
    remote = Message("RemoteStartTransaction", {"idTag": "TAG-1", "connectorId": 1})
    tx = read_transaction([remote, *_tx16()])
    assert tx.remote_start
    assert to_cdr(tx, _config(), now=NOW).auth_method == "COMMAND"
    assert to_cdr(tx, _config(auth_method="WHITELIST"), now=NOW).auth_method == "WHITELIST"
    # A remote start for another tag, or one after the start, is not this transaction's.
    assert not read_transaction(
        [Message("RemoteStartTransaction", {"idTag": "OTHER"}), *_tx16()]
    ).remote_start
    assert not read_transaction([*_tx16(), remote]).remote_start


def test_location_from_a_location_object_and_mapping() -> None:
    loc = _location(("E-A", "NL*CPO*EA", ["1", "2"]), ("E-B", "NL*CPO*EB", ["1"]))
    cdr = to_cdr(read_transaction(_tx16()), _config(location=loc, connectors={1: ("E-A", "2")}), now=NOW)
    got = cdr.cdr_location
    assert (got.id, got.evse_uid, got.evse_id, got.connector_id, got.city) == (
        "LOC-2",
        "E-A",
        "NL*CPO*EA",
        "2",
        "Zeist",
    )
    single = _location(("E-S", "NL*CPO*ES", ["9"]))
    assert (
        to_cdr(read_transaction(_tx16()), _config(location=single), now=NOW).cdr_location.connector_id == "9"
    )


@pytest.mark.parametrize(
    ("location", "connectors", "match"),
    [
        (_location(("E-A", "NL*CPO*EA", ["1", "2"])), None, "give BridgeConfig.connectors"),
        (_location(("E-A", "NL*CPO*EA", ["1"])), {1: ("E-X", "1")}, "no EVSE with uid"),
        (_location(("E-A", "NL*CPO*EA", ["1"])), {1: ("E-A", "7")}, "no connector"),
        (_location(("E-A", None, ["1"])), None, "no evse_id"),
        (_location(("E-A", "NL*CPO*EA", ["1"])), {1: "E-A"}, "must be"),
        (_location(("E-A", "NL*CPO*EA", ["1"])), [1], "must be a mapping"),
        ({"id": "x"}, None, r"not a valid OCPI 2\.2\.1 Location"),
        (CDR_LOCATION | {"country": "Netherlands"}, None, r"not a valid OCPI 2\.2\.1 CdrLocation"),
        ("LOC-1", None, "expected an OCPI object"),
    ],
)
def test_bad_locations(location: Any, connectors: Any, match: str) -> None:
    with pytest.raises(BridgeError, match=match):
        to_cdr(read_transaction(_tx16()), _config(location=location, connectors=connectors), now=NOW)


def test_currency_mismatch_and_bad_tariff() -> None:
    tariff = {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "T",
        "currency": "USD",
        "last_updated": TS,
        "elements": [{"price_components": [{"type": "ENERGY", "price": Decimal("0.3"), "step_size": 1}]}],
    }
    tx = read_transaction(_tx16())
    with pytest.raises(BridgeError, match="currency"):
        to_cdr(tx, _config(tariff=tariff), now=NOW)
    with pytest.raises(BridgeError, match="currency"):
        to_session(tx, _config(tariff=tariff), now=NOW)
    with pytest.raises(BridgeError, match=r"not a valid OCPI 2\.2\.1 Tariff"):
        to_cdr(tx, _config(tariff=tariff | {"currency": "EUR", "elements": []}), now=NOW)
    # 2.3.0 tariffs must say whether prices include tax.
    with pytest.raises(BridgeError, match="tax_included"):
        to_cdr(tx, _config(tariff=tariff | {"currency": "EUR"}), now=NOW, version="2.3.0")
    # 8 kWh x 0.3 = 2.4
    assert to_cdr(tx, _config(tariff=tariff | {"currency": "EUR"}), now=NOW).total_cost.excl_vat == Decimal(
        "2.4"
    )


@pytest.mark.parametrize(
    ("messages", "match"),
    [
        ([Message("MeterValues", SAMPLE16)], "no transaction start"),
        ([], "no transaction start"),
        (_tx16(response=None), "without its response"),
        (_tx16(start={"timestamp": None}), "timestamp missing"),
        (_tx16(start={"timestamp": "yesterday"}), "StartTransaction/timestamp"),
        (_tx16(start={"timestamp": "2026-05-01T10:00:00"}), "StartTransaction/timestamp"),
        (_tx16(start={"connectorId": 0}), "connectorId must be > 0"),
        (_tx16(start={"connectorId": "1"}), "connectorId: expected an integer"),
        (_tx16(start={"idTag": None}), "idTag: expected text"),
        (_tx16(response={"transactionId": True}), "transactionId: expected an integer"),
        (_tx16(stop={"timestamp": "2026-05-01T09:00:00Z"}), "earlier than StartTransaction"),
        (_tx16(stop={"meterStop": "9000"}), "meterStop must be an integer"),
        ([*_tx16(), Message("StopTransaction", STOP16)], "2 StopTransactions"),
        ([*_tx16(), *_tx16()], "2 StartTransactions"),
        ([Message("StartTransaction", 42, response=RESPONSE16)], "expected an object"),
        ([Message("StartTransaction", [START16], response=RESPONSE16)], "expected an object"),
        ([Message("StartTransaction", START16, response="7")], "expected an object"),
        ([*_tx16(), Message("TransactionEvent", {})], "mix OCPP 1.6"),
        ([Message("StatusNotification", {"connectorId": 1}), *_tx16()], "status: expected text"),
        (
            [
                *_tx16(),
                Message(
                    "MeterValues",
                    SAMPLE16 | {"meterValue": [{"timestamp": TS, "sampledValue": [{"value": "NaN"}]}]},
                ),
            ],
            "meter values",
        ),
        (
            [Message("StatusNotification", {"connectorId": 1, "status": "Charging"}), *_tx16()],
            "timestamp missing",
        ),
    ],
)
def test_16_transactions_that_cannot_be_bridged(messages: list[Message], match: str) -> None:
    with pytest.raises(BridgeError, match=match):
        read_transaction(messages)


def test_unknown_transaction_id_and_bad_message_items() -> None:
    with pytest.raises(BridgeError, match="with transactionId 8"):
        read_transaction(_tx16(), transaction_id=8)
    with pytest.raises(BridgeError, match="iterable"):
        read_transaction(42)  # type: ignore[arg-type]
    with pytest.raises(BridgeError, match="not a Message"):
        read_transaction([("StartTransaction", START16)])  # type: ignore[list-item]
    with pytest.raises(BridgeError, match="action must be text"):
        read_transaction([Message(None, START16)])  # type: ignore[arg-type]
    with pytest.raises(BridgeError, match="timezone-aware"):
        read_transaction([Message("StartTransaction", START16, at=datetime(2026, 1, 1))])


def test_running_transaction_session_and_cdr_rules() -> None:
    running = read_transaction(_tx16()[:2])
    # At 10:45 the register has gone 1000 Wh -> 5.5 kWh = 4.5 kWh (flat after the last sample).
    session = to_session(running, _config(), now=_t("10:45"))
    assert (session.status, session.kwh, session.end_date_time) == ("ACTIVE", Decimal("4.5"), None)
    with pytest.raises(BridgeError, match="has not stopped"):
        to_cdr(running, _config(), now=NOW)
    with pytest.raises(BridgeError, match="earlier than the transaction start"):
        to_session(running, _config(), now=_t("09:00"))
    with pytest.raises(BridgeError, match="timezone-aware"):
        to_session(running, _config(), now=datetime(2026, 5, 1, 11))
    with pytest.raises(BridgeError, match="OcppTransaction"):
        to_cdr("tx", _config(), now=NOW)  # type: ignore[arg-type]
    with pytest.raises(BridgeError, match="BridgeConfig"):
        to_cdr(read_transaction(_tx16()), {"country_code": "NL"}, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedError):
        to_cdr(read_transaction(_tx16()), _config(), now=NOW, version="2.1.1")


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (_config(session_id=""), "session id"),
        (_config(cdr_id=lambda tx: 7), "CDR id"),  # type: ignore[arg-type,return-value]
        (BridgeConfig("NLD", "CPO", CDR_LOCATION, "EUR"), "country_code"),
        (BridgeConfig("NL", "CPO", CDR_LOCATION, "euro"), "currency"),
        (BridgeConfig("NL", "CPO", CDR_LOCATION, 978), "currency must be text"),  # type: ignore[arg-type]
        (_config(contract_id=lambda uid, kind: "C" * 40), "contract_id"),
        (_config(contract_id="C-1"), "must be a function"),
        (_config(token_types=[("idTag", "APP_USER")]), "token_types must be a mapping"),
        (_config(token_types={"idTag": "FRIEND"}), "cdr_token/type"),
        (_config(time_zone="Mars/Olympus", tariff=ENERGY_TARIFF), "time zone|time_zone"),
        (_config(rounding="cents", tariff=ENERGY_TARIFF), "rounding"),
        (_config(auth_method="PIN"), "auth_method"),
    ],
)
def test_bad_configuration(config: BridgeConfig, match: str) -> None:
    with pytest.raises(BridgeError, match=match):
        to_cdr(read_transaction(_tx16()), config, now=NOW)


def test_idle_transaction_has_no_cdr() -> None:
    # Connector Available throughout and meterStart = meterStop: nothing to bill, no period.
    status = {"connectorId": 1, "status": "Available", "errorCode": "NoError", "timestamp": TS}
    messages = [Message("StatusNotification", status), *_tx16(start={"meterStart": 9000})]
    del messages[2]  # the 5.5 kWh sample
    with pytest.raises(BridgeError, match="no charging period"):
        to_cdr(read_transaction(messages), _config(), now=NOW)


# --------------------------------------------------------------------------- OCPP 2.x


def _event(kind: str, seq: int, at: str, **extra: Any) -> dict[str, Any]:
    info = {"transactionId": "TX-9"} | extra.pop("info", {})
    return {
        "eventType": kind,
        "timestamp": at,
        "triggerReason": "Authorized",
        "seqNo": seq,
        "transactionInfo": info,
    } | extra


def _register(at: str, wh: int) -> list[dict[str, Any]]:
    return [{"timestamp": at, "sampledValue": [{"value": wh, "measurand": "Energy.Active.Import.Register"}]}]


# Started 12:00 (EVConnected), Charging 12:10 with 0 Wh, SuspendedEV 12:40 with 6000 Wh, Ended 13:00.
# Parking 10 + 20 min = 0.5 h, charging 0.5 h, energy 6 kWh. idToken eMAID NL-CPO-C12345-6.
EVENTS2 = [
    _event(
        "Started",
        0,
        "2026-05-01T12:00:00Z",
        idToken={"idToken": "NLCPOC123456", "type": "eMAID"},
        evse={"id": 2, "connectorId": 1},
        info={"chargingState": "EVConnected"},
    ),
    _event(
        "Updated",
        1,
        "2026-05-01T12:10:00Z",
        info={"chargingState": "Charging"},
        meterValue=_register("2026-05-01T12:10:00Z", 0),
    ),
    _event(
        "Updated",
        2,
        "2026-05-01T12:40:00Z",
        info={"chargingState": "SuspendedEV"},
        meterValue=_register("2026-05-01T12:40:00Z", 6000),
    ),
    _event("Ended", 3, "2026-05-01T13:00:00Z", info={"stoppedReason": "EVDisconnected"}),
]


def _tx2(events: list[dict[str, Any]] | None = None) -> list[Message]:
    return [Message("TransactionEvent", e) for e in (EVENTS2 if events is None else events)]


@pytest.mark.parametrize(("version", "kind"), [("2.2.1", "OTHER"), ("2.3.0", "EMAID")])
def test_2x_transaction_emaid_token(version: str, kind: str) -> None:
    # Events out of order: seqNo puts them back.
    tx = read_transaction(_tx2(list(reversed(EVENTS2))))
    assert (tx.connector, tx.stop_reason, tx.id_token_type) == ((2, 1), "EVDisconnected", "eMAID")
    cdr = to_cdr(tx, _config(connectors={(2, 1): ("EVSE-1", "1")}), now=NOW, version=version)
    assert (cdr.cdr_token.type, cdr.cdr_token.contract_id) == (kind, "NLCPOC123456")
    assert (cdr.total_energy, cdr.total_parking_time, cdr.total_time) == (
        Decimal(6),
        Decimal("0.5"),
        Decimal(1),
    )
    assert cdr.auth_method == "AUTH_REQUEST"


def test_2x_typed_models_and_session_dimensions() -> None:
    typed = [Message("TransactionEvent", v201.TransactionEventRequest.model_validate(e)) for e in EVENTS2[:3]]
    tx = read_transaction(typed)
    assert not tx.stopped
    session = to_session(tx, _config(), now=datetime(2026, 5, 1, 12, 50, tzinfo=UTC))
    assert isinstance(session, v221.Session)
    assert (session.status, session.kwh) == ("ACTIVE", Decimal(6))
    dims = {d.type for p in session.charging_periods or [] for d in p.dimensions}
    assert "ENERGY_IMPORT" in dims


def test_token_rules() -> None:
    assert token_type("idTag") == "RFID"
    assert [
        token_type(t, "2.3.0") for t in ("ISO14443", "ISO15693", "eMAID", "Central", "NoAuthorization")
    ] == [
        "RFID",
        "RFID",
        "EMAID",
        "APP_USER",
        "OTHER",
    ]
    assert token_type("SomethingNew") == "OTHER"
    assert set(TOKEN_TYPES) == {"2.2.1", "2.3.0"}
    # Every mapped value is a TokenType of its OCPI version.
    for version, module in (("2.2.1", v221), ("2.3.0", v230)):
        assert set(TOKEN_TYPES[version].values()) <= {t.value for t in module.enums.TokenType}
    with pytest.raises(UnsupportedError):
        token_type("eMAID", "2.1.1")
    tx = read_transaction(_tx2())
    rule: Callable[[str, str], str] = lambda uid, kind: f"{kind}:{uid}"[:36]  # noqa: E731
    config = _config(
        contract_id=rule, token_types={"eMAID": "APP_USER"}, token_country_code="DE", token_party_id="EMP"
    )
    token = to_cdr(tx, config, now=NOW).cdr_token
    assert (token.country_code, token.party_id, token.type, token.contract_id) == (
        "DE",
        "EMP",
        "APP_USER",
        "APP_USER:NLCPOC123456",
    )


def test_2x_token_from_request_start() -> None:
    events = [{k: v for k, v in e.items() if k != "idToken"} for e in EVENTS2]
    events[1] = events[1] | {"triggerReason": "RemoteStart"}
    request = Message(
        "RequestStartTransaction", {"idToken": {"idToken": "APP-1", "type": "Central"}, "remoteStartId": 5}
    )
    late = Message(
        "RequestStartTransaction", {"idToken": {"idToken": "LATE", "type": "Central"}, "remoteStartId": 6}
    )
    msgs = _tx2(events)
    tx = read_transaction([msgs[0], request, *msgs[1:], late])
    assert (tx.id_token, tx.remote_start) == ("APP-1", True)
    cdr = to_cdr(tx, _config(), now=NOW)
    assert (cdr.cdr_token.type, cdr.auth_method) == ("APP_USER", "COMMAND")
    # With a remoteStartId in the events, the matching request wins wherever it is.
    events[0] = events[0] | {"transactionInfo": {"transactionId": "TX-9", "remoteStartId": 6}}
    assert read_transaction([request, *_tx2(events), late]).id_token == "LATE"


@pytest.mark.parametrize(
    ("events", "match"),
    [
        (EVENTS2[1:], "no Started"),
        ([{k: v for k, v in e.items() if k != "idToken"} for e in EVENTS2], "no idToken"),
        ([EVENTS2[0] | {"seqNo": "0"}, *EVENTS2[1:]], "seqNo"),
        ([EVENTS2[0] | {"transactionInfo": {}}, *EVENTS2[1:]], "transactionId"),
        ([EVENTS2[0] | {"timestamp": 12}], "timestamp"),
        ([*EVENTS2[:3], EVENTS2[3] | {"timestamp": "2026-05-01T11:00:00Z"}], "Ended is earlier"),
        ([EVENTS2[0] | {"evse": {"id": "2"}}], "evse/id"),
        ([EVENTS2[0] | {"idToken": {"idToken": 5, "type": "eMAID"}}], "idToken"),
        (
            [EVENTS2[0] | {"transactionInfo": {"transactionId": "TX-9", "remoteStartId": [1]}}],
            "remoteStartId",
        ),
        ([EVENTS2[0], EVENTS2[0] | {"transactionInfo": {"transactionId": "TX-8"}}], "2 transactions"),
        (
            [EVENTS2[0] | {"meterValue": [{"timestamp": TS, "sampledValue": [{"value": "1e999999"}]}]}],
            "meter values",
        ),
    ],
)
def test_2x_transactions_that_cannot_be_bridged(events: list[dict[str, Any]], match: str) -> None:
    with pytest.raises(BridgeError, match=match):
        read_transaction(_tx2(events))


def test_2x_without_meter_values_counts_zero_energy() -> None:
    events = [{k: v for k, v in e.items() if k != "meterValue"} for e in EVENTS2]
    tx = read_transaction(_tx2(events))
    # Unknown energy (no register sample) is told apart from zero on the transaction...
    assert tx.energy.energy_wh is None
    # ...and the CDR, which must carry a number, says 0 kWh.
    assert to_cdr(tx, _config(), now=NOW).total_energy == 0


def test_2x_empty_token_uid() -> None:
    events = [EVENTS2[0] | {"idToken": {"idToken": "", "type": "NoAuthorization"}}, *EVENTS2[1:]]
    with pytest.raises(BridgeError, match="empty"):
        to_cdr(read_transaction(_tx2(events)), _config(), now=NOW)


# --------------------------------------------------------------------------- fuzz

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=8)
    | st.floats(allow_nan=True),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_KEYS = [
    "connectorId",
    "idTag",
    "meterStart",
    "meterStop",
    "timestamp",
    "transactionId",
    "meterValue",
    "status",
    "eventType",
    "seqNo",
    "transactionInfo",
    "idToken",
    "evse",
    "remoteStartId",
]
_PAYLOAD = st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=6) | _JSON
_ACTIONS = st.sampled_from(
    [
        "StartTransaction",
        "StopTransaction",
        "MeterValues",
        "StatusNotification",
        "RemoteStartTransaction",
        "TransactionEvent",
        "RequestStartTransaction",
        "Heartbeat",
    ]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_ACTIONS, _PAYLOAD, _PAYLOAD), max_size=5))
def test_hostile_messages_raise_only_bridge_errors(items: list[tuple[str, Any, Any]]) -> None:
    messages = [Message(a, p, response=r) for a, p, r in items]
    try:
        tx = read_transaction(messages)
    except BridgeError:
        return
    assert isinstance(tx, OcppTransaction)
    assert tx.end is None or tx.end >= tx.start
    try:
        session = to_session(tx, _config(), now=NOW)
    except OcpkitError as exc:
        assert isinstance(exc, BridgeError)
    else:
        assert session.status == ("COMPLETED" if tx.stopped else "ACTIVE")
    try:
        cdr = to_cdr(tx, _config(), now=NOW)
    except OcpkitError as exc:
        assert isinstance(exc, BridgeError)
    else:
        assert tx.stopped and cdr.end_date_time >= cdr.start_date_time


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(EVENTS2),
    st.sampled_from(["transactionInfo", "idToken", "evse", "meterValue", "timestamp"]),
    _JSON,
)
def test_hostile_fields_in_a_good_2x_transaction(base: dict[str, Any], key: str, value: Any) -> None:
    events = [e if e is not base else e | {key: value} for e in EVENTS2]
    try:
        cdr = to_cdr(read_transaction(_tx2(events)), _config(), now=NOW)
    except BridgeError:
        return
    # Whatever survived is a valid CDR of the one transaction.
    assert isinstance(cdr, v221.Cdr)
    assert cdr.session_id == "TX-9"
