"""`InteractionStore.voted_turns`: what the vote prior reads, on SQLite and (when given) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from assistant.interactions import InteractionStore, VotedTurn
from assistant.models import Answer, Citation, GapReason, Message, Route

START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
EMAIL = "maria.rossi@example.com"


class EmailRedactor:
    """Replaces the one e-mail address these tests use."""

    def redact(self, text: str) -> str:
        return text.replace(EMAIL, "[EMAIL]")


class StepClock:
    """Each reading is a second after the last, so every write has its own time."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def store(database_url: str, clock: StepClock):
    with InteractionStore(database_url, EmailRedactor(), salt="votes-salt", clock=clock) as opened:
        yield opened


def ask(store: InteractionStore, text: str, asker: str, pages: list[str], channel: str = "api") -> str:
    answer = Answer(text="an answer", route=Route.KNOWLEDGE, confidence=0.8,
                    citations=[Citation(title=page, path=page, section="", score=0.5) for page in pages])
    answer.answer_id = uuid.uuid4().hex
    store.record_turn(Message(text, asker=asker, channel=channel), answer, latency_ms=12.0)
    return answer.answer_id


def test_each_voted_turn_once_with_its_latest_vote_newest_first(store):
    first = ask(store, f"write to {EMAIL} about the refund?", "U1", ["en/customers/refunds.md", "en/a.md"],
                channel="slack")
    second = ask(store, "how long is the plant guarantee?", "U2", ["en/customers/plant-guarantee.md"],
                 channel="teams")
    unvoted = ask(store, "gift card expiry?", "U3", ["en/customers/gift-cards.md"])
    store.record_feedback(first, helpful=True)
    store.record_feedback(second, helpful=True)
    store.record_feedback(first, helpful=False)  # a change of mind: the latest vote stands, and is the newest

    voted = store.voted_turns(limit=10)

    assert [turn.answer_id for turn in voted] == [first, second]
    assert unvoted not in {turn.answer_id for turn in voted}
    latest = voted[0]
    assert latest == VotedTurn(first, latest.asker_hash, "write to [EMAIL] about the refund?",
                               "en/customers/refunds.md", helpful=False)
    assert latest.asker_hash != "U1" and len(latest.asker_hash) == 64  # hashed, and the question redacted
    assert voted[1].helpful is True and voted[1].page_path == "en/customers/plant-guarantee.md"


def test_turns_without_a_cited_page_are_left_out_and_the_limit_keeps_the_newest(store):
    no_page = ask(store, "what is the meaning of life?", "U1", [])
    store.record_feedback(no_page, helpful=False)
    voted_ids = []
    for number in range(4):
        answer_id = ask(store, f"question {number}", f"U{number}", ["en/customers/returns.md"])
        store.record_feedback(answer_id, helpful=number % 2 == 0)
        voted_ids.append(answer_id)

    assert [turn.answer_id for turn in store.voted_turns(limit=3)] == voted_ids[::-1][:3]
    assert len(store.voted_turns(limit=100)) == 4


def test_retention_takes_votes_out_of_what_the_prior_reads(store, clock):
    answer_id = ask(store, "how long is the plant guarantee?", "U2", ["en/customers/plant-guarantee.md"])
    store.record_feedback(answer_id, helpful=True)
    clock.now += dt.timedelta(days=40)

    store.apply_retention(days=30)

    assert store.voted_turns(limit=10) == []


def test_the_limit_must_be_positive(store):
    with pytest.raises(ValueError):
        store.voted_turns(limit=0)


def test_a_vote_on_a_restricted_reply_does_not_count_for_the_page_it_withheld(store):
    # Staff were told a managers' page answers; that page is stored with the gap, but they never saw it.
    answer = Answer(text="There is guidance on this, but it is written for managers only", route=Route.KNOWLEDGE,
                    confidence=0.3, gap=True, gap_reason=GapReason.RESTRICTED,
                    withheld=Citation(title="Handling a disciplinary matter",
                                      path="en/staff/disciplinary-procedure.md", section="", score=0.9))
    answer.answer_id = uuid.uuid4().hex
    store.record_turn(Message("how long to appeal a warning?", asker="U1", channel="slack"), answer, latency_ms=9.0)
    shown = ask(store, "how long is the plant guarantee?", "U2", ["en/customers/plant-guarantee.md"])
    store.record_feedback(answer.answer_id, helpful=False)
    store.record_feedback(shown, helpful=True)

    assert [turn.answer_id for turn in store.voted_turns(limit=10)] == [shown]
