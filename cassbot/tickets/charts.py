"""Charts drawn on the server as inline SVG: no scripts, no CDN, readable offline.

Each chart is an image with a title and a description for screen readers; the page puts the
same numbers in a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

PALETTE = ["#0b6e4f", "#c8553d", "#2a6f97", "#f2b705", "#6a4c93", "#588157", "#8d99ae"]
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def horizontal_bars(
    chart_id: str, title: str, items: Sequence[tuple[str, float]], *, unit: str = ""
) -> Markup:
    """One bar per item, labelled with its value."""
    width, label_w, row_h = 640, 230, 26
    height = max(1, len(items)) * row_h + 10
    top = max((v for _, v in items), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(items):
        y = 5 + index * row_h
        bar = (width - label_w - 60) * value / top
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" {_FONT}>'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 8}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {value:g}{unit}</title></rect>'
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 17}" {_FONT}>{value:g}{unit}</text>'
        )
    if not items:
        rows.append(f'<text x="10" y="20" {_FONT}>Sin datos en el periodo.</text>')
    return _svg(chart_id, title, width, height, "".join(rows), _describe(items, unit))


def stacked_columns(
    chart_id: str,
    title: str,
    columns: list[str],
    series: list[tuple[str, list[int]]],
) -> Markup:
    """One column per period, stacked by series (e.g. months × departments), with a legend."""
    width, left, bottom, plot_h = 640, 40, 60, 200
    pad = 20  # room above the tallest column for its total
    legend_h = 20 * ((len(series) + 2) // 3)
    height = plot_h + bottom + legend_h + 10 + pad
    totals = [sum(values[i] for _, values in series) for i in range(len(columns))]
    top = max(totals, default=0) or 1
    step = (width - left - 10) / max(1, len(columns))
    parts = [
        f'<line x1="{left}" y1="{plot_h + pad}" x2="{width - 10}" y2="{plot_h + pad}" '
        'stroke="#999"/>',
        f'<text x="{left - 6}" y="{pad + 15}" text-anchor="end" {_FONT}>{top}</text>',
        f'<text x="{left - 6}" y="{plot_h + pad}" text-anchor="end" {_FONT}>0</text>',
    ]
    for i, column in enumerate(columns):
        x = left + i * step + step * 0.15
        y: float = plot_h + pad
        for s, (name, values) in enumerate(series):
            h = plot_h * values[i] / top
            if values[i]:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(column)} · '
                    f"{escape(name)}: {values[i]}</title></rect>"
                )
        if totals[i]:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" {_FONT}>'
                f"{totals[i]}</text>"
            )
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" y="{plot_h + pad + 18}" text-anchor="middle" '
            f"{_FONT}>{escape(_short_month(column))}</text>"
        )
    for s, (name, _) in enumerate(series):
        lx = left + (s % 3) * 200
        ly = plot_h + pad + bottom + (s // 3) * 20
        parts.append(
            f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{lx + 18}" y="{ly}" {_FONT}>{escape(name)}</text>'
        )
    description = (
        "; ".join(
            f"{column}: {total}" for column, total in zip(columns, totals, strict=True) if total
        )
        or "Sin datos en el periodo."
    )
    return _svg(chart_id, title, width, height, "".join(parts), description)


_MONTHS = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]


def _short_month(column: str) -> str:
    """ "2026-12" → "dic 26" (other labels unchanged)."""
    year, _, month = column.partition("-")
    if len(year) == 4 and month.isdigit() and 1 <= int(month) <= 12:
        return f"{_MONTHS[int(month) - 1]} {year[2:]}"
    return column


def _describe(items: Sequence[tuple[str, float]], unit: str) -> str:
    return "; ".join(f"{label}: {value:g}{unit}" for label, value in items) or "Sin datos."


def _svg(chart_id: str, title: str, width: int, height: int, body: str, desc: str) -> Markup:
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>{body}</svg>'
    )
