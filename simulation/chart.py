"""One inline-SVG line chart for every chart plcflow draws on the server: the what-if report's weekly lines
(issue 12, ``simulation.report``) and a school's rubric trend on the principal's page (issue 11, seed 004).

It lives with the simulation, which must stay pure (it may not import ``app``:
``tests/unit/test_simulation.py``); being plain string building, the web app
imports it from here. No script, font or image: a title, both axes with their
labels, labelled ticks (numbers or names, such as a rubric's levels), a legend
row per series, and a ``<desc>`` that says what the chart shows in words.
"""

from dataclasses import dataclass
from html import escape

FONT = 11


@dataclass(frozen=True)
class Series:
    """One line: a value per x label (None: no point there), an optional (low, high) band, dashed or not."""

    name: str
    color: str
    values: list[float | None]
    band: tuple[list[float], list[float]] | None = None
    dashed: bool = False
    legend: str = ""  # what the legend says after the name


def ticks(top: float) -> list[tuple[float, str]]:
    """Round numeric ticks from 0 to at least ``top``."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 5000) if top / s <= 6)
    return [(i * step, f"{i * step:g}") for i in range(int(top // step) + 2) if i * step <= max(top, step)]


def line_chart(title: str, x_labels: list[str], series: list[Series], *, x_title: str, y_title: str,
               y_ticks: list[tuple[float, str]], width: int = 760, height: int = 300, left: int = 56,
               markers: bool = False, desc: str = "", font_size: int = FONT, inset: int = 0,
               dodge: float = 0) -> str:
    """An SVG line chart; the y axis runs from the first tick to the last (or the highest value drawn). ``markers``: a dot
    on every point (a series of one point has no line to show). An x label may hold a line break; ``inset`` keeps the
    first and last points (and their labels) that far inside the axes; ``dodge`` sets each series that many pixels
    beside the next, so series on the same value (a rubric's few levels) all stay visible."""
    lines = max((label.count("\n") + 1 for label in x_labels), default=1)  # an x label may take two lines
    right, top_m, bottom = 16, 36, 58 + (font_size + 4) * (lines - 1)
    row_h = font_size + 5
    h = height + row_h * len(series)  # one legend row per series
    drawn = [v for s in series for vs in (s.values, *(s.band or ())) for v in vs if v is not None]
    low, top = y_ticks[0][0], max([y_ticks[-1][0], y_ticks[0][0] + 1, *drawn])
    pw, ph = width - left - right, height - top_m - bottom
    x = lambda i: left + inset + (pw - 2 * inset) * (i / max(len(x_labels) - 1, 1) if len(x_labels) > 1 else 0.5)  # noqa: E731
    y = lambda v: top_m + ph * (1 - (v - low) / (top - low))  # noqa: E731
    parts = [f'<svg role="img" aria-labelledby="{_id(title)}-t {_id(title)}-d" viewBox="0 0 {width} {h}" width="{width}" '
             f'height="{h}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="{font_size}">',
             f'<title id="{_id(title)}-t">{escape(title)}</title><desc id="{_id(title)}-d">{escape(desc or title)}</desc>',
             f'<text x="{left}" y="18" font-size="14" font-weight="bold" aria-hidden="true">{escape(title)}</text>']
    for value, label in y_ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#e3e3e3"/>'
                     f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    every = max(1, len(x_labels) // 10)
    for i in range(0, len(x_labels), every):
        parts.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top_m + ph}" y2="{top_m + ph + 4}" stroke="#333"/>'
                     f'<text x="{x(i):.1f}" y="{top_m + ph + 16}" text-anchor="middle">{_lines(x_labels[i], x(i))}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top_m}" y2="{top_m + ph}" stroke="#333"/>'
                 f'<line x1="{left}" x2="{width - right}" y1="{top_m + ph}" y2="{top_m + ph}" stroke="#333"/>'
                 f'<text x="{left + pw / 2}" y="{height - 22}" text-anchor="middle">{escape(x_title)}</text>'
                 f'<text transform="translate(14 {top_m + ph / 2}) rotate(-90)" text-anchor="middle">{escape(y_title)}</text>')
    dash = lambda s: ' stroke-dasharray="6 3"' if s.dashed else ""  # noqa: E731
    for n, s in reversed(list(enumerate(series))):  # the first series drawn last, on top
        shift = dodge * (n - (len(series) - 1) / 2)
        if s.band:
            upper = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.band[1]))
            lower = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(s.band[0]))))
            parts.append(f'<polygon points="{upper} {lower}" fill="{s.color}" fill-opacity="0.15" stroke="none"/>')
        points = [(x(i) + shift, y(v)) for i, v in enumerate(s.values) if v is not None]
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{s.color}" stroke-width="2"{dash(s)}/>')
        if markers:
            parts += [f'<circle class="point" cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{s.color}"/>' for px, py in points]
    for row, s in enumerate(series):
        ly = height - 8 + row_h * row
        swatch = (f'<rect x="{left}" y="{ly - 6}" width="16" height="10" fill="{s.color}" fill-opacity="0.15"/>' if s.band
                  else f'<circle cx="{left + 8}" cy="{ly - 1}" r="3.5" fill="{s.color}"/>' if markers else "")
        parts.append(f'{swatch}<line x1="{left}" x2="{left + 16}" y1="{ly - 1}" y2="{ly - 1}" stroke="{s.color}" '
                     f'stroke-width="2"{dash(s)}/><text x="{left + 22}" y="{ly + 3}">{escape(s.name + s.legend)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _lines(label: str, x: float) -> str:
    first, *more = label.split("\n")
    return escape(first) + "".join(f'<tspan x="{x:.1f}" dy="1.2em">{escape(m)}</tspan>' for m in more)


def _id(title: str) -> str:
    """An id for the title and description, from the title (one chart per title on a page)."""
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60]
