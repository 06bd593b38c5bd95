"""The gap insights the EX team and knowledge managers read, as data: themes ranked by friction, trends,
EX dimensions by team, knowledge needs, training needs and resolution times.

Rendering (JSON, CSV, HTML with charts, Markdown) is the connectors' job; this module only counts.
Every team, location and role shown has at least `min_group_size` distinct askers in the period;
smaller ones are merged into "other" (see `groups.py`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from assistant.errors import AssistantError
from assistant.insights.facts import GapFact, ThemeLabel
from assistant.insights.friction import FrictionInputs, friction_parts, friction_score
from assistant.insights.groups import OTHER, group_namer
from assistant.insights.jsonable import jsonable
from assistant.interactions.records import AnsweredTurn
from assistant.models import GapReason

NEGATIVE = "negative_feedback"
HANDOFF = "handoff_requested"
UNANSWERED = (GapReason.NO_ANSWER.value, GapReason.LOW_CONFIDENCE.value, GapReason.UNSTATED_AMOUNT.value)
RESTRICTED = GapReason.RESTRICTED.value
NEEDS_CONTENT = (*UNANSWERED, RESTRICTED)
"""Gap reasons a page (or a version of one staff may read) would close: the knowledge needs."""
RECENT_DAYS = 7
TRAINING_RATE_RATIO = 2.0
"""A team needs training on a page when its askers ask about it at least this many times as often as others'."""
TRAINING_MIN_QUESTIONS = 3
HTML_THEMES = 50
ORDER_OUTAGE_REASON = GapReason.ORDER_SYSTEM_UNAVAILABLE.value
"""How many themes (by friction) the HTML report lists, each in a row whose id is the theme's `anchor`."""
_ANCHOR_SAFE = re.compile(r"[A-Za-z0-9_-]+")
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class InsightsError(AssistantError):
    """A report was asked for in a way that cannot be answered (e.g. a team too small to show)."""


@dataclass(frozen=True)
class ThemeResolution:
    """One gap of a theme that was resolved: when, and by which page (None when a person resolved it without one)."""

    resolved_at: dt.datetime
    page_path: str | None


@dataclass(frozen=True)
class ThemeInsight:
    """One theme of gaps with everything needed to act on it, and the parts of its friction score."""

    theme_id: str
    label: str
    gaps: int
    askers: int
    examples: tuple[str, ...]
    first_seen: dt.datetime
    last_seen: dt.datetime
    nearest_path: str | None
    nearest_title: str | None
    owner: str | None
    teams: dict[str, int]
    dimension: str | None
    customer_share: float
    friction: float
    friction_parts: dict[str, float]
    growth: float
    new: bool
    open: int
    resolved: int
    median_days_to_resolve: float | None
    resolutions: tuple[ThemeResolution, ...] = ()
    """The theme's resolved gaps, newest first."""
    gap_ids: tuple[str, ...] = ()
    """The theme's gaps (their answer ids), newest first: how a dashboard drills from a theme to its questions.
    Kept out of `as_dict`, so the report's JSON stays as it was."""

    @property
    def anchor(self) -> str:
        """The id of the theme's section in the HTML report (`theme-…`), for links that point at it."""
        return theme_anchor(self.theme_id)


@dataclass
class PageReadAcross:
    """A page staff needed in a language they did not ask in: how often it `answered` a question asked in another
    language, and was `suggested` on a held-back reply to one, by how many `askers`, and the votes on those answers.
    A translation linked to it (`translation_of`) would answer them in their own language."""

    path: str
    title: str
    language: str | None
    answered: int = 0
    suggested: int = 0
    askers: int = 0
    helpful: int = 0
    not_helpful: int = 0


