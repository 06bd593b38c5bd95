"""Whether an answer's stated confidence means what it says: answered questions grouped by the confidence they were
given, each group's mean confidence beside the share that cited the right page first (a reliability table), and the
expected calibration error over all of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise

DEFAULT_EDGES = (0.0, 0.6, 0.8, 0.9, 1.0)
"""Bin edges: most answers are stated above the answerability threshold (about 0.47), and the top bins are where a
reader takes the answer on trust."""


@dataclass(frozen=True)
class ConfidenceBin:
    """The answers stated with a confidence in [low, high): how many, their mean confidence, the share right."""

    low: float
    high: float
    answers: int
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True)
class Reliability:
    """Answers' stated confidence against how often they were right, overall and per bin."""

    answers: int
    mean_confidence: float
    accuracy: float
    calibration_error: float
    """Expected calibration error: the bins' |mean confidence − accuracy|, weighted by their share of the answers."""
    bins: tuple[ConfidenceBin, ...]

    def as_dict(self) -> dict:
        return asdict(self)


def reliability(answers: Sequence[tuple[float, bool]], edges: Sequence[float] = DEFAULT_EDGES) -> Reliability:
    """The reliability of `answers`, each (stated confidence, whether it was right). A confidence of exactly 1.0
    falls in the last bin. Raises ValueError when the edges do not rise from 0 to 1."""
    if len(edges) < 2 or edges[0] != 0.0 or edges[-1] != 1.0 or any(b <= a for a, b in pairwise(edges)):
        raise ValueError(f"bin edges must rise from 0.0 to 1.0, got {list(edges)}")
    bins = []
    error = 0.0
    for index, (low, high) in enumerate(pairwise(edges)):
        last = index == len(edges) - 2
        members = [(confidence, right) for confidence, right in answers
                   if low <= confidence < high or (last and confidence == high)]
        if not members:
            continue
        mean = sum(confidence for confidence, _ in members) / len(members)
        accuracy = sum(right for _, right in members) / len(members)
        error += len(members) / len(answers) * abs(mean - accuracy)
        bins.append(ConfidenceBin(low, high, len(members), round(mean, 3), round(accuracy, 3)))
    count = len(answers)
    return Reliability(
        answers=count,
        mean_confidence=round(sum(confidence for confidence, _ in answers) / count, 3) if count else 0.0,
        accuracy=round(sum(right for _, right in answers) / count, 3) if count else 0.0,
        calibration_error=round(error, 3),
        bins=tuple(bins),
    )
