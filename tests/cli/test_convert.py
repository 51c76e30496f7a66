"""``ocpkit convert``: the result on stdout, the losses on stderr (or one JSON report), exit status 0/1/2."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.cli.test_cli import run
from tests.ocpi.conversion.test_convert import CDR_211, LOCATION_211, TARIFF_221


def _marked(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _marked(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_marked(v) for v in doc]
    return f"@@{doc}@@" if isinstance(doc, Decimal) else doc


def _write(tmp_path: Path, name: str, doc: Any) -> str:
    """Write *doc* as JSON with its decimals as written (0.30 stays 0.30)."""
    path = tmp_path / name
    path.write_text(re.sub(r'"@@(.*?)@@"', r"\1", json.dumps(_marked(doc))), encoding="utf-8")
    return str(path)


def test_converts_and_detects_the_object(tmp_path: Path) -> None:
    loc = _write(tmp_path, "loc.json", LOCATION_211)
    code, out, err = run(
        "convert",
        loc,
        "--from",
        "2.1.1",
        "--to",
        "2.2.1",
        "--context",
        "country_code=NL",
        "--context",
        "party_id=ABC",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["country_code"] == "NL" and result["publish"] is True
    assert result["evses"][0]["connectors"][0]["tariff_ids"] == ["T1"]
    assert "OCPI 2.1.1 Location -> 2.2.1: 0 loss(es)" in err and "derived /publish" in err


def test_json_report_and_exit_status_1_on_losses(tmp_path: Path) -> None:
    tariff = _write(tmp_path, "tariff.json", TARIFF_221)
    code, out, err = run(
        "convert", tariff, "--from", "2.2.1", "--to", "2.1.1", "--object", "Tariff", "--report", "json"
    )
    assert code == 1, err
    report = json.loads(out, parse_float=Decimal)
    assert (report["from"], report["to"], report["object"]) == ("2.2.1", "2.1.1", "Tariff")
    assert {loss["path"] for loss in report["losses"]} >= {"/country_code", "/elements/1", "/min_price"}
    # Decimals are written exactly: 0.30 stays 0.30.
    assert '"price": 0.30' in out
    assert report["value"]["elements"][0]["price_components"][0]["price"] == Decimal("0.30")


def test_missing_context_says_what_to_supply(tmp_path: Path) -> None:
    loc = _write(tmp_path, "loc.json", {k: v for k, v in LOCATION_211.items() if k != "time_zone"})
    code, out, err = run(
        "convert",
        loc,
        "--from",
        "2.1.1",
        "--to",
        "2.3.0",
        "--context",
        "country_code=NL",
        "--context",
        "party_id=ABC",
    )
    assert code == 2 and out == ""
    assert "needs context: time_zone" in err and "--context time_zone=..." in err


def test_context_file_and_envelopes(tmp_path: Path) -> None:
    cdr = _write(
        tmp_path, "cdr.json", {"data": CDR_211, "status_code": 1000, "timestamp": "2024-05-01T10:00:00Z"}
    )
    context = {
        "country_code": "NL",
        "party_id": "ABC",
        "token_uid": "04A1",
        "token_type": "RFID",
        "token_country_code": "NL",
        "token_party_id": "EMS",
    }
    ctx = _write(tmp_path, "ctx.json", context)
    code, out, err = run("convert", cdr, "--from", "2.1.1", "--to", "2.2.1", "--context-file", ctx)
    assert code == 1, err
    assert json.loads(out)["cdr_token"]["uid"] == "04A1"
    assert "lost /location/operator" in err


def test_patch_bodies(tmp_path: Path) -> None:
    patch = _write(tmp_path, "patch.json", {"tariff_id": "15"})
    code, out, err = run(
        "convert",
        patch,
        "--from",
        "2.1.1",
        "--to",
        "2.2.1",
        "--partial",
        "--context",
        "last_updated=2024-05-01T10:00:00Z",
    )
    assert code == 0, err
    assert json.loads(out) == {"tariff_ids": ["15"], "last_updated": "2024-05-01T10:00:00Z"}


def test_bad_input_is_a_message_and_status_2(tmp_path: Path) -> None:
    garbage = tmp_path / "bad.json"
    garbage.write_bytes(b"{\xff")
    for argv in (
        (str(garbage), "--from", "2.1.1", "--to", "2.2.1"),
        (str(tmp_path / "missing.json"), "--from", "2.1.1", "--to", "2.2.1"),
        (_write(tmp_path, "x.json", {"a": 1}), "--from", "2.1.1", "--to", "2.2.1"),
        (
            _write(tmp_path, "loc.json", LOCATION_211),
            "--from",
            "2.1.1",
            "--to",
            "2.2.1",
            "--context",
            "tz=UTC",
        ),
        (
            _write(tmp_path, "loc2.json", LOCATION_211),
            "--from",
            "2.1.1",
            "--to",
            "2.2.1",
            "--context",
            "novalue",
        ),
        (_write(tmp_path, "loc3.json", LOCATION_211), "--from", "2.1.1", "--to", "2.2.1", "--object", "Nope"),
    ):
        code, out, err = run("convert", *argv)
        assert code == 2 and out == "" and err.startswith("ocpkit convert: "), (argv, err)
    code, _, err = run("convert", str(garbage), "--from", "2.1.1")
    assert code == 2 and "--to" in err


def test_hostile_files_end_as_a_message(tmp_path: Path) -> None:
    for i, raw in enumerate(
        (
            b"[" * 100_000 + b"]" * 100_000,
            b'{"id": NaN}',
            b'{"id": "L1", "address": ',
            b'{"total_cost": 1e999999999}',
            b"\xef\xbb\xbf" + b"{}",
            b"",
        )
    ):
        path = tmp_path / f"hostile{i}.json"
        path.write_bytes(raw)
        code, out, err = run("convert", str(path), "--from", "2.2.1", "--to", "2.1.1", "--object", "Location")
        assert code == 2 and out == "" and err.startswith("ocpkit convert: "), (raw[:20], err)
