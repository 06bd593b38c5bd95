"""What a message is about: Rasa's intent and entities merged with spaCy's entities.

Rasa may be down, slow or still starting; then the understanding says so (`degraded_reason`)
and the pipeline answers from retrieval alone. Order numbers are also found by the spaCy
ruler, so an order question still works without Rasa.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from assistant.errors import NLUUnavailableError
from assistant.nlu.entities import ORDER_NUMBER, Entity, EntityExtractor, merge_entities
from assistant.nlu.result import NLUResult

logger = logging.getLogger(__name__)


class IntentParser(Protocol):
    """Rasa's parse endpoint behind the circuit breaker (or anything with the same shape)."""

    def parse(self, text: str) -> NLUResult: ...

    @property
    def degraded_reason(self) -> str | None: ...


@dataclass(frozen=True)
class Understanding:
    """The intent (None when unknown), its confidence, the entities, and why NLU was unavailable."""

    intent: str | None = None
    confidence: float = 0.0
    entities: list[Entity] = field(default_factory=list)
    degraded_reason: str | None = None

    def first(self, label: str) -> str | None:
        return next((entity.value for entity in self.entities if entity.label == label), None)


class Understander:
    """Runs Rasa and the spaCy entity extractor and merges what they find."""

    def __init__(self, parser: IntentParser | None, extractor: EntityExtractor | None) -> None:
        self._parser = parser
        self._extractor = extractor

    def understand(self, text: str) -> Understanding:
        spacy_entities = self._extractor.extract(text) if self._extractor is not None else []
        if self._parser is None:
            return Understanding(entities=spacy_entities, degraded_reason="no NLU server configured")
        try:
            result = self._parser.parse(text)
        except NLUUnavailableError as error:
            logger.warning("NLU unavailable, answering from retrieval: %s", error)
            return Understanding(entities=spacy_entities, degraded_reason=str(error))
        rasa_entities = [
            Entity(label=ORDER_NUMBER if e.label == "order_number" else e.label.upper(), value=e.value,
                   start=e.start, end=e.end, source="rasa")
            for e in result.entities
        ]
        return Understanding(
            intent=result.intent,
            confidence=result.confidence,
            entities=merge_entities(rasa_entities, spacy_entities),
        )
