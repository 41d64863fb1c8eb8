"""Charts drawn on the server as SVG: bars and lines, labelled the way staff read numbers.

No JavaScript and no chart library: the page's Content-Security-Policy allows scripts from our
own origin only, and a chart that is markup needs none. Each chart is an `<svg role="img">` whose
`aria-label` says what it shows in words (a screen reader reads that, not the shapes); every bar
and point carries a `<title>` the browser shows as a tooltip ("12/03 — Recebidas: 14").

    bar_chart(title="Agendamentos por dia", labels=["01/03", "02/03"], series=[Series("Agendamentos", [3, 5])])
    line_chart(title="Custo de IA", labels=..., series=[...], value_format=brl)   # values in cents

Values are numbers or None ("sem dados": no bar, a gap in the line); a chart of nothing but zeros and
gaps says "Sem dados no período" instead of drawing a flat line. The y axis starts at zero
(or below it, for negative values) and ends on a round number; its labels are pt-BR ("1.200").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colours of the series in order: the panel's primary, its accent, then an indigo (panel.css).
PALETTE = ("#0f766e", "#f59e0b", "#6366f1", "#b91c1c")
TICKS = 4  # intervals on the y axis
MAX_X_LABELS = 8  # labels printed under the x axis; the others are left to the tooltips
FONT = 12  # px, at the viewBox scale: a chart is drawn about as wide as it is shown
NO_DATA = "sem dados"


def integer(value: float) -> str:
    """1234 -> "1.234" (thousands with a dot, as in Brazil)."""
    return f"{round(value):,}".replace(",", ".")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class _Frame:
    """The plot area inside the SVG and the value range it maps."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    low: float
    high: float

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return self.bottom - share * (self.bottom - self.top)


def bar_chart(*, title: str, labels: Sequence[str], series: Sequence[Series],
              value_format: Callable[[float], str] = integer, width: int = 480, height: int = 200) -> SafeString:
    """Vertical bars, one group per label, one bar per series in the group."""
    return _chart(title, labels, series, value_format, width, height, _bars)


def line_chart(*, title: str, labels: Sequence[str], series: Sequence[Series],
               value_format: Callable[[float], str] = integer, width: int = 480, height: int = 200) -> SafeString:
    """One line per series, a point (with its tooltip) on each label."""
    return _chart(title, labels, series, value_format, width, height, _lines)


def _chart(title, labels, series, value_format, width, height, draw) -> SafeString:
    values = [v for s in series for v in s.values if v is not None]
    if not labels or not any(values):  # nothing, or only zeros: a flat line says less than these words
        return _empty(title, width, height)
    low, high, step = _scale(min(values), max(values), whole=all(float(v).is_integer() for v in values))
    ticks = [low + step * n for n in range(round((high - low) / step) + 1)]
    left = 12 + FONT * 0.62 * max(len(value_format(t)) for t in ticks)
    legend = 22 if len(series) > 1 else 0
    frame = _Frame(width, height, left, 10 + legend, width - 10, height - 24, low, high)
    parts = [*_legend(series, frame), *_y_axis(ticks, frame, value_format), *_x_axis(labels, frame),
             *draw(labels, series, frame, value_format)]
    return _svg(title, _summary(title, labels, series, value_format), width, height, parts)


def _scale(lowest: float, highest: float, *, whole: bool) -> tuple[float, float, float]:
    """A round step and the range [low, high] in whole steps that holds zero and every value; counts and
    cents (`whole`) never get a fractional step ("0,5 agendamento")."""
    lowest, highest = min(lowest, 0.0), max(highest, 0.0)
    span = (highest - lowest) or 1.0
    step = _round_up(span / TICKS)
    if whole:
        step = max(1.0, math.ceil(step))
    return step * math.floor(lowest / step), step * math.ceil(highest / step) or step, step


