"""``ocpkit price`` output: money at the currency's minor unit, readable volumes, local times, ``--round``.

The text report rounds for display only; the JSON report carries every field of
the :class:`~ocpkit.tariffs.Pricing` result, exactly as priced. Expected values
come from :func:`ocpkit.tariffs.price` on the same data, or are worked out by hand
in the comments.
"""

from __future__ import annotations

import dataclasses
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocpkit.cli import main
from ocpkit.tariffs import Price, PricedLine, Pricing, price

# 0.25/kWh, 1.50/h charging (per minute), 2.00/h parking (per quarter hour), at least 9.00 excl. VAT.
TARIFF: dict[str, Any] = {
    "id": "T1",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [
                {"type": "ENERGY", "price": "0.2500", "vat": 21, "step_size": 1},
                {"type": "TIME", "price": "1.5", "vat": 21, "step_size": 60},
                {"type": "PARKING_TIME", "price": "2.0", "vat": 21, "step_size": 900},
            ]
        }
    ],
    "min_price": {"excl_vat": "9.0", "incl_vat": "10.89"},
}
CDR: dict[str, Any] = {
    "id": "C1",
    "currency": "EUR",
    "start_date_time": "2026-03-01T20:30:00Z",
    "end_date_time": "2026-03-02T00:05:05Z",
    "charging_periods": [
        {
            "start_date_time": "2026-03-01T20:30:00Z",
            "dimensions": [{"type": "ENERGY", "volume": "12.3456"}, {"type": "TIME", "volume": "3.5"}],
        },
        {
            "start_date_time": "2026-03-02T00:00:00Z",
            "dimensions": [{"type": "PARKING_TIME", "volume": "0.001388888888"}],
        },
        {
            "start_date_time": "2026-03-02T00:00:05Z",
            "dimensions": [{"type": "PARKING_TIME", "volume": "0.08194444444"}],
        },
    ],
}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["price", *argv], stdout=out, stderr=err, stdin=io.BytesIO(b""))
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def files(tmp_path: Path, tariff: dict[str, Any] = TARIFF, cdr: dict[str, Any] = CDR) -> tuple[str, str]:
    (tmp_path / "tariff.json").write_text(json.dumps(tariff))
    (tmp_path / "cdr.json").write_text(json.dumps(cdr))
    return str(tmp_path / "tariff.json"), str(tmp_path / "cdr.json")


def exact(tz: str | None = "Europe/Amsterdam", tariff: dict[str, Any] = TARIFF) -> Pricing:
    return price(tariff, CDR, version="2.2.1", tz=tz)


def total_line(out: str, label: str) -> str:
    found = [line for line in out.splitlines() if line.strip().startswith(label)]
    assert len(found) == 1, out
    return found[0]


# ------------------------------------------------------------------ money and volumes


def test_text_money_is_shown_at_the_minor_unit(tmp_path: Path) -> None:
    code, out, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam")
    assert code == 0
    result = exact()
    # The engine's exact amounts carry many places; the text shows cents.
    assert str(result.total_cost.excl_vat) == "9.0000000000000"
    assert "9.0000000000000" not in out and "0.0027777777760" not in out
    total = total_line(out, "total")
    assert " 9.00 " in total and "10.89" in total
    # 12.346 kWh billed x 0.25 = 3.0865 -> 3.09 (half up); incl. 21 % VAT 3.734665 -> 3.73.
    energy = total_line(out, "energy")
    assert " 3.09 " in energy and energy.endswith("3.73")
    # The min-price adjustment is money too: 9 - (3.0865 + 5.25 + 0.50) = 0.1635 -> 0.16.
    assert " 0.16 " in total_line(out, "min/max price adjustment")
    # Unit prices keep their own places, at least the currency's two.
    assert " 0.25 " in out and " 1.50 " in out and " 2.00 " in out


@pytest.mark.parametrize(
    ("currency", "unit_price", "want"),
    [
        # 12.346 kWh billed x 35.5 = 438.283 JPY -> 438 (no minor unit)
        ("JPY", "35.5", "438"),
        # x 0.1234 = 1.5234964 BHD -> 1.523 (three places)
        ("BHD", "0.1234", "1.523"),
        # x 0.1234 = 1.5234964 KWD -> 1.523
        ("KWD", "0.1234", "1.523"),
        # a code outside ISO 4217: two places
        ("XYZ", "0.1234", "1.52"),
    ],
)
def test_minor_unit_follows_the_currency(tmp_path: Path, currency: str, unit_price: str, want: str) -> None:
    tariff = {
        "id": "M",
        "currency": currency,
        "elements": [{"price_components": [{"type": "ENERGY", "price": unit_price, "step_size": 1}]}],
    }
    cdr = {**CDR, "currency": currency}
    code, out, err = run(*files(tmp_path, tariff, cdr), "--tz", "UTC", "--ocpi", "2.1.1")
    assert code == 0, err
    assert total_line(out, "total").split()[1] == want


