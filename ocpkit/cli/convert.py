"""``ocpkit convert``: convert an OCPI object from one version to another and report what was lost.

Theory of operation: the file is read as JSON with exact decimals (an OCPI
response envelope is unwrapped to its ``data``), its object is the one
``--object`` names or, without it, the one top-level object of the source
version that the document validates as. :func:`ocpkit.ocpi.conversion.convert` does the
work; ``--context KEY=VALUE`` and ``--context-file`` supply what the source
version does not hold. The result is printed as JSON on stdout and the losses
and derived fields on stderr, or everything as one JSON object with
``--report json``.

Exit status: 0 converted without loss, 1 converted with losses, 2 not
converted (unreadable input, invalid object, missing context, usage).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ocpkit.errors import ConversionError, OcpkitError

__all__ = ["add_parser", "run"]

_VERSIONS = ["2.1.1", "2.2.1", "2.3.0"]


def add_parser(sub: Any) -> None:
    """Add the ``convert`` subcommand and its arguments to the subparsers *sub*."""
    cv = sub.add_parser(
        "convert",
        help="convert an OCPI object to another version",
        description="Convert an OCPI object (2.1.1, 2.2.1, 2.3.0) to another version; print the result "
        "and what the target version cannot hold.",
    )
    cv.add_argument("file", metavar="FILE", help="JSON file (- for stdin): an object, a list, or a response")
    cv.add_argument("--from", dest="source", choices=_VERSIONS, required=True, help="OCPI version of FILE")
    cv.add_argument(
        "--to", dest="target", choices=_VERSIONS, required=True, help="OCPI version to convert to"
    )
    cv.add_argument(
        "--object", metavar="NAME", help="object name (CDR, Cdr, Location ...); default: detected"
    )
    cv.add_argument("--partial", action="store_true", help="FILE is a PATCH body")
    cv.add_argument("--lenient", action="store_true", help="accept unknown properties (reported as lost)")
    cv.add_argument(
        "--context",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="what the source version lacks (repeatable); VALUE is text, a whole number or a JSON "
        "object or list",
    )
    cv.add_argument("--context-file", metavar="FILE", help="JSON object of context keys (e.g. a location)")
    cv.add_argument("--report", choices=["text", "json"], default="text", help="output format")


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def _context(args: argparse.Namespace) -> dict[str, Any]:
    from ocpkit.ocpi._parse import decode_json

    context: dict[str, Any] = {}
    if args.context_file:
        loaded = decode_json(_read(args.context_file))
        if not isinstance(loaded, dict):
            raise ValueError(f"{args.context_file}: a JSON object of context keys is expected")
        context.update(loaded)
    for item in args.context:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--context {item!r}: expected KEY=VALUE")
        # Objects, lists and whole numbers are JSON; anything else is text ("2.2" stays a version).
        if text.startswith(("{", "[")):
            context[key] = decode_json(text)
        elif text.lstrip("-").isdigit() and text.isascii():
            context[key] = int(text)
        else:
            context[key] = text
    return context


def _detect(version: str, doc: Any, partial: bool) -> str:
    """The one top-level object of *version* that *doc* (or its first item) validates as."""
    from ocpkit.ocpi import parse, version_package

    sample = doc[0] if isinstance(doc, list) and doc else doc
    package = version_package(version)
    names: list[str] = sorted({str(n) for objects in package.MODULES.values() for n in objects})
    if partial:
        names = sorted(str(n) for n in package.PARTIALS)
    found: list[str] = []
    for name in names:
        try:
            parse(version, name, sample, partial=partial)
        except OcpkitError:
            continue
        found.append(name)
    if len(found) != 1:
        which = ", ".join(found) if found else "none"
        raise ValueError(f"cannot tell the object (matches: {which}); give --object")
    return found[0]


def _pretty(value: Any, out: list[str], indent: int = 0) -> None:
    """JSON with two-space indents; decimals written exactly."""
    pad = "  " * (indent + 1)
    if isinstance(value, Mapping) and value:
        out.append("{\n")
        for i, (k, v) in enumerate(value.items()):
            out.append(f"{',' + chr(10) if i else ''}{pad}{json.dumps(str(k), ensure_ascii=False)}: ")
            _pretty(v, out, indent + 1)
        out.append("\n" + "  " * indent + "}")
    elif isinstance(value, list) and value:
        out.append("[\n")
        for i, v in enumerate(value):
            out.append(f"{',' + chr(10) if i else ''}{pad}")
            _pretty(v, out, indent + 1)
        out.append("\n" + "  " * indent + "]")
    elif isinstance(value, Decimal):
        out.append(str(value) if value.is_finite() else "null")
    elif isinstance(value, Mapping | list):
        out.append("{}" if isinstance(value, Mapping) else "[]")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def _dumps(value: Any) -> str:
    out: list[str] = []
    _pretty(value, out)
    return "".join(out) + "\n"


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``ocpkit convert`` with parsed *args*; return the exit status."""
    from ocpkit.ocpi import convert
    from ocpkit.ocpi._parse import decode_json, to_jsonable

    where = "ocpkit convert"
    try:
        raw = _read(args.file)
    except OSError as exc:
        err.write(f"{where}: {args.file}: cannot read: {exc.strerror or exc}\n")
        return 2
    try:
        doc = decode_json(raw)
        if isinstance(doc, dict) and "data" in doc and "status_code" in doc:
            doc = doc["data"]  # an OCPI response envelope
        context = _context(args)
        name = args.object or _detect(args.source, doc, args.partial)
        result = convert(
            doc,
            to=args.target,
            from_=args.source,
            name=name,
            context=context,
            partial=args.partial,
            lenient=args.lenient,
        )
    except ConversionError as exc:
        err.write(f"{where}: {exc}\n")
        if exc.missing:
            keys = " ".join(f"--context {k}=..." for k in exc.missing)
            err.write(f"{where}: supply {keys}\n")
        return 2
    except (OcpkitError, ValueError, OSError) as exc:
        err.write(f"{where}: {exc}\n")
        return 2
    status = 1 if result.losses else 0
    if args.report == "json":
        out.write(_dumps(result.report()))
        return status
    value: Any = result.value
    out.write(_dumps([to_jsonable(v) for v in value] if isinstance(value, list) else to_jsonable(value)))
    head = f"OCPI {result.source} {result.name} -> {result.target}"
    err.write(f"{where}: {head}: {len(result.losses)} loss(es), {len(result.derived)} derived field(s)\n")
    for loss in result.losses:
        shown = json.dumps(to_jsonable(loss.value), default=str, ensure_ascii=False)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        err.write(f"  lost {loss.path or '/'}: {loss.reason} (was {shown})\n")
    for d in result.derived:
        err.write(f"  derived {d.path}: {d.how}\n")
    return status