def _round_up(raw: float) -> float:
    """The smallest of 1, 2, 5 x 10^n that is at least `raw`."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _svg(title: str, summary: str, width: int, height: int, parts: list[str]) -> SafeString:
    body = "".join(parts)
    return mark_safe(  # noqa: S308 - every text inside went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="panel-chart" role="img" aria-label="{escape(summary)}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'font-size="{FONT}" font-family="system-ui, sans-serif">'
        f"<title>{escape(title)}</title>{body}</svg>")


def _empty(title: str, width: int, height: int) -> SafeString:
    text = (f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle" fill="#64748b">'
            "Sem dados no período</text>")
    return _svg(title, f"{title}: {NO_DATA}.", width, height, [text])


def _summary(title: str, labels: Sequence[str], series: Sequence[Series], value_format) -> str:
    """What the chart shows, in words: the period, and each series' total and peak."""
    said = []
    for one in series:
        known = [(v, label) for v, label in zip(one.values, labels, strict=False) if v is not None]
        if not known:
            said.append(f"{one.name}: {NO_DATA}")
            continue
        peak, peak_label = max(known, key=lambda pair: pair[0])
        said.append(f"{one.name}: total {value_format(sum(v for v, _ in known))}, "
                    f"maior valor {value_format(peak)} em {peak_label}")
    return f"{title}, de {labels[0]} a {labels[-1]}. " + "; ".join(said) + "."


def _legend(series: Sequence[Series], frame: _Frame) -> list[str]:
    if len(series) < 2:
        return []
    parts, x = [], frame.left
    for index, one in enumerate(series):
        parts.append(f'<rect x="{x:.1f}" y="4" width="10" height="10" rx="2" fill="{_colour(index)}"/>'
                     f'<text x="{x + 14:.1f}" y="13">{escape(one.name)}</text>')
        x += 28 + FONT * 0.62 * len(one.name)
    return parts


def _y_axis(ticks: list[float], frame: _Frame, value_format) -> list[str]:
    parts = []
    for tick in ticks:
        y = frame.y(tick)
        stroke = "#94a3b8" if tick == 0 else "#e2e8f0"
        parts.append(f'<line x1="{frame.left:.1f}" x2="{frame.right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{stroke}" stroke-width="1"/>'
                     f'<text x="{frame.left - 6:.1f}" y="{y + FONT / 3:.1f}" text-anchor="end" fill="#64748b">'
                     f"{escape(value_format(tick))}</text>")
    return parts


def _x_axis(labels: Sequence[str], frame: _Frame) -> list[str]:
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    shown = [i for i in range(len(labels)) if i % every == 0 or i == len(labels) - 1]
    if len(shown) > 1 and shown[-1] - shown[-2] < every:  # the last label would touch the one before
        shown.pop(-2)
    return [f'<text x="{_x_centre(i, len(labels), frame):.1f}" y="{frame.bottom + FONT + 6:.1f}" '
            f'text-anchor="middle" fill="#64748b">{escape(labels[i])}</text>' for i in shown]


def _x_centre(index: int, count: int, frame: _Frame) -> float:
    slot = (frame.right - frame.left) / count
    return frame.left + slot * (index + 0.5)


def _bars(labels: Sequence[str], series: Sequence[Series], frame: _Frame, value_format) -> list[str]:
    slot = (frame.right - frame.left) / len(labels)
    width = slot * 0.8 / len(series)
    zero = frame.y(0)
    parts = []
    for s_index, one in enumerate(series):
        for index, value in enumerate(one.values[:len(labels)]):
            if value is None:
                continue
            x = frame.left + slot * index + slot * 0.1 + width * s_index
            top, bottom = sorted((frame.y(value), zero))
            tip = f"{labels[index]} — {one.name}: {value_format(value)}"
            parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{bottom - top:.1f}" '
                         f'fill="{_colour(s_index)}"><title>{escape(tip)}</title></rect>')
    return parts


def _lines(labels: Sequence[str], series: Sequence[Series], frame: _Frame, value_format) -> list[str]:
    parts = []
    for s_index, one in enumerate(series):
        colour = _colour(s_index)
        points = [(index, _x_centre(index, len(labels), frame), frame.y(value), value)
                  for index, value in enumerate(one.values[:len(labels)]) if value is not None]
        # A missing day breaks the line: each run of consecutive days is its own path.
        runs: list[list[tuple]] = []
        for point in points:
            if runs and runs[-1][-1][0] == point[0] - 1:
                runs[-1].append(point)
            else:
                runs.append([point])
        for run in (run for run in runs if len(run) > 1):  # a lone day is its point alone
            path = " ".join(f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}" for n, (_, x, y, _) in enumerate(run))
            parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for index, x, y, value in points:
            tip = f"{labels[index]} — {one.name}: {value_format(value)}"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                         f"<title>{escape(tip)}</title></circle>")
    return parts


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]
