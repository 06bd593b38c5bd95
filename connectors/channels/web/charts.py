"""Charts drawn on the server as SVG geometry (the template writes the elements): no JavaScript, no network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

# Okabe-Ito colours: told apart by people with the common colour-vision deficiencies.
REASON_COLOURS = {
    "no_answer": "#0072B2",
    "low_confidence": "#E69F00",
    "negative_feedback": "#D55E00",
    "handoff_requested": "#009E73",
    "out_of_scope": "#6B6B6B",
}
OTHER_COLOUR = "#CC79A7"
FRICTION_COLOUR = "#1D5E3A"


class RankedTheme(Protocol):
    theme_id: str
    label: str
    friction: float
    gaps: int


@dataclass(frozen=True)
class Bar:
    """One rectangle, with the text a screen reader and a tooltip give for it; `href` drills down."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    label: str
    href: str | None = None


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Chart:
    """An SVG chart: its size, bars, axis and bar labels, and a legend (colour, text)."""

    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[Text] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.bars


def weekly_by_reason(weekly: Mapping[str, Mapping[str, int]], width: int = 640, height: int = 260) -> Chart:
    """Stacked columns: one per week (its Monday), split by gap reason."""
    weeks = sorted(weekly)
    if not weeks:
        return Chart(width, height)
    reasons = sorted({reason for counts in weekly.values() for reason in counts},
                     key=lambda reason: (reason not in REASON_COLOURS, list(REASON_COLOURS).index(reason)
                                         if reason in REASON_COLOURS else 0, reason))
    top = max(sum(counts.values()) for counts in weekly.values()) or 1
    left, bottom, plot_top = 36.0, height - 40.0, 12.0
    slot = (width - left - 8) / len(weeks)
    column = min(48.0, max(4.0, slot * 0.7))
    scale = (bottom - plot_top) / top
    chart = Chart(width, height)
    for tick in sorted({0, top // 2, top}):
        y = bottom - tick * scale
        chart.labels.append(Text(left - 6, y + 4, str(tick), "end"))
    for index, week in enumerate(weeks):
        x = left + index * slot + (slot - column) / 2
        y = bottom
        for reason in reasons:
            count = weekly[week].get(reason, 0)
            if not count:
                continue
            y -= count * scale
            chart.bars.append(Bar(round(x, 1), round(y, 1), round(column, 1), round(count * scale, 1),
                                  REASON_COLOURS.get(reason, OTHER_COLOUR), f"{week}: {reason} {count}"))
        if len(weeks) <= 12 or index % 2 == 0:
            chart.labels.append(Text(round(x + column / 2, 1), bottom + 16, week[5:], "middle"))
    chart.legend.extend((REASON_COLOURS.get(reason, OTHER_COLOUR), reason) for reason in reasons)
    return chart


def themes_by_friction(themes: Sequence[RankedTheme], limit: int = 10, width: int = 640,
                       row: int = 28) -> Chart:
    """Horizontal bars, the theme with the most friction first; each bar links to its questions."""
    shown = sorted(themes, key=lambda theme: -theme.friction)[:limit]
    if not shown:
        return Chart(width, row)
    top = max(theme.friction for theme in shown) or 1.0
    label_width, plot = 240.0, width - 240.0 - 56.0
    chart = Chart(width, row * len(shown) + 8)
    for index, theme in enumerate(shown):
        y = 4 + index * row
        length = max(2.0, plot * theme.friction / top)
        label = theme.label if len(theme.label) <= 36 else theme.label[:35] + "…"
        chart.labels.append(Text(label_width - 8, y + row / 2 + 4, label, "end"))
        chart.bars.append(Bar(label_width, y + 4, round(length, 1), row - 10, FRICTION_COLOUR,
                              f"{theme.label}: friction {theme.friction:.2f}, {theme.gaps} gaps",
                              f"/dashboard?theme={quote(theme.theme_id)}#theme"))
        chart.labels.append(Text(round(label_width + length + 6, 1), y + row / 2 + 4, f"{theme.friction:.2f}"))
    return chart
