"""Answers questions from the knowledge base, with citations and an answerability decision."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from assistant.access import AUDIENCE_ORDER, Audience, visible_audiences
from assistant.answering.answerability import AnswerabilityModel, answerability_features
from assistant.answering.asked_amount import misses_asked_amount
from assistant.answering.composer import (
    SURE_CONFIDENCE,
    citations_for,
    citations_in_country,
    hedged,
    not_known_reply,
    other_country_note,
    quote_passage,
    text_passage,
)
from assistant.answering.crosslingual_answer import (
    CONFIDENT_NATIVE_LEAD,
    MIN_CONTENT_WORDS,
    SUGGESTED_ACROSS,
    SUGGESTION_LEAD,
    CrosslingualChoice,
    choose,
    crosslingual_reply,
    quoted_from,
    suggestions,
    suggestions_line,
)
from assistant.answering.heading_match import HeadingMatch, heading_match, purpose_match
from assistant.answering.kb_calibration import CalibrationStore, KnowledgeBaseCalibration, ensure_calibrated
from assistant.answering.restricted import restricted_reply
from assistant.answering.vote_prior import VotePrior
from assistant.countries import asker_country
from assistant.errors import CrosslingualIndexWarmingError
from assistant.models import Citation, SearchHit, TextOrigin
from assistant.retrieval.crosslingual import (
    CrosslingualHit,
    CrosslingualResult,
    CrosslingualSearcher,
    MultilingualReading,
)
from assistant.retrieval.search import HybridSearcher, SearchFilters, SearchMode, SearchResult
from assistant.retrieval.text_analysis import content_words


@dataclass
class PageAnswer:
    """A knowledge reply before it becomes an `Answer`: text, sources and how sure we are."""

    text: str
    citations: list[Citation]
    confidence: float
    answerable: bool
    hits: list[SearchHit] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    source_language: str | None = None
    """Set when the answer comes from a page in another language than the question's (and says so)."""
    text_origin: TextOrigin = TextOrigin.FREE
    """`COMPANY` when `text` is only page text and fixed wording (every reply this skill composes)."""
    unavailable: str | None = None
    """Why the knowledge could not be searched at all (its index's server is down); the text says so."""
    degraded_reason: str | None = None
    """Why part of the search was skipped (the cross-lingual index is still being built): the reply is what the
    rest found."""
    withheld: Citation | None = None
    """The page that answers the question for a narrower audience than the asker's (a managers-only page asked
    about by staff): the reply says such guidance exists and shows none of it; the page is kept with the gap."""
    amount_unstated: bool = False
    """Held back because the question asks for an amount its page does not state (`asked_amount`): the page is
    suggested, and the gap says what it lacks."""

    @classmethod
    def index_unavailable(cls, language: str, reason: str) -> PageAnswer:
        """The reply to a knowledge question while the index cannot be searched: no answer, and no gap in the
        knowledge either."""
        text = UNAVAILABLE_REPLIES.get(language, UNAVAILABLE_REPLIES["en"])
        return cls(text=text, citations=[], confidence=0.0, answerable=False, text_origin=TextOrigin.COMPANY,
                   unavailable=reason)


UNAVAILABLE_REPLIES = {
    "en": "I can't search the company knowledge just now: its index isn't answering. Please try again in a minute. "
          "Order numbers and asking for a person still work.",
    "it": "In questo momento non riesco a cercare nelle conoscenze dell'azienda: l'indice non risponde. Riprova tra "
          "un minuto. I numeri d'ordine e la richiesta di parlare con una persona funzionano ancora.",
}


@dataclass(frozen=True)
class AnswerDecision:
    """One search result decided (`PageAnswerSkill.decision`): answered or held back, and from which passage."""

    result: SearchResult
    """The search's result, its hits re-ordered: a named page first, or the answering passage leading its page."""
    probability: float
    """The answerability the reply states (raised to the threshold for a named heading)."""
    named: HeadingMatch | None
    answers: bool
    amount_unstated: bool = False
    """Held back because the passage states no amount the question asks for."""


