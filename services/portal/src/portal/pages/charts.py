"""Server-rendered SVG line charts for the credit file (no JavaScript chart library).

A chart is drawn from already formatted points (the page formats labels and values for the
request's locale), so this module is pure: points in, SVG markup out. The score chart has a
fixed 0-100 axis and a score is never drawn above it: the seed's portal summed grouped months
and showed scores above 100; ratings never sums them (its history serves one point per month),
and the chart clamps whatever it is given into the axis, so a point can never leave the frame.
Each chart goes with a table of the same figures (in the template) for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 40
SCORE_MAX = 100


@dataclass(frozen=True)
class ChartPoint:
    """One point: its x label (a month), its value (None: no data that month) and the value as shown."""

    label: str
    value: float | None
    shown: str


@dataclass(frozen=True)
class Tick:
    value: float
    label: str


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^k at or above `value` (an axis top); 1 for nothing."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10.0**exponent
        if candidate >= value:
            return candidate
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop ends at 10 x 10^k


def axis_ticks(top: float, count: int = 5) -> list[float]:
    """`count` + 1 evenly spaced values from 0 to `top`."""
    return [top * i / count for i in range(count + 1)]


def _y(value: float, top: float) -> float:
    clamped = min(max(value, 0.0), top)
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - clamped / top)


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    if count <= 1:
        return LEFT + inner / 2
    return LEFT + inner * index / (count - 1)


def line_chart(
    points: Sequence[ChartPoint],
    *,
    chart_id: str,
    title: str,
    description: str,
    top: float,
    ticks: Sequence[Tick],
    label_every: int = 3,
) -> Markup:
    """An accessible SVG line chart of `points` on an axis from 0 to `top` (values clamped into it).

    Gaps (None) break the line. Every `label_every`-th month is labelled on the x axis, and the last.
    """
    top = top if top > 0 else 1.0
    parts: list[str] = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for tick in ticks:
        y = _y(tick.value, top)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="#d0d4da" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#333">{escape(tick.label)}</text>'
        )
    count = len(points)
    every = max(label_every, 1)
    for index, point in enumerate(points):
        last = index == count - 1
        # Every `every`-th month and the last one (anchored at its end so it stays in the frame),
        # skipping a regular label too close to the last one to be read.
        if last or (index % every == 0 and count - 1 - index >= every):
            anchor = "end" if last and count > 1 else "middle"
            parts.append(
                f'<text class="chart-axis" x="{_x(index, count):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                f'text-anchor="{anchor}" font-size="11" fill="#333">{escape(point.label)}</text>'
            )
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, point in enumerate(points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_x(index, count):.1f},{_y(point.value, top):.1f}")
    if segment:
        segments.append(segment)
    for line in segments:
        parts.append(
            f'<polyline class="chart-line" points="{" ".join(line)}" fill="none" stroke="#0b5cad" stroke-width="2.5"/>'
        )
    for index, point in enumerate(points):
        if point.value is None:
            continue
        parts.append(
            f'<circle class="chart-point" cx="{_x(index, count):.1f}" cy="{_y(point.value, top):.1f}" r="3.5" '
            f'fill="#0b5cad"><title>{escape(point.label)}: {escape(point.shown)}</title></circle>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def score_chart(points: Sequence[ChartPoint], *, chart_id: str, title: str, description: str) -> Markup:
    """The national score chart: a fixed 0-100 axis, never a point above 100."""
    ticks = [Tick(v, f"{v:.0f}") for v in axis_ticks(SCORE_MAX)]
    return line_chart(points, chart_id=chart_id, title=title, description=description, top=SCORE_MAX, ticks=ticks)
