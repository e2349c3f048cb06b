"""Server-drawn SVG charts for the cockpit: plain markup, no script and no style attribute, so
the strict CSP holds and the chart prints and saves like the page. Each chart is drawn next to
the table holding the same figures; its colours come from classes in ``static/css/site.css``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 36


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]
    css: str = "series-0"


def text_width(text: str, size: int = 11) -> float:
    """Rough width of a label in the chart's font: a CJK character is square, Latin about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in str(text))


def _y(value: float, maximum: float) -> float:
    span = HEIGHT - TOP - BOTTOM
    return round(TOP + span - span * (value / maximum if maximum else 0), 1)


def _axis(maximum: float, unit: str) -> list[str]:
    parts = []
    for step in range(5):
        value = maximum * step / 4
        y = _y(value, maximum)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}{}</text>',
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                LEFT - 4,
                y + 4,
                f"{value:g}" if value == int(value) else f"{value:.1f}",
                unit,
            )
        )
    return parts


def _svg(title: str, body: list[str], height: int = HEIGHT) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        title,
        mark_safe("".join(body)),  # noqa: S308 - every part is built with format_html
    )


def line_chart(
    title: str, labels: list[str], series: list[Series], *, maximum: float = 100, unit: str = "%"
) -> SafeString:
    """Lines over ``labels`` (months); a None value breaks the line. ``maximum`` tops the axis."""
    count = max(len(labels), 1)
    step = (WIDTH - LEFT - RIGHT) / max(count - 1, 1)
    body = _axis(maximum, unit)
    every = max(1, count // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == count - 1:
            body.append(
                format_html(
                    '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    round(LEFT + i * step, 1),
                    HEIGHT - BOTTOM + 16,
                    label,
                )
            )
    for line in series:
        runs: list[list[str]] = [[]]
        for i, value in enumerate(line.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{round(LEFT + i * step, 1)},{_y(min(value, maximum), maximum)}")
        for run in runs:
            if len(run) > 1:
                body.append(
                    format_html(
                        '<polyline class="line {}" points="{}"><title>{}</title></polyline>',
                        line.css,
                        " ".join(run),
                        line.label,
                    )
                )
            elif run:
                x, y = run[0].split(",")
                body.append(
                    format_html('<circle class="dot {}" cx="{}" cy="{}" r="3"/>', line.css, x, y)
                )
    # The legend below the axis, wrapped onto as many rows as it needs.
    legend_x, legend_y = LEFT, HEIGHT - 14
    for line in series:
        width = 14 + text_width(line.label) + 14
        if legend_x + width > WIDTH - RIGHT and legend_x > LEFT:
            legend_x, legend_y = LEFT, legend_y + 16
        body.append(
            format_html(
                '<rect class="swatch {}" x="{}" y="{}" width="10" height="10"/>'
                '<text class="legend" x="{}" y="{}">{}</text>',
                line.css,
                legend_x,
                legend_y,
                legend_x + 14,
                legend_y + 9,
                line.label,
            )
        )
        legend_x += width
    return _svg(title, body, legend_y + 14)


def bar_chart(
    title: str,
    rows: list[tuple[str, float]],
    *,
    maximum: float | None = None,
    unit: str = "",
    marks: dict[str, float] | None = None,
) -> SafeString:
    """Horizontal bars, one per (label, value); ``marks`` draws a target tick on a bar."""
    marks = marks or {}
    top = maximum or max([value for _label, value in rows] or [0]) or 1
    bar, gap = 18, 8
    label_width = min(220, max([text_width(label) for label, _v in rows] or [0]) + 12)
    height = TOP + len(rows) * (bar + gap) + 8
    span = WIDTH - label_width - 60
    body = []
    for i, (label, value) in enumerate(rows):
        y = TOP + i * (bar + gap)
        length = round(span * min(value, top) / top, 1)
        body.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}{}</title></rect>'
                '<text class="value" x="{}" y="{}">{}{}</text>',
                label_width - 6,
                y + 13,
                label,
                label_width,
                y,
                length,
                bar,
                label,
                f"{value:g}",
                unit,
                label_width + length + 4,
                y + 13,
                f"{value:g}",
                unit,
            )
        )
        if label in marks:
            x = round(label_width + span * min(marks[label], top) / top, 1)
            body.append(
                format_html(
                    '<line class="target" x1="{}" x2="{}" y1="{}" y2="{}"/>',
                    x,
                    x,
                    y - 2,
                    y + bar + 2,
                )
            )
    return _svg(title, body, height)
