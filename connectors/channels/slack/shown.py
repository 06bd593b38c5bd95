"""Answers the Slack bot showed, kept for their buttons (Share, Ask a person, feedback, Tell me when answered) in
the shared state, so a click reaching another replica finds them.

What is shared is the answer as shown (text from pages and templates, citations, why line, follow-up), the asker's
Slack user id (to name them in a hand-off) and the question's language; never the question: the Share note quotes
the question as the interaction store keeps it (redacted), read back by answer id. The masked order cards of an
order answer are never stored: they stay in this process's memory, so a click on another replica shows the
answer's words without the cards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from assistant.models import Answer, Citation, GapReason, OrderOutcome, Route
from assistant.orders.summary import OrderSummary
from assistant.ports import RecallsQuestions
from assistant.retrieval.language import guess_language
from assistant.shared_state import SharedState
from assistant.ttl_map import TTLMap

NAMESPACE = "slack.answer"


@dataclass(frozen=True)
class ShownAnswer:
    """An answer the bot showed. `question` is the stored (redacted) question, None when the store has no turn."""

    answer: Answer
    asker: str
    language: str
    question: str | None = None


class ShownAnswers:
    """Remembers shown answers for `ttl_seconds` in `state`; `questions` reads a stored question back."""

    def __init__(self, state: SharedState, ttl_seconds: float, *, questions: RecallsQuestions | None = None,
                 orders: TTLMap[str, list[OrderSummary]] | None = None) -> None:
        self._state = state
        self._ttl = ttl_seconds
        self._questions = questions
        self._orders = orders if orders is not None else TTLMap(ttl_seconds)

    def remember(self, answer: Answer, question: str, asker: str) -> str:
        """Keep `answer` for its buttons; the key is the answer id, or a local one when it has none."""
        key = answer.answer_id or f"local-{uuid.uuid4().hex}"
        value = {"answer": answer_json(answer), "asker": asker, "language": guess_language(question)}
        self._state.put(NAMESPACE, key, value, self._ttl)
        if answer.orders:
            self._orders.set(key, list(answer.orders))
        return key

    def get(self, key: str) -> ShownAnswer | None:
        """The answer shown under `key`, or None when it has expired (or was never shown)."""
        value = self._state.get(NAMESPACE, key)
        if not isinstance(value, dict):
            return None
        answer = answer_from_json(value["answer"])
        orders = self._orders.get(key)
        if orders:
            answer.orders = orders
        else:
            answer.outcome = None  # without its cards, an order answer is shown by its words
        question = self._questions.asked_question(answer.answer_id) if self._questions and answer.answer_id else None
        return ShownAnswer(answer, value["asker"], value["language"], question)


def answer_json(answer: Answer) -> dict[str, Any]:
    """The parts of `answer` a button needs to show it again, as JSON (no orders, no entities)."""
    return {
        "text": answer.text,
        "route": Route(answer.route).value,
        "confidence": float(answer.confidence),
        "citations": [{"title": c.title, "path": c.path, "section": c.section, "score": float(c.score), "url": c.url,
                       "language": c.language}
                      for c in answer.citations],
        "intent": answer.intent,
        "gap": answer.gap,
        "gap_reason": GapReason(answer.gap_reason).value if answer.gap_reason is not None else None,
        "follow_up": answer.follow_up,
        "answer_id": answer.answer_id,
        "degraded": answer.degraded,
        "why": answer.why,
        "source_language": answer.source_language,
        "outcome": answer.outcome.value if answer.outcome is not None else None,
    }


def answer_from_json(data: dict[str, Any]) -> Answer:
    """The answer `answer_json` kept."""
    return Answer(
        text=data["text"],
        route=Route(data["route"]),
        confidence=data["confidence"],
        citations=[Citation(**citation) for citation in data["citations"]],
        intent=data["intent"],
        gap=data["gap"],
        gap_reason=GapReason(data["gap_reason"]) if data["gap_reason"] else None,
        follow_up=data["follow_up"],
        answer_id=data["answer_id"],
        degraded=data["degraded"],
        why=data["why"],
        source_language=data["source_language"],
        outcome=OrderOutcome(data["outcome"]) if data["outcome"] else None,
    )
