"""Weak NLU guesses on messages retrieval holds back, through the real pipeline and the demo knowledge: what a page
for managers answers stays in scope, and a question taken for a goodbye is still a gap."""

from __future__ import annotations

import pytest

from assistant.models import GapReason, Message, Route
from assistant.nlu.result import NLUResult
from assistant.nlu.understanding import Understander
from assistant.pipeline import Assistant
from assistant.routing import RoutingPolicy
from tests.support.demo_questions import MANAGERS_ONLY_QUESTION as APPEAL


class GuessingIntents:
    """A stand-in for the intent ensemble (tests/nlu/test_routing.py runs the real one): one fixed guess for every
    message, as weak as the guesses that once swallowed these questions."""

    def __init__(self, intent: str, confidence: float) -> None:
        self.result = NLUResult(intent, confidence)

    def parse(self, text: str) -> NLUResult:
        return self.result


@pytest.fixture
def assistant_guessing(company_services):
    built: list[Assistant] = []

    def make(intent: str, confidence: float) -> Assistant:
        assistant = Assistant(company_services.skill, understander=Understander(GuessingIntents(intent, confidence),
                                                                                  None),
                              policy=RoutingPolicy(min_intent_confidence=0.40, fallback_intent_confidence=0.15,
                                                   nlu_wait_seconds=5.0))
        built.append(assistant)
        return assistant

    yield make
    for assistant in built:
        assistant.close()


@pytest.mark.parametrize(("intent", "confidence"), [("out_of_scope", 0.35), ("goodbye", 0.9)])
def test_a_question_a_managers_page_answers_is_never_out_of_scope_or_small_talk(assistant_guessing, intent,
                                                                                confidence):
    answer = assistant_guessing(intent, confidence).handle(Message(text=APPEAL, asker="u1", channel="test"))
    assert answer.route is Route.KNOWLEDGE and answer.gap, (answer.route, answer.text)
    assert answer.withheld is not None and "written for managers only" in answer.text


def test_a_question_taken_for_a_goodbye_is_a_gap(assistant_guessing):
    question = "a che ora passa il tecnico delle caldaie domani?"  # no page answers it
    answer = assistant_guessing("goodbye", 0.34).handle(Message(text=question, asker="u1", channel="test"))
    assert answer.route is Route.KNOWLEDGE and answer.gap and answer.gap_reason is not GapReason.OUT_OF_SCOPE
    assert answer.text != "A presto!"


def test_a_goodbye_without_a_question_is_still_small_talk(assistant_guessing):
    answer = assistant_guessing("goodbye", 0.34).handle(Message(text="vado a casa, a domani", asker="u1",
                                                                channel="test"))
    assert answer.route is Route.SMALL_TALK and answer.text == "A presto!"
