"""Geometry of the dashboard's bar charts; the SVG itself is written by the template (autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    title: str
    color: str = "#2f6db5"


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)  # labels under the bars
    y_ticks: list[Tick] = field(default_factory=list)  # values along the axis
    horizontal: bool = False
    empty: bool = False
    legend: list[tuple[str, str]] = field(default_factory=list)  # (name, colour) of stacked series


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return float(step * 4)
    return float(value)


def column_chart(
    title: str, labels: Sequence[str], values: Sequence[float], width: int = 720, height: int = 220
) -> Chart:
    """Vertical bars, one per label (e.g. one per day), with a value axis of four steps."""
    return stacked_column_chart(title, labels, [("", values, "#2f6db5")], width, height)


def stacked_column_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    width: int = 720,
    height: int = 220,
) -> Chart:
    """Vertical bars, one per label, each stacking the values of the series (name, values, colour)."""
    left, bottom, top = 36, 28, 10
    plot_w, plot_h = width - left - 6, height - bottom - top
    totals = [sum(s[1][i] for s in series) for i in range(len(labels))]
    top_value = _nice_max(max(totals, default=0))
    n = max(len(labels), 1)
    slot = plot_w / n
    chart = Chart(title, width, height, empty=not any(totals))
    chart.legend = [(name, colour) for name, _, colour in series if name]
    label_every = max(1, round(n / 12))
    for i, label in enumerate(labels):
        base: float = top + plot_h
        x = left + i * slot + slot * 0.1
        for name, values, colour in series:
            value = values[i]
            h = plot_h * value / top_value
            text = f"{label} : {value:g}" + (f" {name}" if name else "")
            chart.bars.append(Bar(x, base - h, max(slot * 0.8, 1), h, label, value, text, colour))
            base -= h
        if i % label_every == 0:
            chart.ticks.append(Tick(left + i * slot + slot / 2, height - 10, label))
    for k in range(5):
        v = top_value * k / 4
        chart.y_ticks.append(Tick(left - 4, top + plot_h - plot_h * k / 4 + 4, f"{v:g}"))
    return chart


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], width: int = 720) -> Chart:
    """Horizontal bars, one line per label (e.g. top intents), the value written after the bar."""
    row, left, right = 22, 220, 60
    height = max(row * len(values), row) + 6
    top_value = max(values, default=0) or 1
    chart = Chart(title, width, height, horizontal=True, empty=not any(values))
    for i, (label, value) in enumerate(zip(labels, values)):
        w = (width - left - right) * value / top_value
        y = 3 + i * row
        chart.bars.append(Bar(left, y, w, row - 6, label, value, f"{label} : {value:g}"))
    return chart