@dataclass(frozen=True)
class GapInsights:
    """Everything in a gap report, computed over one period."""

    period_start: dt.datetime
    period_end: dt.datetime
    min_group_size: int
    totals: dict[str, object]
    themes: list[ThemeInsight]
    weekly: dict[str, dict[str, dict[str, int]]]
    new_themes: list[str]
    rising_themes: list[str]
    dimensions_by_team: dict[str, dict[str, int]]
    knowledge_needs: list[dict[str, object]]
    training_needs: list[dict[str, object]]
    resolution_days_by_owner: dict[str, float]
    filters: dict[str, str] = field(default_factory=dict)
    order_lookups: dict[str, object] = field(default_factory=dict)
    """`by_outcome`: order look-ups of the period by outcome (unknown numbers are counted here, not as gaps; whole
    company, so left out of a team's or owner's report); `unavailable_by_hour`: look-ups that failed because the
    order system was down, per UTC hour (ISO hour -> count, hours with none left out)."""
    read_across_languages: list[PageReadAcross] = field(default_factory=list)
    """Pages staff needed in a language they did not ask in, most needed first: the whole company's, or an owner's
    own pages in an owner's report; none in a team's report."""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (datetimes as ISO strings)."""
        shown = asdict(self)
        for theme in shown["themes"]:
            theme.pop("gap_ids", None)
        return jsonable(shown)


def theme_anchor(theme_id: str) -> str:
    """A theme's HTML anchor: its id when that is already `theme-<hash>`, else `theme-` and the id made URL-safe."""
    if _ANCHOR_SAFE.fullmatch(theme_id) and theme_id.startswith("theme-"):
        return theme_id
    return "theme-" + _ANCHOR_UNSAFE.sub("-", theme_id)


def build_gap_insights(
    gaps: Sequence[GapFact],
    themes: Iterable[ThemeLabel],
    *,
    period_end: dt.datetime,
    since_days: int | None = None,
    answered: Sequence[AnsweredTurn] = (),
    min_group_size: int = 5,
    default_owner: str = "Knowledge team",
    team: str | None = None,
    owner: str | None = None,
    order_outcomes: dict[str, int] | None = None,
    page_owner: Callable[[str], str | None] | None = None,
) -> GapInsights:
    """Count what the gaps (and, for training needs, the answered turns) of the period say.

    `team` keeps only one team's gaps (refused when that team is too small to show); `owner` keeps
    the gaps whose nearest page that owner maintains (the knowledge manager's own list), and, when `page_owner` names
    each page's owner, that owner's pages read in another language.
    """
    start = period_end - dt.timedelta(days=since_days) if since_days is not None else _earliest(gaps, period_end)
    in_period = [gap for gap in gaps if start <= gap.created_at <= period_end]
    company_gaps = in_period  # before a team's or owner's filter
    answered_in_period = [turn for turn in answered if start <= turn.created_at <= period_end]
    team_name = group_namer(((gap.team, gap.asker) for gap in in_period), min_group_size)
    location_name = group_namer(((gap.location, gap.asker) for gap in in_period), min_group_size)
    filters: dict[str, str] = {}
    if team is not None:
        if team_name(team) == OTHER:
            raise InsightsError(f"team {team!r} has fewer than {min_group_size} askers with gaps in this period, "
                                "so it is only shown within 'other'")
        in_period = [gap for gap in in_period if gap.team == team]
        filters["team"] = team
    if owner is not None:
        in_period = [gap for gap in in_period if (gap.nearest_owner or default_owner) == owner]
        filters["owner"] = owner
    labels = {theme.theme_id: theme for theme in themes}
    theme_insights = _themes(in_period, labels, period_end, team_name, default_owner)
    rising = sorted((theme for theme in theme_insights if theme.growth > 1 and theme.gaps >= 2),
                    key=lambda theme: (-theme.growth, -theme.friction))
    return GapInsights(
        period_start=start,
        period_end=period_end,
        min_group_size=min_group_size,
        totals=_totals(in_period),
        themes=theme_insights,
        weekly=_weekly(in_period, {
            "reason": lambda gap: gap.reason,
            "channel": lambda gap: gap.channel,
            "team": lambda gap: team_name(gap.team),
            "location": lambda gap: location_name(gap.location),
        }),
        new_themes=[theme.theme_id for theme in theme_insights if theme.new],
        rising_themes=[theme.theme_id for theme in rising[:10]],
        dimensions_by_team=_dimensions_by_team(in_period, team_name),
        knowledge_needs=_knowledge_needs(theme_insights, in_period, default_owner),
        training_needs=_training_needs(answered_in_period, min_group_size),
        resolution_days_by_owner=_resolution_by_owner(in_period, default_owner),
        filters=filters,
        order_lookups=_order_lookups(in_period, None if filters else order_outcomes),
        read_across_languages=_read_across_for(answered_in_period, company_gaps, team=team, owner=owner,
                                               page_owner=page_owner, default_owner=default_owner),
    )


