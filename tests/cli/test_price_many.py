"""``ocpkit price`` on many CDRs: directories, JSON lines, stdin, ``--tariffs DIR``, sums, errors.

Expected totals are computed with :func:`ocpkit.tariffs.price` on the same
data, and the sums by adding those; the tariffs are small ones written here.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocpkit.cli import main
from ocpkit.tariffs import Rounding, price
from tests.conftest import ROOT

DAY = {
    "id": "DAY",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "ENERGY", "price": "0.35", "vat": 21, "step_size": 1}]}],
}
PARKING = {
    "id": "PARK",
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "FLAT", "price": "1.00", "vat": 21, "step_size": 1}]},
        {"price_components": [{"type": "PARKING_TIME", "price": "2.00", "vat": 21, "step_size": 900}]},
    ],
}


def cdr(n: int, tariff_id: str | None = "DAY", **extra: Any) -> dict[str, Any]:
    period: dict[str, Any] = {
        "start_date_time": "2026-03-01T10:00:00Z",
        "dimensions": [
            {"type": "ENERGY", "volume": f"{n % 50}.{n % 7}"},
            {"type": "PARKING_TIME", "volume": 0.25},
        ],
    }
    if tariff_id is not None:
        period["tariff_id"] = tariff_id
    return {
        "id": f"CDR-{n}",
        "currency": "EUR",
        "start_date_time": "2026-03-01T10:00:00Z",
        "end_date_time": "2026-03-01T11:00:00Z",
        "charging_periods": [period],
        **extra,
    }


def run(*argv: str, stdin: bytes = b"", stderr: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    code = main(["price", *argv], stdout=out, stderr=err, stdin=io.BytesIO(stdin))
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tariffs(tmp_path: Path) -> Path:
    folder = tmp_path / "tariffs"
    folder.mkdir()
    (folder / "day.json").write_text(json.dumps(DAY))
    # A response envelope with a list: both forms are read.
    (folder / "park.json").write_text(json.dumps({"status_code": 1000, "data": [PARKING]}))
    (folder / "README.txt").write_text("not a tariff; skipped")
    return folder


def expected(doc: dict[str, Any], tariff: dict[str, Any], **kw: Any) -> Any:
    # The command line reads numbers exactly (Decimal), as this does.
    exact = json.loads(json.dumps(doc), parse_float=Decimal)
    return price(json.loads(json.dumps(tariff), parse_float=Decimal), exact, tz="UTC", **kw)


def test_json_lines_with_a_tariff_directory(tmp_path: Path, tariffs: Path) -> None:
    docs = [cdr(n, "DAY" if n % 3 else "PARK") for n in range(30)]
    source = tmp_path / "month.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in docs) + "\n")
    code, out, _ = run("--tariffs", str(tariffs), str(source), "--tz", "UTC", "--report", "jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    summary = records.pop()
    assert len(records) == 30 and all(r["ok"] for r in records)
    total_excl = total_incl = Decimal(0)
    for n, (doc, record) in enumerate(zip(docs, records, strict=True)):
        want = expected(doc, PARKING if n % 3 == 0 else DAY)
        assert record["line"] == n + 1 and record["id"] == doc["id"]
        assert record["tariff_id"] == ("PARK" if n % 3 == 0 else "DAY")
        assert Decimal(record["total_cost"]["excl_vat"]) == want.total_cost.excl_vat
        assert Decimal(record["total_cost"]["incl_vat"]) == want.total_cost.incl_vat
        assert Decimal(record["total_energy"]) == want.total_energy
        total_excl += want.total_cost.excl_vat
        total_incl += want.total_cost.incl_vat
    assert summary["kind"] == "summary" and (summary["priced"], summary["failed"]) == (30, 0)
    eur = summary["totals"]["EUR"]
    assert eur["cdrs"] == 30
    assert Decimal(eur["total_cost"]["excl_vat"]) == total_excl
    assert Decimal(eur["total_cost"]["incl_vat"]) == total_incl


def test_text_report_lists_each_cdr_and_the_sum(tmp_path: Path, tariffs: Path) -> None:
    docs = [cdr(n) for n in range(4)]
    source = tmp_path / "few.jsonl.gz"
    source.write_bytes(gzip.compress("".join(json.dumps(d) + "\n" for d in docs).encode()))
    # Rounded when pricing, as an invoice does: the sum adds the rounded amounts.
    code, out, _ = run("--tariffs", str(tariffs), str(source), "--tz", "UTC", "--round-amounts", "2")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith(str(source))]
    assert len(rows) == 4
    rounded = [expected(d, DAY, rounding=Rounding(2)).total_cost for d in docs]
    for row, want in zip(rows, rounded, strict=True):
        assert f" {want.excl_vat} " in row and f" {want.incl_vat} " in row
    total = sum((p.excl_vat for p in rounded if p.excl_vat is not None), Decimal(0))
    assert f"total EUR: 4 CDRs  excl. VAT {total}" in out


def test_directories_json_files_and_stdin(tmp_path: Path, tariffs: Path) -> None:
    folder = tmp_path / "cdrs"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.json").write_text(json.dumps(cdr(1)))
    (folder / "sub" / "list.json").write_text(json.dumps([cdr(2), cdr(3)]))
    (folder / "notes.md").write_text("skipped")
    stdin = (json.dumps(cdr(4)) + "\n").encode()
    code, out, _ = run("--tariffs", str(tariffs), str(folder), "-", "--report", "jsonl", stdin=stdin)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r.get("id") for r in records[:-1]] == ["CDR-1", "CDR-2", "CDR-3", "CDR-4"]
    assert records[1]["source"].endswith("list.json[0]") and records[3]["source"] == "-:1"
    # The TARIFF-file form works on many CDRs too.
    tariff = tmp_path / "day.json"
    tariff.write_text(json.dumps(DAY))
    code, out, _ = run(str(tariff), str(folder), "--report", "jsonl")
    assert code == 0 and json.loads(out.splitlines()[-1])["priced"] == 3


def test_cdrs_without_tariff_ids_use_their_own_tariffs_or_all(tmp_path: Path, tariffs: Path) -> None:
    own = cdr(5, tariff_id=None, tariffs=[dict(DAY, id="OWN", elements=PARKING["elements"])])
    anonymous = cdr(6, tariff_id=None)
    source = tmp_path / "mixed.jsonl"
    source.write_text(json.dumps(own) + "\n" + json.dumps(anonymous) + "\n")
    code, out, _ = run("--tariffs", str(tariffs), str(source), "--report", "jsonl")
    assert code == 0
    first, second, _ = (json.loads(line) for line in out.splitlines())
    assert first["tariff_id"] == "OWN"
    # No id to go by: the first tariff of the directory valid at the start, as price() picks from a list.
    assert second["tariff_id"] == "DAY"


def test_bad_cdrs_are_reported_and_counted(tmp_path: Path, tariffs: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_bytes(
        b"\n".join(
            [
                json.dumps(cdr(1)).encode(),
                b"{not json",
                json.dumps({"id": "X", "currency": "EUR"}).encode(),
                b"\xff\xfe not utf-8",
                b"[1, 2]",
                json.dumps(cdr(2, currency="USD")).encode(),
            ]
        )
        + b"\n"
    )
    code, out, _ = run("--tariffs", str(tariffs), str(source), "--report", "jsonl")
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    summary = records.pop()
    assert [r["ok"] for r in records] == [True, False, False, False, False, False, False]
    assert "not JSON" in records[1]["error"] and records[1]["line"] == 2
    assert "start_date_time: missing" in records[2]["error"] and records[2]["id"] == "X"
    assert "UTF-8" in records[3]["error"]
    assert "expected a mapping" in records[4]["error"]
    assert "currency" in records[6]["error"]
    assert (summary["priced"], summary["failed"]) == (1, 6)
    code, out, _ = run("--tariffs", str(tariffs), str(source))
    assert code == 1 and "6 of 7 CDRs could not be priced" in out


def test_unusable_tariffs_and_arguments(tmp_path: Path, tariffs: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(cdr(1)) + "\n")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "t.json").write_text(json.dumps({"currency": "EUR", "elements": [{"price_components": [{}]}]}))
    code, _, err = run("--tariffs", str(broken), str(source))
    assert code == 2 and "t.json" in err and "price_components[0]" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.txt").write_text("")
    code, _, err = run("--tariffs", str(empty), str(source))
    assert code == 2 and "no tariffs found" in err
    code, _, err = run(str(source))
    assert code == 2 and "TARIFF" in err
    code, _, err = run("--tariffs", str(tariffs), str(tmp_path / "missing.jsonl"))
    assert code == 2 and "no such file" in err
    code, _, err = run("--tariffs", str(tariffs), str(source), "--report", "json")
    assert code == 2 and "jsonl" in err
    code, _, err = run("--tariffs", str(tariffs), "-", "-")
    assert code == 2 and "stdin" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only(tmp_path: Path, tariffs: Path) -> None:
    # Past the 4 MB from which the bar shows: padded lines keep the CDR count small.
    line = json.dumps(dict(cdr(1), note="x" * 4000)) + "\n"
    source = tmp_path / "big.jsonl"
    source.write_text(line * 1100)
    terminal = _Terminal()
    code, out, _ = run("--tariffs", str(tariffs), str(source), "--report", "jsonl", stderr=terminal)
    assert code == 0 and json.loads(out.splitlines()[-1])["priced"] == 1100
    assert "pricing [" in terminal.getvalue() and "%" in terminal.getvalue()
    code, _, err = run("--tariffs", str(tariffs), str(source), "--report", "jsonl")
    assert code == 0 and err == ""


@pytest.mark.slow
def test_memory_stays_flat_on_many_cdrs(tmp_path: Path, tariffs: Path) -> None:
    """Peak memory of the whole process for 2,000 and 20,000 CDRs: the same within a few MB."""
    peaks = []
    for count in (2_000, 20_000):
        source = tmp_path / f"cdrs-{count}.jsonl"
        with source.open("w") as f:
            for n in range(count):
                f.write(json.dumps(cdr(n, "DAY" if n % 2 else "PARK")) + "\n")
        script = (
            "import resource, sys\n"
            "from ocpkit.cli import main\n"
            f"code = main(['price', '--tariffs', {str(tariffs)!r}, {str(source)!r}, '--report', 'jsonl'],"
            " stdout=open('/dev/null', 'w'))\n"
            "print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True, timeout=600
        )
        code, peak_kib = done.stdout.split()
        assert code == "0"
        peaks.append(int(peak_kib))
    # Ten times the CDRs; a result kept per CDR would add tens of MB.
    assert peaks[1] - peaks[0] < 8 * 1024, peaks
