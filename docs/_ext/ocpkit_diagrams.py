"""State diagrams as self-contained inline SVG, drawn from a machine's own transition table.

Theory of operation: the documentation must render without network access, so
diagrams are plain SVG text produced here (no Graphviz, no JavaScript). The
layout is deliberately simple: states sit on a circle in table order, each edge
is a quadratic curve bent to its right so that the two directions of a pair do
not overlap, self-loops are small arcs above their state. Dense tables (more
than three edges per state) are drawn without edge labels; the transition
matrix printed next to the diagram carries them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = ["Arrow", "state_svg"]

_FONT = 13
_CHAR_W = 7.4  # average glyph width of the sans-serif font at _FONT px
_BOX_H = 30
_PAD = 12


@dataclass(frozen=True)
class Arrow:
    """One edge to draw: from ``source`` to ``target``, with an optional ``label``."""

    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class _Box:
    cx: float
    cy: float
    w: float
    h: float

    def border(self, dx: float, dy: float) -> tuple[float, float]:
        """The point where a ray from the centre in direction (dx, dy) leaves the box."""
        if dx == 0 and dy == 0:
            return self.cx, self.cy
        scale = min(
            (self.w / 2) / abs(dx) if dx else math.inf,
            (self.h / 2) / abs(dy) if dy else math.inf,
        )
        return self.cx + dx * scale, self.cy + dy * scale


def _layout(states: Sequence[str]) -> tuple[dict[str, _Box], float, float]:
    widths = {s: len(s) * _CHAR_W + 2 * _PAD for s in states}
    n = len(states)
    widest = max(widths.values(), default=60.0)
    # Neighbours on the circle must not touch: chord >= widest box + gap.
    radius = 0.0 if n == 1 else max(110.0, (widest + 40) / (2 * math.sin(math.pi / n)), 45.0 * n / math.pi)
    boxes = {}
    for i, state in enumerate(states):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        boxes[state] = _Box(radius * math.cos(angle), radius * math.sin(angle), widths[state], _BOX_H)
    # Shift everything into view with room for self-loops (above) and bent edges (around).
    pad = 48.0
    left = min((b.cx - b.w / 2 for b in boxes.values()), default=0.0) - pad
    top = min((b.cy - b.h / 2 for b in boxes.values()), default=0.0) - pad
    right = max((b.cx + b.w / 2 for b in boxes.values()), default=0.0) + pad
    bottom = max((b.cy + b.h / 2 for b in boxes.values()), default=0.0) + pad
    boxes = {s: _Box(b.cx - left, b.cy - top, b.w, b.h) for s, b in boxes.items()}
    return boxes, right - left, bottom - top


def state_svg(title: str, states: Sequence[str], arrows: Sequence[Arrow], *, ident: str = "fsm") -> str:
    """Return an ``<svg>`` element drawing *states* and *arrows*.

    *ident* makes marker ids unique when several diagrams share one page.
    """
    boxes, width, height = _layout(states)
    show_labels = len(arrows) <= 3 * max(len(states), 1)
    marker = f"{ident}-arrow"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ocpkit-state-diagram" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="sans-serif" font-size="{_FONT}">',
        f"<title>{escape(title)}</title>",
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
        '<g fill="none" stroke="#777" stroke-width="1.2">',
    ]
    labels = []
    for arrow in arrows:
        src, dst = boxes[arrow.source], boxes[arrow.target]
        if arrow.source == arrow.target:
            x0, y0 = src.cx - 10, src.cy - src.h / 2
            x1 = src.cx + 10
            path = (
                f"M{x0:.1f},{y0:.1f} C{x0 - 18:.1f},{y0 - 38:.1f} "
                f"{x1 + 18:.1f},{y0 - 38:.1f} {x1:.1f},{y0:.1f}"
            )
            lx, ly = src.cx, y0 - 32
        else:
            dx, dy = dst.cx - src.cx, dst.cy - src.cy
            dist = math.hypot(dx, dy)
            # Bend to the right of the direction of travel: the reverse edge bends the other way.
            bend = min(40.0, dist * 0.18)
            mx, my = (src.cx + dst.cx) / 2 + dy / dist * bend, (src.cy + dst.cy) / 2 - dx / dist * bend
            sx, sy = src.border(mx - src.cx, my - src.cy)
            ex, ey = dst.border(mx - dst.cx, my - dst.cy)
            path = f"M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}"
            lx, ly = 0.25 * sx + 0.5 * mx + 0.25 * ex, 0.25 * sy + 0.5 * my + 0.25 * ey
        tooltip = escape(_edge_title(arrow))
        out.append(f'<path d="{path}" marker-end="url(#{marker})"><title>{tooltip}</title></path>')
        if show_labels and arrow.label:
            labels.append(
                f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" font-size="{_FONT - 2}" '
                f'fill="#333" stroke="#fff" stroke-width="3" paint-order="stroke">'
                f"{escape(arrow.label)}</text>"
            )
    out.append("</g>")
    for state in states:
        box = boxes[state]
        out.append(
            f'<rect x="{box.cx - box.w / 2:.1f}" y="{box.cy - box.h / 2:.1f}" width="{box.w:.1f}" '
            f'height="{box.h:.1f}" rx="8" fill="#eef4fb" stroke="#2b6cb0" stroke-width="1.5"/>'
        )
        out.append(
            f'<text x="{box.cx:.1f}" y="{box.cy + _FONT / 2 - 2:.1f}" text-anchor="middle" '
            f'fill="#1a202c">{escape(state)}</text>'
        )
    out.extend(labels)
    out.append("</svg>")
    return "\n".join(out)


def _edge_title(arrow: Arrow) -> str:
    text = f"{arrow.source} → {arrow.target}"
    return f"{text} ({arrow.label})" if arrow.label else text
