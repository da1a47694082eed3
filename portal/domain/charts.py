"""Bar charts drawn on the server as SVG markup: no JavaScript, no inline styles (the CSP forbids style="").

Every chart is an image with a name (`role="img"`, a `<title>` it is labelled by); the page shows the same
figures in a table beside it, so the chart is never the only way to read them. Colours come from classes
styled in `static/css/admin-reports.css`, with presentation attributes as a fallback.
"""

from __future__ import annotations

import textwrap
from typing import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

BAR = 18  # height of one bar in a horizontal chart, in user units
GAP = 6
LINE = 17  # height of one line of a label
LABEL_WIDTH = 240
PLOT_WIDTH = 400
VALUE_WIDTH = 60  # at least; a chart whose figures are words ("2 hari 3 jam") makes room for them
COLUMN_HEIGHT = 180
FILL = "#1d70b8"
CHAR = 9  # the widest a character of the 14px chart text is, in user units (digits and capitals)
LINE_CHARS = (LABEL_WIDTH - 16) // CHAR  # a label line that always fits left of the bars


def _number(value: float) -> str:
    """Return a figure as the chart writes it: 12, or 1.5 with one decimal."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _lines(label: str, width: int = LINE_CHARS, most: int = 3) -> list[str]:
    """Return `label` wrapped into at most `most` lines of `width` characters, the last one cut with an
    ellipsis when it does not fit (the table of the same figures and the bar's tooltip have it in full)."""
    lines = textwrap.wrap(label, width, break_on_hyphens=False) or [""]
    if len(lines) > most:
        rest = " ".join(lines[most - 1:])
        lines = lines[:most - 1] + [rest[:width - 1].rstrip() + "…"]
    return lines


def bar_chart(pairs: Sequence[tuple[str, float]], title: str, chart_id: str,
              value_text: Callable[[float], str] = _number) -> Markup:
    """Return SVG markup of a horizontal bar chart of (label, value) pairs, one bar a row, its label on the
    left (on up to three lines when long) and its figure on the right, written by `value_text` (a figure with its
    unit, as the table beside it says it); `chart_id` makes the ids of its title unique on the page. An empty
    `pairs` gives a chart with only its title."""
    peak = max((value for _label, value in pairs), default=0) or 1
    rows = [(label, value, _lines(label), value_text(value)) for label, value in pairs]
    heights = [max(BAR, len(lines) * LINE) for _label, _value, lines, _text in rows]
    height = sum(row + GAP for row in heights) + GAP if rows else BAR + 2 * GAP
    value_width = max([VALUE_WIDTH] + [len(text) * CHAR + 12 for *_rest, text in rows])
    width = LABEL_WIDTH + PLOT_WIDTH + value_width
    parts = [_open(chart_id, title, width, height)]
    y = GAP
    for (label, value, lines, text), row in zip(rows, heights):
        length = round(PLOT_WIDTH * value / peak, 1)
        middle = y + row / 2
        first = middle - (len(lines) - 1) * LINE / 2
        words = "".join(f'<tspan x="{LABEL_WIDTH - 8}" y="{first + index * LINE}" dominant-baseline="middle">'
                        f'{escape(line)}</tspan>' for index, line in enumerate(lines))
        parts.append(
            f'<g class="bar"><title>{escape(f"{label}: {text}")}</title>'
            f'<text class="chart-label" text-anchor="end" dominant-baseline="middle">{words}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{middle - BAR / 2}" width="{length}" height="{BAR}" '
            f'fill="{FILL}"/>'
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 6}" y="{middle}" '
            f'dominant-baseline="middle">{escape(text)}</text></g>')
        y += row + GAP
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
