"""OCPP-J framing: frame rules, error codes per version, JSON decoding rules, serialisation."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from ocpkit.errors import FrameInvalid, UnsupportedError
from ocpkit.ocpp import _json, parse_frame
from ocpkit.ocpp.rpc import (
    ERROR_CODES,
    RULE_CODES,
    Call,
    CallError,
    CallResult,
    CallResultError,
    Send,
    rule_code,
    serialize,
)

VERSIONS = ("1.6", "2.0.1", "2.1")


@pytest.fixture(params=["orjson", "stdlib"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with the orjson decoder and with the pure standard-library fallback."""
    if request.param == "stdlib":
        monkeypatch.setattr(_json, "_orjson", None)
    elif not _json.HAVE_ORJSON:
        pytest.skip("orjson not installed")
    yield request.param


def _codes(exc: FrameInvalid) -> list[str]:
    return [v.code for v in exc.violations]


def test_each_frame_type_parses_and_serialises_back() -> None:
    frames = {
        '[2,"m1","Heartbeat",{}]': Call("m1", "Heartbeat", {}),
        '[3,"m1",{"currentTime":"2024-01-01T00:00:00Z"}]': CallResult(
            "m1", {"currentTime": "2024-01-01T00:00:00Z"}
        ),
        '[4,"m1","NotImplemented","no",{"a":1}]': CallError("m1", "NotImplemented", "no", {"a": 1}),
    }
    for text, expected in frames.items():
        for version in VERSIONS:
            frame = parse_frame(text, version)
            assert frame == expected
            assert serialize(frame) == text
    assert parse_frame('[5,"m","FormatViolation","",{}]', "2.1") == CallResultError(
        "m", "FormatViolation", "", {}
    )
    send = (
        '[6,"m","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2024-01-01T00:00:00Z","data":[]}]'
    )
    assert serialize(parse_frame(send, "2.1")) == send
    assert isinstance(parse_frame(send.encode(), "2.1"), Send)
    assert parse_frame([2, "x", "Heartbeat", {}], "1.6") == Call("x", "Heartbeat", {})


def test_serialise_is_compact_and_keeps_unicode() -> None:
    frame = Call("é", "DataTransfer", {"vendorId": "ü", "data": "😀"})
    assert serialize(frame) == '[2,"é","DataTransfer",{"vendorId":"ü","data":"😀"}]'
    assert serialize(CallResult("m", {"big": 2**70})) == '[3,"m",{"big":1180591620717411303424}]'
    with pytest.raises(FrameInvalid):
        serialize(CallResult("m", {"x": float("nan")}))


@pytest.mark.parametrize("version", VERSIONS)
def test_types_5_and_6_only_in_2_1(version: str) -> None:
    for text in ('[5,"m","GenericError","",{}]', '[6,"m","NotifyPeriodicEventStream",{}]'):
        if version == "2.1":
            parse_frame(text, version)
            continue
        with pytest.raises(FrameInvalid) as info:
            parse_frame(text, version)
        assert _codes(info.value) == [{"1.6": "ProtocolError"}.get(version, "MessageTypeNotSupported")]
        assert info.value.message_id == "m"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("{}", "frame"),
        ("[]", "frame"),
        ('["2","m","Heartbeat",{}]', "frame"),
        ('[2.0,"m","Heartbeat",{}]', "frame"),
        ('[true,"m","Heartbeat",{}]', "frame"),
        ('[7,"m","Heartbeat",{}]', "messageType"),
        ('[0,"m"]', "messageType"),
        ('[2,"m","Heartbeat",{},{}]', "frame"),
        ('[2,"m","Heartbeat"]', "format"),
        ('[3,"m",{},1]', "frame"),
        ('[2,1,"Heartbeat",{}]', "frame"),
        ('[2,null,"Heartbeat",{}]', "frame"),
        ('[2,"' + "x" * 37 + '","Heartbeat",{}]', "frame"),
        ('[2,"m",5,{}]', "frame"),
        ('[2,"m","NoSuchAction",{}]', "unknownAction"),
        ('[2,"m","heartbeat",{}]', "unknownAction"),
        ('[2,"m","Heartbeat",[]]', "format"),
        ('[2,"m","Heartbeat",null]', "format"),
        ('[3,"m","x"]', "format"),
        ('[4,"m","NotAnErrorCode","",{}]', "frame"),
        ('[4,"m","GenericError",1,{}]', "frame"),
        ('[4,"m","GenericError","",[]]', "frame"),
        ("[2,", "json"),
        ("", "json"),
        ('[2,"m","Heartbeat",{"a":NaN}]', "json"),
    ],
)
@pytest.mark.parametrize("version", VERSIONS)
def test_frame_rules_and_their_codes(text: str, rule: str, version: str) -> None:
    with pytest.raises(FrameInvalid) as info:
        parse_frame(text, version)
    assert info.value.violations[0].keyword == rule or rule in [v.keyword for v in info.value.violations]
    assert rule_code(rule, version) in _codes(info.value)
    assert all(code in ERROR_CODES[version] for code in _codes(info.value))


