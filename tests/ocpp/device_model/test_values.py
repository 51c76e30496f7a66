"""Value checks for every data type, values lists, limits, units and the 1.6 keys; hostile input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpkit.errors import UnsupportedError, Violation
from ocpkit.ocpp.device_model import check_key, check_value, check_variable


def _kw(found: list[Violation]) -> list[str]:
    return [v.keyword for v in found]


# --------------------------------------------------------------------------- one test per data type


@pytest.mark.parametrize(
    ("value", "ok"),
    [("60", True), ("0", True), ("-5", True), ("often", False), ("1.5", False), ("", False), (" 60", False)],
)
def test_integer(value: str, ok: bool) -> None:
    found = check_variable("2.0.1", "SampledDataCtrlr", "TxUpdatedInterval", value)
    assert (found == []) is ok, found
    if not ok:
        assert _kw(found) == ["dataType"] and found[0].path == ""


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("11000", True),
        ("11000.5", True),
        ("-1", True),
        ("1e3", True),
        ("NaN", False),
        ("Infinity", False),
        ("1,5", False),
    ],
)
def test_decimal(value: str, ok: bool) -> None:
    assert (check_variable("2.0.1", "EVSE", "Power", value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"), [("true", True), ("false", True), ("True", False), ("1", False), ("", False)]
)
def test_boolean(value: str, ok: bool) -> None:
    found = check_variable("2.0.1", "AuthCtrlr", "Enabled", value)
    assert (found == []) is ok
    if value == "True":
        assert "lower case" in found[0].message


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2024-05-01T10:00:00Z", True),
        ("2024-05-01T10:00:00.123+02:00", True),
        ("2024-05-01 10:00:00Z", False),
        ("2024-05-01T10:00:00", False),  # no offset
        ("1714557600", False),
        ("2024-02-30T10:00:00Z", False),
    ],
)
def test_datetime(value: str, ok: bool) -> None:
    assert (check_variable("2.0.1", "ClockCtrlr", "DateTime", value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("LRU", True), ("CUSTOM", True), ("lru", False), ("LRU,LFU", False), ("", False), ("Random", False)],
)
def test_option_list(value: str, ok: bool) -> None:
    found = check_variable("2.0.1", "AuthCacheCtrlr", "Policy", value)
    assert (found == []) is ok
    assert all(v.keyword == "valuesList" for v in found)


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ("EVConnected,Authorized", []),
        ("Authorized,EVConnected", []),  # a set: order is free
        ("", []),  # the empty set
        ("EVConnected,Often", ["'Often' is not in the values list"]),
        ("EVConnected,EVConnected", ["'EVConnected' is listed twice in a MemberList"]),
        ("EVConnected,", ["an empty member"]),
    ],
)
def test_member_list(value: str, problems: list[str]) -> None:
    found = check_variable("2.0.1", "TxCtrlr", "TxStopPoint", value)
    assert len(found) == len(problems)
    for violation, start in zip(found, problems, strict=True):
        assert violation.message.startswith(start), violation


@pytest.mark.parametrize(
    ("value", "ok"),
    [("NTP,Heartbeat", True), ("Heartbeat", True), ("NTP,NTP", False), ("NTP,Sundial", False)],
)
def test_sequence_list(value: str, ok: bool) -> None:
    # The only SequenceList of the tables, ClockCtrlr.TimeSource, is a plain string in the appendix, so
    # either reading is accepted there; a charger that reports the type and list is held to them.
    chars = {"dataType": "SequenceList", "valuesList": "Heartbeat,NTP,GPS,RealTimeClock"}
    assert (check_variable("2.0.1", "VendorClock", "Sources", value, characteristics=chars) == []) is ok
    assert check_variable("2.0.1", "ClockCtrlr", "TimeSource", value) == []


def test_string_and_its_refinements() -> None:
    assert check_variable("2.0.1", "ChargingStation", "Model", "any text, with spaces!") == []
    # identifierString / passwordString: a-z A-Z 0-9 * - _ = : + | @ .
    assert check_variable("2.0.1", "SecurityCtrlr", "Identity", "CP-01_a:b+c|d@e.f*=") == []
    (bad,) = check_variable("2.0.1", "SecurityCtrlr", "Identity", "CP 01/")
    assert bad.keyword == "dataType" and "' /'" in bad.message
    assert _kw(check_variable("2.0.1", "SecurityCtrlr", "BasicAuthPassword", "pass word")) == ["dataType"]


def test_limits_from_the_specification_table() -> None:
    # TariffCostCtrlr.Currency: maxLimit 3 is a length; DeviceDataCtrlr.ConfigurationValueSize: at most 1000
    assert check_variable("2.0.1", "TariffCostCtrlr", "Currency", "EUR") == []
    assert _kw(check_variable("2.0.1", "TariffCostCtrlr", "Currency", "EURO")) == ["maxLimit"]
    assert check_variable("2.0.1", "DeviceDataCtrlr", "ConfigurationValueSize", "1000") == []
    assert _kw(check_variable("2.0.1", "DeviceDataCtrlr", "ConfigurationValueSize", "1001")) == ["maxLimit"]
    assert _kw(check_variable("2.0.1", "OCPPCommCtrlr", "HeartbeatInterval", "0")) == ["minLimit"]


def test_reported_characteristics_win_and_are_compared() -> None:
    chars = {"dataType": "integer", "unit": "kWh", "minLimit": 0, "maxLimit": 22000}
    found = check_variable("2.0.1", "EVSE", "Power", "23000", characteristics=chars)
    assert [(v.path, v.keyword) for v in found] == [
        ("/variableCharacteristics/dataType", "dataType"),
        ("/variableCharacteristics/unit", "unit"),
        ("", "maxLimit"),
    ]
    assert (
        check_variable("2.0.1", "EVSE", "Power", "22000", characteristics={"unit": "kW", "maxLimit": 22000})
        == []
    )
    # a reported values list narrows the standard one, and must stay inside it
    narrow = {"dataType": "MemberList", "valuesList": "EVConnected,Authorized"}
    assert _kw(
        check_variable("2.0.1", "TxCtrlr", "TxStartPoint", "PowerPathClosed", characteristics=narrow)
    ) == ["valuesList"]
    wide = {"dataType": "MemberList", "valuesList": "EVConnected,Teleported"}
    (extra,) = check_variable("2.0.1", "TxCtrlr", "TxStartPoint", "EVConnected", characteristics=wide)
    assert extra.path == "/variableCharacteristics/valuesList" and "'Teleported'" in extra.message
    # 2.1 maxElements bounds the members of a list
    most = {"dataType": "MemberList", "maxElements": 1}
    assert _kw(
        check_variable("2.1", "TxCtrlr", "TxStartPoint", "EVConnected,Authorized", characteristics=most)
    ) == ["maxElements"]


def test_oca_disagreements_accept_either_type() -> None:
    # appendix: string; published table: OptionList (DHCP, manual)
    assert check_variable("2.0.1", "ClockCtrlr", "NtpSource", "pool.ntp.org") == []
    # appendix: boolean; published table: OptionList (Never, OncePerTransaction, EveryMeterValue)
    assert check_variable("2.0.1", "OCPPCommCtrlr", "PublicKeyWithSignedMeterValue", "true") == []
    assert check_variable("2.0.1", "OCPPCommCtrlr", "PublicKeyWithSignedMeterValue", "Never") == []
    assert check_variable("2.0.1", "OCPPCommCtrlr", "PublicKeyWithSignedMeterValue", "Sometimes") != []


def test_instances_and_attribute_types() -> None:
    assert check_variable("2.0.1", "DeviceDataCtrlr", "ItemsPerMessage", "x", instance="GetReport") != []
    assert check_variable("2.0.1", "EVSE", "ACCurrent", "16.5", instance="L1") == []
    assert check_variable("2.0.1", "EVSE", "Power", "x", "MaxSet") != []
    assert check_variable("2.1", "ConnectedEV", "EnergyImport", "5000", "Target") == []


def test_unknown_variables_are_not_judged() -> None:
    assert check_variable("2.0.1", "VendorCtrlr", "Anything", "whatever") == []
    # ... unless the charger says what the value is
    assert (
        check_variable("2.0.1", "VendorCtrlr", "Anything", "x", characteristics={"dataType": "integer"}) != []
    )


def test_check_value_directly() -> None:
    assert check_value("integer", "5", min_limit=Decimal(1), max_limit=Decimal(10)) == []
    assert check_value("OptionList", "c", values=("a", "b")) == [
        ("valuesList", "'c' is not in the values list (a, b)")
    ]
    assert check_value("string", "abcd", max_limit=Decimal(3)) == [
        ("maxLimit", "4 characters, more than the maximum length 3")
    ]


def test_bad_arguments_raise_from_the_tree() -> None:
    with pytest.raises(UnsupportedError):
        check_variable("1.6", "TxCtrlr", "TxStartPoint", "x")
    with pytest.raises(UnsupportedError):
        check_variable("2.0.1", "TxCtrlr", "TxStartPoint", 5)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedError):
        check_variable("2.0.1", "TxCtrlr", "TxStartPoint", "x", "Minimum")
    with pytest.raises(UnsupportedError):
        check_variable("2.0.1", "TxCtrlr", "TxStartPoint", "x", characteristics=[1])  # type: ignore[arg-type]
    with pytest.raises(UnsupportedError):
        check_key("HeartbeatInterval", None)  # type: ignore[arg-type]


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@given(
    version=st.sampled_from(["2.0.1", "2.1"]),
    component=st.sampled_from(["TxCtrlr", "EVSE", "ClockCtrlr", "SecurityCtrlr", "X", "", "\udcff"]),
    variable=st.sampled_from(["TxStartPoint", "Power", "DateTime", "Identity", "Timeout", "Y", ""]),
    value=st.text(max_size=40),
    instance=st.none() | st.text(max_size=6),
    chars=st.none()
    | st.fixed_dictionaries(
        {},
        optional={
            "dataType": _JSONISH | st.sampled_from(["integer", "MemberList", "dateTime"]),
            "unit": _JSONISH,
            "minLimit": _JSONISH | st.just(float("nan")) | st.just(10**400),
            "maxLimit": _JSONISH | st.just(float("inf")),
            "valuesList": _JSONISH,
            "maxElements": _JSONISH,
        },
    ),
)
def test_hostile_values_never_escape_the_error_tree(
    version: str,
    component: str,
    variable: str,
    value: str,
    instance: str | None,
    chars: dict[str, object] | None,
) -> None:
    found = check_variable(version, component, variable, value, instance=instance, characteristics=chars)
    assert all(isinstance(v, Violation) and v.message for v in found)


@given(
    key=st.sampled_from(["HeartbeatInterval", "ConnectorPhaseRotation", "MeterValuesSampledData", "X"]),
    value=st.text(),
)
def test_hostile_config_values(key: str, value: str) -> None:
    assert all(isinstance(v, Violation) for v in check_key(key, value))


# --------------------------------------------------------------------------- OCPP 1.6 keys


@pytest.mark.parametrize(
    ("key", "value", "keywords"),
    [
        ("HeartbeatInterval", "300", []),
        ("HeartbeatInterval", "5m", ["dataType"]),
        ("heartbeatinterval", "5m", ["dataType"]),  # CiString: keys are case-insensitive
        ("LocalPreAuthorize", "TRUE", ["dataType"]),
        ("MeterValuesSampledData", "Energy.Active.Import.Register,Temperature", []),
        ("MeterValuesSampledData", "Energy.Active.Import.Register,Power", ["values"]),
        ("SupportedFeatureProfiles", "Core,Smart Charging", ["values"]),
        ("ConnectorPhaseRotation", "0.RST,1.RTS,2.NotApplicable", []),
        ("ConnectorPhaseRotation", "RST", ["format"]),
        ("ConnectorPhaseRotation", "1.XYZ", ["values"]),
        ("ChargingScheduleAllowedChargingRateUnit", "Current,Power", []),
        ("ChargingScheduleAllowedChargingRateUnit", "A", ["values"]),
        ("AuthorizationKey", "anything", []),  # not a §9 key: nothing to check against
    ],
)
def test_v16_keys(key: str, value: str, keywords: list[str]) -> None:
    assert _kw(check_key(key, value)) == keywords