def _earliest(gaps: Sequence[GapFact], period_end: dt.datetime) -> dt.datetime:
    return min((gap.created_at for gap in gaps), default=period_end)


def _read_across_for(answered: Sequence[AnsweredTurn], gaps: Sequence[GapFact], *, team: str | None,
                     owner: str | None, page_owner: Callable[[str], str | None] | None,
                     default_owner: str) -> list[PageReadAcross]:
    """The whole company's pages read in another language; an owner's own among them (when pages' owners are known);
    none for a team (a page is read by every team)."""
    if team is not None or (owner is not None and page_owner is None):
        return []
    pages = _read_across_languages(answered, gaps)
    if owner is None:
        return pages
    return [page for page in pages if (page_owner(page.path) or default_owner) == owner]


def _read_across_languages(answered: Sequence[AnsweredTurn], gaps: Sequence[GapFact]) -> list[PageReadAcross]:
    pages: dict[str, PageReadAcross] = {}
    askers: defaultdict[str, set[str]] = defaultdict(set)
    for turn in answered:
        if turn.source_language is None:
            continue
        entry = pages.setdefault(turn.page_path, PageReadAcross(turn.page_path, turn.page_title, turn.source_language))
        entry.answered += 1
        if turn.helpful is not None:
            entry.helpful += turn.helpful
            entry.not_helpful += not turn.helpful
        askers[turn.page_path].add(turn.asker_hash)
    for gap in gaps:
        for suggested in gap.suggested_across:
            entry = pages.setdefault(suggested.path,
                                     PageReadAcross(suggested.path, suggested.title, suggested.language))
            entry.suggested += 1
            askers[suggested.path].add(gap.asker)
    for path, entry in pages.items():
        entry.askers = len(askers[path])
    return sorted(pages.values(), key=lambda entry: (-(entry.answered + entry.suggested), -entry.askers, entry.path))


def _order_lookups(gaps: Sequence[GapFact], outcomes: dict[str, int] | None) -> dict[str, object]:
    by_hour = Counter(gap.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:00Z") for gap in gaps
                      if gap.reason == ORDER_OUTAGE_REASON)
    lookups: dict[str, object] = {"unavailable_by_hour": dict(sorted(by_hour.items()))}
    if outcomes is not None:
        lookups["by_outcome"] = {outcome: count for outcome, count in sorted(outcomes.items())
                                 if outcome.startswith("order_")}
    return lookups


def _totals(gaps: Sequence[GapFact]) -> dict[str, object]:
    return {
        "gaps": len(gaps),
        "askers": len({gap.asker for gap in gaps}),
        "by_reason": dict(Counter(gap.reason for gap in gaps)),
        "by_state": dict(Counter(gap.state for gap in gaps)),
        "by_channel": dict(Counter(gap.channel for gap in gaps)),
        "customer_interactions": sum(1 for gap in gaps if gap.customer_interaction),
    }