def test_message_id_of_36_characters_is_accepted_37_is_not() -> None:
    assert parse_frame(json.dumps([2, "é" * 36, "Heartbeat", {}]), "2.0.1").message_id == "é" * 36  # type: ignore[union-attr]
    with pytest.raises(FrameInvalid) as info:
        parse_frame(json.dumps([2, "é" * 37, "Heartbeat", {}]), "2.0.1")
    assert info.value.code == "RpcFrameworkError"


def test_all_frame_faults_are_listed() -> None:
    with pytest.raises(FrameInvalid) as info:
        parse_frame('[2,1,"Nope",[],0]', "2.0.1")
    assert {v.keyword for v in info.value.violations} == {"frame", "unknownAction", "format"}
    assert len(info.value.violations) == 4  # length, id, action, payload


def test_wrong_direction_is_not_supported() -> None:
    # BootNotification is sent by the charging station only; RemoteStartTransaction by the central system.
    with pytest.raises(FrameInvalid) as info:
        parse_frame('[2,"m","BootNotification",{}]', "1.6", sender="CSMS")
    assert info.value.code == "NotSupported"
    parse_frame('[2,"m","BootNotification",{}]', "1.6", sender="ChargingStation")
    parse_frame('[2,"m","DataTransfer",{}]', "1.6", sender="CSMS")
    with pytest.raises(FrameInvalid) as info:
        parse_frame('[2,"m","RemoteStartTransaction",{}]', "1.6", sender="ChargingStation")
    assert info.value.code == "NotSupported"
    # A SEND-only message sent as a CALL, and a CALL action sent as SEND.
    for text in ('[2,"m","NotifyPeriodicEventStream",{}]', '[6,"m","Heartbeat",{}]'):
        with pytest.raises(FrameInvalid) as info:
            parse_frame(text, "2.1")
        assert info.value.code == "NotSupported"


def test_unknown_version_is_unsupported() -> None:
    for bad in ("2.0", "1.5", None, 16):
        with pytest.raises(UnsupportedError):
            parse_frame("[2]", bad)  # type: ignore[arg-type]


def test_error_code_table_per_version() -> None:
    """The codes follow each version's OCPP-J text, spelling included."""
    assert "FormationViolation" in ERROR_CODES["1.6"] and "FormatViolation" not in ERROR_CODES["1.6"]
    for v in ("2.0.1", "2.1"):
        assert "FormatViolation" in ERROR_CODES[v] and "FormationViolation" not in ERROR_CODES[v]
        assert {"MessageTypeNotSupported", "RpcFrameworkError"} <= ERROR_CODES[v]
    assert not {"MessageTypeNotSupported", "RpcFrameworkError"} & ERROR_CODES["1.6"]
    assert "OccurenceConstraintViolation" in ERROR_CODES["1.6"]
    assert "OccurenceConstraintViolation" in ERROR_CODES["2.0.1"]
    assert "OccurrenceConstraintViolation" in ERROR_CODES["2.1"]
    assert "OccurenceConstraintViolation" not in ERROR_CODES["2.1"]
    for v in VERSIONS:
        assert {
            "NotImplemented",
            "NotSupported",
            "GenericError",
            "InternalError",
            "ProtocolError",
        } <= ERROR_CODES[v]
        for rule, codes in RULE_CODES.items():
            assert codes[v] in ERROR_CODES[v], (rule, v)
    # Not swapped: an unknown action is NotImplemented, a known but unwanted one NotSupported.
    assert {RULE_CODES["unknownAction"][v] for v in VERSIONS} == {"NotImplemented"}
    assert {RULE_CODES["direction"][v] for v in VERSIONS} == {"NotSupported"}
    with pytest.raises(UnsupportedError):
        rule_code("nope", "1.6")


# --- JSON decoding rules ---------------------------------------------------------------------------


def _payload(text: bytes | str) -> object:
    frame = parse_frame(text, "2.0.1")
    assert isinstance(frame, Call)
    return frame.payload["data"]


