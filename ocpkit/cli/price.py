"""``ocpkit price``: price OCPI CDRs (or Sessions) with tariffs, one with its breakdown or many in a stream.

Theory of operation. With one tariff file and one CDR file the CDR is priced by
:func:`ocpkit.tariffs.price` and its breakdown printed (a table, or JSON with
``--report json``): the form of ``ocpkit price TARIFF CDR``. Otherwise the CDR
arguments are sources of many CDRs: JSON-lines files (``.jsonl``/``.ndjson``,
gzipped or not, or ``-`` for stdin), JSON files (a CDR, a list of them or an
OCPI response envelope) and directories of either. The tariffs, from the
TARIFF file or every JSON file of ``--tariffs DIR``, are compiled once; each
CDR gets the tariffs its charging periods (or its own ``tariffs``) name by id,
else its own tariffs, else all of them (and :func:`~ocpkit.tariffs.price`
picks by currency and validity window). Every CDR's totals are printed as it is
priced, with sums per currency at the end, so memory stays flat however many
CDRs come; JSON lines are read one line at a time. A progress bar shows on a
terminal for large inputs.

The text report rounds for display only (:mod:`ocpkit.cli._display`): money
to the currency's minor unit by default, ``--round N`` or ``--round exact``
otherwise; energy in kWh to three decimals, durations as h:mm:ss; periods in
the zone the tariff was read in, which the header names. The JSON reports keep
every value exactly as priced; ``--round-amounts PLACES`` rounds the amounts
themselves when pricing (as an invoice does), and then the sums add the
rounded amounts.

Exit status: 0 every CDR priced, 1 some CDR could not be priced, 2 usage error
or unreadable input (tariffs included).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ocpkit.cli._display import MAX_PLACES, Display, parse_round, period, zone_of
from ocpkit.cli._inputs import Input, InputError, Lines, Prefixed, expand, load_json, open_input
from ocpkit.cli._terminal import Progress, Style
from ocpkit.errors import OcpkitError

if TYPE_CHECKING:
    from ocpkit.tariffs import CompiledTariff, Price, Pricing, Rounding

__all__ = ["add_parser", "run"]

_JSON_LINES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_COSTS = (
    "total_cost",
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)


def add_parser(sub: Any) -> None:
    """Add the ``price`` subcommand and its arguments to the subparsers *sub*."""
    pr = sub.add_parser(
        "price",
        help="price OCPI CDRs with tariffs",
        description=(
            "Price an OCPI CDR (or Session) with a Tariff and print the breakdown, or price many CDRs "
            "(directories, JSON-lines files, '-' for stdin) and print each one's totals and their sums."
        ),
        usage="%(prog)s [-h] [--tariffs DIR] [options] [TARIFF] CDR [CDR ...]",
    )
    pr.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="without --tariffs: a TARIFF file (a Tariff, a list of Tariffs or a response envelope) "
        "first; then CDR sources (a JSON file, a JSON-lines file, a directory, '-')",
    )
    pr.add_argument("--tariffs", metavar="DIR", help="directory of tariff JSON files, compiled once")
    pr.add_argument(
        "--ocpi", choices=["2.1.1", "2.2.1", "2.3.0"], default="2.2.1", help="OCPI version (default: 2.2.1)"
    )
    pr.add_argument("--tz", metavar="ZONE", help="IANA time zone of the location when the CDR names none")
    pr.add_argument(
        "--round",
        metavar="minor|exact|N",
        type=parse_round,
        default=Display(),
        help="how the text report shows money, for display only: 'minor' rounds half up to the "
        "currency's minor unit (ISO 4217: EUR 2, JPY 0, BHD 3; 2 for other codes; the default), "
        f"N (0..{MAX_PLACES}) to N decimals, 'exact' shows the amounts unrounded; energy shows in kWh "
        "to 3 decimals and durations as h:mm:ss, unrounded with 'exact'; the JSON reports are always exact",
    )
    pr.add_argument(
        "--round-amounts",
        metavar="PLACES",
        type=int,
        choices=range(0, MAX_PLACES + 1),
        help="round every amount half up to PLACES decimals when pricing, as an invoice does: the "
        "JSON reports and the sums then carry the rounded amounts (default: priced exactly)",
    )
    pr.add_argument(
        "--report",
        choices=["text", "json", "jsonl"],
        default="text",
        help="output: a table (default), JSON (one CDR) or JSON lines (one record per CDR, then a summary)",
    )


def run(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes]) -> int:
    """Run ``ocpkit price`` with parsed *args*; return the exit status."""
    from ocpkit.tariffs import Rounding

    rounding = None if args.round_amounts is None else Rounding(args.round_amounts)
    files: list[str] = list(args.files)
    tariff_files: list[str]
    if args.tariffs is not None:
        tariff_files = [args.tariffs]
    elif len(files) < 2:
        err.write("ocpkit price: give a TARIFF file and a CDR, or --tariffs DIR and CDRs\n")
        return 2
    else:
        tariff_files = [files.pop(0)]
    single = args.tariffs is None and len(files) == 1 and not _is_stream(files[0])
    if single and args.report != "jsonl":
        return _one(tariff_files[0], files[0], args, rounding, out, err)
    if args.report == "json":
        err.write("ocpkit price: --report json prints one CDR; use --report jsonl for many\n")
        return 2
    try:
        tariffs = _load_tariffs(tariff_files, args.ocpi, args.tz)
        inputs = expand(files)
    except (InputError, OcpkitError) as exc:
        err.write(f"ocpkit price: {exc}\n")
        return 2
    if sum(1 for i in inputs if i.path is None) > 1:
        err.write("ocpkit price: '-' (stdin) may be given only once\n")
        return 2
    return _many(inputs, tariffs, args, rounding, out, err, stdin)


def _is_stream(name: str) -> bool:
    path = Path(name)
    return name == "-" or path.is_dir() or name.lower().endswith(_JSON_LINES)


# --------------------------------------------------------------------------- one CDR


def _one(
    tariff_file: str,
    cdr_file: str,
    args: argparse.Namespace,
    rounding: Rounding | None,
    out: IO[str],
    err: IO[str],
) -> int:
    from ocpkit.tariffs import price

    try:
        tariff = load_json(tariff_file)
        cdr = load_json(cdr_file)
    except InputError as exc:
        err.write(f"ocpkit price: {exc}\n")
        return 2
    try:
        result = price(tariff, cdr, version=args.ocpi, tz=args.tz, rounding=rounding)
    except OcpkitError as exc:
        err.write(f"ocpkit price: {exc}\n")
        return 2
    if args.report == "json":
        out.write(json.dumps(_report(result), indent=2, default=str) + "\n")
        return 0
    _breakdown(result, args.round, out)
    return 0


def _report(result: Pricing) -> dict[str, Any]:
    """Every field of *result*, exact: the CDR fields in the version's wire shape, then the rest."""
    body: dict[str, Any] = {
        "version": result.version,
        "currency": result.currency,
        "tariff_id": result.tariff_id,
        "time_zone": result.time_zone,
        **_cdr_fields(result),
        "prices": {
            f.name: _price(value)
            for f in dataclasses.fields(result)
            if _is_price(value := getattr(result, f.name))
        },
    }
    body["lines"] = [
        {
            **{
                f.name: getattr(ln, f.name)
                for f in dataclasses.fields(ln)
                if f.name not in ("start", "end", "cost")
            },
            "start": ln.start.isoformat(),
            "end": ln.end.isoformat(),
            "cost_excl_vat": ln.cost.excl_vat,
            "cost_incl_vat": ln.cost.incl_vat,
            "cost_taxes": _price(ln.cost)["taxes"],
        }
        for ln in result.lines
    ]
    body["warnings"] = list(result.warnings)
    return body


