"""The weekly digest of knowledge gaps, as plain data: what hurt most, what is new, what was fixed.

Built from a gap report's insights (computed over all the stored history, so that "first seen" is true and the
theme ids are those of the HTML report) and the report's gap rows. The digest's week is the last `since_days`
days of that report. The channels render it (Slack Block Kit, a Teams Adaptive Card); nothing here formats.

What it shows is what the report shows: redacted questions' themes, counts, and groups (teams) only when they
have at least the report's minimum number of askers, the rest being "other".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from assistant.insights.jsonable import jsonable
from assistant.insights.report import HTML_THEMES, GapInsights, ThemeInsight

DEFAULT_TOP = 5
MAX_TOP = 20
MAX_LISTED = 15
"""At most this many new and resolved themes are listed; the digest counts the rest."""


class DatedGap(Protocol):
    """What the digest reads of a gap row (a `GapRecord` has it): when it was asked, and the asker's hash."""

    @property
    def created_at(self) -> dt.datetime: ...

    @property
    def asker_hash(self) -> str: ...


@dataclass(frozen=True)
class DigestTheme:
    """One theme as the digest shows it. `link` points at its row in the HTML report (None without a public URL)."""

    theme_id: str
    label: str
    gaps: int
    askers: int
    friction: float
    dimension: str | None
    open: int
    first_seen: dt.datetime
    teams: tuple[tuple[str, int], ...]
    """Gaps per team, largest first; teams with too few askers are already "other"."""
    link: str | None


@dataclass(frozen=True)
class DigestPage:
    """A page that resolved gaps: its path in the knowledge base and, when known, its title."""

    path: str
    title: str | None


@dataclass(frozen=True)
class DigestResolution:
    """A theme with gaps resolved in the week, and the pages that resolved them."""

    theme_id: str
    label: str
    resolved: int
    pages: tuple[DigestPage, ...]
    """Pages in order of how many of the week's gaps they resolved; empty when people resolved them without one."""
    link: str | None


@dataclass(frozen=True)
class WeeklyDigest:
    """The week's gaps: totals, the top themes by friction, themes first seen this week, and what was resolved."""

    week_start: dt.datetime
    week_end: dt.datetime
    gaps: int
    askers: int
    top_themes: tuple[DigestTheme, ...]
    new_themes: tuple[DigestTheme, ...]
    new_themes_total: int
    resolved: tuple[DigestResolution, ...]
    resolved_total: int
    """Gaps resolved in the week (all themes, also those beyond the listed ones)."""
    report_url: str | None
    min_group_size: int

    @property
    def empty(self) -> bool:
        """True when the week had no gaps and nothing was resolved."""
        return self.gaps == 0 and self.resolved_total == 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (datetimes as ISO strings)."""
        return jsonable(asdict(self))


def build_weekly_digest(insights: GapInsights, gaps: Sequence[DatedGap], *, since_days: int = 7,
                        top: int = DEFAULT_TOP, report_url: str | None = None,
                        page_title: Callable[[str], str | None] | None = None) -> WeeklyDigest:
    """The digest of the last `since_days` days of `insights` (whose gap rows are `gaps`).

    Top themes are the themes with a gap in the week, ranked by their friction over the whole report. New
    themes were first seen in the week. `report_url` is the HTML report the themes link into (by their
    anchor; only the themes the HTML report lists are linked); `page_title` names the resolving pages.
    """
    if since_days < 1:
        raise ValueError("a digest covers at least one day")
    if not 1 <= top <= MAX_TOP:
        raise ValueError(f"a digest shows between 1 and {MAX_TOP} top themes")
    week_end = insights.period_end
    week_start = week_end - dt.timedelta(days=since_days)
    in_week = [gap for gap in gaps if week_start < gap.created_at <= week_end]
    ranks = {theme.theme_id: rank for rank, theme in enumerate(insights.themes)}

    def link(theme: ThemeInsight) -> str | None:
        if report_url is None or ranks[theme.theme_id] >= HTML_THEMES:
            return None
        return f"{report_url}#{theme.anchor}"

    def shown(theme: ThemeInsight) -> DigestTheme:
        return DigestTheme(
            theme_id=theme.theme_id, label=theme.label, gaps=theme.gaps, askers=theme.askers,
            friction=theme.friction, dimension=theme.dimension, open=theme.open, first_seen=theme.first_seen,
            teams=tuple(sorted(theme.teams.items(), key=lambda item: (-item[1], item[0]))),
            link=link(theme),
        )

    active = [theme for theme in insights.themes if theme.last_seen > week_start]
    new = sorted((theme for theme in insights.themes if theme.first_seen > week_start),
                 key=lambda theme: (-theme.friction, theme.theme_id))
    resolved = _resolved(insights.themes, week_start, week_end, page_title, link)
    return WeeklyDigest(
        week_start=week_start,
        week_end=week_end,
        gaps=len(in_week),
        askers=len({gap.asker_hash for gap in in_week}),
        top_themes=tuple(shown(theme) for theme in active[:top]),
        new_themes=tuple(shown(theme) for theme in new[:MAX_LISTED]),
        new_themes_total=len(new),
        resolved=tuple(resolved[:MAX_LISTED]),
        resolved_total=sum(item.resolved for item in resolved),
        report_url=report_url,
        min_group_size=insights.min_group_size,
    )


def _resolved(themes: Sequence[ThemeInsight], week_start: dt.datetime, week_end: dt.datetime,
              page_title: Callable[[str], str | None] | None,
              link: Callable[[ThemeInsight], str | None]) -> list[DigestResolution]:
    found = []
    for theme in themes:
        this_week = [item for item in theme.resolutions if week_start < item.resolved_at <= week_end]
        if not this_week:
            continue
        counts: dict[str, int] = {}
        for item in this_week:
            if item.page_path:
                counts[item.page_path] = counts.get(item.page_path, 0) + 1
        paths = sorted(counts, key=lambda path: (-counts[path], path))
        titles = {theme.nearest_path: theme.nearest_title} if theme.nearest_path else {}
        pages = tuple(DigestPage(path, (page_title(path) if page_title else None) or titles.get(path))
                      for path in paths)
        found.append(DigestResolution(theme.theme_id, theme.label, len(this_week), pages, link(theme)))
    return sorted(found, key=lambda item: (-item.resolved, item.label, item.theme_id))
