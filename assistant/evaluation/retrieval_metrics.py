"""Scores for one evaluated question and their aggregation (overall and by kind)."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.evaluation.questions import EvalQuestion


@dataclass(frozen=True)
class QuestionOutcome:
    """What the system returned for one question."""

    question: EvalQuestion
    ranked_paths: tuple[str, ...]
    top_passage: str
    flagged_gap: bool
    latency_ms: float
    reply: str = ""
    """The short answer a user would read (empty when nothing was found)."""


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def first_hit_rank(outcome: QuestionOutcome, depth: int = 10) -> int | None:
    expected = set(outcome.question.expected_sources)
    for rank, path in enumerate(outcome.ranked_paths[:depth], start=1):
        if path in expected:
            return rank
    return None


def passage_correct(outcome: QuestionOutcome) -> bool:
    return _contains_answer(outcome.top_passage, outcome)


def reply_correct(outcome: QuestionOutcome) -> bool:
    """Whether the short answer itself, not only the passage it comes from, holds the expected fact."""
    return _contains_answer(outcome.reply, outcome)


def _contains_answer(text: str, outcome: QuestionOutcome) -> bool:
    return holds_answer(text, outcome.question.answer_contains)


def holds_answer(text: str, answer_contains: Sequence[str]) -> bool:
    """Whether `text` holds one of the expected strings (case and line breaks ignored, as the eval README says)."""
    text = _normalise(text)
    return any(_normalise(needle) in text for needle in answer_contains)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(outcomes: list[QuestionOutcome]) -> dict[str, float]:
    """The metrics of shared/eval/README.md for a set of outcomes."""
    answerable = [o for o in outcomes if o.question.answerable]
    ranks = [first_hit_rank(o) for o in answerable]
    flagged = [o for o in outcomes if o.flagged_gap]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    true_positives = sum(1 for o in flagged if not o.question.answerable)
    precision = true_positives / len(flagged) if flagged else (1.0 if not unanswerable else 0.0)
    recall = true_positives / len(unanswerable) if unanswerable else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    false_positives = sum(1 for o in answerable if o.flagged_gap)
    latencies = [o.latency_ms for o in outcomes]
    count = len(answerable) or 1
    return {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "recall@1": sum(1 for r in ranks if r is not None and r <= 1) / count,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / count,
        "mrr@10": sum(1.0 / r for r in ranks if r is not None) / count,
        "answer_accuracy": sum(1 for o in answerable if passage_correct(o)) / count,
        "reply_accuracy": sum(1 for o in answerable if reply_correct(o)) / count,
        "gap_precision": precision,
        "gap_recall": recall,
        "gap_f1": f1,
        "gap_false_positive_rate": false_positives / count,
        "latency_ms_p50": statistics.median(latencies) if latencies else 0.0,
        "latency_ms_p95": percentile(latencies, 0.95),
    }


def summarise_by_kind(outcomes: list[QuestionOutcome]) -> dict[str, dict[str, float]]:
    kinds = sorted({o.question.kind for o in outcomes})
    return {kind: summarise([o for o in outcomes if o.question.kind == kind]) for kind in kinds}
