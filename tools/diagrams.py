"""Print every ocpkit state machine as a Mermaid ``stateDiagram-v2`` block (Markdown).

Usage: ``python -m tools.diagrams > state-machines.md``. The drawings come from
the same tables the machines run on (``ocpkit._fsm.mermaid``), so a page built
from this output cannot drift from the code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from ocpkit._fsm import Spec, mermaid
from ocpkit.ocpi.command import CommandState, command_spec
from ocpkit.ocpi.session import session_spec
from ocpkit.ocpp.connector import v2_spec, v16_connector0_spec, v16_spec
from ocpkit.ocpp.transaction import v2_transaction_spec, v16_transaction_spec


def machines() -> Iterator[tuple[str, Spec[Any, Any], tuple[Any, ...]]]:
    """Yield (title, spec, initial states) for every machine."""
    yield "OCPP 1.6 connector (connectorId > 0)", v16_spec(), ()
    yield "OCPP 1.6 connector 0", v16_connector0_spec(), ()
    yield "OCPP 2.0.1 / 2.1 connector", v2_spec(), ()
    yield "OCPP 1.6 transaction", v16_transaction_spec(), ("Idle",)
    yield "OCPP 2.0.1 / 2.1 transaction", v2_transaction_spec(), ("Idle",)
    for version in ("2.1.1", "2.2.1", "2.3.0"):
        initial = ("PENDING",) if version == "2.1.1" else ("PENDING", "RESERVATION")
        yield f"OCPI {version} session", session_spec(version), initial
    yield "OCPI command", command_spec(), (CommandState.REQUESTED,)


def main() -> int:
    """Write the Markdown page to standard output."""
    out = ["# State machines", ""]
    for title, spec, initial in machines():
        out += [f"## {title}", "", "```mermaid", mermaid(spec, initial=initial).rstrip(), "```", ""]
    sys.stdout.write("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
