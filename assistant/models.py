"""Domain models shared by the core and the connectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.orders.summary import OrderSummary


class Route(StrEnum):
    """Where the pipeline sent a message."""

    KNOWLEDGE = "knowledge"
    ORDER_STATUS = "order_status"
    SMALL_TALK = "small_talk"
    HANDOFF = "handoff"
    OUT_OF_SCOPE = "out_of_scope"


class GapReason(StrEnum):
    """Why a turn counts as a knowledge gap."""

    NO_ANSWER = "no_answer"
    LOW_CONFIDENCE = "low_confidence"
    UNSTATED_AMOUNT = "unstated_amount"
    """The question asks for an amount (a price, fee, rate) and the page it is about states none: the page is
    suggested, and adding the figure to it closes the gap."""
    OUT_OF_SCOPE = "out_of_scope"
    NEGATIVE_FEEDBACK = "negative_feedback"
    HANDOFF_REQUESTED = "handoff_requested"
    """Staff gave up on the assistant and asked for a person: the clearest friction signal there is."""
    ORDER_SYSTEM_UNAVAILABLE = "order_system_unavailable"
    """An order could not be looked up because the order system was down, slow or answered nonsense: friction
    staff felt, though no knowledge page can close it (gap rechecks leave it alone)."""
    RESTRICTED = "restricted"
    """The answer is on a page for a narrower audience than the asker's (a managers-only page asked about by staff):
    the knowledge exists, the asker may not read it. A recheck resolves it only when a page staff may read answers."""
    KNOWLEDGE_UNAVAILABLE = "knowledge_unavailable"
    """A knowledge question met an index that could not be searched (its Chroma server down): friction staff felt,
    though no page is missing (gap rechecks leave it alone)."""


class OrderOutcome(StrEnum):
    """What an order look-up came to; stored on the turn (`outcome`) so unknown numbers can be counted without
    being logged as knowledge gaps."""

    FOUND = "order_found"
    NOT_FOUND = "order_not_found"
    UNAVAILABLE = "order_system_unavailable"
    NOT_CONNECTED = "order_system_not_connected"
    MALFORMED = "order_number_malformed"
    TOO_MANY = "order_numbers_too_many"
    ASKED_FOR_NUMBER = "order_number_asked"


class TextOrigin(StrEnum):
    """What an answer's text is made of, set by the skill that wrote it; it decides how the text is redacted
    before it is stored (`assistant.interactions`).

    `FREE` text may hold anything, the asker's own words included, and goes through full redaction (the name
    recogniser too); it is the default, so an answer nobody vouched for is always treated that way. `COMPANY` text
    is only company pages and fixed wording, and `MASKED_ORDER` text an order summary whose customer details are
    already masked: both still pass the cheap pattern tier (emails, phones, cards, IBANs, cued names), never the
    name recogniser again.
    """

    FREE = "free"
    COMPANY = "company"
    MASKED_ORDER = "masked_order"


@dataclass(frozen=True)
class AskerProfile:
    """The groups an asker belongs to, from the staff directory: what reports may know, never the person."""

    team: str | None = None
    location: str | None = None
    role: str | None = None
    audience: str | None = None
    country: str | None = None
    """Where the asker works (a code of `assistant.countries`): which section of a page with one per country
    answers. Not a report group."""


@dataclass(frozen=True)
class Message:
    """One question from a member of staff, whatever channel it came through.

    `profile` is filled in by the pipeline from the staff directory; channels leave it empty.
    `audience` asks for a page audience; `max_audience` is the most the channel lets this caller
    see (an API key's role), whatever the request or the directory says. `country` asks for a country's section of
    pages with one per country (an agent serving a customer in another country), over the directory's.
    """

    text: str
    asker: str = "anonymous"
    channel: str = "api"
    thread: str | None = None
    language: str | None = None
    audience: str | None = None
    max_audience: str | None = None
    country: str | None = None
    profile: AskerProfile = field(default_factory=AskerProfile)

    @property
    def conversation_key(self) -> str:
        """Identifies the conversation this message belongs to (channel + thread, or user)."""
        return f"{self.channel}:{self.thread or self.asker}"


@dataclass(frozen=True)
class Document:
    """A knowledge page as loaded from disk."""

    path: str
    title: str
    body: str
    owner: str | None = None
    audience: str = "all"
    language: str = "en"
    tags: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    review_by: dt.date | None = None
    url: str | None = None
    values: tuple[str, ...] = ()
    """Slugs of the company values the page serves (`values:` in front matter; see `assistant.pages.values`)."""
    translation_of: str | None = None
    """The page (path under the knowledge directory) this one covers in another language (`translation_of:`):
    the two are one topic, so a question asked in either language is answered from the page in its own."""
    warnings: tuple[str, ...] = ()
    """Front-matter defects that did not stop the page loading (the field concerned was left out); each starts with
    the field's name."""


@dataclass(frozen=True)
class Chunk:
    """A section-sized piece of a document, the unit that is embedded and retrieved."""

    chunk_id: str
    path: str
    title: str
    section: str
    text: str
    content_hash: str
    owner: str | None = None
    audience: str = "all"
    language: str = "en"
    url: str | None = None
    kind: str = "section"
    parent_id: str | None = None
    why: str | None = None
    """The page's "why" line (the first value it serves, quoted from the purpose page), or None."""
    translation_of: str | None = None
    """The page's `translation_of` link (`Document.translation_of`), or None."""
    position: int | None = None
    """The passage's place in its page (0 first); a window has its passage's. None for a page card or a phrasing,
    and for chunks indexed before positions were kept (chunk ids are digests, so they say nothing of order)."""

    @property
    def embedding_text(self) -> str:
        """The text given to the embedding model: the section path gives it context."""
        heading = f"{self.title} > {self.section}" if self.section else self.title
        return f"{heading}\n{self.text}"


@dataclass(frozen=True)
class SearchHit:
    """A chunk returned by search, with its fused score and the scores behind it."""

    chunk: Chunk
    score: float
    dense_score: float = 0.0
    lexical_score: float = 0.0


@dataclass(frozen=True)
class Citation:
    """A source shown with an answer."""

    title: str
    path: str
    section: str
    score: float
    url: str | None = None
    language: str | None = None
    """Set only on a cross-lingual suggestion: a page in another language than the question's that a held-back
    reply suggests (`PageAnswerSkill`), to that page's language. Channels show it beside the title."""


@dataclass
class Answer:
    """What the assistant replies, with everything the connectors and the gap log need."""

    text: str
    route: Route
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    intent: str | None = None
    gap: bool = False
    gap_reason: GapReason | None = None
    follow_up: str | None = None
    """The slot the assistant now expects in the next message of the conversation (`order_number`); the sentence
    asking for it is already in `text`, so channels do not show this name."""
    answer_id: str = ""
    degraded: bool = False
    entities: dict[str, str] = field(default_factory=dict)
    why: str | None = None
    """One line on the purpose behind the policy: the value the answering page serves, quoted from the purpose
    page. Only answers (never gaps) from a page that names a value have one."""
    source_language: str | None = None
    """The answering page's language when it is not the question's: the reply quotes it and says so."""
    outcome: OrderOutcome | None = None
    """For order-status turns, what the look-up came to (found, unknown number, system down, ...)."""
    orders: list[OrderSummary] = field(default_factory=list)
    """The orders an order-status answer found, masked and worded, for channels to show as cards. Never stored."""
    text_origin: TextOrigin = TextOrigin.FREE
    """What `text` is made of (see `TextOrigin`); a skill that sets anything but `FREE` vouches that the text
    quotes nothing the asker typed."""
    withheld: Citation | None = None
    """A `restricted` gap's answering page, which the asker may not read: stored with the turn for the gap report,
    never shown by a channel."""

    @property
    def citations_heading(self) -> str:
        """How channels label `citations`: a gap's are only the nearest page, not the sources of an answer."""
        return "May help" if self.gap else "Sources"
