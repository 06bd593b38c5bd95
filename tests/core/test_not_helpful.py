"""Saying an answer did not help, through `Assistant.handle` with a stand-in intent parser (tests/nlu/test_routing.py
runs real Rasa): the asker's latest answer is voted down once, in their own conversation only, and a store that
cannot take the vote still gets the apology."""

from __future__ import annotations

import pytest

from assistant.interactions import InteractionStore
from assistant.interactions.errors import InteractionStoreError
from assistant.models import GapReason, Message, Route
from assistant.nlu.result import NLUResult
from assistant.nlu.understanding import Understander
from assistant.pipeline import Assistant
from assistant.privacy import Redactor
from assistant.routing import RoutingPolicy
from assistant.skills.page_answers import PageAnswer

RETURNS = "Returns are accepted within 30 days with the receipt."
COMPLAINT = "that's not what I asked, useless"


class ReturnsPage:
    """The knowledge skill answering everything but a complaint from the returns page."""

    def answer(self, text: str, *, audience: object, language: str, country: str | None = None) -> PageAnswer:
        if "useless" in text:
            return PageAnswer(text="I don't know yet.", citations=[], confidence=0.1, answerable=False)
        return PageAnswer(text=RETURNS, citations=[], confidence=0.9, answerable=True)


class ComplaintIntents:
    """A stand-in for the intent ensemble: "useless" means `not_helpful`."""

    def parse(self, text: str) -> NLUResult:
        return NLUResult("not_helpful", 0.95) if "useless" in text else NLUResult(None, 0.0)


class StoreDown(InteractionStore):
    """The interaction store, unable to take a vote."""

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None):
        raise InteractionStoreError("record a vote", "the database is not answering")


@pytest.fixture
def store(tmp_path):
    interactions = InteractionStore(f"sqlite:///{tmp_path / 'turns.db'}", Redactor(use_ner=False), salt="s")
    yield interactions
    interactions.close()


def _assistant(store: InteractionStore) -> Assistant:
    return Assistant(ReturnsPage(), store, understander=Understander(ComplaintIntents(), None),
                     policy=RoutingPolicy(nlu_wait_seconds=5.0))


def ask(assistant: Assistant, text: str, asker: str = "U1", thread: str = "t") -> object:
    return assistant.handle(Message(text=text, asker=asker, channel="test", thread=thread))


def test_the_askers_latest_answer_is_voted_down_once(store):
    assistant = _assistant(store)
    try:
        answer = ask(assistant, "how long do customers have to return things?")
        ask(assistant, "where do returns go?", thread="another conversation")
        complaint = ask(assistant, COMPLAINT)
        again = ask(assistant, COMPLAINT)
    finally:
        assistant.close()
    assert complaint.route is Route.SMALL_TALK and not complaint.gap and "marked my last answer" in complaint.text
    voted = store.turn(answer.answer_id)
    assert voted.gap_reason is GapReason.NEGATIVE_FEEDBACK and voted.feedback[-1].comment == COMPLAINT
    assert "marked" not in again.text and len(store.turn(answer.answer_id).feedback) == 1


def test_a_complaint_is_about_the_complainers_own_answer(store):
    assistant = _assistant(store)
    try:
        answer = ask(assistant, "how long do customers have to return things?", asker="U1")
        complaint = ask(assistant, COMPLAINT, asker="U2")
    finally:
        assistant.close()
    assert "marked" not in complaint.text and complaint.text.startswith("Sorry I couldn't help")
    assert store.turn(answer.answer_id).feedback == ()


def test_a_store_that_cannot_take_the_vote_still_gets_the_apology(tmp_path):
    store = StoreDown(f"sqlite:///{tmp_path / 'turns.db'}", Redactor(use_ner=False), salt="s")
    assistant = _assistant(store)
    try:
        ask(assistant, "how long do customers have to return things?")
        complaint = ask(assistant, COMPLAINT)
    finally:
        assistant.close()
        store.close()
    assert complaint.route is Route.SMALL_TALK and complaint.text.startswith("Sorry I couldn't help")