def _data(value_text: str) -> str:
    return '[2,"m","DataTransfer",{"vendorId":"v","data":' + value_text + "}]"


@pytest.mark.usefixtures("decoder")
def test_integers_are_exact_at_any_size() -> None:
    for n in (2**63 - 1, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, -(10**40), 10**1000):
        value = _payload(_data(str(n)))
        assert value == n and type(value) is int
    assert _payload(_data("[1234567890123456789012, 1.5]")) == [1234567890123456789012, 1.5]
    # digits inside strings do not confuse the decoder
    assert _payload(_data('"12345678901234567890123"')) == "12345678901234567890123"


@pytest.mark.usefixtures("decoder")
def test_non_integers_are_doubles_and_overflow_is_refused() -> None:
    assert _payload(_data("1.0")) == 1.0 and type(_payload(_data("1.0"))) is float
    assert type(_payload(_data("1e2"))) is float
    assert _payload(_data("1e-400")) == 0.0
    for text in ("1e400", "-1e400", "NaN", "Infinity", "-Infinity"):
        with pytest.raises(FrameInvalid) as info:
            parse_frame(_data(text), "2.0.1")
        assert info.value.violations[0].keyword == "json"
        assert info.value.code == "RpcFrameworkError"


@pytest.mark.usefixtures("decoder")
def test_duplicate_names_last_one_wins() -> None:
    assert _payload(_data('{"a":1,"a":2}')) == {"a": 2}


@pytest.mark.usefixtures("decoder")
def test_utf8_bom_and_surrogates() -> None:
    good = _data('"é😀"').encode()
    assert _payload(good) == "é😀"
    assert _payload(_data('"\\ud83d\\ude00"')) == "😀"
    bad = [
        b"\xef\xbb\xbf" + good,
        good.replace("é".encode(), b"\xe9"),
        good.replace("é".encode(), b"\xed\xa0\x80"),
        _data('"\\ud800"').encode(),
        _data('"\\udc00x"').encode(),
        "\ufeff" + _data('"x"'),
        _data('"\ud800"'),
    ]
    for raw in bad:
        with pytest.raises(FrameInvalid) as info:
            parse_frame(raw, "1.6")
        assert info.value.code == "FormationViolation"


@pytest.mark.usefixtures("decoder")
def test_nesting_is_bounded() -> None:
    ok = "[" * 510 + "]" * 510
    assert _payload(_data(ok)) is not None
    for depth in (512, 513, 100_000):
        with pytest.raises(FrameInvalid):
            parse_frame(_data("[" * depth + "]" * depth), "2.0.1")
    # brackets inside strings do not count
    assert _payload(_data(json.dumps("[" * 2000))) == "[" * 2000


def test_both_decoders_agree_on_edge_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        b"[1, 2.5, -0, -0.0, 1E5, 1e-5]",
        b' {"a" : [ true , false , null ] } ',
        b"[18446744073709551616, -9223372036854775809]",
        b'"\\u0000\\n\\t\\"\\\\\\/"',
        b"[1,]",
        b"01",
        b'"\x01"',
        b"[1] x",
        b"[1e400]",
        b"nan",
        b"[" * 513 + b"]" * 513,
    ]
    results = []
    for orjson_on in (True, False):
        if not orjson_on:
            monkeypatch.setattr(_json, "_orjson", None)
        row = []
        for t in texts:
            try:
                row.append(("ok", _json.decode(t)))
            except _json.JsonError:
                row.append(("error", None))
        results.append(row)
    assert results[0] == results[1]
    assert [r[0] for r in results[1]] == ["ok"] * 4 + ["error"] * 7


# --- sender names (each version's own names; anything else refused with the list) -----------------


@pytest.mark.parametrize(
    ("version", "station", "central"),
    [
        ("1.6", "ChargePoint", "CentralSystem"),
        ("1.6", "ChargingStation", "CSMS"),
        ("2.0.1", "ChargingStation", "CSMS"),
        ("2.1", "ChargingStation", "CSMS"),
    ],
)
def test_sender_accepts_the_names_of_each_version(version: str, station: str, central: str) -> None:
    heartbeat = '[2,"m","Heartbeat",{}]'
    assert isinstance(parse_frame(heartbeat, version, sender=station), Call)
    with pytest.raises(FrameInvalid) as info:
        parse_frame(heartbeat, version, sender=central)
    assert info.value.code == "NotSupported"
    # The message speaks the version's own names for both parties.
    names = ("ChargePoint", "CentralSystem") if version == "1.6" else ("ChargingStation", "CSMS")
    assert str(info.value).splitlines()[0] == f"Heartbeat is sent by the {names[0]}, not the {names[1]}"
    reset = '[2,"m","Reset",{"type":"Hard"}]' if version == "1.6" else '[2,"m","Reset",{"type":"OnIdle"}]'
    assert isinstance(parse_frame(reset, version, sender=central), Call)


