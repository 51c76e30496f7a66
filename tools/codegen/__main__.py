"""Run every generator: ``python -m tools.codegen [--check] [--shared DIR]``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from tools.codegen import GENERATORS

ROOT = Path(__file__).resolve().parents[2]


def _owned_files(owned: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for entry in owned:
        path = ROOT / entry
        if path.is_dir():
            found.update(
                p.relative_to(ROOT).as_posix()
                for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts
            )
        elif path.is_file():
            found.add(entry)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("OCPKIT_SHARED", ROOT.parent / "shared")),
        help="the reference-material directory (default: ../shared or $OCPKIT_SHARED)",
    )
    args = parser.parse_args(argv)
    problems: list[str] = []
    for name in GENERATORS:
        module = importlib.import_module(name)
        files: dict[str, str] = module.generate(args.shared)
        existing = _owned_files(module.OWNED)
        for rel, content in sorted(files.items()):
            path = ROOT / rel
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if current == content:
                continue
            if args.check:
                problems.append(f"{'missing' if current is None else 'differs'}: {rel}")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8", newline="\n")
        for rel in sorted(existing - set(files)):
            if args.check:
                problems.append(f"stale: {rel}")
            else:
                (ROOT / rel).unlink()
    if problems:
        print("generated files are out of date; run: python -m tools.codegen", file=sys.stderr)
        for line in problems:
            print("  " + line, file=sys.stderr)
        return 1
    if args.check:
        print("generated files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
