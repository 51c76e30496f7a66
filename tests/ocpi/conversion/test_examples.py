"""Every official example of every version converts to the other two versions, or says why not.

2.2.1 and 2.3.0 examples are the files ``tests/ocpi/test_examples.py`` maps;
2.1.1 has no example files, so its examples are the JSON blocks of its text,
mapped below by file and line. Each example that is valid in its own version is
converted to each other version that has its object: without context first;
when that fails for want of context, the error must name the keys, and the
conversion is repeated with exactly those keys supplied. The result must then
validate strictly in the target version. Examples that cannot convert at all are
listed in UNCONVERTIBLE with the reason their error gives (the test asserts the
error, so the list cannot go stale); examples that are not valid in their own
version (tests/ocpi/test_examples.py names what they break) must be refused by
the source parse.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocpkit.errors import ConversionError, ObjectInvalid
from ocpkit.ocpi import convert, parse, to_jsonable, version_package
from ocpkit.ocpi.conversion import CONTEXT_KEYS, VERSIONS
from tests.conftest import shared_dir
from tests.ocpi.test_examples import COMMON, KNOWN_WRONG, PAYMENTS, Entry

# (file, line of the opening fence) -> what the block is.
EXAMPLES_211: dict[tuple[str, int], Entry] = {
    ("credentials.md", 94): ("object", "Credentials"),
    ("mod_cdrs.md", 249): ("object", "CDR"),
    ("mod_locations.md", 289): ("partial", "EVSE"),
    ("mod_locations.md", 302): ("partial", "Location"),
    ("mod_locations.md", 315): ("partial", "Connector"),
    ("mod_locations.md", 328): ("object", "EVSE"),
    ("mod_locations.md", 354): ("partial", "EVSE"),
    ("mod_locations.md", 431): ("object", "Location"),
    ("mod_locations.md", 707): ("fragment", "EnergyMix"),
    ("mod_locations.md", 715): ("fragment", "EnergyMix"),
    ("mod_locations.md", 725): ("fragment", "EnergyMix"),
    ("mod_locations.md", 1004): ("fragment", "Hours"),
    ("mod_sessions.md", 190): ("partial", "Session"),
    ("mod_sessions.md", 244): ("object", "Session"),
    ("mod_sessions.md", 327): ("object", "Session"),
    ("mod_tariffs.md", 186): ("object", "Tariff"),
    ("mod_tariffs.md", 208): ("object", "Tariff"),
    ("mod_tariffs.md", 293): ("object", "Tariff"),
    ("mod_tariffs.md", 309): ("object", "Tariff"),
    ("mod_tariffs.md", 333): ("object", "Tariff"),
    ("mod_tariffs.md", 359): ("object", "Tariff"),
    ("mod_tariffs.md", 427): ("object", "Tariff"),
    ("mod_tokens.md", 128): ("object", "Token"),
    ("mod_tokens.md", 168): ("partial", "Token"),
    ("mod_tokens.md", 360): ("object", "Token"),
    ("transport_and_format.md", 226): ("response-list", "Version"),
    ("transport_and_format.md", 243): ("response", "VersionDetails"),
    ("transport_and_format.md", 278): ("response", "Token"),
    ("transport_and_format.md", 299): ("response-list", "Token"),
    ("version_information_endpoint.md", 49): ("list", "Version"),
    ("version_information_endpoint.md", 150): ("object", "VersionDetails"),
}
# 2.1.1 blocks that are not valid 2.1.1 (the source parse must refuse them).
WRONG_211: dict[str, str] = {
    "mod_cdrs.md:249": "not JSON: a trailing comma after the price_components list",
    "mod_locations.md:328": "EVSE PUT body: 'floor', a numeric physical_reference, no last_updated, "
    "and a Connector without power_type, voltage, amperage, last_updated",
    "mod_sessions.md:244": "the embedded Location's country is 'BE', not an ISO 3166 alpha-3 code",
    "mod_sessions.md:327": "the embedded Location's country is 'BE', not an ISO 3166 alpha-3 code",
    "mod_tariffs.md:186": "a PUT Tariff without last_updated",
    "mod_tariffs.md:208": "a Tariff PATCH body (labelled PUT); ocpkit's 2.1.1 models have no Tariff partial",
    "transport_and_format.md:226": "lists version '1.9', which 2.1.1 VersionNumber does not have",
}

# (version, example, target) -> a pattern of the ConversionError message, and why.
UNCONVERTIBLE: dict[tuple[str, str, str], tuple[str, str]] = {
    ("2.3.0", "tariff_20_simple_north_american_inclusive.json", "2.2.1"): (
        "tax_included is YES",
        "its prices include taxes; 2.2.1 (and 2.1.1) tariff prices exclude VAT",
    ),
    ("2.3.0", "tariff_20_simple_north_american_inclusive.json", "2.1.1"): (
        "tax_included is YES",
        "its prices include taxes; 2.2.1 (and 2.1.1) tariff prices exclude VAT",
    ),
}

CONTEXT: dict[str, Any] = {
    "country_code": "NL",
    "party_id": "EXA",
    "time_zone": "Europe/Amsterdam",
    "token_uid": "012345678",
    "token_type": "RFID",
    "token_country_code": "NL",
    "token_party_id": "EMS",
    "evse_id": "NL*EXA*E1",
    "postal_code": "1000",
    "role": "CPO",
    "timeout": 30,
    "reservation_id": 1,
    "last_updated": "2024-01-01T00:00:00Z",
}


def _blocks_211(root: Path) -> dict[tuple[str, int], str]:
    out = {}
    for path in sorted((root / "specs/ocpi/2.1.1").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"```json\s*\n(.*?)```", text, re.S):
            out[(path.name, text[: m.start()].count("\n") + 1)] = m.group(1)
    return out


def _decode(body: str, kind: str) -> Any:
    body = body.strip()
    if body.startswith(("PUT", "PATCH")):
        body = body.split("\n", 1)[1].strip()  # the request line the text puts above a body
    if kind == "fragment" and not body.startswith("{"):
        body = "{" + body + "}"  # 2.1.1 writes a fragment as a bare `"key": value`
    return json.loads(body, parse_float=Decimal)


def _cases() -> list[Any]:
    root = shared_dir()
    if root is None:
        return [pytest.param(None, None, None, None, id="reference-material-absent")]
    out = []
    blocks = _blocks_211(root)
    for key, entry in EXAMPLES_211.items():
        out.append(
            pytest.param("2.1.1", f"{key[0]}:{key[1]}", entry, blocks[key], id=f"2.1.1-{key[0]}:{key[1]}")
        )
    for version in ("2.2.1", "2.3.0"):
        folder = root / "specs/ocpi" / version / "examples"
        table = {**COMMON, **(PAYMENTS if version == "2.3.0" else {})}
        table.update(
            {p.name: ("object", "Tariff") for p in folder.glob("tariff_*.json") if p.name not in table}
        )
        for name, entry in sorted(table.items()):
            out.append(
                pytest.param(
                    version, name, entry, (folder / name).read_text(encoding="utf-8"), id=f"{version}-{name}"
                )
            )
    return out


def _objects(doc: Any, kind: str) -> tuple[Any, bool]:
    """The part of an example to convert, and whether it is a PATCH body."""
    if kind == "fragment":
        (value,) = doc.values()
        return value, False
    if kind.startswith("response"):
        return doc["data"], False
    return doc, kind == "partial"


def _location_for(doc: dict[str, Any], version: str) -> dict[str, Any]:
    """A Location (in the example's version) holding the EVSE and Connector a Session or CDR names."""
    ref = doc.get("cdr_location") or {
        "id": doc["location_id"],
        "evse_uid": doc["evse_uid"],
        "connector_id": doc["connector_id"],
    }
    connector = {
        "id": ref["connector_id"],
        "standard": ref.get("connector_standard", "IEC_62196_T2"),
        "format": ref.get("connector_format", "SOCKET"),
        "power_type": ref.get("connector_power_type", "AC_3_PHASE"),
        "max_voltage": 230,
        "max_amperage": 16,
        "last_updated": "2024-01-01T00:00:00Z",
    }
    evse = {
        "uid": ref["evse_uid"],
        "status": "AVAILABLE",
        "connectors": [connector],
        "last_updated": "2024-01-01T00:00:00Z",
    }
    return {
        "country_code": doc.get("country_code", "NL"),
        "party_id": doc.get("party_id", "EXA"),
        "id": ref["id"],
        "publish": True,
        "address": ref.get("address", "Street 1"),
        "city": ref.get("city", "Town"),
        "postal_code": ref.get("postal_code", "1000"),
        "country": ref.get("country", "NLD"),
        "coordinates": ref.get("coordinates", {"latitude": "52.00000", "longitude": "4.00000"}),
        "evses": [evse],
        "time_zone": "Europe/Amsterdam",
        "last_updated": "2024-01-01T00:00:00Z",
    }


def _context_for(keys: tuple[str, ...], value: Any, version: str, target: str) -> dict[str, Any]:
    context = {}
    for key in keys:
        if key == "location":
            context[key] = _location_for(value, version)
        elif key == "version":
            context[key] = target
        elif key in ("evse_uid", "connector_id"):
            evse = value["location"]["evses"][0]
            context[key] = evse["uid"] if key == "evse_uid" else evse["connectors"][0]["id"]
        else:
            context[key] = CONTEXT[key]
    return context


def _check(value: Any, target: str, name: str, partial: bool, result: Any) -> None:
    items = result.value if isinstance(value, list) else [result.value]
    for item in items:
        parse(target, name, to_jsonable(item), partial=partial)
    source_doc = value if isinstance(value, list) else [value]
    assert result.losses or len(items) == len(source_doc)


@pytest.mark.shared
@pytest.mark.parametrize(("version", "example", "entry", "body"), _cases())
def test_example_converts_to_the_other_versions(
    shared: Path, version: str, example: str, entry: Entry, body: str
) -> None:
    kind, name = entry
    targets = [t for t in VERSIONS if t != version and name in version_package(t).OBJECTS]
    wrong = WRONG_211.get(example) if version == "2.1.1" else KNOWN_WRONG.get((version, example))
    try:
        doc = _decode(body, kind)
    except ValueError:
        assert wrong, f"{example} is not JSON and not listed as wrong"
        return
    value, partial = _objects(doc, kind)
    if wrong:
        with pytest.raises(ObjectInvalid):
            convert(value, to=targets[0] if targets else version, from_=version, name=name, partial=partial)
        return
    for target in targets:
        known = UNCONVERTIBLE.get((version, example, target))
        try:
            result = convert(value, to=target, from_=version, name=name, partial=partial)
        except ConversionError as exc:
            if known is not None:
                assert re.search(known[0], str(exc)), (str(exc), known[1])
                continue
            assert exc.missing, f"{example} -> {target} refused without naming context: {exc}"
            assert set(exc.missing) <= set(CONTEXT_KEYS)
            context = _context_for(exc.missing, value, version, target)
            result = convert(value, to=target, from_=version, name=name, partial=partial, context=context)
        else:
            assert known is None, f"{example} -> {target} converts; drop it from UNCONVERTIBLE"
        _check(value, target, name, partial, result)


@pytest.mark.shared
def test_every_2_1_1_json_block_is_mapped(shared: Path) -> None:
    blocks = _blocks_211(shared)
    skipped = {("transport_and_format.md", 338)}  # an error response: status only, no object
    assert set(blocks) - skipped == set(EXAMPLES_211)
    assert set(WRONG_211) <= {f"{f}:{line}" for f, line in EXAMPLES_211}
