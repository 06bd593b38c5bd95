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
    "unstated_amount": "#000000",
    "negative_feedback": "#D55E00",
    "handoff_requested": "#009E73",
    "out_of_scope": "#6B6B6B",
    "restricted": "#56B4E9",
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


# The EX index's three headings, and questions the classifier could not place.
DIMENSION_COLOURS = {
    "empowerment": "#0072B2",
    "enablement": "#E69F00",
    "inspiration": "#009E73",
    "unclassified": "#6B6B6B",
}
OTHERS_COLOUR = "#8C8C8C"
"""Training needs: the other teams' rate, beside the team's own (in `FRICTION_COLOUR`)."""


def _short(text: str, limit: int = 36) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def dimensions_by_team(table: Mapping[str, Mapping[str, int]], width: int = 640, row: int = 28) -> Chart:
    """Horizontal stacked bars: one per team (teams too small to show are already merged into "other"), split by
    EX dimension, so a team's bar is as long as its number of gaps."""
    teams = [team for team in table if sum(table[team].values()) > 0]
    if not teams:
        return Chart(width, row)
    dimensions = sorted({name for counts in table.values() for name in counts},
                        key=lambda name: (name not in DIMENSION_COLOURS,
                                          list(DIMENSION_COLOURS).index(name) if name in DIMENSION_COLOURS else 0,
                                          name))
    top = max(sum(table[team].values()) for team in teams)
    label_width, plot = 180.0, width - 180.0 - 48.0
    chart = Chart(width, row * len(teams) + 8)
    for index, team in enumerate(teams):
        y = 4 + index * row
        x = label_width
        chart.labels.append(Text(label_width - 8, y + row / 2 + 4, _short(team, 26), "end"))
        for name in dimensions:
            count = table[team].get(name, 0)
            if not count:
                continue
            length = plot * count / top
            chart.bars.append(Bar(round(x, 1), y + 4, round(length, 1), row - 10,
                                  DIMENSION_COLOURS.get(name, OTHER_COLOUR), f"{team}: {name} {count}"))
            x += length
        chart.labels.append(Text(round(x + 6, 1), y + row / 2 + 4, str(sum(table[team].values()))))
    chart.legend.extend((DIMENSION_COLOURS.get(name, OTHER_COLOUR), name) for name in dimensions)
    return chart


def training_needs(needs: Sequence[Mapping[str, object]], limit: int = 10, width: int = 640,
                   row: int = 40) -> Chart:
    """Paired horizontal bars, one pair per (team, page): how often the team's askers ask about the page, and how
    often everyone else's do (questions per asker). The report lists only teams big enough to show."""
    shown = list(needs)[:limit]
    if not shown:
        return Chart(width, row)
    top = max(max(float(need["per_asker"]), float(need["others_per_asker"])) for need in shown) or 1.0
    label_width, plot = 240.0, width - 240.0 - 56.0
    chart = Chart(width, row * len(shown) + 8)
    for index, need in enumerate(shown):
        y = 4 + index * row
        team, title = str(need["team"]), str(need["page_title"])
        chart.labels.append(Text(label_width - 8, y + 14, _short(team, 30), "end"))
        chart.labels.append(Text(label_width - 8, y + 29, _short(title, 30), "end"))
        for offset, value, fill, whose in ((4, float(need["per_asker"]), FRICTION_COLOUR, team),
                                           (20, float(need["others_per_asker"]), OTHERS_COLOUR, "others")):
            length = max(2.0, plot * value / top)
            chart.bars.append(Bar(label_width, y + offset, round(length, 1), 13, fill,
                                  f"{team}, {title}: {whose} {value:.2f} per asker"))
            chart.labels.append(Text(round(label_width + length + 6, 1), y + offset + 11, f"{value:.2f}"))
    chart.legend.extend([(FRICTION_COLOUR, "team"), (OTHERS_COLOUR, "others")])
    return chart


def resolution_days(by_owner: Mapping[str, float | None], width: int = 640, row: int = 28) -> Chart:
    """Horizontal bars: the median days from a gap to its resolution, per page owner (owners with none resolved
    are left out), the slowest first."""
    owners = sorted(((owner, days) for owner, days in by_owner.items() if days is not None),
                    key=lambda item: (-item[1], item[0]))
    if not owners:
        return Chart(width, row)
    top = max(days for _, days in owners) or 1.0
    label_width, plot = 200.0, width - 200.0 - 64.0
    chart = Chart(width, row * len(owners) + 8)
    for index, (owner, days) in enumerate(owners):
        y = 4 + index * row
        length = max(2.0, plot * days / top)
        chart.labels.append(Text(label_width - 8, y + row / 2 + 4, _short(owner, 28), "end"))
        chart.bars.append(Bar(label_width, y + 4, round(length, 1), row - 10, FRICTION_COLOUR,
                              f"{owner}: {days:.1f} days"))
        chart.labels.append(Text(round(label_width + length + 6, 1), y + row / 2 + 4, f"{days:.1f} d"))
    return chart