SUGGESTED_PAGES = 1
DEFAULT_SUGGESTION_FLOOR = 0.2
"""On the 156 handbook and company questions, 14 of the 16 below 0.2 had no answer in the knowledge; of the
answerable ones between 0.2 and the threshold, the first page was the right one for 12 of 15."""


class PageAnswerSkill:
    """Search, decide, compose.

    Above the answerability threshold but under `sure_confidence` the answer opens with a line saying it may not
    answer the question (a heading match never does). Below the threshold the reply is an honest "I don't know yet";
    when the answerability is still at least `suggestion_floor`, it links the nearest page as one that may help and
    names its owner, because that page is usually the right one even when the answer is not certain. In a knowledge
    base in several languages, above the same floor, it also links up to `crosslingual_suggestions` pages in the
    other languages that stand near the own language's best in the multilingual space (`suggestion_lead`), each
    cited with its language, and says in the asker's language that they are in English (or Italian) and may answer
    it.

    With a `crosslingual` searcher and a knowledge base in several languages, a page in another language than the
    question's answers when it stands level with the best page in the question's own language in the multilingual
    space (`assistant.answering.crosslingual_answer`): the reply, in the asker's language, says so and quotes it.
    In the main embedding model's `native_languages` a confident own-language answer is kept: there the hybrid
    search is the better judge (on the company questions, crossing over it lost a right English answer).

    `votes` re-orders the pages search found by the votes on similar questions; `crosslingual_votes` does the same
    for each language's pages in the multilingual space before languages are compared (`VotePrior.rerank_across`).
    """

    def __init__(self, searcher: HybridSearcher, answerability: AnswerabilityModel, top_k: int = 5,
                 suggestion_floor: float = DEFAULT_SUGGESTION_FLOOR,
                 crosslingual: CrosslingualSearcher | None = None,
                 native_languages: tuple[str, ...] = ("en",), votes: VotePrior | None = None,
                 calibrations: CalibrationStore | None = None, crosslingual_suggestions: int = SUGGESTED_ACROSS,
                 suggestion_lead: float = SUGGESTION_LEAD,
                 confident_native_lead: float | None = CONFIDENT_NATIVE_LEAD,
                 crosslingual_votes: VotePrior | None = None, sure_confidence: float = SURE_CONFIDENCE) -> None:
        self._sure_confidence = sure_confidence  # under it an answer says it may not answer (`hedged`)
        self._confident_native_lead = confident_native_lead
        self._crosslingual_votes = crosslingual_votes  # the same, in the multilingual space (`rerank_across`)
        self._multilingual_reading = True  # see `_reading`
        self._crosslingual_suggestions = crosslingual_suggestions
        self._suggestion_lead = suggestion_lead
        self._votes = votes  # re-orders the pages search found by similar questions' votes (vote_prior.py)
        self._searcher = searcher
        self._answerability = answerability
        self._top_k = top_k
        self._suggestion_floor = suggestion_floor
        self._crosslingual = crosslingual
        self._native_languages = native_languages
        self._calibrations = calibrations

    @property
    def searcher(self) -> HybridSearcher:
        return self._searcher

    @property
    def answerability(self) -> AnswerabilityModel:
        return self._answerability

    @property
    def calibrations(self) -> CalibrationStore | None:
        """Each index generation's answerability calibration (None: the shipped model decides alone)."""
        return self._calibrations

    def calibrate(self) -> KnowledgeBaseCalibration | None:
        """Calibrate the answerability decision for the index generation now active, once per generation (None
        without a calibration store). Probes are searched with every page visible, as managers see them."""
        if self._calibrations is None:
            return None
        return ensure_calibrated(
            self._searcher.index.snapshot(), self._calibrations,
            lambda texts, languages: [result for result, _ in self.search_many(texts, Audience.MANAGERS, languages,
                                                                               phrasings=False)],
            self._answerability)

    def probability(self, result: SearchResult) -> float:
        """The answerability of `result`, shifted by its index generation's calibration when there is one."""
        shift = self._calibrations.shift(result.snapshot.name) if self._calibrations is not None else 0.0
        return self._answerability.probability(answerability_features(result), shift)

    def decide(self, result: SearchResult, probability: float) -> tuple[float, HeadingMatch | None]:
        """The probability the reply states, and the heading the question names: a question naming the best
        page's title or a heading is answered from that page whatever its probability (`heading_match`)."""
        named = heading_match(result) or purpose_match(result)
        if named is not None:
            probability = max(probability, self._answerability.threshold)
        return probability, named

    def decision(self, result: SearchResult, probability: float,
                 reading: MultilingualReading | None = None) -> AnswerDecision:
        """Whether `result` is answered, and from which passage: what the reply does and `eval retrieval` counts.

        A question naming a heading is answered from it (`decide`). Otherwise the page stays search's choice, and
        which of its passages answers is the multilingual model's `reading`, or the passage whose own text scores
        best (not the one a phrasing spoke for); a question asking for an amount that passage does not state is
        held back (`asked_amount`).
        """
        probability, named = self.decide(result, probability)
        if named is not None:
            # Its page leads the hits (once: hits hold one passage per page), the others follow in their order.
            result = replace(result, hits=[named.hit, *(hit for hit in result.hits
                                                        if hit.chunk.path != named.hit.chunk.path)])
        if not result.hits or not self._answerability.answerable(probability):
            return AnswerDecision(result, probability, named, answers=False)
        if named is not None:
            return AnswerDecision(result, probability, named, answers=True)
        top = result.hits[0]
        read = _as_read(top, reading) if reading is not None else text_passage(result, top)
        if read is not top:
            result = replace(result, hits=[read, *result.hits[1:]])
        # A near miss: the page is about the question but states no amount, which the question asks for.
        unstated = misses_asked_amount(result.query, read.chunk.text)
        return AnswerDecision(result, probability, None, answers=not unstated, amount_unstated=unstated)

    def search(self, text: str, audience: str, language: str | None,
               mode: SearchMode = SearchMode.HYBRID) -> tuple[SearchResult, float]:
        """Search in the asker's language first, then in every language if that finds nothing usable."""
        languages = self._searcher.index.snapshot().languages
        return self._best_attempt(
            lambda filters: self._searcher.search(text, filters, limit=max(self._top_k, 10), mode=mode),
            audience, language, languages)

    def _best_attempt(self, run: Callable[[SearchFilters], SearchResult], audience: str, language: str | None,
                      languages: frozenset[str]) -> tuple[SearchResult, float]:
        audiences = visible_audiences(audience)
        attempts = []
        if language and language in languages and len(languages) > 1:
            attempts.append(SearchFilters(audiences=audiences, languages=(language,)))
        attempts.append(SearchFilters(audiences=audiences))
        best: tuple[SearchResult, float] | None = None
        for filters in attempts:
            result = run(filters)
            probability = self.probability(result)
            if best is None or probability > best[1] + 0.1:
                best = (result, probability)
            if self._answerability.answerable(probability):
                break
        assert best is not None
        return best

    @property
    def crosslingual(self) -> CrosslingualSearcher | None:
        return self._crosslingual

    def without_crosslingual_suggestions(self) -> PageAnswerSkill:
        """This skill as it was before held-back replies suggested pages in other languages (benchmarks compare)."""
        plain = copy.copy(self)
        plain._crosslingual_suggestions = 0
        return plain

    def with_crosslingual(self, crosslingual: CrosslingualSearcher | None) -> PageAnswerSkill:
        """This skill with another cross-lingual searcher (benchmarks compare rankings; None: no comparison)."""
        other = copy.copy(self)
        other._crosslingual = crosslingual
        return other

    def without_multilingual_reading(self) -> PageAnswerSkill:
        """This skill quoting every language's answers as the main model reads them (benchmarks compare)."""
        plain = copy.copy(self)
        plain._multilingual_reading = False
        return plain

    def without_votes(self) -> PageAnswerSkill:
        """This skill with the same collaborators and settings, but no vote prior."""
        unvoted = copy.copy(self)
        unvoted._votes = None
        unvoted._crosslingual_votes = None
        return unvoted

    def answer(self, text: str, audience: str = "staff", language: str | None = None,
               country: str | None = None) -> PageAnswer:
        """The reply to one question from an asker of `audience`. When no page they may read answers it but one
        for a narrower audience does, the reply says so (`withheld`) instead of "I don't know". `country` is where
        the asker works, from the staff directory (`assistant.countries`): a page with a section per country
        answers from theirs; without it, the question's language may say (Italian: Italy)."""
        result, probability = self.search(text, audience, language)
        reply = self._reply(text, audience, language, result, probability,
                            country=asker_country(country, language))
        if reply.answerable or reply.degraded_reason is not None:
            return reply
        withheld = self._withheld(text, audience, language)
        if withheld is None:
            return reply
        return replace(reply, text=restricted_reply(withheld, language or withheld.chunk.language or "en"),
                       citations=[], text_origin=TextOrigin.COMPANY, withheld=citations_for([withheld], limit=1)[0])

    def _withheld(self, text: str, audience: str, language: str | None) -> SearchHit | None:
        """The page that answers `text` for the widest audience when `audience` may not read it; else None."""
        widest = AUDIENCE_ORDER[-1]
        present = self._searcher.index.snapshot().audiences
        visible = visible_audiences(audience)
        if Audience(audience) is widest or (present is not None and present <= set(visible)):
            return None  # nothing in this index is hidden from the asker: no second search
        result, probability = self.search(text, widest.value, language)
        # The whole reply, so a page in another language (found across languages) counts too.
        wider = self._reply(text, widest.value, language, result, probability)
        if not wider.answerable or not wider.hits:
            return None
        top = wider.hits[0]
        return None if top.chunk.audience in visible else top

    def _reply(self, text: str, audience: str, language: str | None, result: SearchResult,
               probability: float, wait: bool | None = None, country: str | None = None) -> PageAnswer:
        """From a page in another language when one answers better (`_across_languages`), else from `result`; a
        held-back reply also suggests the other languages' nearest pages. While the cross-lingual index is being
        built in the background (and `wait` is not True), the reply is `result`'s, marked degraded unless it is a
        confident answer in a native language (only a clear lead elsewhere would have overruled it)."""
        confident = self._confident_native(language, result, probability)
        try:
            searched = self._other_languages(text, audience, language, result, confident, wait)
        except CrosslingualIndexWarmingError as warming:
            reply = self._compose(result, probability, language, country=country)
            return reply if confident else replace(reply, degraded_reason=str(warming))
        crossed = self._across_languages(language, searched, confident)
        if crossed is not None:
            return self._compose_crossed(crossed, result, language, self._reading(text, result), country=country)
        elsewhere = suggestions(*searched, min_lead=self._suggestion_lead, limit=self._crosslingual_suggestions) \
            if searched is not None and self._crosslingual_suggestions > 0 else []
        # Only a question in a language the main model reads poorly is quoted as the multilingual model reads it.
        reads_poorly = language is not None and language not in self._native_languages
        reading = self._reading(text, result) if reads_poorly else None
        own = self._compose(result, probability, language, elsewhere, reading, country)
        overruling = overruling_choice(own, searched)
        if overruling is None:
            return own
        # Stated as sure as the own-language answer it replaces: the page passed no paraphrase gate of its own.
        return self._compose_crossed(overruling, result, language, reading or self._reading(text, result),
                                     confidence=own.confidence, country=country)

    def _reading(self, text: str, result: SearchResult) -> MultilingualReading | None:
        """The multilingual model's reading of the question (which passage of the answering page, and which of its
        windows, to quote); None when it is switched off, or while the cross-lingual index is not built."""
        if not self._multilingual_reading or self._crosslingual is None:
            return None
        return self._crosslingual.reading(text, result.snapshot)

    def _other_languages(self, text: str, audience: str, language: str | None, own_search: SearchResult,
                         confident: bool, wait: bool | None = None
                         ) -> tuple[CrosslingualResult, list[CrosslingualResult]] | None:
        """The question in the multilingual space: its own language's pages, and each other language's apart.

        None when there is nothing to compare: no cross-lingual searcher or one language only, too few words, or a
        `confident` answer in a language the main model reads well when such answers are never compared
        (`confident_native_lead` None).
        """
        snapshot = own_search.snapshot
        if self._crosslingual is None or language is None or language not in snapshot.languages:
            return None
        if len(content_words(text)) < MIN_CONTENT_WORDS:
            return None
        if confident and self._confident_native_lead is None:
            return None
        results = self._crosslingual.search(text, visible_audiences(audience), snapshot=snapshot, wait=wait,
                                            asked_in=language)
        if self._crosslingual_votes is not None:
            results = [self._crosslingual_votes.rerank_across(result) for result in results]
        own = next((result for result in results if result.language == language), None)
        if own is None or not own.hits:
            return None
        return own, [result for result in results if result.language != language]

    def _confident_native(self, language: str | None, result: SearchResult, probability: float) -> bool:
        """Whether `result` answers a question asked in one of the main model's native languages."""
        return language in self._native_languages and self._answerability.answerable(self.decide(result,
                                                                                                  probability)[0])

    def _across_languages(self, language: str | None,
                          searched: tuple[CrosslingualResult, list[CrosslingualResult]] | None,
                          confident: bool = False) -> CrosslingualChoice | None:
        """The other language's page that answers, when one stands level with the question's own language's best.

        In a language the main model reads well its own search is trusted more: a confident answer is kept
        (`_other_languages`), and another language's page must lead the own language's best outright, not merely
        stand level with it.
        """
        if searched is None:
            return None
        choice = choose(*searched)
        if choice is None or not choice.answers:
            return None
        if language in self._native_languages:
            required = self._confident_native_lead if confident else 0.0
            if required is None or choice.lead < required:
                return None
        return choice

    def _compose_crossed(self, choice: CrosslingualChoice, result: SearchResult, language: str | None,
                         reading: MultilingualReading | None = None, confidence: float | None = None,
                         country: str | None = None) -> PageAnswer:
        """The answer from another language's page: the passage and windows e5 reads as closest to the question
        (as for a reply in a language the main model reads poorly), quoted under a line saying where they are from.
        `confidence` is what the reply states (the choice's own, from its lead, when None)."""
        stated = choice.confidence if confidence is None else confidence
        hits = [SearchHit(chunk=hit.passage, score=hit.score, dense_score=hit.score) for hit in choice.result.hits]
        quoted = None
        if reading is not None:
            hits[0] = _as_read(hits[0], reading)
            quoted = quote_passage(result, hits[0], reader=reading, country=country)
        if misses_asked_amount(result.query, hits[0].chunk.text):
            # As in the own language: the page is suggested, not quoted, when it states no amount asked for.
            return _not_known(language or "en", None, [], [choice.hit], stated, hits,
                              answerability_features(result), amount_unstated=True)
        text = crosslingual_reply(choice.hit, language or "en", quoted.text if quoted else None)
        note = other_country_note(quoted, result, hits[0], country, language or "en") if quoted else None
        return PageAnswer(
            text=self._with_doubt(f"{text}\n{note}" if note else text, stated, language or "en"),
            citations=citations_in_country(citations_for(hits[:1]), result, country if quoted else None),
            confidence=round(stated, 4),
            answerable=True,
            hits=hits,
            features={**answerability_features(result), "crosslingual_lead": round(choice.lead, 4),
                      **({"crosslingual_overruled": 1.0} if confidence is not None else {})},
            source_language=choice.hit.passage.language,
            text_origin=TextOrigin.COMPANY,
        )

    def answer_many(self, texts: Sequence[str], audience: str = "staff",
                    languages: Sequence[str | None] | None = None) -> list[PageAnswer]:
        """`answer` for many questions at once (one audience; a language per question, or None).

        The questions' vectors are embedded together (`HybridSearcher.prepare`), which is what makes rechecking
        thousands of open gaps fast; searching, deciding and composing are `answer`'s, question by question.
        Batch vectors are float32, as a single question's are, so a recheck decides as the live question would (in
        bfloat16 they moved the company questions' answerability by up to about 0.01, and one question's
        cross-lingual suggestions differed). `answer` itself is unchanged. A gap does not keep its asker's country,
        so a page with a section per country answers as it would for an asker not in the directory.
        """
        texts = list(texts)
        languages = list(languages) if languages is not None else [None] * len(texts)
        # A batch (a recheck of open gaps) waits for the cross-lingual index: it decides what is still a gap.
        return [self._reply(text, audience, language, result, probability, wait=True,
                            country=asker_country(None, language))
                for text, (result, probability), language in zip(texts, self.search_many(texts, audience, languages),
                                                                 languages, strict=True)]

    def search_many(self, texts: Sequence[str], audience: str, languages: Sequence[str | None],
                    phrasings: bool = True) -> list[tuple[SearchResult, float]]:
        """`search` for many questions, their vectors embedded together (`answer_many`, and the answerability
        calibration's probes, which search without the pages' `questions` phrasings)."""
        texts = list(texts)
        if len(languages) != len(texts):
            raise ValueError(f"{len(texts)} questions but {len(languages)} languages")
        limit = max(self._top_k, 10)
        return [self._best_attempt(
                    lambda filters, prepared=prepared: self._searcher.search_prepared(
                        prepared, replace(filters, phrasings=phrasings), limit=limit),
                    audience, language, prepared.snapshot.languages)
                for prepared, language in zip(self._searcher.prepare(texts), languages, strict=True)]

    def _compose(self, result: SearchResult, probability: float, language: str | None,
                 elsewhere: Sequence[CrosslingualHit] = (), reading: MultilingualReading | None = None,
                 country: str | None = None) -> PageAnswer:
        if self._votes is not None:
            result = self._votes.rerank(result)
        features = answerability_features(result)
        decision = self.decision(result, probability, reading)
        result, probability, named = decision.result, decision.probability, decision.named
        if named is not None:
            features["heading_match"] = 1.0
        if not decision.answers:
            return self._held_back(result, probability, language, elsewhere, features,
                                   amount_unstated=decision.amount_unstated)
        top = result.hits[0]
        citations = citations_for(result.hits[: self._top_k])
        note = None
        if named is not None and named.text:
            text = named.text
        else:
            quoted = quote_passage(result, top, reader=reading, country=country)
            text = quoted.text
            citations = citations_in_country(citations, result, country)
            note = other_country_note(quoted, result, top, country, language or top.chunk.language or "en")
        # The search over every language can answer from a page in another (through a phrasing in the asker's
        # language): the reply then says so, as a cross-lingual answer does.
        languages = result.snapshot.languages
        elsewhere_language = top.chunk.language \
            if language in languages and len(languages) > 1 and top.chunk.language not in (None, language) else None
        text = quoted_from(top.chunk, text, language) if elsewhere_language else text
        text = f"{text}\n{note}" if note else text
        # A question naming a heading is answered from it whatever the probability: no doubt to state.
        if named is None:
            text = self._with_doubt(text, probability, language or top.chunk.language or "en")
        return PageAnswer(
            text=text,
            citations=citations,
            confidence=round(probability, 4),
            answerable=True,
            hits=result.hits,
            features=features,
            source_language=elsewhere_language,
            text_origin=TextOrigin.COMPANY,
        )

    def _held_back(self, result: SearchResult, probability: float, language: str | None,
                   elsewhere: Sequence[CrosslingualHit], features: dict[str, float],
                   amount_unstated: bool = False) -> PageAnswer:
        """The honest "not yet", linking the nearest page (and pages in other languages) when the answerability is
        at least `suggestion_floor`."""
        nearest = result.hits[0] if result.hits and probability >= self._suggestion_floor else None
        reply_language = language or (result.hits[0].chunk.language if result.hits else "en")
        citations = citations_for(result.hits, limit=SUGGESTED_PAGES) if nearest else []
        # Pages in other languages are suggested under the same floor as the nearest page: below it the
        # question is usually about nothing the knowledge holds, in any language.
        cited = {citation.path for citation in citations}
        elsewhere = [hit for hit in elsewhere if hit.passage.path not in cited] \
            if probability >= self._suggestion_floor else []
        return _not_known(reply_language, nearest, citations, elsewhere, probability, result.hits, features,
                          amount_unstated)

    def _with_doubt(self, text: str, confidence: float, language: str) -> str:
        """`text`, opened by a line saying it may not answer the question when `confidence` is under
        `sure_confidence`."""
        return hedged(text, language) if confidence < self._sure_confidence else text


