"""Small inline SVG charts for the stats page (no JavaScript library, nothing from a CDN)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["bar_chart", "hbar_chart", "line_chart"]

_W, _H, _PAD_L, _PAD_B, _PAD_T = 640, 220, 44, 36, 12
_COLORS = ("#2b6cb0", "#d69e2e", "#38a169", "#c53030")


def _frame(title: str, body: str, height: int = _H) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {_W} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{body}</svg>'
    )


def _axis(max_value: float, fmt: str) -> str:
    parts = []
    for i in range(5):
        v = max_value * i / 4
        y = _H - _PAD_B - (_H - _PAD_B - _PAD_T) * i / 4
        parts.append(f'<line x1="{_PAD_L}" x2="{_W}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{_PAD_L - 4}" y="{y + 4:.1f}" text-anchor="end">{fmt.format(v)}</text>')
    return "".join(parts)


def _nice_top(value: float) -> float:
    """The axis maximum: ``value`` rounded up so that the four grid steps are whole numbers."""
    return float(math.ceil(value / 4) * 4)


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float]]) -> str:
    """Stacked vertical bars, one per label, one colour per series."""
    n = max(len(labels), 1)
    totals = [sum(s[i] for s in series.values()) for i in range(len(labels))]
    top = _nice_top(max([*totals, 1.0]))
    slot = (_W - _PAD_L) / n
    plot_h = _H - _PAD_B - _PAD_T
    parts = [_axis(top, "{:.0f}")]
    for i, label in enumerate(labels):
        x = _PAD_L + i * slot + slot * 0.15
        base = float(_H - _PAD_B)
        for k, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / top
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{_COLORS[k % len(_COLORS)]}">'
                f"<title>{escape(label)} {escape(name)}: {values[i]:g}</title></rect>"
            )
        if i % max(1, n // 7) == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{_H - _PAD_B + 14}" text-anchor="middle">'
                f"{escape(label[5:])}</text>"
            )
    for k, name in enumerate(series):
        parts.append(
            f'<rect x="{_PAD_L + k * 150}" y="{_H - 14}" width="10" height="10" '
            f'fill="{_COLORS[k % len(_COLORS)]}"/>'
            f'<text x="{_PAD_L + k * 150 + 14}" y="{_H - 5}">{escape(name)}</text>'
        )
    return _frame(title, "".join(parts))


def line_chart(
    title: str, labels: Sequence[str], values: Sequence[float | None], percent: bool = True
) -> str:
    """A line over the labels; ``None`` values leave a gap."""
    n = max(len(labels), 1)
    top = 1.0 if percent else _nice_top(max([v for v in values if v is not None] + [1.0]))
    slot = (_W - _PAD_L) / n
    plot_h = _H - _PAD_B - _PAD_T
    parts = [_axis(top * 100 if percent else top, "{:.0f}%" if percent else "{:.0f}")]
    path: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            if path:
                parts.append(f'<polyline points="{" ".join(path)}" class="line"/>')
            path = []
            continue
        x = _PAD_L + (i + 0.5) * slot
        y = _H - _PAD_B - plot_h * v / top
        path.append(f"{x:.1f},{y:.1f}")
        label = f"{v * 100:.1f}%" if percent else f"{v:g}"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot">'
            f"<title>{escape(labels[i])}: {label}</title></circle>"
        )
    if path:
        parts.append(f'<polyline points="{" ".join(path)}" class="line"/>')
    for i, label in enumerate(labels):
        if i % max(1, n // 7) == 0:
            x = _PAD_L + (i + 0.5) * slot
            parts.append(
                f'<text x="{x:.1f}" y="{_H - _PAD_B + 14}" text-anchor="middle">{escape(label[5:])}</text>'
            )
    return _frame(title, "".join(parts))


def hbar_chart(title: str, items: Sequence[tuple[str, float]], percent: bool = False) -> str:
    """Horizontal bars, one per ``(label, value)``."""
    row = 22
    height = max(60, _PAD_T + row * len(items) + 10)
    top = 1.0 if percent else max([v for _, v in items] + [1.0])
    left = 150
    parts = []
    if not items:
        parts.append(f'<text x="{left}" y="30">no data yet</text>')
    for i, (label, v) in enumerate(items):
        y = _PAD_T + i * row
        w = (_W - left - 60) * v / top
        text = f"{v * 100:.1f}%" if percent else f"{v:g}"
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{_COLORS[0]}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}">{text}</text>'
        )
    return _frame(title, "".join(parts), height)
