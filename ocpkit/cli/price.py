"""``ocpkit price``: price an OCPI CDR (or Session) with a tariff and print the breakdown.

Theory of operation: both files are read as JSON (an OCPI response envelope is
unwrapped to its ``data``), priced by :func:`ocpkit.tariffs.price`, and the result
printed as a table of priced lines and totals, or as JSON with ``--report json``.
"""

from __future__ import annotations

import argparse
import json
from typing import IO, Any

from ocpkit.cli._inputs import InputError, load_json
from ocpkit.cli._terminal import Style
from ocpkit.errors import OcpkitError

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add the ``price`` subcommand and its arguments to the subparsers *sub*."""
    pr = sub.add_parser(
        "price",
        help="price an OCPI CDR with a tariff",
        description="Price an OCPI CDR (or Session) with a Tariff and print the breakdown.",
    )
    pr.add_argument(
        "tariff", metavar="TARIFF", help="JSON file: a Tariff, a list of Tariffs, or a response envelope"
    )
    pr.add_argument("cdr", metavar="CDR", help="JSON file: a CDR or Session")
    pr.add_argument(
        "--ocpi", choices=["2.1.1", "2.2.1", "2.3.0"], default="2.2.1", help="OCPI version (default: 2.2.1)"
    )
    pr.add_argument("--tz", metavar="ZONE", help="IANA time zone of the location when the CDR names none")
    pr.add_argument("--report", choices=["text", "json"], default="text", help="output format")


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``ocpkit price`` with parsed *args*; return the exit status."""
    from ocpkit.tariffs import price

    try:
        tariff = load_json(args.tariff)
        cdr = load_json(args.cdr)
    except InputError as exc:
        err.write(f"ocpkit price: {exc}\n")
        return 2
    try:
        result = price(tariff, cdr, version=args.ocpi, tz=args.tz)
    except OcpkitError as exc:
        err.write(f"ocpkit price: {exc}\n")
        return 2
    if args.report == "json":
        fields = result.as_cdr_fields()
        body = {
            "version": result.version,
            "currency": result.currency,
            "tariff_id": result.tariff_id,
            "time_zone": result.time_zone,
            **fields,
            "lines": [
                {
                    "period": ln.period,
                    "start": ln.start.isoformat(),
                    "end": ln.end.isoformat(),
                    "dimension": ln.dimension,
                    "reservation": ln.reservation,
                    "unit_price": ln.unit_price,
                    "volume": ln.volume,
                    "billed_volume": ln.billed_volume,
                    "cost_excl_vat": ln.cost.excl_vat,
                    "cost_incl_vat": ln.cost.incl_vat,
                }
                for ln in result.lines
            ],
            "warnings": list(result.warnings),
        }
        out.write(json.dumps(body, indent=2, default=str) + "\n")
        return 0
    s = Style(out)
    w = out.write
    w(
        f"{s.bold('Tariff')} {result.tariff_id or '-'}  OCPI {result.version}  {result.currency}"
        f"  time zone {result.time_zone}\n\n"
    )
    header = (
        f"  {'period':<27} {'dimension':<14} {'volume':>10} {'billed':>10}"
        f" {'unit price':>11} {'excl. VAT':>11} {'incl. VAT':>11}\n"
    )
    w(s.dim(header))
    for ln in result.lines:
        when = f"{ln.start:%Y-%m-%d %H:%M}–{ln.end:%H:%M}"
        dim = ln.dimension + (" (resv.)" if ln.reservation else "")
        incl = "" if ln.cost.incl_vat is None else f"{ln.cost.incl_vat}"
        w(
            f"  {when:<27} {dim:<14} {ln.volume.normalize():>10f} {ln.billed_volume.normalize():>10f}"
            f" {ln.unit_price:>11} {ln.cost.excl_vat:>11} {incl:>11}\n"
        )
    w("\n")
    for name, label in (
        ("total_fixed_cost", "fixed"),
        ("total_energy_cost", f"energy ({result.total_energy} kWh, billed {result.billed_energy})"),
        ("total_time_cost", f"time ({result.total_time} h, billed {result.billed_time})"),
        (
            "total_parking_cost",
            f"parking ({result.total_parking_time} h, billed {result.billed_parking_time})",
        ),
        ("total_reservation_cost", "reservation"),
        ("price_limit_adjustment", "min/max price adjustment"),
        ("total_cost", "total"),
    ):
        p = getattr(result, name)
        if name == "price_limit_adjustment" and not p.excl_vat:
            continue
        incl = "" if p.incl_vat is None else f"  incl. VAT {p.incl_vat}"
        line = f"  {label:<44} {p.excl_vat!s:>12} excl. VAT{incl}\n"
        w(s.bold(line) if name == "total_cost" else line)
    for warning in result.warnings:
        w(s.yellow(f"  warning: {warning}") + "\n")
    return 0
