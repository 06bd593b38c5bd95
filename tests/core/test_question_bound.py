"""`max_concurrent` bounds how many questions one process searches and understands at once; the others wait their
turn and are answered, none lost. The knowledge answers are the real skill's over the demo knowledge."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import ValidationError

from assistant.models import Message, Route
from assistant.pipeline import Assistant
from assistant.settings import Settings

QUESTION = "how long does a customer have to return a lawnmower?"


class CountingPages:
    """The real knowledge skill, counting the questions inside it at once; each lingers a moment so that questions
    sent together would overlap if nothing held them back."""

    def __init__(self, skill) -> None:
        self._skill = skill
        self._lock = threading.Lock()
        self.inside = 0
        self.most_inside = 0

    def answer(self, text: str, audience: str = "staff", language: str | None = None, country: str | None = None):
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            time.sleep(0.2)
            return self._skill.answer(text, audience=audience, language=language)
        finally:
            with self._lock:
                self.inside -= 1


def ask_together(assistant: Assistant, count: int) -> list:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda n: assistant.handle(Message(text=f"{QUESTION} ({n})", asker=f"u{n}",
                                                                channel="test")), range(count)))


@pytest.mark.parametrize(("bound", "most_inside"), [(2, 2), (None, 6)])
def test_at_most_the_bound_is_answered_at_once_and_every_question_is_answered(company_services, bound, most_inside):
    pages = CountingPages(company_services.skill)
    assistant = Assistant(pages, max_concurrent=bound)
    try:
        answers = ask_together(assistant, 6)
    finally:
        assistant.close()
    assert pages.most_inside == most_inside
    assert all(answer.route is Route.KNOWLEDGE and answer.citations[0].path == "en/customers/returns.md"
               for answer in answers)


def test_the_bound_must_be_positive():
    with pytest.raises(ValidationError):
        Settings(max_concurrent_questions=0)
    assert Settings().max_concurrent_questions is None
    assert Settings(max_concurrent_questions=2).max_concurrent_questions == 2
