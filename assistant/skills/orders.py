"""Order status: looks orders up in the system of record and says where they are, in words staff can repeat."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import (
    InvalidOrderNumberError,
    OrderNotFoundError,
    OrderSourceUnavailableError,
)
from assistant.models import OrderOutcome, TextOrigin
from assistant.order_numbers import FoundNumbers, OrderNumberFinder
from assistant.orders import wording as w
from assistant.orders.describe import OrderDescriber
from assistant.orders.model import OrderStatus
from assistant.orders.source import OrderSource
from assistant.orders.summary import OrderSummary

__all__ = ["OrderReply", "OrderSource", "OrderStatus", "OrdersSkill"]

DEFAULT_MAX_NUMBERS = 3
SHOWN_NUMBERS = 10
"""A message with more numbers than this lists only the first ones when asking which to check."""

_PRIORITY = (OrderOutcome.UNAVAILABLE, OrderOutcome.NOT_CONNECTED, OrderOutcome.NOT_FOUND, OrderOutcome.FOUND)


@dataclass(frozen=True)
class OrderReply:
    """The answer to an order question: its text, what happened (`outcome`) and the orders found (masked)."""

    text: str
    outcome: OrderOutcome
    orders: tuple[OrderSummary, ...] = ()

    @property
    def text_origin(self) -> TextOrigin:
        """`MASKED_ORDER` (fixed wording, validated numbers and masked summaries), except for a malformed number,
        whose reply quotes what was typed and so is `FREE` text."""
        return TextOrigin.FREE if self.outcome is OrderOutcome.MALFORMED else TextOrigin.MASKED_ORDER

    @property
    def found(self) -> bool:
        return self.outcome is OrderOutcome.FOUND

    @property
    def wants_number(self) -> bool:
        """The reply asks for a (valid, single) number, so the next message may be the number alone."""
        return self.outcome in (OrderOutcome.MALFORMED, OrderOutcome.TOO_MANY)


class OrdersSkill:
    """Answers order-status questions from an `OrderSource` (or says honestly that none is connected).

    Up to `max_numbers` numbers in one message are each answered; beyond that it asks which ones. Every number is
    validated against the order-number pattern before the source sees it.
    """

    def __init__(self, source: OrderSource | None, *, finder: OrderNumberFinder | None = None,
                 describer: OrderDescriber | None = None, max_numbers: int = DEFAULT_MAX_NUMBERS) -> None:
        self._source = source
        self._finder = finder or OrderNumberFinder()
        self._describer = describer or OrderDescriber()
        self._max_numbers = max_numbers

    @property
    def source(self) -> OrderSource | None:
        return self._source

    @property
    def example_number(self) -> str:
        """A number in the configured format, for replies that ask for one."""
        return self._finder.example

    def ask_for_number(self, language: str) -> str:
        return w.pick(w.ASK_NUMBER, language).format(example=self._finder.example)

    def offer_look_up(self, language: str) -> str:
        """The line after a knowledge answer to an order question: send a number and the order is looked up."""
        return w.pick(w.OFFER_LOOK_UP, language).format(example=self._finder.example)

    def answer(self, found: FoundNumbers, language: str) -> OrderReply:
        """The reply to the numbers (and malformed numbers) found in one message."""
        language = language if language in w.LANGUAGES else "en"
        if not found.numbers:
            shown = found.malformed[0] if found.malformed else "?"
            return OrderReply(self._malformed_text(shown, language), OrderOutcome.MALFORMED)
        if len(found.numbers) > self._max_numbers:
            shown = ", ".join(found.numbers[:SHOWN_NUMBERS]) + (", …" if len(found.numbers) > SHOWN_NUMBERS else "")
            text = w.pick(w.WHICH_ONE, language).format(count=len(found.numbers), numbers=shown,
                                                        limit=self._max_numbers)
            return OrderReply(text, OrderOutcome.TOO_MANY)
        replies = [self.status(number, language) for number in found.numbers]
        outcome = next(outcome for outcome in _PRIORITY if any(reply.outcome is outcome for reply in replies))
        return OrderReply("\n\n---\n\n".join(reply.text for reply in replies), outcome,
                          tuple(order for reply in replies for order in reply.orders))

    def status(self, order_number: str, language: str) -> OrderReply:
        """The reply about one order number."""
        language = language if language in w.LANGUAGES else "en"
        try:
            number = self._finder.validated(order_number)
        except InvalidOrderNumberError as error:
            return OrderReply(self._malformed_text(error.shown, language), OrderOutcome.MALFORMED)
        if self._source is None:
            return OrderReply(w.pick(w.NOT_CONNECTED, language).format(number=number), OrderOutcome.NOT_CONNECTED)
        try:
            order = self._source.lookup(number)
        except OrderNotFoundError:
            text = w.pick(w.NOT_FOUND, language).format(number=number, example=self._finder.example)
            return OrderReply(text, OrderOutcome.NOT_FOUND)
        except OrderSourceUnavailableError:
            return OrderReply(w.pick(w.UNAVAILABLE, language).format(number=number), OrderOutcome.UNAVAILABLE)
        summary = self._describer.summary(order, language)
        return OrderReply(self._describer.text(summary, order), OrderOutcome.FOUND, (summary,))

    def _malformed_text(self, shown: str, language: str) -> str:
        return w.pick(w.MALFORMED, language).format(number=shown, example_format=self._finder.describe_format(language),
                                                    example=self._finder.example)
