"""Answers questions from the knowledge base, with citations and an answerability decision."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answering.answerability import AnswerabilityModel, answerability_features
from assistant.answering.composer import citations_for, not_known_reply, short_answer
from assistant.models import Citation, SearchHit
from assistant.retrieval.search import HybridSearcher, SearchFilters, SearchMode, SearchResult

AUDIENCE_SCOPE = {
    "all": ("all",),
    "staff": ("all", "staff"),
    "managers": ("all", "staff", "managers"),
}


@dataclass
class KnowledgeAnswer:
    """A knowledge reply before it becomes an `Answer`: text, sources and how sure we are."""

    text: str
    citations: list[Citation]
    confidence: float
    answerable: bool
    hits: list[SearchHit] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)


class KnowledgeSkill:
    """Search, decide, compose."""

    def __init__(self, searcher: HybridSearcher, answerability: AnswerabilityModel, top_k: int = 5) -> None:
        self._searcher = searcher
        self._answerability = answerability
        self._top_k = top_k

    @property
    def searcher(self) -> HybridSearcher:
        return self._searcher

    @property
    def answerability(self) -> AnswerabilityModel:
        return self._answerability

    def search(self, text: str, audience: str, language: str | None,
               mode: SearchMode = SearchMode.HYBRID) -> tuple[SearchResult, float]:
        """Search in the asker's language first, then in every language if that finds nothing usable."""
        audiences = AUDIENCE_SCOPE.get(audience, AUDIENCE_SCOPE["staff"])
        languages = self._searcher.index.snapshot().languages
        attempts = []
        if language and language in languages and len(languages) > 1:
            attempts.append(SearchFilters(audiences=audiences, languages=(language,)))
        attempts.append(SearchFilters(audiences=audiences))
        best: tuple[SearchResult, float] | None = None
        for filters in attempts:
            result = self._searcher.search(text, filters, limit=max(self._top_k, 10), mode=mode)
            probability = self._answerability.probability(answerability_features(result))
            if best is None or probability > best[1] + 0.1:
                best = (result, probability)
            if self._answerability.answerable(probability):
                break
        assert best is not None
        return best

    def answer(self, text: str, audience: str = "staff", language: str | None = None) -> KnowledgeAnswer:
        result, probability = self.search(text, audience, language)
        features = answerability_features(result)
        if not result.hits or not self._answerability.answerable(probability):
            nearest = result.hits[0] if result.hits else None
            reply_language = language or (nearest.chunk.language if nearest else "en")
            return KnowledgeAnswer(
                text=not_known_reply(nearest, reply_language),
                citations=[],
                confidence=round(probability, 4),
                answerable=False,
                hits=result.hits,
                features=features,
            )
        top = result.hits[0]
        return KnowledgeAnswer(
            text=short_answer(result, top),
            citations=citations_for(result.hits[: self._top_k]),
            confidence=round(probability, 4),
            answerable=True,
            hits=result.hits,
            features=features,
        )
