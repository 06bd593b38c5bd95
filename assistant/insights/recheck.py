"""Closing the loop: re-ask every open gap against the current index and resolve those now answered."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.access import Audience
from assistant.interactions.records import GapRecord, GapState, Resolution
from assistant.models import GapReason
from assistant.retrieval.language import guess_language
from assistant.skills.page_answers import PageAnswer

logger = logging.getLogger(__name__)

RECHECK = "recheck"
RECHECKED_REASONS = frozenset({GapReason.NO_ANSWER, GapReason.LOW_CONFIDENCE, GapReason.NEGATIVE_FEEDBACK})
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
    the asker's audience; a hand-off or out-of-scope gap is left for a person to close, and a thumbs-down gap is
    resolved only by a different page than the one voted down. Identical questions are asked once.

    With `batch_size` (the default), distinct questions are asked `batch_size` at a time through
    `pages.answer_many`, which embeds them together: 10,000 open gaps take well under a minute on 2 cores instead
    of several (see docs/insights.md). `batch_size=None` asks them one by one through `pages.answer`.
    """
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1 or None, got {batch_size}")
    open_gaps = [gap for gap in store.gaps(limit=MAX_OPEN_GAPS, state=GapState.OPEN)
                 if gap.gap_reason in RECHECKED_REASONS]
    questions = list(dict.fromkeys(gap.question for gap in open_gaps))
    answers = (_answers_in_batches(pages, questions, batch_size) if batch_size is not None
               else {question: pages.answer(question, audience=Audience.MANAGERS.value,
                                            language=guess_language(question)) for question in questions})
    resolved: dict[str, str] = {}
    for gap in open_gaps:
        answer = answers[gap.question]
        if not (answer.answerable and answer.citations):
            continue
        page = answer.citations[0].path
        if gap.gap_reason is GapReason.NEGATIVE_FEEDBACK and page == gap.top_citation_path:
            continue  # the same page that was voted down: nothing new answers it
        store.resolve_gap(gap.answer_id, page, Resolution.RECHECK, by=RECHECK)
        resolved[gap.answer_id] = page
    logger.info("recheck: %d open gaps (%d distinct questions) asked again, %d resolved", len(open_gaps),
                len(questions), len(resolved))
    return RecheckResult(checked=len(open_gaps), resolved=resolved)


def _answers_in_batches(pages: AnswersFromPages, questions: list[str], batch_size: int) -> dict[str, PageAnswer]:
    answers: dict[str, PageAnswer] = {}
    for start in range(0, len(questions), batch_size):
        batch = questions[start:start + batch_size]
        replies = pages.answer_many(batch, audience=Audience.MANAGERS.value,
                                    languages=[guess_language(question) for question in batch])
        answers.update(zip(batch, replies, strict=True))
    return answers
