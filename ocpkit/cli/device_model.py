"""``ocpkit device-model``: print the device-model catalogue, a component's variables, or the 1.6 keys.

Theory of operation: the command reads :mod:`ocpkit.ocpp.device_model` and
prints it -- without a component, one line per standardized component with
its counts; with one, a table of its variables (type, unit, values,
mutability, required, limits) as :meth:`VariableDef.summary
<ocpkit.ocpp.device_model.definitions.VariableDef.summary>` words them; with
``--version 1.6``, the standard configuration keys and what replaces each in
2.x. ``--json`` prints the same as JSON. An unknown component is a usage
error (exit status 2) with the closest names as suggestions.
"""

from __future__ import annotations

import argparse
import difflib
import json
from collections.abc import Sequence
from typing import IO, Any

__all__ = ["add_parser", "run"]

_COLUMNS = (
    "variable",
    "instance",
    "attributes",
    "type",
    "unit",
    "values",
    "mutability",
    "required",
    "limits",
)


def add_parser(sub: Any) -> None:
    """Add the ``device-model`` subcommand and its arguments to the subparsers *sub*."""
    dm = sub.add_parser(
        "device-model",
        help="print the OCPP 2.x device-model catalogue",
        description="Print the standardized components and variables of OCPP 2.0.1 / 2.1 (or the 1.6 keys).",
    )
    dm.add_argument("component", nargs="?", metavar="COMPONENT", help="a component name (case-insensitive)")
    dm.add_argument(
        "--version", choices=["2.0.1", "2.1", "1.6"], default="2.0.1", help="OCPP version (default: 2.0.1)"
    )
    dm.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns; empty columns are dropped."""
    keep = [i for i in range(len(rows[0])) if any(row[i] for row in rows[1:])] if len(rows) > 1 else []
    rows = [[row[i] for i in keep] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(keep))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    if lines:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _components(version: str, as_json: bool, out: IO[str]) -> int:
    from ocpkit.ocpp.device_model import catalogue

    cat = catalogue(version)
    rows: list[dict[str, Any]] = []
    for comp in cat.components:
        own = cat.variables_of(comp.name)
        rows.append(
            {
                "component": comp.name,
                "kind": comp.kind or "",
                "section": comp.section or "",
                "listed": comp.listed,
                "referenced": sum(v.origin == "referenced" for v in own),
                "typical": sum(v.origin == "typical" for v in own),
                "required": sum(v.required for v in own if v.origin == "referenced"),
            }
        )
    if as_json:
        out.write(json.dumps({"version": version, "components": rows}, indent=2) + "\n")
        return 0
    generic = sum(v.component is None for v in cat.referenced)
    out.write(
        f"OCPP {version} device model: {len(cat.components)} components, {len(cat.referenced)} referenced "
        f"variables ({generic} on any component), {len(cat.standardized)} standardized variables\n\n"
    )
    header = ["component", "kind", "appendix", "referenced", "required", "typical"]
    body = [
        [
            r["component"] + ("" if r["listed"] else " *"),
            r["kind"],
            r["section"],
            str(r["referenced"]),
            str(r["required"]),
            str(r["typical"]),
        ]
        for r in rows
    ]
    out.write(_table([header, *body]))
    if any(not r["listed"] for r in rows):
        out.write("\n* not in the published components table\n")
    return 0


def _component(version: str, name: str, as_json: bool, out: IO[str], err: IO[str]) -> int:
    from ocpkit.ocpp.device_model import catalogue

    cat = catalogue(version)
    comp = cat.component(name)
    if comp is None:
        names = [c.name for c in cat.components]
        close = (
            difflib.get_close_matches(name, names, n=3, cutoff=0.6)
            or [n for n in names if name.casefold() in n.casefold()][:3]
        )
        hint = f"; did you mean {', '.join(close)}?" if close else "; run 'ocpkit device-model' for the list"
        err.write(f"ocpkit device-model: OCPP {version} has no standardized component {name!r}{hint}\n")
        return 2
    entries = cat.variables_of(comp.name)
    if as_json:
        body = {
            "version": version,
            "component": comp.name,
            "variables": [{"origin": e.origin, **cat.effective(e).summary()} for e in entries],
        }
        out.write(json.dumps(body, indent=2) + "\n")
        return 0
    where = f", appendix §{comp.section}" if comp.section else ""
    out.write(f"{comp.name} (OCPP {version}{', ' + comp.kind if comp.kind else ''}{where})\n\n")
    for origin, title in (
        ("referenced", "Referenced variables"),
        ("typical", "Typical variables (appendix §3)"),
    ):
        rows = [cat.effective(e).summary() for e in entries if e.origin == origin]
        if not rows:
            continue
        out.write(f"{title}\n")
        out.write(_table([list(_COLUMNS), *([r[c] for c in _COLUMNS] for r in rows)]))
        out.write("\n")
    if any(e.origin == "typical" and e.data_type is None for e in entries):
        out.write("Typical variables without a type of their own show their standardized variable's.\n")
    if not entries:
        out.write("The tables list no variable of its own; the standardized variables apply.\n")
    return 0


def _keys(as_json: bool, out: IO[str]) -> int:
    from ocpkit.ocpp.device_model import config_keys, mapping_16_to_2x

    rows: list[dict[str, Any]] = []
    for key in config_keys():
        mapped = mapping_16_to_2x(key.key)
        rows.append(
            {
                "key": key.key,
                "profile": key.profile,
                "type": key.data_type,
                "accessibility": key.accessibility,
                "required": key.required,
                "unit": key.unit or "",
                "replaced_by": [
                    {"target": t.text, "standard": t.standard, "said_by": list(t.said_by)}
                    for t in (mapped.targets if mapped else ())
                ],
            }
        )
    if as_json:
        out.write(json.dumps({"version": "1.6", "keys": rows}, indent=2) + "\n")
        return 0
    header = ["key", "profile", "type", "access", "required", "unit", "2.x (who says so)"]
    body = [
        [
            r["key"],
            r["profile"],
            r["type"],
            r["accessibility"],
            "yes" if r["required"] else "no",
            r["unit"],
            "; ".join(f"{t['target']} ({', '.join(t['said_by'])})" for t in r["replaced_by"]) or "no source",
        ]
        for r in rows
    ]
    out.write(f"OCPP 1.6 standard configuration keys: {len(rows)}\n\n")
    out.write(_table([header, *body]))
    return 0


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``ocpkit device-model`` with parsed *args*; return the exit status."""
    if args.version == "1.6":
        if args.component:
            err.write("ocpkit device-model: OCPP 1.6 has configuration keys, not components\n")
            return 2
        return _keys(args.json, out)
    if args.component:
        return _component(args.version, args.component, args.json, out, err)
    return _components(args.version, args.json, out)
