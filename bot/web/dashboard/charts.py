"""Small server-side SVG charts: stacked bars and lines, drawn as inline markup with no script or network."""
from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#9e9e9e"]


def _ticks(top: float, steps: int = 4) -> list[float]:
    return [top * i / steps for i in range(steps + 1)]


def stacked_bars(labels: list[str], series: list[tuple[str, list[int]]], width: int = 560, height: int = 220) -> Markup:
    """One bar per label, stacked by series (name, counts); the legend is drawn by the page."""
    left, bottom, top_pad = 30, 22, 8
    plot_w, plot_h = width - left - 4, height - bottom - top_pad
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = max(max(totals, default=0), 1)
    top = top if top <= 4 else -(-top // 4) * 4
    step = plot_w / max(len(labels), 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="每日工单数">']
    for tick in _ticks(top):
        y = top_pad + plot_h - plot_h * tick / top
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    for i, label in enumerate(labels):
        y = top_pad + plot_h
        for s, (name, values) in enumerate(series):
            if values[i]:
                h = plot_h * values[i] / top
                y -= h
                parts.append(f'<rect x="{left + i * step + 1:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" '
                             f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(label)} '
                             f'{escape(name)}：{values[i]}</title></rect>')
        if i % max(1, len(labels) // 8) == 0:
            parts.append(f'<text x="{left + i * step + step / 2:.1f}" y="{height - 6}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(labels: list[str], series: list[tuple[str, list[float | None]]], width: int = 560,
          height: int = 220) -> Markup:
    """Percentages over time, one line per series; a None is a gap (nothing to measure that week)."""
    left, bottom, top_pad = 36, 22, 8
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    step = plot_w / max(len(labels) - 1, 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="三率走势">']
    for tick in _ticks(100):
        y = top_pad + plot_h - plot_h * tick / 100
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick:g}%</text>')
    for i, label in enumerate(labels):
        if i % max(1, len(labels) // 6) == 0:
            parts.append(f'<text x="{left + i * step:.1f}" y="{height - 6}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    for s, (name, values) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        runs, run = [], []
        for i, value in enumerate(values):
            if value is None:
                runs, run = runs + [run] if run else runs, []
                continue
            run.append((left + i * step, top_pad + plot_h - plot_h * value / 100, value, labels[i]))
        runs += [run] if run else []
        for points in runs:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>{escape(label)} '
                      f'{escape(name)}：{value:.0f}%</title></circle>' for x, y, value, label in points]
    parts.append("</svg>")
    return Markup("".join(parts))


def heat(value: int, top: int) -> str:
    """A cell's background: white for none, deeper red for more."""
    if not value or not top:
        return "#fff"
    share = value / top
    return f"rgba(198, 40, 40, {0.12 + 0.78 * share:.2f})"
