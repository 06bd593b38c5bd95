"""Decorators around the core's ports that count and time what passes through them; the core is unchanged."""

from __future__ import annotations

import logging
import time

from assistant.error_replies import error_kind
from assistant.errors import (
    AssistantError,
    NLUUnavailableError,
    OrderNotFoundError,
    OrderSourceUnavailableError,
    OrderSystemCircuitOpenError,
)
from assistant.health import PartHealth
from assistant.interactions.records import FeedbackResult, HandoffRecord, NoticeRequest
from assistant.models import Answer, GapReason, Message
from assistant.nlu.errors import NLUCircuitOpenError
from assistant.nlu.result import NLUResult
from assistant.nlu.understanding import IntentParser
from assistant.orders.model import OrderStatus
from assistant.orders.source import OrderSource
from assistant.ports import AnswersQuestions
from connectors.observability.metrics import AssistantMetrics
from connectors.sources.orders.records import OrderDataError

logger = logging.getLogger(__name__)


class MeasuredAnswering:
    """The answering port, counting answers by channel, route and degradation, gaps by reason, and errors by kind.

    Logs one line per answer with its answer id and route (never the question), so a request id in the logs
    leads to the stored turn."""

    def __init__(self, inner: AnswersQuestions, metrics: AssistantMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def handle(self, message: Message) -> Answer:
        started = time.perf_counter()
        try:
            answer = self._inner.handle(message)
        except AssistantError as error:
            self._metrics.answer_errors.labels(message.channel, error_kind(error).value).inc()
            raise
        self._metrics.answer_duration.labels(message.channel).observe(time.perf_counter() - started)
        self._metrics.answers.labels(message.channel, answer.route.value, _flag(answer.degraded)).inc()
        if answer.gap and answer.gap_reason is not None:
            self._metrics.gaps.labels(answer.gap_reason.value).inc()
        logger.info("answer %s on %s: route %s%s%s", answer.answer_id, message.channel, answer.route.value,
                    f", gap ({answer.gap_reason.value})" if answer.gap and answer.gap_reason else "",
                    ", degraded" if answer.degraded else "")
        return answer

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> FeedbackResult | None:
        result = self._inner.record_feedback(answer_id, helpful, comment)
        if result is not None and result.opened_gap and result.gap_reason is GapReason.NEGATIVE_FEEDBACK:
            self._metrics.gaps.labels(GapReason.NEGATIVE_FEEDBACK.value).inc()
        return result

    def request_handoff(self, answer_id: str) -> HandoffRecord:
        record = self._inner.request_handoff(answer_id)
        self._metrics.gaps.labels(GapReason.HANDOFF_REQUESTED.value).inc()
        return record

    def request_notice(self, answer_id: str, *, asker: str, channel: str, address: dict[str, str] | None = None,
                       max_audience: str | None = None) -> NoticeRequest:
        return self._inner.request_notice(answer_id, asker=asker, channel=channel, address=address,
                                          max_audience=max_audience)


class TimedIntentParser:
    """Rasa's parser (behind its breaker), timing every parse by outcome."""

    def __init__(self, inner: IntentParser, metrics: AssistantMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    @property
    def degraded_reason(self) -> str | None:
        return self._inner.degraded_reason

    def parse(self, text: str) -> NLUResult:
        started = time.perf_counter()
        outcome = "ok"
        try:
            return self._inner.parse(text)
        except NLUCircuitOpenError:
            outcome = "circuit_open"
            raise
        except NLUUnavailableError:
            outcome = "unavailable"
            raise
        finally:
            self._metrics.nlu_parse_duration.labels(outcome).observe(time.perf_counter() - started)


class TimedOrderSource:
    """An order source, timing every look-up by outcome; its health and closing are the inner source's."""

    def __init__(self, inner: OrderSource, metrics: AssistantMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def lookup(self, order_number: str) -> OrderStatus:
        started = time.perf_counter()
        outcome = "found"
        try:
            return self._inner.lookup(order_number)
        except OrderNotFoundError:
            outcome = "not_found"
            raise
        except OrderSystemCircuitOpenError:
            outcome = "circuit_open"
            raise
        except OrderDataError:
            outcome = "unreadable"
            raise
        except OrderSourceUnavailableError:
            outcome = "unavailable"
            raise
        finally:
            self._metrics.order_lookup_duration.labels(outcome).observe(time.perf_counter() - started)

    def health(self) -> PartHealth:
        return self._inner.health()

    def close(self) -> None:
        self._inner.close()


def _flag(value: bool) -> str:
    return "true" if value else "false"
