"""Charts as server-rendered SVG: accessible, printable (WeasyPrint renders them into PDFs) and
free of scripts, so they live happily under the Content-Security-Policy.

Each chart carries ``role="img"`` with a ``<title>`` and ``<desc>``; pages should also offer the
numbers as a table. Presentation attributes only (``fill=``, ``stroke=``), never ``style=``.
The charts draw what they are given: every number comes from ``insats.core`` upstream.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from insats.platform.formatting import format_number

PALETTE = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000"]
INK = "#1b1f24"
GRID = "#d5dbe1"
MUTED = "#4a5562"
_ids = itertools.count(1)


@dataclass
class Series:
    label: str
    points: list[tuple[float, float | None]]  # (x, y); y None = missing
    dashed: bool = False
    color: str | None = None


@dataclass
class Band:
    label: str
    points: list[tuple[float, float, float]]  # (x, low, high)
    color: str = "#9fc5e8"


@dataclass
class Frame:
    width: int = 640
    height: int = 300
    left: int = 64
    right: int = 16
    top: int = 16
    bottom: int = 44
    parts: list[str] = field(default_factory=list)

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1-2-5 steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi - lo <= 1e-9 * max(1.0, abs(lo), abs(hi)):
        pad = max(1.0, abs(lo) * 0.05)
        hi, lo = hi + pad, lo - pad
    raw = (hi - lo) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step)
    last = math.ceil(hi / step)
    digits = max(0, 3 - math.floor(math.log10(step)))  # enough decimals for the step, no float noise
    return [round(i * step, digits) for i in range(first, last + 1)]


def fmt(value: float, decimals: int | None = None, *, grouping: bool = True) -> str:
    """A tick or label in the page language (:func:`insats.platform.formatting.format_number`)."""
    return format_number(value, decimals, grouping=grouping)


def text_width(text: str, size: float = 11) -> float:
    """A generous estimate of a text's width in user units (DejaVu/Liberation Sans average ≈ 0.62 em),
    used to leave room for tick labels, axis titles and bar labels so that none overlap or are cut."""
    return len(text) * size * 0.62


def wrap(text: str, width: float, size: float = 12) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a single long word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _svg(frame: Frame, title: str, desc: str, body: list[str]) -> SafeString:
    uid = next(_ids)
    # Safe: every text that reaches the SVG passes through escape(); numbers are formatted by us.
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="100%" role="img" aria-labelledby="chart-t{uid} chart-d{uid}" focusable="false">'
        f'<title id="chart-t{uid}">{escape(title)}</title><desc id="chart-d{uid}">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _scale(lo: float, hi: float, out_lo: float, out_hi: float):
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    band: Band | None = None,
    y_label: str = "",
    x_decimals: int = 0,
    width: int = 640,
    height: int = 300,
) -> SafeString:
    """Lines over x (years, periods) with an optional shaded band (a forecast interval)."""
    f = Frame(width=width, height=height)
    xs = [x for s in series for x, y in s.points if y is not None]
    ys = [y for s in series for _, y in s.points if y is not None]
    if band:
        xs += [p[0] for p in band.points]
        ys += [v for p in band.points for v in p[1:]]
    if not xs:
        return _svg(
            f,
            title,
            desc,
            [f'<text x="{f.width / 2}" y="{f.height / 2}" text-anchor="middle" fill="{MUTED}">–</text>'],
        )
    yt = nice_ticks(min(ys), max(ys))
    x_ticks = sorted(set(xs))
    step = max(1, math.ceil(len(x_ticks) / 10))
    x_texts = [fmt(x, x_decimals, grouping=False) for x in x_ticks[::step]]
    # Room for the widest y tick label, and left of it for the rotated axis title; half the last x
    # tick label may reach past the plot on the right.
    tick_w = max(text_width(fmt(t)) for t in yt)
    f.left = max(f.left, math.ceil(tick_w + 6 + (24 if y_label else 8)))
    f.right = max(f.right, math.ceil(text_width(x_texts[-1]) / 2 + 4))
    sx = _scale(min(xs), max(xs), f.left, f.left + f.plot_w)
    sy = _scale(yt[0], yt[-1], f.top + f.plot_h, f.top)
    body = []
    for t in yt:
        y = sy(t)
        body.append(
            f'<line x1="{f.left}" x2="{f.left + f.plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(
            f'<text x="{f.left - 6}" class="tick" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{fmt(t)}</text>'
        )
    for x, text in zip(x_ticks[::step], x_texts, strict=True):
        body.append(
            f'<text x="{sx(x):.1f}" class="tick" y="{f.top + f.plot_h + 16}" text-anchor="middle" '
            f'font-size="11" fill="{MUTED}">{text}</text>'
        )
    if y_label:
        body.append(
            f'<text x="12" class="axis-title" y="{f.top + f.plot_h / 2:.1f}" font-size="11" fill="{MUTED}" '
            f'transform="rotate(-90 12 {f.top + f.plot_h / 2:.1f})" text-anchor="middle">'
            f"{escape(y_label)}</text>"
        )
    if band and band.points:
        upper = " ".join(f"{sx(x):.1f},{sy(hi):.1f}" for x, lo, hi in band.points)
        lower = " ".join(f"{sx(x):.1f},{sy(lo):.1f}" for x, lo, hi in reversed(band.points))
        body.append(
            f'<polygon points="{upper} {lower}" fill="{band.color}" fill-opacity="0.5" stroke="none"/>'
        )
    legend = []
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        # Break the line at missing values.
        segments, current = [], []
        for x, y in s.points:
            if y is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((x, y))
        if current:
            segments.append(current)
        for seg in segments:
            pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in seg)
            body.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.5"{dash}/>')
            for x, y in seg:
                body.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{color}"/>')
        legend.append((s.label, color, s.dashed))
    if band:
        legend.append((band.label, band.color, None))
    lx = f.left
    for label, color, dashed in legend:
        ly = f.height - 10
        if dashed is None:
            body.append(
                f'<rect x="{lx}" y="{ly - 9}" width="18" height="10" fill="{color}" fill-opacity="0.5"/>'
            )
        else:
            dash = ' stroke-dasharray="6 4"' if dashed else ""
            body.append(
                f'<line x1="{lx}" x2="{lx + 18}" y1="{ly - 4}" y2="{ly - 4}" stroke="{color}" '
                f'stroke-width="2.5"{dash}/>'
            )
        body.append(f'<text x="{lx + 22}" y="{ly}" font-size="11" fill="{INK}">{escape(label)}</text>')
        lx += 30 + 6.5 * len(label)
    return _svg(f, title, desc, body)


def strip_chart(
    values: Sequence[tuple[str, float]],
    *,
    highlight: str,
    title: str,
    desc: str,
    width: int = 640,
    height: int = 110,
    higher_is_better: bool | None = None,
) -> SafeString:
    """Every area as a dot on one axis, the highlighted one marked and named."""
    f = Frame(width=width, height=height, left=24, right=24, top=20, bottom=36)
    finite = [(k, v) for k, v in values if v is not None and math.isfinite(v)]
    if not finite:
        return _svg(f, title, desc, [])
    ticks = nice_ticks(min(v for _, v in finite), max(v for _, v in finite))
    sx = _scale(ticks[0], ticks[-1], f.left, f.left + f.plot_w)
    mid = f.top + f.plot_h / 2
    body = [f'<line x1="{f.left}" x2="{f.left + f.plot_w}" y1="{mid}" y2="{mid}" stroke="{GRID}"/>']
    for t in ticks:
        body.append(
            f'<text x="{sx(t):.1f}" y="{f.height - 8}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{fmt(t)}</text>'
        )
    marked = None
    for key, v in finite:
        if key == highlight:
            marked = v
            continue
        body.append(f'<circle cx="{sx(v):.1f}" cy="{mid}" r="4" fill="#6f8faf" fill-opacity="0.45"/>')
    if marked is not None:
        x = sx(marked)
        body.append(
            f'<circle cx="{x:.1f}" cy="{mid}" r="7" fill="{PALETTE[1]}" stroke="{INK}" stroke-width="1.5"/>'
        )
        anchor = "end" if x > f.left + f.plot_w * 0.8 else "start"
        body.append(
            f'<text x="{x + (-10 if anchor == "end" else 10):.1f}" y="{mid - 10}" font-size="12" '
            f'font-weight="600" text-anchor="{anchor}" fill="{INK}">{escape(highlight)}</text>'
        )
    if higher_is_better is not None:
        better = "→ bättre" if higher_is_better else "← bättre"
        x = f.left + f.plot_w if higher_is_better else f.left
        body.append(
            f'<text x="{x}" y="12" font-size="11" text-anchor="{"end" if higher_is_better else "start"}" '
            f'fill="{MUTED}">{better}</text>'
        )
    return _svg(f, title, desc, body)


def hbar_chart(
    rows: Sequence[tuple[str, float, float]],
    *,
    title: str,
    desc: str,
    center: float = 0.0,
    width: int = 640,
    row_height: int = 26,
    label_width: int = 200,
) -> SafeString:
    """Horizontal bars from ``low`` to ``high`` per row around ``center`` (a tornado chart).

    The label column grows with the longest label (up to 40 % of the width); a label longer than
    that is wrapped onto several lines and its row grows, so no label is cut off."""
    label_width = min(
        max(label_width, max((text_width(r[0], 12) for r in rows), default=0) + 16), width * 0.4
    )
    lines = [wrap(r[0], label_width - 16) for r in rows]
    heights = [max(row_height, 15 * len(ls) + 8) for ls in lines]
    lo = min((min(r[1], r[2], center) for r in rows), default=0.0)
    hi = max((max(r[1], r[2], center) for r in rows), default=1.0)
    ticks = nice_ticks(lo, hi)
    half_tick = max(text_width(fmt(t)) for t in ticks) / 2
    f = Frame(
        width=width,
        height=sum(heights) + 40 if rows else row_height + 40,
        left=math.ceil(max(label_width, half_tick + 4)),
        right=math.ceil(max(24, half_tick + 4)),
        top=8,
        bottom=28,
    )
    if not rows:
        return _svg(f, title, desc, [])
    sx = _scale(ticks[0], ticks[-1], f.left, f.left + f.plot_w)
    body = []
    for t in ticks:
        body.append(
            f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{f.top}" y2="{f.top + f.plot_h}" stroke="{GRID}"/>'
        )
        body.append(
            f'<text x="{sx(t):.1f}" class="tick" y="{f.height - 8}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{fmt(t)}</text>'
        )
    y = f.top + 4
    for (_label, low, high), label_lines, h in zip(rows, lines, heights, strict=True):
        x0, x1 = sorted((sx(low), sx(high)))
        first = y + (h - 8) / 2 + 4 - 7.5 * (len(label_lines) - 1)
        spans = "".join(
            f'<tspan x="{f.left - 8}" y="{first + 15 * k:.1f}">{escape(text)}</tspan>'
            for k, text in enumerate(label_lines)
        )
        body.append(f'<text class="bar-label" text-anchor="end" font-size="12" fill="{INK}">{spans}</text>')
        body.append(
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{h - 8}" fill="{PALETTE[0]}"/>'
        )
        y += h
    body.append(
        f'<line x1="{sx(center):.1f}" x2="{sx(center):.1f}" y1="{f.top}" y2="{f.top + f.plot_h}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    return _svg(f, title, desc, body)


def histogram(
    edges: Sequence[float],
    counts: Sequence[int],
    *,
    title: str,
    desc: str,
    marker: float | None = None,
    marker_label: str = "",
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Bars for bins ``[edges[i], edges[i+1])`` with an optional vertical marker (e.g. break-even at 0)."""
    f = Frame(width=width, height=height)
    if not counts:
        return _svg(f, title, desc, [])
    xt = nice_ticks(edges[0], edges[-1])
    # Half of the first and last tick labels reach past the plot: leave room for them.
    f.left = max(f.left, math.ceil(text_width(fmt(xt[0])) / 2 + 4))
    f.right = max(f.right, math.ceil(text_width(fmt(xt[-1])) / 2 + 4))
    sx = _scale(xt[0], xt[-1], f.left, f.left + f.plot_w)
    yt = nice_ticks(0, max(counts))
    sy = _scale(0, yt[-1], f.top + f.plot_h, f.top)
    body = []
    for t in yt:
        body.append(
            f'<line x1="{f.left}" x2="{f.left + f.plot_w}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" '
            f'stroke="{GRID}"/>'
        )
    for t in xt:
        body.append(
            f'<text x="{sx(t):.1f}" class="tick" y="{f.top + f.plot_h + 16}" text-anchor="middle" '
            f'font-size="11" fill="{MUTED}">{fmt(t)}</text>'
        )
    for i, c in enumerate(counts):
        x0, x1 = sx(edges[i]), sx(edges[i + 1])
        body.append(
            f'<rect x="{x0:.1f}" y="{sy(c):.1f}" width="{max(x1 - x0 - 1, 1):.1f}" '
            f'height="{sy(0) - sy(c):.1f}" fill="{PALETTE[0]}"/>'
        )
    if marker is not None and xt[0] <= marker <= xt[-1]:
        x = sx(marker)
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{f.top}" y2="{f.top + f.plot_h}" stroke="{PALETTE[1]}" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
        )
        if marker_label:
            body.append(
                f'<text x="{x + 4:.1f}" y="{f.top + 12}" font-size="11" fill="{INK}">'
                f"{escape(marker_label)}</text>"
            )
    return _svg(f, title, desc, body)
