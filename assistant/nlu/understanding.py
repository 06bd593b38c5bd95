"""What a message is about: the intent ensemble's intent, and Rasa's entities merged with spaCy's.

The intent comes from the ensemble (Rasa's ranking pooled with a dense classifier, see
`assistant.nlu.intent_ensemble`) when one is trained, else from Rasa alone. Rasa may be down,
slow or still starting; then the understanding says so (`degraded_reason`), the dense
classifier alone still gives the intent, and without it the pipeline answers from retrieval
alone. Order numbers are also found by the spaCy ruler, so an order question works without Rasa.

Rasa parses in its own process: while its answer is on the way, this process runs spaCy and embeds the message for
the dense classifier, so the two halves of the ensemble cost about the slower one's time rather than the sum.
"""

from __future__ import annotations

import contextvars
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.errors import NLUUnavailableError
from assistant.nlu.entities import ORDER_NUMBER, Entity, EntityExtractor, merge_entities
from assistant.nlu.intent_prediction import IntentPrediction
from assistant.nlu.intents import Intent
from assistant.nlu.result import NLUResult

logger = logging.getLogger(__name__)


class IntentParser(Protocol):
    """Rasa's parse endpoint behind the circuit breaker (or anything with the same shape)."""

    def parse(self, text: str) -> NLUResult: ...

    @property
    def degraded_reason(self) -> str | None: ...


class IntentClassifier(Protocol):
    """Classifies one text given Rasa's ranking for it (None while Rasa is unavailable): the intent ensemble.

    `embed` needs no ranking, so it can run while Rasa parses; `classify` takes its result as `vector`."""

    def embed(self, text: str) -> np.ndarray: ...

    def classify(self, text: str, rasa_ranking: list[tuple[str, float]] | None = None, *,
                 vector: np.ndarray | None = None) -> IntentPrediction: ...


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
    """Runs Rasa, the intent ensemble and the spaCy entity extractor and merges what they find."""

    def __init__(self, parser: IntentParser | None, extractor: EntityExtractor | None,
                 classifier: IntentClassifier | None = None) -> None:
        self._parser = parser
        self._extractor = extractor
        self._classifier = classifier
        # Threads that only wait for Rasa's HTTP reply; as many as the pipeline's NLU workers.
        self._waiters = ThreadPoolExecutor(max_workers=8, thread_name_prefix="rasa-parse")

    def understand(self, text: str) -> Understanding:
        pending = self._waiters.submit(contextvars.copy_context().run, self._parse, text)
        # Embed first: the question's redaction has usually started spaCy on the same text, and `extract` then
        # only collects that pass's entities.
        vector = self._classifier.embed(text) if self._classifier is not None else None
        spacy_entities = self._extractor.extract(text) if self._extractor is not None else []
        result, degraded_reason = pending.result()  # the parser has its own timeout (the circuit breaker's)
        entities = spacy_entities if result is None else merge_entities(_rasa_entities(result), spacy_entities)
        if self._classifier is not None:
            ranking = (result.ranking or [(result.intent, result.confidence)]) if result and result.intent else None
            intent, confidence = self._classifier.classify(text, ranking, vector=vector).routed(Intent.OUT_OF_SCOPE)
            return Understanding(intent, confidence, entities, degraded_reason)
        if result is None:
            return Understanding(entities=entities, degraded_reason=degraded_reason)
        return Understanding(intent=result.intent, confidence=result.confidence, entities=entities)

    def close(self) -> None:
        self._waiters.shutdown(wait=False, cancel_futures=True)

    def _parse(self, text: str) -> tuple[NLUResult | None, str | None]:
        """Rasa's result, or None with the reason it is unavailable."""
        if self._parser is None:
            return None, "no NLU server configured"
        try:
            return self._parser.parse(text), None
        except NLUUnavailableError as error:
            logger.warning("Rasa unavailable, routing on %s: %s",
                           "the dense intent classifier" if self._classifier else "retrieval alone", error)
            return None, str(error)


def _rasa_entities(result: NLUResult) -> list[Entity]:
    return [
        Entity(label=ORDER_NUMBER if e.label == "order_number" else e.label.upper(), value=e.value,
               start=e.start, end=e.end, source="rasa")
        for e in result.entities
    ]