def test_volumes_are_shown_at_a_display_precision(tmp_path: Path) -> None:
    code, out, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam")
    assert code == 0
    for raw in ("0.001388888888", "12.3456 ", "3.584722222222", "0.083333333328"):
        assert raw not in out
    # Energy in kWh with three decimals; durations as h:mm:ss.
    assert "12.346 kWh" in out
    assert " 0:00:05 " in out  # 0.001388888888 h is five seconds
    assert " 3:30:00 " in out  # 3.5 h of charging
    assert "energy (12.346 kWh, billed 12.346 kWh)" in out
    assert "time (3:35:05, billed 3:30:00)" in out
    assert "parking (0:05:00, billed 0:15:00)" in out


# ------------------------------------------------------------------ time zone of the periods


def test_periods_are_shown_in_the_zone_the_header_names(tmp_path: Path) -> None:
    code, out, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam")
    assert code == 0
    assert "times in Europe/Amsterdam" in out.splitlines()[0]
    # 20:30 UTC is 21:30 in Amsterdam (winter time), midnight UTC is 01:00 the next day.
    assert "2026-03-01 21:30–03-02 01:00" in out
    assert "20:30" not in out
    # The 5 s parking period shows its seconds.
    assert "2026-03-02 01:00:00–01:00:05" in out


def test_without_a_zone_the_periods_are_labelled_utc(tmp_path: Path) -> None:
    code, out, _ = run(*files(tmp_path))
    assert code == 0
    assert "times in UTC" in out.splitlines()[0]
    assert "2026-03-01 20:30–03-02 00:00" in out
    assert "warning: no time zone known" in out


# ------------------------------------------------------------------ the JSON report


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def test_json_report_has_every_field_of_the_result_exactly(tmp_path: Path) -> None:
    code, out, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam", "--report", "json")
    assert code == 0
    body = json.loads(out)
    result = exact()
    for f in dataclasses.fields(Pricing):
        assert f.name in body, f.name
    # Billed in whole watt-hours: 12.346 kWh, as the engine wrote it (not normalised).
    assert body["billed_energy"] == str(result.billed_energy) and Decimal(body["billed_energy"]) == Decimal(
        "12.346"
    )
    assert body["billed_time"] == str(result.billed_time)
    assert body["billed_parking_time"] == str(result.billed_parking_time)
    assert body["billed_reservation_time"] == str(result.billed_reservation_time)
    adjustment = result.price_limit_adjustment
    assert adjustment.excl_vat == Decimal("0.1635")
    assert body["price_limit_adjustment"] == {
        "excl_vat": str(adjustment.excl_vat),
        "incl_vat": str(adjustment.incl_vat),
    }
    # Every amount, complete (with its tax split), under "prices"; nothing rounded.
    for f in dataclasses.fields(Pricing):
        if f.type in ("Price", Price):
            p: Price = getattr(result, f.name)
            assert body["prices"][f.name] == _jsonable(
                {
                    "excl_vat": p.excl_vat,
                    "incl_vat": p.incl_vat,
                    "taxes": [{"percentage": t.percentage, "amount": t.amount} for t in p.taxes],
                }
            )
    assert body["total_cost"]["excl_vat"] == "9.0000000000000"
    # Every field of every line.
    assert len(body["lines"]) == len(result.lines)
    for got, line in zip(body["lines"], result.lines, strict=True):
        for f in dataclasses.fields(PricedLine):
            if f.name == "cost":
                assert got["cost_excl_vat"] == str(line.cost.excl_vat)
                assert got["cost_incl_vat"] == str(line.cost.incl_vat)
                assert got["cost_taxes"] == _jsonable(
                    [{"percentage": t.percentage, "amount": t.amount} for t in line.cost.taxes]
                )
            elif f.name in ("start", "end"):
                assert got[f.name] == getattr(line, f.name).isoformat()
            else:
                assert got[f.name] == _jsonable(getattr(line, f.name)), f.name
    assert body["warnings"] == list(result.warnings)


def test_json_report_ignores_round(tmp_path: Path) -> None:
    _, plain, _ = run(*files(tmp_path), "--tz", "UTC", "--report", "json")
    _, rounded, _ = run(*files(tmp_path), "--tz", "UTC", "--report", "json", "--round", "0")
    assert plain == rounded