def _themes(gaps: Sequence[GapFact], labels: dict[str, ThemeLabel], period_end: dt.datetime,
            team_name, default_owner: str) -> list[ThemeInsight]:
    members: dict[str, list[GapFact]] = defaultdict(list)
    for gap in gaps:
        members[gap.theme_id or f"gap:{gap.gap_id}"].append(gap)
    recent_start = period_end - dt.timedelta(days=RECENT_DAYS)
    previous_start = recent_start - dt.timedelta(days=RECENT_DAYS)
    insights = []
    for theme_id, group in members.items():
        label = labels.get(theme_id)
        recent = sum(1 for gap in group if gap.created_at > recent_start)
        previous = sum(1 for gap in group if previous_start < gap.created_at <= recent_start)
        inputs = FrictionInputs(
            gaps=len(group),
            askers=len({gap.asker for gap in group}),
            recent=recent,
            previous=previous,
            negative_share=_share(group, lambda gap: gap.reason == NEGATIVE),
            handoff_share=_share(group, lambda gap: gap.reason == HANDOFF),
            customer_share=_share(group, lambda gap: gap.customer_interaction),
        )
        nearest = Counter(gap.nearest_path for gap in group if gap.nearest_path).most_common(1)
        nearest_path = nearest[0][0] if nearest else None
        nearest_gap = next((gap for gap in group if gap.nearest_path == nearest_path), None)
        resolved = [gap for gap in group if gap.state == "resolved" and gap.resolved_at is not None]
        first_seen = min(gap.created_at for gap in group)
        insights.append(ThemeInsight(
            theme_id=theme_id,
            label=label.label if label else group[0].question,
            gaps=len(group),
            askers=inputs.askers,
            examples=label.examples[:3] if label and label.examples else tuple(gap.question for gap in group[:3]),
            first_seen=first_seen,
            last_seen=max(gap.created_at for gap in group),
            nearest_path=nearest_path,
            nearest_title=nearest_gap.nearest_title if nearest_gap else None,
            owner=(nearest_gap.nearest_owner if nearest_gap else None) or default_owner,
            teams=dict(Counter(team_name(gap.team) for gap in group)),
            dimension=_majority(gap.dimension for gap in group),
            customer_share=round(inputs.customer_share, 3),
            friction=friction_score(inputs),
            friction_parts=friction_parts(inputs),
            growth=round(inputs.growth, 3),
            new=first_seen > recent_start,
            open=sum(1 for gap in group if gap.state == "open"),
            resolved=len(resolved),
            median_days_to_resolve=_median_days(resolved),
            resolutions=tuple(ThemeResolution(gap.resolved_at, gap.resolved_page)
                              for gap in sorted(resolved, key=lambda gap: gap.resolved_at, reverse=True)),
            gap_ids=tuple(gap.gap_id for gap in sorted(group, key=lambda gap: gap.created_at, reverse=True)),
        ))
    return sorted(insights, key=lambda theme: (-theme.friction, -theme.gaps, theme.theme_id))


def _weekly(gaps: Sequence[GapFact], keys: dict[str, Callable[[GapFact], str]]) -> dict[str, dict[str, dict[str, int]]]:
    """Per breakdown (reason, channel, ...), gaps counted by the Monday of their week and the breakdown's key."""
    tables: dict[str, dict[str, Counter]] = {name: defaultdict(Counter) for name in keys}
    for gap in gaps:
        monday = _monday(gap.created_at.date())
        for name, key in keys.items():
            tables[name][monday][key(gap)] += 1
    return {name: {week: dict(counts) for week, counts in sorted(weeks.items())} for name, weeks in tables.items()}


@functools.lru_cache(maxsize=1024)
def _monday(day: dt.date) -> str:
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def _dimensions_by_team(gaps: Sequence[GapFact], team_name) -> dict[str, dict[str, int]]:
    table: dict[str, Counter] = defaultdict(Counter)
    for gap in gaps:
        table[team_name(gap.team)][gap.dimension or "unclassified"] += 1
    return {team: dict(counts) for team, counts in sorted(table.items())}


