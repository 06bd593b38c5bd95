"""Closing the loop: re-ask every open gap against the current index and resolve those now answered."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.access import AUDIENCE_ORDER
from assistant.interactions.records import GapRecord, GapState, Resolution
from assistant.models import GapReason
from assistant.retrieval.language import guess_language
from assistant.skills.page_answers import PageAnswer

logger = logging.getLogger(__name__)

RECHECK = "recheck"
RECHECKED_REASONS = frozenset({GapReason.NO_ANSWER, GapReason.LOW_CONFIDENCE, GapReason.UNSTATED_AMOUNT,
                               GapReason.NEGATIVE_FEEDBACK, GapReason.RESTRICTED})
MAX_OPEN_GAPS = 200_000
RECHECK_BATCH = 256
"""Distinct questions embedded together in a recheck (a batch's vectors and results are small: 256 x 384 floats)."""


class AnswersFromPages(Protocol):
    """The skill that answers from the knowledge pages."""

    def answer(self, text: str, audience: str = "staff", language: str | None = None) -> PageAnswer: ...

    def answer_many(self, texts: Sequence[str], audience: str = "staff",
                    languages: Sequence[str | None] | None = None) -> list[PageAnswer]: ...


class OpenGaps(Protocol):
    """The gap log: list gaps by state, resolve one."""

    def gaps(self, since_days: int | None = None, limit: int = 500,
             state: GapState | None = None) -> list[GapRecord]: ...

    def resolve_gap(self, answer_id: str, page_path: str | None, how: Resolution, *, by: str,
                    note: str | None = None) -> GapRecord: ...


@dataclass(frozen=True)
class RecheckResult:
    """How many open gaps were asked again, and which were resolved by which page."""

    checked: int
    resolved: dict[str, str] = field(default_factory=dict)


def recheck_open_gaps(store: OpenGaps, pages: AnswersFromPages, *,
                      batch_size: int | None = RECHECK_BATCH) -> RecheckResult:
    """Ask each open knowledge gap again (as stored, redacted); resolve it when it is now answered with confidence.

    Questions are asked with the widest audience a gap could have had (managers), since the gap log does not keep
    the asker's audience; a `restricted` gap (its answer was on a page the asker could not read) is asked as staff,
    so only a page staff may read closes it. A hand-off or out-of-scope gap is left for a person to close, and a
    thumbs-down gap is resolved only by a different page than the one voted down. Identical questions are asked once.

    With `batch_size` (the default), distinct questions are asked `batch_size` at a time through
    `pages.answer_many`, which embeds them together: 10,000 open gaps take well under a minute on 2 cores instead
    of several (see docs/insights.md). `batch_size=None` asks them one by one through `pages.answer`.
    """
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1 or None, got {batch_size}")
    open_gaps = [gap for gap in store.gaps(limit=MAX_OPEN_GAPS, state=GapState.OPEN)
                 if gap.gap_reason in RECHECKED_REASONS]
    asked = list(dict.fromkeys((gap.question, _audience(gap)) for gap in open_gaps))
    answers: dict[tuple[str, str], PageAnswer] = {}
    for audience in dict.fromkeys(audience for _, audience in asked):
        questions = [question for question, its_audience in asked if its_audience == audience]
        replies = (_answers_in_batches(pages, questions, audience, batch_size) if batch_size is not None
                   else [pages.answer(question, audience=audience, language=guess_language(question))
                         for question in questions])
        answers.update(((question, audience), reply) for question, reply in zip(questions, replies, strict=True))
    resolved: dict[str, str] = {}
    for gap in open_gaps:
        answer = answers[(gap.question, _audience(gap))]
        if not (answer.answerable and answer.citations):
            continue
        page = answer.citations[0].path
        if gap.gap_reason is GapReason.NEGATIVE_FEEDBACK and page == gap.top_citation_path:
            continue  # the same page that was voted down: nothing new answers it
        store.resolve_gap(gap.answer_id, page, Resolution.RECHECK, by=RECHECK)
        resolved[gap.answer_id] = page
    logger.info("recheck: %d open gaps (%d distinct questions) asked again, %d resolved", len(open_gaps),
                len(asked), len(resolved))
    return RecheckResult(checked=len(open_gaps), resolved=resolved)


def _audience(gap: GapRecord) -> str:
    """Whom to ask a gap's question as: staff for a `restricted` gap, else the widest audience."""
    return (AUDIENCE_ORDER[-2] if gap.gap_reason is GapReason.RESTRICTED else AUDIENCE_ORDER[-1]).value


def _answers_in_batches(pages: AnswersFromPages, questions: list[str], audience: str,
                        batch_size: int) -> list[PageAnswer]:
    answers: list[PageAnswer] = []
    for start in range(0, len(questions), batch_size):
        batch = questions[start:start + batch_size]
        answers.extend(pages.answer_many(batch, audience=audience,
                                         languages=[guess_language(question) for question in batch]))
    return answers
