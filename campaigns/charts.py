"""Server-rendered SVG charts: pure functions from numbers to an accessible SVG string.

No JavaScript and no vendored package: each function takes plain data and returns a SafeString
whose every piece of text is escaped. Each SVG is role="img" with a <title> and <desc> (wired by
aria-labelledby) that say what it shows; pages put the same numbers in a table beneath it.
Used by Monitoring, and meant for the Delivery client report too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

AXIS = "#6e7781"
GRID = "#d0d7de"
TEXT = "#24292f"
FONT = "font-family=\"system-ui, sans-serif\""


@dataclass(frozen=True)
class Series:
    """One line of a timeline: its name, one value per label, and its colour."""

    name: str
    values: Sequence[float]
    color: str = "#1d4ed8"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    color: str = "#1d4ed8"
    note: str = ""
    display: str = ""  # the value as text, when value_format cannot say it (e.g. "—")


def number(value: float) -> str:
    """1234 → 1,234; 1234567 → 1.2M: compact axis labels."""
    value = float(value)
    for limit, unit, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(value) >= limit:
            return f"{value / unit:.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _attr(value) -> str:
    return escape(str(value))


def _color(value: str) -> str:
    """Only #rgb / #rrggbb reach the SVG; anything else falls back to grey."""
    text = str(value)
    if text.startswith("#") and len(text) in (4, 7) and all(
        char in "0123456789abcdefABCDEF" for char in text[1:]
    ):
        return text
    return "#555555"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{_attr(chart_id)}-title {_attr(chart_id)}-desc" {FONT}>',
        f'<title id="{_attr(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{_attr(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _nice_max(value: float) -> float:
    """A round axis maximum at or above value (1, 2, 2.5 or 5 × a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _empty(chart_id: str, title: str, width: int, height: int) -> SafeString:
    parts = _open(chart_id, title, "No figures to chart.", width, height)
    parts.append(
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{AXIS}" '
        f'font-size="14">No figures to chart.</text></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def timeline_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    description: str = "",
    chart_id: str = "",
    width: int = 720,
    panel_height: int = 150,
) -> SafeString:
    """Lines over time, one panel per series sharing the x axis.

    Series of different magnitudes (impressions, engagements) get their own panel and scale,
    so the smaller one is not flattened against the larger.
    """
    chart_id = chart_id or slugify(title) or "chart"
    height = panel_height * len(series) + 30
    if not labels or not series:
        return _empty(chart_id, title, width, panel_height)
    left, right, top = 64, 16, 22
    plot_width = width - left - right
    step = plot_width / max(len(labels) - 1, 1)
    parts = _open(chart_id, title, description or title, width, height)
    for index, line in enumerate(series):
        y0 = index * panel_height + top
        plot_height = panel_height - top - 16
        top_value = _nice_max(max([*line.values, 0]))
        color = _color(line.color)
        parts.append(
            f'<text x="{left}" y="{y0 - 7}" font-size="12" font-weight="600" fill="{TEXT}">'
            f"{escape(line.name)}</text>"
        )
        for tick in range(3):
            value = top_value * tick / 2
            y = y0 + plot_height - plot_height * tick / 2
            parts.append(
                f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                f'fill="{AXIS}">{escape(number(value))}</text>'
            )
        points = []
        for position, value in enumerate(line.values):
            x = left + (step * position if len(labels) > 1 else plot_width / 2)
            y = y0 + plot_height - plot_height * max(value, 0) / top_value
            points.append((x, y, value, labels[position]))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5" '
                f'stroke-linejoin="round"/>'
            )
        for x, y, value, label in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
                f"<title>{escape(label)}: {escape(number(value))} {escape(line.name)}</title>"
                f"</circle>"
            )
    # x labels: at most eight, evenly spread, so dates never overlap.
    shown = sorted({round(i * (len(labels) - 1) / 7) for i in range(8)}) if len(labels) > 8 \
        else range(len(labels))
    for position in shown:
        x = left + (step * position if len(labels) > 1 else plot_width / 2)
        anchor = "middle"
        if len(labels) > 1 and position == 0:
            anchor = "start"
        elif len(labels) > 1 and position == len(labels) - 1:
            anchor = "end"
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}" font-size="11" '
            f'fill="{AXIS}">{escape(labels[position])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def bar_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    description: str = "",
    chart_id: str = "",
    value_format: Callable[[float], str] = number,
    width: int = 720,
    bar_height: int = 26,
) -> SafeString:
    """Horizontal bars, one per label, longest first as given, with the value at the end."""
    chart_id = chart_id or slugify(title) or "chart"
    if not bars:
        return _empty(chart_id, title, width, 80)
    left, right, gap, top = 96, 250, 10, 8
    height = top + len(bars) * (bar_height + gap) + 4
    top_value = max([bar.value for bar in bars] + [0]) or 1
    plot_width = width - left - right
    parts = _open(chart_id, title, description or title, width, height)
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = max(plot_width * max(bar.value, 0) / top_value, 1)
        label = bar.display or value_format(bar.value)
        note = f" · {bar.note}" if bar.note else ""
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="{TEXT}">{escape(bar.label)}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar_height}" rx="3" '
            f'fill="{_color(bar.color)}"><title>{escape(bar.label)}: {escape(label)}'
            f"{escape(note)}</title></rect>"
            f'<text x="{left + length + 6:.1f}" y="{y + bar_height / 2 + 4:.1f}" font-size="12" '
            f'fill="{TEXT}">{escape(label)}<tspan fill="{AXIS}" font-size="11">{escape(note)}'
            f"</tspan></text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def heatmap(
    *,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: dict[tuple[int, int], float],
    description: str = "",
    chart_id: str = "",
    cell_title: Callable[[int, int, float | None], str] | None = None,
    color: str = "#1d4ed8",
) -> SafeString:
    """A grid of cells (rows × columns); darker is higher, an empty cell had no data.

    values maps (row index, column index) to a number; missing keys are empty cells.
    """
    chart_id = chart_id or slugify(title) or "chart"
    if not rows or not columns:
        return _empty(chart_id, title, 720, 80)
    left, top, cell, gap = 48, 22, 26, 2
    width = left + len(columns) * (cell + gap) + 4
    height = top + len(rows) * (cell + gap) + 4
    top_value = max([value for value in values.values() if value is not None] + [0]) or 1
    fill = _color(color)
    parts = _open(chart_id, title, description or title, width, height)
    for column, label in enumerate(columns):
        if len(columns) > 12 and column % 3:
            continue  # every third hour label, so they stay legible
        x = left + column * (cell + gap) + cell / 2
        parts.append(
            f'<text x="{x:.1f}" y="{top - 6}" text-anchor="middle" font-size="10" '
            f'fill="{AXIS}">{escape(label)}</text>'
        )
    for row, label in enumerate(rows):
        y = top + row * (cell + gap)
        parts.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
        for column in range(len(columns)):
            x = left + column * (cell + gap)
            value = values.get((row, column))
            tip = cell_title(row, column, value) if cell_title else (
                f"{label} {columns[column]}: {'no data' if value is None else number(value)}"
            )
            if value is None:
                style = f'fill="#f6f8fa" stroke="{GRID}"'
            else:
                opacity = 0.12 + 0.88 * max(value, 0) / top_value
                style = f'fill="{fill}" fill-opacity="{opacity:.2f}"'
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="3" {style}>'
                f"<title>{escape(tip)}</title></rect>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