def _knowledge_needs(themes: Sequence[ThemeInsight], gaps: Sequence[GapFact],
                     default_owner: str) -> list[dict[str, object]]:
    """Themes still open that no page answers: what to write, for whom, in staff's own words."""
    by_theme: dict[str, list[GapFact]] = defaultdict(list)
    for gap in gaps:
        by_theme[gap.theme_id or f"gap:{gap.gap_id}"].append(gap)
    needs = []
    for theme in themes:
        group = by_theme[theme.theme_id]
        unanswered = [gap for gap in group if gap.reason in NEEDS_CONTENT and gap.state == "open"]
        if not unanswered:
            continue
        needs.append({
            "owner": theme.owner or default_owner,
            "theme_id": theme.theme_id,
            "label": theme.label,
            "action": _action(theme, unanswered),
            "nearest_path": theme.nearest_path,
            "questions": [gap.question for gap in unanswered[:10]],
            "friction": theme.friction,
        })
    return needs


def _action(theme: ThemeInsight, unanswered: Sequence[GapFact]) -> str:
    if all(gap.reason == RESTRICTED for gap in unanswered):
        # The answer exists on a page for managers: staff need what they may act on, not another managers' page.
        return "write what staff may read (the answer is on a page for a narrower audience)"
    return "extend the nearest page" if theme.nearest_path else "write a new page"


def _training_needs(answered: Sequence[AnsweredTurn], min_group_size: int) -> list[dict[str, object]]:
    """Teams whose askers ask about a page the knowledge answers well far more often than other teams' askers."""
    kept = [fact for fact in answered if fact.helpful is not False]
    team_name = group_namer(((fact.team, fact.asker_hash) for fact in kept), min_group_size)
    askers_by_team: dict[str, set[str]] = defaultdict(set)
    questions: Counter = Counter()
    page_questions: Counter = Counter()
    titles: dict[str, str] = {}
    for fact in kept:
        team = team_name(fact.team)
        askers_by_team[team].add(fact.asker_hash)
        questions[(team, fact.page_path)] += 1
        page_questions[fact.page_path] += 1
        titles[fact.page_path] = fact.page_title
    all_askers = sum(len(members) for members in askers_by_team.values())
    needs = []
    for (team, page), count in questions.items():
        if team == OTHER or count < TRAINING_MIN_QUESTIONS:
            continue
        team_askers = len(askers_by_team[team])
        other_askers = all_askers - team_askers
        other_count = page_questions[page] - count
        team_rate = count / team_askers
        other_rate = other_count / other_askers if other_askers else 0.0
        if team_rate >= TRAINING_RATE_RATIO * max(other_rate, 1e-9) and team_rate > other_rate:
            needs.append({"team": team, "page_path": page, "page_title": titles[page], "questions": count,
                          "per_asker": round(team_rate, 3), "others_per_asker": round(other_rate, 3)})
    return sorted(needs, key=lambda need: (-need["per_asker"], need["team"], need["page_path"]))


def _resolution_by_owner(gaps: Sequence[GapFact], default_owner: str) -> dict[str, float]:
    by_owner: dict[str, list[GapFact]] = defaultdict(list)
    for gap in gaps:
        if gap.state == "resolved" and gap.resolved_at is not None:
            by_owner[gap.nearest_owner or default_owner].append(gap)
    return {owner: _median_days(resolved) for owner, resolved in sorted(by_owner.items())}


def _median_days(resolved: Sequence[GapFact]) -> float | None:
    if not resolved:
        return None
    return round(statistics.median((gap.resolved_at - gap.created_at).total_seconds() / 86400 for gap in resolved), 2)


def _share(group: Sequence[GapFact], test) -> float:
    return sum(1 for gap in group if test(gap)) / len(group) if group else 0.0


def _majority(values: Iterable[str | None]) -> str | None:
    counts = Counter(value for value in values if value)
    return counts.most_common(1)[0][0] if counts else None