def _cdr_fields(result: Pricing) -> dict[str, Any]:
    """``as_cdr_fields()`` plus the amounts and volumes a CDR has no field for, in the same shape."""
    fields = result.as_cdr_fields()
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if f.name in fields or f.name in ("lines", "warnings"):
            continue
        if _is_price(value):
            # The wire shape of this version, as as_cdr_fields() writes total_cost.
            fields[f.name] = dataclasses.replace(result, total_cost=value).as_cdr_fields()["total_cost"]
        elif isinstance(value, Decimal):
            fields[f.name] = value
    return fields


def _is_price(value: object) -> bool:
    from ocpkit.tariffs import Price

    return isinstance(value, Price)


def _price(value: Price) -> dict[str, Any]:
    return {
        "excl_vat": value.excl_vat,
        "incl_vat": value.incl_vat,
        "taxes": [{"percentage": t.percentage, "amount": t.amount} for t in value.taxes],
    }


def _breakdown(result: Pricing, show: Display, out: IO[str]) -> None:
    s = Style(out)
    w = out.write
    cur = result.currency
    zone, zone_name = zone_of(result.time_zone)
    w(f"{s.bold('Tariff')} {result.tariff_id or '-'}  OCPI {result.version}  {cur}  times in {zone_name}\n\n")
    rows = [("period", "dimension", "volume", "billed", "unit price", "excl. VAT", "incl. VAT")]
    for ln in result.lines:
        rows.append(
            (
                period(ln.start, ln.end, zone),
                ln.dimension + (" (resv.)" if ln.reservation else ""),
                show.volume(ln.dimension, ln.volume),
                show.volume(ln.dimension, ln.billed_volume),
                show.unit_price(ln.unit_price, cur),
                show.money(ln.cost.excl_vat, cur),
                "" if ln.cost.incl_vat is None else show.money(ln.cost.incl_vat, cur),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(7)]
    for n, row in enumerate(rows):
        cells = [f"{c:<{widths[i]}}" if i < 2 else f"{c:>{widths[i]}}" for i, c in enumerate(row)]
        line = "  " + "  ".join(cells).rstrip() + "\n"
        w(s.dim(line) if n == 0 else line)
    w("\n")
    energy = f"energy ({show.energy(result.total_energy)}, billed {show.energy(result.billed_energy)})"
    time = f"time ({show.hours(result.total_time)}, billed {show.hours(result.billed_time)})"
    parking = (
        f"parking ({show.hours(result.total_parking_time)}, billed {show.hours(result.billed_parking_time)})"
    )
    totals = [
        ("total_fixed_cost", "fixed"),
        ("total_energy_cost", energy),
        ("total_time_cost", time),
        ("total_parking_cost", parking),
        ("total_reservation_cost", "reservation"),
        ("price_limit_adjustment", "min/max price adjustment"),
        ("total_cost", "total"),
    ]
    shown = [(name, label, getattr(result, name)) for name, label in totals]
    shown = [t for t in shown if t[0] != "price_limit_adjustment" or t[2].excl_vat or t[2].incl_vat]
    label_width = max(len(label) for _, label, _ in shown)
    money_width = max(len(show.money(p.excl_vat, cur)) for _, _, p in shown)
    for name, label, p in shown:
        incl = "" if p.incl_vat is None else f"  incl. VAT {show.money(p.incl_vat, cur)}"
        line = f"  {label:<{label_width}} {show.money(p.excl_vat, cur):>{money_width}} excl. VAT{incl}\n"
        w(s.bold(line) if name == "total_cost" else line)
    for warning in result.warnings:
        w(s.yellow(f"  warning: {warning}") + "\n")


# --------------------------------------------------------------------------- many CDRs


@dataclass
class _Tariffs:
    """Compiled tariffs, by id and in file order."""

    all: list[CompiledTariff] = field(default_factory=list)
    by_id: dict[str, list[CompiledTariff]] = field(default_factory=dict)

    def add(self, tariff: CompiledTariff) -> None:
        self.all.append(tariff)
        if tariff.id is not None:
            self.by_id.setdefault(tariff.id, []).append(tariff)

    def for_cdr(self, cdr: object) -> list[CompiledTariff] | None:
        """The tariffs this CDR names by id, else None (its own tariffs, else all, are used)."""
        if not isinstance(cdr, dict):
            return self.all
        names: list[str] = []
        for key, inner in (("charging_periods", "tariff_id"), ("tariffs", "id")):
            items = cdr.get(key)
            if isinstance(items, list):
                names += [str(x[inner]) for x in items if isinstance(x, dict) and x.get(inner) is not None]
        found = [t for name in dict.fromkeys(names) for t in self.by_id.get(name, ())]
        if found:
            return found
        return None if cdr.get("tariffs") else self.all


def _load_tariffs(names: Sequence[str], version: str, tz: str | None) -> _Tariffs:
    from ocpkit.tariffs import compile

    loaded = _Tariffs()
    for item in expand(names):
        if item.path is None:
            raise InputError("tariffs cannot come from stdin")
        if item.in_directory and item.path.suffix.lower() != ".json":
            continue
        data = load_json(item.name)
        for i, tariff in enumerate(data if isinstance(data, list) else [data]):
            try:
                loaded.add(compile(tariff, version, tz))
            except OcpkitError as exc:
                where = f"{item.name}[{i}]" if isinstance(data, list) else item.name
                raise InputError(f"{where}: {exc}") from None
    if not loaded.all:
        raise InputError(f"{', '.join(names)}: no tariffs found")
    return loaded


def _cdrs(item: Input, stdin: IO[bytes], progress: Progress, done: int) -> Iterator[tuple[str, int, Any]]:
    """(where, line, CDR or InputError) of one source; JSON lines are read one line at a time."""
    if item.path is not None and not item.name.lower().endswith(_JSON_LINES):
        try:
            data = load_json(item.name, exact=True)
        except InputError as exc:
            yield item.name, 0, exc
            return
        if isinstance(data, list):
            for i, cdr in enumerate(data):
                yield f"{item.name}[{i}]", 0, cdr
        else:
            yield item.name, 0, data
        return
    try:
        stream, raw, first, _ = open_input(item, stdin)
    except InputError as exc:
        if not item.in_directory:
            raise
        yield item.name, 0, exc
        return
    position = Prefixed(b"", raw).tell
    lines = Lines(Prefixed(first, stream), progress, lambda: done + position())
    try:
        for text in lines:
            n = lines.count
            if n in lines.bad_lines:
                yield f"{item.name}:{n}", n, InputError("not valid UTF-8")
                continue
            if not text.strip():
                continue
            try:
                cdr = json.loads(text, parse_float=Decimal)
            except (ValueError, RecursionError) as exc:
                yield f"{item.name}:{n}", n, InputError(f"not JSON: {exc}")
                continue
            # An OCPI response envelope: its data.
            if isinstance(cdr, dict) and "data" in cdr and "status_code" in cdr:
                cdr = cdr["data"]
            if isinstance(cdr, list):
                for i, one in enumerate(cdr):
                    yield f"{item.name}:{n}[{i}]", n, one
            else:
                yield f"{item.name}:{n}", n, cdr
        for n, problem in lines.problems:
            if "bytes long" in problem:
                yield f"{item.name}:{n}", n, InputError(problem)
    finally:
        if item.path is not None:
            raw.close()


@dataclass
class _Sums:
    """Totals per currency (amounts are summed exactly, as priced)."""

    count: int = 0
    excl: Decimal | None = Decimal(0)
    incl: Decimal | None = Decimal(0)
    energy: Decimal = Decimal(0)

    def add(self, result: Pricing) -> None:
        self.count += 1
        cost = result.total_cost
        self.excl = None if self.excl is None or cost.excl_vat is None else self.excl + cost.excl_vat
        self.incl = None if self.incl is None or cost.incl_vat is None else self.incl + cost.incl_vat
        self.energy += result.total_energy


def _many(
    inputs: list[Input],
    tariffs: _Tariffs,
    args: argparse.Namespace,
    rounding: Rounding | None,
    out: IO[str],
    err: IO[str],
    stdin: IO[bytes],
) -> int:
    from ocpkit.tariffs import price

    sizes = [_size(i) for i in inputs]
    known = None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)
    progress = Progress(err, "pricing", known)
    sums: dict[str, _Sums] = {}
    priced = failed = 0
    jsonl = args.report == "jsonl"
    style = Style(out)
    write = out.write
    done = 0
    for item, size in zip(inputs, sizes, strict=True):
        try:
            if item.in_directory and not item.name.lower().endswith((".json", ".json.gz", *_JSON_LINES)):
                continue
            for where, line, cdr in _cdrs(item, stdin, progress, done):
                cdr_id = cdr.get("id") if isinstance(cdr, dict) else None
                try:
                    if isinstance(cdr, InputError):
                        raise cdr
                    result = price(tariffs.for_cdr(cdr), cdr, args.ocpi, args.tz, rounding=rounding)
                except (InputError, OcpkitError) as exc:
                    failed += 1
                    if jsonl:
                        record = {"source": where, "line": line or None, "id": cdr_id, "ok": False}
                        write(json.dumps({**record, "error": str(exc)}, default=str) + "\n")
                    else:
                        write(f"{where:<32} {str(cdr_id or '-')[:20]:<20} {style.red('error')}: {exc}\n")
                    continue
                priced += 1
                sums.setdefault(result.currency, _Sums()).add(result)
                if jsonl:
                    write(json.dumps(_record(where, line, cdr_id, result), default=str) + "\n")
                else:
                    cost, cur, show = result.total_cost, result.currency, args.round
                    excl, incl = show.money(cost.excl_vat, cur), show.money(cost.incl_vat, cur)
                    write(
                        f"{where:<32} {str(cdr_id or '-')[:20]:<20} {cur} {excl:>14}"
                        f" {incl:>14}  {show.energy(result.total_energy)}"
                        f"  tariff {result.tariff_id or '-'}\n"
                    )
        except InputError as exc:
            progress.close()
            err.write(f"ocpkit price: {exc}\n")
            return 2
        except (OSError, EOFError, zlib.error) as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            progress.close()
            err.write(f"ocpkit price: {item.name}: read failed: {exc}\n")
            return 2
        done += size or 0
        progress.update(done)
    progress.close()
    _summary(sums, priced, failed, jsonl, args.round, style, out)
    return 1 if failed else 0


