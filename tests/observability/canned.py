"""Small fakes for the observability tests: an answering port with canned answers, a gap log with none."""

from __future__ import annotations

import logging

from assistant.access import ApiKey
from assistant.errors import EmptyQuestionError
from assistant.health import PartHealth
from assistant.interactions import InteractionCounts
from assistant.models import Answer, GapReason, Message, Route
from connectors.channels.http.app import ApiPorts

logger = logging.getLogger("tests.observability.canned")


class CannedAnswers:
    """Answers "hello" as knowledge, anything with "wifi" as a gap, "boom" with an unexpected error, "???" as
    no question; logs one line per question (to see which request id it carries)."""

    def handle(self, message: Message) -> Answer:
        logger.info("canned answer for a question on %s", message.channel)
        if message.text == "boom":
            raise RuntimeError("a bug, not an AssistantError")
        if not any(ch.isalnum() for ch in message.text):
            raise EmptyQuestionError("the question has no words or numbers in it")
        if "wifi" in message.text:
            return Answer(text="I don't know", route=Route.KNOWLEDGE, confidence=0.1, gap=True,
                          gap_reason=GapReason.NO_ANSWER, answer_id="gap1")
        return Answer(text=f"echo: {message.text}", route=Route.KNOWLEDGE, confidence=0.9, answer_id="a1")

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        return None


class NoGaps:
    def gaps(self, since_days: int | None = None, limit: int = 500) -> list:
        return []

    def counts(self, since_days: int | None = None) -> InteractionCounts:
        raise AssertionError("not used by these tests")


def index_up() -> PartHealth:
    return PartHealth("index", ok=True, details={"generation": "gen-7", "chunks": 120, "passages": 80, "pages": 30})


def orders_open() -> PartHealth:
    return PartHealth("orders", ok=False, reason="timed out", details={"source": "rest", "circuit": "open"})


def canned_ports(keys: tuple[str, ...] = (), answering=None) -> ApiPorts:
    return ApiPorts(answering=answering or CannedAnswers(), gaps=NoGaps(), health_checks=(index_up, orders_open),
                    api_keys=tuple(ApiKey.parse(key) for key in keys))
