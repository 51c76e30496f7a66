"""ocpkit.bridge on real captures: a 1.6 charger log and a 2.0.1 simulator log -> OCPI Session and CDR.

Payloads come from the logs through the small regex helper in tests/_energy_logs.py; the expected
figures are worked out by hand from the quoted log lines (see the comments).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal, localcontext
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ocpkit.bridge import BridgeConfig, Message, read_transaction, to_cdr, to_session
from ocpkit.errors import BridgeError
from ocpkit.ocpi import to_json, v221, v230
from ocpkit.ocpi._schemas import ocpi_schema
from ocpkit.tariffs import Rounding
from tests.energy._logs import DYN_4988, SIM, exchanges, utc

pytestmark = pytest.mark.shared

TS = "2026-01-01T00:00:00Z"
LOCATION: dict[str, Any] = {
    "country_code": "NL",
    "party_id": "CPO",
    "id": "LOC-1",
    "publish": True,
    "address": "Stationsplein 1",
    "city": "Utrecht",
    "country": "NLD",
    "coordinates": {"latitude": "52.08900", "longitude": "5.11000"},
    "time_zone": "Europe/Amsterdam",
    "last_updated": TS,
    "evses": [
        {
            "uid": f"EVSE-{n}",
            "evse_id": f"NL*CPO*E{n}",
            "status": "AVAILABLE",
            "last_updated": TS,
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "max_voltage": 230,
                    "max_amperage": 32,
                    "last_updated": TS,
                }
            ],
        }
        for n in (1, 2)
    ],
}
# ENERGY 0.30 EUR/kWh and TIME 2.00 EUR/h, 20 % VAT, billed per Wh and per second.
TARIFF: dict[str, Any] = {
    "country_code": "NL",
    "party_id": "CPO",
    "id": "T-ET",
    "currency": "EUR",
    "last_updated": TS,
    "elements": [
        {
            "price_components": [
                {"type": "ENERGY", "price": Decimal("0.30"), "vat": Decimal(20), "step_size": 1},
                {"type": "TIME", "price": Decimal("2.00"), "vat": Decimal(20), "step_size": 1},
            ]
        }
    ],
}
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _config(version: str, **extra: Any) -> BridgeConfig:
    tariff = TARIFF | ({"tax_included": "NO"} if version == "2.3.0" else {})
    options: dict[str, Any] = {"connectors": {1: ("EVSE-1", "1")}, "tariff": tariff} | extra
    return BridgeConfig("NL", "CPO", LOCATION, "EUR", **options)


def _schema_errors(version: str, model: Any) -> list[str]:
    # The JSON text, read back with exact decimals, judged by the exported OCPI JSON Schema.
    doc = json.loads(to_json(model), parse_float=Decimal)
    validator = jsonschema.Draft202012Validator(
        ocpi_schema(version, "CDR"), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [e.message for e in validator.iter_errors(doc)]


def _hours(seconds: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(seconds) / Decimal(3600)


# --------------------------------------------------------------------------- OCPP 1.6: Dynamic_OCPP_EVSE 4988ad6
#
# debug.log, transaction 1771262049 on connector 1 (kWh/kW units):
#   l.1166 RemoteStartTransaction idTag YRF8JU9VOVEJ8OTS8BV9                -> auth_method COMMAND
#   l.1168 StartTransaction  meterStart 3051113 Wh, 17:14:08Z; l.1169 response transactionId 1771262049
#   l.1177 StatusNotification Charging 17:14:18Z (before: Preparing 17:06:56Z, a parking state)
#   l.1179 / 1286 / 1374 MeterValues 3051.11 / 3051.22 / 3051.29 kWh at 17:14:18 / 17:14:59 / 17:15:30Z
#   l.1428 StopTransaction   meterStop 3051361 Wh, 17:15:48Z (l.1426 3051.36 kWh at 17:15:57Z is after it)
# Energy: meterStop - meterStart = 3051361 - 3051113 = 248 Wh = 0.248 kWh (the kWh samples agree
#   within their 10 Wh resolution). Periods: parking 17:14:08-17:14:18 (10 s), charging
#   17:14:18-17:15:48 (90 s = 0.025 h); total_time 100 s.
# Price: energy 0.248 kWh x 0.30 = 0.0744; time 0.025 h x 2.00 = 0.05; parking has no component -> 0.
#   total excl. VAT 0.1244, incl. 20 % VAT 0.1244 x 1.2 = 0.14928.
TX16 = 1771262049


def _messages_16(shared: Path, before_line: int | None = None) -> list[Message]:
    return [
        Message(action, payload, response=response)
        for line, action, payload, response in exchanges(shared / DYN_4988)
        if before_line is None or line < before_line
    ]


def test_16_capture_cdr_energy_equals_register_difference(shared: Path) -> None:
    tx = read_transaction(_messages_16(shared), transaction_id=TX16)
    assert (tx.ocpp, tx.transaction_id, tx.connector, tx.stopped) == ("1.6", str(TX16), 1, True)
    cdr = to_cdr(tx, _config("2.2.1"), now=NOW)
    assert isinstance(cdr, v221.Cdr)
    assert cdr.total_energy == Decimal(3051361 - 3051113) / 1000 == Decimal("0.248")
    assert (cdr.start_date_time, cdr.end_date_time) == (
        utc("2026-02-16T17:14:08Z"),
        utc("2026-02-16T17:15:48Z"),
    )
    assert cdr.auth_method == "COMMAND"
    token = cdr.cdr_token
    assert (token.uid, token.type, token.contract_id) == (
        "YRF8JU9VOVEJ8OTS8BV9",
        "RFID",
        "YRF8JU9VOVEJ8OTS8BV9",
    )
    assert (cdr.cdr_location.evse_uid, cdr.cdr_location.evse_id, cdr.cdr_location.connector_id) == (
        "EVSE-1",
        "NL*CPO*E1",
        "1",
    )
    assert [p.start_date_time for p in cdr.charging_periods] == [
        utc("2026-02-16T17:14:08Z"),
        utc("2026-02-16T17:14:18Z"),
    ]
    assert [[d.type for d in p.dimensions][:2] for p in cdr.charging_periods] == [
        ["ENERGY", "PARKING_TIME"],
        ["ENERGY", "TIME"],
    ]
    # Session-only dimensions stay out of the CDR.
    assert not {d.type for p in cdr.charging_periods for d in p.dimensions} & {
        "ENERGY_IMPORT",
        "STATE_OF_CHARGE",
    }


def test_16_capture_cdr_priced_by_hand(shared: Path) -> None:
    tx = read_transaction(_messages_16(shared), transaction_id=TX16)
    cdr = to_cdr(tx, _config("2.2.1"), now=NOW)
    assert cdr.total_energy_cost.excl_vat == Decimal("0.0744")
    assert cdr.total_time_cost.excl_vat == Decimal("0.05")
    assert cdr.total_parking_cost.excl_vat == 0
    assert cdr.total_cost.excl_vat == Decimal("0.1244")
    assert cdr.total_cost.incl_vat == Decimal("0.14928")
    assert cdr.total_time == _hours(100)
    assert cdr.total_parking_time.quantize(Decimal("1e-9")) == _hours(10).quantize(Decimal("1e-9"))
    assert [t.id for t in cdr.tariffs] == ["T-ET"]
    assert {p.tariff_id for p in cdr.charging_periods} == {"T-ET"}
    assert _schema_errors("2.2.1", cdr) == []
    # Rounded to cents on request: 0.1244 -> 0.12, 0.14928 -> 0.15.
    cents = to_cdr(tx, _config("2.2.1", rounding=Rounding(2)), now=NOW)
    assert (cents.total_cost.excl_vat, cents.total_cost.incl_vat) == (Decimal("0.12"), Decimal("0.15"))


def test_16_capture_cdr_230_taxes(shared: Path) -> None:
    tx = read_transaction(_messages_16(shared), transaction_id=TX16)
    cdr = to_cdr(tx, _config("2.3.0"), now=NOW, version="2.3.0")
    assert isinstance(cdr, v230.Cdr)
    assert cdr.total_cost.before_taxes == Decimal("0.1244")
    # 20 % of 0.1244
    assert [(t.name, t.percentage, t.amount) for t in cdr.total_cost.taxes] == [
        ("VAT", Decimal(20), Decimal("0.02488"))
    ]
    assert _schema_errors("2.3.0", cdr) == []


def test_16_capture_session_active_then_completed(shared: Path) -> None:
    # Up to l.1374 (before the stop): the register went 3051113 Wh -> 3051.29 kWh = 177 Wh.
    running = read_transaction(_messages_16(shared, before_line=1400), transaction_id=TX16)
    assert not running.stopped
    at = utc("2026-02-16T17:15:40Z")
    session = to_session(running, _config("2.2.1"), now=at)
    assert isinstance(session, v221.Session)
    assert (session.status, session.end_date_time, session.kwh) == ("ACTIVE", None, Decimal("0.177"))
    assert session.last_updated == at
    # Price so far: 0.177 kWh x 0.30 = 0.0531; charging 17:14:18-17:15:40 = 82 s x 2.00/3600.
    expected = Decimal("0.0531") + _hours(82) * 2
    assert session.total_cost.excl_vat.quantize(Decimal("1e-12")) == expected.quantize(Decimal("1e-12"))
    with pytest.raises(BridgeError, match="has not stopped"):
        to_cdr(running, _config("2.2.1"), now=at)

    done = to_session(read_transaction(_messages_16(shared), transaction_id=TX16), _config("2.2.1"), now=NOW)
    assert (done.status, done.end_date_time, done.kwh) == (
        "COMPLETED",
        utc("2026-02-16T17:15:48Z"),
        Decimal("0.248"),
    )
    assert done.total_cost.excl_vat == Decimal("0.1244")
    assert "ENERGY_IMPORT" in {d.type for p in done.charging_periods or [] for d in p.dimensions}


def test_16_capture_empty_transaction(shared: Path) -> None:
    # l.1148-1150: transaction 1771262029 starts and stops at meter 3051113 one second apart.
    tx = read_transaction(_messages_16(shared), transaction_id=1771262029)
    cdr = to_cdr(tx, _config("2.2.1"), now=NOW)
    assert cdr.total_energy == 0
    assert cdr.total_time == _hours(1)


# --------------------------------------------------------------------------- OCPP 2.0.1: client_ocpp_sim 6e7b4d1
#
# ocpp.log, transaction a13335c9-f4f7-4a92-94bb-b8fb99d432e9 on EVSE 1 connector 1:
#   l.6139 Started 14:27:25.505056Z (no idToken, no chargingState)
#   l.6149 RequestStartTransaction idToken {"idToken": "1", "type": "ISO14443"}
#   l.6150 Updated triggerReason RemoteStart                               -> auth_method COMMAND
#   l.6162..6183 Updated with register 100, 200, 300, 400 Wh (last sample 14:29:02.160068Z)
#   l.6187 Ended 14:29:06.505875Z
# Times are cut to milliseconds: 14:27:25.505 -> 14:29:06.505 = 101 s, all charging (no state given).
# Energy 400 - 100 = 300 Wh = 0.3 kWh. Price: 0.3 x 0.30 = 0.09; 101 s x 2.00 / 3600.
TX2 = "a13335c9-f4f7-4a92-94bb-b8fb99d432e9"


def _messages_sim(shared: Path, before_line: int | None = None) -> list[Message]:
    return [
        Message(action, payload, response=response)
        for line, action, payload, response in exchanges(shared / SIM)
        if before_line is None or line < before_line
    ]


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
def test_201_capture_cdr(shared: Path, version: str) -> None:
    tx = read_transaction(_messages_sim(shared), transaction_id=TX2)
    assert (tx.ocpp, tx.connector, tx.id_token, tx.id_token_type) == ("2.x", (1, 1), "1", "ISO14443")
    cdr = to_cdr(tx, _config(version, connectors={(1, 1): ("EVSE-1", "1")}), now=NOW, version=version)
    assert (cdr.start_date_time, cdr.end_date_time) == (
        utc("2025-10-03T14:27:25.505Z"),
        utc("2025-10-03T14:29:06.505Z"),
    )
    assert cdr.total_energy == Decimal("0.3")
    assert cdr.total_time == _hours(101)
    assert (cdr.cdr_token.uid, cdr.cdr_token.type, cdr.auth_method) == ("1", "RFID", "COMMAND")
    (period,) = cdr.charging_periods
    # Period hours are cut to 12 decimals (never rounded up, so step_size keeps 101 s).
    cut = _hours(101).quantize(Decimal("1e-12"), rounding=ROUND_DOWN)
    assert {d.type: d.volume for d in period.dimensions}["TIME"] == cut == Decimal("0.028055555555")
    cost = cdr.total_cost.excl_vat if version == "2.2.1" else cdr.total_cost.before_taxes
    assert cost.quantize(Decimal("1e-12")) == (Decimal("0.09") + _hours(101) * 2).quantize(Decimal("1e-12"))
    assert _schema_errors(version, cdr) == []


def test_201_capture_session_active_then_completed(shared: Path) -> None:
    config = _config("2.2.1", connectors={(1, 1): ("EVSE-1", "1")})
    running = read_transaction(_messages_sim(shared, before_line=6187), transaction_id=TX2)
    session = to_session(running, config, now=utc("2025-10-03T14:29:04Z"))
    assert (session.status, session.end_date_time, session.kwh) == ("ACTIVE", None, Decimal("0.3"))
    done = to_session(read_transaction(_messages_sim(shared), transaction_id=TX2), config, now=NOW)
    assert (done.status, done.end_date_time) == ("COMPLETED", utc("2025-10-03T14:29:06.505Z"))
    assert (done.location_id, done.evse_uid, done.connector_id) == ("LOC-1", "EVSE-1", "1")


def test_201_capture_cdr_location_given_directly(shared: Path) -> None:
    # A CdrLocation names the connector itself: no mapping needed.
    cdr_location = {
        "id": "LOC-9",
        "address": "Dorpsstraat 2",
        "city": "Zeist",
        "country": "NLD",
        "coordinates": {"latitude": "52.09000", "longitude": "5.23000"},
        "evse_uid": "E9",
        "evse_id": "NL*CPO*E9",
        "connector_id": "2",
        "connector_standard": "IEC_62196_T2",
        "connector_format": "CABLE",
        "connector_power_type": "AC_1_PHASE",
    }
    tx = read_transaction(_messages_sim(shared), transaction_id=TX2)
    config = BridgeConfig(
        "NL", "CPO", cdr_location, "EUR", time_zone="Europe/Amsterdam", cdr_id=lambda t: "CDR-" + t[:8]
    )
    cdr = to_cdr(tx, config, now=NOW)
    assert (cdr.id, cdr.session_id) == ("CDR-a13335c9", TX2)
    assert (cdr.cdr_location.evse_uid, cdr.cdr_location.connector_id) == ("E9", "2")
    # No tariff: nothing is charged, the volumes are still there.
    assert (cdr.total_cost.excl_vat, cdr.total_energy, cdr.tariffs) == (Decimal(0), Decimal("0.3"), None)


# --------------------------------------------------------------------------- the logs cut mid-session
#
# The same logs, cut as a capture that begins after the transaction started.


def test_16_capture_without_its_start_transaction(shared: Path) -> None:
    # From l.1171 on: no RemoteStart, no StartTransaction. The first register reading of the
    # transaction is the l.1179 MeterValues 3051.11 kWh at 17:14:18Z (the stop's transactionData
    # repeats it as Transaction.Begin). Energy 3051110 -> 3051361 Wh (meterStop) = 251 Wh; the
    # 3051.36 kWh at 17:15:57Z is within 10 Wh of it (rounding). Charging 17:14:18-17:15:48: 90 s.
    cut = [m for m, line in zip(_messages_16(shared), _lines_16(shared), strict=True) if line > 1170]
    with pytest.raises(BridgeError, match="no StartTransaction with transactionId"):
        read_transaction(cut, transaction_id=TX16)
    tx = read_transaction(cut, transaction_id=TX16, estimate_start=True)
    assert tx.start_estimated == "first MeterValues register reading at 2026-02-16T17:14:18Z"
    assert (tx.id_token, tx.connector, tx.remote_start) == ("YRF8JU9VOVEJ8OTS8BV9", 1, False)
    assert tx.energy.energy_wh == Decimal(251)
    cdr = to_cdr(tx, _config("2.2.1"), now=NOW)
    assert (cdr.start_date_time, cdr.end_date_time) == (
        utc("2026-02-16T17:14:18Z"),
        utc("2026-02-16T17:15:48Z"),
    )
    assert (cdr.total_energy, cdr.total_time, cdr.total_parking_time) == (Decimal("0.251"), _hours(90), 0)
    assert _schema_errors("2.2.1", cdr) == []


def _lines_16(shared: Path) -> list[int]:
    return [line for line, *_ in exchanges(shared / DYN_4988)]


def test_201_capture_without_its_started_event(shared: Path) -> None:
    config = _config("2.2.1", connectors={(1, 1): ("EVSE-1", "1")})
    lines = [line for line, *_ in exchanges(shared / SIM)]
    # After l.6139 (Started): the RequestStartTransaction (l.6149) and RemoteStart event (l.6150)
    # still name the token. First register reading 100 Wh at 14:28:24.894Z, last 400 Wh; Ended
    # 14:29:06.505Z. Energy 300 Wh over 41.611 s.
    after_start = [m for m, line in zip(_messages_sim(shared), lines, strict=True) if line > 6139]
    tx = read_transaction(after_start, transaction_id=TX2, estimate_start=True)
    assert tx.start_estimated == "first TransactionEvent Updated register reading at 2025-10-03T14:28:24.894Z"
    assert (tx.start, tx.id_token, tx.remote_start) == (utc("2025-10-03T14:28:24.894Z"), "1", True)
    cdr = to_cdr(tx, config, now=NOW)
    assert (cdr.total_energy, cdr.end_date_time) == (Decimal("0.3"), utc("2025-10-03T14:29:06.505Z"))
    assert cdr.total_time == Decimal(41611) / Decimal(3_600_000)
    # After l.6155 nothing names the token: the energy is still had, a CDR is refused.
    later = [m for m, line in zip(_messages_sim(shared), lines, strict=True) if line > 6155]
    tx = read_transaction(later, transaction_id=TX2, estimate_start=True)
    assert (tx.id_token, tx.energy.energy_wh) == ("", Decimal(300))
    with pytest.raises(BridgeError, match="has no token"):
        to_cdr(tx, config, now=NOW)
