"""The assistant's pipeline: clean the text, understand it, route it, answer it, record the turn."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
import unicodedata
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from typing import Protocol

from assistant.access import capped_audience
from assistant.conversation_slots import ConversationSlots, PendingSlot
from assistant.errors import EmptyQuestionError, IndexUnavailableError, QuestionTooLongError, UnknownAnswerError
from assistant.interactions.errors import InteractionStoreError
from assistant.interactions.records import FeedbackResult, HandoffRecord, NoticeRequest
from assistant.models import Answer, AskerProfile, GapReason, Message, OrderOutcome, Route, TextOrigin
from assistant.nlu.entities import ORDER_NUMBER
from assistant.nlu.intents import Intent
from assistant.nlu.understanding import Understander, Understanding
from assistant.order_numbers import FoundNumbers, OrderNumberFinder
from assistant.retrieval.language import guess_language
from assistant.routing import Decision, RoutingPolicy, asks_question, decide
from assistant.skills.orders import OrdersSkill
from assistant.skills.page_answers import PageAnswer, PageAnswerSkill
from assistant.skills.small_talk import NOT_HELPFUL_VOTED, REPLY_ORIGIN, reply_for
from assistant.ttl_map import TTLMap

logger = logging.getLogger(__name__)


class AsksWhoIsWho(Protocol):
    """The staff directory: the groups a channel user id belongs to."""

    def profile(self, user_id: str) -> AskerProfile: ...


class TurnRecorder(Protocol):
    """Where turns and feedback go (the interaction store, or its spool); it redacts personal data itself.

    `redact_question_early` starts redacting a question as soon as it arrives, so that the work overlaps NLU and
    retrieval; `record_turn` is then handed that pending result instead of redacting the question itself.
    """

    def redact_question_early(self, text: str) -> Future[str] | None: ...

    def record_turn(self, message: Message, answer: Answer, latency_ms: float, *,
                    redacted_question: Future[str] | None = None) -> None: ...

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> FeedbackResult: ...

    def record_handoff(self, answer_id: str) -> HandoffRecord: ...

    def request_notice(self, answer_id: str, channel: str, address: dict[str, str], *, asker: str,
                       audience: str) -> NoticeRequest: ...


def clean_text(text: str) -> str:
    """Normalise Unicode, drop control characters, collapse runs of whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())