@pytest.mark.parametrize(
    ("version", "name"),
    [
        ("1.6", "Chargepoint"),
        ("1.6", "Both"),
        ("2.0.1", "ChargePoint"),
        ("2.1", "CentralSystem"),
        ("2.0.1", ""),
    ],
)
def test_sender_refuses_unknown_names_with_the_list(version: str, name: str) -> None:
    with pytest.raises(UnsupportedError) as info:
        parse_frame('[2,"m","Heartbeat",{}]', version, sender=name)
    text = str(info.value)
    accepted = (
        ["ChargePoint", "CentralSystem", "ChargingStation", "CSMS"]
        if version == "1.6"
        else [
            "ChargingStation",
            "CSMS",
        ]
    )
    assert repr(name) in text and all(a in text for a in accepted), text
    if version != "1.6":
        assert "ChargePoint" not in text.replace(repr(name), "")


def test_check_frame_uses_the_same_sender_names() -> None:
    from ocpkit.ocpp.validation import check_frame

    assert check_frame('[2,"m","Heartbeat",{}]', "1.6", sender="ChargePoint").ok
    report = check_frame('[2,"m","Heartbeat",{}]', "1.6", sender="CentralSystem")
    assert [v.code for v in report.violations] == ["NotSupported"]
    with pytest.raises(UnsupportedError):
        check_frame('[2,"m","Heartbeat",{}]', "2.0.1", sender="ChargePoint")


# --- frames built from models; to_json is JSON text ------------------------------------------------


def test_frames_take_models_as_payloads() -> None:
    from ocpkit.ocpp import v16, v201

    boot = v201.BootNotificationRequest(
        reason="PowerUp", charging_station=v201.datatypes.ChargingStationType(model="M", vendor_name="V")
    )
    call = Call("m1", "BootNotification", boot)
    # The payload is the model's JSON object: wire names, absent fields left out.
    assert call.payload == {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}
    text = '[2,"m1","BootNotification",{"chargingStation":{"model":"M","vendorName":"V"},"reason":"PowerUp"}]'
    assert serialize(call) == text
    assert parse_frame(text, "2.0.1") == call
    result = CallResult("m1", v16.HeartbeatResponse(current_time="2024-01-01T00:00:00Z"))
    assert serialize(result) == '[3,"m1",{"currentTime":"2024-01-01T00:00:00Z"}]'
    send = Send("m2", "NotifyPeriodicEventStream", {"id": 1, "pending": 0, "basetime": "x", "data": []})
    assert serialize(send).startswith('[6,"m2","NotifyPeriodicEventStream",')


def test_to_json_is_text_and_to_array_the_list() -> None:
    frames = [
        Call("m", "Heartbeat", {}),
        CallResult("m", {"a": 1}),
        CallError("m", "GenericError", "d", {}),
        CallResultError("m", "GenericError", "d", {}),
        Send("m", "NotifyPeriodicEventStream", {}),
    ]
    for frame in frames:
        assert isinstance(frame.to_json(), str)
        assert frame.to_json() == serialize(frame)
        assert json.loads(frame.to_json()) == frame.to_array()
        assert frame.to_array()[0] == frame.message_type_id


def test_missing_elements_are_named_missing() -> None:
    with pytest.raises(FrameInvalid) as info:
        parse_frame('[2,"1"]', "2.0.1")
    messages = {v.path: v.message for v in info.value.violations}
    assert messages["/2"] == "the action is missing"
    assert messages["/3"] == "the payload is missing"
    with pytest.raises(FrameInvalid) as info:
        parse_frame("[3]", "1.6")
    messages = {v.path: v.message for v in info.value.violations}
    assert messages["/1"] == "the message id is missing"
    assert messages["/2"] == "the payload is missing"
    with pytest.raises(FrameInvalid) as info:
        parse_frame('[4,"1","GenericError"]', "1.6")
    messages = {v.path: v.message for v in info.value.violations}
    assert messages["/3"] == "the error description is missing"
    assert messages["/4"] == "the error details are missing"
    # A present element of the wrong type keeps its own message.
    with pytest.raises(FrameInvalid) as info:
        parse_frame('[2,"1",5,{}]', "2.0.1")
    assert [v.message for v in info.value.violations] == ["the action must be a string"]