def test_jsonl_records_carry_the_adjustment_and_billed_volumes(tmp_path: Path) -> None:
    tariff, cdr = files(tmp_path)
    code, out, _ = run(tariff, cdr, "--tz", "Europe/Amsterdam", "--report", "jsonl")
    assert code == 0
    record = json.loads(out.splitlines()[0])
    result = exact()
    assert record["price_limit_adjustment"]["excl_vat"] == str(result.price_limit_adjustment.excl_vat)
    assert record["billed_energy"] == str(result.billed_energy)
    assert record["billed_parking_time"] == str(result.billed_parking_time)


# ------------------------------------------------------------------ --round


def test_round_exact_shows_the_unrounded_values(tmp_path: Path) -> None:
    code, out, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam", "--round", "exact")
    assert code == 0
    # Exact, without trailing zeros beyond the minor unit.
    assert " 9.00 " in total_line(out, "total")
    assert " 3.0865 " in total_line(out, "energy")
    assert "0.002777777776" in out  # the 5 s of parking, unrounded
    assert "energy (12.3456 kWh, billed 12.346 kWh)" in out
    assert "0.001388888888 h" in out


def test_round_places(tmp_path: Path) -> None:
    code, out, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam", "--round", "3")
    assert code == 0
    assert " 3.087 " in total_line(out, "energy")  # 3.0865 half up
    assert " 0.164 " in total_line(out, "min/max price adjustment")
    code, out, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam", "--round", "0")
    assert code == 0
    assert " 3 " in total_line(out, "energy") and " 9 " in total_line(out, "total")


def test_round_minor_is_the_default(tmp_path: Path) -> None:
    _, default, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam")
    _, minor, _ = run(*files(tmp_path), "--tz", "Europe/Amsterdam", "--round", "minor")
    assert default == minor and " 3.09 " in total_line(minor, "energy")


@pytest.mark.parametrize(
    "bad", ["abc", "-1", "11", "2.5", "", "1e3", "MINOR ", "exactly", "99999999999999999999"]
)
def test_bad_round_values_are_usage_errors(tmp_path: Path, bad: str) -> None:
    code, out, err = run(*files(tmp_path), "--round", bad)
    assert code == 2 and out == ""
    assert "--round" in err and "minor" in err and "exact" in err and "0..10" in err


def test_round_is_in_the_help() -> None:
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        code = main(["price", "--help"])
    assert code == 0
    text = " ".join(out.getvalue().split())
    assert "--round" in text and "minor" in text and "exact" in text and "display" in text


# ------------------------------------------------------------------ many CDRs


def test_many_cdrs_text_rows_and_sums_are_shown_at_the_minor_unit(tmp_path: Path) -> None:
    tariff, _ = files(tmp_path)
    source = tmp_path / "two.jsonl"
    source.write_text(json.dumps(CDR) + "\n" + json.dumps({**CDR, "id": "C2"}) + "\n")
    code, out, _ = run(tariff, str(source), "--tz", "Europe/Amsterdam")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith(str(source))]
    assert len(rows) == 2
    for row in rows:
        assert " 9.00 " in row and " 10.89 " in row and "12.346 kWh" in row
        assert "9.0000000000000" not in row
    assert "total EUR: 2 CDRs  excl. VAT 18.00  incl. VAT 21.78  energy 24.691 kWh" in out


def test_round_amounts_rounds_when_pricing(tmp_path: Path) -> None:
    tariff, cdr = files(tmp_path)
    code, out, _ = run(tariff, cdr, "--tz", "UTC", "--report", "json", "--round-amounts", "2")
    assert code == 0
    body = json.loads(out)
    assert body["total_energy_cost"]["excl_vat"] == "3.09"
    code, _, err = run(tariff, cdr, "--round-amounts", "x")
    assert code == 2 and "--round-amounts" in err


# ------------------------------------------------------------------ the how-to's example


def test_the_how_to_example_is_current(tmp_path: Path) -> None:
    from tests.conftest import ROOT

    text = (ROOT / "docs/howto/price-cdr.md").read_text()
    section = text.split("## From the command line\n", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")
    tariff, cdr = (json.loads(b.removeprefix("json\n")) for b in blocks if b.startswith("json\n"))
    console = next(b for b in blocks if b.startswith("console\n")).removeprefix("console\n")
    command, shown = console.split("\n", 1)
    argv = command.removeprefix("$ ocpkit price ").split()
    assert argv[:2] == ["day-night.json", "cdr-0001.json"]
    code, out, _ = run(*files(tmp_path, tariff, cdr), *argv[2:])
    assert code == 0
    assert out == shown