class Assistant:
    """Answers one `Message` at a time; safe to call from several threads.

    Retrieval and NLU run at the same time (NLU in a worker thread), so NLU adds little
    latency; when NLU is unavailable the answer comes from retrieval and says `degraded`.

    With `max_concurrent`, at most that many questions are searched and understood at once and the others wait
    their turn: on a busy machine, more in flight than cores only slows every one of them and starves Rasa (a
    separate process) of CPU until its parses miss their budget. Routing, order look-ups (which wait on another
    system, not on the CPU) and recording happen outside that bound.
    """

    def __init__(
        self,
        pages: PageAnswerSkill,
        recorder: TurnRecorder | None = None,
        *,
        understander: Understander | None = None,
        orders: OrdersSkill | None = None,
        conversations: ConversationSlots | None = None,
        order_numbers: OrderNumberFinder | None = None,
        policy: RoutingPolicy | None = None,
        max_question_chars: int = 4000,
        default_audience: str = "staff",
        directory: AsksWhoIsWho | None = None,
        default_language: str = "en",
        max_concurrent: int | None = None,
    ) -> None:
        self._pages = pages
        self._recorder = recorder
        self._understander = understander
        self._conversations = conversations if conversations is not None else ConversationSlots()
        # In this process, not the shared state: one write per answer would put the database on the reply path.
        # A complaint that reaches another replica gets the apology without a vote.
        self._recent_answers: TTLMap[str, str] = TTLMap(ttl_seconds=self._conversations.ttl_seconds,
                                                        max_size=RECENT_ANSWERS)
        self._order_numbers = order_numbers or OrderNumberFinder()
        self._orders = orders or OrdersSkill(None, finder=self._order_numbers)
        self._policy = policy or RoutingPolicy()
        self._max_chars = max_question_chars
        self._default_audience = default_audience
        self._directory = directory
        self._default_language = default_language
        self._workers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="nlu")
        self._slots = threading.BoundedSemaphore(max_concurrent) if max_concurrent is not None else None

    def validate(self, text: str) -> str:
        """The cleaned question, or a typed error saying why it cannot be answered."""
        if not isinstance(text, str):
            raise EmptyQuestionError("the question must be text")
        if len(text) > self._max_chars:
            raise QuestionTooLongError(len(text), self._max_chars)
        cleaned = clean_text(text)
        if not cleaned:
            raise EmptyQuestionError("the question is empty")
        if not any(ch.isalnum() for ch in cleaned):
            # "???" or an emoji is no question: it would only add noise to the gap log.
            raise EmptyQuestionError("the question has no words or numbers in it")
        return cleaned

    def handle(self, message: Message) -> Answer:
        started = time.perf_counter()
        text = self.validate(message.text)
        # What is stored is the redacted question as typed: start on it now, it overlaps NLU and retrieval.
        redacted_question = self._recorder.redact_question_early(message.text) if self._recorder is not None else None
        language = message.language or guess_language(text, self._default_language)
        message = self._with_profile(message)
        audience = capped_audience(
            message.audience or message.profile.audience or self._default_audience, message.max_audience
        )
        with self._slots or contextlib.nullcontext():
            pending_nlu = self._understand_in_background(text)
            knowledge = self._knowledge(text, audience, language, message.country or message.profile.country)
            understanding = self._collect(pending_nlu)
        answer = self._route(message, text, language, knowledge, understanding)
        answer.answer_id = uuid.uuid4().hex
        if answer.route in REMEMBERED_ROUTES:
            self._recent_answers.set(_asker_in_conversation(message), answer.answer_id)
        latency_ms = (time.perf_counter() - started) * 1000
        if self._recorder is not None:
            self._recorder.record_turn(message, answer, latency_ms, redacted_question=redacted_question)
        return answer

    def _knowledge(self, text: str, audience: str, language: str, country: str | None) -> PageAnswer:
        """The knowledge reply (from the asker's `country`'s section where a page has one per country); while the
        index cannot be searched, a reply saying so, and the rest of the pipeline (orders, small talk, a hand-off)
        still answers."""
        try:
            return self._pages.answer(text, audience=audience, language=language, country=country)
        except IndexUnavailableError as error:
            logger.warning("knowledge index unavailable, answering without it: %s", error)
            return PageAnswer.index_unavailable(language, str(error))

    def _with_profile(self, message: Message) -> Message:
        if self._directory is None:
            return message
        return replace(message, profile=self._directory.profile(message.asker))

    def close(self) -> None:
        self._workers.shutdown(wait=False, cancel_futures=True)
        if self._understander is not None:
            self._understander.close()

    def _understand_in_background(self, text: str) -> Future | None:
        if self._understander is None:
            return None
        # In a copy of the caller's context: what the worker logs carries the caller's request id.
        return self._workers.submit(contextvars.copy_context().run, self._understander.understand, text)

    def _collect(self, pending: Future | None) -> Understanding:
        if pending is None:
            return Understanding(degraded_reason=None)
        try:
            return pending.result(timeout=self._policy.nlu_wait_seconds)
        except FutureTimeout:
            pending.cancel()
            return Understanding(degraded_reason="NLU took too long")

    def _route(self, message: Message, text: str, language: str, knowledge: PageAnswer,
               understanding: Understanding) -> Answer:
        key = message.conversation_key
        degraded = (understanding.degraded_reason is not None and self._understander is not None) or \
            knowledge.unavailable is not None or knowledge.degraded_reason is not None
        awaiting = self._conversations.pending(key) is not None
        found = self._order_numbers_in(text, understanding, awaiting)
        decision = decide(
            self._policy,
            answerable=knowledge.answerable,
            intent=understanding.intent,
            confidence=understanding.confidence,
            order_number_found=bool(found.numbers or found.malformed),
            awaiting_order_number=awaiting,
            knowledge_confidence=knowledge.confidence,
            withheld=knowledge.withheld is not None,
            is_question=asks_question(text),
        )
        intent = understanding.intent
        if decision is Decision.ORDER_LOOKUP:
            return self._order_answer(key, found, language, understanding.confidence, degraded)
        if decision is Decision.ASK_ORDER_NUMBER:
            self._conversations.expect(key, PendingSlot(name="order_number", intent=Intent.ORDER_STATUS))
            return Answer(text=self._orders.ask_for_number(language), route=Route.ORDER_STATUS,
                          confidence=understanding.confidence, intent=intent, degraded=degraded,
                          follow_up="order_number", outcome=OrderOutcome.ASKED_FOR_NUMBER,
                          text_origin=TextOrigin.COMPANY)
        if decision is Decision.KNOWLEDGE_AND_ASK_ORDER_NUMBER:
            # The policy answers the question; the order it may be about is one message away.
            self._conversations.expect(key, PendingSlot(name="order_number", intent=Intent.ORDER_STATUS))
            return Answer(text=f"{knowledge.text}\n\n{self._orders.offer_look_up(language)}", route=Route.KNOWLEDGE,
                          confidence=knowledge.confidence, citations=knowledge.citations, intent=intent,
                          degraded=degraded, why=_why(knowledge), source_language=knowledge.source_language,
                          follow_up="order_number", text_origin=knowledge.text_origin)
        if decision is Decision.HANDOFF:
            return Answer(text=self._fixed_reply(intent, language), route=Route.HANDOFF,
                          confidence=understanding.confidence, intent=intent, gap=True,
                          gap_reason=GapReason.HANDOFF_REQUESTED, degraded=degraded, text_origin=REPLY_ORIGIN)
        if decision is Decision.NOT_HELPFUL:
            voted = self._vote_not_helpful(message, text)
            return Answer(text=NOT_HELPFUL_VOTED.get(language, NOT_HELPFUL_VOTED["en"]) if voted
                          else self._fixed_reply(intent, language), route=Route.SMALL_TALK,
                          confidence=understanding.confidence, intent=intent, degraded=degraded,
                          text_origin=REPLY_ORIGIN)
        if decision is Decision.SMALL_TALK:
            return Answer(text=self._fixed_reply(intent, language), route=Route.SMALL_TALK,
                          confidence=understanding.confidence, intent=intent, degraded=degraded,
                          text_origin=REPLY_ORIGIN)
        if decision is Decision.KNOWLEDGE:
            return Answer(text=knowledge.text, route=Route.KNOWLEDGE, confidence=knowledge.confidence,
                          citations=knowledge.citations, intent=intent, degraded=degraded, why=_why(knowledge),
                          source_language=knowledge.source_language, text_origin=knowledge.text_origin)
        if decision is Decision.OUT_OF_SCOPE:
            return Answer(text=self._fixed_reply(intent, language), route=Route.OUT_OF_SCOPE,
                          confidence=understanding.confidence, intent=intent, gap=True,
                          gap_reason=GapReason.OUT_OF_SCOPE, degraded=degraded, text_origin=REPLY_ORIGIN)
        return Answer(text=knowledge.text, route=Route.KNOWLEDGE, confidence=knowledge.confidence,
                      citations=knowledge.citations, intent=intent, gap=True,
                      gap_reason=_gap_reason(knowledge), degraded=degraded,
                      text_origin=knowledge.text_origin, withheld=knowledge.withheld)

    def _vote_not_helpful(self, message: Message, text: str) -> bool:
        """The asker's latest answer in this conversation gets a not-helpful vote, with what they said as its
        comment (redacted by the store); whether there was one to vote on."""
        previous = self._recent_answers.pop(_asker_in_conversation(message))
        if previous is None or self._recorder is None:
            return False
        try:
            self._recorder.record_feedback(previous, helpful=False, comment=text)
        except UnknownAnswerError as error:
            logger.info("the answer a complaint is about is gone, no vote recorded: %s", error)
            return False
        except InteractionStoreError as error:
            logger.warning("the vote a complaint casts could not be stored: %s", error)
            return False
        return True

    def _fixed_reply(self, intent: str | None, language: str) -> str:
        return reply_for(intent, language, order_example=self._orders.example_number)

    def _order_answer(self, key: str, found: FoundNumbers, language: str, confidence: float,
                      degraded: bool) -> Answer:
        """Look the numbers up; an outage is a gap (`order_system_unavailable`), an unknown number only an outcome.
        After a malformed number (or too many), the next message may be the number alone."""
        reply = self._orders.answer(found, language)
        if reply.wants_number:
            self._conversations.expect(key, PendingSlot(name="order_number", intent=Intent.ORDER_STATUS))
        else:
            self._conversations.clear(key)
        unavailable = reply.outcome is OrderOutcome.UNAVAILABLE
        return Answer(text=reply.text, route=Route.ORDER_STATUS, confidence=max(confidence, 0.9),
                      intent=Intent.ORDER_STATUS, degraded=degraded, outcome=reply.outcome, orders=list(reply.orders),
                      entities={"order_number": found.numbers[0]} if found.numbers else {}, gap=unavailable,
                      gap_reason=GapReason.ORDER_SYSTEM_UNAVAILABLE if unavailable else None,
                      text_origin=reply.text_origin)

    def _order_numbers_in(self, text: str, understanding: Understanding, awaiting: bool) -> FoundNumbers:
        """The order numbers typed in the message (a bare number too when the assistant just asked for one), and
        the one NLU recognised if the finder missed it; each checked against the pattern."""
        found = self._order_numbers.find_all(text, bare=awaiting)
        recognised = understanding.first(ORDER_NUMBER)
        canonical = self._order_numbers.canonical(recognised) if recognised else None
        if canonical is not None and canonical not in found.numbers:
            return FoundNumbers((*found.numbers, canonical), found.malformed)
        return found

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> FeedbackResult:
        """Record a vote on an answer; the result says whether the turn is now a gap."""
        if self._recorder is None:
            raise UnknownAnswerError(f"no answer {answer_id!r}: this assistant does not record turns")
        return self._recorder.record_feedback(answer_id, helpful, comment)

    def request_handoff(self, answer_id: str) -> HandoffRecord:
        """Someone asked for a person after this answer: record it as a gap and return the redacted question
        (the only form of it that may be forwarded to colleagues)."""
        if self._recorder is None:
            raise UnknownAnswerError(f"no answer {answer_id!r}: this assistant does not record turns")
        return self._recorder.record_handoff(answer_id)

    def request_notice(self, answer_id: str, *, asker: str, channel: str, address: dict[str, str] | None = None,
                       max_audience: str | None = None) -> NoticeRequest:
        """`asker` wants to be told, at `address` on `channel`, when the gap `answer_id` is answered. The notice
        will show only pages their audience (directory, capped by `max_audience`) may see. Raises
        `UnknownAnswerError`, or `NoticeNotPossibleError` when the answer is not an open gap."""
        if self._recorder is None:
            raise UnknownAnswerError(f"no answer {answer_id!r}: this assistant does not record turns")
        profile = self._directory.profile(asker) if self._directory is not None else AskerProfile()
        audience = capped_audience(profile.audience or self._default_audience, max_audience)
        return self._recorder.request_notice(answer_id, channel, address or {}, asker=asker, audience=audience.value)


