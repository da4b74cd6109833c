"""Horizontal bar charts drawn as SVG on the server: they need no JavaScript, and the table
beneath each one carries the same numbers for screen readers and for copying."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

LABEL_WIDTH = 150
BAR_AREA = 360
ROW_HEIGHT = 26
BAR_HEIGHT = 18
CHART_WIDTH = LABEL_WIDTH + BAR_AREA + 110


@dataclass(frozen=True)
class Bar:
    label: str
    text: str   # the value as shown at the end of the bar
    x: int
    y: int
    width: float
    text_x: float
    label_y: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT
    label_width: int = LABEL_WIDTH


def bar_chart(
    title: str,
    rows: Sequence,
    *,
    value: Callable[[object], float],
    text: Callable[[object], str],
    label: Callable[[object], str] = lambda row: row.label,
) -> BarChart:
    values = [float(value(row)) for row in rows]
    top = max(values, default=0.0) or 1.0
    bars = []
    for index, (row, amount) in enumerate(zip(rows, values, strict=True)):
        width = round(BAR_AREA * amount / top, 1) if amount > 0 else 0.0
        y = index * ROW_HEIGHT + 4
        bars.append(
            Bar(
                label=label(row)[:24], text=text(row), x=LABEL_WIDTH, y=y, width=max(width, 1.0),
                text_x=LABEL_WIDTH + max(width, 1.0) + 6, label_y=y + BAR_HEIGHT - 5,
            )
        )
    return BarChart(title=title, bars=bars, width=CHART_WIDTH, height=len(bars) * ROW_HEIGHT + 8)
