"""A frozen copy of the capture reader and the judging fold of ocpkit 0.1.0.dev0: the test oracle.

``ocpkit validate`` was rewritten for speed (a one-pass reader over bytes, a
fold over plain tuples); its records must stay the same. This package keeps
the pipeline as it was before that rewrite -- the capture reader, the
conversation checker, the fold and the ``validate`` run, copied unchanged
except for their imports -- so that ``tests/cli/test_legacy_records.py`` can
compare the records of both, field by field, on every shared capture.

One deliberate change since the copy (issue 14): the conversation checker ends
a charge point's connection at its BootNotification
(``rpc.unanswered-before-reconnect`` instead of ``rpc.concurrent-call``) and
hands the trackers the capture line of each message (its ``ref``), as
``ocpkit.ocpp.conversation`` now does; both are marked "Oracle change".

Delete this package after the next release, once the new pipeline has been
in users' hands; it is test code, never imported by ``ocpkit``.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Sequence

from tests.cli.legacy_pipeline import validate

__all__ = ["main"]


def main(argv: Sequence[str], stdin: bytes = b"") -> tuple[int, str, str]:
    """Run the frozen ``ocpkit validate`` with *argv* (after ``validate``): (status, stdout, stderr)."""
    parser = argparse.ArgumentParser(prog="ocpkit")
    sub = parser.add_subparsers(dest="command", required=True)
    validate.add_parser(sub)
    args = parser.parse_args(["validate", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = validate.run(args, out, err, io.BytesIO(stdin))
    return code, out.getvalue(), err.getvalue()
