"""Builds the gap insights from the interaction store: facts, themes, owners, then `build_gap_insights`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

from assistant.insights.dimensions import DimensionTag
from assistant.insights.facts import GapFact
from assistant.insights.gc_pause import cyclic_gc_paused
from assistant.insights.report import GapInsights, build_gap_insights
from assistant.insights.themes import ThemeBuilder, ThemeInput
from assistant.interactions.records import AnsweredTurn, GapRecord

MAX_GAPS = 200_000


class GapSource(Protocol):
    """The parts of the interaction store insights read."""

    def gaps(self, since_days: int | None = None, limit: int = 500) -> list[GapRecord]: ...

    def answered_turns(self, since_days: int | None = None) -> list[AnsweredTurn]: ...

    def outcome_counts(self, since_days: int | None = None) -> dict[str, int]: ...


class TagsDimensions(Protocol):
    """The EX-dimension classifier."""

    def tag(self, texts: Sequence[str]) -> list[DimensionTag]: ...


class GapInsightsService:
    """One report's worth of insights: reads the period's gaps, groups them into themes, names page owners."""

    def __init__(self, source: GapSource, themes: ThemeBuilder, page_owner: Callable[[str], str | None], *,
                 min_group_size: int, dimensions: TagsDimensions | None = None, default_owner: str = "Knowledge team",
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._source = source
        self._themes = themes
        self._dimensions = dimensions
        self._page_owner = page_owner
        self._min_group_size = min_group_size
        self._default_owner = default_owner
        self._clock = clock

    def report(self, since_days: int | None = None, *, team: str | None = None,
               owner: str | None = None) -> tuple[GapInsights, list[GapRecord]]:
        """The insights and the gap rows they were computed from (for per-gap exports)."""
        with cyclic_gc_paused():
            return self._report(since_days, team, owner)

    def _report(self, since_days: int | None, team: str | None,
                owner: str | None) -> tuple[GapInsights, list[GapRecord]]:
        records = self._source.gaps(since_days=since_days, limit=MAX_GAPS)
        grouping = self._themes.group([ThemeInput(record.answer_id, record.question) for record in records])
        themes = grouping.themes
        theme_of = {member: theme.theme_id for theme in themes for member in theme.member_ids}
        owners: dict[str, str | None] = {}
        tags = self._tags(grouping.representative)
        facts = [self._fact(record, theme_of, owners, tags.get(record.question)) for record in records]
        answered = self._source.answered_turns(since_days)
        insights = build_gap_insights(
            facts, [theme.as_label() for theme in themes], period_end=self._clock(), since_days=since_days,
            answered=answered, min_group_size=self._min_group_size, default_owner=self._default_owner,
            team=team, owner=owner, order_outcomes=self._source.outcome_counts(since_days),
            page_owner=lambda path: self._owner_of(path, owners),
        )
        kept = {fact.gap_id for fact in facts if (team is None or fact.team == team)
                and (owner is None or (fact.nearest_owner or self._default_owner) == owner)}
        return insights, [record for record in records if record.answer_id in kept]

    def _owner_of(self, path: str, owners: dict[str, str | None]) -> str | None:
        if path not in owners:
            owners[path] = self._page_owner(path)
        return owners[path]

    def _tags(self, representative: dict[str, str | None]) -> dict[str, DimensionTag]:
        """Each question's EX tag: that of the embedded question standing for it (itself, or the near-duplicate
        the themes joined it to); a question beyond the themes' embedding budget with no near-duplicate is left
        unclassified, so tagging costs no more embedding than the themes did."""
        if self._dimensions is None or not representative:
            return {}
        distinct = sorted({question for question in representative.values() if question is not None})
        tag_of = dict(zip(distinct, self._dimensions.tag(distinct), strict=True))
        return {question: tag_of[stand_in] for question, stand_in in representative.items() if stand_in is not None}

    def _fact(self, record: GapRecord, theme_of: dict[str, str], owners: dict[str, str | None],
              tag: DimensionTag | None) -> GapFact:
        path = record.top_citation_path
        if path is not None:
            self._owner_of(path, owners)
        return GapFact(
            gap_id=record.answer_id,
            created_at=record.created_at,
            channel=record.channel,
            reason=record.gap_reason.value if record.gap_reason else "unknown",
            question=record.question,
            asker=record.asker_hash,
            team=record.team,
            location=record.location,
            role=record.role,
            nearest_path=path,
            nearest_title=record.top_citation_title,
            nearest_owner=owners.get(path) if path else None,
            state=record.state.value,
            resolved_at=record.resolved_at,
            resolved_page=record.resolved_page,
            theme_id=theme_of.get(record.answer_id),
            dimension=tag.dimension.value if tag else None,
            customer_interaction=tag.customer_interaction if tag else False,
            suggested_across=record.crosslingual_suggestions,
        )
