"""Site-only Sphinx directive: a composite schedule computed and plotted at build time.

Theory of operation: ``.. ocpkit-schedule-plot::`` takes a JSON description of
a station (version, station facts, profiles with their EVSE, transactions, the
request) as its content, installs the profiles through
:meth:`ocpkit.ocpp.smart_charging.ProfileStore.install` (a refused profile is a
build error: the example would not be what it claims), computes the composite
schedule and inserts the SVG of :func:`ocpkit.ocpp.smart_charging.plot.schedule_svg`
plus a table of the composite's periods. Nothing generated is stored in the
repository.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from ocpkit._model import parse_rfc3339
from ocpkit.ocpp.smart_charging import ProfileStore, Station, composite_schedule
from ocpkit.ocpp.smart_charging.plot import profile_schedules, schedule_svg


def _example(spec: dict[str, Any]) -> tuple[Any, Any, Any]:
    version = spec["version"]
    facts = dict(spec.get("station", {}))
    for key in ("default_limit_a", "default_limit_w", "supply_voltage"):
        if key in facts:
            facts[key] = Decimal(str(facts[key]))
    station = Station(**facts)
    now = parse_rfc3339(spec["request"]["start"])
    store = ProfileStore(version)
    for evse, tx_id, start in spec.get("transactions", []):
        store = store.start_transaction(evse, tx_id, parse_rfc3339(start) if start else None)
    for evse, profile in spec["profiles"]:
        result = store.install(profile, evse, now, station=station)
        if not result.accepted:
            raise ValueError(f"example profile refused: {[r.message for r in result.refusals]}")
        store = result.store
    request = spec["request"]
    args = (request["evse"], now, request["duration"], request["unit"], station)
    return store, composite_schedule(store, *args), profile_schedules(store, *args)


class SchedulePlot(SphinxDirective):
    """``.. ocpkit-schedule-plot::`` with a JSON example as content."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        """Compute the example's composite schedule; return the figure and the period table."""
        spec = json.loads("\n".join(self.content))
        _, composite, lines = _example(spec)
        svg = schedule_svg(composite, lines, title=spec.get("title", ""))
        figure = nodes.raw("", f'<figure class="ocpkit-diagram">{svg}</figure>', format="html")
        table = nodes.table(classes=["ocpkit-table"])
        group = nodes.tgroup(cols=4)
        table += group
        for _ in range(4):
            group += nodes.colspec(colwidth=1)
        head = nodes.thead()
        group += head
        body = nodes.tbody()
        group += body
        row = nodes.row()
        for title in ("startPeriod (s)", f"limit ({composite.unit})", "numberPhases", "set by"):
            row += nodes.entry("", nodes.paragraph(text=title))
        head += row
        for period in composite.periods:
            source = period.source
            who = f"profile {source.id} ({source.purpose})" if source else "default limit"
            cells = (str(period.start_period), str(period.limit), str(period.number_phases or "—"), who)
            row = nodes.row()
            for text in cells:
                row += nodes.entry("", nodes.paragraph(text=text))
            body += row
        return [figure, table]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("ocpkit-schedule-plot", SchedulePlot)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
