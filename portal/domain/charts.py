"""Bar charts drawn on the server as SVG markup: no JavaScript, no inline styles (the CSP forbids style="").

Every chart is an image with a name (`role="img"`, a `<title>` it is labelled by); the page shows the same
figures in a table beside it, so the chart is never the only way to read them. Colours come from classes
styled in `static/css/admin-reports.css`, with presentation attributes as a fallback.
"""

from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

BAR = 18  # height of one bar in a horizontal chart, in user units
GAP = 6
LABEL_WIDTH = 220
PLOT_WIDTH = 420
VALUE_WIDTH = 60
COLUMN_HEIGHT = 180
FILL = "#1d70b8"


def _number(value: float) -> str:
    """Return a figure as the chart writes it: 12, or 1.5 with one decimal."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _short(label: str, limit: int = 30) -> str:
    """Return `label` cut to `limit` characters with an ellipsis (the table beside the chart has it in full)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(pairs: Sequence[tuple[str, float]], title: str, chart_id: str) -> Markup:
    """Return SVG markup of a horizontal bar chart of (label, value) pairs, one bar a row, its label on the
    left and its figure on the right; `chart_id` makes the ids of its title unique on the page. An empty
    `pairs` gives a chart with only its title."""
    peak = max((value for _label, value in pairs), default=0) or 1
    height = max(len(pairs), 1) * (BAR + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [_open(chart_id, title, width, height)]
    for index, (label, value) in enumerate(pairs):
        y = GAP + index * (BAR + GAP)
        length = round(PLOT_WIDTH * value / peak, 1)
        middle = y + BAR / 2
        parts.append(
            f'<g class="bar"><title>{escape(f"{label}: {_number(value)}")}</title>'
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(_short(label))}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}" fill="{FILL}"/>'
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 6}" y="{middle}" '
            f'dominant-baseline="middle">{escape(_number(value))}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(pairs: Sequence[tuple[str, float]], title: str, chart_id: str) -> Markup:
    """Return SVG markup of a vertical bar chart for a series such as one bar per day: bars side by side, the
    first and last labels under the axis and the highest figure beside it (a year of days has no room for
    every label; each bar carries its own in a tooltip)."""
    count = max(len(pairs), 1)
    step = max(PLOT_WIDTH * 1.5 / count, 2)
    plot = step * count
    left, bottom = 40, 30
    width, height = left + plot + 10, COLUMN_HEIGHT + bottom + 10
    highest = max((value for _label, value in pairs), default=0)
    peak = highest or 1  # an all-zero series draws flat bars, not a division by zero
    parts = [_open(chart_id, title, round(width), height),
             f'<line class="chart-axis" x1="{left}" y1="{COLUMN_HEIGHT + 10}" x2="{round(left + plot, 1)}" '
             f'y2="{COLUMN_HEIGHT + 10}" stroke="#505a5f"/>',
             f'<text class="chart-value" x="{left - 6}" y="16" text-anchor="end">{escape(_number(highest))}</text>']
    for index, (label, value) in enumerate(pairs):
        tall = round(COLUMN_HEIGHT * value / peak, 1)
        x = round(left + index * step + step * 0.1, 1)
        parts.append(
            f'<rect class="chart-bar" x="{x}" y="{round(COLUMN_HEIGHT + 10 - tall, 1)}" '
            f'width="{round(step * 0.8, 1)}" height="{tall}" fill="{FILL}">'
            f'<title>{escape(f"{label}: {_number(value)}")}</title></rect>')
    if pairs:
        parts.append(f'<text class="chart-label" x="{left}" y="{COLUMN_HEIGHT + 28}">'
                     f'{escape(pairs[0][0])}</text>')
        if len(pairs) > 1:
            parts.append(f'<text class="chart-label" x="{round(left + plot, 1)}" y="{COLUMN_HEIGHT + 28}" '
                         f'text-anchor="end">{escape(pairs[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(chart_id: str, title: str, width: float, height: float) -> str:
    """Return the opening of a chart: the svg element, named by its title."""
    title_id = f"{chart_id}-title"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id={quoteattr(chart_id)} '
            f'viewBox="0 0 {width} {height}" role="img" aria-labelledby={quoteattr(title_id)}>'
            f'<title id={quoteattr(title_id)}>{escape(title)}</title>')