def _size(item: Input) -> int | None:
    if item.path is None:
        return None
    try:
        return item.path.stat().st_size
    except OSError:
        return None


def _record(source: str, line: int, cdr_id: object, result: Pricing) -> dict[str, Any]:
    return {
        "source": source,
        "line": line or None,
        "id": cdr_id,
        "ok": True,
        "version": result.version,
        "currency": result.currency,
        "tariff_id": result.tariff_id,
        "time_zone": result.time_zone,
        **_cdr_fields(result),
        "warnings": list(result.warnings),
    }


def _summary(
    sums: dict[str, _Sums],
    priced: int,
    failed: int,
    jsonl: bool,
    show: Display,
    style: Style,
    out: IO[str],
) -> None:
    if jsonl:
        totals = {
            currency: {
                "cdrs": s.count,
                "total_cost": {"excl_vat": s.excl, "incl_vat": s.incl},
                "total_energy": s.energy,
            }
            for currency, s in sorted(sums.items())
        }
        record = {
            "kind": "summary",
            "cdrs": priced + failed,
            "priced": priced,
            "failed": failed,
            "totals": totals,
        }
        out.write(json.dumps(record, default=str) + "\n")
        return
    out.write("\n")
    for currency, s in sorted(sums.items()):
        excl, incl = show.money(s.excl, currency), show.money(s.incl, currency)
        out.write(
            style.bold(f"total {currency}: {s.count:,} CDRs  excl. VAT {excl}  incl. VAT {incl}")
            + f"  energy {show.energy(s.energy)}\n"
        )
    if failed:
        out.write(style.red(f"{failed:,} of {priced + failed:,} CDRs could not be priced") + "\n")
    elif not priced:
        out.write("no CDRs found\n")
