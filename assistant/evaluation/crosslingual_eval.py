"""Cross-lingual answers measured as staff meet them: the answering path (`PageAnswerSkill.answer`), the language
guessed as the pipeline guesses it.

Recall@1 is the share of answerable questions whose reply answers (not a gap) and cites the expected page first; the
gap rate is the share of answerable questions held back; on unanswerable ones, the share wrongly answered.
`recall_at_3_seen` is what the asker sees: the expected page among the first three pages the reply links, whether
as an answer's sources or as a held-back reply's suggestions (the nearest page, then pages in other languages);
`recall_seen` counts every page it links (a held-back reply links up to four). `reply_accuracy` is the share of
answerable questions answered from the expected page with the expected fact in the short reply itself.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from assistant.evaluation.questions import EvalQuestion
from assistant.evaluation.retrieval_metrics import holds_answer
from assistant.retrieval.language import guess_language
from assistant.skills.page_answers import PageAnswerSkill


@dataclass(frozen=True)
class AnsweringFigures:
    """What the answering path did with one set of questions."""

    answerable: int
    recall_at_1: float
    gap_rate: float
    crossed: int
    """Answers from a page in another language than the question's."""
    unanswerable: int
    wrongly_answered: int
    median_ms: float
    recall_at_3_seen: float = 0.0
    recall_seen: float = 0.0
    with_suggestions: int = 0
    """Answerable questions held back with pages in another language suggested."""
    unanswerable_with_suggestions: int = 0
    """Unanswerable questions whose (held-back) reply suggested pages in another language: wrong suggestions."""
    reply_accuracy: float = 0.0
    """Answerable questions answered from the expected page whose short reply holds the expected fact (one of the
    question's `answer_contains`; questions without any count as wrong here)."""

    def as_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


def answering_figures(skill: PageAnswerSkill, questions: list[EvalQuestion],
                      audience: str = "managers") -> AnsweringFigures:
    right = held = gaps = crossed = wrong = seen_3 = seen = suggested = wrongly_suggested = 0
    latencies = []
    for question in questions:
        started = time.perf_counter()
        answer = skill.answer(question.question, audience=audience, language=guess_language(question.question))
        latencies.append((time.perf_counter() - started) * 1000)
        crossed += answer.source_language is not None
        across = any(citation.language for citation in answer.citations)
        if not question.answerable:
            wrong += answer.answerable
            wrongly_suggested += across
            continue
        gaps += not answer.answerable
        suggested += across
        linked = [citation.path for citation in answer.citations]
        seen_3 += any(path in question.expected_sources for path in linked[:3])
        seen += any(path in question.expected_sources for path in linked)
        first = answer.citations[0].path if answer.citations else None
        answered_right = answer.answerable and first in question.expected_sources
        right += answered_right
        held += answered_right and holds_answer(answer.text, question.answer_contains)
    answerable = sum(1 for question in questions if question.answerable)
    return AnsweringFigures(
        answerable=answerable,
        recall_at_1=round(right / max(answerable, 1), 3),
        gap_rate=round(gaps / max(answerable, 1), 3),
        crossed=crossed,
        unanswerable=len(questions) - answerable,
        wrongly_answered=wrong,
        median_ms=round(statistics.median(latencies), 1) if latencies else 0.0,
        recall_at_3_seen=round(seen_3 / max(answerable, 1), 3),
        recall_seen=round(seen / max(answerable, 1), 3),
        with_suggestions=suggested,
        unanswerable_with_suggestions=wrongly_suggested,
        reply_accuracy=round(held / max(answerable, 1), 3),
    )
