"""Evaluation question files (JSON Lines, the format of shared/eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError


class QuestionFileError(AssistantError):
    """A question file line is not valid JSON or misses a required field."""


@dataclass(frozen=True)
class EvalQuestion:
    """One question with what a correct system returns for it."""

    id: str
    question: str
    answerable: bool
    expected_sources: tuple[str, ...]
    answer_contains: tuple[str, ...]
    kind: str


def load_questions(path: Path) -> list[EvalQuestion]:
    """Every question in `path`; a bad line is reported with its number. A leading byte-order mark is ignored."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(
                EvalQuestion(
                    id=str(record["id"]),
                    question=str(record["question"]),
                    answerable=bool(record["answerable"]),
                    expected_sources=tuple(record.get("expected_sources") or ()),
                    answer_contains=tuple(record.get("answer_contains") or ()),
                    kind=str(record.get("kind") or "other"),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise QuestionFileError(f"{path}:{number}: {error}") from None
    if not questions:
        raise QuestionFileError(f"{path} holds no questions")
    return questions