REMEMBERED_ROUTES = frozenset({Route.KNOWLEDGE, Route.ORDER_STATUS})
"""Replies with content: a "that didn't help" soon after one is a not-helpful vote on it."""
RECENT_ANSWERS = 50_000
"""For how many askers at most each one's latest answer in a conversation is remembered (for as long as the
conversation's slots are: `ConversationSlots.ttl_seconds`)."""


def _asker_in_conversation(message: Message) -> str:
    """One asker's place in one conversation: in a shared thread, a complaint is about the complainer's own answer."""
    return f"{message.conversation_key}\x1f{message.asker}"


def _why(knowledge: PageAnswer) -> str | None:
    """The answering page's why line: the page the answer quotes (the first hit), and only for an answer."""
    return knowledge.hits[0].chunk.why if knowledge.answerable and knowledge.hits else None


def _gap_reason(knowledge: PageAnswer) -> GapReason:
    if knowledge.unavailable is not None:
        return GapReason.KNOWLEDGE_UNAVAILABLE
    if knowledge.withheld is not None:
        return GapReason.RESTRICTED
    if knowledge.amount_unstated:
        return GapReason.UNSTATED_AMOUNT
    return GapReason.LOW_CONFIDENCE if knowledge.hits else GapReason.NO_ANSWER
