"""What a template shows of an answer: plain values only, with links kept to http(s) addresses."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from assistant.models import Answer, Citation
from assistant.orders.summary import OrderSummary


def safe_link(url: str | None) -> str | None:
    """`url` when it is an http(s) address; None otherwise (a `javascript:` link in a page must never be clickable)."""
    if not url:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in {"http", "https"} else None


@dataclass(frozen=True)
class SourceView:
    """One citation: the page title, where it lives (link or knowledge path), and its language when it is not the
    question's."""

    title: str
    path: str
    section: str
    href: str | None
    language: str | None = None

    @classmethod
    def of(cls, citation: Citation) -> SourceView:
        return cls(citation.title, citation.path, citation.section, safe_link(citation.url), citation.language)


@dataclass(frozen=True)
class OrderCardView:
    """A found order as a compact card: the lines Slack and Teams show (status, last change, dates or collection
    store, carrier and tracking, items and total, the customer masked), worded and masked by the order skill; the
    tracking link only when it is an http(s) address."""

    number: str
    status: str
    status_text: str
    facts: tuple[tuple[str, str], ...]
    next_step_label: str
    next_step: str | None
    tracking_label: str
    tracking_href: str | None

    @classmethod
    def of(cls, order: OrderSummary) -> OrderCardView:
        # The first fact is the status, already in the card's heading (as in the Slack and Teams cards).
        return cls(order.order_number, order.status, order.status_text,
                   tuple((fact.label, fact.value) for fact in order.facts[1:]), order.next_step_label,
                   order.next_step, order.tracking_label, safe_link(order.tracking_url))


@dataclass(frozen=True)
class AnswerView:
    """An answer as the console shows it (the template escapes every string)."""

    answer_id: str
    question: str
    text: str
    gap: bool
    degraded: bool
    why: str | None
    source_language: str | None
    route: str
    sources: tuple[SourceView, ...]
    orders: tuple[OrderCardView, ...] = ()

    @classmethod
    def of(cls, question: str, answer: Answer) -> AnswerView:
        return cls(answer.answer_id, question, answer.text, answer.gap, answer.degraded, answer.why,
                   answer.source_language, answer.route.value,
                   tuple(SourceView.of(citation) for citation in answer.citations),
                   tuple(OrderCardView.of(order) for order in answer.orders))
