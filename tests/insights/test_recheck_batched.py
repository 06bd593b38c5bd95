"""The batched recheck (questions embedded together) resolves exactly what the one-by-one recheck resolves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.access import Audience
from assistant.evaluation.questions import load_questions
from assistant.insights.recheck import recheck_open_gaps
from assistant.interactions.records import GapRecord, GapState, Resolution
from assistant.models import GapReason, Route
from assistant.retrieval.language import guess_language

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "company_questions.jsonl"
EXTRA = (
    "quanti giorni di ferie ho all'anno?",
    "posso fare un reso senza scontrino?",
    "hi, how do i book a van delivery for a sofa?? thanks",
    "can [PERSON] swap a shift with me on sunday",
    "who won the football last night",
)


class FakeGapLog:
    """Open gaps in memory; remembers every resolution."""

    def __init__(self, gaps: list[GapRecord]) -> None:
        self._gaps = gaps
        self.resolutions: list[tuple[str, str | None]] = []

    def gaps(self, since_days: int | None = None, limit: int = 500,
             state: GapState | None = None) -> list[GapRecord]:
        return [gap for gap in self._gaps if state is None or gap.state is state][:limit]

    def resolve_gap(self, answer_id: str, page_path: str | None, how: Resolution, *, by: str,
                    note: str | None = None) -> GapRecord:
        assert how is Resolution.RECHECK
        self.resolutions.append((answer_id, page_path))
        return next(gap for gap in self._gaps if gap.answer_id == answer_id)


def open_gaps() -> list[GapRecord]:
    questions = [question.question for question in load_questions(QUESTIONS)] + list(EXTRA)
    reasons = [GapReason.NO_ANSWER, GapReason.LOW_CONFIDENCE, GapReason.NEGATIVE_FEEDBACK, GapReason.OUT_OF_SCOPE]
    gaps = []
    for number, question in enumerate(questions * 2):  # every question twice: asked once per recheck
        reason = reasons[number % len(reasons)]
        gaps.append(GapRecord(
            answer_id=f"gap-{number:03d}", created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), channel="slack",
            question=question, gap_reason=reason, route=Route.KNOWLEDGE, intent=None, confidence=0.1,
            top_citation_title=None, top_citation_path="en/customers/returns.md"
            if reason is GapReason.NEGATIVE_FEEDBACK else None, feedback_comment=None))
    return gaps


@pytest.mark.parametrize("batch_size", [1, 7, 256])
def test_batched_recheck_resolves_what_the_one_by_one_recheck_resolves(company_services, batch_size) -> None:
    skill = company_services.skill
    one_by_one, batched = FakeGapLog(open_gaps()), FakeGapLog(open_gaps())

    expected = recheck_open_gaps(one_by_one, skill, batch_size=None)
    result = recheck_open_gaps(batched, skill, batch_size=batch_size)

    assert result == expected
    assert sorted(batched.resolutions) == sorted(one_by_one.resolutions)
    assert expected.resolved, "some company questions are answered"
    assert len(expected.resolved) < expected.checked, "and some are not"


def test_answer_many_gives_the_answers_of_answer(company_services) -> None:
    skill = company_services.skill
    questions = [question.question for question in load_questions(QUESTIONS)] + list(EXTRA)
    languages = [guess_language(question) for question in questions]

    batched = skill.answer_many(questions, audience=Audience.MANAGERS.value, languages=languages)

    for question, language, answer in zip(questions, languages, batched, strict=True):
        single = skill.answer(question, audience=Audience.MANAGERS.value, language=language)
        assert answer.answerable == single.answerable, question
        assert [c.path for c in answer.citations] == [c.path for c in single.citations], question
        assert answer.text == single.text, question
        # Batch vectors are bfloat16 where the CPU has it (a question alone is float32): the confidence moves a little.
        assert answer.confidence == pytest.approx(single.confidence, abs=0.03), question


def test_answer_many_of_nothing_is_nothing(company_services) -> None:
    assert company_services.skill.answer_many([]) == []
    with pytest.raises(ValueError):
        company_services.skill.answer_many(["one", "two"], languages=["en"])


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        recheck_open_gaps(FakeGapLog([]), object(), batch_size=0)


@pytest.mark.parametrize("batch_size", [None, 256])
def test_a_restricted_gap_stays_open_until_a_page_staff_may_read_answers_it(company_services, batch_size) -> None:
    # Answered only on a managers' page: closed for a gap asked by anyone, kept open for one staff could not read.
    question = "how many days does someone have to appeal a written warning?"
    gaps = [GapRecord(answer_id=f"gap-{reason.value}", created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
                      channel="slack", question=question, gap_reason=reason, route=Route.KNOWLEDGE, intent=None,
                      confidence=0.2, top_citation_title=None, top_citation_path=None, feedback_comment=None)
            for reason in (GapReason.NO_ANSWER, GapReason.RESTRICTED)]
    log = FakeGapLog(gaps)
    result = recheck_open_gaps(log, company_services.skill, batch_size=batch_size)
    assert result.checked == 2
    assert log.resolutions == [("gap-no_answer", "en/staff/disciplinary-procedure.md")]
