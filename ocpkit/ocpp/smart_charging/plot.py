"""A composite schedule drawn next to its profiles, as self-contained SVG text (no script, no fonts to load).

Theory of operation: :func:`profile_schedules` evaluates every stored profile
alone (a store holding just that profile, no default limit) over the same
window and unit, so each profile becomes a step line in the composite's unit;
:func:`schedule_svg` draws those lines thin and the composite thick on one
time axis, with the default or unknown stretches of the composite left as
gaps. The output is deterministic text: the same schedule always gives the
same SVG, so documentation built from it does not change from build to build.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from ocpkit.ocpp.smart_charging._compose import composite_schedule
from ocpkit.ocpp.smart_charging._store import ProfileStore
from ocpkit.ocpp.smart_charging._types import CompositeSchedule, Station

__all__ = ["profile_schedules", "schedule_svg"]

_COLOURS = ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 34, 44
_LEGEND_ROW = 18


def profile_schedules(
    store: ProfileStore,
    evse_id: int,
    start: datetime,
    duration: int,
    unit: str,
    station: Station | None = None,
) -> list[tuple[str, CompositeSchedule]]:
    """Each stored profile alone over the window, labelled ``"<id> <purpose> (stack <n>)"``.

    A profile's line only shows where that profile gives a limit; transactions of *store* are
    kept, so Relative and Tx profiles sit where they do in the composite.
    """
    facts = station if station is not None else Station()
    alone_facts = Station(
        evse_count=facts.evse_count,
        supply_voltage=facts.supply_voltage,
        default_number_phases=facts.default_number_phases,
        supply_phases=facts.supply_phases,
        evse_current=facts.evse_current,
        tz=facts.tz,
    )
    out = []
    for stored in store.profiles:
        if stored.evse_id not in (0, evse_id) and evse_id != 0:
            continue
        alone = ProfileStore(store.version, (stored,), store.transactions, store.priority)
        schedule = composite_schedule(alone, evse_id, start, duration, unit, alone_facts)
        label = f"{stored.profile.id} {stored.profile.purpose} (stack {stored.profile.stack_level})"
        out.append((label, schedule))
    return out


def _nice(raw: float) -> float:
    """A tick step of 1, 2, 2.5 or 5 times a power of ten, at least *raw*."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _steps(schedule: CompositeSchedule) -> list[tuple[int, int, Decimal | None]]:
    periods = schedule.periods
    end = max(schedule.duration, 1)
    return [
        (p.start_period, periods[i + 1].start_period if i + 1 < len(periods) else end, p.limit)
        for i, p in enumerate(periods)
    ]


def schedule_svg(
    composite: CompositeSchedule,
    profiles: Sequence[tuple[str, CompositeSchedule]] = (),
    *,
    title: str = "",
    width: int = 720,
    height: int = 300,
) -> str:
    """SVG text plotting *composite* (thick, black) over the *profiles* lines (thin, coloured).

    *profiles* are ``(label, schedule)`` pairs in the composite's unit, as
    :func:`profile_schedules` returns them.
    """
    lines = [("composite", composite), *profiles]
    known = [float(p.limit) for _, s in lines for p in s.periods if p.limit is not None]
    step = _nice(max(known, default=1.0) * 1.05 / 4)
    top = step * max(1, math.ceil(max(known, default=1.0) * 1.05 / step))
    span = max(composite.duration, 1)
    legend_h = _LEGEND_ROW * len(lines)
    plot_w = width - _LEFT - _RIGHT
    plot_h = height - _TOP - _BOTTOM
    total_h = height + legend_h

    def x(offset: float) -> float:
        return _LEFT + plot_w * offset / span

    def y(value: float) -> float:
        return _TOP + plot_h * (1 - value / top)

    heading = title or f"Composite schedule, EVSE {composite.evse_id} ({composite.unit})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_h}" width="{width}" '
        f'height="{total_h}" role="img" aria-label="{escape(heading, {chr(34): "&quot;"})}" '
        'font-family="sans-serif" font-size="12">',
        f"<title>{escape(heading)}</title>",
        f'<text x="{_LEFT}" y="18" font-size="14" font-weight="bold">{escape(heading)}</text>',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#ccc"/>',
    ]
    for i in range(round(top / step) + 1):
        value = step * i
        level = f"{y(value):.1f}"
        parts.append(f'<line x1="{_LEFT}" y1="{level}" x2="{_LEFT + plot_w}" y2="{level}" stroke="#eee"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_num(value)}</text>')
    for i in range(6):
        offset = span * i / 5
        moment = composite.start + timedelta(seconds=offset)
        label = f"+{_num(offset)} s" if span < 3600 else moment.strftime("%H:%M")
        parts.append(
            f'<text x="{x(offset):.1f}" y="{_TOP + plot_h + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2:.1f}" y="{_TOP + plot_h + 34}" text-anchor="middle" fill="#555">'
        f"{escape(composite.start.strftime('%Y-%m-%d %H:%M:%S UTC'))} + {composite.duration} s</text>"
    )
    parts.append(
        f'<text transform="translate(14 {_TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'fill="#555">limit ({escape(composite.unit)})</text>'
    )
    for index, (label, schedule) in enumerate(lines):
        is_composite = index == 0
        colour = "#000" if is_composite else _COLOURS[(index - 1) % len(_COLOURS)]
        stroke = 'stroke-width="3"' if is_composite else 'stroke-width="1.5" stroke-dasharray="6 3"'
        for path in _paths(_steps(schedule), x, y):
            parts.append(f'<path d="{path}" fill="none" stroke="{colour}" {stroke}/>')
        row = height + _LEGEND_ROW * index + 4
        parts.append(
            f'<line x1="{_LEFT}" y1="{row}" x2="{_LEFT + 28}" y2="{row}" stroke="{colour}" {stroke}/>'
        )
        parts.append(f'<text x="{_LEFT + 36}" y="{row + 4}">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _paths(steps: Sequence[tuple[int, int, Decimal | None]], x: object, y: object) -> list[str]:
    """One SVG path per run of known limits (unknown stretches are gaps)."""
    assert callable(x) and callable(y)
    paths: list[str] = []
    current: list[str] = []
    for a, b, limit in steps:
        if limit is None:
            if current:
                paths.append(" ".join(current))
                current = []
            continue
        level = y(float(limit))
        if not current:
            current.append(f"M{x(a):.1f},{level:.1f}")
        else:
            current.append(f"V{level:.1f}")
        current.append(f"H{x(b):.1f}")
    if current:
        paths.append(" ".join(current))
    return paths