def overruling_choice(own: PageAnswer, searched: tuple[CrosslingualResult, list[CrosslingualResult]] | None
                ) -> CrosslingualChoice | None:
    """Another language's page that replaces `own`, an own-language answer given although no other language's page
    passed `_across_languages`: the one that leads the own language's best by `OVERRULING_LEAD`.

    The gates there keep an unanswerable question from being answered across languages; when the own language
    answers it anyway they protect nothing, and the choice is only between two pages. An answer from a page the
    question names (`heading_match`) is kept.
    """
    if searched is None or not own.answerable or "heading_match" in own.features:
        return None
    choice = choose(*searched)
    if choice is None or not choice.overrules:
        return None
    if own.citations and own.citations[0].path == choice.hit.passage.path:
        return None
    return choice


def _not_known(language: str, nearest: SearchHit | None, citations: list[Citation],
               elsewhere: list[CrosslingualHit], confidence: float, hits: list[SearchHit],
               features: dict[str, float], amount_unstated: bool = False) -> PageAnswer:
    """A held-back reply in `language`: "not yet", naming `nearest` (cited by `citations`) and the pages in other
    languages `elsewhere` when there are any."""
    return PageAnswer(
        text=not_known_reply(nearest, language, suggestions_line(elsewhere, language) if elsewhere else None),
        citations=citations + crosslingual_citations(elsewhere),
        confidence=round(confidence, 4),
        answerable=False,
        hits=hits,
        features=features,
        text_origin=TextOrigin.COMPANY,
        amount_unstated=amount_unstated,
    )


def _as_read(hit: SearchHit, reading: MultilingualReading) -> SearchHit:
    """`hit` on the passage of its page the multilingual model reads as the answer (`hit` itself when that is its
    passage already, or the page has no embedded text)."""
    passage = reading.best_passage(hit.chunk.path)
    if passage is None or passage.chunk_id == hit.chunk.chunk_id:
        return hit
    return replace(hit, chunk=passage)


def crosslingual_citations(hits: Sequence[CrosslingualHit]) -> list[Citation]:
    """The suggested pages in other languages as citations, each with its language (score: the e5 cosine)."""
    return [Citation(title=hit.passage.title, path=hit.passage.path, section=hit.passage.section,
                     score=round(hit.score, 4), url=hit.passage.url, language=hit.passage.language) for hit in hits]
