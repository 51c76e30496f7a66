"""The ``ocpkit`` command line: the only part of ocpkit that touches files.

Theory of operation. :func:`main` parses the arguments and hands them to the
module of the subcommand, each of which owns its arguments (``add_parser``) and
its run (``run``): :mod:`ocpkit.cli.validate` judges captured traffic with the
fold in :mod:`ocpkit.fleet._fold`, :mod:`ocpkit.cli.price` prices a CDR, and
:mod:`ocpkit.cli.schema` exports the generated JSON Schemas, :mod:`ocpkit.cli.convert`
converts OCPI objects between versions, :mod:`ocpkit.cli.ocmf` reads signed meter values and
:mod:`ocpkit.cli.device_model` prints the device-model catalogue. Inputs are read
line by line (:mod:`ocpkit.cli._inputs`), so memory stays flat however large
the capture. Nothing is ever a traceback: usage errors, unreadable input and
even internal errors end as a one-line message on stderr and an exit status.

Exit status: 0 every frame valid, 1 some frame broke a rule, 2 usage error or
an input that could not be read or validated (2 outranks 1: the other inputs are
still validated and reported), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

from ocpkit._version import __version__
from ocpkit.cli import convert, device_model, ocmf, price, schema, validate
from ocpkit.cli._inputs import MAX_LINE_BYTES

__all__ = ["MAX_LINE_BYTES", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() returns the status."""

    def error(self, message: str) -> Any:
        raise _UsageError(f"{self.format_usage()}{self.prog}: error: {message}")


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="ocpkit",
        description="OCPP and OCPI tools: validate captured traffic, price CDRs, export schemas, "
        "convert OCPI objects between versions.",
    )
    p.add_argument("--version", action="version", version=f"ocpkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    validate.add_parser(sub)
    price.add_parser(sub)
    schema.add_parser(sub)
    device_model.add_parser(sub)
    ocmf.add_parser(sub)
    convert.add_parser(sub)
    return p


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    stdin: IO[bytes] | None = None,
) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``) and return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as exc:
        err.write(f"{exc}\n")
        return 2
    except SystemExit as exc:  # --help and --version print and stop
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    try:
        if args.command == "validate":
            return validate.run(args, out, err, stdin if stdin is not None else sys.stdin.buffer)
        if args.command == "price":
            return price.run(args, out, err, stdin if stdin is not None else sys.stdin.buffer)
        if args.command == "device-model":
            return device_model.run(args, out, err)
        if args.command == "ocmf":
            return ocmf.run(args, out, err, stdin if stdin is not None else sys.stdin.buffer)
        if args.command == "convert":
            return convert.run(args, out, err)
        return schema.run(args, out, err)
    except KeyboardInterrupt:
        err.write("ocpkit: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (| head): stop quietly, and keep the
        # interpreter's final flush of stdout from complaining (Python docs, "Note on SIGPIPE").
        if out is sys.stdout:
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
        return 1
    except MemoryError:
        err.write("ocpkit: out of memory\n")
        return 2
    except Exception as exc:  # a bug in ocpkit: say so in one line, never a traceback
        err.write(f"ocpkit: internal error: {type(exc).__name__}: {exc}\n")
        if os.environ.get("OCPKIT_DEBUG"):
            raise
        return 2
