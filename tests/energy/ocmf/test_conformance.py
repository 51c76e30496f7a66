"""OCMF conformance: the language-neutral suite, the cross-curve vectors, real records from meter makers.

The suite file is the one named by ``OCPKIT_OCMF_SUITE`` when set (any file of the
suite format), else the shared copy. Every case is one test whose id is the case id.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ocpkit.energy import ocmf
from ocpkit.errors import OcmfInvalid
from tests.conftest import require_shared, shared_dir
from tests.energy.ocmf._make import require_crypto

_SHARED_OCMF = ("conformance", "ocmf")
# Expectations that are arguable, each with the reason; none is at the moment. A case listed
# here runs as a strict xfail, so the entry has to go once the case passes.
ARGUABLE: dict[str, str] = {}


def _ocmf_dir() -> Path | None:
    base = shared_dir()
    return None if base is None else base.joinpath(*_SHARED_OCMF)


def _suite_path() -> Path | None:
    named = os.environ.get("OCPKIT_OCMF_SUITE")
    if named:
        return Path(named)
    base = _ocmf_dir()
    return None if base is None else base / "hupe1980-ocmf" / "conformance" / "suite.json"


def _params(cases: list[dict[str, Any]]) -> list[Any]:
    out = []
    for case in cases:
        marks = []
        if case["id"] in ARGUABLE:
            marks.append(pytest.mark.xfail(reason=ARGUABLE[case["id"]], strict=True))
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


def _suite_cases() -> list[Any]:
    path = _suite_path()
    if path is None or not path.is_file():
        return [pytest.param(None, id="suite-not-found")]
    suite = json.loads(path.read_text(encoding="utf-8"))
    return _params(suite["cases"])


def _json(*parts: str) -> Any:
    base = _ocmf_dir()
    if base is None:
        return None
    return json.loads(base.joinpath(*parts).read_text(encoding="utf-8"))


def _need(value: Any) -> Any:
    if value is None:
        if os.environ.get("OCPKIT_OCMF_SUITE"):
            pytest.fail(f"the suite file {os.environ['OCPKIT_OCMF_SUITE']} was not found")
        require_shared()
    return value


@pytest.mark.shared
@pytest.mark.parametrize("case", _suite_cases())
def test_suite_case(case: dict[str, Any] | None) -> None:
    case = _need(case)
    expect = case["expect"]
    try:
        record = ocmf.parse(case["record"])
    except OcmfInvalid:
        assert expect["parses"] is False, "the record should parse"
        assert expect["round_trips"] is False
        return
    assert expect["parses"] is True, "the record should be refused"
    assert (record.to_text() == case["record"]) is expect["round_trips"]
    assert str(record) == case["record"]
    found = [d.kind.value for d in record.deviations]
    if case.get("key"):
        require_crypto()
        verification = record.verify(case["key"])
        assert verification.valid is expect["verifies"], verification.reason
        found += [d.kind.value for d in verification.deviations]
    else:
        assert expect["verifies"] is None, "a case that verifies carries a key"
    # The suite compares the deviations as a multiset, after verification.
    assert Counter(found) == Counter(expect["deviations"])
    assert len(record.readings) == expect["readings"]
    assert sum(r.billable for r in record.readings) == expect["billable_readings"]


def _vectors() -> list[Any]:
    data = _json("hupe1980-ocmf", "ocmf", "tests", "vectors", "curves.json")
    if data is None:
        return [pytest.param(None, id="vectors-not-found")]
    return [pytest.param(v, id=f"{v['curve']}-{v.get('shape', 'spki')}") for v in data["vectors"]]


@pytest.mark.shared
@pytest.mark.parametrize("vector", _vectors())
def test_curve_vector_verifies(vector: dict[str, Any] | None) -> None:
    vector = _need(vector)
    require_crypto()
    record = ocmf.parse(vector["record"])
    assert record.signature.algorithm == ocmf.SignatureAlgorithm(vector["algorithm"])
    result = record.verify(vector["key_spki_hex"])
    assert result.valid, result.reason
    assert result.curve == ocmf.Curve(vector["curve"])
    kinds = {d.kind for d in result.deviations}
    assert (ocmf.DeviationKind.RAW_SIGNATURE_NOT_DER in kinds) is (vector.get("shape") == "raw-rs-signature")
    # Any change to the signed text breaks the signature: the payload is never rebuilt.
    tampered = vector["record"].replace('"RV":129.500', '"RV":129.501')
    assert tampered != vector["record"]
    assert not ocmf.parse(tampered).verify(vector["key_spki_hex"]).valid


def _corpus() -> list[Any]:
    data = _json("hupe1980-ocmf", "ocmf", "tests", "corpus", "records.json")
    if data is None:
        return [pytest.param(None, id="corpus-not-found")]
    return [pytest.param(e, id=f"{e['source']}#{e['index']}") for e in data["entries"]]


@pytest.mark.shared
@pytest.mark.parametrize("entry", _corpus())
def test_real_record_matches_openssl(entry: dict[str, Any] | None) -> None:
    """256 records of real meters (S.A.F.E. test data), against an OpenSSL verdict per record.

    The verdict is ``null`` where nothing can be checked: no key, a key that is no key, or an
    ``SD`` that does not decode. A record always parses and prints back unchanged.
    """
    entry = _need(entry)
    require_crypto()
    record = ocmf.parse(entry["record"])
    assert record.to_text() == entry["record"]
    verdict: bool | None = None
    if entry["key"] and record.signature.data is not None:
        try:
            verdict = record.verify(entry["key"]).valid
        except OcmfInvalid:
            verdict = None
    assert verdict is entry["openssl_verified"]


def _xml_values(path: Path) -> list[tuple[str, str | None]]:
    values = []
    for value in ET.parse(path).getroot().iter("value"):
        data = value.find("signedData")
        key = value.find("publicKey")
        if data is not None and data.text and data.text.strip().startswith("OCMF|"):
            values.append((data.text.strip(), None if key is None or not key.text else key.text.strip()))
    return values


def _asserted_files() -> list[Any]:
    expected = _json("transparenzsoftware", "expected.json")
    if expected is None:
        return [pytest.param(None, id="expected-not-found")]
    out = []
    for name, facts in sorted(expected["files"].items()):
        asserted = facts.get("asserted") or {}
        if facts.get("format") == ["OCMF"] and isinstance(asserted.get("verifies"), bool):
            out.append(pytest.param((name, asserted["verifies"]), id=name))
    return out


@pytest.mark.shared
@pytest.mark.parametrize("item", _asserted_files())
def test_transparency_file_outcome(item: tuple[str, bool] | None) -> None:
    """The outcome the S.A.F.E. reference tests assert for their OCMF files (all verify, or not)."""
    name, verifies = _need(item)
    require_crypto()
    base = _ocmf_dir()
    assert base is not None
    values = _xml_values(base / "transparenzsoftware" / "resources" / name)
    assert values, "the file carries OCMF values"
    results = []
    for text, key in values:
        assert key is not None
        results.append(ocmf.parse(text).verify(key).valid)
    assert all(results) is verifies, results


@pytest.mark.shared
@pytest.mark.parametrize("name", ["base64_ocmf.xml", "working_ocmf.xml"])
def test_pyocmf_examples_verify(name: str) -> None:
    base = _need(_ocmf_dir())
    require_crypto()
    values = _xml_values(base / "pyocmf" / "test" / "resources" / "other_examples" / name)
    assert values
    for text, key in values:
        assert key is not None
        record = ocmf.parse(text)
        assert record.verify(key).valid
        # pyocmf's own negative vector: one reading value changed must not verify.
        if '"RV":1709.539307' in text:
            assert not ocmf.parse(text.replace('"RV":1709.539307', '"RV":1709.539308', 1)).verify(key).valid
