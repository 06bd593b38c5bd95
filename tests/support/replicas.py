"""One replica of the assistant for the tests of what replicas share: its own interaction store (its own engine)
over a database other replicas use too, and a light pipeline with conversation slots in that database's shared
state. The knowledge and the NLU are small stand-ins; the store, the shared state and the order system are real."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.circuit_breaker import CircuitBreaker
from assistant.conversation_slots import ConversationSlots
from assistant.interactions import InteractionStore
from assistant.interactions.shared_state import DatabaseSharedState
from assistant.models import Citation
from assistant.nlu.result import NLUResult
from assistant.nlu.understanding import Understander
from assistant.order_numbers import OrderNumberFinder
from assistant.pipeline import Assistant
from assistant.privacy import Redactor
from assistant.routing import RoutingPolicy
from assistant.skills.orders import OrdersSkill
from assistant.skills.page_answers import PageAnswer
from connectors.sources.orders.guarded import GuardedOrderSource
from connectors.sources.orders.http_source import HttpOrderSource, HttpTimeouts

PROMISE = "We promise every customer an answer the same day."


class PromisePage:
    """The knowledge skill with one page: every question in words is answered from the customer promise (a bare
    number is not, as no page would answer it)."""

    def answer(self, text: str, *, audience: object, language: str, country: str | None = None) -> PageAnswer:
        citation = Citation(title="Customer promise", path="en/customers/promise.md", section="", score=0.9)
        if not any(ch.isalpha() for ch in text):
            return PageAnswer(text="I don't know yet.", citations=[], confidence=0.0, answerable=False)
        return PageAnswer(text=PROMISE, citations=[citation], confidence=0.9, answerable=True)


class OrderWords:
    """A stand-in for Rasa: order words mean `order_status`, anything else is no intent."""

    def parse(self, text: str) -> NLUResult:
        if any(word in text.lower() for word in ("order", "ordine", "parcel")):
            return NLUResult("order_status", 0.95)
        return NLUResult(None, 0.0)


@dataclass
class Replica:
    """A replica's own store, shared state (same database as the others) and pipeline."""

    store: InteractionStore
    state: DatabaseSharedState
    assistant: Assistant

    def close(self) -> None:
        self.assistant.close()
        self.store.close()


def start_replica(database_url: str, orders_url: str | None = None) -> Replica:
    store = InteractionStore(database_url, Redactor(use_ner=False), salt="one salt for every replica")
    state = store.shared_state()
    finder = OrderNumberFinder()
    source = None
    if orders_url is not None:
        rest = HttpOrderSource(orders_url, timeouts=HttpTimeouts(retries=1), sleep=lambda seconds: None)
        source = GuardedOrderSource(rest, CircuitBreaker("orders", failure_threshold=5))
    assistant = Assistant(PromisePage(), store, understander=Understander(OrderWords(), None),
                          orders=OrdersSkill(source, finder=finder), order_numbers=finder,
                          conversations=ConversationSlots(900, state=state),
                          policy=RoutingPolicy(nlu_wait_seconds=5.0))
    return Replica(store, state, assistant)
