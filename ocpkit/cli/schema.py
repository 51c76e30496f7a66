"""``ocpkit schema export``: write every JSON Schema ocpkit ships (OCPP and OCPI) into a directory.

Theory of operation: the schemas are package data generated from the models
(``ocpkit/_schemas``); the command copies that tree as it is, read through
:mod:`importlib.resources` so it works from a wheel or a zip as well.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add the ``schema`` subcommand (with ``export``) to the subparsers *sub*."""
    sc = sub.add_parser("schema", help="JSON Schemas", description="Work with the generated JSON Schemas.")
    scs = sc.add_subparsers(dest="schema_command", required=True, parser_class=type(sc))
    ex = scs.add_parser("export", help="write every generated JSON Schema (OCPP and OCPI) into DIR")
    ex.add_argument("dir", metavar="DIR")


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``ocpkit schema export`` with parsed *args*; return the exit status."""
    from importlib import resources

    target = Path(args.dir)
    root = resources.files("ocpkit").joinpath("_schemas")
    written = 0
    try:
        target.mkdir(parents=True, exist_ok=True)
        stack = [(root, target)]
        while stack:
            folder, dest = stack.pop()
            for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                if entry.is_dir():
                    (dest / entry.name).mkdir(exist_ok=True)
                    stack.append((entry, dest / entry.name))
                elif entry.name.endswith(".json"):
                    (dest / entry.name).write_bytes(entry.read_bytes())
                    written += 1
    except OSError as exc:
        err.write(f"ocpkit schema export: {args.dir}: {exc.strerror or exc}\n")
        return 2
    out.write(f"wrote {written} JSON Schemas to {target}\n")
    return 0
